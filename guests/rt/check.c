/* Uniform result lines for the checking guests (entrycheck, mbinfo). */
#include "rt.h"

static unsigned failures;

bool check(bool pass, const char *what, const char *fmt, ...)
{
	if (pass) {
		printf("ok %s\n", what);
		return true;
	}
	failures++;
	printf("FAIL %s: ", what);
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return false;
}

unsigned check_failures(void)
{
	return failures;
}

void check_finish(const char *name)
{
	if (failures == 0) {
		printf("%s: all ok\n", name);
		guest_exit(0);
	}
	printf("%s: %u failed\n", name, failures);
	guest_exit(1);
}
