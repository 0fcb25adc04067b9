/* SPDX-License-Identifier: MIT
 *
 * test_keyval.c - QEMU keyval syntax: escaping, implied key, bare keys,
 * malformed input, typed getters and unknown-key detection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config/keyval.h"

static char err[KV_ERR_MAX];

static void parse_ok(struct kvlist *kv, const char *text, const char *implied)
{
	err[0] = '\0';
	assert_int_equal(kv_parse(kv, "-netdev", text, implied, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

static void parse_fails(const char *text, const char *implied, const char *msg)
{
	struct kvlist kv;

	err[0] = '\0';
	assert_int_equal(kv_parse(&kv, "-netdev", text, implied, err, sizeof(err)), -1);
	if (!strstr(err, msg))
		fail_msg("'%s': error '%s' lacks '%s'", text, err, msg);
	/* kv_parse cleaned up; freeing again must be harmless. */
	assert_null(kv.buf);
	kv_free(&kv);
}

static void test_basic_and_implied(void **state)
{
	struct kvlist kv;

	parse_ok(&kv, "stream,id=n0,addr.type=unix", "type");
	assert_int_equal(kv.n, 3);
	assert_string_equal(kv.items[0].key, "type");
	assert_string_equal(kv.items[0].value, "stream");
	assert_string_equal(kv_get(&kv, "id"), "n0");
	assert_string_equal(kv_get(&kv, "addr.type"), "unix");
	assert_null(kv_get(&kv, "nope"));
	kv_free(&kv);

	/* The implied key only applies to a first element without '='. */
	parse_ok(&kv, "id=n0,type=tap", "type");
	assert_int_equal(kv.n, 2);
	assert_string_equal(kv_get(&kv, "type"), "tap");
	kv_free(&kv);

	/* Empty input: nothing at all. */
	parse_ok(&kv, "", "type");
	assert_int_equal(kv.n, 0);
	kv_free(&kv);
}

static void test_escaping(void **state)
{
	struct kvlist kv;

	parse_ok(&kv, "user,id=a,,b,hostfwd=tcp::22,,x,,,restrict=on", "type");
	assert_int_equal(kv.n, 4);
	assert_string_equal(kv_get(&kv, "id"), "a,b");
	assert_string_equal(kv_get(&kv, "hostfwd"), "tcp::22,x,");
	assert_string_equal(kv_get(&kv, "restrict"), "on");
	kv_free(&kv);

	/* '=' in a value is data; only the first one splits. */
	parse_ok(&kv, "a=b=c", NULL);
	assert_string_equal(kv_get(&kv, "a"), "b=c");
	kv_free(&kv);

	/* Escaped comma in the implied value. */
	parse_ok(&kv, "x,,y", "type");
	assert_int_equal(kv.n, 1);
	assert_string_equal(kv_get(&kv, "type"), "x,y");
	kv_free(&kv);
}

static void test_bare_key_and_empty_value(void **state)
{
	struct kvlist kv;
	bool b = false;

	parse_ok(&kv, "stream,server,id=x,path=", "type");
	assert_int_equal(kv.n, 4);
	assert_string_equal(kv_get(&kv, "server"), "on");
	assert_int_equal(kv_get_bool(&kv, "server", &b, err, sizeof(err)), 1);
	assert_true(b);
	assert_string_equal(kv_get(&kv, "path"), "");
	kv_free(&kv);

	/* Without an implied key the first bare element is a key too. */
	parse_ok(&kv, "server,id=x", NULL);
	assert_string_equal(kv_get(&kv, "server"), "on");
	kv_free(&kv);
}

static void test_malformed(void **state)
{
	char text[KV_MAX * 4 + 16];
	size_t off = 0;
	int i;

	parse_fails("stream,=x", "type", "empty key");
	parse_fails("stream,id=x,", "type", "trailing ','");
	parse_fails(",id=x", "type", "empty element");
	parse_fails(",", NULL, "empty element");
	for (i = 0; i <= KV_MAX; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%sk%d", i ? "," : "", i);
	parse_fails(text, NULL, "too many keys");
	/* Exactly KV_MAX is fine. */
	{
		struct kvlist kv;

		*strrchr(text, ',') = '\0';
		parse_ok(&kv, text, NULL);
		assert_int_equal(kv.n, KV_MAX);
		kv_free(&kv);
	}
	/* The option name leads the message. */
	parse_fails("stream,id=x,", "type", "-netdev: ");
}

static void test_repeated_and_iter(void **state)
{
	struct kvlist kv;
	unsigned it = 0;

	parse_ok(&kv, "x,fd=3,fd=4,fd=5", "type");
	assert_string_equal(kv_next(&kv, "fd", &it), "3");
	assert_string_equal(kv_next(&kv, "fd", &it), "4");
	assert_string_equal(kv_next(&kv, "fd", &it), "5");
	assert_null(kv_next(&kv, "fd", &it));
	assert_string_equal(kv_get(&kv, "fd"), "5");
	assert_true(kv_has(&kv, "fd"));
	assert_false(kv_has(&kv, "id"));
	kv_free(&kv);
}

static void test_bool(void **state)
{
	static const char *yes[] = { "on", "yes", "true", "y" }, *no[] = { "off", "no", "false", "n" };
	char text[64];
	struct kvlist kv;
	bool b;
	size_t i;

	for (i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), "k=%s,j=%s", yes[i], no[i]);
		parse_ok(&kv, text, NULL);
		b = false;
		assert_int_equal(kv_get_bool(&kv, "k", &b, err, sizeof(err)), 1);
		assert_true(b);
		assert_int_equal(kv_get_bool(&kv, "j", &b, err, sizeof(err)), 1);
		assert_false(b);
		kv_free(&kv);
	}
	parse_ok(&kv, "stream,k=maybe,e=", "type");
	b = true;
	assert_int_equal(kv_get_bool(&kv, "absent", &b, err, sizeof(err)), 0);
	assert_true(b);
	assert_int_equal(kv_get_bool(&kv, "k", &b, err, sizeof(err)), -1);
	assert_string_equal(err, "-netdev stream: 'k' expects on or off, not 'maybe'");
	assert_int_equal(kv_get_bool(&kv, "e", &b, err, sizeof(err)), -1);
	kv_free(&kv);
}

