/*
 * One bench run told to a person: its trials as a table (offered,
 * achieved, forwarded, loss, latency, CPU), the search's answer or the
 * sweep's rows with their confidence intervals when repeated, the
 * latency-at trials, and where the run's files went.  The --json output is
 * the record itself (bench.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"
#include "util.h"
#include "vrctl.h"

/* "[lo, hi]" of a STATS, "-" when it has none (n = 1). */
void
ci_fmt(char *buf, size_t len, json_object *stats, int decimals)
{
	json_object *ci = j_get(stats, "ci95");
	char lo[32], hi[32];

	if (ci == NULL || !json_object_is_type(ci, json_type_array) ||
	    json_object_array_length(ci) != 2) {
		msgf(buf, len, "-");
		return;
	}
	msgf(lo, sizeof(lo), "%.*f", decimals,
	     json_object_get_double(json_object_array_get_idx(ci, 0)));
	msgf(hi, sizeof(hi), "%.*f", decimals,
	     json_object_get_double(json_object_array_get_idx(ci, 1)));
	msgf(buf, len, "[%s, %s]", lo, hi);
}

/* A search repeated: its answer's statistics over the rounds. */
static void
bench_print_answers(json_object *record, const char *what)
{
	json_object *st =
	    j_get(j_get(record, "answers"),
		  strcmp(what, "NDR") == 0 ? "ndr_pps" : "pdr_pps");
	json_object *vals = j_get(st, "values"), *ex = j_get(st, "excluded"),
		    *lb = j_get(st, "lower_bound");
	char ci[64];

	if (st == NULL)
		return;
	ci_fmt(ci, sizeof(ci), st, 0);
	/* "NDR over 3 of 4 rounds; round 2 excluded: status aborted; round 1
	 * a lower bound: generator-limited" */
	printf("%s over %lld of %lld rounds", what, j_int(st, "n", 0),
	       j_int(st, "n", 0) + j_int(st, "n_excluded", 0));
	for (size_t i = 0; ex && i < json_object_array_length(ex); i++) {
		json_object *e = json_object_array_get_idx(ex, i);

		printf("; round %lld excluded: %s", j_int(e, "round", 0),
		       j_str(e, "why"));
	}
	for (size_t i = 0; lb && i < json_object_array_length(lb); i++) {
		json_object *e = json_object_array_get_idx(lb, i);

		printf("; round %lld a lower bound: %s", j_int(e, "round", 0),
		       j_str(e, "why"));
	}
	if (j_int(st, "n", 0) == 0) {
		printf(": no usable round, no answer\n");
		return;
	}
	printf(": median %.0f, mean %.0f, stddev %.0f, "
	       "min %.0f, max %.0f, 95 %% CI of the mean %s (Student t); "
	       "values",
	       j_num(st, "median", 0), j_num(st, "mean", 0),
	       j_num(st, "stddev", 0), j_num(st, "min", 0), j_num(st, "max", 0),
	       ci);
	for (size_t i = 0; vals && i < json_object_array_length(vals); i++)
		printf(" %.0f", json_object_get_double(
				    json_object_array_get_idx(vals, i)));
	printf("\n");
}

/* A sweep repeated: one row per rate, the median and its 95 % CI. */
static void
bench_print_points(json_object *points)
{
	printf("%12s %3s %13s %23s %11s %23s %5s\n", "OFFERED_PPS", "N",
	       "FWD_MEDIAN", "FWD_CI95", "LOSS_MEDIAN", "LOSS_CI95", "SHORT");
	for (size_t i = 0; i < json_object_array_length(points); i++) {
		json_object *p = json_object_array_get_idx(points, i);
		json_object *f = j_get(p, "forwarded_pps"),
			    *l = j_get(p, "loss_ratio");
		char fci[64], lci[64];

		ci_fmt(fci, sizeof(fci), f, 0);
		ci_fmt(lci, sizeof(lci), l, 6);
		printf("%12.0f %3lld %13.0f %23s %11.6f %23s %5lld\n",
		       j_num(p, "offered_pps", 0), j_int(p, "n", 0),
		       j_num(f, "median", 0), fci, j_num(l, "median", 0), lci,
		       j_int(p, "short", 0));
	}
	printf("median and 95 %% CI of the mean (Student t) over the rounds; "
	       "SHORT: rounds where the generator fell short\n");
}

/* The latency-at trials after a search (record13: latency_at[]). */
static void
bench_print_latency_at(json_object *rows)
{
	size_t n = rows ? json_object_array_length(rows) : 0;

	if (rows == NULL)
		return;
	if (n == 0) {
		printf(
		    "latency at: no trial (no answer to take percents of)\n");
		return;
	}
	printf("%7s %12s %9s %9s %9s %9s %10s\n", "PERCENT", "OFFERED_PPS",
	       "P50_US", "P90_US", "P99_US", "P99.9_US", "MAX_US");
	for (size_t i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(rows, i);
		json_object *lat = j_get(j_get(r, "trial"), "latency_us");

		printf("%7lld %12.0f %9.1f %9.1f %9.1f %9.1f %10.1f\n",
		       j_int(r, "percent", 0), j_num(r, "offered_pps", 0),
		       j_num(lat, "p50", 0), j_num(lat, "p90", 0),
		       j_num(lat, "p99", 0), j_num(lat, "p999", 0),
		       j_num(lat, "max", 0));
	}
}

