/* Unit tests for `vrctl capture`'s pure parts: the pcap file and record
 * headers byte by byte (lib/pcap.c), frame summaries, and the capture
 * points of the built-in topologies with their host interfaces
 * (lib/topo_capture.c). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "pcap.h"
#include "t.h"
#include "topo_capture.h"
#include "util.h"

static void
test_headers(void)
{
	unsigned char h[PCAP_FILE_HDR_LEN], r[PCAP_REC_HDR_LEN];
	struct timespec ts = {1700000000, 123456789};
	uint32_t u32;
	uint16_t u16;

	pcap_file_header(h, 65535, PCAP_LINKTYPE_ETHERNET);
	memcpy(&u32, h, 4);
	CHECK(u32 == 0xa1b2c3d4u);
	memcpy(&u16, h + 4, 2);
	CHECK_INT(u16, 2);
	memcpy(&u16, h + 6, 2);
	CHECK_INT(u16, 4);
	memcpy(&u32, h + 16, 4);
	CHECK_INT(u32, 65535);
	memcpy(&u32, h + 20, 4);
	CHECK_INT(u32, 1);

	pcap_record_header(r, &ts, 60, 1514);
	memcpy(&u32, r, 4);
	CHECK_INT(u32, 1700000000);
	memcpy(&u32, r + 4, 4);
	CHECK_INT(u32, 123456); /* microseconds */
	memcpy(&u32, r + 8, 4);
	CHECK_INT(u32, 60);
	memcpy(&u32, r + 12, 4);
	CHECK_INT(u32, 1514);
}

static void
test_summaries(void)
{
	/* Ethernet + IPv4 (IHL 5) + UDP 10000 -> 9000 */
	unsigned char f[64] = {
	    0x52, 0x54, 0x00, 0x00, 0x00, 0x02, /* dst */
	    0x52, 0x54, 0x00, 0x00, 0x00, 0x01, /* src */
	    0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00,
	    0x40, 17,	0x00, 0x00, 198,  18,	1,    2,    198,  18,
	    2,	  2,	0x27, 0x10, 0x23, 0x28, 0x00, 0x0c, 0x00, 0x00,
	};
	struct pcap_summary s;

	pcap_summarize(f, sizeof(f), &s);
	CHECK_STR(s.src, "198.18.1.2.10000");
	CHECK_STR(s.dst, "198.18.2.2.9000");
	CHECK_STR(s.proto, "UDP");
	/* a later fragment: addresses, no ports */
	f[20] = 0x00, f[21] = 0x10;
	pcap_summarize(f, sizeof(f), &s);
	CHECK_STR(s.src, "198.18.1.2");
	CHECK_STR(s.proto, "IPv4 proto 17");
	/* cut inside the IP header: named by MACs and ethertype */
	pcap_summarize(f, 20, &s);
	CHECK_STR(s.src, "52:54:00:00:00:01");
	CHECK_STR(s.dst, "52:54:00:00:00:02");
	CHECK_STR(s.proto, "ethertype 0x0800");
	/* a runt */
	pcap_summarize(f, 10, &s);
	CHECK_STR(s.proto, "runt (10 bytes)");
	/* ARP request who-has 198.18.2.2 tell 198.18.2.1 */
	{
		unsigned char a[42] = {
		    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0, 0, 0,
		    1,	  0x08, 0x06, 0,    1,	  0x08, 0,    6,    4, 0, 1,
		    0x52, 0x54, 0,    0,    0,	  1,	198,  18,   2, 1, 0,
		    0,	  0,	0,    0,    0,	  198,	18,   2,    2,
		};
		pcap_summarize(a, sizeof(a), &s);
		CHECK_STR(s.src, "198.18.2.1");
		CHECK_STR(s.dst, "198.18.2.2");
		CHECK_STR(s.proto, "ARP request");
	}
	/* VLAN-tagged IPv6 ICMPv6 */
	{
		unsigned char v[14 + 4 + 40] = {0};

		v[12] = 0x81, v[13] = 0x00, v[16] = 0x86, v[17] = 0xdd;
		v[18] = 0x60, v[24] = 58;
		inet_pton(AF_INET6, "2001:db8::1", v + 26);
		inet_pton(AF_INET6, "ff02::1", v + 42);
		pcap_summarize(v, sizeof(v), &s);
		CHECK_STR(s.src, "2001:db8::1");
		CHECK_STR(s.dst, "ff02::1");
		CHECK_STR(s.proto, "ICMPv6");
	}
	/* an MLD report: ICMPv6 after a hop-by-hop header */
	{
		unsigned char m[14 + 40 + 8 + 4] = {0};

		m[12] = 0x86, m[13] = 0xdd, m[14] = 0x60, m[20] = 0;
		m[54] = 58, m[55] = 0, m[62] = 143;
		pcap_summarize(m, sizeof(m), &s);
		CHECK_STR(s.proto, "ICMPv6");
		m[62] = 128;
		pcap_summarize(m, sizeof(m), &s);
		CHECK_STR(s.proto, "ICMPv6 echo request");
	}
	/* ICMP echo */
	f[20] = 0, f[21] = 0, f[23] = 1, f[34] = 8;
	pcap_summarize(f, sizeof(f), &s);
	CHECK_STR(s.proto, "ICMP echo request");
	CHECK_STR(s.src, "198.18.1.2");
}

