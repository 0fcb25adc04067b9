/* SPDX-License-Identifier: MIT
 *
 * icmp.c - see icmp.h.
 */
#include "gateway/services/icmp.h"
#include "core/frame.h"
#include "gateway/ip/checksum.h"
#include "gateway/config.h"
#include "gateway/ip/ip_frag.h"
#include "gateway/pkt.h"
#include "gateway/stats.h"

#include <string.h>

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO 8
#define ICMP_HDR_LEN 8

void gw_icmp_init(struct gw_icmp *ic, const struct gw_config *cfg, struct gw_tx *tx,
		  struct gw_stats *stats)
{
	ic->cfg = cfg;
	ic->tx = tx;
	ic->stats = stats;
}

void gw_icmp_input(struct gw_icmp *ic, const uint8_t *smac, uint32_t src, uint32_t dst,
		   const uint8_t *l4, size_t len)
{
	uint8_t hdr[ICMP_HDR_LEN];

	if (len < ICMP_HDR_LEN) {
		ic->stats->icmp_truncated++;
		return;
	}
	if (csum(l4, len)) {
		ic->stats->icmp_bad_csum++;
		return;
	}
	if (l4[0] != ICMP_ECHO || l4[1] != 0) {
		ic->stats->icmp_unhandled++;
		return;
	}
	/* The reply's header is built apart: a large request's echo may be
	 * fragmented (ip_frag.h), the data is copied once, from the request. */
	memcpy(hdr, l4, ICMP_HDR_LEN);
	hdr[0] = ICMP_ECHO_REPLY;
	wr16be(hdr + 2, 0);
	wr16be(hdr + 2, csum_fold(csum_partial(l4 + ICMP_HDR_LEN, len - ICMP_HDR_LEN,
					       csum_partial(hdr, ICMP_HDR_LEN, 0))));
	if (!gw_ip_output(ic->tx, NULL, smac, ic->cfg, ic->stats, dst, src, IPPROTO_ICMP_, hdr,
			  ICMP_HDR_LEN, l4 + ICMP_HDR_LEN, len - ICMP_HDR_LEN))
		return;
	ic->stats->icmp_echo_replies++;
}
