/* SPDX-License-Identifier: MIT
 *
 * info.c - "info network": the runtime as a tree, in the style of QEMU's
 * monitor command of the same name.
 *
 *   switch default (mode switch, aging 300s, 2 ports, 3 MACs learned)
 *    \ a: stream, listening on unix:/tmp/a.sock, 1 connection
 *       \ a#1: stream, peer unix:/tmp/a.sock fd 7, ..., vlan 1
 *          rx 10 frames 1234 bytes 0 drops, tx 8 frames 900 bytes 0 drops
 *          macs: 52:54:00:12:34:56
 *          queue: 0 bytes, room 1048576 bytes, pauses 0, resumes 0
 *
 * Theory of operation: ports do not point back at the netdev that made
 * them, so they are matched by id: a netdev's ports are called "ID" or
 * "ID#N" (one per accepted connection). A netdev whose only port is "ID"
 * is shown as that port, one line, not as a netdev with itself under it. Ports no netdev claims (the
 * gateway, a test harness) are listed after the netdevs so nothing attached
 * to a network is ever hidden. This runs only on a monitor request, so
 * walking lists and the forwarding table is fine.
 *
 * "info usernet" finds the user-mode gateways among the ports and prints,
 * like QEMU's command of the same name, one table row per NAT flow or
 * forwarding rule (with idle time and bytes each way added), then the
 * DHCP leases and the gateway's non-zero counters. Queue depths are
 * asked of the kernel here, on request, never kept by the data path.
 */
#include "config/netdev.h"
#include "control/info.h"
#include "control/runtime.h"
#include "core/frame.h"
#include "core/impair.h"
#include "core/inany.h"
#include "fabric/fdb.h"
#include "fabric/network.h"
#include "gateway/gateway.h"
#include "gateway/tcp/tcp.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>

#define INFO_MACS_SHOWN 16

bool info_port_of(const struct port *p, const char *id)
{
	size_t n = strlen(id);

	return !strncmp(p->id, id, n) && (p->id[n] == '\0' || p->id[n] == '#');
}

static const struct netdev *owner_of(const struct runtime *rt, const struct network *net,
				     const struct port *p)
{
	const struct netdev *nd;

	for (nd = rt->netdevs; nd; nd = nd->next)
		if (nd->net == net && info_port_of(p, nd->common.id))
			return nd;
	return NULL;
}

/* "vlan 1", or "trunk 10,20,100-110 native 5" */
void info_format_vlan(const struct port_vlan *v, char *buf, size_t size)
{
	size_t off;
	unsigned vid, end;
	bool first = true;

	if (!v->trunk) {
		snprintf(buf, size, "vlan %u", v->pvid);
		return;
	}
	off = (size_t)snprintf(buf, size, "trunk ");
	for (vid = 1; vid <= VLAN_VID_MAX && off < size; vid++) {
		if (!vlan_bit(v, vid))
			continue;
		for (end = vid; end < VLAN_VID_MAX && vlan_bit(v, end + 1); end++)
			;
		if (end == vid)
			off += (size_t)snprintf(buf + off, size - off, "%s%u", first ? "" : ",", vid);
		else
			off += (size_t)snprintf(buf + off, size - off, "%s%u-%u", first ? "" : ",",
						vid, end);
		first = false;
		vid = end;
	}
	if (off >= size)
		return;
	if (v->pvid)
		snprintf(buf + off, size - off, "%snative %u", first ? "" : " ", v->pvid);
	else
		snprintf(buf + off, size - off, "%snative none", first ? "" : " ");
}

struct mac_walk {
	const struct port *port;
	FILE *out;
	unsigned n;
};

static void print_mac(void *ctx, const uint8_t *mac, uint16_t vid, const struct port *port,
		      uint64_t last_seen_ms)
{
	struct mac_walk *w = ctx;
	char text[18];

	if (port != w->port)
		return;
	if (w->n++ >= INFO_MACS_SHOWN)
		return;
	fprintf(w->out, "%s%s", w->n == 1 ? "" : " ", mac_format(mac, text));
	if (w->port->vlan.trunk)
		fprintf(w->out, "@%u", vid);
}

