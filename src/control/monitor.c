/* SPDX-License-Identifier: MIT
 *
 * monitor.c - the unix socket monitor, see monitor.h.
 *
 * Theory of operation: a client is in one of two states. Reading: EPOLLIN
 * is armed, bytes are appended to a fixed line buffer and each complete
 * line is executed, its reply and a fresh prompt appended to the output
 * buffer. Writing: as soon as output is queued we try to send it; what the
 * socket does not take waits for EPOLLOUT, and while it waits no further
 * line is executed, so a client that pipelines commands but never reads
 * cannot make us buffer without bound. A line longer than MONITOR_LINE_MAX
 * gets one error and the session is closed after it drains.
 *
 * Clients are freed only from their own fd callback, as HACKING.md asks of
 * every fd owner.
 */
#include "control/monitor.h"
#include "control/listener.h"
#include "control/info.h"
#include "control/runtime.h"
#include "core/fdres.h"
#include "core/inany.h"
#include "core/log.h"
#include "core/loop.h"
#include "fabric/network.h"
#include "gateway/gateway.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MONITOR_CLIENTS_MAX 64
/* Stop executing queued lines while this much output is unsent. */
#define MONITOR_OUT_HIGH (64 * 1024)

struct mon_client {
	struct monitor *mon;
	int fd;
	struct ev_watch watch;
	char in[MONITOR_LINE_MAX];
	size_t inlen;
	char *out;        /* queued output, out[outoff..outlen) unsent */
	size_t outlen, outoff;
	bool closing;     /* close once the output drained */
	bool eof;         /* peer closed its side: no more input */
	bool draining;    /* we sent FIN; discarding input until the peer's */
	size_t drained;
	bool last_failed; /* the previous command's outcome, for last_status */
	struct mon_client *next;
};

enum monitor_log { MONITOR_LOG_ACCEPT };

struct monitor {
	struct runtime *rt;
	struct control_listener lsn;
	struct ev_watch watch;
	struct mon_client *clients;
	unsigned nclients;
	struct log_once logged; /* enum monitor_log */
};

/* ---- commands ----------------------------------------------------------- */

/* The user-mode gateway called id, or the first one when id is NULL. */
static struct gateway *find_gateway(const struct runtime *rt, const char *id)
{
	struct port *p;
	unsigned it;

	for (struct network *net = rt->networks; net; net = net->next)
		for (it = 0; (p = network_port_next(net, &it));)
			if (gateway_of_port(p) && (!id || !strcmp(p->id, id)))
				return gateway_of_port(p);
	return NULL;
}

/* hostfwd_add / hostfwd_remove [netdev_id] RULE, as QEMU's HMP. */
static int hostfwd_cmd(const struct runtime *rt, const char *cmd, const char *args, FILE *out)
{
	char a[2][MONITOR_LINE_MAX], extra[2], err[512];
	int n = sscanf(args, "%1023s %1023s %1s", a[0], a[1], extra);
	bool add = !strcmp(cmd, "hostfwd_add");
	struct gateway *gw;

	_Static_assert(MONITOR_LINE_MAX >= 1024, "sscanf widths above");
	if (n < 1 || n > 2) {
		fprintf(out, "%s: expected [netdev_id] %s\n", cmd,
			add ? "[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport"
			    : "[tcp|udp]:[hostaddr]:hostport");
		return MONITOR_FAILED;
	}
	gw = find_gateway(rt, n == 2 ? a[0] : NULL);
	if (!gw) {
		if (n == 2)
			fprintf(out, "%s: no user-mode gateway with id '%s'\n", cmd, a[0]);
		else
			fprintf(out, "%s: no user-mode gateway (-netdev user)\n", cmd);
		return MONITOR_FAILED;
	}
	if (add ? gateway_hostfwd_add(gw, a[n - 1], err, sizeof(err))
		: gateway_hostfwd_remove(gw, a[n - 1], err, sizeof(err))) {
		fprintf(out, "%s: %s\n", cmd, err);
		return MONITOR_FAILED;
	}
	if (!add)
		fprintf(out, "host forwarding rule for %s removed\n", a[n - 1]);
	return MONITOR_OK;
}

