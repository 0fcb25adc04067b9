/* SPDX-License-Identifier: MIT
 *
 * dgram.c - QEMU "-netdev dgram" (and "-netdev socket,mcast|udp"): one
 * Ethernet frame per datagram, over UDP (unicast or multicast) or unix
 * datagram sockets. No header, no framing: the datagram boundary is the
 * frame boundary.
 *
 * Theory of operation: one netdev, one socket, one port named like the
 * netdev. Receive drains the socket with recvmmsg() into a fixed set of
 * DGRAM_BATCH frame buffers allocated at start, so a burst costs one
 * syscall per batch and nothing is allocated per frame. Transmit is a
 * non-blocking sendto(); if the socket buffer is full the frame is dropped
 * and counted, as a real wire would.
 *
 * Multicast follows QEMU: every member binds the group port and joins the
 * group, and loopback is on so VMs on one host see each other. That also
 * loops our own frames back to us, which would make the switch learn our
 * own guests' MAC addresses on this port. We therefore send from a second
 * socket with its own ephemeral port and drop received datagrams whose
 * source is that socket. (A host elsewhere sending from the same address
 * and port can't exist on the same link; with TTL 1 nothing else can reach
 * us.)
 *
 * On loopback (mcast=G:P,localaddr=127.0.0.1) both IP_MULTICAST_IF and the
 * group join name 127.0.0.1, which works in a fresh network namespace with
 * only "ip link set lo up": no MULTICAST flag on lo and no 224.0.0.0/4
 * route are needed. Without localaddr the kernel picks the interface from
 * the routing table, so a namespace then needs a multicast route.
 */
#include "config/keyval.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/port.h"
#include "ports/stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define DGRAM_BATCH 16
#define DGRAM_RECVS_PER_EVENT 4

enum dgram_log { DGRAM_LOG_SEND, DGRAM_LOG_RECV, DGRAM_LOG_TOO_BIG, DGRAM_LOG_LEARNED };

struct dgram_nd {
	struct netdev nd; /* first: container_of by cast */
	struct dgram_cfg cfg;
	struct port port;
	bool port_open;
	struct ev_loop *loop;

	int fd;   /* receives; sends too unless multicast */
	int txfd; /* multicast: sends, so we can recognise our own echo */
	struct ev_watch w;
	struct sockaddr_storage local, remote, self;
	socklen_t locallen, remotelen, selflen;
	char local_text[SA_TEXT_MAX], remote_text[SA_TEXT_MAX];
	bool unlink_local;

	uint8_t (*bufs)[FRAME_BUF_SIZE];
	struct mmsghdr msgs[DGRAM_BATCH];
	struct iovec iov[DGRAM_BATCH];
	struct sockaddr_storage from[DGRAM_BATCH];
	struct log_once logged; /* enum dgram_log */
};

static struct dgram_nd *port_dgram(const struct port *p)
{
	return (struct dgram_nd *)((char *)p - offsetof(struct dgram_nd, port));
}

static const char *nd_id(const struct dgram_nd *d) { return d->nd.common.id; }

static bool dgram_transmit(struct port *port, const uint8_t *frame, size_t len)
{
	struct dgram_nd *d = port_dgram(port);
	int fd = d->txfd >= 0 ? d->txfd : d->fd;

	if (d->remote.ss_family == AF_UNSPEC || fd < 0)
		return false;
	if (sendto(fd, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&d->remote,
		   d->remotelen) < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNREFUSED &&
		    errno != ENOBUFS)
			LOG_ONCE_FOR(&d->logged, DGRAM_LOG_SEND, LOG_LVL_WARN,
				     "dgram %s: send to %s: %s", port->id, d->remote_text,
				     strerror(errno));
		return false;
	}
	return true;
}

static void dgram_port_describe(const struct port *port, char *buf, size_t size)
{
	const struct dgram_nd *d = port_dgram(port);

	snprintf(buf, size, "local %s, remote %s, fd %d", d->local_text, d->remote_text, d->fd);
}

