/* SPDX-License-Identifier: MIT
 *
 * dhcp.c - see dhcp.h.
 */
#include "gateway/services/dhcp.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/port.h"
#include "gateway/services/arp.h"
#include "gateway/config.h"
#include "gateway/env.h"
#include "gateway/services/dhcp_options.h"
#include "gateway/services/dhcpv6.h"
#include "gateway/services/dns_records.h"
#include "gateway/pkt.h"
#include "gateway/service.h"
#include "gateway/services/ndp.h"
#include "gateway/stats.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define OFFER_HOLD_MS 60000
#define DHCP_MIN_MSG 300 /* BOOTP minimum, some clients insist */
#define BOOTP_REQUEST 1
#define BOOTP_REPLY 2
#define BOOTP_BROADCAST_FLAG 0x8000

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

int gw_dhcp_init(struct gw_dhcp *d, const struct gw_env *env)
{
	const struct gw_config *cfg = env->cfg;

	memset(d, 0, sizeof(*d));
	d->env = env;
	d->leases = calloc(cfg->max_leases, sizeof(*d->leases));
	d->statics = calloc(cfg->n_leases ? cfg->n_leases : 1, sizeof(*d->statics));
	if (!d->leases || !d->statics) {
		gw_dhcp_fini(d);
		return -1;
	}
	for (unsigned i = 0; i < cfg->n_leases; i++) {
		memcpy(d->statics[i].mac, cfg->leases[i].mac, 6);
		d->statics[i].ip = cfg->leases[i].addr;
	}
	return 0;
}

void gw_dhcp_fini(struct gw_dhcp *d)
{
	free(d->leases);
	free(d->statics);
	d->leases = d->statics = NULL;
}

static struct gw_lease *find_lease(struct gw_dhcp *d, const uint8_t *mac)
{
	unsigned i;

	for (i = 0; i < d->env->cfg->n_leases; i++)
		if (!memcmp(d->statics[i].mac, mac, 6))
			return &d->statics[i];
	for (i = 0; i < d->env->cfg->max_leases; i++)
		if (d->leases[i].state != LEASE_FREE && !memcmp(d->leases[i].mac, mac, 6))
			return &d->leases[i];
	return NULL;
}

const uint8_t *gw_dhcp_owner(const struct gw_dhcp *d, uint32_t ip, uint64_t now)
{
	const struct gw_config *c = d->env->cfg;
	unsigned i;

	if (!ip || !d->leases)
		return NULL;
	for (i = 0; i < c->n_leases; i++)
		if (c->leases[i].addr == ip)
			return c->leases[i].mac;
	for (i = 0; i < c->max_leases; i++) {
		const struct gw_lease *l = &d->leases[i];

		if (l->ip == ip && l->state == LEASE_BOUND && now <= l->expires_ms)
			return l->mac;
	}
	return NULL;
}

uint32_t gw_dhcp_lookup(const struct gw_dhcp *d, const uint8_t *mac)
{
	struct gw_lease *l = find_lease((struct gw_dhcp *)d, mac);

	return l && l->state == LEASE_BOUND ? l->ip : 0;
}

static bool addr_free(const struct gw_dhcp *d, uint32_t ip)
{
	const struct gw_config *c = d->env->cfg;
	unsigned i;

	if ((ip & c->mask) != c->net || ip == c->net || ip == (c->net | ~c->mask) ||
	    ip == c->host || ip == c->dns)
		return false;
	for (i = 0; i < c->n_leases; i++)
		if (c->leases[i].addr == ip)
			return false;
	for (i = 0; i < c->max_leases; i++)
		if (d->leases[i].state != LEASE_FREE && d->leases[i].ip == ip)
			return false;
	return true;
}

static bool reusable(const struct gw_lease *l, uint64_t now)
{
	if (l->state == LEASE_RELEASED)
		return true;
	return (l->state == LEASE_OFFERED || l->state == LEASE_BOUND ||
		l->state == LEASE_DECLINED) && now > l->expires_ms;
}

