/* SPDX-License-Identifier: MIT
 *
 * vhost_user.c - "-netdev vhost-user": vmwire as the vhost-user backend of
 * a QEMU or DPDK virtio-net device (QEMU docs/interop/vhost-user.rst).
 *
 * Theory of operation: the netdev owns one unix stream socket path. As a
 * server (the default) it listens there and takes one frontend at a time;
 * another one connecting meanwhile is refused. As a client it connects to
 * a frontend that listens and retries every reconnect interval while there
 * is none. The frontend drives everything with request messages
 * (vhost_user_msg.h): features, the memory table, the rings and their
 * eventfds; vmwire answers the requests that have a reply, and with
 * REPLY_ACK negotiated acknowledges every message that asks for it.
 *
 * A message that is malformed, unknown or fails (a region that does not
 * map, ring addresses outside guest memory) costs one log line and the
 * connection; so does a ring the guest corrupts (vhost_net.c). Closing a
 * connection resets the device: every ring stops, every eventfd and the
 * memory table are closed and unmapped, the buffers the guest had posted
 * for transmission are counted as in-flight drops, and the next frontend
 * starts from scratch on the same path. The port stays on its switch the
 * whole time (vhost_dev.h).
 *
 * Steady state costs no system call per frame: the only calls are the
 * kick reads (when the guest asked us to be kicked), the call writes (when
 * it asked to be interrupted, batched per loop iteration) and the messages.
 */
#include "config/keyval.h"
#include "ports/stream.h"
#include "ports/vhost_dev.h"
#include "ports/guest_mem_guard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

extern const struct netdev_type netdev_vhost_user_type;
static const struct netdev_ops vhost_netdev_ops;

#define VHOST_PROTOCOL_FEATURES                                                   \
	(VN_BIT(VU_PF_LOG_SHMFD) | VN_BIT(VU_PF_RARP) | VN_BIT(VU_PF_REPLY_ACK) |  \
	 VN_BIT(VU_PF_MTU) | VN_BIT(VU_PF_RESET_DEVICE) | VN_BIT(VU_PF_STATUS))

static const char *nd_id(const struct vhost_nd *v) { return v->nd.common.id; }

/* ---- device state ------------------------------------------------------ */

