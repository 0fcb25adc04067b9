/* SPDX-License-Identifier: MIT
 *
 * tcp_data.c - data both ways on an established flow: the window, ACKs,
 * the peek towards the guest (loss recovery: tcp_loss.c).
 *
 * Theory of operation. Guest -> host: an in-order segment's payload goes
 * straight to send(); rcv_nxt moves by what the socket took and the ACK
 * says exactly that, so when the socket is full the guest's own
 * retransmission is our buffer. The window we advertise is the socket's
 * free send space as the kernel counts it (SO_MEMINFO: SO_SNDBUF less what
 * the queued skbs cost, overhead included; SIOCOUTQ counts payload only
 * and let the guest overrun the socket once it filled), asked now and
 * then and spent by our writes in between (tcp_space.c). When that space is
 * what the kernel calls full, or a write came up short, we watch EPOLLOUT
 * and send a window update once it drains: a guest facing a zero window
 * would otherwise only probe, with exponential backoff.
 *
 * A segment beyond rcv_nxt (one before it was lost or reordered) goes to
 * the flow's out-of-order queue (tcp_ooo.h: chunks of one pool shared by
 * all flows, max-ooo-kib in all, a quarter per flow), clipped to the
 * window we offered. With SACK agreed (the guest offered it in its SYN,
 * we in our SYN-ACK) our ACKs carry SACK blocks for the queued ranges,
 * latest first, so the guest resends only the holes; once rcv_nxt reaches
 * the queue, its contiguous run goes to the socket in one sendmsg(), and
 * what the socket does not take stays queued for EPOLLOUT. Without SACK,
 * or when the queue is full (counted, logged once), we answer with three
 * duplicate ACKs carrying one window, which makes the guest fast-
 * retransmit what is missing instead of waiting for its RTO; the tail of
 * a short write is answered the same way.
 *
 * Host -> guest: the socket's receive queue is the retransmission buffer.
 * We never push more than the way to the guest can take now: the egress
 * port's room (port_sink_room(), e.g. a stream connection's free ring)
 * less the frames waiting in the gateway's reply ring. A flow short of
 * room waits (port_sink_wait()) with its data left in the socket, and the
 * fabric resumes the gateway's port once that port drained
 * (gw_tcp_resume()), instead of the port dropping what SACK would resend.
 * Bytes from snd_una on stay queued; SO_PEEK_OFF (snd_nxt - snd_una) makes
 * recvmsg(MSG_PEEK) return only what the guest has not been sent yet,
 * straight into the payload area of a batch of frames (one iovec per
 * segment of min(MSS, window) bytes), which then go to the fabric one by
 * one, their TCP checksums left to the egress port as CHECKSUM_PARTIAL
 * metadata (a TAP hands that to the kernel, which then reads the payload
 * not at all; other ports complete it in software). The acknowledged
 * bytes are discarded with recv(MSG_TRUNC), once per push for all the
 * guest ACKs that deferred it (f->undiscarded), before anything peeks.
 *
 * How much is in flight towards the guest, and what is lost and resent,
 * is tcp_loss.c's: a NewReno congestion window (tcp_cc.h) bounds the
 * peek besides the guest's window, the guest's SACK blocks go on a
 * scoreboard that remembers them (tcp_sack.h), and RACK-TLP (tcp_rack.h)
 * finds lost segments and lost resends by time. ack_input() here does the
 * cumulative part (discard, RTT, RTO) and hands the rest to
 * tcp_loss_ack(); a push first lets tcp_loss_repair() resend what is lost.
 * A guest FIN that arrives after a gap is remembered (ooo_fin_seq) and
 * taken once the data before it is through. Sockets are edge-triggered,
 * so a queue we have peeked through completely does not wake us again
 * until new data arrives: till then (f->drained) a push for a guest ACK
 * neither peeks nor asks the window, and the ACK of a small guest segment
 * waits for the reply to carry it (tcp_ack.c).
 *
 * Kernels without SO_PEEK_OFF for TCP get the sent bytes peeked into a
 * scratch buffer first, as passt does, and go-back-N on any loss.
 */
#include "gateway/tcp/tcp_flow.h"
#include "gateway/quota.h"
#include "core/log.h"
#include "core/offload.h"
#include "core/port.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define TCP_PUSH_ROUNDS 4

