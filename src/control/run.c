/* SPDX-License-Identifier: MIT
 *
 * run.c - "vmwire run": a command in its own network namespace, connected
 * to the world through a user-mode gateway, see run.h.
 *
 * Theory of operation: two processes. The child unshares a network and a
 * mount namespace (and, when we are not root, a user namespace first, so
 * that an unprivileged user may create the other two), tells the parent,
 * and waits. The parent writes the child's uid/gid maps, then creates the
 * TAP *inside* the child's network namespace while staying outside itself:
 * a TAP fd, like any socket, belongs to the namespace it was created in,
 * whatever namespace its holder lives in. So the parent runs the TAP
 * creation and the address, route and loopback setup inside the namespace
 * and keeps the fd. As root that is netns_run(), a setns() there and back.
 * Without root, the parent may enter the child's user namespace (it owns
 * it) but could never come back to its own, so the detour runs in a
 * helper task cloned with CLONE_VM | CLONE_FILES | CLONE_VFORK: it shares
 * our memory and file table, joins the namespaces, creates the TAP and
 * exits; the fd and everything it set up stay with us, and our own
 * credentials and namespaces never change. (pasta does the same.)
 *
 * The TAP and a gateway (gateway.h) are the two netdevs of one private
 * switch, built directly (tap_netdev_new(), the -netdev user parser on the
 * user's own -netdev words) and run by the same runtime as the daemon's
 * (runtime.h): only the order differs, the TAP starting inside the
 * namespace first, the gateway once the TAP's MAC is known. The
 * namespace's interface gets the gateway's first DHCP address
 * directly, without a DHCP exchange, and the gateway is given that address
 * as a static lease for the TAP's MAC so its address plan knows it (a
 * VM-style DHCP client on the same address would get the same answer).
 * The child then makes its mount tree a slave of ours, bind-mounts a
 * private resolv.conf naming the gateway's DNS address over
 * /etc/resolv.conf, and execs the command. The parent runs the event loop
 * until the command exits (SIGCHLD through a signalfd) and exits with its
 * status. The namespace has no other reference, so it disappears with the
 * command's last process; the TAP goes with our fd.
 *
 * Signals: SIGINT, SIGTERM and SIGHUP sent to us by kill(2) are passed on
 * to the command, which decides what they mean; the same signals generated
 * by the terminal are not, because the command is in our process group and
 * already got its own copy.
 */
#include "control/run.h"
#include "control/cli.h"
#include "control/runtime.h"
#include "config/keyval.h"
#include "config/netdev.h"
#include "core/log.h"
#include "core/loop.h"
#include "gateway/config.h"
#include "gateway/gateway.h"
#include "ports/netns.h"
#include "ports/rtnl.h"
#include "ports/tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUN_DEFAULT_MTU GW_MTU_MAX /* also the largest --mtu */
#define RUN_MTU_MIN GW_MTU_MIN /* what the gateway accepts as its mtu= */
#define RUN_DEFAULT_IFNAME "tap0"
#define RUN_DEFAULT_GW_ID "gw"
#define RUN_TAP_ID "ns"
#define RUN_SWITCH_ID "run"
#define NS_CALL_STACK (256 * 1024)

struct run {
	/* Options. */
	struct netdev *gw;     /* the parsed -netdev user */
	struct gw_config *cfg; /* its configuration, completed before it starts */
	char gw_id[PORT_ID_MAX];
	char pcap_path[4096];
	char ifname[IFNAMSIZ];
	unsigned mtu;
	char **cmd;
	bool userns; /* not root: a user namespace makes the rest possible */

	/* State. */
	struct runtime rt;   /* owns tap and gw once adopted */
	bool adopted;
	struct netdev *tap;
	uint32_t guest_addr; /* host byte order */
	uint8_t guest_mac[6];
	pid_t child;
	int sock;            /* to the child: startup handshake */
	int sigfd;
	struct ev_watch sigwatch;
	int status;          /* our exit status once the child is gone */
	bool child_gone;
	sigset_t oldmask;
	char err[4096 + 512];
};

