/*
 * The files of a bench run (docs/bench.md): experiment.json, results.csv,
 * and the plots: a gnuplot script with its data inline (plot.gp, kept so
 * that a plot can be restyled and redrawn by hand) run by gnuplot as a
 * child to make the SVG.  Also the short descriptions of a run (topology,
 * backend, cores, pinning, link, accel, frame) that titles and labels use.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "vrctl.h"

#define CSV_HEADER                                                             \
	"phase,offered_pps,forwarded_pps,loss_ratio,sent,received,lat_p50_us," \
	"lat_p99_us,lat_max_us\n"

/* Append to buf (len bytes) at *pos; silently cut at the end. */
void
bench_appendf(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos = *pos + (size_t)n < len ? *pos + (size_t)n : len - 1;
}

double
j_num(json_object *o, const char *key, double dflt)
{
	json_object *v = j_get(o, key);

	if (v == NULL || !(json_object_is_type(v, json_type_int) ||
			   json_object_is_type(v, json_type_double)))
		return dflt;
	return json_object_get_double(v);
}

const char *
bench_trial_phase(json_object *t)
{
	json_object *p = j_get(t, "phase");

	return p != NULL && json_object_is_type(p, json_type_string) ? j_text(p)
								     : "sweep";
}

/* A number as it came (integers exactly); "" when absent. */
static void
num_fmt(char *buf, size_t len, json_object *v)
{
	if (v != NULL && json_object_is_type(v, json_type_int))
		msgf(buf, len, "%lld", (long long)json_object_get_int64(v));
	else if (v != NULL && json_object_is_type(v, json_type_double))
		msgf(buf, len, "%.10g", json_object_get_double(v));
	else
		msgf(buf, len, "%s", "");
}

static int
trial_cmp(const void *a, const void *b)
{
	json_object *ta = *(json_object *const *)a;
	json_object *tb = *(json_object *const *)b;
	double x = j_num(ta, "offered_pps", 0), y = j_num(tb, "offered_pps", 0);

	return x < y ? -1 : x > y;
}

/* The trials of a record ordered by offered rate (borrowed references). */
static json_object **
trials_sorted(json_object *record, size_t *n)
{
	json_object *a = j_get(record, "trials");
	json_object **v;

	*n = a != NULL && json_object_is_type(a, json_type_array)
		 ? json_object_array_length(a)
		 : 0;
	v = xcalloc(*n + 1, sizeof(*v));
	for (size_t i = 0; i < *n; i++)
		v[i] = json_object_array_get_idx(a, i);
	qsort(v, *n, sizeof(*v), trial_cmp);
	return v;
}

