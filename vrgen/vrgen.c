/*
 * vrgen: traffic generator and sink for measuring virtual routers.
 *
 *   vrgen send  --dev IF [--netns NS] ... --rate PPS --duration S
 *   vrgen sink  --dev IF [--netns NS] --duration S | --until-idle MS
 *   vrgen trial --tx-netns NS --tx-dev IF --rx-netns NS --rx-dev IF ...
 *   vrgen sweep ... --rates LIST|FROM:TO:STEP
 *   vrgen ndr   ... [--loss RATIO] [--latency-at P1,P2,...]
 *   vrgen timeline ... --rate PPS --duration S [--bin-ms MS]
 *
 * See docs/vrgen.md for the options and the JSON it prints.  This file
 * holds the six commands and main; the options are vrgen_opts.c, the
 * trial engine vrgen_trial.c, the output vrgen_output.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "benchparam.h"
#include "cpuacct.h"
#include "gen.h"
#include "jw.h"
#include "search.h"
#include "sink.h"
#include "stats.h"
#include "vrgen.h"

atomic_int stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop_flag, 1);
}

/* ---- verbs -------------------------------------------------------------- */

static void
need(const char *what, const void *v, const char *verb)
{
	if (v == NULL)
		die("%s needs %s (try vrgen --help)", verb, what);
}

static int
cmd_send(struct opts *o)
{
	struct bench b;
	struct ifcounters c0, c1, d;
	struct gen_params p;
	struct gen_stats gs;
	const char *basis;
	char err[256];
	int ok0, rc;
	double secs;

	need("--dev", o->dev, "send");
	if (o->rate < 0)
		die("send needs --rate PPS (0: as fast as possible)");
	if (o->duration < 0 && o->count == 0)
		die("send needs --duration S or --count N");
	bench_setup(&b, o, 1, 0);
	memset(&p, 0, sizeof(p));
	p.rate = o->rate;
	p.count = o->count;
	p.duration_ns = o->duration > 0 ? (uint64_t)(o->duration * 1e9) : 0;
	p.burst = o->burst;
	p.run = (uint16_t)(o->run >= 0 ? o->run : 0);
	memset(&gs, 0, sizeof(gs));
	gs.per_flow = b.sent_per_flow;
	ok0 = read_if(&b.tx, &c0) == 0;
	rc = gen_run(&b.gtx, &b.frames, &p, &stop_flag, &gs, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "vrgen: %s: %s\n", b.tx.where, err);
	secs = gen_rate_interval(&p, &gs, &basis);
	if (o->json) {
		struct jw *w = &b.jw;
		unsigned i;

		jw_obj(w, NULL);
		jw_str(w, "type", "send");
		jw_u64(w, "run", p.run);
		jw_dbl(w, "offered_pps", o->rate);
		jw_str(w, "frame", o->frame);
		json_tx_path(w, &b.gtx);
		jw_u64(w, "flows", o->flows);
		jw_u64(w, "sent", gs.sent);
		jw_u64(w, "tx_bytes", gs.bytes);
		jw_dbl(w, "tx_seconds", (double)(gs.t_end - gs.t_start) / 1e9);
		jw_dbl(w, "rate_interval_s", secs);
		jw_str(w, "rate_basis", basis);
		jw_dbl(w, "achieved_pps",
		       secs > 0 ? round((double)gs.sent / secs) : 0);
		jw_u64(w, "tx_retries", gs.retries);
		jw_u64(w, "tx_calls", gs.calls);
		jw_u64(w, "tx_late_bursts", gs.late_bursts);
		jw_u64(w, "burst", gen_auto_burst(o->rate, o->burst));
		if (ok0 && read_if(&b.tx, &c1) == 0) {
			ifcounters_delta(&c1, &c0, &d);
			json_if(w, "tx_if", &b.tx, &d);
		}
		if (o->per_flow) {
			jw_arr(w, "per_flow_sent");
			for (i = 0; i < o->flows; i++)
				jw_u64(w, NULL, b.sent_per_flow[i]);
			jw_arr_end(w);
		}
		jw_end(w);
	} else {
		printf("sent %llu frames in %.3f s: %.0f pps (offered %.0f), "
		       "%llu retries, %s\n",
		       (unsigned long long)gs.sent, secs,
		       secs > 0 ? (double)gs.sent / secs : 0, o->rate,
		       (unsigned long long)gs.retries, gen_tx_describe(&b.gtx));
	}
	bench_free(&b);
	return rc < 0 ? 1 : 0;
}

