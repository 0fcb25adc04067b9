/* SPDX-License-Identifier: MIT
 *
 * network.c - lifetime of networks and membership of ports, see network.h.
 *
 * Theory of operation: a network is a list of ports plus, for a switch, a
 * forwarding database. Attaching a port plugs its sink into
 * network_ingress(), which hands the frame to the hub or switch engine in
 * forward.c. Detaching unplugs it and forgets every MAC learned behind it,
 * so no frame is ever forwarded to a port that left.
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

	if (!net)
		return;
	np = net_priv(net);
	/* port_close() detaches, which unlinks the head. */
	while (net->ports)
		port_close(net->ports);
	if (net->loop && np->aging.armed)
		ev_timer_cancel(net->loop, &np->aging);
	fdb_free(net->fdb);
	free(np);
}

void network_attach(struct network *net, struct port *port)
{
	struct port **pp;

	if (port->net == net)
		return;
	if (port->net)
		network_detach(port->net, port);
	/* Append: the monitor lists ports in attach order. */
	for (pp = &net->ports; *pp; pp = &(*pp)->net_next)
		;
	*pp = port;
	port->net_next = NULL;
	port->net = net;
	port->sink_fn = network_ingress;
	port->sink_offload_fn = network_ingress_offload;
	port->sink = net;
	net->nports++;
}

void network_detach(struct network *net, struct port *port)
{
	struct port **pp;

	for (pp = &net->ports; *pp; pp = &(*pp)->net_next) {
		if (*pp != port)
			continue;
		*pp = port->net_next;
		net->nports--;
		break;
	}
	if (net->fdb)
		fdb_flush_port(net->fdb, port);
	if (port->net == net) {
		port->net = NULL;
		port->net_next = NULL;
		port->sink_fn = NULL;
		port->sink_offload_fn = NULL;
		port->sink = NULL;
	}
}

void network_ingress(void *sink, struct port *from, const uint8_t *frame, size_t len)
{
	struct network *net = sink;

	if (net->mode == NETWORK_HUB)
		hub_forward(net, from, NULL, frame, len);
	else
		switch_forward(net, from, NULL, frame, len);
}

void network_ingress_offload(void *sink, struct port *from, const struct frame_offload *m,
			     const uint8_t *frame, size_t len)
{
	struct network *net = sink;

	if (!offload_active(m))
		m = NULL;
	if (net->mode == NETWORK_HUB)
		hub_forward(net, from, m, frame, len);
	else
		switch_forward(net, from, m, frame, len);
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
