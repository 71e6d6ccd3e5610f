/*
 * Repeating a measurement elsewhere: `vrctl bench --replay DIR` re-runs a
 * recorded bench from DIR/experiment.json alone (the plan's options become
 * a start request, the topology file's text travels in the record, the
 * command becomes the bench call), checks the guest image against the
 * record's sha256 first, always stops what it started, and prints the
 * comparison of the two records (bench compare's code) with every
 * difference of their environments beside it.  `vrctl experiment --replay
 * DIR` re-runs an experiment's file (summary.json's "spec") the same way
 * and compares run by run.  docs/bench.md "Repeat it elsewhere".
 * The environment comparison is replay_env.c's.
 *
 * Over 800 lines on purpose: the two verbs share the record readers, the
 * options and the start/bench/stop calls (all static here); apart, each
 * would need the other's internals.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jtext.h"
#include "proto.h"
#include "sha256.h"
#include "util.h"
#include "vr_build.h"
#include "vrctl.h"

/* The record formats this vrctl reads (docs/bench.md "The record"). */
#define REPLAY_FORMAT_MIN 1
#define REPLAY_FORMAT_MAX 2

enum {
	OPT_REPLAY = 1400,
	OPT_ROUT,
	OPT_RNAME,
	OPT_RIMAGE,
	OPT_RCPU,
	OPT_FORCE,
};

struct replay_opts {
	const char *dir;   /* the recorded run */
	const char *out;   /* the new one */
	const char *name;  /* instance name (bench) */
	const char *image; /* guest image directory instead of the record's */
	const char *cpu;   /* generator CPU instead of the record's */
	int force;	   /* go on when the image differs */
};

/* Top-level keys of a bench record that a replay knows (formats 1, 2:
 * docs/bench.md and the record contract of issue 13). */
static const char *const replay_record_keys[] = {
    "format",
    "kind",
    "vrouterd_version",
    "command",
    "topology",
    "plan",
    "topology_text",
    "host",
    "versions",
    "backend",
    "accel",
    "accel_reason",
    "vhost",
    "vhost_reason",
    "guest_image",
    "generator",
    "started_at",
    "finished_at",
    "trials",
    "result",
    "ndr_pps",
    "pdr_pps",
    "cli",
    "topology_after",
    "points",
    "answers",
    "order",
    "latency_at",
    "results",
    "rounds",
    "latency",
    "clock",
    "marks",
    NULL,
};

int
replay_wanted(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--replay") == 0 ||
		    strncmp(argv[i], "--replay=", 9) == 0)
			return 1;
	}
	return 0;
}

static int
replay_in_list(const char *const *list, const char *key)
{
	for (; *list; list++)
		if (strcmp(*list, key) == 0)
			return 1;
	return 0;
}

static int
replay_param_known(enum proto_method_id method, const char *key)
{
	const struct proto_param *q = proto_methods[method].params;

	for (; q->name != NULL; q++)
		if (strcmp(q->name, key) == 0)
			return 1;
	return 0;
}

/* "1.10.2" against "1.9": <0, 0, >0 (numbers compared, not text). */
static int
replay_version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		char *ea, *eb;
		long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);

		if (x != y)
			return x < y ? -1 : 1;
		if (ea == a || eb == b) /* not numbers any more: text */
			return strcmp(ea, eb);
		a = *ea == '.' ? ea + 1 : ea;
		b = *eb == '.' ? eb + 1 : eb;
	}
	return 0;
}

/*
 * A record's format and kind: 0, or -1 said (a format this vrctl does not
 * know is refused: its fields may mean something else).
 */
