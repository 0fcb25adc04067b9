/* SPDX-License-Identifier: MIT
 *
 * stream.c - QEMU "-netdev stream" (and "-netdev socket,listen|connect"):
 * Ethernet frames over a byte stream, each preceded by a 4-byte big-endian
 * length (stream_framing.h), over unix or TCP sockets.
 *
 * Theory of operation: a stream netdev is either a server, which listens
 * and turns every accepted connection into its own port "ID#N", or a
 * client, which connects out and owns at most one port "ID" at a time. A
 * connection (struct stream_conn) embeds its port, its deframer and its
 * output ring; it lives from accept()/connect() to EOF, error or a bad
 * length, and is freed through port_close() from its own fd callback or a
 * 0 ms timer, never from transmit(), as HACKING.md requires.
 *
 * Receive: recv() in large chunks straight into the deframer's buffer and
 * hand every complete frame to port_receive() in place, so a burst of small
 * frames costs one syscall. A bad length closes that connection only.
 *
 * Transmit: while nothing is queued, sendmsg() the header and the frame
 * with one two-element iovec: no copy. What the socket doesn't take goes
 * into a bounded byte ring (STREAM_QUEUE_DEFAULT) drained on EPOLLOUT; a
 * frame is queued whole or not at all, so the peer never sees a torn
 * frame, and when the ring is full the frame is dropped and counted. A slow
 * reader therefore costs memory up to the ring size and never blocks the
 * loop. The ring's free bytes are the port's tx_room(), and once a drain
 * leaves it at most half full the port says so (port_writable()), so a
 * source that waits for room (the gateway's TCP engine) fills it no faster
 * than the peer reads instead of overrunning it.
 *
 * Options: stream_type.c parses the keys into a struct stream_cfg and
 * makes the netdev with stream_netdev_new() below; "-netdev socket"
 * (socket_compat.c) does the same with its own spelling.
 *
 * A client whose connect fails or whose connection ends retries every
 * reconnect interval if one was given, and otherwise stays down (the daemon
 * keeps running) after saying so once.
 */
#include "ports/stream.h"
#include "core/frame.h"
#include "core/fdres.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/port.h"
#include "ports/stream_framing.h"
#include "ports/unix_file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

/* recv() calls per readiness event, so one busy peer can't starve others. */
#define STREAM_READS_PER_EVENT 4
#define STREAM_ACCEPTS_PER_EVENT 16

struct stream_nd;

struct stream_conn {
	struct port port; /* first: the port ops get this pointer back */
	struct stream_nd *owner;
	int fd;
	struct ev_watch w;
	struct deframer rx;
	uint8_t *q; /* output ring */
	size_t qcap, qhead, qlen;
	struct ev_timer close_timer; /* deferred close after a transmit error */
	int close_errno;
	bool dead;
	char peer[SA_TEXT_MAX];
	struct stream_conn *next;
};

enum client_state { CLIENT_IDLE, CLIENT_CONNECTING, CLIENT_UP, CLIENT_WAITING, CLIENT_DOWN };

/* Reported once per netdev, not per connection: a flood of connections
 * hitting the same error must not flood the log. */
enum stream_log { STREAM_LOG_EPOLL, STREAM_LOG_ACCEPT, STREAM_LOG_EMFILE, STREAM_LOG_MAXCONN };

struct stream_nd {
	struct netdev nd; /* first: container_of by cast */
	struct stream_cfg cfg;
	struct ev_loop *loop;
	bool started, closing;

	/* the resolved address: where we listen (actual port) or connect to */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char addr_text[SA_TEXT_MAX];
	char pfx[PORT_ID_MAX + 32]; /* "-netdev stream,id=a" for errors */

	/* server */
	int lfd;
	struct ev_watch lw;
	struct unix_file sock_file; /* a listener's socket file, unlinked if still ours */
	unsigned next_conn;

	/* client */
	enum client_state cstate;
	int cfd; /* connect in progress */
	struct ev_watch cw;
	struct ev_timer retry;
	bool retry_logged;
	char last_error[128];

	unsigned nconns;
	uint64_t conns_refused; /* over max-connections */
	struct stream_conn *conns;
	size_t queue_cap;
	struct log_once logged; /* enum stream_log */
};

static const char *nd_id(const struct stream_nd *s) { return s->nd.common.id; }

