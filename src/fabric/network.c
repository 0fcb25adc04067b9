/* SPDX-License-Identifier: MIT
 *
 * network.c - lifetime of networks and membership of ports, see network.h.
 *
 * Theory of operation: a network is an array of members (one per attached
 * port, allocated at attach time, never per frame) plus, for a switch, a
 * forwarding database. Attaching a port installs network_sink as its sink
 * with the member as context, so its frames reach the hub or switch engine
 * in forward.c and port_close() comes back here through detach. Detaching
 * unplugs it and forgets every MAC learned behind it, so no frame is ever
 * forwarded to a port that left; while frames are being forwarded the
 * member's slot only becomes a hole, so the engines' index walk stays
 * valid, and the array is compacted when the outermost forwarding ends.
 *
 * A switch with an event loop sweeps stale fdb entries from a timer every
 * quarter of the aging time (at least every second, at most every minute);
 * the sweep only reclaims slots, since lookups already ignore stale entries.
 * Without a loop (unit tests) the owner calls network_age() itself.
 */
#include "fabric/network.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/offload.h"
#include "fabric/fdb.h"
#include "fabric/forward.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void sink_receive(void *ctx, struct port *from, const uint8_t *frame, size_t len);
static void sink_receive_offload(void *ctx, struct port *from, const struct frame_offload *m,
				 const uint8_t *frame, size_t len);
static void sink_detach(void *ctx, struct port *port);
static size_t sink_room(void *ctx, struct port *from, const uint8_t *dst);
static void sink_wait(void *ctx, struct port *from, const uint8_t *dst);
static void sink_writable(void *ctx, struct port *port);
static uint32_t sink_station(void *ctx, struct port *from, const uint8_t *mac);

static const struct port_sink_ops network_sink = {
	.receive = sink_receive,
	.receive_offload = sink_receive_offload,
	.detach = sink_detach,
	.room = sink_room,
	.wait = sink_wait,
	.writable = sink_writable,
	.station = sink_station,
};

static void network_aging_timer(void *ctx)
{
	struct network_priv *np = ctx;

	network_age(&np->net, fdb_now(np->net.fdb));
	ev_timer_arm(np->net.loop, &np->aging, np->sweep_ms);
}

struct network *network_new(const char *id, enum network_mode mode,
			    unsigned aging_s, unsigned fdb_max, struct ev_loop *loop)
{
	struct network_priv *np = calloc(1, sizeof(*np));
	struct network *net;

	if (!np)
		return NULL;
	net = &np->net;
	snprintf(net->id, sizeof(net->id), "%s", id);
	net->mode = mode;
	net->aging_s = aging_s;
	net->loop = loop;
	np->sec_on = true;
	np->sec_max_macs = NETWORK_DEFAULT_MAX_MACS_PER_PORT;
	if (mode == NETWORK_HUB)
		return net;

	net->fdb = fdb_new(fdb_max, aging_s);
	if (!net->fdb) {
		free(np);
		return NULL;
	}
	if (loop && aging_s) {
		np->sweep_ms = (uint64_t)aging_s * 1000 / 4;
		if (np->sweep_ms < 1000)
			np->sweep_ms = 1000;
		if (np->sweep_ms > 60000)
			np->sweep_ms = 60000;
		ev_timer_init(&np->aging, network_aging_timer, np);
		ev_timer_arm(loop, &np->aging, np->sweep_ms);
	}
	return net;
}

void network_free(struct network *net)
{
	struct network_priv *np;
	unsigned it = 0;
	struct port *p;

	if (!net)
		return;
	np = net_priv(net);
	/* port_close() detaches, which compacts: always take the first. */
	while ((it = 0, p = network_port_next(net, &it)))
		port_close(p);
	if (net->loop && np->aging.armed)
		ev_timer_cancel(net->loop, &np->aging);
	fdb_free(net->fdb);
	free(net->members);
	free(np);
}

void network_set_security(struct network *net, bool on, unsigned max_macs_per_port)
{
	net_priv(net)->sec_on = on;
	net_priv(net)->sec_max_macs = max_macs_per_port;
}

bool network_port_locked(const struct network *net, const struct port *port)
{
	if (port->sec.mode != PORT_SEC_DEFAULT)
		return port->sec.mode == PORT_SEC_ON;
	return net_priv((struct network *)net)->sec_on;
}

unsigned network_port_max_macs(const struct network *net, const struct port *port)
{
	if (port->sec.max_macs)
		return port->sec.max_macs;
	/* An uplink carries a whole LAN: the table's limit is its cap. */
	if (!network_port_locked(net, port))
		return 0;
	return net_priv((struct network *)net)->sec_max_macs;
}

struct network *network_of_port(const struct port *port)
{
	const struct network_member *m = port->sink_ops == &network_sink ? port->sink_ctx : NULL;

	return m ? m->net : NULL;
}

bool network_has_port(const struct network *net, const struct port *port)
{
	return network_of_port(port) == net;
}

struct port *network_port_next(const struct network *net, unsigned *it)
{
	while (*it < net->nslots) {
		const struct network_member *m = net->members[(*it)++];

		if (m)
			return m->port;
	}
	return NULL;
}

/* Close the holes detaching left, keeping attach order. */
static void compact(struct network *net)
{
	unsigned i, n = 0;

	for (i = 0; i < net->nslots; i++)
		if (net->members[i])
			net->members[n++] = net->members[i];
	net->nslots = n;
	net->holes = false;
}

void network_unbusy(struct network *net)
{
	if (!--net->busy && net->holes)
		compact(net);
}

static int grow(struct network *net)
{
	unsigned cap = net->cap ? net->cap * 2 : 8;
	struct network_member **a;

	if (net->nslots < net->cap)
		return 0;
	a = realloc(net->members, cap * sizeof(*a));
	if (!a)
		return -1;
	net->members = a;
	net->cap = cap;
	return 0;
}