static int
replay_check_format(const char *path, json_object *rec, const char *kind)
{
	json_object *f = j_get(rec, "format");
	const char *ver = j_str(rec, "vrouterd_version");
	long long n = j_int(rec, "format", -1);

	if (!json_object_is_type(rec, json_type_object) ||
	    strcmp(j_str(rec, "kind"), kind) != 0) {
		fprintf(stderr,
			"vrctl: replay: %s: not a %s record (\"kind\" is not "
			"\"%s\")\n",
			path, kind, kind);
		return -1;
	}
	if (!json_object_is_type(f, json_type_int) || n < REPLAY_FORMAT_MIN ||
	    n > REPLAY_FORMAT_MAX) {
		fprintf(stderr,
			"vrctl: replay: %s: record format %s is not one this "
			"vrctl reads (%d to %d)%s%s%s; refused\n",
			path, f ? json_object_to_json_string(f) : "(none)",
			REPLAY_FORMAT_MIN, REPLAY_FORMAT_MAX,
			n > REPLAY_FORMAT_MAX ? ": written by vrouterd " : "",
			n > REPLAY_FORMAT_MAX ? ver : "",
			n > REPLAY_FORMAT_MAX ? ", replay it with that version"
					      : "");
		return -1;
	}
	return 0;
}

/* The fields of a known format this vrctl does not know: said, ignored. */
static json_object *
replay_ignored(const char *path, json_object *rec)
{
	json_object *ign = json_object_new_array();
	const char *ver = j_str(rec, "vrouterd_version");
	char key[160];

	json_object_object_foreach(rec, k, v)
	{
		(void)v;
		if (!replay_in_list(replay_record_keys, k))
			json_object_array_add(ign, json_object_new_string(k));
	}
	json_object_object_foreach(j_get(rec, "command"), ck, cv)
	{
		(void)cv;
		if (!replay_param_known(METHOD_BENCH, ck)) {
			msgf(key, sizeof(key), "command.%s", ck);
			json_object_array_add(ign, json_object_new_string(key));
		}
	}
	json_object_object_foreach(j_get(j_get(rec, "plan"), "options"), ok, ov)
	{
		(void)ov;
		if (!replay_param_known(METHOD_START, ok)) {
			msgf(key, sizeof(key), "plan.options.%s", ok);
			json_object_array_add(ign, json_object_new_string(key));
		}
	}
	if (json_object_array_length(ign) > 0) {
		fprintf(stderr,
			"vrctl: replay: %s was written by vrouterd %s (this "
			"vrctl is %s%s); it ignores these fields:",
			path, ver, VROUTERD_VERSION,
			replay_version_cmp(ver, VROUTERD_VERSION) > 0
			    ? ", older"
			    : "");
		for (size_t i = 0; i < json_object_array_length(ign); i++)
			fprintf(stderr, "%s %s", i ? "," : "",
				j_text(json_object_array_get_idx(ign, i)));
		fprintf(stderr, "\n");
	}
	return ign;
}

/* ------------------------------------------------------------------ */
/* The calls from the record */

/*
 * The start request of the recorded plan: its options (those the start
 * method knows), the topology by name, or a file's text from the record.
 */
