/* SPDX-License-Identifier: MIT
 *
 * test_inany.c - the IPv4/IPv6 address type (core/inany.h): v4-mapped
 * round trips, IPv6 kept as is, equality and hashing across families,
 * text in and out, the classification tests, CIDR matching for IPv4 and
 * IPv6 prefixes (including prefixes that end inside a byte), and the
 * socket address conversion both ways.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "core/inany.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static union inany_addr v6(const char *s)
{
	union inany_addr a;

	assert_int_equal(inany_pton(s, &a), 0);
	assert_false(inany_is_v4(&a));
	return a;
}

static void test_v4_mapped(void **state)
{
	union inany_addr a = inany_from_ip4(IP(192, 0, 2, 1));
	static const uint8_t want[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1 };
	char buf[INANY_ADDRSTRLEN];

	assert_memory_equal(a.u8, want, 16);
	assert_true(inany_is_v4(&a));
	assert_int_equal(inany_ip4(&a), IP(192, 0, 2, 1));
	assert_true(inany_equals4(&a, IP(192, 0, 2, 1)));
	assert_false(inany_equals4(&a, IP(192, 0, 2, 2)));
	/* Text round trip: dotted quad, not "::ffff:192.0.2.1". */
	assert_string_equal(inany_ntop(&a, buf, sizeof(buf)), "192.0.2.1");
	union inany_addr b;
	assert_int_equal(inany_pton("192.0.2.1", &b), 0);
	assert_true(inany_equals(&a, &b));
	/* The v4-mapped IPv6 spelling is the same address. */
	assert_int_equal(inany_pton("::ffff:192.0.2.1", &b), 0);
	assert_true(inany_is_v4(&b));
	assert_true(inany_equals(&a, &b));
	/* Edge values survive the byte order. */
	a = inany_from_ip4(0xffffffffu);
	assert_int_equal(inany_ip4(&a), 0xffffffffu);
	assert_string_equal(inany_ntop(&a, buf, sizeof(buf)), "255.255.255.255");
	a = inany_from_ip4(0);
	assert_true(inany_is_v4(&a));
	assert_string_equal(inany_ntop(&a, buf, sizeof(buf)), "0.0.0.0");
}

static void test_v6(void **state)
{
	union inany_addr a = v6("2001:db8::1"), b;
	struct in6_addr raw;
	char buf[INANY_ADDRSTRLEN];

	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &raw), 1);
	assert_memory_equal(&a, &raw, 16);
	b = inany_from_in6(&raw);
	assert_true(inany_equals(&a, &b));
	assert_int_equal(inany_ip4(&a), 0); /* no IPv4 view */
	assert_false(inany_equals4(&a, 1));
	assert_string_equal(inany_ntop(&a, buf, sizeof(buf)), "2001:db8::1");
	/* Longest form fits the buffer. */
	a = v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	assert_string_equal(inany_ntop(&a, buf, sizeof(buf)),
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	assert_int_equal(inany_pton("10.2", &b), -1);
	assert_int_equal(inany_pton("2001:db8::1::2", &b), -1);
	assert_int_equal(inany_pton("", &b), -1);
	assert_int_equal(inany_pton(NULL, &b), -1);
	/* An IPv4-compatible (not -mapped) address is IPv6. */
	a = v6("::192.0.2.1");
	assert_false(inany_equals4(&a, IP(192, 0, 2, 1)));
}

