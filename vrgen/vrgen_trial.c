/*
 * vrgen's trial engine: entering the namespaces and pinning, the two
 * endpoints (devices, addresses, counters), and one trial: the generator
 * at a rate for a duration while the sink thread counts what came back,
 * then the interval and interface counts and the CPU accounting of it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "benchparam.h"
#include "cpuacct.h"
#include "gen.h"
#include "jw.h"
#include "search.h"
#include "sink.h"
#include "stats.h"
#include "vrgen.h"

/* ---- namespaces, CPUs -------------------------------------------------- */

static int
netns_open(const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (strchr(name, '/') != NULL)
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("cannot open network namespace %s (%s): %s", name, path,
		    strerror(errno));
	return fd;
}

static void
netns_enter(int fd, const char *name)
{
	if (setns(fd, CLONE_NEWNET) < 0)
		die("cannot enter network namespace %s: %s%s", name,
		    strerror(errno), errno == EPERM ? " (run as root)" : "");
}

void
pin_self(int cpu, const char *what)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		die("cannot pin the %s to CPU %d: %s", what, cpu,
		    strerror(errno));
}

/* ---- endpoints ---------------------------------------------------------- */

static void
where_fmt(struct endpoint *e)
{
	if (e->netns != NULL)
		snprintf(e->where, sizeof(e->where), "%s in namespace %s",
			 e->dev, e->netns);
	else
		snprintf(e->where, sizeof(e->where), "%s", e->dev);
}

static int
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned m[6];
	char tail;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2], &m[3], &m[4],
		   &m[5], &tail) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (m[i] > 255)
			return -1;
		mac[i] = (uint8_t)m[i];
	}
	return 0;
}

static uint32_t
parse_ip(const char *opt, const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		die("--%s: not an IPv4 address: \"%s\"", opt, s);
	return a.s_addr;
}

/* Enter e's namespace (if any), run fn, come back. */
static void
endpoint_setup(struct bench *b, struct endpoint *e, int is_tx)
{
	struct opts *o = b->o;
	char err[256];
	int nsfd = -1, home = -1;

	where_fmt(e);
	if (e->netns != NULL) {
		home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (home < 0)
			die("cannot open my own network namespace: %s",
			    strerror(errno));
		nsfd = netns_open(e->netns);
		netns_enter(nsfd, e->netns);
	}
	if (gen_ifinfo(e->dev, &e->ifindex, e->mac, &e->ip, err, sizeof(err)) <
	    0)
		die("%s%s%s", err, e->netns ? " in namespace " : "",
		    e->netns ? e->netns : "");
	e->stats_fd = ifstats_open();
	if (e->stats_fd < 0)
		die("cannot open a netlink socket in %s: %s", e->where,
		    strerror(errno));
	if (is_tx) {
		struct gen_cfg *g = &b->gcfg;
		uint32_t nh;

		memcpy(g->src_mac, e->mac, 6);
		g->src_ip = o->src_ip ? parse_ip("src-ip", o->src_ip) : e->ip;
		if (g->src_ip == 0)
			die("%s has no IPv4 address: give --src-ip", e->where);
		g->dst_ip = parse_ip("dst-ip", o->dst_ip);
		if (o->dst_mac != NULL) {
			if (parse_mac(o->dst_mac, g->dst_mac) < 0)
				die("--dst-mac: not a MAC address: \"%s\"",
				    o->dst_mac);
		} else {
			if (o->gateway != NULL)
				nh = parse_ip("gateway", o->gateway);
			else if (gen_default_gw(e->dev, &nh) < 0)
				nh = g->dst_ip; /* on link */
			if (gen_resolve_mac(e->dev, e->ifindex, e->mac,
					    g->src_ip, nh, 1500, g->dst_mac,
					    err, sizeof(err)) < 0)
				die("%s%s%s", err,
				    e->netns ? " in namespace " : "",
				    e->netns ? e->netns : "");
		}
		if (gen_tx_open(&b->gtx, (enum gen_tx_kind)o->tx_kind,
				e->ifindex, e->where, o->burst, !o->no_bypass,
				err, sizeof(err)) < 0)
			die("%s", err);
		if (b->gtx.tx_fallback[0] != '\0')
			fprintf(stderr,
				"vrgen: AF_XDP is not available, sending with "
				"AF_PACKET (slower): %s\n",
				b->gtx.tx_fallback);
	} else {
		if (sink_rx_open(&b->srx, e->ifindex, e->where, o->ring_mib,
				 err, sizeof(err)) < 0)
			die("%s", err);
	}
	if (home >= 0) {
		netns_enter(home, "(the original one)");
		close(home);
		close(nsfd);
	}
}

