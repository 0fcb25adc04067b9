/* SPDX-License-Identifier: MIT
 *
 * tcp_loss.c - loss recovery and congestion control towards the guest:
 * the SACK scoreboard (tcp_sack.h), RACK-TLP (tcp_rack.h) and the NewReno
 * window (tcp_cc.h) applied to a flow.
 *
 * Theory of operation. Every ACK from the guest feeds three things: its
 * SACK blocks go on the scoreboard, which remembers them until the
 * cumulative ACK passes (the guest reports only its latest few); what it
 * newly delivered (cumulatively or by SACK) tells RACK the latest send time
 * known to have arrived; and the congestion window grows by what was
 * delivered. A D-SACK (RFC 2883: the first block below the ACK or inside
 * the second) is no loss: it widens RACK's reordering window.
 *
 * The repair walk (tcp_loss_repair(), from the push that the ACK defers)
 * goes over the holes of the scoreboard below the forward ACK in sequence
 * order, each split into runs sent at one time, and resends a run when it
 * is lost: RACK says so (something sent after it arrived, and it is older
 * than that one's RTT plus the reordering window), or it was never resent
 * and three segments' worth above it are SACKed (RFC 6675's DupThresh,
 * for runs RACK cannot time apart). A resend is recorded with its time, so
 * the same walk on the next ACK does not send it again, and once something
 * sent after the resend arrives RACK finds the resend lost too: no RTO and
 * no new data needed. Runs RACK will judge later arm the reorder timer for
 * that moment. The first loss of a window starts a recovery (until snd_max
 * as it was is ACKed) which shrinks the congestion window once (tcp_cc.h).
 *
 * How much goes out: new data only while what is in flight (sent, not
 * ACKed, not SACKed) is below the congestion window; resends may take what
 * the window leaves, at least one segment per walk (each ACK makes one
 * walk: the ACK clock, as PRR's slow-start reduction bound does), and only
 * what the egress port has room for: short of room the flow waits for the
 * port (port_sink_wait()) and that is not loss.
 *
 * Timers: one engine-wide timer (t->loss_timer) fires at the earliest
 * per-flow deadline (loss_at_ms): the reorder timer, or the tail loss
 * probe (PTO, 2 SRTT + 2 ms after the last send, as Linux; + 40 ms with
 * a single segment out, for the guest's delayed ACK; never past the RTO),
 * which resends the last segment so its ACK shows what is missing. The
 * RTO (tcp_conn.c's tick) takes the window to one segment and, with SACK
 * information, marks every hole lost; a second RTO in a row, no SACK, or no
 * SO_PEEK_OFF goes back to snd_una (go-back-N). Without SACK, loss is
 * three duplicate ACKs and each partial ACK resends the segment at snd_una
 * (NewReno, RFC 6582).
 */
#include "gateway/tcp/tcp_flow.h"
#include "core/port.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

/* Linux's: 2 SRTT + 2 ms; a lone segment may wait for the guest's delayed
 * ACK (40 ms on Linux) first. */
#define TCP_PTO_EXTRA_MS 2
#define TCP_PTO_DELACK_MS 40

enum { LOSS_TIMER_NONE, LOSS_TIMER_REO, LOSS_TIMER_PTO };

static uint32_t now32(void)
{
	return (uint32_t)tcp_now_us();
}

void tcp_loss_ensure(struct tcp_flow *f)
{
	if (f->cc.cwnd)
		return;
	tcp_cc_init(&f->cc, f->mss);
	tcp_rack_init(&f->rack);
	tcp_sb_reset(&f->sb);
}

uint32_t tcp_loss_flight(const struct tcp_flow *f)
{
	uint32_t out = f->snd_nxt - f->snd_una, s = tcp_sb_bytes(&f->sb);

	return seq_lt(f->snd_nxt, f->snd_una) ? 0 : out > s ? out - s : 0;
}

