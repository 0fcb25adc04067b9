/* SPDX-License-Identifier: MIT
 *
 * icmp.h - ICMP echo answered by the gateway itself.
 *
 * Theory of operation: pings to the host and dns addresses never leave the
 * process: the request's checksum is verified, the payload is copied into
 * a reply with type 0 and a fresh checksum, sent back to the MAC it came
 * from, fragmented when larger than the MTU (ip_frag.h). Echo to other destinations is the NAT's job (not here yet) and is
 * counted as unhandled.
 *
 * The gateway is the guests' router, so a datagram it would forward whose
 * TTL is 1 or 0 ends here with ICMP time exceeded in transit (type 11 code
 * 0) from the host address, quoting the IP header and 8 bytes, as RFC 792
 * asks: traceroute shows the gateway as hop 1. Those errors are limited per
 * guest address with a token bucket (GW_ICMP_ERR_BURST, refilled at
 * GW_ICMP_ERR_PER_S), as a router's are, so a flood of TTL-1 packets
 * cannot make the gateway write as much back; the buckets are a small
 * fixed table indexed by a hash of the address, a new guest taking over a
 * slot from another (which only ever makes the limit kinder).
 *
 * IPv6 is the same router's check (RFC 8200 3, RFC 4443 3.3): a packet
 * the gateway would forward (gw_icmp6_is_routed: not to ipv6-net, not
 * link-local, not multicast) arriving with hop limit 1 or 0 gets ICMPv6
 * time exceeded code 0 from ipv6-host (its fe80:: form for a link-local
 * source), quoting as much of the packet as fits in 1280 bytes. The check
 * comes before reassembly, per fragment as a router sees them; only the
 * first fragment is answered. The same buckets limit it, keyed by a fold
 * of the IPv6 source.
 */
#ifndef VMWIRE_GATEWAY_ICMP_H
#define VMWIRE_GATEWAY_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_config;
struct gw_env;

#define GW_ICMP_ERR_BURST 10
#define GW_ICMP_ERR_PER_S 10
#define GW_ICMP_ERR_BUCKETS 64

struct gw_icmp_bucket {
	uint32_t addr;	   /* 0: unused */
	uint32_t tokens;   /* in thousandths of a message */
	uint64_t last_ms;
};

struct gw_icmp {
	const struct gw_env *env; /* cfg, tx, arp, stats */
	struct gw_icmp_bucket rl[GW_ICMP_ERR_BUCKETS];
};

void gw_icmp_init(struct gw_icmp *ic, const struct gw_env *env);

/* The responder in the service table (service.h): ICMP to the host or
 * dns address from a guest with an address. */
extern const struct gw_service gw_icmp_service;

/* An ICMP message (l4, len bytes) from src to one of our addresses dst;
 * smac is the sender's MAC. */
void gw_icmp_input(struct gw_icmp *ic, const uint8_t *smac, uint32_t src, uint32_t dst,
		   const uint8_t *l4, size_t len, uint64_t now);

/* Would the gateway route a datagram to dst (as opposed to delivering it
 * to itself or dropping it: its own network, broadcast, multicast)? */
bool gw_icmp_is_routed(const struct gw_config *cfg, uint32_t dst);

/* The datagram at ip (IPv4 header of ihl bytes, then l4len bytes of its
 * payload at l4) from guest src (MAC smac) ran out of TTL: answer ICMP
 * time exceeded unless it is itself an ICMP error, a later fragment, or
 * src is over its rate. Counted in ip_ttl_exceeded / ip_ttl_ratelimited. */
void gw_icmp_time_exceeded(struct gw_icmp *ic, const uint8_t *smac, uint32_t src,
			   const uint8_t *ip, size_t ihl, const uint8_t *l4, size_t l4len,
			   uint64_t now_ms);

struct in6_addr;
struct gw_ip6;

/* Would the gateway route an IPv6 packet to dst? */
bool gw_icmp6_is_routed(const struct gw_config *cfg, const struct in6_addr *dst);

/* The IPv6 packet at ip (its parsed header h, 40 + h->payload_len bytes)
 * from guest MAC smac ran out of hops: ICMPv6 time exceeded unless it is
 * itself an ICMPv6 error, a later fragment, from :: or over its rate.
 * Counted in ip6_hop_exceeded / ip6_hop_ratelimited. */
void gw_icmp6_time_exceeded(struct gw_icmp *ic, const uint8_t *smac, const struct gw_ip6 *h,
			    const uint8_t *ip, uint64_t now_ms);

#endif
