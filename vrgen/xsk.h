/*
 * vrgen's AF_XDP send path: one XDP socket with its own UMEM, a TX ring
 * and a completion ring, built on the kernel's UAPI (linux/if_xdp.h)
 * without libbpf or libxdp.  Sending needs no XDP program.
 *
 * Frames are written straight into UMEM chunks; a burst is n descriptors
 * on the TX ring and sendto() kicks until the kernel has consumed them.
 * Zero-copy where the driver has it, copy mode (the generic path, which
 * veth, tap and macvtap use) otherwise; xsk_mode() says which one bound.
 */
#ifndef VR_BENCH_XSK_H
#define VR_BENCH_XSK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct xsk_ring {
	uint32_t *prod, *cons;
	void *desc;
	uint32_t mask, size;
	uint32_t cached_prod, cached_cons; /* our side's index */
	void *map;
	size_t map_len;
};

struct xsk {
	int fd;
	uint8_t *umem;
	size_t umem_len;
	unsigned nframes;
	struct xsk_ring tx, cq, fq;
	uint64_t *free; /* UMEM chunk addresses not in flight */
	unsigned nfree;
	int zerocopy;
	uint64_t kicks; /* sendto calls */
};

#define XSK_FRAME_SIZE 2048u

/* Open an XDP socket on (ifindex, queue 0) in the current namespace with
 * room for at least max_burst frames in flight.  -1 with a message that
 * says what to do. */
int xsk_open(struct xsk *, int ifindex, const char *where, unsigned max_burst,
	     char *err, size_t errlen);
void xsk_close(struct xsk *);

/* Take n free chunks (recycling completions) into iov[].iov_base.
 * Returns how many it got (fewer while the device still holds frames). */
unsigned xsk_reserve(struct xsk *, unsigned n, struct iovec *iov);

/* Put n reserved chunks on the TX ring, iov[i].iov_len bytes each.  Never
 * fails: the ring holds every chunk there is. */
void xsk_submit(struct xsk *, const struct iovec *iov, unsigned n);

/* Kick the kernel to send what is on the TX ring.  *consumed grows by the
 * frames it took.  Returns 0 when the ring is empty, 1 when frames are
 * left (the device or the completion ring is busy: kick again), -1 on a
 * hard error with errno set (device down or gone). */
int xsk_kick(struct xsk *, uint64_t *consumed);

/* Frames on the TX ring the kernel has not taken yet. */
unsigned xsk_pending(const struct xsk *);

/* "zero-copy" or "copy". */
const char *xsk_mode(const struct xsk *);

#endif
