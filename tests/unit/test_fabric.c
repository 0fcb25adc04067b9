/* SPDX-License-Identifier: MIT
 *
 * test_fabric.c - hubs and switches end to end through fake ports: every
 * check compares the exact bytes each port was handed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/frame.h"
#include "core/log.h"
#include "core/loop.h"
#include "fabric/fdb.h"
#include "fabric/network.h"
#include "helpers/fake_port.h"

static const uint8_t MAC_A[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t MAC_B[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0b };
static const uint8_t MAC_C[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0c };
static const uint8_t MAC_QEMU[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t MAC_X[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 }; /* never sends */
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t MCAST[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

static uint64_t fake_now = 1000000;
static uint64_t fake_clock(void) { return fake_now; }

/* Captured log lines. */
static char logs[16][1024];
static enum log_level log_levels[16];
static unsigned nlogs;

static void log_capture(enum log_level level, const char *msg)
{
	if (nlogs < 16) {
		log_levels[nlogs] = level;
		snprintf(logs[nlogs], sizeof(logs[nlogs]), "%s", msg);
	}
	nlogs++;
}

static unsigned count_logs(const char *needle)
{
	unsigned i, n = 0;

	for (i = 0; i < nlogs && i < 16; i++)
		if (strstr(logs[i], needle))
			n++;
	return n;
}

static struct network *new_switch(unsigned fdb_max)
{
	struct network *net = network_new("sw0", NETWORK_SWITCH, NETWORK_DEFAULT_AGING_S,
					  fdb_max, NULL);

	assert_non_null(net);
	fdb_set_clock(net->fdb, fake_clock);
	return net;
}

static uint8_t buf[FRAME_BUF_SIZE], expect[FRAME_BUF_SIZE];

static size_t frame(const uint8_t *dst, const uint8_t *src, uint8_t seed)
{
	return fake_frame_build(buf, dst, src, false, 0, 0x0800, 46, seed);
}

static size_t tagged(uint8_t *b, const uint8_t *dst, const uint8_t *src, uint16_t tci,
		     uint8_t seed)
{
	return fake_frame_build(b, dst, src, true, tci, 0x0800, 46, seed);
}

static int setup(void **state)
{
	nlogs = 0;
	log_set_hook(log_capture);
	fake_now = 1000000;
	return 0;
}

static int teardown(void **state)
{
	log_set_hook(NULL);
	return 0;
}

static void test_hub_copies_to_all_others(void **state)
{
	struct network *net = network_new("hub0", NETWORK_HUB, 0, 0, NULL);
	struct fake_port a, b, c;
	size_t len;

	assert_non_null(net);
	assert_null(net->fdb);
	fake_port_init(&a, "a");
	fake_port_init(&b, "b");
	fake_port_init(&c, "c");
	/* Hubs ignore VLANs: different pvids must not matter. */
	fake_port_access(&c, 20);
	network_attach(net, &a.port);
	network_attach(net, &b.port);
	network_attach(net, &c.port);
	assert_int_equal(net->nports, 3);

	len = frame(MAC_B, MAC_A, 1);
	fake_port_inject(&a, buf, len);
	assert_int_equal(a.n, 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(c.n, 1);
	assert_true(fake_port_frame_is(&b, 0, buf, len));
	assert_true(fake_port_frame_is(&c, 0, buf, len));

	/* A hub does not learn: unicast to A still reaches b and c. */
	len = frame(MAC_A, MAC_B, 2);
	fake_port_inject(&b, buf, len);
	assert_int_equal(a.n, 1);
	assert_int_equal(b.n, 1);
	assert_int_equal(c.n, 2);
	assert_true(fake_port_frame_is(&a, 0, buf, len));

	/* Tagged frames pass unchanged. */
	len = tagged(buf, BCAST, MAC_C, 0x0abc, 3);
	fake_port_inject(&c, buf, len);
	assert_true(fake_port_frame_is(&a, 1, buf, len));
	assert_true(fake_port_frame_is(&b, 1, buf, len));
	assert_int_equal(c.n, 2);
	assert_int_equal(net->stats.frames_in, 3);
	assert_int_equal(a.port.stats.tx_frames, 2);

	network_free(net);
	assert_int_equal(a.destroyed, 1);
	assert_int_equal(b.destroyed, 1);
	assert_int_equal(c.destroyed, 1);
}

static void test_learn_and_unicast(void **state)
{
	struct network *net = new_switch(NETWORK_DEFAULT_FDB_MAX);
	struct fake_port a, b, c;
	uint8_t macs[4][6];
	uint16_t vids[4];
	size_t len;

	fake_port_attach(&a, "a", net);
	fake_port_attach(&b, "b", net);
	fake_port_attach(&c, "c", net);

	/* Unknown destination: flooded to everyone but the sender. */
	len = frame(MAC_B, MAC_A, 1);
	fake_port_inject(&a, buf, len);
	assert_int_equal(a.n, 0);
	assert_true(fake_port_frame_is(&b, 0, buf, len));
	assert_true(fake_port_frame_is(&c, 0, buf, len));
	assert_int_equal(net->stats.flooded, 1);
	assert_int_equal(fdb_count(net->fdb), 1);

	/* A is known now: the reply goes to a only. */
	len = frame(MAC_A, MAC_B, 2);
	fake_port_inject(&b, buf, len);
	assert_int_equal(a.n, 1);
	assert_true(fake_port_frame_is(&a, 0, buf, len));
	assert_int_equal(b.n, 1);
	assert_int_equal(c.n, 1);
	assert_int_equal(net->stats.forwarded, 1);

	/* And B is known: a to B reaches b only. */
	len = frame(MAC_B, MAC_A, 3);
	fake_port_inject(&a, buf, len);
	assert_int_equal(b.n, 2);
	assert_true(fake_port_frame_is(&b, 1, buf, len));
	assert_int_equal(c.n, 1);
	assert_int_equal(a.n, 1);

	assert_int_equal(fdb_port_macs(net->fdb, &a.port, macs, vids, 4), 1);
	assert_memory_equal(macs[0], MAC_A, 6);
	assert_int_equal(vids[0], 1);
	assert_int_equal(fdb_port_macs(net->fdb, &c.port, macs, vids, 4), 0);
	network_free(net);
}

static void test_flood_bcast_mcast_unknown(void **state)
{
	struct network *net = new_switch(NETWORK_DEFAULT_FDB_MAX);
	struct fake_port a, b, c;
	const uint8_t *dsts[] = { BCAST, MCAST, MAC_X };
	size_t len, i;

	fake_port_attach(&a, "a", net);
	fake_port_attach(&b, "b", net);
	fake_port_attach(&c, "c", net);
	/* Everyone is learned first, so flooding isn't just "nothing known". */
	fake_port_inject(&a, buf, frame(BCAST, MAC_A, 0));
	fake_port_inject(&b, buf, frame(BCAST, MAC_B, 0));
	fake_port_inject(&c, buf, frame(BCAST, MAC_C, 0));
	fake_port_clear(&a);
	fake_port_clear(&b);
	fake_port_clear(&c);

	for (i = 0; i < 3; i++) {
		len = frame(dsts[i], MAC_B, (uint8_t)(10 + i));
		fake_port_inject(&b, buf, len);
		assert_int_equal(b.n, 0);
		assert_int_equal(a.n, i + 1);
		assert_int_equal(c.n, i + 1);
		assert_true(fake_port_frame_is(&a, (unsigned)i, buf, len));
		assert_true(fake_port_frame_is(&c, (unsigned)i, buf, len));
	}
	assert_int_equal(net->stats.flooded, 6);
	network_free(net);
}

static void test_no_back_to_ingress(void **state)
{
	struct network *net = new_switch(NETWORK_DEFAULT_FDB_MAX);
	struct fake_port a, b;
	uint64_t filtered;

	fake_port_attach(&a, "a", net);
	fake_port_attach(&b, "b", net);

	/* Two stations behind port a (a bridge behind it). */
	fake_port_inject(&a, buf, frame(BCAST, MAC_A, 0));
	fake_port_inject(&a, buf, frame(BCAST, MAC_C, 0));
	assert_int_equal(a.n, 0);
	assert_int_equal(b.n, 2);
	filtered = net->stats.filtered;

	/* A to C: both behind a, nothing goes anywhere. */
	fake_port_inject(&a, buf, frame(MAC_C, MAC_A, 1));
	assert_int_equal(a.n, 0);
	assert_int_equal(b.n, 2);
	assert_int_equal(net->stats.filtered, filtered + 1);
	assert_int_equal(a.port.stats.tx_frames, 0);
	network_free(net);
}

static void test_aging(void **state)
{
	struct network *net = new_switch(NETWORK_DEFAULT_FDB_MAX);
	struct fake_port a, b, c;
	uint64_t t0 = fake_now, aging = NETWORK_DEFAULT_AGING_S * 1000ull;
	size_t len;

	fake_port_attach(&a, "a", net);
	fake_port_attach(&b, "b", net);
	fake_port_attach(&c, "c", net);
	fake_port_inject(&a, buf, frame(BCAST, MAC_A, 0));
	fake_port_clear(&b);
	fake_port_clear(&c);

	/* Just before expiry: the sweep keeps it, unicast goes to a only. */
	fake_now = t0 + aging - 1;
	network_age(net, fake_now);
	assert_int_equal(fdb_count(net->fdb), 1);
	len = frame(MAC_A, MAC_B, 1);
	fake_port_inject(&b, buf, len);
	assert_int_equal(a.n, 1);
	assert_int_equal(c.n, 0);

	/* Expired but not swept yet: lookups already ignore it. */
	fake_now = t0 + aging;
	len = frame(MAC_A, MAC_C, 2);
	fake_port_inject(&c, buf, len);
	assert_int_equal(a.n, 2);
	assert_int_equal(b.n, 1);
	assert_true(fake_port_frame_is(&b, 0, buf, len));

	/* The sweep reclaims A; B and C were seen later and survive. */
	assert_int_equal(fdb_count(net->fdb), 3);
	network_age(net, t0 + aging);
	assert_int_equal(fdb_count(net->fdb), 2);
	assert_int_equal(fdb_stats(net->fdb)->aged, 1);

	/* Refreshing matters: B was last seen at t0 + aging - 1. */
	network_age(net, t0 + 2 * aging - 1);
	assert_int_equal(fdb_count(net->fdb), 1);
	network_age(net, t0 + 2 * aging);
	assert_int_equal(fdb_count(net->fdb), 0);
	network_free(net);
}

static void test_aging_timer_with_loop(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct network *net;
	struct fake_port a;

	assert_non_null(loop);
	net = network_new("timed", NETWORK_SWITCH, 1, 16, loop);
	assert_non_null(net);
	fake_port_attach(&a, "a", net);
	fake_port_inject(&a, buf, frame(BCAST, MAC_A, 0));
	assert_int_equal(fdb_count(net->fdb), 1);
	/* Freeing must unlink the armed timer (ASan/UBSan would catch a
	 * dangling one when the loop runs next). */
	network_free(net);
	assert_int_equal(ev_loop_once(loop, 0) >= 0, 1);
	ev_loop_free(loop);
}

static void test_vlan_access_isolation(void **state)
{
	struct network *net = new_switch(NETWORK_DEFAULT_FDB_MAX);
	struct fake_port a, b, c;
	size_t len;

	fake_port_init(&a, "a");
	fake_port_init(&b, "b");
	fake_port_init(&c, "c");
	fake_port_access(&a, 10);
	fake_port_access(&b, 10);
	fake_port_access(&c, 20);
	network_attach(net, &a.port);
	network_attach(net, &b.port);
	network_attach(net, &c.port);

	len = frame(BCAST, MAC_A, 1);
	fake_port_inject(&a, buf, len);
	assert_int_equal(b.n, 1);
	assert_true(fake_port_frame_is(&b, 0, buf, len));
	assert_int_equal(c.n, 0);

	/* c knows A's MAC but is in another VLAN: A is unknown in VLAN 20. */
	fake_port_inject(&c, buf, frame(MAC_A, MAC_C, 2));
	fake_port_inject(&c, buf, frame(BCAST, MAC_C, 3));
	assert_int_equal(a.n, 0);
	assert_int_equal(b.n, 1);

	/* A learned in VLAN 10 is not A in VLAN 20. */
	assert_non_null(fdb_lookup(net->fdb, MAC_A, 10, fake_now));
	assert_null(fdb_lookup(net->fdb, MAC_A, 20, fake_now));

	/* Tagged frames on an access port are dropped, even with its own VID. */
	fake_port_inject(&a, buf, tagged(buf, BCAST, MAC_A, 10, 4));
	assert_int_equal(b.n, 1);
	assert_true(net->stats.filtered >= 1);
	network_free(net);
}

/* Ports: a access 10, b access 20, t trunk {10, 20} with native 1, n access 1. */
struct vnet {
	struct network *net;
	struct fake_port a, b, t, n;
};

static void vnet_setup(struct vnet *v)
{
	static const uint16_t vids[] = { 10, 20 };

	v->net = new_switch(NETWORK_DEFAULT_FDB_MAX);
	fake_port_init(&v->a, "a");
	fake_port_init(&v->b, "b");
	fake_port_init(&v->t, "t");
	fake_port_init(&v->n, "n");
	fake_port_access(&v->a, 10);
	fake_port_access(&v->b, 20);
	fake_port_trunk(&v->t, 1, vids, 2);
	fake_port_access(&v->n, 1);
	network_attach(v->net, &v->a.port);
	network_attach(v->net, &v->b.port);
	network_attach(v->net, &v->t.port);
	network_attach(v->net, &v->n.port);
}

static void test_trunk_sees_all_with_tags(void **state)
{
	struct vnet v;
	size_t len, elen;

	vnet_setup(&v);
	len = frame(BCAST, MAC_A, 1);
	fake_port_inject(&v.a, buf, len);
	elen = tagged(expect, BCAST, MAC_A, 10, 1);
	assert_int_equal(v.t.n, 1);
	assert_true(fake_port_frame_is(&v.t, 0, expect, elen));
	assert_int_equal(v.b.n, 0);
	assert_int_equal(v.n.n, 0);

	len = frame(BCAST, MAC_B, 2);
	fake_port_inject(&v.b, buf, len);
	elen = tagged(expect, BCAST, MAC_B, 20, 2);
	assert_int_equal(v.t.n, 2);
	assert_true(fake_port_frame_is(&v.t, 1, expect, elen));
	assert_int_equal(v.a.n, 0);

	/* Native VLAN leaves the trunk untagged. */
	len = frame(BCAST, MAC_C, 3);
	fake_port_inject(&v.n, buf, len);
	assert_int_equal(v.t.n, 3);
	assert_true(fake_port_frame_is(&v.t, 2, buf, len));
	assert_int_equal(v.a.n + v.b.n, 0);

	/* Learned unicast toward the trunk keeps its tag. */
	fake_port_inject(&v.t, buf, tagged(buf, BCAST, MAC_X, 0x2000 | 10, 4));
	fake_port_clear(&v.t);
	len = frame(MAC_X, MAC_A, 5);
	fake_port_inject(&v.a, buf, len);
	elen = tagged(expect, MAC_X, MAC_A, 10, 5);
	assert_int_equal(v.t.n, 1);
	assert_true(fake_port_frame_is(&v.t, 0, expect, elen));
	network_free(v.net);
}

static void test_tag_pop_on_access_egress(void **state)
{
	struct vnet v;
	size_t len, elen;

	vnet_setup(&v);
	/* VLAN 10 with PCP 5 from the trunk: a gets it untagged. */
	len = tagged(buf, BCAST, MAC_X, 0xa000 | 10, 7);
	fake_port_inject(&v.t, buf, len);
	elen = frame(BCAST, MAC_X, 7);
	assert_int_equal(len, elen + 4);
	assert_int_equal(v.a.n, 1);
	assert_true(fake_port_frame_is(&v.a, 0, buf, elen));
	assert_int_equal(v.b.n + v.n.n, 0);

	/* Untagged on the trunk is native VLAN 1: only n gets it. */
	len = frame(BCAST, MAC_X, 8);
	fake_port_inject(&v.t, buf, len);
	assert_int_equal(v.n.n, 1);
	assert_true(fake_port_frame_is(&v.n, 0, buf, len));
	assert_int_equal(v.a.n, 1);
	assert_int_equal(v.b.n, 0);

	/* VLAN 20 tagged: only b, untagged. */
	len = tagged(buf, MAC_B, MAC_X, 20, 9);
	fake_port_inject(&v.t, buf, len);
	elen = frame(MAC_B, MAC_X, 9);
	assert_int_equal(v.b.n, 1);
	assert_true(fake_port_frame_is(&v.b, 0, buf, elen));

	/* A VLAN the trunk does not carry is dropped. */
	fake_port_inject(&v.t, buf, tagged(buf, BCAST, MAC_X, 30, 10));
	assert_int_equal(v.a.n + v.b.n + v.n.n, 3);
	network_free(v.net);
}

static void test_pcp_preserved(void **state)
{
	static const uint16_t vids[] = { 10, 20 };
	struct vnet v;
	struct fake_port t2;
	size_t len, elen;

	vnet_setup(&v);
	fake_port_init(&t2, "t2");
	fake_port_trunk(&t2, 0, vids, 2);
	network_attach(v.net, &t2.port);

	/* Priority tag (VID 0, PCP 6, DEI 1) on an access port: VLAN 10,
	 * and the trunks see PCP 6 and DEI with VID 10. */
	len = tagged(buf, BCAST, MAC_A, 0xd000, 1);
	fake_port_inject(&v.a, buf, len);
	elen = tagged(expect, BCAST, MAC_A, 0xd000 | 10, 1);
	assert_true(fake_port_frame_is(&v.t, 0, expect, elen));
	assert_true(fake_port_frame_is(&t2, 0, expect, elen));
	assert_int_equal(v.b.n + v.n.n, 0);

	/* Trunk to trunk: the frame goes through byte for byte. */
	len = tagged(buf, BCAST, MAC_X, 0x6000 | 20, 2);
	fake_port_inject(&v.t, buf, len);
	assert_true(fake_port_frame_is(&t2, 1, buf, len));
	/* ... and b gets it untagged. */
	elen = frame(BCAST, MAC_X, 2);
	assert_true(fake_port_frame_is(&v.b, 0, buf, elen));

	/* Priority tagged on a trunk without native VLAN: dropped. */
	fake_port_inject(&t2, buf, tagged(buf, BCAST, MAC_C, 0x2000, 3));
	assert_int_equal(v.t.n, 1);
	/* Untagged too. */
	fake_port_inject(&t2, buf, frame(BCAST, MAC_C, 4));
	assert_int_equal(v.t.n, 1);
	assert_int_equal(v.n.n, 0);
	network_free(v.net);
}

static void test_truncated_tag_dropped(void **state)
{
	struct vnet v;
	size_t len;

	vnet_setup(&v);
	for (len = 14; len < 18; len++) {
		memcpy(buf, BCAST, 6);
		memcpy(buf + 6, MAC_X, 6);
		wr16be(buf + 12, ETHERTYPE_VLAN);
		memset(buf + 14, 0, 4);
		buf[15] = 10;
		fake_port_inject(&v.t, buf, len);
	}
	assert_int_equal(v.t.port.stats.rx_drops, 4);
	assert_int_equal(v.a.n + v.b.n + v.n.n, 0);
	assert_int_equal(fdb_count(v.net->fdb), 0);

	/* 18 bytes hold the tag and the inner ethertype: forwarded, popped. */
	fake_port_inject(&v.t, buf, 18);
	assert_int_equal(v.a.n, 1);
	assert_int_equal(fake_port_frame(&v.a, 0, &len) != NULL, 1);
	assert_int_equal(len, 14);
	assert_memory_equal(fake_port_frame(&v.a, 0, NULL), buf, 12);
	assert_int_equal(v.t.port.stats.rx_drops, 4);
	network_free(v.net);
}

static void test_invalid_source_dropped(void **state)
{
	struct network *net = new_switch(NETWORK_DEFAULT_FDB_MAX);
	struct fake_port a, b;
	static const uint8_t zero[6];

	fake_port_attach(&a, "a", net);
	fake_port_attach(&b, "b", net);
	fake_port_inject(&a, buf, frame(BCAST, MCAST, 1));
	fake_port_inject(&a, buf, frame(BCAST, zero, 2));
	assert_int_equal(b.n, 0);
	assert_int_equal(a.port.stats.rx_drops, 2);
	assert_int_equal(fdb_count(net->fdb), 0);
	network_free(net);
}

/* Without port security (an uplink switch), the entry follows the latest
 * sender and the switch only warns. */
static void test_duplicate_mac_warned_once(void **state)
{
	struct network *net = new_switch(NETWORK_DEFAULT_FDB_MAX);
	struct fake_port a, b, c;
	int i;

	network_set_security(net, false, 0);

	fake_port_attach(&a, "a#1", net);
	fake_port_attach(&b, "b#1", net);
	fake_port_attach(&c, "c#1", net);

	for (i = 0; i < 10; i++) {
		fake_port_inject(&a, buf, frame(BCAST, MAC_QEMU, 1));
		fake_port_inject(&b, buf, frame(BCAST, MAC_QEMU, 2));
		fake_now += 10;
	}
	assert_int_equal(count_logs("duplicate MAC"), 1);
	assert_int_equal(count_logs("duplicate MAC 52:54:00:12:34:56 on switch sw0: "
				    "seen on port 'a#1' and port 'b#1'"), 1);
	assert_int_equal(count_logs("mac="), 1);
	assert_int_equal(fdb_stats(net->fdb)->duplicates, 19);
	/* The entry follows the latest sender. */
	assert_ptr_equal(fdb_lookup(net->fdb, MAC_QEMU, 1, fake_now), &b.port);

	/* A third guest with the same MAC is a new pair: one more warning,
	 * and rotating among all three adds nothing. */
	for (i = 0; i < 10; i++) {
		fake_port_inject(&c, buf, frame(BCAST, MAC_QEMU, 3));
		fake_port_inject(&a, buf, frame(BCAST, MAC_QEMU, 1));
		fake_port_inject(&b, buf, frame(BCAST, MAC_QEMU, 2));
	}
	assert_int_equal(count_logs("duplicate MAC"), 3);
	assert_int_equal(count_logs("port 'b#1' and port 'c#1'"), 1);
	assert_int_equal(count_logs("port 'c#1' and port 'a#1'"), 1);
	for (i = 0; i < (int)nlogs; i++)
		assert_int_equal(log_levels[i], LOG_LVL_WARN);
	network_free(net);
}

/* An Ethernet/IPv4 ARP frame from src claiming spa for sha. */
static size_t arp_frame(const uint8_t *src, const uint8_t *sha, uint32_t spa)
{
	static const uint8_t hdr[8] = { 0, 1, 8, 0, 6, 4, 0, 2 };
	uint8_t *a = buf + 14;

	memset(buf, 0, 60);
	memcpy(buf, BCAST, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = 0x08;
	buf[13] = 0x06;
	memcpy(a, hdr, 8);
	memcpy(a + 8, sha, 6);
	a[14] = (uint8_t)(spa >> 24);
	a[15] = (uint8_t)(spa >> 16);
	a[16] = (uint8_t)(spa >> 8);
	a[17] = (uint8_t)spa;
	return 60;
}

/* An unsolicited neighbour advertisement from src for the IPv6 address
 * whose last byte is last (fec0::last), to all nodes. */
static size_t na_frame(const uint8_t *src, uint8_t last)
{
	uint8_t *ip = buf + 14;

	memset(buf, 0, 14 + 40 + 32);
	memcpy(buf, (const uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 1 }, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = 0x86;
	buf[13] = 0xdd;
	ip[0] = 0x60;
	ip[5] = 32;
	ip[6] = 58;
	ip[7] = 255;
	ip[8] = 0xfe;
	ip[9] = 0x80;
	ip[24] = 0xff;
	ip[25] = 0x02;
	ip[39] = 1;
	ip[40] = 136;
	ip[44] = 0x20; /* override */
	ip[48] = 0xfe;
	ip[49] = 0xc0;
	ip[63] = last;
	ip[64] = 2;
	ip[65] = 1;
	memcpy(ip + 66, src, 6);
	return 14 + 40 + 32;
}

/* Port security (the default): a MAC fresh on a live port stays there,
 * the frames claiming it elsewhere are dropped, and the victim keeps its
 * unicast traffic. */
static void test_port_security_keeps_mac(void **state)
{
	struct network *net = new_switch(NETWORK_DEFAULT_FDB_MAX);
	struct fake_port v, a, c;
	int i;

	fake_port_attach(&v, "victim", net);
	fake_port_attach(&a, "attacker", net);
	fake_port_attach(&c, "c", net);
	fake_port_inject(&v, buf, frame(BCAST, MAC_A, 1));
	fake_port_clear(&a);
	fake_port_clear(&c);
	for (i = 0; i < 3; i++)
		fake_port_inject(&a, buf, frame(BCAST, MAC_A, 2));
	assert_int_equal(c.n, 0); /* not forwarded */
	assert_ptr_equal(fdb_lookup(net->fdb, MAC_A, 1, fake_now), &v.port);
	assert_int_equal(a.port.stats.sec_drops, 3);
	assert_int_equal(net->stats.sec_moved, 3);
	assert_int_equal(count_logs("port security keeps it on port 'victim'"), 1);
	fake_port_inject(&c, buf, frame(MAC_A, MAC_C, 3));
	assert_int_equal(v.n, 1);
	assert_int_equal(a.n, 0);

	/* Aged out, the MAC may move; so it may once the old port left. */
	fake_now += NETWORK_DEFAULT_AGING_S * 1000ull;
	fake_port_inject(&a, buf, frame(BCAST, MAC_A, 4));
	assert_ptr_equal(fdb_lookup(net->fdb, MAC_A, 1, fake_now), &a.port);
	network_detach(net, &a.port);
	fake_port_inject(&v, buf, frame(BCAST, MAC_A, 5));
	assert_ptr_equal(fdb_lookup(net->fdb, MAC_A, 1, fake_now), &v.port);
	network_free(net);
	port_close(&a.port);

	/* An uplink (port-security=off on the port) takes the MAC at once. */
	net = new_switch(NETWORK_DEFAULT_FDB_MAX);
	fake_port_attach(&v, "victim", net);
	fake_port_attach(&a, "uplink", net);
	a.port.sec.mode = PORT_SEC_OFF;
	fake_port_inject(&v, buf, frame(BCAST, MAC_A, 1));
	fake_port_inject(&a, buf, frame(BCAST, MAC_A, 2));
	assert_ptr_equal(fdb_lookup(net->fdb, MAC_A, 1, fake_now), &a.port);
	assert_int_equal(a.port.stats.sec_drops, 0);
	network_free(net);
}

static void test_port_security_mac_cap(void **state)
{
	struct network *net = new_switch(NETWORK_DEFAULT_FDB_MAX);
	struct fake_port v, a;
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };
	unsigned i;

	fake_port_attach(&v, "victim", net);
	fake_port_attach(&a, "attacker", net);
	for (i = 0; i < 100; i++) {
		mac[5] = (uint8_t)i;
		fake_port_inject(&a, buf, frame(BCAST, mac, 1));
	}
	assert_int_equal(v.n, NETWORK_DEFAULT_MAX_MACS_PER_PORT);
	assert_int_equal(fdb_count(net->fdb), NETWORK_DEFAULT_MAX_MACS_PER_PORT);
	assert_int_equal(net->stats.sec_cap, 100 - NETWORK_DEFAULT_MAX_MACS_PER_PORT);
	assert_int_equal(count_logs("max-macs-per-port"), 1);
	/* The victim learns as usual. */
	fake_port_inject(&v, buf, frame(BCAST, MAC_B, 2));
	assert_ptr_equal(fdb_lookup(net->fdb, MAC_B, 1, fake_now), &v.port);
	/* Once the attacker's MACs age out, it has room again. */
	fake_now += NETWORK_DEFAULT_AGING_S * 1000ull;
	network_age(net, fake_now);
	fake_port_inject(&a, buf, frame(BCAST, mac, 3));
	assert_ptr_equal(fdb_lookup(net->fdb, mac, 1, fake_now), &a.port);
	/* A switch-wide cap of 2. */
	network_set_security(net, true, 2);
	for (i = 0; i < 5; i++) {
		mac[4] = 1;
		mac[5] = (uint8_t)i;
		fake_port_inject(&v, buf, frame(BCAST, mac, 4));
	}
	assert_int_equal(v.port.stats.sec_drops, 3);
	network_free(net);
}

static void test_port_security_owned(void **state)
{
	static const struct port_owned gw = {
		.mac = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 },
		.ipv4 = { 0x0a000202, 0x0a000203 }, .n_ipv4 = 2,
		.ipv6 = { { 0xfe, 0xc0, [15] = 2 }, { 0xfe, 0xc0, [15] = 3 } }, .n_ipv6 = 2,
	};
	struct network *net = new_switch(NETWORK_DEFAULT_FDB_MAX);
	struct fake_port g, v, a;

	fake_port_init(&g, "gw");
	g.port.owned = &gw;
	network_attach(net, &g.port);
	fake_port_attach(&v, "victim", net);
	fake_port_attach(&a, "attacker", net);
	/* Even an uplink may not send from the gateway's MAC, before or
	 * after the gateway spoke. */
	a.port.sec.mode = PORT_SEC_OFF;
	fake_port_inject(&a, buf, frame(BCAST, gw.mac, 1));
	fake_port_inject(&g, buf, frame(BCAST, gw.mac, 2));
	fake_port_inject(&a, buf, frame(BCAST, gw.mac, 3));
	assert_int_equal(v.n, 1);
	assert_int_equal(net->stats.sec_local, 2);
	assert_ptr_equal(fdb_lookup(net->fdb, gw.mac, 1, fake_now), &g.port);

	/* Gratuitous ARP for 10.0.2.2 or .3 never reaches the victim. */
	fake_port_clear(&v);
	fake_port_inject(&a, buf, arp_frame(MAC_C, MAC_C, 0x0a000202));
	fake_port_inject(&a, buf, arp_frame(MAC_C, MAC_C, 0x0a000203));
	assert_int_equal(v.n, 0);
	assert_int_equal(net->stats.sec_arp, 2);
	/* The gateway itself may say so; a guest its own address. */
	fake_port_inject(&g, buf, arp_frame(gw.mac, gw.mac, 0x0a000202));
	fake_port_inject(&a, buf, arp_frame(MAC_C, MAC_C, 0x0a000210));
	assert_int_equal(v.n, 2);
	/* A locked port's ARP names its own source MAC. */
	a.port.sec.mode = PORT_SEC_ON;
	fake_port_inject(&a, buf, arp_frame(MAC_C, MAC_A, 0x0a000210));
	assert_int_equal(v.n, 2);
	assert_int_equal(net->stats.sec_arp, 3);
	/* Neighbour advertisements for fec0::2 or ::3 neither (NDP's
	 * gratuitous ARP), even from an unlocked port; fec0::15 passes. */
	a.port.sec.mode = PORT_SEC_OFF;
	fake_port_inject(&a, buf, na_frame(MAC_C, 2));
	fake_port_inject(&a, buf, na_frame(MAC_C, 3));
	assert_int_equal(v.n, 2);
	assert_int_equal(net->stats.sec_arp, 5);
	fake_port_inject(&a, buf, na_frame(MAC_C, 0x15));
	fake_port_inject(&g, buf, na_frame(gw.mac, 2));
	assert_int_equal(v.n, 4);
	network_detach(net, &g.port);
	/* Gone, the gateway protects nothing. */
	fake_port_inject(&a, buf, frame(BCAST, gw.mac, 4));
	assert_int_equal(v.n, 5);
	network_free(net);
	port_close(&g.port);
}

static void test_station(void **state)
{
	struct network *net = new_switch(NETWORK_DEFAULT_FDB_MAX);
	struct fake_port g, v, a;
	uint32_t sv, sa;

	fake_port_attach(&g, "gw", net);
	fake_port_attach(&v, "victim", net);
	fake_port_attach(&a, "attacker", net);
	assert_int_equal(port_sink_station(&g.port, MAC_A), 0);
	fake_port_inject(&v, buf, frame(BCAST, MAC_A, 1));
	fake_port_inject(&a, buf, frame(BCAST, MAC_B, 1));
	sv = port_sink_station(&g.port, MAC_A);
	sa = port_sink_station(&g.port, MAC_B);
	assert_true(sv && sa && sv != sa);
	/* A port that comes back is a new port. */
	network_detach(net, &v.port);
	assert_int_equal(port_sink_station(&g.port, MAC_A), 0);
	network_attach(net, &v.port);
	fake_port_inject(&v, buf, frame(BCAST, MAC_A, 1));
	assert_true(port_sink_station(&g.port, MAC_A) != sv);
	network_free(net);
}

static uint32_t left[4];
static unsigned nleft;

static void record_left(struct port *port, uint32_t station)
{
	if (nleft < 4)
		left[nleft++] = station;
}

/* A port leaving tells the stations that own a MAC (the gateway) which
 * station it was, so they drop its state at once; nobody else is told. */
static void test_station_left(void **state)
{
	static const struct port_owned gw = { .mac = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 } };
	struct network *net = new_switch(NETWORK_DEFAULT_FDB_MAX);
	struct port_ops ops;
	struct fake_port g, v, a;
	uint32_t sv;

	nleft = 0;
	fake_port_init(&g, "gw");
	ops = *g.port.ops;
	ops.station_left = record_left;
	g.port.ops = &ops;
	g.port.owned = &gw;
	network_attach(net, &g.port);
	fake_port_attach(&v, "victim", net);
	fake_port_attach(&a, "attacker", net);
	fake_port_inject(&v, buf, frame(BCAST, MAC_A, 1));
	sv = port_sink_station(&g.port, MAC_A);
	assert_true(sv != 0);
	network_detach(net, &v.port);
	assert_int_equal(nleft, 1);
	assert_int_equal(left[0], sv);
	/* The owner itself leaving tells nobody. */
	network_detach(net, &g.port);
	assert_int_equal(nleft, 1);
	network_detach(net, &a.port);
	assert_int_equal(nleft, 1);
	network_free(net);
	port_close(&v.port);
	port_close(&g.port);
	port_close(&a.port);
}

static void test_move_after_aging_is_not_duplicate(void **state)
{
	struct network *net = new_switch(NETWORK_DEFAULT_FDB_MAX);
	struct fake_port a, b;

	fake_port_attach(&a, "a", net);
	fake_port_attach(&b, "b", net);
	fake_port_inject(&a, buf, frame(BCAST, MAC_QEMU, 1));
	fake_now += NETWORK_DEFAULT_AGING_S * 1000ull;
	fake_port_inject(&b, buf, frame(BCAST, MAC_QEMU, 2));
	assert_int_equal(count_logs("duplicate"), 0);
	assert_int_equal(fdb_stats(net->fdb)->moved, 1);
	assert_ptr_equal(fdb_lookup(net->fdb, MAC_QEMU, 1, fake_now), &b.port);

	/* After the old port left, a fresh entry on a new port is no duplicate. */
	network_detach(net, &b.port);
	fake_port_inject(&a, buf, frame(BCAST, MAC_QEMU, 3));
	assert_int_equal(count_logs("duplicate"), 0);
	network_free(net);
	port_close(&b.port);
	assert_int_equal(b.destroyed, 1);
}

static void test_fdb_max(void **state)
{
	struct network *net = new_switch(4);
	struct fake_port a, b;
	uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0x00, 0x00 };
	int i;

	fake_port_attach(&a, "a", net);
	fake_port_attach(&b, "b", net);
	for (i = 0; i < 6; i++) {
		mac[5] = (uint8_t)i;
		fake_port_inject(&a, buf, frame(BCAST, mac, (uint8_t)i));
	}
	assert_int_equal(fdb_count(net->fdb), 4);
	assert_int_equal(net->stats.fdb_full, 2);
	/* Unlearned stations still get through. */
	assert_int_equal(b.n, 6);
	/* Traffic to an unlearned station is flooded, not lost. */
	mac[5] = 5;
	fake_port_inject(&b, buf, frame(mac, MAC_B, 9));
	assert_int_equal(a.n, 1);
	assert_int_equal(net->stats.fdb_full, 3);

	/* Once entries age out the table learns again. */
	fake_now += NETWORK_DEFAULT_AGING_S * 1000ull;
	fake_port_inject(&b, buf, frame(BCAST, MAC_B, 10));
	assert_non_null(fdb_lookup(net->fdb, MAC_B, 1, fake_now));
	network_free(net);
}

