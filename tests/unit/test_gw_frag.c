/* SPDX-License-Identifier: MIT
 *
 * test_gw_frag.c - IPv4 fragments both ways. The reassembly pool on its
 * own against crafted fragment headers (in order, out of order,
 * duplicates, overlaps, tiny first fragments, offsets past 65535, a full
 * pool and its warning once per pool, timeouts, too many fragments); then
 * through the gateway port: a fragmented 3000-byte UDP datagram reaches a
 * socket on 127.0.0.1 whole, its 3000-byte answer comes back as fragments
 * that reassemble to a valid datagram, and a 4000-byte ping to the
 * gateway is answered in fragments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/keyval.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/port.h"
#include "gateway/gateway.h"
#include "gateway/ip/ip_reasm.h"
#include "gateway/stats.h"
#include "helpers/gw_harness.h"

#define HOST GWH_HOST
#define GUEST GWH_GUEST

/* ---- the pool alone ---- */

static struct gw_stats rst;
static struct gw_reasm rs;
static uint8_t pkt[70000];

/* An IPv4 fragment of datagram id: payload bytes [off, off + len) of
 * src's datagram, filled with a pattern that depends on the offset. */
static size_t mk_frag(uint32_t src, uint16_t id, uint8_t proto, size_t off, size_t len,
		      bool more)
{
	gwh_ipv4(pkt, src, HOST, proto, id, (uint16_t)((off / 8) | (more ? 0x2000 : 0)), len);
	for (size_t i = 0; i < len; i++)
		pkt[20 + i] = (uint8_t)((off + i) * 7 + 3);
	return 20 + len;
}

static const uint8_t *feed(uint32_t src, uint16_t id, uint8_t proto, size_t off, size_t len,
			   bool more, uint64_t now, size_t *out)
{
	size_t tot = mk_frag(src, id, proto, off, len, more);

	return gw_reasm_input(&rs, pkt, 20, tot, now, out);
}

static void check_pattern(const uint8_t *d, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (d[i] != (uint8_t)(i * 7 + 3))
			fail_msg("byte %zu is %u", i, d[i]);
}

static int pool_setup(void **state)
{
	memset(&rst, 0, sizeof(rst));
	return gw_reasm_init(&rs, 4, &rst);
}

static int pool_teardown(void **state)
{
	gw_reasm_fini(&rs);
	return 0;
}

static void test_in_order(void **state)
{
	const uint8_t *d;
	size_t len = 0;

	assert_null(feed(GUEST, 1, 17, 0, 1480, true, 0, &len));
	assert_null(feed(GUEST, 1, 17, 1480, 1480, true, 0, &len));
	d = feed(GUEST, 1, 17, 2960, 48, false, 0, &len);
	assert_non_null(d);
	assert_int_equal(len, 3008);
	check_pattern(d, len);
	assert_int_equal(rst.ip_frag_reassembled, 1);
	assert_int_equal(rs.used, 0);
}

static void test_out_of_order(void **state)
{
	const uint8_t *d;
	size_t len = 0;

	/* Last first, then the middle, the first, with another datagram
	 * (other id) interleaved: they must not mix. */
	assert_null(feed(GUEST, 2, 17, 2000, 10, false, 0, &len));
	assert_null(feed(GUEST, 3, 17, 0, 16, true, 0, &len));
	assert_null(feed(GUEST, 2, 17, 1000, 1000, true, 0, &len));
	assert_int_equal(rs.used, 2);
	d = feed(GUEST, 2, 17, 0, 1000, true, 0, &len);
	assert_non_null(d);
	assert_int_equal(len, 2010);
	check_pattern(d, len);
	d = feed(GUEST, 3, 17, 16, 5, false, 0, &len);
	assert_non_null(d);
	assert_int_equal(len, 21);
	check_pattern(d, len);
	assert_int_equal(rst.ip_frag_reassembled, 2);
}

static void test_duplicate(void **state)
{
	size_t len = 0;

	assert_null(feed(GUEST, 4, 17, 0, 800, true, 0, &len));
	assert_null(feed(GUEST, 4, 17, 0, 800, true, 0, &len));
	assert_int_equal(rst.ip_frag_dups, 1);
	/* The duplicate was ignored, the datagram still completes. */
	assert_non_null(feed(GUEST, 4, 17, 800, 100, false, 0, &len));
	assert_int_equal(len, 900);
}