static int
write_text(const char *path, const char *text, size_t len)
{
	if (file_write_atomic(path, text, len, 0644) == -1) {
		fprintf(stderr, "vrctl: cannot write %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* results.csv: one row per trial, in the order they ran. */
int
bench_write_csv(const char *path, json_object *record)
{
	json_object *a = j_get(record, "trials");
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rv;

	if (f == NULL)
		return -1;
	fputs(CSV_HEADER, f);
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		static const char *const keys[] = {
		    "offered_pps", "forwarded_pps", "loss_ratio", "sent",
		    "received"};
		static const char *const lat[] = {"p50", "p99", "max"};
		json_object *t = json_object_array_get_idx(a, i);
		char num[64];

		fputs(bench_trial_phase(t), f);
		for (size_t k = 0; k < nitems(keys); k++) {
			num_fmt(num, sizeof(num), j_get(t, keys[k]));
			fprintf(f, ",%s", num);
		}
		for (size_t k = 0; k < nitems(lat); k++) {
			num_fmt(num, sizeof(num),
				j_get(j_get(t, "latency_us"), lat[k]));
			fprintf(f, ",%s", num);
		}
		fputc('\n', f);
	}
	fclose(f);
	rv = write_text(path, text, len);
	free(text);
	return rv;
}

/* ------------------------------------------------------------------ */
/* Describing a run */

static const char *const desc_names[BENCH_DESC_N] = {
    "topology", "backend", "cores",   "pinning",
    "link",	"accel",   "traffic", "mode"};

void
bench_describe(json_object *record, struct bench_desc *d)
{
	json_object *plan = j_get(record, "plan");
	json_object *opt = j_get(plan, "options");
	json_object *cmd = j_get(record, "command");
	json_object *pin = j_get(plan, "pinning");
	json_object *trials = j_get(record, "trials");
	const char *topo = j_str(plan, "topology"), *path = "-";
	const char *backend = j_str(record, "backend");
	long long cores = j_int(opt, "cores", -1), flows;
	static const char *const counts[] = {"vrs", "lbs", "backends"};
	size_t pos = 0;

	if (strcmp(topo, "-") == 0)
		topo = j_str(j_get(record, "topology"), "topology");
	bench_appendf(d->f[BENCH_TOPO], sizeof(d->f[0]), &pos, "%s", topo);
	for (size_t i = 0; i < nitems(counts); i++)
		if (j_get(opt, counts[i]) != NULL)
			bench_appendf(d->f[BENCH_TOPO], sizeof(d->f[0]), &pos,
				      " %s=%lld", counts[i],
				      j_int(opt, counts[i], 0));

	if (strcmp(backend, "-") == 0)
		backend = j_get(opt, "backend") ? j_str(opt, "backend") : "vm";
	msgf(d->f[BENCH_BACKEND], sizeof(d->f[0]), "%s", backend);
	if (cores < 0) { /* the first node's vCPUs */
		json_object *n = j_get(plan, "nodes");
		if (n && json_object_is_type(n, json_type_array) &&
		    json_object_array_length(n) > 0)
			cores =
			    j_int(json_object_array_get_idx(n, 0), "vcpus", -1);
	}
	if (cores < 0)
		msgf(d->f[BENCH_CORES], sizeof(d->f[0]), "? cores");
	else
		msgf(d->f[BENCH_CORES], sizeof(d->f[0]), "%lld core%s", cores,
		     cores == 1 ? "" : "s");
	if (j_bool(opt, "pin") || j_bool(pin, "enabled")) {
		const char *vc = j_str(pin, "vcpu_cpus");
		if (strcmp(vc, "-") != 0)
			msgf(d->f[BENCH_PIN], sizeof(d->f[0]),
			     "pinned (vCPUs on %s)", vc);
		else
			msgf(d->f[BENCH_PIN], sizeof(d->f[0]), "pinned");
	} else
		msgf(d->f[BENCH_PIN], sizeof(d->f[0]), "unpinned");
	msgf(d->f[BENCH_LINK], sizeof(d->f[0]), "%s",
	     strcmp(backend, "netns") == 0 ? "veth" : j_str(opt, "link"));
	msgf(d->f[BENCH_ACCEL], sizeof(d->f[0]), "%s", j_str(record, "accel"));
	flows = j_int(cmd, "flows", 1);
	/* the send path the generator really used (older records lack it) */
	if (json_object_is_type(trials, json_type_array) &&
	    json_object_array_length(trials) > 0)
		path = j_str(json_object_array_get_idx(trials, 0), "tx_path");
	msgf(d->f[BENCH_TRAFFIC], sizeof(d->f[0]), "%s%s, %lld flow%s%s%s",
	     j_get(cmd, "frame") ? j_str(cmd, "frame") : "64",
	     strcmp(j_str(cmd, "frame"), "imix") == 0 ? "" : " B", flows,
	     flows == 1 ? "" : "s", strcmp(path, "-") ? ", " : "",
	     strcmp(path, "-") ? path : "");
	if (strcmp(j_str(cmd, "mode"), "pdr") == 0)
		msgf(d->f[BENCH_MODE], sizeof(d->f[0]), "pdr (loss %s)",
		     j_str(cmd, "loss"));
	else
		msgf(d->f[BENCH_MODE], sizeof(d->f[0]), "%s",
		     j_str(cmd, "mode"));
}

const char *
bench_desc_name(int i)
{
	return desc_names[i];
}

/* Join the fields in mask with sep into buf. */
char *
bench_desc_join(const struct bench_desc *d, unsigned mask, const char *sep,
		char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < BENCH_DESC_N; i++)
		if (mask & (1u << i))
			bench_appendf(buf, len, &n, "%s%s", n ? sep : "",
				      d->f[i]);
	return buf;
}

/* ------------------------------------------------------------------ */
/* gnuplot */

/* A gnuplot single-quoted string: ' doubles, nothing else is special. */
static void
gp_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		if (*s != '\n')
			fputc(*s, f);
	}
	fputc('\'', f);
}

