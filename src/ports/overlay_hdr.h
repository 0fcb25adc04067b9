/* SPDX-License-Identifier: MIT
 *
 * overlay_hdr.h - the VXLAN (RFC 7348) and Geneve (RFC 8926) headers.
 *
 * Theory of operation: both overlays put an 8-byte header (Geneve: plus
 * option TLVs) between the UDP header and the inner Ethernet frame. These
 * functions only read and write that header, with no socket and no state,
 * so the decoders can be unit-tested and fuzzed on their own bytes
 * (tests/fuzz/fuzz_overlay_decap.c). overlay.c does the rest.
 *
 *   VXLAN:  08 00 00 00 | VNI (24 bits) | 00
 *   Geneve: Ver(2) OptLen(6) | O C Rsvd(6) | 65 58 | VNI (24 bits) | 00 | options
 *
 * A VXLAN header with any bit other than I set, I clear, or a nonzero last
 * byte is dropped, as the Linux receiver does. A Geneve header is dropped
 * for version != 0, a protocol other than 0x6558 (Transparent Ethernet
 * Bridging), an OAM (O) packet (we have no control plane to give it to),
 * options that run past the header or past the packet, and any critical
 * option or the C bit, since vmwire implements no options: RFC 8926 3.5
 * says a critical option the receiver does not understand means drop.
 * Geneve's reserved bits are ignored on receipt, as the RFC requires.
 */
#ifndef VMWIRE_PORTS_OVERLAY_HDR_H
#define VMWIRE_PORTS_OVERLAY_HDR_H

#include <stddef.h>
#include <stdint.h>

enum overlay_proto { OVERLAY_VXLAN, OVERLAY_GENEVE };

#define VXLAN_HDR_LEN 8
#define GENEVE_HDR_LEN 8
#define GENEVE_OPTS_MAX (63 * 4) /* OptLen is 6 bits of 4-byte words */
#define OVERLAY_HDR_MAX (GENEVE_HDR_LEN + GENEVE_OPTS_MAX)
#define OVERLAY_VNI_MAX 0xffffffu
#define GENEVE_PROTO_TEB 0x6558

#define VXLAN_DEFAULT_PORT 4789
#define GENEVE_DEFAULT_PORT 6081

/* Why a tunnel packet was dropped; counted per reason in info network. */
enum overlay_err {
	OVERLAY_OK = 0,
	OVERLAY_ERR_SHORT,	/* shorter than the header (or its options) */
	OVERLAY_ERR_IBIT,	/* VXLAN: I flag clear */
	OVERLAY_ERR_RESERVED,	/* VXLAN: a reserved flag or reserved byte set */
	OVERLAY_ERR_LAST_BYTE,	/* VXLAN: the byte after the VNI is not zero */
	OVERLAY_ERR_VERSION,	/* Geneve: version is not 0 */
	OVERLAY_ERR_PROTO,	/* Geneve: not Transparent Ethernet Bridging */
	OVERLAY_ERR_OAM,	/* Geneve: O bit, a control packet */
	OVERLAY_ERR_OPTION,	/* Geneve: an option TLV runs past the options */
	OVERLAY_ERR_CRITICAL,	/* Geneve: C bit or a critical option */
	OVERLAY_ERR_VNI,	/* no netdev here has that VNI */
	OVERLAY_ERR_RUNT,	/* inner frame shorter than an Ethernet header */
	OVERLAY_ERR_TOO_BIG,	/* datagram larger than the receive buffer */
	OVERLAY_ERR_COUNT
};

/* Short name of a reason, for info network ("short", "i-bit", ...). */
const char *overlay_err_name(enum overlay_err e);

/* Write the header for vni into hdr (OVERLAY_HDR_MAX bytes of room);
 * returns its length. */
size_t overlay_encode(enum overlay_proto proto, uint8_t *hdr, uint32_t vni);

/* Check the header at the start of pkt. On OVERLAY_OK, *vni and *hdrlen
 * (where the inner frame starts) are set; the inner frame itself is not
 * looked at. */
enum overlay_err overlay_decode(enum overlay_proto proto, const uint8_t *pkt, size_t len,
				uint32_t *vni, size_t *hdrlen);

#endif
