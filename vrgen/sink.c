/* vrgen's sink: per-flow accounting and the TPACKET_V3 receive ring. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "gen.h"
#include "sink.h"

#define SINK_SNAPLEN 128 /* headers + payload header are all we read */

struct sink *
sink_new(unsigned nflows)
{
	struct sink *s;

	if (nflows == 0 || nflows > GEN_MAX_FLOWS) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->s_flows = calloc(nflows, sizeof(*s->s_flows));
	if (s->s_flows == NULL) {
		free(s);
		return NULL;
	}
	s->s_nflows = nflows;
	sink_reset(s, -1);
	return s;
}

void
sink_free(struct sink *s)
{
	if (s == NULL)
		return;
	free(s->s_flows);
	free(s);
}

void
sink_reset(struct sink *s, int run)
{
	memset(s->s_flows, 0, (size_t)s->s_nflows * sizeof(*s->s_flows));
	s->s_run = run;
	s->s_bytes = s->s_foreign = s->s_stale = s->s_bad_flow = 0;
	s->s_first_ns = s->s_last_ns = 0;
	hist_reset(&s->s_lat);
}

static inline int
win_test_set(struct sink_flow *f, uint64_t seq)
{
	uint64_t bit = seq % SINK_WINDOW, m = 1ull << (bit % 64);
	uint64_t *w = &f->sf_win[bit / 64];
	int was = (*w & m) != 0;

	*w |= m;
	return was;
}

static inline void
win_clear(struct sink_flow *f, uint64_t seq)
{
	uint64_t bit = seq % SINK_WINDOW;

	f->sf_win[bit / 64] &= ~(1ull << (bit % 64));
}

/* Account sequence number seq32 in flow f: 0 new in order, 1 reordered,
 * 2 duplicate. */
static int
flow_seq(struct sink_flow *f, uint32_t seq32)
{
	uint64_t seq, q;

	if (f->sf_next == 0 && f->sf_received == 0 && f->sf_late == 0) {
		seq = seq32;
	} else {
		/* extend to 64 bits around the highest seen (serial
		 * number arithmetic): sf_next - 1 is the highest */
		int64_t d = (int32_t)(seq32 - (uint32_t)(f->sf_next - 1));

		if (d < 0 && (uint64_t)-d > f->sf_next - 1) {
			f->sf_late++;
			f->sf_received++;
			f->sf_reordered++;
			return 1;
		}
		seq = f->sf_next - 1 + (uint64_t)d;
	}
	if (seq >= f->sf_next) {
		if (seq - f->sf_next >= SINK_WINDOW)
			memset(f->sf_win, 0, sizeof(f->sf_win));
		else
			for (q = f->sf_next; q < seq; q++)
				win_clear(f, q);
		win_clear(f, seq);
		win_test_set(f, seq);
		f->sf_next = seq + 1;
		f->sf_received++;
		return 0;
	}
	if (f->sf_next - seq > SINK_WINDOW) {
		f->sf_late++;
		f->sf_received++;
		f->sf_reordered++;
		return 1;
	}
	if (win_test_set(f, seq)) {
		f->sf_dups++;
		return 2;
	}
	f->sf_received++;
	f->sf_reordered++;
	return 1;
}

int
sink_account(struct sink *s, const uint8_t *frame, size_t caplen, size_t len,
	     uint64_t rx_ns)
{
	struct gen_payload pl;
	struct sink_flow *f;
	uint64_t next0;

	if (gen_parse(frame, caplen, &pl) < 0) {
		s->s_foreign++;
		return 0;
	}
	if (s->s_run >= 0 && pl.run != (uint16_t)s->s_run) {
		s->s_stale++;
		return 0;
	}
	if (pl.flow >= s->s_nflows) {
		s->s_bad_flow++;
		return 0;
	}
	f = &s->s_flows[pl.flow];
	next0 = f->sf_next;
	if (flow_seq(f, pl.seq) == 2)
		return 1; /* a duplicate says nothing new about latency */
	s->s_bytes += len;
	if (s->s_first_ns == 0)
		s->s_first_ns = rx_ns;
	s->s_last_ns = rx_ns;
	hist_add(&s->s_lat, rx_ns > pl.ts_ns ? rx_ns - pl.ts_ns : 0);
	if (s->s_ivl != NULL)
		ivl_add(s->s_ivl, rx_ns, 1);
	if (s->s_tl != NULL)
		timeline_add(s->s_tl, rx_ns, f->sf_next - next0);
	return 1;
}

