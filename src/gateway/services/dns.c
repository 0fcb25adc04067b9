/* SPDX-License-Identifier: MIT
 *
 * dns.c - see dns.h.
 */
#include "gateway/services/dns.h"
#include "core/frame.h"
#include "core/log.h"
#include "gateway/services/arp.h"
#include "gateway/config.h"
#include "gateway/env.h"
#include "gateway/services/dns_msg.h"
#include "gateway/services/dns_records.h"
#include "gateway/services/dhcp.h"
#include "gateway/ip/ipv6.h"
#include "gateway/pkt.h"
#include "gateway/quota.h"
#include "gateway/services/ndp.h"
#include "gateway/service.h"
#include "gateway/stats.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define RX_BUF 65536
#define RX_BUDGET 64
#define RESOLV_CHECK_MS 1000

static void dns_rx(void *ctx, uint32_t events);

/* A fresh socket for q (family of its upstream): unbound, so the first
 * sendto() gets a random ephemeral port from the kernel. */
static int open_sock(struct gw_dns *dns, struct gw_dns_query *q, int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	ev_watch_init(&q->w, fd, dns_rx, q);
	if (ev_watch_add(dns->env->loop, &q->w, EPOLLIN)) {
		close(fd);
		return -1;
	}
	q->fd = fd;
	return fd;
}

static void close_sock(struct gw_dns *dns, struct gw_dns_query *q)
{
	if (q->fd < 0)
		return;
	ev_watch_del(dns->env->loop, &q->w);
	close(q->fd);
	q->fd = -1;
}

/* The slot is free again and its socket (and port) gone: a late or
 * spoofed answer to it now lands nowhere. */
static void release_query(struct gw_dns *dns, struct gw_dns_query *q)
{
	close_sock(dns, q);
	if (q->used)
		gw_quota_put(dns->env->quota, GW_QUOTA_DNS, q->station);
	q->used = false;
}

static void fail_query(struct gw_dns *dns, struct gw_dns_query *q, uint64_t now);

/* quota.h: a guest beyond its share gets SERVFAIL for its oldest query
 * now instead of at its timeout; a guest whose port left is answered by
 * nobody. */
static bool dns_evict(void *ctx, uint32_t station, bool all)
{
	struct gw_dns *dns = ctx;
	struct gw_dns_query *old = NULL;
	bool freed = false;

	for (unsigned i = 0; i < GW_DNS_INFLIGHT; i++) {
		struct gw_dns_query *q = &dns->q[i];

		if (!q->used || q->station != station)
			continue;
		if (all) {
			release_query(dns, q);
			freed = true;
		} else if (!old || q->deadline_ms < old->deadline_ms) {
			old = q;
		}
	}
	if (old) {
		fail_query(dns, old, ev_loop_now(dns->env->loop));
		freed = true;
	}
	return freed;
}

int gw_dns_init(struct gw_dns *dns, const struct gw_env *env)
{
	const struct gw_config *cfg = env->cfg;
	unsigned i;

	memset(dns, 0, sizeof(*dns));
	dns->env = env;
	memcpy(dns->upstream, cfg->upstream, sizeof(dns->upstream));
	dns->n_upstream = cfg->n_upstream;
	dns->q = calloc(GW_DNS_INFLIGHT, sizeof(*dns->q));
	dns->rxbuf = malloc(RX_BUF);
	if (!dns->q || !dns->rxbuf)
		goto fail;
	for (i = 0; i < GW_DNS_INFLIGHT; i++) {
		dns->q[i].fd = -1;
		dns->q[i].dns = dns;
	}
	gw_quota_table(env->quota, GW_QUOTA_DNS, GW_DNS_INFLIGHT, dns_evict, dns);
	if (!env->loop || cfg->restrict_)
		return 0;
	if (cfg->resolv_conf[0])
		gw_dns_check_resolv_conf(dns, ev_loop_now(env->loop), true);
	return 0;
fail:
	gw_dns_fini(dns);
	return -1;
}

void gw_dns_fini(struct gw_dns *dns)
{
	for (unsigned i = 0; dns->q && i < GW_DNS_INFLIGHT; i++)
		release_query(dns, &dns->q[i]);
	free(dns->q);
	free(dns->rxbuf);
	dns->q = NULL;
	dns->rxbuf = NULL;
}

/* Queue msg (len bytes) to the guest from dns:53; msg may be modified.
 * qend is where its question section ends, used when truncating to MTU. */
