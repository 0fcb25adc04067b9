/* SPDX-License-Identifier: MIT
 *
 * config6.c - the IPv6 keys of "-netdev user", see config.h.
 *
 * Theory of operation: QEMU's names and defaults, in QEMU's order. The
 * prefix comes from ipv6-net=ADDR[/LEN] or from the older pair
 * ipv6-prefix=ADDR, ipv6-prefixlen=LEN (not both forms at once); the
 * default is fec0::/64. The host and DNS addresses default to the prefix
 * with ::2 and ::3 in its last byte, and must lie inside it. Their
 * link-local forms (fe80:: plus the same interface identifier) are derived,
 * never given: NDP answers for them and sends router advertisements from
 * the host's. vmwire's own keys: ipv6-dhcp= picks what DHCPv6 offers (and
 * the RA's M/O flags), lease6=ADDR@MAC pins a DHCPv6 address to a MAC,
 * ra-interval= spaces the unsolicited router advertisements. Every error is
 * one line naming the key.
 */
#include "gateway/config.h"
#include "config/keyval.h"
#include "core/frame.h"
#include "core/log.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GW_RA_INTERVAL_DEFAULT_S 60
#define GW_RA_INTERVAL_MIN_S 4    /* RFC 4861 MinRtrAdvInterval floor is 3 */
#define GW_RA_INTERVAL_MAX_S 1800 /* MaxRtrAdvInterval */

void gw_config6_defaults(struct gw_config6 *v6)
{
	memset(v6, 0, sizeof(*v6));
	v6->on = true;
	inet_pton(AF_INET6, "fec0::", &v6->net);
	v6->prefixlen = 64;
	v6->host = v6->net;
	v6->host.s6_addr[15] |= 2;
	v6->dns = v6->net;
	v6->dns.s6_addr[15] |= 3;
	v6->ra_interval_s = GW_RA_INTERVAL_DEFAULT_S;
}

static void prefix_mask(struct in6_addr *a, unsigned plen)
{
	unsigned i;

	for (i = 0; i < 16; i++) {
		if (plen >= 8)
			plen -= 8;
		else {
			a->s6_addr[i] &= (uint8_t)(0xff00 >> plen);
			plen = 0;
		}
	}
}

static bool same_net(const struct in6_addr *a, const struct in6_addr *b, unsigned plen)
{
	struct in6_addr x = *a, y = *b;

	prefix_mask(&x, plen);
	prefix_mask(&y, plen);
	return !memcmp(&x, &y, sizeof(x));
}

bool gw_config6_in_net(const struct gw_config6 *v6, const struct in6_addr *a)
{
	return same_net(a, &v6->net, v6->prefixlen);
}

bool gw_config6_is_ours(const struct gw_config6 *v6, const struct in6_addr *a)
{
	return !memcmp(a, &v6->host, 16) || !memcmp(a, &v6->dns, 16) ||
	       !memcmp(a, &v6->host_ll, 16) || !memcmp(a, &v6->dns_ll, 16);
}

int gw_parse_ip6_bracketed(const char *s, size_t len, struct in6_addr *a)
{
	char buf[INET6_ADDRSTRLEN + 2];

	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET6, buf, a) == 1 ? 0 : -1;
}

