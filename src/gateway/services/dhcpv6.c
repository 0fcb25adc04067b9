/* SPDX-License-Identifier: MIT
 *
 * dhcpv6.c - see dhcpv6.h.
 */
#include "gateway/services/dhcpv6.h"
#include "core/frame.h"
#include "core/port.h"
#include "gateway/config.h"
#include "gateway/env.h"
#include "gateway/ip/ipv6.h"
#include "gateway/nat/guestfwd.h"
#include "gateway/pkt.h"
#include "gateway/service.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

enum {
	D6_SOLICIT = 1, D6_ADVERTISE, D6_REQUEST, D6_CONFIRM, D6_RENEW, D6_REBIND, D6_REPLY,
	D6_RELEASE, D6_DECLINE, D6_RECONFIGURE, D6_INFO_REQUEST,
};
enum {
	O_CLIENTID = 1, O_SERVERID = 2, O_IA_NA = 3, O_IAADDR = 5, O_ORO = 6, O_STATUS = 13,
	O_RAPID_COMMIT = 14, O_DNS_SERVERS = 23, O_DOMAIN_LIST = 24, O_BOOTFILE_URL = 59,
};
enum { ST_SUCCESS = 0, ST_NOADDRS = 2, ST_NOBINDING = 3, ST_NOTONLINK = 4 };

#define D6_SERVER_PORT 547
#define D6_CLIENT_PORT 546

static const struct in6_addr all_servers = { { { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
						 0, 2 } } };

int gw_dhcpv6_init(struct gw_dhcpv6 *d, const struct gw_env *env)
{
	memset(d, 0, sizeof(*d));
	d->env = env;
	d->n = env->cfg->max_leases;
	d->leases = calloc(d->n, sizeof(*d->leases));
	if (!d->leases)
		return -1;
	d->duid[1] = 3; /* DUID-LL */
	d->duid[3] = 1; /* Ethernet */
	memcpy(d->duid + 4, env->cfg->mac, 6);
	return 0;
}

void gw_dhcpv6_fini(struct gw_dhcpv6 *d)
{
	free(d->leases);
	d->leases = NULL;
}

/* The sub-options of an IA_NA (after IAID, T1, T2): its first IAADDR. */
static int parse_ia(const uint8_t *p, size_t len, struct gw_dhcp6_msg *m, unsigned *budget)
{
	size_t i = 12;

	if (len < 12)
		return -1;
	m->has_ia_na = true;
	m->iaid = rd32be(p);
	while (i < len) {
		size_t olen;

		if (len - i < 4 || !(*budget)--)
			return -1;
		olen = rd16be(p + i + 2);
		if (olen > len - i - 4)
			return -1;
		if (rd16be(p + i) == O_IAADDR) {
			if (olen < 24)
				return -1;
			if (!m->has_addr) {
				memcpy(&m->addr, p + i + 4, 16);
				m->has_addr = true;
			}
		}
		i += 4 + olen;
	}
	return 0;
}

int gw_dhcpv6_parse(const uint8_t *p, size_t len, struct gw_dhcp6_msg *m)
{
	unsigned budget = GW_DHCP6_MAX_OPTS;
	size_t i = 4;

	memset(m, 0, sizeof(*m));
	if (len < 4)
		return -1;
	m->type = p[0];
	m->xid = (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	while (i < len) {
		size_t olen;
		uint16_t code;

		if (len - i < 4 || !budget--)
			return -1;
		code = rd16be(p + i);
		olen = rd16be(p + i + 2);
		if (olen > len - i - 4)
			return -1;
		switch (code) {
		case O_CLIENTID:
		case O_SERVERID:
			if (olen < 2 || olen > GW_DHCP6_DUID_MAX)
				return -1;
			if (code == O_CLIENTID) {
				m->client_id = p + i + 4;
				m->client_id_len = olen;
			} else {
				m->server_id = p + i + 4;
				m->server_id_len = olen;
			}
			break;
		case O_IA_NA:
			if (!m->has_ia_na && parse_ia(p + i + 4, olen, m, &budget))
				return -1;
			break;
		case O_RAPID_COMMIT:
			m->rapid_commit = true;
			break;
		case O_ORO: /* 2-byte codes; an odd trailing byte is no code */
			for (size_t k = 0; k + 2 <= olen; k += 2)
				if (rd16be(p + i + 4 + k) == O_BOOTFILE_URL)
					m->want_bootfile_url = true;
			break;
		}
		i += 4 + olen;
	}
	return 0;
}

/* ---- the boot file URL (RFC 5970) ------------------------------------------ */

/* Appends s (n bytes) to out at *len, percent-encoding what RFC 3986
 * does not allow in a path (keep: also allowed there); false when it
 * does not fit. */
static bool url_put(char *out, size_t cap, size_t *len, const char *s, size_t n, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9') || (ch && strchr("-._~!$&'()*+,;=", ch)) ||
			     (ch && strchr(keep, ch));

		if (cap - *len < (plain ? 1u : 3u) + 1)
			return false;
		if (plain) {
			out[(*len)++] = (char)ch;
			continue;
		}
		out[(*len)++] = '%';
		out[(*len)++] = hex[ch >> 4];
		out[(*len)++] = hex[ch & 15];
	}
	out[*len] = '\0';
	return true;
}