static void kick_fn(void *ctx, uint32_t events)
{
	struct vhost_vq *vq = ctx;
	uint64_t n;

	(void)events;
	if (read(vq->kick, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	vq->owner->kicks++;
	vhost_vq_kicked(vq);
}

static void vq_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void vq_stop(struct vhost_vq *vq)
{
	vq->started = false;
	vhost_vq_update(vq);
	vq_close_fd(&vq->kick);
	vq->nofd_kick = false;
}

/* Back to the state before any message (a new connection, RESET_OWNER). */
static void device_reset(struct vhost_nd *v)
{
	unsigned i;

	for (i = 0; i < VHOST_NQ; i++) {
		struct vhost_vq *vq = &v->vq[i];

		if (i == VHOST_TX_Q && vhost_ring_running(vq)) {
			int n = virtq_avail(&vq->q);

			if (n > 0)
				v->inflight_drops += (uint64_t)n;
		}
		vq_stop(vq);
		vq_close_fd(&vq->call);
		vq_close_fd(&vq->err);
		memset(&vq->q, 0, sizeof(vq->q));
		vq->has_addr = vq->enabled = vq->call_pending = vq->kick_on = false;
	}
	guest_mem_reset(&v->mem);
	v->features = v->protocol_features = 0;
	v->status = 0;
	v->rx_buf_len = 0;
	v->polling = v->work_tx = false;
	vhost_apply_features(v);
}

/* ---- messages ---------------------------------------------------------- */

static struct vhost_vq *msg_vq(struct vhost_nd *v, uint32_t index)
{
	return index < VHOST_NQ ? &v->vq[index] : NULL;
}

/* A ring starts where the guest's used->idx is (after a restart of
 * vmwire's side the frontend's base says where avail resumes). */
static void sync_used(struct vhost_vq *vq)
{
	if (virtq_ready(&vq->q))
		vq->q.used_idx = vq->q.signalled =
			__atomic_load_n((uint16_t *)(void *)(vq->q.used + 2), __ATOMIC_ACQUIRE);
}

/* SET_VRING_KICK/CALL/ERR: u64 index | NOFD, the fd unless NOFD. */
static int set_vring_fd(struct vhost_nd *v, struct vu_msg *m, char *why, size_t wl)
{
	struct vhost_vq *vq;
	uint64_t u;
	bool nofd;
	int fd;

	if (vu_get_u64(m, &u) < 0 || !(vq = msg_vq(v, (uint32_t)(u & VU_VRING_IDX_MASK))) ||
	    (u & ~(uint64_t)(VU_VRING_IDX_MASK | VU_VRING_NOFD))) {
		snprintf(why, wl, "bad payload");
		return -1;
	}
	nofd = u & VU_VRING_NOFD;
	if (nofd != (m->nfds == 0) || m->nfds > 1) {
		snprintf(why, wl, "%u fds with NOFD %s", m->nfds, nofd ? "set" : "clear");
		return -1;
	}
	fd = nofd ? -1 : vu_msg_take_fd(m, 0);
	switch (m->hdr.request) {
	case VU_SET_VRING_KICK:
		vq_stop(vq);
		vq->kick = fd;
		vq->nofd_kick = nofd;
		ev_watch_init(&vq->kw, fd, kick_fn, vq);
		vq->started = true;
		sync_used(vq);
		vhost_vq_update(vq);
		break;
	case VU_SET_VRING_CALL:
		vq_close_fd(&vq->call);
		vq->call = fd;
		break;
	default:
		vq_close_fd(&vq->err);
		vq->err = fd;
		break;
	}
	return 0;
}

static int remap_rings(struct vhost_nd *v, char *why, size_t wl)
{
	unsigned i;
	int err = 0;

	for (i = 0; i < VHOST_NQ; i++) {
		struct vhost_vq *vq = &v->vq[i];
		int ret;

		bool was_ready = virtq_ready(&vq->q);

		if (!vq->has_addr)
			continue;
		ret = virtq_map(&vq->q, &v->mem);
		if (!was_ready && vq->started)
			sync_used(vq); /* addresses and kick came before the table */
		vhost_vq_update(vq);
		/* Map every ring even after a failure: one skipped would keep
		 * pointers into the old, unmapped table (device_reset reads them). */
		if (ret && !err) {
			snprintf(why, wl, "ring %u: %s", i, virtq_err_str(ret));
			err = -1;
		}
	}
	return err;
}

/* Handle one request. Returns 0, or -1 with why filled (the connection is
 * closed). *replied is set when the request had a reply of its own. */
static int handle(struct vhost_nd *v, struct vu_msg *m, bool *replied, char *why, size_t wl)
{
	struct vu_msg *r = m; /* replies reuse the buffer once the request is read */
	struct vu_vring_state st;
	struct vu_vring_addr a;
	struct vu_mem_table t;
	struct vu_log_base lb;
	struct vhost_vq *vq;
	uint64_t u;

	*replied = false;
	switch (m->hdr.request) {
	case VU_GET_FEATURES:
		vu_reply_u64(r, m->hdr.request, vhost_offered_features(v));
		*replied = true;
		return 0;
	case VU_SET_FEATURES:
		if (vu_get_u64(m, &u) < 0 || (u & ~vhost_offered_features(v))) {
			snprintf(why, wl, "features %#llx not offered",
				 (unsigned long long)(u & ~vhost_offered_features(v)));
			return -1;
		}
		v->features = u; /* DPDK sends it twice: the last one counts */
		vhost_apply_features(v);
		return 0;
	case VU_GET_PROTOCOL_FEATURES:
		vu_reply_u64(r, m->hdr.request, VHOST_PROTOCOL_FEATURES);
		*replied = true;
		return 0;
	case VU_SET_PROTOCOL_FEATURES:
		if (vu_get_u64(m, &u) < 0 || (u & ~VHOST_PROTOCOL_FEATURES)) {
			snprintf(why, wl, "protocol features not offered");
			return -1;
		}
		v->protocol_features = u;
		return 0;
	case VU_SET_OWNER:
		return 0;
	case VU_RESET_OWNER:
	case VU_RESET_DEVICE:
		device_reset(v);
		return 0;
	case VU_GET_QUEUE_NUM:
		vu_reply_u64(r, m->hdr.request, 1);
		*replied = true;
		return 0;
	case VU_SET_MEM_TABLE: {
		int fds[VU_FDS_MAX];
		unsigned i;

		if (vu_get_mem_table(m, &t) < 0 || m->nfds != t.n) {
			snprintf(why, wl, "malformed table (%u fds)", m->nfds);
			return -1;
		}
		for (i = 0; i < t.n; i++)
			fds[i] = vu_msg_take_fd(m, i);
		if (guest_mem_set(&v->mem, &t, fds, why, wl) < 0)
			return -1;
		return remap_rings(v, why, wl);
	}
	case VU_SET_LOG_BASE: {
		int fd;

		if (vu_get_log_base(m, &lb) < 0 || m->nfds != 1) {
			snprintf(why, wl, "malformed log base (%u fds)", m->nfds);
			return -1;
		}
		fd = vu_msg_take_fd(m, 0);
		if (guest_mem_set_log(&v->mem, fd, lb.size, lb.offset, why, wl) < 0)
			return -1;
		/* with LOG_SHMFD the frontend waits for this reply */
		vu_reply_u64(r, VU_SET_LOG_BASE, 0);
		*replied = true;
		return 0;
	}
	case VU_SET_LOG_FD:
		return 0; /* its fd is closed with the message */
	case VU_SET_VRING_NUM:
		if (vu_get_state(m, &st) < 0 || !(vq = msg_vq(v, st.index)) || !st.num ||
		    st.num > VIRTQ_NUM_MAX || (st.num & (st.num - 1))) {
			snprintf(why, wl, "bad ring size");
			return -1;
		}
		vq->q.num = (uint16_t)st.num; /* <= 32768 */
		return 0;
	case VU_SET_VRING_BASE:
		if (vu_get_state(m, &st) < 0 || !(vq = msg_vq(v, st.index)) || st.num > 0xffff) {
			snprintf(why, wl, "bad ring base");
			return -1;
		}
		vq->q.last_avail = (uint16_t)st.num;
		vq->q.signalled_valid = false;
		return 0;
	case VU_GET_VRING_BASE:
		if (vu_get_state(m, &st) < 0 || !(vq = msg_vq(v, st.index))) {
			snprintf(why, wl, "bad ring index");
			return -1;
		}
		if (vq->call_pending)
			vhost_work(v); /* interrupts owed before the ring stops */
		vq_stop(vq);
		vu_reply_state(r, VU_GET_VRING_BASE, st.index, vq->q.last_avail);
		*replied = true;
		return 0;
	case VU_SET_VRING_ADDR:
		if (vu_get_addr(m, &a) < 0 || !(vq = msg_vq(v, a.index)) || !vq->q.num ||
		    (a.flags & ~VU_VRING_F_LOG)) {
			snprintf(why, wl, "bad ring addresses");
			return -1;
		}
		vq->q.desc_uva = a.desc;
		vq->q.avail_uva = a.avail;
		vq->q.used_uva = a.used;
		vq->q.log_gpa = a.log;
		vq->q.log_used = a.flags & VU_VRING_F_LOG;
		vq->has_addr = true;
		if (!v->mem.n)
			return 0; /* mapped when the memory table comes (remap_rings) */
		if (virtq_map(&vq->q, &v->mem)) {
			snprintf(why, wl, "ring %u outside guest memory or misaligned", a.index);
			return -1;
		}
		vhost_vq_update(vq);
		return 0;
	case VU_SET_VRING_KICK:
	case VU_SET_VRING_CALL:
	case VU_SET_VRING_ERR:
		return set_vring_fd(v, m, why, wl);
	case VU_SET_VRING_ENABLE:
		if (vu_get_state(m, &st) < 0 || !(vq = msg_vq(v, st.index)) || st.num > 1) {
			snprintf(why, wl, "bad ring enable");
			return -1;
		}
		vq->enabled = st.num;
		vhost_vq_update(vq);
		return 0;
	case VU_SEND_RARP:
		if (m->hdr.size != 8) {
			snprintf(why, wl, "bad payload");
			return -1;
		}
		vhost_announce(v, m->payload);
		return 0;
	case VU_NET_SET_MTU:
		if (vu_get_u64(m, &u) < 0 || u < 68 || u > (v->mtu ? v->mtu : 65535)) {
			snprintf(why, wl, "mtu %llu out of range", (unsigned long long)u);
			return -1;
		}
		return 0;
	case VU_SET_STATUS:
		if (vu_get_u64(m, &u) < 0 || u > 0xff) {
			snprintf(why, wl, "bad status");
			return -1;
		}
		v->status = (uint8_t)u;
		return 0;
	case VU_GET_STATUS:
		vu_reply_u64(r, m->hdr.request, v->status);
		*replied = true;
		return 0;
	}
	snprintf(why, wl, "not supported");
	return -1;
}

static void conn_readable(void *ctx, uint32_t events)
{
	struct vhost_nd *v = ctx;
	int i;

	for (i = 0; i < 64 && v->cfd >= 0; i++) {
		struct vu_msg *m = &v->msg;
		enum vu_rx_verdict rv = vu_rx_read(v->cfd, &v->rx, m);
		uint32_t req, flags;
		bool replied;
		char why[256] = "";
		int ret;

		if (rv == VU_RX_AGAIN)
			return;
		if (rv == VU_RX_EOF) {
			vhost_conn_close(v, "closed by the frontend");
			return;
		}
		if (rv == VU_RX_ERR) {
			snprintf(why, sizeof(why), "%s", errno == EPROTO ?
				 "malformed message header" : strerror(errno));
			vhost_conn_close(v, why);
			return;
		}
		req = m->hdr.request;
		flags = m->hdr.flags;
		debug("vhost-user %s: %s (%u bytes, %u fds, flags %#x)", nd_id(v),
		      vu_request_name(req), m->hdr.size, m->nfds, flags);
		ret = handle(v, m, &replied, why, sizeof(why));
		if (!replied)
			vu_msg_close_fds(m); /* whatever the request did not take */
		if (ret < 0) {
			char msg[400];

			snprintf(msg, sizeof(msg), "%s (%u): %s", vu_request_name(req), req, why);
			vhost_conn_close(v, msg);
			return;
		}
		if (!replied && flags & VU_FLAG_NEED_REPLY &&
		    v->protocol_features & VN_BIT(VU_PF_REPLY_ACK)) {
			vu_reply_u64(m, req, 0);
			replied = true;
		}
		if (replied && vu_msg_send(v->cfd, m) < 0) {
			vhost_conn_close(v, "cannot send a reply");
			return;
		}
	}
}

/* ---- connections ------------------------------------------------------- */

static void client_connect(struct vhost_nd *v);

void vhost_conn_close(struct vhost_nd *v, const char *why)
{
	if (v->cfd < 0)
		return;
	info("vhost-user %s: connection closed: %s", nd_id(v), why);
	device_reset(v);
	ev_watch_del(v->loop, &v->cw);
	close(v->cfd);
	v->cfd = -1;
	v->work_reset = false;
	v->resets++;
	vu_rx_reset(&v->rx);
	if (v->work.armed)
		ev_timer_cancel(v->loop, &v->work);
	if (!v->server && !v->closing) {
		snprintf(v->last_error, sizeof(v->last_error), "%s", why);
		ev_timer_arm(v->loop, &v->retry, v->reconnect_ms);
	}
}

static int conn_open(struct vhost_nd *v, int fd)
{
	device_reset(v);
	vu_rx_init(&v->rx);
	v->cfd = fd;
	ev_watch_init(&v->cw, fd, conn_readable, v);
	if (ev_watch_add(v->loop, &v->cw, EPOLLIN) < 0) {
		v->cfd = -1;
		return -1;
	}
	v->connections++;
	return 0;
}

static void server_accept(void *ctx, uint32_t events)
{
	struct vhost_nd *v = ctx;
	int fd = accept4(v->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	(void)events;
	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			LOG_ONCE_FOR(&v->logged, VHOST_LOG_ACCEPT, LOG_LVL_WARN,
				     "vhost-user %s: accept: %s", nd_id(v), strerror(errno));
		return;
	}
	if (v->cfd >= 0) {
		LOG_ONCE_FOR(&v->logged, VHOST_LOG_BUSY, LOG_LVL_WARN,
			     "vhost-user %s: a second frontend connected to %s; refused (one at "
			     "a time)", nd_id(v), v->path);
		close(fd);
		return;
	}
	if (conn_open(v, fd) < 0) {
		close(fd);
		return;
	}
	info("vhost-user %s: frontend connected on %s", nd_id(v), v->path);
}

static int unix_addr(const struct vhost_nd *v, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, v->path, strlen(v->path) + 1);
	return 0;
}

static void client_connect(struct vhost_nd *v)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	unix_addr(v, &sa);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    conn_open(v, fd) < 0) {
		if (!v->last_error[0] || strcmp(v->last_error, strerror(errno)))
			info("vhost-user %s: connect to %s: %s; retrying every %llu ms", nd_id(v),
			     v->path, strerror(errno), (unsigned long long)v->reconnect_ms);
		snprintf(v->last_error, sizeof(v->last_error), "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		ev_timer_arm(v->loop, &v->retry, v->reconnect_ms);
		return;
	}
	v->last_error[0] = '\0';
	info("vhost-user %s: connected to the frontend on %s", nd_id(v), v->path);
}

