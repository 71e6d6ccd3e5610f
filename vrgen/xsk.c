/*
 * AF_XDP send path for vrgen (see xsk.h).  The rings are the kernel's
 * single-producer/single-consumer rings: the producer writes entries, then
 * publishes its index with a release store; the consumer reads the index
 * with an acquire load, reads the entries, then publishes its own index.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/if_xdp.h>

#include "xsk.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define XSK_FILL_SIZE 64u /* unused for sending, but bind wants a fill ring */

static inline uint32_t
load_acq(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void
store_rel(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static unsigned
pow2_at_least(unsigned v)
{
	unsigned p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

static int
ring_map(struct xsk_ring *r, int fd, const struct xdp_ring_offset *off,
	 uint32_t size, size_t entry, off_t pgoff)
{
	r->map_len = off->desc + (size_t)size * entry;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_POPULATE, fd, pgoff);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return -1;
	}
	r->prod = (uint32_t *)((uint8_t *)r->map + off->producer);
	r->cons = (uint32_t *)((uint8_t *)r->map + off->consumer);
	r->desc = (uint8_t *)r->map + off->desc;
	r->size = size;
	r->mask = size - 1;
	return 0;
}

static void
ring_unmap(struct xsk_ring *r)
{
	if (r->map != NULL)
		munmap(r->map, r->map_len);
	r->map = NULL;
}

/* Is a seccomp filter installed on this process (systemd's
 * RestrictAddressFamilies= is one)?  1, 0, or -1 when unknown. */
static int
seccomp_filtered(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	int mode = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	fclose(f);
	return mode < 0 ? -1 : mode == 2;
}

/* Does /boot/config-RELEASE say AF_XDP is built?  1, 0, or -1 unknown. */
static int
kernel_has_xsk(void)
{
	struct utsname u;
	char path[128 + sizeof(u.release)], line[128];
	FILE *f;
	int has = 0;

	if (uname(&u) < 0)
		return -1;
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strcmp(line, "CONFIG_XDP_SOCKETS=y\n") == 0)
			has = 1;
	fclose(f);
	return has;
}

/* Why socket(AF_XDP) failed with errno e, as " (...)" or "".  EAFNOSUPPORT
 * has two causes that look alike: a kernel without CONFIG_XDP_SOCKETS, and
 * a sandbox that filters the family (systemd's RestrictAddressFamilies=
 * answers EAFNOSUPPORT from a seccomp filter). */
static const char *
xsk_socket_hint(int e)
{
	if (e == EPERM || e == EACCES)
		return " (AF_XDP needs CAP_NET_RAW: run as root, and keep "
		       "CAP_NET_RAW in a unit's CapabilityBoundingSet=)";
	if (e != EAFNOSUPPORT)
		return "";
	if (seccomp_filtered() == 1 && kernel_has_xsk() != 0)
		return " (a seccomp filter on this process refuses the "
		       "address family: add AF_XDP to the systemd unit's "
		       "RestrictAddressFamilies=, or use --tx packet)";
	if (kernel_has_xsk() == 0)
		return " (this kernel has no CONFIG_XDP_SOCKETS: use "
		       "--tx packet)";
	return " (either the kernel has no CONFIG_XDP_SOCKETS or a sandbox "
	       "filters the address family, as a systemd unit's "
	       "RestrictAddressFamilies= without AF_XDP does: use --tx "
	       "packet)";
}

/* Why XDP_UMEM_REG failed with errno e, into hint as " (...)" or "".  The
 * kernel charges UMEM pages to the user's locked memory (shared by all its
 * processes) unless the caller has CAP_IPC_LOCK, and answers ENOBUFS when
 * that would pass RLIMIT_MEMLOCK. */
