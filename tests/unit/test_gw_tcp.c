/* SPDX-License-Identifier: MIT
 *
 * test_gw_tcp.c - the gateway's TCP engine driven by crafted guest
 * segments against real sockets on 127.0.0.1, with a real event loop:
 * handshake, data both ways, FIN both ways, RST on a refused port, a RST
 * for a segment without a flow, and hostile segments (data offset beyond
 * the segment, urgent pointer beyond the data, MSS 0, window scale 255),
 * each dropped or handled without harm, and back-pressure: host data is
 * pushed only as far as the egress port has room, the rest when it drains.
 * Checksums of what the gateway emits are verified with an independent
 * implementation.
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
#include "gateway/gateway.h"
#include "gateway/tcp/tcp.h"
#include "helpers/gw_harness.h"

#define GUEST GWH_GUEST
#define HOST GWH_HOST

static void mkgw(const char *opts)
{
	gwh_start(opts, true);
}

struct seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags, doff; /* doff 0: computed */
	uint16_t wnd, urg;
	const uint8_t *opt;
	size_t optlen;
	const void *data;
	size_t len;
};

static void send_seg(const struct seg *s)
{
	static uint8_t f[2048];
	uint8_t *ip = f + 14, *t = f + 34;
	size_t hl = 20 + s->optlen, l4 = hl + s->len;

	gwh_eth(f, GWMAC, VM1, 0x0800);
	gwh_ipv4(ip, GUEST, HOST, 6, 0, 0, l4);
	memset(t, 0, 20);
	wr16be(t, s->sport);
	wr16be(t + 2, s->dport);
	wr32be(t + 4, s->seq);
	wr32be(t + 8, s->ack);
	t[12] = (uint8_t)((s->doff ? s->doff : hl / 4) << 4);
	t[13] = s->flags;
	wr16be(t + 14, s->wnd ? s->wnd : 65535);
	wr16be(t + 18, s->urg);
	if (s->optlen)
		memcpy(t + 20, s->opt, s->optlen);
	if (s->len)
		memcpy(t + hl, s->data, s->len);
	wr16be(t + 16, ref_l4(GUEST, HOST, 6, t, l4));
	port_send(gateway_port(gwh.gw), f, 34 + l4);
}

/* Run the loop until a frame arrives (or ~2 s pass). Returns its index. */
#define wait_frame() wait_frame_(__LINE__)
static int wait_frame_(int line)
{
	unsigned had = gwh.ncap;

	for (int i = 0; i < 200 && gwh.ncap == had; i++)
		ev_loop_once(gwh.loop, 10);
	if (gwh.ncap == had)
		fprintf(stderr, "no frame at line %d\n", line);
	return gwh.ncap > had ? (int)had : -1;
}

/* Check headers and checksums of captured TCP frame i. */
static const uint8_t *tcp_of(int i, size_t *dlen)
{
	const uint8_t *f = gwh.cap[i], *ip = f + 14, *t = f + 34;
	size_t tot, l4;

	assert_true(i >= 0);
	assert_memory_equal(f, VM1, 6);
	assert_memory_equal(f + 6, GWMAC, 6);
	assert_int_equal(rd16be(f + 12), 0x0800);
	assert_int_equal(ip[9], 6);
	assert_int_equal(ref_csum(ip, 20, 0), 0);
	tot = rd16be(ip + 2);
	assert_true(tot + 14 == gwh.cap_len[i]);
	assert_int_equal(rd32be(ip + 12), HOST);
	assert_int_equal(rd32be(ip + 16), GUEST);
	l4 = tot - 20;
	assert_int_equal(ref_l4(HOST, GUEST, 6, t, l4), 0);
	*dlen = l4 - (size_t)(t[12] >> 4) * 4;
	return t;
}

