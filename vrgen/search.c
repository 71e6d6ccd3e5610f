/* NDR/PDR search (see search.h for the algorithm and its accuracy). */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "search.h"

const char *
search_phase_name(enum search_phase p)
{
	switch (p) {
	case SEARCH_MAX:
		return "max";
	case SEARCH_EXTERNAL:
		return "external";
	case SEARCH_BISECT:
		return "bisect";
	case SEARCH_CONFIRM:
		return "confirm";
	}
	return "?";
}

const char *
search_status_name(enum search_status s)
{
	switch (s) {
	case SEARCH_OK:
		return "ok";
	case SEARCH_AT_MAX:
		return "at_max_rate";
	case SEARCH_BELOW_MIN:
		return "below_min_rate";
	case SEARCH_BUDGET:
		return "trial_budget_exhausted";
	case SEARCH_ABORTED:
		return "aborted";
	}
	return "?";
}

void
search_cfg_default(struct search_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->min_rate = 1000;
	c->max_rate = 1000000;
	c->loss_ratio = 0;
	c->precision = 0.01;
	c->trial_s = 1;
	c->final_s = 10;
	c->tx_tolerance = 0.01;
	c->max_trials = 40;
}

const char *
search_cfg_check(const struct search_cfg *c)
{
	if (!(c->min_rate > 0) || !(c->max_rate >= c->min_rate))
		return "need 0 < min_rate <= max_rate";
	if (!(c->loss_ratio >= 0 && c->loss_ratio < 1))
		return "loss ratio must be in [0, 1)";
	if (!(c->precision > 0 && c->precision < 0.5))
		return "precision must be in (0, 0.5)";
	if (!(c->trial_s > 0) || !(c->final_s > 0))
		return "trial durations must be positive";
	if (!(c->tx_tolerance >= 0 && c->tx_tolerance < 1))
		return "tx tolerance must be in [0, 1)";
	if (c->max_trials < 2)
		return "need a budget of at least 2 trials";
	return NULL;
}

double
search_trial_loss(const struct search_trial *t)
{
	if (t->sent == 0)
		return 1.0;
	if (t->received >= t->sent)
		return 0.0;
	return (double)(t->sent - t->received) / (double)t->sent;
}

int
search_trial_short(double tx_tolerance, double rate,
		   const struct search_trial *t)
{
	return t->sent > 0 && t->achieved_pps < (1 - tx_tolerance) * rate;
}

int
search_trial_pass(const struct search_cfg *c, double rate,
		  const struct search_trial *t)
{
	if (t->sent == 0 || search_trial_short(c->tx_tolerance, rate, t))
		return 0;
	if (c->loss_ratio == 0)
		return t->received >= t->sent;
	return search_trial_loss(t) <= c->loss_ratio;
}

struct search_ctx {
	const struct search_cfg *c;
	search_trial_fn fn;
	void *arg;
	struct search_result *r;
	double lo, hi;	  /* 0: not known */
	double dur;	  /* current trial duration */
	int full;	  /* dur is the full (final) duration */
	double best_full; /* highest rate that passed a full-length trial */
	int last_short;	  /* the last trial fell short of its rate */
	int hi_short;	  /* ... and so did the one that set hi */
};

static void
set_hi(struct search_ctx *x, double rate)
{
	x->hi = rate;
	x->hi_short = x->last_short;
}

/* 1 pass, 0 fail, -1 stop (budget or abort: r->status set). */
static int
run_trial(struct search_ctx *x, enum search_phase ph, double rate, double dur,
	  double *fwd)
{
	struct search_step st;
	struct search_trial t;
	int pass;

	if (x->r->trials >= x->c->max_trials) {
		x->r->status = SEARCH_BUDGET;
		return -1;
	}
	memset(&st, 0, sizeof(st));
	st.index = x->r->trials + 1;
	st.phase = ph;
	st.rate = rate;
	st.duration_s = dur;
	st.lower = x->lo;
	st.upper = x->hi;
	memset(&t, 0, sizeof(t));
	if (x->fn(x->arg, &st, &t) < 0) {
		x->r->status = SEARCH_ABORTED;
		return -1;
	}
	x->r->trials++;
	x->last_short = search_trial_short(x->c->tx_tolerance, rate, &t);
	x->r->short_trials += (unsigned)x->last_short;
	/* received over the time the sending took: a generator that fell
	 * short took longer than dur to send its frames */
	if (fwd != NULL)
		*fwd =
		    t.sent > 0 && t.achieved_pps > 0
			? (double)t.received * t.achieved_pps / (double)t.sent
			: (double)t.received / dur;
	pass = search_trial_pass(x->c, rate, &t);
	if (pass && dur >= x->c->final_s && rate > x->best_full)
		x->best_full = rate;
	return pass;
}

