/* SPDX-License-Identifier: MIT
 *
 * port.c - accounting and capture common to all ports, see port.h.
 */
#include "core/port.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/offload.h"
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

/* Count and capture a frame the port's transmit took: a transmit that
 * refused it has counted a drop, so drops before the call tells which. */
static void tx_account(struct port *port, uint64_t drops, const uint8_t *frame, size_t len)
{
	if (port->stats.tx_drops != drops)
		return;
	port->stats.tx_frames++;
	port->stats.tx_bytes += len;
	if (port->pcap)
		pcap_write(port->pcap, frame, len);
}

void port_send(struct port *port, const uint8_t *frame, size_t len)
{
	uint64_t drops = port->stats.tx_drops;

	port->ops->transmit(port, frame, len);
	tx_account(port, drops, frame, len);
}

/* One software-finished segment of a received frame to the plain sink. */
static int port_receive_segment(void *ctx, const uint8_t *seg, size_t len)
{
	struct port *port = ctx;

	/* The sink may have detached us while handling the last segment. */
	if (!port->sink_fn)
		return 1;
	port->sink_fn(port->sink, port, seg, len);
	return 0;
}

void port_receive_offload(struct port *port, const struct frame_offload *meta,
			  const uint8_t *frame, size_t len)
{
	struct frame_offload m;
	enum offload_verdict v;

	if (!offload_active(meta)) {
		port_receive(port, frame, len);
		return;
	}
	if (len < FRAME_MIN || len > FRAME_MAX) {
		port->stats.rx_drops++;
		return;
	}
	m = *meta;
	v = offload_validate(&m, frame, len);
	if (v != OFFLOAD_OK) {
		port->stats.rx_drops++;
		LOG_ONCE_FOR(&port->logged, PORT_LOG_BAD_OFFLOAD, LOG_LVL_WARN,
			     "port %s: dropping frame: %s", port->id, offload_verdict_str(v));
		return;
	}
	port->stats.rx_frames++;
	port->stats.rx_bytes += len;
	if (port->pcap)
		pcap_write(port->pcap, frame, len);
	if (port->sink_offload_fn) {
		port->sink_offload_fn(port->sink, port, &m, frame, len);
		return;
	}
	if (!port->sink_fn || !port->offload_scratch) {
		port->stats.rx_drops++;
		return;
	}
	if (offload_segment(&m, frame, len, port->offload_scratch, port_receive_segment,
			    port) < 0)
		port->stats.rx_drops++;
}

bool port_takes_offload(const struct port *port, const struct frame_offload *m)
{
	return port->ops->transmit_offload && !(offload_needs(m) & ~port->offload_caps);
}

void port_send_offload(struct port *port, const struct frame_offload *m,
		       const uint8_t *frame, size_t len)
{
	uint64_t drops = port->stats.tx_drops;

	if (!offload_active(m)) {
		port_send(port, frame, len);
		return;
	}
	if (!port_takes_offload(port, m)) {
		port->stats.tx_drops++;
		LOG_ONCE_FOR(&port->logged, PORT_LOG_OFFLOAD_REFUSED, LOG_LVL_WARN,
			     "port %s: offload frame it can't take dropped", port->id);
		return;
	}
	port->ops->transmit_offload(port, m, frame, len);
	tx_account(port, drops, frame, len);
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
