/* SPDX-License-Identifier: MIT
 *
 * bridge_acl.c - qemu-bridge-helper's ACL syntax; see bridge_acl.h.
 */
#include "config/bridge_acl.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BRIDGE_ACL_FILE_MAX (1u << 20) /* a config file, not a data set */

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

static int one_line(struct bridge_acl *acl, char *line, const char *name, unsigned lineno,
		    unsigned depth, char *err, size_t errlen)
{
	char *cmd = line, *arg, *end;
	bool all;

	while (blank(*cmd))
		cmd++;
	if (!*cmd || *cmd == '#')
		return 0;
	for (arg = cmd; *arg && !blank(*arg); arg++)
		;
	if (*arg)
		*arg++ = '\0';
	while (blank(*arg))
		arg++;
	end = arg + strlen(arg);
	while (end > arg && blank(end[-1]))
		*--end = '\0';
	if (!*arg) {
		snprintf(err, errlen, "%s:%u: '%s' without an argument", name, lineno, cmd);
		return -1;
	}
	if (!strcmp(cmd, "include")) {
		if (!acl->includes) {
			snprintf(err, errlen, "%s:%u: include is not allowed here", name, lineno);
			return -1;
		}
		if (depth + 1 >= BRIDGE_ACL_DEPTH) {
			snprintf(err, errlen, "%s:%u: includes nested deeper than %u", name, lineno,
				 BRIDGE_ACL_DEPTH);
			return -1;
		}
		return bridge_acl_feed_file(acl, arg, depth + 1, err, errlen);
	}
	if (strcmp(cmd, "allow") && strcmp(cmd, "deny")) {
		snprintf(err, errlen, "%s:%u: unknown keyword '%.32s'", name, lineno, cmd);
		return -1;
	}
	if (strlen(arg) >= IFNAMSIZ || strpbrk(arg, " \t")) {
		snprintf(err, errlen, "%s:%u: '%.32s' is not an interface name", name, lineno, arg);
		return -1;
	}
	all = !strcmp(arg, "all");
	acl->rules++;
	if (all || !strcmp(arg, acl->bridge)) {
		if (cmd[0] == 'a')
			acl->allowed = true;
		else
			acl->denied = true;
	}
	return 0;
}

int bridge_acl_feed(struct bridge_acl *acl, const char *text, size_t len, const char *name,
		    unsigned depth, char *err, size_t errlen)
{
	char line[BRIDGE_ACL_LINE_MAX];
	unsigned lineno = 0;
	size_t pos = 0;

	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "%s: contains a NUL byte", name);
		return -1;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		lineno++;
		if (n >= sizeof(line)) {
			snprintf(err, errlen, "%s:%u: line longer than %u bytes", name, lineno,
				 BRIDGE_ACL_LINE_MAX - 1);
			return -1;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (one_line(acl, line, name, lineno, depth, err, errlen) < 0)
			return -1;
		pos += n + (nl ? 1 : 0);
	}
	return 0;
}

int bridge_acl_feed_file(struct bridge_acl *acl, const char *file, unsigned depth, char *err,
			 size_t errlen)
{
	struct stat st;
	char *text;
	ssize_t n;
	size_t got = 0;
	int fd, rc;

	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > BRIDGE_ACL_FILE_MAX) {
		snprintf(err, errlen, "%s: not a regular file of at most %u bytes", file,
			 BRIDGE_ACL_FILE_MAX);
		close(fd);
		return -1;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		snprintf(err, errlen, "%s: out of memory", file);
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size && (n = read(fd, text + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	rc = bridge_acl_feed(acl, text, got, file, depth, err, errlen);
	free(text);
	return rc;
}

int bridge_acl_check(const char *file, const char *bridge, char *err, size_t errlen)
{
	struct bridge_acl acl = { .bridge = bridge, .includes = true };
	char why[512];

	if (!*bridge || strlen(bridge) >= IFNAMSIZ) {
		snprintf(err, errlen, "bridge name '%.32s' is not an interface name", bridge);
		return -1;
	}
	if (bridge_acl_feed_file(&acl, file, 0, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "bridge ACL %s unusable, access denied: %s", file, why);
		return -1;
	}
	if (!acl.allowed || acl.denied) {
		snprintf(err, errlen, "bridge %s: access denied by %s (%s)", bridge, file,
			 acl.denied ? "a deny rule matches" : "no allow rule matches");
		return -1;
	}
	return 0;
}
