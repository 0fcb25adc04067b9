/* SPDX-License-Identifier: MIT
 *
 * test_gw_frames.c - crafted frames into the gateway port, emitted frames
 * checked byte for byte: ARP, IPv4 validation, ICMP echo, DHCP, DNS
 * (built-in and forwarded to local upstream sockets on 127.0.0.1), and
 * the hostile shapes behind the libslirp CVEs, each dropped and counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/keyval.h"
#include "core/frame.h"
#include "core/loop.h"
#include "core/port.h"
#include "gateway/gateway.h"
#include "gateway/services/dns.h"
#include "helpers/gw_harness.h"

static const uint8_t VM2[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };
static const uint8_t VM3[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

#define GW_TEST_ICMP_BURST 10 /* GW_ICMP_ERR_BURST, stated here on purpose */

static const struct gw_stats *st(void)
{
	return gateway_stats(gwh.gw);
}

/* Ethernet + IPv4 around l4 (already at f+34). */
static size_t mk_ip(uint8_t *f, const uint8_t *src_mac, const uint8_t *dst_mac, uint32_t src,
		    uint32_t dst, uint8_t proto, size_t l4len)
{
	gwh_eth(f, dst_mac, src_mac, 0x0800);
	gwh_ipv4(f + 14, src, dst, proto, 0x1234, 0, l4len);
	return 34 + l4len;
}

static size_t mk_udp(uint8_t *f, const uint8_t *src_mac, const uint8_t *dst_mac, uint32_t src,
		     uint16_t sport, uint32_t dst, uint16_t dport, size_t dlen)
{
	gwh_udp(f + 34, src, sport, dst, dport, dlen);
	return mk_ip(f, src_mac, dst_mac, src, dst, 17, 8 + dlen);
}

/* ---- ARP ---- */

