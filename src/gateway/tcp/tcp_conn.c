/* SPDX-License-Identifier: MIT
 *
 * tcp_conn.c - the TCP engine's entry points, handshakes, teardown and
 * timers; see tcp.h for the whole picture.
 *
 * Theory of operation: a guest SYN to an address the egress rules allow
 * becomes a non-blocking connect() to where the guest meant (the host
 * address means the host's 127.0.0.1 with host-loopback=on, the dns
 * address port 53 means the first upstream resolver, so DNS over TCP is
 * relayed like any connection). The guest hears nothing until connect()
 * finishes: then a SYN-ACK, a RST if refused, an ICMP unreachable if there
 * is no route, so the guest sees what the host saw. Repeated guest SYNs
 * meanwhile are ignored (the guest backs off, the kernel keeps trying).
 *
 * A flow ends when both FINs are through (the guest's FIN became
 * shutdown(SHUT_WR); the socket's EOF became our FIN and the guest ACKed
 * it), on a RST from either side (a guest RST closes the socket with
 * linger 0 so the host peer sees a RST too), after too many
 * retransmissions, or idle (2 hours established, 60 s once a FIN has been
 * seen). One 100 ms tick walks the table for retransmission deadlines and
 * idle flows; per-flow timers in the loop's sorted list would cost O(n)
 * per arm with thousands of flows.
 */
#include "gateway/tcp/tcp_flow.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/port.h"
#include "gateway/services/arp.h"
#include "gateway/services/ndp.h"
#include "gateway/ip/checksum.h"
#include "gateway/nat/hostfwd.h"
#include "gateway/nat/policy.h"
#include "gateway/quota.h"
#include "gateway/services/dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TCP_TICK_MS 100
#define TCP_IDLE_MS (2 * 3600 * 1000ULL)
#define TCP_FIN_IDLE_MS (60 * 1000ULL)
/* A handshake the guest leaves silent this long is dropped: a SYN flood
 * (spoofed or never-ACKing sources) must not hold max-tcp-flows slots for
 * the minutes our SYN-ACK retransmissions would take. Any guest segment,
 * a retransmitted SYN included, restarts it. */
#define TCP_HALF_OPEN_MS (20 * 1000ULL)
#define TCP_MAX_RETRIES 12
#define TCP_OUR_WS 7
#define TCP_BATCH_BYTES (1u << 20)

static const struct gw_tcp_stats zero_stats;

static void tcp_emit_ring(struct gw_tcp *t, const uint8_t *mac, const union inany_addr *gaddr,
			  uint8_t *slot, size_t len)
{
	if (mac_is_zero(mac) && !inany_is_v4(gaddr)) {
		gw_ndp_output(t->env->ndp, slot, len, &gaddr->a6, ev_loop_now(t->env->loop));
	} else if (mac_is_zero(mac)) {
		gw_arp_output(t->env->arp, slot, len, inany_ip4(gaddr), ev_loop_now(t->env->loop));
	} else {
		memcpy(slot, mac, 6);
		gw_tx_commit(t->env->tx, len);
	}
	t->stats.segs_out++;
}

/* A RST for a segment without a flow (RFC 793 reset generation). Goes
 * through the reply ring: this runs inside transmit(). */
static void rst_for(struct gw_tcp *t, const uint8_t *smac, const union inany_addr *src,
		    const union inany_addr *dst, const struct tcp_seg *s)
{
	struct tcp_seg_addr a = { smac, t->env->cfg->mac, *dst, *src, s->dport, s->sport };
	uint8_t *slot;
	size_t len;

	if (s->flags & TH_RST || !(slot = gw_tx_begin(t->env->tx)))
		return;
	if (s->flags & TH_ACK)
		len = tcp_seg_build(slot, &a, s->ack, 0, TH_RST, 0, 0, -1, 0);
	else
		len = tcp_seg_build(slot, &a, 0,
				    s->seq + (uint32_t)s->len + !!(s->flags & TH_SYN) +
					    !!(s->flags & TH_FIN),
				    TH_RST | TH_ACK, 0, 0, -1, 0);
	gw_tx_commit(t->env->tx, len);
	t->stats.rst_to_guest++;
	t->stats.segs_out++;
}

static void rst_guest(struct tcp_flow *f)
{
	struct gw_tcp *t = f->t;
	struct tcp_seg_addr a = tcp_flow_seg_addr(f);
	uint8_t *slot = gw_tx_begin(t->env->tx);
	size_t len;

	if (!slot)
		return;
	len = tcp_seg_build(slot, &a, f->snd_nxt, f->rcv_nxt, TH_RST | TH_ACK, 0, 0, -1, 0);
	tcp_emit_ring(t, f->gmac, &f->gaddr, slot, len);
	t->stats.rst_to_guest++;
}

