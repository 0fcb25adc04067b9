/* SPDX-License-Identifier: MIT
 *
 * fuzz_dns_reply.c - libFuzzer target for the DNS forwarder's upstream
 * reply path (gw_dns_reply() in gateway/services/dns.c), the one place where bytes
 * from the outside network, not from a guest, enter the gateway.
 *
 * Theory of operation: the forwarder is built without an event loop (no
 * sockets) from its real parts, a frame ring, the ARP table and the DNS
 * state, and one in-flight query is planted in its table. The input is
 *
 *   byte 0    bit 0: the query is the reply's own header and question, so
 *             the reply matches and travels all the way to the guest;
 *             bit 1: the reply comes from a different port than the
 *             upstream the query went to (spoofed, must be ignored);
 *             bit 2: the guest is not in the ARP table (reply parked
 *             behind an ARP request); bit 3: MTU 576 instead of 1500
 *             (more replies take the truncation path)
 *   the rest  the UDP payload received from the upstream
 *
 * The reply sits in a heap buffer of exactly its length (it is rewritten
 * in place), so ASan sees any access past it. A reply is answered iff it is
 * a response from the right address with one question equal to the
 * query's; every frame that reaches the guest must be a well-formed
 * IPv4/UDP datagram from dns:53 to the guest's port carrying the guest's
 * ID, no larger than the MTU.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "core/frame.h"
#include "core/log.h"
#include "core/port.h"
#include "gateway/services/arp.h"
#include "gateway/config.h"
#include "gateway/env.h"
#include "gateway/services/dns.h"
#include "gateway/services/dns_msg.h"
#include "gateway/pkt.h"
#include "gateway/stats.h"

#include "fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define GUEST_IP 0x0a00020f /* 10.0.2.15 */
#define GUEST_PORT 5353
#define GUEST_ID 0xbeef
static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static struct gw_config cfg;
static unsigned frames_to_guest;

static bool null_transmit(struct port *p, const uint8_t *f, size_t len) { return true; }
static void null_describe(const struct port *p, char *buf, size_t size) { *buf = 0; }
static void null_destroy(struct port *p) {}

static const struct port_ops ops = {
	.kind = "fuzz", .transmit = null_transmit, .describe = null_describe,
	.destroy = null_destroy,
};

static void sink(void *ctx, struct port *from, const uint8_t *f, size_t len);
static const struct port_sink_ops sink_ops = { .receive = sink };

/* What the gateway hands to the fabric. */
static void sink(void *ctx, struct port *from, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + OFF_IP, *u = f + OFF_L4;

	CHECK(len >= ETH_HDR_LEN && len <= ETH_HDR_LEN + cfg.mtu);
	CHECK(!memcmp(eth_src(f), cfg.mac, 6));
	if (rd16be(f + 12) == ETHERTYPE_ARP)
		return;
	CHECK(rd16be(f + 12) == ETHERTYPE_IPV4);
	CHECK(len >= OFF_UDP_DATA + DNS_HDR_LEN);
	CHECK(!memcmp(eth_dst(f), guest_mac, 6));
	CHECK(rd16be(ip + 2) == len - ETH_HDR_LEN);
	CHECK(rd32be(ip + 12) == cfg.dns && rd32be(ip + 16) == GUEST_IP);
	CHECK(rd16be(u) == 53 && rd16be(u + 2) == GUEST_PORT);
	CHECK(rd16be(u + 4) == len - OFF_L4);
	CHECK(rd16be(f + OFF_UDP_DATA) == GUEST_ID);
	CHECK(rd16be(f + OFF_UDP_DATA + 2) & DNS_FLAG_QR);
	frames_to_guest++;
}