static void dgram_port_destroy(struct port *port)
{
	struct dgram_nd *d = port_dgram(port);

	d->port_open = false;
}

static const struct port_ops dgram_port_ops = {
	.kind = "dgram",
	.transmit = dgram_transmit,
	.describe = dgram_port_describe,
	.destroy = dgram_port_destroy,
};

static bool is_self(const struct dgram_nd *d, const struct sockaddr_storage *from)
{
	if (d->txfd < 0 || from->ss_family != d->self.ss_family)
		return false;
	if (from->ss_family == AF_INET) {
		const struct sockaddr_in *f = (const void *)from, *s = (const void *)&d->self;

		return f->sin_port == s->sin_port &&
		       (s->sin_addr.s_addr == htonl(INADDR_ANY) ||
			f->sin_addr.s_addr == s->sin_addr.s_addr);
	}
	if (from->ss_family == AF_INET6) {
		const struct sockaddr_in6 *f = (const void *)from, *s = (const void *)&d->self;

		return f->sin6_port == s->sin6_port &&
		       (IN6_IS_ADDR_UNSPECIFIED(&s->sin6_addr) ||
			!memcmp(&f->sin6_addr, &s->sin6_addr, sizeof(f->sin6_addr)));
	}
	return false;
}

/* learn_remote: answer the sender of this datagram from now on. */
static void learn_remote(struct dgram_nd *d, const struct sockaddr_storage *from, socklen_t len)
{
	if (len <= offsetof(struct sockaddr_un, sun_path) || from->ss_family != AF_UNIX)
		return; /* an unbound sender cannot be answered */
	if (len == d->remotelen && !memcmp(from, &d->remote, len))
		return;
	memcpy(&d->remote, from, len);
	d->remotelen = len;
	sa_format((struct sockaddr *)&d->remote, d->remotelen, d->remote_text,
		  sizeof(d->remote_text));
	LOG_ONCE_FOR(&d->logged, DGRAM_LOG_LEARNED, LOG_LVL_INFO,
		     "dgram %s: sending to %s, the last sender (logged once)", nd_id(d),
		     d->remote_text);
}

static void dgram_io(void *ctx, uint32_t events)
{
	struct dgram_nd *d = ctx;
	int round, i, n;

	for (round = 0; round < DGRAM_RECVS_PER_EVENT; round++) {
		for (i = 0; i < DGRAM_BATCH; i++) {
			d->msgs[i].msg_hdr.msg_name = &d->from[i];
			d->msgs[i].msg_hdr.msg_namelen = sizeof(d->from[i]);
			d->msgs[i].msg_hdr.msg_iov = &d->iov[i];
			d->msgs[i].msg_hdr.msg_iovlen = 1;
			d->msgs[i].msg_hdr.msg_flags = 0;
			d->msgs[i].msg_len = 0;
			d->iov[i].iov_base = d->bufs[i];
			d->iov[i].iov_len = FRAME_BUF_SIZE;
		}
		n = recvmmsg(d->fd, d->msgs, DGRAM_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNREFUSED)
				LOG_ONCE_FOR(&d->logged, DGRAM_LOG_RECV, LOG_LVL_WARN,
					     "dgram %s: receive: %s", nd_id(d), strerror(errno));
			return;
		}
		for (i = 0; i < n; i++) {
			if (d->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				d->port.stats.rx_drops++;
				LOG_ONCE_FOR(&d->logged, DGRAM_LOG_TOO_BIG, LOG_LVL_WARN,
					     "dgram %s: dropped a datagram larger than "
					     "%u bytes", nd_id(d), (unsigned)FRAME_MAX);
				continue;
			}
			if (is_self(d, &d->from[i]))
				continue;
			if (d->cfg.learn_remote) {
				learn_remote(d, &d->from[i], d->msgs[i].msg_hdr.msg_namelen);
				if (d->msgs[i].msg_len == 4 && !memcmp(d->bufs[i], "VFKT", 4))
					continue; /* vfkit's hello, not a frame */
			}
			/* port_receive() drops runts and oversize frames */
			port_receive(&d->port, d->bufs[i], d->msgs[i].msg_len);
		}
		if (n < DGRAM_BATCH)
			return;
	}
}

