/*
 * Measuring: `bench NAME` (the daemon's bench method: a sweep or an
 * NDR/PDR search by vrgen against a running topology), `bench compare
 * DIR...` (several runs in one table and one plot) and `experiment FILE`
 * (a matrix of start options, each started, benchmarked and stopped, then
 * compared).  What is written where: docs/bench.md; the files: figures.c;
 * `bench compare` and the comparisons: compare.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jtext.h"
#include "benchparam.h"
#include "proto.h"
#include "summary.h"
#include "util.h"
#include "vrctl.h"

enum {
	OPT_SWEEP = 1200,
	OPT_NDR,
	OPT_LOSS,
	OPT_FRAME,
	OPT_FLOWS,
	OPT_DURATION,
	OPT_TRIAL_DURATION,
	OPT_MAX_RATE,
	OPT_CPU,
	OPT_TX,
	OPT_OUT,
	OPT_REPEAT,
	OPT_LATENCY_AT,
	OPT_MODE,
	OPT_RATE,
	OPT_BIN_MS,
	OPT_MIGRATE,
	OPT_TO,
};

/* "run 2/4 (cores=2): " in an experiment */
char bench_progress_tag[160];
/* trials seen in this call */
static long long notify_trials;

/* ------------------------------------------------------------------ */
/* Params of the bench method */

/*
 * Check the params of one bench call (the CLI's and an experiment file's
 * alike) against the bench method's table in lib/proto.c, the very check
 * vrouterd makes (limits and syntax: lib/benchparam.h); err says which
 * and why.  A "loss" given as a number (in a file) becomes the string the
 * protocol wants.
 */
int
bench_params_check(json_object *p, char *err, size_t len)
{
	const struct proto_method *m = &proto_methods[METHOD_BENCH];
	const size_t pre = strlen("bench: ");

	json_object_object_foreach(p, key, val)
	{
		const struct proto_param *q;

		for (q = m->params; q->name != NULL; q++)
			if (strcmp(q->name, key) == 0)
				break;
		if (q->name == NULL) {
			size_t l;
			msgf(err, len,
			     "unknown bench parameter \"%s\" (known:", key);
			for (q = m->params; q->name != NULL && len > 0; q++) {
				l = strlen(err);
				msgf(err + l, len - l, "%s %s",
				     q == m->params ? "" : ",", q->name);
			}
			l = strlen(err);
			msgf(err + l, len - l, ")");
			return -1;
		}
		if (strcmp(key, "loss") == 0 &&
		    (json_object_is_type(val, json_type_double) ||
		     json_object_is_type(val, json_type_int))) {
			char buf[64];
			msgf(buf, sizeof(buf), "%.10g",
			     json_object_get_double(val));
			json_object_object_add(p, key,
					       json_object_new_string(buf));
		}
	}
	if (proto_params_check(m, p, err, len) != 0) {
		/* its messages start with the method's name; ours do not */
		if (strncmp(err, "bench: ", pre) == 0)
			memmove(err, err + pre, strlen(err + pre) + 1);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Progress */

void
bench_notify(json_object *msg)
{
	json_object *p = j_get(msg, "params"), *t = j_get(p, "trial");
	json_object *lat = j_get(t, "latency_us");
	char p99[32] = "-", at[64];

	if (strcmp(j_str(msg, "method"), "progress") != 0) {
		fprintf(
		    stderr, "vrctl: %s%s: %s\n", bench_progress_tag,
		    j_str(msg, "method"),
		    json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
		return;
	}
	if (t == NULL) {
		fprintf(stderr, "vrctl: %s[%s] %s\n", bench_progress_tag,
			j_str(p, "step"), j_str(p, "message"));
		return;
	}
	if (j_get(lat, "p99"))
		msgf(p99, sizeof(p99), "%.1f", j_num(lat, "p99", 0));
	progress_trial(at, sizeof(at), ++notify_trials);
	fprintf(stderr,
		"vrctl: %strial %s %-8s offered %9.0f pps  forwarded %9.0f "
		"pps  loss %.6f  p99 %s us%s\n",
		bench_progress_tag, at, bench_trial_phase(t),
		j_num(t, "offered_pps", 0), j_num(t, "forwarded_pps", 0),
		j_num(t, "loss_ratio", 0), p99,
		j_get(t, "pass") == NULL ? ""
		: j_bool(t, "pass")	 ? "  pass"
		: j_bool(t, "short")	 ? "  FAIL (generator short)"
					 : "  FAIL");
}

/* ------------------------------------------------------------------ */
/* Helpers */

void
bench_iso_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		buf[0] = '\0';
}

void
bench_stamp_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	if (strftime(buf, len, "%Y%m%d-%H%M%S", &tm) == 0)
		buf[0] = '\0';
}

/* {"argv":[...], "cwd":...}: this very command line, from /proc. */
json_object *
bench_cli(int argc, char **argv)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	char cwd[PATH_MAX], *buf = NULL;
	size_t len = 0;
	FILE *f = fopen("/proc/self/cmdline", "re");

	if (f != NULL) {
		char chunk[4096];
		size_t n;
		FILE *m = open_memstream(&buf, &len);
		while (m && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, n, m);
		if (m)
			fclose(m);
		fclose(f);
	}
	if (buf != NULL && len > 0) {
		for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
			json_object_array_add(a,
					      json_object_new_string(buf + i));
	} else {
		json_object_array_add(a, json_object_new_string("vrctl"));
		for (int i = 0; i < argc; i++)
			json_object_array_add(a,
					      json_object_new_string(argv[i]));
	}
	free(buf);
	json_object_object_add(o, "argv", a);
	json_object_object_add(
	    o, "cwd",
	    json_object_new_string(getcwd(cwd, sizeof(cwd)) ? cwd : ""));
	return o;
}

