/* SPDX-License-Identifier: MIT
 *
 * overlay.c - "-netdev vxlan" (RFC 7348) and "-netdev geneve" (RFC 8926):
 * vmwire as a VTEP. One netdev is one VNI and one port on its switch, so
 * VLANs, pcap and the gateway work on it as on any other port.
 *
 * Theory of operation:
 *
 * Sockets. Every netdev with the same protocol, family, local address and
 * dstport shares one UDP socket (struct ov_sock), which receives for all of
 * their VNIs: a datagram's header is checked (overlay_hdr.c), its VNI picks
 * the member netdev, the inner frame goes to that netdev's port. Errors
 * found before a VNI is known are counted on the socket, and every member
 * shows them. The list of sockets is walked only at start and destroy; the
 * data path reaches its socket through the netdev. With group= the socket
 * binds the wildcard address (multicast datagrams are addressed to the
 * group, not to local) and joins the group on dev=.
 *
 * Source port. A receiver finds us by the destination port; the source
 * port is a hash of the inner flow in srcport= (RFC 7348 section 5), which
 * a bound UDP socket cannot do. So when vmwire may (CAP_NET_RAW, taken at
 * start), it sends through a raw IPPROTO_UDP socket bound to local and
 * writes the UDP header itself: checksum 0 over IPv4 (as Linux and the RFC
 * do), computed by the kernel over IPv6 (IPV6_CHECKSUM). The raw socket
 * would also receive a copy of every UDP datagram: a socket filter drops
 * them all. Without the capability it sends from the bound socket, so the
 * source port is dstport; receivers accept any source port, and describe
 * says which is in use.
 *
 * Sending. An inner frame to a unicast MAC this netdev learned (vtep_fdb,
 * when learning=on) goes to that one VTEP; anything else (broadcast,
 * multicast, unknown unicast) goes to the group, or is replicated to every
 * remote= with one sendmmsg() (head-end replication). The frame is not
 * copied: each message is the two-piece iovec header + frame. The outer
 * packet has DF set (IP_PMTUDISC_DO): a frame whose encapsulation does not
 * fit the underlay's MTU fails with EMSGSIZE and is dropped and counted
 * ("too-big"), rather than fragmented. Hence the inner MTU is the
 * underlay's minus 50 bytes over IPv4 (20 IP + 8 UDP + 8 VXLAN/Geneve + 14
 * inner Ethernet), 70 over IPv6 (40 IP); Geneve options add theirs.
 *
 * VLANs (vni-map=, ports/vni_map.c): a netdev may carry several VNIs, each
 * a VLAN of its port, which becomes a trunk. A tagged frame goes out in its
 * VLAN's VNI without the tag (a third iovec piece skips it, still no
 * copy); a packet of a mapped VNI gets its tag pushed in place, in the
 * room the tunnel header leaves before the inner frame. vni= is then the
 * native, untagged VLAN's VNI, or absent.
 *
 * Options: overlay_parse.c checks every key into a struct ov_cfg
 * (overlay_cfg.h) and hands it to overlay_new() below; this file is the
 * runtime only, from start to destroy.
 *
 * Receiving: recvmmsg() into OV_BATCH buffers allocated at start; nothing
 * is allocated per packet. The source address of each good packet is
 * learned for the inner source MAC (per netdev: a MAC seen on VNI 42 says
 * nothing about VNI 43).
 */
#include "ports/overlay.h"
#include "ports/overlay_cfg.h"

#include "core/frame.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/port.h"
#include "ports/vni_map.h"
#include "ports/vtep_fdb.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define OV_BATCH 16
#define OV_RECVS_PER_EVENT 4
#define OV_RX_BUF (OVERLAY_HDR_MAX + FRAME_BUF_SIZE)
#define OV_FDB_SIZE 4096
#define OV_ADDR_TEXT 48
#define UDP_HDR_LEN 8

enum ov_log { OV_LOG_SEND, OV_LOG_RECV, OV_LOG_TOO_BIG };

struct ov_sock;

