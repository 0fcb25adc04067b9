/* SPDX-License-Identifier: MIT
 *
 * test_offload.c - offload metadata: the validator against hostile
 * metadata, the software segmenter and checksum completion byte for byte
 * (checked with the test's own checksum routine, not offload.c's), and the
 * fabric carrying TSO frames whole to ports that take them and segmented to
 * ports that don't, with the offsets shifted by VLAN tag push/pop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/virtio_net.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"
#include "core/offload.h"
#include "fabric/fdb.h"
#include "fabric/network.h"
#include "helpers/fake_port.h"

static const uint8_t MAC_A[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t MAC_B[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0b };
static const uint8_t MAC_C[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0c };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

#define SEQ0 0xfffff000u /* wraps during a 64 KiB frame */
#define IPID0 0xfff0

/* ---- an independent checksum: byte pairs, the RFC 1071 way ---------------- */

static uint32_t ref_sum(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Pseudo header sum for an L4 segment of l4len bytes. */
static uint32_t ref_pseudo(const uint8_t *ip, bool v6, uint8_t proto, size_t l4len)
{
	uint32_t s = v6 ? ref_sum(0, ip + 8, 32) : ref_sum(0, ip + 12, 8);

	return s + proto + (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xffff);
}

/* ---- frames ---------------------------------------------------------------------- */

struct spec {
	bool v6, udp;
	int tag;          /* -1: untagged, else the TCI */
	size_t payload;
	uint8_t tcp_flags;
	size_t tcp_opts;  /* bytes of TCP options (multiple of 4) */
};

/* A GSO frame as Linux hands it over: lengths for the whole frame, the L4
 * checksum field holding the pseudo-header sum only. Returns its length;
 * l3o and l4o get the header offsets. */
static size_t build(uint8_t *b, const struct spec *s, size_t *l3o, size_t *l4o)
{
	size_t l3 = 14, l4, hl, len, i;
	uint8_t *ip, *th;
	uint8_t proto = s->udp ? 17 : 6;

	memcpy(b, MAC_B, 6);
	memcpy(b + 6, MAC_A, 6);
	if (s->tag >= 0) {
		wr16be(b + 12, 0x8100);
		wr16be(b + 14, (uint16_t)s->tag);
		l3 = 18;
	}
	wr16be(b + l3 - 2, s->v6 ? 0x86dd : 0x0800);
	ip = b + l3;
	if (s->v6) {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		ip[6] = proto;
		ip[7] = 64;
		for (i = 0; i < 16; i++) {
			ip[8 + i] = (uint8_t)(0x20 + i);
			ip[24 + i] = (uint8_t)(0x40 + i * 3);
		}
		l4 = l3 + 40;
	} else {
		memset(ip, 0, 20);
		ip[0] = 0x45;
		wr16be(ip + 4, IPID0);
		wr16be(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
		l4 = l3 + 20;
	}
	th = b + l4;
	if (s->udp) {
		memset(th, 0, 8);
		wr16be(th, 5000);
		wr16be(th + 2, 5001);
		hl = l4 + 8;
	} else {
		memset(th, 0, 20 + s->tcp_opts);
		wr16be(th, 40000);
		wr16be(th + 2, 80);
		wr32be(th + 4, SEQ0);
		wr32be(th + 8, 0x01020304);
		th[12] = (uint8_t)((20 + s->tcp_opts) / 4 << 4);
		th[13] = s->tcp_flags;
		wr16be(th + 14, 65535);
		for (i = 0; i < s->tcp_opts; i++)
			th[20 + i] = 1; /* NOP */
		hl = l4 + 20 + s->tcp_opts;
	}
	for (i = 0; i < s->payload; i++)
		b[hl + i] = (uint8_t)(i * 13 + i / 251);
	len = hl + s->payload;
	if (s->v6)
		wr16be(ip + 4, (uint16_t)(len - l4));
	else
		wr16be(ip + 2, (uint16_t)(len - l3));
	if (s->udp)
		wr16be(th + 4, (uint16_t)(len - l4));
	/* CHECKSUM_PARTIAL: the field holds the pseudo-header sum. */
	wr16be(th + (s->udp ? 6 : 16), ref_fold(ref_pseudo(ip, s->v6, proto, len - l4)));
	*l3o = l3;
	*l4o = l4;
	return len;
}

static struct frame_offload meta_for(const struct spec *s, size_t l4, uint16_t gso_size)
{
	struct frame_offload m = {
		.flags = OFFLOAD_F_CSUM,
		.csum_start = (uint16_t)l4,
		.csum_offset = s->udp ? 6 : 16,
		.gso_size = gso_size,
		.gso_type = s->udp ? OFFLOAD_GSO_UDP_L4 : s->v6 ? OFFLOAD_GSO_TCPV6 :
			    OFFLOAD_GSO_TCPV4,
	};
	return m;
}

static uint8_t in[FRAME_BUF_SIZE], out[FRAME_BUF_SIZE];

/* ---- segment collection ---------------------------------------------------------- */

#define MAX_SEGS 1200

struct segs {
	unsigned n;
	uint8_t *data[MAX_SEGS];
	size_t len[MAX_SEGS];
};

static int collect(void *ctx, const uint8_t *seg, size_t len)
{
	struct segs *s = ctx;

	assert_true(s->n < MAX_SEGS);
	s->data[s->n] = malloc(len);
	assert_non_null(s->data[s->n]);
	memcpy(s->data[s->n], seg, len);
	s->len[s->n++] = len;
	return 0;
}

static void segs_free(struct segs *s)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		free(s->data[i]);
	s->n = 0;
}

/* Check every segment of a GSO frame built from spec against the rules a
 * receiver applies, and that the payloads put back together are the
 * original payload. */
static void check_segments(const struct spec *sp, const uint8_t *orig, size_t olen,
			   size_t l3, size_t l4, size_t hl, uint16_t gso_size,
			   const uint8_t *const *data, const size_t *lens, unsigned n)
{
	size_t payload = olen - hl, off = 0;
	unsigned i, want = payload ? (unsigned)((payload + gso_size - 1) / gso_size) : 1;
	uint8_t proto = sp->udp ? 17 : 6;

	assert_int_equal(n, want);
	for (i = 0; i < n; i++) {
		const uint8_t *f = data[i], *ip = f + l3, *th = f + l4;
		size_t len = lens[i], plen = len - hl;

		assert_true(len >= hl);
		assert_true(plen <= gso_size);
		if (i + 1 < n)
			assert_int_equal(plen, gso_size);
		/* Ethernet and addresses unchanged. */
		assert_memory_equal(f, orig, l3);
		if (sp->v6) {
			assert_int_equal(rd16be(ip + 4), len - l4);
			assert_memory_equal(ip + 8, orig + l3 + 8, 32);
		} else {
			assert_int_equal(rd16be(ip + 2), len - l3);
			assert_int_equal(rd16be(ip + 4), (uint16_t)(IPID0 + i));
			assert_int_equal(ref_fold(ref_sum(0, ip, 20)), 0xffff);
		}
		assert_int_equal(ref_fold(ref_sum(ref_pseudo(ip, sp->v6, proto, len - l4),
						  th, len - l4)), 0xffff);
		if (sp->udp) {
			assert_int_equal(rd16be(th + 4), len - l4);
			assert_false(th[6] == 0 && th[7] == 0);
		} else {
			uint8_t fl = sp->tcp_flags;

			assert_int_equal(rd32be(th + 4), (uint32_t)(SEQ0 + off));
			assert_int_equal(rd32be(th + 8), 0x01020304);
			if (i + 1 < n)
				fl &= (uint8_t)~0x09; /* FIN, PSH */
			if (i)
				fl &= (uint8_t)~0x80; /* CWR */
			assert_int_equal(th[13], fl);
			/* Options copied into every segment. */
			assert_memory_equal(th + 20, orig + l4 + 20, hl - l4 - 20);
		}
		assert_memory_equal(f + hl, orig + hl + off, plen);
		off += plen;
	}
	assert_int_equal(off, payload);
}

static void run_segmentation(const struct spec *sp, uint16_t gso_size)
{
	size_t l3, l4, len = build(in, sp, &l3, &l4);
	struct frame_offload m = meta_for(sp, l4, gso_size);
	struct segs s = { 0 };
	int r;

	assert_int_equal(offload_validate(&m, in, len), OFFLOAD_OK);
	r = offload_segment(&m, in, len, out, collect, &s);
	assert_int_equal(r, (int)s.n);
	assert_int_equal(offload_segs(&m, len), s.n);
	check_segments(sp, in, len, l3, l4, m.hdr_len, gso_size,
		       (const uint8_t *const *)s.data, s.len, s.n);
	segs_free(&s);
}

static void test_segment_tcpv4(void **state)
{
	struct spec sp = { .tag = -1, .payload = 65000, .tcp_flags = 0x80 | 0x10 | 0x08 | 0x01 };

	run_segmentation(&sp, 1448);
	sp.tcp_opts = 12; /* timestamps */
	sp.payload = 1448 * 3;
	run_segmentation(&sp, 1448);  /* exact multiple */
	sp.payload = 1;
	run_segmentation(&sp, 1448);  /* one short segment */
	sp.payload = 0;
	run_segmentation(&sp, 1448);  /* headers only */
	sp.payload = 9001;
	run_segmentation(&sp, 8948);  /* jumbo MSS, odd tail */
	sp.tag = 0x2064;
	sp.payload = 30001;
	run_segmentation(&sp, 1400);  /* behind an 802.1Q tag */
}

static void test_segment_tcpv6(void **state)
{
	struct spec sp = { .v6 = true, .tag = -1, .payload = 64000, .tcp_flags = 0x18 };

	run_segmentation(&sp, 1428);
	sp.tcp_opts = 12;
	sp.tcp_flags = 0x80 | 0x10 | 0x01;
	sp.payload = 4097;
	run_segmentation(&sp, 1000);
	sp.tag = 5;
	run_segmentation(&sp, 1000);
}

static void test_segment_udp_l4(void **state)
{
	struct spec sp = { .udp = true, .tag = -1, .payload = 20000 };

	run_segmentation(&sp, 1472);
	sp.v6 = true;
	run_segmentation(&sp, 1452);
}

static int stop_after_3(void *ctx, const uint8_t *seg, size_t len)
{
	return ++*(unsigned *)ctx == 3;
}

/* The callback can stop segmentation, and segment_one builds any one. */
static void test_segment_stop_and_one(void **state)
{
	struct spec sp = { .tag = -1, .payload = 10000, .tcp_flags = 0x18 };
	size_t l3, l4, len = build(in, &sp, &l3, &l4), n;
	struct frame_offload m = meta_for(&sp, l4, 1000);
	struct segs s = { 0 };
	static uint8_t one[FRAME_BUF_SIZE];
	unsigned i;

	assert_int_equal(offload_validate(&m, in, len), OFFLOAD_OK);
	assert_int_equal(offload_segment(&m, in, len, out, collect, &s), 10);
	for (i = 0; i < s.n; i++) {
		n = offload_segment_one(&m, in, len, i, one);
		assert_int_equal(n, s.len[i]);
		assert_memory_equal(one, s.data[i], n);
	}
	assert_int_equal(offload_segment_one(&m, in, len, 10, one), 0);
	segs_free(&s);
	i = 0;
	assert_int_equal(offload_segment(&m, in, len, out, stop_after_3, &i), 3);
	assert_int_equal(i, 3);
}

static void test_csum_complete(void **state)
{
	static const size_t plens[] = { 0, 1, 2, 3, 1000, 1459, 60000 };
	struct spec sp = { .tag = -1, .tcp_flags = 0x18 };
	size_t i, l3, l4, len, n;

	for (i = 0; i < sizeof(plens) / sizeof(plens[0]); i++) {
		struct frame_offload m;

		sp.payload = plens[i];
		sp.v6 = i & 1;
		sp.udp = i == 2;
		len = build(in, &sp, &l3, &l4);
		m = meta_for(&sp, l4, 0);
		m.gso_type = OFFLOAD_GSO_NONE;
		assert_int_equal(offload_validate(&m, in, len), OFFLOAD_OK);
		assert_int_equal(offload_segs(&m, len), 1);
		n = offload_segment_one(&m, in, len, 0, out);
		assert_int_equal(n, len);
		assert_int_equal(ref_fold(ref_sum(ref_pseudo(out + l3, sp.v6, sp.udp ? 17 : 6,
							     len - l4), out + l4, len - l4)),
				 0xffff);
		/* Only the checksum field changed. */
		assert_memory_equal(out, in, l4 + (sp.udp ? 6 : 16));
		assert_memory_equal(out + l4 + (sp.udp ? 8 : 18), in + l4 + (sp.udp ? 8 : 18),
				    len - l4 - (sp.udp ? 8 : 18));
	}
}

static void test_csum_helpers_match_reference(void **state)
{
	size_t len, off;

	for (len = 0; len < 300; len++) {
		for (off = 0; off < 4; off++) {
			size_t i;

			for (i = 0; i < len; i++)
				in[off + i] = (uint8_t)(i * 31 + len);
			assert_int_equal(offload_csum_fold(offload_csum_add(7, in + off, len)),
					 (uint16_t)~ref_fold(ref_sum(7, in + off, len)));
		}
	}
}

/* ---- validator ------------------------------------------------------------------- */

static enum offload_verdict validate(const struct frame_offload *m, size_t len)
{
	struct frame_offload c = *m;

	return offload_validate(&c, in, len);
}

static void test_validate_hostile(void **state)
{
	struct spec sp = { .tag = -1, .payload = 3000, .tcp_flags = 0x10 };
	size_t l3, l4, len = build(in, &sp, &l3, &l4);
	struct frame_offload good = meta_for(&sp, l4, 1448), m, c;
	uint8_t save;

	c = good;
	c.hdr_len = 0; /* a hint only: filled in from the headers */
	assert_int_equal(offload_validate(&c, in, len), OFFLOAD_OK);
	assert_int_equal(c.hdr_len, 54);
	c.hdr_len = 300; /* the kernel's skb_headlen() is bigger: fine */
	assert_int_equal(offload_validate(&c, in, len), OFFLOAD_OK);
	assert_int_equal(c.hdr_len, 54);

	m = good; m.hdr_len = (uint16_t)(len + 1);
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_HDR_LEN);
	m = good; m.gso_size = 0;
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_GSO_SIZE);
	m = good; m.gso_size = 1;
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_GSO_SIZE);
	m = good; m.gso_size = 65535;
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_GSO_SIZE);
	m = good; m.flags |= 0x40;
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_FLAGS);
	m = good; m.gso_type = 9;
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_FLAGS);
	m = good; m.flags &= (uint8_t)~OFFLOAD_F_CSUM; /* GSO needs the checksum */
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_CSUM);
	m = good; m.csum_start = 14; /* not where TCP starts */
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_CSUM);
	m = good; m.csum_offset = 6;
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_CSUM);
	m = good; m.gso_type = OFFLOAD_GSO_TCPV6; /* IPv4 frame */
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_HEADERS);
	m = good; m.gso_type = OFFLOAD_GSO_UDP_L4; /* TCP frame */
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_HEADERS);
	m = good; m.gso_type = OFFLOAD_GSO_UDP_L4; m.flags |= OFFLOAD_F_ECN;
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_FLAGS);

	/* Checksum-only requests: offsets inside the frame, past L2. */
	m = good; m.gso_type = OFFLOAD_GSO_NONE;
	assert_int_equal(validate(&m, len), OFFLOAD_OK);
	m.csum_start = (uint16_t)len;
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_CSUM);
	m.csum_start = (uint16_t)(len - 1); m.csum_offset = 0;
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_CSUM);
	m.csum_start = (uint16_t)(len - 2);
	assert_int_equal(validate(&m, len), OFFLOAD_OK);
	m.csum_start = 34; m.csum_offset = (uint16_t)(len - 34 - 1);
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_CSUM);
	m.csum_start = 0xffff; m.csum_offset = 0xffff;
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_CSUM);
	m.csum_start = 10; m.csum_offset = 0; /* inside the Ethernet header */
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_CSUM);

	/* Header lies. */
	save = in[l3];
	in[l3] = 0x4f; /* IHL 60 bytes: TCP moves, csum_start no longer matches */
	assert_int_equal(validate(&good, len), OFFLOAD_BAD_CSUM);
	in[l3] = 0x44; /* IHL < 5 */
	assert_int_equal(validate(&good, len), OFFLOAD_BAD_HEADERS);
	in[l3] = 0x65; /* version 6 in an IPv4 ethertype */
	assert_int_equal(validate(&good, len), OFFLOAD_BAD_HEADERS);
	in[l3] = 0x4f; /* IHL past the end of a short frame */
	assert_int_equal(validate(&good, l3 + 40), OFFLOAD_BAD_HEADERS);
	in[l3] = save;
	in[l3 + 9] = 17; /* UDP under a TSO type */
	assert_int_equal(validate(&good, len), OFFLOAD_BAD_HEADERS);
	in[l3 + 9] = 6;
	wr16be(in + l3 + 6, 0x2000); /* more fragments */
	assert_int_equal(validate(&good, len), OFFLOAD_BAD_HEADERS);
	wr16be(in + l3 + 6, 0x4000);
	save = in[l4 + 12];
	in[l4 + 12] = 0x40; /* TCP data offset 16 bytes */
	assert_int_equal(validate(&good, len), OFFLOAD_BAD_HEADERS);
	in[l4 + 12] = 0xf0; /* 60 bytes, past a frame cut after 40 */
	assert_int_equal(validate(&good, l4 + 40), OFFLOAD_BAD_HEADERS);
	in[l4 + 12] = save;
	assert_int_equal(validate(&good, l4 + 10), OFFLOAD_BAD_CSUM); /* field cut */
	assert_int_equal(validate(&good, l4 + 19), OFFLOAD_BAD_HEADERS); /* TCP cut */
	assert_int_equal(validate(&good, l3 + 10), OFFLOAD_BAD_CSUM); /* IP cut */
	assert_int_equal(validate(&good, 13), OFFLOAD_BAD_CSUM);
	wr16be(in + 12, 0x0806); /* ARP */
	assert_int_equal(validate(&good, len), OFFLOAD_BAD_HEADERS);
	wr16be(in + 12, 0x86dd);
	assert_int_equal(validate(&good, len), OFFLOAD_BAD_HEADERS);
	wr16be(in + 12, 0x0800);
	assert_int_equal(validate(&good, len), OFFLOAD_OK);

	/* IPv6 with an extension header instead of TCP. */
	sp.v6 = true;
	len = build(in, &sp, &l3, &l4);
	good = meta_for(&sp, l4, 1428);
	assert_int_equal(validate(&good, len), OFFLOAD_OK);
	in[l3 + 6] = 0; /* hop-by-hop */
	assert_int_equal(validate(&good, len), OFFLOAD_BAD_HEADERS);
	in[l3 + 6] = 6;
	in[l3] = 0x40;
	assert_int_equal(validate(&good, len), OFFLOAD_BAD_HEADERS);
	m = good; m.gso_type = OFFLOAD_GSO_TCPV4;
	in[l3] = 0x60;
	assert_int_equal(validate(&m, len), OFFLOAD_BAD_HEADERS);
}

