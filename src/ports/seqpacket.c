/* SPDX-License-Identifier: MIT
 *
 * seqpacket.c - "-netdev seqpacket": one Ethernet frame per record of a
 * unix SOCK_SEQPACKET connection, the transport of UML's vec driver
 * (transport=... over a seqpacket socket) and of bess' unix ports.
 *
 * Theory of operation: the key shape and the life cycle are -netdev
 * stream's: a server listens and every accepted connection is its own
 * port "ID#N"; a client connects and owns at most one port "ID", retrying
 * every reconnect interval if one is given and otherwise staying down.
 * The record boundary is the frame boundary, so there is no deframer and
 * no output ring: transmit is one non-blocking send() of the frame and a
 * full socket buffer drops the frame and counts it, as dgram does.
 *
 * Receive uses one buffer per netdev (records are handled one at a time
 * inside the callback) and recvmsg() flags: a record larger than a frame
 * comes back MSG_TRUNC and is dropped and counted as oversized; a record
 * shorter than an Ethernet header is dropped by port_receive(). A
 * zero-length record reads like EOF, so EOF is only taken when epoll also
 * reports the hang-up.
 */
#include "config/keyval.h"
#include "config/netdev.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/port.h"
#include "ports/sockaddr.h"
#include "ports/stream.h"
#include "ports/unix_file.h"

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define SEQ_READS_PER_EVENT 32
#define SEQ_ACCEPTS_PER_EVENT 16
#define SEQ_SNDBUF (1 << 20)

extern const struct netdev_type netdev_seqpacket_type;
static const struct netdev_ops seq_netdev_ops;

enum seq_log { SEQ_LOG_ACCEPT, SEQ_LOG_SEND, SEQ_LOG_OVERSIZED };

struct seq_nd;

struct seq_conn {
	struct port port; /* first: the port ops get this pointer back */
	struct seq_nd *owner;
	int fd;
	struct ev_watch w;
	uint64_t oversized;
	struct seq_conn *next;
};

struct seq_nd {
	struct netdev nd; /* first: container_of by cast */
	struct sa_spec addr;
	bool server;
	uint64_t reconnect_ms;
	struct unix_acl acl; /* server: the socket file's mode=/owner=/group= */
	struct ev_loop *loop;
	bool closing;

	struct sockaddr_storage sa;
	socklen_t salen;
	char text[SA_TEXT_MAX];
	uint8_t *buf; /* FRAME_BUF_SIZE, shared by every connection */

	int lfd;
	struct ev_watch lw;
	struct unix_file sock_file; /* server: unlinked at exit only if still ours */
	unsigned next_conn;

	struct ev_timer retry;
	bool down_logged;
	char last_error[128];

	unsigned nconns;
	struct seq_conn *conns;
	struct log_once logged; /* enum seq_log */
};

static const char *nd_id(const struct seq_nd *s) { return s->nd.common.id; }

static void client_failed(struct seq_nd *s, int error);

static bool conn_transmit(struct port *port, const uint8_t *frame, size_t len)
{
	struct seq_conn *c = (struct seq_conn *)port;

	if (send(c->fd, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS &&
		    errno != EPIPE && errno != ECONNRESET)
			LOG_ONCE_FOR(&c->owner->logged, SEQ_LOG_SEND, LOG_LVL_WARN,
				     "seqpacket %s: send: %s", port->id, strerror(errno));
		return false; /* a hang-up is seen and handled by conn_io */
	}
	return true;
}

static void conn_describe(const struct port *port, char *buf, size_t size)
{
	const struct seq_conn *c = (const struct seq_conn *)port;

	snprintf(buf, size, "fd %d, oversized records dropped %" PRIu64, c->fd, c->oversized);
}

