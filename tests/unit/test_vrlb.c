/*
 * Unit test of the guest's per-packet balancer (images/guest/vr-lb.c), on
 * the host: its source is included here with main renamed, as the guest
 * image's multicall build does, and its choice and batch steps run on
 * synthetic frames (no sockets, no root).  What a frame gets: transit
 * IPv4 round robin over the back-ends, control traffic (ICMP, OSPF, BGP,
 * ARP for another address) the first back-end without taking a turn, the
 * LB's own traffic and what it did not receive for itself the kernel's;
 * a batch keeps the frames' order, rewrites their MACs in place and
 * counts a cut frame as an error.
 */
#define main vr_lb_main
int vr_lb_main(int argc, char **argv);
#include "../../images/guest/vr-lb.c"
#undef main

#include "t.h"

#define VH sizeof(struct virtio_net_hdr)

static uint32_t
ip4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

/* An Ethernet frame at f: IPv4 (proto, to dst, ports sport/dport, frag
 * the fragment offset field) or, for type ETH_P_ARP, a request for dst.
 * Returns its length. */
static size_t
frame(uint8_t *f, uint16_t type, int proto, const char *dst, int sport,
      int dport, int frag)
{
	uint32_t d = ip4(dst);

	memset(f, 0, 128);
	memset(f, 0xee, 12);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	if (type == ETH_P_ARP) {
		memcpy(f + ETH_HLEN + 24, &d, 4);
		return ETH_HLEN + 28;
	}
	if (type != ETH_P_IP)
		return 60;
	f[14] = 0x45;
	f[14 + 6] = (uint8_t)(frag >> 8);
	f[14 + 7] = (uint8_t)frag;
	f[14 + 9] = (uint8_t)proto;
	memcpy(f + 14 + 16, &d, 4);
	f[34] = (uint8_t)(sport >> 8);
	f[35] = (uint8_t)sport;
	f[36] = (uint8_t)(dport >> 8);
	f[37] = (uint8_t)dport;
	return 60;
}

static int
pick(uint16_t type, int proto, const char *dst, int sport, int dport, int frag,
     int pkttype, unsigned *rr, int *ctl)
{
	uint8_t f[128];
	size_t len = frame(f, type, proto, dst, sport, dport, frag);

	return lb_pick(f, len, pkttype, rr, ctl);
}

static void
test_pick(void)
{
	unsigned rr = 0;
	int ctl = -1;

	/* one UDP flow: every back-end in turn */
	for (int i = 0; i < 7; i++) {
		CHECK_INT(pick(ETH_P_IP, IPPROTO_UDP, "198.18.9.9", 1000, 2000,
			       0, PACKET_HOST, &rr, &ctl),
			  i % 3);
		CHECK_INT(ctl, 0);
	}
	/* rr is now 7: the next transit packet goes to back-end 1 */
	CHECK_INT(pick(ETH_P_IP, IPPROTO_ICMP, "198.18.9.9", 0, 0, 0,
		       PACKET_HOST, &rr, &ctl),
		  0);
	CHECK_INT(ctl, 1);
	CHECK_INT(pick(ETH_P_IP, 89, "224.0.0.5", 0, 0, 0, PACKET_MULTICAST,
		       &rr, &ctl),
		  0);
	CHECK_INT(ctl, 1);
	CHECK_INT(pick(ETH_P_IP, IPPROTO_TCP, "198.18.9.9", 40000, 179, 0,
		       PACKET_HOST, &rr, &ctl),
		  0);
	CHECK_INT(ctl, 1);
	CHECK_INT(pick(ETH_P_IP, IPPROTO_TCP, "198.18.9.9", 179, 40000, 0,
		       PACKET_HOST, &rr, &ctl),
		  0);
	CHECK_INT(ctl, 1);
	CHECK_INT(pick(ETH_P_ARP, 0, "198.18.9.9", 0, 0, 0, PACKET_BROADCAST,
		       &rr, &ctl),
		  0);
	CHECK_INT(ctl, 1);
	CHECK_INT(rr, 7); /* control traffic took no turn */
	/* a later fragment has no ports: "179" there is payload */
	CHECK_INT(pick(ETH_P_IP, IPPROTO_TCP, "198.18.9.9", 179, 179, 8,
		       PACKET_HOST, &rr, &ctl),
		  1);
	CHECK_INT(ctl, 0);
	/* the kernel's: the LB's own addresses, ARP for them, multicast
	 * that is not control, IPv6, frames not received for this host,
	 * frames the LB sent, runts */
	CHECK_INT(pick(ETH_P_IP, IPPROTO_UDP, "198.18.0.1", 1, 2, 0,
		       PACKET_HOST, &rr, &ctl),
		  -1);
	CHECK_INT(pick(ETH_P_IP, IPPROTO_ICMP, "198.18.1.1", 0, 0, 0,
		       PACKET_HOST, &rr, &ctl),
		  -1);
	CHECK_INT(pick(ETH_P_ARP, 0, "198.18.0.1", 0, 0, 0, PACKET_BROADCAST,
		       &rr, &ctl),
		  -1);
	CHECK_INT(pick(ETH_P_IP, IPPROTO_UDP, "239.1.1.1", 1, 2, 0,
		       PACKET_MULTICAST, &rr, &ctl),
		  -1);
	CHECK_INT(
	    pick(ETH_P_IPV6, 0, "198.18.9.9", 0, 0, 0, PACKET_HOST, &rr, &ctl),
	    -1);
	CHECK_INT(pick(ETH_P_IP, IPPROTO_UDP, "198.18.9.9", 1, 2, 0,
		       PACKET_OTHERHOST, &rr, &ctl),
		  -1);
	CHECK_INT(pick(ETH_P_IP, IPPROTO_UDP, "198.18.9.9", 1, 2, 0,
		       PACKET_OUTGOING, &rr, &ctl),
		  -1);
	{
		uint8_t f[128];

		frame(f, ETH_P_IP, IPPROTO_UDP, "198.18.9.9", 1, 2, 0);
		CHECK_INT(lb_pick(f, ETH_HLEN + 19, PACKET_HOST, &rr, &ctl),
			  -1);
		CHECK_INT(lb_pick(f, ETH_HLEN - 1, PACKET_HOST, &rr, &ctl), -1);
	}
	CHECK_INT(rr, 8);
}