static void to_guest(struct gw_dns *dns, const union inany_addr *to, uint16_t port,
		     uint8_t *msg, size_t len, size_t qend, uint64_t now)
{
	const struct gw_env *env = dns->env;
	bool v4 = inany_is_v4(to);
	size_t hdr = v4 ? OFF_UDP_DATA : OFF_UDP6_DATA;
	size_t room = env->cfg->mtu - (hdr - ETH_HDR_LEN);
	uint32_t ip = inany_ip4(to);
	uint8_t *f;

	if (room > env->tx->slot_size - hdr)
		room = env->tx->slot_size - hdr;
	if (len > room) {
		/* Header and question only, TC set: the guest retries on TCP. */
		len = qend;
		wr16be(msg + 2, rd16be(msg + 2) | DNS_FLAG_TC);
		memset(msg + 6, 0, 6);
		env->stats->dns_truncated_replies++;
	}
	f = gw_tx_begin(env->tx);
	if (!f)
		return;
	memcpy(f + hdr, msg, len);
	memset(f, 0, 6);
	if (!v4) { /* from ipv6-dns, to the MAC NDP knows */
		len = pkt_udp6(f, f, env->cfg->mac, &env->cfg->v6.dns, 53, &to->a6, port, len);
		gw_ndp_output(env->ndp, f, len, &to->a6, now);
		return;
	}
	len = pkt_udp(f, f, env->cfg->mac, env->cfg->dns, 53, ip, port, len);
	gw_arp_output(env->arp, f, len, ip, now);
}

/* Rewrite a query in place into a header+question reply with rcode. */
static size_t make_reply(uint8_t *m, size_t qend, uint16_t id, unsigned rcode, bool aa)
{
	uint16_t flags = rd16be(m + 2);

	flags = (uint16_t)(DNS_FLAG_QR | (flags & (DNS_FLAG_RD | 0x7800)) | DNS_FLAG_RA |
			   (aa ? DNS_FLAG_AA : 0) | rcode);
	wr16be(m, id);
	wr16be(m + 2, flags);
	wr16be(m + 4, 1);
	memset(m + 6, 0, 6);
	return qend;
}

static void answer_builtin(struct gw_dns *dns, const union inany_addr *src, uint16_t sport,
			   const uint8_t *msg, size_t qend, uint16_t qtype, uint64_t now)
{
	uint8_t out[GW_DNS_QUERY_MAX + 16];
	size_t len;

	memcpy(out, msg, qend);
	len = make_reply(out, qend, rd16be(msg), DNS_RCODE_NOERROR, true);
	if (qtype == DNS_TYPE_A || qtype == DNS_TYPE_ANY) {
		uint8_t *rr = out + len;

		wr16be(rr, 0xc000 | DNS_HDR_LEN); /* the question's name */
		wr16be(rr + 2, DNS_TYPE_A);
		wr16be(rr + 4, DNS_CLASS_IN);
		wr32be(rr + 6, 60);
		wr16be(rr + 10, 4);
		wr32be(rr + 12, dns->env->cfg->host);
		len += 16;
		wr16be(out + 6, 1);
	}
	dns->env->stats->dns_builtin++;
	to_guest(dns, src, sport, out, len, qend, now);
}

/* A name in the gateway's own table (dns_records.h), else a guest's DHCP
 * host name (dhcp.h: A from its lease, AAAA from the guest's IPv6
 * addresses): true when answered. */
static bool answer_record(struct gw_dns *dns, const union inany_addr *src, uint16_t sport,
			  const uint8_t *msg, size_t qend, const char *name, uint16_t qtype,
			  uint64_t now)
{
	uint8_t out[4096];
	size_t len = gw_dnsrec_answer(dns->env->records, msg, qend, name, qtype, out,
				      sizeof(out));
	union inany_addr a[1 + GW_DHCP_HOST_ADDRS];
	unsigned n;

	if (!len && dns->env->dhcp &&
	    (n = gw_dhcp_host_addrs(dns->env->dhcp, name, now, a, 1 + GW_DHCP_HOST_ADDRS)))
		len = gw_dnsrec_answer_addrs(msg, qend, qtype, a, n, out, sizeof(out));
	if (!len)
		return false;
	dns->env->stats->dns_builtin++;
	to_guest(dns, src, sport, out, len, qend, now);
	return true;
}

