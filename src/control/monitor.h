/* SPDX-License-Identifier: MIT
 *
 * monitor.h - the human monitor on a unix socket, in the style of QEMU's
 * HMP: a banner, then "(vmwire) " prompts, one command per line.
 *
 * Theory of operation: the monitor is just another set of fds on the event
 * loop. Each client has a bounded input line buffer and a bounded output
 * buffer; a reply is formatted in full into the output buffer and drained
 * as the socket accepts it, so a slow or stuck client can never block the
 * loop (it is throttled: no more commands are read while a reply is queued,
 * and a reply that does not fit is truncated). Every reply ends with the
 * prompt, which is how "vmwire ctl" knows the reply is complete.
 */
#ifndef VMWIRE_CONTROL_MONITOR_H
#define VMWIRE_CONTROL_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct runtime;
struct monitor;

#define MONITOR_PROMPT "(vmwire) "
#define MONITOR_LINE_MAX 4096
#define MONITOR_OUT_MAX (1024 * 1024)

/* Listen on path (mode 0600). A stale socket file nobody listens on is
 * replaced; a live one is an error. fd >= 0: serve that listening socket
 * instead (socket activation; path unused). NULL + err on failure. */
struct monitor *monitor_new(struct runtime *rt, const char *path, int fd, char *err,
			    size_t errlen);

/* Close every session and unlink the socket. NULL is fine. */
void monitor_free(struct monitor *mon);

#define MONITOR_OK 0
#define MONITOR_QUIT 1   /* the command ends the session */
#define MONITOR_FAILED 2 /* its reply is an error message */

/* Run one command line, writing the reply (without the prompt) to out.
 * Returns MONITOR_OK, MONITOR_QUIT or MONITOR_FAILED. last_failed is the
 * session's previous outcome, which "last_status" prints: that is how
 * "vmwire ctl" learns a command failed without parsing its human text. */
int monitor_exec(const struct runtime *rt, const char *line, FILE *out, bool last_failed);

/* The commands and their one-line help, as "help" prints them (and
 * vmwire --help, indented). */
void monitor_commands_help(FILE *out, int indent);

/* "vmwire ctl PATH COMMAND...": argv[0] is "ctl". Connects, runs one
 * command, prints the reply. Returns the exit status: 0, 1 (can't reach
 * the monitor, or the command failed: last_status), 2 (usage). */
int ctl_main(int argc, char **argv);

#endif
