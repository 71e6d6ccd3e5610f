/* Unit tests for vrgen's frame building and pacing math (vrgen/gen.c). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "t.h"

static void
test_csum(void)
{
	/* the classic example header: checksum 0xb861 */
	uint8_t ip[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40,
			  0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8,
			  0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};

	CHECK_INT(gen_csum_fold(gen_csum_add(0, ip, sizeof(ip))), 0xb861);
	ip[10] = 0xb8;
	ip[11] = 0x61;
	CHECK_INT(gen_csum_fold(gen_csum_add(0, ip, sizeof(ip))), 0);
	/* odd length pads with a zero byte */
	CHECK_INT(gen_csum_add(0, "\x01", 1), 0x0100);
}

static void
test_parse_frame(void)
{
	struct gen_cfg c;

	gen_cfg_default(&c);
	CHECK_INT(gen_parse_frame("64", &c), 0);
	CHECK_INT(c.nsizes, 1);
	CHECK_INT(c.sizes[0], 64);
	CHECK_INT(gen_parse_frame("1518", &c), 0);
	CHECK_INT(c.sizes[0], 1518);
	CHECK_INT(gen_parse_frame("63", &c), -1);
	CHECK_INT(gen_parse_frame("1519", &c), -1);
	CHECK_INT(gen_parse_frame("64x", &c), -1);
	CHECK_INT(gen_parse_frame("", &c), -1);
	CHECK_INT(gen_parse_frame("imix", &c), 0);
	CHECK_INT(c.nsizes, 12);
	CHECK(gen_mean_frame(&c) > 361.8 && gen_mean_frame(&c) < 361.9);
}

/* Verify one built frame completely. */
static int
frame_ok(const uint8_t *b, size_t len, unsigned size, int udp_csum,
	 const struct gen_payload *want)
{
	struct gen_payload got;
	uint32_t s;
	unsigned ulen;

	if (len != size - GEN_FCS)
		return 0;
	if (b[12] != 0x08 || b[13] != 0x00 || b[14] != 0x45)
		return 0;
	if ((unsigned)(b[16] << 8 | b[17]) != len - 14)
		return 0;
	if (gen_csum_fold(gen_csum_add(0, b + 14, 20)) != 0)
		return 0;
	ulen = (unsigned)(b[38] << 8 | b[39]);
	if (ulen != len - 34 || b[23] != IPPROTO_UDP)
		return 0;
	if (udp_csum) {
		if (b[40] == 0 && b[41] == 0)
			return 0;
		s = gen_csum_add(0, b + 26, 8);
		s += IPPROTO_UDP + ulen;
		s = gen_csum_add(s, b + 34, ulen);
		if (gen_csum_fold(s) != 0)
			return 0;
	} else if (b[40] != 0 || b[41] != 0) {
		return 0;
	}
	if (gen_parse(b, len, &got) < 0)
		return 0;
	return got.run == want->run && got.flow == want->flow &&
	       got.seq == want->seq && got.ts_ns == want->ts_ns;
}

static void
test_frames_all_sizes(void)
{
	static uint8_t buf[GEN_MAX_FRAME];
	struct gen_frames gf;
	struct gen_cfg c;
	int bad = 0, csum;
	unsigned size;

	for (csum = 0; csum <= 1; csum++) {
		for (size = 64; size <= 1518; size++) {
			struct gen_payload pl = {
			    .run = 7,
			    .flow = 2,
			    .seq = 0xfffffff0u + size,
			    .ts_ns = 0x0123456789abcdefull + size};

			gen_cfg_default(&c);
			c.flows = 3;
			c.sizes[0] = (uint16_t)size;
			c.udp_csum = csum;
			c.src_ip = htonl(0xc6120102);
			c.dst_ip = htonl(0xc6120202);
			if (gen_frames_init(&gf, &c) < 0) {
				bad++;
				continue;
			}
			memset(buf, 0, sizeof(buf));
			if (!frame_ok(buf, gen_write(&gf, 2, 0, &pl, buf), size,
				      csum, &pl))
				bad++;
			gen_frames_free(&gf);
		}
	}
	CHECK_INT(bad, 0);
}

