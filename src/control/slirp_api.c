/* SPDX-License-Identifier: MIT
 *
 * slirp_api.c - slirp4netns 1.2's JSON API, see slirp_api.h.
 *
 * Replies are the exact bytes slirp4netns writes, with no newline: the
 * fixed strings of its api.c, and list_hostfwd built by json-c in its
 * plain form, whose key order is the order we add them. Requests are
 * parsed by json-c; what is looked at, and how a missing or mistyped
 * member is answered, follows slirp4netns, except that a port must be an
 * integer from 1 to 65535 (slirp4netns truncates whatever number it got)
 * and a request without "arguments" is answered instead of crashing.
 */
#include "control/slirp_api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define BAD(what) "{\"error\":{\"desc\":\"bad request: " what "\"}}"

void slirp_api_init(struct slirp_api *api, const struct slirp_api_ops *ops, void *ctx,
		    uint32_t default_guest)
{
	memset(api, 0, sizeof(*api));
	api->ops = ops;
	api->ctx = ctx;
	api->default_guest = default_guest;
	api->next_id = 1;
	api->listen_fd = -1;
	for (unsigned i = 0; i < SLIRP_API_CONN_MAX; i++)
		api->conn[i].fd = -1;
}

static size_t reply(char *out, size_t outsize, const char *s)
{
	int n = snprintf(out, outsize, "%s", s);

	return n < 0 ? 0 : (size_t)n < outsize ? (size_t)n : outsize - 1;
}

static struct json_object *argument(struct json_object *req, const char *name)
{
	struct json_object *args, *v;

	if (!json_object_object_get_ex(req, "arguments", &args) ||
	    !json_object_is_type(args, json_type_object) ||
	    !json_object_object_get_ex(args, name, &v))
		return NULL;
	return v;
}

/* A string member, NULL when absent or not a string (as parson's). */
static const char *arg_string(struct json_object *req, const char *name)
{
	struct json_object *v = argument(req, name);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* An integral number in [min, max]; false otherwise. */
static bool arg_int(struct json_object *req, const char *name, long min, long max, long *out)
{
	struct json_object *v = argument(req, name);
	double d;

	if (!v)
		return false;
	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);

		if (i < min || i > max)
			return false;
		*out = (long)i;
		return true;
	}
	if (!json_object_is_type(v, json_type_double))
		return false;
	d = json_object_get_double(v);
	/* In range first, so the cast is defined; a fraction does not survive it. */
	if (!isfinite(d) || d < (double)min || d > (double)max || d != (double)(long)d)
		return false;
	*out = (long)d;
	return true;
}

