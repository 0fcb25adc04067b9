/* SPDX-License-Identifier: MIT
 *
 * test_impair.c - link impairment (core/impair.c) measured on 100k frames
 * with the loop's clock driven by the test: loss, duplication, reordering
 * and rate within tolerance, delay and jitter bounds, the bounded queue,
 * the byte ring's integrity across wraps, seeded reproducibility, the
 * key parsers, and a port whose wire is impaired (port.c's glue).
 *
 * The seed is fixed, so every number here is the same on every run; the
 * tolerances are still wide (about 10 standard deviations) so that a change
 * of generator or seed does not make a correct link fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/impair.h"
#include "core/loop.h"
#include "core/port.h"
#include "helpers/fake_port.h"

#define N 100000u
#define N_DELAY 20000u /* 10 ms apart: 200 s of the test's clock */

static uint64_t fake_ms = 5000;

static uint64_t fake_clock(void)
{
	return fake_ms;
}

struct rec {
	uint32_t *seq; /* in delivery order */
	uint64_t *at;  /* fake_ms at delivery */
	size_t n, cap;
	uint64_t bytes;
	bool bad; /* a frame whose payload did not match its sequence number */
};

static void rec_init(struct rec *r, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->cap = cap;
	r->seq = calloc(cap, sizeof(*r->seq));
	r->at = calloc(cap, sizeof(*r->at));
	assert_non_null(r->seq);
	assert_non_null(r->at);
}

static void rec_free(struct rec *r)
{
	free(r->seq);
	free(r->at);
}

/* A frame: 14 bytes of Ethernet, the sequence number, then bytes that
 * depend on it, so a corrupted copy out of the ring is noticed. */
static size_t make_frame(uint8_t *f, uint32_t seq, size_t len)
{
	size_t i;

	memset(f, 0, 14);
	memcpy(f + 14, &seq, 4);
	for (i = 18; i < len; i++)
		f[i] = (uint8_t)(seq * 31u + i);
	return len;
}

static void deliver(void *ctx, const uint8_t *frame, size_t len)
{
	struct rec *r = ctx;
	uint32_t seq;
	size_t i;

	assert_true(len >= 18);
	memcpy(&seq, frame + 14, 4);
	for (i = 18; i < len; i++)
		if (frame[i] != (uint8_t)(seq * 31u + i))
			r->bad = true;
	if (r->n < r->cap) {
		r->seq[r->n] = seq;
		r->at[r->n] = fake_ms;
	}
	r->n++;
	r->bytes += len;
}

static const struct impair_ops rec_ops = { .deliver = deliver };

static struct ev_loop *new_loop(void)
{
	struct ev_loop *loop = ev_loop_new();

	assert_non_null(loop);
	ev_loop_set_clock(loop, fake_clock);
	return loop;
}

/* Move the clock ms by ms, running due timers each step. */
static void advance(struct ev_loop *loop, uint64_t ms)
{
	while (ms--) {
		fake_ms++;
		ev_loop_once(loop, 0);
	}
}

static void push_n(struct impair_link *l, unsigned n, size_t len)
{
	uint8_t f[2048];
	unsigned i;

	for (i = 0; i < n; i++) {
		make_frame(f, i, len);
		impair_link_push(l, f, len);
	}
}

static struct impair_cfg cfg_of(void)
{
	struct impair_cfg c;

	impair_cfg_init(&c);
	return c;
}

static void test_loss(void **state)
{
	struct ev_loop *loop = new_loop();
	struct impair_cfg c = cfg_of();
	struct impair_link *l;
	struct rec r;

	(void)state;
	assert_int_equal(impair_parse_percent("3", IMPAIR_P_ONE, &c.loss), 0);
	rec_init(&r, N);
	l = impair_link_new(&c, 0, loop, &rec_ops, &r);
	assert_non_null(l);
	push_n(l, N, 64);
	/* No queue: delivered at once, in order. */
	assert_int_equal(impair_link_stats(l)->frames, N);
	assert_int_equal(r.n + impair_link_stats(l)->lost, N);
	assert_in_range(impair_link_stats(l)->lost, 3000 - 600, 3000 + 600);
	for (size_t i = 1; i < r.n; i++)
		assert_true(r.seq[i] > r.seq[i - 1]);
	assert_false(r.bad);
	impair_link_free(l);
	rec_free(&r);
	ev_loop_free(loop);
}

