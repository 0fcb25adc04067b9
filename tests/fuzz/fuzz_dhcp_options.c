/* SPDX-License-Identifier: MIT
 *
 * fuzz_dhcp_options.c - libFuzzer target for DHCP option decoding and
 * encoding (gateway/services/dhcp_options.h).
 *
 * Theory of operation: the input is a BOOTP/DHCP message as a guest would
 * send it (header, cookie, options, with the file and sname fields usable
 * as overflow option space). The message is copied to a heap buffer of
 * exactly its length, so AddressSanitizer flags any read past the end, and
 * decoded. Whatever the decoder returns must point inside the message with
 * its length, and the fixed-size options must have been read from 4 bytes.
 *
 * The same bytes then drive the option writer: a capacity, then a
 * sequence of (code, length, data) chunks appended with dow_put() and the
 * fixed-size helpers into a heap buffer of exactly that capacity. The
 * writer must never write past it (ASan), must latch overflow instead, and
 * its length must never exceed the capacity.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"
#include "gateway/services/dhcp_options.h"

#include "fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_view(const uint8_t *m, size_t len, const uint8_t *p, size_t plen)
{
	if (!p) {
		CHECK(plen == 0);
		return;
	}
	CHECK(p >= m && p <= m + len && plen <= (size_t)(m + len - p));
}

static void decode(const uint8_t *data, size_t size)
{
	struct dhcp_opts o;
	uint8_t *m = malloc(size ? size : 1);

	if (!m)
		return;
	memcpy(m, data, size);
	memset(&o, 0, sizeof(o));
	if (dhcp_opts_parse(m, size, &o) == 0) {
		CHECK(size >= DHCP_OPTS_OFF);
		CHECK(rd32be(m + BOOTP_FIXED_LEN) == DHCP_COOKIE);
		check_view(m, size, o.client_id, o.client_id_len);
		check_view(m, size, o.hostname, o.hostname_len);
		check_view(m, size, o.params, o.params_len);
		CHECK(o.msg_type >= 0 && o.msg_type <= 255);
		CHECK(o.overload <= 3);
	}
	free(m);
}

static void encode(const uint8_t *data, size_t size)
{
	struct dhcp_opt_writer w;
	size_t cap, pos = 2;
	uint8_t *buf;

	if (size < 2)
		return;
	cap = rd16be(data) % 2048;
	buf = malloc(cap ? cap : 1);
	if (!buf)
		return;
	dow_init(&w, buf, cap);
	while (pos + 2 <= size) {
		uint8_t code = data[pos], kind = data[pos + 1] >> 6;
		size_t len = (size_t)(data[pos + 1] & 0x3f) * 16 + (data[pos + 1] & 0x0f);
		bool was = w.overflow;

		pos += 2;
		if (len > size - pos)
			len = size - pos;
		switch (kind) {
		case 0: dow_put(&w, code, data + pos, len); pos += len; break;
		case 1: dow_u8(&w, code, (uint8_t)len); break;
		case 2: dow_u16(&w, code, (uint16_t)len); break;
		default: dow_u32(&w, code, (uint32_t)len); break;
		}
		CHECK(w.len <= cap);
		CHECK(!was || w.overflow); /* latched */
	}
	dow_end(&w);
	CHECK(w.len <= cap);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode(data, size);
	encode(data, size);
	return 0;
}
