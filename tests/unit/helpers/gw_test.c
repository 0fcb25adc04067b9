/* SPDX-License-Identifier: MIT */
#include "helpers/gw_test.h"

#include <string.h>

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

uint16_t ref_udp6(const uint8_t *ip6, const uint8_t *u, size_t len)
{
	uint32_t s = 0;

	for (int i = 8; i < 40; i += 2)
		s += (uint32_t)(ip6[i] << 8 | ip6[i + 1]);
	s += (uint32_t)len + 17;
	return ref_csum(u, len, s);
}

size_t ref_udp6_frame(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, const uint8_t *src,
		      uint16_t sport, const uint8_t *dst, uint16_t dport, size_t dlen)
{
	uint8_t *ip = f + 14, *u = ip + 40;
	uint16_t c;

	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[4] = (uint8_t)((8 + dlen) >> 8);
	ip[5] = (uint8_t)(8 + dlen);
	ip[6] = 17;
	ip[7] = 64;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	u[0] = (uint8_t)(sport >> 8);
	u[1] = (uint8_t)sport;
	u[2] = (uint8_t)(dport >> 8);
	u[3] = (uint8_t)dport;
	u[4] = ip[4];
	u[5] = ip[5];
	u[6] = u[7] = 0;
	c = ref_udp6(ip, u, 8 + dlen);
	if (!c)
		c = 0xffff;
	u[6] = (uint8_t)(c >> 8);
	u[7] = (uint8_t)c;
	return 62 + dlen;
}