static void client_retry(void *ctx)
{
	client_connect(ctx);
}

static int server_listen(struct vhost_nd *v, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd;

	unix_addr(v, &sa);
	if (lstat(v->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "-netdev vhost-user,id=%s: 'path' %s exists and is "
				 "not a socket", nd_id(v), v->path);
			return -1;
		}
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(fd);
			snprintf(err, errlen, "-netdev vhost-user,id=%s: 'path' %s: another "
				 "process is listening there", nd_id(v), v->path);
			return -1;
		}
		if (fd >= 0)
			close(fd);
		unlink(v->path); /* stale, from a process that died */
	}
	v->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (v->lfd < 0 || unix_bind_acl(v->lfd, &sa, sizeof(sa), &v->acl) < 0 ||
	    listen(v->lfd, 4) < 0) {
		snprintf(err, errlen, "-netdev vhost-user,id=%s: 'path' %s: can't listen: %s",
			 nd_id(v), v->path, strerror(errno));
		return -1;
	}
	v->unlink_on_destroy = true;
	ev_watch_init(&v->lw, v->lfd, server_accept, v);
	if (ev_watch_add(v->loop, &v->lw, EPOLLIN) < 0) {
		snprintf(err, errlen, "-netdev vhost-user,id=%s: epoll: %s", nd_id(v),
			 strerror(errno));
		return -1;
	}
	info("vhost-user %s: listening on %s", nd_id(v), v->path);
	return 0;
}