/* A full table is reported once per switch: the second switch filling up
 * is news, the same switch staying full is not. */
static void test_fdb_full_reported_per_switch(void **state)
{
	struct network *n0 = new_switch(2);
	struct network *n1 = network_new("sw1", NETWORK_SWITCH, NETWORK_DEFAULT_AGING_S, 2, NULL);
	struct fake_port a, b, c, d;
	uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0x00, 0x00 };
	int round, i;

	assert_non_null(n1);
	fdb_set_clock(n1->fdb, fake_clock);
	fake_port_attach(&a, "a", n0);
	fake_port_attach(&b, "b", n0);
	fake_port_attach(&c, "c", n1);
	fake_port_attach(&d, "d", n1);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 4; i++) {
			mac[5] = (uint8_t)i;
			fake_port_inject(&a, buf, frame(BCAST, mac, (uint8_t)i));
			fake_port_inject(&c, buf, frame(BCAST, mac, (uint8_t)i));
		}
		fake_now += 10;
	}
	assert_int_equal(n0->stats.fdb_full, 6);
	assert_int_equal(n1->stats.fdb_full, 6);
	assert_int_equal(count_logs("forwarding table full"), 2);
	assert_int_equal(count_logs("switch sw0: forwarding table full (2 entries)"), 1);
	assert_int_equal(count_logs("switch sw1: forwarding table full (2 entries)"), 1);
	network_free(n0);
	network_free(n1);
}

