/* SPDX-License-Identifier: MIT
 *
 * test_dns_records.c - the gateway's static DNS records (dns_records.c):
 * name and zone-line parsing, the table (add, duplicate, remove, limit),
 * answers (A, AAAA, ANY, NODATA, not ours), case and trailing dots, zone
 * files with their file:line errors, and the -netdev user keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/keyval.h"
#include "core/frame.h"
#include "gateway/config.h"
#include "gateway/services/dns_msg.h"
#include "gateway/services/dns_records.h"

static union inany_addr A(const char *s)
{
	union inany_addr a;

	assert_int_equal(inany_pton(s, &a), 0);
	return a;
}

/* A query for name/qtype: header and question; *qend its length. */
static size_t mk_query(uint8_t *m, const char *name, uint16_t qtype)
{
	size_t o = DNS_HDR_LEN;
	const char *p = name;

	memset(m, 0, DNS_HDR_LEN);
	wr16be(m, 0x1234);
	wr16be(m + 2, DNS_FLAG_RD);
	wr16be(m + 4, 1);
	while (*p) {
		size_t n = strcspn(p, ".");

		m[o++] = (uint8_t)n;
		memcpy(m + o, p, n);
		o += n;
		p += n + (p[n] == '.');
	}
	m[o++] = 0;
	wr16be(m + o, qtype);
	wr16be(m + o + 2, DNS_CLASS_IN);
	return o + 4;
}

/* Ask t for name/qtype as dns.c does (name decoded by dns_parse_name). */
static size_t ask(const struct gw_dnsrec *t, const char *qname, uint16_t qtype, uint8_t *out,
		  size_t outsize)
{
	uint8_t q[512];
	size_t qend = mk_query(q, qname, qtype), next;
	char name[256];
	uint16_t ty, cl;

	assert_int_equal(dns_parse_question(q, qend, DNS_HDR_LEN, name, &ty, &cl, &next), 0);
	return gw_dnsrec_answer(t, q, qend, name, ty, out, outsize);
}

static void test_names(void **state)
{
	char out[GW_DNSREC_NAME_MAX + 1], long_label[80], long_name[300];
	const char *why;

	assert_int_equal(gw_dnsrec_name("Vm1.Example.", 12, out, &why), 0);
	assert_string_equal(out, "vm1.example");
	assert_int_equal(gw_dnsrec_name("a_b-c", 5, out, &why), 0);
	assert_int_equal(gw_dnsrec_name("", 0, out, &why), -1);
	assert_int_equal(gw_dnsrec_name(".", 1, out, &why), -1);
	assert_int_equal(gw_dnsrec_name("a..b", 4, out, &why), -1);
	assert_int_equal(gw_dnsrec_name("b..", 3, out, &why), -1); /* found by fuzz_dns_zone */
	assert_int_equal(gw_dnsrec_name("..", 2, out, &why), -1);
	assert_int_equal(gw_dnsrec_name("a b", 3, out, &why), -1);
	assert_int_equal(gw_dnsrec_name("a\nb", 3, out, &why), -1);
	memset(long_label, 'x', 64);
	assert_int_equal(gw_dnsrec_name(long_label, 64, out, &why), -1);
	assert_int_equal(gw_dnsrec_name(long_label, 63, out, &why), 0);
	for (size_t i = 0; i < sizeof(long_name); i++)
		long_name[i] = i % 10 == 9 ? '.' : 'a';
	assert_int_equal(gw_dnsrec_name(long_name, 253, out, &why), 0);
	assert_int_equal(gw_dnsrec_name(long_name, 254, out, &why), -1);
	assert_non_null(strstr(why, "253"));
}