static void timer_arm(struct tcp_flow *f, uint64_t at, uint8_t kind)
{
	struct gw_tcp *t = f->t;
	uint64_t now = ev_loop_now(t->env->loop);

	f->loss_at_ms = at;
	f->loss_timer = kind;
	if (t->loss_timer_at && t->loss_timer_at <= at && t->loss_timer.armed)
		return;
	t->loss_timer_at = at;
	ev_timer_arm(t->env->loop, &t->loss_timer, at > now ? at - now : 0);
}

/* The tail loss probe's deadline after a send or an ACK with data still
 * out, unless the reorder timer runs or the RTO comes first. */
static void pto_arm(struct tcp_flow *f)
{
	uint64_t now = ev_loop_now(f->t->env->loop), pto;

	if (!(f->flags & TF_SACK) || f->flags & TF_NO_PEEKOFF || f->snd_una == f->snd_max) {
		if (f->loss_timer == LOSS_TIMER_PTO)
			f->loss_at_ms = 0;
		return;
	}
	if (f->loss_at_ms && f->loss_timer == LOSS_TIMER_REO)
		return;
	pto = f->srtt_us ? (2u * f->srtt_us + 999) / 1000 : 1000;
	pto += f->snd_nxt - f->snd_una <= f->mss ? TCP_PTO_DELACK_MS : TCP_PTO_EXTRA_MS;
	if (f->rto_at_ms && now + pto >= f->rto_at_ms) {
		f->loss_at_ms = 0;
		return;
	}
	timer_arm(f, now + pto, LOSS_TIMER_PTO);
}

void tcp_loss_sent(struct tcp_flow *f)
{
	tcp_rack_sent(&f->rack, f->snd_nxt, now32());
	pto_arm(f);
}

static void rec_enter(struct tcp_flow *f)
{
	f->t->stats.fast_retransmits++;
	tcp_cc_on_loss(&f->cc, tcp_loss_flight(f), f->mss);
	f->in_rec = 1;
	f->recover = f->snd_max;
}

/* SACK blocks of the segment onto the scoreboard and into RACK; true
 * when the first was a D-SACK. *newly: bytes SACKed for the first time. */
static bool sack_input(struct tcp_flow *f, const struct tcp_seg *s, uint32_t now,
		       uint32_t *newly)
{
	unsigned k = 0;
	bool dsack = false;

	*newly = 0;
	if (!(f->flags & TF_SACK) || !s->nsack)
		return false;
	if (seq_le(s->sack[0][1], s->ack) ||
	    (s->nsack > 1 && seq_le(s->sack[1][0], s->sack[0][0]) &&
	     seq_le(s->sack[0][1], s->sack[1][1]))) {
		dsack = true;
		k = 1;
	}
	for (; k < s->nsack; k++) {
		uint32_t l = s->sack[k][0], r = s->sack[k][1], n;

		if (!seq_lt(l, r) || seq_lt(l, s->ack) || seq_lt(f->snd_max, r))
			continue; /* hostile or stale */
		n = tcp_sb_add(&f->sb, l, r, f->snd_una, f->snd_max);
		if (n) {
			tcp_rack_delivered(&f->rack, l, r, now);
			*newly += n;
		}
	}
	return dsack;
}

