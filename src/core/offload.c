/* SPDX-License-Identifier: MIT
 *
 * offload.c - offload metadata: conversion, validation, software checksum
 * and segmentation, see offload.h.
 *
 * Everything here is a pure function of its arguments. The header parser
 * is shared by the validator and the segmenter, so the segmenter re-derives
 * every offset from the bytes it copies instead of trusting metadata that
 * may have been shifted by a VLAN rewrite on the way.
 */
#include "core/offload.h"
#include "core/frame.h"

#include <linux/virtio_net.h>
#include <string.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define PROTO_TCP 6
#define PROTO_UDP 17

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

/* ---- checksums ---------------------------------------------------------- */

uint32_t offload_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = 0;
	uint32_t w;
	uint16_t h;

	/* Native-order words, swapped once at the end (RFC 1071 1.2.B). */
	for (; len >= 4; p += 4, len -= 4) {
		memcpy(&w, p, 4);
		s += w;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		s += h;
		p += 2;
		len -= 2;
	}
	if (len) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		s += *p;
#else
		s += (uint32_t)*p << 8;
#endif
	}
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	h = (uint16_t)s;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	h = (uint16_t)(h >> 8 | h << 8);
#endif
	return sum + h;
}

uint16_t offload_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ---- conversion ----------------------------------------------------------- */

static uint16_t le16_get(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | b[1] << 8);
}

static void le16_put(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

int offload_from_vnet(struct frame_offload *m, const struct virtio_net_hdr *h)
{
	uint8_t gso = h->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;

	memset(m, 0, sizeof(*m));
	/* DATA_VALID only says the checksum was already checked. */
	if (h->flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID))
		return -1;
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		m->flags |= OFFLOAD_F_CSUM;
		m->csum_start = le16_get(&h->csum_start);
		m->csum_offset = le16_get(&h->csum_offset);
	}
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return 0; /* ECN alone means nothing */
	case VIRTIO_NET_HDR_GSO_TCPV4:
		m->gso_type = OFFLOAD_GSO_TCPV4;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		m->gso_type = OFFLOAD_GSO_TCPV6;
		break;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		m->gso_type = OFFLOAD_GSO_UDP_L4;
		break;
	default:
		return -1; /* UFO and anything newer */
	}
	if (h->gso_type & VIRTIO_NET_HDR_GSO_ECN)
		m->flags |= OFFLOAD_F_ECN;
	m->hdr_len = le16_get(&h->hdr_len);
	m->gso_size = le16_get(&h->gso_size);
	return 0;
}

void offload_to_vnet(struct virtio_net_hdr *h, const struct frame_offload *m)
{
	static const uint8_t types[] = {
		[OFFLOAD_GSO_NONE] = VIRTIO_NET_HDR_GSO_NONE,
		[OFFLOAD_GSO_TCPV4] = VIRTIO_NET_HDR_GSO_TCPV4,
		[OFFLOAD_GSO_TCPV6] = VIRTIO_NET_HDR_GSO_TCPV6,
		[OFFLOAD_GSO_UDP_L4] = VIRTIO_NET_HDR_GSO_UDP_L4,
	};

	memset(h, 0, sizeof(*h));
	if (!m)
		return;
	if (m->flags & OFFLOAD_F_CSUM) {
		h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		le16_put(&h->csum_start, m->csum_start);
		le16_put(&h->csum_offset, m->csum_offset);
	}
	if (m->gso_type == OFFLOAD_GSO_NONE || m->gso_type >= sizeof(types))
		return;
	h->gso_type = types[m->gso_type];
	if (m->flags & OFFLOAD_F_ECN)
		h->gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	le16_put(&h->hdr_len, m->hdr_len);
	le16_put(&h->gso_size, m->gso_size);
}

uint32_t offload_needs(const struct frame_offload *m)
{
	uint32_t need = 0;

	if (!m)
		return 0;
	if (m->flags & OFFLOAD_F_CSUM)
		need |= OFFLOAD_CAP_CSUM;
	switch (m->gso_type) {
	case OFFLOAD_GSO_TCPV4:
		need |= OFFLOAD_CAP_TSO4;
		break;
	case OFFLOAD_GSO_TCPV6:
		need |= OFFLOAD_CAP_TSO6;
		break;
	case OFFLOAD_GSO_UDP_L4:
		need |= OFFLOAD_CAP_USO;
		break;
	}
	if (m->gso_type != OFFLOAD_GSO_NONE && m->flags & OFFLOAD_F_ECN)
		need |= OFFLOAD_CAP_TSO_ECN;
	return need;
}

/* ---- header parsing -------------------------------------------------------- */

struct hdrs {
	size_t l3, l4, end; /* offsets of IP and L4 headers, end of headers */
	bool v6;
	uint8_t proto;
};

static size_t l2_len(const uint8_t *f, size_t len)
{
	if (len >= ETH_HDR_LEN + VLAN_TAG_LEN && rd16be(f + 12) == ETHERTYPE_VLAN)
		return ETH_HDR_LEN + VLAN_TAG_LEN;
	return ETH_HDR_LEN;
}

