/* SPDX-License-Identifier: MIT
 *
 * test_gw_dns_names.c - the gateway's own DNS names through real frames:
 * dns-record= answers from the DNS service, and the guests' DHCP host
 * names (option 12) as HOST.<domainname> while their lease is bound: first
 * to bind keeps a name, static records always win, hostile host names get
 * no name, a released lease frees its name, and without a domainname the
 * bare host name is the name. With ipv6=on a host name has AAAA records
 * too: the guest's global addresses NDP learned from its MAC and its
 * DHCPv6 lease's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"
#include "gateway/gateway.h"
#include "helpers/gw_harness.h"

static const uint8_t VM2[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static const struct gw_stats *st(void)
{
	return gateway_stats(gwh.gw);
}

static size_t mk_udp(uint8_t *f, const uint8_t *src_mac, const uint8_t *dst_mac, uint32_t src,
		     uint16_t sport, uint32_t dst, uint16_t dport, size_t dlen)
{
	gwh_udp(f + 34, src, sport, dst, dport, dlen);
	gwh_eth(f, dst_mac, src_mac, 0x0800);
	gwh_ipv4(f + 14, src, dst, 17, 0x1234, 0, 8 + dlen);
	return 42 + dlen;
}

/* A DHCP message of type from mac, with option 50 = req when set and
 * option 12 = host (hlen bytes) when host is not NULL. */
static void dhcp(const uint8_t *mac, uint8_t type, uint32_t req, const char *host, size_t hlen)
{
	uint8_t f[1200], *b = f + 42, *o = b + 240;
	size_t n = 0;

	memset(f, 0, sizeof(f));
	b[0] = 1;
	b[1] = 1;
	b[2] = 6;
	wr32be(b + 4, 0xfeed);
	if (type == 7)
		wr32be(b + 12, req); /* RELEASE: ciaddr */
	memcpy(b + 28, mac, 6);
	wr32be(b + 236, 0x63825363);
	o[n++] = 53;
	o[n++] = 1;
	o[n++] = type;
	if (req && type != 7) {
		o[n++] = 50;
		o[n++] = 4;
		wr32be(o + n, req);
		n += 4;
	}
	if (type != 1) {
		o[n++] = 54;
		o[n++] = 4;
		wr32be(o + n, IP(10, 0, 2, 2));
		n += 4;
	}
	if (host) {
		o[n++] = 12;
		o[n++] = (uint8_t)hlen;
		memcpy(o + n, host, hlen);
		n += hlen;
	}
	o[n++] = 255;
	gwh_send(f, mk_udp(f, mac, BCAST, type == 7 ? req : 0, 68,
			   type == 7 ? IP(10, 0, 2, 2) : 0xffffffff, 67, 240 + n));
}

/* DISCOVER then REQUEST ip with host name host: the lease is ACKed. */
static void bind_lease(const uint8_t *mac, uint32_t ip, const char *host)
{
	unsigned acks = (unsigned)st()->dhcp_acks;

	dhcp(mac, 1, 0, NULL, 0);
	dhcp(mac, 3, ip, host, host ? strlen(host) : 0);
	assert_int_equal(st()->dhcp_acks, acks + 1);
}

/* A query for name/qtype in DNS wire form at q; its length. */
static size_t mk_query(uint8_t *q, const char *name, uint16_t qtype)
{
	const char *p = name;
	size_t n = 12;

	memset(q, 0, 12);
	wr16be(q, 0x78);
	wr16be(q + 2, 0x0100);
	wr16be(q + 4, 1);
	while (*p) {
		size_t l = strcspn(p, ".");

		q[n++] = (uint8_t)l;
		memcpy(q + n, p, l);
		n += l;
		p += l + (p[l] == '.');
	}
	q[n++] = 0;
	wr16be(q + n, qtype);
	wr16be(q + n + 2, 1);
	return n + 4;
}

/* Ask name/qtype from 10.0.2.15; the answer's address count and, with
 * one A answer, its address in *a4; the rcode is returned. */
static int ask(const char *name, uint16_t qtype, unsigned *an, uint32_t *a4, bool *aa)
{
	uint8_t f[2000], *q = f + 42;
	size_t n = mk_query(q, name, qtype), dlen;
	unsigned before = gwh.ncap;
	const uint8_t *d;

	gwh_send(f, mk_udp(f, VM1, GWMAC, IP(10, 0, 2, 15), 40000, IP(10, 0, 2, 3), 53, n));
	assert_int_equal(gwh.ncap, before + 1);
	d = gwh_check_udp(before, VM1, IP(10, 0, 2, 3), 53, IP(10, 0, 2, 15), 40000, &dlen);
	assert_true(dlen >= n);
	*an = rd16be(d + 6);
	*aa = rd16be(d + 2) & 0x0400;
	if (*an == 1 && qtype == 1) {
		assert_int_equal(dlen, n + 16);
		assert_int_equal(rd32be(d + n + 6), 60); /* TTL */
		*a4 = rd32be(d + n + 12);
	}
	return rd16be(d + 2) & 0xf;
}

