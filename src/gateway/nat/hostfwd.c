/* SPDX-License-Identifier: MIT
 *
 * hostfwd.c - see hostfwd.h.
 */
#include "gateway/nat/hostfwd.h"
#include "gateway/services/ndp.h"
#include "core/fdres.h"
#include "core/frame.h"
#include "core/log.h"
#include "gateway/config.h"
#include "gateway/env.h"
#include "gateway/pkt.h"
#include "gateway/stats.h"
#include "gateway/nat/udp_nat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define RX_BUDGET 32

static void hostfwd_rx(void *ctx, uint32_t events);

union inany_addr gw_hostfwd_guest_view(const struct gw_config *cfg,
				       const union inany_addr *host_addr)
{
	uint32_t a = inany_ip4(host_addr);

	if (cfg->hostfwd_source_host || inany_is_loopback(host_addr) || inany_is_unspecified(host_addr) ||
	    (inany_is_v4(host_addr) && (a & cfg->mask) == cfg->net))
		return inany_from_ip4(cfg->host);
	return *host_addr;
}

union inany_addr gw_hostfwd_guest_view6(const struct gw_config *cfg,
					const union inany_addr *host_addr)
{
	if (cfg->hostfwd_source_host || inany_is_v4(host_addr) ||
	    inany_is_loopback(host_addr) || inany_is_unspecified(host_addr) || gw_config6_in_net(&cfg->v6, &host_addr->a6) ||
	    IN6_IS_ADDR_LINKLOCAL(&host_addr->a6))
		return (union inany_addr){ .a6 = cfg->v6.host };
	return *host_addr;
}

/* A rule's guest end: its own address, or the first DHCP address; for
 * "[]" (IPv6, none given) unspecified until gw_hostfwd_guest_end(). */
static union inany_addr guest_end(const struct gw_config *cfg, const struct gw_fwd *r)
{
	if (inany_is_unspecified(&r->guest_addr) && !r->guest_v6)
		return inany_from_ip4(cfg->dhcp_start);
	return r->guest_addr;
}

bool gw_hostfwd_guest_end(const struct gw_hostfwd *hf, const struct gw_hostfwd_entry *e,
			  union inany_addr *out, union inany_addr *peer_view,
			  const union inany_addr *peer)
{
	const struct in6_addr *a;

	if (!e->fwd->guest_v6) {
		*out = e->guest_addr;
		*peer_view = gw_hostfwd_guest_view(hf->env->cfg, peer);
		return true;
	}
	*peer_view = gw_hostfwd_guest_view6(hf->env->cfg, peer);
	if (!inany_is_unspecified(&e->guest_addr)) {
		*out = e->guest_addr;
		return true;
	}
	/* The address a guest autoconfigured, as NDP saw it last. */
	if (!hf->env->ndp || !(a = gw_ndp_newest_global(hf->env->ndp)))
		return false;
	*out = inany_from_in6(a);
	return true;
}

static int open_rule(struct gw_hostfwd *hf, struct gw_hostfwd_entry *e)
{
	const struct gw_fwd *r = e->fwd;
	union sockaddr_inany sa;
	socklen_t sl = inany_to_sockaddr(&sa, &r->host_addr, r->host_port);
	char a[INANY_ADDRSTRLEN];
	int fd, one = 1, saved;

	fd = socket(sa.sa.sa_family,
		    (r->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (!r->udp)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, &sa.sa, sl) || (!r->udp && listen(fd, 128)))
		goto fail;
	ev_watch_init(&e->w, fd, hostfwd_rx, e);
	if (ev_watch_add(hf->env->loop, &e->w, EPOLLIN))
		goto fail;
	e->fd = fd;
	return 0;
fail:
	saved = errno;
	inany_ntop(&r->host_addr, a, sizeof(a));
	err("-netdev user: hostfwd=%s:%s:%u: %s", r->udp ? "udp" : "tcp",
	    inany_is_unspecified(&r->host_addr) ? "" : a, r->host_port, strerror(saved));
	if (fd >= 0)
		close(fd);
	errno = saved;
	return -1;
}

