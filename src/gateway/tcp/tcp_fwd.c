/* SPDX-License-Identifier: MIT
 *
 * tcp_fwd.c - hostfwd=tcp: a host connection becomes a flow the gateway
 * opens towards the guest.
 *
 * Theory of operation: hostfwd.c owns the listening sockets and calls us
 * when one is readable; we accept (a bounded number per wakeup) and send
 * the guest a SYN from the peer's guest-visible address (a loopback or LAN
 * peer appears as the host address, as in slirp) and port. When that
 * 4-tuple is already a flow (two host peers on different addresses that
 * both look like the host address), the source port is NATed to a free
 * one from the dynamic range. The host socket is not read until the guest
 * answers with its SYN-ACK; a guest RST, or no answer after the SYN
 * retransmissions, resets the host connection.
 *
 * guestfwd= is the mirror image and lives here too: a guest SYN to a rule's
 * server:port gets, instead of a connect() to where the guest meant, the
 * socket guestfwd.c opens for the rule's dev (a host TCP or unix socket,
 * or a socketpair to a command). From then on the flow is like any other;
 * its index keys the command's process, terminated when the flow closes.
 * restrict= and the egress lists do not apply: the rule is the operator's.
 */
#include "gateway/tcp/tcp_flow.h"
#include "core/fdres.h"
#include "core/log.h"
#include "gateway/nat/guestfwd.h"
#include "gateway/nat/hostfwd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TCP_FWD_ACCEPT_BUDGET 32

static void reset_close(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

static uint16_t nat_port(struct gw_tcp *t, const union inany_addr *ga, uint16_t gp,
			 const union inany_addr *ra, uint16_t want)
{
	if (want && !tcp_flow_lookup(t, ga, gp, ra, want))
		return want;
	for (unsigned i = 0; i < 65536 - TCP_FWD_PORT_FIRST; i++) {
		uint16_t p = t->next_fwd_port;

		t->next_fwd_port = p == 65535 ? TCP_FWD_PORT_FIRST : (uint16_t)(p + 1);
		if (!tcp_flow_lookup(t, ga, gp, ra, p))
			return p;
	}
	return 0;
}

static void accept_one(struct gw_tcp *t, struct gw_hostfwd_entry *e, int fd,
		       const union inany_addr *peer, uint16_t peer_port)
{
	union inany_addr ra, ga;
	uint16_t rp;
	struct tcp_flow *f;

	if (!gw_hostfwd_guest_end(t->env->hostfwd, e, &ga, &ra, peer)) {
		t->stats.denied++; /* "[]" and no IPv6 guest known yet */
		reset_close(fd);
		return;
	}
	rp = nat_port(t, &ga, e->guest_port, &ra, peer_port);
	if (!rp || !(f = tcp_flow_alloc(t, &ga, e->guest_port, &ra, rp))) {
		t->stats.table_full++;
		LOG_ONCE_FOR(&t->logged, TCP_LOG_FWD_FULL, LOG_LVL_WARN,
			     "-netdev user: %u TCP flows in use (max-tcp-flows), "
			     "resetting hostfwd connections", t->max_flows);
		reset_close(fd);
		return;
	}
	/* Opened by the host, not the guest: counted, never refused. */
	gw_quota_take_for(t->env->quota, GW_QUOTA_TCP, 0, ev_loop_now(t->env->loop), true);
	f->state = TS_HF_SYN_SENT;
	f->flags |= TF_HOSTFWD;
	f->isn = tcp_isn(t, &f->gaddr, f->gport, &f->raddr, f->rport);
	f->snd_una = f->snd_nxt = f->snd_max = f->isn;
	f->mss = (uint16_t)(t->env->cfg->mtu - tcp_ip_hdr_len(&ga) - TCP_HDR_LEN);
	f->ows = 7;
	f->rto_ms = 1000;
	f->active_ms = ev_loop_now(t->env->loop);
	tcp_sock_setup(f, fd);
	/* Edge-triggered from the start; the first push after the guest's
	 * SYN-ACK reads whatever arrived meanwhile. */
	tcp_flow_watch(f, EPOLLIN | EPOLLRDHUP | EPOLLET);
	t->stats.accepted++;
	tcp_send_syn(f, false);
}

void tcp_fwd_accept(void *ctx, struct gw_hostfwd_entry *e)
{
	struct gw_tcp *t = ctx;

	for (int n = 0; n < TCP_FWD_ACCEPT_BUDGET; n++) {
		union sockaddr_inany sa;
		union inany_addr peer;
		uint16_t peer_port;
		socklen_t pl = sizeof(sa);
		bool shed;
		int fd = fd_accept(e->fd, &sa.sa, &pl, SOCK_NONBLOCK | SOCK_CLOEXEC, &shed);

		if (fd < 0 && shed) {
			t->stats.table_full++;
			LOG_ONCE_FOR(&t->logged, TCP_LOG_FWD_EMFILE, LOG_LVL_WARN,
				     "-netdev user: out of file descriptors, closing "
				     "hostfwd connections at once");
			continue;
		}
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				LOG_ONCE_FOR(&t->logged, TCP_LOG_FWD_ACCEPT, LOG_LVL_WARN,
					     "-netdev user: hostfwd accept: %s", strerror(errno));
			return;
		}
		if (inany_from_sockaddr(&peer, &peer_port, &sa.sa, pl)) {
			close(fd);
			continue;
		}
		accept_one(t, e, fd, &peer, peer_port);
	}
}

const struct gw_fwd *tcp_guestfwd_rule(const struct gw_tcp *t, const union inany_addr *dst,
				       uint16_t dport)
{
	return t->gfwd ? gw_guestfwd_match(t->env->cfg, dst, dport) : NULL;
}

int tcp_guestfwd_open(struct tcp_flow *f, const struct gw_fwd *r)
{
	struct gw_tcp *t = f->t;
	int fd = gw_guestfwd_open(t->gfwd, r, (uint32_t)(f - t->flows));

	if (fd >= 0)
		f->flags |= TF_GUESTFWD | (strncmp(r->dev, "tcp:", 4) ? TF_UNIX : 0);
	return fd;
}

void tcp_guestfwd_closed(struct tcp_flow *f)
{
	struct gw_tcp *t = f->t;

	if (t->gfwd)
		gw_guestfwd_release(t->gfwd, (uint32_t)(f - t->flows));
}

int tcp_guestfwd_init(struct gw_tcp *t)
{
	if (!t->env->cfg->n_guestfwd)
		return 0;
	t->gfwd = malloc(sizeof(*t->gfwd));
	if (!t->gfwd)
		return -1;
	gw_guestfwd_init(t->gfwd, t->env);
	return 0;
}

void tcp_guestfwd_fini(struct gw_tcp *t)
{
	if (!t->gfwd)
		return;
	gw_guestfwd_fini(t->gfwd);
	free(t->gfwd);
	t->gfwd = NULL;
}