void tcp_flow_close(struct tcp_flow *f, bool rst_to_guest, bool rst_to_host)
{
	struct gw_tcp *t = f->t;

	if (f->state == TS_FREE)
		return;
	if (rst_to_guest && f->state != TS_CONNECTING)
		rst_guest(f);
	if (f->w.fd >= 0) {
		/* Acknowledged bytes still queued in the socket (the discard
		 * waits for the next push) would make close() send an RST
		 * where the host is owed a FIN. */
		if (rst_to_host) {
			struct linger l = { .l_onoff = 1, .l_linger = 0 };

			setsockopt(f->w.fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		} else {
			tcp_data_discard(f);
		}
		/* Taken out of the epoll set explicitly, although close()
		 * would do it for a descriptor nobody else holds: a guestfwd
		 * cmd: child in exec still holds every CLOEXEC socket until
		 * the kernel closes them (posix_spawn lets the parent go on
		 * before that), and a registration left behind would report
		 * this socket's events to the flow that reuses the slot. */
		ev_watch_del(t->env->loop, &f->w);
		close(f->w.fd);
		f->w.fd = -1;
	}
	if (f->flags & TF_GUESTFWD)
		tcp_guestfwd_closed(f);
	t->stats.closed++;
	tcp_flow_release(t, f);
}

void tcp_flow_maybe_done(struct tcp_flow *f)
{
	/* Not while deferred work is queued: that is the ACK of the FIN. */
	if (f->state == TS_ESTABLISHED && f->flags & TF_GUEST_FIN && f->flags & TF_FIN_ACKED &&
	    !(f->flags & TF_QUEUED) && !f->ack_wait)
		tcp_flow_close(f, false, false);
}

int tcp_flow_watch(struct tcp_flow *f, uint32_t events)
{
	if (f->w.events == 0 && events)
		return ev_watch_add(f->t->env->loop, &f->w, events);
	return ev_watch_mod(f->t->env->loop, &f->w, events);
}

static void emit_direct(struct gw_tcp *t, const uint8_t *f, size_t len)
{
	port_receive(t->env->port, f, len);
	t->stats.segs_out++;
}

/* MSS, window scale when ws >= 0, SACK-permitted: at most 12 bytes. */
static size_t syn_opts(uint8_t *o, uint16_t mss, int ws, bool sack)
{
	size_t n = 4;

	o[0] = 2;
	o[1] = 4;
	wr16be(o + 2, mss);
	if (ws >= 0) {
		o[n++] = 1;
		o[n++] = 3;
		o[n++] = 3;
		o[n++] = (uint8_t)ws;
	}
	if (sack) {
		o[n++] = 1;
		o[n++] = 1;
		o[n++] = 4;
		o[n++] = 2;
	}
	return n;
}

void tcp_send_syn(struct tcp_flow *f, bool ack)
{
	struct gw_tcp *t = f->t;
	struct tcp_seg_addr a = tcp_flow_seg_addr(f);
	uint32_t wnd = tcp_data_wnd(f);
	uint16_t mss = tcp_mtu_mss(t->env->cfg->mtu, &f->gaddr);
	int ws = ack ? (f->flags & TF_WS ? f->ows : -1) : f->ows;
	/* SYN-ACK: SACK if the guest offered it; our SYN offers it. */
	bool sack = ack ? f->flags & TF_SACK : true;
	uint8_t *slot, opt[12];
	size_t len, olen = syn_opts(opt, mss, ws, sack);

	if (mac_is_zero(f->gmac)) {
		const uint8_t *m = inany_is_v4(&f->gaddr)
					   ? gw_arp_lookup(t->env->arp, inany_ip4(&f->gaddr))
					   : gw_ndp_lookup(t->env->ndp, &f->gaddr.a6);

		if (m)
			memcpy(f->gmac, m, 6);
	}
	f->snd_una = f->isn;
	f->snd_nxt = f->snd_max = f->isn + 1;
	f->wnd_sent = wnd > 65535 ? 65535 : wnd; /* never scaled in a SYN */
	f->rcv_acked = f->rcv_nxt; /* a SYN-ACK acknowledges, delayed ACKs count from here */
	if (mac_is_zero(f->gmac)) {
		/* hostfwd to a guest we have not heard from: ARP first */
		if (!(slot = gw_tx_begin(t->env->tx)))
			return;
		len = tcp_seg_build_opt(slot, &a, f->isn, f->rcv_nxt, TH_SYN | (ack ? TH_ACK : 0),
					(uint16_t)f->wnd_sent, opt, olen, 0);
		tcp_emit_ring(t, f->gmac, &f->gaddr, slot, len);
	} else {
		len = tcp_seg_build_opt(t->bufs, &a, f->isn, f->rcv_nxt,
					TH_SYN | (ack ? TH_ACK : 0), (uint16_t)f->wnd_sent, opt, olen, 0);
		emit_direct(t, t->bufs, len);
	}
	f->rto_at_ms = ev_loop_now(t->env->loop) + f->rto_ms;
}

/* ICMP destination unreachable quoting the guest's SYN, rebuilt from the
 * flow: we do not keep the segment. */
static void icmp_unreach(struct tcp_flow *f, uint8_t code)
{
	struct gw_tcp *t = f->t;
	uint8_t *b = t->bufs, *ic = b + OFF_L4, *q = ic + 8;
	size_t len;

	if (!inany_is_v4(&f->gaddr)) {
		rst_guest(f); /* no ICMPv6 errors yet: a RST says no */
		return;
	}
	memset(ic, 0, 8 + IP_HDR_LEN + 8);
	ic[0] = 3;
	ic[1] = code;
	q[0] = 0x45;
	wr16be(q + 2, IP_HDR_LEN + TCP_HDR_LEN + TCP_SYN_OPT_LEN);
	q[8] = 64;
	q[9] = IPPROTO_TCP_;
	wr32be(q + 12, inany_ip4(&f->gaddr));
	wr32be(q + 16, inany_ip4(&f->raddr));
	wr16be(q + 10, csum(q, IP_HDR_LEN));
	wr16be(q + 20, f->gport);
	wr16be(q + 22, f->rport);
	wr32be(q + 24, f->rcv_nxt - 1);
	wr16be(ic + 2, csum(ic, 8 + IP_HDR_LEN + 8));
	len = pkt_ipv4(b, f->gmac, t->env->cfg->mac, inany_ip4(&f->raddr), inany_ip4(&f->gaddr),
		       IPPROTO_ICMP_, 8 + IP_HDR_LEN + 8);
	emit_direct(t, b, len);
}

/* The socket event's news of host data, for a flow not established yet
 * (its data waits for the handshake) as for one that is. */
static void note_input(struct tcp_flow *f, uint32_t events)
{
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))
		f->drained = 0; /* new data or EOF to peek */
	if (events & (EPOLLRDHUP | EPOLLHUP))
		f->rdhup = 1;
}