static void warmup(struct bench *);

/*
 * The timeline's bins: the duration (the longest a sink may run without
 * one), the drain after it and a second of slack; frames later still
 * count in the last bin.  At most BENCH_BINS_MAX bins over the duration.
 */
static void
timeline_setup(struct bench *b)
{
	const struct opts *o = b->o;
	double dur_ms =
	    (o->duration > 0 ? o->duration : BENCH_DURATION_MAX) * 1000.0;

	if (dur_ms / o->bin_ms > BENCH_BINS_MAX)
		die("--bin-ms %u over %.0f s makes more than %d bins: take a "
		    "longer bin",
		    o->bin_ms, dur_ms / 1000, BENCH_BINS_MAX);
	b->tl.tl_nbins =
	    (unsigned)ceil((dur_ms + o->max_drain_ms + 1000) / o->bin_ms);
	b->tl.tl_bins = calloc(b->tl.tl_nbins, sizeof(uint64_t));
	if (b->tl.tl_bins == NULL)
		die("out of memory");
	b->sink->s_tl = &b->tl;
	b->have_tl = 1;
}

void
bench_setup(struct bench *b, struct opts *o, int want_tx, int want_rx)
{
	cpu_set_t all;
	char err[256];

	memset(b, 0, sizeof(*b));
	b->o = o;
	b->jw.f = stdout;
	b->run_base = (uint16_t)((unsigned)getpid() * 2654435761u >> 16);
	gen_cfg_default(&b->gcfg);
	if (gen_parse_frame(o->frame, &b->gcfg) < 0)
		die("--frame: expected %d..%d or imix, got \"%s\"",
		    GEN_MIN_FRAME, GEN_MAX_FRAME, o->frame);
	b->gcfg.flows = o->flows;
	b->gcfg.src_ips = o->src_ips;
	b->gcfg.src_port = (uint16_t)o->src_port;
	b->gcfg.dst_port = (uint16_t)o->dst_port;
	b->gcfg.udp_csum = o->udp_csum;
	if (o->src_port + o->flows > 65536)
		die("--src-port %u + --flows %u exceed port 65535", o->src_port,
		    o->flows);
	/* the sink runs anywhere but on the sender's CPU unless told */
	sched_getaffinity(0, sizeof(all), &all);
	b->rx_cpus = all;
	if (o->rx_cpu >= 0) {
		CPU_ZERO(&b->rx_cpus);
		CPU_SET(o->rx_cpu, &b->rx_cpus);
	} else if (o->cpu >= 0 && CPU_COUNT(&all) > 1) {
		CPU_CLR(o->cpu, &b->rx_cpus);
	}
	if (want_rx && o->rx_remote) {
		/* the sink is another vrgen's (sink --serve): only its counts
		 * come back, through stdin */
		if (!want_tx)
			die("--rx-remote: a command that sends (trial, sweep, "
			    "ndr)");
		if (o->n_lat > 0)
			die("--rx-remote: no --latency-at: the sink's clock is "
			    "not the sender's");
		b->sink = sink_new(o->flows);
		if (b->sink == NULL)
			die("out of memory");
		o->per_flow = 0;
		/* a timeline is the far sink's, on its clock: it comes back
		 * whole after each trial (rx_remote_timeline) */
		b->have_tl = o->bin_ms > 0;
	} else if (want_rx) {
		b->rx.dev = o->rx_dev ? o->rx_dev : o->dev;
		b->rx.netns = o->rx_dev ? o->rx_netns : o->netns;
		endpoint_setup(b, &b->rx, 0);
		b->sink = sink_new(want_tx ? o->flows : GEN_MAX_FLOWS);
		if (b->sink == NULL)
			die("out of memory");
		b->have_rx = 1;
	}
	if (want_tx) {
		b->tx.dev = o->tx_dev ? o->tx_dev : o->dev;
		b->tx.netns = o->tx_dev ? o->tx_netns : o->netns;
		endpoint_setup(b, &b->tx, 1);
		if (gen_frames_init(&b->frames, &b->gcfg) < 0)
			die("cannot build frames: %s", strerror(errno));
		b->sent_per_flow = calloc(o->flows, sizeof(uint64_t));
		if (b->sent_per_flow == NULL)
			die("out of memory");
		b->have_tx = 1;
	}
	if (want_tx && want_rx) {
		/* twice the longest trial: a sender that falls short takes
		 * longer than its duration (the rest lands in the last) */
		b->iv_tx.iv_max = b->iv_rx.iv_max = 2 * BENCH_DURATION_MAX + 4;
		b->iv_tx.iv_count = calloc(b->iv_tx.iv_max, sizeof(uint64_t));
		b->iv_rx.iv_count = calloc(b->iv_rx.iv_max, sizeof(uint64_t));
		if (b->iv_tx.iv_count == NULL || b->iv_rx.iv_count == NULL)
			die("out of memory");
		b->sink->s_ivl = &b->iv_rx;
	}
	if (want_rx && o->bin_ms > 0)
		timeline_setup(b);
	pin_self(o->cpu, "sender");
	if (want_tx && want_rx) {
		if (o->watch != NULL &&
		    (b->nwatch = cpuacct_parse_watch(o->watch, b->watch,
						     CPUACCT_MAX_WATCH, err,
						     sizeof(err))) == -1)
			die("%s", err);
		b->ca0 = malloc(sizeof(*b->ca0));
		b->ca1 = malloc(sizeof(*b->ca1));
		b->car = malloc(sizeof(*b->car));
		if (b->ca0 == NULL || b->ca1 == NULL || b->car == NULL)
			die("out of memory");
		warmup(b);
	}
}

