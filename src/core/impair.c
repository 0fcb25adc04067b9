/* SPDX-License-Identifier: MIT
 *
 * impair.c - link impairment, one direction of one port (impair.h).
 *
 * Theory of operation: this kernel has no sch_netem, and VDE's wirefilter
 * is one more process to place in a path, so a port can be made a bad wire
 * itself. Each frame pushed into a link goes through, in this order:
 *
 *   loss      dropped with probability loss (counted "lost");
 *   dup       with probability dup, sent twice;
 *   reorder   each copy, when no frame is held already, is held back with
 *             probability reorder/(1 - reorder) and released right after
 *             the next one passes, or after IMPAIR_HOLD_MS if none comes.
 *             Holds can't overlap, so a fraction q/(1+q) of frames is held;
 *             that makes the fraction overtaken equal to reorder, and why
 *             reorder is capped at 50% (every other frame swapped);
 *   queue     with a delay, jitter or rate, into the delay queue; else
 *             handed on at once.
 *
 * The delay queue is FIFO: a frame is due at now + delay +/- a uniform
 * jitter, but never before the frame ahead of it (jitter spreads frames, it
 * does not reorder them: reorder= does that, measurably), and with a rate
 * only once the wire is free of the frame ahead: due = max(due, wire_free)
 * + len * 8 / rate, kept in nanoseconds so fast rates add up exactly
 * although the loop's clock counts milliseconds. FIFO means the head is
 * always the next due, so one timer, armed for the head, serves the queue;
 * when it fires every frame due by the loop's clock leaves in a burst.
 *
 * Memory is fixed when the link is made: a ring of limit descriptors and a
 * byte ring of limit * 2 KiB (at least a few maximum frames) the frames are
 * copied into back to back; a frame that does not fit, or one over the
 * limit, is dropped and counted (queue_drops), like a full netem qdisc.
 * Nothing is allocated per frame. The random numbers come from splitmix64
 * seeded with seed= and the direction, so two runs with one seed make the
 * same decisions on the same frames.
 *
 * A frame leaves the link through ops->deliver, from the push itself (no
 * queue) or from the loop's timer. A frame is taken off the queue only after
 * deliver returned, so a push made from inside deliver appends safely.
 */
#include "core/impair.h"
#include "core/frame.h"
#include "core/loop.h"
#include "core/port.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPAIR_SLOT_BYTES 2048u /* arena bytes per frame of limit */
#define IMPAIR_NS_PER_MS 1000000ull

struct impair_slot {
	uint64_t due_ns;
	uint32_t off, len;
};

struct impair_link {
	struct impair_cfg cfg;
	uint64_t hold_p; /* reorder / (1 - reorder), see the top */
	struct ev_loop *loop;
	const struct impair_ops *ops;
	void *ctx;
	uint64_t rng;
	bool queues, busy;

	/* The delay queue: descriptors and the bytes they point into. */
	struct impair_slot *slot;
	uint32_t head, count;
	uint8_t *arena;
	size_t arena_size, a_head, a_tail, a_used;
	uint64_t last_due_ns; /* FIFO order, and the wire's end with a rate */
	struct ev_timer timer;

	/* The frame held back for reordering. */
	uint8_t *hold;
	size_t hold_len;
	bool holding;
	struct ev_timer hold_timer;

	struct impair_stats st;
};

void impair_cfg_init(struct impair_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->limit = IMPAIR_LIMIT_DEFAULT;
	cfg->seed = IMPAIR_SEED_DEFAULT;
	cfg->in = cfg->out = true;
}

bool impair_cfg_queues(const struct impair_cfg *cfg)
{
	return cfg->delay_ms || cfg->jitter_ms || cfg->rate_bps;
}

bool impair_cfg_active(const struct impair_cfg *cfg)
{
	return (cfg->in || cfg->out) &&
	       (cfg->loss || cfg->dup || cfg->reorder || impair_cfg_queues(cfg));
}

