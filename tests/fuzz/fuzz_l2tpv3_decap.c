/* SPDX-License-Identifier: MIT
 *
 * fuzz_l2tpv3_decap.c - libFuzzer target for the L2TPv3 decapsulator
 * (ports/l2tpv3_codec.c), what every packet on a -netdev l2tpv3 socket
 * goes through.
 *
 * Theory of operation: the input is a configuration and one packet:
 *
 *   byte 0      bit 0: udp=on; bit 1: the packet starts with an IPv4
 *               header (a raw IPv4 socket); bits 2..3: cookie 0, 4, 8, 8
 *               bytes; bit 4: counter=on; bit 5: pincounter=on
 *   byte 1      offset= (0..255)
 *   4 bytes     rxsession, big endian
 *   8 bytes     rxcookie, big endian (the low 32 bits for a 4-byte cookie)
 *   the rest    the packet as the socket hands it over
 *
 * Beyond "no crash": a packet accepted as a frame lies inside the input,
 * is at least one byte, ends the packet, starts at or after the full
 * header, and carries the configured session (and cookie) at the offsets
 * the encoder writes them. Then the same parameters used for sending
 * (tx = rx) must encapsulate the frame so that decapsulation gives back
 * exactly that frame.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ports/l2tpv3_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t be(const uint8_t *b, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *b++;
	return v;
}

static uint8_t pkt[L2TPV3_HDR_MAX + 70000];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned cookie_lens[4] = { 0, 4, 8, 8 };
	struct l2tpv3_params p = { 0 };
	size_t off = 0, len = 0, hl, ihl = 0, o2 = 0, l2 = 0, n;
	const uint8_t *in;
	bool ipv4_raw;

	if (size < 14)
		return 0;
	p.udp = data[0] & 1;
	ipv4_raw = data[0] & 2;
	p.cookie_len = cookie_lens[(data[0] >> 2) & 3];
	p.counter = data[0] & 0x10;
	p.pin_counter = p.counter && (data[0] & 0x20);
	p.offset = data[1];
	p.rx_session = p.tx_session = (uint32_t)be(data + 2, 4);
	p.rx_cookie = be(data + 6, 8);
	if (p.cookie_len == 4)
		p.rx_cookie &= 0xffffffffu;
	p.tx_cookie = p.rx_cookie;
	in = data + 14;
	size -= 14;
	hl = l2tpv3_header_len(&p);

	if (l2tpv3_decap(&p, ipv4_raw, in, size, &off, &len) != L2TPV3_OK)
		return 0;
	if (ipv4_raw)
		ihl = (size_t)(in[0] & 0x0f) * 4;
	if (len == 0 || off + len != size || off < ihl + hl)
		abort();
	if (be(in + ihl + (p.udp ? 4 : 0), 4) != p.rx_session)
		abort();
	if (p.cookie_len && be(in + ihl + (p.udp ? 8 : 4), p.cookie_len) != p.rx_cookie)
		abort();

	/* round trip through the encoder */
	if (len > sizeof(pkt) - L2TPV3_HDR_MAX)
		return 0;
	n = l2tpv3_encap(&p, 7, pkt);
	if (n != hl)
		abort();
	memcpy(pkt + n, in + off, len);
	if (l2tpv3_decap(&p, false, pkt, n + len, &o2, &l2) != L2TPV3_OK || o2 != hl ||
	    l2 != len || memcmp(pkt + o2, in + off, len))
		abort();
	return 0;
}
