/* SPDX-License-Identifier: MIT
 *
 * l2tpv3.c - QEMU's "-netdev l2tpv3": Ethernet over an L2TPv3 static
 * session (RFC 3931, pseudowire type Ethernet), in UDP or directly in IP
 * (protocol 115), with QEMU's keys and QEMU's bytes on the wire. The
 * header itself is l2tpv3_codec.c.
 *
 * Theory of operation: one netdev, one socket bound to src=, one port
 * named like the netdev. There is no control channel: both ends are told
 * the sessions and cookies, as with QEMU and "ip l2tp add tunnel ...
 * encap udp|ip" on Linux. Transmit is one sendmsg() of the prebuilt header
 * and the frame, towards dst= (non-blocking; a full socket buffer drops
 * the frame and counts it, as a wire would). Receive drains the socket
 * with recvmmsg() into buffers allocated at start; each packet goes
 * through l2tpv3_decap() and anything that is not a frame for this
 * session is dropped and counted by reason (shown in "info network").
 *
 * Like QEMU, received packets are not filtered by source address: the
 * session and cookie are what identify the peer. In IP mode the socket is
 * raw (root or CAP_NET_RAW); a raw IPv4 socket hands over the IP header,
 * which the codec skips by its IHL.
 */
#include "config/keyval.h"
#include "config/netdev.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/port.h"
#include "ports/l2tpv3_codec.h"
#include "ports/sockaddr.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef IPPROTO_L2TP
#define IPPROTO_L2TP 115
#endif

#define L2TPV3_BATCH 16
#define L2TPV3_RECVS_PER_EVENT 4
/* A raw IPv4 socket adds the IP header (up to 60 bytes) to the packet. */
#define L2TPV3_BUF_SIZE (FRAME_BUF_SIZE + L2TPV3_HDR_MAX + 60)

extern const struct netdev_type netdev_l2tpv3_type;
static const struct netdev_ops l2tpv3_netdev_ops;

enum l2tpv3_log { L2TPV3_LOG_SEND, L2TPV3_LOG_RECV, L2TPV3_LOG_DROP };

struct l2tpv3_nd {
	struct netdev nd; /* first: container_of by cast */
	struct l2tpv3_params p;
	struct sa_spec src, dst;
	bool ipv6;
	struct port port;
	bool port_open;
	struct ev_loop *loop;

	int fd;
	struct ev_watch w;
	struct sockaddr_storage remote;
	socklen_t remotelen;
	char local_text[SA_TEXT_MAX], remote_text[SA_TEXT_MAX];

	uint32_t seq; /* last counter sent */
	uint8_t txhdr[L2TPV3_HDR_MAX];
	uint64_t drops[L2TPV3_VERDICTS]; /* by reason; [L2TPV3_OK] unused */
	uint64_t oversized; /* larger than a receive buffer */

	uint8_t (*bufs)[L2TPV3_BUF_SIZE];
	struct mmsghdr msgs[L2TPV3_BATCH];
	struct iovec iov[L2TPV3_BATCH];
	struct log_once logged; /* enum l2tpv3_log */
};

static struct l2tpv3_nd *port_l2tpv3(const struct port *p)
{
	return (struct l2tpv3_nd *)((char *)p - offsetof(struct l2tpv3_nd, port));
}

static const char *nd_id(const struct l2tpv3_nd *l) { return l->nd.common.id; }

static bool l2tpv3_transmit(struct port *port, const uint8_t *frame, size_t len)
{
	struct l2tpv3_nd *l = port_l2tpv3(port);
	struct iovec iov[2];
	struct msghdr mh = {
		.msg_name = &l->remote,
		.msg_namelen = l->remotelen,
		.msg_iov = iov,
		.msg_iovlen = 2,
	};

	if (l->fd < 0)
		return false;
	/* QEMU numbers every frame it tries to send, from 1 */
	iov[0].iov_base = l->txhdr;
	iov[0].iov_len = l2tpv3_encap(&l->p, ++l->seq, l->txhdr);
	iov[1].iov_base = (void *)frame;
	iov[1].iov_len = len;
	if (sendmsg(l->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNREFUSED &&
		    errno != ENOBUFS)
			LOG_ONCE_FOR(&l->logged, L2TPV3_LOG_SEND, LOG_LVL_WARN,
				     "l2tpv3 %s: send to %s: %s", port->id, l->remote_text,
				     strerror(errno));
		return false;
	}
	return true;
}

