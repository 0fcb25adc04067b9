/* SPDX-License-Identifier: MIT */
#include "helpers/gw_test.h"

const uint8_t GWMAC[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
const uint8_t VM1[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

uint16_t ref_csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i < len; i++)
		sum += i & 1 ? p[i] : (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t ref_l4(uint32_t s, uint32_t d, uint8_t proto, const uint8_t *l4, size_t len)
{
	uint32_t sum = (s >> 16) + (s & 0xffff) + (d >> 16) + (d & 0xffff) + proto +
		       (uint32_t)len;
	return ref_csum(l4, len, sum);
}
