/* SPDX-License-Identifier: MIT
 *
 * sandbox.c - privilege drop, namespaces and seccomp, see sandbox.h.
 *
 * Theory of operation: three steps, strongest last, each irreversible.
 *
 * 1. Namespaces. As root we unshare a mount, an IPC and a UTS namespace.
 *    The mount namespace is made private (nothing we could mount leaks
 *    out, nothing mounted later leaks in) but keeps the whole filesystem:
 *    the daemon opens files long after startup (resolv.conf reloads,
 *    reconnecting unix stream clients, guestfwd unix: and cmd:, unlinking
 *    its sockets at exit), so an empty pivot_root like passt's would break
 *    those. The syscall filter is what keeps a compromised daemon from
 *    using that view beyond open/unlink. Without root (and without a user
 *    namespace, which would change how our sockets' owners look to
 *    clients) this step is skipped.
 *
 * 2. Privileges. With -runas we take the user's groups, gid and uid; the
 *    kernel then clears every capability. Staying root, we keep only what
 *    the configured netdev types declare (a user-mode gateway: CAP_NET_RAW
 *    for the raw ICMP fallback, root's ping_group_range usually excludes
 *    it). The bounding
 *    set is emptied first, so nothing exec'd later (guestfwd cmd:) gets
 *    capabilities back, and no_new_privs stops setuid binaries too.
 *    A TAP or a listening socket made during setup needs no privilege to
 *    be used, so the data path is unaffected.
 *
 * 3. Seccomp (libseccomp). The default action kills the whole process
 *    (SIGSYS, logged by the kernel's audit). The allow list is the set of
 *    calls the event loop, the ports, the gateway and the monitor make at
 *    runtime; socket() is limited to AF_UNIX/AF_INET/AF_INET6 and ioctl()
 *    to the few requests used (FIONREAD, SIOCOUTQ, tty queries from stdio).
 *    Each configured netdev type adds what it declares in its struct
 *    netdev_sandbox (a TAP: TUNSETOFFLOAD), so the filter is the base
 *    list plus the union of the netdevs' needs (sandbox_needs_collect()).
 *    A guestfwd cmd: runs /bin/sh and arbitrary commands, which inherit
 *    the filter, so with cmd: configured (a type's spawns() says so) the
 *    filter becomes a deny list of what a network daemon never needs
 *    (ptrace, mount, module loading, bpf, keyrings, AF_PACKET/AF_NETLINK
 *    sockets).
 *    VMWIRE_SANDBOX_DEBUG=1 turns the kill into a trap that names the call
 *    on stderr before dying, which is how missing entries are found.
 */
#include "control/sandbox.h"
#include "config/netdev.h"
#include "core/log.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

/*
 * Sanitizer builds (make asan, the fuzzers) only: LeakSanitizer stops the
 * world at exit with a ptrace()ing clone, and a report may run the
 * symbolizer. Never part of a release build's filter.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SANITIZER 1
#endif
#endif

int sandbox_check_user(const char *user, char *err, size_t errlen)
{
	errno = 0;
	if (!getpwnam(user)) {
		snprintf(err, errlen, "-runas: user '%s' %s", user,
			 errno ? strerror(errno) : "does not exist");
		return -1;
	}
	return 0;
}

/* ---- namespaces ---------------------------------------------------------- */

static void enter_namespaces(void)
{
	if (geteuid() != 0)
		return;
	if (unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS) < 0) {
		/* Containers often forbid it; the filter still applies. */
		info("sandbox: no new mount/IPC/UTS namespaces: %s", strerror(errno));
		return;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		info("sandbox: cannot make the mount namespace private: %s", strerror(errno));
}

/* ---- capabilities -------------------------------------------------------- */

static int capset_keep(uint64_t keep)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	return (int)syscall(SYS_capset, &hdr, data);
}

static uint64_t cap_effective(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return ~0ull;
	return data[0].effective | (uint64_t)data[1].effective << 32;
}

