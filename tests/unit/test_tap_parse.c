/* SPDX-License-Identifier: MIT
 *
 * test_tap_parse.c - phase one of "-netdev tap": which keys are taken, which
 * QEMU keys are refused by name, and what the parsed netdev describes. No
 * TAP is opened here; tests/integration/tap_*.sh cover start().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <errno.h>
#include <string.h>

#include "control/keyval.h"
#include "control/netdev.h"
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
	nd->type->destroy(nd);
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
	nd->type->destroy(nd);
	kv_free(&kv);
}

static void test_describe_before_start(void **state)
{
	struct kvlist kv;
	struct netdev *nd = parse("tap,id=t0,ifname=tap0,netns=x,mtu=1500", &kv);
	char buf[256];

	assert_non_null(nd);
	nd->type->describe(nd, buf, sizeof(buf));
	assert_string_equal(buf, "tap0 in netns /run/netns/x, mtu 1500");
	nd->type->describe(nd, buf, 12); /* truncation stays terminated */
	assert_int_equal(strlen(buf), 11);
	nd->type->destroy(nd);
	kv_free(&kv);

	nd = parse("tap,id=t0,ifname=vw1,netns=/proc/1/ns/net", &kv);
	assert_non_null(nd);
	nd->type->describe(nd, buf, sizeof(buf));
	assert_string_equal(buf, "vw1 in netns /proc/1/ns/net");
	nd->type->destroy(nd);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_netns_and_mtu),
		cmocka_unit_test(test_qemu_noops),
		cmocka_unit_test(test_qemu_unsupported),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_unknown_key_left_for_caller),
		cmocka_unit_test(test_describe_before_start),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
