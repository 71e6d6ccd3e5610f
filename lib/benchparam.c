/*
 * The bench params' syntax checkers (a rate list or sweep, a loss ratio,
 * a frame spec) and the rules across them; the limits are in
 * benchparam.h.  Pure: shared by the daemon's request check, vrctl and
 * vrgen, and unit-tested as is (tests/unit/test_benchparam.c).
 */
#include <sched.h>

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchparam.h"

_Static_assert(BENCH_CPU_MAX == CPU_SETSIZE - 1,
	       "vrgen pins with a cpu_set_t: the highest CPU it can name");

/* Decimal digits only (no sign, no blank), 1..BENCH_RATE_MAX; *endp
 * after the digits.  0 or -1. */
static int
benchparam_rate(const char *s, const char **endp, long long *v)
{
	const char *p = s;
	long long n = 0;

	while (isdigit((unsigned char)*p)) {
		n = n * 10 + (*p - '0');
		if (n > BENCH_RATE_MAX)
			return -1;
		p++;
	}
	*endp = p;
	if (p == s || n < 1)
		return -1;
	*v = n;
	return 0;
}

int
benchparam_rates(const char *s, double *out, char *err, size_t errlen)
{
	long long from, to, step, n;
	const char *p = s;

	if (strchr(s, ':') != NULL) {
		if (benchparam_rate(p, &p, &from) == -1 || *p++ != ':' ||
		    benchparam_rate(p, &p, &to) == -1 || *p++ != ':' ||
		    benchparam_rate(p, &p, &step) == -1 || *p != '\0' ||
		    to < from)
			goto bad;
		n = (to - from) / step + 1;
		if (n > BENCH_RATES_MAX) {
			snprintf(err, errlen,
				 "\"%.64s\" makes %lld rates; a sweep has at "
				 "most %d",
				 s, n, BENCH_RATES_MAX);
			return -1;
		}
		for (long long i = 0; out != NULL && i < n; i++)
			out[i] = (double)(from + i * step);
		return (int)n;
	}
	for (n = 0;; p++) {
		long long r;

		if (benchparam_rate(p, &p, &r) == -1 ||
		    (*p != ',' && *p != '\0'))
			goto bad;
		if (n == BENCH_RATES_MAX) {
			snprintf(err, errlen,
				 "more than %d rates; a sweep has at most %d",
				 BENCH_RATES_MAX, BENCH_RATES_MAX);
			return -1;
		}
		if (out != NULL)
			out[n] = (double)r;
		n++;
		if (*p == '\0')
			return (int)n;
	}
bad:
	snprintf(err, errlen,
		 "\"%.64s\" is not FROM:TO:STEP or R1,R2,... (packets/s, "
		 "integers 1..%d, FROM <= TO)",
		 s, BENCH_RATE_MAX);
	return -1;
}