/* Log once per port (the first DHCP_LOGGED_PORTS of them; then once). */
static bool port_first_report(struct gw_dhcp *d, uint32_t station)
{
	unsigned i;

	for (i = 0; i < d->nlogged_ports; i++)
		if (d->logged_ports[i] == station)
			return false;
	if (d->nlogged_ports == DHCP_LOGGED_PORTS) {
		if (d->logged.said & 1u << DHCP_LOG_PORTS)
			return false;
		d->logged.said |= 1u << DHCP_LOG_PORTS;
		return true;
	}
	d->logged_ports[d->nlogged_ports++] = station;
	return true;
}

/* Leases the guests behind station hold now: quarantined ones too, so a
 * port can't cycle DISCOVER/DECLINE through the pool. */
static unsigned port_leases(const struct gw_dhcp *d, uint32_t station, uint64_t now)
{
	unsigned i, n = 0;

	for (i = 0; i < d->env->cfg->max_leases; i++) {
		const struct gw_lease *l = &d->leases[i];

		if (l->station == station && l->state != LEASE_FREE &&
		    l->state != LEASE_RELEASED && !reusable(l, now))
			n++;
	}
	return n;
}

/* Do the guests behind station hold their share already? Counted and
 * logged (once per port) if so. */
static bool port_over_cap(struct gw_dhcp *d, const uint8_t *mac, uint32_t station,
			  uint64_t now)
{
	const struct gw_config *c = d->env->cfg;
	char buf[18];

	if (!station || !c->max_leases_per_port ||
	    port_leases(d, station, now) < c->max_leases_per_port)
		return false;
	d->env->stats->dhcp_port_full++;
	if (port_first_report(d, station))
		warn("-netdev user: the guests behind one switch port (MAC %s asking) hold "
		     "max-leases-per-port=%u leases already: no more for them",
		     mac_format(mac, buf), c->max_leases_per_port);
	return true;
}

/* A new lease for mac, preferring want if it is available. */
static struct gw_lease *alloc_lease(struct gw_dhcp *d, const uint8_t *mac, uint32_t want,
				    uint32_t station, uint64_t now)
{
	const struct gw_config *c = d->env->cfg;
	struct gw_lease *slot = NULL;
	uint32_t ip = 0, a;
	unsigned i;

	for (i = 0; i < c->max_leases && !slot; i++)
		if (d->leases[i].state == LEASE_FREE)
			slot = &d->leases[i];
	if (want && want >= c->dhcp_start && addr_free(d, want))
		ip = want;
	for (a = c->dhcp_start; !ip && (a & c->mask) == c->net && a != (c->net | ~c->mask); a++)
		if (addr_free(d, a))
			ip = a;
	if (!slot || !ip) {
		/* Recycle the least recently used released or expired lease,
		 * and its address if none was free. */
		struct gw_lease *old = NULL;

		for (i = 0; i < c->max_leases; i++) {
			struct gw_lease *l = &d->leases[i];

			if (reusable(l, now) && (!old || l->used_ms < old->used_ms))
				old = l;
		}
		if (!old)
			return NULL;
		slot = old;
		if (!ip)
			ip = old->ip;
	}
	memcpy(slot->mac, mac, 6);
	slot->ip = ip;
	slot->state = LEASE_OFFERED;
	slot->station = station;
	return slot;
}

