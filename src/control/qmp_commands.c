/* SPDX-License-Identifier: MIT
 *
 * qmp_commands.c - what QMP can ask; see qmp.h for the protocol.
 *
 * Theory of operation: each command is a function from its arguments
 * (checked against the names it accepts, QEMU's error wording) to a JSON
 * return value, built from the same control-plane views the text monitor
 * prints: nothing here reaches into a module's internals. QEMU's commands
 * keep QEMU's names and shapes (netdev_add takes QAPI's Netdev object,
 * flattened in qmp_netdev.c into the -netdev string, so a hot-plugged
 * netdev is parsed, checked and started exactly like one on the command
 * line); vmwire's own use dashes, as newer QMP commands do.
 */
#include "control/cli.h"
#include "control/monitor.h"
#include "control/qmp.h"
#include "control/qmp_netdev.h"
#include "control/runtime.h"
#include "config/netdev.h"
#include "core/inany.h"
#include "fabric/fdb.h"
#include "fabric/network.h"
#include "gateway/gateway.h"
#include "gateway/services/dhcp.h"

#include <json-c/json.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPEC_MAX 8192

static void mac_str(const uint8_t *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static int cmd_qmp_capabilities(struct qmp_call *call)
{
	static const char *const allowed[] = { "enable", NULL };
	struct json_object *en;
	size_t i;

	if (qmp_check_args(call, allowed, NULL) < 0)
		return -1;
	if (!json_object_object_get_ex(call->args, "enable", &en))
		return 0;
	if (!json_object_is_type(en, json_type_array))
		return qmp_error(call, "GenericError",
				 "Invalid parameter type for 'enable', expected: array");
	for (i = 0; i < json_object_array_length(en); i++) {
		struct json_object *cap = json_object_array_get_idx(en, i);

		return qmp_error(call, "GenericError", "Capability '%.64s' not available",
				 json_object_is_type(cap, json_type_string)
					 ? json_object_get_string(cap)
					 : "?");
	}
	return 0;
}

static int cmd_query_version(struct qmp_call *call)
{
	struct json_object *ret, *qemu;
	unsigned major = 0, minor = 0, micro = 0;

	if (qmp_check_args(call, NULL, NULL) < 0)
		return -1;
	sscanf(VMWIRE_VERSION, "%u.%u.%u", &major, &minor, &micro);
	ret = json_object_new_object();
	qemu = json_object_new_object();
	json_object_object_add(qemu, "micro", json_object_new_int((int)micro));
	json_object_object_add(qemu, "minor", json_object_new_int((int)minor));
	json_object_object_add(qemu, "major", json_object_new_int((int)major));
	json_object_object_add(ret, "qemu", qemu);
	json_object_object_add(ret, "package", json_object_new_string("vmwire " VMWIRE_VERSION));
	call->ret = ret;
	return 0;
}

static int cmd_query_commands(struct qmp_call *call)
{
	struct json_object *ret;
	size_t i;

	if (qmp_check_args(call, NULL, NULL) < 0)
		return -1;
	ret = json_object_new_array();
	for (i = 0; i < qmp_ncommands; i++) {
		struct json_object *c = json_object_new_object();

		json_object_object_add(c, "name", json_object_new_string(qmp_commands[i].name));
		json_object_array_add(ret, c);
	}
	call->ret = ret;
	return 0;
}

static bool id_taken(const char *id, void *ctx)
{
	const struct runtime *rt = ctx;
	const struct netdev *nd;

	for (nd = rt->netdevs; nd; nd = nd->next)
		if (!strcmp(nd->common.id, id))
			return true;
	return false;
}

/* netdev_add: QAPI's Netdev object, e.g. {"type": "stream", "id": "x",
 * "server": true, "addr": {"type": "unix", "path": "/tmp/x.sock"}}. */
static int cmd_netdev_add(struct qmp_call *call)
{
	char *spec = malloc(SPEC_MAX), err[CLI_ERR_MAX];
	struct netdev *nd;
	int rc = -1;

	if (!spec)
		return qmp_error(call, "GenericError", "out of memory");
	if (qmp_netdev_spec(call->args, spec, SPEC_MAX, err, sizeof(err)) < 0) {
		qmp_error(call, "GenericError", "%s", err);
		goto out;
	}
	if (cli_parse_netdev(spec, id_taken, call->rt, &nd, err, sizeof(err)) != CLI_OK) {
		qmp_error(call, "GenericError", "%s", err);
		goto out;
	}
	if (call->rt->sandboxed && nd->type->sandbox.setup_only) {
		qmp_error(call, "GenericError",
			  "netdev type %s can't be hot-plugged while the sandbox is on: %s "
			  "(start vmwire with it, or with -sandbox off)", nd->type->name,
			  nd->type->sandbox.setup_only);
		nd->ops->destroy(nd);
		goto out;
	}
	if (call->rt->sandbox_no_spawn && nd->type->sandbox.spawns && nd->type->sandbox.spawns(nd)) {
		nd->ops->destroy(nd);
		qmp_error(call, "GenericError",
			  "netdev %.64s runs commands (guestfwd cmd:), which the sandbox started "
			  "without them forbids: give vmwire such a netdev at start, or "
			  "-sandbox off", json_object_get_string(json_object_object_get(call->args, "id")));
		goto out;
	}
	if (!call->rt->loop) {
		nd->ops->destroy(nd); /* detached (fuzzing): parse only */
		rc = 0;
		goto out;
	}
	if (runtime_plug_netdev(call->rt, nd, err, sizeof(err)) < 0) {
		qmp_error(call, "GenericError", "%s", err);
		goto out;
	}
	runtime_print_hints_of(call->rt, nd, stdout);
	rc = 0;
out:
	free(spec);
	return rc;
}

static int cmd_netdev_del(struct qmp_call *call)
{
	static const char *const allowed[] = { "id", NULL };
	struct netdev *nd;
	const char *id;

	if (qmp_check_args(call, allowed, allowed) < 0 || qmp_arg_str(call, "id", &id) < 0)
		return -1;
	nd = runtime_unplug_netdev(call->rt, id);
	if (!nd)
		return qmp_error(call, "DeviceNotFound", "Device '%.64s' not found", id);
	qmp_defer_destroy(call->qmp, nd);
	call->pause = true;
	return 0;
}

/* The text monitor's reply, with QEMU's "\r\n" line ends. */
static int cmd_human_monitor_command(struct qmp_call *call)
{
	static const char *const allowed[] = { "command-line", "cpu-index", NULL };
	static const char *const required[] = { "command-line", NULL };
	char *text = NULL, *crlf;
	size_t len = 0, i, n;
	const char *line;
	FILE *f;

	if (qmp_check_args(call, allowed, required) < 0 ||
	    qmp_arg_str(call, "command-line", &line) < 0)
		return -1;
	if (strchr(line, '\n'))
		return qmp_error(call, "GenericError", "command-line must be one line");
	f = open_memstream(&text, &len);
	if (!f)
		return qmp_error(call, "GenericError", "out of memory");
	monitor_exec(call->rt, line, f, false);
	fclose(f);
	crlf = malloc(2 * len + 1);
	if (!crlf) {
		free(text);
		return qmp_error(call, "GenericError", "out of memory");
	}
	for (i = n = 0; i < len; i++) {
		if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
			crlf[n++] = '\r';
		crlf[n++] = text[i];
	}
	call->ret = json_object_new_string_len(crlf, (int)n);
	free(crlf);
	free(text);
	return 0;
}

struct mac_list {
	const struct port *port;
	struct json_object *list;
};

static void add_mac(void *ctx, const uint8_t *mac, uint16_t vid, const struct port *port,
		    uint64_t last_seen_ms)
{
	struct mac_list *ml = ctx;
	struct json_object *m;
	char buf[18];

	if (port != ml->port)
		return;
	m = json_object_new_object();
	mac_str(mac, buf, sizeof(buf));
	json_object_object_add(m, "mac", json_object_new_string(buf));
	json_object_object_add(m, "vlan", json_object_new_int(vid));
	json_object_array_add(ml->list, m);
}

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static struct json_object *port_json(const struct network *net, const struct port *p)
{
	struct json_object *o = json_object_new_object(), *st = json_object_new_object();
	struct mac_list ml = { p, json_object_new_array() };
	char desc[256] = "";

	json_object_object_add(o, "switch", json_object_new_string(net->id));
	json_object_object_add(o, "port", json_object_new_string(p->id));
	json_object_object_add(o, "kind", json_object_new_string(p->ops->kind));
	if (p->ops->describe)
		p->ops->describe(p, desc, sizeof(desc));
	json_object_object_add(o, "peer", json_object_new_string(desc));
	json_object_object_add(o, "vlan", json_object_new_int(p->vlan.pvid));
	json_object_object_add(o, "trunk", json_object_new_boolean(p->vlan.trunk));
	json_object_object_add(o, "port-security",
			       json_object_new_boolean(network_port_locked(net, p)));
	if (net->fdb)
		fdb_walk(net->fdb, add_mac, &ml);
	json_object_object_add(o, "macs", ml.list);
	add_u64(st, "rx-frames", p->stats.rx_frames);
	add_u64(st, "rx-bytes", p->stats.rx_bytes);
	add_u64(st, "rx-drops", p->stats.rx_drops);
	add_u64(st, "tx-frames", p->stats.tx_frames);
	add_u64(st, "tx-bytes", p->stats.tx_bytes);
	add_u64(st, "tx-drops", p->stats.tx_drops);
	add_u64(st, "security-drops", p->stats.sec_drops);
	json_object_object_add(o, "stats", st);
	return o;
}

static int cmd_query_ports(struct qmp_call *call)
{
	struct json_object *ret;
	const struct network *net;
	struct port *p;
	unsigned it;

	if (qmp_check_args(call, NULL, NULL) < 0)
		return -1;
	ret = json_object_new_array();
	for (net = call->rt->networks; net; net = net->next)
		for (it = 0; (p = network_port_next(net, &it));)
			json_object_array_add(ret, port_json(net, p));
	call->ret = ret;
	return 0;
}

/* The gateways, or the one called netdev (NULL: all); -1 if none. */
static int each_gateway(struct qmp_call *call, const char *netdev,
			void (*fn)(void *ctx, struct gateway *gw, const char *id), void *ctx)
{
	const struct network *net;
	struct port *p;
	unsigned it, n = 0;

	for (net = call->rt->networks; net; net = net->next)
		for (it = 0; (p = network_port_next(net, &it));)
			if (gateway_of_port(p) && (!netdev || !strcmp(p->id, netdev))) {
				fn(ctx, gateway_of_port(p), p->id);
				n++;
			}
	if (!n && netdev)
		return qmp_error(call, "DeviceNotFound",
				 "no user-mode gateway with id '%.64s'", netdev);
	return 0;
}

struct lease_walk {
	struct json_object *list;
	const char *id;
	uint64_t now;
};

static void add_lease(void *ctx, const struct gw_lease *l, bool is_static)
{
	struct lease_walk *w = ctx;
	struct json_object *o = json_object_new_object();
	struct in_addr in = { .s_addr = htonl(l->ip) };
	char mac[18], a[INET_ADDRSTRLEN];

	mac_str(l->mac, mac, sizeof(mac));
	json_object_object_add(o, "netdev", json_object_new_string(w->id));
	json_object_object_add(o, "mac", json_object_new_string(mac));
	json_object_object_add(o, "address",
			       json_object_new_string(inet_ntop(AF_INET, &in, a, sizeof(a))));
	json_object_object_add(o, "state", json_object_new_string(gw_lease_state_name(l->state)));
	json_object_object_add(o, "static", json_object_new_boolean(is_static));
	json_object_object_add(o, "expires-in",
			       json_object_new_int64(l->expires_ms >= w->now
							     ? (int64_t)((l->expires_ms - w->now) / 1000)
							     : 0));
	json_object_array_add(w->list, o);
}

static void gateway_leases(void *ctx, struct gateway *gw, const char *id)
{
	struct lease_walk *w = ctx;

	w->id = id;
	w->now = gateway_now(gw);
	gateway_walk_leases(gw, add_lease, w);
}

static int cmd_query_leases(struct qmp_call *call)
{
	static const char *const allowed[] = { "netdev", NULL };
	struct lease_walk w = { NULL, NULL, 0 };
	const char *netdev;

	if (qmp_check_args(call, allowed, NULL) < 0 || qmp_arg_str(call, "netdev", &netdev) < 0)
		return -1;
	w.list = json_object_new_array();
	if (each_gateway(call, netdev, gateway_leases, &w) < 0) {
		json_object_put(w.list);
		return -1;
	}
	call->ret = w.list;
	return 0;
}

struct flow_walk {
	struct json_object *list;
	const char *id;
};

static void add_addr(struct json_object *o, const char *k, const union inany_addr *a,
		     uint16_t port, const char *pk)
{
	char buf[INANY_ADDRSTRLEN];

	json_object_object_add(o, k, json_object_new_string(inany_ntop(a, buf, sizeof(buf))));
	json_object_object_add(o, pk, json_object_new_int(port));
}

static void add_flow(void *ctx, const struct gw_flow_info *fi)
{
	struct flow_walk *w = ctx;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "netdev", json_object_new_string(w->id));
	json_object_object_add(o, "protocol", json_object_new_string(fi->proto));
	json_object_object_add(o, "state", json_object_new_string(fi->state));
	add_addr(o, "guest-address", &fi->guest_addr, fi->guest_port, "guest-port");
	add_addr(o, "host-address", &fi->host_addr, fi->host_port, "host-port");
	add_u64(o, "idle-ms", fi->idle_ms);
	add_u64(o, "bytes-to-host", fi->bytes_to_host);
	add_u64(o, "bytes-to-guest", fi->bytes_to_guest);
	if (fi->rtt_us)
		add_u64(o, "rtt-us", fi->rtt_us);
	json_object_array_add(w->list, o);
}

