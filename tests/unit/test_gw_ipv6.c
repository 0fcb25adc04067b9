/* SPDX-License-Identifier: MIT
 *
 * test_gw_ipv6.c - the gateway's IPv6 intake, NDP and ICMPv6 echo, frame
 * by frame (no loop): the extension-header walker's verdicts, hostile
 * headers counted, NS/NA/RS answered with what RFC 4861/8106 say, DAD,
 * neighbours bound to their MAC and port, echo answered. Then, with a
 * loop, UDP over IPv6 to a closed port on the host's ::1 comes back as
 * ICMPv6 port unreachable quoting the guest's datagram. The gateway as a
 * router: hop limit 1 gets time exceeded; a guestfwd [V6] server is
 * answered by NDP; a host datagram over the MTU reaches the guest as
 * IPv6 fragments. Checksums are
 * checked with the reference sum of gw_test.h, never the gateway's own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/frame.h"
#include "gateway/ip/ipv6.h"
#include "gateway/services/ndp.h"
#include "helpers/gw_harness.h"

static const uint8_t VM2[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x57 };
static const uint8_t ALLR[6] = { 0x33, 0x33, 0, 0, 0, 2 };
static const uint8_t SNGW[6] = { 0x33, 0x33, 0xff, 0, 0, 2 };
static uint8_t f[2048];

#define GUEST_LL "fe80::5054:ff:fe12:3456"
#define GUEST "fec0::5054:ff:fe12:3456"

static struct in6_addr A(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/* The reference checksum over the IPv6 pseudo-header of ip. */
static uint16_t ref6(const uint8_t *ip, const uint8_t *l4, size_t len, uint8_t nh)
{
	uint32_t s = 0;

	for (int i = 8; i < 40; i += 2)
		s += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	s += (uint32_t)len + nh;
	return ref_csum(l4, len, s);
}

/* Ethernet + IPv6 + ext (elen raw bytes, first next header nh0) + an
 * upper-layer message of type nh; ICMPv6 gets its checksum. */
static size_t mk6(const uint8_t *dmac, const uint8_t *smac, const char *src, const char *dst,
		  uint8_t hop, uint8_t nh0, const uint8_t *ext, size_t elen, uint8_t nh,
		  const uint8_t *msg, size_t mlen)
{
	struct in6_addr s = A(src), d = A(dst);
	uint8_t *ip = f + 14, *l4 = ip + 40 + elen;

	memset(f, 0, sizeof(f));
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	wr16be(f + 12, 0x86dd);
	ip[0] = 0x60;
	wr16be(ip + 4, (uint16_t)(elen + mlen));
	ip[6] = elen ? nh0 : nh;
	ip[7] = hop;
	memcpy(ip + 8, &s, 16);
	memcpy(ip + 24, &d, 16);
	if (elen)
		memcpy(ip + 40, ext, elen);
	memcpy(l4, msg, mlen);
	if (nh == 58 && mlen >= 4) {
		wr16be(l4 + 2, 0);
		wr16be(l4 + 2, ref6(ip, l4, mlen, 58));
	}
	return 14 + 40 + elen + mlen;
}

static size_t icmp6(const uint8_t *dmac, const uint8_t *smac, const char *src, const char *dst,
		    const uint8_t *msg, size_t mlen)
{
	return mk6(dmac, smac, src, dst, 255, 0, NULL, 0, 58, msg, mlen);
}

struct counter_q {
	const char *name;
	uint64_t v;
};

static void counter_fn(void *ctx, const char *name, uint64_t v)
{
	struct counter_q *q = ctx;

	if (!strcmp(name, q->name))
		q->v = v;
}

static uint64_t counter(const char *name)
{
	struct counter_q q = { name, ~0ull };

	gateway_walk_counters(gwh.gw, counter_fn, &q);
	assert_true(q.v != ~0ull);
	return q.v;
}

/* Captured frame i: IPv6 from the gateway's MAC, checksum right; its
 * ICMPv6 message. */
