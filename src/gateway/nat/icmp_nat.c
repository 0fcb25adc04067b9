/* SPDX-License-Identifier: MIT
 *
 * icmp_nat.c - see icmp_nat.h.
 */
#include "gateway/nat/icmp_nat.h"
#include "core/frame.h"
#include "core/log.h"
#include "gateway/services/arp.h"
#include "gateway/ip/checksum.h"
#include "gateway/ip/ipv6.h"
#include "gateway/config.h"
#include "gateway/env.h"
#include "gateway/pkt.h"
#include "gateway/nat/policy.h"
#include "gateway/nat/sock_errqueue.h"
#include "gateway/quota.h"
#include "gateway/services/ndp.h"
#include "gateway/stats.h"

#include <errno.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define ICMP_HDR 8
#define T_ECHO_REPLY 0
#define T_UNREACH 3
#define T_ECHO 8
#define T_TIME_EXCEEDED 11
/* RFC 1812 4.3.2.3: quote as much as fits in 576 bytes. */
#define QUOTE_MAX (576 - IP_HDR_LEN - ICMP_HDR - IP_HDR_LEN)
#define T6_UNREACH 1
#define T6_TOO_BIG 2
#define T6_ECHO 128
#define T6_ECHO_REPLY 129
/* RFC 4443 2.4 c: as much as fits in the minimum IPv6 MTU. */
#define QUOTE6_MAX (1280 - IP6_HDR_LEN_ - ICMP_HDR - IP6_HDR_LEN_)
#define HOPS6 64
#define RX_BUDGET 32

static void icmp_rx(void *ctx, uint32_t events);
static void icmp_timer(void *ctx);
static bool icmp_evict(void *ctx, uint32_t station, bool all);

int gw_icmp_code_for_errno(int e)
{
	switch (e) {
	case ENETUNREACH: return 0;
	case EHOSTUNREACH: return 1;
	case ECONNREFUSED: return 3;
	case EMSGSIZE: return 4;
	case EACCES:
	case EPERM: return 13;
	}
	return -1;
}

void gw_icmp_error_to_guest(const struct gw_env *env, uint64_t now, uint8_t type, uint8_t code,
			    uint32_t from, uint32_t guest, uint32_t orig_dst, uint8_t proto,
			    const uint8_t *l4, size_t l4_len, size_t l4_total)
{
	const struct gw_config *cfg = env->cfg;
	struct gw_tx *tx = env->tx;
	size_t room = cfg->mtu - IP_HDR_LEN - ICMP_HDR - IP_HDR_LEN, len;
	uint8_t *f, *icmp, *q;

	if (room > QUOTE_MAX)
		room = QUOTE_MAX;
	if (l4_len > room)
		l4_len = room;
	if (l4_total > 0xffff - IP_HDR_LEN)
		l4_total = 0xffff - IP_HDR_LEN;
	len = ICMP_HDR + IP_HDR_LEN + l4_len;
	if (OFF_L4 + len > tx->slot_size)
		return;
	f = gw_tx_begin(tx);
	if (!f)
		return;
	icmp = f + OFF_L4;
	q = icmp + ICMP_HDR;
	/* The guest's datagram as it left the guest: its own addresses. */
	pkt_ipv4_hdr(q, guest, orig_dst, proto, l4_total);
	memcpy(q + IP_HDR_LEN, l4, l4_len);
	icmp[0] = type;
	icmp[1] = code;
	wr16be(icmp + 2, 0);
	wr32be(icmp + 4, 0);
	wr16be(icmp + 2, csum(icmp, len));
	memset(f, 0, 6);
	env->stats->icmp_errors_to_guest++;
	gw_arp_output(env->arp, f, pkt_ipv4(f, f, cfg->mac, from, guest, IPPROTO_ICMP_, len), guest,
		      now);
}

int gw_icmp6_code_for_errno(int e)
{
	switch (e) {
	case ENETUNREACH: return 0;  /* no route to destination */
	case EHOSTUNREACH: return 3; /* address unreachable */
	case ECONNREFUSED: return 4; /* port unreachable */
	case EACCES:
	case EPERM: return 1;        /* administratively prohibited */
	}
	return -1;
}

