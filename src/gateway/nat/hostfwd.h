/* SPDX-License-Identifier: MIT
 *
 * hostfwd.h - host ports forwarded into the guest (hostfwd=).
 *
 * Theory of operation: at start every hostfwd= rule gets one host socket
 * bound to hostaddr:hostport (UDP, or a listening TCP socket), so a busy
 * port fails the start with the rule named, as QEMU does. Rules are
 * entries of one fixed table shared by both protocols; an entry knows its
 * guest end (guestaddr, default the first DHCP address, and guestport).
 *
 * UDP: a datagram from a host-side peer is sent to the guest from the
 * peer's guest-visible address (its own; loopback peers, and every peer
 * with hostfwd-source=host, appear as the host address) and port; the entry remembers that peer, as slirp does, and the
 * guest's datagrams from guestaddr:guestport back to it leave through the
 * same socket (gw_hostfwd_udp_input). Replies are not subject to
 * restrict= or the egress lists: the host side opened the conversation.
 *
 * Rules can be added and removed at run time (the monitor's hostfwd_add
 * and hostfwd_remove): each entry keeps its own copy of its rule, a slot
 * whose fd is -1 is free, and removing a rule closes only its socket, so
 * TCP connections it already forwarded carry on, as in QEMU.
 *
 * TCP: the engine registers an accept callback with gw_hostfwd_set_tcp();
 * on a connection it gets the entry and accepts from entry->fd itself,
 * keeping its per-connection state wherever it likes (entry->priv is its
 * to use). Until one is registered, connections are accepted and closed
 * at once, counted in hostfwd_drops.
 */
#ifndef VMWIRE_GATEWAY_HOSTFWD_H
#define VMWIRE_GATEWAY_HOSTFWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "core/inany.h"
#include "core/log.h"
#include "core/loop.h"
#include "gateway/config.h"
#include "gateway/gateway.h"

#define GW_HOSTFWD_BUF 65536

struct gw_config;
struct gw_env;
struct gw_fwd;
struct gw_hostfwd;

struct gw_hostfwd_entry {
	struct gw_hostfwd *hf;
	const struct gw_fwd *fwd; /* &rule */
	struct gw_fwd rule;
	int fd;                   /* bound (UDP) or listening (TCP) socket */
	struct ev_watch w;
	union inany_addr guest_addr;
	uint16_t guest_port;
	/* UDP: the last host-side peer and how the guest sees it. */
	bool has_peer;
	union inany_addr peer, peer_guest;
	uint16_t peer_port;
	uint64_t last_ms, bytes_in, bytes_out; /* in: towards the guest */
	void *priv;               /* the TCP engine's */
};

typedef void (*gw_hostfwd_accept_fn)(void *ctx, struct gw_hostfwd_entry *e);

enum hostfwd_log { HOSTFWD_LOG_NO_TCP };

struct gw_hostfwd {
	const struct gw_env *env; /* cfg, tx, arp, stats, loop */
	gw_hostfwd_accept_fn tcp_accept;
	void *tcp_ctx;
	struct gw_hostfwd_entry e[GW_FWD_MAX];
	unsigned n;
	uint8_t *buf; /* one datagram, GW_HOSTFWD_BUF bytes */
	struct log_once logged; /* enum hostfwd_log */
};

/* Open every rule's socket (nothing when loop is NULL). -1 with errno and
 * a warning naming the rule when one cannot be bound. */
int gw_hostfwd_init(struct gw_hostfwd *hf, const struct gw_env *env);
void gw_hostfwd_fini(struct gw_hostfwd *hf);

/* Runtime rules. add: 0, or -1 with a one-line reason in err (the host
 * port cannot be bound, the table is full, the rule exists). remove: 0,
 * or -1 when no rule has that protocol, host address and port. */
int gw_hostfwd_add(struct gw_hostfwd *hf, const struct gw_fwd *r, char *err, size_t errlen);
int gw_hostfwd_remove(struct gw_hostfwd *hf, bool udp, const union inany_addr *host_addr,
		      uint16_t host_port);

void gw_hostfwd_set_tcp(struct gw_hostfwd *hf, gw_hostfwd_accept_fn fn, void *ctx);

/* A guest datagram: true if it was a reply to a UDP hostfwd peer and has
 * been sent (or dropped and counted) here. */
bool gw_hostfwd_udp_input(struct gw_hostfwd *hf, const union inany_addr *src, uint16_t sport,
			  const union inany_addr *dst, uint16_t dport, const uint8_t *data,
			  size_t len, uint64_t now);

void gw_hostfwd_walk(const struct gw_hostfwd *hf, uint64_t now_ms, gw_flow_fn fn, void *ctx);

/* How a host-side peer address looks to the guest: itself (the client's
 * real address, answered through the gateway), except that loopback,
 * unspecified and addresses inside the guest network appear as the host
 * address, and every address does with hostfwd-source=host. */
/* The same for a rule towards an IPv6 guest: loopback, unspecified, an
 * IPv4 peer and the guests' own prefix look like ipv6-host. */
union inany_addr gw_hostfwd_guest_view6(const struct gw_config *cfg,
					const union inany_addr *host_addr);
struct gw_hostfwd_entry;
/* Where a connection or datagram for rule e goes in the guest (*out) and
 * how peer looks there (*peer_view); false when e is "[]" and NDP has
 * learned no global guest address yet. */
bool gw_hostfwd_guest_end(const struct gw_hostfwd *hf, const struct gw_hostfwd_entry *e,
			  union inany_addr *out, union inany_addr *peer_view,
			  const union inany_addr *peer);
union inany_addr gw_hostfwd_guest_view(const struct gw_config *cfg,
				       const union inany_addr *host_addr);

#endif