/* --- start -------------------------------------------------------------- */

static int fail(struct dgram_nd *d, char *err, size_t errlen, const char *key, const char *what,
		const char *addr, int error)
{
	snprintf(err, errlen, "-netdev %s,id=%s: '%s' %s: %s: %s", d->nd.type->name, nd_id(d),
		 key, addr, what, strerror(error));
	return -1;
}

static int prepare_unix_local(struct dgram_nd *d, char *err, size_t errlen)
{
	const char *path = d->cfg.local.path;
	char dir[SA_PATH_MAX];
	struct stat st;

	if (d->cfg.local.abstract)
		return 0;
	snprintf(dir, sizeof(dir), "%s", path);
	if (stat(dirname(dir), &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "-netdev dgram,id=%s: 'local.path' %s: directory %s does not "
			 "exist", nd_id(d), path, dir);
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "-netdev dgram,id=%s: 'local.path' %s exists and is not "
				 "a socket", nd_id(d), path);
			return -1;
		}
		unlink(path);
	}
	return 0;
}

static int mcast_setup(struct dgram_nd *d, char *err, size_t errlen)
{
	const char *key = "remote.host";
	struct sockaddr_storage ifaddr;
	socklen_t iflen = 0;
	int one = 1, ttl = 1;
	char why[160];

	if (d->cfg.local.kind == SA_INET && d->cfg.local.host[0]) {
		if (sa_resolve(&d->cfg.local, true, &ifaddr, &iflen, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "-netdev %s,id=%s: 'local.host': %s", d->nd.type->name,
				 nd_id(d), why);
			return -1;
		}
		if (ifaddr.ss_family != d->remote.ss_family) {
			snprintf(err, errlen, "-netdev %s,id=%s: 'local.host' %s is not of the same "
				 "address family as the group", d->nd.type->name, nd_id(d),
				 d->cfg.local.host);
			return -1;
		}
	}
	d->fd = socket(d->remote.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	d->txfd = socket(d->remote.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->fd < 0 || d->txfd < 0)
		return fail(d, err, errlen, key, "socket", d->remote_text, errno);
	/* Several members on one host share the group port. */
	setsockopt(d->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(d->fd, (struct sockaddr *)&d->remote, d->remotelen) < 0)
		return fail(d, err, errlen, key, "bind", d->remote_text, errno);

	if (d->remote.ss_family == AF_INET) {
		struct ip_mreq mreq = {
			.imr_multiaddr = ((struct sockaddr_in *)&d->remote)->sin_addr,
			.imr_interface.s_addr = htonl(INADDR_ANY),
		};
		struct sockaddr_in txa = { .sin_family = AF_INET };
		unsigned char loop = 1, t = 1;

		if (iflen) {
			mreq.imr_interface = ((struct sockaddr_in *)&ifaddr)->sin_addr;
			txa.sin_addr = mreq.imr_interface;
		}
		if (setsockopt(d->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) < 0)
			return fail(d, err, errlen, iflen ? "local.host" : key, "joining the group",
				    d->remote_text, errno);
		if (setsockopt(d->txfd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)) < 0 ||
		    setsockopt(d->txfd, IPPROTO_IP, IP_MULTICAST_TTL, &t, sizeof(t)) < 0)
			return fail(d, err, errlen, key, "multicast options", d->remote_text, errno);
		if (iflen && setsockopt(d->txfd, IPPROTO_IP, IP_MULTICAST_IF, &mreq.imr_interface,
					sizeof(mreq.imr_interface)) < 0)
			return fail(d, err, errlen, "local.host", "IP_MULTICAST_IF", d->cfg.local.host,
				    errno);
		if (bind(d->txfd, (struct sockaddr *)&txa, sizeof(txa)) < 0)
			return fail(d, err, errlen, "local.host", "bind", d->cfg.local.host, errno);
	} else {
		struct ipv6_mreq mreq = {
			.ipv6mr_multiaddr = ((struct sockaddr_in6 *)&d->remote)->sin6_addr,
		};
		struct sockaddr_in6 txa = { .sin6_family = AF_INET6 };
		unsigned loop = 1;

		if (iflen)
			txa.sin6_addr = ((struct sockaddr_in6 *)&ifaddr)->sin6_addr;
		if (setsockopt(d->fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq, sizeof(mreq)) < 0)
			return fail(d, err, errlen, key, "joining the group", d->remote_text, errno);
		if (setsockopt(d->txfd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof(loop)) < 0 ||
		    setsockopt(d->txfd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof(ttl)) < 0)
			return fail(d, err, errlen, key, "multicast options", d->remote_text, errno);
		if (bind(d->txfd, (struct sockaddr *)&txa, sizeof(txa)) < 0)
			return fail(d, err, errlen, "local.host", "bind", d->cfg.local.host, errno);
	}
	d->selflen = sizeof(d->self);
	getsockname(d->txfd, (struct sockaddr *)&d->self, &d->selflen);
	if (iflen)
		sa_format((struct sockaddr *)&ifaddr, iflen, d->local_text, sizeof(d->local_text));
	else
		snprintf(d->local_text, sizeof(d->local_text), "any interface");
	return 0;
}

