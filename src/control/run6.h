/* SPDX-License-Identifier: MIT
 *
 * run6.h - the IPv6 side of "vmwire run" (run.c).
 *
 * Theory of operation: with the gateway's IPv6 on (ipv6=on, QEMU's
 * default), the namespace's interface autoconfigures from the gateway's
 * router advertisements like any host: SLAAC gives it an address in
 * ipv6-net and the RA a default route via fe80::2. run6_ns_setup() runs
 * inside the namespace (from run.c's ns_setup) and only sets the
 * interface's sysctls: accept_ra and autoconf on, DAD off (the gateway is
 * the only other station and defends its own addresses), or with
 * ipv6=off disable_ipv6, so the command sees no IPv6 at all. It also opens
 * a netlink socket there, which stays in that namespace. Before the
 * command starts, run6_wait() polls that socket from the parent's loop
 * (the gateway must run to answer the router solicitation) until the
 * address is there, at most RUN6_WAIT_MS, then calls go; a namespace that
 * got no address by then starts anyway, with a warning. resolv.conf names
 * ipv6-dns after the IPv4 DNS address (run.c).
 */
#ifndef VMWIRE_CONTROL_RUN6_H
#define VMWIRE_CONTROL_RUN6_H

#include <stdbool.h>
#include <stddef.h>

#include "core/loop.h"
#include "ports/rtnl.h"

struct gw_config;

#define RUN6_WAIT_MS 5000
#define RUN6_POLL_MS 50

struct run6 {
	const struct gw_config *cfg;
	struct rtnl nl; /* opened inside the namespace; nl.nl NULL: not waiting */
	int ifindex;
	struct ev_loop *loop;
	struct ev_timer timer;
	unsigned waited_ms;
	void (*go)(void *ctx);
	void *ctx;
};

/* Inside the namespace. 0, or -errno with what failed in err. */
int run6_ns_setup(struct run6 *r6, const struct gw_config *cfg, const char *ifname, int ifindex,
		  char *err, size_t errlen);
/* Call go(ctx) once the SLAAC address is there (or at once without IPv6,
 * or after RUN6_WAIT_MS). */
void run6_wait(struct run6 *r6, struct ev_loop *loop, void (*go)(void *ctx), void *ctx);
void run6_fini(struct run6 *r6);

#endif
