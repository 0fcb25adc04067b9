/* SPDX-License-Identifier: MIT
 *
 * tcp_engine_harness.h - the gateway's TCP engine alone under test, shared
 * by the engine's tests (test_gw_tcp_ack.c, _reorder.c, _space.c): the
 * engine made from "user,<opts>" option text with its ARP, policy and
 * tx ring, frames it emits captured in cap[0 .. ncap), guest segments fed
 * in with the reference checksum, and a byte pattern by sequence number so
 * a stream read from the host socket is checked byte for byte; and the
 * guest's three-way handshake with a listener on 127.0.0.1 (handshake()).
 *
 * Theory of operation: each test binary is one translation unit that
 * includes this header once, so the harness's state is file-static like
 * the tests' own and a test touches cfg, loop, tcp, cap and ncap directly.
 * mk() makes an engine without IPv6 (no router advertisement among the
 * frames counted); teardown() frees whatever mk() made.
 */
#ifndef VMWIRE_TEST_TCP_ENGINE_HARNESS_H
#define VMWIRE_TEST_TCP_ENGINE_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/keyval.h"
#include "core/frame.h"
#include "core/loop.h"
#include "core/port.h"
#include "gateway/config.h"
#include "gateway/env.h"
#include "gateway/nat/policy.h"
#include "gateway/pkt.h"
#include "gateway/services/arp.h"
#include "gateway/tcp/tcp_flow.h"
#include "helpers/fake_port.h"
#include "helpers/gw_harness.h"
#include "helpers/gw_test.h"

/* The byte at sequence number s of every stream in these tests. */
static uint8_t pat(uint32_t s)
{
	return (uint8_t)(s * 7u + (s >> 8) * 13u + 3u);
}

static void fill(uint8_t *b, uint32_t seq, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = pat(seq + (uint32_t)i);
}

/* Read exactly n bytes from fd and check they are the stream from seq. */
static void expect_stream(int fd, uint32_t seq, size_t n)
{
	static uint8_t b[1 << 20];
	size_t got = 0;

	assert_true(n <= sizeof(b));
	while (got < n) {
		ssize_t r = recv(fd, b + got, n - got, MSG_DONTWAIT);

		if (r <= 0)
			break;
		got += (size_t)r;
	}
	assert_int_equal(got, n);
	for (size_t i = 0; i < n; i++)
		if (b[i] != pat(seq + (uint32_t)i))
			fail_msg("byte %zu (seq %u) is %u, not %u", i, seq + (unsigned)i, b[i],
				 pat(seq + (uint32_t)i));
	assert_true(recv(fd, b, 1, MSG_DONTWAIT) < 0); /* and nothing more */
}

#define GUEST IP(10, 0, 2, 15)
#define HOST IP(10, 0, 2, 2)
#define CAP 512

static struct gw_config cfg;
static struct gw_stats gst;
static struct gw_tx tx;
static struct gw_arp arp;
static struct gw_policy pol;
static struct gw_env env;
static struct fake_port fp;
static struct ev_loop *loop;
static struct gw_tcp *tcp;
static uint8_t cap[CAP][1600];
static size_t cap_len[CAP];
static unsigned ncap;

static void sink(void *s, struct port *from, const uint8_t *f, size_t len)
{
	(void)s;
	(void)from;
	if (ncap == CAP || len > sizeof(cap[0]))
		return;
	memcpy(cap[ncap], f, len);
	cap_len[ncap++] = len;
}

static const struct port_sink_ops sink_ops = { .receive = sink };

static void mk(const char *opts)
{
	struct kvlist kv;
	char err[KV_ERR_MAX], text[256];

	/* IPv4 only: no router advertisement among the frames counted */
	snprintf(text, sizeof(text), "user,ipv6=off%s%s", *opts ? "," : "", opts);
	assert_int_equal(kv_parse(&kv, "-netdev", text, "type", err, sizeof(err)), 0);
	assert_int_equal(gw_config_parse(&cfg, &kv, "/nonexistent", err, sizeof(err)), 0);
	kv_free(&kv);
	memset(&gst, 0, sizeof(gst));
	loop = ev_loop_new();
	assert_non_null(loop);
	fake_port_init(&fp, "gw");
	port_set_sink(&fp.port, &sink_ops, NULL);
	assert_int_equal(gw_tx_init(&tx, ETH_HDR_LEN + cfg.mtu, &fp.port, loop, &gst), 0);
	env = (struct gw_env){ .cfg = &cfg, .stats = &gst, .tx = &tx, .arp = &arp,
			       .policy = &pol, .port = &fp.port, .loop = loop };
	assert_int_equal(gw_arp_init(&arp, &env), 0);
	gw_policy_init(&pol, &cfg);
	tcp = gw_tcp_new(&env);
	assert_non_null(tcp);
	ncap = 0;
}

