/*
 * vrgen's generator: frame templates, payload encoding, pacing and the
 * AF_PACKET send path.  See gen.h for the frame and payload layout.
 *
 * Over 800 lines on purpose (issue 12): the frames are built, sent and
 * parsed back with the same private byte helpers (put16, get16 ...) and
 * the same layout; the next-hop resolution at the end (gen_ifinfo,
 * gen_resolve_mac) is the one part that could go to a file of its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/route.h>

#include "gen.h"
#include "stats.h"
#include "xsk.h"

static const uint16_t imix_pattern[] = {64,   594, 64,	64, 594, 64,
					1518, 64,  594, 64, 64,	 594};

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

uint64_t
gen_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

void
gen_cfg_default(struct gen_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->src_ips = 1;
	c->src_port = 10000;
	c->dst_port = 9;
	c->flows = 1;
	c->nsizes = 1;
	c->sizes[0] = 64;
	c->ttl = 64;
}

int
gen_parse_frame(const char *s, struct gen_cfg *c)
{
	char err[128];

	if (strcmp(s, "imix") == 0) {
		memcpy(c->sizes, imix_pattern, sizeof(imix_pattern));
		c->nsizes =
		    (unsigned)(sizeof(imix_pattern) / sizeof(imix_pattern[0]));
		return 0;
	}
	if (benchparam_frame(s, err, sizeof(err)) == -1)
		return -1; /* the one syntax the daemon and vrctl check too */
	c->sizes[0] = (uint16_t)strtol(s, NULL, 10);
	c->nsizes = 1;
	return 0;
}

double
gen_mean_frame(const struct gen_cfg *c)
{
	double sum = 0;
	unsigned i;

	for (i = 0; i < c->nsizes; i++)
		sum += c->sizes[i];
	return c->nsizes ? sum / c->nsizes : 0;
}

