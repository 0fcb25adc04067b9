/* SPDX-License-Identifier: MIT
 *
 * port.c - accounting and capture common to all ports, see port.h.
 */
#include "core/port.h"
#include "core/frame.h"
#include "core/pcap.h"
#include "fabric/network.h"

#include <stdio.h>
#include <string.h>

void port_init(struct port *port, const struct port_ops *ops, const char *id)
{
	memset(port, 0, sizeof(*port));
	port->ops = ops;
	snprintf(port->id, sizeof(port->id), "%s", id);
	port->vlan.pvid = 1;
}

void port_receive(struct port *port, const uint8_t *frame, size_t len)
{
	if (len < FRAME_MIN || len > FRAME_MAX) {
		port->stats.rx_drops++;
		return;
	}
	port->stats.rx_frames++;
	port->stats.rx_bytes += len;
	if (port->pcap)
		pcap_write(port->pcap, frame, len);
	if (port->sink_fn)
		port->sink_fn(port->sink, port, frame, len);
	else
		port->stats.rx_drops++;
}

void port_send(struct port *port, const uint8_t *frame, size_t len)
{
	uint64_t drops = port->stats.tx_drops;

	port->ops->transmit(port, frame, len);
	if (port->stats.tx_drops != drops)
		return;
	port->stats.tx_frames++;
	port->stats.tx_bytes += len;
	if (port->pcap)
		pcap_write(port->pcap, frame, len);
}

void port_close(struct port *port)
{
	if (port->net)
		network_detach(port->net, port);
	if (port->pcap) {
		pcap_put(port->pcap);
		port->pcap = NULL;
	}
	port->ops->destroy(port);
}

bool port_vlan_member(const struct port *port, unsigned vid)
{
	if (vid == port->vlan.pvid && vid != 0)
		return true;
	return port->vlan.trunk && vlan_bit(&port->vlan, vid);
}
