/* SPDX-License-Identifier: MIT
 *
 * vde_switch.c - "-netdev vde-switch": vmwire plays vde_switch, so QEMU's
 * "-netdev vde,sock=DIR", vde_plug and every other libvdeplug client
 * connect to vmwire's switch instead.
 *
 * Theory of operation: DIR holds DIR/ctl, a unix stream listener. Each
 * accepted connection is a control connection and must write one request
 * (ports/vde_proto.h) within VDE_REQ_TIMEOUT_MS; a bad one is refused by
 * closing. For a good one we make a datagram socket DIR/.vw-PORT-SERIAL,
 * connect it to the client's datagram socket and answer with its
 * sockaddr_un; the client connects to it and from then on each datagram
 * is one raw frame. A connected unix datagram socket takes datagrams only
 * from its peer, so nobody else can inject into the port. The pair is one
 * vmwire port "ID#PORT" (VM-facing: port security applies); the control
 * connection closing (EOF, error) removes it, as in vde_switch.
 *
 * The client names its own socket path and vmwire may run as root: a
 * plain connect() to that path would let a local user point us at some
 * other program's datagram socket (a logger, a root daemon) and have us
 * write frames into it. So the path is opened O_PATH|O_NOFOLLOW, must be
 * a socket owned by the uid on the other end of the control connection
 * (SO_PEERCRED; root may name any), and the connect goes through
 * /proc/self/fd/N of that very inode: no symlink, no swap between the
 * check and the use.
 *
 * Files: DIR is created if missing (or must be ours), mode= gives the
 * sockets' permissions (and DIR's, with x where r is, plus the sticky bit
 * when others may write, since clients create their sockets there);
 * group= their group (DIR is set-group-ID). DIR/ctl is bound under a
 * temporary name with the
 * final permissions already set (umask) and renamed into place, so no
 * client ever sees a half-configured socket. Limits: max-ports= live
 * ports, VDE_PENDING_MAX control connections waiting for their request.
 */
#include "config/keyval.h"
#include "config/netdev.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/port.h"
#include "ports/vde_proto.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define VDE_READS_PER_EVENT 32
#define VDE_ACCEPTS_PER_EVENT 16
#define VDE_PENDING_MAX 16
#define VDE_REQ_TIMEOUT_MS 5000
#define VDE_DEFAULT_PORTS 32
#define VDE_SNDBUF (1 << 20)
/* DIR leaves room for our socket names in a sun_path (bind checks the rest) */
#define VDE_DIR_MAX 80
#define VDE_PATH_BUF 160

extern const struct netdev_type netdev_vde_switch_type;
static const struct netdev_ops vsw_netdev_ops;

enum vsw_log { VSW_LOG_ACCEPT, VSW_LOG_FULL, VSW_LOG_REFUSED, VSW_LOG_SEND, VSW_LOG_OVERSIZED };

struct vsw;

/* One control connection: pending until its request, then a live port. */
struct vsw_conn {
	struct port port; /* first: the port ops get this pointer back */
	struct vsw *owner;
	bool live;
	int ctl_fd, data_fd;
	struct ev_watch cw, dw;
	struct ev_timer timeout; /* pending only */
	uid_t uid;
	pid_t pid;
	unsigned portno;
	char data_path[VDE_PATH_BUF];
	char descr[VDE_DESCR_MAX + 1];
	uint64_t oversized;
	struct vsw_conn *next;
};

struct vsw {
	struct netdev nd; /* first: container_of by cast */
	char dir[VDE_DIR_MAX + 1];
	char ctl_path[VDE_PATH_BUF];
	unsigned mode, gid, max_ports;
	bool has_group, made_dir, ctl_bound;
	struct ev_loop *loop;
	int lfd;
	struct ev_watch lw;
	uint8_t *buf; /* FRAME_BUF_SIZE, shared by every port */
	uint8_t used[VDE_PORT_LIMIT / 8 + 1]; /* port numbers taken */
	unsigned nlive, npending;
	uint64_t serial, refused;
	struct vsw_conn *conns;
	struct log_once logged; /* enum vsw_log */
};

static const char *nd_id(const struct vsw *s) { return s->nd.common.id; }

static bool port_taken(const struct vsw *s, unsigned n) { return s->used[n / 8] & 1u << (n % 8); }

static void port_mark(struct vsw *s, unsigned n, bool on)
{
	if (on)
		s->used[n / 8] |= (uint8_t)(1u << (n % 8));
	else
		s->used[n / 8] &= (uint8_t)~(1u << (n % 8));
}

