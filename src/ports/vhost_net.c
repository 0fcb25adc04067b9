/* SPDX-License-Identifier: MIT
 *
 * vhost_net.c - the vhost-user-net data path: frames between the guest's
 * virtqueues and the port, see vhost_dev.h.
 *
 * Theory of operation.
 *
 * Guest to fabric (queue 1): a kick, or the poll timer for a NOFD ring,
 * runs vhost_tx(): up to VHOST_TX_BUDGET chains are walked, each copied
 * once into txbuf (the only copy on our side; the guest may rewrite its
 * buffer at any time, so nothing is read from shared memory twice), the
 * virtio-net header becomes offload metadata and the frame goes to
 * port_receive_offload(), so a 64 KiB TSO frame enters the switch whole.
 * The used entries are published once per batch and the guest is
 * interrupted (the call eventfd) only when it asked for it. A ring with
 * more work than the budget switches kicks off and finishes from the work
 * timer, so a busy guest can't starve the loop; an idle one re-arms kicks
 * and looks once more for a buffer added meanwhile.
 *
 * Fabric to guest (queue 0): transmit() and transmit_offload() write the
 * virtio-net header and the frame straight from the caller's buffer into
 * the guest's receive buffers (one copy). With MRG_RXBUF a frame spreads
 * over as many buffers as it needs and num_buffers says how many; without
 * it one chain must hold it. Buffers are consumed only once the frame fits,
 * so a frame too big for what is on offer is dropped (counted by
 * port_send()) and leaves the buffers for the next. When the ring is empty
 * we ask for a kick; the kick calls port_writable(), which wakes sources
 * that waited on tx_room(). Calls are batched through the work timer: a
 * burst of frames from the switch costs one eventfd write.
 *
 * A ring the guest corrupted (index, loop, address) is a broken device:
 * vhost_broken() stops using it at once and the work timer closes the
 * connection, as for a malformed message.
 */
#include "ports/vhost_dev.h"
#include "core/offload.h"

#include <errno.h>
#include <linux/virtio_net.h>
#include <sys/epoll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct vhost_nd *vhost_of_port(const struct port *port)
{
	return (struct vhost_nd *)((const char *)port - offsetof(struct vhost_nd, port));
}

uint64_t vhost_offered_features(const struct vhost_nd *v)
{
	uint64_t f = VN_BIT(VN_F_VERSION_1) | VN_BIT(VN_F_MRG_RXBUF) | VN_BIT(VN_F_EVENT_IDX) |
		     VN_BIT(VN_F_INDIRECT_DESC) | VN_BIT(VN_F_ANY_LAYOUT) |
		     VN_BIT(VN_F_STATUS) | VN_BIT(VN_F_GUEST_ANNOUNCE) |
		     VN_BIT(VU_F_PROTOCOL_FEATURES) | VN_BIT(VU_F_LOG_ALL);

	if (v->offload)
		f |= VN_BIT(VN_F_CSUM) | VN_BIT(VN_F_GUEST_CSUM) | VN_BIT(VN_F_HOST_TSO4) |
		     VN_BIT(VN_F_HOST_TSO6) | VN_BIT(VN_F_HOST_ECN) | VN_BIT(VN_F_GUEST_TSO4) |
		     VN_BIT(VN_F_GUEST_TSO6) | VN_BIT(VN_F_GUEST_ECN);
	if (v->mtu)
		f |= VN_BIT(VN_F_MTU);
	return f;
}

/* Features are known (SET_FEATURES, possibly again): rings, header, caps. */
void vhost_apply_features(struct vhost_nd *v)
{
	uint64_t f = v->features;
	uint32_t caps = 0;
	unsigned i;

	for (i = 0; i < VHOST_NQ; i++) {
		v->vq[i].q.event_idx = f & VN_BIT(VN_F_EVENT_IDX);
		v->vq[i].q.indirect = f & VN_BIT(VN_F_INDIRECT_DESC);
	}
	v->hdr_len = f & (VN_BIT(VN_F_VERSION_1) | VN_BIT(VN_F_MRG_RXBUF)) ? 12 : 10;
	v->mem.logging = f & VN_BIT(VU_F_LOG_ALL);
	if (f & VN_BIT(VN_F_GUEST_CSUM)) {
		caps |= OFFLOAD_CAP_CSUM;
		if (f & VN_BIT(VN_F_GUEST_TSO4))
			caps |= OFFLOAD_CAP_TSO4;
		if (f & VN_BIT(VN_F_GUEST_TSO6))
			caps |= OFFLOAD_CAP_TSO6;
		if (caps & (OFFLOAD_CAP_TSO4 | OFFLOAD_CAP_TSO6) && f & VN_BIT(VN_F_GUEST_ECN))
			caps |= OFFLOAD_CAP_TSO_ECN;
	}
	v->port.offload_caps = caps;
}

