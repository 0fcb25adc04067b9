/* SPDX-License-Identifier: MIT
 *
 * gw_harness.c - the gateway under test; see gw_harness.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/keyval.h"
#include "core/frame.h"
#include "core/loop.h"
#include "core/port.h"
#include "helpers/gw_harness.h"

struct gw_harness gwh = { .peer = -1 };

static void gwh_sink(void *s, struct port *from, const uint8_t *f, size_t len)
{
	(void)s;
	(void)from;
	assert_true(len <= GWH_FRAME_MAX);
	if (gwh.ncap == GWH_CAP) {
		gwh.lost++;
		return;
	}
	memcpy(gwh.cap[gwh.ncap], f, len);
	gwh.cap_len[gwh.ncap++] = len;
	if (gwh.room_limited)
		gwh.room = gwh.room > len + PORT_TX_OVERHEAD ? gwh.room - len - PORT_TX_OVERHEAD : 0;
}

static size_t gwh_room(void *s, struct port *from, const uint8_t *dst)
{
	(void)s;
	(void)from;
	(void)dst;
	return gwh.room_limited ? gwh.room : SIZE_MAX;
}

static void gwh_wait(void *s, struct port *from, const uint8_t *dst)
{
	(void)s;
	(void)from;
	(void)dst;
	gwh.waits++;
}

static uint32_t gwh_station(void *s, struct port *from, const uint8_t *mac)
{
	(void)s;
	(void)from;
	(void)mac;
	return gwh.station;
}

static const struct port_sink_ops gwh_sink_ops = {
	.receive = gwh_sink, .room = gwh_room, .wait = gwh_wait, .station = gwh_station,
};

void gwh_writable(void)
{
	port_resume(gateway_port(gwh.gw));
}

void gwh_parse_cfg(struct gw_config *cfg, const char *opts)
{
	struct kvlist kv;
	char err[KV_ERR_MAX], text[1024];

	/* IPv4 tests count every frame the gateway sends: without ipv6= in
	 * opts the gateway is IPv4 only, so no router advertisement (sent
	 * on a timer) lands among them. */
	assert_true((size_t)snprintf(text, sizeof(text), "user%s%s%s", *opts ? "," : "", opts,
				     strstr(opts, "ipv6") ? "" : ",ipv6=off") < sizeof(text));
	assert_int_equal(kv_parse(&kv, "-netdev", text, "type", err, sizeof(err)), 0);
	assert_int_equal(gw_config_parse(cfg, &kv, "/nonexistent", err, sizeof(err)), 0);
	kv_free(&kv);
}

void gwh_start(const char *opts, bool with_loop)
{
	struct gw_config cfg;

	gwh_parse_cfg(&cfg, opts);
	gwh.loop = NULL;
	if (with_loop) {
		gwh.loop = ev_loop_new();
		assert_non_null(gwh.loop);
	}
	gwh.gw = gateway_new(&cfg, "gw", gwh.loop);
	assert_non_null(gwh.gw);
	port_set_sink(gateway_port(gwh.gw), &gwh_sink_ops, NULL);
	gwh.ncap = 0;
	gwh.lost = 0;
	gwh.room_limited = false;
	gwh.station = 0;
	gwh.room = 0;
	gwh.waits = 0;
}

int gwh_loopback_socket(int type, uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	if ((type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) == SOCK_STREAM)
		assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

void gwh_spin(struct ev_loop *loop, int ms)
{
	for (int i = 0; i < ms / 10; i++)
		ev_loop_once(loop, 10);
}

void gwh_peer_open(void)
{
	gwh.peer = gwh_loopback_socket(SOCK_DGRAM | SOCK_NONBLOCK, &gwh.peer_port);
}

int gwh_teardown(void **state)
{
	unsigned lost = gwh.lost;

	(void)state;
	if (gwh.gw)
		port_close(gateway_port(gwh.gw));
	gwh.gw = NULL;
	if (gwh.loop)
		ev_loop_free(gwh.loop);
	gwh.loop = NULL;
	if (gwh.peer >= 0)
		close(gwh.peer);
	gwh.peer = -1;
	gwh.lost = 0;
	assert_int_equal(lost, 0);
	return 0;
}

void gwh_send(const uint8_t *f, size_t len)
{
	port_send(gateway_port(gwh.gw), f, len);
	if (!gwh.loop)
		gateway_flush(gwh.gw);
}

void gwh_run_until(unsigned n)
{
	for (int i = 0; i < 200 && gwh.ncap < n; i++)
		ev_loop_once(gwh.loop, 10);
}

size_t gwh_eth(uint8_t *f, const uint8_t *dst_mac, const uint8_t *src_mac, uint16_t type)
{
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	wr16be(f + 12, type);
	return 14;
}

void gwh_ipv4(uint8_t *ip, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id,
	      uint16_t frag, size_t payload)
{
	memset(ip, 0, 20);
	ip[0] = 0x45;
	wr16be(ip + 2, (uint16_t)(20 + payload));
	wr16be(ip + 4, id);
	wr16be(ip + 6, frag);
	ip[8] = 64;
	ip[9] = proto;
	wr32be(ip + 12, src);
	wr32be(ip + 16, dst);
	wr16be(ip + 10, ref_csum(ip, 20, 0));
}

void gwh_udp(uint8_t *u, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
	     size_t dlen)
{
	wr16be(u, sport);
	wr16be(u + 2, dport);
	wr16be(u + 4, (uint16_t)(8 + dlen));
	wr16be(u + 6, 0);
	wr16be(u + 6, ref_l4(src, dst, 17, u, 8 + dlen));
}

const uint8_t *gwh_check_udp(unsigned i, const uint8_t *dmac, uint32_t src, uint16_t sport,
			     uint32_t dst, uint16_t dport, size_t *dlen)
{
	const uint8_t *f = gwh.cap[i], *ip = f + 14, *u = f + 34;
	size_t len = gwh.cap_len[i];

	assert_true(i < gwh.ncap);
	assert_true(len >= 42);
	assert_memory_equal(f, dmac, 6);
	assert_memory_equal(f + 6, GWMAC, 6);
	assert_int_equal(rd16be(f + 12), 0x0800);
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(rd16be(ip + 2), len - 14);
	assert_int_equal(ip[9], 17);
	assert_int_equal(ref_csum(ip, 20, 0), 0);
	assert_int_equal(rd32be(ip + 12), src);
	assert_int_equal(rd32be(ip + 16), dst);
	assert_int_equal(rd16be(u), sport);
	assert_int_equal(rd16be(u + 2), dport);
	assert_int_equal(rd16be(u + 4), len - 34);
	assert_int_not_equal(rd16be(u + 6), 0);
	assert_int_equal(ref_l4(src, dst, 17, u, len - 34), 0);
	*dlen = len - 42;
	return u + 8;
}