static uint16_t fresh_id(const struct gw_dns *dns, uint64_t now)
{
	uint16_t id = 0;
	unsigned i, tries;

	for (tries = 0; tries < 16; tries++) {
		if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
			id = (uint16_t)(now * 2654435761u >> 7);
		for (i = 0; i < GW_DNS_INFLIGHT; i++)
			if (dns->q[i].used && dns->q[i].up_id == id)
				break;
		if (i == GW_DNS_INFLIGHT)
			break;
	}
	return id;
}

static int send_upstream(struct gw_dns *dns, struct gw_dns_query *q, uint64_t now)
{
	const struct gw_upstream *u = &dns->upstream[q->upstream];
	int fd;

	/* A failover leaves from a new socket, so a new random port; the ID
	 * stays the query's (fresh_id() at input). */
	(void)now;
	close_sock(dns, q);
	fd = dns->env->loop ? open_sock(dns, q, u->sa.ss_family) : -1;
	q->up = *u;
	wr16be(q->msg, q->up_id);
	if (fd < 0 || sendto(fd, q->msg, q->len, 0, (const struct sockaddr *)&u->sa,
			     u->salen) < 0) {
		dns->env->stats->dns_send_errors++;
		return -1;
	}
	return 0;
}

static void fail_query(struct gw_dns *dns, struct gw_dns_query *q, uint64_t now)
{
	size_t len = make_reply(q->msg, q->qend, q->guest_id, DNS_RCODE_SERVFAIL, false);

	release_query(dns, q);
	to_guest(dns, &q->guest, q->guest_port, q->msg, len, q->qend, now);
}

void gw_dns_input(struct gw_dns *dns, const union inany_addr *src, uint16_t sport,
		  const uint8_t *msg, size_t len, uint64_t now)
{
	const struct gw_config *c = dns->env->cfg;
	struct gw_stats *st = dns->env->stats;
	struct gw_dns_query *q = NULL;
	struct dns_hdr h;
	char name[256];
	uint16_t qtype, qclass;
	uint32_t station;
	bool quota_ok;
	size_t qend;
	unsigned i;

	if (dns_parse_header(msg, len, &h) || (h.flags & DNS_FLAG_QR) || h.qdcount != 1 ||
	    len > GW_DNS_QUERY_MAX ||
	    dns_parse_question(msg, len, DNS_HDR_LEN, name, &qtype, &qclass, &qend)) {
		st->dns_malformed++;
		return;
	}
	st->dns_queries++;
	if (DNS_OPCODE(h.flags) == 0 && qclass == DNS_CLASS_IN &&
	    !strcmp(name, GW_DNS_BUILTIN_NAME)) {
		answer_builtin(dns, src, sport, msg, qend, qtype, now);
		return;
	}
	if (DNS_OPCODE(h.flags) == 0 && qclass == DNS_CLASS_IN &&
	    answer_record(dns, src, sport, msg, qend, name, qtype, now))
		return;
	if (c->restrict_) {
		st->dns_restricted++;
		return;
	}
	if (c->resolv_conf[0] && dns->env->loop)
		gw_dns_check_resolv_conf(dns, now, false);
	/* Over its share (quota.h) the guest is refused like a full table;
	 * under it, a full table may be made room in by the quota. */
	quota_ok = gw_quota_take(dns->env->quota, GW_QUOTA_DNS, now, &station);
	for (i = 0; i < GW_DNS_INFLIGHT && !q && quota_ok; i++)
		if (!dns->q[i].used)
			q = &dns->q[i];
	if (!q) {
		uint8_t out[GW_DNS_QUERY_MAX];

		/* Silence would make the guest wait out its resolver timeout. */
		if (quota_ok) {
			gw_quota_put(dns->env->quota, GW_QUOTA_DNS, station);
			st->dns_table_full++;
		}
		memcpy(out, msg, qend);
		len = make_reply(out, qend, h.id, DNS_RCODE_SERVFAIL, false);
		to_guest(dns, src, sport, out, len, qend, now);
		return;
	}
	memcpy(q->msg, msg, len);
	q->len = len;
	q->qend = qend;
	q->guest_id = h.id;
	q->guest = *src;
	q->guest_port = sport;
	if (!dns->n_upstream || !dns->env->loop) {
		gw_quota_put(dns->env->quota, GW_QUOTA_DNS, station);
		st->dns_no_upstream++;
		fail_query(dns, q, now);
		return;
	}
	q->used = true;
	q->station = station;
	q->up_id = fresh_id(dns, now);
	q->tries = 1;
	q->upstream = dns->next_upstream++ % dns->n_upstream;
	q->deadline_ms = now + GW_DNS_TIMEOUT_MS;
	send_upstream(dns, q, now); /* a failed send is retried by the sweep */
	st->dns_forwarded++;
	gw_services_kick(dns->env->services);
}