static void test_equality_and_hash(void **state)
{
	union inany_addr a = inany_from_ip4(IP(10, 0, 2, 15)), b = a;
	union inany_addr c = inany_from_ip4(IP(10, 0, 2, 16));
	union inany_addr d = v6("::a00:20f"); /* 10.0.2.15's bits, not mapped */
	union inany_addr e = v6("2001:db8::a00:20f");
	uint32_t h[256];

	assert_true(inany_equals(&a, &b));
	assert_false(inany_equals(&a, &c));
	assert_false(inany_equals(&a, &d));
	assert_false(inany_equals(&d, &e));
	assert_int_equal(inany_hash(&a, 7), inany_hash(&b, 7));
	assert_int_not_equal(inany_hash(&a, 7), inany_hash(&a, 8));
	assert_int_not_equal(inany_hash(&a, 7), inany_hash(&c, 7));
	assert_int_not_equal(inany_hash(&a, 7), inany_hash(&d, 7));
	assert_int_not_equal(inany_hash(&d, 7), inany_hash(&e, 7));
	/* Neighbouring guest addresses spread over a small table: the
	 * low bits of the hash (what tables mask) all differ. */
	for (unsigned i = 0; i < 256; i++) {
		union inany_addr x = inany_from_ip4(IP(10, 0, 2, i));

		h[i] = inany_hash(&x, 4000);
		for (unsigned j = 0; j < i; j++)
			assert_int_not_equal(h[i], h[j]);
	}
	unsigned used[16] = { 0 }, empty = 0;

	for (unsigned i = 0; i < 256; i++)
		used[h[i] & 15]++;
	for (unsigned i = 0; i < 16; i++)
		empty += !used[i];
	assert_int_equal(empty, 0);
}

static void test_classes(void **state)
{
	union inany_addr a;

	a = inany_from_ip4(0);
	assert_true(inany_is_unspecified(&a));
	memset(&a, 0, sizeof(a)); /* :: (a zeroed struct) */
	assert_true(inany_is_unspecified(&a));
	assert_false(inany_is_v4(&a));
	a = inany_from_ip4(IP(0, 0, 0, 1));
	assert_false(inany_is_unspecified(&a));
	a = v6("::1");
	assert_false(inany_is_unspecified(&a));
	assert_true(inany_is_loopback(&a));
	a = inany_from_ip4(IP(127, 0, 0, 1));
	assert_true(inany_is_loopback(&a));
	a = inany_from_ip4(IP(127, 255, 0, 9));
	assert_true(inany_is_loopback(&a));
	a = inany_from_ip4(IP(128, 0, 0, 1));
	assert_false(inany_is_loopback(&a));
	a = v6("::2");
	assert_false(inany_is_loopback(&a));
	a = inany_from_ip4(IP(224, 0, 0, 251));
	assert_true(inany_is_multicast(&a));
	a = inany_from_ip4(IP(239, 255, 255, 250));
	assert_true(inany_is_multicast(&a));
	a = inany_from_ip4(IP(240, 0, 0, 1));
	assert_false(inany_is_multicast(&a));
	a = inany_from_ip4(IP(223, 255, 255, 255));
	assert_false(inany_is_multicast(&a));
	a = v6("ff02::fb");
	assert_true(inany_is_multicast(&a));
	a = v6("fe80::1");
	assert_false(inany_is_multicast(&a));
}

static bool in(const char *cidr, const char *addr)
{
	struct inany_cidr c;
	union inany_addr a;

	assert_int_equal(inany_cidr_parse(cidr, &c), 0);
	assert_int_equal(inany_pton(addr, &a), 0);
	return inany_cidr_match(&c, &a);
}

static void test_cidr(void **state)
{
	struct inany_cidr c;

	assert_int_equal(inany_cidr_parse("192.0.2.77/24", &c), 0);
	assert_int_equal(c.plen, INANY_V4_PLEN(24));
	assert_int_equal(inany_ip4(&c.addr), IP(192, 0, 2, 0)); /* host bits cleared */
	assert_true(in("192.0.2.0/24", "192.0.2.255"));
	assert_false(in("192.0.2.0/24", "192.0.3.0"));
	/* Prefixes ending inside a byte. */
	assert_true(in("192.0.2.8/29", "192.0.2.15"));
	assert_false(in("192.0.2.8/29", "192.0.2.16"));
	assert_false(in("192.0.2.8/29", "192.0.2.7"));
	assert_true(in("10.0.0.0/9", "10.127.255.255"));
	assert_false(in("10.0.0.0/9", "10.128.0.0"));
	assert_true(in("192.0.2.7", "192.0.2.7"));
	assert_false(in("192.0.2.7", "192.0.2.6"));
	/* IPv4 /0 is every IPv4 address and no IPv6 one. */
	assert_true(in("0.0.0.0/0", "203.0.113.9"));
	assert_false(in("0.0.0.0/0", "2001:db8::1"));
	/* IPv6. */
	assert_true(in("2001:db8::/32", "2001:db8:ffff::1"));
	assert_false(in("2001:db8::/32", "2001:db9::1"));
	assert_true(in("2001:db8:0:80::/57", "2001:db8:0:ff::1"));
	assert_false(in("2001:db8:0:80::/57", "2001:db8:0:7f::1"));
	assert_true(in("::/0", "192.0.2.1")); /* ::/0 holds the mapped space */
	assert_true(in("::/0", "fe80::1"));
	assert_true(in("2001:db8::1", "2001:db8::1"));
	assert_false(in("2001:db8::1", "2001:db8::2"));
	assert_true(in("::ffff:0:0/96", "198.51.100.1"));
	/* Rejections. */
	assert_int_equal(inany_cidr_parse("192.0.2.0/33", &c), -1);
	assert_int_equal(inany_cidr_parse("2001:db8::/129", &c), -1);
	assert_int_equal(inany_cidr_parse("192.0.2.0/", &c), -1);
	assert_int_equal(inany_cidr_parse("192.0.2.0/-1", &c), -1);
	assert_int_equal(inany_cidr_parse("192.0.2.0/2x", &c), -1);
	assert_int_equal(inany_cidr_parse("host/8", &c), -1);
}

