/*
 * vrgen's sink: per-flow accounting of vrgen frames (loss, reordering,
 * duplicates from the per-flow sequence numbers; one-way latency from the
 * send timestamp) and an AF_PACKET TPACKET_V3 receive ring.
 *
 * Accounting is pure (sink_account on a frame and its receive time), so
 * it is tested on synthetic input.  Latency is valid because the sender
 * and the sink read the same CLOCK_MONOTONIC (same host); the receive time
 * is the kernel's timestamp of the frame, converted from CLOCK_REALTIME.
 */
#ifndef VR_BENCH_SINK_H
#define VR_BENCH_SINK_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"
#include "timeline.h"

/* A frame whose sequence number is this far below the highest seen in its
 * flow can no longer be checked for duplication; it counts as late. */
#define SINK_WINDOW 2048

struct sink_flow {
	uint64_t sf_received;  /* distinct frames */
	uint64_t sf_dups;      /* seen before (within the window) */
	uint64_t sf_reordered; /* arrived after a higher sequence number */
	uint64_t sf_late;      /* reordered by more than the window */
	uint64_t sf_next;      /* highest sequence seen + 1 (extended) */
	uint64_t sf_win[SINK_WINDOW / 64];
};

struct sink {
	unsigned s_nflows;
	int s_run; /* accept only this run id; -1: any */
	struct sink_flow *s_flows;
	uint64_t s_bytes;      /* of accepted frames, as received (no FCS) */
	uint64_t s_foreign;    /* not vrgen frames (ARP, ND, ...) */
	uint64_t s_stale;      /* vrgen frames of another run */
	uint64_t s_bad_flow;   /* flow id >= s_nflows */
	uint64_t s_first_ns;   /* receive time of the first accepted frame */
	uint64_t s_last_ns;    /* ... and of the last */
	struct hist s_lat;     /* one-way latency, ns */
	struct ivl *s_ivl;     /* per-second received counts by receive time,
				  or NULL; the caller's, sink_reset keeps it */
	struct timeline *s_tl; /* the stream over time (timeline.h), or NULL;
				  the caller's, sink_reset keeps it */
};

struct sink *sink_new(unsigned nflows);
void sink_free(struct sink *);
/* Forget everything; accept run id run (-1: any). */
void sink_reset(struct sink *, int run);
/* Account one frame (from its Ethernet header), received at rx_ns
 * (CLOCK_MONOTONIC).  Returns 1 when it was accepted, 0 otherwise. */
int sink_account(struct sink *, const uint8_t *frame, size_t caplen, size_t len,
		 uint64_t rx_ns);

struct sink_totals {
	uint64_t received; /* distinct frames */
	uint64_t duplicates;
	uint64_t reordered;
	uint64_t late;
	uint64_t lost; /* sent - received, or gaps when sent unknown */
	uint64_t flows_seen;
};
/* sent: per-flow counts of the sender (s_nflows entries), or NULL: then
 * loss is what the sequence gaps show (tail loss is invisible). */
void sink_totals(const struct sink *, const uint64_t *sent,
		 struct sink_totals *);
uint64_t sink_flow_lost(const struct sink_flow *, uint64_t sent);

/* The receive ring. */
struct sink_rx {
	int rx_fd;
	int rx_ifindex;
	uint8_t *rx_map;
	size_t rx_maplen;
	unsigned rx_block_size;
	unsigned rx_blocks;
	unsigned rx_cur;
	uint64_t rx_ring_drops;	   /* frames the ring had no room for */
	uint64_t rx_last_frame_ns; /* monotonic, when the last accepted frame
				      was processed */
};

/* Open on ifindex in the caller's current network namespace; ring_mib MiB
 * of ring (0: 32). */
int sink_rx_open(struct sink_rx *, int ifindex, const char *where,
		 unsigned ring_mib, char *err, size_t errlen);
void sink_rx_close(struct sink_rx *);
/* Drop whatever is queued and zero the ring's drop counter. */
void sink_rx_flush(struct sink_rx *);
/* Process ready blocks, waiting at most timeout_ms for one.  Returns the
 * number of accepted frames, or -1 with errno. */
int sink_rx_poll(struct sink_rx *, struct sink *, int timeout_ms);
/* Refresh rx_ring_drops from the kernel (PACKET_STATISTICS). */
void sink_rx_stats(struct sink_rx *);

/* When sink_rx_run returns: at stop, at deadline_ns (0: none), or once
 * the sender is done (*tx_done, or the first accepted frame when tx_done
 * is NULL) and no accepted frame came for idle_ms, at the latest
 * max_drain_ms after the sender finished. */
struct sink_until {
	atomic_int *stop;
	atomic_int *tx_done;
	uint64_t deadline_ns;
	unsigned idle_ms;
	unsigned max_drain_ms;
};
int sink_rx_run(struct sink_rx *, struct sink *, const struct sink_until *);

#endif
