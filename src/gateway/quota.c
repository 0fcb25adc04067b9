/* SPDX-License-Identifier: MIT
 *
 * quota.c - per-guest shares of the gateway's tables, see quota.h.
 *
 * Everything here runs when a table is about to fill or free an entry,
 * never per frame (gw_quota_frame() only stores a pointer). The guest
 * array is small and walked linearly: a take() costs at most
 * GW_QUOTA_GUESTS comparisons, plus one fabric lookup per frame that
 * creates something.
 */
#include "gateway/quota.h"
#include "config/keyval.h"
#include "core/port.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *const gw_quota_table_name[GW_QUOTA_TABLES] = {
	[GW_QUOTA_TCP] = "TCP flows",     [GW_QUOTA_UDP] = "UDP flows",
	[GW_QUOTA_ICMP] = "ICMP flows",   [GW_QUOTA_DNS] = "DNS queries",
	[GW_QUOTA_FRAG] = "reassembly slots", [GW_QUOTA_OOO] = "out-of-order chunks",
	[GW_QUOTA_TFTP] = "TFTP transfers",
};

/* The key that sets each table's share, for the log. */
static const char *const table_key[GW_QUOTA_TABLES] = {
	[GW_QUOTA_TCP] = "max-flows-per-guest", [GW_QUOTA_UDP] = "max-flows-per-guest",
	[GW_QUOTA_ICMP] = "max-flows-per-guest", [GW_QUOTA_DNS] = "max-dns-per-guest",
	[GW_QUOTA_FRAG] = "max-frags-per-guest", [GW_QUOTA_OOO] = "max-ooo-per-guest",
	[GW_QUOTA_TFTP] = "max-tftp-per-guest",
};

enum { QUOTA_LOG_GUESTS_FULL };

void gw_quota_init(struct gw_quota *q, struct port *port, const struct gw_quota_limit *lim)
{
	memset(q, 0, sizeof(*q));
	q->port = port;
	for (unsigned t = 0; t < GW_QUOTA_TABLES; t++)
		q->lim[t] = lim ? lim[t]
				: (struct gw_quota_limit){ GW_QUOTA_DEFAULT_PERCENT, true };
}

void gw_quota_table(struct gw_quota *q, enum gw_quota_table t, unsigned size,
		    gw_quota_evict_fn evict, void *ctx)
{
	if (!q)
		return;
	q->size[t] = size;
	q->evict[t] = evict;
	q->evict_ctx[t] = ctx;
}

void gw_quota_frame(struct gw_quota *q, const uint8_t *mac)
{
	if (!q)
		return;
	q->mac = mac;
	q->station_known = false;
}

uint32_t gw_quota_current(struct gw_quota *q)
{
	if (!q)
		return 0;
	if (!q->station_known) {
		q->station = q->mac && q->port ? port_sink_station(q->port, q->mac) : 0;
		q->station_known = true;
	}
	return q->station;
}

unsigned gw_quota_share(const struct gw_quota *q, enum gw_quota_table t)
{
	const struct gw_quota_limit *l = &q->lim[t];
	unsigned n;

	if (!l->percent)
		return l->value;
	n = (unsigned)((uint64_t)q->size[t] * l->value / 100);
	return n ? n : 1;
}

static struct gw_quota_guest *guest_find(struct gw_quota *q, uint32_t station)
{
	for (unsigned i = 0; i < GW_QUOTA_GUESTS; i++)
		if (q->guests[i].station == station)
			return &q->guests[i];
	return NULL;
}

/* A slot for station: its own, a free one, or one whose guest holds
 * nothing and has been quiet for the activity window. */
static struct gw_quota_guest *guest_get(struct gw_quota *q, uint32_t station, uint64_t now)
{
	struct gw_quota_guest *g = guest_find(q, station), *idle = NULL;