static void test_overlap(void **state)
{
	size_t len = 0;

	assert_null(feed(GUEST, 5, 17, 0, 800, true, 0, &len));
	/* Starts inside the first one: the whole datagram goes. */
	assert_null(feed(GUEST, 5, 17, 792, 108, false, 0, &len));
	assert_int_equal(rst.ip_frag_overlaps, 1);
	assert_int_equal(rs.used, 0);
	/* What would have completed it now starts a new, incomplete one. */
	assert_null(feed(GUEST, 5, 17, 800, 100, false, 0, &len));
	assert_int_equal(rst.ip_frag_reassembled, 0);

	/* Covering an earlier fragment entirely is an overlap too. */
	assert_null(feed(GUEST, 6, 17, 800, 80, true, 0, &len));
	assert_null(feed(GUEST, 6, 17, 0, 1600, true, 0, &len));
	assert_int_equal(rst.ip_frag_overlaps, 2);
}

static void test_tiny_and_bad(void **state)
{
	size_t len = 0;

	/* A first fragment without the whole TCP header (20 bytes). */
	assert_null(feed(GUEST, 7, 6, 0, 16, true, 0, &len));
	/* TCP at offset 8 could rewrite the flags (RFC 1858). */
	assert_null(feed(GUEST, 8, 6, 8, 16, true, 0, &len));
	/* A non-last fragment whose length is not a multiple of 8. */
	assert_null(feed(GUEST, 9, 17, 0, 100, true, 0, &len));
	assert_int_equal(rst.ip_frag_bad, 3);
	assert_int_equal(rs.used, 0);
	/* A tiny first fragment after good ones drops those too. */
	assert_null(feed(GUEST, 10, 17, 8, 8, true, 0, &len));
	assert_int_equal(rs.used, 1);
	assert_null(feed(GUEST, 10, 17, 0, 4, true, 0, &len));
	assert_int_equal(rs.used, 0);
	/* A last fragment that ends before data already received. */
	assert_null(feed(GUEST, 11, 17, 800, 80, true, 0, &len));
	assert_null(feed(GUEST, 11, 17, 0, 400, false, 0, &len));
	assert_int_equal(rst.ip_frag_bad, 5);
	assert_int_equal(rs.used, 0);
	assert_int_equal(rst.ip_frag_reassembled, 0);
}

static void test_huge_offset(void **state)
{
	size_t len = 0;

	/* 65528 + 8 + 20 > 65535: the libslirp ip_reass class. */
	assert_null(feed(GUEST, 12, 17, 65528, 8, false, 0, &len));
	/* Exactly 65535 is fine: header 20 + 65512 + 3. */
	assert_null(feed(GUEST, 13, 17, 65512, 3, false, 0, &len));
	assert_int_equal(rst.ip_frag_bad, 1);
	assert_int_equal(rs.used, 1);
	/* 65512 + 16 + 20 > 65535 as a middle fragment. */
	assert_null(feed(GUEST, 14, 17, 65512, 16, true, 0, &len));
	assert_int_equal(rst.ip_frag_bad, 2);
	assert_int_equal(rs.used, 1);
}

static void test_full_reassembly_of_64k(void **state)
{
	const uint8_t *d = NULL;
	size_t len = 0, off;

	for (off = 0; off + 1480 < 65515; off += 1480)
		assert_null(feed(GUEST, 15, 17, off, 1480, true, 0, &len));
	d = feed(GUEST, 15, 17, off, 65515 - off, false, 0, &len);
	assert_non_null(d);
	assert_int_equal(len, 65515);
	check_pattern(d, len);
}

static void test_pool_full(void **state)
{
	size_t len = 0;

	for (uint16_t id = 100; id < 104; id++)
		assert_null(feed(GUEST, id, 17, 0, 8, true, 0, &len));
	assert_int_equal(rs.used, 4);
	assert_null(feed(GUEST, 104, 17, 0, 8, true, 0, &len));
	assert_int_equal(rst.ip_frag_pool_full, 1);
	/* Datagrams already pending still complete. */
	assert_non_null(feed(GUEST, 101, 17, 8, 8, false, 0, &len));
	assert_int_equal(len, 16);
	/* And the freed slot takes a new one. */
	assert_null(feed(GUEST, 104, 17, 0, 8, true, 0, &len));
	assert_int_equal(rs.used, 4);
	assert_int_equal(rst.ip_frag_pool_full, 1);
}