/* Random metadata over random mutations of a good frame: whatever the
 * validator accepts, the segmenter must handle inside the buffers (ASan
 * watches) and produce segments with valid checksums. */
static uint32_t rnd_next(uint32_t *rnd)
{
	*rnd = *rnd * 1103515245u + 12345u;
	return *rnd >> 8;
}
#define RND() rnd_next(&rnd)

static void test_validate_random(void **state)
{
	struct spec sp = { .tag = -1, .payload = 5000, .tcp_flags = 0x18 };
	unsigned iter, accepted = 0;
	uint32_t rnd = 12345;
	size_t l3, l4;

	for (iter = 0; iter < 20000; iter++) {
		struct frame_offload m;
		size_t len, i, seglen;
		unsigned n;

		sp.v6 = RND() & 1;
		sp.udp = !(RND() % 4);
		sp.tag = RND() & 1 ? -1 : 7;
		sp.payload = RND() % 6000;
		len = build(in, &sp, &l3, &l4);
		m = meta_for(&sp, l4, (uint16_t)(500 + RND() % 2000));
		switch (RND() % 6) {
		case 0: m.csum_start = (uint16_t)RND(); break;
		case 1: m.csum_offset = (uint16_t)(RND() % 64); break;
		case 2: m.gso_size = (uint16_t)RND(); break;
		case 3: m.gso_type = (uint8_t)(RND() % 5); break;
		case 4: m.hdr_len = (uint16_t)RND(); break;
		default: break;
		}
		for (i = RND() % 4; i; i--)
			in[RND() % (l4 + 24)] ^= (uint8_t)(1u << (RND() % 8));
		if (RND() % 3 == 0)
			len = RND() % len + 1;
		if (offload_validate(&m, in, len) != OFFLOAD_OK)
			continue;
		accepted++;
		n = offload_segs(&m, len);
		assert_true(n >= 1 && n <= 65535 / OFFLOAD_GSO_SIZE_MIN + 1);
		for (i = 0; i < n; i++) {
			seglen = offload_segment_one(&m, in, len, (unsigned)i, out);
			assert_true(seglen > 0 && seglen <= FRAME_MAX);
		}
	}
	assert_true(accepted > 1000);
}

