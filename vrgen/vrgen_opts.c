/*
 * vrgen's command line: the usage text, the options of its five commands
 * (docs/vrgen.md) and their checks, into struct opts; die() for a fatal
 * error of any part.
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

/* ---- options -------------------------------------------------------------
 */

void
usage(FILE *f)
{
	fputs("usage: vrgen send  --dev IF [--netns NS] [frame options] "
	      "--rate PPS (--duration S | --count N)\n"
	      "       vrgen sink  --dev IF [--netns NS] (--duration S | "
	      "--until-idle MS | --serve) [--flows F]\n"
	      "       vrgen trial --tx-dev IF [--tx-netns NS] --rx-dev IF "
	      "[--rx-netns NS] [frame options] --rate PPS --duration S\n"
	      "       vrgen trial|sweep|ndr ... --rx-remote (no --rx-dev: the "
	      "sink is a sink --serve\n"
	      "                   elsewhere, its lines through stdin and "
	      "stdout)\n"
	      "       vrgen sweep ... --rates R1,R2,...|FROM:TO:STEP "
	      "--duration S\n"
	      "       vrgen ndr   ... [--loss RATIO] [--precision P] "
	      "[--min-rate PPS] [--max-rate PPS]\n"
	      "                   [--trial-duration S] [--final-duration S] "
	      "[--max-trials N]\n"
	      "                   [--latency-at P1,P2,... (percents of the "
	      "answer; 0: 1 %)]\n"
	      "       vrgen timeline ... --rate PPS --duration S [--bin-ms MS]"
	      "\n"
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
	O_BIN_MS,
	O_RX_REMOTE,
	O_SERVE,
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
    {"bin-ms", required_argument, NULL, O_BIN_MS},
    {"rx-remote", no_argument, NULL, O_RX_REMOTE},
    {"serve", no_argument, NULL, O_SERVE},
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
		case O_RX_REMOTE:
			o->rx_remote = 1;
			break;
		case O_SERVE:
			o->serve = 1;
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
		case O_BIN_MS: {
			double ms = num("bin-ms", optarg, 1, BENCH_BIN_MS_MAX);

			if (ms != floor(ms))
				die("--bin-ms: whole milliseconds, got \"%s\"",
				    optarg);
			o->bin_ms = (unsigned)ms;
			break;
		}
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
