/* The files of a bench run and an experiment (vrctl/figures.c, vrctl/csv.c,
 * compiled in) from synthetic records (tests/unit/records: a format-1
 * sweep with a short trial; format-2 records with points, answers, cpu,
 * latency percentiles and histograms, latency_at): results.csv,
 * trials.csv and the gnuplot scripts against golden files, the rules they
 * keep (short trials hollow and listed, bars only with repeats, L1/L2
 * Gbps), and, when gnuplot is installed, every figure in SVG, PDF and
 * PNG. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "golden.h"
#include "t.h"
#include "summary.h"
#include "vrctl.h"

#ifndef RECORDS_DIR
#error "RECORDS_DIR must be defined (tests/unit.cmake)"
#endif

static char tmp[] = "/tmp/test_plot.XXXXXX";

static char *
slurp(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return golden_read(path);
}

/* DIR/NAME against golden PREFIX-NAME; returns the text (or NULL). */
static char *
golden_file(const char *dir, const char *prefix, const char *name)
{
	char g[256];
	char *s = slurp(dir, name);

	snprintf(g, sizeof(g), "plot-%s-%s", prefix, name);
	CHECK(s != NULL);
	if (s != NULL)
		golden_check(g, s);
	return s;
}

static int
exists(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 && st.st_size > 0;
}

static json_object *
record(const char *name)
{
	char path[4096];
	json_object *r;

	snprintf(path, sizeof(path), "%s/%s.json", RECORDS_DIR, name);
	r = json_object_from_file(path);
	if (r == NULL) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	return r;
}

static void
save(const char *sub, json_object *rec, char *dir, size_t len)
{
	snprintf(dir, len, "%s/%s", tmp, sub);
	CHECK(mkdir(dir, 0700) == 0);
	bench_save_dir(dir, rec);
}

/* A field of row (1-based) and column (by name) of a CSV without quotes. */
static void
csv_cell(const char *csv, int row, const char *col, char *out, size_t len)
{
	char *copy = strdup(csv), *save = NULL, *hdr, *line = NULL, *f;
	int idx = -1, i = 0;

	out[0] = '\0';
	hdr = strtok_r(copy, "\n", &save);
	for (int r = 0; r < row; r++)
		line = strtok_r(NULL, "\n", &save);
	for (f = hdr; f != NULL; f = strchr(f, ','), f = f ? f + 1 : NULL) {
		if (strncmp(f, col, strlen(col)) == 0 &&
		    (f[strlen(col)] == ',' || f[strlen(col)] == '\0'))
			idx = i;
		i++;
	}
	for (i = 0, f = line; f != NULL && idx >= 0 && i < idx; i++)
		f = strchr(f, ',') ? strchr(f, ',') + 1 : NULL;
	if (f != NULL && idx >= 0)
		snprintf(out, len, "%.*s", (int)strcspn(f, ","), f);
	free(copy);
}

static void
check_files(const char *dir, const char *const *names, size_t n, int want)
{
	static const char *const ext[] = {"svg", "pdf", "png"};

	for (size_t i = 0; i < n; i++)
		for (size_t e = 0; e < 3; e++) {
			char f[256];
			snprintf(f, sizeof(f), "%s.%s", names[i], ext[e]);
			if (exists(dir, f) != want)
				fprintf(stderr, "%s/%s: %s\n", dir, f,
					want ? "missing" : "there");
			CHECK(exists(dir, f) == want);
		}
}

