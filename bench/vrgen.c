/*
 * vrgen: traffic generator and sink for measuring virtual routers.
 *
 *   vrgen send  --dev IF [--netns NS] ... --rate PPS --duration S
 *   vrgen sink  --dev IF [--netns NS] --duration S | --until-idle MS
 *   vrgen trial --tx-netns NS --tx-dev IF --rx-netns NS --rx-dev IF ...
 *   vrgen sweep ... --rates LIST|FROM:TO:STEP
 *   vrgen ndr   ... [--loss RATIO] [--latency-at P1,P2,...]
 *
 * See docs/vrgen.md for the options and the JSON it prints.
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

#define VRGEN_VERSION	 "1.0"
#define DEFAULT_DST_IP	 "198.18.2.2"
#define DEFAULT_BURST	 32
#define DEFAULT_IDLE_MS	 100
#define DEFAULT_DRAIN_MS 2000

atomic_int stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop_flag, 1);
}

/* The send path, and why AF_XDP was not used when auto fell back from it
 * (null when it did not), in every line that names a path. */
void
json_tx_path(struct jw *w, const struct gen_tx *tx)
{
	jw_str(w, "tx_path", gen_tx_describe(tx));
	if (tx->tx_fallback[0] != '\0')
		jw_str(w, "tx_fallback", tx->tx_fallback);
	else
		jw_null(w, "tx_fallback");
}

/* ---- options -------------------------------------------------------------
 */

struct opts {
	const char *verb;
	const char *dev, *netns;       /* send, sink */
	const char *tx_dev, *tx_netns; /* trial, sweep, ndr */
	const char *rx_dev, *rx_netns;
	const char *dst_mac, *gateway, *src_ip, *dst_ip;
	const char *frame;
	const char *rates;
	unsigned flows, src_ips, burst, ring_mib, max_trials;
	unsigned src_port, dst_port;
	int udp_csum, no_bypass, json, per_flow, run;
	int tx_kind; /* enum gen_tx_kind */
	int cpu, rx_cpu;
	double rate, duration;
	uint64_t count;
	unsigned idle_ms, max_drain_ms, until_idle_ms;
	/* search */
	double loss, precision, min_rate, max_rate, trial_s, final_s;
	double tx_tolerance;
	unsigned lat_pct[BENCH_LAT_AT_MAX], n_lat; /* --latency-at */
	const char *watch; /* --watch: the topology's threads */
};

void
usage(FILE *f)
{
	fputs("usage: vrgen send  --dev IF [--netns NS] [frame options] "
	      "--rate PPS (--duration S | --count N)\n"
	      "       vrgen sink  --dev IF [--netns NS] (--duration S | "
	      "--until-idle MS) [--flows F]\n"
	      "       vrgen trial --tx-dev IF [--tx-netns NS] --rx-dev IF "
	      "[--rx-netns NS] [frame options] --rate PPS --duration S\n"
	      "       vrgen sweep ... --rates R1,R2,...|FROM:TO:STEP "
	      "--duration S\n"
	      "       vrgen ndr   ... [--loss RATIO] [--precision P] "
	      "[--min-rate PPS] [--max-rate PPS]\n"
	      "                   [--trial-duration S] [--final-duration S] "
	      "[--max-trials N]\n"
	      "                   [--latency-at P1,P2,... (percents of the "
	      "answer; 0: 1 %)]\n"
	      "frame options: [--dst-mac MAC | --gateway IP] [--src-ip A] "
	      "[--dst-ip B] [--flows F] [--src-ips K]\n"
	      "               [--src-port P] [--dst-port P] [--frame "
	      "64..1518|imix] [--udp-csum]\n"
	      "other: [--cpu N] [--rx-cpu N] [--tx auto|packet|xdp] "
	      "[--burst N] [--no-bypass]\n"
	      "       [--idle-ms MS] [--max-drain-ms MS] [--ring-mib N] "
	      "[--run ID] [--json] [--no-per-flow]\n"
	      "       [--watch TID:NODE:KIND:INDEX,...]\n"
	      "Rates are frames/s; --rate 0 sends as fast as possible.  See "
	      "docs/vrgen.md.\n",
	      f);
}

enum {
	O_DEV = 256,
	O_NETNS,
	O_TX_DEV,
	O_TX_NETNS,
	O_RX_DEV,
	O_RX_NETNS,
	O_DST_MAC,
	O_GATEWAY,
	O_SRC_IP,
	O_DST_IP,
	O_SRC_IPS,
	O_SRC_PORT,
	O_DST_PORT,
	O_FLOWS,
	O_FRAME,
	O_UDP_CSUM,
	O_RATE,
	O_DURATION,
	O_COUNT,
	O_CPU,
	O_RX_CPU,
	O_BURST,
	O_NO_BYPASS,
	O_TX_KIND,
	O_IDLE_MS,
	O_MAX_DRAIN_MS,
	O_UNTIL_IDLE,
	O_RING_MIB,
	O_RUN,
	O_JSON,
	O_NO_PER_FLOW,
	O_RATES,
	O_LOSS,
	O_PRECISION,
	O_MIN_RATE,
	O_MAX_RATE,
	O_TRIAL_S,
	O_FINAL_S,
	O_MAX_TRIALS,
	O_TX_TOL,
	O_LATENCY_AT,
	O_WATCH,
	O_HELP,
};