static int unicast_setup(struct dgram_nd *d, char *err, size_t errlen)
{
	const char *key = d->cfg.local.kind == SA_UNIX ? "local.path" : "local.host";
	char why[160];

	if (sa_resolve(&d->cfg.local, true, &d->local, &d->locallen, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "-netdev %s,id=%s: '%s': %s", d->nd.type->name, nd_id(d),
			 key, why);
		return -1;
	}
	if (!d->cfg.learn_remote && d->local.ss_family != d->remote.ss_family) {
		snprintf(err, errlen, "-netdev %s,id=%s: '%s' and the remote address are of "
			 "different families", d->nd.type->name, nd_id(d), key);
		return -1;
	}
	sa_format((struct sockaddr *)&d->local, d->locallen, d->local_text, sizeof(d->local_text));
	if (d->cfg.local.kind == SA_UNIX && prepare_unix_local(d, err, errlen) < 0)
		return -1;
	d->fd = socket(d->local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->fd < 0)
		return fail(d, err, errlen, key, "socket", d->local_text, errno);
	if ((d->local.ss_family == AF_UNIX
	     ? unix_bind_acl_inplace(d->fd, (const struct sockaddr_un *)&d->local, d->locallen,
				     &d->cfg.acl)
	     : bind(d->fd, (struct sockaddr *)&d->local, d->locallen)) < 0)
		return fail(d, err, errlen, key, "bind", d->local_text, errno);
	d->unlink_local = d->cfg.local.kind == SA_UNIX && !d->cfg.local.abstract;
	if (d->local.ss_family != AF_UNIX) {
		/* port 0: learn the port we got, for hints */
		d->locallen = sizeof(d->local);
		getsockname(d->fd, (struct sockaddr *)&d->local, &d->locallen);
		sa_format((struct sockaddr *)&d->local, d->locallen, d->local_text,
			  sizeof(d->local_text));
	}
	return 0;
}

