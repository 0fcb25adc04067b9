/* SPDX-License-Identifier: MIT
 *
 * ip_reasm.c - see ip_reasm.h.
 */
#include "gateway/ip/ip_reasm.h"
#include "gateway/quota.h"
#include "core/frame.h"
#include "core/log.h"
#include "gateway/stats.h"

#include <stdlib.h>
#include <string.h>

#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17

int gw_reasm_init(struct gw_reasm *r, unsigned nslots, struct gw_stats *stats)
{
	memset(r, 0, sizeof(*r));
	r->stats = stats;
	if (!nslots)
		return 0;
	r->slots = calloc(nslots, sizeof(*r->slots));
	/* Pages of the buffers are only touched by datagrams that use them. */
	r->mem = malloc((size_t)nslots * GW_REASM_MAX_DGRAM);
	if (!r->slots || !r->mem) {
		gw_reasm_fini(r);
		return -1;
	}
	r->nslots = nslots;
	for (unsigned i = 0; i < nslots; i++)
		r->slots[i].buf = r->mem + (size_t)i * GW_REASM_MAX_DGRAM;
	return 0;
}

void gw_reasm_fini(struct gw_reasm *r)
{
	free(r->slots);
	free(r->mem);
	r->slots = NULL;
	r->mem = NULL;
	r->nslots = r->used = 0;
}

static void slot_drop(struct gw_reasm *r, struct gw_reasm_slot *s)
{
	s->used = false;
	r->used--;
	gw_quota_put(r->quota, GW_QUOTA_FRAG, s->station);
}

/* quota.h: the guest's oldest pending datagram, or all of them, go. */
static bool reasm_evict(void *ctx, uint32_t station, bool all)
{
	struct gw_reasm *r = ctx;
	struct gw_reasm_slot *old = NULL;
	bool freed = false;

	for (unsigned i = 0; i < r->nslots; i++) {
		struct gw_reasm_slot *s = &r->slots[i];

		if (!s->used || s->station != station)
			continue;
		if (all) {
			slot_drop(r, s);
			freed = true;
		} else if (!old || s->first_ms < old->first_ms) {
			old = s;
		}
	}
	if (old) {
		slot_drop(r, old);
		freed = true;
	}
	return freed;
}

void gw_reasm_set_quota(struct gw_reasm *r, struct gw_quota *q)
{
	r->quota = q;
	gw_quota_table(q, GW_QUOTA_FRAG, r->nslots, reasm_evict, r);
}

void gw_reasm_sweep(struct gw_reasm *r, uint64_t now_ms)
{
	for (unsigned i = 0; i < r->nslots && r->used; i++) {
		struct gw_reasm_slot *s = &r->slots[i];

		if (s->used && now_ms >= s->first_ms &&
		    now_ms - s->first_ms >= GW_REASM_TIMEOUT_MS) {
			r->stats->ip_frag_timeouts++;
			slot_drop(r, s);
		}
	}
}

/* The datagram's slot, or (create) a fresh one, or NULL. */
static struct gw_reasm_slot *slot_get(struct gw_reasm *r, const union inany_addr *src,
				      const union inany_addr *dst, uint32_t id, uint8_t proto,
				      uint64_t now_ms, bool create)
{
	struct gw_reasm_slot *free_slot = NULL;
	uint32_t station = gw_quota_current(r->quota);

	for (unsigned i = 0; i < r->nslots; i++) {
		struct gw_reasm_slot *s = &r->slots[i];

		if (!s->used)
			continue;
		if (s->id == id && s->proto == proto && inany_equals(&s->src, src) &&
		    inany_equals(&s->dst, dst) && s->station == station)
			return s;
	}
	if (!create)
		return NULL;
	if (!gw_quota_take(r->quota, GW_QUOTA_FRAG, now_ms, &station))
		return NULL; /* counted and logged by the quota */
	/* After the take: it may have made room. */
	for (unsigned i = 0; i < r->nslots && !free_slot; i++)
		if (!r->slots[i].used)
			free_slot = &r->slots[i];
	if (!free_slot) {
		gw_quota_put(r->quota, GW_QUOTA_FRAG, station);
		r->stats->ip_frag_pool_full++;
		LOG_ONCE_FOR(&r->logged, REASM_LOG_FULL, LOG_LVL_WARN,
			     "user gateway: %u IP datagrams pending reassembly "
			     "(max-frags), dropping fragments of new ones", r->nslots);
		return NULL;
	}
	memset(free_slot, 0, offsetof(struct gw_reasm_slot, frags));
	free_slot->used = true;
	free_slot->src = *src;
	free_slot->dst = *dst;
	free_slot->id = id;
	free_slot->proto = proto;
	free_slot->first_ms = now_ms;
	free_slot->station = station;
	r->used++;
	return free_slot;
}