static void gateway_flows(void *ctx, struct gateway *gw, const char *id)
{
	struct flow_walk *w = ctx;

	w->id = id;
	gateway_walk_flows(gw, add_flow, w);
}

static int cmd_query_flows(struct qmp_call *call)
{
	static const char *const allowed[] = { "netdev", NULL };
	struct flow_walk w = { NULL, NULL };
	const char *netdev;

	if (qmp_check_args(call, allowed, NULL) < 0 || qmp_arg_str(call, "netdev", &netdev) < 0)
		return -1;
	w.list = json_object_new_array();
	if (each_gateway(call, netdev, gateway_flows, &w) < 0) {
		json_object_put(w.list);
		return -1;
	}
	call->ret = w.list;
	return 0;
}

struct fwd_call {
	bool add;
	const char *rule;
	char err[512];
	int failed;
	bool done;
};

static void gateway_fwd(void *ctx, struct gateway *gw, const char *id)
{
	struct fwd_call *f = ctx;

	if (f->done) /* no netdev named: the first gateway, as the monitor does */
		return;
	f->done = true;
	f->failed = f->add ? gateway_hostfwd_add(gw, f->rule, f->err, sizeof(f->err))
			   : gateway_hostfwd_remove(gw, f->rule, f->err, sizeof(f->err));
}