static bool ooo_flush(struct tcp_flow *f);
static void ooo_fin_check(struct tcp_flow *f);

static uint32_t wnd_now(struct tcp_flow *f, bool *full)
{
	uint32_t max = f->flags & TF_WS ? 65535u << f->ows : 65535u;
	int64_t space = tcp_space(f, full);

	if (space < 0)
		return 65535;
	return space > max ? max : (uint32_t)space;
}

uint32_t tcp_data_wnd(struct tcp_flow *f)
{
	bool full;

	return wnd_now(f, &full);
}

/* Watch EPOLLOUT: the socket took less than the guest sent, or the window
 * we just offered is one the kernel calls full, and the guest (which will
 * not probe for minutes' worth of backoff) needs a window update once the
 * host side reads. */
static void want_out(struct tcp_flow *f)
{
	tcp_space_forget(f);
	if (f->flags & TF_WANT_OUT)
		return;
	f->flags |= TF_WANT_OUT;
	tcp_flow_watch(f, EPOLLIN | EPOLLRDHUP | EPOLLET | EPOLLOUT);
}

static uint16_t wnd_field(struct tcp_flow *f, uint32_t wnd)
{
	uint32_t v = f->flags & TF_WS ? wnd >> f->ows : wnd;

	return v > 65535 ? 65535 : (uint16_t)v;
}

static void emit(struct gw_tcp *t, const uint8_t *frame, size_t len)
{
	port_receive(t->env->port, frame, len);
	t->stats.segs_out++;
}

static size_t build(struct tcp_flow *f, uint8_t *buf, uint32_t seq, uint8_t flags,
		    uint32_t wnd, size_t data_len)
{
	struct tcp_seg_addr a = tcp_flow_seg_addr(f);

	return tcp_seg_build(buf, &a, seq, f->rcv_nxt, flags, wnd_field(f, wnd), 0, -1,
			     data_len);
}

/* A data segment: when the fabric takes offload metadata, the checksum is
 * left to whoever needs it (a TAP with offloads hands it to the kernel as
 * CHECKSUM_PARTIAL, which trusts it; other ports complete it in software),
 * so the payload is not read twice per segment. */
void tcp_emit_data(struct tcp_flow *f, uint8_t *buf, uint32_t seq, uint8_t flags, uint32_t wnd,
		   size_t data_len)
{
	static const struct frame_offload csum4 = {
		.flags = OFFLOAD_F_CSUM, .csum_start = OFF_L4, .csum_offset = 16,
	}, csum6 = {
		.flags = OFFLOAD_F_CSUM, .csum_start = OFF_L4_6, .csum_offset = 16,
	};
	const struct frame_offload *csum = inany_is_v4(&f->gaddr) ? &csum4 : &csum6;
	struct gw_tcp *t = f->t;
	struct tcp_seg_addr a = tcp_flow_seg_addr(f);

	tcp_ack_sent(f);
	if (!port_sink_takes_offload(t->env->port)) {
		emit(t, buf, build(f, buf, seq, flags, wnd, data_len));
		return;
	}
	port_receive_offload(t->env->port, csum, buf,
			     tcp_seg_build_partial(buf, &a, seq, f->rcv_nxt, flags,
						   wnd_field(f, wnd), data_len));
	t->stats.segs_out++;
}

/* A bare ACK; with SACK agreed and data queued out of order, its SACK
 * blocks (2 NOPs + 2 + 8n bytes, n <= 4: at most 36 of the 40 option
 * bytes; we agree no timestamps) say what the guest need not resend. */
