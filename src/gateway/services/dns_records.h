/* SPDX-License-Identifier: MIT
 *
 * dns_records.h - the gateway's own DNS names: static A/AAAA records.
 *
 * Theory of operation: records come from dns-record=NAME=ADDR and the
 * lines of a dns-zone=FILE at start, and from the control socket
 * (dns-record-add/-remove) while the gateway runs. They live in one table
 * allocated at start and never grown: max entries (max-dns-records=), a
 * free list, and hash chains over the names, so a lookup is a hash and a
 * short chain walk and no query allocates. Names are kept lowercase
 * without a trailing dot, the form dns_parse_name() gives, so matching is
 * case-insensitive and "a.b." equals "a.b". A name may have several
 * addresses of either family.
 *
 * The DNS forwarder asks gw_dnsrec_answer() before relaying a query: a
 * name in the table is answered here, authoritatively (AA, TTL
 * GW_DNSREC_TTL), with the records of the type asked (A, AAAA, or both for
 * ANY); a name that has only records of other types gets NOERROR with no
 * answers (NODATA), so a guest asking AAAA for a v4-only name does not
 * fall through to the upstream and learn a different address there. A
 * name not in the table is not ours: the query is forwarded as before.
 *
 * The guests' own names (DHCP option 12, as HOST.<domainname>) are not in
 * this table: they live in their leases (dhcp.h, gw_dhcp_host_addrs():
 * the lease's IPv4 address and the guest's IPv6 ones), are asked after
 * it, so a static record always wins, and are answered with
 * gw_dnsrec_answer_addrs().
 */
#ifndef VMWIRE_GATEWAY_DNS_RECORDS_H
#define VMWIRE_GATEWAY_DNS_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/inany.h"
#include "core/log.h"

#define GW_DNSREC_NAME_MAX 253   /* dotted, no trailing dot (RFC 1035 2.3.4) */
#define GW_DNSREC_TTL 60
#define GW_DNSREC_DEFAULT_MAX 256
#define GW_DNSREC_LIMIT 65536    /* the most max-dns-records= accepts */
#define GW_DNSREC_ARGS_MAX 32    /* dns-record= keys on one -netdev (of KV_MAX keys) */
#define GW_DNSREC_LINE_MAX 512   /* a zone file line */

struct gw_dnsrec_entry {
	char name[GW_DNSREC_NAME_MAX + 1];
	union inany_addr addr;
	uint32_t next; /* hash chain or free list; UINT32_MAX ends it */
	bool used;
};

struct gw_dnsrec {
	struct gw_dnsrec_entry *e; /* max entries */
	uint32_t *bucket;          /* nbuckets chain heads */
	unsigned max, n, nbuckets;
	uint32_t free_head;
	struct log_once logged; /* bit 0: the table was full */
};

/* A name as given by a user ("Vm1.Example.", ...) checked and folded to
 * the table's form in out (GW_DNSREC_NAME_MAX + 1 bytes): labels of 1..63
 * letters, digits, '-' or '_', one trailing dot allowed. 0, or -1 with
 * *why (a static string). */
int gw_dnsrec_name(const char *s, size_t len, char *out, const char **why);

/* "NAME=ADDR" (dns-record=) into name and a; 0, or -1 with *why. */
int gw_dnsrec_parse_spec(const char *spec, char *name, union inany_addr *a,
			 const char **why);

/* One zone file line: "name addr", '#' starts a comment. 1 with a record,
 * 0 for a blank or comment line, -1 with *why. */
int gw_dnsrec_parse_line(const char *line, char *name, union inany_addr *a,
			 const char **why);

int gw_dnsrec_init(struct gw_dnsrec *t, unsigned max);
void gw_dnsrec_fini(struct gw_dnsrec *t);

/* Add NAME -> a. 0; 1 when that exact record is already there; -1 with
 * err when the table is full. */
int gw_dnsrec_add(struct gw_dnsrec *t, const char *name, const union inany_addr *a,
		  char *err, size_t errlen);

/* Remove NAME's record with address a, or all of NAME's when a is NULL;
 * the number removed. */
unsigned gw_dnsrec_remove(struct gw_dnsrec *t, const char *name, const union inany_addr *a);

/* The control socket's add and remove: name and addr (NULL to remove all
 * of name's) as typed; 0, or -1 with a one-line reason in err. */
int gw_dnsrec_add_text(struct gw_dnsrec *t, const char *name, const char *addr, char *err,
		       size_t errlen);
int gw_dnsrec_remove_text(struct gw_dnsrec *t, const char *name, const char *addr, char *err,
			  size_t errlen);

/* Read zone file path into t (NULL: only check it). The number of records,
 * or -1 with err naming "path:line". */
int gw_dnsrec_load_zone(struct gw_dnsrec *t, const char *path, char *err, size_t errlen);

/* Has NAME (table form) a record of any type? */
bool gw_dnsrec_has(const struct gw_dnsrec *t, const char *name);

/* The answer to the question of query m (header and question, qend bytes;
 * name as dns_parse_name() gave it) into out (outsize bytes, at least qend
 * + 16): its length, or 0 when the name is not in the table (forward). */
size_t gw_dnsrec_answer(const struct gw_dnsrec *t, const uint8_t *m, size_t qend,
			const char *name, uint16_t qtype, uint8_t *out, size_t outsize);

/* The same for one name known elsewhere (a DHCP host name) with the n
 * addresses a (either family, the question's type picks): an answer or
 * NODATA, never 0 but when out is too small. */
size_t gw_dnsrec_answer_addrs(const uint8_t *m, size_t qend, uint16_t qtype,
			      const union inany_addr *a, unsigned n, uint8_t *out, size_t outsize);

/* Every record, for "info usernet". */
void gw_dnsrec_walk(const struct gw_dnsrec *t,
		    void (*fn)(void *ctx, const char *name, const union inany_addr *a),
		    void *ctx);

/* The table's section of "info usernet". */
void gw_dnsrec_info(const struct gw_dnsrec *t, FILE *out);

#endif
