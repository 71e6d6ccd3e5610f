/*
 * The files of a bench run and of an experiment (docs/bench.md): the
 * record, and the figures: each a gnuplot script with its data inline and
 * a caption in its opening comment (FIG.gp, kept so that a figure can be
 * restyled and redrawn by hand) run by gnuplot as a child to draw
 * FIG.svg, FIG.pdf and FIG.png.  The figures say what was measured: x is
 * the rate the generator achieved, a short trial is hollow and listed,
 * repeats give means with their Student-t 95 % confidence intervals (the
 * interval is of the mean, so the point is the mean); one label keeps
 * one colour.  The tables are csv.c's, the words that title and label a
 * run run_desc.c's.
 *
 * Over 800 lines on purpose: one figure engine (struct gp_fig, gp_begin,
 * gp_end, gp_run) and the six figures drawn with it, all static; a split
 * would export that engine's internals for no reader's gain.
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

/* ------------------------------------------------------------------ */
/* gnuplot */

/*
 * The colours of labels, by order of first appearance in a run, a
 * comparison or an experiment: every figure of it draws the same label in
 * the same colour.  Fixed values, so no gnuplot version changes them.
 */
static const char *const gp_palette[] = {"#1f77b4", "#d62728", "#2ca02c",
					 "#ff7f0e", "#9467bd", "#8c564b",
					 "#e377c2", "#17becf"};

static const char *
gp_colour(size_t i)
{
	return gp_palette[i % nitems(gp_palette)];
}

/* The formats every figure is drawn in; the last two need cairo. */
static const char *const gp_formats[] = {"svg", "pdf", "png"};

/* A figure being written: its caption and its body, then the script. */
struct gp_fig {
	char dir[PATH_MAX];
	char base[256]; /* "plot": plot.gp draws plot.svg, .pdf, .png */
	char *cap, *body, *plot;
	size_t caplen, bodylen, plotlen;
	FILE *c, *f, *p; /* caption lines (without "# "), body, plot list */
	int nplot, short_key;
};