/* ---- netdev ------------------------------------------------------------ */

static int vhost_start(struct netdev *nd, struct ev_loop *loop, char *err, size_t errlen)
{
	struct vhost_nd *v = (struct vhost_nd *)nd;

	v->loop = loop;
	guest_mem_guard_install(); /* before the sandbox: a shrunk file must not kill us */
	port_init(&v->port, &vhost_port_ops, nd->common.id);
	v->port.offload_scratch = v->segbuf;
	v->port_live = true;
	netdev_port_setup(nd, &v->port);
	if (v->server)
		return server_listen(v, err, errlen);
	client_connect(v);
	return 0;
}

static void vhost_hint(const struct netdev *nd, FILE *out)
{
	const struct vhost_nd *v = (const struct vhost_nd *)nd;
	char mtu[32] = "";

	if (v->mtu)
		snprintf(mtu, sizeof(mtu), ",host_mtu=%u", v->mtu);
	fprintf(out, "-chardev socket,id=chr-%s,path=%s%s\n", nd->common.id, v->path,
		v->server ? "" : ",server=on");
	fprintf(out, "-netdev vhost-user,id=%s,chardev=chr-%s\n", nd->common.id,
		nd->common.id);
	fprintf(out, "-object memory-backend-memfd,id=mem,size=RAM,share=on "
		"-numa node,memdev=mem -m RAM\n");
	fprintf(out, "-device virtio-net-pci,netdev=%s%s\n", nd->common.id, mtu);
}

