/* SPDX-License-Identifier: MIT
 *
 * netns.c - see netns.h.
 */
#include "ports/netns.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define NETNS_CALL_STACK (256 * 1024)

bool netns_spec_valid(const char *spec)
{
	char path[4096];

	if (!spec || !*spec)
		return false;
	if (!strchr(spec, '/') && (!strcmp(spec, ".") || !strcmp(spec, "..")))
		return false;
	return netns_resolve(spec, path, sizeof(path)) == 0;
}

int netns_resolve(const char *spec, char *path, size_t size)
{
	int n;

	if (!spec || !*spec)
		return -EINVAL;
	if (strchr(spec, '/'))
		n = snprintf(path, size, "%s", spec);
	else
		n = snprintf(path, size, NETNS_RUN_DIR "/%s", spec);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int netns_run(const char *spec, int (*fn)(void *arg), void *arg)
{
	char path[4096];
	int home, target, ret;

	if (!spec || !*spec)
		return fn(arg);
	ret = netns_resolve(spec, path, sizeof(path));
	if (ret)
		return ret;

	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		return -errno;
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (target < 0) {
		ret = -errno;
		close(home);
		return ret;
	}
	if (setns(target, CLONE_NEWNET)) {
		ret = -errno;
		close(target);
		close(home);
		return ret;
	}
	close(target);

	ret = fn(arg);

	if (setns(home, CLONE_NEWNET)) {
		/* Every socket opened from here on would land in the wrong
		 * namespace: there is no sane way to continue. */
		err("cannot return from network namespace %s: %s", path, strerror(errno));
		abort();
	}
	close(home);
	return ret;
}

struct netns_task {
	int userfd, netfd;
	int (*fn)(void *arg);
	void *arg;
	int ret, enter_errno;
};

static int netns_task_main(void *p)
{
	struct netns_task *t = p;

	if ((t->userfd >= 0 && setns(t->userfd, CLONE_NEWUSER) < 0) ||
	    setns(t->netfd, CLONE_NEWNET) < 0) {
		t->enter_errno = errno;
		t->ret = -errno;
		return 1;
	}
	t->ret = t->fn(t->arg);
	return 0;
}

int netns_call(int userfd, int netfd, int (*fn)(void *arg), void *arg, int *enter_errno)
{
	struct netns_task t = { .userfd = userfd, .netfd = netfd, .fn = fn, .arg = arg,
				.ret = -EIO };
	void *stack;
	pid_t pid;
	int st;

	*enter_errno = 0;
	stack = mmap(NULL, NETNS_CALL_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -errno;
	pid = clone(netns_task_main, (char *)stack + NETNS_CALL_STACK,
		    CLONE_VM | CLONE_FILES | CLONE_VFORK | SIGCHLD, &t);
	if (pid < 0) {
		t.ret = -errno;
	} else {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		*enter_errno = t.enter_errno;
	}
	munmap(stack, NETNS_CALL_STACK);
	return t.ret;
}
