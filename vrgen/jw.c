/*
 * vrgen's JSON writer: one object per line, written as it goes, no tree.
 * Numbers are written so that reading them back gives the same double:
 * the shortest of %.15g..%.17g that round-trips, so 1234567.8 stays
 * 1234567.8 and a 12.345678901 s duration keeps its nanoseconds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jw.h"

char *
jw_fmt_dbl(char *buf, size_t len, double v)
{
	int prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return buf;
	}
	snprintf(buf, len, "%.17g", v);
	return buf;
}

static void
jw_sep(struct jw *w, const char *key)
{
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = 0;
	if (key != NULL)
		fprintf(w->f, "\"%s\":", key);
}

static void
jw_open(struct jw *w, const char *key, char c)
{
	if (w->depth > 0)
		jw_sep(w, key);
	fputc(c, w->f);
	w->first[++w->depth] = 1;
}

static void
jw_close(struct jw *w, char c)
{
	fputc(c, w->f);
	w->depth--;
	if (w->depth == 0) {
		fputc('\n', w->f);
		fflush(w->f);
	}
}

void
jw_obj(struct jw *w, const char *key)
{
	jw_open(w, key, '{');
}

void
jw_end(struct jw *w)
{
	jw_close(w, '}');
}

void
jw_arr(struct jw *w, const char *key)
{
	jw_open(w, key, '[');
}

void
jw_arr_end(struct jw *w)
{
	jw_close(w, ']');
}

void
jw_u64(struct jw *w, const char *key, uint64_t v)
{
	jw_sep(w, key);
	fprintf(w->f, "%llu", (unsigned long long)v);
}

void
jw_dbl(struct jw *w, const char *key, double v)
{
	char buf[32];

	jw_sep(w, key);
	if (!isfinite(v))
		fputs("null", w->f);
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(w->f, "%.0f", v);
	else
		fputs(jw_fmt_dbl(buf, sizeof(buf), v), w->f);
}

void
jw_bool(struct jw *w, const char *key, int v)
{
	jw_sep(w, key);
	fputs(v ? "true" : "false", w->f);
}

void
jw_str(struct jw *w, const char *key, const char *s)
{
	jw_sep(w, key);
	fputc('"', w->f);
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(w->f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(w->f, "\\u%04x", ch);
		else
			fputc(ch, w->f);
	}
	fputc('"', w->f);
}

void
jw_null(struct jw *w, const char *key)
{
	jw_sep(w, key);
	fputs("null", w->f);
}

void
jw_raw_obj(struct jw *w, const char *key, const char *json)
{
	size_t n = strlen(json);

	while (n > 0 && json[n - 1] != '}')
		n--;
	jw_sep(w, key);
	fwrite(json, 1, n > 0 ? n - 1 : 0, w->f);
	w->first[++w->depth] = n <= 2; /* "{}": nothing in it yet */
}
