/* SPDX-License-Identifier: MIT
 *
 * fdres.h - the process's file descriptor budget and its reserve.
 *
 * Theory of operation: at start fd_budget_init() raises RLIMIT_NOFILE's
 * soft limit to the hard limit and opens two reserve descriptors on
 * /dev/null. A listener that hits EMFILE/ENFILE cannot take the pending
 * connection off its queue, so with level-triggered epoll it stays readable
 * and the loop would spin on it. fd_accept() then closes the general
 * reserve, accepts the connection into the freed slot, closes it at once
 * (the peer sees EOF) and reopens the reserve: the queue drains, the loop
 * sleeps. fd_accept_keep() is the monitor's: it spends the second reserve
 * on the connection and keeps it, so the operator can always get a session
 * to look at what is eating the descriptors; fd_reserve_refill() (called
 * when a descriptor was freed) puts the reserves back.
 *
 * The reserves are one per process, like the limit they guard: a static
 * here rather than state every listener would have to share by pointer.
 * Nothing on the data path touches them until a listener is out of fds.
 */
#ifndef VMWIRE_CORE_FDRES_H
#define VMWIRE_CORE_FDRES_H

#include <stdbool.h>
#include <sys/socket.h>

/* Raise the soft limit, open the reserves. Returns the soft limit now in
 * force. Safe to call again (tests); without it fd_accept() still works,
 * it only has no reserve to shed with. */
unsigned fd_budget_init(void);
/* The soft RLIMIT_NOFILE and how many descriptors are free under it now. */
unsigned fd_budget_limit(void);
unsigned fd_budget_free(void);

/* accept4() that never leaves a connection it had no fd for on the queue:
 * on EMFILE/ENFILE it sheds one connection with the reserve, sets *shed
 * (if given) and returns -1 with errno EMFILE. Other errors as accept4(). */
int fd_accept(int lfd, struct sockaddr *sa, socklen_t *sl, int flags, bool *shed);
/* The same, but on EMFILE the connection is kept in the monitor's reserve
 * slot while that is free; *shed tells when it was shed instead. */
int fd_accept_keep(int lfd, struct sockaddr *sa, socklen_t *sl, int flags, bool *shed);
/* Reopen whichever reserve is missing (after a descriptor was closed). */
void fd_reserve_refill(void);
/* Close the reserves (tests, exit). */
void fd_budget_fini(void);

#endif
