/* SPDX-License-Identifier: MIT
 *
 * unix_acl.h - owner, group and permissions of a listening unix socket.
 *
 * Theory of operation: a unix socket's file is its access control (connect
 * needs write permission on it), so a listener that other users or groups
 * reach must get the right owner, group and mode. Setting them after
 * bind() leaves an instant in which the file has the process umask and
 * our own uid/gid: a local user may connect in that instant, or be refused
 * when they should not be. unix_bind_acl() instead binds under a private
 * name in the same directory (umask 0177: only we can reach it), sets its
 * owner, group and mode, then rename()s it over the final path, so the
 * final name only ever points at the finished file. On any failure the
 * private name is removed. Without keys it is a plain bind(), as before.
 *
 * The socket's own address (getsockname, a client's getpeername) stays the
 * private name: fine for a listener, whose clients never send to it. A
 * datagram socket is replied to at its own address, so it must be bound
 * at the final path: unix_bind_acl_inplace() binds it there under a umask
 * that gives mode= at once (only mode=) or 0600 (owner=/group=: then
 * chown, then chmod). Its file is thus never more open than asked, but
 * with owner=/group= it is briefly ours and 0600 before it is theirs.
 */
#ifndef VMWIRE_PORTS_UNIX_ACL_H
#define VMWIRE_PORTS_UNIX_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

struct kvlist;

/* Which keys a netdev takes (vde has no owner=). */
#define UNIX_ACL_MODE  1u
#define UNIX_ACL_OWNER 2u
#define UNIX_ACL_GROUP 4u
#define UNIX_ACL_ALL   (UNIX_ACL_MODE | UNIX_ACL_OWNER | UNIX_ACL_GROUP)

struct unix_acl {
	bool has_mode, has_owner, has_group;
	unsigned mode; /* 0..0777 */
	unsigned uid, gid;
};

/* The key table lines of the three keys, for a netdev type's keys[]. */
#define UNIX_ACL_HELP_MODE "mode=OCTAL"
#define UNIX_ACL_HELP_OWNER "owner=NAME|UID"
#define UNIX_ACL_HELP_GROUP "group=NAME|GID"

/* Read mode=OCTAL, owner=NAME|UID, group=NAME|GID (those in keys) into
 * *acl; nothing given leaves it all-false. -1 with err naming the key. */
int unix_acl_parse(struct kvlist *kv, unsigned keys, struct unix_acl *acl, char *err,
		   size_t errlen);

/* For a side that binds no socket file (a client, an abstract address):
 * -1 with err naming the first ACL key given and why it is not valid. */
int unix_acl_refuse(const struct kvlist *kv, const char *why, char *err, size_t errlen);

/* unix_acl_parse(UNIX_ACL_ALL) when the netdev binds a socket file
 * (applies), else unix_acl_refuse(why). */
int unix_acl_parse_if(struct kvlist *kv, bool applies, const char *why, struct unix_acl *acl,
		      char *err, size_t errlen);

bool unix_acl_any(const struct unix_acl *acl);

/* bind(fd) to sun (a path, not abstract), through a private name when acl
 * has any key; -1 with errno set. Keys absent keep bind()'s defaults
 * (uid, gid, 0777 & ~umask). */
int unix_bind_acl(int fd, const struct sockaddr_un *sun, socklen_t len,
		  const struct unix_acl *acl);

/* The same at the final path, for a datagram socket (see above). */
int unix_bind_acl_inplace(int fd, const struct sockaddr_un *sun, socklen_t len,
			  const struct unix_acl *acl);

#endif