static void quiet(enum log_level level, const char *msg) {}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t fallback[] = { /* "example.com" A IN */
		0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
	};
	struct sockaddr_storage from;
	struct gw_stats stats = { 0 };
	struct gw_dns_query *q;
	struct gw_tx tx;
	struct gw_arp arp;
	struct gw_dns dns;
	struct gw_env env;
	struct port port;
	struct dns_hdr h;
	uint8_t flags, *m;
	size_t len, qend = 0;
	char name[256];
	uint16_t qtype, qclass;
	bool match, expect;

	if (size < 1)
		return 0;
	log_set_hook(quiet);
	flags = data[0];
	len = size - 1;
	gw_config_defaults(&cfg);
	cfg.mtu = flags & 8 ? 576 : 1500;
	if (gw_parse_upstream("127.0.0.1:53", &cfg.upstream[0]))
		abort();
	cfg.n_upstream = 1;
	port_init(&port, &ops, "gw");
	port_set_sink(&port, &sink_ops, NULL);
	env = (struct gw_env){ .cfg = &cfg, .stats = &stats, .tx = &tx, .arp = &arp,
			       .port = &port };
	if (gw_tx_init(&tx, ETH_HDR_LEN + cfg.mtu, &port, NULL, &stats) ||
	    gw_arp_init(&arp, &env) || gw_dns_init(&dns, &env))
		abort();
	if (!(flags & 4))
		gw_arp_learn(&arp, GUEST_IP, guest_mac, 0);

	m = malloc(len ? len : 1);
	if (!m)
		abort();
	memcpy(m, data + 1, len);

	/* Plant the in-flight query the reply is checked against. */
	q = &dns.q[flags >> 4 & (GW_DNS_INFLIGHT - 1)];
	match = (flags & 1) && !dns_parse_question(m, len, DNS_HDR_LEN, name, &qtype, &qclass, &qend) &&
		qend <= GW_DNS_QUERY_MAX;
	if (match) {
		memcpy(q->msg, m, qend);
		q->msg[2] &= 0x7f; /* a query: QR clear */
	} else {
		qend = sizeof(fallback);
		memcpy(q->msg, fallback, qend);
	}
	q->len = q->qend = qend;
	q->used = true;
	q->up_id = len >= 2 ? rd16be(m) : 0;
	q->guest_id = GUEST_ID;
	q->guest = inany_from_ip4(GUEST_IP);
	q->guest_port = GUEST_PORT;
	q->upstream = 0;
	q->up = cfg.upstream[0]; /* where it was sent: replies must come from there */
	q->tries = 1;

	memcpy(&from, &cfg.upstream[0].sa, sizeof(from));
	if (flags & 2)
		((struct sockaddr_in *)&from)->sin_port = htons(5300);
	/* The rule, restated: a response to this exact question from there. */
	expect = !(flags & 2) && !dns_parse_header(m, len, &h) && (h.flags & DNS_FLAG_QR) &&
		 h.qdcount == 1 && len >= qend && !memcmp(m + 4, q->msg + 4, 2) &&
		 !memcmp(m + DNS_HDR_LEN, q->msg + DNS_HDR_LEN, qend - DNS_HDR_LEN);
	CHECK(!match || (flags & 2) || expect == ((h.flags & DNS_FLAG_QR) && h.qdcount == 1));

	gw_dns_reply(&dns, m, len, &from, 0);
	gw_tx_flush(&tx);
	CHECK(stats.dns_answers == (expect ? 1u : 0u));
	CHECK(stats.dns_answers + stats.dns_bad_reply == 1);
	CHECK(q->used == !expect);
	if (expect && !(flags & 4))
		CHECK(frames_to_guest == 1);
	else
		CHECK(frames_to_guest == 0);
	if (expect && (flags & 4)) { /* the guest answers ARP: the reply follows */
		gw_arp_learn(&arp, GUEST_IP, guest_mac, 0);
		gw_tx_flush(&tx);
	}
	frames_to_guest = 0;

	free(m);
	gw_dns_fini(&dns);
	gw_arp_fini(&arp);
	gw_tx_fini(&tx);
	return 0;
}