static void test_vnet_conversion(void **state)
{
	struct virtio_net_hdr h = { 0 }, back;
	struct frame_offload m;

	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN;
	/* Little endian on the wire, whatever the host. */
	memcpy(&h.hdr_len, "\x4a\x00", 2);
	memcpy(&h.gso_size, "\x94\x05", 2);
	memcpy(&h.csum_start, "\x36\x00", 2);
	memcpy(&h.csum_offset, "\x10\x00", 2);
	assert_int_equal(offload_from_vnet(&m, &h), 0);
	assert_int_equal(m.flags, OFFLOAD_F_CSUM | OFFLOAD_F_ECN);
	assert_int_equal(m.gso_type, OFFLOAD_GSO_TCPV6);
	assert_int_equal(m.hdr_len, 74);
	assert_int_equal(m.gso_size, 1428);
	assert_int_equal(m.csum_start, 54);
	assert_int_equal(m.csum_offset, 16);
	assert_int_equal(offload_needs(&m), OFFLOAD_CAP_CSUM | OFFLOAD_CAP_TSO6 |
					    OFFLOAD_CAP_TSO_ECN);
	offload_to_vnet(&back, &m);
	assert_memory_equal(&back, &h, sizeof(h));

	h.gso_type = VIRTIO_NET_HDR_GSO_UDP; /* UFO: not carried */
	assert_int_equal(offload_from_vnet(&m, &h), -1);
	h.gso_type = 5; /* UDP_L4 */
	assert_int_equal(offload_from_vnet(&m, &h), 0);
	assert_int_equal(m.gso_type, OFFLOAD_GSO_UDP_L4);
	h.gso_type = 0;
	h.flags = 4; /* RSC_INFO */
	assert_int_equal(offload_from_vnet(&m, &h), -1);
	h.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	h.gso_type = VIRTIO_NET_HDR_GSO_ECN;
	assert_int_equal(offload_from_vnet(&m, &h), 0);
	assert_false(offload_active(&m));
	assert_int_equal(offload_needs(&m), 0);
	assert_int_equal(offload_needs(NULL), 0);
}

