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
#include "gateway/pkt.h"
#include "gateway/service.h"
#include "gateway/stats.h"

#include <string.h>

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO 8
#define ICMP_HDR_LEN 8

void gw_icmp_init(struct gw_icmp *ic, const struct gw_env *env)
{
	ic->env = env;
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
