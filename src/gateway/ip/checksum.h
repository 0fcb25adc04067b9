/* SPDX-License-Identifier: MIT
 *
 * checksum.h - the Internet checksum (RFC 1071) over byte buffers.
 *
 * Theory of operation: sums are accumulated as 32-bit partials of
 * big-endian 16-bit words so a pseudo-header, a header and a payload can be
 * summed in pieces; csum_fold() folds the carries and complements. Works on
 * unaligned buffers of odd length (the last byte is padded with zero).
 */
#ifndef VMWIRE_GATEWAY_CHECKSUM_H
#define VMWIRE_GATEWAY_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

uint32_t csum_partial(const uint8_t *p, size_t len, uint32_t sum);
uint16_t csum_fold(uint32_t sum);
/* Checksum of a buffer; 0 when a buffer with its checksum field in place
 * is valid. */
static inline uint16_t csum(const uint8_t *p, size_t len)
{
	return csum_fold(csum_partial(p, len, 0));
}
/* UDP/TCP checksum with the IPv4 pseudo-header; l4 points at the L4
 * header, len covers header and payload. */
uint16_t csum_l4_ipv4(uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *l4,
		      size_t len);

/* The same with the IPv6 pseudo-header (RFC 8200 8.1); src, dst are the
 * 16 bytes of each address. */
uint16_t csum_l4_ipv6(const uint8_t *src, const uint8_t *dst, uint8_t proto, const uint8_t *l4,
		      size_t len);

#endif
