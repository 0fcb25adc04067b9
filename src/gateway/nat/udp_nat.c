/* SPDX-License-Identifier: MIT
 *
 * udp_nat.c - see udp_nat.h.
 */
#include "gateway/nat/udp_nat.h"
#include "core/frame.h"
#include "core/log.h"
#include "gateway/services/arp.h"
#include "gateway/ip/checksum.h"
#include "gateway/config.h"
#include "gateway/env.h"
#include "gateway/nat/hostfwd.h"
#include "gateway/nat/icmp_nat.h"
#include "gateway/ip/ip_frag.h"
#include "gateway/pkt.h"
#include "gateway/nat/policy.h"
#include "gateway/nat/sock_errqueue.h"
#include "gateway/quota.h"
#include "gateway/services/ndp.h"
#include "gateway/stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define RX_ROUNDS 4 /* batches per wakeup: fairness between sockets */

static void udp_rx(void *ctx, uint32_t events);
static bool udp_evict(void *ctx, uint32_t station, bool all);
static void udp_timer(void *ctx);

size_t gw_udp_room(const struct gw_tx *tx, const struct gw_config *cfg)
{
	size_t room = cfg->mtu - IP_HDR_LEN - UDP_HDR_LEN;

	if (room > tx->slot_size - OFF_UDP_DATA)
		room = tx->slot_size - OFF_UDP_DATA;
	return room;
}

/* IPv6: the header apart from the data, summed over the pseudo-header,
 * then out through gw_ip6_output(), fragmented when larger than the MTU
 * (an IPv6 source may fragment, and for the guest the gateway is the
 * source of a datagram it translated). */
static bool udp6_to_guest(const struct gw_env *env, uint64_t now, const union inany_addr *src,
			  uint16_t sport, const union inany_addr *dst, uint16_t dport,
			  const uint8_t *data, size_t len)
{
	uint8_t h[UDP_HDR_LEN];
	uint32_t sum = 0;
	uint16_t c;

	if (UDP_HDR_LEN + len > gw_ip6_max_payload(env->tx, env->cfg)) {
		env->stats->udp_too_big++;
		return false;
	}
	for (int i = 0; i < 16; i += 2)
		sum += (uint32_t)rd16be(src->a6.s6_addr + i) + rd16be(dst->a6.s6_addr + i);
	sum += IPPROTO_UDP_ + (uint32_t)(UDP_HDR_LEN + len);
	wr16be(h, sport);
	wr16be(h + 2, dport);
	wr16be(h + 4, (uint16_t)(UDP_HDR_LEN + len));
	wr16be(h + 6, 0);
	c = csum_fold(csum_partial(data, len, csum_partial(h, UDP_HDR_LEN, sum)));
	wr16be(h + 6, c ? c : 0xffff); /* 0 is not allowed over IPv6 */
	return gw_ip6_output(env, now, &src->a6, &dst->a6, IPPROTO_UDP_, h, UDP_HDR_LEN, data,
			     len);
}

bool gw_udp_to_guest(const struct gw_env *env, uint64_t now, const union inany_addr *src_a,
		     uint16_t sport, const union inany_addr *dst_a, uint16_t dport,
		     const uint8_t *data, size_t len)
{
	uint32_t src = inany_ip4(src_a), dst = inany_ip4(dst_a), sum;
	uint8_t h[UDP_HDR_LEN];
	uint16_t c;

	if (!inany_is_v4(src_a) && !inany_is_v4(dst_a))
		return udp6_to_guest(env, now, src_a, sport, dst_a, dport, data, len);
	if (!inany_is_v4(src_a) || !inany_is_v4(dst_a))
		return false;
	if (UDP_HDR_LEN + len > gw_ip_max_payload(env->tx, env->cfg)) {
		env->stats->udp_too_big++;
		return false;
	}
	/* Header apart from the data: a datagram larger than the MTU goes
	 * out fragmented (ip_frag.h), copied once from where it lies. */
	wr16be(h, sport);
	wr16be(h + 2, dport);
	wr16be(h + 4, (uint16_t)(UDP_HDR_LEN + len));
	wr16be(h + 6, 0);
	sum = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + IPPROTO_UDP_ +
	      (uint32_t)(UDP_HDR_LEN + len);
	c = csum_fold(csum_partial(data, len, csum_partial(h, UDP_HDR_LEN, sum)));
	wr16be(h + 6, c ? c : 0xffff); /* 0 means "no checksum" in UDP */
	return gw_ip_output(env, NULL, now, src, dst, IPPROTO_UDP_, h, UDP_HDR_LEN, data, len);
}

