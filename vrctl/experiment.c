/*
 * `vrctl experiment FILE`: a matrix of start options (docs/bench.md), each
 * combination started under a generated instance name, benchmarked as
 * `vrctl bench` would (its own directory), and always stopped; then one
 * comparison of the runs that succeeded and summary.json.  With "repeat":
 * N, N rounds, each starting, benchmarking and stopping every
 * configuration once in a shuffled order (lib/summary.c); a
 * configuration's directory accumulates its rounds.  Reading the file
 * and expanding its matrix is experiment_file.c's.
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
#include "topo.h"
#include "util.h"
#include "vrctl.h"
#include "experiment.h"

enum { OPT_XOUT = 1300, OPT_DRY_RUN };

static volatile sig_atomic_t interrupted;

static void
bench_on_signal(int sig)
{
	static const char m[] =
	    "\nvrctl: interrupted: finishing the current call, then stopping "
	    "(interrupt again to quit at once, leaving the topology up)\n";

	(void)sig;
	interrupted = 1;
	(void)!write(STDERR_FILENO, m, sizeof(m) - 1);
}

/* Run i as summary.json and `--dry-run --json` describe it. */
static json_object *
exp_run_json(const struct xrun *x, size_t i)
{
	json_object *run = json_object_new_object();

	json_object_object_add(run, "index",
			       json_object_new_int64((int64_t)i + 1));
	json_object_object_add(run, "label", json_object_new_string(x->label));
	json_object_object_add(run, "dir", json_object_new_string(x->dirname));
	json_object_object_add(run, "instance",
			       json_object_new_string(x->name));
	json_object_object_add(run, "matrix", json_object_get(x->vals));
	json_object_object_add(run, "start", json_object_get(x->start));
	json_object_object_add(run, "bench", json_object_get(x->bench));
	return run;
}

/* A step of the experiment on stderr: text, or with --json a JSON line
 * {"method": "experiment", "params": {"step": STEP, ...}} (what owned). */
static void
exp_progress(struct vrctl *v, const char *step, json_object *what,
	     const char *text)
{
	json_object *msg, *p;

	if (v->out->progress == NULL) {
		fprintf(stderr, "vrctl: %s%s\n", bench_progress_tag, text);
		json_object_put(what);
		return;
	}
	p = json_object_new_object();
	json_object_object_add(p, "step", json_object_new_string(step));
	if (what != NULL)
		json_object_object_add(p, "params", what);
	msg = json_object_new_object();
	json_object_object_add(msg, "method",
			       json_object_new_string("experiment"));
	json_object_object_add(msg, "params", p);
	v->out->progress(msg);
	json_object_put(msg);
}

/* A call for the experiment; 0 ok, 1 daemon error (*err), -1 no daemon. */
static int
exp_call(struct vrctl *v, enum proto_method_id method, json_object *params,
	 json_object **result, json_object **err)
{
	if (client_call(v->socket, method, params, result, err) == -1)
		return -1;
	return *err != NULL;
}

static void
exp_error(json_object *run, const char *status, json_object *err)
{
	json_object_object_add(run, "status", json_object_new_string(status));
	if (err != NULL) {
		text_output.error(err);
		json_object_object_add(run, "error", json_object_get(err));
	}
}

/*
 * A round's record into the configuration's record *accp (taken; the
 * first round's becomes it): its trials appended with "repeat" = the
 * round (times the bench's own repeat, plus the daemon's round index),
 * "rounds" [{"round", "started_at", "finished_at"}], "results",
 * "latency_at" (its rows' "repeat" renumbered as the trials'); then
 * "points" (sweep) or "answers" and the median answer (search) over all
 * usable rounds so far (summary_answers), and command.repeat the number of
 * rounds.
 */
