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
 * common to every type (id, switch, vlan, trunk, pcap, impair-*) are consumed by the
 * caller and handed over in struct netdev_common, which the netdev copies
 * into each port it creates via netdev_port_setup().
 *
 * The two phases are two structures. struct netdev_type is the parse-time
 * side, one per "-netdev NAME" in the registry (control/netdev_types.def):
 * parse(), the keys and their help (--help and vmwire(1) are generated from
 * them) and the sandbox needs. struct netdev_ops is the runtime side that
 * parse() puts on the netdev it returns, so a spelling such as "socket"
 * can hand back a stream or dgram netdev that runs with their ops.
 */
#ifndef VMWIRE_CONTROL_NETDEV_H
#define VMWIRE_CONTROL_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/impair.h"
#include "core/port.h"

struct ev_loop;
struct kvlist;
struct network;
struct netdev;

struct netdev_common {
	char id[PORT_ID_MAX];
	char switch_name[PORT_ID_MAX];
	struct port_vlan vlan;
	struct port_security sec; /* port-security=, max-macs-per-port= */
	char pcap_path[4096]; /* "" = no capture */
	struct impair_cfg impair; /* impair-*=: each port's wire */
};

/* What a started netdev does; parse() sets nd->ops. Kept apart from the
 * type so one spelling can build another type's netdev ("-netdev socket"
 * returns a stream or dgram netdev with their ops). */
struct netdev_ops {
	/* Phase two: open, bind, attach. -1 + err on error. */
	int (*start)(struct netdev *nd, struct ev_loop *loop, char *err, size_t errlen);
	/* Print, one per line, the QEMU arguments that connect a VM here
	 * (e.g. "-netdev stream,id=n0,server=off,addr.type=unix,addr.path=..."
	 * followed by "-device virtio-net-pci,netdev=n0"). NULL or printing
	 * nothing: VMs do not connect to this netdev directly. */
	void (*hint)(const struct netdev *nd, FILE *out);
	/* One line for the monitor: listening address, connection count. */
	void (*describe)(const struct netdev *nd, char *buf, size_t size);
	/* Close every port and fd, unlink socket files, free. Works on a
	 * netdev that was parsed but never started. */
	void (*destroy)(struct netdev *nd);
};

/*
 * One key of a type, for --help and vmwire(1). key is the spelling as the
 * user writes it, metavariables in capitals ("addr.path=PATH"); help is one
 * line; man is optional troff detail the man page adds after it.
 */
struct netdev_key {
	const char *key;
	const char *help;
	const char *man;
};

/*
 * What a netdev still does once the sandbox is applied (sandbox.c), beyond
 * the base allow list every daemon needs (the loop, sockets of the inet and
 * unix families, files). The daemon keeps the union over its configured
 * netdevs, so a type that needs nothing special declares nothing.
 */
struct netdev_sandbox {
	const char *const *syscalls; /* system call names, NULL-terminated */
	const unsigned long *ioctls; /* ioctl requests, 0-terminated */
	uint64_t caps;               /* capabilities kept when staying root: 1 << CAP_x */
	/* Files it opens after the sandbox, for vmwire(1): the sandbox keeps
	 * the filesystem, so this documents rather than grants. */
	const char *paths;
	/* Does this configured netdev run commands? They inherit the filter,
	 * so the daemon then loads a deny list instead of the allow list. */
	bool (*spawns)(const struct netdev *nd);
	/* Why starting one needs what the sandbox gives up (netlink, the
	 * capabilities of setup), so QMP netdev_add refuses it once the
	 * sandbox is on; NULL: it can be hot-plugged. */
	const char *setup_only;
};

/* A netdev type as the command line knows it: "-netdev NAME,...". Each
 * type defines one in its own file and has one line in the registry
 * (control/netdev_types.def). */
struct netdev_type {
	const char *name;    /* "stream", "dgram", "socket", "tap", "user" */
	const char *summary; /* one line for --help */
	const char *man;     /* troff paragraph(s) opening its vmwire(1) section */
	const struct netdev_key *keys; /* terminated by { NULL } */
	const char *man_notes; /* troff after the key list, or NULL */
	/* Phase one: validate; no side effects. Returns a netdev with ->type
	 * and ->ops set, or NULL + err on error. */
	struct netdev *(*parse)(struct kvlist *kv, char *err, size_t errlen);
	struct netdev_sandbox sandbox;
	/* Its ports carry a whole LAN (a tunnel to another host), not one
	 * station: port security is off for them unless port-security= says
	 * otherwise, so the remote side's MACs are not held to one port's cap. */
	bool uplink;
};

struct netdev {
	const struct netdev_type *type; /* what the user wrote */
	const struct netdev_ops *ops;   /* what runs it */
	struct netdev_common common;
	struct network *net;   /* set before start() */
	struct pcap_writer *pcap; /* opened before start() if pcap_path set */
	struct netdev *next;   /* all netdevs, in command line order */
};

/* The registry (control/netdev_registry.c), in --help order. */
extern const struct netdev_type *const netdev_types[];
extern const size_t netdev_types_count;

/* Look up a type by name; NULL if unknown. */
const struct netdev_type *netdev_type_find(const char *name);
/* Comma separated list of type names for error messages. */
const char *netdev_type_names(void);
/* The "Netdev types:" part of --help. */
void netdev_types_usage(FILE *out);
/* The NETDEV TYPES section of vmwire(1), troff, from .SH to the last key. */
void netdev_types_man(FILE *out);

/* Give a freshly initialised port the netdev's VLAN setup, pcap and
 * impairment and attach it to the netdev's network. */
void netdev_port_setup(struct netdev *nd, struct port *port);

/* The impair-* keys (common to every netdev, taken by the command line
 * with the other common keys): 0, or -1 with err naming the key. */
int netdev_parse_impair(struct kvlist *kv, struct impair_cfg *cfg, char *err, size_t errlen);

#endif
