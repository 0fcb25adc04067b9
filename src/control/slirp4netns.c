/* SPDX-License-Identifier: MIT
 *
 * slirp4netns.c - "vmwire slirp4netns": slirp4netns 1.2's command line and
 * API socket in front of vmwire's user-mode gateway, see slirp4netns.h.
 *
 * Theory of operation: the same two netdevs as "vmwire run" (run.c) on one
 * private switch, a TAP inside someone else's network namespace and a
 * gateway, except that the namespace is given (a PID, or a path such as
 * podman's /run/user/.../netns/NAME) instead of made. We join its user
 * namespace (the target's own, or --userns-path) and its network
 * namespace in a helper task (netns_call(), ports/netns.h) that shares our
 * memory and fds, open the TAP there (create it, or attach to the one
 * rootlesskit made), and with -c configure it as slirp4netns does: lo up,
 * the MTU, the MAC of --macaddress, the guest address (.100 of --cidr),
 * the default route via the gateway host (.2). We never leave our own
 * namespaces, so every socket of the gateway is the host's.
 *
 * The gateway is a "-netdev user" built from the options: net= from
 * --cidr, mtu= from --mtu, host-loopback=off for --disable-host-loopback
 * (with the host's other addresses left reachable, slirp4netns's
 * meaning), ipv6= from -6. The TAP's MAC gets a static lease of .100, so
 * the gateway's address plan (source guard, DHCP) agrees with what -c
 * configured, or what rootlesskit configures itself.
 *
 * Readiness and lifetime follow slirp4netns: once the TAP, the gateway and
 * the API socket are up (and the sandbox applied), "1" is written to
 * --ready-fd, which is then closed; we run until --exit-fd becomes
 * readable or hangs up (podman and buildah close their end when the
 * container is gone), or SIGINT/SIGTERM/SIGHUP, then exit 0.
 *
 * What differs from slirp4netns, and why, is in the usage text below and
 * in README.md ("vmwire for podman").
 */
#include "control/slirp4netns.h"
#include "control/runtime.h"
#include "control/sandbox.h"
#include "control/slirp_api.h"
#include "control/tap_gateway.h"
#include "config/keyval.h"
#include "config/netdev.h"
#include "core/log.h"
#include "core/loop.h"
#include "fabric/network.h"
#include "gateway/config.h"
#include "gateway/gateway.h"
#include "ports/netns.h"
#include "ports/tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#define S4N_VERSION "1.2.0" /* the slirp4netns whose interface this is */
#define S4N_MTU_DEFAULT 1500
#define S4N_MTU_MAX 65521
#define S4N_GUEST_HOST_PART 100 /* slirp4netns's "recommended_vguest" */
#define S4N_SWITCH_ID "slirp4netns"

struct s4n {
	/* Options. */
	bool configure, ipv6, no_host_loopback, netns_path, sandbox, seccomp, mac_set;
	int exit_fd, ready_fd;
	unsigned mtu;
	char cidr[64];
	const char *api_path, *userns_path, *target;
	char ifname[IFNAMSIZ];
	uint8_t mac[6];

	/* State. */
	struct runtime rt;
	bool adopted;
	struct netdev *tap, *gw;
	struct gw_config *cfg;
	uint32_t guest_addr; /* host byte order */
	uint8_t guest_mac[6];
	struct slirp_api api;
	bool api_open;
	int sigfd;
	struct ev_watch sigwatch, exitwatch;
	char err[4096 + 512];
};

