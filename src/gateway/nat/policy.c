/* SPDX-License-Identifier: MIT
 *
 * policy.c - see policy.h.
 */
#include "gateway/nat/policy.h"
#include "gateway/config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <stdbool.h>
#include <string.h>

#define LOOPBACK 0x7f000001u

void gw_policy_add_local(struct gw_policy *p, uint32_t addr)
{
	for (unsigned i = 0; i < p->nlocal; i++)
		if (p->local[i] == addr)
			return;
	if (p->nlocal < GW_POLICY_LOCAL_MAX)
		p->local[p->nlocal++] = addr;
}

void gw_policy_del_local(struct gw_policy *p, uint32_t addr)
{
	for (unsigned i = 0; i < p->nlocal; i++)
		if (p->local[i] == addr)
			p->local[i--] = p->local[--p->nlocal];
}

void gw_policy_init(struct gw_policy *p, const struct gw_config *cfg)
{
	struct ifaddrs *ifa, *i;

	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	if (cfg->host_loopback || cfg->host_local_open || getifaddrs(&ifa) < 0)
		return;
	for (i = ifa; i; i = i->ifa_next) {
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET)
			gw_policy_add_local(p, ntohl(((const struct sockaddr_in *)(const void *)
						      i->ifa_addr)->sin_addr.s_addr));
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET6) {
			union inany_addr a = inany_from_in6(
				&((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr);

			gw_policy6_add_local(p, &a);
		}
	}
	freeifaddrs(ifa);
}

static bool host_local(const struct gw_policy *p, uint32_t a)
{
	for (unsigned i = 0; i < p->nlocal; i++)
		if (p->local[i] == a)
			return true;
	return false;
}

static bool in_cidrs(const struct inany_cidr *l, unsigned n, const union inany_addr *a)
{
	for (unsigned i = 0; i < n; i++)
		if (inany_cidr_match(&l[i], a))
			return true;
	return false;
}

static bool never_routed(uint32_t a)
{
	return a == 0xffffffffu || (a >> 28) >= 14 || (a >> 24) == 0;
}

enum gw_verdict gw_policy_egress(const struct gw_config *c, const union inany_addr *host_addr)
{
	if (in_cidrs(c->egress_deny, c->n_egress_deny, host_addr))
		return GW_DENY_EGRESS;
	if (c->n_egress_allow && !in_cidrs(c->egress_allow, c->n_egress_allow, host_addr))
		return GW_DENY_EGRESS;
	return GW_ALLOW;
}

union inany_addr gw_policy_host_addr(const struct gw_policy *p,
				     const union inany_addr *guest_addr)
{
	const struct gw_config *c = p->cfg;
	uint32_t a = inany_ip4(guest_addr);

	if (!inany_is_v4(guest_addr))
		return gw_policy6_host_addr(p, guest_addr);
	if (a == c->host)
		return inany_from_ip4(c->host_loopback ? LOOPBACK : 0);
	if ((a & c->mask) == c->net || (a >> 24) == 127 || never_routed(a))
		return inany_from_ip4(0);
	return *guest_addr;
}

enum gw_verdict gw_policy_map_dest(const struct gw_policy *p, const union inany_addr *guest_dst,
				   union inany_addr *host_dst)
{
	const struct gw_config *c = p->cfg;
	uint32_t dst = inany_ip4(guest_dst);
	union inany_addr host;

	if (!inany_is_v4(guest_dst))
		return gw_policy6_map_dest(p, guest_dst, host_dst);
	if (never_routed(dst) || dst == (c->net | ~c->mask))
		return GW_DENY_BCAST;
	if (c->restrict_)
		return GW_DENY_RESTRICT;
	if (dst == c->host) {
		if (!c->host_loopback)
			return GW_DENY_LOOPBACK;
		host = inany_from_ip4(LOOPBACK);
	} else if ((dst & c->mask) == c->net || (dst >> 24) == 127) {
		return GW_DENY_LOCAL;
	} else if (!c->host_loopback && host_local(p, dst)) {
		return GW_DENY_LOOPBACK; /* the host by another of its names */
	} else {
		host = *guest_dst;
	}
	if (gw_policy_egress(c, &host) != GW_ALLOW)
		return GW_DENY_EGRESS;
	*host_dst = host;
	return GW_ALLOW;
}

enum gw_verdict gw_policy_map_src(const struct gw_policy *p, const union inany_addr *host_src,
				  union inany_addr *guest_src)
{
	const struct gw_config *c = p->cfg;
	uint32_t a = inany_ip4(host_src);
	union inany_addr dummy;

	if (!inany_is_v4(host_src))
		return gw_policy6_map_src(p, host_src, guest_src);
	if (a == LOOPBACK) {
		if (!c->host_loopback)
			return GW_DENY_LOOPBACK;
		*guest_src = inany_from_ip4(c->host);
	} else if ((a >> 24) == 127 || (a & c->mask) == c->net) {
		/* Other loopback addresses have no guest-visible name, and a
		 * remote inside the guest LAN's prefix would be answered by
		 * the guest's own neighbours, not through us. */
		return GW_DENY_LOCAL;
	} else {
		*guest_src = *host_src;
	}
	return gw_policy_map_dest(p, guest_src, &dummy);
}

const char *gw_verdict_name(enum gw_verdict v)
{
	switch (v) {
	case GW_ALLOW: return "allow";
	case GW_DENY_BCAST: return "broadcast";
	case GW_DENY_LOCAL: return "local";
	case GW_DENY_LOOPBACK: return "host-loopback=off";
	case GW_DENY_RESTRICT: return "restrict";
	case GW_DENY_EGRESS: return "egress";
	}
	return "?";
}
