/*
 * lib/summary.c: the statistics of repeated trials against samples whose
 * figures were computed by hand and with python3 (statistics.stdev, a
 * numerical integral of Student's t density for the p-values), the t
 * table against the p-value function, the comparison of two samples,
 * the seeded run order of an experiment's rounds, and the per-rate
 * summary of a record's trials.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "summary.h"
#include "t.h"

#define NEAR(a, b, eps) (fabs((a) - (b)) <= (eps))

static void
test_stats(void)
{
	const double v[] = {1, 2, 3, 4, 5}, even[] = {4, 1, 3, 2}, one[] = {7};
	struct summary s;

	CHECK(summary_compute(v, 5, &s) == 0);
	CHECK_INT(s.n, 5);
	CHECK(NEAR(s.mean, 3, 1e-12));
	CHECK(NEAR(s.median, 3, 1e-12));
	CHECK(NEAR(s.stddev, 1.5811388300841898, 1e-12)); /* stdev() */
	CHECK(s.has_ci);
	/* 3 -+ t_0.975(4) * s / sqrt(5) = 3 -+ 2.7764451 * 0.7071 (mpmath;
	 * the old table's 2.7764 gave 1.0367887) */
	CHECK(NEAR(s.ci_lo, 1.0367568385224423, 1e-9));
	CHECK(NEAR(s.ci_hi, 4.9632431614775577, 1e-9));
	CHECK(s.min == 1 && s.max == 5);

	CHECK(summary_compute(even, 4, &s) == 0);
	CHECK(NEAR(s.median, 2.5, 1e-12));

	CHECK(summary_compute(one, 1, &s) == 0);
	CHECK(s.stddev == 0 && !s.has_ci && s.median == 7);
	CHECK(summary_compute(one, 0, &s) == -1);
}

/* t_0.975 is the t whose two-sided p is 0.05, for any df: against the
 * textbook values (mpmath's betainc, 8 digits) and the p function. */
static void
test_t_table(void)
{
	static const struct {
		double df, t;
	} known[] = {{1, 12.706205},   {2, 4.3026527},	 {5, 2.5705818},
		     {8, 2.3060041},   {10, 2.2281389},	 {30, 2.0422725},
		     {120, 1.9799304}, {130, 1.9783804}, {1000, 1.9623391}};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		double t = summary_t975(known[i].df);

		if (!NEAR(t, known[i].t, 1e-6))
			fprintf(stderr, "df %g: t %.7f\n", known[i].df, t);
		CHECK(NEAR(t, known[i].t, 1e-6));
		CHECK(NEAR(summary_t_pvalue(t, known[i].df), 0.05, 1e-9));
	}
	/* beyond 120 no longer the normal's 1.96 (anti-conservative) */
	CHECK(summary_t975(500) > 1.964 && summary_t975(500) < 1.966);
	/* a fractional (Welch) df lies between its neighbours */
	CHECK(summary_t975(35.5) < summary_t975(35) &&
	      summary_t975(35.5) > summary_t975(36));
	CHECK(summary_t975(0.3) == summary_t975(1));
	CHECK(NEAR(summary_t975(1.0 / 0.0), 1.959964, 1e-5));
	/* python3: 2 * integral of the t density beyond |t| */
	CHECK(NEAR(summary_t_pvalue(2, 8), 0.0805162, 1e-6));
	CHECK(NEAR(summary_t_pvalue(-2, 8), 0.0805162, 1e-6));
	CHECK(NEAR(summary_t_pvalue(12.2474487, 4), 0.00025522, 1e-7));
	CHECK(NEAR(summary_t_pvalue(0, 5), 1, 1e-12));
}