static void conn_destroy(struct port *port)
{
	struct seq_conn *c = (struct seq_conn *)port;
	struct seq_nd *s = c->owner;
	struct seq_conn **pp;

	ev_watch_del(s->loop, &c->w);
	close(c->fd);
	for (pp = &s->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			s->nconns--;
			break;
		}
	}
	free(c);
	if (!s->server && !s->closing)
		client_failed(s, ECONNRESET); /* retry after the interval, as stream does */
}

static const struct port_ops seq_port_ops = {
	.kind = "seqpacket",
	.transmit = conn_transmit,
	.describe = conn_describe,
	.destroy = conn_destroy,
};

static void conn_io(void *ctx, uint32_t events)
{
	struct seq_conn *c = ctx;
	struct seq_nd *s = c->owner;
	int i;

	for (i = 0; i < SEQ_READS_PER_EVENT; i++) {
		struct iovec iov = { .iov_base = s->buf, .iov_len = FRAME_BUF_SIZE };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (n < 0 || (n == 0 && (events & (EPOLLHUP | EPOLLRDHUP | EPOLLERR)))) {
			info("seqpacket %s: connection closed%s%s", c->port.id, n < 0 ? ": " : "",
			     n < 0 ? strerror(errno) : "");
			port_close(&c->port);
			return;
		}
		if (mh.msg_flags & MSG_TRUNC) {
			c->oversized++;
			c->port.stats.rx_drops++;
			LOG_ONCE_FOR(&s->logged, SEQ_LOG_OVERSIZED, LOG_LVL_WARN,
				     "seqpacket %s: dropped a record larger than %u bytes",
				     c->port.id, (unsigned)FRAME_MAX);
			continue;
		}
		/* port_receive() drops and counts runts (a 0-byte record too) */
		port_receive(&c->port, s->buf, (size_t)n);
	}
}

static struct seq_conn *conn_new(struct seq_nd *s, int fd, const char *id)
{
	struct seq_conn *c = calloc(1, sizeof(*c));
	int sndbuf = SEQ_SNDBUF;

	if (!c)
		return NULL;
	/* room for a burst: frames beyond it are dropped, not queued */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	port_init(&c->port, &seq_port_ops, id);
	c->owner = s;
	c->fd = fd;
	ev_watch_init(&c->w, fd, conn_io, c);
	if (ev_watch_add(s->loop, &c->w, EPOLLIN | EPOLLRDHUP) < 0) {
		free(c);
		return NULL;
	}
	c->next = s->conns;
	s->conns = c;
	s->nconns++;
	netdev_port_setup(&s->nd, &c->port);
	return c;
}

/* --- server ------------------------------------------------------------- */

static void server_accept(void *ctx, uint32_t events)
{
	struct seq_nd *s = ctx;
	int i;

	(void)events;
	for (i = 0; i < SEQ_ACCEPTS_PER_EVENT; i++) {
		char id[PORT_ID_MAX + 16];
		int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				LOG_ONCE_FOR(&s->logged, SEQ_LOG_ACCEPT, LOG_LVL_WARN,
					     "seqpacket %s: accept: %s", nd_id(s), strerror(errno));
			return;
		}
		snprintf(id, sizeof(id), "%s#%u", nd_id(s), ++s->next_conn);
		if (!conn_new(s, fd, id)) {
			warn("seqpacket %s: out of memory for a new connection, refusing it", id);
			close(fd);
			continue;
		}
		info("seqpacket %s: connection accepted", id);
	}
}