/* A bare ACK from guest port gp, window 1024, and time to act on it. */
static void guest_ack(uint16_t gp, uint16_t lport, uint32_t seq, uint32_t ack)
{
	struct seg s = { gp, lport, seq, ack, 0x10, 0, 1024, 0, NULL, 0, NULL, 0 };

	send_seg(&s);
	gwh_spin(gwh.loop, 30);
}

static const uint8_t SYN_OPTS[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 }; /* MSS 1460, ws 7 */

/* Handshake from guest port gp to the listener; returns the accepted
 * socket and our ISN+1 in *ours. */
static int handshake(uint16_t lport, uint16_t gp, uint32_t gseq, const uint8_t *opt,
		     size_t optlen, uint32_t *ours, int lfd)
{
	struct seg s = { gp, lport, gseq, 0, 0x02, 0, 65535, 0, opt, optlen, NULL, 0 };
	const uint8_t *t;
	size_t dl;
	int i, c;

	send_seg(&s);
	i = wait_frame();
	t = tcp_of(i, &dl);
	assert_int_equal(t[13], 0x12); /* SYN|ACK */
	assert_int_equal(rd16be(t), lport);
	assert_int_equal(rd16be(t + 2), gp);
	assert_int_equal(rd32be(t + 8), gseq + 1);
	*ours = rd32be(t + 4) + 1;
	c = accept(lfd, NULL, NULL);
	assert_true(c >= 0);
	s = (struct seg){ gp, lport, gseq + 1, *ours, 0x10, 0, 65535, 0, NULL, 0, NULL, 0 };
	send_seg(&s);
	gwh_spin(gwh.loop, 30);
	return c;
}

static void test_handshake_data_fin(void **state)
{
	uint16_t lport;
	int lfd, c, i;
	uint32_t ours, g = 1000;
	char buf[64];
	const uint8_t *t;
	size_t dl;
	struct seg s;

	(void)state;
	mkgw("");
	lfd = gwh_loopback_socket(SOCK_STREAM, &lport);
	c = handshake(lport, 40000, g - 1, SYN_OPTS, sizeof(SYN_OPTS), &ours, lfd);

	/* guest -> host */
	gwh.ncap = 0;
	s = (struct seg){ 40000, lport, g, ours, 0x18, 0, 1024, 0, NULL, 0, "hello", 5 };
	send_seg(&s);
	i = wait_frame();
	t = tcp_of(i, &dl);
	assert_int_equal(dl, 0);
	assert_int_equal(rd32be(t + 8), g + 5); /* ACK of what the socket took */
	assert_int_equal(recv(c, buf, sizeof(buf), 0), 5);
	assert_memory_equal(buf, "hello", 5);
	g += 5;

	/* host -> guest */
	gwh.ncap = 0;
	assert_int_equal(send(c, "world!", 6, 0), 6);
	i = wait_frame();
	t = tcp_of(i, &dl);
	assert_int_equal(dl, 6);
	assert_memory_equal(t + (t[12] >> 4) * 4, "world!", 6);
	assert_int_equal(rd32be(t + 4), ours);
	ours += 6;
	guest_ack(40000, lport, g, ours);

	/* Unacknowledged data is sent again (RTO; the first is ~1 s). */
	gwh.ncap = 0;
	assert_int_equal(send(c, "again", 5, 0), 5);
	i = wait_frame();
	tcp_of(i, &dl);
	assert_int_equal(dl, 5);
	gwh.ncap = 0;
	for (int k = 0; k < 300 && gwh.ncap == 0; k++)
		ev_loop_once(gwh.loop, 10);
	assert_true(gwh.ncap > 0);
	t = tcp_of(0, &dl);
	assert_int_equal(dl, 5);
	assert_int_equal(rd32be(t + 4), ours);
	ours += 5;
	guest_ack(40000, lport, g, ours);

	/* host FIN -> guest FIN; the guest can still send (half-close) */
	gwh.ncap = 0;
	shutdown(c, SHUT_WR);
	i = wait_frame();
	t = tcp_of(i, &dl);
	assert_true(t[13] & 0x01);
	assert_int_equal(rd32be(t + 4), ours);
	s = (struct seg){ 40000, lport, g, ours + 1, 0x18, 0, 1024, 0, NULL, 0, "late", 4 };
	send_seg(&s);
	gwh_spin(gwh.loop, 30);
	assert_int_equal(recv(c, buf, sizeof(buf), 0), 4);
	g += 4;

	/* guest FIN -> EOF on the host socket */
	gwh.ncap = 0;
	s = (struct seg){ 40000, lport, g, ours + 1, 0x11, 0, 1024, 0, NULL, 0, NULL, 0 };
	send_seg(&s);
	i = wait_frame();
	t = tcp_of(i, &dl);
	assert_int_equal(rd32be(t + 8), g + 1);
	assert_int_equal(recv(c, buf, sizeof(buf), 0), 0);
	close(c);
	close(lfd);
}

