/* SPDX-License-Identifier: MIT
 *
 * test_fdres.c - the fd reserve (core/fdres.h). With every descriptor
 * under the soft limit taken, a plain accept4() on a listener with pending
 * connections fails with EMFILE and leaves them queued (the listener stays
 * readable: a level-triggered loop would spin). fd_accept_keep() spends
 * the monitor's reserve on one and keeps it; fd_accept() sheds the next
 * (the peer reads EOF) and the listener is no longer readable; closing a
 * descriptor and fd_reserve_refill() put the reserve back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/fdres.h"

static void test_raises_soft_limit(void **state)
{
	struct rlimit rl, now;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_max <= 64)
		skip();
	rl.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	fd_budget_init();
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &now), 0);
	assert_true(now.rlim_cur == rl.rlim_max);
	fd_budget_fini();
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static void test_emfile_shed_and_keep(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int lfd, c[2], fill[256], nfill = 0, kept, r;
	struct rlimit rl;
	bool shed = true;
	char ch;

	(void)state;
	/* valgrind keeps its own descriptors under the limit we lower and
	 * stalls; the ASan and normal passes run this. */
	if (getenv("LD_PRELOAD") && strstr(getenv("LD_PRELOAD"), "vgpreload"))
		skip();
	fd_budget_init();
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &al), 0);
	assert_int_equal(listen(lfd, 8), 0);
	for (int i = 0; i < 2; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_int_equal(connect(c[i], (struct sockaddr *)&a, sizeof(a)), 0);
	}
	/* Take every descriptor left under a small soft limit. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = (rlim_t)c[1] + 1 + 32;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while (nfill < 256 && (r = dup(0)) >= 0)
		fill[nfill++] = r;
	assert_int_equal(errno, EMFILE);
	assert_int_equal(fd_budget_free(), 0);
	/* The condition is real: plain accept fails and leaves the queue. */
	assert_int_equal(accept4(lfd, NULL, NULL, SOCK_CLOEXEC), -1);
	assert_int_equal(errno, EMFILE);
	assert_true(readable(lfd));

	kept = fd_accept_keep(lfd, NULL, NULL, SOCK_CLOEXEC, &shed);
	assert_true(kept >= 0);
	assert_false(shed);
	r = fd_accept(lfd, NULL, NULL, SOCK_CLOEXEC, &shed);
	assert_int_equal(r, -1);
	assert_int_equal(errno, EMFILE);
	assert_true(shed);
	assert_false(readable(lfd)); /* drained: nothing to spin on */
	assert_int_equal(read(c[1], &ch, 1), 0); /* the shed peer saw EOF */
	/* The shed reserve is back: the table is still full. */
	assert_int_equal(fd_budget_free(), 0);
	/* A closed session gives the monitor's reserve its slot back. */
	close(kept);
	fd_reserve_refill();
	assert_int_equal(fd_budget_free(), 0);

	for (int i = 0; i < nfill; i++)
		close(fill[i]);
	close(c[0]);
	close(c[1]);
	close(lfd);
	fd_budget_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raises_soft_limit),
		cmocka_unit_test(test_emfile_shed_and_keep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
