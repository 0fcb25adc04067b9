/* SPDX-License-Identifier: MIT
 *
 * fuzz_stream_deframer.c - libFuzzer target for the -netdev stream deframer.
 *
 * Theory of operation: the input is a control header and a byte stream, as
 * a hostile QEMU peer (or anything on the socket) would send it:
 *
 *   byte 0      bit 7: drive the recv()-style API (deframer_space/commit/
 *               next) instead of deframer_feed(); bits 4..6: k, prefix the
 *               stream with k synthetic frames of 16000 bytes, delivered
 *               with the first chunk; bits 0..3: number of chunk sizes
 *               that follow (0..15)
 *   2 bytes     per chunk size, big endian: how many stream bytes the next
 *               "recv()" returns; sizes repeat round robin, 0 means 1
 *   the rest    the stream
 *
 * A plain reference walk over the whole stream says which frames must come
 * out and whether the stream must end in error. The deframer, fed in those
 * arbitrary chunks, must yield exactly the same frames byte for byte, every
 * one of a legal length and inside its buffer, report the error (and the
 * offending length) iff the reference did, and keep exactly the unfinished
 * tail pending.
 *
 * The prefix exists because fuzz inputs are small: without it the buffer
 * never fills far enough to need compaction (moving the unfinished frame
 * to the front), the one place where the deframer moves memory around.
 * Fed in one piece with the first chunk, the synthetic frames leave the
 * read position up to 112 kB into the buffer while the input's first
 * frame is still unfinished.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"
#include "ports/stream_framing.h"

#include "fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PREFIX_FRAME 16000

struct expect {
	const uint8_t *stream; /* reference frames are slices of this */
	size_t len, off;       /* off: where the next expected frame's header is */
	long got;
	const struct deframer *d;
};

/* Every frame must be the next one of the reference walk. */
static void on_frame(void *ctx, const uint8_t *f, size_t flen)
{
	struct expect *e = ctx;
	uint32_t want;

	CHECK(flen >= FRAME_MIN && flen <= FRAME_MAX);
	CHECK(f >= e->d->buf && f + flen <= e->d->buf + e->d->cap);
	CHECK(e->off + STREAM_HDR_LEN <= e->len);
	want = rd32be(e->stream + e->off);
	CHECK(want == flen);
	CHECK(e->off + STREAM_HDR_LEN + flen <= e->len);
	CHECK(!memcmp(f, e->stream + e->off + STREAM_HDR_LEN, flen));
	e->off += STREAM_HDR_LEN + flen;
	e->got++;
}

/* Reference: frames end at *done; -1 if a bad length header is complete. */
static int reference(const uint8_t *s, size_t len, size_t *done, long *frames, uint32_t *bad)
{
	size_t off = 0;

	*frames = 0;
	while (len - off >= STREAM_HDR_LEN) {
		uint32_t l = rd32be(s + off);

		if (l < FRAME_MIN || l > FRAME_MAX) {
			*done = off;
			*bad = l;
			return -1;
		}
		if (len - off - STREAM_HDR_LEN < l)
			break;
		off += STREAM_HDR_LEN + l;
		(*frames)++;
	}
	*done = off;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct deframer d;
	uint16_t chunks[15];
	unsigned nchunks, i, k = 0;
	const uint8_t *s;
	uint8_t *owned = NULL;
	size_t len, pos = 0, done, prefix;
	long want_frames, rc = 0;
	uint32_t bad = 0;
	int want_rc;
	bool recv_api;
	struct expect e;

	if (size < 1)
		return 0;
	if (!d.buf && deframer_init(&d))
		abort();
	deframer_reset(&d);
	recv_api = data[0] & 0x80;
	nchunks = data[0] & 0x0f;
	if (size < 1 + 2 * (size_t)nchunks)
		return 0;
	for (i = 0; i < nchunks; i++)
		chunks[i] = rd16be(data + 1 + 2 * i);
	len = size - 1 - 2 * nchunks;
	prefix = (size_t)(data[0] >> 4 & 7) * (STREAM_HDR_LEN + PREFIX_FRAME);
	if (prefix) {
		uint8_t *p = malloc(prefix + len + 1);
		size_t off;

		if (!p)
			abort();
		for (off = 0; off < prefix; off += STREAM_HDR_LEN + PREFIX_FRAME) {
			stream_hdr(p + off, PREFIX_FRAME);
			memset(p + off + STREAM_HDR_LEN, (int)off, PREFIX_FRAME);
		}
		memcpy(p + prefix, data + 1 + 2 * nchunks, len);
		owned = p;
		s = p;
		len += prefix;
	} else {
		s = data + 1 + 2 * nchunks;
	}
	want_rc = reference(s, len, &done, &want_frames, &bad);
	e = (struct expect){ .stream = s, .len = len, .d = &d };

	while (pos < len && rc >= 0) {
		size_t n = len - pos;

		if (nchunks) {
			size_t c = chunks[k++ % nchunks];

			if (!c)
				c = 1;
			if (!pos)
				c += prefix; /* the prefix always comes with chunk one */
			if (c < n)
				n = c;
		}
		if (!recv_api) {
			rc = deframer_feed(&d, s + pos, n, on_frame, &e);
		} else {
			enum deframe_status st;
			const uint8_t *f;
			size_t room, flen;
			uint8_t *dst = deframer_space(&d, &room);

			if (d.error) {
				CHECK(room == 0);
				rc = -1;
				break;
			}
			/* Liveness: the unfinished frame can always be completed. */
			CHECK(room > 0);
			if (deframer_pending(&d) >= STREAM_HDR_LEN)
				CHECK(room >= STREAM_HDR_LEN + rd32be(d.buf + d.head) -
						      deframer_pending(&d));
			if (n > room)
				n = room;
			memcpy(dst, s + pos, n);
			deframer_commit(&d, n);
			while ((st = deframer_next(&d, &f, &flen)) == DEFRAME_FRAME)
				on_frame(&e, f, flen);
			if (st == DEFRAME_ERROR)
				rc = -1;
		}
		pos += n;
	}
	if (rc >= 0 && !recv_api)
		rc = deframer_feed(&d, NULL, 0, on_frame, &e); /* drain: no-op */
	CHECK(e.got == want_frames);
	CHECK(e.off == done);
	if (want_rc < 0) {
		char msg[128];

		CHECK(rc < 0 && d.error && d.bad_len == bad);
		deframer_strerror(&d, msg, sizeof(msg));
		CHECK(strstr(msg, "bad frame length"));
	} else {
		CHECK(rc >= 0 && !d.error);
		CHECK(deframer_pending(&d) == len - done);
	}
	free(owned);
	return 0;
}