static json_object *
replay_start_params(const char *path, json_object *rec,
		    const struct replay_opts *ro, const char *name)
{
	json_object *plan = j_get(rec, "plan"), *opts = j_get(plan, "options");
	json_object *p = json_object_new_object();
	struct stat st;
	char err[512];

	if (!json_object_is_type(opts, json_type_object)) {
		fprintf(stderr,
			"vrctl: replay: %s: the record has no plan.options\n",
			path);
		goto fail;
	}
	json_object_object_foreach(opts, k, v)
	{
		if (replay_param_known(METHOD_START, k) &&
		    strcmp(k, "name") != 0 && strcmp(k, "image") != 0 &&
		    strcmp(k, "topology") != 0 &&
		    strcmp(k, "topology_text") != 0)
			json_object_object_add(p, k, json_object_get(v));
	}
	if (j_get(plan, "file") != NULL) {
		json_object *text = j_get(rec, "topology_text");

		if (!json_object_is_type(text, json_type_string)) {
			fprintf(stderr,
				"vrctl: replay: %s: the topology was the file "
				"%s, and the record does not carry its text "
				"(recorded by an older vrouterd, or after a "
				"restart of it): replay by hand with `vrctl "
				"start -f FILE`\n",
				path, j_str(plan, "file"));
			goto fail;
		}
		json_object_object_add(p, "topology",
				       json_object_get(j_get(plan, "file")));
		json_object_object_add(p, "topology_text",
				       json_object_get(text));
	} else
		json_object_object_add(
		    p, "topology", json_object_get(j_get(plan, "topology")));
	/* the image: asked for, else the record's directory if this machine
	 * has it, else the daemon's own (checked by sha256 below) */
	if (ro->image != NULL)
		json_object_object_add(p, "image",
				       json_object_new_string(ro->image));
	else if (json_object_is_type(j_get(opts, "image"), json_type_string) &&
		 stat(j_str(opts, "image"), &st) == 0 && S_ISDIR(st.st_mode))
		json_object_object_add(p, "image",
				       json_object_get(j_get(opts, "image")));
	json_object_object_add(p, "name", json_object_new_string(name));
	if (proto_params_check(&proto_methods[METHOD_START], p, err,
			       sizeof(err)) != 0) {
		fprintf(stderr,
			"vrctl: replay: %s: the recorded options make no valid "
			"start request here: %s\n",
			path, err);
		goto fail;
	}
	return p;
fail:
	json_object_put(p);
	return NULL;
}

/* Was the generator's CPU chosen on the command line (else the daemon
 * chose it, and chooses again here)? */
static int
replay_cpu_given(json_object *rec)
{
	json_object *a = j_get(j_get(rec, "cli"), "argv");

	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		const char *s =
		    json_object_get_string(json_object_array_get_idx(a, i));
		if (s &&
		    (strcmp(s, "--cpu") == 0 || strncmp(s, "--cpu=", 6) == 0))
			return 1;
	}
	return 0;
}

/* The bench call of the recorded command, against instance name. */
static json_object *
replay_bench_params(const char *path, json_object *rec,
		    const struct replay_opts *ro, const char *name)
{
	json_object *p = json_object_new_object();
	char err[512];

	json_object_object_foreach(j_get(rec, "command"), k, v)
	{
		if (!replay_param_known(METHOD_BENCH, k) ||
		    strcmp(k, "name") == 0)
			continue; /* said by replay_ignored */
		if (strcmp(k, "cpu") == 0 && !replay_cpu_given(rec))
			continue;
		json_object_object_add(p, k, json_object_get(v));
	}
	if (ro->cpu != NULL && ctl_int(p, "cpu", ro->cpu) == -1)
		goto fail;
	json_object_object_add(p, "name", json_object_new_string(name));
	if (bench_params_check(p, err, sizeof(err)) == -1) {
		fprintf(stderr,
			"vrctl: replay: %s: the recorded command makes no "
			"valid bench call here: %s\n",
			path, err);
		goto fail;
	}
	return p;
fail:
	json_object_put(p);
	return NULL;
}

/*
 * A guest image against the record's sha256 of its manifest (which names
 * every input and output by sha256): the daemon says which directory it
 * would boot (the `topology` method), vrctl hashes its manifest.json.
 * 0 to go on, -1 refused (said).
 */