static void send_ack(struct tcp_flow *f, uint32_t seq, uint32_t wnd)
{
	struct gw_tcp *t = f->t;
	struct tcp_seg_addr a = tcp_flow_seg_addr(f);
	uint32_t blocks[TCP_MAX_SACK][2];
	uint8_t opt[4 + 8 * TCP_MAX_SACK];
	unsigned n = 0;

	tcp_ack_sent(f);
	if (f->flags & TF_SACK && f->ooo.n)
		n = tcp_ooo_sack(&t->ooo, &f->ooo, f->rcv_nxt, blocks, TCP_MAX_SACK);
	if (!n) {
		emit(t, t->bufs, build(f, t->bufs, seq, TH_ACK, wnd, 0));
	} else {
		opt[0] = opt[1] = 1;
		opt[2] = 5;
		opt[3] = (uint8_t)(2 + 8 * n);
		for (unsigned i = 0; i < n; i++) {
			wr32be(opt + 4 + 8 * i, blocks[i][0]);
			wr32be(opt + 8 + 8 * i, blocks[i][1]);
		}
		emit(t, t->bufs,
		     tcp_seg_build_opt(t->bufs, &a, seq, f->rcv_nxt, TH_ACK, wnd_field(f, wnd), opt,
				       4 + 8 * n, 0));
	}
	f->wnd_sent = wnd;
}

static void send_fin(struct tcp_flow *f, uint32_t wnd)
{
	struct gw_tcp *t = f->t;

	tcp_ack_sent(f);
	emit(t, t->bufs, build(f, t->bufs, f->snd_nxt, TH_FIN | TH_ACK, wnd, 0));
	f->flags |= TF_FIN_SENT;
	f->snd_nxt++;
	if (seq_lt(f->snd_max, f->snd_nxt))
		f->snd_max = f->snd_nxt;
	f->wnd_sent = wnd;
	tcp_loss_sent(f);
}

void tcp_data_rewind(struct tcp_flow *f)
{
	int zero = 0;

	tcp_data_discard(f); /* the head is snd_una again */
	f->snd_nxt = f->snd_una;
	f->drained = 0; /* what was sent is unsent again: peek it */
	if (f->flags & TF_FIN_SENT && !(f->flags & TF_FIN_ACKED))
		f->flags &= (uint16_t)~TF_FIN_SENT; /* resent after the data */
	if (!(f->flags & TF_NO_PEEKOFF))
		setsockopt(f->w.fd, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero));
	f->rtt_ts_us = 0; /* Karn: no samples from retransmitted data */
	f->dup_acks = 0;
	f->in_rec = 0;
	f->rto_all = 0;
	f->rtx_pending = 0;
	tcp_sb_reset(&f->sb);
	/* Everything goes again as new: old send times would make it look
	 * lost at once. */
	f->rack.nmark = 0;
	f->rack.nrtx = 0;
}

/* Wait for the way to the guest to drain: the fabric resumes the gateway's
 * port (gw_tcp_resume()), which pushes this flow again. */
void tcp_room_wait(struct tcp_flow *f)
{
	struct gw_tcp *t = f->t;

	if (!f->room_wait) {
		f->room_wait = 1;
		t->stats.room_waits++;
	}
	port_sink_wait(t->env->port, f->gmac);
}

/* Payload bytes the way to the guest takes now, in whole segments of mss:
 * the egress port's room less the frames the gateway's reply ring holds,
 * which reach that port before ours. SIZE_MAX: no limit known. */
size_t tcp_room_payload(struct tcp_flow *f)
{
	struct gw_tcp *t = f->t;
	size_t room = port_sink_room(t->env->port, f->gmac), queued = gw_tx_queued(t->env->tx);

	if (room == SIZE_MAX)
		return SIZE_MAX;
	if (room <= queued)
		return 0;
	return (room - queued) / (f->mss + tcp_data_off(&f->gaddr) + PORT_TX_OVERHEAD) * f->mss;
}

/* Fill t->iov for one peek of at most want new bytes; returns the number
 * of segment iovecs, *skip gets the already-sent prefix (fallback only). */
static unsigned fill_iov(struct tcp_flow *f, size_t want, size_t *skip, unsigned *nskip)
{
	struct gw_tcp *t = f->t;
	unsigned n = 0, k = 0;

	*skip = 0;
	*nskip = 0;
	if (f->flags & TF_NO_PEEKOFF) {
		size_t sent = f->snd_nxt - f->snd_una;

		*skip = sent;
		for (; sent && k < TCP_DISCARD_IOV; k++) {
			size_t l = sent > TCP_DISCARD_SIZE ? TCP_DISCARD_SIZE : sent;

			t->iov[k].iov_base = t->discard;
			t->iov[k].iov_len = l;
			sent -= l;
		}
		*nskip = k;
	}
	while (want && n < t->nbufs) {
		size_t l = want > f->mss ? f->mss : want;

		t->iov[k + n].iov_base = t->bufs + (size_t)n * t->buf_size + tcp_data_off(&f->gaddr);
		t->iov[k + n].iov_len = l;
		want -= l;
		n++;
	}
	return n;
}