/* tftp-server-name= as the URL's host: an IPv6 literal in brackets, a
 * DNS name as it is; "" for an IPv4 literal (a client booting over IPv6
 * may have no IPv4) and for anything that is not a host name. */
static void url_host(const struct gw_config *c, char *out, size_t cap)
{
	const char *n = c->tftp_server_name;
	struct in6_addr a6;
	struct in_addr a4;

	out[0] = '\0';
	if (!n[0] || inet_pton(AF_INET, n, &a4) == 1)
		return;
	if (inet_pton(AF_INET6, n, &a6) == 1) {
		char t[INET6_ADDRSTRLEN];

		snprintf(out, cap, "[%s]", inet_ntop(AF_INET6, &a6, t, sizeof(t)));
		return;
	}
	if (strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
	    strlen(n))
		return;
	snprintf(out, cap, "%s", n);
}

size_t gw_dhcpv6_bootfile_url(const struct gw_config *c, char *out, size_t cap)
{
	const char *file = c->bootfile;
	char host[GW_NAME_MAX + 3];
	size_t len = 0;
	int n;

	if (!file[0] || cap < 2)
		return 0;
	if (strstr(file, "://")) { /* a URL already (iPXE: http://...) */
		n = snprintf(out, cap, "%s", file);
		return n > 0 && (size_t)n < cap ? (size_t)n : 0;
	}
	url_host(c, host, sizeof(host));
	if (!host[0]) {
		char t[INET6_ADDRSTRLEN];

		snprintf(host, sizeof(host), "[%s]",
			 inet_ntop(AF_INET6, &c->v6.host, t, sizeof(t)));
	}
	n = snprintf(out, cap, "tftp://%s/", host);
	if (n <= 0 || (size_t)n >= cap)
		return 0;
	len = (size_t)n;
	/* The server serves names beneath DIR, a leading '/' or not. */
	file += strspn(file, "/");
	return url_put(out, cap, &len, file, strlen(file), "/:@") ? len : 0;
}

/* ---- the reply ------------------------------------------------------------ */

struct out {
	uint8_t *p;
	size_t len, cap;
	bool overflow;
};

static uint8_t *opt(struct out *o, uint16_t code, size_t len)
{
	uint8_t *at;

	if (o->overflow || o->cap - o->len < 4 + len) {
		o->overflow = true;
		return NULL;
	}
	at = o->p + o->len;
	wr16be(at, code);
	wr16be(at + 2, (uint16_t)len);
	o->len += 4 + len;
	return at + 4;
}

static void opt_data(struct out *o, uint16_t code, const void *d, size_t len)
{
	uint8_t *at = opt(o, code, len);

	if (at)
		memcpy(at, d, len);
}

/* RFC 3646: the search list as uncompressed DNS names. */
static void domain_list(struct out *o, const struct gw_config *c)
{
	uint8_t buf[512];
	size_t n = 0;

	for (unsigned i = 0; i < c->n_dnssearch; i++) {
		const char *s = c->dnssearch[i];
		size_t len = strlen(s);

		if (len && s[len - 1] == '.')
			len--;
		if (!len || n + len + 2 > sizeof(buf))
			continue;
		while (len) {
			const char *dot = memchr(s, '.', len);
			size_t l = dot ? (size_t)(dot - s) : len;

			if (!l || l > 63)
				break;
			buf[n++] = (uint8_t)l;
			memcpy(buf + n, s, l);
			n += l;
			s += l + (dot ? 1 : 0);
			len -= l + (dot ? 1 : 0);
		}
		buf[n++] = 0;
	}
	if (n)
		opt_data(o, O_DOMAIN_LIST, buf, n);
}