static void vhost_describe(const struct netdev *nd, char *buf, size_t size)
{
	const struct vhost_nd *v = (const struct vhost_nd *)nd;

	if (v->cfd >= 0)
		snprintf(buf, size, "%s %s, frontend connected", v->server ? "listening on" :
			 "connected to", v->path);
	else if (v->server)
		snprintf(buf, size, "listening on %s, no frontend", v->path);
	else
		snprintf(buf, size, "down (%s), reconnecting to %s every %llu ms",
			 v->last_error[0] ? v->last_error : "not connected", v->path,
			 (unsigned long long)v->reconnect_ms);
}

static void vhost_destroy(struct netdev *nd)
{
	struct vhost_nd *v = (struct vhost_nd *)nd;

	v->closing = true;
	if (v->loop) {
		vhost_conn_close(v, "shutting down");
		ev_timer_cancel(v->loop, &v->retry);
		ev_timer_cancel(v->loop, &v->work);
	}
	if (v->lfd >= 0) {
		if (v->loop)
			ev_watch_del(v->loop, &v->lw);
		close(v->lfd);
	}
	if (v->unlink_on_destroy)
		unlink(v->path);
	if (v->port_live)
		port_close(&v->port);
	free(v);
}

static struct netdev *vhost_parse(struct kvlist *kv, char *err, size_t errlen)
{
	struct vhost_nd *v;
	const char *path = NULL;
	bool server = true, offload = true;
	uint64_t reconnect_ms = 0, queues = 1, mtu = 0;
	struct unix_acl acl = { 0 };
	unsigned i;