void slirp4netns_usage(FILE *out)
{
	fputs(
"Usage: slirp4netns [OPTION]... PID|PATH [TAPNAME]\n"
"       vmwire slirp4netns [OPTION]... PID|PATH [TAPNAME]\n"
"Connect a network namespace to the outside through vmwire's user-mode\n"
"gateway: a TAP (default tap0) in the namespace of process PID, or of the\n"
"namespace file PATH (--netns-type=path), and the gateway behind it, with\n"
"the options and API socket of slirp4netns 1.2, so podman, buildah and\n"
"rootlesskit can run it in slirp4netns's place. vmwire started under the\n"
"name slirp4netns (a symlink) does the same.\n"
"\n"
"-c, --configure          set the interface up inside the namespace: lo up,\n"
"                         the MTU, the guest address (.100 of the network),\n"
"                         a default route via the gateway (.2); without -c,\n"
"                         use TAPNAME as it is (rootlesskit sets up its own)\n"
"-e, --exit-fd=FD         quit once FD is readable or its writer is gone\n"
"-r, --ready-fd=FD        once up, write \"1\" to FD and close it\n"
"-m, --mtu=MTU            the interface's MTU, 576 to 65521 (default 1500)\n"
"-6, --enable-ipv6        IPv6 as slirp4netns plans it: fd00::/64 by router\n"
"                         advertisement (SLAAC), gateway fd00::2, DNS fd00::3\n"
"-a, --api-socket=PATH    listen on the unix socket PATH for JSON requests:\n"
"                         add_hostfwd, list_hostfwd, remove_hostfwd\n"
"--cidr=CIDR              the guest network (default 10.0.2.0/24): gateway\n"
"                         .2, DNS .3, DHCP from .15, guest .100\n"
"--disable-host-loopback  refuse connections to the gateway address (.2),\n"
"                         which otherwise reach the host's 127.0.0.1; the\n"
"                         host's other addresses stay reachable\n"
"--netns-type=TYPE        what PID|PATH names: pid (default) or path\n"
"--userns-path=PATH       the user namespace to join first (default for a\n"
"                         PID: that process's own)\n"
"--enable-sandbox         taken for compatibility: vmwire always applies its\n"
"                         sandbox (mount, IPC, UTS namespaces where allowed)\n"
"--enable-seccomp         taken for compatibility: vmwire's seccomp filter\n"
"                         is always on\n"
"--outbound-addr=IPv4     refused: the gateway cannot bind its outgoing\n"
"--outbound-addr6=IPv6    sockets to one address yet\n"
"--disable-dns            refused: the gateway's DNS forwarder (.3) cannot\n"
"                         be switched off yet\n"
"--macaddress=MAC         the TAP's MAC address (with -c only)\n"
"--target-type=TYPE       netns, the default and only type (bess is refused)\n"
"-h, --help               this help\n"
"-v, --version            the slirp4netns version this interface is, and\n"
"                         vmwire's\n"
"\n"
"vmwire's log goes to stderr (podman keeps it in a file while it runs).\n"
"Exit status: 0 when --exit-fd or a signal ended it, 1 for a bad option\n"
"or a setup that failed (the reason is one line on stderr).\n", out);
}

static int fail(struct s4n *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct s4n *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- options ------------------------------------------------------------ */

static bool parse_uint(const char *v, unsigned long max, unsigned long *out)
{
	char *end;

	if (*v < '0' || *v > '9')
		return false;
	errno = 0;
	*out = strtoul(v, &end, 10);
	return !errno && !*end && *out <= max;
}

static int parse_fd(struct s4n *s, const char *opt, const char *v, int *fd)
{
	unsigned long n;

	if (!parse_uint(v, INT_MAX, &n))
		return fail(s, "%s: expects a file descriptor number, not '%s'", opt, v);
	if (fcntl((int)n, F_GETFD) < 0)
		return fail(s, "%s: %lu is not an open file descriptor", opt, n);
	*fd = (int)n;
	return 0;
}

static int parse_mac(struct s4n *s, const char *v)
{
	unsigned b[6];
	char tail;

	if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6 || strlen(v) != 17)
		return fail(s, "--macaddress: expects XX:XX:XX:XX:XX:XX, not '%s'", v);
	for (int i = 0; i < 6; i++)
		s->mac[i] = (uint8_t)b[i];
	if (s->mac[0] & 1)
		return fail(s, "--macaddress: %s is a multicast address", v);
	s->mac_set = true;
	return 0;
}

enum {
	OPT_CIDR = 256, OPT_NO_HOST_LOOPBACK, OPT_NETNS_TYPE, OPT_USERNS_PATH, OPT_SANDBOX,
	OPT_SECCOMP, OPT_OUTBOUND4, OPT_OUTBOUND6, OPT_NO_DNS, OPT_MAC, OPT_TARGET_TYPE,
};

