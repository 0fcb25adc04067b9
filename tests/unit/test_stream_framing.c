/* SPDX-License-Identifier: MIT
 *
 * test_stream_framing.c - the QEMU stream deframer: frames come out intact
 * however the bytes are split, and every length outside 14..FRAME_MAX puts
 * it in a sticky error naming the length, after delivering what preceded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ports/stream_framing.h"

#define MAX_FRAMES 512

struct sink {
	unsigned n;
	size_t len[MAX_FRAMES];
	uint32_t sum[MAX_FRAMES];
};

static uint32_t checksum(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void collect(void *ctx, const uint8_t *frame, size_t len)
{
	struct sink *s = ctx;

	assert_true(s->n < MAX_FRAMES);
	s->len[s->n] = len;
	s->sum[s->n] = checksum(frame, len);
	s->n++;
}

/* Deterministic pseudo-random numbers: failures must be reproducible. */
static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Append one framed frame of len bytes with content derived from seed. */
static size_t put_frame(uint8_t *out, size_t len, unsigned seed)
{
	size_t i;

	stream_hdr(out, len);
	for (i = 0; i < len; i++)
		out[STREAM_HDR_LEN + i] = (uint8_t)(seed * 31 + i * 7);
	return STREAM_HDR_LEN + len;
}

struct stream_buf {
	uint8_t *data;
	size_t len;
	unsigned nframes;
	size_t flen[MAX_FRAMES];
	uint32_t fsum[MAX_FRAMES];
};

/* Build a stream of n frames with lengths from lens (cycled). */
static void build(struct stream_buf *b, const size_t *lens, unsigned nlens, unsigned n)
{
	size_t total = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		total += STREAM_HDR_LEN + lens[i % nlens];
	b->data = malloc(total);
	assert_non_null(b->data);
	b->len = 0;
	b->nframes = n;
	for (i = 0; i < n; i++) {
		size_t l = lens[i % nlens];

		b->len += put_frame(b->data + b->len, l, i);
		b->flen[i] = l;
		b->fsum[i] = checksum(b->data + b->len - l, l);
	}
}

static void check_all(const struct stream_buf *b, const struct sink *s)
{
	unsigned i;

	assert_int_equal(s->n, b->nframes);
	for (i = 0; i < b->nframes; i++) {
		assert_int_equal(s->len[i], b->flen[i]);
		assert_int_equal(s->sum[i], b->fsum[i]);
	}
}

static const size_t mixed[] = { 60, 14, 1514, FRAME_MAX, 64, 9000, 15, 65535, 100 };

static void test_byte_by_byte(void **state)
{
	struct stream_buf b;
	struct deframer d;
	struct sink s = { 0 };
	size_t i;

	build(&b, mixed, 9, 9);
	assert_int_equal(deframer_init(&d), 0);
	for (i = 0; i < b.len; i++)
		assert_true(deframer_feed(&d, b.data + i, 1, collect, &s) >= 0);
	check_all(&b, &s);
	assert_int_equal(deframer_pending(&d), 0);
	deframer_free(&d);
	free(b.data);
}

static void test_random_chunks(void **state)
{
	struct stream_buf b;
	int round;

	build(&b, mixed, 9, 60);
	for (round = 0; round < 200; round++) {
		struct deframer d;
		struct sink s = { 0 };
		size_t off = 0;

		assert_int_equal(deframer_init(&d), 0);
		while (off < b.len) {
			/* mostly small, sometimes huge chunks */
			size_t n = rnd() % 4 ? rnd() % 3000 + 1 : rnd() % 300000 + 1;

			if (n > b.len - off)
				n = b.len - off;
			assert_true(deframer_feed(&d, b.data + off, n, collect, &s) >= 0);
			off += n;
		}
		check_all(&b, &s);
		deframer_free(&d);
	}
	free(b.data);
}

static void test_many_frames_one_chunk(void **state)
{
	static const size_t small[] = { 60 };
	struct stream_buf b;
	struct deframer d;
	struct sink s = { 0 };

	build(&b, small, 1, 500);
	assert_int_equal(deframer_init(&d), 0);
	assert_int_equal(deframer_feed(&d, b.data, b.len, collect, &s), 500);
	check_all(&b, &s);
	deframer_free(&d);
	free(b.data);
}

/* The recv() path: space/commit/next, with frames handed out in place. */
static void test_space_commit_in_place(void **state)
{
	static const size_t lens[] = { 1514, 60, FRAME_MAX };
	struct stream_buf b;
	struct deframer d;
	struct sink s = { 0 };
	size_t off = 0;

	build(&b, lens, 3, 30);
	assert_int_equal(deframer_init(&d), 0);
	while (off < b.len) {
		const uint8_t *f;
		size_t room, len, n;
		uint8_t *p = deframer_space(&d, &room);

		/* there is always room for the largest frame */
		assert_true(room >= STREAM_HDR_LEN + FRAME_MAX);
		n = rnd() % 100000 + 1;
		if (n > room)
			n = room;
		if (n > b.len - off)
			n = b.len - off;
		memcpy(p, b.data + off, n);
		deframer_commit(&d, n);
		off += n;
		while (deframer_next(&d, &f, &len) == DEFRAME_FRAME) {
			assert_true(f >= d.buf && f + len <= d.buf + d.cap);
			collect(&s, f, len);
		}
	}
	check_all(&b, &s);
	deframer_free(&d);
	free(b.data);
}

