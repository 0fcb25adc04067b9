/* SPDX-License-Identifier: MIT
 *
 * icmp.c - see icmp.h.
 */
#include "gateway/icmp.h"
#include "core/frame.h"
#include "gateway/checksum.h"
#include "gateway/config.h"
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
	uint8_t *f, *r;

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
	if (len + IP_HDR_LEN > ic->cfg->mtu || OFF_L4 + len > ic->tx->slot_size) {
		ic->stats->tx_too_big++;
		return;
	}
	f = gw_tx_begin(ic->tx);
	if (!f)
		return;
	r = f + OFF_L4;
	memcpy(r, l4, len);
	r[0] = ICMP_ECHO_REPLY;
	wr16be(r + 2, 0);
	wr16be(r + 2, csum(r, len));
	gw_tx_commit(ic->tx, pkt_ipv4(f, smac, ic->cfg->mac, dst, src, IPPROTO_ICMP_, len));
	ic->stats->icmp_echo_replies++;
}
