/* SPDX-License-Identifier: MIT
 *
 * test_loop_clock.c - the event loop's clock: read once per wakeup, the
 * same for every callback of that wakeup, and replaceable by a test's so
 * timers fire on a clock the test moves, not on wall time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <unistd.h>

#include "core/loop.h"

static uint64_t fake_ms = 1000000;
static unsigned fake_reads;

static uint64_t fake_clock(void)
{
	fake_reads++;
	return fake_ms;
}

struct seen {
	struct ev_loop *loop;
	uint64_t now[2];
	unsigned n;
};

static void on_readable(void *ctx, uint32_t events)
{
	struct seen *s = ctx;

	(void)events;
	fake_ms += 7; /* time passes inside a callback: "now" does not */
	if (s->n < 2)
		s->now[s->n] = ev_loop_now(s->loop);
	s->n++;
}

/* Two fds ready in one wakeup: both callbacks see the wakeup's clock,
 * not what it reads when they run. */
static void test_cached_per_wakeup(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct seen s = { .loop = loop };
	struct ev_watch w[2];
	int p[2][2];

	(void)state;
	assert_non_null(loop);
	ev_loop_set_clock(loop, fake_clock);
	assert_int_equal(ev_loop_now(loop), fake_ms);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pipe(p[i]), 0);
		assert_int_equal(write(p[i][1], "x", 1), 1);
		ev_watch_init(&w[i], p[i][0], on_readable, &s);
		assert_int_equal(ev_watch_add(loop, &w[i], 0x001 /* EPOLLIN */), 0);
	}
	fake_ms = 2000000;
	assert_int_equal(ev_loop_once(loop, 0), 2);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.now[0], 2000000);
	assert_int_equal(s.now[1], 2000000);
	/* The next wakeup reads the clock again (2000014 for its callbacks,
	 * s.now not recorded), and once more for its timers, after the
	 * callbacks moved it on by 14. */
	assert_int_equal(ev_loop_once(loop, 0), 2);
	assert_int_equal(s.n, 4);
	assert_int_equal(ev_loop_now(loop), 2000028);
	for (int i = 0; i < 2; i++) {
		ev_watch_del(loop, &w[i]);
		close(p[i][0]);
		close(p[i][1]);
	}
	ev_loop_free(loop);
}

static unsigned fired;
static uint64_t fired_now;
static struct ev_loop *timer_loop;

static void on_timer(void *ctx)
{
	(void)ctx;
	fired++;
	fired_now = ev_loop_now(timer_loop);
}

/* A timer follows the injected clock: it does not fire before the test
 * moves the clock past its deadline, and fires without any sleep after. */
static void test_timer_on_injected_clock(void **state)
{
	struct ev_timer t;

	(void)state;
	timer_loop = ev_loop_new();
	assert_non_null(timer_loop);
	fake_ms = 5000;
	ev_loop_set_clock(timer_loop, fake_clock);
	ev_timer_init(&t, on_timer, NULL);
	ev_timer_arm(timer_loop, &t, 60000);
	fake_ms += 59999;
	ev_loop_once(timer_loop, 0);
	assert_int_equal(fired, 0);
	fake_ms += 1;
	ev_loop_once(timer_loop, 0);
	assert_int_equal(fired, 1);
	assert_int_equal(fired_now, 65000);
	assert_false(t.armed);
	/* Back to the real clock: "now" is CLOCK_MONOTONIC again. */
	ev_loop_set_clock(timer_loop, NULL);
	assert_true(ev_loop_now(timer_loop) <= ev_now_ms());
	assert_true(ev_loop_now(timer_loop) + 1000 > ev_now_ms());
	ev_loop_free(timer_loop);
}

static void test_null_loop_reads_clock(void **state)
{
	uint64_t a, b, c;

	(void)state;
	a = ev_now_ms();
	b = ev_loop_now(NULL);
	c = ev_now_ms();
	assert_true(a <= b && b <= c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cached_per_wakeup),
		cmocka_unit_test(test_timer_on_injected_clock),
		cmocka_unit_test(test_null_loop_reads_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