static void
exp_merge(json_object **accp, json_object *rec, int round)
{
	json_object *acc = *accp, *r, *a, *cmd;
	long long inner = j_int(j_get(rec, "command"), "repeat", 1);
	const char *key;
	static const char *const lists[] = {"trials", "latency_at"};

	for (size_t l = 0; l < 2; l++) {
		json_object *rows = j_get(rec, lists[l]);

		for (size_t i = 0;
		     rows && json_object_is_type(rows, json_type_array) &&
		     i < json_object_array_length(rows);
		     i++) {
			json_object *t = json_object_array_get_idx(rows, i);
			json_object_object_add(
			    t, "repeat",
			    json_object_new_int64(round * inner +
						  j_int(t, "repeat", 0)));
		}
	}
	/* a record of one round from a vrouterd before "results": its
	 * "result" is that round's */
	if (j_get(rec, "results") == NULL && j_get(rec, "result") != NULL) {
		json_object *one = json_object_new_array();

		json_object_array_add(one,
				      json_object_get(j_get(rec, "result")));
		json_object_object_add(rec, "results", one);
	}
	r = json_object_new_object();
	json_object_object_add(r, "round", json_object_new_int(round));
	json_object_object_add(r, "started_at",
			       json_object_get(j_get(rec, "started_at")));
	json_object_object_add(r, "finished_at",
			       json_object_get(j_get(rec, "finished_at")));
	if (acc == NULL) {
		acc = *accp = rec;
		json_object_object_add(acc, "rounds", json_object_new_array());
	} else {
		static const char *const app[] = {"trials", "results",
						  "latency_at"};

		for (size_t l = 0; l < 3; l++) {
			json_object *to = j_get(acc, app[l]),
				    *from = j_get(rec, app[l]);

			if (from == NULL ||
			    !json_object_is_type(from, json_type_array))
				continue;
			if (to == NULL) {
				to = json_object_new_array();
				json_object_object_add(acc, app[l], to);
			}
			for (size_t i = 0; i < json_object_array_length(from);
			     i++)
				json_object_array_add(
				    to,
				    json_object_get(
					json_object_array_get_idx(from, i)));
		}
		json_object_object_add(
		    acc, "finished_at",
		    json_object_get(j_get(rec, "finished_at")));
		json_object_put(rec);
	}
	json_object_array_add(j_get(acc, "rounds"), r);
	if ((cmd = j_get(acc, "command")) != NULL)
		json_object_object_add(
		    cmd, "repeat",
		    json_object_new_int64((int64_t)(json_object_array_length(
							j_get(acc, "rounds")) *
						    inner)));
	if ((a = summary_answers(j_get(acc, "results"), &key)) != NULL) {
		json_object_object_add(
		    acc, key,
		    json_object_get(json_object_object_get(
			json_object_object_get(a, key), "median")));
		json_object_object_add(acc, "answers", a);
	} else {
		json_object_object_add(acc, "points",
				       summary_points(j_get(acc, "trials")));
	}
}

/* One round of a configuration: start, bench, stop (always); the record
 * joins *accp and is saved in its directory.  Returns VRCTL_*. */