static bool addr_is_inet(const struct stream_nd *s)
{
	return s->addr.ss_family == AF_INET || s->addr.ss_family == AF_INET6;
}

void qemu_print_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == ',')
			fputc(',', out);
		fputc(*s, out);
	}
}

/* --- connections -------------------------------------------------------- */

static void client_schedule_retry(struct stream_nd *s);

static bool conn_transmit(struct port *port, const uint8_t *frame, size_t len);
static void conn_describe(const struct port *port, char *buf, size_t size);
static void conn_destroy(struct port *port);
static size_t conn_tx_room(const struct port *port);
static size_t conn_tx_queued(const struct port *port);

static const struct port_ops stream_port_ops = {
	.kind = "stream",
	.transmit = conn_transmit,
	.describe = conn_describe,
	.destroy = conn_destroy,
	.tx_room = conn_tx_room,
	.tx_queued = conn_tx_queued,
};

static void conn_set_out(struct stream_conn *c, bool want)
{
	uint32_t ev = EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0);

	if (ev_watch_mod(c->owner->loop, &c->w, ev) < 0)
		LOG_ONCE_FOR(&c->owner->logged, STREAM_LOG_EPOLL, LOG_LVL_WARN,
			     "stream %s: epoll_ctl: %s", c->port.id, strerror(errno));
}

/* Append bytes to the ring; the caller checked the room. */
static void ring_put(struct stream_conn *c, const uint8_t *p, size_t n)
{
	size_t tail = (c->qhead + c->qlen) % c->qcap;
	size_t first = c->qcap - tail < n ? c->qcap - tail : n;

	memcpy(c->q + tail, p, first);
	memcpy(c->q, p + first, n - first);
	c->qlen += n;
}

/* Send what the ring holds. 0 when done or blocked, -1 on a dead socket. */
static int ring_drain(struct stream_conn *c)
{
	while (c->qlen) {
		struct iovec iov[2];
		struct msghdr mh = { .msg_iov = iov };
		size_t first = c->qcap - c->qhead < c->qlen ? c->qcap - c->qhead : c->qlen;
		ssize_t n;

		iov[0].iov_base = c->q + c->qhead;
		iov[0].iov_len = first;
		iov[1].iov_base = c->q;
		iov[1].iov_len = c->qlen - first;
		mh.msg_iovlen = iov[1].iov_len ? 2 : 1;
		n = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return 0;
			c->close_errno = errno;
			return -1;
		}
		c->qhead = (c->qhead + (size_t)n) % c->qcap;
		c->qlen -= (size_t)n;
	}
	c->qhead = 0;
	return 0;
}

static void conn_close_timer(void *ctx)
{
	struct stream_conn *c = ctx;

	info("stream %s: write to %s failed: %s, closing connection", c->port.id, c->peer,
	     strerror(c->close_errno));
	port_close(&c->port);
}

/* From transmit(): we may not free the port here, so defer. */
static void conn_fail_deferred(struct stream_conn *c, int error)
{
	if (c->dead)
		return;
	c->dead = true;
	c->close_errno = error;
	ev_watch_del(c->owner->loop, &c->w);
	ev_timer_arm(c->owner->loop, &c->close_timer, 0);
}

static bool conn_transmit(struct port *port, const uint8_t *frame, size_t len)
{
	struct stream_conn *c = (struct stream_conn *)port;
	uint8_t hdr[STREAM_HDR_LEN];
	struct iovec iov[2];
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	size_t total = STREAM_HDR_LEN + len, done;
	ssize_t n;

	if (c->dead || len > FRAME_MAX)
		return false;
	stream_hdr(hdr, len);
	if (c->qlen) {
		/* Keep order: behind what is already waiting, or not at all. */
		if (c->qcap - c->qlen < total)
			return false;
		ring_put(c, hdr, STREAM_HDR_LEN);
		ring_put(c, frame, len);
		return true;
	}
	iov[0].iov_base = hdr;
	iov[0].iov_len = STREAM_HDR_LEN;
	iov[1].iov_base = (void *)frame;
	iov[1].iov_len = len;
	n = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n == (ssize_t)total)
		return true;
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			conn_fail_deferred(c, errno);
			return false;
		}
		n = 0;
	}
	/* The ring is empty and holds more than a frame: the rest always fits,
	 * which keeps the stream well framed after a partial write. */
	done = (size_t)n;
	if (done < STREAM_HDR_LEN) {
		ring_put(c, hdr + done, STREAM_HDR_LEN - done);
		ring_put(c, frame, len);
	} else {
		ring_put(c, frame + (done - STREAM_HDR_LEN), total - done);
	}
	conn_set_out(c, true);
	return true;
}

