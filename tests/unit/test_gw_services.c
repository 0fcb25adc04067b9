/* SPDX-License-Identifier: MIT
 *
 * test_gw_services.c - the gateway's service table (gateway/service.h):
 * a fake service registered next to the built-in ones (ARP, DHCP, ICMP
 * echo, DNS) gets exactly the frames its match() claims, validated and
 * described, and nothing else; the built-ins keep answering theirs; its
 * sweep runs from gateway_service_sweep() with the test's now and from
 * the table's timer while it says it has timed state; its counters and
 * info section reach the monitor's walks; its fini runs once when the
 * gateway goes. The table on its own: first match wins, a full table
 * refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"
#include "core/loop.h"
#include "core/port.h"
#include "gateway/gateway.h"
#include "gateway/service.h"
#include "helpers/gw_harness.h"

#define FAKE_PORT 69          /* UDP to the host address, as TFTP will be */
#define FAKE_ETHERTYPE 0x88b5 /* IEEE local experimental */

static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct fake {
	unsigned inputs, sweeps, finis;
	unsigned sweep_more;   /* sweeps left that report timed state */
	uint64_t last_now, sweep_now;
	struct gw_pkt last;    /* pointers valid only during input */
	uint8_t data[64];
	size_t data_len;
	struct gw_services *kick; /* kicked from input when set */
};

static struct fake fk;

static bool fake_match(const void *svc, const struct gw_pkt *p)
{
	(void)svc;
	return p->ethertype == FAKE_ETHERTYPE ||
	       (p->proto == 17 && p->dport == FAKE_PORT && p->dst == GWH_HOST);
}

static void fake_input(void *svc, const struct gw_pkt *p, uint64_t now)
{
	struct fake *f = svc;

	f->inputs++;
	f->last = *p;
	f->last_now = now;
	f->data_len = p->data_len < sizeof(f->data) ? p->data_len : sizeof(f->data);
	if (p->data)
		memcpy(f->data, p->data, f->data_len);
	if (f->kick)
		gw_services_kick(f->kick);
}

static bool fake_sweep(void *svc, uint64_t now)
{
	struct fake *f = svc;

	f->sweeps++;
	f->sweep_now = now;
	if (!f->sweep_more)
		return false;
	f->sweep_more--;
	return true;
}

static void fake_info(const void *svc, uint64_t now, FILE *out)
{
	const struct fake *f = svc;

	(void)now;
	fprintf(out, "  fake service: %u inputs\n", f->inputs);
}

static void fake_counters(const void *svc, gw_counter_fn fn, void *ctx)
{
	const struct fake *f = svc;

	fn(ctx, "fake_inputs", f->inputs);
}

static void fake_fini(void *svc)
{
	((struct fake *)svc)->finis++;
}

static const struct gw_service fake_service = {
	.name = "fake",
	.match = fake_match,
	.input = fake_input,
	.sweep = fake_sweep,
	.info = fake_info,
	.counters = fake_counters,
	.fini = fake_fini,
};

static void start(bool with_loop)
{
	memset(&fk, 0, sizeof(fk));
	gwh_start("", with_loop);
	assert_int_equal(gw_services_add(gateway_services(gwh.gw), &fake_service, &fk), 0);
}

static size_t mk_ip(uint8_t *f, uint32_t dst, uint8_t proto, size_t l4len)
{
	gwh_eth(f, GWMAC, VM1, 0x0800);
	gwh_ipv4(f + 14, GWH_GUEST, dst, proto, 0x1234, 0, l4len);
	return 34 + l4len;
}

static size_t mk_udp(uint8_t *f, uint32_t dst, uint16_t dport, const char *payload)
{
	size_t n = strlen(payload);

	memcpy(f + 42, payload, n);
	gwh_udp(f + 34, GWH_GUEST, 40000, dst, dport, n);
	return mk_ip(f, dst, 17, 8 + n);
}

/* The built-in name, answered by the DNS service itself. */
static size_t mk_dns(uint8_t *f)
{
	static const uint8_t q[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
				     4, 'h', 'o', 's', 't', 6, 'v', 'm', 'w', 'i', 'r', 'e',
				     8, 'i', 'n', 't', 'e', 'r', 'n', 'a', 'l', 0, 0, 1, 0, 1 };

	memcpy(f + 42, q, sizeof(q));
	gwh_udp(f + 34, GWH_GUEST, 40000, IP(10, 0, 2, 3), 53, sizeof(q));
	return mk_ip(f, IP(10, 0, 2, 3), 17, 8 + sizeof(q));
}

