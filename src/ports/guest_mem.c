/* SPDX-License-Identifier: MIT
 *
 * guest_mem.c - the frontend's memory table and the dirty log, see
 * guest_mem.h.
 *
 * A region's mmap offset need not be page aligned: the mapping starts at
 * the page below it and host points at the offset inside. Before mapping,
 * the fd's size must cover offset + size: touching a mapping past the end
 * of its file is SIGBUS, and the size is the frontend's word.
 */
#include "ports/guest_mem.h"
#include "ports/guest_mem_guard.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void guest_mem_init(struct guest_mem *mem)
{
	memset(mem, 0, sizeof(*mem));
}

static void unmap_regions(struct guest_region *r, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (r[i].map) {
			guest_mem_guard_del(r[i].map);
			munmap(r[i].map, r[i].map_len);
		}
}

/* mmap [offset, offset+size) of fd; 0 or -errno. */
static int map_fd(int fd, uint64_t offset, uint64_t size, void **map, size_t *map_len,
		  uint8_t **host)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t base = offset & ~(page - 1);
	uint64_t len = size + (offset - base);
	struct stat st;
	void *p;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < offset + size)
		return -ERANGE;
	if (len > SIZE_MAX || len < size)
		return -ERANGE;
	p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)base);
	if (p == MAP_FAILED)
		return -errno;
	*map = p;
	*map_len = (size_t)len;
	*host = (uint8_t *)p + (offset - base);
	return 0;
}

int guest_mem_set(struct guest_mem *mem, const struct vu_mem_table *t, const int *fds,
		  char *err, size_t errlen)
{
	struct guest_region nr[VU_REGIONS_MAX];
	unsigned i, j;
	int ret = 0;

	memset(nr, 0, sizeof(nr));
	for (i = 0; i < t->n && !ret; i++) {
		nr[i].gpa = t->r[i].gpa;
		nr[i].size = t->r[i].size;
		nr[i].uaddr = t->r[i].uaddr;
		/* overlapping regions would make translation ambiguous */
		for (j = 0; j < i; j++) {
			if (nr[i].gpa < nr[j].gpa + nr[j].size && nr[j].gpa < nr[i].gpa + nr[i].size) {
				snprintf(err, errlen, "memory regions %u and %u overlap", j, i);
				ret = -1;
			}
		}
		if (ret)
			break;
		ret = map_fd(fds[i], t->r[i].mmap_offset, t->r[i].size, &nr[i].map,
			     &nr[i].map_len, &nr[i].host);
		if (ret) {
			snprintf(err, errlen, "cannot map memory region %u (%llu bytes at offset "
				 "%llu): %s", i, (unsigned long long)t->r[i].size,
				 (unsigned long long)t->r[i].mmap_offset,
				 ret == -ERANGE ? "beyond the end of its file" : strerror(-ret));
			ret = -1;
		}
	}
	for (i = 0; i < t->n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (i = 0; i < t->n && !ret; i++)
		if (guest_mem_guard_add(nr[i].map, nr[i].map_len, &mem->faulted) < 0) {
			snprintf(err, errlen, "too many mapped memory regions in this daemon "
				 "(%d)", GUEST_MEM_GUARD_MAX);
			ret = -1;
		}
	if (ret) {
		unmap_regions(nr, t->n);
		return -1;
	}
	unmap_regions(mem->r, mem->n);
	memcpy(mem->r, nr, sizeof(nr));
	mem->n = t->n;
	mem->maps++;
	return 0;
}

int guest_mem_set_log(struct guest_mem *mem, int fd, uint64_t size, uint64_t offset,
		      char *err, size_t errlen)
{
	void *map;
	size_t map_len;
	uint8_t *host;
	int ret = map_fd(fd, offset, size, &map, &map_len, &host);

	close(fd);
	if (ret) {
		snprintf(err, errlen, "cannot map the dirty log (%llu bytes): %s",
			 (unsigned long long)size, ret == -ERANGE ? "beyond the end of its file" :
			 strerror(-ret));
		return -1;
	}
	if (guest_mem_guard_add(map, map_len, &mem->faulted) < 0) {
		munmap(map, map_len);
		snprintf(err, errlen, "too many mapped memory regions in this daemon (%d)",
			 GUEST_MEM_GUARD_MAX);
		return -1;
	}
	if (mem->log_map) {
		guest_mem_guard_del(mem->log_map);
		munmap(mem->log_map, mem->log_map_len);
	}
	mem->log_map = map;
	mem->log_map_len = map_len;
	mem->log = host;
	mem->log_len = (size_t)size;
	return 0;
}

void guest_mem_reset(struct guest_mem *mem)
{
	unmap_regions(mem->r, mem->n);
	if (mem->log_map) {
		guest_mem_guard_del(mem->log_map);
		munmap(mem->log_map, mem->log_map_len);
	}
	guest_mem_init(mem);
}

uint8_t *guest_mem_gpa(const struct guest_mem *mem, uint64_t gpa, uint64_t len,
		       uint64_t *avail)
{
	unsigned i;

	if (!len)
		return NULL;
	for (i = 0; i < mem->n; i++) {
		const struct guest_region *r = &mem->r[i];
		uint64_t off;

		if (gpa < r->gpa || gpa - r->gpa >= r->size)
			continue;
		off = gpa - r->gpa;
		*avail = r->size - off < len ? r->size - off : len;
		return r->host + off;
	}
	return NULL;
}

uint8_t *guest_mem_uva(const struct guest_mem *mem, uint64_t uva, uint64_t len)
{
	unsigned i;

	if (!len)
		return NULL;
	for (i = 0; i < mem->n; i++) {
		const struct guest_region *r = &mem->r[i];

		if (uva < r->uaddr || uva - r->uaddr >= r->size)
			continue;
		if (len > r->size - (uva - r->uaddr))
			return NULL;
		return r->host + (uva - r->uaddr);
	}
	return NULL;
}

bool guest_mem_uva_to_gpa(const struct guest_mem *mem, uint64_t uva, uint64_t *gpa)
{
	unsigned i;

	for (i = 0; i < mem->n; i++) {
		const struct guest_region *r = &mem->r[i];

		if (uva >= r->uaddr && uva - r->uaddr < r->size) {
			*gpa = r->gpa + (uva - r->uaddr);
			return true;
		}
	}
	return false;
}

void guest_mem_log(struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	uint64_t page, last;

	if (!mem->logging || !mem->log || !len || gpa + len < gpa)
		return;
	last = (gpa + len - 1) / GUEST_MEM_LOG_PAGE;
	for (page = gpa / GUEST_MEM_LOG_PAGE; page <= last; page++) {
		if (page / 8 >= mem->log_len)
			return;
		__atomic_fetch_or(&mem->log[page / 8], (uint8_t)(1u << (page % 8)),
				  __ATOMIC_RELAXED);
	}
}