static void
test_compare(void)
{
	const double a[] = {10, 11, 12, 13, 14}, b[] = {8, 9, 10, 11, 12};
	const double c[] = {20, 21, 22}, d[] = {10, 11, 12}, one[] = {5};
	const double flat1[] = {3, 3}, flat2[] = {4, 4};
	const double big[] = {900,  1100, 900,	1100, 900,
			      1100, 900,  1100, 900,  1100},
		     small[] = {8, 12}, big3[] = {900, 1100, 1000},
		     small10[] = {8, 12, 8, 12, 8, 12, 8, 12, 8, 12};
	struct summary sa, sb, s1, s2;
	struct summary_cmp x;
	char text[160];

	summary_compute(a, 5, &sa);
	summary_compute(b, 5, &sb);
	summary_compare(&sa, &sb, &x);
	/* t = 2 / sqrt(0.5 + 0.5), df = 1 / (0.25/4 + 0.25/4) = 8 */
	CHECK(NEAR(x.ratio, 1.2, 1e-12));
	CHECK(x.has_test && NEAR(x.t, 2, 1e-12) && NEAR(x.df, 8, 1e-9));
	CHECK(NEAR(x.p, 0.0805162, 1e-6));
	CHECK(!x.significant);
	/* 1.2 -+ t(df_r) * 1.2 * sqrt(0.5/144 + 0.5/100), df_r the
	 * Satterthwaite df of the relative variances (7.748, not Welch's 8);
	 * mpmath: [0.9438445956, 1.456155404] */
	CHECK(x.has_ci && NEAR(x.ci_df, 7.74804789172306, 1e-9));
	CHECK(NEAR(x.lo, 0.9438445956, 1e-8));
	CHECK(NEAR(x.hi, 1.456155404, 1e-8));
	summary_cmp_text(&x, &sa, &sb, "", text, sizeof(text));
	CHECK_STR(text, "1.20x [0.94, 1.46] (not significant: Welch t-test "
			"p=0.081)");

	summary_compute(c, 3, &sa);
	summary_compute(d, 3, &sb);
	summary_compare(&sa, &sb, &x);
	CHECK(x.significant && NEAR(x.p, 0.00025522, 1e-7));
	summary_cmp_text(&x, &sa, &sb, "unpinned", text, sizeof(text));
	/* 21 / 11, t(3.02): the ratio's df (Welch's is 4); mpmath
	 * [1.5505, 2.2677] */
	CHECK_STR(text,
		  "1.91x unpinned [1.55, 2.27] (significant: Welch t-test "
		  "p<0.001)");

	/* review 1316 #1: a 100x ratio, A 10 rounds of 900/1100, B {8, 12}:
	 * Welch's df 9.06 gave [54.13, 145.87]; the ratio's own df is 1.056
	 * (t ~ 11.6), mpmath: [-127.372184, 327.372184] */
	summary_compute(big, 10, &sa);
	summary_compute(small, 2, &sb);
	summary_compare(&sa, &sb, &x);
	CHECK(NEAR(x.ratio, 100, 1e-12) && NEAR(x.df, 9.063859431435917, 1e-9));
	CHECK(NEAR(x.ci_df, 1.0562366052293184, 1e-9));
	CHECK(NEAR(x.lo, -127.372184, 1e-5) && NEAR(x.hi, 327.372184, 1e-5));
	/* the reverse shape (A n=3, B n=10): Welch's df 2.0 was ~2x too wide;
	 * df_r 7.805, mpmath: [79.57431812, 120.4256819] */
	summary_compute(big3, 3, &sa);
	summary_compute(small10, 10, &sb);
	summary_compare(&sa, &sb, &x);
	CHECK(NEAR(x.df, 2.000533360985547, 1e-9));
	CHECK(NEAR(x.ci_df, 7.805309734513274, 1e-9));
	CHECK(NEAR(x.lo, 79.57431812, 1e-6) && NEAR(x.hi, 120.4256819, 1e-6));

	summary_compute(one, 1, &s1);
	summary_compute(one, 1, &s2);
	summary_compare(&s1, &s2, &x);
	CHECK(!x.has_ci && !x.has_test && x.ratio == 1);
	summary_cmp_text(&x, &s1, &s2, "", text, sizeof(text));
	CHECK_STR(text, "1.00x (one trial each: no confidence interval)");

	summary_compute(flat1, 2, &s1);
	summary_compute(flat2, 2, &s2);
	summary_compare(&s1, &s2, &x);
	CHECK(!x.has_test && !x.significant);
	summary_cmp_text(&x, &s1, &s2, "", text, sizeof(text));
	CHECK_STR(text, "0.75x [0.75, 0.75] (no spread in either: no test)");
}

