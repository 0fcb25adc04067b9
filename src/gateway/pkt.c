/* SPDX-License-Identifier: MIT
 *
 * pkt.c - see pkt.h.
 */
#include "gateway/pkt.h"
#include "core/frame.h"
#include "core/port.h"
#include "gateway/ip/checksum.h"
#include "gateway/stats.h"

#include <stdlib.h>
#include <string.h>

static void tx_timer(void *ctx)
{
	gw_tx_flush(ctx);
}

int gw_tx_init(struct gw_tx *tx, size_t slot_size, struct port *port, struct ev_loop *loop,
	       struct gw_stats *stats)
{
	memset(tx, 0, sizeof(*tx));
	tx->slots = calloc(GW_TX_SLOTS, slot_size);
	if (!tx->slots)
		return -1;
	tx->slot_size = slot_size;
	tx->port = port;
	tx->loop = loop;
	tx->stats = stats;
	ev_timer_init(&tx->timer, tx_timer, tx);
	return 0;
}

void gw_tx_fini(struct gw_tx *tx)
{
	if (tx->loop)
		ev_timer_cancel(tx->loop, &tx->timer);
	free(tx->slots);
	tx->slots = NULL;
}

uint8_t *gw_tx_begin(struct gw_tx *tx)
{
	if (tx->count == GW_TX_SLOTS) {
		tx->stats->tx_ring_full++;
		return NULL;
	}
	return tx->slots + (size_t)((tx->head + tx->count) % GW_TX_SLOTS) * tx->slot_size;
}

void gw_tx_commit(struct gw_tx *tx, size_t len)
{
	if (tx->count == GW_TX_SLOTS || len > tx->slot_size)
		return;
	tx->lens[(tx->head + tx->count) % GW_TX_SLOTS] = len;
	tx->count++;
	tx->bytes += len + PORT_TX_OVERHEAD;
	if (tx->loop && !tx->timer.armed)
		ev_timer_arm(tx->loop, &tx->timer, 0);
}

void gw_tx_flush(struct gw_tx *tx)
{
	/* Bounded: frames committed while flushing wait for the next round.
	 * The slot stays counted while the fabric reads it, so a re-entrant
	 * transmit that queues a reply cannot overwrite it. */
	unsigned n = tx->count;

	while (n-- && tx->count) {
		unsigned i = tx->head;

		port_receive(tx->port, tx->slots + (size_t)i * tx->slot_size, tx->lens[i]);
		tx->head = (tx->head + 1) % GW_TX_SLOTS;
		tx->count--;
		tx->bytes -= tx->lens[i] + PORT_TX_OVERHEAD;
	}
	if (tx->count && tx->loop && !tx->timer.armed)
		ev_timer_arm(tx->loop, &tx->timer, 0);
}

void pkt_ipv4_hdr(uint8_t *ip, uint32_t src, uint32_t dst, uint8_t proto, size_t l4_len)
{
	ip[0] = 0x45;
	ip[1] = 0;
	wr16be(ip + 2, (uint16_t)(IP_HDR_LEN + l4_len));
	wr16be(ip + 4, 0);
	wr16be(ip + 6, 0);
	ip[8] = 64;
	ip[9] = proto;
	wr16be(ip + 10, 0);
	wr32be(ip + 12, src);
	wr32be(ip + 16, dst);
	wr16be(ip + 10, csum(ip, IP_HDR_LEN));
}

size_t pkt_ipv4(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint32_t src,
		uint32_t dst, uint8_t proto, size_t l4_len)
{
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	wr16be(f + 12, ETHERTYPE_IPV4);
	pkt_ipv4_hdr(f + OFF_IP, src, dst, proto, l4_len);
	return OFF_L4 + l4_len;
}

size_t pkt_udp(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint32_t src,
	       uint16_t sport, uint32_t dst, uint16_t dport, size_t data_len)
{
	uint8_t *udp = f + OFF_L4;
	size_t ulen = UDP_HDR_LEN + data_len;
	uint16_t c;

	wr16be(udp, sport);
	wr16be(udp + 2, dport);
	wr16be(udp + 4, (uint16_t)ulen);
	wr16be(udp + 6, 0);
	c = csum_l4_ipv4(src, dst, IPPROTO_UDP_, udp, ulen);
	wr16be(udp + 6, c ? c : 0xffff); /* 0 means "no checksum" in UDP */
	return pkt_ipv4(f, dmac, smac, src, dst, IPPROTO_UDP_, ulen);
}

void pkt_ipv6_hdr(uint8_t *ip, const struct in6_addr *src, const struct in6_addr *dst,
		  uint8_t proto, uint8_t hop_limit, size_t l4_len)
{
	wr32be(ip, 0x60000000);
	wr16be(ip + 4, (uint16_t)l4_len);
	ip[6] = proto;
	ip[7] = hop_limit;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
}

size_t pkt_ipv6(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, const struct in6_addr *src,
		const struct in6_addr *dst, uint8_t proto, uint8_t hop_limit, size_t l4_len)
{
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	wr16be(f + 12, ETHERTYPE_IPV6_);
	pkt_ipv6_hdr(f + OFF_IP, src, dst, proto, hop_limit, l4_len);
	return OFF_L4_6 + l4_len;
}

size_t pkt_udp6(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, const struct in6_addr *src,
		uint16_t sport, const struct in6_addr *dst, uint16_t dport, size_t data_len)
{
	uint8_t *udp = f + OFF_L4_6;
	size_t ulen = UDP_HDR_LEN + data_len;
	uint16_t c;

	wr16be(udp, sport);
	wr16be(udp + 2, dport);
	wr16be(udp + 4, (uint16_t)ulen);
	wr16be(udp + 6, 0);
	c = csum_l4_ipv6((const uint8_t *)src, (const uint8_t *)dst, IPPROTO_UDP_, udp, ulen);
	wr16be(udp + 6, c ? c : 0xffff);
	return pkt_ipv6(f, dmac, smac, src, dst, IPPROTO_UDP_, 64, ulen);
}
