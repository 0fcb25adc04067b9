/* SPDX-License-Identifier: MIT
 *
 * forward.c - the per-frame path of hubs and switches.
 *
 * Theory of operation: a hub is QEMU's hub: every frame goes unchanged to
 * every other port, VLAN configuration is ignored.
 *
 * A switch handles a frame in four steps:
 *  1. classify it into one VLAN (vlan.c) or drop it by the port's rules;
 *  2. learn (source MAC, VLAN) -> ingress port, warning once per pair of
 *     ports when two stations share a MAC;
 *  3. pick the egress: the learned port for a known unicast destination,
 *     else every other port that carries the VLAN (flooding);
 *  4. hand each egress port the frame in the form it wants: untagged for an
 *     access port or a trunk's native VLAN, tagged otherwise.
 *
 * Step 4 builds each form at most once per frame, lazily, in the network's
 * two scratch buffers (untagged in scratch[0], tagged in scratch[1]); a frame
 * that already has the right form goes out as received, without a copy.
 *
 * Frames with offload metadata (m != NULL) take the same path; the tag
 * push or pop shifts the metadata's offsets with the headers, and a port
 * that can't take the metadata gets the form it wants finished in software.
 *
 * Counting: malformed frames (a truncated tag, a multicast or all-zero
 * source MAC, which no NIC sends) are rx_drops of the ingress port; frames
 * the VLAN rules refuse and unicast frames whose destination sits behind the
 * ingress port are "filtered" on the network.
 */
#include "fabric/forward.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/offload.h"
#include "fabric/fdb.h"
#include "fabric/vlan.h"

#define FWD_ETHERTYPE_ARP 0x0806
#define FWD_ARP_LEN 28 /* Ethernet/IPv4 ARP */
#define FWD_ETHERTYPE_IPV6 0x86dd
#define FWD_NA_LEN (40 + 24) /* IPv6 header + neighbour advertisement */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Segment i of frame, built in np->seg, to the port; false (a drop
 * counted) when the segment cannot be built, which ends the frame. */
static bool send_segment(struct network_priv *np, struct port *to, const struct frame_offload *m,
			 const uint8_t *frame, size_t len, unsigned i)
{
	size_t seglen = offload_segment_one(m, frame, len, i, np->seg);

	if (!seglen) {
		to->stats.tx_drops++;
		return false;
	}
	port_send(to, np->seg, seglen);
	return true;
}

/* Finish a frame in software for a port that can't take its metadata:
 * each segment is built in np->seg from the (stable) frame and sent. */
static void send_soft(struct network_priv *np, struct port *to, const struct frame_offload *m,
		      const uint8_t *frame, size_t len)
{
	unsigned i, n = offload_segs(m, len);

	if (np->seg_busy) {
		to->stats.tx_drops++;
		return;
	}
	np->seg_busy = true;
	np->net.stats.sw_offload++;
	for (i = 0; i < n && network_has_port(&np->net, to); i++)
		if (!send_segment(np, to, m, frame, len, i))
			break;
	np->seg_busy = false;
}

void network_send_offload(struct network *net, struct port *to, const struct frame_offload *m,
			  const uint8_t *frame, size_t len)
{
	if (!offload_active(m))
		port_send(to, frame, len);
	else if (port_takes_offload(to, m))
		port_send_offload(to, m, frame, len);
	else
		send_soft(net_priv(net), to, m, frame, len);
}

void hub_forward(struct network *net, struct port *from, const struct frame_offload *m,
		 const uint8_t *frame, size_t len)
{
	unsigned i;

	net->stats.frames_in++;
	net->stats.flooded++;
	/* A transmit() may detach any port: that leaves a hole (forward.h). */
	for (i = 0; i < net->nslots; i++) {
		struct network_member *mb = member_at(net, i);

		if (!mb || mb->port == from)
			continue;
		if (m)
			network_send_offload(net, mb->port, m, frame, len);
		else
			port_send(mb->port, frame, len);
	}
}