int gw_hostfwd_init(struct gw_hostfwd *hf, const struct gw_env *env)
{
	const struct gw_config *cfg = env->cfg;

	memset(hf, 0, sizeof(*hf));
	hf->env = env;
	for (unsigned i = 0; i < cfg->n_hostfwd && i < GW_FWD_MAX; i++) {
		struct gw_hostfwd_entry *e = &hf->e[hf->n++];

		e->hf = hf;
		e->rule = cfg->hostfwd[i];
		e->fwd = &e->rule;
		e->fd = -1;
		e->guest_addr = guest_end(cfg, e->fwd);
		e->guest_port = e->fwd->guest_port;
	}
	if (!env->loop || !hf->n)
		return 0;
	hf->buf = malloc(GW_HOSTFWD_BUF);
	if (!hf->buf)
		return -1;
	for (unsigned i = 0; i < hf->n; i++) {
		if (open_rule(hf, &hf->e[i])) {
			int saved = errno;

			gw_hostfwd_fini(hf);
			errno = saved;
			return -1;
		}
	}
	return 0;
}

void gw_hostfwd_fini(struct gw_hostfwd *hf)
{
	for (unsigned i = 0; i < hf->n; i++) {
		struct gw_hostfwd_entry *e = &hf->e[i];

		if (e->fd < 0)
			continue;
		ev_watch_del(hf->env->loop, &e->w);
		close(e->fd);
		e->fd = -1;
	}
	free(hf->buf);
	hf->buf = NULL;
}

static bool same_host_end(const struct gw_fwd *a, bool udp, const union inany_addr *addr,
			  uint16_t port)
{
	return a->udp == udp && inany_equals(&a->host_addr, addr) && a->host_port == port;
}