static int
cmd_sink(struct opts *o)
{
	struct bench b;
	struct ifcounters c0, c1, d;
	struct softnet sn0, sn1;
	struct sink_until u;
	struct sink_totals t;
	int ok0, snok, rc;

	need("--dev", o->dev, "sink");
	if (o->serve) {
		bench_setup(&b, o, 0, 1);
		pin_self(o->rx_cpu, "sink");
		rc = sink_serve(&b);
		bench_free(&b);
		return rc < 0 ? 1 : 0;
	}
	if (o->duration < 0 && o->until_idle_ms == 0)
		die("sink needs --duration S or --until-idle MS");
	bench_setup(&b, o, 0, 1);
	pin_self(o->rx_cpu, "sink");
	sink_reset(b.sink, o->run);
	bench_timeline_start(&b, gen_now_ns());
	memset(&u, 0, sizeof(u));
	u.stop = &stop_flag;
	if (o->duration > 0)
		u.deadline_ns = gen_now_ns() + (uint64_t)(o->duration * 1e9);
	if (o->until_idle_ms) {
		u.idle_ms = o->until_idle_ms;
	} else {
		u.tx_done = &stop_flag; /* never idle-terminates */
		u.idle_ms = UINT32_MAX / 2;
	}
	ok0 = read_if(&b.rx, &c0) == 0;
	snok = softnet_read(&sn0) == 0;
	rc = sink_rx_run(&b.srx, b.sink, &u);
	if (rc < 0)
		fprintf(stderr, "vrgen: receiving on %s: %s\n", b.rx.where,
			strerror(errno));
	sink_totals(b.sink, NULL, &t);
	if (o->json) {
		struct jw *w = &b.jw;
		double secs =
		    (double)(b.sink->s_last_ns - b.sink->s_first_ns) / 1e9;

		jw_obj(w, NULL);
		jw_str(w, "type", "sink");
		jw_u64(w, "received", t.received);
		jw_u64(w, "lost", t.lost);
		jw_u64(w, "reordered", t.reordered);
		jw_u64(w, "late", t.late);
		jw_u64(w, "duplicates", t.duplicates);
		jw_u64(w, "flows_seen", t.flows_seen);
		jw_u64(w, "rx_bytes", b.sink->s_bytes);
		jw_dbl(w, "rx_seconds", secs);
		jw_dbl(w, "received_pps",
		       secs > 0 ? round((double)t.received / secs) : 0);
		json_latency(w, &b.sink->s_lat);
		jw_u64(w, "sink_ring_drops", b.srx.rx_ring_drops);
		jw_u64(w, "stale", b.sink->s_stale);
		jw_u64(w, "foreign", b.sink->s_foreign);
		if (ok0 && read_if(&b.rx, &c1) == 0) {
			ifcounters_delta(&c1, &c0, &d);
			json_if(w, "rx_if", &b.rx, &d);
		}
		if (snok && softnet_read(&sn1) == 0) {
			jw_obj(w, "softnet");
			jw_u64(w, "processed", sn1.processed - sn0.processed);
			jw_u64(w, "dropped", sn1.dropped - sn0.dropped);
			jw_u64(w, "time_squeeze", sn1.squeezed - sn0.squeezed);
			jw_end(w);
		}
		if (b.have_tl)
			json_timeline(
			    w, &b, o->duration > 0 ? o->duration : secs, NULL);
		if (o->per_flow)
			json_per_flow(w, b.sink, NULL);
		jw_end(w);
	} else {
		const struct hist *h = &b.sink->s_lat;

		printf("received %llu frames in %llu flows: %llu lost "
		       "(sequence gaps), %llu reordered, %llu duplicates; "
		       "latency p50 %.1f p99 %.1f max %.1f us\n",
		       (unsigned long long)t.received,
		       (unsigned long long)t.flows_seen,
		       (unsigned long long)t.lost,
		       (unsigned long long)t.reordered,
		       (unsigned long long)t.duplicates,
		       (double)hist_quantile(h, 0.5) / 1e3,
		       (double)hist_quantile(h, 0.99) / 1e3,
		       (double)h->h_max / 1e3);
	}
	bench_free(&b);
	return rc < 0 ? 1 : 0;
}

