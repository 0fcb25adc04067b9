/* SPDX-License-Identifier: MIT
 *
 * dns.h - the DNS forwarder listening at the dns address, UDP port 53.
 *
 * Theory of operation: a guest query is copied into a fixed table of
 * in-flight queries and relayed to an upstream resolver with a fresh random
 * ID from a socket of its own, opened for the query (the kernel binds it to
 * a random ephemeral port) and closed with it, so two guests using the same
 * ID cannot collide and an off-path host has to guess ID and port (RFC
 * 5452). A reply is accepted only on that socket, from the upstream the
 * query went to, with its ID and the same question (name, type and class,
 * byte for byte); its ID is put back and it is sent to the guest from
 * dns:53. A query unanswered for GW_DNS_TIMEOUT_MS moves to the next
 * upstream; when every attempt timed out, or the table is full, the guest
 * gets SERVFAIL rather than silence. The name host.vmwire.internal is answered
 * locally with the host address. With restrict=on only built-in names are
 * answered, as slirp drops all guest UDP to the outside then.
 *
 * Upstreams that came from a resolv.conf (no dns-upstream=) follow it: when
 * a query arrives and the last look is a second old, the file's identity
 * (device, inode, size, mtime, ctime) is compared with what was read, and
 * on a change the module's own list (a copy of cfg->upstream at start; the
 * config stays as it was parsed) is re-read and replaced in one step
 * between events, so the TCP relay (first upstream, gw_dns_upstreams())
 * follows too. An
 * in-flight query keeps the address it was sent to (replies are matched
 * against it); only a failover picks from the new list. Nameservers that
 * would loop back into this gateway are skipped (config.c).
 */
#ifndef VMWIRE_GATEWAY_DNS_H
#define VMWIRE_GATEWAY_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/inany.h"

#include "core/loop.h"
#include "gateway/config.h"

struct gw_env;

#define GW_DNS_INFLIGHT 64
/* Host sockets the forwarder may hold: one per query in flight. */
#define GW_DNS_FDS GW_DNS_INFLIGHT
#define GW_DNS_QUERY_MAX 1500
#define GW_DNS_TIMEOUT_MS 2000
#define GW_DNS_BUILTIN_NAME "host.vmwire.internal"

struct gw_dns;

struct gw_dns_query {
	bool used;
	int fd;                    /* its own upstream socket; -1: none yet */
	struct ev_watch w;
	struct gw_dns *dns;
	uint16_t guest_id, up_id, guest_port;
	union inany_addr guest;    /* the guest's address, IPv4 or IPv6 */
	uint32_t station;          /* the guest charged for it (quota.h) */
	unsigned upstream, tries;  /* index into the live list when sent */
	struct gw_upstream up;     /* where it was sent: replies must come from there */
	uint64_t deadline_ms;
	size_t len, qend; /* query length; end of its question section */
	uint8_t msg[GW_DNS_QUERY_MAX];
};

/* What a resolv.conf looked like when it was last read. */
struct gw_dns_file_stamp {
	bool ok; /* stat() succeeded */
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
};

struct gw_dns {
	const struct gw_env *env; /* cfg, tx, arp, stats, services, loop */
	/* The live resolver list: cfg's at start, replaced when the
	 * resolv.conf it came from changes. */
	struct gw_upstream upstream[GW_UPSTREAM_MAX];
	unsigned n_upstream;
	struct gw_dns_query *q; /* GW_DNS_INFLIGHT entries */
	uint8_t *rxbuf;         /* 65536 bytes */
	unsigned next_upstream; /* round robin start for new queries */
	uint64_t resolv_checked_ms;
	struct gw_dns_file_stamp resolv_stamp;
};

/* env->loop may be NULL (tests of built-in answers only): no sockets
 * opened. */
int gw_dns_init(struct gw_dns *dns, const struct gw_env *env);
void gw_dns_fini(struct gw_dns *dns);

/* The forwarder in the service table (service.h): UDP to port 53 of the
 * dns address; its sweep() expires in-flight queries. */
extern const struct gw_service gw_dns_service;

/* The upstream resolvers as of now (n of them; the list may change
 * between events, never during one). */
const struct gw_upstream *gw_dns_upstreams(const struct gw_dns *dns, unsigned *n);

/* A UDP payload sent by a guest to dns:53. */
void gw_dns_input(struct gw_dns *dns, const union inany_addr *src, uint16_t sport,
		  const uint8_t *msg,
		  size_t len, uint64_t now);

/* A datagram received from an upstream resolver (from: its source),
 * matched against the in-flight queries and relayed to the guest; m may be
 * modified. Called by the socket callback; exposed for the fuzzer. */
struct sockaddr_storage;
void gw_dns_reply(struct gw_dns *dns, uint8_t *m, size_t len,
		  const struct sockaddr_storage *from, uint64_t now);

/* Expire and fail over in-flight queries as of now (the service table's
 * timer; tests); true while some are still in flight. */
bool gw_dns_sweep(struct gw_dns *dns, uint64_t now_ms);

/* Re-read cfg->resolv_conf if it changed since it was last read (at most
 * once a second unless force); true when the upstream list changed. */
bool gw_dns_check_resolv_conf(struct gw_dns *dns, uint64_t now_ms, bool force);

#endif
