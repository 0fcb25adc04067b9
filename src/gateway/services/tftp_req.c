/* SPDX-License-Identifier: MIT
 *
 * tftp_req.c - see tftp_req.h.
 */
#include "gateway/services/tftp_req.h"
#include "core/frame.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The NUL-terminated string at p[*off] within len, or NULL when it runs
 * off the end; *off moves past its NUL. */
static const char *take_str(const uint8_t *p, size_t len, size_t *off)
{
	const uint8_t *s = p + *off, *nul;

	if (*off >= len)
		return NULL;
	nul = memchr(s, '\0', len - *off);
	if (!nul)
		return NULL;
	*off += (size_t)(nul - s) + 1;
	return (const char *)s;
}

/* A decimal option value in [lo, hi]; false for anything else (empty,
 * signs, spaces, overflow): the option is then ignored, as RFC 2347 lets
 * a server do with one it does not like. */
static bool take_num(const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
	uint64_t n = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > (UINT64_MAX - 9) / 10)
			return false;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	if (n < lo || n > hi)
		return false;
	*v = n;
	return true;
}

enum tftp_req_result tftp_req_parse(const uint8_t *p, size_t len, struct tftp_req *r)
{
	const char *name, *mode, *on, *ov;
	size_t off = 2, n;
	uint64_t v;

	memset(r, 0, sizeof(*r));
	if (len < 4)
		return TFTP_REQ_SHORT;
	r->opcode = rd16be(p);
	if (r->opcode != TFTP_RRQ && r->opcode != TFTP_WRQ)
		return TFTP_REQ_BAD_OPCODE;
	if (!(name = take_str(p, len, &off)) || !(mode = take_str(p, len, &off)))
		return TFTP_REQ_NO_NUL;
	n = strlen(name);
	if (n > TFTP_PATH_MAX)
		return TFTP_REQ_NAME_TOO_LONG;
	memcpy(r->name, name, n + 1);
	if (strcasecmp(mode, "octet"))
		return TFTP_REQ_BAD_MODE;
	while ((on = take_str(p, len, &off)) && (ov = take_str(p, len, &off))) {
		if (++r->n_options > TFTP_OPTIONS_MAX)
			return TFTP_REQ_TOO_MANY_OPTIONS;
		if (!strcasecmp(on, "blksize") &&
		    take_num(ov, TFTP_BLKSIZE_MIN, TFTP_BLKSIZE_MAX, &v))
			r->blksize = (unsigned)v;
		else if (!strcasecmp(on, "timeout") &&
			 take_num(ov, TFTP_TIMEOUT_MIN_S, TFTP_TIMEOUT_MAX_S, &v))
			r->timeout_s = (unsigned)v;
		else if (!strcasecmp(on, "windowsize") && take_num(ov, 1, TFTP_WINDOW_MAX, &v))
			r->windowsize = (unsigned)v;
		else if (!strcasecmp(on, "tsize") && take_num(ov, 0, UINT64_MAX, &v))
			r->tsize = true; /* a read request's tsize is 0: we fill it in */
	}
	return TFTP_REQ_OK;
}

/* Append "name\0value\0" to the OACK at o (room is TFTP_OACK_MAX). */
static size_t put_opt(uint8_t *o, size_t off, const char *name, uint64_t value)
{
	int n = snprintf((char *)o + off, TFTP_OACK_MAX - off, "%s%c%llu", name, '\0',
			 (unsigned long long)value);

	/* At most four options of under 32 bytes each: always fits. */
	return off + (size_t)n + 1;
}

size_t tftp_negotiate(const struct tftp_req *r, unsigned max_blksize, unsigned max_window,
		      unsigned default_timeout_s, uint64_t file_size, struct tftp_params *out,
		      uint8_t *oack)
{
	size_t off = 2;

	out->blksize = TFTP_DEFAULT_BLKSIZE;
	out->timeout_s = default_timeout_s;
	out->windowsize = 1;
	wr16be(oack, TFTP_OACK);
	if (r->blksize) {
		out->blksize = r->blksize < max_blksize ? r->blksize : max_blksize;
		off = put_opt(oack, off, "blksize", out->blksize);
	}
	if (r->timeout_s) {
		out->timeout_s = r->timeout_s;
		off = put_opt(oack, off, "timeout", out->timeout_s);
	}
	/* tsize 0 is left out: curl refuses an OACK saying 0 (it reads it as
	 * "no size"), and RFC 2347 lets a server ignore any option. */
	if (r->tsize && file_size)
		off = put_opt(oack, off, "tsize", file_size);
	if (r->windowsize) {
		out->windowsize = r->windowsize < max_window ? r->windowsize : max_window;
		off = put_opt(oack, off, "windowsize", out->windowsize);
	}
	return off > 2 ? off : 0;
}

size_t tftp_error_build(uint8_t *out, size_t room, uint16_t code, const char *msg)
{
	size_t n = strlen(msg);

	if (room < TFTP_HDR_LEN + 1)
		return 0;
	if (n > room - TFTP_HDR_LEN - 1)
		n = room - TFTP_HDR_LEN - 1;
	wr16be(out, TFTP_ERROR);
	wr16be(out + 2, code);
	memcpy(out + 4, msg, n);
	out[4 + n] = '\0';
	return TFTP_HDR_LEN + n + 1;
}
