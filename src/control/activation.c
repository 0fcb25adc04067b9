/* SPDX-License-Identifier: MIT
 *
 * activation.c - see activation.h.
 */
#include "control/activation.h"
#include "control/cli.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

static bool id_taken(const char *id, void *ctx)
{
	const struct cli *cli = ctx;
	const struct netdev *nd;

	for (nd = cli->netdevs; nd; nd = nd->next)
		if (!strcmp(nd->common.id, id))
			return true;
	return false;
}

/* Drop the default listener cli_parse() added for want of a -netdev. */
static void drop_default(struct cli *cli)
{
	struct netdev *nd = cli->netdevs;

	if (!*cli->default_dir || !nd)
		return;
	cli->netdevs = nd->next;
	nd->ops->destroy(nd);
	cli->default_dir[0] = '\0';
}

static int take_fd(struct cli *cli, int fd, const char *name, unsigned n, char *err,
		   size_t errlen)
{
	char id[64], spec[256];
	struct netdev *nd, **tail;

	if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0) {
		snprintf(err, errlen, "socket activation: fd %d ('%s') is not a listening stream "
			 "socket", fd, name);
		return -1;
	}
	if (!strcmp(name, "monitor") || !strcmp(name, "qmp")) {
		int *slot = !strcmp(name, "monitor") ? &cli->monitor_fd : &cli->qmp_fd;

		if (*slot >= 0 || *(!strcmp(name, "monitor") ? cli->monitor_path : cli->qmp_path)) {
			snprintf(err, errlen, "socket activation: a socket named '%s' and a -%s "
				 "option, or two such sockets", name, name);
			return -1;
		}
		*slot = fd;
		return 0;
	}
	if (!strcmp(name, "unknown") || !cli_valid_id(name))
		snprintf(id, sizeof(id), n ? "sd%u" : "default", n);
	else
		snprintf(id, sizeof(id), "%s", name);
	snprintf(spec, sizeof(spec), "stream,id=%s,server=on,addr.type=fd,addr.str=%d", id, fd);
	if (cli_parse_netdev(spec, id_taken, cli, &nd, err, errlen) != CLI_OK)
		return -1;
	for (tail = &cli->netdevs; *tail; tail = &(*tail)->next)
		;
	*tail = nd;
	return 0;
}

int activation_collect(struct cli *cli, char *err, size_t errlen)
{
	char **names = NULL;
	int n, i, rc = 0;
	unsigned streams = 0;

	n = sd_listen_fds_with_names(1, &names);
	if (n <= 0)
		return 0;
	for (i = 0; i < n && !rc; i++) {
		const char *name = names && names[i] ? names[i] : "unknown";
		bool control = !strcmp(name, "monitor") || !strcmp(name, "qmp");

		if (!control && !streams)
			drop_default(cli);
		rc = take_fd(cli, SD_LISTEN_FDS_START + i, name, control ? 0 : streams, err, errlen);
		if (!control)
			streams++;
	}
	for (i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
	return rc;
}

void activation_ready(void)
{
	sd_notify(0, "READY=1\nSTATUS=ready");
}

void activation_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}
