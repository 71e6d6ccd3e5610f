/*
 * Repetitions and confidence: a sample's statistics with a Student-t
 * confidence interval, Welch's t-test and a delta-method CI for the ratio
 * of two means, the seeded run order of an experiment's rounds, and the
 * per-rate summary of a bench record's trials.  What and why:
 * lib/summary.h and docs/bench.md "Repetitions and confidence".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "summary.h"
#include "util.h"

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
summary_compute(const double *v, size_t n, struct summary *s)
{
	double *sorted, ss = 0, sum = 0;

	memset(s, 0, sizeof(*s));
	if (n == 0)
		return -1;
	sorted = xcalloc(n, sizeof(*sorted));
	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), dbl_cmp);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	s->n = n;
	s->mean = sum / (double)n;
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->median =
	    n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	free(sorted);
	if (n < 2)
		return 0;
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - s->mean) * (v[i] - s->mean);
	s->stddev = sqrt(ss / (double)(n - 1));
	s->has_ci = 1;
	s->ci_lo = s->mean -
		   summary_t975((double)(n - 1)) * s->stddev / sqrt((double)n);
	s->ci_hi = 2 * s->mean - s->ci_lo;
	return 0;
}

/* The continued fraction of the incomplete beta function (modified
 * Lentz), as in Numerical Recipes' betacf. */
static double
beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 300; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-14)
			break;
	}
	return h;
}

