/* SPDX-License-Identifier: MIT
 *
 * forward.h - private to src/fabric: the state a network keeps beyond the
 * public struct network, and the two forwarding engines.
 *
 * network_new() allocates a struct network_priv and hands out the embedded
 * struct network, so the public contract stays as declared in network.h.
 */
#ifndef VMWIRE_FABRIC_FORWARD_H
#define VMWIRE_FABRIC_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"
#include "core/log.h"
#include "core/loop.h"
#include "fabric/network.h"

/* What a network reports once (network_priv.logged): per network, so a
 * second switch's full table is reported too. */
enum network_log {
	NET_LOG_TAG_TOO_LONG,
	NET_LOG_FDB_FULL,
	NET_LOG_DUP_UNTRACKED,
	NET_LOG_VLAN_TRUNCATED,
	NET_LOG_VLAN_FILTERED,
	NET_LOG_BAD_SOURCE,
};

/* What port security reports once per port (network_member.logged). */
enum member_log {
	MEMBER_LOG_MOVE,	/* a MAC fresh elsewhere refused */
	MEMBER_LOG_LOCAL,	/* a vmwire port's own MAC refused */
	MEMBER_LOG_CAP,		/* max-macs-per-port reached */
	MEMBER_LOG_ARP,		/* ARP for another MAC or a protected address */
};

/* The stations (ports with port->owned) a network protects; more are
 * attached, but their addresses are not guarded. */
#define NETWORK_OWNERS_MAX 8

/* One attached port, owned by the network; the port's sink context. */
struct network_member {
	struct network *net;
	struct port *port;
	bool waiting; /* a source that waits for room (net->nwaiting) */
	uint32_t serial; /* port_sink_station()'s name for it, never 0 */
	unsigned nmacs;  /* fdb entries learned on it (fdb_guard) */
	struct log_once logged; /* enum member_log */
};

static inline struct network_member *member_at(const struct network *net, unsigned i)
{
	return net->members[i];
}

/* Forwarding iterates net->members by index while a transmit() may detach
 * any port: detaching then leaves a hole, closed when the outermost
 * forwarding ends (network_unbusy()). */
static inline void network_busy(struct network *net)
{
	net->busy++;
}
void network_unbusy(struct network *net);

struct network_priv {
	struct network net;
	struct ev_timer aging;
	uint64_t sweep_ms;   /* aging timer period */
	uint64_t last_sweep; /* when the table was last swept */
	struct log_once logged; /* enum network_log */
	/* Port security: the switch's defaults for ports that don't say. */
	bool sec_on;
	unsigned sec_max_macs;
	uint32_t next_serial;
	struct network_member *owners[NETWORK_OWNERS_MAX];
	unsigned nowners;
	/* Bumped whenever the switch writes net->scratch: a transmit() that
	 * re-enters the switch (a gateway answering synchronously) overwrites
	 * the scratch buffers the outer frame was using, so the outer loop
	 * rebuilds them when this changed under it. */
	uint32_t scratch_gen;
	/* Software segmentation writes one wire frame at a time here; busy
	 * while a frame is being cut, so a re-entrant one is dropped rather
	 * than overwriting a segment still in use. */
	bool seg_busy;
	uint8_t seg[FRAME_BUF_SIZE];
};

static inline struct network_priv *net_priv(struct network *net)
{
	return (struct network_priv *)((char *)net - offsetof(struct network_priv, net));
}

/* m: validated offload metadata, or NULL for a plain frame. */
void hub_forward(struct network *net, struct port *from, const struct frame_offload *m,
		 const uint8_t *frame, size_t len);
void switch_forward(struct network *net, struct port *from, const struct frame_offload *m,
		    const uint8_t *frame, size_t len);

/* Back-pressure (network.h): the room towards dst for a frame from `from`,
 * and ask the egress ports on that way to say when they drain. */
size_t network_room(struct network *net, struct port *from, const uint8_t *dst);
void network_want_writable(struct network *net, struct port *from, const uint8_t *dst);

#endif
