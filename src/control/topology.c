/* SPDX-License-Identifier: MIT
 *
 * topology.c - "info topology": the wiring of a running daemon as a tree
 * for people or a Graphviz graph for a picture.
 *
 * Theory of operation: one walk over the runtime (networks, the netdevs on
 * each, their ports, the fdb for learned MACs, the gateways' leases) feeds
 * one of two small emitters. The graph has a node per switch, a cluster
 * per netdev holding its ports (a listener with no connection is the
 * netdev's own node), and an edge from each port to its switch labelled
 * with the port's VLANs; a gateway's leases go into its label, so the
 * picture answers "which VM has which address on which switch". Labels
 * are escaped for DOT: peer descriptions are user-controlled text (paths).
 */
#include "control/info.h"
#include "control/runtime.h"
#include "config/netdev.h"
#include "core/frame.h"
#include "fabric/fdb.h"
#include "fabric/network.h"
#include "gateway/gateway.h"
#include "gateway/services/dhcp.h"

#include <arpa/inet.h>
#include <string.h>

#define TOPO_MACS_SHOWN 8
#define TOPO_LEASES_SHOWN 16

/* A label line for DOT: quotes, backslashes and control bytes escaped. */
static void dot_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if ((unsigned char)*s < 0x20)
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

struct mac_walk {
	const struct port *port;
	FILE *out;
	bool dot;
	unsigned n;
};

static void one_mac(void *ctx, const uint8_t *mac, uint16_t vid, const struct port *port,
		    uint64_t last_seen_ms)
{
	struct mac_walk *w = ctx;
	char text[18];

	if (port != w->port || w->n++ >= TOPO_MACS_SHOWN)
		return;
	mac_format(mac, text);
	if (w->dot)
		fprintf(w->out, "\\n%s", text);
	else
		fprintf(w->out, "%s%s", w->n == 1 ? "" : " ", text);
	if (w->port->vlan.trunk)
		fprintf(w->out, "@%u", vid);
}

static void macs_of(const struct network *net, const struct port *p, bool dot, FILE *out)
{
	struct mac_walk w = { p, out, dot, 0 };

	if (!net->fdb)
		return;
	if (!dot)
		fputs("      macs: ", out);
	fdb_walk(net->fdb, one_mac, &w);
	if (w.n > TOPO_MACS_SHOWN)
		fprintf(out, "%s(and %u more)", dot ? "\\n" : " ", w.n - TOPO_MACS_SHOWN);
	if (!dot)
		fputs(w.n ? "\n" : "none\n", out);
}

struct lease_walk {
	FILE *out;
	bool dot;
	unsigned n;
};

static void one_lease(void *ctx, const struct gw_lease *l, bool is_static)
{
	struct lease_walk *w = ctx;
	struct in_addr in = { .s_addr = htonl(l->ip) };
	char mac[18], a[INET_ADDRSTRLEN];

	if (l->state != LEASE_BOUND && l->state != LEASE_OFFERED)
		return;
	if (w->n++ >= TOPO_LEASES_SHOWN)
		return;
	fprintf(w->out, w->dot ? "\\n%s %s %s" : "      lease %s %s %s\n", mac_format(l->mac, mac),
		inet_ntop(AF_INET, &in, a, sizeof(a)), gw_lease_state_name(l->state));
}

static void leases_of(const struct port *p, bool dot, FILE *out)
{
	struct gateway *gw = gateway_of_port((struct port *)p);
	struct lease_walk w = { out, dot, 0 };

	if (!gw)
		return;
	gateway_walk_leases(gw, one_lease, &w);
	if (w.n > TOPO_LEASES_SHOWN)
		fprintf(out, dot ? "\\n(and %u more)" : "      (and %u more)\n",
			w.n - TOPO_LEASES_SHOWN);
}

static void port_node(const struct network *net, const struct port *p, bool dot, FILE *out)
{
	char desc[512] = "", vlan[256];

	if (p->ops->describe)
		p->ops->describe(p, desc, sizeof(desc));
	info_format_vlan(&p->vlan, vlan, sizeof(vlan));
	if (!dot) {
		fprintf(out, "    port %s (%s, %s)%s%s\n", p->id, p->ops->kind, vlan,
			*desc ? ": " : "", desc);
		macs_of(net, p, false, out);
		leases_of(p, false, out);
		return;
	}
	fputs("      \"port:", out);
	dot_text(out, p->id);
	fprintf(out, "\" [shape=%s, label=\"", gateway_of_port((struct port *)p) ? "house"
											 : "ellipse");
	dot_text(out, p->id);
	fprintf(out, "\\n%s\\n", p->ops->kind);
	dot_text(out, desc);
	macs_of(net, p, true, out);
	leases_of(p, true, out);
	fputs("\"];\n", out);
}

