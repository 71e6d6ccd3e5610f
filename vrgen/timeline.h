/*
 * A constant-rate stream seen from the sink, over time (the blackout of a
 * live migration, a link flap): received frames per time bin, and the
 * longest gap between two consecutive received frames with when it began
 * and how many sequence numbers it skipped.
 *
 * Only the sink's clock is read: every time here is a receive time, and
 * t = 0 (tl_origin_ns) is a time on the same clock.  A gap is the
 * difference of two receive times, so it stays valid when the generator
 * runs on another host whose clock differs.  Pure: fed by sink_account
 * (sink.c) and tested on synthetic input (tests/unit/test_sink.c).
 */
#ifndef VR_BENCH_TIMELINE_H
#define VR_BENCH_TIMELINE_H

#include <stdint.h>

struct timeline {
	uint64_t tl_origin_ns; /* t = 0, the sink's clock */
	uint64_t tl_bin_ns;
	unsigned tl_nbins;  /* slots in tl_bins */
	uint64_t *tl_bins;  /* caller-owned; frames received in bin i, i.e. in
			       [origin + i bin, origin + (i + 1) bin); earlier
			       frames count in bin 0, later in the last */
	uint64_t tl_frames; /* frames counted (distinct, not duplicates) */
	uint64_t tl_first_ns, tl_last_ns; /* receive times, first and last */
	/* the longest gap between consecutive counted frames */
	uint64_t tl_gap_ns;
	uint64_t tl_gap_start_ns; /* receive time of the frame before it */
	uint64_t tl_gap_skipped;  /* sequence numbers the frame ending it
				     jumped over in its flow */
	uint64_t tl_gap_before;	  /* frames counted up to its start */
};

/* Zero the bins and counts; t = 0 at origin_ns, bins of bin_ns. */
void timeline_start(struct timeline *, uint64_t origin_ns, uint64_t bin_ns);

/*
 * Count one distinct frame received at rx_ns that moved its flow's
 * highest sequence number on by advanced (seq - highest before, when it
 * is the new highest; 0 for a reordered frame, which still ends a gap:
 * something arrived).  Duplicates are not counted.
 */
void timeline_add(struct timeline *, uint64_t rx_ns, uint64_t advanced);

/* What the record says about the stream (times in seconds since t = 0,
 * rates in frames/s; a rate is 0 when its span is empty). */
struct timeline_summary {
	double gap_ms;	 /* 0 with fewer than two frames */
	double gap_at_s; /* start of the gap */
	uint64_t gap_skipped;
	double first_rx_s, last_rx_s;
	double rate_before_pps; /* first frame to the gap's start */
	double rate_after_pps;	/* the gap's end to the last frame */
	unsigned bins_used;	/* bins up to the last frame's */
};
void timeline_summary(const struct timeline *, struct timeline_summary *);

#endif
