/* SPDX-License-Identifier: MIT
 *
 * service.h - the gateway's service table: the things that answer guests
 * at the gateway's own addresses (ARP, DHCP, DNS, the ICMP echo
 * responder, TFTP; later NDP, DHCPv6).
 *
 * Theory of operation: each service registers one struct gw_service and
 * its own state at gateway start. gateway.c validates a frame (Ethernet,
 * the IPv4 header, reassembly, the UDP header and checksum), describes it
 * in a struct gw_pkt, and walks the table in registration order: the
 * first service whose match() says yes gets input(); none, and the frame
 * goes on to NAT or TCP. gateway.c itself knows no service's port or
 * address. match() is a pure test (no counting, no side effects); input()
 * counts its own drops.
 *
 * Timed state (a DNS query waiting for its upstream) is swept by one
 * table timer: a service that starts such state calls gw_services_kick(),
 * and the timer runs every service's sweep() each GW_SERVICE_SWEEP_MS for
 * as long as one of them says it still holds some. Tests call
 * gw_services_sweep() with an explicit now instead.
 *
 * "info usernet" asks each service for its section (info(), e.g. DHCP's
 * lease table) and its counters (counters(), printed after the shared
 * gw_stats ones, so a new service can keep its own without touching
 * stats.h). fini() is called in reverse registration order when the
 * gateway goes, and releases what the service owns (fds, memory).
 */
#ifndef VMWIRE_GATEWAY_SERVICE_H
#define VMWIRE_GATEWAY_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/loop.h"
#include "gateway/stats.h"

struct gw_ip6;

#define GW_SERVICES_MAX 12
#define GW_SERVICE_SWEEP_MS 250

/* A guest frame as the dispatch validated it. */
struct gw_pkt {
	const uint8_t *frame;   /* the Ethernet frame */
	size_t frame_len;
	uint16_t ethertype;
	const uint8_t *smac;
	/* IPv4 only: addresses in host order; l4 is the whole payload
	 * (reassembled if it came in fragments). */
	uint32_t src, dst;
	uint8_t proto;
	const uint8_t *l4;
	size_t l4_len;
	/* IPv6 only (else NULL): the parsed header (gateway/ip/ipv6.h);
	 * proto, l4 and l4_len are then the upper layer past the extension
	 * headers, src and dst stay 0. */
	const struct gw_ip6 *ip6;
	/* UDP only, its header and checksum checked: ports and payload. */
	uint16_t sport, dport;
	const uint8_t *data;
	size_t data_len;
};

struct gw_service {
	const char *name;
	/* Is p for this service? Pure: no counting. */
	bool (*match)(const void *svc, const struct gw_pkt *p);
	void (*input)(void *svc, const struct gw_pkt *p, uint64_t now);
	/* Optional: expire timed state as of now; true while some is left. */
	bool (*sweep)(void *svc, uint64_t now);
	/* Optional: the service's section of "info usernet". */
	void (*info)(const void *svc, uint64_t now, FILE *out);
	/* Optional: counters of the service's own, by name. */
	void (*counters)(const void *svc, gw_counter_fn fn, void *ctx);
	/* Optional: release what the service owns. */
	void (*fini)(void *svc);
};

struct gw_service_entry {
	const struct gw_service *ops;
	void *svc;
};

struct gw_services {
	struct gw_service_entry e[GW_SERVICES_MAX];
	unsigned n;
	struct ev_loop *loop; /* NULL: no sweep timer (tests sweep by hand) */
	struct ev_timer timer;
};

void gw_services_init(struct gw_services *t, struct ev_loop *loop);
/* Every service's fini, last registered first; the table is empty after. */
void gw_services_fini(struct gw_services *t);
/* Register svc (its state) with ops; 0, or -1 when the table is full. */
int gw_services_add(struct gw_services *t, const struct gw_service *ops, void *svc);

/* Hand p to the first service that matches it; false when none does. */
bool gw_services_input(struct gw_services *t, const struct gw_pkt *p, uint64_t now);
/* Sweep every service as of now; true while one still holds timed state. */
bool gw_services_sweep(struct gw_services *t, uint64_t now);
/* A service started timed state: make sure the sweep timer runs. t may be
 * NULL (a service built alone, as in the fuzzers). */
void gw_services_kick(struct gw_services *t);
void gw_services_info(const struct gw_services *t, uint64_t now, FILE *out);
void gw_services_counters(const struct gw_services *t, gw_counter_fn fn, void *ctx);

#endif
