/* SPDX-License-Identifier: MIT
 *
 * rtnl.h - the few rtnetlink requests vmwire needs, over libmnl.
 *
 * Theory of operation: a struct rtnl is one NETLINK_ROUTE socket, bound in
 * the namespace that was current when rtnl_open() ran (open it from inside
 * netns_run() to configure another namespace). Every request is sent with
 * NLM_F_ACK and waits for its acknowledgement, so each helper returns
 * either 0 or the kernel's own negative errno. This is control-plane code
 * run at startup; it may block and uses stack buffers.
 *
 * Requests are built by small helpers that each add one message type; link
 * (RTM_NEWLINK/GETLINK), address (RTM_NEWADDR) and route (RTM_NEWROUTE) are
 * here so the user-mode gateway can set up a TAP in a namespace the same way.
 */
#ifndef VMWIRE_PORTS_RTNL_H
#define VMWIRE_PORTS_RTNL_H

#include <stdbool.h>
#include <stdint.h>

struct mnl_socket;

struct rtnl {
	struct mnl_socket *nl;
	unsigned portid;
	unsigned seq;
};

struct rtnl_link {
	int ifindex;
	unsigned mtu;
	unsigned flags; /* IFF_UP, ... */
	char kind[16];  /* IFLA_INFO_KIND ("bridge", "veth", "tun"), "" if none */
};

/* 0 or -errno. */
int rtnl_open(struct rtnl *r);
void rtnl_close(struct rtnl *r);

/* Look an interface up by name: 0, -ENODEV, or another -errno. */
int rtnl_link_get(struct rtnl *r, const char *ifname, struct rtnl_link *out);
/* mtu 0 leaves the MTU alone. */
int rtnl_link_set(struct rtnl *r, int ifindex, unsigned mtu, bool up);

/* Put ifindex under master (a bridge), with mac if not NULL and mtu if
 * not 0, and bring it up: one request. 0 or -errno. */
int rtnl_link_enslave(struct rtnl *r, int ifindex, int master, const uint8_t *mac,
		      unsigned mtu);

/* Set the link-layer address of an Ethernet-like interface (the TAP of
 * "vmwire slirp4netns --macaddress"). 0 or -errno. */
int rtnl_link_set_hwaddr(struct rtnl *r, int ifindex, const uint8_t mac[6]);

/* The link-layer address of ifindex: 0, -ENODEV, -EOPNOTSUPP if it has
 * none of 6 bytes (lo), or another -errno. */
int rtnl_link_hwaddr(struct rtnl *r, int ifindex, uint8_t mac[6]);

/* family AF_INET (addr 4 bytes) or AF_INET6 (16 bytes). */
int rtnl_addr_add(struct rtnl *r, int ifindex, int family, const void *addr,
		  unsigned prefixlen);
/* dst NULL with dst_len 0 is the default route; gw may be NULL (on-link). */
int rtnl_route_add(struct rtnl *r, int family, const void *dst, unsigned dst_len,
		   const void *gw, int ifindex);

/* Has ifindex an IPv6 address inside prefix/plen (16 bytes) that is not
 * tentative (DAD done)? 1, 0, or -errno. */
int rtnl_addr6_ready(struct rtnl *r, int ifindex, const void *prefix, unsigned plen);

#endif
