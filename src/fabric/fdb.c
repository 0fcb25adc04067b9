/* SPDX-License-Identifier: MIT
 *
 * fdb.c - see fdb.h for the theory of operation.
 *
 * An empty slot has port == NULL. Keys pack the MAC into the low 48 bits
 * and the VID above it, so comparing and hashing is one 64-bit operation.
 */
#include "fabric/fdb.h"
#include "core/frame.h"
#include "core/loop.h"

#include <stdlib.h>
#include <sys/random.h>

struct fdb_entry {
	uint64_t key;
	struct port *port;
	uint64_t last_seen_ms;
	unsigned *count; /* the port's entry counter (fdb_guard), or NULL */
};

struct fdb {
	struct fdb_entry *slots;
	size_t mask;  /* slots - 1, slots a power of two */
	size_t count;
	unsigned max;
	uint64_t aging_ms; /* 0: never stale */
	uint64_t seed;
	uint64_t (*clock)(void);
	struct fdb_stats stats;
	/* Duplicate pairs already reported. Consulted only when a fresh entry
	 * changes port, which is rare unless two stations fight over a MAC. */
	struct fdb_dup {
		uint64_t key;
		const struct port *a, *b;
	} dups[FDB_DUP_MAX];
	unsigned ndups;
};

static uint64_t fdb_key(const uint8_t *mac, uint16_t vid)
{
	return (uint64_t)mac[0] << 40 | (uint64_t)mac[1] << 32 | (uint64_t)mac[2] << 24 |
	       (uint64_t)mac[3] << 16 | (uint64_t)mac[4] << 8 | mac[5] |
	       (uint64_t)(vid & 0xfff) << 48;
}

static void key_mac(uint64_t key, uint8_t *mac)
{
	int i;

	for (i = 5; i >= 0; i--, key >>= 8)
		mac[i] = (uint8_t)key;
}

static uint16_t key_vid(uint64_t key) { return (uint16_t)(key >> 48 & 0xfff); }

/* splitmix64's finalizer: every key bit affects every index bit. */
static size_t fdb_slot(const struct fdb *fdb, uint64_t key)
{
	uint64_t z = key ^ fdb->seed;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (size_t)z & fdb->mask;
}

static bool entry_stale(const struct fdb *fdb, const struct fdb_entry *e, uint64_t now)
{
	/* A clock that went backwards (test clocks) must not make entries stale. */
	return fdb->aging_ms && now > e->last_seen_ms && now - e->last_seen_ms >= fdb->aging_ms;
}

struct fdb *fdb_new(unsigned max, unsigned aging_s)
{
	struct fdb *fdb = calloc(1, sizeof(*fdb));
	size_t slots = 16;

	if (!fdb)
		return NULL;
	while (slots < (size_t)max * 2)
		slots <<= 1;
	fdb->slots = calloc(slots, sizeof(*fdb->slots));
	if (!fdb->slots) {
		free(fdb);
		return NULL;
	}
	fdb->mask = slots - 1;
	fdb->max = max;
	fdb->aging_ms = (uint64_t)aging_s * 1000;
	fdb->clock = ev_now_ms;
	if (getrandom(&fdb->seed, sizeof(fdb->seed), GRND_NONBLOCK) != sizeof(fdb->seed))
		fdb->seed = ev_now_ms() * 0x9e3779b97f4a7c15ULL ^ (uintptr_t)fdb;
	return fdb;
}

void fdb_free(struct fdb *fdb)
{
	if (!fdb)
		return;
	free(fdb->slots);
	free(fdb);
}

void fdb_set_clock(struct fdb *fdb, uint64_t (*clock)(void))
{
	fdb->clock = clock ? clock : ev_now_ms;
}

uint64_t fdb_now(const struct fdb *fdb) { return fdb->clock(); }

static struct fdb_entry *fdb_find(const struct fdb *fdb, uint64_t key)
{
	size_t i = fdb_slot(fdb, key);

