/*
 * `vrctl experiment FILE`: a matrix of start options (docs/bench.md), each
 * combination started under a generated instance name, benchmarked as
 * `vrctl bench` would (its own directory), and always stopped; then one
 * comparison of the runs that succeeded and summary.json.  With "repeat":
 * N, N rounds, each starting, benchmarking and stopping every
 * configuration once in a shuffled order (lib/summary.c); a
 * configuration's directory accumulates its rounds.
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
#include "names.h"
#include "summary.h"
#include "topo.h"
#include "util.h"
#include "vrctl.h"
#include "experiment.h"

#define EXP_MAX_RUNS 1000
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

struct xrun {
	json_object *start; /* start params, with the instance name */
	json_object *bench; /* bench params, with the same name */
	json_object *vals;  /* the matrix values of this run */
	char label[256];    /* "cores=2 pin=true" (only keys that vary) */
	char dirname[256];  /* "03-cores2-nopin" */
	char name[16];	    /* instance name */
};

/* One matrix value in a directory name: pin / nopin, cores2, tap. */
static void
dir_part(char *buf, size_t len, const char *key, json_object *val)
{
	const char *k = strncmp(key, "bench.", 6) == 0 ? key + 6 : key;
	size_t i = 0;

	if (json_object_is_type(val, json_type_boolean))
		msgf(buf, len, "%s%s", json_object_get_boolean(val) ? "" : "no",
		     k);
	else if (json_object_is_type(val, json_type_string))
		msgf(buf, len, "%s", json_object_get_string(val));
	else
		msgf(buf, len, "%s%s", k, json_object_get_string(val));
	for (; buf[i]; i++)
		if (!(buf[i] >= 'a' && buf[i] <= 'z') &&
		    !(buf[i] >= 'A' && buf[i] <= 'Z') &&
		    !(buf[i] >= '0' && buf[i] <= '9') && buf[i] != '.' &&
		    buf[i] != '_')
			buf[i] = '_';
}

