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

#endif
