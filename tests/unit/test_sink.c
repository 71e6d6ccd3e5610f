/* Unit tests for the sink's accounting (vrgen/sink.c) and stats.c. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "sink.h"
#include "stats.h"
#include "t.h"

static struct gen_frames gf;
static uint8_t buf[GEN_MAX_FRAME];

/* Feed frame (run, flow, seq) sent at ts, received at rx. */
static int
feed(struct sink *s, unsigned run, unsigned flow, uint32_t seq, uint64_t ts,
     uint64_t rx)
{
	struct gen_payload pl = {.run = (uint16_t)run,
				 .flow = (uint16_t)flow,
				 .seq = seq,
				 .ts_ns = ts};
	size_t len;

	memset(buf, 0, sizeof(buf));
	len = gen_write(&gf, flow % gf.gf_cfg.flows, 0, &pl, buf);
	return sink_account(s, buf, len, len, rx);
}

static void
feed_range(struct sink *s, unsigned flow, uint32_t from, uint32_t to)
{
	uint32_t q;

	for (q = from; q != to; q++)
		feed(s, 1, flow, q, 1000, 2000);
}

static void
test_in_order_and_loss(void)
{
	struct sink *s = sink_new(4);
	struct sink_totals t;
	uint64_t sent[4] = {100, 100, 0, 0};

	sink_reset(s, 1);
	feed_range(s, 0, 0, 100);
	/* flow 1: 10..19 and the tail 90..99 lost */
	feed_range(s, 1, 0, 10);
	feed_range(s, 1, 20, 90);
	sink_totals(s, sent, &t);
	CHECK_INT(t.received, 180);
	CHECK_INT(t.lost, 20);
	CHECK_INT(t.reordered, 0);
	CHECK_INT(t.duplicates, 0);
	CHECK_INT(t.flows_seen, 2);
	CHECK_INT(sink_flow_lost(&s->s_flows[1], 100), 20);
	/* without the sender's counts only the gap is visible */
	sink_totals(s, NULL, &t);
	CHECK_INT(t.lost, 10);
	CHECK_INT(s->s_bytes, 180 * 60);
	sink_free(s);
}

static void
test_reorder_dup(void)
{
	struct sink *s = sink_new(1);
	struct sink_totals t;
	uint32_t order[] = {0, 1, 3, 2, 4, 4, 1, 7, 5, 6, 8};
	uint64_t sent = 9;
	unsigned i;

	sink_reset(s, 1);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		feed(s, 1, 0, order[i], 0, 1);
	sink_totals(s, &sent, &t);
	CHECK_INT(t.received, 9);
	CHECK_INT(t.duplicates, 2); /* the second 4 and the second 1 */
	CHECK_INT(t.reordered, 3);  /* 2, 5, 6 */
	CHECK_INT(t.lost, 0);
	sink_free(s);
}

static void
test_late_and_wrap(void)
{
	struct sink *s = sink_new(2);
	struct sink_totals t;
	uint64_t sent[2] = {5001, 20};

	sink_reset(s, 1);
	feed_range(s, 0, 0, 100);
	feed_range(s, 0, 101, 5001);
	feed(s, 1, 0, 100, 0, 1); /* far beyond the window: late */
	/* flow 1 crosses the 32-bit sequence wrap */
	feed_range(s, 1, 0xfffffff6u, 10);
	sink_totals(s, sent, &t);
	CHECK_INT(t.received, 5021);
	CHECK_INT(t.late, 1);
	CHECK_INT(t.reordered, 1);
	CHECK_INT(t.lost, 0);
	CHECK_INT(t.duplicates, 0);
	CHECK_INT(s->s_flows[1].sf_reordered, 0);
	sink_free(s);
}

static void
test_filter(void)
{
	struct sink *s = sink_new(2);
	struct sink_totals t;

	sink_reset(s, 5);
	CHECK_INT(feed(s, 5, 0, 0, 0, 1), 1);
	CHECK_INT(feed(s, 4, 0, 1, 0, 1), 0); /* another run */
	CHECK_INT(feed(s, 5, 3, 0, 0, 1), 0); /* flow id out of range */
	memset(buf, 0, 60);
	buf[12] = 0x08;
	buf[13] = 0x06; /* ARP */
	CHECK_INT(sink_account(s, buf, 60, 60, 1), 0);
	CHECK_INT(s->s_stale, 1);
	CHECK_INT(s->s_bad_flow, 1);
	CHECK_INT(s->s_foreign, 1);
	sink_totals(s, NULL, &t);
	CHECK_INT(t.received, 1);
	/* run -1 accepts any run */
	sink_reset(s, -1);
	CHECK_INT(feed(s, 4, 0, 0, 0, 1), 1);
	CHECK_INT(feed(s, 9, 1, 0, 0, 1), 1);
	sink_free(s);
	CHECK(sink_new(0) == NULL);
	CHECK(sink_new(GEN_MAX_FLOWS + 1) == NULL);
}

