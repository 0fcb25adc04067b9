/* SPDX-License-Identifier: MIT
 *
 * unix_acl.c - mode=, owner=, group= of a listening unix socket, applied
 * atomically: see unix_acl.h for the theory of operation.
 */
#include "ports/unix_acl.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/keyval.h"

static const char *const acl_keys[] = { "mode", "owner", "group" };

/* A name (looked up) or a decimal number below (uid_t)-1, which means
 * "unchanged" to chown and so is never a real id. */
static int parse_id(const char *v, bool user, unsigned *out)
{
	char *end;
	unsigned long n;

	if (!*v)
		return -1;
	if (user) {
		struct passwd *p = getpwnam(v);

		if (p) {
			*out = (unsigned)p->pw_uid;
			return 0;
		}
	} else {
		struct group *g = getgrnam(v);

		if (g) {
			*out = (unsigned)g->gr_gid;
			return 0;
		}
	}
	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (*end || errno || n >= 0xffffffffu)
		return -1;
	*out = (unsigned)n;
	return 0;
}

int unix_acl_parse(struct kvlist *kv, unsigned keys, struct unix_acl *acl, char *err,
		   size_t errlen)
{
	const char *v;
	char *end;
	unsigned long n;

	memset(acl, 0, sizeof(*acl));
	if ((keys & UNIX_ACL_MODE) && (v = kv_get(kv, "mode"))) {
		errno = 0;
		n = *v >= '0' && *v <= '7' ? strtoul(v, &end, 8) : 01000;
		if (n > 0777 || *end || errno) {
			kv_errorf(err, errlen, kv, "'mode' expects octal permissions 0..0777, "
				  "not '%s'", v);
			return -1;
		}
		acl->mode = (unsigned)n;
		acl->has_mode = true;
	}
	if ((keys & UNIX_ACL_OWNER) && (v = kv_get(kv, "owner"))) {
		if (parse_id(v, true, &acl->uid) < 0) {
			kv_errorf(err, errlen, kv, "'owner' expects a user name or number, "
				  "not '%s'", v);
			return -1;
		}
		acl->has_owner = true;
	}
	if ((keys & UNIX_ACL_GROUP) && (v = kv_get(kv, "group"))) {
		if (parse_id(v, false, &acl->gid) < 0) {
			kv_errorf(err, errlen, kv, "'group' expects a group name or number, "
				  "not '%s'", v);
			return -1;
		}
		acl->has_group = true;
	}
	return 0;
}

int unix_acl_refuse(const struct kvlist *kv, const char *why, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(acl_keys) / sizeof(acl_keys[0]); i++) {
		if (kv_has(kv, acl_keys[i])) {
			kv_errorf(err, errlen, kv, "'%s' is only valid %s", acl_keys[i], why);
			return -1;
		}
	}
	return 0;
}

int unix_acl_parse_if(struct kvlist *kv, bool applies, const char *why, struct unix_acl *acl,
		      char *err, size_t errlen)
{
	if (applies)
		return unix_acl_parse(kv, UNIX_ACL_ALL, acl, err, errlen);
	memset(acl, 0, sizeof(*acl));
	return unix_acl_refuse(kv, why, err, errlen);
}

bool unix_acl_any(const struct unix_acl *acl)
{
	return acl && (acl->has_mode || acl->has_owner || acl->has_group);
}

/* DIR/.vw-acl-PID-N next to path: same filesystem, so rename() works. */
static int private_name(const char *path, struct sockaddr_un *tmp)
{
	static unsigned counter;
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	int n;

	n = snprintf(tmp->sun_path, sizeof(tmp->sun_path), "%.*s.vw-acl-%ld-%u", dirlen,
		     path, (long)getpid(), counter++);
	if (n < 0 || (size_t)n >= sizeof(tmp->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int unix_bind_acl(int fd, const struct sockaddr_un *sun, socklen_t len,
		  const struct unix_acl *acl)
{
	struct sockaddr_un tmp = { .sun_family = AF_UNIX };
	char path[sizeof(sun->sun_path) + 1] = "";
	size_t off = offsetof(struct sockaddr_un, sun_path), plen;
	mode_t old;
	int r, e;

	if (!unix_acl_any(acl))
		return bind(fd, (const struct sockaddr *)sun, len);
	plen = len > off ? strnlen(sun->sun_path, len - off) : 0;
	if (!plen || plen >= sizeof(sun->sun_path)) {
		errno = EINVAL; /* abstract or unnamed: no file to set */
		return -1;
	}
	memcpy(path, sun->sun_path, plen);
	if (private_name(path, &tmp) < 0)
		return -1;
	unlink(tmp.sun_path); /* a leftover of an earlier process with our pid */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&tmp, sizeof(tmp));
	umask(old);
	if (r < 0)
		return -1;
	/* the private name is ours and 0600: nobody else may swap it, so the
	 * path calls below act on the socket we just bound */
	if ((acl->has_owner || acl->has_group) &&
	    fchownat(AT_FDCWD, tmp.sun_path, acl->has_owner ? (uid_t)acl->uid : (uid_t)-1,
		     acl->has_group ? (gid_t)acl->gid : (gid_t)-1, AT_SYMLINK_NOFOLLOW) < 0)
		goto fail;
	if (fchmodat(AT_FDCWD, tmp.sun_path, acl->has_mode ? acl->mode : 0777 & ~old, 0) < 0)
		goto fail;
	if (rename(tmp.sun_path, path) < 0)
		goto fail;
	return 0;
fail:
	e = errno;
	unlink(tmp.sun_path);
	errno = e;
	return -1;
}

int unix_bind_acl_inplace(int fd, const struct sockaddr_un *sun, socklen_t len,
			  const struct unix_acl *acl)
{
	size_t off = offsetof(struct sockaddr_un, sun_path);
	bool chown_it;
	mode_t old;
	int r, e;

	if (!unix_acl_any(acl))
		return bind(fd, (const struct sockaddr *)sun, len);
	if (len <= off || !sun->sun_path[0] ||
	    strnlen(sun->sun_path, len - off) >= sizeof(sun->sun_path)) {
		errno = EINVAL;
		return -1;
	}
	chown_it = acl->has_owner || acl->has_group;
	old = umask(0777);
	umask(chown_it ? 0177 : acl->has_mode ? ~acl->mode & 0777 : old);
	r = bind(fd, (const struct sockaddr *)sun, len);
	umask(old);
	if (r < 0 || !chown_it)
		return r;
	if (fchownat(AT_FDCWD, sun->sun_path, acl->has_owner ? (uid_t)acl->uid : (uid_t)-1,
		     acl->has_group ? (gid_t)acl->gid : (gid_t)-1, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fchmodat(AT_FDCWD, sun->sun_path, acl->has_mode ? acl->mode : 0777 & ~old, 0) < 0) {
		e = errno;
		unlink(sun->sun_path);
		errno = e;
		return -1;
	}
	return 0;
}