static const uint8_t *cap6(unsigned i, const uint8_t *dmac, const char *src, const char *dst,
			   size_t *mlen)
{
	const uint8_t *c = gwh.cap[i], *ip = c + 14;
	struct in6_addr s = A(src), d = A(dst);

	assert_true(i < gwh.ncap);
	assert_memory_equal(c, dmac, 6);
	assert_memory_equal(c + 6, GWMAC, 6);
	assert_int_equal(rd16be(c + 12), 0x86dd);
	assert_int_equal(ip[0] >> 4, 6);
	assert_int_equal(rd16be(ip + 4), gwh.cap_len[i] - 54);
	assert_memory_equal(ip + 8, &s, 16);
	assert_memory_equal(ip + 24, &d, 16);
	assert_int_equal(ip[6], 58);
	*mlen = rd16be(ip + 4);
	assert_int_equal(ref6(ip, ip + 40, *mlen, 58), 0);
	return ip + 40;
}

/* The walker on its own: chains, caps, lies. */
static void test_walk(void **state)
{
	uint8_t b[256];
	struct gw_ip6_ext e;

	(void)state;
	memset(b, 0, sizeof(b));
	/* hop-by-hop (PadN), destination options, UDP */
	b[0] = 60;
	b[2] = 1;
	b[3] = 4;
	b[8] = 17;
	b[10] = 1;
	b[11] = 4;
	assert_int_equal(gw_ip6_walk(0, b, 24, true, &e), IP6_OK);
	assert_int_equal(e.proto, 17);
	assert_int_equal(e.off, 16);
	assert_int_equal(e.n_ext, 2);
	/* hop-by-hop anywhere but first */
	assert_int_equal(gw_ip6_walk(0, b, 24, false, &e), IP6_EXT_BAD);
	/* a header longer than what is there */
	b[1] = 8;
	assert_int_equal(gw_ip6_walk(0, b, 24, true, &e), IP6_TRUNCATED);
	b[1] = 0;
	/* an unknown option with "discard" action bits */
	b[2] = 0x80;
	assert_int_equal(gw_ip6_walk(0, b, 24, true, &e), IP6_EXT_BAD);
	b[2] = 1;
	/* destination options chained to themselves: the cap ends it */
	memset(b, 0, sizeof(b));
	for (int i = 0; i < 256; i += 8) {
		b[i] = 60;
		b[i + 2] = 1;
		b[i + 3] = 4;
	}
	assert_int_equal(gw_ip6_walk(60, b, sizeof(b), true, &e), IP6_EXT_TOO_MANY);
	/* routing with segments left */
	memset(b, 0, sizeof(b));
	b[0] = 17;
	b[3] = 1;
	assert_int_equal(gw_ip6_walk(43, b, 16, true, &e), IP6_EXT_BAD);
	/* an atomic fragment is walked past; a real one stops the walk */
	memset(b, 0, sizeof(b));
	b[0] = 58;
	wr32be(b + 4, 7);
	assert_int_equal(gw_ip6_walk(44, b, 16, true, &e), IP6_OK);
	assert_false(e.fragment);
	assert_int_equal(e.proto, 58);
	assert_int_equal(e.off, 8);
	wr16be(b + 2, 1); /* M */
	assert_int_equal(gw_ip6_walk(44, b, 16, true, &e), IP6_OK);
	assert_true(e.fragment);
	assert_true(e.frag_more);
	assert_int_equal(e.frag_id, 7);
	/* two fragment headers */
	b[0] = 44;
	wr16be(b + 2, 0);
	assert_int_equal(gw_ip6_walk(44, b, 16, true, &e), IP6_EXT_BAD);
	/* no next header */
	assert_int_equal(gw_ip6_walk(59, b, 16, true, &e), IP6_NO_NEXT);
}

