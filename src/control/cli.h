/* SPDX-License-Identifier: MIT
 *
 * cli.h - the command line and -readconfig files, parsed into a struct cli.
 *
 * Theory of operation: parsing is phase one of startup (see netdev.h) and
 * has no side effects beyond memory: every -netdev is validated by its type's
 * parse() and kept unstarted in cli.netdevs, every -switch becomes a
 * cli_switch. main() then creates the networks and starts the netdevs. This
 * keeps cli_parse() testable without sockets and guarantees that a typo in
 * the last option never leaves a socket file behind from the first.
 *
 * The netdev type registry is passed in (struct cli_registry) so the unit
 * test can parse against fake types; cli_parse() uses the real registry.
 */
#ifndef VMWIRE_CONTROL_CLI_H
#define VMWIRE_CONTROL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config/netdev.h"
#include "control/sandbox.h"
#include "fabric/network.h"

/* cli_parse() results; CLI_ERROR doubles as the exit status. */
enum { CLI_OK = 0, CLI_ERROR = 2, CLI_HELP = 3, CLI_VERSION = 4 };

#define CLI_ERR_MAX 512
#define CLI_SUN_PATH_MAX 108 /* sizeof(sockaddr_un.sun_path) */
#define CLI_DEFAULT_SWITCH "default"
#define CLI_DEFAULT_NETDEV "default"

struct cli_switch {
	char id[PORT_ID_MAX];
	enum network_mode mode;
	unsigned aging_s;
	unsigned max_macs;
	bool port_security;         /* port-security= (default on) */
	unsigned max_macs_per_port; /* 0: no cap */
	struct cli_switch *next; /* declaration order */
};

struct cli {
	struct netdev *netdevs;       /* parsed, not started; command line order */
	struct cli_switch *switches;  /* declared with -switch, in order */
	char monitor_path[CLI_SUN_PATH_MAX]; /* "" = no monitor */
	char qmp_path[CLI_SUN_PATH_MAX];     /* "" = no QMP socket */
	/* Sockets handed over by systemd (activation.h); -1: none. */
	int monitor_fd, qmp_fd;
	char pidfile[4096];                  /* "" = none */
	int verbosity;                /* +1 per -v, -1 per -q */
	bool daemonize;
	unsigned busy_poll_us;        /* -busy-poll USEC; 0: off */
	/* Set when no -netdev was given and the default listener was added:
	 * main() creates this directory (mode 0700) before starting it. */
	char default_dir[4096];
	/* -sandbox, -runas / -run-with user=; what the netdevs need on top
	 * comes from their types (sandbox_needs_collect()). */
	struct sandbox_opts sandbox;
};

struct cli_registry {
	const struct netdev_type *(*find)(const char *name);
	const char *(*names)(void);
	/* libvmwire: no default listener when no -netdev is given, and the
	 * daemon-only options (-daemonize, -pidfile, -runas, -sandbox) are
	 * errors. */
	bool embedded;
};

/*
 * Parse argv[1..argc-1] into out (which is zeroed first). Returns CLI_OK,
 * CLI_HELP, CLI_VERSION, or CLI_ERROR with one line in err naming the
 * option and the reason. On any result but CLI_OK, out holds nothing that
 * needs cli_free(), though calling it is harmless.
 */
int cli_parse_registry(const struct cli_registry *reg, int argc, char **argv,
		       struct cli *out, char *err, size_t errlen);

static inline int cli_parse(int argc, char **argv, struct cli *out, char *err, size_t errlen)
{
	static const struct cli_registry reg = { netdev_type_find, netdev_type_names, false };

	return cli_parse_registry(&reg, argc, argv, out, err, errlen);
}

/*
 * One -netdev spec ("stream,id=x,...") against the real registry, for
 * netdev_add on a running daemon: id_taken(id, ctx) says whether the daemon
 * already has that id. CLI_OK with *out (unstarted, ->next NULL) or
 * CLI_ERROR with one line in err.
 */
int cli_parse_netdev(const char *spec, bool (*id_taken)(const char *id, void *ctx), void *ctx,
		     struct netdev **out, char *err, size_t errlen);

/* Destroy the (unstarted) netdevs still owned by cli, free the switches. */
void cli_free(struct cli *cli);

/* Find a declared switch; NULL if not declared. */
const struct cli_switch *cli_find_switch(const struct cli *cli, const char *id);

/* --help text. */
void cli_usage(FILE *out);

/* QEMU's id rule: a letter, then letters, digits, '-', '.', '_'. */
bool cli_valid_id(const char *id);

/* -busy-poll's value: 0 to EV_BUSY_POLL_MAX_US microseconds. CLI_OK, or
 * CLI_ERROR with one line in err naming opt. */
int cli_parse_busy_poll(const char *opt, const char *arg, unsigned *usec, char *err,
			size_t errlen);

/* Parse "10:20:100-110" or "all" into v->allowed. -1 on malformed input. */
int cli_parse_trunk(const char *list, struct port_vlan *v);

#endif