bool vhost_ring_running(const struct vhost_vq *vq)
{
	const struct vhost_nd *v = vq->owner;

	return v->cfd >= 0 && !v->work_reset && vq->started && virtq_ready(&vq->q) &&
	       (vq->enabled || !(v->features & VN_BIT(VU_F_PROTOCOL_FEATURES)));
}

void vhost_schedule(struct vhost_nd *v)
{
	if (!v->work.armed)
		ev_timer_arm(v->loop, &v->work, 0);
}

void vhost_broken(struct vhost_nd *v, const char *what, int err)
{
	if (!v->work_reset) {
		warn("vhost-user %s: %s: %s; closing the connection", v->nd.common.id, what,
		     virtq_err_str(err));
		v->broken++;
	}
	v->work_reset = true;
	vhost_schedule(v);
}

/* Publish and remember to decide about a call in the work timer. */
static void vq_publish(struct vhost_vq *vq)
{
	virtq_used_publish(&vq->q, &vq->owner->mem);
	vq->call_pending = true;
	vhost_schedule(vq->owner);
}

static void vq_call(struct vhost_vq *vq)
{
	struct vhost_nd *v = vq->owner;
	uint64_t one = 1;

	vq->call_pending = false;
	if (!vhost_ring_running(vq) || !virtq_should_call(&vq->q) || vq->call < 0)
		return;
	v->calls++;
	if (write(vq->call, &one, sizeof(one)) < 0 && errno != EAGAIN)
		LOG_ONCE_FOR(&v->logged, VHOST_LOG_CALL, LOG_LVL_WARN,
			     "vhost-user %s: call eventfd: %s", v->nd.common.id, strerror(errno));
}

/* ---- guest to fabric --------------------------------------------------- */

static void tx_deliver(struct vhost_nd *v, size_t n)
{
	struct virtio_net_hdr h;
	struct frame_offload m;
	const uint8_t *frame = v->txbuf + v->hdr_len;
	size_t len = n - v->hdr_len;

	memcpy(&h, v->txbuf, sizeof(h));
	if (offload_from_vnet(&m, &h) < 0) {
		v->port.stats.rx_drops++;
		LOG_ONCE_FOR(&v->logged, VHOST_LOG_BAD_HDR, LOG_LVL_WARN,
			     "vhost-user %s: unknown virtio-net header flags %#x or GSO type %#x; "
			     "dropped", v->nd.common.id, h.flags, h.gso_type);
		return;
	}
	if (m.gso_type != OFFLOAD_GSO_NONE &&
	    !(v->features & (VN_BIT(VN_F_HOST_TSO4) | VN_BIT(VN_F_HOST_TSO6)))) {
		v->port.stats.rx_drops++;
		LOG_ONCE_FOR(&v->logged, VHOST_LOG_NO_GSO, LOG_LVL_WARN,
			     "vhost-user %s: guest sent a GSO frame without HOST_TSO; dropped",
			     v->nd.common.id);
		return;
	}
	if (offload_active(&m))
		port_receive_offload(&v->port, &m, frame, len);
	else
		port_receive(&v->port, frame, len);
}