static size_t mk_arp(uint8_t *f, uint16_t op, const uint8_t *sha, uint32_t spa, uint32_t tpa)
{
	memcpy(f, BCAST, 6);
	memcpy(f + 6, sha, 6);
	wr16be(f + 12, 0x0806);
	wr16be(f + 14, 1);
	wr16be(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	wr16be(f + 20, op);
	memcpy(f + 22, sha, 6);
	wr32be(f + 28, spa);
	memset(f + 32, 0, 6);
	wr32be(f + 38, tpa);
	return 42;
}

static void test_arp(void **state)
{
	uint8_t f[64], want[60] = { 0 };

	gwh_start("", false);
	gwh_send(f, mk_arp(f, 1, VM1, IP(10, 0, 2, 15), IP(10, 0, 2, 2)));
	assert_int_equal(gwh.ncap, 1);
	memcpy(want, VM1, 6);
	memcpy(want + 6, GWMAC, 6);
	memcpy(want + 12, "\x08\x06\x00\x01\x08\x00\x06\x04\x00\x02", 10);
	memcpy(want + 22, GWMAC, 6);
	memcpy(want + 28, "\x0a\x00\x02\x02", 4);
	memcpy(want + 32, VM1, 6);
	memcpy(want + 38, "\x0a\x00\x02\x0f", 4);
	assert_int_equal(gwh.cap_len[0], 60);
	assert_memory_equal(gwh.cap[0], want, 60);

	gwh_send(f, mk_arp(f, 1, VM1, IP(10, 0, 2, 15), IP(10, 0, 2, 3)));
	assert_int_equal(gwh.ncap, 2);
	assert_memory_equal(gwh.cap[1] + 28, "\x0a\x00\x02\x03", 4);
	assert_memory_equal(gwh.cap[1] + 22, GWMAC, 6);

	/* not ours, gratuitous, replies: learned, not answered */
	gwh_send(f, mk_arp(f, 1, VM1, IP(10, 0, 2, 15), IP(10, 0, 2, 99)));
	gwh_send(f, mk_arp(f, 2, VM2, IP(10, 0, 2, 16), IP(10, 0, 2, 2)));
	assert_int_equal(gwh.ncap, 2);
	assert_int_equal(st()->arp_ignored, 2);

	/* hostile: truncated, wrong sizes, wrong op */
	mk_arp(f, 1, VM1, IP(10, 0, 2, 15), IP(10, 0, 2, 2));
	gwh_send(f, 41);
	assert_int_equal(st()->arp_truncated, 1);
	f[18] = 200;
	gwh_send(f, 42);
	mk_arp(f, 9, VM1, IP(10, 0, 2, 15), IP(10, 0, 2, 2));
	gwh_send(f, 42);
	assert_int_equal(st()->arp_bad, 2);
	assert_int_equal(gwh.ncap, 2);
}

/* ---- IPv4 validation and ICMP ---- */

static size_t mk_ping(uint8_t *f, uint32_t dst, size_t payload)
{
	uint8_t *ic = f + 34;

	ic[0] = 8;
	ic[1] = 0;
	wr16be(ic + 2, 0);
	wr16be(ic + 4, 0x4242);
	wr16be(ic + 6, 7);
	for (size_t i = 0; i < payload; i++)
		ic[8 + i] = (uint8_t)i;
	wr16be(ic + 2, ref_csum(ic, 8 + payload, 0));
	return mk_ip(f, VM1, GWMAC, IP(10, 0, 2, 15), dst, 1, 8 + payload);
}

static void test_icmp_echo(void **state)
{
	uint8_t f[2000] = { 0 };
	size_t len;

	gwh_start("", false);
	len = mk_ping(f, IP(10, 0, 2, 2), 56);
	gwh_send(f, len);
	assert_int_equal(gwh.ncap, 1);
	assert_int_equal(gwh.cap_len[0], len);
	assert_memory_equal(gwh.cap[0], VM1, 6);
	assert_memory_equal(gwh.cap[0] + 6, GWMAC, 6);
	assert_int_equal(ref_csum(gwh.cap[0] + 14, 20, 0), 0);
	assert_int_equal(rd32be(gwh.cap[0] + 26), IP(10, 0, 2, 2));
	assert_int_equal(rd32be(gwh.cap[0] + 30), IP(10, 0, 2, 15));
	assert_int_equal(gwh.cap[0][34], 0);
	assert_int_equal(ref_csum(gwh.cap[0] + 34, 64, 0), 0);
	assert_memory_equal(gwh.cap[0] + 38, f + 38, 60); /* id, seq, payload */
	assert_int_equal(st()->icmp_echo_replies, 1);

	gwh_send(f, mk_ping(f, IP(10, 0, 2, 3), 0));
	assert_int_equal(gwh.ncap, 2);

	len = mk_ping(f, IP(10, 0, 2, 2), 56);
	f[40] ^= 1;
	gwh_send(f, len);
	assert_int_equal(st()->icmp_bad_csum, 1);
	gwh_send(f, mk_ping(f, IP(8, 8, 8, 8), 8));
	assert_int_equal(st()->ip_unhandled, 1);
	/* ICMP shorter than its header */
	gwh_send(f, mk_ip(f, VM1, GWMAC, IP(10, 0, 2, 15), IP(10, 0, 2, 2), 1, 4));
	assert_int_equal(st()->icmp_truncated, 1);
	assert_int_equal(gwh.ncap, 2);
}

static void test_ip_hostile(void **state)
{
	uint8_t f[2000] = { 0 };
	size_t len;

	gwh_start("", false);
	len = mk_ping(f, IP(10, 0, 2, 2), 16);

	gwh_send(f, 14 + 19);
	assert_int_equal(st()->ip_truncated, 1);
	f[14] = 0x65;
	gwh_send(f, len);
	assert_int_equal(st()->ip_bad_version, 1);
	f[14] = 0x44;
	gwh_send(f, len);
	assert_int_equal(st()->ip_bad_ihl, 1);
	f[14] = 0x4f; /* 60-byte header, 48 bytes of packet */
	gwh_send(f, len);
	assert_int_equal(st()->ip_truncated, 2);

	len = mk_ping(f, IP(10, 0, 2, 2), 16);
	gwh_send(f, len - 1); /* total length beyond the frame */
	assert_int_equal(st()->ip_bad_len, 1);
	wr16be(f + 16, 19); /* total length below the header */
	gwh_send(f, len);
	assert_int_equal(st()->ip_bad_len, 2);

	len = mk_ping(f, IP(10, 0, 2, 2), 16);
	f[24] ^= 0xff;
	gwh_send(f, len);
	assert_int_equal(st()->ip_bad_csum, 1);

	len = mk_ping(f, IP(10, 0, 2, 2), 16);
	f[20] = 0x20; /* MF */
	wr16be(f + 24, 0);
	wr16be(f + 24, ref_csum(f + 14, 20, 0));
	gwh_send(f, len);
	wr16be(f + 20, 0x0001); /* offset 8 */
	wr16be(f + 24, 0);
	wr16be(f + 24, ref_csum(f + 14, 20, 0));
	gwh_send(f, len);
	assert_int_equal(st()->ip_fragments, 2);

	/* Ethernet padding after the IP packet is fine */
	len = mk_ping(f, IP(10, 0, 2, 2), 0);
	memset(f + len, 0xee, 60 - len);
	gwh_send(f, 60);
	assert_int_equal(gwh.ncap, 1);
	assert_int_equal(gwh.cap_len[0], len);

	/* spoofed source, other MAC, other ethertypes */
	mk_ip(f, VM1, GWMAC, IP(10, 0, 2, 2), IP(10, 0, 2, 3), 1, 8);
	gwh_send(f, 42);
	assert_int_equal(st()->ip_bad_src, 1);
	len = mk_ping(f, IP(10, 0, 2, 2), 0);
	memcpy(f, VM2, 6);
	gwh_send(f, len);
	assert_int_equal(st()->not_for_us, 1);
	memcpy(f, GWMAC, 6);
	wr16be(f + 12, 0x88b5); /* IEEE local experimental */
	gwh_send(f, len);
	assert_int_equal(st()->bad_ethertype, 1);
	gwh_send(f, 13); /* the port layer drops runts */
	assert_int_equal(gwh.ncap, 1);

	/* UDP: length beyond the packet, bad checksum, short header */
	len = mk_udp(f, VM1, GWMAC, IP(10, 0, 2, 15), 1000, IP(10, 0, 2, 3), 53, 4);
	wr16be(f + 38, 13);
	gwh_send(f, len);
	assert_int_equal(st()->udp_bad_len, 1);
	len = mk_udp(f, VM1, GWMAC, IP(10, 0, 2, 15), 1000, IP(10, 0, 2, 3), 53, 4);
	f[len - 1] ^= 1;
	gwh_send(f, len);
	assert_int_equal(st()->udp_bad_csum, 1);
	gwh_send(f, mk_ip(f, VM1, GWMAC, IP(10, 0, 2, 15), IP(10, 0, 2, 3), 17, 7));
	assert_int_equal(st()->udp_truncated, 1);
	assert_int_equal(gwh.ncap, 1);
}

/* ---- TTL: the gateway is hop 1 ---- */

static void with_ttl(uint8_t *f, uint8_t ttl)
{
	f[14 + 8] = ttl;
	wr16be(f + 24, 0);
	wr16be(f + 24, ref_csum(f + 14, 20, 0));
}

/* Frame i is ICMP time exceeded from 10.0.2.2 to guest (MAC VM1) quoting
 * the first 28 bytes of the IPv4 datagram at orig. */
static void check_time_exceeded(unsigned i, uint32_t guest, const uint8_t *orig)
{
	const uint8_t *ip = gwh.cap[i] + 14, *ic = ip + 20;

	assert_memory_equal(gwh.cap[i], VM1, 6);
	assert_int_equal(rd16be(ip + 2), 20 + 8 + 28);
	assert_int_equal(ip[9], 1);
	assert_int_equal(ref_csum(ip, 20, 0), 0);
	assert_int_equal(rd32be(ip + 12), IP(10, 0, 2, 2));
	assert_int_equal(rd32be(ip + 16), guest);
	assert_int_equal(ic[0], 11);
	assert_int_equal(ic[1], 0);
	assert_int_equal(ref_csum(ic, 8 + 28, 0), 0);
	assert_memory_equal(ic + 8, orig, 28); /* IP header + 8 bytes, as sent */
}

static void test_ttl_exceeded(void **state)
{
	uint8_t f[200] = { 0 }; /* the UDP payload is whatever is there: make it defined */
	size_t len;

	gwh_start("", false);
	/* UDP (traceroute's probe) to the outside with TTL 1, then 0 */
	len = mk_udp(f, VM1, GWMAC, IP(10, 0, 2, 15), 40000, IP(192, 0, 2, 1), 33434, 12);
	with_ttl(f, 1);
	gwh_send(f, len);
	assert_int_equal(gwh.ncap, 1);
	check_time_exceeded(0, IP(10, 0, 2, 15), f + 14);
	with_ttl(f, 0);
	gwh_send(f, len);
	assert_int_equal(gwh.ncap, 2);
	check_time_exceeded(1, IP(10, 0, 2, 15), f + 14);
	with_ttl(f, 2); /* one hop left: goes on (no NAT without a loop) */
	gwh_send(f, len);
	assert_int_equal(gwh.ncap, 2);
	assert_int_equal(st()->udp_unhandled, 1);

	/* ICMP echo through the gateway, TTL 1: time exceeded quoting it */
	len = mk_ping(f, IP(198, 51, 100, 7), 16);
	with_ttl(f, 1);
	gwh_send(f, len);
	assert_int_equal(gwh.ncap, 3);
	check_time_exceeded(2, IP(10, 0, 2, 15), f + 14);
	/* ... but to the gateway itself TTL 1 is fine: an echo reply */
	len = mk_ping(f, IP(10, 0, 2, 2), 16);
	with_ttl(f, 1);
	gwh_send(f, len);
	assert_int_equal(gwh.ncap, 4);
	assert_int_equal(gwh.cap[3][34], 0);
	/* an ICMP error with TTL 1 gets no error about it */
	len = mk_ping(f, IP(198, 51, 100, 7), 16);
	f[34] = 3;
	f[35] = 1;
	wr16be(f + 36, 0);
	wr16be(f + 36, ref_csum(f + 34, 24, 0));
	with_ttl(f, 1);
	gwh_send(f, len);
	assert_int_equal(gwh.ncap, 4);
	assert_int_equal(st()->ip_ttl_exceeded, 4);

	/* not routed: our network, broadcasts, multicast, DHCP */
	static const uint32_t local[] = { IP(10, 0, 2, 99), IP(10, 0, 2, 255), 0xffffffff,
					  IP(224, 0, 0, 251) };
	for (unsigned i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		len = mk_udp(f, VM1, GWMAC, IP(10, 0, 2, 15), 5353, local[i], 5353, 4);
		with_ttl(f, 1);
		gwh_send(f, len);
	}
	assert_int_equal(gwh.ncap, 4);
	assert_int_equal(st()->ip_ttl_exceeded, 4);
	assert_int_equal(st()->icmp_errors_to_guest, 3);
}

/* A flood of TTL-1 datagrams is answered at the per-guest rate, and one
 * guest's flood does not use up another's. */
static void test_ttl_exceeded_rate_limited(void **state)
{
	uint8_t f[200] = { 0 }; /* the UDP payload is whatever is there: make it defined */
	size_t len;
	unsigned n;

	gwh_start("", false);
	len = mk_udp(f, VM1, GWMAC, IP(10, 0, 2, 15), 40000, IP(192, 0, 2, 1), 33434, 12);
	with_ttl(f, 1);
	for (int i = 0; i < 40; i++)
		gwh_send(f, len);
	n = gwh.ncap;
	assert_true(n >= GW_TEST_ICMP_BURST && n <= GW_TEST_ICMP_BURST + 2);
	assert_int_equal(st()->ip_ttl_ratelimited, 40 - n);
	len = mk_udp(f, VM1, GWMAC, IP(10, 0, 2, 16), 40000, IP(192, 0, 2, 1), 33434, 12);
	with_ttl(f, 1);
	gwh_send(f, len);
	assert_int_equal(gwh.ncap, n + 1);
	check_time_exceeded(n, IP(10, 0, 2, 16), f + 14);
}

/* ---- DHCP ---- */

static size_t mk_dhcp(uint8_t *f, const uint8_t *mac, uint32_t ciaddr, bool bflag,
		      const uint8_t *opts, size_t olen)
{
	uint8_t *b = f + 42;

	memset(b, 0, 240);
	b[0] = 1;
	b[1] = 1;
	b[2] = 6;
	wr32be(b + 4, 0xdeadbeef);
	if (bflag)
		wr16be(b + 10, 0x8000);
	wr32be(b + 12, ciaddr);
	memcpy(b + 28, mac, 6);
	wr32be(b + 236, 0x63825363);
	memcpy(b + 240, opts, olen);
	return mk_udp(f, mac, BCAST, ciaddr, 68, ciaddr ? IP(10, 0, 2, 2) : 0xffffffff, 67,
		      240 + olen);
}

/* Find option code in a reply's options; returns its length or -1. */
static int opt(unsigned i, uint8_t code, const uint8_t **val)
{
	const uint8_t *o = gwh.cap[i] + 42 + 240, *end = gwh.cap[i] + gwh.cap_len[i];

	while (o < end && *o != 255) {
		if (!*o) {
			o++;
			continue;
		}
		assert_true(o + 2 <= end && o + 2 + o[1] <= end);
		if (o[0] == code) {
			*val = o + 2;
			return o[1];
		}
		o += 2 + o[1];
	}
	assert_true(o < end); /* END present */
	return -1;
}

static uint32_t opt32(unsigned i, uint8_t code)
{
	const uint8_t *v;

	assert_int_equal(opt(i, code, &v), 4);
	return rd32be(v);
}

static void dhcp_send(const uint8_t *mac, uint32_t ciaddr, bool bflag, uint8_t type,
		      uint32_t req, uint32_t server)
{
	uint8_t f[1000], o[32];
	size_t n = 0;

	o[n++] = 53;
	o[n++] = 1;
	o[n++] = type;
	if (req) {
		o[n++] = 50;
		o[n++] = 4;
		wr32be(o + n, req);
		n += 4;
	}
	if (server) {
		o[n++] = 54;
		o[n++] = 4;
		wr32be(o + n, server);
		n += 4;
	}
	o[n++] = 255;
	gwh_send(f, mk_dhcp(f, mac, ciaddr, bflag, o, n));
}

static uint32_t yiaddr(unsigned i)
{
	return rd32be(gwh.cap[i] + 42 + 16);
}

static void test_dhcp_dora(void **state)
{
	const uint8_t *v, *d;
	static const uint8_t search[] = "\x01" "a" "\x04" "test" "\x00"
					"\x01" "b" "\xc0\x02";
	size_t dlen;

	gwh_start("hostname=vm1,domainname=example.test,dnssearch=a.test,dnssearch=b.test", false);
	dhcp_send(VM1, 0, false, 1, 0, 0);
	assert_int_equal(gwh.ncap, 1);
	d = gwh_check_udp(0, BCAST, IP(10, 0, 2, 2), 67, 0xffffffff, 68, &dlen);
	assert_true(dlen >= 300);
	assert_int_equal(d[0], 2);
	assert_int_equal(rd32be(d + 4), 0xdeadbeef);
	assert_memory_equal(d + 28, VM1, 6);
	assert_int_equal(yiaddr(0), IP(10, 0, 2, 15));
	assert_int_equal(opt(0, 53, &v), 1);
	assert_int_equal(v[0], 2);
	assert_int_equal(opt32(0, 54), IP(10, 0, 2, 2));
	assert_int_equal(opt32(0, 51), 86400);
	assert_int_equal(opt32(0, 58), 43200);
	assert_int_equal(opt32(0, 59), 75600);
	assert_int_equal(opt32(0, 1), 0xffffff00);
	assert_int_equal(opt32(0, 3), IP(10, 0, 2, 2));
	assert_int_equal(opt32(0, 6), IP(10, 0, 2, 3));
	assert_int_equal(opt(0, 12, &v), 3);
	assert_memory_equal(v, "vm1", 3);
	assert_int_equal(opt(0, 15, &v), 12);
	assert_memory_equal(v, "example.test", 12);
	assert_int_equal(opt(0, 119, &v), sizeof(search) - 1);
	assert_memory_equal(v, search, sizeof(search) - 1);
	assert_int_equal(opt(0, 26, &v), -1); /* no mtu= given */

	dhcp_send(VM1, 0, false, 3, IP(10, 0, 2, 15), IP(10, 0, 2, 2));
	assert_int_equal(gwh.ncap, 2);
	assert_int_equal(opt(1, 53, &v), 1);
	assert_int_equal(v[0], 5);
	assert_int_equal(yiaddr(1), IP(10, 0, 2, 15));
	assert_int_equal(gateway_lease_of(gwh.gw, VM1), IP(10, 0, 2, 15));

	/* a second VM gets the next address */
	dhcp_send(VM2, 0, true, 1, 0, 0);
	assert_int_equal(yiaddr(2), IP(10, 0, 2, 16));
	dhcp_send(VM2, 0, true, 3, IP(10, 0, 2, 16), IP(10, 0, 2, 2));
	assert_int_equal(gateway_lease_of(gwh.gw, VM2), IP(10, 0, 2, 16));

	/* renewal: unicast from the bound address, same address back */
	dhcp_send(VM1, IP(10, 0, 2, 15), false, 3, 0, 0);
	assert_int_equal(gwh.ncap, 5);
	gwh_check_udp(4, VM1, IP(10, 0, 2, 2), 67, IP(10, 0, 2, 15), 68, &dlen);
	assert_int_equal(yiaddr(4), IP(10, 0, 2, 15));

	/* rediscover after reboot: same address */
	dhcp_send(VM1, 0, false, 1, 0, 0);
	assert_int_equal(yiaddr(5), IP(10, 0, 2, 15));

	/* asking for someone else's address: NAK, broadcast */
	dhcp_send(VM1, 0, false, 3, IP(10, 0, 2, 16), IP(10, 0, 2, 2));
	assert_int_equal(gwh.ncap, 7);
	gwh_check_udp(6, BCAST, IP(10, 0, 2, 2), 67, 0xffffffff, 68, &dlen);
	assert_int_equal(opt(6, 53, &v), 1);
	assert_int_equal(v[0], 6);
	assert_int_equal(yiaddr(6), 0);
	assert_int_equal(st()->dhcp_naks, 1);

	/* a REQUEST for another server is silently ignored */
	dhcp_send(VM1, 0, false, 3, IP(10, 0, 2, 15), IP(10, 0, 2, 99));
	assert_int_equal(gwh.ncap, 7);
	assert_int_equal(st()->dhcp_ignored, 1);
}

static void test_dhcp_release_decline_inform_static(void **state)
{
	const uint8_t *v;
	size_t dlen;

	gwh_start("lease=10.0.2.50@52:54:00:ab:cd:ef,mtu=1400,bootfile=pxelinux.0,"
		  "tftp-server-name=boot.test", false);
	dhcp_send(VM3, 0, false, 1, 0, 0);
	assert_int_equal(yiaddr(0), IP(10, 0, 2, 50));
	assert_int_equal(opt(0, 26, &v), 2);
	assert_int_equal(rd16be(v), 1400);
	/* The boot file and server, as options 67 and 66 and in BOOTP's
	 * file and sname fields (QEMU's bootfile=, tftp-server-name=). */
	assert_int_equal(opt(0, 67, &v), 10);
	assert_memory_equal(v, "pxelinux.0", 10);
	assert_int_equal(opt(0, 66, &v), 9);
	assert_memory_equal(v, "boot.test", 9);
	assert_string_equal((const char *)&gwh.cap[0][42 + 108], "pxelinux.0");
	assert_string_equal((const char *)&gwh.cap[0][42 + 44], "boot.test");

	dhcp_send(VM1, 0, false, 1, 0, 0);
	assert_int_equal(yiaddr(1), IP(10, 0, 2, 15));
	dhcp_send(VM1, 0, false, 3, IP(10, 0, 2, 15), IP(10, 0, 2, 2));
	dhcp_send(VM1, IP(10, 0, 2, 15), false, 7, 0, IP(10, 0, 2, 2));
	assert_int_equal(st()->dhcp_releases, 1);
	assert_int_equal(gateway_lease_of(gwh.gw, VM1), 0);
	dhcp_send(VM1, 0, false, 1, 0, 0);
	assert_int_equal(yiaddr(3), IP(10, 0, 2, 15)); /* remembered */

	/* DECLINE: the address is in use elsewhere, the next offer differs */
	dhcp_send(VM1, 0, false, 4, IP(10, 0, 2, 15), IP(10, 0, 2, 2));
	assert_int_equal(st()->dhcp_declines, 1);
	dhcp_send(VM1, 0, false, 1, 0, 0);
	assert_int_equal(yiaddr(4), IP(10, 0, 2, 16));

	/* INFORM: ACK without an address or lease time, to ciaddr */
	dhcp_send(VM2, IP(10, 0, 2, 77), false, 8, 0, 0);
	assert_int_equal(gwh.ncap, 6);
	gwh_check_udp(5, VM2, IP(10, 0, 2, 2), 67, IP(10, 0, 2, 77), 68, &dlen);
	assert_int_equal(opt(5, 53, &v), 1);
	assert_int_equal(v[0], 5);
	assert_int_equal(yiaddr(5), 0);
	assert_int_equal(opt(5, 51, &v), -1);
	assert_int_equal(opt32(5, 3), IP(10, 0, 2, 2));
}

static void test_dhcp_pool_full(void **state)
{
	uint8_t mac[6];

	gwh_start("max-leases=2", false);
	memcpy(mac, VM1, 6);
	for (int i = 0; i < 3; i++) {
		mac[5] = (uint8_t)i;
		dhcp_send(mac, 0, false, 1, 0, 0);
	}
	assert_int_equal(gwh.ncap, 2);
	assert_int_equal(yiaddr(1), IP(10, 0, 2, 16));
	assert_int_equal(st()->dhcp_pool_full, 1);
}

/* Seconds left on the one bound lease, from the "info usernet" table. */
static long lease_left(void)
{
	char *text = NULL, *p;
	size_t len = 0;
	long left = -1;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	gateway_info(gwh.gw, f);
	fclose(f);
	p = strstr(text, " bound ");
	if (p && (p = strstr(p, "dynamic ")))
		left = strtol(p + 8, NULL, 10);
	free(text);
	return left;
}

/* lease-time= is option 51, T1/T2 follow it, and the lease expires then. */
static void test_dhcp_lease_time(void **state)
{
	long left;

	gwh_start("lease-time=120", false);
	dhcp_send(VM1, 0, false, 1, 0, 0);
	assert_int_equal(opt32(0, 51), 120);
	assert_int_equal(opt32(0, 58), 60);
	assert_int_equal(opt32(0, 59), 105);
	dhcp_send(VM1, 0, false, 3, IP(10, 0, 2, 15), IP(10, 0, 2, 2));
	assert_int_equal(opt32(1, 51), 120);
	assert_int_equal(opt32(1, 58), 60);
	left = lease_left();
	assert_true(left >= 118 && left <= 120);
	gwh_teardown(NULL);

	gwh_start("lease-time=2147483647", false);
	dhcp_send(VM1, 0, false, 1, 0, 0);
	assert_int_equal(opt32(0, 51), 2147483647u);
	assert_int_equal(opt32(0, 59), 2147483647u / 8 * 7);
}

static void test_dhcp_hostile(void **state)
{
	uint8_t f[2000], o[600];
	size_t len;

	gwh_start("", false);
	/* shorter than BOOTP + cookie (CVE-2021-3592 class) */
	len = mk_dhcp(f, VM1, 0, false, (const uint8_t *)"\x35\x01\x01\xff", 4);
	len = mk_udp(f, VM1, BCAST, 0, 68, 0xffffffff, 67, 239);
	gwh_send(f, len);
	assert_int_equal(st()->dhcp_truncated, 1);

	/* option length running past the end */
	gwh_send(f, mk_dhcp(f, VM1, 0, false, (const uint8_t *)"\x35\x01\x01\x0c\x30" "ab", 6));
	/* missing END */
	gwh_send(f, mk_dhcp(f, VM1, 0, false, (const uint8_t *)"\x35\x01\x01", 3));
	/* code without a length byte at the very end */
	gwh_send(f, mk_dhcp(f, VM1, 0, false, (const uint8_t *)"\x35\x01\x01\x0c", 4));
	/* pad flood without END */
	memset(o, 0, sizeof(o));
	gwh_send(f, mk_dhcp(f, VM1, 0, false, o, sizeof(o)));
	/* message type with a wrong length */
	gwh_send(f, mk_dhcp(f, VM1, 0, false, (const uint8_t *)"\x35\x02\x01\x01\xff", 5));
	/* overload: file field without END */
	len = mk_dhcp(f, VM1, 0, false, (const uint8_t *)"\x34\x01\x01\x35\x01\x01\xff", 7);
	memset(f + 42 + 108, 0x0c, 128);
	wr16be(f + 40, 0);
	gwh_send(f, len);
	assert_int_equal(st()->dhcp_bad_options, 6);

	/* a bad cookie */
	len = mk_dhcp(f, VM1, 0, false, (const uint8_t *)"\x35\x01\x01\xff", 4);
	f[42 + 236] = 0;
	wr16be(f + 40, 0);
	gwh_send(f, len);
	assert_int_equal(st()->dhcp_bad_options, 7);
	/* BOOTREPLY op, odd hlen, relay */
	len = mk_dhcp(f, VM1, 0, false, (const uint8_t *)"\x35\x01\x01\xff", 4);
	f[42] = 2;
	wr16be(f + 40, 0);
	gwh_send(f, len);
	f[42] = 1;
	f[44] = 16;
	gwh_send(f, len);
	assert_int_equal(st()->dhcp_bad_header, 2);
	/* no message type: plain BOOTP, ignored */
	gwh_send(f, mk_dhcp(f, VM1, 0, false, (const uint8_t *)"\x00\x00\xff", 3));
	assert_int_equal(st()->dhcp_no_type, 1);
	assert_int_equal(gwh.ncap, 0);

	/* a valid overload: the message type lives in the file field */
	len = mk_dhcp(f, VM1, 0, false, (const uint8_t *)"\x34\x01\x01\xff", 4);
	memcpy(f + 42 + 108, "\x35\x01\x01\xff", 4);
	wr16be(f + 40, 0);
	gwh_send(f, len);
	assert_int_equal(gwh.ncap, 1);
	assert_int_equal(yiaddr(0), IP(10, 0, 2, 15));
}

/* ---- DNS ---- */

static size_t mk_query(uint8_t *m, uint16_t id, const char *name, uint16_t qtype)
{
	size_t n = 12;
	const char *p = name;

	memset(m, 0, 12);
	wr16be(m, id);
	wr16be(m + 2, 0x0100);
	wr16be(m + 4, 1);
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		m[n++] = (uint8_t)l;
		memcpy(m + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
	}
	m[n++] = 0;
	wr16be(m + n, qtype);
	wr16be(m + n + 2, 1);
	return n + 4;
}

static void send_dns(const uint8_t *q, size_t qlen)
{
	uint8_t f[2000] = { 0 };

	memcpy(f + 42, q, qlen);
	gwh_send(f, mk_udp(f, VM1, GWMAC, IP(10, 0, 2, 15), 40000, IP(10, 0, 2, 3), 53, qlen));
}

static void test_dns_builtin(void **state)
{
	uint8_t q[512];
	size_t qlen, dlen;
	const uint8_t *d;

	gwh_start("", false);
	qlen = mk_query(q, 0x1234, "HOST.vmwire.internal", 1);
	send_dns(q, qlen);
	assert_int_equal(gwh.ncap, 1);
	d = gwh_check_udp(0, VM1, IP(10, 0, 2, 3), 53, IP(10, 0, 2, 15), 40000, &dlen);
	assert_int_equal(dlen, qlen + 16);
	assert_int_equal(rd16be(d), 0x1234);
	assert_int_equal(rd16be(d + 2), 0x8580); /* QR AA RD RA NOERROR */
	assert_int_equal(rd16be(d + 4), 1);
	assert_int_equal(rd16be(d + 6), 1);
	assert_memory_equal(d + 12, q + 12, qlen - 12);
	assert_memory_equal(d + qlen, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04"
				      "\x0a\x00\x02\x02", 16);

	qlen = mk_query(q, 7, "host.vmwire.internal", 28);
	send_dns(q, qlen);
	assert_int_equal(gwh.ncap, 2);
	assert_int_equal(gwh.cap_len[1], 42 + qlen);
	assert_int_equal(rd16be(gwh.cap[1] + 42 + 6), 0);

	/* no upstream configured: SERVFAIL right away */
	qlen = mk_query(q, 9, "example.test", 1);
	send_dns(q, qlen);
	assert_int_equal(gwh.ncap, 3);
	assert_int_equal(rd16be(gwh.cap[2] + 42 + 2) & 0xf, 2);
	assert_int_equal(st()->dns_no_upstream, 1);
}

static void test_dns_hostile(void **state)
{
	uint8_t q[600] = { 0 }; /* the short query below sends its first 11 bytes */
	size_t qlen;

	gwh_start("", false);
	send_dns(q, 11); /* shorter than a header */
	qlen = mk_query(q, 1, "a.b", 1);
	q[12] = 0xc0; /* name pointing at itself: loop */
	q[13] = 12;
	send_dns(q, qlen);
	q[12] = 0xc0; /* forward pointer */
	q[13] = 14;
	send_dns(q, qlen);
	qlen = mk_query(q, 1, "a.b", 1);
	q[12] = 60; /* label past the end */
	send_dns(q, qlen);
	qlen = mk_query(q, 1, "a.b", 1);
	send_dns(q, qlen - 1); /* question cut short */
	wr16be(q + 4, 2);
	send_dns(q, qlen); /* two questions */
	wr16be(q + 4, 1);
	wr16be(q + 2, 0x8100);
	send_dns(q, qlen); /* a response */
	/* name longer than 255 */
	memset(q + 12, 0, 400);
	for (int i = 0; i < 5; i++) {
		q[12 + i * 64] = 63;
		memset(q + 13 + i * 64, 'x', 63);
	}
	wr16be(q + 2, 0x0100);
	send_dns(q, 12 + 5 * 64 + 5);
	assert_int_equal(st()->dns_malformed, 8);
	assert_int_equal(gwh.ncap, 0);
}

static int udp_sock(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static ssize_t recv_wait(int fd, uint8_t *buf, size_t size, struct sockaddr_in *from)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	socklen_t fl = sizeof(*from);

	if (poll(&p, 1, 5000) != 1)
		return -1;
	return recvfrom(fd, buf, size, 0, (struct sockaddr *)from, &fl);
}

static void test_dns_forward_failover(void **state)
{
	uint8_t q[512], m[2048];
	uint16_t p1, p2;
	int s1 = udp_sock(&p1), s2 = udp_sock(&p2);
	struct sockaddr_in from;
	char opts[128];
	size_t qlen;
	ssize_t n;
	uint16_t up_id;

	snprintf(opts, sizeof(opts), "dns-upstream=127.0.0.1:%u,dns-upstream=127.0.0.1:%u",
		 p1, p2);
	gwh_start(opts, true);
	qlen = mk_query(q, 0xabcd, "www.Example.test", 1);
	send_dns(q, qlen);
	n = recv_wait(s1, m, sizeof(m), &from);
	assert_int_equal(n, qlen);
	assert_memory_equal(m + 2, q + 2, qlen - 2);
	up_id = rd16be(m);

	/* the first upstream stays silent: the sweep moves on to the second */
	gateway_dns_sweep(gwh.gw, ev_now_ms() + 10000);
	assert_int_equal(st()->dns_failovers, 1);
	n = recv_wait(s2, m, sizeof(m), &from);
	assert_int_equal(n, qlen);
	assert_int_equal(rd16be(m), up_id);

	/* a reply from the wrong upstream (s1) is refused */
	wr16be(m + 2, 0x8180);
	wr16be(m + 6, 1);
	memcpy(m + n, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x7f\x00\x00\x07", 16);
	assert_int_equal(sendto(s1, m, (size_t)n + 16, 0, (struct sockaddr *)&from,
				sizeof(from)), n + 16);
	for (int i = 0; i < 10; i++)
		ev_loop_once(gwh.loop, 20);
	assert_int_equal(st()->dns_bad_reply, 1);
	assert_int_equal(gwh.ncap, 0);

	assert_int_equal(sendto(s2, m, (size_t)n + 16, 0, (struct sockaddr *)&from,
				sizeof(from)), n + 16);
	gwh_run_until(1);
	assert_int_equal(gwh.ncap, 1);
	{
		size_t dlen;
		const uint8_t *d = gwh_check_udp(0, VM1, IP(10, 0, 2, 3), 53, IP(10, 0, 2, 15),
					     40000, &dlen);

		assert_int_equal(dlen, (size_t)n + 16);
		assert_int_equal(rd16be(d), 0xabcd);
		assert_memory_equal(d + 2, m + 2, dlen - 2);
	}
	assert_int_equal(st()->dns_answers, 1);

	/* all upstreams silent: SERVFAIL after the last attempt */
	qlen = mk_query(q, 0x5555, "slow.test", 1);
	send_dns(q, qlen);
	assert_true(recv_wait(s1, m, sizeof(m), &from) > 0 ||
		    recv_wait(s2, m, sizeof(m), &from) > 0);
	gateway_dns_sweep(gwh.gw, ev_now_ms() + 10000);
	gateway_dns_sweep(gwh.gw, ev_now_ms() + 20000);
	assert_int_equal(st()->dns_timeouts, 1);
	gwh_run_until(2);
	assert_int_equal(gwh.ncap, 2);
	assert_int_equal(rd16be(gwh.cap[1] + 42), 0x5555);
	assert_int_equal(rd16be(gwh.cap[1] + 42 + 2) & 0x800f, 0x8002);
	close(s1);
	close(s2);
}

/* ---- guests against guests (issue 14) ---- */

static void dora(const uint8_t *mac, uint32_t ip)
{
	unsigned n = gwh.ncap;

	dhcp_send(mac, 0, false, 1, 0, 0);
	assert_int_equal(gwh.ncap, n + 1);
	assert_int_equal(yiaddr(n), ip);
	dhcp_send(mac, 0, false, 3, ip, IP(10, 0, 2, 2));
	assert_int_equal(gateway_lease_of(gwh.gw, mac), ip);
}

/* A DNS query from src at Ethernet source mac: the built-in answer goes to
 * whatever MAC the ARP table holds for src. */
static const uint8_t *dns_reply_mac(const uint8_t *mac, uint32_t src)
{
	uint8_t f[2000], q[512];
	size_t qlen = mk_query(q, 0x4242, "host.vmwire.internal", 1);
	unsigned n = gwh.ncap;

	memcpy(f + 42, q, qlen);
	gwh_send(f, mk_udp(f, mac, GWMAC, src, 40000, IP(10, 0, 2, 3), 53, qlen));
	assert_int_equal(gwh.ncap, n + 1);
	return gwh.cap[n];
}

static void test_source_guard(void **state)
{
	uint8_t f[100] = { 0 };

	gwh_start("", false);
	dora(VM1, IP(10, 0, 2, 15));
	/* VM2 claims the leased address by ARP and by IP: never learned. */
	gwh_send(f, mk_arp(f, 2, VM2, IP(10, 0, 2, 15), IP(10, 0, 2, 2)));
	assert_int_equal(st()->arp_spoofed, 1);
	assert_memory_equal(dns_reply_mac(VM2, IP(10, 0, 2, 15)), VM1, 6);
	assert_int_equal(st()->arp_spoofed, 2);

	/* An address no lease holds: ARP binds it, IP traffic never rebinds. */
	gwh_send(f, mk_arp(f, 2, VM2, IP(10, 0, 2, 40), IP(10, 0, 2, 2)));
	assert_memory_equal(dns_reply_mac(VM3, IP(10, 0, 2, 40)), VM2, 6);
	assert_int_equal(st()->arp_spoofed, 3);
	gwh_send(f, mk_arp(f, 2, VM3, IP(10, 0, 2, 40), IP(10, 0, 2, 2)));
	assert_memory_equal(dns_reply_mac(VM3, IP(10, 0, 2, 40)), VM3, 6);
	assert_int_equal(st()->arp_spoofed, 3);
}

static void test_source_guard_strict(void **state)
{
	uint8_t f[100] = { 0 };

	gwh_start("source-guard=strict", false);
	dora(VM1, IP(10, 0, 2, 15));
	assert_memory_equal(dns_reply_mac(VM1, IP(10, 0, 2, 15)), VM1, 6);
	/* VM1 from an address it was not leased; VM2 without a lease. */
	gwh_send(f, mk_ping(f, IP(10, 0, 2, 2), 8));
	assert_int_equal(st()->icmp_echo_replies, 1); /* mk_ping: VM1 from .15 */
	gwh_send(f, mk_udp(f, VM1, GWMAC, IP(10, 0, 2, 99), 40000, IP(10, 0, 2, 3), 53, 20));
	gwh_send(f, mk_udp(f, VM2, GWMAC, IP(10, 0, 2, 16), 40000, IP(10, 0, 2, 3), 53, 20));
	assert_int_equal(st()->ip_spoofed, 2);
	gwh_send(f, mk_arp(f, 2, VM2, IP(10, 0, 2, 16), IP(10, 0, 2, 2)));
	assert_int_equal(st()->arp_spoofed, 1);
}

static void test_dhcp_port_cap(void **state)
{
	uint8_t mac[6] = { 0x52, 0x54, 0x01, 0, 0, 0 };
	unsigned i, offers;

	gwh_start("max-leases=8", false);
	/* One port makes up chaddrs (and Ethernet sources): two leases. */
	gwh.station = 7;
	for (i = 0; i < 16; i++) {
		mac[5] = (uint8_t)i;
		dhcp_send(mac, 0, false, 1, 0, 0);
	}
	offers = gwh.ncap;
	assert_int_equal(offers, 2);
	assert_int_equal(st()->dhcp_port_full, 14);
	assert_int_equal(st()->dhcp_pool_full, 0);
	/* DECLINE does not give the port its share back: quarantined
	 * addresses still count against it. */
	mac[5] = 0;
	dhcp_send(mac, 0, false, 4, IP(10, 0, 2, 15), IP(10, 0, 2, 2));
	assert_int_equal(st()->dhcp_declines, 1);
	mac[5] = 99;
	dhcp_send(mac, 0, false, 1, 0, 0);
	assert_int_equal(gwh.ncap, offers);
	/* INIT-REBOOT REQUEST for a free address is capped too. */
	dhcp_send(mac, 0, false, 3, IP(10, 0, 2, 30), 0);
	assert_int_equal(gateway_lease_of(gwh.gw, mac), 0);
	/* Another port still gets its lease. */
	gwh.station = 8;
	dora(VM1, IP(10, 0, 2, 17));
}

static void test_dhcp_release_only_by_owner(void **state)
{
	uint8_t f[1000], o[] = { 53, 1, 7, 54, 4, 10, 0, 2, 2, 255 };
	size_t len;

	gwh_start("", false);
	gwh.station = 2;
	dora(VM1, IP(10, 0, 2, 15));
	/* chaddr and ciaddr of VM1, from VM2's MAC (and port). */
	gwh.station = 3;
	len = mk_dhcp(f, VM1, IP(10, 0, 2, 15), false, o, sizeof(o));
	memcpy(f + 6, VM2, 6);
	gwh_send(f, len);
	assert_int_equal(st()->dhcp_foreign, 1);
	/* VM1's own MAC from another port: refused too. */
	dhcp_send(VM1, IP(10, 0, 2, 15), false, 7, 0, IP(10, 0, 2, 2));
	dhcp_send(VM1, 0, false, 4, IP(10, 0, 2, 15), IP(10, 0, 2, 2));
	assert_int_equal(st()->dhcp_foreign, 3);
	assert_int_equal(st()->dhcp_releases + st()->dhcp_declines, 0);
	assert_int_equal(gateway_lease_of(gwh.gw, VM1), IP(10, 0, 2, 15));
	/* The owner, from its port: released. */
	gwh.station = 2;
	dhcp_send(VM1, IP(10, 0, 2, 15), false, 7, 0, IP(10, 0, 2, 2));
	assert_int_equal(st()->dhcp_releases, 1);
	assert_int_equal(gateway_lease_of(gwh.gw, VM1), 0);
}

/* Issue 14 item 6: every upstream query leaves from its own socket (its own
 * random port); an answer must repeat the question (name with its case,
 * type, class) and come in on that socket from the upstream; a full table
 * answers SERVFAIL at once. */
static void test_dns_ports_question_full(void **state)
{
	uint8_t q[512], m[2048], sent[3][512];
	uint16_t p1, ports[3];
	int s1 = udp_sock(&p1);
	struct sockaddr_in from[3];
	size_t qlen[3];
	char opts[64];
	ssize_t n;

	(void)state;
	snprintf(opts, sizeof(opts), "dns-upstream=127.0.0.1:%u", p1);
	gwh_start(opts, true);
	for (int i = 0; i < 3; i++) {
		char name[32];

		snprintf(name, sizeof(name), "q%d.Example.test", i);
		qlen[i] = mk_query(q, (uint16_t)(0x100 + i), name, 1);
		send_dns(q, qlen[i]);
		n = recv_wait(s1, sent[i], sizeof(sent[i]), &from[i]);
		assert_int_equal(n, qlen[i]);
		ports[i] = ntohs(from[i].sin_port);
	}
	assert_true(ports[0] != ports[1] && ports[1] != ports[2] && ports[0] != ports[2]);

	/* Query 0's ID from the right upstream, but another type; then the
	 * right type with the name's case changed; then query 1's answer sent
	 * to query 0's socket: all refused, nothing reaches the guest. */
	memcpy(m, sent[0], qlen[0]);
	wr16be(m + 2, 0x8180);
	wr16be(m + qlen[0] - 4, 28);
	assert_true(sendto(s1, m, qlen[0], 0, (struct sockaddr *)&from[0], sizeof(from[0])) > 0);
	memcpy(m, sent[0], qlen[0]);
	wr16be(m + 2, 0x8180);
	m[12 + 1 + 2 + 1] ^= 0x20; /* 'E' of Example -> 'e' */
	assert_true(sendto(s1, m, qlen[0], 0, (struct sockaddr *)&from[0], sizeof(from[0])) > 0);
	memcpy(m, sent[1], qlen[1]);
	wr16be(m + 2, 0x8180);
	assert_true(sendto(s1, m, qlen[1], 0, (struct sockaddr *)&from[0], sizeof(from[0])) > 0);
	for (int i = 0; i < 10; i++)
		ev_loop_once(gwh.loop, 20);
	assert_int_equal(st()->dns_bad_reply, 3);
	assert_int_equal(gwh.ncap, 0);
	/* The real answer on the right socket is relayed. */
	memcpy(m, sent[0], qlen[0]);
	wr16be(m + 2, 0x8180);
	assert_true(sendto(s1, m, qlen[0], 0, (struct sockaddr *)&from[0], sizeof(from[0])) > 0);
	gwh_run_until(1);
	assert_int_equal(gwh.ncap, 1);
	assert_int_equal(rd16be(gwh.cap[0] + 42), 0x100);
	assert_int_equal(st()->dns_answers, 1);

	/* Fill the table (two still in flight), then one more: SERVFAIL now. */
	for (int i = 2; i < GW_DNS_INFLIGHT; i++) {
		qlen[0] = mk_query(q, (uint16_t)(0x200 + i), "fill.test", 1);
		send_dns(q, qlen[0]);
	}
	assert_int_equal(st()->dns_table_full, 0);
	assert_int_equal(gwh.ncap, 1);
	qlen[0] = mk_query(q, 0x7777, "over.test", 1);
	send_dns(q, qlen[0]);
	assert_int_equal(st()->dns_table_full, 1);
	gwh_run_until(2);
	assert_int_equal(gwh.ncap, 2);
	assert_int_equal(rd16be(gwh.cap[1] + 42), 0x7777);
	assert_int_equal(rd16be(gwh.cap[1] + 42 + 2) & 0x800f, 0x8002);
	close(s1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_arp, gwh_teardown),
		cmocka_unit_test_teardown(test_icmp_echo, gwh_teardown),
		cmocka_unit_test_teardown(test_ip_hostile, gwh_teardown),
		cmocka_unit_test_teardown(test_ttl_exceeded, gwh_teardown),
		cmocka_unit_test_teardown(test_ttl_exceeded_rate_limited, gwh_teardown),
		cmocka_unit_test_teardown(test_dhcp_dora, gwh_teardown),
		cmocka_unit_test_teardown(test_dhcp_release_decline_inform_static, gwh_teardown),
		cmocka_unit_test_teardown(test_dhcp_pool_full, gwh_teardown),
		cmocka_unit_test_teardown(test_dhcp_lease_time, gwh_teardown),
		cmocka_unit_test_teardown(test_dhcp_hostile, gwh_teardown),
		cmocka_unit_test_teardown(test_dns_builtin, gwh_teardown),
		cmocka_unit_test_teardown(test_dns_hostile, gwh_teardown),
		cmocka_unit_test_teardown(test_dns_forward_failover, gwh_teardown),
		cmocka_unit_test_teardown(test_source_guard, gwh_teardown),
		cmocka_unit_test_teardown(test_source_guard_strict, gwh_teardown),
		cmocka_unit_test_teardown(test_dhcp_port_cap, gwh_teardown),
		cmocka_unit_test_teardown(test_dhcp_release_only_by_owner, gwh_teardown),
		cmocka_unit_test_teardown(test_dns_ports_question_full, gwh_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
