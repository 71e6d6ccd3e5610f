/*
 * Zero-loss (NDR) and partial-drop (PDR) throughput search, in the style
 * of RFC 2544 section 26.1 and FD.io's MLRsearch.  Pure: a trial is a
 * callback, so the search runs against a simulated device in unit tests
 * and against the real generator and sink in vrgen.
 *
 *  1. One short trial at max_rate.  If it passes, the answer is max_rate.
 *     Otherwise its forwarded rate (what the device managed under
 *     overload) is the first guess.
 *  2. External search from the guess: widen the step (doubling) upwards
 *     while trials pass, downwards while they fail, until a passing
 *     rate (lower bound) and a failing rate (upper bound) bracket the knee.
 *  3. Bisection with short trials until upper - lower <= precision * upper.
 *  4. A final trial of full duration at the lower bound.  If it fails, that
 *     rate becomes the upper bound and steps 2-4 repeat, now with trials of
 *     full duration, so the answer is always a rate that passed a
 *     full-length trial.
 *
 * A trial passes when loss_ratio <= cfg.loss_ratio (NDR: no frame lost)
 * and the generator reached the offered rate within tx_tolerance; a
 * trial that fell short of the rate fails (counted in short_trials), so
 * the answer never exceeds what the generator really sent by more than
 * tx_tolerance.  When the trial that set the final upper bound was such a
 * trial, the result is generator_limited: the answer is the generator's
 * limit, and the device may forward more.
 *
 * Accuracy: with a device whose loss grows with the offered rate, the
 * answer R satisfies knee * (1 - precision) <= R <= knee, where knee is
 * the highest rate that passes (for a noisy device, the lowest knee seen
 * in the trials near the answer).
 */
#ifndef VR_BENCH_SEARCH_H
#define VR_BENCH_SEARCH_H

#include <stdint.h>

enum search_phase {
	SEARCH_MAX,	 /* the first trial, at max_rate */
	SEARCH_EXTERNAL, /* widening the bracket */
	SEARCH_BISECT,
	SEARCH_CONFIRM, /* full-length trial at the answer */
};

const char *search_phase_name(enum search_phase);

struct search_step {
	unsigned index; /* 1, 2, ... */
	enum search_phase phase;
	double rate; /* offered, packets/s */
	double duration_s;
	double lower, upper; /* the bracket before this trial (0: none) */
};

struct search_trial {
	uint64_t sent;	     /* frames the generator sent */
	uint64_t received;   /* distinct frames the sink counted */
	double achieved_pps; /* sent / (duration the generator took) */
};

/* Run one trial; 0, or -1 to abort the search. */
typedef int (*search_trial_fn)(void *arg, const struct search_step *,
			       struct search_trial *);

struct search_cfg {
	double min_rate;     /* lowest rate tried (packets/s) */
	double max_rate;     /* highest rate tried */
	double loss_ratio;   /* 0: NDR; e.g. 0.005: PDR at 0.5 % */
	double precision;    /* relative width of the final bracket */
	double trial_s;	     /* duration of search trials */
	double final_s;	     /* duration of the confirming trial(s) */
	double tx_tolerance; /* achieved >= (1 - tol) * offered, else fail */
	unsigned max_trials; /* budget */
};

void search_cfg_default(struct search_cfg *);
/* NULL when valid, else what is wrong. */
const char *search_cfg_check(const struct search_cfg *);

enum search_status {
	SEARCH_OK,
	SEARCH_AT_MAX,	  /* max_rate passed: the answer is a lower bound */
	SEARCH_BELOW_MIN, /* even min_rate failed: the answer is 0 */
	SEARCH_BUDGET,	  /* max_trials reached: the answer is the best
			     full-length-confirmed rate, or 0 */
	SEARCH_ABORTED,	  /* the trial callback failed */
};

const char *search_status_name(enum search_status);

struct search_result {
	enum search_status status;
	double rate;	     /* NDR / PDR, packets/s; 0 when none */
	double lower, upper; /* the final bracket */
	unsigned trials;
	int confirmed; /* rate passed a full-length trial */
	/* the trial that set the final upper bound failed because the
	 * generator fell short of its rate, not because of loss: the device
	 * may forward more than the answer */
	int generator_limited;
	unsigned short_trials; /* trials that fell short of their rate */
};

/* Did the generator fall more than tx_tolerance short of rate?  Such a
 * trial measured the generator: it fails whatever its loss. */
int search_trial_short(double tx_tolerance, double rate,
		       const struct search_trial *);
/* Is this trial a pass under cfg? (Exposed for vrgen and tests.) */
int search_trial_pass(const struct search_cfg *, double rate,
		      const struct search_trial *);
double search_trial_loss(const struct search_trial *);

int search_run(const struct search_cfg *, search_trial_fn, void *arg,
	       struct search_result *);

/* The offered rate of a latency-at trial (--latency-at): percent of the
 * answer, rounded to whole packets/s; 0 % is the low probe rate, 1 % of
 * the answer; at least 1 pps. */
#define SEARCH_PROBE_PERCENT 1
double search_latency_rate(double answer, unsigned percent);

#endif