/* A decimal number, no sign, no exponent, then suffix or nothing. */
static int parse_decimal(const char *s, const char *suffix, double *out)
{
	size_t n = strspn(s, "0123456789.");
	const char *dot = memchr(s, '.', n);
	char *end;

	if (!n || n > 20 || s[0] == '.' || s[n - 1] == '.' ||
	    (dot && memchr(dot + 1, '.', n - (size_t)(dot + 1 - s))))
		return -1;
	if (s[n] && (!suffix || strcmp(s + n, suffix)))
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	if (errno || end != s + n)
		return -1;
	return 0;
}

int impair_parse_percent(const char *s, uint64_t max, uint64_t *p)
{
	double v;

	if (parse_decimal(s, "%", &v) < 0 || v > 100.0)
		return -1;
	*p = (uint64_t)(v / 100.0 * (double)IMPAIR_P_ONE + 0.5);
	if (*p > max)
		return -1;
	return 0;
}

static int parse_ms(const char *s, size_t n, uint32_t *ms)
{
	uint64_t v = 0;
	size_t i;

	if (!n || n > 6)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > IMPAIR_DELAY_MAX_MS)
		return -1;
	*ms = (uint32_t)v;
	return 0;
}

int impair_parse_delay(const char *s, uint32_t *ms, uint32_t *jitter_ms)
{
	const char *slash = strchr(s, '/');

	*jitter_ms = 0;
	if (!slash)
		return parse_ms(s, strlen(s), ms);
	if (parse_ms(s, (size_t)(slash - s), ms) < 0 ||
	    parse_ms(slash + 1, strlen(slash + 1), jitter_ms) < 0)
		return -1;
	return 0;
}

int impair_parse_rate(const char *s, uint64_t *bps)
{
	double v;

	if (parse_decimal(s, NULL, &v) < 0)
		return -1;
	v *= 1e6;
	if (v < (double)IMPAIR_RATE_MIN_BPS || v > (double)IMPAIR_RATE_MAX_BPS)
		return -1;
	*bps = (uint64_t)(v + 0.5);
	return 0;
}

/* splitmix64: small, fast, and good enough for coin flips. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* True with probability p / IMPAIR_P_ONE. A key at 0 or 100% draws
 * nothing, so the sequence is a function of seed and configuration. */
static bool coin(struct impair_link *l, uint64_t p)
{
	if (!p)
		return false;
	if (p >= IMPAIR_P_ONE)
		return true;
	return (rng_next(&l->rng) >> 32) < p;
}

static uint64_t now_ns(const struct impair_link *l)
{
	return ev_loop_now(l->loop) * IMPAIR_NS_PER_MS;
}

/* ---- the delay queue ---- */

/* Room for len bytes at the arena's tail: the offset, or -1. */
static long arena_take(struct impair_link *l, size_t len)
{
	size_t off;

	if (!l->count)
		l->a_head = l->a_tail = 0;
	if (!l->count || l->a_tail > l->a_head) {
		/* Data (if any) in [head, tail): room at the end, else at 0. */
		if (l->arena_size - l->a_tail >= len)
			off = l->a_tail;
		else if (l->a_head >= len)
			off = 0;
		else
			return -1;
	} else {
		/* Wrapped: room in [tail, head). */
		if (l->a_head - l->a_tail < len)
			return -1;
		off = l->a_tail;
	}
	l->a_tail = off + len;
	l->a_used += len;
	return (long)off;
}

static void arm_head(struct impair_link *l)
{
	uint64_t due, now;

	if (!l->count || !l->loop)
		return;
	due = l->slot[l->head].due_ns;
	now = now_ns(l);
	/* Round up: the timer must not fire before the frame is due. */
	ev_timer_arm(l->loop, &l->timer,
		     due > now ? (due - now + IMPAIR_NS_PER_MS - 1) / IMPAIR_NS_PER_MS : 0);
}

