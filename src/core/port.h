/* SPDX-License-Identifier: MIT
 *
 * port.h - the one interface for everything that sends and receives frames.
 *
 * Theory of operation: a port is a plug with two directions.
 *
 *   outside world --(implementation reads)--> port_receive() --> port->sink
 *   network       --port_send()--> ops->transmit() --(implementation writes)-->
 *
 * "rx" counts frames that came *into* vmwire through this port, "tx" frames
 * that vmwire handed *out* through it, as QEMU's info network would see it
 * from our side. The sink is whatever the port is plugged into (a switch or
 * hub ingress, or a test harness); a port never knows what it is plugged
 * into, so the switch, the hub, the gateway and every transport combine
 * freely. Stream connections, TAPs, datagram sockets, the gateway and
 * vhost-user all embed a struct port and fill in struct port_ops.
 *
 * Rules for implementations:
 *  - transmit() must never block and never free the port; if the frame can't
 *    be taken now it is dropped and counted in stats.tx_drops.
 *  - a port is destroyed only from its own fd callback or from a timer, never
 *    from inside transmit() (the switch may be iterating its port list).
 *
 * Offloads (offload.h): a port whose peer speaks virtio_net_hdr (a TAP) may
 * receive frames with checksum/segmentation metadata through
 * port_receive_offload(), and may set offload_caps and transmit_offload()
 * to send them out whole. Everything else keeps working on plain frames:
 * a sink without sink_offload_fn and an egress port whose caps don't cover
 * a frame get it finished in software (checksum completed, segmented).
 *
 * Counting with offloads: a frame is counted as it crosses the port. A GSO
 * frame that goes in or out whole is one frame of its full length; one that
 * is segmented in software on the way out counts each segment it became.
 */
#ifndef VMWIRE_CORE_PORT_H
#define VMWIRE_CORE_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"

#define PORT_ID_MAX 64
#define VLAN_MAX 4095     /* size of the VID space; 4095 itself is reserved */
#define VLAN_VID_MAX 4094 /* the largest VID a port may carry */

struct port;
struct pcap_writer;
struct frame_offload;

struct port_stats {
	uint64_t rx_frames, rx_bytes, rx_drops; /* from the peer into vmwire */
	uint64_t tx_frames, tx_bytes, tx_drops; /* from vmwire out to the peer */
};

/* What port.c reports once per port (port->logged). */
enum port_log {
	PORT_LOG_BAD_OFFLOAD,	   /* received metadata that lies about the frame */
	PORT_LOG_OFFLOAD_REFUSED,  /* asked to send an offload frame it can't take */
};

struct port_ops {
	const char *kind; /* "stream", "dgram", "tap", "user", ... */
	/* Hand one frame to the peer. Drop and count if it can't be taken. */
	void (*transmit)(struct port *port, const uint8_t *frame, size_t len);
	/* One human line for the monitor: peer address, state, queue depth. */
	void (*describe)(const struct port *port, char *buf, size_t size);
	/* Close fds, free memory. Called once, after the port left its network. */
	void (*destroy)(struct port *port);
	/* Optional: hand over a frame with offload metadata the port's
	 * offload_caps cover (offload_needs(m) & ~caps == 0). Same rules as
	 * transmit(). */
	void (*transmit_offload)(struct port *port, const struct frame_offload *m,
				 const uint8_t *frame, size_t len);
};

/*
 * 802.1Q membership. An access port (trunk == false) carries only VLAN
 * pvid, untagged on the wire. A trunk port carries the VLANs set in
 * allowed[], tagged, plus its native VLAN pvid untagged (pvid 0 = no native
 * VLAN: untagged frames are dropped).
 */
struct port_vlan {
	uint16_t pvid;
	bool trunk;
	uint8_t allowed[(VLAN_MAX + 1 + 7) / 8];
};

typedef void (*port_sink_fn)(void *sink, struct port *from,
			     const uint8_t *frame, size_t len);
/* A sink that takes frames with (validated) offload metadata. */
typedef void (*port_sink_offload_fn)(void *sink, struct port *from,
				     const struct frame_offload *m,
				     const uint8_t *frame, size_t len);

struct port {
	const struct port_ops *ops;
	char id[PORT_ID_MAX];
	struct port_stats stats;
	struct log_once logged; /* enum port_log */
	struct port_vlan vlan;
	struct pcap_writer *pcap; /* optional, shared and refcounted */

	/* Where received frames go; set by network_attach(). */
	port_sink_fn sink_fn;
	void *sink;

	/* Owned by the network the port is attached to. */
	struct network *net;
	struct port *net_next;
	void *fabric_priv;

	/* OFFLOAD_CAP_* bits transmit_offload() accepts; 0: plain frames only. */
	uint32_t offload_caps;
	/* Optional companion of sink_fn (set together by network_attach()):
	 * where frames with offload metadata go. NULL: port_receive_offload()
	 * finishes them in software and hands the plain result to sink_fn. */
	port_sink_offload_fn sink_offload_fn;
	/* FRAME_BUF_SIZE bytes a port that calls port_receive_offload() lends
	 * it for that software fallback; NULL: such frames are dropped. */
	uint8_t *offload_scratch;
};

/* Defaults: access port on VLAN 1, no pcap, not attached. */
void port_init(struct port *port, const struct port_ops *ops, const char *id);

/* Implementations call this for every frame read from their peer. Frames
 * shorter than an Ethernet header are dropped and counted here. */
void port_receive(struct port *port, const uint8_t *frame, size_t len);

/* The fabric calls this to send a frame out through the port. */
void port_send(struct port *port, const uint8_t *frame, size_t len);

/* Like port_receive() for a frame that came with offload metadata (m may be
 * NULL or inactive: then it is exactly port_receive()). The metadata is
 * validated against the frame here; a frame whose metadata lies is
 * dropped and counted. */
void port_receive_offload(struct port *port, const struct frame_offload *m,
			  const uint8_t *frame, size_t len);

/* Can the port send this frame out whole (transmit_offload, caps)? */
bool port_takes_offload(const struct port *port, const struct frame_offload *m);

/* Send a frame whole through a port that takes it (port_takes_offload());
 * one frame of len bytes in the stats. Anything else is a caller bug:
 * dropped and counted. The fabric's network_send_offload() picks between
 * this and software segmentation. */
void port_send_offload(struct port *port, const struct frame_offload *m,
		       const uint8_t *frame, size_t len);

/* Detach from its network (if any) and destroy. */
void port_close(struct port *port);

/* VLAN membership helpers. */
static inline bool vlan_bit(const struct port_vlan *v, unsigned vid)
{
	return vid <= VLAN_MAX && (v->allowed[vid >> 3] >> (vid & 7) & 1);
}
static inline void vlan_set_bit(struct port_vlan *v, unsigned vid)
{
	if (vid <= VLAN_MAX)
		v->allowed[vid >> 3] |= (uint8_t)(1u << (vid & 7));
}
/* Does this port carry VLAN vid at all? */
bool port_vlan_member(const struct port *port, unsigned vid);

#endif