static const struct option long_opts[] = {
    {"dev", required_argument, NULL, O_DEV},
    {"netns", required_argument, NULL, O_NETNS},
    {"tx-dev", required_argument, NULL, O_TX_DEV},
    {"tx-netns", required_argument, NULL, O_TX_NETNS},
    {"rx-dev", required_argument, NULL, O_RX_DEV},
    {"rx-netns", required_argument, NULL, O_RX_NETNS},
    {"dst-mac", required_argument, NULL, O_DST_MAC},
    {"gateway", required_argument, NULL, O_GATEWAY},
    {"src-ip", required_argument, NULL, O_SRC_IP},
    {"dst-ip", required_argument, NULL, O_DST_IP},
    {"src-ips", required_argument, NULL, O_SRC_IPS},
    {"src-port", required_argument, NULL, O_SRC_PORT},
    {"dst-port", required_argument, NULL, O_DST_PORT},
    {"flows", required_argument, NULL, O_FLOWS},
    {"frame", required_argument, NULL, O_FRAME},
    {"udp-csum", no_argument, NULL, O_UDP_CSUM},
    {"rate", required_argument, NULL, O_RATE},
    {"duration", required_argument, NULL, O_DURATION},
    {"count", required_argument, NULL, O_COUNT},
    {"cpu", required_argument, NULL, O_CPU},
    {"rx-cpu", required_argument, NULL, O_RX_CPU},
    {"burst", required_argument, NULL, O_BURST},
    {"no-bypass", no_argument, NULL, O_NO_BYPASS},
    {"tx", required_argument, NULL, O_TX_KIND},
    {"idle-ms", required_argument, NULL, O_IDLE_MS},
    {"max-drain-ms", required_argument, NULL, O_MAX_DRAIN_MS},
    {"until-idle", required_argument, NULL, O_UNTIL_IDLE},
    {"ring-mib", required_argument, NULL, O_RING_MIB},
    {"run", required_argument, NULL, O_RUN},
    {"json", no_argument, NULL, O_JSON},
    {"no-per-flow", no_argument, NULL, O_NO_PER_FLOW},
    {"rates", required_argument, NULL, O_RATES},
    {"loss", required_argument, NULL, O_LOSS},
    {"precision", required_argument, NULL, O_PRECISION},
    {"min-rate", required_argument, NULL, O_MIN_RATE},
    {"max-rate", required_argument, NULL, O_MAX_RATE},
    {"trial-duration", required_argument, NULL, O_TRIAL_S},
    {"final-duration", required_argument, NULL, O_FINAL_S},
    {"max-trials", required_argument, NULL, O_MAX_TRIALS},
    {"tx-tolerance", required_argument, NULL, O_TX_TOL},
    {"latency-at", required_argument, NULL, O_LATENCY_AT},
    {"watch", required_argument, NULL, O_WATCH},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0},
};

void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs("vrgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double
num(const char *opt, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < lo ||
	    v > hi)
		die("--%s: expected a number in [%g, %g], got \"%s\"", opt, lo,
		    hi, s);
	return v;
}

