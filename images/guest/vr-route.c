/*
 * vr-route: add IPv4 routes through rtnetlink where busybox `ip` cannot:
 * an ECMP (multipath) route, or a large synthetic table in batches.  Part
 * of the guest image (images/build-guest builds it with `gcc -static
 * -Os`); the guest init calls it for a vr.route= with more than one
 * gateway and for vr.fib= (docs/contracts.md).
 *
 *   vr-route DST VIA1 [VIA2 ...]       DST "default" or A.B.C.D/N
 *   vr-route --fib N VIA1 [VIA2 ...]   N prefixes (1..1000000): prefix k
 *                                      is 240.0.0.0 + k*256, /24 (the
 *                                      reserved 240.0.0.0/4, carved in
 *                                      /24s: no test address is in it)
 *   vr-route --nexthops DST            prints how many nexthops the main
 *                                      table's route to exactly DST has
 *                                      (0: none), which busybox `ip`
 *                                      does not show for a multipath one
 *
 * Every nexthop has weight 1; the kernel resolves each gateway's device.
 * --fib sends FIB_BATCH requests per write and reads their answers before
 * the next write, so a million routes take seconds, not a million forks.
 * Exit 0 on success; 1 with a message on stderr otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_NH	   64
#define FIB_MAX	   1000000 /* of the 2^20 /24s in 240.0.0.0/4 */
#define FIB_BATCH  512
#define FIB_MSG	   512 /* bytes reserved per request in a batch */
#define FIB_PREFIX 0xf0000000u

static void
rta_add(struct nlmsghdr *n, size_t cap, int type, const void *data, int len)
{
	struct rtattr *rta =
	    (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	if (NLMSG_ALIGN(n->nlmsg_len) + RTA_SPACE(len) > cap) {
		fprintf(stderr, "vr-route: message too long\n");
		exit(1);
	}
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_SPACE(len);
}

/* The nexthop attribute(s) of vias[0..nh-1] into n. 0, or -1. */
static int
via_add(struct nlmsghdr *n, size_t cap, char **vias, int nh)
{
	char mp[MAX_NH * (sizeof(struct rtnexthop) + RTA_SPACE(4))];
	size_t mplen = 0;
	struct in_addr gw;

	for (int i = 0; i < nh; i++) {
		struct rtnexthop *rtnh = (struct rtnexthop *)(mp + mplen);
		struct rtattr *rta = RTNH_DATA(rtnh);

		if (inet_pton(AF_INET, vias[i], &gw) != 1) {
			fprintf(stderr, "vr-route: bad gateway %s\n", vias[i]);
			return -1;
		}
		memset(rtnh, 0, sizeof(*rtnh));
		rta->rta_type = RTA_GATEWAY;
		rta->rta_len = RTA_LENGTH(4);
		memcpy(RTA_DATA(rta), &gw, 4);
		rtnh->rtnh_len = sizeof(*rtnh) + RTA_SPACE(4);
		mplen += RTNH_ALIGN(rtnh->rtnh_len);
	}
	if (nh == 1)
		rta_add(n, cap, RTA_GATEWAY, &gw, 4);
	else
		rta_add(n, cap, RTA_MULTIPATH, mp, (int)mplen);
	return 0;
}

/* Read answers until `want` acks (or errors) have arrived. 0, or -1. */
static int
fib_acks(int fd, int want)
{
	static char ans[1 << 16];
	ssize_t got;

	while (want > 0) {
		if ((got = recv(fd, ans, sizeof(ans), 0)) == -1) {
			if (errno == EINTR)
				continue;
			perror("vr-route: recv");
			return -1;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)ans;
		     NLMSG_OK(h, (size_t)got); h = NLMSG_NEXT(h, got)) {
			struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error != 0) {
				fprintf(stderr,
					"vr-route: --fib route %u: %s\n",
					h->nlmsg_seq, strerror(-e->error));
				return -1;
			}
			want--;
		}
	}
	return 0;
}