static void
need_pair(struct opts *o)
{
	need("--tx-dev", o->tx_dev, o->verb);
	if (!o->rx_remote)
		need("--rx-dev", o->rx_dev, o->verb);
}

static int
cmd_trial(struct opts *o)
{
	struct bench b;
	struct trial_out t;
	int rc;

	need_pair(o);
	if (o->rate < 0)
		die("trial needs --rate PPS (0: as fast as possible)");
	if (o->duration < 0 && o->count == 0)
		die("trial needs --duration S or --count N");
	bench_setup(&b, o, 1, 1);
	rc = run_trial(&b, o->rate, o->duration > 0 ? o->duration : 0, o->count,
		       &t);
	if (rc == 0) {
		if (o->json) {
			json_trial(&b, &t, NULL, 0);
		} else {
			human_header();
			human_trial(&b, &t, NULL, 0);
		}
	}
	bench_free(&b);
	return rc < 0 ? 1 : 0;
}

static int
cmd_sweep(struct opts *o)
{
	static double rates[BENCH_RATES_MAX];
	struct bench b;
	struct trial_out t;
	char err[256];
	unsigned n, i, done = 0;
	int rc = 0;

	need_pair(o);
	need("--rates", o->rates, "sweep");
	if (o->duration < 0)
		o->duration = 1;
	/* every rate or none (lib/benchparam.c: at most BENCH_RATES_MAX) */
	if ((rc = benchparam_rates(o->rates, rates, err, sizeof(err))) < 0)
		die("--rates: %s", err);
	n = (unsigned)rc;
	rc = 0;
	bench_setup(&b, o, 1, 1);
	if (!o->json)
		human_header();
	for (i = 0; i < n && !atomic_load(&stop_flag); i++) {
		if (run_trial(&b, rates[i], o->duration, 0, &t) < 0) {
			rc = -1;
			break;
		}
		if (o->json)
			json_trial(&b, &t, NULL, 0);
		else
			human_trial(&b, &t, NULL, 0);
		done++;
	}
	if (o->json) {
		struct jw *w = &b.jw;

		jw_obj(w, NULL);
		jw_str(w, "type", "result");
		jw_str(w, "mode", "sweep");
		jw_u64(w, "trials", done);
		jw_bool(w, "complete", done == n);
		jw_end(w);
	}
	bench_free(&b);
	return rc < 0 || done < n ? 1 : 0;
}

struct ndr_ctx {
	struct bench *b;
	struct search_cfg *cfg;
	struct trial_out last_confirm;
	int have_confirm;
};

static int
ndr_trial(void *arg, const struct search_step *step, struct search_trial *r)
{
	struct ndr_ctx *x = arg;
	struct trial_out t;
	int pass;

	if (atomic_load(&stop_flag))
		return -1;
	if (run_trial(x->b, step->rate, step->duration_s, 0, &t) < 0)
		return -1;
	r->sent = t.gs.sent;
	r->received = t.st.received;
	r->achieved_pps = t.achieved;
	pass = search_trial_pass(x->cfg, step->rate, r);
	if (x->b->o->json)
		json_trial(x->b, &t, step, pass);
	else
		human_trial(x->b, &t, step, pass);
	/* the answer is the last rate that passed a full-length trial */
	if (pass && step->duration_s >= x->cfg->final_s) {
		x->last_confirm = t;
		x->have_confirm = 1;
	}
	return 0;
}

