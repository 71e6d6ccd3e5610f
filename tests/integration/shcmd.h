/*
 * Shell commands for the netsetup tests run against the real kernel
 * (netsetup_test, netsetup_vxlan_test): sh() gives a command's exit
 * status (its output discarded when the includer defines SH_QUIET 1),
 * out() its first 8 KiB of output, stderr too; CHECK_HAS (t.h's
 * counters) that one string holds another.
 */
#ifndef VR_TEST_SHCMD_H
#define VR_TEST_SHCMD_H

#include <sys/wait.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

#ifndef SH_QUIET
#define SH_QUIET 0
#endif

static int
sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (SH_QUIET)
		strncat(cmd, " >/dev/null 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	st = system(cmd);
	return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static const char *
out(const char *fmt, ...)
{
	static char buf[8192];
	char cmd[512];
	va_list ap;
	size_t n;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	buf[0] = '\0';
	if ((f = popen(cmd, "r")) == NULL)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	pclose(f);
	return buf;
}

#define CHECK_HAS(hay, needle)                                                 \
	do {                                                                   \
		const char *t_h = (hay), *t_n = (needle);                      \
		t_checks++;                                                    \
		if (strstr(t_h, t_n) == NULL) {                                \
			t_failed++;                                            \
			fprintf(stderr, "%s:%d: \"%s\" not in \"%s\"\n",       \
				__FILE__, __LINE__, t_n, t_h);                 \
		}                                                              \
	} while (0)

#endif
