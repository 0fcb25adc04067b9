/* SPDX-License-Identifier: MIT
 *
 * netdev.c - what every netdev type shares once started, see netdev.h. It
 * lives with the interface, below ports/ and gateway/, which call it.
 * The registry of types is netdev_registry.c.
 */
#include "config/netdev.h"
#include "core/pcap.h"
#include "fabric/network.h"

void netdev_port_setup(struct netdev *nd, struct port *port)
{
	port->vlan = nd->common.vlan;
	port->sec = nd->common.sec;
	if (nd->pcap)
		port->pcap = pcap_get(nd->pcap);
	if (nd->net)
		network_attach(nd->net, port);
}