/* Each frame costs its 4-byte header, within PORT_TX_OVERHEAD. A dead
 * connection takes nothing, but nobody should wait for it either: it is
 * about to leave its network, which resumes whoever waits. */
static size_t conn_tx_room(const struct port *port)
{
	const struct stream_conn *c = (const struct stream_conn *)port;

	return c->dead ? 0 : c->qcap - c->qlen;
}

static size_t conn_tx_queued(const struct port *port)
{
	return ((const struct stream_conn *)port)->qlen;
}

static void conn_describe(const struct port *port, char *buf, size_t size)
{
	const struct stream_conn *c = (const struct stream_conn *)port;

	snprintf(buf, size, "peer %s fd %d, queue %zu/%zu bytes%s", c->peer, c->fd, c->qlen,
		 c->qcap, c->dead ? ", closing" : "");
}

static void conn_destroy(struct port *port)
{
	struct stream_conn *c = (struct stream_conn *)port;
	struct stream_nd *s = c->owner;
	struct stream_conn **pp;

	ev_timer_cancel(s->loop, &c->close_timer);
	if (c->fd >= 0) {
		ev_watch_del(s->loop, &c->w);
		close(c->fd);
	}
	for (pp = &s->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			s->nconns--;
			break;
		}
	}
	deframer_free(&c->rx);
	free(c->q);
	free(c);
	if (!s->cfg.server && !s->closing) {
		s->cstate = CLIENT_IDLE;
		client_schedule_retry(s);
	}
}

/* Returns false when the connection was closed (c is gone). */
static bool conn_read(struct stream_conn *c)
{
	int i;

	for (i = 0; i < STREAM_READS_PER_EVENT; i++) {
		enum deframe_status st;
		const uint8_t *frame;
		size_t room, len;
		uint8_t *p = deframer_space(&c->rx, &room);
		ssize_t n = recv(c->fd, p, room, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return true;
			info("stream %s: connection from %s lost: %s", c->port.id, c->peer,
			     strerror(errno));
			port_close(&c->port);
			return false;
		}
		if (n == 0) {
			if (deframer_pending(&c->rx))
				info("stream %s: %s disconnected in the middle of a frame "
				     "(%zu bytes discarded)", c->port.id, c->peer,
				     deframer_pending(&c->rx));
			else
				info("stream %s: %s disconnected", c->port.id, c->peer);
			port_close(&c->port);
			return false;
		}
		deframer_commit(&c->rx, (size_t)n);
		while ((st = deframer_next(&c->rx, &frame, &len)) == DEFRAME_FRAME)
			port_receive(&c->port, frame, len);
		if (st == DEFRAME_ERROR) {
			char why[96];

			deframer_strerror(&c->rx, why, sizeof(why));
			c->port.stats.rx_drops++;
			warn("stream %s: %s, closing connection", c->port.id, why);
			port_close(&c->port);
			return false;
		}
		if ((size_t)n < room)
			return true; /* drained the socket */
	}
	return true;
}

static void conn_io(void *ctx, uint32_t events)
{
	struct stream_conn *c = ctx;

	if (c->dead)
		return;
	if (events & EPOLLOUT) {
		if (ring_drain(c) < 0) {
			info("stream %s: write to %s failed: %s, closing connection", c->port.id,
			     c->peer, strerror(c->close_errno));
			port_close(&c->port);
			return;
		}
		if (!c->qlen)
			conn_set_out(c, false);
		/* Half empty: worth waking a source that waits (hysteresis,
		 * so it sends in large bursts, not one frame per wakeup). */
		if (c->qlen <= c->qcap / 2)
			port_writable(&c->port);
	}
	/* On HUP/ERR, reading returns the EOF or the error and closes. */
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		conn_read(c);
}

