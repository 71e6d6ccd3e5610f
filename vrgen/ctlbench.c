/*
 * ctlbench: `status` round trips against a running vrouterd.  Each client
 * is a thread with its own connection doing back-to-back calls; prints
 * round trips per second, p50/p99 latency, and the daemon's peak RSS.
 *
 * usage: ctlbench -s SOCKET [-p PID] [-n CALLS] [-c CLIENTS[,...]] [-r RATE]
 *
 * Without -r every client calls back to back (a closed loop: with many
 * clients the latency is mostly queueing, clients / throughput).  With -r
 * each client paces itself to RATE calls per second, the latency a client
 * sees while the daemon serves that load.
 *
 * Before measuring it prints what the daemon reported in one status (is
 * libvirt connected, how many topologies and nodes run), since the cost of
 * status depends on both; every reply must be a result, not an error.
 */
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "util.h"

#define BENCH_REPLY_MAX (1 << 20) /* a status of many nodes is large */

static const char bench_req[] = "{\"jsonrpc\":\"2.0\",\"id\":1,"
				"\"method\":\"status\"}\n";

struct bench_client {
	pthread_t thread;
	const char *path;
	int calls;
	int rate;      /* calls per second; 0: back to back */
	uint64_t *lat; /* ns per call */
	int failed;
};