static void port_edge(const struct network *net, const struct port *p, FILE *out)
{
	char vlan[256];

	info_format_vlan(&p->vlan, vlan, sizeof(vlan));
	fputs("  \"port:", out);
	dot_text(out, p->id);
	fputs("\" -- \"switch:", out);
	dot_text(out, net->id);
	fputs("\" [label=\"", out);
	dot_text(out, vlan);
	fprintf(out, "\"%s];\n", network_port_locked(net, p) ? "" : ", style=dashed");
}

static unsigned netdev_ports(const struct network *net, const struct netdev *nd)
{
	struct port *p;
	unsigned it, n = 0;

	for (it = 0; (p = network_port_next(net, &it));)
		n += info_port_of(p, nd->common.id);
	return n;
}

/* Outside the cluster: an edge inside one pulls the switch into it. */
static void listener_edge(const struct network *net, const struct netdev *nd, FILE *out)
{
	fputs("  \"netdev:", out);
	dot_text(out, nd->common.id);
	fputs("\" -- \"switch:", out);
	dot_text(out, net->id);
	fputs("\" [style=dotted];\n", out);
}

static void netdev_block(const struct network *net, const struct netdev *nd, bool dot,
			 FILE *out)
{
	char desc[512] = "";
	struct port *p;
	unsigned it, n = 0;

	if (nd->ops->describe)
		nd->ops->describe(nd, desc, sizeof(desc));
	if (!dot)
		fprintf(out, "  netdev %s (%s)%s%s\n", nd->common.id, nd->type->name,
			*desc ? ": " : "", desc);
	else {
		fputs("  subgraph \"cluster_", out);
		dot_text(out, nd->common.id);
		fputs("\" {\n    label=\"", out);
		dot_text(out, nd->common.id);
		fprintf(out, " (%s)\";\n", nd->type->name);
	}
	for (it = 0; (p = network_port_next(net, &it));)
		if (info_port_of(p, nd->common.id)) {
			port_node(net, p, dot, out);
			n++;
		}
	if (dot && !n) { /* a listener nobody connected to yet */
		fputs("    \"netdev:", out);
		dot_text(out, nd->common.id);
		fputs("\" [shape=note, label=\"", out);
		dot_text(out, desc);
		fputs("\"];\n", out);
	}
	if (dot)
		fputs("  }\n", out);
}

void info_topology(const struct runtime *rt, bool dot, FILE *out)
{
	const struct network *net;
	const struct netdev *nd;
	struct port *p;
	unsigned it;

	if (dot)
		fputs("graph vmwire {\n  rankdir=LR;\n  node [fontname=\"monospace\", "
		      "fontsize=10];\n", out);
	for (net = rt->networks; net; net = net->next) {
		if (dot) {
			fputs("  \"switch:", out);
			dot_text(out, net->id);
			fprintf(out, "\" [shape=box, style=bold, label=\"%s ", network_mode_name(net->mode));
			dot_text(out, net->id);
			fprintf(out, "\\n%u ports, %zu MACs\"];\n", net->nports,
				net->fdb ? fdb_count(net->fdb) : (size_t)0);
		} else {
			fprintf(out, "%s %s: %u ports, %zu MACs learned\n",
				network_mode_name(net->mode), net->id, net->nports,
				net->fdb ? fdb_count(net->fdb) : (size_t)0);
		}
		for (nd = rt->netdevs; nd; nd = nd->next)
			if (nd->net == net)
				netdev_block(net, nd, dot, out);
		if (!dot)
			continue;
		for (it = 0; (p = network_port_next(net, &it));)
			port_edge(net, p, out);
		for (nd = rt->netdevs; nd; nd = nd->next)
			if (nd->net == net && !netdev_ports(net, nd))
				listener_edge(net, nd, out);
	}
	if (dot)
		fputs("}\n", out);
}
