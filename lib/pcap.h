/*
 * The classic pcap file format (what tcpdump -w writes and tcpdump -r and
 * Wireshark read), written without libpcap: a 24-byte file header, then
 * per packet a 16-byte record header and the bytes captured.  Host byte
 * order, microsecond timestamps (magic 0xa1b2c3d4), LINKTYPE_ETHERNET.
 * And a one-line summary of an Ethernet frame for `vrctl capture` without
 * -w.  Pure: no I/O.
 */
#ifndef VR_PCAP_H
#define VR_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PCAP_MAGIC_USEC	       0xa1b2c3d4u
#define PCAP_LINKTYPE_ETHERNET 1
#define PCAP_SNAPLEN	       65535
#define PCAP_FILE_HDR_LEN      24
#define PCAP_REC_HDR_LEN       16

void pcap_file_header(unsigned char out[PCAP_FILE_HDR_LEN], uint32_t snaplen,
		      uint32_t linktype);
/* caplen: bytes that follow in the file; len: the frame's length on the
 * wire. */
void pcap_record_header(unsigned char out[PCAP_REC_HDR_LEN],
			const struct timespec *ts, uint32_t caplen,
			uint32_t len);

/* What a frame is, in words: addresses (IP with ports, else MAC) and the
 * protocol ("UDP", "TCP", "ICMP", "ARP", "IPv6", "ethertype 0x88cc"...). */
struct pcap_summary {
	char src[64];
	char dst[64];
	char proto[48];
};

void pcap_summarize(const unsigned char *frame, size_t caplen,
		    struct pcap_summary *s);

#endif