static int cmd_hostfwd(const struct runtime *rt, const char *name, const char *args, FILE *out)
{
	return hostfwd_cmd(rt, name, args, out);
}

/* dns_record_add [netdev_id] NAME ADDR, dns_record_remove [netdev_id]
 * NAME [ADDR]: two words to remove are NAME ADDR when the second is an
 * address, netdev_id NAME otherwise. */
static int cmd_dns_record(const struct runtime *rt, const char *cmd, const char *args,
			  FILE *out)
{
	char a[3][MONITOR_LINE_MAX], extra[2], err[512];
	int n = sscanf(args, "%1023s %1023s %1023s %1s", a[0], a[1], a[2], extra);
	bool add = !strcmp(cmd, "dns_record_add");
	const char *id = NULL, *name, *addr = NULL;
	union inany_addr probe;
	struct gateway *gw;

	if (n < (add ? 2 : 1) || n > 3) {
		fprintf(out, "%s: expected [netdev_id] NAME %s\n", cmd, add ? "ADDR" : "[ADDR]");
		return MONITOR_FAILED;
	}
	if (n == 3 || (n == 2 && !add && inany_pton(a[1], &probe)))
		id = a[0];
	name = a[id ? 1 : 0];
	if (n - (id ? 1 : 0) == 2)
		addr = a[id ? 2 : 1];
	gw = find_gateway(rt, id);
	if (!gw) {
		if (id)
			fprintf(out, "%s: no user-mode gateway with id '%s'\n", cmd, id);
		else
			fprintf(out, "%s: no user-mode gateway (-netdev user)\n", cmd);
		return MONITOR_FAILED;
	}
	if (add ? gateway_dns_record_add(gw, name, addr, err, sizeof(err))
		: gateway_dns_record_remove(gw, name, addr, err, sizeof(err))) {
		fprintf(out, "%s: %s\n", cmd, err);
		return MONITOR_FAILED;
	}
	return MONITOR_OK;
}

static int cmd_info_network(const struct runtime *rt, const char *name, const char *args,
			    FILE *out)
{
	info_network(rt, out);
	return 0;
}

static int cmd_info_usernet(const struct runtime *rt, const char *name, const char *args,
			    FILE *out)
{
	info_usernet(rt, out);
	return 0;
}

/* info topology [--format=text|dot] */
static int cmd_info_topology(const struct runtime *rt, const char *name, const char *args,
			     FILE *out)
{
	char fmt[16] = "", extra[2];
	int n;

	args += strspn(args, " \t");
	n = *args ? sscanf(args, "--format=%15s %1s", fmt, extra) : 0;
	if (*args && (n != 1 || (strcmp(fmt, "dot") && strcmp(fmt, "text")))) {
		fprintf(out, "info topology: expected [--format=text|dot], not '%s'\n", args);
		return MONITOR_FAILED;
	}
	info_topology(rt, !strcmp(fmt, "dot"), out);
	return 0;
}

static int cmd_info_version(const struct runtime *rt, const char *name, const char *args,
			    FILE *out)
{
	fputs(VMWIRE_VERSION "\n", out);
	return 0;
}

static int cmd_help(const struct runtime *rt, const char *name, const char *args, FILE *out)
{
	monitor_commands_help(out, 0);
	return 0;
}

static int cmd_quit(const struct runtime *rt, const char *name, const char *args, FILE *out)
{
	return MONITOR_QUIT;
}

/*
 * Every command, in the order of "help": the dispatch below, "help",
 * "info" alone, vmwire --help and the check of vmwire(1) (help_keys.sh)
 * all read this table, so a command cannot exist without its help.
 * name is the full command ("info network"); alias, when set, another
 * spelling; args, whether what follows the name goes to fn (help and quit
 * ignore it, as they always did) rather than being an error. fn NULL is
 * last_status, the one command about the session rather than the runtime
 * (monitor_exec() answers it).
 */
