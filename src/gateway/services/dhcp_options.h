/* SPDX-License-Identifier: MIT
 *
 * dhcp_options.h - pure DHCPv4 option decoding and encoding (RFC 2131/2132,
 * RFC 3396 long options, RFC 3397 domain search list).
 *
 * Theory of operation: decoding walks the options area, and the file and
 * sname fields when option 52 (overload) asks for it, with every length
 * checked against the end of its region before anything is read. A region
 * must end with END (255); pads (0) are skipped, so a pad flood costs a
 * bounded walk and nothing else. The result is a view of pointers into the
 * caller's packet, valid for as long as the packet. Encoding appends to a
 * fixed buffer and latches an overflow flag instead of writing past it.
 * No I/O and no state: fuzzed and unit tested on its own.
 */
#ifndef VMWIRE_GATEWAY_DHCP_OPTIONS_H
#define VMWIRE_GATEWAY_DHCP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	DHCPOPT_PAD = 0, DHCPOPT_MASK = 1, DHCPOPT_ROUTER = 3, DHCPOPT_DNS = 6,
	DHCPOPT_HOSTNAME = 12, DHCPOPT_DOMAIN = 15, DHCPOPT_MTU = 26,
	DHCPOPT_BROADCAST = 28, DHCPOPT_REQ_IP = 50, DHCPOPT_LEASE = 51,
	DHCPOPT_OVERLOAD = 52, DHCPOPT_MSG_TYPE = 53, DHCPOPT_SERVER_ID = 54,
	DHCPOPT_PARAMS = 55, DHCPOPT_MESSAGE = 56, DHCPOPT_MAX_SIZE = 57,
	DHCPOPT_T1 = 58, DHCPOPT_T2 = 59, DHCPOPT_CLIENT_ID = 61,
	DHCPOPT_TFTP_SERVER = 66, DHCPOPT_BOOTFILE = 67, DHCPOPT_SEARCH = 119,
	DHCPOPT_END = 255,
};

enum {
	DHCPDISCOVER = 1, DHCPOFFER, DHCPREQUEST, DHCPDECLINE, DHCPACK, DHCPNAK,
	DHCPRELEASE, DHCPINFORM,
};

/* BOOTP fixed header: op..file, then the magic cookie. */
#define BOOTP_SNAME_OFF 44
#define BOOTP_SNAME_LEN 64
#define BOOTP_FILE_OFF 108
#define BOOTP_FILE_LEN 128
#define BOOTP_FIXED_LEN 236
#define DHCP_COOKIE 0x63825363
#define DHCP_OPTS_OFF (BOOTP_FIXED_LEN + 4)

struct dhcp_opts {
	int msg_type; /* 0: absent */
	bool has_req_ip, has_server_id;
	uint32_t req_ip, server_id;
	const uint8_t *client_id;
	size_t client_id_len;
	const uint8_t *hostname;
	size_t hostname_len;
	const uint8_t *params;
	size_t params_len;
	uint8_t overload; /* 1 file, 2 sname, 3 both */
};

/*
 * Decode a DHCP message's options. bootp points at the BOOTP header (op
 * field) and len covers header, cookie and options. Returns 0, or -1 when
 * the message is truncated, lacks the cookie, or an option runs past its
 * region, has a wrong fixed length, or a region lacks END.
 */
int dhcp_opts_parse(const uint8_t *bootp, size_t len, struct dhcp_opts *out);

struct dhcp_opt_writer {
	uint8_t *buf;
	size_t cap, len;
	bool overflow;
};

void dow_init(struct dhcp_opt_writer *w, uint8_t *buf, size_t cap);
/* Append one option; data longer than 255 is split into consecutive
 * options of the same code (RFC 3396). */
void dow_put(struct dhcp_opt_writer *w, uint8_t code, const void *data, size_t len);
void dow_u8(struct dhcp_opt_writer *w, uint8_t code, uint8_t v);
void dow_u16(struct dhcp_opt_writer *w, uint8_t code, uint16_t v);
void dow_u32(struct dhcp_opt_writer *w, uint8_t code, uint32_t v);
void dow_end(struct dhcp_opt_writer *w); /* END; does not pad */

/*
 * RFC 3397 encoding of a list of domain names, with compression pointers
 * relative to the start of the option data. names are dotted, validated
 * (labels 1..63), an optional trailing dot ignored. Returns the encoded
 * length, or 0 if it does not fit in cap.
 */
size_t dhcp_encode_search(const char *const *names, unsigned n, uint8_t *out, size_t cap);

#endif
