/* SPDX-License-Identifier: MIT
 *
 * arp.c - see arp.h.
 */
#include "gateway/services/arp.h"
#include "core/frame.h"
#include "core/port.h"
#include "gateway/config.h"
#include "gateway/services/dhcp.h"
#include "gateway/env.h"
#include "gateway/nat/guestfwd.h"
#include "gateway/pkt.h"
#include "gateway/service.h"
#include "gateway/stats.h"

#include <stdlib.h>
#include <string.h>

#define ARP_FRAME_MIN 60 /* pad to the Ethernet minimum, as slirp does */

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

int gw_arp_init(struct gw_arp *arp, const struct gw_env *env)
{
	size_t slot = env->tx->slot_size;
	unsigned i;

	memset(arp, 0, sizeof(*arp));
	arp->env = env;
	arp->pending_mem = calloc(GW_ARP_PENDING, slot);
	if (!arp->pending_mem)
		return -1;
	for (i = 0; i < GW_ARP_PENDING; i++)
		arp->pending[i].buf = arp->pending_mem + (size_t)i * slot;
	return 0;
}

void gw_arp_fini(struct gw_arp *arp)
{
	free(arp->pending_mem);
	arp->pending_mem = NULL;
}

static bool guest_ip(const struct gw_config *c, uint32_t ip)
{
	return (ip & c->mask) == c->net && ip != c->net && ip != (c->net | ~c->mask) &&
	       ip != c->host && ip != c->dns && !gw_guestfwd_is_server(c, ip);
}

