/* SPDX-License-Identifier: MIT
 *
 * netdev_user.c - "-netdev user": the gateway as a configured attachment.
 *
 * Theory of operation: parse() is pure validation into a gw_config (phase
 * one); start() creates the gateway port, opens its DNS sockets and plugs
 * it into the netdev's network (phase two). Kept apart from gateway.c so
 * the gateway itself links into unit tests without the netdev registry.
 */
#include "config/keyval.h"
#include "config/netdev.h"
#include "core/port.h"
#include "gateway/gateway.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct netdev_user {
	struct netdev nd; /* first: container_of by cast */
	struct gw_config cfg;
	struct gateway *gw;
};

static struct netdev *user_parse(struct kvlist *kv, char *err, size_t errlen)
{
	struct netdev_user *u = calloc(1, sizeof(*u));

	if (!u) {
		snprintf(err, errlen, "-netdev user: out of memory");
		return NULL;
	}
	if (gw_config_parse(&u->cfg, kv, NULL, err, errlen)) {
		free(u);
		return NULL;
	}
	u->nd.type = &netdev_user_type;
	return &u->nd;
}

static int user_start(struct netdev *nd, struct ev_loop *loop, char *err, size_t errlen)
{
	struct netdev_user *u = (struct netdev_user *)nd;

	u->gw = gateway_new(&u->cfg, nd->common.id, loop);
	if (!u->gw) {
		snprintf(err, errlen, "-netdev user,id=%s: cannot start the gateway: %s",
			 nd->common.id, strerror(errno ? errno : ENOMEM));
		return -1;
	}
	netdev_port_setup(nd, gateway_port(u->gw));
	return 0;
}

static void user_hint(const struct netdev *nd, FILE *out)
{
	(void)nd;
	(void)out; /* VMs reach the gateway through another netdev's network */
}

static void user_describe(const struct netdev *nd, char *buf, size_t size)
{
	const struct netdev_user *u = (const struct netdev_user *)nd;

	if (u->gw && gateway_port(u->gw)->ops->describe)
		gateway_port(u->gw)->ops->describe(gateway_port(u->gw), buf, size);
	else
		snprintf(buf, size, "user: not started");
}

static void user_destroy(struct netdev *nd)
{
	struct netdev_user *u = (struct netdev_user *)nd;

	if (u->gw)
		port_close(gateway_port(u->gw));
	free(u);
}

const struct netdev_type netdev_user_type = {
	.name = "user",
	.parse = user_parse,
	.start = user_start,
	.hint = user_hint,
	.describe = user_describe,
	.destroy = user_destroy,
};