void
opts_parse(struct opts *o, int argc, char **argv)
{
	char err[256];
	int c;

	memset(o, 0, sizeof(*o));
	o->flows = 1;
	o->src_ips = 1;
	o->burst = DEFAULT_BURST;
	o->src_port = 10000;
	o->dst_port = 9;
	o->cpu = -1;
	o->rx_cpu = -1;
	o->rate = -1;
	o->duration = -1;
	o->idle_ms = DEFAULT_IDLE_MS;
	o->max_drain_ms = DEFAULT_DRAIN_MS;
	o->per_flow = 1;
	o->run = -1;
	o->frame = "64";
	o->dst_ip = DEFAULT_DST_IP;
	o->precision = 0.01;
	o->trial_s = 1;
	o->final_s = -1;
	o->max_trials = 40;
	o->tx_tolerance = 0.01;
	if (argc < 2) {
		usage(stderr);
		exit(2);
	}
	o->verb = argv[1];
	if (strcmp(o->verb, "-h") == 0 || strcmp(o->verb, "--help") == 0 ||
	    strcmp(o->verb, "help") == 0) {
		usage(stdout);
		exit(0);
	}
	if (strcmp(o->verb, "--version") == 0 ||
	    strcmp(o->verb, "version") == 0) {
		printf("vrgen %s\n", VRGEN_VERSION);
		exit(0);
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case O_DEV:
			o->dev = optarg;
			break;
		case O_NETNS:
			o->netns = optarg;
			break;
		case O_TX_DEV:
			o->tx_dev = optarg;
			break;
		case O_TX_NETNS:
			o->tx_netns = optarg;
			break;
		case O_RX_DEV:
			o->rx_dev = optarg;
			break;
		case O_RX_NETNS:
			o->rx_netns = optarg;
			break;
		case O_DST_MAC:
			o->dst_mac = optarg;
			break;
		case O_GATEWAY:
			o->gateway = optarg;
			break;
		case O_SRC_IP:
			o->src_ip = optarg;
			break;
		case O_DST_IP:
			o->dst_ip = optarg;
			break;
		case O_SRC_IPS:
			o->src_ips = (unsigned)num("src-ips", optarg, 1, 65536);
			break;
		case O_SRC_PORT:
			o->src_port =
			    (unsigned)num("src-port", optarg, 1, 65535);
			break;
		case O_DST_PORT:
			o->dst_port =
			    (unsigned)num("dst-port", optarg, 1, 65535);
			break;
		case O_FLOWS:
			o->flows =
			    (unsigned)num("flows", optarg, 1, GEN_MAX_FLOWS);
			break;
		case O_FRAME:
			if (benchparam_frame(optarg, err, sizeof(err)) == -1)
				die("--frame: %s", err);
			o->frame = optarg;
			break;
		case O_UDP_CSUM:
			o->udp_csum = 1;
			break;
		case O_RATE:
			o->rate = num("rate", optarg, 0, BENCH_RATE_MAX);
			break;
		case O_DURATION:
			o->duration =
			    num("duration", optarg, 0.001, BENCH_DURATION_MAX);
			break;
		case O_COUNT:
			o->count = (uint64_t)num("count", optarg, 1, 1e15);
			break;
		case O_CPU:
			o->cpu = (int)num("cpu", optarg, 0, BENCH_CPU_MAX);
			break;
		case O_RX_CPU:
			o->rx_cpu =
			    (int)num("rx-cpu", optarg, 0, BENCH_CPU_MAX);
			break;
		case O_BURST:
			o->burst =
			    (unsigned)num("burst", optarg, 1, GEN_MAX_BURST);
			break;
		case O_NO_BYPASS:
			o->no_bypass = 1;
			break;
		case O_TX_KIND:
			o->tx_kind = gen_tx_kind_parse(optarg);
			if (o->tx_kind < 0)
				die("--tx: expected auto, packet or xdp, got "
				    "\"%s\"",
				    optarg);
			break;
		case O_IDLE_MS:
			o->idle_ms = (unsigned)num("idle-ms", optarg, 1, 60000);
			break;
		case O_MAX_DRAIN_MS:
			o->max_drain_ms =
			    (unsigned)num("max-drain-ms", optarg, 1, 600000);
			break;
		case O_UNTIL_IDLE:
			o->until_idle_ms =
			    (unsigned)num("until-idle", optarg, 1, 600000);
			break;
		case O_RING_MIB:
			o->ring_mib =
			    (unsigned)num("ring-mib", optarg, 1, 1024);
			break;
		case O_RUN:
			o->run = (int)num("run", optarg, 0, 65535);
			break;
		case O_JSON:
			o->json = 1;
			break;
		case O_NO_PER_FLOW:
			o->per_flow = 0;
			break;
		case O_RATES: /* all or nothing: never a sweep cut short */
			if (benchparam_rates(optarg, NULL, err, sizeof(err)) ==
			    -1)
				die("--rates: %s", err);
			o->rates = optarg;
			break;
		case O_LOSS:
			if (benchparam_loss(optarg, &o->loss, err,
					    sizeof(err)) == -1)
				die("--loss: %s", err);
			break;
		case O_PRECISION:
			o->precision = num("precision", optarg, 1e-4, 0.25);
			break;
		case O_MIN_RATE:
			o->min_rate =
			    num("min-rate", optarg, 1, BENCH_RATE_MAX);
			break;
		case O_MAX_RATE:
			o->max_rate =
			    num("max-rate", optarg, 1, BENCH_RATE_MAX);
			break;
		case O_TRIAL_S:
			o->trial_s = num("trial-duration", optarg, 0.01,
					 BENCH_TRIAL_MAX);
			break;
		case O_FINAL_S:
			o->final_s = num("final-duration", optarg, 0.01,
					 BENCH_DURATION_MAX);
			break;
		case O_MAX_TRIALS:
			o->max_trials =
			    (unsigned)num("max-trials", optarg, 2, 10000);
			break;
		case O_TX_TOL:
			o->tx_tolerance = num("tx-tolerance", optarg, 0, 0.5);
			break;
		case O_LATENCY_AT:
			if ((c = benchparam_percents(optarg, o->lat_pct, err,
						     sizeof(err))) == -1)
				die("--latency-at: %s", err);
			o->n_lat = (unsigned)c;
			break;
		case O_WATCH:
			o->watch = optarg;
			break;
		case 'h':
		case O_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument \"%s\" (try vrgen --help)",
		    argv[optind]);
	/* the qdisc is AF_PACKET's: asking for it picks that path */
	if (o->no_bypass && o->tx_kind == GEN_TX_XDP)
		die("--no-bypass sends through the qdisc, which AF_XDP never "
		    "does: use --tx packet (or auto) with it");
	if (o->no_bypass)
		o->tx_kind = GEN_TX_PACKET;
}

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

struct endpoint {
	const char *dev;
	const char *netns;
	char where[96];
	int ifindex;
	uint8_t mac[6];
	uint32_t ip;
	int stats_fd;
};

struct bench {
	struct opts *o;
	struct endpoint tx, rx;
	int have_tx, have_rx;
	struct gen_cfg gcfg;
	struct gen_frames frames;
	struct gen_tx gtx;
	struct sink_rx srx;
	struct sink *sink;
	uint64_t *sent_per_flow;
	struct ivl iv_tx, iv_rx; /* per-second counts of the current trial */
	cpu_set_t rx_cpus;
	uint16_t run_base;
	unsigned ntrials;
	struct jw jw;
	/* what the CPUs did in the last trial (cpuacct.h) */
	struct cpuacct_watch watch[CPUACCT_MAX_WATCH];
	int nwatch;
	struct cpuacct_sample *ca0, *ca1;
	struct cpuacct_result *car;
};

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
	if (want_rx) {
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
	free(b->ca0);
	free(b->ca1);
	free(b->car);
}

/* ---- a trial ------------------------------------------------------------ */

