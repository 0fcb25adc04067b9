/* SPDX-License-Identifier: MIT
 *
 * test_vhost_user.c - the vhost-user netdev driven by a fake frontend: the
 * test connects to the real listener, hands over a memfd as guest memory
 * and its own eventfds, and plays the guest's side of the rings, while
 * the netdev's port sits on a hub with a fake port.
 *
 * Checked: feature negotiation (only offered bits, SET_FEATURES twice),
 * REPLY_ACK acks, a guest frame crossing to the fake port byte for byte
 * with a kick, a frame from the fake port landing in the guest's receive
 * buffers with MRG_RXBUF packing (num_buffers, used lengths) and a call,
 * a frame too big for the buffers on offer dropped without consuming them,
 * GET_VRING_BASE, TSO frames both ways (a guest's whole into the fabric
 * and segmented for a plain port, the fabric's whole into a guest that
 * negotiated GUEST_TSO4), and that a descriptor loop or an unknown request closes
 * the connection while the port stays and the next frontend is served;
 * a NOFD ring is polled, SEND_RARP announces the MAC on the switch;
 * with server=off, vmwire retries until a frontend listens and connects
 * again after it went away.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config/keyval.h"
#include "config/netdev.h"
#include "core/loop.h"
#include "core/offload.h"
#include "fabric/network.h"
#include "helpers/fake_port.h"
#include "ports/vhost_user_msg.h"

#define MEM_SIZE (1u << 20)
#define UVA 0x7e0000000000ull
#define NUM 8
/* per queue q: desc at 0x1000 + q*0x1000 ... */
#define DESC(q) (0x1000u + (q) * 0x3000u)
#define AVAIL(q) (DESC(q) + 0x1000u)
#define USED(q) (DESC(q) + 0x2000u)
#define RXBUF 0x10000u
#define TXBUF 0x40000u

#define F_VERSION_1 (1ull << 32)
#define F_MRG (1ull << 15)
#define F_INDIRECT (1ull << 28)
#define F_PROTO (1ull << 30)
#define F_CSUM (1ull << 0)
#define F_GUEST_CSUM (1ull << 1)
#define F_GUEST_TSO4 (1ull << 7)
#define F_HOST_TSO4 (1ull << 11)

struct fe {
	int sock, memfd;
	uint8_t *mem;
	int kick[2], call[2];
};

static struct ev_loop *loop;
static struct network *net;
static struct netdev *nd;
static struct fake_port peer;
static char path[108];

static void spin(void)
{
	int i;

	for (i = 0; i < 8; i++)
		ev_loop_once(loop, 0);
}

