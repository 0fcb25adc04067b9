/* SPDX-License-Identifier: MIT
 *
 * tftp_req.h - TFTP packets: request parsing and option negotiation.
 *
 * Theory of operation: a request (RFC 1350: opcode, filename NUL, mode
 * NUL) is parsed from the guest's datagram with every string bounded by the
 * datagram's end: a name without its NUL, a name longer than
 * TFTP_PATH_MAX, a mode without its NUL are refused. After the mode come
 * RFC 2347 options, name NUL value NUL pairs, names case-insensitive: the
 * four this server knows (blksize RFC 2348, timeout and tsize RFC 2349,
 * windowsize RFC 7440) are kept when their value is a decimal number in the
 * RFC's range, others are skipped; a trailing incomplete pair is ignored
 * (some ROMs pad), more than TFTP_OPTIONS_MAX pairs refuse the request.
 *
 * tftp_negotiate() turns what the client asked for into the transfer's
 * parameters (blksize clamped to what one frame carries, windowsize to what
 * the reply ring holds) and writes the OACK naming only the accepted
 * options (tsize only for a file that is not empty: curl refuses "tsize 0");
 * no option asked for (or none accepted) means no OACK, and the
 * transfer starts with DATA 1 under RFC 1350's defaults.
 *
 * Nothing here keeps state or allocates: the fuzzer drives it directly.
 */
#ifndef VMWIRE_GATEWAY_TFTP_REQ_H
#define VMWIRE_GATEWAY_TFTP_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/services/tftp_path.h"

#define TFTP_RRQ 1
#define TFTP_WRQ 2
#define TFTP_DATA 3
#define TFTP_ACK 4
#define TFTP_ERROR 5
#define TFTP_OACK 6

#define TFTP_PORT 69
#define TFTP_HDR_LEN 4 /* opcode + block number / error code */
#define TFTP_DEFAULT_BLKSIZE 512
#define TFTP_BLKSIZE_MIN 8       /* RFC 2348 */
#define TFTP_BLKSIZE_MAX 65464
#define TFTP_TIMEOUT_MIN_S 1     /* RFC 2349 */
#define TFTP_TIMEOUT_MAX_S 255
#define TFTP_WINDOW_MAX 65535    /* RFC 7440 */
#define TFTP_OPTIONS_MAX 32

enum tftp_req_result {
	TFTP_REQ_OK = 0,
	TFTP_REQ_SHORT,        /* no room for opcode and a name */
	TFTP_REQ_BAD_OPCODE,   /* not RRQ or WRQ */
	TFTP_REQ_NO_NUL,       /* filename or mode runs off the end */
	TFTP_REQ_NAME_TOO_LONG,
	TFTP_REQ_BAD_MODE,     /* not octet (netascii is not translated) */
	TFTP_REQ_TOO_MANY_OPTIONS,
};

struct tftp_req {
	uint16_t opcode;
	char name[TFTP_PATH_MAX + 1];
	/* Options asked for, with valid values; 0 when not asked. */
	unsigned blksize, timeout_s, windowsize;
	bool tsize;
	unsigned n_options; /* pairs seen, known or not */
};

struct tftp_params {
	unsigned blksize, timeout_s, windowsize;
};

/* Parse a request datagram (opcode first). */
enum tftp_req_result tftp_req_parse(const uint8_t *p, size_t len, struct tftp_req *r);

/* The transfer's parameters for r under the limits (max_blksize >= 512,
 * max_window >= 1) and default_timeout_s; the OACK (opcode included)
 * written to out, its length returned, 0 when none is due. out must hold
 * TFTP_OACK_MAX bytes. */
#define TFTP_OACK_MAX 128
size_t tftp_negotiate(const struct tftp_req *r, unsigned max_blksize, unsigned max_window,
		      unsigned default_timeout_s, uint64_t file_size, struct tftp_params *out,
		      uint8_t *oack);

/* An ERROR packet (code, message) at out, room bytes; its length. */
size_t tftp_error_build(uint8_t *out, size_t room, uint16_t code, const char *msg);

#endif
