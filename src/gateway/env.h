/* SPDX-License-Identifier: MIT
 *
 * env.h - what every gateway module shares: one struct, built once by
 * gateway_new() and handed to each module's init.
 *
 * Theory of operation: a module (ARP, DHCP, DNS, the ICMP responder, the
 * UDP and ICMP NAT, hostfwd, guestfwd, the TCP engine) keeps a const
 * pointer to this environment instead of its own copies of the config,
 * reply ring, neighbour table, counters, policy and loop, and takes from
 * it only what it uses. The pointers are fixed for the gateway's life;
 * what they point to is not all fixed:
 *
 *   - cfg is immutable after gateway_new(): state that changes while the
 *     gateway runs lives in the module that owns it (the DNS module's
 *     resolver list, re-read from resolv.conf, is reached through dns);
 *   - tx, arp and stats are shared mutable state, touched only from the
 *     loop's one thread;
 *   - loop is NULL for frame-only tests: no module then opens an fd or
 *     arms a timer, and ev_loop_now(NULL) reads the clock.
 *
 * Each module owns its fds and timers and releases them in its own fini.
 */
#ifndef VMWIRE_GATEWAY_ENV_H
#define VMWIRE_GATEWAY_ENV_H

struct ev_loop;
struct port;
struct gw_config;
struct gw_stats;
struct gw_tx;
struct gw_arp;
struct gw_policy;
struct gw_hostfwd;
struct gw_dns;
struct gw_services;
struct gw_dhcp;
struct gw_dhcpv6;
struct gw_ndp;
struct gw_quota;
struct gw_dnsrec;

struct gw_env {
	const struct gw_config *cfg;     /* immutable after gateway_new() */
	struct gw_stats *stats;          /* the gateway's counters (stats.h) */
	struct gw_tx *tx;                /* the reply ring (pkt.h) */
	struct gw_arp *arp;              /* guest neighbours, for replies */
	struct gw_ndp *ndp;              /* IPv6 guest neighbours (ndp.h) */
	const struct gw_dhcp *dhcp;      /* leases: who owns an address */
	const struct gw_dhcpv6 *dhcpv6;  /* IPv6 leases (a host name's AAAA) */
	const struct gw_policy *policy;  /* where guest traffic may go */
	struct gw_hostfwd *hostfwd;      /* hostfwd= rules and their sockets */
	const struct gw_dns *dns;        /* the live DNS upstream list */
	const struct gw_dnsrec *records; /* the gateway's own DNS names */
	struct gw_services *services;    /* the service table (service.h) */
	struct port *port;               /* the gateway's port on the fabric */
	struct gw_quota *quota;          /* per-guest shares of the tables */
	struct ev_loop *loop;            /* NULL: frame-only tests */
};

#endif