/* A trial's CPU accounting in one line (vrgen's trial.cpu, docs/vrgen.md) */
static void
bench_print_cpu(json_object *cpu)
{
	json_object *b = j_get(cpu, "busiest");
	double rs = j_num(cpu, "router_cpu_s", -1),
	       ppc = j_num(cpu, "pkts_per_router_cpu_s", -1);
	char router[128] = "";

	if (cpu == NULL)
		return;
	if (rs >= 0 && ppc >= 0)
		msgf(router, sizeof(router),
		     "; router %.3f CPU-s (%s), %.0f "
		     "pkts per CPU-s",
		     rs, j_str(cpu, "router_cpu_basis"), ppc);
	else if (rs >= 0)
		msgf(router, sizeof(router), "; router %.3f CPU-s (%s)", rs,
		     j_str(cpu, "router_cpu_basis"));
	printf("         busiest: %s at %.0f %%; bounded by: %s%s\n",
	       j_str(b, "what"), j_num(b, "util_pct", 0),
	       j_str(cpu, "bounded_by"), router);
	if (j_get(cpu, "router_cpu_note") != NULL)
		printf("         router time: %s\n",
		       j_str(cpu, "router_cpu_note"));
}

/*
 * A timeline's rounds: lost, the longest gap and when, the rate either
 * side of it, and the marks on the same time axis.
 */
static void
bench_print_timeline(json_object *record)
{
	json_object *a = j_get(record, "trials"),
		    *marks = j_get(record, "marks");

	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *t = json_object_array_get_idx(a, i);
		json_object *tl = j_get(t, "timeline"), *gap = j_get(tl, "gap");

		if (tl == NULL)
			continue;
		printf("round %lld: lost %lld of %lld (by sequence %lld), "
		       "reordered %lld; longest gap %.1f ms at t=%.3f s "
		       "(%lld sequence numbers skipped); rate before %.0f "
		       "pps, after %.0f pps\n",
		       j_int(t, "repeat", 0), j_int(t, "lost", 0),
		       j_int(t, "sent", 0), j_int(tl, "lost_seq", 0),
		       j_int(tl, "reordered", 0), j_num(gap, "ms", 0),
		       j_num(gap, "at_s", 0), j_int(gap, "skipped", 0),
		       j_num(tl, "rate_before_pps", 0),
		       j_num(tl, "rate_after_pps", 0));
		if (j_get(tl, "sender_pause") != NULL)
			printf("  the generator's longest pause %.1f ms at "
			       "t=%.3f s (a gap no longer, at that time, is "
			       "the generator's)\n",
			       j_num(j_get(tl, "sender_pause"), "ms", 0),
			       j_num(j_get(tl, "sender_pause"), "at_s", 0));
		for (size_t k = 0; marks && k < json_object_array_length(marks);
		     k++) {
			json_object *m = json_object_array_get_idx(marks, k);

			if (j_int(m, "repeat", 0) != j_int(t, "repeat", 0))
				continue;
			printf("  mark t=%.3f s", j_num(m, "t", 0));
			if (j_get(m, "t_uncertainty_s") != NULL)
				printf(" +- %.3f s",
				       j_num(m, "t_uncertainty_s", 0));
			printf(": %s\n", j_str(m, "label"));
		}
	}
	if ((a = j_get(record, "clock")) != NULL) {
		if (j_bool(a, "measured"))
			printf("the sink on host %s: its clock %+.3f ms from "
			       "ours, +- %.3f ms (marks moved by it; gap and "
			       "loss are the sink's alone)\n",
			       j_str(a, "sink_host"),
			       j_num(a, "offset_s", 0) * 1e3,
			       j_num(a, "uncertainty_s", 0) * 1e3);
		else
			printf("the sink on host %s: its clock offset not "
			       "measured (%s): no marks\n",
			       j_str(a, "sink_host"), j_str(a, "error"));
	}
	printf("times on the sink's clock, t = 0 the stream's start; bins of "
	       "%lld ms in experiment.json (trials[].timeline)\n",
	       j_int(j_get(record, "command"), "bin_ms", 10));
	if ((a = j_get(record, "blackout")) != NULL) {
		json_object *m = j_get(record, "migration");

		if (j_bool(a, "ok"))
			printf(
			    "migration %s -> %s: lost %lld packets, gap %.1f "
			    "ms, total %lld ms (downtime %lld ms, memory "
			    "%.1f MiB)\n",
			    j_str(m, "from"), j_str(m, "to"),
			    j_int(a, "lost", 0), j_num(a, "gap_ms", 0),
			    j_int(a, "total_ms", 0), j_int(a, "downtime_ms", 0),
			    (double)j_int(a, "memory_bytes", 0) / (1 << 20));
		else
			printf("migration failed: %s\n", j_str(m, "error"));
	}
}