	if (g)
		return g;
	for (unsigned i = 0; i < GW_QUOTA_GUESTS; i++) {
		struct gw_quota_guest *s = &q->guests[i];

		if (!s->station || (!s->total && now - s->last_ms >= GW_QUOTA_ACTIVE_MS)) {
			idle = s;
			break;
		}
	}
	if (!idle) {
		LOG_ONCE_FOR(&q->logged, QUOTA_LOG_GUESTS_FULL, LOG_LVL_WARN,
			     "-netdev user: more than %d guests hold gateway state; "
			     "the others share no quota", GW_QUOTA_GUESTS);
		return NULL;
	}
	memset(idle, 0, sizeof(*idle));
	idle->station = station;
	return idle;
}

static bool other_active(const struct gw_quota *q, const struct gw_quota_guest *g, uint64_t now)
{
	for (unsigned i = 0; i < GW_QUOTA_GUESTS; i++) {
		const struct gw_quota_guest *o = &q->guests[i];

		if (o != g && o->station && (o->total || now - o->last_ms < GW_QUOTA_ACTIVE_MS))
			return true;
	}
	return false;
}

/* The table is full and g is under its share: evict one entry of the
 * guest furthest beyond its share, if there is one. */
static void reclaim(struct gw_quota *q, enum gw_quota_table t, const struct gw_quota_guest *g)
{
	unsigned share = gw_quota_share(q, t), most = share;
	struct gw_quota_guest *v = NULL;

	if (!q->evict[t] || g->held[t] >= share)
		return;
	for (unsigned i = 0; i < GW_QUOTA_GUESTS; i++) {
		struct gw_quota_guest *o = &q->guests[i];

		if (o != g && o->station && o->held[t] > most) {
			most = o->held[t];
			v = o;
		}
	}
	if (v && q->evict[t](q->evict_ctx[t], v->station, false))
		q->reclaimed++;
}

static void charge(struct gw_quota *q, enum gw_quota_table t, struct gw_quota_guest *g)
{
	q->used[t]++;
	if (g) {
		g->held[t]++;
		g->total++;
	} else {
		q->held0[t]++;
	}
}

bool gw_quota_take_for(struct gw_quota *q, enum gw_quota_table t, uint32_t station,
		       uint64_t now, bool force)
{
	struct gw_quota_guest *g = q && station ? guest_get(q, station, now) : NULL;

	if (!q)
		return true;
	if (!g) {
		charge(q, t, NULL);
		return true;
	}
	g->last_ms = now;
	if (!force && g->held[t] >= gw_quota_share(q, t) && other_active(q, g, now)) {
		q->refused[t]++;
		if (!(g->logged & 1u << t)) {
			g->logged |= 1u << t;
			warn("-netdev user: the guest on switch port #%u holds its share of %s "
			     "(%u of %u, %s), refusing more while other guests are active",
			     station, gw_quota_table_name[t], g->held[t], q->size[t], table_key[t]);
		}
		return false;
	}
	if (!force && q->size[t] && q->used[t] >= q->size[t])
		reclaim(q, t, g);
	charge(q, t, g);
	return true;
}

bool gw_quota_take(struct gw_quota *q, enum gw_quota_table t, uint64_t now, uint32_t *station)
{
	*station = gw_quota_current(q);
	if (!gw_quota_take_for(q, t, *station, now, false))
		return false;
	/* Charged to 0 when the guest array is full: put() must match. */
	if (q && *station && !guest_find(q, *station))
		*station = 0;
	return true;
}

void gw_quota_put(struct gw_quota *q, enum gw_quota_table t, uint32_t station)
{
	struct gw_quota_guest *g = q && station ? guest_find(q, station) : NULL;

	if (!q)
		return;
	if (q->used[t])
		q->used[t]--;
	if (g && g->held[t]) {
		g->held[t]--;
		g->total--;
	} else if (q->held0[t]) {
		q->held0[t]--;
	}
}

void gw_quota_left(struct gw_quota *q, uint32_t station)
{
	struct gw_quota_guest *g;

	if (!q || !station || !(g = guest_find(q, station)))
		return;
	for (unsigned t = 0; t < GW_QUOTA_TABLES; t++) {
		unsigned before = g->held[t];

		if (before && q->evict[t]) {
			q->evict[t](q->evict_ctx[t], station, true);
			q->left_closed += before - g->held[t];
		}
	}
	/* What no table could evict is put() later, as station 0's. */
	for (unsigned t = 0; t < GW_QUOTA_TABLES; t++)
		q->held0[t] += g->held[t];
	memset(g, 0, sizeof(*g));
}

