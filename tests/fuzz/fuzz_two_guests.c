/* SPDX-License-Identifier: MIT
 *
 * fuzz_two_guests.c - libFuzzer target for what guests on one LAN share: a
 * switch with port security, the user-mode gateway on it, and two guest
 * ports whose frames are interleaved, so the cross-port state (the MAC
 * table and its per-port caps, the source guard, leases per port, the
 * per-guest quotas of the gateway's tables, a port leaving with its
 * flows) is fuzzed, not only one guest's view of the gateway.
 *
 * Theory of operation: each input builds a fresh switch (no event loop of
 * its own), attaches the two guest ports, then a gateway from a real
 * "-netdev user" option string with small tables, and tears it all down at
 * the end (LeakSanitizer sees anything forgotten). The input is
 *
 *   byte 0    bit 0: with an event loop (TCP engine, UDP and ICMP NAT,
 *             real sockets in a private netns, as fuzz_gateway_frames.c
 *             does); bit 1: source-guard=strict; bit 2: shares of 1 entry
 *             per guest (max-*-per-guest=1) instead of half of each table;
 *             bit 3: max-macs-per-port=2 on the switch
 *   records   ctl, length (2 bytes, big endian), frame
 *             ctl bit 0: from guest B instead of A; bit 1: correct IPv4
 *             header checksum; bit 2: correct ICMP/UDP/TCP checksum; bit
 *             3: destination MAC is the gateway's; bit 4: source MAC is
 *             the port's own (52:54:00:00:00:0a / 0b), so the guests keep
 *             steady identities the fuzzer need not guess; bit 5: that
 *             port leaves the switch and comes back first (its flows must
 *             go, station_left); bit 6: the clock advances 3 s and the
 *             services and NAT are swept; bit 7 (loop mode): a TCP
 *             segment goes to the harness's listener, its ACK number
 *             relative to the gateway's last SYN-ACK
 *
 * Invariants, besides the sanitizers: while a guest's frame is being
 * forwarded, the other guest receives nothing from the gateway's MAC and
 * no ARP claiming the gateway's or the DNS address (the switch pins them);
 * everything a guest receives while the gateway's ring is flushed comes
 * from the gateway's MAC with a correct IPv4 header checksum.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/keyval.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/port.h"
#include "fabric/network.h"
#include "gateway/config.h"
#include "gateway/gateway.h"
#include "gateway/ip/checksum.h"
#include "gateway/pkt.h"

#include "fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define IPPROTO_TCP_ 6
#define GW_NET 0x0a000200u
#define GW_HOST 0x0a000202u
#define GW_DNS 0x0a000203u

static struct port guests[2];
static struct gw_config cfg;
static uint8_t frame[FRAME_BUF_SIZE];
static struct fuzz_netns ns; /* ns.loop non-NULL: loop mode is safe to use */
static uint32_t last_syn_ack;
static enum { IDLE, GUEST_IN, FLUSH } phase;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_netns_init(&ns);
	return 0;
}

static bool guest_transmit(struct port *p, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HDR_LEN;

	CHECK(len >= ETH_HDR_LEN && len <= FRAME_MAX);
	if (phase == GUEST_IN) {
		CHECK(memcmp(eth_src(f), cfg.mac, 6) != 0);
		/* Ethernet/IPv4 ARP only: a receiver drops other hardware
		 * or address lengths (Linux's arp_rcv checks ar_hln). */
		if (rd16be(f + 12) == ETHERTYPE_ARP && len >= ETH_HDR_LEN + 28 &&
		    rd16be(ip) == 1 && rd16be(ip + 2) == ETHERTYPE_IPV4 && ip[4] == 6 &&
		    ip[5] == 4) {
			uint32_t spa = rd32be(f + ETH_HDR_LEN + 14);

			CHECK(spa != GW_HOST && spa != GW_DNS);
		}
	} else if (phase == FLUSH) {
		CHECK(!memcmp(eth_src(f), cfg.mac, 6));
		if (rd16be(f + 12) == ETHERTYPE_IPV4) {
			size_t ihl;

			CHECK(len >= ETH_HDR_LEN + IP_HDR_LEN);
			ihl = (size_t)(ip[0] & 0xf) * 4;
			CHECK(ihl >= IP_HDR_LEN && ETH_HDR_LEN + ihl <= len);
			CHECK(csum(ip, ihl) == 0);
			if (ip[9] == IPPROTO_TCP_ && ETH_HDR_LEN + ihl + 20 <= len &&
			    (ip[ihl + 13] & 0x12) == 0x12)
				last_syn_ack = rd32be(ip + ihl + 4);
		}
	}
	return true;
}

static void guest_describe(const struct port *p, char *buf, size_t size) { *buf = 0; }
static void guest_destroy(struct port *p) {}

static const struct port_ops guest_ops = {
	.kind = "fuzz", .transmit = guest_transmit, .describe = guest_describe,
	.destroy = guest_destroy,
};

