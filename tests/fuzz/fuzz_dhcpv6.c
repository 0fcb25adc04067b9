/* SPDX-License-Identifier: MIT
 *
 * fuzz_dhcpv6.c - libFuzzer target for the DHCPv6 server
 * (gateway/services/dhcpv6.h).
 *
 * Theory of operation: the whole input first goes to gw_dhcpv6_parse()
 * from a heap copy of its exact length (ASan flags overreads); what it
 * accepts must point inside the copy, a DUID at most
 * GW_DHCP6_DUID_MAX bytes. Then it is a sequence of records for a gateway
 * built without an event loop, ipv6-dhcp=stateful unless byte 0 bit 0:
 *
 *   byte 0    bit 0 ipv6-dhcp=stateless; bit 1 max-leases=2; bit 2
 *             lease6= for the first guest MAC; bit 3 dnssearch= names;
 *             bit 4 bootfile= a name to percent-encode; bit 5
 *             tftp-server-name= an IPv6 address
 *   records   ctl, length (2 bytes, big endian), DHCPv6 message
 *             ctl bit 0: from the second guest MAC; bit 1: to fec0::2
 *             instead of ff02::1:2
 *
 * The harness wraps each message in Ethernet, IPv6 and UDP (port 546 to
 * 547) with a correct checksum. Every frame the gateway emits must come
 * from its MAC, be IPv6 UDP from fe80::2 port 547 with a payload length
 * and UDP length matching the frame and a correct checksum; its options
 * must tile the message exactly, and a boot file URL (option 59) appear
 * only with bootfile= and be a tftp:// URL of printable characters, no
 * space.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/keyval.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/port.h"
#include "gateway/config.h"
#include "gateway/gateway.h"
#include "gateway/ip/checksum.h"
#include "gateway/ip/ipv6.h"
#include "gateway/pkt.h"
#include "gateway/services/dhcpv6.h"

#include "fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gw_config cfg;
static uint8_t frame[FRAME_BUF_SIZE];

/* A reply's options, after type and transaction id. */
static void check_options(const uint8_t *m, size_t len)
{
	size_t i = 4;

	CHECK(len >= 4);
	while (i < len) {
		size_t olen;

		CHECK(len - i >= 4);
		olen = rd16be(m + i + 2);
		CHECK(olen <= len - i - 4);
		if (rd16be(m + i) == 59) {
			CHECK(cfg.bootfile[0] && olen > 7 && !memcmp(m + i + 4, "tftp://", 7));
			for (size_t k = 0; k < olen; k++)
				CHECK(m[i + 4 + k] > ' ' && m[i + 4 + k] < 0x7f);
		}
		i += 4 + olen;
	}
}

static void sink(void *ctx, struct port *from, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HDR_LEN, *u = ip + IP6_HDR_LEN;
	size_t plen;

	(void)ctx;
	(void)from;
	CHECK(len >= ETH_HDR_LEN && len <= ETH_HDR_LEN + cfg.mtu);
	CHECK(!memcmp(f + 6, cfg.mac, 6));
	if (rd16be(f + 12) != ETHERTYPE_IPV6 || ip[6] != 17)
		return;
	plen = rd16be(ip + 4);
	CHECK(plen == len - ETH_HDR_LEN - IP6_HDR_LEN && plen >= 8);
	CHECK(rd16be(u + 4) == plen);
	CHECK(rd16be(u) == 547);
	CHECK(!memcmp(ip + 8, &cfg.v6.host_ll, 16));
	CHECK(!csum_l4_ipv6(ip + 8, ip + 24, 17, u, plen));
	check_options(u + 8, plen - 8);
}

static const struct port_sink_ops sink_ops = { .receive = sink };

static void parse_only(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	struct gw_dhcp6_msg m;

	if (!p)
		return;
	memcpy(p, data, size);
	if (!gw_dhcpv6_parse(p, size, &m)) {
		CHECK(!m.client_id || (m.client_id >= p && m.client_id + m.client_id_len <= p + size));
		CHECK(!m.server_id || (m.server_id >= p && m.server_id + m.server_id_len <= p + size));
		CHECK(m.client_id_len <= GW_DHCP6_DUID_MAX && m.server_id_len <= GW_DHCP6_DUID_MAX);
	}
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t vm1[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	static const uint8_t vm2[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x57 };
	struct in6_addr s, d;
	struct gateway *gw;
	char text[256];
	size_t pos = 1;

	parse_only(data, size);
	if (size < 1)
		return 0;
	log_set_hook(fuzz_quiet);
	snprintf(text, sizeof(text), "user,ipv6-dhcp=%s%s%s%s%s%s",
		 data[0] & 1 ? "stateless" : "stateful", data[0] & 2 ? ",max-leases=2" : "",
		 data[0] & 4 ? ",lease6=fec0::77@52:54:00:12:34:56" : "",
		 data[0] & 8 ? ",dnssearch=a.example.com,dnssearch=b.example" : "",
		 data[0] & 16 ? ",bootfile=/efi/x y%\x7f\xc3\xa9.efi" : "",
		 data[0] & 32 ? ",tftp-server-name=fd00::9" : "");
	fuzz_gw_config(&cfg, text);
	if (!(gw = gateway_new(&cfg, "gw", NULL)))
		abort();
	port_set_sink(gateway_port(gw), &sink_ops, NULL);
	inet_pton(AF_INET6, "fe80::5054:ff:fe12:3456", &s);
	while (size - pos >= 3) {
		uint8_t ctl = data[pos], *ip = frame + ETH_HDR_LEN, *u = ip + IP6_HDR_LEN;
		size_t len = rd16be(data + pos + 1), max = cfg.mtu - IP6_HDR_LEN - 8;
		uint16_t c;

		pos += 3;
		if (len > size - pos)
			len = size - pos;
		if (len > max)
			len = max;
		inet_pton(AF_INET6, ctl & 2 ? "fec0::2" : "ff02::1:2", &d);
		memcpy(u + 8, data + pos, len);
		pos += len;
		wr16be(u, 546);
		wr16be(u + 2, 547);
		wr16be(u + 4, (uint16_t)(8 + len));
		wr16be(u + 6, 0);
		c = csum_l4_ipv6(s.s6_addr, d.s6_addr, 17, u, 8 + len);
		wr16be(u + 6, c ? c : 0xffff);
		if (ctl & 2)
			memcpy(frame, cfg.mac, 6);
		else
			ip6_multicast_mac(frame, &d);
		memcpy(frame + 6, ctl & 1 ? vm2 : vm1, 6);
		wr16be(frame + 12, ETHERTYPE_IPV6);
		pkt_ipv6_hdr(ip, &s, &d, 17, 1, 8 + len);
		port_send(gateway_port(gw), frame, ETH_HDR_LEN + IP6_HDR_LEN + 8 + len);
		gateway_flush(gw);
	}
	port_close(gateway_port(gw));
	return 0;
}