static size_t mk_arp(uint8_t *f)
{
	memcpy(f, BCAST, 6);
	memcpy(f + 6, VM1, 6);
	memcpy(f + 12, "\x08\x06\x00\x01\x08\x00\x06\x04\x00\x01", 10);
	memcpy(f + 22, VM1, 6);
	wr32be(f + 28, GWH_GUEST);
	memset(f + 32, 0, 6);
	wr32be(f + 38, GWH_HOST);
	return 42;
}

static size_t mk_ping(uint8_t *f)
{
	uint8_t *ic = f + 34;

	memset(ic, 0, 16);
	ic[0] = 8;
	wr16be(ic + 4, 0x4242);
	wr16be(ic + 2, ref_csum(ic, 16, 0));
	return mk_ip(f, GWH_HOST, 1, 16);
}

static void test_fake_gets_exactly_its_frames(void **state)
{
	const struct gw_stats *st;
	uint8_t f[256];
	size_t len;

	(void)state;
	start(false);
	st = gateway_stats(gwh.gw);

	/* Its own: validated, described, with the transmit entry's now. */
	gwh_send(f, mk_udp(f, GWH_HOST, FAKE_PORT, "hello"));
	assert_int_equal(fk.inputs, 1);
	assert_int_equal(fk.last.ethertype, 0x0800);
	assert_int_equal(fk.last.proto, 17);
	assert_int_equal(fk.last.src, GWH_GUEST);
	assert_int_equal(fk.last.dst, GWH_HOST);
	assert_int_equal(fk.last.sport, 40000);
	assert_int_equal(fk.last.dport, FAKE_PORT);
	assert_int_equal(fk.data_len, 5);
	assert_memory_equal(fk.data, "hello", 5);
	assert_true(fk.last_now > 0 && fk.last_now <= ev_now_ms());
	assert_int_equal(gwh.ncap, 0);
	assert_int_equal(st->udp_unhandled, 0); /* the NAT never saw it */

	/* A broken checksum is the dispatch's to drop, before any service. */
	len = mk_udp(f, GWH_HOST, FAKE_PORT, "hello");
	f[42] ^= 1;
	gwh_send(f, len);
	assert_int_equal(st->udp_bad_csum, 1);
	assert_int_equal(fk.inputs, 1);

	/* The built-ins still answer theirs, and the fake sees none of it. */
	gwh_send(f, mk_dns(f));
	assert_int_equal(st->dns_builtin, 1);
	gwh_send(f, mk_arp(f));
	assert_int_equal(st->arp_replies, 1);
	gwh_send(f, mk_ping(f));
	assert_int_equal(st->icmp_echo_replies, 1);
	assert_int_equal(gwh.ncap, 3);
	assert_int_equal(fk.inputs, 1);

	/* Another port, another address: not its own, so on to the NAT. */
	gwh_send(f, mk_udp(f, GWH_HOST, FAKE_PORT + 1, "x"));
	gwh_send(f, mk_udp(f, IP(10, 0, 2, 3), FAKE_PORT, "x"));
	assert_int_equal(fk.inputs, 1);
	assert_int_equal(st->udp_unhandled, 1);

	/* Not IPv4 at all: the table gets the Ethernet frame. */
	gwh_eth(f, GWMAC, VM1, FAKE_ETHERTYPE);
	memset(f + 14, 0xab, 46);
	gwh_send(f, 60);
	assert_int_equal(fk.inputs, 2);
	assert_int_equal(fk.last.ethertype, FAKE_ETHERTYPE);
	assert_int_equal(fk.last.frame_len, 60);
	assert_memory_equal(fk.last.smac, VM1, 6);
	assert_int_equal(st->bad_ethertype, 0);
	gwh_eth(f, GWMAC, VM1, FAKE_ETHERTYPE + 1);
	gwh_send(f, 60);
	assert_int_equal(st->bad_ethertype, 1);
	assert_int_equal(fk.inputs, 2);
}

struct counters_seen {
	unsigned n, fake_at, frames_in_at;
	uint64_t fake;
};

static void count_cb(void *ctx, const char *name, uint64_t v)
{
	struct counters_seen *c = ctx;

	if (!strcmp(name, "fake_inputs")) {
		c->fake_at = c->n;
		c->fake = v;
	}
	if (!strcmp(name, "frames_in"))
		c->frames_in_at = c->n;
	c->n++;
}

/* Sweep with the test's now, info and counters in the monitor's walks,
 * fini exactly once when the gateway goes. */