/* The regularised incomplete beta function I_x(a, b). */
static double
beta_inc(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
		    b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double
summary_t_pvalue(double t, double df)
{
	if (!(df > 0))
		return 1;
	return beta_inc(df / 2, 0.5, df / (df + t * t));
}

double
summary_t975(double df)
{
	/* the t with P(|T| >= t) = 0.05, by bisection on the p-value (which
	 * falls as t grows); 200 halvings of [0, 1000] end far below 1e-9 */
	double lo = 0, hi = 1000;

	if (!(df >= 1))
		df = 1;
	if (df > 1e6) /* and +inf: the normal's 1.959964 to 6 decimals */
		df = 1e6;
	for (int i = 0; i < 200 && hi - lo > 1e-12; i++) {
		double mid = (lo + hi) / 2;

		if (summary_t_pvalue(mid, df) > 0.05)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

int
summary_compare(const struct summary *a, const struct summary *b,
		struct summary_cmp *c)
{
	double va, vb, se2;

	memset(c, 0, sizeof(*c));
	c->ratio = b->mean != 0 ? a->mean / b->mean : 0;
	if (a->n < 2 || b->n < 2)
		return 0;
	va = a->stddev * a->stddev / (double)a->n;
	vb = b->stddev * b->stddev / (double)b->n;
	se2 = va + vb;
	if (se2 > 0) {
		c->has_test = 1;
		c->t = (a->mean - b->mean) / sqrt(se2);
		c->df = se2 * se2 /
			(va * va / (double)(a->n - 1) +
			 vb * vb / (double)(b->n - 1));
		c->p = summary_t_pvalue(c->t, c->df);
		c->significant = c->p < 0.05;
	}
	if (a->mean > 0 && b->mean > 0) {
		/* Var(A/B) ~ R^2 (Var A / A^2 + Var B / B^2); the
		 * Satterthwaite df of that sum of relative variances (not
		 * Welch's df of the difference, whose weights are va, vb) */
		double ra = va / (a->mean * a->mean),
		       rb = vb / (b->mean * b->mean), rel = sqrt(ra + rb), half;

		if (ra + rb > 0)
			c->ci_df = (ra + rb) * (ra + rb) /
				   (ra * ra / (double)(a->n - 1) +
				    rb * rb / (double)(b->n - 1));
		else
			c->ci_df = (double)(a->n + b->n - 2);
		half = summary_t975(c->ci_df) * c->ratio * rel;
		c->has_ci = 1;
		c->lo = c->ratio - half;
		c->hi = c->ratio + half;
	}
	return 0;
}

int
summary_paired(const double *a, const double *b, size_t n,
	       struct summary_paired *c)
{
	double sum = 0, ss = 0, mean, sd, se;
	size_t k = 0;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < n; i++)
		if (a[i] > 0 && b[i] > 0 && isfinite(a[i]) &&
		    isfinite(b[i])) { /* false for NAN */
			sum += log(a[i] / b[i]);
			k++;
		}
	c->pairs = k;
	if (k == 0)
		return 0;
	mean = sum / (double)k;
	c->ratio = exp(mean);
	if (k < 2)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (a[i] > 0 && b[i] > 0 && isfinite(a[i]) && isfinite(b[i])) {
			double d = log(a[i] / b[i]) - mean;

			ss += d * d;
		}
	sd = sqrt(ss / (double)(k - 1));
	se = sd / sqrt((double)k);
	c->df = (double)(k - 1);
	c->has_ci = 1;
	c->lo = exp(mean - summary_t975(c->df) * se);
	c->hi = exp(mean + summary_t975(c->df) * se);
	if (se > 0) {
		c->has_test = 1;
		c->t = mean / se;
		c->p = summary_t_pvalue(c->t, c->df);
		c->significant = c->p < 0.05;
	}
	return 0;
}

/* splitmix64: a small generator whose sequence is the same everywhere */
static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
summary_order(size_t nconf, size_t rounds, uint64_t seed, int shuffle,
	      size_t *out)
{
	uint64_t state = seed;

	for (size_t r = 0; r < rounds; r++) {
		size_t *o = out + r * nconf;

		for (size_t i = 0; i < nconf; i++)
			o[i] = i;
		for (size_t i = nconf; shuffle && i > 1; i--) {
			size_t j = (size_t)(splitmix64(&state) % i),
			       k = o[i - 1];
			o[i - 1] = o[j];
			o[j] = k;
		}
	}
}

static json_object *
dbl_or_null(int ok, double v)
{
	return ok ? json_object_new_double(v) : NULL;
}

static json_object *
pair_json(int ok, double lo, double hi)
{
	json_object *a;

	if (!ok)
		return NULL;
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_double(lo));
	json_object_array_add(a, json_object_new_double(hi));
	return a;
}

json_object *
summary_json(const double *v, size_t n)
{
	json_object *o = json_object_new_object(), *vals;
	struct summary s;
	int ok = summary_compute(v, n, &s) == 0;

	vals = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(vals, json_object_new_double(v[i]));
	json_object_object_add(o, "n", json_object_new_int64((int64_t)n));
	json_object_object_add(o, "values", vals);
	json_object_object_add(o, "mean", dbl_or_null(ok, s.mean));
	json_object_object_add(o, "median", dbl_or_null(ok, s.median));
	json_object_object_add(o, "stddev", dbl_or_null(ok, s.stddev));
	json_object_object_add(o, "min", dbl_or_null(ok, s.min));
	json_object_object_add(o, "max", dbl_or_null(ok, s.max));
	json_object_object_add(o, "ci95",
			       pair_json(s.has_ci, s.ci_lo, s.ci_hi));
	json_object_object_add(o, "ci_method",
			       json_object_new_string(SUMMARY_CI_METHOD));
	return o;
}

json_object *
summary_cmp_json(const struct summary_cmp *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "ratio", json_object_new_double(c->ratio));
	json_object_object_add(o, "ci95", pair_json(c->has_ci, c->lo, c->hi));
	json_object_object_add(o, "ci_method",
			       json_object_new_string(SUMMARY_RATIO_CI));
	json_object_object_add(o, "ci_df", dbl_or_null(c->has_ci, c->ci_df));
	json_object_object_add(o, "test", json_object_new_string(SUMMARY_TEST));
	json_object_object_add(o, "t", dbl_or_null(c->has_test, c->t));
	json_object_object_add(o, "df", dbl_or_null(c->has_test, c->df));
	json_object_object_add(o, "p", dbl_or_null(c->has_test, c->p));
	json_object_object_add(
	    o, "significant",
	    c->has_test ? json_object_new_boolean(c->significant) : NULL);
	return o;
}

