/* SPDX-License-Identifier: MIT
 *
 * fuzz_ip6_ext.c - libFuzzer target for the IPv6 header and extension
 * header walker (gateway/ip/ipv6.h).
 *
 * Theory of operation: the input is an IPv6 packet (fixed header onwards)
 * copied to a heap buffer of exactly its length, so AddressSanitizer flags
 * a read past the end. gw_ip6_parse() must return a verdict without
 * reading out of bounds; when it accepts the packet, the upper layer it
 * names must lie inside the payload length the header claims, which must
 * fit the buffer, and the chain must be at most GW_IP6_MAX_EXT headers.
 * The same bytes are then walked directly as a chain starting with the
 * first byte's next header (a reassembled payload's walk) with the same
 * invariants.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/ip/ipv6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                 \
	do {                                                                     \
		if (!(c)) {                                                      \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, \
				__LINE__, #c);                                   \
			abort();                                                 \
		}                                                                \
	} while (0)

static void check_ext(const struct gw_ip6_ext *e, size_t len)
{
	CHECK(e->off <= len);
	CHECK(e->n_ext <= GW_IP6_MAX_EXT);
	if (e->fragment) {
		CHECK(e->frag_hdr_off + 8 == e->off);
		CHECK(!(e->frag_off & 7));
		CHECK(e->frag_off || e->frag_more); /* atomic ones are walked past */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	struct gw_ip6_ext e;
	struct gw_ip6 h;

	if (!p)
		return 0;
	memcpy(p, data, size);
	if (gw_ip6_parse(p, size, &h) == IP6_OK) {
		CHECK(size >= IP6_HDR_LEN);
		CHECK(h.payload_len && h.payload_len <= size - IP6_HDR_LEN);
		check_ext(&h.ext, h.payload_len);
	}
	if (size >= 1 && gw_ip6_walk(p[0], p + 1, size - 1, size & 1, &e) == IP6_OK)
		check_ext(&e, size - 1);
	free(p);
	return 0;
}
