/* SPDX-License-Identifier: MIT
 *
 * fuzz_tftp.c - libFuzzer target for the TFTP server: request parsing and
 * option negotiation (tftp_req.c) on every datagram, and the transfers of
 * gw_tftp (tftp.c) in a gateway that serves a small directory.
 *
 * Theory of operation: a directory is made once (LLVMFuzzerInitialize,
 * removed at exit) under /tmp with a 100-byte file, a 70000-byte one (137 blocks of 512, 8750
 * of 8), a file in a subdirectory, a symlink out of it and a FIFO. Each
 * input builds a gateway without an event loop serving it (tftp=DIR), and
 * is
 *
 *   byte 0    bit 0: mtu=576 (blksize capped lower); bit 1:
 *             max-tftp-transfers=1 (full is reached)
 *   records   ctl, length (1 byte), UDP payload from the guest
 *             ctl bits 0-1: destination port: 0 port 69, 1 the TID of the
 *             last reply, 2 the TID of the last reply + 1, 3 port 50000;
 *             bit 2: from client port 3001 instead of 3000; bit 3: first
 *             sweep with the clock 1.5 s later (retransmission, give-up);
 *             bit 4: the payload is a rewritten ACK of the last DATA block
 *             (its opcode and block number set), so transfers go deep;
 *             bit 5: over IPv6, from fec0::15 to ipv6-host fec0::2 (the
 *             same table and TIDs: a record of the other family at a
 *             transfer's port is a stranger's)
 *
 * Every payload is also parsed alone: an accepted request has a
 * NUL-terminated name of at most TFTP_PATH_MAX bytes, and its negotiation
 * gives blksize in [8, cap], windowsize in [1, cap], an OACK within
 * TFTP_OACK_MAX that starts with opcode 6. Every frame the gateway emits
 * is checked: IPv4/UDP from the gateway's MAC and host address, or
 * IPv6/UDP from ipv6-host to fec0::15 (payload length, hop limit, the
 * mandatory checksum), within the MTU, checksums right, from port 69 or a
 * TID >= 49152, and a TFTP DATA, ERROR or OACK (an ERROR's and an OACK's
 * text NUL-terminated, an OACK within TFTP_OACK_MAX); a DATA block never
 * carries more than the MTU allows for its family. The gateway is torn down after each input, so LeakSanitizer sees
 * a transfer's fd or slot left behind.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/keyval.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/port.h"
#include "gateway/config.h"
#include "gateway/gateway.h"
#include "gateway/ip/checksum.h"
#include "gateway/ip/ipv6.h"
#include "gateway/pkt.h"
#include "gateway/service.h"
#include "gateway/services/tftp_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(c)                                                                 \
	do {                                                                     \
		if (!(c)) {                                                      \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, \
				__LINE__, #c);                                   \
			abort();                                                 \
		}                                                                \
	} while (0)

#define GUEST 0x0a00020fu
#define HOST 0x0a000202u

static const uint8_t guest6[16] = { 0xfe, 0xc0, [15] = 0x15 };
static const uint8_t host6[16] = { 0xfe, 0xc0, [15] = 0x02 };

static char dir[64];
static struct gw_config cfg;
static uint8_t frame[2048];
static uint16_t last_tid, last_block;

static uint8_t content(uint64_t off)
{
	return (uint8_t)((off * 13 + off / 509) & 0xff);
}

static void mkfile(const char *rel, size_t n)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	if (!f)
		abort();
	for (size_t i = 0; i < n; i++)
		fputc(content(i), f);
	fclose(f);
}

/* The directory is the process's: gone when it exits. */
static void cleanup(void)
{
	static const char *const names[] = { "a", "big", "sub/c", "out", "fifo", "sub", "" };
	char p[128];

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		if (unlink(p))
			rmdir(p);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char p[128];

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/vw-fuzz-tftp.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(p, sizeof(p), "%s/sub", dir);
	mkdir(p, 0755);
	mkfile("a", 100);
	mkfile("big", 70000);
	mkfile("sub/c", 513);
	snprintf(p, sizeof(p), "%s/out", dir);
	if (symlink("/etc/passwd", p))
		abort();
	snprintf(p, sizeof(p), "%s/fifo", dir);
	mkfifo(p, 0644);
	atexit(cleanup);
	return 0;
}

/* The TFTP payload of an IPv4/UDP reply from HOST to GUEST, its headers
 * checked; *tlen its length. */