/* Host -> guest with an egress port that has room for three segments: the
 * engine sends those, waits (leaving the rest in the socket, not dropping
 * it at the port), sends nothing more until the port says it drained, and
 * then the rest, in order. */
static void test_waits_for_port_room(void **state)
{
	/* N within the initial congestion window (ten segments): the test
	 * ACKs nothing, so more would wait for the window, not the port. */
	enum { N = 14000, SEG = 1460, COST = SEG + 54 + PORT_TX_OVERHEAD };
	static char data[N];
	const struct gw_tcp_stats *st;
	uint32_t ours, next;
	size_t dl, got = 0;
	const uint8_t *t;
	uint16_t lport;
	int lfd, c;

	(void)state;
	mkgw("");
	lfd = gwh_loopback_socket(SOCK_STREAM, &lport);
	c = handshake(lport, 40010, 999, SYN_OPTS, sizeof(SYN_OPTS), &ours, lfd);
	for (size_t k = 0; k < N; k++)
		data[k] = (char)(k * 13 + 1);

	gwh.ncap = 0;
	gwh.room_limited = true;
	gwh.room = 3 * COST;
	assert_int_equal(send(c, data, N, 0), N);
	gwh_spin(gwh.loop, 300);
	assert_int_equal(gwh.ncap, 3);
	assert_true(gwh.waits > 0);
	assert_int_equal(gateway_port(gwh.gw)->stats.pauses, 1);
	st = gateway_tcp_stats(gwh.gw);
	assert_int_equal(st->room_waits, 1);
	assert_int_equal(st->room_resumes, 0);

	/* Nothing more while the port stays full. */
	gwh_spin(gwh.loop, 200);
	assert_int_equal(gwh.ncap, 3);

	gwh.room = 1u << 20;
	gwh_writable();
	for (int k = 0; k < 200 && gwh.ncap < (N + SEG - 1) / SEG; k++)
		ev_loop_once(gwh.loop, 10);
	assert_int_equal(st->room_resumes, 1);
	assert_int_equal(gateway_port(gwh.gw)->stats.resumes, 1);
	next = ours;
	for (unsigned i = 0; i < gwh.ncap; i++) {
		t = tcp_of((int)i, &dl);
		assert_int_equal(rd32be(t + 4), next);
		assert_memory_equal(t + (t[12] >> 4) * 4, data + got, dl);
		next += (uint32_t)dl;
		got += dl;
	}
	assert_int_equal(got, N);
	close(c);
	close(lfd);
}

/* A wait whose writable callback never comes (a port that never queued,
 * so it never drains) ends at the engine's next tick, not never. */