static void
test_latency(void)
{
	struct sink *s = sink_new(1);
	uint64_t p50, p99;
	uint32_t q;

	sink_reset(s, 1);
	/* latencies 1..1000 us, one each */
	for (q = 0; q < 1000; q++)
		feed(s, 1, 0, q, 5000000, 5000000 + (uint64_t)(q + 1) * 1000);
	p50 = hist_quantile(&s->s_lat, 0.5);
	p99 = hist_quantile(&s->s_lat, 0.99);
	CHECK(p50 >= 500000 * 63 / 64 && p50 <= 500000 * 65 / 64);
	CHECK(p99 >= 990000 * 63 / 64 && p99 <= 990000 * 65 / 64);
	CHECK_INT(s->s_lat.h_max, 1000000);
	CHECK_INT(s->s_lat.h_min, 1000);
	CHECK_INT(s->s_lat.h_count, 1000);
	CHECK(hist_mean(&s->s_lat) > 500499 && hist_mean(&s->s_lat) < 500501);
	/* a receive time before the send time (clock conversion) is 0 */
	feed(s, 1, 0, 1000, 10, 5);
	CHECK_INT(s->s_lat.h_min, 0);
	/* duplicates add no latency sample */
	feed(s, 1, 0, 1000, 10, 5);
	CHECK_INT(s->s_lat.h_count, 1001);
	sink_free(s);
}

static void
test_hist(void)
{
	struct hist h, h2;
	uint64_t v, lo, hi;
	unsigned i, bad = 0, prev = 0;

	for (v = 0; v < (1ull << 40); v = v * 5 / 4 + 1) {
		unsigned idx = hist_index(v);

		hist_range(idx, &lo, &hi);
		if (v < lo || v > hi || idx < prev || idx >= HIST_BUCKETS ||
		    (v >= 128 && (hi - lo + 1) * 64 > lo + 64 * 2))
			bad++;
		prev = idx;
	}
	CHECK_INT(bad, 0);
	CHECK(hist_index(UINT64_MAX) == HIST_BUCKETS - 1);
	hist_reset(&h);
	CHECK_INT(hist_quantile(&h, 0.5), 0);
	for (i = 1; i <= 100; i++)
		hist_add(&h, i);
	CHECK_INT(hist_quantile(&h, 0.5), 50);
	CHECK_INT(hist_quantile(&h, 0.99), 99);
	CHECK_INT(hist_quantile(&h, 1), 100);
	CHECK_INT(hist_quantile(&h, 0), 1);
	hist_reset(&h2);
	hist_add(&h2, 1000000);
	hist_merge(&h, &h2);
	CHECK_INT(h.h_count, 101);
	CHECK_INT(h.h_max, 1000000);
}

/* The exported histogram (vrgen's latency_us.histogram) and the
 * percentiles p50/p90/p99/p99.9 against synthetic samples. */
