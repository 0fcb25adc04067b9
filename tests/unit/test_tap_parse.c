/* SPDX-License-Identifier: MIT
 *
 * test_tap_parse.c - phase one of "-netdev tap": which keys are taken, which
 * QEMU keys are refused by name, and what the parsed netdev describes; and
 * the vnet header the kernel puts before each frame read from a TAP, which
 * is input like any other. No TAP is opened here; tests/integration/
 * tap_two_namespaces.sh and vlan_isolation.sh cover start() and the fd.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <errno.h>
#include <string.h>

#include "config/keyval.h"
#include "config/netdev.h"
#include "ports/netns.h"
#include "ports/tap.h"

static char err[KV_ERR_MAX];

/* Parse like the CLI does: the common keys belong to the caller, so mark
 * them used; then every remaining key must have been taken by the parser. */
static struct netdev *parse(const char *text, struct kvlist *kv)
{
	struct netdev *nd;

	err[0] = '\0';
	assert_int_equal(kv_parse(kv, "-netdev", text, "type", err, sizeof(err)), 0);
	kv_get(kv, "type");
	kv_get(kv, "id");
	nd = netdev_tap_type.parse(kv, err, sizeof(err));
	if (nd) {
		assert_ptr_equal(nd->type, &netdev_tap_type);
		assert_int_equal(kv_check_unused(kv, "tap", err, sizeof(err)), 0);
	}
	return nd;
}

static void parse_ok(const char *text, const char *ifname, const char *netns, unsigned mtu)
{
	struct kvlist kv;
	struct netdev *nd = parse(text, &kv);
	const struct tap_config *cfg;

	if (!nd)
		fail_msg("'%s' rejected: %s", text, err);
	cfg = tap_netdev_config(nd);
	assert_string_equal(cfg->ifname, ifname);
	assert_string_equal(cfg->netns, netns);
	assert_int_equal(cfg->mtu, mtu);
	nd->ops->destroy(nd);
	kv_free(&kv);
}

/* Rejected, with an error that names the offending key. */
static void parse_bad(const char *text, const char *must_mention)
{
	struct kvlist kv;
	struct netdev *nd = parse(text, &kv);

	if (nd)
		fail_msg("'%s' was accepted", text);
	if (!strstr(err, must_mention))
		fail_msg("error for '%s' lacks '%s': %s", text, must_mention, err);
	assert_non_null(strstr(err, "-netdev tap"));
	assert_null(strchr(err, '\n'));
	kv_free(&kv);
}

static void test_basic(void **state)
{
	parse_ok("tap,id=t0,ifname=vw0", "vw0", "", 0);
	parse_ok("tap,id=t0", "", "", 0); /* kernel picks vmwireN */
	parse_ok("tap,id=t0,ifname=abcdefghijklmno", "abcdefghijklmno", "", 0);
}

static void test_netns_and_mtu(void **state)
{
	parse_ok("tap,id=t1,ifname=vw1,netns=ns1", "vw1", "ns1", 0);
	parse_ok("tap,id=t1,ifname=vw1,netns=/proc/1234/ns/net,mtu=9000",
		 "vw1", "/proc/1234/ns/net", 9000);
	parse_ok("tap,id=t1,ifname=vw1,mtu=68", "vw1", "", 68);
	parse_ok("tap,id=t1,ifname=vw1,mtu=65535", "vw1", "", 65535);
}

static void test_qemu_noops(void **state)
{
	parse_ok("tap,id=t0,ifname=tap0,script=no,downscript=no", "tap0", "", 0);
	parse_ok("tap,id=t0,ifname=tap0,script=,downscript=", "tap0", "", 0);
	parse_ok("tap,id=t0,ifname=tap0,vnet_hdr=on", "tap0", "", 0);
}

