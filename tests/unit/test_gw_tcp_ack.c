/* SPDX-License-Identifier: MIT
 *
 * test_gw_tcp_ack.c - delayed ACKs and the flow's release path, frame by
 * frame: the engine (gw_tcp_new with a capturing port and a real loop on
 * a test clock that only moves when told) against a listener on
 * 127.0.0.1. A small guest segment is not ACKed on its own: the host's
 * reply carries the ACK in one frame; with no reply the ACK goes once the
 * clock passes delayed-ack-ms; a full-sized segment is ACKed at once, and
 * every segment with delayed-ack-ms=0; a guest FIN waits for the host's
 * FIN to carry its ACK. Many short connections, either side closing
 * first, through max-tcp-flows=2: each flow is released as its last ACK
 * arrives, so none is ever refused. No assertion on elapsed time: the
 * delayed-ACK timer fires only when the test moves the clock.
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

static uint64_t fake_ms = 1000000;

static uint64_t fake_clock(void)
{
	return fake_ms;
}

/* Spin the loop (real waits of at most 10 ms each, the test clock still)
 * until n frames were captured or 300 rounds passed. */
static void spin_until(unsigned n)
{
	for (int i = 0; i < 300 && ncap < n; i++)
		ev_loop_once(loop, 10);
	for (int i = 0; i < 3; i++)
		ev_loop_once(loop, 10); /* and nothing more comes */
}

static void mk_clocked(const char *opts)
{
	mk(opts);
	ev_loop_set_clock(loop, fake_clock);
}

static void test_ack_rides_on_reply(void **state)
{
	static uint8_t reply[200];
	uint16_t lp;
	uint32_t ours, g = 7000;
	int lfd, c;
	bool sack;
	const uint8_t *t;
	size_t dl;

	(void)state;
	mk_clocked("");
	lfd = gwh_loopback_socket(SOCK_STREAM, &lp);
	c = handshake(lfd, lp, 42001, g - 1, SYN_SACK, sizeof(SYN_SACK), &ours, &sack);
	/* A request: nothing goes back until the reply does. */
	gdata(42001, lp, g, 0, 100, ours);
	gwh_spin(loop, 30);
	assert_int_equal(ncap, 0);
	expect_stream(c, 0, 100);
	fill(reply, 0, sizeof(reply));
	assert_int_equal(send(c, reply, sizeof(reply), 0), (ssize_t)sizeof(reply));
	spin_until(1);
	assert_int_equal(ncap, 1); /* one frame: the reply, carrying the ACK */
	t = tcp_of(0, &dl);
	assert_int_equal(dl, sizeof(reply));
	assert_true(t[13] & 0x10);
	assert_int_equal(rd32be(t + 4), ours);
	assert_int_equal(rd32be(t + 8), g + 100);
	ours += sizeof(reply);
	/* The guest's ACK of the reply asks for nothing. */
	ncap = 0;
	seg(42001, lp, g + 100, ours, 0x10, 65535, NULL, 0, NULL, 0);
	gwh_spin(loop, 30);
	assert_int_equal(ncap, 0);
	/* No reply: the ACK goes once the deadline passed (1 ms, and one
	 * for the clock's granularity), and not before. */
	gdata(42001, lp, g, 100, 50, ours);
	gwh_spin(loop, 30);
	assert_int_equal(ncap, 0);
	fake_ms += 1;
	gwh_spin(loop, 30);
	assert_int_equal(ncap, 0);
	fake_ms += 1;
	spin_until(1);
	assert_int_equal(ncap, 1);
	t = tcp_of(0, &dl);
	assert_int_equal(dl, 0);
	assert_int_equal(rd32be(t + 8), g + 150);
	expect_stream(c, 100, 50);
	/* A full-sized segment (MSS 1460) is ACKed at once. */
	ncap = 0;
	gdata(42001, lp, g, 150, 1460, ours);
	spin_until(1);
	assert_int_equal(ncap, 1);
	t = tcp_of(0, &dl);
	assert_int_equal(dl, 0);
	assert_int_equal(rd32be(t + 8), g + 1610);
	expect_stream(c, 150, 1460);
	/* The guest closes first: its FIN's ACK waits for the host's FIN,
	 * which carries it; the guest's ACK of that releases the flow. */
	ncap = 0;
	seg(42001, lp, g + 1610, ours, 0x11, 65535, NULL, 0, NULL, 0);
	gwh_spin(loop, 30);
	assert_int_equal(ncap, 0);
	close(c);
	spin_until(1);
	assert_int_equal(ncap, 1);
	t = tcp_of(0, &dl);
	assert_int_equal(t[13] & 0x11, 0x11);
	assert_int_equal(rd32be(t + 4), ours);
	assert_int_equal(rd32be(t + 8), g + 1611);
	assert_int_equal(gw_tcp_count(tcp), 1);
	seg(42001, lp, g + 1611, ours + 1, 0x10, 65535, NULL, 0, NULL, 0);
	gwh_spin(loop, 30);
	assert_int_equal(gw_tcp_count(tcp), 0);
	close(lfd);
}

