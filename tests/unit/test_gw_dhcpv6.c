/* SPDX-License-Identifier: MIT
 *
 * test_gw_dhcpv6.c - the DHCPv6 server's boot file URL (RFC 5970 option
 * 59): the URL built from bootfile=, tftp-server-name= and ipv6-host=, and
 * the option in the replies of a gateway driven frame by frame: present
 * in an Information-Request's Reply and a stateful Advertise when the
 * client's ORO asks for it, absent when it does not or without bootfile=.
 * The replies' UDP checksums are checked with the reference sum of
 * gw_test.h, never the gateway's own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "core/frame.h"
#include "core/port.h"
#include "gateway/config.h"
#include "gateway/services/dhcpv6.h"
#include "helpers/gw_harness.h"

#define GUEST_LL "fe80::5054:ff:fe12:3456"

static const uint8_t ALL_SERVERS_MAC[6] = { 0x33, 0x33, 0, 1, 0, 2 };

static void expect_url(const char *opts, const char *want)
{
	struct gw_config c;
	char url[GW_DHCP6_URL_MAX];
	size_t n;

	gwh_parse_cfg(&c, opts);
	n = gw_dhcpv6_bootfile_url(&c, url, sizeof(url));
	if (!want) {
		assert_int_equal(n, 0);
		return;
	}
	assert_int_equal(n, strlen(want));
	assert_string_equal(url, want);
}

static void test_url(void **state)
{
	struct gw_config c;
	char small[24];

	(void)state;
	expect_url("ipv6=on", NULL);
	expect_url("ipv6=on,bootfile=boot.ipxe", "tftp://[fec0::2]/boot.ipxe");
	/* A leading '/' dropped (the server serves beneath DIR either way),
	 * a space and a '%' percent-encoded, '/' and ':' kept. */
	expect_url("ipv6=on,bootfile=/efi/a b%:x.efi", "tftp://[fec0::2]/efi/a%20b%25:x.efi");
	expect_url("ipv6=on,ipv6-net=fd00:1::/64,ipv6-host=fd00:1::5,bootfile=pxe.0",
		   "tftp://[fd00:1::5]/pxe.0");
	/* tftp-server-name=: an IPv6 literal or a DNS name is the host, an
	 * IPv4 literal is not (the client boots over IPv6). */
	expect_url("ipv6=on,bootfile=pxe.0,tftp-server-name=boot.test", "tftp://boot.test/pxe.0");
	expect_url("ipv6=on,bootfile=pxe.0,tftp-server-name=FD00:0:0::7",
		   "tftp://[fd00::7]/pxe.0");
	expect_url("ipv6=on,bootfile=pxe.0,tftp-server-name=10.0.2.2", "tftp://[fec0::2]/pxe.0");
	expect_url("ipv6=on,bootfile=pxe.0,tftp-server-name=a b", "tftp://[fec0::2]/pxe.0");
	/* Already a URL: as it is. */
	expect_url("ipv6=on,bootfile=http://[fec0::2]:8080/boot.ipxe",
		   "http://[fec0::2]:8080/boot.ipxe");
	/* Too long for the room given: nothing, not a cut URL. */
	gwh_parse_cfg(&c, "ipv6=on,bootfile=abcdefghijklmnop");
	assert_int_equal(gw_dhcpv6_bootfile_url(&c, small, sizeof(small)), 0);
	gwh_parse_cfg(&c, "ipv6=on,bootfile=abcdefghijklmn% ");
	assert_int_equal(gw_dhcpv6_bootfile_url(&c, small, sizeof(small)), 0);
}

/* A DHCPv6 message of type with a DUID-LL client id, an ORO of the codes
 * oro (n of them), and an IA_NA when ia, from GUEST_LL:546 to ff02::1:2. */
static void send_msg(uint8_t type, const uint16_t *oro, unsigned n, bool ia)
{
	static uint8_t f[512];
	struct in6_addr s, d;
	uint8_t *m = f + 62;
	size_t len = 4;

	assert_int_equal(inet_pton(AF_INET6, GUEST_LL, &s), 1);
	assert_int_equal(inet_pton(AF_INET6, "ff02::1:2", &d), 1);
	memset(f, 0, sizeof(f));
	m[0] = type;
	m[3] = 0x42;
	wr16be(m + len, 1); /* client id: DUID-LL, Ethernet, VM1 */
	wr16be(m + len + 2, 10);
	wr16be(m + len + 4, 3);
	wr16be(m + len + 6, 1);
	memcpy(m + len + 8, VM1, 6);
	len += 14;
	wr16be(m + len, 6);
	wr16be(m + len + 2, (uint16_t)(2 * n));
	for (unsigned i = 0; i < n; i++)
		wr16be(m + len + 4 + 2 * i, oro[i]);
	len += 4 + 2 * n;
	if (ia) {
		wr16be(m + len, 3);
		wr16be(m + len + 2, 12);
		wr32be(m + len + 4, 7);
		len += 16;
	}
	gwh.ncap = 0;
	gwh_send(f, ref_udp6_frame(f, ALL_SERVERS_MAC, VM1, s.s6_addr, 546, d.s6_addr, 547, len));
}