static const struct option long_opts[] = {
	{ "configure", no_argument, NULL, 'c' },
	{ "exit-fd", required_argument, NULL, 'e' },
	{ "ready-fd", required_argument, NULL, 'r' },
	{ "mtu", required_argument, NULL, 'm' },
	{ "enable-ipv6", no_argument, NULL, '6' },
	{ "api-socket", required_argument, NULL, 'a' },
	{ "cidr", required_argument, NULL, OPT_CIDR },
	{ "disable-host-loopback", no_argument, NULL, OPT_NO_HOST_LOOPBACK },
	{ "netns-type", required_argument, NULL, OPT_NETNS_TYPE },
	{ "userns-path", required_argument, NULL, OPT_USERNS_PATH },
	{ "enable-sandbox", no_argument, NULL, OPT_SANDBOX },
	{ "enable-seccomp", no_argument, NULL, OPT_SECCOMP },
	{ "outbound-addr", required_argument, NULL, OPT_OUTBOUND4 },
	{ "outbound-addr6", required_argument, NULL, OPT_OUTBOUND6 },
	{ "disable-dns", no_argument, NULL, OPT_NO_DNS },
	{ "macaddress", required_argument, NULL, OPT_MAC },
	{ "target-type", required_argument, NULL, OPT_TARGET_TYPE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 },
};

enum { S4N_RUN, S4N_HELP, S4N_VERSION_OUT, S4N_BAD };

static int parse_option(struct s4n *s, int c, const char *arg)
{
	unsigned long n;

	switch (c) {
	case 'c': s->configure = true; return 0;
	case 'e': return parse_fd(s, "--exit-fd", arg, &s->exit_fd);
	case 'r': return parse_fd(s, "--ready-fd", arg, &s->ready_fd);
	case 'm':
		if (!parse_uint(arg, S4N_MTU_MAX, &n) || n < GW_MTU_MIN)
			return fail(s, "--mtu: expects a number from %d to %d, not '%s'",
				    GW_MTU_MIN, S4N_MTU_MAX, arg);
		s->mtu = (unsigned)n;
		return 0;
	case '6': s->ipv6 = true; return 0;
	case 'a':
		if (!*arg)
			return fail(s, "--api-socket: expects a path");
		s->api_path = arg;
		return 0;
	case OPT_CIDR:
		if (!*arg || strlen(arg) >= sizeof(s->cidr) || strchr(arg, ','))
			return fail(s, "--cidr: expects ADDR/PREFIX, not '%s'", arg);
		snprintf(s->cidr, sizeof(s->cidr), "%s", arg);
		return 0;
	case OPT_NO_HOST_LOOPBACK: s->no_host_loopback = true; return 0;
	case OPT_NETNS_TYPE:
		if (strcmp(arg, "pid") && strcmp(arg, "path"))
			return fail(s, "--netns-type: expects pid or path, not '%s'", arg);
		s->netns_path = !strcmp(arg, "path");
		return 0;
	case OPT_USERNS_PATH:
		if (!*arg)
			return fail(s, "--userns-path: expects a path");
		s->userns_path = arg;
		return 0;
	case OPT_SANDBOX: s->sandbox = true; return 0;
	case OPT_SECCOMP: s->seccomp = true; return 0;
	case OPT_OUTBOUND4:
	case OPT_OUTBOUND6:
		return fail(s, "--outbound-addr%s: not supported by vmwire yet (its gateway "
			    "does not bind its sockets to one address)", c == OPT_OUTBOUND6 ? "6" : "");
	case OPT_NO_DNS:
		return fail(s, "--disable-dns: not supported by vmwire yet (its gateway always "
			    "forwards DNS at the .3 address)");
	case OPT_MAC: return parse_mac(s, arg);
	case OPT_TARGET_TYPE:
		if (!strcmp(arg, "netns"))
			return 0;
		return fail(s, "--target-type: %s%s%s", !strcmp(arg, "bess") ?
			    "bess is not supported by vmwire" : "expects netns, not '",
			    !strcmp(arg, "bess") ? "" : arg, !strcmp(arg, "bess") ? "" : "'");
	}
	return fail(s, "internal: option %d", c);
}

