/* SPDX-License-Identifier: MIT
 *
 * test_backpressure.c - the port sink interface and back-pressure in the
 * fabric, through fake ports whose room is small: what a network installs
 * in a port and removes again, its own membership list (walked while a
 * transmit() detaches ports), transmit refusing a frame that does not fit,
 * the room a source is told towards a learned, a flooded and an unknown
 * destination (switch, VLANs, hub), a source told to wait and resumed once
 * exactly when the port it waited for drains (not when another does, not
 * twice), resumed when that port leaves instead, and the counters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/frame.h"
#include "core/log.h"
#include "fabric/fdb.h"
#include "fabric/network.h"
#include "helpers/fake_port.h"

static const uint8_t MAC_S[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x05 };
static const uint8_t MAC_A[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t MAC_B[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0b };
static const uint8_t MAC_X[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 }; /* never sends */
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static uint8_t buf[FRAME_BUF_SIZE];

/* A frame of 14 + payload bytes from src to dst. */
static size_t frame(const uint8_t *dst, const uint8_t *src, size_t payload)
{
	return fake_frame_build(buf, dst, src, false, 0, 0x0800, payload, 1);
}

/* Let the switch learn mac behind fp (a broadcast nobody minds). */
static void announce(struct fake_port *fp, const uint8_t *mac)
{
	fake_port_inject(fp, buf, frame(BCAST, mac, 46));
}

static void quiet(enum log_level level, const char *msg)
{
	(void)level;
	(void)msg;
}

static int setup(void **state)
{
	(void)state;
	log_set_hook(quiet);
	return 0;
}

static struct network *mknet(enum network_mode mode)
{
	struct network *net = network_new("bp", mode, NETWORK_DEFAULT_AGING_S,
					  NETWORK_DEFAULT_FDB_MAX, NULL);

	assert_non_null(net);
	return net;
}

static void port_room(struct fake_port *fp, size_t room)
{
	fp->has_room = true;
	fp->room = room;
}

static void test_sink_installed_and_removed(void **state)
{
	struct network *net = mknet(NETWORK_SWITCH);
	struct fake_port a, b, c;
	unsigned it = 0;

	(void)state;
	fake_port_attach(&a, "a", net);
	fake_port_attach(&b, "b", net);
	fake_port_attach(&c, "c", net);
	assert_non_null(a.port.sink_ops);
	assert_true(port_sink_takes_offload(&a.port));
	assert_ptr_equal(network_of_port(&b.port), net);

	/* The network's own list, in attach order. */
	assert_ptr_equal(network_port_next(net, &it), &a.port);
	assert_ptr_equal(network_port_next(net, &it), &b.port);
	assert_ptr_equal(network_port_next(net, &it), &c.port);
	assert_null(network_port_next(net, &it));

	/* port_close() leaves through the sink's detach. */
	port_close(&b.port);
	assert_int_equal(b.destroyed, 1);
	assert_null(b.port.sink_ops);
	assert_false(port_sink_takes_offload(&b.port));
	assert_false(network_has_port(net, &b.port));
	assert_int_equal(net->nports, 2);
	it = 0;
	assert_ptr_equal(network_port_next(net, &it), &a.port);
	assert_ptr_equal(network_port_next(net, &it), &c.port);
	assert_null(network_port_next(net, &it));

	/* port_unplug() leaves without being destroyed; frames then drop. */
	port_unplug(&c.port);
	assert_int_equal(c.destroyed, 0);
	assert_int_equal(net->nports, 1);
	fake_port_inject(&c, buf, frame(BCAST, MAC_B, 46));
	assert_int_equal(c.port.stats.rx_drops, 1);
	assert_int_equal(a.n, 0);

	/* No sink: no limit, nothing to wait for, nothing counted. */
	assert_int_equal(port_sink_room(&c.port, MAC_A), SIZE_MAX);
	port_sink_wait(&c.port, MAC_A);
	assert_int_equal(c.port.stats.pauses, 0);
	network_free(net);
	assert_int_equal(a.destroyed, 1);
}

/* Flooding while a transmit() detaches the port after it: that port gets
 * nothing, the others all do, and the list is whole again afterwards. */
static struct fake_port *victim;
static void detach_victim(struct fake_port *fp, const uint8_t *frame, size_t len)
{
	(void)frame;
	(void)len;
	if (victim && network_of_port(&victim->port))
		network_detach(network_of_port(&fp->port), &victim->port);
}

