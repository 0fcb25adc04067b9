/* SPDX-License-Identifier: MIT
 *
 * libvmwire.c - the public API of include/vmwire.h over the daemon's own
 * runtime.
 *
 * Theory of operation: a context is a struct runtime built exactly as the
 * daemon builds it (cli_parse_registry() in embedded mode, then
 * runtime_build() and runtime_start()), plus the monitor and QMP sockets
 * when asked for, plus the embedder's ports. An embedder port is a port
 * like any transport: its transmit() is the embedder's callback, and what
 * the embedder sends goes in through port_receive(), the same entry every
 * transport uses, so switching, VLANs, port security and captures apply to
 * it unchanged. Nothing here is a copy of daemon logic; what both need
 * lives in control/.
 */
#include <vmwire.h>

#include "config/netdev.h"
#include "control/cli.h"
#include "control/monitor.h"
#include "control/qmp.h"
#include "control/runtime.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/port.h"
#include "fabric/network.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VMWIRE_EXPORT __attribute__((visibility("default")))

struct vmwire_port {
	struct port port; /* first: container_of by cast */
	struct vmwire *vw;
	vmwire_rx_fn rx;
	void *opaque;
	struct vmwire_port *next;
};

struct vmwire {
	struct runtime rt;
	struct monitor *mon;
	struct qmp *qmp;
	struct vmwire_port *ports;
};

VMWIRE_EXPORT const char *vmwire_version(void)
{
	return VMWIRE_VERSION;
}

static void err_set(char *err, size_t errlen, const char *msg)
{
	if (errlen)
		snprintf(err, errlen, "%s", msg);
}

VMWIRE_EXPORT struct vmwire *vmwire_new(int argc, const char *const *argv, char *err,
					size_t errlen)
{
	static const struct cli_registry reg = { netdev_type_find, netdev_type_names, true };
	char buf[CLI_ERR_MAX];
	struct vmwire *vw;
	char **args;
	struct cli cli;
	int i;

	if (argc < 0 || (argc && !argv)) {
		err_set(err, errlen, "vmwire_new: bad argument list");
		return NULL;
	}
	/* cli_parse_registry() skips a program name in argv[0]. */
	args = calloc((size_t)argc + 2, sizeof(*args));
	vw = calloc(1, sizeof(*vw));
	if (!args || !vw) {
		free(args);
		free(vw);
		err_set(err, errlen, "vmwire_new: out of memory");
		return NULL;
	}
	args[0] = (char *)"libvmwire";
	for (i = 0; i < argc; i++)
		args[i + 1] = (char *)argv[i];
	i = cli_parse_registry(&reg, argc + 1, args, &cli, buf, sizeof(buf));
	free(args);
	if (i != CLI_OK) {
		err_set(err, errlen, i == CLI_ERROR ? buf : "vmwire_new: --help and --version "
				     "are for the program, not the library");
		free(vw);
		return NULL;
	}
	log_adjust(cli.verbosity); /* -v / -q among the options */
	if (runtime_init(&vw->rt, buf, sizeof(buf)) < 0 ||
	    runtime_build(&vw->rt, &cli, buf, sizeof(buf)) < 0)
		goto fail;
	if (*cli.monitor_path && !(vw->mon = monitor_new(&vw->rt, cli.monitor_path, -1, buf,
							  sizeof(buf))))
		goto fail;
	if (*cli.qmp_path && !(vw->qmp = qmp_new(&vw->rt, cli.qmp_path, -1, buf, sizeof(buf))))
		goto fail;
	if (runtime_start(&vw->rt, buf, sizeof(buf)) < 0)
		goto fail;
	cli_free(&cli);
	return vw;
fail:
	err_set(err, errlen, buf);
	cli_free(&cli);
	vmwire_free(vw);
	return NULL;
}

VMWIRE_EXPORT void vmwire_free(struct vmwire *vw)
{
	if (!vw)
		return;
	while (vw->ports)
		vmwire_port_del(vw->ports);
	monitor_free(vw->mon);
	qmp_free(vw->qmp);
	runtime_teardown(&vw->rt);
	free(vw);
}

static bool id_taken(const char *id, void *ctx)
{
	const struct vmwire *vw = ctx;
	const struct vmwire_port *p;
	const struct netdev *nd;

	for (nd = vw->rt.netdevs; nd; nd = nd->next)
		if (!strcmp(nd->common.id, id))
			return true;
	for (p = vw->ports; p; p = p->next)
		if (!strcmp(p->port.id, id))
			return true;
	return false;
}