static void
test_order(void)
{
	size_t o[4 * 3], o2[4 * 3];
	int differ = 0;

	summary_order(4, 3, 42, 0, o);
	for (size_t r = 0; r < 3; r++)
		for (size_t i = 0; i < 4; i++)
			CHECK_INT(o[r * 4 + i], i);
	summary_order(4, 3, 42, 1, o);
	summary_order(4, 3, 42, 1, o2);
	for (size_t r = 0; r < 3; r++) {
		unsigned seen = 0;
		for (size_t i = 0; i < 4; i++) {
			CHECK(o[r * 4 + i] < 4);
			seen |= 1u << o[r * 4 + i];
			CHECK(o[r * 4 + i] == o2[r * 4 + i]); /* same seed */
			if (r > 0 && o[r * 4 + i] != o[i])
				differ = 1;
		}
		CHECK_INT(seen, 0xf); /* each round: every configuration once */
	}
	CHECK(differ); /* rounds are shuffled each on its own */
	/* the sequence is splitmix64's, the same on every machine */
	{
		static const size_t want[] = {2, 0, 3, 1, 2, 3,
					      1, 0, 0, 3, 2, 1};
		for (size_t i = 0; i < 12; i++)
			CHECK_INT(o[i], want[i]);
	}
}

static json_object *
trial(double off, double fwd, int rep, int shrt, const char *phase)
{
	json_object *t = json_object_new_object();

	json_object_object_add(t, "offered_pps", json_object_new_double(off));
	json_object_object_add(t, "forwarded_pps", json_object_new_double(fwd));
	json_object_object_add(t, "achieved_pps", json_object_new_double(off));
	json_object_object_add(t, "loss_ratio",
			       json_object_new_double(1 - fwd / off));
	json_object_object_add(t, "mean_frame_bytes",
			       json_object_new_double(64));
	json_object_object_add(t, "short", json_object_new_boolean(shrt));
	json_object_object_add(t, "repeat", json_object_new_int(rep));
	if (phase)
		json_object_object_add(t, "phase",
				       json_object_new_string(phase));
	return t;
}

static json_object *
result(double ndr, const char *status, int limited)
{
	json_object *r = json_object_new_object();

	json_object_object_add(r, "ndr_pps", json_object_new_double(ndr));
	json_object_object_add(r, "status", json_object_new_string(status));
	json_object_object_add(r, "generator_limited",
			       json_object_new_boolean(limited));
	return r;
}

/* review 1316 #3: rounds whose search found a rate make the answer;
 * generator-limited ones (and those at the max rate) are in it, named as
 * lower bounds; a search that found nothing is excluded, not averaged */
static void
test_answers(void)
{
	json_object *res = json_object_new_array(), *a, *st, *ex, *lb, *rec;
	const char *key = "x";
	double vals[8];

	CHECK(summary_answers(res, &key) == NULL && key == NULL);
	json_object_array_add(res, result(100, "ok", 0));
	json_object_array_add(res, result(500, "ok", 1));
	json_object_array_add(res, result(120, "ok", 0));
	json_object_array_add(res, result(0, "aborted", 0));
	json_object_array_add(res, result(130, "at_max_rate", 0));
	json_object_array_add(res, result(0, "below_min_rate", 0));
	a = summary_answers(res, &key);
	CHECK(a != NULL && strcmp(key, "ndr_pps") == 0);
	st = json_object_object_get(a, "ndr_pps");
	CHECK_INT(json_object_get_int(json_object_object_get(st, "n")), 4);
	CHECK_INT(json_object_get_int(json_object_object_get(st, "n_excluded")),
		  2);
	CHECK(json_object_get_double(json_object_object_get(st, "median")) ==
	      125);
	ex = json_object_object_get(st, "excluded");
	CHECK_INT(json_object_array_length(ex), 2);
	CHECK_INT(json_object_get_int(json_object_object_get(
		      json_object_array_get_idx(ex, 0), "round")),
		  3);
	CHECK_STR(json_object_get_string(json_object_object_get(
		      json_object_array_get_idx(ex, 0), "why")),
		  "status aborted");
	CHECK_STR(json_object_get_string(json_object_object_get(
		      json_object_array_get_idx(ex, 1), "why")),
		  "status below_min_rate");
	lb = json_object_object_get(st, "lower_bound");
	CHECK_INT(
	    json_object_get_int(json_object_object_get(st, "n_lower_bound")),
	    2);
	CHECK_INT(json_object_get_int(json_object_object_get(
		      json_object_array_get_idx(lb, 0), "round")),
		  1);
	CHECK_STR(json_object_get_string(json_object_object_get(
		      json_object_array_get_idx(lb, 0), "why")),
		  "generator-limited");
	CHECK_STR(json_object_get_string(json_object_object_get(
		      json_object_array_get_idx(lb, 1), "why")),
		  "at max rate");
	json_object_put(a);

	/* bench compare reads the same rounds (even from a record whose
	 * answers still held every round) */
	rec = json_object_new_object();
	json_object_object_add(rec, "results", json_object_get(res));
	json_object_object_add(rec, "answers", json_object_new_object());
	CHECK_INT(summary_record_values(rec, vals, 8), 4);
	CHECK(vals[0] == 100 && vals[1] == 500 && vals[2] == 120 &&
	      vals[3] == 130);
	json_object_put(rec);
	json_object_put(res);

	/* no usable round: no answer (median null), the reason recorded */
	res = json_object_new_array();
	json_object_array_add(res, result(900, "aborted", 0));
	a = summary_answers(res, &key);
	st = json_object_object_get(a, "ndr_pps");
	CHECK_INT(json_object_get_int(json_object_object_get(st, "n")), 0);
	CHECK(json_object_object_get(st, "median") == NULL);
	CHECK_INT(
	    json_object_array_length(json_object_object_get(st, "excluded")),
	    1);
	json_object_put(a);
	json_object_put(res);
}

