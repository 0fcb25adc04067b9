/* SPDX-License-Identifier: MIT
 *
 * ndp.c - see ndp.h.
 */
#include "gateway/services/ndp.h"
#include "core/frame.h"
#include "core/port.h"
#include "gateway/config.h"
#include "gateway/env.h"
#include "gateway/ip/checksum.h"
#include "gateway/ip/ipv6.h"
#include "gateway/nat/guestfwd.h"
#include "gateway/pkt.h"
#include "gateway/service.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define ND_OPT_SLLA 1
#define ND_OPT_TLLA 2
#define ND_OPT_PREFIX 3
#define ND_OPT_MTU 5
#define ND_OPT_RDNSS 25
#define ND_OPT_DNSSL 31
#define NA_F_ROUTER 0x80
#define NA_F_SOLICITED 0x40
#define NA_F_OVERRIDE 0x20
#define RA_F_MANAGED 0x80
#define RA_F_OTHER 0x40
#define PREFIX_VALID_S 86400
#define PREFIX_PREFERRED_S 14400

static const struct in6_addr all_nodes = { { { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } } };

static void ra_timer_fn(void *ctx);

int gw_ndp_init(struct gw_ndp *ndp, const struct gw_env *env)
{
	size_t slot = env->tx->slot_size;
	unsigned i;

	memset(ndp, 0, sizeof(*ndp));
	ndp->env = env;
	ndp->pending_mem = calloc(GW_NDP_PENDING, slot);
	if (!ndp->pending_mem)
		return -1;
	for (i = 0; i < GW_NDP_PENDING; i++)
		ndp->pending[i].buf = ndp->pending_mem + (size_t)i * slot;
	ev_timer_init(&ndp->ra_timer, ra_timer_fn, ndp);
	/* The first unsolicited RA soon after start: a guest that sent its
	 * RS before the gateway was up still gets one. */
	if (env->loop && env->cfg->v6.on)
		ev_timer_arm(env->loop, &ndp->ra_timer, 200);
	return 0;
}

void gw_ndp_fini(struct gw_ndp *ndp)
{
	if (ndp->env && ndp->env->loop)
		ev_timer_cancel(ndp->env->loop, &ndp->ra_timer);
	free(ndp->pending_mem);
	ndp->pending_mem = NULL;
}

int gw_ndp_parse_opts(const uint8_t *o, size_t len, struct gw_ndp_opts *out)
{
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	while (i < len) {
		size_t olen;

		if (len - i < 2)
			return -1;
		olen = (size_t)o[i + 1] * 8;
		if (!olen || olen > len - i)
			return -1; /* RFC 4861 4.6: length 0 is invalid, drop */
		if (o[i] == ND_OPT_SLLA && olen >= 8)
			out->sllao = o + i + 2;
		else if (o[i] == ND_OPT_TLLA && olen >= 8)
			out->tllao = o + i + 2;
		out->n++;
		i += olen;
	}
	return 0;
}

static bool is_zero6(const struct in6_addr *a)
{
	static const struct in6_addr zero;

	return !memcmp(a, &zero, sizeof(zero));
}

/* An address behind the gateway's MAC: its own, or a guestfwd server's
 * (the guest reaches those as it reaches the gateway). */
static bool answers_for(const struct gw_config *c, const struct in6_addr *a)
{
	return gw_config6_is_ours(&c->v6, a) || gw_guestfwd_is_server6(c, a);
}

/* A guest's address: unicast, ours neither, inside ipv6-net or fe80::/10. */
static bool guest_addr6(const struct gw_config *c, const struct in6_addr *a)
{
	return !is_zero6(a) && !ip6_is_multicast(a) && !IN6_IS_ADDR_LOOPBACK(a) &&
	       !IN6_IS_ADDR_V4MAPPED(a) && !answers_for(c, a) &&
	       (gw_config6_in_net(&c->v6, a) || IN6_IS_ADDR_LINKLOCAL(a));
}

static struct gw_ndp_entry *find(const struct gw_ndp *ndp, const struct in6_addr *a)
{
	unsigned i;

