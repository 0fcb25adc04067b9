/* SPDX-License-Identifier: MIT
 *
 * fuzz_slirp_api.c - libFuzzer target for the JSON request handler of
 * "vmwire slirp4netns --api-socket" (src/control/slirp_api.h).
 *
 * Theory of operation: the input, cut at NUL bytes, is a sequence of
 * requests to one API, so add_hostfwd, list_hostfwd and remove_hostfwd
 * meet each other's state. The rules go to a fake gateway that refuses a
 * host port divisible by 7 (a port already bound) and a removal of a port
 * divisible by 11, and counts what it holds. Invariants: every reply is
 * one NUL-terminated line inside SLIRP_API_REPLY_MAX, parses as a JSON
 * object whose only member is "return", "error" or "entries"; an error
 * starts "bad request: "; the API lists exactly the rules the gateway
 * holds, in increasing id order, and never more than SLIRP_API_FWD_MAX.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/slirp_api.h"
#include "core/log.h"

#include "fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned held;

static unsigned spec_port(const char *spec)
{
	const char *p = strchr(spec, ':');

	p = p ? strchr(p + 1, ':') : NULL;
	CHECK(p);
	return (unsigned)strtoul(p + 1, NULL, 10);
}

static int fake_add(void *ctx, const char *spec, char *err, size_t errlen)
{
	CHECK(!strncmp(spec, "tcp:", 4) || !strncmp(spec, "udp:", 4));
	CHECK(strchr(spec, '-'));
	if (spec_port(spec) % 7 == 0) {
		snprintf(err, errlen, "in use");
		return -1;
	}
	held++;
	return 0;
}

static int fake_remove(void *ctx, const char *spec, char *err, size_t errlen)
{
	CHECK(!strchr(spec, '-'));
	if (spec_port(spec) % 11 == 0) {
		snprintf(err, errlen, "refused");
		return -1;
	}
	CHECK(held > 0);
	held--;
	return 0;
}

static const struct slirp_api_ops ops = { .add = fake_add, .remove = fake_remove };

static void check_reply(const struct slirp_api *api, const char *out, size_t n)
{
	struct json_object *jo, *v;
	const char *key = NULL;

	CHECK(n < SLIRP_API_REPLY_MAX && strlen(out) == n && !strchr(out, '\n'));
	jo = json_tokener_parse(out);
	CHECK(jo && json_object_is_type(jo, json_type_object));
	CHECK(json_object_object_length(jo) == 1);
	json_object_object_foreach(jo, k, val) {
		key = k;
		v = val;
	}
	CHECK(key);
	if (!strcmp(key, "error")) {
		struct json_object *d;

		CHECK(json_object_object_get_ex(v, "desc", &d));
		CHECK(!strncmp(json_object_get_string(d), "bad request: ", 13));
	} else if (!strcmp(key, "entries")) {
		CHECK(json_object_is_type(v, json_type_array));
		CHECK(json_object_array_length(v) == api->n_fwd);
	} else {
		CHECK(!strcmp(key, "return"));
	}
	json_object_put(jo);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct slirp_api api;
	static char out[SLIRP_API_REPLY_MAX];
	const char *p = (const char *)data, *end = p + size;

	/* Every accepted rule logs a line: noise, and a slow fuzzer. */
	log_set_level(LOG_LVL_ERR);
	held = 0;
	slirp_api_init(&api, &ops, NULL, 0x0a000264);
	while (p <= end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);
		size_t n = slirp_api_handle(&api, p, len, out, sizeof(out));

		check_reply(&api, out, n);
		CHECK(api.n_fwd <= SLIRP_API_FWD_MAX && api.n_fwd == held);
		for (unsigned i = 1; i < api.n_fwd; i++)
			CHECK(api.fwd[i - 1].id < api.fwd[i].id);
		p += len + 1;
	}
	return 0;
}
