/* SPDX-License-Identifier: MIT
 *
 * stats.h - the gateway's counters, one per drop reason and per answer.
 *
 * Theory of operation: every frame the gateway ignores is counted under
 * exactly one named reason, so "why did my guest get no answer" is a
 * monitor query, not a debugging session. The X-macro keeps the struct,
 * and the name table the monitor prints, in one place. A service may
 * keep counters of its own instead (service.h); they print after these.
 */
#ifndef VMWIRE_GATEWAY_STATS_H
#define VMWIRE_GATEWAY_STATS_H

#include <stdint.h>

#define GW_STATS(X)                                                            \
	X(frames_in) X(not_for_us) X(bad_ethertype) X(tx_ring_full) X(tx_too_big) \
	X(arp_truncated) X(arp_bad) X(arp_replies) X(arp_requests)             \
	X(arp_learned) X(arp_pending_dropped) X(arp_ignored) X(arp_spoofed)    \
	X(ip_truncated) X(ip_bad_version) X(ip_bad_ihl) X(ip_bad_len)           \
	X(ip_bad_csum) X(ip_fragments) X(ip_bad_src) X(ip_restricted)           \
	X(ip_unhandled)                                                         \
	X(udp_truncated) X(udp_bad_len) X(udp_bad_csum) X(udp_unhandled)        \
	X(icmp_truncated) X(icmp_bad_csum) X(icmp_echo_replies) X(icmp_unhandled) \
	X(dhcp_truncated) X(dhcp_bad_options) X(dhcp_bad_header)                \
	X(dhcp_no_type) X(dhcp_pool_full) X(dhcp_offers) X(dhcp_acks)           \
	X(dhcp_naks) X(dhcp_releases) X(dhcp_declines) X(dhcp_informs)          \
	X(dhcp_ignored) X(dhcp_port_full) X(dhcp_foreign) X(ip_spoofed)        \
	X(dns_malformed) X(dns_queries) X(dns_builtin) X(dns_forwarded)         \
	X(dns_answers) X(dns_timeouts) X(dns_failovers) X(dns_table_full)       \
	X(dns_bad_reply) X(dns_restricted) X(dns_truncated_replies)             \
	X(dns_no_upstream) X(dns_send_errors)                                  \
	X(nat_denied) X(udp_nat_out) X(udp_nat_in) X(udp_flows_full)           \
	X(udp_too_big) X(udp_send_errors) X(udp_bad_peer) X(udp_flows_expired) \
	X(udp_filtered)                                                         \
	X(icmp_nat_out) X(icmp_nat_in) X(icmp_flows_full) X(icmp_send_errors)  \
	X(icmp_errors_to_guest) X(hostfwd_in) X(hostfwd_out) X(hostfwd_drops) \
	X(ip_frag_reassembled) X(ip_frag_dups) X(ip_frag_overlaps)             \
	X(ip_frag_bad) X(ip_frag_too_many) X(ip_frag_pool_full)                \
	X(ip_frag_timeouts) X(ip_frag_out) X(offload_bad)                     \
	X(ip_ttl_exceeded) X(ip_ttl_ratelimited)                                 \
	X(dhcp_hostname_taken)                                                  \
	GW_STATS6(X)

/* IPv6 dispatch (gateway.c, gateway/ip/ipv6.h); NDP, ICMPv6 and DHCPv6
 * keep their own (service.h). */
#define GW_STATS6(X)                                                           \
	X(ip6_off) X(ip6_truncated) X(ip6_bad_len) X(ip6_ext_too_many)          \
	X(ip6_ext_bad) X(ip6_no_next) X(ip6_bad_src) X(ip6_not_for_us)          \
	X(ip6_fragments) X(ip6_restricted) X(ip6_unhandled) X(udp6_bad_csum)   \
	X(ip6_hop_exceeded) X(ip6_hop_ratelimited) X(ip6_too_big_to_guest)      \
	X(ip6_frag_out)

struct gw_stats {
#define GW_STAT_FIELD(n) uint64_t n;
	GW_STATS(GW_STAT_FIELD)
#undef GW_STAT_FIELD
};

/* One named counter, for walks that print them (gateway_walk_counters(),
 * a service's own counters in service.h). */
typedef void (*gw_counter_fn)(void *ctx, const char *name, uint64_t value);

#endif