/* ---- the fabric ----------------------------------------------------------------- */

/* A port that takes offload frames whole and records them with their
 * metadata; plain frames are recorded with an inactive one. */
struct cap_port {
	struct port port; /* first */
	unsigned n;
	uint8_t *data[64];
	size_t len[64];
	struct frame_offload m[64];
};

static void cap_record(struct cap_port *cp, const struct frame_offload *m,
		       const uint8_t *frame, size_t len)
{
	assert_true(cp->n < 64);
	cp->data[cp->n] = malloc(len);
	assert_non_null(cp->data[cp->n]);
	memcpy(cp->data[cp->n], frame, len);
	cp->len[cp->n] = len;
	memset(&cp->m[cp->n], 0, sizeof(cp->m[0]));
	if (m)
		cp->m[cp->n] = *m;
	cp->n++;
}

static bool cap_transmit(struct port *port, const uint8_t *frame, size_t len)
{
	cap_record((struct cap_port *)port, NULL, frame, len);
	return true;
}

static bool cap_transmit_offload(struct port *port, const struct frame_offload *m,
				 const uint8_t *frame, size_t len)
{
	struct cap_port *cp = (struct cap_port *)port;

	/* The fabric must only hand over what the caps cover. */
	assert_int_equal(offload_needs(m) & ~port->offload_caps, 0);
	cap_record(cp, m, frame, len);
	return true;
}