	/* Load factor <= 1/2 guarantees an empty slot ends the probe. */
	for (;; i = (i + 1) & fdb->mask) {
		struct fdb_entry *e = &fdb->slots[i];

		if (!e->port)
			return NULL;
		if (e->key == key)
			return e;
	}
}

/* Backward shift deletion: pull later members of the cluster into the hole
 * unless that would move them before their home slot. */
static void entry_uncount(struct fdb_entry *e)
{
	if (e->count && *e->count)
		(*e->count)--;
	e->count = NULL;
}

static void fdb_remove_at(struct fdb *fdb, size_t hole)
{
	size_t i = hole;

	entry_uncount(&fdb->slots[hole]);
	for (;;) {
		struct fdb_entry *e;
		size_t home;

		i = (i + 1) & fdb->mask;
		e = &fdb->slots[i];
		if (!e->port)
			break;
		home = fdb_slot(fdb, e->key);
		/* Can e live at hole? Only if home is cyclically outside (hole, i]. */
		if (((i - home) & fdb->mask) >= ((i - hole) & fdb->mask)) {
			fdb->slots[hole] = *e;
			hole = i;
		}
	}
	fdb->slots[hole] = (struct fdb_entry){ 0 };
	fdb->count--;
}

/* Has the unordered pair (a, b) been reported for key? Record it if not. */
static enum fdb_learn_result fdb_dup_note(struct fdb *fdb, uint64_t key,
					  const struct port *a, const struct port *b)
{
	unsigned i;

	for (i = 0; i < fdb->ndups; i++) {
		const struct fdb_dup *d = &fdb->dups[i];

		if (d->key == key && ((d->a == a && d->b == b) || (d->a == b && d->b == a)))
			return FDB_DUPLICATE_SEEN;
	}
	if (fdb->ndups == FDB_DUP_MAX)
		return FDB_DUPLICATE_UNTRACKED;
	fdb->dups[fdb->ndups++] = (struct fdb_dup){ .key = key, .a = a, .b = b };
	return FDB_DUPLICATE;
}

/* May port take one more entry under its guard? */
static bool guard_room(struct fdb *fdb, const struct fdb_guard *g)
{
	if (!g || !g->max || !g->count || *g->count < g->max)
		return true;
	fdb->stats.port_full++;
	return false;
}

/* e now belongs to port (under guard g): move its count over. */
static void entry_own(struct fdb_entry *e, struct port *port, uint64_t now,
		      const struct fdb_guard *g)
{
	entry_uncount(e);
	e->port = port;
	e->last_seen_ms = now;
	e->count = g ? g->count : NULL;
	if (e->count)
		(*e->count)++;
}

enum fdb_learn_result fdb_learn_guarded(struct fdb *fdb, const uint8_t *mac, uint16_t vid,
					struct port *port, uint64_t now, struct port **prev,
					struct fdb_guard *g)
{
	uint64_t key = fdb_key(mac, vid);
	struct fdb_entry *e, *reuse = NULL;
	enum fdb_learn_result r;
	size_t i;

	if (g)
		g->refused = false;
	if (!port || mac_is_multicast(mac) || mac_is_zero(mac))
		return FDB_INVALID;

	for (i = fdb_slot(fdb, key); fdb->slots[i].port; i = (i + 1) & fdb->mask) {
		e = &fdb->slots[i];
		if (e->key == key)
			goto found;
		/* A stale slot on our probe path can take the new key without
		 * breaking any other key's chain. */
		if (!reuse && entry_stale(fdb, e, now))
			reuse = e;
	}

