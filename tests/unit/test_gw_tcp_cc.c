/* SPDX-License-Identifier: MIT
 *
 * test_gw_tcp_cc.c - the pure parts of the TCP engine's loss recovery
 * towards the guest: the SACK scoreboard (tcp_sack.h), RACK's send times
 * and loss rule (tcp_rack.h), the NewReno window (tcp_cc.h). Clocks are
 * passed in: nothing here depends on timing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>

#include "gateway/tcp/tcp_cc.h"
#include "gateway/tcp/tcp_rack.h"
#include "gateway/tcp/tcp_sack.h"

#define UNA 0xfffff000u /* wraps inside the tests */
#define MSS 1000u

static void expect_blocks(const struct tcp_sb *sb, const uint32_t (*b)[2], unsigned n)
{
	assert_int_equal(sb->n, n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(sb->blk[i][0], UNA + b[i][0]);
		assert_int_equal(sb->blk[i][1], UNA + b[i][1]);
	}
}

static uint32_t add(struct tcp_sb *sb, uint32_t l, uint32_t r)
{
	return tcp_sb_add(sb, UNA + l, UNA + r, UNA, UNA + 1000000);
}

static void test_sb_insert_merge_overlap(void **state)
{
	struct tcp_sb sb;
	uint32_t l, r;

	(void)state;
	tcp_sb_reset(&sb);
	assert_int_equal(add(&sb, 5000, 6000), 1000);
	assert_int_equal(add(&sb, 1000, 2000), 1000);
	assert_int_equal(add(&sb, 3000, 4000), 1000);
	expect_blocks(&sb, (const uint32_t[][2]){ { 1000, 2000 }, { 3000, 4000 }, { 5000, 6000 } }, 3);
	/* A duplicate adds nothing; an overlap only what is new. */
	assert_int_equal(add(&sb, 3000, 4000), 0);
	assert_int_equal(add(&sb, 3500, 4500), 500);
	/* Touching joins; one block spanning two joins all three. */
	assert_int_equal(add(&sb, 2000, 2500), 500);
	assert_int_equal(add(&sb, 2400, 5200), 500 + 500);
	expect_blocks(&sb, (const uint32_t[][2]){ { 1000, 6000 } }, 1);
	/* Clipped to (una, max]; empty, inverted, beyond max: nothing. */
	assert_int_equal(tcp_sb_add(&sb, UNA - 500, UNA + 100, UNA, UNA + 1000000), 100);
	assert_int_equal(tcp_sb_add(&sb, UNA + 9000, UNA + 8000, UNA, UNA + 1000000), 0);
	assert_int_equal(tcp_sb_add(&sb, UNA + 2000000, UNA + 2000100, UNA, UNA + 1000000), 0);
	assert_int_equal(tcp_sb_bytes(&sb), 5100);
	assert_int_equal(tcp_sb_fack(&sb, UNA), UNA + 6000);
	/* Holes: [100, 1000) then [6000, limit). */
	assert_true(tcp_sb_next_hole(&sb, UNA, UNA + 8000, &l, &r));
	assert_int_equal(l, UNA + 100);
	assert_int_equal(r, UNA + 1000);
	assert_true(tcp_sb_next_hole(&sb, r, UNA + 8000, &l, &r));
	assert_int_equal(l, UNA + 6000);
	assert_int_equal(r, UNA + 8000);
	assert_false(tcp_sb_next_hole(&sb, UNA + 1000, UNA + 6000, &l, &r));
	/* The cumulative ACK prunes and trims. */
	tcp_sb_prune(&sb, UNA + 3000);
	assert_int_equal(sb.n, 1);
	assert_int_equal(sb.blk[0][0], UNA + 3000);
	assert_false(tcp_sb_has(&sb, UNA + 2999));
	assert_true(tcp_sb_has(&sb, UNA + 3000));
	tcp_sb_prune(&sb, UNA + 6000);
	assert_int_equal(sb.n, 0);
	assert_int_equal(tcp_sb_fack(&sb, UNA + 6000), UNA + 6000);
}

/* The guest reports each block once (its newest few), then never again:
 * the board keeps all of them. */
static void test_sb_never_forgets(void **state)
{
	struct tcp_sb sb;
	uint32_t l, r, holes = 0;

	(void)state;
	tcp_sb_reset(&sb);
	for (uint32_t k = 0; k < TCP_SB_MAX; k++)
		assert_int_equal(add(&sb, 2000 * k + 1000, 2000 * k + 2000), 1000);
	assert_int_equal(sb.n, TCP_SB_MAX);
	assert_false(sb.unk);
	for (uint32_t k = 0; k < TCP_SB_MAX; k++)
		assert_true(tcp_sb_has(&sb, UNA + 2000 * k + 1500));
	/* Every hole is exactly a gap between reported blocks. */
	for (uint32_t p = UNA; tcp_sb_next_hole(&sb, p, UNA + 2000 * TCP_SB_MAX, &l, &r); p = r) {
		assert_int_equal((l - UNA) % 2000, 0);
		assert_int_equal(r - l, 1000);
		holes++;
	}
	assert_int_equal(holes, TCP_SB_MAX);
}