static void test_room_wait_tick(void **state)
{
	enum { N = 8000, SEG = 1460, COST = SEG + 54 + PORT_TX_OVERHEAD };
	static char data[N];
	const struct gw_tcp_stats *st;
	size_t dl, got = 0;
	uint16_t lport;
	uint32_t ours;
	int lfd, c;

	(void)state;
	mkgw("");
	lfd = gwh_loopback_socket(SOCK_STREAM, &lport);
	c = handshake(lport, 40011, 4999, SYN_OPTS, sizeof(SYN_OPTS), &ours, lfd);
	gwh.ncap = 0;
	gwh.room_limited = true;
	gwh.room = COST;
	assert_int_equal(send(c, data, N, 0), N);
	gwh_spin(gwh.loop, 50);
	assert_int_equal(gwh.ncap, 1);
	gwh.room = 1u << 20; /* room is back, and nobody says so */
	for (int k = 0; k < 40 && gwh.ncap < (N + SEG - 1) / SEG; k++)
		ev_loop_once(gwh.loop, 10);
	for (unsigned i = 0; i < gwh.ncap; i++) {
		tcp_of((int)i, &dl);
		got += dl;
	}
	assert_int_equal(got, N);
	st = gateway_tcp_stats(gwh.gw);
	assert_int_equal(st->room_waits, 1);
	assert_int_equal(st->room_resumes, 0);
	close(c);
	close(lfd);
}

/* 10 s behind CLOCK_MONOTONIC: whatever in the engine reads the clock
 * itself sees a later time than the loop's now. */
static uint64_t behind_clock(void)
{
	return ev_now_ms() - 10000;
}

/* A flow stamped from a fresher clock read than the wakeup's now (the
 * loop caches its clock once per wakeup) is not idle, let alone timed
 * out and reset by the next tick. */
static void test_clock_skew_not_idle(void **state)
{
	uint16_t lport;
	int lfd, c, i;
	uint32_t ours, g = 5000;
	char buf[16];
	size_t dl;
	struct seg s;

	(void)state;
	if (ev_now_ms() < 20000)
		skip(); /* a machine up for less than 20 s */
	mkgw("");
	ev_loop_set_clock(gwh.loop, behind_clock);
	lfd = gwh_loopback_socket(SOCK_STREAM, &lport);
	c = handshake(lport, 40100, g - 1, SYN_OPTS, sizeof(SYN_OPTS), &ours, lfd);
	/* Data to the guest: the push stamps the flow active; left unacked
	 * so that no guest segment stamps it again with the loop's now. */
	gwh.ncap = 0;
	assert_int_equal(send(c, "tick", 4, 0), 4);
	i = wait_frame();
	tcp_of(i, &dl);
	assert_int_equal(dl, 4);
	gwh_spin(gwh.loop, 500); /* several ticks, before the first RTO */
	for (unsigned k = 0; k < gwh.ncap; k++)
		assert_false(tcp_of((int)k, &dl)[13] & 0x04); /* no RST */
	ours += 4;
	guest_ack(40100, lport, g, ours);
	s = (struct seg){ 40100, lport, g, ours, 0x18, 0, 1024, 0, NULL, 0, "still", 5 };
	send_seg(&s);
	gwh_spin(gwh.loop, 30);
	assert_int_equal(recv(c, buf, sizeof(buf), MSG_DONTWAIT), 5);
	close(c);
	close(lfd);
}