/* Nothing new to peek: is that the end? Peeking at the end of the queue
 * returns 0 only at EOF; the fallback peeks the sent bytes again, so it
 * asks the socket's state instead. */
static bool host_eof(struct tcp_flow *f, ssize_t r)
{
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);

	if (!r)
		return true;
	if (!(f->flags & TF_NO_PEEKOFF) ||
	    getsockopt(f->w.fd, IPPROTO_TCP, TCP_INFO, &ti, &tl))
		return false;
	return ti.tcpi_state == TCP_CLOSE_WAIT || ti.tcpi_state == TCP_LAST_ACK ||
	       ti.tcpi_state == TCP_CLOSING || ti.tcpi_state == TCP_CLOSE;
}

/* How many new bytes one peek may ask for: what the guest's window and
 * the congestion window (tcp_cc.h) leave, what the fallback's discard
 * iovecs can skip, and what the egress port can take (else the flow waits
 * for it). 0: nothing to send now. */
static size_t push_want(struct tcp_flow *f)
{
	uint32_t inflight = f->snd_nxt - f->snd_una, cwr;
	size_t want, room;

	if (inflight >= f->gwnd)
		return 0;
	want = f->gwnd - inflight;
	tcp_loss_ensure(f);
	cwr = tcp_cc_room(&f->cc, tcp_loss_flight(f));
	if (!cwr)
		return 0; /* the ACKs that make room push again */
	if (want > cwr)
		want = cwr;
	if (f->flags & TF_NO_PEEKOFF) {
		size_t cap = (size_t)TCP_DISCARD_IOV * TCP_DISCARD_SIZE;

		if (inflight >= cap)
			return 0;
		if (want > cap - inflight)
			want = cap - inflight;
	}
	room = tcp_room_payload(f);
	if (!room) {
		tcp_room_wait(f);
		return 0;
	}
	return want < room ? want : room;
}

/* The peeked bytes (got, after the fallback's nskip iovecs) as segments
 * of nseg iovecs, the last one pushed, and with fin our FIN too. */
static void push_segments(struct tcp_flow *f, size_t got, unsigned nskip, unsigned nseg,
			  uint32_t wnd, bool fin)
{
	struct gw_tcp *t = f->t;

	for (unsigned i = 0; i < nseg && got; i++) {
		size_t l = got < t->iov[nskip + i].iov_len ? got : t->iov[nskip + i].iov_len;
		uint8_t *b = t->bufs + (size_t)i * t->buf_size;
		bool last = l == got;

		if (!seq_lt(f->snd_nxt, f->snd_max) && !f->rtt_ts_us) {
			f->rtt_seq = f->snd_nxt + (uint32_t)l;
			f->rtt_ts_us = tcp_now_us();
		}
		tcp_emit_data(f, b, f->snd_nxt, TH_ACK | (last ? TH_PSH : 0) | (last && fin ? TH_FIN : 0),
			      wnd, l);
		f->snd_nxt += (uint32_t)l;
		f->bytes_to_guest += l;
		t->stats.bytes_to_guest += l;
		got -= l;
	}
	if (fin) {
		f->flags |= TF_HOST_EOF | TF_FIN_SENT;
		f->snd_nxt++;
	}
	if (seq_lt(f->snd_max, f->snd_nxt))
		f->snd_max = f->snd_nxt;
	f->wnd_sent = wnd;
	tcp_loss_sent(f);
}

enum push_result { PUSH_MORE, PUSH_DONE, PUSH_CLOSED };

/* One peek of new host data and its segments to the guest; *sent when
 * anything (data or our FIN) went out. PUSH_CLOSED: the flow is gone. */
static enum push_result push_round(struct tcp_flow *f, uint32_t wnd, bool *sent)
{
	struct gw_tcp *t = f->t;
	size_t want = push_want(f), skip, got, asked = 0;
	struct msghdr mh = { .msg_iov = t->iov };
	unsigned nseg, nskip, i;
	ssize_t r;

