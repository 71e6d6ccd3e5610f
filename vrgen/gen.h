/*
 * vrgen's generator: Ethernet/IPv4/UDP frames built from per-flow
 * templates, a payload carrying a magic, run id, flow id, sequence number
 * and CLOCK_MONOTONIC send time, pacing by busy-waiting on the monotonic
 * clock, and the send paths: AF_PACKET (PACKET_QDISC_BYPASS + sendmmsg)
 * and AF_XDP.
 *
 * Frame sizes follow RFC 2544: SIZE counts the Ethernet frame including
 * its 4-byte FCS, so a 64-byte frame is 60 bytes handed to the kernel
 * (what the interface byte counters show on veth/tap).
 */
#ifndef VR_BENCH_GEN_H
#define VR_BENCH_GEN_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "benchparam.h"

#define GEN_MIN_FRAME BENCH_FRAME_MIN
#define GEN_MAX_FRAME BENCH_FRAME_MAX
#define GEN_FCS	      4
#define GEN_HDR_LEN   42 /* Ethernet 14 + IPv4 20 + UDP 8 */
#define GEN_PL_LEN    18 /* the vrgen payload header, see below */
#define GEN_MAX_FLOWS BENCH_FLOWS_MAX
#define GEN_MAX_BURST 256
#define GEN_MAX_SIZES 16 /* entries in one size pattern */

/*
 * Payload header, at GEN_HDR_LEN in the frame, all big-endian:
 *   0 u16 magic GEN_MAGIC   2 u16 run id   4 u16 flow id
 *   6 u32 sequence (per flow, from 0)      10 u64 send time (ns, monotonic)
 * The rest of the payload is zero.
 */
#define GEN_MAGIC  0x5652 /* "VR" */
#define GEN_PL_OFF GEN_HDR_LEN

struct gen_payload {
	uint16_t run;
	uint16_t flow;
	uint32_t seq;
	uint64_t ts_ns;
};

/* What the frames look like. Addresses in network byte order. */
struct gen_cfg {
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint32_t src_ip;   /* first source address */
	uint32_t dst_ip;   /* the sink's address */
	unsigned src_ips;  /* flows spread over this many source addresses */
	uint16_t src_port; /* flow f uses src_port + f */
	uint16_t dst_port;
	unsigned flows;	 /* 1..GEN_MAX_FLOWS */
	unsigned nsizes; /* size pattern: frame sizes (with FCS) in order */
	uint16_t sizes[GEN_MAX_SIZES];
	int udp_csum; /* 1: valid UDP checksum per frame; 0: zero */
	uint8_t ttl;
};

/*
 * Parse "64".."1518" or "imix" into cfg->sizes.  IMIX is the "simple IMIX"
 * 7:4:1 of 64/594/1518 bytes (mean 361.8 B), interleaved so that no size
 * comes in a run: 64 594 64 64 594 64 1518 64 594 64 64 594.
 * Returns 0 or -1.
 */
int gen_parse_frame(const char *s, struct gen_cfg *cfg);
/* Mean frame size (with FCS) of the pattern. */
double gen_mean_frame(const struct gen_cfg *cfg);
/* Default config: one flow, 64 B, ports 10000 -> 9, TTL 64. */
void gen_cfg_default(struct gen_cfg *cfg);

/* Templates: the 42 header bytes per (flow, pattern entry). */
struct gen_frames {
	struct gen_cfg gf_cfg;
	uint8_t *gf_hdr;   /* flows * nsizes * GEN_HDR_LEN */
	uint32_t *gf_csum; /* UDP checksum partial sums, same indexing */
};

int gen_frames_init(struct gen_frames *, const struct gen_cfg *);
void gen_frames_free(struct gen_frames *);

/* Packet i of a run: its flow and its pattern entry (see gen.c). */
static inline void
gen_pick(const struct gen_cfg *c, uint64_t i, unsigned *flow, unsigned *szi)
{
	uint64_t round = i / c->flows;

	*flow = (unsigned)(i % c->flows);
	*szi = (unsigned)((round + *flow) % c->nsizes);
}

/* The same sequence without divisions, for the send loop. */
struct gen_cursor {
	unsigned flow, szi, rszi;
	uint64_t round; /* = the sequence number of the current frame */
};

static inline void
gen_cursor_init(struct gen_cursor *k)
{
	k->flow = k->szi = k->rszi = 0;
	k->round = 0;
}

static inline void
gen_cursor_next(const struct gen_cfg *c, struct gen_cursor *k)
{
	if (++k->szi == c->nsizes)
		k->szi = 0;
	if (++k->flow == c->flows) {
		k->flow = 0;
		k->round++;
		if (++k->rszi == c->nsizes)
			k->rszi = 0;
		k->szi = k->rszi;
	}
}

/* Write frame (flow, szi) with payload pl into buf; returns its length
 * (without FCS).  buf holds GEN_MAX_FRAME bytes; bytes after the payload
 * header must already be zero (they are not written). */
size_t gen_write(const struct gen_frames *, unsigned flow, unsigned szi,
		 const struct gen_payload *pl, uint8_t *buf);
/* Decode a received frame (from the Ethernet header).  Returns 0 when it is
 * a vrgen frame (IPv4/UDP, magic), -1 otherwise. */
int gen_parse(const uint8_t *frame, size_t len, struct gen_payload *pl);

/* Internet checksum helpers (exposed for tests). */
uint32_t gen_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t gen_csum_fold(uint32_t sum);

/*
 * Pacing.  Packet k (from 0) is due at t0 + k * 1e9 / rate ns; bursts of
 * n frames go out when their first frame is due.  rate 0 = unpaced.
 */
