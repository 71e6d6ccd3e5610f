/*
 * What the CPUs did during one trial (see cpuacct.c): each CPU's time split
 * into user / system / softirq / irq / guest / steal / idle from /proc/stat,
 * the CPU time of the topology's threads (the daemon names them with
 * --watch), of the generator and of the sink, and what follows from them:
 * the router's CPU-seconds, forwarded packets per router CPU-second, the
 * busiest CPU or thread and what bounded the trial.  Parsing and
 * arithmetic are pure functions over snapshot text, so the unit tests feed
 * them synthetic /proc files.
 */
#ifndef VR_CPUACCT_H
#define VR_CPUACCT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "benchparam.h"
#include "jw.h"

#define CPUACCT_MAX_CPUS  1024
#define CPUACCT_MAX_WATCH BENCH_WATCH_MAX
/* a CPU or thread at least this busy bounded the trial (docs/vrgen.md) */
#define CPUACCT_SATURATED_PCT 95.0

/* One "cpuN" line of /proc/stat, in clock ticks (user includes guest,
 * nice includes guest_nice, as the kernel counts them). */
struct cpuacct_ticks {
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal, guest,
	    guest_nice;
	int present;
};

/* Percent of one CPU's time between two snapshots; the seven sum to 100
 * (or are all 0 when no tick passed). */
struct cpuacct_split {
	double user, system, softirq, irq, guest, steal, idle;
};

/* A thread of the topology, from --watch TID:NODE:KIND:INDEX */
struct cpuacct_watch {
	pid_t tid;
	char node[16];
	char kind[12]; /* vcpu, emulator, vhost, io, napi */
	int index;
};

struct cpuacct_task {
	char comm[17];
	uint64_t ns; /* CPU time so far */
	int cpu;     /* the CPU it last ran on */
	int ok;
};

struct cpuacct_sample {
	uint64_t mono_ns;
	int ncpus; /* highest CPU number + 1 */
	struct cpuacct_ticks cpu[CPUACCT_MAX_CPUS];
	struct cpuacct_task task[CPUACCT_MAX_WATCH];
};

/* A thread of vrgen itself: CPU-seconds in the trial and its CPU */
struct cpuacct_self {
	double cpu_s;
	int cpu;
};

struct cpuacct_result {
	double interval_s;
	int ncpus;
	int cpu_id[CPUACCT_MAX_CPUS];
	struct cpuacct_split split[CPUACCT_MAX_CPUS];
	int nthreads;
	struct {
		const struct cpuacct_watch *w;
		const char *comm;
		int ok, cpu;
		double cpu_s, util_pct;
	} thr[CPUACCT_MAX_WATCH];
	struct cpuacct_self gen, sink;
	double gen_pct, sink_pct;
	double threads_cpu_s;	      /* the watched threads' sum */
	double softirq_cpu_s;	      /* softirq time summed over all CPUs */
	double router_cpu_s;	      /* NAN: no thread of the router known */
	const char *router_basis;     /* what router_cpu_s sums */
	const char *router_note;      /* why it may read low, or NULL */
	double pkts_per_router_cpu_s; /* NAN when router_cpu_s is 0 or NAN */
	char busiest[64];
	double busiest_pct;
	char bounded_by[128];
};

/* The "cpuN" lines of a /proc/stat text into cpus[0..max); returns the
 * highest CPU number + 1 (0: none), -1 if a cpu line is malformed. */
int cpuacct_parse_stat(const char *text, struct cpuacct_ticks *cpus, int max);

/* a -> b, as percentages that sum to 100 (each delta clamped at 0) */
void cpuacct_split(const struct cpuacct_ticks *a, const struct cpuacct_ticks *b,
		   struct cpuacct_split *s);

/* /proc/TID/stat: comm, utime + stime (ticks) and field 39 (processor) */
int cpuacct_parse_task_stat(const char *text, char *comm, size_t commlen,
			    uint64_t *ticks, int *cpu);

/* /proc/TID/schedstat: its first field, the time on a CPU in ns */
int cpuacct_parse_schedstat(const char *text, uint64_t *ns);

/* "TID:NODE:KIND:INDEX,..." into w[0..max); the count, or -1 with err. */
int cpuacct_parse_watch(const char *s, struct cpuacct_watch *w, int max,
			char *err, size_t errlen);

/* Reads /proc/stat and every watched thread now.  0, or -1 if /proc/stat
 * could not be read (threads that are gone are marked !ok). */
int cpuacct_sample(struct cpuacct_sample *s, const struct cpuacct_watch *w,
		   int nw);

/*
 * The trial between samples a and b: per-CPU splits, per-thread time and
 * the derived figures.  forwarded is the packets the sink received; loss
 * (the trial's loss ratio) and gen_short (the generator fell short of the
 * offered rate) choose the bounded_by text.  The router's time
 * is the sum over the watched threads; when they are all threaded-NAPI
 * kernel threads (kind "napi", the netns backend) plus the softirq time of
 * every CPU: the kernel forwards vrgen's frames in the softirq of the CPU
 * that sent them, and the NAPI threads show no time (docs/vrgen.md).
 */
void cpuacct_derive(const struct cpuacct_sample *a,
		    const struct cpuacct_sample *b,
		    const struct cpuacct_watch *w, int nw,
		    const struct cpuacct_self *gen,
		    const struct cpuacct_self *sink, uint64_t forwarded,
		    double loss, int gen_short, struct cpuacct_result *r);

/* The trial's "cpu" object (docs/vrgen.md) */
void cpuacct_json(struct jw *jw, const struct cpuacct_result *r);

#endif
