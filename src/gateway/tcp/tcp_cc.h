/* SPDX-License-Identifier: MIT
 *
 * tcp_cc.h - congestion control of one flow towards the guest: how much
 * host data may be in flight to it.
 *
 * Theory of operation: NewReno (RFC 5681, RFC 6582) in bytes, not CUBIC
 * (RFC 9438). The path to a guest is a local queue: a TAP's, a stream
 * port's ring, a QEMU process's virtio queue, with an RTT of tens of
 * microseconds to a few milliseconds. On such paths CUBIC runs in its
 * Reno-friendly region (RFC 9438 section 4.3: W_est grows faster than the
 * cubic curve when RTT x bandwidth is small), so it would behave as Reno
 * with more state and a clock; NewReno's evolution is a function of ACKed
 * bytes alone, which the unit tests can check exactly.
 *
 * cwnd starts at ten segments (RFC 6928) and grows by the bytes ACKed
 * (slow start, RFC 3465 with no L limit: ACKs are coalesced, one may
 * cover a whole batch) until ssthresh, then by mss * acked / cwnd per ACK
 * (one segment per round trip). It grows only while it limited the flow
 * (RFC 7661: what was in flight reached half of it), so a flow limited by
 * the guest's window or the host's data does not build a window it never
 * used and then bursts it. A loss detected by SACK or RACK halves it once
 * per recovery (ssthresh = max(flight / 2, 2 mss), cwnd = ssthresh); an
 * RTO sets ssthresh the same way and cwnd to one segment. (CUBIC's beta
 * of 0.7 was tried: on the slow-guest test it overran the rate-limited
 * queue 20x as often, 3.4k drops against 157, for no measurable gain
 * under random loss.)
 * A wait for the egress port's room (port_sink_wait()) is not loss and
 * never touches it: back-pressure says "later", a drop says "less".
 */
#ifndef VMWIRE_GATEWAY_TCP_CC_H
#define VMWIRE_GATEWAY_TCP_CC_H

#include <stdbool.h>
#include <stdint.h>

#define TCP_CC_IW_SEGS 10
#define TCP_CC_MAX (1u << 30)

struct tcp_cc {
	uint32_t cwnd, ssthresh; /* bytes */
	uint32_t acc;            /* congestion avoidance: bytes ACKed towards the next mss */
};

void tcp_cc_init(struct tcp_cc *cc, uint32_t mss);
/* acked bytes newly delivered (cumulative or SACKed) while flight bytes
 * were in flight before the ACK; in_rec: inside a loss recovery (no
 * growth until it ends, RFC 6582). */
void tcp_cc_on_ack(struct tcp_cc *cc, uint32_t acked, uint32_t flight, uint32_t mss,
		   bool in_rec);
/* A loss (fast retransmit / RACK): once per recovery, the caller decides. */
void tcp_cc_on_loss(struct tcp_cc *cc, uint32_t flight, uint32_t mss);
/* A retransmission timeout. */
void tcp_cc_on_rto(struct tcp_cc *cc, uint32_t flight, uint32_t mss);
/* Bytes of new data the window allows with flight in flight. */
static inline uint32_t tcp_cc_room(const struct tcp_cc *cc, uint32_t flight)
{
	return flight >= cc->cwnd ? 0 : cc->cwnd - flight;
}

#endif