static void test_detach_flushes(void **state)
{
	struct network *net = new_switch(NETWORK_DEFAULT_FDB_MAX);
	struct fake_port a, b, c;
	size_t len;

	fake_port_attach(&a, "a", net);
	fake_port_attach(&b, "b", net);
	fake_port_attach(&c, "c", net);
	fake_port_inject(&a, buf, frame(BCAST, MAC_A, 0));
	fake_port_inject(&b, buf, frame(BCAST, MAC_B, 0));
	fake_port_clear(&a);
	fake_port_clear(&c);
	assert_int_equal(fdb_count(net->fdb), 2);

	network_detach(net, &a.port);
	assert_false(network_has_port(net, &a.port));
	assert_null(a.port.sink_ops);
	assert_int_equal(net->nports, 2);
	assert_int_equal(fdb_count(net->fdb), 1);
	assert_null(fdb_lookup(net->fdb, MAC_A, 1, fake_now));

	/* A is unknown now: flooded to c, never to the detached a. */
	len = frame(MAC_A, MAC_B, 1);
	fake_port_inject(&b, buf, len);
	assert_int_equal(a.n, 0);
	assert_true(fake_port_frame_is(&c, 0, buf, len));

	/* A detached port's frames go nowhere. */
	fake_port_inject(&a, buf, frame(BCAST, MAC_A, 2));
	assert_int_equal(b.n, 1);
	assert_int_equal(c.n, 1);
	assert_int_equal(a.port.stats.rx_drops, 1);

	/* port_close on an attached port detaches and flushes too. */
	port_close(&b.port);
	assert_int_equal(b.destroyed, 1);
	assert_int_equal(net->nports, 1);
	assert_int_equal(fdb_count(net->fdb), 0);

	network_free(net);
	assert_int_equal(c.destroyed, 1);
	assert_int_equal(a.destroyed, 0);
	port_close(&a.port);
}

