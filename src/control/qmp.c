/* SPDX-License-Identifier: MIT
 *
 * qmp.c - the QMP server: sessions, framing and dispatch; see qmp.h.
 *
 * A session is the protocol alone (bytes in, messages out), so the fuzz
 * target drives exactly what a socket client drives. A socket client adds
 * the fd, a bounded output queue and the throttle. Netdevs that
 * netdev_del took off the runtime are destroyed by a 0 ms timer, after the
 * loop has dispatched this wakeup's events (some may be theirs); the
 * session that asked runs nothing more until then, so "netdev_del x" and
 * "netdev_add x" sent back to back see the first one finished.
 */
#include "control/qmp.h"
#include "control/listener.h"
#include "control/runtime.h"
#include "config/netdev.h"
#include "core/fdres.h"
#include "core/log.h"
#include "core/loop.h"
#include "fabric/network.h"

#include <json-c/json.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define QMP_OUT_HIGH (64 * 1024) /* run no request while this much is unsent */
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

struct qmp_session {
	struct qmp *qmp;
	const struct qmp_session_io *io;
	void *ctx;
	struct json_tokener *tok;
	char in[QMP_IN_MAX];
	size_t inlen;
	size_t request_bytes; /* fed to the request being parsed */
	bool negotiated, paused, dead;
	struct qmp_session *next; /* qmp->sessions */
};

struct qmp_client {
	struct qmp *qmp;
	int fd;
	struct ev_watch watch;
	struct qmp_session *s;
	char *out; /* queued output, out[outoff..outlen) unsent */
	size_t outlen, outoff;
	uint64_t events_dropped;
	bool eof, closing, draining;
	size_t drained;
	struct qmp_client *next;
};

enum qmp_log { QMP_LOG_ACCEPT, QMP_LOG_EVENTS_DROPPED };

struct qmp {
	struct runtime *rt;
	struct control_listener lsn;
	struct ev_watch watch;
	struct qmp_client *clients;
	unsigned nclients;
	struct qmp_session *sessions;
	struct netdev *doomed; /* unplugged, destroyed by reap */
	struct ev_timer reap;
	struct log_once logged; /* enum qmp_log */
};

/* ---- helpers for the commands ------------------------------------------- */

int qmp_error(struct qmp_call *call, const char *cls, const char *fmt, ...)
{
	va_list ap;

	call->err_class = cls;
	va_start(ap, fmt);
	vsnprintf(call->desc, sizeof(call->desc), fmt, ap);
	va_end(ap);
	return -1;
}

static bool in_list(const char *name, const char *const *list)
{
	for (; list && *list; list++)
		if (!strcmp(name, *list))
			return true;
	return false;
}

int qmp_check_args(struct qmp_call *call, const char *const *allowed,
		   const char *const *required)
{
	json_object_object_foreach(call->args, k, v) {
		(void)v;
		if (!in_list(k, allowed))
			return qmp_error(call, "GenericError", "Parameter '%s' is unexpected", k);
	}
	for (; required && *required; required++)
		if (!json_object_object_get_ex(call->args, *required, NULL))
			return qmp_error(call, "GenericError", "Parameter '%s' is missing",
					 *required);
	return 0;
}

int qmp_arg_str(struct qmp_call *call, const char *name, const char **out)
{
	struct json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(call->args, name, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string) ||
	    strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
		return qmp_error(call, "GenericError",
				 "Invalid parameter type for '%s', expected: string", name);
	*out = json_object_get_string(v);
	return 0;
}

/* ---- a session: the protocol -------------------------------------------- */

static bool send_json(struct qmp_session *s, struct json_object *msg, bool event)
{
	size_t len;
	const char *text = json_object_to_json_string_length(msg, JSON_FLAGS, &len);
	char *buf;
	bool ok;

	if (!text)
		return false;
	buf = malloc(len + 2);
	if (!buf)
		return false;
	memcpy(buf, text, len);
	memcpy(buf + len, "\r\n", 2);
	ok = s->io->out(s->ctx, buf, len + 2, event);
	free(buf);
	return ok;
}

static void send_error(struct qmp_session *s, struct json_object *id, const char *cls,
		       const char *desc)
{
	struct json_object *msg = json_object_new_object(), *e = json_object_new_object();

	json_object_object_add(e, "class", json_object_new_string(cls));
	json_object_object_add(e, "desc", json_object_new_string(desc));
	json_object_object_add(msg, "error", e);
	if (id)
		json_object_object_add(msg, "id", json_object_get(id));
	if (!send_json(s, msg, false))
		s->dead = true;
	json_object_put(msg);
}

