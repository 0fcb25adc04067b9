/* SPDX-License-Identifier: MIT
 *
 * test_loop_busy_poll.c - the loop's opt-in busy polling: events are still
 * delivered while it spins, timers still fire inside the window, the
 * window closes by itself and the loop then blocks, and nothing but fd
 * events opens it (an idle loop with timers never spins). The assertions
 * are on the loop's own counters of what its waits did, plus one generous
 * CPU-time bound over a blocked interval; none on latency.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/loop.h"

struct pipe_watch {
	int p[2];
	struct ev_watch w;
	unsigned reads;
};

static void on_readable(void *ctx, uint32_t events)
{
	struct pipe_watch *pw = ctx;
	char buf[16];

	(void)events;
	if (read(pw->p[0], buf, sizeof(buf)) > 0)
		pw->reads++;
}

static void pipe_watch_add(struct ev_loop *loop, struct pipe_watch *pw)
{
	pw->reads = 0;
	assert_int_equal(pipe(pw->p), 0);
	ev_watch_init(&pw->w, pw->p[0], on_readable, pw);
	assert_int_equal(ev_watch_add(loop, &pw->w, EPOLLIN), 0);
}

static void pipe_watch_del(struct ev_loop *loop, struct pipe_watch *pw)
{
	ev_watch_del(loop, &pw->w);
	close(pw->p[0]);
	close(pw->p[1]);
}

/* One event handled: the window opens. */
static void open_window(struct ev_loop *loop, struct pipe_watch *pw)
{
	unsigned before = pw->reads;

	assert_int_equal(write(pw->p[1], "x", 1), 1);
	assert_int_equal(ev_loop_once(loop, -1), 1);
	assert_int_equal(pw->reads, before + 1);
}

static unsigned fired;

static void on_timer(void *ctx)
{
	(void)ctx;
	fired++;
}

/* Busy polling on, but no fd event yet: every wait blocks, timers'
 * wakeups included. */
static void test_idle_loop_never_polls(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_loop_stats st;
	struct ev_timer t;
	int i;

	(void)state;
	assert_non_null(loop);
	ev_loop_set_busy_poll(loop, EV_BUSY_POLL_MAX_US);
	assert_int_equal(ev_loop_once(loop, 20), 0);
	fired = 0;
	ev_timer_init(&t, on_timer, NULL);
	for (i = 0; i < 3; i++) {
		ev_timer_arm(loop, &t, 2);
		while (t.armed)
			ev_loop_once(loop, -1);
	}
	assert_int_equal(fired, 3);
	ev_loop_get_stats(loop, &st);
	assert_int_equal(st.polls, 0);
	assert_true(st.waits >= 4);
	ev_loop_free(loop);
}

/* A writer 20 ms later, well inside a 1 s window: the spin finds its
 * byte, the loop never blocks for it. */