static void cap_describe(const struct port *port, char *buf, size_t size) { *buf = 0; }

static void cap_destroy(struct port *port)
{
	struct cap_port *cp = (struct cap_port *)port;
	unsigned i;

	for (i = 0; i < cp->n; i++)
		free(cp->data[i]);
	cp->n = 0;
}

static const struct port_ops cap_ops = {
	.kind = "cap",
	.transmit = cap_transmit,
	.describe = cap_describe,
	.destroy = cap_destroy,
	.transmit_offload = cap_transmit_offload,
};

static void cap_port_init(struct cap_port *cp, const char *id, uint32_t caps)
{
	memset(cp, 0, sizeof(*cp));
	port_init(&cp->port, &cap_ops, id);
	cp->port.offload_caps = caps;
}

static uint64_t fake_now = 1000000;
static uint64_t fake_clock(void) { return fake_now; }

static struct network *new_net(enum network_mode mode)
{
	struct network *net = network_new("n0", mode, NETWORK_DEFAULT_AGING_S,
					  NETWORK_DEFAULT_FDB_MAX, NULL);

	assert_non_null(net);
	if (net->fdb)
		fdb_set_clock(net->fdb, fake_clock);
	return net;
}

/* A station announces its MAC so the switch learns where it is. */
static void announce(struct port *p, const uint8_t *mac, int tag)
{
	uint8_t f[64];
	size_t len = fake_frame_build(f, BCAST, mac, tag >= 0, (uint16_t)(tag < 0 ? 0 : tag),
				      0x0806, 46, 1);

	port_receive(p, f, len);
}