int
main(void)
{
	json_object *v1 = record("sweep-v1"), *v2 = record("sweep-v2");
	json_object *nd = record("ndr-v2");
	static const char *const run_figs[] = {"plot", "loss", "latency",
					       "cdf"};
	static const char *const exp_figs[] = {"answers", "speedup"};
	char dir[4096], cell[64], cmd[4200];
	char *s;
	struct bench_run runs[3];
	int gnuplot;

	if (mkdtemp(tmp) == NULL)
		return 1;
	gnuplot = system("command -v gnuplot >/dev/null 2>&1") == 0;
	setenv("VRCTL_GNUPLOT", "/nonexistent/gnuplot", 1);

	/* format 1: the short trial hollow, listed, at its achieved rate */
	save("v1", v1, dir, sizeof(dir));
	s = golden_file(dir, "sweep-v1", "results.csv");
	csv_cell(s, 1, "offered_l1_gbps", cell, sizeof(cell));
	CHECK_STR(cell, "0.000672"); /* 1000 pps x (64 + 20) B x 8 */
	csv_cell(s, 1, "forwarded_l2_gbps", cell, sizeof(cell));
	CHECK_STR(cell, "0.000512");
	csv_cell(s, 3, "short", cell, sizeof(cell));
	CHECK_STR(cell, "true");
	csv_cell(s, 3, "lat_p90_us", cell, sizeof(cell));
	CHECK_STR(cell, ""); /* format 1 has no p90: an empty field */
	free(s);
	s = golden_file(dir, "sweep-v1", "plot.gp");
	CHECK(strstr(s, "#   short: forwarded at offered 3000 pps: achieved "
			"2859 pps") != NULL);
	CHECK(strstr(s, "\n2859 2859 2859 2859 1 3000\n") != NULL);
	CHECK(strstr(s, "pt 4 ps 1.3 title 'short") != NULL);
	CHECK(strstr(s, "yerrorbars") == NULL);
	CHECK(strstr(s, "set terminal pdfcairo") != NULL);
	CHECK(strstr(s, "set output 'plot.png'") != NULL);
	free(s);
	free(golden_file(dir, "sweep-v1", "loss.gp")); /* 2000 pps lost 10 */
	free(golden_file(dir, "sweep-v1", "latency.gp"));
	CHECK(!exists(dir, "cdf.gp")); /* no histogram in format 1 */

	/* format 2: medians of the rounds with CI bars; imix Gbps */
	save("v2", v2, dir, sizeof(dir));
	s = golden_file(dir, "sweep-v2", "results.csv");
	csv_cell(s, 1, "frame_bytes", cell, sizeof(cell));
	CHECK_STR(cell, "361.8333333");
	csv_cell(s, 1, "repeat", cell, sizeof(cell));
	CHECK_STR(cell, "0");
	csv_cell(s, 9, "repeat", cell, sizeof(cell));
	CHECK_STR(cell, "2");
	csv_cell(s, 1, "router_cpu_s", cell, sizeof(cell));
	CHECK_STR(cell, "9.5");
	CHECK(strstr(s, ",\"vcpu vr0/0, CPU 0\",95\n") != NULL);
	free(s);
	s = golden_file(dir, "sweep-v2", "plot.gp");
	CHECK(strstr(s, "with yerrorbars") != NULL);
	CHECK(strstr(s, "(more than one round)") != NULL);
	free(s);
	free(golden_file(dir, "sweep-v2", "latency.gp"));

	/* an NDR search: answer line, latency CDF at the latency-at loads */
	save("ndr", nd, dir, sizeof(dir));
	free(golden_file(dir, "ndr-v2", "results.csv"));
	s = golden_file(dir, "ndr-v2", "cdf.gp");
	CHECK(strstr(s, "90 % of NDR (45450 pps)") != NULL);
	free(s);
	CHECK(exists(dir, "loss.gp")); /* the max-rate trial lost 40 % */

	/* an experiment: 3 runs, cores and pin in the matrix */
	for (int i = 0; i < 3; i++) {
		json_object *r = json_object_get(nd), *m, *x;
		static const char *const labels[] = {"cores=1 pin=false",
						     "cores=2 pin=false",
						     "cores=2 pin=true"};

		r = json_tokener_parse(json_object_to_json_string(nd));
		json_object_put(nd);
		x = json_object_new_object();
		m = json_object_new_object();
		json_object_object_add(m, "cores",
				       json_object_new_int(i == 0 ? 1 : 2));
		json_object_object_add(m, "pin",
				       json_object_new_boolean(i == 2));
		json_object_object_add(x, "index", json_object_new_int(i + 1));
		json_object_object_add(x, "matrix", m);
		json_object_object_add(j_get(r, "cli"), "experiment", x);
		if (i == 1) { /* one round: no CI */
			json_object_object_add(r, "ndr_pps",
					       json_object_new_int(100000));
			json_object_object_del(r, "answers");
		}
		runs[i].record = r;
		snprintf(runs[i].label, sizeof(runs[i].label), "%s", labels[i]);
	}
	CHECK(plot_experiment(tmp, "exp", runs, 3) == 0);
	s = golden_file(tmp, "exp", "trials.csv");
	CHECK(strncmp(s, "run,label,cores,pin,phase,repeat,", 33) == 0);
	csv_cell(s, 9, "cores", cell, sizeof(cell));
	CHECK_STR(cell, "2");
	free(s);
	s = golden_file(tmp, "exp", "answers.gp");
	/* colour by order of appearance: the third label is green */
	CHECK(strstr(s, "\"cores=2 pin=true\" 50500 48348.67364 "
			"52651.32636 2924588") != NULL);
	free(s);
	s = golden_file(tmp, "exp", "speedup.gp");
	CHECK(strstr(s, "title 'pin=false'") != NULL);
	CHECK(strstr(s, "\n2 100000 1.98019802\n") != NULL);
	CHECK(strstr(s, "pin=true") == NULL); /* one core count: not drawn */
	free(s);

	/* review 1316 #5: the whisker is the CI of the mean, so the bar is
	 * the mean (47000), not the median (41000) of skewed rounds */
	{
		json_object *r = json_tokener_parse(
				json_object_to_json_string(runs[0].record)),
			    *ans = json_object_new_object(), *la, *row;
		struct bench_run one = runs[0];
		char sub[4096];

		json_object_object_add(
		    ans, "ndr_pps",
		    summary_json((double[]){40000, 41000, 60000}, 3));
		json_object_object_add(r, "answers", ans);
		json_object_object_add(r, "ndr_pps",
				       json_object_new_int(41000));
		one.record = r;
		snprintf(sub, sizeof(sub), "%s/skew", tmp);
		CHECK(mkdir(sub, 0700) == 0);
		CHECK(plot_experiment(sub, "skew", &one, 1) == 0);
		s = slurp(sub, "answers.gp");
		CHECK(s && strstr(s, "\"cores=1 pin=false\" 47000 "));
		CHECK(s && strstr(s, "mean ± 95 % CI (Student t)"));
		free(s);

		/* #4: latency_at of two rounds: the key says the round */
		la = j_get(r, "latency_at");
		row = json_tokener_parse(json_object_to_json_string(
		    json_object_array_get_idx(la, 0)));
		json_object_object_add(row, "repeat", json_object_new_int(1));
		json_object_array_add(la, row);
		save("ndr2", r, dir, sizeof(dir));
		s = slurp(dir, "cdf.gp");
		CHECK(s && strstr(s, "0 % of NDR (1000 pps), round 0'"));
		CHECK(s && strstr(s, "0 % of NDR (1000 pps), round 1'"));
		free(s);
		json_object_put(r);
	}

	/* a comparison: colours by order, one key entry for short trials */
	{
		json_object *two[] = {v1, v1};
		const char *const lab[] = {"a", "b"};

		plot_svg(strcat(strcpy(dir, tmp), "/compare.svg"), "cmp", two,
			 lab, 2);
		s = slurp(tmp, "compare.gp");
		CHECK(s != NULL);
		CHECK(s && strstr(s, "lc rgb '#d62728' lw 2 title 'b'"));
		CHECK(s && strstr(s, "title 'short (generator"));
		CHECK(s && strstr(s, "title 'short (generator") &&
		      !strstr(strstr(s, "title 'short (generator") + 1,
			      "title 'short"));
		free(s);
	}

	/* every figure in the three formats, when gnuplot is here */
	if (gnuplot) {
		unsetenv("VRCTL_GNUPLOT");
		save("v2g", v2, dir, sizeof(dir));
		check_files(dir, run_figs, 3, 1); /* plot loss latency */
		save("ndrg", nd, dir, sizeof(dir));
		check_files(dir, run_figs + 3, 1, 1); /* cdf */
		CHECK(plot_experiment(tmp, "exp", runs, 3) == 0);
		check_files(tmp, exp_figs, 2, 1);
	} else
		fprintf(stderr, "gnuplot not installed: figures not drawn\n");
	for (int i = 0; i < 3; i++)
		json_object_put(runs[i].record);
	json_object_put(v1);
	json_object_put(v2);
	json_object_put(nd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp);
	return t_done("test_plot");
}