/* t = 0 of the timeline at origin_ns (CLOCK_MONOTONIC, the sink's
 * clock); its wall-clock time too, for marks placed by other programs
 * (the daemon's) on the same host's clock. */
void
bench_timeline_start(struct bench *b, uint64_t origin_ns)
{
	struct timespec m, r;

	if (!b->have_tl)
		return;
	timeline_start(&b->tl, origin_ns, (uint64_t)b->o->bin_ms * 1000000);
	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	b->tl_origin_unix_s = ((double)r.tv_sec + (double)r.tv_nsec / 1e9) -
			      ((double)m.tv_sec + (double)m.tv_nsec / 1e9) +
			      (double)origin_ns / 1e9;
}

void
bench_free(struct bench *b)
{
	if (b->have_tx) {
		gen_tx_close(&b->gtx);
		gen_frames_free(&b->frames);
		close(b->tx.stats_fd);
	}
	if (b->have_rx) {
		sink_rx_close(&b->srx);
		close(b->rx.stats_fd);
	}
	sink_free(b->sink);
	free(b->sent_per_flow);
	free(b->iv_tx.iv_count);
	free(b->iv_rx.iv_count);
	free(b->tl.tl_bins);
	free(b->tl_remote);
	free(b->ca0);
	free(b->ca1);
	free(b->car);
}

/* ---- a trial ------------------------------------------------------------ */

struct sink_thread {
	struct bench *b;
	atomic_int tx_done;
	int rc;
	int err;
	struct cpuacct_self cpu; /* the sink thread's own time */
};

static double
thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
sink_main(void *arg)
{
	struct sink_thread *t = arg;
	struct bench *b = t->b;
	struct sink_until u;

	pthread_setaffinity_np(pthread_self(), sizeof(b->rx_cpus), &b->rx_cpus);
	memset(&u, 0, sizeof(u));
	u.stop = &stop_flag;
	u.tx_done = &t->tx_done;
	u.idle_ms = b->o->idle_ms;
	u.max_drain_ms = b->o->max_drain_ms;
	t->cpu.cpu_s = thread_cpu_s();
	t->rc = sink_rx_run(&b->srx, b->sink, &u);
	t->err = errno;
	t->cpu.cpu_s = thread_cpu_s() - t->cpu.cpu_s;
	t->cpu.cpu = sched_getcpu();
	return NULL;
}