static int dgram_start(struct netdev *nd, struct ev_loop *loop, char *err, size_t errlen)
{
	struct dgram_nd *d = (struct dgram_nd *)nd;
	const char *rkey = d->cfg.remote.kind == SA_UNIX ? "remote.path" : "remote.host";
	char why[160];

	d->loop = loop;
	if (d->cfg.learn_remote) {
		snprintf(d->remote_text, sizeof(d->remote_text), "the last sender (none yet)");
	} else if (sa_resolve(&d->cfg.remote, false, &d->remote, &d->remotelen, why,
			      sizeof(why)) < 0) {
		snprintf(err, errlen, "-netdev %s,id=%s: '%s': %s", nd->type->name, nd_id(d), rkey,
			 why);
		return -1;
	}
	else
		sa_format((struct sockaddr *)&d->remote, d->remotelen, d->remote_text,
			  sizeof(d->remote_text));
	if (d->cfg.mcast && !sa_is_multicast((struct sockaddr *)&d->remote)) {
		snprintf(err, errlen, "-netdev %s,id=%s: '%s' %s is not a multicast address",
			 nd->type->name, nd_id(d), rkey, d->remote_text);
		return -1;
	}
	if ((d->cfg.mcast ? mcast_setup : unicast_setup)(d, err, errlen) < 0)
		return -1;
	d->bufs = malloc(sizeof(*d->bufs) * DGRAM_BATCH);
	if (!d->bufs) {
		snprintf(err, errlen, "-netdev %s,id=%s: out of memory", nd->type->name, nd_id(d));
		return -1;
	}
	ev_watch_init(&d->w, d->fd, dgram_io, d);
	if (ev_watch_add(loop, &d->w, EPOLLIN) < 0)
		return fail(d, err, errlen, rkey, "epoll", d->remote_text, errno);
	port_init(&d->port, &dgram_port_ops, nd_id(d));
	d->port_open = true;
	netdev_port_setup(nd, &d->port);
	info("dgram %s: %s %s, sending to %s", nd_id(d), d->cfg.mcast ? "joined" : "bound to",
	     d->cfg.mcast ? d->remote_text : d->local_text, d->remote_text);
	return 0;
}

/* --- netdev ------------------------------------------------------------- */

struct netdev *dgram_netdev_new(const struct dgram_cfg *cfg, const struct netdev_type *type)
{
	struct dgram_nd *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->nd.type = type;
	d->nd.ops = &dgram_netdev_ops;
	d->cfg = *cfg;
	d->fd = d->txfd = -1;
	return &d->nd;
}

const struct dgram_cfg *dgram_netdev_cfg(const struct netdev *nd)
{
	return &((const struct dgram_nd *)nd)->cfg;
}

/* An inet address as QEMU's host= would take it; with any_to_loopback the
 * wildcard becomes the loopback address a client would connect to. */
static void format_host(const struct sockaddr_storage *ss, bool any_to_loopback, char *host,
			size_t size)
{
	if (any_to_loopback)
		sa_format_host_for_client((const struct sockaddr *)ss, host, size);
	else if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, host, (socklen_t)size);
	else
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, host,
			  (socklen_t)size);
}

static void print_host_port(FILE *out, const struct sockaddr_storage *ss, bool any_to_loopback)
{
	char host[64];

	format_host(ss, any_to_loopback, host, sizeof(host));
	if (ss->ss_family == AF_INET6)
		fprintf(out, "[%s]:%u", host, sa_port((const struct sockaddr *)ss));
	else
		fprintf(out, "%s:%u", host, sa_port((const struct sockaddr *)ss));
}

static void print_sa_keys(FILE *out, const char *prefix, const struct sockaddr_storage *ss,
			  bool any_to_loopback)
{
	char host[64];

	if (ss->ss_family == AF_UNIX) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)ss;

		fprintf(out, "%s.type=unix,%s.path=", prefix, prefix);
		if (!un->sun_path[0]) {
			qemu_print_escaped(out, un->sun_path + 1);
			fprintf(out, ",%s.abstract=on", prefix);
		} else {
			qemu_print_escaped(out, un->sun_path);
		}
		return;
	}
	format_host(ss, any_to_loopback, host, sizeof(host));
	fprintf(out, "%s.type=inet,%s.host=%s,%s.port=%u", prefix, prefix, host, prefix,
		sa_port((const struct sockaddr *)ss));
}

