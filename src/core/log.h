/* SPDX-License-Identifier: MIT
 *
 * log.h - leveled logging to stderr, or to syslog once daemonized.
 *
 * Theory of operation: one process-wide sink with a threshold. The data path
 * must never flood the log because a guest sends garbage, so callers that may
 * fire per frame use LOG_ONCE() (once per call site) or their own counters.
 */
#ifndef VMWIRE_CORE_LOG_H
#define VMWIRE_CORE_LOG_H

#include <stdbool.h>

enum log_level { LOG_LVL_ERR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_adjust(int delta); /* -v / -q */
void log_use_syslog(const char *ident);
/* Redirect stderr-logging to a capture callback (tests). NULL restores. */
void log_set_hook(void (*hook)(enum log_level, const char *msg));

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define err(...)   log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/* Log at most once per call site for the life of the process. */
#define LOG_ONCE(level, ...)                                                   \
	do {                                                                   \
		static bool log_once_done_;                                    \
		if (!log_once_done_) {                                         \
			log_once_done_ = true;                                 \
			log_msg(level, __VA_ARGS__);                           \
		}                                                              \
	} while (0)

#endif
