/* SPDX-License-Identifier: MIT
 *
 * config.c - parse and validate "-netdev user" options, see config.h.
 *
 * Theory of operation: QEMU's net/slirp.c order is kept so that the same
 * command line yields the same addresses: net= is parsed first (prefix
 * length, dotted mask, or classful when the mask is missing) and moves the
 * default host/dhcpstart/dns into the new network (net|.2, net|.15, net|.3),
 * then explicit host=, dns=, dhcpstart= override and are checked against
 * the network. Every error is one line that names the key.
 */
#include "gateway/config.h"
#include "gateway/nat/guestfwd.h"
#include "config/keyval.h"
#include "core/frame.h"
#include "core/log.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void gw_config_defaults(struct gw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->net = 0x0a000200;
	cfg->mask = 0xffffff00;
	cfg->host = 0x0a000202;
	cfg->dns = 0x0a000203;
	cfg->dhcp_start = 0x0a00020f;
	cfg->ipv6 = true;
	gw_config6_defaults(&cfg->v6);
	cfg->host_loopback = true;
	cfg->mtu = GW_DEFAULT_MTU;
	cfg->max_leases = GW_DEFAULT_MAX_LEASES;
	cfg->max_dns_records = GW_DNSREC_DEFAULT_MAX;
	cfg->max_leases_per_port = GW_DEFAULT_MAX_LEASES_PER_PORT;
	cfg->max_udp_flows = GW_DEFAULT_MAX_UDP_FLOWS;
	cfg->max_frags = GW_DEFAULT_MAX_FRAGS;
	cfg->udp_timeout_ms = GW_DEFAULT_UDP_TIMEOUT_S * 1000;
	cfg->max_tcp_flows = GW_DEFAULT_MAX_TCP_FLOWS;
	cfg->max_ooo_kib = GW_DEFAULT_MAX_OOO_KIB;
	cfg->delayed_ack_ms = GW_DEFAULT_DELAYED_ACK_MS;
	cfg->lease_time_s = GW_DEFAULT_LEASE_TIME_S;
	cfg->max_tftp_transfers = GW_DEFAULT_MAX_TFTP;
	gw_quota_defaults(cfg->quota);
}

static int parse_ip4(const char *s, uint32_t *out)
{
	struct in_addr a;

	/* inet_pton, not inet_aton: "10.2" shorthand is a typo more often
	 * than an intent. */
	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

static const char *ip4_str(uint32_t a, char *buf)
{
	struct in_addr in = { .s_addr = htonl(a) };

	inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
	return buf;
}

static uint32_t classful_mask(uint32_t addr)
{
	if (!(addr & 0x80000000))
		return 0xff000000; /* class A */
	if ((addr & 0xfff00000) == 0xac100000)
		return 0xfff00000; /* 172.16.0.0/12 */
	if ((addr & 0xc0000000) == 0x80000000)
		return 0xffff0000; /* class B */
	if ((addr & 0xffff0000) == 0xc0a80000)
		return 0xffff0000; /* 192.168.0.0/16 */
	if ((addr & 0xffff0000) == 0xc6120000)
		return 0xfffe0000; /* 198.18.0.0/15 */
	if ((addr & 0xe0000000) == 0xe0000000)
		return 0xffffff00; /* class C (sic, as QEMU) */
	return 0xfffffff0;
}

static bool mask_contiguous(uint32_t m)
{
	return ((~m + 1) & ~m) == 0;
}

/* "ADDR", "ADDR/LEN" or "ADDR/DOTTED"; min_len is 4 for net= as QEMU. */
static int parse_cidr(const char *s, unsigned min_len, bool classful, uint32_t *addr,
		      uint32_t *mask)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);

	if (alen >= sizeof(buf))
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (parse_ip4(buf, addr))
		return -1;
	if (!slash) {
		*mask = classful ? classful_mask(*addr) : 0xffffffff;
	} else if (strchr(slash + 1, '.')) {
		if (parse_ip4(slash + 1, mask) || !mask_contiguous(*mask))
			return -1;
	} else {
		char *end;
		long n;

		errno = 0;
		n = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || errno || n < (long)min_len || n > 32)
			return -1;
		*mask = n ? 0xffffffffu << (32 - n) : 0;
	}
	*addr &= *mask;
	return 0;
}

static int mask_len(uint32_t m)
{
	return __builtin_popcount(m);
}