static void test_offload_key(void **state)
{
	static const struct { const char *text; bool off; } cases[] = {
		{ "tap,id=t0,ifname=x", false },
		{ "tap,id=t0,ifname=x,offload=on", false },
		{ "tap,id=t0,ifname=x,offload=off", true },
		{ "tap,id=t0,ifname=x,offload=no", true },
	};
	struct kvlist kv;
	struct netdev *nd;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nd = parse(cases[i].text, &kv);
		if (!nd)
			fail_msg("'%s' rejected: %s", cases[i].text, err);
		assert_int_equal(tap_netdev_config(nd)->offload_off, cases[i].off);
		nd->ops->destroy(nd);
		kv_free(&kv);
	}
	parse_bad("tap,id=t0,ifname=x,offload=maybe", "'offload'");
}

static void test_qemu_unsupported(void **state)
{
	parse_bad("tap,id=t0,ifname=tap0,script=/etc/qemu-ifup", "'script' is not supported");
	parse_bad("tap,id=t0,ifname=tap0,script=no,downscript=/etc/qemu-ifdown",
		  "'downscript' is not supported");
	parse_bad("tap,id=t0,fd=3", "'fd' is not supported by vmwire");
	parse_bad("tap,id=t0,fds=3:4", "'fds'");
	parse_bad("tap,id=t0,ifname=tap0,vhost=on", "'vhost' is not supported by vmwire");
	parse_bad("tap,id=t0,vhostfd=5", "'vhostfd'");
	parse_bad("tap,id=t0,br=br0", "'br'");
	parse_bad("tap,id=t0,helper=/usr/lib/qemu/qemu-bridge-helper", "'helper'");
	parse_bad("tap,id=t0,ifname=tap0,queues=4", "'queues'");
	parse_bad("tap,id=t0,ifname=tap0,sndbuf=1048576", "'sndbuf'");
	parse_bad("tap,id=t0,ifname=tap0,vnet_hdr=off", "vnet_hdr");
	parse_bad("tap,id=t0,ifname=tap0,vnet_hdr=maybe", "'vnet_hdr'");
}

static void test_bad_values(void **state)
{
	parse_bad("tap,id=t0,ifname=abcdefghijklmnop", "'ifname'"); /* 16 chars */
	parse_bad("tap,id=t0,ifname=", "'ifname'");
	parse_bad("tap,id=t0,ifname=a/b", "'ifname'");
	parse_bad("tap,id=t0,ifname=a:b", "'ifname'");
	parse_bad("tap,id=t0,ifname=a b", "'ifname'");
	parse_bad("tap,id=t0,ifname=..", "'ifname'");
	parse_bad("tap,id=t0,ifname=x,mtu=67", "'mtu'");
	parse_bad("tap,id=t0,ifname=x,mtu=65536", "'mtu'");
	parse_bad("tap,id=t0,ifname=x,mtu=-1", "'mtu'");
	parse_bad("tap,id=t0,ifname=x,mtu=1500x", "'mtu'");
	parse_bad("tap,id=t0,ifname=x,netns=", "'netns'");
	parse_bad("tap,id=t0,ifname=x,netns=..", "'netns'");
}

