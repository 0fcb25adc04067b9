/* SPDX-License-Identifier: MIT
 *
 * ip_frag.c - see ip_frag.h.
 */
#include "gateway/ip/ip_frag.h"
#include "core/frame.h"
#include "gateway/services/arp.h"
#include "gateway/ip/checksum.h"
#include "gateway/config.h"
#include "gateway/env.h"
#include "gateway/ip/ipv6.h"
#include "gateway/pkt.h"
#include "gateway/services/ndp.h"
#include "gateway/stats.h"

#include <string.h>

#define IP_MF 0x2000
#define IP_MAX_PAYLOAD (65535 - IP_HDR_LEN)
#define IP6_MAX_PAYLOAD 65535 /* the payload length field; no jumbograms */
#define FRAG6_HDR_LEN 8

/* Payload bytes of one frame: what the MTU and a ring slot both allow. */
static size_t frame_room(const struct gw_tx *tx, const struct gw_config *cfg)
{
	size_t room = cfg->mtu - IP_HDR_LEN;

	if (room > tx->slot_size - OFF_L4)
		room = tx->slot_size - OFF_L4;
	return room;
}

size_t gw_ip_max_payload(const struct gw_tx *tx, const struct gw_config *cfg)
{
	size_t n = (frame_room(tx, cfg) & ~(size_t)7) * GW_TX_SLOTS;

	return n > IP_MAX_PAYLOAD ? IP_MAX_PAYLOAD : n;
}

/* Copy bytes [off, off + n) of the hdr + data concatenation to out. */
static void gather(uint8_t *out, size_t off, size_t n, const uint8_t *hdr, size_t hlen,
		   const uint8_t *data)
{
	if (off < hlen) {
		size_t k = hlen - off < n ? hlen - off : n;

		memcpy(out, hdr + off, k);
		out += k;
		n -= k;
		off = hlen;
	}
	if (n)
		memcpy(out, data + (off - hlen), n);
}

bool gw_ip_output(const struct gw_env *env, const uint8_t *dmac, uint64_t now, uint32_t src,
		  uint32_t dst, uint8_t proto, const uint8_t *hdr, size_t hlen,
		  const uint8_t *data, size_t dlen)
{
	const struct gw_config *cfg = env->cfg;
	struct gw_stats *stats = env->stats;
	struct gw_tx *tx = env->tx;
	size_t len = hlen + dlen, room = frame_room(tx, cfg), fsz, n, off;
	uint16_t id;
	uint8_t *f;

	if (len <= room) {
		if (!(f = gw_tx_begin(tx)))
			return false;
		gather(f + OFF_L4, 0, len, hdr, hlen, data);
		if (dmac) {
			gw_tx_commit(tx, pkt_ipv4(f, dmac, cfg->mac, src, dst, proto, len));
		} else {
			memset(f, 0, 6);
			gw_arp_output(env->arp, f, pkt_ipv4(f, f, cfg->mac, src, dst, proto, len),
				      dst, now);
		}
		return true;
	}
	if (len > gw_ip_max_payload(tx, cfg)) {
		stats->tx_too_big++;
		return false;
	}
	if (!dmac && !(dmac = gw_arp_lookup(env->arp, dst))) {
		stats->arp_pending_dropped++;
		return false;
	}
	fsz = room & ~(size_t)7;
	n = (len + fsz - 1) / fsz;
	if (GW_TX_SLOTS - tx->count < n) {
		stats->tx_ring_full++;
		return false;
	}
	id = tx->ip_id++;
	for (off = 0; off < len; off += fsz) {
		size_t k = len - off < fsz ? len - off : fsz;
		uint8_t *ip;

		f = gw_tx_begin(tx); /* cannot fail: the slots were counted */
		gather(f + OFF_L4, off, k, hdr, hlen, data);
		pkt_ipv4(f, dmac, cfg->mac, src, dst, proto, k);
		ip = f + OFF_IP;
		wr16be(ip + 4, id);
		wr16be(ip + 6, (uint16_t)((off / 8) | (off + k < len ? IP_MF : 0)));
		wr16be(ip + 10, 0);
		wr16be(ip + 10, csum(ip, IP_HDR_LEN));
		gw_tx_commit(tx, OFF_L4 + k);
		stats->ip_frag_out++;
	}
	return true;
}

/* IPv6: L4 bytes of one unfragmented frame; fragment data per frame. */
static size_t frame_room6(const struct gw_tx *tx, const struct gw_config *cfg)
{
	size_t room = cfg->mtu - IP6_HDR_LEN;

	if (room > tx->slot_size - OFF_L4_6)
		room = tx->slot_size - OFF_L4_6;
	return room;
}

static size_t frag_room6(const struct gw_tx *tx, const struct gw_config *cfg)
{
	return (frame_room6(tx, cfg) - FRAG6_HDR_LEN) & ~(size_t)7;
}

size_t gw_ip6_max_payload(const struct gw_tx *tx, const struct gw_config *cfg)
{
	size_t n = frag_room6(tx, cfg) * GW_TX_SLOTS;

	return n > IP6_MAX_PAYLOAD ? IP6_MAX_PAYLOAD : n;
}

bool gw_ip6_output(const struct gw_env *env, uint64_t now, const struct in6_addr *src,
		   const struct in6_addr *dst, uint8_t proto, const uint8_t *hdr, size_t hlen,
		   const uint8_t *data, size_t dlen)
{
	static const uint8_t unknown[6];
	const struct gw_config *cfg = env->cfg;
	struct gw_tx *tx = env->tx;
	size_t len = hlen + dlen, fsz = frag_room6(tx, cfg), n, off;
	const uint8_t *dmac;
	uint32_t id;
	uint8_t *f;

	if (!env->ndp)
		return false;
	if (len <= frame_room6(tx, cfg)) {
		if (!(f = gw_tx_begin(tx)))
			return false;
		gather(f + OFF_L4_6, 0, len, hdr, hlen, data);
		gw_ndp_output(env->ndp, f, pkt_ipv6(f, unknown, cfg->mac, src, dst, proto, 64, len),
			      dst, now);
		return true;
	}
	if (len > gw_ip6_max_payload(tx, cfg)) { /* also what keeps fsz > 0 below */
		env->stats->tx_too_big++;
		return false;
	}
	if (!(dmac = gw_ndp_lookup(env->ndp, dst))) {
		env->ndp->n.ndp_pending_dropped++;
		return false;
	}
	n = (len + fsz - 1) / fsz;
	if (GW_TX_SLOTS - tx->count < n) {
		env->stats->tx_ring_full++;
		return false;
	}
	id = ++tx->ip6_id;
	for (off = 0; off < len; off += fsz) {
		size_t k = len - off < fsz ? len - off : fsz;
		uint8_t *fh;

		f = gw_tx_begin(tx); /* cannot fail: the slots were counted */
		fh = f + OFF_L4_6;
		fh[0] = proto;
		fh[1] = 0;
		wr16be(fh + 2, (uint16_t)(off | (off + k < len ? 1 : 0))); /* off is 8-aligned */
		wr32be(fh + 4, id);
		gather(fh + FRAG6_HDR_LEN, off, k, hdr, hlen, data);
		gw_tx_commit(tx, pkt_ipv6(f, dmac, cfg->mac, src, dst, IP6_NH_FRAGMENT, 64,
					  FRAG6_HDR_LEN + k));
		env->stats->ip6_frag_out++;
	}
	return true;
}
