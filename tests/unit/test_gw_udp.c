/* SPDX-License-Identifier: MIT
 *
 * test_gw_udp.c - the egress policy on its own, then crafted guest UDP
 * frames through the gateway port and a real event loop: datagrams reach
 * a local socket on 127.0.0.1 through the host address, answers come back
 * as checked frames, the flow table limit, idle expiry, MTU overflow and
 * the policy's denials are each counted.
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
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/keyval.h"
#include "core/frame.h"
#include "core/loop.h"
#include "core/port.h"
#include "gateway/gateway.h"
#include "gateway/nat/hostfwd.h"
#include "gateway/nat/policy.h"
#include "helpers/gw_harness.h"

#define HOST GWH_HOST
#define GUEST GWH_GUEST

static void mkgw(const char *opts)
{
	gwh_start(opts, true);
	gwh_peer_open();
}

static size_t mk_udp(uint8_t *f, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		     const void *data, size_t dlen)
{
	gwh_eth(f, GWMAC, VM1, 0x0800);
	gwh_ipv4(f + 14, src, dst, 17, 0, 0, 8 + dlen);
	memcpy(f + 42, data, dlen);
	gwh_udp(f + 34, src, sport, dst, dport, dlen);
	return 42 + dlen;
}

static void guest_send(uint32_t dst, uint16_t sport, uint16_t dport, const char *msg)
{
	static uint8_t f[2048];

	port_send(gateway_port(gwh.gw), f, mk_udp(f, GUEST, sport, dst, dport, msg, strlen(msg)));
}

/* What the local service received; returns its length, 0 if nothing. */
static size_t peer_recv(char *buf, size_t size, struct sockaddr_in *from)
{
	struct pollfd p = { .fd = gwh.peer, .events = POLLIN };
	socklen_t sl = sizeof(*from);
	ssize_t r;

	if (poll(&p, 1, 1000) != 1)
		return 0;
	r = recvfrom(gwh.peer, buf, size - 1, 0, (struct sockaddr *)from, &sl);
	assert_true(r >= 0);
	buf[r] = '\0';
	return (size_t)r;
}

/* ---- policy ---- */

static enum gw_verdict verdict(const char *opts, uint32_t dst, uint32_t *mapped)
{
	struct gw_config cfg;
	struct gw_policy p;
	union inany_addr guest = inany_from_ip4(dst), host;
	struct sockaddr_in sa;
	union sockaddr_inany si;
	enum gw_verdict v;

	gwh_parse_cfg(&cfg, opts);
	gw_policy_init(&p, &cfg);
	v = gw_policy_map_dest(&p, &guest, &host);
	if (v == GW_ALLOW) {
		/* The socket address the NAT would send to (inany.h). */
		assert_int_equal(inany_to_sockaddr(&si, &host, 53), sizeof(sa));
		sa = si.sa4;
		assert_int_equal(sa.sin_family, AF_INET);
		assert_int_equal(ntohs(sa.sin_port), 53);
		*mapped = ntohl(sa.sin_addr.s_addr);
	}
	return v;
}

