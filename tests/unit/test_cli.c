/* SPDX-License-Identifier: MIT
 *
 * test_cli.c - command line parsing: good command lines give the right
 * struct cli, each class of mistake gives exit status 2 and one line that
 * names the option. Parsing runs against a fake "stream" type so these tests
 * pin the CLI's own rules; one test runs the issue's example against the
 * real registry.
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

#include "control/cli.h"
#include "config/keyval.h"

/* ---- a fake netdev type ---------------------------------------------- */

struct fake_nd {
	struct netdev nd;
	bool server;
	char path[256];
};

static int fake_live; /* parsed minus destroyed: must return to 0 */

static void fake_destroy(struct netdev *nd);

static const struct netdev_ops fake_ops = {
	.destroy = fake_destroy,
};

static struct netdev *fake_parse(struct kvlist *kv, char *err, size_t errlen)
{
	struct fake_nd *f;
	const char *s;

	if (kv_get(kv, "fail")) {
		kv_errorf(err, errlen, kv, "'fail' asked for it");
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->nd.ops = &fake_ops;
	if (kv_get_bool(kv, "server", &f->server, err, errlen) < 0) {
		free(f);
		return NULL;
	}
	kv_get(kv, "addr.type");
	s = kv_get(kv, "addr.path");
	if (s)
		snprintf(f->path, sizeof(f->path), "%s", s);
	fake_live++;
	return &f->nd;
}

static void fake_destroy(struct netdev *nd)
{
	fake_live--;
	free(nd);
}

static const struct netdev_type fake_stream = {
	.name = "stream",
	.parse = fake_parse,
};

/* A tunnel's shape: the same parser, marked as carrying a whole LAN. */
static const struct netdev_type fake_tunnel = {
	.name = "tunnel",
	.parse = fake_parse,
	.uplink = true,
};

static const struct netdev_type *fake_find(const char *name)
{
	if (!strcmp(name, "tunnel"))
		return &fake_tunnel;
	return strcmp(name, "stream") ? NULL : &fake_stream;
}

static const char *fake_names(void) { return "stream"; }

static const struct cli_registry fake_reg = { fake_find, fake_names, false };
static const struct cli_registry embedded_reg = { fake_find, fake_names, true };

/* ---- helpers ------------------------------------------------------------ */

static char err[CLI_ERR_MAX];

/* Parse a NULL-terminated list of arguments (argv[0] is supplied). */
static int parse(struct cli *cli, ...)
{
	char *argv[64] = { (char *)"vmwire" };
	int argc = 1, rc;
	va_list ap;

	va_start(ap, cli);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	rc = cli_parse_registry(&fake_reg, argc, argv, cli, err, sizeof(err));
	if (rc != CLI_OK)
		assert_int_equal(fake_live, 0); /* a failed parse owns nothing */
	return rc;
}

#define EXPECT_FAIL(cli, n1, n2, ...)                                          \
	do {                                                                   \
		assert_int_equal(parse(cli, __VA_ARGS__, NULL), CLI_ERROR);    \
		if (!strstr(err, n1) || !strstr(err, n2))                      \
			fail_msg("error '%s' lacks '%s' or '%s'", err, n1, n2);\
		assert_null(strchr(err, '\n'));                                \
	} while (0)

static void done(struct cli *cli)
{
	cli_free(cli);
	assert_int_equal(fake_live, 0);
}

/* ---- good command lines ------------------------------------------------- */

static void test_issue_example(void **state)
{
	struct cli cli;
	struct fake_nd *a, *b;

	assert_int_equal(parse(&cli, "-netdev",
			       "stream,id=a,server=on,addr.type=unix,addr.path=/tmp/a.sock",
			       "-netdev",
			       "stream,id=b,server=on,addr.type=unix,addr.path=/tmp/b.sock",
			       NULL), CLI_OK);
	a = (struct fake_nd *)cli.netdevs;
	assert_non_null(a);
	b = (struct fake_nd *)a->nd.next;
	assert_non_null(b);
	assert_null(b->nd.next);
	assert_ptr_equal(a->nd.type, &fake_stream);
	assert_string_equal(a->nd.common.id, "a");
	assert_string_equal(b->nd.common.id, "b");
	assert_string_equal(a->nd.common.switch_name, "default");
	assert_string_equal(a->path, "/tmp/a.sock");
	assert_string_equal(b->path, "/tmp/b.sock");
	assert_true(a->server);
	assert_int_equal(a->nd.common.vlan.pvid, 1);
	assert_false(a->nd.common.vlan.trunk);
	assert_string_equal(a->nd.common.pcap_path, "");
	assert_null(cli.switches);
	assert_string_equal(cli.monitor_path, "");
	assert_string_equal(cli.default_dir, "");
	assert_false(cli.daemonize);
	done(&cli);
}

static void test_dashes_and_equals(void **state)
{
	struct cli cli;

	assert_int_equal(parse(&cli, "--netdev", "stream,id=a", "--netdev=stream,id=b",
			       "--switch=id=lab", NULL), CLI_OK);
	assert_string_equal(cli.netdevs->common.id, "a");
	assert_string_equal(cli.netdevs->next->common.id, "b");
	assert_string_equal(cli.switches->id, "lab");
	done(&cli);
}

static void test_vlan_and_trunk(void **state)
{
	struct cli cli;
	const struct port_vlan *v;

	assert_int_equal(parse(&cli, "-netdev", "stream,id=a,vlan=10",
			       "-netdev", "stream,id=b,trunk=10:20:100-110",
			       "-netdev", "stream,id=c,trunk=all,vlan=5",
			       "-netdev", "stream,id=d,trunk=7,,8", NULL), CLI_OK);
	v = &cli.netdevs->common.vlan;
	assert_int_equal(v->pvid, 10);
	assert_false(v->trunk);

	v = &cli.netdevs->next->common.vlan;
	assert_true(v->trunk);
	assert_int_equal(v->pvid, 0); /* no native VLAN unless vlan= says so */
	assert_true(vlan_bit(v, 10));
	assert_true(vlan_bit(v, 20));
	assert_true(vlan_bit(v, 100));
	assert_true(vlan_bit(v, 105));
	assert_true(vlan_bit(v, 110));
	assert_false(vlan_bit(v, 11));
	assert_false(vlan_bit(v, 111));
	assert_false(vlan_bit(v, 1));

	v = &cli.netdevs->next->next->common.vlan;
	assert_true(v->trunk);
	assert_int_equal(v->pvid, 5);
	assert_true(vlan_bit(v, 1));
	assert_true(vlan_bit(v, 4094));
	assert_false(vlan_bit(v, 0));
	assert_false(vlan_bit(v, 4095));

	v = &cli.netdevs->next->next->next->common.vlan;
	assert_true(vlan_bit(v, 7) && vlan_bit(v, 8));
	done(&cli);
}

static void test_switches(void **state)
{
	struct cli cli;
	const struct cli_switch *s;

	/* A netdev may name a switch declared later on the line. */
	assert_int_equal(parse(&cli, "-netdev", "stream,id=a,switch=lab,pcap=/tmp/x.pcap",
			       "-switch", "id=lab,mode=hub",
			       "-switch", "core,aging=60,max-macs=100",
			       "-switch", "id=default,mode=switch", NULL), CLI_OK);
	assert_string_equal(cli.netdevs->common.switch_name, "lab");
	assert_string_equal(cli.netdevs->common.pcap_path, "/tmp/x.pcap");
	s = cli_find_switch(&cli, "lab");
	assert_non_null(s);
	assert_int_equal(s->mode, NETWORK_HUB);
	s = cli_find_switch(&cli, "core");
	assert_non_null(s);
	assert_int_equal(s->mode, NETWORK_SWITCH);
	assert_int_equal(s->aging_s, 60);
	assert_int_equal(s->max_macs, 100);
	s = cli_find_switch(&cli, "default");
	assert_non_null(s);
	assert_int_equal(s->aging_s, NETWORK_DEFAULT_AGING_S);
	assert_int_equal(s->max_macs, NETWORK_DEFAULT_FDB_MAX);
	assert_string_equal(cli.switches->id, "lab"); /* declaration order */
	assert_null(cli_find_switch(&cli, "nope"));
	assert_true(s->port_security);
	assert_int_equal(s->max_macs_per_port, NETWORK_DEFAULT_MAX_MACS_PER_PORT);
	assert_int_equal(cli.netdevs->common.sec.mode, PORT_SEC_DEFAULT);
	assert_int_equal(cli.netdevs->common.sec.max_macs, 0);
	done(&cli);
}

static void test_port_security_keys(void **state)
{
	struct cli cli;
	const struct cli_switch *s;

	assert_int_equal(parse(&cli, "-netdev", "stream,id=a,port-security=off",
			       "-netdev", "stream,id=b,port-security=on,max-macs-per-port=3",
			       "-switch", "id=default,port-security=off,max-macs-per-port=0",
			       NULL), CLI_OK);
	assert_int_equal(cli.netdevs->common.sec.mode, PORT_SEC_OFF);
	assert_int_equal(cli.netdevs->next->common.sec.mode, PORT_SEC_ON);
	assert_int_equal(cli.netdevs->next->common.sec.max_macs, 3);
	s = cli_find_switch(&cli, "default");
	assert_false(s->port_security);
	assert_int_equal(s->max_macs_per_port, 0);
	done(&cli);
	/* A tunnel carries a LAN: port security off unless asked for. */
	assert_int_equal(parse(&cli, "-netdev", "tunnel,id=v", "-netdev",
			       "tunnel,id=w,port-security=on", "-netdev", "stream,id=s", NULL), CLI_OK);
	assert_int_equal(cli.netdevs->common.sec.mode, PORT_SEC_OFF);
	assert_int_equal(cli.netdevs->next->common.sec.mode, PORT_SEC_ON);
	assert_int_equal(cli.netdevs->next->next->common.sec.mode, PORT_SEC_DEFAULT);
	done(&cli);
	EXPECT_FAIL(&cli, "-netdev stream", "'port-security'",
		    "-netdev", "stream,id=a,port-security=maybe");
	EXPECT_FAIL(&cli, "-netdev stream", "'max-macs-per-port'",
		    "-netdev", "stream,id=a,max-macs-per-port=0");
	EXPECT_FAIL(&cli, "-switch", "'max-macs-per-port' needs mode=switch",
		    "-switch", "id=s,mode=hub,max-macs-per-port=2");
}

/* The impair-* keys: common to every netdev, each error naming its key. */
static void test_impair_keys(void **state)
{
	const struct impair_cfg *c;
	struct cli cli;

	assert_int_equal(parse(&cli, "-netdev", "stream,id=a,impair-loss=3,impair-dup=0.5%,"
			       "impair-reorder=10,impair-delay=20/5,impair-rate=100,"
			       "impair-limit=50,impair-seed=42,impair-dir=out",
			       "-netdev", "tunnel,id=b", NULL), CLI_OK);
	c = &cli.netdevs->common.impair;
	assert_true(c->loss == IMPAIR_P_ONE * 3 / 100 + 1 || c->loss == IMPAIR_P_ONE * 3 / 100);
	assert_true(c->dup == IMPAIR_P_ONE / 200);
	assert_true(c->reorder == IMPAIR_P_ONE / 10 || c->reorder == IMPAIR_P_ONE / 10 + 1);
	assert_int_equal(c->delay_ms, 20);
	assert_int_equal(c->jitter_ms, 5);
	assert_true(c->rate_bps == 100000000);
	assert_int_equal(c->limit, 50);
	assert_true(c->seed == 42);
	assert_false(c->in);
	assert_true(c->out);
	assert_true(impair_cfg_active(c));
	/* Not given: nothing impaired, defaults in place. */
	c = &cli.netdevs->next->common.impair;
	assert_false(impair_cfg_active(c));
	assert_int_equal(c->limit, IMPAIR_LIMIT_DEFAULT);
	assert_true(c->in && c->out);
	done(&cli);
	EXPECT_FAIL(&cli, "-netdev stream", "'impair-loss'", "-netdev", "stream,id=a,impair-loss=101");
	EXPECT_FAIL(&cli, "-netdev stream", "'impair-dup'", "-netdev", "stream,id=a,impair-dup=x");
	EXPECT_FAIL(&cli, "-netdev stream", "'impair-reorder'",
		    "-netdev", "stream,id=a,impair-reorder=60");
	EXPECT_FAIL(&cli, "-netdev stream", "'impair-delay'",
		    "-netdev", "stream,id=a,impair-delay=20/");
	EXPECT_FAIL(&cli, "-netdev stream", "'impair-rate'", "-netdev", "stream,id=a,impair-rate=0");
	EXPECT_FAIL(&cli, "-netdev stream", "'impair-limit'",
		    "-netdev", "stream,id=a,impair-limit=0");
	EXPECT_FAIL(&cli, "-netdev stream", "'impair-seed'", "-netdev", "stream,id=a,impair-seed=-1");
	EXPECT_FAIL(&cli, "-netdev stream", "'impair-dir'", "-netdev", "stream,id=a,impair-dir=up");
	EXPECT_FAIL(&cli, "-netdev stream", "unknown key 'impair'",
		    "-netdev", "stream,id=a,impair=loss:3");
}

static void test_monitor_spellings(void **state)
{
	static const char *const spellings[][2] = {
		{ "/tmp/m.sock", "/tmp/m.sock" },
		{ "unix:/tmp/m2.sock,server=on,wait=off", "/tmp/m2.sock" },
		{ "unix:/tmp/m3.sock,server,nowait", "/tmp/m3.sock" },
	};
	struct cli cli;

	for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		assert_int_equal(parse(&cli, "-netdev", "stream,id=a", "-monitor", spellings[i][0],
				       NULL), CLI_OK);
		assert_string_equal(cli.monitor_path, spellings[i][1]);
		done(&cli);
	}
}