	if (!guard_room(fdb, g))
		return FDB_PORT_FULL;
	if (reuse) {
		reuse->key = key;
		entry_own(reuse, port, now, g);
		fdb->stats.learned++;
		return FDB_LEARNED;
	}
	if (fdb->count >= fdb->max) {
		fdb->stats.full++;
		return FDB_FULL;
	}
	fdb->slots[i] = (struct fdb_entry){ .key = key };
	entry_own(&fdb->slots[i], port, now, g);
	fdb->count++;
	fdb->stats.learned++;
	return FDB_LEARNED;

found:
	if (e->port == port) {
		e->last_seen_ms = now;
		return FDB_REFRESHED;
	}
	if (prev)
		*prev = e->port;
	if (entry_stale(fdb, e, now)) {
		if (!guard_room(fdb, g))
			return FDB_PORT_FULL;
		entry_own(e, port, now, g);
		fdb->stats.moved++;
		return FDB_MOVED;
	}
	fdb->stats.duplicates++;
	r = fdb_dup_note(fdb, key, e->port, port);
	if (g && g->locked) {
		/* The station stays where it was first seen, fresh. */
		g->refused = true;
		fdb->stats.refused++;
		return r;
	}
	if (!guard_room(fdb, g))
		return FDB_PORT_FULL;
	entry_own(e, port, now, g);
	return r;
}

enum fdb_learn_result fdb_learn(struct fdb *fdb, const uint8_t *mac, uint16_t vid,
				struct port *port, uint64_t now, struct port **prev)
{
	return fdb_learn_guarded(fdb, mac, vid, port, now, prev, NULL);
}

struct port *fdb_lookup(const struct fdb *fdb, const uint8_t *mac, uint16_t vid,
			uint64_t now)
{
	const struct fdb_entry *e = fdb_find(fdb, fdb_key(mac, vid));

	if (!e || entry_stale(fdb, e, now))
		return NULL;
	return e->port;
}

size_t fdb_age(struct fdb *fdb, uint64_t now)
{
	size_t i, n = 0;

	if (!fdb->aging_ms)
		return 0;
	/* Removal shifts a later entry into slot i, so look at i again. Entries
	 * wrapped around from the start may be examined twice, never skipped. */
	for (i = 0; i <= fdb->mask;) {
		struct fdb_entry *e = &fdb->slots[i];

		if (e->port && entry_stale(fdb, e, now)) {
			fdb_remove_at(fdb, i);
			n++;
			continue;
		}
		i++;
	}
	fdb->stats.aged += n;
	return n;
}

size_t fdb_flush_port(struct fdb *fdb, const struct port *port)
{
	size_t i, n = 0;

	for (i = 0; i <= fdb->mask;) {
		struct fdb_entry *e = &fdb->slots[i];

		if (e->port == port) {
			fdb_remove_at(fdb, i);
			n++;
			continue;
		}
		i++;
	}
	/* The port's memory may be reused by a new port: forget its pairs. */
	for (i = 0; i < fdb->ndups;) {
		if (fdb->dups[i].a == port || fdb->dups[i].b == port)
			fdb->dups[i] = fdb->dups[--fdb->ndups];
		else
			i++;
	}
	fdb->stats.flushed += n;
	return n;
}

size_t fdb_count(const struct fdb *fdb) { return fdb->count; }
unsigned fdb_max(const struct fdb *fdb) { return fdb->max; }
const struct fdb_stats *fdb_stats(const struct fdb *fdb) { return &fdb->stats; }

size_t fdb_port_macs(const struct fdb *fdb, const struct port *port,
		     uint8_t (*macs)[6], uint16_t *vids, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i <= fdb->mask && n < max; i++) {
		const struct fdb_entry *e = &fdb->slots[i];

		if (!e->port || e->port != port)
			continue;
		key_mac(e->key, macs[n]);
		if (vids)
			vids[n] = key_vid(e->key);
		n++;
	}
	return n;
}

void fdb_walk(const struct fdb *fdb,
	      void (*fn)(void *ctx, const uint8_t *mac, uint16_t vid,
			 const struct port *port, uint64_t last_seen_ms),
	      void *ctx)
{
	size_t i;

	for (i = 0; i <= fdb->mask; i++) {
		const struct fdb_entry *e = &fdb->slots[i];
		uint8_t mac[6];

		if (!e->port)
			continue;
		key_mac(e->key, mac);
		fn(ctx, mac, key_vid(e->key), e->port, e->last_seen_ms);
	}
}
