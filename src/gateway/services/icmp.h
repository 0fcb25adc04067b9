/* SPDX-License-Identifier: MIT
 *
 * icmp.h - ICMP echo answered by the gateway itself.
 *
 * Theory of operation: pings to the host and dns addresses never leave the
 * process: the request's checksum is verified, the payload is copied into
 * a reply with type 0 and a fresh checksum, sent back to the MAC it came
 * from, fragmented when larger than the MTU (ip_frag.h). Echo to other destinations is the NAT's job (not here yet) and is
 * counted as unhandled.
 */
#ifndef VMWIRE_GATEWAY_ICMP_H
#define VMWIRE_GATEWAY_ICMP_H

#include <stddef.h>
#include <stdint.h>

struct gw_env;

struct gw_icmp {
	const struct gw_env *env; /* cfg, tx, arp, stats */
};

void gw_icmp_init(struct gw_icmp *ic, const struct gw_env *env);

/* The responder in the service table (service.h): ICMP to the host or
 * dns address from a guest with an address. */
extern const struct gw_service gw_icmp_service;

/* An ICMP message (l4, len bytes) from src to one of our addresses dst;
 * smac is the sender's MAC. */
void gw_icmp_input(struct gw_icmp *ic, const uint8_t *smac, uint32_t src, uint32_t dst,
		   const uint8_t *l4, size_t len, uint64_t now);

#endif