/* Segments a fake port recorded, checked as a receiver would. */
static void check_fake_segments(const struct fake_port *fp, unsigned first,
				const struct spec *sp, size_t olen, size_t l3, size_t l4,
				size_t hl, uint16_t gso_size)
{
	const uint8_t *data[MAX_SEGS];
	size_t lens[MAX_SEGS];
	unsigned i;

	for (i = first; i < fp->n; i++) {
		data[i - first] = fp->frames[i].data;
		lens[i - first] = fp->frames[i].len;
	}
	check_segments(sp, in, olen, l3, l4, hl, gso_size, data, lens, fp->n - first);
}

static void test_fabric_switch_whole_or_segmented(void **state)
{
	struct network *net = new_net(NETWORK_SWITCH);
	struct spec sp = { .tag = -1, .payload = 60000, .tcp_flags = 0x18 };
	struct cap_port a, c;
	struct fake_port b;
	size_t l3, l4, len = build(in, &sp, &l3, &l4);
	struct frame_offload m = meta_for(&sp, l4, 1448);

	cap_port_init(&a, "a", OFFLOAD_CAP_CSUM | OFFLOAD_CAP_TSO4 | OFFLOAD_CAP_TSO6);
	cap_port_init(&c, "c", OFFLOAD_CAP_CSUM | OFFLOAD_CAP_TSO4);
	fake_port_init(&b, "b");
	network_attach(net, &a.port);
	network_attach(net, &b.port);
	network_attach(net, &c.port);
	assert_true(port_sink_takes_offload(&a.port));
	announce(&b.port, MAC_B, -1);
	announce(&c.port, MAC_C, -1);
	fake_port_clear(&b);
	cap_destroy(&a.port);
	cap_destroy(&c.port);

	/* To B, which takes plain frames only: 42 wire frames. */
	port_receive_offload(&a.port, &m, in, len);
	assert_int_equal(a.port.stats.rx_frames, 1);
	assert_int_equal(a.port.stats.rx_bytes, len);
	assert_int_equal(b.n, 42);
	assert_int_equal(b.port.stats.tx_frames, 1 + 42); /* C's announcement */
	assert_int_equal(c.n, 0);
	assert_int_equal(net->stats.sw_offload, 1);
	check_fake_segments(&b, 0, &sp, len, l3, l4, 54, 1448);

	/* To C, which takes TSO4: the frame whole, one frame in its stats. */
	memcpy(in, MAC_C, 6);
	port_receive_offload(&a.port, &m, in, len);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.len[0], len);
	assert_memory_equal(c.data[0], in, len);
	assert_int_equal(c.m[0].gso_type, OFFLOAD_GSO_TCPV4);
	assert_int_equal(c.m[0].csum_start, 34);
	assert_int_equal(c.m[0].hdr_len, 54);
	assert_int_equal(c.m[0].gso_size, 1448);
	assert_int_equal(c.port.stats.tx_frames, 1 + 1); /* B's announcement */
	assert_int_equal(c.port.stats.tx_bytes, 60 + len);
	assert_int_equal(net->stats.sw_offload, 1);

	/* TSO6 is beyond C's caps: segmented for C as well. */
	sp.v6 = true;
	len = build(in, &sp, &l3, &l4);
	memcpy(in, MAC_C, 6);
	m = meta_for(&sp, l4, 1428);
	port_receive_offload(&a.port, &m, in, len);
	assert_int_equal(c.n, 1 + 43); /* 60000 / 1428 */
	assert_false(offload_active(&c.m[1]));
	assert_false(offload_active(&c.m[43]));
	assert_int_equal(c.len[43], 74 + 60000 - 42 * 1428);
	assert_int_equal(b.n, 42);
	assert_int_equal(net->stats.sw_offload, 2);

	/* Unicast back behind the ingress port: filtered, nothing cut. */
	memcpy(in, MAC_A, 6);
	port_receive_offload(&a.port, &m, in, len);
	assert_int_equal(b.n, 42);

	/* Hostile metadata: dropped and counted before the switch. */
	assert_int_equal(a.port.stats.rx_drops, 0);
	m.csum_start = 0xfff0;
	memcpy(in, MAC_B, 6);
	port_receive_offload(&a.port, &m, in, len);
	assert_int_equal(a.port.stats.rx_drops, 1);
	assert_int_equal(b.n, 42);

	network_free(net);
}

