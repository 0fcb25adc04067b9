/* SPDX-License-Identifier: MIT
 *
 * tap.c - TAP attachments, see tap.h.
 *
 * Data path: the fd is non-blocking and watched for EPOLLIN only. Each
 * wakeup reads at most TAP_RX_BUDGET frames into one buffer embedded in the
 * netdev, strips the vnet header and hands the frame to port_receive(); the
 * level-triggered loop calls us again if more is queued, so one busy TAP
 * can't starve the other fds. Transmit is a single writev() of a shared
 * zeroed vnet header plus the caller's frame, so nothing is copied; EAGAIN
 * (the kernel's queue towards the interface is full) is a counted drop.
 * There is no queue of our own, hence no tx_room(): a write either goes
 * into the kernel now or is refused, and sources never wait for a TAP.
 *
 * Offloads (offload=on, the default): after tap_open() the port asks for
 * TUN_F_CSUM|TSO4|TSO6|TSO_ECN (and USO4|USO6 where the kernel has them),
 * so the kernel hands us frames up to 64 KiB with a virtio_net_hdr saying
 * how to finish them. The header becomes a struct frame_offload and the
 * frame goes to port_receive_offload(), which validates it (the other side
 * of a TAP may be anything) and lets the fabric decide per egress port
 * whether it leaves whole or segmented in software. transmit_offload()
 * writes the real header; offload_caps say we take everything we asked
 * the kernel for, since a TAP write accepts the same GSO types.
 *
 * With offload=off (TUNSETOFFLOAD 0) the kernel finishes checksums and
 * segments before handing us a frame. A header that still asks for
 * segmentation is dropped and counted; one that asks for a checksum is
 * completed in software since that is cheap and the offsets are checked
 * against the frame first.
 *
 * If the interface goes away under us (ip link del, namespace destroyed)
 * the fd reports an error: the port leaves its network and stays dead until
 * the netdev is destroyed, so nothing else has to know.
 */
#include "ports/tap.h"
#include "config/bridge_acl.h"
#include "config/keyval.h"
#include "config/netdev.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/offload.h"
#include "core/port.h"
#include "ports/netns.h"
#include "ports/rtnl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define TAP_RX_BUDGET 64

#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif

enum tap_log { TAP_LOG_BAD_VNET, TAP_LOG_GSO_OFF, TAP_LOG_WRITE };

struct tap_netdev {
	struct netdev nd; /* first: the registry hands us &nd */
	struct tap_config cfg;
	struct tap_info info;
	struct port port;
	struct ev_watch watch;
	struct ev_loop *loop;
	int fd;
	bool port_live;  /* port initialised and not yet destroyed */
	bool offload;    /* TUNSETOFFLOAD succeeded: headers carry metadata */
	uint64_t rx_gso; /* frames dropped because they asked for GSO */
	uint64_t rx_csum; /* checksums completed on behalf of the kernel */
	struct log_once logged; /* enum tap_log */
	/* 2 bytes of padding put the IP header of a frame on a 4-byte boundary. */
	uint8_t pad[2];
	uint8_t rxbuf[TAP_VNET_HDR_LEN + FRAME_BUF_SIZE];
	/* port.offload_scratch: software fallback if our sink is not a network. */
	uint8_t segbuf[FRAME_BUF_SIZE];
};

static const uint8_t vnet_hdr_zero[TAP_VNET_HDR_LEN];

static struct tap_netdev *tap_of_port(const struct port *port)
{
	return (struct tap_netdev *)((const char *)port - offsetof(struct tap_netdev, port));
}

/* ---- configuration ---------------------------------------------------- */