unsigned gw_quota_held(const struct gw_quota *q, enum gw_quota_table t, uint32_t station)
{
	const struct gw_quota_guest *g = guest_find((struct gw_quota *)q, station);

	return g ? g->held[t] : 0;
}

int gw_quota_parse(const char *s, unsigned max, struct gw_quota_limit *l)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno)
		return -1;
	if (*end == '%' && !end[1]) {
		if (v < 1 || v > 100)
			return -1;
		*l = (struct gw_quota_limit){ (unsigned)v, true };
		return 0;
	}
	if (*end || v < 1 || v > max)
		return -1;
	*l = (struct gw_quota_limit){ (unsigned)v, false };
	return 0;
}

void gw_quota_counters(const struct gw_quota *q, gw_counter_fn fn, void *ctx)
{
	static const char *const names[GW_QUOTA_TABLES] = {
		[GW_QUOTA_TCP] = "quota_refused_tcp",   [GW_QUOTA_UDP] = "quota_refused_udp",
		[GW_QUOTA_ICMP] = "quota_refused_icmp", [GW_QUOTA_DNS] = "quota_refused_dns",
		[GW_QUOTA_FRAG] = "quota_refused_frag", [GW_QUOTA_OOO] = "quota_refused_ooo",
		[GW_QUOTA_TFTP] = "quota_refused_tftp",
	};

	for (unsigned t = 0; t < GW_QUOTA_TABLES; t++)
		fn(ctx, names[t], q->refused[t]);
	fn(ctx, "quota_reclaimed", q->reclaimed);
	fn(ctx, "quota_left_closed", q->left_closed);
}

void gw_quota_defaults(struct gw_quota_limit *lim)
{
	for (unsigned t = 0; t < GW_QUOTA_TABLES; t++)
		lim[t] = (struct gw_quota_limit){ GW_QUOTA_DEFAULT_PERCENT, true };
}

/* One max-*-per-guest= key (v: its value, NULL when absent) into the
 * shares of the nt tables it sets. */
static int parse_key(struct gw_quota_limit *lim, struct kvlist *kv, const char *key,
		     const char *v, const enum gw_quota_table *t, unsigned nt, char *err,
		     size_t errlen)
{
	struct gw_quota_limit l;

	if (!v)
		return 0;
	if (gw_quota_parse(v, 1u << 20, &l)) {
		kv_errorf(err, errlen, kv, "'%s' expects a number of entries (1 or more) or a "
			  "percentage of the table (1%%..100%%), not '%s'", key, v);
		return -1;
	}
	for (unsigned i = 0; i < nt; i++)
		lim[t[i]] = l;
	return 0;
}

int gw_quota_parse_keys(struct gw_quota_limit *lim, struct kvlist *kv, char *err,
			size_t errlen)
{
	static const enum gw_quota_table flows[] = { GW_QUOTA_TCP, GW_QUOTA_UDP, GW_QUOTA_ICMP },
		dns[] = { GW_QUOTA_DNS }, frag[] = { GW_QUOTA_FRAG }, ooo[] = { GW_QUOTA_OOO },
		tftp[] = { GW_QUOTA_TFTP };

	if (parse_key(lim, kv, "max-flows-per-guest", kv_get(kv, "max-flows-per-guest"), flows,
		      3, err, errlen) ||
	    parse_key(lim, kv, "max-dns-per-guest", kv_get(kv, "max-dns-per-guest"), dns, 1, err,
		      errlen) ||
	    parse_key(lim, kv, "max-frags-per-guest", kv_get(kv, "max-frags-per-guest"), frag, 1,
		      err, errlen) ||
	    parse_key(lim, kv, "max-ooo-per-guest", kv_get(kv, "max-ooo-per-guest"), ooo, 1, err,
		      errlen) ||
	    parse_key(lim, kv, "max-tftp-per-guest", kv_get(kv, "max-tftp-per-guest"), tftp, 1,
		      err, errlen))
		return -1;
	return 0;
}
