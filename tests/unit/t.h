/*
 * A tiny unit-test harness: CHECK() records a failure and goes on, the
 * test's main() returns t_done() (non-zero if anything failed).
 */
#ifndef VR_T_H
#define VR_T_H

#include <stdio.h>
#include <string.h>

static int t_failed, t_checks;

#define CHECK(cond)                                                            \
	do {                                                                   \
		t_checks++;                                                    \
		if (!(cond)) {                                                 \
			t_failed++;                                            \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
		}                                                              \
	} while (0)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *t_a = (a), *t_b = (b);                             \
		t_checks++;                                                    \
		if (t_a == NULL || t_b == NULL || strcmp(t_a, t_b) != 0) {     \
			t_failed++;                                            \
			fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n", __FILE__, \
				__LINE__, t_a ? t_a : "(null)",                \
				t_b ? t_b : "(null)");                         \
		}                                                              \
	} while (0)

#define CHECK_INT(a, b)                                                        \
	do {                                                                   \
		long long t_a = (a), t_b = (b);                                \
		t_checks++;                                                    \
		if (t_a != t_b) {                                              \
			t_failed++;                                            \
			fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n",  \
				__FILE__, __LINE__, #a, t_a, t_b);             \
		}                                                              \
	} while (0)

static inline int
t_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, t_checks, t_failed);
	return t_failed ? 1 : 0;
}

#endif