/* An IPv4 address member: absent, not a string or "" give dflt. */
static bool arg_addr(struct json_object *req, const char *name, uint32_t dflt, uint32_t *out)
{
	const char *s = arg_string(req, name);
	struct in_addr a;

	if (!s || !*s) {
		*out = dflt;
		return true;
	}
	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

static void addr_str(uint32_t a, char *buf, size_t size)
{
	struct in_addr in = { .s_addr = htonl(a) };

	inet_ntop(AF_INET, &in, buf, (socklen_t)size);
}

static size_t add_hostfwd(struct slirp_api *api, struct json_object *req, char *out,
			  size_t outsize)
{
	const char *proto = arg_string(req, "proto");
	struct slirp_api_fwd f = { 0 };
	char spec[128], h[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN], why[256] = "";
	long port;

	if (!proto || (strcmp(proto, "tcp") && strcmp(proto, "udp")))
		return reply(out, outsize, BAD("add_hostfwd: bad arguments.proto"));
	f.udp = !strcmp(proto, "udp");
	if (!arg_addr(req, "host_addr", 0, &f.host_addr))
		return reply(out, outsize, BAD("add_hostfwd: bad arguments.host_addr"));
	if (!arg_int(req, "host_port", 1, 65535, &port))
		return reply(out, outsize, BAD("add_hostfwd: bad arguments.host_port"));
	f.host_port = (uint16_t)port;
	if (!arg_addr(req, "guest_addr", api->default_guest, &f.guest_addr))
		return reply(out, outsize, BAD("add_hostfwd: bad arguments.guest_addr"));
	if (!arg_int(req, "guest_port", 1, 65535, &port))
		return reply(out, outsize, BAD("add_hostfwd: bad arguments.guest_port"));
	f.guest_port = (uint16_t)port;

	addr_str(f.host_addr, h, sizeof(h));
	addr_str(f.guest_addr, g, sizeof(g));
	snprintf(spec, sizeof(spec), "%s:%s:%u-%s:%u", proto, h, f.host_port, g, f.guest_port);
	if (api->n_fwd >= SLIRP_API_FWD_MAX || api->next_id == INT_MAX) {
		snprintf(why, sizeof(why), "at most %d rules", SLIRP_API_FWD_MAX);
	} else if (api->ops->add(api->ctx, spec, why, sizeof(why)) == 0) {
		f.id = api->next_id++;
		api->fwd[api->n_fwd++] = f;
		info("slirp4netns api: add_hostfwd %s: id %d", spec, f.id);
		snprintf(spec, sizeof(spec), "{\"return\":{\"id\":%d}}", f.id);
		return reply(out, outsize, spec);
	}
	/* The caller sees slirp4netns's words; the log has ours. */
	warn("slirp4netns api: add_hostfwd %s: %s", spec, why);
	return reply(out, outsize, BAD("add_hostfwd: slirp_add_hostfwd failed"));
}

static size_t list_hostfwd(struct slirp_api *api, char *out, size_t outsize)
{
	struct json_object *root = json_object_new_object(), *list = json_object_new_array();
	char a[INET_ADDRSTRLEN];
	size_t n;

	if (!root || !list) {
		json_object_put(root);
		json_object_put(list);
		return reply(out, outsize, BAD("out of memory"));
	}
	for (unsigned i = 0; i < api->n_fwd; i++) {
		const struct slirp_api_fwd *f = &api->fwd[i];
		struct json_object *e = json_object_new_object();

		if (!e)
			continue;
		json_object_object_add(e, "id", json_object_new_int(f->id));
		json_object_object_add(e, "proto", json_object_new_string(f->udp ? "udp" : "tcp"));
		addr_str(f->host_addr, a, sizeof(a));
		json_object_object_add(e, "host_addr", json_object_new_string(a));
		json_object_object_add(e, "host_port", json_object_new_int(f->host_port));
		addr_str(f->guest_addr, a, sizeof(a));
		json_object_object_add(e, "guest_addr", json_object_new_string(a));
		json_object_object_add(e, "guest_port", json_object_new_int(f->guest_port));
		json_object_array_add(list, e);
	}
	json_object_object_add(root, "entries", list);
	n = reply(out, outsize, json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
								JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return n;
}

static size_t remove_hostfwd(struct slirp_api *api, struct json_object *req, char *out,
			     size_t outsize)
{
	char spec[64], h[INET_ADDRSTRLEN], why[256] = "";
	struct slirp_api_fwd *f;
	unsigned i;
	long id;

	if (!arg_int(req, "id", 1, INT_MAX, &id))
		return reply(out, outsize, BAD("remove_hostfwd: bad arguments.id"));
	for (i = 0; i < api->n_fwd && api->fwd[i].id != id; i++)
		;
	if (i == api->n_fwd)
		return reply(out, outsize, BAD("remove_hostfwd: bad arguments.id"));
	f = &api->fwd[i];
	addr_str(f->host_addr, h, sizeof(h));
	snprintf(spec, sizeof(spec), "%s:%s:%u", f->udp ? "udp" : "tcp", h, f->host_port);
	if (api->ops->remove(api->ctx, spec, why, sizeof(why)) < 0) {
		warn("slirp4netns api: remove_hostfwd %s: %s", spec, why);
		return reply(out, outsize, BAD("remove_hostfwd: slirp_remove_hostfwd failed"));
	}
	info("slirp4netns api: remove_hostfwd id %d (%s)", f->id, spec);
	memmove(f, f + 1, (api->n_fwd - i - 1) * sizeof(*f));
	api->n_fwd--;
	return reply(out, outsize, "{\"return\":{}}");
}

size_t slirp_api_handle(struct slirp_api *api, const char *req, size_t len, char *out,
			size_t outsize)
{
	struct json_tokener *tok;
	struct json_object *jo, *ex;
	const char *execute;
	size_t n, end;

	if (!outsize)
		return 0;
	if (len >= SLIRP_API_REQ_MAX)
		return reply(out, outsize, BAD("too large message"));
	tok = json_tokener_new();
	if (!tok)
		return reply(out, outsize, BAD("cannot parse JSON"));
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT); /* no comments, no 'quotes' */
	jo = json_tokener_parse_ex(tok, req, (int)len);
	end = jo ? json_tokener_get_parse_end(tok) : len;
	if (!jo && json_tokener_get_error(tok) == json_tokener_continue)
		jo = json_tokener_parse_ex(tok, " ", 1); /* ends a bare number */
	json_tokener_free(tok);
	/* Nothing but white space after the value (a NUL ends a C string:
	 * slirp4netns would not see past it either). */
	while (jo && end < len && (req[end] == ' ' || req[end] == '\n' || req[end] == '\r' ||
				   req[end] == '\t'))
		end++;
	if (!jo || (end < len && req[end] != '\0')) {
		json_object_put(jo);
		return reply(out, outsize, BAD("cannot parse JSON"));
	}
	if (!json_object_is_type(jo, json_type_object)) {
		json_object_put(jo);
		return reply(out, outsize, BAD("json_object() failed"));
	}
	if (!json_object_object_get_ex(jo, "execute", &ex) ||
	    !json_object_is_type(ex, json_type_string)) {
		json_object_put(jo);
		return reply(out, outsize, BAD("no execute found"));
	}
	execute = json_object_get_string(ex);
	if (!strcmp(execute, "add_hostfwd"))
		n = add_hostfwd(api, jo, out, outsize);
	else if (!strcmp(execute, "list_hostfwd"))
		n = list_hostfwd(api, out, outsize);
	else if (!strcmp(execute, "remove_hostfwd"))
		n = remove_hostfwd(api, jo, out, outsize);
	else
		n = reply(out, outsize, BAD("unknown execute"));
	json_object_put(jo);
	return n;
}

/* ---- the socket --------------------------------------------------------- */

static void conn_close(struct slirp_api_conn *c)
{
	ev_timer_cancel(c->api->loop, &c->idle);
	ev_watch_del(c->api->loop, &c->watch);
	close(c->fd);
	c->fd = -1;
}

static void conn_answer(struct slirp_api_conn *c)
{
	static char out[SLIRP_API_REPLY_MAX]; /* control plane, one at a time */
	size_t n = slirp_api_handle(c->api, c->buf, c->len, out, sizeof(out));
	ssize_t w = send(c->fd, out, n, MSG_NOSIGNAL | MSG_DONTWAIT);

	/* A reply fits any unix socket's buffer; a client that filled it
	 * with unread data of its own gets a cut reply. */
	if (w != (ssize_t)n)
		LOG_ONCE_FOR(&c->api->logged, SLIRP_API_LOG_SHORT_WRITE, LOG_LVL_WARN,
			     "slirp4netns api: a reply could not be sent whole");
	shutdown(c->fd, SHUT_RDWR);
	conn_close(c);
}

/* Has the client sent one whole JSON value yet? The cheap check first:
 * a request is an object, so it cannot be complete before its last '}'. */
static bool conn_complete(const struct slirp_api_conn *c)
{
	struct json_tokener *tok;
	struct json_object *jo;
	bool done;

	if (!c->len || c->buf[c->len - 1] != '}')
		return c->len && c->buf[0] != '{' && c->buf[0] != ' ' && c->buf[0] != '\n';
	tok = json_tokener_new();
	if (!tok)
		return true;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	jo = json_tokener_parse_ex(tok, c->buf, (int)c->len);
	done = jo || json_tokener_get_error(tok) != json_tokener_continue;
	json_object_put(jo);
	json_tokener_free(tok);
	return done;
}

static void conn_readable(void *ctx, uint32_t events)
{
	struct slirp_api_conn *c = ctx;
	ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	/* EOF, full (answered "too large message"), or a whole value. */
	if (n == 0 || c->len == sizeof(c->buf) || conn_complete(c))
		conn_answer(c);
}

static void conn_idle(void *ctx)
{
	struct slirp_api_conn *c = ctx;

	/* What arrived is all there will be: answer it, as slirp4netns's
	 * single read() would have. */
	conn_answer(c);
}

static void api_accept(void *ctx, uint32_t events)
{
	struct slirp_api *api = ctx;
	struct slirp_api_conn *c = NULL;
	int fd = accept4(api->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (unsigned i = 0; i < SLIRP_API_CONN_MAX && !c; i++)
		if (api->conn[i].fd < 0)
			c = &api->conn[i];
	if (!c) {
		LOG_ONCE_FOR(&api->logged, SLIRP_API_LOG_BUSY, LOG_LVL_WARN,
			     "slirp4netns api: more than %d connections at once, closing the "
			     "newest", SLIRP_API_CONN_MAX);
		close(fd);
		return;
	}
	c->api = api;
	c->fd = fd;
	c->len = 0;
	ev_watch_init(&c->watch, fd, conn_readable, c);
	ev_timer_init(&c->idle, conn_idle, c);
	if (ev_watch_add(api->loop, &c->watch, EPOLLIN) < 0) {
		close(fd);
		c->fd = -1;
		return;
	}
	ev_timer_arm(api->loop, &c->idle, SLIRP_API_IDLE_MS);
}

int slirp_api_listen(struct slirp_api *api, struct ev_loop *loop, const char *path,
		     char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int r;

	if (!*path || strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "--api-socket %s: path too long for a unix socket", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	/* A socket file left behind is replaced, as podman expects; one with
	 * a process behind it is not stolen. */
	if (lstat(path, &st) == 0) {
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		r = probe < 0 || !S_ISSOCK(st.st_mode) ? -1 :
		    connect(probe, (const struct sockaddr *)&sun, sizeof(sun));
		if (probe >= 0)
			close(probe);
		if (r == 0 || !S_ISSOCK(st.st_mode) || unlink(path) < 0) {
			snprintf(err, errlen, "--api-socket %s: exists%s", path,
				 S_ISSOCK(st.st_mode) ? " and is in use" : " and is not a socket");
			return -1;
		}
	}
	api->loop = loop;
	api->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (api->listen_fd < 0) {
		snprintf(err, errlen, "--api-socket %s: socket: %s", path, strerror(errno));
		return -1;
	}
	/* It adds port forwards: its owner only, from the first instant. */
	old = umask(0177);
	r = bind(api->listen_fd, (const struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r < 0 || listen(api->listen_fd, SLIRP_API_CONN_MAX) < 0) {
		snprintf(err, errlen, "--api-socket %s: cannot listen: %s", path, strerror(errno));
		close(api->listen_fd);
		api->listen_fd = -1;
		return -1;
	}
	ev_watch_init(&api->watch, api->listen_fd, api_accept, api);
	if (ev_watch_add(loop, &api->watch, EPOLLIN) < 0) {
		snprintf(err, errlen, "--api-socket %s: epoll: %s", path, strerror(errno));
		close(api->listen_fd);
		api->listen_fd = -1;
		return -1;
	}
	return 0;
}

void slirp_api_close(struct slirp_api *api)
{
	for (unsigned i = 0; i < SLIRP_API_CONN_MAX; i++)
		if (api->conn[i].fd >= 0)
			conn_close(&api->conn[i]);
	if (api->listen_fd >= 0) {
		ev_watch_del(api->loop, &api->watch);
		close(api->listen_fd);
		api->listen_fd = -1;
	}
}