/* vr-route --fib N VIA...: N /24s of 240.0.0.0/4, FIB_BATCH per write. */
static int
fib_install(long count, char **vias, int nh)
{
	static char batch[FIB_BATCH * FIB_MSG];
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	int fd, one = 1, rcv = 1 << 20;
	long k = 0;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) ==
	    -1) {
		perror("vr-route: socket");
		return -1;
	}
	/* acks without the request echoed: FIB_BATCH of them fit */
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	while (k < count) {
		size_t off = 0;
		int inbatch = 0;

		for (; k < count && inbatch < FIB_BATCH; k++, inbatch++) {
			struct nlmsghdr *n = (struct nlmsghdr *)(batch + off);
			struct rtmsg *r = NLMSG_DATA(n);
			uint32_t dst = htonl(FIB_PREFIX + ((uint32_t)k << 8));

			memset(n, 0, FIB_MSG);
			n->nlmsg_len = NLMSG_LENGTH(sizeof(*r));
			n->nlmsg_type = RTM_NEWROUTE;
			n->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
					 NLM_F_CREATE | NLM_F_EXCL;
			n->nlmsg_seq = (uint32_t)k;
			r->rtm_family = AF_INET;
			r->rtm_dst_len = 24;
			r->rtm_table = RT_TABLE_MAIN;
			r->rtm_protocol = RTPROT_STATIC;
			r->rtm_scope = RT_SCOPE_UNIVERSE;
			r->rtm_type = RTN_UNICAST;
			rta_add(n, FIB_MSG, RTA_DST, &dst, 4);
			if (via_add(n, FIB_MSG, vias, nh) == -1)
				goto fail;
			off += NLMSG_ALIGN(n->nlmsg_len);
		}
		if (sendto(fd, batch, off, 0, (struct sockaddr *)&sa,
			   sizeof(sa)) != (ssize_t)off) {
			perror("vr-route: send");
			goto fail;
		}
		if (fib_acks(fd, inbatch) == -1)
			goto fail;
	}
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

/* "default" or A.B.C.D/N into *dst, *plen. 0, or -1 with a message. */
static int
dst_parse(const char *arg, struct in_addr *dst, int *plen)
{
	char d[32], *slash;

	dst->s_addr = 0;
	*plen = 0;
	if (strcmp(arg, "default") == 0)
		return 0;
	snprintf(d, sizeof(d), "%s", arg);
	if ((slash = strchr(d, '/')) == NULL || (*plen = atoi(slash + 1)) < 0 ||
	    *plen > 32 || (*slash = '\0', inet_pton(AF_INET, d, dst) != 1)) {
		fprintf(stderr, "vr-route: bad destination %s\n", arg);
		return -1;
	}
	return 0;
}

/* The nexthops of one RTM_NEWROUTE if it is the main table's unicast
 * route to exactly dst/plen, else 0. */
static int
route_nexthops(struct nlmsghdr *h, struct in_addr dst, int plen)
{
	struct rtmsg *r = NLMSG_DATA(h);
	int len = (int)RTM_PAYLOAD(h), nh = 0, table = r->rtm_table;
	uint32_t rdst = 0;

	if (r->rtm_family != AF_INET || r->rtm_dst_len != plen ||
	    r->rtm_type != RTN_UNICAST)
		return 0;
	for (struct rtattr *a = RTM_RTA(r); RTA_OK(a, len);
	     a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_TABLE)
			memcpy(&table, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_DST)
			memcpy(&rdst, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_MULTIPATH) {
			int mlen = (int)RTA_PAYLOAD(a);

			for (struct rtnexthop *n = RTA_DATA(a);
			     mlen >= (int)sizeof(*n) &&
			     n->rtnh_len >= sizeof(*n) && n->rtnh_len <= mlen;
			     mlen -= RTNH_ALIGN(n->rtnh_len), n = RTNH_NEXT(n))
				nh++;
		} else if (a->rta_type == RTA_GATEWAY || a->rta_type == RTA_OIF)
			nh = nh ? nh : 1;
	}
	return table == RT_TABLE_MAIN && rdst == dst.s_addr ? nh : 0;
}