static void test_dup(void **state)
{
	struct ev_loop *loop = new_loop();
	struct impair_cfg c = cfg_of();
	struct impair_link *l;
	struct rec r;
	size_t twice = 0;

	(void)state;
	assert_int_equal(impair_parse_percent("1%", IMPAIR_P_ONE, &c.dup), 0);
	rec_init(&r, 2 * N);
	l = impair_link_new(&c, 0, loop, &rec_ops, &r);
	assert_non_null(l);
	push_n(l, N, 64);
	assert_int_equal(r.n, N + impair_link_stats(l)->duplicated);
	assert_int_equal(impair_link_stats(l)->delivered, r.n);
	assert_in_range(impair_link_stats(l)->duplicated, 1000 - 350, 1000 + 350);
	for (size_t i = 1; i < r.n; i++)
		twice += r.seq[i] == r.seq[i - 1];
	assert_int_equal(twice, impair_link_stats(l)->duplicated);
	impair_link_free(l);
	rec_free(&r);
	ev_loop_free(loop);
}

/* reorder=P: the fraction of frames overtaken by a later one is P; every
 * frame still arrives exactly once, a held one at most one place late. */
static void check_reorder(const char *p, unsigned lo, unsigned hi)
{
	struct ev_loop *loop = new_loop();
	struct impair_cfg c = cfg_of();
	struct impair_link *l;
	uint8_t *seen = calloc(N, 1);
	uint32_t max = 0;
	unsigned late = 0;
	struct rec r;

	assert_non_null(seen);
	assert_int_equal(impair_parse_percent(p, IMPAIR_REORDER_MAX, &c.reorder), 0);
	rec_init(&r, N);
	l = impair_link_new(&c, 0, loop, &rec_ops, &r);
	assert_non_null(l);
	push_n(l, N, 64);
	/* The last frame may be held: the hold timer lets it go. */
	advance(loop, IMPAIR_HOLD_MS + 1);
	assert_int_equal(r.n, N);
	for (size_t i = 0; i < r.n; i++) {
		assert_int_equal(seen[r.seq[i]], 0);
		seen[r.seq[i]] = 1;
		if (i && r.seq[i] < max) {
			late++;
			assert_int_equal(r.seq[i] + 1, max);
		}
		if (r.seq[i] > max)
			max = r.seq[i];
	}
	assert_int_equal(late, impair_link_stats(l)->reordered);
	assert_in_range(late, lo, hi);
	free(seen);
	impair_link_free(l);
	rec_free(&r);
	ev_loop_free(loop);
}

static void test_reorder(void **state)
{
	(void)state;
	check_reorder("10", 10000 - 1000, 10000 + 1000);
	check_reorder("50", 50000 - 1600, 50000 + 1600);
	check_reorder("0.5", 500 - 230, 500 + 230);
}

/* rate=80 Mbit/s: 100k frames of 1000 bytes take 10 s of the loop's clock,
 * fed as fast as the queue takes them; each second carries 80 Mbit. */
static void test_rate(void **state)
{
	struct ev_loop *loop = new_loop();
	struct impair_cfg c = cfg_of();
	struct impair_link *l;
	uint8_t f[1000];
	uint64_t t0 = fake_ms, mid_bytes = 0;
	uint32_t sent = 0;
	struct rec r;

	(void)state;
	assert_int_equal(impair_parse_rate("80", &c.rate_bps), 0);
	c.limit = 256;
	rec_init(&r, N);
	l = impair_link_new(&c, 0, loop, &rec_ops, &r);
	assert_non_null(l);
	while (r.n < N) {
		while (sent < N && impair_link_room(l) >= sizeof(f) + PORT_TX_OVERHEAD) {
			make_frame(f, sent++, sizeof(f));
			impair_link_push(l, f, sizeof(f));
		}
		advance(loop, 1);
		if (fake_ms - t0 == 5000)
			mid_bytes = r.bytes;
		assert_true(fake_ms - t0 < 20000);
	}
	assert_int_equal(impair_link_stats(l)->queue_drops, 0);
	assert_false(r.bad);
	/* 10 s to the millisecond or two, and half of it by half time. */
	assert_in_range(fake_ms - t0, 10000 - 2, 10000 + 2);
	assert_in_range(mid_bytes, 50000000 - 20000, 50000000 + 20000);
	impair_link_free(l);
	rec_free(&r);
	ev_loop_free(loop);
}

/* delay=20/5: each frame 15 to 25 ms after it was pushed, in order, 20 on
 * average, for frames 10 ms apart (more than twice the jitter: closer ones
 * bunch up behind the latest, as the queue is FIFO). */
