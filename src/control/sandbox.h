/* SPDX-License-Identifier: MIT
 *
 * sandbox.h - what the daemon gives up once it is set up: privileges
 * (-runas / -run-with user=), namespaces, and most system calls (seccomp).
 *
 * Theory of operation: startup needs root for TAPs and privileged ports,
 * the data path does not. sandbox_apply() runs once, after every netdev is
 * started and the monitor bound, and before "ready". Everything the daemon
 * opens later (sockets for NAT flows, reconnecting stream clients, the
 * monitor's connections, resolv.conf reloads, guestfwd commands) keeps
 * working, because the filesystem view is kept and the filter allows
 * exactly what those paths use. See doc/security.md.
 */
#ifndef VMWIRE_CONTROL_SANDBOX_H
#define VMWIRE_CONTROL_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SANDBOX_USER_MAX 64

#define SANDBOX_EXTRA_MAX 32

struct netdev;

struct sandbox_opts {
	bool off;                    /* -sandbox off / --no-sandbox */
	char user[SANDBOX_USER_MAX]; /* -runas: "" = keep our uid */
};

/*
 * What the configured netdevs need after the sandbox, the union of their
 * types' struct netdev_sandbox (config/netdev.h) over the base allow list.
 */
struct sandbox_needs {
	uint64_t caps;  /* kept when we stay root (1 << CAP_x) */
	/* A netdev runs commands (guestfwd cmd:) that inherit the filter:
	 * they get a deny list (dangerous calls only) instead of the strict
	 * allow list. */
	bool spawns;
	const char *syscalls[SANDBOX_EXTRA_MAX];
	unsigned n_syscalls;
	unsigned long ioctls[SANDBOX_EXTRA_MAX];
	unsigned n_ioctls;
};

/* Collect the needs of every netdev in the list (linked by ->next). */
void sandbox_needs_collect(const struct netdev *netdevs, struct sandbox_needs *needs);

/* Add what every registered netdev type needs after the sandbox (not the
 * spawn mode): with -qmp any type may be hot-plugged later. */
void sandbox_needs_add_all_types(struct sandbox_needs *needs);

/*
 * Drop privileges, enter new mount/IPC/UTS namespaces where allowed, set
 * no_new_privs and load the seccomp filter. -1 with a message in err on
 * failure: the daemon must not run half-sandboxed.
 * With VMWIRE_SANDBOX_SELFTEST=1 in the environment, then attempt a
 * forbidden call (socket(AF_PACKET)): the filter kills us with SIGSYS.
 */
int sandbox_apply(const struct sandbox_opts *o, const struct sandbox_needs *needs, char *err,
		  size_t errlen);

/* Check that user exists (phase one, exit status 2 if not). */
int sandbox_check_user(const char *user, char *err, size_t errlen);

#endif
