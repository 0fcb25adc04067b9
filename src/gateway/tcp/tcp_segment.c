/* SPDX-License-Identifier: MIT
 *
 * tcp_segment.c - see tcp_segment.h.
 */
#include "gateway/tcp/tcp_segment.h"
#include "core/frame.h"
#include "gateway/ip/checksum.h"
#include "gateway/tcp/tcp.h"

#include <string.h>

uint32_t tcp_csum_fast(const uint8_t *p, size_t len, uint32_t sum)
{
	uint64_t s = 0;
	uint16_t w;

	while (len >= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		s += (v & 0xffffffff) + (v >> 32);
		p += 8;
		len -= 8;
	}
	while (len >= 2) {
		memcpy(&w, p, 2);
		s += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = { p[0], 0 };

		memcpy(&w, last, 2);
		s += w;
	}
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = (uint16_t)__builtin_bswap16((uint16_t)s);
#endif
	return (uint32_t)(sum + s);
}

static uint32_t pseudo(const union inany_addr *sa, const union inany_addr *da, size_t len)
{
	uint32_t src = inany_ip4(sa), dst = inany_ip4(da);

	if (!inany_is_v4(sa)) /* RFC 8200 8.1: both addresses whole */
		return csum_partial(da->u8, 16, csum_partial(sa->u8, 16, 0)) + IPPROTO_TCP_ +
		       (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + IPPROTO_TCP_ +
	       (uint32_t)len;
}

static size_t frame_out(uint8_t *f, const struct tcp_seg_addr *a, size_t l4len)
{
	if (!inany_is_v4(&a->src))
		return pkt_ipv6(f, a->dmac, a->smac, &a->src.a6, &a->dst.a6, IPPROTO_TCP_, 64, l4len);
	return pkt_ipv4(f, a->dmac, a->smac, inany_ip4(&a->src), inany_ip4(&a->dst), IPPROTO_TCP_,
			l4len);
}

/* One walk over the options. A SYN's MSS, window scale and
 * SACK-permitted count only on a SYN, SACK blocks (2 + 8n bytes, n 1..4)
 * only on other segments; anything else, or a malformed option, is
 * ignored. */
static void parse_options(struct tcp_seg *s, const uint8_t *o, size_t len, bool syn)
{
	size_t i = 0;

	while (i < len) {
		uint8_t kind = o[i], olen;

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			break;
		olen = o[i + 1];
		if (olen < 2 || olen > len - i)
			break; /* a lying length ends the walk, not the segment */
		if (syn && kind == 2 && olen == 4) {
			s->mss = rd16be(o + i + 2);
			if (s->mss < TCP_DEFAULT_MSS)
				s->mss = TCP_DEFAULT_MSS; /* MSS 0 or tiny: RFC 1122's floor */
		} else if (syn && kind == 3 && olen == 3) {
			s->ws = o[i + 2] > 14 ? 14 : o[i + 2];
		} else if (syn && kind == 4 && olen == 2) {
			s->sack_ok = true;
		} else if (!syn && kind == 5 && olen >= 10 && (olen - 2) % 8 == 0 &&
			   (olen - 2) / 8 <= TCP_MAX_SACK) {
			s->nsack = (uint8_t)((olen - 2) / 8);
			for (unsigned k = 0; k < s->nsack; k++) {
				s->sack[k][0] = rd32be(o + i + 2 + 8 * k);
				s->sack[k][1] = rd32be(o + i + 6 + 8 * k);
			}
		}
		i += olen;
	}
}

int tcp_seg_parse(struct tcp_seg *s, const union inany_addr *src, const union inany_addr *dst,
		  const uint8_t *l4, size_t len, unsigned how, struct gw_tcp_stats *st)
{
	size_t off;
	uint8_t fl;

	if (len < TCP_HDR_LEN) {
		st->truncated++;
		return -1;
	}
	off = (size_t)(l4[12] >> 4) * 4;
	if (off < TCP_HDR_LEN || off > len) {
		st->bad_offset++;
		return -1;
	}
	if (!(how & (GW_TCP_IN_CSUM_PARTIAL | GW_TCP_IN_GSO)) &&
	    csum_fold(tcp_csum_fast(l4, len, pseudo(src, dst, len)))) {
		st->bad_csum++;
		return -1;
	}
	fl = l4[13];
	if (how & GW_TCP_IN_GSO && fl & (TH_SYN | TH_RST)) {
		st->bad_flags++;
		return -1;
	}
	/* SYN with FIN or RST, and segments without ACK other than SYN/RST,
	 * are scans or garbage. */
	if ((fl & TH_SYN && fl & (TH_FIN | TH_RST)) ||
	    !(fl & (TH_ACK | TH_SYN | TH_RST))) {
		st->bad_flags++;
		return -1;
	}
	memset(s, 0, sizeof(*s));
	s->sport = rd16be(l4);
	s->dport = rd16be(l4 + 2);
	s->seq = rd32be(l4 + 4);
	s->ack = rd32be(l4 + 8);
	s->flags = fl;
	s->wnd = rd16be(l4 + 14);
	s->ws = -1;
	parse_options(s, l4 + TCP_HDR_LEN, off - TCP_HDR_LEN, fl & TH_SYN);
	s->data = l4 + off;
	s->len = len - off;
	if (!s->sport || !s->dport) {
		st->bad_flags++;
		return -1;
	}
	return 0;
}

/* The fixed 20 bytes, checksum and urgent pointer zero. */
static void put_hdr(uint8_t *th, const struct tcp_seg_addr *a, uint32_t seq, uint32_t ack,
		    size_t hlen, uint8_t flags, uint16_t wnd)
{
	wr16be(th, a->sport);
	wr16be(th + 2, a->dport);
	wr32be(th + 4, seq);
	wr32be(th + 8, ack);
	th[12] = (uint8_t)(hlen / 4) << 4;
	th[13] = flags;
	wr16be(th + 14, wnd);
	wr16be(th + 16, 0);
	wr16be(th + 18, 0);
}

size_t tcp_seg_build_partial(uint8_t *f, const struct tcp_seg_addr *a, uint32_t seq,
			     uint32_t ack, uint8_t flags, uint16_t wnd, size_t data_len)
{
	uint8_t *th = f + tcp_data_off(&a->src) - TCP_HDR_LEN;
	size_t l4len = TCP_HDR_LEN + data_len;
	uint32_t s = pseudo(&a->src, &a->dst, l4len);

	/* SYN options need the full build */
	put_hdr(th, a, seq, ack, TCP_HDR_LEN, flags & (uint8_t)~TH_SYN, wnd);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	wr16be(th + 16, (uint16_t)s); /* not complemented: the completer does that */
	return frame_out(f, a, l4len);
}

size_t tcp_seg_build(uint8_t *f, const struct tcp_seg_addr *a, uint32_t seq, uint32_t ack,
		     uint8_t flags, uint16_t wnd, uint16_t mss, int ws, size_t data_len)
{
	uint8_t opt[TCP_SYN_OPT_LEN];

	if (!(flags & TH_SYN))
		return tcp_seg_build_opt(f, a, seq, ack, flags, wnd, NULL, 0, data_len);
	opt[0] = 2;
	opt[1] = 4;
	wr16be(opt + 2, mss);
	opt[4] = 1;
	opt[5] = 3;
	opt[6] = 3;
	opt[7] = (uint8_t)(ws < 0 ? 0 : ws);
	if (ws < 0) /* no window scaling: NOPs keep the layout */
		opt[5] = opt[6] = opt[7] = 1;
	return tcp_seg_build_opt(f, a, seq, ack, flags, wnd, opt, sizeof(opt), data_len);
}

size_t tcp_seg_build_opt(uint8_t *f, const struct tcp_seg_addr *a, uint32_t seq, uint32_t ack,
			 uint8_t flags, uint16_t wnd, const uint8_t *opt, size_t optlen,
			 size_t data_len)
{
	uint8_t *th = f + tcp_data_off(&a->src) - TCP_HDR_LEN;
	size_t hlen = TCP_HDR_LEN + optlen;
	size_t l4len = hlen + data_len;
	uint32_t s;

	put_hdr(th, a, seq, ack, hlen, flags, wnd);
	if (optlen)
		memcpy(th + TCP_HDR_LEN, opt, optlen);
	s = pseudo(&a->src, &a->dst, l4len);
	s = csum_partial(th, hlen, s);
	s = tcp_csum_fast(th + hlen, data_len, s);
	wr16be(th + 16, csum_fold(s));
	return frame_out(f, a, l4len);
}
