/*
 * vrgen's output: one JSON object per line for each trial (interfaces,
 * latency histogram, per-flow counts, per-second intervals, CPU use) and
 * the human table printed when --json is not given (docs/vrgen.md).
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

/* The send path, and why AF_XDP was not used when auto fell back from it
 * (null when it did not), in every line that names a path. */
void
json_tx_path(struct jw *w, const struct gen_tx *tx)
{
	jw_str(w, "tx_path", gen_tx_describe(tx));
	if (tx->tx_fallback[0] != '\0')
		jw_str(w, "tx_fallback", tx->tx_fallback);
	else
		jw_null(w, "tx_fallback");
}

/* ---- output ------------------------------------------------------------- */

void
json_if(struct jw *w, const char *key, const struct endpoint *e,
	const struct ifcounters *c)
{
	jw_obj(w, key);
	jw_str(w, "name", e->dev);
	if (e->netns != NULL)
		jw_str(w, "netns", e->netns);
	jw_u64(w, "tx_packets", c->tx_packets);
	jw_u64(w, "tx_bytes", c->tx_bytes);
	jw_u64(w, "tx_dropped", c->tx_dropped);
	jw_u64(w, "tx_errors", c->tx_errors);
	jw_u64(w, "rx_packets", c->rx_packets);
	jw_u64(w, "rx_bytes", c->rx_bytes);
	jw_u64(w, "rx_dropped", c->rx_dropped);
	jw_u64(w, "rx_errors", c->rx_errors);
	jw_end(w);
}

/* The non-empty buckets, [lo, hi) in microseconds: a bucket holds the
 * whole nanoseconds lo_ns..hi_ns (stats.h: within 1/64 of each other). */
static void
json_histogram(struct jw *w, const struct hist *h)
{
	static struct hist_bucket bk[HIST_BUCKETS];
	unsigned n = hist_nonempty(h, bk, HIST_BUCKETS), i;

	jw_obj(w, "histogram");
	jw_str(w, "unit", "us");
	jw_arr(w, "buckets");
	for (i = 0; i < n; i++) {
		jw_arr(w, NULL);
		jw_dbl(w, NULL, (double)bk[i].lo / 1e3);
		jw_dbl(w, NULL, (double)(bk[i].hi + 1) / 1e3);
		jw_u64(w, NULL, bk[i].count);
		jw_arr_end(w);
	}
	jw_arr_end(w);
	jw_end(w);
}

void
json_latency(struct jw *w, const struct hist *h)
{
	jw_obj(w, "latency_us");
	jw_u64(w, "samples", h->h_count);
	if (h->h_count) {
		jw_dbl(w, "min", (double)h->h_min / 1e3);
		jw_dbl(w, "mean", round(hist_mean(h) / 10) / 100);
		jw_dbl(w, "p50", (double)hist_quantile(h, 0.5) / 1e3);
		jw_dbl(w, "p90", (double)hist_quantile(h, 0.9) / 1e3);
		jw_dbl(w, "p99", (double)hist_quantile(h, 0.99) / 1e3);
		jw_dbl(w, "p999", (double)hist_quantile(h, 0.999) / 1e3);
		jw_dbl(w, "max", (double)h->h_max / 1e3);
	}
	json_histogram(w, h);
	jw_end(w);
}

void
json_per_flow(struct jw *w, const struct sink *s, const uint64_t *sent)
{
	unsigned i;

	jw_arr(w, "per_flow");
	for (i = 0; i < s->s_nflows; i++) {
		const struct sink_flow *f = &s->s_flows[i];

		if (sent == NULL && f->sf_received == 0 && f->sf_dups == 0)
			continue;
		jw_obj(w, NULL);
		jw_u64(w, "flow", i);
		if (sent != NULL)
			jw_u64(w, "sent", sent[i]);
		jw_u64(w, "received", f->sf_received);
		jw_u64(w, "lost", sink_flow_lost(f, sent ? sent[i] : 0));
		jw_u64(w, "reordered", f->sf_reordered);
		jw_u64(w, "duplicates", f->sf_dups);
		jw_end(w);
	}
	jw_arr_end(w);
}

/* Sent and received pps each second, and how steady the received rate
 * was over the whole seconds (all intervals when none is whole). */