/* Process up to the budget; true if the ring still has work. */
static bool vhost_tx(struct vhost_vq *vq)
{
	struct vhost_nd *v = vq->owner;
	struct virtq *q = &vq->q;
	unsigned done = 0;
	int avail, ret;

	avail = virtq_avail(q);
	if (avail < 0) {
		vhost_broken(v, "transmit ring", avail);
		return false;
	}
	while ((unsigned)avail > done && done < VHOST_TX_BUDGET) {
		uint16_t head;
		size_t n;

		ret = virtq_head(q, done, &head);
		if (!ret)
			ret = virtq_chain(q, &v->mem, head, false, &v->chain);
		if (ret) {
			vhost_broken(v, "transmit ring", ret);
			break;
		}
		n = virtq_chain_read(&v->chain, v->txbuf, sizeof(v->txbuf));
		virtq_used_add(q, &v->mem, head, 0);
		done++;
		if (v->chain.total > sizeof(v->txbuf) || n < v->hdr_len + FRAME_MIN) {
			v->port.stats.rx_drops++;
			if (v->chain.total > sizeof(v->txbuf)) {
				v->oversized++;
				LOG_ONCE_FOR(&v->logged, VHOST_LOG_OVERSIZED, LOG_LVL_WARN,
					     "vhost-user %s: guest frame of %u bytes is larger "
					     "than %u; dropped", v->nd.common.id, v->chain.total,
					     (unsigned)sizeof(v->txbuf));
			}
			continue;
		}
		tx_deliver(v, n);
		if (v->work_reset) /* the frame's way back broke the device */
			break;
	}
	if (v->work_reset)
		return false;
	virtq_consume(q, done);
	if (done)
		vq_publish(vq);
	return done == VHOST_TX_BUDGET && (unsigned)avail > done;
}

/* ---- fabric to guest --------------------------------------------------- */

/* Write hdr+frame into receive buffers; false if they don't fit (nothing
 * consumed) or the ring broke. */
static bool rx_put(struct vhost_nd *v, const uint8_t *hdr, const uint8_t *frame, size_t len)
{
	struct vhost_vq *vq = &v->vq[VHOST_RX_Q];
	struct virtq *q = &vq->q;
	bool mrg = v->features & VN_BIT(VN_F_MRG_RXBUF);
	size_t need = v->hdr_len + len, put = 0;
	unsigned nheads = 0, i;
	int avail, ret;
	uint16_t nbuf;

	if (!vhost_ring_running(vq))
		return false;
	avail = virtq_avail(q);
	if (avail < 0) {
		vhost_broken(v, "receive ring", avail);
		return false;
	}
	while (put < need) {
		struct virtq_chain *c = nheads ? &v->chain2 : &v->chain;
		size_t off = 0, n;
		uint16_t head;

		if ((unsigned)avail <= nheads || nheads == VHOST_RX_HEADS_MAX ||
		    (nheads && !mrg))
			goto full;
		ret = virtq_head(q, nheads, &head);
		if (!ret)
			ret = virtq_chain(q, &v->mem, head, true, c);
		if (ret) {
			vhost_broken(v, "receive ring", ret);
			return false;
		}
		if (!nheads) {
			v->rx_buf_len = c->total;
			if (c->total < v->hdr_len)
				goto full;
			virtq_chain_write(&v->mem, c, 0, hdr, v->hdr_len);
			off = v->hdr_len;
			put = v->hdr_len;
		}
		n = virtq_chain_write(&v->mem, c, off, frame + (put - v->hdr_len), need - put);
		put += n;
		v->heads[nheads] = head;
		v->head_lens[nheads] = (uint32_t)(off + n);
		nheads++;
	}
	if (v->hdr_len == 12) {
		uint8_t nb[2];

		nbuf = mrg ? (uint16_t)nheads : 1;
		memcpy(nb, &nbuf, 2);
		virtq_chain_write(&v->mem, &v->chain, 10, nb, 2);
	}
	for (i = 0; i < nheads; i++)
		virtq_used_add(q, &v->mem, v->heads[i], v->head_lens[i]);
	virtq_consume(q, nheads);
	vq_publish(vq);
	/* Running low: have the guest kick when it refills, so a source that
	 * found too little room in tx_room() is woken by port_writable(). */
	if (!vq->kick_on && virtq_avail(q) < VHOST_RX_LOW(q->num)) {
		vq->kick_on = true;
		virtq_kick_enable(q, &v->mem, true);
	}
	if (v->mem.faulted) /* closed by the work timer */
		vhost_schedule(v);
	return true;
full:
	/* Out of buffers: ask for a kick when the guest adds some. */
	if (!vq->kick_on) {
		vq->kick_on = true;
		virtq_kick_enable(q, &v->mem, true);
	}
	return false;
}