static uint32_t hash(const struct gw_udp *u, const union inany_addr *a, uint16_t port)
{
	return inany_hash(a, port) & (u->nbuckets - 1);
}

int gw_udp_init(struct gw_udp *u, const struct gw_env *env)
{
	const struct gw_config *cfg = env->cfg;
	unsigned i;

	memset(u, 0, sizeof(*u));
	u->env = env;
	u->timeout_ms = cfg->udp_timeout_ms ? cfg->udp_timeout_ms
					    : GW_DEFAULT_UDP_TIMEOUT_S * 1000ULL;
	ev_timer_init(&u->sweep, udp_timer, u);
	for (u->nbuckets = 16; u->nbuckets < cfg->max_udp_flows; u->nbuckets <<= 1)
		;
	u->flows = calloc(cfg->max_udp_flows, sizeof(*u->flows));
	u->buckets = calloc(u->nbuckets, sizeof(*u->buckets));
	/* One spare byte is not needed: MSG_TRUNC tells us about overlong
	 * datagrams, so buffers hold exactly what we can send, fragmented. */
	u->rx_size = gw_ip_max_payload(env->tx, cfg) - UDP_HDR_LEN;
	u->rxbuf = malloc(GW_UDP_BATCH * u->rx_size);
	if (!u->flows || !u->buckets || !u->rxbuf) {
		gw_udp_fini(u);
		return -1;
	}
	for (i = 0; i < cfg->max_udp_flows; i++) {
		u->flows[i].fd = -1;
		u->flows[i].nat = u;
		u->flows[i].next = i + 2 <= cfg->max_udp_flows ? i + 2 : 0;
	}
	u->free_head = 1;
	gw_quota_table(env->quota, GW_QUOTA_UDP, cfg->max_udp_flows, udp_evict, u);
	for (i = 0; i < GW_UDP_BATCH; i++) {
		u->iov[i].iov_base = u->rxbuf + i * u->rx_size;
		u->iov[i].iov_len = u->rx_size;
	}
	return 0;
}

static void flow_free(struct gw_udp *u, struct gw_udp_flow *fl)
{
	uint32_t idx = (uint32_t)(fl - u->flows) + 1, *pp;

	for (pp = &u->buckets[hash(u, &fl->guest_addr, fl->guest_port)]; *pp;
	     pp = &u->flows[*pp - 1].next) {
		if (*pp == idx) {
			*pp = fl->next;
			break;
		}
	}
	ev_watch_del(u->env->loop, &fl->w);
	close(fl->fd);
	fl->fd = -1;
	gw_quota_put(u->env->quota, GW_QUOTA_UDP, fl->station);
	fl->next = u->free_head;
	u->free_head = idx;
	u->used--;
}

void gw_udp_fini(struct gw_udp *u)
{
	if (u->flows)
		for (unsigned i = 0; i < u->env->cfg->max_udp_flows; i++)
			if (u->flows[i].fd >= 0)
				flow_free(u, &u->flows[i]);
	if (u->env->loop)
		ev_timer_cancel(u->env->loop, &u->sweep);
	free(u->flows);
	free(u->buckets);
	free(u->rxbuf);
	u->flows = NULL;
	u->buckets = NULL;
	u->rxbuf = NULL;
}

static struct gw_udp_flow *flow_find(const struct gw_udp *u, const union inany_addr *a,
				     uint16_t port)
{
	uint32_t i;

	for (i = u->buckets[hash(u, a, port)]; i; i = u->flows[i - 1].next)
		if (inany_equals(&u->flows[i - 1].guest_addr, a) &&
		    u->flows[i - 1].guest_port == port)
			return &u->flows[i - 1];
	return NULL;
}