static void test_networks_isolated(void **state)
{
	struct network *n1 = new_switch(16), *n2;
	struct fake_port a, b, c, d;

	n2 = network_new("sw1", NETWORK_HUB, 0, 0, NULL);
	n1->next = n2;
	assert_ptr_equal(network_find(n1, "sw1"), n2);
	assert_ptr_equal(network_find(n1, "sw0"), n1);
	assert_null(network_find(n1, "nope"));

	fake_port_attach(&a, "a", n1);
	fake_port_attach(&b, "b", n1);
	fake_port_attach(&c, "c", n2);
	fake_port_attach(&d, "d", n2);
	fake_port_inject(&a, buf, frame(BCAST, MAC_A, 1));
	fake_port_inject(&c, buf, frame(BCAST, MAC_C, 2));
	assert_int_equal(b.n, 1);
	assert_int_equal(d.n, 1);
	assert_int_equal(a.n + c.n, 0);
	assert_memory_equal(fake_port_frame(&b, 0, NULL) + 6, MAC_A, 6);
	assert_memory_equal(fake_port_frame(&d, 0, NULL) + 6, MAC_C, 6);

	/* Re-attaching to another network leaves the first. */
	network_attach(n2, &b.port);
	assert_int_equal(n1->nports, 1);
	assert_int_equal(n2->nports, 3);
	assert_int_equal(fdb_count(n1->fdb), 1);
	network_free(n1);
	network_free(n2);
}

