/* SPDX-License-Identifier: MIT
 *
 * test_gw_tcp_space.c - the window the engine offers the guest is the host
 * socket's free send space, estimated between asks (tcp_space.c), frame by
 * frame against a listener on 127.0.0.1. Every window offered is at most
 * what the kernel counts free on the engine's socket at that moment (the
 * estimate may only err low). A ping-pong of small messages asks the
 * kernel a handful of times in 300 round trips, not once per reply. A
 * guest that sends right up to every window offered, to a host that does
 * not read, fills the socket without one byte refused (a window that
 * promised too much shows as an ACK short of what was sent); once the
 * host reads it all, EPOLLOUT brings a window update that offers the free
 * socket again, and the next segment is taken.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <linux/sock_diag.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gateway/tcp/tcp_flow.h"
#include "helpers/gw_harness.h"
#include "helpers/tcp_engine_harness.h"

/* MSS 1460, SACK-permitted, window scale 7 */
static const uint8_t SYN_WS[] = { 2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7 };

static struct tcp_flow *the_flow(void)
{
	for (unsigned i = 0; i < tcp->hwm; i++)
		if (tcp->flows[i].state == TS_ESTABLISHED)
			return &tcp->flows[i];
	fail_msg("no established flow");
	return NULL;
}

/* SO_SNDBUF less what the queued skbs cost: what the kernel calls free. */
static int64_t kernel_space(int fd)
{
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t ml = sizeof(mi);

	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &ml), 0);
	return (int64_t)mi[SK_MEMINFO_SNDBUF] - mi[SK_MEMINFO_WMEM_QUEUED];
}

/* Frame i's ACK number and window in bytes, the window checked against
 * the kernel's count now (the socket only drained since it was sent). */
static void ack_of(struct tcp_flow *f, unsigned i, uint32_t *ack, uint32_t *wnd)
{
	size_t dl;
	const uint8_t *t = tcp_of(i, &dl);
	int64_t free_now = kernel_space(f->w.fd);

	assert_true(t[13] & 0x10);
	*ack = rd32be(t + 8);
	*wnd = (uint32_t)rd16be(t + 14) << f->ows;
	if ((int64_t)*wnd > (free_now < 0 ? 0 : free_now))
		fail_msg("frame %u offers %u bytes, the socket has %lld free", i, *wnd,
			 (long long)free_now);
}

static void spin_for_frames(unsigned n)
{
	for (int i = 0; i < 300 && ncap < n; i++)
		ev_loop_once(loop, 10);
}

static void test_pingpong_asks_rarely(void **state)
{
	static uint8_t reply[200];
	uint16_t lp;
	uint32_t ours, g = 9000, ack, wnd;
	uint64_t asks0;
	struct tcp_flow *f;
	bool sack;
	int lfd, c;

	(void)state;
	mk("");
	lfd = gwh_loopback_socket(SOCK_STREAM, &lp);
	c = handshake(lfd, lp, 43001, g - 1, SYN_WS, sizeof(SYN_WS), &ours, &sack);
	f = the_flow();
	assert_true(f->flags & TF_WS);
	asks0 = gw_tcp_stats(tcp)->space_asks;
	for (uint32_t r = 0; r < 300; r++) {
		/* the request, acknowledging every reply so far */
		gdata(43001, lp, g, r * 100, 100, ours + r * (uint32_t)sizeof(reply));
		gwh_spin(loop, 1);
		expect_stream(c, r * 100, 100);
		fill(reply, r * (uint32_t)sizeof(reply), sizeof(reply));
		ncap = 0;
		assert_int_equal(send(c, reply, sizeof(reply), 0), (ssize_t)sizeof(reply));
		spin_for_frames(1);
		assert_true(ncap >= 1);
		for (unsigned i = 0; i < ncap; i++) {
			ack_of(f, i, &ack, &wnd);
			assert_int_equal(ack, g + (r + 1) * 100);
			assert_true(wnd >= 65536); /* an idle socket: plenty */
		}
	}
	/* Once per reply before tcp_space.c; a few refreshes now. */
	if (gw_tcp_stats(tcp)->space_asks - asks0 > 5)
		fail_msg("%llu asks of the kernel in 300 round trips",
			 (unsigned long long)(gw_tcp_stats(tcp)->space_asks - asks0));
	close(c);
	close(lfd);
}