/* One received frame and the egress forms built from it so far. */
struct egress {
	const uint8_t *frame;
	size_t len;
	/* Offload metadata of the frame (NULL: plain) and of its untagged and
	 * tagged forms: a tag in front of the IP header shifts the offsets. */
	const struct frame_offload *m;
	struct frame_offload um, tm;
	struct vlan_info vi;
	const uint8_t *untagged, *tagged; /* NULL: not built yet */
	size_t ulen, tlen;
	uint32_t gen; /* scratch_gen the built forms belong to */
};

static void egress_reset(struct network_priv *np, struct egress *e)
{
	e->gen = np->scratch_gen;
	e->untagged = e->vi.tagged ? NULL : e->frame;
	e->ulen = e->len;
	/* A priority tag (VID 0) must be rewritten to carry the VLAN. */
	e->tagged = e->vi.tagged && e->vi.wire_vid == e->vi.vid ? e->frame : NULL;
	e->tlen = e->len;
}

/* The metadata for each form, computed once per frame. */
static void egress_offload(struct egress *e, const struct frame_offload *m)
{
	e->m = m;
	if (!m)
		return;
	e->um = *m;
	e->tm = *m;
	if (e->vi.tagged)
		offload_shift(&e->um, -VLAN_TAG_LEN);
	else
		offload_shift(&e->tm, VLAN_TAG_LEN);
}

/* The frame as it must leave through port to, NULL if it can't; *m gets
 * its offload metadata (NULL for a plain frame). */
static const uint8_t *egress_form(struct network_priv *np, struct egress *e,
				  const struct port *to, size_t *len,
				  const struct frame_offload **m)
{
	uint8_t (*scratch)[sizeof(np->net.scratch[0])] = np->net.scratch;

	if (e->gen != np->scratch_gen)
		egress_reset(np, e);

	if (!vlan_egress_tagged(&to->vlan, e->vi.vid)) {
		*m = e->m ? &e->um : NULL;
		if (!e->untagged) {
			e->ulen = vlan_pop(scratch[0], e->frame, e->len);
			e->untagged = scratch[0];
			e->gen = ++np->scratch_gen;
		}
		*len = e->ulen;
		return e->untagged;
	}

	*m = e->m ? &e->tm : NULL;
	if (!e->tagged) {
		uint16_t tci = (uint16_t)(e->vi.prio | e->vi.vid);

		if (e->vi.tagged) {
			e->tlen = vlan_retag(scratch[1], e->frame, e->len, tci);
		} else {
			if (e->len + VLAN_TAG_LEN > FRAME_MAX)
				return NULL;
			e->tlen = vlan_push(scratch[1], e->frame, e->len, tci);
		}
		e->tagged = scratch[1];
		e->gen = ++np->scratch_gen;
	}
	*len = e->tlen;
	return e->tagged;
}

static void switch_send_fail(struct network_priv *np, struct egress *e, struct port *to)
{
	to->stats.tx_drops++;
	LOG_ONCE_FOR(&np->logged, NET_LOG_TAG_TOO_LONG, LOG_LVL_WARN,
		     "switch %s: frame of %zu bytes too long to tag for port '%s'",
		     np->net.id, e->len, to->id);
}

/*
 * Software offload for one egress port. Unlike the hub, the form may live
 * in a scratch buffer that a transmit() re-entering the switch (the gateway
 * answering a segment right away) overwrites, so it is fetched again for
 * every segment: egress_form() rebuilds it if scratch_gen moved.
 */
static void switch_send_soft(struct network_priv *np, struct egress *e, struct port *to)
{
	const struct frame_offload *m;
	const uint8_t *f;
	unsigned i, n = 1;
	size_t len;

	if (np->seg_busy) {
		to->stats.tx_drops++;
		return;
	}
	np->seg_busy = true;
	np->net.stats.sw_offload++;
	for (i = 0; i < n && network_has_port(&np->net, to); i++) {
		f = egress_form(np, e, to, &len, &m);
		if (!f) {
			switch_send_fail(np, e, to);
			break;
		}
		if (!i)
			n = offload_segs(m, len);
		if (!send_segment(np, to, m, f, len, i))
			break;
	}
	np->seg_busy = false;
}

