/* SPDX-License-Identifier: MIT
 *
 * test_vde.c - the vde_switch control request (ports/vde_proto.c): what a
 * well-formed libvdeplug request parses to, each malformed field refused
 * with its reason, the builder's output parsed back; and phase one of
 * "-netdev vde-switch" and "-netdev vde": keys taken, bad values refused
 * naming the key. Sockets are covered by tests/integration/vde.sh.
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
#include "ports/vde_proto.h"

extern const struct netdev_type netdev_vde_switch_type;
extern const struct netdev_type netdev_vde_type;

static char err[KV_ERR_MAX];

/* A request as vdeplug4 writes it: packed, host order, description
 * without its NUL. */
static size_t mkreq(uint8_t *b, uint32_t magic, uint32_t version, uint32_t type,
		    uint16_t family, const char *path, const char *descr, size_t dlen)
{
	memset(b, 0, VDE_REQ_MAX + 64);
	memcpy(b, &magic, 4);
	memcpy(b + 4, &version, 4);
	memcpy(b + 8, &type, 4);
	memcpy(b + 12, &family, 2);
	memcpy(b + 14, path, strlen(path));
	memcpy(b + VDE_REQ_FIXED, descr, dlen);
	return VDE_REQ_FIXED + dlen;
}

static void test_request_good(void **state)
{
	uint8_t b[VDE_REQ_MAX + 64];
	struct vde_request rq;
	const char *why = NULL;
	size_t n;

	assert_int_equal(VDE_REQ_FIXED, 122);
	n = mkreq(b, VDE_MAGIC, 3, 0, AF_UNIX, "/run/vde/.01234-00000", "vdeplug: user=a", 15);
	assert_int_equal(vde_request_parse(b, n, 32, &rq, &why), 0);
	assert_false(rq.port0);
	assert_int_equal(rq.port, 0);
	assert_string_equal(rq.path, "/run/vde/.01234-00000");
	assert_string_equal(rq.descr, "vdeplug: user=a");

	n = mkreq(b, VDE_MAGIC, 3, 7u << 8, AF_UNIX, "/s", "", 0);
	assert_int_equal(vde_request_parse(b, n, 32, &rq, &why), 0);
	assert_int_equal(rq.port, 7);
	assert_string_equal(rq.descr, "");

	n = mkreq(b, VDE_MAGIC, 3, 1, AF_UNIX, "/s", "a\x01\xff\x7f" "b\0zz", 8);
	assert_int_equal(vde_request_parse(b, n, 32, &rq, &why), 0);
	assert_true(rq.port0);
	assert_string_equal(rq.descr, "a???b"); /* non-printable masked, NUL ends it */

	memset(b + VDE_REQ_FIXED, 'x', VDE_DESCR_MAX);
	assert_int_equal(vde_request_parse(b, VDE_REQ_MAX, 32, &rq, &why), 0);
	assert_int_equal(strlen(rq.descr), VDE_DESCR_MAX);
}

static void bad(const uint8_t *b, size_t n, unsigned max, const char *reason)
{
	struct vde_request rq;
	const char *why = NULL;

	assert_int_equal(vde_request_parse(b, n, max, &rq, &why), -1);
	assert_non_null(why);
	if (!strstr(why, reason))
		fail_msg("refused for '%s', expected '%s'", why, reason);
}

static void test_request_bad(void **state)
{
	uint8_t b[VDE_REQ_MAX + 64];
	size_t n;
	char longpath[120];

	n = mkreq(b, VDE_MAGIC, 3, 0, AF_UNIX, "/s", "d", 1);
	bad(b, VDE_REQ_FIXED - 1, 32, "short");
	bad(b, 0, 32, "short");
	bad(b, VDE_REQ_MAX + 1, 32, "longer");
	n = mkreq(b, VDE_MAGIC + 1, 3, 0, AF_UNIX, "/s", "d", 1);
	bad(b, n, 32, "magic");
	n = mkreq(b, __builtin_bswap32(VDE_MAGIC), 3, 0, AF_UNIX, "/s", "d", 1);
	bad(b, n, 32, "magic"); /* the other byte order */
	n = mkreq(b, VDE_MAGIC, 2, 0, AF_UNIX, "/s", "d", 1);
	bad(b, n, 32, "version");
	n = mkreq(b, VDE_MAGIC, 3, 2, AF_UNIX, "/s", "d", 1);
	bad(b, n, 32, "type");
	n = mkreq(b, VDE_MAGIC, 3, 1 | 4u << 8, AF_UNIX, "/s", "d", 1);
	bad(b, n, 32, "NEW_PORT0");
	n = mkreq(b, VDE_MAGIC, 3, 33u << 8, AF_UNIX, "/s", "d", 1);
	bad(b, n, 32, "max-ports");
	n = mkreq(b, VDE_MAGIC, 3, 0xffffff00u, AF_UNIX, "/s", "d", 1);
	bad(b, n, VDE_PORT_LIMIT, "max-ports");
	n = mkreq(b, VDE_MAGIC, 3, 0, AF_INET, "/s", "d", 1);
	bad(b, n, 32, "AF_UNIX");
	n = mkreq(b, VDE_MAGIC, 3, 0, AF_UNIX, "", "d", 1);
	bad(b, n, 32, "empty");
	n = mkreq(b, VDE_MAGIC, 3, 0, AF_UNIX, "rel/s", "d", 1);
	bad(b, n, 32, "absolute");
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	memcpy(longpath + 108, "", 1);
	n = mkreq(b, VDE_MAGIC, 3, 0, AF_UNIX, longpath, "d", 1);
	bad(b, n, 32, "terminated"); /* 108 bytes, no NUL inside sun_path */
}