static void print_macs(const struct network *net, const struct port *p, const char *indent,
		       FILE *out)
{
	struct mac_walk w = { .port = p, .out = out };

	fprintf(out, "%s   macs: ", indent);
	fdb_walk(net->fdb, print_mac, &w);
	if (!w.n)
		fputs("none", out);
	else if (w.n > INFO_MACS_SHOWN)
		fprintf(out, " (and %u more)", w.n - INFO_MACS_SHOWN);
	fputc('\n', out);
}

/* Back-pressure: what the port holds towards its peer and how much more it
 * takes (ports that queue), and how often it waited for room as a source
 * (the gateway) and was resumed. */
static void print_backpressure(const struct port *p, const char *indent, FILE *out)
{
	fprintf(out, "%s   queue: ", indent);
	if (port_queues(p))
		fprintf(out, "%zu bytes, room %zu bytes", port_tx_queued(p), port_tx_room(p));
	else
		fputs("none", out);
	fprintf(out, ", pauses %" PRIu64 ", resumes %" PRIu64 "\n", p->stats.pauses,
		p->stats.resumes);
}

/* An impaired wire: what it did to the frames of each direction. */
static void print_impair_link(const struct impair_link *l, const char *dir, const char *indent,
			      FILE *out)
{
	const struct impair_stats *st;

	if (!l)
		return;
	st = impair_link_stats(l);
	fprintf(out, "%s   impair %s: frames %" PRIu64 " delivered %" PRIu64 " lost %" PRIu64
		" duplicated %" PRIu64 " reordered %" PRIu64 " queue_drops %" PRIu64
		" queued %u peak %" PRIu64 "\n", indent, dir, st->frames, st->delivered, st->lost,
		st->duplicated, st->reordered, st->queue_drops, impair_link_count(l),
		st->queued_peak);
}

static void print_impair(const struct port *p, const char *indent, FILE *out)
{
	char cfg[160];

	if (!p->impair_in && !p->impair_out)
		return;
	impair_cfg_describe(impair_link_cfg(p->impair_in ? p->impair_in : p->impair_out), cfg,
			    sizeof(cfg));
	fprintf(out, "%s   impair (%s): %s\n", indent,
		p->impair_in && p->impair_out ? "both" : p->impair_in ? "in" : "out", cfg);
	print_impair_link(p->impair_in, "in", indent, out);
	print_impair_link(p->impair_out, "out", indent, out);
}

static void print_port(const struct network *net, const struct port *p, const char *indent,
		       FILE *out)
{
	char desc[1024] = "", vlan[256]; /* vxlan: config, counters, VTEPs */

	if (p->ops->describe)
		p->ops->describe(p, desc, sizeof(desc));
	info_format_vlan(&p->vlan, vlan, sizeof(vlan));
	fprintf(out, "%s\\ %s: %s%s%s, %s\n", indent, p->id, p->ops->kind ? p->ops->kind : "port",
		*desc ? ", " : "", desc, vlan);
	fprintf(out, "%s   rx %" PRIu64 " frames %" PRIu64 " bytes %" PRIu64 " drops, "
		"tx %" PRIu64 " frames %" PRIu64 " bytes %" PRIu64 " drops\n", indent,
		p->stats.rx_frames, p->stats.rx_bytes, p->stats.rx_drops,
		p->stats.tx_frames, p->stats.tx_bytes, p->stats.tx_drops);
	if (p->stats.sec_drops)
		fprintf(out, "%s   port security: %" PRIu64 " frames dropped (%s)\n", indent,
			p->stats.sec_drops, network_port_locked(net, p) ? "locked" : "uplink");
	if (net->fdb)
		print_macs(net, p, indent, out);
	print_backpressure(p, indent, out);
	print_impair(p, indent, out);
}