static int
exp_run(struct vrctl *v, struct xrun *x, json_object *cli, const char *dir,
	json_object *run, int round, json_object **accp)
{
	json_object *res = NULL, *err = NULL, *p, *rec = NULL;
	int rc, started = 0, rv = VRCTL_OK, made = 0, plot_rv;
	char sub[PATH_MAX], msg[2048];

	msgf(sub, sizeof(sub), "%s/%s", dir, x->dirname);
	if (*accp == NULL &&
	    bench_dir_prepare(sub, "experiment.json", &made) == -1) {
		exp_error(run, "cannot create its directory", NULL);
		json_object_put(cli);
		return VRCTL_EDAEMON;
	}
	msgf(msg, sizeof(msg), "start %s",
	     json_object_to_json_string_ext(x->start, JSON_C_TO_STRING_PLAIN));
	exp_progress(v, "start", json_object_get(x->start), msg);
	client_notify_hook =
	    v->out->progress != NULL ? v->out->progress : bench_notify;
	rc = exp_call(v, METHOD_START, json_object_get(x->start), &res, &err);
	client_notify_hook = NULL;
	if (rc == 0)
		started = 1;
	else {
		exp_error(run,
			  rc == -1 ? "vrouterd unreachable" : "start failed",
			  err);
		rv = rc == -1 ? VRCTL_ECONNECT : VRCTL_EDAEMON;
	}
	json_object_put(res);
	json_object_put(err);
	res = err = NULL;
	if (started && interrupted) {
		exp_error(run, "interrupted", NULL);
		rv = VRCTL_EDAEMON;
	} else if (started) {
		msgf(msg, sizeof(msg), "bench %s",
		     json_object_to_json_string_ext(x->bench,
						    JSON_C_TO_STRING_PLAIN));
		exp_progress(v, "bench", json_object_get(x->bench), msg);
		rv = bench_call(v, &text_output, json_object_get(x->bench), cli,
				NULL, &rec, &plot_rv);
		cli = NULL;
		if (rec != NULL) {
			exp_merge(accp, rec, round);
			if (bench_save_dir(sub, *accp) == -1)
				rv = VRCTL_EDAEMON;
		}
		if (rec != NULL && rv == VRCTL_OK)
			json_object_object_add(run, "status",
					       json_object_new_string("ok"));
		else if (rec != NULL)
			exp_error(run, "could not save the results", NULL);
		else
			json_object_object_add(
			    run, "status",
			    json_object_new_string(rv == VRCTL_ECONNECT
						       ? "vrouterd unreachable"
						       : "bench failed"));
	}
	json_object_put(cli);
	/* Always stop: no leftovers, whatever happened above. */
	p = json_object_new_object();
	json_object_object_add(p, "name", json_object_new_string(x->name));
	msgf(msg, sizeof(msg), "stop %s", x->name);
	exp_progress(v, "stop", json_object_get(p), msg);
	rc = exp_call(v, METHOD_STOP, p, &res, &err);
	if (rc == 1 && !started && j_int(err, "code", 0) == PROTO_E_NOT_FOUND)
		rc = 0; /* a failed start leaves nothing to stop */
	if (rc != 0) {
		fprintf(stderr,
			"vrctl: %sSTOP FAILED: instance %s may be left "
			"running (`vrctl stop %s`, `vrctl cleanup`)\n",
			bench_progress_tag, x->name, x->name);
		if (err)
			text_output.error(err);
		json_object_object_add(
		    run, "stop_error",
		    err ? json_object_get(err)
			: json_object_new_string("vrouterd unreachable"));
		if (rv == VRCTL_OK)
			rv = rc == -1 ? VRCTL_ECONNECT : VRCTL_EDAEMON;
	}
	json_object_put(res);
	json_object_put(err);
	if (*accp == NULL && made)
		(void)rmdir(sub);
	return rv;
}

/* The run order as recorded: [{"round", "run" (1-based), "label"}]. */
static json_object *
exp_order_json(const size_t *order, size_t n, int repeat,
	       const struct xrun *runs)
{
	json_object *a = json_object_new_array();

	for (size_t k = 0; k < n * (size_t)repeat; k++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "round",
				       json_object_new_int64((int64_t)(k / n)));
		json_object_object_add(
		    o, "run", json_object_new_int64((int64_t)order[k] + 1));
		json_object_object_add(
		    o, "label", json_object_new_string(runs[order[k]].label));
		json_object_array_add(a, o);
	}
	return a;
}

/* Entry k of the recorded order: what became of it ("ok", a run status
 * such as "bench failed" or "interrupted", "skipped" after the
 * configuration failed, "not run" after an interrupt). */
static void
exp_order_status(json_object *ord, size_t k, const char *status)
{
	json_object_object_add(json_object_array_get_idx(ord, k), "status",
			       json_object_new_string(status));
}

static void
exp_usage_list(struct xrun *runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%-24s start %s\n%-24s bench %s\n", runs[i].dirname,
		       json_object_to_json_string_ext(runs[i].start,
						      JSON_C_TO_STRING_PLAIN),
		       "",
		       json_object_to_json_string_ext(runs[i].bench,
						      JSON_C_TO_STRING_PLAIN));
}

