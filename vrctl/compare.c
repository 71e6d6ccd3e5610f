/*
 * `bench compare DIR...`: several bench records in one table and one
 * plot, each run against the first, every pair of runs, and, for runs that
 * shared an experiment's rounds, the comparison paired by round
 * (docs/bench.md "bench compare"); bench_compare_runs is also what
 * `experiment` and the replays compare with.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchparam.h"
#include "jtext.h"
#include "summary.h"
#include "util.h"
#include "vrctl.h"

enum { OPT_OUT = 1300, OPT_LABEL };

/* Labels from what differs between the runs; the rest goes to the title. */
static void
compare_labels(struct bench_run *r, size_t n, char *title, size_t tlen)
{
	struct bench_desc *d = xcalloc(n, sizeof(*d));
	unsigned diff = 0;

	for (size_t i = 0; i < n; i++)
		bench_describe(r[i].record, &d[i]);
	for (size_t i = 1; i < n; i++)
		for (int k = 0; k < BENCH_DESC_N; k++)
			if (strcmp(d[i].f[k], d[0].f[k]) != 0)
				diff |= 1u << k;
	if (diff == 0)
		diff = (1u << BENCH_TOPO) | (1u << BENCH_CORES) |
		       (1u << BENCH_PIN);
	bench_desc_join(&d[0], BENCH_DESC_ALL & ~diff, ", ", title, tlen);
	for (size_t i = 0; i < n; i++) {
		if (r[i].label[0] != '\0')
			continue;
		bench_desc_join(&d[i], diff, ", ", r[i].label,
				sizeof(r[i].label));
	}
	/* Same words for two runs: tell them apart by directory. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(r[i].label, r[j].label) == 0) {
				const char *b = strrchr(r[j].dir, '/');
				size_t l = strlen(r[j].label);
				msgf(r[j].label + l, sizeof(r[j].label) - l,
				     " [%s]", b ? b + 1 : r[j].dir);
			}
	free(d);
}

/*
 * Were records a and b measured in the same rounds of one experiment?
 * Both name the same experiment (cli.experiment.name), have the same
 * number of rounds (2 or more), and each round of one began before the
 * next round of the other: every round is a block holding one run of
 * each, so their values may be paired by round.
 */
static int
rounds_interleaved(json_object *a, json_object *b)
{
	json_object *ea = j_get(j_get(a, "cli"), "experiment"),
		    *eb = j_get(j_get(b, "cli"), "experiment"),
		    *ra = j_get(a, "rounds"), *rb = j_get(b, "rounds");
	size_t n;

	if (ea == NULL || eb == NULL || j_get(ea, "name") == NULL ||
	    strcmp(j_str(ea, "name"), j_str(eb, "name")) != 0 ||
	    !json_object_is_type(ra, json_type_array) ||
	    !json_object_is_type(rb, json_type_array) ||
	    (n = json_object_array_length(ra)) < 2 ||
	    json_object_array_length(rb) != n)
		return 0;
	for (size_t i = 0; i + 1 < n; i++) {
		const char *a0 = j_str(json_object_array_get_idx(ra, i),
				       "started_at"),
			   *b0 = j_str(json_object_array_get_idx(rb, i),
				       "started_at"),
			   *a1 = j_str(json_object_array_get_idx(ra, i + 1),
				       "started_at"),
			   *b1 = j_str(json_object_array_get_idx(rb, i + 1),
				       "started_at");

		/* ISO 8601 UTC times compare as strings ("-": none) */
		if (*a0 == '-' || *b0 == '-' || strcmp(a0, b1) >= 0 ||
		    strcmp(b0, a1) >= 0)
			return 0;
	}
	return 1;
}

/*
 * An experiment's round r held `bench --repeat K` rounds of its own
 * (command.repeat = K x rounds): their values v[r*K .. r*K+K-1] become
 * the block's mean, in place.  Returns the number of blocks (the
 * experiment's rounds), or n when K is 1.
 */
static size_t
round_blocks(json_object *rec, double *v, size_t n)
{
	size_t rounds = json_object_array_length(j_get(rec, "rounds")),
	       k = rounds ? (size_t)j_int(j_get(rec, "command"), "repeat", 1) /
				rounds
			  : 1;

	if (k <= 1)
		return n;
	for (size_t r = 0; r < rounds; r++) {
		double sum = 0;
		size_t m = 0;

		for (size_t j = r * k; j < (r + 1) * k && j < n; j++)
			if (!isnan(v[j])) {
				sum += v[j];
				m++;
			}
		v[r] = m ? sum / (double)m : NAN;
	}
	return rounds;
}

/* A comparison's "paired" member (and its sentence): run i against run
 * base, when they were measured in the same rounds (rounds_interleaved). */
static void
compare_paired(struct bench_run *r, size_t base, size_t i, json_object *vs)
{
	double a[BENCH_REPEAT_MAX], b[BENCH_REPEAT_MAX];
	struct summary_paired pc;
	json_object *pj;
	size_t na, nb;
	char text[512];

	if (!rounds_interleaved(r[base].record, r[i].record))
		return;
	na = round_blocks(r[i].record, a,
			  summary_record_rounds(r[i].record, a, nitems(a)));
	nb = round_blocks(r[base].record, b,
			  summary_record_rounds(r[base].record, b, nitems(b)));
	if (na == 0 || nb == 0)
		return;
	summary_paired(a, b, na < nb ? na : nb, &pc);
	summary_paired_text(&pc, r[base].label, text, sizeof(text));
	pj = summary_paired_json(&pc);
	json_object_object_add(pj, "text", json_object_new_string(text));
	json_object_object_add(vs, "paired", pj);
}

/*
 * Each run against the first (the baseline), on the per-round values
 * (summary_record_values: a search's answers, a sweep's highest forwarded
 * rate per round): row "stats" (STATS) and, from the second row on,
 * "vs_first" (ratio with its CI, Welch's t-test, and the sentence; and
 * "paired", the comparison paired by round, when both ran in the same
 * rounds of one experiment).
 */
static void
compare_stats(struct bench_run *r, size_t n, json_object *rows)
{
	double base_v[BENCH_REPEAT_MAX], v[BENCH_REPEAT_MAX];
	struct summary base, s;
	size_t nb = summary_record_values(r[0].record, base_v, nitems(base_v));

	summary_compute(base_v, nb, &base);
	for (size_t i = 0; i < n; i++) {
		json_object *row = json_object_array_get_idx(rows, i), *c;
		size_t nv = summary_record_values(r[i].record, v, nitems(v));
		struct summary_cmp cmp;
		char text[512];

		json_object_object_add(row, "stats", summary_json(v, nv));
		/* like with like: a search's answer, a sweep's maximum */
		if (i == 0 || nv == 0 || nb == 0 ||
		    strcmp(j_str(row, "mode"),
			   j_str(json_object_array_get_idx(rows, 0), "mode")))
			continue;
		summary_compute(v, nv, &s);
		summary_compare(&s, &base, &cmp);
		summary_cmp_text(&cmp, &s, &base, r[0].label, text,
				 sizeof(text));
		c = summary_cmp_json(&cmp);
		json_object_object_add(c, "text", json_object_new_string(text));
		compare_paired(r, 0, i, c);
		json_object_object_add(row, "vs_first", c);
	}
}

/* How many matrix keys (cli.experiment.matrix) records a and b differ
 * in; -1 when either has no matrix. */
static int
matrix_distance(json_object *a, json_object *b)
{
	json_object *ma = j_get(j_get(j_get(a, "cli"), "experiment"), "matrix"),
		    *mb = j_get(j_get(j_get(b, "cli"), "experiment"), "matrix");
	int d = 0;

	if (!json_object_is_type(ma, json_type_object) ||
	    !json_object_is_type(mb, json_type_object))
		return -1;
	json_object_object_foreach(ma, key, va)
	{
		json_object *vb = j_get(mb, key);

		if (vb == NULL || strcmp(json_object_to_json_string_ext(
					     va, JSON_C_TO_STRING_PLAIN),
					 json_object_to_json_string_ext(
					     vb, JSON_C_TO_STRING_PLAIN)) != 0)
			d++;
	}
	return d;
}

/*
 * Every pair of runs of the same mode, the later against the earlier:
 * [{"run", "base", "matrix_keys_differ", "vs"}] where vs is the
 * comparison as vs_first has it (with "paired" when they shared rounds).
 */
static json_object *
compare_pairs(struct bench_run *r, size_t n, json_object *rows)
{
	double va[BENCH_REPEAT_MAX], vb[BENCH_REPEAT_MAX];
	json_object *pairs = json_object_new_array();

	for (size_t b = 0; b < n; b++)
		for (size_t i = b + 1; i < n; i++) {
			size_t na = summary_record_values(r[i].record, va,
							  nitems(va)),
			       nb = summary_record_values(r[b].record, vb,
							  nitems(vb));
			struct summary sa, sb;
			struct summary_cmp cmp;
			json_object *p, *c;
			char text[512];

			if (na == 0 || nb == 0 ||
			    strcmp(j_str(json_object_array_get_idx(rows, i),
					 "mode"),
				   j_str(json_object_array_get_idx(rows, b),
					 "mode")) != 0)
				continue;
			summary_compute(va, na, &sa);
			summary_compute(vb, nb, &sb);
			summary_compare(&sa, &sb, &cmp);
			summary_cmp_text(&cmp, &sa, &sb, r[b].label, text,
					 sizeof(text));
			c = summary_cmp_json(&cmp);
			json_object_object_add(c, "text",
					       json_object_new_string(text));
			compare_paired(r, b, i, c);
			p = json_object_new_object();
			json_object_object_add(
			    p, "run", json_object_new_string(r[i].label));
			json_object_object_add(
			    p, "base", json_object_new_string(r[b].label));
			json_object_object_add(
			    p, "matrix_keys_differ",
			    json_object_new_int(
				matrix_distance(r[i].record, r[b].record)));
			json_object_object_add(p, "vs", c);
			json_object_array_add(pairs, p);
		}
	return pairs;
}

/* The pairs that differ in one matrix key, other than against the first
 * run (printed above them): the effect of one factor, the others held. */
static void
compare_pairs_text(json_object *pairs, const char *first)
{
	size_t head = 0;

	for (size_t k = 0; k < json_object_array_length(pairs); k++) {
		json_object *p = json_object_array_get_idx(pairs, k),
			    *c = j_get(p, "vs");

		if (j_int(p, "matrix_keys_differ", -1) != 1 ||
		    strcmp(j_str(p, "base"), first) == 0)
			continue;
		if (!head++)
			printf("one matrix key changed (the later run against "
			       "the earlier):\n");
		printf("  %s %s\n", j_str(p, "run"), j_str(c, "text"));
		if (j_get(c, "paired") != NULL)
			printf("  %*s %s\n", (int)strlen(j_str(p, "run")), "",
			       j_str(j_get(c, "paired"), "text"));
	}
}

/*
 * The comparison of n runs: a table (or its JSON), and the overlay plot
 * in svg (when not NULL).  Returns the JSON {"title","runs":[...],"plot"}.
 */
json_object *
bench_compare_runs(struct bench_run *r, size_t n, const char *svg, int json,
		   int quiet)
{
	json_object *o = json_object_new_object(), *rows;
	json_object **recs = xcalloc(n, sizeof(*recs));
	const char **labels = xcalloc(n, sizeof(*labels));
	char title[512], common[400];
	double base = -1;
	size_t w = 3;
	int prv = -1;

	compare_labels(r, n, common, sizeof(common));
	msgf(title, sizeof(title), "forwarded against offered load%s%s",
	     *common ? ": " : "", common);
	rows = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *row = json_object_new_object();
		json_object *a = j_get(r[i].record, "trials");
		const char *what;
		double ans = bench_answer(r[i].record, &what), best = -1,
		       at = 0, key;

		for (size_t k = 0; a && k < json_object_array_length(a); k++) {
			json_object *t = json_object_array_get_idx(a, k);
			if (j_num(t, "forwarded_pps", 0) > best) {
				best = j_num(t, "forwarded_pps", 0);
				at = j_num(t, "offered_pps", 0);
			}
		}
		key = ans >= 0 ? ans : best;
		if (i == 0)
			base = key;
		json_object_object_add(row, "label",
				       json_object_new_string(r[i].label));
		json_object_object_add(row, "dir",
				       json_object_new_string(r[i].dir));
		json_object_object_add(
		    row, "mode",
		    json_object_new_string(
			j_str(j_get(r[i].record, "command"), "mode")));
		if (what != NULL)
			json_object_object_add(
			    row,
			    strcmp(what, "NDR") == 0 ? "ndr_pps" : "pdr_pps",
			    ans >= 0 ? json_object_new_double(ans) : NULL);
		json_object_object_add(row, "max_forwarded_pps",
				       json_object_new_double(best));
		json_object_object_add(row, "at_offered_pps",
				       json_object_new_double(at));
		json_object_object_add(
		    row, "trials",
		    json_object_new_int64(
			a ? (int64_t)json_object_array_length(a) : 0));
		if (base > 0)
			json_object_object_add(
			    row, "relative",
			    json_object_new_double(
				(double)(long long)(key / base * 1000 + 0.5) /
				1000));
		json_object_array_add(rows, row);
		recs[i] = r[i].record;
		labels[i] = r[i].label;
		if (strlen(r[i].label) > w)
			w = strlen(r[i].label);
	}
	compare_stats(r, n, rows);
	json_object_object_add(o, "title", json_object_new_string(title));
	json_object_object_add(o, "runs", rows);
	json_object_object_add(o, "pairs", compare_pairs(r, n, rows));
	if (svg != NULL) {
		prv = plot_svg(svg, title, recs, labels, n);
		if (prv == 0)
			json_object_object_add(o, "plot",
					       json_object_new_string(svg));
	}
	if (!json && !quiet) {
		if (*common)
			printf("common: %s\n", common);
		printf("%-*s %-5s %12s %12s %11s %6s %6s %3s %21s\n", (int)w,
		       "RUN", "MODE", "NDR/PDR_PPS", "MAX_FWD_PPS",
		       "AT_OFFERED", "TRIALS", "REL", "N", "CI95");
		for (size_t i = 0; i < n; i++) {
			json_object *row = json_object_array_get_idx(rows, i);
			json_object *ans = j_get(row, "ndr_pps");
			char a[32] = "-", rel[16] = "-", ci[64];

			if (ans == NULL)
				ans = j_get(row, "pdr_pps");
			if (ans)
				msgf(a, sizeof(a), "%.0f",
				     json_object_get_double(ans));
			if (j_get(row, "relative"))
				msgf(rel, sizeof(rel), "%.2f",
				     j_num(row, "relative", 0));
			ci_fmt(ci, sizeof(ci), j_get(row, "stats"), 0);
			printf("%-*s %-5s %12s %12.0f %11.0f %6lld %6s %3lld "
			       "%21s\n",
			       (int)w, r[i].label, j_str(row, "mode"), a,
			       j_num(row, "max_forwarded_pps", 0),
			       j_num(row, "at_offered_pps", 0),
			       j_int(row, "trials", 0), rel,
			       j_int(j_get(row, "stats"), "n", 0), ci);
		}
		for (size_t i = 1, head = 0; i < n; i++) {
			json_object *c = j_get(
			    json_object_array_get_idx(rows, i), "vs_first");
			if (c == NULL)
				continue;
			if (!head++)
				printf("against the first run (per round: a "
				       "search's answer, a sweep's highest "
				       "forwarded rate; ratio of means, 95 %% "
				       "CI by the delta method; runs measured "
				       "in the same rounds also paired by "
				       "round):\n");
			printf("  %s %s\n", r[i].label, j_str(c, "text"));
			if (j_get(c, "paired") != NULL)
				printf("  %*s %s\n", (int)strlen(r[i].label),
				       "", j_str(j_get(c, "paired"), "text"));
		}
		compare_pairs_text(j_get(o, "pairs"), r[0].label);
		if (prv == 0)
			printf("plot: %s\n", svg);
	}
	free(recs);
	free(labels);
	return o;
}

