/* SPDX-License-Identifier: MIT
 *
 * fuzz_vhost_user_msg.c - libFuzzer target for the vhost-user message
 * layer (ports/vhost_user_msg.c), what a hostile frontend writes on the
 * socket.
 *
 * Theory of operation: the input is the byte stream itself. vu_msg_frame()
 * cuts it into messages as vu_rx_read() would; every whole message is run
 * through every payload decoder, whatever its request says, since the
 * decoders must hold against any payload. Checked beyond "no crash": a
 * framed message never claims more than VU_PAYLOAD_MAX bytes nor a bad
 * version; a decoded memory table has 1..VU_REGIONS_MAX regions whose sums
 * do not wrap and matches the payload size exactly; a decoded config stays
 * inside VU_CONFIG_MAX and its data inside the payload; a log base is
 * nonempty and does not wrap. The stream is also fed to the framer one
 * byte more at a time for the first message, which must give the same
 * verdict as the whole.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ports/vhost_user_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vu_msg m;

static void decode_all(void)
{
	struct vu_mem_table t;
	struct vu_vring_state st;
	struct vu_vring_addr a;
	struct vu_log_base lb;
	struct vu_config c;
	uint64_t v;
	uint32_t i;

	if (vu_get_u64(&m, &v) == 0)
		assert(m.hdr.size == 8);
	if (vu_get_state(&m, &st) == 0)
		assert(m.hdr.size == 8);
	if (vu_get_addr(&m, &a) == 0)
		assert(m.hdr.size == 40);
	if (vu_get_mem_table(&m, &t) == 0) {
		assert(t.n >= 1 && t.n <= VU_REGIONS_MAX);
		assert(m.hdr.size == 8 + 32 * t.n);
		for (i = 0; i < t.n; i++) {
			assert(t.r[i].size);
			assert(t.r[i].gpa + t.r[i].size >= t.r[i].gpa);
			assert(t.r[i].uaddr + t.r[i].size >= t.r[i].uaddr);
			assert(t.r[i].mmap_offset + t.r[i].size >= t.r[i].mmap_offset);
		}
	}
	if (vu_get_log_base(&m, &lb) == 0)
		assert(lb.size && lb.offset + lb.size >= lb.offset);
	if (vu_get_config(&m, &c) == 0) {
		assert(c.offset + c.size <= VU_CONFIG_MAX);
		assert(c.data == m.payload + 12 && 12 + c.size == m.hdr.size);
	}
	(void)vu_request_name(m.hdr.request);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0, len = 0, k;
	struct vu_hdr h;
	enum vu_frame_verdict whole = vu_msg_frame(data, size, &h, &len);

	/* growing prefixes agree with the whole input */
	for (k = 0; k <= size && k <= VU_HDR_LEN + 64; k++) {
		size_t l2 = 0;
		enum vu_frame_verdict v = vu_msg_frame(data, k, &h, &l2);

		if (v == VU_FRAME_OK) {
			assert(whole == VU_FRAME_OK && l2 == len);
			break;
		}
		if (v == VU_FRAME_BAD) {
			assert(whole == VU_FRAME_BAD);
			break;
		}
	}
	while (off < size) {
		enum vu_frame_verdict v = vu_msg_frame(data + off, size - off, &h, &len);

		if (v != VU_FRAME_OK)
			break;
		assert((h.flags & VU_VERSION_MASK) == VU_VERSION);
		assert(h.size <= VU_PAYLOAD_MAX && len == VU_HDR_LEN + h.size);
		assert(len <= size - off);
		m.hdr = h;
		memcpy(m.payload, data + off + VU_HDR_LEN, h.size);
		m.nfds = 0;
		decode_all();
		off += len;
	}
	return 0;
}