/* RFC 5970 option 59, when the client's ORO asked for it and bootfile=
 * is set. */
static void bootfile_url(struct out *o, const struct gw_config *c, const struct gw_dhcp6_msg *m)
{
	char url[GW_DHCP6_URL_MAX];
	size_t n;

	if (m->want_bootfile_url && (n = gw_dhcpv6_bootfile_url(c, url, sizeof(url))))
		opt_data(o, O_BOOTFILE_URL, url, n);
}

static void status(struct out *o, uint16_t code)
{
	uint8_t *at = opt(o, O_STATUS, 2);

	if (at)
		wr16be(at, code);
}

/* IA_NA with the lease's address (lifetimes 0: released or refused). */
static void ia_na(struct out *o, uint32_t iaid, const struct in6_addr *a, uint32_t life,
		  int st)
{
	size_t inner = a ? 4 + 24 : 0, stlen = st >= 0 ? 6 : 0;
	uint8_t *at = opt(o, O_IA_NA, 12 + inner + stlen);

	if (!at)
		return;
	wr32be(at, iaid);
	wr32be(at + 4, life / 2);
	wr32be(at + 8, life / 10 * 8);
	if (a) {
		wr16be(at + 12, O_IAADDR);
		wr16be(at + 14, 24);
		memcpy(at + 16, a, 16);
		wr32be(at + 32, life);
		wr32be(at + 36, life);
	}
	if (st >= 0) {
		wr16be(at + 12 + inner, O_STATUS);
		wr16be(at + 14 + inner, 2);
		wr16be(at + 16 + inner, (uint16_t)st);
	}
}

static void send_reply(struct gw_dhcpv6 *d, const struct gw_pkt *p, uint8_t *f, size_t len)
{
	const struct gw_config *c = d->env->cfg;

	gw_tx_commit(d->env->tx, pkt_udp6(f, p->smac, c->mac, &c->v6.host_ll, D6_SERVER_PORT,
					  &p->ip6->src, p->sport, len));
}

/* ---- leases -------------------------------------------------------------- */

static struct gw_dhcp6_lease *find(struct gw_dhcpv6 *d, const struct gw_dhcp6_msg *m)
{
	for (unsigned i = 0; i < d->n; i++) {
		struct gw_dhcp6_lease *l = &d->leases[i];

		if (l->used && l->iaid == m->iaid && l->duid_len == m->client_id_len &&
		    !memcmp(l->duid, m->client_id, l->duid_len))
			return l;
	}
	return NULL;
}

static bool addr_taken(const struct gw_dhcpv6 *d, const struct in6_addr *a, uint64_t now)
{
	for (unsigned i = 0; i < d->n; i++)
		if (d->leases[i].used && !memcmp(&d->leases[i].addr, a, 16) &&
		    (d->leases[i].declined || now < d->leases[i].expires_ms))
			return true;
	return false;
}

static bool pick_addr(struct gw_dhcpv6 *d, const uint8_t *mac, struct in6_addr *a, uint64_t now)
{
	const struct gw_config6 *v6 = &d->env->cfg->v6;

	for (unsigned i = 0; i < v6->n_leases; i++) {
		if (!memcmp(v6->leases[i].mac, mac, 6)) {
			*a = v6->leases[i].addr;
			return true;
		}
	}
	for (unsigned i = 0; i < d->n; i++) {
		unsigned k = GW_DHCP6_POOL_BASE + i, j;
		bool static_addr = false;

		*a = v6->net;
		a->s6_addr[14] |= (uint8_t)(k >> 8);
		a->s6_addr[15] |= (uint8_t)k;
		for (j = 0; j < v6->n_leases; j++)
			static_addr |= !memcmp(&v6->leases[j].addr, a, 16);
		/* A guestfwd server address is the gateway's (NDP answers for
		 * it): leased, the guest would be unreachable. */
		if (!static_addr && !gw_config6_is_ours(v6, a) &&
		    !gw_guestfwd_is_server6(d->env->cfg, a) && !addr_taken(d, a, now))
			return true;
	}
	return false;
}

/* The lease of (DUID, IAID), made if create and none exists; NULL when
 * the pool is full or the lease is another port's. */