void gw_icmp6_error_to_guest(const struct gw_env *env, uint64_t now, uint8_t type,
			     uint8_t code, uint32_t info, const struct in6_addr *from,
			     const struct in6_addr *guest, const struct in6_addr *orig_dst,
			     uint8_t proto, const uint8_t *l4, size_t l4_len, size_t l4_total)
{
	const struct gw_config *cfg = env->cfg;
	struct gw_tx *tx = env->tx;
	static const uint8_t unknown[6];
	size_t room = cfg->mtu - IP6_HDR_LEN_ - ICMP_HDR - IP6_HDR_LEN_, len;
	uint8_t *f, *icmp, *q;

	if (!env->ndp || cfg->mtu < 1280)
		return;
	if (room > QUOTE6_MAX)
		room = QUOTE6_MAX;
	if (l4_len > room)
		l4_len = room;
	if (l4_total > 0xffff)
		l4_total = 0xffff;
	len = ICMP_HDR + IP6_HDR_LEN_ + l4_len;
	if (OFF_L4_6 + len > tx->slot_size)
		return;
	f = gw_tx_begin(tx);
	if (!f)
		return;
	icmp = f + OFF_L4_6;
	q = icmp + ICMP_HDR;
	/* The guest's packet as it left the guest (extension headers, if it
	 * had any, are not kept: the quote names the upper layer). */
	pkt_ipv6_hdr(q, guest, orig_dst, proto, HOPS6, l4_total);
	memcpy(q + IP6_HDR_LEN_, l4, l4_len);
	icmp[0] = type;
	icmp[1] = code;
	wr16be(icmp + 2, 0);
	wr32be(icmp + 4, type == T6_TOO_BIG ? info : 0);
	wr16be(icmp + 2, csum_l4_ipv6(from->s6_addr, guest->s6_addr, IP6_NH_ICMPV6, icmp, len));
	env->stats->icmp_errors_to_guest++;
	gw_ndp_output(env->ndp, f,
		      pkt_ipv6(f, unknown, cfg->mac, from, guest, IP6_NH_ICMPV6, HOPS6, len),
		      guest, now);
}

void gw_icmp_nat_init(struct gw_icmp_nat *n, const struct gw_env *env)
{
	n->env = env;
	n->mode = n->mode6 = env->loop ? 0 : -1;
	n->next_id = (uint16_t)(getpid() * 7919u);
	for (unsigned i = 0; i < GW_ICMP_FLOWS; i++)
		n->flows[i].fd = -1;
	ev_timer_init(&n->sweep, icmp_timer, n);
	gw_quota_table(env->quota, GW_QUOTA_ICMP, GW_ICMP_FLOWS, icmp_evict, n);
}

static void flow_close(struct gw_icmp_nat *n, struct gw_icmp_flow *fl)
{
	if (fl->fd < 0)
		return;
	ev_watch_del(n->env->loop, &fl->w);
	close(fl->fd);
	fl->fd = -1;
	gw_quota_put(n->env->quota, GW_QUOTA_ICMP, fl->station);
}

/* quota.h: close the oldest flow of station, or all of them. */
static bool icmp_evict(void *ctx, uint32_t station, bool all)
{
	struct gw_icmp_nat *n = ctx;
	struct gw_icmp_flow *old = NULL;
	bool freed = false;

	for (unsigned i = 0; i < GW_ICMP_FLOWS; i++) {
		struct gw_icmp_flow *fl = &n->flows[i];

		if (fl->fd < 0 || fl->station != station)
			continue;
		if (all) {
			flow_close(n, fl);
			freed = true;
		} else if (!old || fl->last_ms < old->last_ms) {
			old = fl;
		}
	}
	if (old) {
		flow_close(n, old);
		freed = true;
	}
	return freed;
}

void gw_icmp_nat_fini(struct gw_icmp_nat *n)
{
	for (unsigned i = 0; i < GW_ICMP_FLOWS; i++)
		flow_close(n, &n->flows[i]);
	if (n->env->loop)
		ev_timer_cancel(n->env->loop, &n->sweep);
}