static json_object *
record_load(const char *arg, char *dir, size_t dlen)
{
	char path[PATH_MAX], msg[512];
	struct stat st;
	json_object *rec;
	size_t l = strlen(arg);

	if (stat(arg, &st) == 0 && S_ISREG(st.st_mode)) {
		const char *slash = strrchr(arg, '/');
		msgf(path, sizeof(path), "%s", arg);
		if (slash == NULL)
			msgf(dir, dlen, ".");
		else
			msgf(dir, dlen, "%.*s", (int)(slash - arg), arg);
	} else {
		while (l > 1 && arg[l - 1] == '/')
			l--;
		msgf(dir, dlen, "%.*s", (int)l, arg);
		msgf(path, sizeof(path), "%s/experiment.json", dir);
	}
	if ((rec = jtext_read(path, NULL, VRCTL_RECORD_MAX, msg,
			      sizeof(msg))) == NULL) {
		fprintf(stderr, "vrctl: %s\n", msg);
		return NULL;
	}
	if (strcmp(j_str(rec, "kind"), "vrouterd-bench") != 0) {
		fprintf(stderr,
			"vrctl: %s: not a vrctl bench record (\"kind\" is not "
			"\"vrouterd-bench\")\n",
			path);
		json_object_put(rec);
		return NULL;
	}
	return rec;
}

