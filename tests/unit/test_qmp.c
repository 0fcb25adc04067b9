/* SPDX-License-Identifier: MIT
 *
 * test_qmp.c - the QMP protocol without a socket: the netdev_add
 * flattening (QAPI's Netdev object into the -netdev string), and sessions
 * driven byte by byte: greeting, negotiation, QEMU's error wording, ids,
 * requests split across reads or pipelined in one, syntax errors, size and
 * depth limits, and the throttle that holds requests while the client's
 * queue is full.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/qmp.h"
#include "control/qmp_netdev.h"
#include "control/runtime.h"

/* ---- qmp_netdev_spec ------------------------------------------------- */

static int spec_of(const char *json, char *out, size_t outlen, char *err)
{
	struct json_object *o = json_tokener_parse(json);
	int r;

	assert_non_null(o);
	r = qmp_netdev_spec(o, out, outlen, err, 256);
	json_object_put(o);
	return r;
}

static void test_spec_stream(void **state)
{
	char out[512], err[256];

	assert_int_equal(spec_of("{\"type\":\"stream\",\"id\":\"x\",\"server\":true,"
				 "\"addr\":{\"type\":\"unix\",\"path\":\"/tmp/a,b\"}}",
				 out, sizeof(out), err), 0);
	assert_string_equal(out, "stream,id=x,server=on,addr.type=unix,addr.path=/tmp/a,,b");
}

static void test_spec_lists_numbers(void **state)
{
	char out[512], err[256];

	assert_int_equal(spec_of("{\"id\":\"u\",\"type\":\"user\",\"hostfwd\":[{\"str\":"
				 "\"tcp::2222-:22\"},\"udp::53-:53\"],\"ipv4\":false,"
				 "\"max-leases\":16}", out, sizeof(out), err), 0);
	assert_string_equal(out, "user,id=u,hostfwd=tcp::2222-:22,hostfwd=udp::53-:53,"
				 "ipv4=off,max-leases=16");
}

static void test_spec_errors(void **state)
{
	char out[512], err[256];

	assert_int_equal(spec_of("{\"id\":\"x\"}", out, sizeof(out), err), -1);
	assert_string_equal(err, "Parameter 'type' is missing");
	assert_int_equal(spec_of("{\"type\":7}", out, sizeof(out), err), -1);
	assert_non_null(strstr(err, "'type'"));
	assert_int_equal(spec_of("{\"type\":\"stream\",\"a=b\":1}", out, sizeof(out), err), -1);
	assert_non_null(strstr(err, "'a=b'"));
	assert_int_equal(spec_of("{\"type\":\"stream\",\"x\":null}", out, sizeof(out), err), -1);
	assert_int_equal(spec_of("{\"type\":\"stream\",\"x\":1.5}", out, sizeof(out), err), -1);
	assert_int_equal(spec_of("{\"type\":\"stream\",\"x\":[[1]]}", out, sizeof(out), err), -1);
	assert_int_equal(spec_of("{\"type\":\"stream\",\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{"
				 "\"f\":1}}}}}}", out, sizeof(out), err), -1);
	assert_non_null(strstr(err, "nested too deeply"));
	/* A result that does not fit is an error, not a truncated spec. */
	assert_int_equal(spec_of("{\"type\":\"stream\",\"id\":\"0123456789\"}", out, 16, err),
			 -1);
	assert_non_null(strstr(err, "longer than"));
}

/* ---- sessions ---------------------------------------------------------- */

struct sink {
	char msgs[64][2048];
	unsigned n;
	bool full; /* can_run answers no */
};

static bool sink_out(void *ctx, const char *msg, size_t len, bool event)
{
	struct sink *s = ctx;

	assert_true(len >= 2 && !memcmp(msg + len - 2, "\r\n", 2));
	if (s->n < 64 && len < sizeof(s->msgs[0])) {
		memcpy(s->msgs[s->n], msg, len - 2);
		s->msgs[s->n][len - 2] = '\0';
		s->n++;
	}
	return true;
}

static bool sink_can_run(void *ctx)
{
	return !((struct sink *)ctx)->full;
}

static const struct qmp_session_io sink_io = { sink_out, sink_can_run };

struct fixture {
	struct runtime rt;
	struct qmp *q;
	struct qmp_session *s;
	struct sink sink;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->q = qmp_new_detached(&f->rt);
	f->s = qmp_session_new(f->q, &sink_io, &f->sink);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	qmp_session_free(f->s);
	qmp_free(f->q);
	free(f);
	return 0;
}