/* quota.h: free the oldest flow of station, or all of them. */
static bool udp_evict(void *ctx, uint32_t station, bool all)
{
	struct gw_udp *u = ctx;
	struct gw_udp_flow *old = NULL;
	bool freed = false;

	for (unsigned i = 0; i < u->env->cfg->max_udp_flows; i++) {
		struct gw_udp_flow *fl = &u->flows[i];

		if (fl->fd < 0 || fl->station != station)
			continue;
		if (all) {
			flow_free(u, fl);
			freed = true;
		} else if (!old || fl->last_ms < old->last_ms) {
			old = fl;
		}
	}
	if (old) {
		flow_free(u, old);
		freed = true;
	}
	return freed;
}

/* NULL: no flow; *quota tells whether the guest's share was the reason. */
static struct gw_udp_flow *flow_new(struct gw_udp *u, const union inany_addr *a,
				    uint16_t port, uint64_t now, bool *quota)
{
	struct gw_udp_flow *fl;
	uint32_t idx, *head, station;
	int fd;

	if (!gw_quota_take(u->env->quota, GW_QUOTA_UDP, now, &station)) {
		*quota = true;
		return NULL;
	}
	if (!(idx = u->free_head)) {
		gw_quota_put(u->env->quota, GW_QUOTA_UDP, station);
		u->env->stats->udp_flows_full++;
		LOG_ONCE_FOR(&u->logged, UDP_LOG_FULL, LOG_LVL_WARN,
			     "user gateway: max-udp-flows=%u reached, dropping new UDP "
			     "flows until old ones expire", u->env->cfg->max_udp_flows);
		return NULL;
	}
	/* The guest's family is the socket's: an IPv6 guest talks to IPv6
	 * peers (the policy maps nothing across families). */
	fd = socket(inany_is_v4(a) ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		gw_quota_put(u->env->quota, GW_QUOTA_UDP, station);
		u->env->stats->udp_send_errors++;
		LOG_ONCE_FOR(&u->logged, UDP_LOG_SOCKET, LOG_LVL_WARN,
			     "user gateway: cannot open a UDP socket: %s", strerror(errno));
		return NULL;
	}
	if (inany_is_v4(a))
		sock_errqueue_enable(fd); /* ICMP errors mapped back to the guest */
	else
		sock_errqueue_enable6(fd);
	fl = &u->flows[idx - 1];
	ev_watch_init(&fl->w, fd, udp_rx, fl);
	if (ev_watch_add(u->env->loop, &fl->w, EPOLLIN)) {
		gw_quota_put(u->env->quota, GW_QUOTA_UDP, station);
		close(fd);
		u->env->stats->udp_send_errors++;
		return NULL;
	}
	u->free_head = fl->next;
	fl->fd = fd;
	fl->station = station;
	fl->guest_addr = *a;
	fl->guest_port = port;
	fl->bytes_in = fl->bytes_out = 0;
	fl->ttl = 0;
	fl->npeers = fl->peer_next = 0;
	head = &u->buckets[hash(u, a, port)];
	fl->next = *head;
	*head = idx;
	u->used++;
	if (!u->sweep.armed)
		ev_timer_arm(u->env->loop, &u->sweep, GW_UDP_SWEEP_MS);
	return fl;
}

/* An ICMPv6 error (type, code, info) from the gateway to the guest about
 * its datagram src:sport -> dst:dport, quoting the UDP header and as much
 * of data as RFC 4443 lets fit in 1280 bytes (a packet too big quotes
 * all it can, so the guest can tell which datagram was refused). */