	if (kv_get_str(kv, "path", sizeof(v->path) - 1, &path, err, errlen) < 0)
		return NULL;
	if (!path || !*path) {
		kv_errorf(err, errlen, kv, "'path' is required (the vhost-user socket)");
		return NULL;
	}
	if (kv_get_bool(kv, "server", &server, err, errlen) < 0 ||
	    kv_get_bool(kv, "offload", &offload, err, errlen) < 0 ||
	    stream_parse_reconnect(kv, server, &reconnect_ms, err, errlen) < 0 ||
	    kv_get_uint(kv, "queues", 1, 1, &queues, err, errlen) < 0 ||
	    kv_get_uint(kv, "mtu", 68, 65535, &mtu, err, errlen) < 0)
		return NULL;
	if (unix_acl_parse_if(kv, server, "with server=on", &acl, err, errlen) < 0)
		return NULL;
	v = calloc(1, sizeof(*v));
	if (!v) {
		kv_errorf(err, errlen, kv, "out of memory");
		return NULL;
	}
	v->nd.type = &netdev_vhost_user_type;
	v->nd.ops = &vhost_netdev_ops;
	snprintf(v->path, sizeof(v->path), "%s", path);
	v->server = server;
	v->acl = acl;
	v->offload = offload;
	v->reconnect_ms = reconnect_ms ? reconnect_ms : 1000;
	v->queues = (unsigned)queues;
	v->mtu = (unsigned)mtu;
	v->lfd = v->cfd = -1;
	ev_timer_init(&v->retry, client_retry, v);
	ev_timer_init(&v->work, vhost_work, v);
	guest_mem_init(&v->mem);
	for (i = 0; i < VHOST_NQ; i++) {
		v->vq[i].owner = v;
		v->vq[i].kick = v->vq[i].call = v->vq[i].err = -1;
	}
	v->hdr_len = 10;
	return &v->nd;
}