static void enqueue(struct impair_link *l, const uint8_t *frame, size_t len)
{
	struct impair_slot *s;
	uint64_t now = now_ns(l), due;
	long off;

	if (l->count >= l->cfg.limit || (off = arena_take(l, len)) < 0) {
		l->st.queue_drops++;
		return;
	}
	due = now + (uint64_t)l->cfg.delay_ms * IMPAIR_NS_PER_MS;
	if (l->cfg.jitter_ms) {
		uint64_t span = 2ull * l->cfg.jitter_ms * IMPAIR_NS_PER_MS + 1;
		uint64_t j = rng_next(&l->rng) % span;
		uint64_t back = (uint64_t)l->cfg.jitter_ms * IMPAIR_NS_PER_MS;

		due = due + j >= back + now ? due + j - back : now;
	}
	if (due < l->last_due_ns)
		due = l->last_due_ns;
	if (l->cfg.rate_bps)
		due += ((uint64_t)len * 8u * 1000000000ull + l->cfg.rate_bps - 1) /
		       l->cfg.rate_bps;
	l->last_due_ns = due;

	s = &l->slot[(l->head + l->count) % l->cfg.limit];
	s->due_ns = due;
	s->off = (uint32_t)off;
	s->len = (uint32_t)len;
	memcpy(l->arena + off, frame, len);
	if (++l->count > l->st.queued_peak)
		l->st.queued_peak = l->count;
	if (l->count == 1)
		arm_head(l);
}

static void queue_run(void *ctx)
{
	struct impair_link *l = ctx;
	uint64_t now = now_ns(l);

	while (l->count && l->slot[l->head].due_ns <= now) {
		struct impair_slot *s = &l->slot[l->head];

		l->st.delivered++;
		l->ops->deliver(l->ctx, l->arena + s->off, s->len);
		/* Off the queue only now: see the top. a_head is where the
		 * oldest frame left starts. */
		l->a_used -= s->len;
		l->head = (l->head + 1) % l->cfg.limit;
		l->count--;
		l->a_head = l->count ? l->slot[l->head].off : 0;
	}
	arm_head(l);
	if (l->ops->drained && l->count <= l->cfg.limit / 2)
		l->ops->drained(l->ctx);
}

/* ---- the path of a frame ---- */

static void forward(struct impair_link *l, const uint8_t *frame, size_t len)
{
	if (l->queues) {
		enqueue(l, frame, len);
		return;
	}
	l->st.delivered++;
	l->ops->deliver(l->ctx, frame, len);
}

static void release_hold(struct impair_link *l)
{
	if (!l->holding)
		return;
	if (l->loop)
		ev_timer_cancel(l->loop, &l->hold_timer);
	/* Cleared before the frame goes: a push from inside deliver sees no
	 * hold, and busy keeps it from taking the buffer meanwhile. */
	l->holding = false;
	l->busy = true;
	forward(l, l->hold, l->hold_len);
	l->busy = false;
}

static void hold_expired(void *ctx)
{
	release_hold(ctx);
}

static void emit(struct impair_link *l, const uint8_t *frame, size_t len)
{
	if (l->hold && !l->holding && !l->busy && len <= FRAME_BUF_SIZE &&
	    coin(l, l->hold_p)) {
		memcpy(l->hold, frame, len);
		l->hold_len = len;
		l->holding = true;
		l->st.reordered++;
		if (l->loop)
			ev_timer_arm(l->loop, &l->hold_timer, IMPAIR_HOLD_MS);
		return;
	}
	forward(l, frame, len);
	release_hold(l);
}

void impair_link_push(struct impair_link *l, const uint8_t *frame, size_t len)
{
	l->st.frames++;
	if (coin(l, l->cfg.loss)) {
		l->st.lost++;
		return;
	}
	if (coin(l, l->cfg.dup)) {
		l->st.duplicated++;
		emit(l, frame, len);
	}
	emit(l, frame, len);
}

/* ---- life and looks ---- */

