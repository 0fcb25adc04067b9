/* SPDX-License-Identifier: MIT
 *
 * test_gw_offload_intake.c - the gateway port taking frames with offload
 * metadata whole (transmit_offload), driven with a real event loop against
 * real sockets on 127.0.0.1: a CHECKSUM_PARTIAL segment (garbage in its
 * checksum field) is taken while a plain one with a bad checksum is still
 * refused, a TSO superframe reaches the host socket byte for byte and is
 * acknowledged as one segment (FIN on the superframe ends the stream after
 * all of its data), UDP with a partial checksum goes through the NAT, and
 * hostile metadata (checksum offsets pointing elsewhere or outside the
 * frame, gso_size 0, IPv4 total lengths that lie, GSO types we never
 * advertised, SYN in a superframe) is dropped and counted without harm to
 * the flow. Self-contained: its own reference checksum and frame builder.
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
#include "core/offload.h"
#include "core/port.h"
#include "gateway/gateway.h"
#include "helpers/gw_harness.h"

#define A4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define GUEST A4(10, 0, 2, 15)
#define HOST A4(10, 0, 2, 2)

static const uint8_t gw_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const uint8_t vm_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

#define CAP 256
static uint8_t cap[CAP][2048];
static size_t cap_len[CAP];
static unsigned ncap;
static struct gateway *gw;
static struct ev_loop *loop;
static uint8_t frame[70000];

/* Byte-at-a-time RFC 1071, independent of the code under test. */
static uint16_t ref_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i < len; i++)
		sum += i & 1 ? p[i] : (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t pseudo(uint32_t s, uint32_t d, uint8_t proto, size_t len)
{
	return (s >> 16) + (s & 0xffff) + (d >> 16) + (d & 0xffff) + proto + (uint32_t)len;
}

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

static void mkgw(void)
{
	struct gw_config cfg;
	struct kvlist kv;
	char err[KV_ERR_MAX];

	/* IPv4 only: no router advertisement among the frames counted */
	assert_int_equal(kv_parse(&kv, "-netdev", "user,ipv6=off", "type", err, sizeof(err)), 0);
	assert_int_equal(gw_config_parse(&cfg, &kv, "/nonexistent", err, sizeof(err)), 0);
	kv_free(&kv);
	loop = ev_loop_new();
	gw = gateway_new(&cfg, "gw", loop);
	assert_non_null(gw);
	port_set_sink(gateway_port(gw), &sink_ops, NULL);
	ncap = 0;
}

static int teardown(void **state)
{
	(void)state;
	if (gw)
		port_close(gateway_port(gw));
	gw = NULL;
	if (loop)
		ev_loop_free(loop);
	loop = NULL;
	return 0;
}

/* Ethernet + IPv4 (correct header checksum, total length tot or, if 0,
 * the real one) around l4len bytes already at frame + 34. */
static size_t ip_wrap(uint8_t proto, size_t l4len, size_t tot)
{
	uint8_t *ip = frame + 14;

	memcpy(frame, gw_mac, 6);
	memcpy(frame + 6, vm_mac, 6);
	wr16be(frame + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	wr16be(ip + 2, (uint16_t)(tot ? tot : 20 + l4len));
	ip[8] = 64;
	ip[9] = proto;
	wr32be(ip + 12, GUEST);
	wr32be(ip + 16, HOST);
	wr16be(ip + 10, ref_sum(ip, 20, 0));
	return 34 + l4len;
}

enum csum_mode { CS_GOOD, CS_BAD, CS_PARTIAL_GARBAGE };

/* A TCP segment (no options) in frame; returns the frame length. */
static size_t tcp_frame(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
			uint8_t flags, const void *data, size_t len, enum csum_mode cs)
{
	uint8_t *t = frame + 34;
	size_t l4 = 20 + len, n;

	memset(t, 0, 20);
	wr16be(t, sport);
	wr16be(t + 2, dport);
	wr32be(t + 4, seq);
	wr32be(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = flags;
	wr16be(t + 14, 65535);
	if (len)
		memcpy(t + 20, data, len);
	n = ip_wrap(6, l4, 0);
	if (cs == CS_PARTIAL_GARBAGE)
		wr16be(t + 16, 0xdead);
	else
		wr16be(t + 16, (uint16_t)(ref_sum(t, l4, pseudo(GUEST, HOST, 6, l4)) ^
					  (cs == CS_BAD ? 0x0101 : 0)));
	return n;
}

static const struct frame_offload CSUM = {
	.flags = OFFLOAD_F_CSUM, .csum_start = 34, .csum_offset = 16,
};

static struct frame_offload tso(uint16_t gso_size)
{
	struct frame_offload m = {
		.flags = OFFLOAD_F_CSUM, .gso_type = OFFLOAD_GSO_TCPV4, .hdr_len = 54,
		.gso_size = gso_size, .csum_start = 34, .csum_offset = 16,
	};

	return m;
}

static void send_plain(size_t len)
{
	port_send(gateway_port(gw), frame, len);
}

static void send_meta(const struct frame_offload *m, size_t len)
{
	assert_true(port_takes_offload(gateway_port(gw), m));
	port_send_offload(gateway_port(gw), m, frame, len);
}

/* The TCP header of captured frame i, after checking it is ours, to the
 * guest, with a correct checksum. */
static const uint8_t *tcp_of(unsigned i, size_t *dlen)
{
	const uint8_t *f = cap[i], *ip = f + 14, *t = f + 34;
	size_t tot;

	assert_true(i < ncap);
	assert_memory_equal(f, vm_mac, 6);
	assert_int_equal(rd16be(f + 12), 0x0800);
	assert_int_equal(ip[9], 6);
	assert_int_equal(ref_sum(ip, 20, 0), 0);
	tot = rd16be(ip + 2);
	assert_true(tot + 14 == cap_len[i]);
	assert_int_equal(ref_sum(t, tot - 20, pseudo(HOST, GUEST, 6, tot - 20)), 0);
	*dlen = tot - 20 - (size_t)(t[12] >> 4) * 4;
	return t;
}

/* Every ACK the gateway sent since ncap was reset acknowledges exactly
 * want, and there is at least one: nothing in between was acknowledged. */
static void acked_exactly(uint32_t want)
{
	unsigned n = 0;
	size_t dl;

	for (unsigned i = 0; i < ncap; i++) {
		const uint8_t *t = tcp_of(i, &dl);

		if (!(t[13] & 0x10))
			continue;
		assert_int_equal(rd32be(t + 8), want);
		n++;
	}
	assert_true(n > 0);
}

/* Handshake from guest port gp; returns the accepted host socket, *ours
 * the next sequence number from the gateway. */
static int handshake(int lfd, uint16_t lport, uint16_t gp, uint32_t gseq, uint32_t *ours)
{
	size_t dl, n;
	const uint8_t *t;
	int c;

	ncap = 0;
	n = tcp_frame(gp, lport, gseq, 0, 0x02, NULL, 0, CS_GOOD);
	send_plain(n);
	for (int i = 0; i < 200 && !ncap; i++)
		ev_loop_once(loop, 10);
	assert_true(ncap > 0);
	t = tcp_of(0, &dl);
	assert_int_equal(t[13], 0x12);
	assert_int_equal(rd32be(t + 8), gseq + 1);
	*ours = rd32be(t + 4) + 1;
	c = accept(lfd, NULL, NULL);
	assert_true(c >= 0);
	n = tcp_frame(gp, lport, gseq + 1, *ours, 0x10, NULL, 0, CS_GOOD);
	send_plain(n);
	gwh_spin(loop, 30);
	return c;
}

/* Read exactly len bytes from c (the loop runs meanwhile), or fail. */
static void read_all(int c, uint8_t *buf, size_t len)
{
	size_t got = 0;

	for (int i = 0; i < 300 && got < len; i++) {
		ssize_t r = recv(c, buf + got, len - got, MSG_DONTWAIT);

		if (r > 0)
			got += (size_t)r;
		else
			ev_loop_once(loop, 10);
	}
	assert_int_equal(got, len);
}

static void nothing_to_read(int c)
{
	char b[16];

	gwh_spin(loop, 30);
	assert_int_equal(recv(c, b, sizeof(b), MSG_DONTWAIT), -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
}

static void test_caps(void **state)
{
	struct frame_offload m = tso(1448);

	(void)state;
	mkgw();
	assert_true(port_takes_offload(gateway_port(gw), &CSUM));
	assert_true(port_takes_offload(gateway_port(gw), &m));
	m.flags |= OFFLOAD_F_ECN;
	assert_true(port_takes_offload(gateway_port(gw), &m));
	/* Not advertised: the fabric segments these in software. */
	m.gso_type = OFFLOAD_GSO_TCPV6;
	assert_false(port_takes_offload(gateway_port(gw), &m));
	m.gso_type = OFFLOAD_GSO_UDP_L4;
	m.flags = OFFLOAD_F_CSUM;
	assert_false(port_takes_offload(gateway_port(gw), &m));
}

static void test_csum_partial(void **state)
{
	uint16_t lport;
	uint32_t ours, g = 5000;
	uint8_t buf[64];
	int lfd, c;
	size_t n;

	(void)state;
	mkgw();
	lfd = gwh_loopback_socket(SOCK_STREAM, &lport);
	c = handshake(lfd, lport, 41000, g - 1, &ours);

	/* A plain frame with a bad checksum is still refused... */
	ncap = 0;
	n = tcp_frame(41000, lport, g, ours, 0x18, "plain", 5, CS_BAD);
	send_plain(n);
	nothing_to_read(c);

	/* ... and so is the same garbage without metadata saying why. */
	n = tcp_frame(41000, lport, g, ours, 0x18, "plain", 5, CS_PARTIAL_GARBAGE);
	send_plain(n);
	nothing_to_read(c);

	/* CHECKSUM_PARTIAL: the field is not a checksum yet, so not checked. */
	ncap = 0;
	n = tcp_frame(41000, lport, g, ours, 0x18, "partial", 7, CS_PARTIAL_GARBAGE);
	send_meta(&CSUM, n);
	read_all(c, buf, 7);
	assert_memory_equal(buf, "partial", 7);
	gwh_spin(loop, 30);
	acked_exactly(g + 7);
	g += 7;

	/* A good plain frame after it still works. */
	ncap = 0;
	n = tcp_frame(41000, lport, g, ours, 0x18, "plain", 5, CS_GOOD);
	send_plain(n);
	read_all(c, buf, 5);
	assert_memory_equal(buf, "plain", 5);
	gwh_spin(loop, 30);
	acked_exactly(g + 5);
	assert_int_equal(gateway_stats(gw)->offload_bad, 0);
	close(c);
	close(lfd);
}

static void test_tso_superframe(void **state)
{
	enum { N = 16000, M = 5000 };
	static uint8_t data[N + M], got[N + M];
	struct frame_offload m = tso(1448);
	uint16_t lport;
	uint32_t ours, g = 70000;
	int lfd, c;
	size_t n;
	char b;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + (i >> 8));
	mkgw();
	lfd = gwh_loopback_socket(SOCK_STREAM, &lport);
	c = handshake(lfd, lport, 41001, g - 1, &ours);

	/* 12 segments' worth in one frame: every byte arrives, one ACK
	 * value for all of it, none for a segment in between. */
	ncap = 0;
	n = tcp_frame(41001, lport, g, ours, 0x10, data, N, CS_PARTIAL_GARBAGE);
	send_meta(&m, n);
	read_all(c, got, N);
	assert_memory_equal(got, data, N);
	gwh_spin(loop, 50);
	acked_exactly(g + N);
	g += N;

	/* FIN|PSH on a superframe belong to its last segment: all the data,
	 * then EOF, and the FIN acknowledged after the data. */
	ncap = 0;
	n = tcp_frame(41001, lport, g, ours, 0x19, data + N, M, CS_PARTIAL_GARBAGE);
	send_meta(&m, n);
	read_all(c, got + N, M);
	assert_memory_equal(got + N, data + N, M);
	for (int i = 0; i < 100 && recv(c, &b, 1, MSG_DONTWAIT) != 0; i++)
		ev_loop_once(loop, 10);
	assert_int_equal(recv(c, &b, 1, MSG_DONTWAIT), 0);
	gwh_spin(loop, 30);
	acked_exactly(g + M + 1);
	assert_int_equal(gateway_stats(gw)->offload_bad, 0);
	close(c);
	close(lfd);
}

static void test_udp_partial(void **state)
{
	uint16_t uport;
	uint8_t *u = frame + 34, buf[64];
	int fd = -1;
	size_t n;

	(void)state;
	mkgw();
	fd = gwh_loopback_socket(SOCK_DGRAM, &uport);

	/* A bad checksum without metadata: dropped. */
	wr16be(u, 42000);
	wr16be(u + 2, uport);
	wr16be(u + 4, 8 + 4);
	memcpy(u + 8, "bad!", 4);
	wr16be(u + 6, 0xbeef);
	n = ip_wrap(17, 12, 0);
	send_plain(n);
	gwh_spin(loop, 30);
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
	assert_int_equal(gateway_stats(gw)->udp_bad_csum, 1);

	/* The same field as a partial checksum: relayed. */
	memcpy(u + 8, "good", 4);
	n = ip_wrap(17, 12, 0);
	{
		struct frame_offload m = { .flags = OFFLOAD_F_CSUM, .csum_start = 34,
					   .csum_offset = 6 };

		send_meta(&m, n);
	}
	for (int i = 0; i < 100; i++) {
		ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (r >= 0) {
			assert_int_equal(r, 4);
			assert_memory_equal(buf, "good", 4);
			break;
		}
		assert_true(i < 99);
		ev_loop_once(loop, 10);
	}
	assert_int_equal(gateway_stats(gw)->udp_bad_csum, 1);
	assert_int_equal(gateway_stats(gw)->offload_bad, 0);
	close(fd);
}

static void test_hostile_metadata(void **state)
{
	static uint8_t data[8000];
	const struct gw_stats *st;
	struct frame_offload m;
	uint16_t lport;
	uint32_t ours, g = 900;
	uint64_t bad, badlen;
	uint8_t buf[16];
	int lfd, c;
	size_t n;

	(void)state;
	memset(data, 'x', sizeof(data));
	mkgw();
	st = gateway_stats(gw);
	lfd = gwh_loopback_socket(SOCK_STREAM, &lport);
	c = handshake(lfd, lport, 41002, g - 1, &ours);

	/* csum_start not at this segment's checksum: completed where it
	 * points, as the fabric would, then verified like a plain frame;
	 * the garbage field fails that. */
	n = tcp_frame(41002, lport, g, ours, 0x18, "elsewhere", 9, CS_PARTIAL_GARBAGE);
	m = CSUM;
	m.csum_start = 36;
	send_meta(&m, n);
	nothing_to_read(c);

	/* Checksum offsets outside the frame or in the Ethernet header. */
	bad = st->offload_bad;
	m = CSUM;
	m.csum_start = (uint16_t)(n - 1);
	send_meta(&m, n);
	m.csum_start = (uint16_t)n;
	send_meta(&m, n);
	m = CSUM;
	m.csum_start = 4;
	send_meta(&m, n);
	m = CSUM;
	m.csum_offset = 60000;
	send_meta(&m, n);
	assert_int_equal(st->offload_bad, bad + 4);
	nothing_to_read(c);

	/* Superframes: gso_size 0 or tiny, hdr_len past the frame, a
	 * checksum request that is not the TCP checksum, unknown flags. */
	n = tcp_frame(41002, lport, g, ours, 0x10, data, sizeof(data), CS_PARTIAL_GARBAGE);
	bad = st->offload_bad;
	m = tso(0);
	send_meta(&m, n);
	m = tso(8);
	send_meta(&m, n);
	m = tso(1448);
	m.hdr_len = 65535;
	send_meta(&m, n);
	m = tso(1448);
	m.csum_offset = 6;
	send_meta(&m, n);
	m = tso(1448);
	m.flags &= (uint8_t)~OFFLOAD_F_CSUM;
	send_meta(&m, n);
	m = tso(1448);
	m.flags |= 0x80;
	send_meta(&m, n);
	m = tso(65500); /* segments bigger than an IPv4 datagram */
	send_meta(&m, n);
	/* A GSO type we don't advertise, handed over regardless. */
	m = tso(1448);
	m.gso_type = OFFLOAD_GSO_TCPV6;
	assert_false(port_takes_offload(gateway_port(gw), &m)); /* straight to the op */
	gateway_port(gw)->ops->transmit_offload(gateway_port(gw), &m, frame, n);
	m.gso_type = 77;
	gateway_port(gw)->ops->transmit_offload(gateway_port(gw), &m, frame, n);
	assert_int_equal(st->offload_bad, bad + 9);
	nothing_to_read(c);

	/* IPv4 total length lies: shorter than the frame (no padding on a
	 * superframe), longer than the frame. */
	badlen = st->ip_bad_len;
	m = tso(1448);
	ip_wrap(6, 20 + sizeof(data), 20 + 20 + 1000);
	send_meta(&m, n);
	ip_wrap(6, 20 + sizeof(data), 20 + 20 + sizeof(data) + 1);
	send_meta(&m, n);
	/* A partial checksum whose datagram does not fill the frame is not
	 * taken as partial: completed over the frame, then checked. */
	ip_wrap(6, 20 + sizeof(data), 20 + 20 + 1000);
	send_meta(&CSUM, n);
	assert_int_equal(st->ip_bad_len, badlen + 2);
	nothing_to_read(c);

	/* SYN or RST never come as a superframe. */
	n = tcp_frame(41002, lport, g, ours, 0x12, data, sizeof(data), CS_PARTIAL_GARBAGE);
	send_meta(&m, n);
	n = tcp_frame(41002, lport, g, ours, 0x14, data, sizeof(data), CS_PARTIAL_GARBAGE);
	send_meta(&m, n);
	nothing_to_read(c);

	/* Metadata on an ARP frame: completed in software, then plain. */
	n = ip_wrap(6, 28, 0);
	wr16be(frame + 12, 0x0806);
	m = CSUM;
	m.csum_offset = 10;
	send_meta(&m, n);

	/* The flow never moved: the next good byte is still g. */
	ncap = 0;
	n = tcp_frame(41002, lport, g, ours, 0x18, "ok", 2, CS_PARTIAL_GARBAGE);
	send_meta(&CSUM, n);
	read_all(c, buf, 2);
	assert_memory_equal(buf, "ok", 2);
	gwh_spin(loop, 30);
	acked_exactly(g + 2);
	close(c);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_caps, teardown),
		cmocka_unit_test_teardown(test_csum_partial, teardown),
		cmocka_unit_test_teardown(test_tso_superframe, teardown),
		cmocka_unit_test_teardown(test_udp_partial, teardown),
		cmocka_unit_test_teardown(test_hostile_metadata, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