static void test_policy_dest(void **state)
{
	uint32_t m = 0;

	assert_int_equal(verdict("", HOST, &m), GW_ALLOW);
	assert_int_equal(m, IP(127, 0, 0, 1));
	assert_int_equal(verdict("", IP(192, 0, 2, 9), &m), GW_ALLOW);
	assert_int_equal(m, IP(192, 0, 2, 9));
	assert_int_equal(verdict("host-loopback=off", HOST, &m), GW_DENY_LOOPBACK);
	assert_int_equal(verdict("host-loopback=off", IP(192, 0, 2, 9), &m), GW_ALLOW);
	assert_int_equal(verdict("restrict=on", HOST, &m), GW_DENY_RESTRICT);
	assert_int_equal(verdict("restrict=on", IP(192, 0, 2, 9), &m), GW_DENY_RESTRICT);
	assert_int_equal(verdict("", IP(255, 255, 255, 255), &m), GW_DENY_BCAST);
	assert_int_equal(verdict("", IP(10, 0, 2, 255), &m), GW_DENY_BCAST);
	assert_int_equal(verdict("", IP(224, 0, 0, 251), &m), GW_DENY_BCAST);
	assert_int_equal(verdict("", IP(240, 0, 0, 1), &m), GW_DENY_BCAST);
	assert_int_equal(verdict("", IP(0, 1, 2, 3), &m), GW_DENY_BCAST);
	assert_int_equal(verdict("", IP(10, 0, 2, 3), &m), GW_DENY_LOCAL);
	assert_int_equal(verdict("", IP(10, 0, 2, 16), &m), GW_DENY_LOCAL);
	assert_int_equal(verdict("", IP(127, 0, 0, 1), &m), GW_DENY_LOCAL);
	/* Allow list: only those; deny wins inside it. */
	assert_int_equal(verdict("egress-allow=192.0.2.0/24", IP(192, 0, 2, 9), &m), GW_ALLOW);
	assert_int_equal(verdict("egress-allow=192.0.2.0/24", IP(198, 51, 100, 1), &m),
			 GW_DENY_EGRESS);
	assert_int_equal(verdict("egress-allow=192.0.2.0/24", HOST, &m), GW_DENY_EGRESS);
	assert_int_equal(verdict("egress-allow=192.0.2.0/24,egress-deny=192.0.2.8/29",
				 IP(192, 0, 2, 9), &m), GW_DENY_EGRESS);
	assert_int_equal(verdict("egress-allow=192.0.2.0/24,egress-deny=192.0.2.8/29",
				 IP(192, 0, 2, 7), &m), GW_ALLOW);
	/* The lists see the host-side address: this closes host-loopback. */
	assert_int_equal(verdict("egress-deny=127.0.0.0/8", HOST, &m), GW_DENY_EGRESS);
	assert_int_equal(verdict("egress-deny=127.0.0.0/8", IP(192, 0, 2, 9), &m), GW_ALLOW);
}

/* The policy works on inany addresses; the NAT converts the socket's
 * sockaddr_in at the edge, as this does. */
static enum gw_verdict map_src(const struct gw_policy *p, const struct sockaddr_in *sa,
			       uint32_t *g)
{
	union inany_addr from, guest;
	enum gw_verdict v;

	assert_int_equal(inany_from_sockaddr(&from, NULL, (const struct sockaddr *)sa,
					     sizeof(*sa)), 0);
	v = gw_policy_map_src(p, &from, &guest);
	if (v == GW_ALLOW) {
		assert_true(inany_is_v4(&guest));
		*g = inany_ip4(&guest);
	}
	return v;
}

static void test_policy_src(void **state)
{
	struct gw_config cfg;
	struct gw_policy p;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(99) };
	uint32_t g = 0;

	gwh_parse_cfg(&cfg, "egress-deny=198.51.100.0/24");
	gw_policy_init(&p, &cfg);
	sa.sin_addr.s_addr = htonl(IP(127, 0, 0, 1));
	assert_int_equal(map_src(&p, &sa, &g), GW_ALLOW);
	assert_int_equal(g, HOST);
	sa.sin_addr.s_addr = htonl(IP(127, 0, 0, 2));
	assert_int_equal(map_src(&p, &sa, &g), GW_DENY_LOCAL);
	sa.sin_addr.s_addr = htonl(IP(10, 0, 2, 77));
	assert_int_equal(map_src(&p, &sa, &g), GW_DENY_LOCAL);
	sa.sin_addr.s_addr = htonl(IP(192, 0, 2, 1));
	assert_int_equal(map_src(&p, &sa, &g), GW_ALLOW);
	assert_int_equal(g, IP(192, 0, 2, 1));
	sa.sin_addr.s_addr = htonl(IP(198, 51, 100, 1));
	assert_int_equal(map_src(&p, &sa, &g), GW_DENY_EGRESS);
	cfg.host_loopback = false;
	sa.sin_addr.s_addr = htonl(IP(127, 0, 0, 1));
	assert_int_equal(map_src(&p, &sa, &g), GW_DENY_LOOPBACK);
}