int
read_if(struct endpoint *e, struct ifcounters *c)
{
	return ifstats_read(e->stats_fd, e->ifindex, c);
}

/*
 * The trial's intervals: whole seconds from the start over the time the
 * sender took (at least the duration); a tail under 50 ms joins the last
 * interval, and so do frames received after it (in flight at the end).
 */
static void
trial_intervals(struct bench *b, struct trial_out *t)
{
	double sent_s =
	    (double)(int64_t)(t->gs.t_end - b->iv_tx.iv_origin_ns) / 1e9;
	double span = fmax(t->duration_s, sent_s), n;
	unsigned i;

	n = fmax(1, ceil(span - 0.05));
	if (n > b->iv_tx.iv_max)
		n = b->iv_tx.iv_max;
	t->iv_n = (unsigned)n;
	t->iv_span = span;
	for (i = t->iv_n; i < b->iv_rx.iv_max; i++) {
		b->iv_rx.iv_count[t->iv_n - 1] += b->iv_rx.iv_count[i];
		b->iv_tx.iv_count[t->iv_n - 1] += b->iv_tx.iv_count[i];
		b->iv_rx.iv_count[i] = b->iv_tx.iv_count[i] = 0;
	}
}

/*
 * Does the kernel account softirq time (CONFIG_IRQ_TIME_ACCOUNTING)?  1
 * yes, 0 no, -1 unknown.  Without it the netns router's work, done in
 * softirq, is billed to whatever thread a tick interrupts.
 */
static int
irqtime_accounted(void)
{
	static int known = -2;
	struct utsname u;
	char path[300], line[256];
	FILE *f = NULL;
	int gz = 0;

	if (known != -2)
		return known;
	known = -1;
	if (uname(&u) == 0) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		f = fopen(path, "re");
	}
	if (f == NULL && access("/proc/config.gz", R_OK) == 0 &&
	    (f = popen("zcat /proc/config.gz 2>/dev/null", "re")) != NULL)
		gz = 1;
	if (f == NULL)
		return known;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "CONFIG_IRQ_TIME_ACCOUNTING=y", 28) == 0)
			known = 1;
		else if (strstr(line, "CONFIG_IRQ_TIME_ACCOUNTING is not set"))
			known = 0;
	}
	if (gz)
		pclose(f);
	else
		fclose(f);
	return known;
}

/* ---- the sink elsewhere (--rx-remote, sink --serve) ----------------------
 *
 * One line each way per step, in order: the sender writes
 * {"type":"rx","line":"start RUN"} on stdout and waits on stdin for
 * "ready" (the far sink listens for run RUN); after sending,
 * {"type":"rx","line":"stop RUN SENT0,SENT1,..."} (sent per flow) and
 * waits for "counts RECEIVED LOST REORDERED LATE DUPLICATES FLOWS_SEEN
 * RING_DROPS STALE FOREIGN", once the far sink has drained.  With a
 * timeline (--bin-ms), then "timeline RUN", answered "timeline JSON": the
 * far sink's "timeline" object (json_timeline), every time in it on the
 * sink's clock, t = 0 when it got "start".  "clock" (whoever carries the
 * lines asks it, at any time) is answered "clock UNIX_S", the sink's
 * CLOCK_REALTIME when it read the line: an NTP-style sample of the
 * offset between the two hosts' clocks.  "error MESSAGE" from the far end
 * ends the run.  Whoever carries the lines between the two (vrouterd,
 * over SSH) does not read them but "clock"'s.
 */

static char *
rx_remote_answer(const char *what)
{
	static char *line;
	static size_t cap;
	ssize_t n;

	fflush(stdout);
	if ((n = getline(&line, &cap, stdin)) <= 0)
		die("the remote sink did not answer %s (its channel closed)",
		    what);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	if (strncmp(line, "error ", 6) == 0)
		die("the remote sink: %s", line + 6);
	return line;
}