static void print_network(const struct runtime *rt, const struct network *net, FILE *out)
{
	const struct netdev *nd;
	const struct port *p;
	char desc[512];
	unsigned it;

	if (net->mode == NETWORK_HUB)
		fprintf(out, "hub %s (mode hub, %u port%s)\n", net->id, net->nports,
			net->nports == 1 ? "" : "s");
	else
		fprintf(out, "switch %s (mode switch, aging %us, %u port%s, %zu MAC%s learned)\n",
			net->id, net->aging_s, net->nports, net->nports == 1 ? "" : "s",
			net->fdb ? fdb_count(net->fdb) : (size_t)0,
			net->fdb && fdb_count(net->fdb) == 1 ? "" : "s");
	fprintf(out, "  frames %" PRIu64 ", forwarded %" PRIu64 ", flooded %" PRIu64
		", filtered %" PRIu64 "\n", net->stats.frames_in, net->stats.forwarded,
		net->stats.flooded, net->stats.filtered);
	if (net->fdb && (net->stats.sec_moved || net->stats.sec_local || net->stats.sec_cap ||
			 net->stats.sec_arp))
		fprintf(out, "  port security drops: sec_moved %" PRIu64 " sec_local %" PRIu64
			" sec_cap %" PRIu64 " sec_arp %" PRIu64 "\n", net->stats.sec_moved,
			net->stats.sec_local, net->stats.sec_cap, net->stats.sec_arp);

	for (nd = rt->netdevs; nd; nd = nd->next) {
		const struct port *only = NULL;
		unsigned n = 0;

		if (nd->net != net)
			continue;
		for (it = 0; (p = network_port_next(net, &it));)
			if (info_port_of(p, nd->common.id) && ++n == 1)
				only = p;
		/* A netdev that is one port of its own name (tap, user, dgram,
		 * a stream client) is that port's line, not a line repeated
		 * under itself. */
		if (n == 1 && !strcmp(only->id, nd->common.id)) {
			print_port(net, only, " ", out);
			continue;
		}
		desc[0] = '\0';
		if (nd->ops->describe)
			nd->ops->describe(nd, desc, sizeof(desc));
		fprintf(out, " \\ %s: %s%s%s\n", nd->common.id, nd->type->name, *desc ? ", " : "",
			desc);
		for (it = 0; (p = network_port_next(net, &it));)
			if (info_port_of(p, nd->common.id))
				print_port(net, p, "    ", out);
	}
	for (it = 0; (p = network_port_next(net, &it));)
		if (!owner_of(rt, net, p))
			print_port(net, p, " ", out);
}

void info_network(const struct runtime *rt, FILE *out)
{
	const struct network *net;

	if (!rt->networks)
		fputs("no networks\n", out);
	for (net = rt->networks; net; net = net->next)
		print_network(rt, net, out);
}

/* A gateway may hold tens of thousands of flows; the monitor lists the
 * first ones and counts the rest so the counters below always fit a reply. */
#define INFO_USERNET_MAX_ROWS 2000

struct flow_listing {
	FILE *out;
	unsigned long shown, hidden;
};