static void
xsk_umem_hint(int e, char *hint, size_t len)
{
	struct rlimit rl;
	char lim[32] = "unknown";

	hint[0] = '\0';
	if (e != ENOBUFS && e != ENOMEM && e != EPERM)
		return;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0) {
		if (rl.rlim_cur == RLIM_INFINITY)
			snprintf(lim, sizeof(lim), "unlimited");
		else
			snprintf(lim, sizeof(lim), "%llu KiB",
				 (unsigned long long)rl.rlim_cur >> 10);
	}
	snprintf(hint, len,
		 " (locked memory: RLIMIT_MEMLOCK is %s, counted per user, "
		 "and without CAP_IPC_LOCK the UMEM must fit: raise it with "
		 "ulimit -l / prlimit --memlock, or LimitMEMLOCK= in a "
		 "systemd unit)",
		 lim);
}

int
xsk_open(struct xsk *x, int ifindex, const char *where, unsigned max_burst,
	 char *err, size_t errlen)
{
	struct xdp_umem_reg mr;
	struct xdp_mmap_offsets off;
	struct xdp_options opt;
	struct sockaddr_xdp sxdp;
	socklen_t optlen;
	uint32_t fill = XSK_FILL_SIZE;
	unsigned i;
	int e;

	memset(x, 0, sizeof(*x));
	/* room for a device queue's worth of frames in flight: copy mode
	 * completes a frame only when its skb is freed on the far side */
	x->nframes = pow2_at_least(max_burst * 4 > 4096 ? max_burst * 4 : 4096);
	x->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (x->fd < 0) {
		e = errno;
		snprintf(err, errlen, "cannot open an AF_XDP socket: %s%s",
			 strerror(e), xsk_socket_hint(e));
		return -1;
	}
	x->umem_len = (size_t)x->nframes * XSK_FRAME_SIZE;
	x->umem = mmap(NULL, x->umem_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (x->umem == MAP_FAILED) {
		x->umem = NULL;
		snprintf(err, errlen, "cannot map %zu bytes of UMEM: %s",
			 x->umem_len, strerror(errno));
		goto fail;
	}
	x->free = calloc(x->nframes, sizeof(*x->free));
	if (x->free == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (i = 0; i < x->nframes; i++)
		x->free[i] = (uint64_t)(x->nframes - 1 - i) * XSK_FRAME_SIZE;
	x->nfree = x->nframes;

	memset(&mr, 0, sizeof(mr));
	mr.addr = (uintptr_t)x->umem;
	mr.len = x->umem_len;
	mr.chunk_size = XSK_FRAME_SIZE;
	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr)) < 0) {
		char hint[200];

		e = errno;
		xsk_umem_hint(e, hint, sizeof(hint));
		snprintf(err, errlen, "cannot register %zu KiB of UMEM: %s%s",
			 x->umem_len >> 10, strerror(e), hint);
		goto fail;
	}
	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_FILL_RING, &fill,
		       sizeof(fill)) < 0 ||
	    setsockopt(x->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &x->nframes,
		       sizeof(x->nframes)) < 0 ||
	    setsockopt(x->fd, SOL_XDP, XDP_TX_RING, &x->nframes,
		       sizeof(x->nframes)) < 0) {
		snprintf(err, errlen, "cannot size the AF_XDP rings: %s",
			 strerror(errno));
		goto fail;
	}
	optlen = sizeof(off);
	if (getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen) < 0 ||
	    ring_map(&x->tx, x->fd, &off.tx, x->nframes,
		     sizeof(struct xdp_desc), XDP_PGOFF_TX_RING) < 0 ||
	    ring_map(&x->cq, x->fd, &off.cr, x->nframes, sizeof(uint64_t),
		     (off_t)XDP_UMEM_PGOFF_COMPLETION_RING) < 0 ||
	    ring_map(&x->fq, x->fd, &off.fr, fill, sizeof(uint64_t),
		     (off_t)XDP_UMEM_PGOFF_FILL_RING) < 0) {
		snprintf(err, errlen, "cannot map the AF_XDP rings: %s",
			 strerror(errno));
		goto fail;
	}
	x->tx.cached_prod = load_acq(x->tx.prod);
	x->cq.cached_cons = load_acq(x->cq.cons);

	memset(&sxdp, 0, sizeof(sxdp));
	sxdp.sxdp_family = AF_XDP;
	sxdp.sxdp_ifindex = (uint32_t)ifindex;
	sxdp.sxdp_queue_id = 0;
	/* a socket closed just before may hold the queue for a moment: its
	 * UMEM is released from a workqueue */
	for (i = 0;; i++) {
		if (bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) == 0)
			break;
		if (errno == EBUSY && i < 100) {
			usleep(10000);
			continue;
		}
		e = errno;
		snprintf(err, errlen,
			 "cannot bind an AF_XDP socket to %s queue 0: %s%s",
			 where, strerror(e),
			 e == EBUSY	 ? " (another XDP socket holds it)"
			 : e == ENETDOWN ? " (bring the interface up)"
					 : " (use --tx packet)");
		goto fail;
	}
	optlen = sizeof(opt);
	if (getsockopt(x->fd, SOL_XDP, XDP_OPTIONS, &opt, &optlen) == 0)
		x->zerocopy = !!(opt.flags & XDP_OPTIONS_ZEROCOPY);
	return 0;
