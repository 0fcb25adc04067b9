/* SPDX-License-Identifier: MIT
 *
 * slirp_api.h - the API socket of "vmwire slirp4netns --api-socket=PATH":
 * slirp4netns 1.2's JSON requests, answered byte for byte as it does.
 *
 * Theory of operation: a unix stream socket, one request per connection.
 * The client writes one JSON object ({"execute":"add_hostfwd",
 * "arguments":{...}}), usually shuts its sending side down, and reads one
 * reply; we close the connection after it. A request is complete when
 * json-c has parsed a whole value or the client shut down; slirp4netns
 * itself answers whatever its first read() returned, which is the same
 * for every real client (podman, rootlesskit write the request at once).
 *
 * The handler (slirp_api_handle()) is pure: bytes in, reply out, with the
 * forwarding rules themselves added and removed through two callbacks
 * taking the monitor's hostfwd_add / hostfwd_remove syntax, so the
 * gateway's own rule table is the one that matters and the fuzzer can
 * drive the handler without sockets. The API keeps its own list of what
 * it added, in order, with the ids slirp4netns hands out (1, 2, ...,
 * never reused) for list_hostfwd and remove_hostfwd.
 *
 * Limits: SLIRP_API_REQ_MAX bytes a request (slirp4netns: 4096, "too
 * large message"), SLIRP_API_CONN_MAX connections at once (more are
 * closed unanswered, logged once), SLIRP_API_IDLE_MS for a client to
 * finish its request, SLIRP_API_FWD_MAX rules (the gateway's table).
 */
#ifndef VMWIRE_CONTROL_SLIRP_API_H
#define VMWIRE_CONTROL_SLIRP_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "core/loop.h"
#include "gateway/config.h"

#define SLIRP_API_REQ_MAX 4096
#define SLIRP_API_CONN_MAX 16
#define SLIRP_API_IDLE_MS 10000
#define SLIRP_API_FWD_MAX GW_FWD_MAX
/* {"entries":[...]} with every entry at its longest, and a NUL. */
#define SLIRP_API_REPLY_MAX (64 + SLIRP_API_FWD_MAX * 160)

struct slirp_api_ops {
	/* spec: "tcp:HOSTADDR:HOSTPORT-GUESTADDR:GUESTPORT" (add) or
	 * "tcp:HOSTADDR:HOSTPORT" (remove); 0, or -1 with a reason in err. */
	int (*add)(void *ctx, const char *spec, char *err, size_t errlen);
	int (*remove)(void *ctx, const char *spec, char *err, size_t errlen);
};

struct slirp_api_fwd {
	int id;
	bool udp;
	uint32_t host_addr, guest_addr; /* host byte order */
	uint16_t host_port, guest_port;
};

struct slirp_api_conn {
	struct slirp_api *api;
	int fd; /* -1: slot free */
	struct ev_watch watch;
	struct ev_timer idle;
	size_t len;
	char buf[SLIRP_API_REQ_MAX];
};

enum slirp_api_log { SLIRP_API_LOG_BUSY, SLIRP_API_LOG_SHORT_WRITE };

struct slirp_api {
	const struct slirp_api_ops *ops;
	void *ctx;
	uint32_t default_guest; /* guest_addr when a request has none */
	struct slirp_api_fwd fwd[SLIRP_API_FWD_MAX];
	unsigned n_fwd;
	int next_id;

	struct ev_loop *loop;
	int listen_fd;
	struct ev_watch watch;
	struct slirp_api_conn conn[SLIRP_API_CONN_MAX];
	struct log_once logged; /* enum slirp_api_log */
};

/* The rule table and callbacks only; no socket (the fuzzer, unit use). */
void slirp_api_init(struct slirp_api *api, const struct slirp_api_ops *ops, void *ctx,
		    uint32_t default_guest);

/*
 * Answer one request of len bytes (not NUL-terminated, any bytes) into out
 * (NUL-terminated, at most outsize - 1 bytes, which SLIRP_API_REPLY_MAX
 * always fits). Returns the reply's length.
 */
size_t slirp_api_handle(struct slirp_api *api, const char *req, size_t len, char *out,
			size_t outsize);

/* Bind and listen on path, served from loop. -1 with err set. */
int slirp_api_listen(struct slirp_api *api, struct ev_loop *loop, const char *path,
		     char *err, size_t errlen);
/* Close the listener and every open connection (the file stays, as
 * slirp4netns leaves it: its caller removes it). */
void slirp_api_close(struct slirp_api *api);

#endif