static int
replay_image_check(struct vrctl *v, const char *path, json_object *rec,
		   json_object *start, int force)
{
	const char *want = j_str(j_get(rec, "guest_image"), "manifest_sha256");
	json_object *res = NULL, *err = NULL;
	char manifest[PATH_MAX], hex[65];
	const char *image;
	int rc = -1;

	if (strcmp(j_str(rec, "backend"), "vm") != 0)
		return 0; /* netns: no image */
	if (client_call(v->socket, METHOD_TOPOLOGY, json_object_get(start),
			&res, &err) == -1)
		return -1;
	if (err != NULL) {
		fprintf(stderr, "vrctl: replay: %s: the plan: ", path);
		text_output.error(err);
		goto done;
	}
	image = j_str(j_get(j_get(res, "plan"), "options"), "image");
	msgf(manifest, sizeof(manifest), "%s/manifest.json", image);
	if (strcmp(want, "-") == 0) {
		fprintf(stderr,
			"vrctl: replay: warning: %s names no image sha256 (its "
			"manifest was missing): %s is not checked\n",
			path, image);
		rc = 0;
	} else if (sha256_file(manifest, hex) == -1) {
		fprintf(stderr,
			"vrctl: replay: %s: %s: %s; the image cannot be "
			"checked against the record's (manifest sha256 %s)%s\n",
			path, manifest, strerror(errno), want,
			force ? "; going on (--force)"
			      : "; refused (--force "
				"to run anyway)");
		rc = force ? 0 : -1;
	} else if (strcmp(hex, want) != 0) {
		fprintf(stderr,
			"vrctl: replay: %s%s: the guest image differs from the "
			"recorded one: %s has sha256 %s, the record %s (its "
			"manifest lists the inputs: rebuild from them, or give "
			"--image DIR)%s\n",
			force ? "warning: " : "", path, manifest, hex, want,
			force ? "; going on (--force)"
			      : "; refused (--force to run anyway)");
		rc = force ? 0 : -1;
	} else
		rc = 0;
done:
	json_object_put(res);
	json_object_put(err);
	return rc;
}

/* ------------------------------------------------------------------ */
/* bench --replay */

/* start, bench, stop (always); VRCTL_* and the new record in *recp. */
static int
replay_run(struct vrctl *v, json_object *start, json_object *bench,
	   json_object *cli, const char *dir, json_object **recp)
{
	json_object *res = NULL, *err = NULL, *p;
	const char *name = j_str(start, "name");
	int rc, rv, plot_rv;

	*recp = NULL;
	fprintf(stderr, "vrctl: replay: start %s\n",
		json_object_to_json_string_ext(start, JSON_C_TO_STRING_PLAIN));
	client_notify_hook =
	    v->out->progress != NULL ? v->out->progress : bench_notify;
	rc = client_call(v->socket, METHOD_START, json_object_get(start), &res,
			 &err);
	client_notify_hook = NULL;
	json_object_put(res);
	res = NULL;
	if (rc == -1) {
		json_object_put(cli);
		return VRCTL_ECONNECT;
	}
	if (err != NULL) {
		text_output.error(err);
		json_object_put(err);
		json_object_put(cli);
		return VRCTL_EDAEMON;
	}
	rv = bench_call(v, &text_output, json_object_get(bench), cli, dir, recp,
			&plot_rv);
	p = json_object_new_object();
	json_object_object_add(p, "name", json_object_new_string(name));
	if ((rc = client_call(v->socket, METHOD_STOP, p, &res, &err)) != 0 ||
	    err != NULL) {
		fprintf(stderr,
			"vrctl: replay: STOP FAILED: instance %s may be left "
			"running (`vrctl stop %s`)\n",
			name, name);
		if (err)
			text_output.error(err);
		if (rv == VRCTL_OK)
			rv = rc == -1 ? VRCTL_ECONNECT : VRCTL_EDAEMON;
	}
	json_object_put(res);
	json_object_put(err);
	return rv;
}

