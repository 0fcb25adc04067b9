/* SPDX-License-Identifier: MIT
 *
 * qmp.h - a QMP server (QEMU's JSON machine protocol) on a unix socket:
 * what management software speaks to QEMU, spoken by vmwire.
 *
 * Theory of operation: the framing is QEMU's. On connect the server sends
 * a greeting ({"QMP": {"version": ..., "capabilities": []}}); the client
 * must run qmp_capabilities before anything else; then each request
 * {"execute": NAME, "arguments": {...}, "id": ANY} gets exactly one
 * {"return": ...} or {"error": {"class": ..., "desc": ...}} carrying the
 * same id, in order, and asynchronous {"event": ...} messages may come in
 * between. Every message ends with "\r\n". Requests are parsed by json-c's
 * streaming tokener, so a request may arrive in pieces or several in one
 * read; each is bounded in size and nesting, and a client that sends
 * faster than it reads is throttled like a monitor client (no request is
 * run while a reply is queued unsent). Events a slow client cannot take
 * are dropped for that client (counted), never buffered without bound.
 *
 * The commands (qmp_commands.c) are QEMU's where QEMU has one with that
 * meaning (query-version, query-commands, netdev_add, netdev_del,
 * human-monitor-command) and vmwire's own otherwise (query-ports, ...).
 */
#ifndef VMWIRE_CONTROL_QMP_H
#define VMWIRE_CONTROL_QMP_H

#include <stdbool.h>
#include <stddef.h>

struct runtime;
struct qmp;
struct json_object;

#define QMP_REQUEST_MAX (64 * 1024) /* bytes of one request */
#define QMP_DEPTH_MAX 16            /* JSON nesting of one request */
#define QMP_OUT_MAX (1024 * 1024)   /* queued output per client */
#define QMP_CLIENTS_MAX 16

/* Listen on path (mode 0600), or serve the listening socket fd when fd >=
 * 0 (socket activation). NULL + err on failure. Installs itself as
 * the runtime's network observer (events). */
struct qmp *qmp_new(struct runtime *rt, const char *path, int fd, char *err, size_t errlen);
void qmp_free(struct qmp *q);

/* Send {"event": name, "data": data, "timestamp": ...} to every client
 * past negotiation. Takes the reference to data (may be NULL). */
void qmp_emit(struct qmp *q, const char *name, struct json_object *data);

/* ---- used by the commands (qmp_commands.c) and the fuzz target ---- */

#define QMP_DESC_MAX 512

/* One command's call: its arguments and where its answer goes. */
struct qmp_call {
	struct qmp *qmp;
	struct runtime *rt;
	struct json_object *args;   /* an object, never NULL */
	struct json_object *ret;    /* the return value (default {}) */
	const char *err_class;      /* set on error: "GenericError", ... */
	char desc[QMP_DESC_MAX];
	bool pause;                 /* run no more requests until deferred work ran */
};

struct qmp_command {
	const char *name;
	int (*fn)(struct qmp_call *call); /* 0, or -1 with err_class/desc */
};

extern const struct qmp_command qmp_commands[];
extern const size_t qmp_ncommands;

/* Error helpers: set class and desc, return -1. */
int qmp_error(struct qmp_call *call, const char *cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Check call->args against the allowed member names (NULL-terminated);
 * members in required (NULL-terminated, may be NULL) must be there. -1
 * with QEMU's "Parameter 'x' is unexpected/missing" otherwise. */
int qmp_check_args(struct qmp_call *call, const char *const *allowed,
		   const char *const *required);

/* A string member or NULL (absent); -1 and an error if it is there but
 * not a string. */
int qmp_arg_str(struct qmp_call *call, const char *name, const char **out);

/* Hand an unplugged netdev over to be destroyed after this wakeup's
 * events (a 0 ms timer); the caller sets call->pause. */
struct netdev;
void qmp_defer_destroy(struct qmp *q, struct netdev *nd);

/*
 * The protocol without a socket, for the fuzz target and unit tests: a
 * session that takes bytes and hands every output message to out().
 */
struct qmp_session;
struct qmp_session_io {
	/* One whole message, "\r\n" included; event: an asynchronous event
	 * the client may miss (dropped when it does not fit). false: not
	 * taken (a reply too large for the queue: an error goes instead). */
	bool (*out)(void *ctx, const char *msg, size_t len, bool event);
	/* May another request run now? NULL: always (the socket client says
	 * no while its reply queue is above the high-water mark). */
	bool (*can_run)(void *ctx);
};

#define QMP_IN_MAX 8192 /* bytes a session holds unparsed */

struct qmp_session *qmp_session_new(struct qmp *q, const struct qmp_session_io *io, void *ctx);
/* Room for more input (0 while full: stop reading). */
size_t qmp_session_room(const struct qmp_session *s);
/* Take up to qmp_session_room() bytes and run what requests may run.
 * false once the session must be closed (the reason was sent). */
bool qmp_session_input(struct qmp_session *s, const char *data, size_t len);
/* Input buffered that a resume would work on. */
bool qmp_session_pending(const struct qmp_session *s);
/* Run requests held back (paused, or can_run said no). */
bool qmp_session_resume(struct qmp_session *s);
/* The greeting, through io->out (a socket client sends it on accept). */
void qmp_session_greet(struct qmp_session *s);
void qmp_session_free(struct qmp_session *s);
/* A QMP context with no socket (fuzzing): rt must outlive it. */
struct qmp *qmp_new_detached(struct runtime *rt);

#endif
