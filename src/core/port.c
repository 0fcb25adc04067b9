/* SPDX-License-Identifier: MIT
 *
 * port.c - accounting and capture common to all ports, the sink
 * interface and back-pressure, see port.h.
 */
#include "core/port.h"
#include "core/frame.h"
#include "core/impair.h"
#include "core/log.h"
#include "core/offload.h"
#include "core/pcap.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

void port_init(struct port *port, const struct port_ops *ops, const char *id)
{
	memset(port, 0, sizeof(*port));
	port->ops = ops;
	snprintf(port->id, sizeof(port->id), "%s", id);
	port->vlan.pvid = 1;
}

void port_set_sink(struct port *port, const struct port_sink_ops *ops, void *ctx)
{
	port->sink_ops = ops;
	port->sink_ctx = ops ? ctx : NULL;
	/* Waits were registered with the old sink; the new one knows none. */
	port->waiting = false;
	port->tx_want_writable = false;
}

bool port_sink_takes_offload(const struct port *port)
{
	return port->sink_ops && port->sink_ops->receive_offload;
}

/* A frame that crossed the wire from the peer (and its impairment). */
static void port_receive_now(struct port *port, const uint8_t *frame, size_t len)
{
	port->stats.rx_frames++;
	port->stats.rx_bytes += len;
	if (port->pcap)
		pcap_write(port->pcap, frame, len);
	if (port->sink_ops)
		port->sink_ops->receive(port->sink_ctx, port, frame, len);
	else
		port->stats.rx_drops++;
}

void port_receive(struct port *port, const uint8_t *frame, size_t len)
{
	if (len < FRAME_MIN || len > FRAME_MAX) {
		port->stats.rx_drops++;
		return;
	}
	if (port->impair_in)
		impair_link_push(port->impair_in, frame, len);
	else
		port_receive_now(port, frame, len);
}

/* Count and capture a frame the port's transmit took, or count the drop:
 * a refused frame may mean a source should have waited, so whoever waits
 * for this port hears when it drains. */
static bool tx_account(struct port *port, bool took, const uint8_t *frame, size_t len)
{
	if (!took) {
		port->stats.tx_drops++;
		return false;
	}
	port->stats.tx_frames++;
	port->stats.tx_bytes += len;
	if (port->pcap)
		pcap_write(port->pcap, frame, len);
	return true;
}

bool port_send(struct port *port, const uint8_t *frame, size_t len)
{
	/* On the impaired wire it is taken; counted when it reaches the peer. */
	if (port->impair_out) {
		impair_link_push(port->impair_out, frame, len);
		return true;
	}
	return tx_account(port, port->ops->transmit(port, frame, len), frame, len);
}

/* One software-finished segment of a received frame to the plain sink. */
static int port_receive_segment(void *ctx, const uint8_t *seg, size_t len)
{
	struct port *port = ctx;

	/* The sink may have detached us while handling the last segment. */
	if (!port->sink_ops)
		return 1;
	port->sink_ops->receive(port->sink_ctx, port, seg, len);
	return 0;
}

/* One software-finished segment onto the impaired wire from the peer. */
static int port_impair_segment(void *ctx, const uint8_t *seg, size_t len)
{
	struct port *port = ctx;

	impair_link_push(port->impair_in, seg, len);
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
	/* The impaired wire carries wire frames: finish it here, each
	 * segment counted as it comes out of the impairment. */
	if (port->impair_in) {
		if (!port->offload_scratch ||
		    offload_segment(&m, frame, len, port->offload_scratch, port_impair_segment,
				    port) < 0)
			port->stats.rx_drops++;
		return;
	}
	port->stats.rx_frames++;
	port->stats.rx_bytes += len;
	if (port->pcap)
		pcap_write(port->pcap, frame, len);
	if (port_sink_takes_offload(port)) {
		port->sink_ops->receive_offload(port->sink_ctx, port, &m, frame, len);
		return;
	}
	if (!port->sink_ops || !port->offload_scratch) {
		port->stats.rx_drops++;
		return;
	}
	if (offload_segment(&m, frame, len, port->offload_scratch, port_receive_segment,
			    port) < 0)
		port->stats.rx_drops++;
}

bool port_takes_offload(const struct port *port, const struct frame_offload *m)
{
	return port->ops->transmit_offload && !port->impair_out &&
	       !(offload_needs(m) & ~port->offload_caps);
}

