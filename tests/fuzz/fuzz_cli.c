/* SPDX-License-Identifier: MIT
 *
 * fuzz_cli.c - libFuzzer target for the command line parser, cli_parse()
 * (src/control/cli.h), with the real netdev type registry.
 *
 * Theory of operation: the input, split at NUL bytes, is argv[1..] (at
 * most 64 words) behind argv[0] = "vmwire". cli_parse() validates every
 * -netdev with its type's parse() (stream, socket, dgram, tap, user), every
 * -switch, -monitor and -pidfile, all without side effects. The result
 * must be one of the documented codes; an error must leave one non-empty
 * line in err (unless the user's own words carried a newline into it);
 * success must yield netdevs that each name a declared switch, and
 * cli_free() must release everything (LeakSanitizer).
 *
 * Inputs that mention "readconfig" are skipped: a config file path from the
 * fuzzer could name /dev/zero or a FIFO and read forever, which is the
 * user's business, not a parser bug.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/cli.h"
#include "core/log.h"

#include "fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ARGS_MAX 64

static void quiet(enum log_level level, const char *msg) {}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[ARGS_MAX + 2], *buf, err[CLI_ERR_MAX];
	struct cli cli;
	const struct netdev *nd;
	int argc = 1, rc;
	size_t pos = 0;

	if (memmem(data, size, "readconfig", 10))
		return 0;
	log_set_hook(quiet);
	/* One heap copy, NUL-terminated words: ASan sees reads past a word. */
	buf = malloc(size + 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = (char *)"vmwire";
	while (pos < size && argc <= ARGS_MAX) {
		argv[argc++] = buf + pos;
		pos += strlen(buf + pos) + 1;
	}
	argv[argc] = NULL;

	memset(err, 'X', sizeof(err));
	rc = cli_parse(argc, argv, &cli, err, sizeof(err));
	CHECK(rc == CLI_OK || rc == CLI_ERROR || rc == CLI_HELP || rc == CLI_VERSION);
	CHECK(memchr(err, '\0', sizeof(err)));
	if (rc == CLI_ERROR) {
		CHECK(*err);
		if (!memchr(data, '\n', size))
			CHECK(!strchr(err, '\n'));
	}
	if (rc == CLI_OK) {
		CHECK(cli.netdevs);
		for (nd = cli.netdevs; nd; nd = nd->next) {
			CHECK(nd->type && nd->common.id[0]);
			CHECK(!strcmp(nd->common.switch_name, CLI_DEFAULT_SWITCH) ||
			      cli_find_switch(&cli, nd->common.switch_name));
		}
	}
	cli_free(&cli);
	free(buf);
	return 0;
}
