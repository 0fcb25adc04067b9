/* SPDX-License-Identifier: MIT
 *
 * icmp_nat.h - guest ICMP echo to the outside, and ICMP errors back to the
 * guest for anything the NAT sent that the network refused.
 *
 * Theory of operation: an echo request the policy lets out (policy.h) is
 * sent from a per-flow host socket, a flow being (guest address, echo id,
 * destination). The socket is an unprivileged ICMP datagram socket
 * (SOCK_DGRAM, IPPROTO_ICMP), for which the kernel owns the echo id and
 * matches replies to the socket; it needs net.ipv4.ping_group_range to
 * include our group. When that is refused and we are root, the NAT falls
 * back to a raw ICMP socket per flow, filtered to echo replies, rewriting
 * the echo id to one of its own so replies can be told apart. Either way
 * the reply's id is put back to the guest's and it is sent from the
 * address the guest pinged. Flows idle for GW_ICMP_TIMEOUT_MS are closed.
 *
 * ICMPv6 echo (types 128/129) takes the same path through the same table,
 * limits and counters, keyed by inany addresses: AF_INET6 ping sockets
 * (IPPROTO_ICMPV6), or raw ICMPv6 sockets filtered to echo replies (the
 * kernel sums those itself). Replies get a checksum over the IPv6
 * pseudo-header from the address the guest pinged (policy6 maps ipv6-host
 * to ::1 with host-loopback=on) and go out through NDP.
 *
 * Errors: sendto() failures (no route) and ICMP errors the kernel queues
 * on the socket (IP_RECVERR, datagram sockets only) become ICMP
 * destination unreachable / time exceeded messages to the guest quoting a
 * reconstruction of its original IP header and first L4 bytes, as a router
 * would. gw_icmp_error_to_guest() does that for the UDP NAT too, and
 * gw_icmp6_error_to_guest() is the same for ICMPv6 (IPV6_RECVERR:
 * destination unreachable, packet too big, time exceeded).
 */
#ifndef VMWIRE_GATEWAY_ICMP_NAT_H
#define VMWIRE_GATEWAY_ICMP_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/inany.h"
#include "core/log.h"
#include "core/loop.h"
#include "gateway/gateway.h"

struct gw_env;

#define GW_ICMP_FLOWS 64
#define GW_ICMP_TIMEOUT_MS 10000
#define GW_ICMP_BUF 65536

struct gw_icmp_nat;

struct gw_icmp_flow {
	struct gw_icmp_nat *nat;
	int fd; /* -1: free */
	struct ev_watch w;
	bool raw;
	/* Flow key and far end, inany (core/inany.h) so ICMPv6 echo can share
	 * the table; dst as the guest sees it, host_dst as the host does. */
	union inany_addr guest_addr, dst, host_dst;
	uint16_t guest_id, nat_id;        /* nat_id: raw sockets only */
	uint32_t station;                 /* the guest charged (quota.h) */
	uint64_t last_ms, bytes_out, bytes_in;
};

enum icmp_nat_log {
	ICMP_LOG_NOT_PERMITTED, ICMP_LOG_NO_SOCKET, ICMP_LOG_FULL,
	ICMP_LOG_NOT_PERMITTED6, ICMP_LOG_NO_SOCKET6,
};

struct gw_icmp_nat {
	const struct gw_env *env; /* cfg, policy, tx, arp, stats, loop */
	int mode; /* 0 untried, 1 datagram sockets, 2 raw sockets, -1 none */
	int mode6; /* the same for ICMPv6 */
	uint16_t next_id;
	struct ev_timer sweep;
	struct gw_icmp_flow flows[GW_ICMP_FLOWS];
	uint8_t buf[GW_ICMP_BUF];
	struct log_once logged; /* enum icmp_nat_log */
};

void gw_icmp_nat_init(struct gw_icmp_nat *n, const struct gw_env *env);
void gw_icmp_nat_fini(struct gw_icmp_nat *n);

/* An ICMP message from guest src to dst, not one of our addresses. The
 * IPv4 header was validated; the ICMP checksum is checked here. */
void gw_icmp_nat_input(struct gw_icmp_nat *n, uint32_t src, uint32_t dst, const uint8_t *l4,
		       size_t len, uint64_t now);

/* The same for ICMPv6 from src to dst (the IPv6 header and extension
 * chain were validated; the checksum over the pseudo-header is checked
 * here). */
void gw_icmp_nat_input6(struct gw_icmp_nat *n, const struct in6_addr *src,
			const struct in6_addr *dst, const uint8_t *l4, size_t len, uint64_t now);

void gw_icmp_nat_sweep(struct gw_icmp_nat *n, uint64_t now_ms);
void gw_icmp_nat_walk(const struct gw_icmp_nat *n, uint64_t now_ms, gw_flow_fn fn, void *ctx);

/* Send ICMP type/code from `from` to guest, quoting an IPv4 datagram
 * guest -> orig_dst (proto) whose L4 part starts with l4 (l4_len bytes of
 * it available, l4_total its full length). Counted in icmp_errors_to_guest. */
void gw_icmp_error_to_guest(const struct gw_env *env, uint64_t now, uint8_t type, uint8_t code,
			    uint32_t from, uint32_t guest, uint32_t orig_dst, uint8_t proto,
			    const uint8_t *l4, size_t l4_len, size_t l4_total);

/* The ICMP unreachable code for a sendto() errno, or -1 if none fits. */
int gw_icmp_code_for_errno(int e);

/* ICMPv6 type/code (info: the MTU of a packet too big) from `from` to
 * guest, quoting an IPv6 packet guest -> orig_dst (proto, no extension
 * headers) whose L4 part starts with l4; sent through NDP. Counted in
 * icmp_errors_to_guest. */
void gw_icmp6_error_to_guest(const struct gw_env *env, uint64_t now, uint8_t type,
			     uint8_t code, uint32_t info, const struct in6_addr *from,
			     const struct in6_addr *guest, const struct in6_addr *orig_dst,
			     uint8_t proto, const uint8_t *l4, size_t l4_len, size_t l4_total);

/* The ICMPv6 destination unreachable code for a sendto() errno, or -1. */
int gw_icmp6_code_for_errno(int e);

#endif