/* A transmit that synchronously feeds a frame back into the switch (what a
 * gateway answering ARP inline would do) must not corrupt the frame the
 * outer flood is still delivering. */
static struct fake_port *reenter_from;
static uint8_t reenter_buf[128];
static size_t reenter_len;

static void reenter(struct fake_port *fp, const uint8_t *f, size_t len)
{
	struct fake_port *from = reenter_from;

	if (!from)
		return;
	reenter_from = NULL;
	fake_port_inject(from, reenter_buf, reenter_len);
}

static void test_reentrant_transmit(void **state)
{
	static const uint16_t vids[] = { 10 };
	struct network *net = new_switch(16);
	struct fake_port a, t, g, c;
	size_t len, e1, e2;
	uint8_t exp2[128];

	fake_port_init(&a, "a");
	fake_port_init(&t, "t");
	fake_port_init(&g, "g");
	fake_port_init(&c, "c");
	fake_port_access(&a, 10);
	fake_port_trunk(&t, 1, vids, 1);
	fake_port_access(&g, 10);
	fake_port_trunk(&c, 1, vids, 1);
	network_attach(net, &a.port);
	network_attach(net, &t.port);
	network_attach(net, &g.port);
	network_attach(net, &c.port);

	reenter_len = fake_frame_build(reenter_buf, BCAST, MAC_B, false, 0, 0x0806, 28, 0x55);
	reenter_from = &g;
	t.on_transmit = reenter;

	len = frame(BCAST, MAC_A, 1);
	fake_port_inject(&a, buf, len);
	e1 = tagged(expect, BCAST, MAC_A, 10, 1);
	e2 = fake_frame_build(exp2, BCAST, MAC_B, true, 10, 0x0806, 28, 0x55);

	/* t: outer (tagged A), then nested (tagged G). */
	assert_int_equal(t.n, 2);
	assert_true(fake_port_frame_is(&t, 0, expect, e1));
	assert_true(fake_port_frame_is(&t, 1, exp2, e2));
	/* c gets the nested frame first, then the outer one, both intact. */
	assert_int_equal(c.n, 2);
	assert_true(fake_port_frame_is(&c, 0, exp2, e2));
	assert_true(fake_port_frame_is(&c, 1, expect, e1));
	assert_true(fake_port_frame_is(&g, 0, buf, len));
	assert_true(fake_port_frame_is(&a, 0, reenter_buf, reenter_len));
	network_free(net);
}