/* The only reply: from fe80::2:547 to the client, checksum right; option
 * code's value (its length in *olen), or NULL when absent. */
static const uint8_t *reply_opt(uint8_t want_type, uint16_t code, size_t *olen)
{
	const uint8_t *c = gwh.cap[0], *ip = c + 14, *u = ip + 40, *m = u + 8;
	struct in6_addr s;
	size_t len, i = 4;

	assert_int_equal(gwh.ncap, 1);
	assert_memory_equal(c, VM1, 6);
	assert_int_equal(rd16be(c + 12), 0x86dd);
	assert_int_equal(inet_pton(AF_INET6, "fe80::2", &s), 1);
	assert_memory_equal(ip + 8, &s, 16);
	assert_int_equal(rd16be(u), 547);
	assert_int_equal(rd16be(u + 2), 546);
	len = rd16be(u + 4);
	assert_int_equal(len, rd16be(ip + 4));
	assert_int_equal(ref_udp6(ip, u, len), 0);
	assert_int_equal(m[0], want_type);
	len -= 8;
	while (i + 4 <= len) {
		size_t l = rd16be(m + i + 2);

		assert_true(i + 4 + l <= len);
		if (rd16be(m + i) == code) {
			*olen = l;
			return m + i + 4;
		}
		i += 4 + l;
	}
	assert_int_equal(i, len);
	return NULL;
}

static void expect_url_opt(uint8_t type, const char *want)
{
	size_t n = 0;
	const uint8_t *v = reply_opt(type, 59, &n);

	if (!want) {
		assert_null(v);
		return;
	}
	assert_non_null(v);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(v, want, n);
}

static void test_option59(void **state)
{
	static const uint16_t with[] = { 23, 59 }, without[] = { 23, 24 };
	size_t n;

	(void)state;
	gwh_start("ipv6=on,bootfile=boot.ipxe", false);
	send_msg(11, with, 2, false); /* Information-Request */
	expect_url_opt(7, "tftp://[fec0::2]/boot.ipxe");
	assert_non_null(reply_opt(7, 23, &n)); /* the DNS servers still */
	send_msg(11, without, 2, false);
	expect_url_opt(7, NULL);
	send_msg(11, with + 1, 1, false);
	expect_url_opt(7, "tftp://[fec0::2]/boot.ipxe");
	port_close(gateway_port(gwh.gw));

	gwh_start("ipv6=on,ipv6-dhcp=stateful,bootfile=/pxe.efi,tftp-server-name=boot.test",
		  false);
	send_msg(1, with, 2, true); /* Solicit */
	expect_url_opt(2, "tftp://boot.test/pxe.efi");
	assert_non_null(reply_opt(2, 3, &n)); /* and the IA_NA */
	send_msg(3, without, 2, true); /* Request, not asking */
	expect_url_opt(7, NULL);
	port_close(gateway_port(gwh.gw));

	gwh_start("ipv6=on", false); /* no bootfile=: nothing to say */
	send_msg(11, with, 2, false);
	expect_url_opt(7, NULL);
}

/* The pool's first address is a guestfwd server's here: the lease must
 * be the next one, not an address NDP answers for as the gateway's. */
static void test_pool_skips_guestfwd(void **state)
{
	const uint8_t *ia, *sub;
	struct in6_addr want;
	size_t n = 0;

	(void)state;
	gwh_start("ipv6=on,ipv6-dhcp=stateful,guestfwd=tcp:[fec0::100]:80-tcp:[::1]:8080", false);
	send_msg(1, NULL, 0, true); /* Solicit */
	ia = reply_opt(2, 3, &n);
	assert_non_null(ia);
	assert_true(n >= 12 + 4 + 24);
	sub = ia + 12;
	assert_int_equal(rd16be(sub), 5); /* IAADDR */
	assert_int_equal(inet_pton(AF_INET6, "fec0::101", &want), 1);
	assert_memory_equal(sub + 4, &want, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url),
		cmocka_unit_test_teardown(test_option59, gwh_teardown),
		cmocka_unit_test_teardown(test_pool_skips_guestfwd, gwh_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