static void send_return(struct qmp_session *s, struct json_object *id, struct json_object *ret)
{
	struct json_object *msg = json_object_new_object();

	json_object_object_add(msg, "return", ret ? ret : json_object_new_object());
	if (id)
		json_object_object_add(msg, "id", json_object_get(id));
	if (!send_json(s, msg, false))
		send_error(s, id, "GenericError", "reply too large for the QMP output queue");
	json_object_put(msg);
}

static const struct qmp_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < qmp_ncommands; i++)
		if (!strcmp(qmp_commands[i].name, name))
			return &qmp_commands[i];
	return NULL;
}

/* One parsed request, checked the way QEMU's qmp_dispatch checks it. */
static void handle_request(struct qmp_session *s, struct json_object *req)
{
	struct json_object *id = NULL, *exec = NULL, *args = NULL, *empty = NULL;
	const struct qmp_command *cmd;
	struct qmp_call call;
	char desc[QMP_DESC_MAX];

	if (!json_object_is_type(req, json_type_object)) {
		send_error(s, NULL, "GenericError", "QMP input must be a JSON object");
		return;
	}
	json_object_object_get_ex(req, "id", &id);
	json_object_object_foreach(req, k, v) {
		if (!strcmp(k, "execute")) {
			if (!json_object_is_type(v, json_type_string)) {
				send_error(s, id, "GenericError",
					   "QMP input member 'execute' must be a string");
				return;
			}
			exec = v;
		} else if (!strcmp(k, "arguments")) {
			if (!json_object_is_type(v, json_type_object)) {
				send_error(s, id, "GenericError",
					   "QMP input member 'arguments' must be an object");
				return;
			}
			args = v;
		} else if (!strcmp(k, "exec-oob")) {
			send_error(s, id, "GenericError",
				   "QMP input member 'exec-oob' is not supported: this server "
				   "offers no out-of-band capability");
			return;
		} else if (strcmp(k, "id")) {
			snprintf(desc, sizeof(desc), "QMP input member '%.64s' is unexpected", k);
			send_error(s, id, "GenericError", desc);
			return;
		}
	}
	if (!exec) {
		send_error(s, id, "GenericError", "QMP input lacks member 'execute'");
		return;
	}
	cmd = find_command(json_object_get_string(exec));
	if (!s->negotiated && (!cmd || strcmp(cmd->name, "qmp_capabilities"))) {
		send_error(s, id, "CommandNotFound",
			   "Expecting capabilities negotiation with 'qmp_capabilities'");
		return;
	}
	if (!cmd) {
		snprintf(desc, sizeof(desc), "The command %.64s has not been found",
			 json_object_get_string(exec));
		send_error(s, id, "CommandNotFound", desc);
		return;
	}
	if (s->negotiated && !strcmp(cmd->name, "qmp_capabilities")) {
		send_error(s, id, "CommandNotFound",
			   "Capabilities negotiation is already complete, command ignored");
		return;
	}
	if (!args)
		args = empty = json_object_new_object();
	memset(&call, 0, sizeof(call));
	call.qmp = s->qmp;
	call.rt = s->qmp->rt;
	call.args = args;
	if (cmd->fn(&call) < 0) {
		json_object_put(call.ret);
		send_error(s, id, call.err_class ? call.err_class : "GenericError", call.desc);
	} else {
		if (!strcmp(cmd->name, "qmp_capabilities"))
			s->negotiated = true;
		send_return(s, id, call.ret);
	}
	if (call.pause)
		s->paused = true;
	json_object_put(empty);
}

static void consume(struct qmp_session *s, size_t n)
{
	memmove(s->in, s->in + n, s->inlen - n);
	s->inlen -= n;
}

/* Parse and run buffered requests while allowed. */
static bool session_run(struct qmp_session *s)
{
	while (s->inlen && !s->paused && !s->dead &&
	       (!s->io->can_run || s->io->can_run(s->ctx))) {
		struct json_object *req = json_tokener_parse_ex(s->tok, s->in, (int)s->inlen);
		enum json_tokener_error e = json_tokener_get_error(s->tok);
		size_t used = json_tokener_get_parse_end(s->tok);
		char desc[QMP_DESC_MAX];

		if (used > s->inlen)
			used = s->inlen;
		s->request_bytes += used;
		consume(s, used);
		if (req) {
			s->request_bytes = 0;
			handle_request(s, req);
			json_object_put(req);
			continue;
		}
		if (e == json_tokener_continue) {
			if (s->request_bytes > QMP_REQUEST_MAX) {
				snprintf(desc, sizeof(desc), "request longer than %d bytes, closing",
					 QMP_REQUEST_MAX);
				send_error(s, NULL, "GenericError", desc);
				s->dead = true;
			}
			break;
		}
		/* A syntax error: one error, and what else was buffered goes
		 * with it, so a stream of garbage costs one reply per read. */
		snprintf(desc, sizeof(desc), "JSON parse error, %s", json_tokener_error_desc(e));
		send_error(s, NULL, "GenericError", desc);
		json_tokener_reset(s->tok);
		s->request_bytes = 0;
		s->inlen = 0;
	}
	return !s->dead;
}

