/* SPDX-License-Identifier: MIT
 *
 * vhost_user_msg.h - the vhost-user wire format: message framing, the
 * payload layouts vmwire reads and writes, and their validation.
 *
 * Theory of operation: a vhost-user message is a 12-byte header (request,
 * flags, payload size; host byte order, which is little endian everywhere
 * vmwire runs) and a payload of at most VU_PAYLOAD_MAX bytes, with up to
 * VU_FDS_MAX file descriptors riding along as SCM_RIGHTS on the same
 * stream socket. Everything in here is pure: vu_msg_frame() says whether
 * a byte buffer starts with a whole, well-formed message, and the vu_get_*()
 * decoders check a payload's size against its request before anything of
 * it is believed. The socket I/O (recvmsg with the fds, sendmsg of a reply)
 * is the only part that touches the kernel, so the parser can be fuzzed on
 * its own (tests/fuzz/fuzz_vhost_user_msg.c).
 *
 * The frontend is hostile input like a guest: an unknown version, a size
 * beyond the limit or a payload that does not match its request is an
 * error, and the caller closes the connection.
 */
#ifndef VMWIRE_PORTS_VHOST_USER_MSG_H
#define VMWIRE_PORTS_VHOST_USER_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vu_request {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
	VU_SET_LOG_BASE = 6,
	VU_SET_LOG_FD = 7,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_SET_VRING_ERR = 14,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
	VU_SEND_RARP = 19,
	VU_NET_SET_MTU = 20,
	VU_GET_CONFIG = 24,
	VU_SET_CONFIG = 25,
	VU_RESET_DEVICE = 34,
	VU_SET_STATUS = 39,
	VU_GET_STATUS = 40,
};

/* Header flags */
#define VU_VERSION 0x1u
#define VU_VERSION_MASK 0x3u
#define VU_FLAG_REPLY (1u << 2)
#define VU_FLAG_NEED_REPLY (1u << 3)

/* Protocol feature bits (GET/SET_PROTOCOL_FEATURES) */
#define VU_PF_MQ 0
#define VU_PF_LOG_SHMFD 1
#define VU_PF_RARP 2
#define VU_PF_REPLY_ACK 3
#define VU_PF_MTU 4
#define VU_PF_CONFIG 9
#define VU_PF_RESET_DEVICE 13
#define VU_PF_STATUS 16

/* The vhost-user feature bit in the virtio feature word that says the
 * frontend may GET/SET_PROTOCOL_FEATURES, and vhost's dirty log bit. */
#define VU_F_PROTOCOL_FEATURES 30
#define VU_F_LOG_ALL 26

#define VU_HDR_LEN 12
#define VU_PAYLOAD_MAX 4096 /* the largest payload vmwire accepts */
#define VU_FDS_MAX 8        /* VHOST_MEMORY_BASELINE_NREGIONS fds at most */
#define VU_REGIONS_MAX 8
#define VU_CONFIG_MAX 256   /* GET/SET_CONFIG region bytes */

/* SET_VRING_KICK/CALL/ERR u64: ring index, and "no fd: poll" */
#define VU_VRING_IDX_MASK 0xffu
#define VU_VRING_NOFD (1u << 8)

/* SET_VRING_ADDR flags: log the used ring */
#define VU_VRING_F_LOG 1u

struct vu_hdr {
	uint32_t request, flags, size;
};

struct vu_msg {
	struct vu_hdr hdr;
	uint8_t payload[VU_PAYLOAD_MAX];
	int fds[VU_FDS_MAX];
	unsigned nfds;
};

struct vu_region {
	uint64_t gpa, size, uaddr, mmap_offset;
};

struct vu_mem_table {
	uint32_t n;
	struct vu_region r[VU_REGIONS_MAX];
};

struct vu_vring_state {
	uint32_t index, num;
};

struct vu_vring_addr {
	uint32_t index, flags;
	uint64_t desc, used, avail, log; /* frontend user addresses; log: guest-physical */
};

struct vu_log_base {
	uint64_t size, offset;
};

struct vu_config {
	uint32_t offset, size, flags;
	const uint8_t *data; /* size bytes inside the message */
};

enum vu_frame_verdict {
	VU_FRAME_MORE = 0,  /* not a whole message yet */
	VU_FRAME_OK = 1,    /* a whole message of *msglen bytes */
	VU_FRAME_BAD = -1,  /* bad version or size: close the connection */
};

/* Does buf[0..len) start with a whole message? On VU_FRAME_OK *hdr is the
 * decoded header and *msglen its total length (header + payload). */
enum vu_frame_verdict vu_msg_frame(const uint8_t *buf, size_t len, struct vu_hdr *hdr,
				   size_t *msglen);

/* The request's name for log lines ("SET_MEM_TABLE", "unknown"). */
const char *vu_request_name(uint32_t request);

/* Payload decoders: 0, or -1 when the size does not fit the request or a
 * field is out of range (the message is malformed). */
int vu_get_u64(const struct vu_msg *m, uint64_t *v);
int vu_get_state(const struct vu_msg *m, struct vu_vring_state *s);
int vu_get_addr(const struct vu_msg *m, struct vu_vring_addr *a);
int vu_get_mem_table(const struct vu_msg *m, struct vu_mem_table *t);
int vu_get_log_base(const struct vu_msg *m, struct vu_log_base *l);
int vu_get_config(const struct vu_msg *m, struct vu_config *c);

/* Reply builders: fill m as the reply to request (flags version|REPLY). */
void vu_reply_u64(struct vu_msg *m, uint32_t request, uint64_t v);
void vu_reply_state(struct vu_msg *m, uint32_t request, uint32_t index, uint32_t num);
void vu_reply_config(struct vu_msg *m, uint32_t offset, uint32_t size, uint32_t flags,
		     const uint8_t *data);

/* Socket side: a message may arrive in pieces, so reads go into a
 * per-connection struct vu_rx and never wait. vu_rx_read() reads what is
 * there: VU_RX_MSG with m filled (its fds are the caller's now), VU_RX_AGAIN
 * when the message is not whole yet, VU_RX_EOF, or VU_RX_ERR (errno set;
 * EPROTO for a malformed header or too many fds). Reads stop at the end of
 * one message, so one message's fds never mix with the next one's. */
struct vu_rx {
	uint8_t buf[VU_HDR_LEN + VU_PAYLOAD_MAX];
	size_t have;
	int fds[VU_FDS_MAX];
	unsigned nfds;
};
enum vu_rx_verdict { VU_RX_ERR = -1, VU_RX_EOF = 0, VU_RX_MSG = 1, VU_RX_AGAIN = 2 };
void vu_rx_init(struct vu_rx *rx);
enum vu_rx_verdict vu_rx_read(int fd, struct vu_rx *rx, struct vu_msg *m);
/* Drop a partial message and close its fds (connection reset). */
void vu_rx_reset(struct vu_rx *rx);
/* Send m (header + payload); 0 or -1. */
int vu_msg_send(int fd, const struct vu_msg *m);
/* Close every fd m still holds. */
void vu_msg_close_fds(struct vu_msg *m);
/* Take fd i out of m (the caller owns it now); -1 if there is none. */
int vu_msg_take_fd(struct vu_msg *m, unsigned i);

#endif