/* The headers of a GSO frame of type gso: IPv4 without fragmentation or
 * IPv6 without extension headers, then TCP or UDP. */
static bool parse_gso(uint8_t gso, const uint8_t *f, size_t len, struct hdrs *h)
{
	uint16_t et;
	size_t ihl;
	uint8_t want = gso == OFFLOAD_GSO_UDP_L4 ? PROTO_UDP : PROTO_TCP;

	if (len < ETH_HDR_LEN)
		return false;
	h->l3 = l2_len(f, len);
	et = rd16be(f + h->l3 - 2);
	if (et == ETHERTYPE_IPV4 && gso != OFFLOAD_GSO_TCPV6) {
		if (len < h->l3 + 20 || f[h->l3] >> 4 != 4)
			return false;
		ihl = (size_t)(f[h->l3] & 0x0f) * 4;
		/* A fragment can't be segmented: MF or an offset. */
		if (ihl < 20 || len < h->l3 + ihl || rd16be(f + h->l3 + 6) & 0x3fff)
			return false;
		h->v6 = false;
		h->proto = f[h->l3 + 9];
		h->l4 = h->l3 + ihl;
	} else if (et == ETHERTYPE_IPV6 && gso != OFFLOAD_GSO_TCPV4) {
		if (len < h->l3 + 40 || f[h->l3] >> 4 != 6)
			return false;
		h->v6 = true;
		h->proto = f[h->l3 + 6];
		h->l4 = h->l3 + 40;
	} else {
		return false;
	}
	if (h->proto != want)
		return false;
	if (want == PROTO_TCP) {
		size_t doff;

		if (len < h->l4 + 20)
			return false;
		doff = (size_t)(f[h->l4 + 12] >> 4) * 4;
		if (doff < 20 || len < h->l4 + doff)
			return false;
		h->end = h->l4 + doff;
	} else {
		if (len < h->l4 + 8)
			return false;
		h->end = h->l4 + 8;
	}
	return true;
}

/* ---- validation ------------------------------------------------------------ */

enum offload_verdict offload_validate(struct frame_offload *m, const uint8_t *frame,
				      size_t len)
{
	struct hdrs h;
	size_t l2;

	if (m->flags & ~(OFFLOAD_F_CSUM | OFFLOAD_F_ECN) || m->gso_type > OFFLOAD_GSO_UDP_L4)
		return OFFLOAD_BAD_FLAGS;
	if (m->flags & OFFLOAD_F_ECN && m->gso_type != OFFLOAD_GSO_TCPV4 &&
	    m->gso_type != OFFLOAD_GSO_TCPV6)
		return OFFLOAD_BAD_FLAGS;
	if (len < ETH_HDR_LEN)
		return OFFLOAD_BAD_CSUM;

	l2 = l2_len(frame, len);
	if (m->flags & OFFLOAD_F_CSUM) {
		/* Never inside the Ethernet header: a tag pop must keep it valid. */
		if (m->csum_start < l2 || m->csum_start >= len ||
		    len - m->csum_start < 2 || m->csum_offset > len - m->csum_start - 2)
			return OFFLOAD_BAD_CSUM;
	}
	if (m->gso_type == OFFLOAD_GSO_NONE) {
		m->hdr_len = 0;
		m->gso_size = 0;
		return OFFLOAD_OK;
	}

	if (!parse_gso(m->gso_type, frame, len, &h))
		return OFFLOAD_BAD_HEADERS;
	/* Segments get fresh checksums, but the request must match the
	 * headers or a port taking the frame whole would be misled. */
	if (!(m->flags & OFFLOAD_F_CSUM) || m->csum_start != h.l4 ||
	    m->csum_offset != (h.proto == PROTO_TCP ? 16 : 6))
		return OFFLOAD_BAD_CSUM;
	if (m->hdr_len > len)
		return OFFLOAD_BAD_HDR_LEN;
	m->hdr_len = (uint16_t)h.end;
	if (m->gso_size < OFFLOAD_GSO_SIZE_MIN || h.end + m->gso_size > FRAME_MAX ||
	    h.end - h.l3 + m->gso_size > 65535)
		return OFFLOAD_BAD_GSO_SIZE;
	return OFFLOAD_OK;
}

const char *offload_verdict_str(enum offload_verdict v)
{
	switch (v) {
	case OFFLOAD_OK:		return "valid";
	case OFFLOAD_BAD_FLAGS:		return "unknown offload flags or GSO type";
	case OFFLOAD_BAD_CSUM:		return "checksum offsets outside the frame or headers";
	case OFFLOAD_BAD_HEADERS:	return "GSO frame whose headers don't match its type";
	case OFFLOAD_BAD_HDR_LEN:	return "GSO header length past the end of the frame";
	case OFFLOAD_BAD_GSO_SIZE:	return "bad GSO segment size";
	}
	return "?";
}