static void
gp_header(FILE *f, const char *script_base, const char *svg_base,
	  const char *title)
{
	fprintf(f,
		"# Written by vrctl; `gnuplot %s` in this directory "
		"redraws the plot.\n",
		script_base);
	fputs("set encoding utf8\n", f);
	fputs("set terminal svg size 960,640 dynamic enhanced "
	      "font 'Helvetica,13' background rgb 'white'\n",
	      f);
	fputs("set output ", f);
	gp_quote(f, svg_base);
	fputs("\nset title ", f);
	gp_quote(f, title);
	fputs(" noenhanced\n"
	      "set xlabel 'offered load (packets/s)'\n"
	      "set ylabel 'forwarded load (packets/s)'\n"
	      "set key top left box opaque noenhanced\n"
	      "set grid\n"
	      "set format x '%.0f'\nset format y '%.0f'\n"
	      "set xtics rotate by -30\n"
	      "set rmargin 8\n"
	      "set xrange [0:*]\nset yrange [0:*]\n"
	      "set samples 200\n",
	      f);
}

static void
gp_data(FILE *f, size_t idx, json_object *record)
{
	size_t n;
	json_object **t = trials_sorted(record, &n);

	fprintf(f, "$run%zu << EOD\n# offered_pps forwarded_pps\n", idx);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%.10g %.10g\n", j_num(t[i], "offered_pps", 0),
			j_num(t[i], "forwarded_pps", 0));
	fputs("EOD\n", f);
	free(t);
}

/* The search's answer of a record: ndr_pps or pdr_pps, or -1. */
double
bench_answer(json_object *record, const char **what)
{
	if (j_get(record, "ndr_pps")) {
		*what = "NDR";
		return j_num(record, "ndr_pps", -1);
	}
	if (j_get(record, "pdr_pps")) {
		*what = "PDR";
		return j_num(record, "pdr_pps", -1);
	}
	*what = NULL;
	return -1;
}

/* Run `gnuplot SCRIPT` in DIR; 0, 1 when gnuplot is missing, -1. */
static int
gp_run(const char *dir, const char *script_base, const char *svg_path)
{
	const char *gp = getenv("VRCTL_GNUPLOT");
	int status;
	pid_t pid;

	if (gp == NULL || *gp == '\0')
		gp = "gnuplot";
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		fprintf(stderr, "vrctl: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (chdir(dir) == -1)
			_exit(126);
		execlp(gp, gp, script_base, (char *)NULL);
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		fprintf(stderr,
			"vrctl: warning: %s not found: no %s (install "
			"gnuplot, Debian package gnuplot-nox; then run "
			"`gnuplot %s` in %s)\n",
			gp, svg_path, script_base, dir);
		return 1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(
		    stderr,
		    "vrctl: warning: %s %s in %s failed (%s %d): "
		    "no usable %s\n",
		    gp, script_base, dir, WIFEXITED(status) ? "exit" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		    svg_path);
		return -1;
	}
	return 0;
}

/*
 * Write SVG_PATH's script (same name, .gp) and run gnuplot on it: one
 * curve per record, the ideal y = x line, and a dotted line at each
 * record's NDR/PDR.  Returns 0, 1 (no gnuplot: warned), -1 (warned).
 */