static void put_common_options(struct gw_dhcp *d, struct dhcp_opt_writer *w, bool with_lease)
{
	const struct gw_config *c = d->env->cfg;
	const char *names[GW_DNSSEARCH_MAX];
	uint8_t search[GW_DNSSEARCH_MAX * (GW_NAME_MAX + 2)];
	size_t slen;
	unsigned i;

	dow_u32(w, DHCPOPT_SERVER_ID, c->host);
	if (with_lease) {
		dow_u32(w, DHCPOPT_LEASE, c->lease_time_s);
		dow_u32(w, DHCPOPT_T1, c->lease_time_s / 2);
		dow_u32(w, DHCPOPT_T2, c->lease_time_s / 8 * 7);
	}
	dow_u32(w, DHCPOPT_MASK, c->mask);
	dow_u32(w, DHCPOPT_ROUTER, c->host);
	dow_u32(w, DHCPOPT_DNS, c->dns);
	if (c->hostname[0])
		dow_put(w, DHCPOPT_HOSTNAME, c->hostname, strlen(c->hostname));
	if (c->domainname[0])
		dow_put(w, DHCPOPT_DOMAIN, c->domainname, strlen(c->domainname));
	if (c->mtu_set)
		dow_u16(w, DHCPOPT_MTU, (uint16_t)c->mtu);
	for (i = 0; i < c->n_dnssearch; i++)
		names[i] = c->dnssearch[i];
	if (c->n_dnssearch &&
	    (slen = dhcp_encode_search(names, c->n_dnssearch, search, sizeof(search))))
		dow_put(w, DHCPOPT_SEARCH, search, slen);
	if (c->tftp_server_name[0])
		dow_put(w, DHCPOPT_TFTP_SERVER, c->tftp_server_name, strlen(c->tftp_server_name));
	if (c->bootfile[0])
		dow_put(w, DHCPOPT_BOOTFILE, c->bootfile, strlen(c->bootfile));
}

/* Build and queue a reply. yiaddr 0 for NAK/INFORM. */
static void reply(struct gw_dhcp *d, const uint8_t *req, uint8_t type, uint32_t yiaddr)
{
	const struct gw_config *c = d->env->cfg;
	uint8_t *f = gw_tx_begin(d->env->tx), *b;
	struct dhcp_opt_writer w;
	uint32_t ciaddr = rd32be(req + 12), dst;
	bool bcast = type == DHCPNAK || !ciaddr || (rd16be(req + 10) & BOOTP_BROADCAST_FLAG);
	size_t len, room;

	if (!f)
		return;
	room = d->env->tx->slot_size - OFF_UDP_DATA;
	if (c->mtu - IP_HDR_LEN - UDP_HDR_LEN < room)
		room = c->mtu - IP_HDR_LEN - UDP_HDR_LEN;
	b = f + OFF_UDP_DATA;
	memset(b, 0, DHCP_OPTS_OFF);
	b[0] = BOOTP_REPLY;
	b[1] = 1;
	b[2] = 6;
	memcpy(b + 4, req + 4, 4);    /* xid */
	memcpy(b + 10, req + 10, 2);  /* flags */
	if (type != DHCPNAK)
		memcpy(b + 12, req + 12, 4); /* ciaddr */
	wr32be(b + 16, yiaddr);
	if (type != DHCPNAK)
		wr32be(b + 20, c->host); /* siaddr: next server (TFTP) */
	memcpy(b + 28, req + 28, 16); /* chaddr */
	if (type != DHCPNAK && c->bootfile[0])
		memcpy(b + BOOTP_FILE_OFF, c->bootfile,
		       strnlen(c->bootfile, BOOTP_FILE_LEN - 1));
	/* BOOTP's server name field too, for ROMs that read only the fixed
	 * header (option 66 carries it for the rest, and in full). */
	if (type != DHCPNAK && c->tftp_server_name[0])
		memcpy(b + BOOTP_SNAME_OFF, c->tftp_server_name,
		       strnlen(c->tftp_server_name, BOOTP_SNAME_LEN - 1));
	wr32be(b + BOOTP_FIXED_LEN, DHCP_COOKIE);
	dow_init(&w, b + DHCP_OPTS_OFF, room - DHCP_OPTS_OFF);
	dow_u8(&w, DHCPOPT_MSG_TYPE, type);
	if (type == DHCPNAK)
		dow_u32(&w, DHCPOPT_SERVER_ID, c->host);
	else
		put_common_options(d, &w, type != DHCPACK || yiaddr);
	dow_end(&w);
	if (w.overflow) {
		LOG_ONCE_FOR(&d->logged, DHCP_LOG_TOO_BIG, LOG_LVL_WARN,
			     "-netdev user: DHCP options exceed the MTU, reply dropped");
		d->env->stats->tx_too_big++;
		return;
	}
	len = DHCP_OPTS_OFF + w.len;
	if (len < DHCP_MIN_MSG && room >= DHCP_MIN_MSG) {
		memset(b + len, 0, DHCP_MIN_MSG - len);
		len = DHCP_MIN_MSG;
	}
	dst = bcast ? 0xffffffff : ciaddr;
	len = pkt_udp(f, bcast ? bcast_mac : req + 28, c->mac, c->host, 67, dst, 68, len);
	gw_tx_commit(d->env->tx, len);
}

