/* SPDX-License-Identifier: MIT
 *
 * tcp.h - the gateway's TCP engine: guest TCP connections translated to
 * host sockets and back, without a TCP stack of our own.
 *
 * Theory of operation (as passt's tcp.c, split by concern): each guest
 * connection is one flow bound to one host socket. The host kernel does
 * the real TCP towards the destination; we only translate:
 *
 *   guest SYN           -> non-blocking connect(); SYN-ACK once it succeeds,
 *                          RST (refused) or ICMP unreachable when it fails
 *   guest data          -> send() on the socket; we ACK only what the socket
 *                          took, so a full socket makes the guest retransmit;
 *                          data after a gap waits in a bounded out-of-order
 *                          queue (tcp_ooo.h) and is SACKed (RFC 2018)
 *   host data           -> recv(MSG_PEEK) at SO_PEEK_OFF: bytes stay in the
 *                          kernel until the guest ACKs them (then discarded),
 *                          so retransmitting is peeking again: only the
 *                          holes the guest's SACK blocks show
 *   FIN / RST           -> shutdown(SHUT_WR) / EOF, linger-0 close / RST
 *
 * Host data is never buffered by us, and guest data only out of order, in
 * one pool of chunks allocated at startup (max-ooo-kib): a flow costs a
 * fixed slot (tcp_flow.h). Files: tcp_flow.c (table, hash, deferred-work
 * list, ISN), tcp_segment.c (parse and build segments, options,
 * checksums), tcp_conn.c (handshakes, teardown, timers, entry points),
 * tcp_data.c (data both ways), tcp_loss.c (loss recovery and congestion
 * control towards the guest: tcp_sack.c the SACK scoreboard, tcp_rack.c
 * RACK-TLP's send times, tcp_cc.c the NewReno window), tcp_ack.c (delayed
 * ACKs: a small guest segment's ACK rides on the reply), tcp_ooo.c (the
 * out-of-order queue), tcp_fwd.c (hostfwd=tcp: connections hostfwd.c
 * accepted become flows opened towards the guest).
 *
 * Frames to the guest are not queued in the gateway's small reply ring:
 * from socket callbacks and timers (never from inside transmit()) they go
 * straight to port_receive(), many per wakeup. What a guest segment asks
 * for inside transmit() (ACKs, more data) is deferred to a 0 ms timer, which
 * also coalesces ACKs for a burst of guest segments into one.
 */
#ifndef VMWIRE_GATEWAY_TCP_H
#define VMWIRE_GATEWAY_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/gateway.h"

struct gw_env;
struct gw_tcp;

#define GW_TCP_STATS(X)                                                        \
	X(segs_in) X(truncated) X(bad_offset) X(bad_csum) X(bad_flags)          \
	X(no_flow) X(table_full) X(socket_errors) X(denied) X(refused)         \
	X(unreachable) X(connects) X(established) X(accepted) X(closed)         \
	X(rst_from_guest) X(rst_to_guest) X(ooo_dropped) X(bad_ack)             \
	X(retransmits) X(fast_retransmits) X(timeouts) X(segs_out)             \
	X(bytes_to_host) X(bytes_to_guest)                                     \
	X(ooo_queued) X(ooo_dups) X(ooo_delivered) X(ooo_pool_full)            \
	X(ooo_flow_full) X(sack_rtx) X(dsacks) X(room_waits) X(room_resumes)   \
	X(challenge_acks) X(tlp_probes) X(space_asks)

struct gw_tcp_stats {
#define GW_TCP_STAT_FIELD(n) uint64_t n;
	GW_TCP_STATS(GW_TCP_STAT_FIELD)
#undef GW_TCP_STAT_FIELD
};

/* env->loop is required: the engine lives on sockets. env->port is where
 * frames to the guest enter the fabric. env->hostfwd (may be NULL) hands
 * us the connections accepted on hostfwd=tcp rules; env->dns (may be
 * NULL) names the upstream DNS over TCP goes to. Returns NULL (errno set)
 * on failure. */
struct gw_tcp *gw_tcp_new(const struct gw_env *env);
void gw_tcp_free(struct gw_tcp *t);

/* gw_tcp_input() how: the segment came with offload metadata (gateway.c
 * checked it points at this segment's TCP checksum). CSUM_PARTIAL: the
 * checksum field holds only the pseudo-header sum, not verified. GSO: a
 * TSO superframe taken as one segment (its checksum is partial too). */
#define GW_TCP_IN_CSUM_PARTIAL 0x1u
#define GW_TCP_IN_GSO 0x2u

/* A TCP segment (l4, len bytes, IPv4 header already validated) from the
 * guest src (MAC smac) to dst; how: GW_TCP_IN_* or 0 for a plain frame.
 * Called from transmit(): never emits directly. */
/* An IPv6 segment (gateway.c walked its headers; checksum not verified,
 * no offload: IPv6 TSO is not advertised). */
void gw_tcp_input6(struct gw_tcp *t, const uint8_t *smac, const union inany_addr *src,
		   const union inany_addr *dst, const uint8_t *l4, size_t len, uint64_t now);
void gw_tcp_input(struct gw_tcp *t, const uint8_t *smac, uint32_t src, uint32_t dst,
		  const uint8_t *l4, size_t len, unsigned how, uint64_t now);

/* The fabric has room again towards the guest (the gateway port's resume):
 * push the flows that waited for it. t may be NULL. */
void gw_tcp_resume(struct gw_tcp *t);

/* One gw_flow_info row per flow for "info usernet" (gateway.h). */
void gw_tcp_walk_flows(const struct gw_tcp *t, uint64_t now_ms, gw_flow_fn fn, void *ctx);
const struct gw_tcp_stats *gw_tcp_stats(const struct gw_tcp *t);
unsigned gw_tcp_count(const struct gw_tcp *t);

#endif