struct qmp_session *qmp_session_new(struct qmp *q, const struct qmp_session_io *io, void *ctx)
{
	struct qmp_session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->tok = json_tokener_new_ex(QMP_DEPTH_MAX);
	if (!s->tok) {
		free(s);
		return NULL;
	}
	s->qmp = q;
	s->io = io;
	s->ctx = ctx;
	s->next = q->sessions;
	q->sessions = s;
	return s;
}

void qmp_session_free(struct qmp_session *s)
{
	struct qmp_session **pp;

	if (!s)
		return;
	for (pp = &s->qmp->sessions; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	json_tokener_free(s->tok);
	free(s);
}

size_t qmp_session_room(const struct qmp_session *s)
{
	return sizeof(s->in) - s->inlen;
}

bool qmp_session_input(struct qmp_session *s, const char *data, size_t len)
{
	size_t room = qmp_session_room(s);

	if (len > room)
		len = room;
	memcpy(s->in + s->inlen, data, len);
	s->inlen += len;
	return session_run(s);
}

bool qmp_session_pending(const struct qmp_session *s)
{
	return s->inlen && !s->paused && !s->dead;
}

bool qmp_session_resume(struct qmp_session *s)
{
	return session_run(s);
}

void qmp_session_greet(struct qmp_session *s)
{
	struct json_object *msg = json_object_new_object(), *qmp = json_object_new_object(),
			   *ver = json_object_new_object(), *qemu = json_object_new_object();
	unsigned major = 0, minor = 0, micro = 0;

	sscanf(VMWIRE_VERSION, "%u.%u.%u", &major, &minor, &micro);
	json_object_object_add(qemu, "micro", json_object_new_int((int)micro));
	json_object_object_add(qemu, "minor", json_object_new_int((int)minor));
	json_object_object_add(qemu, "major", json_object_new_int((int)major));
	json_object_object_add(ver, "qemu", qemu);
	json_object_object_add(ver, "package", json_object_new_string("vmwire " VMWIRE_VERSION));
	json_object_object_add(qmp, "version", ver);
	json_object_object_add(qmp, "capabilities", json_object_new_array());
	json_object_object_add(msg, "QMP", qmp);
	if (!send_json(s, msg, false))
		s->dead = true;
	json_object_put(msg);
}

/* ---- events -------------------------------------------------------------- */

void qmp_emit(struct qmp *q, const char *name, struct json_object *data)
{
	struct json_object *msg = json_object_new_object(), *ts = json_object_new_object();
	struct qmp_session *s;
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	json_object_object_add(msg, "event", json_object_new_string(name));
	if (data)
		json_object_object_add(msg, "data", data);
	json_object_object_add(ts, "seconds", json_object_new_int64(now.tv_sec));
	json_object_object_add(ts, "microseconds", json_object_new_int64(now.tv_nsec / 1000));
	json_object_object_add(msg, "timestamp", ts);
	for (s = q->sessions; s; s = s->next)
		if (s->negotiated && !s->dead)
			send_json(s, msg, true);
	json_object_put(msg);
}

static void add_port(struct json_object *o, const char *key, const struct port *p)
{
	if (p)
		json_object_object_add(o, key, json_object_new_string(p->id));
}

/* The fabric's events (network.h) as QMP events. */
static void on_network_event(void *ctx, const struct network *net,
			     const struct network_event_info *ev)
{
	static const char *const names[] = {
		[NETWORK_EVENT_PORT_UP] = "VMWIRE_PORT_UP",
		[NETWORK_EVENT_PORT_DOWN] = "VMWIRE_PORT_DOWN",
		[NETWORK_EVENT_DUPLICATE_MAC] = "VMWIRE_DUPLICATE_MAC",
		[NETWORK_EVENT_SECURITY_DROP] = "VMWIRE_PORT_SECURITY",
		[NETWORK_EVENT_TABLE_FULL] = "VMWIRE_TABLE_FULL",
	};
	struct json_object *data = json_object_new_object();
	struct qmp *q = ctx;
	char mac[18];

	json_object_object_add(data, "switch", json_object_new_string(net->id));
	add_port(data, "port", ev->port);
	add_port(data, "other-port", ev->other);
	if (ev->mac) {
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", ev->mac[0],
			 ev->mac[1], ev->mac[2], ev->mac[3], ev->mac[4], ev->mac[5]);
		json_object_object_add(data, "mac", json_object_new_string(mac));
	}
	if (ev->vid)
		json_object_object_add(data, "vlan", json_object_new_int(ev->vid));
	if (ev->why)
		json_object_object_add(data, ev->event == NETWORK_EVENT_TABLE_FULL ? "table"
										 : "reason",
				       json_object_new_string(ev->why));
	qmp_emit(q, names[ev->event], data);
}

