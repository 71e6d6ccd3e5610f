/*
 * vrgen's JSON writer (see jw.c): objects and arrays written straight to a
 * FILE, one top-level object per line, flushed at its end.
 */
#ifndef VR_JW_H
#define VR_JW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct jw {
	FILE *f;
	int depth;
	int first[16];
};

void jw_obj(struct jw *w, const char *key);
void jw_end(struct jw *w);
void jw_arr(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
void jw_u64(struct jw *w, const char *key, uint64_t v);
/* Integers as integers, non-finite values as null, others round-trip. */
void jw_dbl(struct jw *w, const char *key, double v);
void jw_bool(struct jw *w, const char *key, int v);
/* s == NULL writes "". */
void jw_str(struct jw *w, const char *key, const char *s);
void jw_null(struct jw *w, const char *key);
/* an object that is JSON already ("{...}"), left open for more keys */
void jw_raw_obj(struct jw *w, const char *key, const char *json);

/* v as the shortest "%.Ng" (N = 15..17) that strtod reads back as v. */
char *jw_fmt_dbl(char *buf, size_t len, double v);

#endif