static void test_delay_jitter(void **state)
{
	struct ev_loop *loop = new_loop();
	struct impair_cfg c = cfg_of();
	struct impair_link *l;
	uint64_t *pushed = calloc(N_DELAY, sizeof(*pushed)), sum = 0;
	uint8_t f[64];
	struct rec r;
	uint32_t i;

	(void)state;
	assert_non_null(pushed);
	assert_int_equal(impair_parse_delay("20/5", &c.delay_ms, &c.jitter_ms), 0);
	c.limit = 1000;
	rec_init(&r, N);
	l = impair_link_new(&c, 0, loop, &rec_ops, &r);
	assert_non_null(l);
	for (i = 0; i < N_DELAY; i++) {
		pushed[i] = fake_ms;
		make_frame(f, i, sizeof(f));
		impair_link_push(l, f, sizeof(f));
		advance(loop, 10);
	}
	advance(loop, 30);
	assert_int_equal(r.n, N_DELAY);
	for (i = 0; i < N_DELAY; i++) {
		uint64_t d = r.at[i] - pushed[r.seq[i]];

		assert_int_equal(r.seq[i], i);
		assert_in_range(d, 15, 26); /* +1: a timer fires on the next tick */
		sum += d;
	}
	assert_in_range(sum / N_DELAY, 19, 21);
	assert_int_equal(impair_link_stats(l)->queue_drops, 0);
	free(pushed);
	impair_link_free(l);
	rec_free(&r);
	ev_loop_free(loop);
}

/* limit=100: the 101st waiting frame is dropped and counted. */
static void test_limit(void **state)
{
	struct ev_loop *loop = new_loop();
	struct impair_cfg c = cfg_of();
	struct impair_link *l;
	struct rec r;

	(void)state;
	c.delay_ms = 100;
	c.limit = 100;
	rec_init(&r, 200);
	l = impair_link_new(&c, 0, loop, &rec_ops, &r);
	assert_non_null(l);
	push_n(l, 150, 200);
	assert_int_equal(impair_link_count(l), 100);
	assert_int_equal(impair_link_stats(l)->queue_drops, 50);
	assert_int_equal(impair_link_room(l), 0);
	assert_int_equal(impair_link_queued(l), 100 * 200);
	advance(loop, 99);
	assert_int_equal(r.n, 0);
	advance(loop, 2);
	assert_int_equal(r.n, 100);
	for (size_t i = 0; i < 100; i++)
		assert_int_equal(r.seq[i], i);
	assert_int_equal(impair_link_stats(l)->queued_peak, 100);
	impair_link_free(l);
	rec_free(&r);
	ev_loop_free(loop);
}

/* Frames of every size through the byte ring many times over, with the
 * queue never drained: each comes out whole and in order. */
static void test_ring_wraps(void **state)
{
	struct ev_loop *loop = new_loop();
	struct impair_cfg c = cfg_of();
	struct impair_link *l;
	uint8_t f[2048];
	struct rec r;
	uint32_t i;

	(void)state;
	c.delay_ms = 3;
	c.limit = 256; /* 512 KiB of arena, ~150 frames of ~1 KiB waiting */
	rec_init(&r, N);
	l = impair_link_new(&c, 0, loop, &rec_ops, &r);
	assert_non_null(l);
	for (i = 0; i < N; i++) {
		size_t len = 18 + (i * 7919u) % (sizeof(f) - 18);

		make_frame(f, i, len);
		impair_link_push(l, f, len);
		if (i % 40 == 39)
			advance(loop, 1);
	}
	advance(loop, 5);
	assert_false(r.bad);
	assert_int_equal(r.n + impair_link_stats(l)->queue_drops, N);
	assert_int_equal(impair_link_stats(l)->queue_drops, 0);
	impair_link_free(l);
	rec_free(&r);
	ev_loop_free(loop);
}

/* One seed, one configuration: the same decisions; another seed: others. */
static void test_seeded(void **state)
{
	struct ev_loop *loop = new_loop();
	struct impair_cfg c = cfg_of();
	struct impair_link *l[3];
	struct rec r[3];
	unsigned k;

	(void)state;
	c.loss = IMPAIR_P_ONE / 10;
	c.dup = IMPAIR_P_ONE / 20;
	c.reorder = IMPAIR_P_ONE / 10;
	for (k = 0; k < 3; k++) {
		c.seed = k == 2 ? 99 : 7;
		rec_init(&r[k], 2 * 10000);
		l[k] = impair_link_new(&c, 1, loop, &rec_ops, &r[k]);
		assert_non_null(l[k]);
		push_n(l[k], 10000, 64);
		advance(loop, IMPAIR_HOLD_MS + 1);
	}
	assert_int_equal(r[0].n, r[1].n);
	assert_memory_equal(r[0].seq, r[1].seq, r[0].n * sizeof(uint32_t));
	assert_true(r[0].n != r[2].n ||
		    memcmp(r[0].seq, r[2].seq, r[0].n * sizeof(uint32_t)) != 0);
	for (k = 0; k < 3; k++) {
		impair_link_free(l[k]);
		rec_free(&r[k]);
	}
	ev_loop_free(loop);
}