/* A full board drops its highest block into the unknown hull: nothing
 * the guest reported is ever offered as a hole. */
static void test_sb_cap(void **state)
{
	struct tcp_sb sb;
	uint32_t l, r, top = 2000 * (TCP_SB_MAX + 4);

	(void)state;
	tcp_sb_reset(&sb);
	for (uint32_t k = 0; k < TCP_SB_MAX + 4; k++)
		add(&sb, 2000 * k + 1000, 2000 * k + 2000);
	assert_int_equal(sb.n, TCP_SB_MAX);
	assert_true(sb.unk);
	assert_int_equal(sb.unk_l, UNA + 2000 * TCP_SB_MAX + 1000);
	assert_int_equal(sb.unk_r, UNA + top);
	assert_int_equal(tcp_sb_fack(&sb, UNA), UNA + top);
	/* Lower blocks still fit in: the highest kept goes to the hull. */
	add(&sb, 1100, 1200); /* inside the first: nothing changes */
	assert_int_equal(sb.n, TCP_SB_MAX);
	for (uint32_t p = UNA; tcp_sb_next_hole(&sb, p, UNA + top + 5000, &l, &r); p = r) {
		for (uint32_t k = 0; k < TCP_SB_MAX + 4; k++) {
			uint32_t a = UNA + 2000 * k + 1000, b = a + 1000;

			/* no hole overlaps a reported block */
			assert_true((int32_t)(r - a) <= 0 || (int32_t)(b - l) <= 0);
		}
	}
	/* A hole inside the hull is never offered; above it is. */
	assert_true(tcp_sb_next_hole(&sb, UNA + 2000 * TCP_SB_MAX, UNA + top + 5000, &l, &r));
	assert_int_equal(l, UNA + 2000 * TCP_SB_MAX);
	assert_int_equal(r, UNA + 2000 * TCP_SB_MAX + 1000);
	assert_true(tcp_sb_next_hole(&sb, r, UNA + top + 5000, &l, &r));
	assert_int_equal(l, UNA + top);
	/* Once the cumulative ACK passes the hull, it is gone. */
	tcp_sb_prune(&sb, UNA + top);
	assert_false(sb.unk);
	assert_int_equal(sb.n, 0);
}

static void test_rack_times(void **state)
{
	struct tcp_rack r;
	uint32_t us, e;
	bool rtx;

	(void)state;
	tcp_rack_init(&r);
	tcp_rack_sent(&r, UNA + 10 * MSS, 1000);
	tcp_rack_sent(&r, UNA + 20 * MSS, 2000);
	e = tcp_rack_piece(&r, UNA, UNA + 20 * MSS, &us, &rtx);
	assert_int_equal(e, UNA + 10 * MSS);
	assert_int_equal(us, 1000);
	assert_false(rtx);
	e = tcp_rack_piece(&r, e, UNA + 20 * MSS, &us, &rtx);
	assert_int_equal(e, UNA + 20 * MSS);
	assert_int_equal(us, 2000);
	/* A resend splits the runs. */
	tcp_rack_resent(&r, UNA + 2 * MSS, UNA + 3 * MSS, 3000);
	e = tcp_rack_piece(&r, UNA, UNA + 20 * MSS, &us, &rtx);
	assert_int_equal(e, UNA + 2 * MSS);
	e = tcp_rack_piece(&r, e, UNA + 20 * MSS, &us, &rtx);
	assert_int_equal(e, UNA + 3 * MSS);
	assert_int_equal(us, 3000);
	assert_true(rtx);
	/* More resends than records: merged, the later time kept. */
	for (uint32_t k = 0; k < TCP_RACK_RTX + 3; k++)
		tcp_rack_resent(&r, UNA + (4 + k) * MSS, UNA + (4 + k) * MSS + 10, 4000 + k);
	assert_true(r.nrtx <= TCP_RACK_RTX);
	for (uint32_t k = 0; k < TCP_RACK_RTX + 3; k++) {
		tcp_rack_piece(&r, UNA + (4 + k) * MSS, UNA + (4 + k) * MSS + 10, &us, &rtx);
		assert_true(rtx);
		assert_true(us >= 4000 + k);
	}
	tcp_rack_prune(&r, UNA + 100 * MSS);
	assert_int_equal(r.nrtx, 0);
}

/* RACK: a hole is lost once something sent after it arrived and it is
 * older than that one's RTT plus the reordering window; a lost resend is
 * found the same way, with no new data and no RTO. */
