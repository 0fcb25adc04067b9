/* SPDX-License-Identifier: MIT
 *
 * tcp_cc.c - NewReno congestion window towards the guest; see tcp_cc.h.
 */
#include "gateway/tcp/tcp_cc.h"

void tcp_cc_init(struct tcp_cc *cc, uint32_t mss)
{
	cc->cwnd = TCP_CC_IW_SEGS * mss;
	cc->ssthresh = TCP_CC_MAX;
	cc->acc = 0;
}

void tcp_cc_on_ack(struct tcp_cc *cc, uint32_t acked, uint32_t flight, uint32_t mss,
		   bool in_rec)
{
	uint64_t w;

	if (!acked || in_rec)
		return;
	/* Not window-limited: the window it did not fill says nothing. */
	if ((uint64_t)flight * 2 < cc->cwnd)
		return;
	if (cc->cwnd < cc->ssthresh) {
		w = (uint64_t)cc->cwnd + acked;
		if (w > cc->ssthresh && cc->ssthresh > cc->cwnd)
			w = cc->ssthresh; /* the rest counts as avoidance */
	} else {
		cc->acc += acked;
		w = cc->cwnd;
		while (cc->acc >= cc->cwnd) {
			cc->acc -= cc->cwnd;
			w += mss;
		}
	}
	cc->cwnd = w > TCP_CC_MAX ? TCP_CC_MAX : (uint32_t)w;
}

/* Half the flight, at least two segments. */
static uint32_t reduced(uint32_t flight, uint32_t mss)
{
	uint32_t h = flight / 2;

	return h < 2 * mss ? 2 * mss : h;
}

void tcp_cc_on_loss(struct tcp_cc *cc, uint32_t flight, uint32_t mss)
{
	cc->ssthresh = reduced(flight, mss);
	cc->cwnd = cc->ssthresh;
	cc->acc = 0;
}

void tcp_cc_on_rto(struct tcp_cc *cc, uint32_t flight, uint32_t mss)
{
	cc->ssthresh = reduced(flight, mss);
	cc->cwnd = mss;
	cc->acc = 0;
}
