/* SPDX-License-Identifier: MIT
 *
 * vde.c - "-netdev vde,id=ID,sock=DIR[,port=N]": vmwire as a client of an
 * existing vde_switch, with QEMU's -netdev vde keys.
 *
 * Theory of operation: what libvdeplug does, at start and in a few
 * syscalls. Connect a stream socket to DIR/ctl; bind a datagram socket at
 * DIR/.vw-PID-N (mode= and group= as for the switch side, set before the
 * name is visible); send the request (ports/vde_proto.h: version 3,
 * NEW_CONTROL with the port asked for, the socket's address, "vmwire ID"
 * as the description) and wait up to VDE_ANSWER_MS for the answer, the
 * sockaddr_un of the switch's socket for our port, checked like any
 * input; connect to it and remove our socket's name (the connection
 * holds). Then each datagram is one frame; a datagram larger than a frame
 * is dropped and counted. The switch closing the control connection ends
 * the port; the netdev then stays down and says so in info network.
 *
 * The port is an uplink (a whole VDE LAN is behind it): port security is
 * off unless port-security=on.
 */
#include "config/keyval.h"
#include "config/netdev.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/port.h"
#include "ports/vde_proto.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define VDE_READS_PER_EVENT 32
#define VDE_ANSWER_MS 5000
#define VDE_DIR_MAX 80
#define VDE_PATH_BUF 160
#define VDE_SNDBUF (1 << 20)

extern const struct netdev_type netdev_vde_type;
static const struct netdev_ops vde_netdev_ops;

enum vde_log { VDE_LOG_SEND, VDE_LOG_OVERSIZED };

struct vde_nd {
	struct netdev nd; /* first: container_of by cast */
	struct port port;
	char dir[VDE_DIR_MAX + 1];
	char switch_path[VDE_PATH_BUF]; /* the switch's socket for our port */
	unsigned portno, mode, gid;
	bool has_group, port_live, down;
	struct ev_loop *loop;
	int ctl_fd, data_fd;
	struct ev_watch cw, dw;
	uint8_t *buf;
	uint64_t oversized;
	struct log_once logged; /* enum vde_log */
};

static const char *nd_id(const struct vde_nd *v) { return v->nd.common.id; }

static bool vde_transmit(struct port *port, const uint8_t *frame, size_t len)
{
	struct vde_nd *v = (struct vde_nd *)((char *)port - offsetof(struct vde_nd, port));

	if (send(v->data_fd, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS &&
		    errno != ECONNREFUSED)
			LOG_ONCE_FOR(&v->logged, VDE_LOG_SEND, LOG_LVL_WARN, "vde %s: send: %s",
				     port->id, strerror(errno));
		return false;
	}
	return true;
}

static void vde_format(const struct vde_nd *v, char *buf, size_t size)
{
	if (v->down)
		snprintf(buf, size, "down: vde_switch %s closed the connection", v->dir);
	else if (v->port_live)
		snprintf(buf, size, "vde_switch %s, port %u (%s), oversized dropped %" PRIu64,
			 v->dir, v->portno, v->switch_path, v->oversized);
	else
		snprintf(buf, size, "vde_switch %s, not connected", v->dir);
}

static void vde_port_describe(const struct port *port, char *buf, size_t size)
{
	vde_format((const struct vde_nd *)((const char *)port - offsetof(struct vde_nd, port)),
		   buf, size);
}

static void vde_close_fds(struct vde_nd *v)
{
	if (v->ctl_fd >= 0) {
		ev_watch_del(v->loop, &v->cw);
		close(v->ctl_fd);
		v->ctl_fd = -1;
	}
	if (v->data_fd >= 0) {
		ev_watch_del(v->loop, &v->dw);
		close(v->data_fd);
		v->data_fd = -1;
	}
}

static void vde_port_destroy(struct port *port)
{
	struct vde_nd *v = (struct vde_nd *)((char *)port - offsetof(struct vde_nd, port));

	vde_close_fds(v);
	v->port_live = false;
}

static const struct port_ops vde_port_ops = {
	.kind = "vde",
	.transmit = vde_transmit,
	.describe = vde_port_describe,
	.destroy = vde_port_destroy,
};

static void vde_data_io(void *ctx, uint32_t events)
{
	struct vde_nd *v = ctx;
	int i;

	(void)events;
	for (i = 0; i < VDE_READS_PER_EVENT; i++) {
		struct iovec iov = { .iov_base = v->buf, .iov_len = FRAME_BUF_SIZE };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(v->data_fd, &mh, MSG_DONTWAIT);

		if (n < 0)
			return;
		if (mh.msg_flags & MSG_TRUNC) {
			v->oversized++;
			v->port.stats.rx_drops++;
			LOG_ONCE_FOR(&v->logged, VDE_LOG_OVERSIZED, LOG_LVL_WARN,
				     "vde %s: dropped a datagram larger than %u bytes", nd_id(v),
				     (unsigned)FRAME_MAX);
			continue;
		}
		port_receive(&v->port, v->buf, (size_t)n);
	}
}