int
plot_svg(const char *svg_path, const char *title, json_object **records,
	 const char *const *labels, size_t n)
{
	char dir[PATH_MAX], gp_path[PATH_MAX], *svg_base, *script_base;
	char *text = NULL;
	const char *slash = strrchr(svg_path, '/');
	size_t len = 0, sl = strlen(svg_path);
	FILE *f;
	int rv;

	if (slash == NULL)
		msgf(dir, sizeof(dir), ".");
	else if (slash == svg_path)
		msgf(dir, sizeof(dir), "/");
	else
		msgf(dir, sizeof(dir), "%.*s", (int)(slash - svg_path),
		     svg_path);
	svg_base = xstrdup(slash ? slash + 1 : svg_path);
	if (sl > 4 && strcmp(svg_path + sl - 4, ".svg") == 0)
		msgf(gp_path, sizeof(gp_path), "%.*s.gp", (int)(sl - 4),
		     svg_path);
	else
		msgf(gp_path, sizeof(gp_path), "%s.gp", svg_path);
	script_base =
	    strrchr(gp_path, '/') ? strrchr(gp_path, '/') + 1 : gp_path;

	if ((f = open_memstream(&text, &len)) == NULL) {
		free(svg_base);
		return -1;
	}
	gp_header(f, script_base, svg_base, title);
	for (size_t i = 0; i < n; i++) {
		const char *what;
		double a = bench_answer(records[i], &what);

		gp_data(f, i, records[i]);
		if (a < 0)
			continue;
		fprintf(f,
			"set arrow from %.10g, graph 0 to %.10g, graph 1 "
			"nohead dt 3 lw 1.5 lc %zu\n",
			a, a, i + 1);
		if (n == 1)
			fprintf(f,
				"set label '%s %.0f pps' at %.10g, graph 0.04 "
				"offset 0.5,0 front\n",
				what, a, a);
	}
	fputs("plot ", f);
	for (size_t i = 0; i < n; i++) {
		const char *mode = j_str(j_get(records[i], "command"), "mode");
		int points = strcmp(mode, "sweep") != 0;

		fprintf(f,
			"$run%zu using 1:2 with %s lc %zu lw 2 pt %zu ps 0.8 "
			"title ",
			i, points ? "points" : "linespoints", i + 1,
			(i % 7) + 5);
		gp_quote(f, labels[i]);
		fputs(", \\\n     ", f);
	}
	fputs("x with lines dt 2 lc rgb '#808080' "
	      "title 'ideal: forwarded = offered'\n",
	      f);
	fclose(f);
	rv = write_text(gp_path, text, len);
	free(text);
	if (rv == 0) {
		(void)unlink(svg_path); /* never leave a stale plot */
		rv = gp_run(dir, script_base, svg_path);
	}
	if (rv == 0) {
		struct stat st;
		if (stat(svg_path, &st) == -1 || st.st_size == 0) {
			fprintf(stderr, "vrctl: warning: gnuplot made no %s\n",
				svg_path);
			rv = -1;
		}
	}
	free(svg_base);
	return rv;
}

/*
 * A run's directory: experiment.json, results.csv, plot.gp, plot.svg.
 * Returns 0; 1 when only the plot is missing (warned); -1 on an error.
 */
int
bench_save_dir(const char *dir, json_object *record)
{
	char path[PATH_MAX], title[512], fields[400];
	const char *s;
	struct bench_desc d;
	int rv;

	msgf(path, sizeof(path), "%s/experiment.json", dir);
	s = json_object_to_json_string_ext(
	    record, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (write_text(path, s, strlen(s)) == -1)
		return -1;
	msgf(path, sizeof(path), "%s/results.csv", dir);
	if (bench_write_csv(path, record) == -1)
		return -1;
	bench_describe(record, &d);
	msgf(title, sizeof(title), "%s: %s",
	     j_str(j_get(record, "command"), "name"),
	     bench_desc_join(&d, BENCH_DESC_ALL, ", ", fields, sizeof(fields)));
	msgf(path, sizeof(path), "%s/plot.svg", dir);
	{
		const char *label = "forwarded";
		rv = plot_svg(path, title, &record, &label, 1);
	}
	return rv == 0 ? 0 : 1;
}
