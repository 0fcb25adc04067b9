/* SPDX-License-Identifier: MIT
 *
 * policy.c - see policy.h.
 */
#include "gateway/nat/policy.h"
#include "gateway/config.h"

#include <stdbool.h>
#include <string.h>

#define LOOPBACK 0x7f000001u

void gw_policy_init(struct gw_policy *p, const struct gw_config *cfg)
{
	p->cfg = cfg;
}

static bool in_cidrs(const struct gw_cidr *l, unsigned n, uint32_t a)
{
	for (unsigned i = 0; i < n; i++)
		if ((a & l[i].mask) == (l[i].addr & l[i].mask))
			return true;
	return false;
}

static bool never_routed(uint32_t a)
{
	return a == 0xffffffffu || (a >> 28) >= 14 || (a >> 24) == 0;
}

static enum gw_verdict egress(const struct gw_config *c, uint32_t host_addr)
{
	if (in_cidrs(c->egress_deny, c->n_egress_deny, host_addr))
		return GW_DENY_EGRESS;
	if (c->n_egress_allow && !in_cidrs(c->egress_allow, c->n_egress_allow, host_addr))
		return GW_DENY_EGRESS;
	return GW_ALLOW;
}

uint32_t gw_policy_host_addr(const struct gw_policy *p, uint32_t guest_addr)
{
	const struct gw_config *c = p->cfg;

	if (guest_addr == c->host)
		return c->host_loopback ? LOOPBACK : 0;
	if ((guest_addr & c->mask) == c->net || (guest_addr >> 24) == 127 ||
	    never_routed(guest_addr))
		return 0;
	return guest_addr;
}

enum gw_verdict gw_policy_map_dest(const struct gw_policy *p, uint32_t guest_dst,
				   uint16_t port, struct sockaddr_in *out)
{
	const struct gw_config *c = p->cfg;
	uint32_t host_addr;

	if (never_routed(guest_dst) || guest_dst == (c->net | ~c->mask))
		return GW_DENY_BCAST;
	if (c->restrict_)
		return GW_DENY_RESTRICT;
	if (guest_dst == c->host) {
		if (!c->host_loopback)
			return GW_DENY_LOOPBACK;
		host_addr = LOOPBACK;
	} else if ((guest_dst & c->mask) == c->net || (guest_dst >> 24) == 127) {
		return GW_DENY_LOCAL;
	} else {
		host_addr = guest_dst;
	}
	if (egress(c, host_addr) != GW_ALLOW)
		return GW_DENY_EGRESS;
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_addr.s_addr = htonl(host_addr);
	out->sin_port = htons(port);
	return GW_ALLOW;
}

enum gw_verdict gw_policy_map_src(const struct gw_policy *p, const struct sockaddr_in *from,
				  uint32_t *guest_src)
{
	const struct gw_config *c = p->cfg;
	uint32_t a = ntohl(from->sin_addr.s_addr);
	struct sockaddr_in dummy;
	enum gw_verdict v;

	if (from->sin_family != AF_INET)
		return GW_DENY_LOCAL;
	if (a == LOOPBACK) {
		if (!c->host_loopback)
			return GW_DENY_LOOPBACK;
		*guest_src = c->host;
	} else if ((a >> 24) == 127 || (a & c->mask) == c->net) {
		/* Other loopback addresses have no guest-visible name, and a
		 * remote inside the guest LAN's prefix would be answered by
		 * the guest's own neighbours, not through us. */
		return GW_DENY_LOCAL;
	} else {
		*guest_src = a;
	}
	v = gw_policy_map_dest(p, *guest_src, ntohs(from->sin_port), &dummy);
	return v;
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
