/* SPDX-License-Identifier: MIT
 *
 * fuzz_bridge_acl.c - libFuzzer target for the bridge ACL parser
 * (config/bridge_acl.c), qemu-bridge-helper's bridge.conf syntax.
 *
 * Theory of operation: byte 0 picks the bridge name asked for ("br0",
 * "all", "b", or a 15-byte name), the rest is the text of one file, fed
 * with includes disabled (the fuzzer must not open files). Beyond "no
 * crash": an error always comes with a message; a text that parses never
 * leaves the bridge allowed unless it has an allow line, and never allows
 * it when a "deny all" line is in it (deny wins); appending "deny all"
 * to a parsed text always denies and appending a bad keyword always fails.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/bridge_acl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char buf[BRIDGE_ACL_LINE_MAX * 4 + 64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "br0", "all", "b", "abcdefghijklmno" };
	struct bridge_acl acl = { .includes = false };
	char err[512] = "";
	const char *text;
	size_t len;
	int rc;

	if (size < 1 || size - 1 > sizeof(buf) - 32)
		return 0;
	acl.bridge = names[data[0] & 3];
	text = (const char *)data + 1;
	len = size - 1;
	rc = bridge_acl_feed(&acl, text, len, "fuzz", 0, err, sizeof(err));
	if (rc < 0) {
		if (!err[0])
			abort();
		return 0;
	}
	if (acl.allowed && !memmem(text, len, "allow", 5))
		abort();
	if (acl.denied && !memmem(text, len, "deny", 4))
		abort();
	/* deny all, appended on its own line, always wins */
	memcpy(buf, text, len);
	memcpy(buf + len, "\ndeny all\n", 10);
	acl.allowed = acl.denied = false;
	if (bridge_acl_feed(&acl, buf, len + 10, "fuzz", 0, err, sizeof(err)) < 0 || !acl.denied)
		abort();
	memcpy(buf + len, "\npermit x\n", 10);
	if (bridge_acl_feed(&acl, buf, len + 10, "fuzz", 0, err, sizeof(err)) == 0)
		abort();
	return 0;
}