/* Empty the bounding set but for keep, so exec can never regain more. */
static void drop_bounding(uint64_t keep)
{
	for (int cap = 0; cap < 64; cap++) {
		if (keep & (1ull << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno == EINVAL)
			break; /* past the kernel's last capability */
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

static int drop_privileges(const struct sandbox_opts *o, const struct sandbox_needs *needs,
			   char *err, size_t errlen)
{
	uint64_t keep = 0;
	struct passwd *pw;

	if (*o->user) {
		errno = 0;
		pw = getpwnam(o->user);
		if (!pw) {
			snprintf(err, errlen, "-runas %s: %s", o->user,
				 errno ? strerror(errno) : "no such user");
			return -1;
		}
		if (geteuid() != 0) {
			if (pw->pw_uid == geteuid())
				return 0;
			snprintf(err, errlen, "-runas %s: only root can change user", o->user);
			return -1;
		}
		drop_bounding(0);
		if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
		    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
			snprintf(err, errlen, "-runas %s: %s", o->user, strerror(errno));
			return -1;
		}
		/* Root must be gone for good, not just hidden. */
		if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
			snprintf(err, errlen, "-runas %s: could regain root", o->user);
			return -1;
		}
#ifdef SANDBOX_SANITIZER
		/* The uid change made us undumpable, which LeakSanitizer's
		 * ptrace()ing tracer thread cannot live with. */
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
#endif
		info("sandbox: running as %s (uid %u, gid %u)", o->user,
		     (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
	} else if (geteuid() == 0) {
		keep = needs->caps;
		drop_bounding(keep);
		if (capset_keep(keep) < 0) {
			snprintf(err, errlen, "sandbox: capset: %s", strerror(errno));
			return -1;
		}
	}
	if (cap_effective() & ~keep) {
		snprintf(err, errlen, "sandbox: capabilities still held after dropping them");
		return -1;
	}
	return 0;
}

/* ---- seccomp ------------------------------------------------------------- */

/* What the daemon calls after setup: loop, ports, gateway, monitor, libc. */
static const int allowed[] = {
	/* I/O and fds */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(close), SCMP_SYS(lseek),
	SCMP_SYS(fcntl), SCMP_SYS(dup), SCMP_SYS(dup2), SCMP_SYS(dup3),
	SCMP_SYS(pipe2), SCMP_SYS(fsync), SCMP_SYS(fdatasync),
	/* files: resolv.conf reloads, pcap, /dev/null, unlink at exit */
	SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(stat), SCMP_SYS(lstat),
	SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(statx), SCMP_SYS(access),
	SCMP_SYS(faccessat), SCMP_SYS(faccessat2), SCMP_SYS(unlink),
	SCMP_SYS(unlinkat), SCMP_SYS(umask), SCMP_SYS(fchmod), SCMP_SYS(readlink),
	SCMP_SYS(readlinkat), SCMP_SYS(getcwd),
	/* a hot-plugged listener's mode=/owner=/group= (ports/unix_acl.c) */
	SCMP_SYS(fchmodat), SCMP_SYS(fchownat), SCMP_SYS(rename), SCMP_SYS(renameat),
	SCMP_SYS(renameat2),
	/* event loop, time, signals */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_pwait2),
	SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_create1), SCMP_SYS(poll),
	SCMP_SYS(ppoll), SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres),
	SCMP_SYS(gettimeofday), SCMP_SYS(time), SCMP_SYS(nanosleep),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigaction),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(restart_syscall), SCMP_SYS(signalfd4),
	SCMP_SYS(timerfd_create), SCMP_SYS(timerfd_settime), SCMP_SYS(timerfd_gettime),
	/* sockets (socket() and socketpair() are restricted below) */
	SCMP_SYS(connect), SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(bind),
	SCMP_SYS(listen), SCMP_SYS(shutdown), SCMP_SYS(sendto), SCMP_SYS(sendmsg),
	SCMP_SYS(sendmmsg), SCMP_SYS(recvfrom), SCMP_SYS(recvmsg), SCMP_SYS(recvmmsg),
	SCMP_SYS(getsockname), SCMP_SYS(getpeername), SCMP_SYS(setsockopt),
	SCMP_SYS(getsockopt),
	/* memory, libc internals */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(mprotect), SCMP_SYS(madvise), SCMP_SYS(futex), SCMP_SYS(getrandom),
	SCMP_SYS(uname), SCMP_SYS(sched_yield), SCMP_SYS(rseq),
	SCMP_SYS(set_robust_list),
	/* identity, exit */
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getppid), SCMP_SYS(getuid),
	SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
};