/* A socket file with its permissions from the first instant: bound under
 * this umask, in DIR whose set-group-ID bit gives it group= (no chown, so
 * nothing to follow and no CAP_CHOWN needed once sandboxed). */
static int bind_with_acl(const struct vsw *s, int fd, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old;
	int r;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	old = umask(~s->mode & 0777);
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	return r;
}

/* --- a live port -------------------------------------------------------- */

static bool conn_transmit(struct port *port, const uint8_t *frame, size_t len)
{
	struct vsw_conn *c = (struct vsw_conn *)port;

	if (send(c->data_fd, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* ECONNREFUSED: the client has not connected back yet, or left */
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS &&
		    errno != ECONNREFUSED && errno != ENOTCONN && errno != EPIPE)
			LOG_ONCE_FOR(&c->owner->logged, VSW_LOG_SEND, LOG_LVL_WARN,
				     "vde-switch %s: send: %s", port->id, strerror(errno));
		return false;
	}
	return true;
}

static void conn_describe(const struct port *port, char *buf, size_t size)
{
	const struct vsw_conn *c = (const struct vsw_conn *)port;

	snprintf(buf, size, "vde port %u, pid %ld uid %ld, \"%s\", oversized dropped %" PRIu64,
		 c->portno, (long)c->pid, (long)c->uid, c->descr, c->oversized);
}

