/* SPDX-License-Identifier: MIT
 *
 * sockaddr.c - address parsing and formatting, see sockaddr.h.
 */
#include "ports/sockaddr.h"
#include "config/keyval.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

int sa_parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (!s || !*s || strlen(s) > 5)
		return -1;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int sa_parse_hostport(const char *s, bool allow_empty_host, char *host, size_t hostlen,
		      uint16_t *port, char *why, size_t whylen)
{
	const char *colon, *hstart = s;
	size_t hlen;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		struct in6_addr a6;
		char tmp[INET6_ADDRSTRLEN + 1];

		if (!close) {
			snprintf(why, whylen, "missing ']' in '%s'", s);
			return -1;
		}
		hstart = s + 1;
		hlen = (size_t)(close - hstart);
		if (close[1] != ':') {
			snprintf(why, whylen, "expected ':PORT' after ']' in '%s'", s);
			return -1;
		}
		colon = close + 1;
		if (!hlen || hlen >= sizeof(tmp)) {
			snprintf(why, whylen, "bad IPv6 address in '%s'", s);
			return -1;
		}
		memcpy(tmp, hstart, hlen);
		tmp[hlen] = '\0';
		if (inet_pton(AF_INET6, tmp, &a6) != 1) {
			snprintf(why, whylen, "bad IPv6 address '%s'", tmp);
			return -1;
		}
	} else {
		colon = strrchr(s, ':');
		if (!colon) {
			snprintf(why, whylen, "expected HOST:PORT, not '%s'", s);
			return -1;
		}
		if (strchr(s, ':') != colon) {
			snprintf(why, whylen, "IPv6 addresses need brackets: [ADDR]:PORT, not '%s'", s);
			return -1;
		}
		hlen = (size_t)(colon - s);
	}
	if (!hlen && !allow_empty_host) {
		snprintf(why, whylen, "missing host in '%s'", s);
		return -1;
	}
	if (hlen >= hostlen) {
		snprintf(why, whylen, "host name too long in '%s'", s);
		return -1;
	}
	if (sa_parse_port(colon + 1, port) < 0) {
		snprintf(why, whylen, "bad port '%s' (expected 0 to 65535)", colon + 1);
		return -1;
	}
	memcpy(host, hstart, hlen);
	host[hlen] = '\0';
	return 0;
}

int sa_spec_inet(struct sa_spec *spec, const char *hostport, bool allow_empty_host,
		 char *why, size_t whylen)
{
	memset(spec, 0, sizeof(*spec));
	spec->kind = SA_INET;
	spec->ipv4 = spec->ipv6 = true;
	spec->fd = -1;
	return sa_parse_hostport(hostport, allow_empty_host, spec->host, sizeof(spec->host),
				 &spec->port, why, whylen);
}

bool sa_host_is_multicast(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, host, &a4) == 1)
		return IN_MULTICAST(ntohl(a4.s_addr));
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_MULTICAST(&a6);
	return false;
}