static void test_flags(void **state)
{
	struct cli cli;

	assert_int_equal(parse(&cli, "-netdev", "stream,id=a", "-v", "-v", "-q", "-daemonize",
			       "-pidfile", "/tmp/vmwire.pid", NULL), CLI_OK);
	assert_int_equal(cli.verbosity, 1);
	assert_true(cli.daemonize);
	assert_string_equal(cli.pidfile, "/tmp/vmwire.pid");
	done(&cli);
	assert_int_equal(parse(&cli, "-netdev", "stream,id=a", "-vvv", "--quiet", NULL), CLI_OK);
	assert_int_equal(cli.verbosity, 2);
	done(&cli);
}

static void test_help_version(void **state)
{
	struct cli cli;

	assert_int_equal(parse(&cli, "--help", NULL), CLI_HELP);
	assert_int_equal(parse(&cli, "-h", NULL), CLI_HELP);
	assert_int_equal(parse(&cli, "-help", NULL), CLI_HELP);
	assert_int_equal(parse(&cli, "-netdev", "stream,id=a", "--help", NULL), CLI_HELP);
	assert_int_equal(parse(&cli, "--version", NULL), CLI_VERSION);
	assert_int_equal(parse(&cli, "-V", NULL), CLI_VERSION);
	assert_int_equal(fake_live, 0);
}