int gw_parse_upstream(const char *s, struct gw_upstream *out)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL;
	unsigned long p = 53;
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->sa;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->sa;
	const char *colon = strchr(s, ':');
	size_t hlen;

	memset(out, 0, sizeof(*out));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || (rb[1] && rb[1] != ':'))
			return -1;
		hlen = (size_t)(rb - s - 1);
		s++;
		port = rb[1] ? rb + 2 : NULL;
	} else if (colon && strchr(colon + 1, ':')) {
		hlen = strlen(s); /* bare IPv6, no port */
	} else {
		hlen = colon ? (size_t)(colon - s) : strlen(s);
		port = colon ? colon + 1 : NULL;
	}
	if (!hlen || hlen >= sizeof(host))
		return -1;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (port) {
		char *end;

		errno = 0;
		p = strtoul(port, &end, 10);
		if (!*port || *end || errno || p < 1 || p > 65535)
			return -1;
	}
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p);
		out->salen = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p);
		out->salen = sizeof(*sin6);
		return 0;
	}
	return -1;
}

/* A nameserver at the gateway's own dns address would be this gateway
 * itself whenever vmwire's sockets can reach it (a TAP of this network in
 * vmwire's own namespace; vmwire started inside a "vmwire run" namespace,
 * whose resolv.conf names 10.0.2.3): every query would come back as a new
 * query and be forwarded again until the in-flight table fills. It cannot
 * be told apart from an outer gateway at the same address, so it is
 * skipped; chain gateways with dns-upstream= or a different net=. */
static bool upstream_loops(const struct gw_config *cfg, const struct gw_upstream *u)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&u->sa;

	return u->sa.ss_family == AF_INET && ntohl(sin->sin_addr.s_addr) == cfg->dns;
}

int gw_resolv_conf_upstreams(const struct gw_config *cfg, const char *path,
			     struct gw_upstream *out, unsigned max, unsigned *looped)
{
	char line[512];
	unsigned n = 0;
	FILE *f = fopen(path ? path : "/etc/resolv.conf", "re");

	*looped = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && n < max) {
		char addr[INET6_ADDRSTRLEN + 1];

		if (sscanf(line, " nameserver %46s", addr) != 1)
			continue;
		if (strchr(addr, '%')) /* link-local scope: not usable here */
			continue;
		if (gw_parse_upstream(addr, &out[n]))
			continue;
		if (upstream_loops(cfg, &out[n])) {
			(*looped)++;
			continue;
		}
		n++;
	}
	fclose(f);
	return (int)n;
}

unsigned gw_read_resolv_conf(struct gw_config *cfg, const char *path)
{
	char a[INET_ADDRSTRLEN];
	unsigned looped;
	int n = gw_resolv_conf_upstreams(cfg, path, cfg->upstream + cfg->n_upstream,
					 GW_UPSTREAM_MAX - cfg->n_upstream, &looped);

	if (looped)
		warn("-netdev user: nameserver %s in %s skipped: it is the gateway's own DNS "
		     "address and would loop", ip4_str(cfg->dns, a),
		     path ? path : "/etc/resolv.conf");
	if (n <= 0)
		return 0;
	cfg->n_upstream += (unsigned)n;
	return (unsigned)n;
}