void tcp_loss_ack(struct tcp_flow *f, const struct tcp_seg *s, uint32_t old_una,
		  uint32_t flight, uint32_t wnd)
{
	struct gw_tcp *t = f->t;
	uint32_t now = now32(), acked = f->snd_una - old_una, newly;
	bool dsack;

	tcp_loss_ensure(f);
	if (acked)
		tcp_rack_delivered(&f->rack, old_una, f->snd_una, now);
	tcp_rack_prune(&f->rack, f->snd_una);
	tcp_sb_prune(&f->sb, f->snd_una);
	dsack = sack_input(f, s, now, &newly);
	if (dsack) {
		t->stats.dsacks++; /* the guest got something twice: no loss */
		tcp_rack_dsack(&f->rack);
	}
	tcp_cc_on_ack(&f->cc, acked + newly, flight, f->mss, f->in_rec);
	if (f->in_rec && !seq_lt(f->snd_una, f->recover)) {
		f->in_rec = 0; /* all that was out when the loss was seen is in */
		f->rto_all = 0;
	}
	/* A duplicate ACK: with SACK any ACK reporting new blocks counts,
	 * whatever its window (a receiver holding out-of-order data shrinks
	 * it); without, RFC 5681's same-window rule. */
	if (!acked && !s->len && !(s->flags & TH_FIN) && f->snd_una != f->snd_max && !dsack &&
	    (wnd == f->gwnd || s->nsack) && f->dup_acks < 255)
		f->dup_acks++;
	if (f->flags & TF_SACK && !(f->flags & TF_NO_PEEKOFF)) {
		/* The walk decides what is lost (and starts the recovery). */
		if (f->sb.n || f->sb.unk || f->in_rec)
			f->rtx_pending = 1;
	} else if (!f->in_rec && f->snd_una != f->snd_max &&
		   (f->dup_acks == 3 || (f->dup_acks > 3 && !(f->flags & TF_NO_PEEKOFF)))) {
		rec_enter(f);
		if (f->flags & TF_NO_PEEKOFF)
			tcp_data_rewind(f);
		else
			f->rtx_pending = 1; /* the segment at snd_una */
	} else if (acked && f->in_rec) {
		f->rtx_pending = 1; /* NewReno partial ACK: the next hole is at snd_una */
	}
	if (f->rtx_pending)
		tcp_defer(f, TF_SEND);
	if (f->snd_una == f->snd_max)
		f->loss_at_ms = 0;
	else if (acked || newly)
		pto_arm(f);
}

/* Send [seq, seq + len) again (len at most a batch): peek at offset
 * seq - snd_una, then put the peek offset back at the send edge. Returns
 * the bytes sent, 0 when the socket has none there. */
static size_t resend(struct tcp_flow *f, uint32_t seq, uint32_t len, uint32_t wnd)
{
	struct gw_tcp *t = f->t;
	int off = (int)(seq - f->snd_una), back = (int)(tcp_data_end(f) - f->snd_una);
	struct msghdr mh = { .msg_iov = t->iov };
	size_t want = len, got, done = 0;
	unsigned n = 0;
	ssize_t r;

	tcp_data_discard(f); /* the offsets count from snd_una */

	while (want && n < t->nbufs) {
		size_t l = want > f->mss ? f->mss : want;

		t->iov[n].iov_base = t->bufs + (size_t)n * t->buf_size + tcp_data_off(&f->gaddr);
		t->iov[n].iov_len = l;
		want -= l;
		n++;
	}
	mh.msg_iovlen = n;
	if (setsockopt(f->w.fd, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off)))
		return 0;
	r = recvmsg(f->w.fd, &mh, MSG_PEEK | MSG_DONTWAIT);
	setsockopt(f->w.fd, SOL_SOCKET, SO_PEEK_OFF, &back, sizeof(back));
	if (r <= 0)
		return 0;
	got = (size_t)r;
	for (unsigned i = 0; i < n && got; i++) {
		size_t l = got < t->iov[i].iov_len ? got : t->iov[i].iov_len;

		tcp_emit_data(f, t->bufs + (size_t)i * t->buf_size, seq + (uint32_t)done, TH_ACK,
			      wnd, l);
		t->stats.sack_rtx++;
		done += l;
		got -= l;
	}
	f->rtt_ts_us = 0; /* Karn: no samples from retransmitted data */
	tcp_rack_resent(&f->rack, seq, seq + (uint32_t)done, now32());
	return done;
}

/* Bytes SACKed above seq (RFC 6675's IsLost counts them). */
static uint32_t sacked_above(const struct tcp_flow *f, uint32_t seq)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < f->sb.n; i++) {
		uint32_t l = f->sb.blk[i][0], r = f->sb.blk[i][1];

		if (seq_lt(l, seq))
			l = seq;
		if (seq_lt(l, r))
			n += r - l;
	}
	return n;
}

enum walk_stop { WALK_DONE, WALK_CWND, WALK_ROOM, WALK_BATCH, WALK_FAIL };

/* One run [l, e) sent at one time: is it lost now? 0 yes, else the
 * microseconds until RACK may say so (UINT32_MAX: not by time). */