struct trial_out {
	double offered;
	double duration_s;
	uint16_t run;
	struct gen_stats gs;
	struct sink_totals st;
	struct ifcounters tx_if, rx_if;
	int tx_if_ok, rx_if_ok;
	struct softnet sn;
	int sn_ok;
	uint64_t ring_drops, stale, foreign, bad_flow;
	double rate_s;		/* the interval the rates are over */
	const char *rate_basis; /* gen_rate_interval's basis */
	double achieved, forwarded, loss_ratio;
	uint64_t lat_p50, lat_p99, lat_max; /* ns */
	unsigned iv_n;	/* intervals in b->iv_tx/iv_rx (see trial_intervals) */
	double iv_span; /* seconds they cover */
	int cpu_ok;	/* b->car holds this trial's CPU accounting */
	int error;
};

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
	sink_rx_flush(&b->srx);
	sink_reset(b->sink, out->run);
	memset(&st, 0, sizeof(st));
	st.b = b;
	txok = read_if(&b->tx, &tx0) == 0;
	rxok = read_if(&b->rx, &rx0) == 0;
	snok = softnet_read(&sn0) == 0;
	/* the intervals start with the sender's schedule: 1 ms ahead, time
	 * enough to start the sink */
	ivl_start(&b->iv_tx, gen_now_ns() + 1000000);
	ivl_start(&b->iv_rx, b->iv_tx.iv_origin_ns);
	caok = cpuacct_sample(b->ca0, b->watch, b->nwatch) == 0;
	gen.cpu_s = thread_cpu_s();
	if ((rc = pthread_create(&th, NULL, sink_main, &st)) != 0)
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
	sink_totals(b->sink, b->sent_per_flow, &out->st);
	out->ring_drops = b->srx.rx_ring_drops;
	out->stale = b->sink->s_stale;
	out->foreign = b->sink->s_foreign;
	out->bad_flow = b->sink->s_bad_flow;
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

/* ---- output ------------------------------------------------------------- */

void
json_if(struct jw *w, const char *key, const struct endpoint *e,
	const struct ifcounters *c)
{
	jw_obj(w, key);
	jw_str(w, "name", e->dev);
	if (e->netns != NULL)
		jw_str(w, "netns", e->netns);
	jw_u64(w, "tx_packets", c->tx_packets);
	jw_u64(w, "tx_bytes", c->tx_bytes);
	jw_u64(w, "tx_dropped", c->tx_dropped);
	jw_u64(w, "tx_errors", c->tx_errors);
	jw_u64(w, "rx_packets", c->rx_packets);
	jw_u64(w, "rx_bytes", c->rx_bytes);
	jw_u64(w, "rx_dropped", c->rx_dropped);
	jw_u64(w, "rx_errors", c->rx_errors);
	jw_end(w);
}

/* The non-empty buckets, [lo, hi) in microseconds: a bucket holds the
 * whole nanoseconds lo_ns..hi_ns (stats.h: within 1/64 of each other). */
static void
json_histogram(struct jw *w, const struct hist *h)
{
	static struct hist_bucket bk[HIST_BUCKETS];
	unsigned n = hist_nonempty(h, bk, HIST_BUCKETS), i;

	jw_obj(w, "histogram");
	jw_str(w, "unit", "us");
	jw_arr(w, "buckets");
	for (i = 0; i < n; i++) {
		jw_arr(w, NULL);
		jw_dbl(w, NULL, (double)bk[i].lo / 1e3);
		jw_dbl(w, NULL, (double)(bk[i].hi + 1) / 1e3);
		jw_u64(w, NULL, bk[i].count);
		jw_arr_end(w);
	}
	jw_arr_end(w);
	jw_end(w);
}

void
json_latency(struct jw *w, const struct hist *h)
{
	jw_obj(w, "latency_us");
	jw_u64(w, "samples", h->h_count);
	if (h->h_count) {
		jw_dbl(w, "min", (double)h->h_min / 1e3);
		jw_dbl(w, "mean", round(hist_mean(h) / 10) / 100);
		jw_dbl(w, "p50", (double)hist_quantile(h, 0.5) / 1e3);
		jw_dbl(w, "p90", (double)hist_quantile(h, 0.9) / 1e3);
		jw_dbl(w, "p99", (double)hist_quantile(h, 0.99) / 1e3);
		jw_dbl(w, "p999", (double)hist_quantile(h, 0.999) / 1e3);
		jw_dbl(w, "max", (double)h->h_max / 1e3);
	}
	json_histogram(w, h);
	jw_end(w);
}

void
json_per_flow(struct jw *w, const struct sink *s, const uint64_t *sent)
{
	unsigned i;

	jw_arr(w, "per_flow");
	for (i = 0; i < s->s_nflows; i++) {
		const struct sink_flow *f = &s->s_flows[i];

		if (sent == NULL && f->sf_received == 0 && f->sf_dups == 0)
			continue;
		jw_obj(w, NULL);
		jw_u64(w, "flow", i);
		if (sent != NULL)
			jw_u64(w, "sent", sent[i]);
		jw_u64(w, "received", f->sf_received);
		jw_u64(w, "lost", sink_flow_lost(f, sent ? sent[i] : 0));
		jw_u64(w, "reordered", f->sf_reordered);
		jw_u64(w, "duplicates", f->sf_dups);
		jw_end(w);
	}
	jw_arr_end(w);
}

/* Sent and received pps each second, and how steady the received rate
 * was over the whole seconds (all intervals when none is whole). */
static void
json_intervals(struct jw *w, const struct bench *b, const struct trial_out *t)
{
	static double pps[2 * BENCH_DURATION_MAX + 4];
	struct ivl_stability sb;
	unsigned i, whole = 0;

	jw_arr(w, "intervals");
	for (i = 0; i < t->iv_n; i++) {
		double len = i + 1 < t->iv_n ? 1 : t->iv_span - i;

		jw_obj(w, NULL);
		jw_u64(w, "t_s", i);
		jw_dbl(w, "sent_pps",
		       round((double)b->iv_tx.iv_count[i] / len));
		jw_dbl(w, "received_pps",
		       round((double)b->iv_rx.iv_count[i] / len));
		jw_end(w);
		if (len >= 0.95)
			pps[whole++] = (double)b->iv_rx.iv_count[i] / len;
	}
	jw_arr_end(w);
	if (whole == 0)
		for (i = 0; i < t->iv_n; i++)
			pps[whole++] =
			    (double)b->iv_rx.iv_count[i] / t->iv_span;
	ivl_stability(pps, whole, &sb);
	jw_obj(w, "stability");
	jw_dbl(w, "received_pps_cv", round(sb.cv * 1e4) / 1e4);
	jw_dbl(w, "min_pps", round(sb.min));
	jw_dbl(w, "max_pps", round(sb.max));
	jw_end(w);
}