/* Hostile headers into the gateway: counted, nothing sent. */
static void test_hostile(void **state)
{
	static const uint8_t echo[8] = { 128, 0, 0, 0, 0, 1, 0, 1 };
	uint8_t loop[64];
	size_t len;

	(void)state;
	gwh_start("ipv6=on", false);
	/* payload length past the frame */
	len = icmp6(GWMAC, VM1, GUEST, "fec0::2", echo, 8);
	wr16be(f + 18, 200);
	gwh_send(f, len);
	assert_int_equal(gateway_stats(gwh.gw)->ip6_bad_len, 1);
	/* a runt under the fixed header */
	gwh_send(f, 40);
	assert_int_equal(gateway_stats(gwh.gw)->ip6_truncated, 1);
	/* extension headers looping past the cap */
	memset(loop, 0, sizeof(loop));
	for (int i = 0; i < 64; i += 8) {
		loop[i] = 60;
		loop[i + 2] = 1;
		loop[i + 3] = 4;
	}
	gwh_send(f, mk6(GWMAC, VM1, GUEST, "fec0::2", 64, 60, loop, 64, 58, echo, 8));
	assert_int_equal(gateway_stats(gwh.gw)->ip6_ext_too_many, 1);
	/* a chain that runs off the end of the payload */
	loop[1] = 30;
	gwh_send(f, mk6(GWMAC, VM1, GUEST, "fec0::2", 64, 60, loop, 16, 58, echo, 0));
	assert_int_equal(gateway_stats(gwh.gw)->ip6_truncated, 2);
	/* multicast, loopback and our own sources */
	gwh_send(f, icmp6(GWMAC, VM1, "ff02::1", "fec0::2", echo, 8));
	gwh_send(f, icmp6(GWMAC, VM1, "::1", "fec0::2", echo, 8));
	gwh_send(f, icmp6(GWMAC, VM1, "fec0::3", "fec0::2", echo, 8));
	assert_int_equal(gateway_stats(gwh.gw)->ip6_bad_src, 3);
	/* a bad ICMPv6 checksum */
	len = icmp6(GWMAC, VM1, GUEST, "fec0::2", echo, 8);
	f[len - 1] ^= 1;
	gwh_send(f, len);
	assert_int_equal(counter("icmp6_bad_csum"), 1);
	/* NDP with a zero-length option, and off-link (hop limit 64) */
	{
		uint8_t rs[16] = { 133, 0, 0, 0, 0, 0, 0, 0, 1, 0 };

		gwh_send(f, icmp6(ALLR, VM1, GUEST_LL, "ff02::2", rs, 16));
		assert_int_equal(counter("ndp_bad_opts"), 1);
		gwh_send(f, mk6(ALLR, VM1, GUEST_LL, "ff02::2", 64, 0, NULL, 0, 58, rs, 8));
		assert_int_equal(counter("ndp_bad"), 1);
	}
	assert_int_equal(gwh.ncap, 0);
	/* and the gateway still answers */
	gwh_send(f, icmp6(GWMAC, VM1, GUEST, "fec0::2", echo, 8));
	assert_int_equal(gwh.ncap, 1);
}