static int teardown(void **state)
{
	(void)state;
	if (tcp) {
		gw_tcp_free(tcp);
		gw_arp_fini(&arp);
		gw_tx_fini(&tx);
		fake_port_clear(&fp);
	}
	tcp = NULL;
	if (loop)
		ev_loop_free(loop);
	loop = NULL;
	return 0;
}

/* A guest segment into the engine, checksum by the reference code. */
static void seg(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		uint16_t wnd, const uint8_t *opt, size_t optlen, const uint8_t *data, size_t len)
{
	static uint8_t t[70000];
	size_t hl = 20 + optlen;

	memset(t, 0, 20);
	wr16be(t, sport);
	wr16be(t + 2, dport);
	wr32be(t + 4, seq);
	wr32be(t + 8, ack);
	t[12] = (uint8_t)(hl / 4) << 4;
	t[13] = flags;
	wr16be(t + 14, wnd);
	if (optlen)
		memcpy(t + 20, opt, optlen);
	if (len)
		memcpy(t + hl, data, len);
	wr16be(t + 16, ref_l4(GUEST, HOST, 6, t, hl + len));
	gw_tcp_input(tcp, VM1, GUEST, HOST, t, hl + len, 0, ev_loop_now(loop));
}

/* Guest data from the pattern stream at seq (relative to isn g). */
static void gdata(uint16_t gp, uint16_t lp, uint32_t g, uint32_t off, size_t len, uint32_t ack)
{
	static uint8_t b[65536];

	fill(b, off, len);
	seg(gp, lp, g + off, ack, 0x18, 65535, NULL, 0, b, len);
}

/* Check captured frame i and return its TCP header; *dlen its payload. */
static const uint8_t *tcp_of(unsigned i, size_t *dlen)
{
	const uint8_t *f = cap[i], *ip = f + 14, *t = f + 34;
	size_t l4;

	assert_true(i < ncap);
	assert_int_equal(rd16be(f + 12), 0x0800);
	assert_int_equal(ip[9], 6);
	assert_int_equal(ref_csum(ip, 20, 0), 0);
	l4 = rd16be(ip + 2) - 20u;
	assert_int_equal(ref_l4(HOST, GUEST, 6, t, l4), 0); /* no offload sink: complete */
	*dlen = l4 - (size_t)(t[12] >> 4) * 4;
	return t;
}

static bool has_sack_ok(const uint8_t *t)
{
	size_t hl = (size_t)(t[12] >> 4) * 4;

	for (size_t i = 20; i + 1 < hl;) {
		if (t[i] == 1) {
			i++;
			continue;
		}
		if (t[i] == 4 && t[i + 1] == 2)
			return true;
		if (t[i] == 0 || t[i + 1] < 2)
			break;
		i += t[i + 1];
	}
	return false;
}

/* MSS 1460, SACK-permitted, window scale 7 */
static const uint8_t SYN_SACK[] = { 2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7 };

/* Handshake from guest port gp (ISN g); the accepted socket, our ISN + 1
 * in *ours, whether our SYN-ACK offered SACK in *sack. */
static int handshake(int lfd, uint16_t lp, uint16_t gp, uint32_t g, const uint8_t *opt,
		     size_t optlen, uint32_t *ours, bool *sack)
{
	const uint8_t *t;
	size_t dl;
	int c;

	ncap = 0;
	seg(gp, lp, g, 0, 0x02, 65535, opt, optlen, NULL, 0);
	for (int i = 0; i < 200 && !ncap; i++)
		ev_loop_once(loop, 10);
	assert_true(ncap > 0);
	t = tcp_of(0, &dl);
	assert_int_equal(t[13], 0x12);
	assert_int_equal(rd32be(t + 8), g + 1);
	*ours = rd32be(t + 4) + 1;
	*sack = has_sack_ok(t);
	c = accept(lfd, NULL, NULL);
	assert_true(c >= 0);
	seg(gp, lp, g + 1, *ours, 0x10, 65535, NULL, 0, NULL, 0);
	gwh_spin(loop, 30);
	ncap = 0;
	return c;
}

#endif