/* RFC 1035 presentation name: labels 1..63, total <= 253, LDH plus '_'. */
static bool valid_domain(const char *s)
{
	size_t len = strlen(s), label = 0, i;

	if (len && s[len - 1] == '.')
		len--;
	if (!len || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (!label)
				return false;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_')
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0;
}

static bool in_net(const struct gw_config *c, uint32_t a)
{
	return (a & c->mask) == c->net;
}

static bool is_net_or_bcast(const struct gw_config *c, uint32_t a)
{
	return a == c->net || a == (c->net | ~c->mask);
}

static int parse_port(const char *s, unsigned min, uint16_t *out)
{
	char *end;
	unsigned long p;

	errno = 0;
	p = strtoul(s, &end, 10);
	if (!*s || *end || errno || p < min || p > 65535 || s[0] == '-' || s[0] == '+')
		return -1;
	*out = (uint16_t)p;
	return 0;
}

/* Split s at the first sep into a bounded copy; returns the rest or NULL. */
static const char *take(const char *s, char sep, char *buf, size_t size)
{
	const char *p = strchr(s, sep);
	size_t n;

	if (!p)
		return NULL;
	n = (size_t)(p - s);
	if (n >= size)
		return NULL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return p + 1;
}

/* take() for an address that may be an IPv6 one in brackets, "[::1]:":
 * the brackets are kept in buf (gw_parse_ip6_bracketed strips them). */
static const char *take_addr(const char *s, char sep, char *buf, size_t size)
{
	const char *rb;

	if (s[0] != '[')
		return take(s, sep, buf, size);
	if (!(rb = strchr(s, ']')) || rb[1] != sep || (size_t)(rb + 1 - s) >= size)
		return NULL;
	memcpy(buf, s, (size_t)(rb + 1 - s));
	buf[rb + 1 - s] = '\0';
	return rb + 2;
}

/* An IPv4 address, or an IPv6 one in brackets, into a; 0 or -1. */
static int parse_addr_any(const char *s, union inany_addr *a)
{
	struct in6_addr a6;
	uint32_t a4;

	if (s[0] == '[') {
		if (gw_parse_ip6_bracketed(s, strlen(s), &a6) || IN6_IS_ADDR_V4MAPPED(&a6))
			return -1;
		*a = inany_from_in6(&a6);
		return 0;
	}
	if (parse_ip4(s, &a4))
		return -1;
	*a = inany_from_ip4(a4);
	return 0;
}

/* [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport. On error, *why
 * names the part that is wrong, for a message the user can act on. */
static int parse_hostfwd(const struct gw_config *c, const char *s, struct gw_fwd *f,
			 const char **why)
{
	char proto[8], haddr[INET6_ADDRSTRLEN + 2], hport[8], gaddr[INET6_ADDRSTRLEN + 2];
	const char *rest;
	uint32_t a = 0;

	memset(f, 0, sizeof(*f));
	*why = "expected [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport";
	if (!(rest = take(s, ':', proto, sizeof(proto)))) {
		if (strchr(s, ':'))
			*why = "the protocol must be tcp or udp";
		return -1;
	}
	if (!strcmp(proto, "udp")) {
		f->udp = true;
	} else if (*proto && strcmp(proto, "tcp")) {
		*why = "the protocol must be tcp or udp";
		return -1;
	}
	s = rest;
	if (!(rest = take_addr(s, ':', haddr, sizeof(haddr)))) {
		if (strchr(s, ':'))
			*why = "the host address is not an IPv4 address nor an IPv6 one in []";
		return -1;
	}
	/* An empty host address is IPv4's any (the socket is AF_INET). */
	f->host_addr = inany_from_ip4(0);
	if (*haddr && parse_addr_any(haddr, &f->host_addr)) {
		*why = "the host address is not an IPv4 address nor an IPv6 one in []";
		return -1;
	}
	s = rest;
	if (!(rest = take(s, '-', hport, sizeof(hport)))) {
		*why = strchr(s, '-') ? "the host port is out of range (0..65535)"
				      : "missing '-' between hostport and [guestaddr]:guestport";
		return -1;
	}
	if (parse_port(hport, 0, &f->host_port)) {
		*why = "the host port is out of range (0..65535)";
		return -1;
	}
	s = rest;
	if (!(rest = take_addr(s, ':', gaddr, sizeof(gaddr)))) {
		*why = strchr(s, ':') ? "the guest address is not an IPv4 address nor an IPv6 "
					"one in []"
				      : "missing ':' before the guest port";
		return -1;
	}
	if (gaddr[0] == '[') {
		/* "[]": the guest's IPv6 address, as NDP learns it. */
		f->guest_v6 = true;
		f->guest_addr = (union inany_addr){ .u32 = { 0 } };
		*why = "the guest address is not an IPv6 host address in 'ipv6-net' (nor the "
		       "gateway's or DNS address)";
		if (strcmp(gaddr, "[]") &&
		    (parse_addr_any(gaddr, &f->guest_addr) ||
		     !gw_config6_in_net(&c->v6, &f->guest_addr.a6) ||
		     gw_config6_is_ours(&c->v6, &f->guest_addr.a6)))
			return -1;
	} else if (*gaddr) {
		*why = "the guest address is not an IPv4 address";
		if (parse_ip4(gaddr, &a))
			return -1;
		*why = "the guest address is not a guest host address in 'net' (nor the "
		       "gateway's or DNS address)";
		if (!in_net(c, a) || is_net_or_bcast(c, a) || a == c->host || a == c->dns)
			return -1;
		f->guest_addr = inany_from_ip4(a);
	}
	*why = "the guest port is out of range (1..65535)";
	if (parse_port(rest, 1, &f->guest_port))
		return -1;
	*why = NULL;
	return 0;
}

bool gw_hostfwd_overlap(const struct gw_fwd *a, const struct gw_fwd *b)
{
	/* Port 0 asks for an ephemeral port: never the same. An unspecified
	 * host address (INADDR_ANY) takes the port on every address. */
	return a->udp == b->udp && a->host_port && a->host_port == b->host_port &&
	       (inany_is_unspecified(&a->host_addr) || inany_is_unspecified(&b->host_addr) ||
		inany_equals(&a->host_addr, &b->host_addr));
}

/* [tcp]:server:port-dev; server an IPv4 address in 'net' or an IPv6 one
 * in brackets inside 'ipv6-net' (with ipv6=on), neither the gateway's nor
 * its DNS address. */
static int parse_guestfwd(const struct gw_config *c, const char *s, struct gw_fwd *f)
{
	char proto[8], server[INET6_ADDRSTRLEN + 2], port[8];
	uint32_t a;

	memset(f, 0, sizeof(*f));
	if (!(s = take(s, ':', proto, sizeof(proto))) || (*proto && strcmp(proto, "tcp")))
		return -1;
	if (!(s = take_addr(s, ':', server, sizeof(server))))
		return -1;
	if (server[0] == '[') {
		if (!c->v6.on || parse_addr_any(server, &f->guest_addr) ||
		    !gw_config6_in_net(&c->v6, &f->guest_addr.a6) ||
		    gw_config6_is_ours(&c->v6, &f->guest_addr.a6) ||
		    !memcmp(&f->guest_addr.a6, &c->v6.net, 16))
			return -1;
		f->guest_v6 = true;
	} else if (*server) {
		if (parse_ip4(server, &a) || !in_net(c, a))
			return -1;
		f->guest_addr = inany_from_ip4(a);
	} else {
		a = c->net | (0x0204 & ~c->mask); /* QEMU's default .4 */
		f->guest_addr = inany_from_ip4(a);
	}
	if (!(s = take(s, '-', port, sizeof(port))) || parse_port(port, 1, &f->guest_port))
		return -1;
	if (!*s || strlen(s) >= sizeof(f->dev))
		return -1;
	snprintf(f->dev, sizeof(f->dev), "%s", s);
	return 0;
}

/* CIDRs separated by ':'; an IPv6 one in brackets ("[fd00::]/8"), so its
 * colons are not separators. Stored as inany CIDRs. */
static int parse_cidr_list(const char *s, struct inany_cidr *out, unsigned *n)
{
	char item[INET6_ADDRSTRLEN + 8];
	uint32_t addr, mask;

	*n = 0;
	while (*s) {
		const char *rb = s[0] == '[' ? strchr(s, ']') : NULL;
		const char *colon = strchr(rb ? rb : s, ':');
		size_t len = colon ? (size_t)(colon - s) : strlen(s);

		if (!len || len >= sizeof(item) || *n == GW_CIDR_MAX || (s[0] == '[' && !rb))
			return -1;
		memcpy(item, s, len);
		item[len] = '\0';
		if (rb) {
			/* "[ADDR]/LEN" or "[ADDR]": inany_cidr_parse on "ADDR/LEN". */
			size_t alen = (size_t)(rb - s) - 1;

			memmove(item, item + 1, alen);
			memmove(item + alen, item + alen + 2, len - alen - 1);
			if (inany_cidr_parse(item, &out[*n]) || inany_is_v4(&out[*n].addr) ||
			    !strchr(item, ':'))
				return -1;
		} else {
			if (parse_cidr(item, 0, false, &addr, &mask))
				return -1;
			out[*n].addr = inany_from_ip4(addr);
			out[*n].plen = (uint8_t)INANY_V4_PLEN(mask_len(mask));
		}
		(*n)++;
		s += len;
		if (*s == ':' && !*++s)
			return -1; /* trailing ':' */
	}
	return *n ? 0 : -1;
}

static int parse_names(struct gw_config *c, struct kvlist *kv, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		size_t off;
	} names[] = {
		{ "hostname", offsetof(struct gw_config, hostname) },
		{ "domainname", offsetof(struct gw_config, domainname) },
		{ "bootfile", offsetof(struct gw_config, bootfile) },
		{ "tftp-server-name", offsetof(struct gw_config, tftp_server_name) },
	};
	const char *v = NULL;
	unsigned i, it = 0;
	struct stat st;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (kv_get_str(kv, names[i].key, GW_NAME_MAX, &v, err, errlen) < 0)
			return -1;
		if (v)
			snprintf((char *)c + names[i].off, GW_NAME_MAX + 1, "%s", v);
		v = NULL;
	}
	if (c->domainname[0] && !valid_domain(c->domainname)) {
		kv_errorf(err, errlen, kv, "'domainname' is not a valid domain name: '%s'",
			  c->domainname);
		return -1;
	}
	if (kv_get_str(kv, "tftp", sizeof(c->tftp) - 1, &v, err, errlen) < 0)
		return -1;
	if (v)
		snprintf(c->tftp, sizeof(c->tftp), "%s", v);
	/* Looked at, not opened (the gateway opens it at start): a typo is a
	 * one-line error now rather than a failed start. */
	if (c->tftp[0] && (stat(c->tftp, &st) || !S_ISDIR(st.st_mode))) {
		kv_errorf(err, errlen, kv, "'tftp' is not a directory: '%s'", c->tftp);
		return -1;
	}
	while ((v = kv_next(kv, "dnssearch", &it))) {
		if (c->n_dnssearch == GW_DNSSEARCH_MAX) {
			kv_errorf(err, errlen, kv, "'dnssearch' given more than %d times",
				  GW_DNSSEARCH_MAX);
			return -1;
		}
		if (!valid_domain(v)) {
			kv_errorf(err, errlen, kv, "'dnssearch' is not a valid domain name: '%s'", v);
			return -1;
		}
		snprintf(c->dnssearch[c->n_dnssearch++], GW_NAME_MAX + 1, "%s", v);
	}
	return 0;
}

