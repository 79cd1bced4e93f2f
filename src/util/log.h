/* keel's own diagnostics. They go to stderr only: stdout is reserved for
 * what guests write to their serial ports (REQ-CLI-004). */
#ifndef KEEL_UTIL_LOG_H
#define KEEL_UTIL_LOG_H

#include <stdarg.h>

/* Prefix for every message of this process, e.g. "vm rtos"; may be NULL. */
void log_set_prefix(const char *prefix);
/* 0 = errors only, 1 = + warnings/info (default), 2 = + debug. */
void log_set_level(int level);
int log_get_level(void);

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