	if (!want || f->drained)
		return PUSH_DONE;
	nseg = fill_iov(f, want, &skip, &nskip);
	for (i = 0; i < nseg; i++)
		asked += t->iov[nskip + i].iov_len;
	mh.msg_iovlen = nskip + nseg;
	r = recvmsg(f->w.fd, &mh, MSG_PEEK | MSG_DONTWAIT);
	if (r < 0) {
		if (errno == EAGAIN)
			f->drained = 1;
		if (errno == EAGAIN || errno == EINTR)
			return PUSH_DONE;
		tcp_flow_close(f, true, false); /* ECONNRESET and friends */
		return PUSH_CLOSED;
	}
	if ((size_t)r < skip)
		return PUSH_DONE; /* the fallback lost track; the RTO rewinds */
	got = (size_t)r - skip;
	if (!got) {
		if (host_eof(f, r)) {
			f->flags |= TF_HOST_EOF;
			send_fin(f, wnd);
			*sent = true;
		} else {
			f->drained = 1;
		}
		return PUSH_DONE;
	}
	/* Short of what we asked: drained, the next edge brings more; after
	 * the peer's FIN (one edge with the data) none will: our FIN rides
	 * on the last segment. */
	if (got < asked)
		f->drained = 1;
	push_segments(f, got, nskip, nseg, wnd, got < asked && f->rdhup);
	*sent = true;
	return got < asked ? PUSH_DONE : PUSH_MORE;
}

/* The ACKs a push owes: one if asked for and no data carried it, one with
 * SACK blocks (data segments carry none), the duplicate ACKs for lost
 * guest data. */
static void push_acks(struct tcp_flow *f, bool sent, bool force_ack, bool full, uint32_t wnd)
{
	if (!sent && force_ack && !(f->flags & TF_DUPACK))
		send_ack(f, f->snd_nxt, wnd);
	if (sent && force_ack && f->flags & TF_SACK && f->ooo.n && !(f->flags & TF_DUPACK))
		send_ack(f, f->snd_nxt, wnd);
	if (f->flags & TF_DUPACK && !full) {
		/* Guest data was dropped (a short send, or segments after a
		 * gap). Three duplicate ACKs make the guest retransmit now
		 * (RFC 5681) rather than after its RTO, 200 ms and doubling:
		 * the stalls this engine had. They must carry one window, or
		 * the guest counts window updates, not duplicates; the first
		 * may be that update. Not while the socket is full: the
		 * retransmission would bounce too, EPOLLOUT brings us back. */
		int n = wnd == f->wnd_sent ? 3 : 4;

		while (n--)
			send_ack(f, f->snd_nxt, wnd);
		f->flags &= (uint16_t)~TF_DUPACK;
	}
}

void tcp_data_push(struct tcp_flow *f, bool force_ack)
{
	bool full, sent = false;
	uint32_t wnd;
	enum push_result r = PUSH_MORE;

	tcp_data_discard(f);
	if (f->state != TS_ESTABLISHED)
		return;
	/* A guest ACK asks for a push, but with the socket drained there
	 * is nothing to peek and nothing to say: not even its window (one
	 * SO_MEMINFO per guest ACK on a request/response flow). */
	if (!force_ack && f->drained && !f->rtx_pending && !(f->flags & TF_DUPACK))
		return;
	wnd = wnd_now(f, &full);
	if (f->rtx_pending)
		tcp_loss_repair(f, wnd);
	for (int round = 0; round < TCP_PUSH_ROUNDS && r == PUSH_MORE; round++) {
		if (f->flags & TF_FIN_SENT)
			break;
		r = push_round(f, wnd, &sent);
	}
	if (r == PUSH_CLOSED)
		return;
	if (sent) {
		if (!f->rto_at_ms)
			f->rto_at_ms = ev_loop_now(f->t->env->loop) + f->rto_ms;
		f->active_ms = ev_loop_now(f->t->env->loop);
	}
	push_acks(f, sent, force_ack, full, wnd);
	if (full)
		want_out(f);
}

void gw_tcp_resume(struct gw_tcp *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < t->hwm; i++) {
		struct tcp_flow *f = &t->flows[i];

		if (f->state == TS_FREE || !f->room_wait)
			continue;
		f->room_wait = 0;
		t->stats.room_resumes++;
		tcp_defer(f, TF_SEND);
	}
}

