/* SPDX-License-Identifier: MIT
 *
 * test_netdev_parse.c - phase one of "-netdev stream", "-netdev dgram",
 * "-netdev socket", "-netdev l2tpv3" and "-netdev seqpacket": valid QEMU spellings parse into the expected
 * configuration with every key consumed, invalid ones are refused with an
 * error naming the key. Nothing is opened here (parse has no side effects);
 * tests/integration/stream_bad_input.sh covers start().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/keyval.h"
#include "config/netdev.h"
#include "ports/stream.h"

static char err[KV_ERR_MAX];

/* Types without a header of their own (declared where they are defined). */
extern const struct netdev_type netdev_l2tpv3_type;
extern const struct netdev_type netdev_seqpacket_type;

/* Parse like the CLI: it owns id (and the other common keys). */
static struct netdev *parse(const struct netdev_type *t, const char *text, struct kvlist *kv)
{
	struct netdev *nd;

	err[0] = '\0';
	assert_int_equal(kv_parse(kv, "-netdev", text, "type", err, sizeof(err)), 0);
	kv_get(kv, "id");
	nd = t->parse(kv, err, sizeof(err));
	if (nd) {
		assert_ptr_equal(nd->type, t);
		if (kv_check_unused(kv, t->name, err, sizeof(err)) < 0)
			fail_msg("'%s': key left unused: %s", text, err);
		snprintf(nd->common.id, sizeof(nd->common.id), "a");
	}
	return nd;
}

static struct netdev *ok(const struct netdev_type *t, const char *text, struct kvlist *kv)
{
	struct netdev *nd = parse(t, text, kv);

	if (!nd)
		fail_msg("'%s' rejected: %s", text, err);
	return nd;
}

static void done(struct netdev *nd, struct kvlist *kv)
{
	nd->ops->destroy(nd);
	kv_free(kv);
}

static void bad(const struct netdev_type *t, const char *text, const char *mention)
{
	struct kvlist kv;
	struct netdev *nd = parse(t, text, &kv);

	if (nd)
		fail_msg("'%s' accepted", text);
	if (!strstr(err, mention))
		fail_msg("'%s': error '%s' does not mention '%s'", text, err, mention);
	if (strchr(err, '\n'))
		fail_msg("'%s': error is not one line: '%s'", text, err);
	kv_free(&kv);
}

static char *hint_of(const struct netdev *nd)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	nd->ops->hint(nd, f);
	fclose(f);
	return buf;
}

static void test_stream_ok(void **state)
{
	struct kvlist kv;
	struct netdev *nd;
	const struct stream_cfg *c;
	char *h;

	nd = ok(&netdev_stream_type, "stream,id=a,server=on,addr.type=unix,addr.path=/tmp/a.sock", &kv);
	c = stream_netdev_cfg(nd);
	assert_ptr_equal(nd->ops, &stream_netdev_ops);
	assert_true(c->server);
	assert_int_equal(c->addr.kind, SA_UNIX);
	assert_string_equal(c->addr.path, "/tmp/a.sock");
	h = hint_of(nd);
	assert_string_equal(h, "-netdev stream,id=a,server=off,addr.type=unix,addr.path=/tmp/a.sock\n"
			       "-device virtio-net-pci,netdev=a\n");
	free(h);
	done(nd, &kv);

	/* ",," is a literal comma; the hint escapes it again */
	nd = ok(&netdev_stream_type, "stream,id=a,server=on,addr.type=unix,addr.path=/tmp/a,,b", &kv);
	assert_string_equal(stream_netdev_cfg(nd)->addr.path, "/tmp/a,b");
	h = hint_of(nd);
	assert_non_null(strstr(h, "addr.path=/tmp/a,,b\n"));
	free(h);
	done(nd, &kv);

	nd = ok(&netdev_stream_type, "stream,id=a,addr.type=inet,addr.host=127.0.0.1,addr.port=5555,"
		"reconnect=2", &kv);
	c = stream_netdev_cfg(nd);
	assert_false(c->server);
	assert_int_equal(c->addr.port, 5555);
	assert_int_equal(c->reconnect_ms, 2000);
	h = hint_of(nd);
	assert_string_equal(h, "-netdev stream,id=a,server=on,addr.type=inet,addr.host=127.0.0.1,"
			       "addr.port=5555\n-device virtio-net-pci,netdev=a\n");
	free(h);
	done(nd, &kv);

	nd = ok(&netdev_stream_type, "stream,id=a,server=off,addr.type=inet,addr.host=[::1],"
		"addr.port=1,reconnect-ms=250,addr.ipv6=on", &kv);
	c = stream_netdev_cfg(nd);
	assert_string_equal(c->addr.host, "::1");
	assert_int_equal(c->reconnect_ms, 250);
	assert_true(c->addr.ipv6);
	assert_false(c->addr.ipv4);
	done(nd, &kv);

	nd = ok(&netdev_stream_type, "stream,id=a,server=on,addr.type=inet,addr.port=0", &kv);
	assert_string_equal(stream_netdev_cfg(nd)->addr.host, "");
	done(nd, &kv);

	nd = ok(&netdev_stream_type, "stream,id=a,server=on,addr.type=unix,addr.path=x,"
		"addr.abstract=on,addr.tight=off", &kv);
	assert_true(stream_netdev_cfg(nd)->addr.abstract);
	assert_false(stream_netdev_cfg(nd)->addr.tight);
	done(nd, &kv);

	nd = ok(&netdev_stream_type, "stream,id=a,server=on,addr.type=fd,addr.str=3", &kv);
	assert_int_equal(stream_netdev_cfg(nd)->addr.fd, 3);
	done(nd, &kv);
}

