/* SPDX-License-Identifier: MIT
 *
 * dns_records.c - see dns_records.h.
 */
#include "gateway/services/dns_records.h"
#include "core/frame.h"
#include "core/log.h"
#include "gateway/services/dns_msg.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define END UINT32_MAX

int gw_dnsrec_name(const char *s, size_t len, char *out, const char **why)
{
	size_t i, label = 0;

	if (len && s[len - 1] == '.')
		len--; /* the absolute form names the same thing */
	if (!len) {
		*why = "empty name";
		return -1;
	}
	if (len > GW_DNSREC_NAME_MAX) {
		*why = "name longer than 253 characters";
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			if (!label) {
				*why = "empty label in name";
				return -1;
			}
			label = 0;
		} else if (isalnum(ch) || ch == '-' || ch == '_') {
			if (++label > 63) {
				*why = "label longer than 63 characters";
				return -1;
			}
		} else {
			*why = "name has a character other than letters, digits, '-', '_', '.'";
			return -1;
		}
		out[i] = (char)tolower(ch);
	}
	if (!label) { /* "a.." : one trailing dot went, the next is empty */
		*why = "empty label in name";
		return -1;
	}
	out[len] = '\0';
	return 0;
}

static int parse_addr(const char *s, size_t len, union inany_addr *a, const char **why)
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (!len || len >= sizeof(buf)) {
		*why = "address is not an IPv4 or IPv6 address";
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inany_pton(buf, a) || inany_is_unspecified(a) || inany_is_multicast(a)) {
		*why = "address is not a unicast IPv4 or IPv6 address";
		return -1;
	}
	return 0;
}

int gw_dnsrec_parse_spec(const char *spec, char *name, union inany_addr *a, const char **why)
{
	const char *eq = strchr(spec, '=');

	if (!eq) {
		*why = "expected NAME=ADDR";
		return -1;
	}
	return gw_dnsrec_name(spec, (size_t)(eq - spec), name, why) ||
	       parse_addr(eq + 1, strlen(eq + 1), a, why) ? -1 : 0;
}

int gw_dnsrec_parse_line(const char *line, char *name, union inany_addr *a, const char **why)
{
	const char *ws = " \t\r\n";
	size_t n = strcspn(line, "#"), o = strspn(line, ws), nl, al;
	const char *addr;

	while (n > o && strchr(ws, line[n - 1]))
		n--;
	if (n <= o)
		return 0;
	nl = strcspn(line + o, ws);
	if (o + nl >= n) {
		*why = "expected 'name address'";
		return -1;
	}
	addr = line + o + nl + strspn(line + o + nl, ws);
	al = (size_t)(line + n - addr);
	if (strcspn(addr, ws) < al) {
		*why = "more than 'name address' on the line";
		return -1;
	}
	return gw_dnsrec_name(line + o, nl, name, why) || parse_addr(addr, al, a, why) ? -1 : 1;
}

int gw_dnsrec_init(struct gw_dnsrec *t, unsigned max)
{
	unsigned i;

	memset(t, 0, sizeof(*t));
	if (!max || max > GW_DNSREC_LIMIT)
		return -1;
	for (t->nbuckets = 16; t->nbuckets < max; t->nbuckets <<= 1)
		;
	t->e = calloc(max, sizeof(*t->e));
	t->bucket = malloc(t->nbuckets * sizeof(*t->bucket));
	if (!t->e || !t->bucket) {
		gw_dnsrec_fini(t);
		return -1;
	}
	t->max = max;
	for (i = 0; i < t->nbuckets; i++)
		t->bucket[i] = END;
	for (i = 0; i < max; i++)
		t->e[i].next = i + 1 < max ? i + 1 : END;
	t->free_head = 0;
	return 0;
}