static void test_request_build(void **state)
{
	uint8_t b[VDE_REQ_MAX];
	struct vde_request rq;
	const char *why = NULL;
	char longd[300];
	size_t n;

	n = vde_request_build(b, sizeof(b), 3, "/tmp/x/.1-0", "vmwire");
	assert_int_equal(n, VDE_REQ_FIXED + 6);
	assert_int_equal(vde_request_parse(b, n, 32, &rq, &why), 0);
	assert_int_equal(rq.port, 3);
	assert_string_equal(rq.path, "/tmp/x/.1-0");
	assert_string_equal(rq.descr, "vmwire");
	memset(longd, 'y', sizeof(longd) - 1);
	longd[sizeof(longd) - 1] = '\0';
	n = vde_request_build(b, sizeof(b), 0, "/p", longd);
	assert_int_equal(n, VDE_REQ_MAX); /* cut at 128 */
	assert_int_equal(vde_request_build(b, sizeof(b) - 1, 0, "/p", ""), 0);
	memset(longd, 'z', 108);
	longd[108] = '\0';
	assert_int_equal(vde_request_build(b, sizeof(b), 0, longd, ""), 0);
}

static struct netdev *parse(const struct netdev_type *t, const char *text, struct kvlist *kv)
{
	struct netdev *nd;

	err[0] = '\0';
	assert_int_equal(kv_parse(kv, "-netdev", text, "type", err, sizeof(err)), 0);
	kv_get(kv, "type");
	kv_get(kv, "id");
	nd = t->parse(kv, err, sizeof(err));
	if (nd) {
		assert_ptr_equal(nd->type, t);
		assert_int_equal(kv_check_unused(kv, t->name, err, sizeof(err)), 0);
	}
	return nd;
}

static void parse_ok(const struct netdev_type *t, const char *text, const char *describe)
{
	struct kvlist kv;
	struct netdev *nd = parse(t, text, &kv);
	char buf[512];

	if (!nd)
		fail_msg("'%s' rejected: %s", text, err);
	nd->ops->describe(nd, buf, sizeof(buf));
	if (!strstr(buf, describe))
		fail_msg("'%s' describes as '%s', expected '%s'", text, buf, describe);
	nd->ops->destroy(nd);
	kv_free(&kv);
}

static void parse_bad(const struct netdev_type *t, const char *text, const char *must_mention)
{
	struct kvlist kv;
	struct netdev *nd = parse(t, text, &kv);

	if (nd)
		fail_msg("'%s' was accepted", text);
	if (!strstr(err, must_mention))
		fail_msg("error for '%s' lacks '%s': %s", text, must_mention, err);
	assert_null(strchr(err, '\n'));
	kv_free(&kv);
}

static void test_switch_parse(void **state)
{
	const struct netdev_type *t = &netdev_vde_switch_type;

	parse_ok(t, "vde-switch,id=v,sock=/run/vde", "on /run/vde/ctl, 0 of 32 ports");
	parse_ok(t, "vde-switch,id=v,sock=/run/vde///", "on /run/vde/ctl");
	parse_ok(t, "vde-switch,id=v,sock=/r,max-ports=4096,mode=0660,group=0", "0 of 4096");
	parse_ok(t, "vde-switch,id=v,sock=/r,group=root,mode=777", "/r/ctl");
	parse_bad(t, "vde-switch,id=v", "'sock'");
	parse_bad(t, "vde-switch,id=v,sock=", "'sock'");
	parse_bad(t, "vde-switch,id=v,sock=/r,max-ports=0", "'max-ports'");
	parse_bad(t, "vde-switch,id=v,sock=/r,max-ports=4097", "'max-ports'");
	parse_bad(t, "vde-switch,id=v,sock=/r,mode=0800", "'mode'");
	parse_bad(t, "vde-switch,id=v,sock=/r,mode=1777", "'mode'");
	parse_bad(t, "vde-switch,id=v,sock=/r,mode=", "'mode'");
	parse_bad(t, "vde-switch,id=v,sock=/r,group=no-such-group-vw", "'group'");
	parse_bad(t, "vde-switch,id=v,sock=/r,group=", "'group'");
	parse_bad(t, "vde-switch,id=v,sock=/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "'sock'");
}

static void test_client_parse(void **state)
{
	const struct netdev_type *t = &netdev_vde_type;

	assert_true(t->uplink);
	assert_false(netdev_vde_switch_type.uplink); /* its clients are VMs */
	parse_ok(t, "vde,id=v,sock=/run/vde.ctl", "vde_switch /run/vde.ctl, not connected");
	parse_ok(t, "vde,id=v,sock=/r/,port=7,mode=0660,group=0", "vde_switch /r,");
	parse_ok(t, "vde,id=v,sock=/r,port=0", "/r");
	parse_bad(t, "vde,id=v", "'sock'");
	parse_bad(t, "vde,id=v,sock=/r,port=4097", "'port'");
	parse_bad(t, "vde,id=v,sock=/r,port=x", "'port'");
	parse_bad(t, "vde,id=v,sock=/r,mode=9", "'mode'");
	parse_bad(t, "vde,id=v,sock=/r,group=-1", "'group'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_good),
		cmocka_unit_test(test_request_bad),
		cmocka_unit_test(test_request_build),
		cmocka_unit_test(test_switch_parse),
		cmocka_unit_test(test_client_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