void
bench_print_text(json_object *record, const char *dir, int plot_rv)
{
	json_object *a = j_get(record, "trials"),
		    *res = j_get(record, "result");
	const char *what;
	double ans = bench_answer(record, &what), best = -1, at = 0;
	int shorts = 0,
	    repeat = (int)j_int(j_get(record, "command"), "repeat", 1);
	json_object *points = j_get(record, "points");

	if (repeat > 1 && points != NULL &&
	    json_object_array_length(points) > 0) {
		bench_print_points(points);
	} else
		printf("%-8s %12s %12s %13s %8s %8s %11s %9s %9s %10s\n",
		       "PHASE", "OFFERED_PPS", "SENT_PPS", "FORWARDED_PPS",
		       "FWD_L1_G", "FWD_L2_G", "LOSS_RATIO", "P50_US", "P99_US",
		       "MAX_US");
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *t = json_object_array_get_idx(a, i);
		json_object *lat = j_get(t, "latency_us");
		double fwd = j_num(t, "forwarded_pps", 0), fb;

		if (fwd > best) {
			best = fwd;
			at = j_num(t, "offered_pps", 0);
		}
		shorts += j_bool(t, "short") ? 1 : 0;
		if (repeat > 1 && points != NULL)
			continue;
		fb = bench_frame_bytes(record, t);
		/* no latency (the sink on another host): "-", not 0 */
		char l50[16] = "-", l99[16] = "-", lmax[16] = "-";
		if (lat != NULL) {
			msgf(l50, sizeof(l50), "%.1f", j_num(lat, "p50", 0));
			msgf(l99, sizeof(l99), "%.1f", j_num(lat, "p99", 0));
			msgf(lmax, sizeof(lmax), "%.1f", j_num(lat, "max", 0));
		}
		printf("%-8s %12.0f %12.0f %13.0f %8.4f %8.4f %11.6f %9s %9s "
		       "%10s%s\n",
		       bench_trial_phase(t), j_num(t, "offered_pps", 0),
		       j_num(t, "achieved_pps", 0), fwd, bench_gbps(fwd, fb, 1),
		       bench_gbps(fwd, fb, 0), j_num(t, "loss_ratio", 0), l50,
		       l99, lmax, j_bool(t, "short") ? "  short" : "");
		bench_print_cpu(j_get(t, "cpu"));
	}
	if (j_get(record, "latency") != NULL &&
	    !j_bool(j_get(record, "latency"), "measured"))
		printf("latency not measured: %s\n",
		       j_str(j_get(record, "latency"), "reason"));
	if (shorts)
		printf("short: the generator sent more than 1 %% below the "
		       "offered rate (that trial measured the generator; a "
		       "search counts it as failed)\n");
	if (what != NULL) {
		char allowed[64] = "";
		if (strcmp(what, "PDR") == 0)
			msgf(allowed, sizeof(allowed), ", loss ratio <= %s",
			     j_str(j_get(record, "command"), "loss"));
		if (ans >= 0)
			printf("%s %.0f pps (", what, ans);
		else /* no usable round: the first round's, not an answer */
			printf("%s none (no usable round; the first round's "
			       "%.0f pps: ",
			       what,
			       j_num(res,
				     strcmp(what, "NDR") == 0 ? "ndr_pps"
							      : "pdr_pps",
				     0));
		printf("%s%s%s; %lld trials)\n", j_str(res, "status"), allowed,
		       j_bool(res, "confirmed") ? ", confirmed" : "",
		       j_int(res, "trials",
			     a ? (long long)json_object_array_length(a) : 0));
		if (repeat > 1 || ans < 0)
			bench_print_answers(record, what);
		if (j_bool(res, "generator_limited"))
			printf("warning: generator-limited: the generator "
			       "could not offer the rate just above the "
			       "answer; the router may forward more (give "
			       "the generator a CPU of its own: --cpu)\n");
	}
	if (best >= 0 && !bench_is_timeline(record))
		printf("max forwarded %.0f pps (L1 %.4f Gbps) at %.0f "
		       "offered\n",
		       best,
		       bench_gbps(best, bench_frame_bytes(record, NULL), 1),
		       at);
	bench_print_latency_at(j_get(record, "latency_at"));
	if (bench_is_timeline(record)) {
		bench_print_timeline(record);
		printf("results in %s: experiment.json results.csv%s\n", dir,
		       plot_rv == 0 ? " timeline.svg" : " (no timeline.svg)");
		return;
	}
	printf("results in %s: experiment.json results.csv%s\n", dir,
	       plot_rv == 0 ? " plot.svg" : " (no plot.svg)");
}