static int parse_args(struct s4n *s, int argc, char **argv)
{
	int c, nargs;

	opterr = 0;
	optind = 1;
	/* "+" would stop at the PID; slirp4netns (GNU getopt) takes options
	 * after it too, as rootlesskit's and buildah's argv need. */
	while ((c = getopt_long(argc, argv, ":ce:r:m:6a:hv", long_opts, NULL)) != -1) {
		const char *word = argv[optind - 1];

		if (c == 'h')
			return S4N_HELP;
		if (c == 'v')
			return S4N_VERSION_OUT;
		if (c == '?' || c == ':') {
			/* A long option by its own spelling, a short one by
			 * its letter (getopt's optopt is the short name). */
			int len = (int)strcspn(word, "=");

			if (!strncmp(word, "--", 2))
				fail(s, "%.*s: %s", len, word, c == ':' ? "missing value" :
				     "unknown option, or one that takes no value (see --help)");
			else
				fail(s, "-%c: %s", optopt, c == ':' ? "missing value" :
				     "unknown option (see --help)");
			return S4N_BAD;
		}
		if (parse_option(s, c, optarg) < 0)
			return S4N_BAD;
	}
	nargs = argc - optind;
	if (nargs < 1 || nargs > 2) {
		fail(s, nargs < 1 ? "missing PID|PATH (see --help)" :
		     "too many arguments: expects PID|PATH [TAPNAME]");
		return S4N_BAD;
	}
	s->target = argv[optind];
	if (nargs == 2) {
		if (!tap_ifname_valid(argv[optind + 1]) ||
		    strlen(argv[optind + 1]) >= sizeof(s->ifname)) {
			fail(s, "TAPNAME: '%s' is not a valid interface name", argv[optind + 1]);
			return S4N_BAD;
		}
		snprintf(s->ifname, sizeof(s->ifname), "%s", argv[optind + 1]);
	}
	if (!s->netns_path) {
		unsigned long pid;

		if (!parse_uint(s->target, INT_MAX, &pid) || !pid) {
			fail(s, "PID: expects a process id, not '%s' (a path needs "
			     "--netns-type=path)", s->target);
			return S4N_BAD;
		}
	}
	if (s->mac_set && !s->configure) {
		fail(s, "--macaddress: only valid with -c");
		return S4N_BAD;
	}
	return S4N_RUN;
}

/* ---- the gateway -------------------------------------------------------- */

static int make_gateway(struct s4n *s)
{
	char spec[320];
	struct kvlist kv;
	uint32_t guest;

	/* -6: slirp4netns's IPv6 plan (fd00::/64, gateway ::2, DNS ::3); the
	 * namespace configures itself from the gateway's router
	 * advertisements (SLAAC), as it does from libslirp's. */
	snprintf(spec, sizeof(spec), "user,net=%s,mtu=%u,host-loopback=%s,%s",
		 *s->cidr ? s->cidr : "10.0.2.0/24", s->mtu < GW_MTU_MAX ? s->mtu : GW_MTU_MAX,
		 s->no_host_loopback ? "off" : "on",
		 s->ipv6 ? "ipv6=on,ipv6-net=fd00::/64,ipv6-host=fd00::2,ipv6-dns=fd00::3"
			 : "ipv6=off");
	if (kv_parse(&kv, "--cidr", spec, "type", s->err, sizeof(s->err)) < 0)
		return -1;
	(void)kv_get(&kv, "type"); /* "user", ours */
	s->gw = netdev_user_type.parse(&kv, s->err, sizeof(s->err));
	if (s->gw && kv_check_unused(&kv, NULL, s->err, sizeof(s->err)) < 0) {
		s->gw->ops->destroy(s->gw);
		s->gw = NULL;
	}
	kv_free(&kv);
	if (!s->gw)
		return -1;
	s->cfg = netdev_user_config(s->gw);
	s->cfg->host_local_open = s->no_host_loopback;
	guest = s->cfg->net | S4N_GUEST_HOST_PART;
	if ((guest & s->cfg->mask) != s->cfg->net || guest == (s->cfg->net | ~s->cfg->mask) ||
	    guest == s->cfg->host || guest == s->cfg->dns)
		return fail(s, "--cidr %s: too small for the guest address .%d", s->cidr,
			    S4N_GUEST_HOST_PART);
	s->guest_addr = guest;
	return 0;
}

static int make_netdevs(struct s4n *s)
{
	/* Without -c the interface is someone else's (rootlesskit's): its
	 * MTU stays theirs. */
	s->tap = tap_gw_pair(s->gw, "gw", s->ifname, s->configure ? s->mtu : 0, "tap",
			     S4N_SWITCH_ID);
	return s->tap ? 0 : fail(s, "out of memory");
}

/* ---- inside the namespace ----------------------------------------------- */

/* Runs in the target's namespaces (netns_call): the TAP, then with -c what
 * slirp4netns's configure does, in its order (tap_gateway.h). */
static int ns_setup(void *arg)
{
	struct s4n *s = arg;
	struct tap_gw_ip ip = {
		.ifname = s->ifname, .configure = s->configure, .mac = s->mac_set ? s->mac : NULL,
		.addr = s->guest_addr, .mask = s->cfg->mask, .gw = s->cfg->host,
	};
	int ifindex;

	return tap_gw_ns_setup(&s->rt, s->tap, &ip, s->guest_mac, &ifindex, s->err,
			       sizeof(s->err));
}

