/* SPDX-License-Identifier: MIT
 *
 * tcp_segment.h - parsing guest TCP segments and building ours.
 *
 * Theory of operation: tcp_seg_parse() checks a guest segment completely
 * before anyone reads a field: header length against the segment, the
 * checksum over pseudo-header and payload, flag combinations no real stack
 * sends. A segment that came with offload metadata (GW_TCP_IN_* in how,
 * tcp.h) is one whose checksum the sender left to the receiver: its
 * field holds only a pseudo-header sum, so it is not verified; gateway.c
 * has checked that the metadata points at this very segment's checksum.
 * A TSO superframe (GW_TCP_IN_GSO) is taken as one segment of up to 64 KiB:
 * its header's flags are what the merged segments carry (FIN and PSH of
 * the last, CWR of the first), but SYN and RST never come segmented from
 * a real stack, so such a frame is refused. Options are walked with every length checked; MSS, window
 * scale and SACK-permitted are taken only from SYNs, SACK blocks (RFC 2018)
 * only from other segments, a block count that does not match the option
 * length dropping the option; MSS and window scale are clamped (MSS 0 becomes 536, a shift
 * above 14 becomes 14, RFC 7323). The urgent pointer is ignored: URG data
 * is delivered inline, as Linux does by default, so a pointer beyond the
 * data cannot point anywhere.
 *
 * tcp_seg_build() writes Ethernet, IPv4 and TCP headers in front of a
 * payload already placed at OFF_TCP_DATA (+ option bytes for SYNs), so data
 * read from a socket is never copied. The checksum is summed a word at a
 * time in host order and folded once: the one's complement sum does not
 * care about byte order, so this is RFC 1071 without the byte loop.
 */
#ifndef VMWIRE_GATEWAY_TCP_SEGMENT_H
#define VMWIRE_GATEWAY_TCP_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"
#include "core/inany.h"
#include "gateway/pkt.h"

#define IPPROTO_TCP_ 6
#define TCP_HDR_LEN 20
#define OFF_TCP_DATA (OFF_L4 + TCP_HDR_LEN)
#define OFF_TCP6_DATA (OFF_L4_6 + TCP_HDR_LEN) /* the same behind an IPv6 header */
#define TCP_SYN_OPT_LEN 8 /* MSS (4) + NOP + window scale (3) */
#define TCP_DEFAULT_MSS 536
#define TCP_MAX_SACK 4     /* SACK blocks in 40 option bytes (2 + 4 * 8) */

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

struct gw_tcp_stats;

struct tcp_seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t wnd;       /* unscaled, as on the wire */
	uint16_t mss;       /* SYN: clamped MSS option, 0 if absent */
	int ws;             /* SYN: window shift, -1 if absent */
	bool sack_ok;       /* SYN: SACK-permitted option (RFC 2018) */
	uint8_t nsack;      /* not SYN: SACK blocks in sack[] */
	uint32_t sack[TCP_MAX_SACK][2]; /* [left, right) as on the wire */
	const uint8_t *data;
	size_t len;         /* payload bytes */
};

/* 0 and *s filled, or -1 with the reason counted. how: GW_TCP_IN_* (tcp.h). */
int tcp_seg_parse(struct tcp_seg *s, const union inany_addr *src, const union inany_addr *dst,
		  const uint8_t *l4, size_t len, unsigned how, struct gw_tcp_stats *st);

/* Where a segment's frame goes; IPv6 when the addresses are not v4-mapped,
 * and then the TCP header sits at OFF_L4_6 and the data at OFF_TCP6_DATA
 * (every "OFF_TCP_DATA" below means tcp_data_off() of the family). */
struct tcp_seg_addr {
	const uint8_t *dmac, *smac;
	union inany_addr src, dst;
	uint16_t sport, dport;
};

static inline size_t tcp_data_off(const union inany_addr *a)
{
	return inany_is_v4(a) ? OFF_TCP_DATA : OFF_TCP6_DATA;
}

/* IPv4 or IPv6 header bytes in front of TCP, for MSS arithmetic. */
static inline size_t tcp_ip_hdr_len(const union inany_addr *a)
{
	return inany_is_v4(a) ? IP_HDR_LEN : IP6_HDR_LEN_;
}

/* The most TCP payload one frame of mtu bytes carries for a flow of a's
 * family: the MSS we announce, and the cap on the guest's. */
static inline uint16_t tcp_mtu_mss(unsigned mtu, const union inany_addr *a)
{
	return (uint16_t)(mtu - tcp_ip_hdr_len(a) - TCP_HDR_LEN);
}

/* Headers around data_len bytes at f + OFF_TCP_DATA (after TCP_SYN_OPT_LEN
 * option bytes when flags has TH_SYN: MSS mss, window shift ws). Returns
 * the frame length. */
size_t tcp_seg_build(uint8_t *f, const struct tcp_seg_addr *a, uint32_t seq, uint32_t ack,
		     uint8_t flags, uint16_t wnd, uint16_t mss, int ws, size_t data_len);

/* Headers with the option bytes opt (optlen, a multiple of 4, at most 40:
 * SYN options with SACK-permitted, SACK blocks in an ACK) around data_len
 * bytes at f + OFF_TCP_DATA + optlen. Returns the frame length. */
size_t tcp_seg_build_opt(uint8_t *f, const struct tcp_seg_addr *a, uint32_t seq, uint32_t ack,
			 uint8_t flags, uint16_t wnd, const uint8_t *opt, size_t optlen,
			 size_t data_len);

/* The same for a data segment whose receiver completes the checksum
 * (CHECKSUM_PARTIAL, offload.h): the TCP checksum field gets only the
 * pseudo-header sum, so the payload is never read here. The caller hands
 * the frame on with OFFLOAD_F_CSUM, csum_start OFF_L4, csum_offset 16. */
size_t tcp_seg_build_partial(uint8_t *f, const struct tcp_seg_addr *a, uint32_t seq,
			     uint32_t ack, uint8_t flags, uint16_t wnd, size_t data_len);

/* Host-order word sum of p, folded to 16 bits and returned in network
 * order, ready to add to a big-endian partial sum. */
uint32_t tcp_csum_fast(const uint8_t *p, size_t len, uint32_t sum);

#endif
