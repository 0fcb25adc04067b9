/* SPDX-License-Identifier: MIT
 *
 * stream.h - private interface between stream.c, dgram.c and
 * socket_compat.c: "-netdev socket" is only another spelling of a stream
 * or dgram netdev, so socket_compat.c builds their configurations and
 * forwards the netdev_type calls to them.
 */
#ifndef VMWIRE_PORTS_STREAM_H
#define VMWIRE_PORTS_STREAM_H

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
};

struct dgram_cfg {
	struct sa_spec local, remote; /* kind SA_NONE when absent */
	bool mcast;                   /* remote is a multicast group */
	bool compat;
};

/* First member of both netdev structs, so "socket" can dispatch. */
#define SOCKNET_STREAM 0x7374726du
#define SOCKNET_DGRAM 0x6467726du
struct socknet_head {
	struct netdev nd;
	uint32_t magic;
};

/* Both allocate a netdev whose ->type is type (so "socket" stays "socket"). */
struct netdev *stream_netdev_new(const struct stream_cfg *cfg, const struct netdev_type *type);
struct netdev *dgram_netdev_new(const struct dgram_cfg *cfg, const struct netdev_type *type);

/* The parsed configuration (tests, monitor). */
const struct stream_cfg *stream_netdev_cfg(const struct netdev *nd);
const struct dgram_cfg *dgram_netdev_cfg(const struct netdev *nd);

/* Which of the two a netdev is; its type pointer can't tell for "socket". */
bool netdev_is_stream(const struct netdev *nd);

int stream_start(struct netdev *nd, struct ev_loop *loop, char *err, size_t errlen);
void stream_hint(const struct netdev *nd, FILE *out);
void stream_describe(const struct netdev *nd, char *buf, size_t size);
void stream_destroy(struct netdev *nd);

int dgram_start(struct netdev *nd, struct ev_loop *loop, char *err, size_t errlen);
void dgram_hint(const struct netdev *nd, FILE *out);
void dgram_describe(const struct netdev *nd, char *buf, size_t size);
void dgram_destroy(struct netdev *nd);

/* Print s with QEMU keyval escaping (',' doubled). */
void qemu_print_escaped(FILE *out, const char *s);

#endif