static void test_oversized_push_dropped(void **state)
{
	static uint8_t big[FRAME_MAX];
	static const uint16_t vids[] = { 10 };
	struct network *net = new_switch(16);
	struct fake_port a, b, t;
	size_t len;

	fake_port_init(&a, "a");
	fake_port_init(&b, "b");
	fake_port_init(&t, "t");
	fake_port_access(&a, 10);
	fake_port_access(&b, 10);
	fake_port_trunk(&t, 1, vids, 1);
	network_attach(net, &a.port);
	network_attach(net, &b.port);
	network_attach(net, &t.port);
	len = fake_frame_build(big, BCAST, MAC_A, false, 0, 0x0800, FRAME_MAX - 14, 1);
	assert_int_equal(len, FRAME_MAX);
	fake_port_inject(&a, big, len);
	assert_true(fake_port_frame_is(&b, 0, big, len));
	assert_int_equal(t.n, 0);
	assert_int_equal(t.port.stats.tx_drops, 1);
	network_free(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hub_copies_to_all_others, setup, teardown),
		cmocka_unit_test_setup_teardown(test_learn_and_unicast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_bcast_mcast_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_back_to_ingress, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aging_timer_with_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vlan_access_isolation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trunk_sees_all_with_tags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tag_pop_on_access_egress, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pcp_preserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_tag_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_source_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_mac_warned_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move_after_aging_is_not_duplicate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_security_keeps_mac, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_security_mac_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_security_owned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_station_left, setup, teardown),
		cmocka_unit_test_setup_teardown(test_station, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fdb_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fdb_full_reported_per_switch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach_flushes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_networks_isolated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reentrant_transmit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_push_dropped, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
