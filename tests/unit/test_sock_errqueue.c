/* SPDX-License-Identifier: MIT
 *
 * test_sock_errqueue.c - the error-queue reader the UDP and ICMP NAT
 * share, against the kernel on 127.0.0.1: a datagram to a closed port
 * comes back as ICMP port unreachable with its destination and payload;
 * a socket without IP_RECVERR, or with nothing queued, yields nothing.
 * The same over ::1 with IPV6_RECVERR gives ICMPv6 port unreachable. A
 * datagram over the path MTU with IPV6_DONTFRAG queues a local EMSGSIZE,
 * read as packet too big with the MTU; ICMP errors name their sender.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gateway/nat/sock_errqueue.h"

/* A loopback port nothing listens on (bound, then closed). */
static struct sockaddr_in closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	close(fd);
	return a;
}

static int sock(bool recverr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	if (recverr)
		sock_errqueue_enable(fd);
	return fd;
}

/* Send "knock" to dst until the kernel's ICMP answer shows up as POLLERR.
 * More than one try: ICMP errors are rate limited host-wide, so a busy
 * machine may swallow one. */
static bool knock(int fd, const struct sockaddr_in *dst)
{
	for (int tries = 0; tries < 20; tries++) {
		struct pollfd p = { .fd = fd, .events = 0 };

		assert_int_equal(sendto(fd, "knock", 5, 0, (const struct sockaddr *)dst,
					sizeof(*dst)), 5);
		if (poll(&p, 1, 250) == 1 && (p.revents & POLLERR))
			return true;
	}
	return false;
}

static void test_port_unreachable(void **state)
{
	struct sockaddr_in dst = closed_port();
	struct sock_icmp_err e;
	uint8_t buf[64];
	int fd = sock(true), r;

	assert_true(knock(fd, &dst));
	memset(&e, 0xaa, sizeof(e));
	assert_int_equal(sock_errqueue_read(fd, buf, sizeof(buf), &e), 1);
	assert_int_equal(e.type, 3);
	assert_int_equal(e.code, 3);
	assert_int_equal(e.to.sa4.sin_family, AF_INET);
	assert_int_equal(e.to.sa4.sin_addr.s_addr, dst.sin_addr.s_addr);
	assert_int_equal(e.to.sa4.sin_port, dst.sin_port);
	assert_int_equal(e.len, 5);
	assert_memory_equal(buf, "knock", 5);
	/* One message per error (a retried knock may have queued more), then
	 * an empty queue. */
	for (int n = 0; (r = sock_errqueue_read(fd, buf, sizeof(buf), &e)) == 1; n++) {
		assert_true(n < 20);
		assert_int_equal(e.to.sa4.sin_port, dst.sin_port);
	}
	assert_int_equal(r, -1);
	close(fd);
}

/* A buffer smaller than the payload gets what fits, and says so. */
static void test_short_buffer(void **state)
{
	struct sockaddr_in dst = closed_port();
	struct sock_icmp_err e;
	uint8_t buf[3];
	int fd = sock(true);

	assert_true(knock(fd, &dst));
	assert_int_equal(sock_errqueue_read(fd, buf, sizeof(buf), &e), 1);
	assert_int_equal(e.len, 3);
	assert_memory_equal(buf, "kno", 3);
	close(fd);
}

static void test_nothing_queued(void **state)
{
	struct sockaddr_in dst = closed_port();
	struct sock_icmp_err e;
	uint8_t buf[64];
	int with = sock(true), without = sock(false);

	assert_int_equal(sock_errqueue_read(with, buf, sizeof(buf), &e), -1);
	/* Without IP_RECVERR an unconnected socket is told nothing: the
	 * same datagram that queues an error above queues none here. */
	assert_int_equal(sendto(without, "knock", 5, 0, (struct sockaddr *)&dst, sizeof(dst)), 5);
	assert_true(knock(with, &dst));
	assert_int_equal(sock_errqueue_read(without, buf, sizeof(buf), &e), -1);
	close(with);
	close(without);
}

