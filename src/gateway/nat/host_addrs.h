/* SPDX-License-Identifier: MIT
 *
 * host_addrs.h - keep host-loopback=off's list of the host's addresses
 * current (policy.h).
 *
 * Theory of operation: with host-loopback=off the policy refuses every
 * IPv4 address of the host, read with getifaddrs() at start. An address
 * added later (a VPN coming up, a docker bridge) would reach the host's
 * services by that name. So the gateway also listens on a NETLINK_ROUTE
 * socket subscribed to RTMGRP_IPV4_IFADDR, opened at start (the sandbox
 * allows no new netlink sockets later, and getifaddrs() would open one):
 * RTM_NEWADDR adds an address to the policy's list, RTM_DELADDR removes
 * it. Nothing is polled; an idle host costs nothing. If the kernel drops
 * notifications (ENOBUFS), a dump of every address is asked for on the
 * same socket and what it lists is added: a removal missed meanwhile
 * keeps an address refused, the safe side.
 */
#ifndef VMWIRE_GATEWAY_HOST_ADDRS_H
#define VMWIRE_GATEWAY_HOST_ADDRS_H

#include "core/loop.h"

struct gw_policy;
struct mnl_socket;

struct gw_host_addrs {
	struct gw_policy *policy;
	struct ev_loop *loop;
	struct mnl_socket *nl; /* NULL: not watching */
	struct ev_watch w;
	unsigned seq;
};

/* Watch when policy->cfg has host-loopback=off and loop is not NULL;
 * 0, or -1 (logged: the list then stays as read at start). */
int gw_host_addrs_init(struct gw_host_addrs *h, struct gw_policy *policy, struct ev_loop *loop);
void gw_host_addrs_fini(struct gw_host_addrs *h);

#endif