static void switch_send(struct network_priv *np, struct egress *e, struct port *to)
{
	const struct frame_offload *m;
	const uint8_t *f;
	size_t len;

	f = egress_form(np, e, to, &len, &m);
	if (!f)
		switch_send_fail(np, e, to);
	else if (!m)
		port_send(to, f, len);
	else if (port_takes_offload(to, m))
		port_send_offload(to, m, f, len);
	else
		switch_send_soft(np, e, to);
}

/* A port security drop: counted on the port and the network, logged once
 * per port and condition, naming both. */
static void sec_drop(struct network_priv *np, struct port *from, uint64_t *counter,
		     enum member_log bit, const uint8_t *mac, const char *why)
{
	struct network_member *fm = from->sink_ctx;
	char macbuf[18];

	from->stats.sec_drops++;
	(*counter)++;
	/* LOG_ONCE_FOR() by hand: the bit is a variable here. */
	if (fm->logged.said & 1u << bit)
		return;
	fm->logged.said |= 1u << bit;
	warn("switch %s: port security drops frames from port '%s' with "
	     "source MAC %s: %s (counted in info network)",
	     np->net.id, from->id, mac_format(mac, macbuf), why);
	network_notify(&np->net, &(struct network_event_info){
		.event = NETWORK_EVENT_SECURITY_DROP, .port = from, .mac = mac, .why = why });
}

/* Learn the source of a frame from `from`; false: port security refuses
 * the frame (counted, logged), it must be dropped. */
static bool switch_learn(struct network_priv *np, struct port *from,
			 const struct vlan_info *vi, const uint8_t *mac, uint64_t now)
{
	struct network *net = &np->net;
	struct network_member *fm = from->sink_ctx;
	struct fdb_guard g = { .locked = network_port_locked(net, from),
			       .max = network_port_max_macs(net, from),
			       .count = &fm->nmacs };
	struct port *prev = NULL;
	enum fdb_learn_result r;
	char macbuf[18], vlanbuf[16] = "", keep[PORT_ID_MAX + 64] = "";

	r = fdb_learn_guarded(net->fdb, mac, vi->vid, from, now, &prev, &g);
	if ((r == FDB_FULL || r == FDB_PORT_FULL) && now - np->last_sweep >= 1000) {
		/* Stale entries may be hogging the table between two sweeps. */
		np->last_sweep = now;
		fdb_age(net->fdb, now);
		r = fdb_learn_guarded(net->fdb, mac, vi->vid, from, now, &prev, &g);
	}

	switch (r) {
	case FDB_FULL:
		net->stats.fdb_full++;
		if (!(np->logged.said & 1u << NET_LOG_FDB_FULL))
			network_notify(net, &(struct network_event_info){
				.event = NETWORK_EVENT_TABLE_FULL, .why = "forwarding table" });
		LOG_ONCE_FOR(&np->logged, NET_LOG_FDB_FULL, LOG_LVL_WARN,
			     "switch %s: forwarding table full (%u entries), "
			     "not learning new MACs: unknown destinations are flooded",
			     net->id, fdb_max(net->fdb));
		break;
	case FDB_PORT_FULL:
		sec_drop(np, from, &net->stats.sec_cap, MEMBER_LOG_CAP, mac,
			 "the port already holds max-macs-per-port MACs");
		return false;
	case FDB_DUPLICATE:
		if (vi->vid != 1)
			snprintf(vlanbuf, sizeof(vlanbuf), " VLAN %u", vi->vid);
		if (g.refused)
			snprintf(keep, sizeof(keep), "; port security keeps it on port '%s'",
				 prev->id);
		warn("duplicate MAC %s on switch %s%s: seen on port '%s' and port '%s' "
		     "(two VMs with QEMU's default MAC? give each -device ...,mac=)%s",
		     mac_format(mac, macbuf), net->id, vlanbuf, prev->id, from->id, keep);
		network_notify(net, &(struct network_event_info){
			.event = NETWORK_EVENT_DUPLICATE_MAC, .port = from, .other = prev,
			.mac = mac, .vid = vi->vid });
		break;
	case FDB_DUPLICATE_UNTRACKED:
		LOG_ONCE_FOR(&np->logged, NET_LOG_DUP_UNTRACKED, LOG_LVL_WARN,
			     "switch %s: too many duplicate MACs, not reporting more", net->id);
		break;
	default:
		break;
	}
	if (g.refused) {
		/* Reported above once per pair of ports: count only. */
		from->stats.sec_drops++;
		net->stats.sec_moved++;
		return false;
	}
	return true;
}