/* hostfwd-add / hostfwd-remove {"netdev": ID (optional), "rule":
 * "[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport"}. */
static int hostfwd(struct qmp_call *call, bool add)
{
	static const char *const allowed[] = { "netdev", "rule", NULL };
	static const char *const required[] = { "rule", NULL };
	struct fwd_call f = { .add = add };
	const char *netdev;

	if (qmp_check_args(call, allowed, required) < 0 ||
	    qmp_arg_str(call, "netdev", &netdev) < 0 || qmp_arg_str(call, "rule", &f.rule) < 0)
		return -1;
	if (each_gateway(call, netdev, gateway_fwd, &f) < 0)
		return -1;
	if (!f.done)
		return qmp_error(call, "GenericError", "no user-mode gateway (-netdev user)");
	if (f.failed)
		return qmp_error(call, "GenericError", "%s", f.err);
	return 0;
}

static int cmd_hostfwd_add(struct qmp_call *call)
{
	return hostfwd(call, true);
}

static int cmd_hostfwd_remove(struct qmp_call *call)
{
	return hostfwd(call, false);
}

struct rec_call {
	bool add;
	const char *name, *address;
	char err[512];
	int failed;
	bool done;
};

static void gateway_rec(void *ctx, struct gateway *gw, const char *id)
{
	struct rec_call *r = ctx;

	if (r->done) /* no netdev named: the first gateway, as the monitor does */
		return;
	r->done = true;
	r->failed = r->add ? gateway_dns_record_add(gw, r->name, r->address, r->err,
						    sizeof(r->err))
			   : gateway_dns_record_remove(gw, r->name, r->address, r->err,
						       sizeof(r->err));
}

