/* SPDX-License-Identifier: MIT
 *
 * main.c - wires the command line, the fabric, the netdevs and the monitor
 * together, and runs the loop.
 *
 * Theory of operation: startup is strictly ordered so that every mistake
 * the user can make is reported before anything exists on disk or on the
 * network. cli_parse() validates everything (phase one, exit status 2).
 * Then the networks are created, captures opened, the monitor bound and
 * each netdev started (phase two); a failure there is a runtime error, exit
 * status 1, after destroying what was already started so no socket file is
 * left behind. Only when everything listens do we print the QEMU command
 * lines, apply the sandbox (sandbox.h: privileges, namespaces, seccomp),
 * and print the "ready" line tests and scripts wait for; with -daemonize
 * the parent process exits only then, with the child's startup status, as
 * QEMU does, so "vmwire -daemonize ... && qemu ..." is race free.
 *
 * Signals arrive through a signalfd on the loop, not through handlers: a
 * SIGTERM simply makes the loop stop, and teardown runs in normal context.
 */
#include "control/cli.h"
#include "control/activation.h"
#include "control/monitor.h"
#include "control/qmp.h"
#include "config/netdev.h"
#include "control/run.h"
#include "control/runtime.h"
#include "control/bridge_helper.h"
#include "control/sandbox.h"
#include "control/slirp4netns.h"
#include "core/fdres.h"
#include "core/log.h"
#include "core/loop.h"
#include "fabric/network.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

struct daemon_state {
	struct runtime rt;
	struct monitor *mon;
	struct qmp *qmp;
	int sigfd;
	struct ev_watch sigwatch;
	const char *pidfile; /* set once written, so only then unlinked */
	const char *made_dir; /* the default directory, if we created it */
	int ready_fd;        /* -daemonize: pipe to the waiting parent, else -1 */
};

static void on_signal(void *ctx, uint32_t events)
{
	struct daemon_state *d = ctx;
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			debug("SIGHUP ignored");
			continue;
		}
		info("%s received, shutting down",
		     si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
		ev_loop_stop(d->rt.loop);
	}
}

/*
 * Fork; the parent waits for one status byte from the child and exits with
 * it (1 if the child died first). Returns the write end in the child.
 */
static int daemonize_start(void)
{
	int p[2];
	pid_t pid;
	char status;

	if (pipe2(p, O_CLOEXEC) < 0) {
		fprintf(stderr, "vmwire: -daemonize: pipe: %s\n", strerror(errno));
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "vmwire: -daemonize: fork: %s\n", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		ssize_t n;

		close(p[1]);
		do
			n = read(p[0], &status, 1);
		while (n < 0 && errno == EINTR);
		/* A child that died before reporting reads as EOF: status 1. */
		exit(n == 1 ? status : 1);
	}
	close(p[0]);
	setsid();
	return p[1];
}

/* Tell the waiting parent how startup went; then become a real daemon. */
static void daemonize_finish(struct daemon_state *d, int status)
{
	char s = (char)status;
	int null;

	if (d->ready_fd < 0)
		return;
	fflush(stdout);
	if (status == 0) {
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
			if (null > STDERR_FILENO)
				close(null);
		}
		log_use_syslog("vmwire");
	}
	(void)!write(d->ready_fd, &s, 1);
	close(d->ready_fd);
	d->ready_fd = -1;
}

/* The no-argument default listener's directory: private to its owner.
 * Removed at exit only if we made it (d->made_dir) and it is empty then. */
static int make_default_dir(struct daemon_state *d, const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0) {
		d->made_dir = dir;
	} else if (errno != EEXIST) {
		err("%s: can't create directory: %s", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		err("%s: not a directory owned by us, refusing to put sockets there", dir);
		return -1;
	}
	return 0;
}

/* Written to a fresh temporary name (mkstemp: O_CREAT|O_EXCL, never
 * through a symlink) in the same directory, then renamed over path:
 * rename() replaces a symlink at path instead of following it, so a local
 * user who planted one cannot make us (as root) write into a file they
 * chose, and readers never see a half-written file. */
static int write_pidfile(struct daemon_state *d, const char *path)
{
	char tmp[sizeof(((struct cli *)0)->pidfile) + 8];
	FILE *f = NULL;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd >= 0 && (fchmod(fd, 0644) < 0 || !(f = fdopen(fd, "w")))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0 || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) < 0) {
		err("-pidfile %s: %s", path, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		return -1;
	}
	d->pidfile = path;
	return 0;
}

static void teardown(struct daemon_state *d)
{
	monitor_free(d->mon);
	d->mon = NULL;
	qmp_free(d->qmp);
	d->qmp = NULL;
	if (d->sigfd >= 0) {
		ev_watch_del(d->rt.loop, &d->sigwatch);
		close(d->sigfd);
		d->sigfd = -1;
	}
	runtime_teardown(&d->rt);
	if (d->pidfile)
		unlink(d->pidfile);
	/* After the netdevs unlinked their sockets. Not empty (someone else's
	 * files) or no longer ours to remove (-runas): it stays. unlinkat,
	 * not rmdir, is what the sandbox's filter allows. */
	if (d->made_dir && unlinkat(AT_FDCWD, d->made_dir, AT_REMOVEDIR) < 0)
		debug("%s: not removed: %s", d->made_dir, strerror(errno));
}