void tcp_data_writable(struct tcp_flow *f)
{
	f->flags &= (uint16_t)~TF_WANT_OUT;
	tcp_space_forget(f); /* it drained: offer what is free now */
	tcp_flow_watch(f, EPOLLIN | EPOLLRDHUP | EPOLLET);
	if (!ooo_flush(f)) /* queued data the socket could not take */
		return;
	ooo_fin_check(f);
	tcp_data_push(f, true); /* carries the window update */
}

/* Drop what the guest acknowledged from the socket. TCP discards with
 * MSG_TRUNC and no buffer; a unix stream socket has no such mode and
 * needs a real (scratch) buffer. */
static ssize_t discard_acked(struct tcp_flow *f, uint32_t len)
{
	ssize_t done = 0, r;

	if (!(f->flags & TF_UNIX))
		return recv(f->w.fd, NULL, len, MSG_TRUNC | MSG_DONTWAIT);
	while ((size_t)done < len) {
		size_t n = len - (size_t)done;

		r = recv(f->w.fd, f->t->discard, n > TCP_DISCARD_SIZE ? TCP_DISCARD_SIZE : n,
			 MSG_DONTWAIT);
		if (r <= 0)
			break;
		done += r;
	}
	return done;
}

/* Drop what the guest's ACKs since the last push acknowledged: once per
 * push rather than once per ACK, as a TAP batch of guest ACKs (a bulk
 * host -> guest flow: one ACK per few segments) defers one push. Before
 * any peek (the peek offset counts from the socket's head) and before
 * the socket's head is taken to be snd_una (a rewind). */
void tcp_data_discard(struct tcp_flow *f)
{
	uint32_t len = f->undiscarded;

	if (!len || f->w.fd < 0)
		return;
	f->undiscarded = 0;
	if (discard_acked(f, len) != (ssize_t)len)
		LOG_ONCE_FOR(&f->t->logged, TCP_LOG_DISCARD_SHORT, LOG_LVL_WARN,
			     "-netdev user: TCP discard of acknowledged data came up short");
}

/* RTO from the smoothed RTT (RFC 6298), undoing any backoff. */
static void rto_reset(struct tcp_flow *f)
{
	uint32_t rto = (f->srtt_us + 4 * f->rttvar_us) / 1000;

	if (!f->srtt_us)
		return;
	f->rto_ms = rto < TCP_RTO_MIN_MS ? TCP_RTO_MIN_MS : rto > TCP_RTO_MAX_MS ? TCP_RTO_MAX_MS : rto;
}

static void rtt_sample(struct tcp_flow *f)
{
	uint64_t r = tcp_now_us() - f->rtt_ts_us;
	f->rtt_ts_us = 0;
	if (r > TCP_RTO_MAX_MS * 1000ULL)
		return; /* longer than any RTO we would use: not a real sample */
	if (!f->srtt_us) {
		f->srtt_us = (uint32_t)r;
		f->rttvar_us = (uint32_t)r / 2;
	} else {
		uint32_t d = f->srtt_us > r ? f->srtt_us - (uint32_t)r : (uint32_t)r - f->srtt_us;

		f->rttvar_us = (3 * f->rttvar_us + d) / 4;
		f->srtt_us = (7 * f->srtt_us + (uint32_t)r) / 8;
	}
	rto_reset(f);
}

