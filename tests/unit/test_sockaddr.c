/* SPDX-License-Identifier: MIT
 *
 * test_sockaddr.c - HOST:PORT splitting (incl. [v6]:port), ports, the
 * multicast check, resolving numeric and unix addresses, and formatting
 * back to text. No network is touched: only numeric hosts are resolved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "ports/sockaddr.h"

static void hp_ok(const char *s, bool allow_empty, const char *host, unsigned port)
{
	char h[SA_HOST_MAX], why[128] = "";
	uint16_t p = 0;

	if (sa_parse_hostport(s, allow_empty, h, sizeof(h), &p, why, sizeof(why)) < 0)
		fail_msg("'%s' rejected: %s", s, why);
	assert_string_equal(h, host);
	assert_int_equal(p, port);
}

static void hp_bad(const char *s, bool allow_empty, const char *mention)
{
	char h[SA_HOST_MAX], why[128] = "";
	uint16_t p = 0;

	if (sa_parse_hostport(s, allow_empty, h, sizeof(h), &p, why, sizeof(why)) == 0)
		fail_msg("'%s' accepted", s);
	if (!strstr(why, mention))
		fail_msg("'%s': error '%s' does not mention '%s'", s, why, mention);
}

static void test_hostport(void **state)
{
	hp_ok("127.0.0.1:1234", false, "127.0.0.1", 1234);
	hp_ok("localhost:0", false, "localhost", 0);
	hp_ok("[::1]:80", false, "::1", 80);
	hp_ok("[fe80::1:2]:65535", false, "fe80::1:2", 65535);
	hp_ok(":5555", true, "", 5555);
	hp_ok("230.0.0.1:1234", false, "230.0.0.1", 1234);

	hp_bad(":5555", false, "missing host");
	hp_bad("127.0.0.1", false, "HOST:PORT");
	hp_bad("127.0.0.1:", false, "bad port");
	hp_bad("127.0.0.1:65536", false, "bad port");
	hp_bad("127.0.0.1:-1", false, "bad port");
	hp_bad("127.0.0.1:12x", false, "bad port");
	hp_bad("127.0.0.1:http", false, "bad port");
	hp_bad("::1:80", false, "brackets");
	hp_bad("[::1:80", false, "]");
	hp_bad("[::1]80", false, ":PORT");
	hp_bad("[]:80", false, "IPv6");
	hp_bad("[1.2.3.4]:80", false, "IPv6");
}

static void test_port(void **state)
{
	uint16_t p;

	assert_int_equal(sa_parse_port("0", &p), 0);
	assert_int_equal(p, 0);
	assert_int_equal(sa_parse_port("65535", &p), 0);
	assert_int_equal(p, 65535);
	assert_int_equal(sa_parse_port("65536", &p), -1);
	assert_int_equal(sa_parse_port("", &p), -1);
	assert_int_equal(sa_parse_port("000001", &p), -1);
	assert_int_equal(sa_parse_port(" 1", &p), -1);
}

static void test_multicast(void **state)
{
	assert_true(sa_host_is_multicast("224.0.0.1"));
	assert_true(sa_host_is_multicast("239.255.255.255"));
	assert_true(sa_host_is_multicast("ff02::1"));
	assert_false(sa_host_is_multicast("223.255.255.255"));
	assert_false(sa_host_is_multicast("240.0.0.1"));
	assert_false(sa_host_is_multicast("127.0.0.1"));
	assert_false(sa_host_is_multicast("fe80::1"));
	assert_false(sa_host_is_multicast("mcast.example"));
}

static void resolve_fmt(struct sa_spec *spec, bool passive, const char *text)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char why[128] = "", buf[SA_TEXT_MAX];

	if (sa_resolve(spec, passive, &ss, &len, why, sizeof(why)) < 0)
		fail_msg("resolve failed: %s", why);
	sa_format((struct sockaddr *)&ss, len, buf, sizeof(buf));
	assert_string_equal(buf, text);
}

static void test_resolve_format(void **state)
{
	struct sa_spec s;
	struct sockaddr_storage ss;
	socklen_t len;
	char why[128], buf[64];

	assert_int_equal(sa_spec_inet(&s, "127.0.0.1:5000", false, why, sizeof(why)), 0);
	resolve_fmt(&s, false, "127.0.0.1:5000");
	assert_int_equal(sa_spec_inet(&s, "[::1]:5000", false, why, sizeof(why)), 0);
	resolve_fmt(&s, false, "[::1]:5000");
	assert_int_equal(sa_spec_inet(&s, ":7", true, why, sizeof(why)), 0);
	resolve_fmt(&s, true, "0.0.0.0:7");
	assert_int_equal(sa_resolve(&s, false, &ss, &len, why, sizeof(why)), -1);
	s.ipv4 = false;
	resolve_fmt(&s, true, "[::]:7");
	s.ipv6 = false;
	assert_int_equal(sa_resolve(&s, true, &ss, &len, why, sizeof(why)), -1);

	/* family restriction applies to numeric hosts too */
	assert_int_equal(sa_spec_inet(&s, "127.0.0.1:1", false, why, sizeof(why)), 0);
	s.ipv4 = false;
	assert_int_equal(sa_resolve(&s, false, &ss, &len, why, sizeof(why)), -1);

	/* any -> loopback for hints */
	assert_int_equal(sa_spec_inet(&s, ":9", true, why, sizeof(why)), 0);
	assert_int_equal(sa_resolve(&s, true, &ss, &len, why, sizeof(why)), 0);
	sa_format_host_for_client((struct sockaddr *)&ss, buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.1");
	assert_int_equal(sa_port((struct sockaddr *)&ss), 9);

	memset(&s, 0, sizeof(s));
	s.kind = SA_UNIX;
	strcpy(s.path, "/tmp/x.sock");
	resolve_fmt(&s, true, "unix:/tmp/x.sock");
	s.abstract = true;
	s.tight = true;
	resolve_fmt(&s, true, "unix:@/tmp/x.sock");
	assert_int_equal(sa_resolve(&s, true, &ss, &len, why, sizeof(why)), 0);
	assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + 1 + strlen("/tmp/x.sock"));
	s.abstract = false;
	memset(s.path, 'a', sizeof(s.path) - 1);
	s.path[sizeof(s.path) - 1] = '\0';
	assert_int_equal(sa_resolve(&s, true, &ss, &len, why, sizeof(why)), 0);
	s.path[0] = '\0';
	assert_int_equal(sa_resolve(&s, true, &ss, &len, why, sizeof(why)), -1);
}

static void test_spec_format(void **state)
{
	struct sa_spec s;
	char why[64], buf[SA_TEXT_MAX];

	assert_int_equal(sa_spec_inet(&s, "[fe80::1]:5", false, why, sizeof(why)), 0);
	sa_spec_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "[fe80::1]:5");
	assert_int_equal(sa_spec_inet(&s, ":5", true, why, sizeof(why)), 0);
	sa_spec_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "*:5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostport),
		cmocka_unit_test(test_port),
		cmocka_unit_test(test_multicast),
		cmocka_unit_test(test_resolve_format),
		cmocka_unit_test(test_spec_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