static uint32_t run_wait(struct tcp_flow *f, uint32_t l, uint32_t e, uint32_t us, bool rtx,
			 uint32_t now, uint32_t reo)
{
	uint32_t w;

	if (f->rto_all)
		return 0;
	w = tcp_rack_wait(&f->rack, us, e, now, reo);
	if (w && !rtx && sacked_above(f, l) >= 3u * f->mss)
		w = 0;
	return w;
}

/* The SACK walk: every lost run of every hole below the forward ACK (all
 * holes up to the data's end after an RTO). */
static enum walk_stop walk(struct tcp_flow *f, uint32_t wnd, size_t budget, size_t room,
			   uint32_t *wait)
{
	uint32_t now = now32(), reo = tcp_rack_reo_wnd(&f->rack, f->srtt_us);
	uint32_t end = tcp_data_end(f), limit = tcp_sb_fack(&f->sb, f->snd_una);
	uint32_t pos = f->snd_una, l, r;
	size_t batch = (size_t)f->t->nbufs * f->mss;

	if (f->rto_all || seq_lt(end, limit))
		limit = end;
	for (;;) {
		/* The segment at snd_una is never held by the guest (its ACK
		 * says so), even where the board lost track (unknown hull). */
		if (pos == f->snd_una && f->sb.unk && f->sb.unk_l == f->snd_una &&
		    seq_lt(pos, end)) {
			l = pos;
			r = seq_lt(end, pos + f->mss) ? end : pos + f->mss;
		} else if (!tcp_sb_next_hole(&f->sb, pos, limit, &l, &r)) {
			return WALK_DONE;
		}
		while (seq_lt(l, r)) {
			uint32_t us, pe = r, w, len;
			bool rtx;
			size_t done;

			pe = tcp_rack_piece(&f->rack, l, r, &us, &rtx);
			if (!seq_lt(l, pe))
				pe = r;
			w = run_wait(f, l, pe, us, rtx, now, reo);
			if (w) {
				if (w < *wait)
					*wait = w;
				l = pe;
				continue;
			}
			if (!budget)
				return WALK_CWND;
			if (!room)
				return WALK_ROOM;
			if (!batch)
				return WALK_BATCH;
			if (!f->in_rec)
				rec_enter(f);
			len = pe - l;
			if (len > budget)
				len = (uint32_t)budget;
			if (len > room)
				len = (uint32_t)room;
			if (len > batch)
				len = (uint32_t)batch;
			done = resend(f, l, len, wnd);
			if (!done)
				return WALK_FAIL;
			budget -= done < budget ? done : budget;
			room -= done < room ? done : room;
			batch -= done < batch ? done : batch;
			l += (uint32_t)done;
		}
		pos = r;
	}
}

/* Without SACK: the segment at snd_una, once per duplicate-ACK signal or
 * partial ACK. */
static void repair_newreno(struct tcp_flow *f, uint32_t wnd)
{
	uint32_t end = tcp_data_end(f), len = f->mss;

	if (!f->in_rec || !seq_lt(f->snd_una, end))
		return;
	if (end - f->snd_una < len)
		len = end - f->snd_una;
	if (tcp_room_payload(f) < len) {
		f->rtx_pending = 1;
		tcp_room_wait(f);
		return;
	}
	resend(f, f->snd_una, len, wnd);
}

void tcp_loss_repair(struct tcp_flow *f, uint32_t wnd)
{
	struct gw_tcp *t = f->t;
	uint32_t flight, wait = UINT32_MAX;
	size_t budget;
	enum walk_stop st;

	tcp_loss_ensure(f);
	f->rtx_pending = 0;
	if (f->flags & TF_NO_PEEKOFF)
		return;
	if (!(f->flags & TF_SACK)) {
		repair_newreno(f, wnd);
		goto rto;
	}
	flight = tcp_loss_flight(f);
	budget = f->cc.cwnd > flight ? f->cc.cwnd - flight : 0;
	if (budget < f->mss)
		budget = f->mss; /* one per ACK: the ACK clock keeps recovery going */
	st = walk(f, wnd, budget, tcp_room_payload(f), &wait);
	switch (st) {
	case WALK_DONE:
		f->rto_all = 0;
		break;
	case WALK_ROOM:
		f->rtx_pending = 1;
		tcp_room_wait(f); /* resumed when the port drains */
		break;
	case WALK_BATCH:
		f->rtx_pending = 1;
		tcp_defer(f, TF_SEND);
		break;
	case WALK_CWND: /* the next ACK walks again */
	case WALK_FAIL:
		break;
	}
	if (wait != UINT32_MAX) {
		uint64_t at = ev_loop_now(t->env->loop) + (wait + 999) / 1000;

		if (!f->loss_at_ms || f->loss_timer != LOSS_TIMER_REO || at < f->loss_at_ms)
			timer_arm(f, at, LOSS_TIMER_REO);
	}
rto:
	if (!f->rto_at_ms && f->snd_una != f->snd_max)
		f->rto_at_ms = ev_loop_now(t->env->loop) + f->rto_ms;
}

