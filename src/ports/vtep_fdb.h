/* SPDX-License-Identifier: MIT
 *
 * vtep_fdb.h - which remote VTEP each inner MAC address was last seen
 * behind, for one VXLAN/Geneve netdev (the switch above knows only that a
 * MAC is "on the vxlan port"; this knows which underlay address to send it
 * to).
 *
 * Theory of operation: a fixed table allocated at start, no allocation
 * afterwards. A MAC hashes to a slot and may live in any of the
 * VTEP_FDB_PROBE slots from there; lookup and learning look at those slots
 * only, so both are constant time however full the table is. An entry not
 * refreshed within the ageing time is dead: lookups ignore it and learning
 * reuses it. When all candidate slots hold live entries, the oldest one is
 * replaced (counted in evicted): a busy table forgets the quietest station,
 * which then floods until it speaks again — the same fallback as unknown.
 */
#ifndef VMWIRE_PORTS_VTEP_FDB_H
#define VMWIRE_PORTS_VTEP_FDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VTEP_FDB_PROBE 8

/* An underlay address, compact: family AF_INET uses a[0..4). */
struct vtep_addr {
	uint16_t family; /* AF_INET, AF_INET6; 0 = empty */
	uint8_t a[16];
};

struct vtep_fdb_entry {
	uint8_t mac[6];
	bool used;
	struct vtep_addr remote;
	uint64_t seen_ms;
};

struct vtep_fdb {
	struct vtep_fdb_entry *e;
	unsigned size; /* a power of two */
	uint64_t aging_ms;
	uint64_t learned, moved, evicted; /* new MACs, MACs that changed VTEP */
};

/* size is rounded up to a power of two; -1 if out of memory. */
int vtep_fdb_init(struct vtep_fdb *f, unsigned size, uint64_t aging_ms);
void vtep_fdb_fini(struct vtep_fdb *f);

/* A frame from mac arrived from remote at now. */
void vtep_fdb_learn(struct vtep_fdb *f, const uint8_t *mac, const struct vtep_addr *remote,
		    uint64_t now);
/* The VTEP mac was last seen behind, or NULL if unknown or aged out. */
const struct vtep_addr *vtep_fdb_lookup(const struct vtep_fdb *f, const uint8_t *mac,
					uint64_t now);
/* Live entries, in table order: *it starts at 0; NULL at the end. */
const struct vtep_fdb_entry *vtep_fdb_next(const struct vtep_fdb *f, unsigned *it,
					   uint64_t now);
size_t vtep_fdb_count(const struct vtep_fdb *f, uint64_t now);

bool vtep_addr_equal(const struct vtep_addr *a, const struct vtep_addr *b);

#endif
