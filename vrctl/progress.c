/*
 * How far a long bench or experiment has got, for its progress lines on
 * stderr: "trial 3/20 (0:42, ~3:30 left)" for a bench from the daemon's
 * trial notifications and the count of trials the params promise (a
 * sweep: its rates times its repeats; a search does not know its count,
 * so only the trial number and the time), and the same for the runs of
 * an experiment.  The estimate is the mean time per finished item times
 * the items left.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "benchparam.h"
#include "util.h"
#include "vrctl.h"

static struct {
	double t0;
	long long total; /* 0: unknown */
} progress;

static double
progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "m:ss" or "h:mm:ss". */
static void
progress_clock(char *buf, size_t len, double s)
{
	long long t = s < 0 ? 0 : (long long)(s + 0.5);

	if (t >= 3600)
		msgf(buf, len, "%lld:%02lld:%02lld", t / 3600, t / 60 % 60,
		     t % 60);
	else
		msgf(buf, len, "%lld:%02lld", t / 60, t % 60);
}

/* A bench call begins: how many trials its params promise. */
void
progress_begin(json_object *params)
{
	char err[128];
	long long n = 0, rep = j_int(params, "repeat", 1);

	progress.t0 = progress_now();
	if (strcmp(j_str(params, "mode"), "sweep") == 0)
		n = benchparam_rates(j_str(params, "rates"), NULL, err,
				     sizeof(err));
	progress.total = n > 0 ? n * (rep > 0 ? rep : 1) : 0;
}

/*
 * "i/N, elapsed, ~left" after the i-th of n items (n 0: unknown) begun at
 * t0 (progress_now() seconds; a negative t0: the bench's own).
 */
static void
progress_text(char *buf, size_t len, long long i, long long n, double t0)
{
	double el = progress_now() - t0;
	char e[32], l[32];

	progress_clock(e, sizeof(e), el);
	if (n > 0 && i > 0 && i < n) {
		progress_clock(l, sizeof(l), el / (double)i * (double)(n - i));
		msgf(buf, len, "%lld/%lld (%s, ~%s left)", i, n, e, l);
	} else if (n > 0)
		msgf(buf, len, "%lld/%lld (%s)", i, n, e);
	else
		msgf(buf, len, "%lld (%s)", i, e);
}

/* The i-th trial of the bench call has come. */
void
progress_trial(char *buf, size_t len, long long i)
{
	progress_text(buf, len, i, progress.total, progress.t0);
}

/* An experiment: the text for run i of n (done: finished runs) since t0. */
double
progress_start(void)
{
	return progress_now();
}

void
progress_runs(char *buf, size_t len, long long done, long long n, double t0)
{
	progress_text(buf, len, done, n, t0);
}