int
benchparam_loss(const char *s, double *ratio, char *err, size_t errlen)
{
	const char *p = s;
	char *end;
	double d;

	/* digits, an optional fraction and exponent: no sign, hex, inf */
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (p != s && (*p == 'e' || *p == 'E')) {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	errno = 0;
	d = strtod(s, &end);
	if (p == s || *p != '\0' || end != p || errno != 0 || !isfinite(d) ||
	    !(d > 0) || d > BENCH_LOSS_MAX) {
		snprintf(err, errlen,
			 "\"%.64s\" is not a ratio in (0, %g] such as 0.001 "
			 "(no loss at all is an ndr search)",
			 s, BENCH_LOSS_MAX);
		return -1;
	}
	if (ratio != NULL)
		*ratio = d;
	return 0;
}

int
benchparam_frame(const char *s, char *err, size_t errlen)
{
	const char *p = s;
	long n = 0;

	if (strcmp(s, "imix") == 0)
		return 0;
	while (isdigit((unsigned char)*p) && n <= BENCH_FRAME_MAX)
		n = n * 10 + (*p++ - '0');
	if (p == s || *p != '\0' || n < BENCH_FRAME_MIN ||
	    n > BENCH_FRAME_MAX) {
		snprintf(err, errlen, "\"%.64s\" is not %d..%d or imix", s,
			 BENCH_FRAME_MIN, BENCH_FRAME_MAX);
		return -1;
	}
	return 0;
}

int
benchparam_percents(const char *s, unsigned *out, char *err, size_t errlen)
{
	const char *p = s;
	int n = 0;

	for (;; p++) {
		const char *d = p;
		unsigned v = 0;

		while (isdigit((unsigned char)*p) && v <= 100)
			v = v * 10 + (unsigned)(*p++ - '0');
		if (p == d || v > 100 || (*p != ',' && *p != '\0'))
			goto bad;
		if (n == BENCH_LAT_AT_MAX) {
			snprintf(err, errlen,
				 "more than %d percents; latency_at takes at "
				 "most %d",
				 BENCH_LAT_AT_MAX, BENCH_LAT_AT_MAX);
			return -1;
		}
		if (out != NULL)
			out[n] = v;
		n++;
		if (*p == '\0')
			return n;
	}
bad:
	snprintf(err, errlen,
		 "\"%.64s\" is not P1,P2,... (percents of the answer, "
		 "integers 0..100; 0 is a low probe rate)",
		 s);
	return -1;
}

/* A timeline: one constant rate, no rates, no search param; its bins
 * (duration / bin_ms) at most BENCH_BINS_MAX. */
static int
benchparam_timeline(json_object *params, const char *const *search_only,
		    const char **param, char *err, size_t errlen)
{
	json_object *v;
	long long dur = 10, bin = BENCH_BIN_MS_DEF;

	if (!json_object_object_get_ex(params, "rate", NULL)) {
		*param = "rate";
		snprintf(err, errlen, "a timeline needs rate (pps)");
		return -1;
	}
	if (json_object_object_get_ex(params, "rates", NULL)) {
		*param = "rates";
		snprintf(err, errlen,
			 "rates belong to a sweep; a timeline has one rate");
		return -1;
	}
	for (const char *const *k = search_only; *k; k++)
		if (json_object_object_get_ex(params, *k, NULL)) {
			*param = *k;
			snprintf(err, errlen,
				 "%s belongs to a search (ndr/pdr), not to a "
				 "timeline",
				 *k);
			return -1;
		}
	if (json_object_object_get_ex(params, "migrate", NULL) !=
	    json_object_object_get_ex(params, "to", NULL)) {
		*param = json_object_object_get_ex(params, "to", NULL)
			     ? "migrate"
			     : "to";
		snprintf(err, errlen,
			 "a migration needs both migrate (the node) and to "
			 "(the host)");
		return -1;
	}
	if (json_object_object_get_ex(params, "migrate_after", NULL) &&
	    !json_object_object_get_ex(params, "migrate", NULL)) {
		*param = "migrate_after";
		snprintf(err, errlen, "migrate_after belongs to a migration");
		return -1;
	}
	if (json_object_object_get_ex(params, "duration", &v))
		dur = json_object_get_int64(v);
	if (json_object_object_get_ex(params, "bin_ms", &v))
		bin = json_object_get_int64(v);
	if (bin > 0 && dur * 1000 / bin > BENCH_BINS_MAX) {
		*param = "bin_ms";
		snprintf(err, errlen,
			 "%lld ms bins over %lld s are more than %d: take a "
			 "longer bin",
			 bin, dur, BENCH_BINS_MAX);
		return -1;
	}
	return 0;
}

int
benchparam_modes(struct json_object *params, const char **param, char *err,
		 size_t errlen)
{
	static const char *const search_only[] = {
	    "loss", "trial_duration", "max_rate", "latency_at", NULL};
	static const char *const timeline_only[] = {
	    "rate", "bin_ms", "migrate", "to", "migrate_after", NULL};
	json_object *v;
	const char *mode = "";
	int sweep, pdr, timeline;

	if (json_object_object_get_ex(params, "mode", &v))
		mode = json_object_get_string(v);
	sweep = strcmp(mode, "sweep") == 0;
	pdr = strcmp(mode, "pdr") == 0;
	timeline = strcmp(mode, "timeline") == 0;
	if (timeline)
		return benchparam_timeline(params, search_only, param, err,
					   errlen);
	for (const char *const *k = timeline_only; *k; k++)
		if (json_object_object_get_ex(params, *k, NULL)) {
			*param = *k;
			snprintf(err, errlen,
				 "%s belongs to a timeline, not to %s", *k,
				 mode);
			return -1;
		}
	if (sweep) {
		if (!json_object_object_get_ex(params, "rates", NULL)) {
			*param = "rates";
			snprintf(err, errlen,
				 "a sweep needs rates (FROM:TO:STEP or "
				 "R1,R2,...)");
			return -1;
		}
		for (const char *const *k = search_only; *k; k++)
			if (json_object_object_get_ex(params, *k, NULL)) {
				*param = *k;
				snprintf(err, errlen,
					 "%s belongs to a search (ndr/pdr), "
					 "not to a sweep",
					 *k);
				return -1;
			}
		return 0;
	}
	if (json_object_object_get_ex(params, "rates", NULL)) {
		*param = "rates";
		snprintf(err, errlen, "rates belong to a sweep, not to %s",
			 mode);
		return -1;
	}
	if (pdr != json_object_object_get_ex(params, "loss", NULL)) {
		*param = "loss";
		snprintf(err, errlen, "%s",
			 pdr ? "pdr needs loss (a ratio such as 0.001)"
			     : "loss makes it a pdr search, not ndr");
		return -1;
	}
	return 0;
}