static int parse_addresses(struct gw_config *c, struct kvlist *kv, char *err, size_t errlen)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	const char *v;

	if ((v = kv_get(kv, "net"))) {
		if (parse_cidr(v, 4, true, &c->net, &c->mask)) {
			kv_errorf(err, errlen, kv, "'net' expects ADDR[/LEN] with LEN 4..32 or "
				  "ADDR/DOTTED-MASK, not '%s'", v);
			return -1;
		}
		c->host = c->net | (0x0202 & ~c->mask);
		c->dhcp_start = c->net | (0x020f & ~c->mask);
		c->dns = c->net | (0x0203 & ~c->mask);
	}
	if ((v = kv_get(kv, "host")) && parse_ip4(v, &c->host)) {
		kv_errorf(err, errlen, kv, "'host' expects an IPv4 address, not '%s'", v);
		return -1;
	}
	if (!in_net(c, c->host) || is_net_or_bcast(c, c->host)) {
		kv_errorf(err, errlen, kv, "'host' %s is not a host address in net %s/%d",
			  ip4_str(c->host, a), ip4_str(c->net, b), mask_len(c->mask));
		return -1;
	}
	if ((v = kv_get(kv, "dns")) && parse_ip4(v, &c->dns)) {
		kv_errorf(err, errlen, kv, "'dns' expects an IPv4 address, not '%s'", v);
		return -1;
	}
	if (!in_net(c, c->dns) || is_net_or_bcast(c, c->dns)) {
		kv_errorf(err, errlen, kv, "'dns' %s is not a host address in net %s/%d",
			  ip4_str(c->dns, a), ip4_str(c->net, b), mask_len(c->mask));
		return -1;
	}
	if (c->dns == c->host) {
		kv_errorf(err, errlen, kv, "'dns' must differ from 'host' (%s)", ip4_str(c->host, a));
		return -1;
	}
	if ((v = kv_get(kv, "dhcpstart")) && parse_ip4(v, &c->dhcp_start)) {
		kv_errorf(err, errlen, kv, "'dhcpstart' expects an IPv4 address, not '%s'", v);
		return -1;
	}
	if (!in_net(c, c->dhcp_start) || is_net_or_bcast(c, c->dhcp_start)) {
		kv_errorf(err, errlen, kv, "'dhcpstart' %s is not a host address in net %s/%d",
			  ip4_str(c->dhcp_start, a), ip4_str(c->net, b), mask_len(c->mask));
		return -1;
	}
	if (c->dhcp_start == c->host || c->dhcp_start == c->dns) {
		kv_errorf(err, errlen, kv, "'dhcpstart' must differ from 'host' and 'dns'");
		return -1;
	}
	c->mac[0] = 0x52;
	c->mac[1] = 0x55;
	wr32be(c->mac + 2, c->host);
	return 0;
}

