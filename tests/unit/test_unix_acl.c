/* SPDX-License-Identifier: MIT
 *
 * test_unix_acl.c - ports/unix_acl.c: mode=/owner=/group= parsed (names
 * and numbers), bad values refused naming the key on one line, keys a
 * netdev does not take left alone, unix_acl_refuse; unix_bind_acl's file
 * gets the mode, no private name stays, and a failure leaves nothing;
 * unix_bind_acl_inplace's datagram socket keeps its path as its name.
 * The netdev types' use and real users are in tests/integration/socket_acl.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/keyval.h"
#include "ports/unix_acl.h"

static char err[KV_ERR_MAX];

static int parse(const char *text, unsigned keys, struct unix_acl *acl, struct kvlist *kv)
{
	assert_int_equal(kv_parse(kv, "-netdev", text, "type", err, sizeof(err)), 0);
	kv_get(kv, "type");
	return unix_acl_parse(kv, keys, acl, err, sizeof(err));
}

static void bad(const char *text, const char *key)
{
	struct kvlist kv;
	struct unix_acl acl;
	char want[32];

	if (parse(text, UNIX_ACL_ALL, &acl, &kv) == 0)
		fail_msg("'%s' was accepted", text);
	snprintf(want, sizeof(want), "'%s'", key);
	if (!strstr(err, want))
		fail_msg("error for '%s' lacks %s: %s", text, want, err);
	assert_null(strchr(err, '\n'));
	kv_free(&kv);
}

static void test_parse_good(void **state)
{
	struct kvlist kv;
	struct unix_acl acl;

	assert_int_equal(parse("stream,mode=0660,owner=0,group=0", UNIX_ACL_ALL, &acl, &kv), 0);
	assert_true(acl.has_mode && acl.has_owner && acl.has_group);
	assert_int_equal(acl.mode, 0660);
	assert_int_equal(acl.uid, 0);
	assert_int_equal(acl.gid, 0);
	assert_int_equal(kv_check_unused(&kv, "stream", err, sizeof(err)), 0);
	kv_free(&kv);

	assert_int_equal(parse("stream,owner=root,group=root,mode=7", UNIX_ACL_ALL, &acl, &kv), 0);
	assert_int_equal(acl.mode, 07);
	assert_int_equal(acl.uid, 0);
	assert_int_equal(acl.gid, 0);
	kv_free(&kv);

	assert_int_equal(parse("stream,owner=4242,group=4343", UNIX_ACL_ALL, &acl, &kv), 0);
	assert_false(acl.has_mode);
	assert_int_equal(acl.uid, 4242);
	assert_int_equal(acl.gid, 4343);
	assert_true(unix_acl_any(&acl));
	kv_free(&kv);

	assert_int_equal(parse("stream", UNIX_ACL_ALL, &acl, &kv), 0);
	assert_false(unix_acl_any(&acl));
	kv_free(&kv);
}

static void test_parse_bad(void **state)
{
	bad("s,mode=", "mode");
	bad("s,mode=1000", "mode");
	bad("s,mode=0800", "mode");
	bad("s,mode=-1", "mode");
	bad("s,mode= 7", "mode");
	bad("s,mode=+7", "mode");
	bad("s,owner=", "owner");
	bad("s,owner=no-such-user-vw", "owner");
	bad("s,owner=4294967295", "owner");
	bad("s,owner=99999999999999999999", "owner");
	bad("s,owner=12x", "owner");
	bad("s,group=", "group");
	bad("s,group=no-such-group-vw", "group");
	bad("s,group=-5", "group");
}

/* A netdev without owner= (vde) leaves it for kv_check_unused to refuse. */
static void test_parse_subset(void **state)
{
	struct kvlist kv;
	struct unix_acl acl;

	assert_int_equal(parse("vde,mode=0640,owner=0", UNIX_ACL_MODE | UNIX_ACL_GROUP, &acl,
			       &kv), 0);
	assert_true(acl.has_mode);
	assert_false(acl.has_owner);
	assert_int_not_equal(kv_check_unused(&kv, "vde", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "owner"));
	kv_free(&kv);
}

static void test_refuse(void **state)
{
	struct kvlist kv;

	assert_int_equal(kv_parse(&kv, "-netdev", "stream,x=1", "type", err, sizeof(err)), 0);
	assert_int_equal(unix_acl_refuse(&kv, "with server=on", err, sizeof(err)), 0);
	kv_free(&kv);
	assert_int_equal(kv_parse(&kv, "-netdev", "stream,group=0", "type", err, sizeof(err)), 0);
	assert_int_equal(unix_acl_refuse(&kv, "with server=on", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'group' is only valid with server=on"));
	assert_null(strchr(err, '\n'));
	kv_free(&kv);
}

static unsigned entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.' || strncmp(e->d_name, ".vw-acl-", 8) == 0;
	closedir(d);
	return n;
}

static void test_bind(void **state)
{
	char dir[] = "/tmp/vw-unix-acl-XXXXXX";
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct unix_acl acl = { .has_mode = true, .mode = 0604 };
	struct stat st;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/s", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(unix_bind_acl(fd, &sun, sizeof(sun), &acl), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(lstat(sun.sun_path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0604);
	assert_int_equal(entries(dir), 1); /* no private name left */
	close(fd);

	/* the name is taken by a directory: rename fails, nothing stays behind */
	unlink(sun.sun_path);
	assert_int_equal(mkdir(sun.sun_path, 0700), 0);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(unix_bind_acl(fd, &sun, sizeof(sun), &acl), -1);
	assert_int_equal(entries(dir), 1);
	close(fd);
	rmdir(sun.sun_path);

	/* abstract: no file to set */
	memset(sun.sun_path, 0, sizeof(sun.sun_path));
	memcpy(sun.sun_path + 1, "vw-acl", 6);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	errno = 0;
	assert_int_equal(unix_bind_acl(fd, &sun, sizeof(sun), &acl), -1);
	assert_int_equal(errno, EINVAL);
	close(fd);
	assert_int_equal(rmdir(dir), 0);
}

static void test_bind_inplace(void **state)
{
	char dir[] = "/tmp/vw-unix-acl-XXXXXX";
	struct sockaddr_un sun = { .sun_family = AF_UNIX }, self;
	socklen_t sl = sizeof(self);
	struct unix_acl acl = { .has_mode = true, .mode = 0620, .has_group = true, .gid = getgid() };
	struct stat st;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/d", dir);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_int_equal(unix_bind_acl_inplace(fd, &sun, sizeof(sun), &acl), 0);
	assert_int_equal(lstat(sun.sun_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0620);
	/* peers reply to this name: it is the path itself */
	assert_int_equal(getsockname(fd, (struct sockaddr *)&self, &sl), 0);
	assert_string_equal(self.sun_path, sun.sun_path);
	assert_int_equal(entries(dir), 1);
	close(fd);
	unlink(sun.sun_path);

	acl.has_group = false; /* mode= alone: the umask gives it */
	acl.mode = 0640;
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_int_equal(unix_bind_acl_inplace(fd, &sun, sizeof(sun), &acl), 0);
	assert_int_equal(lstat(sun.sun_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	close(fd);
	unlink(sun.sun_path);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_subset),
		cmocka_unit_test(test_refuse),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_bind_inplace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