static void
json_intervals(struct jw *w, const struct bench *b, const struct trial_out *t)
{
	static double pps[2 * BENCH_DURATION_MAX + 4];
	struct ivl_stability sb;
	unsigned i, whole = 0;

	jw_arr(w, "intervals");
	for (i = 0; i < t->iv_n; i++) {
		double len = i + 1 < t->iv_n ? 1 : t->iv_span - i;

		jw_obj(w, NULL);
		jw_u64(w, "t_s", i);
		jw_dbl(w, "sent_pps",
		       round((double)b->iv_tx.iv_count[i] / len));
		jw_dbl(w, "received_pps",
		       round((double)b->iv_rx.iv_count[i] / len));
		jw_end(w);
		if (len >= 0.95)
			pps[whole++] = (double)b->iv_rx.iv_count[i] / len;
	}
	jw_arr_end(w);
	if (whole == 0)
		for (i = 0; i < t->iv_n; i++)
			pps[whole++] =
			    (double)b->iv_rx.iv_count[i] / t->iv_span;
	ivl_stability(pps, whole, &sb);
	jw_obj(w, "stability");
	jw_dbl(w, "received_pps_cv", round(sb.cv * 1e4) / 1e4);
	jw_dbl(w, "min_pps", round(sb.min));
	jw_dbl(w, "max_pps", round(sb.max));
	jw_end(w);
}

void
json_trial_obj(struct bench *b, const char *key, const struct trial_out *t,
	       const struct search_step *step, int pass)
{
	struct jw *w = &b->jw;

	jw_obj(w, key);
	jw_str(w, "type", "trial");
	if (step != NULL) {
		jw_u64(w, "index", step->index);
		jw_str(w, "phase", search_phase_name(step->phase));
	} else if (b->have_tl) {
		jw_str(w, "phase", "timeline");
	}
	jw_u64(w, "run", t->run);
	jw_dbl(w, "offered_pps", t->offered);
	jw_dbl(w, "duration_s", t->duration_s);
	jw_str(w, "frame", b->o->frame);
	json_tx_path(w, &b->gtx);
	jw_dbl(w, "mean_frame_bytes", gen_mean_frame(&b->gcfg));
	jw_u64(w, "flows", b->gcfg.flows);
	jw_u64(w, "sent", t->gs.sent);
	jw_u64(w, "received", t->st.received);
	jw_u64(w, "lost", t->st.lost);
	jw_dbl(w, "loss_ratio", t->loss_ratio);
	jw_u64(w, "reordered", t->st.reordered);
	jw_u64(w, "late", t->st.late);
	jw_u64(w, "duplicates", t->st.duplicates);
	jw_dbl(w, "achieved_pps", round(t->achieved));
	jw_bool(w, "short",
		search_trial_short(b->o->tx_tolerance, t->offered,
				   &(struct search_trial){
				       .sent = t->gs.sent,
				       .achieved_pps = t->achieved,
				   }));
	jw_dbl(w, "forwarded_pps", round(t->forwarded));
	jw_dbl(w, "tx_seconds", (double)(t->gs.t_end - t->gs.t_start) / 1e9);
	jw_dbl(w, "rate_interval_s", t->rate_s);
	jw_str(w, "rate_basis", t->rate_basis);
	jw_u64(w, "tx_bytes", t->gs.bytes);
	jw_u64(w, "tx_retries", t->gs.retries);
	jw_u64(w, "tx_late_bursts", t->gs.late_bursts);
	jw_u64(w, "burst", gen_auto_burst(t->offered, b->o->burst));
	if (b->o->rx_remote) /* one-way latency across two clocks: none */
		jw_null(w, "latency_us");
	else
		json_latency(w, &b->sink->s_lat);
	jw_u64(w, "sink_ring_drops", t->ring_drops);
	jw_u64(w, "stale", t->stale);
	jw_u64(w, "foreign", t->foreign);
	if (t->tx_if_ok)
		json_if(w, "tx_if", &b->tx, &t->tx_if);
	if (t->rx_if_ok)
		json_if(w, "rx_if", &b->rx, &t->rx_if);
	if (t->sn_ok) {
		jw_obj(w, "softnet");
		jw_u64(w, "processed", t->sn.processed);
		jw_u64(w, "dropped", t->sn.dropped);
		jw_u64(w, "time_squeeze", t->sn.squeezed);
		jw_end(w);
	}
	if (t->cpu_ok)
		cpuacct_json(w, b->car);
	if (step != NULL)
		jw_bool(w, "pass", pass);
	if (!b->o->rx_remote) /* the far sink counts no seconds */
		json_intervals(w, b, t);
	if (b->have_tl)
		json_timeline(w, b, t->duration_s, &t->gs);
	if (b->o->per_flow)
		json_per_flow(w, b->sink, b->sent_per_flow);
	jw_end(w);
}

/*
 * "timeline" (docs/bench.md): the stream over time as the sink saw it.
 * Every time is the sink's; bins are written up to the later of the
 * duration and the last frame's bin.
 */