static int parse_leases(struct gw_config *c, struct kvlist *kv, char *err, size_t errlen)
{
	const char *v;
	unsigned it = 0, i;

	while ((v = kv_next(kv, "lease", &it))) {
		struct gw_static_lease *l = &c->leases[c->n_leases];
		char addr[INET_ADDRSTRLEN];
		const char *mac = take(v, '@', addr, sizeof(addr));

		if (c->n_leases == GW_STATIC_LEASE_MAX) {
			kv_errorf(err, errlen, kv, "'lease' given more than %d times",
				  GW_STATIC_LEASE_MAX);
			return -1;
		}
		if (!mac || parse_ip4(addr, &l->addr) || mac_parse(mac, l->mac) ||
		    mac_is_multicast(l->mac) || mac_is_zero(l->mac)) {
			kv_errorf(err, errlen, kv, "'lease' expects ADDR@MAC (unicast MAC), not '%s'", v);
			return -1;
		}
		if (!in_net(c, l->addr) || is_net_or_bcast(c, l->addr) || l->addr == c->host ||
		    l->addr == c->dns) {
			kv_errorf(err, errlen, kv, "'lease' address %s must be a free host address in "
				  "'net'", addr);
			return -1;
		}
		for (i = 0; i < c->n_leases; i++) {
			if (c->leases[i].addr == l->addr || !memcmp(c->leases[i].mac, l->mac, 6)) {
				kv_errorf(err, errlen, kv, "'lease' %s repeats an address or MAC", v);
				return -1;
			}
		}
		c->n_leases++;
	}
	return 0;
}