static void
test_points(void)
{
	json_object *tr = json_object_new_array(), *pts, *p, *f, *rec, *v;
	double vals[8];

	/* interleaved rounds: 1000, 2000, 1000, 2000, 1000, 2000 */
	json_object_array_add(tr, trial(1000, 1000, 0, 0, NULL));
	json_object_array_add(tr, trial(2000, 1900, 0, 0, NULL));
	json_object_array_add(tr, trial(1000, 990, 1, 1, NULL));
	json_object_array_add(tr, trial(2000, 1950, 1, 0, NULL));
	json_object_array_add(tr, trial(1000, 1000, 2, 0, NULL));
	json_object_array_add(tr, trial(2000, 1700, 2, 0, NULL));
	json_object_array_add(tr, trial(5000, 10, 0, 0, "search"));
	pts = summary_points(tr);
	CHECK_INT(json_object_array_length(pts), 2);
	p = json_object_array_get_idx(pts, 0);
	CHECK(json_object_get_double(
		  json_object_object_get(p, "offered_pps")) == 1000);
	CHECK_INT(json_object_get_int(json_object_object_get(p, "n")), 3);
	CHECK_INT(json_object_get_int(json_object_object_get(p, "short")), 1);
	f = json_object_object_get(p, "forwarded_pps");
	CHECK(json_object_get_double(json_object_object_get(f, "median")) ==
	      1000);
	CHECK(json_object_array_length(json_object_object_get(f, "ci95")) == 2);
	CHECK_STR(
	    json_object_get_string(json_object_object_get(f, "ci_method")),
	    "student-t");
	/* L1: 1000 pps * (64 + 20) B * 8 */
	CHECK(NEAR(json_object_get_double(
		       json_object_object_get(p, "forwarded_l1_gbps")),
		   0.000672, 1e-12));
	CHECK(NEAR(json_object_get_double(
		       json_object_object_get(p, "forwarded_l2_gbps")),
		   0.000512, 1e-12));
	json_object_put(pts);

	/* a sweep record: the highest forwarded rate per round */
	rec = json_object_new_object();
	json_object_object_add(rec, "trials", tr);
	CHECK_INT(summary_record_values(rec, vals, 8), 3);
	CHECK(vals[0] == 1900 && vals[1] == 1950 && vals[2] == 1700);
	/* a search record with answers; else its one answer */
	v = json_object_new_object();
	json_object_object_add(v, "ndr_pps", summary_json((double[]){5, 6}, 2));
	json_object_object_add(rec, "answers", v);
	CHECK_INT(summary_record_values(rec, vals, 8), 2);
	CHECK(vals[0] == 5 && vals[1] == 6);
	json_object_object_del(rec, "answers");
	json_object_object_add(rec, "pdr_pps", json_object_new_double(9));
	CHECK_INT(summary_record_values(rec, vals, 8), 1);
	CHECK(vals[0] == 9);
	json_object_put(rec);

	/* n = 1: stddev 0, ci95 null */
	v = summary_json((double[]){3}, 1);
	CHECK(json_object_get_double(json_object_object_get(v, "stddev")) == 0);
	CHECK(json_object_object_get_ex(v, "ci95", &f) && f == NULL);
	json_object_put(v);
}