static void print_flow(void *ctx, const struct gw_flow_info *fi)
{
	struct flow_listing *fl = ctx;
	FILE *out = fl->out;
	char proto[40], src[INANY_ADDRSTRLEN], dst[INANY_ADDRSTRLEN], upper[8];
	bool host = !inany_is_unspecified(&fi->host_addr);
	int recvq = 0, sendq = 0;
	bool fwd = !strcmp(fi->state, "HOST_FORWARD");
	size_t i;

	if (fl->shown >= INFO_USERNET_MAX_ROWS) {
		fl->hidden++;
		return;
	}
	fl->shown++;
	for (i = 0; i < sizeof(upper) - 1 && fi->proto[i]; i++)
		upper[i] = (char)(fi->proto[i] >= 'a' && fi->proto[i] <= 'z' ? fi->proto[i] - 32
									       : fi->proto[i]);
	upper[i] = '\0';
	/* A UDP or ICMP flow has no state to show (its idle time is a
	 * column): the protocol alone, not "UDP[]". */
	if (*fi->state)
		snprintf(proto, sizeof(proto), "%s[%s]", upper, fi->state);
	else
		snprintf(proto, sizeof(proto), "%s", upper);
	if (fi->fd >= 0) {
		ioctl(fi->fd, FIONREAD, &recvq);
		ioctl(fi->fd, SIOCOUTQ, &sendq);
	}
	/* As QEMU: a forwarding rule reads host -> guest, a NAT flow guest -> far end. */
	if (fwd)
		fprintf(out, "  %-19s %3d %15s %5u %15s %5u", proto, fi->fd,
			host ? inany_ntop(&fi->host_addr, src, sizeof(src)) : "*", fi->host_port,
			inany_ntop(&fi->guest_addr, dst, sizeof(dst)), fi->guest_port);
	else
		fprintf(out, "  %-19s %3d %15s %5u %15s %5u", proto, fi->fd,
			inany_ntop(&fi->guest_addr, src, sizeof(src)), fi->guest_port,
			host ? inany_ntop(&fi->host_addr, dst, sizeof(dst)) : "*", fi->host_port);
	fprintf(out, " %5d %5d %6" PRIu64 "s %10" PRIu64 " %10" PRIu64, recvq, sendq,
		fi->idle_ms / 1000, fi->bytes_to_host, fi->bytes_to_guest);
	if (fi->rtt_us) /* TCP flows: smoothed RTT towards the guest */
		fprintf(out, " rtt %u.%03ums", fi->rtt_us / 1000, fi->rtt_us % 1000);
	fputc('\n', out);
}

struct counter_line {
	FILE *out;
	unsigned n;
};

/* Non-zero counters only, six to a line. */
static void print_counter(void *ctx, const char *name, uint64_t v)
{
	struct counter_line *cl = ctx;

	if (v)
		fprintf(cl->out, "%s %s %" PRIu64, cl->n++ % 6 ? "," : "\n   ", name, v);
}

static void print_gateway(const struct network *net, struct port *p, FILE *out)
{
	struct gateway *gw = gateway_of_port(p);
	const struct gw_tcp_stats *tst;
	struct flow_listing fl = { .out = out };
	struct counter_line cl = { .out = out };

	fprintf(out, "%s (user, network %s):\n", p->id, net->id);
	fprintf(out, "  %-19s %3s %15s %5s %15s %5s %5s %5s %7s %10s %10s\n", "Protocol[State]",
		"FD", "Source Address", "Port", "Dest. Address", "Port", "RecvQ", "SendQ", "Idle",
		"ToHost", "ToGuest");
	gateway_walk_flows(gw, print_flow, &fl);
	if (fl.hidden)
		fprintf(out, "  ... and %lu more flows\n", fl.hidden);
	gateway_info(gw, out); /* the services' sections: DHCP's leases */
	fputs("  counters:", out);
	gateway_walk_counters(gw, print_counter, &cl);
	fputs(cl.n ? "\n" : " none\n", out);
	/* The TCP engine keeps its own counters (reordering, SACK, flow
	 * table): the same listing, on its own line so both stay readable. */
	tst = gateway_tcp_stats(gw);
	if (!tst)
		return;
	cl.n = 0;
	fputs("  tcp counters:", out);
#define GW_PRINT_TCP_STAT(name) print_counter(&cl, #name, tst->name);
	GW_TCP_STATS(GW_PRINT_TCP_STAT)
#undef GW_PRINT_TCP_STAT
	fputs(cl.n ? "\n" : " none\n", out);
}

void info_usernet(const struct runtime *rt, FILE *out)
{
	const struct network *net;
	struct port *p;
	bool any = false;
	unsigned it;

	for (net = rt->networks; net; net = net->next)
		for (it = 0; (p = network_port_next(net, &it));)
			if (gateway_of_port(p)) {
				print_gateway(net, p, out);
				any = true;
			}
	if (!any)
		fputs("no user-mode gateway (-netdev user)\n", out);
}
