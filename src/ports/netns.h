/* SPDX-License-Identifier: MIT
 *
 * netns.h - do a piece of work inside another network namespace.
 *
 * Theory of operation: a file descriptor remembers the namespace it was
 * created in, so a TAP fd or a netlink socket opened while we are inside a
 * namespace keeps working there after we switched back. vmwire therefore
 * never lives in a foreign namespace: it opens the namespace file, setns()
 * in, runs one function (open /dev/net/tun, TUNSETIFF, rtnetlink setup), and
 * setns() back to the namespace it started in. vmwire is single threaded and
 * setns() affects only the calling thread, so nothing else can observe the
 * detour. Failing to get back would leave every later socket in the wrong
 * place, so that one failure aborts.
 *
 * A namespace is named like ip-netns(8) does: a bare NAME means
 * /run/netns/NAME, anything with a '/' is a path such as /proc/PID/ns/net.
 */
#ifndef VMWIRE_PORTS_NETNS_H
#define VMWIRE_PORTS_NETNS_H

#include <stdbool.h>
#include <stddef.h>

#define NETNS_RUN_DIR "/run/netns"

/* Is spec acceptable as a namespace name or path? No side effects. */
bool netns_spec_valid(const char *spec);

/* Expand spec into the namespace file path. -ENAMETOOLONG / -EINVAL. */
int netns_resolve(const char *spec, char *path, size_t size);

/*
 * Call fn(arg) inside the namespace spec (NULL or "" = where we are) and
 * return its result. Returns a negative errno if the namespace could not
 * be entered; fn should return negative errnos too so callers can tell
 * nothing apart they don't need to.
 */
int netns_run(const char *spec, int (*fn)(void *arg), void *arg);

/*
 * Call fn(arg) inside the network namespace netfd, after joining the user
 * namespace userfd first when it is not -1, without ever leaving our own
 * namespaces: fn runs in a task cloned with CLONE_VM | CLONE_FILES |
 * CLONE_VFORK, which shares our memory and fd table, so what it opens
 * (a TAP, a netlink socket) and allocates stays ours, while our
 * credentials and namespaces never change. netns_run() cannot do this
 * when joining a user namespace (a process never returns to its own), nor
 * when, as root of a user namespace, we may enter a network namespace but
 * not come back to one we do not own. We sleep until the task is done, so
 * it never runs alongside us. Returns fn's result; when a namespace
 * cannot be joined, fn is not called, *enter_errno gets the errno and
 * the result is its negative (otherwise *enter_errno is 0).
 */
int netns_call(int userfd, int netfd, int (*fn)(void *arg), void *arg, int *enter_errno);

#endif