int gw_parse_hostfwd(const struct gw_config *c, const char *s, struct gw_fwd *f,
		     const char **why)
{
	return parse_hostfwd(c, s, f, why);
}

static int parse_fwds(struct gw_config *c, struct kvlist *kv, char *err, size_t errlen)
{
	const char *v, *why, *rule[GW_FWD_MAX];
	unsigned it = 0, i;

	while ((v = kv_next(kv, "hostfwd", &it))) {
		if (c->n_hostfwd == GW_FWD_MAX) {
			kv_errorf(err, errlen, kv, "'hostfwd' given more than %d times", GW_FWD_MAX);
			return -1;
		}
		if (parse_hostfwd(c, v, &c->hostfwd[c->n_hostfwd], &why)) {
			kv_errorf(err, errlen, kv, "'hostfwd=%s': %s", v, why);
			return -1;
		}
		/* Caught here, not as EADDRINUSE once the first rule is bound. */
		for (i = 0; i < c->n_hostfwd; i++) {
			if (gw_hostfwd_overlap(&c->hostfwd[i], &c->hostfwd[c->n_hostfwd])) {
				kv_errorf(err, errlen, kv, "'hostfwd=%s' and 'hostfwd=%s' listen on "
					  "the same %s host port %u", rule[i], v,
					  c->hostfwd[i].udp ? "UDP" : "TCP", c->hostfwd[i].host_port);
				return -1;
			}
		}
		rule[c->n_hostfwd++] = v;
	}
	it = 0;
	while ((v = kv_next(kv, "guestfwd", &it))) {
		if (c->n_guestfwd == GW_FWD_MAX) {
			kv_errorf(err, errlen, kv, "'guestfwd' given more than %d times", GW_FWD_MAX);
			return -1;
		}
		if (parse_guestfwd(c, v, &c->guestfwd[c->n_guestfwd])) {
			kv_errorf(err, errlen, kv, "'guestfwd' expects [tcp]:[server]:port-dev with "
				  "server in 'net' (or [V6] in 'ipv6-net'), not '%s'", v);
			return -1;
		}
		if (gw_guestfwd_check_dev(c->guestfwd[c->n_guestfwd].dev, &why)) {
			kv_errorf(err, errlen, kv, "'guestfwd' device '%s': %s",
				  c->guestfwd[c->n_guestfwd].dev, why);
			return -1;
		}
		c->n_guestfwd++;
	}
	return 0;
}