void run_usage(FILE *out)
{
	fputs(
"Usage: vmwire run [OPTIONS] [--] [CMD [ARGS...]]\n"
"\n"
"Run CMD (default: $SHELL, or /bin/sh) in a new network namespace whose\n"
"interface reaches the outside through vmwire's user-mode gateway, like\n"
"QEMU's -netdev user does for a VM. Without root, a user namespace is\n"
"created as well and CMD runs as root inside it. Inside the namespace:\n"
"  interface tap0 with the gateway's first DHCP address (10.0.2.15/24),\n"
"  mtu 65520, a default route via the gateway host (10.0.2.2), lo up, and\n"
"  /etc/resolv.conf naming the gateway's DNS address (10.0.2.3), bind-\n"
"  mounted in a private mount namespace.\n"
"\n"
"Options (they end at '--' or at the first word not starting with '-'):\n"
"  -netdev user[,id=ID][,pcap=FILE][,KEY=VALUE...]\n"
"                     the gateway, with the keys of vmwire's -netdev user\n"
"                     (net=, host=, dns=, dhcpstart=, dns-upstream=,\n"
"                     hostfwd=, dnssearch=, ...); default: -netdev user\n"
"  --mtu N            the interface's MTU, 576 to 65520 (default 65520,\n"
"                     or the gateway's mtu= if given)\n"
"  --ifname NAME      the interface's name (default tap0)\n"
"  -v, -q             more, less logging (default: warnings and errors)\n"
"  -h, --help         this help\n"
"\n"
"Example:\n"
"  vmwire run -netdev user,dns-upstream=192.0.2.53 -- curl http://example.com/\n"
"\n"
"Exit status: CMD's own, 128+N if CMD was killed by signal N, 126/127 if\n"
"CMD could not be executed or was not found, 1 if vmwire could not set\n"
"up the namespace, 2 for a bad option.\n", out);
}

/* ---- options ---------------------------------------------------------- */

static int usage_error(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(struct run *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return CLI_ERROR;
}

static int parse_gateway(struct run *r, const char *arg, bool *given)
{
	const char *type, *id, *pcap;
	struct kvlist kv;
	int rc = CLI_ERROR;

	if (*given)
		return usage_error(r, "-netdev: given twice, vmwire run has one gateway");
	*given = true;
	if (kv_parse(&kv, "-netdev", arg, "type", r->err, sizeof(r->err)) < 0)
		goto out;
	type = kv_get(&kv, "type");
	if (!type || strcmp(type, "user")) {
		usage_error(r, "-netdev: vmwire run takes only '-netdev user,...', not '%s'",
			    type ? type : "");
		goto out;
	}
	id = kv_get(&kv, "id");
	if (id) {
		if (!cli_valid_id(id) || strlen(id) >= sizeof(r->gw_id)) {
			kv_errorf(r->err, sizeof(r->err), &kv, "invalid id '%s'", id);
			goto out;
		}
		snprintf(r->gw_id, sizeof(r->gw_id), "%s", id);
	}
	pcap = kv_get(&kv, "pcap");
	if (pcap) {
		if (!*pcap || strlen(pcap) >= sizeof(r->pcap_path)) {
			kv_errorf(r->err, sizeof(r->err), &kv, "'pcap' expects a file name");
			goto out;
		}
		snprintf(r->pcap_path, sizeof(r->pcap_path), "%s", pcap);
	}
	r->gw = netdev_user_type.parse(&kv, r->err, sizeof(r->err));
	if (!r->gw || kv_check_unused(&kv, NULL, r->err, sizeof(r->err)) < 0)
		goto out;
	r->cfg = netdev_user_config(r->gw);
	rc = CLI_OK;
out:
	kv_free(&kv);
	return rc;
}

static int parse_mtu(struct run *r, const char *v)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = (*v >= '0' && *v <= '9') ? strtoul(v, &end, 10) : 0;
	if (!n || errno || *end || n < RUN_MTU_MIN || n > RUN_DEFAULT_MTU)
		return usage_error(r, "--mtu: expects a number from %d to %d, not '%s'",
				   RUN_MTU_MIN, RUN_DEFAULT_MTU, v);
	r->mtu = (unsigned)n;
	return CLI_OK;
}