static void l2tpv3_describe(const struct netdev *nd, char *buf, size_t size);

/* "info network" shows a one-port netdev as its port's line: the session
 * and the drop counters go there. */
static void l2tpv3_port_describe(const struct port *port, char *buf, size_t size)
{
	l2tpv3_describe(&port_l2tpv3(port)->nd, buf, size);
}

static void l2tpv3_port_destroy(struct port *port)
{
	port_l2tpv3(port)->port_open = false;
}

static const struct port_ops l2tpv3_port_ops = {
	.kind = "l2tpv3",
	.transmit = l2tpv3_transmit,
	.describe = l2tpv3_port_describe,
	.destroy = l2tpv3_port_destroy,
};

static void l2tpv3_input(struct l2tpv3_nd *l, const struct mmsghdr *m, const uint8_t *pkt)
{
	bool ipv4_raw = !l->p.udp && !l->ipv6;
	enum l2tpv3_verdict v;
	size_t off = 0, len = 0;

	if (m->msg_hdr.msg_flags & MSG_TRUNC) {
		l->oversized++;
		l->port.stats.rx_drops++;
		return;
	}
	v = l2tpv3_decap(&l->p, ipv4_raw, pkt, m->msg_len, &off, &len);
	if (v != L2TPV3_OK) {
		l->drops[v]++;
		l->port.stats.rx_drops++;
		LOG_ONCE_FOR(&l->logged, L2TPV3_LOG_DROP, LOG_LVL_WARN,
			     "l2tpv3 %s: dropped a packet (%s); further drops are only counted",
			     nd_id(l), l2tpv3_verdict_names[v]);
		return;
	}
	/* port_receive() drops and counts runts and oversize frames */
	port_receive(&l->port, pkt + off, len);
}

static void l2tpv3_io(void *ctx, uint32_t events)
{
	struct l2tpv3_nd *l = ctx;
	int round, i, n;

	(void)events;
	for (round = 0; round < L2TPV3_RECVS_PER_EVENT; round++) {
		for (i = 0; i < L2TPV3_BATCH; i++) {
			memset(&l->msgs[i], 0, sizeof(l->msgs[i]));
			l->msgs[i].msg_hdr.msg_iov = &l->iov[i];
			l->msgs[i].msg_hdr.msg_iovlen = 1;
			l->iov[i].iov_base = l->bufs[i];
			l->iov[i].iov_len = L2TPV3_BUF_SIZE;
		}
		n = recvmmsg(l->fd, l->msgs, L2TPV3_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNREFUSED)
				LOG_ONCE_FOR(&l->logged, L2TPV3_LOG_RECV, LOG_LVL_WARN,
					     "l2tpv3 %s: receive: %s", nd_id(l), strerror(errno));
			return;
		}
		for (i = 0; i < n; i++)
			l2tpv3_input(l, &l->msgs[i], l->bufs[i]);
		if (n < L2TPV3_BATCH)
			return;
	}
}

/* --- start -------------------------------------------------------------- */