static struct gw_dhcp6_lease *lease_for(struct gw_dhcpv6 *d, const struct gw_pkt *p,
					const struct gw_dhcp6_msg *m, bool create, uint64_t now)
{
	uint32_t station = port_sink_station(d->env->port, p->smac);
	struct gw_dhcp6_lease *l = find(d, m), *slot = NULL;

	if (l) {
		if (memcmp(l->mac, p->smac, 6) || l->station != station) {
			d->dhcp6_foreign++;
			return NULL;
		}
		return l;
	}
	if (!create)
		return NULL;
	for (unsigned i = 0; i < d->n && !slot; i++)
		if (!d->leases[i].used || (!d->leases[i].declined && now >= d->leases[i].expires_ms))
			slot = &d->leases[i];
	if (!slot) {
		d->dhcp6_pool_full++;
		return NULL;
	}
	memset(slot, 0, sizeof(*slot));
	if (!pick_addr(d, p->smac, &slot->addr, now)) {
		d->dhcp6_pool_full++;
		return NULL;
	}
	slot->used = true;
	memcpy(slot->duid, m->client_id, m->client_id_len);
	slot->duid_len = m->client_id_len;
	slot->iaid = m->iaid;
	memcpy(slot->mac, p->smac, 6);
	slot->station = station;
	slot->expires_ms = now + 60000; /* an offer; a Reply gives it lease-time */
	return slot;
}

bool gw_dhcpv6_addr_of(const struct gw_dhcpv6 *d, const uint8_t *mac, uint32_t station,
		       uint64_t now, struct in6_addr *out)
{
	const struct gw_dhcp6_lease *best = NULL;

	for (unsigned i = 0; d->leases && i < d->n; i++) {
		const struct gw_dhcp6_lease *l = &d->leases[i];

		if (l->used && l->bound && !l->declined && now < l->expires_ms &&
		    !memcmp(l->mac, mac, 6) && l->station == station &&
		    (!best || l->expires_ms > best->expires_ms))
			best = l;
	}
	if (best)
		*out = best->addr;
	return best != NULL;
}

/* ---- input ------------------------------------------------------------- */

static void dhcpv6_input(void *svc, const struct gw_pkt *p, uint64_t now)
{
	struct gw_dhcpv6 *d = svc;
	const struct gw_config *c = d->env->cfg;
	uint32_t life = c->lease_time_s;
	struct gw_dhcp6_msg m;
	struct gw_dhcp6_lease *l = NULL;
	bool stateful = c->v6.dhcp == GW_DHCP6_STATEFUL, commit = false;
	struct out o;
	uint8_t *f, type;

	if (gw_dhcpv6_parse(p->data, p->data_len, &m) || !m.client_id ||
	    (m.server_id && (m.server_id_len != sizeof(d->duid) ||
			     memcmp(m.server_id, d->duid, sizeof(d->duid))))) {
		d->dhcp6_bad++; /* malformed, or for another server */
		return;
	}
	switch (m.type) {
	case D6_INFO_REQUEST:
		type = D6_REPLY;
		break;
	case D6_SOLICIT:
		commit = m.rapid_commit;
		type = commit ? D6_REPLY : D6_ADVERTISE;
		break;
	case D6_REQUEST:
	case D6_RENEW:
	case D6_REBIND:
	case D6_RELEASE:
	case D6_DECLINE:
	case D6_CONFIRM:
		type = D6_REPLY;
		commit = true;
		break;
	default:
		d->dhcp6_ignored++;
		return;
	}
	if (m.type != D6_INFO_REQUEST && (!stateful || !m.has_ia_na)) {
		d->dhcp6_ignored++; /* stateless: SLAAC gives the address */
		return;
	}
	if (!(f = gw_tx_begin(d->env->tx)))
		return;
	o = (struct out){ .p = f + OFF_UDP6_DATA, .cap = d->env->tx->slot_size - OFF_UDP6_DATA };
	if (o.cap > c->mtu - IP6_HDR_LEN - UDP_HDR_LEN)
		o.cap = c->mtu - IP6_HDR_LEN - UDP_HDR_LEN;
	o.p[0] = type;
	o.p[1] = (uint8_t)(m.xid >> 16);
	o.p[2] = (uint8_t)(m.xid >> 8);
	o.p[3] = (uint8_t)m.xid;
	o.len = 4;
	opt_data(&o, O_SERVERID, d->duid, sizeof(d->duid));
	opt_data(&o, O_CLIENTID, m.client_id, m.client_id_len);
	switch (m.type) {
	case D6_SOLICIT:
	case D6_REQUEST:
	case D6_RENEW:
	case D6_REBIND:
		l = lease_for(d, p, &m, m.type == D6_SOLICIT || m.type == D6_REQUEST, now);
		if (!l) {
			ia_na(&o, m.iaid, NULL, 0, m.type == D6_SOLICIT ? ST_NOADDRS : ST_NOBINDING);
			break;
		}
		if (commit) {
			l->expires_ms = now + (uint64_t)life * 1000;
			l->bound = true;
		}
		if (m.rapid_commit && m.type == D6_SOLICIT)
			opt(&o, O_RAPID_COMMIT, 0);
		ia_na(&o, m.iaid, &l->addr, life, -1);
		break;
	case D6_RELEASE:
	case D6_DECLINE:
		if ((l = lease_for(d, p, &m, false, now))) {
			if (m.type == D6_DECLINE) {
				l->declined = true; /* someone else has it: not offered again */
				d->dhcp6_declines++;
			} else {
				l->used = false;
				d->dhcp6_releases++;
			}
		}
		status(&o, ST_SUCCESS);
		break;
	case D6_CONFIRM:
		status(&o, m.has_addr && !gw_config6_in_net(&c->v6, &m.addr) ? ST_NOTONLINK
									      : ST_SUCCESS);
		break;
	default:
		break;
	}
	opt_data(&o, O_DNS_SERVERS, &c->v6.dns, 16);
	domain_list(&o, c);
	if (m.type != D6_RELEASE && m.type != D6_DECLINE && m.type != D6_CONFIRM)
		bootfile_url(&o, c, &m);
	if (o.overflow) {
		d->dhcp6_bad++; /* a DUID and names that do not fit the MTU */
		return;
	}
	send_reply(d, p, f, o.len);
	if (m.type == D6_INFO_REQUEST)
		d->dhcp6_info_replies++;
	else if (type == D6_ADVERTISE)
		d->dhcp6_advertises++;
	else
		d->dhcp6_replies++;
}

