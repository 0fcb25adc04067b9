/* SPDX-License-Identifier: MIT
 *
 * network.h - one L2 segment: a QEMU-style hub or a learning 802.1Q switch.
 *
 * Theory of operation: a network keeps its own list of the ports attached
 * to it (an array of members the fabric owns; a port carries no fabric
 * fields). Attaching a port installs the network as its sink
 * (core/port.h), so port_receive() on any port lands in the network's
 * ingress and port_close() detaches it. A hub copies each frame to every other port. A switch
 * classifies the frame into a VLAN (see vlan.h), learns the source MAC in its
 * forwarding database (fdb.h), then forwards to the one learned port or
 * floods within the VLAN, never back out of the ingress port, pushing or
 * popping the 802.1Q tag per egress port (forward.c).
 *
 * Networks are independent: nothing crosses between two of them.
 *
 * Port security (on by default, per port or per switch): a switch refuses
 * a source MAC that is fresh on another live port, or that a vmwire port
 * owns (port->owned: the gateway's MAC), caps the MACs one port may hold,
 * and drops ARP whose sender is not the frame's source or claims an
 * address a vmwire port owns (the gateway's, the DNS address), so one
 * guest can't steal another's traffic or the gateway's. Each drop is
 * counted per port and per network and logged once per port (forward.c).
 *
 * Frames with offload metadata (core/offload.h, from a TAP with offloads
 * on) take the same path through the sink's receive_offload; each egress
 * port gets the frame whole if its offload_caps cover it, else finished in
 * software (checksum, segmentation) one wire frame at a time in a buffer
 * the network owns.
 *
 * Back-pressure: a source asks the network how much the way towards a MAC
 * can take (the learned port's tx_room(); the least of the ports a frame
 * would be flooded to for broadcast and multicast or on a hub; unlimited
 * for an unknown unicast destination, which must not stall a source). A
 * source that waits is remembered in its member entry, the egress ports
 * on its way are asked to say when they drain, and the first that does
 * resumes every waiting source of the network (each asks again).
 */
#ifndef VMWIRE_FABRIC_NETWORK_H
#define VMWIRE_FABRIC_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"
#include "core/port.h"

struct ev_loop;
struct fdb;
struct network_member;

enum network_mode { NETWORK_SWITCH, NETWORK_HUB };

#define NETWORK_DEFAULT_AGING_S 300
#define NETWORK_DEFAULT_FDB_MAX 4096
#define NETWORK_DEFAULT_MAX_MACS_PER_PORT 8

struct network_stats {
	uint64_t frames_in;
	uint64_t flooded, forwarded, filtered; /* filtered: dropped by VLAN rules or same-port */
	uint64_t fdb_full; /* learning skipped because the table was full */
	uint64_t sw_offload; /* offload frames finished in software for a port */
	/* Port security drops (each also in the port's stats.sec_drops): a MAC
	 * fresh on another port, a vmwire port's own MAC, over
	 * max-macs-per-port, ARP for another MAC or claiming a protected
	 * address (the gateway's). */
	uint64_t sec_moved, sec_local, sec_cap, sec_arp;
};

/*
 * What the control plane hears of a network (QMP events): a port came or
 * went, a MAC showed up on two ports, port security refused a frame, the
 * forwarding table filled. Each fires only where the condition is logged,
 * so at most once per port and condition, never per frame.
 */
struct network;

enum network_event {
	NETWORK_EVENT_PORT_UP,
	NETWORK_EVENT_PORT_DOWN,
	NETWORK_EVENT_DUPLICATE_MAC, /* mac on port and other */
	NETWORK_EVENT_SECURITY_DROP, /* mac refused on port; why says why */
	NETWORK_EVENT_TABLE_FULL,    /* the fdb: port is NULL */
};

struct network_event_info {
	enum network_event event;
	const struct port *port, *other;
	const uint8_t *mac; /* NULL when not about a MAC */
	uint16_t vid;
	const char *why;
};

struct network_observer {
	void (*fn)(void *ctx, const struct network *net, const struct network_event_info *ev);
	void *ctx;
};

struct network {
	char id[PORT_ID_MAX];
	enum network_mode mode;
	unsigned aging_s;
	struct ev_loop *loop; /* may be NULL in unit tests: no aging timer */
	/* The attached ports in attach order (network_port_next()). A port
	 * that leaves while frames are being forwarded leaves a NULL hole,
	 * closed once the outermost forwarding is done. */
	struct network_member **members;
	unsigned nslots, cap; /* slots in use (holes included), allocated */
	unsigned nports;      /* attached ports */
	unsigned busy;        /* forwarding depth: holes stay while > 0 */
	bool holes;
	unsigned nwaiting;    /* sources waiting for room */
	struct fdb *fdb;      /* NULL for a hub */
	struct network_stats stats;
	struct network *next; /* registry of all networks (control plane) */
	struct network_observer observer; /* fn NULL: nobody listens */
	uint8_t scratch[2][FRAME_BUF_SIZE]; /* tag push/pop without allocation */
};

struct network *network_new(const char *id, enum network_mode mode,
			    unsigned aging_s, unsigned fdb_max, struct ev_loop *loop);
void network_free(struct network *net); /* closes remaining ports */

/* Attach (moving it from another network); -1 if out of memory (the port
 * stays unplugged). */
int network_attach(struct network *net, struct port *port);
/* port_close() does this through the sink's detach. */
void network_detach(struct network *net, struct port *port);

/* Port security defaults for ports that don't set port->sec (on, and
 * NETWORK_DEFAULT_MAX_MACS_PER_PORT, unless changed here; 0: no cap). */
void network_set_security(struct network *net, bool on, unsigned max_macs_per_port);
/* The effective setting for a port attached to net. */
bool network_port_locked(const struct network *net, const struct port *port);
unsigned network_port_max_macs(const struct network *net, const struct port *port);

/* Tell the observer, if any. */
static inline void network_notify(const struct network *net, const struct network_event_info *ev)
{
	if (net->observer.fn)
		net->observer.fn(net->observer.ctx, net, ev);
}

/* Is port attached to net? */
bool network_has_port(const struct network *net, const struct port *port);
/* The attached ports in attach order, for the control plane: start with
 * *it = 0; NULL at the end. Not for use while the list may change. */
struct port *network_port_next(const struct network *net, unsigned *it);
/* The network a port is attached to, or NULL. */
struct network *network_of_port(const struct port *port);

/* Send a frame with metadata (NULL: plain) out through port to of net:
 * whole if the port takes it, else checksummed/segmented in software into
 * the network's buffer and sent with port_send() one segment at a time. */
void network_send_offload(struct network *net, struct port *to, const struct frame_offload *m,
			  const uint8_t *frame, size_t len);

/* Expire fdb entries older than aging_s; called by the aging timer, and
 * with an explicit clock by tests. */
void network_age(struct network *net, uint64_t now_ms);

const char *network_mode_name(enum network_mode mode);

/* The network called id in a list linked via ->next, or NULL. */
struct network *network_find(struct network *list, const char *id);

#endif
