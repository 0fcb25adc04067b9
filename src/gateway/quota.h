/* SPDX-License-Identifier: MIT
 *
 * quota.h - fair shares of the gateway's shared tables between guests.
 *
 * Theory of operation: every guest behind the gateway draws on the same
 * tables (TCP, UDP and ICMP flows, DNS queries in flight, reassembly
 * slots, the out-of-order pool, TFTP transfers). Without shares one guest
 * fills a table and every other guest's new flows are refused. A guest is
 * the switch port its frames come from: the fabric's station number
 * (port_sink_station()), which port security makes trustworthy and which
 * a guest cannot multiply by making up MACs or addresses.
 *
 * Each table tells the quota its size and an evict callback at init, and
 * calls gw_quota_take() before it fills an entry for a guest and
 * gw_quota_put() when the entry goes, storing the station take() returned
 * in the entry. take() refuses (counted per table, logged once per guest)
 * when the guest holds its share (max-*-per-guest=, default half the
 * table) while another guest is active: holds an entry in any table or
 * asked for one in the last GW_QUOTA_ACTIVE_MS. Alone, a guest may fill a
 * table. When the table is full and the asking guest holds less than its
 * share, take() makes room: it evicts the oldest entry of the guest that
 * holds the most beyond its share (the table's callback picks and closes
 * it), so a guest arriving late is never starved by one that filled the
 * table while alone. The caller answers a refusal as it answers a full
 * table (RST, ICMP unreachable, SERVFAIL).
 *
 * The station of the frame being handled is set by the dispatch with
 * gw_quota_frame() (a pointer store) and looked up in the fabric only when
 * a table asks to fill an entry, so a frame that creates nothing costs
 * nothing. When a port leaves the fabric, gw_quota_left() has every table
 * evict all entries of its station at once (sockets closed, fds freed).
 *
 * Guests are kept in a fixed array (GW_QUOTA_GUESTS); nothing is
 * allocated after init. A guest beyond it, or a frame whose port is not
 * known (a hub, frame tests), is charged to station 0, which has no
 * share limit but still counts towards the table.
 */
#ifndef VMWIRE_GATEWAY_QUOTA_H
#define VMWIRE_GATEWAY_QUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "gateway/stats.h"

struct port;
struct kvlist;

enum gw_quota_table {
	GW_QUOTA_TCP,
	GW_QUOTA_UDP,
	GW_QUOTA_ICMP,
	GW_QUOTA_DNS,
	GW_QUOTA_FRAG,
	GW_QUOTA_OOO,
	GW_QUOTA_TFTP,
	GW_QUOTA_TABLES
};

#define GW_QUOTA_GUESTS 64
#define GW_QUOTA_ACTIVE_MS 60000
#define GW_QUOTA_DEFAULT_PERCENT 50

/* A share: value entries, or value percent of the table (1..100). */
struct gw_quota_limit {
	unsigned value;
	bool percent;
};

/* Free one entry of station (the oldest, all == false) or every one (all);
 * true when it freed something. Freeing calls gw_quota_put(). */
typedef bool (*gw_quota_evict_fn)(void *ctx, uint32_t station, bool all);

struct gw_quota_guest {
	uint32_t station;       /* 0: slot free */
	uint64_t last_ms;       /* last take() */
	unsigned held[GW_QUOTA_TABLES];
	unsigned total;         /* sum of held[] */
	uint32_t logged;        /* tables whose refusal was logged, a bit each */
};

struct gw_quota {
	struct port *port;      /* the gateway's port: asks the fabric */
	struct gw_quota_limit lim[GW_QUOTA_TABLES];
	unsigned size[GW_QUOTA_TABLES];
	unsigned used[GW_QUOTA_TABLES];
	unsigned held0[GW_QUOTA_TABLES]; /* charged to station 0 */
	gw_quota_evict_fn evict[GW_QUOTA_TABLES];
	void *evict_ctx[GW_QUOTA_TABLES];
	struct gw_quota_guest guests[GW_QUOTA_GUESTS];
	/* The frame being handled (gw_quota_frame()). */
	const uint8_t *mac;
	uint32_t station;
	bool station_known;
	uint64_t refused[GW_QUOTA_TABLES];
	uint64_t reclaimed, left_closed;
	struct log_once logged; /* bit 0: guest registry full */
};

extern const char *const gw_quota_table_name[GW_QUOTA_TABLES];

/* lim: one share per table (NULL: GW_QUOTA_DEFAULT_PERCENT each). */
void gw_quota_init(struct gw_quota *q, struct port *port, const struct gw_quota_limit *lim);
/* A table of size entries takes part; evict may be NULL (then a full
 * table is not reclaimed and a leaving port's entries expire). */
void gw_quota_table(struct gw_quota *q, enum gw_quota_table t, unsigned size,
		    gw_quota_evict_fn evict, void *ctx);
/* The frame being handled came from mac (NULL: from the host side). */
void gw_quota_frame(struct gw_quota *q, const uint8_t *mac);
/* Its station (0: unknown). */
uint32_t gw_quota_current(struct gw_quota *q);
/* May the frame's guest fill one more entry of t? On true the entry is
 * charged to *station, which the caller keeps for gw_quota_put(). */
bool gw_quota_take(struct gw_quota *q, enum gw_quota_table t, uint64_t now, uint32_t *station);
/* The same for an explicit station; force: never refused (an entry the
 * host side opened, e.g. a hostfwd connection towards the guest). */
bool gw_quota_take_for(struct gw_quota *q, enum gw_quota_table t, uint32_t station,
		       uint64_t now, bool force);
void gw_quota_put(struct gw_quota *q, enum gw_quota_table t, uint32_t station);
/* The port behind station left: every table drops its entries now. */
void gw_quota_left(struct gw_quota *q, uint32_t station);
/* The share of table t one guest may hold while another is active. */
unsigned gw_quota_share(const struct gw_quota *q, enum gw_quota_table t);
/* What station holds of t (tests, info). */
unsigned gw_quota_held(const struct gw_quota *q, enum gw_quota_table t, uint32_t station);

/* "N" or "P%" into *l (1..100 for a percentage, 1..max for a number);
 * 0 or -1. */
int gw_quota_parse(const char *s, unsigned max, struct gw_quota_limit *l);

/* quota_refused_<table> per table, quota_reclaimed (entries closed to
 * make room for a guest under its share), quota_left_closed (entries
 * closed because their port left). */
void gw_quota_counters(const struct gw_quota *q, gw_counter_fn fn, void *ctx);

/* Every table's share at GW_QUOTA_DEFAULT_PERCENT. */
void gw_quota_defaults(struct gw_quota_limit *lim);
/* Consume max-flows-per-guest= (TCP, UDP and ICMP flows),
 * max-dns-per-guest=, max-frags-per-guest=, max-ooo-per-guest= and
 * max-tftp-per-guest= into lim; 0, or -1 with an error naming the key. */
int gw_quota_parse_keys(struct gw_quota_limit *lim, struct kvlist *kv, char *err,
			size_t errlen);

#endif
