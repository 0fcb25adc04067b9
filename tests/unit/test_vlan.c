/* SPDX-License-Identifier: MIT
 *
 * test_vlan.c - 802.1Q ingress classification and tag rewriting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/frame.h"
#include "fabric/vlan.h"
#include "helpers/fake_port.h"

static const uint8_t DST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t SRC[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x01 };

static uint8_t f[256], g[256], h[256];

static size_t untagged(uint8_t *b) { return fake_frame_build(b, DST, SRC, false, 0, 0x0800, 50, 7); }
static size_t tagged(uint8_t *b, uint16_t tci)
{
	return fake_frame_build(b, DST, SRC, true, tci, 0x0800, 50, 7);
}

static struct port_vlan access(uint16_t pvid)
{
	struct port_vlan v = { .pvid = pvid };

	return v;
}

static struct port_vlan trunk(uint16_t native)
{
	struct port_vlan v = { .pvid = native, .trunk = true };

	vlan_set_bit(&v, 10);
	vlan_set_bit(&v, 4094);
	return v;
}

static void test_access_ingress(void **state)
{
	struct port_vlan pv = access(10);
	struct vlan_info vi;

	assert_int_equal(vlan_classify(&pv, f, untagged(f), &vi), VLAN_ACCEPT);
	assert_int_equal(vi.vid, 10);
	assert_false(vi.tagged);
	assert_int_equal(vi.prio, 0);

	/* Priority tag: PCP 5, DEI set, VID 0 -> pvid, priority kept. */
	assert_int_equal(vlan_classify(&pv, f, tagged(f, 0xb000), &vi), VLAN_ACCEPT);
	assert_int_equal(vi.vid, 10);
	assert_true(vi.tagged);
	assert_int_equal(vi.wire_vid, 0);
	assert_int_equal(vi.prio, 0xb000);

	/* Any real tag on an access port, even its own VID. */
	assert_int_equal(vlan_classify(&pv, f, tagged(f, 10), &vi), VLAN_DROP_TAGGED);
	assert_int_equal(vlan_classify(&pv, f, tagged(f, 11), &vi), VLAN_DROP_TAGGED);
	assert_int_equal(vlan_classify(&pv, f, tagged(f, 0x0fff), &vi), VLAN_DROP_RESERVED);

	pv = access(0);
	assert_int_equal(vlan_classify(&pv, f, untagged(f), &vi), VLAN_DROP_UNTAGGED);
}

static void test_trunk_ingress(void **state)
{
	struct port_vlan pv = trunk(1);
	struct vlan_info vi;

	assert_int_equal(vlan_classify(&pv, f, tagged(f, 0x4000 | 10), &vi), VLAN_ACCEPT);
	assert_int_equal(vi.vid, 10);
	assert_int_equal(vi.prio, 0x4000);
	assert_int_equal(vlan_classify(&pv, f, tagged(f, 4094), &vi), VLAN_ACCEPT);
	assert_int_equal(vi.vid, 4094);
	assert_int_equal(vlan_classify(&pv, f, tagged(f, 20), &vi), VLAN_DROP_NOT_MEMBER);
	/* The native VLAN may also arrive tagged. */
	assert_int_equal(vlan_classify(&pv, f, tagged(f, 1), &vi), VLAN_ACCEPT);
	assert_int_equal(vi.vid, 1);
	assert_int_equal(vlan_classify(&pv, f, untagged(f), &vi), VLAN_ACCEPT);
	assert_int_equal(vi.vid, 1);
	assert_int_equal(vlan_classify(&pv, f, tagged(f, 0x2000), &vi), VLAN_ACCEPT);
	assert_int_equal(vi.vid, 1);
	assert_int_equal(vi.prio, 0x2000);

	pv = trunk(0);
	assert_int_equal(vlan_classify(&pv, f, untagged(f), &vi), VLAN_DROP_UNTAGGED);
	assert_int_equal(vlan_classify(&pv, f, tagged(f, 0xe000), &vi), VLAN_DROP_UNTAGGED);
	assert_int_equal(vlan_classify(&pv, f, tagged(f, 10), &vi), VLAN_ACCEPT);
	/* VID 0 is never a member, whatever the bitmap says. */
	vlan_set_bit(&pv, 0);
	assert_int_equal(vlan_classify(&pv, f, tagged(f, 0), &vi), VLAN_DROP_UNTAGGED);
}

