/* SPDX-License-Identifier: MIT
 *
 * tcp_rack.c - RACK-TLP's send times and loss rule; see tcp_rack.h.
 */
#include "gateway/tcp/tcp_rack.h"

#include <string.h>

static inline bool lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

void tcp_rack_init(struct tcp_rack *r)
{
	memset(r, 0, sizeof(*r));
	r->reo_mult = 1;
}

void tcp_rack_sent(struct tcp_rack *r, uint32_t end, uint32_t now)
{
	unsigned last = (r->mhead + r->nmark + TCP_RACK_MARKS - 1) % TCP_RACK_MARKS;

	if (r->nmark && r->mark_us[last] == now) {
		r->mark_end[last] = end; /* the same microsecond: one mark */
		return;
	}
	if (r->nmark == TCP_RACK_MARKS) {
		r->mhead = (uint8_t)((r->mhead + 1) % TCP_RACK_MARKS);
		r->nmark--;
	}
	last = (r->mhead + r->nmark) % TCP_RACK_MARKS;
	r->mark_end[last] = end;
	r->mark_us[last] = now;
	r->nmark++;
}

static void rtx_del(struct tcp_rack *r, unsigned i)
{
	memmove(r->rtx + i, r->rtx + i + 1, (r->nrtx - i - 1) * sizeof(r->rtx[0]));
	r->nrtx--;
}

static void rtx_ins(struct tcp_rack *r, unsigned i, uint32_t l, uint32_t e, uint32_t us)
{
	memmove(r->rtx + i + 1, r->rtx + i, (r->nrtx - i) * sizeof(r->rtx[0]));
	r->rtx[i][0] = l;
	r->rtx[i][1] = e;
	r->rtx[i][2] = us;
	r->nrtx++;
}

void tcp_rack_resent(struct tcp_rack *r, uint32_t l, uint32_t e, uint32_t now)
{
	unsigned i;

	if (!lt(l, e))
		return;
	/* Cut [l, e) out of the records it overlaps (a record around it
	 * splits in two), then insert it in order. */
	for (i = 0; i < r->nrtx;) {
		uint32_t a = r->rtx[i][0], b = r->rtx[i][1], us = r->rtx[i][2];

		if (le(b, l) || le(e, a)) {
			i++;
			continue;
		}
		rtx_del(r, i);
		if (lt(a, l))
			rtx_ins(r, i++, a, l, us);
		if (lt(e, b))
			rtx_ins(r, i++, e, b, us);
	}
	for (i = 0; i < r->nrtx && lt(r->rtx[i][0], l); i++)
		;
	rtx_ins(r, i, l, e, now);
	while (r->nrtx > TCP_RACK_RTX) {
		/* Merge the two nearest neighbours, keeping the later time: a
		 * run that looks sent later is never declared lost early. */
		unsigned best = 0;
		uint32_t gap = UINT32_MAX;

		for (i = 0; i + 1 < r->nrtx; i++) {
			uint32_t g = r->rtx[i + 1][0] - r->rtx[i][1];

			if (g < gap) {
				gap = g;
				best = i;
			}
		}
		r->rtx[best][1] = r->rtx[best + 1][1];
		if (lt(r->rtx[best][2], r->rtx[best + 1][2]))
			r->rtx[best][2] = r->rtx[best + 1][2];
		rtx_del(r, best + 1);
	}
}

/* Original send time of seq; *end the end of its mark (UINT32 wrap: the
 * caller clips). */
static uint32_t orig_us(const struct tcp_rack *r, uint32_t seq, uint32_t *end, bool *found)
{
	for (unsigned k = 0; k < r->nmark; k++) {
		unsigned i = (r->mhead + k) % TCP_RACK_MARKS;

		if (lt(seq, r->mark_end[i])) {
			*end = r->mark_end[i];
			*found = true;
			return r->mark_us[i];
		}
	}
	*found = false;
	return 0;
}

uint32_t tcp_rack_piece(const struct tcp_rack *r, uint32_t l, uint32_t e, uint32_t *us,
			bool *rtx)
{
	uint32_t end = e, mend;
	bool found;

	for (unsigned i = 0; i < r->nrtx; i++) {
		if (le(r->rtx[i][0], l) && lt(l, r->rtx[i][1])) {
			*us = r->rtx[i][2];
			*rtx = true;
			return lt(r->rtx[i][1], e) ? r->rtx[i][1] : e;
		}
		if (lt(l, r->rtx[i][0]) && lt(r->rtx[i][0], end))
			end = r->rtx[i][0];
	}
	*rtx = false;
	*us = orig_us(r, l, &mend, &found);
	if (!found) {
		/* Newer than every mark: not sent as far as we know; give it
		 * the newest time there is so it is never judged lost. */
		*us = r->nmark ? r->mark_us[(r->mhead + r->nmark - 1) % TCP_RACK_MARKS] : 0;
		*rtx = true; /* not an original we can time */
		return end;
	}
	return lt(mend, end) ? mend : end;
}

/* Was (t1, s1) sent after (t2, s2)? Equal times: the higher sequence. */
static bool sent_after(uint32_t t1, uint32_t s1, uint32_t t2, uint32_t s2)
{
	return lt(t2, t1) || (t1 == t2 && lt(s2, s1));
}

void tcp_rack_delivered(struct tcp_rack *r, uint32_t l, uint32_t e, uint32_t now)
{
	while (lt(l, e)) {
		uint32_t us, pe;
		bool rtx;

		pe = tcp_rack_piece(r, l, e, &us, &rtx);
		if (!lt(l, pe))
			break;
		/* A retransmission "delivered" sooner than any RTT: it was the
		 * original that arrived (RFC 8985 step 2). Skip it. */
		if (!(rtx && r->min_rtt_us && (uint32_t)(now - us) < r->min_rtt_us) &&
		    (!r->valid || sent_after(us, pe, r->xmit_us, r->end_seq))) {
			r->xmit_us = us;
			r->end_seq = pe;
			r->valid = 1;
			r->rtt_us = now - us;
			if (!r->min_rtt_us || r->rtt_us < r->min_rtt_us)
				r->min_rtt_us = r->rtt_us ? r->rtt_us : 1;
		}
		l = pe;
	}
}

void tcp_rack_prune(struct tcp_rack *r, uint32_t una)
{
	while (r->nrtx && le(r->rtx[0][1], una))
		rtx_del(r, 0);
	if (r->nrtx && lt(r->rtx[0][0], una))
		r->rtx[0][0] = una;
}

void tcp_rack_dsack(struct tcp_rack *r)
{
	if (r->reo_mult < 16)
		r->reo_mult++;
}

uint32_t tcp_rack_reo_wnd(const struct tcp_rack *r, uint32_t srtt_us)
{
	uint64_t w = (uint64_t)r->min_rtt_us / 4 * r->reo_mult;

	if (srtt_us && w > srtt_us)
		w = srtt_us;
	return (uint32_t)w;
}

uint32_t tcp_rack_wait(const struct tcp_rack *r, uint32_t us, uint32_t e, uint32_t now,
		       uint32_t reo_wnd)
{
	int64_t remaining;

	if (!r->valid || !sent_after(r->xmit_us, r->end_seq, us, e))
		return UINT32_MAX;
	remaining = (int64_t)(int32_t)(us - now) + r->rtt_us + reo_wnd;
	return remaining <= 0 ? 0 : (uint32_t)remaining;
}
