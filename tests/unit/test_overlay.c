/* SPDX-License-Identifier: MIT
 *
 * test_overlay.c - the VXLAN and Geneve header codecs (ports/overlay_hdr.c),
 * the per-VTEP learning table (ports/vtep_fdb.c), the flow hash behind the
 * UDP source port, and parse() of -netdev vxlan/geneve.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/keyval.h"
#include "config/netdev.h"
#include "ports/overlay.h"
#include "ports/overlay_hdr.h"
#include "ports/vni_map.h"
#include "ports/vtep_fdb.h"

static enum overlay_err dec(enum overlay_proto p, const uint8_t *b, size_t n, uint32_t *vni,
			    size_t *hl)
{
	*vni = 0xdeadbeef;
	*hl = 999;
	return overlay_decode(p, b, n, vni, hl);
}

static void test_vxlan_codec(void **state)
{
	uint8_t h[OVERLAY_HDR_MAX];
	static const uint8_t want[8] = { 0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0 };
	uint32_t vni;
	size_t hl;

	assert_int_equal(overlay_encode(OVERLAY_VXLAN, h, 0x123456), 8);
	assert_memory_equal(h, want, 8);
	assert_int_equal(dec(OVERLAY_VXLAN, h, 8, &vni, &hl), OVERLAY_OK);
	assert_int_equal(vni, 0x123456);
	assert_int_equal(hl, 8);
	assert_int_equal(dec(OVERLAY_VXLAN, h, 7, &vni, &hl), OVERLAY_ERR_SHORT);
	h[0] = 0;
	assert_int_equal(dec(OVERLAY_VXLAN, h, 8, &vni, &hl), OVERLAY_ERR_IBIT);
	h[0] = 0x09;
	assert_int_equal(dec(OVERLAY_VXLAN, h, 8, &vni, &hl), OVERLAY_ERR_RESERVED);
	h[0] = 0x08;
	h[3] = 1;
	assert_int_equal(dec(OVERLAY_VXLAN, h, 8, &vni, &hl), OVERLAY_ERR_RESERVED);
	h[3] = 0;
	h[7] = 0x80;
	assert_int_equal(dec(OVERLAY_VXLAN, h, 8, &vni, &hl), OVERLAY_ERR_LAST_BYTE);
	/* a VNI wider than 24 bits is cut, never spills into the last byte */
	assert_int_equal(overlay_encode(OVERLAY_VXLAN, h, 0x1ffffff), 8);
	assert_int_equal(h[7], 0);
	assert_int_equal(dec(OVERLAY_VXLAN, h, 8, &vni, &hl), OVERLAY_OK);
	assert_int_equal(vni, 0xffffff);
}

