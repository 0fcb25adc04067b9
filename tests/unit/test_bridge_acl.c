/* SPDX-License-Identifier: MIT
 *
 * test_bridge_acl.c - qemu-bridge-helper's ACL syntax (config/bridge_acl.c):
 * allow/deny of a name and of all, deny winning, default deny, blanks and
 * comments, includes (nested, missing, looping), and every malformed line
 * failing the whole check; and phase one of "-netdev bridge".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/bridge_acl.h"
#include "config/keyval.h"
#include "config/netdev.h"
#include "ports/tap.h"

extern const struct netdev_type netdev_bridge_type;

static char dir[] = "/tmp/vw-test-acl.XXXXXX";
static char err[1024];

static const char *file(const char *name, const char *text)
{
	static char path[8][256];
	static unsigned n;
	char *p = path[n++ % 8];
	FILE *f;

	snprintf(p, 256, "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static int check_text(const char *text, const char *br)
{
	return bridge_acl_check(file("t.conf", text), br, err, sizeof(err));
}

static void allowed(const char *text, const char *br)
{
	if (check_text(text, br) < 0)
		fail_msg("'%s' refused %s: %s", text, br, err);
}

static void denied(const char *text, const char *br, const char *why)
{
	if (check_text(text, br) == 0)
		fail_msg("'%s' allowed %s", text, br);
	if (!strstr(err, why))
		fail_msg("'%s': error lacks '%s': %s", text, why, err);
	assert_null(strchr(err, '\n'));
}

static void test_rules(void **state)
{
	allowed("allow br0\n", "br0");
	allowed("allow all\n", "br0");
	allowed("  # comment\n\n\tallow\t br0  \r\n", "br0");
	allowed("allow br1\nallow br0", "br0"); /* no final newline */
	allowed("deny br1\nallow all\n", "br0");
	denied("", "br0", "no allow rule");
	denied("# only a comment\n", "br0", "no allow rule");
	denied("allow br1\n", "br0", "no allow rule");
	denied("allow br0x\n", "br0", "no allow rule"); /* whole names only */
	denied("allow all\ndeny br0\n", "br0", "deny rule");
	denied("deny br0\nallow br0\n", "br0", "deny rule"); /* order does not matter */
	denied("allow br0\ndeny all\n", "br0", "deny rule");
}

static void test_malformed(void **state)
{
	char big[BRIDGE_ACL_LINE_MAX + 16];

	denied("allow br0\nallowed br0\n", "br0", "unknown keyword 'allowed'");
	denied("allow br0\nALLOW br0\n", "br0", "unknown keyword");
	denied("allow br0\nallow\n", "br0", "without an argument");
	denied("allow br0\ndeny   \n", "br0", "without an argument");
	denied("allow br0 br1\n", "br0", "not an interface name");
	denied("allow abcdefghijklmnop\n", "br0", "not an interface name");
	memset(big, 'x', sizeof(big));
	memcpy(big, "allow ", 6);
	big[sizeof(big) - 1] = '\0';
	denied(big, "br0", "longer than");
	assert_int_equal(bridge_acl_check("/nonexistent/vw.conf", "br0", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(bridge_acl_check(dir, "br0", err, sizeof(err)), -1); /* a directory */
	assert_int_equal(check_text("allow all\n", ""), -1);
	assert_int_equal(check_text("allow all\n", "abcdefghijklmnopq"), -1);
}

static void test_nul_in_text(void **state)
{
	struct bridge_acl acl = { .bridge = "br0", .includes = true };
	static const char text[] = "allow br0\n\0deny br0\n";

	assert_int_equal(bridge_acl_feed(&acl, text, sizeof(text) - 1, "mem", 0, err,
					 sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL"));
}

static void test_include(void **state)
{
	char text[600];
	const char *inner = file("inner.conf", "allow br0\n");
	const char *deny = file("deny.conf", "deny br0\n");

	snprintf(text, sizeof(text), "include %s\n", inner);
	allowed(text, "br0");
	denied(text, "br1", "no allow rule");
	snprintf(text, sizeof(text), "allow all\ninclude %s\n", deny);
	denied(text, "br0", "deny rule");
	snprintf(text, sizeof(text), "allow br0\ninclude %s/missing.conf\n", dir);
	denied(text, "br0", "No such file"); /* qemu-bridge-helper would ignore it */
	snprintf(text, sizeof(text), "include %s/loop.conf\n", dir);
	file("loop.conf", text);
	denied(text, "br0", "nested deeper");
	snprintf(text, sizeof(text), "include %s/inner.conf\n", dir);
	{
		struct bridge_acl acl = { .bridge = "br0", .includes = false };

		assert_int_equal(bridge_acl_feed(&acl, text, strlen(text), "mem", 0, err,
						 sizeof(err)), -1);
		assert_non_null(strstr(err, "not allowed"));
	}
}

static struct netdev *parse(const char *text, struct kvlist *kv)
{
	struct netdev *nd;

	err[0] = '\0';
	assert_int_equal(kv_parse(kv, "-netdev", text, "type", err, sizeof(err)), 0);
	kv_get(kv, "type");
	kv_get(kv, "id");
	nd = netdev_bridge_type.parse(kv, err, sizeof(err));
	if (nd)
		assert_int_equal(kv_check_unused(kv, "bridge", err, sizeof(err)), 0);
	return nd;
}

static void parse_ok(const char *text, const char *br, const char *acl, const char *ifname)
{
	struct kvlist kv;
	struct netdev *nd = parse(text, &kv);
	const struct tap_config *cfg;

	if (!nd)
		fail_msg("'%s' rejected: %s", text, err);
	assert_ptr_equal(nd->type, &netdev_bridge_type);
	cfg = tap_netdev_config(nd);
	assert_string_equal(cfg->bridge, br);
	assert_string_equal(cfg->acl, acl);
	assert_string_equal(cfg->ifname, ifname);
	assert_false(cfg->no_vnet_hdr);
	nd->ops->destroy(nd);
	kv_free(&kv);
}

static void parse_bad(const char *text, const char *must_mention)
{
	struct kvlist kv;

	if (parse(text, &kv))
		fail_msg("'%s' was accepted", text);
	if (!strstr(err, must_mention))
		fail_msg("error for '%s' lacks '%s': %s", text, must_mention, err);
	kv_free(&kv);
}

static void test_netdev_parse(void **state)
{
	assert_true(netdev_bridge_type.uplink);
	parse_ok("bridge,id=b,br=br0", "br0", "/etc/qemu/bridge.conf", "");
	parse_ok("bridge,id=b,br=virbr0,acl=/x/acl,ifname=vm1", "virbr0", "/x/acl", "vm1");
	parse_bad("bridge,id=b", "'br'");
	parse_bad("bridge,id=b,br=", "'br'");
	parse_bad("bridge,id=b,br=a/b", "'br'");
	parse_bad("bridge,id=b,br=abcdefghijklmnop", "'br'");
	parse_bad("bridge,id=b,br=br0,acl=", "'acl'");
	parse_bad("bridge,id=b,br=br0,ifname=a b", "'ifname'");
	parse_bad("bridge,id=b,br=br0,helper=/usr/lib/qemu/qemu-bridge-helper", "'helper'");
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_nul_in_text),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_netdev_parse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