static void
rx_remote_start(uint16_t run)
{
	printf("{\"type\":\"rx\",\"line\":\"start %u\"}\n", (unsigned)run);
	if (strcmp(rx_remote_answer("start"), "ready") != 0)
		die("the remote sink answered start with something else");
}

static void
rx_remote_stop(struct bench *b, struct trial_out *out)
{
	unsigned long long v[9];
	const char *a;

	printf("{\"type\":\"rx\",\"line\":\"stop %u ", (unsigned)out->run);
	for (unsigned i = 0; i < b->o->flows; i++)
		printf("%s%llu", i ? "," : "",
		       (unsigned long long)b->sent_per_flow[i]);
	printf("\"}\n");
	a = rx_remote_answer("stop");
	if (sscanf(a, "counts %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
		   &v[8]) != 9)
		die("the remote sink answered stop with \"%s\"", a);
	out->st.received = v[0];
	out->st.lost = v[1];
	out->st.reordered = v[2];
	out->st.late = v[3];
	out->st.duplicates = v[4];
	out->st.flows_seen = v[5];
	out->ring_drops = v[6];
	out->stale = v[7];
	out->foreign = v[8];
}

/* The far sink's timeline of that run, kept for json_timeline. */
static void
rx_remote_timeline(struct bench *b, uint16_t run)
{
	const char *a;

	printf("{\"type\":\"rx\",\"line\":\"timeline %u\"}\n", (unsigned)run);
	a = rx_remote_answer("timeline");
	if (strncmp(a, "timeline {", 10) != 0)
		die("the remote sink answered timeline with \"%.60s\"", a);
	free(b->tl_remote);
	if ((b->tl_remote = strdup(a + 9)) == NULL)
		die("out of memory");
}

static double
unix_now(void)
{
	struct timespec r;

	clock_gettime(CLOCK_REALTIME, &r);
	return (double)r.tv_sec + (double)r.tv_nsec / 1e9;
}

/* "timeline RUN" at the far end: this sink's timeline as one line. */
static void
serve_timeline(struct bench *b)
{
	struct jw w = {0};
	char *buf = NULL;
	size_t len = 0;

	if ((w.f = open_memstream(&buf, &len)) == NULL)
		die("out of memory");
	jw_obj(&w, NULL);
	json_timeline(&w, b, b->o->duration > 0 ? b->o->duration : 0, NULL);
	jw_end(&w);
	fclose(w.f);
	/* {"timeline":{...}}\n: the inner object */
	if (len > 14 && buf[len - 1] == '\n') {
		buf[len - 2] = '\0';
		printf("timeline %s\n", buf + 12);
	} else
		printf("error vrgen sink --serve: no timeline\n");
	free(buf);
}

/*
 * sink --serve: the far end.  The ring is open from the start; each
 * "start RUN" flushes it and starts the receiving thread before "ready",
 * each "stop RUN SENT..." ends that thread once the stream drained
 * (--idle-ms, at most --max-drain-ms) and answers the counts.  Ends at
 * EOF on stdin (whoever runs it went away) or a signal.
 */
