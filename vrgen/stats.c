/* Latency histogram, interface counters over rtnetlink, softnet drops. */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "stats.h"

void
hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->h_min = UINT64_MAX;
}

unsigned
hist_index(uint64_t v)
{
	unsigned msb, shift;

	if (v < HIST_LINEAR)
		return (unsigned)v;
	msb = 63u - (unsigned)__builtin_clzll(v);
	shift = msb - HIST_SUB_BITS;
	return HIST_LINEAR + (msb - HIST_SUB_BITS - 1u) * HIST_SUB +
	       (unsigned)((v >> shift) - HIST_SUB);
}

void
hist_range(unsigned idx, uint64_t *lo, uint64_t *hi)
{
	unsigned band, shift;
	uint64_t sub;

	if (idx < HIST_LINEAR) {
		*lo = *hi = idx;
		return;
	}
	band = (idx - HIST_LINEAR) / HIST_SUB;
	sub = (idx - HIST_LINEAR) % HIST_SUB + HIST_SUB;
	shift = band + 1;
	*lo = sub << shift;
	*hi = ((sub + 1) << shift) - 1;
}

void
hist_add(struct hist *h, uint64_t v)
{
	h->h_bucket[hist_index(v)]++;
	h->h_count++;
	h->h_sum += v;
	if (v < h->h_min)
		h->h_min = v;
	if (v > h->h_max)
		h->h_max = v;
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned i;

	if (src->h_count == 0)
		return;
	for (i = 0; i < HIST_BUCKETS; i++)
		dst->h_bucket[i] += src->h_bucket[i];
	dst->h_count += src->h_count;
	dst->h_sum += src->h_sum;
	if (src->h_min < dst->h_min)
		dst->h_min = src->h_min;
	if (src->h_max > dst->h_max)
		dst->h_max = src->h_max;
}

uint64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0, lo, hi, v;
	unsigned i;

	if (h->h_count == 0)
		return 0;
	if (q <= 0)
		return h->h_min;
	if (q >= 1)
		return h->h_max;
	rank = (uint64_t)(q * (double)h->h_count);
	if ((double)rank < q * (double)h->h_count)
		rank++;
	if (rank == 0)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->h_bucket[i];
		if (seen >= rank)
			break;
	}
	if (i == HIST_BUCKETS)
		return h->h_max;
	hist_range(i, &lo, &hi);
	v = lo + (hi - lo) / 2;
	if (v < h->h_min)
		v = h->h_min;
	if (v > h->h_max)
		v = h->h_max;
	return v;
}

double
hist_mean(const struct hist *h)
{
	return h->h_count ? (double)(h->h_sum / h->h_count) : 0.0;
}

unsigned
hist_nonempty(const struct hist *h, struct hist_bucket *out, unsigned max)
{
	unsigned i, n = 0;

	for (i = 0; i < HIST_BUCKETS; i++) {
		if (h->h_bucket[i] == 0)
			continue;
		if (n < max) {
			hist_range(i, &out[n].lo, &out[n].hi);
			out[n].count = h->h_bucket[i];
		}
		n++;
	}
	return n;
}

void
ivl_start(struct ivl *v, uint64_t origin_ns)
{
	memset(v->iv_count, 0, (size_t)v->iv_max * sizeof(*v->iv_count));
	v->iv_origin_ns = origin_ns;
	v->iv_next_ns = origin_ns + IVL_NS;
	v->iv_cur = 0;
}

void
ivl_advance(struct ivl *v, uint64_t now_ns)
{
	uint64_t i = (now_ns - v->iv_origin_ns) / IVL_NS;

	if (i >= v->iv_max) {
		/* the last slot takes the rest: never look again */
		v->iv_cur = v->iv_max - 1;
		v->iv_next_ns = UINT64_MAX;
		return;
	}
	v->iv_cur = (unsigned)i;
	v->iv_next_ns = v->iv_origin_ns + (i + 1) * IVL_NS;
}

