/* SPDX-License-Identifier: MIT
 *
 * fuzz_dns_zone.c - libFuzzer target for the gateway's DNS record table
 * (gateway/services/dns_records.h): zone file lines, dns-record= specs and
 * the answers built from what they accepted.
 *
 * Theory of operation: the input is a zone file. It is cut at newlines;
 * each line goes to gw_dnsrec_parse_line() and, read as NAME=ADDR, to
 * gw_dnsrec_parse_spec(). What a parser accepts must be a name in the
 * table's form (lowercase, no trailing dot, at most 253 characters, no
 * empty label) and goes into a table of 8 entries, so the limit is hit.
 * Every name in the table is then asked for (A, AAAA, ANY and MX) with a
 * real question; the answer must be found, carry NOERROR, AA and QR, and
 * fit the buffer, whose size the first input byte picks (too small
 * included). The table is emptied again by name, and must then be empty.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"
#include "gateway/services/dns_msg.h"
#include "gateway/services/dns_records.h"

#include "fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TABLE 8

static void check_form(const char *name)
{
	size_t n = strlen(name), i;

	CHECK(n >= 1 && n <= GW_DNSREC_NAME_MAX);
	CHECK(name[0] != '.' && name[n - 1] != '.' && !strstr(name, ".."));
	for (i = 0; i < n; i++)
		CHECK(!isupper((unsigned char)name[i]));
}

/* The question for name (table form) into q; its length. */
static size_t question(uint8_t *q, const char *name, uint16_t qtype)
{
	size_t o = DNS_HDR_LEN;
	const char *p = name;

	memset(q, 0, DNS_HDR_LEN);
	wr16be(q, 0xbeef);
	wr16be(q + 4, 1);
	while (*p) {
		size_t n = strcspn(p, ".");

		q[o++] = (uint8_t)n;
		memcpy(q + o, p, n);
		o += n;
		p += n + (p[n] == '.');
	}
	q[o++] = 0;
	wr16be(q + o, qtype);
	wr16be(q + o + 2, DNS_CLASS_IN);
	return o + 4;
}

static void ask_all(const struct gw_dnsrec *t, size_t outsize)
{
	static const uint16_t types[] = { DNS_TYPE_A, DNS_TYPE_AAAA, DNS_TYPE_ANY, 15 };
	uint8_t q[300], out[1024];
	char back[256];
	unsigned i, k;

	for (i = 0; i < t->max; i++) {
		const struct gw_dnsrec_entry *e = &t->e[i];

		if (!e->used)
			continue;
		for (k = 0; k < 4; k++) {
			size_t qend = question(q, e->name, types[k]), next, len;
			uint16_t ty, cl;

			CHECK(!dns_parse_question(q, qend, DNS_HDR_LEN, back, &ty, &cl, &next));
			CHECK(!strcmp(back, e->name));
			len = gw_dnsrec_answer(t, q, qend, back, ty, out, outsize);
			if (outsize < qend) {
				CHECK(len == 0);
				continue;
			}
			CHECK(len >= qend && len <= outsize);
			CHECK(rd16be(out) == 0xbeef);
			CHECK((rd16be(out + 2) & (DNS_FLAG_QR | DNS_FLAG_AA | 0xf)) ==
			      (DNS_FLAG_QR | DNS_FLAG_AA));
			CHECK(types[k] != 15 || rd16be(out + 6) == 0);
			/* Each answer is an A (16 bytes) or an AAAA (28). */
			CHECK(len >= qend + (size_t)rd16be(out + 6) * 16 &&
			      len <= qend + (size_t)rd16be(out + 6) * 28);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[GW_DNSREC_LINE_MAX + 1], name[GW_DNSREC_NAME_MAX + 1], err[128];
	struct gw_dnsrec t;
	union inany_addr a;
	size_t pos = 1, outsize;
	const char *why;
	unsigned i;

	if (size < 1 || gw_dnsrec_init(&t, TABLE))
		return 0;
	outsize = (size_t)data[0] * 4; /* 0..1020 */
	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t l = (nl ? (size_t)(nl - data) : size) - pos;

		if (l <= GW_DNSREC_LINE_MAX && !memchr(data + pos, 0, l)) {
			memcpy(line, data + pos, l);
			line[l] = '\0';
			if (gw_dnsrec_parse_line(line, name, &a, &why) == 1) {
				check_form(name);
				gw_dnsrec_add(&t, name, &a, err, sizeof(err));
			}
			if (!gw_dnsrec_parse_spec(line, name, &a, &why)) {
				check_form(name);
				gw_dnsrec_add(&t, name, &a, err, sizeof(err));
			}
		}
		pos += l + 1;
	}
	CHECK(t.n <= TABLE);
	ask_all(&t, outsize);
	for (i = 0; i < TABLE; i++)
		if (t.e[i].used) {
			snprintf(name, sizeof(name), "%s", t.e[i].name);
			CHECK(gw_dnsrec_remove(&t, name, NULL) >= 1);
			CHECK(!gw_dnsrec_has(&t, name));
		}
	CHECK(t.n == 0);
	gw_dnsrec_fini(&t);
	return 0;
}
