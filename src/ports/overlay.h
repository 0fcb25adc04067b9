/* SPDX-License-Identifier: MIT
 *
 * overlay.h - the shared runtime of "-netdev vxlan" and "-netdev geneve":
 * UDP sockets, head-end replication, per-VTEP learning. vxlan.c and
 * geneve.c only name the type; see overlay.c for the theory of operation
 * and overlay_parse.c for the keys.
 */
#ifndef VMWIRE_PORTS_OVERLAY_H
#define VMWIRE_PORTS_OVERLAY_H

#include <stddef.h>
#include <stdint.h>

#include "config/netdev.h"
#include "ports/overlay_hdr.h"

struct kvlist;

/* The keys both types take, for their struct netdev_type. */
extern const struct netdev_key overlay_keys[];
extern const char overlay_man_notes[];

/* parse() of both types. */
struct netdev *overlay_parse(struct kvlist *kv, const struct netdev_type *type,
			     enum overlay_proto proto, char *err, size_t errlen);

/* The UDP source port for an inner frame: a hash of its flow (MACs,
 * addresses, protocol, ports) folded into [min, max], so one flow keeps one
 * port and the underlay's ECMP can spread flows (RFC 7348 section 5). */
uint16_t overlay_src_port(const uint8_t *frame, size_t len, uint16_t min, uint16_t max);

#endif