static bool lease_live(const struct gw_lease *l, uint64_t now)
{
	return l->state == LEASE_BOUND && now <= l->expires_ms;
}

/* The bound lease other than self whose hostname is h, or NULL. */
static const struct gw_lease *host_owner(const struct gw_dhcp *d, const char *h,
					 const struct gw_lease *self, uint64_t now)
{
	const struct gw_config *c = d->env->cfg;
	unsigned i;

	for (i = 0; i < c->n_leases + c->max_leases; i++) {
		const struct gw_lease *l = i < c->n_leases ? &d->statics[i]
							   : &d->leases[i - c->n_leases];

		if (l != self && l->hostname[0] && lease_live(l, now) && !strcmp(l->hostname, h))
			return l;
	}
	return NULL;
}

/* HOST.<domainname>, or HOST without a domain, into out. */
static void host_fqdn(const struct gw_config *c, const char *h, char *out, size_t size)
{
	snprintf(out, size, "%s%s%s", h, c->domainname[0] ? "." : "", c->domainname);
}

/* Option 12 of a REQUEST that bound l: the guest's DNS name, unless a
 * static record or another live lease has it (multi-tenant: a guest must
 * not take over a name others resolve). */
static void claim_hostname(struct gw_dhcp *d, struct gw_lease *l, const struct dhcp_opts *o,
			   uint64_t now)
{
	char h[GW_DNSREC_NAME_MAX + 1], fq[GW_DNSREC_NAME_MAX + GW_NAME_MAX + 3];
	char probe[GW_DNSREC_NAME_MAX + 1];
	const char *why;

	l->hostname[0] = '\0';
	if (!o->hostname || !o->hostname_len || o->hostname_len >= sizeof(l->hostname) ||
	    memchr(o->hostname, '.', o->hostname_len) ||
	    gw_dnsrec_name((const char *)o->hostname, o->hostname_len, h, &why))
		return;
	host_fqdn(d->env->cfg, h, fq, sizeof(fq));
	/* A name a static record has is never a guest's (nor is a name too
	 * long to be one). */
	if (gw_dnsrec_name(fq, strlen(fq), probe, &why) || gw_dnsrec_has(d->env->records, probe) ||
	    host_owner(d, h, l, now)) {
		d->env->stats->dhcp_hostname_taken++;
		return;
	}
	memcpy(l->hostname, h, strlen(h) + 1); /* shorter than 64: checked above */
}

/* The bound lease whose host name is name (HOST.<domainname>), or NULL. */
static const struct gw_lease *host_lease(const struct gw_dhcp *d, const char *name, uint64_t now)
{
	const struct gw_config *c = d->env->cfg;
	size_t n = strlen(c->domainname), len = strlen(name);
	char h[64];

	if (!d->leases)
		return NULL;
	if (n) { /* HOST.<domainname> */
		if (len <= n + 1 || name[len - n - 1] != '.' ||
		    strcasecmp(name + len - n, c->domainname))
			return NULL;
		len -= n + 1;
	}
	if (len >= sizeof(h) || memchr(name, '.', len))
		return NULL;
	memcpy(h, name, len);
	h[len] = '\0';
	return host_owner(d, h, NULL, now);
}

uint32_t gw_dhcp_host_lookup(const struct gw_dhcp *d, const char *name, uint64_t now)
{
	const struct gw_lease *l = host_lease(d, name, now);

	return l ? l->ip : 0;
}