void
summary_cmp_text(const struct summary_cmp *c, const struct summary *a,
		 const struct summary *b, const char *base, char *buf,
		 size_t len)
{
	char ci[64] = "", p[32], x[300];

	/* "1.31x" or "1.31x unpinned" */
	msgf(x, sizeof(x), "%.2fx%s%s", c->ratio, *base ? " " : "", base);

	if (a->n < 2 || b->n < 2) {
		msgf(buf, len, "%s (%s: no confidence interval)", x,
		     a->n < 2 && b->n < 2 ? "one trial each" : "one trial");
		return;
	}
	if (c->has_ci)
		msgf(ci, sizeof(ci), " [%.2f, %.2f]", c->lo, c->hi);
	if (!c->has_test) {
		msgf(buf, len, "%s%s (no spread in either: no test)", x, ci);
		return;
	}
	if (c->p < 0.001)
		msgf(p, sizeof(p), "p<0.001");
	else
		msgf(p, sizeof(p), "p=%.3f", c->p);
	msgf(buf, len, "%s%s (%s: Welch t-test %s)", x, ci,
	     c->significant ? "significant" : "not significant", p);
}

json_object *
summary_paired_json(const struct summary_paired *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "pairs",
			       json_object_new_int64((int64_t)c->pairs));
	json_object_object_add(o, "ratio", dbl_or_null(c->pairs > 0, c->ratio));
	json_object_object_add(o, "ci95", pair_json(c->has_ci, c->lo, c->hi));
	json_object_object_add(o, "ci_method",
			       json_object_new_string(SUMMARY_PAIRED));
	json_object_object_add(o, "test", json_object_new_string("paired-t"));
	json_object_object_add(o, "t", dbl_or_null(c->has_test, c->t));
	json_object_object_add(o, "df", dbl_or_null(c->has_ci, c->df));
	json_object_object_add(o, "p", dbl_or_null(c->has_test, c->p));
	json_object_object_add(
	    o, "significant",
	    c->has_test ? json_object_new_boolean(c->significant) : NULL);
	return o;
}

void
summary_paired_text(const struct summary_paired *c, const char *base, char *buf,
		    size_t len)
{
	char p[32], x[300];

	msgf(x, sizeof(x), "%.2fx%s%s", c->ratio, *base ? " " : "", base);
	if (c->pairs < 2) {
		msgf(buf, len,
		     "%s paired by round (%zu round%s with both: "
		     "no confidence interval)",
		     x, c->pairs, c->pairs == 1 ? "" : "s");
		return;
	}
	if (!c->has_test) {
		msgf(buf, len,
		     "%s [%.2f, %.2f] paired by round (the same "
		     "ratio in all %zu rounds: no test)",
		     x, c->lo, c->hi, c->pairs);
		return;
	}
	if (c->p < 0.001)
		msgf(p, sizeof(p), "p<0.001");
	else
		msgf(p, sizeof(p), "p=%.3f", c->p);
	msgf(buf, len,
	     "%s [%.2f, %.2f] paired by round (%s: paired t-test %s, %zu "
	     "rounds)",
	     x, c->lo, c->hi,
	     c->significant ? "significant" : "not significant", p, c->pairs);
}

static double
jnum(json_object *o, const char *key, double dflt)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !(json_object_is_type(v, json_type_int) ||
	      json_object_is_type(v, json_type_double)))
		return dflt;
	return json_object_get_double(v);
}

static int
trial_is_sweep(json_object *t)
{
	return json_object_is_type(t, json_type_object) &&
	       !json_object_object_get_ex(t, "phase", NULL);
}