/* Does this port own mac or the IPv4 address ip (0: no address)? */
static bool owner_claims(const struct port_owned *o, const uint8_t *mac, uint32_t ip)
{
	unsigned i;

	if (mac && !memcmp(o->mac, mac, 6))
		return true;
	for (i = 0; ip && i < o->n_ipv4 && i < PORT_OWNED_IPS; i++)
		if (o->ipv4[i] == ip)
			return true;
	return false;
}

/* Does this port own the IPv6 address a6 (16 bytes)? */
static bool owner_claims6(const struct port_owned *o, const uint8_t *a6)
{
	unsigned i;

	for (i = 0; i < o->n_ipv6 && i < PORT_OWNED_IPS; i++)
		if (!memcmp(o->ipv6[i], a6, 16))
			return true;
	return false;
}

/* The target of an ICMPv6 neighbour advertisement right behind the IPv6
 * header (where every NA of a real stack is), or NULL. */
static const uint8_t *na_target(const uint8_t *frame, size_t len, size_t off)
{
	const uint8_t *ip = frame + off + 2;

	if (len < off + 2 + FWD_NA_LEN || rd16be(frame + off) != FWD_ETHERTYPE_IPV6 ||
	    ip[0] >> 4 != 6 || ip[6] != 58 || ip[40] != 136)
		return NULL;
	return ip + 40 + 8;
}

/*
 * What port security checks before learning: the source MAC is not one a
 * vmwire port owns, and an ARP frame's sender is the frame's source (on a
 * locked port) and no address a vmwire port owns. false: dropped.
 */
static bool switch_guard(struct network_priv *np, struct port *from,
			 const struct vlan_info *vi, const uint8_t *frame, size_t len)
{
	struct network *net = &np->net;
	size_t off = ETH_HDR_LEN - 2 + (vi->tagged ? VLAN_TAG_LEN : 0);
	const uint8_t *src = eth_src(frame), *arp, *na;
	uint32_t spa = 0;
	unsigned i;

	arp = frame + off + 2;
	/* Only Ethernet/IPv4 ARP says who has an IPv4 address. */
	if (len >= off + 2 + FWD_ARP_LEN && rd16be(frame + off) == FWD_ETHERTYPE_ARP &&
	    rd16be(arp) == 1 && rd16be(arp + 2) == 0x0800 && arp[4] == 6 && arp[5] == 4) {
		spa = rd32be(arp + 14);
		if (network_port_locked(net, from) && !from->owned && memcmp(arp + 8, src, 6)) {
			sec_drop(np, from, &net->stats.sec_arp, MEMBER_LOG_ARP, src,
				 "ARP for another MAC");
			return false;
		}
	}
	for (i = 0; i < np->nowners; i++) {
		const struct port *o = np->owners[i]->port;

		if (o == from || !owner_claims(o->owned, src, 0))
			continue;
		sec_drop(np, from, &net->stats.sec_local, MEMBER_LOG_LOCAL, src,
			 "the MAC of one of vmwire's own ports (the gateway's)");
		return false;
	}
	for (i = 0; spa && i < np->nowners; i++) {
		const struct port *o = np->owners[i]->port;

		if (o == from || !owner_claims(o->owned, NULL, spa))
			continue;
		sec_drop(np, from, &net->stats.sec_arp, MEMBER_LOG_ARP, src,
			 "ARP claiming an address of vmwire's gateway");
		return false;
	}
	na = np->nowners ? na_target(frame, len, off) : NULL;
	for (i = 0; na && i < np->nowners; i++) {
		const struct port *o = np->owners[i]->port;

		if (o == from || !owner_claims6(o->owned, na))
			continue;
		sec_drop(np, from, &net->stats.sec_arp, MEMBER_LOG_ARP, src,
			 "a neighbour advertisement claiming an address of vmwire's gateway");
		return false;
	}
	return true;
}