/* Raw sockets see every ICMP message the host gets: echo replies only. */
static void raw_filter(int fd, bool v6)
{
	if (v6) {
		struct icmp6_filter f6;

		ICMP6_FILTER_SETBLOCKALL(&f6);
		ICMP6_FILTER_SETPASS(T6_ECHO_REPLY, &f6);
		setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f6, sizeof(f6));
		return;
	}
	struct icmp_filter filt = { .data = ~(1u << T_ECHO_REPLY) };
	setsockopt(fd, SOL_RAW, ICMP_FILTER, &filt, sizeof(filt));
}

/* A socket for a new flow of family v6 or not; each family keeps its own
 * mode, since ping_group_range is the same sysctl for both but a host may
 * have no IPv6 at all. */
static int open_sock(struct gw_icmp_nat *n, bool v6, bool *raw)
{
	int *mode = v6 ? &n->mode6 : &n->mode, af = v6 ? AF_INET6 : AF_INET;
	int proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, fd = -1;
	const char *what = v6 ? "ICMPv6" : "ICMP";

	if (*mode <= 1) {
		fd = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
		if (fd >= 0) {
			*mode = 1;
			*raw = false;
			if (v6)
				sock_errqueue_enable6(fd);
			else
				sock_errqueue_enable(fd);
			return fd;
		}
		if ((errno != EACCES && errno != EPERM) || geteuid() != 0) {
			if (errno == EACCES || errno == EPERM) {
				if (log_once_first(&n->logged, v6 ? ICMP_LOG_NOT_PERMITTED6
								    : ICMP_LOG_NOT_PERMITTED))
					warn("user gateway: %s sockets not permitted "
					     "(net.ipv4.ping_group_range); guest ping to the "
					     "outside disabled", what);
				*mode = -1;
			}
			return -1;
		}
	}
	fd = socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0) {
		if (log_once_first(&n->logged, v6 ? ICMP_LOG_NO_SOCKET6 : ICMP_LOG_NO_SOCKET))
			warn("user gateway: no %s socket (%s); guest ping to the outside disabled",
			     what, strerror(errno));
		*mode = -1;
		return -1;
	}
	if (*mode != 2)
		info("user gateway: %s datagram sockets refused, using raw sockets", what);
	*mode = 2;
	*raw = true;
	raw_filter(fd, v6);
	return fd;
}

static struct gw_icmp_flow *flow_get(struct gw_icmp_nat *n, const union inany_addr *src,
				     uint16_t id, const union inany_addr *dst,
				     const union inany_addr *host_dst, uint64_t now, bool *quota)
{
	struct gw_icmp_flow *fl, *free_fl = NULL, *oldest = NULL;
	bool raw = false;
	uint32_t station;
	int fd;

	for (unsigned i = 0; i < GW_ICMP_FLOWS; i++) {
		fl = &n->flows[i];
		if (fl->fd < 0) {
			if (!free_fl)
				free_fl = fl;
			continue;
		}
		if (inany_equals(&fl->guest_addr, src) && fl->guest_id == id &&
		    inany_equals(&fl->dst, dst))
			return fl;
		if (!oldest || fl->last_ms < oldest->last_ms)
			oldest = fl;
	}
	if (!gw_quota_take(n->env->quota, GW_QUOTA_ICMP, now, &station)) {
		*quota = true;
		return NULL;
	}
	/* The quota may have made room by closing a flow of another guest. */
	for (unsigned i = 0; !free_fl && i < GW_ICMP_FLOWS; i++)
		if (n->flows[i].fd < 0)
			free_fl = &n->flows[i];
	if (!free_fl) {
		/* Pings are cheap to lose; the stalest flow makes room. */
		n->env->stats->icmp_flows_full++;
		LOG_ONCE_FOR(&n->logged, ICMP_LOG_FULL, LOG_LVL_WARN,
			     "user gateway: %d ICMP flows in use, recycling the oldest",
			     GW_ICMP_FLOWS);
		flow_close(n, oldest);
		free_fl = oldest;
	}
	if ((fd = open_sock(n, !inany_is_v4(src), &raw)) < 0) {
		gw_quota_put(n->env->quota, GW_QUOTA_ICMP, station);
		return NULL;
	}
	fl = free_fl;
	memset(fl, 0, sizeof(*fl));
	fl->nat = n;
	fl->fd = fd;
	fl->station = station;
	fl->raw = raw;
	fl->guest_addr = *src;
	fl->guest_id = id;
	fl->dst = *dst;
	fl->host_dst = *host_dst;
	fl->nat_id = n->next_id++;
	fl->last_ms = now;
	ev_watch_init(&fl->w, fd, icmp_rx, fl);
	if (ev_watch_add(n->env->loop, &fl->w, EPOLLIN)) {
		close(fd);
		fl->fd = -1;
		gw_quota_put(n->env->quota, GW_QUOTA_ICMP, station);
		return NULL;
	}
	if (!n->sweep.armed)
		ev_timer_arm(n->env->loop, &n->sweep, GW_ICMP_TIMEOUT_MS / 2);
	return fl;
}

