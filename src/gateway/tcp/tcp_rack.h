/* SPDX-License-Identifier: MIT
 *
 * tcp_rack.h - RACK-TLP (RFC 8985) loss detection towards the guest: when
 * each byte we sent went out, which were delivered, which are lost.
 *
 * Theory of operation: RACK judges loss by time, not by counting duplicate
 * ACKs: once a segment sent later than a hole has been delivered (ACKed or
 * SACKed) and the hole is older than that segment's RTT plus a reordering
 * window, the hole is lost. That finds a lost retransmission too (a
 * retransmission sent after it, or new data, got through), which counting
 * cannot, without waiting for an RTO or for new data to be sent. A tail
 * loss probe (TLP) covers the case where nothing after the loss comes
 * back: 2 SRTT after the last send without an ACK, the last segment goes
 * again, so its ACK's SACK blocks show the holes.
 *
 * Per-segment send times would cost memory per packet; we keep what the
 * rule needs in fixed room per flow. Original data is sent in sequence
 * order, so its send times are a short ring of marks (end sequence, time)
 * written once per push: a byte's time is that of the first mark ending
 * above it (the oldest mark for anything older, which makes it look later
 * than it was: never lost too early). Retransmissions are records
 * [left, right, time), sorted and disjoint; when more are needed than fit,
 * the two nearest merge and keep the later time (again erring on "later").
 * Times are 32-bit microseconds (wrap-aware compares: a flow never keeps
 * unacknowledged data for 35 minutes). The reordering window is min RTT / 4,
 * widened by a quarter each time a D-SACK shows a resend was spurious
 * (RFC 8985 section 6.2.4), at most SRTT.
 *
 * These are pure functions of the state and a clock passed in, for the
 * unit tests; tcp_loss.c applies them to a flow.
 */
#ifndef VMWIRE_GATEWAY_TCP_RACK_H
#define VMWIRE_GATEWAY_TCP_RACK_H

#include <stdbool.h>
#include <stdint.h>

#define TCP_RACK_MARKS 8
#define TCP_RACK_RTX 8

struct tcp_rack {
	uint32_t mark_end[TCP_RACK_MARKS], mark_us[TCP_RACK_MARKS];
	uint8_t mhead, nmark;        /* ring: oldest at mhead */
	uint8_t nrtx, valid;         /* valid: xmit_us / end_seq hold a delivery */
	uint8_t reo_mult;            /* reordering window in quarters of min RTT */
	uint32_t rtx[TCP_RACK_RTX + 2][3]; /* left, right, time; + 2: room to split */
	uint32_t xmit_us, end_seq;   /* latest-sent delivered segment */
	uint32_t rtt_us, min_rtt_us; /* of that segment; the least seen */
};

void tcp_rack_init(struct tcp_rack *r);
/* Original data up to end went out at now. */
void tcp_rack_sent(struct tcp_rack *r, uint32_t end, uint32_t now);
/* [l, e) went out again at now. */
void tcp_rack_resent(struct tcp_rack *r, uint32_t l, uint32_t e, uint32_t now);
/* The longest run [l, return) below e whose bytes went out at one time,
 * *us; *rtx when that was a retransmission. */
uint32_t tcp_rack_piece(const struct tcp_rack *r, uint32_t l, uint32_t e, uint32_t *us,
			bool *rtx);
/* [l, e) was delivered at now (RFC 8985 section 6.2 steps 1-2). */
void tcp_rack_delivered(struct tcp_rack *r, uint32_t l, uint32_t e, uint32_t now);
/* The cumulative ACK reached una: records below it go. */
void tcp_rack_prune(struct tcp_rack *r, uint32_t una);
/* A D-SACK: a resend was not needed, widen the window. */
void tcp_rack_dsack(struct tcp_rack *r);
/* The reordering window (RFC 8985 section 6.2 step 4), srtt as a bound. */
uint32_t tcp_rack_reo_wnd(const struct tcp_rack *r, uint32_t srtt_us);
/* Is the run [l, e) sent at us lost at now? 0: lost; else microseconds
 * until it would be (UINT32_MAX: not sent before anything delivered). */
uint32_t tcp_rack_wait(const struct tcp_rack *r, uint32_t us, uint32_t e, uint32_t now,
		       uint32_t reo_wnd);

#endif