int gw_hostfwd_add(struct gw_hostfwd *hf, const struct gw_fwd *r, char *err, size_t errlen)
{
	struct gw_hostfwd_entry *e = NULL;
	unsigned i;

	if (!hf->env->loop) {
		snprintf(err, errlen, "the gateway is not running");
		return -1;
	}
	for (i = 0; i < hf->n; i++) {
		if (hf->e[i].fd < 0) {
			if (!e)
				e = &hf->e[i];
		} else if (gw_hostfwd_overlap(hf->e[i].fwd, r)) {
			snprintf(err, errlen, "a rule for that host address and port exists "
				 "(an empty address is all of them)");
			return -1;
		}
	}
	if (!e && hf->n < GW_FWD_MAX)
		e = &hf->e[hf->n];
	if (!e) {
		snprintf(err, errlen, "%d rules already", GW_FWD_MAX);
		return -1;
	}
	if (!hf->buf && !(hf->buf = malloc(GW_HOSTFWD_BUF))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memset(e, 0, sizeof(*e));
	e->hf = hf;
	e->rule = *r;
	e->fwd = &e->rule;
	e->fd = -1;
	e->guest_addr = guest_end(hf->env->cfg, r);
	e->guest_port = r->guest_port;
	if (open_rule(hf, e)) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (e == &hf->e[hf->n])
		hf->n++;
	return 0;
}

int gw_hostfwd_remove(struct gw_hostfwd *hf, bool udp, const union inany_addr *host_addr,
		      uint16_t host_port)
{
	for (unsigned i = 0; i < hf->n; i++) {
		struct gw_hostfwd_entry *e = &hf->e[i];

		if (e->fd < 0 || !same_host_end(e->fwd, udp, host_addr, host_port))
			continue;
		ev_watch_del(hf->env->loop, &e->w);
		close(e->fd);
		e->fd = -1;
		e->has_peer = false;
		return 0;
	}
	return -1;
}

void gw_hostfwd_set_tcp(struct gw_hostfwd *hf, gw_hostfwd_accept_fn fn, void *ctx)
{
	hf->tcp_accept = fn;
	hf->tcp_ctx = ctx;
}

static void udp_from_host(struct gw_hostfwd *hf, struct gw_hostfwd_entry *e)
{
	uint64_t now = ev_loop_now(hf->env->loop);
	union sockaddr_inany from;
	union inany_addr peer;
	uint16_t peer_port;

	for (int budget = RX_BUDGET; budget && hf->env->tx->count < GW_TX_SLOTS; budget--) {
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(e->fd, hf->buf, GW_HOSTFWD_BUF, MSG_DONTWAIT | MSG_TRUNC,
				     &from.sa, &fl);

		if (r < 0)
			return;
		if (inany_from_sockaddr(&peer, &peer_port, &from.sa, fl) ||
		    (size_t)r > GW_HOSTFWD_BUF) {
			hf->env->stats->hostfwd_drops++;
			continue;
		}
		e->peer = peer;
		e->peer_port = peer_port;
		e->has_peer = true;
		e->last_ms = now;
		if (!gw_hostfwd_guest_end(hf, e, &e->guest_addr, &e->peer_guest, &peer) ||
		    !gw_udp_to_guest(hf->env, now, &e->peer_guest, peer_port, &e->guest_addr,
				     e->guest_port, hf->buf, (size_t)r)) {
			hf->env->stats->hostfwd_drops++;
			continue;
		}
		e->bytes_in += (size_t)r;
		hf->env->stats->hostfwd_in++;
	}
}

static void hostfwd_rx(void *ctx, uint32_t events)
{
	struct gw_hostfwd_entry *e = ctx;
	struct gw_hostfwd *hf = e->hf;
	int fd;

	(void)events;
	if (e->fd < 0)
		return; /* removed earlier in this epoll batch */
	if (e->fwd->udp) {
		udp_from_host(hf, e);
		return;
	}
	if (hf->tcp_accept) {
		hf->tcp_accept(hf->tcp_ctx, e);
		return;
	}
	fd = fd_accept(e->fd, NULL, NULL, SOCK_CLOEXEC, NULL);
	if (fd >= 0) {
		close(fd);
		hf->env->stats->hostfwd_drops++;
		LOG_ONCE_FOR(&hf->logged, HOSTFWD_LOG_NO_TCP, LOG_LVL_WARN,
			     "user gateway: TCP hostfwd connection refused: no TCP engine");
	}
}

bool gw_hostfwd_udp_input(struct gw_hostfwd *hf, const union inany_addr *src, uint16_t sport,
			  const union inany_addr *dst, uint16_t dport, const uint8_t *data,
			  size_t len, uint64_t now)
{
	union sockaddr_inany to;
	socklen_t tl;

	for (unsigned i = 0; i < hf->n; i++) {
		struct gw_hostfwd_entry *e = &hf->e[i];

		if (!e->fwd->udp || e->fd < 0 || !e->has_peer ||
		    !inany_equals(&e->guest_addr, src) || e->guest_port != sport ||
		    !inany_equals(&e->peer_guest, dst) || e->peer_port != dport)
			continue;
		e->last_ms = now;
		tl = inany_to_sockaddr(&to, &e->peer, e->peer_port);
		if (sendto(e->fd, data, len, 0, &to.sa, tl) < 0) {
			hf->env->stats->hostfwd_drops++;
			return true;
		}
		e->bytes_out += len;
		hf->env->stats->hostfwd_out++;
		return true;
	}
	return false;
}

void gw_hostfwd_walk(const struct gw_hostfwd *hf, uint64_t now_ms, gw_flow_fn fn, void *ctx)
{
	for (unsigned i = 0; i < hf->n; i++) {
		const struct gw_hostfwd_entry *e = &hf->e[i];
		struct gw_flow_info fi = {
			.proto = e->fwd->udp ? "udp" : "tcp", .state = "HOST_FORWARD",
			.fd = e->fd, .guest_addr = e->guest_addr, .guest_port = e->guest_port,
			.host_addr = e->fwd->host_addr, .host_port = e->fwd->host_port,
			.idle_ms = e->last_ms && now_ms > e->last_ms ? now_ms - e->last_ms : 0,
			.bytes_to_host = e->bytes_out, .bytes_to_guest = e->bytes_in,
		};

		if (e->fd >= 0)
			fn(ctx, &fi);
	}
}
