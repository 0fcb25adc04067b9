/* SPDX-License-Identifier: MIT
 *
 * test_l2tpv3_codec.c - the L2TPv3 header as QEMU writes it: exact bytes
 * for UDP and IP mode with 0/32/64-bit cookies, counter, pinned counter
 * and offset; decap accepts exactly our session and cookie, skips the
 * counter without checking it, and names every reason it refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ports/l2tpv3_codec.h"

static const uint8_t frame[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0, 1, 2, 3,
				 0x88, 0xb5, 'h', 'i' };

static size_t build(const struct l2tpv3_params *p, uint32_t seq, uint8_t *pkt)
{
	size_t n = l2tpv3_encap(p, seq, pkt);

	memcpy(pkt + n, frame, sizeof(frame));
	return n + sizeof(frame);
}

static void test_udp_cookie64_counter_bytes(void **state)
{
	struct l2tpv3_params p = { .udp = true, .tx_session = 0x11223344, .cookie_len = 8,
				   .tx_cookie = 0x0102030405060708ull, .counter = true };
	static const uint8_t want[] = { 0, 3, 0, 0, 0x11, 0x22, 0x33, 0x44, 1, 2, 3, 4, 5, 6, 7, 8,
					0, 0, 0, 9 };
	uint8_t hdr[L2TPV3_HDR_MAX];

	(void)state;
	assert_int_equal(l2tpv3_header_len(&p), sizeof(want));
	assert_int_equal(l2tpv3_encap(&p, 9, hdr), sizeof(want));
	assert_memory_equal(hdr, want, sizeof(want));
	p.pin_counter = true;
	l2tpv3_encap(&p, 9, hdr);
	assert_int_equal(hdr[16] | hdr[17] | hdr[18] | hdr[19], 0);
}

static void test_ip_cookie32_offset_bytes(void **state)
{
	struct l2tpv3_params p = { .tx_session = 5, .cookie_len = 4, .tx_cookie = 0xcafef00d,
				   .offset = 3 };
	static const uint8_t want[] = { 0, 0, 0, 5, 0xca, 0xfe, 0xf0, 0x0d, 0, 0, 0 };
	uint8_t hdr[L2TPV3_HDR_MAX];

	(void)state;
	memset(hdr, 0xaa, sizeof(hdr));
	assert_int_equal(l2tpv3_encap(&p, 1, hdr), sizeof(want));
	assert_memory_equal(hdr, want, sizeof(want));
}

static void test_roundtrip_and_counter_ignored(void **state)
{
	struct l2tpv3_params p = { .udp = true, .tx_session = 7, .rx_session = 7, .cookie_len = 4,
				   .tx_cookie = 99, .rx_cookie = 99, .counter = true };
	uint8_t pkt[L2TPV3_HDR_MAX + sizeof(frame)];
	size_t len, off = 0, flen = 0;

	(void)state;
	/* any counter value, in any order, is delivered (QEMU does not check it) */
	len = build(&p, 1000, pkt);
	assert_int_equal(l2tpv3_decap(&p, false, pkt, len, &off, &flen), L2TPV3_OK);
	assert_int_equal(off, 16);
	assert_int_equal(flen, sizeof(frame));
	assert_memory_equal(pkt + off, frame, sizeof(frame));
	len = build(&p, 3, pkt);
	assert_int_equal(l2tpv3_decap(&p, false, pkt, len, &off, &flen), L2TPV3_OK);
}

static void test_refusals(void **state)
{
	struct l2tpv3_params p = { .udp = true, .tx_session = 7, .rx_session = 7, .cookie_len = 8,
				   .tx_cookie = 1, .rx_cookie = 1 };
	uint8_t pkt[L2TPV3_HDR_MAX + sizeof(frame)];
	size_t len, off, flen;

	(void)state;
	len = build(&p, 1, pkt);
	assert_int_equal(l2tpv3_decap(&p, false, pkt, 15, &off, &flen), L2TPV3_TRUNCATED);
	assert_int_equal(l2tpv3_decap(&p, false, pkt, 16, &off, &flen), L2TPV3_EMPTY);
	pkt[15] = 2;
	assert_int_equal(l2tpv3_decap(&p, false, pkt, len, &off, &flen), L2TPV3_BAD_COOKIE);
	pkt[15] = 1;
	pkt[7] = 8;
	assert_int_equal(l2tpv3_decap(&p, false, pkt, len, &off, &flen), L2TPV3_BAD_SESSION);
	pkt[7] = 7;
	pkt[0] = 0x80; /* T bit: a control message */
	assert_int_equal(l2tpv3_decap(&p, false, pkt, len, &off, &flen), L2TPV3_NOT_DATA);
	pkt[0] = 0;
	pkt[1] = 2; /* version 2 */
	assert_int_equal(l2tpv3_decap(&p, false, pkt, len, &off, &flen), L2TPV3_NOT_DATA);
	pkt[1] = 3;
	pkt[2] = 0xff; /* reserved bits are ignored on receipt */
	assert_int_equal(l2tpv3_decap(&p, false, pkt, len, &off, &flen), L2TPV3_OK);
	/* a 64-bit cookie with only the low half right */
	p.rx_cookie = 0x100000001ull;
	assert_int_equal(l2tpv3_decap(&p, false, pkt, len, &off, &flen), L2TPV3_BAD_COOKIE);
}

static void test_ipv4_raw_header_skipped(void **state)
{
	struct l2tpv3_params p = { .tx_session = 0x42, .rx_session = 0x42 };
	uint8_t pkt[24 + L2TPV3_HDR_MAX + sizeof(frame)] = { 0 };
	size_t len, off = 0, flen = 0;

	(void)state;
	pkt[0] = 0x46; /* IPv4 with 4 bytes of options: QEMU would assume 20 */
	len = 24 + build(&p, 1, pkt + 24);
	assert_int_equal(l2tpv3_decap(&p, true, pkt, len, &off, &flen), L2TPV3_OK);
	assert_int_equal(off, 28);
	assert_memory_equal(pkt + off, frame, sizeof(frame));
	assert_int_equal(l2tpv3_decap(&p, true, pkt, 19, &off, &flen), L2TPV3_TRUNCATED);
	assert_int_equal(l2tpv3_decap(&p, true, pkt, 26, &off, &flen), L2TPV3_TRUNCATED);
	pkt[0] = 0x44;
	assert_int_equal(l2tpv3_decap(&p, true, pkt, len, &off, &flen), L2TPV3_BAD_IP);
	pkt[0] = 0x66;
	assert_int_equal(l2tpv3_decap(&p, true, pkt, len, &off, &flen), L2TPV3_BAD_IP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_cookie64_counter_bytes),
		cmocka_unit_test(test_ip_cookie32_offset_bytes),
		cmocka_unit_test(test_roundtrip_and_counter_ignored),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_ipv4_raw_header_skipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