/* Correct checksums where asked (ctl bits 1 and 2). */
static void fixup(uint8_t *f, size_t len, uint8_t ctl)
{
	uint8_t *ip = f + ETH_HDR_LEN, *l4;
	size_t ihl, tot, l4len;

	if (len < ETH_HDR_LEN + IP_HDR_LEN || rd16be(f + 12) != ETHERTYPE_IPV4)
		return;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (ihl < IP_HDR_LEN || ETH_HDR_LEN + ihl > len)
		return;
	tot = rd16be(ip + 2);
	if (tot > len - ETH_HDR_LEN)
		tot = len - ETH_HDR_LEN;
	l4 = ip + ihl;
	l4len = tot > ihl ? tot - ihl : 0;
	if (ctl & 4) {
		if (ip[9] == IPPROTO_UDP_ && l4len >= UDP_HDR_LEN) {
			uint16_t ulen = rd16be(l4 + 4);

			if (ulen >= UDP_HDR_LEN && ulen <= l4len)
				l4len = ulen;
			wr16be(l4 + 6, 0);
			wr16be(l4 + 6, csum_l4_ipv4(rd32be(ip + 12), rd32be(ip + 16), IPPROTO_UDP_,
						    l4, l4len));
		} else if (ip[9] == IPPROTO_ICMP_ && l4len >= 4) {
			wr16be(l4 + 2, 0);
			wr16be(l4 + 2, csum(l4, l4len));
		} else if (ip[9] == IPPROTO_TCP_ && l4len >= 20) {
			wr16be(l4 + 16, 0);
			wr16be(l4 + 16, csum_l4_ipv4(rd32be(ip + 12), rd32be(ip + 16), IPPROTO_TCP_,
						     l4, l4len));
		}
	}
	if (ctl & 2) {
		wr16be(ip + 10, 0);
		wr16be(ip + 10, csum(ip, ihl));
	}
}

/* Loop mode: every destination stays on this machine; bit 7 aims TCP at
 * the listener with an ACK number the fuzzer could not guess. */
static void rewrite(uint8_t *f, size_t len, uint8_t ctl)
{
	uint8_t *ip = f + ETH_HDR_LEN;
	size_t ihl;
	uint32_t dst;

	if (len < ETH_HDR_LEN + IP_HDR_LEN || rd16be(f + 12) != ETHERTYPE_IPV4)
		return;
	dst = rd32be(ip + 16);
	if ((dst & 0xffffff00u) != GW_NET && dst != 0xffffffffu)
		wr32be(ip + 16, GW_HOST);
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if ((ctl & 128) && ip[9] == IPPROTO_TCP_ && ihl >= IP_HDR_LEN &&
	    ETH_HDR_LEN + ihl + 12 <= len) {
		wr16be(ip + ihl + 2, ns.listen_port);
		wr32be(ip + ihl + 8, rd32be(ip + ihl + 8) + last_syn_ack);
	}
}

static void flush(struct gateway *gw, struct ev_loop *lp)
{
	phase = FLUSH;
	gateway_flush(gw);
	for (int i = 0; lp && i < 4; i++) {
		ev_loop_once(lp, 0);
		gateway_flush(gw);
	}
	phase = IDLE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[512];
	struct ev_loop *lp = NULL;
	struct network *net;
	struct gateway *gw;
	uint64_t now = 1000000;
	size_t pos = 1;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		if (!ns.loop)
			return 0;
		lp = ns.loop;
	}
	log_set_hook(fuzz_quiet);
	last_syn_ack = 0;
	phase = IDLE;
	snprintf(text, sizeof(text),
		 "user,max-tcp-flows=8,max-udp-flows=8,max-frags=4,max-ooo-kib=64,max-leases=4%s%s",
		 data[0] & 2 ? ",source-guard=strict" : "",
		 data[0] & 4 ? ",max-flows-per-guest=1,max-dns-per-guest=1,max-frags-per-guest=1,"
			       "max-ooo-per-guest=1" : "");
	fuzz_gw_config(&cfg, text);
	net = network_new("fz", NETWORK_SWITCH, NETWORK_DEFAULT_AGING_S, 64, NULL);
	if (!net)
		abort();
	network_set_security(net, true, data[0] & 8 ? 2 : NETWORK_DEFAULT_MAX_MACS_PER_PORT);
	for (unsigned i = 0; i < 2; i++) {
		port_init(&guests[i], &guest_ops, i ? "b" : "a");
		network_attach(net, &guests[i]);
	}
	gw = gateway_new(&cfg, "gw", lp);
	if (!gw)
		abort();
	network_attach(net, gateway_port(gw));

	while (size - pos >= 3) {
		uint8_t ctl = data[pos];
		size_t len = rd16be(data + pos + 1);
		struct port *from = &guests[ctl & 1];

		pos += 3;
		if (len > size - pos)
			len = size - pos;
		memcpy(frame, data + pos, len);
		pos += len;
		if (ctl & 32) {
			network_detach(net, from);
			network_attach(net, from);
			flush(gw, lp);
		}
		if (ctl & 64) {
			now += 3000;
			gateway_service_sweep(gw, now);
			gateway_nat_sweep(gw, now);
			flush(gw, lp);
		}
		if (lp)
			rewrite(frame, len, ctl);
		if (len >= ETH_HDR_LEN && (ctl & 8))
			memcpy(frame, cfg.mac, 6);
		if (len >= ETH_HDR_LEN && (ctl & 16)) {
			static const uint8_t own[2][6] = { { 0x52, 0x54, 0, 0, 0, 0x0a },
							   { 0x52, 0x54, 0, 0, 0, 0x0b } };

			memcpy(frame + 6, own[ctl & 1], 6);
		}
		fixup(frame, len, ctl);
		phase = GUEST_IN;
		port_receive(from, frame, len);
		phase = IDLE;
		flush(gw, lp);
	}
	/* The guests leave first, with whatever flows they hold. */
	network_detach(net, &guests[0]);
	network_detach(net, &guests[1]);
	flush(gw, lp);
	network_free(net);
	if (lp) {
		for (int i = 0; i < 4; i++)
			ev_loop_once(lp, 0);
		fuzz_netns_drain(&ns);
	}
	return 0;
}
