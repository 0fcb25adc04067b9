/* SPDX-License-Identifier: MIT
 *
 * guest_mem_guard.h - surviving a vhost-user frontend that shrinks the
 * memory file it handed over.
 *
 * Theory of operation: guest memory is the frontend's file mapped
 * MAP_SHARED. A frontend that truncates the file afterwards (QEMU seals
 * its memfds against that, a hostile process need not) turns the next
 * access to a page past the new end into SIGBUS, which would kill the
 * daemon and every other guest with it. So every such mapping is
 * registered here, and a SIGBUS handler that finds the faulting address in
 * a registered mapping replaces that page with anonymous memory (reads
 * see zeros, writes go nowhere) and raises the mapping's flag; the access
 * then completes and the owner, seeing the flag after its batch, drops the
 * connection. A SIGBUS anywhere else is not ours: the previous action is
 * restored and the fault repeats under it. The table is a fixed array, the
 * one process-wide state here, because a signal handler has no other way
 * to reach it.
 */
#ifndef VMWIRE_PORTS_GUEST_MEM_GUARD_H
#define VMWIRE_PORTS_GUEST_MEM_GUARD_H

#include <signal.h>
#include <stddef.h>

#define GUEST_MEM_GUARD_MAX 128

/* Install the handler (idempotent); call before the sandbox. */
void guest_mem_guard_install(void);

/* Watch [map, map + len); *flag is set to 1 on a fault there. 0, or -1
 * when the table is full. */
int guest_mem_guard_add(void *map, size_t len, volatile sig_atomic_t *flag);

/* Stop watching the mapping that starts at map (before munmap()). */
void guest_mem_guard_del(void *map);

#endif