static void dgram_hint(const struct netdev *nd, FILE *out)
{
	const struct dgram_nd *d = (const struct dgram_nd *)nd;
	const char *id = nd->common.id;

	if (d->remote.ss_family == AF_UNSPEC)
		return; /* not started */
	if (d->cfg.compat) {
		fprintf(out, "-netdev socket,id=%s,", id);
		if (d->cfg.mcast) {
			fputs("mcast=", out);
			print_host_port(out, &d->remote, false);
			if (d->cfg.local.host[0])
				fprintf(out, ",localaddr=%s", d->cfg.local.host);
		} else {
			fputs("udp=", out);
			print_host_port(out, &d->local, true);
			fputs(",localaddr=", out);
			print_host_port(out, &d->remote, false);
		}
	} else {
		fprintf(out, "-netdev dgram,id=%s,", id);
		if (d->cfg.mcast) {
			print_sa_keys(out, "remote", &d->remote, false);
			if (d->cfg.local.host[0])
				fprintf(out, ",local.type=inet,local.host=%s", d->cfg.local.host);
		} else {
			/* the VM's local is our remote and vice versa */
			print_sa_keys(out, "local", &d->remote, false);
			fputc(',', out);
			print_sa_keys(out, "remote", &d->local, true);
		}
	}
	fprintf(out, "\n-device virtio-net-pci,netdev=%s\n", id);
}

static void dgram_describe(const struct netdev *nd, char *buf, size_t size)
{
	const struct dgram_nd *d = (const struct dgram_nd *)nd;

	if (d->cfg.mcast)
		snprintf(buf, size, "multicast group %s on %s", d->remote_text, d->local_text);
	else
		snprintf(buf, size, "%s <-> %s", d->local_text, d->remote_text);
}

static void dgram_destroy(struct netdev *nd)
{
	struct dgram_nd *d = (struct dgram_nd *)nd;

	if (d->port_open)
		port_close(&d->port);
	if (d->fd >= 0) {
		if (d->loop)
			ev_watch_del(d->loop, &d->w);
		close(d->fd);
	}
	if (d->txfd >= 0)
		close(d->txfd);
	if (d->unlink_local)
		unlink(d->cfg.local.path);
	free(d->bufs);
	free(d);
}

static struct netdev *dgram_parse(struct kvlist *kv, char *err, size_t errlen)
{
	struct dgram_cfg cfg = { 0 };
	int hl, hr;
	struct netdev *nd;

