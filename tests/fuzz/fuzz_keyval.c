/* SPDX-License-Identifier: MIT
 *
 * fuzz_keyval.c - libFuzzer target for QEMU's "type,key=value" option
 * syntax (src/config/keyval.h).
 *
 * Theory of operation: byte 0 picks the implied key ("type" or none), the
 * rest, cut at the first NUL, is the option text. When kv_parse() accepts
 * it, the list must be sane (at most KV_MAX items, non-empty keys without
 * '=', values never NULL) and must survive a round trip: written back with
 * "key=value" elements and ",," for commas, it parses to the same keys and
 * values. Then every typed getter runs on every key, as the netdev parsers
 * would, and every error message must be one NUL-terminated line inside
 * KV_ERR_MAX. kv_free() must release everything (LeakSanitizer), on the
 * error paths as well.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/keyval.h"

#include "fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(const char *err)
{
	CHECK(memchr(err, '\0', KV_ERR_MAX));
	CHECK(*err);
}

/* Append s with ',' doubled; returns the new end. */
static char *escape(char *out, const char *s)
{
	for (; *s; s++) {
		*out++ = *s;
		if (*s == ',')
			*out++ = ',';
	}
	return out;
}

static void roundtrip(const struct kvlist *kv, size_t textlen)
{
	struct kvlist again;
	char err[KV_ERR_MAX], *text, *p;
	unsigned i;

	/* Each byte at most doubles; "key=" per item, commas between. */
	text = malloc(2 * textlen + kv->n * 16 + 16);
	if (!text)
		abort();
	p = text;
	for (i = 0; i < kv->n; i++) {
		if (i)
			*p++ = ',';
		p = escape(p, kv->items[i].key);
		*p++ = '=';
		p = escape(p, kv->items[i].value);
	}
	*p = '\0';
	CHECK(kv_parse(&again, "-fuzz", text, NULL, err, sizeof(err)) == 0);
	CHECK(again.n == kv->n);
	for (i = 0; i < kv->n; i++) {
		CHECK(!strcmp(again.items[i].key, kv->items[i].key));
		CHECK(!strcmp(again.items[i].value, kv->items[i].value));
	}
	kv_free(&again);
	free(text);
}

static void getters(struct kvlist *kv)
{
	char err[KV_ERR_MAX];
	unsigned i, it;
	uint64_t u;
	bool b;
	const char *s;
	int r;

	for (i = 0; i < kv->n; i++) {
		const char *key = kv->items[i].key, *v;

		CHECK(key && *key && !strchr(key, '=') && kv->items[i].value);
		CHECK(kv_has(kv, key));
		r = kv_get_bool(kv, key, &b, err, sizeof(err));
		CHECK(r == 1 || r == -1);
		if (r < 0)
			check_err(err);
		r = kv_get_uint(kv, key, 1, 65535, &u, err, sizeof(err));
		CHECK(r == -1 || (r == 1 && u >= 1 && u <= 65535));
		if (r < 0)
			check_err(err);
		r = kv_get_uint(kv, key, 0, UINT64_MAX, &u, err, sizeof(err));
		CHECK(r == 1 || r == -1);
		if (r < 0)
			check_err(err);
		r = kv_get_str(kv, key, 8, &s, err, sizeof(err));
		CHECK(r == -1 || (r == 1 && strlen(s) <= 8));
		if (r < 0)
			check_err(err);
		it = 0;
		while ((v = kv_next(kv, key, &it)))
			CHECK(it <= kv->n);
		CHECK(kv_get(kv, key));
	}
	CHECK(kv_check_unused(kv, "fuzz", err, sizeof(err)) == 0);
	/* A key nobody has: reported as unknown, once marked unused. */
	if (kv->n) {
		kv->items[kv->n - 1].used = false;
		CHECK(kv_check_unused(kv, "fuzz", err, sizeof(err)) == -1);
		check_err(err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvlist kv;
	char err[KV_ERR_MAX], *text;
	const char *implied;
	size_t len;

	if (size < 1)
		return 0;
	implied = data[0] & 1 ? "type" : NULL;
	len = strnlen((const char *)data + 1, size - 1);
	text = malloc(len + 1);
	if (!text)
		abort();
	memcpy(text, data + 1, len);
	text[len] = '\0';
	memset(err, 0, sizeof(err));
	if (kv_parse(&kv, "-netdev", text, implied, err, sizeof(err))) {
		check_err(err);
		kv_free(&kv); /* documented as safe after a failure */
	} else {
		CHECK(kv.n <= KV_MAX);
		roundtrip(&kv, len);
		getters(&kv);
		kv_free(&kv);
	}
	free(text);
	return 0;
}