static const struct netdev_ops vhost_netdev_ops = {
	.start = vhost_start,
	.hint = vhost_hint,
	.describe = vhost_describe,
	.destroy = vhost_destroy,
};

static const struct netdev_key vhost_keys[] = {
	{ "path=PATH", "the vhost-user unix socket; a listener's file is removed on exit", NULL },
	{ "server=on|off", "listen for one frontend at a time (on, default) or connect to a "
	  "frontend that listens (off)",
	  "With\n.BR server=on ,\nQEMU connects with\n"
	  ".BR \"\\-chardev socket,id=c0,path=PATH \\-netdev vhost-user,id=n0,chardev=c0\" ;\n"
	  "a second frontend while one is connected is refused. The guest's RAM must be\n"
	  "shared memory\n.RB ( \"\\-object memory-backend-memfd,id=mem,size=M,share=on "
	  "\\-numa node,memdev=mem\" )." },
	{ UNIX_ACL_HELP_MODE, "server=on: the socket file's permissions, set before it "
	  "appears (default 0777 & ~umask)", NULL },
	{ UNIX_ACL_HELP_OWNER, "server=on: the socket file's owner (needs CAP_CHOWN)", NULL },
	{ UNIX_ACL_HELP_GROUP, "server=on: the socket file's group", NULL },
	{ "reconnect=SECONDS, reconnect-ms=MS", "server=off: retry this often while no "
	  "frontend listens (default 1 s)", NULL },
	{ "queues=N", "queue pairs; only 1 for now", NULL },
	{ "mtu=N", "the largest MTU the guest may set (NET_SET_MTU); the hint gives it to QEMU as host_mtu", NULL },
	{ "offload=on|off", "checksum and TSO offloads both ways: 64 KiB frames cross whole "
	  "(default on)",
	  "With offloads on, vmwire offers CSUM, HOST_TSO4/6 and GUEST_CSUM, GUEST_TSO4/6:\n"
	  "a guest's TSO frame enters the switch whole, and a frame that reaches the guest\n"
	  "with offload metadata goes to it whole if it negotiated the offload, and is\n"
	  "segmented in software otherwise." },
	{ NULL, NULL, NULL },
};

const struct netdev_type netdev_vhost_user_type = {
	.name = "vhost-user",
	.summary = "vmwire as the vhost-user backend of a QEMU or DPDK virtio-net device",
	.man = "vmwire as the vhost-user backend (QEMU's docs/interop/vhost-user.rst) of a\n"
	       "virtio-net device in QEMU or DPDK: frames move through the guest's virtio\n"
	       "rings in shared memory, without a system call per frame. Features: VERSION_1,\n"
	       "MRG_RXBUF, EVENT_IDX, INDIRECT_DESC, the offloads, dirty logging for live\n"
	       "migration, SEND_RARP, REPLY_ACK. When the frontend goes away the device is\n"
	       "reset and the next one is accepted on the same path; the port stays.",
	.keys = vhost_keys,
	.man_notes = "A malformed or unknown message, or a ring the guest corrupted (an index,\n"
		     "a descriptor loop, an address outside its memory), closes that connection\n"
		     "with one log line; the daemon and every other port go on.",
	.parse = vhost_parse,
	.sandbox = {
		.paths = "a client's socket (to reconnect) and a listener's socket file (to "
			 "remove it at exit)",
	},
};