static void test_geneve_codec(void **state)
{
	uint8_t p[64];
	static const uint8_t want[8] = { 0, 0, 0x65, 0x58, 0, 0, 42, 0 };
	uint32_t vni;
	size_t hl;

	assert_int_equal(overlay_encode(OVERLAY_GENEVE, p, 42), 8);
	assert_memory_equal(p, want, 8);
	assert_int_equal(dec(OVERLAY_GENEVE, p, 8, &vni, &hl), OVERLAY_OK);
	assert_int_equal(vni, 42);
	assert_int_equal(hl, 8);
	/* reserved bits are ignored on receipt (RFC 8926 3.4) */
	p[1] = 0x3f;
	p[7] = 0xff;
	assert_int_equal(dec(OVERLAY_GENEVE, p, 8, &vni, &hl), OVERLAY_OK);
	p[1] = 0x80;
	assert_int_equal(dec(OVERLAY_GENEVE, p, 8, &vni, &hl), OVERLAY_ERR_OAM);
	p[1] = 0x40;
	assert_int_equal(dec(OVERLAY_GENEVE, p, 8, &vni, &hl), OVERLAY_ERR_CRITICAL);
	p[1] = 0;
	p[0] = 0x40;
	assert_int_equal(dec(OVERLAY_GENEVE, p, 8, &vni, &hl), OVERLAY_ERR_VERSION);
	p[0] = 0;
	p[3] = 0x00;
	assert_int_equal(dec(OVERLAY_GENEVE, p, 8, &vni, &hl), OVERLAY_ERR_PROTO);
	p[3] = 0x58;

	/* two options: 4 + 4 bytes and 4 + 8 bytes, non-critical: skipped */
	p[0] = 5;
	memset(p + 8, 0, 20);
	p[8 + 3] = 1;
	p[16 + 2] = 0x7f;
	p[16 + 3] = 2;
	assert_int_equal(dec(OVERLAY_GENEVE, p, 28, &vni, &hl), OVERLAY_OK);
	assert_int_equal(hl, 28);
	assert_int_equal(dec(OVERLAY_GENEVE, p, 27, &vni, &hl), OVERLAY_ERR_SHORT);
	/* the second option claims 12 bytes of data: past the options */
	p[16 + 3] = 3;
	assert_int_equal(dec(OVERLAY_GENEVE, p, 64, &vni, &hl), OVERLAY_ERR_OPTION);
	p[16 + 3] = 2;
	/* critical type bit on the second */
	p[16 + 2] = 0x80;
	assert_int_equal(dec(OVERLAY_GENEVE, p, 64, &vni, &hl), OVERLAY_ERR_CRITICAL);
	/* an option header cut by the option length */
	p[0] = 3;
	p[16 + 2] = 0;
	assert_int_equal(dec(OVERLAY_GENEVE, p, 64, &vni, &hl), OVERLAY_ERR_OPTION);
	assert_string_equal(overlay_err_name(OVERLAY_ERR_OPTION), "option-bounds");
}

static struct vtep_addr v4(uint8_t last)
{
	struct vtep_addr a = { .family = AF_INET, .a = { 10, 0, 0, last } };

	return a;
}

static void test_vtep_fdb(void **state)
{
	struct vtep_fdb f;
	uint8_t m1[6] = { 2, 0, 0, 0, 0, 1 }, m2[6] = { 2, 0, 0, 0, 0, 2 };
	struct vtep_addr a = v4(1), b = v4(2);
	const struct vtep_addr *r;
	unsigned it = 0;

	assert_int_equal(vtep_fdb_init(&f, 100, 1000), 0);
	assert_int_equal(f.size, 128);
	assert_null(vtep_fdb_lookup(&f, m1, 0));
	vtep_fdb_learn(&f, m1, &a, 10);
	vtep_fdb_learn(&f, m2, &b, 10);
	r = vtep_fdb_lookup(&f, m1, 500);
	assert_non_null(r);
	assert_true(vtep_addr_equal(r, &a));
	assert_true(vtep_addr_equal(vtep_fdb_lookup(&f, m2, 500), &b));
	assert_int_equal(f.learned, 2);
	/* m1 moves to VTEP b */
	vtep_fdb_learn(&f, m1, &b, 600);
	assert_int_equal(f.moved, 1);
	assert_true(vtep_addr_equal(vtep_fdb_lookup(&f, m1, 700), &b));
	/* ageing: m2 (seen at 10) is gone at 1010, m1 (600) is not */
	assert_null(vtep_fdb_lookup(&f, m2, 1010));
	assert_non_null(vtep_fdb_lookup(&f, m1, 1010));
	assert_int_equal(vtep_fdb_count(&f, 1010), 1);
	assert_non_null(vtep_fdb_next(&f, &it, 1010));
	assert_null(vtep_fdb_next(&f, &it, 1010));
	vtep_fdb_fini(&f);
}

/* More MACs than slots: constant-time eviction of the oldest, the newest
 * always findable. */
static void test_vtep_fdb_full(void **state)
{
	struct vtep_fdb f;
	struct vtep_addr a = v4(1);
	uint8_t m[6] = { 2, 0, 0, 0, 0, 0 };
	unsigned i;

	assert_int_equal(vtep_fdb_init(&f, 8, 100000), 0);
	for (i = 0; i < 50; i++) {
		m[5] = (uint8_t)i;
		vtep_fdb_learn(&f, m, &a, i);
		assert_non_null(vtep_fdb_lookup(&f, m, i));
	}
	assert_int_equal(f.learned, 50);
	assert_int_equal(f.evicted, 50 - 8);
	assert_int_equal(vtep_fdb_count(&f, 50), 8);
	vtep_fdb_fini(&f);
}