/* IPv6 rules (policy6.c): ipv6=off refuses every IPv6 address both ways
 * (output left alone); with IPv6 on, a global address leaves as itself,
 * ipv6-host is the host's ::1, the LAN, link-local, multicast and the DNS
 * address stay home, restrict and egress CIDRs apply, ::1 is seen from
 * ipv6-host; a v4-mapped address spelled as IPv6 is simply the IPv4 one. */
static void test_policy_ipv6(void **state)
{
	struct gw_config cfg;
	struct gw_policy p;
	union inany_addr a, out = inany_from_ip4(IP(1, 2, 3, 4));

	gwh_parse_cfg(&cfg, "ipv6=off");
	gw_policy_init(&p, &cfg);
	assert_int_equal(inany_pton("2001:db8::1", &a), 0);
	assert_int_equal(gw_policy_map_dest(&p, &a, &out), GW_DENY_LOCAL);
	assert_int_equal(gw_policy_map_src(&p, &a, &out), GW_DENY_LOCAL);
	assert_true(inany_equals4(&out, IP(1, 2, 3, 4)));
	assert_int_equal(inany_pton("::ffff:192.0.2.9", &a), 0);
	assert_int_equal(gw_policy_map_dest(&p, &a, &out), GW_ALLOW);
	assert_true(inany_equals4(&out, IP(192, 0, 2, 9)));
	a = inany_from_ip4(HOST);
	assert_int_equal(gw_policy_map_dest(&p, &a, &out), GW_ALLOW);
	assert_true(inany_equals4(&out, IP(127, 0, 0, 1)));
	out = gw_policy_host_addr(&p, &a);
	assert_true(inany_equals4(&out, IP(127, 0, 0, 1)));

	gwh_parse_cfg(&cfg, "ipv6=on,egress-deny=[2001:db8:bad::]/48");
	gw_policy_init(&p, &cfg);
	assert_int_equal(inany_pton("2001:db8::1", &a), 0);
	assert_int_equal(gw_policy_map_dest(&p, &a, &out), GW_ALLOW);
	assert_true(inany_equals(&out, &a));
	assert_int_equal(gw_policy_map_src(&p, &a, &out), GW_ALLOW);
	assert_int_equal(inany_pton("2001:db8:bad::1", &a), 0);
	assert_int_equal(gw_policy_map_dest(&p, &a, &out), GW_DENY_EGRESS);
	assert_int_equal(inany_pton("fec0::2", &a), 0);
	assert_int_equal(gw_policy_map_dest(&p, &a, &out), GW_ALLOW);
	assert_true(inany_is_loopback(&out) && !inany_is_v4(&out));
	out = gw_policy_host_addr(&p, &a);
	assert_true(inany_is_loopback(&out));
	assert_int_equal(inany_pton("::1", &a), 0);
	assert_int_equal(gw_policy_map_src(&p, &a, &out), GW_ALLOW);
	assert_int_equal(inany_pton("fec0::2", &a), 0);
	assert_true(inany_equals(&out, &a));
	for (const char *const *s = (const char *const[]){ "fec0::3", "fec0::15", "fe80::1",
							    "::1", NULL }; *s; s++) {
		assert_int_equal(inany_pton(*s, &a), 0);
		assert_int_equal(gw_policy_map_dest(&p, &a, &out), GW_DENY_LOCAL);
	}
	assert_int_equal(inany_pton("ff02::1", &a), 0);
	assert_int_equal(gw_policy_map_dest(&p, &a, &out), GW_DENY_BCAST);
	gwh_parse_cfg(&cfg, "ipv6=on,restrict=on");
	gw_policy_init(&p, &cfg);
	assert_int_equal(inany_pton("2001:db8::1", &a), 0);
	assert_int_equal(gw_policy_map_dest(&p, &a, &out), GW_DENY_RESTRICT);
	gwh_parse_cfg(&cfg, "ipv6=on,host-loopback=off");
	gw_policy_init(&p, &cfg);
	gw_policy6_add_local(&p, &a);
	assert_int_equal(gw_policy_map_dest(&p, &a, &out), GW_DENY_LOOPBACK);
	assert_int_equal(inany_pton("fec0::2", &a), 0);
	assert_int_equal(gw_policy_map_dest(&p, &a, &out), GW_DENY_LOOPBACK);
}