static void udp_error6(struct gw_udp *u, uint64_t now, uint8_t type, uint8_t code,
		       uint32_t info, const union inany_addr *src, uint16_t sport,
		       const union inany_addr *dst, uint16_t dport, const uint8_t *data,
		       size_t len)
{
	uint8_t quote[1280];
	size_t qlen = len < sizeof(quote) - UDP_HDR_LEN ? len : sizeof(quote) - UDP_HDR_LEN;

	wr16be(quote, sport);
	wr16be(quote + 2, dport);
	wr16be(quote + 4, (uint16_t)(UDP_HDR_LEN + len));
	wr16be(quote + 6, 0);
	memcpy(quote + UDP_HDR_LEN, data, qlen);
	/* The quoted checksum is left 0: the guest matches on ports. */
	gw_icmp6_error_to_guest(u->env, now, type, code, info, &u->env->cfg->v6.host, &src->a6,
				&dst->a6, IPPROTO_UDP_, quote, UDP_HDR_LEN + qlen,
				UDP_HDR_LEN + len);
}

/* ICMP destination unreachable (code) from the gateway to the guest,
 * quoting its datagram's UDP header and first bytes. */
static void unreach(struct gw_udp *u, uint64_t now, uint8_t code, const union inany_addr *src,
		    uint16_t sport, const union inany_addr *dst, uint16_t dport,
		    const uint8_t *data, size_t len)
{
	uint8_t quote[UDP_HDR_LEN + 32];
	size_t qlen;

	if (!inany_is_v4(src)) {
		udp_error6(u, now, 1, code, 0, src, sport, dst, dport, data, len);
		return;
	}

	wr16be(quote, sport);
	wr16be(quote + 2, dport);
	wr16be(quote + 4, (uint16_t)(UDP_HDR_LEN + len));
	wr16be(quote + 6, 0);
	qlen = len < sizeof(quote) - UDP_HDR_LEN ? len : sizeof(quote) - UDP_HDR_LEN;
	memcpy(quote + UDP_HDR_LEN, data, qlen);
	gw_icmp_error_to_guest(u->env, now, 3, code, u->env->cfg->host, inany_ip4(src),
			       inany_ip4(dst), IPPROTO_UDP_, quote, UDP_HDR_LEN + qlen,
			       UDP_HDR_LEN + len);
}

/* The guest's TTL less our hop on the flow's socket; a failure leaves the
 * host's default, which is no worse than before. */
static void set_ttl(struct gw_udp_flow *fl, uint8_t guest_ttl)
{
	int t = guest_ttl > 1 ? guest_ttl - 1 : 1;

	if (fl->ttl == t)
		return;
	if (!inany_is_v4(&fl->guest_addr)) {
		if (setsockopt(fl->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &t, sizeof(t)) == 0)
			fl->ttl = (uint8_t)t;
		return;
	}
	if (setsockopt(fl->fd, IPPROTO_IP, IP_TTL, &t, sizeof(t)) == 0)
		fl->ttl = (uint8_t)t;
}

static void peer_note(struct gw_udp_flow *fl, const union inany_addr *a, uint16_t port)
{
	for (unsigned i = 0; i < fl->npeers; i++)
		if (inany_equals(&fl->peers[i].addr, a) && fl->peers[i].port == port)
			return;
	fl->peers[fl->peer_next].addr = *a;
	fl->peers[fl->peer_next].port = port;
	fl->peer_next = (fl->peer_next + 1) % GW_UDP_PEERS;
	if (fl->npeers < GW_UDP_PEERS)
		fl->npeers++;
}

/* RFC 4787 filtering: did the guest send to where this came from? */
static bool peer_allowed(const struct gw_udp_flow *fl, enum gw_udp_filter mode,
			 const union inany_addr *a, uint16_t port)
{
	if (mode == GW_UDP_FILTER_ENDPOINT)
		return true;
	for (unsigned i = 0; i < fl->npeers; i++)
		if (inany_equals(&fl->peers[i].addr, a) &&
		    (mode == GW_UDP_FILTER_ADDR || fl->peers[i].port == port))
			return true;
	return false;
}

/* Where the guest sees an error come from: the router that sent it
 * (SO_EE_OFFENDER, so a traceroute names each hop), unless that is the
 * far end itself or an address the guest may not see; then the address
 * the guest sent to, as the policy names it. */
