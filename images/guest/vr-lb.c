/*
 * vr-lb: the per-packet load balancer of an MSR load-balancer guest
 * (lb_mode packet, docs/topology.md "msr").  Part of the guest image
 * (images/build-guest builds it with `gcc -static -Os`); the guest init
 * starts it for a vr.lb= argument (docs/contracts.md).
 *
 *   vr-lb INMAC OUTMAC BEMAC [BEMAC...]
 *
 * It reads every frame that reaches the inner interface (INMAC) through an
 * AF_PACKET socket and sends the transit ones out of the outer interface
 * (OUTMAC) with the destination MAC rewritten to a back-end's and the
 * source MAC to OUTMAC, as the original Click balancer did
 * (RoundRobinSwitch + EtherRewrite):
 *
 *   - IPv4 to an address that is not the LB's: round robin over the
 *     back-ends, packet by packet, whatever the flow;
 *   - control traffic always to the first back-end: ICMP, IGMP, OSPF
 *     (protocol 89, also its multicast), BGP (TCP port 179 either way),
 *     and ARP that asks for an address other than the LB's own;
 *   - anything else (the LB's own traffic, IPv6, ...) is left to the LB's
 *     kernel.
 *
 * The kernel sees every frame too: the init turns forwarding off on the
 * inner interface, so the kernel drops transit packets silently
 * (ip_error() sends nothing when the input device does not forward) while
 * still answering ARP and pings for the LB itself.  The return path is
 * the kernel's: back-ends route replies to the LB's outer address and the
 * LB forwards them out of the inner interface.
 *
 * Frames move in batches: one recvmmsg takes up to LB_BATCH frames (it
 * waits for the first only), one sendmmsg sends the transit ones, so the
 * cost is two system calls per batch instead of two per frame; under
 * load the batches fill, at a trickle each is one frame and nothing
 * waits (a TPACKET_V3 ring would hold frames until its block fills or
 * its timer fires).  The frames of a batch go out in the order they came.
 *
 * Both sockets carry the virtio-net header (PACKET_VNET_HDR), so a frame
 * whose checksum is still partial or that GRO merged is sent on with the
 * same offload request and the kernel finishes (or segments) it.
 *
 * Once both sockets are bound it forks; the parent exits 0, so the init
 * prints READY only when the balancer is in place.  Exit 1 with a message
 * on stderr on a set-up error.  SIGUSR1 makes it print its counters.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* recvmmsg, sendmmsg */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_BE	  64
#define FRAME_MAX (65536 + 18) /* GRO: 64 KiB of IP, Ethernet + VLAN */
#define LB_BATCH  32	       /* frames per recvmmsg/sendmmsg */

static uint8_t in_mac[6], out_mac[6], be_mac[MAX_BE][6];
static int nbe;
static uint32_t own_in, own_out; /* the LB's addresses, network order */
static unsigned long long sent[MAX_BE], sent_ctl, sent_err;
static volatile sig_atomic_t want_stats;

static int
parse_mac(const char *s, uint8_t *m)
{
	unsigned v[6];
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &end) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		m[i] = (uint8_t)v[i];
	return 0;
}

/* The index and IPv4 address of the interface with MAC m; -1 if none. */
static int
dev_by_mac(int fd, const uint8_t *m, uint32_t *addr)
{
	struct if_nameindex *ni = if_nameindex(), *p;
	int idx = -1;

	for (p = ni; p != NULL && p->if_index != 0 && idx == -1; p++) {
		struct ifreq ifr;

		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", p->if_name);
		if (ioctl(fd, SIOCGIFHWADDR, &ifr) == -1 ||
		    memcmp(ifr.ifr_hwaddr.sa_data, m, 6) != 0)
			continue;
		idx = (int)p->if_index;
		*addr = 0;
		if (ioctl(fd, SIOCGIFADDR, &ifr) == 0)
			*addr = ((struct sockaddr_in *)&ifr.ifr_addr)
				    ->sin_addr.s_addr;
	}
	if (ni != NULL)
		if_freenameindex(ni);
	return idx;
}

static int
packet_socket(int ifindex, int proto)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(proto),
				  .sll_ifindex = ifindex};
	int fd, one = 1;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(proto));
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) ==
		-1 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Which back-end gets an IPv4 packet (ip at its header, len bytes): the
 * first for control traffic (*ctl = 1), else the next in turn; -1: not
 * ours. */