static int start(struct daemon_state *d, struct cli *cli)
{
	char errbuf[1024];
	sigset_t mask;

	/* Before anything is opened: the limit the flow tables are sized
	 * against, and the reserve that keeps listeners from spinning. */
	fd_budget_init();
	if (runtime_init(&d->rt, errbuf, sizeof(errbuf)) < 0) {
		err("%s", errbuf);
		return -1;
	}
	runtime_signal_mask(&mask);
	d->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sigfd < 0) {
		err("signalfd: %s", strerror(errno));
		return -1;
	}
	ev_watch_init(&d->sigwatch, d->sigfd, on_signal, d);
	if (ev_watch_add(d->rt.loop, &d->sigwatch, EPOLLIN) < 0) {
		err("epoll: %s", strerror(errno));
		return -1;
	}

	if (runtime_build(&d->rt, cli, errbuf, sizeof(errbuf)) < 0)
		goto fail;
	if (*cli->default_dir && make_default_dir(d, cli->default_dir) < 0)
		return -1;
	if (*cli->monitor_path || cli->monitor_fd >= 0) {
		d->mon = monitor_new(&d->rt, cli->monitor_path, cli->monitor_fd, errbuf,
				     sizeof(errbuf));
		if (!d->mon)
			goto fail;
	}
	if (*cli->qmp_path || cli->qmp_fd >= 0) {
		d->qmp = qmp_new(&d->rt, cli->qmp_path, cli->qmp_fd, errbuf, sizeof(errbuf));
		if (!d->qmp)
			goto fail;
	}
	if (runtime_start(&d->rt, errbuf, sizeof(errbuf)) < 0)
		goto fail;
	runtime_print_hints(&d->rt, stdout);
	fflush(stdout);
	if (*cli->pidfile && write_pidfile(d, cli->pidfile) < 0)
		return -1;
	return 0;
fail:
	err("%s", errbuf);
	return -1;
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int main(int argc, char **argv)
{
	struct daemon_state d = { .sigfd = -1, .ready_fd = -1 };
	struct sandbox_needs needs;
	char errbuf[CLI_ERR_MAX];
	struct cli cli;
	sigset_t mask;
	int rc;

	if (argc > 1 && !strcmp(argv[1], "ctl"))
		return ctl_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "run"))
		return run_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "bridge-helper"))
		return bridge_helper_main(argc - 1, argv + 1);
	/* Started as slirp4netns (a symlink podman's network_cmd_path names)
	 * or asked for it: slirp4netns's command line, not ours. */
	if (argc > 0 && !strcmp(basename_of(argv[0]), "slirp4netns"))
		return slirp4netns_main(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "slirp4netns"))
		return slirp4netns_main(argc - 1, argv + 1);
	/* Undocumented: the man page's NETDEV TYPES section, from the
	 * registry, for "make man" and the test that keeps doc/vmwire.1 in
	 * step with it. */
	if (argc == 2 && !strcmp(argv[1], "--help-man-netdevs")) {
		netdev_types_man(stdout);
		return 0;
	}

	/* A peer closing its socket must be an EPIPE, not our death. */
	signal(SIGPIPE, SIG_IGN);
	/* Scripts read the QEMU lines from a pipe while we keep running. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	rc = cli_parse(argc, argv, &cli, errbuf, sizeof(errbuf));
	switch (rc) {
	case CLI_OK:
		break;
	case CLI_HELP:
		cli_usage(stdout);
		return 0;
	case CLI_VERSION:
		printf("vmwire %s\n", VMWIRE_VERSION);
		return 0;
	default:
		fprintf(stderr, "vmwire: %s\n", errbuf);
		return 2;
	}
	log_adjust(cli.verbosity);
	/* Listening sockets systemd made for us (vmwire.socket). */
	if (activation_collect(&cli, errbuf, sizeof(errbuf)) < 0) {
		fprintf(stderr, "vmwire: %s\n", errbuf);
		cli_free(&cli);
		return 2;
	}

	/* Blocked from the start so a SIGTERM during startup is not lost: it
	 * waits in the signalfd and stops the loop on its first turn. */
	runtime_signal_mask(&mask);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	if (cli.daemonize)
		d.ready_fd = daemonize_start();

	if (start(&d, &cli) < 0) {
		teardown(&d);
		cli_free(&cli);
		daemonize_finish(&d, 1);
		return 1;
	}
	/* Everything is bound and listening: give up what only setup needed. */
	sandbox_needs_collect(d.rt.netdevs, &needs);
	if (d.qmp)
		sandbox_needs_add_all_types(&needs);
	d.rt.sandbox_no_spawn = !cli.sandbox.off && !needs.spawns;
	d.rt.sandboxed = !cli.sandbox.off;
	if (sandbox_apply(&cli.sandbox, &needs, errbuf, sizeof(errbuf)) < 0) {
		err("%s", errbuf);
		teardown(&d);
		cli_free(&cli);
		daemonize_finish(&d, 1);
		return 1;
	}
	info("ready");
	activation_ready();
	daemonize_finish(&d, 0);

	rc = ev_loop_run(d.rt.loop) < 0 ? 1 : 0;
	activation_stopping();
	teardown(&d);
	cli_free(&cli);
	return rc;
}