void gw_dnsrec_fini(struct gw_dnsrec *t)
{
	free(t->e);
	free(t->bucket);
	memset(t, 0, sizeof(*t));
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

int gw_dnsrec_add(struct gw_dnsrec *t, const char *name, const union inany_addr *a,
		  char *err, size_t errlen)
{
	uint32_t *head = &t->bucket[name_hash(name) & (t->nbuckets - 1)], i;
	struct gw_dnsrec_entry *e;

	for (i = *head; i != END; i = t->e[i].next)
		if (!strcmp(t->e[i].name, name) && inany_equals(&t->e[i].addr, a))
			return 1;
	if (t->free_head == END) {
		snprintf(err, errlen, "DNS record table full (max-dns-records=%u)", t->max);
		LOG_ONCE_FOR(&t->logged, 0, LOG_LVL_WARN, "-netdev user: DNS record table full "
			     "(max-dns-records=%u), records refused", t->max);
		return -1;
	}
	i = t->free_head;
	e = &t->e[i];
	t->free_head = e->next;
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->addr = *a;
	e->used = true;
	e->next = *head;
	*head = i;
	t->n++;
	return 0;
}

unsigned gw_dnsrec_remove(struct gw_dnsrec *t, const char *name, const union inany_addr *a)
{
	uint32_t *link = &t->bucket[name_hash(name) & (t->nbuckets - 1)];
	unsigned removed = 0;

	while (*link != END) {
		uint32_t i = *link;
		struct gw_dnsrec_entry *e = &t->e[i];

		if (strcmp(e->name, name) || (a && !inany_equals(&e->addr, a))) {
			link = &e->next;
			continue;
		}
		*link = e->next;
		memset(e, 0, sizeof(*e));
		e->next = t->free_head;
		t->free_head = i;
		t->n--;
		removed++;
	}
	return removed;
}

int gw_dnsrec_load_zone(struct gw_dnsrec *t, const char *path, char *err, size_t errlen)
{
	char line[GW_DNSREC_LINE_MAX + 2], name[GW_DNSREC_NAME_MAX + 1], e2[128];
	unsigned lineno = 0;
	union inany_addr a;
	int n = 0, r = 0;
	FILE *f = fopen(path, "re");

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		const char *why = NULL;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			why = "line longer than 512 characters";
			r = -1;
		} else {
			r = gw_dnsrec_parse_line(line, name, &a, &why);
		}
		if (r < 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
			break;
		}
		if (!r)
			continue;
		if (t && (r = gw_dnsrec_add(t, name, &a, e2, sizeof(e2))) < 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, e2);
			break;
		}
		n++;
		r = 0;
	}
	fclose(f);
	return r < 0 ? -1 : n;
}

bool gw_dnsrec_has(const struct gw_dnsrec *t, const char *name)
{
	uint32_t i;

	if (!t || !t->max)
		return false;
	for (i = t->bucket[name_hash(name) & (t->nbuckets - 1)]; i != END; i = t->e[i].next)
		if (!strcmp(t->e[i].name, name))
			return true;
	return false;
}

/* An answer under construction: the query's header and question, then
 * records as long as they fit. */
struct reply {
	uint8_t *out;
	size_t len, size;
	uint16_t an;
	bool tc;
};

static void put_rr(struct reply *r, const union inany_addr *a)
{
	bool v4 = inany_is_v4(a);
	size_t rdlen = v4 ? 4 : 16;
	uint8_t *rr = r->out + r->len;

	if (r->len + 12 + rdlen > r->size) {
		r->tc = true; /* the guest retries on TCP (relayed) */
		return;
	}
	wr16be(rr, 0xc000 | DNS_HDR_LEN); /* the question's name */
	wr16be(rr + 2, v4 ? DNS_TYPE_A : DNS_TYPE_AAAA);
	wr16be(rr + 4, DNS_CLASS_IN);
	wr32be(rr + 6, GW_DNSREC_TTL);
	wr16be(rr + 10, (uint16_t)rdlen);
	if (v4)
		wr32be(rr + 12, inany_ip4(a));
	else
		memcpy(rr + 12, &a->a6, 16);
	r->len += 12 + rdlen;
	r->an++;
}

static bool wanted(uint16_t qtype, const union inany_addr *a)
{
	return qtype == DNS_TYPE_ANY || qtype == (inany_is_v4(a) ? DNS_TYPE_A : DNS_TYPE_AAAA);
}

/* QR, AA, RA; RD and the opcode echoed; NOERROR even with no answer
 * (NODATA: the name exists, not with this type). */
static size_t finish(struct reply *r, const uint8_t *m)
{
	uint16_t flags = rd16be(m + 2);

	flags = (uint16_t)(DNS_FLAG_QR | DNS_FLAG_AA | DNS_FLAG_RA |
			   (flags & (DNS_FLAG_RD | 0x7800)) | (r->tc ? DNS_FLAG_TC : 0));
	wr16be(r->out + 2, flags);
	wr16be(r->out + 4, 1);
	wr16be(r->out + 6, r->an);
	memset(r->out + 8, 0, 4);
	return r->len;
}

