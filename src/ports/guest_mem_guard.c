/* SPDX-License-Identifier: MIT
 *
 * guest_mem_guard.c - see guest_mem_guard.h.
 */
#include "ports/guest_mem_guard.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct guard {
	uintptr_t lo, hi; /* hi == 0: free */
	volatile sig_atomic_t *flag;
};

static struct guard guards[GUEST_MEM_GUARD_MAX];
static struct sigaction previous;
static bool installed;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr, page = (uintptr_t)sysconf(_SC_PAGESIZE);
	unsigned i;

	(void)uc;
	for (i = 0; i < GUEST_MEM_GUARD_MAX; i++) {
		if (!guards[i].hi || a < guards[i].lo || a >= guards[i].hi)
			continue;
		/* mmap() is async-signal-safe: a zero page where the file ended. */
		if (mmap((void *)(a & ~(page - 1)), page, PROT_READ | PROT_WRITE,
			 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED) {
			*guards[i].flag = 1;
			return;
		}
		break;
	}
	/* Not a guest mapping (or no way to patch it): the fault is real. */
	sigaction(sig, &previous, NULL);
}

void guest_mem_guard_install(void)
{
	struct sigaction sa;

	if (installed)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &previous) == 0)
		installed = true;
}

int guest_mem_guard_add(void *map, size_t len, volatile sig_atomic_t *flag)
{
	unsigned i;

	guest_mem_guard_install();
	for (i = 0; i < GUEST_MEM_GUARD_MAX; i++) {
		if (guards[i].hi)
			continue;
		guards[i].flag = flag;
		guards[i].lo = (uintptr_t)map;
		guards[i].hi = (uintptr_t)map + len; /* last: the handler tests hi */
		return 0;
	}
	return -1;
}

void guest_mem_guard_del(void *map)
{
	unsigned i;

	for (i = 0; i < GUEST_MEM_GUARD_MAX; i++)
		if (guards[i].hi && guards[i].lo == (uintptr_t)map)
			guards[i].hi = 0;
}