static unsigned pool_full_logs;

static void count_pool_full(enum log_level level, const char *msg)
{
	if (strstr(msg, "datagrams pending reassembly (max-frags)"))
		pool_full_logs++;
}

/* Each gateway's pool reports its own exhaustion once: a second pool
 * filling up is logged even though the first one already was. */
static void test_pool_full_logged_per_pool(void **state)
{
	struct gw_reasm other;
	size_t len = 0;

	assert_int_equal(gw_reasm_init(&other, 1, &rst), 0);
	pool_full_logs = 0;
	log_set_hook(count_pool_full);
	for (uint16_t id = 100; id < 110; id++)
		assert_null(feed(GUEST, id, 17, 0, 8, true, 0, &len));
	assert_int_equal(pool_full_logs, 1);
	for (uint16_t id = 200; id < 205; id++) {
		size_t tot = mk_frag(GUEST, id, 17, 0, 8, true);

		assert_null(gw_reasm_input(&other, pkt, 20, tot, 0, &len));
	}
	assert_int_equal(rst.ip_frag_pool_full, 6 + 4);
	assert_int_equal(pool_full_logs, 2);
	log_set_hook(NULL);
	gw_reasm_fini(&other);
}

static void test_timeout(void **state)
{
	size_t len = 0;

	assert_null(feed(GUEST, 20, 17, 0, 8, true, 1000, &len));
	gw_reasm_sweep(&rs, 1000 + GW_REASM_TIMEOUT_MS - 1);
	assert_int_equal(rs.used, 1);
	gw_reasm_sweep(&rs, 1000 + GW_REASM_TIMEOUT_MS);
	assert_int_equal(rs.used, 0);
	assert_int_equal(rst.ip_frag_timeouts, 1);
	/* Checked lazily too: the late tail finds no head to join. */
	assert_null(feed(GUEST, 21, 17, 0, 8, true, 1000, &len));
	assert_null(feed(GUEST, 21, 17, 8, 8, false, 1000 + GW_REASM_TIMEOUT_MS, &len));
	assert_int_equal(rst.ip_frag_timeouts, 2);
	assert_int_equal(rst.ip_frag_reassembled, 0);
}

static void test_too_many_fragments(void **state)
{
	size_t len = 0, off;

	for (off = 0; off < 8 * GW_REASM_MAX_FRAGS; off += 8)
		assert_null(feed(GUEST, 30, 17, off, 8, true, 0, &len));
	assert_int_equal(rs.used, 1);
	assert_null(feed(GUEST, 30, 17, off, 8, false, 0, &len));
	assert_int_equal(rst.ip_frag_too_many, 1);
	assert_int_equal(rs.used, 0);
}

static void test_disabled(void **state)
{
	struct gw_reasm none;
	size_t len = 0, tot = mk_frag(GUEST, 1, 17, 0, 8, true);

	assert_int_equal(gw_reasm_init(&none, 0, &rst), 0);
	assert_null(gw_reasm_input(&none, pkt, 20, tot, 0, &len));
	gw_reasm_fini(&none);
}

/* ---- through the gateway ---- */

static void mkgw(const char *opts, bool with_loop)
{
	gwh_start(opts, with_loop);
	gwh_peer_open();
}

/* Send the L4 datagram l4 (len bytes, proto) from the guest to dst in
 * fragments of at most fsz payload bytes, in the order given by rev. */
static void guest_send_frags(uint32_t dst, uint8_t proto, uint16_t id, const uint8_t *l4,
			     size_t len, size_t fsz, bool rev)
{
	static uint8_t f[2048];
	size_t n = (len + fsz - 1) / fsz;

	for (size_t k = 0; k < n; k++) {
		size_t i = rev ? n - 1 - k : k, off = i * fsz;
		size_t flen = len - off < fsz ? len - off : fsz;
		uint8_t *ip = f + 14;

		gwh_eth(f, GWMAC, VM1, 0x0800);
		gwh_ipv4(ip, GUEST, dst, proto, id, (uint16_t)(off / 8 | (off + flen < len ? 0x2000 : 0)),
			 flen);
		memcpy(ip + 20, l4 + off, flen);
		port_send(gateway_port(gwh.gw), f, 34 + flen);
	}
}