	for (i = 0; i < GW_NDP_ENTRIES; i++)
		if (!memcmp(&ndp->entries[i].addr, a, 16))
			return (struct gw_ndp_entry *)&ndp->entries[i];
	return NULL;
}

const uint8_t *gw_ndp_lookup(const struct gw_ndp *ndp, const struct in6_addr *a)
{
	const struct gw_ndp_entry *e = is_zero6(a) ? NULL : find(ndp, a);

	return e ? e->mac : NULL;
}

const struct in6_addr *gw_ndp_addr_of(const struct gw_ndp *ndp, const uint8_t *mac)
{
	const struct gw_ndp_entry *best = NULL;
	unsigned i;

	for (i = 0; i < GW_NDP_ENTRIES; i++) {
		const struct gw_ndp_entry *e = &ndp->entries[i];

		if (!is_zero6(&e->addr) && !memcmp(e->mac, mac, 6) &&
		    !IN6_IS_ADDR_LINKLOCAL(&e->addr) && (!best || e->seen_ms > best->seen_ms))
			best = e;
	}
	return best ? &best->addr : NULL;
}

/* Entry i seen before (seen_ms, j): newer first, ties by slot. */
static bool older_than(const struct gw_ndp_entry *e, unsigned i, uint64_t seen_ms, unsigned j)
{
	return e->seen_ms < seen_ms || (e->seen_ms == seen_ms && i > j);
}

unsigned gw_ndp_addrs_of(const struct gw_ndp *ndp, const uint8_t *mac, uint32_t station,
			 struct in6_addr *out, unsigned max)
{
	uint64_t below_ms = UINT64_MAX;
	unsigned below_i = 0, n = 0;

	/* A selection pass per address: max is a handful, the table 64. */
	while (n < max) {
		const struct gw_ndp_entry *best = NULL;
		unsigned best_i = 0;

		for (unsigned i = 0; i < GW_NDP_ENTRIES; i++) {
			const struct gw_ndp_entry *e = &ndp->entries[i];

			if (is_zero6(&e->addr) || IN6_IS_ADDR_LINKLOCAL(&e->addr) ||
			    memcmp(e->mac, mac, 6) || e->station != station ||
			    (n && !older_than(e, i, below_ms, below_i)))
				continue;
			if (!best || older_than(best, best_i, e->seen_ms, i)) {
				best = e;
				best_i = i;
			}
		}
		if (!best)
			break;
		out[n++] = best->addr;
		below_ms = best->seen_ms;
		below_i = best_i;
	}
	return n;
}

const struct in6_addr *gw_ndp_newest_global(const struct gw_ndp *ndp)
{
	const struct gw_ndp_entry *best = NULL;
	unsigned i;

	for (i = 0; i < GW_NDP_ENTRIES; i++) {
		const struct gw_ndp_entry *e = &ndp->entries[i];

		if (!is_zero6(&e->addr) && !IN6_IS_ADDR_LINKLOCAL(&e->addr) &&
		    (!best || e->seen_ms > best->seen_ms))
			best = e;
	}
	return best ? &best->addr : NULL;
}

/* Is a bound to a MAC other than mac by lease6=? */
static bool lease6_owned_elsewhere(const struct gw_config6 *v6, const struct in6_addr *a,
				   const uint8_t *mac)
{
	unsigned i;

	for (i = 0; i < v6->n_leases; i++)
		if (!memcmp(&v6->leases[i].addr, a, 16))
			return memcmp(v6->leases[i].mac, mac, 6) != 0;
	return false;
}

static void send_pending(struct gw_ndp *ndp, const struct in6_addr *a, const uint8_t *mac)
{
	unsigned i;

	for (i = 0; i < GW_NDP_PENDING; i++) {
		struct gw_ndp_pending *p = &ndp->pending[i];
		uint8_t *f;

		if (memcmp(&p->addr, a, 16))
			continue;
		memset(&p->addr, 0, 16);
		if (!(f = gw_tx_begin(ndp->env->tx)))
			return;
		memcpy(f, p->buf, p->len);
		memcpy(f, mac, 6);
		gw_tx_commit(ndp->env->tx, p->len);
	}
}

