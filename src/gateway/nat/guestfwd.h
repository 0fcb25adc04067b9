/* SPDX-License-Identifier: MIT
 *
 * guestfwd.h - guestfwd=tcp:server:port-dev: guest connections to an
 * address inside the gateway's network joined to a host socket or to a
 * command's stdin/stdout.
 *
 * Theory of operation: a rule's dev is one of
 *
 *   tcp:HOST:PORT   connect to a host TCP socket ([V6]:PORT for IPv6)
 *   unix:PATH       connect to a host unix stream socket (vmwire extension)
 *   cmd:COMMAND     run COMMAND with /bin/sh -c, one process per guest
 *                   connection, its stdin and stdout one end of a
 *                   socketpair (QEMU's semantics)
 *
 * The server address is an IPv4 one in 'net' (ARP answers for it) or an
 * IPv6 one in brackets inside 'ipv6-net' (NDP answers for it, ndp.h), so
 * guestfwd=tcp:[fec0::64]:80-cmd:... works for a v6 guest as the v4 form
 * does: the TCP engine matches the rule on the inany address either way.
 *
 * (QEMU also takes a -chardev id; vmwire has no chardevs.) Whatever dev
 * is, gw_guestfwd_open() returns one non-blocking stream socket whose
 * connect() was started; the TCP engine treats it like any host socket,
 * so the guest's SYN is answered once it is connected, with a RST if it
 * cannot be.
 *
 * Commands are started with posix_spawn (vfork semantics, so a large
 * daemon pays no page-table copy) in their own process group with the
 * default signal mask and dispositions. At most GW_GUESTFWD_CHILDREN run at
 * once, so a guest cannot make the host fork without bound. Each child is
 * keyed by the flow that owns it: when that flow closes the group gets
 * SIGTERM (SIGKILL a few seconds later if it lingers). Children are reaped
 * by pid only, never waitpid(-1): "vmwire run" has a child of its own.
 * A 1 s timer reaps exited children while any is tracked.
 */
#ifndef VMWIRE_GATEWAY_GUESTFWD_H
#define VMWIRE_GATEWAY_GUESTFWD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/log.h"
#include "core/loop.h"
#include "gateway/config.h"

#define GW_GUESTFWD_CHILDREN 64

struct gw_guestfwd_child {
	pid_t pid;           /* 0: free slot */
	uint32_t key;        /* the owner's flow */
	bool owned;          /* false: flow gone, waiting to be reaped */
	uint64_t kill_at_ms; /* SIGKILL deadline once disowned */
};

enum guestfwd_log { GUESTFWD_LOG_BUSY, GUESTFWD_LOG_SPAWN };

struct gw_env;

struct gw_guestfwd {
	const struct gw_env *env; /* cfg, loop */
	struct ev_timer reap;
	struct gw_guestfwd_child kids[GW_GUESTFWD_CHILDREN];
	unsigned nkids;
	uint64_t spawned, spawn_failed;
	struct log_once logged; /* enum guestfwd_log */
};

/* Check a dev string at parse time: 0, or -1 with a reason in why. */
int gw_guestfwd_check_dev(const char *dev, const char **why);

void gw_guestfwd_init(struct gw_guestfwd *gf, const struct gw_env *env);
/* Kill and reap every child (blocking: shutdown only). */
void gw_guestfwd_fini(struct gw_guestfwd *gf);

/* The rule for a guest connection to dst:dport, or NULL. */
const struct gw_fwd *gw_guestfwd_match(const struct gw_config *cfg,
				       const union inany_addr *dst, uint16_t dport);
/* True if addr is a guestfwd server address (ARP answers for it). */
bool gw_guestfwd_is_server(const struct gw_config *cfg, uint32_t addr);
/* True if a is an IPv6 guestfwd server address ("[V6]"): NDP answers for
 * it and no guest may claim it. */
bool gw_guestfwd_is_server6(const struct gw_config *cfg, const struct in6_addr *a);

/* A non-blocking, close-on-exec stream socket towards the rule's dev,
 * its connect() started (cmd: already connected to the new child, which
 * is recorded under key). -1 with errno when it cannot be. */
int gw_guestfwd_open(struct gw_guestfwd *gf, const struct gw_fwd *r, uint32_t key);
/* The flow under key closed: terminate its child, if any. */
void gw_guestfwd_release(struct gw_guestfwd *gf, uint32_t key);

#endif