static void test_unknown_key_left_for_caller(void **state)
{
	struct kvlist kv;
	struct netdev *nd;

	assert_int_equal(kv_parse(&kv, "-netdev", "tap,id=t0,ifname=x,bogus=1", "type",
				  err, sizeof(err)), 0);
	kv_get(&kv, "type");
	kv_get(&kv, "id");
	nd = netdev_tap_type.parse(&kv, err, sizeof(err));
	assert_non_null(nd);
	assert_int_equal(kv_check_unused(&kv, "tap", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'bogus'"));
	nd->ops->destroy(nd);
	kv_free(&kv);
}

static void test_describe_before_start(void **state)
{
	struct kvlist kv;
	struct netdev *nd = parse("tap,id=t0,ifname=tap0,netns=x,mtu=1500", &kv);
	char buf[256];

	assert_non_null(nd);
	nd->ops->describe(nd, buf, sizeof(buf));
	assert_string_equal(buf, "tap0 in netns /run/netns/x, mtu 1500");
	nd->ops->describe(nd, buf, 12); /* truncation stays terminated */
	assert_int_equal(strlen(buf), 11);
	nd->ops->destroy(nd);
	kv_free(&kv);

	nd = parse("tap,id=t0,ifname=vw1,netns=/proc/1/ns/net", &kv);
	assert_non_null(nd);
	nd->ops->describe(nd, buf, sizeof(buf));
	assert_string_equal(buf, "vw1 in netns /proc/1/ns/net");
	nd->ops->destroy(nd);
	kv_free(&kv);
}

static void test_helpers(void **state)
{
	char path[64];

	assert_true(tap_ifname_valid("tap0"));
	assert_true(tap_ifname_valid("vw1.10"));
	assert_false(tap_ifname_valid(""));
	assert_false(tap_ifname_valid("."));
	assert_false(tap_ifname_valid("tab\there"));
	assert_int_equal(netns_resolve("ns1", path, sizeof(path)), 0);
	assert_string_equal(path, "/run/netns/ns1");
	assert_int_equal(netns_resolve("/var/run/netns/a", path, sizeof(path)), 0);
	assert_string_equal(path, "/var/run/netns/a");
	assert_int_equal(netns_resolve("averyveryverylongnamespacenamethatdoesnotfitinsixtyfour",
				       path, sizeof(path)), -ENAMETOOLONG);
	assert_true(netns_spec_valid("ns1"));
	assert_false(netns_spec_valid("."));
	assert_false(netns_spec_valid(""));
	assert_false(netns_spec_valid(NULL));
}

/* ---- vnet header on rx ---- */

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* vnet header + Ethernet + IPv4 + UDP with 'plen' payload bytes, checksum
 * left partial the way the kernel hands out CHECKSUM_PARTIAL frames: the
 * field holds the folded pseudo-header sum. Returns bytes "read". */
static size_t udp_partial(uint8_t *buf, size_t plen)
{
	uint8_t *f = buf + TAP_VNET_HDR_LEN, *ip = f + 14, *udp = ip + 20;
	uint16_t ulen = (uint16_t)(8 + plen);
	uint32_t ps;
	size_t i;

	memset(buf, 0, TAP_VNET_HDR_LEN + 14 + 28 + plen);
	buf[0] = 1;                     /* VIRTIO_NET_HDR_F_NEEDS_CSUM */
	buf[6] = 14 + 20; buf[7] = 0;   /* csum_start, little endian */
	buf[8] = 6; buf[9] = 0;         /* csum_offset: UDP checksum field */
	memset(f, 0xff, 6);
	f[6] = 0x02; f[11] = 1;
	f[12] = 0x08; f[13] = 0x00;
	ip[0] = 0x45; ip[8] = 64; ip[9] = 17;
	ip[2] = (uint8_t)((20 + ulen) >> 8); ip[3] = (uint8_t)(20 + ulen);
	memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	udp[0] = 0x30; udp[1] = 0x39; udp[2] = 0x00; udp[3] = 0x35;
	udp[4] = (uint8_t)(ulen >> 8); udp[5] = (uint8_t)ulen;
	for (i = 0; i < plen; i++)
		udp[8 + i] = (uint8_t)(i * 7 + 3);
	ps = sum16(ip + 12, 8, 17 + ulen);
	udp[6] = (uint8_t)(fold(ps) >> 8);
	udp[7] = (uint8_t)fold(ps);
	return TAP_VNET_HDR_LEN + 14 + 20 + ulen;
}

static void test_vnet_plain(void **state)
{
	uint8_t buf[128] = { 0 };
	size_t len = 0;

	assert_int_equal(tap_vnet_rx(buf, TAP_VNET_HDR_LEN + 60, &len), TAP_RX_OK);
	assert_int_equal(len, 60);
	assert_int_equal(tap_vnet_rx(buf, TAP_VNET_HDR_LEN, &len), TAP_RX_OK);
	assert_int_equal(len, 0); /* port_receive() drops the runt */
	assert_int_equal(tap_vnet_rx(buf, TAP_VNET_HDR_LEN - 1, &len), TAP_RX_BAD);
	assert_int_equal(tap_vnet_rx(buf, 0, &len), TAP_RX_BAD);
}

static void test_vnet_gso_dropped(void **state)
{
	static const uint8_t types[] = { 1, 3, 4, 5, 0x81 }; /* TCPv4, UDP, TCPv6, UDP_L4, ECN|TCPv4 */
	uint8_t buf[128];
	size_t i, len;

	for (i = 0; i < sizeof(types); i++) {
		memset(buf, 0, sizeof(buf));
		buf[1] = types[i];
		assert_int_equal(tap_vnet_rx(buf, sizeof(buf), &len), TAP_RX_GSO);
	}
	memset(buf, 0, sizeof(buf));
	buf[1] = 0x80; /* ECN alone is no GSO */
	assert_int_equal(tap_vnet_rx(buf, sizeof(buf), &len), TAP_RX_OK);
}

static void test_vnet_csum_completed(void **state)
{
	static const size_t plens[] = { 0, 1, 18, 1001, 1472 };
	uint8_t buf[TAP_VNET_HDR_LEN + 1600];
	size_t i, n, len;

	for (i = 0; i < sizeof(plens) / sizeof(plens[0]); i++) {
		uint8_t *ip, *udp;
		uint16_t ulen;

		n = udp_partial(buf, plens[i]);
		assert_int_equal(tap_vnet_rx(buf, n, &len), TAP_RX_CSUM);
		assert_int_equal(len, n - TAP_VNET_HDR_LEN);
		ip = buf + TAP_VNET_HDR_LEN + 14;
		udp = ip + 20;
		ulen = (uint16_t)(8 + plens[i]);
		/* A receiver's check: pseudo header + segment sums to 0xffff. */
		assert_int_equal(fold(sum16(udp, ulen, sum16(ip + 12, 8, 17 + ulen))), 0xffff);
		assert_false(udp[6] == 0 && udp[7] == 0);
	}
}

static void test_vnet_csum_hostile_offsets(void **state)
{
	uint8_t buf[TAP_VNET_HDR_LEN + 100];
	size_t len, n = udp_partial(buf, 10);
	size_t flen = n - TAP_VNET_HDR_LEN;
	struct { unsigned start, offset; } bad[] = {
		{ (unsigned)flen, 0 },          /* start at the end */
		{ (unsigned)flen - 1, 0 },      /* field would straddle the end */
		{ 34, (unsigned)flen - 35 },    /* start+offset+2 > len by one */
		{ 0xffff, 0xffff },
		{ 34, 0xfffe },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = udp_partial(buf, 10);
		buf[6] = (uint8_t)bad[i].start; buf[7] = (uint8_t)(bad[i].start >> 8);
		buf[8] = (uint8_t)bad[i].offset; buf[9] = (uint8_t)(bad[i].offset >> 8);
		assert_int_equal(tap_vnet_rx(buf, n, &len), TAP_RX_BAD);
	}
	/* The last two bytes of the frame are still a legal field. */
	n = udp_partial(buf, 10);
	buf[8] = (uint8_t)(flen - 34 - 2);
	assert_int_equal(tap_vnet_rx(buf, n, &len), TAP_RX_CSUM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_netns_and_mtu),
		cmocka_unit_test(test_qemu_noops),
		cmocka_unit_test(test_offload_key),
		cmocka_unit_test(test_qemu_unsupported),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_unknown_key_left_for_caller),
		cmocka_unit_test(test_describe_before_start),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_vnet_plain),
		cmocka_unit_test(test_vnet_gso_dropped),
		cmocka_unit_test(test_vnet_csum_completed),
		cmocka_unit_test(test_vnet_csum_hostile_offsets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
