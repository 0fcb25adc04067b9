/* SPDX-License-Identifier: MIT
 *
 * tcp_flow.c - see tcp_flow.h.
 */
#include "gateway/tcp/tcp_flow.h"
#include "gateway/quota.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

uint64_t tcp_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                               \
	do {                                                                   \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);      \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                         \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                         \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);      \
	} while (0)

/* SipHash-2-4 (Aumasson, Bernstein), little-endian message words. */
uint64_t tcp_siphash(const uint64_t key[2], const uint8_t *m, size_t len)
{
	uint64_t v0 = 0x736f6d6570736575ULL ^ key[0], v1 = 0x646f72616e646f6dULL ^ key[1];
	uint64_t v2 = 0x6c7967656e657261ULL ^ key[0], v3 = 0x7465646279746573ULL ^ key[1];
	uint64_t b = (uint64_t)len << 56, w;
	size_t i;

	for (; len >= 8; len -= 8, m += 8) {
		w = 0;
		for (i = 0; i < 8; i++)
			w |= (uint64_t)m[i] << (8 * i);
		v3 ^= w;
		SIPROUND;
		SIPROUND;
		v0 ^= w;
	}
	for (i = 0; i < len; i++)
		b |= (uint64_t)m[i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

#define TUPLE_BYTES (2 * sizeof(union inany_addr) + 4)

/* The bytes the hashes see: an all-IPv4 tuple as the 12 bytes it always
 * was (the v4-mapped prefix is the same for every IPv4 flow, so hashing
 * it would only cost rounds), any other as both 16-byte addresses. */
static size_t tuple_bytes(uint8_t *b, const union inany_addr *ga, uint16_t gp,
			  const union inany_addr *ra, uint16_t rp)
{
	if (inany_is_v4(ga) && inany_is_v4(ra)) {
		memcpy(b, &ga->v4mapped.a4, 4);
		memcpy(b + 4, &ra->v4mapped.a4, 4);
		memcpy(b + 8, &gp, 2);
		memcpy(b + 10, &rp, 2);
		return 12;
	}
	memcpy(b, ga, sizeof(*ga));
	memcpy(b + 16, ra, sizeof(*ra));
	memcpy(b + 32, &gp, 2);
	memcpy(b + 34, &rp, 2);
	return TUPLE_BYTES;
}

static unsigned bucket_of(const struct gw_tcp *t, const union inany_addr *ga, uint16_t gp,
			  const union inany_addr *ra, uint16_t rp)
{
	uint8_t b[TUPLE_BYTES];
	size_t n = tuple_bytes(b, ga, gp, ra, rp);

	return (unsigned)tcp_siphash(t->key, b, n) & (t->nbuckets - 1);
}

uint32_t tcp_isn(const struct gw_tcp *t, const union inany_addr *ga, uint16_t gp,
		 const union inany_addr *ra, uint16_t rp)
{
	uint64_t k[2] = { t->key[1], t->key[0] }; /* not the bucket hash */
	uint8_t b[TUPLE_BYTES];
	size_t n = tuple_bytes(b, ga, gp, ra, rp);

	return (uint32_t)tcp_siphash(k, b, n) + (uint32_t)(tcp_now_us() / 4);
}

int tcp_table_init(struct gw_tcp *t, unsigned max_flows)
{
	unsigned i;

	t->max_flows = max_flows;
	for (t->nbuckets = 16; t->nbuckets < max_flows; t->nbuckets <<= 1)
		;
	t->flows = calloc(max_flows, sizeof(*t->flows));
	t->buckets = malloc(t->nbuckets * sizeof(*t->buckets));
	if (!t->flows || !t->buckets)
		return -1;
	for (i = 0; i < t->nbuckets; i++)
		t->buckets[i] = -1;
	/* Free stack in index order, so low slots are used first and the
	 * sweep's high-water mark stays small. */
	for (i = 0; i < max_flows; i++)
		t->flows[i].hnext = i + 1 < max_flows ? (int32_t)(i + 1) : -1;
	t->free_top = 0;
	t->dhead = t->dtail = -1;
	t->ahead = t->atail = -1;
	if (tcp_ooo_init(&t->ooo, (size_t)(t->env->cfg ? t->env->cfg->max_ooo_kib : 0) * 1024))
		return -1;
	if (getrandom(t->key, sizeof(t->key), 0) != sizeof(t->key))
		return -1;
	return 0;
}

void tcp_table_fini(struct gw_tcp *t)
{
	tcp_ooo_fini(&t->ooo);
	free(t->flows);
	free(t->buckets);
	t->flows = NULL;
	t->buckets = NULL;
}

struct tcp_flow *tcp_flow_lookup(struct gw_tcp *t, const union inany_addr *ga, uint16_t gp,
				 const union inany_addr *ra, uint16_t rp)
{
	int32_t i = t->buckets[bucket_of(t, ga, gp, ra, rp)];

	while (i >= 0) {
		struct tcp_flow *f = &t->flows[i];

		if (f->gport == gp && f->rport == rp && inany_equals(&f->gaddr, ga) &&
		    inany_equals(&f->raddr, ra))
			return f;
		i = f->hnext;
	}
	return NULL;
}

struct tcp_flow *tcp_flow_alloc(struct gw_tcp *t, const union inany_addr *ga, uint16_t gp,
				const union inany_addr *ra, uint16_t rp)
{
	unsigned b = bucket_of(t, ga, gp, ra, rp);
	struct tcp_flow *f;
	int32_t i = t->free_top;

	if (i < 0)
		return NULL;
	f = &t->flows[i];
	t->free_top = f->hnext;
	memset(f, 0, sizeof(*f));
	f->gaddr = *ga;
	f->gport = gp;
	f->raddr = *ra;
	f->rport = rp;
	f->t = t;
	f->w.fd = -1;
	f->dprev = f->dnext = -1;
	f->aprev = f->anext = -1;
	f->hnext = t->buckets[b];
	t->buckets[b] = i;
	t->nflows++;
	if ((unsigned)i + 1 > t->hwm)
		t->hwm = (unsigned)i + 1;
	return f;
}

static void defer_unlink(struct gw_tcp *t, struct tcp_flow *f)
{
	int32_t i = (int32_t)(f - t->flows);

	if (f->dprev >= 0)
		t->flows[f->dprev].dnext = f->dnext;
	else if (t->dhead == i)
		t->dhead = f->dnext;
	if (f->dnext >= 0)
		t->flows[f->dnext].dprev = f->dprev;
	else if (t->dtail == i)
		t->dtail = f->dprev;
	f->dprev = f->dnext = -1;
	f->flags &= (uint16_t)~TF_QUEUED;
}

void tcp_flow_release(struct gw_tcp *t, struct tcp_flow *f)
{
	int32_t i = (int32_t)(f - t->flows), *pp;

	if (f->flags & TF_QUEUED)
		defer_unlink(t, f);
	tcp_ack_forget(t, f);
	tcp_ooo_drop(&t->ooo, &f->ooo);
	tcp_ooo_charge(f);
	pp = &t->buckets[bucket_of(t, &f->gaddr, f->gport, &f->raddr, f->rport)];
	while (*pp >= 0 && *pp != i)
		pp = &t->flows[*pp].hnext;
	if (*pp == i)
		*pp = f->hnext;
	gw_quota_put(t->env->quota, GW_QUOTA_TCP, f->station);
	f->state = TS_FREE;
	f->flags = 0;
	f->hnext = t->free_top;
	t->free_top = i;
	t->nflows--;
	while (t->hwm && t->flows[t->hwm - 1].state == TS_FREE)
		t->hwm--;
}

void tcp_defer(struct tcp_flow *f, uint16_t what)
{
	struct gw_tcp *t = f->t;
	int32_t i = (int32_t)(f - t->flows);

	f->flags |= what;
	if (f->flags & TF_QUEUED)
		return;
	f->flags |= TF_QUEUED;
	f->dnext = -1;
	f->dprev = t->dtail;
	if (t->dtail >= 0)
		t->flows[t->dtail].dnext = i;
	else
		t->dhead = i;
	t->dtail = i;
	if (!t->defer_timer.armed)
		ev_timer_arm(t->env->loop, &t->defer_timer, 0);
}

struct tcp_flow *tcp_defer_pop(struct gw_tcp *t)
{
	struct tcp_flow *f;

	if (t->dhead < 0)
		return NULL;
	f = &t->flows[t->dhead];
	defer_unlink(t, f);
	return f;
}

void tcp_ooo_charge(struct tcp_flow *f)
{
	struct gw_quota *q = f->t->env->quota;

	for (; f->ooo_charged < f->ooo.n; f->ooo_charged++)
		gw_quota_take_for(q, GW_QUOTA_OOO, f->station, ev_loop_now(f->t->env->loop), true);
	for (; f->ooo_charged > f->ooo.n; f->ooo_charged--)
		gw_quota_put(q, GW_QUOTA_OOO, f->station);
}
