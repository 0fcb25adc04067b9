/* SPDX-License-Identifier: MIT
 *
 * run_state.h - the state of one "vmwire run", shared by the parent's side
 * (run.c: options, namespace setup, the loop) and the child's
 * (run_child.c: init of the PID namespace, mounts, the command). Private
 * to those two files.
 */
#ifndef VMWIRE_CONTROL_RUN_STATE_H
#define VMWIRE_CONTROL_RUN_STATE_H

#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "control/run6.h"
#include "control/runtime.h"
#include "core/loop.h"
#include "core/port.h"

struct gw_config;
struct netdev;

/* First line of the resolv.conf we give the command. */
#define RUN_RESOLV_MARK "# vmwire run: the user-mode gateway's DNS forwarder\n"

struct run {
	/* Options. */
	struct netdev *gw;     /* the parsed -netdev user */
	struct gw_config *cfg; /* its configuration, completed before it starts */
	char gw_id[PORT_ID_MAX];
	char pcap_path[4096];
	char ifname[IFNAMSIZ];
	unsigned mtu;
	unsigned busy_poll_us; /* --busy-poll; 0: off */
	char **cmd;
	bool userns; /* not root: a user namespace makes the rest possible */
	bool pidns;  /* the child is init of a new PID namespace */
	int pidns_errno; /* why not, when it is not */

	/* State. */
	struct runtime rt;   /* owns tap and gw once adopted */
	struct run6 v6;      /* SLAAC in the namespace (run6.h) */
	bool adopted;
	struct netdev *tap;
	uint32_t guest_addr; /* host byte order */
	uint8_t guest_mac[6];
	pid_t child;
	int sock;            /* to the child: startup handshake */
	int sigfd;
	struct ev_watch sigwatch;
	int status;          /* our exit status once the child is gone */
	bool child_gone;
	sigset_t oldmask;
	char err[4096 + 512];
};

/* send() and recv() of the startup handshake, retried on EINTR. */
ssize_t run_send(int fd, const void *buf, size_t len);
ssize_t run_recv(int fd, void *buf, size_t len);

/* Fork the child (run_child.c): in new PID (and user) namespaces when it
 * can, r->pidns and r->pidns_errno say. The child talks over sock and
 * closes peer, the parent's end. Returns its pid, or -1 + errno. */
pid_t run_spawn_child(struct run *r, int sock, int peer);

#endif