static void test_detach_while_flooding(void **state)
{
	struct network *net = mknet(NETWORK_SWITCH);
	struct fake_port s, a, b, c;
	unsigned it = 0;

	(void)state;
	fake_port_attach(&s, "s", net);
	fake_port_attach(&a, "a", net);
	fake_port_attach(&b, "b", net);
	fake_port_attach(&c, "c", net);
	a.on_transmit = detach_victim;
	victim = &b;
	fake_port_inject(&s, buf, frame(BCAST, MAC_S, 46));
	victim = NULL;
	assert_int_equal(a.n, 1);
	assert_int_equal(b.n, 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(net->nports, 3);
	assert_int_equal(net->nslots, 3); /* the hole is closed */
	assert_ptr_equal(network_port_next(net, &it), &s.port);
	assert_ptr_equal(network_port_next(net, &it), &a.port);
	assert_ptr_equal(network_port_next(net, &it), &c.port);
	assert_null(network_port_next(net, &it));
	network_free(net);
	assert_int_equal(b.destroyed, 0); /* detached, not closed */
}

static void test_transmit_refuses(void **state)
{
	struct fake_port a;

	(void)state;
	fake_port_init(&a, "a");
	port_room(&a, 100);
	assert_int_equal(port_tx_room(&a.port), 100);
	assert_false(port_send(&a.port, buf, frame(MAC_A, MAC_S, 100)));
	assert_int_equal(a.port.stats.tx_drops, 1);
	assert_int_equal(a.port.stats.tx_frames, 0);
	assert_true(port_send(&a.port, buf, frame(MAC_A, MAC_S, 46)));
	assert_int_equal(a.port.stats.tx_frames, 1);
	assert_int_equal(a.port.stats.tx_bytes, 60);
	assert_int_equal(port_tx_room(&a.port), 100 - 60 - PORT_TX_OVERHEAD);
	assert_int_equal(a.port.stats.tx_drops, 1);
	fake_port_clear(&a);
}

static void test_room_towards(void **state)
{
	struct network *net = mknet(NETWORK_SWITCH);
	struct fake_port s, a, b, v;

	(void)state;
	fake_port_attach(&s, "s", net); /* the source: does not queue */
	fake_port_attach(&a, "a", net);
	fake_port_attach(&b, "b", net);
	fake_port_init(&v, "v");
	fake_port_access(&v, 20); /* another VLAN: never on s's way */
	network_attach(net, &v.port);
	announce(&a, MAC_A);
	announce(&b, MAC_B);
	port_room(&a, 5000);
	port_room(&b, 3000);
	port_room(&v, 10);

	assert_int_equal(port_sink_room(&s.port, MAC_A), 5000);	   /* learned */
	assert_int_equal(port_sink_room(&s.port, MAC_B), 3000);
	assert_int_equal(port_sink_room(&s.port, BCAST), 3000);	   /* flooded: least */
	assert_int_equal(port_sink_room(&s.port, MAC_X), SIZE_MAX); /* unknown */
	assert_int_equal(port_sink_room(&a.port, MAC_A), SIZE_MAX); /* behind itself */
	network_free(net);

	net = mknet(NETWORK_HUB);
	fake_port_attach(&s, "s", net);
	fake_port_attach(&a, "a", net);
	fake_port_attach(&b, "b", net);
	port_room(&a, 5000);
	port_room(&b, 3000);
	assert_int_equal(port_sink_room(&s.port, MAC_A), 3000); /* a hub floods all */
	assert_int_equal(port_sink_room(&b.port, MAC_A), 5000);
	network_free(net);
}

static void test_wait_and_resume(void **state)
{
	struct network *net = mknet(NETWORK_SWITCH);
	struct fake_port s, a, b;

	(void)state;
	fake_port_attach(&s, "s", net);
	fake_port_attach(&a, "a", net);
	fake_port_attach(&b, "b", net);
	announce(&a, MAC_A);
	announce(&b, MAC_B);
	fake_port_clear(&a);
	fake_port_clear(&b);
	port_room(&a, 100);
	port_room(&b, 100);

	/* Too little room towards a: the source waits, counted once. */
	assert_true(port_sink_room(&s.port, MAC_A) < 200);
	port_sink_wait(&s.port, MAC_A);
	port_sink_wait(&s.port, MAC_A);
	assert_int_equal(s.port.stats.pauses, 1);
	assert_int_equal(net->nwaiting, 1);
	assert_true(a.port.tx_want_writable);
	assert_false(b.port.tx_want_writable);

	/* Another port draining does not wake it... */
	port_writable(&b.port);
	assert_int_equal(s.resumed, 0);
	/* ...the one it waits for does, once. */
	a.room = 10000;
	port_writable(&a.port);
	assert_int_equal(s.resumed, 1);
	assert_int_equal(s.port.stats.resumes, 1);
	assert_int_equal(net->nwaiting, 0);
	port_writable(&a.port);
	assert_int_equal(s.resumed, 1);

	/* Waiting again counts a second pause. A port that leaves resumes
	 * whoever waited (what it waited for is gone). */
	port_sink_wait(&s.port, MAC_B);
	assert_int_equal(s.port.stats.pauses, 2);
	assert_true(b.port.tx_want_writable);
	port_close(&b.port);
	assert_int_equal(s.resumed, 2);
	assert_int_equal(s.port.stats.resumes, 2);

	/* A broadcast waits for every port it floods to. */
	port_room(&a, 0);
	port_sink_wait(&s.port, BCAST);
	assert_true(a.port.tx_want_writable);
	port_writable(&a.port);
	assert_int_equal(s.resumed, 3);
	network_free(net);
}

/* A port that does not limit (a fake without has_room, like a TAP) makes
 * the way unlimited and reports an empty queue. */
static void test_unlimited_port(void **state)
{
	struct network *net = mknet(NETWORK_SWITCH);
	struct fake_port s, a;

	(void)state;
	fake_port_attach(&s, "s", net);
	fake_port_attach(&a, "a", net);
	announce(&a, MAC_A);
	assert_int_equal(port_sink_room(&s.port, MAC_A), SIZE_MAX);
	assert_int_equal(port_tx_queued(&a.port), 0);
	network_free(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sink_installed_and_removed),
		cmocka_unit_test(test_detach_while_flooding),
		cmocka_unit_test(test_transmit_refuses),
		cmocka_unit_test(test_room_towards),
		cmocka_unit_test(test_wait_and_resume),
		cmocka_unit_test(test_unlimited_port),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