static struct stream_conn *conn_new(struct stream_nd *s, int fd, const char *id)
{
	struct stream_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->q = malloc(s->queue_cap);
	if (!c->q || deframer_init(&c->rx) < 0) {
		free(c->q);
		free(c);
		return NULL;
	}
	port_init(&c->port, &stream_port_ops, id);
	c->owner = s;
	c->fd = fd;
	c->qcap = s->queue_cap;
	ev_timer_init(&c->close_timer, conn_close_timer, c);
	ev_watch_init(&c->w, fd, conn_io, c);
	if (ev_watch_add(s->loop, &c->w, EPOLLIN | EPOLLRDHUP) < 0) {
		deframer_free(&c->rx);
		free(c->q);
		free(c);
		return NULL;
	}
	if (addr_is_inet(s)) {
		int one = 1;

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	c->next = s->conns;
	s->conns = c;
	s->nconns++;
	netdev_port_setup(&s->nd, &c->port);
	return c;
}

static void peer_text(struct stream_nd *s, int fd, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	/* unix peers are usually unnamed: name them by our socket path */
	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0 || ss.ss_family == AF_UNIX)
		snprintf(buf, size, "%s", s->addr_text);
	else
		sa_format((struct sockaddr *)&ss, len, buf, size);
}

/* --- server ------------------------------------------------------------- */

static void server_accept(void *ctx, uint32_t events)
{
	struct stream_nd *s = ctx;
	int i;

	for (i = 0; i < STREAM_ACCEPTS_PER_EVENT; i++) {
		char id[PORT_ID_MAX + 16];
		struct stream_conn *c;
		bool shed;
		int fd = fd_accept(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC, &shed);

		if (fd < 0 && shed) {
			LOG_ONCE_FOR(&s->logged, STREAM_LOG_EMFILE, LOG_LVL_WARN,
				     "stream %s: out of file descriptors, closing new "
				     "connections at once", nd_id(s));
			continue;
		}
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				LOG_ONCE_FOR(&s->logged, STREAM_LOG_ACCEPT, LOG_LVL_WARN,
					     "stream %s: accept: %s", nd_id(s), strerror(errno));
			return;
		}
		if (s->nconns >= s->cfg.max_conns) {
			s->conns_refused++;
			LOG_ONCE_FOR(&s->logged, STREAM_LOG_MAXCONN, LOG_LVL_WARN,
				     "stream %s: max-connections=%u reached, closing new "
				     "connections at once", nd_id(s), s->cfg.max_conns);
			close(fd);
			continue;
		}
		snprintf(id, sizeof(id), "%s#%u", nd_id(s), ++s->next_conn);
		c = conn_new(s, fd, id);
		if (!c) {
			warn("stream %s: out of memory for a new connection, refusing it", id);
			close(fd);
			continue;
		}
		peer_text(s, fd, c->peer, sizeof(c->peer));
		info("stream %s: connection from %s", c->port.id, c->peer);
	}
}