static bool same_ns(int fd, const char *ours)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(ours, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static int enter_and_setup(struct s4n *s)
{
	char netpath[PATH_MAX], userpath[PATH_MAX];
	int netfd, userfd = -1, enter_errno, ret;

	if (s->netns_path)
		snprintf(netpath, sizeof(netpath), "%s", s->target);
	else
		snprintf(netpath, sizeof(netpath), "/proc/%s/ns/net", s->target);
	netfd = open(netpath, O_RDONLY | O_CLOEXEC);
	if (netfd < 0)
		return fail(s, "cannot open the network namespace %s: %s", netpath,
			    strerror(errno));
	/* The target's user namespace, as slirp4netns's nsenter: the one it
	 * was given, or PID's own unless it is ours (setns() into our own
	 * user namespace is refused). */
	if (s->userns_path)
		snprintf(userpath, sizeof(userpath), "%s", s->userns_path);
	else if (!s->netns_path)
		snprintf(userpath, sizeof(userpath), "/proc/%s/ns/user", s->target);
	if (s->userns_path || !s->netns_path) {
		userfd = open(userpath, O_RDONLY | O_CLOEXEC);
		if (userfd < 0 && s->userns_path) {
			close(netfd);
			return fail(s, "--userns-path %s: %s", userpath, strerror(errno));
		}
		if (userfd >= 0 && same_ns(userfd, "/proc/self/ns/user")) {
			close(userfd);
			userfd = -1;
		}
	}
	ret = netns_call(userfd, netfd, ns_setup, s, &enter_errno);
	if (enter_errno)
		fail(s, "cannot enter the namespaces of %s: %s", s->target, strerror(enter_errno));
	else if (ret < 0 && !*s->err)
		fail(s, "cannot set up %s in %s: %s", s->ifname, s->target, strerror(-ret));
	if (userfd >= 0)
		close(userfd);
	close(netfd);
	return ret < 0 ? -1 : 0;
}

/* ---- the API's view of the gateway -------------------------------------- */

static struct gateway *our_gateway(const struct s4n *s)
{
	struct port *p;
	unsigned it;

	for (struct network *net = s->rt.networks; net; net = net->next)
		for (it = 0; (p = network_port_next(net, &it));)
			if (gateway_of_port(p))
				return gateway_of_port(p);
	return NULL;
}

static int api_add(void *ctx, const char *spec, char *err, size_t errlen)
{
	struct gateway *gw = our_gateway(ctx);

	if (!gw) {
		snprintf(err, errlen, "the gateway is gone");
		return -1;
	}
	return gateway_hostfwd_add(gw, spec, err, errlen);
}

static int api_remove(void *ctx, const char *spec, char *err, size_t errlen)
{
	struct gateway *gw = our_gateway(ctx);

	if (!gw) {
		snprintf(err, errlen, "the gateway is gone");
		return -1;
	}
	return gateway_hostfwd_remove(gw, spec, err, errlen);
}

static const struct slirp_api_ops api_ops = { .add = api_add, .remove = api_remove };

/* ---- lifetime ----------------------------------------------------------- */

static void on_exit_fd(void *ctx, uint32_t events)
{
	struct s4n *s = ctx;

	debug("slirp4netns: --exit-fd %d is %s, exiting", s->exit_fd,
	      events & (EPOLLHUP | EPOLLERR) ? "hung up" : "readable");
	ev_loop_stop(s->rt.loop);
}

static void on_signal(void *ctx, uint32_t events)
{
	struct s4n *s = ctx;
	struct signalfd_siginfo si;

	if (read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		debug("slirp4netns: signal %u, exiting", si.ssi_signo);
		ev_loop_stop(s->rt.loop);
	}
}

static int start(struct s4n *s)
{
	struct sandbox_opts so = { .off = false };
	struct sandbox_needs needs;
	sigset_t mask;

	if (!*s->ifname)
		snprintf(s->ifname, sizeof(s->ifname), "tap0");
	if (make_gateway(s) < 0 || make_netdevs(s) < 0)
		return -1;
	if (runtime_init(&s->rt, s->err, sizeof(s->err)) < 0)
		return -1;
	s->adopted = true;
	if (runtime_adopt(&s->rt, s->tap, s->err, sizeof(s->err)) < 0)
		return -1;

	runtime_signal_mask(&mask);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	s->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->sigfd < 0)
		return fail(s, "signalfd: %s", strerror(errno));
	ev_watch_init(&s->sigwatch, s->sigfd, on_signal, s);
	if (ev_watch_add(s->rt.loop, &s->sigwatch, EPOLLIN) < 0)
		return fail(s, "epoll: %s", strerror(errno));
	if (s->exit_fd >= 0) {
		ev_watch_init(&s->exitwatch, s->exit_fd, on_exit_fd, s);
		if (ev_watch_add(s->rt.loop, &s->exitwatch, EPOLLIN) < 0)
			return fail(s, "--exit-fd %d: cannot watch it: %s", s->exit_fd,
				    strerror(errno));
	}

	if (enter_and_setup(s) < 0)
		return -1;
	/* Recorded before the gateway copies its configuration. */
	if (s->cfg->n_leases < GW_STATIC_LEASE_MAX) {
		memcpy(s->cfg->leases[s->cfg->n_leases].mac, s->guest_mac, 6);
		s->cfg->leases[s->cfg->n_leases].addr = s->guest_addr;
		s->cfg->n_leases++;
	}
	if (runtime_start_netdev(&s->rt, s->gw, s->err, sizeof(s->err)) < 0)
		return -1;
	if (s->api_path) {
		slirp_api_init(&s->api, &api_ops, s, s->guest_addr);
		if (slirp_api_listen(&s->api, s->rt.loop, s->api_path, s->err,
				     sizeof(s->err)) < 0)
			return -1;
		s->api_open = true;
	}
	sandbox_needs_collect(s->rt.netdevs, &needs);
	if (sandbox_apply(&so, &needs, s->err, sizeof(s->err)) < 0)
		return -1;
	info("slirp4netns: %s %u.%u.%u.%u in %s, mtu %u%s%s", s->ifname, s->guest_addr >> 24,
	     s->guest_addr >> 16 & 255, s->guest_addr >> 8 & 255, s->guest_addr & 255, s->target,
	     s->mtu, s->configure ? ", configured" : "", s->api_path ? ", API socket" : "");
	if (s->ready_fd >= 0) {
		ssize_t n;

		do
			n = write(s->ready_fd, "1", 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			warn("slirp4netns: --ready-fd %d: %s", s->ready_fd,
			     n < 0 ? strerror(errno) : "short write");
		close(s->ready_fd);
		s->ready_fd = -1;
	}
	return 0;
}

static void teardown(struct s4n *s)
{
	if (s->api_open)
		slirp_api_close(&s->api);
	if (s->exit_fd >= 0 && s->rt.loop)
		ev_watch_del(s->rt.loop, &s->exitwatch);
	if (s->sigfd >= 0) {
		ev_watch_del(s->rt.loop, &s->sigwatch);
		close(s->sigfd);
	}
	if (s->adopted) {
		runtime_teardown(&s->rt);
	} else {
		if (s->tap)
			s->tap->ops->destroy(s->tap);
		if (s->gw)
			s->gw->ops->destroy(s->gw);
		if (s->rt.loop)
			ev_loop_free(s->rt.loop);
	}
}

int slirp4netns_main(int argc, char **argv)
{
	struct s4n *s = calloc(1, sizeof(*s));
	int rc;

	if (!s) {
		fprintf(stderr, "slirp4netns: out of memory\n");
		return 1;
	}
	s->exit_fd = s->ready_fd = s->sigfd = -1;
	s->mtu = S4N_MTU_DEFAULT;
	rc = parse_args(s, argc, argv);
	if (rc == S4N_HELP || rc == S4N_VERSION_OUT) {
		if (rc == S4N_HELP)
			slirp4netns_usage(stdout);
		else
			printf("slirp4netns version " S4N_VERSION " (vmwire %s)\n", VMWIRE_VERSION);
		free(s);
		return 0;
	}
	if (rc != S4N_RUN) {
		fprintf(stderr, "slirp4netns: %s\n", s->err);
		free(s);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	rc = 0;
	if (start(s) < 0) {
		fprintf(stderr, "slirp4netns: %s\n", s->err);
		rc = 1;
	} else if (ev_loop_run(s->rt.loop) < 0) {
		fprintf(stderr, "slirp4netns: event loop failed: %s\n", strerror(errno));
		rc = 1;
	}
	teardown(s);
	free(s);
	return rc;
}
