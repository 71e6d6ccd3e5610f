/*
 * Repetitions and confidence: the statistics of a bench's repeated
 * trials, defined once for vrouterd (which summarises `bench --repeat N`)
 * and vrctl (which summarises an experiment's rounds and compares runs).
 *
 * STATS (docs/bench.md "Repetitions and confidence"): n, the values, mean,
 * median, sample standard deviation, min, max and a 95 % confidence
 * interval for the mean by Student's t (two-sided; t computed, see
 * summary_t975).  A comparison of two samples: the ratio of their means
 * with a 95 % CI by the delta method, and Welch's t-test (unequal
 * variances) for "is the difference significant" (p < 0.05).  The run
 * order of an experiment's rounds: a seeded shuffle per round
 * (splitmix64 + Fisher-Yates), reproducible from the recorded seed.
 */
#ifndef VR_SUMMARY_H
#define VR_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#define SUMMARY_CI_METHOD "student-t"
#define SUMMARY_TEST	  "welch-t"
#define SUMMARY_RATIO_CI  "delta-method"
#define SUMMARY_PAIRED	  "paired-t-log-ratio"

struct summary {
	size_t n;
	double mean, median, stddev, min, max;
	int has_ci; /* n >= 2 */
	double ci_lo, ci_hi;
};

/* The statistics of v[0..n-1] (v is not changed).  0, or -1 if n == 0. */
int summary_compute(const double *v, size_t n, struct summary *s);

/* The two-sided 95 % quantile of Student's t with df degrees of freedom
 * (t_0.975), any real df: computed by bisection on summary_t_pvalue (the
 * regularised incomplete beta), accurate far beyond 4 decimals (df 1:
 * 12.7062, 10: 2.2281, 130: 1.9784).  df < 1 counts as 1, df > 1e6 as
 * 1e6 (1.959964). */
double summary_t975(double df);

/* P(|T| >= |t|) for Student's t with df (> 0) degrees of freedom. */
double summary_t_pvalue(double t, double df);

struct summary_cmp {
	double ratio;	 /* mean a / mean b (0 when b's mean is 0) */
	int has_ci;	 /* both n >= 2 and both means > 0 */
	double lo, hi;	 /* 95 % CI of the ratio (delta method) */
	double ci_df;	 /* its Satterthwaite df (relative variances) */
	int has_test;	 /* both n >= 2 and some spread */
	double t, df, p; /* Welch's t-test */
	int significant; /* has_test && p < 0.05 */
};

/* Compare sample a against sample b (the baseline).  Always 0. */
int summary_compare(const struct summary *a, const struct summary *b,
		    struct summary_cmp *c);

/*
 * Two runs paired by round: a[i] and b[i] measured in round i (NAN where
 * a round has no value; a round counts when both are > 0).  On the log
 * ratios d_i = ln(a_i / b_i): ratio = exp(mean d), the geometric mean of
 * the per-round ratios; its 95 % CI exp(mean d -+ t_0.975(k-1) sd/sqrt k)
 * over the k pairs; a paired t-test of mean d against 0.
 */
struct summary_paired {
	size_t pairs;	 /* rounds where both have a value */
	double ratio;	 /* geometric mean of a_i / b_i (0 without pairs) */
	int has_ci;	 /* pairs >= 2 */
	double lo, hi;	 /* 95 % CI of the ratio */
	int has_test;	 /* pairs >= 2 and the ratios differ */
	double t, df, p; /* the paired t-test on the log ratios */
	int significant; /* has_test && p < 0.05 */
};

/* Always 0. */
int summary_paired(const double *a, const double *b, size_t n,
		   struct summary_paired *c);

/*
 * The run order of nconf configurations over rounds: out[r * nconf + i]
 * is the configuration run i-th in round r.  Every round is a
 * permutation of 0..nconf-1; shuffled by seed when shuffle is set, else
 * 0, 1, ... in every round.
 */
void summary_order(size_t nconf, size_t rounds, uint64_t seed, int shuffle,
		   size_t *out);

struct json_object;

/* STATS as JSON: {"n","values","mean","median","stddev","min","max",
 * "ci95":[lo,hi] or null,"ci_method"}. */
struct json_object *summary_json(const double *v, size_t n);

/* A comparison as JSON: {"ratio","ci95","ci_method","test","t","df",
 * "p","significant"} (null where there is none). */
struct json_object *summary_cmp_json(const struct summary_cmp *c);

/* A paired comparison as JSON: {"pairs","ratio","ci95","ci_method",
 * "test","t","df","p","significant"} (null where there is none). */
struct json_object *summary_paired_json(const struct summary_paired *c);

/* It in words, e.g. "0.75x unpinned [0.58, 0.96] paired by round
 * (significant: paired t-test p=0.032, 5 rounds)". */
void summary_paired_text(const struct summary_paired *c, const char *base,
			 char *buf, size_t len);

/* The comparison in words, base the baseline's name (or ""), e.g.
 * "1.31x unpinned [1.22, 1.40] (significant: Welch t-test p=0.003)" or
 * "1.02x unpinned (one trial each: no confidence interval)". */
void summary_cmp_text(const struct summary_cmp *c, const struct summary *a,
		      const struct summary *b, const char *base, char *buf,
		      size_t len);

/*
 * A bench record's per-offered-rate summary of its sweep trials (trials
 * with no "phase"), in the order the rates first appear: [{"offered_pps",
 * "n", "short", "forwarded_pps": STATS, "achieved_pps": STATS,
 * "loss_ratio": STATS, "offered_l1_gbps", "forwarded_l1_gbps",
 * "forwarded_l2_gbps"}] (Gbps of the medians; L1 adds 20 bytes of preamble
 * and gap per frame).  An empty array when there is no sweep trial.
 */
struct json_object *summary_points(struct json_object *trials);

/*
 * A search's answer over its rounds' vrgen results (an array, round i at
 * index i): {"ndr_pps" | "pdr_pps": STATS + "n_excluded", "excluded":
 * [{"round", "why"}], "n_lower_bound", "lower_bound": [{"round", "why"}]}.
 * A round whose search found a rate (status "ok" or "at_max_rate") is in
 * STATS; when the generator limited it or it ended at the max rate, its
 * answer is only a lower bound of the router's and is listed as such
 * (why: "generator-limited", "at max rate").  Searches that found nothing
 * (below_min_rate, trial_budget_exhausted, aborted) are excluded (why:
 * "status ...").  *key the answer's name; NULL (and *key NULL) when no
 * result has an answer.
 */
struct json_object *summary_answers(struct json_object *results,
				    const char **key);

/*
 * The per-round values a comparison of bench records uses: a search's
 * usable answers per round (summary_answers of "results", else
 * "answers".{ndr_pps|pdr_pps}.values, else the one top-level answer), a sweep's
 * highest forwarded rate per round (trials grouped by "repeat").  Returns the
 * count (<= max), 0 if none.
 */
size_t summary_record_values(struct json_object *record, double *out,
			     size_t max);

/*
 * The same values by round: out[i] is round i's (a search's usable answer
 * in results[i], a sweep's highest forwarded rate of the trials with
 * "repeat" i), NAN for a round without one.  Returns the number of rounds
 * (<= max), 0 when the record has no per-round values (an old record
 * with only answers or one top-level answer).
 */
size_t summary_record_rounds(struct json_object *record, double *out,
			     size_t max);

#endif
