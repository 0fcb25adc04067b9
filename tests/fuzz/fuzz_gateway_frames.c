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
 *             DHCP options (hostname, domainname, dnssearch, a lease-time,
 *             bootfile and tftp-server-name) and an IPv6 guestfwd server
 *             (fec0::64, which NDP answers for); bit 3 max-leases=2; bit 4
 *             with an event loop (see below) and 8-flow TCP and UDP tables
 *   records   ctl, length (2 bytes, big endian), frame
 *             ctl bit 0: write a correct IPv4 header checksum; bit 1: a
 *             correct ICMP/UDP/TCP checksum; bit 2: destination MAC is the
 *             gateway's; bit 3: destination is broadcast; bit 4: first run
 *             the DNS sweep with the clock advanced by 3 s; bit 5 (loop
 *             mode) a TCP segment to the host goes to the harness's
 *             listening port; bit 6: offload metadata follows the length
 *             (10 bytes: flags, gso_type, then hdr_len, gso_size,
 *             csum_start, csum_offset big endian), and bit 0 also sets the
 *             IPv4 total length to the frame's; bit 7 (with bit 6): the
 *             metadata goes straight to the port's transmit_offload()
 *             unvalidated, else the fabric's way (see below)
 *
 * The checksum fixups let the fuzzer past the IPv4/L4 validation it could
 * hardly guess, into ARP, ICMP, DHCP, DNS and whatever else gateway.c
 * dispatches to (UDP and TCP to the outside, as those engines land). Every
 * frame the gateway emits must come from its MAC, fit the MTU, and if it
 * is IPv4 carry a correct header checksum, a total length that fits the
 * frame and, for UDP, ICMP and TCP, a correct checksum; if IPv6, a payload
 * length that is the frame's and, for ICMPv6 (NA, RA, echo, errors such
 * as time exceeded for hop limit 1), a correct checksum.
 *
 * Offload records take the path a frame from a TAP with offloads takes:
 * offload_validate() as port_receive_offload() does (a lie is dropped
 * there), then whole through port_send_offload() when the gateway's caps
 * cover it, else cut in software by offload_segment() and sent segment by
 * segment, as network_send_offload() does. Bit 7 skips all that, so the
 * gateway's own re-validation faces raw hostile metadata: offsets past the
 * frame, gso_size 0, types it never advertised.
 *
 * Loop mode: the TCP engine and the UDP/ICMP NAT only exist with an event
 * loop, since they live on host sockets. So that no fuzzer-chosen packet
 * can ever leave the machine, the harness first moves itself into a
 * private network namespace with only loopback up (we run as root; if
 * that fails, loop-mode inputs are skipped), and rewrites every
 * destination outside the guest network to the gateway's host address,
 * which the gateway maps to 127.0.0.1. A listening socket there lets
 * connections complete (the kernel handshakes from the backlog), so the
 * fuzzer reaches established flows, data and teardown; other ports are
 * refused. The gateway's ISNs are keyed randomly per process, which no
 * input could guess: a segment with ctl bit 5 has its acknowledgment
 * number taken relative to the last SYN-ACK the gateway sent (ack 1
 * acknowledges it). After each frame the loop runs a few non-blocking iterations
 * for deferred ACKs, connect completions and NAT replies.
 */
#include <fcntl.h>
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
#include "core/offload.h"
#include "core/port.h"
#include "gateway/ip/checksum.h"
#include "gateway/config.h"
#include "gateway/gateway.h"
#include "gateway/pkt.h"

#include "fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define IPPROTO_TCP_ 6
#define GW_NET 0x0a000200u /* the default 10.0.2.0/24 */
#define GW_HOST 0x0a000202u

static struct gw_config cfg;
static uint8_t frame[FRAME_BUF_SIZE];
static uint8_t seg[FRAME_BUF_SIZE]; /* software segmentation of offload records */
static struct fuzz_netns ns; /* ns.loop non-NULL: loop mode is safe to use */
static uint32_t last_syn_ack; /* sequence number of the gateway's last SYN-ACK */