void offload_shift(struct frame_offload *m, int delta)
{
	if (m->flags & OFFLOAD_F_CSUM)
		m->csum_start = (uint16_t)(m->csum_start + delta);
	if (m->gso_type != OFFLOAD_GSO_NONE)
		m->hdr_len = (uint16_t)(m->hdr_len + delta);
}

/* ---- software fallback -------------------------------------------------------- */

bool offload_csum_complete(const struct frame_offload *m, uint8_t *frame, size_t len)
{
	size_t start = m->csum_start, at;
	uint16_t c;

	if (!(m->flags & OFFLOAD_F_CSUM))
		return true;
	if (start >= len || len - start < 2 || m->csum_offset > len - start - 2)
		return false;
	at = start + m->csum_offset;
	/* The field holds the pseudo-header sum: fold in the rest. */
	c = offload_csum_fold(offload_csum_add(0, frame + start, len - start));
	/* UDP sends a computed 0 as 0xffff (RFC 768); TCP folds it the same. */
	wr16be(frame + at, c ? c : 0xffff);
	return true;
}

unsigned offload_segs(const struct frame_offload *m, size_t len)
{
	size_t payload;

	if (!m || m->gso_type == OFFLOAD_GSO_NONE || !m->gso_size || m->hdr_len > len)
		return 1;
	payload = len - m->hdr_len;
	return payload ? (unsigned)((payload + m->gso_size - 1) / m->gso_size) : 1;
}

/* Fill in lengths and checksums of segment i in out, seglen bytes, whose
 * headers h were copied from the GSO frame. */
static void segment_fixup(const struct hdrs *h, uint8_t *out, size_t seglen, unsigned i,
			  unsigned nsegs, size_t offset)
{
	size_t l4len = seglen - h->l4;
	uint32_t sum;
	uint8_t *l4 = out + h->l4;
	uint8_t *ip = out + h->l3;

	if (h->v6) {
		wr16be(ip + 4, (uint16_t)(seglen - h->l3 - 40));
		sum = offload_csum_add(0, ip + 8, 32);
	} else {
		size_t ihl = (size_t)(ip[0] & 0x0f) * 4;

		wr16be(ip + 2, (uint16_t)(seglen - h->l3));
		wr16be(ip + 4, (uint16_t)(rd16be(ip + 4) + i));
		wr16be(ip + 10, 0);
		wr16be(ip + 10, offload_csum_fold(offload_csum_add(0, ip, ihl)));
		sum = offload_csum_add(0, ip + 12, 8);
	}
	sum += h->proto + (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xffff);

	if (h->proto == PROTO_TCP) {
		wr32be(l4 + 4, (uint32_t)(rd32be(l4 + 4) + offset));
		if (i + 1 < nsegs)
			l4[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (i)
			l4[13] &= (uint8_t)~TCP_CWR;
		wr16be(l4 + 16, 0);
		wr16be(l4 + 16, offload_csum_fold(offload_csum_add(sum, l4, l4len)));
	} else {
		uint16_t c;

		wr16be(l4 + 4, (uint16_t)l4len);
		wr16be(l4 + 6, 0);
		c = offload_csum_fold(offload_csum_add(sum, l4, l4len));
		wr16be(l4 + 6, c ? c : 0xffff);
	}
}

size_t offload_segment_one(const struct frame_offload *m, const uint8_t *frame, size_t len,
			   unsigned i, uint8_t *out)
{
	unsigned nsegs = offload_segs(m, len);
	size_t payload, offset, plen;
	struct hdrs h;

	if (i >= nsegs || len > FRAME_MAX)
		return 0;
	if (m->gso_type == OFFLOAD_GSO_NONE) {
		memcpy(out, frame, len);
		return offload_csum_complete(m, out, len) ? len : 0;
	}
	/* Re-derive the headers: hdr_len must be exactly where they end. */
	if (!parse_gso(m->gso_type, frame, len, &h) || h.end != m->hdr_len ||
	    !m->gso_size || h.end + m->gso_size > FRAME_MAX)
		return 0;
	payload = len - h.end;
	offset = (size_t)i * m->gso_size;
	plen = payload - offset < m->gso_size ? payload - offset : m->gso_size;
	memcpy(out, frame, h.end);
	memcpy(out + h.end, frame + h.end + offset, plen);
	segment_fixup(&h, out, h.end + plen, i, nsegs, offset);
	return h.end + plen;
}

int offload_segment(const struct frame_offload *m, const uint8_t *frame, size_t len,
		    uint8_t *out, offload_segment_cb cb, void *ctx)
{
	unsigned i, n = offload_segs(m, len);
	size_t seglen;

	for (i = 0; i < n; i++) {
		seglen = offload_segment_one(m, frame, len, i, out);
		if (!seglen)
			return -1;
		if (cb(ctx, out, seglen))
			return (int)i + 1;
	}
	return (int)n;
}
