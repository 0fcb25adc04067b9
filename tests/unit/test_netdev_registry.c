/* SPDX-License-Identifier: MIT
 *
 * test_netdev_registry.c - what is generated from the netdev registry
 * (control/netdev_types.def): lookup and the names in messages, the
 * "Netdev types:" part of --help, the NETDEV TYPES section of vmwire(1),
 * each type's parse() handing back a netdev with its runtime ops, and the
 * sandbox's union of the configured netdevs' needs.
 *
 * The man page check reads doc/vmwire.1 (tests run from the top of the
 * tree) and fails when the committed section is not what the registry
 * prints: edit the type's file, then run "make man".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/capability.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "config/keyval.h"
#include "config/netdev.h"
#include "control/sandbox.h"
#include "ports/stream.h"

static char err[KV_ERR_MAX];

static char *capture(void (*fn)(FILE *out))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f);
	fclose(f);
	return buf;
}

static void test_find_and_names(void **state)
{
	const char *names = netdev_type_names();
	char expect[256] = "";
	size_t i;

	assert_true(netdev_types_count >= 5);
	for (i = 0; i < netdev_types_count; i++) {
		const struct netdev_type *t = netdev_types[i];

		assert_ptr_equal(netdev_type_find(t->name), t);
		snprintf(expect + strlen(expect), sizeof(expect) - strlen(expect), "%s%s",
			 i ? ", " : "", t->name);
	}
	assert_string_equal(names, expect);
	for (i = 0; i < 5; i++) {
		static const char *const known[] = { "stream", "socket", "dgram", "tap", "user" };

		assert_non_null(netdev_type_find(known[i]));
		assert_non_null(strstr(names, known[i]));
	}
	assert_null(netdev_type_find("netmap")); /* QEMU has it, vmwire not */
	assert_null(netdev_type_find(""));
	assert_null(netdev_type_find("strea"));
}

/* Every type documents itself, and --help shows all of it in 79 columns. */
/* Tunnels, a Linux bridge and a vde_switch uplink carry a whole LAN (port
 * security off by default); the types a VM or namespace attaches through
 * are single stations. */
static void test_uplink_types(void **state)
{
	static const char *const tunnels[] = { "vxlan", "geneve", "l2tpv3", "bridge", "vde" };
	static const char *const stations[] = { "stream", "socket", "dgram", "tap", "user",
						 "seqpacket", "vde-switch" };
	size_t i;

	for (i = 0; i < sizeof(tunnels) / sizeof(tunnels[0]); i++) {
		assert_non_null(netdev_type_find(tunnels[i]));
		assert_true(netdev_type_find(tunnels[i])->uplink);
	}
	for (i = 0; i < sizeof(stations) / sizeof(stations[0]); i++) {
		assert_non_null(netdev_type_find(stations[i]));
		assert_false(netdev_type_find(stations[i])->uplink);
	}
}

