/* SPDX-License-Identifier: MIT
 *
 * test_fdb.c - the forwarding database on its own: learning results,
 * staleness, duplicates, flushing, and a randomized run against a trivially
 * correct model to exercise probing and backward-shift deletion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/port.h"
#include "fabric/fdb.h"

static struct port ports[4];

static void mac_n(uint8_t *mac, unsigned n)
{
	mac[0] = 0x52;
	mac[1] = 0x54;
	mac[2] = 0;
	mac[3] = (uint8_t)(n >> 16);
	mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

static void test_learn_lookup(void **state)
{
	struct fdb *fdb = fdb_new(16, 10);
	uint8_t m[6], mc[6] = { 0x01, 0, 0x5e, 0, 0, 1 }, zero[6] = { 0 };
	struct port *prev = NULL;

	assert_non_null(fdb);
	mac_n(m, 1);
	assert_null(fdb_lookup(fdb, m, 1, 0));
	assert_int_equal(fdb_learn(fdb, m, 1, &ports[0], 100, &prev), FDB_LEARNED);
	assert_ptr_equal(fdb_lookup(fdb, m, 1, 100), &ports[0]);
	/* Same MAC, other VLAN: a different station as far as we care. */
	assert_null(fdb_lookup(fdb, m, 2, 100));
	assert_int_equal(fdb_learn(fdb, m, 2, &ports[1], 100, &prev), FDB_LEARNED);
	assert_ptr_equal(fdb_lookup(fdb, m, 2, 100), &ports[1]);
	assert_ptr_equal(fdb_lookup(fdb, m, 1, 100), &ports[0]);
	assert_int_equal(fdb_count(fdb), 2);

	assert_int_equal(fdb_learn(fdb, m, 1, &ports[0], 5000, &prev), FDB_REFRESHED);
	assert_int_equal(fdb_learn(fdb, mc, 1, &ports[0], 5000, &prev), FDB_INVALID);
	assert_int_equal(fdb_learn(fdb, zero, 1, &ports[0], 5000, &prev), FDB_INVALID);
	assert_int_equal(fdb_learn(fdb, m, 1, NULL, 5000, &prev), FDB_INVALID);
	assert_int_equal(fdb_count(fdb), 2);

	/* Stale at exactly aging; the refresh at 5000 counts. */
	assert_non_null(fdb_lookup(fdb, m, 1, 14999));
	assert_null(fdb_lookup(fdb, m, 1, 15000));
	assert_null(fdb_lookup(fdb, m, 2, 10100));
	assert_int_equal(fdb_age(fdb, 10100), 1);
	assert_int_equal(fdb_count(fdb), 1);
	assert_int_equal(fdb_stats(fdb)->aged, 1);
	fdb_free(fdb);
}

static void test_moves_and_duplicates(void **state)
{
	struct fdb *fdb = fdb_new(128, 10);
	struct port *prev = NULL;
	uint8_t m[6];
	unsigned i;

	mac_n(m, 7);
	assert_int_equal(fdb_learn(fdb, m, 1, &ports[0], 0, NULL), FDB_LEARNED);
	assert_int_equal(fdb_learn(fdb, m, 1, &ports[1], 100, &prev), FDB_DUPLICATE);
	assert_ptr_equal(prev, &ports[0]);
	assert_ptr_equal(fdb_lookup(fdb, m, 1, 100), &ports[1]);
	assert_int_equal(fdb_learn(fdb, m, 1, &ports[0], 200, &prev), FDB_DUPLICATE_SEEN);
	assert_ptr_equal(prev, &ports[1]);
	assert_int_equal(fdb_learn(fdb, m, 1, &ports[1], 300, &prev), FDB_DUPLICATE_SEEN);
	assert_int_equal(fdb_learn(fdb, m, 1, &ports[2], 400, &prev), FDB_DUPLICATE);
	assert_int_equal(fdb_learn(fdb, m, 1, &ports[0], 500, &prev), FDB_DUPLICATE);
	assert_int_equal(fdb_learn(fdb, m, 1, &ports[1], 600, &prev), FDB_DUPLICATE_SEEN);
	assert_int_equal(fdb_learn(fdb, m, 1, &ports[2], 700, &prev), FDB_DUPLICATE_SEEN);

	/* Stale entry: a move, not a duplicate. */
	assert_int_equal(fdb_learn(fdb, m, 1, &ports[3], 10700, &prev), FDB_MOVED);
	assert_ptr_equal(prev, &ports[2]);
	assert_int_equal(fdb_stats(fdb)->moved, 1);

	/* Flushing a port forgets the pairs naming it: a new port at the same
	 * address is reported again. */
	fdb_flush_port(fdb, &ports[0]);
	assert_int_equal(fdb_learn(fdb, m, 1, &ports[0], 10800, &prev), FDB_DUPLICATE);

	/* Memory for pairs is bounded. */
	for (i = 100; i < 100 + FDB_DUP_MAX; i++) {
		mac_n(m, i);
		fdb_learn(fdb, m, 1, &ports[0], 20000, NULL);
		fdb_learn(fdb, m, 1, &ports[1], 20000, NULL);
	}
	mac_n(m, 99);
	fdb_learn(fdb, m, 1, &ports[0], 20000, NULL);
	assert_int_equal(fdb_learn(fdb, m, 1, &ports[1], 20000, NULL), FDB_DUPLICATE_UNTRACKED);
	fdb_free(fdb);
}