static const struct mon_cmd {
	const char *name, *alias;
	const char *usage; /* what follows the name in help, "" if nothing */
	const char *help;
	bool args;
	int (*fn)(const struct runtime *rt, const char *name, const char *args, FILE *out);
} mon_cmds[] = {
	{ "help", "?", "", "show this help", true, cmd_help },
	{ "hostfwd_add", NULL, "[netdev_id] [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport",
	  "forward a host port to a user-mode gateway's guest", true, cmd_hostfwd },
	{ "hostfwd_remove", NULL, "[netdev_id] [tcp|udp]:[hostaddr]:hostport",
	  "remove a host port redirection", true, cmd_hostfwd },
	{ "dns_record_add", NULL, "[netdev_id] NAME ADDR",
	  "answer NAME with ADDR (A or AAAA) from a user-mode gateway's DNS", true,
	  cmd_dns_record },
	{ "dns_record_remove", NULL, "[netdev_id] NAME [ADDR]",
	  "remove NAME's DNS record with ADDR, or all of NAME's", true, cmd_dns_record },
	{ "info network", NULL, "", "show the networks, their netdevs and ports", false,
	  cmd_info_network },
	{ "info usernet", NULL, "", "show the user-mode gateways' flows, leases and DNS records", false,
	  cmd_info_usernet },
	{ "info topology", NULL, "[--format=text|dot]",
	  "show how switches, netdevs, ports and leases connect (dot: Graphviz)", true,
	  cmd_info_topology },
	{ "info version", NULL, "", "show the version of vmwire", false, cmd_info_version },
	{ "last_status", NULL, "", "ok or failed: how the previous command went (vmwire ctl's "
	  "exit status)", false, NULL },
	{ "quit", "q", "", "close this monitor session (vmwire keeps running)", true,
	  cmd_quit },
};

#define MON_NCMDS (sizeof(mon_cmds) / sizeof(mon_cmds[0]))
#define MON_HELP_COL 23

/* "name|alias usage", padded to the help column or on a line of its own. */
static void print_cmd_help(const struct mon_cmd *c, int indent, FILE *out)
{
	int n = fprintf(out, "%*s%s%s%s%s%s", indent, "", c->name, c->alias ? "|" : "",
			c->alias ? c->alias : "", *c->usage ? " " : "", c->usage);

	if (n + 1 > indent + MON_HELP_COL)
		fprintf(out, "\n%*s", indent + MON_HELP_COL, "");
	else
		fprintf(out, "%*s", indent + MON_HELP_COL - n, "");
	fprintf(out, "-- %s\n", c->help);
}

void monitor_commands_help(FILE *out, int indent)
{
	size_t i;

	for (i = 0; i < MON_NCMDS; i++)
		print_cmd_help(&mon_cmds[i], indent, out);
}

/* The command whose name (one or two words) starts line; *rest gets what
 * follows it. */
static const struct mon_cmd *find_cmd(const char *line, const char **rest)
{
	size_t i, n;

	for (i = 0; i < MON_NCMDS; i++) {
		const char *names[2] = { mon_cmds[i].name, mon_cmds[i].alias };
		unsigned k;

		for (k = 0; k < 2; k++) {
			const char *p = line, *w = names[k];

			if (!w)
				continue;
			/* Word by word, so "info   network" matches too. */
			while (*w) {
				n = strcspn(w, " ");
				if (strncmp(p, w, n) || (p[n] && p[n] != ' ' && p[n] != '\t'))
					break;
				p += n;
				w += n;
				if (*w == ' ') {
					w++;
					p += strspn(p, " \t");
				}
			}
			if (!*w) {
				*rest = p;
				return &mon_cmds[i];
			}
		}
	}
	return NULL;
}

int monitor_exec(const struct runtime *rt, const char *line, FILE *out, bool last_failed)
{
	char cmd[32] = "", arg[32] = "";
	const struct mon_cmd *c;
	const char *rest;
	size_t i;
	int n;

	line += strspn(line, " \t");
	n = sscanf(line, "%31s %31s", cmd, arg);
	if (n <= 0)
		return 0; /* empty line: just a new prompt, like QEMU */
	c = find_cmd(line, &rest);
	if (c && !c->args && rest[strspn(rest, " \t")]) {
		fprintf(out, "%s: too many arguments\n", c->name);
		return MONITOR_FAILED;
	}
	if (c && !c->fn) {
		fputs(last_failed ? "failed\n" : "ok\n", out);
		return MONITOR_OK;
	}
	if (c)
		return c->fn(rt, c->name, rest, out);
	if (!strcmp(cmd, "info")) {
		if (n == 1) {
			for (i = 0; i < MON_NCMDS; i++)
				if (!strncmp(mon_cmds[i].name, "info ", 5))
					print_cmd_help(&mon_cmds[i], 0, out);
			return 0;
		}
		fprintf(out, "unknown info command: '%s' (try 'info')\n", arg);
		return MONITOR_FAILED;
	}
	fprintf(out, "unknown command: '%s' (try 'help')\n", cmd);
	return MONITOR_FAILED;
}

