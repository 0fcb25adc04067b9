/* SPDX-License-Identifier: MIT
 *
 * test_slirp_api.c - the request handler of "vmwire slirp4netns
 * --api-socket" without a socket or a gateway: what reaches the gateway
 * (the hostfwd specs handed to the callbacks), ids and their order, the
 * empty list, a full table, limits and malformed JSON, each answered with
 * slirp4netns 1.2's exact bytes. tests/integration/slirp4netns_api.sh
 * compares the same replies with the real slirp4netns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "control/slirp_api.h"

static char last_add[128], last_remove[128];
static bool refuse;

static int fake_add(void *ctx, const char *spec, char *err, size_t errlen)
{
	snprintf(last_add, sizeof(last_add), "%s", spec);
	if (refuse) {
		snprintf(err, errlen, "refused");
		return -1;
	}
	return 0;
}

static int fake_remove(void *ctx, const char *spec, char *err, size_t errlen)
{
	snprintf(last_remove, sizeof(last_remove), "%s", spec);
	return 0;
}

static const struct slirp_api_ops ops = { .add = fake_add, .remove = fake_remove };
static struct slirp_api api;
static char out[SLIRP_API_REPLY_MAX];

static const char *ask(const char *req)
{
	size_t n = slirp_api_handle(&api, req, strlen(req), out, sizeof(out));

	assert_int_equal(n, strlen(out));
	return out;
}

static int setup(void **state)
{
	slirp_api_init(&api, &ops, NULL, 0x0a000264); /* 10.0.2.100 */
	refuse = false;
	last_add[0] = last_remove[0] = '\0';
	return 0;
}

#define ADD(args) "{\"execute\":\"add_hostfwd\",\"arguments\":{" args "}}"

static void test_add_list_remove(void **state)
{
	assert_string_equal(ask("{\"execute\":\"list_hostfwd\"}"), "{\"entries\":[]}");
	assert_string_equal(ask(ADD("\"proto\":\"tcp\",\"host_port\":8080,\"guest_port\":80")),
			    "{\"return\":{\"id\":1}}");
	assert_string_equal(last_add, "tcp:0.0.0.0:8080-10.0.2.100:80");
	assert_string_equal(ask(ADD("\"proto\":\"udp\",\"host_addr\":\"127.0.0.1\",\"host_port\":"
				    "53.0,\"guest_addr\":\"10.0.2.5\",\"guest_port\":5353")),
			    "{\"return\":{\"id\":2}}");
	assert_string_equal(last_add, "udp:127.0.0.1:53-10.0.2.5:5353");
	assert_string_equal(ask("{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":1}}"),
			    "{\"return\":{}}");
	assert_string_equal(last_remove, "tcp:0.0.0.0:8080");
	assert_string_equal(ask(ADD("\"proto\":\"tcp\",\"host_port\":1,\"guest_port\":2")),
			    "{\"return\":{\"id\":3}}"); /* ids are never reused */
	assert_string_equal(ask(" {\"execute\" : \"list_hostfwd\"}\n"),
			    "{\"entries\":[{\"id\":2,\"proto\":\"udp\",\"host_addr\":\"127.0.0.1\","
			    "\"host_port\":53,\"guest_addr\":\"10.0.2.5\",\"guest_port\":5353},"
			    "{\"id\":3,\"proto\":\"tcp\",\"host_addr\":\"0.0.0.0\",\"host_port\":1,"
			    "\"guest_addr\":\"10.0.2.100\",\"guest_port\":2}]}");
	assert_string_equal(ask("{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":1}}"),
			    "{\"error\":{\"desc\":\"bad request: remove_hostfwd: bad arguments.id\"}}");
}

