/* SPDX-License-Identifier: MIT
 *
 * guest_mem.h - a vhost-user frontend's memory table: the guest's RAM
 * regions mapped into vmwire, address translation, and the dirty log.
 *
 * Theory of operation: SET_MEM_TABLE hands over up to 8 regions, each an fd
 * (a memfd or hugetlbfs file) with the region's guest-physical address, its
 * size, the frontend's own virtual address for it and the offset of the
 * region inside the fd. guest_mem_set() maps each one MAP_SHARED at that
 * offset and keeps the table; a table that arrives again (memory hotplug,
 * a guest reboot) is mapped completely first and replaces the old one
 * only when every region mapped, so a failure leaves the running table.
 *
 * Two address spaces reach us: ring addresses (SET_VRING_ADDR) are the
 * frontend's user addresses, descriptor addresses are guest-physical. Both
 * are translated here and nowhere else, and every translation is bounds
 * checked: guest_mem_gpa() returns a host pointer only for the part of
 * [gpa, gpa+len) that lies inside one region (a buffer crossing from one
 * region into the next is walked piece by piece by the caller), and
 * guest_mem_uva() only for a range wholly inside one region. Overflowing
 * sums and addresses between regions translate to nothing.
 *
 * Dirty logging (live migration): with SET_LOG_BASE the frontend hands a
 * shared bitmap, one bit per 4 KiB guest page; while VHOST_F_LOG_ALL is
 * negotiated every byte vmwire writes into guest memory is marked there
 * with guest_mem_log() (atomically: QEMU clears it concurrently).
 */
#ifndef VMWIRE_PORTS_GUEST_MEM_H
#define VMWIRE_PORTS_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>

#include "ports/vhost_user_msg.h"

#define GUEST_MEM_LOG_PAGE 4096

struct guest_region {
	uint64_t gpa, size, uaddr;
	uint8_t *host;     /* where gpa is mapped */
	void *map;         /* the mmap() itself (page aligned) */
	size_t map_len;
};

struct guest_mem {
	struct guest_region r[VU_REGIONS_MAX];
	unsigned n;
	/* dirty log */
	uint8_t *log;      /* bitmap, log_len bytes; NULL: none */
	void *log_map;
	size_t log_map_len, log_len;
	bool logging;      /* VHOST_F_LOG_ALL negotiated */
	uint64_t maps;     /* SET_MEM_TABLEs applied, for the monitor */
	/* Set by the SIGBUS guard (guest_mem_guard.h): the frontend shrank a
	 * mapped file; the owner drops the connection. */
	volatile sig_atomic_t faulted;
};

void guest_mem_init(struct guest_mem *mem);
/* Map t's regions from fds[0..t->n) (closed here, mapped or not). 0, or
 * -1 with a reason in err; on failure the previous table stays. */
int guest_mem_set(struct guest_mem *mem, const struct vu_mem_table *t, const int *fds,
		  char *err, size_t errlen);
/* Map the dirty log from fd (closed here); 0 or -1. */
int guest_mem_set_log(struct guest_mem *mem, int fd, uint64_t size, uint64_t offset,
		      char *err, size_t errlen);
/* Unmap everything. */
void guest_mem_reset(struct guest_mem *mem);

/* Host pointer for guest-physical gpa, *avail set to the bytes from there
 * that are inside the same region (at most len); NULL if gpa is in no
 * region or len is 0. */
uint8_t *guest_mem_gpa(const struct guest_mem *mem, uint64_t gpa, uint64_t len,
		       uint64_t *avail);
/* Host pointer for the frontend user range [uva, uva+len), which must lie
 * in one region; NULL otherwise. */
uint8_t *guest_mem_uva(const struct guest_mem *mem, uint64_t uva, uint64_t len);
/* Frontend user address -> guest-physical (for logging rings); false if
 * outside every region. */
bool guest_mem_uva_to_gpa(const struct guest_mem *mem, uint64_t uva, uint64_t *gpa);

/* Mark [gpa, gpa+len) dirty if logging is on. Bits beyond the log are
 * ignored (the frontend sized it). */
void guest_mem_log(struct guest_mem *mem, uint64_t gpa, uint64_t len);

#endif