static int
bench_connect(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd;

	vr_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One round trip: send, read through the newline. */
static int
bench_call(int fd, char *buf, size_t len)
{
	size_t off = 0;

	if (send(fd, bench_req, sizeof(bench_req) - 1, MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(bench_req) - 1)
		return -1;
	for (;;) {
		ssize_t n = read(fd, buf + off, len - off);
		if (n <= 0)
			return -1;
		off += (size_t)n;
		if (memchr(buf + off - n, '\n', (size_t)n) != NULL) {
			/* a result, not an error answered quickly */
			if (memmem(buf, off < 64 ? off : 64, "\"result\"", 8) ==
			    NULL) {
				errno = EPROTO;
				return -1;
			}
			buf[off - 1] = '\0';
			return 0;
		}
		if (off == len)
			return -1;
	}
}

static void *
bench_run(void *arg)
{
	struct bench_client *c = arg;
	char *buf = xmalloc(BENCH_REPLY_MAX);
	int fd;

	if ((fd = bench_connect(c->path)) == -1) {
		c->failed = 1;
		free(buf);
		return NULL;
	}
	uint64_t start = now_ns();
	for (int i = 0; i < c->calls; i++) {
		if (c->rate > 0) {
			uint64_t due = start + (uint64_t)i * 1000000000ull /
						   (uint64_t)c->rate;
			struct timespec ts = {(time_t)(due / 1000000000ull),
					      (long)(due % 1000000000ull)};
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
					NULL);
		}
		uint64_t t0 = now_ns();
		if (bench_call(fd, buf, BENCH_REPLY_MAX) == -1) {
			c->failed = 1;
			break;
		}
		c->lat[i] = now_ns() - t0;
	}
	close(fd);
	free(buf);
	return NULL;
}

static int
bench_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
bench_round(const char *path, int nclients, int calls, int rate)
{
	struct bench_client *c = xcalloc(nclients, sizeof(*c));
	uint64_t *all = xcalloc((size_t)nclients * calls, sizeof(*all));
	uint64_t t0, wall;
	size_t n = (size_t)nclients * calls;
	int failed = 0;
	char pace[32];

	t0 = now_ns();
	for (int i = 0; i < nclients; i++) {
		c[i].path = path;
		c[i].calls = calls;
		c[i].rate = rate;
		c[i].lat = all + (size_t)i * calls;
		if (pthread_create(&c[i].thread, NULL, bench_run, &c[i]) != 0) {
			fprintf(stderr, "ctlbench: pthread_create failed\n");
			exit(1);
		}
	}
	for (int i = 0; i < nclients; i++) {
		pthread_join(c[i].thread, NULL);
		failed |= c[i].failed;
	}
	wall = now_ns() - t0;
	if (failed) {
		fprintf(stderr, "ctlbench: a client failed (%s)\n",
			strerror(errno));
		free(all);
		free(c);
		return -1;
	}
	qsort(all, n, sizeof(*all), bench_cmp);
	snprintf(pace, sizeof(pace), rate ? "%d/s" : "max", rate);
	printf("%7d %7s %9zu %14.0f %9.3f %9.3f %9.3f\n", nclients, pace, n,
	       (double)n / ((double)wall / 1e9), (double)all[n / 2] / 1e6,
	       (double)all[n * 99 / 100] / 1e6, (double)all[n - 1] / 1e6);
	free(all);
	free(c);
	return 0;
}

/* What the daemon serves: one status, summarised.  0 or -1. */
static int
bench_describe(const char *path)
{
	char *buf = xmalloc(BENCH_REPLY_MAX);
	json_object *j = NULL, *res, *v, *lv, *ts;
	const char *lvs = "absent";
	int fd, nodes = 0, nt = 0, rv = -1;

	if ((fd = bench_connect(path)) == -1 ||
	    bench_call(fd, buf, BENCH_REPLY_MAX) == -1 ||
	    (j = json_tokener_parse(buf)) == NULL ||
	    !json_object_object_get_ex(j, "result", &res)) {
		fprintf(stderr, "ctlbench: status failed (%s)\n",
			strerror(errno));
		goto out;
	}
	if (json_object_object_get_ex(res, "libvirt", &lv) &&
	    json_object_object_get_ex(lv, "state", &v))
		lvs = json_object_get_string(v);
	if (json_object_object_get_ex(res, "topologies", &ts)) {
		nt = (int)json_object_array_length(ts);
		for (int i = 0; i < nt; i++)
			if (json_object_object_get_ex(
				json_object_array_get_idx(ts, i), "nodes", &v))
				nodes += (int)json_object_array_length(v);
	}
	printf("daemon: libvirt %s, %d topolog%s running (%d nodes), status "
	       "reply %zu bytes\n",
	       lvs, nt, nt == 1 ? "y" : "ies", nodes, strlen(buf));
	rv = 0;
out:
	json_object_put(j);
	if (fd != -1)
		close(fd);
	free(buf);
	return rv;
}

static void
bench_rss(long pid)
{
	char path[64], *s, *p;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((s = file_read(path, 65536)) == NULL) {
		fprintf(stderr, "ctlbench: %s: %s\n", path, strerror(errno));
		return;
	}
	if ((p = strstr(s, "VmHWM:")) != NULL)
		printf("vrouterd peak RSS (VmHWM):%.*s\n",
		       (int)strcspn(p + 6, "\n"), p + 6);
	if ((p = strstr(s, "VmRSS:")) != NULL)
		printf("vrouterd RSS now (VmRSS): %.*s\n",
		       (int)strcspn(p + 6, "\n"), p + 6);
	free(s);
	/* Most of the RSS is shared library text (libvirt and its
	 * dependencies); show what is the daemon's own. */
	snprintf(path, sizeof(path), "/proc/%ld/smaps_rollup", pid);
	if ((s = file_read(path, 65536)) == NULL)
		return;
	if ((p = strstr(s, "\nPss:")) != NULL)
		printf("vrouterd PSS:             %.*s\n",
		       (int)strcspn(p + 5, "\n"), p + 5);
	if ((p = strstr(s, "\nPss_Anon:")) != NULL)
		printf("vrouterd anonymous memory:%.*s\n",
		       (int)strcspn(p + 10, "\n"), p + 10);
	free(s);
}

int
main(int argc, char *argv[])
{
	const char *path = NULL, *clients = "1,64";
	long pid = 0;
	int calls = 2000, rate = 0, ch, rv = 0;
	char *list, *tok, *save;

	while ((ch = getopt(argc, argv, "s:p:n:c:r:")) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 'p':
			pid = strtol(optarg, NULL, 10);
			break;
		case 'n':
			calls = atoi(optarg);
			break;
		case 'c':
			clients = optarg;
			break;
		case 'r':
			rate = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (path == NULL || calls < 1)
		goto usage;
	if (bench_describe(path) == -1)
		return 1;
	printf("status round trips, %d calls per client\n", calls);
	printf("%7s %7s %9s %14s %9s %9s %9s\n", "clients", "pace", "calls",
	       "round trips/s", "p50 ms", "p99 ms", "max ms");
	list = xstrdup(clients);
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (bench_round(path, atoi(tok) > 0 ? atoi(tok) : 1, calls,
				rate))
			rv = 1;
	free(list);
	if (pid > 0)
		bench_rss(pid);
	return rv;
usage:
	fprintf(stderr, "usage: ctlbench -s SOCKET [-p PID] [-n CALLS] "
			"[-c CLIENTS,...] [-r CALLS_PER_S]\n");
	return 2;
}
