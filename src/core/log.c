/* SPDX-License-Identifier: MIT
 *
 * log.c - see log.h. Messages are one line each, prefixed by the level so a
 * test can grep for "warning:" without caring about timestamps.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

static enum log_level threshold = LOG_LVL_INFO;
static bool to_syslog;
static void (*capture)(enum log_level, const char *);

void log_set_level(enum log_level level) { threshold = level; }
enum log_level log_get_level(void) { return threshold; }

void log_adjust(int delta)
{
	int l = (int)threshold + delta;

	if (l < LOG_LVL_ERR)
		l = LOG_LVL_ERR;
	if (l > LOG_LVL_DEBUG)
		l = LOG_LVL_DEBUG;
	threshold = (enum log_level)l;
}

void log_use_syslog(const char *ident)
{
	openlog(ident, LOG_PID, LOG_DAEMON);
	to_syslog = true;
}

void log_set_hook(void (*hook)(enum log_level, const char *msg)) { capture = hook; }

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char line[1024];
	va_list ap;

	if (level > threshold && !capture)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (capture) {
		capture(level, line);
		return;
	}
	if (to_syslog)
		syslog(prio[level], "%s", line);
	else
		fprintf(stderr, "vmwire: %s: %s\n", prefix[level], line);
}
