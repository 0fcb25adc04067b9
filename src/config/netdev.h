/* SPDX-License-Identifier: MIT
 *
 * netdev.h - configured attachments ("-netdev TYPE,id=ID,...").
 *
 * Theory of operation: startup is two phases so a bad command line never
 * leaves half-created sockets behind. Phase one, parse(), consumes the
 * type's own keys from the kvlist, validates them and returns a netdev with
 * no side effects. When every -netdev and -switch parsed cleanly, phase two,
 * start(), opens sockets and TAPs and attaches ports to the network.
 *
 * A netdev owns zero or more ports: a stream client, a dgram socket or a
 * TAP owns one; a stream server owns one per accepted connection. The keys
 * common to every type (id, switch, vlan, trunk, pcap) are consumed by the
 * caller and handed over in struct netdev_common, which the netdev copies
 * into each port it creates via netdev_port_setup().
 */
#ifndef VMWIRE_CONTROL_NETDEV_H
#define VMWIRE_CONTROL_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/port.h"

struct ev_loop;
struct kvlist;
struct network;
struct netdev;

struct netdev_common {
	char id[PORT_ID_MAX];
	char switch_name[PORT_ID_MAX];
	struct port_vlan vlan;
	char pcap_path[4096]; /* "" = no capture */
};

struct netdev_type {
	const char *name; /* "stream", "dgram", "socket", "tap", "user" */
	/* Phase one: validate; no side effects. NULL + err on error. */
	struct netdev *(*parse)(struct kvlist *kv, char *err, size_t errlen);
	/* Phase two: open, bind, attach. -1 + err on error. */
	int (*start)(struct netdev *nd, struct ev_loop *loop, char *err, size_t errlen);
	/* Print, one per line, the QEMU arguments that connect a VM here
	 * (e.g. "-netdev stream,id=n0,server=off,addr.type=unix,addr.path=..."
	 * followed by "-device virtio-net-pci,netdev=n0"). May print nothing. */
	void (*hint)(const struct netdev *nd, FILE *out);
	/* One line for the monitor: listening address, connection count. */
	void (*describe)(const struct netdev *nd, char *buf, size_t size);
	/* Close every port and fd, unlink socket files, free. */
	void (*destroy)(struct netdev *nd);
};

struct netdev {
	const struct netdev_type *type;
	struct netdev_common common;
	struct network *net;   /* set before start() */
	struct pcap_writer *pcap; /* opened before start() if pcap_path set */
	struct netdev *next;   /* all netdevs, in command line order */
};

/* Look up a type by name; NULL if unknown. */
const struct netdev_type *netdev_type_find(const char *name);
/* Comma separated list of type names for error messages and --help. */
const char *netdev_type_names(void);

/* Give a freshly initialised port the netdev's VLAN setup and pcap and
 * attach it to the netdev's network. */
void netdev_port_setup(struct netdev *nd, struct port *port);

/* Type tables implemented by each attachment module. */
extern const struct netdev_type netdev_stream_type;
extern const struct netdev_type netdev_socket_type;
extern const struct netdev_type netdev_dgram_type;
extern const struct netdev_type netdev_tap_type;

#endif
