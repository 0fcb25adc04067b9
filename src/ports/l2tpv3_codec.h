/* SPDX-License-Identifier: MIT
 *
 * l2tpv3_codec.h - the L2TPv3 data header (RFC 3931) as QEMU's
 * "-netdev l2tpv3" writes and reads it; no sockets, so unit tests and the
 * fuzz target drive it directly.
 *
 * On the wire, after the UDP or IP header:
 *
 *   udp=on only:  00 03 00 00        (T bit 0: data, version 3)
 *   always:       session id         (4 bytes, big-endian)
 *   cookie:       0, 4 or 8 bytes    (big-endian)
 *   counter=on:   sequence           (4 bytes; 0 with pincounter=on)
 *   offset=N:     N bytes            (we send zeros, skip them on receipt)
 *   the Ethernet frame
 */
#ifndef VMWIRE_PORTS_L2TPV3_CODEC_H
#define VMWIRE_PORTS_L2TPV3_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define L2TPV3_OFFSET_MAX 256 /* QEMU's limit for offset= */
/* The longest header we build: word, session, cookie, counter, offset. */
#define L2TPV3_HDR_MAX (4 + 4 + 8 + 4 + L2TPV3_OFFSET_MAX)
#define L2TPV3_DATA_WORD 0x00030000u

struct l2tpv3_params {
	bool udp;          /* the 00 03 00 00 word is present */
	uint32_t tx_session, rx_session;
	unsigned cookie_len; /* 0, 4 or 8 */
	uint64_t tx_cookie, rx_cookie;
	bool counter;      /* a 4-byte counter field is on the wire */
	bool pin_counter;  /* ... and we always send it as 0 */
	unsigned offset;   /* extra bytes before the frame */
};

/* Why a received packet was not a frame for us. */
enum l2tpv3_verdict {
	L2TPV3_OK = 0,
	L2TPV3_TRUNCATED,   /* shorter than the IP header or our L2TPv3 header */
	L2TPV3_NOT_DATA,    /* udp: T bit set or version not 3 (a control message) */
	L2TPV3_BAD_SESSION, /* not our rxsession */
	L2TPV3_BAD_COOKIE,  /* not our rxcookie */
	L2TPV3_EMPTY,       /* a header and no frame */
	L2TPV3_BAD_IP,      /* ipv4 raw: not an IPv4 header we can skip */
	L2TPV3_VERDICTS
};

extern const char *const l2tpv3_verdict_names[L2TPV3_VERDICTS];

/* Bytes of header between the UDP/IP header and the frame. */
size_t l2tpv3_header_len(const struct l2tpv3_params *p);

/* Write the header for the frame numbered seq (counting from 1 like QEMU)
 * into hdr (L2TPV3_HDR_MAX bytes); returns its length. */
size_t l2tpv3_encap(const struct l2tpv3_params *p, uint32_t seq, uint8_t *hdr);

/*
 * Check a received packet. ipv4_raw: it starts with the IPv4 header (a raw
 * IPv4 socket hands that over; raw IPv6 and UDP sockets do not). On
 * L2TPV3_OK *frame_off and *frame_len locate the Ethernet frame in pkt.
 * The counter is skipped, never checked, as QEMU does: a lost or
 * reordered packet is delivered, not dropped.
 */
enum l2tpv3_verdict l2tpv3_decap(const struct l2tpv3_params *p, bool ipv4_raw,
				 const uint8_t *pkt, size_t len, size_t *frame_off,
				 size_t *frame_len);

#endif
