/* SPDX-License-Identifier: MIT
 *
 * checksum.c - see checksum.h. Byte-wise on purpose: the gateway only sums
 * control traffic (ARP/DHCP/DNS/ICMP), so clarity wins over SIMD tricks.
 */
#include "gateway/ip/checksum.h"

uint32_t csum_partial(const uint8_t *p, size_t len, uint32_t sum)
{
	uint64_t s = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t csum_l4_ipv4(uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *l4,
		      size_t len)
{
	uint32_t s = 0;

	s += src >> 16;
	s += src & 0xffff;
	s += dst >> 16;
	s += dst & 0xffff;
	s += proto;
	s += (uint32_t)len;
	return csum_fold(csum_partial(l4, len, s));
}

uint16_t csum_l4_ipv6(const uint8_t *src, const uint8_t *dst, uint8_t proto, const uint8_t *l4,
		      size_t len)
{
	uint32_t s = csum_partial(dst, 16, csum_partial(src, 16, 0));

	s += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
	s += proto;
	return csum_fold(csum_partial(l4, len, s));
}