/* A batch as recvmmsg returns it: UDP, a frame the LB sent, a cut frame,
 * ICMP, UDP, a runt shorter than the virtio-net header. */
static void
test_batch(void)
{
	static uint8_t buf[6][VH + 128];
	struct iovec riov[6], tx[6];
	struct mmsghdr rx[6];
	struct sockaddr_ll from[6];
	int be[6], ctl[6],
	    types[6] = {PACKET_HOST, PACKET_OUTGOING, PACKET_HOST,
			PACKET_HOST, PACKET_HOST,     PACKET_HOST};
	int protos[6] = {IPPROTO_UDP,  IPPROTO_UDP, IPPROTO_UDP,
			 IPPROTO_ICMP, IPPROTO_UDP, IPPROTO_UDP};
	unsigned rr = 4;
	unsigned long long err0 = sent_err;
	int n;

	memset(rx, 0, sizeof(rx));
	for (int i = 0; i < 6; i++) {
		size_t len = frame(buf[i] + VH, ETH_P_IP, protos[i],
				   "198.18.9.9", 1, 2, 0);

		buf[i][VH + 40] = (uint8_t)i; /* a mark in the payload */
		riov[i].iov_base = buf[i];
		riov[i].iov_len = sizeof(buf[i]);
		rx[i].msg_hdr.msg_iov = &riov[i];
		rx[i].msg_hdr.msg_iovlen = 1;
		rx[i].msg_len = (unsigned)(VH + len);
		from[i].sll_pkttype = (unsigned char)types[i];
	}
	rx[2].msg_hdr.msg_flags = MSG_TRUNC;
	rx[5].msg_len = VH - 1;
	n = lb_batch(rx, from, 6, tx, be, ctl, &rr);
	CHECK_INT(n, 3);
	CHECK_INT(sent_err - err0, 1);
	CHECK_INT(rr, 6);
	CHECK(tx[0].iov_base == buf[0]);
	CHECK(tx[1].iov_base == buf[3]);
	CHECK(tx[2].iov_base == buf[4]);
	CHECK_INT(tx[0].iov_len, VH + 60);
	CHECK_INT(be[0], 1);
	CHECK_INT(ctl[0], 0);
	CHECK_INT(be[1], 0);
	CHECK_INT(ctl[1], 1);
	CHECK_INT(be[2], 2);
	CHECK_INT(ctl[2], 0);
	for (int i = 0; i < n; i++) {
		const uint8_t *f = (const uint8_t *)tx[i].iov_base + VH;

		CHECK(memcmp(f, be_mac[be[i]], 6) == 0);
		CHECK(memcmp(f + 6, out_mac, 6) == 0);
	}
	CHECK_INT(buf[4][VH + 40], 4);
	/* what stays the kernel's is not touched */
	CHECK_INT(buf[1][VH], 0xee);
}

int
main(void)
{
	nbe = 3;
	for (int i = 0; i < nbe; i++)
		for (int j = 0; j < 6; j++)
			be_mac[i][j] = (uint8_t)(0x10 * (i + 1) + j);
	memcpy(out_mac, "\x02\0\0\0\0\x99", 6);
	own_in = ip4("198.18.0.1");
	own_out = ip4("198.18.1.1");
	test_pick();
	test_batch();
	return t_done("test_vrlb");
}