static size_t l4_min_header(uint8_t proto)
{
	switch (proto) {
	case PROTO_TCP:
		return 20;
	default: /* UDP, ICMP, and anything else we may ever parse */
		return 8;
	}
}

/* One fragment of the datagram (src, dst, id, proto): plen payload bytes
 * at byte offset off, hdr bytes of header in front of the datagram's
 * payload (they count against its 64 KiB). Both families come here. */
static const uint8_t *reasm_add(struct gw_reasm *r, const union inany_addr *src,
				const union inany_addr *dst, uint32_t id, uint8_t proto,
				size_t off, bool more, const uint8_t *payload, size_t plen,
				size_t hdr, uint64_t now_ms, size_t *len)
{
	struct gw_reasm_slot *s;
	unsigned i;

	if (!r->nslots)
		return NULL;
	gw_reasm_sweep(r, now_ms);
	/* Checks on the fragment alone come first: they cost no slot. */
	if (!plen || (more && plen % 8) || off + plen + hdr > GW_REASM_MAX_DGRAM ||
	    (!off && plen < l4_min_header(proto)) || (proto == PROTO_TCP && off == 8)) {
		r->stats->ip_frag_bad++;
		s = slot_get(r, src, dst, id, proto, now_ms, false);
		if (s)
			slot_drop(r, s); /* and whatever came before it */
		return NULL;
	}
	s = slot_get(r, src, dst, id, proto, now_ms, true);
	if (!s)
		return NULL;
	if ((s->total && off + plen > s->total) ||
	    (!more && s->total && off + plen != s->total)) {
		r->stats->ip_frag_bad++;
		slot_drop(r, s);
		return NULL;
	}
	for (i = 0; i < s->nfrags; i++) {
		const struct gw_reasm_frag *e = &s->frags[i];

		if (e->off == off && e->len == plen) {
			r->stats->ip_frag_dups++;
			return NULL;
		}
		if (off < (size_t)e->off + e->len && e->off < off + plen) {
			r->stats->ip_frag_overlaps++;
			slot_drop(r, s);
			return NULL;
		}
		if (!more && (size_t)e->off + e->len > off + plen) {
			r->stats->ip_frag_bad++; /* data beyond the claimed end */
			slot_drop(r, s);
			return NULL;
		}
	}
	if (s->nfrags == GW_REASM_MAX_FRAGS) {
		r->stats->ip_frag_too_many++;
		slot_drop(r, s);
		return NULL;
	}
	memcpy(s->buf + off, payload, plen);
	s->frags[s->nfrags].off = (uint16_t)off;
	s->frags[s->nfrags].len = (uint16_t)plen;
	s->nfrags++;
	s->have += (uint32_t)plen;
	if (!more)
		s->total = (uint32_t)(off + plen);
	if (!s->total || s->have != s->total)
		return NULL;
	/* No overlaps and nothing past the end: every byte is there. The
	 * buffer stays intact until a later fragment reuses the slot. */
	r->stats->ip_frag_reassembled++;
	slot_drop(r, s);
	*len = s->total;
	return s->buf;
}

const uint8_t *gw_reasm_input(struct gw_reasm *r, const uint8_t *ip, size_t ihl,
			      size_t tot, uint64_t now_ms, size_t *len)
{
	uint16_t frag = rd16be(ip + 6);
	union inany_addr src = inany_from_ip4(rd32be(ip + 12)), dst = inany_from_ip4(rd32be(ip + 16));

	return reasm_add(r, &src, &dst, rd16be(ip + 4), ip[9], (size_t)(frag & IP_OFFMASK) * 8,
			 frag & IP_MF, ip + ihl, tot - ihl, ihl, now_ms, len);
}

const uint8_t *gw_reasm_input6(struct gw_reasm *r, const struct in6_addr *src6,
			       const struct in6_addr *dst6, uint32_t id, uint8_t nh, size_t off,
			       bool more, const uint8_t *payload, size_t plen, size_t unfrag_len,
			       uint64_t now_ms, size_t *len)
{
	union inany_addr src = inany_from_in6(src6), dst = inany_from_in6(dst6);

	return reasm_add(r, &src, &dst, id, nh, off, more, payload, plen, unfrag_len, now_ms, len);
}