static void
test_hist_export(void)
{
	static struct hist_bucket bk[HIST_BUCKETS];
	uint64_t sum = 0, v;
	struct hist h;
	unsigned n, i, bad = 0;

	hist_reset(&h);
	CHECK_INT(hist_nonempty(&h, bk, HIST_BUCKETS), 0);
	/* 1..1000 us, one each */
	for (v = 1; v <= 1000; v++)
		hist_add(&h, v * 1000);
	n = hist_nonempty(&h, bk, HIST_BUCKETS);
	CHECK(n > 1 && n <= 1000);
	for (i = 0; i < n; i++) {
		uint64_t in = 0;

		/* the samples that fall in [lo, hi] are the bucket's count */
		for (v = 1; v <= 1000; v++)
			in += v * 1000 >= bk[i].lo && v * 1000 <= bk[i].hi;
		if (in != bk[i].count || bk[i].count == 0 ||
		    (i > 0 && bk[i].lo <= bk[i - 1].hi))
			bad++;
		sum += bk[i].count;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(sum, 1000);
	CHECK(bk[0].lo <= 1000 && bk[n - 1].hi >= 1000000);
	/* a short buffer: the count says how many there are */
	CHECK_INT(hist_nonempty(&h, bk, 3), n);
	/* rank ceil(q * 1000): 500, 900, 990, 999 us within 1/64 */
	CHECK(hist_quantile(&h, 0.5) >= 500000 * 63 / 64 &&
	      hist_quantile(&h, 0.5) <= 500000 * 65 / 64);
	CHECK(hist_quantile(&h, 0.9) >= 900000 * 63 / 64 &&
	      hist_quantile(&h, 0.9) <= 900000 * 65 / 64);
	CHECK(hist_quantile(&h, 0.99) >= 990000 * 63 / 64 &&
	      hist_quantile(&h, 0.99) <= 990000 * 65 / 64);
	CHECK(hist_quantile(&h, 0.999) >= 999000 * 63 / 64 &&
	      hist_quantile(&h, 0.999) <= 999000 * 65 / 64);
	/* bimodal: 990 at 10 us, 10 at 5 ms; p99 is the first mode, p99.9
	 * the second, and the export has exactly two buckets */
	hist_reset(&h);
	for (i = 0; i < 990; i++)
		hist_add(&h, 10000);
	for (i = 0; i < 10; i++)
		hist_add(&h, 5000000);
	CHECK_INT(hist_nonempty(&h, bk, HIST_BUCKETS), 2);
	CHECK_INT(bk[0].count, 990);
	CHECK_INT(bk[1].count, 10);
	CHECK(bk[0].lo <= 10000 && bk[0].hi >= 10000);
	CHECK(bk[1].lo <= 5000000 && bk[1].hi >= 5000000);
	/* the representative value of 10 us's bucket */
	CHECK(hist_quantile(&h, 0.9) >= bk[0].lo &&
	      hist_quantile(&h, 0.9) <= bk[0].hi);
	CHECK(hist_quantile(&h, 0.99) == hist_quantile(&h, 0.9));
	CHECK_INT(hist_quantile(&h, 0.999), 5000000);
	CHECK_INT(h.h_max, 5000000);
}

/* Per-second counts (the trial's intervals) and their stability. */
static void
test_intervals(void)
{
	uint64_t cnt[4];
	struct ivl v = {.iv_max = 4, .iv_count = cnt};
	struct ivl_stability st;
	const uint64_t o = 7000000000ull;
	double flat[3] = {100, 100, 100}, two[2] = {90, 110};
	struct sink *s = sink_new(1);

	memset(cnt, 0xff, sizeof(cnt));
	ivl_start(&v, o);
	CHECK(cnt[0] == 0 && cnt[3] == 0);
	ivl_add(&v, o, 1);
	ivl_add(&v, o + IVL_NS - 1, 2);
	ivl_add(&v, o + IVL_NS, 4);	    /* second 1 */
	ivl_add(&v, o + 3 * IVL_NS + 5, 8); /* skips second 2 */
	ivl_add(&v, o + 100 * IVL_NS, 16);  /* past the end: the last */
	ivl_add(&v, o + 2 * IVL_NS, 32);    /* late: where it is now */
	CHECK_INT(cnt[0], 3);
	CHECK_INT(cnt[1], 4);
	CHECK_INT(cnt[2], 0);
	CHECK_INT(cnt[3], 56);

	ivl_stability(flat, 3, &st);
	CHECK(st.cv == 0 && st.min == 100 && st.max == 100);
	ivl_stability(two, 2, &st);
	/* sample sd sqrt(200) over mean 100 */
	CHECK(st.cv > 0.14142 && st.cv < 0.14143);
	CHECK(st.min == 90 && st.max == 110);
	ivl_stability(two, 1, &st);
	CHECK(st.cv == 0 && st.min == 90 && st.max == 90);
	ivl_stability(two, 0, &st);
	CHECK(st.cv == 0 && st.max == 0);

	/* the sink counts accepted frames by receive time, not duplicates */
	sink_reset(s, 1);
	s->s_ivl = &v;
	ivl_start(&v, o);
	feed(s, 1, 0, 0, o, o + 10);
	feed(s, 1, 0, 1, o, o + IVL_NS + 10);
	feed(s, 1, 0, 1, o, o + IVL_NS + 20); /* duplicate */
	feed(s, 1, 0, 2, o, o + 2 * IVL_NS + 10);
	feed(s, 2, 0, 3, o, o + 2 * IVL_NS + 10); /* another run */
	CHECK(cnt[0] == 1 && cnt[1] == 1 && cnt[2] == 1 && cnt[3] == 0);
	sink_reset(s, 1);
	CHECK(s->s_ivl == &v);
	sink_free(s);
}

static void
test_softnet(void)
{
	struct softnet sn;
	const char *text =
	    "0000a000 00000002 00000001 00000000 00000000 00000000 00000000 "
	    "00000000 00000000 00000000 00000000 00000000 00000000\n"
	    "00000010 00000003 00000000 00000000 00000000 00000000 00000000 "
	    "00000000 00000000 00000000 00000000 00000000 00000001\n";

	CHECK_INT(softnet_parse(text, &sn), 0);
	CHECK_INT(sn.processed, 0xa010);
	CHECK_INT(sn.dropped, 5);
	CHECK_INT(sn.squeezed, 1);
	CHECK_INT(softnet_parse("", &sn), -1);
	CHECK_INT(softnet_parse("zz\n", &sn), -1);
}

/* ---- the timeline (vrgen/timeline.c) through sink_account ---------------- */

#define MS 1000000ull

/* A sink with a timeline of 10 ms bins from t = 0 (origin 1 s). */
static struct sink *
tl_sink(struct timeline *tl, uint64_t *bins, unsigned nbins)
{
	struct sink *s = sink_new(2);

	sink_reset(s, 1);
	memset(tl, 0, sizeof(*tl));
	tl->tl_bins = bins;
	tl->tl_nbins = nbins;
	timeline_start(tl, 1000 * MS, 10 * MS);
	s->s_tl = tl;
	return s;
}

/* 1000 pps for 1 s, seq 0..999 at t = seq ms, with seq 400..699 lost (a
 * 300 ms outage): the gap, its start, what it skipped, the bins, the
 * rates either side. */
static void
test_timeline_outage(void)
{
	static uint64_t bins[200];
	struct timeline tl;
	struct timeline_summary ts;
	struct sink_totals t;
	struct sink *s = tl_sink(&tl, bins, 200);
	uint64_t sent[2] = {1000, 0};
	uint32_t q;

	for (q = 0; q < 1000; q++)
		if (q < 400 || q >= 700)
			feed(s, 1, 0, q, 0, 1000 * MS + q * MS);
	sink_totals(s, sent, &t);
	timeline_summary(&tl, &ts);
	CHECK_INT(t.lost, 300);
	CHECK(ts.gap_ms > 300.999 && ts.gap_ms < 301.001); /* 399 -> 700 */
	CHECK(ts.gap_at_s > 0.3989 && ts.gap_at_s < 0.3991);
	CHECK_INT(ts.gap_skipped, 300);
	CHECK_INT(bins[0], 10);
	CHECK_INT(bins[39], 10);
	CHECK_INT(bins[40], 0);
	CHECK_INT(bins[69], 0);
	CHECK_INT(bins[70], 10);
	CHECK_INT(bins[99], 10);
	CHECK_INT(bins[100], 0);
	CHECK_INT(ts.bins_used, 100);
	CHECK(ts.rate_before_pps > 999.9 && ts.rate_before_pps < 1000.1);
	CHECK(ts.rate_after_pps > 999.9 && ts.rate_after_pps < 1000.1);
	CHECK(ts.first_rx_s == 0);
	CHECK(ts.last_rx_s > 0.9989 && ts.last_rx_s < 0.9991);
	/* no outage: the gap is the frame spacing */
	timeline_start(&tl, 1000 * MS, 10 * MS);
	sink_reset(s, 1);
	for (q = 0; q < 1000; q++)
		feed(s, 1, 0, q, 0, 1000 * MS + q * MS);
	timeline_summary(&tl, &ts);
	CHECK(ts.gap_ms > 0.999 && ts.gap_ms < 1.001);
	CHECK_INT(ts.gap_skipped, 0);
	CHECK_INT(bins[40], 10);
	sink_free(s);
}

/* The sequence wraps inside the gap: it skips what it skipped, no more. */
static void
test_timeline_wrap(void)
{
	static uint64_t bins[100];
	struct timeline tl;
	struct timeline_summary ts;
	struct sink *s = tl_sink(&tl, bins, 100);
	uint32_t q, base = 0xfffffff0u;

	for (q = 0; q < 10; q++) /* 0xfffffff0..0xfffffff9 */
		feed(s, 1, 0, base + q, 0, 1000 * MS + q * MS);
	for (q = 30; q < 40; q++) /* 0x0000000e..: 20 lost across the wrap */
		feed(s, 1, 0, base + q, 0, 1000 * MS + q * MS);
	timeline_summary(&tl, &ts);
	CHECK_INT(ts.gap_skipped, 20);
	CHECK(ts.gap_ms > 20.999 && ts.gap_ms < 21.001);
	CHECK(ts.gap_at_s > 0.0089 && ts.gap_at_s < 0.0091);
	CHECK_INT(tl.tl_frames, 20);
	sink_free(s);
}

/* A reordered frame ends a gap (something arrived, it skipped nothing);
 * a duplicate neither ends one nor counts in a bin. */
static void
test_timeline_reorder_dup(void)
{
	static uint64_t bins[100];
	struct timeline tl;
	struct timeline_summary ts;
	struct sink *s = tl_sink(&tl, bins, 100);

	feed(s, 1, 0, 0, 0, 1000 * MS);
	feed(s, 1, 0, 2, 0, 1001 * MS);
	feed(s, 1, 0, 1, 0, 1050 * MS); /* late: ends a 49 ms gap */
	feed(s, 1, 0, 1, 0, 1090 * MS); /* duplicate: ignored */
	feed(s, 1, 0, 3, 0, 1095 * MS); /* 45 ms after the last distinct */
	timeline_summary(&tl, &ts);
	CHECK(ts.gap_ms > 48.999 && ts.gap_ms < 49.001);
	CHECK(ts.gap_at_s > 0.0009 && ts.gap_at_s < 0.0011);
	CHECK_INT(ts.gap_skipped, 0);
	CHECK_INT(tl.tl_frames, 4);
	CHECK_INT(bins[5], 1);
	CHECK_INT(bins[9], 1); /* 1095 ms: the duplicate at 1090 is not here */
	sink_free(s);
}

/* The first and the last frame lost: loss sees both (the sequence starts
 * at 0, the sender's count gives the tail); the gap only spans frames
 * that arrived, and the first arrival is not at t = 0.  Frames before
 * t = 0 count in bin 0, after the last bin in the last. */
static void
test_timeline_ends_lost(void)
{
	static uint64_t bins[50];
	struct timeline tl;
	struct timeline_summary ts;
	struct sink_totals t;
	struct sink *s = tl_sink(&tl, bins, 50);
	uint64_t sent[2] = {100, 0};
	uint32_t q;

	for (q = 1; q < 99; q++) /* 0 and 99 lost */
		feed(s, 1, 0, q, 0, 1000 * MS + q * MS);
	sink_totals(s, sent, &t);
	timeline_summary(&tl, &ts);
	CHECK_INT(t.lost, 2);
	CHECK(ts.gap_ms > 0.999 && ts.gap_ms < 1.001);
	CHECK(ts.first_rx_s > 0.0009 && ts.first_rx_s < 0.0011);
	CHECK_INT(ts.bins_used, 10);
	CHECK_INT(bins[0], 9);
	feed(s, 1, 1, 0, 0, 500 * MS);	/* before t = 0 */
	feed(s, 1, 1, 1, 0, 9000 * MS); /* past the last bin */
	CHECK_INT(bins[0], 10);
	CHECK_INT(bins[49], 1);
	timeline_summary(&tl, &ts);
	CHECK_INT(ts.bins_used, 50);
	CHECK(ts.gap_ms > 7901.9 && ts.gap_ms < 7902.1); /* 1098 -> 9000 */
	/* one frame, or none: no gap, no rates */
	timeline_start(&tl, 0, 10 * MS);
	timeline_summary(&tl, &ts);
	CHECK(ts.gap_ms == 0 && ts.bins_used == 0);
	timeline_add(&tl, 5 * MS, 1);
	timeline_summary(&tl, &ts);
	CHECK(ts.gap_ms == 0 && ts.rate_before_pps == 0 && ts.bins_used == 1);
	sink_free(s);
}

int
main(void)
{
	struct gen_cfg c;

	gen_cfg_default(&c);
	c.flows = 4;
	c.src_ip = htonl(0xc6120102);
	c.dst_ip = htonl(0xc6120202);
	if (gen_frames_init(&gf, &c) < 0)
		return 1;
	test_in_order_and_loss();
	test_reorder_dup();
	test_late_and_wrap();
	test_filter();
	test_latency();
	test_hist();
	test_hist_export();
	test_intervals();
	test_softnet();
	test_timeline_outage();
	test_timeline_wrap();
	test_timeline_reorder_dup();
	test_timeline_ends_lost();
	gen_frames_free(&gf);
	return t_done("test_sink");
}