static int l2tpv3_start(struct netdev *nd, struct ev_loop *loop, char *err, size_t errlen)
{
	struct l2tpv3_nd *l = (struct l2tpv3_nd *)nd;
	struct sockaddr_storage local;
	socklen_t locallen;
	char why[160];

	l->loop = loop;
	if (sa_resolve(&l->src, true, &local, &locallen, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "-netdev l2tpv3,id=%s: 'src': %s", nd_id(l), why);
		return -1;
	}
	if (sa_resolve(&l->dst, false, &l->remote, &l->remotelen, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "-netdev l2tpv3,id=%s: 'dst': %s", nd_id(l), why);
		return -1;
	}
	sa_format((struct sockaddr *)&local, locallen, l->local_text, sizeof(l->local_text));
	sa_format((struct sockaddr *)&l->remote, l->remotelen, l->remote_text,
		  sizeof(l->remote_text));
	if (l->p.udp)
		l->fd = socket(local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	else
		l->fd = socket(local.ss_family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			       IPPROTO_L2TP);
	if (l->fd < 0) {
		snprintf(err, errlen, "-netdev l2tpv3,id=%s: socket: %s%s", nd_id(l),
			 strerror(errno), l->p.udp ? "" : " (udp=off needs root or CAP_NET_RAW)");
		return -1;
	}
	if (bind(l->fd, (struct sockaddr *)&local, locallen) < 0) {
		snprintf(err, errlen, "-netdev l2tpv3,id=%s: 'src' %s: bind: %s", nd_id(l),
			 l->local_text, strerror(errno));
		return -1;
	}
	l->bufs = malloc(sizeof(*l->bufs) * L2TPV3_BATCH);
	if (!l->bufs) {
		snprintf(err, errlen, "-netdev l2tpv3,id=%s: out of memory", nd_id(l));
		return -1;
	}
	ev_watch_init(&l->w, l->fd, l2tpv3_io, l);
	if (ev_watch_add(loop, &l->w, EPOLLIN) < 0) {
		snprintf(err, errlen, "-netdev l2tpv3,id=%s: epoll: %s", nd_id(l), strerror(errno));
		return -1;
	}
	port_init(&l->port, &l2tpv3_port_ops, nd_id(l));
	l->port_open = true;
	netdev_port_setup(nd, &l->port);
	info("l2tpv3 %s: %s %s, sending to %s, session tx %" PRIu32 " rx %" PRIu32, nd_id(l),
	     l->p.udp ? "udp" : "ip", l->local_text, l->remote_text, l->p.tx_session,
	     l->p.rx_session);
	return 0;
}

/* --- netdev ------------------------------------------------------------- */

static void l2tpv3_describe(const struct netdev *nd, char *buf, size_t size)
{
	const struct l2tpv3_nd *l = (const struct l2tpv3_nd *)nd;

	snprintf(buf, size, "%s %s -> %s, session tx %" PRIu32 " rx %" PRIu32 ", cookie %u-bit, "
		 "counter %s; dropped: truncated %" PRIu64 ", not data %" PRIu64
		 ", wrong session %" PRIu64 ", wrong cookie %" PRIu64 ", empty %" PRIu64
		 ", bad IPv4 header %" PRIu64 ", oversized %" PRIu64,
		 l->p.udp ? "udp" : "ip", l->local_text, l->remote_text, l->p.tx_session,
		 l->p.rx_session, l->p.cookie_len * 8,
		 !l->p.counter ? "off" : l->p.pin_counter ? "pinned" : "on",
		 l->drops[L2TPV3_TRUNCATED], l->drops[L2TPV3_NOT_DATA],
		 l->drops[L2TPV3_BAD_SESSION], l->drops[L2TPV3_BAD_COOKIE],
		 l->drops[L2TPV3_EMPTY], l->drops[L2TPV3_BAD_IP], l->oversized);
}

static void l2tpv3_destroy(struct netdev *nd)
{
	struct l2tpv3_nd *l = (struct l2tpv3_nd *)nd;

	if (l->port_open)
		port_close(&l->port);
	if (l->fd >= 0) {
		if (l->loop)
			ev_watch_del(l->loop, &l->w);
		close(l->fd);
	}
	free(l->bufs);
	free(l);
}

/* s: the value of key, already read (tools/check-help.sh finds keys by
 * the literal in each kv_get*() call) */
static int host_key(struct kvlist *kv, const char *key, const char *s, struct sa_spec *sa,
		    bool ipv6, char *err, size_t errlen)
{
	if (!s || !*s) {
		kv_errorf(err, errlen, kv, "'%s' is required", key);
		return -1;
	}
	sa->kind = SA_INET;
	snprintf(sa->host, sizeof(sa->host), "%s", s);
	sa->ipv4 = !ipv6;
	sa->ipv6 = ipv6;
	return 0;
}

static int port_key(struct kvlist *kv, const char *key, int r, uint64_t v, struct sa_spec *sa,
		    char *err, size_t errlen)
{
	if (r < 0)
		return -1;
	if (r == 0) {
		kv_errorf(err, errlen, kv, "'%s' is required with udp=on (QEMU: \"need both src "
			  "and dst port for udp\")", key);
		return -1;
	}
	sa->port = (uint16_t)v;
	return 0;
}

static struct netdev *l2tpv3_parse(struct kvlist *kv, char *err, size_t errlen)
{
	struct l2tpv3_params p = { 0 };
	struct sa_spec src = { 0 }, dst = { 0 };
	const char *srcs = NULL, *dsts = NULL;
	bool ipv6 = false, counter = false, pin = false, c64 = false;
	uint64_t v, txc = 0, rxc = 0, cmax;
	int has_tx, has_rx;
	struct l2tpv3_nd *l;

	kv_get(kv, "type"); /* the implied key the CLI read the type from */
	if (kv_get_bool(kv, "ipv6", &ipv6, err, errlen) < 0 ||
	    kv_get_bool(kv, "udp", &p.udp, err, errlen) < 0 ||
	    kv_get_bool(kv, "counter", &counter, err, errlen) < 0 ||
	    kv_get_bool(kv, "pincounter", &pin, err, errlen) < 0 ||
	    kv_get_bool(kv, "cookie64", &c64, err, errlen) < 0)
		return NULL;
	/* QEMU: the mere presence of cookie64 (even =off) selects 64 bits */
	c64 = kv_has(kv, "cookie64");
	if (kv_get_str(kv, "src", SA_HOST_MAX - 1, &srcs, err, errlen) < 0 ||
	    kv_get_str(kv, "dst", SA_HOST_MAX - 1, &dsts, err, errlen) < 0 ||
	    host_key(kv, "src", srcs, &src, ipv6, err, errlen) < 0 ||
	    host_key(kv, "dst", dsts, &dst, ipv6, err, errlen) < 0)
		return NULL;
	if (p.udp) {
		uint64_t sp = 0, dp = 0;
		int hs = kv_get_uint(kv, "srcport", 0, 65535, &sp, err, errlen);

		if (port_key(kv, "srcport", hs, sp, &src, err, errlen) < 0)
			return NULL;
		hs = kv_get_uint(kv, "dstport", 0, 65535, &dp, err, errlen);
		if (port_key(kv, "dstport", hs, dp, &dst, err, errlen) < 0)
			return NULL;
	} else if (kv_has(kv, "srcport") || kv_has(kv, "dstport")) {
		kv_errorf(err, errlen, kv, "'srcport' and 'dstport' need udp=on (QEMU ignores them)");
		return NULL;
	}
	switch (kv_get_uint(kv, "txsession", 0, UINT32_MAX, &v, err, errlen)) {
	case -1:
		return NULL;
	case 0:
		kv_errorf(err, errlen, kv, "'txsession' is required");
		return NULL;
	}
	p.tx_session = p.rx_session = (uint32_t)v;
	if (kv_get_uint(kv, "rxsession", 0, UINT32_MAX, &v, err, errlen) < 0)
		return NULL;
	if (kv_has(kv, "rxsession"))
		p.rx_session = (uint32_t)v;
	cmax = c64 ? UINT64_MAX : UINT32_MAX;
	has_tx = kv_get_uint(kv, "txcookie", 0, cmax, &txc, err, errlen);
	if (has_tx < 0)
		return NULL;
	has_rx = kv_get_uint(kv, "rxcookie", 0, cmax, &rxc, err, errlen);
	if (has_rx < 0)
		return NULL;
	if (has_tx != has_rx) {
		kv_errorf(err, errlen, kv, "require both 'rxcookie' and 'txcookie' or neither");
		return NULL;
	}
	if (has_tx) {
		p.cookie_len = c64 ? 8 : 4;
		p.tx_cookie = txc;
		p.rx_cookie = rxc;
	}
	/* QEMU: pincounter=on alone reserves no counter field on the wire */
	p.counter = counter;
	p.pin_counter = pin && counter;
	if (kv_get_uint(kv, "offset", 0, L2TPV3_OFFSET_MAX, &v, err, errlen) < 0)
		return NULL;
	if (kv_has(kv, "offset"))
		p.offset = (unsigned)v;

	l = calloc(1, sizeof(*l));
	if (!l) {
		kv_errorf(err, errlen, kv, "out of memory");
		return NULL;
	}
	l->nd.type = &netdev_l2tpv3_type;
	l->nd.ops = &l2tpv3_netdev_ops;
	l->p = p;
	l->src = src;
	l->dst = dst;
	l->ipv6 = ipv6;
	l->fd = -1;
	return &l->nd;
}

static const struct netdev_ops l2tpv3_netdev_ops = {
	.start = l2tpv3_start,
	.describe = l2tpv3_describe,
	.destroy = l2tpv3_destroy,
};

static const struct netdev_key l2tpv3_keys[] = {
	{ "src=HOST", "the local address to bind (required)", NULL },
	{ "dst=HOST", "the peer's address (required)", NULL },
	{ "udp=on|off", "L2TPv3 over UDP (on) or directly over IP, protocol 115 (off, default)",
	  "With\n.B udp=off\nthe socket is raw: vmwire needs root or CAP_NET_RAW." },
	{ "srcport=PORT", "udp=on: the local UDP port (required with udp=on)", NULL },
	{ "dstport=PORT", "udp=on: the peer's UDP port (required with udp=on)", NULL },
	{ "ipv6=on|off", "src and dst are IPv6 addresses (default off)", NULL },
	{ "txsession=N", "the session id sent (required, 32 bits)", NULL },
	{ "rxsession=N", "the session id accepted (default: txsession)", NULL },
	{ "txcookie=N", "the cookie sent (with rxcookie, or neither)", NULL },
	{ "rxcookie=N", "the cookie accepted (with txcookie, or neither)", NULL },
	{ "cookie64=on|off", "any cookie64 key, even off, makes cookies 64 bits",
	  "As in QEMU, which tests for the key's presence: without it the cookies are\n"
	  "32 bits and larger values are refused." },
	{ "counter=on|off", "send a counter field, 1 for the first frame (default off)",
	  "QEMU's documentation describes the counter as checked on receipt; its code\n"
	  "neither checks nor reorders by it, it only expects the 4 bytes. vmwire does\n"
	  "the same: both ends must agree on counter=, and lost or reordered packets are\n"
	  "delivered as they come." },
	{ "pincounter=on|off", "with counter=on, always send the counter as 0",
	  "Without\n.B counter=on\nit adds no field (QEMU's wire behaviour)." },
	{ "offset=N", "N bytes (0 to 256) between header and frame, sent as zeros", NULL },
	{ NULL, NULL, NULL },
};

const struct netdev_type netdev_l2tpv3_type = {
	.name = "l2tpv3",
	.summary = "QEMU -netdev l2tpv3: an L2TPv3 static session over UDP or IP",
	.man = "QEMU's\n.B \\-netdev l2tpv3\nbackend: Ethernet over a static L2TPv3 session "
	       "(RFC 3931), byte for byte as\nQEMU sends it: over UDP\n"
	       ".RB ( udp=on ),\nthe word 00 03 00 00, then the session id, the cookie (0, 4 or 8 bytes),\n"
	       "the counter (with\n.BR counter=on ),\n.B offset\nbytes and the frame; over IP "
	       "(protocol 115) the same without the first word.",
	.keys = l2tpv3_keys,
	.man_notes = "Received packets must carry rxsession and rxcookie and at least one byte of\n"
		     "frame; in UDP mode the first word must say data, version 3. Anything else is\n"
		     "dropped and counted by reason in\n.BR \"info network\" .\n"
		     "Like QEMU, the source address of a packet is not checked.",
	.parse = l2tpv3_parse,
	.sandbox = {
		.caps = 1ull << CAP_NET_RAW, /* udp=off: the raw protocol 115 socket */
	},
	.uplink = true, /* a tunnel: the far side is a LAN */
};