static void test_parse(void **state)
{
	uint64_t p, bps;
	uint32_t ms, j;

	(void)state;
	assert_int_equal(impair_parse_percent("100", IMPAIR_P_ONE, &p), 0);
	assert_true(p == IMPAIR_P_ONE);
	assert_int_equal(impair_parse_percent("0", IMPAIR_P_ONE, &p), 0);
	assert_true(p == 0);
	assert_int_equal(impair_parse_percent("0.5%", IMPAIR_P_ONE, &p), 0);
	assert_true(p == IMPAIR_P_ONE / 200);
	assert_int_equal(impair_parse_percent("50", IMPAIR_REORDER_MAX, &p), 0);
	assert_int_equal(impair_parse_percent("50.1", IMPAIR_REORDER_MAX, &p), -1);
	static const char *const bad_pct[] = { "", "100.5", "-1", "1e2", ".5", "5.", "1..2",
					      "3%%", "3 ", "%", "0x10", "nan", "inf",
					      "99999999999999999999999" };
	for (size_t i = 0; i < sizeof(bad_pct) / sizeof(*bad_pct); i++)
		assert_int_equal(impair_parse_percent(bad_pct[i], IMPAIR_P_ONE, &p), -1);

	assert_int_equal(impair_parse_delay("20", &ms, &j), 0);
	assert_true(ms == 20 && j == 0);
	assert_int_equal(impair_parse_delay("20/5", &ms, &j), 0);
	assert_true(ms == 20 && j == 5);
	assert_int_equal(impair_parse_delay("0/3", &ms, &j), 0);
	static const char *const bad_delay[] = { "", "/", "20/", "/5", "20/5/1", "60001",
						"1.5", "-3", "20ms", "20/x", "0000000001" };
	for (size_t i = 0; i < sizeof(bad_delay) / sizeof(*bad_delay); i++)
		assert_int_equal(impair_parse_delay(bad_delay[i], &ms, &j), -1);

	assert_int_equal(impair_parse_rate("100", &bps), 0);
	assert_true(bps == 100000000);
	assert_int_equal(impair_parse_rate("0.5", &bps), 0);
	assert_true(bps == 500000);
	static const char *const bad_rate[] = { "", "0", "0.001", "2000000", "10M", "-5", "1e3" };
	for (size_t i = 0; i < sizeof(bad_rate) / sizeof(*bad_rate); i++)
		assert_int_equal(impair_parse_rate(bad_rate[i], &bps), -1);
}

/* A port with an impaired wire: port_send() takes the frame, it reaches
 * transmit() (and tx_frames) when it leaves the queue; received frames
 * are counted as they come out of their own queue; an impaired port takes
 * no offload frames and reports its queue's room. */
static void test_port(void **state)
{
	struct ev_loop *loop = new_loop();
	struct impair_cfg c = cfg_of();
	struct fake_port fp;
	uint8_t f[100];

	(void)state;
	fake_port_init(&fp, "imp");
	c.delay_ms = 5;
	c.limit = 4;
	assert_int_equal(port_set_impair(&fp.port, &c, loop), 0);
	assert_non_null(fp.port.impair_in);
	assert_non_null(fp.port.impair_out);
	assert_true(port_queues(&fp.port));
	make_frame(f, 1, sizeof(f));
	for (int i = 0; i < 6; i++)
		assert_true(port_send(&fp.port, f, sizeof(f)));
	assert_int_equal(fp.transmits, 0);
	assert_int_equal(fp.port.stats.tx_frames, 0);
	assert_int_equal(port_tx_room(&fp.port), 0);
	assert_int_equal(port_tx_queued(&fp.port), 4 * sizeof(f));
	port_receive(&fp.port, f, sizeof(f));
	assert_int_equal(fp.port.stats.rx_frames, 0);
	advance(loop, 6);
	assert_int_equal(fp.transmits, 4);
	assert_int_equal(fp.port.stats.tx_frames, 4);
	/* Unplugged: a received frame has nowhere to go. */
	assert_int_equal(fp.port.stats.rx_frames, 1);
	assert_int_equal(fp.port.stats.rx_drops, 1);
	assert_int_equal(impair_link_stats(fp.port.impair_out)->queue_drops, 2);
	assert_true(port_tx_room(&fp.port) > 0);
	port_close(&fp.port);
	assert_null(fp.port.impair_in);
	fake_port_clear(&fp);
	ev_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loss),
		cmocka_unit_test(test_dup),
		cmocka_unit_test(test_reorder),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_delay_jitter),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_ring_wraps),
		cmocka_unit_test(test_seeded),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
