/* SPDX-License-Identifier: MIT
 *
 * test_gw_codec.c - the pure encoders/decoders of the gateway: RFC 3397
 * search lists, RFC 3396 long options, DNS names with compression.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "gateway/services/dhcp_options.h"
#include "gateway/services/dns_msg.h"

static void test_search_rfc3397_example(void **state)
{
	/* RFC 3397 section 2 example. */
	static const char *names[] = { "eng.apple.com", "marketing.apple.com." };
	static const uint8_t want[] = "\x03" "eng" "\x05" "apple" "\x03" "com" "\x00"
				      "\x09" "marketing" "\xc0\x04";
	uint8_t out[64];

	assert_int_equal(dhcp_encode_search(names, 2, out, sizeof(out)), sizeof(want) - 1);
	assert_memory_equal(out, want, sizeof(want) - 1);
	assert_int_equal(dhcp_encode_search(names, 2, out, 10), 0); /* does not fit */
}

static void test_long_option_split(void **state)
{
	uint8_t buf[600], data[300];
	struct dhcp_opt_writer w;

	memset(data, 'x', sizeof(data));
	dow_init(&w, buf, sizeof(buf));
	dow_put(&w, 119, data, 300);
	dow_end(&w);
	assert_false(w.overflow);
	assert_int_equal(w.len, 2 + 255 + 2 + 45 + 1);
	assert_int_equal(buf[0], 119);
	assert_int_equal(buf[1], 255);
	assert_int_equal(buf[257], 119);
	assert_int_equal(buf[258], 45);
	assert_int_equal(buf[304], 255);
	dow_init(&w, buf, 100);
	dow_put(&w, 119, data, 300);
	assert_true(w.overflow);
}

static void test_dns_names(void **state)
{
	uint8_t m[64] = { 0 };
	char name[256];
	size_t next;
	uint16_t t, c;

	memcpy(m + 12, "\x03" "Www" "\x04" "test" "\x00" "\x00\x01\x00\x01", 14);
	memcpy(m + 26, "\x01" "a" "\xc0\x10", 4); /* a.test via pointer */
	assert_int_equal(dns_parse_question(m, 40, 12, name, &t, &c, &next), 0);
	assert_string_equal(name, "www.test");
	assert_int_equal(next, 26);
	assert_int_equal(t, 1);
	assert_int_equal(dns_parse_name(m, 40, 26, name, &next), 0);
	assert_string_equal(name, "a.test");
	assert_int_equal(next, 30);
	m[28] = 0xc0;
	m[29] = 26; /* points at its own name: loop */
	assert_int_equal(dns_parse_name(m, 40, 26, name, &next), -1);
	assert_int_equal(dns_parse_name(m, 29, 26, name, &next), -1); /* cut pointer */
	assert_int_equal(dns_parse_name(m, 16, 12, name, &next), -1); /* cut label */
	m[12] = 0x43; /* extended label type */
	assert_int_equal(dns_parse_name(m, 40, 12, name, &next), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search_rfc3397_example),
		cmocka_unit_test(test_long_option_split),
		cmocka_unit_test(test_dns_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