static void test_src_port(void **state)
{
	uint8_t f[64] = { 0 };
	uint16_t p1, p2;
	unsigned i, lo = 65535, hi = 0;

	f[12] = 0x08; /* IPv4 UDP 10.0.0.1:1000 -> 10.0.0.2:53 */
	f[14] = 0x45;
	f[14 + 9] = 17;
	f[26] = 10; f[29] = 1; f[30] = 10; f[33] = 2;
	f[34] = 1000 >> 8; f[35] = 1000 & 0xff; f[37] = 53;
	p1 = overlay_src_port(f, sizeof(f), 32768, 60999);
	assert_int_equal(p1, overlay_src_port(f, sizeof(f), 32768, 60999));
	assert_true(p1 >= 32768 && p1 <= 60999);
	for (i = 0; i < 200; i++) {
		f[35] = (uint8_t)i;
		p2 = overlay_src_port(f, sizeof(f), 32768, 60999);
		assert_true(p2 >= 32768 && p2 <= 60999);
		lo = p2 < lo ? p2 : lo;
		hi = p2 > hi ? p2 : hi;
	}
	assert_true(hi - lo > 10000); /* flows spread over the range */
	assert_int_equal(overlay_src_port(f, sizeof(f), 5000, 5000), 5000);
	assert_int_equal(overlay_src_port(f, 3, 100, 200), 100);
}

static char err[KV_ERR_MAX];

static struct netdev *parse(const char *text)
{
	const struct netdev_type *t;
	struct kvlist kv;
	struct netdev *nd;
	char type[16];

	sscanf(text, "%15[a-z]", type);
	t = netdev_type_find(type);
	assert_non_null(t);
	err[0] = '\0';
	assert_int_equal(kv_parse(&kv, "-netdev", text, "type", err, sizeof(err)), 0);
	kv_get(&kv, "id");
	kv_get(&kv, "type");
	nd = t->parse(&kv, err, sizeof(err));
	if (nd && kv_check_unused(&kv, t->name, err, sizeof(err)) < 0)
		fail_msg("'%s': %s", text, err);
	kv_free(&kv);
	return nd;
}

static void bad(const char *text, const char *mention)
{
	struct netdev *nd = parse(text);

	if (nd)
		fail_msg("'%s' accepted", text);
	if (!strstr(err, mention))
		fail_msg("'%s': error '%s' does not mention '%s'", text, err, mention);
}