static int resolve_unix(const struct sa_spec *spec, struct sockaddr_storage *ss,
			socklen_t *len, char *why, size_t whylen)
{
	struct sockaddr_un *un = (struct sockaddr_un *)ss;
	size_t n = strlen(spec->path);
	/* a leading NUL (abstract) or a trailing one (path) takes one byte */
	size_t max = sizeof(un->sun_path) - 1;

	if (!n || n > max) {
		snprintf(why, whylen, "path must be 1 to %zu bytes", max);
		return -1;
	}
	memset(ss, 0, sizeof(*ss));
	un->sun_family = AF_UNIX;
	if (spec->abstract) {
		memcpy(un->sun_path + 1, spec->path, n);
		*len = spec->tight ? (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)
				   : (socklen_t)sizeof(*un);
	} else {
		memcpy(un->sun_path, spec->path, n);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return 0;
}

int sa_resolve(const struct sa_spec *spec, bool passive, struct sockaddr_storage *ss,
	       socklen_t *len, char *why, size_t whylen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[8];
	int rc;

	switch (spec->kind) {
	case SA_UNIX:
		return resolve_unix(spec, ss, len, why, whylen);
	case SA_INET:
		break;
	default:
		snprintf(why, whylen, "not a resolvable address");
		return -1;
	}
	if (!spec->ipv4 && !spec->ipv6) {
		snprintf(why, whylen, "both ipv4 and ipv6 are off");
		return -1;
	}
	memset(ss, 0, sizeof(*ss));
	if (!spec->host[0]) {
		if (!passive) {
			snprintf(why, whylen, "missing host");
			return -1;
		}
		if (spec->ipv4) {
			struct sockaddr_in *in = (struct sockaddr_in *)ss;

			in->sin_family = AF_INET;
			in->sin_port = htons(spec->port);
			*len = sizeof(*in);
		} else {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

			in6->sin6_family = AF_INET6;
			in6->sin6_port = htons(spec->port);
			*len = sizeof(*in6);
		}
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = spec->ipv4 && spec->ipv6 ? AF_UNSPEC : spec->ipv4 ? AF_INET : AF_INET6;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	hints.ai_socktype = SOCK_DGRAM; /* one result per address */
	snprintf(port, sizeof(port), "%u", spec->port);
	rc = getaddrinfo(spec->host, port, &hints, &res);
	if (rc) {
		snprintf(why, whylen, "can't resolve '%s': %s", spec->host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next)
		if (ai->ai_addrlen <= sizeof(*ss))
			break;
	if (!ai) {
		freeaddrinfo(res);
		snprintf(why, whylen, "no usable address for '%s'", spec->host);
		return -1;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

void sa_format(const struct sockaddr *sa, socklen_t len, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];

	switch (sa->sa_family) {
	case AF_UNIX: {
		const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
		size_t off = offsetof(struct sockaddr_un, sun_path);
		size_t n = len > off ? len - off : 0;

		if (n > sizeof(un->sun_path))
			n = sizeof(un->sun_path);
		if (!n) {
			snprintf(buf, size, "unix:(unnamed)");
		} else if (!un->sun_path[0]) {
			snprintf(buf, size, "unix:@%.*s", (int)strnlen(un->sun_path + 1, n - 1),
				 un->sun_path + 1);
		} else {
			snprintf(buf, size, "unix:%.*s", (int)strnlen(un->sun_path, n), un->sun_path);
		}
		return;
	}
	case AF_INET: {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(in->sin_port));
		return;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(in6->sin6_port));
		return;
	}
	default:
		snprintf(buf, size, "family %d", sa->sa_family);
	}
}

void sa_spec_format(const struct sa_spec *spec, char *buf, size_t size)
{
	switch (spec->kind) {
	case SA_UNIX:
		snprintf(buf, size, "unix:%s%s", spec->abstract ? "@" : "", spec->path);
		break;
	case SA_INET:
		if (strchr(spec->host, ':'))
			snprintf(buf, size, "[%s]:%u", spec->host, spec->port);
		else
			snprintf(buf, size, "%s:%u", spec->host[0] ? spec->host : "*", spec->port);
		break;
	case SA_FD:
		snprintf(buf, size, "fd:%d", spec->fd);
		break;
	default:
		snprintf(buf, size, "(none)");
	}
}

bool sa_is_multicast(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return IN_MULTICAST(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_MULTICAST(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

bool sa_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
	}
	if (a->sa_family == AF_UNIX) {
		const struct sockaddr_un *x = (const void *)a, *y = (const void *)b;

		return !memcmp(x->sun_path, y->sun_path, sizeof(x->sun_path));
	}
	return false;
}

uint16_t sa_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

void sa_format_host_for_client(const struct sockaddr *sa, char *buf, size_t size)
{
	if (sa->sa_family == AF_INET) {
		struct in_addr a = ((const struct sockaddr_in *)sa)->sin_addr;

		if (a.s_addr == htonl(INADDR_ANY))
			a.s_addr = htonl(INADDR_LOOPBACK);
		inet_ntop(AF_INET, &a, buf, (socklen_t)size);
	} else if (sa->sa_family == AF_INET6) {
		struct in6_addr a = ((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_UNSPECIFIED(&a))
			a = in6addr_loopback;
		inet_ntop(AF_INET6, &a, buf, (socklen_t)size);
	} else {
		snprintf(buf, size, "?");
	}
}

/* --- QEMU SocketAddress keys ------------------------------------------ */

static const char *const sa_keys[] = { "path", "abstract", "tight", "host", "port",
				       "ipv4", "ipv6", "str" };

static bool prefixed_key_present(const struct kvlist *kv, const char *prefix, const char *key)
{
	char name[64];

	snprintf(name, sizeof(name), "%s.%s", prefix, key);
	return kv_has(kv, name);
}

/* Reject any PREFIX.key that is not in the allowed list for this kind. */
static int reject_foreign(struct kvlist *kv, const char *prefix, const char *type,
			  const char *const *allowed, char *err, size_t errlen)
{
	size_t i, j;

	for (i = 0; i < sizeof(sa_keys) / sizeof(sa_keys[0]); i++) {
		bool ok = false;

		for (j = 0; allowed[j]; j++)
			if (!strcmp(allowed[j], sa_keys[i]))
				ok = true;
		if (!ok && prefixed_key_present(kv, prefix, sa_keys[i])) {
			kv_errorf(err, errlen, kv, "'%s.%s' is not valid with %s.type=%s", prefix,
				  sa_keys[i], prefix, type);
			return -1;
		}
	}
	return 0;
}

static int get_prefixed(struct kvlist *kv, const char *prefix, const char *key, const char **v)
{
	char name[64];

	snprintf(name, sizeof(name), "%s.%s", prefix, key);
	*v = kv_get(kv, name);
	return *v != NULL;
}

static int get_prefixed_bool(struct kvlist *kv, const char *prefix, const char *key, bool *out,
			     char *err, size_t errlen)
{
	char name[64];

	snprintf(name, sizeof(name), "%s.%s", prefix, key);
	return kv_get_bool(kv, name, out, err, errlen);
}

static int parse_kv_unix(struct kvlist *kv, const char *prefix, struct sa_spec *out,
			 char *err, size_t errlen)
{
	static const char *const allowed[] = { "path", "abstract", "tight", NULL };
	const char *path;

	if (reject_foreign(kv, prefix, "unix", allowed, err, errlen) < 0)
		return -1;
	if (!get_prefixed(kv, prefix, "path", &path) || !*path) {
		kv_errorf(err, errlen, kv, "'%s.path' is required with %s.type=unix", prefix, prefix);
		return -1;
	}
	if (strlen(path) >= sizeof(out->path)) {
		kv_errorf(err, errlen, kv, "'%s.path' is too long (at most %zu bytes)", prefix,
			  sizeof(out->path) - 1);
		return -1;
	}
	snprintf(out->path, sizeof(out->path), "%s", path);
	out->tight = true;
	if (get_prefixed_bool(kv, prefix, "abstract", &out->abstract, err, errlen) < 0 ||
	    get_prefixed_bool(kv, prefix, "tight", &out->tight, err, errlen) < 0)
		return -1;
	if (prefixed_key_present(kv, prefix, "tight") && !out->abstract) {
		kv_errorf(err, errlen, kv, "'%s.tight' is only valid with %s.abstract=on", prefix,
			  prefix);
		return -1;
	}
	return 1;
}

static int parse_kv_inet(struct kvlist *kv, const char *prefix, bool port_optional,
			 struct sa_spec *out, char *err, size_t errlen)
{
	static const char *const allowed[] = { "host", "port", "ipv4", "ipv6", NULL };
	bool v4 = false, v6 = false;
	int has4, has6;
	const char *host, *port;

	if (reject_foreign(kv, prefix, "inet", allowed, err, errlen) < 0)
		return -1;
	if (get_prefixed(kv, prefix, "host", &host)) {
		if (strlen(host) >= sizeof(out->host)) {
			kv_errorf(err, errlen, kv, "'%s.host' is too long", prefix);
			return -1;
		}
		/* QEMU accepts [v6] in host; so do we. */
		if (host[0] == '[' && host[strlen(host) - 1] == ']')
			snprintf(out->host, sizeof(out->host), "%.*s", (int)strlen(host) - 2, host + 1);
		else
			snprintf(out->host, sizeof(out->host), "%s", host);
	}
	if (!get_prefixed(kv, prefix, "port", &port)) {
		if (port_optional)
			goto families;
		kv_errorf(err, errlen, kv, "'%s.port' is required with %s.type=inet", prefix, prefix);
		return -1;
	}
	if (sa_parse_port(port, &out->port) < 0) {
		kv_errorf(err, errlen, kv, "'%s.port' expects a port number from 0 to 65535, not '%s'",
			  prefix, port);
		return -1;
	}
families:
	has4 = get_prefixed_bool(kv, prefix, "ipv4", &v4, err, errlen);
	if (has4 < 0)
		return -1;
	has6 = get_prefixed_bool(kv, prefix, "ipv6", &v6, err, errlen);
	if (has6 < 0)
		return -1;
	/* QEMU: naming one family "on" alone restricts to it. */
	out->ipv4 = has4 ? v4 : !(has6 && v6);
	out->ipv6 = has6 ? v6 : !(has4 && v4);
	if (!out->ipv4 && !out->ipv6) {
		kv_errorf(err, errlen, kv, "'%s.ipv4' and '%s.ipv6' can't both be off", prefix, prefix);
		return -1;
	}
	return 1;
}

static int parse_kv_fd(struct kvlist *kv, const char *prefix, struct sa_spec *out,
		       char *err, size_t errlen)
{
	static const char *const allowed[] = { "str", NULL };
	const char *s;
	char *end;
	long v;

	if (reject_foreign(kv, prefix, "fd", allowed, err, errlen) < 0)
		return -1;
	if (!get_prefixed(kv, prefix, "str", &s)) {
		kv_errorf(err, errlen, kv, "'%s.str' (the file descriptor number) is required with "
			  "%s.type=fd", prefix, prefix);
		return -1;
	}
	v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || v > 1 << 20) {
		kv_errorf(err, errlen, kv, "'%s.str' expects a file descriptor number, not '%s' "
			  "(named fds are not supported)", prefix, s);
		return -1;
	}
	out->fd = (int)v;
	return 1;
}

int sa_parse_kv(struct kvlist *kv, const char *prefix, unsigned kinds, struct sa_spec *out,
		char *err, size_t errlen)
{
	const char *type;
	char name[64];
	size_t i;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	snprintf(name, sizeof(name), "%s.type", prefix);
	type = kv_get(kv, name);
	if (!type) {
		for (i = 0; i < sizeof(sa_keys) / sizeof(sa_keys[0]); i++) {
			if (prefixed_key_present(kv, prefix, sa_keys[i])) {
				kv_errorf(err, errlen, kv, "'%s.type' is required with '%s.%s'", prefix,
					  prefix, sa_keys[i]);
				return -1;
			}
		}
		return 0;
	}
	if (!strcmp(type, "unix") && (kinds & 1u << SA_UNIX)) {
		out->kind = SA_UNIX;
		return parse_kv_unix(kv, prefix, out, err, errlen);
	}
	if (!strcmp(type, "inet") && (kinds & 1u << SA_INET)) {
		out->kind = SA_INET;
		return parse_kv_inet(kv, prefix, kinds & SA_PORT_OPTIONAL, out, err, errlen);
	}
	if (!strcmp(type, "fd") && (kinds & 1u << SA_FD)) {
		out->kind = SA_FD;
		return parse_kv_fd(kv, prefix, out, err, errlen);
	}
	kv_errorf(err, errlen, kv, "'%s.type' expects %s%s%s%s%s, not '%s'", prefix,
		  kinds & 1u << SA_UNIX ? "unix" : "",
		  (kinds & 1u << SA_UNIX) && (kinds & ~(1u << SA_UNIX)) ? ", " : "",
		  kinds & 1u << SA_INET ? "inet" : "",
		  (kinds & 1u << SA_INET) && (kinds & 1u << SA_FD) ? ", " : "",
		  kinds & 1u << SA_FD ? "fd" : "", type);
	return -1;
}
