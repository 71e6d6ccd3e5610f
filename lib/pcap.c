/*
 * pcap files and frame summaries (pcap.h).  The summary decodes just
 * enough: Ethernet (one VLAN tag), ARP, IPv4 and IPv6 with the ports of
 * UDP, TCP and SCTP; anything else, or a frame cut short, is named by its
 * MAC addresses and ethertype.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pcap.h"

void
pcap_file_header(unsigned char out[PCAP_FILE_HDR_LEN], uint32_t snaplen,
		 uint32_t linktype)
{
	uint32_t magic = PCAP_MAGIC_USEC, zero = 0;
	uint16_t major = 2, minor = 4;

	memcpy(out, &magic, 4);
	memcpy(out + 4, &major, 2);
	memcpy(out + 6, &minor, 2);
	memcpy(out + 8, &zero, 4);  /* thiszone */
	memcpy(out + 12, &zero, 4); /* sigfigs */
	memcpy(out + 16, &snaplen, 4);
	memcpy(out + 20, &linktype, 4);
}

void
pcap_record_header(unsigned char out[PCAP_REC_HDR_LEN],
		   const struct timespec *ts, uint32_t caplen, uint32_t len)
{
	uint32_t sec = (uint32_t)ts->tv_sec,
		 usec = (uint32_t)(ts->tv_nsec / 1000);

	memcpy(out, &sec, 4);
	memcpy(out + 4, &usec, 4);
	memcpy(out + 8, &caplen, 4);
	memcpy(out + 12, &len, 4);
}

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
mac_str(const unsigned char *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

/* "ADDR.PORT" (IPv4) or "ADDR.PORT" (IPv6, as tcpdump prints both). */
static void
ip_str(int af, const unsigned char *addr, int port, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(af, addr, a, sizeof(a));
	if (port >= 0)
		snprintf(buf, len, "%s.%d", a, port);
	else
		snprintf(buf, len, "%s", a);
}

/* Transport protocol l4 at p (n bytes): its name; ports when there. */
static const char *
l4_name(int proto, const unsigned char *p, size_t n, int *sport, int *dport)
{
	const char *name;

	switch (proto) {
	case 1:
		return n < 1	   ? "ICMP"
		       : p[0] == 8 ? "ICMP echo request"
		       : p[0] == 0 ? "ICMP echo reply"
				   : "ICMP";
	case 58:
		return n < 1	     ? "ICMPv6"
		       : p[0] == 128 ? "ICMPv6 echo request"
		       : p[0] == 129 ? "ICMPv6 echo reply"
				     : "ICMPv6";
	case 6:
		name = "TCP";
		break;
	case 17:
		name = "UDP";
		break;
	case 132:
		name = "SCTP";
		break;
	default:
		return NULL;
	}
	if (n >= 4) {
		*sport = get16(p);
		*dport = get16(p + 2);
	}
	return name;
}

static int
sum_ipv4(const unsigned char *p, size_t n, struct pcap_summary *s)
{
	int sport = -1, dport = -1;
	size_t hl;
	const char *name;

	if (n < 20 || (p[0] >> 4) != 4 || (hl = (size_t)(p[0] & 15) * 4) < 20)
		return -1;
	/* a later fragment carries no transport header */
	name = (get16(p + 6) & 0x1fff) == 0 && n >= hl
		   ? l4_name(p[9], p + hl, n - hl, &sport, &dport)
		   : NULL;
	ip_str(AF_INET, p + 12, sport, s->src, sizeof(s->src));
	ip_str(AF_INET, p + 16, dport, s->dst, sizeof(s->dst));
	if (name)
		snprintf(s->proto, sizeof(s->proto), "%s", name);
	else
		snprintf(s->proto, sizeof(s->proto), "IPv4 proto %d", p[9]);
	return 0;
}

static int
sum_ipv6(const unsigned char *p, size_t n, struct pcap_summary *s)
{
	int sport = -1, dport = -1;
	const char *name;

	size_t off = 40;
	int nh;

	if (n < 40 || (p[0] >> 4) != 6)
		return -1;
	/* past hop-by-hop, routing and destination options (MLD reports
	 * come after a hop-by-hop header) */
	for (nh = p[6]; (nh == 0 || nh == 43 || nh == 60) && off + 8 <= n;
	     nh = p[off], off += (size_t)(p[off + 1] + 1) * 8)
		;
	name = off <= n ? l4_name(nh, p + off, n - off, &sport, &dport) : NULL;
	ip_str(AF_INET6, p + 8, sport, s->src, sizeof(s->src));
	ip_str(AF_INET6, p + 24, dport, s->dst, sizeof(s->dst));
	if (name)
		snprintf(s->proto, sizeof(s->proto), "%s", name);
	else
		snprintf(s->proto, sizeof(s->proto), "IPv6 next header %d", nh);
	return 0;
}

static int
sum_arp(const unsigned char *p, size_t n, struct pcap_summary *s)
{
	/* Ethernet/IPv4 ARP only */
	if (n < 28 || get16(p) != 1 || get16(p + 2) != 0x0800 || p[4] != 6 ||
	    p[5] != 4)
		return -1;
	ip_str(AF_INET, p + 14, -1, s->src, sizeof(s->src));
	ip_str(AF_INET, p + 24, -1, s->dst, sizeof(s->dst));
	snprintf(s->proto, sizeof(s->proto), "ARP %s",
		 get16(p + 6) == 1   ? "request"
		 : get16(p + 6) == 2 ? "reply"
				     : "other");
	return 0;
}

void
pcap_summarize(const unsigned char *f, size_t n, struct pcap_summary *s)
{
	size_t off = 12;
	uint16_t type;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (n < 14) {
		snprintf(s->src, sizeof(s->src), "?");
		snprintf(s->dst, sizeof(s->dst), "?");
		snprintf(s->proto, sizeof(s->proto), "runt (%zu bytes)", n);
		return;
	}
	mac_str(f + 6, s->src, sizeof(s->src));
	mac_str(f, s->dst, sizeof(s->dst));
	type = get16(f + off);
	if ((type == 0x8100 || type == 0x88a8) && n >= off + 6) {
		off += 4;
		type = get16(f + off);
	}
	off += 2;
	switch (type) {
	case 0x0800:
		rc = sum_ipv4(f + off, n - off, s);
		break;
	case 0x86dd:
		rc = sum_ipv6(f + off, n - off, s);
		break;
	case 0x0806:
		rc = sum_arp(f + off, n - off, s);
		break;
	}
	if (rc == -1) { /* the MAC addresses stay */
		mac_str(f + 6, s->src, sizeof(s->src));
		mac_str(f, s->dst, sizeof(s->dst));
		snprintf(s->proto, sizeof(s->proto), "ethertype 0x%04x", type);
	}
}