/* l's IPv6 addresses (see gw_dhcp_host_addrs()) into out; how many. */
static unsigned lease_addrs6(const struct gw_dhcp *d, const struct gw_lease *l, uint64_t now,
			     struct in6_addr *out, unsigned max)
{
	const struct gw_env *env = d->env;
	struct in6_addr a;
	unsigned n = 0, i;

	if (!env->cfg->v6.on || !max)
		return 0;
	if (env->ndp)
		n = gw_ndp_addrs_of(env->ndp, l->mac, l->station, out, max);
	if (env->dhcpv6 && gw_dhcpv6_addr_of(env->dhcpv6, l->mac, l->station, now, &a)) {
		for (i = 0; i < n && memcmp(&out[i], &a, sizeof(a)); i++)
			;
		if (i == n && n < max)
			out[n++] = a;
	}
	return n;
}

unsigned gw_dhcp_host_addrs(const struct gw_dhcp *d, const char *name, uint64_t now,
			    union inany_addr *out, unsigned max)
{
	const struct gw_lease *l = host_lease(d, name, now);
	struct in6_addr a6[GW_DHCP_HOST_ADDRS];
	unsigned n, k;

	if (!l || !max)
		return 0;
	out[0] = inany_from_ip4(l->ip);
	n = lease_addrs6(d, l, now, a6, max - 1 < GW_DHCP_HOST_ADDRS ? max - 1
								   : GW_DHCP_HOST_ADDRS);
	for (k = 0; k < n; k++)
		out[1 + k] = inany_from_in6(&a6[k]);
	return 1 + n;
}

static void handle_request(struct gw_dhcp *d, const uint8_t *b, const struct dhcp_opts *o,
			   uint32_t station, uint64_t now)
{
	const uint8_t *mac = b + 28;
	uint32_t ciaddr = rd32be(b + 12);
	uint32_t want = o->has_req_ip ? o->req_ip : ciaddr;
	struct gw_lease *l;

	if (o->has_server_id && o->server_id != d->env->cfg->host) {
		/* The client picked another server: forget our offer. */
		l = find_lease(d, mac);
		if (l && l->state == LEASE_OFFERED && l >= d->leases &&
		    l < d->leases + d->env->cfg->max_leases)
			l->state = LEASE_RELEASED;
		d->env->stats->dhcp_ignored++;
		return;
	}
	l = find_lease(d, mac);
	if (!l && want && !port_over_cap(d, mac, station, now))
		l = alloc_lease(d, mac, want, station, now); /* INIT-REBOOT after our restart */
	if (!l || !want || l->ip != want) {
		reply(d, b, DHCPNAK, 0);
		d->env->stats->dhcp_naks++;
		return;
	}
	l->state = LEASE_BOUND;
	if (station)
		l->station = station; /* the guest may come back on a new port */
	l->expires_ms = now + d->env->cfg->lease_time_s * 1000ull;
	l->used_ms = now;
	claim_hostname(d, l, o, now);
	reply(d, b, DHCPACK, l->ip);
	d->env->stats->dhcp_acks++;
	gw_arp_learn(d->env->arp, l->ip, mac, now);
}

/* May this frame give up l (RELEASE, DECLINE)? Only its own client: the
 * chaddr is the frame's source, and the port is the lease's. */
static bool lease_owner(struct gw_dhcp *d, const struct gw_lease *l, const uint8_t *b,
			const uint8_t *smac, uint32_t station)
{
	if (memcmp(b + 28, smac, 6) || memcmp(l->mac, smac, 6) ||
	    (station && l->station && station != l->station)) {
		d->env->stats->dhcp_foreign++;
		return false;
	}
	return true;
}

