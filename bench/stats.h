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