size_t gw_dnsrec_answer(const struct gw_dnsrec *t, const uint8_t *m, size_t qend,
			const char *name, uint16_t qtype, uint8_t *out, size_t outsize)
{
	struct reply r = { out, qend, outsize, 0, false };
	bool found = false;
	uint32_t i;

	if (!t || !t->max || qend > outsize)
		return 0;
	memcpy(out, m, qend);
	for (i = t->bucket[name_hash(name) & (t->nbuckets - 1)]; i != END; i = t->e[i].next) {
		const struct gw_dnsrec_entry *e = &t->e[i];

		if (strcmp(e->name, name))
			continue;
		found = true;
		if (wanted(qtype, &e->addr) && !r.tc)
			put_rr(&r, &e->addr);
	}
	return found ? finish(&r, m) : 0;
}

size_t gw_dnsrec_answer_addrs(const uint8_t *m, size_t qend, uint16_t qtype,
			      const union inany_addr *a, unsigned n, uint8_t *out, size_t outsize)
{
	struct reply r = { out, qend, outsize, 0, false };

	if (qend > outsize)
		return 0;
	memcpy(out, m, qend);
	for (unsigned i = 0; i < n && !r.tc; i++)
		if (wanted(qtype, &a[i]))
			put_rr(&r, &a[i]);
	return finish(&r, m);
}

void gw_dnsrec_walk(const struct gw_dnsrec *t,
		    void (*fn)(void *ctx, const char *name, const union inany_addr *a),
		    void *ctx)
{
	for (unsigned i = 0; i < t->max; i++)
		if (t->e[i].used)
			fn(ctx, t->e[i].name, &t->e[i].addr);
}

void gw_dnsrec_info(const struct gw_dnsrec *t, FILE *out)
{
	char a[INET6_ADDRSTRLEN];
	unsigned i;

	fprintf(out, "  DNS records (%u of max %u, TTL %u):%s\n", t->n, t->max, GW_DNSREC_TTL,
		t->n ? "" : " none");
	for (i = 0; i < t->max; i++)
		if (t->e[i].used)
			fprintf(out, "    %-40s %-5s %s\n", t->e[i].name,
				inany_is_v4(&t->e[i].addr) ? "A" : "AAAA",
				inany_ntop(&t->e[i].addr, a, sizeof(a)));
}

/* name and addr as a user typed them, checked and folded. */
static int text_args(const char *name, const char *addr, char *folded, union inany_addr *a,
		     char *err, size_t errlen)
{
	const char *why;

	if (gw_dnsrec_name(name, strlen(name), folded, &why)) {
		snprintf(err, errlen, "invalid name '%s': %s", name, why);
		return -1;
	}
	if (addr && (inany_pton(addr, a) || inany_is_unspecified(a) || inany_is_multicast(a))) {
		snprintf(err, errlen, "invalid address '%s': not a unicast IPv4 or IPv6 address",
			 addr);
		return -1;
	}
	return 0;
}

int gw_dnsrec_add_text(struct gw_dnsrec *t, const char *name, const char *addr, char *err,
		       size_t errlen)
{
	char n[GW_DNSREC_NAME_MAX + 1];
	union inany_addr a;

	if (!addr) {
		snprintf(err, errlen, "no address for '%s'", name);
		return -1;
	}
	if (text_args(name, addr, n, &a, err, errlen))
		return -1;
	return gw_dnsrec_add(t, n, &a, err, errlen) < 0 ? -1 : 0;
}

int gw_dnsrec_remove_text(struct gw_dnsrec *t, const char *name, const char *addr, char *err,
			  size_t errlen)
{
	char n[GW_DNSREC_NAME_MAX + 1];
	union inany_addr a;

	if (text_args(name, addr, n, &a, err, errlen))
		return -1;
	if (!gw_dnsrec_remove(t, n, addr ? &a : NULL)) {
		snprintf(err, errlen, "no DNS record for '%s'%s%s", name, addr ? " with " : "",
			 addr ? addr : "");
		return -1;
	}
	return 0;
}