static void test_default_netdev(void **state)
{
	struct cli cli;
	struct fake_nd *f;
	char want[4200];

	setenv("XDG_RUNTIME_DIR", "/tmp/xdg-test", 1);
	assert_int_equal(parse(&cli, "-v", NULL), CLI_OK);
	f = (struct fake_nd *)cli.netdevs;
	assert_non_null(f);
	assert_null(f->nd.next);
	assert_true(f->server);
	assert_string_equal(f->nd.common.id, CLI_DEFAULT_NETDEV);
	assert_string_equal(f->nd.common.switch_name, "default");
	if (geteuid() == 0)
		assert_string_equal(cli.default_dir, "/run/vmwire");
	else
		assert_string_equal(cli.default_dir, "/tmp/xdg-test/vmwire");
	snprintf(want, sizeof(want), "%s/default.sock", cli.default_dir);
	assert_string_equal(f->path, want);
	done(&cli);
}

/* libvmwire's mode: no default listener, daemon options refused. */
static void test_embedded(void **state)
{
	char *ok[] = { (char *)"lib", (char *)"-switch", (char *)"id=lab", (char *)"-v" };
	static const char *const daemon_only[] = { "-daemonize", "-pidfile", "-runas", "-sandbox",
						   "-no-sandbox", "-run-with" };
	struct cli cli;
	size_t i;

	assert_int_equal(cli_parse_registry(&embedded_reg, 4, ok, &cli, err, sizeof(err)), CLI_OK);
	assert_null(cli.netdevs);
	assert_string_equal(cli.default_dir, "");
	cli_free(&cli);
	for (i = 0; i < sizeof(daemon_only) / sizeof(daemon_only[0]); i++) {
		char *argv[] = { (char *)"lib", (char *)daemon_only[i], (char *)"x" };

		assert_int_equal(cli_parse_registry(&embedded_reg, 3, argv, &cli, err, sizeof(err)),
				 CLI_ERROR);
		assert_non_null(strstr(err, "a daemon option"));
	}
	assert_int_equal(fake_live, 0);
}