static void test_fabric_vlan_shift(void **state)
{
	struct network *net = new_net(NETWORK_SWITCH);
	struct spec sp = { .tag = -1, .payload = 5000, .tcp_flags = 0x10 };
	static const uint16_t vids[] = { 10 };
	struct cap_port a, t;
	struct fake_port b, tb;
	size_t l3, l4, len = build(in, &sp, &l3, &l4);
	struct frame_offload m = meta_for(&sp, l4, 1000);
	struct spec tsp = sp;
	uint32_t all = OFFLOAD_CAP_CSUM | OFFLOAD_CAP_TSO4 | OFFLOAD_CAP_TSO6;

	cap_port_init(&a, "a", all);
	a.port.vlan.pvid = 10;
	cap_port_init(&t, "t", all);
	t.port.vlan.pvid = 0;
	t.port.vlan.trunk = true;
	vlan_set_bit(&t.port.vlan, 10);
	fake_port_init(&b, "b");
	fake_port_access(&b, 10);
	fake_port_init(&tb, "tb");
	fake_port_trunk(&tb, 0, vids, 1);
	network_attach(net, &a.port);
	network_attach(net, &t.port);
	network_attach(net, &b.port);
	network_attach(net, &tb.port);

	/* Untagged in from access port A, flooded: the trunks get it tagged,
	 * T whole with offsets +4, TB segmented behind the tag. */
	memcpy(in, BCAST, 6);
	port_receive_offload(&a.port, &m, in, len);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.len[0], len + 4);
	assert_int_equal(rd16be(t.data[0] + 12), 0x8100);
	assert_int_equal(rd16be(t.data[0] + 14) & 0xfff, 10);
	assert_int_equal(t.m[0].csum_start, 38);
	assert_int_equal(t.m[0].hdr_len, 58);
	/* The shifted metadata is still valid for the tagged frame. */
	{
		struct frame_offload c = t.m[0];

		assert_int_equal(offload_validate(&c, t.data[0], t.len[0]), OFFLOAD_OK);
		assert_int_equal(c.hdr_len, 58);
	}
	assert_int_equal(b.n, 5); /* access port B, untagged segments */
	check_fake_segments(&b, 0, &sp, len, l3, l4, 54, 1000);
	assert_int_equal(tb.n, 5);
	tsp.tag = 10;
	len = build(in, &tsp, &l3, &l4);
	memcpy(in, BCAST, 6);
	check_fake_segments(&tb, 0, &tsp, len, l3, l4, 58, 1000);

	/* Tagged in from trunk T: popped for A (whole, -4) and B. */
	m = meta_for(&tsp, l4, 1000);
	memcpy(in + 6, MAC_C, 6);
	fake_port_clear(&b);
	fake_port_clear(&tb);
	port_receive_offload(&t.port, &m, in, len);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.len[0], len - 4);
	assert_int_equal(rd16be(a.data[0] + 12), 0x0800);
	assert_int_equal(a.m[0].csum_start, 34);
	assert_int_equal(a.m[0].hdr_len, 54);
	assert_memory_equal(a.data[0] + 12, in + 16, len - 16);
	assert_int_equal(b.n, 5);
	assert_int_equal(tb.n, 5); /* same tagged form, segmented */
	check_fake_segments(&tb, 0, &tsp, len, l3, l4, 58, 1000);
	network_free(net);
}