/* Build an ARP packet into f; returns the padded frame length. */
static size_t arp_build(uint8_t *f, uint16_t op, const uint8_t *eth_dst_mac,
			const uint8_t *sha, uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
	uint8_t *a = f + ETH_HDR_LEN;

	memset(f, 0, ARP_FRAME_MIN);
	memcpy(f, eth_dst_mac, 6);
	memcpy(f + 6, sha, 6);
	wr16be(f + 12, ETHERTYPE_ARP);
	wr16be(a, 1);
	wr16be(a + 2, ETHERTYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	wr16be(a + 6, op);
	memcpy(a + 8, sha, 6);
	wr32be(a + 14, spa);
	memcpy(a + 18, tha, 6);
	wr32be(a + 24, tpa);
	return ARP_FRAME_MIN;
}

static void send_pending(struct gw_arp *arp, uint32_t ip, const uint8_t *mac)
{
	unsigned i;

	for (i = 0; i < GW_ARP_PENDING; i++) {
		struct gw_arp_pending *p = &arp->pending[i];
		uint8_t *f;

		if (p->ip != ip)
			continue;
		p->ip = 0;
		f = gw_tx_begin(arp->env->tx);
		if (!f)
			return;
		memcpy(f, p->buf, p->len);
		memcpy(f, mac, 6);
		gw_tx_commit(arp->env->tx, p->len);
	}
}

/* Does a lease bind ip to a MAC other than mac (counted)? With
 * source-guard=strict, also: is ip not mac's own lease? */
/* An address no lease holds (a guest configured statically) stays with
 * the MAC that used it first while that MAC is fresh on a live port of
 * the switch (port security keeps it there): another port cannot take it
 * over by ARP. The same port may (a guest that changed its MAC), and so
 * may anyone once the old MAC aged out or its port left. */
static bool held_elsewhere(struct gw_arp *arp, uint32_t ip, const uint8_t *mac)
{
	const uint8_t *known = gw_arp_lookup(arp, ip);
	uint32_t old_station;

	if (!known || !memcmp(known, mac, 6) || !arp->env->port)
		return false;
	old_station = port_sink_station(arp->env->port, known);
	return old_station && old_station != port_sink_station(arp->env->port, mac);
}

static bool spoofed(struct gw_arp *arp, uint32_t ip, const uint8_t *mac, uint64_t now)
{
	const struct gw_dhcp *d = arp->env->dhcp;
	const uint8_t *owner;

	if (!d)
		return false;
	owner = gw_dhcp_owner(d, ip, now);
	if ((owner && memcmp(owner, mac, 6)) ||
	    (arp->env->cfg->source_guard_strict && !owner) ||
	    (!owner && held_elsewhere(arp, ip, mac))) {
		arp->env->stats->arp_spoofed++;
		return true;
	}
	return false;
}

void gw_arp_learn_ip(struct gw_arp *arp, uint32_t ip, const uint8_t *mac, uint64_t now)
{
	const uint8_t *known = gw_arp_lookup(arp, ip);

	if (known && memcmp(known, mac, 6)) {
		arp->env->stats->arp_spoofed++;
		return;
	}
	gw_arp_learn(arp, ip, mac, now);
}

void gw_arp_learn(struct gw_arp *arp, uint32_t ip, const uint8_t *mac, uint64_t now)
{
	struct gw_arp_entry *slot = NULL, *oldest = &arp->entries[0];
	unsigned i;

	if (!guest_ip(arp->env->cfg, ip) || mac_is_multicast(mac) || mac_is_zero(mac) ||
	    spoofed(arp, ip, mac, now))
		return;
	for (i = 0; i < GW_ARP_ENTRIES; i++) {
		struct gw_arp_entry *e = &arp->entries[i];

		if (e->ip == ip) {
			slot = e;
			break;
		}
		if (!e->ip && !slot)
			slot = e;
		if (e->seen_ms < oldest->seen_ms)
			oldest = e;
	}
	if (!slot)
		slot = oldest;
	if (slot->ip != ip || memcmp(slot->mac, mac, 6))
		arp->env->stats->arp_learned++;
	slot->ip = ip;
	memcpy(slot->mac, mac, 6);
	slot->seen_ms = now;
	send_pending(arp, ip, mac);
}

const uint8_t *gw_arp_lookup(const struct gw_arp *arp, uint32_t ip)
{
	unsigned i;

	for (i = 0; i < GW_ARP_ENTRIES; i++)
		if (arp->entries[i].ip == ip && ip)
			return arp->entries[i].mac;
	return NULL;
}

void gw_arp_input(struct gw_arp *arp, const uint8_t *f, size_t len, uint64_t now)
{
	const struct gw_config *c = arp->env->cfg;
	struct gw_stats *st = arp->env->stats;
	const uint8_t *a = f + ETH_HDR_LEN;
	uint32_t spa, tpa;
	uint16_t op;
	uint8_t *out;

	if (len < ETH_HDR_LEN + ARP_LEN) {
		st->arp_truncated++;
		return;
	}
	op = rd16be(a + 6);
	if (rd16be(a) != 1 || rd16be(a + 2) != ETHERTYPE_IPV4 || a[4] != 6 || a[5] != 4 ||
	    (op != 1 && op != 2)) {
		st->arp_bad++;
		return;
	}
	spa = rd32be(a + 14);
	tpa = rd32be(a + 24);
	gw_arp_learn(arp, spa, a + 8, now);
	/* guestfwd servers are ours too: the guest must reach them. */
	if (op != 1 || (tpa != c->host && tpa != c->dns && !gw_guestfwd_is_server(c, tpa)) ||
	    spa == tpa ||
	    mac_is_multicast(a + 8) || mac_is_zero(a + 8)) {
		st->arp_ignored++;
		return;
	}
	out = gw_tx_begin(arp->env->tx);
	if (!out)
		return;
	gw_tx_commit(arp->env->tx, arp_build(out, 2, a + 8, c->mac, tpa, a + 8, spa));
	st->arp_replies++;
}

void gw_arp_output(struct gw_arp *arp, uint8_t *frame, size_t len, uint32_t dst,
		   uint64_t now)
{
	static const uint8_t zero_mac[6];
	const struct gw_config *c = arp->env->cfg;
	const uint8_t *mac = gw_arp_lookup(arp, dst);
	struct gw_arp_pending *p = NULL, *oldest = &arp->pending[0];
	unsigned i;

	if (mac) {
		memcpy(frame, mac, 6);
		gw_tx_commit(arp->env->tx, len);
		return;
	}
	if (!guest_ip(c, dst)) {
		arp->env->stats->arp_pending_dropped++;
		return;
	}
	for (i = 0; i < GW_ARP_PENDING; i++) {
		struct gw_arp_pending *q = &arp->pending[i];

		if (q->ip == dst) {
			p = q;
			break;
		}
		if ((!q->ip || now > q->since_ms + GW_ARP_PENDING_MS) && !p)
			p = q;
		if (q->since_ms < oldest->since_ms)
			oldest = q;
	}
	if (!p)
		p = oldest;
	if (p->ip)
		arp->env->stats->arp_pending_dropped++;
	p->ip = dst;
	p->since_ms = now;
	p->len = len;
	memcpy(p->buf, frame, len);
	/* The caller's slot was never committed: reuse it for the request. */
	arp_build(frame, 1, bcast_mac, c->mac, c->host, zero_mac, dst);
	gw_tx_commit(arp->env->tx, ARP_FRAME_MIN);
	arp->env->stats->arp_requests++;
}

/* ---- the service table's view (service.h) ----------------------------- */

static bool arp_match(const void *svc, const struct gw_pkt *p)
{
	(void)svc;
	return p->ethertype == ETHERTYPE_ARP;
}

static void arp_service_input(void *svc, const struct gw_pkt *p, uint64_t now)
{
	gw_arp_input(svc, p->frame, p->frame_len, now);
}

static void arp_service_fini(void *svc)
{
	gw_arp_fini(svc);
}

const struct gw_service gw_arp_service = {
	.name = "arp",
	.match = arp_match,
	.input = arp_service_input,
	.fini = arp_service_fini,
};