/* An echo request the guest sent to dst, its checksum checked: out
 * through the flow's socket, or an error back. */
static void echo_out(struct gw_icmp_nat *n, const union inany_addr *src,
		     const union inany_addr *dst, const uint8_t *l4, size_t len, uint64_t now)
{
	bool v6 = !inany_is_v4(src);
	union inany_addr host_dst;
	union sockaddr_inany to;
	struct gw_icmp_flow *fl;
	socklen_t tolen;
	bool quota = false;
	int code;

	if (gw_policy_map_dest(n->env->policy, dst, &host_dst) != GW_ALLOW) {
		n->env->stats->nat_denied++;
		return;
	}
	if ((v6 ? n->mode6 : n->mode) < 0 || len > sizeof(n->buf)) {
		n->env->stats->icmp_unhandled++;
		return;
	}
	fl = flow_get(n, src, rd16be(l4 + 4), dst, &host_dst, now, &quota);
	if (!fl && quota && v6) /* over its share: told, not left waiting */
		gw_icmp6_error_to_guest(n->env, now, T6_UNREACH, 1, 0, &n->env->cfg->v6.host,
					&src->a6, &dst->a6, IP6_NH_ICMPV6, l4, len, len);
	else if (!fl && quota)
		gw_icmp_error_to_guest(n->env, now, T_UNREACH, 13, n->env->cfg->host,
				       inany_ip4(src), inany_ip4(dst), IPPROTO_ICMP_, l4, len, len);
	else if (!fl)
		n->env->stats->icmp_send_errors++;
	if (!fl)
		return;
	memcpy(n->buf, l4, len);
	if (fl->raw) {
		wr16be(n->buf + 4, fl->nat_id);
		/* The kernel sums ICMPv6 on raw sockets (RFC 3542 3.1). */
		wr16be(n->buf + 2, 0);
		if (!v6)
			wr16be(n->buf + 2, csum(n->buf, len));
	}
	fl->last_ms = now;
	tolen = inany_to_sockaddr(&to, &host_dst, 0);
	if (sendto(fl->fd, n->buf, len, 0, &to.sa, tolen) < 0) {
		n->env->stats->icmp_send_errors++;
		code = v6 ? gw_icmp6_code_for_errno(errno) : gw_icmp_code_for_errno(errno);
		if (code >= 0 && v6)
			gw_icmp6_error_to_guest(n->env, now, T6_UNREACH, (uint8_t)code, 0,
						&n->env->cfg->v6.host, &src->a6, &dst->a6,
						IP6_NH_ICMPV6, l4, len, len);
		else if (code >= 0)
			gw_icmp_error_to_guest(n->env, now, T_UNREACH, (uint8_t)code,
					       n->env->cfg->host, inany_ip4(src), inany_ip4(dst),
					       IPPROTO_ICMP_, l4, len, len);
		return;
	}
	fl->bytes_out += len;
	n->env->stats->icmp_nat_out++;
}

void gw_icmp_nat_input(struct gw_icmp_nat *n, uint32_t src, uint32_t dst, const uint8_t *l4,
		       size_t len, uint64_t now)
{
	union inany_addr src_a = inany_from_ip4(src), dst_a = inany_from_ip4(dst);

	if (!n->env->loop) {
		n->env->stats->ip_unhandled++; /* frame-only gateway (tests): no NAT */
		return;
	}
	if (len < ICMP_HDR) {
		n->env->stats->icmp_truncated++;
		return;
	}
	if (csum(l4, len)) {
		n->env->stats->icmp_bad_csum++;
		return;
	}
	if (l4[0] != T_ECHO || l4[1] != 0) {
		n->env->stats->icmp_unhandled++;
		return;
	}
	echo_out(n, &src_a, &dst_a, l4, len, now);
}

