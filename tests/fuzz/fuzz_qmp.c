/* SPDX-License-Identifier: MIT
 *
 * fuzz_qmp.c - libFuzzer target for the QMP entry point (control/qmp.c):
 * every byte a QMP client sends goes through qmp_session_input().
 *
 * Theory of operation: one detached QMP context over an empty runtime (no
 * loop, no networks: netdev_add parses and checks, never starts), one
 * session, negotiated first unless byte 0 says not. The rest of the input
 * is fed in pieces whose sizes come from the input itself, so requests
 * split across reads and pipelined in one are both exercised, and every
 * so often the throttle says "full" so held requests resume later.
 *
 * Beyond "no crash, no leak": every message the session emits is one JSON
 * object ending in CR LF that json-c parses back, and no request is
 * answered after the session reported that it must close.
 */
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control/qmp.h"
#include "control/runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_sink {
	bool full;
	bool closed;
};

static bool fuzz_out(void *ctx, const char *msg, size_t len, bool event)
{
	struct fuzz_sink *s = ctx;
	struct json_object *o;

	if (s->closed || len < 2 || memcmp(msg + len - 2, "\r\n", 2))
		abort();
	{
		char *copy = strndup(msg, len - 2);

		if (!copy)
			abort();
		o = json_tokener_parse(copy);
		free(copy);
	}
	if (!o || !json_object_is_type(o, json_type_object))
		abort();
	json_object_put(o);
	return true;
}

static bool fuzz_can_run(void *ctx)
{
	return !((struct fuzz_sink *)ctx)->full;
}

static const struct qmp_session_io fuzz_io = { fuzz_out, fuzz_can_run };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char nego[] = "{\"execute\":\"qmp_capabilities\"}";
	struct runtime rt;
	struct fuzz_sink sink = { false, false };
	struct qmp_session *s;
	struct qmp *q;
	size_t off = 1;

	if (!size)
		return 0;
	memset(&rt, 0, sizeof(rt));
	q = qmp_new_detached(&rt);
	if (!q)
		return 0;
	s = qmp_session_new(q, &fuzz_io, &sink);
	if (!s) {
		qmp_free(q);
		return 0;
	}
	if (!(data[0] & 1))
		qmp_session_input(s, nego, sizeof(nego) - 1);
	while (off < size && !sink.closed) {
		size_t n = 1 + (data[off - 1] % 97), room = qmp_session_room(s);

		if (n > size - off)
			n = size - off;
		if (n > room)
			n = room;
		sink.full = (data[off - 1] & 0xe0) == 0xe0;
		if (!n) { /* held input: let it run */
			sink.full = false;
			if (!qmp_session_resume(s))
				sink.closed = true;
			continue;
		}
		if (!qmp_session_input(s, (const char *)data + off, n))
			sink.closed = true;
		off += n;
	}
	sink.full = false;
	if (!sink.closed)
		qmp_session_resume(s);
	qmp_session_free(s);
	qmp_free(q);
	return 0;
}