static void test_ns_na(void **state)
{
	uint8_t ns[32] = { 135 }, dad[24] = { 135 };
	struct in6_addr t = A("fec0::2"), g = A(GUEST);
	const uint8_t *m;
	size_t mlen;

	(void)state;
	gwh_start("ipv6=on", false);
	memcpy(ns + 8, &t, 16);
	ns[24] = 1;
	ns[25] = 1;
	memcpy(ns + 26, VM1, 6);
	gwh_send(f, icmp6(SNGW, VM1, GUEST, "ff02::1:ff00:2", ns, 32));
	assert_int_equal(gwh.ncap, 1);
	m = cap6(0, VM1, "fec0::2", GUEST, &mlen);
	assert_int_equal(gwh.cap[0][14 + 7], 255);
	assert_int_equal(m[0], 136);
	assert_int_equal(m[4], 0xe0); /* router, solicited, override */
	assert_memory_equal(m + 8, &t, 16);
	assert_int_equal(m[24], 2);
	assert_memory_equal(m + 26, GWMAC, 6);
	assert_non_null(gateway_ndp_lookup(gwh.gw, &g));
	/* the link-local form too */
	t = A("fe80::3");
	memcpy(ns + 8, &t, 16);
	gwh_send(f, icmp6(SNGW, VM1, GUEST_LL, "ff02::1:ff00:3", ns, 32));
	assert_int_equal(gwh.ncap, 2);
	m = cap6(1, VM1, "fe80::3", GUEST_LL, &mlen);
	/* a DAD probe for the guest's own address: ignored, not learned */
	t = A("fec0::99");
	memcpy(dad + 8, &t, 16);
	gwh_send(f, icmp6(SNGW, VM2, "::", "ff02::1:ff00:99", dad, 24));
	assert_int_equal(gwh.ncap, 2);
	assert_null(gateway_ndp_lookup(gwh.gw, &t));
	/* (its group is not one of ours: dropped before NDP looks at it) */
	assert_int_equal(gateway_stats(gwh.gw)->ip6_not_for_us, 1);
	/* a DAD probe for our address is defended, to all nodes */
	t = A("fec0::2");
	memcpy(dad + 8, &t, 16);
	gwh_send(f, icmp6(SNGW, VM2, "::", "ff02::1:ff00:2", dad, 24));
	assert_int_equal(gwh.ncap, 3);
	cap6(2, (const uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 1 }, "fec0::2", "ff02::1", &mlen);
	/* VM2 claims VM1's address (unsolicited NA, then traffic): refused */
	{
		uint8_t na[32] = { 136, 0, 0, 0, 0x20 };
		static const uint8_t echo[8] = { 128, 0, 0, 0, 0, 1, 0, 1 };

		memcpy(na + 8, &g, 16);
		na[24] = 2;
		na[25] = 1;
		memcpy(na + 26, VM2, 6);
		gwh_send(f, icmp6((const uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 1 }, VM2, "fe80::1",
				  "ff02::1", na, 32));
		assert_memory_equal(gateway_ndp_lookup(gwh.gw, &g), VM1, 6);
		gwh_send(f, icmp6(GWMAC, VM2, GUEST, "fec0::2", echo, 8));
		assert_int_equal(gwh.ncap, 3);
		assert_int_equal(counter("ndp_spoofed"), 2);
		/* the same MAC from another switch port neither */
		gwh.station = 7;
		gwh_send(f, icmp6(GWMAC, VM1, GUEST, "fec0::2", echo, 8));
		assert_int_equal(gwh.ncap, 3);
		gwh.station = 0;
		gwh_send(f, icmp6(GWMAC, VM1, GUEST, "fec0::2", echo, 8));
		assert_int_equal(gwh.ncap, 4);
		/* an NA claiming our address is dropped */
		t = A("fec0::3");
		memcpy(na + 8, &t, 16);
		memcpy(na + 26, VM1, 6);
		gwh_send(f, icmp6((const uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 1 }, VM1, GUEST_LL,
				  "ff02::1", na, 32));
		assert_int_equal(counter("ndp_spoofed"), 4);
	}
}

