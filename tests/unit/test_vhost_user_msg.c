/* SPDX-License-Identifier: MIT
 *
 * test_vhost_user_msg.c - vhost-user framing and payloads: a header with
 * a bad version or an oversized payload is refused, each decoder insists
 * on its payload size and its ranges, and messages read from a socketpair
 * come out whole with their fds even when written in pieces, one
 * message's fds never sticking to the next.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ports/vhost_user_msg.h"

static size_t hdr(uint8_t *b, uint32_t req, uint32_t flags, uint32_t size)
{
	memcpy(b, &req, 4);
	memcpy(b + 4, &flags, 4);
	memcpy(b + 8, &size, 4);
	return 12;
}

static void test_frame(void **state)
{
	uint8_t b[VU_HDR_LEN + 16] = { 0 };
	struct vu_hdr h;
	size_t len = 0;

	assert_int_equal(vu_msg_frame(b, 11, &h, &len), VU_FRAME_MORE);
	hdr(b, VU_GET_FEATURES, VU_VERSION, 0);
	assert_int_equal(vu_msg_frame(b, 12, &h, &len), VU_FRAME_OK);
	assert_int_equal(len, 12);
	hdr(b, VU_SET_FEATURES, VU_VERSION | VU_FLAG_NEED_REPLY, 8);
	assert_int_equal(vu_msg_frame(b, 19, &h, &len), VU_FRAME_MORE);
	assert_int_equal(vu_msg_frame(b, 20, &h, &len), VU_FRAME_OK);
	assert_int_equal(h.flags & VU_FLAG_NEED_REPLY, VU_FLAG_NEED_REPLY);
	hdr(b, VU_SET_FEATURES, 2, 8); /* version 2 */
	assert_int_equal(vu_msg_frame(b, 20, &h, &len), VU_FRAME_BAD);
	hdr(b, VU_SET_FEATURES, VU_VERSION, VU_PAYLOAD_MAX + 1);
	assert_int_equal(vu_msg_frame(b, 12, &h, &len), VU_FRAME_BAD);
	hdr(b, VU_SET_FEATURES, VU_VERSION, UINT32_MAX);
	assert_int_equal(vu_msg_frame(b, 12, &h, &len), VU_FRAME_BAD);
	assert_string_equal(vu_request_name(VU_SET_MEM_TABLE), "SET_MEM_TABLE");
	assert_string_equal(vu_request_name(1000), "unknown");
	assert_string_equal(vu_request_name(21), "unknown");
}

static void test_decoders(void **state)
{
	struct vu_msg m = { 0 };
	struct vu_mem_table t;
	struct vu_vring_addr a;
	struct vu_vring_state st;
	struct vu_log_base lb;
	struct vu_config c;
	uint64_t v, r[4];
	uint32_t n;

	m.hdr.size = 7;
	assert_int_equal(vu_get_u64(&m, &v), -1);
	m.hdr.size = 8;
	v = 0x1122334455667788ull;
	memcpy(m.payload, &v, 8);
	v = 0;
	assert_int_equal(vu_get_u64(&m, &v), 0);
	assert_true(v == 0x1122334455667788ull);
	assert_int_equal(vu_get_state(&m, &st), 0);
	assert_int_equal(st.index, 0x55667788);
	m.hdr.size = 39;
	assert_int_equal(vu_get_addr(&m, &a), -1);
	m.hdr.size = 40;
	assert_int_equal(vu_get_addr(&m, &a), 0);

	/* memory table: count, size and each region checked */
	n = 2;
	memcpy(m.payload, &n, 4);
	memset(m.payload + 4, 0, 4);
	r[0] = 0; r[1] = 0x1000; r[2] = 0x7f0000000000; r[3] = 0;
	memcpy(m.payload + 8, r, 32);
	r[0] = 0x100000;
	memcpy(m.payload + 40, r, 32);
	m.hdr.size = 8 + 64;
	assert_int_equal(vu_get_mem_table(&m, &t), 0);
	assert_int_equal(t.n, 2);
	assert_true(t.r[1].gpa == 0x100000);
	m.hdr.size = 8 + 63;
	assert_int_equal(vu_get_mem_table(&m, &t), -1);
	n = 0;
	memcpy(m.payload, &n, 4);
	m.hdr.size = 8;
	assert_int_equal(vu_get_mem_table(&m, &t), -1);
	n = VU_REGIONS_MAX + 1;
	memcpy(m.payload, &n, 4);
	m.hdr.size = 8 + 32 * n;
	assert_int_equal(vu_get_mem_table(&m, &t), -1);
	/* a region of size 0, and one wrapping around 2^64 */
	n = 1;
	memcpy(m.payload, &n, 4);
	m.hdr.size = 40;
	r[0] = 0; r[1] = 0; r[2] = 0; r[3] = 0;
	memcpy(m.payload + 8, r, 32);
	assert_int_equal(vu_get_mem_table(&m, &t), -1);
	r[0] = UINT64_MAX - 10; r[1] = 0x1000;
	memcpy(m.payload + 8, r, 32);
	assert_int_equal(vu_get_mem_table(&m, &t), -1);

	/* log base */
	m.hdr.size = 16;
	r[0] = 4096; r[1] = 0;
	memcpy(m.payload, r, 16);
	assert_int_equal(vu_get_log_base(&m, &lb), 0);
	r[0] = 0;
	memcpy(m.payload, r, 16);
	assert_int_equal(vu_get_log_base(&m, &lb), -1);

	/* config: size must match the payload and stay in bounds */
	n = 0;
	memcpy(m.payload, &n, 4);
	n = 6;
	memcpy(m.payload + 4, &n, 4);
	m.hdr.size = 12 + 6;
	assert_int_equal(vu_get_config(&m, &c), 0);
	m.hdr.size = 12 + 5;
	assert_int_equal(vu_get_config(&m, &c), -1);
	n = VU_CONFIG_MAX + 1;
	memcpy(m.payload + 4, &n, 4);
	assert_int_equal(vu_get_config(&m, &c), -1);
}