int
sink_serve(struct bench *b)
{
	struct sink_thread st;
	struct sink_totals t;
	uint64_t *sent;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	pthread_t th;
	int running = 0, rc;
	unsigned run;

	sink_free(b->sink); /* one flow per sender's flow, as it counts */
	if ((b->sink = sink_new(b->o->flows)) == NULL ||
	    (sent = calloc(b->o->flows, sizeof(*sent))) == NULL)
		die("out of memory");
	if (b->have_tl)
		b->sink->s_tl = &b->tl;
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!atomic_load(&stop_flag) &&
	       (n = getline(&line, &cap, stdin)) > 0) {
		char *p;

		if (sscanf(line, "start %u", &run) == 1 && !running) {
			sink_rx_flush(&b->srx);
			sink_reset(b->sink, (int)run);
			bench_timeline_start(b, gen_now_ns());
			memset(&st, 0, sizeof(st));
			st.b = b;
			if ((rc = pthread_create(&th, NULL, sink_main, &st)) !=
			    0)
				die("cannot start the sink thread: %s",
				    strerror(rc));
			running = 1;
			printf("ready\n");
		} else if (strcmp(line, "clock\n") == 0) {
			printf("clock %.9f\n", unix_now());
		} else if (sscanf(line, "timeline %u", &run) == 1 && !running &&
			   b->have_tl) {
			serve_timeline(b);
		} else if (sscanf(line, "stop %u", &run) == 1 && running &&
			   (p = strchr(line + 5, ' ')) != NULL) {
			memset(sent, 0, b->o->flows * sizeof(*sent));
			p++;
			for (unsigned i = 0; i < b->o->flows && *p; i++) {
				sent[i] = strtoull(p, &p, 10);
				if (*p == ',')
					p++;
			}
			atomic_store(&st.tx_done, 1);
			pthread_join(th, NULL);
			running = 0;
			if (st.rc < 0) {
				printf("error receiving on %s: %s\n",
				       b->rx.where, strerror(st.err));
				continue;
			}
			sink_totals(b->sink, sent, &t);
			printf("counts %llu %llu %llu %llu %llu %llu %llu %llu "
			       "%llu\n",
			       (unsigned long long)t.received,
			       (unsigned long long)t.lost,
			       (unsigned long long)t.reordered,
			       (unsigned long long)t.late,
			       (unsigned long long)t.duplicates,
			       (unsigned long long)t.flows_seen,
			       (unsigned long long)b->srx.rx_ring_drops,
			       (unsigned long long)b->sink->s_stale,
			       (unsigned long long)b->sink->s_foreign);
		} else {
			printf(
			    "error vrgen sink --serve: unexpected \"%.40s\"\n",
			    line);
		}
	}
	if (running) {
		atomic_store(&stop_flag, 1);
		pthread_join(th, NULL);
	}
	free(line);
	free(sent);
	return 0;
}

int
run_trial(struct bench *b, double rate, double duration_s, uint64_t count,
	  struct trial_out *out)
{
	struct ifcounters tx0, tx1, rx0, rx1;
	struct softnet sn0, sn1;
	struct gen_params p;
	struct sink_thread st;
	pthread_t th;
	char err[256];
	int txok, rxok, snok, caok, rc;
	struct cpuacct_self gen;
	double secs;