/* Reassemble captured frames [0, ncap) as the guest would, checking each
 * fragment's headers; returns the L4 length. */
static size_t guest_reassemble(uint8_t *out, uint32_t src, uint8_t proto, unsigned *nfrags)
{
	size_t total = 0, have = 0;
	int id = -1;

	*nfrags = 0;
	for (unsigned i = 0; i < gwh.ncap; i++) {
		const uint8_t *f = gwh.cap[i], *ip = f + 14;
		size_t tot = rd16be(ip + 2), off = (size_t)(rd16be(ip + 6) & 0x1fff) * 8;

		assert_memory_equal(f, VM1, 6);
		assert_memory_equal(f + 6, GWMAC, 6);
		assert_int_equal(ip[0], 0x45);
		assert_int_equal(ref_csum(ip, 20, 0), 0);
		assert_int_equal(ip[9], proto);
		assert_int_equal(rd32be(ip + 12), src);
		assert_int_equal(rd32be(ip + 16), GUEST);
		assert_int_equal(gwh.cap_len[i], 14 + tot);
		assert_true(tot <= 1500);
		if (id < 0)
			id = rd16be(ip + 4);
		assert_int_equal(rd16be(ip + 4), id);
		if (rd16be(ip + 6) & 0x2000)
			assert_int_equal((tot - 20) % 8, 0);
		else
			total = off + tot - 20;
		memcpy(out + off, ip + 20, tot - 20);
		have += tot - 20;
		(*nfrags)++;
	}
	assert_int_equal(have, total);
	return total;
}

static void test_udp_fragmented_roundtrip(void **state)
{
	static uint8_t dgram[3008], buf[4096], back[8192];
	struct pollfd p = { .events = POLLIN };
	struct sockaddr_in from;
	socklen_t sl = sizeof(from);
	unsigned nfrags;
	size_t len;
	ssize_t r;

	mkgw("", true);
	wr16be(dgram, 5555);
	wr16be(dgram + 2, gwh.peer_port);
	wr16be(dgram + 4, sizeof(dgram));
	for (size_t i = 8; i < sizeof(dgram); i++)
		dgram[i] = (uint8_t)(i * 13);
	wr16be(dgram + 6, ref_l4(GUEST, HOST, 17, dgram, sizeof(dgram)));
	guest_send_frags(HOST, 17, 0x4242, dgram, sizeof(dgram), 1480, true);
	assert_int_equal(gateway_stats(gwh.gw)->ip_fragments, 3);
	assert_int_equal(gateway_stats(gwh.gw)->ip_frag_reassembled, 1);

	p.fd = gwh.peer;
	assert_int_equal(poll(&p, 1, 1000), 1);
	r = recvfrom(gwh.peer, buf, sizeof(buf), 0, (struct sockaddr *)&from, &sl);
	assert_int_equal(r, 3000);
	assert_memory_equal(buf, dgram + 8, 3000);

	/* The 3000-byte answer reaches the guest as fragments. */
	assert_int_equal(sendto(gwh.peer, buf, 3000, 0, (struct sockaddr *)&from, sizeof(from)), 3000);
	gwh_run_until(3);
	assert_int_equal(gwh.ncap, 3);
	len = guest_reassemble(back, HOST, 17, &nfrags);
	assert_int_equal(nfrags, 3);
	assert_int_equal(len, 3008);
	assert_int_equal(rd16be(back), gwh.peer_port);
	assert_int_equal(rd16be(back + 2), 5555);
	assert_int_equal(rd16be(back + 4), 3008);
	assert_int_equal(ref_l4(HOST, GUEST, 17, back, len), 0);
	assert_memory_equal(back + 8, dgram + 8, 3000);
	assert_int_equal(gateway_stats(gwh.gw)->ip_frag_out, 3);
	assert_int_equal(gateway_stats(gwh.gw)->udp_nat_in, 1);
}