static void test_uint(void **state)
{
	static const struct {
		const char *v;
		int ret;
		uint64_t out;
	} cases[] = {
		{ "0", 1, 0 },		{ "42", 1, 42 },      { "0x10", 1, 16 },
		{ "010", 1, 8 },	{ "100", 1, 100 },    { "101", -1, 0 },
		{ "-1", -1, 0 },	{ " 5", -1, 0 },      { "+5", -1, 0 },
		{ " -1", -1, 0 },	{ "5x", -1, 0 },      { "", -1, 0 },
		{ "0x", -1, 0 },	{ "08", -1, 0 },
		{ "99999999999999999999999", -1, 0 },
	};
	char text[64];
	struct kvlist kv;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t out = 777;
		int r;

		snprintf(text, sizeof(text), "x,n=%s", cases[i].v);
		parse_ok(&kv, text, "type");
		r = kv_get_uint(&kv, "n", 0, 100, &out, err, sizeof(err));
		if (r != cases[i].ret)
			fail_msg("'%s': got %d, want %d", cases[i].v, r, cases[i].ret);
		if (r == 1)
			assert_int_equal(out, cases[i].out);
		else
			assert_int_equal(out, 777);
		kv_free(&kv);
	}
	parse_ok(&kv, "x,n=3", "type");
	assert_int_equal(kv_get_uint(&kv, "n", 4, 10, &(uint64_t){ 0 }, err, sizeof(err)), -1);
	assert_string_equal(err, "-netdev x: 'n' expects a number from 4 to 10, not '3'");
	assert_int_equal(kv_get_uint(&kv, "m", 4, 10, &(uint64_t){ 0 }, err, sizeof(err)), 0);
	kv_free(&kv);
}

static void test_str(void **state)
{
	struct kvlist kv;
	const char *s = NULL;

	parse_ok(&kv, "x,id=abcd,e=", "type");
	assert_int_equal(kv_get_str(&kv, "id", 4, &s, err, sizeof(err)), 1);
	assert_string_equal(s, "abcd");
	assert_int_equal(kv_get_str(&kv, "id", 3, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "-netdev x: 'id' must be 1 to 3 characters");
	assert_int_equal(kv_get_str(&kv, "e", 3, &s, err, sizeof(err)), -1);
	assert_int_equal(kv_get_str(&kv, "zz", 3, &s, err, sizeof(err)), 0);
	kv_free(&kv);
}

static void test_unused(void **state)
{
	struct kvlist kv;

	parse_ok(&kv, "stream,id=x,bogus=1,server", "type");
	kv_get(&kv, "type");
	kv_get(&kv, "id");
	assert_int_equal(kv_check_unused(&kv, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "-netdev stream: unknown key 'bogus'");
	kv_get(&kv, "bogus");
	assert_int_equal(kv_check_unused(&kv, "stream", err, sizeof(err)), -1);
	assert_string_equal(err, "-netdev stream: unknown key 'server' for stream");
	/* kv_has does not consume. */
	assert_true(kv_has(&kv, "server"));
	assert_int_equal(kv_check_unused(&kv, NULL, err, sizeof(err)), -1);
	kv_get(&kv, "server");
	assert_int_equal(kv_check_unused(&kv, NULL, err, sizeof(err)), 0);
	kv_free(&kv);
}

static void test_errorf_truncates(void **state)
{
	struct kvlist kv;
	char small[12];

	parse_ok(&kv, "stream", "type");
	kv_errorf(small, sizeof(small), &kv, "%s", "a long message that does not fit");
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, "-netdev str", 11);
	kv_errorf(NULL, 0, &kv, "ignored");
	kv_free(&kv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_and_implied),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_bare_key_and_empty_value),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_repeated_and_iter),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_unused),
		cmocka_unit_test(test_errorf_truncates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
