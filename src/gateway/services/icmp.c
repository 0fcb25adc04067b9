/* SPDX-License-Identifier: MIT
 *
 * icmp.c - see icmp.h.
 */
#include "gateway/services/icmp.h"
#include "core/frame.h"
#include "gateway/ip/checksum.h"
#include "gateway/config.h"
#include "gateway/env.h"
#include "gateway/ip/ip_frag.h"
#include "gateway/ip/ipv6.h"
#include "gateway/pkt.h"
#include "gateway/service.h"
#include "gateway/stats.h"

#include <netinet/in.h>
#include <string.h>

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_HDR_LEN 8
#define QUOTE_L4 8 /* RFC 792: the IP header and 64 bits of the datagram */
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_INFO_MIN 128 /* types below are errors (RFC 4443 2.1) */
/* RFC 4443 2.4 c: the error fits the minimum IPv6 MTU. */
#define QUOTE6_MAX (1280 - IP6_HDR_LEN - ICMP_HDR_LEN)

void gw_icmp_init(struct gw_icmp *ic, const struct gw_env *env)
{
	ic->env = env;
	memset(ic->rl, 0, sizeof(ic->rl));
}

void gw_icmp_input(struct gw_icmp *ic, const uint8_t *smac, uint32_t src, uint32_t dst,
		   const uint8_t *l4, size_t len, uint64_t now)
{
	struct gw_stats *st = ic->env->stats;
	uint8_t hdr[ICMP_HDR_LEN];

	if (len < ICMP_HDR_LEN) {
		st->icmp_truncated++;
		return;
	}
	if (csum(l4, len)) {
		st->icmp_bad_csum++;
		return;
	}
	if (l4[0] != ICMP_ECHO || l4[1] != 0) {
		st->icmp_unhandled++;
		return;
	}
	/* The reply's header is built apart: a large request's echo may be
	 * fragmented (ip_frag.h), the data is copied once, from the request. */
	memcpy(hdr, l4, ICMP_HDR_LEN);
	hdr[0] = ICMP_ECHO_REPLY;
	wr16be(hdr + 2, 0);
	wr16be(hdr + 2, csum_fold(csum_partial(l4 + ICMP_HDR_LEN, len - ICMP_HDR_LEN,
					       csum_partial(hdr, ICMP_HDR_LEN, 0))));
	if (!gw_ip_output(ic->env, smac, now, dst, src, IPPROTO_ICMP_, hdr, ICMP_HDR_LEN,
			  l4 + ICMP_HDR_LEN, len - ICMP_HDR_LEN))
		return;
	st->icmp_echo_replies++;
}

/* ---- the service table's view (service.h) ----------------------------- */

static bool icmp_match(const void *svc, const struct gw_pkt *p)
{
	const struct gw_config *c = ((const struct gw_icmp *)svc)->env->cfg;

	return p->proto == IPPROTO_ICMP_ && p->src && (p->dst == c->host || p->dst == c->dns);
}

static void icmp_service_input(void *svc, const struct gw_pkt *p, uint64_t now)
{
	gw_icmp_input(svc, p->smac, p->src, p->dst, p->l4, p->l4_len, now);
}

const struct gw_service gw_icmp_service = {
	.name = "icmp",
	.match = icmp_match,
	.input = icmp_service_input,
};

bool gw_icmp_is_routed(const struct gw_config *c, uint32_t dst)
{
	return (dst & c->mask) != c->net && dst != 0xffffffff && (dst >> 28) < 14 &&
	       (dst >> 24) != 127 && (dst >> 24) != 0;
}

/* One token per message, GW_ICMP_ERR_PER_S of them a second, at most
 * GW_ICMP_ERR_BURST saved up. */
static bool rate_ok(struct gw_icmp *ic, uint32_t src, uint64_t now_ms)
{
	struct gw_icmp_bucket *b = &ic->rl[(src * 0x9e3779b1u) >> 26];
	uint64_t add;

	_Static_assert(GW_ICMP_ERR_BUCKETS == 64, "the hash above keeps 6 bits");
	if (b->addr != src) {
		b->addr = src;
		b->tokens = GW_ICMP_ERR_BURST * 1000;
		b->last_ms = now_ms;
	}
	add = now_ms > b->last_ms ? (now_ms - b->last_ms) * GW_ICMP_ERR_PER_S : 0;
	b->last_ms = now_ms;
	if (add >= GW_ICMP_ERR_BURST * 1000u - b->tokens)
		b->tokens = GW_ICMP_ERR_BURST * 1000;
	else
		b->tokens += (uint32_t)add;
	if (b->tokens < 1000)
		return false;
	b->tokens -= 1000;
	return true;
}

/* Echo, timestamp and their replies are queries; every other type is an
 * error or nothing we would answer about. */
static bool is_icmp_error(const uint8_t *ip, const uint8_t *l4, size_t l4len)
{
	if (ip[9] != IPPROTO_ICMP_)
		return false;
	return !l4len || (l4[0] != ICMP_ECHO && l4[0] != ICMP_ECHO_REPLY && l4[0] != 13 &&
			  l4[0] != 14);
}