static void test_big_ping_answered_in_fragments(void **state)
{
	static uint8_t echo[4008], back[8192];
	unsigned nfrags;
	size_t len;

	mkgw("", false);
	echo[0] = 8;
	wr16be(echo + 4, 0x1234);
	wr16be(echo + 6, 1);
	for (size_t i = 8; i < sizeof(echo); i++)
		echo[i] = (uint8_t)i;
	wr16be(echo + 2, ref_csum(echo, sizeof(echo), 0));
	guest_send_frags(HOST, 1, 7, echo, sizeof(echo), 1480, false);
	gateway_flush(gwh.gw);
	assert_int_equal(gateway_stats(gwh.gw)->icmp_echo_replies, 1);
	len = guest_reassemble(back, HOST, 1, &nfrags);
	assert_int_equal(nfrags, 3);
	assert_int_equal(len, sizeof(echo));
	assert_int_equal(back[0], 0);
	assert_int_equal(ref_csum(back, len, 0), 0);
	assert_memory_equal(back + 4, echo + 4, sizeof(echo) - 4);

	/* A ping that fits one frame still gets one unfragmented frame. */
	gwh.ncap = 0;
	wr16be(echo + 2, 0);
	wr16be(echo + 2, ref_csum(echo, 1000, 0));
	guest_send_frags(HOST, 1, 8, echo, 1000, 1480, false);
	gateway_flush(gwh.gw);
	assert_int_equal(gwh.ncap, 1);
	assert_int_equal(rd16be(gwh.cap[0] + 14 + 6), 0);
	assert_int_equal(gwh.cap_len[0], 14 + 20 + 1000);
}

static void test_max_frags_zero_drops(void **state)
{
	static uint8_t echo[2008];

	mkgw("max-frags=0", false);
	echo[0] = 8;
	wr16be(echo + 2, ref_csum(echo, sizeof(echo), 0));
	guest_send_frags(HOST, 1, 9, echo, sizeof(echo), 1480, false);
	gateway_flush(gwh.gw);
	assert_int_equal(gwh.ncap, 0);
	assert_int_equal(gateway_stats(gwh.gw)->ip_fragments, 2);
	assert_int_equal(gateway_stats(gwh.gw)->icmp_echo_replies, 0);
}

/* The keys this file's features brought: defaults, values, bad values
 * rejected with a message naming the key. */
static void test_config_keys(void **state)
{
	struct gw_config cfg;
	struct kvlist kv;
	char err[KV_ERR_MAX];

	gwh_parse_cfg(&cfg, "");
	assert_int_equal(cfg.max_frags, GW_DEFAULT_MAX_FRAGS);
	assert_int_equal(cfg.udp_timeout_ms, 60000);
	gwh_parse_cfg(&cfg, "max-frags=0,udp-timeout=1");
	assert_int_equal(cfg.max_frags, 0);
	assert_int_equal(cfg.udp_timeout_ms, 1000);
	static const char *const bad[][2] = {
		{ "user,max-frags=1025", "max-frags" }, { "user,max-frags=x", "max-frags" },
		{ "user,udp-timeout=0", "udp-timeout" }, { "user,udp-timeout=-1", "udp-timeout" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(kv_parse(&kv, "-netdev", bad[i][0], "type", err, sizeof(err)), 0);
		assert_int_equal(gw_config_parse(&cfg, &kv, "/nonexistent", err, sizeof(err)), -1);
		kv_free(&kv);
		assert_non_null(strstr(err, bad[i][1]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order, pool_setup, pool_teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order, pool_setup, pool_teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, pool_setup, pool_teardown),
		cmocka_unit_test_setup_teardown(test_overlap, pool_setup, pool_teardown),
		cmocka_unit_test_setup_teardown(test_tiny_and_bad, pool_setup, pool_teardown),
		cmocka_unit_test_setup_teardown(test_huge_offset, pool_setup, pool_teardown),
		cmocka_unit_test_setup_teardown(test_full_reassembly_of_64k, pool_setup,
						pool_teardown),
		cmocka_unit_test_setup_teardown(test_pool_full, pool_setup, pool_teardown),
		cmocka_unit_test_setup_teardown(test_pool_full_logged_per_pool, pool_setup,
						pool_teardown),
		cmocka_unit_test_setup_teardown(test_timeout, pool_setup, pool_teardown),
		cmocka_unit_test_setup_teardown(test_too_many_fragments, pool_setup,
						pool_teardown),
		cmocka_unit_test_setup_teardown(test_disabled, pool_setup, pool_teardown),
		cmocka_unit_test_teardown(test_udp_fragmented_roundtrip, gwh_teardown),
		cmocka_unit_test_teardown(test_big_ping_answered_in_fragments, gwh_teardown),
		cmocka_unit_test_teardown(test_max_frags_zero_drops, gwh_teardown),
		cmocka_unit_test(test_config_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