static int server_start(struct seq_nd *s, char *err, size_t errlen)
{
	const char *path = s->addr.path;
	struct stat st;
	int fd;

	if (!s->addr.abstract && lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "-netdev seqpacket,id=%s: 'addr.path' %s exists and "
				 "is not a socket", nd_id(s), path);
			return -1;
		}
		/* a live server answers; a stale file refuses */
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&s->sa, s->salen) == 0) {
			close(fd);
			snprintf(err, errlen, "-netdev seqpacket,id=%s: 'addr.path' %s: another "
				 "process is listening there", nd_id(s), path);
			return -1;
		}
		if (fd >= 0)
			close(fd);
		unlink(path);
	}
	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 ||
	    unix_bind_acl(s->lfd, (const struct sockaddr_un *)&s->sa, s->salen, &s->acl) < 0 ||
	    listen(s->lfd, SOMAXCONN) < 0) {
		snprintf(err, errlen, "-netdev seqpacket,id=%s: 'addr.path' %s: can't listen: %s",
			 nd_id(s), s->text, strerror(errno));
		return -1;
	}
	if (!s->addr.abstract)
		unix_file_remember(&s->sock_file, path);
	ev_watch_init(&s->lw, s->lfd, server_accept, s);
	if (ev_watch_add(s->loop, &s->lw, EPOLLIN) < 0) {
		snprintf(err, errlen, "-netdev seqpacket,id=%s: epoll: %s", nd_id(s),
			 strerror(errno));
		return -1;
	}
	info("seqpacket %s: listening on %s", nd_id(s), s->text);
	return 0;
}

/* --- client ------------------------------------------------------------- */

static void client_failed(struct seq_nd *s, int error)
{
	snprintf(s->last_error, sizeof(s->last_error), "%s", strerror(error));
	if (!s->reconnect_ms) {
		warn("seqpacket %s: connect to %s failed: %s; no reconnect is set: staying down "
		     "(set reconnect=SECONDS to retry)", nd_id(s), s->text, s->last_error);
		return;
	}
	if (!s->down_logged)
		info("seqpacket %s: connect to %s failed: %s; retrying every %" PRIu64 " ms",
		     nd_id(s), s->text, s->last_error, s->reconnect_ms);
	s->down_logged = true;
	ev_timer_arm(s->loop, &s->retry, s->reconnect_ms);
}

/* Unix connect() completes at once: it succeeds or fails, no EINPROGRESS
 * (EAGAIN, a full backlog, is retried like any failure). */
static void client_connect(struct seq_nd *s)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		client_failed(s, errno);
		return;
	}
	if (connect(fd, (struct sockaddr *)&s->sa, s->salen) < 0) {
		int e = errno;

		close(fd);
		client_failed(s, e);
		return;
	}
	if (!conn_new(s, fd, nd_id(s))) {
		close(fd);
		client_failed(s, ENOMEM);
		return;
	}
	s->down_logged = false;
	s->last_error[0] = '\0';
	info("seqpacket %s: connected to %s", nd_id(s), s->text);
}

static void client_retry(void *ctx)
{
	client_connect(ctx);
}

/* --- netdev ------------------------------------------------------------- */

static int seq_start(struct netdev *nd, struct ev_loop *loop, char *err, size_t errlen)
{
	struct seq_nd *s = (struct seq_nd *)nd;
	char why[160];

	s->loop = loop;
	if (sa_resolve(&s->addr, s->server, &s->sa, &s->salen, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "-netdev seqpacket,id=%s: 'addr.path': %s", nd_id(s), why);
		return -1;
	}
	sa_spec_format(&s->addr, s->text, sizeof(s->text));
	s->buf = malloc(FRAME_BUF_SIZE);
	if (!s->buf) {
		snprintf(err, errlen, "-netdev seqpacket,id=%s: out of memory", nd_id(s));
		return -1;
	}
	if (s->server)
		return server_start(s, err, errlen);
	client_connect(s);
	return 0;
}

static void seq_describe(const struct netdev *nd, char *buf, size_t size)
{
	const struct seq_nd *s = (const struct seq_nd *)nd;

	if (s->server)
		snprintf(buf, size, "listening on %s, %u connection%s", s->text, s->nconns,
			 s->nconns == 1 ? "" : "s");
	else if (s->nconns)
		snprintf(buf, size, "connected to %s", s->text);
	else
		snprintf(buf, size, "down (%s), %s %s", s->last_error[0] ? s->last_error :
			 "disconnected", s->reconnect_ms ? "reconnecting to" : "not reconnecting to",
			 s->text);
}

