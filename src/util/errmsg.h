/* Formats a one-line message into a caller's buffer (err may be NULL). */
#ifndef KEEL_UTIL_ERRMSG_H
#define KEEL_UTIL_ERRMSG_H

#include <stddef.h>

void errmsg_set(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