static void test_delayed_ack_off(void **state)
{
	uint16_t lp;
	uint32_t ours, g = 8000;
	int lfd, c;
	bool sack;
	const uint8_t *t;
	size_t dl;

	(void)state;
	mk_clocked("delayed-ack-ms=0");
	lfd = gwh_loopback_socket(SOCK_STREAM, &lp);
	c = handshake(lfd, lp, 42002, g - 1, SYN_SACK, sizeof(SYN_SACK), &ours, &sack);
	gdata(42002, lp, g, 0, 100, ours);
	spin_until(1);
	assert_int_equal(ncap, 1);
	t = tcp_of(0, &dl);
	assert_int_equal(dl, 0);
	assert_int_equal(rd32be(t + 8), g + 100);
	expect_stream(c, 0, 100);
	close(c);
	close(lfd);
}

/* Like spin_until, but until a captured frame carries a FIN: the host's
 * FIN goes in the reply's frame or in one of its own, and waiting for two
 * frames when one came cost the full three seconds per connection. */
static void spin_until_fin(void)
{
	const uint8_t *t;
	size_t dl;
	bool fin = false;

	for (int i = 0; i < 300 && !fin; i++) {
		ev_loop_once(loop, 10);
		for (unsigned k = 0; k < ncap && !fin; k++) {
			t = tcp_of(k, &dl);
			fin = t[13] & 0x01;
		}
	}
	for (int i = 0; i < 3; i++)
		ev_loop_once(loop, 10);
}

/* One short connection, request and reply; host_first: the host closes
 * first (an HTTP server without keep-alive), else the guest does. Ends
 * with the guest's last ACK; the flow must be gone by then. */
static void short_conn(int lfd, uint16_t lp, uint16_t gp, uint32_t g, bool host_first)
{
	static uint8_t reply[300];
	uint32_t ours, fin_ack = 0;
	bool sack, host_fin = false;
	const uint8_t *t;
	size_t dl;
	int c;

	c = handshake(lfd, lp, gp, g - 1, SYN_SACK, sizeof(SYN_SACK), &ours, &sack);
	gdata(gp, lp, g, 0, 60, ours);
	gwh_spin(loop, 20);
	expect_stream(c, 0, 60);
	fill(reply, 0, sizeof(reply));
	assert_int_equal(send(c, reply, sizeof(reply), 0), (ssize_t)sizeof(reply));
	if (host_first) {
		close(c);
		spin_until_fin(); /* the FIN may ride on the reply: one frame or two */
	} else {
		spin_until(1);
	}
	for (unsigned i = 0; i < ncap; i++) {
		t = tcp_of(i, &dl);
		assert_int_equal(rd32be(t + 8), g + 60); /* the request's ACK rode along */
		if (t[13] & 0x01) {
			host_fin = true;
			fin_ack = rd32be(t + 4) + (uint32_t)dl + 1;
		}
	}
	assert_true(host_fin == host_first);
	ours += sizeof(reply);
	ncap = 0;
	/* The guest's FIN (and ACK of all it got). */
	seg(gp, lp, g + 60, host_first ? fin_ack : ours, 0x11, 65535, NULL, 0, NULL, 0);
	if (!host_first) {
		gwh_spin(loop, 20);
		close(c);
	}
	spin_until(1);
	assert_int_equal(ncap, 1);
	t = tcp_of(0, &dl);
	assert_int_equal(rd32be(t + 8), g + 61);
	if (!host_first) {
		assert_true(t[13] & 0x01); /* our FIN carried the ACK of the guest's */
		fin_ack = rd32be(t + 4) + 1;
	}
	seg(gp, lp, g + 61, fin_ack, 0x10, 65535, NULL, 0, NULL, 0);
	gwh_spin(loop, 10);
	assert_int_equal(gw_tcp_count(tcp), 0);
}

static void test_short_connections_release(void **state)
{
	uint16_t lp;
	int lfd;

	(void)state;
	mk_clocked("max-tcp-flows=2");
	lfd = gwh_loopback_socket(SOCK_STREAM, &lp);
	for (unsigned i = 0; i < 40; i++)
		short_conn(lfd, lp, (uint16_t)(43000 + i), 10000 + 1000 * i, i & 1);
	assert_int_equal(gw_tcp_stats(tcp)->table_full, 0);
	assert_int_equal(gw_tcp_stats(tcp)->closed, 40);
	assert_int_equal(gw_tcp_count(tcp), 0);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_ack_rides_on_reply, teardown),
		cmocka_unit_test_teardown(test_delayed_ack_off, teardown),
		cmocka_unit_test_teardown(test_short_connections_release, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
