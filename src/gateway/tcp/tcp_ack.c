/* SPDX-License-Identifier: MIT
 *
 * tcp_ack.c - delayed ACKs towards the guest: a small guest segment's ACK
 * waits a bounded time for the host's reply and rides on it.
 *
 * Theory of operation. A request/response exchange (an RPC, an HTTP
 * request, a sockperf ping-pong) is one small guest segment and one
 * reply. Acknowledging the segment at once costs a frame of its own, and
 * the push that sends it peeks an empty socket and asks its window: three
 * syscalls and one guest wakeup for nothing, since the reply typically
 * arrives tens of microseconds later and carries the same ACK (every
 * segment we send acknowledges rcv_nxt). So an in-order guest segment
 * shorter than the MSS, which the socket took whole, does not ask for an
 * ACK: the flow goes on a FIFO list with a deadline delayed-ack-ms
 * (default 1) away, and any segment we send it meanwhile (data, a FIN)
 * takes it off (tcp_ack_sent()). The list's timer hands flows whose
 * deadline passed to the deferred work as ACKs owed (TF_ACK_NOW).
 *
 * RFC 1122 4.2.3.2 / RFC 5681 4.2: at most 500 ms (ours is milliseconds:
 * the loop's clock counts whole ms, so the wait is ms to ms + 1), and at
 * least every second full-sized segment: only the first segment since our
 * last ACK may wait, never one past half the window we offered, nor
 * for a full-sized segment, nor when anything else is owed (duplicate
 * ACKs, SACK blocks for queued data, a short write), nor after the host's
 * EOF (no reply will come: the guest's FIN is answered at once). A guest
 * FIN before the host's is delayed the same way, so the host's FIN
 * usually carries its ACK.
 *
 * All deadlines are the same distance away, so the list is sorted by
 * construction: appending keeps it, and the timer stops at the first
 * flow not yet due. Links are flow indices (as the deferred list's), so
 * releasing a flow unlinks it in O(1).
 */
#include "gateway/tcp/tcp_flow.h"

static void ack_unlink(struct gw_tcp *t, struct tcp_flow *f)
{
	int32_t i = (int32_t)(f - t->flows);

	if (f->aprev >= 0)
		t->flows[f->aprev].anext = f->anext;
	else if (t->ahead == i)
		t->ahead = f->anext;
	if (f->anext >= 0)
		t->flows[f->anext].aprev = f->aprev;
	else if (t->atail == i)
		t->atail = f->aprev;
	f->aprev = f->anext = -1;
	f->ack_wait = 0;
	/* The last waiting ACK rode on a segment: nothing is due, so the
	 * loop need not wake for the timer (it would find an empty list). */
	if (t->ahead < 0)
		ev_timer_cancel(t->env->loop, &t->ack_timer);
}

static void ack_link(struct gw_tcp *t, struct tcp_flow *f, uint64_t due)
{
	int32_t i = (int32_t)(f - t->flows);

	f->ack_wait = 1;
	f->ack_at_ms = due;
	f->anext = -1;
	f->aprev = t->atail;
	if (t->atail >= 0)
		t->flows[t->atail].anext = i;
	else
		t->ahead = i;
	t->atail = i;
}

static void ack_timer_arm(struct gw_tcp *t)
{
	uint64_t now = ev_loop_now(t->env->loop);
	struct tcp_flow *h;

	if (t->ahead < 0)
		return;
	h = &t->flows[t->ahead];
	ev_timer_arm(t->env->loop, &t->ack_timer, h->ack_at_ms > now ? h->ack_at_ms - now : 0);
}

bool tcp_ack_delay(struct tcp_flow *f, size_t len)
{
	struct gw_tcp *t = f->t;
	unsigned ms = t->env->cfg->delayed_ack_ms;
	uint32_t unacked = f->rcv_nxt - f->rcv_acked;

	/* Only the first segment since our last ACK waits: a second one
	 * (a bulk transfer in sub-MSS pieces, whose sender runs on our ACK
	 * clock) is ACKed at once, with the first. */
	if (!ms || f->state != TS_ESTABLISHED || len >= f->mss || f->ack_wait ||
	    f->flags & (TF_HOST_EOF | TF_DUPACK | TF_ACK_NOW) || f->ooo.n ||
	    unacked != len || unacked > f->wnd_sent / 2)
		return false;
	/* + 1: the clock counts whole ms, so this waits ms to ms + 1 */
	ack_link(t, f, ev_loop_now(t->env->loop) + ms + 1);
	if (!t->ack_timer.armed)
		ack_timer_arm(t);
	return true;
}

void tcp_ack_sent(struct tcp_flow *f)
{
	f->rcv_acked = f->rcv_nxt;
	if (f->ack_wait)
		ack_unlink(f->t, f);
}

void tcp_ack_forget(struct gw_tcp *t, struct tcp_flow *f)
{
	if (f->ack_wait)
		ack_unlink(t, f);
}

static void ack_run(void *ctx)
{
	struct gw_tcp *t = ctx;
	uint64_t now = ev_loop_now(t->env->loop);

	while (t->ahead >= 0) {
		struct tcp_flow *f = &t->flows[t->ahead];

		if (f->ack_at_ms > now)
			break;
		ack_unlink(t, f);
		tcp_defer(f, TF_ACK_NOW);
	}
	ack_timer_arm(t);
}

void tcp_ack_init(struct gw_tcp *t)
{
	t->ahead = t->atail = -1;
	ev_timer_init(&t->ack_timer, ack_run, t);
}

void tcp_ack_fini(struct gw_tcp *t)
{
	ev_timer_cancel(t->env->loop, &t->ack_timer);
}
