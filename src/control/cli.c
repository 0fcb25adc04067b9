/* SPDX-License-Identifier: MIT
 *
 * cli.c - command line and -readconfig parsing, see cli.h.
 *
 * Theory of operation: options are QEMU style, a single dash and a long
 * name ("-netdev"), with "--name" and "--name=value" accepted too because
 * GNU habits die hard. Each option is looked up in one table that says
 * whether it takes a value; argv and -readconfig files feed the same
 * cli_option() so both spellings behave identically and errors differ only
 * by the "FILE:LINE: " prefix.
 *
 * A -netdev is parsed in three steps: kv_parse() splits it, we consume the
 * keys common to every type (id, switch, vlan, trunk, pcap), the type's
 * parse() consumes its own, and kv_check_unused() rejects whatever is left,
 * so a misspelt key is an error rather than silently ignored, as in QEMU.
 * Cross-option checks (undeclared switch names) run once everything parsed,
 * so options may come in any order.
 */
#include "control/cli.h"
#include "control/monitor.h"
#include "config/keyval.h"
#include "core/loop.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CLI_READCONFIG_DEPTH 4
#define CLI_ID_MAX (PORT_ID_MAX - 8) /* room for "#NNNNNN" connection suffixes */

struct cli_ctx {
	const struct cli_registry *reg;
	struct cli *cli;
	struct netdev **tail; /* where the next netdev is linked */
	bool monitor_set, qmp_set;
	/* netdev_add: ids the running daemon already has (cli->netdevs is
	 * empty then); NULL while parsing the command line. */
	bool (*id_taken)(const char *id, void *ctx);
	void *id_taken_ctx;
	int depth;            /* -readconfig nesting */
	char *err;
	size_t errlen;
};