static int parse_vmwire(struct gw_config *c, struct kvlist *kv, const char *resolv_conf,
			char *err, size_t errlen)
{
	const char *v, *sg;
	unsigned it = 0;
	uint64_t n;
	int r;

	while ((v = kv_next(kv, "dns-upstream", &it))) {
		if (c->n_upstream == GW_UPSTREAM_MAX) {
			kv_errorf(err, errlen, kv, "'dns-upstream' given more than %d times",
				  GW_UPSTREAM_MAX);
			return -1;
		}
		if (gw_parse_upstream(v, &c->upstream[c->n_upstream])) {
			kv_errorf(err, errlen, kv, "'dns-upstream' expects ADDR[:PORT] or [V6ADDR]:PORT, "
				  "not '%s'", v);
			return -1;
		}
		c->n_upstream++;
	}
	v = NULL;
	if (kv_get_str(kv, "resolv-conf", sizeof(c->resolv_conf) - 1, &v, err, errlen) < 0)
		return -1;
	if (v && c->n_upstream) {
		kv_errorf(err, errlen, kv, "'resolv-conf' cannot be used with 'dns-upstream'");
		return -1;
	}
	if (v)
		resolv_conf = v;
	if (!c->n_upstream) {
		snprintf(c->resolv_conf, sizeof(c->resolv_conf), "%s",
			 resolv_conf ? resolv_conf : "/etc/resolv.conf");
		if (!gw_read_resolv_conf(c, c->resolv_conf))
			debug("-netdev user: no usable nameserver in %s; DNS forwarding answers "
			      "SERVFAIL until it has one", c->resolv_conf);
	}
	if (kv_get_bool(kv, "host-loopback", &c->host_loopback, err, errlen) < 0)
		return -1;
	v = NULL;
	if (kv_get_str(kv, "hostfwd-source", 16, &v, err, errlen) < 0)
		return -1;
	if (v && !strcmp(v, "host"))
		c->hostfwd_source_host = true;
	else if (v && strcmp(v, "client")) {
		kv_errorf(err, errlen, kv, "'hostfwd-source' expects client or host, not '%s'", v);
		return -1;
	}
	v = NULL;
	if (kv_get_str(kv, "udp-filter", 16, &v, err, errlen) < 0)
		return -1;
	if (v && !strcmp(v, "address-port"))
		c->udp_filter = GW_UDP_FILTER_ADDR_PORT;
	else if (v && !strcmp(v, "address"))
		c->udp_filter = GW_UDP_FILTER_ADDR;
	else if (v && !strcmp(v, "endpoint"))
		c->udp_filter = GW_UDP_FILTER_ENDPOINT;
	else if (v) {
		kv_errorf(err, errlen, kv, "'udp-filter' expects address-port, address or "
			  "endpoint, not '%s'", v);
		return -1;
	}
	if ((r = kv_get_uint(kv, "mtu", GW_MTU_MIN, GW_MTU_MAX, &n, err, errlen)) < 0)
		return -1;
	if (r) {
		c->mtu = (unsigned)n;
		c->mtu_set = true;
	}
	if ((r = kv_get_uint(kv, "max-leases", 1, 1024, &n, err, errlen)) < 0)
		return -1;
	if (r)
		c->max_leases = (unsigned)n;
	if ((r = kv_get_uint(kv, "max-leases-per-port", 0, 1024, &n, err, errlen)) < 0)
		return -1;
	if (r)
		c->max_leases_per_port = (unsigned)n;
	if ((sg = kv_get(kv, "source-guard"))) {
		if (strcmp(sg, "strict") && strcmp(sg, "lease")) {
			kv_errorf(err, errlen, kv, "'source-guard' expects lease or strict, "
				  "not '%s'", sg);
			return -1;
		}
		c->source_guard_strict = !strcmp(sg, "strict");
	}
	if ((r = kv_get_uint(kv, "max-udp-flows", 1, 65536, &n, err, errlen)) < 0)
		return -1;
	if (r)
		c->max_udp_flows = (unsigned)n;
	if ((r = kv_get_uint(kv, "max-tcp-flows", 1, 1 << 20, &n, err, errlen)) < 0)
		return -1;
	if (r)
		c->max_tcp_flows = (unsigned)n;
	if ((r = kv_get_uint(kv, "max-ooo-kib", 0, 1 << 18, &n, err, errlen)) < 0)
		return -1;
	if (r)
		c->max_ooo_kib = (unsigned)n;
	if ((r = kv_get_uint(kv, "delayed-ack-ms", 0, GW_MAX_DELAYED_ACK_MS, &n, err, errlen)) < 0)
		return -1;
	if (r)
		c->delayed_ack_ms = (unsigned)n;
	if ((r = kv_get_uint(kv, "max-tftp-transfers", 1, GW_MAX_TFTP_MAX, &n, err, errlen)) < 0)
		return -1;
	if (r)
		c->max_tftp_transfers = (unsigned)n;
	if ((r = kv_get_uint(kv, "max-frags", 0, 1024, &n, err, errlen)) < 0)
		return -1;
	if (r)
		c->max_frags = (unsigned)n;
	if ((r = kv_get_uint(kv, "udp-timeout", 1, 86400, &n, err, errlen)) < 0)
		return -1;
	if (r)
		c->udp_timeout_ms = (unsigned)n * 1000;
	if ((r = kv_get_uint(kv, "lease-time", GW_LEASE_TIME_MIN_S, GW_LEASE_TIME_MAX_S, &n, err,
			     errlen)) < 0)
		return -1;
	if (r)
		c->lease_time_s = (uint32_t)n;
	if ((v = kv_get(kv, "egress-allow")) &&
	    parse_cidr_list(v, c->egress_allow, &c->n_egress_allow)) {
		kv_errorf(err, errlen, kv, "'egress-allow' expects CIDR[:CIDR...] (at most %d), "
			  "not '%s'", GW_CIDR_MAX, v);
		return -1;
	}
	if ((v = kv_get(kv, "egress-deny")) &&
	    parse_cidr_list(v, c->egress_deny, &c->n_egress_deny)) {
		kv_errorf(err, errlen, kv, "'egress-deny' expects CIDR[:CIDR...] (at most %d), "
			  "not '%s'", GW_CIDR_MAX, v);
		return -1;
	}
	return 0;
}

