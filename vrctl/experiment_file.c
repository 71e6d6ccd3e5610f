/*
 * An experiment file (docs/bench.md "Experiments"): its keys checked, its
 * start and bench params checked against lib/proto.c's table, and its
 * matrix expanded into runs (first key outermost), each with its instance
 * name, label and directory name.  Running them is experiment.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchparam.h"
#include "experiment.h"
#include "names.h"
#include "proto.h"
#include "topo.h"
#include "util.h"
#include "vrctl.h"

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
	else if (json_object_is_type(val, json_type_array))
		msgf(buf, len, "%s%zu", k, json_object_array_length(val));
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

/* An array of strings: a list-valued start param (qemu_args) as one
 * matrix value. */
static int
strings_only(json_object *a)
{
	for (size_t i = 0; i < json_object_array_length(a); i++)
		if (!json_object_is_type(json_object_array_get_idx(a, i),
					 json_type_string))
			return 0;
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
			    (json_object_is_type(e, json_type_array) &&
			     !strings_only(e)) ||
			    (obj && !scalars_only(e))) {
				msgf(msg, sizeof(msg),
				     "matrix.%s[%zu] must be a string, number, "
				     "boolean, an array of strings (qemu_args) "
				     "or an object of scalars (a variant)",
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