uint32_t
gen_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s = sum;

	while (len > 1) {
		s += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		s += (uint32_t)p[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t
gen_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int
gen_frames_init(struct gen_frames *gf, const struct gen_cfg *c)
{
	unsigned f, z;

	memset(gf, 0, sizeof(*gf));
	if (c->flows == 0 || c->flows > GEN_MAX_FLOWS || c->nsizes == 0 ||
	    c->nsizes > GEN_MAX_SIZES || c->src_ips == 0 ||
	    (unsigned)c->src_port + c->flows > 65536u) {
		errno = EINVAL;
		return -1;
	}
	for (z = 0; z < c->nsizes; z++)
		if (c->sizes[z] < GEN_MIN_FRAME ||
		    c->sizes[z] > GEN_MAX_FRAME) {
			errno = EINVAL;
			return -1;
		}
	gf->gf_cfg = *c;
	gf->gf_hdr = calloc((size_t)c->flows * c->nsizes, GEN_HDR_LEN);
	gf->gf_csum = calloc((size_t)c->flows * c->nsizes, sizeof(uint32_t));
	if (gf->gf_hdr == NULL || gf->gf_csum == NULL) {
		gen_frames_free(gf);
		errno = ENOMEM;
		return -1;
	}
	for (f = 0; f < c->flows; f++) {
		uint32_t sip = htonl(ntohl(c->src_ip) + f % c->src_ips);
		uint16_t sport = (uint16_t)(c->src_port + f);

		for (z = 0; z < c->nsizes; z++) {
			size_t idx = (size_t)f * c->nsizes + z;
			uint8_t *h = gf->gf_hdr + idx * GEN_HDR_LEN;
			uint8_t *ip = h + 14, *udp = h + 34;
			unsigned flen = c->sizes[z] - GEN_FCS;
			uint32_t s;

			memcpy(h, c->dst_mac, 6);
			memcpy(h + 6, c->src_mac, 6);
			put16(h + 12, ETH_P_IP);
			ip[0] = 0x45;
			ip[1] = 0;
			put16(ip + 2, (uint16_t)(flen - 14));
			put16(ip + 4, 0);
			put16(ip + 6, 0x4000); /* DF */
			ip[8] = c->ttl;
			ip[9] = IPPROTO_UDP;
			memcpy(ip + 12, &sip, 4);
			memcpy(ip + 16, &c->dst_ip, 4);
			put16(ip + 10, gen_csum_fold(gen_csum_add(0, ip, 20)));
			put16(udp, sport);
			put16(udp + 2, c->dst_port);
			put16(udp + 4, (uint16_t)(flen - 34));
			put16(udp + 6, 0);
			/* pseudo header + UDP header; the zero payload adds 0
			 */
			s = gen_csum_add(0, ip + 12, 8);
			s += IPPROTO_UDP + (uint32_t)(flen - 34);
			s = gen_csum_add(s, udp, 8);
			gf->gf_csum[idx] = s;
		}
	}
	return 0;
}

void
gen_frames_free(struct gen_frames *gf)
{
	free(gf->gf_hdr);
	free(gf->gf_csum);
	gf->gf_hdr = NULL;
	gf->gf_csum = NULL;
}

size_t
gen_write(const struct gen_frames *gf, unsigned flow, unsigned szi,
	  const struct gen_payload *pl, uint8_t *buf)
{
	const struct gen_cfg *c = &gf->gf_cfg;
	size_t idx = (size_t)flow * c->nsizes + szi;
	uint8_t *p = buf + GEN_PL_OFF;

	memcpy(buf, gf->gf_hdr + idx * GEN_HDR_LEN, GEN_HDR_LEN);
	put16(p, GEN_MAGIC);
	put16(p + 2, pl->run);
	put16(p + 4, pl->flow);
	put32(p + 6, pl->seq);
	put32(p + 10, (uint32_t)(pl->ts_ns >> 32));
	put32(p + 14, (uint32_t)pl->ts_ns);
	if (c->udp_csum) {
		uint16_t ck = gen_csum_fold(
		    gen_csum_add(gf->gf_csum[idx], p, GEN_PL_LEN));
		put16(buf + 40, ck ? ck : 0xffff);
	}
	return (size_t)c->sizes[szi] - GEN_FCS;
}

int
gen_parse(const uint8_t *b, size_t len, struct gen_payload *pl)
{
	size_t ihl, off;

	if (len < 14 + 20 + 8 + GEN_PL_LEN || get16(b + 12) != ETH_P_IP)
		return -1;
	if ((b[14] >> 4) != 4 || b[14 + 9] != IPPROTO_UDP)
		return -1;
	ihl = (size_t)(b[14] & 0x0f) * 4;
	if (ihl < 20)
		return -1;
	off = 14 + ihl + 8;
	if (len < off + GEN_PL_LEN || get16(b + off) != GEN_MAGIC)
		return -1;
	pl->run = get16(b + off + 2);
	pl->flow = get16(b + off + 4);
	pl->seq = get32(b + off + 6);
	pl->ts_ns = (uint64_t)get32(b + off + 10) << 32 | get32(b + off + 14);
	return 0;
}

unsigned
gen_auto_burst(double rate, unsigned max_burst)
{
	double b;

	if (max_burst == 0)
		max_burst = 1;
	if (max_burst > GEN_MAX_BURST)
		max_burst = GEN_MAX_BURST;
	if (rate <= 0)
		return max_burst;
	b = rate * 100e-6; /* frames due in 100 us */
	if (b < 1)
		return 1;
	if (b > max_burst)
		return max_burst;
	return (unsigned)b;
}

uint64_t
gen_count_for(double rate, uint64_t duration_ns)
{
	if (rate <= 0)
		return 0;
	return (uint64_t)(rate * ((double)duration_ns / 1e9) + 0.5);
}

int
gen_tx_kind_parse(const char *s)
{
	if (strcmp(s, "auto") == 0)
		return GEN_TX_AUTO;
	if (strcmp(s, "packet") == 0 || strcmp(s, "af_packet") == 0)
		return GEN_TX_PACKET;
	if (strcmp(s, "xdp") == 0 || strcmp(s, "af_xdp") == 0)
		return GEN_TX_XDP;
	return -1;
}

const char *
gen_tx_describe(const struct gen_tx *tx)
{
	if (tx->tx_kind == GEN_TX_XDP)
		return tx->tx_xsk != NULL && tx->tx_xsk->zerocopy
			   ? "af_xdp (zero-copy)"
			   : "af_xdp (copy)";
	return tx->tx_bypass ? "af_packet" : "af_packet+qdisc";
}

static int
packet_open(struct gen_tx *tx, int ifindex, const char *where, int qdisc_bypass,
	    char *err, size_t errlen)
{
	struct sockaddr_ll sll;
	int one = 1, sndbuf = 4 << 20;
	unsigned i;

	tx->tx_fd =
	    socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (tx->tx_fd < 0) {
		snprintf(err, errlen,
			 "cannot open AF_PACKET socket on %s: %s%s", where,
			 strerror(errno),
			 errno == EPERM ? " (run as root)" : "");
		return -1;
	}
	if (qdisc_bypass &&
	    setsockopt(tx->tx_fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
		       sizeof(one)) < 0) {
		snprintf(err, errlen, "PACKET_QDISC_BYPASS on %s: %s", where,
			 strerror(errno));
		return -1;
	}
	tx->tx_bypass = qdisc_bypass;
	if (setsockopt(tx->tx_fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
		       sizeof(sndbuf)) < 0)
		(void)setsockopt(tx->tx_fd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
				 sizeof(sndbuf));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = 0; /* send only: no receive hook */
	sll.sll_ifindex = ifindex;
	if (bind(tx->tx_fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		snprintf(err, errlen, "cannot bind AF_PACKET socket to %s: %s",
			 where, strerror(errno));
		return -1;
	}
	tx->tx_slots = calloc(tx->tx_burst, GEN_MAX_FRAME);
	tx->tx_msgs = calloc(tx->tx_burst, sizeof(*tx->tx_msgs));
	if (tx->tx_slots == NULL || tx->tx_msgs == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < tx->tx_burst; i++) {
		tx->tx_iov[i].iov_base =
		    tx->tx_slots + (size_t)i * GEN_MAX_FRAME;
		tx->tx_msgs[i].msg_hdr.msg_iov = &tx->tx_iov[i];
		tx->tx_msgs[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

int
gen_tx_open(struct gen_tx *tx, enum gen_tx_kind kind, int ifindex,
	    const char *where, unsigned max_burst, int qdisc_bypass, char *err,
	    size_t errlen)
{
	memset(tx, 0, sizeof(*tx));
	tx->tx_fd = -1;
	tx->tx_kind = kind;
	if (max_burst == 0 || max_burst > GEN_MAX_BURST)
		max_burst = GEN_MAX_BURST;
	tx->tx_burst = max_burst;
	tx->tx_ifindex = ifindex;
	tx->tx_iov = calloc(max_burst, sizeof(*tx->tx_iov));
	if (tx->tx_iov == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (kind != GEN_TX_PACKET) {
		tx->tx_xsk = calloc(1, sizeof(*tx->tx_xsk));
		if (tx->tx_xsk == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		if (xsk_open(tx->tx_xsk, ifindex, where, max_burst, err,
			     errlen) == 0) {
			tx->tx_kind = GEN_TX_XDP;
			return 0;
		}
		free(tx->tx_xsk);
		tx->tx_xsk = NULL;
		if (kind == GEN_TX_XDP)
			goto fail;
		snprintf(tx->tx_fallback, sizeof(tx->tx_fallback), "%s", err);
		tx->tx_kind = GEN_TX_PACKET;
	}
	if (packet_open(tx, ifindex, where, qdisc_bypass, err, errlen) == 0)
		return 0;
fail:
	gen_tx_close(tx);
	return -1;
}

void
gen_tx_close(struct gen_tx *tx)
{
	if (tx->tx_fd >= 0)
		close(tx->tx_fd);
	tx->tx_fd = -1;
	if (tx->tx_xsk != NULL) {
		xsk_close(tx->tx_xsk);
		free(tx->tx_xsk);
		tx->tx_xsk = NULL;
	}
	free(tx->tx_slots);
	free(tx->tx_iov);
	free(tx->tx_msgs);
	tx->tx_slots = NULL;
	tx->tx_iov = NULL;
	tx->tx_msgs = NULL;
}

/* Bounded waiting for a device that takes nothing: 0 to go on, -1 (with a
 * message) after 2 s without progress. */
static int
stuck_check(uint64_t *since, int e, char *err, size_t errlen)
{
	if (*since == 0) {
		*since = gen_now_ns();
	} else if (gen_now_ns() - *since > 2000000000ull) {
		snprintf(err, errlen,
			 "the device accepts no frames for 2 s: %s",
			 strerror(e));
		return -1;
	}
	cpu_relax();
	return 0;
}

static int
send_error(const char *call, int e, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s%s", call, strerror(e),
		 e == ENETDOWN || e == ENXIO ? " (interface down?)" : "");
	return -1;
}

static inline int
stopped(atomic_int *stop)
{
	return stop != NULL && atomic_load_explicit(stop, memory_order_relaxed);
}

/* Point tx_iov[0..n) at frames to fill: AF_PACKET's slots are fixed; XDP
 * takes free UMEM chunks, kicking the device to complete old ones.
 * Returns n, 0 when stopped while waiting, or -1. */
static int
tx_slots(struct gen_tx *tx, unsigned n, atomic_int *stop, struct gen_stats *st,
	 char *err, size_t errlen)
{
	struct xsk *x = tx->tx_xsk;
	uint64_t stuck_since = 0, consumed = 0;
	unsigned got = 0;

	if (x == NULL)
		return (int)n;
	/* chunks are only reserved once the ring is empty (xdp_push), so
	 * these kicks find nothing on it to consume */
	while ((got += xsk_reserve(x, n - got, tx->tx_iov + got)) < n) {
		/* chunks still in flight: zero-copy completes them only when
		 * kicked; copy mode when the far side frees the skb */
		if (xsk_kick(x, &consumed) < 0)
			return send_error("sendto", errno, err, errlen);
		st->calls++;
		st->retries++;
		if (stopped(stop))
			return 0;
		if (stuck_check(&stuck_since, EAGAIN, err, errlen) < 0)
			return -1;
	}
	return (int)n;
}

static int
xdp_push(struct gen_tx *tx, unsigned n, atomic_int *stop, struct gen_stats *st,
	 char *err, size_t errlen)
{
	struct xsk *x = tx->tx_xsk;
	uint64_t stuck_since = 0, consumed = 0, counted = 0;
	int r;

	xsk_submit(x, tx->tx_iov, n);
	for (;;) {
		uint64_t before = consumed;

		r = xsk_kick(x, &consumed);
		st->calls++;
		for (; counted < consumed; counted++)
			st->bytes += tx->tx_iov[counted].iov_len;
		st->sent += consumed - before;
		if (r < 0)
			return send_error("sendto", errno, err, errlen);
		if (r == 0)
			return 0;
		if (consumed != before) {
			stuck_since = 0;
			continue; /* the per-call budget ran out: go on */
		}
		st->retries++;
		if (stopped(stop))
			return 0;
		if (stuck_check(&stuck_since, EAGAIN, err, errlen) < 0)
			return -1;
	}
}

/* Push the burst's n frames out, retrying what the device refused.  0 or
 * -1. */
static int
tx_push(struct gen_tx *tx, unsigned n, atomic_int *stop, struct gen_stats *st,
	char *err, size_t errlen)
{
	unsigned off = 0;
	uint64_t stuck_since = 0;

	if (tx->tx_xsk != NULL)
		return xdp_push(tx, n, stop, st, err, errlen);
	while (off < n) {
		int r = sendmmsg(tx->tx_fd, tx->tx_msgs + off, n - off, 0);

		st->calls++;
		if (r > 0) {
			unsigned j;

			for (j = off; j < off + (unsigned)r; j++)
				st->bytes += tx->tx_iov[j].iov_len;
			off += (unsigned)r;
			st->sent += (unsigned)r;
			stuck_since = 0;
			continue;
		}
		if (r < 0 && errno != ENOBUFS && errno != EAGAIN &&
		    errno != EINTR)
			return send_error("sendmmsg", errno, err, errlen);
		st->retries++;
		if (stopped(stop))
			return 0;
		if (stuck_check(&stuck_since, errno, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int
gen_run(struct gen_tx *tx, const struct gen_frames *gf,
	const struct gen_params *p, atomic_int *stop, struct gen_stats *st,
	char *err, size_t errlen)
{
	const struct gen_cfg *c = &gf->gf_cfg;
	uint64_t total, k = 0, t0, deadline = 0, slack_ns, last = 0;
	uint64_t *per_flow = st->per_flow;
	struct gen_cursor cur;
	unsigned burst, f;

	memset(st, 0, sizeof(*st));
	st->per_flow = per_flow;
	burst = gen_auto_burst(p->rate, p->burst);
	if (burst > tx->tx_burst)
		burst = tx->tx_burst;
	total = p->count;
	if (total == 0)
		total = p->rate > 0 ? gen_count_for(p->rate, p->duration_ns)
				    : UINT64_MAX;
	slack_ns = p->rate > 0 ? (uint64_t)(burst * 1e9 / p->rate) : 0;
	gen_cursor_init(&cur);
	t0 = gen_now_ns();
	if (p->start_ns > t0) {
		t0 = p->start_ns;
		while (gen_now_ns() < t0)
			cpu_relax();
	}
	if (p->rate <= 0 && p->duration_ns > 0)
		deadline = t0 + p->duration_ns;
	st->t_start = t0;
	while (k < total) {
		unsigned n = burst, j;
		uint64_t now;
		int r;

		if (total - k < n)
			n = (unsigned)(total - k);
		if (stop != NULL &&
		    atomic_load_explicit(stop, memory_order_relaxed))
			break;
		if (p->rate > 0) {
			uint64_t due = gen_due_ns(t0, k, p->rate);

			while ((now = gen_now_ns()) < due)
				cpu_relax();
			if (now - due > slack_ns)
				st->late_bursts++;
		} else {
			now = gen_now_ns();
			if (deadline && now >= deadline)
				break;
		}
		r = tx_slots(tx, n, stop, st, err, errlen);
		if (r < 0) {
			st->t_end = gen_now_ns();
			return -1;
		}
		if (r == 0) /* stopped while waiting for UMEM */
			break;
		for (j = 0; j < n; j++) {
			struct gen_payload pl;

			pl.run = p->run;
			pl.flow = (uint16_t)cur.flow;
			pl.seq = (uint32_t)cur.round;
			pl.ts_ns = now;
			tx->tx_iov[j].iov_len = gen_write(
			    gf, cur.flow, cur.szi, &pl, tx->tx_iov[j].iov_base);
			gen_cursor_next(c, &cur);
		}
		if (tx_push(tx, n, stop, st, err, errlen) < 0) {
			st->t_end = gen_now_ns();
			return -1;
		}
		if (p->ivl != NULL) /* st->sent was k before the push */
			ivl_add(p->ivl, now, st->sent - k);
		/* the sender's own longest pause: a gap the sink sees may be
		 * the generator's (a busy host), not the network's */
		if (k > 0 && now - last > st->pause_ns) {
			st->pause_ns = now - last;
			st->pause_at = last;
		}
		last = now;
		k += n;
		if (st->sent < k) /* stopped while retrying */
			break;
	}
	st->t_end = gen_now_ns();
	if (per_flow != NULL)
		for (f = 0; f < c->flows; f++)
			per_flow[f] = st->sent / c->flows +
				      (f < st->sent % c->flows ? 1 : 0);
	return 0;
}

double
gen_rate_interval(const struct gen_params *p, const struct gen_stats *st,
		  const char **basis)
{
	double sender = (double)(st->t_end - st->t_start) / 1e9;
	double sched = p->rate > 0 ? (double)st->sent / p->rate : 0;

	int by_schedule = p->rate > 0 && sched >= sender;

	if (basis != NULL)
		*basis = by_schedule ? "schedule" : "sender";
	return by_schedule ? sched : sender;
}

int
gen_ifinfo(const char *ifname, int *ifindex, uint8_t mac[6], uint32_t *ip,
	   char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, rc = -1;

	if (strlen(ifname) >= IFNAMSIZ) {
		snprintf(err, errlen, "interface name too long: %s", ifname);
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		snprintf(err, errlen, "no interface %s: %s", ifname,
			 strerror(errno));
		goto out;
	}
	*ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP)) {
		snprintf(err, errlen, "interface %s is down", ifname);
		goto out;
	}
	if (mac != NULL) {
		if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
			snprintf(err, errlen, "%s: no hardware address: %s",
				 ifname, strerror(errno));
			goto out;
		}
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	}
	if (ip != NULL) {
		*ip = 0;
		ifr.ifr_addr.sa_family = AF_INET;
		if (ioctl(fd, SIOCGIFADDR, &ifr) == 0)
			*ip = ((struct sockaddr_in *)&ifr.ifr_addr)
				  ->sin_addr.s_addr;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

int
gen_default_gw(const char *ifname, uint32_t *gw)
{
	char line[256], dev[IFNAMSIZ + 1];
	unsigned dst, via, flags, mask;
	FILE *fp;
	int rc = -1;

	fp = fopen("/proc/net/route", "re");
	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%16s %x %x %x %*d %*d %*d %x", dev, &dst,
			   &via, &flags, &mask) != 5)
			continue;
		if (strcmp(dev, ifname) == 0 && dst == 0 && mask == 0 &&
		    (flags & RTF_GATEWAY)) {
			*gw = via;
			rc = 0;
			break;
		}
	}
	fclose(fp);
	return rc;
}

static int
neigh_lookup(const char *ifname, uint32_t ip, uint8_t mac[6])
{
	char line[256], ipstr[64], macstr[64], dev[64];
	unsigned flags, m[6];
	struct in_addr a;
	FILE *fp;
	int rc = -1, i;

	fp = fopen("/proc/net/arp", "re");
	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%63s %*x %x %63s %*s %63s", ipstr, &flags,
			   macstr, dev) != 4)
			continue;
		if (!(flags & ATF_COM) || strcmp(dev, ifname) != 0 ||
		    inet_pton(AF_INET, ipstr, &a) != 1 || a.s_addr != ip)
			continue;
		if (sscanf(macstr, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2],
			   &m[3], &m[4], &m[5]) != 6)
			continue;
		for (i = 0; i < 6; i++)
			mac[i] = (uint8_t)m[i];
		rc = 0;
		break;
	}
	fclose(fp);
	return rc;
}

static int
arp_probe(int ifindex, const uint8_t src_mac[6], uint32_t src_ip,
	  uint32_t target, unsigned timeout_ms, uint8_t mac[6])
{
	struct sockaddr_ll sll;
	uint8_t req[28], rep[64];
	uint64_t end = gen_now_ns() + (uint64_t)timeout_ms * 1000000ull;
	int fd, tries = 0, rc = -1;

	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    htons(ETH_P_ARP));
	if (fd < 0)
		return -1;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ARP);
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto out;
	put16(req, ARPHRD_ETHER);
	put16(req + 2, ETH_P_IP);
	req[4] = 6;
	req[5] = 4;
	put16(req + 6, ARPOP_REQUEST);
	memcpy(req + 8, src_mac, 6);
	memcpy(req + 14, &src_ip, 4);
	memset(req + 18, 0, 6);
	memcpy(req + 24, &target, 4);
	sll.sll_halen = 6;
	memset(sll.sll_addr, 0xff, 6);
	while (gen_now_ns() < end) {
		uint64_t try_end;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};

		if (tries++ < 3)
			(void)sendto(fd, req, sizeof(req), 0,
				     (struct sockaddr *)&sll, sizeof(sll));
		try_end = gen_now_ns() + (uint64_t)timeout_ms * 1000000ull / 3;
		while (gen_now_ns() < try_end) {
			ssize_t n;
			int left =
			    (int)((try_end - gen_now_ns()) / 1000000) + 1;

			if (poll(&pfd, 1, left) <= 0)
				continue;
			n = recv(fd, rep, sizeof(rep), 0);
			if (n < 28 || get16(rep + 6) != ARPOP_REPLY ||
			    memcmp(rep + 14, &target, 4) != 0)
				continue;
			memcpy(mac, rep + 8, 6);
			rc = 0;
			goto out;
		}
	}
	errno = ETIMEDOUT;
out:
	close(fd);
	return rc;
}

int
gen_resolve_mac(const char *ifname, int ifindex, const uint8_t src_mac[6],
		uint32_t src_ip, uint32_t target, unsigned timeout_ms,
		uint8_t mac[6], char *err, size_t errlen)
{
	char a[INET_ADDRSTRLEN];

	if (neigh_lookup(ifname, target, mac) == 0)
		return 0;
	if (arp_probe(ifindex, src_mac, src_ip, target, timeout_ms, mac) == 0)
		return 0;
	inet_ntop(AF_INET, &target, a, sizeof(a));
	snprintf(err, errlen,
		 "cannot resolve the MAC address of %s on %s (no ARP reply "
		 "in %u ms; give --dst-mac)",
		 a, ifname, timeout_ms);
	return -1;
}