bool tap_ifname_valid(const char *name)
{
	size_t len = strlen(name);
	const char *p;

	if (!len || len >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (p = name; *p; p++)
		if (*p == '/' || *p == ':' || *p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

struct tap_open_ctx {
	const struct tap_config *cfg;
	struct tap_info *info;
	char *err;
	size_t errlen;
};

static const char *tap_where(const struct tap_config *cfg, char *buf, size_t size)
{
	if (!*cfg->netns)
		return "";
	snprintf(buf, size, " in netns %s", cfg->netns);
	return buf;
}

/* Onto cfg->bridge: it must exist and be a Linux bridge; the TAP gets its
 * MTU (unless mtu= says otherwise), MAC[0] = 0xFE, and comes up enslaved. */
static int tap_enslave(struct rtnl *r, struct tap_open_ctx *c, struct rtnl_link *link,
		       const char *where)
{
	struct rtnl_link br;
	uint8_t mac[6];
	unsigned mtu;
	int ret;

	ret = rtnl_link_get(r, c->cfg->bridge, &br);
	if (ret || strcmp(br.kind, "bridge")) {
		snprintf(c->err, c->errlen, "%s%s: %s", c->cfg->bridge, where,
			 ret == -ENODEV ? "no such bridge" : ret ? strerror(-ret) :
			 "not a Linux bridge");
		return ret ? ret : -EINVAL;
	}
	mtu = c->cfg->mtu ? c->cfg->mtu : br.mtu;
	ret = rtnl_link_hwaddr(r, link->ifindex, mac);
	if (!ret) {
		mac[0] = 0xfe;
		ret = rtnl_link_enslave(r, link->ifindex, br.ifindex, mac, mtu);
	}
	if (ret) {
		snprintf(c->err, c->errlen, "TAP %s%s: cannot put it on bridge %s (mtu %u): %s",
			 c->info->ifname, where, c->cfg->bridge, mtu, strerror(-ret));
		return ret;
	}
	link->mtu = mtu;
	c->info->mtu = mtu;
	return 0;
}

/* Runs inside the target namespace: returns the fd or a negative errno
 * with ctx->err filled. */
static int tap_open_here(void *arg)
{
	struct tap_open_ctx *c = arg;
	const char *want = *c->cfg->ifname ? c->cfg->ifname : "vmwire%d";
	struct rtnl_link link;
	struct ifreq ifr;
	struct rtnl r;
	char where[4200];
	bool existed = false;
	int fd, ret, hdrlen = TAP_VNET_HDR_LEN;

	tap_where(c->cfg, where, sizeof(where));
	ret = rtnl_open(&r);
	if (ret) {
		snprintf(c->err, c->errlen, "cannot open rtnetlink%s: %s", where, strerror(-ret));
		return ret;
	}
	if (*c->cfg->ifname)
		existed = rtnl_link_get(&r, c->cfg->ifname, &link) == 0;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(c->err, c->errlen, "cannot open /dev/net/tun%s: %s", where, strerror(errno));
		goto out;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", want);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (c->cfg->no_vnet_hdr ? 0 : IFF_VNET_HDR);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		if (errno == EINVAL && existed)
			snprintf(c->err, c->errlen, "interface %s%s exists and is not a TAP "
				 "(or is a multi-queue TAP)", want, where);
		else if (errno == EBUSY)
			snprintf(c->err, c->errlen, "TAP %s%s is in use by another process",
				 want, where);
		else
			snprintf(c->err, c->errlen, "cannot %s TAP %s%s: %s",
				 existed ? "attach to" : "create", want, where, strerror(errno));
		goto out_close;
	}
	snprintf(c->info->ifname, sizeof(c->info->ifname), "%.*s",
		 (int)sizeof(ifr.ifr_name) - 1, ifr.ifr_name);
	c->info->created = !existed;

	/* Offloads stay off until someone can use them, but the header is
	 * there from the start so enabling them needs no reopen. */
	if (!c->cfg->no_vnet_hdr &&
	    (ioctl(fd, TUNSETVNETHDRSZ, &hdrlen) < 0 || ioctl(fd, TUNSETOFFLOAD, 0) < 0)) {
		ret = -errno;
		snprintf(c->err, c->errlen, "TAP %s%s: cannot set up the vnet header: %s",
			 c->info->ifname, where, strerror(errno));
		goto out_close;
	}

	ret = rtnl_link_get(&r, c->info->ifname, &link);
	if (!ret && *c->cfg->bridge) {
		ret = tap_enslave(&r, c, &link, where);
		if (ret)
			goto out_close;
	} else if (!ret) {
		ret = rtnl_link_set(&r, link.ifindex,
				    c->cfg->mtu != link.mtu ? c->cfg->mtu : 0, true);
	}
	if (ret) {
		if (c->cfg->mtu)
			snprintf(c->err, c->errlen, "TAP %s%s: cannot set mtu %u and bring it up: %s",
				 c->info->ifname, where, c->cfg->mtu, strerror(-ret));
		else
			snprintf(c->err, c->errlen, "TAP %s%s: cannot bring it up: %s",
				 c->info->ifname, where, strerror(-ret));
		goto out_close;
	}
	c->info->ifindex = link.ifindex;
	c->info->mtu = c->cfg->mtu ? c->cfg->mtu : link.mtu;
	if (*c->cfg->bridge)
		c->info->mtu = link.mtu;
	rtnl_close(&r);
	return fd;

out_close:
	close(fd);
out:
	rtnl_close(&r);
	return ret < 0 ? ret : -EIO;
}

static void netns_enter_error(const char *netns, int ret, char *err, size_t errlen)
{
	char path[4096];

	if (netns_resolve(netns, path, sizeof(path)))
		snprintf(path, sizeof(path), "%s", netns);
	snprintf(err, errlen, "cannot enter network namespace %s: %s", path, strerror(-ret));
}

int tap_open(const struct tap_config *cfg, struct tap_info *info, char *err, size_t errlen)
{
	struct tap_open_ctx c = { .cfg = cfg, .info = info, .err = err, .errlen = errlen };
	int ret;

	memset(info, 0, sizeof(*info));
	if (errlen)
		*err = '\0';
	ret = netns_run(cfg->netns, tap_open_here, &c);
	if (ret < 0 && errlen && !*err)
		netns_enter_error(cfg->netns, ret, err, errlen);
	return ret < 0 ? -1 : ret;
}

struct tap_ip_ctx {
	const char *ifname;
	int family;
	const void *addr, *gw;
	unsigned prefixlen;
	char *err;
	size_t errlen;
};

static int tap_ip_here(void *arg)
{
	struct tap_ip_ctx *c = arg;
	struct rtnl_link link;
	struct rtnl r;
	const char *what = "open rtnetlink";
	int ret;

	ret = rtnl_open(&r);
	if (ret)
		goto fail;
	what = "find";
	ret = rtnl_link_get(&r, c->ifname, &link);
	if (!ret) {
		what = "add an address to";
		ret = rtnl_addr_add(&r, link.ifindex, c->family, c->addr, c->prefixlen);
	}
	if (!ret && c->gw) {
		what = "add a default route on";
		ret = rtnl_route_add(&r, c->family, NULL, 0, c->gw, link.ifindex);
	}
	rtnl_close(&r);
	if (!ret)
		return 0;
fail:
	snprintf(c->err, c->errlen, "cannot %s %s: %s", what, c->ifname, strerror(-ret));
	return ret;
}

int tap_ip_setup(const char *netns, const char *ifname, int family, const void *addr,
		 unsigned prefixlen, const void *gw, char *err, size_t errlen)
{
	struct tap_ip_ctx c = { .ifname = ifname, .family = family, .addr = addr, .gw = gw,
				.prefixlen = prefixlen, .err = err, .errlen = errlen };
	int ret;

	if (errlen)
		*err = '\0';
	ret = netns_run(netns, tap_ip_here, &c);
	if (ret < 0 && errlen && !*err)
		netns_enter_error(netns, ret, err, errlen);
	return ret < 0 ? -1 : 0;
}

/* ---- data path -------------------------------------------------------- */

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* Finish a CHECKSUM_PARTIAL frame: the field at start+offset already holds
 * the pseudo-header sum, so the checksum is the folded sum from start. */
static bool tap_csum_complete(uint8_t *frame, size_t len, size_t start, size_t offset)
{
	uint32_t sum = 0;
	size_t i;
	uint16_t c;

	if (start >= len || offset > len - start || len - start - offset < 2)
		return false;
	for (i = start; i + 1 < len; i += 2)
		sum += (uint32_t)frame[i] << 8 | frame[i + 1];
	if (i < len)
		sum += (uint32_t)frame[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	/* UDP transmits a computed 0 as 0xffff (RFC 768); harmless for TCP,
	 * which the receiver folds to the same value. */
	wr16be(frame + start + offset, c ? c : 0xffff);
	return true;
}

enum tap_rx_verdict tap_vnet_rx(uint8_t *buf, size_t n, size_t *len)
{
	uint8_t *frame = buf + TAP_VNET_HDR_LEN;

	if (n < TAP_VNET_HDR_LEN)
		return TAP_RX_BAD;
	*len = n - TAP_VNET_HDR_LEN;
	if ((buf[1] & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_NONE)
		return TAP_RX_GSO;
	if (buf[0] & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (!tap_csum_complete(frame, *len, le16(buf + 6), le16(buf + 8)))
			return TAP_RX_BAD;
		return TAP_RX_CSUM;
	}
	return TAP_RX_OK;
}

/* Offloads on: the header is metadata for the fabric, checked there. */
static void tap_rx_offload(struct tap_netdev *t, size_t n)
{
	struct virtio_net_hdr h;
	struct frame_offload m;

	if (n < TAP_VNET_HDR_LEN) {
		t->port.stats.rx_drops++;
		return;
	}
	memcpy(&h, t->rxbuf, sizeof(h));
	if (offload_from_vnet(&m, &h) < 0) {
		t->port.stats.rx_drops++;
		LOG_ONCE_FOR(&t->logged, TAP_LOG_BAD_VNET, LOG_LVL_WARN,
			     "tap %s: unknown vnet header flags %#x or GSO type %#x; "
			     "dropped", t->info.ifname, h.flags, h.gso_type);
		return;
	}
	port_receive_offload(&t->port, &m, t->rxbuf + TAP_VNET_HDR_LEN, n - TAP_VNET_HDR_LEN);
}

static void tap_rx_frame(struct tap_netdev *t, size_t n)
{
	size_t len = 0;

	if (t->offload) {
		tap_rx_offload(t, n);
		return;
	}

	switch (tap_vnet_rx(t->rxbuf, n, &len)) {
	case TAP_RX_CSUM:
		t->rx_csum++;
		/* fall through */
	case TAP_RX_OK:
		port_receive(&t->port, t->rxbuf + TAP_VNET_HDR_LEN, len);
		return;
	case TAP_RX_GSO:
		t->rx_gso++;
		LOG_ONCE_FOR(&t->logged, TAP_LOG_GSO_OFF, LOG_LVL_WARN,
			     "tap %s: kernel sent a GSO frame with offloads off; dropped",
			     t->info.ifname);
		break;
	case TAP_RX_BAD:
		break;
	}
	t->port.stats.rx_drops++;
}

/* The interface is gone: leave the network, stop watching, keep the
 * struct until the netdev is destroyed. */
static void tap_dead(struct tap_netdev *t, int error)
{
	warn("tap %s: %s; port %s detached", t->info.ifname,
	     error ? strerror(error) : "closed", t->port.id);
	ev_watch_del(t->loop, &t->watch);
	close(t->fd);
	t->fd = -1;
	port_unplug(&t->port);
}

static void tap_readable(void *ctx, uint32_t events)
{
	struct tap_netdev *t = ctx;
	ssize_t n;
	int i;

	for (i = 0; i < TAP_RX_BUDGET && t->fd >= 0; i++) {
		n = read(t->fd, t->rxbuf, sizeof(t->rxbuf));
		if (n > 0) {
			tap_rx_frame(t, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		tap_dead(t, n < 0 ? errno : 0);
		return;
	}
}

static bool tap_transmit(struct port *port, const uint8_t *frame, size_t len)
{
	struct tap_netdev *t = tap_of_port(port);
	struct iovec iov[2] = {
		{ .iov_base = (void *)vnet_hdr_zero, .iov_len = sizeof(vnet_hdr_zero) },
		{ .iov_base = (void *)frame, .iov_len = len },
	};

	if (t->fd < 0 || writev(t->fd, iov, 2) < 0) {
		if (t->fd >= 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			LOG_ONCE_FOR(&t->logged, TAP_LOG_WRITE, LOG_LVL_WARN,
				     "tap %s: write: %s", t->info.ifname, strerror(errno));
		return false;
	}
	return true;
}

static bool tap_transmit_offload(struct port *port, const struct frame_offload *m,
				 const uint8_t *frame, size_t len)
{
	struct tap_netdev *t = tap_of_port(port);
	uint8_t hdr[TAP_VNET_HDR_LEN] = { 0 }; /* num_buffers stays 0 */
	struct virtio_net_hdr h;
	struct iovec iov[2] = {
		{ .iov_base = hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)frame, .iov_len = len },
	};

	offload_to_vnet(&h, m);
	memcpy(hdr, &h, sizeof(h));
	if (t->fd < 0 || writev(t->fd, iov, 2) < 0) {
		if (t->fd >= 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			LOG_ONCE_FOR(&t->logged, TAP_LOG_WRITE, LOG_LVL_WARN,
				     "tap %s: write: %s", t->info.ifname, strerror(errno));
		return false;
	}
	return true;
}

/* Ask the kernel for checksum and segmentation offloads; USO only exists
 * since Linux 6.2, so fall back to TCP only. Returns the port caps. */
static uint32_t tap_offload_on(struct tap_netdev *t)
{
	unsigned base = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
	uint32_t caps = OFFLOAD_CAP_CSUM | OFFLOAD_CAP_TSO4 | OFFLOAD_CAP_TSO6 |
			OFFLOAD_CAP_TSO_ECN;

	if (!ioctl(t->fd, TUNSETOFFLOAD, base | TUN_F_USO4 | TUN_F_USO6))
		return caps | OFFLOAD_CAP_USO;
	if (!ioctl(t->fd, TUNSETOFFLOAD, base))
		return caps;
	warn("tap %s: cannot enable offloads (%s); moving plain frames", t->info.ifname,
	     strerror(errno));
	return 0;
}

static void tap_format(const struct tap_netdev *t, char *buf, size_t size)
{
	const char *name = *t->info.ifname ? t->info.ifname :
			   *t->cfg.ifname ? t->cfg.ifname : "(vmwireN)";
	unsigned mtu = t->info.mtu ? t->info.mtu : t->cfg.mtu;
	char path[4096] = "";
	int n;

	if (*t->cfg.netns && netns_resolve(t->cfg.netns, path, sizeof(path)))
		snprintf(path, sizeof(path), "%s", t->cfg.netns);
	n = snprintf(buf, size, "%s%s%s%s%s", name, *path ? " in netns " : "", path,
		     *t->cfg.bridge ? " on bridge " : "", t->cfg.bridge);
	if (n < 0 || (size_t)n >= size)
		return;
	if (mtu)
		n += snprintf(buf + n, size - (size_t)n, ", mtu %u", mtu);
	if (n < 0 || (size_t)n >= size || !t->port_live)
		return;
	n += snprintf(buf + n, size - (size_t)n, "%s%s",
		      t->info.created ? "" : ", persistent", t->fd < 0 ? ", gone" : "");
	if (n >= 0 && (size_t)n < size && !t->offload)
		n += snprintf(buf + n, size - (size_t)n, ", offload off");
	if (n >= 0 && (size_t)n < size && t->rx_gso)
		snprintf(buf + n, size - (size_t)n, ", %llu GSO drops",
			 (unsigned long long)t->rx_gso);
}

static void tap_port_describe(const struct port *port, char *buf, size_t size)
{
	tap_format(tap_of_port(port), buf, size);
}

static void tap_port_destroy(struct port *port)
{
	struct tap_netdev *t = tap_of_port(port);

	if (t->fd >= 0) {
		ev_watch_del(t->loop, &t->watch);
		close(t->fd);
		t->fd = -1;
	}
	t->port_live = false;
}

static const struct port_ops tap_port_ops = {
	.kind = "tap",
	.transmit = tap_transmit,
	.describe = tap_port_describe,
	.destroy = tap_port_destroy,
	.transmit_offload = tap_transmit_offload,
};

/* ---- netdev ----------------------------------------------------------- */

static const struct netdev_ops tap_netdev_ops;

/* QEMU -netdev tap keys we deliberately don't implement. */
static const char *const tap_unsupported[] = {
	"fd", "fds", "helper", "br", "vhost", "vhostfd", "vhostfds", "vhostforce",
	"queues", "poll-us", "sndbuf",
};

struct netdev *tap_netdev_new(const struct tap_config *cfg)
{
	struct tap_netdev *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->nd.type = &netdev_tap_type;
	t->nd.ops = &tap_netdev_ops;
	t->fd = -1;
	t->cfg = *cfg;
	return &t->nd;
}

static struct netdev *tap_parse(struct kvlist *kv, char *err, size_t errlen)
{
	struct tap_config cfg = { 0 };
	struct netdev *nd;
	const char *s = NULL;
	uint64_t mtu = 0;
	bool vnet_hdr = true, offload = true;
	unsigned i, k;

	for (i = 0; i < kv->n; i++) {
		for (k = 0; k < sizeof(tap_unsupported) / sizeof(tap_unsupported[0]); k++) {
			if (!strcmp(kv->items[i].key, tap_unsupported[k])) {
				kv_errorf(err, errlen, kv, "'%s' is not supported by vmwire",
					  kv->items[i].key);
				return NULL;
			}
		}
	}
	/* script=no,downscript=no are everywhere in copied QEMU lines and
	 * mean what vmwire does anyway; a real script is refused. */
	for (k = 0; k < 2; k++) {
		const char *key = k ? "downscript" : "script";

		s = kv_get(kv, key);
		if (s && *s && strcmp(s, "no")) {
			kv_errorf(err, errlen, kv, "'%s' is not supported by vmwire "
				  "(only %s=no; configure the interface with ip(8))", key, key);
			return NULL;
		}
	}
	if (kv_get_bool(kv, "vnet_hdr", &vnet_hdr, err, errlen) < 0)
		return NULL;
	if (!vnet_hdr) {
		kv_errorf(err, errlen, kv, "'vnet_hdr=off' is not supported by vmwire");
		return NULL;
	}
	if (kv_get_bool(kv, "offload", &offload, err, errlen) < 0)
		return NULL;
	cfg.offload_off = !offload;

	s = NULL;
	if (kv_get_str(kv, "ifname", IFNAMSIZ - 1, &s, err, errlen) < 0)
		return NULL;
	if (s && !tap_ifname_valid(s)) {
		kv_errorf(err, errlen, kv, "'ifname' is not a valid interface name: '%s'", s);
		return NULL;
	}
	if (s)
		snprintf(cfg.ifname, sizeof(cfg.ifname), "%s", s);

	s = NULL;
	if (kv_get_str(kv, "netns", sizeof(cfg.netns) - 1 - sizeof(NETNS_RUN_DIR),
		       &s, err, errlen) < 0)
		return NULL;
	if (s && !netns_spec_valid(s)) {
		kv_errorf(err, errlen, kv, "'netns' expects a name in " NETNS_RUN_DIR
			  " or a path like /proc/PID/ns/net, not '%s'", s);
		return NULL;
	}
	if (s)
		snprintf(cfg.netns, sizeof(cfg.netns), "%s", s);

	if (kv_get_uint(kv, "mtu", TAP_MTU_MIN, TAP_MTU_MAX, &mtu, err, errlen) < 0)
		return NULL;
	cfg.mtu = (unsigned)mtu;
	nd = tap_netdev_new(&cfg);
	if (!nd)
		kv_errorf(err, errlen, kv, "out of memory");
	return nd;
}

static int tap_start(struct netdev *nd, struct ev_loop *loop, char *err, size_t errlen)
{
	struct tap_netdev *t = (struct tap_netdev *)nd;
	char why[512];
	int fd;

	if (*t->cfg.bridge && bridge_acl_check(t->cfg.acl, t->cfg.bridge, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "-netdev %s,id=%s: %s", nd->type->name, nd->common.id, why);
		return -1;
	}
	fd = tap_open(&t->cfg, &t->info, why, sizeof(why));
	if (fd < 0) {
		snprintf(err, errlen, "-netdev %s,id=%s: %s", nd->type->name, nd->common.id, why);
		return -1;
	}
	t->fd = fd;
	t->loop = loop;
	ev_watch_init(&t->watch, fd, tap_readable, t);
	if (ev_watch_add(loop, &t->watch, EPOLLIN) < 0) {
		snprintf(err, errlen, "-netdev tap,id=%s: epoll: %s", nd->common.id,
			 strerror(errno));
		close(fd);
		t->fd = -1;
		return -1;
	}
	port_init(&t->port, &tap_port_ops, nd->common.id);
	if (!t->cfg.offload_off) {
		t->port.offload_caps = tap_offload_on(t);
		t->offload = t->port.offload_caps != 0;
		t->port.offload_scratch = t->segbuf;
	}
	t->port_live = true;
	netdev_port_setup(nd, &t->port);
	info("tap %s: %s%s%s%s%s, mtu %u, port %s", t->info.ifname,
	     t->info.created ? "created" : "attached", *t->cfg.netns ? " in netns " : "",
	     t->cfg.netns, *t->cfg.bridge ? " on bridge " : "", t->cfg.bridge, t->info.mtu,
	     t->port.id);
	return 0;
}

static void tap_hint(const struct netdev *nd, FILE *out)
{
	/* A TAP is for the host side; QEMU connects to vmwire some other way. */
}

static void tap_describe(const struct netdev *nd, char *buf, size_t size)
{
	tap_format((const struct tap_netdev *)nd, buf, size);
}

static void tap_destroy(struct netdev *nd)
{
	struct tap_netdev *t = (struct tap_netdev *)nd;

	if (t->port_live)
		port_close(&t->port);
	else if (t->fd >= 0)
		close(t->fd);
	free(t);
}

const struct tap_config *tap_netdev_config(const struct netdev *nd)
{
	return &((const struct tap_netdev *)nd)->cfg;
}

static const struct netdev_ops tap_netdev_ops = {
	.start = tap_start,
	.hint = tap_hint,
	.describe = tap_describe,
	.destroy = tap_destroy,
};

static const struct netdev_key tap_keys[] = {
	{ "ifname=NAME", "interface name (default: kernel picks vmwireN/tapN)", NULL },
	{ "netns=NAME|PATH", "create it in /run/netns/NAME (ip netns add) or in the namespace "
	  "at PATH, such as /proc/PID/ns/net", NULL },
	{ "mtu=N", "interface MTU", NULL },
	{ "offload=on|off", "checksum/TSO offloads: 64 KiB frames cross whole (default on)",
	  "With offloads on, the kernel hands\n.B vmwire\n"
	  "TCP streams as frames of up to 64 KiB with a virtio_net_hdr\n"
	  "(TUN_F_CSUM, TSO4, TSO6, TSO_ECN, and USO where the kernel has it);\n"
	  "such a frame crosses the switch in one read and one write, and is\n"
	  "segmented and checksummed in software only for a port that can't take it\n"
	  "(stream, dgram, the user-mode gateway).\n"
	  "The header is checked against the frame: a frame whose offsets or headers\n"
	  "lie is dropped and counted.\n"
	  ".B offload=off\n"
	  "moves plain wire-sized frames both ways, for debugging." },
	{ "script=no, downscript=no, vnet_hdr=on", "accepted for QEMU lines; vmwire runs no "
	  "scripts",
	  "QEMU's\n.BR fd ,\n.BR fds ,\n.BR helper ,\n.BR br ,\n.BR vhost* ,\n.BR queues ,\n"
	  ".B poll\\-us\nand\n.B sndbuf\nare rejected." },
	{ NULL, NULL, NULL },
};

/* TUNSETOFFLOAD: offloads are negotiated per TAP (tap_offload_on()). */
static const unsigned long tap_ioctls[] = { TUNSETOFFLOAD, 0 };

const struct netdev_type netdev_tap_type = {
	.name = "tap",
	.summary = "a host TAP interface, created if missing",
	.man = "A TAP interface on the host, or in another network namespace, for\n"
	       "namespaces, containers or the host itself to join the network.\n"
	       "It is created if it does not exist (and removed on exit if vmwire created\n"
	       "it), or attached to if it does.",
	.keys = tap_keys,
	.parse = tap_parse,
	.sandbox = {
		.ioctls = tap_ioctls,
		.setup_only = "creating a TAP takes netlink and CAP_NET_ADMIN, which the "
			      "sandbox gives up",
	},
};
