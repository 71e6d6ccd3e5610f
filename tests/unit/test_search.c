/*
 * Unit tests for the NDR/PDR search (vrgen/search.c) against simulated
 * devices with a known capacity and loss curve.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "search.h"
#include "t.h"

/* A simulated device.  Below knee nothing is lost; above it the loss
 * grows as slope * (rate - knee) / rate (slope 1: a hard capacity, it
 * forwards exactly knee frames/s).  queue frames are absorbed per trial
 * (a buffer that makes short trials look better than long ones).
 * noise: per trial the knee is scaled by 1 + noise * u, u in [-1, 1].
 * gen_max: the generator cannot send faster than this. */
struct sim {
	double knee, slope, queue, noise, gen_max;
	uint64_t rng;
	unsigned trials;
	double lowest_knee_seen; /* noisy: the knee of each trial */
	double sum_duration;
};

static double
uniform(struct sim *s)
{
	s->rng = s->rng * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(s->rng >> 11) / (double)(1ull << 53) * 2 - 1;
}

static int
sim_trial(void *arg, const struct search_step *st, struct search_trial *t)
{
	struct sim *s = arg;
	double rate = st->rate, knee = s->knee, lost, secs = st->duration_s;

	s->trials++;
	s->sum_duration += st->duration_s;
	if (s->noise > 0)
		knee *= 1 + s->noise * uniform(s);
	if (knee < s->lowest_knee_seen || s->lowest_knee_seen == 0)
		s->lowest_knee_seen = knee;
	/* like vrgen: a trial is rate x duration frames; a generator that
	 * cannot keep up takes longer to send them */
	t->sent = (uint64_t)(rate * st->duration_s);
	if (s->gen_max > 0 && rate > s->gen_max) {
		secs = (double)t->sent / s->gen_max;
		rate = s->gen_max;
	}
	t->achieved_pps = rate;
	lost = 0;
	if (rate > knee)
		lost = s->slope * (rate - knee) * secs - s->queue;
	if (lost > 0)
		lost = ceil(lost);
	else
		lost = 0;
	if (lost > (double)t->sent)
		lost = (double)t->sent;
	t->received = t->sent - (uint64_t)lost;
	return 0;
}

static struct search_cfg
cfg(double max, double loss, double precision)
{
	struct search_cfg c;

	search_cfg_default(&c);
	c.max_rate = max;
	c.min_rate = 1000;
	c.loss_ratio = loss;
	c.precision = precision;
	c.trial_s = 1;
	c.final_s = 10;
	return c;
}

/* the answer is within [want * (1 - precision), want] */
static int
within(double got, double want, double precision)
{
	return got <= want * (1 + 1e-9) && got >= want * (1 - precision);
}

static void
test_hard_capacity(void)
{
	double knees[] = {1500, 12345, 230000, 987654, 999999};
	unsigned i;

	for (i = 0; i < sizeof(knees) / sizeof(knees[0]); i++) {
		struct sim s = {.knee = knees[i], .slope = 1};
		struct search_cfg c = cfg(1e6, 0, 0.005);
		struct search_result r;

		CHECK_INT(search_run(&c, sim_trial, &s, &r), 0);
		CHECK_INT(r.status, SEARCH_OK);
		CHECK(within(r.rate, knees[i], 0.005));
		CHECK(r.confirmed);
		CHECK(r.trials <= 20);
		CHECK(r.upper > r.rate);
		if (!within(r.rate, knees[i], 0.005))
			fprintf(stderr, "knee %.0f: got %.0f\n", knees[i],
				r.rate);
	}
}