bool gw_ndp_learn(struct gw_ndp *ndp, const struct in6_addr *a, const uint8_t *mac,
		  uint64_t now)
{
	const struct gw_env *env = ndp->env;
	struct gw_ndp_entry *e, *oldest = &ndp->entries[0];
	uint32_t station;
	unsigned i;

	if (!guest_addr6(env->cfg, a) || mac_is_multicast(mac) || mac_is_zero(mac))
		return true; /* nothing to learn, nothing refused */
	station = env->port ? port_sink_station(env->port, mac) : 0;
	if (lease6_owned_elsewhere(&env->cfg->v6, a, mac)) {
		ndp->n.ndp_spoofed++;
		return false;
	}
	if ((e = find(ndp, a))) {
		if ((memcmp(e->mac, mac, 6) || e->station != station) &&
		    now < e->seen_ms + GW_NDP_BIND_MS) {
			ndp->n.ndp_spoofed++; /* another port's address, still in use */
			return false;
		}
	} else {
		for (i = 0; i < GW_NDP_ENTRIES; i++) {
			struct gw_ndp_entry *x = &ndp->entries[i];

			if (is_zero6(&x->addr)) {
				e = x;
				break;
			}
			if (x->seen_ms < oldest->seen_ms)
				oldest = x;
		}
		e = e ? e : oldest;
	}
	if (memcmp(&e->addr, a, 16) || memcmp(e->mac, mac, 6))
		ndp->n.ndp_learned++;
	e->addr = *a;
	memcpy(e->mac, mac, 6);
	e->station = station;
	e->seen_ms = now;
	send_pending(ndp, a, mac);
	return true;
}

/* ---- building messages ---------------------------------------------------- */

/* The ICMPv6 checksum of the message at l4 (len bytes) and send the frame. */
static void finish(struct gw_ndp *ndp, uint8_t *f, const uint8_t *dmac,
		   const struct in6_addr *src, const struct in6_addr *dst, size_t len)
{
	uint8_t *l4 = f + OFF_L4_6;

	wr16be(l4 + 2, 0);
	wr16be(l4 + 2, csum_l4_ipv6(src->s6_addr, dst->s6_addr, IP6_NH_ICMPV6, l4, len));
	gw_tx_commit(ndp->env->tx, pkt_ipv6(f, dmac, ndp->env->cfg->mac, src, dst, IP6_NH_ICMPV6,
					    255, len));
}

static size_t lla_opt(uint8_t *o, uint8_t type, const uint8_t *mac)
{
	o[0] = type;
	o[1] = 1;
	memcpy(o + 2, mac, 6);
	return 8;
}

static void send_na(struct gw_ndp *ndp, const uint8_t *dmac, const struct in6_addr *dst,
		    const struct in6_addr *target, uint8_t flags)
{
	const struct gw_config *c = ndp->env->cfg;
	uint8_t *f = gw_tx_begin(ndp->env->tx), *l4;

	if (!f)
		return;
	l4 = f + OFF_L4_6;
	memset(l4, 0, 24);
	l4[0] = ND_NEIGHBOR_ADVERT;
	l4[4] = flags;
	memcpy(l4 + 8, target, 16);
	finish(ndp, f, dmac, target, dst, 24 + lla_opt(l4 + 24, ND_OPT_TLLA, c->mac));
}

/* DNSSL (RFC 8106 5.2): uncompressed names, zero-padded to 8 bytes. */
static size_t dnssl_opt(uint8_t *o, size_t room, const struct gw_config *c, uint32_t life)
{
	size_t n = 8, i;

	for (i = 0; i < c->n_dnssearch; i++) {
		const char *name = c->dnssearch[i];
		size_t len = strlen(name), need = len + 2;

		if (len && name[len - 1] == '.')
			len--, need--;
		if (!len || n + need > room)
			continue; /* the budget is bounded: later names left out */
		while (len) {
			const char *dot = memchr(name, '.', len);
			size_t l = dot ? (size_t)(dot - name) : len;

			if (!l || l > 63)
				break;
			o[n++] = (uint8_t)l;
			memcpy(o + n, name, l);
			n += l;
			name += l + (dot ? 1 : 0);
			len -= l + (dot ? 1 : 0);
		}
		o[n++] = 0;
	}
	if (n == 8)
		return 0;
	while (n % 8)
		o[n++] = 0;
	o[0] = ND_OPT_DNSSL;
	o[1] = (uint8_t)(n / 8);
	wr16be(o + 2, 0);
	wr32be(o + 4, life);
	return n;
}