/* One good frame, then a frame header with length bad_len. */
static void expect_bad(uint32_t bad_len, const char *msg)
{
	uint8_t buf[64 + STREAM_HDR_LEN * 2];
	struct deframer d;
	struct sink s = { 0 };
	char why[128];
	size_t n = put_frame(buf, 60, 1);
	const uint8_t *f;
	size_t len;

	wr32be(buf + n, bad_len);
	n += STREAM_HDR_LEN;
	assert_int_equal(deframer_init(&d), 0);
	assert_int_equal(deframer_feed(&d, buf, n, collect, &s), -1);
	assert_int_equal(s.n, 1); /* the good frame before still arrived */
	assert_true(d.error);
	assert_int_equal(d.bad_len, bad_len);
	deframer_strerror(&d, why, sizeof(why));
	assert_string_equal(why, msg);
	/* sticky: nothing more comes out, no room is offered */
	assert_int_equal(deframer_next(&d, &f, &len), DEFRAME_ERROR);
	assert_int_equal(deframer_feed(&d, buf, 10, collect, &s), -1);
	assert_int_equal(s.n, 1);
	deframer_space(&d, &len);
	assert_int_equal(len, 0);
	/* reset makes it usable again */
	deframer_reset(&d);
	assert_int_equal(deframer_feed(&d, buf, STREAM_HDR_LEN + 60, collect, &s), 1);
	deframer_free(&d);
}

static void test_bad_lengths(void **state)
{
	expect_bad(0, "bad frame length 0 (allowed 14..65553)");
	expect_bad(13, "bad frame length 13 (allowed 14..65553)");
	expect_bad(FRAME_MAX + 1, "bad frame length 65554 (allowed 14..65553)");
	expect_bad(70000, "bad frame length 70000 (allowed 14..65553)");
	expect_bad(0xffffffffu, "bad frame length 4294967295 (allowed 14..65553)");
}

static void test_boundary_lengths_ok(void **state)
{
	static const size_t lens[] = { 14, FRAME_MAX, 14 };
	struct stream_buf b;
	struct deframer d;
	struct sink s = { 0 };

	build(&b, lens, 3, 3);
	assert_int_equal(deframer_init(&d), 0);
	assert_int_equal(deframer_feed(&d, b.data, b.len, collect, &s), 3);
	check_all(&b, &s);
	deframer_free(&d);
	free(b.data);
}

/* A bad length split across chunks is still caught, only once complete. */
static void test_bad_length_split(void **state)
{
	uint8_t hdr[4];
	struct deframer d;
	struct sink s = { 0 };

	wr32be(hdr, 70000);
	assert_int_equal(deframer_init(&d), 0);
	assert_int_equal(deframer_feed(&d, hdr, 3, collect, &s), 0);
	assert_false(d.error);
	assert_int_equal(deframer_feed(&d, hdr + 3, 1, collect, &s), -1);
	assert_int_equal(d.bad_len, 70000);
	deframer_free(&d);
}

/* A truncated stream: bytes stay pending, no frame is invented. */
static void test_partial_pending(void **state)
{
	uint8_t buf[STREAM_HDR_LEN + 100];
	struct deframer d;
	struct sink s = { 0 };

	put_frame(buf, 100, 3);
	assert_int_equal(deframer_init(&d), 0);
	assert_int_equal(deframer_feed(&d, buf, 50, collect, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(deframer_pending(&d), 50);
	assert_int_equal(deframer_feed(&d, buf + 50, sizeof(buf) - 50, collect, &s), 1);
	assert_int_equal(s.len[0], 100);
	assert_int_equal(deframer_pending(&d), 0);
	deframer_free(&d);
}

/* Garbage: random bytes never crash it and never yield a bad-sized frame. */
static void check_size(void *ctx, const uint8_t *frame, size_t len)
{
	(void)ctx;
	(void)frame;
	assert_true(len >= FRAME_MIN && len <= FRAME_MAX);
}

static void test_garbage(void **state)
{
	static uint8_t junk[200000];
	int round;
	size_t i;

	for (round = 0; round < 50; round++) {
		struct deframer d;
		size_t off = 0;

		for (i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)rnd();
		assert_int_equal(deframer_init(&d), 0);
		while (off < sizeof(junk)) {
			size_t n = rnd() % 70000 + 1;

			if (n > sizeof(junk) - off)
				n = sizeof(junk) - off;
			if (deframer_feed(&d, junk + off, n, check_size, NULL) < 0)
				break;
			off += n;
		}
		/* random 32-bit lengths are almost surely out of range */
		assert_true(d.error);
		deframer_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_byte_by_byte),
		cmocka_unit_test(test_random_chunks),
		cmocka_unit_test(test_many_frames_one_chunk),
		cmocka_unit_test(test_space_commit_in_place),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_boundary_lengths_ok),
		cmocka_unit_test(test_bad_length_split),
		cmocka_unit_test(test_partial_pending),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