static void test_readconfig(void **state)
{
	static const struct {
		const char *text; /* %s: the file's own path */
		const char *says[2];
	} bad[] = {
		{ "netdev stream,id=a\n# ok so far\nnetdev stream,id=b,bogus=1\n",
		  { ":3: ", "bogus" } },
		{ "daemonize yes\n", { ":1: ", "-daemonize" } },
		{ "readconfig %s\n", { "nested" } }, /* includes itself */
		{ "[netdev \"a\"]\n  type = \"stream\"\n", { ":1: " } },
	};
	char path[] = "/tmp/test_cli_XXXXXX";
	struct cli cli;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# a comment\n"
	      "\n"
	      "-netdev stream,id=a,server=on,addr.path=/tmp/with space.sock\n"
	      "  netdev   stream,id=b,switch=lab   \n"
	      "switch id=lab,mode=hub\r\n"
	      "monitor /tmp/mon.sock\n"
	      "-v\n", f);
	fclose(f);
	assert_int_equal(parse(&cli, "-readconfig", path, "-netdev", "stream,id=c", NULL),
			 CLI_OK);
	assert_string_equal(cli.netdevs->common.id, "a");
	assert_string_equal(((struct fake_nd *)cli.netdevs)->path, "/tmp/with space.sock");
	assert_string_equal(cli.netdevs->next->common.switch_name, "lab");
	assert_string_equal(cli.netdevs->next->next->common.id, "c");
	assert_string_equal(cli.monitor_path, "/tmp/mon.sock");
	assert_int_equal(cli.verbosity, 1);
	assert_int_equal(cli.switches->mode, NETWORK_HUB);
	done(&cli);

	/* Errors cite FILE:LINE. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, bad[i].text, path);
		fclose(f);
		assert_int_equal(parse(&cli, "-readconfig", path, NULL), CLI_ERROR);
		assert_non_null(strstr(err, path));
		for (size_t k = 0; k < 2 && bad[i].says[k]; k++)
			if (!strstr(err, bad[i].says[k]))
				fail_msg("case %zu: '%s' lacks '%s'", i, err, bad[i].says[k]);
	}
	unlink(path);

	EXPECT_FAIL(&cli, "-readconfig", "/nonexistent/vmwire.cfg",
		    "-readconfig", "/nonexistent/vmwire.cfg");
}

/* ---- errors ------------------------------------------------------------- */

