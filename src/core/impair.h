/* SPDX-License-Identifier: MIT
 *
 * impair.h - a lossy, slow, jittery wire in one direction of a port
 * (the impair-* keys of every netdev): loss, duplication, reordering,
 * delay with jitter and a rate limit, from a seeded generator so a run
 * repeats exactly. See impair.c for the theory of operation.
 */
#ifndef VMWIRE_CORE_IMPAIR_H
#define VMWIRE_CORE_IMPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ev_loop;

/* A probability is a fraction of 2^32: IMPAIR_P_ONE is "always". */
#define IMPAIR_P_ONE (1ull << 32)
#define IMPAIR_REORDER_MAX (IMPAIR_P_ONE / 2) /* 50%: see impair.c */
#define IMPAIR_DELAY_MAX_MS 60000u
#define IMPAIR_LIMIT_DEFAULT 1000u
#define IMPAIR_LIMIT_MAX 65536u
#define IMPAIR_SEED_DEFAULT 1u
#define IMPAIR_RATE_MIN_BPS 8000ull /* 0.008 Mbit/s: a frame a second or so */
#define IMPAIR_RATE_MAX_BPS 1000000000000ull /* 1 Tbit/s */
/* A frame held back for reordering waits at most this long for the next
 * one to overtake it. */
#define IMPAIR_HOLD_MS 10u

struct impair_cfg {
	uint64_t loss, dup, reorder; /* fractions of IMPAIR_P_ONE */
	uint32_t delay_ms, jitter_ms;
	uint64_t rate_bps;           /* 0: no limit */
	uint32_t limit;              /* frames the delay queue holds */
	uint64_t seed;
	bool in, out;                /* directions impaired (port's rx, tx) */
};

struct impair_stats {
	uint64_t frames;      /* pushed into the link */
	uint64_t delivered;   /* handed on, duplicates included */
	uint64_t lost;        /* dropped by loss= */
	uint64_t duplicated;  /* extra copies made */
	uint64_t reordered;   /* held back behind a later frame */
	uint64_t queue_drops; /* the delay queue was full */
	uint64_t queued_peak; /* most frames waiting at once */
};

/* What a link hands its frames to, and tells when its queue drained (the
 * port's back-pressure). drained may be NULL. */
struct impair_ops {
	void (*deliver)(void *ctx, const uint8_t *frame, size_t len);
	void (*drained)(void *ctx);
};

struct impair_link;

/* Does the configuration impair anything at all? */
bool impair_cfg_active(const struct impair_cfg *cfg);
/* Does it need the delay queue (delay, jitter or rate)? */
bool impair_cfg_queues(const struct impair_cfg *cfg);
/* Defaults: nothing impaired, limit and seed at their defaults. */
void impair_cfg_init(struct impair_cfg *cfg);

/* Value parsers for the keys: 0, or -1 on a malformed or out of range
 * value (the caller names the key). */
int impair_parse_percent(const char *s, uint64_t max, uint64_t *p); /* "3", "0.5%" */
int impair_parse_delay(const char *s, uint32_t *ms, uint32_t *jitter_ms); /* "20", "20/5" */
int impair_parse_rate(const char *s, uint64_t *bps);                /* Mbit/s: "100", "0.5" */

/* One link, its queue allocated here once (limit frames, limit * 2 KiB of
 * frame bytes); NULL on allocation failure. stream mixes the direction
 * into the seed so a port's two links draw different numbers. */
struct impair_link *impair_link_new(const struct impair_cfg *cfg, unsigned stream,
				    struct ev_loop *loop, const struct impair_ops *ops,
				    void *ctx);
void impair_link_free(struct impair_link *l);

/* One frame onto the wire (copied if it has to wait). */
void impair_link_push(struct impair_link *l, const uint8_t *frame, size_t len);
/* Bytes of frames (PORT_TX_OVERHEAD each) the queue takes now; SIZE_MAX
 * for a link without a queue. */
size_t impair_link_room(const struct impair_link *l);
/* Frame bytes waiting. */
size_t impair_link_queued(const struct impair_link *l);
/* Frames waiting, and the queue's limit. */
unsigned impair_link_count(const struct impair_link *l);
const struct impair_stats *impair_link_stats(const struct impair_link *l);
const struct impair_cfg *impair_link_cfg(const struct impair_link *l);
/* "loss 3% dup 1% reorder 10% delay 20/5 ms rate 100 Mbit/s seed 1" */
void impair_cfg_describe(const struct impair_cfg *cfg, char *buf, size_t size);

#endif
