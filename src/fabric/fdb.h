/* SPDX-License-Identifier: MIT
 *
 * fdb.h - the forwarding database of a learning switch: (MAC, VLAN) -> port.
 *
 * Theory of operation: an open addressing hash table with linear probing,
 * sized to a power of two at least twice the entry limit, so a lookup or a
 * learn touches a couple of cache lines and never allocates. Deletion shifts
 * the following cluster back instead of leaving tombstones, so the table
 * never degrades over a long uptime. The hash is seeded per table: guests
 * choose their source MACs, and must not be able to build long probe chains.
 *
 * Every entry records when its MAC was last seen as a source. An entry
 * older than the aging time is "stale": lookups ignore it and learning
 * treats it as absent, so expiry is exact even between two sweeps, and the
 * sweep (fdb_age) only reclaims the slots. Times are milliseconds from a
 * clock the table owns (ev_now_ms by default), replaceable for tests.
 *
 * A MAC showing up on a second port while its entry on the first one is
 * still fresh is either a station move or two stations sharing one MAC
 * (typically two QEMU guests started without mac=, all 52:54:00:12:34:56).
 * The table reports it and remembers the pairs it reported (up to
 * FDB_DUP_MAX, then it asks the caller to stay quiet), so the caller can warn
 * once per (MAC, port pair) instead of once per frame, even when three
 * guests share one MAC and it rotates between them.
 *
 * Port security (fdb_learn_guarded): the caller may lock the learning port,
 * so a fresh entry on another port stays where it is (reported as a
 * duplicate all the same, with guard->refused set), and cap the entries one
 * port holds. The table keeps each port's count through a counter the
 * caller owns, which every insert, move, reuse and removal updates, so the
 * cap costs nothing per frame; the counter must outlive the port's entries
 * (fdb_flush_port() before it goes).
 */
#ifndef VMWIRE_FABRIC_FDB_H
#define VMWIRE_FABRIC_FDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct port;

#define FDB_DUP_MAX 64

enum fdb_learn_result {
	FDB_LEARNED,	    /* new entry */
	FDB_REFRESHED,	    /* same port, timestamp updated */
	FDB_MOVED,	    /* entry was stale, now on another port */
	FDB_DUPLICATE,	    /* fresh entry on another port: first time for this pair */
	FDB_DUPLICATE_SEEN, /* same, pair already reported */
	FDB_DUPLICATE_UNTRACKED, /* same, too many pairs to remember: suppress */
	FDB_FULL,	    /* not learned: table at its limit */
	FDB_INVALID,	    /* multicast or all-zero MAC, NULL port */
	FDB_PORT_FULL,	    /* not learned: the port holds guard->max entries */
};

struct fdb_stats {
	uint64_t learned, moved, duplicates, aged, flushed, full;
	uint64_t refused, port_full; /* moves a locked port was refused; cap hits */
};

struct fdb_guard {
	bool locked;     /* a fresh entry on another port stays there */
	unsigned max;    /* entries the port may hold; 0: no cap */
	unsigned *count; /* the port's entries now, kept by the table */
	bool refused;    /* out: a duplicate was not moved to this port */
};

struct fdb;

/* max: entry limit (0 = never learn); aging_s: 0 = entries never expire. */
struct fdb *fdb_new(unsigned max, unsigned aging_s);
void fdb_free(struct fdb *fdb);

void fdb_set_clock(struct fdb *fdb, uint64_t (*clock)(void));
uint64_t fdb_now(const struct fdb *fdb);

/* Record that mac was seen as a source on port in VLAN vid at time now.
 * On a move or duplicate, *prev (if not NULL) gets the previous port. */
enum fdb_learn_result fdb_learn(struct fdb *fdb, const uint8_t *mac, uint16_t vid,
				struct port *port, uint64_t now, struct port **prev);

/* fdb_learn() under a port's guard (NULL: exactly fdb_learn()). */
enum fdb_learn_result fdb_learn_guarded(struct fdb *fdb, const uint8_t *mac, uint16_t vid,
					struct port *port, uint64_t now, struct port **prev,
					struct fdb_guard *guard);

/* The port mac was last seen on in vid, or NULL if unknown or stale. */
struct port *fdb_lookup(const struct fdb *fdb, const uint8_t *mac, uint16_t vid,
			uint64_t now);

/* Drop stale entries; returns how many. */
size_t fdb_age(struct fdb *fdb, uint64_t now);

/* Forget everything learned on port (it is leaving the network), including
 * duplicate-pair memories naming it; returns the number of entries dropped. */
size_t fdb_flush_port(struct fdb *fdb, const struct port *port);

size_t fdb_count(const struct fdb *fdb);
unsigned fdb_max(const struct fdb *fdb);
const struct fdb_stats *fdb_stats(const struct fdb *fdb);

/* For the monitor: up to max (MAC, VID) pairs learned on port; returns the
 * number stored. vids may be NULL. Includes stale, not yet swept entries. */
size_t fdb_port_macs(const struct fdb *fdb, const struct port *port,
		     uint8_t (*macs)[6], uint16_t *vids, size_t max);

/* For the monitor: call fn for every entry (any order). */
void fdb_walk(const struct fdb *fdb,
	      void (*fn)(void *ctx, const uint8_t *mac, uint16_t vid,
			 const struct port *port, uint64_t last_seen_ms),
	      void *ctx);

#endif