/* IPv6: destination unreachable (1), port unreachable (4), from ::1. */
static void test_port_unreachable6(void **state)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t al = sizeof(a);
	struct sock_icmp_err e;
	uint8_t buf[64];
	int fd = socket(AF_INET6, SOCK_DGRAM, 0), r = -1;

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		if (fd >= 0)
			close(fd);
		skip(); /* no IPv6 on this host */
	}
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	close(fd);
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	sock_errqueue_enable6(fd);
	for (int tries = 0; tries < 20 && r != 1; tries++) {
		struct pollfd p = { .fd = fd, .events = 0 };

		assert_int_equal(sendto(fd, "knock", 5, 0, (struct sockaddr *)&a, sizeof(a)), 5);
		if (poll(&p, 1, 250) == 1 && (p.revents & POLLERR))
			r = sock_errqueue_read(fd, buf, sizeof(buf), &e);
	}
	assert_int_equal(r, 1);
	assert_true(e.v6);
	assert_int_equal(e.type, 1);
	assert_int_equal(e.code, 4);
	assert_int_equal(e.to.sa6.sin6_family, AF_INET6);
	assert_memory_equal(&e.to.sa6.sin6_addr, &a.sin6_addr, 16);
	assert_int_equal(e.to.sa6.sin6_port, a.sin6_port);
	assert_int_equal(e.len, 5);
	assert_memory_equal(buf, "knock", 5);
	close(fd);
}

/* A datagram over the socket's MTU with fragmentation off fails with
 * EMSGSIZE and queues a local error: read back as packet too big with
 * the MTU, local, no payload, no offender. The ICMP ones name theirs. */
static void test_local_too_big6(void **state)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT,
				  .sin6_port = htons(9) };
	static uint8_t big[1400];
	struct sock_icmp_err e;
	uint8_t buf[64];
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0), mtu = 1280, one = 1;

	(void)state;
	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, sizeof(mtu))) {
		if (fd >= 0)
			close(fd);
		skip(); /* no IPv6 on this host */
	}
	assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, &one, sizeof(one)), 0);
	sock_errqueue_enable6(fd);
	assert_int_equal(sendto(fd, big, sizeof(big), 0, (struct sockaddr *)&a, sizeof(a)), -1);
	assert_int_equal(errno, EMSGSIZE);
	memset(&e, 0xaa, sizeof(e));
	assert_int_equal(sock_errqueue_read(fd, buf, sizeof(buf), &e), 1);
	assert_true(e.v6);
	assert_true(e.local);
	assert_false(e.has_offender);
	assert_int_equal(e.type, 2);
	assert_int_equal(e.code, 0);
	assert_int_equal(e.info, 1280);
	assert_int_equal(e.len, 0);
	assert_memory_equal(&e.to.sa6.sin6_addr, &a.sin6_addr, 16);
	assert_int_equal(e.to.sa6.sin6_port, a.sin6_port);
	assert_int_equal(sock_errqueue_read(fd, buf, sizeof(buf), &e), -1);
	close(fd);
}

/* The kernel's own port unreachable names ::1 / 127.0.0.1 as offender. */
static void test_offender(void **state)
{
	struct sockaddr_in dst = closed_port();
	struct sock_icmp_err e;
	uint8_t buf[64];
	int fd = sock(true);

	(void)state;
	assert_true(knock(fd, &dst));
	assert_int_equal(sock_errqueue_read(fd, buf, sizeof(buf), &e), 1);
	assert_false(e.local);
	assert_true(e.has_offender);
	assert_int_equal(e.offender.sa4.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_unreachable),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_nothing_queued),
		cmocka_unit_test(test_port_unreachable6),
		cmocka_unit_test(test_local_too_big6),
		cmocka_unit_test(test_offender),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
