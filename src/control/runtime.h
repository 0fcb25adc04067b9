/* SPDX-License-Identifier: MIT
 *
 * runtime.h - what the control plane (CLI, monitor) can see of a running
 * daemon: the loop, the networks and the configured netdevs. The data path
 * never sees this structure; each module there gets only what it needs.
 *
 * The daemon (main.c) and "vmwire run" (run.c) build it the same way
 * (daemon.c): runtime_init(), the networks they declare, runtime_adopt()
 * of their parsed netdevs (implicit networks, captures), runtime_start()
 * or one runtime_start_netdev() at a time when the order matters, and
 * runtime_teardown(), which also undoes a half-finished start.
 */
#ifndef VMWIRE_CONTROL_RUNTIME_H
#define VMWIRE_CONTROL_RUNTIME_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "fabric/network.h"

struct ev_loop;
struct network;
struct netdev;

struct runtime {
	struct ev_loop *loop;
	struct network *networks; /* linked via network->next, creation order */
	struct netdev *netdevs;   /* linked via netdev->next, command line order */
	struct network_observer observer; /* given to every network (QMP events) */
	/* The seccomp filter is the strict allow list: a hot-plugged netdev
	 * that runs commands (guestfwd cmd:) would be killed, so it is
	 * refused. */
	bool sandbox_no_spawn;
	bool sandboxed; /* sandbox_apply() ran (not -sandbox off) */
};

/* Install the observer on every network, now and created later. */
void runtime_set_observer(struct runtime *rt, const struct network_observer *obs);

/* A fresh event loop, no networks, no netdevs. -1 + err on failure. */
int runtime_init(struct runtime *rt, char *err, size_t errlen);

/* Create a network, appended in creation order. -1 + err on failure. */
int runtime_add_network(struct runtime *rt, const char *id, enum network_mode mode,
			unsigned aging_s, unsigned max_macs, char *err, size_t errlen);

struct network *runtime_find_network(const struct runtime *rt, const char *id);

/*
 * Take the parsed netdevs (a list linked by ->next; the runtime owns them
 * from here on, whatever the result): append them, create the default-
 * mode network of every switch name no network has yet, plug each netdev
 * into its network and open its capture. -1 + err on failure.
 */
int runtime_adopt(struct runtime *rt, struct netdev *netdevs, char *err, size_t errlen);

/* What a parsed command line declares: its switches (with their port
 * security) in order, then runtime_adopt() of its netdevs, which leave
 * cli->netdevs. -1 + err on failure. */
struct cli;
int runtime_build(struct runtime *rt, struct cli *cli, char *err, size_t errlen);

/* Start one adopted netdev, or all in order. -1 + err on failure. */
int runtime_start_netdev(struct runtime *rt, struct netdev *nd, char *err, size_t errlen);
int runtime_start(struct runtime *rt, char *err, size_t errlen);

/*
 * Hot-plug (QMP netdev_add): adopt one parsed netdev (the runtime owns it
 * whatever the result), on a network that exists or the default switch,
 * and start it. On failure it is gone again: -1 + err.
 */
int runtime_plug_netdev(struct runtime *rt, struct netdev *nd, char *err, size_t errlen);

/* Hot-unplug (QMP netdev_del): take the netdev called id off the list and
 * return it; the caller destroys it outside any fd callback of this
 * wakeup (a 0 ms timer), since the loop may still hold its events. NULL if
 * there is no such netdev. */
struct netdev *runtime_unplug_netdev(struct runtime *rt, const char *id);

/* Destroy an unplugged netdev and its capture. */
void runtime_destroy_netdev(struct netdev *nd);

/* For every netdev with a hint: "Connect a QEMU VM to 'ID' with:" and the
 * hint's lines joined into one, ready to paste onto a QEMU command line. */
void runtime_print_hints(const struct runtime *rt, FILE *out);
/* The same for one netdev (a hot-plugged one). */
void runtime_print_hints_of(const struct runtime *rt, const struct netdev *nd, FILE *out);

/* Destroy the netdevs, their captures and the networks, then the loop.
 * Safe on a runtime that is partly or not at all set up. */
void runtime_teardown(struct runtime *rt);

/* The signals that end the daemon and that "vmwire run" passes on:
 * SIGINT, SIGTERM, SIGHUP. They are blocked and read from a signalfd. */
void runtime_signal_mask(sigset_t *mask);

/* QEMU-style "info network" tree of every network, netdev and port. */
void info_network(const struct runtime *rt, FILE *out);
/* QEMU-style "info usernet": per user-mode gateway, its NAT flows, DHCP
 * leases and non-zero counters. */
void info_usernet(const struct runtime *rt, FILE *out);

#endif