/* ---- deferred destruction ------------------------------------------------ */

static void client_kick(struct qmp_client *c);

static void reap(void *ctx)
{
	struct qmp *q = ctx;
	struct qmp_session *s;
	struct qmp_client *c;
	struct netdev *nd;

	while ((nd = q->doomed)) {
		q->doomed = nd->next;
		runtime_destroy_netdev(nd);
	}
	for (s = q->sessions; s; s = s->next)
		s->paused = false;
	/* Socket clients run their held requests from their own callback. */
	for (c = q->clients; c; c = c->next)
		client_kick(c);
}

void qmp_defer_destroy(struct qmp *q, struct netdev *nd)
{
	nd->next = q->doomed;
	q->doomed = nd;
	if (q->rt->loop)
		ev_timer_arm(q->rt->loop, &q->reap, 0);
	else
		reap(q); /* detached (fuzzing): no loop, no events pending */
}

/* ---- socket clients ------------------------------------------------------ */

static void client_free(struct qmp_client *c)
{
	struct qmp *q = c->qmp;
	struct qmp_client **pp;

	for (pp = &q->clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	q->nclients--;
	qmp_session_free(c->s);
	ev_watch_del(q->rt->loop, &c->watch);
	close(c->fd);
	fd_reserve_refill();
	free(c->out);
	free(c);
}

static bool client_out(void *ctx, const char *msg, size_t len, bool event)
{
	struct qmp_client *c = ctx;
	char *buf;

	if (c->closing)
		return true;
	if (c->outlen - c->outoff + len > QMP_OUT_MAX) {
		if (!event)
			return false;
		if (!c->events_dropped++)
			LOG_ONCE_FOR(&c->qmp->logged, QMP_LOG_EVENTS_DROPPED, LOG_LVL_WARN,
				     "qmp: a client does not read its events: dropping them");
		return true;
	}
	if (c->outoff) { /* compact before growing */
		memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
		c->outlen -= c->outoff;
		c->outoff = 0;
	}
	buf = realloc(c->out, c->outlen + len);
	if (!buf) {
		c->closing = true;
		return true;
	}
	c->out = buf;
	memcpy(c->out + c->outlen, msg, len);
	c->outlen += len;
	if (event) /* outside this client's callback: let it flush */
		ev_watch_mod(c->qmp->rt->loop, &c->watch, EPOLLIN | EPOLLOUT);
	return true;
}

static bool client_can_run(void *ctx)
{
	const struct qmp_client *c = ctx;

	return !c->closing && c->outlen - c->outoff < QMP_OUT_HIGH;
}

static const struct qmp_session_io client_io = { client_out, client_can_run };

static int client_flush(struct qmp_client *c)
{
	return control_send_queued(c->fd, c->out, c->outlen, &c->outoff);
}

/* Make the client's callback run soon (held requests, queued output). */
static void client_kick(struct qmp_client *c)
{
	ev_watch_mod(c->qmp->rt->loop, &c->watch, EPOLLIN | EPOLLOUT);
}

static void client_cb(void *ctx, uint32_t events)
{
	struct qmp_client *c = ctx;
	uint32_t want = 0;

	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
		client_free(c);
		return;
	}
	if (c->draining) {
		char sink[4096];
		ssize_t n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);

		if (n > 0)
			c->drained += (size_t)n;
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) ||
		    c->drained > QMP_OUT_MAX)
			client_free(c);
		return;
	}
	if (events & EPOLLIN && !c->eof && !c->closing && qmp_session_room(c->s)) {
		char buf[QMP_IN_MAX];
		ssize_t n = recv(c->fd, buf, qmp_session_room(c->s), MSG_DONTWAIT);

		if (n == 0) {
			c->eof = true;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			client_free(c);
			return;
		} else if (n > 0 && !qmp_session_input(c->s, buf, (size_t)n)) {
			c->closing = true;
		}
	}
	for (;;) {
		if (!c->closing && !qmp_session_resume(c->s))
			c->closing = true;
		if (client_flush(c) < 0) {
			client_free(c);
			return;
		}
		/* Requests held back by the high-water mark can run now. */
		if (c->closing || c->outoff < c->outlen || !qmp_session_pending(c->s))
			break;
	}
	if (c->eof && c->outoff == c->outlen) {
		client_free(c);
		return;
	}
	if (c->closing && c->outoff == c->outlen) {
		/* FIN first, then discard until the peer closes: closing with
		 * unread input would send a RST that can destroy the reply. */
		shutdown(c->fd, SHUT_WR);
		c->draining = true;
		ev_watch_mod(c->qmp->rt->loop, &c->watch, EPOLLIN);
		return;
	}
	if (c->outoff < c->outlen)
		want |= EPOLLOUT;
	if (!c->eof && !c->closing && qmp_session_room(c->s) && client_can_run(c))
		want |= EPOLLIN;
	if (!want)
		want = EPOLLOUT; /* an error or a hangup still wakes us */
	ev_watch_mod(c->qmp->rt->loop, &c->watch, want);
}