static void test_refused_and_no_flow(void **state)
{
	uint16_t lport;
	int lfd, i;
	const uint8_t *t;
	size_t dl;
	struct seg s;

	(void)state;
	mkgw("");
	lfd = gwh_loopback_socket(SOCK_STREAM, &lport);
	close(lfd); /* nothing listens there now */
	s = (struct seg){ 40001, lport, 5000, 0, 0x02, 0, 65535, 0, SYN_OPTS, 8, NULL, 0 };
	send_seg(&s);
	i = wait_frame();
	t = tcp_of(i, &dl);
	assert_true(t[13] & 0x04); /* RST */
	assert_true(t[13] & 0x10);
	assert_false(t[13] & 0x02); /* not a SYN-ACK */
	assert_int_equal(rd32be(t + 8), 5001);
	/* Refused on loopback comes as EPOLLOUT|EPOLLERR|EPOLLHUP after an
	 * EINPROGRESS connect: the event path must still read SO_ERROR
	 * (connect_done skips it only on a clean EPOLLOUT). */
	assert_int_equal(gateway_tcp_stats(gwh.gw)->connects, 1);
	assert_int_equal(gateway_tcp_stats(gwh.gw)->refused, 1);

	/* A stray ACK gets a RST with its ack number as sequence. */
	gwh.ncap = 0;
	s = (struct seg){ 40002, 80, 7, 0xabcdef01, 0x10, 0, 65535, 0, NULL, 0, NULL, 0 };
	send_seg(&s);
	i = wait_frame();
	t = tcp_of(i, &dl);
	assert_int_equal(t[13], 0x04);
	assert_int_equal(rd32be(t + 4), 0xabcdef01);

	/* host-loopback=off: 10.0.2.2 is not the host; a RST, no connect */
	gwh_teardown(NULL);
	mkgw("host-loopback=off");
	lfd = gwh_loopback_socket(SOCK_STREAM, &lport);
	s = (struct seg){ 40003, lport, 9, 0, 0x02, 0, 65535, 0, NULL, 0, NULL, 0 };
	send_seg(&s);
	i = wait_frame();
	t = tcp_of(i, &dl);
	assert_true(t[13] & 0x04);
	close(lfd);
}

static void test_hostile_segments(void **state)
{
	static const uint8_t mss0[] = { 2, 4, 0, 0, 1, 3, 3, 255 }; /* MSS 0, ws 255 */
	static const uint8_t badlen[] = { 2, 0, 3, 40, 1, 1, 1, 1 }; /* option length lies */
	uint8_t big[3000];
	uint16_t lport;
	int lfd, c, n;
	uint32_t ours, g = 77;
	size_t dl, total = 0;
	char buf[64];
	struct seg s;

	(void)state;
	mkgw("");
	lfd = gwh_loopback_socket(SOCK_STREAM, &lport);

	/* data offset 15 words in a 20-byte segment: dropped, no answer */
	s = (struct seg){ 40010, lport, 1, 0, 0x02, 15, 65535, 0, NULL, 0, NULL, 0 };
	send_seg(&s);
	/* SYN+FIN, SYN+RST: dropped */
	s = (struct seg){ 40011, lport, 1, 0, 0x03, 0, 65535, 0, NULL, 0, NULL, 0 };
	send_seg(&s);
	s = (struct seg){ 40012, lport, 1, 0, 0x06, 0, 65535, 0, NULL, 0, NULL, 0 };
	send_seg(&s);
	/* an option whose length runs past the header: the SYN still works */
	gwh_spin(gwh.loop, 50);
	assert_int_equal(gwh.ncap, 0);

	c = handshake(lport, 40013, 10, badlen, sizeof(badlen), &ours, lfd);
	close(c);
	gwh_spin(gwh.loop, 50);

	/* MSS 0 and window scale 255: clamped to 536 and 14 */
	gwh.ncap = 0;
	c = handshake(lport, 40014, g - 1, mss0, sizeof(mss0), &ours, lfd);
	/* urgent pointer far beyond the data: the data is delivered inline */
	s = (struct seg){ 40014, lport, g, ours, 0x38, 0, 1, 60000, NULL, 0, "urgent", 6 };
	send_seg(&s);
	gwh_spin(gwh.loop, 50);
	assert_int_equal(recv(c, buf, sizeof(buf), MSG_DONTWAIT), 6);
	g += 6;
	/* window 1 << 14: our segments must respect MSS 536 */
	memset(big, 'x', sizeof(big));
	gwh.ncap = 0;
	assert_int_equal(send(c, big, sizeof(big), 0), (ssize_t)sizeof(big));
	gwh_spin(gwh.loop, 100);
	for (n = 0; n < (int)gwh.ncap; n++) {
		tcp_of(n, &dl);
		assert_true(dl <= 536);
		total += dl;
	}
	assert_int_equal(total, sizeof(big));
	close(c);
	close(lfd);
}