bool port_send_offload(struct port *port, const struct frame_offload *m,
		       const uint8_t *frame, size_t len)
{
	if (!offload_active(m))
		return port_send(port, frame, len);
	if (!port_takes_offload(port, m)) {
		port->stats.tx_drops++;
		LOG_ONCE_FOR(&port->logged, PORT_LOG_OFFLOAD_REFUSED, LOG_LVL_WARN,
			     "port %s: offload frame it can't take dropped", port->id);
		return false;
	}
	return tx_account(port, port->ops->transmit_offload(port, m, frame, len), frame, len);
}

size_t port_tx_room(const struct port *port)
{
	size_t room = port->ops->tx_room ? port->ops->tx_room(port) : SIZE_MAX, r;

	if (port->impair_out) {
		r = impair_link_room(port->impair_out);
		if (r < room)
			room = r;
	}
	return room;
}

size_t port_tx_queued(const struct port *port)
{
	size_t q = port->ops->tx_queued ? port->ops->tx_queued(port) : 0;

	return q + (port->impair_out ? impair_link_queued(port->impair_out) : 0);
}

bool port_queues(const struct port *port)
{
	return port->ops->tx_room || (port->impair_out &&
				      impair_link_room(port->impair_out) != SIZE_MAX);
}

void port_tx_want_writable(struct port *port)
{
	/* A port without a queue never drains: nothing to wait for. */
	if (port_queues(port))
		port->tx_want_writable = true;
}

void port_writable(struct port *port)
{
	if (!port->tx_want_writable)
		return;
	port->tx_want_writable = false;
	if (port->sink_ops && port->sink_ops->writable)
		port->sink_ops->writable(port->sink_ctx, port);
}

size_t port_sink_room(struct port *port, const uint8_t *dst)
{
	if (!port->sink_ops || !port->sink_ops->room)
		return SIZE_MAX;
	return port->sink_ops->room(port->sink_ctx, port, dst);
}

uint32_t port_sink_station(struct port *port, const uint8_t *mac)
{
	if (!port->sink_ops || !port->sink_ops->station)
		return 0;
	return port->sink_ops->station(port->sink_ctx, port, mac);
}

void port_sink_wait(struct port *port, const uint8_t *dst)
{
	if (!port->sink_ops || !port->sink_ops->wait)
		return;
	/* One pause until the resume, however many times it asks. */
	if (!port->waiting) {
		port->waiting = true;
		port->stats.pauses++;
	}
	port->sink_ops->wait(port->sink_ctx, port, dst);
}

void port_resume(struct port *port)
{
	port->waiting = false;
	port->stats.resumes++;
	if (port->ops->resume)
		port->ops->resume(port);
}

static void impair_rx_deliver(void *ctx, const uint8_t *frame, size_t len)
{
	port_receive_now(ctx, frame, len);
}

static void impair_tx_deliver(void *ctx, const uint8_t *frame, size_t len)
{
	struct port *port = ctx;

	tx_account(port, port->ops->transmit(port, frame, len), frame, len);
}

static void impair_tx_drained(void *ctx)
{
	port_writable(ctx);
}

static const struct impair_ops impair_rx_ops = { .deliver = impair_rx_deliver };
static const struct impair_ops impair_tx_ops = {
	.deliver = impair_tx_deliver,
	.drained = impair_tx_drained,
};

int port_set_impair(struct port *port, const struct impair_cfg *cfg, struct ev_loop *loop)
{
	if (!impair_cfg_active(cfg))
		return 0;
	if (cfg->in && !port->impair_in)
		port->impair_in = impair_link_new(cfg, 0, loop, &impair_rx_ops, port);
	if (cfg->out && !port->impair_out)
		port->impair_out = impair_link_new(cfg, 1, loop, &impair_tx_ops, port);
	if ((cfg->in && !port->impair_in) || (cfg->out && !port->impair_out)) {
		impair_link_free(port->impair_in);
		impair_link_free(port->impair_out);
		port->impair_in = port->impair_out = NULL;
		return -1;
	}
	return 0;
}

void port_unplug(struct port *port)
{
	if (port->sink_ops && port->sink_ops->detach)
		port->sink_ops->detach(port->sink_ctx, port);
	port_set_sink(port, NULL, NULL);
}

void port_close(struct port *port)
{
	port_unplug(port);
	/* Its timers go before the port's memory does. */
	impair_link_free(port->impair_in);
	impair_link_free(port->impair_out);
	port->impair_in = port->impair_out = NULL;
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