/* name must be answered with exactly the A record ip, authoritatively. */
static void expect_a(const char *name, uint32_t ip)
{
	unsigned an = 0;
	uint32_t a = 0;
	bool aa = false;

	assert_int_equal(ask(name, 1, &an, &a, &aa), 0);
	assert_true(aa);
	assert_int_equal(an, 1);
	assert_int_equal(a, ip);
}

/* name is not ours: forwarded, and with no upstream that is SERVFAIL. */
static void expect_forwarded(const char *name)
{
	unsigned an = 0;
	uint32_t a = 0;
	bool aa = true;

	assert_int_equal(ask(name, 1, &an, &a, &aa), 2);
	assert_false(aa);
}

static void test_records_and_host_names(void **state)
{
	char long_host[70], err[256];
	unsigned an;
	uint32_t a;
	bool aa;

	gwh_start("domainname=Lab.Test,dns-record=db.lab=10.0.2.50,"
		  "dns-record=vm9.lab.test=10.0.2.99", false);
	expect_a("DB.lab", IP(10, 0, 2, 50));
	assert_int_equal(ask("db.lab", 28, &an, &a, &aa), 0); /* NODATA */
	assert_int_equal(an, 0);
	assert_true(aa);

	/* VM1 binds as "VM1": vm1.lab.test, in any case; not bare vm1. */
	bind_lease(VM1, IP(10, 0, 2, 15), "VM1");
	expect_a("vm1.lab.test", IP(10, 0, 2, 15));
	expect_a("Vm1.LAB.test", IP(10, 0, 2, 15));
	assert_int_equal(ask("vm1.lab.test", 28, &an, &a, &aa), 0);
	assert_int_equal(an, 0);
	expect_forwarded("vm1");
	expect_forwarded("x.vm1.lab.test");

	/* VM2 claims vm1 (taken), then vm9 (a static record's): no name. */
	bind_lease(VM2, IP(10, 0, 2, 16), "vm1");
	assert_int_equal(st()->dhcp_hostname_taken, 1);
	expect_a("vm1.lab.test", IP(10, 0, 2, 15));
	bind_lease(VM2, IP(10, 0, 2, 16), "vm9");
	assert_int_equal(st()->dhcp_hostname_taken, 2);
	expect_a("vm9.lab.test", IP(10, 0, 2, 99));

	/* Hostile host names give no name (nor a taken count). */
	bind_lease(VM2, IP(10, 0, 2, 16), "a.b");
	expect_forwarded("a.b.lab.test");
	bind_lease(VM2, IP(10, 0, 2, 16), "bad name");
	memset(long_host, 'h', 64);
	long_host[64] = '\0';
	bind_lease(VM2, IP(10, 0, 2, 16), long_host);
	dhcp(VM2, 3, IP(10, 0, 2, 16), "x\0y", 3);
	expect_forwarded("x.lab.test");
	assert_int_equal(st()->dhcp_hostname_taken, 2);

	/* VM1 releases: its name goes, and VM2 may have it now. */
	dhcp(VM1, 7, IP(10, 0, 2, 15), NULL, 0);
	expect_forwarded("vm1.lab.test");
	bind_lease(VM2, IP(10, 0, 2, 16), "vm1");
	expect_a("vm1.lab.test", IP(10, 0, 2, 16));

	/* A static record added later wins over the guest's name at once,
	 * and removing it gives the guest's name back. */
	assert_int_equal(gateway_dns_record_add(gwh.gw, "VM1.lab.test.", "10.0.2.77", err,
						sizeof(err)), 0);
	expect_a("vm1.lab.test", IP(10, 0, 2, 77));
	assert_int_equal(gateway_dns_record_remove(gwh.gw, "vm1.lab.test", NULL, err,
						   sizeof(err)), 0);
	expect_a("vm1.lab.test", IP(10, 0, 2, 16));
	assert_int_equal(gateway_dns_record_remove(gwh.gw, "vm1.lab.test", NULL, err,
						   sizeof(err)), -1);
	assert_non_null(strstr(err, "no DNS record"));
	assert_int_equal(gateway_dns_record_add(gwh.gw, "a..b", "10.0.2.1", err, sizeof(err)),
			 -1);
	assert_int_equal(gateway_dns_record_add(gwh.gw, "ok", "224.0.0.1", err, sizeof(err)),
			 -1);
}