static void qmp_accept(void *ctx, uint32_t events)
{
	struct qmp *q = ctx;
	struct qmp_client *c;
	int fd;

	fd = fd_accept_keep(q->lsn.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC, NULL);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			LOG_ONCE_FOR(&q->logged, QMP_LOG_ACCEPT, LOG_LVL_WARN, "qmp: accept: %s",
				     strerror(errno));
		return;
	}
	c = q->nclients < QMP_CLIENTS_MAX ? calloc(1, sizeof(*c)) : NULL;
	if (!c) {
		static const char busy[] = "{\"error\":{\"class\":\"GenericError\","
					   "\"desc\":\"too many QMP sessions\"}}\r\n";

		(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	c->qmp = q;
	c->fd = fd;
	c->s = qmp_session_new(q, &client_io, c);
	ev_watch_init(&c->watch, fd, client_cb, c);
	if (!c->s || ev_watch_add(q->rt->loop, &c->watch, EPOLLIN) < 0) {
		qmp_session_free(c->s);
		close(fd);
		free(c);
		return;
	}
	c->next = q->clients;
	q->clients = c;
	q->nclients++;
	qmp_session_greet(c->s);
	if (client_flush(c) < 0) {
		client_free(c);
		return;
	}
	if (c->outoff < c->outlen)
		ev_watch_mod(q->rt->loop, &c->watch, EPOLLOUT);
}

/* ---- the server ---------------------------------------------------------- */

struct qmp *qmp_new_detached(struct runtime *rt)
{
	struct qmp *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->rt = rt;
	q->lsn.fd = -1;
	ev_timer_init(&q->reap, reap, q);
	return q;
}

struct qmp *qmp_new(struct runtime *rt, const char *path, int fd, char *err, size_t errlen)
{
	struct network_observer obs;
	struct qmp *q = qmp_new_detached(rt);

	if (!q) {
		snprintf(err, errlen, "-qmp: out of memory");
		return NULL;
	}
	if ((fd >= 0 ? control_listen_fd(&q->lsn, "qmp", fd, err, errlen)
		     : control_listen(&q->lsn, "-qmp", path, err, errlen)) < 0) {
		free(q);
		return NULL;
	}
	ev_watch_init(&q->watch, q->lsn.fd, qmp_accept, q);
	if (ev_watch_add(rt->loop, &q->watch, EPOLLIN) < 0) {
		snprintf(err, errlen, "-qmp %s: epoll: %s", q->lsn.path, strerror(errno));
		control_listener_close(&q->lsn);
		free(q);
		return NULL;
	}
	obs.fn = on_network_event;
	obs.ctx = q;
	runtime_set_observer(rt, &obs);
	return q;
}

void qmp_free(struct qmp *q)
{
	struct network_observer none = { NULL, NULL };
	struct netdev *nd;

	if (!q)
		return;
	if (q->lsn.fd >= 0) {
		runtime_set_observer(q->rt, &none);
		ev_watch_del(q->rt->loop, &q->watch);
		control_listener_close(&q->lsn);
	}
	while (q->clients)
		client_free(q->clients);
	while (q->sessions) /* detached sessions the caller forgot */
		qmp_session_free(q->sessions);
	if (q->rt->loop)
		ev_timer_cancel(q->rt->loop, &q->reap);
	while ((nd = q->doomed)) {
		q->doomed = nd->next;
		runtime_destroy_netdev(nd);
	}
	free(q);
}