void
json_trial_obj(struct bench *b, const char *key, const struct trial_out *t,
	       const struct search_step *step, int pass)
{
	struct jw *w = &b->jw;

	jw_obj(w, key);
	jw_str(w, "type", "trial");
	if (step != NULL) {
		jw_u64(w, "index", step->index);
		jw_str(w, "phase", search_phase_name(step->phase));
	}
	jw_u64(w, "run", t->run);
	jw_dbl(w, "offered_pps", t->offered);
	jw_dbl(w, "duration_s", t->duration_s);
	jw_str(w, "frame", b->o->frame);
	json_tx_path(w, &b->gtx);
	jw_dbl(w, "mean_frame_bytes", gen_mean_frame(&b->gcfg));
	jw_u64(w, "flows", b->gcfg.flows);
	jw_u64(w, "sent", t->gs.sent);
	jw_u64(w, "received", t->st.received);
	jw_u64(w, "lost", t->st.lost);
	jw_dbl(w, "loss_ratio", t->loss_ratio);
	jw_u64(w, "reordered", t->st.reordered);
	jw_u64(w, "late", t->st.late);
	jw_u64(w, "duplicates", t->st.duplicates);
	jw_dbl(w, "achieved_pps", round(t->achieved));
	jw_bool(w, "short",
		search_trial_short(b->o->tx_tolerance, t->offered,
				   &(struct search_trial){
				       .sent = t->gs.sent,
				       .achieved_pps = t->achieved,
				   }));
	jw_dbl(w, "forwarded_pps", round(t->forwarded));
	jw_dbl(w, "tx_seconds", (double)(t->gs.t_end - t->gs.t_start) / 1e9);
	jw_dbl(w, "rate_interval_s", t->rate_s);
	jw_str(w, "rate_basis", t->rate_basis);
	jw_u64(w, "tx_bytes", t->gs.bytes);
	jw_u64(w, "tx_retries", t->gs.retries);
	jw_u64(w, "tx_late_bursts", t->gs.late_bursts);
	jw_u64(w, "burst", gen_auto_burst(t->offered, b->o->burst));
	json_latency(w, &b->sink->s_lat);
	jw_u64(w, "sink_ring_drops", t->ring_drops);
	jw_u64(w, "stale", t->stale);
	jw_u64(w, "foreign", t->foreign);
	if (t->tx_if_ok)
		json_if(w, "tx_if", &b->tx, &t->tx_if);
	if (t->rx_if_ok)
		json_if(w, "rx_if", &b->rx, &t->rx_if);
	if (t->sn_ok) {
		jw_obj(w, "softnet");
		jw_u64(w, "processed", t->sn.processed);
		jw_u64(w, "dropped", t->sn.dropped);
		jw_u64(w, "time_squeeze", t->sn.squeezed);
		jw_end(w);
	}
	if (t->cpu_ok)
		cpuacct_json(w, b->car);
	if (step != NULL)
		jw_bool(w, "pass", pass);
	json_intervals(w, b, t);
	if (b->o->per_flow)
		json_per_flow(w, b->sink, b->sent_per_flow);
	jw_end(w);
}

void
json_trial(struct bench *b, const struct trial_out *t,
	   const struct search_step *step, int pass)
{
	json_trial_obj(b, NULL, t, step, pass);
}

void
human_header(void)
{
	printf("%5s %-8s %12s %12s %12s %12s %9s %9s %9s %9s %5s\n", "trial",
	       "phase", "offered_pps", "achieved", "sent", "received", "loss_%",
	       "p50_us", "p99_us", "max_us", "pass");
}

void
human_trial(struct bench *b, const struct trial_out *t,
	    const struct search_step *step, int pass)
{
	const struct hist *h = &b->sink->s_lat;

	printf("%5u %-8s %12.0f %12.0f %12llu %12llu %9.4f %9.1f %9.1f %9.1f "
	       "%5s\n",
	       step ? step->index : b->ntrials,
	       step ? search_phase_name(step->phase) : "-", t->offered,
	       t->achieved, (unsigned long long)t->gs.sent,
	       (unsigned long long)t->st.received, t->loss_ratio * 100,
	       (double)hist_quantile(h, 0.5) / 1e3,
	       (double)hist_quantile(h, 0.99) / 1e3, (double)h->h_max / 1e3,
	       step ? (pass ? "yes" : "no") : "-");
	if (t->ring_drops)
		printf("      warning: the sink's ring dropped %llu frames "
		       "(raise --ring-mib or give the sink a CPU)\n",
		       (unsigned long long)t->ring_drops);
	if (t->cpu_ok)
		printf("      busiest: %s at %.0f %%; bounded by: %s\n",
		       b->car->busiest, b->car->busiest_pct,
		       b->car->bounded_by);
	fflush(stdout);
}

/* ---- verbs -------------------------------------------------------------- */

static void
need(const char *what, const void *v, const char *verb)
{
	if (v == NULL)
		die("%s needs %s (try vrgen --help)", verb, what);
}