void gw_icmp_time_exceeded(struct gw_icmp *ic, const uint8_t *smac, uint32_t src,
			   const uint8_t *ip, size_t ihl, const uint8_t *l4, size_t l4len,
			   uint64_t now_ms)
{
	uint8_t hdr[ICMP_HDR_LEN], quote[60 + QUOTE_L4];
	size_t qlen = l4len < QUOTE_L4 ? l4len : QUOTE_L4;

	ic->env->stats->ip_ttl_exceeded++;
	/* Never an error about an error (RFC 1122 3.2.2), nor about a
	 * fragment other than the first, nor to an address not a host's. */
	if (!src || is_icmp_error(ip, l4, l4len) || rd16be(ip + 6) & 0x1fff)
		return;
	if (!rate_ok(ic, src, now_ms)) {
		ic->env->stats->ip_ttl_ratelimited++;
		return;
	}
	memcpy(quote, ip, ihl);
	memcpy(quote + ihl, l4, qlen);
	hdr[0] = ICMP_TIME_EXCEEDED;
	hdr[1] = 0; /* time to live exceeded in transit */
	wr16be(hdr + 2, 0);
	wr32be(hdr + 4, 0);
	wr16be(hdr + 2, csum_fold(csum_partial(quote, ihl + qlen,
					       csum_partial(hdr, ICMP_HDR_LEN, 0))));
	if (gw_ip_output(ic->env, smac, now_ms, ic->env->cfg->host, src, IPPROTO_ICMP_, hdr,
			 ICMP_HDR_LEN, quote, ihl + qlen))
		ic->env->stats->icmp_errors_to_guest++;
}

bool gw_icmp6_is_routed(const struct gw_config *c, const struct in6_addr *dst)
{
	return !ip6_is_multicast(dst) && !IN6_IS_ADDR_LINKLOCAL(dst) &&
	       !IN6_IS_ADDR_LOOPBACK(dst) && !IN6_IS_ADDR_UNSPECIFIED(dst) &&
	       !IN6_IS_ADDR_V4MAPPED(dst) && !gw_config6_in_net(&c->v6, dst);
}

/* A bucket key for an IPv6 source: its words folded, never 0 (a free
 * bucket's key would otherwise match a fresh one with no tokens). */
static uint32_t fold6(const struct in6_addr *a)
{
	uint32_t w[4], k;

	memcpy(w, a, sizeof(w));
	k = (w[0] ^ w[1] ^ w[2]) * 0x85ebca6bu ^ w[3];
	return k ? k : 1;
}

void gw_icmp6_time_exceeded(struct gw_icmp *ic, const uint8_t *smac, const struct gw_ip6 *h,
			    const uint8_t *ip, uint64_t now_ms)
{
	const struct gw_env *env = ic->env;
	const struct gw_config6 *v6 = &env->cfg->v6;
	const struct in6_addr *from = IN6_IS_ADDR_LINKLOCAL(&h->src) ? &v6->host_ll : &v6->host;
	const uint8_t *l4 = ip + IP6_HDR_LEN + h->ext.off;
	size_t len = IP6_HDR_LEN + h->payload_len, room = QUOTE6_MAX;
	uint8_t *f, *icmp;

	env->stats->ip6_hop_exceeded++;
	/* Never about an error (RFC 4443 2.4 e), a later fragment, or to
	 * the unspecified address. */
	if (IN6_IS_ADDR_UNSPECIFIED(&h->src) || (h->ext.fragment && h->ext.frag_off) ||
	    (h->ext.proto == IP6_NH_ICMPV6 &&
	     (h->ext.off >= h->payload_len || l4[0] < ICMP6_INFO_MIN)))
		return;
	if (!rate_ok(ic, fold6(&h->src), now_ms)) {
		env->stats->ip6_hop_ratelimited++;
		return;
	}
	if (room > env->cfg->mtu - IP6_HDR_LEN - ICMP_HDR_LEN)
		room = env->cfg->mtu - IP6_HDR_LEN - ICMP_HDR_LEN;
	if (room > env->tx->slot_size - OFF_L4_6 - ICMP_HDR_LEN)
		room = env->tx->slot_size - OFF_L4_6 - ICMP_HDR_LEN;
	if (len > room)
		len = room;
	if (!(f = gw_tx_begin(env->tx)))
		return;
	icmp = f + OFF_L4_6;
	icmp[0] = ICMP6_TIME_EXCEEDED;
	icmp[1] = 0; /* hop limit exceeded in transit */
	wr16be(icmp + 2, 0);
	wr32be(icmp + 4, 0);
	memcpy(icmp + ICMP_HDR_LEN, ip, len);
	wr16be(icmp + 2, csum_l4_ipv6(from->s6_addr, h->src.s6_addr, IP6_NH_ICMPV6, icmp,
				      ICMP_HDR_LEN + len));
	gw_tx_commit(env->tx, pkt_ipv6(f, smac, env->cfg->mac, from, &h->src, IP6_NH_ICMPV6, 64,
				       ICMP_HDR_LEN + len));
	env->stats->icmp_errors_to_guest++;
}
