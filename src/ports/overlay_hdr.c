/* SPDX-License-Identifier: MIT
 *
 * overlay_hdr.c - VXLAN and Geneve header codecs (see overlay_hdr.h).
 *
 * Theory of operation: pure functions over bytes. Every read is checked
 * against len before it happens; nothing is trusted from the header's own
 * length fields until it is checked against the packet.
 */
#include "ports/overlay_hdr.h"

#include <string.h>

#define VXLAN_FLAG_I 0x08

static const char *const err_names[OVERLAY_ERR_COUNT] = {
	[OVERLAY_OK] = "ok",
	[OVERLAY_ERR_SHORT] = "short",
	[OVERLAY_ERR_IBIT] = "i-bit",
	[OVERLAY_ERR_RESERVED] = "reserved",
	[OVERLAY_ERR_LAST_BYTE] = "last-byte",
	[OVERLAY_ERR_VERSION] = "version",
	[OVERLAY_ERR_PROTO] = "protocol",
	[OVERLAY_ERR_OAM] = "oam",
	[OVERLAY_ERR_OPTION] = "option-bounds",
	[OVERLAY_ERR_CRITICAL] = "critical",
	[OVERLAY_ERR_VNI] = "unknown-vni",
	[OVERLAY_ERR_RUNT] = "runt",
	[OVERLAY_ERR_TOO_BIG] = "too-big",
};

const char *overlay_err_name(enum overlay_err e)
{
	return (unsigned)e < OVERLAY_ERR_COUNT ? err_names[e] : "?";
}

static void put_vni(uint8_t *p, uint32_t vni)
{
	p[0] = (uint8_t)(vni >> 16);
	p[1] = (uint8_t)(vni >> 8);
	p[2] = (uint8_t)vni;
}

static uint32_t get_vni(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

size_t overlay_encode(enum overlay_proto proto, uint8_t *hdr, uint32_t vni)
{
	memset(hdr, 0, 8);
	if (proto == OVERLAY_VXLAN) {
		hdr[0] = VXLAN_FLAG_I;
	} else {
		/* version 0, no options, O = C = 0 */
		hdr[2] = GENEVE_PROTO_TEB >> 8;
		hdr[3] = GENEVE_PROTO_TEB & 0xff;
	}
	put_vni(hdr + 4, vni & OVERLAY_VNI_MAX);
	return 8;
}

static enum overlay_err vxlan_decode(const uint8_t *p, size_t len, uint32_t *vni,
				     size_t *hdrlen)
{
	if (len < VXLAN_HDR_LEN)
		return OVERLAY_ERR_SHORT;
	if (!(p[0] & VXLAN_FLAG_I))
		return OVERLAY_ERR_IBIT;
	if ((p[0] & ~VXLAN_FLAG_I) || p[1] || p[2] || p[3])
		return OVERLAY_ERR_RESERVED;
	if (p[7])
		return OVERLAY_ERR_LAST_BYTE;
	*vni = get_vni(p + 4);
	*hdrlen = VXLAN_HDR_LEN;
	return OVERLAY_OK;
}

/* Walk the option TLVs in opts[0..len): each is class(16) type(8) R(3)
 * length(5, in 4-byte words) then the data. vmwire understands none, so
 * a critical one (type's high bit) drops the packet. */
static enum overlay_err geneve_options(const uint8_t *opts, size_t len)
{
	size_t off = 0, olen;

	while (off < len) {
		if (len - off < 4)
			return OVERLAY_ERR_OPTION;
		olen = 4 + (size_t)(opts[off + 3] & 0x1f) * 4;
		if (olen > len - off)
			return OVERLAY_ERR_OPTION;
		if (opts[off + 2] & 0x80)
			return OVERLAY_ERR_CRITICAL;
		off += olen;
	}
	return OVERLAY_OK;
}

static enum overlay_err geneve_decode(const uint8_t *p, size_t len, uint32_t *vni,
				      size_t *hdrlen)
{
	size_t optlen;
	enum overlay_err e;

	if (len < GENEVE_HDR_LEN)
		return OVERLAY_ERR_SHORT;
	if (p[0] >> 6)
		return OVERLAY_ERR_VERSION;
	optlen = (size_t)(p[0] & 0x3f) * 4;
	if (optlen > len - GENEVE_HDR_LEN)
		return OVERLAY_ERR_SHORT;
	if (((unsigned)p[2] << 8 | p[3]) != GENEVE_PROTO_TEB)
		return OVERLAY_ERR_PROTO;
	if (p[1] & 0x80)
		return OVERLAY_ERR_OAM;
	e = geneve_options(p + GENEVE_HDR_LEN, optlen);
	if (e != OVERLAY_OK)
		return e;
	/* C set with no critical option found is a sender that lies about
	 * its options: still drop, the bit says "do not process blind". */
	if (p[1] & 0x40)
		return OVERLAY_ERR_CRITICAL;
	*vni = get_vni(p + 4);
	*hdrlen = GENEVE_HDR_LEN + optlen;
	return OVERLAY_OK;
}

enum overlay_err overlay_decode(enum overlay_proto proto, const uint8_t *pkt, size_t len,
				uint32_t *vni, size_t *hdrlen)
{
	return proto == OVERLAY_VXLAN ? vxlan_decode(pkt, len, vni, hdrlen)
				      : geneve_decode(pkt, len, vni, hdrlen);
}