static int
cmd_send(struct opts *o)
{
	struct bench b;
	struct ifcounters c0, c1, d;
	struct gen_params p;
	struct gen_stats gs;
	const char *basis;
	char err[256];
	int ok0, rc;
	double secs;

	need("--dev", o->dev, "send");
	if (o->rate < 0)
		die("send needs --rate PPS (0: as fast as possible)");
	if (o->duration < 0 && o->count == 0)
		die("send needs --duration S or --count N");
	bench_setup(&b, o, 1, 0);
	memset(&p, 0, sizeof(p));
	p.rate = o->rate;
	p.count = o->count;
	p.duration_ns = o->duration > 0 ? (uint64_t)(o->duration * 1e9) : 0;
	p.burst = o->burst;
	p.run = (uint16_t)(o->run >= 0 ? o->run : 0);
	memset(&gs, 0, sizeof(gs));
	gs.per_flow = b.sent_per_flow;
	ok0 = read_if(&b.tx, &c0) == 0;
	rc = gen_run(&b.gtx, &b.frames, &p, &stop_flag, &gs, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "vrgen: %s: %s\n", b.tx.where, err);
	secs = gen_rate_interval(&p, &gs, &basis);
	if (o->json) {
		struct jw *w = &b.jw;
		unsigned i;

		jw_obj(w, NULL);
		jw_str(w, "type", "send");
		jw_u64(w, "run", p.run);
		jw_dbl(w, "offered_pps", o->rate);
		jw_str(w, "frame", o->frame);
		json_tx_path(w, &b.gtx);
		jw_u64(w, "flows", o->flows);
		jw_u64(w, "sent", gs.sent);
		jw_u64(w, "tx_bytes", gs.bytes);
		jw_dbl(w, "tx_seconds", (double)(gs.t_end - gs.t_start) / 1e9);
		jw_dbl(w, "rate_interval_s", secs);
		jw_str(w, "rate_basis", basis);
		jw_dbl(w, "achieved_pps",
		       secs > 0 ? round((double)gs.sent / secs) : 0);
		jw_u64(w, "tx_retries", gs.retries);
		jw_u64(w, "tx_calls", gs.calls);
		jw_u64(w, "tx_late_bursts", gs.late_bursts);
		jw_u64(w, "burst", gen_auto_burst(o->rate, o->burst));
		if (ok0 && read_if(&b.tx, &c1) == 0) {
			ifcounters_delta(&c1, &c0, &d);
			json_if(w, "tx_if", &b.tx, &d);
		}
		if (o->per_flow) {
			jw_arr(w, "per_flow_sent");
			for (i = 0; i < o->flows; i++)
				jw_u64(w, NULL, b.sent_per_flow[i]);
			jw_arr_end(w);
		}
		jw_end(w);
	} else {
		printf("sent %llu frames in %.3f s: %.0f pps (offered %.0f), "
		       "%llu retries, %s\n",
		       (unsigned long long)gs.sent, secs,
		       secs > 0 ? (double)gs.sent / secs : 0, o->rate,
		       (unsigned long long)gs.retries, gen_tx_describe(&b.gtx));
	}
	bench_free(&b);
	return rc < 0 ? 1 : 0;
}

static int
cmd_sink(struct opts *o)
{
	struct bench b;
	struct ifcounters c0, c1, d;
	struct softnet sn0, sn1;
	struct sink_until u;
	struct sink_totals t;
	int ok0, snok, rc;

	need("--dev", o->dev, "sink");
	if (o->duration < 0 && o->until_idle_ms == 0)
		die("sink needs --duration S or --until-idle MS");
	bench_setup(&b, o, 0, 1);
	pin_self(o->rx_cpu, "sink");
	sink_reset(b.sink, o->run);
	memset(&u, 0, sizeof(u));
	u.stop = &stop_flag;
	if (o->duration > 0)
		u.deadline_ns = gen_now_ns() + (uint64_t)(o->duration * 1e9);
	if (o->until_idle_ms) {
		u.idle_ms = o->until_idle_ms;
	} else {
		u.tx_done = &stop_flag; /* never idle-terminates */
		u.idle_ms = UINT32_MAX / 2;
	}
	ok0 = read_if(&b.rx, &c0) == 0;
	snok = softnet_read(&sn0) == 0;
	rc = sink_rx_run(&b.srx, b.sink, &u);
	if (rc < 0)
		fprintf(stderr, "vrgen: receiving on %s: %s\n", b.rx.where,
			strerror(errno));
	sink_totals(b.sink, NULL, &t);
	if (o->json) {
		struct jw *w = &b.jw;
		double secs =
		    (double)(b.sink->s_last_ns - b.sink->s_first_ns) / 1e9;

		jw_obj(w, NULL);
		jw_str(w, "type", "sink");
		jw_u64(w, "received", t.received);
		jw_u64(w, "lost", t.lost);
		jw_u64(w, "reordered", t.reordered);
		jw_u64(w, "late", t.late);
		jw_u64(w, "duplicates", t.duplicates);
		jw_u64(w, "flows_seen", t.flows_seen);
		jw_u64(w, "rx_bytes", b.sink->s_bytes);
		jw_dbl(w, "rx_seconds", secs);
		jw_dbl(w, "received_pps",
		       secs > 0 ? round((double)t.received / secs) : 0);
		json_latency(w, &b.sink->s_lat);
		jw_u64(w, "sink_ring_drops", b.srx.rx_ring_drops);
		jw_u64(w, "stale", b.sink->s_stale);
		jw_u64(w, "foreign", b.sink->s_foreign);
		if (ok0 && read_if(&b.rx, &c1) == 0) {
			ifcounters_delta(&c1, &c0, &d);
			json_if(w, "rx_if", &b.rx, &d);
		}
		if (snok && softnet_read(&sn1) == 0) {
			jw_obj(w, "softnet");
			jw_u64(w, "processed", sn1.processed - sn0.processed);
			jw_u64(w, "dropped", sn1.dropped - sn0.dropped);
			jw_u64(w, "time_squeeze", sn1.squeezed - sn0.squeezed);
			jw_end(w);
		}
		if (o->per_flow)
			json_per_flow(w, b.sink, NULL);
		jw_end(w);
	} else {
		const struct hist *h = &b.sink->s_lat;

		printf("received %llu frames in %llu flows: %llu lost "
		       "(sequence gaps), %llu reordered, %llu duplicates; "
		       "latency p50 %.1f p99 %.1f max %.1f us\n",
		       (unsigned long long)t.received,
		       (unsigned long long)t.flows_seen,
		       (unsigned long long)t.lost,
		       (unsigned long long)t.reordered,
		       (unsigned long long)t.duplicates,
		       (double)hist_quantile(h, 0.5) / 1e3,
		       (double)hist_quantile(h, 0.99) / 1e3,
		       (double)h->h_max / 1e3);
	}
	bench_free(&b);
	return rc < 0 ? 1 : 0;
}