int
ctl_experiment(struct vrctl *v, int argc, char **argv)
{
	static const struct option opts[] = {
	    CTL_COMMON_LONGOPTS,
	    {"out", required_argument, NULL, OPT_XOUT},
	    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
	    {NULL, 0, NULL, 0},
	};
	const struct ctl_command *cmd = ctl_command_find("experiment");
	const char *out = NULL, *file;
	struct xrun *runs = NULL;
	struct bench_run *ok = NULL;
	json_object *spec, *summary = NULL, *list, *cmp, **acc, *ord;
	size_t *order = NULL;
	uint64_t seed;
	int repeat, shuffle, *failed;
	char dir[PATH_MAX], path[PATH_MAX], stamp[32], when[32], abs[PATH_MAX];
	char msg[512];
	size_t n = 0, nok = 0, nfail = 0;
	int ch, dry = 0, made, rv = VRCTL_OK;
	struct sigaction sa, old_int, old_term;
	double t0;
	const char *s;

	if (replay_wanted(argc, argv))
		return replay_experiment(v, argc, argv);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "s:ho:n", opts, NULL)) != -1) {
		if (ch == OPT_XOUT || ch == 'o')
			out = optarg;
		else if (ch == OPT_DRY_RUN || ch == 'n')
			dry = 1;
		else if (!ctl_common_opt(v, cmd, ch))
			goto usage;
	}
	if (argc - optind != 1)
		goto usage;
	file = argv[optind];
	if ((spec = jtext_read(file, NULL, VRCTL_EXPERIMENT_MAX, msg,
			       sizeof(msg))) == NULL ||
	    jtext_check_printable(file, spec, msg, sizeof(msg)) == -1) {
		fprintf(stderr, "vrctl: %s\n", msg);
		json_object_put(spec);
		return VRCTL_EUSAGE;
	}
	if (!json_object_is_type(spec, json_type_object) ||
	    exp_expand(file, spec, &runs, &n) == -1) {
		if (!json_object_is_type(spec, json_type_object))
			exp_fail(file, "not a JSON object");
		exp_free(runs, n);
		json_object_put(spec);
		return VRCTL_EUSAGE;
	}
	/* the order: recorded, and reproducible from the seed */
	repeat = (int)j_int(spec, "repeat", 1);
	shuffle = j_get(spec, "shuffle") ? j_bool(spec, "shuffle") : 1;
	seed = j_get(spec, "seed")
		   ? (uint64_t)j_int(spec, "seed", 0)
		   : (((uint64_t)time(NULL) << 16) ^ (uint64_t)getpid()) &
			 0x7fffffff;
	order = xcalloc(n * (size_t)repeat, sizeof(*order));
	summary_order(n, (size_t)repeat, seed, shuffle && repeat > 1, order);
	if (dry && v->json) {
		json_object *d = json_object_new_object(), *a;

		json_object_object_add(d, "name",
				       json_object_get(j_get(spec, "name")));
		if (j_get(spec, "description"))
			json_object_object_add(
			    d, "description",
			    json_object_get(j_get(spec, "description")));
		json_object_object_add(d, "count",
				       json_object_new_int64((int64_t)n));
		a = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(a, exp_run_json(&runs[i], i));
		json_object_object_add(d, "runs", a);
		json_object_object_add(d, "repeat",
				       json_object_new_int(repeat));
		json_object_object_add(d, "order_seed",
				       json_object_new_int64((int64_t)seed));
		json_object_object_add(d, "order",
				       exp_order_json(order, n, repeat, runs));
		printf("%s\n", json_object_to_json_string_ext(
				   d, JSON_C_TO_STRING_PRETTY |
					  JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(d);
	} else if (dry) {
		printf("%s: %zu runs\n", j_str(spec, "name"), n);
		exp_usage_list(runs, n);
		if (repeat > 1) {
			printf("%d rounds, order (seed %llu%s):", repeat,
			       (unsigned long long)seed,
			       j_get(spec, "seed") ? ""
						   : ", a new one each run");
			for (size_t k = 0; k < n * (size_t)repeat; k++)
				printf("%s%s",
				       k % n ? " "
				       : k   ? " | "
					     : " ",
				       runs[order[k]].dirname);
			printf("\n");
		}
	}
	if (dry) {
		free(order);
		exp_free(runs, n);
		json_object_put(spec);
		return VRCTL_OK;
	}
	if (out == NULL) {
		bench_stamp_now(stamp, sizeof(stamp));
		msgf(dir, sizeof(dir), "experiment-%s-%s", j_str(spec, "name"),
		     stamp);
	} else
		msgf(dir, sizeof(dir), "%s", out);
	if (bench_dir_prepare(dir, "summary.json", &made) == -1) {
		free(order);
		exp_free(runs, n);
		json_object_put(spec);
		return VRCTL_EDAEMON;
	}
	msgf(path, sizeof(path), "%s/experiment-file.json", dir);
	s = json_object_to_json_string_ext(
	    spec, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	(void)file_write_atomic(path, s, strlen(s), 0644);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bench_on_signal;
	sa.sa_flags = SA_RESETHAND; /* no SA_RESTART: a second ^C kills */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	summary = json_object_new_object();
	json_object_object_add(summary, "format", json_object_new_int(1));
	json_object_object_add(summary, "kind",
			       json_object_new_string("vrouterd-experiment"));
	json_object_object_add(summary, "name",
			       json_object_get(j_get(spec, "name")));
	if (j_get(spec, "description"))
		json_object_object_add(
		    summary, "description",
		    json_object_get(j_get(spec, "description")));
	json_object_object_add(
	    summary, "file",
	    json_object_new_string(realpath(file, abs) ? abs : file));
	json_object_object_add(summary, "spec", json_object_get(spec));
	json_object_object_add(summary, "cli", bench_cli(argc, argv));
	bench_iso_now(when, sizeof(when));
	json_object_object_add(summary, "started_at",
			       json_object_new_string(when));
	list = json_object_new_array();
	json_object_object_add(summary, "runs", list);
	t0 = progress_start();
	ok = xcalloc(n, sizeof(*ok));
	acc = xcalloc(n, sizeof(*acc));
	failed = xcalloc(n, sizeof(*failed));
	for (size_t i = 0; i < n; i++)
		json_object_array_add(list, exp_run_json(&runs[i], i));
	json_object_object_add(summary, "repeat", json_object_new_int(repeat));
	json_object_object_add(summary, "order_seed",
			       json_object_new_int64((int64_t)seed));
	/* what was shuffled: the order is the identity with one round */
	json_object_object_add(summary, "order_shuffled",
			       json_object_new_boolean(shuffle && repeat > 1));
	/* the plan, each entry's "status" set as it runs (or does not) */
	ord = exp_order_json(order, n, repeat, runs);
	json_object_object_add(summary, "order", ord);

	for (size_t k = 0; k < n * (size_t)repeat; k++) {
		size_t i = order[k], round = k / n;
		json_object *run = json_object_array_get_idx(list, i), *cli,
			    *xo;
		int r;

		if (interrupted || rv == VRCTL_ECONNECT) {
			if (j_get(run, "status") == NULL)
				json_object_object_add(
				    run, "status",
				    json_object_new_string("not run"));
			exp_order_status(ord, k, "not run");
			continue;
		}
		if (failed[i]) { /* a configuration that failed stops */
			exp_order_status(ord, k, "skipped");
			continue;
		}
		if (k > 0 && v->out->progress == NULL) {
			char at[64];
			progress_runs(at, sizeof(at), (long long)k,
				      (long long)(n * (size_t)repeat), t0);
			fprintf(stderr, "vrctl: runs done %s\n", at);
		}
		if (repeat > 1)
			msgf(bench_progress_tag, sizeof(bench_progress_tag),
			     "round %zu/%d run %zu/%zu (%s): ", round + 1,
			     repeat, i + 1, n, runs[i].label);
		else
			msgf(bench_progress_tag, sizeof(bench_progress_tag),
			     "run %zu/%zu (%s): ", i + 1, n, runs[i].label);
		json_object_put(ctl_progress_context);
		ctl_progress_context = json_object_new_object();
		json_object_object_add(ctl_progress_context, "run",
				       json_object_new_int64((int64_t)i + 1));
		json_object_object_add(ctl_progress_context, "runs",
				       json_object_new_int64((int64_t)n));
		json_object_object_add(ctl_progress_context, "round",
				       json_object_new_int64((int64_t)round));
		json_object_object_add(ctl_progress_context, "label",
				       json_object_new_string(runs[i].label));
		cli = bench_cli(argc, argv);
		xo = json_object_new_object();
		json_object_object_add(
		    xo, "file", json_object_new_string(j_str(summary, "file")));
		json_object_object_add(xo, "name",
				       json_object_get(j_get(spec, "name")));
		json_object_object_add(xo, "run",
				       json_object_new_string(runs[i].label));
		json_object_object_add(xo, "index",
				       json_object_new_int64((int64_t)i + 1));
		json_object_object_add(xo, "round",
				       json_object_new_int64((int64_t)round));
		json_object_object_add(xo, "matrix",
				       json_object_get(runs[i].vals));
		json_object_object_add(cli, "experiment", xo);
		r = exp_run(v, &runs[i], cli, dir, run, (int)round, &acc[i]);
		exp_order_status(ord, k,
				 r == VRCTL_OK ? "ok" : j_str(run, "status"));
		if (r != VRCTL_OK) {
			failed[i] = 1;
			if (r == VRCTL_ECONNECT)
				rv = VRCTL_ECONNECT;
		} else
			json_object_object_add(
			    run, "rounds_ok",
			    json_object_new_int64((int64_t)round + 1));
		exp_progress(v, "done", json_object_get(j_get(run, "status")),
			     j_str(run, "status"));
	}
	for (size_t i = 0; i < n; i++) {
		json_object *run = json_object_array_get_idx(list, i);
		const char *what;
		double a = acc[i] ? bench_answer(acc[i], &what) : -1;

		if (acc[i] != NULL && what != NULL && a >= 0)
			json_object_object_add(
			    run, strcmp(what, "NDR") ? "pdr_pps" : "ndr_pps",
			    json_object_new_double(a));
		if (acc[i] != NULL && !failed[i]) {
			ok[nok].record = acc[i];
			msgf(ok[nok].dir, sizeof(ok[nok].dir), "%s/%s", dir,
			     runs[i].dirname);
			msgf(ok[nok].label, sizeof(ok[nok].label), "%s",
			     runs[i].label);
			nok++;
		} else {
			json_object_put(acc[i]);
			if (strcmp(j_str(run, "status"), "not run") != 0 ||
			    failed[i])
				nfail++;
		}
	}
	free(acc);
	free(failed);
	bench_progress_tag[0] = '\0';
	json_object_put(ctl_progress_context);
	ctl_progress_context = NULL;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);

	bench_iso_now(when, sizeof(when));
	json_object_object_add(summary, "finished_at",
			       json_object_new_string(when));
	if (nok > 0) {
		msgf(path, sizeof(path), "%s/compare.svg", dir);
		cmp = bench_compare_runs(ok, nok, path, v->json, 0);
		if (j_get(cmp, "plot"))
			json_object_object_add(
			    cmp, "plot", json_object_new_string("compare.svg"));
		for (size_t i = 0; i < nok; i++) /* relative to DIR */
			json_object_object_add(
			    json_object_array_get_idx(j_get(cmp, "runs"), i),
			    "dir",
			    json_object_new_string(ok[i].dir + strlen(dir) +
						   1));
		json_object_object_add(summary, "compare", cmp);
		(void)plot_experiment(dir, j_str(spec, "name"), ok, nok);
	}
	json_object_object_add(summary, "runs_ok",
			       json_object_new_int64((int64_t)nok));
	json_object_object_add(summary, "runs_failed",
			       json_object_new_int64((int64_t)nfail));
	msgf(path, sizeof(path), "%s/summary.json", dir);
	s = json_object_to_json_string_ext(
	    summary, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (file_write_atomic(path, s, strlen(s), 0644) == -1)
		fprintf(stderr, "vrctl: cannot write %s: %s\n", path,
			strerror(errno));
	if (v->json)
		printf("%s\n", s);
	else
		printf("%zu of %zu runs ok%s; results in %s\n", nok, n,
		       interrupted ? " (interrupted)" : "", dir);
	if (nfail > 0 && rv == VRCTL_OK)
		rv = VRCTL_EDAEMON;
	if (interrupted)
		rv = 130;
	for (size_t i = 0; i < nok; i++)
		json_object_put(ok[i].record);
	free(ok);
	free(order);
	json_object_put(summary);
	exp_free(runs, n);
	json_object_put(spec);
	return rv;
usage:
	ctl_usage(cmd, 1);
	return VRCTL_EUSAGE;
}
