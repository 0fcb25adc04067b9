/* SPDX-License-Identifier: MIT
 *
 * offload.h - checksum and segmentation offload metadata carried with a
 * frame, and the software fallbacks for ports that can't take it.
 *
 * Theory of operation: a Linux TCP stack behind a TAP with offloads on hands
 * us one 64 KiB "GSO" frame instead of 45 wire-sized ones, with a
 * virtio_net_hdr saying how to cut it (gso_type, gso_size, hdr_len) and
 * where the still-missing checksum goes (csum_start, csum_offset: the field
 * holds only the pseudo-header sum). Moving that frame through the fabric
 * whole is what makes a TAP-to-TAP path cheap: one read, one write.
 *
 * struct frame_offload is that header in host byte order, independent of
 * the virtio wire layout. Frames without metadata (NULL) are plain frames
 * with complete checksums, the only kind most ports know.
 *
 * The metadata comes from the other side of a TAP, which may be a guest or
 * a hostile program in a namespace: offload_validate() checks every offset
 * against the frame and the headers against the claimed type before any of
 * it is believed, and fills in hdr_len from the headers themselves (the
 * kernel's own hdr_len is only a hint, often the linear part of its skb).
 *
 * When an egress port can't take what a frame needs (its offload_caps), the
 * frame is finished in software: offload_segment() writes each wire-sized
 * segment, checksums complete, into one caller-provided buffer and hands it
 * to a callback. Nothing here allocates.
 *
 * Segmentation follows Linux's tcp_gso_segment(): the payload is cut into
 * gso_size pieces; each segment gets its IPv4 total length, id (+1 per
 * segment) and header checksum, or its IPv6 payload length, its TCP sequence
 * number (+bytes before it), FIN and PSH only on the last segment, CWR only
 * on the first, and a full TCP checksum. UDP_L4 (UDP_SEGMENT) cuts into
 * independent datagrams with their own UDP length and checksum.
 */
#ifndef VMWIRE_CORE_OFFLOAD_H
#define VMWIRE_CORE_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct virtio_net_hdr;

/* frame_offload.flags */
#define OFFLOAD_F_CSUM 0x01 /* csum_start/csum_offset: checksum to complete */
#define OFFLOAD_F_ECN  0x02 /* GSO frame with CWR/ECE in use (GSO_ECN) */

enum offload_gso {
	OFFLOAD_GSO_NONE = 0,
	OFFLOAD_GSO_TCPV4,
	OFFLOAD_GSO_TCPV6,
	OFFLOAD_GSO_UDP_L4, /* UDP_SEGMENT over IPv4 or IPv6 */
};

struct frame_offload {
	uint8_t flags;        /* OFFLOAD_F_* */
	uint8_t gso_type;     /* enum offload_gso */
	uint16_t hdr_len;     /* Ethernet + IP + L4 header bytes (GSO only) */
	uint16_t gso_size;    /* payload bytes per segment (GSO only) */
	uint16_t csum_start;  /* checksum covers [csum_start, end of frame) */
	uint16_t csum_offset; /* ... and goes at csum_start + csum_offset */
};

/* port->offload_caps: what a port's transmit_offload() accepts. */
#define OFFLOAD_CAP_CSUM    0x01
#define OFFLOAD_CAP_TSO4    0x02
#define OFFLOAD_CAP_TSO6    0x04
#define OFFLOAD_CAP_TSO_ECN 0x08
#define OFFLOAD_CAP_USO     0x10

/* Smallest segment payload accepted: Linux's TCP_MIN_MSS is 88, and a
 * tiny gso_size would turn one frame into thousands of segments. */
#define OFFLOAD_GSO_SIZE_MIN 64

/* Is there anything to do for this frame at all? */
static inline bool offload_active(const struct frame_offload *m)
{
	return m && (m->flags & OFFLOAD_F_CSUM || m->gso_type != OFFLOAD_GSO_NONE);
}

/* The OFFLOAD_CAP_* bits a port needs to take the frame as it is. */
uint32_t offload_needs(const struct frame_offload *m);

/* virtio_net_hdr (legacy layout, little endian as on a TAP with the default
 * vnet endianness on x86/arm) -> metadata. Returns -1 for a header type we
 * don't know (UFO, RSC); the frame is then dropped. Nothing is checked
 * against the frame yet: call offload_validate(). */
int offload_from_vnet(struct frame_offload *m, const struct virtio_net_hdr *h);
/* Metadata -> virtio_net_hdr for a TAP write. */
void offload_to_vnet(struct virtio_net_hdr *h, const struct frame_offload *m);

enum offload_verdict {
	OFFLOAD_OK = 0,
	OFFLOAD_BAD_FLAGS,     /* unknown flag or GSO type */
	OFFLOAD_BAD_CSUM,      /* csum_start/offset outside the frame or the L2 header */
	OFFLOAD_BAD_HEADERS,   /* GSO frame whose headers don't parse as the type says */
	OFFLOAD_BAD_HDR_LEN,   /* hdr_len past the end of the frame */
	OFFLOAD_BAD_GSO_SIZE,  /* gso_size 0, tiny or segments too big for a frame */
};

/*
 * Check metadata received with frame against the frame: every offset
 * inside it, a GSO frame's headers really TCP (or UDP) over IPv4/IPv6 as
 * gso_type says, its checksum request pointing at that L4 checksum. On
 * success m->hdr_len is set to the real header length.
 */
enum offload_verdict offload_validate(struct frame_offload *m, const uint8_t *frame,
				      size_t len);
const char *offload_verdict_str(enum offload_verdict v);

/* Shift the offsets for an 802.1Q tag pushed (+4) or popped (-4) in front
 * of them. Only valid for validated metadata. */
void offload_shift(struct frame_offload *m, int delta);

/* Complete the checksum m asks for in place. Returns false if the offsets
 * don't fit in the frame. */
bool offload_csum_complete(const struct frame_offload *m, uint8_t *frame, size_t len);

/* How many wire frames offload_segment() makes of this frame (1 without GSO). */
unsigned offload_segs(const struct frame_offload *m, size_t len);

/* Build wire frame i (< offload_segs()) of a validated frame into out,
 * which holds FRAME_BUF_SIZE bytes: a segment with complete checksums, or
 * for a non-GSO frame a copy with its checksum completed. Returns its
 * length, 0 if the frame doesn't parse (it was not validated). */
size_t offload_segment_one(const struct frame_offload *m, const uint8_t *frame, size_t len,
			   unsigned i, uint8_t *out);

/* Called with each segment; a non-zero return stops segmentation. */
typedef int (*offload_segment_cb)(void *ctx, const uint8_t *seg, size_t len);

/* Every segment of a validated frame, built in turn into out
 * (FRAME_BUF_SIZE bytes) and handed to cb. Returns the number of segments
 * handed over, -1 if the frame doesn't parse. */
int offload_segment(const struct frame_offload *m, const uint8_t *frame, size_t len,
		    uint8_t *out, offload_segment_cb cb, void *ctx);

/* Internet checksum helpers (RFC 1071), exposed for the tests: the 32-bit
 * partial sum of data added to sum, and the folded complement. */
uint32_t offload_csum_add(uint32_t sum, const uint8_t *data, size_t len);
uint16_t offload_csum_fold(uint32_t sum);

#endif