/* dns-record=NAME=ADDR (repeatable), dns-zone=FILE, max-dns-records=N. */
static int parse_dns_records(struct gw_config *c, struct kvlist *kv, char *err, size_t errlen)
{
	char zerr[512];
	const char *v, *why;
	unsigned it = 0;
	uint64_t n;
	int r;

	if ((r = kv_get_uint(kv, "max-dns-records", 1, GW_DNSREC_LIMIT, &n, err, errlen)) < 0)
		return -1;
	if (r)
		c->max_dns_records = (unsigned)n;
	while ((v = kv_next(kv, "dns-record", &it))) {
		struct gw_dns_record_arg *d = &c->dns_records[c->n_dns_records];

		if (c->n_dns_records == GW_DNSREC_ARGS_MAX) {
			kv_errorf(err, errlen, kv, "'dns-record' given more than %d times (use "
				  "dns-zone=FILE)", GW_DNSREC_ARGS_MAX);
			return -1;
		}
		if (gw_dnsrec_parse_spec(v, d->name, &d->addr, &why)) {
			kv_errorf(err, errlen, kv, "'dns-record' %s: '%s'", why, v);
			return -1;
		}
		c->n_dns_records++;
	}
	if (kv_get_str(kv, "dns-zone", sizeof(c->dns_zone) - 1, &v, err, errlen) < 0)
		return -1;
	if (!v)
		return 0;
	snprintf(c->dns_zone, sizeof(c->dns_zone), "%s", v);
	/* Checked now, read again at start: a typo is a one-line error here. */
	if ((r = gw_dnsrec_load_zone(NULL, v, zerr, sizeof(zerr))) < 0) {
		kv_errorf(err, errlen, kv, "'dns-zone' %s", zerr);
		return -1;
	}
	if ((unsigned)r + c->n_dns_records > c->max_dns_records) {
		kv_errorf(err, errlen, kv, "'dns-zone' %s has %d records, more than "
			  "max-dns-records=%u", v, r, c->max_dns_records);
		return -1;
	}
	return 0;
}

int gw_config_parse(struct gw_config *c, struct kvlist *kv, const char *resolv_conf,
		    char *err, size_t errlen)
{
	bool ipv4 = true;

	gw_config_defaults(c);
	if (kv_get_bool(kv, "ipv4", &ipv4, err, errlen) < 0)
		return -1;
	if (!ipv4) {
		kv_errorf(err, errlen, kv, "'ipv4=off' is not supported yet");
		return -1;
	}
	if (kv_get_bool(kv, "restrict", &c->restrict_, err, errlen) < 0)
		return -1;
	/* IPv6 before the rules: hostfwd= may name an ipv6-net guest. */
	if (parse_addresses(c, kv, err, errlen) || parse_names(c, kv, err, errlen) ||
	    parse_leases(c, kv, err, errlen) || gw_config6_parse(c, kv, err, errlen) ||
	    parse_fwds(c, kv, err, errlen) || parse_dns_records(c, kv, err, errlen) ||
	    parse_vmwire(c, kv, resolv_conf, err, errlen) ||
	    gw_quota_parse_keys(c->quota, kv, err, errlen))
		return -1;
	return 0;
}