static void connect_done(struct tcp_flow *f, uint32_t events)
{
	struct gw_tcp *t = f->t;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int e = 0;
	socklen_t el = sizeof(e);

	/* A clean EPOLLOUT is a finished connect() (connect(2)); SO_ERROR
	 * is news only with EPOLLERR or EPOLLHUP (a refused or unreachable
	 * connect sets both). One getsockopt() less per connection. */
	if ((events & (EPOLLERR | EPOLLHUP) || !(events & EPOLLOUT)) &&
	    getsockopt(f->w.fd, SOL_SOCKET, SO_ERROR, &e, &el))
		e = errno;
	/* EPOLLOUT with no error is a finished connect(); anything else may
	 * be a stale event of one still in progress. */
	if (!e && !(events & EPOLLOUT) && getpeername(f->w.fd, (struct sockaddr *)&ss, &sl)) {
		if (errno == ENOTCONN)
			return; /* a stale event: still connecting */
		e = errno;
	}
	if (e) {
		if (e == EHOSTUNREACH || e == ENETUNREACH || e == EHOSTDOWN || e == ENETDOWN) {
			t->stats.unreachable++;
			icmp_unreach(f, e == ENETUNREACH || e == ENETDOWN ? 0 : 1);
			tcp_flow_close(f, false, false);
		} else {
			if (e == ECONNREFUSED)
				t->stats.refused++;
			f->state = TS_SYN_ACK_SENT; /* so the RST is sent */
			f->snd_nxt = f->isn + 1; /* RFC 793: RST seq for a SYN is 0 anyway */
			tcp_flow_close(f, true, false);
		}
		return;
	}
	f->state = TS_SYN_ACK_SENT;
	tcp_flow_watch(f, EPOLLIN | EPOLLRDHUP | EPOLLET);
	/* Nothing to peek once the guest completes the handshake unless an
	 * event said so. */
	f->drained = 1;
	note_input(f, events);
	tcp_send_syn(f, true);
}