bool gw_dns_sweep(struct gw_dns *dns, uint64_t now)
{
	unsigned n = dns->n_upstream, max_tries = n > 1 ? n : 2, i;
	bool left = false;

	for (i = 0; i < GW_DNS_INFLIGHT; i++) {
		struct gw_dns_query *q = &dns->q[i];

		if (!q->used)
			continue;
		if (now < q->deadline_ms) {
			left = true;
			continue;
		}
		if (q->tries >= max_tries || !n) {
			dns->env->stats->dns_timeouts++;
			fail_query(dns, q, now);
			continue;
		}
		q->tries++;
		q->upstream = (q->upstream + 1) % n;
		q->deadline_ms = now + GW_DNS_TIMEOUT_MS;
		dns->env->stats->dns_failovers++;
		send_upstream(dns, q, now);
		left = true;
	}
	return left;
}

static bool same_addr(const struct sockaddr_storage *a, const struct gw_upstream *u)
{
	if (a->ss_family != u->sa.ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)&u->sa;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)&u->sa;

	return x->sin6_port == y->sin6_port &&
	       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
}

/* on: the query whose socket it came in on (NULL: match any, the fuzzer). */
static void reply_on(struct gw_dns *dns, struct gw_dns_query *on, uint8_t *m, size_t len,
		     const struct sockaddr_storage *from, uint64_t now)
{
	struct gw_dns_query *q = NULL;
	struct dns_hdr h;
	unsigned i;

	if (dns_parse_header(m, len, &h) || !(h.flags & DNS_FLAG_QR)) {
		dns->env->stats->dns_bad_reply++;
		return;
	}
	for (i = 0; i < GW_DNS_INFLIGHT; i++) {
		struct gw_dns_query *c = &dns->q[i];

		if (c->used && c->up_id == h.id && same_addr(from, &c->up) && (!on || on == c)) {
			q = c;
			break;
		}
	}
	/* Same question, byte for byte but for the ID (case included: a
	 * resolver echoes it, and 0x20 randomisation relies on that). */
	if (!q || len < q->qend || h.qdcount != 1 ||
	    memcmp(m + 4, q->msg + 4, 2) || memcmp(m + DNS_HDR_LEN, q->msg + DNS_HDR_LEN,
						     q->qend - DNS_HDR_LEN)) {
		dns->env->stats->dns_bad_reply++;
		return;
	}
	release_query(dns, q);
	wr16be(m, q->guest_id);
	dns->env->stats->dns_answers++;
	to_guest(dns, &q->guest, q->guest_port, m, len, q->qend, now);
}

void gw_dns_reply(struct gw_dns *dns, uint8_t *m, size_t len,
		  const struct sockaddr_storage *from, uint64_t now)
{
	reply_on(dns, NULL, m, len, from, now);
}

static void dns_rx(void *ctx, uint32_t events)
{
	struct gw_dns_query *q = ctx;
	struct gw_dns *dns = q->dns;
	uint64_t now = ev_loop_now(dns->env->loop);
	int budget;

	(void)events;
	/* Until the query is answered (which closes the socket) or the
	 * budget is spent: datagrams that do not match are counted and
	 * dropped, the socket stays for the real answer. */
	for (budget = RX_BUDGET; q->fd >= 0 && budget; budget--) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(q->fd, dns->rxbuf, RX_BUF, 0, (struct sockaddr *)&from,
				     &flen);

		if (n < 0)
			break;
		reply_on(dns, q, dns->rxbuf, (size_t)n, &from, now);
	}
}

/* ---- resolv.conf reload ------------------------------------------------ */

static void file_stamp(const char *path, struct gw_dns_file_stamp *st)
{
	struct stat sb;

	memset(st, 0, sizeof(*st));
	if (stat(path, &sb))
		return;
	st->ok = true;
	st->dev = sb.st_dev;
	st->ino = sb.st_ino;
	st->size = (uint64_t)sb.st_size;
	st->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	st->ctime_ns = (int64_t)sb.st_ctim.tv_sec * 1000000000 + sb.st_ctim.tv_nsec;
}

