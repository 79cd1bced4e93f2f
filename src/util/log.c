#include "util/log.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static char g_prefix[64];
static int g_level = 1;

void log_set_prefix(const char *prefix)
{
	if (prefix == NULL)
		g_prefix[0] = '\0';
	else
		snprintf(g_prefix, sizeof(g_prefix), "%s", prefix);
}

void log_set_level(int level) { g_level = level; }
int log_get_level(void) { return g_level; }

static void vlog(int level, const char *tag, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void vlog(int level, const char *tag, const char *fmt, va_list ap)
{
	char buf[1024];
	int n;

	if (level > g_level)
		return;
	/* One write per message, so lines from several threads do not mix. */
	n = snprintf(buf, sizeof(buf), "keel%s%s: %s", g_prefix[0] ? " " : "", g_prefix, tag);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = 0;
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	fprintf(stderr, "%s\n", buf);
}

#define DEFINE_LOG(fn, level, tag)                \
	void fn(const char *fmt, ...)              \
	{                                          \
		va_list ap;                        \
		va_start(ap, fmt);                 \
		vlog(level, tag, fmt, ap);         \
		va_end(ap);                        \
	}

DEFINE_LOG(log_err, 0, "error: ")
DEFINE_LOG(log_warn, 1, "warning: ")
DEFINE_LOG(log_info, 1, "")
DEFINE_LOG(log_debug, 2, "debug: ")
