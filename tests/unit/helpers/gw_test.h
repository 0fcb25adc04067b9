/* SPDX-License-Identifier: MIT
 *
 * gw_test.h - what the gateway unit tests share: QEMU's default addresses
 * and MACs, and a reference Internet checksum written independently of
 * src/gateway/ip/checksum.c, so a bug there cannot hide in its own check.
 */
#ifndef VMWIRE_TEST_GW_TEST_H
#define VMWIRE_TEST_GW_TEST_H

#include <stddef.h>
#include <stdint.h>

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

/* The gateway's MAC for host=10.0.2.2 (52:55 + address), and QEMU's
 * default guest MAC. */
extern const uint8_t GWMAC[6];
extern const uint8_t VM1[6];

/* One's complement of the one's complement sum of p, starting from sum. */
uint16_t ref_csum(const uint8_t *p, size_t len, uint32_t sum);
/* TCP/UDP checksum over the IPv4 pseudo-header and the l4 bytes. */
uint16_t ref_l4(uint32_t s, uint32_t d, uint8_t proto, const uint8_t *l4, size_t len);
/* UDP checksum over the IPv6 pseudo-header of the 40-byte header ip6. */
uint16_t ref_udp6(const uint8_t *ip6, const uint8_t *u, size_t len);
/* Ethernet + IPv6 (hop limit 64) + UDP headers in front of the dlen bytes
 * already at f + 62, checksummed; src and dst are 16 bytes. The frame's
 * length. */
size_t ref_udp6_frame(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, const uint8_t *src,
		      uint16_t sport, const uint8_t *dst, uint16_t dport, size_t dlen);

#endif