void gw_ndp_send_ra(struct gw_ndp *ndp, const uint8_t *dmac, const struct in6_addr *dst,
		    uint64_t now)
{
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	const struct gw_config *c = ndp->env->cfg;
	const struct gw_config6 *v6 = &c->v6;
	uint32_t life = v6->ra_interval_s * 3 > 1800 ? v6->ra_interval_s * 3 : 1800;
	uint8_t *f = gw_tx_begin(ndp->env->tx), *l4, *o;
	size_t n = 16, room;

	if (!f)
		return;
	room = ndp->env->tx->slot_size - OFF_L4_6;
	l4 = f + OFF_L4_6;
	memset(l4, 0, 16 + 8 + 8 + 32 + 24);
	l4[0] = ND_ROUTER_ADVERT;
	l4[4] = 64; /* cur hop limit */
	l4[5] = v6->dhcp == GW_DHCP6_STATEFUL  ? RA_F_MANAGED | RA_F_OTHER
		: v6->dhcp == GW_DHCP6_STATELESS ? RA_F_OTHER
						 : 0;
	wr16be(l4 + 6, (uint16_t)(life > 9000 ? 9000 : life));
	n += lla_opt(l4 + n, ND_OPT_SLLA, c->mac);
	o = l4 + n;
	o[0] = ND_OPT_MTU;
	o[1] = 1;
	wr32be(o + 4, c->mtu);
	n += 8;
	o = l4 + n;
	o[0] = ND_OPT_PREFIX;
	o[1] = 4;
	o[2] = (uint8_t)v6->prefixlen;
	o[3] = 0x80 | (v6->prefixlen == 64 ? 0x40 : 0); /* on-link, autonomous */
	wr32be(o + 4, PREFIX_VALID_S);
	wr32be(o + 8, PREFIX_PREFERRED_S);
	memcpy(o + 16, &v6->net, 16);
	n += 32;
	o = l4 + n;
	o[0] = ND_OPT_RDNSS;
	o[1] = 3;
	wr32be(o + 4, life);
	memcpy(o + 8, &v6->dns, 16);
	n += 24;
	if (room > n + 8)
		n += dnssl_opt(l4 + n, (room - n < GW_NDP_DNSSL_MAX ? room - n : GW_NDP_DNSSL_MAX),
			       c, life);
	finish(ndp, f, dmac ? dmac : all_nodes_mac, &v6->host_ll, dst ? dst : &all_nodes, n);
	ndp->n.ndp_ra_sent++;
	ndp->last_ra_ms = now;
	ndp->ra_sent = true;
}

static void ra_timer_fn(void *ctx)
{
	struct gw_ndp *ndp = ctx;
	const struct gw_env *env = ndp->env;

	gw_ndp_send_ra(ndp, NULL, NULL, ev_loop_now(env->loop));
	ev_timer_arm(env->loop, &ndp->ra_timer, (uint64_t)env->cfg->v6.ra_interval_s * 1000);
}

static void send_ns(struct gw_ndp *ndp, uint8_t *f, const struct in6_addr *target)
{
	const struct gw_config *c = ndp->env->cfg;
	struct in6_addr group;
	uint8_t dmac[6], *l4 = f + OFF_L4_6;

	ip6_solicited_node(&group, target);
	ip6_multicast_mac(dmac, &group);
	memset(l4, 0, 24);
	l4[0] = ND_NEIGHBOR_SOLICIT;
	memcpy(l4 + 8, target, 16);
	finish(ndp, f, dmac, IN6_IS_ADDR_LINKLOCAL(target) ? &c->v6.host_ll : &c->v6.host, &group,
	       24 + lla_opt(l4 + 24, ND_OPT_SLLA, c->mac));
	ndp->n.ndp_ns_sent++;
}