/* Private netns, lo up, a listener on 127.0.0.1. Any failure: no loop. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_netns_init(&ns);
	return 0;
}

/* Loop mode: keep every destination on this machine (see the top). */
static void rewrite(uint8_t *f, size_t len, uint8_t ctl)
{
	uint8_t *ip = f + ETH_HDR_LEN;
	size_t ihl;
	uint32_t dst;

	/* IPv6 beyond fec0::/64 goes to fec0::2 (the host's ::1) as well,
	 * unless its hop limit is 1 or 0: the gateway answers that itself
	 * (time exceeded), and nothing leaves a loopback-only namespace. */
	if (len >= ETH_HDR_LEN + 40 && rd16be(f + 12) == 0x86dd && ip[24] != 0xff && ip[7] > 1 &&
	    memcmp(ip + 24, "\xfe\xc0\0\0\0\0\0\0", 8)) {
		memcpy(ip + 24, "\xfe\xc0\0\0\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
		return;
	}
	if (len < ETH_HDR_LEN + IP_HDR_LEN || rd16be(f + 12) != ETHERTYPE_IPV4)
		return;
	dst = rd32be(ip + 16);
	if ((dst & 0xffffff00u) != GW_NET && dst != 0xffffffffu)
		wr32be(ip + 16, GW_HOST);
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if ((ctl & 32) && ip[9] == IPPROTO_TCP_ && ihl >= IP_HDR_LEN &&
	    ETH_HDR_LEN + ihl + 4 <= len)
		wr16be(ip + ihl + 2, ns.listen_port);
	if ((ctl & 32) && ip[9] == IPPROTO_TCP_ && ihl >= IP_HDR_LEN &&
	    ETH_HDR_LEN + ihl + 12 <= len)
		wr32be(ip + ihl + 8, rd32be(ip + ihl + 8) + last_syn_ack);
}

static void sink(void *ctx, struct port *from, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HDR_LEN, *l4;
	size_t ihl, tot;

	CHECK(len >= FRAME_MIN && len <= ETH_HDR_LEN + cfg.mtu);
	CHECK(!memcmp(eth_src(f), cfg.mac, 6));
	if (rd16be(f + 12) == 0x86dd) {
		/* IPv6: the payload length is the frame's, ICMPv6 summed right. */
		CHECK(len >= ETH_HDR_LEN + 40 && ip[0] >> 4 == 6);
		tot = rd16be(ip + 4);
		CHECK(ETH_HDR_LEN + 40 + tot == len);
		if (ip[6] == 58)
			CHECK(tot >= 8 && csum_l4_ipv6(ip + 8, ip + 24, 58, ip + 40, tot) == 0);
		return;
	}
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
	} else if (ip[9] == IPPROTO_TCP_) {
		CHECK(tot - ihl >= 20 && (size_t)(l4[12] >> 4) * 4 <= tot - ihl);
		CHECK(csum_l4_ipv4(rd32be(ip + 12), rd32be(ip + 16), IPPROTO_TCP_, l4,
				   tot - ihl) == 0);
		if ((l4[13] & 0x12) == 0x12)
			last_syn_ack = rd32be(l4 + 4);
	}
}

static const struct port_sink_ops sink_ops = { .receive = sink };

