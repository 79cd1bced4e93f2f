/* Runs every registered unit test (or those whose name contains argv[1]). */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>

#include "util/log.h"

#define MAX_TESTS 2048

struct test_entry {
	const char *name, *reqs, *file;
	void (*fn)(void);
};

static struct test_entry g_tests[MAX_TESTS];
static int g_ntests;
static int g_failed_current;

void test_register(const char *name, const char *reqs, void (*fn)(void), const char *file)
{
	if (g_ntests >= MAX_TESTS) {
		fprintf(stderr, "too many unit tests\n");
		exit(2);
	}
	g_tests[g_ntests++] = (struct test_entry){ name, reqs, file, fn };
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	g_failed_current = 1;
	fprintf(stdout, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

int test_failed(void) { return g_failed_current; }

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	/* Tests provoke keel's warnings on purpose; show them only on request. */
	log_set_level(getenv("KEEL_TEST_VERBOSE") ? 2 : -1);

	for (int i = 0; i < g_ntests; i++) {
		const struct test_entry *t = &g_tests[i];

		if (argc > 1 && strstr(t->name, argv[1]) == NULL)
			continue;
		g_failed_current = 0;
		t->fn();
		printf("%s unit/%s [%s]\n", g_failed_current ? "FAIL" : "PASS", t->name, t->reqs);
		fflush(stdout);
		if (g_failed_current)
			failed++;
		else
			passed++;
	}
	fprintf(stderr, "unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
