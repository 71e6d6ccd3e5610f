/*
 * Measurement helpers for vrgen: a log-linear latency histogram (pure),
 * interface counters read over rtnetlink from a socket opened inside the
 * interface's namespace, and the kernel's per-CPU softnet drop counters.
 */
#ifndef VR_BENCH_STATS_H
#define VR_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Histogram of non-negative integer samples (nanoseconds here).  Values
 * below 128 are exact; above, 64 sub-buckets per power of two, so any
 * reported quantile is within 1/64 (1.6 %) of a recorded sample.
 */
#define HIST_SUB_BITS 6
#define HIST_SUB      (1u << HIST_SUB_BITS)
#define HIST_LINEAR   (2u * HIST_SUB)
#define HIST_BUCKETS  (HIST_LINEAR + (64u - HIST_SUB_BITS - 1u) * HIST_SUB)

struct hist {
	uint64_t h_count;
	uint64_t h_min;
	uint64_t h_max;
	long double h_sum;
	uint64_t h_bucket[HIST_BUCKETS];
};

void hist_reset(struct hist *);
void hist_add(struct hist *, uint64_t v);
void hist_merge(struct hist *dst, const struct hist *src);
/* q in [0, 1]; the representative value of the bucket holding the sample of
 * rank ceil(q * count) (clamped to [min, max]); 0 when empty. */
uint64_t hist_quantile(const struct hist *, double q);
double hist_mean(const struct hist *);
/* Bucket index and its value range; exposed for tests. */
unsigned hist_index(uint64_t v);
void hist_range(unsigned idx, uint64_t *lo, uint64_t *hi);

/* The non-empty buckets in increasing order: [lo, hi] inclusive and the
 * number of samples in it (what the record exports).  Fills at most max
 * entries of out; returns how many there are (may exceed max). */
struct hist_bucket {
	uint64_t lo, hi, count;
};
unsigned hist_nonempty(const struct hist *, struct hist_bucket *out,
		       unsigned max);

/*
 * Per-second counts inside a trial (iperf3 -i): interval i covers
 * [origin + i s, origin + (i + 1) s).  ivl_add costs one comparison and
 * one addition: the sender calls it once per burst, the sink once per
 * frame.  Counts past the last slot land in the last slot.
 */
#define IVL_NS 1000000000ull
struct ivl {
	uint64_t iv_origin_ns;
	uint64_t iv_next_ns; /* end of the current interval */
	unsigned iv_cur;
	unsigned iv_max;    /* slots in iv_count */
	uint64_t *iv_count; /* caller-owned, iv_max entries */
};

/* Zero the counts and start interval 0 at origin_ns. */
void ivl_start(struct ivl *, uint64_t origin_ns);
void ivl_advance(struct ivl *, uint64_t now_ns);
static inline void
ivl_add(struct ivl *v, uint64_t now_ns, uint64_t n)
{
	if (now_ns >= v->iv_next_ns)
		ivl_advance(v, now_ns);
	v->iv_count[v->iv_cur] += n;
}

/* Within-trial stability of rates pps[0..n-1]: the coefficient of
 * variation (sample standard deviation / mean; 0 when n < 2 or the mean
 * is 0), the lowest and the highest. */
struct ivl_stability {
	double cv, min, max;
};
void ivl_stability(const double *pps, unsigned n, struct ivl_stability *);

/* Counters of one interface (the subset of rtnl_link_stats64 we report). */
struct ifcounters {
	uint64_t rx_packets, tx_packets;
	uint64_t rx_bytes, tx_bytes;
	uint64_t rx_dropped, tx_dropped;
	uint64_t rx_errors, tx_errors;
};

/*
 * An rtnetlink socket: it stays bound to the namespace it was opened in,
 * so the counters of an interface in another namespace can be read after
 * the caller has moved on.  -1 with errno on failure.
 */
int ifstats_open(void);
int ifstats_read(int fd, int ifindex, struct ifcounters *out);
void ifcounters_delta(const struct ifcounters *after,
		      const struct ifcounters *before, struct ifcounters *d);

/* Sums over all CPUs of /proc/net/softnet_stat: processed (column 1),
 * dropped (column 2: the backlog queue was full), time_squeeze (3). */
struct softnet {
	uint64_t processed, dropped, squeezed;
};
int softnet_read(struct softnet *out);
/* Parse the file's text (exposed for tests). */
int softnet_parse(const char *text, struct softnet *out);

#endif
