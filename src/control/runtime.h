/* SPDX-License-Identifier: MIT
 *
 * runtime.h - what the control plane (CLI, monitor) can see of a running
 * daemon: the loop, the networks and the configured netdevs. The data path
 * never sees this structure; each module there gets only what it needs.
 */
#ifndef VMWIRE_CONTROL_RUNTIME_H
#define VMWIRE_CONTROL_RUNTIME_H

#include <stdio.h>

struct ev_loop;
struct network;
struct netdev;

struct runtime {
	struct ev_loop *loop;
	struct network *networks; /* linked via network->next, creation order */
	struct netdev *netdevs;   /* linked via netdev->next, command line order */
};

/* QEMU-style "info network" tree of every network, netdev and port. */
void info_network(const struct runtime *rt, FILE *out);
/* QEMU-style "info usernet": per user-mode gateway, its NAT flows, DHCP
 * leases and non-zero counters. */
void info_usernet(const struct runtime *rt, FILE *out);

#endif