static void test_events_delivered_while_polling(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_loop_stats st0, st;
	struct pipe_watch pw;
	pid_t pid;

	(void)state;
	assert_non_null(loop);
	ev_loop_set_busy_poll(loop, EV_BUSY_POLL_MAX_US);
	pipe_watch_add(loop, &pw);
	open_window(loop, &pw);
	ev_loop_get_stats(loop, &st0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		usleep(20000);
		_exit(write(pw.p[1], "y", 1) == 1 ? 0 : 1);
	}
	assert_int_equal(ev_loop_once(loop, -1), 1);
	assert_int_equal(pw.reads, 2);
	ev_loop_get_stats(loop, &st);
	assert_int_equal(st.waits, st0.waits);
	assert_int_equal(st.poll_hits, st0.poll_hits + 1);
	assert_true(st.polls > st0.polls);
	assert_int_equal(st.poll_expired, 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	pipe_watch_del(loop, &pw);
	ev_loop_free(loop);
}

/* A 10 ms timer in a 1 s window fires while the loop spins (the window
 * has not run out when it does), and the window stays open after it. */
static void test_timer_fires_inside_window(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_loop_stats st0, st;
	struct pipe_watch pw;
	struct ev_timer t;
	int i;

	(void)state;
	assert_non_null(loop);
	ev_loop_set_busy_poll(loop, EV_BUSY_POLL_MAX_US);
	pipe_watch_add(loop, &pw);
	open_window(loop, &pw);
	ev_loop_get_stats(loop, &st0);
	fired = 0;
	ev_timer_init(&t, on_timer, NULL);
	ev_timer_arm(loop, &t, 10);
	for (i = 0; i < 100 && !fired; i++)
		assert_int_equal(ev_loop_once(loop, -1), 0);
	assert_int_equal(fired, 1);
	ev_loop_get_stats(loop, &st);
	assert_int_equal(st.waits, st0.waits);
	assert_int_equal(st.poll_expired, 0);
	assert_true(st.polls > st0.polls);
	/* Still spinning: a byte now is found by a poll, not a blocking wait. */
	open_window(loop, &pw);
	ev_loop_get_stats(loop, &st0);
	assert_int_equal(st0.waits, st.waits);
	assert_int_equal(st0.poll_hits, st.poll_hits + 1);
	pipe_watch_del(loop, &pw);
	ev_loop_free(loop);
}

static uint64_t cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* A 2 ms window, then nothing for 300 ms: the window runs out, the loop
 * blocks for the rest (a small fraction of the 300 ms in CPU time, even
 * on a loaded machine, where a spin through it would use most of what
 * it got), and the next wait blocks straight away. */
static void test_blocks_once_window_closes(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_loop_stats st0, st;
	struct pipe_watch pw;
	uint64_t cpu;

	(void)state;
	assert_non_null(loop);
	ev_loop_set_busy_poll(loop, 2000);
	pipe_watch_add(loop, &pw);
	open_window(loop, &pw);
	ev_loop_get_stats(loop, &st0);
	cpu = cpu_us();
	assert_int_equal(ev_loop_once(loop, 300), 0);
	cpu = cpu_us() - cpu;
	ev_loop_get_stats(loop, &st);
	assert_int_equal(st.poll_expired, st0.poll_expired + 1);
	assert_int_equal(st.waits, st0.waits + 1);
	assert_true(st.polls > st0.polls);
	assert_true(cpu < 150000);
	st0 = st;
	assert_int_equal(ev_loop_once(loop, 20), 0);
	ev_loop_get_stats(loop, &st);
	assert_int_equal(st.polls, st0.polls);
	assert_int_equal(st.waits, st0.waits + 1);
	pipe_watch_del(loop, &pw);
	ev_loop_free(loop);
}

/* An embedder's ev_loop_once(loop, 0) never spins, and 0 turns it off. */
static void test_zero_timeout_and_off(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct ev_loop_stats st0, st;
	struct pipe_watch pw;

	(void)state;
	assert_non_null(loop);
	ev_loop_set_busy_poll(loop, EV_BUSY_POLL_MAX_US);
	pipe_watch_add(loop, &pw);
	open_window(loop, &pw);
	ev_loop_get_stats(loop, &st0);
	assert_int_equal(ev_loop_once(loop, 0), 0);
	ev_loop_get_stats(loop, &st);
	assert_int_equal(st.polls, st0.polls);
	ev_loop_set_busy_poll(loop, 0);
	open_window(loop, &pw);
	ev_loop_get_stats(loop, &st0);
	assert_int_equal(ev_loop_once(loop, 10), 0);
	ev_loop_get_stats(loop, &st);
	assert_int_equal(st.polls, st0.polls);
	assert_int_equal(st.waits, st0.waits + 1);
	pipe_watch_del(loop, &pw);
	ev_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle_loop_never_polls),
		cmocka_unit_test(test_events_delivered_while_polling),
		cmocka_unit_test(test_timer_fires_inside_window),
		cmocka_unit_test(test_blocks_once_window_closes),
		cmocka_unit_test(test_zero_timeout_and_off),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
