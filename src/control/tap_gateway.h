/* SPDX-License-Identifier: MIT
 *
 * tap_gateway.h - a TAP inside a network namespace and a user-mode gateway
 * on one private switch: what "vmwire run" (run.c) and "vmwire slirp4netns"
 * (slirp4netns.c) both build, the first in a namespace it made, the second
 * in one it is given. See tap_gateway.c.
 */
#ifndef VMWIRE_CONTROL_TAP_GATEWAY_H
#define VMWIRE_CONTROL_TAP_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netdev;
struct runtime;

/* The two netdevs as a command line would have them, nothing opened: a new
 * TAP named ifname (mtu 0: leave the interface's own) with id tap_id, and
 * gw with id gw_id, both on switch switch_id, native VLAN 1; the TAP first,
 * gw next and last. Returns the TAP, NULL when out of memory. */
struct netdev *tap_gw_pair(struct netdev *gw, const char *gw_id, const char *ifname,
			   unsigned mtu, const char *tap_id, const char *switch_id);

/* What tap_gw_ns_setup() does to the interface. Addresses in host order. */
struct tap_gw_ip {
	const char *ifname;
	bool configure;     /* false: someone else's interface, only its MAC is read */
	const uint8_t *mac; /* with configure: the MAC to set, NULL keeps the TAP's */
	uint32_t addr, mask, gw;
};

/* Runs inside the namespace (netns_call): starts tap on rt, then with
 * ip->configure brings lo up, sets the MAC, adds addr/mask and the default
 * route via gw (slirp4netns's order); and reads the interface's MAC into
 * mac_out and its index into ifindex_out. Returns 0, or -errno (-EIO for
 * the TAP's start) with err set to one line. */
int tap_gw_ns_setup(struct runtime *rt, struct netdev *tap, const struct tap_gw_ip *ip,
		    uint8_t mac_out[6], int *ifindex_out, char *err, size_t errlen);

/* The prefix length of a contiguous netmask (host order). */
unsigned tap_gw_prefix_len(uint32_t mask);

#endif
