/*
 * capture NAME LINK [-w FILE.pcap] [-c N]: the daemon resolves LINK to the
 * host interface that carries it and passes back a packet socket bound
 * there (SCM_RIGHTS, method "capture"); this side reads packets from it
 * and writes a pcap file (lib/pcap.h) or prints one line per packet.  The
 * daemon's permission check is done once, for the socket; the traffic
 * itself never passes through the daemon.
 */
#include <sys/socket.h>

#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pcap.h"
#include "proto.h"
#include "vrctl.h"

static volatile sig_atomic_t capture_stop;

static void
capture_signal(int sig)
{
	(void)sig;
	capture_stop = 1;
}

/* One packet as text or a JSON line. */
static void
capture_print(int json, const struct timespec *ts, const unsigned char *pkt,
	      size_t caplen, size_t len)
{
	struct pcap_summary s;
	struct tm tm;
	time_t t = ts->tv_sec;

	pcap_summarize(pkt, caplen, &s);
	if (json) {
		json_object *o = json_object_new_object();

		json_object_object_add(
		    o, "time",
		    json_object_new_double((double)ts->tv_sec +
					   (double)ts->tv_nsec / 1e9));
		json_object_object_add(o, "length",
				       json_object_new_int64((int64_t)len));
		json_object_object_add(o, "src", json_object_new_string(s.src));
		json_object_object_add(o, "dst", json_object_new_string(s.dst));
		json_object_object_add(o, "proto",
				       json_object_new_string(s.proto));
		printf("%s\n", json_object_to_json_string_ext(
				   o, JSON_C_TO_STRING_PLAIN |
					  JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		localtime_r(&t, &tm);
		printf("%02d:%02d:%02d.%06ld %zu %s > %s %s\n", tm.tm_hour,
		       tm.tm_min, tm.tm_sec, ts->tv_nsec / 1000, len, s.src,
		       s.dst, s.proto);
	}
	fflush(stdout);
}

/* Read packets from fd until count (0: no limit) or a signal.  The number
 * captured, or -1 on an error (said). */
static long
capture_loop(int fd, FILE *w, int json, long count, const char *what)
{
	static unsigned char pkt[PCAP_SNAPLEN + 1];
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct timespec))];
	} cm;
	unsigned char rec[PCAP_REC_HDR_LEN];
	long got = 0;

	while (!capture_stop && (count == 0 || got < count)) {
		struct iovec iov = {pkt, sizeof(pkt)};
		struct msghdr mh = {0};
		struct timespec ts = {0, 0};
		struct cmsghdr *c;
		size_t caplen;
		ssize_t n;

		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cm.b;
		mh.msg_controllen = sizeof(cm.b);
		if ((n = recvmsg(fd, &mh, MSG_TRUNC)) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr,
				"vrctl: capture of %s: %s (did the topology "
				"stop?)\n",
				what, strerror(errno));
			return -1;
		}
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_TIMESTAMPNS)
				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
		if (ts.tv_sec == 0)
			clock_gettime(CLOCK_REALTIME, &ts);
		caplen = (size_t)n < PCAP_SNAPLEN ? (size_t)n : PCAP_SNAPLEN;
		if (w != NULL) {
			pcap_record_header(rec, &ts, (uint32_t)caplen,
					   (uint32_t)n);
			if (fwrite(rec, sizeof(rec), 1, w) != 1 ||
			    fwrite(pkt, caplen, 1, w) != 1) {
				fprintf(stderr,
					"vrctl: writing the capture: "
					"%s\n",
					strerror(errno));
				return -1;
			}
		} else
			capture_print(json, &ts, pkt, caplen, (size_t)n);
		got++;
	}
	return got;
}

int
ctl_capture(struct vrctl *v, int argc, char **argv)
{
	static const struct option opts[] = {
	    CTL_COMMON_LONGOPTS,
	    {"write", required_argument, NULL, 'w'},
	    {"count", required_argument, NULL, 'c'},
	    {NULL, 0, NULL, 0},
	};
	const struct ctl_command *cmd = ctl_command_find("capture");
	json_object *params, *result, *error;
	const char *file = NULL;
	unsigned char hdr[PCAP_FILE_HDR_LEN];
	struct tpacket_stats st;
	socklen_t sl = sizeof(st);
	struct sigaction sa;
	char what[128];
	long count = 0, got;
	FILE *w = NULL;
	int ch, fd, on = 1, rv = VRCTL_EDAEMON;
	char *end;

	optind = 0; /* glibc: re-initialise after main()'s "+" scan */
	while ((ch = getopt_long(argc, argv, "s:hw:c:", opts, NULL)) != -1) {
		if (ch == 'w')
			file = optarg;
		else if (ch == 'c') {
			count = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || count <= 0) {
				fprintf(stderr,
					"vrctl: -c: a positive number, not "
					"\"%s\"\n",
					optarg);
				goto usage;
			}
		} else if (!ctl_common_opt(v, cmd, ch))
			goto usage;
	}
	if (argc - optind != 2)
		goto usage;
	params = json_object_new_object();
	json_object_object_add(params, "name",
			       json_object_new_string(argv[optind]));
	json_object_object_add(params, "link",
			       json_object_new_string(argv[optind + 1]));
	if (client_call_fd(v->socket, METHOD_CAPTURE, params, &result, &error,
			   &fd) == -1)
		return VRCTL_ECONNECT;
	if (error != NULL) {
		v->out->error(error);
		json_object_put(error);
		return VRCTL_EDAEMON;
	}
	if (fd == -1) {
		fprintf(stderr, "vrctl: capture: vrouterd answered without a "
				"socket\n");
		goto out;
	}
	snprintf(what, sizeof(what), "%s %s (%s)", argv[optind],
		 argv[optind + 1], j_str(result, "interface"));
	if (file != NULL && strcmp(file, "-") == 0)
		w = stdout;
	else if (file != NULL && (w = fopen(file, "we")) == NULL) {
		fprintf(stderr, "vrctl: %s: %s\n", file, strerror(errno));
		goto out;
	}
	if (w != NULL) {
		pcap_file_header(hdr, PCAP_SNAPLEN, PCAP_LINKTYPE_ETHERNET);
		if (fwrite(hdr, sizeof(hdr), 1, w) != 1 || fflush(w) != 0) {
			fprintf(stderr, "vrctl: %s: %s\n", file,
				strerror(errno));
			goto out;
		}
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = capture_signal; /* no SA_RESTART: recvmsg returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	fprintf(stderr,
		"vrctl: capturing on %s, link-type EN10MB (Ethernet), "
		"snapshot length %d bytes\n",
		what, PCAP_SNAPLEN);
	got = capture_loop(fd, w, v->json, count, what);
	if (w != NULL && fflush(w) != 0) {
		fprintf(stderr, "vrctl: %s: %s\n", file, strerror(errno));
		got = -1;
	}
	if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl) == 0)
		fprintf(stderr,
			"vrctl: %ld packet%s captured, %u dropped by the "
			"kernel\n",
			got < 0 ? 0 : got, got == 1 ? "" : "s", st.tp_drops);
	if (got >= 0)
		rv = VRCTL_OK;
out:
	if (w != NULL && w != stdout)
		fclose(w);
	if (fd != -1)
		close(fd);
	json_object_put(result);
	return rv;
usage:
	ctl_usage(cmd, 1);
	return VRCTL_EUSAGE;
}