struct ov_nd {
	struct netdev nd; /* first: container_of by cast */
	struct ov_cfg cfg;
	struct port port;
	bool port_open;
	struct ev_loop *loop;
	struct ov_sock *sock;
	struct ov_nd *sock_next; /* the socket's other members */
	struct vtep_fdb fdb;

	/* Where a flood goes: the group, or every remote. */
	struct sockaddr_storage flood[OV_REMOTES_MAX];
	unsigned nflood;
	socklen_t salen;

	uint64_t encap, decap, floods, no_dest, too_big, runts;
	struct log_once logged; /* enum ov_log */
};

struct ov_sock {
	struct ov_sock *next; /* ov_socks, for start and destroy only */
	enum overlay_proto proto;
	int family;
	struct sockaddr_storage bound;
	socklen_t boundlen;
	int fd;    /* bound to local or the wildcard, dstport; receives */
	int rawfd; /* sends with a hashed source port; -1: fd sends */
	int ttl;
	unsigned ifindex;
	struct ev_loop *loop;
	struct ev_watch w;
	bool watching;
	struct ov_nd *members;
	unsigned nmembers;
	uint64_t err[OVERLAY_ERR_COUNT];
	struct log_once logged; /* enum ov_log */

	uint8_t (*bufs)[OV_RX_BUF];
	struct mmsghdr msgs[OV_BATCH];
	struct iovec iov[OV_BATCH];
	struct sockaddr_storage from[OV_BATCH];

	/* transmit scratch: one header, shared by every copy of a flood; the
	 * frame is one piece, or two around a VLAN tag left out (vni-map) */
	uint8_t txhdr[UDP_HDR_LEN + OVERLAY_HDR_MAX];
	struct iovec txiov[3];
	struct mmsghdr txmsgs[OV_REMOTES_MAX];
	struct sockaddr_storage txone;
};

/* Every shared socket; touched by start and destroy only. */
static struct ov_sock *ov_socks;

static struct ov_nd *port_ov(const struct port *p)
{
	return (struct ov_nd *)((char *)p - offsetof(struct ov_nd, port));
}

static const char *nd_id(const struct ov_nd *o) { return o->nd.common.id; }

static const char *proto_name(enum overlay_proto p)
{
	return p == OVERLAY_VXLAN ? "vxlan" : "geneve";
}

/* --- addresses ---------------------------------------------------------- */

static void addr_text(const struct vtep_addr *a, char *buf, size_t size)
{
	if (!inet_ntop(a->family, a->a, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

static socklen_t addr_to_sa(const struct vtep_addr *a, uint16_t port,
			    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->a, 4);
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, a->a, 16);
		return sizeof(*sin6);
	}
}

