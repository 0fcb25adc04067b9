/* SPDX-License-Identifier: MIT
 *
 * icmp6.h - ICMPv6 echo answered by the gateway itself (RFC 4443 4.2).
 *
 * Theory of operation: an echo request to ipv6-host, ipv6-dns or their
 * fe80:: forms never leaves the process: its checksum (with the IPv6
 * pseudo-header) is verified and its identifier, sequence and data go back
 * in an echo reply from the address it was sent to, to the MAC it came
 * from. A reply that would not fit one frame of the gateway's MTU is
 * dropped and counted: echo replies are never fragmented (a guest pinging
 * with more than its MTU gets a smaller answer from its own stack's path
 * MTU logic); translated UDP is (ip_frag.h). Echo requests to
 * multicast groups are not answered (no amplification on the LAN). Other
 * ICMPv6 from the guest (echo to elsewhere, errors) is the NAT's.
 */
#ifndef VMWIRE_GATEWAY_ICMP6_H
#define VMWIRE_GATEWAY_ICMP6_H

#include <stdint.h>

#include "gateway/stats.h"

struct gw_env;

#define GW_ICMP6_COUNTERS(X)                                                   \
	X(icmp6_truncated) X(icmp6_bad_csum) X(icmp6_echo_replies) X(icmp6_too_big)

struct gw_icmp6 {
	const struct gw_env *env;
#define GW_ICMP6_FIELD(n) uint64_t n;
	GW_ICMP6_COUNTERS(GW_ICMP6_FIELD)
#undef GW_ICMP6_FIELD
};

void gw_icmp6_init(struct gw_icmp6 *ic, const struct gw_env *env);

extern const struct gw_service gw_icmp6_service;

#endif