	memset(out, 0, sizeof(*out));
	out->offered = rate;
	out->duration_s = duration_s;
	out->run = b->o->run >= 0 ? (uint16_t)b->o->run
				  : (uint16_t)(b->run_base + b->ntrials);
	b->ntrials++;
	if (b->have_rx)
		sink_rx_flush(&b->srx);
	sink_reset(b->sink, out->run);
	memset(&st, 0, sizeof(st));
	st.b = b;
	txok = read_if(&b->tx, &tx0) == 0;
	rxok = b->have_rx && read_if(&b->rx, &rx0) == 0;
	snok = softnet_read(&sn0) == 0;
	/* a sink elsewhere first: its answer takes a round trip, which the
	 * schedule must not have to catch up with in a burst */
	if (b->o->rx_remote) {
		st.cpu.cpu = -1; /* not this host's CPU */
		rx_remote_start(out->run);
	}
	/* the intervals start with the sender's schedule: 1 ms ahead, time
	 * enough to start the sink */
	ivl_start(&b->iv_tx, gen_now_ns() + 1000000);
	ivl_start(&b->iv_rx, b->iv_tx.iv_origin_ns);
	bench_timeline_start(b, b->iv_tx.iv_origin_ns);
	caok = cpuacct_sample(b->ca0, b->watch, b->nwatch) == 0;
	gen.cpu_s = thread_cpu_s();
	if (!b->o->rx_remote &&
	    (rc = pthread_create(&th, NULL, sink_main, &st)) != 0)
		die("cannot start the sink thread: %s", strerror(rc));
	memset(&p, 0, sizeof(p));
	p.ivl = &b->iv_tx;
	p.start_ns = b->iv_tx.iv_origin_ns;
	p.rate = rate;
	p.count = count;
	p.duration_ns = (uint64_t)(duration_s * 1e9);
	p.burst = b->o->burst;
	p.run = out->run;
	out->gs.per_flow = b->sent_per_flow;
	rc = gen_run(&b->gtx, &b->frames, &p, &stop_flag, &out->gs, err,
		     sizeof(err));
	atomic_store(&st.tx_done, 1);
	if (b->o->rx_remote) {
		rx_remote_stop(b, out);
		if (b->have_tl)
			rx_remote_timeline(b, out->run);
	} else
		pthread_join(th, NULL);
	gen.cpu_s = thread_cpu_s() - gen.cpu_s;
	gen.cpu = sched_getcpu();
	caok = caok && cpuacct_sample(b->ca1, b->watch, b->nwatch) == 0;
	if (rc < 0) {
		fprintf(stderr, "vrgen: %s: %s\n", b->tx.where, err);
		out->error = 1;
		return -1;
	}
	if (st.rc < 0) {
		fprintf(stderr, "vrgen: receiving on %s: %s\n", b->rx.where,
			strerror(st.err));
		out->error = 1;
		return -1;
	}
	out->tx_if_ok = txok && read_if(&b->tx, &tx1) == 0;
	out->rx_if_ok = rxok && read_if(&b->rx, &rx1) == 0;
	out->sn_ok = snok && softnet_read(&sn1) == 0;
	if (out->tx_if_ok)
		ifcounters_delta(&tx1, &tx0, &out->tx_if);
	if (out->rx_if_ok)
		ifcounters_delta(&rx1, &rx0, &out->rx_if);
	if (out->sn_ok) {
		out->sn.processed = sn1.processed - sn0.processed;
		out->sn.dropped = sn1.dropped - sn0.dropped;
		out->sn.squeezed = sn1.squeezed - sn0.squeezed;
	}
	if (!b->o->rx_remote) {
		sink_totals(b->sink, b->sent_per_flow, &out->st);
		out->ring_drops = b->srx.rx_ring_drops;
		out->stale = b->sink->s_stale;
		out->foreign = b->sink->s_foreign;
		out->bad_flow = b->sink->s_bad_flow;
	}
	out->lat_p50 = hist_quantile(&b->sink->s_lat, 0.5);
	out->lat_p99 = hist_quantile(&b->sink->s_lat, 0.99);
	out->lat_max = b->sink->s_lat.h_max;
	secs = gen_rate_interval(&p, &out->gs, &out->rate_basis);
	out->rate_s = secs;
	out->achieved = secs > 0 ? (double)out->gs.sent / secs : 0;
	out->forwarded = secs > 0 ? (double)out->st.received / secs : 0;
	out->loss_ratio =
	    out->gs.sent ? (double)out->st.lost / (double)out->gs.sent : 0;
	trial_intervals(b, out);
	if ((out->cpu_ok = caok))
		cpuacct_derive(
		    b->ca0, b->ca1, b->watch, b->nwatch, &gen, &st.cpu,
		    out->st.received, out->loss_ratio,
		    search_trial_short(b->o->tx_tolerance, out->offered,
				       &(struct search_trial){
					   .sent = out->gs.sent,
					   .achieved_pps = out->achieved,
				       }),
		    b->car);
	if (out->cpu_ok && b->car->router_basis != NULL &&
	    strncmp(b->car->router_basis, "napi", 4) == 0 &&
	    irqtime_accounted() != 1)
		b->car->router_note =
		    "this kernel does not account softirq time "
		    "(CONFIG_IRQ_TIME_ACCOUNTING off or unknown): softirq is "
		    "sampled at ticks and billed to the thread it interrupted, "
		    "so the router's time reads low, often 0";
	return 0;
}

/*
 * Learning frames (RFC 2544 section 23): one frame per flow, under a run
 * id of their own, then a pause, so that the router's and the sink's
 * neighbour entries exist before the first measured frame.
 */
static void
warmup(struct bench *b)
{
	struct gen_params p;
	struct gen_stats gs;
	char err[256];

	memset(&p, 0, sizeof(p));
	p.rate = 10000;
	p.count = b->gcfg.flows < 1000 ? b->gcfg.flows : 1000;
	p.burst = 1;
	p.run = (uint16_t)(b->run_base - 1);
	memset(&gs, 0, sizeof(gs));
	if (gen_run(&b->gtx, &b->frames, &p, &stop_flag, &gs, err,
		    sizeof(err)) < 0)
		die("%s: %s", b->tx.where, err);
	usleep(200000);
}
