/* SPDX-License-Identifier: MIT
 *
 * fuzz_harness.h - what the libFuzzer targets in this folder share: the
 * CHECK() of their invariants, a log hook that keeps the fuzzer's output
 * readable, and for the gateway targets the gateway from a "-netdev user"
 * string and the private network namespace of loop mode.
 *
 * Theory of operation: every target is one .c file linked alone against
 * build-fuzz/libvmwire.a (Makefile: one binary per tests/fuzz/fuzz_*.c),
 * so this is a header of static inline functions rather than a library:
 * nothing to add to the build, nothing unused left in a binary. A target
 * that fails here aborts with the reason on stderr: a harness that cannot
 * build its gateway must not pass as a fuzzer that found nothing.
 */
#ifndef VMWIRE_TESTS_FUZZ_HARNESS_H
#define VMWIRE_TESTS_FUZZ_HARNESS_H

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/keyval.h"
#include "core/log.h"
#include "core/loop.h"
#include "gateway/config.h"

/* An invariant beyond "no crash": abort() so libFuzzer keeps the input. */
#define CHECK(c)                                                                 \
	do {                                                                     \
		if (!(c)) {                                                      \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, \
				__LINE__, #c);                                   \
			abort();                                                 \
		}                                                                \
	} while (0)

/* log_set_hook(fuzz_quiet): hostile input logs a lot, none of it news. */
static inline void fuzz_quiet(enum log_level level, const char *msg)
{
	(void)level;
	(void)msg;
}

/* cfg from "-netdev user,..." text the harness wrote: it must parse. */
static inline void fuzz_gw_config(struct gw_config *cfg, const char *text)
{
	char err[KV_ERR_MAX];
	struct kvlist kv;

	if (kv_parse(&kv, "-netdev", text, "type", err, sizeof(err)) ||
	    gw_config_parse(cfg, &kv, "/nonexistent", err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", text, err);
		abort();
	}
	kv_free(&kv);
}

/* Loop mode's world: a private network namespace with lo up and a TCP
 * listener on 127.0.0.1, so the gateway's real sockets reach nothing but
 * the harness. loop stays NULL (no loop mode) if any step fails. */
struct fuzz_netns {
	struct ev_loop *loop;
	int listen_fd;
	uint16_t listen_port;
};

static inline void fuzz_netns_init(struct fuzz_netns *n)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof(sa);
	struct ifreq ifr = { 0 };
	int fd;

	n->loop = NULL;
	n->listen_fd = -1;
	if (unshare(CLONE_NEWNET))
		return;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		goto out;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		goto out;
	n->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (n->listen_fd < 0 || bind(n->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(n->listen_fd, 64) || getsockname(n->listen_fd, (struct sockaddr *)&sa, &salen))
		goto out;
	n->listen_port = ntohs(sa.sin_port);
	n->loop = ev_loop_new();
out:
	if (fd >= 0)
		close(fd);
}

/* Drop what the kernel accepted for us, so the backlog never fills. */
static inline void fuzz_netns_drain(const struct fuzz_netns *n)
{
	int c;

	while ((c = accept4(n->listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
		close(c);
}

#endif
