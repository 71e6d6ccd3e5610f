/*
 * Private to vrgen (vrgen/vrgen*.c): what its options, its trial engine,
 * its output and its commands share.  Nothing outside vrgen includes it.
 */
#ifndef VR_VRGEN_H
#define VR_VRGEN_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include <sched.h>

#include "cpuacct.h"
#include "gen.h"
#include "jw.h"
#include "benchparam.h"
#include "sink.h"
#include "stats.h"

#define VRGEN_VERSION	 "1.0"
#define DEFAULT_DST_IP	 "198.18.2.2"
#define DEFAULT_BURST	 32
#define DEFAULT_IDLE_MS	 100
#define DEFAULT_DRAIN_MS 2000

struct opts {
	const char *verb;
	const char *dev, *netns;       /* send, sink */
	const char *tx_dev, *tx_netns; /* trial, sweep, ndr */
	const char *rx_dev, *rx_netns;
	const char *dst_mac, *gateway, *src_ip, *dst_ip;
	const char *frame;
	const char *rates;
	unsigned flows, src_ips, burst, ring_mib, max_trials;
	unsigned src_port, dst_port;
	int udp_csum, no_bypass, json, per_flow, run;
	int tx_kind; /* enum gen_tx_kind */
	int cpu, rx_cpu;
	double rate, duration;
	uint64_t count;
	unsigned idle_ms, max_drain_ms, until_idle_ms;
	/* search */
	double loss, precision, min_rate, max_rate, trial_s, final_s;
	double tx_tolerance;
	unsigned lat_pct[BENCH_LAT_AT_MAX], n_lat; /* --latency-at */
	const char *watch; /* --watch: the topology's threads */
	unsigned bin_ms;   /* timeline bins (--bin-ms); 0: no timeline */
	int rx_remote;	   /* --rx-remote: the sink is another vrgen's */
	int serve;	   /* sink --serve: answer rx_start/rx_stop lines */
};

struct endpoint {
	const char *dev;
	const char *netns;
	char where[96];
	int ifindex;
	uint8_t mac[6];
	uint32_t ip;
	int stats_fd;
};

struct bench {
	struct opts *o;
	struct endpoint tx, rx;
	int have_tx, have_rx;
	struct gen_cfg gcfg;
	struct gen_frames frames;
	struct gen_tx gtx;
	struct sink_rx srx;
	struct sink *sink;
	uint64_t *sent_per_flow;
	struct ivl iv_tx, iv_rx; /* per-second counts of the current trial */
	cpu_set_t rx_cpus;
	uint16_t run_base;
	unsigned ntrials;
	struct jw jw;
	/* what the CPUs did in the last trial (cpuacct.h) */
	struct cpuacct_watch watch[CPUACCT_MAX_WATCH];
	int nwatch;
	struct cpuacct_sample *ca0, *ca1;
	struct cpuacct_result *car;
	/* the stream over time (timeline verb, sink --bin-ms) */
	struct timeline tl;
	int have_tl;
	double tl_origin_unix_s; /* t = 0 in CLOCK_REALTIME, the sink's */
	char *tl_remote; /* --rx-remote: the far sink's "timeline" (JSON) */
};

struct trial_out {
	double offered;
	double duration_s;
	uint16_t run;
	struct gen_stats gs;
	struct sink_totals st;
	struct ifcounters tx_if, rx_if;
	int tx_if_ok, rx_if_ok;
	struct softnet sn;
	int sn_ok;
	uint64_t ring_drops, stale, foreign, bad_flow;
	double rate_s;		/* the interval the rates are over */
	const char *rate_basis; /* gen_rate_interval's basis */
	double achieved, forwarded, loss_ratio;
	uint64_t lat_p50, lat_p99, lat_max; /* ns */
	unsigned iv_n;	/* intervals in b->iv_tx/iv_rx (see trial_intervals) */
	double iv_span; /* seconds they cover */
	int cpu_ok;	/* b->car holds this trial's CPU accounting */
	int error;
};

struct opts;
struct bench;
struct endpoint;
struct trial_out;
struct jw;
struct gen_tx;
struct ifcounters;
struct hist;
struct sink;
struct search_step;

/* Set by SIGINT/SIGTERM (vrgen.c): every loop stops at the next check. */
extern atomic_int stop_flag;

/* options (vrgen_opts.c) */
void usage(FILE *f);
void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...);
void opts_parse(struct opts *o, int argc, char **argv);

/* endpoints and trials (vrgen_trial.c) */
void pin_self(int cpu, const char *what);
void bench_setup(struct bench *b, struct opts *o, int want_tx, int want_rx);
void bench_free(struct bench *b);
int read_if(struct endpoint *e, struct ifcounters *c);
void bench_timeline_start(struct bench *b, uint64_t origin_ns);
int run_trial(struct bench *b, double rate, double duration_s, uint64_t count,
	      struct trial_out *out);
/* sink --serve (vrgen_trial.c): the far end of --rx-remote */
int sink_serve(struct bench *b);

/* output: JSON lines and the human table (vrgen_output.c) */
void json_tx_path(struct jw *w, const struct gen_tx *tx);
void json_if(struct jw *w, const char *key, const struct endpoint *e,
	     const struct ifcounters *c);
void json_latency(struct jw *w, const struct hist *h);
void json_per_flow(struct jw *w, const struct sink *s, const uint64_t *sent);
/* gs: the sender's stats when it ran in this process (its pause), or
 * NULL (a sink alone) */
void json_timeline(struct jw *w, const struct bench *b, double duration_s,
		   const struct gen_stats *gs);
void json_trial_obj(struct bench *b, const char *key, const struct trial_out *t,
		    const struct search_step *step, int pass);
void json_trial(struct bench *b, const struct trial_out *t,
		const struct search_step *step, int pass);
void human_header(void);
void human_trial(struct bench *b, const struct trial_out *t,
		 const struct search_step *step, int pass);

#endif
