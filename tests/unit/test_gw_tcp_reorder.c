/* SPDX-License-Identifier: MIT
 *
 * test_gw_tcp_reorder.c - the TCP engine under reordering, duplication and
 * loss: the out-of-order queue on its own (overlaps, duplicates, the
 * window, the per-flow cap, pool exhaustion, partial sends, sequence
 * wraparound, byte-exact delivery through a real socket), then the engine
 * (gw_tcp_new with a capturing port and a real loop) against a listener
 * on 127.0.0.1: reordered guest segments reach the host socket in order,
 * our ACKs carry SACK blocks for what is queued, the counters move, a
 * closed flow gives its chunks back, and a guest's SACK blocks make us
 * resend only the hole instead of the whole window.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/keyval.h"
#include "core/frame.h"
#include "core/loop.h"
#include "core/port.h"
#include "gateway/services/arp.h"
#include "gateway/config.h"
#include "gateway/env.h"
#include "gateway/pkt.h"
#include "gateway/nat/policy.h"
#include "gateway/tcp/tcp_flow.h"
#include "gateway/tcp/tcp_ooo.h"
#include "helpers/fake_port.h"
#include "helpers/gw_harness.h"
#include "helpers/gw_test.h"
#include "helpers/tcp_engine_harness.h"

static enum tcp_ooo_res ins(struct tcp_ooo *p, struct tcp_ooo_q *q, uint32_t rcv_nxt,
			    uint32_t seq, size_t len)
{
	static uint8_t b[70000];

	assert_true(len <= sizeof(b));
	fill(b, seq, len);
	return tcp_ooo_insert(p, q, rcv_nxt, rcv_nxt + 1000000, seq, b, len);
}

static void test_ooo_overlaps_and_dups(void **state)
{
	struct tcp_ooo p;
	struct tcp_ooo_q q = { 0 };
	uint32_t bl[4][2], rcv = 1000;
	int sv[2];
	bool blocked;

	(void)state;
	assert_int_equal(tcp_ooo_init(&p, 64 * TCP_OOO_CHUNK), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);

	assert_int_equal(ins(&p, &q, rcv, 3000, 500), TCP_OOO_STORED);
	assert_int_equal(ins(&p, &q, rcv, 3000, 500), TCP_OOO_DUP);    /* exact duplicate */
	assert_int_equal(ins(&p, &q, rcv, 3100, 200), TCP_OOO_DUP);    /* inside */
	assert_int_equal(ins(&p, &q, rcv, 2000, 300), TCP_OOO_STORED); /* a second range */
	assert_int_equal(ins(&p, &q, rcv, 2900, 700), TCP_OOO_STORED); /* overlaps both ends */
	assert_int_equal(tcp_ooo_bytes(&p, &q), 300 + 700);
	/* latest segment's block first, then ascending */
	assert_int_equal(tcp_ooo_sack(&p, &q, rcv, bl, 4), 2);
	assert_int_equal(bl[0][0], 2900);
	assert_int_equal(bl[0][1], 3600);
	assert_int_equal(bl[1][0], 2000);
	assert_int_equal(bl[1][1], 2300);
	/* below rcv_nxt, beyond the window, empty: nothing stored */
	assert_int_equal(ins(&p, &q, rcv, 500, 400), TCP_OOO_OUTSIDE);
	assert_int_equal(tcp_ooo_insert(&p, &q, rcv, rcv + 5000, 6000, (const uint8_t *)"x", 1),
			 TCP_OOO_OUTSIDE);
	assert_int_equal(ins(&p, &q, rcv, 2500, 0), TCP_OOO_OUTSIDE);
	/* a segment straddling the window edge is clipped to it */
	{
		uint8_t b[400];

		fill(b, 5800, sizeof(b));
		assert_int_equal(tcp_ooo_insert(&p, &q, rcv, rcv + 5000, 5800, b, sizeof(b)),
				 TCP_OOO_STORED);
		assert_int_equal(tcp_ooo_bytes(&p, &q), 300 + 700 + 200);
	}
	/* One segment spanning the holes and much more: only new bytes are
	 * copied; a segment larger than a chunk takes several. */
	assert_int_equal(ins(&p, &q, rcv, 1500, 4300), TCP_OOO_STORED);
	assert_int_equal(tcp_ooo_bytes(&p, &q), 6000 - 1500);
	assert_int_equal(tcp_ooo_sack(&p, &q, rcv, bl, 4), 1);
	assert_int_equal(bl[0][0], 1500);
	assert_int_equal(bl[0][1], 6000);

	/* Nothing to deliver until rcv_nxt reaches the queue. */
	assert_int_equal(tcp_ooo_deliver(&p, &q, &rcv, sv[0], &blocked), 0);
	assert_int_equal(rcv, 1000);
	/* The hole's data went to the socket directly (as tcp_data.c does),
	 * partly overlapping the queue: the queue sends only what follows. */
	{
		uint8_t b[600];

		fill(b, 1000, sizeof(b));
		assert_int_equal(send(sv[0], b, sizeof(b), 0), 600);
		rcv = 1600;
	}
	assert_int_equal(tcp_ooo_deliver(&p, &q, &rcv, sv[0], &blocked), 6000 - 1600);
	assert_false(blocked);
	assert_int_equal(rcv, 6000);
	assert_int_equal(q.n, 0);
	assert_int_equal(p.nfree, p.nchunks);
	expect_stream(sv[1], 1000, 5000);
	close(sv[0]);
	close(sv[1]);
	tcp_ooo_fini(&p);
}

