/* SPDX-License-Identifier: MIT
 *
 * vhost_user_msg.c - vhost-user message framing and payloads, see
 * vhost_user_msg.h.
 *
 * The decoders copy fields out with memcpy (the payload buffer has no
 * alignment promise) and check the size first: a decoder never reads past
 * hdr.size, which vu_msg_frame() bounded by VU_PAYLOAD_MAX.
 */
#include "ports/vhost_user_msg.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

enum vu_frame_verdict vu_msg_frame(const uint8_t *buf, size_t len, struct vu_hdr *hdr,
				   size_t *msglen)
{
	if (len < VU_HDR_LEN)
		return VU_FRAME_MORE;
	hdr->request = rd32(buf);
	hdr->flags = rd32(buf + 4);
	hdr->size = rd32(buf + 8);
	if ((hdr->flags & VU_VERSION_MASK) != VU_VERSION || hdr->size > VU_PAYLOAD_MAX)
		return VU_FRAME_BAD;
	*msglen = VU_HDR_LEN + (size_t)hdr->size;
	return len >= *msglen ? VU_FRAME_OK : VU_FRAME_MORE;
}

const char *vu_request_name(uint32_t request)
{
	static const char *const names[] = {
		[VU_GET_FEATURES] = "GET_FEATURES",
		[VU_SET_FEATURES] = "SET_FEATURES",
		[VU_SET_OWNER] = "SET_OWNER",
		[VU_RESET_OWNER] = "RESET_OWNER",
		[VU_SET_MEM_TABLE] = "SET_MEM_TABLE",
		[VU_SET_LOG_BASE] = "SET_LOG_BASE",
		[VU_SET_LOG_FD] = "SET_LOG_FD",
		[VU_SET_VRING_NUM] = "SET_VRING_NUM",
		[VU_SET_VRING_ADDR] = "SET_VRING_ADDR",
		[VU_SET_VRING_BASE] = "SET_VRING_BASE",
		[VU_GET_VRING_BASE] = "GET_VRING_BASE",
		[VU_SET_VRING_KICK] = "SET_VRING_KICK",
		[VU_SET_VRING_CALL] = "SET_VRING_CALL",
		[VU_SET_VRING_ERR] = "SET_VRING_ERR",
		[VU_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
		[VU_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
		[VU_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
		[VU_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
		[VU_SEND_RARP] = "SEND_RARP",
		[VU_NET_SET_MTU] = "NET_SET_MTU",
		[VU_GET_CONFIG] = "GET_CONFIG",
		[VU_SET_CONFIG] = "SET_CONFIG",
		[VU_RESET_DEVICE] = "RESET_DEVICE",
		[VU_SET_STATUS] = "SET_STATUS",
		[VU_GET_STATUS] = "GET_STATUS",
	};

	if (request < sizeof(names) / sizeof(names[0]) && names[request])
		return names[request];
	return "unknown";
}

int vu_get_u64(const struct vu_msg *m, uint64_t *v)
{
	if (m->hdr.size != 8)
		return -1;
	*v = rd64(m->payload);
	return 0;
}

int vu_get_state(const struct vu_msg *m, struct vu_vring_state *s)
{
	if (m->hdr.size != 8)
		return -1;
	s->index = rd32(m->payload);
	s->num = rd32(m->payload + 4);
	return 0;
}

int vu_get_addr(const struct vu_msg *m, struct vu_vring_addr *a)
{
	if (m->hdr.size != 40)
		return -1;
	a->index = rd32(m->payload);
	a->flags = rd32(m->payload + 4);
	a->desc = rd64(m->payload + 8);
	a->used = rd64(m->payload + 16);
	a->avail = rd64(m->payload + 24);
	a->log = rd64(m->payload + 32);
	return 0;
}

/* payload: u32 nregions, u32 padding, then nregions x 32 bytes; each
 * region's size nonzero and no address range wrapping around 2^64. */
int vu_get_mem_table(const struct vu_msg *m, struct vu_mem_table *t)
{
	uint32_t i, n;

	if (m->hdr.size < 8)
		return -1;
	n = rd32(m->payload);
	if (n == 0 || n > VU_REGIONS_MAX || m->hdr.size != 8 + 32 * n)
		return -1;
	t->n = n;
	for (i = 0; i < n; i++) {
		const uint8_t *p = m->payload + 8 + 32 * i;
		struct vu_region *r = &t->r[i];

		r->gpa = rd64(p);
		r->size = rd64(p + 8);
		r->uaddr = rd64(p + 16);
		r->mmap_offset = rd64(p + 24);
		if (!r->size || r->gpa + r->size < r->gpa || r->uaddr + r->size < r->uaddr ||
		    r->mmap_offset + r->size < r->mmap_offset)
			return -1;
	}
	return 0;
}

int vu_get_log_base(const struct vu_msg *m, struct vu_log_base *l)
{
	if (m->hdr.size != 16)
		return -1;
	l->size = rd64(m->payload);
	l->offset = rd64(m->payload + 8);
	if (!l->size || l->offset + l->size < l->offset)
		return -1;
	return 0;
}

int vu_get_config(const struct vu_msg *m, struct vu_config *c)
{
	if (m->hdr.size < 12)
		return -1;
	c->offset = rd32(m->payload);
	c->size = rd32(m->payload + 4);
	c->flags = rd32(m->payload + 8);
	if (c->size > VU_CONFIG_MAX || c->offset > VU_CONFIG_MAX ||
	    c->offset + c->size > VU_CONFIG_MAX || m->hdr.size != 12 + c->size)
		return -1;
	c->data = m->payload + 12;
	return 0;
}

static void reply_hdr(struct vu_msg *m, uint32_t request, uint32_t size)
{
	m->hdr.request = request;
	m->hdr.flags = VU_VERSION | VU_FLAG_REPLY;
	m->hdr.size = size;
	m->nfds = 0;
}

void vu_reply_u64(struct vu_msg *m, uint32_t request, uint64_t v)
{
	reply_hdr(m, request, 8);
	memcpy(m->payload, &v, 8);
}

void vu_reply_state(struct vu_msg *m, uint32_t request, uint32_t index, uint32_t num)
{
	reply_hdr(m, request, 8);
	memcpy(m->payload, &index, 4);
	memcpy(m->payload + 4, &num, 4);
}

void vu_reply_config(struct vu_msg *m, uint32_t offset, uint32_t size, uint32_t flags,
		     const uint8_t *data)
{
	if (size > VU_CONFIG_MAX)
		size = VU_CONFIG_MAX;
	reply_hdr(m, VU_GET_CONFIG, 12 + size);
	memcpy(m->payload, &offset, 4);
	memcpy(m->payload + 4, &size, 4);
	memcpy(m->payload + 8, &flags, 4);
	memcpy(m->payload + 12, data, size);
}

/* ---- socket side ----------------------------------------------------- */

void vu_rx_init(struct vu_rx *rx)
{
	rx->have = 0;
	rx->nfds = 0;
}

void vu_rx_reset(struct vu_rx *rx)
{
	unsigned i;

	for (i = 0; i < rx->nfds; i++)
		close(rx->fds[i]);
	vu_rx_init(rx);
}

/* Keep the fds of one recvmsg; more than VU_FDS_MAX in one message is a
 * protocol error (the extra ones are closed). */
static int rx_take_fds(struct vu_rx *rx, struct msghdr *mh)
{
	struct cmsghdr *c;
	int bad = 0;

	if (mh->msg_flags & MSG_CTRUNC)
		bad = 1;
	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t i, n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (rx->nfds < VU_FDS_MAX) {
				rx->fds[rx->nfds++] = fd;
			} else {
				close(fd);
				bad = 1;
			}
		}
	}
	return bad ? -1 : 0;
}

enum vu_rx_verdict vu_rx_read(int fd, struct vu_rx *rx, struct vu_msg *m)
{
	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * VU_FDS_MAX)];
			struct cmsghdr align;
		} cbuf;
		struct vu_hdr hdr;
		size_t total = VU_HDR_LEN, need;
		enum vu_frame_verdict v = vu_msg_frame(rx->buf, rx->have, &hdr, &total);
		struct iovec iov;
		struct msghdr mh = { 0 };
		ssize_t n;

		if (v == VU_FRAME_BAD) {
			vu_rx_reset(rx);
			errno = EPROTO;
			return VU_RX_ERR;
		}
		if (v == VU_FRAME_OK) {
			m->hdr = hdr;
			memcpy(m->payload, rx->buf + VU_HDR_LEN, hdr.size);
			memcpy(m->fds, rx->fds, sizeof(int) * rx->nfds);
			m->nfds = rx->nfds;
			vu_rx_init(rx);
			return VU_RX_MSG;
		}
		need = total - rx->have;
		iov.iov_base = rx->buf + rx->have;
		iov.iov_len = need;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return VU_RX_AGAIN;
		if (n < 0)
			return VU_RX_ERR;
		if (rx_take_fds(rx, &mh) < 0) {
			vu_rx_reset(rx);
			errno = EPROTO;
			return VU_RX_ERR;
		}
		if (n == 0)
			return VU_RX_EOF;
		rx->have += (size_t)n;
	}
}