uint64_t
sink_flow_lost(const struct sink_flow *f, uint64_t sent)
{
	uint64_t expect = sent ? sent : f->sf_next;

	return expect > f->sf_received ? expect - f->sf_received : 0;
}

void
sink_totals(const struct sink *s, const uint64_t *sent, struct sink_totals *t)
{
	unsigned i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < s->s_nflows; i++) {
		const struct sink_flow *f = &s->s_flows[i];
		uint64_t fs = sent ? sent[i] : 0;

		t->received += f->sf_received;
		t->duplicates += f->sf_dups;
		t->reordered += f->sf_reordered;
		t->late += f->sf_late;
		if (sent != NULL)
			t->lost +=
			    fs > f->sf_received ? fs - f->sf_received : 0;
		else
			t->lost += sink_flow_lost(f, 0);
		if (f->sf_received || f->sf_dups)
			t->flows_seen++;
	}
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC, read as a tight sandwich. */
static int64_t
real_minus_mono(void)
{
	struct timespec a, r, b;
	int64_t ma, mb, rr;

	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ma = (int64_t)a.tv_sec * 1000000000 + a.tv_nsec;
	mb = (int64_t)b.tv_sec * 1000000000 + b.tv_nsec;
	rr = (int64_t)r.tv_sec * 1000000000 + r.tv_nsec;
	return rr - (ma + (mb - ma) / 2);
}