static void error_source(const struct gw_udp *u, const struct sock_icmp_err *e,
			 const union inany_addr *host_dst, const union inany_addr *guest_dst,
			 union inany_addr *from)
{
	union inany_addr off, mapped;
	uint16_t port;

	*from = *guest_dst;
	if (!e->has_offender ||
	    inany_from_sockaddr(&off, &port, (const struct sockaddr *)&e->offender,
				e->v6 ? sizeof(e->offender.sa6) : sizeof(e->offender.sa4)) ||
	    inany_equals(&off, host_dst) ||
	    gw_policy_map_src(u->env->policy, &off, &mapped) != GW_ALLOW)
		return;
	*from = mapped;
}

/* ICMP errors the host received about our datagrams: the guest gets them
 * quoting its own datagram, so the UDP header in the quote is rebuilt
 * around the payload the kernel kept. Our own EMSGSIZE (a local error,
 * no payload) is not sent from here: its path MTU goes to *local_mtu for
 * the sendto() that failed, which still has the datagram to quote. */
static void read_errqueue(struct gw_udp_flow *fl, uint64_t now, uint32_t *local_mtu)
{
	struct gw_udp *u = fl->nat;
	uint8_t *quote = u->rxbuf;
	union inany_addr host_dst, guest_dst, from;
	struct sock_icmp_err e;
	uint16_t dport;

	for (int budget = GW_UDP_BATCH; budget; budget--) {
		int r = sock_errqueue_read(fl->fd, quote + UDP_HDR_LEN, u->rx_size - UDP_HDR_LEN, &e);

		if (r < 0)
			return;
		if (!r || e.v6 == inany_is_v4(&fl->guest_addr) ||
		    inany_from_sockaddr(&host_dst, &dport, (struct sockaddr *)&e.to,
					e.v6 ? sizeof(e.to.sa6) : sizeof(e.to.sa4)) ||
		    gw_policy_map_src(u->env->policy, &host_dst, &guest_dst) != GW_ALLOW)
			continue;
		if (e.local) {
			if (local_mtu)
				*local_mtu = e.info;
			continue;
		}
		error_source(u, &e, &host_dst, &guest_dst, &from);
		wr16be(quote, fl->guest_port);
		wr16be(quote + 2, dport);
		wr16be(quote + 4, (uint16_t)(UDP_HDR_LEN + e.len));
		wr16be(quote + 6, 0);
		if (e.v6) {
			gw_icmp6_error_to_guest(u->env, now, e.type, e.code, e.info, &from.a6,
						&fl->guest_addr.a6, &guest_dst.a6, IPPROTO_UDP_,
						quote, UDP_HDR_LEN + e.len, UDP_HDR_LEN + e.len);
			continue;
		}
		gw_icmp_error_to_guest(u->env, now, e.type, e.code, inany_ip4(&from),
				       inany_ip4(&fl->guest_addr), inany_ip4(&guest_dst),
				       IPPROTO_UDP_, quote, UDP_HDR_LEN + e.len,
				       UDP_HDR_LEN + e.len);
	}
}

/* IPv6 sources may fragment, routers may not (RFC 8200 5). A guest
 * datagram that fit the guest's link leaves with IPV6_DONTFRAG, so a path
 * narrower than it fails (EMSGSIZE, or a router's packet too big on the
 * error queue) and the guest hears packet too big and fragments, as behind
 * a real router. One larger than the link came fragmented by the guest
 * and was reassembled here: the host may fragment it again. */
static ssize_t send_dgram(const struct gw_udp *u, const struct gw_udp_flow *fl,
			  const uint8_t *data, size_t len, const union sockaddr_inany *to,
			  socklen_t tolen)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cb;
	struct iovec iov = { (void *)(uintptr_t)data, len };
	struct msghdr m = { .msg_name = (void *)(uintptr_t)to, .msg_namelen = tolen,
			    .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	int one = 1;

	if (!inany_is_v4(&fl->guest_addr) &&
	    IP6_HDR_LEN_ + UDP_HDR_LEN + len <= u->env->cfg->mtu) {
		memset(&cb, 0, sizeof(cb));
		m.msg_control = cb.buf;
		m.msg_controllen = sizeof(cb.buf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_DONTFRAG;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &one, sizeof(one));
	}
	return sendmsg(fl->fd, &m, 0);
}