static void sa_to_addr(const struct sockaddr_storage *ss, struct vtep_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = ss->ss_family;
	if (ss->ss_family == AF_INET)
		memcpy(a->a, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else if (ss->ss_family == AF_INET6)
		memcpy(a->a, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
}

/* --- source port -------------------------------------------------------- */

static uint32_t mix(uint32_t h, const uint8_t *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

uint16_t overlay_src_port(const uint8_t *f, size_t len, uint16_t min, uint16_t max)
{
	uint32_t h = 2166136261u, range;
	size_t l3 = ETH_HDR_LEN, l4 = 0;
	uint8_t proto = 0;

	if (max < min)
		max = min;
	range = (uint32_t)max - min + 1;
	if (len < ETH_HDR_LEN)
		return min;
	h = mix(h, f, ETH_HDR_LEN);
	if (rd16be(f + 12) == 0x0800 && len >= l3 + 20) {
		size_t ihl = (size_t)(f[l3] & 0x0f) * 4;

		proto = f[l3 + 9];
		h = mix(h, f + l3 + 9, 1);
		h = mix(h, f + l3 + 12, 8);
		/* later fragments carry no ports */
		if (!(rd16be(f + l3 + 6) & 0x1fff) && ihl >= 20)
			l4 = l3 + ihl;
	} else if (rd16be(f + 12) == 0x86dd && len >= l3 + 40) {
		proto = f[l3 + 6];
		h = mix(h, f + l3 + 6, 1);
		h = mix(h, f + l3 + 8, 32);
		l4 = l3 + 40;
	}
	if (l4 && (proto == 6 || proto == 17 || proto == 132) && len >= l4 + 4)
		h = mix(h, f + l4, 4);
	h ^= h >> 16;
	return (uint16_t)(min + h % range);
}

/* --- data path ---------------------------------------------------------- */

static bool ov_transmit(struct port *port, const uint8_t *frame, size_t len)
{
	struct ov_nd *o = port_ov(port);
	struct ov_sock *s = o->sock;
	const struct vtep_addr *learned = NULL;
	uint8_t *hdr = s ? s->txhdr : NULL;
	size_t hl, off = 0, i, n, cut = 0, inner = len;
	uint32_t vni = o->cfg.vni;
	int fd, sent;

	if (!s)
		return false;
	/* A trunk of mapped VLANs: the tag picks the VNI and stays out of the
	 * tunnel; an untagged frame is the native VLAN's, on vni=. */
	if (o->cfg.map.n && len >= ETH_HDR_LEN + VLAN_TAG_LEN &&
	    rd16be(frame + 12) == ETHERTYPE_VLAN) {
		if (!vni_map_vni(&o->cfg.map, rd16be(frame + 14) & 0x0fff, &vni)) {
			o->no_dest++;
			return false;
		}
		cut = VLAN_TAG_LEN;
		inner = len - cut;
	} else if (!o->cfg.has_vni) {
		o->no_dest++;
		return false;
	}
	if (o->cfg.learning && !mac_is_multicast(eth_dst(frame)))
		learned = vtep_fdb_lookup(&o->fdb, eth_dst(frame), ev_loop_now(o->loop));
	if (!learned && !o->nflood) {
		o->no_dest++;
		return false;
	}
	if (s->rawfd >= 0) {
		uint16_t sport = overlay_src_port(frame, len, o->cfg.sport_min, o->cfg.sport_max);

		off = UDP_HDR_LEN;
		wr16be(hdr, sport);
		wr16be(hdr + 2, o->cfg.dstport);
		wr16be(hdr + 6, 0); /* IPv4: none; IPv6: the kernel fills it */
	}
	hl = overlay_encode(o->cfg.proto, hdr + off, vni);
	if (off + hl + inner > 65535) {
		o->too_big++;
		return false;
	}
	if (off)
		wr16be(hdr + 4, (uint16_t)(off + hl + inner));
	s->txiov[0].iov_base = hdr;
	s->txiov[0].iov_len = off + hl;
	s->txiov[1].iov_base = (void *)frame;
	s->txiov[1].iov_len = cut ? 12 : len;
	s->txiov[2].iov_base = (void *)(frame + 12 + cut);
	s->txiov[2].iov_len = cut ? len - 12 - cut : 0;
	if (learned) {
		o->salen = addr_to_sa(learned, off ? 0 : o->cfg.dstport, &s->txone);
		n = 1;
	} else {
		n = o->nflood;
		o->floods++;
	}
	for (i = 0; i < n; i++) {
		struct msghdr *m = &s->txmsgs[i].msg_hdr;

		memset(m, 0, sizeof(*m));
		m->msg_name = learned ? &s->txone : &o->flood[i];
		m->msg_namelen = o->salen;
		m->msg_iov = s->txiov;
		m->msg_iovlen = cut ? 3 : 2;
	}
	fd = s->rawfd >= 0 ? s->rawfd : s->fd;
	sent = sendmmsg(fd, s->txmsgs, (unsigned)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (sent <= 0) {
		if (errno == EMSGSIZE) {
			o->too_big++;
			LOG_ONCE_FOR(&o->logged, OV_LOG_TOO_BIG, LOG_LVL_WARN,
				     "%s %s: dropped a %zu-byte frame that does not fit the "
				     "underlay MTU once encapsulated (inner MTU is the underlay's "
				     "minus %u)", proto_name(o->cfg.proto), nd_id(o), inner,
				     o->cfg.local.family == AF_INET ? 50u : 70u);
		} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS &&
			   errno != ECONNREFUSED) {
			LOG_ONCE_FOR(&o->logged, OV_LOG_SEND, LOG_LVL_WARN, "%s %s: send: %s",
				     proto_name(o->cfg.proto), nd_id(o), strerror(errno));
		}
		return false;
	}
	o->encap += (unsigned)sent;
	return true;
}

/* The member netdev carrying vni, and the VLAN it maps to (0: the native
 * VLAN, untagged). */
static struct ov_nd *member_for(const struct ov_sock *s, uint32_t vni, uint16_t *vlan)
{
	struct ov_nd *o;

	for (o = s->members; o; o = o->sock_next) {
		*vlan = 0;
		if ((o->cfg.has_vni && o->cfg.vni == vni) || vni_map_vlan(&o->cfg.map, vni, vlan))
			return o;
	}
	return NULL;
}

static void ov_deliver(struct ov_sock *s, uint8_t *pkt, size_t len,
		       const struct sockaddr_storage *from)
{
	struct vtep_addr remote;
	enum overlay_err e;
	struct ov_nd *o;
	uint32_t vni = 0;
	uint16_t vlan = 0;
	size_t hl = 0;

	e = overlay_decode(s->proto, pkt, len, &vni, &hl);
	if (e != OVERLAY_OK) {
		s->err[e]++;
		return;
	}
	o = member_for(s, vni, &vlan);
	if (!o || !o->port_open) {
		s->err[OVERLAY_ERR_VNI]++;
		return;
	}
	if (len - hl < ETH_HDR_LEN) {
		o->runts++;
		o->port.stats.rx_drops++;
		return;
	}
	o->decap++;
	if (o->cfg.learning && !mac_is_multicast(eth_src(pkt + hl))) {
		sa_to_addr(from, &remote);
		vtep_fdb_learn(&o->fdb, eth_src(pkt + hl), &remote, ev_loop_now(o->loop));
	}
	if (vlan) {
		/* Push the VLAN's tag in place, in the tunnel header's room
		 * (hl >= 8): the MACs move 4 bytes back, nothing is copied. */
		memmove(pkt + hl - VLAN_TAG_LEN, pkt + hl, 12);
		hl -= VLAN_TAG_LEN;
		wr16be(pkt + hl + 12, ETHERTYPE_VLAN);
		wr16be(pkt + hl + 14, vlan);
	}
	port_receive(&o->port, pkt + hl, len - hl);
}

static void ov_sock_io(void *ctx, uint32_t events)
{
	struct ov_sock *s = ctx;
	int round, i, n;

	for (round = 0; round < OV_RECVS_PER_EVENT; round++) {
		for (i = 0; i < OV_BATCH; i++) {
			struct msghdr *m = &s->msgs[i].msg_hdr;

			memset(m, 0, sizeof(*m));
			m->msg_name = &s->from[i];
			m->msg_namelen = sizeof(s->from[i]);
			m->msg_iov = &s->iov[i];
			m->msg_iovlen = 1;
			s->iov[i].iov_base = s->bufs[i];
			s->iov[i].iov_len = OV_RX_BUF;
			s->msgs[i].msg_len = 0;
		}
		n = recvmmsg(s->fd, s->msgs, OV_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNREFUSED)
				LOG_ONCE_FOR(&s->logged, OV_LOG_RECV, LOG_LVL_WARN,
					     "%s: receive: %s", proto_name(s->proto),
					     strerror(errno));
			return;
		}
		for (i = 0; i < n; i++) {
			if (s->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				s->err[OVERLAY_ERR_TOO_BIG]++;
				continue;
			}
			ov_deliver(s, s->bufs[i], s->msgs[i].msg_len, &s->from[i]);
		}
		if (n < OV_BATCH)
			return;
	}
}

/* --- monitor ------------------------------------------------------------ */

static size_t appendf(char *buf, size_t size, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t appendf(char *buf, size_t size, size_t at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (at >= size)
		return at;
	va_start(ap, fmt);
	n = vsnprintf(buf + at, size - at, fmt, ap);
	va_end(ap);
	return n < 0 ? at : at + (size_t)n;
}

static void ov_port_destroy(struct port *port)
{
	port_ov(port)->port_open = false;
}

/* The reasons each protocol can count. */
static const enum overlay_err vxlan_errs[] = {
	OVERLAY_ERR_SHORT, OVERLAY_ERR_IBIT, OVERLAY_ERR_RESERVED, OVERLAY_ERR_LAST_BYTE,
	OVERLAY_ERR_VNI, OVERLAY_ERR_TOO_BIG, OVERLAY_OK,
};
static const enum overlay_err geneve_errs[] = {
	OVERLAY_ERR_SHORT, OVERLAY_ERR_VERSION, OVERLAY_ERR_PROTO, OVERLAY_ERR_OAM,
	OVERLAY_ERR_OPTION, OVERLAY_ERR_CRITICAL, OVERLAY_ERR_VNI, OVERLAY_ERR_TOO_BIG, OVERLAY_OK,
};

static void ov_describe(const struct netdev *nd, char *buf, size_t size)
{
	const struct ov_nd *o = (const struct ov_nd *)nd;
	const struct ov_sock *s = o->sock;
	const enum overlay_err *e;
	char a[OV_ADDR_TEXT];
	bool v4 = o->cfg.local.family == AF_INET;
	size_t at = 0;
	unsigned i;

	addr_text(&o->cfg.local, a, sizeof(a));
	if (o->cfg.has_vni)
		at = appendf(buf, size, at, "vni %u, ", (unsigned)o->cfg.vni);
	if (o->cfg.map.n) {
		char map[VNI_MAP_MAX * 16];

		vni_map_format(&o->cfg.map, map, sizeof(map));
		at = appendf(buf, size, at, "vni-map %s, ", map);
	}
	at = appendf(buf, size, at, "local %s port %u", a, (unsigned)o->cfg.dstport);
	if (o->cfg.has_group) {
		addr_text(&o->cfg.group, a, sizeof(a));
		at = appendf(buf, size, at, ", group %s%s%s", a, o->cfg.dev[0] ? " dev " : "",
			     o->cfg.dev);
	} else {
		at = appendf(buf, size, at, ", %u remote%s", o->cfg.nremotes,
			     o->cfg.nremotes == 1 ? "" : "s");
		for (i = 0; i < o->cfg.nremotes && i < 4; i++) {
			addr_text(&o->cfg.remotes[i], a, sizeof(a));
			at = appendf(buf, size, at, "%s%s", i ? " " : " ", a);
		}
	}
	at = appendf(buf, size, at, ", learning %s", o->cfg.learning ? "on" : "off");
	if (s && s->rawfd >= 0)
		at = appendf(buf, size, at, ", src port %u-%u", (unsigned)o->cfg.sport_min,
			     (unsigned)o->cfg.sport_max);
	else if (s)
		at = appendf(buf, size, at, ", src port %u (no CAP_NET_RAW)",
			     (unsigned)o->cfg.dstport);
	at = appendf(buf, size, at, "\n      mtu: inner = underlay - %u (%u IP + 8 UDP + 8 %s + 14 "
		     "Ethernet)", v4 ? 50u : 70u, v4 ? 20u : 40u,
		     o->cfg.proto == OVERLAY_VXLAN ? "VXLAN" : "Geneve");
	at = appendf(buf, size, at, "\n      encap %" PRIu64 ", decap %" PRIu64 ", flooded %"
		     PRIu64 ", learned %" PRIu64 ", moved %" PRIu64 ", no-dest %" PRIu64
		     ", too-big-tx %" PRIu64 ", runt %" PRIu64, o->encap, o->decap, o->floods,
		     o->fdb.learned, o->fdb.moved, o->no_dest, o->too_big, o->runts);
	if (!s)
		return;
	at = appendf(buf, size, at, "\n      decap errors (socket, %u vni%s):", s->nmembers,
		     s->nmembers == 1 ? "" : "s");
	for (e = o->cfg.proto == OVERLAY_VXLAN ? vxlan_errs : geneve_errs; *e; e++)
		at = appendf(buf, size, at, " %s %" PRIu64, overlay_err_name(*e), s->err[*e]);
}

/* info network prints a netdev that is one port of its own name as that
 * port's line only: so the port says all, the netdev's part first, then the
 * learned MACs and the VTEP each is behind. */
static void ov_port_describe(const struct port *port, char *buf, size_t size)
{
	const struct ov_nd *o = port_ov(port);
	uint64_t now = ev_loop_now(o->loop);
	const struct vtep_fdb_entry *e;
	char mac[18], addr[OV_ADDR_TEXT];
	unsigned it = 0, shown = 0;
	size_t at, total;

	ov_describe(&o->nd, buf, size);
	at = strlen(buf);
	if (!o->cfg.learning) {
		appendf(buf, size, at, "\n      learning off");
		return;
	}
	total = vtep_fdb_count(&o->fdb, now);
	at = appendf(buf, size, at, "\n      %zu remote MAC%s learned", total,
		     total == 1 ? "" : "s");
	while ((e = vtep_fdb_next(&o->fdb, &it, now))) {
		if (at + 80 > size) {
			at = appendf(buf, size, at, "; %zu more", total - shown);
			break;
		}
		addr_text(&e->remote, addr, sizeof(addr));
		at = appendf(buf, size, at, "%s %s via %s", shown ? "," : ":",
			     mac_format(e->mac, mac), addr);
		shown++;
	}
}

static const struct port_ops ov_port_ops_vxlan = {
	.kind = "vxlan",
	.transmit = ov_transmit,
	.describe = ov_port_describe,
	.destroy = ov_port_destroy,
};

static const struct port_ops ov_port_ops_geneve = {
	.kind = "geneve",
	.transmit = ov_transmit,
	.describe = ov_port_describe,
	.destroy = ov_port_destroy,
};

/* --- start / destroy ---------------------------------------------------- */

static int failf(const struct ov_nd *o, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int failf(const struct ov_nd *o, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	size_t at;

	snprintf(err, errlen, "-netdev %s,id=%s: ", proto_name(o->cfg.proto), nd_id(o));
	at = strlen(err);
	va_start(ap, fmt);
	vsnprintf(err + at, errlen - at, fmt, ap);
	va_end(ap);
	return -1;
}

static void sock_free(struct ov_sock *s)
{
	struct ov_sock **pp;

	for (pp = &ov_socks; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	if (s->watching)
		ev_watch_del(s->loop, &s->w);
	if (s->fd >= 0)
		close(s->fd);
	if (s->rawfd >= 0)
		close(s->rawfd);
	free(s->bufs);
	free(s);
}

/* The sending socket's options: DF, TTL, multicast interface. */
static int tx_options(struct ov_sock *s, int fd)
{
	int ttl = s->ttl, mttl = s->ttl ? s->ttl : 1, off = 0;

	if (s->family == AF_INET) {
		int pmtu = IP_PMTUDISC_DO;
		struct ip_mreqn mr = { .imr_ifindex = (int)s->ifindex };

		if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu)) < 0 ||
		    (ttl && setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) < 0) ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &mttl, sizeof(mttl)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof(off)) < 0)
			return -1;
		if (s->ifindex && setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) < 0)
			return -1;
	} else {
		int pmtu = IPV6_PMTUDISC_DO, idx = (int)s->ifindex;

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof(pmtu)) < 0 ||
		    (ttl && setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) < 0) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &mttl, sizeof(mttl)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off)) < 0)
			return -1;
		if (idx && setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof(idx)) < 0)
			return -1;
	}
	return 0;
}

