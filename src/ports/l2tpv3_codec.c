/* SPDX-License-Identifier: MIT
 *
 * l2tpv3_codec.c - build and check L2TPv3 data headers (see l2tpv3_codec.h).
 *
 * Theory of operation: the header layout is fixed by the configuration, so
 * encapsulation writes the same bytes every time except the counter, and
 * decapsulation compares fields at offsets known up front. Every length is
 * checked before a field is read: the packet comes from the network.
 *
 * Receive is stricter than QEMU in two ways that cannot reject anything
 * QEMU sends: in UDP mode the first word must say "data, version 3" (QEMU
 * skips it), and a raw IPv4 packet's header length is taken from its IHL
 * instead of assuming 20 bytes. Like QEMU, the cookie and session must
 * match and the counter is not checked.
 */
#include "ports/l2tpv3_codec.h"

#include <string.h>

const char *const l2tpv3_verdict_names[L2TPV3_VERDICTS] = {
	[L2TPV3_OK] = "ok",
	[L2TPV3_TRUNCATED] = "truncated",
	[L2TPV3_NOT_DATA] = "not data",
	[L2TPV3_BAD_SESSION] = "wrong session",
	[L2TPV3_BAD_COOKIE] = "wrong cookie",
	[L2TPV3_EMPTY] = "empty",
	[L2TPV3_BAD_IP] = "bad IPv4 header",
};

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

size_t l2tpv3_header_len(const struct l2tpv3_params *p)
{
	return (p->udp ? 4 : 0) + 4 + p->cookie_len + (p->counter ? 4 : 0) + p->offset;
}

size_t l2tpv3_encap(const struct l2tpv3_params *p, uint32_t seq, uint8_t *hdr)
{
	size_t n = 0;

	if (p->udp) {
		put32(hdr, L2TPV3_DATA_WORD);
		n += 4;
	}
	put32(hdr + n, p->tx_session);
	n += 4;
	if (p->cookie_len == 8) {
		put32(hdr + n, (uint32_t)(p->tx_cookie >> 32));
		put32(hdr + n + 4, (uint32_t)p->tx_cookie);
	} else if (p->cookie_len == 4) {
		put32(hdr + n, (uint32_t)p->tx_cookie);
	}
	n += p->cookie_len;
	if (p->counter) {
		put32(hdr + n, p->pin_counter ? 0 : seq);
		n += 4;
	}
	memset(hdr + n, 0, p->offset);
	return n + p->offset;
}

enum l2tpv3_verdict l2tpv3_decap(const struct l2tpv3_params *p, bool ipv4_raw,
				 const uint8_t *pkt, size_t len, size_t *frame_off,
				 size_t *frame_len)
{
	size_t off = 0, hl = l2tpv3_header_len(p);
	uint64_t cookie;

	if (ipv4_raw) {
		size_t ihl;

		if (len < 20)
			return L2TPV3_TRUNCATED;
		ihl = (size_t)(pkt[0] & 0x0f) * 4;
		if (pkt[0] >> 4 != 4 || ihl < 20)
			return L2TPV3_BAD_IP;
		if (len < ihl)
			return L2TPV3_TRUNCATED;
		off = ihl;
	}
	if (len - off < hl)
		return L2TPV3_TRUNCATED;
	if (p->udp) {
		/* T bit (0x8000 of the first half) clear and version 3; the
		 * other bits are reserved, ignored on receipt (RFC 3931 4.1.2.1) */
		if ((get32(pkt + off) & 0x800f0000u) != L2TPV3_DATA_WORD)
			return L2TPV3_NOT_DATA;
		off += 4;
	}
	if (get32(pkt + off) != p->rx_session)
		return L2TPV3_BAD_SESSION;
	off += 4;
	if (p->cookie_len) {
		cookie = get32(pkt + off);
		if (p->cookie_len == 8)
			cookie = cookie << 32 | get32(pkt + off + 4);
		if (cookie != p->rx_cookie)
			return L2TPV3_BAD_COOKIE;
		off += p->cookie_len;
	}
	off += (p->counter ? 4 : 0) + p->offset;
	if (off == len)
		return L2TPV3_EMPTY;
	*frame_off = off;
	*frame_len = len - off;
	return L2TPV3_OK;
}