/* Remove a stale socket file, refusing to touch anything else. */
static int prepare_unix_path(struct stream_nd *s, char *err, size_t errlen)
{
	const char *path = s->cfg.addr.path;
	char dir[SA_PATH_MAX];
	struct stat st;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	if (stat(dirname(dir), &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: 'addr.path' %s: directory %s does not "
			 "exist", s->pfx, path, dir);
		return -1;
	}
	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s: 'addr.path' %s exists and is not a "
			 "socket", s->pfx, path);
		return -1;
	}
	/* A live server answers; a stale file refuses. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&s->addr, s->addrlen) == 0) {
		close(fd);
		snprintf(err, errlen, "%s: 'addr.path' %s: another process is "
			 "listening there", s->pfx, path);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "%s: 'addr.path' %s: can't remove stale "
			 "socket: %s", s->pfx, path, strerror(errno));
		return -1;
	}
	return 0;
}

static int server_start(struct stream_nd *s, char *err, size_t errlen)
{
	const char *key = s->cfg.addr.kind == SA_UNIX ? "addr.path" : "addr.host";
	int one = 1, fd;

	if (s->cfg.addr.kind == SA_FD) {
		int type = 0, acc = 0;
		socklen_t l = sizeof(type);

		fd = s->cfg.addr.fd;
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) < 0 || type != SOCK_STREAM ||
		    (l = sizeof(acc), getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &l)) < 0 ||
		    !acc) {
			snprintf(err, errlen, "%s: 'addr.str' %d is not a listening "
				 "stream socket", s->pfx, fd);
			return -1;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		s->addrlen = sizeof(s->addr);
		getsockname(fd, (struct sockaddr *)&s->addr, &s->addrlen);
		goto listening;
	}
	if (s->cfg.addr.kind == SA_UNIX && !s->cfg.addr.abstract &&
	    prepare_unix_path(s, err, errlen) < 0)
		return -1;
	fd = socket(s->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "%s: socket: %s", s->pfx, strerror(errno));
		return -1;
	}
	if (addr_is_inet(s))
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s->addr.ss_family == AF_INET6 && !s->cfg.addr.ipv4)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if ((s->addr.ss_family == AF_UNIX
	     ? unix_bind_acl(fd, (const struct sockaddr_un *)&s->addr, s->addrlen, &s->cfg.acl)
	     : bind(fd, (struct sockaddr *)&s->addr, s->addrlen)) < 0 ||
	    listen(fd, SOMAXCONN) < 0) {
		int e = errno;

		sa_spec_format(&s->cfg.addr, s->addr_text, sizeof(s->addr_text)); /* unset yet */
		snprintf(err, errlen, "%s: '%s' %s: can't listen: %s%s", s->pfx, key, s->addr_text,
			 strerror(e), e == EPERM && unix_acl_any(&s->cfg.acl) ? " (owner=/group= "
			 "need CAP_CHOWN, which the sandbox drops)" : "");
		close(fd);
		return -1;
	}
	if (s->cfg.addr.kind == SA_UNIX && !s->cfg.addr.abstract)
		unix_file_remember(&s->sock_file, s->cfg.addr.path);
	/* port 0 picks a free port (a unix socket's own name may be private) */
	if (addr_is_inet(s)) {
		s->addrlen = sizeof(s->addr);
		getsockname(fd, (struct sockaddr *)&s->addr, &s->addrlen);
	}
listening:
	if (s->addr.ss_family == AF_UNIX && s->cfg.addr.kind != SA_FD)
		sa_spec_format(&s->cfg.addr, s->addr_text, sizeof(s->addr_text));
	else
		sa_format((struct sockaddr *)&s->addr, s->addrlen, s->addr_text,
			  sizeof(s->addr_text));
	s->lfd = fd;
	ev_watch_init(&s->lw, fd, server_accept, s);
	if (ev_watch_add(s->loop, &s->lw, EPOLLIN) < 0) {
		snprintf(err, errlen, "%s: epoll: %s", s->pfx, strerror(errno));
		return -1;
	}
	info("stream %s: listening on %s", nd_id(s), s->addr_text);
	return 0;
}

/* --- client ------------------------------------------------------------- */

static void client_up(struct stream_nd *s, int fd)
{
	struct stream_conn *c = conn_new(s, fd, nd_id(s));

	if (!c) {
		close(fd);
		snprintf(s->last_error, sizeof(s->last_error), "out of memory");
		s->cstate = CLIENT_IDLE;
		client_schedule_retry(s);
		return;
	}
	s->cstate = CLIENT_UP;
	s->retry_logged = false;
	snprintf(c->peer, sizeof(c->peer), "%s", s->addr_text);
	info("stream %s: connected to %s", nd_id(s), s->addr_text);
}

static void client_failed(struct stream_nd *s, int error)
{
	if (s->cfd >= 0) {
		ev_watch_del(s->loop, &s->cw);
		close(s->cfd);
		s->cfd = -1;
	}
	snprintf(s->last_error, sizeof(s->last_error), "%s", strerror(error));
	s->cstate = CLIENT_IDLE;
	if (!s->cfg.reconnect_ms || !s->retry_logged)
		warn("stream %s: connect to %s failed: %s", nd_id(s), s->addr_text, s->last_error);
	client_schedule_retry(s);
}

static void client_connect_done(void *ctx, uint32_t events)
{
	struct stream_nd *s = ctx;
	int error = 0, fd = s->cfd;
	socklen_t l = sizeof(error);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &l) < 0)
		error = errno;
	if (!error && (events & (EPOLLERR | EPOLLHUP)))
		error = ECONNREFUSED;
	if (error) {
		client_failed(s, error);
		return;
	}
	ev_watch_del(s->loop, &s->cw);
	s->cfd = -1;
	client_up(s, fd);
}