/* How hostfwd peers look to the guest (UDP replies, TCP SYNs): loopback
 * of either family, unspecified and LAN addresses become the host
 * address; anything else, IPv6 included, stays itself (unless
 * hostfwd-source=host). */
static void test_hostfwd_guest_view(void **state)
{
	struct gw_config cfg;
	union inany_addr a, v;

	gwh_parse_cfg(&cfg, "");
	a = inany_from_ip4(IP(127, 0, 0, 1));
	v = gw_hostfwd_guest_view(&cfg, &a);
	assert_true(inany_equals4(&v, HOST));
	a = inany_from_ip4(IP(127, 1, 2, 3));
	v = gw_hostfwd_guest_view(&cfg, &a);
	assert_true(inany_equals4(&v, HOST));
	a = inany_from_ip4(IP(10, 0, 2, 99));
	v = gw_hostfwd_guest_view(&cfg, &a);
	assert_true(inany_equals4(&v, HOST));
	a = inany_from_ip4(0);
	v = gw_hostfwd_guest_view(&cfg, &a);
	assert_true(inany_equals4(&v, HOST));
	a = inany_from_ip4(IP(192, 0, 2, 7));
	v = gw_hostfwd_guest_view(&cfg, &a);
	assert_true(inany_equals4(&v, IP(192, 0, 2, 7)));
	assert_int_equal(inany_pton("::1", &a), 0);
	v = gw_hostfwd_guest_view(&cfg, &a);
	assert_true(inany_equals4(&v, HOST));
	assert_int_equal(inany_pton("2001:db8::7", &a), 0);
	v = gw_hostfwd_guest_view(&cfg, &a);
	assert_true(inany_equals(&v, &a));
	v = gw_hostfwd_guest_view6(&cfg, &a);
	assert_true(inany_equals(&v, &a));

	/* hostfwd-source=host: everyone is the host address, as in slirp. */
	gwh_parse_cfg(&cfg, "hostfwd-source=host");
	a = inany_from_ip4(IP(192, 0, 2, 7));
	v = gw_hostfwd_guest_view(&cfg, &a);
	assert_true(inany_equals4(&v, HOST));
	assert_int_equal(inany_pton("2001:db8::7", &a), 0);
	v = gw_hostfwd_guest_view(&cfg, &a);
	assert_true(inany_equals4(&v, HOST));
	v = gw_hostfwd_guest_view6(&cfg, &a);
	assert_memory_equal(&v.a6, &cfg.v6.host, 16);
	gwh_parse_cfg(&cfg, "hostfwd-source=client");
	v = gw_hostfwd_guest_view6(&cfg, &a);
	assert_true(inany_equals(&v, &a));
}

/* ---- UDP NAT ---- */

struct flows {
	unsigned n;
	struct gw_flow_info last;
};

static void count_flow(void *ctx, const struct gw_flow_info *fi)
{
	struct flows *f = ctx;

	f->n++;
	f->last = *fi;
}

static unsigned nflows(struct gw_flow_info *last)
{
	struct flows f = { 0 };

	gateway_walk_flows(gwh.gw, count_flow, &f);
	if (last)
		*last = f.last;
	return f.n;
}