static bool feed(struct fixture *f, const char *text)
{
	return qmp_session_input(f->s, text, strlen(text));
}

static void test_greeting_and_negotiation(void **state)
{
	struct fixture *f = *state;

	qmp_session_greet(f->s);
	assert_int_equal(f->sink.n, 1);
	assert_non_null(strstr(f->sink.msgs[0], "{\"QMP\":{\"version\":{\"qemu\":"));
	assert_non_null(strstr(f->sink.msgs[0], "\"capabilities\":[]"));
	assert_true(feed(f, "{\"execute\":\"query-version\",\"id\":1}"));
	assert_string_equal(f->sink.msgs[1],
			    "{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"Expecting "
			    "capabilities negotiation with 'qmp_capabilities'\"},\"id\":1}");
	assert_true(feed(f, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":"
			    "[\"oob\"]}}"));
	assert_non_null(strstr(f->sink.msgs[2], "Capability 'oob' not available"));
	assert_true(feed(f, "{\"execute\":\"qmp_capabilities\"}"));
	assert_string_equal(f->sink.msgs[3], "{\"return\":{}}");
	assert_true(feed(f, "{\"execute\":\"qmp_capabilities\"}"));
	assert_non_null(strstr(f->sink.msgs[4], "already complete"));
	assert_true(feed(f, "{\"execute\":\"query-version\",\"id\":{\"a\":[1,\"x\"]}}"));
	assert_non_null(strstr(f->sink.msgs[5], "\"package\":\"vmwire "));
	assert_non_null(strstr(f->sink.msgs[5], "\"id\":{\"a\":[1,\"x\"]}"));
}

static void negotiate(struct fixture *f)
{
	assert_true(feed(f, "{\"execute\":\"qmp_capabilities\"}"));
	f->sink.n = 0;
}

static void test_dispatch_errors(void **state)
{
	struct fixture *f = *state;

	negotiate(f);
	assert_true(feed(f, "[1,2]"));
	assert_true(feed(f, "{\"id\":3}"));
	assert_true(feed(f, "{\"execute\":5}"));
	assert_true(feed(f, "{\"execute\":\"query-ports\",\"arguments\":[]}"));
	assert_true(feed(f, "{\"execute\":\"query-ports\",\"bogus\":1}"));
	assert_true(feed(f, "{\"execute\":\"no-such\"}"));
	assert_true(feed(f, "{\"execute\":\"query-ports\",\"arguments\":{\"x\":1}}"));
	assert_true(feed(f, "{\"execute\":\"netdev_del\"}"));
	assert_true(feed(f, "{\"execute\":\"netdev_del\",\"arguments\":{\"id\":7}}"));
	assert_true(feed(f, "{\"execute\":\"netdev_del\",\"arguments\":{\"id\":\"gone\"}}"));
	assert_true(feed(f, "{\"execute\":\"exec-oob\",\"exec-oob\":\"x\"}"));
	assert_int_equal(f->sink.n, 11);
	assert_non_null(strstr(f->sink.msgs[0], "QMP input must be a JSON object"));
	assert_non_null(strstr(f->sink.msgs[1], "QMP input lacks member 'execute'"));
	assert_non_null(strstr(f->sink.msgs[1], "\"id\":3"));
	assert_non_null(strstr(f->sink.msgs[2], "member 'execute' must be a string"));
	assert_non_null(strstr(f->sink.msgs[3], "member 'arguments' must be an object"));
	assert_non_null(strstr(f->sink.msgs[4], "QMP input member 'bogus' is unexpected"));
	assert_non_null(strstr(f->sink.msgs[5], "\"CommandNotFound\""));
	assert_non_null(strstr(f->sink.msgs[5], "The command no-such has not been found"));
	assert_non_null(strstr(f->sink.msgs[6], "Parameter 'x' is unexpected"));
	assert_non_null(strstr(f->sink.msgs[7], "Parameter 'id' is missing"));
	assert_non_null(strstr(f->sink.msgs[8], "Invalid parameter type for 'id'"));
	assert_non_null(strstr(f->sink.msgs[9], "\"DeviceNotFound\""));
	assert_non_null(strstr(f->sink.msgs[10], "exec-oob"));
}