/* Close fds and files of a connection, pending or live, and unlink it. */
static void conn_free(struct vsw_conn *c)
{
	struct vsw *s = c->owner;
	struct vsw_conn **pp;

	ev_timer_cancel(s->loop, &c->timeout);
	ev_watch_del(s->loop, &c->cw);
	close(c->ctl_fd);
	if (c->data_fd >= 0) {
		ev_watch_del(s->loop, &c->dw);
		close(c->data_fd);
	}
	if (c->data_path[0])
		unlink(c->data_path);
	for (pp = &s->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (c->live) {
		port_mark(s, c->portno, false);
		s->nlive--;
	} else {
		s->npending--;
	}
	free(c);
}

static void conn_destroy(struct port *port)
{
	conn_free((struct vsw_conn *)port);
}

static const struct port_ops vsw_port_ops = {
	.kind = "vde",
	.transmit = conn_transmit,
	.describe = conn_describe,
	.destroy = conn_destroy,
};

static void data_io(void *ctx, uint32_t events)
{
	struct vsw_conn *c = ctx;
	struct vsw *s = c->owner;
	int i;

	(void)events;
	for (i = 0; i < VDE_READS_PER_EVENT; i++) {
		struct iovec iov = { .iov_base = s->buf, .iov_len = FRAME_BUF_SIZE };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(c->data_fd, &mh, MSG_DONTWAIT);

		if (n < 0)
			return; /* EAGAIN; a dead peer shows on the control connection */
		if (mh.msg_flags & MSG_TRUNC) {
			c->oversized++;
			c->port.stats.rx_drops++;
			LOG_ONCE_FOR(&s->logged, VSW_LOG_OVERSIZED, LOG_LVL_WARN,
				     "vde-switch %s: dropped a datagram larger than %u bytes",
				     c->port.id, (unsigned)FRAME_MAX);
			continue;
		}
		port_receive(&c->port, s->buf, (size_t)n);
	}
}

/* --- control connections ------------------------------------------------ */

static void refuse(struct vsw_conn *c, const char *why)
{
	struct vsw *s = c->owner;

	s->refused++;
	LOG_ONCE_FOR(&s->logged, VSW_LOG_REFUSED, LOG_LVL_WARN,
		     "vde-switch %s: refused a client (pid %ld uid %ld): %s (further refusals "
		     "are counted in info network)", nd_id(s), (long)c->pid, (long)c->uid, why);
	debug("vde-switch %s: refused pid %ld: %s", nd_id(s), (long)c->pid, why);
	conn_free(c);
}

/* The client's datagram socket, opened without following links and held
 * while we connect through /proc/self/fd, so what we checked is what we
 * connect to. */
static int connect_client(struct vsw_conn *c, const char *path, const char **why)
{
	char proc[64];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int pfd, r;

	pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0) {
		*why = errno == ELOOP ? "client socket path is a symlink" :
					"client socket path does not exist";
		return -1;
	}
	if (fstat(pfd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		close(pfd);
		*why = "client socket path is not a socket";
		return -1;
	}
	if (c->uid != 0 && st.st_uid != c->uid) {
		close(pfd);
		*why = "client socket is owned by another user";
		return -1;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	memcpy(sun.sun_path, proc, strlen(proc));
	r = connect(c->data_fd, (struct sockaddr *)&sun, sizeof(sun));
	close(pfd);
	if (r < 0) {
		*why = "can't connect to the client socket";
		return -1;
	}
	return 0;
}

static unsigned pick_port(const struct vsw *s, const struct vde_request *rq)
{
	unsigned n;

	if (rq->port0)
		return port_taken(s, 0) ? UINT32_MAX : 0;
	if (rq->port)
		return port_taken(s, rq->port) ? UINT32_MAX : rq->port;
	for (n = 1; n <= s->max_ports; n++)
		if (!port_taken(s, n))
			return n;
	return UINT32_MAX;
}

static void ctl_io(void *ctx, uint32_t events);

static void ctl_request(struct vsw_conn *c)
{
	struct vsw *s = c->owner;
	uint8_t req[VDE_REQ_MAX + 1];
	struct vde_request rq;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *why = NULL;
	char id[PORT_ID_MAX + 16];
	int sndbuf = VDE_SNDBUF;
	ssize_t n;

	/* One read is the request, as for vde_switch: libvdeplug writes it
	 * with one send() on a fresh stream and waits for the answer. */
	n = recv(c->ctl_fd, req, sizeof(req), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		refuse(c, "closed before its request");
		return;
	}
	if (vde_request_parse(req, (size_t)n, s->max_ports, &rq, &why) < 0) {
		refuse(c, why);
		return;
	}
	if (s->nlive >= s->max_ports) {
		refuse(c, "max-ports reached");
		return;
	}
	c->portno = pick_port(s, &rq);
	if (c->portno == UINT32_MAX) {
		refuse(c, "the port asked for is in use");
		return;
	}
	c->data_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->data_fd < 0) {
		refuse(c, "out of sockets");
		return;
	}
	if (connect_client(c, rq.path, &why) < 0) {
		refuse(c, why);
		return;
	}
	snprintf(c->data_path, sizeof(c->data_path), "%s/.vw-%03u-%" PRIu64, s->dir, c->portno,
		 ++s->serial);
	if (bind_with_acl(s, c->data_fd, c->data_path) < 0) {
		c->data_path[0] = '\0';
		refuse(c, "can't bind the port's data socket");
		return;
	}
	memcpy(sun.sun_path, c->data_path, strlen(c->data_path));
	if (send(c->ctl_fd, &sun, sizeof(sun), MSG_DONTWAIT | MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(sun)) {
		refuse(c, "can't answer");
		return;
	}
	setsockopt(c->data_fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	ev_watch_init(&c->dw, c->data_fd, data_io, c);
	if (ev_watch_add(s->loop, &c->dw, EPOLLIN) < 0) {
		close(c->data_fd);
		c->data_fd = -1;
		refuse(c, "epoll");
		return;
	}
	ev_timer_cancel(s->loop, &c->timeout);
	memcpy(c->descr, rq.descr, sizeof(c->descr));
	snprintf(id, sizeof(id), "%s#%u", nd_id(s), c->portno);
	port_init(&c->port, &vsw_port_ops, id);
	c->live = true;
	s->npending--;
	s->nlive++;
	port_mark(s, c->portno, true);
	netdev_port_setup(&s->nd, &c->port);
	info("vde-switch %s: port %u for pid %ld uid %ld (\"%s\")", nd_id(s), c->portno,
	     (long)c->pid, (long)c->uid, c->descr);
}

static void ctl_io(void *ctx, uint32_t events)
{
	struct vsw_conn *c = ctx;
	uint8_t junk[256];
	ssize_t n;

	if (!c->live) {
		ctl_request(c);
		return;
	}
	/* A live client says nothing more on the control connection: read
	 * and drop whatever comes; EOF or an error ends the port. */
	n = recv(c->ctl_fd, junk, sizeof(junk), MSG_DONTWAIT);
	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return;
	(void)events;
	info("vde-switch %s: client left", c->port.id);
	port_close(&c->port);
}

static void ctl_timeout(void *ctx)
{
	refuse(ctx, "no request in time");
}

static void vsw_accept(void *ctx, uint32_t events)
{
	struct vsw *s = ctx;
	int i;

	(void)events;
	for (i = 0; i < VDE_ACCEPTS_PER_EVENT; i++) {
		struct ucred cred = { .pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1 };
		socklen_t clen = sizeof(cred);
		struct vsw_conn *c;
		int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				LOG_ONCE_FOR(&s->logged, VSW_LOG_ACCEPT, LOG_LVL_WARN,
					     "vde-switch %s: accept: %s", nd_id(s), strerror(errno));
			return;
		}
		if (s->npending >= VDE_PENDING_MAX ||
		    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 ||
		    !(c = calloc(1, sizeof(*c)))) {
			s->refused++;
			LOG_ONCE_FOR(&s->logged, VSW_LOG_FULL, LOG_LVL_WARN,
				     "vde-switch %s: %u control connections wait for their "
				     "request: refusing more", nd_id(s), s->npending);
			close(fd);
			continue;
		}
		c->owner = s;
		c->ctl_fd = fd;
		c->data_fd = -1;
		c->uid = cred.uid;
		c->pid = cred.pid;
		ev_watch_init(&c->dw, -1, data_io, c);
		ev_watch_init(&c->cw, fd, ctl_io, c);
		ev_timer_init(&c->timeout, ctl_timeout, c);
		if (ev_watch_add(s->loop, &c->cw, EPOLLIN | EPOLLRDHUP) < 0) {
			close(fd);
			free(c);
			continue;
		}
		ev_timer_arm(s->loop, &c->timeout, VDE_REQ_TIMEOUT_MS);
		c->next = s->conns;
		s->conns = c;
		s->npending++;
	}
}

/* --- netdev ------------------------------------------------------------- */

/* DIR: created if missing; either way a directory we own (not a link),
 * given mode= (x where r, sticky if others may write) and group= (with
 * the set-group-ID bit, so the sockets made in it get that group). */
static int setup_dir(struct vsw *s, char *err, size_t errlen)
{
	mode_t dmode = s->mode | (s->mode & 0444) >> 2;
	struct stat st;
	int fd;

	if (s->mode & 022)
		dmode |= S_ISVTX;
	if (s->has_group)
		dmode |= S_ISGID;
	if (mkdir(s->dir, 0700) == 0)
		s->made_dir = true;
	else if (errno != EEXIST)
		goto fail;
	fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid()) {
		close(fd);
		snprintf(err, errlen, "-netdev vde-switch,id=%s: 'sock' %s is not a directory we "
			 "own, refusing to serve there", nd_id(s), s->dir);
		return -1;
	}
	if (fchmod(fd, dmode) < 0 ||
	    (s->has_group && fchown(fd, (uid_t)-1, (gid_t)s->gid) < 0)) {
		close(fd);
		goto fail;
	}
	close(fd);
	return 0;
fail:
	snprintf(err, errlen, "-netdev vde-switch,id=%s: 'sock' %s: %s", nd_id(s), s->dir,
		 strerror(errno));
	return -1;
}

static int vsw_start(struct netdev *nd, struct ev_loop *loop, char *err, size_t errlen)
{
	struct vsw *s = (struct vsw *)nd;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char tmp[VDE_PATH_BUF];
	struct stat st;
	int fd;

	s->loop = loop;
	s->buf = malloc(FRAME_BUF_SIZE);
	if (!s->buf) {
		snprintf(err, errlen, "-netdev vde-switch,id=%s: out of memory", nd_id(s));
		return -1;
	}
	if (setup_dir(s, err, errlen) < 0)
		return -1;
	memcpy(sun.sun_path, s->ctl_path, strlen(s->ctl_path));
	if (lstat(s->ctl_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "-netdev vde-switch,id=%s: %s exists and is not a "
				 "socket", nd_id(s), s->ctl_path);
			return -1;
		}
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(fd);
			snprintf(err, errlen, "-netdev vde-switch,id=%s: %s: another switch is "
				 "listening there", nd_id(s), s->ctl_path);
			return -1;
		}
		if (fd >= 0)
			close(fd);
	}
	snprintf(tmp, sizeof(tmp), "%s/.ctl.%ld", s->dir, (long)getpid());
	unlink(tmp); /* ours: a leftover of a crashed run with our pid */
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 || bind_with_acl(s, s->lfd, tmp) < 0) {
		snprintf(err, errlen, "-netdev vde-switch,id=%s: can't bind %s: %s", nd_id(s),
			 tmp, strerror(errno));
		return -1;
	}
	if (listen(s->lfd, SOMAXCONN) < 0 || rename(tmp, s->ctl_path) < 0) {
		snprintf(err, errlen, "-netdev vde-switch,id=%s: can't listen on %s: %s",
			 nd_id(s), s->ctl_path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	s->ctl_bound = true;
	ev_watch_init(&s->lw, s->lfd, vsw_accept, s);
	if (ev_watch_add(loop, &s->lw, EPOLLIN) < 0) {
		snprintf(err, errlen, "-netdev vde-switch,id=%s: epoll: %s", nd_id(s),
			 strerror(errno));
		return -1;
	}
	info("vde-switch %s: serving %s (mode %03o, up to %u ports)", nd_id(s), s->ctl_path,
	     s->mode, s->max_ports);
	return 0;
}

static void vsw_hint(const struct netdev *nd, FILE *out)
{
	const struct vsw *s = (const struct vsw *)nd;

	fprintf(out, "-netdev vde,id=n0,sock=%s\n-device virtio-net-pci,netdev=n0\n", s->dir);
}

static void vsw_describe(const struct netdev *nd, char *buf, size_t size)
{
	const struct vsw *s = (const struct vsw *)nd;

	snprintf(buf, size, "vde_switch on %s, %u of %u ports, %u pending, %" PRIu64
		 " clients refused", s->ctl_path, s->nlive, s->max_ports, s->npending, s->refused);
}

static void vsw_destroy(struct netdev *nd)
{
	struct vsw *s = (struct vsw *)nd;

	while (s->conns) {
		if (s->conns->live)
			port_close(&s->conns->port);
		else
			conn_free(s->conns);
	}
	if (s->lfd >= 0) {
		if (s->loop)
			ev_watch_del(s->loop, &s->lw);
		close(s->lfd);
	}
	if (s->ctl_bound)
		unlink(s->ctl_path);
	/* Not empty (a client's socket left behind): it stays. */
	if (s->made_dir && unlinkat(AT_FDCWD, s->dir, AT_REMOVEDIR) < 0)
		debug("vde-switch %s: %s not removed: %s", nd_id(s), s->dir, strerror(errno));
	free(s->buf);
	free(s);
}

static struct netdev *vsw_parse(struct kvlist *kv, char *err, size_t errlen)
{
	const char *dir = NULL;
	uint64_t max_ports = VDE_DEFAULT_PORTS;
	unsigned mode, gid = 0;
	bool has_group;
	struct vsw *s;
	size_t len;

	kv_get(kv, "type");
	if (kv_get_str(kv, "sock", sizeof(s->dir) - 1, &dir, err, errlen) < 0)
		return NULL;
	if (!dir || !*dir) {
		kv_errorf(err, errlen, kv, "'sock' (the switch directory) is required");
		return NULL;
	}
	len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (kv_get_uint(kv, "max-ports", 1, VDE_PORT_LIMIT, &max_ports, err, errlen) < 0)
		return NULL;
	if (vde_parse_acl(kv, 0600, &mode, &has_group, &gid, err, errlen) < 0)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		kv_errorf(err, errlen, kv, "out of memory");
		return NULL;
	}
	s->nd.type = &netdev_vde_switch_type;
	s->nd.ops = &vsw_netdev_ops;
	memcpy(s->dir, dir, len);
	snprintf(s->ctl_path, sizeof(s->ctl_path), "%s/ctl", s->dir);
	s->mode = mode;
	s->has_group = has_group;
	s->gid = gid;
	s->max_ports = (unsigned)max_ports;
	s->lfd = -1;
	return &s->nd;
}