void gw_dhcp_input(struct gw_dhcp *d, const uint8_t *b, size_t len, const uint8_t *smac,
		   uint32_t station, uint64_t now)
{
	struct dhcp_opts o;
	struct gw_lease *l;

	if (len < DHCP_OPTS_OFF) {
		d->env->stats->dhcp_truncated++;
		return;
	}
	if (b[0] != BOOTP_REQUEST || b[1] != 1 || b[2] != 6 || rd32be(b + 24) /* giaddr */ ||
	    mac_is_multicast(b + 28) || mac_is_zero(b + 28)) {
		d->env->stats->dhcp_bad_header++;
		return;
	}
	if (dhcp_opts_parse(b, len, &o)) {
		d->env->stats->dhcp_bad_options++;
		return;
	}
	switch (o.msg_type) {
	case DHCPDISCOVER:
		l = find_lease(d, b + 28);
		if (!l && port_over_cap(d, b + 28, station, now))
			return;
		if (!l)
			l = alloc_lease(d, b + 28, o.has_req_ip ? o.req_ip : 0, station, now);
		if (!l) {
			/* Once per port that starves (once in all without ports). */
			if (station ? port_first_report(d, station)
				    : !(d->logged.said & 1u << DHCP_LOG_POOL_FULL))
				warn("-netdev user: DHCP pool exhausted (max-leases=%u)",
				     d->env->cfg->max_leases);
			d->logged.said |= 1u << DHCP_LOG_POOL_FULL;
			d->env->stats->dhcp_pool_full++;
			return;
		}
		if (l->state != LEASE_BOUND) {
			l->state = LEASE_OFFERED;
			l->expires_ms = now + OFFER_HOLD_MS;
		}
		l->used_ms = now;
		reply(d, b, DHCPOFFER, l->ip);
		d->env->stats->dhcp_offers++;
		break;
	case DHCPREQUEST:
		handle_request(d, b, &o, station, now);
		break;
	case DHCPDECLINE:
		l = find_lease(d, b + 28);
		if (!l || !o.has_server_id || o.server_id != d->env->cfg->host) {
			d->env->stats->dhcp_ignored++;
			return;
		}
		if (!lease_owner(d, l, b, smac, station))
			return;
		/* Someone else uses this address: park it, unbound from any
		 * client, so the next DISCOVER gets a different one. */
		if (l >= d->leases && l < d->leases + d->env->cfg->max_leases) {
			memset(l->mac, 0, 6);
			l->state = LEASE_DECLINED;
			l->expires_ms = now + d->env->cfg->lease_time_s * 1000ull;
		}
		d->env->stats->dhcp_declines++;
		break;
	case DHCPRELEASE:
		l = find_lease(d, b + 28);
		if (!l || l->ip != rd32be(b + 12)) {
			d->env->stats->dhcp_ignored++;
			return;
		}
		if (!lease_owner(d, l, b, smac, station))
			return;
		l->state = LEASE_RELEASED;
		l->used_ms = now;
		d->env->stats->dhcp_releases++;
		break;
	case DHCPINFORM:
		if (!rd32be(b + 12)) {
			d->env->stats->dhcp_ignored++;
			return;
		}
		reply(d, b, DHCPACK, 0);
		d->env->stats->dhcp_informs++;
		break;
	case 0:
		d->env->stats->dhcp_no_type++;
		break;
	default:
		d->env->stats->dhcp_ignored++;
		break;
	}
}

/* ---- the service table's view (service.h) ----------------------------- */

static bool dhcp_match(const void *svc, const struct gw_pkt *p)
{
	const struct gw_dhcp *d = svc;

	/* Any source, 0.0.0.0 included: a client without an address. */
	return p->proto == IPPROTO_UDP_ && p->dport == 67 &&
	       (p->dst == 0xffffffff || p->dst == d->env->cfg->host);
}

static void dhcp_service_input(void *svc, const struct gw_pkt *p, uint64_t now)
{
	const struct gw_dhcp *d = svc;

	gw_dhcp_input(svc, p->data, p->data_len, p->smac,
		      port_sink_station(d->env->port, p->smac), now);
}

const char *gw_lease_state_name(enum gw_lease_state st)
{
	static const char *const names[] = {
		[LEASE_FREE] = "free", [LEASE_OFFERED] = "offered", [LEASE_BOUND] = "bound",
		[LEASE_RELEASED] = "released", [LEASE_DECLINED] = "declined",
	};

	return st <= LEASE_DECLINED ? names[st] : "?";
}

