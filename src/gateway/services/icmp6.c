/* SPDX-License-Identifier: MIT
 *
 * icmp6.c - see icmp6.h.
 */
#include "gateway/services/icmp6.h"
#include "core/frame.h"
#include "gateway/config.h"
#include "gateway/env.h"
#include "gateway/ip/checksum.h"
#include "gateway/ip/ipv6.h"
#include "gateway/pkt.h"
#include "gateway/service.h"
#include "gateway/services/ndp.h"

#include <string.h>

#define ICMP6_HDR_LEN 8

void gw_icmp6_init(struct gw_icmp6 *ic, const struct gw_env *env)
{
	memset(ic, 0, sizeof(*ic));
	ic->env = env;
}

static bool icmp6_match(const void *svc, const struct gw_pkt *p)
{
	const struct gw_icmp6 *ic = svc;

	return p->ip6 && p->proto == IP6_NH_ICMPV6 && p->l4_len >= 1 &&
	       p->l4[0] == ICMP6_ECHO_REQUEST && gw_config6_is_ours(&ic->env->cfg->v6, &p->ip6->dst);
}

static void icmp6_input(void *svc, const struct gw_pkt *p, uint64_t now)
{
	struct gw_icmp6 *ic = svc;
	const struct gw_ip6 *ip = p->ip6;
	const struct gw_env *env = ic->env;
	uint8_t *f, *l4;

	if (p->l4_len < ICMP6_HDR_LEN) {
		ic->icmp6_truncated++;
		return;
	}
	if (csum_l4_ipv6(ip->src.s6_addr, ip->dst.s6_addr, IP6_NH_ICMPV6, p->l4, p->l4_len)) {
		ic->icmp6_bad_csum++;
		return;
	}
	if (p->l4[1])
		return; /* RFC 4443: code 0 only; silently ignored */
	if (OFF_L4_6 + p->l4_len > env->tx->slot_size) {
		ic->icmp6_too_big++;
		return;
	}
	if (!(f = gw_tx_begin(env->tx)))
		return;
	l4 = f + OFF_L4_6;
	memcpy(l4, p->l4, p->l4_len);
	l4[0] = ICMP6_ECHO_REPLY;
	wr16be(l4 + 2, 0);
	wr16be(l4 + 2, csum_l4_ipv6(ip->dst.s6_addr, ip->src.s6_addr, IP6_NH_ICMPV6, l4, p->l4_len));
	gw_tx_commit(env->tx, pkt_ipv6(f, p->smac, env->cfg->mac, &ip->dst, &ip->src, IP6_NH_ICMPV6,
				       64, p->l4_len));
	ic->icmp6_echo_replies++;
}

static void icmp6_counters(const void *svc, gw_counter_fn fn, void *ctx)
{
	const struct gw_icmp6 *ic = svc;

#define GW_ICMP6_WALK(name) fn(ctx, #name, ic->name);
	GW_ICMP6_COUNTERS(GW_ICMP6_WALK)
#undef GW_ICMP6_WALK
}

const struct gw_service gw_icmp6_service = {
	.name = "icmp6",
	.match = icmp6_match,
	.input = icmp6_input,
	.counters = icmp6_counters,
};