void
json_timeline(struct jw *w, const struct bench *b, double duration_s,
	      const struct gen_stats *gs)
{
	const struct timeline *tl = &b->tl;
	struct timeline_summary ts;
	struct sink_totals st;
	unsigned i, n;

	if (b->tl_remote != NULL) { /* the far sink's, whole */
		jw_raw_obj(w, "timeline", b->tl_remote);
		/* the sender's longest pause: its length compares with a
		 * gap's, its time is on the sender's clock only */
		if (gs != NULL) {
			jw_obj(w, "sender_pause");
			jw_dbl(w, "ms", (double)gs->pause_ns / 1e6);
			jw_dbl(w, "at_sender_s",
			       ((double)gs->pause_at -
				(double)b->iv_tx.iv_origin_ns) /
				   1e9);
			jw_str(w, "clock", "sender");
			jw_end(w);
		}
		jw_end(w);
		return;
	}
	timeline_summary(tl, &ts);
	sink_totals(b->sink, NULL, &st);
	n = (unsigned)ceil(duration_s * 1000 / b->o->bin_ms - 1e-9);
	if (n < ts.bins_used)
		n = ts.bins_used;
	if (n > tl->tl_nbins)
		n = tl->tl_nbins;
	jw_obj(w, "timeline");
	jw_str(w, "clock", "sink");
	jw_str(w, "clock_note",
	       "receive times on the sink's clock only: the gap and the bins "
	       "stay valid with the generator on another host");
	jw_dbl(w, "origin_unix_s", b->tl_origin_unix_s);
	jw_u64(w, "bin_ms", b->o->bin_ms);
	jw_u64(w, "frames", tl->tl_frames);
	jw_u64(w, "lost_seq", st.lost);
	jw_u64(w, "reordered", st.reordered);
	jw_u64(w, "duplicates", st.duplicates);
	jw_dbl(w, "first_rx_s", ts.first_rx_s);
	jw_dbl(w, "last_rx_s", ts.last_rx_s);
	jw_obj(w, "gap");
	jw_dbl(w, "ms", ts.gap_ms);
	jw_dbl(w, "at_s", ts.gap_at_s);
	jw_u64(w, "skipped", ts.gap_skipped);
	jw_end(w);
	jw_dbl(w, "rate_before_pps", round(ts.rate_before_pps));
	jw_dbl(w, "rate_after_pps", round(ts.rate_after_pps));
	/* the sender's longest pause, on its clock: the sink's only when
	 * both run here (a trial); a gap no longer than it may be it */
	if (gs != NULL) {
		jw_obj(w, "sender_pause");
		jw_dbl(w, "ms", (double)gs->pause_ns / 1e6);
		jw_dbl(w, "at_s",
		       ((double)gs->pause_at - (double)tl->tl_origin_ns) / 1e9);
		jw_end(w);
	}
	jw_arr(w, "bins");
	for (i = 0; i < n; i++)
		jw_u64(w, NULL, tl->tl_bins[i]);
	jw_arr_end(w);
	jw_end(w);
}

void
json_trial(struct bench *b, const struct trial_out *t,
	   const struct search_step *step, int pass)
{
	json_trial_obj(b, NULL, t, step, pass);
}

void
human_header(void)
{
	printf("%5s %-8s %12s %12s %12s %12s %9s %9s %9s %9s %5s\n", "trial",
	       "phase", "offered_pps", "achieved", "sent", "received", "loss_%",
	       "p50_us", "p99_us", "max_us", "pass");
}

void
human_trial(struct bench *b, const struct trial_out *t,
	    const struct search_step *step, int pass)
{
	const struct hist *h = &b->sink->s_lat;

	printf("%5u %-8s %12.0f %12.0f %12llu %12llu %9.4f %9.1f %9.1f %9.1f "
	       "%5s\n",
	       step ? step->index : b->ntrials,
	       step ? search_phase_name(step->phase) : "-", t->offered,
	       t->achieved, (unsigned long long)t->gs.sent,
	       (unsigned long long)t->st.received, t->loss_ratio * 100,
	       (double)hist_quantile(h, 0.5) / 1e3,
	       (double)hist_quantile(h, 0.99) / 1e3, (double)h->h_max / 1e3,
	       step ? (pass ? "yes" : "no") : "-");
	if (t->ring_drops)
		printf("      warning: the sink's ring dropped %llu frames "
		       "(raise --ring-mib or give the sink a CPU)\n",
		       (unsigned long long)t->ring_drops);
	if (t->cpu_ok)
		printf("      busiest: %s at %.0f %%; bounded by: %s\n",
		       b->car->busiest, b->car->busiest_pct,
		       b->car->bounded_by);
	fflush(stdout);
}
