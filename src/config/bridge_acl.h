/* SPDX-License-Identifier: MIT
 *
 * bridge_acl.h - the bridge ACL of qemu-bridge-helper (/etc/qemu/bridge.conf),
 * checked by "-netdev bridge" and by "vmwire bridge-helper".
 *
 * Theory of operation: the file is a list of lines, each "allow NAME",
 * "allow all", "deny NAME", "deny all" or "include PATH"; blank lines and
 * lines starting with '#' (after blanks) are skipped, the keyword ends at
 * the first space or tab and the argument is trimmed. Every rule of every
 * file is read, then: the bridge is allowed if some allow rule matches it
 * and no deny rule does (deny wins; nothing matching: denied). Anything
 * unreadable fails the whole check, never half-applies it: a missing or
 * unreadable file (included ones too, where qemu-bridge-helper ignores
 * them), an unknown keyword, a line without an argument, a name of 16
 * bytes or more or with blanks, a line over 4095 bytes, a NUL byte, or
 * includes nested deeper than BRIDGE_ACL_DEPTH (a file including itself).
 * A relative include path is taken from the current directory, as
 * qemu-bridge-helper does.
 */
#ifndef VMWIRE_CONFIG_BRIDGE_ACL_H
#define VMWIRE_CONFIG_BRIDGE_ACL_H

#include <stdbool.h>
#include <stddef.h>

#define BRIDGE_ACL_DEFAULT "/etc/qemu/bridge.conf"
#define BRIDGE_ACL_DEPTH 8
#define BRIDGE_ACL_LINE_MAX 4096

struct bridge_acl {
	const char *bridge; /* the name asked for */
	bool includes;      /* false: "include" is an error (the fuzzer) */
	bool allowed, denied;
	unsigned rules;
};

/* Feed len bytes of one file's text (name for errors), depth includes
 * deep. 0, or -1 with a one-line reason in err. */
int bridge_acl_feed(struct bridge_acl *acl, const char *text, size_t len, const char *name,
		    unsigned depth, char *err, size_t errlen);

/* Read file (and what it includes) into acl. 0 or -1 with err. */
int bridge_acl_feed_file(struct bridge_acl *acl, const char *file, unsigned depth, char *err,
			 size_t errlen);

/* The whole check: 0 when file allows bridge; -1 with err naming the file
 * and the reason (denied, or why the file could not be used). */
int bridge_acl_check(const char *file, const char *bridge, char *err, size_t errlen);

#endif