/* One latency-at trial's figures, for the text table. */
struct lat_row {
	unsigned percent;
	double offered;
	uint64_t p50, p90, p99, p999, max; /* ns */
	uint64_t samples;
};

/*
 * --latency-at: after the search, one trial of the final duration at each
 * percent of the answer (search_latency_rate), each a line
 * {"type":"latency_at","percent","offered_pps","trial":{...}}.  Returns
 * the rows run (fewer when stopped or a trial failed).
 */
static unsigned
latency_at_run(struct bench *b, double answer, double dur, struct lat_row *rows)
{
	struct trial_out t;
	unsigned i, n = 0;

	for (i = 0; i < b->o->n_lat && !atomic_load(&stop_flag); i++) {
		struct lat_row *r = &rows[n];
		const struct hist *h = &b->sink->s_lat;

		r->percent = b->o->lat_pct[i];
		r->offered = search_latency_rate(answer, r->percent);
		if (run_trial(b, r->offered, dur, 0, &t) < 0)
			break;
		r->p50 = hist_quantile(h, 0.5);
		r->p90 = hist_quantile(h, 0.9);
		r->p99 = hist_quantile(h, 0.99);
		r->p999 = hist_quantile(h, 0.999);
		r->max = h->h_count ? h->h_max : 0;
		r->samples = h->h_count;
		n++;
		if (b->o->json) {
			jw_obj(&b->jw, NULL);
			jw_str(&b->jw, "type", "latency_at");
			jw_u64(&b->jw, "percent", r->percent);
			jw_dbl(&b->jw, "offered_pps", r->offered);
			json_trial_obj(b, "trial", &t, NULL, 0);
			jw_end(&b->jw);
		}
	}
	return n;
}

static void
latency_at_print(const struct lat_row *rows, unsigned n)
{
	unsigned i;

	printf("%7s %12s %10s %9s %9s %9s %9s %9s\n", "PERCENT", "OFFERED_PPS",
	       "SAMPLES", "P50_US", "P90_US", "P99_US", "P99.9_US", "MAX_US");
	for (i = 0; i < n; i++)
		printf("%7u %12.0f %10llu %9.1f %9.1f %9.1f %9.1f %9.1f\n",
		       rows[i].percent, rows[i].offered,
		       (unsigned long long)rows[i].samples,
		       (double)rows[i].p50 / 1e3, (double)rows[i].p90 / 1e3,
		       (double)rows[i].p99 / 1e3, (double)rows[i].p999 / 1e3,
		       (double)rows[i].max / 1e3);
}