static void test_ooo_tail_room_and_wrap(void **state)
{
	struct tcp_ooo p;
	struct tcp_ooo_q q = { 0 };
	uint32_t rcv = 0xfffff000u, seq = rcv + 100;
	int sv[2];
	bool blocked;

	(void)state;
	assert_int_equal(tcp_ooo_init(&p, 64 * TCP_OOO_CHUNK), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	/* 100 small contiguous segments across the 2^32 wrap share chunks */
	for (int i = 0; i < 100; i++, seq += 100)
		assert_int_equal(ins(&p, &q, rcv, seq, 100), TCP_OOO_STORED);
	assert_int_equal(tcp_ooo_bytes(&p, &q), 10000);
	assert_int_equal(q.n, (10000 + TCP_OOO_CHUNK - 1) / TCP_OOO_CHUNK);
	assert_int_equal(ins(&p, &q, rcv, rcv, 100), TCP_OOO_STORED); /* the hole, late */
	assert_int_equal(tcp_ooo_deliver(&p, &q, &rcv, sv[0], &blocked), 10100);
	assert_int_equal(rcv, 0xfffff000u + 10100);
	expect_stream(sv[1], 0xfffff000u, 10100);
	close(sv[0]);
	close(sv[1]);
	tcp_ooo_fini(&p);
}

static void test_ooo_caps(void **state)
{
	struct tcp_ooo p;
	struct tcp_ooo_q a = { 0 }, b = { 0 }, c = { 0 };
	uint32_t seq;

	(void)state;
	assert_int_equal(tcp_ooo_init(&p, 0), 0); /* max-ooo-kib=0: no queue */
	assert_int_equal(ins(&p, &a, 0, 10, 10), TCP_OOO_POOL_FULL);
	tcp_ooo_fini(&p);

	assert_int_equal(tcp_ooo_init(&p, 256 * TCP_OOO_CHUNK), 0);
	assert_int_equal(p.flow_cap, 64); /* a quarter */
	for (seq = 100;; seq += TCP_OOO_CHUNK) {
		enum tcp_ooo_res r = ins(&p, &a, 0, seq, TCP_OOO_CHUNK);

		if (r != TCP_OOO_STORED) {
			assert_int_equal(r, TCP_OOO_FLOW_FULL);
			break;
		}
	}
	assert_int_equal(a.n, 64);
	assert_int_equal(p.nfree, 256 - 64);
	tcp_ooo_drop(&p, &a);
	tcp_ooo_fini(&p);

	/* 16 chunks: cap 8 (a small pool keeps 16 KiB per flow), so two
	 * flows exhaust the pool and a third finds it full; dropping a flow
	 * gives its chunks back. */
	assert_int_equal(tcp_ooo_init(&p, 16 * TCP_OOO_CHUNK), 0);
	assert_int_equal(p.flow_cap, 8);
	assert_int_equal(ins(&p, &a, 0, 1, 8 * TCP_OOO_CHUNK + 1), TCP_OOO_FLOW_FULL);
	assert_int_equal(tcp_ooo_bytes(&p, &a), 8 * TCP_OOO_CHUNK); /* stored up to the cap */
	assert_int_equal(ins(&p, &b, 0, 1, 8 * TCP_OOO_CHUNK), TCP_OOO_STORED);
	assert_int_equal(p.nfree, 0);
	assert_int_equal(ins(&p, &c, 0, 1, 10), TCP_OOO_POOL_FULL);
	assert_int_equal(c.n, 0);
	tcp_ooo_drop(&p, &a);
	assert_int_equal(p.nfree, 8);
	assert_int_equal(a.n, 0);
	assert_int_equal(ins(&p, &c, 0, 1, 10), TCP_OOO_STORED);
	tcp_ooo_drop(&p, &b);
	tcp_ooo_drop(&p, &c);
	assert_int_equal(p.nfree, 16);
	tcp_ooo_fini(&p);
}

static void test_ooo_partial_send(void **state)
{
	struct tcp_ooo p;
	struct tcp_ooo_q q = { 0 };
	uint32_t rcv = 0, total = 0;
	int sv[2], small = 4096;
	bool blocked;
	ssize_t r;
	static uint8_t b[1 << 20];
	size_t got = 0;

	(void)state;
	assert_int_equal(tcp_ooo_init(&p, 128 * TCP_OOO_CHUNK), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	assert_int_equal(ins(&p, &q, rcv, 0, 60000), TCP_OOO_STORED);
	/* The socket takes part; the rest stays queued, nothing is lost or
	 * sent twice, whatever the split. */
	for (int i = 0; i < 1000 && rcv != 60000; i++) {
		r = tcp_ooo_deliver(&p, &q, &rcv, sv[0], &blocked);
		assert_true(r >= 0);
		total += (uint32_t)r;
		assert_int_equal(rcv, total);
		if (rcv != 60000)
			assert_true(blocked);
		while ((r = recv(sv[1], b + got, sizeof(b) - got, MSG_DONTWAIT)) > 0)
			got += (size_t)r;
	}
	assert_int_equal(rcv, 60000);
	assert_int_equal(p.nfree, p.nchunks);
	while ((r = recv(sv[1], b + got, sizeof(b) - got, MSG_DONTWAIT)) > 0)
		got += (size_t)r;
	assert_int_equal(got, 60000);
	for (size_t i = 0; i < got; i++)
		assert_int_equal(b[i], pat((uint32_t)i));
	/* a failing socket is an error, not a blocked one */
	assert_int_equal(ins(&p, &q, rcv, rcv, 10), TCP_OOO_STORED);
	close(sv[1]);
	assert_int_equal(tcp_ooo_deliver(&p, &q, &rcv, sv[0], &blocked), -1);
	close(sv[0]);
	tcp_ooo_drop(&p, &q);
	tcp_ooo_fini(&p);
}

/* ---- the engine ------------------------------------------------------------ */

/* The SACK option of a TCP header: number of blocks, blocks in bl. */
static unsigned sack_of(const uint8_t *t, uint32_t (*bl)[2])
{
	size_t hl = (size_t)(t[12] >> 4) * 4, i = 20;
	unsigned n = 0;

	assert_true(hl <= 60);
	while (i < hl) {
		if (t[i] == 1) {
			i++;
			continue;
		}
		if (t[i] == 0 || i + 1 >= hl)
			break;
		if (t[i] == 5) {
			n = (t[i + 1] - 2u) / 8;
			assert_int_equal(t[i + 1], 2 + 8 * n);
			assert_true(i + t[i + 1] <= hl);
			for (unsigned k = 0; k < n; k++) {
				bl[k][0] = rd32be(t + i + 2 + 8 * k);
				bl[k][1] = rd32be(t + i + 6 + 8 * k);
			}
		}
		i += t[i + 1] ? t[i + 1] : 1;
	}
	return n;
}

static void test_reorder_to_host(void **state)
{
	uint16_t lp;
	uint32_t ours, g = 5000, bl[4][2], last_ack = 0;
	int lfd, c;
	bool sack;
	const uint8_t *t;
	size_t dl;
	unsigned n = 0;
	const struct gw_tcp_stats *st;

	(void)state;
	mk("");
	st = gw_tcp_stats(tcp);
	lfd = gwh_loopback_socket(SOCK_STREAM, &lp);
	c = handshake(lfd, lp, 41000, g - 1, SYN_SACK, sizeof(SYN_SACK), &ours, &sack);
	assert_true(sack); /* offered back */

	/* segments 3, 1, 2 of 0..3 (1000 bytes each), then a duplicate of 2 */
	gdata(41000, lp, g, 3000, 1000, ours);
	gwh_spin(loop, 30);
	assert_true(ncap > 0);
	t = tcp_of(ncap - 1, &dl);
	assert_int_equal(rd32be(t + 8), g); /* nothing in order yet */
	assert_int_equal(sack_of(t, bl), 1);
	assert_int_equal(bl[0][0], g + 3000);
	assert_int_equal(bl[0][1], g + 4000);
	ncap = 0;
	gdata(41000, lp, g, 1000, 1000, ours);
	gdata(41000, lp, g, 2000, 1000, ours);
	gdata(41000, lp, g, 2000, 1000, ours);
	gwh_spin(loop, 30);
	assert_true(ncap > 0);
	t = tcp_of(ncap - 1, &dl);
	assert_int_equal(rd32be(t + 8), g);
	assert_int_equal(sack_of(t, bl), 1); /* merged into one block */
	assert_int_equal(bl[0][0], g + 1000);
	assert_int_equal(bl[0][1], g + 4000);
	assert_int_equal(st->ooo_queued, 3);
	assert_int_equal(st->ooo_dups, 1);
	/* 1000..3000 share a chunk (tail room), 3000..4000 has its own */
	assert_int_equal(tcp->ooo.nchunks - tcp->ooo.nfree, 2);
	/* the host has seen nothing */
	{
		char x;

		assert_true(recv(c, &x, 1, MSG_DONTWAIT) < 0);
	}
	/* the hole, overlapping what is queued: everything goes in order */
	ncap = 0;
	gdata(41000, lp, g, 0, 1500, ours);
	gwh_spin(loop, 50);
	for (unsigned i = 0; i < ncap; i++) {
		t = tcp_of(i, &dl);
		last_ack = rd32be(t + 8);
		n = sack_of(t, bl);
	}
	assert_int_equal(last_ack, g + 4000);
	assert_int_equal(n, 0); /* nothing queued: no SACK blocks */
	expect_stream(c, 0, 4000);
	assert_int_equal(st->ooo_delivered, 2500);
	assert_int_equal(tcp->ooo.nfree, tcp->ooo.nchunks);

	/* Beyond the window we offered: not queued, counted. */
	gdata(41000, lp, g, 4000 + 40000000, 100, ours);
	gwh_spin(loop, 20);
	assert_int_equal(st->ooo_dropped, 1);
	assert_int_equal(tcp->ooo.nfree, tcp->ooo.nchunks);

	/* Queued data, then the guest resets: the chunks go back. */
	gdata(41000, lp, g, 6000, 1000, ours);
	gwh_spin(loop, 20);
	assert_int_equal(tcp->ooo.nchunks - tcp->ooo.nfree, 1);
	seg(41000, lp, g + 4000, ours, 0x04, 0, NULL, 0, NULL, 0);
	gwh_spin(loop, 20);
	assert_int_equal(st->rst_from_guest, 1);
	assert_int_equal(tcp->ooo.nfree, tcp->ooo.nchunks);
	close(c);
	close(lfd);
}

static void test_no_sack_guest(void **state)
{
	static const uint8_t syn_plain[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };
	uint16_t lp;
	uint32_t ours, g = 9000, bl[4][2];
	int lfd, c, dups = 0;
	bool sack;
	const uint8_t *t;
	size_t dl;

	(void)state;
	mk("");
	lfd = gwh_loopback_socket(SOCK_STREAM, &lp);
	c = handshake(lfd, lp, 41001, g - 1, syn_plain, sizeof(syn_plain), &ours, &sack);
	assert_false(sack); /* not offered: not agreed */
	/* Queued all the same, but the guest hears of the hole by three
	 * duplicate ACKs without SACK blocks. */
	gdata(41001, lp, g, 1000, 1000, ours);
	gwh_spin(loop, 30);
	for (unsigned i = 0; i < ncap; i++) {
		t = tcp_of(i, &dl);
		assert_int_equal(sack_of(t, bl), 0);
		dups += rd32be(t + 8) == g;
	}
	assert_true(dups >= 3);
	gdata(41001, lp, g, 0, 1000, ours);
	gwh_spin(loop, 30);
	expect_stream(c, 0, 2000);
	close(c);
	close(lfd);
}

static void test_caps_in_engine(void **state)
{
	uint16_t lp;
	uint32_t ours[3], g = 100;
	int lfd, c[3];
	bool sack;
	const struct gw_tcp_stats *st;
	unsigned i;

	(void)state;
	mk("max-ooo-kib=32"); /* 16 chunks, 8 (16 KiB) per flow */
	st = gw_tcp_stats(tcp);
	assert_int_equal(tcp->ooo.nchunks, 16);
	assert_int_equal(tcp->ooo.flow_cap, 8);
	lfd = gwh_loopback_socket(SOCK_STREAM, &lp);
	for (i = 0; i < 3; i++)
		c[i] = handshake(lfd, lp, (uint16_t)(42000 + i), g - 1, SYN_SACK, sizeof(SYN_SACK),
				 &ours[i], &sack);
	/* Flow 0 fills its cap: 20 segments of 1460 beyond a hole */
	for (unsigned k = 0; k < 20; k++)
		gdata(42000, lp, g, 1460 * (k + 1), 1460, ours[0]);
	gwh_spin(loop, 20);
	assert_true(st->ooo_flow_full > 0);
	assert_int_equal(tcp->ooo.nchunks - tcp->ooo.nfree, 8);
	for (unsigned k = 0; k < 20; k++)
		gdata(42001, lp, g, 1460 * (k + 1), 1460, ours[1]);
	gwh_spin(loop, 20);
	assert_int_equal(tcp->ooo.nfree, 0);
	assert_int_equal(st->ooo_pool_full, 0);
	gdata(42002, lp, g, 5000, 100, ours[2]);
	gwh_spin(loop, 20);
	assert_int_equal(st->ooo_pool_full, 1);
	/* flow 0's hole: what it queued is delivered, its chunks return */
	gdata(42000, lp, g, 0, 1460, ours[0]);
	gwh_spin(loop, 50);
	expect_stream(c[0], 0, 1460 + 8 * TCP_OOO_CHUNK);
	assert_int_equal(st->ooo_delivered, 8 * TCP_OOO_CHUNK);
	assert_int_equal(tcp->ooo.nfree, 8);
	for (i = 0; i < 3; i++)
		close(c[i]);
	close(lfd);
}

static void test_sack_recovery_to_guest(void **state)
{
	static uint8_t big[10 * 1460]; /* the initial congestion window */
	uint16_t lp;
	uint32_t ours, g = 7000;
	int lfd, c;
	bool sack;
	const uint8_t *t;
	size_t dl, total = 0;
	unsigned segs = 0;
	const struct gw_tcp_stats *st;
	uint8_t opt[12] = { 1, 1, 5, 10 };

	(void)state;
	mk("");
	st = gw_tcp_stats(tcp);
	lfd = gwh_loopback_socket(SOCK_STREAM, &lp);
	c = handshake(lfd, lp, 43000, g - 1, SYN_SACK, sizeof(SYN_SACK), &ours, &sack);
	fill(big, 0, sizeof(big));
	assert_int_equal(send(c, big, sizeof(big), 0), (ssize_t)sizeof(big));
	gwh_spin(loop, 50);
	for (unsigned i = 0; i < ncap; i++) {
		t = tcp_of(i, &dl);
		total += dl;
	}
	assert_int_equal(total, sizeof(big));
	/* The guest lost the first segment: every later one brings a
	 * duplicate ACK whose SACK block grows. */
	ncap = 0;
	for (unsigned k = 2; k <= 6; k++) {
		wr32be(opt + 4, ours + 1460);
		wr32be(opt + 8, ours + 1460 * k);
		seg(43000, lp, g, ours, 0x10, 65535, opt, 12, NULL, 0);
	}
	gwh_spin(loop, 50);
	/* Exactly the hole went again, not the window. */
	for (unsigned i = 0; i < ncap; i++) {
		t = tcp_of(i, &dl);
		if (!dl)
			continue;
		segs++;
		assert_int_equal(rd32be(t + 4), ours);
		assert_int_equal(dl, 1460);
	}
	assert_int_equal(segs, 1);
	assert_int_equal(st->fast_retransmits, 1);
	assert_int_equal(st->sack_rtx, 1);
	/* More duplicate ACKs, and a D-SACK: nothing more is resent. */
	ncap = 0;
	wr32be(opt + 8, ours + 1460 * 7);
	seg(43000, lp, g, ours, 0x10, 65535, opt, 12, NULL, 0);
	wr32be(opt + 4, ours - 1);
	wr32be(opt + 8, ours);
	seg(43000, lp, g, ours, 0x10, 65535, opt, 12, NULL, 0);
	gwh_spin(loop, 50);
	for (unsigned i = 0; i < ncap; i++) {
		tcp_of(i, &dl);
		assert_int_equal(dl, 0);
	}
	assert_int_equal(st->dsacks, 1);
	/* The hole arrives: all acknowledged, recovery over, no timeouts. */
	seg(43000, lp, g, ours + sizeof(big), 0x10, 65535, NULL, 0, NULL, 0);
	gwh_spin(loop, 30);
	assert_int_equal(st->timeouts, 0);
	assert_int_equal(st->retransmits, 0);
	close(c);
	close(lfd);
}

/* A FIN after a gap: remembered, taken once the hole is filled, so the
 * host sees the data and then EOF and our ACK covers the FIN, without
 * the guest resending it. */
static void test_ooo_fin_remembered(void **state)
{
	static uint8_t b[1000];
	uint16_t lp;
	uint32_t ours, g = 9000, last_ack = 0;
	int lfd, c;
	bool sack;
	const uint8_t *t;
	size_t dl;
	char x;

	(void)state;
	mk("");
	lfd = gwh_loopback_socket(SOCK_STREAM, &lp);
	c = handshake(lfd, lp, 44000, g - 1, SYN_SACK, sizeof(SYN_SACK), &ours, &sack);
	fill(b, 1000, sizeof(b));
	seg(44000, lp, g + 1000, ours, 0x19, 65535, NULL, 0, b, sizeof(b)); /* FIN|PSH|ACK */
	gwh_spin(loop, 30);
	assert_true(recv(c, &x, 1, MSG_DONTWAIT) < 0); /* nothing in order yet */
	ncap = 0;
	gdata(44000, lp, g, 0, 1000, ours); /* the hole, no FIN on it */
	gwh_spin(loop, 50);
	for (unsigned i = 0; i < ncap; i++) {
		t = tcp_of(i, &dl);
		last_ack = rd32be(t + 8);
	}
	assert_int_equal(last_ack, g + 2000 + 1); /* data and the FIN */
	{
		static uint8_t r[4000];
		size_t got = 0;
		ssize_t n;

		while ((n = recv(c, r + got, sizeof(r) - got, MSG_DONTWAIT)) > 0)
			got += (size_t)n;
		assert_int_equal(got, 2000);
		assert_int_equal(n, 0); /* EOF: the socket was shut for writing */
		for (size_t i = 0; i < got; i++)
			assert_int_equal(r[i], pat((uint32_t)i));
	}
	close(c);
	close(lfd);
}

/* RACK: the resend of a lost segment is lost too. A SACK for data sent
 * after that resend (the tail loss probe's, here sent by us as a
 * segment the guest SACKs) shows it, and it goes again at once: no RTO. */
static void test_lost_resend_found(void **state)
{
	static uint8_t big[10 * 1460];
	uint16_t lp;
	uint32_t ours, g = 7000;
	int lfd, c;
	bool sack;
	const uint8_t *t;
	size_t dl;
	unsigned at_una = 0;
	const struct gw_tcp_stats *st;
	uint8_t opt[12] = { 1, 1, 5, 10 };

	(void)state;
	mk("");
	st = gw_tcp_stats(tcp);
	lfd = gwh_loopback_socket(SOCK_STREAM, &lp);
	c = handshake(lfd, lp, 45000, g - 1, SYN_SACK, sizeof(SYN_SACK), &ours, &sack);
	fill(big, 0, sizeof(big));
	assert_int_equal(send(c, big, 9 * 1460, 0), 9 * 1460);
	gwh_spin(loop, 50);
	/* Segment 0 lost: 1..8 SACKed, one block the guest reports growing. */
	ncap = 0;
	for (unsigned k = 2; k <= 9; k++) {
		wr32be(opt + 4, ours + 1460);
		wr32be(opt + 8, ours + 1460 * k);
		seg(45000, lp, g, ours, 0x10, 65535, opt, 12, NULL, 0);
	}
	gwh_spin(loop, 50);
	assert_int_equal(st->sack_rtx, 1); /* the hole once */
	assert_int_equal(st->fast_retransmits, 1);
	/* That resend is lost as well. New data goes out after it (the
	 * window has room) and the guest SACKs it: RACK knows the resend
	 * went before that and is older than an RTT, so it is lost. */
	assert_int_equal(send(c, big + 9 * 1460, 1460, 0), 1460);
	gwh_spin(loop, 30);
	ncap = 0;
	gwh_spin(loop, 5); /* let the resend age past RACK's RTT + window */
	wr32be(opt + 4, ours + 1460);
	wr32be(opt + 8, ours + 1460 * 10);
	seg(45000, lp, g, ours, 0x10, 65535, opt, 12, NULL, 0);
	gwh_spin(loop, 50);
	for (unsigned i = 0; i < ncap; i++) {
		t = tcp_of(i, &dl);
		if (dl && rd32be(t + 4) == ours)
			at_una++;
	}
	assert_true(at_una >= 1);
	assert_int_equal(st->retransmits, 0); /* no RTO */
	assert_int_equal(st->timeouts, 0);
	seg(45000, lp, g, ours + 10 * 1460, 0x10, 65535, NULL, 0, NULL, 0);
	gwh_spin(loop, 20);
	close(c);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ooo_overlaps_and_dups),
		cmocka_unit_test(test_ooo_tail_room_and_wrap),
		cmocka_unit_test(test_ooo_caps),
		cmocka_unit_test(test_ooo_partial_send),
		cmocka_unit_test_teardown(test_reorder_to_host, teardown),
		cmocka_unit_test_teardown(test_no_sack_guest, teardown),
		cmocka_unit_test_teardown(test_caps_in_engine, teardown),
		cmocka_unit_test_teardown(test_sack_recovery_to_guest, teardown),
		cmocka_unit_test_teardown(test_ooo_fin_remembered, teardown),
		cmocka_unit_test_teardown(test_lost_resend_found, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
