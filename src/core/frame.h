/* SPDX-License-Identifier: MIT
 *
 * frame.h - Ethernet frame limits and small header helpers shared by every
 * module that touches frames.
 *
 * Frames travel as (pointer, length) pairs into buffers owned by whoever
 * received them; nobody may keep the pointer after the call returns. The
 * largest frame is a 65535-byte payload plus an Ethernet header and one
 * 802.1Q tag, which is what QEMU can send over -netdev stream.
 */
#ifndef VMWIRE_CORE_FRAME_H
#define VMWIRE_CORE_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ETH_ALEN_VW 6
#define ETH_HDR_LEN 14
#define VLAN_TAG_LEN 4
#define FRAME_MIN ETH_HDR_LEN
#define FRAME_MAX (65535 + ETH_HDR_LEN + VLAN_TAG_LEN)
/* Buffer size with headroom for a pushed tag and a 4-byte length prefix. */
#define FRAME_BUF_SIZE (FRAME_MAX + 64)

#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8

static inline uint16_t rd16be(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void wr16be(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void wr32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static inline const uint8_t *eth_dst(const uint8_t *f) { return f; }
static inline const uint8_t *eth_src(const uint8_t *f) { return f + 6; }
static inline int mac_is_multicast(const uint8_t *mac) { return mac[0] & 1; }
static inline int mac_is_zero(const uint8_t *mac)
{
	static const uint8_t z[6];
	return !memcmp(mac, z, 6);
}

/* "52:54:00:12:34:56"; buf must hold 18 bytes. */
char *mac_format(const uint8_t *mac, char *buf);
/* Returns 0 and fills mac on success, -1 on malformed input. */
int mac_parse(const char *s, uint8_t *mac);

#endif