/* Paired by round (issue 13): the figure-1 run of 2026-11-30, 1 vCPU
 * pinned (a) against unpinned (b), each round's highest forwarded rate;
 * the machine's load moved every round's rates 5x, which Welch's test
 * counts as noise and the pairing removes.  Python: geometric mean
 * 0.74939, t(4) = -3.2222, CI exp(mean -+ 2.776445 se) = [0.58446,
 * 0.96087], p = 0.03221. */
static void
test_paired(void)
{
	const double a[] = {18172, 14004, 15061, 50259, 48803},
		     b[] = {25353, 13416, 24898, 69569, 67513};
	const double gap[] = {2, NAN, 4, 8}, base[] = {1, 1, NAN, 4},
		     same[] = {2, 4, 6}, half[] = {1, 2, 3};
	struct summary_paired c;
	char text[200];

	summary_paired(a, b, 5, &c);
	CHECK(c.pairs == 5 && c.has_ci && c.has_test && NEAR(c.df, 4, 0));
	CHECK(NEAR(c.ratio, 0.7493932778569974, 1e-12));
	CHECK(NEAR(c.t, -3.222245357366909, 1e-9));
	CHECK(NEAR(c.lo, 0.5844583769648111, 1e-8));
	CHECK(NEAR(c.hi, 0.960873018560682, 1e-8));
	CHECK(NEAR(c.p, 0.0322117, 1e-6) && c.significant);
	summary_paired_text(&c, "unpinned", text, sizeof(text));
	CHECK_STR(text, "0.75x unpinned [0.58, 0.96] paired by round "
			"(significant: paired t-test p=0.032, 5 rounds)");
	/* a round missing on either side drops out: pairs (2,1), (8,4) */
	summary_paired(gap, base, 4, &c);
	CHECK(c.pairs == 2 && NEAR(c.ratio, 2, 1e-12) && !c.has_test);
	summary_paired_text(&c, "", text, sizeof(text));
	CHECK_STR(text, "2.00x [2.00, 2.00] paired by round (the same ratio "
			"in all 2 rounds: no test)");
	summary_paired(same, half, 1, &c);
	summary_paired_text(&c, "b", text, sizeof(text));
	CHECK_STR(text, "2.00x b paired by round (1 round with both: no "
			"confidence interval)");
	summary_paired(gap + 1, base + 1, 1, &c);
	CHECK(c.pairs == 0 && c.ratio == 0);
}

/* The per-round values, NAN where a round has none: a search's excluded
 * round keeps its place; a sweep's rounds by "repeat". */
static void
test_record_rounds(void)
{
	double v[8];
	json_object *rec = json_tokener_parse(
	    "{\"results\": [{\"status\": \"ok\", \"ndr_pps\": 100},"
	    " {\"status\": \"below_min_rate\", \"ndr_pps\": 0},"
	    " {\"status\": \"ok\", \"ndr_pps\": 300}]}");

	CHECK(summary_record_rounds(rec, v, 8) == 3);
	CHECK(v[0] == 100 && isnan(v[1]) && v[2] == 300);
	json_object_put(rec);
	rec = json_tokener_parse(
	    "{\"results\": [{\"type\": \"result\"}], \"trials\": ["
	    "{\"repeat\": 0, \"forwarded_pps\": 10},"
	    "{\"repeat\": 0, \"forwarded_pps\": 30},"
	    "{\"repeat\": 2, \"forwarded_pps\": 20}]}");
	CHECK(summary_record_rounds(rec, v, 8) == 3);
	CHECK(v[0] == 30 && isnan(v[1]) && v[2] == 20);
	CHECK(summary_record_rounds(rec, v, 1) == 1 && v[0] == 30);
	json_object_put(rec);
	rec = json_tokener_parse("{\"ndr_pps\": 5}");
	CHECK(summary_record_rounds(rec, v, 8) == 0);
	json_object_put(rec);
}

int
main(void)
{
	test_stats();
	test_t_table();
	test_compare();
	test_paired();
	test_record_rounds();
	test_order();
	test_points();
	test_answers();
	return t_done("test_summary");
}