static void test_udp_roundtrip(void **state)
{
	char buf[2048];
	struct sockaddr_in from;
	struct gw_flow_info fi;
	const uint8_t *d;
	size_t dlen;

	mkgw("");
	guest_send(HOST, 4000, gwh.peer_port, "ping-1");
	assert_int_equal(peer_recv(buf, sizeof(buf), &from), 6);
	assert_string_equal(buf, "ping-1");
	assert_int_equal(ntohl(from.sin_addr.s_addr), IP(127, 0, 0, 1));
	assert_int_equal(gateway_stats(gwh.gw)->udp_nat_out, 1);

	/* Same source: same host socket, so the service sees one peer. */
	guest_send(HOST, 4000, gwh.peer_port, "ping-2");
	struct sockaddr_in from2;
	assert_int_equal(peer_recv(buf, sizeof(buf), &from2), 6);
	assert_int_equal(from2.sin_port, from.sin_port);
	assert_int_equal(nflows(&fi), 1);
	assert_string_equal(fi.proto, "udp");
	assert_int_equal(inany_ip4(&fi.guest_addr), GUEST);
	assert_int_equal(fi.guest_port, 4000);
	assert_int_equal(inany_ip4(&fi.host_addr), IP(127, 0, 0, 1));
	assert_int_equal(fi.host_port, gwh.peer_port);
	assert_int_equal(fi.bytes_to_host, 12);

	/* Two answers: both come back from host:peer_port to the guest. */
	assert_int_equal(sendto(gwh.peer, "pong-1", 6, 0, (struct sockaddr *)&from, sizeof(from)), 6);
	assert_int_equal(sendto(gwh.peer, "pong-22", 7, 0, (struct sockaddr *)&from, sizeof(from)), 7);
	gwh_run_until(2);
	assert_int_equal(gwh.ncap, 2);
	d = gwh_check_udp(0, VM1, HOST, gwh.peer_port, GUEST, 4000, &dlen);
	assert_int_equal(dlen, 6);
	assert_memory_equal(d, "pong-1", 6);
	d = gwh_check_udp(1, VM1, HOST, gwh.peer_port, GUEST, 4000, &dlen);
	assert_int_equal(dlen, 7);
	assert_memory_equal(d, "pong-22", 7);
	assert_int_equal(gateway_stats(gwh.gw)->udp_nat_in, 2);
	nflows(&fi);
	assert_int_equal(fi.bytes_to_guest, 13);
}

static void test_udp_flow_limit_and_expiry(void **state)
{
	char buf[256];
	struct sockaddr_in from;

	mkgw("max-udp-flows=2");
	guest_send(HOST, 4000, gwh.peer_port, "a");
	guest_send(HOST, 4001, gwh.peer_port, "b");
	guest_send(HOST, 4002, gwh.peer_port, "c"); /* table full: dropped */
	assert_int_equal(peer_recv(buf, sizeof(buf), &from), 1);
	assert_int_equal(peer_recv(buf, sizeof(buf), &from), 1);
	struct pollfd p = { .fd = gwh.peer, .events = POLLIN };
	assert_int_equal(poll(&p, 1, 200), 0);
	assert_int_equal(gateway_stats(gwh.gw)->udp_flows_full, 1);
	assert_int_equal(nflows(NULL), 2);

	/* An existing flow still works while the table is full. */
	guest_send(HOST, 4001, gwh.peer_port, "b2");
	assert_int_equal(peer_recv(buf, sizeof(buf), &from), 2);

	gateway_nat_sweep(gwh.gw, ev_now_ms() + 1000); /* not idle long enough */
	assert_int_equal(nflows(NULL), 2);
	gateway_nat_sweep(gwh.gw, ev_now_ms() + 61000);
	assert_int_equal(nflows(NULL), 0);
	assert_int_equal(gateway_stats(gwh.gw)->udp_flows_expired, 2);
	guest_send(HOST, 4002, gwh.peer_port, "c");
	assert_int_equal(peer_recv(buf, sizeof(buf), &from), 1);
	assert_string_equal(buf, "c");
}