static void
test_pdr(void)
{
	/* a hard capacity: loss <= 0.5 % up to knee / (1 - 0.005) */
	struct sim s = {.knee = 200000, .slope = 1};
	struct search_cfg c = cfg(1e6, 0.005, 0.002);
	struct search_result r;
	double pdr = 200000 / (1 - 0.005);

	CHECK_INT(search_run(&c, sim_trial, &s, &r), 0);
	CHECK_INT(r.status, SEARCH_OK);
	CHECK(within(r.rate, pdr, 0.002));
	/* a soft curve: loss = 0.1 * (rate - knee) / rate, 1 % at
	 * knee / (1 - 0.1) ... solve 0.1 (r - k) / r = 0.01: r = k / 0.9 */
	memset(&s, 0, sizeof(s));
	s.knee = 300000;
	s.slope = 0.1;
	c = cfg(1e6, 0.01, 0.005);
	CHECK_INT(search_run(&c, sim_trial, &s, &r), 0);
	CHECK(within(r.rate, 300000 / 0.9, 0.005));
	/* and its NDR is the knee */
	memset(&s, 0, sizeof(s));
	s.knee = 300000;
	s.slope = 0.1;
	c = cfg(1e6, 0, 0.005);
	CHECK_INT(search_run(&c, sim_trial, &s, &r), 0);
	CHECK(within(r.rate, 300000, 0.005));
}

static void
test_noisy(void)
{
	unsigned seed, bad = 0, runs = 50;

	/* the knee varies by +-3 % from trial to trial: the answer must lie
	 * between the worst knee and the best one */
	for (seed = 1; seed <= runs; seed++) {
		struct sim s = {
		    .knee = 500000, .slope = 1, .noise = 0.03, .rng = seed};
		struct search_cfg c = cfg(1e6, 0, 0.005);
		struct search_result r;

		search_run(&c, sim_trial, &s, &r);
		if (r.status != SEARCH_OK || !r.confirmed ||
		    r.rate < 500000 * 0.97 * (1 - 0.005) ||
		    r.rate > 500000 * 1.03) {
			bad++;
			fprintf(stderr, "seed %u: %s %.0f\n", seed,
				search_status_name(r.status), r.rate);
		}
	}
	CHECK_INT(bad, 0);
}

static void
test_short_trials_optimistic(void)
{
	/* A 20000-frame buffer: a 1 s trial passes up to knee + 20000, a
	 * 10 s trial only up to knee + 2000.  The confirmation must catch
	 * it and the answer must hold for the full-length trial. */
	struct sim s = {.knee = 400000, .slope = 1, .queue = 20000};
	struct search_cfg c = cfg(1e6, 0, 0.002);
	struct search_result r;

	CHECK_INT(search_run(&c, sim_trial, &s, &r), 0);
	CHECK_INT(r.status, SEARCH_OK);
	CHECK(r.confirmed);
	CHECK(within(r.rate, 402000, 0.002));
}