static bool same_stamp(const struct gw_dns_file_stamp *a, const struct gw_dns_file_stamp *b)
{
	return a->ok == b->ok && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* "a, b, c" (or "none") into buf, for the log line. */
static const char *upstreams_str(const struct gw_upstream *u, unsigned n, char *buf,
				 size_t size)
{
	size_t o = 0;
	unsigned i;

	snprintf(buf, size, "none");
	for (i = 0; i < n && o < size; i++) {
		char a[INET6_ADDRSTRLEN];
		const struct sockaddr_in *s4 = (const void *)&u[i].sa;
		const struct sockaddr_in6 *s6 = (const void *)&u[i].sa;
		bool v4 = u[i].sa.ss_family == AF_INET;

		inet_ntop(u[i].sa.ss_family, v4 ? (const void *)&s4->sin_addr
						: (const void *)&s6->sin6_addr, a, sizeof(a));
		o += (size_t)snprintf(buf + o, size - o, v4 ? "%s%s:%u" : "%s[%s]:%u",
				      i ? ", " : "", a,
				      ntohs(v4 ? s4->sin_port : s6->sin6_port));
	}
	return buf;
}

bool gw_dns_check_resolv_conf(struct gw_dns *dns, uint64_t now, bool force)
{
	const struct gw_config *c = dns->env->cfg;
	struct gw_upstream list[GW_UPSTREAM_MAX];
	struct gw_dns_file_stamp st;
	char was[256], now_s[256];
	unsigned looped;
	int n;

	if (!c->resolv_conf[0] || (!force && now - dns->resolv_checked_ms < RESOLV_CHECK_MS))
		return false;
	dns->resolv_checked_ms = now;
	file_stamp(c->resolv_conf, &st);
	if (!force && same_stamp(&st, &dns->resolv_stamp))
		return false;
	dns->resolv_stamp = st;
	/* A file that is gone (or being replaced) keeps the list we have. */
	memset(list, 0, sizeof(list));
	if (!st.ok || (n = gw_resolv_conf_upstreams(c, c->resolv_conf, list, GW_UPSTREAM_MAX,
						    &looped)) < 0)
		return false;
	if ((unsigned)n == dns->n_upstream &&
	    !memcmp(list, dns->upstream, (size_t)n * sizeof(*list)))
		return false;
	upstreams_str(dns->upstream, dns->n_upstream, was, sizeof(was));
	/* The swap: one step between events, nothing holds an index across it
	 * (in-flight queries keep their own copy of the address). */
	memcpy(dns->upstream, list, sizeof(list));
	dns->n_upstream = (unsigned)n;
	dns->next_upstream = 0;
	info("-netdev user: %s changed, DNS upstreams now %s (were %s)%s", c->resolv_conf,
	     upstreams_str(dns->upstream, dns->n_upstream, now_s, sizeof(now_s)), was,
	     looped ? "; the gateway's own DNS address skipped, it would loop" : "");
	return true;
}

const struct gw_upstream *gw_dns_upstreams(const struct gw_dns *dns, unsigned *n)
{
	*n = dns->n_upstream;
	return dns->upstream;
}

/* ---- the service table's view (service.h) ----------------------------- */

static bool dns_match(const void *svc, const struct gw_pkt *p)
{
	const struct gw_dns *dns = svc;

	if (p->ip6) /* the same forwarder at ipv6-dns */
		return p->proto == IPPROTO_UDP_ && p->dport == 53 &&
		       !memcmp(&p->ip6->dst, &dns->env->cfg->v6.dns, 16);
	return p->proto == IPPROTO_UDP_ && p->dport == 53 && p->dst == dns->env->cfg->dns &&
	       p->src;
}

static void dns_service_input(void *svc, const struct gw_pkt *p, uint64_t now)
{
	union inany_addr src = p->ip6 ? inany_from_in6(&p->ip6->src) : inany_from_ip4(p->src);

	gw_dns_input(svc, &src, p->sport, p->data, p->data_len, now);
}

static bool dns_service_sweep(void *svc, uint64_t now)
{
	return gw_dns_sweep(svc, now);
}

static void dns_service_fini(void *svc)
{
	gw_dns_fini(svc);
}

const struct gw_service gw_dns_service = {
	.name = "dns",
	.match = dns_match,
	.input = dns_service_input,
	.sweep = dns_service_sweep,
	.fini = dns_service_fini,
};