void tcp_data_timeout(struct tcp_flow *f)
{
	tcp_data_discard(f);
	tcp_loss_ensure(f);
	tcp_cc_on_rto(&f->cc, tcp_loss_flight(f), f->mss);
	f->loss_at_ms = 0;
	/* With the guest's SACK blocks known, only the holes go again: a
	 * go-back-N resend of a large window would repeat what the guest
	 * holds. A second timeout in a row may mean the guest dropped what
	 * it SACKed (reneging, RFC 2018 allows it): then everything goes
	 * again. */
	if (f->flags & TF_SACK && !(f->flags & TF_NO_PEEKOFF) && f->retries < 2 &&
	    seq_lt(f->snd_una, tcp_data_end(f))) {
		f->in_rec = 1;
		f->recover = f->snd_max;
		f->rto_all = 1;
		f->dup_acks = 0;
		tcp_loss_repair(f, tcp_data_wnd(f));
		return;
	}
	tcp_data_rewind(f);
	tcp_data_push(f, false);
}

/* The PTO: the last segment again, so its ACK carries SACK blocks that
 * show the holes (RFC 8985 section 7.3). */
static void tlp_probe(struct tcp_flow *f)
{
	uint32_t end = tcp_data_end(f), l;

	if (!(f->flags & TF_SACK) || f->flags & TF_NO_PEEKOFF || !seq_lt(f->snd_una, end))
		return;
	l = end - f->snd_una > f->mss ? end - f->mss : f->snd_una;
	if (tcp_sb_has(&f->sb, l))
		return; /* the guest has it: the holes are known already */
	if (tcp_room_payload(f) < end - l) {
		tcp_room_wait(f);
		return;
	}
	if (resend(f, l, end - l, tcp_data_wnd(f)))
		f->t->stats.tlp_probes++;
}

static void loss_timer_fire(void *ctx)
{
	struct gw_tcp *t = ctx;
	uint64_t now = ev_loop_now(t->env->loop), next = 0;

	t->loss_timer_at = 0;
	for (unsigned i = 0; i < t->hwm; i++) {
		struct tcp_flow *f = &t->flows[i];

		if (f->state != TS_ESTABLISHED || !f->loss_at_ms)
			continue;
		if (f->loss_at_ms <= now) {
			uint8_t kind = f->loss_timer;

			f->loss_at_ms = 0;
			if (kind == LOSS_TIMER_PTO) {
				tlp_probe(f);
			} else {
				f->rtx_pending = 1;
				tcp_data_push(f, false);
			}
			if (f->state != TS_ESTABLISHED || !f->loss_at_ms)
				continue;
		}
		if (!next || f->loss_at_ms < next)
			next = f->loss_at_ms;
	}
	if (next && (!t->loss_timer_at || next < t->loss_timer_at)) {
		t->loss_timer_at = next;
		ev_timer_arm(t->env->loop, &t->loss_timer, next > now ? next - now : 0);
	}
}

void tcp_loss_timer_init(struct gw_tcp *t)
{
	ev_timer_init(&t->loss_timer, loss_timer_fire, t);
}

void tcp_loss_timer_fini(struct gw_tcp *t)
{
	ev_timer_cancel(t->env->loop, &t->loss_timer);
}