static int parse_plen(const char *s, unsigned *out)
{
	char *end;
	long n;

	if (!s || !*s || s[0] == '-' || s[0] == '+')
		return -1;
	n = strtol(s, &end, 10);
	/* QEMU's range: a /127 or /128 leaves no room for host and dns. */
	if (*end || n < 1 || n > 126)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int parse_net(struct gw_config6 *v6, struct kvlist *kv, char *err, size_t errlen)
{
	const char *net = kv_get(kv, "ipv6-net"), *pfx = kv_get(kv, "ipv6-prefix"),
		   *plen = kv_get(kv, "ipv6-prefixlen");

	if (net && (pfx || plen)) {
		kv_errorf(err, errlen, kv, "'ipv6-net' cannot be used with '%s'",
			  pfx ? "ipv6-prefix" : "ipv6-prefixlen");
		return -1;
	}
	if (net) {
		const char *slash = strchr(net, '/');
		size_t alen = slash ? (size_t)(slash - net) : strlen(net);

		if (gw_parse_ip6_bracketed(net, alen, &v6->net) ||
		    (slash && parse_plen(slash + 1, &v6->prefixlen))) {
			kv_errorf(err, errlen, kv, "'ipv6-net' expects an IPv6 ADDR[/LEN] with LEN "
				  "1..126, not '%s'", net);
			return -1;
		}
	}
	if (pfx && gw_parse_ip6_bracketed(pfx, strlen(pfx), &v6->net)) {
		kv_errorf(err, errlen, kv, "'ipv6-prefix' expects an IPv6 address, not '%s'", pfx);
		return -1;
	}
	if (plen && parse_plen(plen, &v6->prefixlen)) {
		kv_errorf(err, errlen, kv, "'ipv6-prefixlen' expects 1..126, not '%s'", plen);
		return -1;
	}
	if (IN6_IS_ADDR_MULTICAST(&v6->net) || IN6_IS_ADDR_LINKLOCAL(&v6->net) ||
	    IN6_IS_ADDR_LOOPBACK(&v6->net) || IN6_IS_ADDR_V4MAPPED(&v6->net)) {
		kv_errorf(err, errlen, kv, "'%s' must be a unicast, not link-local prefix",
			  net ? "ipv6-net" : "ipv6-prefix");
		return -1;
	}
	prefix_mask(&v6->net, v6->prefixlen);
	if (v6->prefixlen != 64)
		warn("-netdev user: IPv6 prefix length %u: guests autoconfigure (SLAAC) only on "
		     "a /64, give them DHCPv6 (ipv6-dhcp=stateful)", v6->prefixlen);
	return 0;
}

/* ipv6-host= / ipv6-dns=: inside the prefix, not its subnet-router anycast. */
static int parse_own(struct gw_config6 *v6, struct kvlist *kv, const char *key, const char *v,
		     struct in6_addr *a, uint8_t last, char *err, size_t errlen)
{
	static const struct in6_addr zero;
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr host_part;

	*a = v6->net;
	a->s6_addr[15] |= last;
	if (v && gw_parse_ip6_bracketed(v, strlen(v), a)) {
		kv_errorf(err, errlen, kv, "'%s' expects an IPv6 address, not '%s'", key, v);
		return -1;
	}
	host_part = *a;
	prefix_mask(&host_part, v6->prefixlen);
	if (!gw_config6_in_net(v6, a) || !memcmp(a, &host_part, 16) || !memcmp(a, &zero, 16)) {
		inet_ntop(AF_INET6, &v6->net, buf, sizeof(buf));
		kv_errorf(err, errlen, kv, "'%s' must be a host address in ipv6-net %s/%u", key, buf,
			  v6->prefixlen);
		return -1;
	}
	return 0;
}

static void link_local(struct in6_addr *ll, const struct in6_addr *a)
{
	memset(ll, 0, sizeof(*ll));
	ll->s6_addr[0] = 0xfe;
	ll->s6_addr[1] = 0x80;
	memcpy(ll->s6_addr + 8, a->s6_addr + 8, 8);
}

static int parse_leases6(struct gw_config6 *v6, struct kvlist *kv, char *err, size_t errlen)
{
	const char *v;
	unsigned it = 0, i;

	while ((v = kv_next(kv, "lease6", &it))) {
		const char *at = strrchr(v, '@');
		struct gw_static_lease6 *l = &v6->leases[v6->n_leases];

		if (v6->n_leases == GW_STATIC_LEASE_MAX) {
			kv_errorf(err, errlen, kv, "'lease6' given more than %d times",
				  GW_STATIC_LEASE_MAX);
			return -1;
		}
		if (!at || gw_parse_ip6_bracketed(v, (size_t)(at - v), &l->addr) ||
		    mac_parse(at + 1, l->mac) || mac_is_multicast(l->mac) || mac_is_zero(l->mac)) {
			kv_errorf(err, errlen, kv, "'lease6' expects ADDR@MAC (IPv6, unicast MAC), "
				  "not '%s'", v);
			return -1;
		}
		if (!gw_config6_in_net(v6, &l->addr) || gw_config6_is_ours(v6, &l->addr)) {
			kv_errorf(err, errlen, kv, "'lease6' address of '%s' must be a free host "
				  "address in 'ipv6-net'", v);
			return -1;
		}
		for (i = 0; i < v6->n_leases; i++) {
			if (!memcmp(&v6->leases[i].addr, &l->addr, 16) ||
			    !memcmp(v6->leases[i].mac, l->mac, 6)) {
				kv_errorf(err, errlen, kv, "'lease6' %s repeats an address or MAC", v);
				return -1;
			}
		}
		v6->n_leases++;
	}
	return 0;
}

int gw_config6_parse(struct gw_config *c, struct kvlist *kv, char *err, size_t errlen)
{
	struct gw_config6 *v6 = &c->v6;
	const char *v;
	uint64_t n;
	int r;

	gw_config6_defaults(v6);
	if (kv_get_bool(kv, "ipv6", &v6->on, err, errlen) < 0 || parse_net(v6, kv, err, errlen) ||
	    parse_own(v6, kv, "ipv6-host", kv_get(kv, "ipv6-host"), &v6->host, 2, err, errlen) ||
	    parse_own(v6, kv, "ipv6-dns", kv_get(kv, "ipv6-dns"), &v6->dns, 3, err, errlen))
		return -1;
	if (!memcmp(&v6->host, &v6->dns, 16)) {
		kv_errorf(err, errlen, kv, "'ipv6-dns' must differ from 'ipv6-host'");
		return -1;
	}
	link_local(&v6->host_ll, &v6->host);
	link_local(&v6->dns_ll, &v6->dns);
	if (!memcmp(&v6->host_ll, &v6->dns_ll, 16)) {
		kv_errorf(err, errlen, kv, "'ipv6-dns' must differ from 'ipv6-host' in its last "
			  "64 bits (their link-local forms would be the same)");
		return -1;
	}
	if ((v = kv_get(kv, "ipv6-dhcp"))) {
		if (!strcmp(v, "stateless"))
			v6->dhcp = GW_DHCP6_STATELESS;
		else if (!strcmp(v, "stateful"))
			v6->dhcp = GW_DHCP6_STATEFUL;
		else if (!strcmp(v, "off"))
			v6->dhcp = GW_DHCP6_OFF;
		else {
			kv_errorf(err, errlen, kv, "'ipv6-dhcp' expects off, stateless or stateful, "
				  "not '%s'", v);
			return -1;
		}
	}
	if ((r = kv_get_uint(kv, "ra-interval", GW_RA_INTERVAL_MIN_S, GW_RA_INTERVAL_MAX_S, &n,
			     err, errlen)) < 0)
		return -1;
	if (r)
		v6->ra_interval_s = (unsigned)n;
	if (parse_leases6(v6, kv, err, errlen))
		return -1;
	c->ipv6 = v6->on;
	return 0;
}
