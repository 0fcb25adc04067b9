/* SPDX-License-Identifier: MIT
 *
 * virtq.c - split virtqueue walking and used ring updates, see virtq.h.
 *
 * Layouts (little endian, virtio 1.2 2.7): a descriptor is 16 bytes (u64
 * addr, u32 len, u16 flags, u16 next); the available ring is u16 flags,
 * u16 idx, u16 ring[num], u16 used_event; the used ring u16 flags, u16 idx,
 * {u32 id, u32 len} ring[num], u16 avail_event. Ring indexes wrap at 2^16
 * and num is a power of two, so "& (num - 1)" picks the slot.
 */
#include "ports/virtq.h"
#include "ports/guest_mem.h"

#include <string.h>

const char *virtq_err_str(int err)
{
	switch (err) {
	case VIRTQ_OK: return "ok";
	case VIRTQ_ERR_AVAIL: return "available index runs more than the ring size ahead";
	case VIRTQ_ERR_HEAD: return "descriptor index out of range";
	case VIRTQ_ERR_LOOP: return "descriptor chain loops";
	case VIRTQ_ERR_ADDR: return "buffer outside guest memory";
	case VIRTQ_ERR_INDIRECT: return "bad indirect descriptor table";
	case VIRTQ_ERR_DIR: return "descriptor with the wrong direction";
	case VIRTQ_ERR_SEGS: return "too many buffer segments in a chain";
	case VIRTQ_ERR_LEN: return "chain longer than 4 GiB";
	}
	return "unknown error";
}

static uint16_t ld16(const uint8_t *p)
{
	return __atomic_load_n((const uint16_t *)(const void *)p, __ATOMIC_RELAXED);
}

static void st16(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)(void *)p, v, __ATOMIC_RELAXED);
}

int virtq_map(struct virtq *vq, const struct guest_mem *mem)
{
	uint64_t n = vq->num;
	uint8_t *d, *a, *u;

	vq->desc = vq->avail = vq->used = NULL;
	if (!n || n > VIRTQ_NUM_MAX || (n & (n - 1)))
		return VIRTQ_ERR_ADDR;
	d = guest_mem_uva(mem, vq->desc_uva, 16 * n);
	a = guest_mem_uva(mem, vq->avail_uva, 6 + 2 * n);
	u = guest_mem_uva(mem, vq->used_uva, 6 + 8 * n);
	if (!d || !a || !u || ((uintptr_t)d & 15) || ((uintptr_t)a & 1) || ((uintptr_t)u & 3))
		return VIRTQ_ERR_ADDR;
	vq->desc = d;
	vq->avail = a;
	vq->used = u;
	return VIRTQ_OK;
}

int virtq_avail(const struct virtq *vq)
{
	uint16_t idx = __atomic_load_n((const uint16_t *)(const void *)(vq->avail + 2),
				       __ATOMIC_ACQUIRE);
	uint16_t n = (uint16_t)(idx - vq->last_avail);

	if (n > vq->num)
		return VIRTQ_ERR_AVAIL;
	return n;
}

int virtq_head(const struct virtq *vq, unsigned i, uint16_t *head)
{
	uint16_t slot = (uint16_t)((vq->last_avail + i) & (vq->num - 1));
	uint16_t h = ld16(vq->avail + 4 + 2 * slot);

	if (h >= vq->num)
		return VIRTQ_ERR_HEAD;
	*head = h;
	return VIRTQ_OK;
}

void virtq_consume(struct virtq *vq, unsigned n)
{
	vq->last_avail = (uint16_t)(vq->last_avail + n);
}

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static void desc_read(const uint8_t *table, unsigned i, struct desc *d)
{
	memcpy(&d->addr, table + 16 * i, 8);
	memcpy(&d->len, table + 16 * i + 8, 4);
	memcpy(&d->flags, table + 16 * i + 12, 2);
	memcpy(&d->next, table + 16 * i + 14, 2);
}

/* Add one descriptor's buffer to c, split at region edges. */
static int chain_add(const struct guest_mem *mem, const struct desc *d, struct virtq_chain *c)
{
	uint64_t gpa = d->addr, left = d->len;

	if ((uint64_t)c->total + left > UINT32_MAX)
		return VIRTQ_ERR_LEN;
	while (left) {
		uint64_t got = 0;
		uint8_t *p = guest_mem_gpa(mem, gpa, left, &got);

		if (!p)
			return VIRTQ_ERR_ADDR;
		if (c->nsegs == VIRTQ_SEGS_MAX)
			return VIRTQ_ERR_SEGS;
		c->segs[c->nsegs].p = p;
		c->segs[c->nsegs].len = (uint32_t)got;
		c->segs[c->nsegs].gpa = gpa;
		c->nsegs++;
		c->total += (uint32_t)got;
		gpa += got;
		left -= got;
	}
	return VIRTQ_OK;
}

