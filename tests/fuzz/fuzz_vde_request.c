/* SPDX-License-Identifier: MIT
 *
 * fuzz_vde_request.c - libFuzzer target for the vde_switch control request
 * parser (ports/vde_proto.c), what every client of -netdev vde-switch
 * writes first on DIR/ctl.
 *
 * Theory of operation: byte 0 sets max-ports (1 + byte * 16), the rest is
 * the request as one read() returns it. Beyond "no crash": an accepted
 * request is 122..250 bytes, carries magic 0xfeedface and version 3, a
 * port within max-ports (port0 only with no port number), an absolute
 * path terminated inside sun_path that equals the input's bytes, and a
 * printable description no longer than the input's tail; rebuilding it
 * with vde_request_build() and parsing again gives the same request.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ports/vde_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vde_request rq, rq2;
	uint8_t buf[VDE_REQ_MAX];
	const char *why = NULL;
	unsigned max_port;
	uint32_t v;
	size_t i, n;

	if (size < 1)
		return 0;
	max_port = 1u + data[0] * 16u;
	data++;
	size--;
	if (vde_request_parse(data, size, max_port, &rq, &why) < 0) {
		if (!why || !*why)
			abort();
		return 0;
	}
	if (size < VDE_REQ_FIXED || size > VDE_REQ_MAX)
		abort();
	memcpy(&v, data, 4);
	if (v != VDE_MAGIC)
		abort();
	memcpy(&v, data + 4, 4);
	if (v != VDE_VERSION)
		abort();
	if (rq.port > max_port || (rq.port0 && rq.port))
		abort();
	n = strnlen(rq.path, sizeof(rq.path));
	if (n == 0 || n >= sizeof(rq.path) || rq.path[0] != '/' || memcmp(rq.path, data + 14, n))
		abort();
	n = strlen(rq.descr);
	if (n > size - VDE_REQ_FIXED || n > VDE_DESCR_MAX)
		abort();
	for (i = 0; i < n; i++)
		if (rq.descr[i] < 0x20 || rq.descr[i] > 0x7e)
			abort();
	if (rq.port0)
		return 0; /* the builder makes NEW_CONTROL requests only */
	n = vde_request_build(buf, sizeof(buf), rq.port, rq.path, rq.descr);
	if (!n || vde_request_parse(buf, n, max_port, &rq2, &why) < 0)
		abort();
	if (rq2.port != rq.port || rq2.port0 || strcmp(rq2.path, rq.path) ||
	    strcmp(rq2.descr, rq.descr))
		abort();
	return 0;
}
