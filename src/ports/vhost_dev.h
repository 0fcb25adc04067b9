/* SPDX-License-Identifier: MIT
 *
 * vhost_dev.h - the vhost-user-net device shared by its two halves:
 * vhost_user.c (the netdev, the socket and the protocol messages) and
 * vhost_net.c (the data path between the virtqueues and the port).
 *
 * Theory of operation: one netdev is one device and one port. The port
 * lives as long as the netdev, whether a frontend is connected or not, so
 * the switch, VLANs, pcap and the monitor see one stable port across QEMU
 * restarts; a connection only brings the device state (features, memory
 * table, rings, eventfds), and losing it resets exactly that state.
 *
 * Queue 0 is the guest's receive queue (vmwire writes frames into it),
 * queue 1 its transmit queue (vmwire reads frames out of it). A ring runs
 * once it has a size, addresses, a kick fd (or the NOFD bit, then vmwire
 * polls it) and, when VHOST_USER_F_PROTOCOL_FEATURES was negotiated, was
 * enabled with SET_VRING_ENABLE; GET_VRING_BASE stops it.
 *
 * Work that must not happen inside a port's transmit() or that is batched
 * (interrupting the guest, a transmit queue left with work after its
 * budget, closing a connection whose ring turned out broken) is flagged
 * here and done by one 0 ms timer, vhost_work().
 */
#ifndef VMWIRE_PORTS_VHOST_DEV_H
#define VMWIRE_PORTS_VHOST_DEV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>

#include "config/netdev.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/port.h"
#include "ports/guest_mem.h"
#include "ports/unix_acl.h"
#include "ports/vhost_user_msg.h"
#include "ports/virtq.h"

/* virtio-net feature bits */
#define VN_F_CSUM 0
#define VN_F_GUEST_CSUM 1
#define VN_F_MTU 3
#define VN_F_MAC 5
#define VN_F_GUEST_TSO4 7
#define VN_F_GUEST_TSO6 8
#define VN_F_GUEST_ECN 9
#define VN_F_HOST_TSO4 11
#define VN_F_HOST_TSO6 12
#define VN_F_HOST_ECN 13
#define VN_F_MRG_RXBUF 15
#define VN_F_STATUS 16
#define VN_F_GUEST_ANNOUNCE 21
#define VN_F_ANY_LAYOUT 27
#define VN_F_INDIRECT_DESC 28
#define VN_F_EVENT_IDX 29
#define VN_F_VERSION_1 32

#define VN_BIT(b) (1ull << (b))

#define VHOST_RX_Q 0
#define VHOST_TX_Q 1
#define VHOST_NQ 2
#define VHOST_TX_BUDGET 128   /* guest frames per wakeup before yielding */
#define VHOST_RX_HEADS_MAX 256 /* receive buffers one merged frame may use */
/* receive buffers below which we ask for kicks (a 64 KiB frame may need 44) */
#define VHOST_RX_LOW(num) ((num) / 2 < 64 ? (num) / 2 : 64)
#define VHOST_POLL_MS 1       /* NOFD rings: how often they are looked at */
#define VHOST_HDR_MAX 12

enum vhost_log {
	VHOST_LOG_ACCEPT,
	VHOST_LOG_BUSY,
	VHOST_LOG_OVERSIZED,
	VHOST_LOG_BAD_HDR,
	VHOST_LOG_NO_GSO,
	VHOST_LOG_CALL,
};

struct vhost_nd;

struct vhost_vq {
	struct virtq q;
	struct vhost_nd *owner;
	int kick, call, err;   /* eventfds, -1 when absent */
	bool nofd_kick;        /* NOFD: nobody kicks, poll */
	bool has_addr, started, enabled;
	bool call_pending;     /* used entries published, call not decided yet */
	bool kick_on;          /* receive queue: we asked for kicks */
	struct ev_watch kw;
	bool kick_watched;
};

struct vhost_nd {
	struct netdev nd; /* first: the registry hands us &nd */
	/* configuration */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool server, offload;
	struct unix_acl acl; /* server: the socket file's mode=/owner=/group= */
	uint64_t reconnect_ms;
	unsigned mtu;   /* 0: not set */
	unsigned queues;

	struct ev_loop *loop;
	bool closing;
	int lfd, cfd;
	struct ev_watch lw, cw;
	bool unlink_on_destroy;
	struct ev_timer retry, work;
	bool work_tx, work_reset, polling;
	char last_error[128];

	/* the device, reset per connection */
	uint64_t features, protocol_features;
	uint8_t status;
	unsigned hdr_len; /* virtio-net header: 10, or 12 with num_buffers */
	struct guest_mem mem;
	struct vhost_vq vq[VHOST_NQ];
	uint32_t rx_buf_len; /* size of the last receive buffer seen (tx_room) */

	/* the port */
	struct port port;
	bool port_live;

	/* counters beyond the port's own */
	uint64_t connections, resets, inflight_drops, broken, oversized, calls, kicks;
	struct log_once logged; /* enum vhost_log */

	struct vu_rx rx;
	struct vu_msg msg;
	/* data path buffers */
	struct virtq_chain chain, chain2;
	uint16_t heads[VHOST_RX_HEADS_MAX];
	uint32_t head_lens[VHOST_RX_HEADS_MAX];
	uint8_t txbuf[VHOST_HDR_MAX + FRAME_BUF_SIZE];
	uint8_t segbuf[FRAME_BUF_SIZE]; /* port.offload_scratch */
};

/* vhost_net.c */
extern const struct port_ops vhost_port_ops;
/* The features and header vmwire offers / derives. */
uint64_t vhost_offered_features(const struct vhost_nd *v);
void vhost_apply_features(struct vhost_nd *v);
/* A ring's kick fd fired or it is polled: process it. */
void vhost_vq_kicked(struct vhost_vq *vq);
/* Start or stop processing a ring as its state changed. */
void vhost_vq_update(struct vhost_vq *vq);
/* The 0 ms timer: calls, leftover transmit work, deferred reset. */
void vhost_work(void *ctx);
void vhost_schedule(struct vhost_nd *v);
/* Mark the connection broken (a ring the guest corrupted): one log line,
 * and the connection is closed from the work timer. */
void vhost_broken(struct vhost_nd *v, const char *what, int err);
/* SEND_RARP: announce mac on the switch as if the guest sent it. */
void vhost_announce(struct vhost_nd *v, const uint8_t *mac);
bool vhost_ring_running(const struct vhost_vq *vq);

/* vhost_user.c */
void vhost_conn_close(struct vhost_nd *v, const char *why);

#endif