/*
 * Options end at "--" or at the first word that is not an option, as for
 * unshare(1), so "vmwire run ip addr" works. Returns CLI_OK, CLI_HELP or
 * CLI_ERROR with r->err set; *verbosity gets the -v/-q balance.
 */
static int parse_args(struct run *r, int argc, char **argv, int *verbosity)
{
	bool gw_given = false, mtu_given = false;
	int i;

	for (i = 1; i < argc; i++) {
		const char *word = argv[i], *name, *eq, *value;
		size_t len;

		if (!strcmp(word, "--")) {
			i++;
			break;
		}
		if (word[0] != '-' || !word[1])
			break;
		name = word + (word[1] == '-' ? 2 : 1);
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		if (len > 1 && !eq && strspn(name, "v") == len) {
			*verbosity += (int)len;
			continue;
		}
#define IS(s) (len == strlen(s) && !strncmp(name, s, len))
		if (IS("h") || IS("help"))
			return CLI_HELP;
		if (IS("v") || IS("verbose") || IS("q") || IS("quiet")) {
			if (eq)
				return usage_error(r, "%.*s: takes no value", (int)(eq - word), word);
			*verbosity += name[0] == 'v' ? 1 : -1;
			continue;
		}
		if (!IS("netdev") && !IS("mtu") && !IS("ifname"))
			return usage_error(r, "%s: unknown option (see vmwire run --help)", word);
		value = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
		if (!value)
			return usage_error(r, "%s: missing value", word);
		if (IS("netdev")) {
			if (parse_gateway(r, value, &gw_given) != CLI_OK)
				return CLI_ERROR;
		} else if (IS("mtu")) {
			if (parse_mtu(r, value) != CLI_OK)
				return CLI_ERROR;
			mtu_given = true;
		} else {
			if (!tap_ifname_valid(value) || strlen(value) >= sizeof(r->ifname))
				return usage_error(r, "--ifname: '%s' is not a valid interface name",
						   value);
			snprintf(r->ifname, sizeof(r->ifname), "%s", value);
		}
#undef IS
	}
	r->cmd = argv + i;

	if (!gw_given && parse_gateway(r, "user", &gw_given) != CLI_OK)
		return CLI_ERROR;
	/* One MTU for both ends: the interface's and the one the gateway
	 * sizes its own segments for. */
	if (r->cfg->mtu_set && mtu_given && r->cfg->mtu != r->mtu)
		return usage_error(r, "--mtu %u: differs from -netdev user,mtu=%u", r->mtu,
				   r->cfg->mtu);
	if (r->cfg->mtu_set)
		r->mtu = r->cfg->mtu;
	r->cfg->mtu = r->mtu;
	return CLI_OK;
}

/* The guest's address: dhcpstart, or the next one no lease= took. */
static uint32_t pick_guest_addr(const struct gw_config *c)
{
	uint32_t a;
	unsigned i;

	for (a = c->dhcp_start; (a & c->mask) == c->net && a != (c->net | ~c->mask); a++) {
		if (a == c->host || a == c->dns)
			continue;
		for (i = 0; i < c->n_leases; i++)
			if (c->leases[i].addr == a)
				break;
		if (i == c->n_leases)
			return a;
	}
	return 0;
}

static unsigned prefix_len(uint32_t mask)
{
	unsigned n = 0;

	while (mask & 0x80000000u) {
		n++;
		mask <<= 1;
	}
	return n;
}

/* ---- the child -------------------------------------------------------- */