static void test_rs_ra(void **state)
{
	uint8_t rs[16] = { 133, 0, 0, 0, 0, 0, 0, 0, 1, 1 };
	const uint8_t *m, *o;
	size_t mlen, i;
	bool prefix = false, mtu = false, rdnss = false, dnssl = false;

	(void)state;
	gwh_start("ipv6=on,ipv6-dhcp=stateful,mtu=1400,dnssearch=example.test", false);
	memcpy(rs + 10, VM1, 6);
	gwh_send(f, icmp6(ALLR, VM1, GUEST_LL, "ff02::2", rs, 16));
	assert_int_equal(gwh.ncap, 1);
	m = cap6(0, VM1, "fe80::2", GUEST_LL, &mlen);
	assert_int_equal(m[0], 134);
	assert_int_equal(m[4], 64);
	assert_int_equal(m[5], 0xc0); /* M and O */
	assert_true(rd16be(m + 6) >= 1800);
	for (i = 16; i + 2 <= mlen; i += (size_t)o[1] * 8) {
		o = m + i;
		assert_true(o[1] && i + (size_t)o[1] * 8 <= mlen);
		if (o[0] == 3) {
			struct in6_addr p = A("fec0::");

			assert_int_equal(o[2], 64);
			assert_int_equal(o[3], 0xc0); /* L, A */
			assert_memory_equal(o + 16, &p, 16);
			prefix = true;
		} else if (o[0] == 5) {
			assert_int_equal(rd32be(o + 4), 1400);
			mtu = true;
		} else if (o[0] == 25) {
			struct in6_addr d = A("fec0::3");

			assert_int_equal(o[1], 3);
			assert_memory_equal(o + 8, &d, 16);
			rdnss = true;
		} else if (o[0] == 31) {
			assert_memory_equal(o + 8, "\7example\4test\0", 14);
			dnssl = true;
		}
	}
	assert_true(prefix && mtu && rdnss && dnssl);
	/* an RS right after is rate limited */
	gwh_send(f, icmp6(ALLR, VM1, GUEST_LL, "ff02::2", rs, 16));
	assert_int_equal(gwh.ncap, 1);
	assert_int_equal(counter("ndp_ra_ratelimited"), 1);
	/* a guest's RA is not believed */
	rs[0] = 134;
	gwh_send(f, icmp6(ALLR, VM1, GUEST_LL, "ff02::1", rs, 16));
	assert_int_equal(counter("ndp_from_guest_router"), 1);
}

static void test_echo(void **state)
{
	uint8_t echo[64] = { 128, 0, 0, 0, 0x12, 0x34, 0, 7, 'p', 'i', 'n', 'g' };
	const uint8_t *m;
	size_t mlen;

	(void)state;
	gwh_start("ipv6=on", false);
	gwh_send(f, icmp6(GWMAC, VM1, GUEST, "fec0::3", echo, 64));
	gwh_send(f, icmp6(GWMAC, VM1, GUEST_LL, "fe80::2", echo, 64));
	assert_int_equal(gwh.ncap, 2);
	m = cap6(0, VM1, "fec0::3", GUEST, &mlen);
	assert_int_equal(mlen, 64);
	assert_int_equal(m[0], 129);
	assert_memory_equal(m + 4, echo + 4, 60);
	cap6(1, VM1, "fe80::2", GUEST_LL, &mlen);
	/* to a group: not answered; ipv6=off: nothing at all */
	gwh_send(f, icmp6((const uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 1 }, VM1, GUEST, "ff02::1",
			  echo, 64));
	assert_int_equal(gwh.ncap, 2);
	gwh_teardown(NULL);
	gwh_start("ipv6=off", false);
	gwh_send(f, icmp6(GWMAC, VM1, GUEST, "fec0::3", echo, 64));
	assert_int_equal(gwh.ncap, 0);
	assert_int_equal(gateway_stats(gwh.gw)->ip6_off, 1);
}

