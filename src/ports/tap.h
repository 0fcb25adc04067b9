/* SPDX-License-Identifier: MIT
 *
 * tap.h - TAP attachments ("-netdev tap,id=ID,ifname=NAME[,netns=NS][,mtu=N]").
 *
 * Theory of operation: a TAP is a kernel Ethernet interface whose other end
 * is a file descriptor. vmwire attaches to an existing (persistent) TAP by
 * name or creates one, optionally inside a network namespace (netns.h), sets
 * its MTU, brings it up and plugs the fd into the fabric as one port.
 *
 * The fd is opened with IFF_VNET_HDR and a 12-byte virtio_net_hdr_v1.
 * tap_open() leaves offloads off (TUNSETOFFLOAD 0: the kernel finishes
 * checksums and segments before handing us a frame); a -netdev tap port
 * then turns them on (offload=on, the default) so a TCP stream behind the
 * TAP arrives as 64 KiB GSO frames that cross the fabric whole, see
 * core/offload.h. offload=off keeps plain 1500-byte frames both ways, for
 * debugging and to exercise the software fallback.
 * The queue between the kernel and us is the kernel's: a full queue means
 * drop and count, never block.
 *
 * The parsed configuration, tap_netdev_new() and tap_open() are exposed so
 * that "vmwire run" can create a configured TAP in a namespace without
 * spelling a -netdev string.
 */
#ifndef VMWIRE_PORTS_TAP_H
#define VMWIRE_PORTS_TAP_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netdev;
struct netdev_type;

extern const struct netdev_type netdev_tap_type;

#define TAP_MTU_MIN 68
#define TAP_MTU_MAX 65535
#define TAP_VNET_HDR_LEN 12 /* struct virtio_net_hdr_v1 / _mrg_rxbuf */

struct tap_config {
	char ifname[IFNAMSIZ]; /* "" = let the kernel pick vmwireN */
	char netns[4096];      /* "" = vmwire's own namespace */
	unsigned mtu;          /* 0 = leave as is (1500 for a new TAP) */
	bool offload_off;      /* offload=off: plain frames only (-netdev tap) */
	/* -netdev bridge, vmwire bridge-helper (ports/bridge.c): put the new
	 * TAP on this Linux bridge, after acl allows it, with the bridge's MTU
	 * (unless mtu is set) and MAC[0] = 0xFE as qemu-bridge-helper does, so
	 * the bridge never takes the TAP's address as its own. */
	char bridge[IFNAMSIZ]; /* "" = no bridge */
	char acl[4096];
	bool no_vnet_hdr; /* bridge-helper without --use-vnet: plain frames on the fd */
};

/* What tap_open() found or made. */
struct tap_info {
	char ifname[IFNAMSIZ];
	int ifindex;
	unsigned mtu;
	bool created; /* false: attached to a pre-existing persistent TAP */
};

/* Is name acceptable as a Linux interface name (dev_valid_name())? */
bool tap_ifname_valid(const char *name);

/*
 * Create or attach, configure and bring up the TAP described by cfg.
 * Returns a non-blocking, close-on-exec fd with the vnet header enabled,
 * or -1 with a one-line reason in err.
 */
int tap_open(const struct tap_config *cfg, struct tap_info *info, char *err, size_t errlen);

/*
 * Add an address (and, if gw is not NULL, a default route via gw) to the
 * interface ifname inside namespace netns ("" = ours). family is AF_INET
 * or AF_INET6. Returns 0 or -1 with err set.
 */
int tap_ip_setup(const char *netns, const char *ifname, int family, const void *addr,
		 unsigned prefixlen, const void *gw, char *err, size_t errlen);

/*
 * Validate and strip the vnet header of n bytes read from a TAP into buf;
 * the frame is then buf + TAP_VNET_HDR_LEN, *len bytes. A frame that asks
 * for a checksum gets it completed in place. Exposed for unit tests.
 */
enum tap_rx_verdict { TAP_RX_OK, TAP_RX_CSUM, TAP_RX_GSO, TAP_RX_BAD };
enum tap_rx_verdict tap_vnet_rx(uint8_t *buf, size_t n, size_t *len);

/* A tap netdev for cfg, as "-netdev tap" with those keys would parse it, for
 * callers that build their configuration themselves ("vmwire run"). The
 * caller fills in nd->common; NULL when out of memory. */
struct netdev *tap_netdev_new(const struct tap_config *cfg);

/* The configuration a parsed tap netdev holds (tests, monitor). */
const struct tap_config *tap_netdev_config(const struct netdev *nd);

#endif
