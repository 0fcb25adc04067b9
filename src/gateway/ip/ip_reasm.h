/* SPDX-License-Identifier: MIT
 *
 * ip_reasm.h - reassembly of the guests' IPv4 and IPv6 fragments.
 *
 * Theory of operation: a guest whose datagram exceeds its MTU (ping -s
 * 4000, a large UDP send) hands us fragments; the gateway reassembles them
 * and dispatches the whole datagram exactly like an unfragmented one. The
 * fragments come from a possibly hostile guest, and fragment reassembly is
 * where user-mode stacks historically broke (libslirp's ip_reass CVEs), so
 * every rule here is about saying no early:
 *
 *   - a fixed pool of max-frags datagram slots, each with a buffer for the
 *     largest legal datagram, allocated once at init: no allocation per
 *     packet; a new datagram when every slot is busy is dropped, counted,
 *     and logged once;
 *   - a fragment must lie inside a 65535-byte datagram (offset + length +
 *     header), non-last fragments carry a multiple of 8 bytes, the last
 *     one fixes the total and nothing may end beyond it;
 *   - an exact duplicate of a fragment is ignored (networks do duplicate);
 *     any other overlap drops the whole datagram (RFC 5722 style), as does
 *     a TCP fragment at offset 8 (RFC 1858);
 *   - a first fragment too short to hold its whole L4 header (UDP/ICMP 8,
 *     TCP 20 bytes) drops the datagram: policy and NAT decisions are made
 *     on those headers, they must not be split;
 *   - at most GW_REASM_MAX_FRAGS fragments per datagram;
 *   - a datagram not complete GW_REASM_TIMEOUT_MS after its first fragment
 *     is dropped, checked lazily on every fragment and by gw_reasm_sweep().
 *
 * Since overlaps are refused, "received bytes == total" means complete.
 */
#ifndef VMWIRE_GATEWAY_IP_REASM_H
#define VMWIRE_GATEWAY_IP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/inany.h"
#include "core/log.h"

struct gw_stats;
struct gw_quota;

#define GW_REASM_MAX_FRAGS 64
#define GW_REASM_TIMEOUT_MS 30000
#define GW_REASM_MAX_DGRAM 65535 /* IPv4 total length, header included */

struct gw_reasm_frag {
	uint16_t off, len; /* payload bytes */
};

struct gw_reasm_slot {
	bool used;
	uint8_t proto;
	uint32_t id;       /* IPv4's 16 bits, IPv6's 32 */
	union inany_addr src, dst;
	uint32_t have;     /* payload bytes received */
	uint32_t total;    /* payload length once the last fragment came, else 0 */
	uint64_t first_ms;
	uint32_t station;  /* the guest charged (quota.h); part of the key */
	unsigned nfrags;
	struct gw_reasm_frag frags[GW_REASM_MAX_FRAGS];
	uint8_t *buf;      /* GW_REASM_MAX_DGRAM bytes, part of one allocation */
};

enum reasm_log { REASM_LOG_FULL };

struct gw_reasm {
	struct gw_stats *stats;
	unsigned nslots, used;
	struct gw_reasm_slot *slots;
	uint8_t *mem;
	struct gw_quota *quota; /* NULL: no per-guest shares */
	struct log_once logged; /* enum reasm_log */
};

/* nslots 0 disables reassembly: every fragment is dropped (and counted in
 * ip_fragments only). 0, or -1 on out of memory. */
int gw_reasm_init(struct gw_reasm *r, unsigned nslots, struct gw_stats *stats);
void gw_reasm_fini(struct gw_reasm *r);
/* Share the slots between guests (quota.h). A slot belongs to the port
 * the first fragment came from: fragments from another port never join
 * it, so a guest cannot spoil a neighbour's datagram by sending a
 * fragment with its address and IP ID. */
void gw_reasm_set_quota(struct gw_reasm *r, struct gw_quota *q);

/* ip: a fragment's IPv4 header (ihl bytes, already validated: version,
 * checksum, tot bytes present). Returns the reassembled L4 payload and
 * its length in *len once the datagram is complete, or NULL. The pointer
 * is valid until the next call. */
const uint8_t *gw_reasm_input(struct gw_reasm *r, const uint8_t *ip, size_t ihl,
			      size_t tot, uint64_t now_ms, size_t *len);

/* The same for an IPv6 fragment (ipv6.h parsed its header): the
 * fragmentable part's plen bytes at byte offset off, nh the fragment
 * header's next header, unfrag_len the bytes in front of the fragment
 * header (fixed header + unfragmentable extension headers). The pool,
 * limits and counters are the IPv4 ones: max-frags covers both. */
const uint8_t *gw_reasm_input6(struct gw_reasm *r, const struct in6_addr *src,
			       const struct in6_addr *dst, uint32_t id, uint8_t nh, size_t off,
			       bool more, const uint8_t *payload, size_t plen, size_t unfrag_len,
			       uint64_t now_ms, size_t *len);

/* Drop datagrams older than GW_REASM_TIMEOUT_MS as of now_ms. */
void gw_reasm_sweep(struct gw_reasm *r, uint64_t now_ms);

#endif
