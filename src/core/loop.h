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
