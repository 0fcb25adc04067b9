/* SPDX-License-Identifier: MIT
 *
 * dhcp.h - the gateway's DHCPv4 server.
 *
 * Theory of operation: one lease per client hardware address (chaddr),
 * never per client-id, so a VM keeps its address across reboots and
 * renewals however its DHCP client identifies itself. Static lease=
 * entries are consulted first. Dynamic addresses are handed out from
 * dhcpstart upward, skipping host, dns, static addresses and those already
 * leased, up to max-leases clients; the table keeps a client's address
 * after RELEASE or expiry and only reuses it, least recently used first,
 * when no never-used address is left. DECLINEd addresses are quarantined
 * for one lease time. Replies go from host:67 to the client's address, or
 * to the broadcast address while the client has none or asks for it.
 *
 * Guests share the pool, so one guest must not be able to empty it or free
 * another's address. Each lease remembers the switch port its client sits
 * behind (port_sink_station(): the fabric names the port a MAC was learned
 * on, which port security keeps stable), and the guests behind one port
 * hold at most max-leases-per-port leases, however many chaddrs they make
 * up; quarantined (DECLINEd) addresses count against the port that
 * declined them. RELEASE and DECLINE count only from the lease's own MAC
 * (chaddr equal to the frame's Ethernet source) and port. A bound lease
 * (or a static lease=) also binds its address to its MAC for the ARP table
 * (gw_dhcp_owner(), arp.c). Pool exhaustion is logged once per port.
 */
#ifndef VMWIRE_GATEWAY_DHCP_H
#define VMWIRE_GATEWAY_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/inany.h"
#include "core/log.h"

struct gw_env;

enum gw_lease_state { LEASE_FREE, LEASE_OFFERED, LEASE_BOUND, LEASE_RELEASED, LEASE_DECLINED };

struct gw_lease {
	uint8_t mac[6];
	uint32_t ip;
	enum gw_lease_state state;
	uint64_t expires_ms;
	uint64_t used_ms; /* last activity, for reuse order */
	uint32_t station; /* the client's switch port (0: unknown) */
	/* Option 12 of its last REQUEST, folded (one label); "" when none or
	 * when the name was taken already (see gw_dhcp_host_lookup()). */
	char hostname[64];
};

enum dhcp_log { DHCP_LOG_TOO_BIG, DHCP_LOG_POOL_FULL, DHCP_LOG_PORTS };

/* Ports whose pool exhaustion or lease cap was logged; beyond, once more. */
#define DHCP_LOGGED_PORTS 16

struct gw_dhcp {
	const struct gw_env *env; /* cfg, tx, arp, stats */
	struct gw_lease *leases; /* cfg->max_leases dynamic entries */
	struct gw_lease *statics; /* cfg->n_leases entries, state only */
	struct log_once logged; /* enum dhcp_log */
	uint32_t logged_ports[DHCP_LOGGED_PORTS];
	unsigned nlogged_ports;
};

int gw_dhcp_init(struct gw_dhcp *d, const struct gw_env *env);
void gw_dhcp_fini(struct gw_dhcp *d);

/* The server in the service table (service.h): UDP to port 67 of the
 * host address or broadcast; its info() is the lease table. */
extern const struct gw_service gw_dhcp_service;

/* A UDP payload (BOOTP message) sent to port 67 by a guest from the
 * Ethernet source smac behind switch port station (0: unknown). */
void gw_dhcp_input(struct gw_dhcp *d, const uint8_t *bootp, size_t len, const uint8_t *smac,
		   uint32_t station, uint64_t now);

/* The MAC a bound (or static) lease binds ip to, or NULL. */
const uint8_t *gw_dhcp_owner(const struct gw_dhcp *d, uint32_t ip, uint64_t now);

/* Every lease in use (not free), statics first: QMP query-leases. */
typedef void (*gw_lease_fn)(void *ctx, const struct gw_lease *l, bool is_static);
void gw_dhcp_walk(const struct gw_dhcp *d, gw_lease_fn fn, void *ctx);
/* "offered", "bound", "released", "declined" */
const char *gw_lease_state_name(enum gw_lease_state st);

/* The address of the bound lease whose client named itself HOST (DHCP
 * option 12), asked as name = "HOST.<domainname>" (or "HOST" alone when
 * no domainname= is set; name lowercase, no trailing dot), or 0. A guest
 * gets a name only if no static DNS record and no other bound lease has
 * it: the first to bind keeps it until its lease ends, and static records
 * (dns_records.h) are looked up first anyway. A walk of the lease table
 * (max-leases entries), no allocation. */
uint32_t gw_dhcp_host_lookup(const struct gw_dhcp *d, const char *name, uint64_t now);

/* IPv6 addresses a guest's host name gets besides its lease's IPv4 one. */
#define GW_DHCP_HOST_ADDRS 4

/* The addresses of name (as gw_dhcp_host_lookup() finds its lease): the
 * lease's IPv4 address first, then, with ipv6=on, the global IPv6
 * addresses of the lease's MAC and switch port: those NDP learned
 * (SLAAC, newest first) and the address of its DHCPv6 lease, at most
 * GW_DHCP_HOST_ADDRS of them, each once. A guest that has not spoken
 * IPv6 yet has none. How many went into out (max), 0 for no such name. */
unsigned gw_dhcp_host_addrs(const struct gw_dhcp *d, const char *name, uint64_t now,
			    union inany_addr *out, unsigned max);

/* Those names and their addresses, lines of "info usernet". */
void gw_dhcp_info_names(const struct gw_dhcp *d, uint64_t now, FILE *out);

/* The address bound to mac, or 0 (monitor, tests). */
uint32_t gw_dhcp_lookup(const struct gw_dhcp *d, const uint8_t *mac);

#endif