static void test_full_and_stale_reuse(void **state)
{
	struct fdb *fdb = fdb_new(8, 10);
	uint8_t m[6];
	unsigned i;

	for (i = 0; i < 8; i++) {
		mac_n(m, i);
		assert_int_equal(fdb_learn(fdb, m, 1, &ports[0], 0, NULL), FDB_LEARNED);
	}
	mac_n(m, 100);
	assert_int_equal(fdb_learn(fdb, m, 1, &ports[0], 0, NULL), FDB_FULL);
	assert_int_equal(fdb_stats(fdb)->full, 1);
	/* Known MACs still refresh while full. */
	mac_n(m, 3);
	assert_int_equal(fdb_learn(fdb, m, 1, &ports[1], 9000, NULL), FDB_DUPLICATE);
	assert_int_equal(fdb_count(fdb), 8);
	/* After a sweep there is room again; the refreshed one stays. */
	assert_int_equal(fdb_age(fdb, 10000), 7);
	mac_n(m, 3);
	assert_ptr_equal(fdb_lookup(fdb, m, 1, 10000), &ports[1]);
	mac_n(m, 100);
	assert_int_equal(fdb_learn(fdb, m, 1, &ports[0], 10000, NULL), FDB_LEARNED);

	/* A zero limit never learns. */
	fdb_free(fdb);
	fdb = fdb_new(0, 10);
	assert_int_equal(fdb_learn(fdb, m, 1, &ports[0], 0, NULL), FDB_FULL);
	assert_null(fdb_lookup(fdb, m, 1, 0));
	fdb_free(fdb);
}

static void test_port_macs_and_flush(void **state)
{
	struct fdb *fdb = fdb_new(64, 0);
	uint8_t m[6], macs[8][6];
	uint16_t vids[8];
	unsigned i, seen = 0;
	size_t n;

	for (i = 0; i < 20; i++) {
		mac_n(m, i);
		fdb_learn(fdb, m, (uint16_t)(1 + i % 3), &ports[i % 2], 0, NULL);
	}
	n = fdb_port_macs(fdb, &ports[0], macs, vids, 8);
	assert_int_equal(n, 8);
	n = fdb_port_macs(fdb, &ports[1], macs, vids, 8);
	assert_int_equal(n, 8);
	for (i = 0; i < n; i++) {
		assert_int_equal(macs[i][5] % 2, 1);
		assert_int_equal(vids[i], 1 + macs[i][5] % 3);
		seen |= 1u << (macs[i][5] / 2);
	}
	assert_int_equal(__builtin_popcount(seen), 8);
	assert_int_equal(fdb_port_macs(fdb, &ports[1], macs, NULL, 8), 8);
	assert_int_equal(fdb_port_macs(fdb, &ports[2], macs, vids, 8), 0);

	/* aging 0: nothing ever goes stale. */
	assert_int_equal(fdb_age(fdb, UINT64_MAX / 2), 0);
	mac_n(m, 0);
	assert_non_null(fdb_lookup(fdb, m, 1, UINT64_MAX / 2));

	assert_int_equal(fdb_flush_port(fdb, &ports[0]), 10);
	assert_int_equal(fdb_count(fdb), 10);
	for (i = 0; i < 20; i++) {
		mac_n(m, i);
		if (i % 2)
			assert_ptr_equal(fdb_lookup(fdb, m, (uint16_t)(1 + i % 3), 0), &ports[1]);
		else
			assert_null(fdb_lookup(fdb, m, (uint16_t)(1 + i % 3), 0));
	}
	fdb_free(fdb);
}

/* Randomized: a model that is an array indexed by MAC number. */
#define POOL 300
struct model {
	struct port *port;
	uint64_t seen;
};

static void walk_count(void *ctx, const uint8_t *mac, uint16_t vid, const struct port *p,
		       uint64_t last)
{
	(*(size_t *)ctx)++;
}

