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
 * only validates and dispatches: Ethernet, then IPv4, whose header is
 * checked in full (version, IHL, total length against the frame, checksum,
 * fragments reassembled by ip_reasm.h) before any service (service.h: ARP,
 * DHCP, DNS, ICMP echo) or NAT module sees a byte of payload. Each module
 * keeps its own state and shares the rest through one struct gw_env
 * (env.h).
 */
#ifndef VMWIRE_GATEWAY_GATEWAY_H
#define VMWIRE_GATEWAY_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gateway/config.h"
#include "gateway/stats.h"

struct ev_loop;
struct port;
struct gateway;
struct gw_tcp_stats;
struct netdev;
struct gw_services;
struct in6_addr;

extern const struct netdev_type netdev_user_type;
/* The configuration of a parsed, not yet started -netdev user, for
 * "vmwire run" to complete (its guest's lease) before start(). */
struct gw_config *netdev_user_config(struct netdev *nd);

/* loop may be NULL in tests: nothing is armed or opened, the caller
 * flushes with gateway_flush(). cfg is copied. NULL on out of memory or
 * when the DNS sockets cannot be opened (errno set). */
struct gateway *gateway_new(const struct gw_config *cfg, const char *id,
			    struct ev_loop *loop);
struct port *gateway_port(struct gateway *gw);
/* Hand queued replies to the port's sink now. */
void gateway_flush(struct gateway *gw);
const struct gw_stats *gateway_stats(const struct gateway *gw);
/* The TCP engine's counters (tcp.h), or NULL when it has none (no loop). */
const struct gw_tcp_stats *gateway_tcp_stats(const struct gateway *gw);
/* The MAC NDP learned for an IPv6 address, or NULL. */
const uint8_t *gateway_ndp_lookup(const struct gateway *gw, const struct in6_addr *a);
/* The DHCP-bound address of a MAC, or 0. */
uint32_t gateway_lease_of(const struct gateway *gw, const uint8_t *mac);
/* Sweep every service's timed state (DNS queries) as of now_ms; tests
 * drive time explicitly. gateway_dns_sweep() is the older name. */
void gateway_service_sweep(struct gateway *gw, uint64_t now_ms);
void gateway_dns_sweep(struct gateway *gw, uint64_t now_ms);
/* The service table (service.h): a test registers a fake service. */
struct gw_services *gateway_services(struct gateway *gw);

/*
 * Monitor view ("info usernet"). Every NAT module describes its flows in
 * this one generic shape, so the monitor needs no knowledge of UDP, ICMP
 * or TCP internals; a module adds itself by calling fn from its own walk
 * function, called from gateway_walk_flows(). Addresses are inany
 * (core/inany.h), unspecified when there is none; guest_* is the guest's
 * end, host_* the far end as the host sees it (after host-loopback
 * mapping).
 */
struct gw_flow_info {
	const char *proto;   /* "udp", "icmp", "tcp" */
	const char *state;   /* "", "hostfwd", "ESTABLISHED", ... */
	int fd;
	union inany_addr guest_addr, host_addr;
	uint16_t guest_port, host_port; /* ICMP: the guest's echo id, 0 */
	uint64_t idle_ms;
	uint64_t bytes_to_host, bytes_to_guest;
	unsigned recvq, sendq;
	uint32_t rtt_us;     /* TCP: smoothed RTT towards the guest, 0 = none */
};
typedef void (*gw_flow_fn)(void *ctx, const struct gw_flow_info *fi);

void gateway_walk_flows(const struct gateway *gw, gw_flow_fn fn, void *ctx);
/* The DHCP leases in use, for QMP (gw_lease: services/dhcp.h). */
struct gw_lease;
void gateway_walk_leases(const struct gateway *gw,
			 void (*fn)(void *ctx, const struct gw_lease *l, bool is_static), void *ctx);
/* The gateway's loop clock, what lease expiry times are relative to. */
uint64_t gateway_now(const struct gateway *gw);
/* The services' sections of "info usernet" (DHCP's lease table). */
void gateway_info(const struct gateway *gw, FILE *out);
/* Every counter by name: the gw_stats ones in stats.h's order, then each
 * service's own. */
void gateway_walk_counters(const struct gateway *gw, gw_counter_fn fn, void *ctx);
/* The gateway behind a port, or NULL if the port is not a gateway. */
struct gateway *gateway_of_port(struct port *port);
/* Expire idle NAT flows as of now_ms (tests drive time explicitly). */
void gateway_nat_sweep(struct gateway *gw, uint64_t now_ms);

/* The monitor's hostfwd_add / hostfwd_remove (QEMU HMP syntax):
 * "[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport" and
 * "[tcp|udp]:[hostaddr]:hostport". 0, or -1 with a one-line reason. */
int gateway_hostfwd_add(struct gateway *gw, const char *spec, char *err, size_t errlen);
int gateway_hostfwd_remove(struct gateway *gw, const char *spec, char *err, size_t errlen);

/* The control socket's dns-record-add / dns-record-remove: NAME and ADDR
 * as a user types them (addr NULL on remove: all of NAME's records). 0, or
 * -1 with a one-line reason. */
int gateway_dns_record_add(struct gateway *gw, const char *name, const char *addr, char *err,
			   size_t errlen);
int gateway_dns_record_remove(struct gateway *gw, const char *name, const char *addr,
			      char *err, size_t errlen);
/* Every DNS record of the gateway (dns_records.h), for "info usernet". */
union inany_addr;
void gateway_walk_dns_records(const struct gateway *gw,
			      void (*fn)(void *ctx, const char *name, const union inany_addr *a),
			      void *ctx);

#endif