static void test_rack_detects_lost_resend(void **state)
{
	struct tcp_rack r;
	uint32_t us, reo;
	bool rtx;

	(void)state;
	tcp_rack_init(&r);
	tcp_rack_sent(&r, UNA + 10 * MSS, 1000); /* segments 0..9 at t=1000 */
	/* 1..9 SACKed at t=1100: RTT 100, min RTT 100, window 25. */
	tcp_rack_delivered(&r, UNA + MSS, UNA + 10 * MSS, 1100);
	assert_int_equal(r.rtt_us, 100);
	reo = tcp_rack_reo_wnd(&r, 100);
	assert_int_equal(reo, 25);
	tcp_rack_piece(&r, UNA, UNA + MSS, &us, &rtx);
	/* Sent in the same run before the delivered one: lost 25 us later. */
	assert_int_equal(tcp_rack_wait(&r, us, UNA + MSS, 1100, reo), 25);
	assert_int_equal(tcp_rack_wait(&r, us, UNA + MSS, 1125, reo), 0);
	/* Resent at t=1200: not lost while nothing sent later came back. */
	tcp_rack_resent(&r, UNA, UNA + MSS, 1200);
	tcp_rack_piece(&r, UNA, UNA + MSS, &us, &rtx);
	assert_true(rtx);
	assert_int_equal(us, 1200);
	assert_int_equal(tcp_rack_wait(&r, us, UNA + MSS, 5000, reo), UINT32_MAX);
	/* A tail probe of segment 9 at t=1300 comes back at t=1400: the
	 * resend at 1200 is lost now. */
	tcp_rack_resent(&r, UNA + 9 * MSS, UNA + 10 * MSS, 1300);
	tcp_rack_delivered(&r, UNA + 9 * MSS, UNA + 10 * MSS, 1400);
	assert_int_equal(r.xmit_us, 1300);
	assert_int_equal(tcp_rack_wait(&r, us, UNA + MSS, 1400, reo), 0);
	/* A "delivery" of a resend faster than any RTT was its original:
	 * it does not move RACK's clock. */
	tcp_rack_resent(&r, UNA + 5 * MSS, UNA + 6 * MSS, 1500);
	tcp_rack_delivered(&r, UNA + 5 * MSS, UNA + 6 * MSS, 1510);
	assert_int_equal(r.xmit_us, 1300);
	/* D-SACKs widen the window, never beyond SRTT. */
	tcp_rack_dsack(&r);
	assert_int_equal(tcp_rack_reo_wnd(&r, 1000), 50);
	for (int i = 0; i < 40; i++)
		tcp_rack_dsack(&r);
	assert_int_equal(tcp_rack_reo_wnd(&r, 120), 120);
}

static void test_cc_evolution(void **state)
{
	struct tcp_cc cc;

	(void)state;
	tcp_cc_init(&cc, MSS);
	assert_int_equal(cc.cwnd, 10 * MSS);
	assert_int_equal(tcp_cc_room(&cc, 4 * MSS), 6 * MSS);
	assert_int_equal(tcp_cc_room(&cc, 12 * MSS), 0);
	/* Slow start: + what was ACKed, while the window limited the flow. */
	tcp_cc_on_ack(&cc, 10 * MSS, 10 * MSS, MSS, false);
	assert_int_equal(cc.cwnd, 20 * MSS);
	/* Not window-limited (flight below half): no growth. */
	tcp_cc_on_ack(&cc, 5 * MSS, 5 * MSS, MSS, false);
	assert_int_equal(cc.cwnd, 20 * MSS);
	/* Loss: half the flight, at least two segments. */
	tcp_cc_on_loss(&cc, 20 * MSS, MSS);
	assert_int_equal(cc.ssthresh, 10 * MSS);
	assert_int_equal(cc.cwnd, 10 * MSS);
	/* No growth inside the recovery. */
	tcp_cc_on_ack(&cc, 5 * MSS, 10 * MSS, MSS, true);
	assert_int_equal(cc.cwnd, 10 * MSS);
	/* Congestion avoidance: one segment per window's worth ACKed. */
	tcp_cc_on_ack(&cc, 6 * MSS, 10 * MSS, MSS, false);
	assert_int_equal(cc.cwnd, 10 * MSS);
	tcp_cc_on_ack(&cc, 4 * MSS, 10 * MSS, MSS, false);
	assert_int_equal(cc.cwnd, 11 * MSS);
	/* RTO: one segment, ssthresh half the flight; slow start to it. */
	tcp_cc_on_rto(&cc, 14 * MSS, MSS);
	assert_int_equal(cc.cwnd, MSS);
	assert_int_equal(cc.ssthresh, 7 * MSS);
	tcp_cc_on_ack(&cc, MSS, MSS, MSS, false);
	assert_int_equal(cc.cwnd, 2 * MSS);
	tcp_cc_on_ack(&cc, 8 * MSS, 2 * MSS, MSS, false);
	assert_int_equal(cc.cwnd, 7 * MSS); /* stops at ssthresh */
	tcp_cc_on_loss(&cc, MSS, MSS);
	assert_int_equal(cc.cwnd, 2 * MSS);
	/* Never past the cap. */
	cc.cwnd = TCP_CC_MAX - 10;
	cc.ssthresh = TCP_CC_MAX;
	tcp_cc_on_ack(&cc, 1u << 20, TCP_CC_MAX, MSS, false);
	assert_int_equal(cc.cwnd, TCP_CC_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sb_insert_merge_overlap),
		cmocka_unit_test(test_sb_never_forgets),
		cmocka_unit_test(test_sb_cap),
		cmocka_unit_test(test_rack_times),
		cmocka_unit_test(test_rack_detects_lost_resend),
		cmocka_unit_test(test_cc_evolution),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