static void test_udp_too_big_for_mtu(void **state)
{
	static char big[20000];
	char buf[256];
	struct sockaddr_in from;

	mkgw("mtu=576");
	guest_send(HOST, 4000, gwh.peer_port, "x");
	assert_int_equal(peer_recv(buf, sizeof(buf), &from), 1);
	memset(big, 'z', sizeof(big));
	/* More than GW_TX_SLOTS fragments of 552 bytes: dropped, counted. */
	assert_int_equal(sendto(gwh.peer, big, sizeof(big), 0, (struct sockaddr *)&from, sizeof(from)),
			 (ssize_t)sizeof(big));
	/* 548 payload bytes fit a 576-byte MTU exactly. */
	assert_int_equal(sendto(gwh.peer, big, 548, 0, (struct sockaddr *)&from, sizeof(from)), 548);
	/* 1200 do not: three fragments (552 + 552 + 104 bytes of UDP). */
	assert_int_equal(sendto(gwh.peer, big, 1200, 0, (struct sockaddr *)&from, sizeof(from)), 1200);
	gwh_run_until(4);
	for (int i = 0; i < 20; i++)
		ev_loop_once(gwh.loop, 10);
	assert_int_equal(gwh.ncap, 4);
	assert_int_equal(gwh.cap_len[0], 14 + 576);
	assert_int_equal(rd16be(gwh.cap[1] + 14 + 6), 0x2000);
	assert_int_equal(gwh.cap_len[1], 14 + 20 + 552);
	assert_int_equal(rd16be(gwh.cap[3] + 14 + 6), 2 * 552 / 8);
	assert_int_equal(gwh.cap_len[3], 14 + 20 + 1208 - 2 * 552);
	assert_int_equal(gateway_stats(gwh.gw)->udp_too_big, 1);
	assert_int_equal(gateway_stats(gwh.gw)->ip_frag_out, 3);
}

static void test_udp_denied(void **state)
{
	struct pollfd p = { .fd = -1, .events = POLLIN };

	mkgw("host-loopback=off");
	p.fd = gwh.peer;
	guest_send(HOST, 4000, gwh.peer_port, "no");
	assert_int_equal(poll(&p, 1, 200), 0);
	assert_int_equal(gateway_stats(gwh.gw)->nat_denied, 1);
	guest_send(IP(10, 0, 2, 255), 4000, gwh.peer_port, "bcast");
	guest_send(IP(239, 1, 1, 1), 4000, gwh.peer_port, "mcast");
	assert_int_equal(gateway_stats(gwh.gw)->nat_denied, 1);
	assert_int_equal(gateway_stats(gwh.gw)->udp_unhandled, 2);
	assert_int_equal(nflows(NULL), 0);
	gwh_teardown(NULL);

	mkgw("restrict=on");
	p.fd = gwh.peer;
	guest_send(HOST, 4000, gwh.peer_port, "no");
	assert_int_equal(poll(&p, 1, 200), 0);
	assert_int_equal(gateway_stats(gwh.gw)->nat_denied, 1);
	assert_int_equal(nflows(NULL), 0);
}

/* A reply from a source the policy refuses never reaches the guest. */
static void test_udp_foreign_source_dropped(void **state)
{
	char buf[64];
	struct sockaddr_in from, other = { .sin_family = AF_INET };
	int s;

	mkgw("");
	guest_send(HOST, 4000, gwh.peer_port, "hi");
	assert_int_equal(peer_recv(buf, sizeof(buf), &from), 2);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	other.sin_addr.s_addr = htonl(IP(127, 0, 0, 2)); /* no guest-visible name */
	if (bind(s, (struct sockaddr *)&other, sizeof(other)) == 0) {
		assert_int_equal(sendto(s, "evil", 4, 0, (struct sockaddr *)&from, sizeof(from)), 4);
		for (int i = 0; i < 30 && !gateway_stats(gwh.gw)->udp_bad_peer; i++)
			ev_loop_once(gwh.loop, 10);
		assert_int_equal(gateway_stats(gwh.gw)->udp_bad_peer, 1);
		assert_int_equal(gwh.ncap, 0);
	}
	close(s);
}