static void test_qinq_is_untagged(void **state)
{
	struct port_vlan pv = trunk(1);
	struct vlan_info vi;
	size_t len = tagged(f, 10);

	wr16be(f + 12, ETHERTYPE_QINQ);
	assert_int_equal(vlan_classify(&pv, f, len, &vi), VLAN_ACCEPT);
	assert_false(vi.tagged);
	assert_int_equal(vi.vid, 1);
}

static void test_truncated(void **state)
{
	struct port_vlan pvs[] = { access(1), trunk(1) };
	struct vlan_info vi;
	size_t len, i;

	tagged(f, 10);
	for (i = 0; i < 2; i++) {
		for (len = 0; len < VLAN_TAGGED_MIN; len++)
			assert_int_equal(vlan_classify(&pvs[i], f, len, &vi), VLAN_DROP_TRUNCATED);
	}
	assert_int_equal(vlan_classify(&pvs[1], f, VLAN_TAGGED_MIN, &vi), VLAN_ACCEPT);
	/* Untagged frames only need the Ethernet header. */
	untagged(f);
	assert_int_equal(vlan_classify(&pvs[0], f, ETH_HDR_LEN, &vi), VLAN_ACCEPT);
	assert_int_equal(vlan_classify(&pvs[0], f, ETH_HDR_LEN - 1, &vi), VLAN_DROP_TRUNCATED);
}

static void test_push_pop_retag(void **state)
{
	size_t ulen = untagged(f), tlen = tagged(g, 0xa000 | 42), n;

	/* Push onto the untagged frame gives exactly the tagged frame. */
	memset(h, 0xee, sizeof(h));
	n = vlan_push(h, f, ulen, 0xa000 | 42);
	assert_int_equal(n, tlen);
	assert_memory_equal(h, g, tlen);
	assert_int_equal(h[tlen], 0xee);

	/* Pop gives the untagged frame back. */
	memset(h, 0xee, sizeof(h));
	n = vlan_pop(h, g, tlen);
	assert_int_equal(n, ulen);
	assert_memory_equal(h, f, ulen);
	assert_int_equal(h[ulen], 0xee);

	/* Retag changes the TCI only, the source is untouched. */
	n = vlan_retag(h, g, tlen, 0x2000 | 7);
	assert_int_equal(n, tlen);
	assert_int_equal(rd16be(h + 14), 0x2007);
	assert_memory_equal(h, g, 14);
	assert_memory_equal(h + 16, g + 16, tlen - 16);
	assert_int_equal(rd16be(g + 14), 0xa000 | 42);

	/* A minimal tagged frame pops to a bare header. */
	assert_int_equal(vlan_pop(h, g, VLAN_TAGGED_MIN), ETH_HDR_LEN);
	assert_int_equal(rd16be(h + 12), 0x0800);
}

static void test_egress_tagged(void **state)
{
	struct port_vlan t = trunk(1), a = access(10);

	assert_false(vlan_egress_tagged(&t, 1));
	assert_true(vlan_egress_tagged(&t, 10));
	assert_false(vlan_egress_tagged(&a, 10));
	assert_string_equal(vlan_verdict_str(VLAN_DROP_TRUNCATED), "truncated 802.1Q tag");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_access_ingress),
		cmocka_unit_test(test_trunk_ingress),
		cmocka_unit_test(test_qinq_is_untagged),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_push_pop_retag),
		cmocka_unit_test(test_egress_tagged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