int
sink_rx_open(struct sink_rx *rx, int ifindex, const char *where,
	     unsigned ring_mib, char *err, size_t errlen)
{
	struct sock_filter snap[] = {{BPF_RET | BPF_K, 0, 0, SINK_SNAPLEN}};
	struct sock_fprog prog = {.len = 1, .filter = snap};
	struct tpacket_req3 req;
	struct sockaddr_ll sll;
	int v = TPACKET_V3, rcvbuf = 4 << 20;

	memset(rx, 0, sizeof(*rx));
	rx->rx_fd = -1;
	rx->rx_ifindex = ifindex;
	if (ring_mib == 0)
		ring_mib = 32;
	/* protocol 0 until the ring is set: nothing is queued before bind */
	rx->rx_fd =
	    socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (rx->rx_fd < 0) {
		snprintf(err, errlen,
			 "cannot open AF_PACKET socket on %s: %s%s", where,
			 strerror(errno),
			 errno == EPERM ? " (run as root)" : "");
		goto fail;
	}
	if (setsockopt(rx->rx_fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) <
	    0) {
		snprintf(err, errlen, "TPACKET_V3: %s", strerror(errno));
		goto fail;
	}
	if (setsockopt(rx->rx_fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
		       sizeof(prog)) < 0) {
		snprintf(err, errlen, "SO_ATTACH_FILTER: %s", strerror(errno));
		goto fail;
	}
	(void)setsockopt(rx->rx_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
			 sizeof(rcvbuf));
	memset(&req, 0, sizeof(req));
	req.tp_block_size = 1u << 20;
	req.tp_block_nr = ring_mib;
	req.tp_frame_size = 2048;
	req.tp_frame_nr =
	    req.tp_block_size / req.tp_frame_size * req.tp_block_nr;
	req.tp_retire_blk_tov = 2; /* ms */
	if (setsockopt(rx->rx_fd, SOL_PACKET, PACKET_RX_RING, &req,
		       sizeof(req)) < 0) {
		snprintf(err, errlen, "PACKET_RX_RING (%u MiB) on %s: %s",
			 ring_mib, where, strerror(errno));
		goto fail;
	}
	rx->rx_block_size = req.tp_block_size;
	rx->rx_blocks = req.tp_block_nr;
	rx->rx_maplen = (size_t)req.tp_block_size * req.tp_block_nr;
	rx->rx_map = mmap(NULL, rx->rx_maplen, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_POPULATE, rx->rx_fd, 0);
	if (rx->rx_map == MAP_FAILED) {
		rx->rx_map = NULL;
		snprintf(err, errlen, "mmap of the receive ring: %s",
			 strerror(errno));
		goto fail;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = ifindex;
	if (bind(rx->rx_fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		snprintf(err, errlen, "cannot bind AF_PACKET socket to %s: %s",
			 where, strerror(errno));
		goto fail;
	}
	v = 1;
	(void)setsockopt(rx->rx_fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &v,
			 sizeof(v));
	return 0;
fail:
	sink_rx_close(rx);
	return -1;
}

void
sink_rx_close(struct sink_rx *rx)
{
	if (rx->rx_map != NULL)
		munmap(rx->rx_map, rx->rx_maplen);
	rx->rx_map = NULL;
	if (rx->rx_fd >= 0)
		close(rx->rx_fd);
	rx->rx_fd = -1;
}

void
sink_rx_stats(struct sink_rx *rx)
{
	struct tpacket_stats_v3 st;
	socklen_t len = sizeof(st);

	/* reading resets the kernel's counters */
	if (getsockopt(rx->rx_fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) ==
	    0)
		rx->rx_ring_drops += st.tp_drops;
}

static inline struct tpacket_block_desc *
block_at(struct sink_rx *rx, unsigned i)
{
	return (struct tpacket_block_desc *)(rx->rx_map +
					     (size_t)i * rx->rx_block_size);
}

static int
process_block(struct sink *s, struct tpacket_block_desc *bd, int64_t offset)
{
	struct tpacket3_hdr *h;
	uint32_t i, n = bd->hdr.bh1.num_pkts;
	int got = 0;

	h = (struct tpacket3_hdr *)((uint8_t *)bd +
				    bd->hdr.bh1.offset_to_first_pkt);
	for (i = 0; i < n; i++) {
		int64_t ts = (int64_t)h->tp_sec * 1000000000 + h->tp_nsec;
		uint64_t rx_ns = (uint64_t)(ts - offset);

		if (s != NULL)
			got += sink_account(s, (uint8_t *)h + h->tp_mac,
					    h->tp_snaplen, h->tp_len, rx_ns);
		h = (struct tpacket3_hdr *)((uint8_t *)h + h->tp_next_offset);
	}
	__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL,
			 __ATOMIC_RELEASE);
	return got;
}

void
sink_rx_flush(struct sink_rx *rx)
{
	unsigned spins;

	for (spins = 0; spins < rx->rx_blocks * 2; spins++) {
		struct tpacket_block_desc *bd = block_at(rx, rx->rx_cur);

		if (!(__atomic_load_n(&bd->hdr.bh1.block_status,
				      __ATOMIC_ACQUIRE) &
		      TP_STATUS_USER))
			break;
		process_block(NULL, bd, 0);
		rx->rx_cur = (rx->rx_cur + 1) % rx->rx_blocks;
	}
	sink_rx_stats(rx);
	rx->rx_ring_drops = 0;
}

int
sink_rx_poll(struct sink_rx *rx, struct sink *s, int timeout_ms)
{
	struct pollfd pfd = {.fd = rx->rx_fd, .events = POLLIN};
	int64_t offset = real_minus_mono();
	int got = 0, blocks = 0;

	for (;;) {
		struct tpacket_block_desc *bd = block_at(rx, rx->rx_cur);

		if (!(__atomic_load_n(&bd->hdr.bh1.block_status,
				      __ATOMIC_ACQUIRE) &
		      TP_STATUS_USER)) {
			if (blocks > 0 || timeout_ms == 0)
				break;
			pfd.revents = 0;
			if (poll(&pfd, 1, timeout_ms) < 0) {
				if (errno == EINTR)
					return 0;
				return -1;
			}
			if (pfd.revents & (POLLERR | POLLNVAL)) {
				errno = EIO;
				return -1;
			}
			timeout_ms = 0;
			continue;
		}
		got += process_block(s, bd, offset);
		rx->rx_cur = (rx->rx_cur + 1) % rx->rx_blocks;
		blocks++;
	}
	if (got > 0)
		rx->rx_last_frame_ns = mono_ns();
	return got;
}

int
sink_rx_run(struct sink_rx *rx, struct sink *s, const struct sink_until *u)
{
	uint64_t done_at = 0;
	int any = 0;

	for (;;) {
		uint64_t now, quiet_since;
		int n;

		n = sink_rx_poll(rx, s, 5);
		if (n < 0)
			return -1;
		if (n > 0)
			any = 1;
		now = mono_ns();
		if (u->stop != NULL && atomic_load(u->stop))
			break;
		if (u->deadline_ns && now >= u->deadline_ns)
			break;
		if (done_at == 0 &&
		    (u->tx_done != NULL ? atomic_load(u->tx_done) : any))
			done_at = now;
		if (done_at == 0)
			continue;
		quiet_since = rx->rx_last_frame_ns > done_at
				  ? rx->rx_last_frame_ns
				  : done_at;
		if (now - quiet_since >= (uint64_t)u->idle_ms * 1000000ull)
			break;
		if (u->max_drain_ms &&
		    now - done_at >= (uint64_t)u->max_drain_ms * 1000000ull)
			break;
	}
	sink_rx_stats(rx);
	return 0;
}
