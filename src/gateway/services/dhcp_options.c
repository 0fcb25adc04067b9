/* SPDX-License-Identifier: MIT
 *
 * dhcp_options.c - see dhcp_options.h.
 */
#include "gateway/services/dhcp_options.h"
#include "core/frame.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Walk one region. main says whether this is the options field (where
 * overload may appear). Returns 0 when END was found, -1 otherwise. */
static int parse_region(const uint8_t *p, size_t len, bool main, struct dhcp_opts *o)
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = p[i], l;
		const uint8_t *v;

		if (code == DHCPOPT_PAD) {
			i++;
			continue;
		}
		if (code == DHCPOPT_END)
			return 0;
		if (len - i < 2)
			return -1;
		l = p[i + 1];
		if ((size_t)l > len - i - 2)
			return -1;
		v = p + i + 2;
		switch (code) {
		case DHCPOPT_MSG_TYPE:
			if (l != 1)
				return -1;
			if (!o->msg_type)
				o->msg_type = v[0];
			break;
		case DHCPOPT_REQ_IP:
			if (l != 4)
				return -1;
			o->has_req_ip = true;
			o->req_ip = rd32be(v);
			break;
		case DHCPOPT_SERVER_ID:
			if (l != 4)
				return -1;
			o->has_server_id = true;
			o->server_id = rd32be(v);
			break;
		case DHCPOPT_CLIENT_ID:
			if (l < 2)
				return -1; /* RFC 2132 9.14: type + at least one byte */
			o->client_id = v;
			o->client_id_len = l;
			break;
		case DHCPOPT_HOSTNAME:
			if (l < 1)
				return -1;
			o->hostname = v;
			o->hostname_len = l;
			break;
		case DHCPOPT_PARAMS:
			o->params = v;
			o->params_len = l;
			break;
		case DHCPOPT_OVERLOAD:
			if (l != 1 || v[0] < 1 || v[0] > 3)
				return -1;
			if (main)
				o->overload = v[0];
			break;
		default:
			break;
		}
		i += 2 + (size_t)l;
	}
	return -1;
}

int dhcp_opts_parse(const uint8_t *bootp, size_t len, struct dhcp_opts *o)
{
	memset(o, 0, sizeof(*o));
	if (len < DHCP_OPTS_OFF || rd32be(bootp + BOOTP_FIXED_LEN) != DHCP_COOKIE)
		return -1;
	if (parse_region(bootp + DHCP_OPTS_OFF, len - DHCP_OPTS_OFF, true, o))
		return -1;
	/* RFC 2131 4.1: file first, then sname. */
	if ((o->overload & 1) &&
	    parse_region(bootp + BOOTP_FILE_OFF, BOOTP_FILE_LEN, false, o))
		return -1;
	if ((o->overload & 2) &&
	    parse_region(bootp + BOOTP_SNAME_OFF, BOOTP_SNAME_LEN, false, o))
		return -1;
	return 0;
}

void dow_init(struct dhcp_opt_writer *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
}

void dow_put(struct dhcp_opt_writer *w, uint8_t code, const void *data, size_t len)
{
	const uint8_t *d = data;

	do {
		size_t chunk = len > 255 ? 255 : len;

		if (w->overflow || w->cap - w->len < chunk + 2) {
			w->overflow = true;
			return;
		}
		w->buf[w->len] = code;
		w->buf[w->len + 1] = (uint8_t)chunk;
		if (chunk)
			memcpy(w->buf + w->len + 2, d, chunk);
		w->len += chunk + 2;
		d += chunk;
		len -= chunk;
	} while (len);
}

void dow_u8(struct dhcp_opt_writer *w, uint8_t code, uint8_t v)
{
	dow_put(w, code, &v, 1);
}

void dow_u16(struct dhcp_opt_writer *w, uint8_t code, uint16_t v)
{
	uint8_t b[2];

	wr16be(b, v);
	dow_put(w, code, b, 2);
}

void dow_u32(struct dhcp_opt_writer *w, uint8_t code, uint32_t v)
{
	uint8_t b[4];

	wr32be(b, v);
	dow_put(w, code, b, 4);
}

void dow_end(struct dhcp_opt_writer *w)
{
	if (w->overflow || w->len >= w->cap) {
		w->overflow = true;
		return;
	}
	w->buf[w->len++] = DHCPOPT_END;
}

/* Compare the wire-format name suffix at out[off] (following pointers)
 * with the dotted name s of length slen, case-insensitively. */
static bool wire_suffix_eq(const uint8_t *out, size_t used, size_t off, const char *s,
			   size_t slen)
{
	unsigned hops = 0;

	for (;;) {
		uint8_t l;
		const char *dot;
		size_t lab;

		if (off >= used)
			return false;
		l = out[off];
		if ((l & 0xc0) == 0xc0) {
			if (off + 1 >= used || ++hops > 64)
				return false;
			off = (size_t)(l & 0x3f) << 8 | out[off + 1];
			continue;
		}
		if (!l)
			return slen == 0;
		dot = memchr(s, '.', slen);
		lab = dot ? (size_t)(dot - s) : slen;
		if (lab != l || off + 1 + l > used || strncasecmp((const char *)out + off + 1, s, l))
			return false;
		off += 1 + l;
		s += lab;
		slen -= lab;
		if (slen) { /* skip the dot */
			s++;
			slen--;
		}
	}
}

size_t dhcp_encode_search(const char *const *names, unsigned n, uint8_t *out, size_t cap)
{
	/* Offsets of every label already written: candidates for pointers. */
	uint16_t starts[512];
	unsigned nstarts = 0, i;
	size_t used = 0;

	for (i = 0; i < n; i++) {
		const char *s = names[i];
		size_t slen = strlen(s);

		if (slen && s[slen - 1] == '.')
			slen--;
		while (slen) {
			const char *dot = memchr(s, '.', slen);
			size_t lab = dot ? (size_t)(dot - s) : slen;
			unsigned k;
			bool ptr = false;

			for (k = 0; k < nstarts; k++) {
				if (wire_suffix_eq(out, used, starts[k], s, slen)) {
					if (cap - used < 2)
						return 0;
					out[used++] = (uint8_t)(0xc0 | starts[k] >> 8);
					out[used++] = (uint8_t)starts[k];
					ptr = true;
					break;
				}
			}
			if (ptr)
				goto next;
			if (!lab || lab > 63 || cap - used < lab + 1)
				return 0;
			if (used < 0x3fff && nstarts < sizeof(starts) / sizeof(starts[0]))
				starts[nstarts++] = (uint16_t)used;
			out[used++] = (uint8_t)lab;
			memcpy(out + used, s, lab);
			used += lab;
			s += lab;
			slen -= lab;
			if (slen) {
				s++;
				slen--;
			}
		}
		if (cap - used < 1)
			return 0;
		out[used++] = 0;
next:;
	}
	return used;
}