json_object *
summary_points(json_object *trials)
{
	size_t nt = json_object_is_type(trials, json_type_array)
			? json_object_array_length(trials)
			: 0;
	double *rates = xcalloc(nt + 1, sizeof(double)), *fwd, *ach, *loss;
	json_object *points = json_object_new_array();
	size_t nr = 0;

	fwd = xcalloc(nt + 1, sizeof(double));
	ach = xcalloc(nt + 1, sizeof(double));
	loss = xcalloc(nt + 1, sizeof(double));
	for (size_t i = 0; i < nt; i++) {
		json_object *t = json_object_array_get_idx(trials, i);
		double off = jnum(t, "offered_pps", -1);
		size_t k;

		if (!trial_is_sweep(t) || off < 0)
			continue;
		for (k = 0; k < nr && rates[k] != off; k++)
			;
		if (k == nr)
			rates[nr++] = off;
	}
	for (size_t k = 0; k < nr; k++) {
		json_object *p = json_object_new_object(), *v;
		double frame = 0;
		size_t n = 0, shorts = 0;
		struct summary s;

		for (size_t i = 0; i < nt; i++) {
			json_object *t = json_object_array_get_idx(trials, i);

			if (!trial_is_sweep(t) ||
			    jnum(t, "offered_pps", -1) != rates[k])
				continue;
			fwd[n] = jnum(t, "forwarded_pps", 0);
			ach[n] = jnum(t, "achieved_pps", 0);
			loss[n] = jnum(t, "loss_ratio", 0);
			frame = jnum(t, "mean_frame_bytes", frame);
			if (json_object_object_get_ex(t, "short", &v) &&
			    json_object_get_boolean(v))
				shorts++;
			n++;
		}
		json_object_object_add(p, "offered_pps",
				       json_object_new_double(rates[k]));
		json_object_object_add(p, "n",
				       json_object_new_int64((int64_t)n));
		json_object_object_add(p, "short",
				       json_object_new_int64((int64_t)shorts));
		json_object_object_add(p, "forwarded_pps",
				       summary_json(fwd, n));
		json_object_object_add(p, "achieved_pps", summary_json(ach, n));
		json_object_object_add(p, "loss_ratio", summary_json(loss, n));
		summary_compute(fwd, n, &s);
		if (frame > 0) {
			json_object_object_add(
			    p, "offered_l1_gbps",
			    json_object_new_double(rates[k] * (frame + 20) * 8 /
						   1e9));
			json_object_object_add(
			    p, "forwarded_l1_gbps",
			    json_object_new_double(s.median * (frame + 20) * 8 /
						   1e9));
			json_object_object_add(
			    p, "forwarded_l2_gbps",
			    json_object_new_double(s.median * frame * 8 / 1e9));
		}
		json_object_array_add(points, p);
	}
	free(rates);
	free(fwd);
	free(ach);
	free(loss);
	return points;
}

/*
 * Whether a search round's answer counts: NULL when it does.  A search
 * that ended at its max rate, or whose upper bound was the generator's
 * (generator_limited), still measured a rate the router forwarded without
 * loss: it counts, as a lower bound (*lower says why).  A search that
 * found nothing usable (below its min rate, out of trials, aborted) does
 * not count.
 */
static const char *
answer_excluded(json_object *r, char *buf, size_t len, const char **lower)
{
	json_object *v;
	const char *st = "ok";

	*lower = NULL;
	if (json_object_object_get_ex(r, "status", &v) &&
	    json_object_is_type(v, json_type_string))
		st = json_object_get_string(v);
	if (strcmp(st, "ok") != 0 && strcmp(st, "at_max_rate") != 0) {
		msgf(buf, len, "status %s", st);
		return buf;
	}
	if (json_object_object_get_ex(r, "generator_limited", &v) &&
	    json_object_get_boolean(v))
		*lower = "generator-limited";
	else if (strcmp(st, "at_max_rate") == 0)
		*lower = "at max rate";
	return NULL;
}

/* {"round","why"} onto a */
static void
answer_note(json_object *a, size_t round, const char *why)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, "round",
			       json_object_new_int64((int64_t)round));
	json_object_object_add(e, "why", json_object_new_string(why));
	json_object_array_add(a, e);
}

json_object *
summary_answers(json_object *results, const char **keyp)
{
	size_t n = json_object_is_type(results, json_type_array)
		       ? json_object_array_length(results)
		       : 0,
	       nv = 0;
	double *v = xcalloc(n + 1, sizeof(*v));
	const char *key = NULL;
	json_object *a = NULL, *st, *ex = json_object_new_array(),
		    *lb = json_object_new_array(), *x;

	for (size_t i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(results, i);
		const char *why, *lower;
		char buf[64];

		if (json_object_object_get_ex(r, "ndr_pps", &x))
			key = "ndr_pps";
		else if (json_object_object_get_ex(r, "pdr_pps", &x))
			key = "pdr_pps";
		else
			continue;
		if ((why = answer_excluded(r, buf, sizeof(buf), &lower)) !=
		    NULL) {
			answer_note(ex, i, why);
			continue;
		}
		v[nv++] = json_object_get_double(x);
		if (lower != NULL)
			answer_note(lb, i, lower);
	}
	if (key != NULL) {
		st = summary_json(v, nv);
		json_object_object_add(
		    st, "n_excluded",
		    json_object_new_int64(
			(int64_t)json_object_array_length(ex)));
		json_object_object_add(st, "excluded", json_object_get(ex));
		json_object_object_add(
		    st, "n_lower_bound",
		    json_object_new_int64(
			(int64_t)json_object_array_length(lb)));
		json_object_object_add(st, "lower_bound", json_object_get(lb));
		a = json_object_new_object();
		json_object_object_add(a, key, st);
	}
	json_object_put(ex);
	json_object_put(lb);
	free(v);
	if (keyp != NULL)
		*keyp = key;
	return a;
}