/* A port on ::1 nothing listens on (bound, then closed); 0 without IPv6. */
static uint16_t closed_port6(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	uint16_t port = 0;

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &al))
		port = ntohs(a.sin6_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static void test_udp_unreach6(void **state)
{
	uint8_t dg[8 + 5] = { 0x30, 0x39, 0, 0, 0, 13, 0, 0, 'k', 'n', 'o', 'c', 'k' };
	uint16_t port = closed_port6();
	struct in6_addr guest = A(GUEST), gw = A("fec0::2");
	const uint8_t *m = NULL, *q;
	size_t len, mlen = 0;

	(void)state;
	if (!port)
		skip(); /* no IPv6 on this host */
	gwh_start("ipv6=on", true);
	wr16be(dg + 2, port);
	/* ICMP errors are rate limited host-wide: knock until one is back. */
	for (int tries = 0; tries < 10 && !m; tries++) {
		len = mk6(GWMAC, VM1, GUEST, "fec0::2", 64, 0, NULL, 0, 17, dg, sizeof(dg));
		wr16be(f + 54 + 6, ref6(f + 14, f + 54, sizeof(dg), 17));
		gwh_send(f, len);
		gwh_spin(gwh.loop, 300);
		for (unsigned i = 0; i < gwh.ncap && !m; i++)
			if (gwh.cap[i][14 + 6] == 58 && gwh.cap[i][54] == 1)
				m = cap6(i, VM1, "fec0::2", GUEST, &mlen);
	}
	assert_non_null(m);
	assert_int_equal(m[1], 4); /* port unreachable */
	assert_int_equal(rd32be(m + 4), 0);
	assert_int_equal(mlen, 8 + 40 + sizeof(dg));
	q = m + 8; /* the guest's packet, its own addresses */
	assert_int_equal(q[0] >> 4, 6);
	assert_int_equal(q[6], 17);
	assert_int_equal(rd16be(q + 4), sizeof(dg));
	assert_memory_equal(q + 8, &guest, 16);
	assert_memory_equal(q + 24, &gw, 16);
	assert_int_equal(rd16be(q + 40), 0x3039);
	assert_int_equal(rd16be(q + 42), port);
	assert_memory_equal(q + 48, "knock", 5);
	assert_true(gateway_stats(gwh.gw)->icmp_errors_to_guest >= 1);
}

/* UDP from the guest with hop limit hop to dst: the frame in f. */
static size_t udp6(const char *src, const char *dst, uint8_t hop, const char *text)
{
	uint8_t dg[64] = { 0x30, 0x39, 0x00, 0x35 };
	size_t n = strlen(text), len;

	wr16be(dg + 4, (uint16_t)(8 + n));
	memcpy(dg + 8, text, n);
	len = mk6(GWMAC, VM1, src, dst, hop, 0, NULL, 0, 17, dg, 8 + n);
	wr16be(f + 54 + 6, ref6(f + 14, f + 54, 8 + n, 17));
	return len;
}

/* The gateway routes: hop limit 1 or 0 to beyond ipv6-net is answered with
 * time exceeded quoting the packet; ours, errors, :: are not; a flood is
 * limited per source. No loop: nothing reaches the NAT. */
static void test_hop_exceeded(void **state)
{
	static const uint8_t err1[8] = { 1, 4, 0, 0, 0, 0, 0, 0 };
	uint8_t echo[16] = { 128, 0, 0, 0, 0, 1, 0, 1 }, sent[128];
	const uint8_t *m;
	size_t mlen, len;
	unsigned answered;

	(void)state;
	gwh_start("ipv6=on", false);
	len = udp6(GUEST, "2001:db8::1", 1, "probe");
	memcpy(sent, f + 14, len - 14);
	gwh_send(f, len);
	assert_int_equal(gwh.ncap, 1);
	m = cap6(0, VM1, "fec0::2", GUEST, &mlen);
	assert_int_equal(m[0], 3);
	assert_int_equal(m[1], 0);
	assert_int_equal(rd32be(m + 4), 0);
	assert_int_equal(mlen, 8 + len - 14);
	assert_memory_equal(m + 8, sent, len - 14); /* the packet as sent */
	assert_int_equal(counter("ip6_hop_exceeded"), 1);
	/* hop limit 0 too; from a link-local source the error comes from fe80::2 */
	gwh_send(f, udp6(GUEST, "2001:db8::1", 0, "zero"));
	gwh_send(f, udp6(GUEST_LL, "2001:db8::1", 1, "ll"));
	assert_int_equal(gwh.ncap, 3);
	cap6(1, VM1, "fec0::2", GUEST, &mlen);
	m = cap6(2, VM1, "fe80::2", GUEST_LL, &mlen);
	assert_int_equal(m[0], 3);
	/* to the gateway itself with hop limit 1: answered, not expired */
	gwh_send(f, mk6(GWMAC, VM1, GUEST, "fec0::2", 1, 0, NULL, 0, 58, echo, sizeof(echo)));
	assert_int_equal(gwh.ncap, 4);
	m = cap6(3, VM1, "fec0::2", GUEST, &mlen);
	assert_int_equal(m[0], 129);
	/* hop limit 2 is forwarded (no loop here: the NAT drops it, silently) */
	gwh_send(f, udp6(GUEST, "2001:db8::1", 2, "fine"));
	assert_int_equal(gwh.ncap, 4);
	/* an ICMPv6 error with hop limit 1: never an error about an error */
	gwh_send(f, mk6(GWMAC, VM1, GUEST, "2001:db8::1", 1, 0, NULL, 0, 58, err1, 8));
	assert_int_equal(gwh.ncap, 4);
	assert_int_equal(counter("ip6_hop_exceeded"), 4);
	/* a flood from one source: at most the burst is answered */
	for (int i = 0; i < 30; i++)
		gwh_send(f, udp6(GUEST, "2001:db8::1", 1, "flood"));
	answered = gwh.ncap - 4;
	assert_true(answered >= 1 && answered < 30);
	assert_int_equal(counter("ip6_hop_ratelimited"), 30 - answered);
}

/* guestfwd=tcp:[fec0::64]:... makes fec0::64 the gateway's on the link:
 * NS answered with its MAC, nobody else may claim it. */
static void test_guestfwd6_ndp(void **state)
{
	uint8_t ns[32] = { 135 }, na[32] = { 136, 0, 0, 0, 0x20 };
	static const uint8_t SN64[6] = { 0x33, 0x33, 0xff, 0, 0, 0x64 };
	static const uint8_t echo[8] = { 128, 0, 0, 0, 0, 1, 0, 1 };
	struct in6_addr t = A("fec0::64");
	const uint8_t *m;
	size_t mlen;

	(void)state;
	gwh_start("ipv6=on,guestfwd=tcp:[fec0::64]:8080-tcp:127.0.0.1:9", false);
	memcpy(ns + 8, &t, 16);
	ns[24] = 1;
	ns[25] = 1;
	memcpy(ns + 26, VM1, 6);
	gwh_send(f, icmp6(SN64, VM1, GUEST, "ff02::1:ff00:64", ns, 32));
	assert_int_equal(gwh.ncap, 1);
	m = cap6(0, VM1, "fec0::64", GUEST, &mlen);
	assert_int_equal(m[0], 136);
	assert_memory_equal(m + 8, &t, 16);
	assert_int_equal(m[24], 2);
	assert_memory_equal(m + 26, GWMAC, 6);
	/* a guest's NA for it, or traffic from it, is refused */
	memcpy(na + 8, &t, 16);
	na[24] = 2;
	na[25] = 1;
	memcpy(na + 26, VM2, 6);
	gwh_send(f, icmp6((const uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 1 }, VM2, "fe80::1", "ff02::1",
			  na, 32));
	assert_int_equal(counter("ndp_spoofed"), 1);
	assert_null(gateway_ndp_lookup(gwh.gw, &t));
	gwh_send(f, icmp6(GWMAC, VM2, "fec0::64", "fec0::2", echo, 8));
	assert_int_equal(gateway_stats(gwh.gw)->ip6_bad_src, 1);
	assert_int_equal(gwh.ncap, 1);
	/* without the rule, fec0::64 is some guest's business */
	gwh_teardown(NULL);
	gwh_start("ipv6=on", false);
	gwh_send(f, icmp6(SN64, VM1, GUEST, "ff02::1:ff00:64", ns, 32));
	assert_int_equal(gwh.ncap, 0);
}

/* A host datagram over the guest's MTU comes as IPv6 fragments: offsets
 * in 8-byte units, M on all but the last, one identification, and the
 * pieces put together are the UDP datagram with a right checksum. */
static void test_udp6_fragments(void **state)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in6 from;
	socklen_t al = sizeof(a), fl = sizeof(from);
	static uint8_t big[3000], whole[8 + sizeof(big)];
	uint8_t first_ip[40];
	uint8_t dg[8 + 2] = { 0x30, 0x39, 0, 0, 0, 10, 0, 0, 'h', 'i' };
	size_t len, got = 0;
	uint32_t id = 0;
	char buf[16];
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);

	(void)state;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &al)) {
		if (fd >= 0)
			close(fd);
		skip(); /* no IPv6 on this host */
	}
	gwh_start("ipv6=on,mtu=1280", true);
	wr16be(dg + 2, ntohs(a.sin6_port));
	len = mk6(GWMAC, VM1, GUEST, "fec0::2", 64, 0, NULL, 0, 17, dg, sizeof(dg));
	wr16be(f + 54 + 6, ref6(f + 14, f + 54, sizeof(dg), 17));
	gwh_send(f, len);
	gwh_spin(gwh.loop, 100);
	assert_int_equal(recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 2);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	assert_int_equal(sendto(fd, big, sizeof(big), 0, (struct sockaddr *)&from, fl),
			 (ssize_t)sizeof(big));
	close(fd);
	/* The loop's unsolicited router advertisement may come first or in
	 * between: the fragments are the frames with a fragment header. */
	for (int spins = 0; spins < 40 && counter("ip6_frag_out") < 3; spins++)
		gwh_spin(gwh.loop, 50);
	/* 1280 - 40 - 8 = 1232 bytes a piece, 3008 bytes of UDP: 3 pieces */
	for (unsigned k = 0, i = 0; k < gwh.ncap; k++) {
		const uint8_t *c = gwh.cap[k], *ip = c + 14, *fh = ip + 40;
		size_t plen = rd16be(ip + 4) - 8;

		if (ip[6] != 44)
			continue;
		assert_true(i < 3);
		assert_memory_equal(c, VM1, 6);
		assert_true(gwh.cap_len[k] <= 14 + 1280);
		assert_int_equal(gwh.cap_len[k], 14 + 40 + 8 + plen);
		assert_int_equal(fh[0], 17);
		assert_int_equal(rd16be(fh + 2) & ~7u, got);
		assert_int_equal(rd16be(fh + 2) & 1, i < 2);
		if (i)
			assert_int_equal(rd32be(fh + 4), id);
		else
			memcpy(first_ip, ip, 40);
		id = rd32be(fh + 4);
		if (i < 2)
			assert_int_equal(plen, 1232);
		assert_true(got + plen <= sizeof(whole));
		memcpy(whole + got, fh + 8, plen);
		got += plen;
		i++;
	}
	assert_int_equal(got, sizeof(whole));
	assert_int_equal(rd16be(whole + 2), 0x3039);
	assert_int_equal(rd16be(whole + 4), sizeof(whole));
	assert_memory_equal(whole + 8, big, sizeof(big));
	/* the reference sum over the pseudo-header of the unfragmented packet */
	assert_int_equal(ref6(first_ip, whole, sizeof(whole), 17), 0);
	assert_int_equal(counter("ip6_frag_out"), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
		cmocka_unit_test_teardown(test_hostile, gwh_teardown),
		cmocka_unit_test_teardown(test_ns_na, gwh_teardown),
		cmocka_unit_test_teardown(test_rs_ra, gwh_teardown),
		cmocka_unit_test_teardown(test_echo, gwh_teardown),
		cmocka_unit_test_teardown(test_udp_unreach6, gwh_teardown),
		cmocka_unit_test_teardown(test_hop_exceeded, gwh_teardown),
		cmocka_unit_test_teardown(test_guestfwd6_ndp, gwh_teardown),
		cmocka_unit_test_teardown(test_udp6_fragments, gwh_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
