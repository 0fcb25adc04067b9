/* SPDX-License-Identifier: MIT
 *
 * vtep_fdb.c - per-VTEP MAC learning for overlay netdevs (see vtep_fdb.h).
 */
#include "ports/vtep_fdb.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static unsigned mac_hash(const uint8_t *mac)
{
	uint32_t h = 2166136261u;
	int i;

	for (i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 16777619u;
	return h ^ h >> 15;
}

static bool alive(const struct vtep_fdb *f, const struct vtep_fdb_entry *e, uint64_t now)
{
	return e->used && now - e->seen_ms < f->aging_ms;
}

bool vtep_addr_equal(const struct vtep_addr *a, const struct vtep_addr *b)
{
	size_t n = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && !memcmp(a->a, b->a, n);
}

int vtep_fdb_init(struct vtep_fdb *f, unsigned size, uint64_t aging_ms)
{
	unsigned n = VTEP_FDB_PROBE;

	memset(f, 0, sizeof(*f));
	while (n < size)
		n <<= 1;
	f->e = calloc(n, sizeof(*f->e));
	if (!f->e)
		return -1;
	f->size = n;
	f->aging_ms = aging_ms ? aging_ms : 1;
	return 0;
}

void vtep_fdb_fini(struct vtep_fdb *f)
{
	free(f->e);
	f->e = NULL;
	f->size = 0;
}

void vtep_fdb_learn(struct vtep_fdb *f, const uint8_t *mac, const struct vtep_addr *remote,
		    uint64_t now)
{
	struct vtep_fdb_entry *e, *spare = NULL, *oldest = NULL;
	unsigned h = mac_hash(mac), i;

	for (i = 0; i < VTEP_FDB_PROBE; i++) {
		e = &f->e[(h + i) & (f->size - 1)];
		if (e->used && !memcmp(e->mac, mac, 6)) {
			if (!alive(f, e, now))
				f->learned++;
			else if (!vtep_addr_equal(&e->remote, remote))
				f->moved++;
			e->remote = *remote;
			e->seen_ms = now;
			return;
		}
		if (!spare && !alive(f, e, now))
			spare = e;
		if (!oldest || e->seen_ms < oldest->seen_ms)
			oldest = e;
	}
	if (!spare) {
		spare = oldest;
		f->evicted++;
	}
	memcpy(spare->mac, mac, 6);
	spare->used = true;
	spare->remote = *remote;
	spare->seen_ms = now;
	f->learned++;
}

const struct vtep_addr *vtep_fdb_lookup(const struct vtep_fdb *f, const uint8_t *mac,
					uint64_t now)
{
	unsigned h = mac_hash(mac), i;
	const struct vtep_fdb_entry *e;

	if (!f->size)
		return NULL;
	for (i = 0; i < VTEP_FDB_PROBE; i++) {
		e = &f->e[(h + i) & (f->size - 1)];
		if (e->used && !memcmp(e->mac, mac, 6))
			return alive(f, e, now) ? &e->remote : NULL;
	}
	return NULL;
}

const struct vtep_fdb_entry *vtep_fdb_next(const struct vtep_fdb *f, unsigned *it,
					   uint64_t now)
{
	while (*it < f->size) {
		const struct vtep_fdb_entry *e = &f->e[(*it)++];

		if (alive(f, e, now))
			return e;
	}
	return NULL;
}

size_t vtep_fdb_count(const struct vtep_fdb *f, uint64_t now)
{
	unsigned it = 0;
	size_t n = 0;

	while (vtep_fdb_next(f, &it, now))
		n++;
	return n;
}