VMWIRE_EXPORT int vmwire_netdev_add(struct vmwire *vw, const char *spec, char *err,
				    size_t errlen)
{
	char buf[CLI_ERR_MAX];
	struct netdev *nd;

	if (cli_parse_netdev(spec, id_taken, vw, &nd, buf, sizeof(buf)) != CLI_OK ||
	    runtime_plug_netdev(&vw->rt, nd, buf, sizeof(buf)) < 0) {
		err_set(err, errlen, buf);
		return -1;
	}
	return 0;
}

VMWIRE_EXPORT int vmwire_netdev_del(struct vmwire *vw, const char *id)
{
	struct netdev *nd = runtime_unplug_netdev(&vw->rt, id);

	if (!nd)
		return -1;
	runtime_destroy_netdev(nd);
	return 0;
}

static bool embed_transmit(struct port *port, const uint8_t *frame, size_t len)
{
	struct vmwire_port *p = (struct vmwire_port *)port;

	p->rx(p->opaque, frame, len);
	return true;
}

static void embed_describe(const struct port *port, char *buf, size_t size)
{
	snprintf(buf, size, "embedder port");
}

static void embed_destroy(struct port *port)
{
	free(port);
}

static const struct port_ops embed_ops = {
	.kind = "embedded",
	.transmit = embed_transmit,
	.describe = embed_describe,
	.destroy = embed_destroy,
};

VMWIRE_EXPORT struct vmwire_port *vmwire_port_add(struct vmwire *vw, const char *id,
						  const char *switch_id, vmwire_rx_fn rx,
						  void *opaque, char *err, size_t errlen)
{
	struct vmwire_port *p;
	struct network *net;
	char buf[256];

	if (!switch_id)
		switch_id = "default";
	if (!id || !cli_valid_id(id) || strlen(id) >= PORT_ID_MAX || !rx) {
		err_set(err, errlen, "vmwire_port_add: an id (a letter, then letters, digits, "
			"'-', '.', '_') and a callback are required");
		return NULL;
	}
	if (id_taken(id, vw)) {
		snprintf(buf, sizeof(buf), "vmwire_port_add: duplicate id '%s'", id);
		err_set(err, errlen, buf);
		return NULL;
	}
	net = runtime_find_network(&vw->rt, switch_id);
	if (!net && !strcmp(switch_id, "default") &&
	    runtime_add_network(&vw->rt, "default", NETWORK_SWITCH, NETWORK_DEFAULT_AGING_S,
				NETWORK_DEFAULT_FDB_MAX, buf, sizeof(buf)) == 0)
		net = runtime_find_network(&vw->rt, "default");
	if (!net) {
		snprintf(buf, sizeof(buf), "vmwire_port_add: no switch '%s'", switch_id);
		err_set(err, errlen, buf);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		err_set(err, errlen, "vmwire_port_add: out of memory");
		return NULL;
	}
	port_init(&p->port, &embed_ops, id);
	p->vw = vw;
	p->rx = rx;
	p->opaque = opaque;
	if (network_attach(net, &p->port) < 0) {
		free(p);
		err_set(err, errlen, "vmwire_port_add: out of memory");
		return NULL;
	}
	p->next = vw->ports;
	vw->ports = p;
	return p;
}

VMWIRE_EXPORT int vmwire_port_send(struct vmwire_port *p, const void *frame, size_t len)
{
	uint64_t before = p->port.stats.rx_drops + p->port.stats.sec_drops;

	if (len < ETH_HDR_LEN || len > FRAME_MAX) {
		p->port.stats.rx_drops++;
		return -1;
	}
	port_receive(&p->port, frame, len);
	return p->port.stats.rx_drops + p->port.stats.sec_drops == before ? 0 : -1;
}

VMWIRE_EXPORT void vmwire_port_del(struct vmwire_port *p)
{
	struct vmwire_port **pp;

	for (pp = &p->vw->ports; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	port_close(&p->port);
}

VMWIRE_EXPORT int vmwire_fd(const struct vmwire *vw)
{
	return ev_loop_fd(vw->rt.loop);
}

VMWIRE_EXPORT int vmwire_timeout(const struct vmwire *vw)
{
	return ev_loop_timeout(vw->rt.loop, -1);
}

VMWIRE_EXPORT int vmwire_dispatch(struct vmwire *vw, int timeout_ms)
{
	return ev_loop_once(vw->rt.loop, timeout_ms);
}

VMWIRE_EXPORT int vmwire_run(struct vmwire *vw)
{
	return ev_loop_run(vw->rt.loop);
}

VMWIRE_EXPORT void vmwire_stop(struct vmwire *vw)
{
	ev_loop_stop(vw->rt.loop);
}

VMWIRE_EXPORT char *vmwire_monitor(struct vmwire *vw, const char *command, int *failed)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int r;

	if (!f)
		return NULL;
	r = monitor_exec(&vw->rt, command, f, false);
	fclose(f);
	if (failed)
		*failed = r == MONITOR_FAILED;
	return text;
}
