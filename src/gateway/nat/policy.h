/* SPDX-License-Identifier: MIT
 *
 * policy.h - where guest traffic may go, and how host addresses look to
 * the guest. Shared by the UDP and ICMP NAT and the TCP engine.
 *
 * Theory of operation: every packet the guest addresses to something other
 * than the gateway's own services asks one question, gw_policy_map_dest():
 * may it leave, and to which host-side address? The answer follows slirp:
 *  - broadcast, multicast, class E, 0/8, the LAN's network and broadcast
 *    addresses, other LAN addresses and 127/8 never leave (GW_DENY_BCAST /
 *    GW_DENY_LOCAL);
 *  - the host address means the host itself: 127.0.0.1 when
 *    host-loopback=on, denied otherwise (GW_DENY_LOOPBACK); with
 *    host-loopback=off the host's other local addresses (its LAN address,
 *    a docker bridge: what getifaddrs() listed when the gateway
 *    started, kept current by nat/host_addrs.c) are denied too, as they
 *    reach the same services;
 *  - restrict=on denies everything (GW_DENY_RESTRICT); hostfwd replies do
 *    not ask, they are answers to connections the host side opened;
 *  - egress-deny wins over egress-allow; a non-empty egress-allow admits
 *    only its networks (GW_DENY_EGRESS). The lists are checked against the
 *    host-side address, so egress-deny=127.0.0.0/8 closes host-loopback.
 * gw_policy_map_src() is the reverse for replies: a host-side source
 * address becomes what the guest sees (127.0.0.1 -> host), and a source
 * the guest could not have talked to is refused, so an unconnected NAT
 * socket does not become an open door for third parties.
 *
 * The policy holds no state besides the configuration and that list of
 * local addresses: it is pure and unit tested on its own.
 */
#ifndef VMWIRE_GATEWAY_POLICY_H
#define VMWIRE_GATEWAY_POLICY_H

#include <stdint.h>

#include "core/inany.h"

struct gw_config;

enum gw_verdict {
	GW_ALLOW = 0,
	GW_DENY_BCAST,    /* broadcast/multicast/unspecified/class E */
	GW_DENY_LOCAL,    /* the guest LAN itself, the dns address, 127/8 */
	GW_DENY_LOOPBACK, /* host address with host-loopback=off */
	GW_DENY_RESTRICT, /* restrict=on */
	GW_DENY_EGRESS,   /* egress-allow / egress-deny */
};

#define GW_POLICY_LOCAL_MAX 64 /* host IPv4 addresses remembered */
#define GW_POLICY_LOCAL6_MAX 32 /* host IPv6 addresses remembered */

struct gw_policy {
	const struct gw_config *cfg;
	uint32_t local[GW_POLICY_LOCAL_MAX]; /* host order; host-loopback=off only */
	unsigned nlocal;
	union inany_addr local6[GW_POLICY_LOCAL6_MAX]; /* the same, IPv6 (policy6.c) */
	unsigned nlocal6;
};

/* With host-loopback=off, also reads the host's addresses (getifaddrs). */
void gw_policy_init(struct gw_policy *p, const struct gw_config *cfg);
/* Count addr (host order) as the host's own (tests; gw_policy_init). */
void gw_policy_add_local(struct gw_policy *p, uint32_t addr);
/* The host no longer has addr (nat/host_addrs.c). */
void gw_policy_del_local(struct gw_policy *p, uint32_t addr);

/* May the guest send to guest_dst? On GW_ALLOW, *host_dst is the address
 * to use on the host side (inany_to_sockaddr() makes the socket address).
 * Addresses are inany (core/inany.h); IPv6 ones follow the rules of
 * policy6.c (the same rules in IPv6's terms). */
enum gw_verdict gw_policy_map_dest(const struct gw_policy *p, const union inany_addr *guest_dst,
				   union inany_addr *host_dst);

/* A reply arrived on a NAT socket from host_src: on GW_ALLOW *guest_src is
 * the address the guest sees it from. */
enum gw_verdict gw_policy_map_src(const struct gw_policy *p, const union inany_addr *host_src,
				  union inany_addr *guest_src);

/* The host-side address a guest-visible address stands for, without any
 * policy check (unspecified when it maps to nothing): for the monitor. */
union inany_addr gw_policy_host_addr(const struct gw_policy *p,
				     const union inany_addr *guest_addr);

const char *gw_verdict_name(enum gw_verdict v);

/* The IPv6 halves of the three above (policy6.c), for addresses that are
 * not v4-mapped; the egress lists are shared. */
enum gw_verdict gw_policy6_map_dest(const struct gw_policy *p, const union inany_addr *guest_dst,
				    union inany_addr *host_dst);
enum gw_verdict gw_policy6_map_src(const struct gw_policy *p, const union inany_addr *host_src,
				   union inany_addr *guest_src);
union inany_addr gw_policy6_host_addr(const struct gw_policy *p,
				      const union inany_addr *guest_addr);
void gw_policy6_add_local(struct gw_policy *p, const union inany_addr *a);
/* Is host_addr allowed by egress-allow/egress-deny? */
enum gw_verdict gw_policy_egress(const struct gw_config *c, const union inany_addr *host_addr);

#endif