static bool vhost_transmit(struct port *port, const uint8_t *frame, size_t len)
{
	struct vhost_nd *v = vhost_of_port(port);
	uint8_t hdr[VHOST_HDR_MAX] = { 0 };

	return rx_put(v, hdr, frame, len);
}

static bool vhost_transmit_offload(struct port *port, const struct frame_offload *m,
				   const uint8_t *frame, size_t len)
{
	struct vhost_nd *v = vhost_of_port(port);
	uint8_t hdr[VHOST_HDR_MAX] = { 0 };
	struct virtio_net_hdr h;

	offload_to_vnet(&h, m);
	memcpy(hdr, &h, sizeof(h));
	return rx_put(v, hdr, frame, len);
}

/* Room: the buffers on offer times the size of the last one seen (the
 * guest posts buffers of one size). Not connected: frames are dropped,
 * not waited for. */
static size_t vhost_tx_room(const struct port *port)
{
	const struct vhost_nd *v = vhost_of_port(port);
	const struct vhost_vq *vq = &v->vq[VHOST_RX_Q];
	uint32_t per = v->rx_buf_len > v->hdr_len ? v->rx_buf_len - v->hdr_len : 1500;
	int avail;

	if (!vhost_ring_running(vq))
		return SIZE_MAX;
	avail = virtq_avail(&vq->q);
	if (avail <= 0)
		return 0;
	if (!(v->features & VN_BIT(VN_F_MRG_RXBUF)))
		return (size_t)avail * (per + PORT_TX_OVERHEAD);
	return (size_t)avail * per;
}

/* ---- kicks and the work timer ----------------------------------------- */

void vhost_vq_kicked(struct vhost_vq *vq)
{
	struct vhost_nd *v = vq->owner;

	if (!vhost_ring_running(vq))
		return;
	if (vq == &v->vq[VHOST_RX_Q]) {
		/* new receive buffers: sources waiting for room may go on */
		if (vq->kick_on && !vq->nofd_kick) {
			vq->kick_on = false;
			virtq_kick_enable(&vq->q, &v->mem, false);
		}
		port_writable(&v->port);
		return;
	}
	if (vhost_tx(vq)) {
		virtq_kick_enable(&vq->q, &v->mem, false);
		v->work_tx = true;
		vhost_schedule(v);
		return;
	}
	if (v->work_reset)
		return;
	virtq_kick_enable(&vq->q, &v->mem, true);
	/* a frame added between our last look and re-arming the kick */
	if (virtq_avail(&vq->q) != 0) {
		v->work_tx = true;
		vhost_schedule(v);
	}
}

void vhost_vq_update(struct vhost_vq *vq)
{
	struct vhost_nd *v = vq->owner;
	bool run = vhost_ring_running(vq);
	unsigned i;

	if (run && vq->kick >= 0 && !vq->kick_watched) {
		if (ev_watch_add(v->loop, &vq->kw, EPOLLIN) == 0)
			vq->kick_watched = true;
	} else if (!run && vq->kick_watched) {
		ev_watch_del(v->loop, &vq->kw);
		vq->kick_watched = false;
	}
	v->polling = false;
	for (i = 0; i < VHOST_NQ; i++)
		if (vhost_ring_running(&v->vq[i]) && v->vq[i].nofd_kick)
			v->polling = true;
	if (run) {
		/* look at once: the guest may have queued before we started */
		if (vq == &v->vq[VHOST_RX_Q]) {
			vq->kick_on = true;
			virtq_kick_enable(&vq->q, &v->mem, true);
			port_writable(&v->port);
		} else {
			v->work_tx = true;
		}
		vhost_schedule(v);
	}
}

/* The SIGBUS guard patched a page of the frontend's memory file: it was
 * shrunk under us (guest_mem_guard.h). */
static bool mem_faulted(struct vhost_nd *v)
{
	if (!v->mem.faulted)
		return false;
	warn("vhost-user %s: the frontend shrank its guest memory file while mapped; "
	     "closing the connection", v->nd.common.id);
	v->broken++;
	vhost_conn_close(v, "guest memory file shrunk");
	return true;
}