static inline uint64_t
gen_due_ns(uint64_t t0, uint64_t k, double rate)
{
	if (rate <= 0)
		return t0;
	return t0 + (uint64_t)((double)k * (1e9 / rate) + 0.5);
}

/* The burst actually used: at most max_burst, and small enough that one
 * burst spans at most 100 us of the schedule (so a low rate is smooth);
 * at least 1.  Unpaced (rate 0): max_burst. */
unsigned gen_auto_burst(double rate, unsigned max_burst);
/* Packets in a run of duration_ns at rate (rounded to nearest). */
uint64_t gen_count_for(double rate, uint64_t duration_ns);

/*
 * The transmitter: AF_PACKET (sendmmsg, optionally bypassing the qdisc) or
 * AF_XDP (frames written into UMEM, a TX ring, sendto kicks; see xsk.h).
 */
enum gen_tx_kind { GEN_TX_AUTO, GEN_TX_PACKET, GEN_TX_XDP };

struct xsk;
struct ivl;

struct gen_tx {
	enum gen_tx_kind tx_kind;
	int tx_fd;
	int tx_ifindex;
	unsigned tx_burst;
	uint8_t *tx_slots;    /* AF_PACKET: tx_burst * GEN_MAX_FRAME, zeroed */
	struct iovec *tx_iov; /* the burst's frames (UMEM chunks for XDP) */
	struct mmsghdr *tx_msgs; /* AF_PACKET */
	struct xsk *tx_xsk;	 /* AF_XDP */
	int tx_bypass;		 /* AF_PACKET: PACKET_QDISC_BYPASS set */
	char tx_fallback[256];	 /* auto: why AF_XDP was not used, or "" */
};

/* Open on ifindex in the caller's current network namespace; where names
 * the interface in messages ("vp0 in namespace vr-x-in").  qdisc_bypass
 * applies to AF_PACKET (AF_XDP always bypasses the qdisc).  GEN_TX_AUTO
 * tries AF_XDP, then AF_PACKET, and says why in tx_fallback. */
int gen_tx_open(struct gen_tx *, enum gen_tx_kind, int ifindex,
		const char *where, unsigned max_burst, int qdisc_bypass,
		char *err, size_t errlen);
/* "auto", "packet" or "xdp" to a kind; -1 when none. */
int gen_tx_kind_parse(const char *s);
/* What was opened: "af_packet", "af_packet+qdisc", "af_xdp (copy)",
 * "af_xdp (zero-copy)". */
const char *gen_tx_describe(const struct gen_tx *);
void gen_tx_close(struct gen_tx *);

struct gen_params {
	double rate;	      /* packets/s; 0 = as fast as possible */
	uint64_t count;	      /* packets to send (0: from rate*duration) */
	uint64_t duration_ns; /* bounds an unpaced run, or defines count */
	unsigned burst;	      /* maximum burst; see gen_auto_burst */
	uint16_t run;	      /* written into every frame */
	struct ivl *ivl;      /* per-second sent counts (stats.h), or NULL */
	uint64_t start_ns;    /* monotonic: the schedule starts then (when
				 still ahead; 0: at once) */
};

struct gen_stats {
	uint64_t sent;	      /* accepted by the kernel */
	uint64_t bytes;	      /* frame bytes without FCS */
	uint64_t retries;     /* send calls retried on ENOBUFS/EAGAIN */
	uint64_t calls;	      /* sendmmsg (AF_PACKET) or sendto (XDP) calls */
	uint64_t late_bursts; /* bursts that started > 1 burst interval late */
	uint64_t t_start;     /* monotonic ns: first burst due */
	uint64_t t_end;	      /* monotonic ns: last send call returned */
	uint64_t pause_ns;    /* the longest time between two bursts' sends */
	uint64_t pause_at;    /* monotonic ns: the burst before it */
	uint64_t *per_flow;   /* flows entries, caller-allocated (or NULL) */
};

/*
 * Send one run.  Stops early when *stop becomes non-zero.  Returns 0, or -1
 * with a message in err (a hard error: link down, device gone).
 */
int gen_run(struct gen_tx *, const struct gen_frames *,
	    const struct gen_params *, atomic_int *stop, struct gen_stats *,
	    char *err, size_t errlen);

/*
 * The interval, in seconds, a run's rates (achieved, forwarded) are
 * computed over.  A paced run's packets stand for sent/rate seconds of
 * its schedule (one packet at 1 pps is one second, not the microseconds
 * between the first and the last send call); a sender that fell behind
 * took longer, and then that is the interval.  An unpaced run: its first
 * to last send.  *basis (unless NULL) says which: "schedule" or "sender".
 */
double gen_rate_interval(const struct gen_params *, const struct gen_stats *,
			 const char **basis);

/* Interface facts, in the caller's namespace.  mac/ip may be NULL;
 * ip 0 when the interface has no IPv4 address. */
int gen_ifinfo(const char *ifname, int *ifindex, uint8_t mac[6], uint32_t *ip,
	       char *err, size_t errlen);
/* The IPv4 default gateway through ifname (/proc/net/route), or -1. */
int gen_default_gw(const char *ifname, uint32_t *gw);
/* The next hop's MAC: the neighbour table first, then ARP probes sent on a
 * raw socket (3 tries in timeout_ms).  -1 with a message when unresolved. */
int gen_resolve_mac(const char *ifname, int ifindex, const uint8_t src_mac[6],
		    uint32_t src_ip, uint32_t target, unsigned timeout_ms,
		    uint8_t mac[6], char *err, size_t errlen);

uint64_t gen_now_ns(void);

#endif
