/* SPDX-License-Identifier: MIT
 *
 * stream_framing.c - the length-prefix deframer, see stream_framing.h.
 *
 * Invariant: buf[head..tail) holds received but unconsumed bytes, which
 * never include a complete frame once deframer_next() returned
 * DEFRAME_MORE. Compaction moves that partial frame to offset 0 only when
 * the room left after it could not hold the rest of the frame, or is too
 * small to make a recv() worthwhile, so large bursts are parsed in place.
 */
#include "ports/stream_framing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Below this much free room a recv() isn't worth it: compact first. */
#define DEFRAMER_MIN_ROOM 16384

int deframer_init(struct deframer *d)
{
	memset(d, 0, sizeof(*d));
	d->buf = malloc(DEFRAMER_BUF_SIZE);
	if (!d->buf)
		return -1;
	d->cap = DEFRAMER_BUF_SIZE;
	return 0;
}

void deframer_free(struct deframer *d)
{
	free(d->buf);
	memset(d, 0, sizeof(*d));
}

void deframer_reset(struct deframer *d)
{
	d->head = d->tail = 0;
	d->error = false;
	d->bad_len = 0;
}

static void compact(struct deframer *d)
{
	size_t n = d->tail - d->head;

	if (!d->head)
		return;
	memmove(d->buf, d->buf + d->head, n);
	d->head = 0;
	d->tail = n;
}

uint8_t *deframer_space(struct deframer *d, size_t *room)
{
	if (d->error) {
		*room = 0;
		return d->buf;
	}
	if (d->cap - d->tail < DEFRAMER_MIN_ROOM)
		compact(d);
	*room = d->cap - d->tail;
	return d->buf + d->tail;
}

void deframer_commit(struct deframer *d, size_t n)
{
	if (n > d->cap - d->tail) /* caller bug; never read past the buffer */
		n = d->cap - d->tail;
	d->tail += n;
}

enum deframe_status deframer_next(struct deframer *d, const uint8_t **frame, size_t *len)
{
	size_t avail = d->tail - d->head;
	uint32_t flen;

	if (d->error)
		return DEFRAME_ERROR;
	if (avail < STREAM_HDR_LEN) {
		if (!avail)
			d->head = d->tail = 0; /* cheap reset at a boundary */
		return DEFRAME_MORE;
	}
	flen = rd32be(d->buf + d->head);
	if (flen < FRAME_MIN || flen > FRAME_MAX) {
		d->error = true;
		d->bad_len = flen;
		return DEFRAME_ERROR;
	}
	if (avail < STREAM_HDR_LEN + (size_t)flen) {
		/* Make sure the whole frame will fit behind head. */
		if (d->cap - d->head < STREAM_HDR_LEN + (size_t)flen)
			compact(d);
		return DEFRAME_MORE;
	}
	*frame = d->buf + d->head + STREAM_HDR_LEN;
	*len = flen;
	d->head += STREAM_HDR_LEN + flen;
	return DEFRAME_FRAME;
}

long deframer_feed(struct deframer *d, const uint8_t *data, size_t len, deframe_fn fn, void *ctx)
{
	long frames = 0;

	for (;;) {
		enum deframe_status st;
		const uint8_t *f;
		size_t flen, room;
		uint8_t *dst;

		while ((st = deframer_next(d, &f, &flen)) == DEFRAME_FRAME) {
			fn(ctx, f, flen);
			frames++;
		}
		if (st == DEFRAME_ERROR)
			return -1;
		if (!len)
			return frames;
		dst = deframer_space(d, &room);
		if (room > len)
			room = len;
		memcpy(dst, data, room);
		deframer_commit(d, room);
		data += room;
		len -= room;
	}
}

void deframer_strerror(const struct deframer *d, char *buf, size_t size)
{
	if (!d->error)
		snprintf(buf, size, "no error");
	else
		snprintf(buf, size, "bad frame length %u (allowed %u..%u)", (unsigned)d->bad_len,
			 (unsigned)FRAME_MIN, (unsigned)FRAME_MAX);
}