void vhost_work(void *ctx)
{
	struct vhost_nd *v = ctx;
	unsigned i;

	if (mem_faulted(v))
		return;
	if (v->work_reset) {
		vhost_conn_close(v, "broken ring");
		return;
	}
	if (v->work_tx || v->polling) {
		v->work_tx = false;
		vhost_vq_kicked(&v->vq[VHOST_TX_Q]);
		if (v->polling && v->vq[VHOST_RX_Q].nofd_kick &&
		    virtq_ready(&v->vq[VHOST_RX_Q].q) && v->vq[VHOST_RX_Q].kick_on &&
		    virtq_avail(&v->vq[VHOST_RX_Q].q) > 0)
			vhost_vq_kicked(&v->vq[VHOST_RX_Q]);
	}
	if (mem_faulted(v))
		return;
	if (v->work_reset) {
		vhost_conn_close(v, "broken ring");
		return;
	}
	for (i = 0; i < VHOST_NQ; i++)
		if (v->vq[i].call_pending)
			vq_call(&v->vq[i]);
	if (v->polling && !v->work.armed)
		ev_timer_arm(v->loop, &v->work, VHOST_POLL_MS);
}

/* ---- announce ---------------------------------------------------------- */

/* A RARP request from mac (what QEMU's own announce sends): the switch
 * learns mac on this port and every other port sees it. */
void vhost_announce(struct vhost_nd *v, const uint8_t *mac)
{
	uint8_t f[60] = { 0 };

	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	wr16be(f + 12, 0x8035);
	wr16be(f + 14, 1);      /* Ethernet */
	wr16be(f + 16, 0x0800); /* IPv4 */
	f[18] = 6;
	f[19] = 4;
	wr16be(f + 20, 3);      /* reverse request */
	memcpy(f + 22, mac, 6);
	memcpy(f + 32, mac, 6);
	port_receive(&v->port, f, sizeof(f));
}

/* ---- port ops ---------------------------------------------------------- */

static void feature_names(uint64_t f, char *buf, size_t size)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ VN_F_VERSION_1, "version_1" }, { VN_F_MRG_RXBUF, "mrg_rxbuf" },
		{ VN_F_EVENT_IDX, "event_idx" }, { VN_F_INDIRECT_DESC, "indirect" },
		{ VN_F_CSUM, "csum" }, { VN_F_GUEST_CSUM, "guest_csum" },
		{ VN_F_HOST_TSO4, "host_tso4" }, { VN_F_HOST_TSO6, "host_tso6" },
		{ VN_F_GUEST_TSO4, "guest_tso4" }, { VN_F_GUEST_TSO6, "guest_tso6" },
		{ VN_F_MTU, "mtu" }, { VU_F_LOG_ALL, "log_all" },
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && n < size; i++) {
		int k;

		if (!(f & VN_BIT(names[i].bit)))
			continue;
		k = snprintf(buf + n, size - n, "%s%s", n ? " " : "", names[i].name);
		if (k < 0)
			return;
		n += (size_t)k;
	}
}

static void vhost_port_describe(const struct port *port, char *buf, size_t size)
{
	const struct vhost_nd *v = vhost_of_port(port);
	char names[256];

	if (v->cfd < 0) {
		snprintf(buf, size, "vhost-user %s, no frontend (%llu connections, %llu "
			 "in-flight drops)", v->path, (unsigned long long)v->connections,
			 (unsigned long long)v->inflight_drops);
		return;
	}
	feature_names(v->features, names, sizeof(names));
	snprintf(buf, size, "vhost-user %s, features %#llx [%s], rings %u/%u%s, kicks %llu, "
		 "calls %llu, broken %llu, oversized %llu, in-flight drops %llu", v->path,
		 (unsigned long long)v->features, names, v->vq[VHOST_RX_Q].q.num,
		 v->vq[VHOST_TX_Q].q.num, v->polling ? " (polled)" : "",
		 (unsigned long long)v->kicks, (unsigned long long)v->calls,
		 (unsigned long long)v->broken, (unsigned long long)v->oversized,
		 (unsigned long long)v->inflight_drops);
}

static void vhost_port_destroy(struct port *port)
{
	vhost_of_port(port)->port_live = false;
}

const struct port_ops vhost_port_ops = {
	.kind = "vhost-user",
	.transmit = vhost_transmit,
	.describe = vhost_port_describe,
	.destroy = vhost_port_destroy,
	.transmit_offload = vhost_transmit_offload,
	.tx_room = vhost_tx_room,
};