static void
need_pair(struct opts *o)
{
	need("--tx-dev", o->tx_dev, o->verb);
	need("--rx-dev", o->rx_dev, o->verb);
}

static int
cmd_trial(struct opts *o)
{
	struct bench b;
	struct trial_out t;
	int rc;

	need_pair(o);
	if (o->rate < 0)
		die("trial needs --rate PPS (0: as fast as possible)");
	if (o->duration < 0 && o->count == 0)
		die("trial needs --duration S or --count N");
	bench_setup(&b, o, 1, 1);
	rc = run_trial(&b, o->rate, o->duration > 0 ? o->duration : 0, o->count,
		       &t);
	if (rc == 0) {
		if (o->json) {
			json_trial(&b, &t, NULL, 0);
		} else {
			human_header();
			human_trial(&b, &t, NULL, 0);
		}
	}
	bench_free(&b);
	return rc < 0 ? 1 : 0;
}

static int
cmd_sweep(struct opts *o)
{
	static double rates[BENCH_RATES_MAX];
	struct bench b;
	struct trial_out t;
	char err[256];
	unsigned n, i, done = 0;
	int rc = 0;

	need_pair(o);
	need("--rates", o->rates, "sweep");
	if (o->duration < 0)
		o->duration = 1;
	/* every rate or none (lib/benchparam.c: at most BENCH_RATES_MAX) */
	if ((rc = benchparam_rates(o->rates, rates, err, sizeof(err))) < 0)
		die("--rates: %s", err);
	n = (unsigned)rc;
	rc = 0;
	bench_setup(&b, o, 1, 1);
	if (!o->json)
		human_header();
	for (i = 0; i < n && !atomic_load(&stop_flag); i++) {
		if (run_trial(&b, rates[i], o->duration, 0, &t) < 0) {
			rc = -1;
			break;
		}
		if (o->json)
			json_trial(&b, &t, NULL, 0);
		else
			human_trial(&b, &t, NULL, 0);
		done++;
	}
	if (o->json) {
		struct jw *w = &b.jw;

		jw_obj(w, NULL);
		jw_str(w, "type", "result");
		jw_str(w, "mode", "sweep");
		jw_u64(w, "trials", done);
		jw_bool(w, "complete", done == n);
		jw_end(w);
	}
	bench_free(&b);
	return rc < 0 || done < n ? 1 : 0;
}

struct ndr_ctx {
	struct bench *b;
	struct search_cfg *cfg;
	struct trial_out last_confirm;
	int have_confirm;
};

static int
ndr_trial(void *arg, const struct search_step *step, struct search_trial *r)
{
	struct ndr_ctx *x = arg;
	struct trial_out t;
	int pass;

	if (atomic_load(&stop_flag))
		return -1;
	if (run_trial(x->b, step->rate, step->duration_s, 0, &t) < 0)
		return -1;
	r->sent = t.gs.sent;
	r->received = t.st.received;
	r->achieved_pps = t.achieved;
	pass = search_trial_pass(x->cfg, step->rate, r);
	if (x->b->o->json)
		json_trial(x->b, &t, step, pass);
	else
		human_trial(x->b, &t, step, pass);
	/* the answer is the last rate that passed a full-length trial */
	if (pass && step->duration_s >= x->cfg->final_s) {
		x->last_confirm = t;
		x->have_confirm = 1;
	}
	return 0;
}

/* One latency-at trial's figures, for the text table. */
struct lat_row {
	unsigned percent;
	double offered;
	uint64_t p50, p90, p99, p999, max; /* ns */
	uint64_t samples;
};

/*
 * --latency-at: after the search, one trial of the final duration at each
 * percent of the answer (search_latency_rate), each a line
 * {"type":"latency_at","percent","offered_pps","trial":{...}}.  Returns
 * the rows run (fewer when stopped or a trial failed).
 */
static unsigned
latency_at_run(struct bench *b, double answer, double dur, struct lat_row *rows)
{
	struct trial_out t;
	unsigned i, n = 0;

	for (i = 0; i < b->o->n_lat && !atomic_load(&stop_flag); i++) {
		struct lat_row *r = &rows[n];
		const struct hist *h = &b->sink->s_lat;

		r->percent = b->o->lat_pct[i];
		r->offered = search_latency_rate(answer, r->percent);
		if (run_trial(b, r->offered, dur, 0, &t) < 0)
			break;
		r->p50 = hist_quantile(h, 0.5);
		r->p90 = hist_quantile(h, 0.9);
		r->p99 = hist_quantile(h, 0.99);
		r->p999 = hist_quantile(h, 0.999);
		r->max = h->h_count ? h->h_max : 0;
		r->samples = h->h_count;
		n++;
		if (b->o->json) {
			jw_obj(&b->jw, NULL);
			jw_str(&b->jw, "type", "latency_at");
			jw_u64(&b->jw, "percent", r->percent);
			jw_dbl(&b->jw, "offered_pps", r->offered);
			json_trial_obj(b, "trial", &t, NULL, 0);
			jw_end(&b->jw);
		}
	}
	return n;
}