static int
classify_ipv4(const uint8_t *ip, size_t len, int multicast, unsigned *rr,
	      int *ctl)
{
	uint32_t dst;
	size_t hl;

	if (len < 20 || (ip[0] >> 4) != 4 || (hl = (ip[0] & 15u) * 4) < 20)
		return -1;
	memcpy(&dst, ip + 16, 4);
	if (dst == own_in || dst == own_out)
		return -1; /* the LB's own */
	switch (ip[9]) {
	case IPPROTO_ICMP:
	case IPPROTO_IGMP:
	case 89: /* OSPF */
		*ctl = 1;
		return 0;
	case IPPROTO_TCP:
		/* not a first fragment: no ports to look at */
		if ((ip[6] & 0x1f) == 0 && ip[7] == 0 && len >= hl + 4 &&
		    (((ip[hl] << 8 | ip[hl + 1]) == 179) ||
		     ((ip[hl + 2] << 8 | ip[hl + 3]) == 179))) {
			*ctl = 1;
			return 0;
		}
		break;
	}
	if (multicast)
		return -1;
	return (int)((*rr)++ % (unsigned)nbe);
}

/* ARP asking for an address other than the LB's: the first back-end. */
static int
classify_arp(const uint8_t *a, size_t len)
{
	uint32_t tpa;

	if (len < 28)
		return -1;
	memcpy(&tpa, a + 24, 4);
	return tpa == own_in || tpa == own_out ? -1 : 0;
}

static void
on_usr1(int sig)
{
	(void)sig;
	want_stats = 1;
}

static void
print_stats(void)
{
	printf("vr-lb:");
	for (int i = 0; i < nbe; i++)
		printf(" be%d=%llu", i, sent[i]);
	printf(" control=%llu errors=%llu\n", sent_ctl, sent_err);
	fflush(stdout);
}

/* The back-end a received frame goes to (eth at its Ethernet header, len
 * bytes, pkttype as the packet socket saw it), with *ctl = 1 for control
 * traffic; -1: the kernel's. */
static int
lb_pick(const uint8_t *eth, size_t len, int pkttype, unsigned *rr, int *ctl)
{
	uint16_t type;

	*ctl = 0;
	if (len < ETH_HLEN || pkttype == PACKET_OUTGOING)
		return -1;
	type = (uint16_t)(eth[12] << 8 | eth[13]);
	if (type == ETH_P_IP &&
	    (pkttype == PACKET_HOST || pkttype == PACKET_MULTICAST))
		return classify_ipv4(eth + ETH_HLEN, len - ETH_HLEN,
				     pkttype == PACKET_MULTICAST, rr, ctl);
	if (type == ETH_P_ARP) {
		*ctl = 1;
		return classify_arp(eth + ETH_HLEN, len - ETH_HLEN);
	}
	return -1;
}

/* One batch: rx[0..n) as recvmmsg filled them (their iovecs hold the
 * virtio-net header, then the frame; from[i] the sender's address).  The
 * frames to forward get their MACs rewritten in place and their iovec
 * (trimmed to the length received) in tx[], in the order they came, with
 * their back-end in be[] and their control flag in ctl[]; returns how
 * many.  A cut frame counts as an error: forwarding it corrupts. */
static int
lb_batch(struct mmsghdr *rx, const struct sockaddr_ll *from, int n,
	 struct iovec *tx, int *be, int *ctl, unsigned *rr)
{
	const size_t vh = sizeof(struct virtio_net_hdr);
	int ntx = 0;

	for (int i = 0; i < n; i++) {
		uint8_t *buf = rx[i].msg_hdr.msg_iov[0].iov_base;
		size_t len = rx[i].msg_len;
		int b, c;

		if (rx[i].msg_hdr.msg_flags & MSG_TRUNC) {
			sent_err++;
			continue;
		}
		if (len < vh || (b = lb_pick(buf + vh, len - vh,
					     from[i].sll_pkttype, rr, &c)) < 0)
			continue;
		memcpy(buf + vh, be_mac[b], 6);
		memcpy(buf + vh + 6, out_mac, 6);
		tx[ntx].iov_base = buf;
		tx[ntx].iov_len = len;
		be[ntx] = b;
		ctl[ntx] = c;
		ntx++;
	}
	return ntx;
}