static void test_bare_host_name(void **state)
{
	gwh_start("", false);
	bind_lease(VM1, IP(10, 0, 2, 15), "solo");
	expect_a("solo", IP(10, 0, 2, 15));
	expect_a("SOLO.", IP(10, 0, 2, 15));
	expect_forwarded("solo.lab");
}

static void test_table_limit(void **state)
{
	char err[256];

	gwh_start("max-dns-records=2,dns-record=a=10.0.2.40", false);
	assert_int_equal(gateway_dns_record_add(gwh.gw, "b", "fec0::41", err, sizeof(err)), 0);
	assert_int_equal(gateway_dns_record_add(gwh.gw, "c", "10.0.2.42", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "max-dns-records=2"));
	assert_int_equal(gateway_dns_record_add(gwh.gw, "b", "fec0::41", err, sizeof(err)), 0);
	expect_a("a", IP(10, 0, 2, 40));
}

/* ---- AAAA for a guest's host name ---------------------------------------- */

/* The answer records of the DNS reply d (dlen bytes, question qlen):
 * their addresses as text, space-separated, into out. */
static void answers(const uint8_t *d, size_t dlen, size_t qlen, char *out, size_t size)
{
	size_t i = qlen, n = 0;
	unsigned an = rd16be(d + 6);

	out[0] = '\0';
	assert_int_equal(rd16be(d + 2) & 0xf, 0);
	assert_true(rd16be(d + 2) & 0x0400); /* authoritative */
	for (unsigned k = 0; k < an; k++) {
		char a[64];
		size_t rdlen;

		assert_true(i + 12 <= dlen);
		rdlen = rd16be(d + i + 10);
		assert_true(i + 12 + rdlen <= dlen);
		assert_true(rdlen == 4 || rdlen == 16);
		inet_ntop(rdlen == 4 ? AF_INET : AF_INET6, d + i + 12, a, sizeof(a));
		n += (size_t)snprintf(out + n, size - n, "%s%s", n ? " " : "", a);
		i += 12 + rdlen;
	}
	assert_int_equal(i, dlen);
}

/* Ask over IPv4 from 10.0.2.15 (VM1): the answers as text. */
static void ask4(const char *name, uint16_t qtype, char *out, size_t size)
{
	uint8_t f[2000];
	size_t n = mk_query(f + 42, name, qtype), dlen;
	unsigned before = gwh.ncap;
	const uint8_t *d;

	gwh_send(f, mk_udp(f, VM1, GWMAC, IP(10, 0, 2, 15), 40000, IP(10, 0, 2, 3), 53, n));
	assert_int_equal(gwh.ncap, before + 1);
	d = gwh_check_udp(before, VM1, IP(10, 0, 2, 3), 53, IP(10, 0, 2, 15), 40000, &dlen);
	answers(d, dlen, n, out, size);
}

/* Ask over IPv6 from mac at src to fec0::3 (which also teaches the
 * gateway's NDP table src -> mac): the answers as text. */
static void ask6(const uint8_t *mac, const char *src, const char *name, uint16_t qtype, char *out,
		 size_t size)
{
	uint8_t f[2000];
	struct in6_addr s, d;
	size_t n = mk_query(f + 62, name, qtype);
	unsigned before = gwh.ncap;
	const uint8_t *c;

	assert_int_equal(inet_pton(AF_INET6, src, &s), 1);
	assert_int_equal(inet_pton(AF_INET6, "fec0::3", &d), 1);
	gwh_send(f, ref_udp6_frame(f, GWMAC, mac, s.s6_addr, 40001, d.s6_addr, 53, n));
	assert_int_equal(gwh.ncap, before + 1);
	c = gwh.cap[before];
	assert_memory_equal(c, mac, 6);
	assert_int_equal(rd16be(c + 12), 0x86dd);
	assert_memory_equal(c + 14 + 24, &s, 16);
	assert_int_equal(ref_udp6(c + 14, c + 54, rd16be(c + 58)), 0);
	answers(c + 62, rd16be(c + 58) - 8, n, out, size);
}

/* A DHCPv6 Solicit with rapid commit and an IA_NA from mac (DUID-LL):
 * the lease is bound at once. */
