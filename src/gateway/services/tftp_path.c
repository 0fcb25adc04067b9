/* SPDX-License-Identifier: MIT
 *
 * tftp_path.c - see tftp_path.h.
 */
#include "gateway/services/tftp_path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define OPEN_FLAGS (O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

/* What an errno of a refused open answers: gone is "not found", anything
 * that smells of an escape (EXDEV from RESOLVE_BENEATH, ELOOP from a
 * symlink, a permission) is "access violation". */
static int code_of(int err)
{
	return err == ENOENT || err == ENOTDIR || err == ENAMETOOLONG ? TFTP_ERR_NOT_FOUND
								       : TFTP_ERR_ACCESS;
}

/* Is any slash-separated component of s ".."? */
static bool has_dotdot(const char *s)
{
	const char *c = s;

	for (;;) {
		const char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);

		if (n == 2 && c[0] == '.' && c[1] == '.')
			return true;
		if (!e)
			return false;
		c = e + 1;
	}
}

static int open_openat2(int dirfd, const char *rel)
{
	struct open_how how = {
		.flags = OPEN_FLAGS,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
}

/* O_NOFOLLOW with O_DIRECTORY fails ENOTDIR on a symlink, which would read
 * as "not found": a symlink on the way is an escape attempt, ELOOP. */
static int walk_errno(int at, const char *c, int err)
{
	struct stat st;

	if (err == ENOTDIR && !fstatat(at, c, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode))
		return ELOOP;
	return err;
}

/* The fallback walk: every directory on the way O_PATH|O_NOFOLLOW from the
 * last, the file itself O_NOFOLLOW. rel has no ".." and no leading '/'. */
static int open_walk(int dirfd, const char *rel)
{
	char buf[TFTP_PATH_MAX + 1];
	char *c = buf, *e;
	int cur = dirfd, fd, err;

	snprintf(buf, sizeof(buf), "%s", rel);
	while ((e = strchr(c, '/'))) {
		*e = '\0';
		if (*c && strcmp(c, ".")) {
			fd = openat(cur, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			err = fd < 0 ? walk_errno(cur, c, errno) : 0;
			if (cur != dirfd)
				close(cur);
			if (fd < 0) {
				errno = err;
				return -1;
			}
			cur = fd;
		}
		c = e + 1;
	}
	fd = openat(cur, c, OPEN_FLAGS | O_NOFOLLOW);
	err = errno;
	if (cur != dirfd)
		close(cur);
	errno = err;
	return fd;
}

int tftp_path_open(struct tftp_root *root, const char *name, uint64_t *size, int *code)
{
	struct stat st;
	size_t n;
	int fd = -1;

	while (*name == '/')
		name++;
	n = strlen(name);
	if (!n || name[n - 1] == '/' || has_dotdot(name)) {
		*code = TFTP_ERR_ACCESS;
		return -1;
	}
	if (n > TFTP_PATH_MAX) {
		*code = TFTP_ERR_NOT_FOUND;
		return -1;
	}
	if (!root->no_openat2) {
		fd = open_openat2(root->dirfd, name);
		/* ENOSYS: an old kernel; EPERM could also be a seccomp filter
		 * that predates openat2 (the walk is as safe, only stricter). */
		if (fd < 0 && (errno == ENOSYS || errno == EPERM || errno == E2BIG))
			root->no_openat2 = true;
	}
	if (root->no_openat2)
		fd = open_walk(root->dirfd, name);
	if (fd < 0) {
		*code = code_of(errno);
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		*code = TFTP_ERR_ACCESS;
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}