static void test_option_errors(void **state)
{
	struct cli cli;

	EXPECT_FAIL(&cli, "-bogus", "unknown option", "-bogus");
	EXPECT_FAIL(&cli, "--bogus=1", "unknown option", "--bogus=1");
	EXPECT_FAIL(&cli, "-netdev", "missing value", "-netdev");
	EXPECT_FAIL(&cli, "-switch", "missing value", "-netdev", "stream,id=a", "-switch");
	EXPECT_FAIL(&cli, "stray", "unexpected argument", "stray");
	EXPECT_FAIL(&cli, "-", "unexpected argument", "-");
	EXPECT_FAIL(&cli, "-daemonize", "takes no value", "--daemonize=yes");
	EXPECT_FAIL(&cli, "-pidfile", "twice", "-pidfile", "/a", "-pidfile", "/b");
	/* The error in a later option must not leak the netdevs before it. */
	EXPECT_FAIL(&cli, "-bogus", "unknown", "-netdev", "stream,id=a", "-bogus");
}

static void test_netdev_errors(void **state)
{
	struct cli cli;

	EXPECT_FAIL(&cli, "-netdev", "unknown type 'tapp'", "-netdev", "tapp,id=a");
	EXPECT_FAIL(&cli, "-netdev", "stream", "-netdev", "tapp,id=a"); /* lists the types */
	EXPECT_FAIL(&cli, "-netdev", "missing type", "-netdev", "id=a");
	EXPECT_FAIL(&cli, "-netdev stream", "'id' is required", "-netdev", "stream,server=on");
	EXPECT_FAIL(&cli, "-netdev stream", "invalid id '1a'", "-netdev", "stream,id=1a");
	EXPECT_FAIL(&cli, "-netdev stream", "invalid id 'a b'", "-netdev", "stream,id=a b");
	EXPECT_FAIL(&cli, "-netdev stream", "invalid id",
		    "-netdev", "stream,id=a123456789012345678901234567890123456789012345678901234567");
	EXPECT_FAIL(&cli, "-netdev stream", "duplicate id 'a'",
		    "-netdev", "stream,id=a", "-netdev", "stream,id=a");
	EXPECT_FAIL(&cli, "-netdev stream", "unknown key 'bogus'",
		    "-netdev", "stream,id=a,bogus=1");
	EXPECT_FAIL(&cli, "-netdev stream", "'fail' asked for it", "-netdev", "stream,id=a,fail");
	EXPECT_FAIL(&cli, "-netdev stream", "'server' expects on or off",
		    "-netdev", "stream,id=a,server=maybe");
	EXPECT_FAIL(&cli, "-netdev stream", "'vlan'", "-netdev", "stream,id=a,vlan=0");
	EXPECT_FAIL(&cli, "-netdev stream", "'vlan'", "-netdev", "stream,id=a,vlan=4095");
	EXPECT_FAIL(&cli, "-netdev stream", "'vlan'", "-netdev", "stream,id=a,vlan=ten");
	EXPECT_FAIL(&cli, "-netdev stream", "'trunk'", "-netdev", "stream,id=a,trunk=10-5");
	EXPECT_FAIL(&cli, "-netdev stream", "'trunk'", "-netdev", "stream,id=a,trunk=10::20");
	EXPECT_FAIL(&cli, "-netdev stream", "'trunk'", "-netdev", "stream,id=a,trunk=0");
	EXPECT_FAIL(&cli, "-netdev stream", "'trunk'", "-netdev", "stream,id=a,trunk=5000");
	EXPECT_FAIL(&cli, "-netdev stream", "'trunk'", "-netdev", "stream,id=a,trunk=");
	EXPECT_FAIL(&cli, "-netdev stream", "'pcap'", "-netdev", "stream,id=a,pcap=");
	EXPECT_FAIL(&cli, "-netdev", "trailing ','", "-netdev", "stream,id=a,");
	EXPECT_FAIL(&cli, "switch 'lab' is not declared", "-switch id=lab",
		    "-netdev", "stream,id=a,switch=lab");
	EXPECT_FAIL(&cli, "-netdev stream", "invalid switch name",
		    "-netdev", "stream,id=a,switch=9x");
}