static void test_sockaddr(void **state)
{
	union inany_addr a = inany_from_ip4(IP(127, 0, 0, 1)), b;
	union sockaddr_inany sa;
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(53) };
	uint16_t port = 0;

	/* v4-mapped -> sockaddr_in, what an AF_INET socket takes. */
	assert_int_equal(inany_to_sockaddr(&sa, &a, 8080), sizeof(struct sockaddr_in));
	assert_int_equal(sa.sa4.sin_family, AF_INET);
	assert_int_equal(ntohl(sa.sa4.sin_addr.s_addr), IP(127, 0, 0, 1));
	assert_int_equal(ntohs(sa.sa4.sin_port), 8080);
	assert_int_equal(inany_from_sockaddr(&b, &port, &sa.sa, sizeof(sa.sa4)), 0);
	assert_true(inany_equals(&a, &b));
	assert_int_equal(port, 8080);
	/* IPv6 -> sockaddr_in6 and back. */
	a = v6("2001:db8::53");
	assert_int_equal(inany_to_sockaddr(&sa, &a, 53), sizeof(struct sockaddr_in6));
	assert_int_equal(sa.sa6.sin6_family, AF_INET6);
	assert_int_equal(ntohs(sa.sa6.sin6_port), 53);
	assert_memory_equal(&sa.sa6.sin6_addr, &a, 16);
	assert_int_equal(inany_from_sockaddr(&b, &port, &sa.sa, sizeof(sa.sa6)), 0);
	assert_true(inany_equals(&a, &b));
	/* A v4-mapped sockaddr_in6 (dual-stack socket) is the same peer as
	 * the sockaddr_in. */
	assert_int_equal(inet_pton(AF_INET6, "::ffff:192.0.2.1", &s6.sin6_addr), 1);
	assert_int_equal(inany_from_sockaddr(&b, NULL, (struct sockaddr *)&s6, sizeof(s6)), 0);
	assert_true(inany_equals4(&b, IP(192, 0, 2, 1)));
	/* Short or foreign addresses are refused and leave the output alone. */
	a = inany_from_ip4(IP(1, 2, 3, 4));
	inany_to_sockaddr(&sa, &a, 1);
	b = inany_from_ip4(IP(9, 9, 9, 9));
	assert_int_equal(inany_from_sockaddr(&b, &port, &sa.sa, sizeof(sa.sa4) - 1), -1);
	assert_int_equal(inany_from_sockaddr(&b, &port, (struct sockaddr *)&s6,
					     sizeof(s6) - 1), -1);
	sa.sa.sa_family = AF_UNIX;
	assert_int_equal(inany_from_sockaddr(&b, &port, &sa.sa, sizeof(sa)), -1);
	assert_true(inany_equals4(&b, IP(9, 9, 9, 9)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_mapped),
		cmocka_unit_test(test_v6),
		cmocka_unit_test(test_equality_and_hash),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_sockaddr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