static void test_framing(void **state)
{
	struct fixture *f = *state;
	const char *req = "{\"execute\":\"query-commands\",\"id\":\"split\"}";
	size_t i;

	negotiate(f);
	/* One byte at a time: nothing until the object closes. */
	for (i = 0; req[i]; i++) {
		assert_int_equal(f->sink.n, 0);
		assert_true(qmp_session_input(f->s, req + i, 1));
	}
	assert_int_equal(f->sink.n, 1);
	assert_non_null(strstr(f->sink.msgs[0], "{\"name\":\"netdev_add\"}"));
	assert_non_null(strstr(f->sink.msgs[0], "\"id\":\"split\""));
	/* Three in one read, whitespace between, answered in order. */
	assert_true(feed(f, " {\"execute\":\"query-ports\",\"id\":1}\r\n\t"
			    "{\"execute\":\"query-flows\",\"id\":2}{\"execute\":\"query-leases\","
			    "\"id\":3}\n"));
	assert_int_equal(f->sink.n, 4);
	assert_string_equal(f->sink.msgs[1], "{\"return\":[],\"id\":1}");
	assert_string_equal(f->sink.msgs[2], "{\"return\":[],\"id\":2}");
	assert_string_equal(f->sink.msgs[3], "{\"return\":[],\"id\":3}");
	/* A syntax error: one error, the session goes on. */
	assert_true(feed(f, "{\"execute\" ]]]] }}}}\n"));
	assert_int_equal(f->sink.n, 5);
	assert_non_null(strstr(f->sink.msgs[4], "JSON parse error"));
	assert_true(feed(f, "{\"execute\":\"query-ports\",\"id\":4}"));
	assert_string_equal(f->sink.msgs[5], "{\"return\":[],\"id\":4}");
}

static void test_limits(void **state)
{
	struct fixture *f = *state;
	char deep[64];
	size_t i, n = 0;
	bool alive = true;

	negotiate(f);
	/* Nesting past the tokener's depth is a parse error. */
	for (i = 0; i < 40; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	assert_true(feed(f, deep));
	assert_int_equal(f->sink.n, 1);
	assert_non_null(strstr(f->sink.msgs[0], "JSON parse error"));
	/* An endless string: the session is closed once it passes 64 KiB. */
	f->sink.n = 0;
	assert_true(feed(f, "{\"execute\":\""));
	for (i = 0; i < QMP_REQUEST_MAX / 1000 + 2 && alive; i++) {
		char chunk[1001];

		memset(chunk, 'a', 1000);
		chunk[1000] = '\0';
		alive = feed(f, chunk);
	}
	assert_false(alive);
	assert_int_equal(f->sink.n, 1);
	assert_non_null(strstr(f->sink.msgs[0], "longer than 65536 bytes"));
}

static void test_throttle(void **state)
{
	struct fixture *f = *state;

	negotiate(f);
	f->sink.full = true;
	assert_true(feed(f, "{\"execute\":\"query-ports\",\"id\":1}{\"execute\":\"query-ports\","
			    "\"id\":2}"));
	assert_int_equal(f->sink.n, 0);
	assert_true(qmp_session_pending(f->s));
	assert_true(qmp_session_room(f->s) < QMP_IN_MAX);
	f->sink.full = false;
	assert_true(qmp_session_resume(f->s));
	assert_int_equal(f->sink.n, 2);
	assert_false(qmp_session_pending(f->s));
}

static void test_netdev_add_parse_only(void **state)
{
	struct fixture *f = *state;

	/* Detached (no loop): parsed and checked like -netdev, never started. */
	negotiate(f);
	assert_true(feed(f, "{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"stream\","
			    "\"id\":\"x\",\"server\":true,\"addr\":{\"type\":\"unix\",\"path\":"
			    "\"/tmp/vmwire-test-qmp.sock\"}}}"));
	assert_true(feed(f, "{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"stream\","
			    "\"id\":\"x\",\"bogus\":1,\"addr\":{\"type\":\"unix\",\"path\":\"/tmp/y\"}}}"));
	assert_true(feed(f, "{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"nope\","
			    "\"id\":\"y\"}}"));
	assert_int_equal(f->sink.n, 3);
	assert_string_equal(f->sink.msgs[0], "{\"return\":{}}");
	assert_non_null(strstr(f->sink.msgs[1], "bogus"));
	assert_non_null(strstr(f->sink.msgs[2], "unknown type 'nope'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_stream),
		cmocka_unit_test(test_spec_lists_numbers),
		cmocka_unit_test(test_spec_errors),
		cmocka_unit_test_setup_teardown(test_greeting_and_negotiation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dispatch_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_framing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_throttle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_netdev_add_parse_only, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