static void test_spec_and_line(void **state)
{
	char name[GW_DNSREC_NAME_MAX + 1];
	union inany_addr a, want = A("10.0.2.50");
	const char *why;

	assert_int_equal(gw_dnsrec_parse_spec("Db.Lab=10.0.2.50", name, &a, &why), 0);
	assert_string_equal(name, "db.lab");
	assert_true(inany_equals(&a, &want));
	assert_int_equal(gw_dnsrec_parse_spec("v6.lab=fec0::50", name, &a, &why), 0);
	assert_false(inany_is_v4(&a));
	assert_int_equal(gw_dnsrec_parse_spec("nolab", name, &a, &why), -1);
	assert_int_equal(gw_dnsrec_parse_spec("x=", name, &a, &why), -1);
	assert_int_equal(gw_dnsrec_parse_spec("=1.2.3.4", name, &a, &why), -1);
	assert_int_equal(gw_dnsrec_parse_spec("x=0.0.0.0", name, &a, &why), -1);
	assert_int_equal(gw_dnsrec_parse_spec("x=224.0.0.1", name, &a, &why), -1);
	assert_int_equal(gw_dnsrec_parse_spec("x=1.2.3.4.5", name, &a, &why), -1);

	assert_int_equal(gw_dnsrec_parse_line("  db.lab\t10.0.2.50  # db\n", name, &a, &why), 1);
	assert_string_equal(name, "db.lab");
	assert_true(inany_equals(&a, &want));
	assert_int_equal(gw_dnsrec_parse_line("\n", name, &a, &why), 0);
	assert_int_equal(gw_dnsrec_parse_line("   # only a comment\n", name, &a, &why), 0);
	assert_int_equal(gw_dnsrec_parse_line("", name, &a, &why), 0);
	assert_int_equal(gw_dnsrec_parse_line("db.lab\n", name, &a, &why), -1);
	assert_int_equal(gw_dnsrec_parse_line("db.lab 1.2.3.4 extra\n", name, &a, &why), -1);
	assert_int_equal(gw_dnsrec_parse_line("db.lab nonsense\n", name, &a, &why), -1);
}

static void test_answers(void **state)
{
	struct gw_dnsrec t;
	union inany_addr a4 = A("10.0.2.50"), b4 = A("10.0.2.51"), a6 = A("fec0::50");
	uint8_t out[1024];
	char err[128];
	size_t len;

	assert_int_equal(gw_dnsrec_init(&t, 8), 0);
	assert_int_equal(gw_dnsrec_add(&t, "db.lab", &a4, err, sizeof(err)), 0);
	assert_int_equal(gw_dnsrec_add(&t, "db.lab", &a4, err, sizeof(err)), 1); /* duplicate */
	assert_int_equal(gw_dnsrec_add(&t, "db.lab", &b4, err, sizeof(err)), 0);
	assert_int_equal(gw_dnsrec_add(&t, "v6only.lab", &a6, err, sizeof(err)), 0);
	assert_int_equal(t.n, 3);

	/* A, asked in mixed case with a trailing dot: two answers, AA, TTL. */
	len = ask(&t, "DB.Lab.", DNS_TYPE_A, out, sizeof(out));
	assert_true(len > 0);
	assert_true(rd16be(out + 2) & DNS_FLAG_QR);
	assert_true(rd16be(out + 2) & DNS_FLAG_AA);
	assert_true(rd16be(out + 2) & DNS_FLAG_RD);
	assert_int_equal(rd16be(out + 2) & 0xf, DNS_RCODE_NOERROR);
	assert_int_equal(rd16be(out), 0x1234);
	assert_int_equal(rd16be(out + 6), 2);
	{
		size_t rr = len - 2 * 16;

		assert_int_equal(rd16be(out + rr), 0xc000 | DNS_HDR_LEN);
		assert_int_equal(rd16be(out + rr + 2), DNS_TYPE_A);
		assert_int_equal(rd32be(out + rr + 6), GW_DNSREC_TTL);
		assert_int_equal(rd16be(out + rr + 10), 4);
	}
	/* NODATA both ways: the name is ours, the type has no records. */
	len = ask(&t, "db.lab", DNS_TYPE_AAAA, out, sizeof(out));
	assert_true(len > 0);
	assert_int_equal(rd16be(out + 6), 0);
	assert_int_equal(rd16be(out + 2) & 0xf, DNS_RCODE_NOERROR);
	assert_true(rd16be(out + 2) & DNS_FLAG_AA);
	len = ask(&t, "v6only.lab", DNS_TYPE_A, out, sizeof(out));
	assert_true(len > 0);
	assert_int_equal(rd16be(out + 6), 0);
	len = ask(&t, "v6only.lab", 15 /* MX */, out, sizeof(out));
	assert_true(len > 0);
	assert_int_equal(rd16be(out + 6), 0);
	/* AAAA and ANY. */
	len = ask(&t, "v6only.lab", DNS_TYPE_AAAA, out, sizeof(out));
	assert_int_equal(rd16be(out + 6), 1);
	assert_int_equal(rd16be(out + len - 18), 16); /* rdlength */
	assert_memory_equal(out + len - 16, &a6.a6, 16);
	len = ask(&t, "db.lab", DNS_TYPE_ANY, out, sizeof(out));
	assert_int_equal(rd16be(out + 6), 2);
	/* Not ours: forwarded (0), also a suffix or a parent of a name. */
	assert_int_equal(ask(&t, "other.lab", DNS_TYPE_A, out, sizeof(out)), 0);
	assert_int_equal(ask(&t, "lab", DNS_TYPE_A, out, sizeof(out)), 0);
	assert_int_equal(ask(&t, "x.db.lab", DNS_TYPE_A, out, sizeof(out)), 0);
	/* An answer that does not fit: what fits, TC set. */
	{
		uint8_t q[512];
		size_t qend = mk_query(q, "db.lab", DNS_TYPE_A);

		len = gw_dnsrec_answer(&t, q, qend, "db.lab", DNS_TYPE_A, out, qend + 16);
		assert_int_equal(len, qend + 16);
		assert_int_equal(rd16be(out + 6), 1);
		assert_true(rd16be(out + 2) & DNS_FLAG_TC);
		assert_int_equal(gw_dnsrec_answer(&t, q, qend, "db.lab", DNS_TYPE_A, out, 4), 0);
	}
	/* Remove one address, then all of a name. */
	assert_int_equal(gw_dnsrec_remove(&t, "db.lab", &b4), 1);
	len = ask(&t, "db.lab", DNS_TYPE_A, out, sizeof(out));
	assert_int_equal(rd16be(out + 6), 1);
	assert_int_equal(gw_dnsrec_remove(&t, "db.lab", &b4), 0);
	assert_int_equal(gw_dnsrec_remove(&t, "db.lab", NULL), 1);
	assert_int_equal(ask(&t, "db.lab", DNS_TYPE_A, out, sizeof(out)), 0);
	assert_int_equal(t.n, 1);
	gw_dnsrec_fini(&t);
}

