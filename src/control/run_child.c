/* SPDX-License-Identifier: MIT
 *
 * run_child.c - the child's side of "vmwire run": the namespaces, init of
 * the PID namespace, the mounts and the command. The parent's side and
 * the whole design are run.c's theory of operation.
 *
 * Theory of operation: the child is made by clone3() into new PID (and
 * user) namespaces, or by fork() where that is refused; it unshares a
 * network and a mount namespace, sends the parent one int (0 or the
 * errno), and waits for the parent's one byte, sent once the TAP and the
 * gateway are up (EOF instead: the parent failed or died, and the child
 * exits 1). Then, in its own mount namespace, it mounts a /proc of the
 * PID namespace and a resolv.conf naming the gateway's DNS over
 * /etc/resolv.conf, and, as process 1, runs the command as process 2,
 * exiting with its status; its PR_SET_PDEATHSIG ties it to the parent.
 */
#include "control/run_state.h"
#include "core/log.h"
#include "gateway/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

ssize_t run_send(int fd, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = send(fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n;
}

ssize_t run_recv(int fd, void *buf, size_t len)
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
	int fd, ret;

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
	fprintf(f, "%snameserver %s\n", RUN_RESOLV_MARK, dns);
	if (r->cfg->v6.on) {
		char dns6[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, &r->cfg->v6.dns, dns6, sizeof(dns6));
		fprintf(f, "nameserver %s\n", dns6);
	}
	if (r->cfg->n_dnssearch) {
		fputs("search", f);
		for (i = 0; i < r->cfg->n_dnssearch; i++)
			fprintf(f, " %s", r->cfg->dnssearch[i]);
		fputc('\n', f);
	} else if (*r->cfg->domainname) {
		fprintf(f, "search %s\n", r->cfg->domainname);
	}
	ret = fchmod(fileno(f), 0644) < 0 || fclose(f) != 0 ? -1 :
	      mount(path, "/etc/resolv.conf", NULL, MS_BIND, NULL);
	/* Inside another vmwire run, /etc/resolv.conf is that run's file,
	 * already unlinked, and nothing can be mounted on an unlinked file
	 * (ENOENT): ours replaces it in our own mount namespace instead. */
	if (ret < 0 && errno == ENOENT && umount2("/etc/resolv.conf", MNT_DETACH) == 0)
		ret = mount(path, "/etc/resolv.conf", NULL, MS_BIND, NULL);
	if (ret < 0)
		fprintf(stderr, "vmwire run: warning: cannot bind-mount %s over /etc/resolv.conf: "
			"%s; keeping the host's\n", path, strerror(errno));
	/* The mount holds the file now; no name needs to outlive us. */
	unlink(path);
}

/* The mount namespace: a slave of ours, so nothing we mount leaks out;
 * in a PID namespace a /proc of its own, so that ps, kill and /proc/PID
 * agree on the process ids the command sees; then resolv.conf. */
static void child_mounts(const struct run *r)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
		fprintf(stderr, "vmwire run: warning: cannot make / a slave mount: %s; "
			"keeping the host's /etc/resolv.conf\n", strerror(errno));
		return;
	}
	/* Not fatal: an unprivileged user may not mount proc where the
	 * host's /proc is partly hidden (containers); /proc then shows the
	 * host's process ids, which only ps and /proc/PID readers notice. */
	if (r->pidns && mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			      NULL) < 0)
		info("run: cannot mount a /proc for the PID namespace: %s; /proc shows the "
		     "host's processes", strerror(errno));
	child_resolv_conf(r);
}

static __attribute__((noreturn)) void exec_cmd(const struct run *r)
{
	char *shell_argv[2];
	char **cmd = r->cmd;
	int e;

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

/*
 * Process 1 of the PID namespace: runs the command as process 2 and exits
 * with its status, which makes the kernel kill whatever else lives in the
 * namespace (the command's background children). It dies with us through
 * PR_SET_PDEATHSIG, with the same effect. Init gets only the signals it
 * waits for, and we block them all (inherited): SIGCHLD, and the ones we
 * pass on by kill(2), passed on to the command in turn; those the
 * terminal generates reach the command directly (same process group).
 */
static __attribute__((noreturn)) void child_init(const struct run *r)
{
	sigset_t mask;
	siginfo_t si;
	pid_t cmd, pid;
	int st;

	fflush(stderr);
	cmd = fork();
	if (cmd < 0) {
		fprintf(stderr, "vmwire run: fork: %s\n", strerror(errno));
		_exit(126);
	}
	if (cmd == 0)
		exec_cmd(r);
	runtime_signal_mask(&mask);
	sigaddset(&mask, SIGCHLD);
	for (;;) {
		if (sigwaitinfo(&mask, &si) < 0)
			continue;
		if (si.si_signo != SIGCHLD) {
			if (si.si_code == SI_USER || si.si_code == SI_QUEUE)
				kill(cmd, si.si_signo);
			continue;
		}
		/* Orphans of the command are ours to reap too. */
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
			if (pid != cmd)
				continue;
			if (WIFSIGNALED(st))
				_exit(128 + WTERMSIG(st));
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
		}
	}
}

static __attribute__((noreturn)) void child_main(struct run *r, int sock, int peer)
{
	/* In a PID namespace, clone() made the user namespace already. */
	int flags = CLONE_NEWNET | CLONE_NEWNS |
		    (r->userns && !r->pidns ? CLONE_NEWUSER : 0);
	int e = 0;
	char go;

	close(peer); /* the parent's end: its EOF must be the parent's death */
	if (unshare(flags) < 0)
		e = errno;
	/* After unshare(), which may change our credentials and with them
	 * clear the setting; a parent dead before this line is seen below,
	 * as the socket's EOF. The death signal survives exec(), so without
	 * a PID namespace it is the command's own. */
	if (!e && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		e = errno;
	if (run_send(sock, &e, sizeof(e)) != sizeof(e) || e)
		_exit(1);
	/* The parent closes without a byte when its setup failed. */
	if (run_recv(sock, &go, 1) != 1)
		_exit(1);
	close(sock);

	child_mounts(r);
	if (r->pidns)
		child_init(r);
	exec_cmd(r);
}

/*
 * fork() into new namespaces: clone3() without a stack of its own, so the
 * child goes on, like a forked one, on its copy of our stack (a stack of
 * its own would be one the sanitizers do not know). Returns the child's
 * pid, 0 in the child, -1 + errno.
 */
static pid_t fork_into(uint64_t flags)
{
#ifdef SYS_clone3
	struct {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	} args = { .flags = flags, .exit_signal = SIGCHLD };

	fflush(stdout);
	fflush(stderr);
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
#else
	errno = ENOSYS;
	return -1;
#endif
}

/*
 * The child, as init of a new PID namespace (in a new user namespace too
 * when we are not root: the PID namespace needs privilege there, which
 * only that user namespace gives). Made by clone rather than unshare(),
 * so that init is our child and we see its exit. Where that is refused (a
 * container's seccomp, user.max_pid_namespaces, a kernel without clone3),
 * a plain fork(): the command then dies with us by its own
 * PR_SET_PDEATHSIG, its background children do not.
 */
pid_t run_spawn_child(struct run *r, int sock, int peer)
{
	pid_t pid;

	r->pidns = true;
	pid = fork_into(CLONE_NEWPID | (r->userns ? CLONE_NEWUSER : 0));
	r->pidns_errno = pid < 0 ? errno : 0;
	if (pid < 0) {
		r->pidns = false;
		pid = fork();
	}
	if (pid == 0)
		child_main(r, sock, peer);
	return pid;
}
