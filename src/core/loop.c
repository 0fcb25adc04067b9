/* SPDX-License-Identifier: MIT
 *
 * loop.c - epoll loop and sorted timer list, see loop.h.
 *
 * The clock: ev_loop_once() reads it once after epoll_wait() returns and
 * once more before the due timers run (they must see their deadline
 * passed); every callback of that wakeup gets the same ev_loop_now(), so
 * a burst of frames handled together is stamped alike and costs no
 * clock_gettime() per frame. Tests swap the clock (ev_loop_set_clock())
 * to drive timers and the gateway's timeouts without sleeping.
 *
 * Busy polling: a wakeup that handled fd events opens a window of
 * busy_poll_us; until it closes, ev_loop_once() spins on zero-timeout
 * epoll_wait() instead of blocking, and every wakeup with events moves
 * the window on. The spin still ends when the wait it replaces would
 * have (the caller's timeout, already bounded by the next timer), so
 * timers fire on time and the window survives them. Once the window runs
 * out the loop blocks as without the option; timer-only wakeups do not
 * open it, so an idle loop with periodic sweeps never spins. The window
 * is measured on the real CLOCK_MONOTONIC in ns, not the loop's ms clock
 * (a test's fake clock stands still while the loop spins).
 *
 * Deleting a watch inside a wakeup: epoll_wait() has already copied the
 * events of this batch, each naming its watch by pointer. A callback that
 * closes a flow and hands its slot (and embedded watch) to a new socket,
 * or frees the object the watch lives in, would leave a later entry of
 * the same batch pointing at the reused or freed watch: the old socket's
 * EPOLLHUP would then close the new flow. So ev_watch_del() blanks the
 * not yet dispatched entries of the current batch that name the watch
 * (at most EV_BATCH compares, only while a batch is being dispatched).
 */
#include "core/loop.h"
#include "core/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define EV_BATCH 64
#define EV_POLL_EXPIRED (-2) /* busy_poll(): the window closed, block now */