static int cli_errorf(struct cli_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int cli_errorf(struct cli_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return CLI_ERROR;
}

bool cli_valid_id(const char *id)
{
	const char *p;

	if (!((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z')))
		return false;
	for (p = id + 1; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_')
			continue;
		return false;
	}
	return true;
}

static int parse_vid(const char *s, const char **end)
{
	unsigned long n;
	char *e;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoul(s, &e, 10);
	if (errno || n < 1 || n > VLAN_VID_MAX)
		return -1;
	*end = e;
	return (int)n;
}

int cli_parse_trunk(const char *list, struct port_vlan *v)
{
	const char *p = list;
	unsigned vid;

	if (!strcmp(list, "all")) {
		for (vid = 1; vid <= VLAN_VID_MAX; vid++)
			vlan_set_bit(v, vid);
		return 0;
	}
	/* ':' is the separator since ',' separates keys; ',' also works when
	 * escaped as ",," and arrives here unescaped. */
	for (;;) {
		int lo, hi;

		lo = parse_vid(p, &p);
		if (lo < 0)
			return -1;
		hi = lo;
		if (*p == '-') {
			hi = parse_vid(p + 1, &p);
			if (hi < lo)
				return -1;
		}
		for (vid = (unsigned)lo; vid <= (unsigned)hi; vid++)
			vlan_set_bit(v, vid);
		if (!*p)
			return 0;
		if (*p != ':' && *p != ',')
			return -1;
		p++;
	}
}

const struct cli_switch *cli_find_switch(const struct cli *cli, const char *id)
{
	const struct cli_switch *s;

	for (s = cli->switches; s; s = s->next)
		if (!strcmp(s->id, id))
			return s;
	return NULL;
}

static const struct netdev *find_netdev(const struct cli *cli, const char *id)
{
	const struct netdev *nd;

	for (nd = cli->netdevs; nd; nd = nd->next)
		if (!strcmp(nd->common.id, id))
			return nd;
	return NULL;
}

/* The keys every netdev type shares; fills common, marks them used. */
static int parse_common(struct cli_ctx *c, struct kvlist *kv, struct netdev_common *common)
{
	const char *id, *sw, *trunk, *pcap;
	uint64_t vid = 0, n;
	bool b;
	int r;

	memset(common, 0, sizeof(*common));
	id = kv_get(kv, "id");
	if (!id) {
		kv_errorf(c->err, c->errlen, kv, "'id' is required");
		return CLI_ERROR;
	}
	if (!cli_valid_id(id) || strlen(id) > CLI_ID_MAX) {
		kv_errorf(c->err, c->errlen, kv, "invalid id '%s': use up to %d letters, digits, "
			  "'-', '.', '_', starting with a letter", id, CLI_ID_MAX);
		return CLI_ERROR;
	}
	if (find_netdev(c->cli, id) || (c->id_taken && c->id_taken(id, c->id_taken_ctx))) {
		kv_errorf(c->err, c->errlen, kv, "duplicate id '%s'", id);
		return CLI_ERROR;
	}
	snprintf(common->id, sizeof(common->id), "%s", id);

	sw = kv_get(kv, "switch");
	if (!sw)
		sw = CLI_DEFAULT_SWITCH;
	if (!cli_valid_id(sw) || strlen(sw) > CLI_ID_MAX) {
		kv_errorf(c->err, c->errlen, kv, "invalid switch name '%s'", sw);
		return CLI_ERROR;
	}
	snprintf(common->switch_name, sizeof(common->switch_name), "%s", sw);

	r = kv_get_uint(kv, "vlan", 1, VLAN_VID_MAX, &vid, c->err, c->errlen);
	if (r < 0)
		return CLI_ERROR;
	trunk = kv_get(kv, "trunk");
	if (trunk) {
		common->vlan.trunk = true;
		if (cli_parse_trunk(trunk, &common->vlan) < 0) {
			kv_errorf(c->err, c->errlen, kv, "'trunk' expects VLAN ids 1 to 4094 "
				  "separated by ':', ranges a-b, or 'all', not '%s'", trunk);
			return CLI_ERROR;
		}
		/* vlan= names the native (untagged) VLAN; without it a trunk
		 * carries tagged frames only, like an 802.1Q trunk with no
		 * native VLAN. */
		common->vlan.pvid = (uint16_t)vid;
	} else {
		common->vlan.pvid = r ? (uint16_t)vid : 1;
	}

	r = kv_get_bool(kv, "port-security", &b, c->err, c->errlen);
	if (r < 0)
		return CLI_ERROR;
	if (r)
		common->sec.mode = b ? PORT_SEC_ON : PORT_SEC_OFF;
	r = kv_get_uint(kv, "max-macs-per-port", 1, 1u << 20, &n, c->err, c->errlen);
	if (r < 0)
		return CLI_ERROR;
	if (r)
		common->sec.max_macs = (unsigned)n;

	pcap = kv_get(kv, "pcap");
	if (pcap) {
		if (!*pcap || strlen(pcap) >= sizeof(common->pcap_path)) {
			kv_errorf(c->err, c->errlen, kv, "'pcap' expects a file name");
			return CLI_ERROR;
		}
		snprintf(common->pcap_path, sizeof(common->pcap_path), "%s", pcap);
	}
	if (netdev_parse_impair(kv, &common->impair, c->err, c->errlen) < 0)
		return CLI_ERROR;
	return CLI_OK;
}

static int opt_netdev(struct cli_ctx *c, const char *arg)
{
	const struct netdev_type *type;
	struct netdev_common common;
	struct netdev *nd;
	struct kvlist kv;
	const char *tname;
	int rc = CLI_ERROR;

	if (kv_parse(&kv, "-netdev", arg, "type", c->err, c->errlen) < 0) {
		kv_free(&kv);
		return CLI_ERROR;
	}
	tname = kv_get(&kv, "type");
	if (!tname || !*tname) {
		cli_errorf(c, "-netdev: missing type, expected one of: %s", c->reg->names());
		goto out;
	}
	type = c->reg->find(tname);
	if (!type) {
		cli_errorf(c, "-netdev: unknown type '%s', expected one of: %s", tname,
			   c->reg->names());
		goto out;
	}
	if (parse_common(c, &kv, &common))
		goto out;
	if (type->uplink && common.sec.mode == PORT_SEC_DEFAULT)
		common.sec.mode = PORT_SEC_OFF;
	nd = type->parse(&kv, c->err, c->errlen);
	if (!nd)
		goto out;
	/* Link first so cli_free() reclaims it if the unused-key check fails. */
	nd->type = type;
	nd->common = common;
	nd->net = NULL;
	nd->pcap = NULL;
	nd->next = NULL;
	*c->tail = nd;
	c->tail = &nd->next;
	if (kv_check_unused(&kv, NULL, c->err, c->errlen) < 0)
		goto out;
	rc = CLI_OK;
out:
	kv_free(&kv);
	return rc;
}

static int opt_switch(struct cli_ctx *c, const char *arg)
{
	struct cli_switch *s = NULL, **tail;
	const char *id, *mode;
	uint64_t n;
	struct kvlist kv;
	int rc = CLI_ERROR, r;

	if (kv_parse(&kv, "-switch", arg, "id", c->err, c->errlen) < 0) {
		kv_free(&kv);
		return CLI_ERROR;
	}
	id = kv_get(&kv, "id");
	if (!id) {
		kv_errorf(c->err, c->errlen, &kv, "'id' is required");
		goto out;
	}
	if (!cli_valid_id(id) || strlen(id) > CLI_ID_MAX) {
		kv_errorf(c->err, c->errlen, &kv, "invalid id '%s': use up to %d letters, digits, "
			  "'-', '.', '_', starting with a letter", id, CLI_ID_MAX);
		goto out;
	}
	if (cli_find_switch(c->cli, id)) {
		kv_errorf(c->err, c->errlen, &kv, "duplicate id '%s'", id);
		goto out;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		cli_errorf(c, "-switch: out of memory");
		goto out;
	}
	snprintf(s->id, sizeof(s->id), "%s", id);
	s->mode = NETWORK_SWITCH;
	s->aging_s = NETWORK_DEFAULT_AGING_S;
	s->max_macs = NETWORK_DEFAULT_FDB_MAX;

	mode = kv_get(&kv, "mode");
	if (mode && !strcmp(mode, "hub")) {
		s->mode = NETWORK_HUB;
	} else if (mode && strcmp(mode, "switch")) {
		kv_errorf(c->err, c->errlen, &kv, "'mode' expects hub or switch, not '%s'", mode);
		goto out;
	}
	if (s->mode == NETWORK_HUB && (kv_has(&kv, "aging") || kv_has(&kv, "max-macs") ||
				       kv_has(&kv, "max-macs-per-port"))) {
		kv_errorf(c->err, c->errlen, &kv, "'%s' needs mode=switch: a hub learns no MACs",
			  kv_has(&kv, "aging") ? "aging" :
			  kv_has(&kv, "max-macs") ? "max-macs" : "max-macs-per-port");
		goto out;
	}
	r = kv_get_uint(&kv, "aging", 1, 86400 * 365, &n, c->err, c->errlen);
	if (r < 0)
		goto out;
	if (r)
		s->aging_s = (unsigned)n;
	r = kv_get_uint(&kv, "max-macs", 1, 1u << 20, &n, c->err, c->errlen);
	if (r < 0)
		goto out;
	if (r)
		s->max_macs = (unsigned)n;
	s->port_security = true;
	s->max_macs_per_port = NETWORK_DEFAULT_MAX_MACS_PER_PORT;
	r = kv_get_bool(&kv, "port-security", &s->port_security, c->err, c->errlen);
	if (r < 0)
		goto out;
	r = kv_get_uint(&kv, "max-macs-per-port", 0, 1u << 20, &n, c->err, c->errlen);
	if (r < 0)
		goto out;
	if (r)
		s->max_macs_per_port = (unsigned)n;
	if (kv_check_unused(&kv, NULL, c->err, c->errlen) < 0)
		goto out;

	for (tail = &c->cli->switches; *tail; tail = &(*tail)->next)
		;
	*tail = s;
	s = NULL;
	rc = CLI_OK;
out:
	free(s);
	kv_free(&kv);
	return rc;
}

/*
 * "-monitor PATH" or QEMU's "-monitor unix:PATH,server=on,wait=off" (also
 * the older "unix:PATH,server,nowait"), and the same for -qmp. Both are
 * always listening servers that never wait, so anything else is rejected
 * rather than silently meaning something different.
 */
static int parse_listener(struct cli_ctx *c, const char *opt, const char *arg, char *dst,
			  size_t dstlen)
{
	const char *path = arg;
	struct kvlist kv;
	bool b;
	int rc = CLI_ERROR;

	memset(&kv, 0, sizeof(kv));
	if (!strncmp(arg, "unix:", 5)) {
		if (kv_parse(&kv, opt, arg + 5, "path", c->err, c->errlen) < 0)
			goto out;
		path = kv_get(&kv, "path");
		if (kv_get_bool(&kv, "server", &b, c->err, c->errlen) < 0)
			goto out;
		if (kv_has(&kv, "server") && !b) {
			cli_errorf(c, "%s: server=off is not supported, it always listens", opt);
			goto out;
		}
		if (kv_get_bool(&kv, "wait", &b, c->err, c->errlen) < 0)
			goto out;
		if (kv_has(&kv, "wait") && b) {
			cli_errorf(c, "%s: wait=on is not supported, use wait=off", opt);
			goto out;
		}
		kv_get(&kv, "nowait");
		if (kv_check_unused(&kv, NULL, c->err, c->errlen) < 0)
			goto out;
	} else if (!strcmp(arg, "stdio") || !strcmp(arg, "none") || !strcmp(arg, "vc") ||
		   !strncmp(arg, "tcp:", 4) || !strncmp(arg, "telnet:", 7) ||
		   !strncmp(arg, "chardev:", 8)) {
		return cli_errorf(c, "%s: '%s' is not supported, use a unix socket path "
				  "or unix:PATH,server=on,wait=off", opt, arg);
	}
	if (!path || !*path) {
		cli_errorf(c, "%s: missing socket path", opt);
		goto out;
	}
	if (strlen(path) >= dstlen) {
		cli_errorf(c, "%s: socket path longer than %zu bytes", opt, dstlen - 1);
		goto out;
	}
	snprintf(dst, dstlen, "%s", path);
	rc = CLI_OK;
out:
	kv_free(&kv);
	return rc;
}

static int opt_monitor(struct cli_ctx *c, const char *arg)
{
	if (c->monitor_set)
		return cli_errorf(c, "-monitor: given twice, only one monitor is supported");
	if (parse_listener(c, "-monitor", arg, c->cli->monitor_path,
			   sizeof(c->cli->monitor_path)))
		return CLI_ERROR;
	c->monitor_set = true;
	return CLI_OK;
}

static int opt_qmp(struct cli_ctx *c, const char *arg)
{
	if (c->qmp_set)
		return cli_errorf(c, "-qmp: given twice, only one QMP socket is supported");
	if (parse_listener(c, "-qmp", arg, c->cli->qmp_path, sizeof(c->cli->qmp_path)))
		return CLI_ERROR;
	if (c->monitor_set && !strcmp(c->cli->qmp_path, c->cli->monitor_path))
		return cli_errorf(c, "-qmp: %s is the -monitor socket too", c->cli->qmp_path);
	c->qmp_set = true;
	return CLI_OK;
}

static int opt_pidfile(struct cli_ctx *c, const char *arg)
{
	if (*c->cli->pidfile)
		return cli_errorf(c, "-pidfile: given twice");
	if (!*arg || strlen(arg) >= sizeof(c->cli->pidfile))
		return cli_errorf(c, "-pidfile: expects a file name");
	snprintf(c->cli->pidfile, sizeof(c->cli->pidfile), "%s", arg);
	return CLI_OK;
}

static int opt_readconfig(struct cli_ctx *c, const char *arg);

static int set_runas(struct cli_ctx *c, const char *opt, const char *user)
{
	if (*c->cli->sandbox.user)
		return cli_errorf(c, "%s: user given twice", opt);
	if (!*user || strlen(user) >= sizeof(c->cli->sandbox.user))
		return cli_errorf(c, "%s: expects a user name", opt);
	if (sandbox_check_user(user, c->err, c->errlen) < 0)
		return CLI_ERROR;
	snprintf(c->cli->sandbox.user, sizeof(c->cli->sandbox.user), "%s", user);
	return CLI_OK;
}

static int opt_runas(struct cli_ctx *c, const char *arg)
{
	return set_runas(c, "-runas", arg);
}

/* QEMU 9's spelling: -run-with user=USER (chroot= is not supported). */
static int opt_run_with(struct cli_ctx *c, const char *arg)
{
	struct kvlist kv;
	const char *user;
	int rc = CLI_ERROR;

	if (kv_parse(&kv, "-run-with", arg, NULL, c->err, c->errlen) < 0)
		goto out;
	user = kv_get(&kv, "user");
	if (!user) {
		kv_errorf(c->err, c->errlen, &kv, "'user' is required");
		goto out;
	}
	if (kv_check_unused(&kv, NULL, c->err, c->errlen) < 0)
		goto out;
	rc = set_runas(c, "-run-with user", user);
out:
	kv_free(&kv);
	return rc;
}

/* QEMU's -sandbox on|off; its finer keys (spawn=, obsolete=...) name
 * policies vmwire does not split up. */
static int opt_sandbox(struct cli_ctx *c, const char *arg)
{
	struct kvlist kv;
	bool on = true;
	int rc = CLI_ERROR;

	if (kv_parse(&kv, "-sandbox", arg, "enable", c->err, c->errlen) < 0)
		goto out;
	if (!kv_has(&kv, "enable")) {
		kv_errorf(c->err, c->errlen, &kv, "expects on or off");
		goto out;
	}
	if (kv_get_bool(&kv, "enable", &on, c->err, c->errlen) < 0 ||
	    kv_check_unused(&kv, NULL, c->err, c->errlen) < 0)
		goto out;
	c->cli->sandbox.off = !on;
	rc = CLI_OK;
out:
	kv_free(&kv);
	return rc;
}

static int opt_no_sandbox(struct cli_ctx *c, const char *arg)
{
	c->cli->sandbox.off = true;
	return CLI_OK;
}

static int opt_daemonize(struct cli_ctx *c, const char *arg)
{
	c->cli->daemonize = true;
	return CLI_OK;
}

int cli_parse_busy_poll(const char *opt, const char *arg, unsigned *usec, char *err,
			size_t errlen)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = (*arg >= '0' && *arg <= '9') ? strtoul(arg, &end, 10) : ULONG_MAX;
	if (n == ULONG_MAX || errno || *end || n > EV_BUSY_POLL_MAX_US) {
		snprintf(err, errlen, "%s: expects microseconds from 0 (off) to %u, not '%s'", opt,
			 EV_BUSY_POLL_MAX_US, arg);
		return CLI_ERROR;
	}
	*usec = (unsigned)n;
	return CLI_OK;
}

static int opt_busy_poll(struct cli_ctx *c, const char *arg)
{
	return cli_parse_busy_poll("-busy-poll", arg, &c->cli->busy_poll_us, c->err, c->errlen);
}

static int opt_verbose(struct cli_ctx *c, const char *arg)
{
	c->cli->verbosity++;
	return CLI_OK;
}

static int opt_quiet(struct cli_ctx *c, const char *arg)
{
	c->cli->verbosity--;
	return CLI_OK;
}

static int opt_help(struct cli_ctx *c, const char *arg) { return CLI_HELP; }
static int opt_version(struct cli_ctx *c, const char *arg) { return CLI_VERSION; }

static const struct cli_opt {
	const char *name;
	bool has_arg;
	int (*fn)(struct cli_ctx *c, const char *arg);
} cli_opts[] = {
	{ "netdev",     true,  opt_netdev },
	{ "switch",     true,  opt_switch },
	{ "monitor",    true,  opt_monitor },
	{ "qmp",        true,  opt_qmp },
	{ "readconfig", true,  opt_readconfig },
	{ "pidfile",    true,  opt_pidfile },
	{ "daemonize",  false, opt_daemonize },
	{ "busy-poll",  true,  opt_busy_poll },
	{ "runas",      true,  opt_runas },
	{ "run-with",   true,  opt_run_with },
	{ "sandbox",    true,  opt_sandbox },
	{ "no-sandbox", false, opt_no_sandbox },
	{ "v",          false, opt_verbose },
	{ "verbose",    false, opt_verbose },
	{ "q",          false, opt_quiet },
	{ "quiet",      false, opt_quiet },
	{ "h",          false, opt_help },
	{ "help",       false, opt_help },
	{ "V",          false, opt_version },
	{ "version",    false, opt_version },
};

static const struct cli_opt *find_opt(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(cli_opts) / sizeof(cli_opts[0]); i++)
		if (strlen(cli_opts[i].name) == len && !strncmp(cli_opts[i].name, name, len))
			return &cli_opts[i];
	return NULL;
}

/*
 * One option from argv or a config line. word is the option as written
 * ("-netdev", "--netdev=..."), *value the next word (NULL if none); sets
 * *consumed when the value was taken so argv parsing can skip it.
 */
static int cli_option(struct cli_ctx *c, const char *word, const char *value, bool *consumed)
{
	const char *name = word, *eq;
	const struct cli_opt *o;
	bool double_dash;
	size_t len;

	*consumed = false;
	if (name[0] != '-' || !name[1])
		return cli_errorf(c, "'%s': unexpected argument, options start with '-' "
				  "(see --help)", word);
	double_dash = name[1] == '-';
	name += double_dash ? 2 : 1;
	/* "--name=value" only: QEMU has no '=' form, and a single-dash word
	 * containing '=' is more likely a typo we should report as such. */
	eq = double_dash ? strchr(name, '=') : NULL;
	len = eq ? (size_t)(eq - name) : strlen(name);

	/* -vv, -vvv: QEMU has no such thing, but every daemon user tries it. */
	if (len > 1 && !eq && strspn(name, "v") == len) {
		c->cli->verbosity += (int)len;
		return CLI_OK;
	}
	o = find_opt(name, len);
	if (!o)
		return cli_errorf(c, "%s: unknown option (see --help)", word);
	if (c->reg->embedded && (o->fn == opt_daemonize || o->fn == opt_pidfile ||
				 o->fn == opt_runas || o->fn == opt_run_with ||
				 o->fn == opt_sandbox || o->fn == opt_no_sandbox))
		return cli_errorf(c, "-%s: a daemon option; a program embedding libvmwire owns "
				  "its process (privileges, sandbox, pid file)", o->name);
	if (!o->has_arg) {
		if (eq)
			return cli_errorf(c, "-%s: takes no value", o->name);
		return o->fn(c, NULL);
	}
	if (eq)
		return o->fn(c, eq + 1);
	if (!value)
		return cli_errorf(c, "-%s: missing value", o->name);
	*consumed = true;
	return o->fn(c, value);
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/*
 * One option per line: "-netdev stream,id=a,..." or "netdev stream,...";
 * blank lines and lines starting with '#' are skipped. The value is the
 * rest of the line, so it may contain spaces (file names).
 */
static int opt_readconfig(struct cli_ctx *c, const char *path)
{
	char *line = NULL, *p, *value, word[64];
	size_t cap = 0, wlen;
	unsigned lineno = 0;
	int rc = CLI_OK;
	bool consumed;
	FILE *f;

	if (c->depth >= CLI_READCONFIG_DEPTH)
		return cli_errorf(c, "-readconfig: %s: nested more than %d deep",
				  path, CLI_READCONFIG_DEPTH);
	f = fopen(path, "re");
	if (!f)
		return cli_errorf(c, "-readconfig: %s: %s", path, strerror(errno));
	c->depth++;
	while (rc == CLI_OK && getline(&line, &cap, f) >= 0) {
		lineno++;
		p = trim(line);
		if (!*p || *p == '#')
			continue;
		if (*p == '[') {
			rc = cli_errorf(c, "%s:%u: QEMU's [section] format is not supported, "
					"write one option per line, e.g. '-netdev stream,id=a,...'",
					path, lineno);
			break;
		}
		wlen = strcspn(p, " \t");
		value = p[wlen] ? trim(p + wlen + 1) : NULL;
		if (value && !*value)
			value = NULL;
		if (wlen + 2 > sizeof(word)) {
			rc = cli_errorf(c, "%s:%u: unknown option '%.*s'", path, lineno,
					(int)(wlen > 40 ? 40 : wlen), p);
			break;
		}
		snprintf(word, sizeof(word), "%s%.*s", *p == '-' ? "" : "-", (int)wlen, p);
		rc = cli_option(c, word, value, &consumed);
		if (rc == CLI_OK && value && !consumed)
			rc = cli_errorf(c, "%s: takes no value", word);
		if (rc == CLI_ERROR) {
			/* Nested files give "outer:3: inner:7: ...", a backtrace. */
			char msg[CLI_ERR_MAX];

			snprintf(msg, sizeof(msg), "%s", c->err);
			snprintf(c->err, c->errlen, "%s:%u: %s", path, lineno, msg);
		}
	}
	if (rc == CLI_OK && ferror(f))
		rc = cli_errorf(c, "-readconfig: %s: read error", path);
	c->depth--;
	free(line);
	fclose(f);
	return rc;
}

/*
 * With no -netdev at all, listen on one stream socket on the default switch:
 * running "vmwire" alone should give something a VM can connect to. Root
 * gets /run/vmwire, users $XDG_RUNTIME_DIR/vmwire (or /tmp/vmwire-UID).
 */
static int add_default_netdev(struct cli_ctx *c)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char arg[4096 + 128];
	int n;

	if (geteuid() == 0)
		n = snprintf(c->cli->default_dir, sizeof(c->cli->default_dir), "/run/vmwire");
	else if (xdg && *xdg == '/')
		n = snprintf(c->cli->default_dir, sizeof(c->cli->default_dir), "%s/vmwire", xdg);
	else
		n = snprintf(c->cli->default_dir, sizeof(c->cli->default_dir), "/tmp/vmwire-%u",
			     (unsigned)geteuid());
	if (n < 0 || (size_t)n + sizeof("/default.sock") > CLI_SUN_PATH_MAX)
		return cli_errorf(c, "default socket directory '%s' is too long for a unix socket",
				  c->cli->default_dir);
	snprintf(arg, sizeof(arg), "stream,id=%s,server=on,addr.type=unix,addr.path=%s/default.sock",
		 CLI_DEFAULT_NETDEV, c->cli->default_dir);
	return opt_netdev(c, arg);
}

int cli_parse_registry(const struct cli_registry *reg, int argc, char **argv,
		       struct cli *out, char *err, size_t errlen)
{
	struct cli_ctx c = { .reg = reg, .cli = out, .err = err, .errlen = errlen };
	const struct netdev *nd;
	bool consumed;
	int i, rc;

	memset(out, 0, sizeof(*out));
	out->monitor_fd = out->qmp_fd = -1;
	if (errlen)
		*err = '\0';
	c.tail = &out->netdevs;
	for (i = 1; i < argc; i++) {
		rc = cli_option(&c, argv[i], i + 1 < argc ? argv[i + 1] : NULL, &consumed);
		if (rc != CLI_OK)
			goto fail;
		if (consumed)
			i++;
	}
	if (!out->netdevs && !reg->embedded) {
		rc = add_default_netdev(&c);
		if (rc != CLI_OK)
			goto fail;
	}
	for (nd = out->netdevs; nd; nd = nd->next) {
		if (strcmp(nd->common.switch_name, CLI_DEFAULT_SWITCH) &&
		    !cli_find_switch(out, nd->common.switch_name)) {
			rc = cli_errorf(&c, "-netdev %s: switch '%s' is not declared, add "
					"-switch id=%s", nd->common.id, nd->common.switch_name,
					nd->common.switch_name);
			goto fail;
		}
	}
	return CLI_OK;
fail:
	cli_free(out);
	return rc;
}

int cli_parse_netdev(const char *spec, bool (*id_taken)(const char *id, void *ctx), void *ctx,
		     struct netdev **out, char *err, size_t errlen)
{
	static const struct cli_registry reg = { netdev_type_find, netdev_type_names, false };
	struct cli tmp;
	struct cli_ctx c = { .reg = &reg, .cli = &tmp, .err = err, .errlen = errlen,
			     .id_taken = id_taken, .id_taken_ctx = ctx };
	int rc;

	memset(&tmp, 0, sizeof(tmp));
	if (errlen)
		*err = '\0';
	c.tail = &tmp.netdevs;
	*out = NULL;
	rc = opt_netdev(&c, spec);
	if (rc != CLI_OK) {
		cli_free(&tmp);
		return rc;
	}
	*out = tmp.netdevs;
	return CLI_OK;
}

void cli_free(struct cli *cli)
{
	struct cli_switch *s;
	struct netdev *nd;

	while ((nd = cli->netdevs)) {
		cli->netdevs = nd->next;
		nd->ops->destroy(nd);
	}
	while ((s = cli->switches)) {
		cli->switches = s->next;
		free(s);
	}
}

void cli_usage(FILE *out)
{
	fputs(
"Usage: vmwire [OPTIONS]\n"
"       vmwire ctl SOCKET COMMAND...\n"
"       vmwire run [OPTIONS] [--] [CMD [ARGS...]]\n"
"       vmwire bridge-helper [--use-vnet] --fd=N --br=BRIDGE [--acl=FILE]\n"
"       vmwire slirp4netns [OPTIONS] PID|PATH [TAPNAME]\n"
"\n"
"User-space virtual networking for QEMU VMs and network namespaces: an L2\n"
"hub or learning 802.1Q switch that VMs join with QEMU's own -netdev stream,\n"
"socket or dgram backends, and that TAP devices join from the host side.\n"
"Options use QEMU's spelling (a single dash; --option works too).\n"
"\n"
"Options:\n"
"  -netdev TYPE,id=ID[,KEY=VALUE...]\n"
"                     add an attachment (repeatable); keys below\n"
"  -switch id=NAME[,mode=hub|switch][,aging=SECONDS][,max-macs=N]\n"
"          [,port-security=on|off][,max-macs-per-port=N]\n"
"                     declare a network; mode=switch (default) learns MACs,\n"
"                     forgets them after aging seconds (default 300) and\n"
"                     learns at most max-macs (default 4096); mode=hub\n"
"                     repeats every frame to every other port; port\n"
"                     security (default on) keeps a MAC on the port it is\n"
"                     fresh on, pins vmwire's own MACs and caps each port\n"
"                     at max-macs-per-port MACs (default 8, 0: no cap)\n"
"  -monitor PATH      monitor on a unix socket (mode 0600); QEMU's\n"
"                     unix:PATH,server=on,wait=off spelling is accepted\n"
"                     (and the older unix:PATH,server,nowait)\n"
"  -qmp PATH          QMP (QEMU's JSON machine protocol) on a unix socket\n"
"                     (mode 0600), same spellings as -monitor: query-*,\n"
"                     netdev_add/netdev_del hot-plug, human-monitor-command\n"
"  -readconfig FILE   read options from FILE, one per line, e.g.\n"
"                     'netdev stream,id=a,...'; '#' starts a comment\n"
"  -daemonize         detach once every netdev is up; log to syslog\n"
"  -pidfile FILE      write the daemon's process id to FILE\n"
"  -busy-poll USEC    after handling traffic, poll for up to USEC\n"
"                     microseconds (0 to 1000000, default 0: off) before\n"
"                     sleeping: lower request/response latency for up to\n"
"                     USEC of CPU spin after each burst; idle, no spin\n"
"  -runas USER, -run-with user=USER\n"
"                     once set up, drop root for USER's uid and groups\n"
"  -sandbox on|off    once set up, shed capabilities, enter new mount/IPC/UTS\n"
"                     namespaces and filter system calls (default on);\n"
"                     --no-sandbox is -sandbox off, for debugging\n"
"  -v, -verbose, -q, -quiet\n"
"                     more, less logging (repeatable)\n"
"  -h, --help         this help\n"
"  -V, --version      print the version\n"
"\n"
"Keys common to every -netdev:\n"
"  id=ID              required, unique: a letter, then letters, digits, -._\n"
"  switch=NAME        the network to join (default: 'default', implicit;\n"
"                     other names need -switch id=NAME)\n"
"  vlan=N             access VLAN 1-4094 (default 1); with trunk=, the\n"
"                     native VLAN carried untagged\n"
"  trunk=LIST         carry these VLANs tagged: 'all', or ids and ranges\n"
"                     separated by ':' (trunk=10:20:100-110); without\n"
"                     vlan=, untagged frames are dropped\n"
"  pcap=FILE          capture this netdev's traffic to FILE (pcap format)\n"
"  port-security=on|off\n"
"                     override the switch's port security for this netdev's\n"
"                     ports; off for an uplink with a whole LAN behind it\n"
"  max-macs-per-port=N\n"
"                     MACs each of its ports may hold (default: the switch's)\n"
"  impair-loss=P, impair-dup=P, impair-reorder=P\n"
"                     make each port's wire lose, duplicate, reorder P percent\n"
"                     of its frames (reorder up to 50: a frame overtaken by\n"
"                     the next one)\n"
"  impair-delay=MS[/JITTER]\n"
"                     delay each frame MS ms, +/- up to JITTER ms (FIFO)\n"
"  impair-rate=MBIT   limit the wire to MBIT Mbit/s (decimals allowed)\n"
"  impair-limit=N     frames the delay queue holds (default 1000; more are\n"
"                     dropped and counted)\n"
"  impair-seed=N      random seed (default 1: runs repeat exactly)\n"
"  impair-dir=both|in|out\n"
"                     impair frames to vmwire (in), to the peer (out), or\n"
"                     both, each with its own queue (default both)\n"
"\n", out);
	netdev_types_usage(out);
	fputs(
"\n"
"With no -netdev, vmwire listens on $XDG_RUNTIME_DIR/vmwire/default.sock\n"
"(/run/vmwire/default.sock as root) and prints how QEMU connects.\n"
"\n"
"Example, a switch with two unix stream listeners:\n"
"  vmwire -netdev stream,id=a,server=on,addr.type=unix,addr.path=/tmp/a.sock \\\n"
"         -netdev stream,id=b,server=on,addr.type=unix,addr.path=/tmp/b.sock\n"
"then start each VM with the line vmwire prints, e.g.\n"
"  qemu-system-x86_64 ... -netdev stream,id=n0,server=off,addr.type=unix,\\\n"
"      addr.path=/tmp/a.sock -device virtio-net-pci,netdev=n0\n"
"\n"
"Monitor commands (vmwire ctl SOCKET COMMAND, or socat - UNIX:SOCKET):\n", out);
	monitor_commands_help(out, 2);
	fputs(
"\n"
"vmwire run runs CMD (default $SHELL) in a new network namespace behind a\n"
"-netdev user gateway: tap0 10.0.2.15/24, mtu 65520, default route via\n"
"10.0.2.2, /etc/resolv.conf naming 10.0.2.3 (see vmwire run --help).\n"
"vmwire slirp4netns (or vmwire started as slirp4netns, a symlink) is a\n"
"drop-in for slirp4netns 1.2, for podman, buildah and rootlesskit (see\n"
"vmwire slirp4netns --help).\n"
"\n"
"vmwire bridge-helper is a drop-in for qemu-bridge-helper: QEMU's\n"
"-netdev bridge,br=BRIDGE,helper=\"vmwire bridge-helper\" runs it to get a TAP\n"
"(vnet header with --use-vnet) on BRIDGE, sent over fd N, once the ACL\n"
"(default /etc/qemu/bridge.conf, or --acl=FILE) allows BRIDGE.\n"
"\n"
"Exit status: 0 clean exit (SIGINT, SIGTERM), 1 runtime error, 2 bad usage.\n"
"vmwire ctl: 0 the command succeeded, 1 it failed (the monitor's last_status)\n"
"or the monitor is unreachable, 2 bad usage.\n"
"See vmwire(1).\n", out);
}