void gw_ndp_output(struct gw_ndp *ndp, uint8_t *frame, size_t len, const struct in6_addr *dst,
		   uint64_t now)
{
	const uint8_t *mac = gw_ndp_lookup(ndp, dst);
	struct gw_ndp_pending *p = NULL, *oldest = &ndp->pending[0];
	unsigned i;

	if (mac) {
		memcpy(frame, mac, 6);
		gw_tx_commit(ndp->env->tx, len);
		return;
	}
	if (!guest_addr6(ndp->env->cfg, dst)) {
		ndp->n.ndp_pending_dropped++;
		return;
	}
	for (i = 0; i < GW_NDP_PENDING; i++) {
		struct gw_ndp_pending *q = &ndp->pending[i];

		if (!memcmp(&q->addr, dst, 16)) {
			p = q;
			break;
		}
		if ((is_zero6(&q->addr) || now > q->since_ms + GW_NDP_PENDING_MS) && !p)
			p = q;
		if (q->since_ms < oldest->since_ms)
			oldest = q;
	}
	if (!p)
		p = oldest;
	if (!is_zero6(&p->addr))
		ndp->n.ndp_pending_dropped++;
	p->addr = *dst;
	p->since_ms = now;
	p->len = len;
	memcpy(p->buf, frame, len);
	send_ns(ndp, frame, dst); /* the caller's uncommitted slot */
}

/* ---- input ------------------------------------------------------------- */

static void ns_input(struct gw_ndp *ndp, const struct gw_pkt *p, const struct gw_ndp_opts *o,
		     uint64_t now)
{
	const struct gw_config *c = ndp->env->cfg;
	const struct gw_ip6 *ip = p->ip6;
	struct in6_addr target;

	memcpy(&target, p->l4 + 8, 16);
	if (ip6_is_multicast(&target)) {
		ndp->n.ndp_bad++;
		return;
	}
	if (is_zero6(&ip->src)) {
		/* DAD (RFC 4862 5.4): only to a solicited-node group, no SLLAO. */
		if (!ip6_is_multicast(&ip->dst) || o->sllao) {
			ndp->n.ndp_bad++;
			return;
		}
		if (!answers_for(c, &target)) {
			ndp->n.ndp_dad_ignored++;
			return;
		}
		/* Someone probes for our address: defend it, to all nodes. */
		send_na(ndp, (const uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 1 }, &all_nodes, &target,
			NA_F_ROUTER | NA_F_OVERRIDE);
		ndp->n.ndp_dad_defended++;
		return;
	}
	if (o->sllao && memcmp(o->sllao, p->smac, 6)) {
		ndp->n.ndp_spoofed++; /* a link-layer address not the sender's */
		return;
	}
	if (!gw_ndp_learn(ndp, &ip->src, p->smac, now))
		return;
	if (!answers_for(c, &target)) {
		ndp->n.ndp_ignored++; /* a guest's address: the guest answers */
		return;
	}
	send_na(ndp, p->smac, &ip->src, &target, NA_F_ROUTER | NA_F_SOLICITED | NA_F_OVERRIDE);
	ndp->n.ndp_ns_answered++;
}

static void na_input(struct gw_ndp *ndp, const struct gw_pkt *p, const struct gw_ndp_opts *o,
		     uint64_t now)
{
	const struct gw_ip6 *ip = p->ip6;
	struct in6_addr target;

	memcpy(&target, p->l4 + 8, 16);
	/* RFC 4861 7.1.2: S set towards a multicast destination is invalid. */
	if (ip6_is_multicast(&target) || (ip6_is_multicast(&ip->dst) && (p->l4[4] & NA_F_SOLICITED))) {
		ndp->n.ndp_bad++;
		return;
	}
	if (answers_for(ndp->env->cfg, &target) ||
	    (o->tllao && memcmp(o->tllao, p->smac, 6))) {
		ndp->n.ndp_spoofed++; /* claims our address, or for another MAC */
		return;
	}
	gw_ndp_learn(ndp, &target, p->smac, now);
}