static void ack_input(struct tcp_flow *f, const struct tcp_seg *s)
{
	struct gw_tcp *t = f->t;
	uint32_t wnd = (uint32_t)s->wnd << (f->flags & TF_WS ? f->gws : 0);
	uint32_t acked, data, old_una = f->snd_una, flight;

	if (seq_lt(f->snd_max, s->ack)) {
		t->stats.bad_ack++; /* acknowledges what we never sent */
		tcp_defer(f, TF_ACK_NOW);
		return;
	}
	if (seq_lt(s->ack, f->snd_una))
		return; /* old, reordered */
	flight = tcp_loss_flight(f);
	acked = s->ack - f->snd_una;
	if (acked) {
		data = acked;
		if (f->flags & TF_FIN_SENT && s->ack == f->snd_max) {
			f->flags |= TF_FIN_ACKED;
			data--;
		} else if (f->flags & TF_HOST_EOF && !(f->flags & TF_FIN_SENT) &&
			   s->ack == f->snd_max && !(f->flags & TF_FIN_ACKED) &&
			   seq_lt(f->snd_nxt, s->ack)) {
			/* FIN acked after a rewind cleared TF_FIN_SENT */
			f->flags |= TF_FIN_SENT | TF_FIN_ACKED;
			data--;
		}
		/* Dropped from the socket by the push this ACK defers
		 * (tcp_data_discard()), with the batch's other ACKs. */
		f->undiscarded += data;
		f->snd_una = s->ack;
		if (seq_lt(f->snd_nxt, s->ack))
			f->snd_nxt = s->ack; /* the kernel clamped the peek offset to 0 */
		if (f->rtt_ts_us && seq_le(f->rtt_seq, s->ack))
			rtt_sample(f);
		else if (f->retries)
			rto_reset(f); /* progress after a timeout: no more backoff */
		f->dup_acks = 0;
		f->retries = 0;
		f->rto_at_ms = f->snd_una == f->snd_max ? 0 : ev_loop_now(t->env->loop) + f->rto_ms;
		tcp_defer(f, TF_SEND);
	}
	/* SACK blocks, RACK, the congestion window, recovery (tcp_loss.c). */
	tcp_loss_ack(f, s, old_una, flight, wnd);
	if (wnd > f->gwnd)
		tcp_defer(f, TF_SEND);
	f->gwnd = wnd;
}

/* A guest segment beyond rcv_nxt: hold what is new of it in the
 * out-of-order queue, within the window we offered. With SACK the next
 * ACK describes it and the guest resends only the hole; without, three
 * duplicate ACKs ask for the hole at once. */
static void ooo_input(struct tcp_flow *f, uint32_t seq, const uint8_t *data, size_t len)
{
	struct gw_tcp *t = f->t;
	struct gw_quota *q = t->env->quota;
	enum tcp_ooo_res r = TCP_OOO_OUTSIDE;

	/* The guest's share of the pool (quota.h): asking may make room by
	 * dropping what a guest beyond its share holds; the chunks the
	 * insert takes are charged after it. */
	if (len && !gw_quota_take_for(q, GW_QUOTA_OOO, f->station, ev_loop_now(t->env->loop),
				      false)) {
		r = TCP_OOO_POOL_FULL;
		len = 0;
	} else if (len) {
		gw_quota_put(q, GW_QUOTA_OOO, f->station);
		r = tcp_ooo_insert(&t->ooo, &f->ooo, f->rcv_nxt, f->rcv_nxt + f->wnd_sent, seq,
				   data, len);
		tcp_ooo_charge(f);
	}
	switch (r) {
	case TCP_OOO_STORED:
		t->stats.ooo_queued++;
		break;
	case TCP_OOO_DUP:
		t->stats.ooo_dups++;
		break;
	case TCP_OOO_OUTSIDE:
		t->stats.ooo_dropped++;
		break;
	case TCP_OOO_FLOW_FULL:
		t->stats.ooo_flow_full++;
		break;
	case TCP_OOO_POOL_FULL:
		t->stats.ooo_pool_full++;
		if (t->ooo.nchunks)
			LOG_ONCE_FOR(&t->logged, TCP_LOG_OOO_FULL, LOG_LVL_WARN,
				     "-netdev user: TCP out-of-order queue full "
				     "(max-ooo-kib=%u), dropping guest data the guest will resend",
				     t->env->cfg->max_ooo_kib);
		break;
	}
	if (!(f->flags & TF_SACK) || r == TCP_OOO_POOL_FULL || r == TCP_OOO_FLOW_FULL ||
	    r == TCP_OOO_OUTSIDE)
		f->flags |= TF_DUPACK;
	tcp_defer(f, TF_ACK_NOW);
}

/* Queued data that rcv_nxt has reached goes to the socket. False when
 * the socket failed and the flow is gone. */
