/* SPDX-License-Identifier: MIT
 *
 * test_virtq.c - the split ring walker over fake guest memory (two
 * adjacent memfd regions): plain and indirect chains, chains that loop,
 * point out of range or outside memory, zero-length descriptors, buffers
 * crossing the region edge, the wrong direction, nested or unnegotiated
 * indirect tables, an available index that runs too far ahead, used ring
 * publishing and the EVENT_IDX call rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ports/guest_mem.h"
#include "ports/virtq.h"

#define NUM 8
/* gpa layout in region 0 (0x0-0x10000); region 1 is 0x10000-0x20000 */
#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define IND 0x4000
#define BUF 0x8000

static struct guest_mem mem;
static struct virtq vq;
static struct virtq_chain ch;

static uint8_t *gp(uint64_t gpa)
{
	uint64_t got;
	uint8_t *p = guest_mem_gpa(&mem, gpa, 1, &got);

	assert_non_null(p);
	return p;
}

static void put_desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	uint8_t *d = gp(table + 16 * i);

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static void offer(uint16_t head)
{
	uint16_t idx;

	memcpy(&idx, gp(AVAIL + 2), 2);
	memcpy(gp(AVAIL + 4 + 2 * (idx % NUM)), &head, 2);
	idx++;
	memcpy(gp(AVAIL + 2), &idx, 2);
}

static int setup(void **state)
{
	struct vu_mem_table t = { .n = 2 };
	int fd = memfd_create("vw-test-virtq", MFD_CLOEXEC), fds[2];
	char err[128];

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 0x20000), 0);
	/* uaddr = gpa + 1 TiB, so the two address spaces differ */
	t.r[0] = (struct vu_region){ .gpa = 0, .size = 0x10000, .uaddr = (1ull << 40),
				     .mmap_offset = 0 };
	t.r[1] = (struct vu_region){ .gpa = 0x10000, .size = 0x10000,
				     .uaddr = (1ull << 40) + 0x100000, .mmap_offset = 0x10000 };
	fds[0] = fd;
	fds[1] = dup(fd);
	guest_mem_init(&mem);
	assert_int_equal(guest_mem_set(&mem, &t, fds, err, sizeof(err)), 0);
	memset(&vq, 0, sizeof(vq));
	vq.num = NUM;
	vq.desc_uva = (1ull << 40) + DESC;
	vq.avail_uva = (1ull << 40) + AVAIL;
	vq.used_uva = (1ull << 40) + USED;
	vq.indirect = true;
	assert_int_equal(virtq_map(&vq, &mem), 0);
	return 0;
}

static int teardown(void **state)
{
	guest_mem_reset(&mem);
	return 0;
}

static void test_map_checks(void **state)
{
	struct virtq bad = vq;

	bad.used_uva = (1ull << 40) + 0xffff; /* runs past region 0 */
	assert_int_equal(virtq_map(&bad, &mem), VIRTQ_ERR_ADDR);
	bad = vq;
	bad.desc_uva += 8; /* misaligned */
	assert_int_equal(virtq_map(&bad, &mem), VIRTQ_ERR_ADDR);
	bad = vq;
	bad.num = 6; /* not a power of two */
	assert_int_equal(virtq_map(&bad, &mem), VIRTQ_ERR_ADDR);
	bad = vq;
	bad.desc_uva = DESC; /* a guest-physical address is not a user address */
	assert_int_equal(virtq_map(&bad, &mem), VIRTQ_ERR_ADDR);
}

static void test_plain_chain(void **state)
{
	uint16_t head;

	put_desc(DESC, 3, BUF, 12, VIRTQ_DESC_F_NEXT, 5);
	put_desc(DESC, 5, BUF + 0x100, 0, VIRTQ_DESC_F_NEXT, 1); /* zero length */
	put_desc(DESC, 1, BUF + 0x200, 100, 0, 0);
	offer(3);
	assert_int_equal(virtq_avail(&vq), 1);
	assert_int_equal(virtq_head(&vq, 0, &head), 0);
	assert_int_equal(head, 3);
	assert_int_equal(virtq_chain(&vq, &mem, head, false, &ch), 0);
	assert_int_equal(ch.nsegs, 2);
	assert_int_equal(ch.total, 112);
	assert_ptr_equal(ch.segs[0].p, gp(BUF));
	assert_ptr_equal(ch.segs[1].p, gp(BUF + 0x200));
	/* the same chain as writable buffers: wrong direction */
	assert_int_equal(virtq_chain(&vq, &mem, head, true, &ch), VIRTQ_ERR_DIR);
	virtq_consume(&vq, 1);
	assert_int_equal(virtq_avail(&vq), 0);
}

