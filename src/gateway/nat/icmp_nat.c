/* SPDX-License-Identifier: MIT
 *
 * icmp_nat.c - see icmp_nat.h.
 */
#include "gateway/nat/icmp_nat.h"
#include "core/frame.h"
#include "core/log.h"
#include "gateway/services/arp.h"
#include "gateway/ip/checksum.h"
#include "gateway/config.h"
#include "gateway/env.h"
#include "gateway/pkt.h"
#include "gateway/nat/policy.h"
#include "gateway/nat/sock_errqueue.h"
#include "gateway/quota.h"
#include "gateway/stats.h"

#include <errno.h>
#include <linux/icmp.h>
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

void gw_icmp_nat_init(struct gw_icmp_nat *n, const struct gw_env *env)
{
	n->env = env;
	n->mode = env->loop ? 0 : -1;
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

static int open_sock(struct gw_icmp_nat *n, bool *raw)
{
	int fd = -1;

	if (n->mode <= 1) {
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
		if (fd >= 0) {
			n->mode = 1;
			*raw = false;
			sock_errqueue_enable(fd);
			return fd;
		}
		if ((errno != EACCES && errno != EPERM) || geteuid() != 0) {
			if (errno == EACCES || errno == EPERM) {
				LOG_ONCE_FOR(&n->logged, ICMP_LOG_NOT_PERMITTED, LOG_LVL_WARN,
					     "user gateway: ICMP sockets not permitted "
					     "(net.ipv4.ping_group_range); guest ping to the "
					     "outside disabled");
				n->mode = -1;
			}
			return -1;
		}
	}
	fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0) {
		LOG_ONCE_FOR(&n->logged, ICMP_LOG_NO_SOCKET, LOG_LVL_WARN,
			     "user gateway: no ICMP socket (%s); guest ping to the "
			     "outside disabled", strerror(errno));
		n->mode = -1;
		return -1;
	}
	if (n->mode != 2)
		info("user gateway: ICMP datagram sockets refused, using raw sockets");
	n->mode = 2;
	*raw = true;
	struct icmp_filter filt = { .data = ~(1u << T_ECHO_REPLY) };
	setsockopt(fd, SOL_RAW, ICMP_FILTER, &filt, sizeof(filt));
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
	if ((fd = open_sock(n, &raw)) < 0) {
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

void gw_icmp_nat_input(struct gw_icmp_nat *n, uint32_t src, uint32_t dst, const uint8_t *l4,
		       size_t len, uint64_t now)
{
	union inany_addr src_a = inany_from_ip4(src), dst_a = inany_from_ip4(dst), host_dst;
	union sockaddr_inany to;
	struct gw_icmp_flow *fl;
	socklen_t tolen;
	bool quota = false;
	int code;

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
	if (gw_policy_map_dest(n->env->policy, &dst_a, &host_dst) != GW_ALLOW) {
		n->env->stats->nat_denied++;
		return;
	}
	if (n->mode < 0 || len > sizeof(n->buf)) {
		n->env->stats->icmp_unhandled++;
		return;
	}
	fl = flow_get(n, &src_a, rd16be(l4 + 4), &dst_a, &host_dst, now, &quota);
	if (!fl) {
		if (quota) /* over its share: told, not left waiting */
			gw_icmp_error_to_guest(n->env, now, T_UNREACH, 13, n->env->cfg->host, src,
					       dst, IPPROTO_ICMP_, l4, len, len);
		else
			n->env->stats->icmp_send_errors++;
		return;
	}
	memcpy(n->buf, l4, len);
	if (fl->raw) {
		wr16be(n->buf + 4, fl->nat_id);
		wr16be(n->buf + 2, 0);
		wr16be(n->buf + 2, csum(n->buf, len));
	}
	fl->last_ms = now;
	tolen = inany_to_sockaddr(&to, &host_dst, 0);
	if (sendto(fl->fd, n->buf, len, 0, &to.sa, tolen) < 0) {
		n->env->stats->icmp_send_errors++;
		code = gw_icmp_code_for_errno(errno);
		if (code >= 0)
			gw_icmp_error_to_guest(n->env, now, T_UNREACH, (uint8_t)code,
					       n->env->cfg->host, src, dst, IPPROTO_ICMP_, l4, len,
					       len);
		return;
	}
	fl->bytes_out += len;
	n->env->stats->icmp_nat_out++;
}

static void reply_to_guest(struct gw_icmp_flow *fl, uint8_t *icmp, size_t len, uint64_t now)
{
	struct gw_icmp_nat *n = fl->nat;
	uint32_t guest = inany_ip4(&fl->guest_addr);
	uint8_t *f;

	if (len + IP_HDR_LEN > n->env->cfg->mtu || OFF_L4 + len > n->env->tx->slot_size) {
		n->env->stats->tx_too_big++;
		return;
	}
	wr16be(icmp + 4, fl->guest_id);
	wr16be(icmp + 2, 0);
	wr16be(icmp + 2, csum(icmp, len));
	f = gw_tx_begin(n->env->tx);
	if (!f)
		return;
	memcpy(f + OFF_L4, icmp, len);
	memset(f, 0, 6);
	fl->bytes_in += len;
	fl->last_ms = now;
	n->env->stats->icmp_nat_in++;
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
		if (!r || e.len < ICMP_HDR)
			continue;
		wr16be(n->buf + 4, fl->guest_id);
		wr16be(n->buf + 2, 0);
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
		if (fl->raw) {
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
		if (len < ICMP_HDR || icmp[0] != T_ECHO_REPLY ||
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