struct ev_loop {
	int epfd;
	bool stop;
	struct ev_timer *timers; /* sorted by deadline, soonest first */
	uint64_t (*clock)(void); /* ev_now_ms, or a test's */
	uint64_t now;            /* clock() as of this wakeup */
	uint64_t busy_poll_ns;   /* 0: no busy polling */
	uint64_t poll_until_ns;  /* mono_ns() the window closes at; 0: closed */
	struct ev_loop_stats stats;
	/* The batch being dispatched: entries past next are still to come
	 * (ev_watch_del() blanks its watch's). NULL outside dispatch. */
	struct epoll_event *batch;
	int batch_next, batch_n;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t ev_now_ms(void)
{
	return mono_ns() / 1000000u;
}

struct ev_loop *ev_loop_new(void)
{
	struct ev_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	loop->clock = ev_now_ms;
	loop->now = ev_now_ms();
	return loop;
}

uint64_t ev_loop_now(const struct ev_loop *loop)
{
	return loop ? loop->now : ev_now_ms();
}

void ev_loop_set_clock(struct ev_loop *loop, uint64_t (*clock)(void))
{
	loop->clock = clock ? clock : ev_now_ms;
	loop->now = loop->clock();
}

void ev_loop_free(struct ev_loop *loop)
{
	if (!loop)
		return;
	close(loop->epfd);
	free(loop);
}

void ev_loop_stop(struct ev_loop *loop) { loop->stop = true; }
bool ev_loop_stopping(const struct ev_loop *loop) { return loop->stop; }

void ev_watch_init(struct ev_watch *w, int fd, ev_fd_fn fn, void *ctx)
{
	w->fd = fd;
	w->events = 0;
	w->fn = fn;
	w->ctx = ctx;
}

int ev_watch_add(struct ev_loop *loop, struct ev_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	w->events = events;
	return epoll_ctl(loop->epfd, EPOLL_CTL_ADD, w->fd, &ev);
}

int ev_watch_mod(struct ev_loop *loop, struct ev_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (w->events == events)
		return 0;
	w->events = events;
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

void ev_watch_del(struct ev_loop *loop, struct ev_watch *w)
{
	int i;

	if (w->fd >= 0)
		epoll_ctl(loop->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->events = 0;
	if (!loop->batch)
		return;
	for (i = loop->batch_next; i < loop->batch_n; i++)
		if (loop->batch[i].data.ptr == w)
			loop->batch[i].data.ptr = NULL;
}

void ev_timer_init(struct ev_timer *t, ev_timer_fn fn, void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->ctx = ctx;
}

void ev_timer_cancel(struct ev_loop *loop, struct ev_timer *t)
{
	if (!t->armed)
		return;
	if (t->prev)
		t->prev->next = t->next;
	else
		loop->timers = t->next;
	if (t->next)
		t->next->prev = t->prev;
	t->next = t->prev = NULL;
	t->armed = false;
}

void ev_timer_arm(struct ev_loop *loop, struct ev_timer *t, uint64_t delay_ms)
{
	struct ev_timer **pos = &loop->timers, *prev = NULL;

	ev_timer_cancel(loop, t);
	/* The clock read now, not the wakeup's: a timer armed at setup, long
	 * after the last wakeup, must not fire early. */
	t->deadline_ms = loop->clock() + delay_ms;
	while (*pos && (*pos)->deadline_ms <= t->deadline_ms) {
		prev = *pos;
		pos = &(*pos)->next;
	}
	t->next = *pos;
	t->prev = prev;
	if (*pos)
		(*pos)->prev = t;
	*pos = t;
	t->armed = true;
}

static void run_due_timers(struct ev_loop *loop)
{
	uint64_t now = loop->now = loop->clock();

	/* A callback may re-arm itself or others; always restart from head. */
	while (loop->timers && loop->timers->deadline_ms <= now) {
		struct ev_timer *t = loop->timers;

		ev_timer_cancel(loop, t);
		t->fn(t->ctx);
	}
}

static int next_timeout(const struct ev_loop *loop, int cap_ms)
{
	uint64_t now, d;

	if (!loop->timers)
		return cap_ms;
	now = loop->clock();
	d = loop->timers->deadline_ms > now ? loop->timers->deadline_ms - now : 0;
	if (cap_ms >= 0 && d > (uint64_t)cap_ms)
		return cap_ms;
	return d > 60000 ? 60000 : (int)d;
}

int ev_loop_fd(const struct ev_loop *loop)
{
	return loop->epfd;
}

int ev_loop_timeout(const struct ev_loop *loop, int cap_ms)
{
	return next_timeout(loop, cap_ms);
}

void ev_loop_set_busy_poll(struct ev_loop *loop, unsigned usec)
{
	if (usec > EV_BUSY_POLL_MAX_US)
		usec = EV_BUSY_POLL_MAX_US;
	loop->busy_poll_ns = (uint64_t)usec * 1000u;
	loop->poll_until_ns = 0;
}

void ev_loop_get_stats(const struct ev_loop *loop, struct ev_loop_stats *out)
{
	*out = loop->stats;
}

/*
 * Spin in the open window for at most wait_ms (-1: unbounded), the wait
 * the caller would have blocked for. Returns what epoll_wait() returned
 * when it found events (or failed); 0 when wait_ms is over (a timer is
 * due: the window stays open); EV_POLL_EXPIRED when the window closed
 * first, with *left_ms what is left of wait_ms to block for.
 */
static int busy_poll(struct ev_loop *loop, struct epoll_event *evs, int wait_ms, int *left_ms)
{
	uint64_t now = mono_ns(), end = UINT64_MAX;
	int n;

	if (wait_ms >= 0)
		end = now + (uint64_t)wait_ms * 1000000u;
	for (;;) {
		loop->stats.polls++;
		n = epoll_wait(loop->epfd, evs, EV_BATCH, 0);
		if (n != 0) {
			if (n > 0)
				loop->stats.poll_hits++;
			return n;
		}
		now = mono_ns();
		if (now >= end)
			return 0;
		if (now >= loop->poll_until_ns)
			break;
	}
	loop->poll_until_ns = 0;
	loop->stats.poll_expired++;
	*left_ms = end == UINT64_MAX ? -1 : end <= now ? 0 :
		   (int)((end - now + 999999u) / 1000000u);
	return EV_POLL_EXPIRED;
}

int ev_loop_once(struct ev_loop *loop, int timeout_ms)
{
	struct epoll_event evs[EV_BATCH], *outer = loop->batch;
	int n = EV_POLL_EXPIRED, i, wait_ms = next_timeout(loop, timeout_ms);
	int outer_next = loop->batch_next, outer_n = loop->batch_n;

	if (loop->poll_until_ns && wait_ms != 0)
		n = busy_poll(loop, evs, wait_ms, &wait_ms);
	if (n == EV_POLL_EXPIRED) {
		if (wait_ms != 0)
			loop->stats.waits++;
		n = epoll_wait(loop->epfd, evs, EV_BATCH, wait_ms);
	}
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		err("epoll_wait: %s", strerror(errno));
		return -1;
	}
	loop->now = loop->clock(); /* once for every callback of this wakeup */
	loop->batch = evs;
	loop->batch_n = n;
	for (i = 0; i < n; i++) {
		struct ev_watch *w = evs[i].data.ptr;

		loop->batch_next = i + 1;
		if (w) /* NULL: deleted by an earlier callback of this batch */
			w->fn(w->ctx, evs[i].events);
	}
	/* A callback that ran a loop of its own (a test) gets its batch back. */
	loop->batch = outer;
	loop->batch_next = outer_next;
	loop->batch_n = outer_n;
	/* From the end of this pass: USEC without any event closes it. */
	if (n > 0 && loop->busy_poll_ns)
		loop->poll_until_ns = mono_ns() + loop->busy_poll_ns;
	run_due_timers(loop);
	return n;
}

int ev_loop_run(struct ev_loop *loop)
{
	while (!loop->stop) {
		if (ev_loop_once(loop, -1) < 0)
			return -1;
	}
	loop->stop = false; /* an embedder may run it again */
	return 0;
}
