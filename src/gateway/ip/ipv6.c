/* SPDX-License-Identifier: MIT
 *
 * ipv6.c - see ipv6.h.
 */
#include "gateway/ip/ipv6.h"
#include "core/frame.h"

#include <string.h>

/* Options of a hop-by-hop or destination options header (RFC 8200 4.2):
 * each TLV inside the header; an unknown type whose two high bits are not
 * 00 asks the receiver to discard the packet. */
static bool options_ok(const uint8_t *o, size_t len)
{
	size_t i = 2;

	while (i < len) {
		uint8_t t = o[i];

		if (t == 0) { /* Pad1 */
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + o[i + 1] > len)
			return false;
		if (t != 1 && t != 5 && (t & 0xc0)) /* PadN, Router Alert */
			return false;
		i += 2 + (size_t)o[i + 1];
	}
	return true;
}

enum gw_ip6_verdict gw_ip6_walk(uint8_t nh, const uint8_t *p, size_t len, bool first,
				struct gw_ip6_ext *out)
{
	size_t off = 0;
	bool seen_frag = false;

	memset(out, 0, sizeof(*out));
	for (;;) {
		size_t hlen;

		switch (nh) {
		case IP6_NH_HOPOPTS:
		case IP6_NH_ROUTING:
		case IP6_NH_DSTOPTS:
		case IP6_NH_FRAGMENT:
		case IP6_NH_AH:
			break;
		case IP6_NH_NONE:
			out->proto = nh;
			out->off = off;
			return IP6_NO_NEXT;
		default:
			out->proto = nh;
			out->off = off;
			return IP6_OK;
		}
		if (out->n_ext == GW_IP6_MAX_EXT)
			return IP6_EXT_TOO_MANY;
		if (len - off < 8)
			return IP6_TRUNCATED;
		hlen = nh == IP6_NH_FRAGMENT ? 8
		       : nh == IP6_NH_AH    ? ((size_t)p[off + 1] + 2) * 4
					     : ((size_t)p[off + 1] + 1) * 8;
		if (hlen > len - off)
			return IP6_TRUNCATED;
		if (nh == IP6_NH_HOPOPTS && (!first || out->n_ext))
			return IP6_EXT_BAD;
		if ((nh == IP6_NH_HOPOPTS || nh == IP6_NH_DSTOPTS) && !options_ok(p + off, hlen))
			return IP6_EXT_BAD;
		if (nh == IP6_NH_ROUTING && p[off + 3])
			return IP6_EXT_BAD; /* segments left: we route for no one */
		out->n_ext++;
		if (nh == IP6_NH_FRAGMENT) {
			uint16_t fo = rd16be(p + off + 2);

			if (seen_frag)
				return IP6_EXT_BAD;
			seen_frag = true;
			if (fo & 0xfff9) { /* offset or M: a real fragment */
				out->fragment = true;
				out->frag_off = fo & 0xfff8;
				out->frag_more = fo & 1;
				out->frag_id = rd32be(p + off + 4);
				out->frag_hdr_off = off;
				out->proto = p[off];
				out->off = off + 8;
				return IP6_OK;
			}
		}
		nh = p[off];
		off += hlen;
	}
}

enum gw_ip6_verdict gw_ip6_parse(const uint8_t *ip, size_t avail, struct gw_ip6 *out)
{
	size_t plen;

	if (avail < IP6_HDR_LEN)
		return IP6_TRUNCATED;
	if (ip[0] >> 4 != 6)
		return IP6_BAD_VERSION;
	plen = rd16be(ip + 4);
	/* 0 would be a jumbogram (RFC 2675): not on any link of ours. */
	if (!plen || plen > avail - IP6_HDR_LEN)
		return IP6_BAD_LEN;
	memcpy(&out->src, ip + 8, 16);
	memcpy(&out->dst, ip + 24, 16);
	out->hop_limit = ip[7];
	out->payload_len = plen;
	return gw_ip6_walk(ip[6], ip + IP6_HDR_LEN, plen, true, &out->ext);
}

void ip6_solicited_node(struct in6_addr *out, const struct in6_addr *a)
{
	static const uint8_t pfx[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };

	memcpy(out->s6_addr, pfx, 13);
	memcpy(out->s6_addr + 13, a->s6_addr + 13, 3);
}

void ip6_multicast_mac(uint8_t *mac, const struct in6_addr *a)
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, a->s6_addr + 12, 4);
}
