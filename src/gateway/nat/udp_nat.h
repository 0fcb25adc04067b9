/* SPDX-License-Identifier: MIT
 *
 * udp_nat.h - guest UDP to the outside through per-source host sockets.
 *
 * Theory of operation (slirp semantics): every guest source (ip, port)
 * that sends to an address the policy (policy.h) lets out gets one
 * unconnected, non-blocking host UDP socket, created on its first datagram
 * and kept in a fixed table of max-udp-flows entries (hash on the source,
 * chained through indices: nothing is allocated after init). Datagrams go
 * out with sendto() to the mapped destination, so one guest socket can talk
 * to many remotes, as it could on a real network; whatever arrives on the
 * host socket from a remote the guest may talk to comes back to the guest
 * source, its sender translated (127.0.0.1 appears as the host address).
 * A full table drops and counts the new flow. Flows idle for
 * udp-timeout= seconds (default GW_DEFAULT_UDP_TIMEOUT_S) are closed by a
 * sweep timer.
 *
 * Host sockets are read in batches with recvmmsg(), bounded by the free
 * slots of the reply ring so we never read what we would have to drop.
 * Datagrams larger than the MTU go to the guest fragmented (ip_frag.h,
 * IPv4 and IPv6 alike); those larger than gw_ip_max_payload() are dropped
 * and counted (MSG_TRUNC, udp_too_big).
 * IP_RECVERR is set on every socket: ICMP errors the host receives for our
 * datagrams (port/host unreachable), and synchronous sendto() routing
 * errors, are reported to the guest as ICMP destination unreachable
 * quoting a reconstruction of its original datagram's headers.
 *
 * UDP hostfwd (hostfwd.h) is consulted first for each guest datagram: a
 * reply from the forwarded guest port to its host-side peer goes back
 * through the forwarding socket.
 *
 * The gateway is a hop: a datagram leaves with the guest's TTL (IPv6: hop
 * limit) less one (IP_TTL / IPV6_UNICAST_HOPS, set on the flow's socket
 * only when it changes), so a UDP traceroute's probes expire where they
 * would behind a router; TTL 1 never gets here (icmp.h answers it). An
 * error the host hears from a router on the way names that router as its
 * source (SO_EE_OFFENDER), so each hop shows up as itself.
 *
 * Path MTU over IPv6 (routers do not fragment, RFC 8200 5): a guest
 * datagram that fit the guest's link goes out with IPV6_DONTFRAG. When it
 * is too big for the host's path, sendto() fails with EMSGSIZE and the
 * guest gets ICMPv6 packet too big with the path MTU the kernel queued
 * (ip6_too_big_to_guest), or a router on the way sends one and it comes
 * back from the error queue; either way the guest fragments, as it would
 * behind a real router. A datagram larger than the guest's link was
 * fragmented by the guest and reassembled here: the host fragments it
 * again to the path.
 *
 * The gateway's own address maps to the host's loopback (host-loopback=on),
 * except for the ports of services that are the gateway's own in QEMU:
 * TFTP (GW_UDP_TFTP_PORT) is answered with ICMP port unreachable while
 * vmwire serves none, instead of reaching a host TFTP server nobody asked
 * the guest to use.
 */
#ifndef VMWIRE_GATEWAY_UDP_NAT_H
#define VMWIRE_GATEWAY_UDP_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/inany.h"
#include "core/log.h"
#include "core/loop.h"
#include "gateway/gateway.h"

struct gw_config;
struct gw_env;
struct gw_tx;

#define GW_UDP_SWEEP_MS 1000
#define GW_UDP_BATCH 16
#define GW_UDP_TFTP_PORT 69

struct gw_udp;

#define GW_UDP_PEERS 16 /* remote endpoints a flow remembers for filtering */

struct gw_udp_flow {
	struct gw_udp *nat;
	int fd;                  /* -1: free */
	struct ev_watch w;
	union inany_addr guest_addr;
	uint16_t guest_port;
	uint16_t last_dport;     /* guest-visible far end, last sent to */
	union inany_addr last_dst;
	uint64_t last_ms;
	uint64_t bytes_out, bytes_in;
	uint8_t ttl;             /* IP_TTL set on fd; 0: the host's default */
	uint32_t station;        /* the guest charged for it (quota.h) */
	uint32_t next;           /* hash chain or free list: index + 1, 0 ends */
	/* Host-side addresses and ports (host order) the guest sent to,
	 * most recent at peer_next - 1: replies are filtered against them
	 * (udp-filter=). The oldest is forgotten beyond GW_UDP_PEERS. */
	struct { union inany_addr addr; uint16_t port; } peers[GW_UDP_PEERS];
	unsigned npeers, peer_next;
};

enum udp_log { UDP_LOG_FULL, UDP_LOG_SOCKET, UDP_LOG_TOO_BIG };

struct gw_udp {
	const struct gw_env *env; /* cfg, policy, tx, arp, stats, hostfwd, loop */
	struct gw_udp_flow *flows; /* cfg->max_udp_flows */
	uint32_t *buckets;         /* nbuckets heads, index + 1 */
	unsigned nbuckets, used;
	uint32_t free_head;
	uint64_t timeout_ms;
	struct ev_timer sweep;
	size_t rx_size;            /* payload bytes per batch buffer */
	uint8_t *rxbuf;            /* GW_UDP_BATCH * rx_size */
	struct mmsghdr msgs[GW_UDP_BATCH];
	struct iovec iov[GW_UDP_BATCH];
	union sockaddr_inany from[GW_UDP_BATCH];
	struct log_once logged; /* enum udp_log */
};

/* env->loop may be NULL: no socket is ever opened (frame-only tests).
 * env->hostfwd, when set, is consulted first for each guest datagram. */
int gw_udp_init(struct gw_udp *u, const struct gw_env *env);
void gw_udp_fini(struct gw_udp *u);

/* A guest datagram (payload data, len bytes) not for a gateway service;
 * the IPv4 dispatch converts its header's addresses (inany.h); ttl is its
 * IPv4 TTL, which less one becomes the host socket's. */
void gw_udp_input(struct gw_udp *u, const union inany_addr *src, uint16_t sport,
		  const union inany_addr *dst, uint16_t dport, const uint8_t *data, size_t len,
		  uint8_t ttl, uint64_t now);

void gw_udp_sweep(struct gw_udp *u, uint64_t now_ms);
void gw_udp_walk(const struct gw_udp *u, uint64_t now_ms, gw_flow_fn fn, void *ctx);

/* Queue data to the guest as src:sport -> dst:dport, fragmented when it
 * exceeds the MTU. false (counted, udp_too_big when larger than
 * gw_ip_max_payload() or gw_ip6_max_payload()) when dropped; also false,
 * uncounted, for a pair of mixed families. Shared with hostfwd. */
bool gw_udp_to_guest(const struct gw_env *env, uint64_t now, const union inany_addr *src,
		     uint16_t sport, const union inany_addr *dst, uint16_t dport,
		     const uint8_t *data, size_t len);

/* Largest UDP payload that fits one reply frame. */
size_t gw_udp_room(const struct gw_tx *tx, const struct gw_config *cfg);

#endif
