/* SPDX-License-Identifier: MIT
 *
 * test_tftp.c - the TFTP server: the path resolver against a real
 * directory (both the openat2 path and the O_NOFOLLOW walk), request
 * parsing and option negotiation, and the service in a gateway driven frame
 * by frame: OACK, windows, block-number rollover, bad ACKs, unknown TIDs,
 * retransmission and give-up, write requests, a full table; then the
 * same over IPv6 (from ipv6-host, blksize by the IPv6 payload room).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/frame.h"
#include "gateway/gateway.h"
#include "gateway/service.h"
#include "gateway/services/tftp_path.h"
#include "gateway/services/tftp_req.h"
#include "helpers/gw_harness.h"

static char dir[256], outside[300];

static void mkfile(const char *rel, size_t n)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		fputc((int)(i * 7 + i / 251) & 0xff, f);
	fclose(f);
}

static int setup_dir(void **state)
{
	char p[512];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/vw-tftp-unit.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/sub", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(outside, sizeof(outside), "%s.secret", dir);
	{
		FILE *f = fopen(outside, "w");

		assert_non_null(f);
		fputs("secret\n", f);
		fclose(f);
	}
	mkfile("a", 100);
	mkfile("sub/b", 1000);
	mkfile("big", 600000); /* 75000 blocks of 8: past 65535 */
	snprintf(p, sizeof(p), "%s/out-abs", dir);
	assert_int_equal(symlink(outside, p), 0);
	snprintf(p, sizeof(p), "%s/sub/out-rel", dir);
	assert_int_equal(symlink("../../", p), 0);
	snprintf(p, sizeof(p), "%s/sub/in", dir);
	assert_int_equal(symlink("../a", p), 0);
	snprintf(p, sizeof(p), "%s/subdirlink", dir);
	assert_int_equal(symlink("sub", p), 0);
	snprintf(p, sizeof(p), "%s/fifo", dir);
	assert_int_equal(mkfifo(p, 0644), 0);
	return 0;
}