static void test_random_against_model(void **state)
{
	const unsigned max = 64;
	const uint64_t aging = 10000;
	struct fdb *fdb = fdb_new(max, 10);
	struct model model[POOL];
	uint64_t now = 1;
	unsigned step, i, count = 0;
	uint8_t m[6];

	memset(model, 0, sizeof(model));
	srand(12345);
	for (step = 0; step < 200000; step++) {
		unsigned op = (unsigned)rand() % 100, n = (unsigned)rand() % POOL;
		struct port *p = &ports[rand() % 4];

		if (op < 80) {
			enum fdb_learn_result r;

			mac_n(m, n);
			r = fdb_learn(fdb, m, 1, p, now, NULL);
			if (model[n].port) {
				assert_int_not_equal(r, FDB_FULL);
				model[n].port = p;
				model[n].seen = now;
			} else if (count < max) {
				assert_int_equal(r, FDB_LEARNED);
				model[n].port = p;
				model[n].seen = now;
				count++;
			} else {
				assert_int_equal(r, FDB_FULL);
			}
		} else if (op < 95) {
			/* Time passes; sweep so no stale entry is left unswept. */
			size_t aged = 0;

			now += (uint64_t)(rand() % 500);
			for (i = 0; i < POOL; i++) {
				if (model[i].port && now - model[i].seen >= aging) {
					model[i].port = NULL;
					count--;
					aged++;
				}
			}
			assert_int_equal(fdb_age(fdb, now), aged);
		} else {
			size_t flushed = 0;

			for (i = 0; i < POOL; i++) {
				if (model[i].port == p) {
					model[i].port = NULL;
					count--;
					flushed++;
				}
			}
			assert_int_equal(fdb_flush_port(fdb, p), flushed);
		}
		if (step % 97 == 0 || op >= 80) {
			size_t walked = 0;

			assert_int_equal(fdb_count(fdb), count);
			fdb_walk(fdb, walk_count, &walked);
			assert_int_equal(walked, count);
			for (i = 0; i < POOL; i++) {
				mac_n(m, i);
				assert_ptr_equal(fdb_lookup(fdb, m, 1, now), model[i].port);
			}
		}
	}
	fdb_free(fdb);
}

/* The guard's counter follows every insert, move, reuse and removal. */
static void test_guard_counts(void **state)
{
	struct fdb *fdb = fdb_new(64, 10);
	unsigned c0 = 0, c1 = 0, i;
	struct fdb_guard g0 = { .locked = true, .max = 3, .count = &c0 };
	struct fdb_guard g1 = { .locked = true, .max = 3, .count = &c1 };
	uint8_t m[6];

	for (i = 0; i < 5; i++) {
		mac_n(m, i);
		assert_int_equal(fdb_learn_guarded(fdb, m, 1, &ports[0], 100, NULL, &g0),
				 i < 3 ? FDB_LEARNED : FDB_PORT_FULL);
	}
	assert_int_equal(c0, 3);
	assert_int_equal(fdb_stats(fdb)->port_full, 2);
	/* Locked: a fresh entry stays, reported as a duplicate. */
	mac_n(m, 0);
	assert_int_equal(fdb_learn_guarded(fdb, m, 1, &ports[1], 200, NULL, &g1), FDB_DUPLICATE);
	assert_true(g1.refused);
	assert_ptr_equal(fdb_lookup(fdb, m, 1, 200), &ports[0]);
	assert_int_equal(c1, 0);
	/* Stale: it moves, and the count with it. */
	assert_int_equal(fdb_learn_guarded(fdb, m, 1, &ports[1], 20000, NULL, &g1), FDB_MOVED);
	assert_false(g1.refused);
	assert_int_equal(c0, 2);
	assert_int_equal(c1, 1);
	/* A stale slot reused by another port's MAC; aging; flushing. */
	assert_int_equal(fdb_age(fdb, 20000), 2);
	assert_int_equal(c0, 0);
	mac_n(m, 7);
	assert_int_equal(fdb_learn_guarded(fdb, m, 1, &ports[0], 20000, NULL, &g0), FDB_LEARNED);
	assert_int_equal(c0, 1);
	assert_int_equal(fdb_flush_port(fdb, &ports[1]), 1);
	assert_int_equal(c1, 0);
	assert_int_equal(fdb_count(fdb), 1);
	fdb_free(fdb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_lookup),
		cmocka_unit_test(test_moves_and_duplicates),
		cmocka_unit_test(test_guard_counts),
		cmocka_unit_test(test_full_and_stale_reuse),
		cmocka_unit_test(test_port_macs_and_flush),
		cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
