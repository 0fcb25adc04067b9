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
 *  - transmit() must never block and never free the port; it returns false
 *    when it did not take the frame (port_send() counts that in
 *    stats.tx_drops), true when the frame is on its way.
 *  - a port is destroyed only from its own fd callback or from a timer, never
 *    from inside transmit() (the switch may be iterating its port list).
 *
 * The sink interface (struct port_sink_ops) is how a port meets whatever it
 * is plugged into, without knowing what that is: the network (or a test)
 * installs its ops and a context with port_set_sink(), port_receive() hands
 * frames to sink->receive(), port_close() tells sink->detach(). So this
 * layer never names the fabric above it.
 *
 * Back-pressure (QEMU's net/queue.c in spirit, without its queue): a port
 * that queues towards its peer reports the bytes it can still take
 * (ops->tx_room) and calls port_writable() once its queue has drained below
 * its low-water mark. A source that wants to know before it sends (the
 * gateway's TCP engine, which can leave data in the host socket) asks its
 * sink with port_sink_room() how much the way towards a destination MAC
 * can take; when that is too little it calls port_sink_wait(), and the sink
 * calls port_resume() on it once an egress port it was waiting for became
 * writable (ops->resume then pushes again). Sources that do not ask keep
 * today's behaviour: a full port drops and counts. Nothing here allocates
 * or queues a frame; waits and resumes are counted in the source's stats.
 *
 * Offloads (offload.h): a port whose peer speaks virtio_net_hdr (a TAP) may
 * receive frames with checksum/segmentation metadata through
 * port_receive_offload(), and may set offload_caps and transmit_offload()
 * to send them out whole. Everything else keeps working on plain frames:
 * a sink without receive_offload and an egress port whose caps don't cover
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
struct impair_link;
struct impair_cfg;
struct ev_loop;

struct port_stats {
	uint64_t rx_frames, rx_bytes, rx_drops; /* from the peer into vmwire */
	uint64_t tx_frames, tx_bytes, tx_drops; /* from vmwire out to the peer */
	uint64_t pauses, resumes; /* as a source: told to wait for room, woken */
	uint64_t sec_drops; /* refused by port security or the ARP guard */
};

/* What port.c reports once per port (port->logged). */
enum port_log {
	PORT_LOG_BAD_OFFLOAD,	   /* received metadata that lies about the frame */
	PORT_LOG_OFFLOAD_REFUSED,  /* asked to send an offload frame it can't take */
};

/* Bytes a port counts per frame in tx_room() beyond the frame itself (its
 * framing, e.g. a stream's 4-byte length): a source that needs n frames of
 * len bytes needs n * (len + PORT_TX_OVERHEAD) bytes of room. */
#define PORT_TX_OVERHEAD 16

struct port_ops {
	const char *kind; /* "stream", "dgram", "tap", "user", ... */
	/* Hand one frame to the peer; false: not taken (a drop). */
	bool (*transmit)(struct port *port, const uint8_t *frame, size_t len);
	/* One human line for the monitor: peer address, state, queue depth. */
	void (*describe)(const struct port *port, char *buf, size_t size);
	/* Close fds, free memory. Called once, after the port left its network. */
	void (*destroy)(struct port *port);
	/* Optional: hand over a frame with offload metadata the port's
	 * offload_caps cover (offload_needs(m) & ~caps == 0). Same rules as
	 * transmit(). */
	bool (*transmit_offload)(struct port *port, const struct frame_offload *m,
				 const uint8_t *frame, size_t len);
	/* Optional: bytes of frames (PORT_TX_OVERHEAD each included) it can
	 * take now. Absent: it does not queue, never a reason to wait. */
	size_t (*tx_room)(const struct port *port);
	/* Optional: bytes waiting in its queue towards the peer. */
	size_t (*tx_queued)(const struct port *port);
	/* Optional, for sources: the sink has room again after a
	 * port_sink_wait(); called from the loop, never from transmit(). */
	void (*resume)(struct port *port);
	/* Optional, for a station that keeps state per guest port (the
	 * gateway, which owns its MAC): the port the sink named station
	 * (sink_ops->station) left; drop what it held now. */
	void (*station_left)(struct port *port, uint32_t station);
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

/*
 * Port security (fabric/forward.c), set before attach like vlan. A locked
 * port's stations may not take a MAC that is fresh on another live port,
 * learn at most max_macs MACs and send ARP only for their own Ethernet
 * source. Off is for uplinks: a port with a whole LAN behind it (a TAP
 * enslaved to a bridge, a tunnel), where stations legitimately move.
 */
enum port_sec_mode { PORT_SEC_DEFAULT, PORT_SEC_ON, PORT_SEC_OFF };

struct port_security {
	enum port_sec_mode mode; /* DEFAULT: the network's setting */
	unsigned max_macs;       /* 0: the network's setting */
};

/*
 * What a port's own station is, for a port that is a station itself (the
 * gateway): the network pins mac to the port, so no other port may send
 * from it (Linux's BR_FDB_LOCAL), and drops ARP from other ports claiming
 * one of ipv4[] (host order), and IPv6 neighbour advertisements from other
 * ports whose target is one of ipv6[] (the NDP form of a gratuitous ARP).
 * Owned by the port, read by the network.
 */
#define PORT_OWNED_IPS 4

struct port_owned {
	uint8_t mac[6];
	uint32_t ipv4[PORT_OWNED_IPS];
	unsigned n_ipv4;
	uint8_t ipv6[PORT_OWNED_IPS][16];
	unsigned n_ipv6;
};

/*
 * What a port is plugged into. ctx is the sink's own (port_set_sink()).
 * receive is required; the rest may be NULL.
 */
struct port_sink_ops {
	void (*receive)(void *ctx, struct port *from, const uint8_t *frame, size_t len);
	/* Frames with (validated) offload metadata; NULL: port_receive_offload()
	 * finishes them in software and hands the plain result to receive. */
	void (*receive_offload)(void *ctx, struct port *from, const struct frame_offload *m,
				const uint8_t *frame, size_t len);
	/* port_close(): unplug the port and forget it, before it is destroyed. */
	void (*detach)(void *ctx, struct port *port);
	/* Bytes of frames (PORT_TX_OVERHEAD each) the way from `from` to the
	 * station dst (a MAC) can take now; NULL: unlimited. */
	size_t (*room)(void *ctx, struct port *from, const uint8_t *dst);
	/* from found too little room towards dst: call port_resume(from) once
	 * an egress port on that way drained. */
	void (*wait)(void *ctx, struct port *from, const uint8_t *dst);
	/* port (plugged in here) drained its queue: port_writable(). */
	void (*writable)(void *ctx, struct port *port);
	/* A nonzero number naming the port the station mac sits behind, as
	 * seen from `from`, stable while that port stays plugged in; 0:
	 * unknown. Lets a service (DHCP) count per guest port without knowing
	 * the ports. */
	uint32_t (*station)(void *ctx, struct port *from, const uint8_t *mac);
};

struct port {
	const struct port_ops *ops;
	char id[PORT_ID_MAX];
	struct port_stats stats;
	struct log_once logged; /* enum port_log */
	struct port_vlan vlan;
	struct port_security sec;
	const struct port_owned *owned; /* NULL: not a station itself */
	struct pcap_writer *pcap; /* optional, shared and refcounted */

	/* Where received frames go (port_set_sink()); NULL: nowhere. */
	const struct port_sink_ops *sink_ops;
	void *sink_ctx;
	/* A source waits for this port to drain: port_writable() tells the
	 * sink (set by port_tx_want_writable(), cleared when it fires). */
	bool tx_want_writable;
	/* As a source: waits for port_resume() (pauses counted once each). */
	bool waiting;

	/* OFFLOAD_CAP_* bits transmit_offload() accepts; 0: plain frames only. */
	uint32_t offload_caps;
	/* FRAME_BUF_SIZE bytes a port that calls port_receive_offload() lends
	 * it for that software fallback; NULL: such frames are dropped. */
	uint8_t *offload_scratch;

	/* Link impairment (impair.h, port_set_impair()): frames from the
	 * peer pass impair_in before they are counted and reach the sink,
	 * frames to the peer pass impair_out after port_send() took them and
	 * are counted when they reach transmit(). NULL: a perfect wire. An
	 * impaired direction carries plain frames only: offload frames are
	 * segmented first, so loss and rate apply per wire frame. */
	struct impair_link *impair_in, *impair_out;
};

/* Defaults: access port on VLAN 1, no pcap, not attached. */
void port_init(struct port *port, const struct port_ops *ops, const char *id);

/* Plug the port into a sink (ops NULL: unplug). */
void port_set_sink(struct port *port, const struct port_sink_ops *ops, void *ctx);

/* Does the port's sink take frames with offload metadata whole? */
bool port_sink_takes_offload(const struct port *port);

/* Implementations call this for every frame read from their peer. Frames
 * shorter than an Ethernet header are dropped and counted here. */
void port_receive(struct port *port, const uint8_t *frame, size_t len);

/* The fabric calls this to send a frame out through the port; false when
 * the port did not take it (counted in tx_drops). */
bool port_send(struct port *port, const uint8_t *frame, size_t len);

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
bool port_send_offload(struct port *port, const struct frame_offload *m,
		       const uint8_t *frame, size_t len);

/* ---- back-pressure (see the top of this file) ---- */

/* Bytes the port can take now (ops->tx_room), SIZE_MAX if it does not say. */
size_t port_tx_room(const struct port *port);
/* Bytes in its queue (ops->tx_queued), 0 if it does not say. */
size_t port_tx_queued(const struct port *port);
/* Does the port queue towards its peer (ops->tx_room, or an impaired
 * wire with a delay queue)? Only then is there a drain to wait for. */
bool port_queues(const struct port *port);
/* The sink: tell me (sink->writable) when this port drains. */
void port_tx_want_writable(struct port *port);
/* Implementations: the queue drained below the low-water mark. Cheap when
 * nobody waits, so a port may call it on every drain. */
void port_writable(struct port *port);

/* Sources: room towards the station dst through the sink (SIZE_MAX: no
 * limit known), and wait for it (stats.pauses counts each wait until the
 * resume once, however often the source asks meanwhile). */
size_t port_sink_room(struct port *port, const uint8_t *dst);
void port_sink_wait(struct port *port, const uint8_t *dst);
/* The sink's name for the port behind the station mac (0: unknown). */
uint32_t port_sink_station(struct port *port, const uint8_t *mac);
/* The sink: room is back for a source that waited (counted in
 * stats.resumes; calls ops->resume). */
void port_resume(struct port *port);

/* Make the port's wire lossy, slow or both in the directions cfg names
 * (timers on loop). 0, or -1 when the queues could not be allocated. */
int port_set_impair(struct port *port, const struct impair_cfg *cfg, struct ev_loop *loop);

/* Leave the sink (sink->detach) and stay unplugged, not destroyed: a port
 * whose peer is gone for good (a TAP whose interface was deleted). */
void port_unplug(struct port *port);

/* Detach from its sink (if any) and destroy. */
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
