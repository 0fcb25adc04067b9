/* SPDX-License-Identifier: MIT
 *
 * dns_msg.h - pure DNS message parsing (RFC 1035 header, names, question).
 *
 * Theory of operation: the forwarder needs very little of a message: the
 * header, and the first question to answer built-in names and to match a
 * reply to its query. Names are decoded with every label length checked
 * against the message end, the total bounded to 255 bytes, and
 * compression pointers accepted only when they point strictly before the
 * label that holds them, which makes loops impossible (CVE-2017-11434-class
 * crafted names cannot spin or read past the buffer). No I/O, no state.
 */
#ifndef VMWIRE_GATEWAY_DNS_MSG_H
#define VMWIRE_GATEWAY_DNS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HDR_LEN 12
#define DNS_NAME_MAX 255 /* wire length; the dotted form is shorter */
#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_AA 0x0400
#define DNS_FLAG_TC 0x0200
#define DNS_FLAG_RD 0x0100
#define DNS_FLAG_RA 0x0080
#define DNS_OPCODE(f) (((f) >> 11) & 0xf)
#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_FORMERR 1
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_TYPE_A 1
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_ANY 255
#define DNS_CLASS_IN 1

struct dns_hdr {
	uint16_t id, flags, qdcount, ancount, nscount, arcount;
};

int dns_parse_header(const uint8_t *m, size_t len, struct dns_hdr *h);

/* Decode the name at off into out (dotted, lowercase, no trailing dot;
 * "" for the root); out must hold 256 bytes. *next is the offset just past
 * the name where it starts (not where pointers led). 0 or -1. */
int dns_parse_name(const uint8_t *m, size_t len, size_t off, char *out, size_t *next);

/* The question at off: name, type, class; *next past it. 0 or -1. */
int dns_parse_question(const uint8_t *m, size_t len, size_t off, char *name,
		       uint16_t *qtype, uint16_t *qclass, size_t *next);

#endif