/* Read n bytes of the stream from seq off fd, letting the engine run
 * meanwhile (the socket refills from the engine's as we read). */
static void drain_stream(int fd, uint32_t seq, size_t n)
{
	static uint8_t b[65536];
	size_t got = 0;

	for (int spins = 0; got < n && spins < 20000; spins++) {
		ssize_t r = recv(fd, b, sizeof(b), MSG_DONTWAIT);

		if (r <= 0) {
			ev_loop_once(loop, 1);
			continue;
		}
		for (ssize_t i = 0; i < r; i++)
			if (b[i] != pat(seq + (uint32_t)(got + (size_t)i)))
				fail_msg("byte %zu of the stream is wrong", got + (size_t)i);
		got += (size_t)r;
	}
	assert_int_equal(got, n);
}

static void test_guest_fills_offered_window(void **state)
{
	uint16_t lp;
	uint32_t ours, g = 5000, ack = 0, wnd = 0, sent = 0, room = 16384;
	struct tcp_flow *f;
	int lfd, c, rb = 16384;
	bool sack;

	(void)state;
	mk("");
	lfd = gwh_loopback_socket(SOCK_STREAM, &lp);
	/* The host reads nothing for now: a small receive buffer (the
	 * accepted socket inherits it) piles the data up in the engine's
	 * socket. */
	assert_int_equal(setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &rb, sizeof(rb)), 0);
	c = handshake(lfd, lp, 43002, g - 1, SYN_WS, sizeof(SYN_WS), &ours, &sack);
	f = the_flow();
	/* The first segment learns the window; then every segment fills the
	 * window the latest ACK offered, 16 KiB at a time (above the MSS:
	 * each is ACKed at once). */
	for (int i = 0; i < 4000 && room; i++) {
		uint32_t len = room > 16384 ? 16384 : room;

		ncap = 0;
		gdata(43002, lp, g, sent, len, ours);
		sent += len;
		spin_for_frames(1);
		assert_true(ncap >= 1);
		for (unsigned k = 0; k < ncap; k++) {
			ack_of(f, k, &ack, &wnd);
			if (ack != g + sent)
				fail_msg("segment %d: %u of %u bytes taken: the window promised "
					 "too much", i, ack - g, sent);
		}
		/* what the latest window leaves (none if its edge went back) */
		room = seq_lt(g + sent, ack + wnd) ? ack + wnd - (g + sent) : 0;
	}
	assert_int_equal(room, 0);
	assert_int_equal(gw_tcp_stats(tcp)->bytes_to_host, sent);
	/* The socket really filled: SO_SNDBUF on loopback is megabytes. */
	assert_true(sent > 1000000);
	/* The host reads it all: EPOLLOUT, and a window update offers the
	 * drained socket. */
	ncap = 0;
	drain_stream(c, 0, sent);
	gwh_spin(loop, 30);
	assert_true(ncap >= 1);
	ack_of(f, ncap - 1, &ack, &wnd);
	assert_int_equal(ack, g + sent);
	assert_true(wnd > sent / 2);
	ncap = 0;
	gdata(43002, lp, g, sent, 16384, ours);
	spin_for_frames(1);
	assert_true(ncap >= 1);
	ack_of(f, ncap - 1, &ack, &wnd);
	assert_int_equal(ack, g + sent + 16384);
	drain_stream(c, sent, 16384);
	close(c);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_pingpong_asks_rarely, teardown),
		cmocka_unit_test_teardown(test_guest_fills_offered_window, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
