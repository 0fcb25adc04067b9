/* SPDX-License-Identifier: MIT
 *
 * dns_msg.c - see dns_msg.h.
 */
#include "gateway/services/dns_msg.h"
#include "core/frame.h"

#include <ctype.h>

int dns_parse_header(const uint8_t *m, size_t len, struct dns_hdr *h)
{
	if (len < DNS_HDR_LEN)
		return -1;
	h->id = rd16be(m);
	h->flags = rd16be(m + 2);
	h->qdcount = rd16be(m + 4);
	h->ancount = rd16be(m + 6);
	h->nscount = rd16be(m + 8);
	h->arcount = rd16be(m + 10);
	return 0;
}

int dns_parse_name(const uint8_t *m, size_t len, size_t off, char *out, size_t *next)
{
	size_t o = 0, wire = 0, pos = off;
	bool jumped = false;

	for (;;) {
		uint8_t l;

		if (pos >= len)
			return -1;
		l = m[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= len)
				return -1;
			target = (size_t)(l & 0x3f) << 8 | m[pos + 1];
			/* Strictly backwards: no loops, bounded walk. */
			if (target >= pos)
				return -1;
			if (!jumped)
				*next = pos + 2;
			jumped = true;
			pos = target;
			continue;
		}
		if (l & 0xc0)
			return -1; /* 0x40/0x80: extended label types, unsupported */
		if (!l) {
			if (!jumped)
				*next = pos + 1;
			out[o] = '\0';
			return 0;
		}
		wire += 1u + l;
		if (wire + 1 > DNS_NAME_MAX || pos + 1 + l > len)
			return -1;
		if (o)
			out[o++] = '.';
		for (size_t i = 0; i < l; i++)
			out[o++] = (char)tolower(m[pos + 1 + i]);
		pos += 1u + l;
	}
}

int dns_parse_question(const uint8_t *m, size_t len, size_t off, char *name,
		       uint16_t *qtype, uint16_t *qclass, size_t *next)
{
	size_t p;

	if (dns_parse_name(m, len, off, name, &p) || len - p < 4)
		return -1;
	*qtype = rd16be(m + p);
	*qclass = rd16be(m + p + 2);
	*next = p + 4;
	return 0;
}