void tcp_sock_event(void *ctx, uint32_t events)
{
	struct tcp_flow *f = ctx;

	switch (f->state) {
	case TS_FREE:
		return; /* freed earlier in this epoll batch */
	case TS_CONNECTING:
		connect_done(f, events);
		return;
	case TS_ESTABLISHED:
		break;
	default:
		if (events & EPOLLERR)
			tcp_flow_close(f, true, false);
		else
			note_input(f, events);
		return; /* data waits for the guest's handshake */
	}
	if (events & EPOLLERR) {
		int e = 0;
		socklen_t el = sizeof(e);

		getsockopt(f->w.fd, SOL_SOCKET, SO_ERROR, &e, &el);
		if (e && e != EAGAIN) {
			tcp_flow_close(f, true, false);
			return;
		}
	}
	if (events & EPOLLOUT && f->flags & TF_WANT_OUT)
		tcp_data_writable(f);
	if (f->state == TS_ESTABLISHED && events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) {
		note_input(f, events);
		tcp_data_push(f, false);
	}
	tcp_flow_maybe_done(f);
}

/* Where a guest connection to dst:dport goes on the host, or -1 when
 * policy says no. The dns address port 53 is ours to relay (DNS over
 * TCP); everything else is the shared egress policy's call. */
static int map_dst(const struct gw_tcp *t, const union inany_addr *dst, uint16_t dport,
		   struct sockaddr_storage *ss, socklen_t *sl)
{
	const struct gw_config *c = t->env->cfg;
	const struct gw_upstream *up = NULL;
	union inany_addr host;
	union sockaddr_inany sa;
	unsigned n = 0;

	memset(ss, 0, sizeof(*ss));
	if (t->env->dns)
		up = gw_dns_upstreams(t->env->dns, &n);
	if ((inany_equals4(dst, c->dns) ||
	     (!inany_is_v4(dst) && c->v6.on && !memcmp(&dst->a6, &c->v6.dns, 16))) &&
	    dport == 53 && n && !c->restrict_) {
		memcpy(ss, &up[0].sa, up[0].salen);
		*sl = up[0].salen;
		return 0;
	}
	if (gw_policy_map_dest(t->env->policy, dst, &host) != GW_ALLOW)
		return -1;
	*sl = inany_to_sockaddr(&sa, &host, dport);
	memcpy(ss, &sa, *sl);
	return 0;
}

static void tick_arm(struct gw_tcp *t)
{
	if (!t->tick.armed)
		ev_timer_arm(t->env->loop, &t->tick, TCP_TICK_MS);
}

int tcp_sock_setup(struct tcp_flow *f, int fd)
{
	int one = 1, zero = 0;

	f->w.fd = fd;
	ev_watch_init(&f->w, fd, tcp_sock_event, f);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero))) {
		f->flags |= TF_NO_PEEKOFF;
		LOG_ONCE_FOR(&f->t->logged, TCP_LOG_NO_PEEKOFF, LOG_LVL_INFO,
			     "-netdev user: no SO_PEEK_OFF for TCP on this kernel, "
			     "peeking past sent data");
	}
	tick_arm(f->t);
	return 0;
}