void gw_icmp_nat_input6(struct gw_icmp_nat *n, const struct in6_addr *src,
			const struct in6_addr *dst, const uint8_t *l4, size_t len, uint64_t now)
{
	union inany_addr src_a = inany_from_in6(src), dst_a = inany_from_in6(dst);

	if (!n->env->loop) {
		n->env->stats->ip6_unhandled++;
		return;
	}
	if (len < ICMP_HDR) {
		n->env->stats->icmp_truncated++;
		return;
	}
	if (csum_l4_ipv6(src->s6_addr, dst->s6_addr, IP6_NH_ICMPV6, l4, len)) {
		n->env->stats->icmp_bad_csum++;
		return;
	}
	if (l4[0] != T6_ECHO || l4[1] != 0) {
		n->env->stats->icmp_unhandled++;
		return;
	}
	echo_out(n, &src_a, &dst_a, l4, len, now);
}

static void reply_to_guest(struct gw_icmp_flow *fl, uint8_t *icmp, size_t len, uint64_t now)
{
	struct gw_icmp_nat *n = fl->nat;
	uint32_t guest = inany_ip4(&fl->guest_addr);
	bool v6 = !inany_is_v4(&fl->guest_addr);
	static const uint8_t unknown[6];
	size_t hl = v6 ? IP6_HDR_LEN_ : IP_HDR_LEN, off = v6 ? OFF_L4_6 : OFF_L4;
	uint8_t *f;

	if (len + hl > n->env->cfg->mtu || off + len > n->env->tx->slot_size ||
	    (v6 && !n->env->ndp)) {
		n->env->stats->tx_too_big++;
		return;
	}
	wr16be(icmp + 4, fl->guest_id);
	wr16be(icmp + 2, 0);
	/* From the address the guest pinged: ICMPv6 sums a pseudo-header. */
	wr16be(icmp + 2, v6 ? csum_l4_ipv6(fl->dst.a6.s6_addr, fl->guest_addr.a6.s6_addr,
					   IP6_NH_ICMPV6, icmp, len)
			    : csum(icmp, len));
	f = gw_tx_begin(n->env->tx);
	if (!f)
		return;
	memcpy(f + off, icmp, len);
	memset(f, 0, 6);
	fl->bytes_in += len;
	fl->last_ms = now;
	n->env->stats->icmp_nat_in++;
	if (v6) {
		gw_ndp_output(n->env->ndp, f,
			      pkt_ipv6(f, unknown, n->env->cfg->mac, &fl->dst.a6,
				       &fl->guest_addr.a6, IP6_NH_ICMPV6, HOPS6, len),
			      &fl->guest_addr.a6, now);
		return;
	}
	gw_arp_output(n->env->arp, f, pkt_ipv4(f, f, n->env->cfg->mac, inany_ip4(&fl->dst), guest,
					       IPPROTO_ICMP_, len), guest, now);
}

/* ICMP errors about our echo requests: the quote is our request, whose
 * identifier the kernel (ping sockets) or we (raw) chose, so it is given
 * back the guest's before it goes into the error. */
static void read_errqueue(struct gw_icmp_flow *fl, uint64_t now)
{
	struct gw_icmp_nat *n = fl->nat;
	struct sock_icmp_err e;

	for (int budget = RX_BUDGET; budget; budget--) {
		int r = sock_errqueue_read(fl->fd, n->buf, sizeof(n->buf), &e);

		if (r < 0)
			return;
		if (!r || e.len < ICMP_HDR || e.v6 == inany_is_v4(&fl->guest_addr))
			continue;
		wr16be(n->buf + 4, fl->guest_id);
		wr16be(n->buf + 2, 0);
		if (e.v6) {
			wr16be(n->buf + 2, csum_l4_ipv6(fl->guest_addr.a6.s6_addr,
							fl->dst.a6.s6_addr, IP6_NH_ICMPV6,
							n->buf, e.len));
			gw_icmp6_error_to_guest(n->env, now, e.type, e.code, e.info,
						&fl->dst.a6, &fl->guest_addr.a6, &fl->dst.a6,
						IP6_NH_ICMPV6, n->buf, e.len, e.len);
			continue;
		}
		wr16be(n->buf + 2, csum(n->buf, e.len));
		gw_icmp_error_to_guest(n->env, now, e.type, e.code, inany_ip4(&fl->dst),
				       inany_ip4(&fl->guest_addr), inany_ip4(&fl->dst),
				       IPPROTO_ICMP_, n->buf, e.len, e.len);
	}
}