static ssize_t send_byte(int fd, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = send(fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n;
}

static ssize_t recv_all(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = recv(fd, buf, len, 0);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Our own resolv.conf, bind-mounted over the shared one in our private
 * mount namespace. Failure is not fatal: the command runs, with the host's
 * resolver configuration, and we say so. */
static void child_resolv_conf(const struct run *r)
{
	const char *tmpdir = getenv("TMPDIR");
	char path[PATH_MAX], dns[INET_ADDRSTRLEN];
	uint32_t a = htonl(r->cfg->dns);
	unsigned i;
	FILE *f;
	int fd;

	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
		fprintf(stderr, "vmwire run: warning: cannot make / a slave mount: %s; "
			"keeping the host's /etc/resolv.conf\n", strerror(errno));
		return;
	}
	if (!tmpdir || *tmpdir != '/')
		tmpdir = "/tmp";
	snprintf(path, sizeof(path), "%s/vmwire-resolv.XXXXXX", tmpdir);
	fd = mkstemp(path);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		fprintf(stderr, "vmwire run: warning: cannot write a resolv.conf in %s: %s; "
			"keeping the host's\n", tmpdir, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return;
	}
	inet_ntop(AF_INET, &a, dns, sizeof(dns));
	fprintf(f, "# vmwire run: the user-mode gateway's DNS forwarder\nnameserver %s\n", dns);
	if (r->cfg->n_dnssearch) {
		fputs("search", f);
		for (i = 0; i < r->cfg->n_dnssearch; i++)
			fprintf(f, " %s", r->cfg->dnssearch[i]);
		fputc('\n', f);
	} else if (*r->cfg->domainname) {
		fprintf(f, "search %s\n", r->cfg->domainname);
	}
	if (fchmod(fileno(f), 0644) < 0 || fclose(f) != 0 ||
	    mount(path, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0)
		fprintf(stderr, "vmwire run: warning: cannot bind-mount %s over /etc/resolv.conf: "
			"%s; keeping the host's\n", path, strerror(errno));
	/* The mount holds the file now; no name needs to outlive us. */
	unlink(path);
}

static __attribute__((noreturn)) void child_main(struct run *r, int sock)
{
	int flags = CLONE_NEWNET | CLONE_NEWNS | (r->userns ? CLONE_NEWUSER : 0);
	char *shell_argv[2];
	char **cmd = r->cmd;
	int e = 0;
	char go;

	if (unshare(flags) < 0)
		e = errno;
	if (send_byte(sock, &e, sizeof(e)) != sizeof(e) || e)
		_exit(1);
	/* The parent closes without a byte when its setup failed. */
	if (recv_all(sock, &go, 1) != 1)
		_exit(1);
	close(sock);

	child_resolv_conf(r);

	if (!*cmd) {
		const char *sh = getenv("SHELL");

		shell_argv[0] = (char *)(sh && *sh ? sh : "/bin/sh");
		shell_argv[1] = NULL;
		cmd = shell_argv;
	}
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &r->oldmask, NULL);
	execvp(cmd[0], cmd);
	e = errno;
	fprintf(stderr, "vmwire run: %s: %s\n", cmd[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

/* ---- namespace setup from the parent ---------------------------------- */

static int write_file(pid_t pid, const char *name, const char *text)
{
	char path[64];
	ssize_t n;
	int fd, e;

	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	e = n < 0 ? errno : 0;
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -(e ? e : EIO);
}

/* Root inside maps to us outside: the command may configure its own
 * network, as under unshare -r or pasta. */
static int write_id_maps(struct run *r)
{
	char map[64];
	int ret;

	snprintf(map, sizeof(map), "0 %lu 1\n", (unsigned long)geteuid());
	ret = write_file(r->child, "uid_map", map);
	if (!ret)
		ret = write_file(r->child, "setgroups", "deny\n");
	if (!ret) {
		snprintf(map, sizeof(map), "0 %lu 1\n", (unsigned long)getegid());
		ret = write_file(r->child, "gid_map", map);
	}
	if (ret)
		snprintf(r->err, sizeof(r->err), "cannot write the user namespace's id maps: %s",
			 strerror(-ret));
	return ret;
}

/* Runs inside the namespace: the TAP, then lo, address and route. */
static int ns_setup(void *arg)
{
	struct run *r = arg;
	uint32_t addr = htonl(r->guest_addr), gw = htonl(r->cfg->host);
	struct rtnl_link link, lo;
	const char *what = "open rtnetlink";
	char why[sizeof(r->err)];
	struct rtnl nl;
	int ret;

	if (runtime_start_netdev(&r->rt, r->tap, why, sizeof(why)) < 0) {
		snprintf(r->err, sizeof(r->err), "%s", why);
		return -EIO;
	}
	ret = rtnl_open(&nl);
	if (ret)
		goto fail;
	what = "find";
	ret = rtnl_link_get(&nl, r->ifname, &link);
	if (!ret) {
		what = "read the MAC address of";
		ret = rtnl_link_hwaddr(&nl, link.ifindex, r->guest_mac);
	}
	if (!ret) {
		what = "add the address to";
		ret = rtnl_addr_add(&nl, link.ifindex, AF_INET, &addr, prefix_len(r->cfg->mask));
	}
	if (!ret) {
		what = "add the default route via";
		ret = rtnl_route_add(&nl, AF_INET, NULL, 0, &gw, link.ifindex);
	}
	if (!ret) {
		what = "bring up lo next to";
		ret = rtnl_link_get(&nl, "lo", &lo);
		if (!ret)
			ret = rtnl_link_set(&nl, lo.ifindex, 0, true);
	}
	rtnl_close(&nl);
	if (!ret)
		return 0;
fail:
	snprintf(r->err, sizeof(r->err), "cannot %s %s in the namespace: %s", what, r->ifname,
		 strerror(-ret));
	return ret;
}

struct ns_call {
	int userfd, netfd;
	struct run *r;
	int ret;
};

static int ns_call_task(void *arg)
{
	struct ns_call *c = arg;

	if (setns(c->userfd, CLONE_NEWUSER) < 0 || setns(c->netfd, CLONE_NEWNET) < 0) {
		c->ret = -errno;
		snprintf(c->r->err, sizeof(c->r->err), "cannot enter the namespaces of "
			 "process %ld: %s", (long)c->r->child, strerror(errno));
		return 1;
	}
	c->ret = ns_setup(c->r);
	return 0;
}

/* ns_setup() inside the child's user and network namespaces, in a task
 * sharing our memory and fd table; see the theory of operation. */
static int ns_call_userns(struct run *r)
{
	struct ns_call c = { .userfd = -1, .netfd = -1, .r = r, .ret = -EIO };
	char path[64];
	void *stack = MAP_FAILED;
	pid_t pid;
	int st;

	snprintf(path, sizeof(path), "/proc/%ld/ns/user", (long)r->child);
	c.userfd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%ld/ns/net", (long)r->child);
	c.netfd = open(path, O_RDONLY | O_CLOEXEC);
	if (c.userfd < 0 || c.netfd < 0) {
		snprintf(r->err, sizeof(r->err), "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	stack = mmap(NULL, NS_CALL_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED) {
		snprintf(r->err, sizeof(r->err), "mmap: %s", strerror(errno));
		goto out;
	}
	/* CLONE_VFORK: we sleep until the task is done, so it never runs
	 * alongside us on our memory. */
	pid = clone(ns_call_task, (char *)stack + NS_CALL_STACK,
		    CLONE_VM | CLONE_FILES | CLONE_VFORK | SIGCHLD, &c);
	if (pid < 0) {
		snprintf(r->err, sizeof(r->err), "clone: %s", strerror(errno));
		goto out;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
out:
	if (stack != MAP_FAILED)
		munmap(stack, NS_CALL_STACK);
	if (c.userfd >= 0)
		close(c.userfd);
	if (c.netfd >= 0)
		close(c.netfd);
	return c.ret;
}

/* The two netdevs on the private switch, as the command line would have
 * them: common keys filled in, nothing opened. */
static int make_netdevs(struct run *r)
{
	struct tap_config cfg = { .mtu = r->mtu };
	struct netdev_common *c;

	snprintf(cfg.ifname, sizeof(cfg.ifname), "%s", r->ifname);
	r->tap = tap_netdev_new(&cfg);
	if (!r->tap) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		return -1;
	}
	c = &r->tap->common;
	snprintf(c->id, sizeof(c->id), RUN_TAP_ID);
	snprintf(c->switch_name, sizeof(c->switch_name), RUN_SWITCH_ID);
	c->vlan.pvid = 1;

	c = &r->gw->common;
	snprintf(c->id, sizeof(c->id), "%s", r->gw_id);
	snprintf(c->switch_name, sizeof(c->switch_name), RUN_SWITCH_ID);
	c->vlan.pvid = 1;
	snprintf(c->pcap_path, sizeof(c->pcap_path), "%s", r->pcap_path);
	r->tap->next = r->gw;
	r->gw->next = NULL;
	return 0;
}

static int start_gateway(struct run *r)
{
	unsigned i;

	/* Recorded before the gateway copies its configuration. */
	if (r->cfg->n_leases < GW_STATIC_LEASE_MAX) {
		memcpy(r->cfg->leases[r->cfg->n_leases].mac, r->guest_mac, 6);
		r->cfg->leases[r->cfg->n_leases].addr = r->guest_addr;
		r->cfg->n_leases++;
	}
	/* "hostfwd=tcp::8080-:80" means the first DHCP address, which is ours
	 * only if no lease= took it. */
	for (i = 0; i < r->cfg->n_hostfwd; i++)
		if (inany_is_unspecified(&r->cfg->hostfwd[i].guest_addr))
			r->cfg->hostfwd[i].guest_addr = inany_from_ip4(r->guest_addr);
	return runtime_start_netdev(&r->rt, r->gw, r->err, sizeof(r->err));
}

/* ---- the parent's loop ------------------------------------------------ */

static void reap(struct run *r)
{
	int st;
	pid_t pid;

	if (r->child_gone)
		return;
	do
		pid = waitpid(r->child, &st, WNOHANG);
	while (pid < 0 && errno == EINTR);
	if (pid != r->child)
		return;
	r->child_gone = true;
	if (WIFEXITED(st))
		r->status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		r->status = 128 + WTERMSIG(st);
	else
		r->status = 1;
	debug("run: command exited, status %d", r->status);
	ev_loop_stop(r->rt.loop);
}

static void on_signal(void *ctx, uint32_t events)
{
	struct run *r = ctx;
	struct signalfd_siginfo si;

	while (read(r->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			reap(r);
			continue;
		}
		/* From the terminal, the command got it too. */
		if (si.ssi_code != SI_USER && si.ssi_code != SI_QUEUE)
			continue;
		if (!r->child_gone) {
			debug("run: passing signal %u on to the command", si.ssi_signo);
			kill(r->child, (int)si.ssi_signo);
		}
	}
}

static int start(struct run *r)
{
	sigset_t mask;
	char nspath[64];
	int sv[2], e, ret;
	ssize_t n;
	char go = 1;

	if (!*r->ifname)
		snprintf(r->ifname, sizeof(r->ifname), RUN_DEFAULT_IFNAME);
	r->guest_addr = pick_guest_addr(r->cfg);
	if (!r->guest_addr) {
		snprintf(r->err, sizeof(r->err), "-netdev user: no free address from dhcpstart on");
		return -1;
	}

	if (make_netdevs(r) < 0 || runtime_init(&r->rt, r->err, sizeof(r->err)) < 0)
		return -1;
	/* The runtime owns both netdevs from here on; it creates the switch
	 * and opens the gateway's capture. */
	r->adopted = true;
	if (runtime_adopt(&r->rt, r->tap, r->err, sizeof(r->err)) < 0)
		return -1;

	/* Blocked before the fork so no SIGCHLD can slip past the signalfd. */
	runtime_signal_mask(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, &r->oldmask);
	r->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (r->sigfd < 0) {
		snprintf(r->err, sizeof(r->err), "signalfd: %s", strerror(errno));
		return -1;
	}
	ev_watch_init(&r->sigwatch, r->sigfd, on_signal, r);
	if (ev_watch_add(r->rt.loop, &r->sigwatch, EPOLLIN) < 0) {
		snprintf(r->err, sizeof(r->err), "epoll: %s", strerror(errno));
		return -1;
	}

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(r->err, sizeof(r->err), "socketpair: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	r->child = fork();
	if (r->child < 0) {
		snprintf(r->err, sizeof(r->err), "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (r->child == 0) {
		close(sv[0]);
		child_main(r, sv[1]);
	}
	close(sv[1]);
	r->sock = sv[0];

	n = recv_all(r->sock, &e, sizeof(e));
	if (n != sizeof(e) || e) {
		snprintf(r->err, sizeof(r->err), "cannot create the namespaces: %s%s",
			 n != sizeof(e) ? "the child process died" : strerror(e),
			 n == sizeof(e) && r->userns && (e == EPERM || e == ENOSPC || e == EACCES) ?
			 " (are unprivileged user namespaces disabled?)" : "");
		return -1;
	}
	if (r->userns && write_id_maps(r) < 0)
		return -1;

	if (r->userns) {
		ret = ns_call_userns(r);
	} else {
		snprintf(nspath, sizeof(nspath), "/proc/%ld/ns/net", (long)r->child);
		*r->err = '\0';
		ret = netns_run(nspath, ns_setup, r);
		if (ret < 0 && !*r->err)
			snprintf(r->err, sizeof(r->err), "cannot enter %s: %s", nspath,
				 strerror(-ret));
	}
	if (ret < 0)
		return -1;
	if (start_gateway(r) < 0)
		return -1;

	info("run: %s %u.%u.%u.%u/%u via %u.%u.%u.%u, mtu %u, in the network namespace of "
	     "process %ld", r->ifname, r->guest_addr >> 24, r->guest_addr >> 16 & 255,
	     r->guest_addr >> 8 & 255, r->guest_addr & 255, prefix_len(r->cfg->mask),
	     r->cfg->host >> 24, r->cfg->host >> 16 & 255, r->cfg->host >> 8 & 255,
	     r->cfg->host & 255, r->mtu, (long)r->child);
	/* If the command died meanwhile, SIGCHLD is waiting in the signalfd. */
	send_byte(r->sock, &go, 1);
	close(r->sock);
	r->sock = -1;
	return 0;
}

static void teardown(struct run *r)
{
	if (r->sock >= 0)
		close(r->sock); /* a waiting child sees EOF and exits */
	if (r->child > 0 && !r->child_gone) {
		/* Startup failed before the command ran: it only waits. */
		while (waitpid(r->child, NULL, 0) < 0 && errno == EINTR)
			;
		r->child_gone = true;
	}
	if (r->sigfd >= 0) {
		ev_watch_del(r->rt.loop, &r->sigwatch);
		close(r->sigfd);
	}
	if (r->adopted) {
		/* Started or not: closes the TAP and the gateway if open. */
		runtime_teardown(&r->rt);
	} else {
		if (r->tap)
			r->tap->ops->destroy(r->tap);
		if (r->gw)
			r->gw->ops->destroy(r->gw);
		if (r->rt.loop)
			ev_loop_free(r->rt.loop);
	}
}

int run_main(int argc, char **argv)
{
	struct run *r = calloc(1, sizeof(*r));
	int verbosity = 0, rc;

	if (!r) {
		fprintf(stderr, "vmwire run: out of memory\n");
		return 1;
	}
	r->sock = r->sigfd = -1;
	r->mtu = RUN_DEFAULT_MTU;
	r->userns = geteuid() != 0;
	snprintf(r->gw_id, sizeof(r->gw_id), RUN_DEFAULT_GW_ID);

	rc = parse_args(r, argc, argv, &verbosity);
	if (rc == CLI_HELP) {
		run_usage(stdout);
		if (r->gw)
			r->gw->ops->destroy(r->gw);
		free(r);
		return 0;
	}
	if (rc != CLI_OK) {
		fprintf(stderr, "vmwire run: %s\n", r->err);
		if (r->gw)
			r->gw->ops->destroy(r->gw);
		free(r);
		return 2;
	}
	/* The command's output is what the user asked for: ours only when
	 * something is wrong, unless -v. */
	log_adjust(verbosity - 1);
	signal(SIGPIPE, SIG_IGN);

	if (start(r) < 0) {
		fprintf(stderr, "vmwire run: %s\n", r->err);
		teardown(r);
		free(r);
		return 1;
	}
	if (ev_loop_run(r->rt.loop) < 0 && !r->child_gone) {
		fprintf(stderr, "vmwire run: event loop failed: %s\n", strerror(errno));
		kill(r->child, SIGKILL);
		while (waitpid(r->child, NULL, 0) < 0 && errno == EINTR)
			;
		r->child_gone = true;
		r->status = 1;
	}
	rc = r->status;
	teardown(r);
	free(r);
	return rc;
}