static const uint8_t *udp4_reply(const uint8_t *ip, size_t avail, size_t *tlen)
{
	const uint8_t *u = ip + IP_HDR_LEN;
	size_t tot;

	CHECK(ip[0] == 0x45 && csum(ip, IP_HDR_LEN) == 0);
	tot = rd16be(ip + 2);
	CHECK(tot <= avail && tot >= IP_HDR_LEN + UDP_HDR_LEN + TFTP_HDR_LEN);
	CHECK(ip[9] == IPPROTO_UDP_ && rd32be(ip + 12) == HOST && rd32be(ip + 16) == GUEST);
	CHECK(rd16be(u + 4) == tot - IP_HDR_LEN);
	CHECK(csum_l4_ipv4(HOST, GUEST, IPPROTO_UDP_, u, tot - IP_HDR_LEN) == 0);
	*tlen = tot - IP_HDR_LEN - UDP_HDR_LEN;
	CHECK(*tlen <= cfg.mtu - IP_HDR_LEN - UDP_HDR_LEN);
	return u;
}

/* The same for IPv6/UDP from ipv6-host to the guest. */
static const uint8_t *udp6_reply(const uint8_t *ip, size_t avail, size_t *tlen)
{
	const uint8_t *u = ip + IP6_HDR_LEN;
	size_t plen;

	CHECK(avail >= IP6_HDR_LEN + UDP_HDR_LEN + TFTP_HDR_LEN && ip[0] >> 4 == 6);
	plen = rd16be(ip + 4);
	CHECK(plen == avail - IP6_HDR_LEN && plen >= UDP_HDR_LEN + TFTP_HDR_LEN);
	CHECK(ip[6] == IPPROTO_UDP_ && ip[7] > 0);
	CHECK(!memcmp(ip + 8, host6, 16) && !memcmp(ip + 24, guest6, 16));
	CHECK(rd16be(u + 4) == plen && rd16be(u + 6) != 0);
	CHECK(csum_l4_ipv6(host6, guest6, IPPROTO_UDP_, u, plen) == 0);
	*tlen = plen - UDP_HDR_LEN;
	CHECK(*tlen <= cfg.mtu - IP6_HDR_LEN - UDP_HDR_LEN);
	return u;
}

static void sink(void *ctx, struct port *from, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HDR_LEN, *u, *t;
	size_t tlen;
	uint16_t sport, op, type = rd16be(f + 12);

	(void)ctx;
	(void)from;
	CHECK(len >= FRAME_MIN && len <= ETH_HDR_LEN + cfg.mtu);
	CHECK(!memcmp(eth_src(f), cfg.mac, 6));
	if (type == ETHERTYPE_IPV4)
		u = udp4_reply(ip, len - ETH_HDR_LEN, &tlen);
	else if (type == ETHERTYPE_IPV6_ && ip[6] == IPPROTO_UDP_)
		u = udp6_reply(ip, len - ETH_HDR_LEN, &tlen);
	else
		return; /* ARP, or NDP for the guest */
	sport = rd16be(u);
	CHECK(sport == TFTP_PORT || sport >= 49152);
	t = u + UDP_HDR_LEN;
	op = rd16be(t);
	CHECK(op == TFTP_DATA || op == TFTP_ERROR || op == TFTP_OACK);
	if (op == TFTP_ERROR)
		CHECK(tlen > TFTP_HDR_LEN && t[tlen - 1] == '\0');
	if (op == TFTP_OACK)
		CHECK(tlen <= TFTP_OACK_MAX && t[tlen - 1] == '\0');
	last_tid = sport;
	if (op == TFTP_DATA)
		last_block = rd16be(t + 2);
}

static const struct port_sink_ops sink_ops = { .receive = sink };

static void check_parse(const uint8_t *p, size_t len, unsigned cap)
{
	struct tftp_req r;
	struct tftp_params par;
	uint8_t oack[TFTP_OACK_MAX];
	size_t n;

	if (tftp_req_parse(p, len, &r) != TFTP_REQ_OK)
		return;
	CHECK(strlen(r.name) <= TFTP_PATH_MAX);
	CHECK(r.n_options <= TFTP_OPTIONS_MAX);
	n = tftp_negotiate(&r, cap, 8, 1, len * 1000, &par, oack);
	CHECK(n <= TFTP_OACK_MAX);
	CHECK(par.blksize >= TFTP_BLKSIZE_MIN && par.blksize <= (cap > 512 ? cap : 512));
	CHECK(par.windowsize >= 1 && par.windowsize <= 8);
	CHECK(par.timeout_s >= 1 && par.timeout_s <= TFTP_TIMEOUT_MAX_S);
	if (n)
		CHECK(rd16be(oack) == TFTP_OACK && oack[n - 1] == '\0');
}

static void quiet(enum log_level lvl, const char *msg)
{
	(void)lvl;
	(void)msg;
}

static const uint8_t vm[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };

/* A guest datagram (already at frame + 42, dlen bytes) to HOST:dport. */
static void send_udp(struct gateway *gw, uint16_t sport, uint16_t dport, size_t dlen)
{
	uint8_t *ip = frame + ETH_HDR_LEN, *u = ip + IP_HDR_LEN;

	memcpy(frame, cfg.mac, 6);
	memcpy(frame + 6, vm, 6);
	wr16be(frame + 12, ETHERTYPE_IPV4);
	pkt_ipv4_hdr(ip, GUEST, HOST, IPPROTO_UDP_, UDP_HDR_LEN + dlen);
	wr16be(u, sport);
	wr16be(u + 2, dport);
	wr16be(u + 4, (uint16_t)(UDP_HDR_LEN + dlen));
	wr16be(u + 6, 0);
	wr16be(u + 6, csum_l4_ipv4(GUEST, HOST, IPPROTO_UDP_, u, UDP_HDR_LEN + dlen));
	port_send(gateway_port(gw), frame, ETH_HDR_LEN + IP_HDR_LEN + UDP_HDR_LEN + dlen);
	gateway_flush(gw);
}

/* The same over IPv6 (the payload moved to frame + 62 first). */
static void send_udp6(struct gateway *gw, uint16_t sport, uint16_t dport, size_t dlen)
{
	uint8_t *ip = frame + ETH_HDR_LEN, *u = ip + IP6_HDR_LEN;
	uint16_t c;

	memmove(u + UDP_HDR_LEN, frame + OFF_UDP_DATA, dlen);
	memcpy(frame, cfg.mac, 6);
	memcpy(frame + 6, vm, 6);
	wr16be(frame + 12, ETHERTYPE_IPV6_);
	memset(ip, 0, IP6_HDR_LEN);
	ip[0] = 0x60;
	wr16be(ip + 4, (uint16_t)(UDP_HDR_LEN + dlen));
	ip[6] = IPPROTO_UDP_;
	ip[7] = 64;
	memcpy(ip + 8, guest6, 16);
	memcpy(ip + 24, host6, 16);
	wr16be(u, sport);
	wr16be(u + 2, dport);
	wr16be(u + 4, (uint16_t)(UDP_HDR_LEN + dlen));
	wr16be(u + 6, 0);
	c = csum_l4_ipv6(guest6, host6, IPPROTO_UDP_, u, UDP_HDR_LEN + dlen);
	wr16be(u + 6, c ? c : 0xffff);
	port_send(gateway_port(gw), frame, OFF_UDP6_DATA + dlen);
	gateway_flush(gw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvlist kv;
	struct gateway *gw;
	char err[256], text[256];
	size_t pos = 1;
	uint64_t now;

	if (size < 1)
		return 0;
	log_set_hook(quiet);
	snprintf(text, sizeof(text), "user,tftp=%s%s%s", dir, data[0] & 1 ? ",mtu=576" : "",
		 data[0] & 2 ? ",max-tftp-transfers=1" : "");
	if (kv_parse(&kv, "-netdev", text, "type", err, sizeof(err)))
		abort();
	if (gw_config_parse(&cfg, &kv, "/nonexistent", err, sizeof(err)))
		abort();
	kv_free(&kv);
	gw = gateway_new(&cfg, "gw", NULL);
	if (!gw)
		abort();
	port_set_sink(gateway_port(gw), &sink_ops, NULL);
	last_tid = 0;
	last_block = 0;
	now = ev_loop_now(NULL);
	while (size - pos >= 2) {
		uint8_t ctl = data[pos];
		size_t len = data[pos + 1];
		uint16_t dport;
		uint8_t *p = frame + ETH_HDR_LEN + IP_HDR_LEN + UDP_HDR_LEN;

		pos += 2;
		if (len > size - pos)
			len = size - pos;
		memcpy(p, data + pos, len);
		pos += len;
		if ((ctl & 16) && len >= 4) {
			wr16be(p, TFTP_ACK);
			wr16be(p + 2, last_block);
		}
		check_parse(p, len, cfg.mtu - (ctl & 32 ? IP6_HDR_LEN : IP_HDR_LEN) - UDP_HDR_LEN -
					    TFTP_HDR_LEN);
		switch (ctl & 3) {
		case 0: dport = TFTP_PORT; break;
		case 1: dport = last_tid; break;
		case 2: dport = (uint16_t)(last_tid + 1); break;
		default: dport = 50000; break;
		}
		if (ctl & 8) {
			now += 1500;
			gw_services_sweep(gateway_services(gw), now);
			gateway_flush(gw);
		}
		if (ctl & 32)
			send_udp6(gw, ctl & 4 ? 3001 : 3000, dport, len);
		else
			send_udp(gw, ctl & 4 ? 3001 : 3000, dport, len);
	}
	port_close(gateway_port(gw));
	return 0;
}