/*
 * Make DIR for a run (parents too).  *made says whether it is new, so that
 * a failed run can take it away again.  An existing directory is fine if
 * it holds no earlier result (marker).
 */
int
bench_dir_prepare(const char *dir, const char *marker, int *made)
{
	char path[PATH_MAX], *p;
	struct stat st;

	*made = 0;
	msgf(path, sizeof(path), "%s", dir);
	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(dir, 0755) == 0) {
		*made = 1;
		return 0;
	}
	if (errno != EEXIST || stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
		goto fail;
	msgf(path, sizeof(path), "%s/%s", dir, marker);
	if (access(path, F_OK) == 0) {
		fprintf(stderr,
			"vrctl: %s holds an earlier result (%s); choose "
			"another --out\n",
			dir, marker);
		return -1;
	}
	return 0;
fail:
	fprintf(stderr, "vrctl: cannot create %s: %s\n", dir, strerror(errno));
	return -1;
}

/* ------------------------------------------------------------------ */
/* bench NAME */

/*
 * One bench call; on success the record (with "cli") is saved in dir
 * (unless dir is NULL: the caller saves it).
 * Returns VRCTL_* and the record in *recp (caller's) when there is one.
 */
int
bench_call(struct vrctl *v, const struct output *eout, json_object *params,
	   json_object *cli, const char *dir, json_object **recp, int *plot_rv)
{
	json_object *result, *error;

	*recp = NULL;
	notify_trials = 0;
	progress_begin(params);
	client_notify_hook =
	    v->out->progress != NULL ? v->out->progress : bench_notify;
	if (client_call(v->socket, METHOD_BENCH, params, &result, &error) ==
	    -1) {
		client_notify_hook = NULL;
		json_object_put(cli);
		return VRCTL_ECONNECT;
	}
	client_notify_hook = NULL;
	if (error != NULL) {
		eout->error(error);
		json_object_put(error);
		json_object_put(cli);
		return VRCTL_EDAEMON;
	}
	json_object_object_add(result, "cli", cli);
	*recp = result;
	if (dir == NULL) /* the caller saves (an experiment's later rounds) */
		return VRCTL_OK;
	if ((*plot_rv = bench_save_dir(dir, result)) == -1)
		return VRCTL_EDAEMON;
	return VRCTL_OK;
}

