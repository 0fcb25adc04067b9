/* SPDX-License-Identifier: MIT
 *
 * fuzz_ndp.c - libFuzzer target for the gateway's NDP and ICMPv6 input
 * (gateway/services/ndp.h, icmp6.h) and the NDP option walker.
 *
 * Theory of operation: the whole input first goes to gw_ndp_parse_opts()
 * from a heap copy of its exact length (ASan flags overreads); accepted
 * options must point inside it. Then it is a sequence of records for a
 * gateway built without an event loop (gateway_new(cfg, id, NULL)):
 *
 *   byte 0    configuration: bit 0 ipv6-dhcp=stateful, bit 1 mtu=1280,
 *             bit 2 dnssearch= names, bit 3 restrict=on
 *   records   ctl, length (1 byte), ICMPv6 message
 *             ctl bits 0-1: source (the guest's fe80::, its fec0::, ::,
 *             the gateway's own fec0::2); bits 2-3: destination (fec0::2,
 *             ff02::1, ff02::2, fec0::2's solicited-node group); bit 4:
 *             hop limit 64 instead of 255; bit 5: the source MAC of a
 *             second guest; bit 6: a wrong ICMPv6 checksum
 *
 * The harness wraps each message in Ethernet and IPv6 with a correct
 * payload length and (unless bit 6) checksum, so the fuzzer reaches the
 * message parsers instead of the checksum check. Every frame the gateway
 * emits must come from its MAC, be IPv6 with a payload length matching
 * the frame, hop limit 255 for NDP, and a correct ICMPv6 checksum.
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
#include "gateway/services/ndp.h"

#include "fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gw_config cfg;
static uint8_t frame[FRAME_BUF_SIZE];

static void sink(void *ctx, struct port *from, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HDR_LEN;
	size_t plen;

	(void)ctx;
	(void)from;
	CHECK(len >= ETH_HDR_LEN && len <= ETH_HDR_LEN + cfg.mtu);
	CHECK(!memcmp(f + 6, cfg.mac, 6));
	if (rd16be(f + 12) != ETHERTYPE_IPV6)
		return;
	CHECK(len >= ETH_HDR_LEN + IP6_HDR_LEN);
	plen = rd16be(ip + 4);
	CHECK(plen == len - ETH_HDR_LEN - IP6_HDR_LEN);
	if (ip[6] == IP6_NH_ICMPV6) {
		CHECK(plen >= 4);
		CHECK(!csum_l4_ipv6(ip + 8, ip + 24, IP6_NH_ICMPV6, ip + IP6_HDR_LEN, plen));
		if (ip[IP6_HDR_LEN] >= ND_ROUTER_SOLICIT && ip[IP6_HDR_LEN] <= ND_REDIRECT)
			CHECK(ip[7] == 255);
	}
}

static const struct port_sink_ops sink_ops = { .receive = sink };

static void options(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	struct gw_ndp_opts o;

	if (!p)
		return;
	memcpy(p, data, size);
	if (!gw_ndp_parse_opts(p, size, &o)) {
		CHECK(!o.sllao || (o.sllao >= p && o.sllao + 6 <= p + size));
		CHECK(!o.tllao || (o.tllao >= p && o.tllao + 6 <= p + size));
	}
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t vm1[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	static const uint8_t vm2[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x57 };
	const char *srcs[4] = { "fe80::5054:ff:fe12:3456", "fec0::5054:ff:fe12:3456", "::",
				"fec0::2" };
	const char *dsts[4] = { "fec0::2", "ff02::1", "ff02::2", "ff02::1:ff00:2" };
	struct gateway *gw;
	char text[256];
	size_t pos = 1;

	options(data, size);
	if (size < 1)
		return 0;
	log_set_hook(fuzz_quiet);
	snprintf(text, sizeof(text), "user%s%s%s%s", data[0] & 1 ? ",ipv6-dhcp=stateful" : "",
		 data[0] & 2 ? ",mtu=1280" : "",
		 data[0] & 4 ? ",dnssearch=a.example.com,dnssearch=b.example" : "",
		 data[0] & 8 ? ",restrict=on" : "");
	fuzz_gw_config(&cfg, text);
	if (!(gw = gateway_new(&cfg, "gw", NULL)))
		abort();
	port_set_sink(gateway_port(gw), &sink_ops, NULL);
	while (size - pos >= 2) {
		uint8_t ctl = data[pos], *ip = frame + ETH_HDR_LEN, *l4 = ip + IP6_HDR_LEN;
		struct in6_addr s, d;
		size_t len = data[pos + 1];
		uint16_t c;

		pos += 2;
		if (len > size - pos)
			len = size - pos;
		inet_pton(AF_INET6, srcs[ctl & 3], &s);
		inet_pton(AF_INET6, dsts[ctl >> 2 & 3], &d);
		memcpy(l4, data + pos, len);
		pos += len;
		if (len >= 4) {
			wr16be(l4 + 2, 0);
			c = csum_l4_ipv6(s.s6_addr, d.s6_addr, IP6_NH_ICMPV6, l4, len);
			wr16be(l4 + 2, ctl & 64 ? (uint16_t)~c : c);
		}
		if (ip6_is_multicast(&d))
			ip6_multicast_mac(frame, &d);
		else
			memcpy(frame, cfg.mac, 6);
		memcpy(frame + 6, ctl & 32 ? vm2 : vm1, 6);
		wr16be(frame + 12, ETHERTYPE_IPV6);
		pkt_ipv6_hdr(ip, &s, &d, IP6_NH_ICMPV6, ctl & 16 ? 64 : 255, len);
		port_send(gateway_port(gw), frame, ETH_HDR_LEN + IP6_HDR_LEN + len);
		gateway_flush(gw);
	}
	port_close(gateway_port(gw));
	return 0;
}