static int
replay_opts_parse(struct vrctl *v, const struct ctl_command *cmd, int argc,
		  char **argv, struct replay_opts *ro)
{
	static const struct option opts[] = {
	    CTL_COMMON_LONGOPTS,
	    {"replay", required_argument, NULL, OPT_REPLAY},
	    {"out", required_argument, NULL, OPT_ROUT},
	    {"name", required_argument, NULL, OPT_RNAME},
	    {"image", required_argument, NULL, OPT_RIMAGE},
	    {"cpu", required_argument, NULL, OPT_RCPU},
	    {"force", no_argument, NULL, OPT_FORCE},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	memset(ro, 0, sizeof(*ro));
	optind = 0;
	while ((ch = getopt_long(argc, argv, "s:ho:", opts, NULL)) != -1) {
		if (ch == OPT_REPLAY)
			ro->dir = optarg;
		else if (ch == OPT_ROUT || ch == 'o')
			ro->out = optarg;
		else if (ch == OPT_RNAME)
			ro->name = optarg;
		else if (ch == OPT_RIMAGE)
			ro->image = optarg;
		else if (ch == OPT_RCPU)
			ro->cpu = optarg;
		else if (ch == OPT_FORCE)
			ro->force = 1;
		else if (!ctl_common_opt(v, cmd, ch))
			return -1;
	}
	if (optind != argc || ro->dir == NULL) {
		fprintf(stderr,
			"vrctl: --replay DIR takes no other argument "
			"(options: --out DIR, --name NAME, --image DIR, "
			"--cpu N, --force)\n");
		return -1;
	}
	return 0;
}

/* DIR without trailing slashes; path = DIR/file.  The file itself names
 * its directory too (as `bench compare` takes it). */
static void
replay_paths(const char *arg, const char *file, char *dir, size_t dlen,
	     char *path, size_t plen)
{
	size_t l = strlen(arg);
	const char *slash = strrchr(arg, '/');
	struct stat st;

	if (stat(arg, &st) == 0 && S_ISREG(st.st_mode)) {
		msgf(path, plen, "%s", arg);
		if (slash == NULL)
			msgf(dir, dlen, ".");
		else
			msgf(dir, dlen, "%.*s", (int)(slash - arg), arg);
		return;
	}
	while (l > 1 && arg[l - 1] == '/')
		l--;
	msgf(dir, dlen, "%.*s", (int)l, arg);
	msgf(path, plen, "%s/%s", dir, file);
}

static void
replay_default_out(const char *dir, char *out, size_t len)
{
	const char *b = strrchr(dir, '/');
	char stamp[32];

	bench_stamp_now(stamp, sizeof(stamp));
	msgf(out, len, "%s-replay-%s", b ? b + 1 : dir, stamp);
}

/* The comparison of one replay (bench compare's table, unless --json) and
 * its JSON; the environment's differences are the caller's to print. */
static json_object *
replay_result(struct vrctl *v, json_object *was, const char *wasdir,
	      json_object *now, const char *nowdir, json_object *ignored)
{
	struct bench_run r[2];
	json_object *o = json_object_new_object();
	char svg[PATH_MAX];

	memset(r, 0, sizeof(r));
	r[0].record = was;
	r[1].record = now;
	msgf(r[0].dir, sizeof(r[0].dir), "%s", wasdir);
	msgf(r[1].dir, sizeof(r[1].dir), "%s", nowdir);
	msgf(r[0].label, sizeof(r[0].label), "recorded");
	msgf(r[1].label, sizeof(r[1].label), "replay");
	msgf(svg, sizeof(svg), "%s/replay-compare.svg", nowdir);
	json_object_object_add(o, "recorded", json_object_new_string(wasdir));
	json_object_object_add(o, "replay", json_object_new_string(nowdir));
	json_object_object_add(o, "compare",
			       bench_compare_runs(r, 2, svg, v->json, 0));
	json_object_object_add(o, "environment", replay_env_diff(was, now));
	json_object_object_add(o, "ignored", json_object_get(ignored));
	return o;
}

static void
replay_save(const char *dir, json_object *o, int print)
{
	char path[PATH_MAX];
	const char *s = json_object_to_json_string_ext(
	    o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);

	msgf(path, sizeof(path), "%s/replay.json", dir);
	if (file_write_atomic(path, s, strlen(s), 0644) == -1)
		fprintf(stderr, "vrctl: cannot write %s: %s\n", path,
			strerror(errno));
	if (print)
		printf("%s\n", s);
}

int
replay_bench(struct vrctl *v, int argc, char **argv)
{
	const struct ctl_command *cmd = ctl_command_find("bench");
	struct replay_opts ro;
	json_object *rec = NULL, *ign = NULL, *start = NULL, *bench = NULL;
	json_object *now = NULL, *cli, *rp, *o;
	char dir[PATH_MAX], path[PATH_MAX], out[PATH_MAX], name[16], msg[512];
	char abs[PATH_MAX];
	int made, rv = VRCTL_EUSAGE;

	if (replay_opts_parse(v, cmd, argc, argv, &ro) == -1) {
		ctl_usage(cmd, 1);
		return VRCTL_EUSAGE;
	}
	replay_paths(ro.dir, "experiment.json", dir, sizeof(dir), path,
		     sizeof(path));
	if ((rec = jtext_read(path, NULL, VRCTL_RECORD_MAX, msg,
			      sizeof(msg))) == NULL) {
		fprintf(stderr, "vrctl: replay: %s\n", msg);
		return VRCTL_EUSAGE;
	}
	if (replay_check_format(path, rec, "vrouterd-bench") == -1)
		goto done;
	ign = replay_ignored(path, rec);
	if (ro.name != NULL)
		msgf(name, sizeof(name), "%s", ro.name);
	else
		msgf(name, sizeof(name), "rp%04x", (unsigned)getpid() & 0xffff);
	if ((start = replay_start_params(path, rec, &ro, name)) == NULL ||
	    (bench = replay_bench_params(path, rec, &ro, name)) == NULL)
		goto done;
	rv = VRCTL_EDAEMON;
	if (replay_image_check(v, path, rec, start, ro.force) == -1)
		goto done;
	if (ro.out != NULL)
		msgf(out, sizeof(out), "%s", ro.out);
	else
		replay_default_out(dir, out, sizeof(out));
	if (bench_dir_prepare(out, "experiment.json", &made) == -1)
		goto done;
	cli = bench_cli(argc, argv);
	rp = json_object_new_object();
	json_object_object_add(
	    rp, "dir", json_object_new_string(realpath(dir, abs) ? abs : dir));
	json_object_object_add(rp, "started_at",
			       json_object_get(j_get(rec, "started_at")));
	json_object_object_add(cli, "replay", rp);
	rv = replay_run(v, start, bench, cli, out, &now);
	if (now == NULL) {
		if (made)
			(void)rmdir(out);
		goto done;
	}
	o = replay_result(v, rec, dir, now, out, ign);
	if (!v->json)
		replay_env_print(j_get(o, "environment"));
	replay_save(out, o, v->json);
	json_object_put(o);
	if (!v->json)
		printf("results in %s: experiment.json results.csv "
		       "replay.json replay-compare.svg\n",
		       out);
done:
	json_object_put(now);
	json_object_put(start);
	json_object_put(bench);
	json_object_put(ign);
	json_object_put(rec);
	return rv;
}

/* ------------------------------------------------------------------ */
/* experiment --replay */

/* Every successful recorded run: a format we read, its image the same
 * here.  0, or -1 said; the fields ignored are added to ign. */
static int
replay_runs_check(struct vrctl *v, const char *dir, json_object *runs,
		  const struct replay_opts *ro, json_object *ign)
{
	char path[PATH_MAX], msg[512];

	for (size_t i = 0; i < json_object_array_length(runs); i++) {
		json_object *run = json_object_array_get_idx(runs, i), *rec,
			    *ri, *st;
		int rc;

		if (strcmp(j_str(run, "status"), "ok") != 0)
			continue;
		msgf(path, sizeof(path), "%s/%s/experiment.json", dir,
		     j_str(run, "dir"));
		if ((rec = jtext_read(path, NULL, VRCTL_RECORD_MAX, msg,
				      sizeof(msg))) == NULL) {
			fprintf(stderr, "vrctl: replay: %s\n", msg);
			return -1;
		}
		if (replay_check_format(path, rec, "vrouterd-bench") == -1) {
			json_object_put(rec);
			return -1;
		}
		ri = replay_ignored(path, rec);
		for (size_t k = 0; k < json_object_array_length(ri); k++)
			json_object_array_add(
			    ign,
			    json_object_get(json_object_array_get_idx(ri, k)));
		json_object_put(ri);
		st = json_object_get(j_get(run, "start"));
		if (ro->image != NULL)
			json_object_object_add(
			    st, "image", json_object_new_string(ro->image));
		rc = replay_image_check(v, path, rec, st, ro->force);
		json_object_put(st);
		json_object_put(rec);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* The recorded experiment file, run into out as `vrctl experiment` runs a
 * file; with --json its summary is not printed (ours is).  VRCTL_*. */
static int
replay_experiment_run(struct vrctl *v, json_object *spec, const char *out)
{
	char path[PATH_MAX], *xargv[5];
	const char *s = json_object_to_json_string_ext(
	    spec, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	int rv, saved = -1, null;

	msgf(path, sizeof(path), "%s/experiment-file.json", out);
	if (file_write_atomic(path, s, strlen(s), 0644) == -1) {
		fprintf(stderr, "vrctl: cannot write %s: %s\n", path,
			strerror(errno));
		return VRCTL_EDAEMON;
	}
	xargv[0] = (char *)"experiment";
	xargv[1] = (char *)"--out";
	xargv[2] = (char *)out;
	xargv[3] = path;
	xargv[4] = NULL;
	if (v->json && (null = open("/dev/null", O_WRONLY | O_CLOEXEC)) != -1) {
		fflush(stdout);
		saved = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	rv = ctl_experiment(v, 4, xargv);
	if (saved != -1) {
		fflush(stdout);
		dup2(saved, STDOUT_FILENO);
		close(saved);
	}
	return rv;
}

/* Each run against its recorded twin (the same spec expands to the same
 * directories): [{"recorded", "replay", "compare", "environment",
 * "ignored"}], printed unless --json. */
static json_object *
replay_runs_compare(struct vrctl *v, const char *dir, json_object *runs,
		    const char *out, json_object *nruns, json_object *ign)
{
	json_object *res = json_object_new_array();
	const char *prev = NULL;
	char msg[512];

	for (size_t i = 0; i < json_object_array_length(runs); i++) {
		json_object *run = json_object_array_get_idx(runs, i);
		json_object *nrun = json_object_array_get_idx(nruns, i);
		json_object *was, *now, *o;
		char wd[PATH_MAX], nd[PATH_MAX], p[PATH_MAX + 32];
		const char *d;

		if (strcmp(j_str(run, "status"), "ok") != 0 ||
		    strcmp(j_str(nrun, "status"), "ok") != 0 ||
		    strcmp(j_str(run, "dir"), j_str(nrun, "dir")) != 0)
			continue;
		msgf(wd, sizeof(wd), "%s/%s", dir, j_str(run, "dir"));
		msgf(nd, sizeof(nd), "%s/%s", out, j_str(run, "dir"));
		msgf(p, sizeof(p), "%s/experiment.json", wd);
		was = jtext_read(p, NULL, VRCTL_RECORD_MAX, msg, sizeof(msg));
		msgf(p, sizeof(p), "%s/experiment.json", nd);
		now = jtext_read(p, NULL, VRCTL_RECORD_MAX, msg, sizeof(msg));
		if (was == NULL || now == NULL) {
			json_object_put(was);
			json_object_put(now);
			continue;
		}
		if (!v->json)
			printf("\nrun %s (%s):\n", j_str(run, "dir"),
			       j_str(run, "label"));
		o = replay_result(v, was, wd, now, nd, ign);
		if (!v->json) {
			d = json_object_to_json_string(j_get(o, "environment"));
			if (prev != NULL && strcmp(prev, d) == 0)
				printf("environment: as the run above\n");
			else
				replay_env_print(j_get(o, "environment"));
			prev = d;
		}
		json_object_array_add(res, o);
		json_object_put(was);
		json_object_put(now);
	}
	return res;
}

int
replay_experiment(struct vrctl *v, int argc, char **argv)
{
	const struct ctl_command *cmd = ctl_command_find("experiment");
	struct replay_opts ro;
	json_object *sum = NULL, *spec, *runs, *nsum = NULL, *ign, *o;
	char dir[PATH_MAX], path[PATH_MAX], out[PATH_MAX], msg[512];
	int made, rv = VRCTL_EUSAGE, seeded = 0;

	if (replay_opts_parse(v, cmd, argc, argv, &ro) == -1 ||
	    ro.name != NULL || ro.cpu != NULL) {
		if (ro.name != NULL || ro.cpu != NULL)
			fprintf(stderr,
				"vrctl: experiment --replay: --name and "
				"--cpu are the experiment file's\n");
		ctl_usage(cmd, 1);
		return VRCTL_EUSAGE;
	}
	replay_paths(ro.dir, "summary.json", dir, sizeof(dir), path,
		     sizeof(path));
	if ((sum = jtext_read(path, NULL, VRCTL_RECORD_MAX, msg,
			      sizeof(msg))) == NULL) {
		fprintf(stderr, "vrctl: replay: %s\n", msg);
		return VRCTL_EUSAGE;
	}
	ign = json_object_new_array();
	if (replay_check_format(path, sum, "vrouterd-experiment") == -1)
		goto done;
	spec = j_get(sum, "spec");
	runs = j_get(sum, "runs");
	if (!json_object_is_type(spec, json_type_object) ||
	    !json_object_is_type(runs, json_type_array)) {
		fprintf(stderr,
			"vrctl: replay: %s: no \"spec\" object or \"runs\" "
			"array\n",
			path);
		goto done;
	}
	if (ro.image != NULL) {
		json_object *st = j_get(spec, "start");
		if (st == NULL) {
			st = json_object_new_object();
			json_object_object_add(spec, "start", st);
		}
		json_object_object_add(st, "image",
				       json_object_new_string(ro.image));
	}
	/* the run order is part of the method: a spec without "seed" ran
	 * in the order of the seed it drew, recorded as order_seed */
	if (j_get(spec, "seed") == NULL && j_get(sum, "order_seed") != NULL) {
		json_object_object_add(
		    spec, "seed",
		    json_object_new_int64(j_int(sum, "order_seed", 0)));
		seeded = 1;
	}
	rv = VRCTL_EDAEMON;
	if (replay_runs_check(v, dir, runs, &ro, ign) == -1)
		goto done;
	if (ro.out != NULL)
		msgf(out, sizeof(out), "%s", ro.out);
	else
		replay_default_out(dir, out, sizeof(out));
	if (bench_dir_prepare(out, "summary.json", &made) == -1)
		goto done;
	rv = replay_experiment_run(v, spec, out);
	msgf(path, sizeof(path), "%s/summary.json", out);
	if ((nsum = jtext_read(path, NULL, VRCTL_RECORD_MAX, msg,
			       sizeof(msg))) == NULL) {
		fprintf(stderr, "vrctl: replay: %s\n", msg);
		if (rv == VRCTL_OK)
			rv = VRCTL_EDAEMON;
		goto done;
	}
	o = json_object_new_object();
	json_object_object_add(o, "recorded", json_object_new_string(dir));
	json_object_object_add(o, "replay", json_object_new_string(out));
	json_object_object_add(
	    o, "runs",
	    replay_runs_compare(v, dir, runs, out, j_get(nsum, "runs"), ign));
	json_object_object_add(o, "ignored", json_object_get(ign));
	json_object_object_add(o, "order_seed",
			       json_object_get(j_get(spec, "seed")));
	json_object_object_add(o, "order_seed_recorded",
			       json_object_new_boolean(seeded));
	replay_save(out, o, v->json);
	json_object_put(o);
	if (!v->json) {
		if (seeded)
			printf("run order: the recorded order_seed %lld\n",
			       j_int(spec, "seed", 0));
		printf("replay of %s in %s (replay.json)\n", dir, out);
	}
done:
	json_object_put(ign);
	json_object_put(nsum);
	json_object_put(sum);
	return rv;
}