static void dhcpv6_lease(const uint8_t *mac)
{
	static const uint8_t all_servers_mac[6] = { 0x33, 0x33, 0, 1, 0, 2 };
	uint8_t f[300], *m = f + 62;
	struct in6_addr s, d;
	size_t n = 4;
	unsigned before = gwh.ncap;

	memset(f, 0, sizeof(f));
	m[0] = 1;
	m[3] = 9;
	wr16be(m + n, 1);
	wr16be(m + n + 2, 10);
	wr16be(m + n + 4, 3);
	wr16be(m + n + 6, 1);
	memcpy(m + n + 8, mac, 6);
	n += 14;
	wr16be(m + n, 14); /* rapid commit */
	n += 4;
	wr16be(m + n, 3); /* IA_NA, IAID 1 */
	wr16be(m + n + 2, 12);
	wr32be(m + n + 4, 1);
	n += 16;
	assert_int_equal(inet_pton(AF_INET6, "fe80::5054:ff:fe12:3456", &s), 1);
	assert_int_equal(inet_pton(AF_INET6, "ff02::1:2", &d), 1);
	gwh_send(f, ref_udp6_frame(f, all_servers_mac, mac, s.s6_addr, 546, d.s6_addr, 547, n));
	assert_int_equal(gwh.ncap, before + 1);
	assert_int_equal(gwh.cap[before][62], 7); /* Reply */
}

static void expect4(const char *name, uint16_t qtype, const char *want)
{
	char got[512];

	ask4(name, qtype, got, sizeof(got));
	assert_string_equal(got, want);
}

static void test_host_names_v6(void **state)
{
	char got[512], *info = NULL;
	size_t info_len = 0;
	FILE *out;

	(void)state;
	gwh_start("ipv6=on,ipv6-dhcp=stateful,domainname=lab.test", false);
	bind_lease(VM1, IP(10, 0, 2, 15), "vm1");
	/* No IPv6 from the guest yet: AAAA is NODATA, not forwarded. */
	expect4("vm1.lab.test", 28, "");
	/* Its first IPv6 packet teaches the address, for its own query too. */
	ask6(VM1, "fec0::5054:ff:fe12:3456", "vm1.lab.test", 28, got, sizeof(got));
	assert_string_equal(got, "fec0::5054:ff:fe12:3456");
	expect4("vm1.lab.test", 1, "10.0.2.15");
	expect4("vm1.lab.test", 255, "10.0.2.15 fec0::5054:ff:fe12:3456");
	/* Link-local addresses are no answer; another MAC's are not VM1's. */
	ask6(VM1, "fe80::5054:ff:fe12:3456", "vm1.lab.test", 28, got, sizeof(got));
	assert_string_equal(got, "fec0::5054:ff:fe12:3456");
	ask6(VM2, "fec0::77", "vm1.lab.test", 28, got, sizeof(got));
	assert_string_equal(got, "fec0::5054:ff:fe12:3456");
	/* A DHCPv6 lease of VM1's adds its address (after the ones in use). */
	dhcpv6_lease(VM1);
	expect4("vm1.lab.test", 28, "fec0::5054:ff:fe12:3456 fec0::100");
	/* The leased address in use as a source: still each address once
	 * (the order is by when NDP saw them: the same ms here). */
	ask6(VM1, "fec0::100", "vm1.lab.test", 28, got, sizeof(got));
	assert_int_equal(strlen(got), strlen("fec0::100 fec0::5054:ff:fe12:3456"));
	assert_non_null(strstr(got, "fec0::100"));
	assert_non_null(strstr(got, "fec0::5054:ff:fe12:3456"));
	out = open_memstream(&info, &info_len);
	assert_non_null(out);
	gateway_info(gwh.gw, out);
	fclose(out);
	assert_non_null(strstr(info, "vm1.lab.test                             AAAA  fec0::100 "
				     "(DHCP host name, DHCPv6 lease)"));
	assert_non_null(strstr(info, "AAAA  fec0::5054:ff:fe12:3456 (DHCP host name, learned by "
				     "NDP)"));
	free(info);
	/* The IPv4 lease released: the name goes, AAAA with it. */
	dhcp(VM1, 7, IP(10, 0, 2, 15), NULL, 0);
	expect_forwarded("vm1.lab.test");
}

/* ipv6=off: the A record alone, as before. */
static void test_host_names_v4_only(void **state)
{
	(void)state;
	gwh_start("domainname=lab.test", false);
	bind_lease(VM1, IP(10, 0, 2, 15), "vm1");
	expect4("vm1.lab.test", 255, "10.0.2.15");
	expect4("vm1.lab.test", 28, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_records_and_host_names, gwh_teardown),
		cmocka_unit_test_teardown(test_bare_host_name, gwh_teardown),
		cmocka_unit_test_teardown(test_table_limit, gwh_teardown),
		cmocka_unit_test_teardown(test_host_names_v6, gwh_teardown),
		cmocka_unit_test_teardown(test_host_names_v4_only, gwh_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