void
ivl_stability(const double *pps, unsigned n, struct ivl_stability *s)
{
	double sum = 0, sq = 0, mean;
	unsigned i;

	memset(s, 0, sizeof(*s));
	if (n == 0)
		return;
	s->min = s->max = pps[0];
	for (i = 0; i < n; i++) {
		sum += pps[i];
		if (pps[i] < s->min)
			s->min = pps[i];
		if (pps[i] > s->max)
			s->max = pps[i];
	}
	mean = sum / n;
	if (n < 2 || mean <= 0)
		return;
	for (i = 0; i < n; i++)
		sq += (pps[i] - mean) * (pps[i] - mean);
	s->cv = sqrt(sq / (n - 1)) / mean;
}

int
ifstats_open(void)
{
	struct sockaddr_nl sa;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
ifstats_read(int fd, int ifindex, struct ifcounters *out)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req;
	static __thread unsigned seq;
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct rtnl_link_stats64 st;
	struct nlmsghdr *nh;
	ssize_t n;
	int found = 0;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = ++seq;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = ifindex;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		return -1;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (unsigned)n);
		     nh = NLMSG_NEXT(nh, n)) {
			struct ifinfomsg *ifi;
			struct rtattr *rta;
			int len;

			if (nh->nlmsg_seq != seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);
				errno = e->error ? -e->error : EIO;
				return -1;
			}
			if (nh->nlmsg_type != RTM_NEWLINK)
				continue;
			ifi = NLMSG_DATA(nh);
			len = (int)IFLA_PAYLOAD(nh);
			for (rta = IFLA_RTA(ifi); RTA_OK(rta, len);
			     rta = RTA_NEXT(rta, len)) {
				if (rta->rta_type != IFLA_STATS64)
					continue;
				if (RTA_PAYLOAD(rta) < sizeof(st))
					break;
				memcpy(&st, RTA_DATA(rta), sizeof(st));
				out->rx_packets = st.rx_packets;
				out->tx_packets = st.tx_packets;
				out->rx_bytes = st.rx_bytes;
				out->tx_bytes = st.tx_bytes;
				out->rx_dropped = st.rx_dropped;
				out->tx_dropped = st.tx_dropped;
				out->rx_errors = st.rx_errors;
				out->tx_errors = st.tx_errors;
				found = 1;
			}
			if (!found) {
				errno = ENODATA;
				return -1;
			}
			return 0;
		}
	}
}

void
ifcounters_delta(const struct ifcounters *a, const struct ifcounters *b,
		 struct ifcounters *d)
{
	d->rx_packets = a->rx_packets - b->rx_packets;
	d->tx_packets = a->tx_packets - b->tx_packets;
	d->rx_bytes = a->rx_bytes - b->rx_bytes;
	d->tx_bytes = a->tx_bytes - b->tx_bytes;
	d->rx_dropped = a->rx_dropped - b->rx_dropped;
	d->tx_dropped = a->tx_dropped - b->tx_dropped;
	d->rx_errors = a->rx_errors - b->rx_errors;
	d->tx_errors = a->tx_errors - b->tx_errors;
}

int
softnet_parse(const char *text, struct softnet *out)
{
	const char *p = text;
	int lines = 0;

	memset(out, 0, sizeof(*out));
	while (*p != '\0') {
		unsigned long long col[3];
		char *end;
		int i;

		for (i = 0; i < 3; i++) {
			col[i] = strtoull(p, &end, 16);
			if (end == p)
				return -1;
			p = end;
		}
		out->processed += col[0];
		out->dropped += col[1];
		out->squeezed += col[2];
		lines++;
		while (*p != '\0' && *p != '\n')
			p++;
		if (*p == '\n')
			p++;
	}
	return lines > 0 ? 0 : -1;
}

int
softnet_read(struct softnet *out)
{
	char buf[65536];
	ssize_t n;
	size_t len = 0;
	int fd;

	fd = open("/proc/net/softnet_stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	if (softnet_parse(buf, out) < 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}