static void test_fabric_hub(void **state)
{
	struct network *net = new_net(NETWORK_HUB);
	struct spec sp = { .v6 = true, .tag = -1, .payload = 3000, .tcp_flags = 0x19 };
	struct cap_port a, c;
	struct fake_port b;
	size_t l3, l4, len = build(in, &sp, &l3, &l4);
	struct frame_offload m = meta_for(&sp, l4, 1200);

	cap_port_init(&a, "a", 0);
	cap_port_init(&c, "c", OFFLOAD_CAP_CSUM | OFFLOAD_CAP_TSO6);
	fake_port_init(&b, "b");
	network_attach(net, &a.port);
	network_attach(net, &b.port);
	network_attach(net, &c.port);
	port_receive_offload(&a.port, &m, in, len);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.len[0], len);
	assert_int_equal(c.m[0].gso_type, OFFLOAD_GSO_TCPV6);
	assert_int_equal(b.n, 3);
	check_fake_segments(&b, 0, &sp, len, l3, l4, 74, 1200);
	assert_int_equal(a.n, 0);
	network_free(net);
}

/* Without a network: a plain sink gets the software-finished segments
 * when the port lends a buffer, nothing when it doesn't. */
static unsigned sink_frames;
static uint8_t *sink_data[MAX_SEGS];
static size_t sink_len[MAX_SEGS];

static void plain_sink(void *sink, struct port *from, const uint8_t *frame, size_t len)
{
	assert_true(sink_frames < MAX_SEGS);
	sink_data[sink_frames] = malloc(len);
	assert_non_null(sink_data[sink_frames]);
	memcpy(sink_data[sink_frames], frame, len);
	sink_len[sink_frames++] = len;
}

static const struct port_sink_ops plain_sink_ops = { .receive = plain_sink };

static void test_receive_plain_sink(void **state)
{
	static uint8_t scratch[FRAME_BUF_SIZE];
	struct spec sp = { .tag = -1, .payload = 4000, .tcp_flags = 0x18 };
	struct cap_port a;
	size_t l3, l4, len = build(in, &sp, &l3, &l4);
	struct frame_offload m = meta_for(&sp, l4, 1448);
	unsigned i;

	cap_port_init(&a, "a", 0);
	port_set_sink(&a.port, &plain_sink_ops, NULL);
	port_receive_offload(&a.port, &m, in, len);
	assert_int_equal(sink_frames, 0);
	assert_int_equal(a.port.stats.rx_drops, 1);

	a.port.offload_scratch = scratch;
	port_receive_offload(&a.port, &m, in, len);
	check_segments(&sp, in, len, l3, l4, 54, 1448, (const uint8_t *const *)sink_data,
		       sink_len, sink_frames);
	/* Counted like port_receive(): the first one in rx_frames and rx_drops. */
	assert_int_equal(a.port.stats.rx_frames, 2);
	assert_int_equal(a.port.stats.rx_drops, 1);
	for (i = 0; i < sink_frames; i++)
		free(sink_data[i]);
	sink_frames = 0;

	/* NULL metadata is port_receive(). */
	port_receive_offload(&a.port, NULL, in, 60);
	assert_int_equal(sink_frames, 1);
	assert_int_equal(sink_len[0], 60);
	free(sink_data[0]);
	sink_frames = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_helpers_match_reference),
		cmocka_unit_test(test_segment_tcpv4),
		cmocka_unit_test(test_segment_tcpv6),
		cmocka_unit_test(test_segment_udp_l4),
		cmocka_unit_test(test_segment_stop_and_one),
		cmocka_unit_test(test_csum_complete),
		cmocka_unit_test(test_validate_hostile),
		cmocka_unit_test(test_validate_random),
		cmocka_unit_test(test_vnet_conversion),
		cmocka_unit_test(test_fabric_switch_whole_or_segmented),
		cmocka_unit_test(test_fabric_vlan_shift),
		cmocka_unit_test(test_fabric_hub),
		cmocka_unit_test(test_receive_plain_sink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