/* The TTL a datagram reached the local service with (IP_RECVTTL), or -1. */
static int peer_recv_ttl(void)
{
	char buf[256], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct pollfd p = { .fd = gwh.peer, .events = POLLIN };
	struct cmsghdr *c;
	int ttl;

	for (int i = 0; i < 100 && !poll(&p, 1, 0); i++)
		ev_loop_once(gwh.loop, 20);
	if (recvmsg(gwh.peer, &m, MSG_DONTWAIT) < 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
			return ttl;
		}
	}
	return -1;
}

/* The gateway is one hop: the host socket sends with the guest's TTL
 * less one, following it when it changes (traceroute raises it). */
static void test_udp_ttl_follows_guest(void **state)
{
	static uint8_t f[2048];
	int one = 1;
	size_t len;

	mkgw("");
	assert_int_equal(setsockopt(gwh.peer, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)), 0);
	len = mk_udp(f, GUEST, 4000, HOST, gwh.peer_port, "ttl", 3);
	for (unsigned ttl = 2; ttl <= 255; ttl = ttl < 5 ? ttl + 1 : ttl * 2 + 1) {
		f[14 + 8] = (uint8_t)ttl;
		wr16be(f + 24, 0);
		wr16be(f + 24, ref_csum(f + 14, 20, 0));
		port_send(gateway_port(gwh.gw), f, len);
		assert_int_equal(peer_recv_ttl(), (int)ttl - 1);
	}
	assert_int_equal(nflows(NULL), 1);
}

/* Guest TFTP to the gateway: port unreachable from the gateway, never
 * the host's 127.0.0.1:69 (which the test listens on when it may). */
static void test_udp_tftp_port_closed(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(69) };
	struct pollfd p = { .fd = -1, .events = POLLIN };
	const uint8_t *ip, *icmp;
	int s;

	mkgw("");
	a.sin_addr.s_addr = htonl(IP(127, 0, 0, 1));
	s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) == 0)
		p.fd = s;
	guest_send(HOST, 4000, 69, "\0\1pxelinux.0\0octet\0");
	gwh_run_until(1);
	assert_int_equal(gwh.ncap, 1);
	ip = gwh.cap[0] + 14;
	icmp = ip + 20;
	assert_int_equal(ip[9], 1);
	assert_int_equal(rd32be(ip + 12), HOST);
	assert_int_equal(rd32be(ip + 16), GUEST);
	assert_int_equal(icmp[0], 3);
	assert_int_equal(icmp[1], 3);
	/* the quote: the guest's IP header, then its UDP ports */
	assert_int_equal(rd32be(icmp + 8 + 16), HOST);
	assert_int_equal(rd16be(icmp + 8 + 20), 4000);
	assert_int_equal(rd16be(icmp + 8 + 22), 69);
	assert_int_equal(gateway_stats(gwh.gw)->udp_nat_out, 0);
	assert_int_equal(nflows(NULL), 0);
	if (p.fd >= 0)
		assert_int_equal(poll(&p, 1, 100), 0);
	close(s);

	/* Other ports of the gateway address still reach the host. */
	guest_send(HOST, 4000, gwh.peer_port, "still");
	assert_int_equal(gateway_stats(gwh.gw)->udp_nat_out, 1);
}

/* RFC 4787 filtering (issue 14 item 7): with the default udp-filter=
 * address-port a second host socket on the same address, which the guest
 * never sent to, gets nothing through the flow's port; udp-filter=address
 * lets it through, udp-filter=endpoint too; the guest's own peer always. */
