/* SPDX-License-Identifier: MIT
 *
 * log.h - leveled logging to stderr, or to syslog once daemonized.
 *
 * Theory of operation: one process-wide sink with a threshold. The data path
 * must never flood the log because a guest sends garbage, so callers that may
 * fire per frame use LOG_ONCE_FOR() or their own counters.
 *
 * "Once" belongs to the object that has the condition, not to the call site:
 * a second switch whose table fills, or a second gateway out of UDP flows, is
 * news too. So each such object embeds a struct log_once, and each condition
 * it reports gets a bit in it (an enum next to the struct).
 */
#ifndef VMWIRE_CORE_LOG_H
#define VMWIRE_CORE_LOG_H

#include <stdbool.h>
#include <stdint.h>

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

/* Which of its conditions an object has reported; zero: none yet. */
struct log_once {
	uint32_t said;
};

/* Log at most once per condition bit (0..31) of the object owning lo. */
#define LOG_ONCE_FOR(lo, bit, level, ...)                                      \
	do {                                                                   \
		_Static_assert((bit) >= 0 && (bit) < 32, "log_once bit");      \
		struct log_once *lo_ = (lo);                                   \
		if (!(lo_->said & 1u << (bit))) {                              \
			lo_->said |= 1u << (bit);                              \
			log_msg(level, __VA_ARGS__);                           \
		}                                                              \
	} while (0)

/* The same for a bit known only at run time (say, per address family):
 * true the first time, so the caller logs. */
static inline bool log_once_first(struct log_once *lo, unsigned bit)
{
	if (bit >= 32 || lo->said & 1u << bit)
		return false;
	lo->said |= 1u << bit;
	return true;
}

#endif