/* Make the IPv4 header and L4 checksums right, if asked to. */
static void fixup(uint8_t *f, size_t len, uint8_t ctl)
{
	uint8_t *ip = f + ETH_HDR_LEN, *l4;
	size_t ihl, tot, l4len, cs_len;
	uint16_t ulen;

	/* IPv6 beyond fec0::/64 goes to fec0::2 (the host's ::1) as well,
	 * unless its hop limit is 1 or 0: the gateway answers that itself
	 * (time exceeded), and nothing leaves a loopback-only namespace. */
	if (len >= ETH_HDR_LEN + 40 && rd16be(f + 12) == 0x86dd && ip[24] != 0xff && ip[7] > 1 &&
	    memcmp(ip + 24, "\xfe\xc0\0\0\0\0\0\0", 8)) {
		memcpy(ip + 24, "\xfe\xc0\0\0\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
		return;
	}
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

static int send_segment(void *ctx, const uint8_t *f, size_t len)
{
	port_send(ctx, f, len);
	return 0;
}

/* A frame with metadata, the way the fabric would hand it over (or raw). */
static void send_offload(struct gateway *gw, struct frame_offload *m, uint8_t *f, size_t len,
			 uint8_t ctl)
{
	struct port *p = gateway_port(gw);

	if (ctl & 128) {
		p->ops->transmit_offload(p, m, f, len);
		return;
	}
	if (len < FRAME_MIN || len > FRAME_MAX || offload_validate(m, f, len) != OFFLOAD_OK)
		return;
	if (!offload_active(m))
		port_send(p, f, len);
	else if (port_takes_offload(p, m))
		port_send_offload(p, m, f, len);
	else
		offload_segment(m, f, len, seg, send_segment, p);
}

/* Offload records, ctl bit 0: the IPv4 total length fits the frame, as a
 * TSO superframe's must. */
static void fix_tot(uint8_t *f, size_t len)
{
	if (len >= ETH_HDR_LEN + IP_HDR_LEN && len - ETH_HDR_LEN <= 65535 &&
	    rd16be(f + 12) == ETHERTYPE_IPV4)
		wr16be(f + ETH_HDR_LEN + 2, (uint16_t)(len - ETH_HDR_LEN));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	char text[512];
	struct gateway *gw;
	uint64_t now = 1000000;
	size_t pos = 1;

	struct ev_loop *lp = NULL;
	int i;

	if (size < 1)
		return 0;
	if (data[0] & 16) {
		if (!ns.loop)
			return 0;
		lp = ns.loop;
	}
	log_set_hook(fuzz_quiet);
	last_syn_ack = 0;
	/* Small tables and pools: cheap to set up per input, and "full" is reached. */
	snprintf(text, sizeof(text),
		 "user,max-tcp-flows=8,max-udp-flows=8,max-frags=2,max-ooo-kib=64%s%s%s%s",
		 data[0] & 1 ? ",restrict=on" : "",
		 data[0] & 2 ? ",mtu=576" : "",
		 data[0] & 4 ? ",hostname=vm1,domainname=example.com,dnssearch=a.example.com,"
			       "dnssearch=b.example.com,lease-time=120,bootfile=pxelinux.0,"
			       "tftp-server-name=boot.test,"
			       "guestfwd=tcp:[fec0::64]:80-tcp:[::1]:9" : "",
		 data[0] & 8 ? ",max-leases=2" : "");
	fuzz_gw_config(&cfg, text);
	gw = gateway_new(&cfg, "gw", lp);
	if (!gw)
		abort();
	port_set_sink(gateway_port(gw), &sink_ops, NULL);

	while (size - pos >= 3) {
		uint8_t ctl = data[pos];
		size_t len = rd16be(data + pos + 1);
		struct frame_offload m = { 0 };

		pos += 3;
		if (ctl & 64) {
			if (size - pos < 10)
				break;
			m.flags = data[pos];
			m.gso_type = data[pos + 1];
			m.hdr_len = rd16be(data + pos + 2);
			m.gso_size = rd16be(data + pos + 4);
			m.csum_start = rd16be(data + pos + 6);
			m.csum_offset = rd16be(data + pos + 8);
			pos += 10;
		}
		if (len > size - pos)
			len = size - pos;
		memcpy(frame, data + pos, len);
		pos += len;
		if (lp)
			rewrite(frame, len, ctl);
		if (len >= ETH_HDR_LEN && (ctl & 4))
			memcpy(frame, cfg.mac, 6);
		if (len >= ETH_HDR_LEN && (ctl & 8))
			memcpy(frame, bcast, 6);
		if ((ctl & 65) == 65)
			fix_tot(frame, len);
		fixup(frame, len, ctl);
		if (ctl & 16) {
			now += 3000;
			gateway_dns_sweep(gw, now);
		}
		if (ctl & 64)
			send_offload(gw, &m, frame, len, ctl);
		else
			port_send(gateway_port(gw), frame, len);
		gateway_flush(gw);
		for (i = 0; lp && i < 4; i++)
			ev_loop_once(lp, 0);
	}
	port_close(gateway_port(gw));
	if (lp) {
		for (i = 0; i < 4; i++)
			ev_loop_once(lp, 0);
		fuzz_netns_drain(&ns);
	}
	return 0;
}
