/*
 * The rules of a bench's parameters, defined once: the limits (flows,
 * durations, rates per sweep, the highest rate, frame sizes, the loss
 * ratio, the generator CPU) and the syntax of the string params (a rate
 * list or sweep, a loss ratio, a frame spec), with one checker each.
 *
 * Who checks against them: lib/proto.c's table for the bench method (so
 * vrouterd refuses a bad request with -32602 before vrgen runs, and vrctl,
 * its CLI and experiment files, refuses the same values before calling),
 * and vrgen's own options (vrgen/vrgen.c).  docs/protocol.md, bench.md,
 * vrgen.md and vrctl.1 quote the numbers; tests/unit/test_benchparam.c
 * checks that they still do.
 */
#ifndef VR_BENCHPARAM_H
#define VR_BENCHPARAM_H

#include <stddef.h>

#define BENCH_FLOWS_MAX	   16384     /* distinct 5-tuples (vrgen's sink) */
#define BENCH_DURATION_MAX 3600	     /* s: a sweep trial, a search's final */
#define BENCH_TRIAL_MAX	   3600	     /* s: one search trial */
#define BENCH_RATES_MAX	   256	     /* rates (trials) in one sweep */
#define BENCH_RATE_MAX	   100000000 /* pps: any rate, max_rate */
#define BENCH_FRAME_MIN	   64	     /* bytes with FCS (RFC 2544) */
#define BENCH_FRAME_MAX	   1518
#define BENCH_LOSS_MAX	   0.5	/* a PDR's loss ratio is in (0, 0.5] */
#define BENCH_CPU_MAX	   1023 /* CPU_SETSIZE - 1: vrgen pins with it */
#define BENCH_REPEAT_MAX   100	/* rounds of a bench (--repeat) */
#define BENCH_LAT_AT_MAX   8	/* latency_at: percents of the answer */
#define BENCH_WATCH_MAX	   256	/* topology threads vrgen --watch samples */

/* A timeline (mode timeline, vrgen timeline): its bin in ms, 1..MAX, and
 * the most bins its duration may span. */
#define BENCH_BIN_MS_MAX 1000
#define BENCH_BIN_MS_DEF 10
#define BENCH_BINS_MAX	 360000

/*
 * A sweep's rates: "FROM:TO:STEP" or "R1,R2,...", decimal integers in
 * 1..BENCH_RATE_MAX (FROM <= TO, STEP >= 1), at most BENCH_RATES_MAX of
 * them: never cut short.  out (room for BENCH_RATES_MAX) receives them
 * unless NULL.  Returns the count, or -1 with a message in err (without
 * the param's name; the caller prefixes it).
 */
int benchparam_rates(const char *s, double *out, char *err, size_t errlen);

/* A PDR's loss ratio: a decimal number ("0.001", "1e-3") in
 * (0, BENCH_LOSS_MAX].  *ratio (unless NULL) receives it.  0 or -1. */
int benchparam_loss(const char *s, double *ratio, char *err, size_t errlen);

/* A frame spec: a decimal size in BENCH_FRAME_MIN..BENCH_FRAME_MAX or
 * "imix".  0 or -1. */
int benchparam_frame(const char *s, char *err, size_t errlen);

/*
 * A search's latency_at: "P1,P2,..." decimal integers in 0..100 (percent
 * of the NDR/PDR answer; 0 is the low probe rate, 1 % of the answer), at
 * most BENCH_LAT_AT_MAX of them.  out (room for BENCH_LAT_AT_MAX)
 * receives them unless NULL.  Returns the count, or -1 with err set.
 */
int benchparam_percents(const char *s, unsigned *out, char *err, size_t errlen);

/*
 * The rules across a bench's params, which a per-param table cannot say:
 * a sweep needs rates and takes no search param (loss, trial_duration,
 * max_rate, latency_at); ndr and pdr take no rates; pdr needs loss and ndr has
 * none; a timeline needs rate, takes neither rates nor a search param, and
 * its duration spans at most BENCH_BINS_MAX bins; rate and bin_ms belong to
 * a timeline only. params is a json_object already checked param by param.  0,
 * or -1 with err set and *param naming the param at fault.
 */
struct json_object;
int benchparam_modes(struct json_object *params, const char **param, char *err,
		     size_t errlen);

#endif