int
exp_fail(const char *file, const char *what)
{
	char msg[512];

	/* what may quote the file: no control characters to the terminal */
	vr_strlcpy(msg, what, sizeof(msg));
	for (char *c = msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	fprintf(stderr, "vrctl: %s: %s\n", file, msg);
	return -1;
}

static int
exp_check_top(const char *file, json_object *spec)
{
	json_object *start = j_get(spec, "start"),
		    *bench = j_get(spec, "bench");
	char msg[256];

	json_object_object_foreach(spec, key, unused)
	{
		(void)unused;
		if (strcmp(key, "name") && strcmp(key, "description") &&
		    strcmp(key, "start") && strcmp(key, "matrix") &&
		    strcmp(key, "bench") && strcmp(key, "repeat") &&
		    strcmp(key, "seed") && strcmp(key, "shuffle")) {
			msgf(msg, sizeof(msg),
			     "unknown key \"%s\" (known: name, description, "
			     "start, matrix, bench, repeat, seed, shuffle)",
			     key);
			return exp_fail(file, msg);
		}
	}
	if (!json_object_is_type(j_get(spec, "name"), json_type_string))
		return exp_fail(file, "\"name\" must be a string");
	/* it names the output directory: the topology names' rule */
	if (!name_ok(NAME_FILE, json_object_get_string(j_get(spec, "name")))) {
		snprintf(msg, sizeof(msg),
			 "\"name\": use %s (it names the output directory)",
			 name_rule(NAME_FILE));
		return exp_fail(file, msg);
	}
	if (j_get(spec, "description") &&
	    !json_object_is_type(j_get(spec, "description"), json_type_string))
		return exp_fail(file, "\"description\" must be a string");
	if (start && !json_object_is_type(start, json_type_object))
		return exp_fail(file, "\"start\" must be an object");
	if (j_get(spec, "matrix") &&
	    !json_object_is_type(j_get(spec, "matrix"), json_type_object))
		return exp_fail(file, "\"matrix\" must be an object of arrays");
	if (!json_object_is_type(bench, json_type_object))
		return exp_fail(file, "\"bench\" must be an object (bench "
				      "params without name)");
	if (j_get(spec, "repeat") &&
	    (!json_object_is_type(j_get(spec, "repeat"), json_type_int) ||
	     j_int(spec, "repeat", 0) < 1 ||
	     j_int(spec, "repeat", 0) > BENCH_REPEAT_MAX)) {
		msgf(msg, sizeof(msg), "\"repeat\" must be an integer in 1..%d",
		     BENCH_REPEAT_MAX);
		return exp_fail(file, msg);
	}
	if (j_get(spec, "seed") &&
	    (!json_object_is_type(j_get(spec, "seed"), json_type_int) ||
	     j_int(spec, "seed", -1) < 0))
		return exp_fail(file,
				"\"seed\" must be a non-negative integer");
	if (j_get(spec, "shuffle") &&
	    !json_object_is_type(j_get(spec, "shuffle"), json_type_boolean))
		return exp_fail(file, "\"shuffle\" must be true or false");
	if (j_get(start, "name") || j_get(bench, "name"))
		return exp_fail(file, "\"name\" is chosen by vrctl experiment "
				      "(one instance per run): leave it out");
	return 0;
}

struct matrix {
	const char *keys[64];
	json_object *lists[64];
	size_t nk, idx[64];
};

static int
scalars_only(json_object *o)
{
	json_object_object_foreach(o, key, val)
	{
		(void)key;
		if (val == NULL || json_object_is_type(val, json_type_object) ||
		    json_object_is_type(val, json_type_array))
			return 0;
	}
	return 1;
}

/* key=value into a start (or, "bench.KEY", a bench) params object. */
static void
run_set(struct xrun *x, const char *key, json_object *val)
{
	int bk = strncmp(key, "bench.", 6) == 0;

	json_object_object_add(bk ? x->bench : x->start, bk ? key + 6 : key,
			       json_object_get(val));
}

/* The matrix's keys in file order; *n the number of runs. */
static int
exp_matrix(const char *file, json_object *matrix, struct matrix *m, size_t *n)
{
	char msg[256];

	*n = 1;
	if (matrix == NULL)
		return 0;
	json_object_object_foreach(matrix, key, list)
	{
		size_t len;

		if (!json_object_is_type(list, json_type_array) ||
		    (len = json_object_array_length(list)) == 0) {
			msgf(msg, sizeof(msg),
			     "matrix.%s must be a non-empty array", key);
			return exp_fail(file, msg);
		}
		for (size_t i = 0; i < len; i++) {
			json_object *e = json_object_array_get_idx(list, i);
			int obj = json_object_is_type(e, json_type_object);
			if (e == NULL ||
			    json_object_is_type(e, json_type_array) ||
			    (obj && !scalars_only(e))) {
				msgf(msg, sizeof(msg),
				     "matrix.%s[%zu] must be a string, number, "
				     "boolean, or an object of those (a "
				     "variant)",
				     key, i);
				return exp_fail(file, msg);
			}
			if (obj && (j_get(e, "name") || j_get(e, "bench.name")))
				return exp_fail(file, "a variant may not set "
						      "name: vrctl chooses it");
		}
		if (strcmp(key, "name") == 0 || strcmp(key, "bench.name") == 0)
			return exp_fail(file, "matrix.name: the instance name "
					      "is chosen by vrctl");
		if (m->nk == nitems(m->keys))
			return exp_fail(file, "too many matrix keys");
		m->keys[m->nk] = key;
		m->lists[m->nk++] = list;
		*n *= len;
		if (*n > EXP_MAX_RUNS) {
			msgf(msg, sizeof(msg),
			     "the matrix makes more than %d runs",
			     EXP_MAX_RUNS);
			return exp_fail(file, msg);
		}
	}
	return 0;
}

static void
obj_merge(json_object *dst, json_object *src)
{
	if (src == NULL)
		return;
	json_object_object_foreach(src, key, val)
	    json_object_object_add(dst, key, json_object_get(val));
}

/* Run r (0-based) at the matrix's current position; 0 or -1 (err). */
static int
exp_build_run(json_object *spec, struct matrix *m, size_t r, struct xrun *x,
	      char *err, size_t elen)
{
	size_t lpos = 0, dpos;
	unsigned pid = (unsigned)getpid() & 0xffff;

	x->start = json_object_new_object();
	x->bench = json_object_new_object();
	x->vals = json_object_new_object();
	obj_merge(x->start, j_get(spec, "start"));
	obj_merge(x->bench, j_get(spec, "bench"));
	msgf(x->dirname, sizeof(x->dirname), "%02zu", r + 1);
	dpos = strlen(x->dirname);
	for (size_t k = 0; k < m->nk; k++) {
		json_object *val =
		    json_object_array_get_idx(m->lists[k], m->idx[k]);
		char part[96];

		json_object_object_add(x->vals, m->keys[k],
				       json_object_get(val));
		if (json_object_is_type(val, json_type_object)) {
			/* a variant: several keys at once */
			json_object_object_foreach(val, vk, vv)
			{
				run_set(x, vk, vv);
				if (json_object_array_length(m->lists[k]) < 2)
					continue;
				dir_part(part, sizeof(part), vk, vv);
				bench_appendf(x->dirname, sizeof(x->dirname),
					      &dpos, "-%s", part);
				bench_appendf(x->label, sizeof(x->label), &lpos,
					      "%s%s=%s", lpos ? " " : "", vk,
					      json_object_get_string(vv));
			}
			continue;
		}
		run_set(x, m->keys[k], val);
		if (json_object_array_length(m->lists[k]) < 2)
			continue; /* the same in every run: not a label */
		dir_part(part, sizeof(part), m->keys[k], val);
		bench_appendf(x->dirname, sizeof(x->dirname), &dpos, "-%s",
			      part);
		bench_appendf(x->label, sizeof(x->label), &lpos, "%s%s=%s",
			      lpos ? " " : "", m->keys[k],
			      json_object_get_string(val));
	}
	if (lpos == 0)
		msgf(x->label, sizeof(x->label), "run %zu", r + 1);
	msgf(x->name, sizeof(x->name), "x%04x%02zu", pid, r % 100);
	json_object_object_add(x->start, "name",
			       json_object_new_string(x->name));
	json_object_object_add(x->bench, "name",
			       json_object_new_string(x->name));
	/* odometer: the last key turns fastest */
	for (size_t k = m->nk; k-- > 0;) {
		if (++m->idx[k] < json_object_array_length(m->lists[k]))
			break;
		m->idx[k] = 0;
	}
	if (!json_object_is_type(j_get(x->start, "topology"),
				 json_type_string)) {
		msgf(err, elen,
		     "start: no topology (give start.topology or "
		     "matrix.topology)");
		return -1;
	}
	if (proto_params_check(&proto_methods[METHOD_START], x->start, err,
			       elen) != 0)
		return -1;
	if (bench_params_check(x->bench, err, elen) != 0) {
		size_t l = strlen(err);
		if (l + 8 < elen) {
			memmove(err + 7, err, l + 1);
			memcpy(err, "bench: ", 7);
		}
		return -1;
	}
	return 0;
}

/*
 * A start.topology that is a file (a path, or a name ending in .json) is
 * read here, by vrctl, as `vrctl start -f` does: vrouterd opens no path a
 * client names.  A relative path is taken from the experiment file's
 * directory, so an experiment and its topologies move together.
 */
static int
exp_topo_file(const char *file, json_object *start, char *err, size_t elen)
{
	const char *t = j_str(start, "topology");
	char path[PATH_MAX], dir[PATH_MAX], *slash;
	size_t l = strlen(t);

	if (j_get(start, "topology_text") != NULL ||
	    (strchr(t, '/') == NULL && (l < 5 || strcmp(t + l - 5, ".json"))))
		return 0;
	vr_strlcpy(dir, file, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	else
		vr_strlcpy(dir, ".", sizeof(dir));
	if (t[0] == '/')
		vr_strlcpy(path, t, sizeof(path));
	else
		msgf(path, sizeof(path), "%s/%s", dir, t);
	if (ctl_topo_file(start, path) == -1) {
		msgf(err, elen, "start.topology %s: cannot be read (above)", t);
		return -1;
	}
	return 0;
}

/* Expand the file's matrix into runs (first key outermost). */
int
exp_expand(const char *file, json_object *spec, struct xrun **runsp, size_t *np)
{
	struct matrix m;
	struct xrun *runs;
	char err[600], msg[900];
	size_t n;

	memset(&m, 0, sizeof(m));
	*runsp = NULL;
	*np = 0;
	if (exp_check_top(file, spec) == -1 ||
	    exp_matrix(file, j_get(spec, "matrix"), &m, &n) == -1)
		return -1;
	runs = xcalloc(n, sizeof(*runs));
	*runsp = runs;
	for (size_t r = 0; r < n; r++) {
		*np = r + 1;
		if (exp_build_run(spec, &m, r, &runs[r], err, sizeof(err)) ==
			-1 ||
		    exp_topo_file(file, runs[r].start, err, sizeof(err)) ==
			-1) {
			if (m.nk > 0)
				msgf(msg, sizeof(msg), "run %zu (%s): %s",
				     r + 1, runs[r].label, err);
			else
				msgf(msg, sizeof(msg), "%s", err);
			return exp_fail(file, msg);
		}
	}
	return 0;
}

void
exp_free(struct xrun *runs, size_t n)
{
	for (size_t i = 0; i < n && runs; i++) {
		json_object_put(runs[i].start);
		json_object_put(runs[i].bench);
		json_object_put(runs[i].vals);
	}
	free(runs);
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