/* A sweep's highest forwarded rate of each round (trials by "repeat"):
 * out[r], NAN for a round without a trial; the number of rounds. */
static size_t
sweep_rounds(json_object *record, double *out, size_t max)
{
	json_object *trials;
	size_t n = 0;

	if (!json_object_object_get_ex(record, "trials", &trials) ||
	    !json_object_is_type(trials, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(trials); i++) {
		json_object *t = json_object_array_get_idx(trials, i);
		double r = jnum(t, "repeat", 0),
		       f = jnum(t, "forwarded_pps", 0);

		if (!trial_is_sweep(t) || !(r >= 0 && r < (double)max))
			continue;
		while (n <= (size_t)r)
			out[n++] = NAN;
		if (isnan(out[(size_t)r]) || f > out[(size_t)r])
			out[(size_t)r] = f;
	}
	return n;
}

size_t
summary_record_values(json_object *record, double *out, size_t max)
{
	static const char *const keys[] = {"ndr_pps", "pdr_pps"};
	json_object *answers, *a, *vals, *v, *res;
	size_t n = 0;
	const char *key;

	/* a search with its rounds' results: the usable rounds only (also
	 * for a record written before answers excluded any) */
	if (json_object_object_get_ex(record, "results", &res) &&
	    (answers = summary_answers(res, &key)) != NULL) {
		vals = json_object_object_get(
		    json_object_object_get(answers, key), "values");
		for (size_t i = 0;
		     i < json_object_array_length(vals) && n < max; i++)
			out[n++] = json_object_get_double(
			    json_object_array_get_idx(vals, i));
		json_object_put(answers);
		return n;
	}
	for (size_t k = 0; k < 2; k++) {
		if (json_object_object_get_ex(record, "answers", &answers) &&
		    json_object_object_get_ex(answers, keys[k], &a) &&
		    json_object_object_get_ex(a, "values", &vals) &&
		    json_object_is_type(vals, json_type_array)) {
			for (size_t i = 0;
			     i < json_object_array_length(vals) && n < max; i++)
				out[n++] = json_object_get_double(
				    json_object_array_get_idx(vals, i));
			return n;
		}
		if (json_object_object_get_ex(record, keys[k], &v) && max > 0) {
			out[0] = json_object_get_double(v);
			return 1;
		}
	}
	/* a sweep: the highest forwarded rate of each round; a round with
	 * no trial (not in a record we wrote) drops out */
	n = sweep_rounds(record, out, max);
	size_t j = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(out[i]))
			out[j++] = out[i];
	return j;
}

size_t
summary_record_rounds(json_object *record, double *out, size_t max)
{
	json_object *res, *x;
	size_t n = 0;
	int any = 0;

	/* a search: results[i] is round i's */
	if (json_object_object_get_ex(record, "results", &res) &&
	    json_object_is_type(res, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(res) && n < max;
		     i++) {
			json_object *r = json_object_array_get_idx(res, i);
			const char *lower;
			char buf[64];

			out[n++] = NAN;
			if (!json_object_object_get_ex(r, "ndr_pps", &x) &&
			    !json_object_object_get_ex(r, "pdr_pps", &x))
				continue;
			any = 1;
			if (answer_excluded(r, buf, sizeof(buf), &lower) ==
			    NULL)
				out[n - 1] = json_object_get_double(x);
		}
		if (any)
			return n;
		n = 0;
	}
	/* a sweep: the highest forwarded rate of each round's trials */
	return sweep_rounds(record, out, max);
}