static const struct netdev_ops vsw_netdev_ops = {
	.start = vsw_start,
	.hint = vsw_hint,
	.describe = vsw_describe,
	.destroy = vsw_destroy,
};

static const struct netdev_key vsw_keys[] = {
	{ "sock=DIR", "the switch directory: DIR/ctl is the control socket", NULL },
	{ "mode=OCTAL", "permissions of the sockets (default 0600; DIR gets x and sticky)",
	  NULL },
	{ "group=NAME|GID", "group of DIR (set-group-ID) and so of its sockets", NULL },
	{ "max-ports=N", "most clients at once (default 32, up to 4096)", NULL },
	{ NULL, NULL, NULL },
};

const struct netdev_type netdev_vde_switch_type = {
	.name = "vde-switch",
	.summary = "serve vde_switch's protocol: QEMU -netdev vde and vde_plug connect here",
	.man = "Serve the control protocol of\n.BR vde_switch (1)\non a directory, so QEMU's\n"
	       ".B \"\\-netdev vde,sock=DIR\"\nand\n.B \"vde_plug DIR\"\nconnect to vmwire. Each "
	       "client is its own port\n.IR ID # N\n(N its VDE port number), with port security "
	       "as for any VM.",
	.keys = vsw_keys,
	.man_notes = "A request is checked field by field (magic, version 3, type, port, an "
		     "absolute socket\npath, a description of at most 128 bytes) and refused by "
		     "closing otherwise.\nThe client's datagram socket must be a socket owned by "
		     "the client's uid\n(root may name any); it is opened without following "
		     "links. The control\nconnection closing removes the port.",
	.parse = vsw_parse,
	.sandbox = {
		.paths = "DIR (a datagram socket per client is bound there and removed), the "
			 "clients' sockets, /proc/self/fd",
	},
};
