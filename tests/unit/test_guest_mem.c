/* SPDX-License-Identifier: MIT
 *
 * test_guest_mem.c - the vhost-user memory table: two memfd regions with
 * mmap offsets, translation of guest-physical and frontend addresses at
 * and across region edges, a table that fails to map leaves the old one,
 * overlapping regions and fds shorter than their region are refused, and
 * the dirty log marks exactly the pages written.
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

#define PG 4096

static int mfd(size_t size)
{
	int fd = memfd_create("vw-test-guest-mem", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	return fd;
}

/* Region 0: gpa 0x0..0x4000 from offset 0x1000 of fd A; region 1: gpa
 * 0x4000..0xc000 (adjacent) from offset 0 of fd B; user addresses far
 * apart. */
static void two_regions(struct guest_mem *m, int *a, int *b)
{
	struct vu_mem_table t = { .n = 2 };
	int fds[2];
	char err[128];

	*a = mfd(0x5000);
	*b = mfd(0x8000);
	t.r[0] = (struct vu_region){ .gpa = 0, .size = 0x4000, .uaddr = 0x7f0000000000,
				     .mmap_offset = 0x1000 };
	t.r[1] = (struct vu_region){ .gpa = 0x4000, .size = 0x8000, .uaddr = 0x7f1000000000,
				     .mmap_offset = 0 };
	fds[0] = dup(*a);
	fds[1] = dup(*b);
	guest_mem_init(m);
	assert_int_equal(guest_mem_set(m, &t, fds, err, sizeof(err)), 0);
}

static void test_translate_edges(void **state)
{
	struct guest_mem m;
	uint64_t got = 0;
	uint8_t *p;
	int a, b;

	two_regions(&m, &a, &b);
	/* the mmap offset is honoured: gpa 0 is byte 0x1000 of fd A */
	assert_int_equal(pwrite(a, "A", 1, 0x1000), 1);
	p = guest_mem_gpa(&m, 0, 1, &got);
	assert_non_null(p);
	assert_int_equal(p[0], 'A');
	/* last byte of region 0 */
	p = guest_mem_gpa(&m, 0x3fff, 1, &got);
	assert_non_null(p);
	assert_int_equal(got, 1);
	/* a buffer crossing into region 1 is cut at the edge */
	p = guest_mem_gpa(&m, 0x3ff0, 0x20, &got);
	assert_non_null(p);
	assert_int_equal(got, 0x10);
	p = guest_mem_gpa(&m, 0x4000, 0x10, &got);
	assert_non_null(p);
	assert_int_equal(got, 0x10);
	/* last byte of region 1, then one past */
	assert_non_null(guest_mem_gpa(&m, 0xbfff, 1, &got));
	assert_null(guest_mem_gpa(&m, 0xc000, 1, &got));
	/* past the end: only what is inside */
	assert_non_null(guest_mem_gpa(&m, 0xbff0, 0x1000, &got));
	assert_int_equal(got, 0x10);
	assert_null(guest_mem_gpa(&m, UINT64_MAX, 2, &got));
	assert_null(guest_mem_gpa(&m, 0, 0, &got));

	/* user addresses: whole range in one region or nothing */
	assert_non_null(guest_mem_uva(&m, 0x7f0000000000, 0x4000));
	assert_null(guest_mem_uva(&m, 0x7f0000000000, 0x4001));
	assert_null(guest_mem_uva(&m, 0x7f0000003fff, 2));
	assert_non_null(guest_mem_uva(&m, 0x7f1000007fff, 1));
	assert_null(guest_mem_uva(&m, 0x7f1000008000, 1));
	assert_null(guest_mem_uva(&m, 0x7f0fffffffff, 1));
	assert_null(guest_mem_uva(&m, UINT64_MAX, UINT64_MAX));
	{
		uint64_t gpa;

		assert_true(guest_mem_uva_to_gpa(&m, 0x7f1000000010, &gpa));
		assert_int_equal(gpa, 0x4010);
		assert_false(guest_mem_uva_to_gpa(&m, 0x1000, &gpa));
	}
	guest_mem_reset(&m);
	close(a);
	close(b);
}

static void test_remap_and_refusals(void **state)
{
	struct guest_mem m;
	struct vu_mem_table t = { .n = 1 };
	uint64_t got;
	char err[128];
	int a, b, fds[2];

	two_regions(&m, &a, &b);
	/* a region larger than its file: refused, the old table stays */
	t.r[0] = (struct vu_region){ .gpa = 0x100000, .size = 0x10000, .uaddr = 0x1000,
				     .mmap_offset = 0 };
	fds[0] = dup(a);
	assert_int_equal(guest_mem_set(&m, &t, fds, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "beyond the end"));
	assert_int_equal(m.n, 2);
	assert_non_null(guest_mem_gpa(&m, 0x10, 1, &got));

	/* overlapping regions: refused */
	t.n = 2;
	t.r[0] = (struct vu_region){ .gpa = 0, .size = 0x2000, .uaddr = 0x1000 };
	t.r[1] = (struct vu_region){ .gpa = 0x1000, .size = 0x2000, .uaddr = 0x9000 };
	fds[0] = dup(a);
	fds[1] = dup(b);
	assert_int_equal(guest_mem_set(&m, &t, fds, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "overlap"));

	/* a new table replaces the old one */
	t.n = 1;
	t.r[0] = (struct vu_region){ .gpa = 0x100000, .size = 0x1000, .uaddr = 0x1000,
				     .mmap_offset = 0x2000 };
	fds[0] = dup(b);
	assert_int_equal(guest_mem_set(&m, &t, fds, err, sizeof(err)), 0);
	assert_null(guest_mem_gpa(&m, 0x10, 1, &got));
	assert_non_null(guest_mem_gpa(&m, 0x100fff, 1, &got));
	assert_int_equal(m.maps, 2);
	guest_mem_reset(&m);
	close(a);
	close(b);
}

static void test_dirty_log(void **state)
{
	struct guest_mem m;
	char err[128];
	int a, b, lfd = mfd(PG);
	uint8_t bits[4];

	two_regions(&m, &a, &b);
	assert_int_equal(guest_mem_set_log(&m, dup(lfd), 4, 0, err, sizeof(err)), 0);
	guest_mem_log(&m, 0, 1); /* logging not negotiated: nothing */
	m.logging = true;
	guest_mem_log(&m, 0x1fff, 2);       /* pages 1 and 2 */
	guest_mem_log(&m, 0x9000, 1);       /* page 9 */
	guest_mem_log(&m, 0x1000000, 1);    /* beyond the log: ignored */
	assert_int_equal(pread(lfd, bits, 4, 0), 4);
	assert_int_equal(bits[0], 0x06);
	assert_int_equal(bits[1], 0x02);
	assert_int_equal(bits[2], 0);
	guest_mem_reset(&m);
	assert_null(m.log);
	close(a);
	close(b);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_translate_edges),
		cmocka_unit_test(test_remap_and_refusals),
		cmocka_unit_test(test_dirty_log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