static bool ooo_flush(struct tcp_flow *f)
{
	struct gw_tcp *t = f->t;
	bool blocked;
	ssize_t n;

	if (!f->ooo.n)
		return true;
	n = tcp_ooo_deliver(&t->ooo, &f->ooo, &f->rcv_nxt, f->w.fd, &blocked);
	tcp_ooo_charge(f);
	if (n < 0) {
		tcp_flow_close(f, true, false);
		return false;
	}
	tcp_space_wrote(f, (size_t)n);
	f->bytes_to_host += (size_t)n;
	t->stats.bytes_to_host += (size_t)n;
	t->stats.ooo_delivered += (size_t)n;
	if (blocked)
		want_out(f);
	return true;
}

/* The guest's FIN is consumed: the socket is shut for writing, anything
 * queued beyond it was never data. */
static void guest_fin(struct tcp_flow *f)
{
	tcp_ooo_drop(&f->t->ooo, &f->ooo);
	tcp_ooo_charge(f);
	f->rcv_nxt++;
	f->ooo_fin = 0;
	f->flags |= TF_GUEST_FIN;
	shutdown(f->w.fd, SHUT_WR);
}

/* A FIN that came after a gap is remembered (the guest would otherwise
 * have to resend it after the hole, and a FIN-only segment is resent only
 * on its RTO): once the data before it is all through, it counts. */
static void ooo_fin_check(struct tcp_flow *f)
{
	if (f->ooo_fin && !(f->flags & TF_GUEST_FIN) && f->rcv_nxt == f->ooo_fin_seq)
		guest_fin(f);
}

void tcp_data_input(struct tcp_flow *f, const struct tcp_seg *s)
{
	struct gw_tcp *t = f->t;
	const uint8_t *data = s->data;
	size_t len = s->len;
	uint32_t seq = s->seq;
	bool fin = s->flags & TH_FIN;
	ssize_t n = 0;

	if (s->flags & TH_ACK) {
		ack_input(f, s);
		if (f->state == TS_FREE)
			return;
	}
	if (!len && !fin)
		return;
	if (f->flags & TF_GUEST_FIN) {
		tcp_defer(f, TF_ACK_NOW); /* a retransmission of what we have */
		return;
	}
	if (seq_lt(seq, f->rcv_nxt)) {
		uint32_t dup = f->rcv_nxt - seq;

		if (dup > len || (dup == len && !fin)) {
			tcp_defer(f, TF_ACK_NOW);
			return;
		}
		data += dup;
		len -= dup;
		seq = f->rcv_nxt;
	}
	if (seq != f->rcv_nxt) {
		ooo_input(f, seq, data, len);
		/* Within what we offered: the FIN's place is known now. */
		if (fin && seq + (uint32_t)len - f->rcv_nxt <= f->wnd_sent) {
			f->ooo_fin = 1;
			f->ooo_fin_seq = seq + (uint32_t)len;
		}
		return;
	}
	if (len) {
		n = send(f->w.fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR) {
				tcp_flow_close(f, true, false);
				return;
			}
			n = 0;
		}
		tcp_space_wrote(f, (size_t)n);
		f->rcv_nxt += (uint32_t)n;
		f->bytes_to_host += (size_t)n;
		t->stats.bytes_to_host += (size_t)n;
		/* A short send lost the rest of the segment: the guest must
		 * resend it once the socket drains. A unix socket's window
		 * rarely fills to a short send, but it shrinks: be told when
		 * the reader drained it (unix sockets wake writers below a
		 * quarter of SO_SNDBUF). */
		if ((size_t)n < len) {
			f->flags |= TF_DUPACK;
			want_out(f);
		} else if (f->flags & TF_UNIX && tcp_data_wnd(f) < 65536) {
			want_out(f);
		}
		/* The segment may have filled the hole before queued data
		 * (none can follow a FIN). */
		if ((size_t)n == len && !fin && !ooo_flush(f))
			return;
	}
	if (fin && (size_t)n == len)
		guest_fin(f); /* "data" queued beyond it goes */
	else
		ooo_fin_check(f);
	/* Taken whole and in order: the ACK may wait for the reply
	 * (tcp_ack.c); anything trimmed or left over is answered now. */
	if (seq == s->seq && (size_t)n == len && tcp_ack_delay(f, len + (fin ? 1 : 0)))
		return;
	tcp_defer(f, TF_ACK_NOW);
}
