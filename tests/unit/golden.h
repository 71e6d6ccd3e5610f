/*
 * Golden files for unit tests: golden_check() compares text with
 * GOLDEN_DIR/NAME byte for byte.  With VR_UPDATE_GOLDEN=1 in the
 * environment it rewrites the file instead (review the diff before
 * committing).  On a mismatch the actual output is left in NAME.actual in
 * the current directory and the first differing line is printed.
 */
#ifndef VR_GOLDEN_H
#define VR_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

#ifndef GOLDEN_DIR
#error "GOLDEN_DIR must be defined (tests/unit.cmake)"
#endif

static char *
golden_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap + 1);
			if (buf == NULL) {
				fclose(f);
				return NULL;
			}
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static int
golden_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (f == NULL)
		return -1;
	ok = fwrite(text, 1, strlen(text), f) == strlen(text);
	return (fclose(f) == 0 && ok) ? 0 : -1;
}

static void
golden_report(const char *name, const char *want, const char *got)
{
	int line = 1;
	const char *w = want, *g = got, *ws, *gs;

	while (*w && *w == *g) {
		if (*w == '\n')
			line++;
		w++, g++;
	}
	for (ws = w; ws > want && ws[-1] != '\n'; ws--)
		;
	for (gs = g; gs > got && gs[-1] != '\n'; gs--)
		;
	fprintf(stderr,
		"golden %s differs at line %d\n  want: %.*s\n  got:  %.*s\n",
		name, line, (int)strcspn(ws, "\n"), ws, (int)strcspn(gs, "\n"),
		gs);
}

/* 1 when text matches (or was written), 0 otherwise; counts as a check. */
static int
golden_check(const char *name, const char *text)
{
	char path[4096], actual[4096];
	const char *upd = getenv("VR_UPDATE_GOLDEN");
	char *want;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, name);
	if (upd != NULL && strcmp(upd, "1") == 0) {
		ok = golden_write(path, text) == 0;
		if (!ok)
			fprintf(stderr, "golden %s: cannot write\n", path);
		else
			fprintf(stderr, "golden %s: updated\n", path);
		CHECK(ok);
		return ok;
	}
	want = golden_read(path);
	if (want == NULL) {
		fprintf(stderr,
			"golden %s: missing (run with VR_UPDATE_GOLDEN=1 to "
			"create it)\n",
			path);
		CHECK(want != NULL);
		return 0;
	}
	ok = strcmp(want, text) == 0;
	if (!ok) {
		golden_report(name, want, text);
		snprintf(actual, sizeof(actual), "%s.actual", name);
		if (golden_write(actual, text) == 0)
			fprintf(stderr,
				"  actual output: %s; diff it against "
				"%s, or set VR_UPDATE_GOLDEN=1\n",
				actual, path);
	}
	CHECK(ok);
	free(want);
	return ok;
}

#endif