static void client_connect(struct stream_nd *s)
{
	int fd = socket(s->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		client_failed(s, errno);
		return;
	}
	if (connect(fd, (struct sockaddr *)&s->addr, s->addrlen) == 0) {
		client_up(s, fd);
		return;
	}
	if (errno != EINPROGRESS && errno != EAGAIN) {
		int e = errno;

		close(fd);
		client_failed(s, e);
		return;
	}
	s->cfd = fd;
	s->cstate = CLIENT_CONNECTING;
	ev_watch_init(&s->cw, fd, client_connect_done, s);
	if (ev_watch_add(s->loop, &s->cw, EPOLLOUT) < 0)
		client_failed(s, errno);
}

static void client_retry(void *ctx)
{
	struct stream_nd *s = ctx;

	client_connect(s);
}

static void client_schedule_retry(struct stream_nd *s)
{
	if (s->cfg.addr.kind == SA_FD || !s->cfg.reconnect_ms) {
		s->cstate = CLIENT_DOWN;
		warn("stream %s: link to %s is down and no reconnect is set: staying down "
		     "(set reconnect=SECONDS to retry)", nd_id(s), s->addr_text);
		return;
	}
	if (!s->retry_logged) {
		info("stream %s: retrying %s every %" PRIu64 " ms", nd_id(s), s->addr_text,
		     s->cfg.reconnect_ms);
		s->retry_logged = true;
	}
	s->cstate = CLIENT_WAITING;
	ev_timer_arm(s->loop, &s->retry, s->cfg.reconnect_ms);
}

static int client_start(struct stream_nd *s, char *err, size_t errlen)
{
	if (s->cfg.addr.kind == SA_FD) {
		int fd = s->cfg.addr.fd, type = 0;
		socklen_t l = sizeof(type);

		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) < 0 || type != SOCK_STREAM) {
			snprintf(err, errlen, "%s: 'addr.str' %d is not a stream "
				 "socket", s->pfx, fd);
			return -1;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		s->addrlen = sizeof(s->addr);
		if (getpeername(fd, (struct sockaddr *)&s->addr, &s->addrlen) < 0)
			s->addr.ss_family = AF_UNSPEC;
		snprintf(s->addr_text, sizeof(s->addr_text), "fd:%d", fd);
		client_up(s, fd);
		return 0;
	}
	sa_spec_format(&s->cfg.addr, s->addr_text, sizeof(s->addr_text));
	if (addr_is_inet(s))
		sa_format((struct sockaddr *)&s->addr, s->addrlen, s->addr_text,
			  sizeof(s->addr_text));
	client_connect(s);
	return 0;
}

/* --- netdev ------------------------------------------------------------- */

struct netdev *stream_netdev_new(const struct stream_cfg *cfg, const struct netdev_type *type)
{
	struct stream_nd *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->nd.type = type;
	s->nd.ops = &stream_netdev_ops;
	s->cfg = *cfg;
	if (!s->cfg.max_conns)
		s->cfg.max_conns = STREAM_MAX_CONNS_DEFAULT;
	s->lfd = s->cfd = -1;
	s->queue_cap = STREAM_QUEUE_DEFAULT;
	ev_timer_init(&s->retry, client_retry, s);
	return &s->nd;
}

const struct stream_cfg *stream_netdev_cfg(const struct netdev *nd)
{
	return &((const struct stream_nd *)nd)->cfg;
}

static int stream_start(struct netdev *nd, struct ev_loop *loop, char *err, size_t errlen)
{
	struct stream_nd *s = (struct stream_nd *)nd;
	char why[160];

	s->loop = loop;
	s->started = true;
	snprintf(s->pfx, sizeof(s->pfx), "-netdev %s,id=%s", nd->type->name, nd_id(s));
	if (s->cfg.addr.kind != SA_FD &&
	    sa_resolve(&s->cfg.addr, s->cfg.server, &s->addr, &s->addrlen, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: '%s': %s", s->pfx,
			 s->cfg.addr.kind == SA_UNIX ? "addr.path" : "addr.host", why);
		return -1;
	}
	return s->cfg.server ? server_start(s, err, errlen) : client_start(s, err, errlen);
}

