/* SPDX-License-Identifier: MIT
 *
 * stream_framing.h - QEMU "-netdev stream" framing: each Ethernet frame is
 * preceded by its length as a 4-byte big-endian integer, nothing else.
 *
 * Theory of operation: the deframer owns one receive buffer, allocated once
 * per connection. The reader recv()s straight into its free tail
 * (deframer_space()/deframer_commit()), then pulls complete frames out with
 * deframer_next(), which hands back pointers into the buffer: no copy for
 * the common case of many whole frames per recv(). Only the unfinished last
 * frame is moved to the front of the buffer, and only when it would not fit
 * otherwise. A length outside FRAME_MIN..FRAME_MAX can't be resynchronised
 * (there are no markers in the stream), so the deframer becomes sticky in
 * error and the owner drops the connection.
 *
 * deframer_feed() is the same state machine fed from an arbitrary chunk,
 * for unit tests, fuzzing and anyone whose bytes arrive elsewhere.
 *
 * This module does no I/O and no logging, so it can be tested in isolation.
 */
#ifndef VMWIRE_PORTS_STREAM_FRAMING_H
#define VMWIRE_PORTS_STREAM_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"

#define STREAM_HDR_LEN 4
/* Two maximum frames: a recv() always has room for at least FRAME_MAX. */
#define DEFRAMER_BUF_SIZE (2 * FRAME_BUF_SIZE)

enum deframe_status {
	DEFRAME_MORE = 0, /* need more bytes */
	DEFRAME_FRAME,    /* *frame, *len valid until the next call */
	DEFRAME_ERROR,    /* bad length; see bad_len; sticky */
};

struct deframer {
	uint8_t *buf;
	size_t cap;
	size_t head; /* start of the first unconsumed byte */
	size_t tail; /* end of received bytes */
	bool error;
	uint32_t bad_len; /* the offending length when error is set */
};

/* Allocate the buffer (DEFRAMER_BUF_SIZE). 0, or -1 if out of memory. */
int deframer_init(struct deframer *d);
void deframer_free(struct deframer *d);
void deframer_reset(struct deframer *d);

/* Where to recv() into, and how much room there is (never 0 unless in error). */
uint8_t *deframer_space(struct deframer *d, size_t *room);
void deframer_commit(struct deframer *d, size_t n);

/* Next complete frame, if any. */
enum deframe_status deframer_next(struct deframer *d, const uint8_t **frame, size_t *len);

/* Bytes of an unfinished frame (0 at a frame boundary). */
static inline size_t deframer_pending(const struct deframer *d) { return d->tail - d->head; }

/*
 * Feed an arbitrary chunk; fn is called for each complete frame. Returns the
 * number of frames delivered, or -1 once the stream is in error (frames
 * before the bad length were delivered).
 */
typedef void (*deframe_fn)(void *ctx, const uint8_t *frame, size_t len);
long deframer_feed(struct deframer *d, const uint8_t *data, size_t len, deframe_fn fn, void *ctx);

/* "bad frame length 70000 (allowed 14..65553)" */
void deframer_strerror(const struct deframer *d, char *buf, size_t size);

/* Write the 4-byte header for a frame of len bytes. */
static inline void stream_hdr(uint8_t hdr[STREAM_HDR_LEN], size_t len) { wr32be(hdr, (uint32_t)len); }

#endif
