/* SPDX-License-Identifier: MIT
 *
 * socket_compat.c - QEMU's older "-netdev socket" spelling:
 *
 *   listen=[HOST]:PORT    TCP stream server (accepts many connections)
 *   connect=HOST:PORT     TCP stream client
 *   mcast=MADDR:PORT[,localaddr=ADDR]        UDP multicast, ADDR picks
 *                                            the interface
 *   udp=HOST:PORT,localaddr=HOST:PORT        UDP unicast
 *
 * Theory of operation: these are the same wire formats as "-netdev stream"
 * (4-byte length prefix) and "-netdev dgram" (a frame per datagram), so
 * parse() only translates the keys into a stream_cfg or dgram_cfg and
 * returns a stream or dgram netdev, which runs with that type's ops. The
 * netdev keeps "socket" as its type so the monitor and the messages use the
 * user's spelling (the hints know from the cfg's compat flag).
 * QEMU's fd= (an inherited socket) is refused: vmwire is not started by
 * QEMU, so there is nobody to pass one.
 */
#include "config/keyval.h"
#include "ports/stream.h"

#include <string.h>

static const char *const modes[] = { "listen", "connect", "mcast", "udp", "fd" };

static int count_modes(struct kvlist *kv, const char **which)
{
	int n = 0;
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (kv_has(kv, modes[i])) {
			if (!n)
				*which = modes[i];
			n++;
		}
	}
	return n;
}

static int hostport(struct kvlist *kv, const char *key, bool allow_empty, struct sa_spec *spec,
		    char *err, size_t errlen)
{
	const char *v = kv_get(kv, key);
	char why[160];

	if (sa_spec_inet(spec, v, allow_empty, why, sizeof(why)) < 0) {
		kv_errorf(err, errlen, kv, "'%s': %s", key, why);
		return -1;
	}
	return 0;
}

static struct netdev *socket_parse(struct kvlist *kv, char *err, size_t errlen)
{
	const char *mode = NULL;
	struct netdev *nd = NULL;
	int n;

	kv_get(kv, "type");
	n = count_modes(kv, &mode);
	if (n != 1) {
		kv_errorf(err, errlen, kv, "exactly one of 'listen', 'connect', 'mcast' or 'udp' is "
			  "required%s", n ? " (more than one given)" : "");
		return NULL;
	}
	if (!strcmp(mode, "fd")) {
		kv_errorf(err, errlen, kv, "'fd' is not supported by vmwire: use listen=, connect=, "
			  "mcast= or udp=");
		return NULL;
	}
	if (kv_has(kv, "localaddr") && (!strcmp(mode, "listen") || !strcmp(mode, "connect"))) {
		kv_errorf(err, errlen, kv, "'localaddr' is only valid with mcast= or udp=");
		return NULL;
	}
	if (!strcmp(mode, "listen") || !strcmp(mode, "connect")) {
		struct stream_cfg cfg = { .compat = true, .server = !strcmp(mode, "listen") };

		if (hostport(kv, mode, cfg.server, &cfg.addr, err, errlen) < 0)
			return NULL;
		if (!cfg.server && !cfg.addr.port) {
			kv_errorf(err, errlen, kv, "'connect': port must not be 0");
			return NULL;
		}
		if (stream_parse_max_conns(kv, &cfg, err, errlen) < 0)
			return NULL;
		nd = stream_netdev_new(&cfg, &netdev_socket_type);
	} else {
		struct dgram_cfg cfg = { .compat = true, .mcast = !strcmp(mode, "mcast") };

		if (hostport(kv, mode, false, &cfg.remote, err, errlen) < 0)
			return NULL;
		if (!cfg.remote.port) {
			kv_errorf(err, errlen, kv, "'%s': port must not be 0", mode);
			return NULL;
		}
		if (cfg.mcast) {
			const char *la = kv_get(kv, "localaddr");

			if (!sa_host_is_multicast(cfg.remote.host)) {
				kv_errorf(err, errlen, kv, "'mcast': %s is not a multicast address",
					  cfg.remote.host);
				return NULL;
			}
			if (la) {
				if (!*la || strlen(la) >= sizeof(cfg.local.host) || strchr(la, ':')) {
					kv_errorf(err, errlen, kv, "'localaddr' expects an IPv4 "
						  "interface address, not '%s'", la);
					return NULL;
				}
				cfg.local.kind = SA_INET;
				cfg.local.ipv4 = true;
				snprintf(cfg.local.host, sizeof(cfg.local.host), "%s", la);
			}
		} else {
			if (!kv_has(kv, "localaddr")) {
				kv_errorf(err, errlen, kv, "'localaddr' (HOST:PORT to bind) is required "
					  "with udp=");
				return NULL;
			}
			if (hostport(kv, "localaddr", true, &cfg.local, err, errlen) < 0)
				return NULL;
			if (sa_host_is_multicast(cfg.remote.host)) {
				kv_errorf(err, errlen, kv, "'udp': %s is a multicast address, use mcast=",
					  cfg.remote.host);
				return NULL;
			}
		}
		nd = dgram_netdev_new(&cfg, &netdev_socket_type);
	}
	if (!nd)
		kv_errorf(err, errlen, kv, "out of memory");
	return nd;
}

static const struct netdev_key socket_keys[] = {
	{ "listen=[HOST]:PORT", "listen for TCP connections (the framing of stream), one port "
	  "per connection", NULL },
	{ "connect=HOST:PORT", "connect to a TCP listener", NULL },
	{ "max-connections=N", "listen=: connections at once (default 64), as stream", NULL },
	{ "mcast=GROUP:PORT[,localaddr=ADDR]", "join a UDP multicast group, one frame per "
	  "datagram; ADDR, an IPv4 address, picks the interface", NULL },
	{ "udp=HOST:PORT,localaddr=HOST:PORT", "exchange one frame per datagram with a unicast "
	  "UDP peer, from localaddr", NULL },
	{ NULL, NULL, NULL },
};

const struct netdev_type netdev_socket_type = {
	.name = "socket",
	.summary = "QEMU -netdev socket (legacy stream and UDP framing); exactly one of:",
	.man = "QEMU's older\n.B \\-netdev socket\nbackend, for QEMU versions before 7.2 and "
	       "for existing scripts.\nExactly one of:",
	.keys = socket_keys,
	.man_notes = "QEMU's\n.B fd=\nis not supported.",
	.parse = socket_parse,
	/* Inet sockets only: nothing beyond the base allow list. */
};
