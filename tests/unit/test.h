/* Minimal unit-test framework. Each TEST names the requirement IDs it
 * verifies; the runner prints "PASS unit/<name> [IDs]" or "FAIL ...". */
#ifndef KEEL_TEST_H
#define KEEL_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

void test_register(const char *name, const char *reqs, void (*fn)(void), const char *file);
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int test_failed(void);

#define TEST(name, reqs)                                                         \
	static void test_##name(void);                                           \
	__attribute__((constructor)) static void test_reg_##name(void)           \
	{                                                                        \
		test_register(#name, reqs, test_##name, __FILE__);               \
	}                                                                        \
	static void test_##name(void)

/* Stops the test at the first failed check. */
#define CHECK(cond)                                                              \
	do {                                                                     \
		if (!(cond)) {                                                   \
			test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);        \
			return;                                                  \
		}                                                                \
	} while (0)

#define CHECK_EQ(a, b)                                                           \
	do {                                                                     \
		unsigned long long va_ = (unsigned long long)(a);                \
		unsigned long long vb_ = (unsigned long long)(b);                \
		if (va_ != vb_) {                                                \
			test_fail(__FILE__, __LINE__, "%s == %s: 0x%llx != 0x%llx", \
				  #a, #b, va_, vb_);                             \
			return;                                                  \
		}                                                                \
	} while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                          \
	do {                                                                     \
		const char *h_ = (hay), *n_ = (needle);                          \
		if (h_ == NULL || strstr(h_, n_) == NULL) {                      \
			test_fail(__FILE__, __LINE__, "\"%s\" does not contain \"%s\"", \
				  h_ ? h_ : "(null)", n_);                       \
			return;                                                  \
		}                                                                \
	} while (0)

#endif
