/* SPDX-License-Identifier: MIT
 *
 * fdres.c - see fdres.h.
 */
#include "core/fdres.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

enum { RES_SHED, RES_KEEP, RES_N };

/* -1: not open (never initialised, or spent and not refilled yet). */
static int reserve[RES_N] = { -1, -1 };
static bool reserve_inited;

static void reserve_open(int i)
{
	if (reserve[i] < 0)
		reserve[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

unsigned fd_budget_init(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	reserve_inited = true;
	for (int i = 0; i < RES_N; i++)
		reserve_open(i);
	return fd_budget_limit();
}

unsigned fd_budget_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1u << 30)
		return 1u << 30;
	return (unsigned)rl.rlim_cur;
}

unsigned fd_budget_free(void)
{
	unsigned lim = fd_budget_limit(), used = 0;

	/* Only at start (and in tests): one fcntl() per slot. Descriptors
	 * above 65535 are not probed and count as free. */
	for (unsigned fd = 0; fd < lim && fd < 65536; fd++)
		if (fcntl((int)fd, F_GETFD) >= 0)
			used++;
	return lim > used ? lim - used : 0;
}

void fd_reserve_refill(void)
{
	if (!reserve_inited)
		return;
	for (int i = 0; i < RES_N; i++)
		reserve_open(i);
}

static int accept_with(int lfd, struct sockaddr *sa, socklen_t *sl, int flags, bool *shed,
		       bool keep)
{
	int fd;

	fd_reserve_refill(); /* a no-op unless one was spent */
	fd = accept4(lfd, sa, sl, flags);
	if (shed)
		*shed = false;
	if (fd >= 0 || (errno != EMFILE && errno != ENFILE))
		return fd;
	if (keep && reserve[RES_KEEP] >= 0) {
		close(reserve[RES_KEEP]);
		reserve[RES_KEEP] = -1;
		fd = accept4(lfd, sa, sl, flags);
		if (fd >= 0)
			return fd; /* the slot is the connection's now */
		reserve_open(RES_KEEP);
		if (errno != EMFILE && errno != ENFILE)
			return -1;
	}
	if (reserve[RES_SHED] < 0) {
		errno = EMFILE;
		return -1;
	}
	close(reserve[RES_SHED]);
	reserve[RES_SHED] = -1;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		if (shed)
			*shed = true;
	}
	reserve_open(RES_SHED);
	errno = EMFILE;
	return -1;
}

int fd_accept(int lfd, struct sockaddr *sa, socklen_t *sl, int flags, bool *shed)
{
	return accept_with(lfd, sa, sl, flags, shed, false);
}

int fd_accept_keep(int lfd, struct sockaddr *sa, socklen_t *sl, int flags, bool *shed)
{
	return accept_with(lfd, sa, sl, flags, shed, true);
}

void fd_budget_fini(void)
{
	for (int i = 0; i < RES_N; i++) {
		if (reserve[i] >= 0)
			close(reserve[i]);
		reserve[i] = -1;
	}
	reserve_inited = false;
}