static void test_switch_errors(void **state)
{
	struct cli cli;

	EXPECT_FAIL(&cli, "-switch", "'id' is required", "-switch", "mode=hub");
	EXPECT_FAIL(&cli, "-switch", "'mode' expects hub or switch", "-switch", "id=s,mode=bus");
	EXPECT_FAIL(&cli, "-switch", "'aging' needs mode=switch",
		    "-switch", "id=s,mode=hub,aging=10");
	EXPECT_FAIL(&cli, "-switch", "'max-macs' needs mode=switch",
		    "-switch", "id=s,mode=hub,max-macs=10");
	EXPECT_FAIL(&cli, "-switch", "'aging'", "-switch", "id=s,aging=0");
	EXPECT_FAIL(&cli, "-switch", "'max-macs'", "-switch", "id=s,max-macs=-1");
	EXPECT_FAIL(&cli, "-switch", "duplicate id 's'", "-switch", "s", "-switch", "id=s");
	EXPECT_FAIL(&cli, "-switch", "unknown key 'vlan'", "-switch", "id=s,vlan=3");
	EXPECT_FAIL(&cli, "-switch", "invalid id", "-switch", "id=-s");
}

static void test_monitor_errors(void **state)
{
	struct cli cli;

	EXPECT_FAIL(&cli, "-monitor", "twice", "-monitor", "/a", "-monitor", "/b");
	EXPECT_FAIL(&cli, "-monitor", "wait=on", "-monitor", "unix:/a,server=on,wait=on");
	EXPECT_FAIL(&cli, "-monitor", "server=off", "-monitor", "unix:/a,server=off");
	EXPECT_FAIL(&cli, "-monitor", "'stdio' is not supported", "-monitor", "stdio");
	EXPECT_FAIL(&cli, "-monitor", "not supported", "-monitor", "tcp:127.0.0.1:4444");
	EXPECT_FAIL(&cli, "-monitor", "unknown key 'bogus'", "-monitor", "unix:/a,bogus=1");
	EXPECT_FAIL(&cli, "-monitor", "missing socket path", "-monitor", "unix:");
	EXPECT_FAIL(&cli, "-monitor", "longer than", "-monitor",
		    "/tmp/0123456789012345678901234567890123456789012345678901234567890123456789"
		    "01234567890123456789012345678901234567890123456789");
}

