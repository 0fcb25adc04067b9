/* SPDX-License-Identifier: MIT
 *
 * loop.h - the single-threaded epoll event loop and its timers.
 *
 * Theory of operation: every fd vmwire owns is registered once with a
 * struct ev_watch embedded in the object that owns the fd; epoll hands the
 * watch back and we call its callback. Nothing is allocated per event.
 * Timers are intrusive too: a struct ev_timer lives inside its owner and is
 * kept in a list sorted by deadline; the head bounds the epoll_wait timeout.
 * There are few timers (aging sweeps, reconnects, flow expiry sweeps), so a
 * sorted list beats a heap on simplicity at no measurable cost.
 *
 * Busy polling (opt-in, ev_loop_set_busy_poll()): after a wakeup that
 * handled fd events the loop keeps calling epoll_wait() with a zero
 * timeout for up to USEC microseconds before it blocks again, so the next
 * frame of a request/response exchange is picked up without the sleep and
 * wakeup in between (on a VM: no halted vCPU for the host to reschedule).
 * It costs CPU only within USEC of real events: an idle loop blocks.
 */
#ifndef VMWIRE_CORE_LOOP_H
#define VMWIRE_CORE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct ev_loop;

typedef void (*ev_fd_fn)(void *ctx, uint32_t events);
typedef void (*ev_timer_fn)(void *ctx);

struct ev_watch {
	int fd;
	uint32_t events;
	ev_fd_fn fn;
	void *ctx;
};

struct ev_timer {
	uint64_t deadline_ms; /* CLOCK_MONOTONIC */
	ev_timer_fn fn;
	void *ctx;
	bool armed;
	struct ev_timer *next, *prev;
};

struct ev_loop *ev_loop_new(void);
void ev_loop_free(struct ev_loop *loop);

/* Run until ev_loop_stop(); returns 0, or -1 if epoll itself failed. */
int ev_loop_run(struct ev_loop *loop);
void ev_loop_stop(struct ev_loop *loop);
bool ev_loop_stopping(const struct ev_loop *loop);

/* For an embedder's own poll loop (libvmwire): the one fd that becomes
 * readable when any watch has an event, and how long until the next timer
 * (-1: none; at most cap_ms when cap_ms >= 0). */
int ev_loop_fd(const struct ev_loop *loop);
int ev_loop_timeout(const struct ev_loop *loop, int cap_ms);

/* Run one iteration waiting at most timeout_ms (tests). */
int ev_loop_once(struct ev_loop *loop, int timeout_ms);

/* Busy-poll for up to usec microseconds after each wakeup that handled fd
 * events (0: off, the default). Timers still fire on time while polling;
 * a zero timeout_ms (an embedder's own poll loop) never polls. */
#define EV_BUSY_POLL_MAX_US 1000000u
void ev_loop_set_busy_poll(struct ev_loop *loop, unsigned usec);

/* What the loop's waits did, for tests and "info loop". */
struct ev_loop_stats {
	uint64_t waits;        /* epoll_wait() calls that could block */
	uint64_t polls;        /* zero-timeout epoll_wait() calls while busy polling */
	uint64_t poll_hits;    /* of those, the ones that found events */
	uint64_t poll_expired; /* windows that ran out with no event: back to blocking */
};
void ev_loop_get_stats(const struct ev_loop *loop, struct ev_loop_stats *out);

void ev_watch_init(struct ev_watch *w, int fd, ev_fd_fn fn, void *ctx);
int ev_watch_add(struct ev_loop *loop, struct ev_watch *w, uint32_t events);
int ev_watch_mod(struct ev_loop *loop, struct ev_watch *w, uint32_t events);
void ev_watch_del(struct ev_loop *loop, struct ev_watch *w);

void ev_timer_init(struct ev_timer *t, ev_timer_fn fn, void *ctx);
void ev_timer_arm(struct ev_loop *loop, struct ev_timer *t, uint64_t delay_ms);
void ev_timer_cancel(struct ev_loop *loop, struct ev_timer *t);

/* CLOCK_MONOTONIC in ms, read now. */
uint64_t ev_now_ms(void);
/* The loop's clock as of this wakeup (see loop.c): what the data path
 * passes down as "now". A NULL loop (frame tests) reads ev_now_ms(). */
uint64_t ev_loop_now(const struct ev_loop *loop);
/* Tests: the clock the loop reads, for its timers and ev_loop_now();
 * NULL restores ev_now_ms. */
void ev_loop_set_clock(struct ev_loop *loop, uint64_t (*clock)(void));

#endif