int
bench_compare(struct vrctl *v, const struct ctl_command *cmd, int argc,
	      char **argv)
{
	static const struct option opts[] = {
	    CTL_COMMON_LONGOPTS,
	    {"out", required_argument, NULL, OPT_OUT},
	    {"label", required_argument, NULL, OPT_LABEL},
	    {NULL, 0, NULL, 0},
	};
	const char *out = "compare.svg", *labels = NULL;
	struct bench_run *r = NULL;
	json_object *o;
	size_t n;
	int ch, rv = VRCTL_EDAEMON;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "s:ho:", opts, NULL)) != -1) {
		if (ch == OPT_OUT || ch == 'o')
			out = optarg;
		else if (ch == OPT_LABEL)
			labels = optarg;
		else if (!ctl_common_opt(v, cmd, ch))
			goto usage;
	}
	if (optind >= argc)
		goto usage;
	n = (size_t)(argc - optind);
	r = xcalloc(n, sizeof(*r));
	if (labels != NULL) {
		char *copy = xstrdup(labels), *save = NULL, *tok;
		size_t i = 0;
		for (tok = strtok_r(copy, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save), i++)
			if (i < n)
				msgf(r[i].label, sizeof(r[i].label), "%s", tok);
		free(copy);
		if (i != n) {
			fprintf(stderr,
				"vrctl: --label has %zu labels for %zu runs\n",
				i, n);
			free(r);
			goto usage;
		}
	}
	for (size_t i = 0; i < n; i++)
		if ((r[i].record = record_load(argv[optind + (int)i], r[i].dir,
					       sizeof(r[i].dir))) == NULL)
			goto done;
	o = bench_compare_runs(r, n, out, v->json, 0);
	if (v->json)
		printf("%s\n", json_object_to_json_string_ext(
				   o, JSON_C_TO_STRING_PRETTY |
					  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	rv = VRCTL_OK;
done:
	for (size_t i = 0; i < n; i++)
		json_object_put(r[i].record);
	free(r);
	return rv;
usage:
	ctl_usage(cmd, 1);
	return VRCTL_EUSAGE;
}