/* vr-route --nexthops DST: one dump of the IPv4 routes. */
static int
nexthops_print(const char *arg)
{
	static char ans[1 << 16];
	struct {
		struct nlmsghdr n;
		struct rtmsg r;
	} req;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	struct in_addr dst;
	int plen, fd, best = 0;
	ssize_t got;

	if (dst_parse(arg, &dst, &plen) == -1)
		return -1;
	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) ==
	    -1) {
		perror("vr-route: socket");
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.n.nlmsg_type = RTM_GETROUTE;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.n.nlmsg_seq = 1;
	req.r.rtm_family = AF_INET;
	if (sendto(fd, &req, req.n.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) == -1) {
		perror("vr-route: send");
		goto fail;
	}
	for (;;) {
		if ((got = recv(fd, ans, sizeof(ans), 0)) == -1) {
			if (errno == EINTR)
				continue;
			perror("vr-route: recv");
			goto fail;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)ans;
		     NLMSG_OK(h, (size_t)got); h = NLMSG_NEXT(h, got)) {
			int nh;

			if (h->nlmsg_type == NLMSG_DONE) {
				close(fd);
				printf("%d\n", best);
				return 0;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				fprintf(stderr,
					"vr-route: route dump failed\n");
				goto fail;
			}
			if (h->nlmsg_type == RTM_NEWROUTE &&
			    (nh = route_nexthops(h, dst, plen)) > best)
				best = nh;
		}
	}
fail:
	close(fd);
	return -1;
}

int
main(int argc, char **argv)
{
	struct {
		struct nlmsghdr n;
		struct rtmsg r;
		char buf[4096];
	} req;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	struct in_addr dst;
	int plen, fd, nh = argc - 2;
	char ans[4096];
	ssize_t got;

	if (argc >= 2 && strcmp(argv[1], "--fib") == 0) {
		char *end;
		long count = argc >= 3 ? strtol(argv[2], &end, 10) : 0;

		if (argc < 4 || argc - 3 > MAX_NH || *end != '\0' ||
		    count < 1 || count > FIB_MAX) {
			fprintf(stderr,
				"usage: vr-route --fib N VIA [VIA...] "
				"(N 1..%d, at most %d VIAs)\n",
				FIB_MAX, MAX_NH);
			return 1;
		}
		return fib_install(count, argv + 3, argc - 3) == -1;
	}
	if (argc == 3 && strcmp(argv[1], "--nexthops") == 0)
		return nexthops_print(argv[2]) == -1;
	if (argc < 3 || nh > MAX_NH) {
		fprintf(stderr,
			"usage: vr-route DST VIA [VIA...] (at most %d)\n",
			MAX_NH);
		return 1;
	}
	if (dst_parse(argv[1], &dst, &plen) == -1)
		return 1;
	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.n.nlmsg_type = RTM_NEWROUTE;
	req.n.nlmsg_flags =
	    NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	req.n.nlmsg_seq = 1;
	req.r.rtm_family = AF_INET;
	req.r.rtm_dst_len = plen;
	req.r.rtm_table = RT_TABLE_MAIN;
	req.r.rtm_protocol = RTPROT_BOOT;
	req.r.rtm_scope = RT_SCOPE_UNIVERSE;
	req.r.rtm_type = RTN_UNICAST;
	if (plen > 0)
		rta_add(&req.n, sizeof(req), RTA_DST, &dst, 4);
	if (via_add(&req.n, sizeof(req), argv + 2, nh) == -1)
		return 1;
	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) ==
	    -1) {
		perror("vr-route: socket");
		return 1;
	}
	if (sendto(fd, &req, req.n.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) == -1) {
		perror("vr-route: send");
		return 1;
	}
	if ((got = recv(fd, ans, sizeof(ans), 0)) <
	    (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		perror("vr-route: recv");
		return 1;
	}
	{
		struct nlmsghdr *h = (struct nlmsghdr *)ans;
		struct nlmsgerr *e = NLMSG_DATA(h);

		if (h->nlmsg_type == NLMSG_ERROR && e->error != 0) {
			fprintf(stderr, "vr-route: %s: %s\n", argv[1],
				strerror(-e->error));
			return 1;
		}
	}
	close(fd);
	return 0;
}