/* Our sendto() said EMSGSIZE: packet too big to the guest, with the path
 * MTU the kernel queued for it (RFC 8201's floor, 1280, if none). */
static void too_big6(struct gw_udp *u, struct gw_udp_flow *fl, uint64_t now,
		     const union inany_addr *src, uint16_t sport, const union inany_addr *dst,
		     uint16_t dport, const uint8_t *data, size_t len)
{
	uint32_t mtu = 0;

	read_errqueue(fl, now, &mtu);
	if (mtu < 1280)
		mtu = 1280;
	u->env->stats->ip6_too_big_to_guest++;
	udp_error6(u, now, 2, 0, mtu, src, sport, dst, dport, data, len);
}

void gw_udp_input(struct gw_udp *u, const union inany_addr *src, uint16_t sport,
		  const union inany_addr *dst, uint16_t dport, const uint8_t *data, size_t len,
		  uint8_t ttl, uint64_t now)
{
	union sockaddr_inany to;
	union inany_addr host_dst;
	struct gw_udp_flow *fl;
	socklen_t tolen;
	enum gw_verdict v;
	bool quota = false;
	int code;

	if (u->env->hostfwd &&
	    gw_hostfwd_udp_input(u->env->hostfwd, src, sport, dst, dport, data, len, now))
		return;
	/* TFTP at the gateway is a service of ours (QEMU's tftp=), not the
	 * host's: host-loopback must not hand a PXE guest to whatever TFTP
	 * server listens on the host's 127.0.0.1. With tftp= the TFTP service
	 * (services/tftp.c) takes these datagrams before NAT sees them;
	 * without it the port is closed, as a router without the service says. */
	if (inany_equals4(dst, u->env->cfg->host) && dport == GW_UDP_TFTP_PORT) {
		u->env->stats->udp_unhandled++;
		unreach(u, now, 3, src, sport, dst, dport, data, len);
		return;
	}
	v = gw_policy_map_dest(u->env->policy, dst, &host_dst);
	if (v != GW_ALLOW) {
		/* Broadcasts are everyday noise (NetBIOS, mDNS, SSDP): not a
		 * denial anyone asked for, so they keep their own counter. */
		if (v == GW_DENY_BCAST)
			u->env->stats->udp_unhandled++;
		else
			u->env->stats->nat_denied++;
		return;
	}
	if (!u->env->loop) {
		u->env->stats->udp_unhandled++;
		return;
	}
	fl = flow_find(u, src, sport);
	if (!fl && !(fl = flow_new(u, src, sport, now, &quota))) {
		/* Not silence: the guest learns at once that it gets no flow. */
		if (quota)
			unreach(u, now, 13, src, sport, dst, dport, data, len);
		return;
	}
	fl->last_ms = now;
	fl->last_dst = *dst;
	fl->last_dport = dport;
	set_ttl(fl, ttl);
	peer_note(fl, &host_dst, dport);
	tolen = inany_to_sockaddr(&to, &host_dst, dport);
	if (send_dgram(u, fl, data, len, &to, tolen) < 0) {
		u->env->stats->udp_send_errors++;
		if (errno == EMSGSIZE && !inany_is_v4(src)) {
			too_big6(u, fl, now, src, sport, dst, dport, data, len);
			return;
		}
		code = inany_is_v4(src) ? gw_icmp_code_for_errno(errno)
					: gw_icmp6_code_for_errno(errno);
		if (code >= 0)
			unreach(u, now, (uint8_t)code, src, sport, dst, dport, data, len);
		return;
	}
	fl->bytes_out += len;
	u->env->stats->udp_nat_out++;
}