static void rs_input(struct gw_ndp *ndp, const struct gw_pkt *p, const struct gw_ndp_opts *o,
		     uint64_t now)
{
	const struct gw_ip6 *ip = p->ip6;

	ndp->n.ndp_rs++;
	if (is_zero6(&ip->src) && o->sllao) {
		ndp->n.ndp_bad++; /* RFC 4861 6.1.1 */
		return;
	}
	if (ndp->ra_sent && now < ndp->last_ra_ms + GW_NDP_RA_GAP_MS) {
		ndp->n.ndp_ra_ratelimited++;
		return;
	}
	if (is_zero6(&ip->src) || !gw_ndp_learn(ndp, &ip->src, p->smac, now)) {
		gw_ndp_send_ra(ndp, NULL, NULL, now);
		return;
	}
	gw_ndp_send_ra(ndp, p->smac, &ip->src, now);
}

static void ndp_input(void *svc, const struct gw_pkt *p, uint64_t now)
{
	struct gw_ndp *ndp = svc;
	const struct gw_ip6 *ip = p->ip6;
	uint8_t type = p->l4[0];
	size_t min = type == ND_ROUTER_SOLICIT ? 8 : type == ND_REDIRECT ? 40 : type == ND_ROUTER_ADVERT ? 16 : 24;
	struct gw_ndp_opts o;

	if (p->l4_len < min) {
		ndp->n.ndp_truncated++;
		return;
	}
	if (ip->hop_limit != 255 || p->l4[1] || ip->ext.n_ext ||
	    csum_l4_ipv6(ip->src.s6_addr, ip->dst.s6_addr, IP6_NH_ICMPV6, p->l4, p->l4_len)) {
		ndp->n.ndp_bad++; /* off-link, or not a message we can trust */
		return;
	}
	if (gw_ndp_parse_opts(p->l4 + min, p->l4_len - min, &o)) {
		ndp->n.ndp_bad_opts++;
		return;
	}
	switch (type) {
	case ND_NEIGHBOR_SOLICIT:
		ns_input(ndp, p, &o, now);
		break;
	case ND_NEIGHBOR_ADVERT:
		na_input(ndp, p, &o, now);
		break;
	case ND_ROUTER_SOLICIT:
		rs_input(ndp, p, &o, now);
		break;
	default: /* RA, redirect: a guest playing router */
		ndp->n.ndp_from_guest_router++;
		break;
	}
}

/* ---- the service table's view (service.h) ----------------------------- */

static bool ndp_match(const void *svc, const struct gw_pkt *p)
{
	(void)svc;
	return p->ip6 && p->proto == IP6_NH_ICMPV6 && p->l4_len >= 1 &&
	       p->l4[0] >= ND_ROUTER_SOLICIT && p->l4[0] <= ND_REDIRECT;
}

static void ndp_info(const void *svc, uint64_t now, FILE *out)
{
	const struct gw_ndp *ndp = svc;
	char a[INET6_ADDRSTRLEN], m[18];
	unsigned i, n = 0;

	for (i = 0; i < GW_NDP_ENTRIES; i++) {
		const struct gw_ndp_entry *e = &ndp->entries[i];

		if (is_zero6(&e->addr))
			continue;
		if (!n++)
			fprintf(out, "NDP neighbours:\n  %-40s %-17s %s\n", "Address", "MAC",
				"Seen (s ago)");
		inet_ntop(AF_INET6, &e->addr, a, sizeof(a));
		fprintf(out, "  %-40s %-17s %llu\n", a, mac_format(e->mac, m),
			(unsigned long long)(now > e->seen_ms ? (now - e->seen_ms) / 1000 : 0));
	}
}

static void ndp_counters(const void *svc, gw_counter_fn fn, void *ctx)
{
	const struct gw_ndp *ndp = svc;

#define GW_NDP_WALK(name) fn(ctx, #name, ndp->n.name);
	GW_NDP_COUNTERS(GW_NDP_WALK)
#undef GW_NDP_WALK
}

static void ndp_fini(void *svc)
{
	gw_ndp_fini(svc);
}

const struct gw_service gw_ndp_service = {
	.name = "ndp",
	.match = ndp_match,
	.input = ndp_input,
	.info = ndp_info,
	.counters = ndp_counters,
	.fini = ndp_fini,
};