static void test_sweep_info_counters_fini(void **state)
{
	struct counters_seen cs = { .fake_at = ~0u, .frames_in_at = ~0u };
	char *text = NULL;
	size_t text_len = 0;
	uint8_t f[256];
	FILE *out;

	(void)state;
	start(false);
	gateway_service_sweep(gwh.gw, 123456);
	assert_int_equal(fk.sweeps, 1);
	assert_int_equal(fk.sweep_now, 123456);
	gateway_dns_sweep(gwh.gw, 234567); /* the older name sweeps them all */
	assert_int_equal(fk.sweeps, 2);
	assert_int_equal(fk.sweep_now, 234567);

	gwh_send(f, mk_udp(f, GWH_HOST, FAKE_PORT, "hi"));
	gwh_send(f, mk_udp(f, GWH_HOST, FAKE_PORT, "hi"));
	gateway_walk_counters(gwh.gw, count_cb, &cs);
	assert_int_equal(cs.fake, 2);
	assert_int_equal(cs.frames_in_at, 0);   /* the shared ones first */
	assert_int_equal(cs.fake_at, cs.n - 1); /* then the service's own */

	out = open_memstream(&text, &text_len);
	assert_non_null(out);
	gateway_info(gwh.gw, out);
	fclose(out);
	/* DHCP (registered first) prints its lease table, then the fake. */
	assert_non_null(strstr(text, "DHCP lease MAC"));
	assert_non_null(strstr(text, "  fake service: 2 inputs\n"));
	assert_true(strstr(text, "DHCP lease MAC") < strstr(text, "fake service"));
	free(text);

	assert_int_equal(fk.finis, 0);
	port_close(gateway_port(gwh.gw));
	gwh.gw = NULL;
	assert_int_equal(fk.finis, 1);
}

/* With a loop, the table's timer sweeps while a service says it has
 * timed state, and stops when none has. */
static void test_sweep_timer(void **state)
{
	uint8_t f[256];
	unsigned n;

	(void)state;
	start(true);
	gwh_spin(gwh.loop, 2 * GW_SERVICE_SWEEP_MS);
	assert_int_equal(fk.sweeps, 0); /* nothing kicked it */
	fk.kick = gateway_services(gwh.gw);
	fk.sweep_more = 2;
	gwh_send(f, mk_udp(f, GWH_HOST, FAKE_PORT, "hi"));
	assert_int_equal(fk.inputs, 1);
	for (int i = 0; i < 300 && fk.sweeps < 3; i++)
		ev_loop_once(gwh.loop, 10);
	assert_int_equal(fk.sweeps, 3); /* two "more", then one "done" */
	assert_true(fk.sweep_now <= ev_now_ms());
	n = fk.sweeps;
	gwh_spin(gwh.loop, 3 * GW_SERVICE_SWEEP_MS);
	assert_int_equal(fk.sweeps, n);
}

static bool match_all(const void *svc, const struct gw_pkt *p)
{
	(void)svc;
	(void)p;
	return true;
}

static const struct gw_service greedy = {
	.name = "greedy", .match = match_all, .input = fake_input, .fini = fake_fini,
};

/* The table alone: first match wins; fini runs for every entry; a full
 * table says so. */
static void test_table_order_and_limit(void **state)
{
	struct gw_services t;
	struct fake a = { 0 }, b = { 0 };
	struct gw_pkt p = { .ethertype = 0x0806 };

	(void)state;
	gw_services_init(&t, NULL);
	assert_false(gw_services_input(&t, &p, 1));
	assert_int_equal(gw_services_add(&t, &greedy, &a), 0);
	assert_int_equal(gw_services_add(&t, &greedy, &b), 0);
	assert_true(gw_services_input(&t, &p, 7));
	assert_int_equal(a.inputs, 1);
	assert_int_equal(a.last_now, 7);
	assert_int_equal(b.inputs, 0);
	for (unsigned i = 2; i < GW_SERVICES_MAX; i++)
		assert_int_equal(gw_services_add(&t, &greedy, &b), 0);
	assert_int_equal(gw_services_add(&t, &greedy, &b), -1);
	assert_false(gw_services_sweep(&t, 1)); /* no sweep(): nothing timed */
	gw_services_kick(&t);                   /* no loop: harmless */
	gw_services_fini(&t);
	assert_int_equal(a.finis, 1);
	assert_int_equal(b.finis, GW_SERVICES_MAX - 1);
	assert_int_equal(t.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_fake_gets_exactly_its_frames, gwh_teardown),
		cmocka_unit_test_teardown(test_sweep_info_counters_fini, gwh_teardown),
		cmocka_unit_test_teardown(test_sweep_timer, gwh_teardown),
		cmocka_unit_test(test_table_order_and_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