/* ---- sessions ----------------------------------------------------------- */

static void client_free(struct mon_client *c)
{
	struct monitor *mon = c->mon;
	struct mon_client **pp;

	for (pp = &mon->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	mon->nclients--;
	ev_watch_del(mon->rt->loop, &c->watch);
	close(c->fd);
	fd_reserve_refill(); /* it may have held the monitor's reserve */
	free(c->out);
	free(c);
}

static void client_append(struct mon_client *c, const char *data, size_t len)
{
	char *buf;

	if (!len || c->closing)
		return;
	buf = realloc(c->out, c->outlen + len + 1);
	if (!buf) {
		c->closing = true;
		return;
	}
	c->out = buf;
	memcpy(c->out + c->outlen, data, len);
	c->outlen += len;
}

/*
 * Append to the output buffer; beyond MONITOR_OUT_MAX the reply is cut and
 * the marker is added once, however many more writes a slow reader misses
 * (a client that never reads must not grow the buffer or the stack).
 */
static void client_queue(struct mon_client *c, const char *data, size_t len)
{
	static const char cut[] = "\n(output truncated)\n";
	const size_t cutlen = sizeof(cut) - 1;
	const size_t room = MONITOR_OUT_MAX - cutlen;

	if (c->outoff) { /* compact before growing */
		memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
		c->outlen -= c->outoff;
		c->outoff = 0;
	}
	if (c->outlen + len <= room) {
		client_append(c, data, len);
		return;
	}
	if (c->outlen < room)
		client_append(c, data, room - c->outlen);
	if (c->outlen < cutlen || memcmp(c->out + c->outlen - cutlen, cut, cutlen))
		client_append(c, cut, cutlen);
}

static void client_queue_str(struct mon_client *c, const char *s)
{
	client_queue(c, s, strlen(s));
}

static void client_run(struct mon_client *c, const char *line)
{
	char *reply = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	f = open_memstream(&reply, &len);
	if (!f) {
		client_queue_str(c, "error: out of memory\n");
		c->last_failed = true;
		return;
	}
	r = monitor_exec(c->mon->rt, line, f, c->last_failed);
	fclose(f);
	c->last_failed = r == MONITOR_FAILED;
	client_queue(c, reply, len);
	free(reply);
	if (r == MONITOR_QUIT)
		c->closing = true;
	else
		client_queue_str(c, MONITOR_PROMPT);
}

/* Execute complete lines while little output is pending. */
static void client_process(struct mon_client *c)
{
	char *nl;

	while (!c->closing && c->outlen - c->outoff < MONITOR_OUT_HIGH &&
	       (nl = memchr(c->in, '\n', c->inlen))) {
		size_t used = (size_t)(nl - c->in) + 1, linelen = used - 1;

		*nl = '\0';
		if (linelen && c->in[linelen - 1] == '\r')
			c->in[--linelen] = '\0';
		if (memchr(c->in, '\0', linelen))
			client_queue_str(c, "error: NUL byte in command\n" MONITOR_PROMPT);
		else
			client_run(c, c->in);
		memmove(c->in, c->in + used, c->inlen - used);
		c->inlen -= used;
	}
	if (!c->closing && c->inlen == sizeof(c->in) && !memchr(c->in, '\n', c->inlen)) {
		client_queue_str(c, "error: line too long (at most 4095 bytes), closing\n");
		c->closing = true;
	}
}

/* Send what we can. Returns -1 if the session is over. */
static int client_flush(struct mon_client *c)
{
	return control_send_queued(c->fd, c->out, c->outlen, &c->outoff);
}

static void client_cb(void *ctx, uint32_t events)
{
	struct mon_client *c = ctx;
	uint32_t want;

	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
		client_free(c);
		return;
	}
	if (c->draining) {
		char sink[4096];
		ssize_t n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);

		if (n > 0)
			c->drained += (size_t)n;
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) ||
		    c->drained > MONITOR_OUT_MAX || events & (EPOLLERR | EPOLLHUP))
			client_free(c);
		return;
	}
	if (events & EPOLLIN && !c->closing && !c->eof) {
		ssize_t n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen,
				 MSG_DONTWAIT);

		if (n == 0) {
			c->eof = true;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			client_free(c);
			return;
		} else if (n > 0) {
			c->inlen += (size_t)n;
		}
	}
	for (;;) {
		client_process(c);
		if (client_flush(c) < 0) {
			client_free(c);
			return;
		}
		/* Lines held back by the high-water mark can run now. */
		if (c->closing || c->outoff < c->outlen || !memchr(c->in, '\n', c->inlen))
			break;
	}
	if (c->eof && c->outoff == c->outlen) {
		client_free(c);
		return;
	}
	if (c->closing && c->outoff == c->outlen) {
		/* Closing with unread input would send a RST that can destroy
		 * our last reply (the error) in flight: send FIN, then discard
		 * until the peer closes too. */
		shutdown(c->fd, SHUT_WR);
		c->draining = true;
		ev_watch_mod(c->mon->rt->loop, &c->watch, EPOLLIN);
		return;
	}
	want = c->outoff < c->outlen ? EPOLLOUT : EPOLLIN;
	if (c->eof || c->closing)
		want = EPOLLOUT;
	ev_watch_mod(c->mon->rt->loop, &c->watch, want);
}