/* Add a curve to the figure's plot command. */
static void gp_elem(struct gp_fig *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
gp_elem(struct gp_fig *g, const char *fmt, ...)
{
	va_list ap;

	if (g->nplot++ > 0)
		fputs(", \\\n     ", g->p);
	va_start(ap, fmt);
	vfprintf(g->p, fmt, ap);
	va_end(ap);
}

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

static int
gp_begin(struct gp_fig *g, const char *dir, const char *base, const char *title)
{
	memset(g, 0, sizeof(*g));
	msgf(g->dir, sizeof(g->dir), "%s", dir);
	msgf(g->base, sizeof(g->base), "%s", base);
	if ((g->c = open_memstream(&g->cap, &g->caplen)) == NULL)
		return -1;
	if ((g->f = open_memstream(&g->body, &g->bodylen)) == NULL) {
		fclose(g->c);
		free(g->cap);
		return -1;
	}
	if ((g->p = open_memstream(&g->plot, &g->plotlen)) == NULL) {
		fclose(g->c);
		fclose(g->f);
		free(g->cap);
		free(g->body);
		return -1;
	}
	fputs("set title ", g->f);
	gp_quote(g->f, title);
	fputs(" noenhanced\n"
	      "set key top left box opaque noenhanced\n"
	      "set grid\n",
	      g->f);
	return 0;
}

/* The data of a record as a datablock $NAME: x, y, y low, y high, short. */
struct gp_row {
	double x, y, lo, hi, offered;
	int shorts;
};

static int
gp_row_cmp(const void *a, const void *b)
{
	const struct gp_row *x = a, *y = b;

	return x->offered < y->offered ? -1 : x->offered > y->offered;
}

/* Where a value of STATS is: its median (else mean), or dflt. */
static double
gp_stat(json_object *stats, double dflt)
{
	if (j_get(stats, "median"))
		return j_num(stats, "median", dflt);
	return j_num(stats, "mean", dflt);
}

/*
 * The forwarded rate of a record, one row per point when it has points[]
 * (sweeps with repeats: the mean, its 95 % CI as the bars; one round: the
 * value) else per trial.
 * x is the rate the generator achieved where the record has it.  *bars:
 * whether any row has a CI.  Returns the rows, sorted by offered rate.
 */
static struct gp_row *
gp_rows(json_object *record, size_t *n, int *bars)
{
	json_object *pts = j_get(record, "points");
	struct gp_row *r;
	size_t nt;
	json_object **t;

	*bars = 0;
	if (pts && json_object_is_type(pts, json_type_array) &&
	    json_object_array_length(pts) > 0) {
		*n = json_object_array_length(pts);
		r = xcalloc(*n, sizeof(*r));
		for (size_t i = 0; i < *n; i++) {
			json_object *p = json_object_array_get_idx(pts, i);
			json_object *fw = j_get(p, "forwarded_pps");
			json_object *ci = j_get(fw, "ci95");

			r[i].offered = j_num(p, "offered_pps", 0);
			r[i].x =
			    gp_stat(j_get(p, "achieved_pps"), r[i].offered);
			r[i].y = gp_stat(fw, 0);
			r[i].lo = r[i].hi = r[i].y;
			if (ci && json_object_is_type(ci, json_type_array) &&
			    json_object_array_length(ci) == 2 &&
			    j_int(p, "n", 1) > 1) {
				/* the bar is the CI of the mean */
				r[i].y = j_num(fw, "mean", r[i].y);
				r[i].lo = json_object_get_double(
				    json_object_array_get_idx(ci, 0));
				r[i].hi = json_object_get_double(
				    json_object_array_get_idx(ci, 1));
				*bars = 1;
			}
			r[i].shorts = (int)j_int(p, "short", 0);
		}
		qsort(r, *n, sizeof(*r), gp_row_cmp);
		return r;
	}
	t = trials_sorted(record, &nt);
	r = xcalloc(nt + 1, sizeof(*r));
	for (size_t i = 0; i < nt; i++) {
		r[i].offered = j_num(t[i], "offered_pps", 0);
		r[i].x = j_num(t[i], "achieved_pps", 0) > 0
			     ? j_num(t[i], "achieved_pps", 0)
			     : r[i].offered;
		r[i].y = r[i].lo = r[i].hi = j_num(t[i], "forwarded_pps", 0);
		r[i].shorts = j_bool(t[i], "short");
	}
	free(t);
	*n = nt;
	return r;
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
 * Finish the figure: the script (caption as comments, then the body drawn
 * once per format) written to DIR/BASE.gp and run by gnuplot.  Returns 0,
 * 1 (no gnuplot: warned), -1 (warned).
 */
static int
gp_end(struct gp_fig *g)
{
	char path[PATH_MAX + 300], gp_base[300], out[PATH_MAX + 300];
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f;
	int rv;

	fclose(g->c);
	fclose(g->f);
	fclose(g->p);
	if ((f = open_memstream(&text, &len)) == NULL) {
		rv = -1;
		goto done;
	}
	msgf(gp_base, sizeof(gp_base), "%s.gp", g->base);
	fprintf(f,
		"# Written by vrctl; `gnuplot %s` in this directory redraws "
		"%s.svg, and %s.pdf and %s.png where gnuplot has its cairo "
		"terminals (Debian: gnuplot-nox has them).\n#\n",
		gp_base, g->base, g->base, g->base);
	for (line = strtok_r(g->cap, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		fprintf(f, "# %s\n", line);
	fputs("\nset encoding utf8\n", f);
	fwrite(g->body, 1, g->bodylen, f);
	fprintf(f,
		"\nset terminal svg size 960,640 dynamic enhanced "
		"font 'Helvetica,13' background rgb 'white'\n"
		"set output '%s.svg'\nplot %s\n"
		"if (strstrt(GPVAL_TERMINALS, 'pdfcairo') > 0) {\n"
		"\tset terminal pdfcairo size 6in,4in enhanced "
		"font 'Helvetica,9'\n"
		"\tset output '%s.pdf'\n\treplot\n}\n"
		"if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
		"\tset terminal pngcairo size 960,640 enhanced "
		"font 'Helvetica,11' background rgb 'white'\n"
		"\tset output '%s.png'\n\treplot\n}\n"
		"unset output\n",
		g->base, g->plot, g->base, g->base);
	fclose(f);
	msgf(path, sizeof(path), "%s/%s", g->dir, gp_base);
	rv = write_text(path, text, len);
	free(text);
	for (size_t i = 0; i < nitems(gp_formats); i++) {
		/* never leave a stale figure */
		msgf(out, sizeof(out), "%s/%s.%s", g->dir, g->base,
		     gp_formats[i]);
		(void)unlink(out);
	}
	msgf(out, sizeof(out), "%s/%s.svg", g->dir, g->base);
	if (rv == 0)
		rv = gp_run(g->dir, gp_base, out);
	for (size_t i = 0; rv == 0 && i < nitems(gp_formats); i++) {
		struct stat st;

		msgf(out, sizeof(out), "%s/%s.%s", g->dir, g->base,
		     gp_formats[i]);
		if (stat(out, &st) == -1 || st.st_size == 0) {
			fprintf(stderr,
				"vrctl: warning: gnuplot made no %s%s\n", out,
				i > 0 ? " (no cairo terminal in this gnuplot)"
				      : "");
			if (i == 0)
				rv = -1;
		}
	}
done:
	free(g->cap);
	free(g->body);
	free(g->plot);
	return rv;
}

/* A record of mode timeline (its figure and text are over time). */
int
bench_is_timeline(json_object *record)
{
	return strcmp(j_str(j_get(record, "command"), "mode"), "timeline") == 0;
}

/* The search's answer of a record: ndr_pps or pdr_pps, or -1. */
double
bench_answer(json_object *record, const char **what)
{
	/* answers.* too: the top-level answer is null when no round was
	 * usable (summary_answers) */
	if (j_get(record, "ndr_pps") ||
	    j_get(j_get(record, "answers"), "ndr_pps")) {
		*what = "NDR";
		return j_num(record, "ndr_pps", -1);
	}
	if (j_get(record, "pdr_pps") ||
	    j_get(j_get(record, "answers"), "pdr_pps")) {
		*what = "PDR";
		return j_num(record, "pdr_pps", -1);
	}
	*what = NULL;
	return -1;
}

/* The point types: filled for a trial that measured the router, the hollow
 * one beside it for a short trial (the generator fell behind). */
#define GP_PT_FILLED(i) (5 + 2 * (int)((i) % 5))
#define GP_PT_HOLLOW(i) (GP_PT_FILLED(i) - 1)

/* label as a gnuplot single-quoted string in q (cut to fit). */
static void
gp_qlabel(char *q, size_t len, const char *label)
{
	size_t n = 0;

	q[n++] = '\'';
	for (const char *s = label; *s && n + 3 < len; s++) {
		if (*s == '\'')
			q[n++] = '\'';
		if (*s != '\n')
			q[n++] = *s;
	}
	q[n++] = '\'';
	q[n] = '\0';
}

/* One record's forwarded rate: its datablock, curve and points. */
static void
gp_forwarded_one(struct gp_fig *g, size_t i, json_object *rec,
		 const char *label, int *any_bars)
{
	size_t n;
	int bars, shorts = 0;
	struct gp_row *r = gp_rows(rec, &n, &bars);
	int sweep = strcmp(j_str(j_get(rec, "command"), "mode"), "sweep") == 0;
	const char *cols = bars ? "2:3:4 with yerrorbars" : "2 with points";
	const char *c = gp_colour(i);
	char q[512];

	fprintf(g->f, "$run%zu << EOD\n# x y y_low y_high short offered_pps\n",
		i);
	for (size_t k = 0; k < n; k++) {
		fprintf(g->f, "%.10g %.10g %.10g %.10g %d %.10g\n", r[k].x,
			r[k].y, r[k].lo, r[k].hi, r[k].shorts, r[k].offered);
		if (r[k].shorts) {
			fprintf(g->c,
				"  short: %s at offered %.0f pps: achieved "
				"%.0f pps, forwarded %.0f pps%s\n",
				label, r[k].offered, r[k].x, r[k].y,
				r[k].shorts > 1 ? " (more than one round)"
						: "");
			shorts++;
		}
	}
	fputs("EOD\n", g->f);
	*any_bars |= bars;
	gp_qlabel(q, sizeof(q), label);
	if (sweep)
		gp_elem(g,
			"$run%zu using 1:2 with lines lc rgb '%s' lw 2 "
			"title %s",
			i, c, q);
	gp_elem(g,
		"$run%zu using ($5 == 0 ? $1 : 1/0):%s lc rgb '%s' pt %d "
		"ps 0.8 %s%s",
		i, cols, c, GP_PT_FILLED(i), sweep ? "notitle" : "title ",
		sweep ? "" : q);
	if (shorts) /* one key entry for the hollow markers of all */
		gp_elem(g,
			"$run%zu using ($5 > 0 ? $1 : 1/0):%s lc rgb '%s' pt "
			"%d ps 1.3 %s",
			i, cols, c, GP_PT_HOLLOW(i),
			g->short_key++
			    ? "notitle"
			    : "title 'short (generator fell behind)'");
	free(r);
}

/*
 * DIR/BASE.gp and its figures: forwarded against offered load, one curve
 * per record, the ideal y = x line, a dotted line at each NDR/PDR.
 */
static int
gp_forwarded(const char *dir, const char *base, const char *title,
	     json_object **records, const char *const *labels, size_t n,
	     const char *about)
{
	struct gp_fig g;
	int bars = 0;

	if (gp_begin(&g, dir, base, title) == -1)
		return -1;
	fprintf(g.c, "Forwarded against offered load.%s%s\n", about ? " " : "",
		about ? about : "");
	fputs("x: the rate the generator achieved (achieved_pps), which is "
	      "the load the router was really offered; offered_pps where a "
	      "record lacks it.\n"
	      "Hollow markers: short trials, where the generator sent more "
	      "than 1 % below the offered rate (they measured the generator, "
	      "not the router):\n",
	      g.c);
	for (size_t i = 0; i < n; i++)
		gp_forwarded_one(&g, i, records[i], labels[i], &bars);
	fputs(bars ? "With repeats: mean ± 95 % CI (Student t) of the "
		     "forwarded rate over the rounds (points[]).\n"
		   : "One trial per point: no error bars.\n",
	      g.c);
	fputs("set xlabel 'offered load (packets/s; x: achieved)'\n"
	      "set ylabel 'forwarded load (packets/s)'\n"
	      "set format x '%.0f'\nset format y '%.0f'\n"
	      "set xtics rotate by -30\nset rmargin 8\n"
	      "set xrange [0:*]\nset yrange [0:*]\nset samples 200\n",
	      g.f);
	for (size_t i = 0; i < n; i++) {
		const char *what;
		double a = bench_answer(records[i], &what);

		if (a < 0)
			continue;
		fprintf(g.f,
			"set arrow from %.10g, graph 0 to %.10g, graph 1 "
			"nohead dt 3 lw 1.5 lc rgb '%s'\n",
			a, a, gp_colour(i));
		if (n == 1)
			fprintf(g.f,
				"set label '%s %.0f pps' at %.10g, graph 0.04 "
				"offset 0.5,0 front\n",
				what, a, a);
		fprintf(g.c, "Dotted: %s %s %.0f pps.\n", labels[i], what, a);
	}
	gp_elem(&g, "x with lines dt 2 lc rgb '#808080' "
		    "title 'ideal: forwarded = offered'");
	return gp_end(&g);
}

/* Drop a figure begun but not worth drawing. */
static void
gp_drop(struct gp_fig *g)
{
	fclose(g->c);
	fclose(g->f);
	fclose(g->p);
	free(g->cap);
	free(g->body);
	free(g->plot);
}

/* Loss ratio against load, log y (zero loss cannot be drawn: counted). */
static int
gp_loss(const char *dir, const char *base, const char *title,
	json_object **records, const char *const *labels, size_t n)
{
	struct gp_fig g;
	size_t drawn = 0, zero = 0;
	double lo = 0, hi = 0; /* the losses drawn */
	char q[512];

	if (gp_begin(&g, dir, base, title) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t nt, shorts = 0;
		json_object **t = trials_sorted(records[i], &nt);

		fprintf(g.f, "$loss%zu << EOD\n# x loss_ratio short\n", i);
		for (size_t k = 0; k < nt; k++) {
			double x = j_num(t[k], "achieved_pps", 0) > 0
				       ? j_num(t[k], "achieved_pps", 0)
				       : j_num(t[k], "offered_pps", 0);
			double l = j_num(t[k], "loss_ratio", 0);
			if (l <= 0) {
				zero++;
				continue;
			}
			if (drawn++ == 0 || l < lo)
				lo = l;
			if (l > hi)
				hi = l;
			shorts += j_bool(t[k], "short");
			fprintf(g.f, "%.10g %.10g %d\n", x, l,
				j_bool(t[k], "short"));
		}
		fputs("EOD\n", g.f);
		free(t);
		gp_qlabel(q, sizeof(q), labels[i]);
		gp_elem(&g,
			"$loss%zu using ($3 == 0 ? $1 : 1/0):2 with points "
			"lc rgb '%s' pt %d ps 0.8 title %s",
			i, gp_colour(i), GP_PT_FILLED(i), q);
		if (shorts)
			gp_elem(&g,
				"$loss%zu using ($3 > 0 ? $1 : 1/0):2 with "
				"points lc rgb '%s' pt %d ps 1.3 notitle",
				i, gp_colour(i), GP_PT_HOLLOW(i));
	}
	if (drawn == 0) { /* nothing a log scale can show */
		gp_drop(&g);
		return 2;
	}
	fprintf(g.c,
		"Loss ratio (1 - received/sent) against load, every trial; "
		"log y.\nx: the achieved rate (offered where a record lacks "
		"it); hollow: short trials.\n%zu trial(s) with zero loss are "
		"not drawn (no zero on a log scale).\n",
		zero);
	for (size_t i = 0; i < n; i++)
		fprintf(g.c, "colour %s: %s\n", gp_colour(i), labels[i]);
	fputs("set xlabel 'load (packets/s, achieved)'\n"
	      "set ylabel 'loss ratio'\nset logscale y\n"
	      "set format x '%.0f'\nset format y '10^{%L}'\n"
	      "set xtics rotate by -30\nset xrange [0:*]\n",
	      g.f);
	if (hi < lo * 10) /* one decade at least (gnuplot warns of less) */
		fprintf(g.f, "set yrange [%.6g:%.6g]\n", lo / 10,
			hi * 10 > 1 ? 1 : hi * 10);
	return gp_end(&g);
}

/* The percentiles drawn, their keys in a trial's latency and colours. */
static const char *const gp_pcts[] = {"p50", "p90", "p99", "p999"};

/* Latency percentiles against load, log y, from every trial (one run). */
static int
gp_latency(const char *dir, const char *base, const char *title,
	   json_object *rec)
{
	struct gp_fig g;
	size_t nt, drawn = 0, shorts = 0;
	unsigned have = 0; /* the percentiles some trial has */
	json_object **t = trials_sorted(rec, &nt);

	if (gp_begin(&g, dir, base, title) == -1) {
		free(t);
		return -1;
	}
	fputs("$lat << EOD\n# x p50 p90 p99 p999 short (us; - absent)\n", g.f);
	for (size_t k = 0; k < nt; k++) {
		json_object *l = bench_trial_latency(t[k]);
		double x = j_num(t[k], "achieved_pps", 0) > 0
			       ? j_num(t[k], "achieved_pps", 0)
			       : j_num(t[k], "offered_pps", 0);
		if (j_num(l, "p50", 0) <= 0)
			continue;
		drawn++;
		fprintf(g.f, "%.10g", x);
		for (size_t p = 0; p < nitems(gp_pcts); p++)
			if (j_num(l, gp_pcts[p], 0) > 0) {
				fprintf(g.f, " %.10g", j_num(l, gp_pcts[p], 0));
				have |= 1u << p;
			} else
				fputs(" -", g.f);
		shorts += j_bool(t[k], "short");
		fprintf(g.f, " %d\n", j_bool(t[k], "short"));
	}
	fputs("EOD\n", g.f);
	free(t);
	if (drawn == 0) {
		gp_drop(&g);
		return 2;
	}
	fprintf(g.c,
		"Latency percentiles (us, log y) against load, every trial "
		"with latency samples (%zu).\nx: the achieved rate (offered "
		"where a record lacks it); hollow: short trials.\n",
		drawn);
	fputs("set datafile missing '-'\nset xlabel 'load (packets/s, "
	      "achieved)'\nset ylabel 'latency (µs)'\nset logscale y\n"
	      "set format x '%.0f'\nset xtics rotate by -30\n"
	      "set xrange [0:*]\n",
	      g.f);
	for (size_t p = 0; p < nitems(gp_pcts); p++) {
		if (!(have & 1u << p))
			continue;
		gp_elem(&g,
			"$lat using ($6 == 0 ? $1 : 1/0):%zu with points lc "
			"rgb '%s' pt %d ps 0.8 title '%s'",
			p + 2, gp_colour(p), GP_PT_FILLED(p), gp_pcts[p]);
		if (shorts)
			gp_elem(
			    &g,
			    "$lat using ($6 > 0 ? $1 : 1/0):%zu with points "
			    "lc rgb '%s' pt %d ps 1.3 notitle",
			    p + 2, gp_colour(p), GP_PT_HOLLOW(p));
	}
	return gp_end(&g);
}

/* The latency CDF at each load of latency_at[] (histogram buckets). */
static int
gp_cdf(const char *dir, const char *base, const char *title, json_object *rec)
{
	json_object *la = j_get(rec, "latency_at");
	struct gp_fig g;
	size_t drawn = 0;
	const char *what;
	int rounds = 0;

	if (la == NULL || !json_object_is_type(la, json_type_array))
		return 2;
	(void)bench_answer(rec, &what);
	/* rows of several rounds: the key says each curve's round */
	for (size_t i = 1; i < json_object_array_length(la); i++)
		if (j_int(json_object_array_get_idx(la, i), "repeat", 0) !=
		    j_int(json_object_array_get_idx(la, 0), "repeat", 0))
			rounds = 1;
	if (gp_begin(&g, dir, base, title) == -1)
		return -1;
	for (size_t i = 0; i < json_object_array_length(la); i++) {
		json_object *e = json_object_array_get_idx(la, i);
		json_object *b = j_get(
		    j_get(bench_trial_latency(j_get(e, "trial")), "histogram"),
		    "buckets");
		double total = 0, cum = 0;
		char q[160];

		if (b == NULL || !json_object_is_type(b, json_type_array))
			continue;
		for (size_t k = 0; k < json_object_array_length(b); k++)
			total +=
			    json_object_get_double(json_object_array_get_idx(
				json_object_array_get_idx(b, k), 2));
		if (total <= 0)
			continue;
		fprintf(g.f, "$cdf%zu << EOD\n# latency_us fraction_at_most\n",
			i);
		for (size_t k = 0; k < json_object_array_length(b); k++) {
			json_object *bk = json_object_array_get_idx(b, k);
			double lo = json_object_get_double(
			    json_object_array_get_idx(bk, 0));
			double hi = json_object_get_double(
			    json_object_array_get_idx(bk, 1));
			if (k == 0)
				fprintf(g.f, "%.10g 0\n", lo > 0 ? lo : hi);
			cum += json_object_get_double(
			    json_object_array_get_idx(bk, 2));
			fprintf(g.f, "%.10g %.10g\n", hi, cum / total);
		}
		fputs("EOD\n", g.f);
		msgf(q, sizeof(q), "%lld %% of %s (%.0f pps)%s",
		     j_int(e, "percent", 0), what ? what : "the answer",
		     j_num(e, "offered_pps", 0), rounds ? ", round " : "");
		if (rounds)
			msgf(q + strlen(q), sizeof(q) - strlen(q), "%lld",
			     j_int(e, "repeat", 0));
		fprintf(g.c, "curve %s: %s, %.0f samples\n", gp_colour(drawn),
			q, total);
		gp_elem(&g,
			"$cdf%zu using 1:2 with lines lw 2 lc rgb '%s' "
			"title '%s'",
			i, gp_colour(drawn), q);
		drawn++;
	}
	if (drawn == 0) {
		gp_drop(&g);
		return 2;
	}
	fputs("Latency CDF at the latency-at loads: the fraction of packets "
	      "with latency at most x (from each trial's histogram, "
	      "bucket upper edges); log x.\n",
	      g.c);
	fputs("set key bottom right\nset xlabel 'latency (µs)'\n"
	      "set ylabel 'fraction of packets'\nset logscale x\n"
	      "set yrange [0:1]\n",
	      g.f);
	return gp_end(&g);
}

/*
 * A timeline (mode timeline): the received rate against time, one curve
 * per round (each on its own t = 0, the sink's), from the bins of each
 * trial's "timeline"; the record's marks (round 0's, the bench's start and
 * stop, a migration's phases) as labelled vertical lines.
 */
static int
gp_timeline(const char *dir, const char *base, const char *title,
	    json_object *rec)
{
	json_object *tr = j_get(rec, "trials"), *marks = j_get(rec, "marks");
	struct gp_fig g;
	size_t drawn = 0, nm = 0;
	double xlo = 0, xhi = 0; /* the curves' and the marks' span */

	if (tr == NULL || !json_object_is_type(tr, json_type_array))
		return 2;
	if (gp_begin(&g, dir, base, title) == -1)
		return -1;
	for (size_t i = 0; i < json_object_array_length(tr); i++) {
		json_object *t = json_object_array_get_idx(tr, i);
		json_object *tl = j_get(t, "timeline"), *b = j_get(tl, "bins"),
			    *gap = j_get(tl, "gap");
		double bin = j_num(tl, "bin_ms", 0) / 1000;
		char q[64];

		if (b == NULL || !json_object_is_type(b, json_type_array) ||
		    bin <= 0)
			continue;
		fprintf(g.f, "$tl%zu << EOD\n# t_s received_pps\n", i);
		/* each bin's rate drawn over the bin: steps from its start */
		for (size_t k = 0; k < json_object_array_length(b); k++)
			fprintf(g.f, "%.6f %.10g\n", (double)k * bin,
				json_object_get_double(
				    json_object_array_get_idx(b, k)) /
				    bin);
		/* the last step ends where its bin does */
		if (json_object_array_length(b) > 0) {
			double end = (double)json_object_array_length(b) * bin;

			fprintf(
			    g.f, "%.6f %.10g\n", end,
			    json_object_get_double(json_object_array_get_idx(
				b, json_object_array_length(b) - 1)) /
				bin);
			if (end > xhi)
				xhi = end;
		}
		fputs("EOD\n", g.f);
		msgf(q, sizeof(q), "round %lld", j_int(t, "repeat", 0));
		fprintf(g.c,
			"curve %s: %s, %.0f pps offered; longest gap %.1f ms "
			"at t = %.3f s, %lld lost\n",
			gp_colour(drawn), q, j_num(t, "offered_pps", 0),
			j_num(gap, "ms", 0), j_num(gap, "at_s", 0),
			j_int(t, "lost", 0));
		gp_elem(&g,
			"$tl%zu using 1:2 with steps lw 1.5 lc rgb '%s' "
			"title '%s'",
			i, gp_colour(drawn), q);
		drawn++;
	}
	if (drawn == 0) {
		gp_drop(&g);
		return 2;
	}
	for (size_t i = 0;
	     marks && json_object_is_type(marks, json_type_array) &&
	     i < json_object_array_length(marks);
	     i++) {
		json_object *m = json_object_array_get_idx(marks, i);
		double u;

		if (j_int(m, "repeat", 0) != 0)
			continue;
		fprintf(g.f,
			"set arrow %zu from %.6f, graph 0 to %.6f, graph 1 "
			"nohead dt 2 lw 1.5 lc rgb '#555555'\n"
			"set label %zu ",
			nm + 1, j_num(m, "t", 0), j_num(m, "t", 0), nm + 1);
		gp_quote(g.f, j_str(m, "label"));
		fprintf(g.f,
			" at %.6f, graph 0.97 rotate by 90 right offset "
			"-1,0 tc rgb '#555555' noenhanced\n",
			j_num(m, "t", 0));
		u = j_num(m, "t_uncertainty_s", 0);
		if (u > 0) /* the sink on another host: where it may be */
			fprintf(g.f,
				"set object %zu rect from %.6f, graph 0 to "
				"%.6f, graph 1 fc rgb '#555555' fs transparent "
				"solid 0.15 noborder behind\n",
				nm + 1, j_num(m, "t", 0) - u,
				j_num(m, "t", 0) + u);
		fprintf(g.c, "mark at t = %.3f s", j_num(m, "t", 0));
		if (u > 0)
			fprintf(g.c, " +- %.3f s", u);
		fprintf(g.c, ": %s\n", j_str(m, "label"));
		if (j_num(m, "t", 0) < xlo)
			xlo = j_num(m, "t", 0);
		if (j_num(m, "t", 0) > xhi)
			xhi = j_num(m, "t", 0);
		nm++;
	}
	/* every mark inside the frame, with a little room either side */
	fprintf(g.f, "set xrange [%.6f:%.6f]\n", xlo - 0.02 * (xhi - xlo),
		xhi + 0.02 * (xhi - xlo));
	fputs("Received rate against time at the sink: each bin's frames "
	      "over the bin's length, t = 0 the stream's start on the "
	      "sink's clock; dashed vertical lines are the marks (round "
	      "0's: the bench's start and stop, a migration's phases), "
	      "placed by the daemon's wall clock; with the sink on another "
	      "host moved onto the sink's clock by the measured offset, the "
	      "grey band around each its uncertainty.\n",
	      g.c);
	fputs("set key top right\nset xlabel 'time since the stream began "
	      "(s)'\nset ylabel 'received (packets/s)'\nset yrange [0:*]\n",
	      g.f);
	return gp_end(&g);
}

/* A record's answer with its CI: answers.{ndr,pdr}_pps, else the top
 * level (no CI).  Returns the mean when there is a CI (the CI is of the
 * mean), else the median (the one value), or -1; lo/hi the CI or the
 * value. */
static double
gp_answer(json_object *rec, double *lo, double *hi, const char **what)
{
	double a = bench_answer(rec, what);
	json_object *st, *ci;

	*lo = *hi = a;
	if (*what == NULL)
		return -1;
	st = j_get(j_get(rec, "answers"),
		   strcmp(*what, "NDR") == 0 ? "ndr_pps" : "pdr_pps");
	ci = j_get(st, "ci95");
	if (st != NULL)
		a = *lo = *hi = gp_stat(st, a);
	if (ci && json_object_is_type(ci, json_type_array) &&
	    json_object_array_length(ci) == 2) {
		a = j_num(st, "mean", a);
		*lo = json_object_get_double(json_object_array_get_idx(ci, 0));
		*hi = json_object_get_double(json_object_array_get_idx(ci, 1));
	}
	return a;
}

/* NDR/PDR per configuration: bars in each label's colour, CI whiskers. */
static int
gp_answers(const char *dir, const char *base, const char *title,
	   const struct bench_run *r, size_t n)
{
	struct gp_fig g;
	size_t drawn = 0;
	const char *what = NULL, *w;

	if (gp_begin(&g, dir, base, title) == -1)
		return -1;
	fputs("$ans << EOD\n# index label answer_pps ci_low ci_high "
	      "colour\n",
	      g.f);
	for (size_t i = 0; i < n; i++) {
		double lo, hi, a = gp_answer(r[i].record, &lo, &hi, &w);
		unsigned rgb;

		if (a < 0)
			continue;
		what = w;
		sscanf(gp_colour(i) + 1, "%x", &rgb);
		fprintf(g.f, "%zu \"", i);
		for (const char *s = r[i].label; *s; s++)
			fputc(*s == '"' || *s == '\n' ? '\'' : *s, g.f);
		fprintf(g.f, "\" %.10g %.10g %.10g %u\n", a, lo, hi, rgb);
		fprintf(g.c, "%s: %.0f pps [%.0f, %.0f]\n", r[i].label, a, lo,
			hi);
		drawn++;
	}
	fputs("EOD\n", g.f);
	if (drawn == 0) {
		gp_drop(&g);
		return 2;
	}
	fprintf(g.c,
		"%s per configuration: mean ± 95 %% CI (Student t) over the "
		"usable rounds (answers[]); a single round: its value, no "
		"whiskers.\n",
		what);
	fprintf(g.f,
		"set ylabel '%s (packets/s)'\nset yrange [0:*]\n"
		"set format y '%%.0f'\nset offsets 0, 0, graph 0.08, 0\nset "
		"boxwidth 0.6\nset style fill "
		"solid 0.7\nset xtics rotate by -30 noenhanced\n"
		"set xrange [-0.6:%zu.6]\nset key off\n",
		what, n - 1);
	gp_elem(&g, "$ans using 1:3:6:xtic(2) with boxes lc rgb variable "
		    "notitle");
	gp_elem(&g, "$ans using 1:3:4:5 with yerrorbars lc rgb '#000000' "
		    "pt -1 lw 1.5 notitle");
	return gp_end(&g);
}

/* The group of a run for the speed-up: its matrix values but cores, in
 * key; returns its cores, or -1. */
static long long
gp_group(json_object *rec, char *key, size_t len)
{
	json_object *m = bench_run_matrix(rec);
	size_t pos = 0;

	key[0] = '\0';
	json_object_object_foreach(m, mk, mv)
	{
		if (strcmp(mk, "cores") != 0)
			bench_appendf(key, len, &pos, "%s%s=%s", pos ? " " : "",
				      mk, j_text(mv));
	}
	return j_int(m, "cores", -1);
}

/*
 * Speed-up with cores, when the matrix varies "cores": per group of the
 * other matrix values with answers at two core counts or more, NDR/PDR
 * at N cores over the one at its fewest.
 */
static int
gp_speedup(const char *dir, const char *base, const char *title,
	   const struct bench_run *r, size_t n)
{
	struct gp_fig g;
	char(*grp)[256] = xcalloc(n + 1, sizeof(*grp)), key[256];
	long long *cores = xcalloc(n + 1, sizeof(*cores));
	double *ans = xcalloc(n + 1, sizeof(*ans));
	size_t ng = 0, drawn = 0;
	long long cmin = -1, cmax = -1;

	for (size_t i = 0; i < n; i++) {
		const char *w;

		cores[i] = gp_group(r[i].record, grp[i], sizeof(grp[i]));
		/* the median (the top-level answer), as the caption says */
		ans[i] = bench_answer(r[i].record, &w);
		if (cores[i] <= 0 || ans[i] <= 0)
			continue;
		if (cmin < 0 || cores[i] < cmin)
			cmin = cores[i];
		if (cores[i] > cmax)
			cmax = cores[i];
	}
	if (cmin < 0 || cmin == cmax || gp_begin(&g, dir, base, title) == -1)
		goto none;
	for (size_t k = 0; k < n; k++) { /* groups by first appearance */
		long long base_c = -1, other = -1;
		double base_a = -1;
		size_t first = k;
		char q[300];

		if (cores[k] <= 0 || ans[k] <= 0)
			continue;
		for (first = 0; strcmp(grp[first], grp[k]) != 0; first++)
			;
		if (first < k)
			continue; /* drawn with its first */
		for (size_t i = k; i < n; i++)
			if (cores[i] > 0 && ans[i] > 0 &&
			    strcmp(grp[i], grp[k]) == 0 &&
			    (base_c < 0 || cores[i] < base_c)) {
				base_c = cores[i];
				base_a = ans[i];
			}
		for (size_t i = k; i < n; i++)
			if (cores[i] > 0 && ans[i] > 0 &&
			    strcmp(grp[i], grp[k]) == 0 && cores[i] != base_c)
				other = cores[i];
		if (other < 0)
			continue; /* one core count: no speed-up to show */
		fprintf(g.f, "$g%zu << EOD\n# cores answer_pps speedup\n", ng);
		for (long long c = cmin; c <= cmax; c++)
			for (size_t i = k; i < n; i++)
				if (cores[i] == c && ans[i] > 0 &&
				    strcmp(grp[i], grp[k]) == 0)
					fprintf(g.f, "%lld %.10g %.10g\n", c,
						ans[i], ans[i] / base_a);
		fputs("EOD\n", g.f);
		msgf(key, sizeof(key), "%s", *grp[k] ? grp[k] : "all");
		gp_qlabel(q, sizeof(q), key);
		gp_elem(&g,
			"$g%zu using 1:3 with linespoints lw 2 lc rgb '%s' "
			"pt %d title %s",
			ng, gp_colour(ng), GP_PT_FILLED(ng), q);
		fprintf(g.c, "curve %s: %s, 1.0 = %.0f pps at %lld core%s\n",
			gp_colour(ng), key, base_a, base_c,
			base_c == 1 ? "" : "s");
		ng++;
		drawn++;
	}
	if (drawn == 0) {
		gp_drop(&g);
		goto none;
	}
	free(grp);
	free(cores);
	free(ans);
	fputs("Multi-core speed-up: the NDR/PDR (median) at N cores over the "
	      "one at the fewest cores of the same configuration; dashed: "
	      "linear speed-up.\n",
	      g.c);
	fprintf(g.f,
		"set xlabel 'cores'\nset ylabel 'speed-up'\nset xtics 1\n"
		"set xrange [%lld:%lld]\nset yrange [0:*]\n",
		cmin, cmax);
	gp_elem(&g, "x / %lld. with lines dt 2 lc rgb '#808080' title 'linear'",
		cmin);
	return gp_end(&g);
none:
	free(grp);
	free(cores);
	free(ans);
	return 2;
}

/* Split PATH (DIR/BASE.svg) into dir and base. */
static void
gp_split(const char *path, char *dir, size_t dlen, char *base, size_t blen)
{
	const char *slash = strrchr(path, '/'), *b = slash ? slash + 1 : path;
	size_t bl = strlen(b);

	if (slash == NULL)
		msgf(dir, dlen, ".");
	else if (slash == path)
		msgf(dir, dlen, "/");
	else
		msgf(dir, dlen, "%.*s", (int)(slash - path), path);
	if (bl > 4 && strcmp(b + bl - 4, ".svg") == 0)
		bl -= 4;
	msgf(base, blen, "%.*s", (int)bl, b);
}

/*
 * SVG_PATH (and the .pdf and .png beside it) with its script (same name,
 * .gp): forwarded against offered, one curve per record.  Returns 0, 1
 * (no gnuplot: warned), -1 (warned).
 */
int
plot_svg(const char *svg_path, const char *title, json_object **records,
	 const char *const *labels, size_t n)
{
	char dir[PATH_MAX], base[256];

	gp_split(svg_path, dir, sizeof(dir), base, sizeof(base));
	return gp_forwarded(dir, base, title, records, labels, n, NULL);
}

/*
 * The figures of an experiment in DIR beside compare.svg: NDR/PDR bars
 * (answers.gp), the speed-up with cores (speedup.gp) when the matrix
 * varies cores, and trials.csv.  Returns 0, or -1 when trials.csv could
 * not be written (figures only warn).
 */
int
plot_experiment(const char *dir, const char *name, const struct bench_run *r,
		size_t n)
{
	char path[PATH_MAX + 16], title[300];

	msgf(title, sizeof(title), "%s: NDR/PDR per configuration", name);
	(void)gp_answers(dir, "answers", title, r, n);
	msgf(title, sizeof(title), "%s: speed-up with cores", name);
	(void)gp_speedup(dir, "speedup", title, r, n);
	msgf(path, sizeof(path), "%s/trials.csv", dir);
	return bench_write_trials_csv(path, r, n);
}

/*
 * A run's directory: experiment.json, results.csv, and the figures, each
 * as .gp, .svg, .pdf, .png: plot (forwarded against offered), loss (when
 * a trial lost packets), latency (when trials have latency), cdf (with
 * latency_at).  Returns 0; 1 when only plot.svg is missing (warned); -1
 * on an error.
 */
int
bench_save_dir(const char *dir, json_object *record)
{
	char path[PATH_MAX], title[300], fields[400];
	const char *s, *name = j_str(j_get(record, "command"), "name");
	const char *label = "forwarded";
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
	bench_desc_join(&d, BENCH_DESC_ALL, ", ", fields, sizeof(fields));
	msgf(title, sizeof(title), "%s: %s", name, fields);
	if (bench_is_timeline(record)) {
		/* one rate: the figure is over time, not against load */
		rv = gp_timeline(dir, "timeline", title, record);
		return rv == 0 ? 0 : 1;
	}
	rv = gp_forwarded(dir, "plot", title, &record, &label, 1, fields);
	msgf(title, sizeof(title), "%s: loss ratio", name);
	(void)gp_loss(dir, "loss", title, &record, &label, 1);
	msgf(title, sizeof(title), "%s: latency against load", name);
	(void)gp_latency(dir, "latency", title, record);
	msgf(title, sizeof(title), "%s: latency CDF", name);
	(void)gp_cdf(dir, "cdf", title, record);
	return rv == 0 ? 0 : 1;
}