	kv_get(kv, "type");
	hr = sa_parse_kv(kv, "remote", 1u << SA_UNIX | 1u << SA_INET, &cfg.remote, err, errlen);
	if (hr < 0)
		return NULL;
	cfg.mcast = cfg.remote.kind == SA_INET && sa_host_is_multicast(cfg.remote.host);
	hl = sa_parse_kv(kv, "local", 1u << SA_UNIX | 1u << SA_INET | 1u << SA_FD |
			 (cfg.mcast ? SA_PORT_OPTIONAL : 0), &cfg.local, err, errlen);
	if (hl < 0)
		return NULL;
	if (!hl && !hr) {
		kv_errorf(err, errlen, kv, "'remote.type' or 'local.type' is required");
		return NULL;
	}
	if (cfg.local.kind == SA_FD) {
		kv_errorf(err, errlen, kv, "'local.type' fd is not supported by vmwire");
		return NULL;
	}
	if (cfg.remote.kind == SA_INET) {
		if (!cfg.remote.host[0]) {
			kv_errorf(err, errlen, kv, "'remote.host' is required with remote.type=inet");
			return NULL;
		}
		if (!cfg.remote.port) {
			kv_errorf(err, errlen, kv, "'remote.port' must not be 0");
			return NULL;
		}
	}
	if (cfg.mcast) {
		/* QEMU: with a group, local may only name the interface address */
		if (cfg.local.kind == SA_UNIX) {
			kv_errorf(err, errlen, kv, "'local.type' must be inet when remote.host is the "
				  "multicast group %s", cfg.remote.host);
			return NULL;
		}
		if (cfg.local.kind == SA_INET && kv_has(kv, "local.port")) {
			kv_errorf(err, errlen, kv, "'local.port' is not valid when remote.host is a "
				  "multicast group (members use remote.port); local.host alone picks "
				  "the interface");
			return NULL;
		}
	} else {
		if (!hl) {
			kv_errorf(err, errlen, kv, "'local.type' is required unless remote.host is a "
				  "multicast group");
			return NULL;
		}
		if (!hr && cfg.local.kind == SA_UNIX) {
			cfg.learn_remote = true; /* vfkit */
		} else if (!hr) {
			kv_errorf(err, errlen, kv, "'remote.type' is required with local.type=inet");
			return NULL;
		} else if (cfg.local.kind != cfg.remote.kind) {
			kv_errorf(err, errlen, kv, "'remote.type' must be the same as 'local.type'");
			return NULL;
		}
	}
	if (unix_acl_parse_if(kv, cfg.local.kind == SA_UNIX && !cfg.local.abstract,
			      "for a local socket file (local.type=unix)", &cfg.acl, err, errlen) < 0)
		return NULL;
	nd = dgram_netdev_new(&cfg, &netdev_dgram_type);
	if (!nd)
		kv_errorf(err, errlen, kv, "out of memory");
	return nd;
}

const struct netdev_ops dgram_netdev_ops = {
	.start = dgram_start,
	.hint = dgram_hint,
	.describe = dgram_describe,
	.destroy = dgram_destroy,
};

static const struct netdev_key dgram_keys[] = {
	{ "local.type=inet,local.host=HOST,local.port=PORT", "the UDP address to bind", NULL },
	{ "local.type=unix,local.path=PATH", "the unix datagram socket to bind, removed on exit", NULL },
	{ UNIX_ACL_HELP_MODE, "local unix: the socket file's permissions (default 0777 & ~umask)",
	  "Bound at its path (peers reply to its name) under a umask that is never\n"
	  "more open than asked; with owner= or group= it is 0600 until chowned." },
	{ UNIX_ACL_HELP_OWNER, "local unix: the socket file's owner (needs CAP_CHOWN)", NULL },
	{ UNIX_ACL_HELP_GROUP, "local unix: the socket file's group", NULL },
	{ "remote.type=inet,remote.host=HOST,remote.port=PORT",
	  "the UDP peer to send to; a multicast remote.host joins that group and local.host "
	  "alone picks the interface", NULL },
	{ "remote.type=unix,remote.path=PATH", "the unix datagram socket to send to",
	  "Without it, a unix\n.B local\nsocket sends to the sender of the latest datagram, as vfkit's\n"
	  "peers (gvproxy) do: vfkit connects its own socket to this one, may send the\n"
	  "4-byte handshake datagram VFKT first (swallowed, not counted as a drop) and\n"
	  "expects one frame per datagram back." },
	{ NULL, NULL, NULL },
};

const struct netdev_type netdev_dgram_type = {
	.name = "dgram",
	.summary = "QEMU -netdev dgram: one frame per datagram",
	.man = "QEMU's\n.B \\-netdev dgram\nbackend: one frame per datagram, over UDP (unicast "
	       "or multicast)\nor unix datagram sockets.",
	.keys = dgram_keys,
	.man_notes = "QEMU's\n.B local.type=fd\nis not supported.",
	.parse = dgram_parse,
	.sandbox = {
		.paths = "its unix socket file (to remove it at exit)",
	},
};
