/* SPDX-License-Identifier: MIT
 *
 * daemon.c - building and tearing down the runtime, see runtime.h.
 *
 * Theory of operation: the daemon and "vmwire run" both hold a loop, a
 * list of networks and a list of netdevs; they differ only in where the
 * netdevs come from (the command line, or run.c's own TAP and gateway) and
 * in when each is started (run.c starts its TAP inside the command's
 * namespace before the gateway, which needs the TAP's MAC). So creating
 * networks, opening captures, starting netdevs, printing the QEMU hints
 * and the teardown order live here once. Errors go to the caller's buffer:
 * main.c logs them, run.c prints them after "vmwire run: ".
 */
#include "control/runtime.h"
#include "control/cli.h"
#include "config/netdev.h"
#include "core/loop.h"
#include "core/pcap.h"
#include "fabric/network.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int runtime_init(struct runtime *rt, char *err, size_t errlen)
{
	memset(rt, 0, sizeof(*rt));
	rt->loop = ev_loop_new();
	if (!rt->loop) {
		snprintf(err, errlen, "can't create the event loop: %s", strerror(errno));
		return -1;
	}
	return 0;
}

struct network *runtime_find_network(const struct runtime *rt, const char *id)
{
	struct network *net;

	for (net = rt->networks; net; net = net->next)
		if (!strcmp(net->id, id))
			return net;
	return NULL;
}

int runtime_add_network(struct runtime *rt, const char *id, enum network_mode mode,
			unsigned aging_s, unsigned max_macs, char *err, size_t errlen)
{
	struct network *net, **tail;

	net = network_new(id, mode, aging_s, max_macs, rt->loop);
	if (!net) {
		snprintf(err, errlen, "-switch %s: can't create the network: %s", id,
			 strerror(errno));
		return -1;
	}
	for (tail = &rt->networks; *tail; tail = &(*tail)->next)
		;
	net->next = NULL;
	net->observer = rt->observer;
	*tail = net;
	return 0;
}

int runtime_build(struct runtime *rt, struct cli *cli, char *err, size_t errlen)
{
	const struct cli_switch *s;
	struct netdev *netdevs;

	ev_loop_set_busy_poll(rt->loop, cli->busy_poll_us);
	/* Declared switches in order, then the implicit default one if used. */
	for (s = cli->switches; s; s = s->next) {
		if (runtime_add_network(rt, s->id, s->mode, s->aging_s, s->max_macs, err,
					errlen) < 0)
			return -1;
		network_set_security(runtime_find_network(rt, s->id), s->port_security,
				     s->max_macs_per_port);
	}
	/* The runtime owns the netdevs from here on. */
	netdevs = cli->netdevs;
	cli->netdevs = NULL;
	return runtime_adopt(rt, netdevs, err, errlen);
}

void runtime_set_observer(struct runtime *rt, const struct network_observer *obs)
{
	struct network *net;

	rt->observer = *obs;
	for (net = rt->networks; net; net = net->next)
		net->observer = *obs;
}

int runtime_adopt(struct runtime *rt, struct netdev *netdevs, char *err, size_t errlen)
{
	struct netdev **tail, *nd;

	for (tail = &rt->netdevs; *tail; tail = &(*tail)->next)
		;
	*tail = netdevs;
	for (nd = netdevs; nd; nd = nd->next) {
		nd->net = runtime_find_network(rt, nd->common.switch_name);
		if (!nd->net) {
			if (runtime_add_network(rt, nd->common.switch_name, NETWORK_SWITCH,
						NETWORK_DEFAULT_AGING_S, NETWORK_DEFAULT_FDB_MAX,
						err, errlen) < 0)
				return -1;
			nd->net = runtime_find_network(rt, nd->common.switch_name);
		}
	}
	for (nd = netdevs; nd; nd = nd->next) {
		if (!*nd->common.pcap_path)
			continue;
		nd->pcap = pcap_open(nd->common.pcap_path);
		if (!nd->pcap) {
			snprintf(err, errlen, "-netdev %s: pcap=%s: %s", nd->common.id,
				 nd->common.pcap_path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int runtime_start_netdev(struct runtime *rt, struct netdev *nd, char *err, size_t errlen)
{
	if (errlen)
		*err = '\0';
	if (nd->ops->start(nd, rt->loop, err, errlen) < 0) {
		if (errlen && !*err)
			snprintf(err, errlen, "-netdev %s: start failed", nd->common.id);
		return -1;
	}
	return 0;
}

int runtime_start(struct runtime *rt, char *err, size_t errlen)
{
	struct netdev *nd;

	for (nd = rt->netdevs; nd; nd = nd->next)
		if (runtime_start_netdev(rt, nd, err, errlen) < 0)
			return -1;
	return 0;
}

int runtime_plug_netdev(struct runtime *rt, struct netdev *nd, char *err, size_t errlen)
{
	struct netdev **pp;

	if (strcmp(nd->common.switch_name, "default") &&
	    !runtime_find_network(rt, nd->common.switch_name)) {
		snprintf(err, errlen, "netdev %s: switch '%s' does not exist", nd->common.id,
			 nd->common.switch_name);
		nd->ops->destroy(nd);
		return -1;
	}
	nd->next = NULL;
	if (runtime_adopt(rt, nd, err, errlen) < 0 ||
	    runtime_start_netdev(rt, nd, err, errlen) < 0) {
		for (pp = &rt->netdevs; *pp && *pp != nd; pp = &(*pp)->next)
			;
		if (*pp)
			*pp = nd->next;
		runtime_destroy_netdev(nd);
		return -1;
	}
	return 0;
}

struct netdev *runtime_unplug_netdev(struct runtime *rt, const char *id)
{
	struct netdev **pp, *nd;

	for (pp = &rt->netdevs; *pp; pp = &(*pp)->next) {
		if (strcmp((*pp)->common.id, id))
			continue;
		nd = *pp;
		*pp = nd->next;
		nd->next = NULL;
		return nd;
	}
	return NULL;
}

void runtime_destroy_netdev(struct netdev *nd)
{
	struct pcap_writer *pcap = nd->pcap;

	nd->ops->destroy(nd);
	if (pcap) /* ours; the ports held their own references */
		pcap_put(pcap);
}

static void print_hint(const struct netdev *nd, FILE *out)
{
	char *text = NULL, *p;
	size_t len = 0;
	FILE *f;

	if (!nd->ops->hint)
		return;
	f = open_memstream(&text, &len);
	if (!f)
		return;
	nd->ops->hint(nd, f);
	fclose(f);
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = '\0';
	for (p = text; *p; p++)
		if (*p == '\n')
			*p = ' ';
	if (len)
		fprintf(out, "Connect a QEMU VM to '%s' with:\n  %s\n", nd->common.id, text);
	free(text);
}

void runtime_print_hints_of(const struct runtime *rt, const struct netdev *nd, FILE *out)
{
	print_hint(nd, out);
	fflush(out);
}

void runtime_print_hints(const struct runtime *rt, FILE *out)
{
	const struct netdev *nd;

	for (nd = rt->netdevs; nd; nd = nd->next)
		print_hint(nd, out);
}

void runtime_teardown(struct runtime *rt)
{
	struct network *net;
	struct netdev *nd;

	while ((nd = rt->netdevs)) {
		rt->netdevs = nd->next;
		runtime_destroy_netdev(nd);
	}
	while ((net = rt->networks)) {
		rt->networks = net->next;
		network_free(net);
	}
	if (rt->loop)
		ev_loop_free(rt->loop);
	rt->loop = NULL;
}

void runtime_signal_mask(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGHUP);
}