static void test_stream_bad(void **state)
{
	const struct netdev_type *t = &netdev_stream_type;

	bad(t, "stream,id=a,server=on", "'addr.type'");
	bad(t, "stream,id=a,addr.type=tcp,addr.port=1", "'addr.type'");
	bad(t, "stream,id=a,server=maybe,addr.type=unix,addr.path=/x", "'server'");
	bad(t, "stream,id=a,server=on,addr.type=unix", "'addr.path'");
	bad(t, "stream,id=a,addr.path=/x", "'addr.type'");
	bad(t, "stream,id=a,server=on,addr.type=unix,addr.path=/x,addr.port=5", "'addr.port'");
	bad(t, "stream,id=a,server=on,addr.type=inet,addr.host=1.2.3.4,addr.path=/x", "'addr.path'");
	bad(t, "stream,id=a,server=on,addr.type=inet,addr.host=1.2.3.4", "'addr.port'");
	bad(t, "stream,id=a,server=on,addr.type=inet,addr.port=99999", "'addr.port'");
	bad(t, "stream,id=a,server=on,addr.type=inet,addr.port=http", "'addr.port'");
	bad(t, "stream,id=a,server=off,addr.type=inet,addr.port=5", "'addr.host'");
	bad(t, "stream,id=a,server=off,addr.type=inet,addr.host=h,addr.port=0", "'addr.port'");
	bad(t, "stream,id=a,server=on,addr.type=inet,addr.port=5,addr.ipv4=off,addr.ipv6=off",
	    "'addr.ipv4'");
	bad(t, "stream,id=a,server=on,addr.type=unix,addr.path=/x,reconnect=1", "'reconnect'");
	bad(t, "stream,id=a,server=on,addr.type=unix,addr.path=/x,reconnect-ms=1", "'reconnect-ms'");
	bad(t, "stream,id=a,addr.type=unix,addr.path=/x,reconnect=1,reconnect-ms=5", "'reconnect");
	bad(t, "stream,id=a,addr.type=unix,addr.path=/x,reconnect=-1", "'reconnect'");
	bad(t, "stream,id=a,addr.type=unix,addr.path=/x,addr.tight=off", "'addr.tight'");
	bad(t, "stream,id=a,addr.type=fd", "'addr.str'");
	bad(t, "stream,id=a,addr.type=fd,addr.str=myfd", "'addr.str'");
	{
		char text[400];

		snprintf(text, sizeof(text), "stream,id=a,server=on,addr.type=unix,addr.path=/%0200d", 0);
		bad(t, text, "'addr.path'");
	}
}

