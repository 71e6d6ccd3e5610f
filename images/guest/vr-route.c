/*
 * vr-route: add an IPv4 ECMP (multipath) route through rtnetlink, which
 * busybox `ip` cannot do.  Part of the guest image (images/build-guest
 * builds it with `gcc -static -Os`); the guest init calls it for a
 * vr.route= with more than one gateway (docs/contracts.md).
 *
 *   vr-route DST VIA1 [VIA2 ...]     DST "default" or A.B.C.D/N
 *
 * Every nexthop has weight 1; the kernel resolves each gateway's device.
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

#define MAX_NH 64

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

int
main(int argc, char **argv)
{
	struct {
		struct nlmsghdr n;
		struct rtmsg r;
		char buf[4096];
	} req;
	char mp[MAX_NH * (sizeof(struct rtnexthop) + RTA_SPACE(4))];
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	struct in_addr dst = {0};
	int plen = 0, fd, nh = argc - 2;
	size_t mplen = 0;
	char ans[4096];
	ssize_t got;

	if (argc < 3 || nh > MAX_NH) {
		fprintf(stderr,
			"usage: vr-route DST VIA [VIA...] (at most %d)\n",
			MAX_NH);
		return 1;
	}
	if (strcmp(argv[1], "default") != 0) {
		char d[32], *slash;

		snprintf(d, sizeof(d), "%s", argv[1]);
		if ((slash = strchr(d, '/')) == NULL ||
		    (plen = atoi(slash + 1)) < 0 || plen > 32 ||
		    (*slash = '\0', inet_pton(AF_INET, d, &dst) != 1)) {
			fprintf(stderr, "vr-route: bad destination %s\n",
				argv[1]);
			return 1;
		}
	}
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
	for (int i = 0; i < nh; i++) {
		struct rtnexthop *rtnh = (struct rtnexthop *)(mp + mplen);
		struct rtattr *rta = RTNH_DATA(rtnh);
		struct in_addr gw;

		if (inet_pton(AF_INET, argv[i + 2], &gw) != 1) {
			fprintf(stderr, "vr-route: bad gateway %s\n",
				argv[i + 2]);
			return 1;
		}
		memset(rtnh, 0, sizeof(*rtnh));
		rta->rta_type = RTA_GATEWAY;
		rta->rta_len = RTA_LENGTH(4);
		memcpy(RTA_DATA(rta), &gw, 4);
		rtnh->rtnh_len = sizeof(*rtnh) + RTA_SPACE(4);
		mplen += RTNH_ALIGN(rtnh->rtnh_len);
	}
	if (nh == 1) {
		struct in_addr gw;

		inet_pton(AF_INET, argv[2], &gw);
		rta_add(&req.n, sizeof(req), RTA_GATEWAY, &gw, 4);
	} else
		rta_add(&req.n, sizeof(req), RTA_MULTIPATH, mp, (int)mplen);
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