/* Receive up to LB_BATCH frames with one recvmmsg (waiting for the first
 * only), send the transit ones with one sendmmsg: two system calls per
 * batch, not two per frame. */
static void
forward(int rx, int tx)
{
	static uint8_t buf[LB_BATCH][sizeof(struct virtio_net_hdr) + FRAME_MAX];
	static struct sockaddr_ll from[LB_BATCH];
	static struct iovec riov[LB_BATCH], tiov[LB_BATCH];
	static struct mmsghdr rmsg[LB_BATCH], tmsg[LB_BATCH];
	int be[LB_BATCH], ctl[LB_BATCH];
	unsigned rr = 0;

	for (int i = 0; i < LB_BATCH; i++)
		tmsg[i].msg_hdr.msg_iovlen = 1;
	for (;;) {
		int n, ntx, done;

		if (want_stats) {
			want_stats = 0;
			print_stats();
		}
		for (int i = 0; i < LB_BATCH; i++) {
			riov[i].iov_base = buf[i];
			riov[i].iov_len = sizeof(buf[i]);
			rmsg[i].msg_hdr =
			    (struct msghdr){.msg_name = &from[i],
					    .msg_namelen = sizeof(from[i]),
					    .msg_iov = &riov[i],
					    .msg_iovlen = 1};
		}
		n = recvmmsg(rx, rmsg, LB_BATCH, MSG_WAITFORONE, NULL);
		if (n == -1) {
			if (errno != EINTR) {
				sent_err++;
				usleep(1000); /* a lasting error: no spin */
			}
			continue;
		}
		ntx = lb_batch(rmsg, from, n, tiov, be, ctl, &rr);
		for (int i = 0; i < ntx; i++)
			tmsg[i].msg_hdr.msg_iov = &tiov[i];
		/* sendmmsg stops at the first frame it cannot send: count
		 * that one as an error and go on with the next */
		for (done = 0; done < ntx;) {
			int k = sendmmsg(tx, tmsg + done,
					 (unsigned)(ntx - done), 0);

			if (k == -1 && errno == EINTR)
				continue;
			if (k <= 0) {
				sent_err++;
				k = 1;
			} else
				for (int i = done; i < done + k; i++) {
					sent[be[i]]++;
					sent_ctl += (unsigned long long)ctl[i];
				}
			done += k;
		}
	}
}

int
main(int argc, char **argv)
{
	int fd, rx, tx, in_idx, out_idx;
	pid_t pid;

	nbe = argc - 3;
	if (argc < 4 || nbe > MAX_BE) {
		fprintf(stderr,
			"usage: vr-lb INMAC OUTMAC BEMAC [BEMAC...] (at most "
			"%d back-ends)\n",
			MAX_BE);
		return 1;
	}
	if (parse_mac(argv[1], in_mac) == -1 ||
	    parse_mac(argv[2], out_mac) == -1) {
		fprintf(stderr, "vr-lb: bad MAC %s or %s\n", argv[1], argv[2]);
		return 1;
	}
	for (int i = 0; i < nbe; i++)
		if (parse_mac(argv[3 + i], be_mac[i]) == -1) {
			fprintf(stderr, "vr-lb: bad MAC %s\n", argv[3 + i]);
			return 1;
		}
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		perror("vr-lb: socket");
		return 1;
	}
	in_idx = dev_by_mac(fd, in_mac, &own_in);
	out_idx = dev_by_mac(fd, out_mac, &own_out);
	close(fd);
	if (in_idx == -1 || out_idx == -1) {
		fprintf(stderr, "vr-lb: no interface with MAC %s\n",
			in_idx == -1 ? argv[1] : argv[2]);
		return 1;
	}
	if ((rx = packet_socket(in_idx, ETH_P_ALL)) == -1 ||
	    (tx = packet_socket(out_idx, 0)) == -1) {
		perror("vr-lb: packet socket");
		return 1;
	}
	/* without SA_RESTART: the signal ends a waiting recvfrom, so the
	 * counters print even when no frame comes */
	{
		struct sigaction sa = {.sa_handler = on_usr1};

		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
	}
	if ((pid = fork()) == -1) {
		perror("vr-lb: fork");
		return 1;
	}
	if (pid > 0) {
		printf("vr-lb: pid %d, %d back-ends\n", (int)pid, nbe);
		return 0;
	}
	setsid();
	forward(rx, tx);
	return 0;
}
