/* SPDX-License-Identifier: MIT
 *
 * run.h - "vmwire run [OPTIONS] [--] [CMD [ARGS...]]": run a command in a
 * fresh network namespace whose only way out is a user-mode gateway, like
 * pasta's command mode or slirp4netns.
 */
#ifndef VMWIRE_CONTROL_RUN_H
#define VMWIRE_CONTROL_RUN_H

#include <stdio.h>

/* argv[0] is "run". Returns the exit status: the command's own (128 +
 * signal number if it was killed), 2 for a usage error, 1 when vmwire
 * could not set the namespace up. */
int run_main(int argc, char **argv);

/* The "vmwire run --help" text. */
void run_usage(FILE *out);

#endif
