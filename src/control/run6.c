/* SPDX-License-Identifier: MIT
 *
 * run6.c - see run6.h.
 */
#include "control/run6.h"
#include "core/log.h"
#include "gateway/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int sysctl6(const char *ifname, const char *key, const char *val)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", ifname, key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int run6_ns_setup(struct run6 *r6, const struct gw_config *cfg, const char *ifname, int ifindex,
		  char *err, size_t errlen)
{
	static const char *const on[][2] = {
		{ "disable_ipv6", "0" }, { "accept_ra", "1" }, { "autoconf", "1" },
		{ "accept_dad", "0" },
	};
	int ret;

	memset(r6, 0, sizeof(*r6));
	r6->cfg = cfg;
	r6->ifindex = ifindex;
	if (!cfg->v6.on) {
		/* A kernel without IPv6 has no such file: nothing to remove. */
		ret = sysctl6(ifname, "disable_ipv6", "1");
		if (ret && ret != -ENOENT) {
			snprintf(err, errlen, "cannot turn IPv6 off on %s (ipv6=off): %s", ifname,
				 strerror(-ret));
			return ret;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		if ((ret = sysctl6(ifname, on[i][0], on[i][1]))) {
			snprintf(err, errlen, "cannot set net.ipv6.conf.%s.%s for SLAAC: %s", ifname,
				 on[i][0], strerror(-ret));
			return ret;
		}
	}
	if ((ret = rtnl_open(&r6->nl))) {
		snprintf(err, errlen, "rtnetlink for IPv6: %s", strerror(-ret));
		return ret;
	}
	return 0;
}

static void poll_fn(void *ctx)
{
	struct run6 *r6 = ctx;
	int ret = rtnl_addr6_ready(&r6->nl, r6->ifindex, &r6->cfg->v6.net, r6->cfg->v6.prefixlen);

	if (ret == 0 && r6->waited_ms < RUN6_WAIT_MS) {
		r6->waited_ms += RUN6_POLL_MS;
		ev_timer_arm(r6->loop, &r6->timer, RUN6_POLL_MS);
		return;
	}
	if (ret <= 0)
		warn("run: no IPv6 address from the gateway's router advertisement after %u ms%s%s; "
		     "starting the command anyway", r6->waited_ms, ret < 0 ? ": " : "",
		     ret < 0 ? strerror(-ret) : "");
	else
		debug("run: SLAAC address on the interface after %u ms", r6->waited_ms);
	rtnl_close(&r6->nl);
	r6->go(r6->ctx);
}

void run6_wait(struct run6 *r6, struct ev_loop *loop, void (*go)(void *ctx), void *ctx)
{
	if (!r6->nl.nl) {
		go(ctx);
		return;
	}
	r6->loop = loop;
	r6->go = go;
	r6->ctx = ctx;
	ev_timer_init(&r6->timer, poll_fn, r6);
	ev_timer_arm(loop, &r6->timer, RUN6_POLL_MS);
}

void run6_fini(struct run6 *r6)
{
	if (r6->loop)
		ev_timer_cancel(r6->loop, &r6->timer);
	rtnl_close(&r6->nl);
}