static void test_limit(void **state)
{
	struct gw_dnsrec t;
	char name[32], err[128];
	union inany_addr a = A("10.0.2.9");
	uint8_t out[512];
	int i;

	assert_int_equal(gw_dnsrec_init(&t, 0), -1);
	assert_int_equal(gw_dnsrec_init(&t, GW_DNSREC_LIMIT + 1), -1);
	assert_int_equal(gw_dnsrec_init(&t, 40), 0);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "h%d.lab", i);
		assert_int_equal(gw_dnsrec_add(&t, name, &a, err, sizeof(err)), 0);
	}
	assert_int_equal(gw_dnsrec_add(&t, "one.more", &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "max-dns-records=40"));
	/* Freed slots are reused; every name is still found. */
	assert_int_equal(gw_dnsrec_remove(&t, "h7.lab", NULL), 1);
	assert_int_equal(gw_dnsrec_add(&t, "one.more", &a, err, sizeof(err)), 0);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "h%d.lab", i);
		assert_int_equal(ask(&t, name, DNS_TYPE_A, out, sizeof(out)) > 0, i != 7);
	}
	assert_true(ask(&t, "one.more", DNS_TYPE_A, out, sizeof(out)) > 0);
	gw_dnsrec_fini(&t);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_zone_file(void **state)
{
	char path[] = "/tmp/dnsrec-zone-XXXXXX", err[512], want[600], big[700];
	struct gw_dnsrec t;
	uint8_t out[512];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	write_file(path, "# lab zone\n\nweb.lab 10.0.2.60\nweb.lab fec0::60 # both\n"
		   "  Mixed.Case.  10.0.2.61\n");
	assert_int_equal(gw_dnsrec_load_zone(NULL, path, err, sizeof(err)), 3);
	assert_int_equal(gw_dnsrec_init(&t, 3), 0);
	assert_int_equal(gw_dnsrec_load_zone(&t, path, err, sizeof(err)), 3);
	assert_true(ask(&t, "mixed.case", DNS_TYPE_A, out, sizeof(out)) > 0);
	assert_int_equal(rd16be(out + 6), 1);
	ask(&t, "WEB.lab", DNS_TYPE_AAAA, out, sizeof(out));
	assert_int_equal(rd16be(out + 6), 1);
	gw_dnsrec_fini(&t);

	/* Too many for the table: the line that did not fit is named. */
	assert_int_equal(gw_dnsrec_init(&t, 2), 0);
	assert_int_equal(gw_dnsrec_load_zone(&t, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:5: ", path);
	assert_non_null(strstr(err, want));
	gw_dnsrec_fini(&t);

	write_file(path, "ok.lab 10.0.2.1\n\nbad line here\n");
	assert_int_equal(gw_dnsrec_load_zone(NULL, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: ", path);
	assert_non_null(strstr(err, want));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	write_file(path, big);
	assert_int_equal(gw_dnsrec_load_zone(NULL, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: line longer"));
	unlink(path);
	assert_int_equal(gw_dnsrec_load_zone(NULL, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
}

static int parse_opts(const char *opts, struct gw_config *c, char *err, size_t errlen)
{
	struct kvlist kv;
	char text[8192];
	int rc;

	snprintf(text, sizeof(text), "user,id=gw,%s", opts);
	assert_int_equal(kv_parse(&kv, "-netdev", text, "type", err, errlen), 0);
	kv_get(&kv, "id");
	kv_get(&kv, "type");
	rc = gw_config_parse(c, &kv, "/dev/null", err, errlen);
	if (!rc)
		assert_int_equal(kv_check_unused(&kv, NULL, err, errlen), 0);
	kv_free(&kv);
	return rc;
}

static void test_config_keys(void **state)
{
	struct gw_config *c = malloc(sizeof(*c));
	char err[KV_ERR_MAX], opts[8192], path[] = "/tmp/dnsrec-cfg-XXXXXX";
	int fd = mkstemp(path), i;
	size_t o;

	assert_non_null(c);
	assert_int_equal(parse_opts("dns-record=A.lab=10.0.2.5,dns-record=a.lab=fec0::5", c, err,
				    sizeof(err)), 0);
	assert_int_equal(c->n_dns_records, 2);
	assert_string_equal(c->dns_records[0].name, "a.lab");
	assert_int_equal(c->max_dns_records, GW_DNSREC_DEFAULT_MAX);
	assert_int_equal(parse_opts("dns-record=bad", c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'dns-record'"));
	assert_null(strchr(err, '\n'));
	assert_int_equal(parse_opts("max-dns-records=0", c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'max-dns-records'"));
	o = (size_t)snprintf(opts, sizeof(opts), "dns-record=h0=10.0.0.1");
	for (i = 1; i <= GW_DNSREC_ARGS_MAX; i++)
		o += (size_t)snprintf(opts + o, sizeof(opts) - o, ",dns-record=h%d=10.0.0.1", i);
	assert_int_equal(parse_opts(opts, c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than"));

	assert_true(fd >= 0);
	close(fd);
	write_file(path, "x.lab 10.0.2.7\ny.lab 10.0.2.8\n");
	snprintf(opts, sizeof(opts), "dns-zone=%s", path);
	assert_int_equal(parse_opts(opts, c, err, sizeof(err)), 0);
	assert_string_equal(c->dns_zone, path);
	snprintf(opts, sizeof(opts), "dns-zone=%s,max-dns-records=1", path);
	assert_int_equal(parse_opts(opts, c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "max-dns-records=1"));
	write_file(path, "x.lab\n");
	snprintf(opts, sizeof(opts), "dns-zone=%s", path);
	assert_int_equal(parse_opts(opts, c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'dns-zone'"));
	assert_non_null(strstr(err, ":1:"));
	unlink(path);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_spec_and_line),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_zone_file),
		cmocka_unit_test(test_config_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