static void
test_limits(void)
{
	struct search_result r;
	struct search_cfg c;
	struct sim s;

	/* the device outruns max_rate */
	memset(&s, 0, sizeof(s));
	s.knee = 2e6;
	s.slope = 1;
	c = cfg(1e6, 0, 0.01);
	CHECK_INT(search_run(&c, sim_trial, &s, &r), 0);
	CHECK_INT(r.status, SEARCH_AT_MAX);
	CHECK(r.rate == 1e6);
	CHECK(r.confirmed);
	CHECK_INT(r.trials, 2);
	/* the device cannot even do min_rate */
	memset(&s, 0, sizeof(s));
	s.knee = 500;
	s.slope = 1;
	CHECK_INT(search_run(&c, sim_trial, &s, &r), 0);
	CHECK_INT(r.status, SEARCH_BELOW_MIN);
	CHECK(r.rate == 0);
	/* the generator is the bottleneck: never claim more than it reached
	 * (within tx_tolerance, 1 %) */
	memset(&s, 0, sizeof(s));
	s.knee = 900000;
	s.slope = 1;
	s.gen_max = 600000;
	CHECK_INT(search_run(&c, sim_trial, &s, &r), 0);
	CHECK(r.generator_limited);
	CHECK(r.short_trials >= 1);
	CHECK(r.rate <= 600000 / 0.99 && r.rate >= 600000 * 0.99);
	/* the first guess comes from what arrived per second of sending, not
	 * per second of the nominal duration: a few trials, not a crawl down
	 * from max_rate */
	printf("generator-limited search: %u trials\n", r.trials);
	CHECK(r.trials <= 12);
	/* the generator cannot reach max_rate, but loss bounds the answer
	 * below what it can do: not generator-limited */
	memset(&s, 0, sizeof(s));
	s.knee = 300000;
	s.slope = 1;
	s.gen_max = 600000;
	CHECK_INT(search_run(&c, sim_trial, &s, &r), 0);
	CHECK(!r.generator_limited);
	CHECK(r.short_trials >= 1);
	CHECK(r.rate <= 300000 && r.rate >= 300000 * (1 - c.precision));
	/* a tiny budget: no confirmed answer, status says so */
	memset(&s, 0, sizeof(s));
	s.knee = 123456;
	s.slope = 1;
	c.max_trials = 3; /* max, guess, one above: no room to confirm */
	CHECK_INT(search_run(&c, sim_trial, &s, &r), 0);
	CHECK_INT(r.status, SEARCH_BUDGET);
	CHECK(r.rate == 0);
	CHECK_INT(s.trials, 3);
	/* one more and it completes */
	memset(&s, 0, sizeof(s));
	s.knee = 123456;
	s.slope = 1;
	c.max_trials = 4;
	CHECK_INT(search_run(&c, sim_trial, &s, &r), 0);
	CHECK_INT(r.status, SEARCH_OK);
	CHECK(within(r.rate, 123456, 0.01));
	/* bad configurations */
	c = cfg(1e6, 0, 0.01);
	c.min_rate = 2e6;
	CHECK(search_cfg_check(&c) != NULL);
	CHECK_INT(search_run(&c, sim_trial, &s, &r), -1);
	c = cfg(1e6, 1.5, 0.01);
	CHECK(search_cfg_check(&c) != NULL);
	c = cfg(1e6, 0, 0);
	CHECK(search_cfg_check(&c) != NULL);
	c = cfg(1e6, 0, 0.01);
	CHECK(search_cfg_check(&c) == NULL);
}

static int
abort_trial(void *arg, const struct search_step *st, struct search_trial *t)
{
	(void)st;
	(void)t;
	return ++*(int *)arg >= 2 ? -1 : (t->sent = 0, 0);
}

static void
test_abort_and_pass(void)
{
	struct search_cfg c = cfg(1e6, 0, 0.01);
	struct search_result r;
	struct search_trial t;
	int n = 0;

	CHECK_INT(search_run(&c, abort_trial, &n, &r), -1);
	CHECK_INT(r.status, SEARCH_ABORTED);
	/* pass rules */
	t.sent = 1000;
	t.received = 1000;
	t.achieved_pps = 1000;
	CHECK(search_trial_pass(&c, 1000, &t));
	t.received = 999;
	CHECK(!search_trial_pass(&c, 1000, &t));
	c.loss_ratio = 0.001;
	CHECK(search_trial_pass(&c, 1000, &t));
	t.received = 998;
	CHECK(!search_trial_pass(&c, 1000, &t));
	t.received = 1000;
	t.achieved_pps = 980; /* 2 % short of the offered rate */
	CHECK(!search_trial_pass(&c, 1000, &t));
	t.sent = 0;
	t.received = 0;
	CHECK(!search_trial_pass(&c, 1000, &t));
	CHECK(search_trial_loss(&t) == 1.0);
}

/* --latency-at's rates: percents of the answer, 0 the 1 % probe. */
static void
test_latency_rate(void)
{
	CHECK(search_latency_rate(200000, 50) == 100000);
	CHECK(search_latency_rate(200000, 90) == 180000);
	CHECK(search_latency_rate(200000, 100) == 200000);
	CHECK(search_latency_rate(200000, 0) == 2000);
	CHECK(search_latency_rate(12345, 10) == 1235); /* rounded */
	CHECK(search_latency_rate(50, 0) == 1);	       /* at least 1 pps */
}

int
main(void)
{
	test_hard_capacity();
	test_pdr();
	test_noisy();
	test_short_trials_optimistic();
	test_limits();
	test_abort_and_pass();
	test_latency_rate();
	return t_done("test_search");
}
