/* SPDX-License-Identifier: MIT
 *
 * ip_frag.h - IPv4 datagrams to the guest, fragmented when larger than the
 * gateway's MTU.
 *
 * Theory of operation: a reply can be larger than one frame: the echo of
 * a guest's 4000-byte ping, a 4000-byte UDP datagram from the host. Such a
 * datagram is cut into fragments of the largest multiple of 8 bytes that
 * fits the MTU (and the reply ring's slot), all written straight into the
 * ring. A datagram goes out whole or not at all: when the ring lacks free
 * slots for every fragment it is dropped and counted (tx_ring_full), so a
 * guest never holds a half that can only expire in its reassembly queue.
 * That also bounds what we send: at most GW_TX_SLOTS fragments, about
 * 47 KB at MTU 1500 (gw_ip_max_payload()).
 *
 * The L4 payload is given in two pieces, a header the caller built on its
 * stack and the data where it already lies (a socket buffer, the request
 * being echoed), so nothing is copied twice. Fragments carry a fresh IP
 * ID from the ring's counter, DF clear. A single-frame datagram to an
 * unknown MAC is parked by ARP as any reply; a fragmented one needs the
 * MAC known (every guest that sent us something is), else it is dropped
 * and counted in arp_pending_dropped.
 *
 * IPv6 (gw_ip6_output): the gateway is the source of what it sends the
 * guest (a host datagram it translated), and an IPv6 source may fragment
 * (RFC 8200 4.5): a packet larger than the MTU goes out as fragments
 * carrying a fragment header, each piece the largest multiple of 8 bytes
 * that fits with it, under one 32-bit identification from the ring's
 * counter; all or nothing, as above. A single frame goes through NDP
 * (parked while the guest is solicited); fragments need the guest's MAC
 * known (ndp_pending_dropped otherwise).
 */
#ifndef VMWIRE_GATEWAY_IP_FRAG_H
#define VMWIRE_GATEWAY_IP_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_tx;
struct gw_config;
struct gw_env;

/* Largest L4 payload (header included) gw_ip_output() can send. */
size_t gw_ip_max_payload(const struct gw_tx *tx, const struct gw_config *cfg);

/* Send hdr (hlen bytes) followed by data (dlen bytes) as the L4 payload
 * of one IPv4 datagram src -> dst. dmac, when not NULL, is the guest's
 * MAC; otherwise env's arp resolves dst (a frame parked for it is stamped
 * now). The L4 checksum must already be in hdr. false when dropped
 * (counted). */
bool gw_ip_output(const struct gw_env *env, const uint8_t *dmac, uint64_t now, uint32_t src,
		  uint32_t dst, uint8_t proto, const uint8_t *hdr, size_t hlen,
		  const uint8_t *data, size_t dlen);

struct in6_addr;

/* Largest L4 payload (header included) gw_ip6_output() can send. */
size_t gw_ip6_max_payload(const struct gw_tx *tx, const struct gw_config *cfg);

/* As gw_ip_output() for IPv6 src -> dst, the guest's MAC from NDP. */
bool gw_ip6_output(const struct gw_env *env, uint64_t now, const struct in6_addr *src,
		   const struct in6_addr *dst, uint8_t proto, const uint8_t *hdr, size_t hlen,
		   const uint8_t *data, size_t dlen);

#endif
