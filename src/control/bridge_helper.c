/* SPDX-License-Identifier: MIT
 *
 * bridge_helper.c - "vmwire bridge-helper [--use-vnet] --fd=N --br=BRIDGE
 * [--acl=FILE]", a drop-in for qemu-bridge-helper that QEMU runs for
 * "-netdev bridge,br=BRIDGE,helper=...".
 *
 * Theory of operation: QEMU makes a socketpair, execs the helper (through
 * "sh -c" when the helper string has a space) with --use-vnet, --fd=N (its
 * end of the pair) and --br=BRIDGE, and waits for one message carrying the
 * TAP fd (SCM_RIGHTS) with one byte of data; the exit status tells success.
 * We check the ACL (default /etc/qemu/bridge.conf; --acl=FILE for tests
 * and other layouts), create the TAP as -netdev bridge does (ports/tap.c:
 * vnet header with --use-vnet, the bridge's MTU, MAC[0] = 0xFE, enslaved
 * and up), send it and exit. Errors go to stderr as one line, status 1; a
 * bad command line is status 2. The helper needs CAP_NET_ADMIN (QEMU's is
 * usually setuid root; ours is run by root or given the capability), and
 * it trusts nothing of its command line beyond what the ACL allows.
 */
#include "control/bridge_helper.h"
#include "config/bridge_acl.h"
#include "ports/tap.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int usage(const char *why)
{
	fprintf(stderr, "vmwire bridge-helper: %s\n"
		"Usage: vmwire bridge-helper [--use-vnet] --fd=N --br=BRIDGE [--acl=FILE]\n", why);
	return 2;
}

static int send_fd(int sock, int fd)
{
	char data = 0;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	memset(&u, 0, sizeof(u));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

int bridge_helper_main(int argc, char **argv)
{
	struct tap_config cfg = { 0 };
	struct tap_info info;
	const char *br = NULL, *acl = BRIDGE_ACL_DEFAULT;
	char err[1024];
	struct stat st;
	long sock = -1;
	bool use_vnet = false;
	int i, fd;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *end;

		if (!strcmp(a, "--use-vnet")) {
			use_vnet = true;
		} else if (!strncmp(a, "--fd=", 5)) {
			errno = 0;
			sock = strtol(a + 5, &end, 10);
			if (!a[5] || *end || errno || sock < 0 || sock > INT_MAX)
				return usage("--fd expects a file descriptor number");
		} else if (!strncmp(a, "--br=", 5)) {
			br = a + 5;
		} else if (!strncmp(a, "--acl=", 6) && a[6]) {
			acl = a + 6;
		} else {
			char why[128];

			snprintf(why, sizeof(why), "unknown argument '%.64s'", a);
			return usage(why);
		}
	}
	cfg.no_vnet_hdr = !use_vnet;
	if (!br || sock < 0)
		return usage("--br and --fd are required");
	if (!tap_ifname_valid(br)) {
		fprintf(stderr, "vmwire bridge-helper: --br: '%.32s' is not an interface name\n", br);
		return 1;
	}
	if (fstat((int)sock, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "vmwire bridge-helper: --fd=%ld is not an open socket\n", sock);
		return 1;
	}
	if (strlen(acl) >= sizeof(cfg.acl)) {
		fprintf(stderr, "vmwire bridge-helper: --acl: path too long\n");
		return 1;
	}
	if (bridge_acl_check(acl, br, err, sizeof(err)) < 0) {
		fprintf(stderr, "vmwire bridge-helper: %s\n", err);
		return 1;
	}
	snprintf(cfg.bridge, sizeof(cfg.bridge), "%s", br);
	snprintf(cfg.acl, sizeof(cfg.acl), "%s", acl);
	fd = tap_open(&cfg, &info, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "vmwire bridge-helper: %s\n", err);
		return 1;
	}
	if (send_fd((int)sock, fd) < 0) {
		fprintf(stderr, "vmwire bridge-helper: cannot send the TAP over --fd=%ld: %s\n",
			sock, strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}
