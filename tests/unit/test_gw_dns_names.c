/* SPDX-License-Identifier: MIT
 *
 * test_gw_dns_names.c - the gateway's own DNS names through real frames:
 * dns-record= answers from the DNS service, and the guests' DHCP host
 * names (option 12) as HOST.<domainname> while their lease is bound: first
 * to bind keeps a name, static records always win, hostile host names get
 * no name, a released lease frees its name, and without a domainname the
 * bare host name is the name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
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

/* Ask name/qtype from 10.0.2.15; the answer's address count and, with
 * one A answer, its address in *a4; the rcode is returned. */
static int ask(const char *name, uint16_t qtype, unsigned *an, uint32_t *a4, bool *aa)
{
	uint8_t f[2000], *q = f + 42;
	const char *p = name;
	size_t n = 12, dlen;
	unsigned before = gwh.ncap;
	const uint8_t *d;

	memset(q, 0, 12);
	wr16be(q, 0x77);
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
	n += 4;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_records_and_host_names, gwh_teardown),
		cmocka_unit_test_teardown(test_bare_host_name, gwh_teardown),
		cmocka_unit_test_teardown(test_table_limit, gwh_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