static void udp_filter_case(const char *opts, bool other_passes)
{
	struct sockaddr_in from, o = { .sin_family = AF_INET };
	socklen_t ol = sizeof(o);
	char buf[64];
	int s;

	mkgw(opts);
	guest_send(HOST, 4000, gwh.peer_port, "hi");
	assert_int_equal(peer_recv(buf, sizeof(buf), &from), 2);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	o.sin_addr.s_addr = htonl(IP(127, 0, 0, 1));
	assert_int_equal(bind(s, (struct sockaddr *)&o, sizeof(o)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&o, &ol), 0);
	assert_int_equal(sendto(s, "other", 5, 0, (struct sockaddr *)&from, sizeof(from)), 5);
	assert_int_equal(sendto(gwh.peer, "peer", 4, 0, (struct sockaddr *)&from, sizeof(from)), 4);
	gwh_run_until(other_passes ? 2 : 1);
	gwh_spin(gwh.loop, 30);
	if (other_passes) {
		assert_int_equal(gwh.ncap, 2);
		assert_int_equal(gateway_stats(gwh.gw)->udp_filtered, 0);
	} else {
		size_t dlen;
		const uint8_t *d;

		assert_int_equal(gwh.ncap, 1);
		d = gwh_check_udp(0, VM1, HOST, gwh.peer_port, GUEST, 4000, &dlen);
		assert_memory_equal(d, "peer", 4);
		assert_int_equal(gateway_stats(gwh.gw)->udp_filtered, 1);
		/* Once the guest sends there, the other socket is a peer too. */
		guest_send(HOST, 4000, ntohs(o.sin_port), "hello");
		assert_int_equal(recv(s, buf, sizeof(buf), 0), 5);
		assert_int_equal(sendto(s, "now", 3, 0, (struct sockaddr *)&from, sizeof(from)), 3);
		gwh_run_until(2);
		assert_int_equal(gwh.ncap, 2);
	}
	close(s);
	gwh_teardown(NULL);
}

static void test_udp_filter(void **state)
{
	(void)state;
	udp_filter_case("", false);
	udp_filter_case("udp-filter=address-port", false);
	udp_filter_case("udp-filter=address", true);
	udp_filter_case("udp-filter=endpoint", true);
}

/* host-loopback=off refuses the host's other addresses too. */
static void test_policy_host_local(void **state)
{
	union inany_addr d = inany_from_ip4(IP(192, 0, 2, 50)), h, g;
	union inany_addr d2 = inany_from_ip4(IP(192, 0, 2, 51));
	struct gw_config cfg;
	struct gw_policy p;

	(void)state;
	gwh_parse_cfg(&cfg, "host-loopback=off");
	gw_policy_init(&p, &cfg);
	gw_policy_add_local(&p, IP(192, 0, 2, 50));
	assert_int_equal(gw_policy_map_dest(&p, &d, &h), GW_DENY_LOOPBACK);
	assert_int_equal(gw_policy_map_dest(&p, &d2, &h), GW_ALLOW);
	assert_int_equal(gw_policy_map_src(&p, &d, &g), GW_DENY_LOOPBACK);
	/* With the default on, the list is not consulted. */
	gwh_parse_cfg(&cfg, "");
	gw_policy_init(&p, &cfg);
	gw_policy_add_local(&p, IP(192, 0, 2, 50));
	assert_int_equal(gw_policy_map_dest(&p, &d, &h), GW_ALLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_dest),
		cmocka_unit_test(test_policy_src),
		cmocka_unit_test(test_policy_ipv6),
		cmocka_unit_test(test_hostfwd_guest_view),
		cmocka_unit_test_teardown(test_udp_roundtrip, gwh_teardown),
		cmocka_unit_test_teardown(test_udp_flow_limit_and_expiry, gwh_teardown),
		cmocka_unit_test_teardown(test_udp_too_big_for_mtu, gwh_teardown),
		cmocka_unit_test_teardown(test_udp_denied, gwh_teardown),
		cmocka_unit_test_teardown(test_udp_foreign_source_dropped, gwh_teardown),
		cmocka_unit_test_teardown(test_udp_tftp_port_closed, gwh_teardown),
		cmocka_unit_test_teardown(test_udp_ttl_follows_guest, gwh_teardown),
		cmocka_unit_test_teardown(test_udp_filter, gwh_teardown),
		cmocka_unit_test(test_policy_host_local),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