static void test_parse(void **state)
{
	static const char *const good[] = {
		"vxlan,id=a,vni=42,local=10.0.0.1,remote=10.0.0.2,remote=10.0.0.3",
		"vxlan,id=a,vni=0,local=10.0.0.1,group=239.1.1.1,dev=eth0,ttl=4",
		("vxlan,id=a,vni=16777215,local=fd00::1,remote=fd00::2,dstport=8472,"
		 "srcport=1000-2000,learning=off,ageing=30"),
		"geneve,id=a,vni=5,local=10.0.0.1,remote=10.0.0.2,srcport=7000",
		"vxlan,id=a,vni-map=10:5010;20:5020,local=10.0.0.1,remote=10.0.0.2",
		"geneve,id=a,vni=7,vni-map=4094:16777215;1:0,local=10.0.0.1,remote=10.0.0.2",
	};
	struct netdev *nd;
	unsigned i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		nd = parse(good[i]);
		if (!nd)
			fail_msg("'%s' rejected: %s", good[i], err);
		nd->ops->destroy(nd);
	}
	bad("vxlan,id=a,local=10.0.0.1", "'vni' is required");
	bad("vxlan,id=a,vni=16777216,local=10.0.0.1", "vni");
	bad("vxlan,id=a,vni=1", "'local' is required");
	bad("vxlan,id=a,vni=1,local=host.example", "numeric");
	bad("vxlan,id=a,vni=1,local=10.0.0.1,remote=fd00::1", "same family");
	bad("vxlan,id=a,vni=1,local=10.0.0.1,remote=10.0.0.2,remote=10.0.0.2", "twice");
	bad("vxlan,id=a,vni=1,local=10.0.0.1,group=10.0.0.9", "multicast");
	bad("vxlan,id=a,vni=1,local=10.0.0.1,group=239.1.1.1,remote=10.0.0.2", "exclude");
	bad("vxlan,id=a,vni=1,local=10.0.0.1,dev=eth0", "'dev'");
	bad("vxlan,id=a,vni=1,local=10.0.0.1,srcport=2000-1000", "srcport");
	bad("vxlan,id=a,vni=1,local=10.0.0.1,srcport=0-10", "srcport");
	bad("geneve,id=a,vni=1,local=239.0.0.1", "multicast");
	bad("vxlan,id=a,vni-map=10:5010;10:5011,local=10.0.0.1", "'vni-map' maps VLAN 10");
	bad("vxlan,id=a,vni-map=10:5010;11:5010,local=10.0.0.1", "twice");
	bad("vxlan,id=a,vni-map=0:5010,local=10.0.0.1", "'vni-map' VLAN 0");
	bad("vxlan,id=a,vni-map=4095:5010,local=10.0.0.1", "out of range");
	bad("vxlan,id=a,vni-map=10:16777216,local=10.0.0.1", "out of range");
	bad("vxlan,id=a,vni-map=10,local=10.0.0.1", "VLAN:VNI pairs");
	bad("vxlan,id=a,vni-map=10:5;,local=10.0.0.1", "VLAN:VNI pairs");
	bad("vxlan,id=a,vni-map=,local=10.0.0.1", "VLAN:VNI pairs");
	bad("vxlan,id=a,vni-map=10:5:6,local=10.0.0.1", "VLAN:VNI pairs");
	bad("vxlan,id=a,vni-map=10:-5,local=10.0.0.1", "VLAN:VNI pairs");
	bad("vxlan,id=a,vni-map=10:123456789,local=10.0.0.1", "VLAN:VNI pairs");
	bad("vxlan,id=a,vni=5,vni-map=10:5,local=10.0.0.1", "native");
}

/* The table both ways, and its text as info network shows it. */
static void test_vni_map(void **state)
{
	struct vni_map m;
	char buf[128], why[128];
	uint32_t vni;
	uint16_t vlan;
	unsigned i;

	(void)state;
	assert_int_equal(vni_map_parse("10:5010;20:5020;4094:0", OVERLAY_VNI_MAX, &m, why,
				       sizeof(why)), 0);
	assert_int_equal(m.n, 3);
	assert_true(vni_map_vni(&m, 20, &vni) && vni == 5020);
	assert_true(vni_map_vni(&m, 4094, &vni) && vni == 0);
	assert_false(vni_map_vni(&m, 30, &vni));
	assert_true(vni_map_vlan(&m, 5010, &vlan) && vlan == 10);
	assert_false(vni_map_vlan(&m, 5030, &vlan));
	vni_map_format(&m, buf, sizeof(buf));
	assert_string_equal(buf, "10:5010;20:5020;4094:0");
	vni_map_format(&m, buf, 6); /* truncated, still terminated */
	assert_int_equal(strlen(buf), 5);
	/* 64 pairs fit, a 65th does not */
	size_t at = 0;
	char big[2048];
	for (i = 1; i <= 65; i++)
		at += (size_t)snprintf(big + at, sizeof(big) - at, "%s%u:%u", i > 1 ? ";" : "", i,
				       1000 + i);
	assert_int_equal(vni_map_parse(big, OVERLAY_VNI_MAX, &m, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "at most 64"));
	*strrchr(big, ';') = '\0';
	assert_int_equal(vni_map_parse(big, OVERLAY_VNI_MAX, &m, why, sizeof(why)), 0);
	assert_int_equal(m.n, 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vxlan_codec),
		cmocka_unit_test(test_geneve_codec),
		cmocka_unit_test(test_vtep_fdb),
		cmocka_unit_test(test_vtep_fdb_full),
		cmocka_unit_test(test_src_port),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_vni_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