static int teardown_dir(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", dir, outside);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* ---- the resolver -------------------------------------------------------- */

static int try_open(bool walk, const char *name, uint64_t *size, int *code)
{
	struct tftp_root r = { .no_openat2 = walk };
	int fd;

	r.dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(r.dirfd >= 0);
	fd = tftp_path_open(&r, name, size, code);
	close(r.dirfd);
	return fd;
}

static void expect_ok(bool walk, const char *name, uint64_t want)
{
	uint64_t size = 0;
	int code = -1, fd = try_open(walk, name, &size, &code);

	if (fd < 0)
		fail_msg("'%s' (walk %d): refused with %d", name, walk, code);
	assert_int_equal(size, want);
	close(fd);
}

static void expect_refused(bool walk, const char *name, int want)
{
	uint64_t size = 0;
	int code = -1, fd = try_open(walk, name, &size, &code);

	if (fd >= 0)
		fail_msg("'%s' (walk %d): opened", name, walk);
	if (code != want)
		fail_msg("'%s' (walk %d): code %d, want %d", name, walk, code, want);
}

static void resolver_common(bool walk)
{
	char big[TFTP_PATH_MAX + 8];

	expect_ok(walk, "a", 100);
	expect_ok(walk, "/a", 100);      /* QEMU: a leading / stays beneath DIR */
	expect_ok(walk, "//sub/b", 1000);
	expect_ok(walk, "sub/./b", 1000);
	expect_ok(walk, "sub//b", 1000);
	expect_refused(walk, "../a", TFTP_ERR_ACCESS);
	expect_refused(walk, "sub/../a", TFTP_ERR_ACCESS);
	expect_refused(walk, "sub/..", TFTP_ERR_ACCESS);
	expect_refused(walk, "..", TFTP_ERR_ACCESS);
	expect_refused(walk, "", TFTP_ERR_ACCESS);
	expect_refused(walk, "/", TFTP_ERR_ACCESS);
	expect_refused(walk, "sub/", TFTP_ERR_ACCESS);
	expect_refused(walk, "sub", TFTP_ERR_ACCESS);   /* a directory */
	expect_refused(walk, "fifo", TFTP_ERR_ACCESS);  /* opened without blocking */
	expect_refused(walk, "out-abs", TFTP_ERR_ACCESS);
	expect_refused(walk, "sub/out-rel/etc/passwd", TFTP_ERR_ACCESS);
	expect_refused(walk, "missing", TFTP_ERR_NOT_FOUND);
	expect_refused(walk, "/etc/passwd", TFTP_ERR_NOT_FOUND); /* DIR/etc/passwd */
	expect_refused(walk, "a/b", TFTP_ERR_NOT_FOUND); /* a is no directory */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_refused(walk, big, TFTP_ERR_NOT_FOUND);
	/* "..." and "..x" are names, not the parent */
	expect_refused(walk, "...", TFTP_ERR_NOT_FOUND);
	expect_refused(walk, "..x/a", TFTP_ERR_NOT_FOUND);
}

static void test_resolver_openat2(void **state)
{
	struct tftp_root r;
	uint64_t size;
	int code, fd;

	(void)state;
	resolver_common(false);
	/* RESOLVE_BENEATH follows a symlink that stays inside. */
	r.dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	r.no_openat2 = false;
	fd = tftp_path_open(&r, "sub/in", &size, &code);
	if (r.no_openat2) {
		/* A kernel without openat2: the walk answered, and refuses. */
		assert_true(fd < 0);
		assert_int_equal(code, TFTP_ERR_ACCESS);
	} else {
		assert_true(fd >= 0);
		assert_int_equal(size, 100);
		close(fd);
		expect_ok(false, "subdirlink/b", 1000);
	}
	close(r.dirfd);
}

static void test_resolver_walk(void **state)
{
	(void)state;
	resolver_common(true);
	/* The walk refuses every symlink, inside ones too. */
	expect_refused(true, "sub/in", TFTP_ERR_ACCESS);
	expect_refused(true, "subdirlink/b", TFTP_ERR_ACCESS);
}

/* ---- request parsing and negotiation ------------------------------------ */

#define REQ(s) (const uint8_t *)(s), sizeof(s) - 1

static void test_req_parse(void **state)
{
	struct tftp_req r;
	struct tftp_params par;
	uint8_t oack[TFTP_OACK_MAX], many[1500];
	size_t n, off;

	(void)state;
	assert_int_equal(tftp_req_parse(REQ("\0\1file\0octet\0"), &r), TFTP_REQ_OK);
	assert_int_equal(r.opcode, TFTP_RRQ);
	assert_string_equal(r.name, "file");
	assert_int_equal(r.n_options, 0);
	assert_int_equal(tftp_negotiate(&r, 1468, 8, 1, 5, &par, oack), 0);
	assert_int_equal(par.blksize, 512);
	assert_int_equal(par.windowsize, 1);
	assert_int_equal(par.timeout_s, 1);

	assert_int_equal(tftp_req_parse(REQ("\0\2f\0OCTET\0"), &r), TFTP_REQ_OK);
	assert_int_equal(r.opcode, TFTP_WRQ);
	assert_int_equal(tftp_req_parse(REQ("\0\1f\0netascii\0"), &r), TFTP_REQ_BAD_MODE);
	assert_int_equal(tftp_req_parse(REQ("\0\1f\0octet"), &r), TFTP_REQ_NO_NUL);
	assert_int_equal(tftp_req_parse(REQ("\0\1file"), &r), TFTP_REQ_NO_NUL);
	assert_int_equal(tftp_req_parse(REQ("\0\1"), &r), TFTP_REQ_SHORT);
	assert_int_equal(tftp_req_parse(REQ("\0\3f\0octet\0"), &r), TFTP_REQ_BAD_OPCODE);
	assert_int_equal(tftp_req_parse(REQ("\0\0f\0octet\0"), &r), TFTP_REQ_BAD_OPCODE);

	/* Options: case-insensitive, bad values ignored, a trailing
	 * incomplete pair ignored, clamps in the OACK. */
	assert_int_equal(tftp_req_parse(REQ("\0\1f\0octet\0BLKSIZE\0" "9000\0tsize\0" "0\0"
					    "timeout\0" "3\0windowsize\0" "64\0x\0y\0dangling\0"),
					&r), TFTP_REQ_OK);
	assert_int_equal(r.n_options, 5);
	n = tftp_negotiate(&r, 1468, 8, 1, 12345, &par, oack);
	assert_int_equal(par.blksize, 1468);
	assert_int_equal(par.windowsize, 8);
	assert_int_equal(par.timeout_s, 3);
	{
		static const char want[] = "\0\6blksize\0" "1468\0timeout\0" "3\0tsize\0"
					   "12345\0windowsize\0" "8\0";

		assert_int_equal(n, sizeof(want) - 1);
		assert_memory_equal(oack, want, n);
	}
	/* tsize of an empty file is left out (curl refuses "0"). */
	assert_int_equal(tftp_req_parse(REQ("\0\1f\0octet\0tsize\0" "0\0"), &r), TFTP_REQ_OK);
	assert_int_equal(tftp_negotiate(&r, 1468, 8, 1, 0, &par, oack), 0);
	/* Out of range or not a number: ignored, no OACK. */
	assert_int_equal(tftp_req_parse(REQ("\0\1f\0octet\0blksize\0" "7\0timeout\0" "0\0"
					    "windowsize\0" "0\0blksize\0" "-5\0timeout\0" "256\0"
					    "blksize\0" "99999999999999999999999\0blksize\0\0"),
					&r), TFTP_REQ_OK);
	assert_int_equal(tftp_negotiate(&r, 1468, 8, 1, 10, &par, oack), 0);
	assert_int_equal(par.blksize, 512);

	/* Too many options refuse the request. */
	memcpy(many, "\0\1f\0octet\0", 10);
	for (off = 10; off + 4 <= sizeof(many);) {
		memcpy(many + off, "a\0b\0", 4);
		off += 4;
	}
	assert_int_equal(tftp_req_parse(many, off, &r), TFTP_REQ_TOO_MANY_OPTIONS);

	/* A name of TFTP_PATH_MAX + 1 bytes. */
	memset(many, 'n', sizeof(many));
	many[0] = 0;
	many[1] = 1;
	many[2 + TFTP_PATH_MAX + 1] = 0;
	memcpy(many + 2 + TFTP_PATH_MAX + 2, "octet", 6);
	assert_int_equal(tftp_req_parse(many, 2 + TFTP_PATH_MAX + 8, &r),
			 TFTP_REQ_NAME_TOO_LONG);

	n = tftp_error_build(oack, sizeof(oack), 2, "access violation");
	assert_int_equal(n, 4 + 17);
	assert_memory_equal(oack, "\0\5\0\2access violation\0", n);
}

/* ---- the service in a gateway ------------------------------------------- */

#define CPORT 3000

static void tx(uint16_t sport, uint16_t dport, const void *data, size_t len)
{
	static uint8_t f[2048];

	gwh_eth(f, GWMAC, VM1, 0x0800);
	gwh_ipv4(f + 14, GWH_GUEST, GWH_HOST, 17, 0, 0, 8 + len);
	memcpy(f + 42, data, len);
	gwh_udp(f + 34, GWH_GUEST, sport, GWH_HOST, dport, len);
	gwh_send(f, 42 + len);
}

static void ack(uint16_t tid, uint16_t block)
{
	uint8_t a[4] = { 0, 4, (uint8_t)(block >> 8), (uint8_t)block };

	tx(CPORT, tid, a, 4);
}

/* The last captured TFTP reply: payload, its length, the server's port. */
static const uint8_t *last_reply_to(uint16_t cport, size_t *len, uint16_t *tid)
{
	const uint8_t *f;

	assert_true(gwh.ncap > 0);
	f = gwh.cap[gwh.ncap - 1];
	*tid = rd16be(f + 34);
	return gwh_check_udp(gwh.ncap - 1, VM1, GWH_HOST, *tid, GWH_GUEST, cport, len);
}

static const uint8_t *last_reply(size_t *len, uint16_t *tid)
{
	return last_reply_to(CPORT, len, tid);
}

struct cnt_find {
	const char *name;
	uint64_t v;
	bool found;
};

static void cnt_cb(void *ctx, const char *name, uint64_t value)
{
	struct cnt_find *c = ctx;

	if (!strcmp(name, c->name)) {
		c->v = value;
		c->found = true;
	}
}

static uint64_t cnt(const char *name)
{
	struct cnt_find c = { .name = name };

	gw_services_counters(gateway_services(gwh.gw), cnt_cb, &c);
	assert_true(c.found);
	return c.v;
}

static void start_gw(const char *extra)
{
	char opts[600];

	snprintf(opts, sizeof(opts), "tftp=%s%s", dir, extra);
	gwh_start(opts, false);
}

static void test_svc_plain_and_rollover(void **state)
{
	const uint8_t *p;
	size_t len;
	uint16_t tid, tid0;
	unsigned k;

	(void)state;
	start_gw("");
	/* RFC 1350, no options: DATA 1 of the 100-byte file, then done. */
	tx(CPORT, 69, REQ("\0\1a\0octet\0"));
	p = last_reply(&len, &tid);
	assert_int_equal(len, 4 + 100);
	assert_int_equal(rd16be(p), TFTP_DATA);
	assert_int_equal(rd16be(p + 2), 1);
	assert_true(tid >= 49152);
	ack(tid, 1);
	assert_int_equal(cnt("tftp_completed"), 1);
	/* the TID is gone with the transfer: NAT's, not ours */
	gwh.ncap = 0;

	/* blksize 8: 600000 bytes are 75000 blocks, then an empty one; the
	 * wire number wraps 65535 -> 0. */
	tx(CPORT, 69, REQ("\0\1big\0octet\0blksize\0" "8\0"));
	p = last_reply(&len, &tid0);
	assert_int_equal(rd16be(p), TFTP_OACK);
	assert_memory_equal(p + 2, "blksize\0" "8\0", 10);
	for (k = 0; k <= 75000; k++) {
		gwh.ncap = 0;
		ack(tid0, (uint16_t)k);
		p = last_reply(&len, &tid);
		assert_int_equal(tid, tid0);
		assert_int_equal(rd16be(p), TFTP_DATA);
		assert_int_equal(rd16be(p + 2), (uint16_t)(k + 1));
		assert_int_equal(len, k + 1 <= 75000 ? 12 : 4);
		if (k + 1 == 65536)
			assert_int_equal(rd16be(p + 2), 0);
		if (k + 1 <= 75000) {
			uint64_t off = (uint64_t)k * 8;

			assert_int_equal(p[4], (uint8_t)((off * 7 + off / 251) & 0xff));
		}
	}
	gwh.ncap = 0;
	ack(tid0, (uint16_t)75001);
	assert_int_equal(gwh.ncap, 0);
	assert_int_equal(cnt("tftp_completed"), 2);
	assert_int_equal(cnt("tftp_bad_acks"), 0);
}

static void test_svc_window_acks_tids(void **state)
{
	const uint8_t *p;
	size_t len;
	uint16_t tid, t2;
	uint8_t junk[2] = { 0, 4 };

	(void)state;
	start_gw("");
	/* windowsize 4 at blksize 100: sub/b (1000 B) is blocks 1..11. */
	tx(CPORT, 69, REQ("\0\1sub/b\0octet\0blksize\0" "100\0windowsize\0" "4\0"));
	p = last_reply(&len, &tid);
	assert_int_equal(rd16be(p), TFTP_OACK);
	gwh.ncap = 0;
	ack(tid, 5); /* before the OACK is acknowledged: not sent */
	assert_int_equal(gwh.ncap, 0);
	assert_int_equal(cnt("tftp_bad_acks"), 1);
	ack(tid, 0);
	assert_int_equal(gwh.ncap, 4);
	for (unsigned i = 0; i < 4; i++) {
		p = gwh_check_udp(i, VM1, GWH_HOST, tid, GWH_GUEST, CPORT, &len);
		assert_int_equal(rd16be(p + 2), i + 1);
		assert_int_equal(len, 104);
	}
	/* The client lost block 3: it acknowledges 2, the window restarts at 3. */
	gwh.ncap = 0;
	ack(tid, 2);
	assert_int_equal(gwh.ncap, 4);
	p = gwh_check_udp(0, VM1, GWH_HOST, tid, GWH_GUEST, CPORT, &len);
	assert_int_equal(rd16be(p + 2), 3);
	/* An ACK of a block never sent (7..) is counted and ignored. */
	gwh.ncap = 0;
	ack(tid, 9);
	assert_int_equal(gwh.ncap, 0);
	assert_int_equal(cnt("tftp_bad_acks"), 2);
	/* A packet too short for its header, and an unknown opcode. */
	tx(CPORT, tid, junk, 2);
	tx(CPORT, tid, "\0\7xx", 4);
	assert_int_equal(cnt("tftp_bad_packets"), 2);
	assert_int_equal(gwh.ncap, 0);
	/* From another port: error 5 to it, the transfer goes on. */
	tx(CPORT + 1, tid, "\0\4\0\6", 4);
	assert_int_equal(gwh.ncap, 1);
	p = gwh_check_udp(0, VM1, GWH_HOST, tid, GWH_GUEST, CPORT + 1, &len);
	assert_int_equal(rd16be(p), TFTP_ERROR);
	assert_int_equal(rd16be(p + 2), TFTP_ERR_UNKNOWN_TID);
	assert_int_equal(cnt("tftp_unknown_tid"), 1);
	gwh.ncap = 0;
	ack(tid, 6);
	assert_int_equal(gwh.ncap, 4); /* 7..10 */
	gwh.ncap = 0;
	ack(tid, 10);
	assert_int_equal(gwh.ncap, 1); /* 11: the last, 0 bytes */
	p = last_reply(&len, &t2);
	assert_int_equal(rd16be(p + 2), 11);
	assert_int_equal(len, 4);
	ack(tid, 11);
	assert_int_equal(cnt("tftp_completed"), 1);
}

static void test_svc_refusals_and_timeouts(void **state)
{
	const uint8_t *p;
	size_t len;
	uint16_t tid;
	uint64_t now;
	unsigned i;

	(void)state;
	start_gw(",max-tftp-transfers=2");
	tx(CPORT, 69, REQ("\0\2up\0octet\0"));
	p = last_reply(&len, &tid);
	assert_int_equal(rd16be(p), TFTP_ERROR);
	assert_int_equal(rd16be(p + 2), TFTP_ERR_ACCESS);
	assert_int_equal(cnt("tftp_wrq_refused"), 1);
	tx(CPORT, 69, REQ("\0\1../a\0octet\0"));
	p = last_reply(&len, &tid);
	assert_int_equal(rd16be(p + 2), TFTP_ERR_ACCESS);
	tx(CPORT, 69, REQ("\0\1nope\0octet\0"));
	p = last_reply(&len, &tid);
	assert_int_equal(rd16be(p + 2), TFTP_ERR_NOT_FOUND);
	tx(CPORT, 69, REQ("\0\1a\0netascii\0"));
	p = last_reply(&len, &tid);
	assert_int_equal(rd16be(p + 2), TFTP_ERR_ILLEGAL_OP);
	/* Without its NUL: dropped, counted, no answer. */
	gwh.ncap = 0;
	tx(CPORT, 69, REQ("\0\1a"));
	assert_int_equal(gwh.ncap, 0);
	assert_int_equal(cnt("tftp_bad_packets"), 2);

	/* Two transfers fill the table; a third is refused. */
	tx(CPORT, 69, REQ("\0\1a\0octet\0"));
	tx(CPORT + 1, 69, REQ("\0\1a\0octet\0"));
	gwh.ncap = 0;
	tx(CPORT + 2, 69, REQ("\0\1a\0octet\0"));
	assert_int_equal(gwh.ncap, 1);
	p = gwh_check_udp(0, VM1, GWH_HOST, rd16be(gwh.cap[0] + 34), GWH_GUEST, CPORT + 2, &len);
	assert_int_equal(rd16be(p), TFTP_ERROR);
	assert_int_equal(cnt("tftp_full"), 1);
	/* A repeated request from the same client port restarts its transfer
	 * in place rather than taking a second slot. */
	gwh.ncap = 0;
	tx(CPORT, 69, REQ("\0\1a\0octet\0"));
	p = last_reply(&len, &tid);
	assert_int_equal(rd16be(p), TFTP_DATA);
	assert_int_equal(cnt("tftp_full"), 1);

	/* Nothing acknowledged: resent each timeout, dropped after the tries. */
	now = ev_loop_now(NULL);
	for (i = 1; i <= 5; i++) {
		gwh.ncap = 0;
		assert_true(gw_services_sweep(gateway_services(gwh.gw), now + i * 1100));
		gateway_flush(gwh.gw);
		assert_int_equal(gwh.ncap, 2); /* both transfers' DATA 1 */
	}
	assert_int_equal(cnt("tftp_retransmits"), 10);
	gwh.ncap = 0;
	assert_false(gw_services_sweep(gateway_services(gwh.gw), now + 6 * 1100 + 1000));
	assert_int_equal(cnt("tftp_timeouts"), 2);
	/* The slots are free again. */
	tx(CPORT + 2, 69, REQ("\0\1a\0octet\0"));
	p = last_reply_to(CPORT + 2, &len, &tid);
	assert_int_equal(rd16be(p), TFTP_DATA);
	/* The client's ERROR ends its transfer. */
	tx(CPORT + 2, tid, "\0\5\0\0bye\0", 8);
	assert_int_equal(cnt("tftp_client_errors"), 1);
	assert_false(gw_services_sweep(gateway_services(gwh.gw), now + 100000));
}

/* Five transfers resending windows of 8 at one sweep want 40 slots of the
 * 32-slot reply ring: the window cut short goes on at the next sweep once
 * the ring drained, not a timeout later. */
static void test_svc_ring_full(void **state)
{
	uint16_t tids[5];
	uint64_t now;
	unsigned i, n, per[5] = { 0 };
	size_t len;

	(void)state;
	start_gw("");
	for (i = 0; i < 5; i++) {
		gwh.ncap = 0;
		tx((uint16_t)(CPORT + i), 69,
		   REQ("\0\1sub/b\0octet\0blksize\0" "100\0windowsize\0" "8\0"));
		tids[i] = rd16be(gwh.cap[0] + 34);
	}
	for (i = 0; i < 5; i++) {
		uint8_t a[4] = { 0, 4, 0, 0 };

		tx((uint16_t)(CPORT + i), tids[i], a, 4);
	}
	gwh.ncap = 0;
	now = ev_loop_now(NULL) + 1100;
	gw_services_sweep(gateway_services(gwh.gw), now); /* all five resend */
	gateway_flush(gwh.gw);
	n = gwh.ncap;
	assert_true(n >= 30 && n <= 32);
	gw_services_sweep(gateway_services(gwh.gw), now + 250); /* before any deadline */
	gateway_flush(gwh.gw);
	assert_int_equal(gwh.ncap, 40);
	for (i = 0; i < gwh.ncap; i++) {
		const uint8_t *f = gwh.cap[i];
		uint16_t cport = rd16be(f + 36);

		assert_true(cport >= CPORT && cport < CPORT + 5);
		gwh_check_udp(i, VM1, GWH_HOST, tids[cport - CPORT], GWH_GUEST, cport, &len);
		per[cport - CPORT]++;
	}
	for (i = 0; i < 5; i++)
		assert_int_equal(per[i], 8);
	assert_int_equal(cnt("tftp_retransmits"), 5);
}

/* ---- the same service over IPv6 ------------------------------------------ */

#define GUEST6 "fec0::5054:ff:fe12:3456"
#define HOST6 "fec0::2"

static struct in6_addr A6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/* A guest datagram from GUEST6:sport to dst:dport (VM1's MAC). */
static void tx6_to(const char *dst, uint16_t sport, uint16_t dport, const void *data, size_t len)
{
	static uint8_t f[2048];
	struct in6_addr s = A6(GUEST6), d = A6(dst);

	memcpy(f + 62, data, len);
	gwh_send(f, ref_udp6_frame(f, GWMAC, VM1, s.s6_addr, sport, d.s6_addr, dport, len));
}

static void tx6(uint16_t sport, uint16_t dport, const void *data, size_t len)
{
	tx6_to(HOST6, sport, dport, data, len);
}

/* Captured frame i: IPv6/UDP from ipv6-host to GUEST6:cport at VM1, all
 * lengths and the checksum right; its payload, length and source port. */
static const uint8_t *cap6(unsigned i, uint16_t cport, size_t *len, uint16_t *tid)
{
	const uint8_t *c = gwh.cap[i], *ip = c + 14, *u = ip + 40;
	struct in6_addr s = A6(HOST6), d = A6(GUEST6);

	assert_true(i < gwh.ncap);
	assert_memory_equal(c, VM1, 6);
	assert_memory_equal(c + 6, GWMAC, 6);
	assert_int_equal(rd16be(c + 12), 0x86dd);
	assert_int_equal(ip[0] >> 4, 6);
	assert_int_equal(ip[6], 17);
	assert_int_equal(rd16be(ip + 4), gwh.cap_len[i] - 54);
	assert_memory_equal(ip + 8, &s, 16);
	assert_memory_equal(ip + 24, &d, 16);
	assert_int_equal(rd16be(u + 4), rd16be(ip + 4));
	assert_int_equal(rd16be(u + 2), cport);
	assert_int_equal(ref_udp6(ip, u, rd16be(u + 4)), 0);
	*tid = rd16be(u);
	*len = rd16be(u + 4) - 8;
	return u + 8;
}

static const uint8_t *last6(size_t *len, uint16_t *tid)
{
	assert_true(gwh.ncap > 0);
	return cap6(gwh.ncap - 1, CPORT, len, tid);
}

/* RFC 1350 over IPv6 from ipv6-host, blksize capped by the IPv6 payload
 * room (1448 at mtu 1500, 20 less than IPv4's), the same resolver's
 * refusals, the same TID rules across families, the transfer in info. */
static void test_svc_ipv6(void **state)
{
	const uint8_t *p;
	size_t len;
	uint16_t tid, tid2;
	char *info = NULL;
	size_t info_len = 0;
	FILE *out;

	(void)state;
	start_gw(",ipv6=on");
	tx6(CPORT, 69, REQ("\0\1a\0octet\0"));
	p = last6(&len, &tid);
	assert_int_equal(len, 4 + 100);
	assert_int_equal(rd16be(p), TFTP_DATA);
	assert_int_equal(rd16be(p + 2), 1);
	assert_true(tid >= 49152);
	assert_int_equal(p[4 + 99], (uint8_t)((99 * 7) & 0xff));
	gwh.ncap = 0;
	tx6(CPORT, tid, "\0\4\0\1", 4);
	assert_int_equal(gwh.ncap, 0);
	assert_int_equal(cnt("tftp_completed"), 1);

	/* The largest block a 1500-byte IPv6 packet carries: 1500 - 40 - 8 - 4. */
	tx6(CPORT, 69, REQ("\0\1big\0octet\0blksize\0" "1468\0tsize\0" "0\0"));
	p = last6(&len, &tid);
	assert_int_equal(rd16be(p), TFTP_OACK);
	assert_memory_equal(p + 2, "blksize\0" "1448\0tsize\0" "600000\0", 26);
	gwh.ncap = 0;
	tx6(CPORT, tid, "\0\4\0\0", 4);
	p = last6(&len, &tid2);
	assert_int_equal(tid2, tid);
	assert_int_equal(len, 4 + 1448);
	assert_int_equal(gwh.cap_len[gwh.ncap - 1], 14 + 1500);
	/* An IPv4 client at the IPv6 transfer's TID is a stranger (error 5);
	 * the transfer goes on. */
	gwh.ncap = 0;
	tx(CPORT, tid, "\0\4\0\1", 4);
	assert_int_equal(gwh.ncap, 1);
	p = gwh_check_udp(0, VM1, GWH_HOST, tid, GWH_GUEST, CPORT, &len);
	assert_int_equal(rd16be(p + 2), TFTP_ERR_UNKNOWN_TID);
	out = open_memstream(&info, &info_len);
	assert_non_null(out);
	gw_services_info(gateway_services(gwh.gw), ev_loop_now(NULL), out);
	fclose(out);
	assert_non_null(strstr(info, "TFTP transfers: 1 of 20"));
	assert_non_null(strstr(info, "[" GUEST6 "]:3000"));
	free(info);
	gwh.ncap = 0;
	tx6(CPORT, tid, "\0\4\0\1", 4);
	p = last6(&len, &tid2);
	assert_int_equal(rd16be(p + 2), 2);
	tx6(CPORT, tid, "\0\5\0\0bye\0", 8);
	assert_int_equal(cnt("tftp_client_errors"), 1);

	/* Refusals are the resolver's, whatever the family. */
	tx6(CPORT, 69, REQ("\0\1../a\0octet\0"));
	p = last6(&len, &tid);
	assert_int_equal(rd16be(p), TFTP_ERROR);
	assert_int_equal(rd16be(p + 2), TFTP_ERR_ACCESS);
	tx6(CPORT, 69, REQ("\0\1out-abs\0octet\0"));
	p = last6(&len, &tid);
	assert_int_equal(rd16be(p + 2), TFTP_ERR_ACCESS);
	tx6(CPORT, 69, REQ("\0\2up\0octet\0"));
	p = last6(&len, &tid);
	assert_int_equal(rd16be(p + 2), TFTP_ERR_ACCESS);
	assert_int_equal(cnt("tftp_wrq_refused"), 1);
	/* Port 69 of ipv6-dns is not the server's. */
	gwh.ncap = 0;
	tx6_to("fec0::3", CPORT, 69, REQ("\0\1a\0octet\0"));
	assert_int_equal(cnt("tftp_rrq"), 4);
}

/* ipv6=off: nothing of IPv6 reaches the server. */
static void test_svc_ipv6_off(void **state)
{
	(void)state;
	start_gw(",ipv6=off");
	tx6(CPORT, 69, REQ("\0\1a\0octet\0"));
	assert_int_equal(gwh.ncap, 0);
	assert_int_equal(cnt("tftp_rrq"), 0);
}

/* Without tftp= the port stays NAT's (port unreachable, test_gw_udp.c) and
 * the service shows nothing. */
static void test_svc_off(void **state)
{
	struct cnt_find c = { .name = "tftp_rrq" };

	(void)state;
	gwh_start("", false);
	gw_services_counters(gateway_services(gwh.gw), cnt_cb, &c);
	assert_false(c.found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolver_openat2),
		cmocka_unit_test(test_resolver_walk),
		cmocka_unit_test(test_req_parse),
		cmocka_unit_test_teardown(test_svc_plain_and_rollover, gwh_teardown),
		cmocka_unit_test_teardown(test_svc_window_acks_tids, gwh_teardown),
		cmocka_unit_test_teardown(test_svc_refusals_and_timeouts, gwh_teardown),
		cmocka_unit_test_teardown(test_svc_ring_full, gwh_teardown),
		cmocka_unit_test_teardown(test_svc_ipv6, gwh_teardown),
		cmocka_unit_test_teardown(test_svc_ipv6_off, gwh_teardown),
		cmocka_unit_test_teardown(test_svc_off, gwh_teardown),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