static void test_usage(void **state)
{
	char *help = capture(netdev_types_usage), *line, *save = NULL;
	const struct netdev_key *k;
	char lead[64];
	size_t i;

	for (i = 0; i < netdev_types_count; i++) {
		const struct netdev_type *t = netdev_types[i];

		assert_non_null(t->summary);
		assert_non_null(t->man);
		assert_non_null(t->parse);
		assert_non_null(t->keys);
		assert_non_null(t->keys[0].key);
		snprintf(lead, sizeof(lead), "\n  %s ", t->name);
		if (!strstr(help, lead))
			fail_msg("--help lacks the type line of '%s'", t->name);
		for (k = t->keys; k->key; k++) {
			assert_non_null(k->help);
			assert_true(*k->help && !strchr(k->help, '\n'));
			snprintf(lead, sizeof(lead), "\n      %s", k->key);
			if (!strstr(help, lead))
				fail_msg("--help lacks key '%s' of '%s'", k->key, t->name);
		}
	}
	for (line = strtok_r(help, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strlen(line) > 79)
			fail_msg("--help line wider than 79 columns: '%s'", line);
	free(help);
}

/* The committed man page carries exactly what the registry generates. */
static void test_man_page_in_step(void **state)
{
	char *gen = capture(netdev_types_man), *page = NULL, *begin, *end;
	size_t len = 0;
	FILE *f = fopen("doc/vmwire.1", "r");

	assert_non_null(f);
	assert_true(getdelim(&page, &len, '\0', f) > 0);
	fclose(f);
	begin = strstr(page, "BEGIN NETDEV TYPES");
	end = strstr(page, "\n.\\\" END NETDEV TYPES");
	assert_non_null(begin);
	assert_non_null(end);
	begin = strchr(begin, '\n') + 1;
	end[1] = '\0';
	if (strcmp(begin, gen))
		fail_msg("doc/vmwire.1's NETDEV TYPES differ from the registry: run 'make man'");
	assert_non_null(strstr(gen, ".SS stream\n"));
	assert_non_null(strstr(gen, "\\fBaddr.type=unix,addr.path=\\fIPATH\\fR\n"));
	free(page);
	free(gen);
}

static struct netdev *parse(const char *text)
{
	const struct netdev_type *t;
	struct netdev *nd;
	struct kvlist kv;

	assert_int_equal(kv_parse(&kv, "-netdev", text, "type", err, sizeof(err)), 0);
	t = netdev_type_find(kv_get(&kv, "type"));
	assert_non_null(t);
	nd = t->parse(&kv, err, sizeof(err));
	if (!nd)
		fail_msg("'%s': %s", text, err);
	kv_free(&kv);
	assert_ptr_equal(nd->type, t);
	assert_non_null(nd->ops);
	assert_non_null(nd->ops->start);
	assert_non_null(nd->ops->describe);
	assert_non_null(nd->ops->destroy);
	nd->next = NULL;
	return nd;
}

/* "socket" is a spelling: its netdevs run with stream's or dgram's ops. */
static void test_parse_sets_ops(void **state)
{
	struct netdev *nd;

	nd = parse("stream,server=on,addr.type=unix,addr.path=/tmp/r.sock");
	assert_ptr_equal(nd->ops, &stream_netdev_ops);
	nd->ops->destroy(nd);
	nd = parse("socket,listen=:5555");
	assert_string_equal(nd->type->name, "socket");
	assert_ptr_equal(nd->ops, &stream_netdev_ops);
	nd->ops->destroy(nd);
	nd = parse("socket,udp=127.0.0.1:5556,localaddr=127.0.0.1:5557");
	assert_ptr_equal(nd->ops, &dgram_netdev_ops);
	nd->ops->destroy(nd);
	nd = parse("dgram,local.type=inet,local.host=127.0.0.1,local.port=5558,"
		   "remote.type=inet,remote.host=127.0.0.1,remote.port=5559");
	assert_ptr_equal(nd->ops, &dgram_netdev_ops);
	nd->ops->destroy(nd);
	nd = parse("tap,ifname=vw0");
	assert_string_equal(nd->type->name, "tap");
	nd->ops->destroy(nd);
	nd = parse("user");
	assert_null(nd->ops->hint); /* VMs reach it through another netdev */
	nd->ops->destroy(nd);
}

static bool has_ioctl(const struct sandbox_needs *n, unsigned long req)
{
	unsigned i;

	for (i = 0; i < n->n_ioctls; i++)
		if (n->ioctls[i] == req)
			return true;
	return false;
}

static void destroy_all(struct netdev *nd)
{
	struct netdev *next;

	for (; nd; nd = next) {
		next = nd->next;
		nd->ops->destroy(nd);
	}
}

/* The filter is the base list plus the union of what the netdevs declare. */
static void test_sandbox_needs(void **state)
{
	struct netdev *a, *b, *c;
	struct sandbox_needs n;

	sandbox_needs_collect(NULL, &n);
	assert_int_equal(n.caps, 0);
	assert_false(n.spawns);
	assert_int_equal(n.n_ioctls, 0);

	a = parse("stream,server=on,addr.type=unix,addr.path=/tmp/r.sock");
	sandbox_needs_collect(a, &n);
	assert_int_equal(n.caps, 0);
	assert_false(n.spawns);
	assert_int_equal(n.n_ioctls, 0);
	assert_int_equal(n.n_syscalls, 0);

	/* Two TAPs: their ioctl once. */
	a->next = b = parse("tap,ifname=vw0");
	b->next = parse("tap,ifname=vw1");
	sandbox_needs_collect(a, &n);
	assert_int_equal(n.caps, 0);
	assert_int_equal(n.n_ioctls, 1);
	assert_true(has_ioctl(&n, TUNSETOFFLOAD));
	destroy_all(a);

	/* A gateway keeps CAP_NET_RAW; only a guestfwd cmd: spawns. */
	a = parse("user,guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:8080");
	sandbox_needs_collect(a, &n);
	assert_int_equal(n.caps, 1ull << CAP_NET_RAW);
	assert_false(n.spawns);
	assert_false(has_ioctl(&n, TUNSETOFFLOAD));
	a->next = c = parse("user,guestfwd=tcp:10.0.2.100:80-cmd:cat");
	sandbox_needs_collect(a, &n);
	assert_true(n.spawns);
	sandbox_needs_collect(c, &n);
	assert_true(n.spawns);
	destroy_all(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_and_names),
		cmocka_unit_test(test_uplink_types),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_man_page_in_step),
		cmocka_unit_test(test_parse_sets_ops),
		cmocka_unit_test(test_sandbox_needs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