/* Walk a table of size n starting at index i (the ring's table, or an
 * indirect one when nested is set). */
static int walk(const struct virtq *vq, const struct guest_mem *mem, const uint8_t *table,
		unsigned n, unsigned i, bool nested, bool writable, struct virtq_chain *c)
{
	unsigned seen;
	struct desc d;
	int ret;

	for (seen = 0;; seen++) {
		if (i >= n)
			return VIRTQ_ERR_HEAD;
		if (seen >= n)
			return VIRTQ_ERR_LOOP;
		desc_read(table, i, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			uint64_t got = 0;
			const uint8_t *t;

			/* 2.7.5.3.1: not in an indirect table, not with NEXT */
			if (nested || !vq->indirect || d.flags & VIRTQ_DESC_F_NEXT || !d.len ||
			    d.len % 16 || d.len / 16 > VIRTQ_INDIRECT_MAX)
				return VIRTQ_ERR_INDIRECT;
			t = guest_mem_gpa(mem, d.addr, d.len, &got);
			if (!t || got != d.len || ((uintptr_t)t & 15))
				return VIRTQ_ERR_INDIRECT;
			return walk(vq, mem, t, d.len / 16, 0, true, writable, c);
		}
		if (!!(d.flags & VIRTQ_DESC_F_WRITE) != writable)
			return VIRTQ_ERR_DIR;
		ret = chain_add(mem, &d, c);
		if (ret)
			return ret;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return VIRTQ_OK;
		i = d.next;
	}
}

int virtq_chain(const struct virtq *vq, const struct guest_mem *mem, uint16_t head,
		bool writable, struct virtq_chain *c)
{
	c->head = head;
	c->nsegs = 0;
	c->total = 0;
	return walk(vq, mem, vq->desc, vq->num, head, false, writable, c);
}

void virtq_used_add(struct virtq *vq, struct guest_mem *mem, uint16_t head, uint32_t len)
{
	uint16_t slot = (uint16_t)(vq->used_idx & (vq->num - 1));
	uint8_t *e = vq->used + 4 + 8 * (size_t)slot;
	uint32_t id = head;

	memcpy(e, &id, 4);
	memcpy(e + 4, &len, 4);
	if (vq->log_used)
		guest_mem_log(mem, vq->log_gpa + 4 + 8 * (uint64_t)slot, 8);
	vq->used_idx++;
}

void virtq_used_publish(struct virtq *vq, struct guest_mem *mem)
{
	__atomic_store_n((uint16_t *)(void *)(vq->used + 2), vq->used_idx, __ATOMIC_RELEASE);
	if (vq->log_used)
		guest_mem_log(mem, vq->log_gpa + 2, 2);
}

bool virtq_should_call(struct virtq *vq)
{
	uint16_t old = vq->signalled, now = vq->used_idx, ev;
	bool valid = vq->signalled_valid;

	/* our used->idx store must be visible before we read the guest's wish */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(ld16(vq->avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	vq->signalled = now;
	vq->signalled_valid = true;
	if (!valid)
		return true;
	ev = ld16(vq->avail + 4 + 2 * (size_t)vq->num); /* used_event */
	/* 2.7.10.1: notify if used_event lies in [old, now) */
	return (uint16_t)(now - ev - 1) < (uint16_t)(now - old);
}

void virtq_kick_enable(struct virtq *vq, struct guest_mem *mem, bool on)
{
	if (vq->event_idx) {
		/* avail_event: kick me once you add entry last_avail */
		if (on) {
			st16(vq->used + 4 + 8 * (size_t)vq->num, vq->last_avail);
			if (vq->log_used)
				guest_mem_log(mem, vq->log_gpa + 4 + 8 * (uint64_t)vq->num, 2);
		}
	} else {
		uint16_t f = ld16(vq->used);

		st16(vq->used, on ? (uint16_t)(f & ~VIRTQ_USED_F_NO_NOTIFY) :
				    (uint16_t)(f | VIRTQ_USED_F_NO_NOTIFY));
		if (vq->log_used)
			guest_mem_log(mem, vq->log_gpa, 2);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

size_t virtq_chain_write(struct guest_mem *mem, const struct virtq_chain *c, size_t off,
			 const uint8_t *data, size_t len)
{
	size_t done = 0;
	unsigned i;

	for (i = 0; i < c->nsegs && done < len; i++) {
		const struct virtq_seg *s = &c->segs[i];
		size_t n;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off;
		if (n > len - done)
			n = len - done;
		memcpy(s->p + off, data + done, n);
		guest_mem_log(mem, s->gpa + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t virtq_chain_read(const struct virtq_chain *c, uint8_t *out, size_t max)
{
	size_t done = 0;
	unsigned i;

	for (i = 0; i < c->nsegs && done < max; i++) {
		size_t n = c->segs[i].len;

		if (n > max - done)
			n = max - done;
		memcpy(out + done, c->segs[i].p, n);
		done += n;
	}
	return done;
}