/* A raw IPPROTO_UDP socket bound to local, or -1 (no CAP_NET_RAW). */
static int open_raw(struct ov_sock *s, const struct ov_cfg *cfg)
{
	struct sock_filter drop = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = { .len = 1, .filter = &drop };
	struct sockaddr_storage ss;
	socklen_t len = addr_to_sa(&cfg->local, 0, &ss);
	int fd, csum = 6; /* offset of the UDP checksum */

	fd = socket(s->family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || tx_options(s, fd) < 0 ||
	    (s->family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, &csum, sizeof(csum)) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct ov_sock *sock_open(struct ov_nd *o, const struct sockaddr_storage *bind_to,
				 socklen_t bindlen, char *err, size_t errlen)
{
	struct ov_sock *s = calloc(1, sizeof(*s));
	int one = 1, rcvbuf = 4 << 20;
	char a[OV_ADDR_TEXT];

	addr_text(o->cfg.has_group ? &o->cfg.group : &o->cfg.local, a, sizeof(a));
	if (!s) {
		failf(o, err, errlen, "out of memory");
		return NULL;
	}
	s->fd = s->rawfd = -1;
	s->proto = o->cfg.proto;
	s->family = o->cfg.local.family;
	s->bound = *bind_to;
	s->boundlen = bindlen;
	s->ttl = o->cfg.ttl;
	s->loop = o->loop;
	if (o->cfg.dev[0]) {
		s->ifindex = if_nametoindex(o->cfg.dev);
		if (!s->ifindex) {
			failf(o, err, errlen, "'dev' %s: %s", o->cfg.dev, strerror(errno));
			goto fail;
		}
	}
	s->bufs = malloc(sizeof(*s->bufs) * OV_BATCH);
	s->fd = socket(s->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (!s->bufs || s->fd < 0) {
		failf(o, err, errlen, "socket: %s", s->bufs ? strerror(errno) : "out of memory");
		goto fail;
	}
	if (s->family == AF_INET6)
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* a burst of full-size frames must not overrun the default buffer */
	setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(s->fd, (const struct sockaddr *)bind_to, bindlen) < 0) {
		failf(o, err, errlen, "bind %s port %u: %s", o->cfg.has_group ? "any" : a,
		      (unsigned)o->cfg.dstport, strerror(errno));
		goto fail;
	}
	if (tx_options(s, s->fd) < 0) {
		failf(o, err, errlen, "socket options: %s", strerror(errno));
		goto fail;
	}
	s->rawfd = open_raw(s, &o->cfg);
	ev_watch_init(&s->w, s->fd, ov_sock_io, s);
	if (ev_watch_add(o->loop, &s->w, EPOLLIN) < 0) {
		failf(o, err, errlen, "epoll: %s", strerror(errno));
		goto fail;
	}
	s->watching = true;
	s->next = ov_socks;
	ov_socks = s;
	return s;
fail:
	sock_free(s);
	return NULL;
}

static int join_group(struct ov_nd *o, char *err, size_t errlen)
{
	struct ov_sock *s = o->sock;
	int r;

	if (s->family == AF_INET) {
		struct ip_mreqn mr = { .imr_ifindex = (int)s->ifindex };

		memcpy(&mr.imr_multiaddr, o->cfg.group.a, 4);
		r = setsockopt(s->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr));
	} else {
		struct ipv6_mreq mr = { .ipv6mr_interface = s->ifindex };

		memcpy(&mr.ipv6mr_multiaddr, o->cfg.group.a, 16);
		r = setsockopt(s->fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr));
	}
	if (r < 0)
		return failf(o, err, errlen, "joining group: %s", strerror(errno));
	return 0;
}