void gw_dhcp_walk(const struct gw_dhcp *d, gw_lease_fn fn, void *ctx)
{
	const struct gw_config *c = d->env->cfg;
	unsigned i;

	for (i = 0; d->statics && i < c->n_leases; i++)
		if (d->statics[i].state != LEASE_FREE)
			fn(ctx, &d->statics[i], true);
	for (i = 0; d->leases && i < c->max_leases; i++)
		if (d->leases[i].state != LEASE_FREE)
			fn(ctx, &d->leases[i], false);
}

static void print_lease(FILE *out, const struct gw_lease *l, bool is_static, uint64_t now)
{
	struct in_addr in = { .s_addr = htonl(l->ip) };
	char mac[18], a[INET_ADDRSTRLEN];

	if (l->state == LEASE_FREE || l->state > LEASE_DECLINED)
		return;
	fprintf(out, "  %-17s %15s %-8s %-7s ", mac_format(l->mac, mac),
		inet_ntop(AF_INET, &in, a, sizeof(a)), gw_lease_state_name(l->state),
		is_static ? "static" : "dynamic");
	if (l->expires_ms >= now)
		fprintf(out, "%" PRId64 "s\n", (int64_t)((l->expires_ms - now) / 1000));
	else
		fputs("expired\n", out);
}

/* The guests' DNS names (gw_dhcp_host_lookup()), for "info usernet". */
void gw_dhcp_info_names(const struct gw_dhcp *d, uint64_t now, FILE *out)
{
	const struct gw_config *c = d->env->cfg;
	char a[INET_ADDRSTRLEN], name[sizeof(d->leases->hostname) + GW_NAME_MAX + 1];
	char b6[INET6_ADDRSTRLEN];
	struct in6_addr a6[GW_DHCP_HOST_ADDRS], one;
	unsigned i, k, n6;
	bool leased;

	for (i = 0; d->leases && i < c->n_leases + c->max_leases; i++) {
		const struct gw_lease *l = i < c->n_leases ? &d->statics[i]
							   : &d->leases[i - c->n_leases];
		struct in_addr in = { .s_addr = htonl(l->ip) };

		if (!l->hostname[0] || !lease_live(l, now))
			continue;
		snprintf(name, sizeof(name), "%s%s%s", l->hostname, c->domainname[0] ? "." : "",
			 c->domainname);
		fprintf(out, "    %-40s A     %s (DHCP host name)\n", name,
			inet_ntop(AF_INET, &in, a, sizeof(a)));
		n6 = lease_addrs6(d, l, now, a6, GW_DHCP_HOST_ADDRS);
		leased = d->env->dhcpv6 &&
			 gw_dhcpv6_addr_of(d->env->dhcpv6, l->mac, l->station, now, &one);
		for (k = 0; k < n6; k++) {
			bool from_lease = leased && !memcmp(&one, &a6[k], sizeof(one));

			fprintf(out, "    %-40s AAAA  %s (DHCP host name, %s)\n", name,
				inet_ntop(AF_INET6, &a6[k], b6, sizeof(b6)),
				from_lease ? "DHCPv6 lease" : "learned by NDP");
		}
	}
}

/* The lease table of "info usernet". */
static void dhcp_info(const void *svc, uint64_t now, FILE *out)
{
	const struct gw_dhcp *d = svc;
	const struct gw_config *c = d->env->cfg;
	unsigned i;

	fprintf(out, "  %-17s %15s %-8s %-7s %s\n", "DHCP lease MAC", "Address", "State", "Kind",
		"Remaining");
	for (i = 0; d->statics && i < c->n_leases; i++)
		print_lease(out, &d->statics[i], true, now);
	for (i = 0; d->leases && i < c->max_leases; i++)
		print_lease(out, &d->leases[i], false, now);
}

static void dhcp_service_fini(void *svc)
{
	gw_dhcp_fini(svc);
}

const struct gw_service gw_dhcp_service = {
	.name = "dhcp",
	.match = dhcp_match,
	.input = dhcp_service_input,
	.info = dhcp_info,
	.fini = dhcp_service_fini,
};