static void test_indirect(void **state)
{
	uint8_t out[64];

	put_desc(IND, 0, BUF, 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	put_desc(IND, 2, BUF + 4, 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	put_desc(IND, 1, BUF + 8, 4, VIRTQ_DESC_F_WRITE, 0);
	put_desc(DESC, 0, IND, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(virtq_chain(&vq, &mem, 0, true, &ch), 0);
	assert_int_equal(ch.nsegs, 3);
	assert_int_equal(ch.total, 12);
	memcpy(gp(BUF), "abcdefghijkl", 12);
	assert_int_equal(virtq_chain_read(&ch, out, sizeof(out)), 12);
	assert_memory_equal(out, "abcdefghijkl", 12);
	assert_int_equal(virtq_chain_write(&mem, &ch, 2, (const uint8_t *)"XYZW", 4), 4);
	assert_memory_equal(gp(BUF), "abXYZWghijkl", 12);

	/* not negotiated */
	vq.indirect = false;
	assert_int_equal(virtq_chain(&vq, &mem, 0, true, &ch), VIRTQ_ERR_INDIRECT);
	vq.indirect = true;
	/* nested */
	put_desc(IND, 1, IND, 16, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(virtq_chain(&vq, &mem, 0, true, &ch), VIRTQ_ERR_INDIRECT);
	/* a next past the end of the indirect table */
	put_desc(IND, 1, BUF, 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
	assert_int_equal(virtq_chain(&vq, &mem, 0, true, &ch), VIRTQ_ERR_HEAD);
	/* length not a multiple of 16, and zero */
	put_desc(DESC, 0, IND, 40, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(virtq_chain(&vq, &mem, 0, true, &ch), VIRTQ_ERR_INDIRECT);
	put_desc(DESC, 0, IND, 0, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(virtq_chain(&vq, &mem, 0, true, &ch), VIRTQ_ERR_INDIRECT);
	/* the table itself outside memory */
	put_desc(DESC, 0, 0x30000, 32, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(virtq_chain(&vq, &mem, 0, true, &ch), VIRTQ_ERR_INDIRECT);
}

static void test_loops_and_ranges(void **state)
{
	uint16_t head;

	/* 2 -> 4 -> 2 */
	put_desc(DESC, 2, BUF, 1, VIRTQ_DESC_F_NEXT, 4);
	put_desc(DESC, 4, BUF, 1, VIRTQ_DESC_F_NEXT, 2);
	assert_int_equal(virtq_chain(&vq, &mem, 2, false, &ch), VIRTQ_ERR_LOOP);
	/* a descriptor pointing at itself */
	put_desc(DESC, 6, BUF, 0, VIRTQ_DESC_F_NEXT, 6);
	assert_int_equal(virtq_chain(&vq, &mem, 6, false, &ch), VIRTQ_ERR_LOOP);
	/* next out of range */
	put_desc(DESC, 2, BUF, 1, VIRTQ_DESC_F_NEXT, NUM);
	assert_int_equal(virtq_chain(&vq, &mem, 2, false, &ch), VIRTQ_ERR_HEAD);
	/* a head out of range in the available ring */
	offer(NUM + 3);
	assert_int_equal(virtq_head(&vq, 0, &head), VIRTQ_ERR_HEAD);
	virtq_consume(&vq, 1);
	/* buffer outside guest memory, and one wrapping around 2^64 */
	put_desc(DESC, 2, 0x20000, 1, 0, 0);
	assert_int_equal(virtq_chain(&vq, &mem, 2, false, &ch), VIRTQ_ERR_ADDR);
	put_desc(DESC, 2, UINT64_MAX - 1, 16, 0, 0);
	assert_int_equal(virtq_chain(&vq, &mem, 2, false, &ch), VIRTQ_ERR_ADDR);
	/* a buffer running off the end of memory: the first part is mapped,
	 * the rest is not */
	put_desc(DESC, 2, 0x1fff0, 0x20, 0, 0);
	assert_int_equal(virtq_chain(&vq, &mem, 2, false, &ch), VIRTQ_ERR_ADDR);
	/* across the edge of the two regions: two segments */
	put_desc(DESC, 2, 0xfff0, 0x20, 0, 0);
	assert_int_equal(virtq_chain(&vq, &mem, 2, false, &ch), 0);
	assert_int_equal(ch.nsegs, 2);
	assert_int_equal(ch.segs[0].len, 0x10);
	assert_int_equal(ch.segs[1].gpa, 0x10000);
	/* lengths summing past 4 GiB */
	put_desc(DESC, 2, 0, 0xffffffff, VIRTQ_DESC_F_NEXT, 3);
	put_desc(DESC, 3, 0, 0xffffffff, 0, 0);
	assert_int_not_equal(virtq_chain(&vq, &mem, 2, false, &ch), 0);
}

static void test_avail_too_far(void **state)
{
	uint16_t idx = (uint16_t)(vq.last_avail + NUM + 1);

	memcpy(gp(AVAIL + 2), &idx, 2);
	assert_int_equal(virtq_avail(&vq), VIRTQ_ERR_AVAIL);
	idx = (uint16_t)(vq.last_avail + NUM);
	memcpy(gp(AVAIL + 2), &idx, 2);
	assert_int_equal(virtq_avail(&vq), NUM);
}

static void test_used_and_event_idx(void **state)
{
	uint16_t idx, ev;
	uint32_t e[2];

	vq.used_idx = 0xfffe; /* wraps */
	memcpy(gp(USED + 2), &vq.used_idx, 2);
	virtq_used_add(&vq, &mem, 5, 1500);
	virtq_used_add(&vq, &mem, 6, 60);
	memcpy(&idx, gp(USED + 2), 2);
	assert_int_equal(idx, 0xfffe); /* not published yet */
	virtq_used_publish(&vq, &mem);
	memcpy(&idx, gp(USED + 2), 2);
	assert_int_equal(idx, 0);
	memcpy(e, gp(USED + 4 + 8 * (0xfffe % NUM)), 8);
	assert_int_equal(e[0], 5);
	assert_int_equal(e[1], 1500);
	memcpy(e, gp(USED + 4 + 8 * (0xffff % NUM)), 8);
	assert_int_equal(e[0], 6);

	/* without EVENT_IDX: the NO_INTERRUPT flag */
	memset(gp(AVAIL), 0, 2);
	assert_true(virtq_should_call(&vq));
	*gp(AVAIL) = VIRTQ_AVAIL_F_NO_INTERRUPT;
	assert_false(virtq_should_call(&vq));

	/* with EVENT_IDX: call when used_event was crossed */
	vq.event_idx = true;
	vq.signalled_valid = false;
	vq.used_idx = 10;
	assert_true(virtq_should_call(&vq)); /* first time: always */
	ev = 11;
	memcpy(gp(AVAIL + 4 + 2 * NUM), &ev, 2);
	vq.used_idx = 11; /* 10 -> 11 does not pass "after 11" */
	assert_false(virtq_should_call(&vq));
	vq.used_idx = 12; /* 11 -> 12 does */
	assert_true(virtq_should_call(&vq));
	vq.used_idx = 20;
	assert_false(virtq_should_call(&vq));

	/* kick suppression: EVENT_IDX writes avail_event, else the flag */
	vq.last_avail = 0x1234;
	virtq_kick_enable(&vq, &mem, true);
	memcpy(&ev, gp(USED + 4 + 8 * NUM), 2);
	assert_int_equal(ev, 0x1234);
	vq.event_idx = false;
	virtq_kick_enable(&vq, &mem, false);
	assert_int_equal(*gp(USED) & VIRTQ_USED_F_NO_NOTIFY, VIRTQ_USED_F_NO_NOTIFY);
	virtq_kick_enable(&vq, &mem, true);
	assert_int_equal(*gp(USED) & VIRTQ_USED_F_NO_NOTIFY, 0);
}

static void test_segment_limit(void **state)
{
	unsigned i;

	/* an indirect table of 1024 descriptors, each one crossing nothing,
	 * is more segments than a chain may have */
	for (i = 0; i < 200; i++)
		put_desc(IND, i, BUF, 1, VIRTQ_DESC_F_NEXT, (uint16_t)(i + 1));
	put_desc(IND, 200, BUF, 1, 0, 0);
	put_desc(DESC, 0, IND, 201 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(virtq_chain(&vq, &mem, 0, false, &ch), VIRTQ_ERR_SEGS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_map_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loops_and_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_avail_too_far, setup, teardown),
		cmocka_unit_test_setup_teardown(test_used_and_event_idx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segment_limit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