/* ---- the service table's view (service.h) ----------------------------- */

static bool dhcpv6_match(const void *svc, const struct gw_pkt *p)
{
	const struct gw_dhcpv6 *d = svc;
	const struct gw_config6 *v6 = &d->env->cfg->v6;

	return p->ip6 && p->proto == IPPROTO_UDP_ && p->dport == D6_SERVER_PORT &&
	       v6->dhcp != GW_DHCP6_OFF && IN6_IS_ADDR_LINKLOCAL(&p->ip6->src) &&
	       (!memcmp(&p->ip6->dst, &all_servers, 16) || gw_config6_is_ours(v6, &p->ip6->dst));
}

static void dhcpv6_info(const void *svc, uint64_t now, FILE *out)
{
	const struct gw_dhcpv6 *d = svc;
	char a[INET6_ADDRSTRLEN], m[18];
	unsigned n = 0;

	for (unsigned i = 0; i < d->n; i++) {
		const struct gw_dhcp6_lease *l = &d->leases[i];

		if (!l->used)
			continue;
		if (!n++)
			fprintf(out, "DHCPv6 leases:\n  %-40s %-17s %-8s %s\n", "Address", "MAC",
				"IAID", "Expires (s)");
		inet_ntop(AF_INET6, &l->addr, a, sizeof(a));
		fprintf(out, "  %-40s %-17s %-8x %s%llu\n", a, mac_format(l->mac, m), l->iaid,
			l->declined ? "declined " : "",
			(unsigned long long)(l->expires_ms > now ? (l->expires_ms - now) / 1000 : 0));
	}
}

static void dhcpv6_counters(const void *svc, gw_counter_fn fn, void *ctx)
{
	const struct gw_dhcpv6 *d = svc;

#define GW_DHCP6_WALK(name) fn(ctx, #name, d->name);
	GW_DHCP6_COUNTERS(GW_DHCP6_WALK)
#undef GW_DHCP6_WALK
}

static void dhcpv6_fini(void *svc)
{
	gw_dhcpv6_fini(svc);
}

const struct gw_service gw_dhcpv6_service = {
	.name = "dhcpv6",
	.match = dhcpv6_match,
	.input = dhcpv6_input,
	.info = dhcpv6_info,
	.counters = dhcpv6_counters,
	.fini = dhcpv6_fini,
};
