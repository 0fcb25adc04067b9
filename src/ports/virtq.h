/* SPDX-License-Identifier: MIT
 *
 * virtq.h - a virtio split virtqueue (virtio 1.2, 2.7) seen from the
 * device side, over guest memory mapped by guest_mem.
 *
 * Theory of operation: the driver (the guest) owns the descriptor table
 * and the available ring, vmwire owns the used ring. Every number read
 * from the guest's side is checked before it is used: the available index
 * may run at most num ahead of what we consumed, a head and every next
 * index must be below num (below the table's size for indirect tables),
 * a chain may not visit more descriptors than the table has (a loop), an
 * indirect descriptor may not point at another indirect one, and every
 * buffer address is translated through the memory table piece by piece.
 * Any violation is an error the caller treats as a broken device (the
 * connection is dropped); nothing is trusted twice, since each descriptor
 * is copied out of shared memory once before it is looked at.
 *
 * virtq_chain() turns one chain into a list of host segments (a buffer
 * crossing a region edge becomes two), readable ones for a queue the
 * guest transmits on, writable ones for its receive queue. Consuming is
 * separate from looking (virtq_head(), virtq_consume()), so a receive
 * frame that does not fit the buffers on offer leaves them for the next.
 *
 * Notifications, both ways (2.7.7, 2.7.10): with VIRTIO_RING_F_EVENT_IDX
 * the guest says in used_event after which used index it wants an
 * interrupt, and we say in avail_event after which available index we
 * want a kick; without it the NO_INTERRUPT / NO_NOTIFY flags do the same
 * coarsely. virtq_should_call() applies the guest's rule so a call is
 * only made when asked for; virtq_kick_enable() re-arms kicks before the
 * caller stops polling, and the caller must look at the ring once more
 * after it (the guest may have added buffers just before).
 *
 * Barriers: avail->idx is read with acquire before the ring entries it
 * covers; used entries are written before used->idx is stored with
 * release; a full fence separates publishing our index from reading the
 * guest's event index.
 */
#ifndef VMWIRE_PORTS_VIRTQ_H
#define VMWIRE_PORTS_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_mem;

#define VIRTQ_NUM_MAX 32768
#define VIRTQ_SEGS_MAX 128       /* host segments of one chain */
#define VIRTQ_INDIRECT_MAX 1024  /* descriptors in one indirect table */

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

enum virtq_err {
	VIRTQ_OK = 0,
	VIRTQ_ERR_AVAIL = -1,    /* available index more than num ahead */
	VIRTQ_ERR_HEAD = -2,     /* head or next index out of range */
	VIRTQ_ERR_LOOP = -3,     /* chain longer than its table: a loop */
	VIRTQ_ERR_ADDR = -4,     /* buffer outside guest memory */
	VIRTQ_ERR_INDIRECT = -5, /* bad or nested indirect table, or not negotiated */
	VIRTQ_ERR_DIR = -6,      /* writable where readable expected, or the reverse */
	VIRTQ_ERR_SEGS = -7,     /* more than VIRTQ_SEGS_MAX segments */
	VIRTQ_ERR_LEN = -8,      /* chain longer than 4 GiB */
};

struct virtq_seg {
	uint8_t *p;
	uint32_t len;
	uint64_t gpa; /* for the dirty log */
};

struct virtq_chain {
	uint16_t head;
	unsigned nsegs;
	uint32_t total; /* bytes in segs */
	struct virtq_seg segs[VIRTQ_SEGS_MAX];
};

struct virtq {
	uint16_t num;           /* 0: not configured */
	/* host pointers, set by virtq_map(); NULL: not mapped */
	uint8_t *desc, *avail, *used;
	/* as the frontend gave them (SET_VRING_ADDR), to remap after a new table */
	uint64_t desc_uva, avail_uva, used_uva, log_gpa;
	bool log_used;          /* VHOST_VRING_F_LOG: dirty-log used ring writes */
	uint16_t last_avail;    /* next available entry to consume */
	uint16_t used_idx;      /* next used entry to write (shadow of used->idx) */
	uint16_t signalled;     /* used index at the last call */
	bool signalled_valid;
	bool event_idx, indirect; /* negotiated features */
};

const char *virtq_err_str(int err);

/* Translate the ring addresses for vq->num entries: 0, or VIRTQ_ERR_ADDR
 * if a part lies outside one region or is misaligned (virtq unmapped). */
int virtq_map(struct virtq *vq, const struct guest_mem *mem);
static inline bool virtq_ready(const struct virtq *vq) { return vq->used != NULL; }

/* Available entries not consumed yet, or VIRTQ_ERR_AVAIL. */
int virtq_avail(const struct virtq *vq);
/* The head of the i-th unconsumed entry (i < virtq_avail()), checked. */
int virtq_head(const struct virtq *vq, unsigned i, uint16_t *head);
void virtq_consume(struct virtq *vq, unsigned n);

/* Walk the chain at head: writable (receive queue) or readable segments. */
int virtq_chain(const struct virtq *vq, const struct guest_mem *mem, uint16_t head,
		bool writable, struct virtq_chain *c);

/* Put (head, len) in the used ring, not visible yet; publish makes every
 * added entry visible to the guest at once. */
void virtq_used_add(struct virtq *vq, struct guest_mem *mem, uint16_t head, uint32_t len);
void virtq_used_publish(struct virtq *vq, struct guest_mem *mem);

/* After publishing: does the guest want an interrupt now? Marks it done. */
bool virtq_should_call(struct virtq *vq);

/* Ask (on) or not (off) for kicks when the guest adds entries. After
 * turning them on, look at virtq_avail() again before going idle. */
void virtq_kick_enable(struct virtq *vq, struct guest_mem *mem, bool on);

/* Copy len bytes from data into the chain's segments starting at byte
 * offset off, logging the writes; returns the bytes written. */
size_t virtq_chain_write(struct guest_mem *mem, const struct virtq_chain *c, size_t off,
			 const uint8_t *data, size_t len);
/* Copy up to max bytes of the chain into out; returns the count. */
size_t virtq_chain_read(const struct virtq_chain *c, uint8_t *out, size_t max);

#endif
