/* SPDX-License-Identifier: MIT
 *
 * test_gw_quota.c - per-guest shares of the gateway's tables
 * (gateway/quota.h), on a table of 8 entries kept by the test: a guest
 * alone may fill it; with another guest active, one holding its share is
 * refused (counted once per refusal, per table) while the other is not; a
 * late guest finding the table full makes room by evicting the oldest
 * entry of the guest beyond its share; a port leaving evicts all of its
 * entries; max-*-per-guest= parsing and its error naming the key. The
 * real tables are driven through the gateway by test_gw_frames.c and
 * tests/integration/tenant_quota.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "config/keyval.h"
#include "gateway/quota.h"

#define SIZE 8

/* A table: entry i holds station st[i] (0: free), oldest first. */
struct table {
	struct gw_quota *q;
	uint32_t st[SIZE];
	unsigned evicted;
};

static bool evict(void *ctx, uint32_t station, bool all)
{
	struct table *t = ctx;
	bool freed = false;

	for (unsigned i = 0; i < SIZE; i++) {
		if (t->st[i] != station)
			continue;
		t->st[i] = 0;
		gw_quota_put(t->q, GW_QUOTA_UDP, station);
		t->evicted++;
		freed = true;
		if (!all)
			break;
	}
	return freed;
}

/* Fill one entry for station as the UDP NAT does; false: refused. */
static bool fill(struct table *t, uint32_t station, uint64_t now)
{
	if (!gw_quota_take_for(t->q, GW_QUOTA_UDP, station, now, false))
		return false;
	for (unsigned i = 0; i < SIZE; i++) {
		if (!t->st[i]) {
			t->st[i] = station;
			return true;
		}
	}
	gw_quota_put(t->q, GW_QUOTA_UDP, station); /* full: as the table says */
	return false;
}

static void setup_table(struct gw_quota *q, struct table *t)
{
	memset(t, 0, sizeof(*t));
	gw_quota_init(q, NULL, NULL);
	t->q = q;
	gw_quota_table(q, GW_QUOTA_UDP, SIZE, evict, t);
}

static void test_share_while_other_active(void **state)
{
	struct gw_quota q;
	struct table t;

	(void)state;
	setup_table(&q, &t);
	assert_int_equal(gw_quota_share(&q, GW_QUOTA_UDP), SIZE / 2);
	/* Guest 1 takes 4 (its share): nobody else is active, 5 works too. */
	for (int i = 0; i < 5; i++)
		assert_true(fill(&t, 1, 1000));
	/* Guest 2 becomes active by holding one entry. */
	assert_true(fill(&t, 2, 1000));
	assert_false(fill(&t, 1, 1001));
	assert_int_equal(q.refused[GW_QUOTA_UDP], 1);
	/* Guest 2 is not limited by guest 1's share. */
	assert_true(fill(&t, 2, 1002));
	assert_int_equal(gw_quota_held(&q, GW_QUOTA_UDP, 1), 5);
	assert_int_equal(gw_quota_held(&q, GW_QUOTA_UDP, 2), 2);
	/* Guest 2 frees everything; it stays active for the window... */
	evict(&t, 2, true);
	assert_false(fill(&t, 1, 1000 + GW_QUOTA_ACTIVE_MS - 1));
	/* ...and after it guest 1 is alone again. */
	assert_true(fill(&t, 1, 1002 + GW_QUOTA_ACTIVE_MS));
	assert_int_equal(q.refused[GW_QUOTA_UDP], 2);
}

static void test_late_guest_reclaims(void **state)
{
	struct gw_quota q;
	struct table t;

	(void)state;
	setup_table(&q, &t);
	for (int i = 0; i < SIZE; i++)
		assert_true(fill(&t, 7, 10));
	assert_false(fill(&t, 7, 11)); /* the table is full */
	/* A second guest finds it full: guest 7's oldest entry makes room. */
	assert_true(fill(&t, 9, 20));
	assert_int_equal(q.reclaimed, 1);
	assert_int_equal(t.st[0], 9);
	assert_int_equal(gw_quota_held(&q, GW_QUOTA_UDP, 7), SIZE - 1);
	/* Up to its share (4) it keeps taking from guest 7. */
	for (int i = 0; i < 3; i++)
		assert_true(fill(&t, 9, 21));
	assert_int_equal(gw_quota_held(&q, GW_QUOTA_UDP, 9), SIZE / 2);
	assert_int_equal(gw_quota_held(&q, GW_QUOTA_UDP, 7), SIZE / 2);
	/* Now both hold their share: neither gets more, nothing is evicted. */
	assert_false(fill(&t, 9, 22));
	assert_false(fill(&t, 7, 22));
	assert_int_equal(q.reclaimed, 4);
}

