/* SPDX-License-Identifier: MIT
 *
 * ndp.h - the gateway's IPv6 neighbour discovery (RFC 4861): neighbour
 * solicitations for its addresses answered, router advertisements sent,
 * guests' IPv6 addresses learned and bound to their MAC and switch port.
 *
 * Theory of operation: the gateway owns ipv6-host and ipv6-dns and their
 * fe80:: forms behind its one MAC, and with them every IPv6 guestfwd
 * server address (guestfwd.h). A neighbour solicitation for one of
 * them is answered with a neighbour advertisement (a DAD probe for one of
 * them is defended with an advertisement to all nodes); solicitations
 * for other targets are the guests' business. A router solicitation is
 * answered with a router advertisement from ipv6-host's link-local form
 * carrying the prefix (autonomous flag on a /64: SLAAC), the MTU, RDNSS
 * (ipv6-dns) and DNSSL (dnssearch=) of RFC 8106, and the M/O flags that
 * ipv6-dhcp= asks for; the same advertisement goes to all nodes every
 * ra-interval= seconds while the gateway runs.
 *
 * Every NDP message is checked first (RFC 4861 6.1.1/7.1.1): hop limit
 * 255, code 0, length, each option's length nonzero and inside the
 * message; gw_ndp_parse_opts() is that walk, fuzzed on its own.
 *
 * Neighbours: a fixed table, least recently seen replaced, filled from
 * the source of NS/NA and of any IPv6 packet. An address is bound to the
 * MAC and switch port (port_sink_station()) it was learned from: while
 * the entry is fresh (GW_NDP_BIND_MS) traffic from another MAC or port
 * claiming it is not learned and counted (ndp_spoofed), the IPv6 form of
 * the ARP source guard; a lease6= address belongs to its MAC for good.
 * DAD probes (source ::) are never learned. A frame for a guest not in
 * the table is parked (one per address, GW_NDP_PENDING slots) while a
 * solicitation goes to the address's solicited-node group.
 */
#ifndef VMWIRE_GATEWAY_NDP_H
#define VMWIRE_GATEWAY_NDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

#include "core/loop.h"
#include "gateway/stats.h"

struct gw_env;

#define GW_NDP_ENTRIES 64
#define GW_NDP_PENDING 8
#define GW_NDP_PENDING_MS 3000
#define GW_NDP_BIND_MS 300000   /* an address stays its port's this long */
#define GW_NDP_RA_GAP_MS 100    /* solicited RAs no closer than this */
#define GW_NDP_DNSSL_MAX 512    /* bytes of search list in one RA */

#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ND_ROUTER_SOLICIT 133
#define ND_ROUTER_ADVERT 134
#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT 136
#define ND_REDIRECT 137

/* The options of one NDP message, as gw_ndp_parse_opts() found them. */
struct gw_ndp_opts {
	const uint8_t *sllao; /* 6-byte MAC or NULL */
	const uint8_t *tllao;
	unsigned n;           /* options seen */
};

#define GW_NDP_COUNTERS(X)                                                     \
	X(ndp_truncated) X(ndp_bad) X(ndp_bad_opts) X(ndp_ns_answered)          \
	X(ndp_dad_defended) X(ndp_dad_ignored) X(ndp_ignored) X(ndp_learned)     \
	X(ndp_spoofed) X(ndp_rs) X(ndp_ra_sent) X(ndp_ra_ratelimited)           \
	X(ndp_ns_sent) X(ndp_pending_dropped) X(ndp_from_guest_router)

struct gw_ndp_counters {
#define GW_NDP_FIELD(n) uint64_t n;
	GW_NDP_COUNTERS(GW_NDP_FIELD)
#undef GW_NDP_FIELD
};

struct gw_ndp_entry {
	struct in6_addr addr; /* :: free */
	uint8_t mac[6];
	uint32_t station;     /* port_sink_station() of mac when learned */
	uint64_t seen_ms;
};

struct gw_ndp_pending {
	struct in6_addr addr; /* :: free */
	uint64_t since_ms;
	size_t len;
	uint8_t *buf;
};

struct gw_ndp {
	const struct gw_env *env;
	struct gw_ndp_entry entries[GW_NDP_ENTRIES];
	struct gw_ndp_pending pending[GW_NDP_PENDING];
	uint8_t *pending_mem;
	struct gw_ndp_counters n;
	uint64_t last_ra_ms;
	bool ra_sent;
	struct ev_timer ra_timer; /* unsolicited RAs, when env->loop */
};

/* env->tx must be set up. 0, or -1 on out of memory. */
int gw_ndp_init(struct gw_ndp *ndp, const struct gw_env *env);
void gw_ndp_fini(struct gw_ndp *ndp);

extern const struct gw_service gw_ndp_service;

/* Walk the options at o (len bytes); 0, or -1 (truncated, length 0). */
int gw_ndp_parse_opts(const uint8_t *o, size_t len, struct gw_ndp_opts *out);

/* The source of an IPv6 packet: learn a -> mac unless it is bound to
 * another MAC or port (counted). false: the claim is refused. */
bool gw_ndp_learn(struct gw_ndp *ndp, const struct in6_addr *a, const uint8_t *mac,
		  uint64_t now);
const uint8_t *gw_ndp_lookup(const struct gw_ndp *ndp, const struct in6_addr *a);
/* The newest global (ipv6-net) address learned for mac, or NULL. */
const struct in6_addr *gw_ndp_addr_of(const struct gw_ndp *ndp, const uint8_t *mac);

/* The global (ipv6-net) addresses learned for mac from switch port
 * station, newest first, at most max of them into out; how many. */
unsigned gw_ndp_addrs_of(const struct gw_ndp *ndp, const uint8_t *mac, uint32_t station,
			 struct in6_addr *out, unsigned max);

/* The global address learned last, of any guest (hostfwd's "[]"). */
const struct in6_addr *gw_ndp_newest_global(const struct gw_ndp *ndp);

/* As gw_arp_output(): frame sits in the slot gw_tx_begin() returned,
 * everything but the destination MAC filled in. */
void gw_ndp_output(struct gw_ndp *ndp, uint8_t *frame, size_t len, const struct in6_addr *dst,
		   uint64_t now);

/* Send one router advertisement to dst (NULL: all nodes) now. */
void gw_ndp_send_ra(struct gw_ndp *ndp, const uint8_t *dmac, const struct in6_addr *dst,
		    uint64_t now);

#endif