int
ctl_bench(struct vrctl *v, int argc, char **argv)
{
	static const struct option opts[] = {
	    CTL_COMMON_LONGOPTS,
	    {"sweep", required_argument, NULL, OPT_SWEEP},
	    {"ndr", no_argument, NULL, OPT_NDR},
	    {"loss", required_argument, NULL, OPT_LOSS},
	    {"frame", required_argument, NULL, OPT_FRAME},
	    {"flows", required_argument, NULL, OPT_FLOWS},
	    {"duration", required_argument, NULL, OPT_DURATION},
	    {"trial-duration", required_argument, NULL, OPT_TRIAL_DURATION},
	    {"max-rate", required_argument, NULL, OPT_MAX_RATE},
	    {"cpu", required_argument, NULL, OPT_CPU},
	    {"tx", required_argument, NULL, OPT_TX},
	    {"out", required_argument, NULL, OPT_OUT},
	    {"repeat", required_argument, NULL, OPT_REPEAT},
	    {"latency-at", required_argument, NULL, OPT_LATENCY_AT},
	    {"mode", required_argument, NULL, OPT_MODE},
	    {"rate", required_argument, NULL, OPT_RATE},
	    {"bin-ms", required_argument, NULL, OPT_BIN_MS},
	    {"migrate", required_argument, NULL, OPT_MIGRATE},
	    {"to", required_argument, NULL, OPT_TO},
	    {NULL, 0, NULL, 0},
	};
	const struct ctl_command *cmd = ctl_command_find("bench");
	json_object *params, *rec = NULL;
	char dir[PATH_MAX], stamp[32], err[512];
	const char *out = NULL, *sweep = NULL, *loss = NULL, *mode = NULL;
	int ch, ndr = 0, rv = 0, made, plot_rv = 1;

	if (argc > 1 && strcmp(argv[1], "compare") == 0)
		return bench_compare(v, cmd, argc - 1, argv + 1);
	if (replay_wanted(argc, argv))
		return replay_bench(v, argc, argv);
	params = json_object_new_object();
	optind = 0;
	while ((ch = getopt_long(argc, argv, "s:ho:", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_SWEEP:
			sweep = optarg;
			break;
		case OPT_NDR:
			ndr = 1;
			break;
		case OPT_LOSS:
			loss = optarg;
			break;
		case OPT_FRAME:
			json_object_object_add(params, "frame",
					       json_object_new_string(optarg));
			break;
		case OPT_FLOWS:
			rv = ctl_int(params, "flows", optarg);
			break;
		case OPT_DURATION:
			rv = ctl_int(params, "duration", optarg);
			break;
		case OPT_TRIAL_DURATION:
			rv = ctl_int(params, "trial_duration", optarg);
			break;
		case OPT_MAX_RATE:
			rv = ctl_int(params, "max_rate", optarg);
			break;
		case OPT_CPU:
			rv = ctl_int(params, "cpu", optarg);
			break;
		case OPT_REPEAT:
			rv = ctl_int(params, "repeat", optarg);
			break;
		case OPT_TX:
			json_object_object_add(params, "tx",
					       json_object_new_string(optarg));
			break;
		case OPT_LATENCY_AT:
			json_object_object_add(params, "latency_at",
					       json_object_new_string(optarg));
			break;
		case OPT_MODE:
			mode = optarg;
			break;
		case OPT_RATE:
			rv = ctl_int(params, "rate", optarg);
			break;
		case OPT_BIN_MS:
			rv = ctl_int(params, "bin_ms", optarg);
			break;
		case OPT_MIGRATE: /* a timeline, migrating NODE meanwhile */
			json_object_object_add(params, "migrate",
					       json_object_new_string(optarg));
			if (mode == NULL)
				mode = "timeline";
			break;
		case OPT_TO:
			json_object_object_add(params, "to",
					       json_object_new_string(optarg));
			break;
		case OPT_OUT:
		case 'o':
			out = optarg;
			break;
		default:
			if (!ctl_common_opt(v, cmd, ch))
				goto usage;
		}
		if (rv == -1)
			goto usage;
	}
	/* --mode names the mode outright (timeline has no other option);
	 * with --sweep or --ndr as well, the params' rules below judge */
	if (argc - optind != 1 || (mode == NULL && (sweep != NULL) == ndr)) {
		if (argc - optind == 1)
			fprintf(stderr,
				"vrctl: bench: give --sweep RATES, "
				"--ndr or --mode timeline --rate PPS\n");
		goto usage;
	}
	json_object_object_add(params, "name",
			       json_object_new_string(argv[optind]));
	json_object_object_add(params, "mode",
			       json_object_new_string(mode    ? mode
						      : sweep ? "sweep"
						      : loss  ? "pdr"
							      : "ndr"));
	if (sweep)
		json_object_object_add(params, "rates",
				       json_object_new_string(sweep));
	if (loss)
		json_object_object_add(params, "loss",
				       json_object_new_string(loss));
	if (bench_params_check(params, err, sizeof(err)) == -1) {
		fprintf(stderr, "vrctl: bench: %s\n", err);
		goto usage;
	}
	if (out == NULL) {
		bench_stamp_now(stamp, sizeof(stamp));
		msgf(dir, sizeof(dir), "bench-%s-%s", argv[optind], stamp);
	} else
		msgf(dir, sizeof(dir), "%s", out);
	if (bench_dir_prepare(dir, "experiment.json", &made) == -1) {
		json_object_put(params);
		return VRCTL_EDAEMON;
	}
	rv = bench_call(v, v->out, params, bench_cli(argc, argv), dir, &rec,
			&plot_rv);
	if (rec == NULL) {
		if (made)
			(void)rmdir(dir);
	} else if (v->json) {
		printf("%s\n", json_object_to_json_string_ext(
				   rec, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
		fprintf(stderr, "vrctl: results in %s\n", dir);
	} else
		bench_print_text(rec, dir, plot_rv);
	json_object_put(rec);
	return rv;
usage:
	json_object_put(params);
	ctl_usage(cmd, 1);
	return VRCTL_EUSAGE;
}
