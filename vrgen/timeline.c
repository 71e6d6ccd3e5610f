/* The sink's timeline of a stream (timeline.h): bins and the longest gap. */
#include <string.h>

#include "timeline.h"

void
timeline_start(struct timeline *tl, uint64_t origin_ns, uint64_t bin_ns)
{
	if (tl->tl_bins != NULL)
		memset(tl->tl_bins, 0, (size_t)tl->tl_nbins * sizeof(uint64_t));
	tl->tl_origin_ns = origin_ns;
	tl->tl_bin_ns = bin_ns ? bin_ns : 1;
	tl->tl_frames = tl->tl_first_ns = tl->tl_last_ns = 0;
	tl->tl_gap_ns = tl->tl_gap_start_ns = 0;
	tl->tl_gap_skipped = tl->tl_gap_before = 0;
}

void
timeline_add(struct timeline *tl, uint64_t rx_ns, uint64_t advanced)
{
	uint64_t i = 0;

	if (tl->tl_frames == 0) {
		tl->tl_first_ns = rx_ns;
	} else if (rx_ns > tl->tl_last_ns &&
		   rx_ns - tl->tl_last_ns > tl->tl_gap_ns) {
		tl->tl_gap_ns = rx_ns - tl->tl_last_ns;
		tl->tl_gap_start_ns = tl->tl_last_ns;
		tl->tl_gap_skipped = advanced ? advanced - 1 : 0;
		tl->tl_gap_before = tl->tl_frames;
	}
	/* receive times come from the kernel, per ring block: never let one
	 * that reads earlier move the last one back */
	if (tl->tl_frames == 0 || rx_ns > tl->tl_last_ns)
		tl->tl_last_ns = rx_ns;
	tl->tl_frames++;
	if (tl->tl_nbins == 0)
		return;
	if (rx_ns > tl->tl_origin_ns)
		i = (rx_ns - tl->tl_origin_ns) / tl->tl_bin_ns;
	if (i >= tl->tl_nbins)
		i = tl->tl_nbins - 1;
	tl->tl_bins[i]++;
}

static double
since(const struct timeline *tl, uint64_t ns)
{
	return ((double)ns - (double)tl->tl_origin_ns) / 1e9;
}

void
timeline_summary(const struct timeline *tl, struct timeline_summary *s)
{
	memset(s, 0, sizeof(*s));
	if (tl->tl_frames == 0)
		return;
	s->first_rx_s = since(tl, tl->tl_first_ns);
	s->last_rx_s = since(tl, tl->tl_last_ns);
	if (tl->tl_nbins > 0) {
		uint64_t i = 0;

		if (tl->tl_last_ns > tl->tl_origin_ns)
			i = (tl->tl_last_ns - tl->tl_origin_ns) / tl->tl_bin_ns;
		s->bins_used =
		    i >= tl->tl_nbins ? tl->tl_nbins : (unsigned)i + 1;
	}
	if (tl->tl_frames < 2)
		return;
	s->gap_ms = (double)tl->tl_gap_ns / 1e6;
	s->gap_at_s = since(tl, tl->tl_gap_start_ns);
	s->gap_skipped = tl->tl_gap_skipped;
	/* frames after the first over the time they took: n - 1 intervals */
	if (tl->tl_gap_start_ns > tl->tl_first_ns && tl->tl_gap_before > 1)
		s->rate_before_pps =
		    (double)(tl->tl_gap_before - 1) /
		    ((double)(tl->tl_gap_start_ns - tl->tl_first_ns) / 1e9);
	if (tl->tl_last_ns > tl->tl_gap_start_ns + tl->tl_gap_ns &&
	    tl->tl_frames - tl->tl_gap_before > 1)
		s->rate_after_pps =
		    (double)(tl->tl_frames - tl->tl_gap_before - 1) /
		    ((double)(tl->tl_last_ns - tl->tl_gap_start_ns -
			      tl->tl_gap_ns) /
		     1e9);
}