static void monitor_accept(void *ctx, uint32_t events)
{
	struct monitor *mon = ctx;
	struct mon_client *c;
	int fd;

	/* Out of fds, the first session still gets one: the reserve's. */
	fd = fd_accept_keep(mon->lsn.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC, NULL);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			LOG_ONCE_FOR(&mon->logged, MONITOR_LOG_ACCEPT, LOG_LVL_WARN,
				     "monitor: accept: %s", strerror(errno));
		return;
	}
	if (mon->nclients >= MONITOR_CLIENTS_MAX) {
		static const char busy[] = "error: too many monitor sessions\n";

		(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->mon = mon;
	c->fd = fd;
	ev_watch_init(&c->watch, fd, client_cb, c);
	if (ev_watch_add(mon->rt->loop, &c->watch, EPOLLIN) < 0) {
		close(fd);
		free(c);
		return;
	}
	c->next = mon->clients;
	mon->clients = c;
	mon->nclients++;
	client_queue_str(c, "vmwire " VMWIRE_VERSION
			 " monitor - type 'help' for more information\n" MONITOR_PROMPT);
	if (client_flush(c) < 0) {
		client_free(c);
		return;
	}
	if (c->outoff < c->outlen)
		ev_watch_mod(mon->rt->loop, &c->watch, EPOLLOUT);
}

/* ---- the listening socket ----------------------------------------------- */

struct monitor *monitor_new(struct runtime *rt, const char *path, int fd, char *err,
			    size_t errlen)
{
	struct monitor *mon;

	mon = calloc(1, sizeof(*mon));
	if (!mon) {
		snprintf(err, errlen, "-monitor: out of memory");
		return NULL;
	}
	mon->rt = rt;
	if ((fd >= 0 ? control_listen_fd(&mon->lsn, "monitor", fd, err, errlen)
		     : control_listen(&mon->lsn, "-monitor", path, err, errlen)) < 0) {
		free(mon);
		return NULL;
	}
	ev_watch_init(&mon->watch, mon->lsn.fd, monitor_accept, mon);
	if (ev_watch_add(rt->loop, &mon->watch, EPOLLIN) < 0) {
		snprintf(err, errlen, "-monitor %s: epoll: %s", mon->lsn.path, strerror(errno));
		control_listener_close(&mon->lsn);
		free(mon);
		return NULL;
	}
	return mon;
}

void monitor_free(struct monitor *mon)
{
	if (!mon)
		return;
	while (mon->clients)
		client_free(mon->clients);
	ev_watch_del(mon->rt->loop, &mon->watch);
	control_listener_close(&mon->lsn);
	free(mon);
}