static int
plan(struct topo_plan *p, const char *topology, int vrs)
{
	struct topo_opts o;
	cpu_set_t online, isolated;
	char err[256] = "";
	int r;

	topo_opts_init(&o);
	vr_strlcpy(o.topology, topology, sizeof(o.topology));
	vr_strlcpy(o.name, "t", sizeof(o.name));
	o.vrs = vrs;
	cpulist_parse("0-7", &online);
	CPU_ZERO(&isolated);
	if ((r = topo_plan_build(&o, &online, &isolated, p, err, sizeof(err))))
		fprintf(stderr, "plan: %s\n", err);
	return r;
}

static void
test_points(void)
{
	struct topo_plan *p = calloc(1, sizeof(*p));
	char ifname[TOPO_IFNAMSIZ], err[512];

	CHECK_INT(plan(p, "monolithic", 0), 0);
	CHECK_INT(topo_capture_find(p, "in", ifname, sizeof(ifname), err,
				    sizeof(err)),
		  0);
	CHECK_STR(ifname, p->ports[0].host_if);
	CHECK_INT(topo_capture_find(p, "vr0.eth1", ifname, sizeof(ifname), err,
				    sizeof(err)),
		  0);
	CHECK_STR(ifname, p->nodes[0].ifs[1].host_if);
	CHECK_INT(topo_capture_find(p, "vr0", ifname, sizeof(ifname), err,
				    sizeof(err)),
		  -1);
	CHECK_STR(err, "t has no link \"vr0\"; its links are: in out vr0.eth0 "
		       "vr0.eth1");
	topo_plan_free(p);

	memset(p, 0, sizeof(*p));
	CHECK_INT(plan(p, "pvr", 2), 0);
	CHECK_INT(topo_capture_find(p, "leg1", ifname, sizeof(ifname), err,
				    sizeof(err)),
		  0);
	CHECK_STR(ifname, p->segments[1].bridge);
	CHECK_INT(topo_capture_find(p, "splitter.sp0", ifname, sizeof(ifname),
				    err, sizeof(err)),
		  0);
	CHECK_INT(topo_capture_find(p, "nope", ifname, sizeof(ifname), err,
				    sizeof(err)),
		  -1);
	CHECK_STR(err, "t has no link \"nope\"; its links are: in out "
		       "leg0 leg1 vr0.eth0 vr0.eth1 vr1.eth0 vr1.eth1 "
		       "splitter.in0 splitter.sp0 splitter.sp1");
	topo_plan_free(p);
	free(p);
}

int
main(void)
{
	test_headers();
	test_summaries();
	test_points();
	return t_done("test_capture");
}