static void udp_rx(void *ctx, uint32_t events)
{
	struct gw_udp_flow *fl = ctx;
	struct gw_udp *u = fl->nat;
	uint64_t now = ev_loop_now(u->env->loop);
	union inany_addr host_src, src;
	uint16_t sport;

	if (events & EPOLLERR)
		read_errqueue(fl, now, NULL);
	for (int round = 0; round < RX_ROUNDS; round++) {
		unsigned want = GW_TX_SLOTS - u->env->tx->count, i;
		int n;

		/* Leave in the socket what the ring could not take now. */
		if (want > GW_UDP_BATCH)
			want = GW_UDP_BATCH;
		if (!want)
			return;
		for (i = 0; i < want; i++) {
			memset(&u->msgs[i].msg_hdr, 0, sizeof(u->msgs[i].msg_hdr));
			u->msgs[i].msg_hdr.msg_name = &u->from[i];
			u->msgs[i].msg_hdr.msg_namelen = sizeof(u->from[i]);
			u->msgs[i].msg_hdr.msg_iov = &u->iov[i];
			u->msgs[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fl->fd, u->msgs, want, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				read_errqueue(fl, now, NULL); /* a pending error fails the read */
			return;
		}
		for (i = 0; i < (unsigned)n; i++) {
			const struct msghdr *h = &u->msgs[i].msg_hdr;

			if (h->msg_flags & MSG_TRUNC) {
				u->env->stats->udp_too_big++;
				LOG_ONCE_FOR(&u->logged, UDP_LOG_TOO_BIG, LOG_LVL_INFO,
					     "user gateway: dropping UDP datagrams larger "
					     "than %zu bytes (GW_TX_SLOTS fragments)", u->rx_size);
				continue;
			}
			if (inany_from_sockaddr(&host_src, &sport, &u->from[i].sa,
						h->msg_namelen) ||
			    gw_policy_map_src(u->env->policy, &host_src, &src) != GW_ALLOW) {
				u->env->stats->udp_bad_peer++;
				continue;
			}
			if (!peer_allowed(fl, u->env->cfg->udp_filter, &host_src, sport)) {
				u->env->stats->udp_filtered++;
				continue;
			}
			if (gw_udp_to_guest(u->env, now, &src, sport, &fl->guest_addr,
					    fl->guest_port, u->iov[i].iov_base,
					    u->msgs[i].msg_len)) {
				fl->bytes_in += u->msgs[i].msg_len;
				u->env->stats->udp_nat_in++;
			}
		}
		fl->last_ms = now;
		if ((unsigned)n < want)
			return;
	}
}

void gw_udp_sweep(struct gw_udp *u, uint64_t now_ms)
{
	for (unsigned i = 0; i < u->env->cfg->max_udp_flows && u->used; i++) {
		struct gw_udp_flow *fl = &u->flows[i];

		if (fl->fd >= 0 && now_ms >= fl->last_ms && now_ms - fl->last_ms >= u->timeout_ms) {
			flow_free(u, fl);
			u->env->stats->udp_flows_expired++;
		}
	}
	if (u->used && u->env->loop && !u->sweep.armed)
		ev_timer_arm(u->env->loop, &u->sweep, GW_UDP_SWEEP_MS);
}

static void udp_timer(void *ctx)
{
	struct gw_udp *u = ctx;

	gw_udp_sweep(u, ev_loop_now(u->env->loop));
}

void gw_udp_walk(const struct gw_udp *u, uint64_t now_ms, gw_flow_fn fn, void *ctx)
{
	for (unsigned i = 0; i < u->env->cfg->max_udp_flows; i++) {
		const struct gw_udp_flow *fl = &u->flows[i];
		if (fl->fd < 0)
			continue;
		struct gw_flow_info fi = {
			.proto = "udp", .state = "", .fd = fl->fd,
			.guest_addr = fl->guest_addr, .guest_port = fl->guest_port,
			.host_addr = gw_policy_host_addr(u->env->policy, &fl->last_dst),
			.host_port = fl->last_dport,
			.idle_ms = now_ms > fl->last_ms ? now_ms - fl->last_ms : 0,
			.bytes_to_host = fl->bytes_out, .bytes_to_guest = fl->bytes_in,
		};
		fn(ctx, &fi);
	}
}