static void test_trunk_parser(void **state)
{
	struct port_vlan v;

	memset(&v, 0, sizeof(v));
	assert_int_equal(cli_parse_trunk("1-3:4094", &v), 0);
	assert_true(vlan_bit(&v, 1) && vlan_bit(&v, 2) && vlan_bit(&v, 3));
	assert_true(vlan_bit(&v, 4094));
	assert_false(vlan_bit(&v, 4));
	assert_int_equal(cli_parse_trunk("1-", &v), -1);
	assert_int_equal(cli_parse_trunk("-1", &v), -1);
	assert_int_equal(cli_parse_trunk("1:", &v), -1);
	assert_int_equal(cli_parse_trunk("1 2", &v), -1);
	assert_int_equal(cli_parse_trunk("99999999999999999999", &v), -1);
	assert_int_equal(cli_parse_trunk("ALL", &v), -1);
}

static void test_valid_id(void **state)
{
	assert_true(cli_valid_id("a"));
	assert_true(cli_valid_id("Net0.a-b_c"));
	assert_false(cli_valid_id(""));
	assert_false(cli_valid_id("0a"));
	assert_false(cli_valid_id("_a"));
	assert_false(cli_valid_id("a#1"));
	assert_false(cli_valid_id("a,b"));
}

static void test_usage_mentions_everything(void **state)
{
	static const char *const must[] = {
		"-netdev", "-switch", "-monitor", "-readconfig", "-daemonize", "-pidfile",
		"-v", "-q", "--help", "--version", "stream", "dgram", "socket", "tap",
		"id=", "switch=", "vlan=", "trunk=", "pcap=", "mode=hub", "aging=", "max-macs=",
		"addr.path=", "server=on",
		"vmwire -netdev stream,id=a,server=on,addr.type=unix,addr.path=/tmp/a.sock",
	};
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	cli_usage(f);
	fclose(f);
	for (i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		if (!strstr(buf, must[i]))
			fail_msg("--help lacks '%s'", must[i]);
	free(buf);
}

/* The issue's example against the real stream type: exactly so. */
static void test_real_registry(void **state)
{
	char *argv[] = {
		(char *)"vmwire",
		(char *)"-netdev",
		(char *)"stream,id=a,server=on,addr.type=unix,addr.path=/tmp/a.sock",
		(char *)"-netdev",
		(char *)"stream,id=b,server=on,addr.type=unix,addr.path=/tmp/b.sock",
		NULL,
	};
	char *bad[] = { (char *)"vmwire", (char *)"-netdev",
			(char *)"stream,id=a,server=on,addr.type=unix,addr.path=/tmp/a.sock,colour=red",
			NULL };
	char *badtype[] = { (char *)"vmwire", (char *)"-netdev", (char *)"netmap,id=a", NULL };
	struct cli cli;

	assert_int_equal(cli_parse(5, argv, &cli, err, sizeof(err)), CLI_OK);
	assert_ptr_equal(cli.netdevs->type, netdev_type_find("stream"));
	assert_string_equal(cli.netdevs->common.id, "a");
	assert_string_equal(cli.netdevs->next->common.id, "b");
	assert_null(cli.netdevs->next->next);
	cli_free(&cli);
	assert_null(cli.netdevs);

	assert_int_equal(cli_parse(3, bad, &cli, err, sizeof(err)), CLI_ERROR);
	assert_non_null(strstr(err, "-netdev stream"));
	assert_non_null(strstr(err, "colour"));

	assert_int_equal(cli_parse(3, badtype, &cli, err, sizeof(err)), CLI_ERROR);
	assert_non_null(strstr(err, "unknown type 'netmap'"));
	assert_non_null(strstr(err, netdev_type_names()));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_example),
		cmocka_unit_test(test_embedded),
		cmocka_unit_test(test_dashes_and_equals),
		cmocka_unit_test(test_vlan_and_trunk),
		cmocka_unit_test(test_switches),
		cmocka_unit_test(test_port_security_keys),
		cmocka_unit_test(test_monitor_spellings),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_default_netdev),
		cmocka_unit_test(test_readconfig),
		cmocka_unit_test(test_option_errors),
		cmocka_unit_test(test_netdev_errors),
		cmocka_unit_test(test_switch_errors),
		cmocka_unit_test(test_monitor_errors),
		cmocka_unit_test(test_trunk_parser),
		cmocka_unit_test(test_valid_id),
		cmocka_unit_test(test_impair_keys),
		cmocka_unit_test(test_usage_mentions_everything),
		cmocka_unit_test(test_real_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