static void test_bad_arguments(void **state)
{
	static const struct { const char *req, *what; } cases[] = {
		{ "{\"execute\":\"add_hostfwd\"}", "proto" },
		{ ADD("\"proto\":\"sctp\",\"host_port\":1,\"guest_port\":2"), "proto" },
		{ ADD("\"proto\":1,\"host_port\":1,\"guest_port\":2"), "proto" },
		{ ADD("\"proto\":\"tcp\",\"host_addr\":\"::1\",\"host_port\":1,\"guest_port\":2"),
		  "host_addr" },
		{ ADD("\"proto\":\"tcp\",\"host_port\":65536,\"guest_port\":2"), "host_port" },
		{ ADD("\"proto\":\"tcp\",\"host_port\":80.5,\"guest_port\":2"), "host_port" },
		{ ADD("\"proto\":\"tcp\",\"host_port\":\"80\",\"guest_port\":2"), "host_port" },
		{ ADD("\"proto\":\"tcp\",\"host_port\":-1,\"guest_port\":2"), "host_port" },
		{ ADD("\"proto\":\"tcp\",\"host_port\":1,\"guest_addr\":\"10.0.2\",\"guest_port\":2"),
		  "guest_addr" },
		{ ADD("\"proto\":\"tcp\",\"host_port\":1,\"guest_port\":0"), "guest_port" },
		{ ADD("\"proto\":\"tcp\",\"host_port\":1,\"guest_port\":1e300"), "guest_port" },
	};
	char want[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want),
			 "{\"error\":{\"desc\":\"bad request: add_hostfwd: bad arguments.%s\"}}",
			 cases[i].what);
		assert_string_equal(ask(cases[i].req), want);
	}
	assert_string_equal(last_add, ""); /* none reached the gateway */
	assert_int_equal(api.n_fwd, 0);
}

static void test_refused_and_full(void **state)
{
	char req[128];

	refuse = true;
	assert_string_equal(ask(ADD("\"proto\":\"tcp\",\"host_port\":1,\"guest_port\":2")),
			    "{\"error\":{\"desc\":\"bad request: add_hostfwd: slirp_add_hostfwd failed\"}}");
	refuse = false;
	for (int i = 0; i < SLIRP_API_FWD_MAX; i++) {
		snprintf(req, sizeof(req), ADD("\"proto\":\"tcp\",\"host_port\":%d,\"guest_port\":2"),
			 1000 + i);
		assert_non_null(strstr(ask(req), "\"return\""));
	}
	last_add[0] = '\0';
	assert_string_equal(ask(ADD("\"proto\":\"tcp\",\"host_port\":1,\"guest_port\":2")),
			    "{\"error\":{\"desc\":\"bad request: add_hostfwd: slirp_add_hostfwd failed\"}}");
	assert_string_equal(last_add, ""); /* refused before the gateway */
	assert_true(strlen(ask("{\"execute\":\"list_hostfwd\"}")) < SLIRP_API_REPLY_MAX);
}

static void test_malformed(void **state)
{
	static char big[SLIRP_API_REQ_MAX + 1];

	assert_string_equal(ask("garbage"), "{\"error\":{\"desc\":\"bad request: cannot parse JSON\"}}");
	assert_string_equal(ask(""), "{\"error\":{\"desc\":\"bad request: cannot parse JSON\"}}");
	assert_string_equal(ask("{\"execute\":\"list_hostfwd\"} x"),
			    "{\"error\":{\"desc\":\"bad request: cannot parse JSON\"}}");
	assert_string_equal(ask("{'execute':'list_hostfwd'}"),
			    "{\"error\":{\"desc\":\"bad request: cannot parse JSON\"}}");
	assert_string_equal(ask("{\"execute\":\"list_hostfwd\""),
			    "{\"error\":{\"desc\":\"bad request: cannot parse JSON\"}}");
	assert_string_equal(ask("42"), "{\"error\":{\"desc\":\"bad request: json_object() failed\"}}");
	assert_string_equal(ask("[]"), "{\"error\":{\"desc\":\"bad request: json_object() failed\"}}");
	assert_string_equal(ask("{}"), "{\"error\":{\"desc\":\"bad request: no execute found\"}}");
	assert_string_equal(ask("{\"execute\":[1]}"),
			    "{\"error\":{\"desc\":\"bad request: no execute found\"}}");
	assert_string_equal(ask("{\"execute\":\"get_info\"}"),
			    "{\"error\":{\"desc\":\"bad request: unknown execute\"}}");
	memset(big, ' ', sizeof(big) - 1);
	assert_string_equal(ask(big), "{\"error\":{\"desc\":\"bad request: too large message\"}}");
	/* A NUL ends the request, as for slirp4netns's C string. */
	assert_string_equal(out, "{\"error\":{\"desc\":\"bad request: too large message\"}}");
	{
		const char req[] = "{\"execute\":\"list_hostfwd\"}\0garbage";

		slirp_api_handle(&api, req, sizeof(req) - 1, out, sizeof(out));
		assert_string_equal(out, "{\"entries\":[]}");
	}
	/* A reply never overruns a short buffer. */
	assert_int_equal(slirp_api_handle(&api, "{}", 2, out, 8), 7);
	assert_int_equal(strlen(out), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_add_list_remove, setup),
		cmocka_unit_test_setup(test_bad_arguments, setup),
		cmocka_unit_test_setup(test_refused_and_full, setup),
		cmocka_unit_test_setup(test_malformed, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