/* dns-record-add {"netdev": ID (optional), "name": N, "address": A};
 * dns-record-remove the same with "address" optional (all of N's). */
static int dns_record(struct qmp_call *call, bool add)
{
	static const char *const allowed[] = { "netdev", "name", "address", NULL };
	static const char *const req_add[] = { "name", "address", NULL };
	static const char *const req_remove[] = { "name", NULL };
	struct rec_call r = { .add = add };
	const char *netdev;

	if (qmp_check_args(call, allowed, add ? req_add : req_remove) < 0 ||
	    qmp_arg_str(call, "netdev", &netdev) < 0 || qmp_arg_str(call, "name", &r.name) < 0 ||
	    qmp_arg_str(call, "address", &r.address) < 0)
		return -1;
	if (each_gateway(call, netdev, gateway_rec, &r) < 0)
		return -1;
	if (!r.done)
		return qmp_error(call, "GenericError", "no user-mode gateway (-netdev user)");
	if (r.failed)
		return qmp_error(call, "GenericError", "%s", r.err);
	return 0;
}

static int cmd_dns_record_add(struct qmp_call *call)
{
	return dns_record(call, true);
}

static int cmd_dns_record_remove(struct qmp_call *call)
{
	return dns_record(call, false);
}

const struct qmp_command qmp_commands[] = {
	{ "qmp_capabilities", cmd_qmp_capabilities },
	{ "query-version", cmd_query_version },
	{ "query-commands", cmd_query_commands },
	{ "netdev_add", cmd_netdev_add },
	{ "netdev_del", cmd_netdev_del },
	{ "human-monitor-command", cmd_human_monitor_command },
	{ "query-ports", cmd_query_ports },
	{ "query-leases", cmd_query_leases },
	{ "query-flows", cmd_query_flows },
	{ "hostfwd-add", cmd_hostfwd_add },
	{ "hostfwd-remove", cmd_hostfwd_remove },
	{ "dns-record-add", cmd_dns_record_add },
	{ "dns-record-remove", cmd_dns_record_remove },
};

const size_t qmp_ncommands = sizeof(qmp_commands) / sizeof(qmp_commands[0]);