static void new_flow(struct gw_tcp *t, const uint8_t *smac, const union inany_addr *src_a,
		     const union inany_addr *dst_a, const struct tcp_seg *s, uint64_t now)
{
	const struct gw_config *c = t->env->cfg;
	const struct gw_fwd *gfwd = tcp_guestfwd_rule(t, dst_a, s->dport);
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = 0;
	struct tcp_flow *f;
	uint32_t station;
	int fd, r;

	if (!gfwd && map_dst(t, dst_a, s->dport, &ss, &sl)) {
		t->stats.denied++;
		rst_for(t, smac, src_a, dst_a, s);
		return;
	}
	/* Over its share (quota.h): reset at once, as for a full table. */
	if (!gw_quota_take(t->env->quota, GW_QUOTA_TCP, now, &station)) {
		rst_for(t, smac, src_a, dst_a, s);
		return;
	}
	if (!(f = tcp_flow_alloc(t, src_a, s->sport, dst_a, s->dport))) {
		gw_quota_put(t->env->quota, GW_QUOTA_TCP, station);
		t->stats.table_full++;
		LOG_ONCE_FOR(&t->logged, TCP_LOG_FULL, LOG_LVL_WARN,
			     "-netdev user: %u TCP flows in use (max-tcp-flows), "
			     "refusing new connections", t->max_flows);
		rst_for(t, smac, src_a, dst_a, s);
		return;
	}
	/* A guestfwd socket arrives with its connect() started. */
	f->station = station;
	fd = gfwd ? tcp_guestfwd_open(f, gfwd)
		  : socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		t->stats.socket_errors++;
		LOG_ONCE_FOR(&t->logged, TCP_LOG_SOCKET, LOG_LVL_WARN,
			     "-netdev user: TCP socket: %s", strerror(errno));
		tcp_flow_release(t, f);
		rst_for(t, smac, src_a, dst_a, s);
		return;
	}
	f->state = TS_CONNECTING;
	memcpy(f->gmac, smac, 6);
	f->rcv_nxt = s->seq + 1;
	f->mss = s->mss ? s->mss : TCP_DEFAULT_MSS;
	if (f->mss > tcp_mtu_mss(c->mtu, src_a))
		f->mss = tcp_mtu_mss(c->mtu, src_a);
	if (s->ws >= 0) {
		f->flags |= TF_WS;
		f->gws = (uint8_t)s->ws;
		f->ows = TCP_OUR_WS;
	}
	if (s->sack_ok)
		f->flags |= TF_SACK;
	f->gwnd = s->wnd;
	f->isn = tcp_isn(t, src_a, s->sport, dst_a, s->dport);
	f->snd_una = f->snd_nxt = f->snd_max = f->isn;
	f->rto_ms = 1000;
	f->active_ms = now;
	tcp_sock_setup(f, fd);
	t->stats.connects++;
	r = gfwd ? 0 : connect(fd, (struct sockaddr *)&ss, sl);
	if (r && errno != EINPROGRESS) {
		int e = errno;

		if (e == ECONNREFUSED)
			t->stats.refused++;
		else
			t->stats.unreachable++;
		close(fd);
		f->w.fd = -1;
		tcp_flow_release(t, f);
		rst_for(t, smac, src_a, dst_a, s);
		return;
	}
	/* Even a finished connect waits for the event: the SYN-ACK must not
	 * be emitted from inside transmit(). (EPOLLOUT is dropped once
	 * connected: tcp_data.c's want_out() must re-arm it with an
	 * epoll_ctl(), whose poll sets SOCK_NOSPACE, or a socket it calls
	 * full by SO_MEMINFO alone never wakes us.) */
	tcp_flow_watch(f, EPOLLOUT);
}

enum rst_verdict { RST_IGNORE, RST_CLOSE, RST_CHALLENGE };

/* RFC 5961 section 3: a RST tears the flow down only at exactly rcv_nxt.
 * One elsewhere in the window gets a challenge ACK: the real guest, whose
 * connection is gone, answers it with a RST at the ACK's number; a guest
 * that only knows the 4-tuple (another guest on the LAN) would have to hit
 * rcv_nxt itself, not a window's worth of sequence space. */
static enum rst_verdict rst_check(const struct tcp_flow *f, const struct tcp_seg *s)
{
	uint32_t w = f->wnd_sent ? f->wnd_sent : 1;

	if (f->state == TS_HF_SYN_SENT)
		return s->flags & TH_ACK && s->ack == f->isn + 1 ? RST_CLOSE : RST_IGNORE;
	if (s->seq == f->rcv_nxt)
		return RST_CLOSE;
	if (s->seq - f->rcv_nxt < w && f->state == TS_ESTABLISHED)
		return RST_CHALLENGE;
	return RST_IGNORE;
}