static void test_port_left(void **state)
{
	struct gw_quota q;
	struct table t;

	(void)state;
	setup_table(&q, &t);
	for (int i = 0; i < 3; i++)
		assert_true(fill(&t, 3, 5));
	assert_true(fill(&t, 4, 5));
	gw_quota_left(&q, 3);
	assert_int_equal(q.left_closed, 3);
	assert_int_equal(gw_quota_held(&q, GW_QUOTA_UDP, 3), 0);
	assert_int_equal(q.used[GW_QUOTA_UDP], 1);
	for (unsigned i = 0; i < SIZE; i++)
		assert_true(t.st[i] == 0 || t.st[i] == 4);
	/* Unknown stations and station 0 are no-ops. */
	gw_quota_left(&q, 0);
	gw_quota_left(&q, 99);
	assert_int_equal(q.used[GW_QUOTA_UDP], 1);
}

static void test_station_zero_unlimited(void **state)
{
	struct gw_quota q;
	struct table t;

	(void)state;
	setup_table(&q, &t);
	assert_true(fill(&t, 5, 0));
	for (int i = 0; i < SIZE - 1; i++)
		assert_true(fill(&t, 0, 0));
	assert_int_equal(q.used[GW_QUOTA_UDP], SIZE);
	assert_int_equal(q.refused[GW_QUOTA_UDP], 0);
	/* A NULL quota (a module built alone) always says yes. */
	assert_true(gw_quota_take_for(NULL, GW_QUOTA_TCP, 1, 0, false));
	gw_quota_put(NULL, GW_QUOTA_TCP, 1);
}

static void test_parse(void **state)
{
	struct gw_quota_limit lim[GW_QUOTA_TABLES], l;
	struct kvlist kv;
	char err[256];

	(void)state;
	assert_int_equal(gw_quota_parse("25%", 100, &l), 0);
	assert_true(l.percent);
	assert_int_equal(l.value, 25);
	assert_int_equal(gw_quota_parse("12", 100, &l), 0);
	assert_false(l.percent);
	assert_int_equal(gw_quota_parse("0", 100, &l), -1);
	assert_int_equal(gw_quota_parse("101%", 100, &l), -1);
	assert_int_equal(gw_quota_parse("0%", 100, &l), -1);
	assert_int_equal(gw_quota_parse("-1", 100, &l), -1);
	assert_int_equal(gw_quota_parse("5x", 100, &l), -1);
	assert_int_equal(gw_quota_parse("", 100, &l), -1);

	gw_quota_defaults(lim);
	assert_int_equal(kv_parse(&kv, "-netdev", "user,max-flows-per-guest=10,max-dns-per-guest=75%",
				  "type", err, sizeof(err)), 0);
	assert_int_equal(gw_quota_parse_keys(lim, &kv, err, sizeof(err)), 0);
	assert_int_equal(lim[GW_QUOTA_TCP].value, 10);
	assert_false(lim[GW_QUOTA_ICMP].percent);
	assert_int_equal(lim[GW_QUOTA_DNS].value, 75);
	assert_true(lim[GW_QUOTA_DNS].percent);
	assert_int_equal(lim[GW_QUOTA_FRAG].value, GW_QUOTA_DEFAULT_PERCENT);
	kv_free(&kv);

	assert_int_equal(kv_parse(&kv, "-netdev", "user,max-frags-per-guest=half", "type", err,
				  sizeof(err)), 0);
	assert_int_equal(gw_quota_parse_keys(lim, &kv, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "max-frags-per-guest"));
	kv_free(&kv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_share_while_other_active),
		cmocka_unit_test(test_late_guest_reclaims),
		cmocka_unit_test(test_port_left),
		cmocka_unit_test(test_station_zero_unlimited),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
