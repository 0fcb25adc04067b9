/* SPDX-License-Identifier: MIT
 *
 * fuzz_virtq.c - libFuzzer target for the split ring walker
 * (ports/virtq.c) over a fake guest memory the input fills, as a hostile
 * guest controls every byte of its rings.
 *
 * Theory of operation: the input is
 *
 *   byte 0      bits 0..3: log2 of the ring size (1..256, capped);
 *               bit 4: INDIRECT_DESC negotiated; bit 5: EVENT_IDX;
 *               bit 6: walk chains as writable (a receive queue)
 *   byte 1      last_avail_idx to start from
 *   the rest    copied into a 64 KiB guest memory made of two adjacent
 *               regions (guest-physical 0..32K and 32K..64K, user
 *               addresses elsewhere), the rings at fixed places in it
 *
 * Every available entry is walked with virtq_chain() and then completed
 * through the used ring, as the device would. Checked beyond "no crash":
 * every segment lies inside the fake memory, the segments add up to the
 * chain's total, their number stays within VIRTQ_SEGS_MAX, an error stops
 * the walk as the device would, chain reads and writes touch only the
 * segments, and the used index advances by exactly what was added.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ports/guest_mem.h"
#include "ports/virtq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM 65536
#define UVA 0x500000000000ull

static uint8_t mem_buf[MEM] __attribute__((aligned(4096)));
static uint8_t out[MEM];
static struct virtq_chain ch;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guest_mem mem;
	struct virtq vq;
	unsigned lg, i, n;
	uint16_t start;
	bool writable;
	int avail;

	if (size < 2)
		return 0;
	memset(mem_buf, 0, sizeof(mem_buf));
	memcpy(mem_buf, data + 2, size - 2 < MEM ? size - 2 : MEM);
	/* two regions, so buffers can cross an edge */
	guest_mem_init(&mem);
	mem.n = 2;
	mem.r[0] = (struct guest_region){ .gpa = 0, .size = MEM / 2, .uaddr = UVA,
					  .host = mem_buf };
	mem.r[1] = (struct guest_region){ .gpa = MEM / 2, .size = MEM / 2,
					  .uaddr = UVA + 0x10000000, .host = mem_buf + MEM / 2 };
	memset(&vq, 0, sizeof(vq));
	lg = data[0] & 15;
	if (lg > 8)
		lg = 8;
	vq.num = (uint16_t)(1u << lg);
	vq.indirect = data[0] & 16;
	vq.event_idx = data[0] & 32;
	writable = data[0] & 64;
	start = data[1];
	vq.last_avail = start;
	vq.desc_uva = UVA + 0x1000;  /* 16 * 256 = 4 KiB */
	vq.avail_uva = UVA + 0x2000;
	vq.used_uva = UVA + 0x3000;
	if (virtq_map(&vq, &mem) != 0)
		return 0;
	avail = virtq_avail(&vq);
	if (avail < 0)
		return 0;
	assert(avail <= vq.num);
	n = 0;
	for (i = 0; i < (unsigned)avail; i++) {
		uint16_t head;
		uint32_t total = 0;
		unsigned s;
		size_t got;

		if (virtq_head(&vq, i, &head) != 0)
			break;
		assert(head < vq.num);
		if (virtq_chain(&vq, &mem, head, writable, &ch) != 0)
			break;
		assert(ch.nsegs <= VIRTQ_SEGS_MAX);
		for (s = 0; s < ch.nsegs; s++) {
			assert(ch.segs[s].p >= mem_buf);
			assert(ch.segs[s].p + ch.segs[s].len <= mem_buf + MEM);
			assert(ch.segs[s].len > 0);
			total += ch.segs[s].len;
		}
		assert(total == ch.total);
		got = virtq_chain_read(&ch, out, sizeof(out));
		assert(got == (ch.total < sizeof(out) ? ch.total : sizeof(out)));
		if (writable)
			assert(virtq_chain_write(&mem, &ch, 0, out, got) == got);
		virtq_used_add(&vq, &mem, head, (uint32_t)got);
		n++;
	}
	virtq_consume(&vq, n);
	virtq_used_publish(&vq, &mem);
	{
		uint16_t u;

		memcpy(&u, mem_buf + 0x3000 + 2, 2);
		assert(u == (uint16_t)n);
	}
	(void)virtq_should_call(&vq);
	virtq_kick_enable(&vq, &mem, true);
	return 0;
}