static void icmp_rx(void *ctx, uint32_t events)
{
	struct gw_icmp_flow *fl = ctx;
	struct gw_icmp_nat *n = fl->nat;
	uint64_t now = ev_loop_now(n->env->loop);
	union sockaddr_inany from;
	union inany_addr from_a;
	socklen_t fl_len;

	if (events & EPOLLERR)
		read_errqueue(fl, now);
	for (int budget = RX_BUDGET; budget && n->env->tx->count < GW_TX_SLOTS; budget--) {
		uint8_t *icmp = n->buf;
		ssize_t r;
		size_t len, ihl;

		fl_len = sizeof(from);
		r = recvfrom(fl->fd, n->buf, sizeof(n->buf), MSG_DONTWAIT,
			     &from.sa, &fl_len);
		if (r < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				read_errqueue(fl, now);
			return;
		}
		len = (size_t)r;
		if (fl->raw && !inany_is_v4(&fl->guest_addr)) {
			/* Raw IPv6 sockets give no IP header (RFC 3542 3). */
			if (len < ICMP_HDR || rd16be(icmp + 4) != fl->nat_id)
				continue;
		} else if (fl->raw) {
			/* Raw sockets see every reply on the host: ours only. */
			if (len < IP_HDR_LEN || (n->buf[0] >> 4) != 4)
				continue;
			ihl = (size_t)(n->buf[0] & 0xf) * 4;
			if (ihl < IP_HDR_LEN || ihl + ICMP_HDR > len)
				continue;
			icmp += ihl;
			len -= ihl;
			if (rd16be(icmp + 4) != fl->nat_id)
				continue;
		}
		if (len < ICMP_HDR ||
		    icmp[0] != (inany_is_v4(&fl->guest_addr) ? T_ECHO_REPLY : T6_ECHO_REPLY) ||
		    inany_from_sockaddr(&from_a, NULL, &from.sa, fl_len) ||
		    !inany_equals(&from_a, &fl->host_dst))
			continue;
		reply_to_guest(fl, icmp, len, now);
	}
}

void gw_icmp_nat_sweep(struct gw_icmp_nat *n, uint64_t now_ms)
{
	bool any = false;

	for (unsigned i = 0; i < GW_ICMP_FLOWS; i++) {
		struct gw_icmp_flow *fl = &n->flows[i];

		if (fl->fd < 0)
			continue;
		if (now_ms - fl->last_ms >= GW_ICMP_TIMEOUT_MS && now_ms >= fl->last_ms)
			flow_close(n, fl);
		else
			any = true;
	}
	if (any && n->env->loop && !n->sweep.armed)
		ev_timer_arm(n->env->loop, &n->sweep, GW_ICMP_TIMEOUT_MS / 2);
}

static void icmp_timer(void *ctx)
{
	struct gw_icmp_nat *n = ctx;

	gw_icmp_nat_sweep(n, ev_loop_now(n->env->loop));
}

void gw_icmp_nat_walk(const struct gw_icmp_nat *n, uint64_t now_ms, gw_flow_fn fn, void *ctx)
{
	for (unsigned i = 0; i < GW_ICMP_FLOWS; i++) {
		const struct gw_icmp_flow *fl = &n->flows[i];
		struct gw_flow_info fi = {
			.proto = "icmp", .state = fl->raw ? "raw" : "", .fd = fl->fd,
			.guest_addr = fl->guest_addr, .guest_port = fl->guest_id,
			.host_addr = fl->host_dst,
			.idle_ms = now_ms > fl->last_ms ? now_ms - fl->last_ms : 0,
			.bytes_to_host = fl->bytes_out, .bytes_to_guest = fl->bytes_in,
		};

		if (fl->fd >= 0)
			fn(ctx, &fi);
	}
}