static void
latency_at_print(const struct lat_row *rows, unsigned n)
{
	unsigned i;

	printf("%7s %12s %10s %9s %9s %9s %9s %9s\n", "PERCENT", "OFFERED_PPS",
	       "SAMPLES", "P50_US", "P90_US", "P99_US", "P99.9_US", "MAX_US");
	for (i = 0; i < n; i++)
		printf("%7u %12.0f %10llu %9.1f %9.1f %9.1f %9.1f %9.1f\n",
		       rows[i].percent, rows[i].offered,
		       (unsigned long long)rows[i].samples,
		       (double)rows[i].p50 / 1e3, (double)rows[i].p90 / 1e3,
		       (double)rows[i].p99 / 1e3, (double)rows[i].p999 / 1e3,
		       (double)rows[i].max / 1e3);
}

static int
cmd_ndr(struct opts *o)
{
	struct lat_row rows[BENCH_LAT_AT_MAX];
	unsigned nrows = 0;
	struct search_cfg cfg;
	struct search_result r;
	struct ndr_ctx x;
	struct bench b;
	const char *bad, *key = o->loss > 0 ? "pdr_pps" : "ndr_pps";

	need_pair(o);
	search_cfg_default(&cfg);
	cfg.loss_ratio = o->loss;
	cfg.precision = o->precision;
	cfg.max_rate = o->max_rate > 0 ? o->max_rate : 1e6;
	cfg.min_rate =
	    o->min_rate > 0 ? o->min_rate : fmin(1000, cfg.max_rate / 100);
	cfg.trial_s = o->trial_s;
	cfg.final_s =
	    o->final_s > 0 ? o->final_s : (o->duration > 0 ? o->duration : 10);
	cfg.max_trials = o->max_trials;
	cfg.tx_tolerance = o->tx_tolerance;
	if ((bad = search_cfg_check(&cfg)) != NULL)
		die("ndr: %s", bad);
	bench_setup(&b, o, 1, 1);
	memset(&x, 0, sizeof(x));
	x.b = &b;
	x.cfg = &cfg;
	if (!o->json)
		human_header();
	search_run(&cfg, ndr_trial, &x, &r);
	if (o->n_lat > 0 && r.rate > 0 && r.status != SEARCH_ABORTED)
		nrows = latency_at_run(&b, r.rate, cfg.final_s, rows);
	if (o->json) {
		struct jw *w = &b.jw;

		jw_obj(w, NULL);
		jw_str(w, "type", "result");
		jw_str(w, "mode", o->loss > 0 ? "pdr" : "ndr");
		jw_dbl(w, key, round(r.rate));
		jw_str(w, "status", search_status_name(r.status));
		jw_dbl(w, "loss_ratio_allowed", cfg.loss_ratio);
		jw_dbl(w, "lower_pps", round(r.lower));
		jw_dbl(w, "upper_pps", round(r.upper));
		jw_dbl(w, "precision", cfg.precision);
		jw_dbl(w, "min_rate_pps", cfg.min_rate);
		jw_dbl(w, "max_rate_pps", cfg.max_rate);
		jw_dbl(w, "trial_s", cfg.trial_s);
		jw_dbl(w, "final_s", cfg.final_s);
		jw_u64(w, "trials", r.trials);
		jw_bool(w, "confirmed", r.confirmed);
		jw_bool(w, "generator_limited", r.generator_limited);
		jw_u64(w, "short_trials", r.short_trials);
		json_tx_path(w, &b.gtx);
		jw_str(w, "frame", o->frame);
		jw_u64(w, "flows", o->flows);
		if (x.have_confirm && x.last_confirm.offered == r.rate) {
			const struct trial_out *f = &x.last_confirm;

			jw_obj(w, "final_trial");
			jw_dbl(w, "offered_pps", f->offered);
			jw_dbl(w, "duration_s", f->duration_s);
			jw_u64(w, "sent", f->gs.sent);
			jw_u64(w, "received", f->st.received);
			jw_dbl(w, "loss_ratio", f->loss_ratio);
			jw_dbl(w, "achieved_pps", round(f->achieved));
			jw_obj(w, "latency_us");
			jw_dbl(w, "p50", (double)f->lat_p50 / 1e3);
			jw_dbl(w, "p99", (double)f->lat_p99 / 1e3);
			jw_dbl(w, "max", (double)f->lat_max / 1e3);
			jw_end(w);
			jw_end(w);
		}
		jw_end(w);
	} else {
		printf("%s: %.0f pps (%s; bracket %.0f..%.0f, %u trials%s%s)\n",
		       o->loss > 0 ? "PDR" : "NDR", r.rate,
		       search_status_name(r.status), r.lower, r.upper, r.trials,
		       r.confirmed ? ", confirmed" : "",
		       r.generator_limited ? ", generator limited" : "");
		if (o->n_lat > 0 && r.rate > 0)
			latency_at_print(rows, nrows);
		else if (o->n_lat > 0)
			printf("no answer: no latency-at trials\n");
	}
	bench_free(&b);
	return r.status == SEARCH_ABORTED ? 1 : 0;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct opts o;

	opts_parse(&o, argc, argv);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(o.verb, "send") == 0)
		return cmd_send(&o);
	if (strcmp(o.verb, "sink") == 0)
		return cmd_sink(&o);
	if (strcmp(o.verb, "trial") == 0)
		return cmd_trial(&o);
	if (strcmp(o.verb, "sweep") == 0)
		return cmd_sweep(&o);
	if (strcmp(o.verb, "ndr") == 0 || strcmp(o.verb, "pdr") == 0) {
		if (strcmp(o.verb, "pdr") == 0 && o.loss == 0)
			o.loss = 0.005;
		return cmd_ndr(&o);
	}
	fprintf(stderr, "vrgen: unknown command \"%s\"\n", o.verb);
	usage(stderr);
	return 2;
}