fail:
	xsk_close(x);
	return -1;
}

void
xsk_close(struct xsk *x)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	ring_unmap(&x->tx);
	ring_unmap(&x->cq);
	ring_unmap(&x->fq);
	if (x->umem != NULL)
		munmap(x->umem, x->umem_len);
	x->umem = NULL;
	free(x->free);
	x->free = NULL;
	x->nfree = 0;
}

/* Move completed chunks back to the free stack. */
static void
reap(struct xsk *x)
{
	uint32_t prod = load_acq(x->cq.prod), c = x->cq.cached_cons;
	const uint64_t *ring = x->cq.desc;

	if (prod == c)
		return;
	for (; c != prod; c++)
		x->free[x->nfree++] = ring[c & x->cq.mask];
	x->cq.cached_cons = c;
	store_rel(x->cq.cons, c);
}

unsigned
xsk_reserve(struct xsk *x, unsigned n, struct iovec *iov)
{
	unsigned i;

	if (x->nfree < n)
		reap(x);
	if (n > x->nfree)
		n = x->nfree;
	for (i = 0; i < n; i++)
		iov[i].iov_base = x->umem + x->free[--x->nfree];
	return n;
}

void
xsk_submit(struct xsk *x, const struct iovec *iov, unsigned n)
{
	struct xdp_desc *ring = x->tx.desc;
	uint32_t p = x->tx.cached_prod;
	unsigned i;

	for (i = 0; i < n; i++, p++) {
		struct xdp_desc *d = &ring[p & x->tx.mask];

		d->addr = (uint64_t)((uint8_t *)iov[i].iov_base - x->umem);
		d->len = (uint32_t)iov[i].iov_len;
		d->options = 0;
	}
	x->tx.cached_prod = p;
	store_rel(x->tx.prod, p);
}

unsigned
xsk_pending(const struct xsk *x)
{
	return x->tx.cached_prod - load_acq(x->tx.cons);
}

int
xsk_kick(struct xsk *x, uint64_t *consumed)
{
	uint32_t before = load_acq(x->tx.cons), after;
	ssize_t r;
	int e;

	r = sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
	e = errno;
	x->kicks++;
	after = load_acq(x->tx.cons);
	*consumed += after - before;
	if (r < 0 && e != EAGAIN && e != EBUSY && e != ENOBUFS && e != EINTR) {
		errno = e;
		return -1;
	}
	return after != x->tx.cached_prod;
}

const char *
xsk_mode(const struct xsk *x)
{
	return x->zerocopy ? "zero-copy" : "copy";
}
