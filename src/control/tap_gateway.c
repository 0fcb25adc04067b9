/* SPDX-License-Identifier: MIT
 *
 * tap_gateway.c - the TAP and gateway pair of "vmwire run" and "vmwire
 * slirp4netns", see tap_gateway.h.
 *
 * Theory of operation: both commands put a TAP in a network namespace
 * that is not ours and a user-mode gateway next to it on a private switch
 * that nothing else joins. The pair is built here as the command line
 * would build it (tap_netdev_new() and the -netdev user parser's netdev,
 * common keys filled in) so that the one runtime (runtime.h) runs it as
 * any other. The TAP must be opened inside the namespace, so the caller
 * runs tap_gw_ns_setup() in a helper task that has joined it
 * (netns_call(), ports/netns.h); that task shares our memory, so the
 * started netdev and the MAC read there are ours when it exits. Setting
 * the interface up follows slirp4netns's configure: lo up, the MAC, the
 * address, the default route via the gateway host. The MAC is read last,
 * whether we configured the interface or someone else did (rootlesskit),
 * because the gateway's static lease is made for it.
 */
#include "control/tap_gateway.h"
#include "control/runtime.h"
#include "config/netdev.h"
#include "ports/rtnl.h"
#include "ports/tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static void on_switch(struct netdev *nd, const char *id, const char *switch_id)
{
	struct netdev_common *c = &nd->common;

	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->switch_name, sizeof(c->switch_name), "%s", switch_id);
	c->vlan.pvid = 1;
}

struct netdev *tap_gw_pair(struct netdev *gw, const char *gw_id, const char *ifname,
			   unsigned mtu, const char *tap_id, const char *switch_id)
{
	struct tap_config cfg = { .mtu = mtu };
	struct netdev *tap;

	snprintf(cfg.ifname, sizeof(cfg.ifname), "%s", ifname);
	tap = tap_netdev_new(&cfg);
	if (!tap)
		return NULL;
	on_switch(tap, tap_id, switch_id);
	on_switch(gw, gw_id, switch_id);
	tap->next = gw;
	gw->next = NULL;
	return tap;
}

unsigned tap_gw_prefix_len(uint32_t mask)
{
	unsigned n = 0;

	while (mask & 0x80000000u) {
		n++;
		mask <<= 1;
	}
	return n;
}

/* lo up, the MAC, the address, the default route: what -c means. */
static int configure(struct rtnl *nl, const struct tap_gw_ip *ip, int ifindex,
		     const char **what)
{
	uint32_t addr = htonl(ip->addr), gw = htonl(ip->gw);
	struct rtnl_link lo;
	int ret;

	*what = "bring up lo next to";
	ret = rtnl_link_get(nl, "lo", &lo);
	if (!ret)
		ret = rtnl_link_set(nl, lo.ifindex, 0, true);
	if (!ret && ip->mac) {
		*what = "set the MAC address of";
		ret = rtnl_link_set_hwaddr(nl, ifindex, ip->mac);
	}
	if (!ret) {
		*what = "add the address to";
		ret = rtnl_addr_add(nl, ifindex, AF_INET, &addr, tap_gw_prefix_len(ip->mask));
	}
	if (!ret) {
		*what = "add the default route via";
		ret = rtnl_route_add(nl, AF_INET, NULL, 0, &gw, ifindex);
	}
	return ret;
}

int tap_gw_ns_setup(struct runtime *rt, struct netdev *tap, const struct tap_gw_ip *ip,
		    uint8_t mac_out[6], int *ifindex_out, char *err, size_t errlen)
{
	const char *what = "open rtnetlink";
	struct rtnl_link link;
	struct rtnl nl;
	int ret;

	if (runtime_start_netdev(rt, tap, err, errlen) < 0)
		return -EIO;
	ret = rtnl_open(&nl);
	if (ret)
		goto fail;
	what = "find";
	ret = rtnl_link_get(&nl, ip->ifname, &link);
	if (!ret && ip->configure)
		ret = configure(&nl, ip, link.ifindex, &what);
	if (!ret) {
		what = "read the MAC address of";
		ret = rtnl_link_hwaddr(&nl, link.ifindex, mac_out);
	}
	rtnl_close(&nl);
	if (!ret) {
		*ifindex_out = link.ifindex;
		return 0;
	}
fail:
	snprintf(err, errlen, "cannot %s %s in the namespace: %s", what, ip->ifname,
		 strerror(-ret));
	return ret;
}
