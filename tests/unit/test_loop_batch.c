/* SPDX-License-Identifier: MIT
 *
 * test_loop_batch.c - a watch deleted by a callback is not dispatched
 * again from the same epoll batch. The gateway closes a flow from one
 * socket's event and hands the slot, watch included, to the next new
 * connection; a later entry of the same batch for the old socket must not
 * reach the watch's new owner (or, when the owner was freed, freed memory).
 * Both pipes are made readable before one ev_loop_once(), so epoll returns
 * both events in one batch whichever order it picks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "core/loop.h"

struct slot {
	struct ev_loop *loop;
	struct slot *other;
	int p[2];
	struct ev_watch w;
	unsigned calls;
	int reuse_other; /* 1: re-arm the other slot on a fresh pipe; 0: free it */
};

static void slot_open(struct ev_loop *loop, struct slot *s)
{
	assert_int_equal(pipe2(s->p, O_NONBLOCK), 0);
	ev_watch_init(&s->w, s->p[0], NULL, s);
	s->loop = loop;
}

static void slot_close(struct slot *s)
{
	ev_watch_del(s->loop, &s->w);
	close(s->p[0]);
	close(s->p[1]);
}

static unsigned total_calls;
static struct slot *last_caller;

/* Whichever slot runs first closes the other one, as a flow table does
 * when one event ends two flows, then reuses or frees it. */
static void on_event(void *ctx, uint32_t events)
{
	struct slot *s = ctx, *o = s->other;
	char c;

	(void)events;
	s->calls++;
	total_calls++;
	last_caller = s;
	/* Non-blocking: a stale dispatch finds nothing to read, and the
	 * test fails on the call counts instead of hanging. */
	if (read(s->p[0], &c, 1) != 1)
		return;
	if (!o)
		return;
	slot_close(o);
	s->other = NULL;
	if (o->reuse_other) {
		/* The slot's new life: a pipe nobody has written to. A stale
		 * dispatch would show up as a call on it. */
		o->calls = 0;
		o->other = NULL;
		assert_int_equal(pipe2(o->p, O_NONBLOCK), 0);
		ev_watch_init(&o->w, o->p[0], on_event, o);
		assert_int_equal(ev_watch_add(o->loop, &o->w, EPOLLIN), 0);
	} else {
		free(o); /* under ASan a stale dispatch is a use after free */
	}
}

static void make_pair(struct ev_loop *loop, struct slot *a, struct slot *b,
		      int reuse)
{
	slot_open(loop, a);
	slot_open(loop, b);
	a->w.fn = b->w.fn = on_event;
	a->other = b;
	b->other = a;
	a->reuse_other = b->reuse_other = reuse;
	assert_int_equal(ev_watch_add(loop, &a->w, EPOLLIN), 0);
	assert_int_equal(ev_watch_add(loop, &b->w, EPOLLIN), 0);
	assert_int_equal(write(a->p[1], "a", 1), 1);
	assert_int_equal(write(b->p[1], "b", 1), 1);
}

static void test_deleted_then_reused_watch_skips_stale_event(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct slot a = { 0 }, b = { 0 }, *survivor, *reused;

	(void)state;
	assert_non_null(loop);
	total_calls = 0;
	make_pair(loop, &a, &b, 1);
	/* Both events are in the batch; the second was deleted by the first. */
	assert_int_equal(ev_loop_once(loop, 1000), 2);
	assert_int_equal(total_calls, 1);
	survivor = a.calls ? &a : &b;
	reused = a.calls ? &b : &a;
	assert_int_equal(survivor->calls, 1);
	assert_int_equal(reused->calls, 0);

	/* The re-added watch is live: its next real event is delivered. */
	assert_int_equal(write(reused->p[1], "r", 1), 1);
	assert_int_equal(ev_loop_once(loop, 1000), 1);
	assert_int_equal(reused->calls, 1);
	assert_int_equal(total_calls, 2);

	slot_close(&a);
	slot_close(&b);
	ev_loop_free(loop);
}

static void test_deleted_then_freed_watch_is_not_touched(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct slot *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));

	(void)state;
	assert_non_null(loop);
	assert_non_null(a);
	assert_non_null(b);
	total_calls = 0;
	make_pair(loop, a, b, 0);
	assert_int_equal(ev_loop_once(loop, 1000), 2);
	/* The first callback freed the other slot: the only call is its. */
	assert_int_equal(total_calls, 1);
	assert_true(last_caller == a || last_caller == b);
	assert_null(last_caller->other);
	slot_close(last_caller);
	free(last_caller);
	ev_loop_free(loop);
}

/* Deleting a watch outside any dispatch is still just an epoll delete,
 * and deleting one whose event already ran is harmless. */
static void test_delete_outside_and_after_dispatch(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct slot a = { 0 };

	(void)state;
	assert_non_null(loop);
	total_calls = 0;
	slot_open(loop, &a);
	a.w.fn = on_event;
	assert_int_equal(ev_watch_add(loop, &a.w, EPOLLIN), 0);
	assert_int_equal(write(a.p[1], "a", 1), 1);
	assert_int_equal(ev_loop_once(loop, 1000), 1);
	assert_int_equal(a.calls, 1);
	ev_watch_del(loop, &a.w);
	assert_int_equal(write(a.p[1], "a", 1), 1);
	assert_int_equal(ev_loop_once(loop, 0), 0);
	assert_int_equal(a.calls, 1);
	close(a.p[0]);
	close(a.p[1]);
	ev_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deleted_then_reused_watch_skips_stale_event),
		cmocka_unit_test(test_deleted_then_freed_watch_is_not_touched),
		cmocka_unit_test(test_delete_outside_and_after_dispatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