static void test_replies(void **state)
{
	struct vu_msg m;
	uint64_t v;

	vu_reply_u64(&m, VU_GET_FEATURES, 42);
	assert_int_equal(m.hdr.flags, VU_VERSION | VU_FLAG_REPLY);
	assert_int_equal(m.hdr.size, 8);
	memcpy(&v, m.payload, 8);
	assert_int_equal(v, 42);
	vu_reply_state(&m, VU_GET_VRING_BASE, 1, 77);
	assert_int_equal(m.hdr.request, VU_GET_VRING_BASE);
	assert_int_equal(m.payload[4], 77);
}

static void send_fds(int s, const uint8_t *b, size_t len, const int *fds, unsigned n)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 16)];
		struct cmsghdr a;
	} cb;
	struct iovec iov = { .iov_base = (void *)b, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (n) {
		struct cmsghdr *c;

		memset(&cb, 0, sizeof(cb));
		mh.msg_control = cb.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	assert_int_equal(sendmsg(s, &mh, 0), (ssize_t)len);
}

static void test_socket(void **state)
{
	static struct vu_rx rx;
	static struct vu_msg m;
	uint8_t b[64];
	int sv[2], fds[VU_FDS_MAX + 1], i;
	size_t n;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	vu_rx_init(&rx);
	assert_int_equal(vu_rx_read(sv[0], &rx, &m), VU_RX_AGAIN);

	/* a message with two fds, its header in two pieces */
	n = hdr(b, VU_SET_VRING_KICK, VU_VERSION, 8);
	memset(b + n, 0, 8);
	fds[0] = dup(0);
	fds[1] = dup(0);
	send_fds(sv[1], b, 5, fds, 2);
	close(fds[0]);
	close(fds[1]);
	assert_int_equal(vu_rx_read(sv[0], &rx, &m), VU_RX_AGAIN);
	send_fds(sv[1], b + 5, 15, NULL, 0);
	/* and the next message right behind it, without fds */
	n = hdr(b, VU_GET_FEATURES, VU_VERSION, 0);
	send_fds(sv[1], b, n, NULL, 0);
	assert_int_equal(vu_rx_read(sv[0], &rx, &m), VU_RX_MSG);
	assert_int_equal(m.hdr.request, VU_SET_VRING_KICK);
	assert_int_equal(m.nfds, 2);
	vu_msg_close_fds(&m);
	assert_int_equal(vu_rx_read(sv[0], &rx, &m), VU_RX_MSG);
	assert_int_equal(m.hdr.request, VU_GET_FEATURES);
	assert_int_equal(m.nfds, 0);

	/* too many fds in one message: a protocol error, nothing leaks */
	for (i = 0; i < VU_FDS_MAX + 1; i++)
		fds[i] = dup(0);
	n = hdr(b, VU_SET_MEM_TABLE, VU_VERSION, 0);
	send_fds(sv[1], b, n, fds, VU_FDS_MAX + 1);
	for (i = 0; i < VU_FDS_MAX + 1; i++)
		close(fds[i]);
	assert_int_equal(vu_rx_read(sv[0], &rx, &m), VU_RX_ERR);
	assert_int_equal(errno, EPROTO);

	/* a bad header */
	vu_rx_init(&rx);
	n = hdr(b, VU_GET_FEATURES, 0, 0);
	send_fds(sv[1], b, n, NULL, 0);
	assert_int_equal(vu_rx_read(sv[0], &rx, &m), VU_RX_ERR);

	/* replies go out whole */
	vu_reply_u64(&m, VU_GET_FEATURES, 7);
	assert_int_equal(vu_msg_send(sv[0], &m), 0);
	assert_int_equal(read(sv[1], b, sizeof(b)), 20);
	close(sv[1]);
	vu_rx_init(&rx);
	assert_int_equal(vu_rx_read(sv[0], &rx, &m), VU_RX_EOF);
	close(sv[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame),
		cmocka_unit_test(test_decoders),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_socket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