int vu_msg_send(int fd, const struct vu_msg *m)
{
	uint8_t hdr[VU_HDR_LEN];
	struct iovec iov[2] = {
		{ .iov_base = hdr, .iov_len = VU_HDR_LEN },
		{ .iov_base = (void *)m->payload, .iov_len = m->hdr.size },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;

	memcpy(hdr, &m->hdr.request, 4);
	memcpy(hdr + 4, &m->hdr.flags, 4);
	memcpy(hdr + 8, &m->hdr.size, 4);
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	/* A reply is a few bytes on an otherwise idle socket: a short write
	 * means the frontend does not read its replies, a protocol error. */
	if (n != (ssize_t)(VU_HDR_LEN + m->hdr.size)) {
		if (n >= 0)
			errno = EPROTO;
		return -1;
	}
	return 0;
}

void vu_msg_close_fds(struct vu_msg *m)
{
	unsigned i;

	for (i = 0; i < m->nfds; i++)
		if (m->fds[i] >= 0)
			close(m->fds[i]);
	m->nfds = 0;
}

int vu_msg_take_fd(struct vu_msg *m, unsigned i)
{
	int fd;

	if (i >= m->nfds)
		return -1;
	fd = m->fds[i];
	m->fds[i] = -1;
	return fd;
}