static int
cmd_ndr(struct opts *o)
{
	struct lat_row rows[BENCH_LAT_AT_MAX];
	unsigned nrows = 0;
	struct search_cfg cfg;
	struct search_result r;
	struct ndr_ctx x;
	struct bench b;
	const char *bad, *key = o->loss > 0 ? "pdr_pps" : "ndr_pps";

	need_pair(o);
	search_cfg_default(&cfg);
	cfg.loss_ratio = o->loss;
	cfg.precision = o->precision;
	cfg.max_rate = o->max_rate > 0 ? o->max_rate : 1e6;
	cfg.min_rate =
	    o->min_rate > 0 ? o->min_rate : fmin(1000, cfg.max_rate / 100);
	cfg.trial_s = o->trial_s;
	cfg.final_s =
	    o->final_s > 0 ? o->final_s : (o->duration > 0 ? o->duration : 10);
	cfg.max_trials = o->max_trials;
	cfg.tx_tolerance = o->tx_tolerance;
	if ((bad = search_cfg_check(&cfg)) != NULL)
		die("ndr: %s", bad);
	bench_setup(&b, o, 1, 1);
	memset(&x, 0, sizeof(x));
	x.b = &b;
	x.cfg = &cfg;
	if (!o->json)
		human_header();
	search_run(&cfg, ndr_trial, &x, &r);
	if (o->n_lat > 0 && r.rate > 0 && r.status != SEARCH_ABORTED)
		nrows = latency_at_run(&b, r.rate, cfg.final_s, rows);
	if (o->json) {
		struct jw *w = &b.jw;

		jw_obj(w, NULL);
		jw_str(w, "type", "result");
		jw_str(w, "mode", o->loss > 0 ? "pdr" : "ndr");
		jw_dbl(w, key, round(r.rate));
		jw_str(w, "status", search_status_name(r.status));
		jw_dbl(w, "loss_ratio_allowed", cfg.loss_ratio);
		jw_dbl(w, "lower_pps", round(r.lower));
		jw_dbl(w, "upper_pps", round(r.upper));
		jw_dbl(w, "precision", cfg.precision);
		jw_dbl(w, "min_rate_pps", cfg.min_rate);
		jw_dbl(w, "max_rate_pps", cfg.max_rate);
		jw_dbl(w, "trial_s", cfg.trial_s);
		jw_dbl(w, "final_s", cfg.final_s);
		jw_u64(w, "trials", r.trials);
		jw_bool(w, "confirmed", r.confirmed);
		jw_bool(w, "generator_limited", r.generator_limited);
		jw_u64(w, "short_trials", r.short_trials);
		json_tx_path(w, &b.gtx);
		jw_str(w, "frame", o->frame);
		jw_u64(w, "flows", o->flows);
		if (x.have_confirm && x.last_confirm.offered == r.rate) {
			const struct trial_out *f = &x.last_confirm;

			jw_obj(w, "final_trial");
			jw_dbl(w, "offered_pps", f->offered);
			jw_dbl(w, "duration_s", f->duration_s);
			jw_u64(w, "sent", f->gs.sent);
			jw_u64(w, "received", f->st.received);
			jw_dbl(w, "loss_ratio", f->loss_ratio);
			jw_dbl(w, "achieved_pps", round(f->achieved));
			if (o->rx_remote) /* two clocks: none (as per trial) */
				jw_null(w, "latency_us");
			else {
				jw_obj(w, "latency_us");
				jw_dbl(w, "p50", (double)f->lat_p50 / 1e3);
				jw_dbl(w, "p99", (double)f->lat_p99 / 1e3);
				jw_dbl(w, "max", (double)f->lat_max / 1e3);
				jw_end(w);
			}
			jw_end(w);
		}
		jw_end(w);
	} else {
		printf("%s: %.0f pps (%s; bracket %.0f..%.0f, %u trials%s%s)\n",
		       o->loss > 0 ? "PDR" : "NDR", r.rate,
		       search_status_name(r.status), r.lower, r.upper, r.trials,
		       r.confirmed ? ", confirmed" : "",
		       r.generator_limited ? ", generator limited" : "");
		if (o->n_lat > 0 && r.rate > 0)
			latency_at_print(rows, nrows);
		else if (o->n_lat > 0)
			printf("no answer: no latency-at trials\n");
	}
	bench_free(&b);
	return r.status == SEARCH_ABORTED ? 1 : 0;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct opts o;

	opts_parse(&o, argc, argv);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(o.verb, "send") == 0)
		return cmd_send(&o);
	if (strcmp(o.verb, "sink") == 0)
		return cmd_sink(&o);
	if (strcmp(o.verb, "trial") == 0)
		return cmd_trial(&o);
	if (strcmp(o.verb, "timeline") == 0) {
		/* a trial whose sink also keeps the timeline */
		if (o.bin_ms == 0)
			o.bin_ms = BENCH_BIN_MS_DEF;
		if (o.rate <= 0 || o.duration <= 0)
			die("timeline needs --rate PPS (above 0: a constant "
			    "rate) and --duration S");
		return cmd_trial(&o);
	}
	if (strcmp(o.verb, "sweep") == 0)
		return cmd_sweep(&o);
	if (strcmp(o.verb, "ndr") == 0 || strcmp(o.verb, "pdr") == 0) {
		if (strcmp(o.verb, "pdr") == 0 && o.loss == 0)
			o.loss = 0.005;
		return cmd_ndr(&o);
	}
	fprintf(stderr, "vrgen: unknown command \"%s\"\n", o.verb);
	usage(stderr);
	return 2;
}
