/*
 * Measuring: `bench NAME` (the daemon's bench method: a sweep or an
 * NDR/PDR search by vrgen against a running topology), `bench compare
 * DIR...` (several runs in one table and one plot) and `experiment FILE`
 * (a matrix of start options, each started, benchmarked and stopped, then
 * compared).  What is written where: docs/bench.md; the files: figures.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jtext.h"
#include "benchparam.h"
#include "proto.h"
#include "summary.h"
#include "util.h"
#include "vrctl.h"

enum {
	OPT_SWEEP = 1200,
	OPT_NDR,
	OPT_LOSS,
	OPT_FRAME,
	OPT_FLOWS,
	OPT_DURATION,
	OPT_TRIAL_DURATION,
	OPT_MAX_RATE,
	OPT_CPU,
	OPT_TX,
	OPT_OUT,
	OPT_LABEL,
	OPT_REPEAT,
	OPT_LATENCY_AT,
};

/* "run 2/4 (cores=2): " in an experiment */
char bench_progress_tag[160];
/* trials seen in this call */
static long long notify_trials;

/* ------------------------------------------------------------------ */
/* Params of the bench method */

/*
 * Check the params of one bench call (the CLI's and an experiment file's
 * alike) against the bench method's table in lib/proto.c, the very check
 * vrouterd makes (limits and syntax: lib/benchparam.h); err says which
 * and why.  A "loss" given as a number (in a file) becomes the string the
 * protocol wants.
 */
int
bench_params_check(json_object *p, char *err, size_t len)
{
	const struct proto_method *m = &proto_methods[METHOD_BENCH];
	const size_t pre = strlen("bench: ");

	json_object_object_foreach(p, key, val)
	{
		const struct proto_param *q;

		for (q = m->params; q->name != NULL; q++)
			if (strcmp(q->name, key) == 0)
				break;
		if (q->name == NULL) {
			size_t l;
			msgf(err, len,
			     "unknown bench parameter \"%s\" (known:", key);
			for (q = m->params; q->name != NULL && len > 0; q++) {
				l = strlen(err);
				msgf(err + l, len - l, "%s %s",
				     q == m->params ? "" : ",", q->name);
			}
			l = strlen(err);
			msgf(err + l, len - l, ")");
			return -1;
		}
		if (strcmp(key, "loss") == 0 &&
		    (json_object_is_type(val, json_type_double) ||
		     json_object_is_type(val, json_type_int))) {
			char buf[64];
			msgf(buf, sizeof(buf), "%.10g",
			     json_object_get_double(val));
			json_object_object_add(p, key,
					       json_object_new_string(buf));
		}
	}
	if (proto_params_check(m, p, err, len) != 0) {
		/* its messages start with the method's name; ours do not */
		if (strncmp(err, "bench: ", pre) == 0)
			memmove(err, err + pre, strlen(err + pre) + 1);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Progress */

void
bench_notify(json_object *msg)
{
	json_object *p = j_get(msg, "params"), *t = j_get(p, "trial");
	json_object *lat = j_get(t, "latency_us");
	char p99[32] = "-", at[64];

	if (strcmp(j_str(msg, "method"), "progress") != 0) {
		fprintf(
		    stderr, "vrctl: %s%s: %s\n", bench_progress_tag,
		    j_str(msg, "method"),
		    json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
		return;
	}
	if (t == NULL) {
		fprintf(stderr, "vrctl: %s[%s] %s\n", bench_progress_tag,
			j_str(p, "step"), j_str(p, "message"));
		return;
	}
	if (j_get(lat, "p99"))
		msgf(p99, sizeof(p99), "%.1f", j_num(lat, "p99", 0));
	progress_trial(at, sizeof(at), ++notify_trials);
	fprintf(stderr,
		"vrctl: %strial %s %-8s offered %9.0f pps  forwarded %9.0f "
		"pps  loss %.6f  p99 %s us%s\n",
		bench_progress_tag, at, bench_trial_phase(t),
		j_num(t, "offered_pps", 0), j_num(t, "forwarded_pps", 0),
		j_num(t, "loss_ratio", 0), p99,
		j_get(t, "pass") == NULL ? ""
		: j_bool(t, "pass")	 ? "  pass"
		: j_bool(t, "short")	 ? "  FAIL (generator short)"
					 : "  FAIL");
}

/* ------------------------------------------------------------------ */
/* Helpers */

void
bench_iso_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		buf[0] = '\0';
}

void
bench_stamp_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	if (strftime(buf, len, "%Y%m%d-%H%M%S", &tm) == 0)
		buf[0] = '\0';
}

/* {"argv":[...], "cwd":...}: this very command line, from /proc. */
json_object *
bench_cli(int argc, char **argv)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	char cwd[PATH_MAX], *buf = NULL;
	size_t len = 0;
	FILE *f = fopen("/proc/self/cmdline", "re");

	if (f != NULL) {
		char chunk[4096];
		size_t n;
		FILE *m = open_memstream(&buf, &len);
		while (m && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, n, m);
		if (m)
			fclose(m);
		fclose(f);
	}
	if (buf != NULL && len > 0) {
		for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
			json_object_array_add(a,
					      json_object_new_string(buf + i));
	} else {
		json_object_array_add(a, json_object_new_string("vrctl"));
		for (int i = 0; i < argc; i++)
			json_object_array_add(a,
					      json_object_new_string(argv[i]));
	}
	free(buf);
	json_object_object_add(o, "argv", a);
	json_object_object_add(
	    o, "cwd",
	    json_object_new_string(getcwd(cwd, sizeof(cwd)) ? cwd : ""));
	return o;
}