void switch_forward(struct network *net, struct port *from, const struct frame_offload *m,
		    const uint8_t *frame, size_t len)
{
	struct network_priv *np = net_priv(net);
	struct egress e = { .frame = frame, .len = len };
	const uint8_t *src = eth_src(frame), *dst = eth_dst(frame);
	enum vlan_verdict v;
	uint64_t now;
	unsigned i;

	net->stats.frames_in++;
	v = vlan_classify(&from->vlan, frame, len, &e.vi);
	if (v == VLAN_DROP_TRUNCATED) {
		from->stats.rx_drops++;
		LOG_ONCE_FOR(&np->logged, NET_LOG_VLAN_TRUNCATED, LOG_LVL_WARN,
			     "switch %s: dropping frame with %s from port '%s'",
			     net->id, vlan_verdict_str(v), from->id);
		return;
	}
	if (v != VLAN_ACCEPT) {
		net->stats.filtered++;
		LOG_ONCE_FOR(&np->logged, NET_LOG_VLAN_FILTERED, LOG_LVL_DEBUG,
			     "switch %s: dropping frame from port '%s': %s",
			     net->id, from->id, vlan_verdict_str(v));
		return;
	}
	if (mac_is_multicast(src) || mac_is_zero(src)) {
		from->stats.rx_drops++;
		LOG_ONCE_FOR(&np->logged, NET_LOG_BAD_SOURCE, LOG_LVL_WARN,
			     "switch %s: dropping frame with invalid source MAC "
			     "from port '%s'", net->id, from->id);
		return;
	}

	if (!switch_guard(np, from, &e.vi, frame, len))
		return;
	now = fdb_now(net->fdb);
	if (!switch_learn(np, from, &e.vi, src, now))
		return;
	egress_reset(np, &e);
	egress_offload(&e, m);

	if (!mac_is_multicast(dst)) {
		struct port *to = fdb_lookup(net->fdb, dst, e.vi.vid, now);

		if (to == from) {
			net->stats.filtered++;
			return;
		}
		if (to && network_has_port(net, to) && port_vlan_member(to, e.vi.vid)) {
			net->stats.forwarded++;
			switch_send(np, &e, to);
			return;
		}
	}

	net->stats.flooded++;
	/* A transmit() may detach any port: that leaves a hole (forward.h). */
	for (i = 0; i < net->nslots; i++) {
		struct network_member *mb = member_at(net, i);

		if (mb && mb->port != from && port_vlan_member(mb->port, e.vi.vid))
			switch_send(np, &e, mb->port);
	}
}

/*
 * The ports a frame from `from` to dst would leave through, as the engines
 * above pick them, for a source that asks before sending: the learned port
 * of a known unicast destination (none if it sits behind `from`, or is
 * unknown: flooding an unknown destination must not stall a source), else
 * every other port carrying the source's VLAN (on a hub: every other port).
 * The source sends untagged frames on its pvid, as the gateway does.
 */
static void way_walk(struct network *net, struct port *from, const uint8_t *dst,
		     void (*fn)(struct port *to, void *ctx), void *ctx)
{
	unsigned vid = from->vlan.pvid, i;

	if (net->fdb && !mac_is_multicast(dst)) {
		struct port *to = fdb_lookup(net->fdb, dst, (uint16_t)vid, fdb_now(net->fdb));

		if (to && to != from && network_has_port(net, to) && port_vlan_member(to, vid))
			fn(to, ctx);
		return;
	}
	for (i = 0; i < net->nslots; i++) {
		struct network_member *mb = member_at(net, i);

		if (mb && mb->port != from && (!net->fdb || port_vlan_member(mb->port, vid)))
			fn(mb->port, ctx);
	}
}

static void room_min(struct port *to, void *ctx)
{
	size_t *room = ctx, r = port_tx_room(to);

	if (r < *room)
		*room = r;
}

size_t network_room(struct network *net, struct port *from, const uint8_t *dst)
{
	size_t room = SIZE_MAX;

	way_walk(net, from, dst, room_min, &room);
	return room;
}

static void want_writable(struct port *to, void *ctx)
{
	(void)ctx;
	port_tx_want_writable(to);
}

void network_want_writable(struct network *net, struct port *from, const uint8_t *dst)
{
	way_walk(net, from, dst, want_writable, NULL);
}
