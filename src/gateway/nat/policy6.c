/* SPDX-License-Identifier: MIT
 *
 * policy6.c - the IPv6 rules of policy.h.
 *
 * Theory of operation: the IPv4 rules in IPv6's terms. Multicast and the
 * unspecified address never leave (GW_DENY_BCAST); link-local, loopback,
 * v4-mapped (the guest speaks IPv4 for that), the guests' own ipv6-net and
 * the DNS address are local (GW_DENY_LOCAL). ipv6-host is the host itself:
 * ::1 with host-loopback=on, denied otherwise, and with host-loopback=off
 * the host's own IPv6 addresses are denied too. restrict= and the egress
 * lists (their IPv6 CIDRs) apply as for IPv4. With ipv6=off every IPv6
 * address is GW_DENY_LOCAL. In reverse, ::1 is seen from
 * ipv6-host, and a source the guest could not have sent to is refused.
 */
#include "gateway/nat/policy.h"
#include "gateway/config.h"

#include <string.h>

void gw_policy6_add_local(struct gw_policy *p, const union inany_addr *a)
{
	for (unsigned i = 0; i < p->nlocal6; i++)
		if (inany_equals(&p->local6[i], a))
			return;
	if (p->nlocal6 < GW_POLICY_LOCAL6_MAX)
		p->local6[p->nlocal6++] = *a;
}

static bool host_local6(const struct gw_policy *p, const union inany_addr *a)
{
	for (unsigned i = 0; i < p->nlocal6; i++)
		if (inany_equals(&p->local6[i], a))
			return true;
	return false;
}

static bool local6(const struct gw_config6 *v6, const struct in6_addr *a)
{
	return IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_V4MAPPED(a) ||
	       gw_config6_in_net(v6, a);
}

enum gw_verdict gw_policy6_map_dest(const struct gw_policy *p, const union inany_addr *guest_dst,
				    union inany_addr *host_dst)
{
	const struct gw_config *c = p->cfg;
	const struct in6_addr *a = &guest_dst->a6;
	union inany_addr host;

	if (!c->v6.on)
		return GW_DENY_LOCAL; /* ipv6=off: the guest has no IPv6 path */
	if (IN6_IS_ADDR_MULTICAST(a) || IN6_IS_ADDR_UNSPECIFIED(a))
		return GW_DENY_BCAST;
	if (c->restrict_)
		return GW_DENY_RESTRICT;
	if (!memcmp(a, &c->v6.host, 16)) {
		if (!c->host_loopback)
			return GW_DENY_LOOPBACK;
		host = (union inany_addr){ .a6 = IN6ADDR_LOOPBACK_INIT };
	} else if (local6(&c->v6, a)) {
		return GW_DENY_LOCAL;
	} else if (!c->host_loopback && host_local6(p, guest_dst)) {
		return GW_DENY_LOOPBACK;
	} else {
		host = *guest_dst;
	}
	if (gw_policy_egress(c, &host) != GW_ALLOW)
		return GW_DENY_EGRESS;
	*host_dst = host;
	return GW_ALLOW;
}

enum gw_verdict gw_policy6_map_src(const struct gw_policy *p, const union inany_addr *host_src,
				   union inany_addr *guest_src)
{
	const struct gw_config *c = p->cfg;
	union inany_addr dummy, g = *host_src;
	enum gw_verdict v;

	if (IN6_IS_ADDR_LOOPBACK(&host_src->a6)) {
		if (!c->host_loopback)
			return GW_DENY_LOOPBACK;
		g.a6 = c->v6.host;
	} else if (local6(&c->v6, &host_src->a6)) {
		return GW_DENY_LOCAL;
	}
	if ((v = gw_policy6_map_dest(p, &g, &dummy)) == GW_ALLOW)
		*guest_src = g;
	return v;
}

union inany_addr gw_policy6_host_addr(const struct gw_policy *p,
				      const union inany_addr *guest_addr)
{
	const struct gw_config *c = p->cfg;
	union inany_addr none = { .u32 = { 0 } };

	if (!memcmp(&guest_addr->a6, &c->v6.host, 16))
		return c->host_loopback ? (union inany_addr){ .a6 = IN6ADDR_LOOPBACK_INIT } : none;
	if (local6(&c->v6, &guest_addr->a6) || IN6_IS_ADDR_MULTICAST(&guest_addr->a6))
		return none;
	return *guest_addr;
}