static void vde_ctl_io(void *ctx, uint32_t events)
{
	struct vde_nd *v = ctx;
	uint8_t junk[256];
	ssize_t n = recv(v->ctl_fd, junk, sizeof(junk), MSG_DONTWAIT);

	(void)events;
	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return; /* vde_switch says nothing here; ignore it if it does */
	/* no reconnect for vde yet: say plainly that this is final */
	warn("vde %s: vde_switch %s closed the connection; the port is down and stays down "
	     "(-netdev vde does not reconnect: restart vmwire once the switch is back)",
	     nd_id(v), v->dir);
	v->down = true;
	port_close(&v->port);
}

/* Read the answer: one sockaddr_un naming an absolute path. */
static int read_answer(struct vde_nd *v, char *err, size_t errlen)
{
	struct pollfd pfd = { .fd = v->ctl_fd, .events = POLLIN };
	struct sockaddr_un sun;
	uint8_t ans[sizeof(sun) + 1];
	ssize_t n;
	size_t plen;

	if (poll(&pfd, 1, VDE_ANSWER_MS) <= 0) {
		snprintf(err, errlen, "-netdev vde,id=%s: no answer from vde_switch %s",
			 nd_id(v), v->dir);
		return -1;
	}
	n = recv(v->ctl_fd, ans, sizeof(ans), 0);
	if (n != (ssize_t)sizeof(sun)) {
		snprintf(err, errlen, "-netdev vde,id=%s: vde_switch %s refused the request%s",
			 nd_id(v), v->dir, n > 0 ? " (a malformed answer)" : "");
		return -1;
	}
	memcpy(&sun, ans, sizeof(sun));
	plen = strnlen(sun.sun_path, sizeof(sun.sun_path));
	if (sun.sun_family != AF_UNIX || plen == 0 || plen == sizeof(sun.sun_path) ||
	    sun.sun_path[0] != '/') {
		snprintf(err, errlen, "-netdev vde,id=%s: vde_switch %s answered with a bad "
			 "socket address", nd_id(v), v->dir);
		return -1;
	}
	memcpy(v->switch_path, sun.sun_path, plen + 1);
	if (connect(v->data_fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		snprintf(err, errlen, "-netdev vde,id=%s: can't connect to %s: %s", nd_id(v),
			 v->switch_path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Our datagram socket at DIR/.vw-PID-N, with its permissions set before
 * its name appears (umask) and its group given with lchown. */
static int bind_data(struct vde_nd *v, char *path, size_t size, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	unsigned i;
	mode_t old;
	int r = -1;

	for (i = 0; i < 100; i++) {
		snprintf(path, size, "%s/.vw-%ld-%u", v->dir, (long)getpid(), i);
		if (strlen(path) >= sizeof(sun.sun_path)) {
			errno = ENAMETOOLONG;
			break;
		}
		memset(sun.sun_path, 0, sizeof(sun.sun_path));
		memcpy(sun.sun_path, path, strlen(path));
		old = umask(~v->mode & 0777);
		r = bind(v->data_fd, (struct sockaddr *)&sun, sizeof(sun));
		umask(old);
		if (r == 0 || errno != EADDRINUSE)
			break;
	}
	if (r == 0 && v->has_group && lchown(path, (uid_t)-1, (gid_t)v->gid) < 0) {
		unlink(path);
		r = -1;
	}
	if (r < 0)
		snprintf(err, errlen, "-netdev vde,id=%s: can't bind a socket in %s: %s",
			 nd_id(v), v->dir, strerror(errno));
	return r;
}

static int vde_start(struct netdev *nd, struct ev_loop *loop, char *err, size_t errlen)
{
	struct vde_nd *v = (struct vde_nd *)nd;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	uint8_t req[VDE_REQ_MAX];
	char path[VDE_PATH_BUF], descr[PORT_ID_MAX + 16];
	int sndbuf = VDE_SNDBUF;
	size_t n;

	v->loop = loop;
	v->buf = malloc(FRAME_BUF_SIZE);
	if (!v->buf) {
		snprintf(err, errlen, "-netdev vde,id=%s: out of memory", nd_id(v));
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/ctl", v->dir);
	v->ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	v->data_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (v->ctl_fd < 0 || v->data_fd < 0 ||
	    connect(v->ctl_fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		snprintf(err, errlen, "-netdev vde,id=%s: can't connect to vde_switch %s: %s",
			 nd_id(v), sun.sun_path, strerror(errno));
		return -1;
	}
	if (bind_data(v, path, sizeof(path), err, errlen) < 0)
		return -1;
	snprintf(descr, sizeof(descr), "vmwire %s", nd_id(v));
	n = vde_request_build(req, sizeof(req), v->portno, path, descr);
	if (!n || send(v->ctl_fd, req, n, MSG_NOSIGNAL) != (ssize_t)n ||
	    read_answer(v, err, errlen) < 0) {
		if (n && !*err)
			snprintf(err, errlen, "-netdev vde,id=%s: can't send the request: %s",
				 nd_id(v), strerror(errno));
		unlink(path);
		return -1;
	}
	unlink(path); /* connected both ways: the name is no longer needed */
	setsockopt(v->data_fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	ev_watch_init(&v->cw, v->ctl_fd, vde_ctl_io, v);
	ev_watch_init(&v->dw, v->data_fd, vde_data_io, v);
	if (ev_watch_add(loop, &v->cw, EPOLLIN | EPOLLRDHUP) < 0 ||
	    ev_watch_add(loop, &v->dw, EPOLLIN) < 0) {
		snprintf(err, errlen, "-netdev vde,id=%s: epoll: %s", nd_id(v), strerror(errno));
		return -1;
	}
	port_init(&v->port, &vde_port_ops, nd_id(v));
	v->port_live = true;
	netdev_port_setup(nd, &v->port);
	info("vde %s: connected to vde_switch %s%s", nd_id(v), v->dir,
	     v->portno ? " (the port asked for)" : "");
	return 0;
}

static void vde_describe(const struct netdev *nd, char *buf, size_t size)
{
	vde_format((const struct vde_nd *)nd, buf, size);
}

static void vde_destroy(struct netdev *nd)
{
	struct vde_nd *v = (struct vde_nd *)nd;

	if (v->port_live)
		port_close(&v->port);
	if (v->loop)
		vde_close_fds(v);
	else {
		if (v->ctl_fd >= 0)
			close(v->ctl_fd);
		if (v->data_fd >= 0)
			close(v->data_fd);
	}
	free(v->buf);
	free(v);
}

static struct netdev *vde_parse(struct kvlist *kv, char *err, size_t errlen)
{
	const char *dir = NULL;
	uint64_t port = 0;
	unsigned mode, gid = 0;
	bool has_group;
	struct vde_nd *v;
	size_t len;

	kv_get(kv, "type");
	if (kv_get_str(kv, "sock", VDE_DIR_MAX, &dir, err, errlen) < 0)
		return NULL;
	if (!dir || !*dir) {
		kv_errorf(err, errlen, kv, "'sock' (the vde_switch directory) is required");
		return NULL;
	}
	len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (kv_get_uint(kv, "port", 0, VDE_PORT_LIMIT, &port, err, errlen) < 0)
		return NULL;
	if (vde_parse_acl(kv, 0600, &mode, &has_group, &gid, err, errlen) < 0)
		return NULL;
	v = calloc(1, sizeof(*v));
	if (!v) {
		kv_errorf(err, errlen, kv, "out of memory");
		return NULL;
	}
	v->nd.type = &netdev_vde_type;
	v->nd.ops = &vde_netdev_ops;
	memcpy(v->dir, dir, len);
	v->portno = (unsigned)port;
	v->mode = mode;
	v->has_group = has_group;
	v->gid = gid;
	v->ctl_fd = v->data_fd = -1;
	ev_watch_init(&v->cw, -1, vde_ctl_io, v);
	ev_watch_init(&v->dw, -1, vde_data_io, v);
	return &v->nd;
}

static const struct netdev_ops vde_netdev_ops = {
	.start = vde_start,
	.describe = vde_describe,
	.destroy = vde_destroy,
};

static const struct netdev_key vde_keys[] = {
	{ "sock=DIR", "the vde_switch directory (its control socket is DIR/ctl)", NULL },
	{ "port=N", "the switch port to ask for (default 0: any)", NULL },
	{ "mode=OCTAL", "permissions of our datagram socket in DIR (default 0600)", NULL },
	{ "group=NAME|GID", "group of that socket, for a switch of another user", NULL },
	{ NULL, NULL, NULL },
};

const struct netdev_type netdev_vde_type = {
	.name = "vde",
	.summary = "connect to an existing vde_switch, as QEMU -netdev vde does",
	.man = "Connect to an existing\n.BR vde_switch (1)\nwith QEMU's\n.B \"\\-netdev vde\"\n"
	       "keys; the link is an uplink (port security off unless\n.BR port-security=on ).",
	.keys = vde_keys,
	.man_notes = "The connection is made at start; when the switch closes it the port goes\n"
		     "down and stays down.",
	.parse = vde_parse,
	.sandbox = {
		.paths = "none after start (the socket names are removed once connected)",
	},
	.uplink = true,
};