static void print_addr_keys(const struct stream_nd *s, FILE *out)
{
	char host[SA_HOST_MAX];

	if (s->cfg.addr.kind == SA_UNIX) {
		fputs("addr.type=unix,addr.path=", out);
		qemu_print_escaped(out, s->cfg.addr.path);
		if (s->cfg.addr.abstract)
			fprintf(out, ",addr.abstract=on%s", s->cfg.addr.tight ? "" : ",addr.tight=off");
		return;
	}
	if (s->cfg.server)
		sa_format_host_for_client((const struct sockaddr *)&s->addr, host, sizeof(host));
	else
		snprintf(host, sizeof(host), "%s", s->cfg.addr.host);
	fprintf(out, "addr.type=inet,addr.host=%s,addr.port=%u", host,
		s->started ? sa_port((const struct sockaddr *)&s->addr) : s->cfg.addr.port);
}

static void stream_hint(const struct netdev *nd, FILE *out)
{
	const struct stream_nd *s = (const struct stream_nd *)nd;
	const char *id = nd->common.id;
	char host[SA_HOST_MAX];

	if (s->cfg.addr.kind == SA_FD)
		return;
	if (s->cfg.compat) {
		if (s->cfg.server)
			sa_format_host_for_client((const struct sockaddr *)&s->addr, host,
						  sizeof(host));
		else
			snprintf(host, sizeof(host), "%s", s->cfg.addr.host);
		fprintf(out, "-netdev socket,id=%s,%s=%s%s%s:%u\n", id,
			s->cfg.server ? "connect" : "listen", strchr(host, ':') ? "[" : "", host,
			strchr(host, ':') ? "]" : "",
			s->started ? sa_port((const struct sockaddr *)&s->addr) : s->cfg.addr.port);
	} else {
		fprintf(out, "-netdev stream,id=%s,server=%s,", id, s->cfg.server ? "off" : "on");
		print_addr_keys(s, out);
		fputc('\n', out);
	}
	fprintf(out, "-device virtio-net-pci,netdev=%s\n", id);
}

static void stream_describe(const struct netdev *nd, char *buf, size_t size)
{
	const struct stream_nd *s = (const struct stream_nd *)nd;

	if (s->cfg.server) {
		int n = snprintf(buf, size, "listening on %s, %u connection%s", s->addr_text,
				 s->nconns, s->nconns == 1 ? "" : "s");

		if (s->conns_refused && n > 0 && (size_t)n < size)
			snprintf(buf + n, size - (size_t)n, ", %" PRIu64 " refused (max-connections=%u)",
				 s->conns_refused, s->cfg.max_conns);
		return;
	}
	switch (s->cstate) {
	case CLIENT_UP:
		snprintf(buf, size, "connected to %s", s->addr_text);
		break;
	case CLIENT_CONNECTING:
		snprintf(buf, size, "connecting to %s", s->addr_text);
		break;
	case CLIENT_WAITING:
		snprintf(buf, size, "down (%s), reconnecting to %s every %" PRIu64 " ms",
			 s->last_error[0] ? s->last_error : "disconnected", s->addr_text,
			 s->cfg.reconnect_ms);
		break;
	case CLIENT_DOWN:
		snprintf(buf, size, "down (%s), not reconnecting to %s",
			 s->last_error[0] ? s->last_error : "disconnected", s->addr_text);
		break;
	default:
		snprintf(buf, size, "idle, peer %s", s->addr_text);
	}
}

static void stream_destroy(struct netdev *nd)
{
	struct stream_nd *s = (struct stream_nd *)nd;

	s->closing = true;
	while (s->conns)
		port_close(&s->conns->port);
	if (s->loop)
		ev_timer_cancel(s->loop, &s->retry);
	if (s->cfd >= 0) {
		ev_watch_del(s->loop, &s->cw);
		close(s->cfd);
	}
	if (s->lfd >= 0) {
		ev_watch_del(s->loop, &s->lw);
		close(s->lfd);
	}
	unix_file_unlink_if_ours(&s->sock_file, s->cfg.addr.path);
	free(s);
}

const struct netdev_ops stream_netdev_ops = {
	.start = stream_start,
	.hint = stream_hint,
	.describe = stream_describe,
	.destroy = stream_destroy,
};