static void flow_input(struct tcp_flow *f, const uint8_t *smac, const struct tcp_seg *s,
		       uint64_t now)
{
	struct gw_tcp *t = f->t;

	if (s->flags & TH_RST) {
		switch (rst_check(f, s)) {
		case RST_CLOSE:
			t->stats.rst_from_guest++;
			tcp_flow_close(f, false, true);
			break;
		case RST_CHALLENGE:
			/* Deferred: many RSTs in one wakeup make one ACK. */
			t->stats.challenge_acks++;
			tcp_defer(f, TF_ACK_NOW);
			break;
		case RST_IGNORE:
			break;
		}
		return;
	}
	f->active_ms = now;
	switch (f->state) {
	case TS_CONNECTING:
		return; /* a repeated SYN: the answer comes with connect() */
	case TS_SYN_ACK_SENT:
		if (s->flags & TH_SYN) {
			if (s->seq + 1 == f->rcv_nxt)
				tcp_defer(f, TF_RESYN);
			return;
		}
		if (s->ack != f->isn + 1) {
			t->stats.bad_ack++;
			return;
		}
		f->state = TS_ESTABLISHED;
		f->snd_una = f->isn + 1;
		f->rto_at_ms = 0;
		f->retries = 0;
		t->stats.established++;
		tcp_data_input(f, s);
		tcp_defer(f, TF_SEND);
		return;
	case TS_HF_SYN_SENT:
		if (!(s->flags & TH_SYN) || !(s->flags & TH_ACK) || s->ack != f->isn + 1) {
			t->stats.bad_ack++;
			return;
		}
		memcpy(f->gmac, smac, 6);
		f->rcv_nxt = s->seq + 1;
		if (s->mss && s->mss < f->mss)
			f->mss = s->mss;
		if (s->ws >= 0) {
			f->flags |= TF_WS;
			f->gws = (uint8_t)s->ws;
		} else {
			f->ows = 0;
		}
		if (s->sack_ok)
			f->flags |= TF_SACK;
		f->gwnd = s->wnd;
		f->snd_una = f->isn + 1;
		f->rto_at_ms = 0;
		f->retries = 0;
		f->state = TS_ESTABLISHED;
		t->stats.established++;
		tcp_defer(f, TF_ACK_NOW | TF_SEND);
		return;
	case TS_ESTABLISHED:
		if (s->flags & TH_SYN) {
			/* RFC 5961 section 4: a challenge ACK, never a reset or
			 * a new connection. It is also the right answer when
			 * our ACK of the guest's SYN-ACK was lost; a guest that
			 * rebooted answers it with a RST at rcv_nxt. */
			t->stats.challenge_acks++;
			tcp_defer(f, TF_ACK_NOW);
			return;
		}
		tcp_data_input(f, s);
		return;
	}
}

/* Both families: the key is inany, so is everything below. */
static void tcp_input(struct gw_tcp *t, const uint8_t *smac, const union inany_addr *src_a,
		      const union inany_addr *dst_a, const uint8_t *l4, size_t len, unsigned how,
		      uint64_t now)
{
	struct tcp_flow *f;
	struct tcp_seg s;

	t->stats.segs_in++;
	if (tcp_seg_parse(&s, src_a, dst_a, l4, len, how, &t->stats))
		return;
	if (inany_is_unspecified(src_a)) {
		t->stats.bad_flags++;
		return;
	}
	f = tcp_flow_lookup(t, src_a, s.sport, dst_a, s.dport);
	if (f) {
		flow_input(f, smac, &s, now);
		return;
	}
	if ((s.flags & (TH_SYN | TH_ACK)) == TH_SYN && !s.len) {
		new_flow(t, smac, src_a, dst_a, &s, now);
		return;
	}
	t->stats.no_flow++;
	rst_for(t, smac, src_a, dst_a, &s);
}

void gw_tcp_input(struct gw_tcp *t, const uint8_t *smac, uint32_t src, uint32_t dst,
		  const uint8_t *l4, size_t len, unsigned how, uint64_t now)
{
	union inany_addr src_a = inany_from_ip4(src), dst_a = inany_from_ip4(dst);

	tcp_input(t, smac, &src_a, &dst_a, l4, len, how, now);
}

void gw_tcp_input6(struct gw_tcp *t, const uint8_t *smac, const union inany_addr *src,
		   const union inany_addr *dst, const uint8_t *l4, size_t len, uint64_t now)
{
	tcp_input(t, smac, src, dst, l4, len, 0, now);
}

static void defer_run(void *ctx)
{
	struct gw_tcp *t = ctx;
	unsigned n = t->max_flows;
	struct tcp_flow *f;

	/* Bounded: a flow deferred again by what we emit waits a round. */
	while (n-- && (f = tcp_defer_pop(t))) {
		uint16_t what = f->flags & (TF_ACK_NOW | TF_SEND | TF_RESYN);

		f->flags &= (uint16_t)~(TF_ACK_NOW | TF_SEND | TF_RESYN);
		if (what & TF_RESYN && f->state == TS_SYN_ACK_SENT)
			tcp_send_syn(f, true);
		else if (f->state == TS_ESTABLISHED)
			tcp_data_push(f, what & TF_ACK_NOW);
		if (f->state != TS_FREE)
			tcp_flow_maybe_done(f);
	}
	if (t->dhead >= 0)
		ev_timer_arm(t->env->loop, &t->defer_timer, 0);
}

