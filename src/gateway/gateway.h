/* SPDX-License-Identifier: MIT
 *
 * gateway.h - the user-mode gateway ("-netdev user", QEMU slirp parity) as
 * a port on the fabric.
 *
 * Theory of operation: the gateway is a port like any attachment. Frames
 * the network hands out to it (ops->transmit) are the guests' traffic to
 * the gateway; the replies it generates enter the network through
 * port_receive(), queued in a small ring and flushed from a 0 ms timer so
 * the fabric is never re-entered while it forwards (see pkt.h). gateway.c
 * only validates and dispatches: Ethernet -> ARP (arp.c) or IPv4, whose
 * header is checked in full (version, IHL, total length against the frame,
 * checksum, fragments dropped) before ICMP (icmp.c), DHCP (dhcp.c) or DNS
 * (dns.c) see a byte of payload. Each protocol module keeps its own state.
 */
#ifndef VMWIRE_GATEWAY_GATEWAY_H
#define VMWIRE_GATEWAY_GATEWAY_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/config.h"
#include "gateway/stats.h"

struct ev_loop;
struct port;
struct gateway;

extern const struct netdev_type netdev_user_type;

/* loop may be NULL in tests: nothing is armed or opened, the caller
 * flushes with gateway_flush(). cfg is copied. NULL on out of memory or
 * when the DNS sockets cannot be opened (errno set). */
struct gateway *gateway_new(const struct gw_config *cfg, const char *id,
			    struct ev_loop *loop);
struct port *gateway_port(struct gateway *gw);
/* Hand queued replies to the port's sink now. */
void gateway_flush(struct gateway *gw);
const struct gw_stats *gateway_stats(const struct gateway *gw);
/* The DHCP-bound address of a MAC, or 0. */
uint32_t gateway_lease_of(const struct gateway *gw, const uint8_t *mac);
/* Expire DNS queries as of now_ms (tests drive time explicitly). */
void gateway_dns_sweep(struct gateway *gw, uint64_t now_ms);

#endif
