/* SPDX-License-Identifier: MIT
 *
 * sockaddr.h - the socket addresses of QEMU's stream/dgram/socket netdevs.
 *
 * Theory of operation: parsing is split from resolving. sa_* parse helpers
 * only look at strings (so a netdev's parse() phase has no side effects and
 * unit tests need no network); sa_resolve() turns a spec into a struct
 * sockaddr when the netdev starts. Text forms:
 *   unix:/path/to/sock   unix:@abstract   1.2.3.4:5   [fe80::1]:5
 * and for host:port input also ":5" (any host) where the caller allows it.
 * Ports are numeric only: a service name lookup would read /etc/services
 * and gain nothing here.
 */
#ifndef VMWIRE_PORTS_SOCKADDR_H
#define VMWIRE_PORTS_SOCKADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define SA_PATH_MAX 108 /* sizeof(sun_path) */
#define SA_HOST_MAX 256
#define SA_TEXT_MAX (SA_PATH_MAX + 16)

enum sa_kind { SA_NONE = 0, SA_UNIX, SA_INET, SA_FD };

struct sa_spec {
	enum sa_kind kind;
	/* SA_UNIX */
	char path[SA_PATH_MAX];
	bool abstract;
	bool tight; /* abstract: address length covers the name only (QEMU default) */
	/* SA_INET: empty host = any address (passive) */
	char host[SA_HOST_MAX];
	uint16_t port;
	bool ipv4, ipv6; /* allowed families; both false is invalid */
	/* SA_FD */
	int fd;
};

/* "0".."65535" -> 0; anything else -1. */
int sa_parse_port(const char *s, uint16_t *port);

/*
 * Split "host:port", "[v6addr]:port" or, if allow_empty_host, ":port".
 * Returns 0, or -1 with a reason ("missing ':PORT'") in why.
 */
int sa_parse_hostport(const char *s, bool allow_empty_host, char *host, size_t hostlen,
		      uint16_t *port, char *why, size_t whylen);

/* Fill a spec from "host:port" (SA_INET, both families allowed). */
int sa_spec_inet(struct sa_spec *spec, const char *hostport, bool allow_empty_host,
		 char *why, size_t whylen);

/* Is host a numeric IPv4 or IPv6 multicast address? */
bool sa_host_is_multicast(const char *host);

/*
 * Resolve to a sockaddr. passive: an empty host means any address
 * (0.0.0.0, or :: if IPv4 is not allowed). -1 and why on failure.
 */
int sa_resolve(const struct sa_spec *spec, bool passive, struct sockaddr_storage *ss,
	       socklen_t *len, char *why, size_t whylen);

/* "unix:/path", "unix:@name", "1.2.3.4:5", "[::1]:5", "fd:N" */
void sa_format(const struct sockaddr *sa, socklen_t len, char *buf, size_t size);
void sa_spec_format(const struct sa_spec *spec, char *buf, size_t size);

bool sa_is_multicast(const struct sockaddr *sa);
bool sa_equal(const struct sockaddr *a, const struct sockaddr *b);
uint16_t sa_port(const struct sockaddr *sa);

/* For hints: the address a local client uses to reach a server bound to sa
 * (0.0.0.0 -> 127.0.0.1, :: -> ::1), formatted as host only. */
void sa_format_host_for_client(const struct sockaddr *sa, char *buf, size_t size);

/*
 * Parse PREFIX.type and its keys (PREFIX.path, .abstract, .tight, .host,
 * .port, .ipv4, .ipv6, .str) from a QEMU keyval list, as QEMU's
 * SocketAddress does. kinds is a mask of (1 << SA_x) that the caller
 * accepts. Returns 0 if no PREFIX.* key is present, 1 when out is filled,
 * -1 with an error naming the key. SA_PORT_OPTIONAL in kinds lets an inet
 * address omit .port (a multicast interface address).
 */
#define SA_PORT_OPTIONAL (1u << 8)
struct kvlist;
int sa_parse_kv(struct kvlist *kv, const char *prefix, unsigned kinds, struct sa_spec *out,
		char *err, size_t errlen);

#endif