/*
 * Make DIR for a run (parents too).  *made says whether it is new, so that
 * a failed run can take it away again.  An existing directory is fine if
 * it holds no earlier result (marker).
 */
int
bench_dir_prepare(const char *dir, const char *marker, int *made)
{
	char path[PATH_MAX], *p;
	struct stat st;

	*made = 0;
	msgf(path, sizeof(path), "%s", dir);
	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(dir, 0755) == 0) {
		*made = 1;
		return 0;
	}
	if (errno != EEXIST || stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
		goto fail;
	msgf(path, sizeof(path), "%s/%s", dir, marker);
	if (access(path, F_OK) == 0) {
		fprintf(stderr,
			"vrctl: %s holds an earlier result (%s); choose "
			"another --out\n",
			dir, marker);
		return -1;
	}
	return 0;
fail:
	fprintf(stderr, "vrctl: cannot create %s: %s\n", dir, strerror(errno));
	return -1;
}

/* ------------------------------------------------------------------ */
/* bench compare */

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

	if (ea == NULL || eb == NULL ||
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
	na = summary_record_rounds(r[i].record, a, nitems(a));
	nb = summary_record_rounds(r[base].record, b, nitems(b));
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

static int
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

/* ------------------------------------------------------------------ */
/* bench NAME */

/*
 * One bench call; on success the record (with "cli") is saved in dir
 * (unless dir is NULL: the caller saves it).
 * Returns VRCTL_* and the record in *recp (caller's) when there is one.
 */
int
bench_call(struct vrctl *v, const struct output *eout, json_object *params,
	   json_object *cli, const char *dir, json_object **recp, int *plot_rv)
{
	json_object *result, *error;

	*recp = NULL;
	notify_trials = 0;
	progress_begin(params);
	client_notify_hook =
	    v->out->progress != NULL ? v->out->progress : bench_notify;
	if (client_call(v->socket, METHOD_BENCH, params, &result, &error) ==
	    -1) {
		client_notify_hook = NULL;
		json_object_put(cli);
		return VRCTL_ECONNECT;
	}
	client_notify_hook = NULL;
	if (error != NULL) {
		eout->error(error);
		json_object_put(error);
		json_object_put(cli);
		return VRCTL_EDAEMON;
	}
	json_object_object_add(result, "cli", cli);
	*recp = result;
	if (dir == NULL) /* the caller saves (an experiment's later rounds) */
		return VRCTL_OK;
	if ((*plot_rv = bench_save_dir(dir, result)) == -1)
		return VRCTL_EDAEMON;
	return VRCTL_OK;
}

int
ctl_bench(struct vrctl *v, int argc, char **argv)
{
	static const struct option opts[] = {
	    CTL_COMMON_LONGOPTS,
	    {"sweep", required_argument, NULL, OPT_SWEEP},
	    {"ndr", no_argument, NULL, OPT_NDR},
	    {"loss", required_argument, NULL, OPT_LOSS},
	    {"frame", required_argument, NULL, OPT_FRAME},
	    {"flows", required_argument, NULL, OPT_FLOWS},
	    {"duration", required_argument, NULL, OPT_DURATION},
	    {"trial-duration", required_argument, NULL, OPT_TRIAL_DURATION},
	    {"max-rate", required_argument, NULL, OPT_MAX_RATE},
	    {"cpu", required_argument, NULL, OPT_CPU},
	    {"tx", required_argument, NULL, OPT_TX},
	    {"out", required_argument, NULL, OPT_OUT},
	    {"repeat", required_argument, NULL, OPT_REPEAT},
	    {"latency-at", required_argument, NULL, OPT_LATENCY_AT},
	    {NULL, 0, NULL, 0},
	};
	const struct ctl_command *cmd = ctl_command_find("bench");
	json_object *params, *rec = NULL;
	char dir[PATH_MAX], stamp[32], err[512];
	const char *out = NULL, *sweep = NULL, *loss = NULL;
	int ch, ndr = 0, rv = 0, made, plot_rv = 1;

	if (argc > 1 && strcmp(argv[1], "compare") == 0)
		return bench_compare(v, cmd, argc - 1, argv + 1);
	if (replay_wanted(argc, argv))
		return replay_bench(v, argc, argv);
	params = json_object_new_object();
	optind = 0;
	while ((ch = getopt_long(argc, argv, "s:ho:", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_SWEEP:
			sweep = optarg;
			break;
		case OPT_NDR:
			ndr = 1;
			break;
		case OPT_LOSS:
			loss = optarg;
			break;
		case OPT_FRAME:
			json_object_object_add(params, "frame",
					       json_object_new_string(optarg));
			break;
		case OPT_FLOWS:
			rv = ctl_int(params, "flows", optarg);
			break;
		case OPT_DURATION:
			rv = ctl_int(params, "duration", optarg);
			break;
		case OPT_TRIAL_DURATION:
			rv = ctl_int(params, "trial_duration", optarg);
			break;
		case OPT_MAX_RATE:
			rv = ctl_int(params, "max_rate", optarg);
			break;
		case OPT_CPU:
			rv = ctl_int(params, "cpu", optarg);
			break;
		case OPT_REPEAT:
			rv = ctl_int(params, "repeat", optarg);
			break;
		case OPT_TX:
			json_object_object_add(params, "tx",
					       json_object_new_string(optarg));
			break;
		case OPT_LATENCY_AT:
			json_object_object_add(params, "latency_at",
					       json_object_new_string(optarg));
			break;
		case OPT_OUT:
		case 'o':
			out = optarg;
			break;
		default:
			if (!ctl_common_opt(v, cmd, ch))
				goto usage;
		}
		if (rv == -1)
			goto usage;
	}
	if (argc - optind != 1 || (sweep != NULL) == ndr) {
		if (argc - optind == 1)
			fprintf(stderr, "vrctl: bench: give --sweep RATES or "
					"--ndr (one of them)\n");
		goto usage;
	}
	json_object_object_add(params, "name",
			       json_object_new_string(argv[optind]));
	json_object_object_add(params, "mode",
			       json_object_new_string(sweep  ? "sweep"
						      : loss ? "pdr"
							     : "ndr"));
	if (sweep)
		json_object_object_add(params, "rates",
				       json_object_new_string(sweep));
	if (loss)
		json_object_object_add(params, "loss",
				       json_object_new_string(loss));
	if (bench_params_check(params, err, sizeof(err)) == -1) {
		fprintf(stderr, "vrctl: bench: %s\n", err);
		goto usage;
	}
	if (out == NULL) {
		bench_stamp_now(stamp, sizeof(stamp));
		msgf(dir, sizeof(dir), "bench-%s-%s", argv[optind], stamp);
	} else
		msgf(dir, sizeof(dir), "%s", out);
	if (bench_dir_prepare(dir, "experiment.json", &made) == -1) {
		json_object_put(params);
		return VRCTL_EDAEMON;
	}
	rv = bench_call(v, v->out, params, bench_cli(argc, argv), dir, &rec,
			&plot_rv);
	if (rec == NULL) {
		if (made)
			(void)rmdir(dir);
	} else if (v->json) {
		printf("%s\n", json_object_to_json_string_ext(
				   rec, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
		fprintf(stderr, "vrctl: results in %s\n", dir);
	} else
		bench_print_text(rec, dir, plot_rv);
	json_object_put(rec);
	return rv;
usage:
	json_object_put(params);
	ctl_usage(cmd, 1);
	return VRCTL_EUSAGE;
}
