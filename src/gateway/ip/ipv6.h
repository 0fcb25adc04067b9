/* SPDX-License-Identifier: MIT
 *
 * ipv6.h - the guests' IPv6 headers: the fixed header and the extension
 * header chain, checked before anything looks at a payload.
 *
 * Theory of operation: gw_ip6_parse() checks the fixed header (version,
 * payload length against the frame: more is a lie, less is Ethernet
 * padding and trimmed), then gw_ip6_walk() follows the next-header chain
 * through hop-by-hop options (first only), routing (segments left must be
 * 0: we are the final destination of nothing), destination options,
 * fragment and AH headers, with every length checked against what is
 * there and at most GW_IP6_MAX_EXT headers: a chain that loops or runs
 * past the frame ends as a counted verdict, never a read beyond it. The
 * options inside hop-by-hop and destination options headers are walked
 * too: an unknown option whose type says "discard" (RFC 8200 4.2, the
 * two high bits not 00) drops the packet.
 *
 * A fragment header stops the walk: the upper layer of a non-first
 * fragment is not in this packet. An atomic fragment (offset 0, M clear,
 * RFC 6946) is no fragment at all: the walk goes on past it. Otherwise the
 * caller hands the fragmentable part to the reassembly (ip_reasm.h) and
 * walks the reassembled payload again from the fragment's next header.
 *
 * Nothing here allocates or keeps state; the walker is fuzzed on its own.
 */
#ifndef VMWIRE_GATEWAY_IPV6_H
#define VMWIRE_GATEWAY_IPV6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define ETHERTYPE_IPV6 0x86dd
#define IP6_HDR_LEN 40
#define GW_IP6_MAX_EXT 8 /* extension headers in one chain */

#define IP6_NH_HOPOPTS 0
#define IP6_NH_ROUTING 43
#define IP6_NH_FRAGMENT 44
#define IP6_NH_AH 51
#define IP6_NH_ICMPV6 58
#define IP6_NH_NONE 59
#define IP6_NH_DSTOPTS 60

enum gw_ip6_verdict {
	IP6_OK = 0,
	IP6_TRUNCATED,    /* shorter than the fixed header or an extension header */
	IP6_BAD_VERSION,
	IP6_BAD_LEN,      /* payload length past the frame */
	IP6_EXT_TOO_MANY, /* a chain longer than GW_IP6_MAX_EXT */
	IP6_EXT_BAD,      /* hop-by-hop not first, routing with segments left,
			   * a second fragment header, a "discard" option */
	IP6_NO_NEXT,      /* next header 59: nothing to hand on */
};

struct gw_ip6_ext {
	uint8_t proto;     /* the upper layer (or the fragment's next header) */
	size_t off;        /* of the upper layer, from the start of the chain */
	unsigned n_ext;    /* headers walked */
	bool fragment;     /* a real (not atomic) fragment: the walk stopped */
	uint16_t frag_off; /* bytes */
	bool frag_more;
	uint32_t frag_id;
	size_t frag_hdr_off; /* where the fragment header was */
};

/* Walk the chain whose first next header is nh over p (len bytes). */
enum gw_ip6_verdict gw_ip6_walk(uint8_t nh, const uint8_t *p, size_t len, bool first,
				struct gw_ip6_ext *out);

struct gw_ip6 {
	struct in6_addr src, dst;
	uint8_t hop_limit;
	size_t payload_len;   /* the bytes after the fixed header (trimmed) */
	struct gw_ip6_ext ext; /* ext.off counts from the end of the fixed header */
};

/* ip: avail bytes after the Ethernet header. */
enum gw_ip6_verdict gw_ip6_parse(const uint8_t *ip, size_t avail, struct gw_ip6 *out);

/* ff00::/8. */
static inline bool ip6_is_multicast(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xff;
}

/* The solicited-node multicast address ff02::1:ffXX:XXXX of a. */
void ip6_solicited_node(struct in6_addr *out, const struct in6_addr *a);
/* Its Ethernet address 33:33 + the last 32 bits (RFC 2464 7). */
void ip6_multicast_mac(uint8_t *mac, const struct in6_addr *a);

#endif