#ifdef SANDBOX_SANITIZER
static const int sanitizer_allowed[] = {
	SCMP_SYS(prctl), SCMP_SYS(ptrace), SCMP_SYS(clone), SCMP_SYS(clone3),
	SCMP_SYS(wait4), SCMP_SYS(waitid), SCMP_SYS(sched_getaffinity),
	SCMP_SYS(sigaltstack), SCMP_SYS(getdents), SCMP_SYS(getdents64), SCMP_SYS(kill),
	SCMP_SYS(tgkill),
	SCMP_SYS(tkill), SCMP_SYS(execve), SCMP_SYS(fork), SCMP_SYS(vfork),
	SCMP_SYS(pipe), SCMP_SYS(getrlimit), SCMP_SYS(prlimit64), SCMP_SYS(setrlimit),
	SCMP_SYS(msync), SCMP_SYS(mincore),
};
#endif

/* Never needed by a network daemon, nor by the commands it runs. */
static const int denied[] = {
	SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
	SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root), SCMP_SYS(chroot),
	SCMP_SYS(unshare), SCMP_SYS(setns), SCMP_SYS(bpf), SCMP_SYS(perf_event_open),
	SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load), SCMP_SYS(init_module),
	SCMP_SYS(finit_module), SCMP_SYS(delete_module), SCMP_SYS(add_key),
	SCMP_SYS(request_key), SCMP_SYS(keyctl), SCMP_SYS(userfaultfd),
	SCMP_SYS(swapon), SCMP_SYS(swapoff), SCMP_SYS(reboot), SCMP_SYS(settimeofday),
	SCMP_SYS(clock_settime), SCMP_SYS(adjtimex), SCMP_SYS(acct), SCMP_SYS(iopl),
	SCMP_SYS(ioperm), SCMP_SYS(open_by_handle_at), SCMP_SYS(name_to_handle_at),
	SCMP_SYS(syslog), SCMP_SYS(fsopen), SCMP_SYS(fsmount), SCMP_SYS(move_mount),
	SCMP_SYS(open_tree), SCMP_SYS(io_uring_setup),
};

static const unsigned long ioctls[] = {
	FIONREAD, SIOCOUTQ, FIONBIO, FIOCLEX, TCGETS, TIOCGWINSZ,
};

/* Add one type's syscalls and ioctls to needs (no duplicates). */
static void needs_add_type(struct sandbox_needs *needs, const struct netdev_sandbox *sb)
{
	const char *const *sc;
	const unsigned long *io;
	unsigned i;

	needs->caps |= sb->caps;
	for (sc = sb->syscalls; sc && *sc; sc++) {
		for (i = 0; i < needs->n_syscalls; i++)
			if (!strcmp(needs->syscalls[i], *sc))
				break;
		if (i == needs->n_syscalls && i < SANDBOX_EXTRA_MAX)
			needs->syscalls[needs->n_syscalls++] = *sc;
	}
	for (io = sb->ioctls; io && *io; io++) {
		for (i = 0; i < needs->n_ioctls; i++)
			if (needs->ioctls[i] == *io)
				break;
		if (i == needs->n_ioctls && i < SANDBOX_EXTRA_MAX)
			needs->ioctls[needs->n_ioctls++] = *io;
	}
}

void sandbox_needs_collect(const struct netdev *netdevs, struct sandbox_needs *needs)
{
	const struct netdev *nd;

	memset(needs, 0, sizeof(*needs));
	for (nd = netdevs; nd; nd = nd->next) {
		if (nd->type->sandbox.spawns && nd->type->sandbox.spawns(nd))
			needs->spawns = true;
		needs_add_type(needs, &nd->type->sandbox);
	}
}

void sandbox_needs_add_all_types(struct sandbox_needs *needs)
{
	size_t i;

	for (i = 0; i < netdev_types_count; i++)
		needs_add_type(needs, &netdev_types[i]->sandbox);
}

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char msg[96];
	int n = snprintf(msg, sizeof(msg), "vmwire: sandbox: blocked system call %d\n",
			 si->si_syscall);

	(void)!write(STDERR_FILENO, msg, (size_t)n);
	_exit(128 + SIGSYS);
}