/* RFC 5961 (issue 14 item 7): another guest that knows a flow's 4-tuple
 * cannot reset it with a RST anywhere in the window, nor with a SYN. */
static void test_rfc5961_challenge_ack(void **state)
{
	const struct gw_tcp_stats *st;
	uint16_t lport;
	uint32_t ours, g = 5000;
	int lfd, c, i;
	const uint8_t *t;
	size_t dl;
	char buf[8];
	struct seg s;

	(void)state;
	mkgw("");
	st = gateway_tcp_stats(gwh.gw);
	lfd = gwh_loopback_socket(SOCK_STREAM, &lport);
	c = handshake(lport, 40020, g - 1, SYN_OPTS, sizeof(SYN_OPTS), &ours, lfd);

	/* In the window but not at rcv_nxt: a challenge ACK, flow kept. */
	gwh.ncap = 0;
	s = (struct seg){ 40020, lport, g + 100, 0, 0x04, 0, 0, 0, NULL, 0, NULL, 0 };
	send_seg(&s);
	i = wait_frame();
	t = tcp_of(i, &dl);
	assert_int_equal(t[13], 0x10);
	assert_int_equal(rd32be(t + 4), ours);
	assert_int_equal(rd32be(t + 8), g);
	assert_int_equal(st->challenge_acks, 1);
	assert_int_equal(st->rst_from_guest, 0);
	assert_int_equal(recv(c, buf, sizeof(buf), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);

	/* A SYN on the established flow: a challenge ACK too. */
	gwh.ncap = 0;
	s = (struct seg){ 40020, lport, 123456, 0, 0x02, 0, 65535, 0, SYN_OPTS, 8, NULL, 0 };
	send_seg(&s);
	i = wait_frame();
	t = tcp_of(i, &dl);
	assert_int_equal(t[13], 0x10);
	assert_int_equal(rd32be(t + 8), g);
	assert_int_equal(st->challenge_acks, 2);

	/* Out of the window: ignored. */
	gwh.ncap = 0;
	s = (struct seg){ 40020, lport, g + 0x40000000, 0, 0x04, 0, 0, 0, NULL, 0, NULL, 0 };
	send_seg(&s);
	gwh_spin(gwh.loop, 50);
	assert_int_equal(gwh.ncap, 0);
	assert_int_equal(st->challenge_acks, 2);

	/* The flow still carries data. */
	s = (struct seg){ 40020, lport, g, ours, 0x18, 0, 65535, 0, NULL, 0, "live", 4 };
	send_seg(&s);
	gwh_spin(gwh.loop, 50);
	assert_int_equal(recv(c, buf, sizeof(buf), MSG_DONTWAIT), 4);
	g += 4;

	/* Exactly at rcv_nxt: the flow is reset. */
	s = (struct seg){ 40020, lport, g, 0, 0x04, 0, 0, 0, NULL, 0, NULL, 0 };
	send_seg(&s);
	gwh_spin(gwh.loop, 50);
	assert_int_equal(st->rst_from_guest, 1);
	assert_true(recv(c, buf, sizeof(buf), 0) <= 0);
	close(c);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_handshake_data_fin, gwh_teardown),
		cmocka_unit_test_teardown(test_rfc5961_challenge_ack, gwh_teardown),
		cmocka_unit_test_teardown(test_waits_for_port_room, gwh_teardown),
		cmocka_unit_test_teardown(test_room_wait_tick, gwh_teardown),
		cmocka_unit_test_teardown(test_clock_skew_not_idle, gwh_teardown),
		cmocka_unit_test_teardown(test_refused_and_no_flow, gwh_teardown),
		cmocka_unit_test_teardown(test_hostile_segments, gwh_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