struct impair_link *impair_link_new(const struct impair_cfg *cfg, unsigned stream,
				    struct ev_loop *loop, const struct impair_ops *ops,
				    void *ctx)
{
	struct impair_link *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->cfg = *cfg;
	if (!l->cfg.limit)
		l->cfg.limit = IMPAIR_LIMIT_DEFAULT;
	l->loop = loop;
	l->ops = ops;
	l->ctx = ctx;
	l->rng = cfg->seed ^ ((uint64_t)stream * 0xd1b54a32d192ed03ull);
	l->queues = impair_cfg_queues(cfg);
	if (l->queues && !loop) {
		free(l); /* nothing would ever run the queue */
		return NULL;
	}
	ev_timer_init(&l->timer, queue_run, l);
	ev_timer_init(&l->hold_timer, hold_expired, l);
	if (cfg->reorder) {
		uint64_t r = cfg->reorder < IMPAIR_REORDER_MAX ? cfg->reorder : IMPAIR_REORDER_MAX;

		/* q = r / (1 - r), as a fraction of 2^32. */
		l->hold_p = (uint64_t)(((unsigned __int128)r << 32) / (IMPAIR_P_ONE - r));
		l->hold = malloc(FRAME_BUF_SIZE);
		if (!l->hold)
			goto fail;
	}
	if (l->queues) {
		l->arena_size = (size_t)l->cfg.limit * IMPAIR_SLOT_BYTES;
		if (l->arena_size < 4 * (size_t)FRAME_BUF_SIZE)
			l->arena_size = 4 * (size_t)FRAME_BUF_SIZE;
		l->slot = calloc(l->cfg.limit, sizeof(*l->slot));
		l->arena = malloc(l->arena_size);
		if (!l->slot || !l->arena)
			goto fail;
	}
	return l;
fail:
	impair_link_free(l);
	return NULL;
}

void impair_link_free(struct impair_link *l)
{
	if (!l)
		return;
	if (l->loop) {
		ev_timer_cancel(l->loop, &l->timer);
		ev_timer_cancel(l->loop, &l->hold_timer);
	}
	free(l->slot);
	free(l->arena);
	free(l->hold);
	free(l);
}

size_t impair_link_room(const struct impair_link *l)
{
	size_t contig, frames;

	if (!l->queues)
		return SIZE_MAX;
	if (!l->count)
		contig = l->arena_size;
	else if (l->a_tail > l->a_head)
		contig = l->arena_size - l->a_tail > l->a_head ? l->arena_size - l->a_tail
							       : l->a_head;
	else
		contig = l->a_head - l->a_tail;
	frames = (size_t)(l->cfg.limit - l->count) * (1514 + PORT_TX_OVERHEAD);
	return contig < frames ? contig : frames;
}

size_t impair_link_queued(const struct impair_link *l)
{
	return l->a_used + (l->holding ? l->hold_len : 0);
}

unsigned impair_link_count(const struct impair_link *l)
{
	return l->count;
}

const struct impair_stats *impair_link_stats(const struct impair_link *l)
{
	return &l->st;
}

const struct impair_cfg *impair_link_cfg(const struct impair_link *l)
{
	return &l->cfg;
}

static double pct(uint64_t p)
{
	return (double)p * 100.0 / (double)IMPAIR_P_ONE;
}

void impair_cfg_describe(const struct impair_cfg *c, char *buf, size_t size)
{
	int n = snprintf(buf, size, "loss %.4g%% dup %.4g%% reorder %.4g%% delay %" PRIu32,
			 pct(c->loss), pct(c->dup), pct(c->reorder), c->delay_ms);

	if (n < 0 || (size_t)n >= size)
		return;
	if (c->jitter_ms)
		n += snprintf(buf + n, size - (size_t)n, "/%" PRIu32, c->jitter_ms);
	if ((size_t)n >= size)
		return;
	if (c->rate_bps)
		snprintf(buf + n, size - (size_t)n, " ms rate %.6g Mbit/s limit %" PRIu32
			 " seed %" PRIu64, (double)c->rate_bps / 1e6, c->limit, c->seed);
	else
		snprintf(buf + n, size - (size_t)n, " ms limit %" PRIu32 " seed %" PRIu64,
			 c->limit, c->seed);
}
