/* SPDX-License-Identifier: MIT
 *
 * fuzz_gateway_frames.c - libFuzzer target for the user-mode gateway: a
 * guest's sequence of Ethernet frames into gateway_port(), replies out.
 *
 * Theory of operation: each input builds a gateway without an event loop
 * (gateway_new(cfg, id, NULL): no sockets, the harness flushes the reply
 * ring with gateway_flush() after every frame) from a real "-netdev user"
 * option string, and tears it down at the end, so LeakSanitizer sees
 * anything the gateway forgets to free on a hostile path. The input is
 *
 *   byte 0    configuration: bit 0 restrict=on; bit 1 mtu=576; bit 2
 *             DHCP options (hostname, domainname, dnssearch, tftp,
 *             bootfile); bit 3 max-leases=2
 *   records   ctl, length (2 bytes, big endian), frame
 *             ctl bit 0: write a correct IPv4 header checksum; bit 1: a
 *             correct ICMP/UDP/TCP checksum; bit 2: destination MAC is the
 *             gateway's; bit 3: destination is broadcast; bit 4: first run
 *             the DNS sweep with the clock advanced by 3 s
 *
 * The checksum fixups let the fuzzer past the IPv4/L4 validation it could
 * hardly guess, into ARP, ICMP, DHCP, DNS and whatever else gateway.c
 * dispatches to (UDP and TCP to the outside, as those engines land). Every
 * frame the gateway emits must come from its MAC, fit the MTU, and if it
 * is IPv4 carry a correct header checksum, a total length that fits the
 * frame and, for UDP and ICMP, a correct checksum.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/keyval.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/port.h"
#include "gateway/checksum.h"
#include "gateway/config.h"
#include "gateway/gateway.h"
#include "gateway/pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                 \
	do {                                                                     \
		if (!(c)) {                                                      \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, \
				__LINE__, #c);                                   \
			abort();                                                 \
		}                                                                \
	} while (0)

#define IPPROTO_TCP_ 6

static struct gw_config cfg;
static uint8_t frame[FRAME_BUF_SIZE];

static void sink(void *ctx, struct port *from, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HDR_LEN, *l4;
	size_t ihl, tot;

	CHECK(len >= FRAME_MIN && len <= ETH_HDR_LEN + cfg.mtu);
	CHECK(!memcmp(eth_src(f), cfg.mac, 6));
	if (rd16be(f + 12) != ETHERTYPE_IPV4)
		return;
	CHECK(len >= ETH_HDR_LEN + IP_HDR_LEN);
	CHECK(ip[0] >> 4 == 4);
	ihl = (size_t)(ip[0] & 0xf) * 4;
	tot = rd16be(ip + 2);
	CHECK(ihl >= IP_HDR_LEN && tot >= ihl && tot <= len - ETH_HDR_LEN);
	CHECK(csum(ip, ihl) == 0);
	l4 = ip + ihl;
	if (ip[9] == IPPROTO_UDP_) {
		CHECK(tot - ihl >= UDP_HDR_LEN && rd16be(l4 + 4) == tot - ihl);
		if (rd16be(l4 + 6))
			CHECK(csum_l4_ipv4(rd32be(ip + 12), rd32be(ip + 16), IPPROTO_UDP_, l4,
					   tot - ihl) == 0);
	} else if (ip[9] == IPPROTO_ICMP_) {
		CHECK(tot - ihl >= 8 && csum(l4, tot - ihl) == 0);
	}
}

/* Make the IPv4 header and L4 checksums right, if asked to. */
static void fixup(uint8_t *f, size_t len, uint8_t ctl)
{
	uint8_t *ip = f + ETH_HDR_LEN, *l4;
	size_t ihl, tot, l4len, cs_len;
	uint16_t ulen;

	if (len < ETH_HDR_LEN + IP_HDR_LEN || rd16be(f + 12) != ETHERTYPE_IPV4)
		return;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (ihl < IP_HDR_LEN || ETH_HDR_LEN + ihl > len)
		return;
	tot = rd16be(ip + 2);
	if (tot > len - ETH_HDR_LEN)
		tot = len - ETH_HDR_LEN;
	if ((ctl & 2) && tot > ihl) {
		l4 = ip + ihl;
		l4len = tot - ihl;
		switch (ip[9]) {
		case IPPROTO_UDP_:
			if (l4len < UDP_HDR_LEN)
				break;
			ulen = rd16be(l4 + 4);
			cs_len = ulen >= UDP_HDR_LEN && ulen <= l4len ? ulen : l4len;
			wr16be(l4 + 6, 0);
			wr16be(l4 + 6, csum_l4_ipv4(rd32be(ip + 12), rd32be(ip + 16),
						    IPPROTO_UDP_, l4, cs_len));
			if (!rd16be(l4 + 6))
				wr16be(l4 + 6, 0xffff);
			break;
		case IPPROTO_ICMP_:
			if (l4len < 4)
				break;
			wr16be(l4 + 2, 0);
			wr16be(l4 + 2, csum(l4, l4len));
			break;
		case IPPROTO_TCP_:
			if (l4len < 20)
				break;
			wr16be(l4 + 16, 0);
			wr16be(l4 + 16, csum_l4_ipv4(rd32be(ip + 12), rd32be(ip + 16),
						     IPPROTO_TCP_, l4, l4len));
			break;
		}
	}
	if (ctl & 1) {
		wr16be(ip + 10, 0);
		wr16be(ip + 10, csum(ip, ihl));
	}
}

static void quiet(enum log_level level, const char *msg) {}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	char text[512], err[KV_ERR_MAX];
	struct kvlist kv;
	struct gateway *gw;
	uint64_t now = 1000000;
	size_t pos = 1;

	if (size < 1)
		return 0;
	log_set_hook(quiet);
	snprintf(text, sizeof(text), "user%s%s%s%s", data[0] & 1 ? ",restrict=on" : "",
		 data[0] & 2 ? ",mtu=576" : "",
		 data[0] & 4 ? ",hostname=vm1,domainname=example.com,dnssearch=a.example.com,"
			       "dnssearch=b.example.com,tftp=/srv,bootfile=pxelinux.0" : "",
		 data[0] & 8 ? ",max-leases=2" : "");
	if (kv_parse(&kv, "-netdev", text, "type", err, sizeof(err)))
		abort();
	if (gw_config_parse(&cfg, &kv, "/nonexistent", err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", text, err);
		abort();
	}
	kv_free(&kv);
	gw = gateway_new(&cfg, "gw", NULL);
	if (!gw)
		abort();
	gateway_port(gw)->sink_fn = sink;

	while (size - pos >= 3) {
		uint8_t ctl = data[pos];
		size_t len = rd16be(data + pos + 1);

		pos += 3;
		if (len > size - pos)
			len = size - pos;
		memcpy(frame, data + pos, len);
		pos += len;
		if (len >= ETH_HDR_LEN && (ctl & 4))
			memcpy(frame, cfg.mac, 6);
		if (len >= ETH_HDR_LEN && (ctl & 8))
			memcpy(frame, bcast, 6);
		fixup(frame, len, ctl);
		if (ctl & 16) {
			now += 3000;
			gateway_dns_sweep(gw, now);
		}
		port_send(gateway_port(gw), frame, len);
		gateway_flush(gw);
	}
	port_close(gateway_port(gw));
	return 0;
}