static int ov_start(struct netdev *nd, struct ev_loop *loop, char *err, size_t errlen)
{
	struct ov_nd *o = (struct ov_nd *)nd;
	struct vtep_addr any = { .family = o->cfg.local.family };
	struct sockaddr_storage bind_to;
	socklen_t bindlen;
	struct ov_sock *s;
	struct ov_nd *m;
	uint16_t port;
	unsigned i;

	o->loop = loop;
	bindlen = addr_to_sa(o->cfg.has_group ? &any : &o->cfg.local, o->cfg.dstport, &bind_to);
	for (s = ov_socks; s; s = s->next)
		if (s->proto == o->cfg.proto && s->boundlen == bindlen &&
		    !memcmp(&s->bound, &bind_to, bindlen))
			break;
	if (s) {
		if (s->ttl != o->cfg.ttl)
			return failf(o, err, errlen, "shares its socket with another -netdev %s "
				     "on this address and port, which must then have the same "
				     "'ttl'", proto_name(o->cfg.proto));
		if (o->cfg.dev[0] && if_nametoindex(o->cfg.dev) != s->ifindex)
			return failf(o, err, errlen, "shares its socket with another -netdev %s "
				     "on this address and port, which must then have the same "
				     "'dev'", proto_name(o->cfg.proto));
		for (i = 0; i <= o->cfg.map.n; i++) {
			uint32_t vni = i < o->cfg.map.n ? o->cfg.map.vni[i] : o->cfg.vni;
			uint16_t vlan;

			if (i == o->cfg.map.n && !o->cfg.has_vni)
				break;
			if ((m = member_for(s, vni, &vlan)))
				return failf(o, err, errlen, "vni %u on this address and port is "
					     "already -netdev %s,id=%s", (unsigned)vni,
					     proto_name(o->cfg.proto), nd_id(m));
		}
	} else if (!(s = sock_open(o, &bind_to, bindlen, err, errlen))) {
		return -1;
	}
	o->sock = s;
	o->sock_next = s->members;
	s->members = o;
	s->nmembers++;
	if (o->cfg.has_group && join_group(o, err, errlen) < 0)
		return -1;
	if (vtep_fdb_init(&o->fdb, OV_FDB_SIZE, (uint64_t)o->cfg.ageing_s * 1000) < 0)
		return failf(o, err, errlen, "out of memory");
	/* the raw socket takes no port in the address (IPv6 insists on 0) */
	port = s->rawfd >= 0 ? 0 : o->cfg.dstport;
	if (o->cfg.has_group) {
		o->salen = addr_to_sa(&o->cfg.group, port, &o->flood[0]);
		o->nflood = 1;
	} else {
		for (i = 0; i < o->cfg.nremotes; i++)
			o->salen = addr_to_sa(&o->cfg.remotes[i], port, &o->flood[i]);
		o->nflood = o->cfg.nremotes;
	}
	if (!o->salen)
		o->salen = o->cfg.local.family == AF_INET ? sizeof(struct sockaddr_in)
							  : sizeof(struct sockaddr_in6);
	port_init(&o->port, o->cfg.proto == OVERLAY_VXLAN ? &ov_port_ops_vxlan
							 : &ov_port_ops_geneve, nd_id(o));
	if (o->cfg.map.n) {
		struct port_vlan *pv = &o->nd.common.vlan;

		/* The mapped VLANs make the port a trunk; without vni= it has
		 * no native VLAN. */
		if (!o->cfg.has_vni)
			pv->pvid = 0;
		for (i = 0; i < o->cfg.map.n; i++) {
			if (o->cfg.map.vlan[i] == pv->pvid)
				return failf(o, err, errlen, "'vni-map' VLAN %u is the port's "
					     "native VLAN (vlan=, default 1)",
					     (unsigned)pv->pvid);
			vlan_set_bit(pv, o->cfg.map.vlan[i]);
		}
		pv->trunk = true;
	}
	o->port_open = true;
	netdev_port_setup(nd, &o->port);
	info("%s %s: %s %u%s on port %u, %s source ports%s", proto_name(o->cfg.proto), nd_id(o),
	     o->cfg.has_vni ? "vni" : "VLANs mapped:", o->cfg.has_vni ? (unsigned)o->cfg.vni
	     : o->cfg.map.n, o->cfg.has_vni && o->cfg.map.n ? " and vni-map" : "",
	     (unsigned)o->cfg.dstport,
	     s->rawfd >= 0 ? "hashed" : "fixed",
	     s->rawfd >= 0 ? "" : " (no CAP_NET_RAW: sending from the bound port)");
	return 0;
}

static void ov_destroy(struct netdev *nd)
{
	struct ov_nd *o = (struct ov_nd *)nd, **pp;
	struct ov_sock *s = o->sock;

	if (o->port_open)
		port_close(&o->port);
	if (s) {
		for (pp = &s->members; *pp; pp = &(*pp)->sock_next)
			if (*pp == o) {
				*pp = o->sock_next;
				s->nmembers--;
				break;
			}
		if (!s->members)
			sock_free(s);
	}
	vtep_fdb_fini(&o->fdb);
	free(o);
}

static const struct netdev_ops ov_netdev_ops = {
	.start = ov_start,
	.describe = ov_describe,
	.destroy = ov_destroy,
};

struct netdev *overlay_new(const struct netdev_type *type, const struct ov_cfg *cfg)
{
	struct ov_nd *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->nd.type = type;
	o->nd.ops = &ov_netdev_ops;
	o->cfg = *cfg;
	return &o->nd;
}
