/* SPDX-License-Identifier: MIT
 *
 * stream_type.c - "-netdev stream" as the command line sees it: its keys,
 * their parsing into a struct stream_cfg, and the netdev type for --help
 * and vmwire(1). The runtime is stream.c (stream_netdev_new()).
 *
 * Theory of operation: every check that needs only the option text is
 * made here, so a bad key fails with one line naming it before any socket
 * exists: addr.type is required, a client needs a host and a non-zero
 * port, reconnect= and max-connections= each belong to one side, and the
 * socket file's mode/owner/group only to a unix listener with a file.
 * The reconnect and max-connections parsers are shared with seqpacket and
 * "-netdev socket" (stream.h). Resolving names is left to start.
 */
#include "ports/stream.h"
#include "config/keyval.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

int stream_parse_max_conns(struct kvlist *kv, struct stream_cfg *cfg, char *err,
			   size_t errlen)
{
	uint64_t n = STREAM_MAX_CONNS_DEFAULT;
	int r = kv_get_uint(kv, "max-connections", 1, 65536, &n, err, errlen);

	if (r < 0)
		return -1;
	if (r && !cfg->server) {
		kv_errorf(err, errlen, kv, "'max-connections' is only valid for a listener");
		return -1;
	}
	cfg->max_conns = (unsigned)n;
	return 0;
}

int stream_parse_reconnect(struct kvlist *kv, bool server, uint64_t *reconnect_ms, char *err,
			   size_t errlen)
{
	uint64_t sec = 0, ms = 0;
	int has_s, has_ms;

	has_s = kv_get_uint(kv, "reconnect", 0, 86400, &sec, err, errlen);
	if (has_s < 0)
		return -1;
	has_ms = kv_get_uint(kv, "reconnect-ms", 0, 86400000, &ms, err, errlen);
	if (has_ms < 0)
		return -1;
	if (has_s && has_ms) {
		kv_errorf(err, errlen, kv, "'reconnect' and 'reconnect-ms' are mutually exclusive");
		return -1;
	}
	if ((has_s || has_ms) && server) {
		kv_errorf(err, errlen, kv, "'%s' is only valid with server=off",
			  has_s ? "reconnect" : "reconnect-ms");
		return -1;
	}
	*reconnect_ms = has_s ? sec * 1000 : ms;
	return 0;
}

static struct netdev *stream_parse(struct kvlist *kv, char *err, size_t errlen)
{
	struct stream_cfg cfg = { 0 };
	int rc;
	struct netdev *nd;

	kv_get(kv, "type");
	if (kv_get_bool(kv, "server", &cfg.server, err, errlen) < 0)
		return NULL;
	rc = sa_parse_kv(kv, "addr", 1u << SA_UNIX | 1u << SA_INET | 1u << SA_FD, &cfg.addr,
			 err, errlen);
	if (rc < 0)
		return NULL;
	if (rc == 0) {
		kv_errorf(err, errlen, kv, "'addr.type' is required (unix, inet or fd)");
		return NULL;
	}
	if (cfg.addr.kind == SA_INET && !cfg.server && !cfg.addr.host[0]) {
		kv_errorf(err, errlen, kv, "'addr.host' is required with server=off");
		return NULL;
	}
	if (cfg.addr.kind == SA_INET && !cfg.server && !cfg.addr.port) {
		kv_errorf(err, errlen, kv, "'addr.port' must not be 0 with server=off");
		return NULL;
	}
	if (stream_parse_reconnect(kv, cfg.server, &cfg.reconnect_ms, err, errlen) < 0)
		return NULL;
	if (stream_parse_max_conns(kv, &cfg, err, errlen) < 0)
		return NULL;
	if (unix_acl_parse_if(kv, cfg.server && cfg.addr.kind == SA_UNIX && !cfg.addr.abstract,
			      "for a listener's socket file (server=on, addr.type=unix)", &cfg.acl,
			      err, errlen) < 0)
		return NULL;
	nd = stream_netdev_new(&cfg, &netdev_stream_type);
	if (!nd)
		kv_errorf(err, errlen, kv, "out of memory");
	return nd;
}

static const struct netdev_key stream_keys[] = {
	{ "server=on|off", "listen and accept any number of VMs, one port per connection "
	  "(on), or connect to a listening peer (off)",
	  "Each accepted connection is a port of its own\n.RI ( ID #1,\n.IR ID #2,\n\\&...);\n"
	  "a client connects to a listener such as a QEMU started with\n.BR server=on ." },
	{ "max-connections=N", "server: connections at once (default 64); more are "
	  "closed at once, counted and logged once", NULL },
	{ "addr.type=unix,addr.path=PATH", "a unix socket; the socket file is removed on exit",
	  "A stale socket file left by a crashed process is replaced; a file another\n"
	  "process listens on is an error." },
	{ "addr.abstract=on|off, addr.tight=on|off",
	  "use the Linux abstract namespace instead of a file; tight (default on) as in QEMU", NULL },
	{ UNIX_ACL_HELP_MODE, "server, unix: the socket file's permissions (default 0777 & ~umask)",
	  "Set with owner= and group= before the name appears: it is bound under a\n"
	  "private name in the same directory, then renamed." },
	{ UNIX_ACL_HELP_OWNER, "server, unix: the socket file's owner (needs CAP_CHOWN)", NULL },
	{ UNIX_ACL_HELP_GROUP, "server, unix: the socket file's group", NULL },
	{ "addr.type=inet,addr.host=HOST,addr.port=PORT",
	  "a TCP socket; a listener may omit addr.host to listen on every address", NULL },
	{ "addr.ipv4=on|off, addr.ipv6=on|off", "restrict the address families, as in QEMU", NULL },
	{ "addr.type=fd,addr.str=FD", "an inherited socket, already connected or listening", NULL },
	{ "reconnect=SECONDS, reconnect-ms=MS",
	  "client: retry this long after the connection fails or drops", NULL },
	{ NULL, NULL, NULL },
};

const struct netdev_type netdev_stream_type = {
	.name = "stream",
	.summary = "QEMU -netdev stream framing (4-byte length prefix)",
	.man = "QEMU's\n.B \\-netdev stream\nwire format: each frame preceded by its length as a "
	       "4-byte big-endian\ninteger, over a unix or TCP stream socket.",
	.keys = stream_keys,
	.parse = stream_parse,
	.sandbox = {
		/* Only what every daemon may: connect() for a reconnecting
		 * client, unlink() of a listener's socket file at exit. */
		.paths = "a client's unix socket (to reconnect) and a listener's socket "
			 "file (to remove it at exit)",
	},
};