static int add_rules(scmp_filter_ctx ctx, const struct sandbox_needs *needs, bool strict,
		     uint32_t kill)
{
	size_t i;
	int rc = 0;

	if (!strict) {
		for (i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
#ifdef SANDBOX_SANITIZER
			/* LeakSanitizer stops the world at exit with a
			 * ptrace()ing clone; denying it hangs the exit. */
			if (denied[i] == SCMP_SYS(ptrace))
				continue;
#endif
			if (denied[i] >= 0)
				seccomp_rule_add(ctx, kill, denied[i], 0);
		}
		rc |= seccomp_rule_add(ctx, kill, SCMP_SYS(socket), 1,
				       SCMP_A0(SCMP_CMP_EQ, AF_PACKET, 0));
		rc |= seccomp_rule_add(ctx, kill, SCMP_SYS(socket), 1,
				       SCMP_A0(SCMP_CMP_EQ, AF_NETLINK, 0));
		return rc;
	}
	/* Unknown names on this architecture resolve to nothing: ignore. */
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (allowed[i] >= 0)
			seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
#ifdef SANDBOX_SANITIZER
	for (i = 0; i < sizeof(sanitizer_allowed) / sizeof(sanitizer_allowed[0]); i++)
		if (sanitizer_allowed[i] >= 0)
			seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sanitizer_allowed[i], 0);
#endif
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
			       SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
			       SCMP_A0(SCMP_CMP_EQ, AF_INET, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
			       SCMP_A0(SCMP_CMP_EQ, AF_INET6, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socketpair), 1,
			       SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0));
#ifndef SANDBOX_SANITIZER
	/* Reading the fd limit (a gateway hot-plugged by QMP sizes its flow
	 * tables from it); setting one stays forbidden. */
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(getrlimit), 0);
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1,
			       SCMP_A2(SCMP_CMP_EQ, 0, 0));
#endif
	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++)
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, ioctls[i]));
	/* The netdevs' own needs, see netdev.h. */
	for (i = 0; i < needs->n_syscalls; i++) {
		int nr = seccomp_syscall_resolve_name(needs->syscalls[i]);

		if (nr >= 0)
			rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	for (i = 0; i < needs->n_ioctls; i++)
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, needs->ioctls[i]));
	return rc;
}

static int load_filter(const struct sandbox_needs *needs, char *err, size_t errlen)
{
	bool strict = !needs->spawns;
	bool debug_trap = getenv("VMWIRE_SANDBOX_DEBUG") != NULL;
	uint32_t kill = debug_trap ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS;
	scmp_filter_ctx ctx;
	int rc;

	if (debug_trap) {
		struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };

		sigaction(SIGSYS, &sa, NULL);
	}
	ctx = seccomp_init(strict ? kill : SCMP_ACT_ALLOW);
	if (!ctx) {
		snprintf(err, errlen, "sandbox: seccomp_init failed");
		return -1;
	}
	/* The kernel logs what it kills, so a missing entry is findable. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
	seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, kill);
	rc = add_rules(ctx, needs, strict, kill);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		snprintf(err, errlen, "sandbox: cannot load the seccomp filter: %s",
			 strerror(-rc));
		return -1;
	}
	return 0;
}

/* ---- all together -------------------------------------------------------- */

static void selftest(void)
{
	int fd;

	if (!getenv("VMWIRE_SANDBOX_SELFTEST"))
		return;
	warn("sandbox: selftest: trying socket(AF_PACKET), the filter must kill us");
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	warn("sandbox: selftest: socket(AF_PACKET) returned %d (%s): not blocked", fd,
	     fd < 0 ? strerror(errno) : "ok");
	if (fd >= 0)
		close(fd);
}

int sandbox_apply(const struct sandbox_opts *o, const struct sandbox_needs *needs, char *err,
		  size_t errlen)
{
	if (o->off) {
		info("sandbox: off (-sandbox off): keeping privileges and every system call");
		selftest();
		return 0;
	}
	enter_namespaces();
	if (drop_privileges(o, needs, err, errlen) < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "sandbox: no_new_privs: %s", strerror(errno));
		return -1;
	}
	if (load_filter(needs, err, errlen) < 0)
		return -1;
	if (needs->spawns)
		info("sandbox: guestfwd cmd: configured, seccomp denies dangerous calls only");
	debug("sandbox: on");
	selftest();
	return 0;
}