/* An unknown key is left unused, and the CLI's kv_check_unused names it. */
static void test_stream_unknown_key(void **state)
{
	struct kvlist kv;
	struct netdev *nd;

	assert_int_equal(kv_parse(&kv, "-netdev", "stream,id=a,server=on,addr.type=unix,"
				  "addr.path=/x,bogus=1", "type", err, sizeof(err)), 0);
	kv_get(&kv, "id");
	nd = netdev_stream_type.parse(&kv, err, sizeof(err));
	assert_non_null(nd);
	assert_int_equal(kv_check_unused(&kv, "stream", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'bogus'"));
	nd->ops->destroy(nd);
	kv_free(&kv);
}

static void test_dgram_ok(void **state)
{
	struct kvlist kv;
	struct netdev *nd;
	const struct dgram_cfg *c;

	nd = ok(&netdev_dgram_type, "dgram,id=a,local.type=inet,local.host=127.0.0.1,local.port=5000,"
		"remote.type=inet,remote.host=127.0.0.1,remote.port=5001", &kv);
	c = dgram_netdev_cfg(nd);
	assert_ptr_equal(nd->ops, &dgram_netdev_ops);
	assert_false(c->mcast);
	assert_int_equal(c->local.port, 5000);
	assert_int_equal(c->remote.port, 5001);
	done(nd, &kv);

	nd = ok(&netdev_dgram_type, "dgram,id=a,remote.type=inet,remote.host=230.0.0.1,"
		"remote.port=1234", &kv);
	c = dgram_netdev_cfg(nd);
	assert_true(c->mcast);
	assert_int_equal(c->local.kind, SA_NONE);
	done(nd, &kv);

	nd = ok(&netdev_dgram_type, "dgram,id=a,remote.type=inet,remote.host=230.0.0.1,"
		"remote.port=1234,local.type=inet,local.host=127.0.0.1", &kv);
	c = dgram_netdev_cfg(nd);
	assert_true(c->mcast);
	assert_string_equal(c->local.host, "127.0.0.1");
	done(nd, &kv);

	nd = ok(&netdev_dgram_type, "dgram,id=a,local.type=unix,local.path=/tmp/l,"
		"remote.type=unix,remote.path=/tmp/r", &kv);
	c = dgram_netdev_cfg(nd);
	assert_string_equal(c->local.path, "/tmp/l");
	assert_string_equal(c->remote.path, "/tmp/r");
	done(nd, &kv);
}

static void test_dgram_bad(void **state)
{
	const struct netdev_type *t = &netdev_dgram_type;

	bad(t, "dgram,id=a", "'remote.type' or 'local.type'");
	bad(t, "dgram,id=a,local.type=inet,local.port=1", "'remote.type'");
	bad(t, "dgram,id=a,remote.type=inet,remote.host=127.0.0.1,remote.port=1", "'local.type'");
	bad(t, "dgram,id=a,local.type=unix,local.path=/l,remote.type=inet,remote.host=1.2.3.4,"
	    "remote.port=1", "'remote.type'");
	bad(t, "dgram,id=a,remote.type=inet,remote.port=1,local.type=inet,local.port=2",
	    "'remote.host'");
	bad(t, "dgram,id=a,remote.type=inet,remote.host=1.2.3.4,remote.port=0,local.type=inet,"
	    "local.port=2", "'remote.port'");
	bad(t, "dgram,id=a,remote.type=inet,remote.host=230.0.0.1,remote.port=1,local.type=unix,"
	    "local.path=/x", "'local.type'");
	bad(t, "dgram,id=a,remote.type=inet,remote.host=230.0.0.1,remote.port=1,local.type=inet,"
	    "local.host=127.0.0.1,local.port=5", "'local.port'");
	bad(t, "dgram,id=a,local.type=fd,local.str=3", "'local.type'");
	bad(t, "dgram,id=a,remote.type=fd,remote.str=3", "'remote.type'");
	bad(t, "dgram,id=a,local.type=inet,local.port=x,remote.type=inet,remote.host=h,remote.port=1",
	    "'local.port'");
	bad(t, "dgram,id=a,remote.host=h", "'remote.type'");
}

static void test_socket_ok(void **state)
{
	struct kvlist kv;
	struct netdev *nd;
	char *h;

	nd = ok(&netdev_socket_type, "socket,id=a,listen=:5555", &kv);
	assert_ptr_equal(nd->ops, &stream_netdev_ops);
	assert_true(stream_netdev_cfg(nd)->server);
	assert_true(stream_netdev_cfg(nd)->compat);
	assert_string_equal(stream_netdev_cfg(nd)->addr.host, "");
	done(nd, &kv);

	nd = ok(&netdev_socket_type, "socket,id=a,connect=127.0.0.1:5555", &kv);
	assert_false(stream_netdev_cfg(nd)->server);
	h = hint_of(nd);
	assert_string_equal(h, "-netdev socket,id=a,listen=127.0.0.1:5555\n"
			       "-device virtio-net-pci,netdev=a\n");
	free(h);
	done(nd, &kv);

	nd = ok(&netdev_socket_type, "socket,id=a,mcast=230.0.0.1:1234,localaddr=127.0.0.1", &kv);
	assert_ptr_equal(nd->ops, &dgram_netdev_ops);
	assert_true(dgram_netdev_cfg(nd)->mcast);
	assert_string_equal(dgram_netdev_cfg(nd)->local.host, "127.0.0.1");
	done(nd, &kv);

	nd = ok(&netdev_socket_type, "socket,id=a,udp=127.0.0.1:6000,localaddr=127.0.0.1:6001", &kv);
	assert_false(dgram_netdev_cfg(nd)->mcast);
	assert_int_equal(dgram_netdev_cfg(nd)->remote.port, 6000);
	assert_int_equal(dgram_netdev_cfg(nd)->local.port, 6001);
	done(nd, &kv);
}

static void test_socket_bad(void **state)
{
	const struct netdev_type *t = &netdev_socket_type;

	bad(t, "socket,id=a", "'listen'");
	bad(t, "socket,id=a,listen=:1,connect=h:1", "more than one");
	bad(t, "socket,id=a,fd=3", "'fd'");
	bad(t, "socket,id=a,connect=:5", "'connect'");
	bad(t, "socket,id=a,connect=h:0", "'connect'");
	bad(t, "socket,id=a,connect=h", "'connect'");
	bad(t, "socket,id=a,listen=:99999", "'listen'");
	bad(t, "socket,id=a,listen=:1,localaddr=1.2.3.4", "'localaddr'");
	bad(t, "socket,id=a,mcast=10.0.0.1:5", "'mcast'");
	bad(t, "socket,id=a,mcast=230.0.0.1:5,localaddr=::1", "'localaddr'");
	bad(t, "socket,id=a,udp=127.0.0.1:5", "'localaddr'");
	bad(t, "socket,id=a,udp=127.0.0.1:5,localaddr=x", "'localaddr'");
	bad(t, "socket,id=a,udp=230.0.0.1:5,localaddr=:6", "'udp'");
}

static void describe_has(const char *text, const char *want)
{
	struct kvlist kv;
	struct netdev *nd = ok(&netdev_l2tpv3_type, text, &kv);
	char buf[512];

	nd->ops->describe(nd, buf, sizeof(buf));
	if (!strstr(buf, want))
		fail_msg("'%s': '%s' does not say '%s'", text, buf, want);
	done(nd, &kv);
}

static void test_l2tpv3(void **state)
{
	(void)state;
	describe_has("l2tpv3,src=1.2.3.4,dst=5.6.7.8,txsession=7", "ip  -> , session tx 7 rx 7, "
		     "cookie 0-bit, counter off");
	describe_has("l2tpv3,src=::1,dst=::1,ipv6=on,udp=on,srcport=1,dstport=2,txsession=1,"
		     "rxsession=2,txcookie=0xffffffff,rxcookie=0,counter=on", "udp");
	describe_has("l2tpv3,src=a,dst=b,txsession=1,txcookie=1,rxcookie=2", "cookie 32-bit");
	/* QEMU's quirk: the key's presence, not its value */
	describe_has("l2tpv3,src=a,dst=b,txsession=1,txcookie=1,rxcookie=2,cookie64=off",
		     "cookie 64-bit");
	describe_has("l2tpv3,src=a,dst=b,txsession=1,counter=on,pincounter=on,offset=256",
		     "counter pinned");
	describe_has("l2tpv3,src=a,dst=b,txsession=1,pincounter=on", "counter off");
	bad(&netdev_l2tpv3_type, "l2tpv3,dst=b,txsession=1", "'src'");
	bad(&netdev_l2tpv3_type, "l2tpv3,src=a,txsession=1", "'dst'");
	bad(&netdev_l2tpv3_type, "l2tpv3,src=a,dst=b", "'txsession'");
	bad(&netdev_l2tpv3_type, "l2tpv3,src=a,dst=b,txsession=4294967296", "'txsession'");
	bad(&netdev_l2tpv3_type, "l2tpv3,src=a,dst=b,udp=on,srcport=1,txsession=1", "'dstport'");
	bad(&netdev_l2tpv3_type, "l2tpv3,src=a,dst=b,srcport=1,dstport=1,txsession=1", "udp=on");
	bad(&netdev_l2tpv3_type, "l2tpv3,src=a,dst=b,txsession=1,txcookie=1", "both");
	bad(&netdev_l2tpv3_type, "l2tpv3,src=a,dst=b,txsession=1,txcookie=0x100000000,rxcookie=1",
	    "'txcookie'");
	bad(&netdev_l2tpv3_type, "l2tpv3,src=a,dst=b,txsession=1,offset=257", "'offset'");
	bad(&netdev_l2tpv3_type, "l2tpv3,src=a,dst=b,txsession=1,counter=maybe", "'counter'");
}

static void test_seqpacket(void **state)
{
	struct kvlist kv;
	struct netdev *nd;
	char buf[512];

	(void)state;
	nd = ok(&netdev_seqpacket_type, "seqpacket,server=on,addr.type=unix,addr.path=/tmp/x", &kv);
	done(nd, &kv);
	nd = ok(&netdev_seqpacket_type, "seqpacket,addr.type=unix,addr.path=/tmp/x,reconnect=2",
		&kv);
	nd->ops->describe(nd, buf, sizeof(buf));
	assert_non_null(strstr(buf, "reconnecting"));
	done(nd, &kv);
	bad(&netdev_seqpacket_type, "seqpacket,server=on", "addr.type");
	bad(&netdev_seqpacket_type, "seqpacket,addr.type=inet,addr.host=a,addr.port=1", "addr.type");
	bad(&netdev_seqpacket_type, "seqpacket,server=on,addr.type=unix,addr.path=/x,reconnect=1",
	    "server=off");
}

static void test_dgram_vfkit(void **state)
{
	struct kvlist kv;
	struct netdev *nd;

	(void)state;
	nd = ok(&netdev_dgram_type, "dgram,local.type=unix,local.path=/tmp/vf.sock", &kv);
	assert_true(dgram_netdev_cfg(nd)->learn_remote);
	done(nd, &kv);
	nd = ok(&netdev_dgram_type, "dgram,local.type=unix,local.path=/tmp/a,remote.type=unix,"
		"remote.path=/tmp/b", &kv);
	assert_false(dgram_netdev_cfg(nd)->learn_remote);
	done(nd, &kv);
	bad(&netdev_dgram_type, "dgram,local.type=inet,local.host=127.0.0.1,local.port=1",
	    "remote.type");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_ok),
		cmocka_unit_test(test_stream_bad),
		cmocka_unit_test(test_stream_unknown_key),
		cmocka_unit_test(test_dgram_ok),
		cmocka_unit_test(test_dgram_bad),
		cmocka_unit_test(test_socket_ok),
		cmocka_unit_test(test_socket_bad),
		cmocka_unit_test(test_l2tpv3),
		cmocka_unit_test(test_seqpacket),
		cmocka_unit_test(test_dgram_vfkit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