static void on_rto(struct tcp_flow *f, uint64_t now)
{
	struct gw_tcp *t = f->t;

	if (++f->retries > TCP_MAX_RETRIES) {
		t->stats.timeouts++;
		tcp_flow_close(f, true, true);
		return;
	}
	f->rto_ms = f->rto_ms * 2 > TCP_RTO_MAX_MS ? TCP_RTO_MAX_MS : f->rto_ms * 2;
	switch (f->state) {
	case TS_SYN_ACK_SENT:
	case TS_HF_SYN_SENT:
		t->stats.retransmits++;
		tcp_send_syn(f, f->state == TS_SYN_ACK_SENT);
		return;
	case TS_ESTABLISHED:
		if (f->snd_nxt != f->snd_una || f->snd_max != f->snd_una) {
			t->stats.retransmits++;
			f->rto_at_ms = 0;
			tcp_data_timeout(f);
		} else {
			/* Zero window: probe with an old sequence number, which
			 * any stack answers with its current window. */
			f->rto_at_ms = f->gwnd ? 0 : now + f->rto_ms;
			if (!f->gwnd) {
				f->snd_nxt--;
				tcp_data_push(f, true);
				f->snd_nxt++;
			}
		}
		return;
	default:
		f->rto_at_ms = 0;
	}
}

static void tick(void *ctx)
{
	struct gw_tcp *t = ctx;
	uint64_t now = ev_loop_now(t->env->loop);

	for (unsigned i = 0; i < t->hwm; i++) {
		struct tcp_flow *f = &t->flows[i];
		/* active_ms may come from a fresher clock read than the
		 * wakeup's now (a flow pushed earlier in this round). */
		uint64_t idle = now > f->active_ms ? now - f->active_ms : 0;

		if (f->state == TS_FREE)
			continue;
		if (idle > TCP_IDLE_MS ||
		    (f->flags & (TF_GUEST_FIN | TF_HOST_EOF) && idle > TCP_FIN_IDLE_MS) ||
		    (f->state != TS_ESTABLISHED && idle > TCP_HALF_OPEN_MS)) {
			t->stats.timeouts++;
			tcp_flow_close(f, true, true);
			continue;
		}
		if (f->rto_at_ms && now >= f->rto_at_ms)
			on_rto(f, now);
		/* Waiting for the egress port (tcp_data.c): its drain resumes
		 * us, but a port that never queued anything (its room went to
		 * our own reply ring) never drains; asking again each tick
		 * bounds such a stall to one tick. */
		else if (f->room_wait && f->state == TS_ESTABLISHED)
			tcp_defer(f, TF_SEND);
	}
	if (t->nflows)
		ev_timer_arm(t->env->loop, &t->tick, TCP_TICK_MS);
}

struct gw_tcp *gw_tcp_new(const struct gw_env *env)
{
	const struct gw_config *cfg = env->cfg;
	struct gw_tcp *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->env = env;
	ev_timer_init(&t->defer_timer, defer_run, t);
	ev_timer_init(&t->tick, tick, t);
	tcp_ack_init(t);
	tcp_loss_timer_init(t);
	t->buf_size = ETH_HDR_LEN + cfg->mtu;
	t->nbufs = TCP_BATCH_BYTES / cfg->mtu;
	t->nbufs = t->nbufs < 8 ? 8 : t->nbufs > 256 ? 256 : t->nbufs;
	t->niov = t->nbufs + TCP_DISCARD_IOV;
	t->bufs = malloc(t->nbufs * t->buf_size);
	t->iov = calloc(t->niov, sizeof(*t->iov));
	t->discard = malloc(TCP_DISCARD_SIZE);
	t->next_fwd_port = TCP_FWD_PORT_FIRST;
	if (!t->bufs || !t->iov || !t->discard ||
	    tcp_table_init(t, cfg->max_tcp_flows ? cfg->max_tcp_flows : GW_DEFAULT_MAX_TCP_FLOWS) ||
	    tcp_guestfwd_init(t)) {
		int e = errno;

		gw_tcp_free(t);
		errno = e ? e : ENOMEM;
		return NULL;
	}
	if (env->hostfwd)
		gw_hostfwd_set_tcp(env->hostfwd, tcp_fwd_accept, t);
	gw_quota_table(env->quota, GW_QUOTA_TCP, t->max_flows, tcp_quota_evict, t);
	gw_quota_table(env->quota, GW_QUOTA_OOO, t->ooo.nchunks, tcp_ooo_quota_evict, t);
	return t;
}

/* The guest's flow that was idle longest, or NULL; ooo: only flows that
 * hold out-of-order data. */
static struct tcp_flow *oldest_of(struct gw_tcp *t, uint32_t station, bool ooo)
{
	struct tcp_flow *old = NULL;

	for (unsigned i = 0; i < t->hwm; i++) {
		struct tcp_flow *f = &t->flows[i];

		if (f->state == TS_FREE || f->station != station || (ooo && !f->ooo.n))
			continue;
		if (!old || f->active_ms < old->active_ms)
			old = f;
	}
	return old;
}

