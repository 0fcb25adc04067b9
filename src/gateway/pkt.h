/* SPDX-License-Identifier: MIT
 *
 * pkt.h - the gateway's outgoing frame ring and IPv4/UDP frame builders.
 *
 * Theory of operation: replies are never handed to the fabric from inside
 * transmit(): the switch may be iterating its port list, and a frame sent
 * back in would re-enter it. Instead every module writes its reply straight
 * into a free slot of a small fixed ring (gw_tx_begin), commits it with the
 * final length (gw_tx_commit), and the ring is flushed into port_receive()
 * from a 0 ms timer. A full ring drops and counts: a guest that floods us
 * with requests loses answers, it does not grow our memory.
 *
 * The builders write the Ethernet + IPv4 (+ UDP) headers in front of a
 * payload the caller already placed at the right offset, and compute the
 * checksums, so no payload is copied twice.
 */
#ifndef VMWIRE_GATEWAY_PKT_H
#define VMWIRE_GATEWAY_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"

struct port;
struct gw_stats;
struct in6_addr;

#define GW_TX_SLOTS 32

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define IP_HDR_LEN 20
#define UDP_HDR_LEN 8
#define IPPROTO_ICMP_ 1
#define IPPROTO_UDP_ 17
/* Offsets of the payload of an Ethernet/IPv4(no options)/UDP frame. */
#define OFF_IP ETH_HDR_LEN
#define OFF_L4 (OFF_IP + IP_HDR_LEN)
#define OFF_UDP_DATA (OFF_L4 + UDP_HDR_LEN)
/* The same for Ethernet/IPv6 (no extension headers). */
#define ETHERTYPE_IPV6_ 0x86dd
#define IP6_HDR_LEN_ 40
#define OFF_L4_6 (OFF_IP + IP6_HDR_LEN_)
#define OFF_UDP6_DATA (OFF_L4_6 + UDP_HDR_LEN)

struct gw_tx {
	uint8_t *slots;      /* GW_TX_SLOTS * slot_size, allocated once */
	size_t slot_size;    /* Ethernet header + MTU */
	size_t lens[GW_TX_SLOTS];
	unsigned head, count;
	size_t bytes;        /* queued, PORT_TX_OVERHEAD per frame included */
	struct port *port;   /* where flushed frames enter the fabric */
	struct ev_loop *loop; /* NULL: the owner calls gw_tx_flush() (tests) */
	struct ev_timer timer;
	struct gw_stats *stats;
	uint16_t ip_id;      /* IP ID of the next fragmented datagram (ip_frag.h) */
	uint32_t ip6_id;     /* IPv6 fragment identification, last used */
};

int gw_tx_init(struct gw_tx *tx, size_t slot_size, struct port *port, struct ev_loop *loop,
	       struct gw_stats *stats);
void gw_tx_fini(struct gw_tx *tx);
/* A free slot of slot_size bytes, or NULL (counted) when the ring is full.
 * Nothing is queued until gw_tx_commit(). */
uint8_t *gw_tx_begin(struct gw_tx *tx);
void gw_tx_commit(struct gw_tx *tx, size_t len);
void gw_tx_flush(struct gw_tx *tx);
/* Bytes the ring will hand the fabric, counted as a port's tx_room() is
 * (core/port.h), so a source can subtract them from the room it is told. */
static inline size_t gw_tx_queued(const struct gw_tx *tx) { return tx->bytes; }

/* The 20-byte IPv4 header alone at ip (ttl 64, DF clear, id 0, checksum),
 * e.g. for the guest's datagram quoted in an ICMP error. */
void pkt_ipv4_hdr(uint8_t *ip, uint32_t src, uint32_t dst, uint8_t proto, size_t l4_len);
/* Write Ethernet + IPv4 headers (ttl 64, DF clear, id 0) for an L4 payload
 * of l4_len bytes already at f + OFF_L4. Returns the frame length. */
size_t pkt_ipv4(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint32_t src,
		uint32_t dst, uint8_t proto, size_t l4_len);
/* Same plus the UDP header and checksum around data at f + OFF_UDP_DATA. */
size_t pkt_udp(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint32_t src,
	       uint16_t sport, uint32_t dst, uint16_t dport, size_t data_len);

/* The 40-byte IPv6 header alone at ip (no flow label, traffic class 0). */
void pkt_ipv6_hdr(uint8_t *ip, const struct in6_addr *src, const struct in6_addr *dst,
		  uint8_t proto, uint8_t hop_limit, size_t l4_len);
/* Ethernet + IPv6 headers for an L4 payload of l4_len bytes already at
 * f + OFF_L4_6. Returns the frame length. */
size_t pkt_ipv6(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, const struct in6_addr *src,
		const struct in6_addr *dst, uint8_t proto, uint8_t hop_limit, size_t l4_len);
/* Same plus the UDP header and (mandatory in IPv6) checksum around data
 * at f + OFF_UDP6_DATA. */
size_t pkt_udp6(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, const struct in6_addr *src,
		uint16_t sport, const struct in6_addr *dst, uint16_t dport, size_t data_len);

#endif