static void
test_frames_header(void)
{
	static uint8_t buf[GEN_MAX_FRAME];
	struct gen_payload pl = {.run = 1, .flow = 0, .seq = 5, .ts_ns = 9};
	struct gen_frames gf;
	struct gen_cfg c;
	const uint8_t dmac[6] = {0x52, 0x54, 0, 1, 2, 3};
	const uint8_t smac[6] = {0x52, 0x54, 0, 4, 5, 6};

	gen_cfg_default(&c);
	memcpy(c.dst_mac, dmac, 6);
	memcpy(c.src_mac, smac, 6);
	c.src_ip = htonl(0xc6120102);
	c.dst_ip = htonl(0xc6120202);
	CHECK_INT(gen_frames_init(&gf, &c), 0);
	memset(buf, 0, sizeof(buf));
	CHECK_INT(gen_write(&gf, 0, 0, &pl, buf), 60);
	CHECK(memcmp(buf, dmac, 6) == 0);
	CHECK(memcmp(buf + 6, smac, 6) == 0);
	CHECK_INT(buf[22], 64); /* TTL */
	CHECK(memcmp(buf + 26, &c.src_ip, 4) == 0);
	CHECK(memcmp(buf + 30, &c.dst_ip, 4) == 0);
	CHECK_INT(buf[34] << 8 | buf[35], 10000);     /* source port */
	CHECK_INT(buf[36] << 8 | buf[37], 9);	      /* destination port */
	CHECK_INT(buf[42] << 8 | buf[43], GEN_MAGIC); /* payload magic */
	/* a non-vrgen frame is refused */
	buf[42] = 0;
	CHECK_INT(gen_parse(buf, 60, &pl), -1);
	buf[42] = GEN_MAGIC >> 8;
	CHECK_INT(gen_parse(buf, 59, &pl), -1); /* truncated */
	CHECK_INT(gen_parse(buf, 41, &pl), -1);
	buf[13] = 0x06; /* ARP ethertype */
	CHECK_INT(gen_parse(buf, 60, &pl), -1);
	gen_frames_free(&gf);
	/* invalid configurations */
	c.flows = 0;
	CHECK_INT(gen_frames_init(&gf, &c), -1);
	c.flows = 2;
	c.src_port = 65535;
	CHECK_INT(gen_frames_init(&gf, &c), -1);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
test_flows_distinct(void)
{
	static uint8_t buf[GEN_MAX_FRAME];
	struct gen_payload pl = {0};
	struct gen_frames gf;
	struct gen_cfg c;
	unsigned f, ips[2] = {1, 4}, k, dups = 0, nflows = 1000;
	uint64_t *key = calloc(nflows, sizeof(*key));

	for (k = 0; k < 2; k++) {
		gen_cfg_default(&c);
		c.flows = nflows;
		c.src_ips = ips[k];
		c.src_ip = htonl(0xc6120102);
		c.dst_ip = htonl(0xc6120202);
		CHECK_INT(gen_frames_init(&gf, &c), 0);
		for (f = 0; f < nflows; f++) {
			uint32_t sip;

			pl.flow = (uint16_t)f;
			gen_write(&gf, f, 0, &pl, buf);
			memcpy(&sip, buf + 26, 4);
			key[f] = (uint64_t)ntohl(sip) << 32 |
				 (uint64_t)(buf[34] << 8 | buf[35]) << 16 |
				 (uint64_t)(buf[36] << 8 | buf[37]);
			/* every flow goes to the one sink address */
			CHECK(memcmp(buf + 30, &c.dst_ip, 4) == 0);
		}
		qsort(key, nflows, sizeof(*key), cmp_u64);
		for (f = 1; f < nflows; f++)
			dups += key[f] == key[f - 1];
		/* with 4 source addresses, flow f uses .2 + f % 4 */
		gen_write(&gf, 5, 0, &pl, buf);
		CHECK_INT(buf[29], 2 + 5 % ips[k]);
		gen_frames_free(&gf);
	}
	CHECK_INT(dups, 0);
	free(key);
}

static void
test_pick_imix(void)
{
	struct gen_cfg c;
	unsigned counts[3] = {0}, perflow[7][3], flow, szi, f;
	uint64_t i, n;

	gen_cfg_default(&c);
	gen_parse_frame("imix", &c);
	c.flows = 7;
	memset(perflow, 0, sizeof(perflow));
	n = (uint64_t)c.flows * c.nsizes * 10;
	for (i = 0; i < n; i++) {
		unsigned cls;

		gen_pick(&c, i, &flow, &szi);
		CHECK(flow == i % 7);
		cls = c.sizes[szi] == 64 ? 0 : c.sizes[szi] == 594 ? 1 : 2;
		counts[cls]++;
		perflow[flow][cls]++;
	}
	CHECK_INT(counts[0], n * 7 / 12);
	CHECK_INT(counts[1], n * 4 / 12);
	CHECK_INT(counts[2], n * 1 / 12);
	/* every flow sees the IMIX mix too, not one size */
	for (f = 0; f < 7; f++) {
		CHECK_INT(perflow[f][0], 70);
		CHECK_INT(perflow[f][1], 40);
		CHECK_INT(perflow[f][2], 10);
	}
	/* 12 flows with a 12-entry pattern: same */
	c.flows = 12;
	memset(perflow, 0, sizeof(perflow));
	for (i = 0; i < 144; i++) {
		gen_pick(&c, i, &flow, &szi);
		if (flow < 7)
			perflow[flow][c.sizes[szi] == 64    ? 0
				      : c.sizes[szi] == 594 ? 1
							    : 2]++;
	}
	CHECK_INT(perflow[6][2], 1);
	CHECK_INT(perflow[6][0], 7);
}

/* the division-free cursor of the send loop walks gen_pick's sequence */
static void
test_cursor(void)
{
	unsigned flows[] = {1, 3, 7, 12, 13}, i, bad = 0;

	for (i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
		struct gen_cursor k;
		struct gen_cfg c;
		uint64_t n;

		gen_cfg_default(&c);
		gen_parse_frame("imix", &c);
		c.flows = flows[i];
		gen_cursor_init(&k);
		for (n = 0; n < 5000; n++) {
			unsigned f, z;

			gen_pick(&c, n, &f, &z);
			if (f != k.flow || z != k.szi || k.round != n / c.flows)
				bad++;
			gen_cursor_next(&c, &k);
		}
	}
	CHECK_INT(bad, 0);
}

static void
test_pacing(void)
{
	uint64_t t0 = 1000000000ull, k, prev = t0, maxgap = 0, mingap = ~0ull;

	CHECK_INT(gen_due_ns(t0, 0, 1e6), t0);
	CHECK_INT(gen_due_ns(t0, 1000000, 1e6), t0 + 1000000000ull);
	CHECK_INT(gen_due_ns(t0, 1, 3), t0 + 333333333ull);
	CHECK_INT(gen_due_ns(t0, 3, 3), t0 + 1000000000ull);
	/* no drift over an hour at 1.23 Mpps */
	CHECK_INT(gen_due_ns(0, 1230000ull * 3600, 1.23e6),
		  3600ull * 1000000000ull);
	/* 7 pps: gaps are 142857143 +- 1 ns, never a per-second burst */
	for (k = 1; k <= 70; k++) {
		uint64_t d = gen_due_ns(t0, k, 7);

		if (d - prev > maxgap)
			maxgap = d - prev;
		if (d - prev < mingap)
			mingap = d - prev;
		prev = d;
	}
	CHECK(maxgap - mingap <= 1);
	CHECK_INT(gen_due_ns(t0, 70, 7), t0 + 10000000000ull);
	/* unpaced */
	CHECK_INT(gen_due_ns(t0, 12345, 0), t0);
	/* bursts span at most 100 us of schedule */
	CHECK_INT(gen_auto_burst(1e6, 32), 32);
	CHECK_INT(gen_auto_burst(1e5, 32), 10);
	CHECK_INT(gen_auto_burst(5e4, 32), 5);
	CHECK_INT(gen_auto_burst(1e3, 32), 1);
	CHECK_INT(gen_auto_burst(0, 32), 32);
	CHECK_INT(gen_auto_burst(1e9, 1000), GEN_MAX_BURST);
	CHECK_INT(gen_auto_burst(1e6, 0), 1);
	CHECK_INT(gen_count_for(1e6, 1500000000ull), 1500000);
	CHECK_INT(gen_count_for(333.4, 3000000000ull), 1000);
	CHECK_INT(gen_count_for(0, 1000000000ull), 0);
}

/*
 * The interval rates are computed over (issue 18, item 12): a 1 pps, 1 s
 * trial sends one frame, and its first and last send calls are some
 * microseconds apart; dividing by that recorded forwarded_pps 7637.
 */
static void
test_rate_interval(void)
{
	struct gen_params p = {.rate = 1, .duration_ns = 1000000000};
	struct gen_stats st = {
	    .sent = 1, .t_start = 5000000000, .t_end = 5000000000 + 130938};
	const char *basis = NULL;
	double secs;

	secs = gen_rate_interval(&p, &st, &basis);
	CHECK(secs == 1.0);
	CHECK_STR(basis, "schedule");
	CHECK(1 / secs == 1.0); /* one frame received: 1 pps, not 7637 */
	/* two frames at 2 pps: 1 s of schedule, not 0.5 s between them */
	p.rate = 2;
	st.sent = 2;
	st.t_end = st.t_start + 500000000 + 20000;
	CHECK(gen_rate_interval(&p, &st, &basis) == 1.0);
	CHECK_STR(basis, "schedule");
	/* on time at 1 Mpps: the schedule, so achieved == offered */
	p.rate = 1e6;
	st.sent = 1000000;
	st.t_end = st.t_start + 999968000 + 3000;
	CHECK(gen_rate_interval(&p, &st, &basis) == 1.0);
	/* a sender that fell behind: its own, longer time */
	st.t_end = st.t_start + 2000000000;
	CHECK(gen_rate_interval(&p, &st, &basis) == 2.0);
	CHECK_STR(basis, "sender");
	/* stopped early: only the frames sent count */
	st.sent = 250000;
	st.t_end = st.t_start + 249968000;
	CHECK(gen_rate_interval(&p, &st, &basis) == 0.25);
	/* unpaced: first to last send */
	p.rate = 0;
	st.t_end = st.t_start + 100000000;
	CHECK(gen_rate_interval(&p, &st, &basis) == 0.1);
	CHECK_STR(basis, "sender");
}

int
main(void)
{
	test_csum();
	test_parse_frame();
	test_frames_all_sizes();
	test_frames_header();
	test_flows_distinct();
	test_pick_imix();
	test_cursor();
	test_pacing();
	test_rate_interval();
	return t_done("test_gen");
}