/* quota.h: a guest beyond its share loses its stalest connection (reset
 * both ways) to a guest that found the table full; a guest whose port
 * left loses them all (the host side reset, the guest is gone). */
bool tcp_quota_evict(void *ctx, uint32_t station, bool all)
{
	struct gw_tcp *t = ctx;
	struct tcp_flow *f;
	bool freed = false;

	if (!all) {
		if ((f = oldest_of(t, station, false))) {
			tcp_flow_close(f, true, true);
			return true;
		}
		return false;
	}
	for (unsigned i = 0; i < t->hwm; i++) {
		f = &t->flows[i];
		if (f->state != TS_FREE && f->station == station) {
			tcp_flow_close(f, false, true);
			freed = true;
		}
	}
	return freed;
}

/* quota.h: out-of-order data is only held, never acknowledged, so
 * dropping it costs the guest a resend, not its connection. */
bool tcp_ooo_quota_evict(void *ctx, uint32_t station, bool all)
{
	struct gw_tcp *t = ctx;
	struct tcp_flow *f;
	bool freed = false;

	while ((f = oldest_of(t, station, true))) {
		tcp_ooo_drop(&t->ooo, &f->ooo);
		tcp_ooo_charge(f);
		freed = true;
		if (!all)
			break;
	}
	return freed;
}

void gw_tcp_free(struct gw_tcp *t)
{
	if (!t)
		return;
	gw_quota_table(t->env->quota, GW_QUOTA_TCP, 0, NULL, NULL);
	gw_quota_table(t->env->quota, GW_QUOTA_OOO, 0, NULL, NULL);
	if (t->env->hostfwd && t->env->hostfwd->tcp_ctx == t)
		gw_hostfwd_set_tcp(t->env->hostfwd, NULL, NULL);
	if (t->flows)
		for (unsigned i = 0; i < t->hwm; i++)
			if (t->flows[i].state != TS_FREE && t->flows[i].w.fd >= 0)
				close(t->flows[i].w.fd);
	tcp_guestfwd_fini(t);
	ev_timer_cancel(t->env->loop, &t->defer_timer);
	ev_timer_cancel(t->env->loop, &t->tick);
	tcp_ack_fini(t);
	tcp_loss_timer_fini(t);
	tcp_table_fini(t);
	free(t->bufs);
	free(t->iov);
	free(t->discard);
	free(t);
}

static const char *state_name(const struct tcp_flow *f)
{
	switch (f->state) {
	case TS_CONNECTING: return "CONNECTING";
	case TS_SYN_ACK_SENT: return "SYN_RECEIVED";
	case TS_HF_SYN_SENT: return "SYN_SENT";
	default: break;
	}
	if (f->flags & TF_GUEST_FIN && f->flags & TF_HOST_EOF)
		return "CLOSING";
	if (f->flags & TF_GUEST_FIN)
		return "GUEST_FIN";
	if (f->flags & TF_HOST_EOF)
		return "HOST_FIN";
	return "ESTABLISHED";
}

void gw_tcp_walk_flows(const struct gw_tcp *t, uint64_t now_ms, gw_flow_fn fn, void *ctx)
{
	if (!t)
		return;
	for (unsigned i = 0; i < t->hwm; i++) {
		const struct tcp_flow *f = &t->flows[i];
		struct gw_flow_info in = { .proto = "tcp" };
		union sockaddr_inany sa;
		socklen_t sl = sizeof(sa);

		if (f->state == TS_FREE)
			continue;
		in.state = state_name(f);
		in.fd = f->w.fd;
		in.guest_addr = f->gaddr;
		in.guest_port = f->gport;
		/* The far end as the host sees it: the socket's peer (an IPv6
		 * DNS upstream shows as the guest-visible address, as before
		 * the view could hold one: the IPv6 issue decides). */
		in.host_addr = f->raddr;
		in.host_port = f->rport;
		if (f->w.fd >= 0 && !getpeername(f->w.fd, &sa.sa, &sl) &&
		    sa.sa.sa_family == AF_INET)
			inany_from_sockaddr(&in.host_addr, &in.host_port, &sa.sa, sl);
		in.idle_ms = now_ms > f->active_ms ? now_ms - f->active_ms : 0;
		in.bytes_to_host = f->bytes_to_host;
		in.bytes_to_guest = f->bytes_to_guest;
		in.rtt_us = f->srtt_us;
		fn(ctx, &in);
	}
}

const struct gw_tcp_stats *gw_tcp_stats(const struct gw_tcp *t)
{
	return t ? &t->stats : &zero_stats;
}

unsigned gw_tcp_count(const struct gw_tcp *t)
{
	return t ? t->nflows : 0;
}