static void seq_destroy(struct netdev *nd)
{
	struct seq_nd *s = (struct seq_nd *)nd;

	s->closing = true;
	while (s->conns)
		port_close(&s->conns->port);
	if (s->loop)
		ev_timer_cancel(s->loop, &s->retry);
	if (s->lfd >= 0) {
		if (s->loop)
			ev_watch_del(s->loop, &s->lw);
		close(s->lfd);
	}
	unix_file_unlink_if_ours(&s->sock_file, s->addr.path);
	free(s->buf);
	free(s);
}

static struct netdev *seq_parse(struct kvlist *kv, char *err, size_t errlen)
{
	struct seq_nd *s;
	struct sa_spec addr = { 0 };
	bool server = false;
	uint64_t reconnect_ms = 0;
	struct unix_acl acl = { 0 };
	int rc;

	kv_get(kv, "type"); /* the implied key the CLI read the type from */
	if (kv_get_bool(kv, "server", &server, err, errlen) < 0)
		return NULL;
	rc = sa_parse_kv(kv, "addr", 1u << SA_UNIX, &addr, err, errlen);
	if (rc < 0)
		return NULL;
	if (rc == 0) {
		kv_errorf(err, errlen, kv, "'addr.type=unix' and 'addr.path' are required");
		return NULL;
	}
	if (stream_parse_reconnect(kv, server, &reconnect_ms, err, errlen) < 0)
		return NULL;
	if (unix_acl_parse_if(kv, server && !addr.abstract, "for a listener's socket file "
			      "(server=on, not abstract)", &acl, err, errlen) < 0)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		kv_errorf(err, errlen, kv, "out of memory");
		return NULL;
	}
	s->nd.type = &netdev_seqpacket_type;
	s->nd.ops = &seq_netdev_ops;
	s->addr = addr;
	s->server = server;
	s->reconnect_ms = reconnect_ms;
	s->acl = acl;
	s->lfd = -1;
	ev_timer_init(&s->retry, client_retry, s);
	return &s->nd;
}

static const struct netdev_ops seq_netdev_ops = {
	.start = seq_start,
	.describe = seq_describe,
	.destroy = seq_destroy,
};

static const struct netdev_key seq_keys[] = {
	{ "server=on|off", "listen, one port per connection (on), or connect (off)", NULL },
	{ "addr.type=unix,addr.path=PATH", "the SOCK_SEQPACKET socket; a listener's file is "
	  "removed on exit", NULL },
	{ "addr.abstract=on|off, addr.tight=on|off", "the Linux abstract namespace, as for stream",
	  NULL },
	{ UNIX_ACL_HELP_MODE, "server: the socket file's permissions, set before it appears "
	  "(default 0777 & ~umask)", NULL },
	{ UNIX_ACL_HELP_OWNER, "server: the socket file's owner (needs CAP_CHOWN)", NULL },
	{ UNIX_ACL_HELP_GROUP, "server: the socket file's group", NULL },
	{ "reconnect=SECONDS, reconnect-ms=MS",
	  "client: retry this long after the connection fails or drops", NULL },
	{ NULL, NULL, NULL },
};

const struct netdev_type netdev_seqpacket_type = {
	.name = "seqpacket",
	.summary = "one frame per record of a unix SOCK_SEQPACKET socket (UML vec, bess)",
	.man = "One frame per record of a unix\n.B SOCK_SEQPACKET\nconnection, as UML's vector "
	       "driver and bess use; the keys and the\nserver and client behaviour are\n"
	       ".BR \"\\-netdev stream\" 's.",
	.keys = seq_keys,
	.man_notes = "A full socket buffer drops the frame (counted), as for dgram. A record\n"
		     "larger than a frame, or shorter than an Ethernet header, is dropped and\n"
		     "counted.",
	.parse = seq_parse,
	.sandbox = {
		.paths = "a client's socket (to reconnect) and a listener's socket file (to "
			 "remove it at exit)",
	},
};
