/* SPDX-License-Identifier: MIT
 *
 * stream.h - private interface between stream.c, dgram.c and
 * socket_compat.c: "-netdev socket" is only another spelling of a stream
 * or dgram netdev, so socket_compat.c builds their configurations and
 * returns their netdevs, which run with stream_netdev_ops or
 * dgram_netdev_ops and keep the socket type for names and messages.
 */
#ifndef VMWIRE_PORTS_STREAM_H
#define VMWIRE_PORTS_STREAM_H

#include "ports/unix_acl.h"
#include <stdbool.h>
#include <stdint.h>

#include "config/netdev.h"
#include "ports/sockaddr.h"

#define STREAM_QUEUE_DEFAULT (1u << 20) /* per-connection output ring */

struct stream_cfg {
	struct sa_spec addr;
	bool server;
	uint64_t reconnect_ms; /* client: 0 = don't retry */
	bool compat;           /* spelled "-netdev socket": hints say so */
	unsigned max_conns;    /* server: connections at once; 0 = default */
	struct unix_acl acl;   /* server, unix path: mode=/owner=/group= */
};

/* server: connections beyond this are accepted and closed at once, so
 * idle clients cannot hold memory (a 1 MiB ring each) without bound. */
#define STREAM_MAX_CONNS_DEFAULT 64

struct kvlist;
/* The max-connections= key, shared by stream and socket's listen=. */
int stream_parse_max_conns(struct kvlist *kv, struct stream_cfg *cfg, char *err,
			   size_t errlen);

/* The client retry keys reconnect=SECONDS / reconnect-ms=MS, shared by
 * stream and seqpacket: at most one, only with server=off; 0 = no retry. */
int stream_parse_reconnect(struct kvlist *kv, bool server, uint64_t *reconnect_ms, char *err,
			   size_t errlen);

struct dgram_cfg {
	struct sa_spec local, remote; /* kind SA_NONE when absent */
	bool mcast;                   /* remote is a multicast group */
	bool compat;
	/* local unix socket, no remote: answer whoever sent last (vfkit) */
	bool learn_remote;
	struct unix_acl acl; /* local unix path: mode=/owner=/group= */
};

/* Both allocate a netdev whose ->type is type (so "socket" stays "socket")
 * and whose ->ops are the stream's or the dgram's. */
struct netdev *stream_netdev_new(const struct stream_cfg *cfg, const struct netdev_type *type);
struct netdev *dgram_netdev_new(const struct dgram_cfg *cfg, const struct netdev_type *type);

/* The parsed configuration (tests, monitor). */
const struct stream_cfg *stream_netdev_cfg(const struct netdev *nd);
const struct dgram_cfg *dgram_netdev_cfg(const struct netdev *nd);

/* What runs them; nd->ops tells which of the two a netdev is. */
extern const struct netdev_ops stream_netdev_ops;
extern const struct netdev_ops dgram_netdev_ops;

extern const struct netdev_type netdev_stream_type;
extern const struct netdev_type netdev_socket_type;
extern const struct netdev_type netdev_dgram_type;

/* Print s with QEMU keyval escaping (',' doubled). */
void qemu_print_escaped(FILE *out, const char *s);

#endif