int network_attach(struct network *net, struct port *port)
{
	struct network *old = network_of_port(port);
	struct network_priv *np = net_priv(net);
	struct network_member *m;

	if (old == net)
		return 0;
	if (old)
		network_detach(old, port);
	m = calloc(1, sizeof(*m));
	if (!m || grow(net) < 0) {
		free(m);
		warn("network %s: out of memory attaching port '%s'", net->id, port->id);
		return -1;
	}
	m->net = net;
	m->port = port;
	m->serial = ++np->next_serial;
	if (!m->serial) /* wrapped: 0 means unknown */
		m->serial = ++np->next_serial;
	if (port->owned && np->nowners < NETWORK_OWNERS_MAX)
		np->owners[np->nowners++] = m;
	/* Append: the monitor lists ports in attach order. */
	net->members[net->nslots++] = m;
	net->nports++;
	port_set_sink(port, &network_sink, m);
	network_notify(net, &(struct network_event_info){ .event = NETWORK_EVENT_PORT_UP,
							  .port = port });
	return 0;
}

/* Wake every source that waits: called when a port drained, and when one
 * left (the port a source waited for may be gone). Each asks again. */
static void resume_waiting(struct network *net)
{
	unsigned i;

	if (!net->nwaiting)
		return;
	network_busy(net);
	for (i = 0; i < net->nslots; i++) {
		struct network_member *m = member_at(net, i);

		if (!m || !m->waiting)
			continue;
		m->waiting = false;
		net->nwaiting--;
		port_resume(m->port);
	}
	network_unbusy(net);
}

void network_detach(struct network *net, struct port *port)
{
	struct network_member *m = network_has_port(net, port) ? port->sink_ctx : NULL;
	struct network_priv *np = net_priv(net);
	unsigned i;

	if (!m)
		return;
	for (i = 0; i < net->nslots && net->members[i] != m; i++)
		;
	net->members[i] = NULL;
	if (net->busy)
		net->holes = true;
	else
		compact(net);
	net->nports--;
	if (m->waiting)
		net->nwaiting--;
	for (i = 0; i < np->nowners; i++)
		if (np->owners[i] == m)
			np->owners[i] = np->owners[--np->nowners];
	/* Before the member goes: its entries point at its MAC counter. */
	if (net->fdb)
		fdb_flush_port(net->fdb, port);
	/* Stations that keep state per port (the gateway's flows) free it
	 * now, not when it times out: a guest that left holds no fds. */
	for (i = 0; i < np->nowners; i++)
		if (np->owners[i]->port->ops->station_left)
			np->owners[i]->port->ops->station_left(np->owners[i]->port, m->serial);
	free(m);
	port_set_sink(port, NULL, NULL);
	network_notify(net, &(struct network_event_info){ .event = NETWORK_EVENT_PORT_DOWN,
							  .port = port });
	resume_waiting(net);
}

static void sink_receive(void *ctx, struct port *from, const uint8_t *frame, size_t len)
{
	struct network *net = ((struct network_member *)ctx)->net;

	network_busy(net);
	if (net->mode == NETWORK_HUB)
		hub_forward(net, from, NULL, frame, len);
	else
		switch_forward(net, from, NULL, frame, len);
	network_unbusy(net);
}

static void sink_receive_offload(void *ctx, struct port *from, const struct frame_offload *m,
				 const uint8_t *frame, size_t len)
{
	struct network *net = ((struct network_member *)ctx)->net;

	if (!offload_active(m))
		m = NULL;
	network_busy(net);
	if (net->mode == NETWORK_HUB)
		hub_forward(net, from, m, frame, len);
	else
		switch_forward(net, from, m, frame, len);
	network_unbusy(net);
}

static void sink_detach(void *ctx, struct port *port)
{
	network_detach(((struct network_member *)ctx)->net, port);
}

static size_t sink_room(void *ctx, struct port *from, const uint8_t *dst)
{
	return network_room(((struct network_member *)ctx)->net, from, dst);
}

static void sink_wait(void *ctx, struct port *from, const uint8_t *dst)
{
	struct network_member *m = ctx;

	network_want_writable(m->net, from, dst);
	if (!m->waiting) {
		m->waiting = true;
		m->net->nwaiting++;
	}
}

static void sink_writable(void *ctx, struct port *port)
{
	(void)port;
	resume_waiting(((struct network_member *)ctx)->net);
}

/* The fdb knows which port a MAC sits behind; name it by its member's
 * serial, which a port keeps while plugged in and never shares. */
static uint32_t sink_station(void *ctx, struct port *from, const uint8_t *mac)
{
	struct network *net = ((struct network_member *)ctx)->net;
	struct port *p;

	if (!net->fdb || mac_is_multicast(mac))
		return 0;
	p = fdb_lookup(net->fdb, mac, from->vlan.pvid, fdb_now(net->fdb));
	if (!p || !network_has_port(net, p))
		return 0;
	return ((struct network_member *)p->sink_ctx)->serial;
}

void network_age(struct network *net, uint64_t now_ms)
{
	size_t n;

	if (!net->fdb)
		return;
	net_priv(net)->last_sweep = now_ms;
	n = fdb_age(net->fdb, now_ms);
	if (n)
		debug("switch %s: %zu MAC entries aged out", net->id, n);
}

struct network *network_find(struct network *list, const char *id)
{
	for (; list; list = list->next)
		if (!strcmp(list->id, id))
			return list;
	return NULL;
}

const char *network_mode_name(enum network_mode mode)
{
	return mode == NETWORK_HUB ? "hub" : "switch";
}
