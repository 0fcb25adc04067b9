/* SPDX-License-Identifier: MIT
 *
 * netdev.c - the registry of attachment types, see netdev.h.
 */
#include "config/netdev.h"
#include "core/pcap.h"
#include "fabric/network.h"
#include "gateway/gateway.h"

#include <string.h>

static const struct netdev_type *const types[] = {
	&netdev_stream_type,
	&netdev_dgram_type,
	&netdev_socket_type,
	&netdev_tap_type,
	&netdev_user_type,
};

const struct netdev_type *netdev_type_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(types[i]->name, name))
			return types[i];
	return NULL;
}

const char *netdev_type_names(void)
{
	return "stream, dgram, socket, tap, user";
}

void netdev_port_setup(struct netdev *nd, struct port *port)
{
	port->vlan = nd->common.vlan;
	if (nd->pcap)
		port->pcap = pcap_get(nd->pcap);
	if (nd->net)
		network_attach(nd->net, port);
}