static int
narrow_enough(const struct search_ctx *x)
{
	return x->lo > 0 && x->hi > 0 &&
	       x->hi - x->lo <= x->c->precision * x->hi;
}

/* Steps 2 and 3 from guess; on return lo > 0 (or status set). */
static int
bracket_and_bisect(struct search_ctx *x, double guess)
{
	const struct search_cfg *c = x->c;
	double r = guess, step = c->precision * guess;
	int p;

	/* external search */
	while (!narrow_enough(x)) {
		if (x->hi > 0 && r >= x->hi)
			r = x->hi * (1 - c->precision / 2);
		if (r < c->min_rate)
			r = c->min_rate;
		p = run_trial(x, SEARCH_EXTERNAL, r, x->dur, NULL);
		if (p < 0)
			return -1;
		if (p) {
			x->lo = r;
			if (x->hi > 0 && r + step >= x->hi)
				break;
			r += step;
		} else {
			set_hi(x, r);
			if (r <= c->min_rate) {
				x->r->status = SEARCH_BELOW_MIN;
				return -1;
			}
			if (x->lo > 0 && r - step <= x->lo)
				break;
			r -= step;
		}
		step *= 2;
	}
	/* bisection */
	while (!narrow_enough(x)) {
		double mid = (x->lo + x->hi) / 2;

		p = run_trial(x, SEARCH_BISECT, mid, x->dur, NULL);
		if (p < 0)
			return -1;
		if (p)
			x->lo = mid;
		else
			set_hi(x, mid);
	}
	return 0;
}

int
search_run(const struct search_cfg *c, search_trial_fn fn, void *arg,
	   struct search_result *r)
{
	struct search_ctx x;
	double fwd = 0, guess;
	int p;

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	if (search_cfg_check(c) != NULL)
		return -1;
	x.c = c;
	x.fn = fn;
	x.arg = arg;
	x.r = r;
	x.dur = c->trial_s;
	x.full = c->trial_s >= c->final_s;

	p = run_trial(&x, SEARCH_MAX, c->max_rate, x.dur, &fwd);
	if (p < 0)
		goto out;
	if (p) {
		x.lo = c->max_rate;
		x.hi = 0;
	} else {
		set_hi(&x, c->max_rate);
		/* forwarded rate under overload; for PDR the device may
		 * lose loss_ratio of a rate a little above it */
		guess = fwd / (1 - c->loss_ratio);
		if (guess > x.hi * (1 - c->precision))
			guess = x.hi * (1 - c->precision);
		if (guess < c->min_rate)
			guess = c->min_rate;
		if (bracket_and_bisect(&x, guess) < 0)
			goto out;
	}
	for (;;) {
		if (x.full) {
			r->confirmed = 1;
			break;
		}
		p = run_trial(&x, SEARCH_CONFIRM, x.lo, c->final_s, NULL);
		if (p < 0)
			goto out;
		if (p) {
			r->confirmed = 1;
			break;
		}
		/* the short trials were too optimistic: search again below,
		 * every trial now full length */
		set_hi(&x, x.lo);
		x.lo = 0;
		x.dur = c->final_s;
		x.full = 1;
		if (x.hi <= c->min_rate) {
			r->status = SEARCH_BELOW_MIN;
			goto out;
		}
		guess = x.hi * (1 - c->precision);
		if (bracket_and_bisect(&x, guess) < 0)
			goto out;
	}
	r->rate = x.lo;
	r->status = (x.lo >= c->max_rate) ? SEARCH_AT_MAX : SEARCH_OK;
out:
	r->lower = x.lo;
	r->upper = x.hi;
	r->generator_limited = x.hi > 0 && x.hi_short;
	if (r->status == SEARCH_BUDGET)
		r->rate = x.best_full;
	if (r->status == SEARCH_BELOW_MIN) {
		r->rate = 0;
		r->lower = 0;
	}
	return r->status == SEARCH_ABORTED ? -1 : 0;
}

double
search_latency_rate(double answer, unsigned percent)
{
	double r =
	    round(answer * (percent ? percent : SEARCH_PROBE_PERCENT) / 100);

	return r < 1 ? 1 : r;
}