static void fe_send(struct fe *f, uint32_t req, uint32_t flags, const void *p, uint32_t size,
		    const int *fds, unsigned nfds)
{
	uint8_t b[VU_HDR_LEN + 512];
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr a;
	} cb;
	struct iovec iov = { .iov_base = b, .iov_len = VU_HDR_LEN + size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	flags |= VU_VERSION;
	memcpy(b, &req, 4);
	memcpy(b + 4, &flags, 4);
	memcpy(b + 8, &size, 4);
	if (size)
		memcpy(b + 12, p, size);
	if (nfds) {
		struct cmsghdr *c;

		memset(&cb, 0, sizeof(cb));
		mh.msg_control = cb.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	assert_int_equal(sendmsg(f->sock, &mh, MSG_NOSIGNAL), (ssize_t)iov.iov_len);
	spin();
}

/* Read the reply to req; its u64 (or first 8 bytes). */
static uint64_t fe_reply(struct fe *f, uint32_t req)
{
	uint8_t b[VU_HDR_LEN + 64];
	uint32_t r, size;
	uint64_t v = 0;
	ssize_t n = recv(f->sock, b, sizeof(b), MSG_DONTWAIT);

	assert_true(n >= VU_HDR_LEN);
	memcpy(&r, b, 4);
	memcpy(&size, b + 8, 4);
	assert_int_equal(r, req);
	assert_int_equal((size_t)n, VU_HDR_LEN + size);
	memcpy(&v, b + 12, size < 8 ? size : 8);
	return v;
}

static void fe_u64(struct fe *f, uint32_t req, uint64_t v, uint32_t flags)
{
	fe_send(f, req, flags, &v, 8, NULL, 0);
}

static void fe_state(struct fe *f, uint32_t req, uint32_t index, uint32_t num)
{
	uint32_t s[2] = { index, num };

	fe_send(f, req, 0, s, 8, NULL, 0);
}

static bool fe_closed(struct fe *f)
{
	uint8_t b[64];
	ssize_t n;

	spin();
	while ((n = recv(f->sock, b, sizeof(b), MSG_DONTWAIT)) > 0)
		;
	return n == 0;
}

static void fe_connect(struct fe *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(f, 0, sizeof(*f));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	f->sock = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(f->sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	spin();
	f->memfd = memfd_create("vw-test-vhost", MFD_CLOEXEC);
	assert_int_equal(ftruncate(f->memfd, MEM_SIZE), 0);
	f->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f->memfd, 0);
	assert_true(f->mem != MAP_FAILED);
}

/* DPDK's order: rings (addresses, kicks) before the memory table. */
static bool table_last;

/* The whole setup a QEMU does, up to running rings. */
static void fe_start(struct fe *f, uint64_t features)
{
	uint8_t mt[40] = { 0 };
	uint32_t n = 1;
	uint64_t r[4] = { 0, MEM_SIZE, UVA, 0 }, offered;
	unsigned q;

	fe_send(f, VU_GET_FEATURES, 0, NULL, 0, NULL, 0);
	offered = fe_reply(f, VU_GET_FEATURES);
	assert_true(offered & F_VERSION_1);
	assert_true(offered & F_MRG);
	assert_true(offered & F_PROTO);
	assert_true((offered & features) == features);
	fe_send(f, VU_GET_PROTOCOL_FEATURES, 0, NULL, 0, NULL, 0);
	assert_true(fe_reply(f, VU_GET_PROTOCOL_FEATURES) & (1ull << VU_PF_REPLY_ACK));
	fe_u64(f, VU_SET_PROTOCOL_FEATURES, 1ull << VU_PF_REPLY_ACK, 0);
	fe_send(f, VU_SET_OWNER, 0, NULL, 0, NULL, 0);
	/* twice, as DPDK does; the second one counts */
	fe_u64(f, VU_SET_FEATURES, F_VERSION_1, 0);
	fe_u64(f, VU_SET_FEATURES, features, VU_FLAG_NEED_REPLY);
	assert_int_equal(fe_reply(f, VU_SET_FEATURES), 0);
	memcpy(mt, &n, 4);
	memcpy(mt + 8, r, 32);
	if (!table_last) {
		fe_send(f, VU_SET_MEM_TABLE, VU_FLAG_NEED_REPLY, mt, 40, &f->memfd, 1);
		assert_int_equal(fe_reply(f, VU_SET_MEM_TABLE), 0);
	}
	for (q = 0; q < 2; q++) {
		uint8_t a[40] = { 0 };
		uint64_t d = UVA + DESC(q), u = UVA + USED(q), av = UVA + AVAIL(q);
		uint64_t idx = q;

		fe_state(f, VU_SET_VRING_NUM, q, NUM);
		fe_state(f, VU_SET_VRING_BASE, q, 0);
		memcpy(a, &q, 4);
		memcpy(a + 8, &d, 8);
		memcpy(a + 16, &u, 8);
		memcpy(a + 24, &av, 8);
		fe_send(f, VU_SET_VRING_ADDR, 0, a, 40, NULL, 0);
		f->call[q] = eventfd(0, EFD_NONBLOCK);
		f->kick[q] = eventfd(0, EFD_NONBLOCK);
		fe_send(f, VU_SET_VRING_CALL, 0, &idx, 8, &f->call[q], 1);
		fe_send(f, VU_SET_VRING_KICK, 0, &idx, 8, &f->kick[q], 1);
		fe_state(f, VU_SET_VRING_ENABLE, q, 1);
	}
	if (table_last) {
		fe_send(f, VU_SET_MEM_TABLE, VU_FLAG_NEED_REPLY, mt, 40, &f->memfd, 1);
		assert_int_equal(fe_reply(f, VU_SET_MEM_TABLE), 0);
	}
}

static void fe_close(struct fe *f)
{
	unsigned q;

	close(f->sock);
	munmap(f->mem, MEM_SIZE);
	close(f->memfd);
	for (q = 0; q < 2; q++) {
		if (f->kick[q] > 0)
			close(f->kick[q]);
		if (f->call[q] > 0)
			close(f->call[q]);
	}
	spin();
}

static void put_desc(struct fe *f, unsigned q, unsigned i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	uint8_t *d = f->mem + DESC(q) + 16 * i;

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static void offer(struct fe *f, unsigned q, uint16_t head)
{
	uint16_t idx;

	memcpy(&idx, f->mem + AVAIL(q) + 2, 2);
	memcpy(f->mem + AVAIL(q) + 4 + 2 * (idx % NUM), &head, 2);
	idx++;
	memcpy(f->mem + AVAIL(q) + 2, &idx, 2);
}

static void kick(struct fe *f, unsigned q)
{
	uint64_t one = 1;

	assert_int_equal(write(f->kick[q], &one, 8), 8);
	spin();
}

static uint16_t used_idx(struct fe *f, unsigned q)
{
	uint16_t v;

	memcpy(&v, f->mem + USED(q) + 2, 2);
	return v;
}

static int setup(void **state)
{
	char err[256];
	struct kvlist kv;
	char spec[200];

	snprintf(path, sizeof(path), "/tmp/vw-test-vhost-%d.sock", (int)getpid());
	loop = ev_loop_new();
	net = network_new("hub", NETWORK_HUB, 300, 64, loop);
	snprintf(spec, sizeof(spec), "vhost-user,path=%s", path);
	assert_int_equal(kv_parse(&kv, "-netdev", spec, "type", err, sizeof(err)), 0);
	kv_get(&kv, "type");
	nd = netdev_type_find("vhost-user")->parse(&kv, err, sizeof(err));
	assert_non_null(nd);
	assert_int_equal(kv_check_unused(&kv, "-netdev vhost-user", err, sizeof(err)), 0);
	kv_free(&kv);
	snprintf(nd->common.id, sizeof(nd->common.id), "vh");
	nd->common.vlan.pvid = 1;
	nd->net = net;
	assert_int_equal(nd->ops->start(nd, loop, err, sizeof(err)), 0);
	fake_port_attach(&peer, "peer", net);
	return 0;
}

static int teardown(void **state)
{
	nd->ops->destroy(nd);
	network_free(net);
	ev_loop_free(loop);
	return 0;
}

static void test_data_path(void **state)
{
	struct fe f;
	uint8_t frame[3000], got[3100];
	uint64_t calls;
	uint32_t e[2];
	uint16_t nb;
	size_t len;
	unsigned i, off;

	fe_connect(&f);
	fe_start(&f, F_VERSION_1 | F_MRG | F_INDIRECT | F_PROTO);

	/* guest -> peer: a 12-byte header and a 60-byte frame in 2 descriptors */
	for (i = 0; i < 60; i++)
		frame[i] = (uint8_t)(i + 1);
	memset(frame, 0xff, 6);
	memset(f.mem + TXBUF, 0, 12);
	memcpy(f.mem + TXBUF + 12, frame, 60);
	put_desc(&f, 1, 0, TXBUF, 12, 1, 1);
	put_desc(&f, 1, 1, TXBUF + 12, 60, 0, 0);
	offer(&f, 1, 0);
	kick(&f, 1);
	assert_int_equal(peer.n, 1);
	assert_true(fake_port_frame_is(&peer, 0, frame, 60));
	assert_int_equal(used_idx(&f, 1), 1);

	/* peer -> guest: 3000 bytes over 1024-byte buffers, MRG_RXBUF */
	for (i = 0; i < 4; i++) {
		put_desc(&f, 0, i, RXBUF + 0x1000 * i, 1024, 2, 0);
		offer(&f, 0, (uint16_t)i);
	}
	kick(&f, 0);
	for (i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7);
	memcpy(frame, "\x52\x54\x00\x00\x00\x01\x52\x54\x00\x00\x00\x02\x08\x00", 14);
	fake_port_inject(&peer, frame, sizeof(frame));
	spin();
	assert_int_equal(used_idx(&f, 0), 3);
	memcpy(&nb, f.mem + RXBUF + 10, 2);
	assert_int_equal(nb, 3);
	for (i = 0, off = 0; i < 3; i++) {
		memcpy(e, f.mem + USED(0) + 4 + 8 * i, 8);
		assert_int_equal(e[0], i);
		assert_int_equal(e[1], i < 2 ? 1024 : 12 + 3000 - 2048);
		memcpy(got + off, f.mem + RXBUF + 0x1000 * i, e[1]);
		off += e[1];
	}
	assert_memory_equal(got + 12, frame, sizeof(frame));
	assert_int_equal(read(f.call[0], &calls, 8), 8);
	assert_true(calls >= 1);

	/* too big for the one buffer left: dropped, the buffer stays */
	len = sizeof(frame);
	fake_port_inject(&peer, frame, len);
	spin();
	assert_int_equal(used_idx(&f, 0), 3);
	/* a small one still fits it */
	fake_port_inject(&peer, frame, 100);
	spin();
	assert_int_equal(used_idx(&f, 0), 4);

	/* GET_VRING_BASE stops the ring and tells where it was */
	fe_state(&f, VU_GET_VRING_BASE, 1, 0);
	assert_int_equal(fe_reply(&f, VU_GET_VRING_BASE) >> 32, 1);
	fe_close(&f);
}

/* Ethernet + IPv4 + TCP headers for a payload of plen bytes */
static size_t tcp4_frame(uint8_t *f, size_t plen)
{
	memset(f, 0, 54 + plen);
	memcpy(f, "\x52\x54\x00\x00\x00\x01\x52\x54\x00\x00\x00\x02\x08\x00", 14);
	f[14] = 0x45;
	f[16] = (uint8_t)((40 + plen) >> 8);
	f[17] = (uint8_t)(40 + plen);
	f[22] = 64;
	f[23] = 6;
	memcpy(f + 26, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
	f[34] = 0x30; /* ports 12345 -> 80 */
	f[35] = 0x39;
	f[37] = 80;
	f[46] = 0x50; /* data offset 5 */
	f[47] = 0x18; /* PSH ACK */
	f[48] = 0xff;
	memset(f + 54, 'x', plen);
	return 54 + plen;
}

/* A guest TSO frame enters the hub whole and reaches the plain fake port
 * as wire-sized segments; an offload frame from the fabric reaches a guest
 * that negotiated GUEST_TSO4 whole, with its virtio-net header. */
static void test_offload(void **state)
{
	static uint8_t f[12 + 54 + 3000];
	struct frame_offload m = { 0 };
	struct fe fr;
	uint16_t v16;
	uint32_t e[2];
	size_t len, seg;
	unsigned i;

	fe_connect(&fr);
	fe_start(&fr, F_VERSION_1 | F_MRG | F_PROTO | F_CSUM | F_HOST_TSO4 | F_GUEST_CSUM |
			      F_GUEST_TSO4);
	len = tcp4_frame(f + 12, 3000);
	memset(f, 0, 12);
	f[0] = 1;       /* NEEDS_CSUM */
	f[1] = 1;       /* GSO_TCPV4 */
	v16 = 54;
	memcpy(f + 2, &v16, 2);
	v16 = 1000;
	memcpy(f + 4, &v16, 2);
	v16 = 34;
	memcpy(f + 6, &v16, 2);
	v16 = 16;
	memcpy(f + 8, &v16, 2);
	memcpy(fr.mem + TXBUF, f, 12 + len);
	put_desc(&fr, 1, 0, TXBUF, (uint32_t)(12 + len), 0, 0);
	offer(&fr, 1, 0);
	kick(&fr, 1);
	assert_int_equal(peer.n, 3);
	for (i = 0; i < 3; i++) {
		assert_non_null(fake_port_frame(&peer, i, &seg));
		assert_int_equal(seg, 54 + 1000);
	}

	/* fabric -> guest, whole: a 64 KiB-class frame into 2 big buffers */
	for (i = 0; i < 2; i++) {
		put_desc(&fr, 0, i, RXBUF + 0x10000 * i, 0x10000, 2, 0);
		offer(&fr, 0, (uint16_t)i);
	}
	kick(&fr, 0);
	len = tcp4_frame(f, 3000);
	m.flags = OFFLOAD_F_CSUM;
	m.gso_type = OFFLOAD_GSO_TCPV4;
	m.gso_size = 1000;
	m.csum_start = 34;
	m.csum_offset = 16;
	port_receive_offload(&peer.port, &m, f, len);
	spin();
	assert_int_equal(used_idx(&fr, 0), 1);
	memcpy(e, fr.mem + USED(0) + 4, 8);
	assert_int_equal(e[1], 12 + len);
	assert_int_equal(fr.mem[RXBUF], 1);     /* NEEDS_CSUM */
	assert_int_equal(fr.mem[RXBUF + 1], 1); /* GSO_TCPV4 */
	memcpy(&v16, fr.mem + RXBUF + 4, 2);
	assert_int_equal(v16, 1000);
	assert_memory_equal(fr.mem + RXBUF + 12, f, len);
	fe_close(&fr);
}

static unsigned count_ports(void)
{
	unsigned it = 0, n = 0;

	while (network_port_next(net, &it))
		n++;
	return n;
}

static void test_hostile(void **state)
{
	struct fe f;

	/* a descriptor loop on the transmit ring */
	fe_connect(&f);
	fe_start(&f, F_VERSION_1 | F_MRG | F_PROTO);
	put_desc(&f, 1, 0, TXBUF, 12, 1, 1);
	put_desc(&f, 1, 1, TXBUF, 12, 1, 0);
	offer(&f, 1, 0);
	kick(&f, 1);
	assert_true(fe_closed(&f));
	assert_int_equal(count_ports(), 2); /* the vhost-user port stays */
	fe_close(&f);

	/* the next frontend is served, and an unknown request closes it */
	fe_connect(&f);
	fe_send(&f, VU_GET_FEATURES, 0, NULL, 0, NULL, 0);
	assert_true(fe_reply(&f, VU_GET_FEATURES) & F_VERSION_1);
	fe_u64(&f, VU_SET_FEATURES, 1ull << 63, 0); /* not offered */
	assert_true(fe_closed(&f));
	fe_close(&f);

	fe_connect(&f);
	fe_send(&f, 99, 0, NULL, 0, NULL, 0);
	assert_true(fe_closed(&f));
	fe_close(&f);

	/* a memory table whose fd is shorter than the region */
	fe_connect(&f);
	{
		uint8_t mt[40] = { 0 };
		uint32_t n = 1;
		uint64_t r[4] = { 0, MEM_SIZE * 4, UVA, 0 };

		memcpy(mt, &n, 4);
		memcpy(mt + 8, r, 32);
		fe_send(&f, VU_SET_MEM_TABLE, 0, mt, 40, &f.memfd, 1);
	}
	assert_true(fe_closed(&f));
	fe_close(&f);

	/* still alive, and the rings may come before the memory table */
	fe_connect(&f);
	table_last = true;
	fe_start(&f, F_VERSION_1 | F_PROTO);
	table_last = false;
	memset(f.mem + TXBUF, 0, 12 + 60);
	memset(f.mem + TXBUF + 12, 0xff, 6);
	put_desc(&f, 1, 0, TXBUF, 12 + 60, 0, 0);
	offer(&f, 1, 0);
	kick(&f, 1);
	assert_int_equal(used_idx(&f, 1), 1);
	assert_int_equal(peer.n, 1);
	fe_close(&f);
}

/* A NOFD kick: nobody kicks, vmwire polls the ring; SEND_RARP announces
 * the guest's MAC on the switch. */
static void test_nofd_and_rarp(void **state)
{
	uint8_t mac[8] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc, 0, 0 };
	uint64_t nofd = 1 | VU_VRING_NOFD;
	const uint8_t *got;
	struct fe f;
	size_t len;
	int i;

	fe_connect(&f);
	fe_start(&f, F_VERSION_1 | F_MRG | F_PROTO);
	fe_send(&f, VU_SET_VRING_KICK, 0, &nofd, 8, NULL, 0);
	fe_state(&f, VU_SET_VRING_ENABLE, 1, 1);
	memset(f.mem + TXBUF, 0, 12 + 60);
	memset(f.mem + TXBUF + 12, 0xff, 6);
	put_desc(&f, 1, 0, TXBUF, 12 + 60, 0, 0);
	offer(&f, 1, 0);
	for (i = 0; i < 50 && used_idx(&f, 1) != 1; i++)
		ev_loop_once(loop, 5);
	assert_int_equal(used_idx(&f, 1), 1);
	assert_int_equal(peer.n, 1);

	fe_send(&f, VU_SEND_RARP, 0, mac, 8, NULL, 0);
	got = fake_port_frame(&peer, 1, &len);
	assert_non_null(got);
	assert_int_equal(len, 60);
	assert_memory_equal(got + 6, mac, 6);
	assert_int_equal(got[12], 0x80);
	assert_int_equal(got[13], 0x35);
	/* a kick fd with NOFD set, or none without it: malformed */
	fe_send(&f, VU_SET_VRING_KICK, 0, &nofd, 8, &f.memfd, 1);
	assert_true(fe_closed(&f));
	fe_close(&f);
}

/* server=off: vmwire connects to a frontend that listens, retries while
 * there is none, and connects again after the frontend closed. */
static void test_client_reconnect(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char cpath[108], spec[200], err[256];
	struct kvlist kv;
	struct netdev *c;
	struct fe f;
	int l, i, round;

	snprintf(cpath, sizeof(cpath), "/tmp/vw-test-vhost-client-%d.sock", (int)getpid());
	unlink(cpath);
	snprintf(spec, sizeof(spec), "vhost-user,path=%s,server=off,reconnect-ms=20", cpath);
	assert_int_equal(kv_parse(&kv, "-netdev", spec, "type", err, sizeof(err)), 0);
	kv_get(&kv, "type");
	c = netdev_type_find("vhost-user")->parse(&kv, err, sizeof(err));
	assert_non_null(c);
	kv_free(&kv);
	snprintf(c->common.id, sizeof(c->common.id), "vc");
	c->net = net;
	assert_int_equal(c->ops->start(c, loop, err, sizeof(err)), 0); /* nobody listens yet */
	for (i = 0; i < 5; i++)
		ev_loop_once(loop, 30);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", cpath);
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 4), 0);
	for (round = 0; round < 2; round++) {
		memset(&f, 0, sizeof(f));
		f.sock = -1;
		for (i = 0; i < 100 && f.sock < 0; i++) {
			ev_loop_once(loop, 30);
			f.sock = accept(l, NULL, NULL);
		}
		assert_true(f.sock >= 0);
		fe_send(&f, VU_GET_FEATURES, 0, NULL, 0, NULL, 0);
		for (i = 0; i < 50; i++) {
			struct pollfd p = { .fd = f.sock, .events = POLLIN };

			if (poll(&p, 1, 0) == 1)
				break;
			ev_loop_once(loop, 10);
		}
		assert_true(fe_reply(&f, VU_GET_FEATURES) & F_VERSION_1);
		close(f.sock); /* the frontend goes away: vmwire retries */
	}
	close(l);
	unlink(cpath);
	c->ops->destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_data_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nofd_and_rarp, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
