#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "autostart.h"
#include "config.h"
#include "coord.h"
#include "jtext.h"
#include "log.h"
#include "proto.h"
#include "sha256.h"
#include "sup_run.h"
#include "supervisor.h"
#include "topo.h"
#include "util.h"

#define AS_RETRY_MIN_S	   5
#define AS_RETRY_MAX_S	   300
#define AUTOSTART_FILE_MAX (4 * 1024 * 1024) /* entries carry topology_text */

enum as_state { AS_PENDING, AS_STARTING, AS_RUNNING, AS_ADOPTED, AS_FAILED };

struct as_entry {
	json_object *params;
	char name[TOPO_NAME_LEN + 1];
	enum as_state state;
	char error[1024];
	int attempts;
	struct event *timer;
};

static struct {
	struct event_base *base;
	struct as_entry *e;
	int n;
	char file_error[1024];
	int active; /* between init and fini */
} as;

static const char *
as_state_name(enum as_state s)
{
	switch (s) {
	case AS_PENDING:
		return "pending";
	case AS_STARTING:
		return "starting";
	case AS_RUNNING:
		return "started";
	case AS_ADOPTED:
		return "running already (adopted)";
	case AS_FAILED:
		return "failed";
	}
	return "?";
}

/* The instance name an entry starts under. */
static void
as_entry_name(json_object *params, char *buf, size_t len)
{
	json_object *v;

	if (json_object_object_get_ex(params, "name", &v))
		vr_strlcpy(buf, json_object_get_string(v), len);
	else if (json_object_object_get_ex(params, "topology", &v))
		topo_default_name(json_object_get_string(v), buf, len);
	else
		buf[0] = '\0';
}

static void
as_clear(void)
{
	for (int i = 0; i < as.n; i++) {
		if (as.e[i].timer)
			event_free(as.e[i].timer);
		json_object_put(as.e[i].params);
	}
	free(as.e);
	as.e = NULL;
	as.n = 0;
}

/* Read the file: an array of params, each checked like a start request. */
static json_object *
as_read(char *err, size_t errlen)
{
	json_object *root, *list;
	char perr[512], *text;
	size_t len;

	/* a regular file of bounded size: a FIFO or a device is an error,
	 * never a wait */
	if ((text = file_readat_len(AT_FDCWD, conf->autostart,
				    AUTOSTART_FILE_MAX, 0, &len)) == NULL) {
		if (errno == ENOENT)
			return json_object_new_array();
		msgf(err, errlen, "%s: %s", conf->autostart,
		     file_strerror(errno));
		return NULL;
	}
	/* jtext: it carries topology_text, so a key given twice or text
	 * after the value is an error, not silently the last one */
	root = jtext_parse(conf->autostart, text, len, err, errlen);
	free(text);
	if (root == NULL)
		return NULL;
	if (!json_object_object_get_ex(root, "topologies", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		msgf(err, errlen, "%s: needs {\"topologies\": [...]}",
		     conf->autostart);
		json_object_put(root);
		return NULL;
	}
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *p = json_object_array_get_idx(list, i);

		if (proto_params_check(&proto_methods[METHOD_START], p, perr,
				       sizeof(perr)) != 0) {
			msgf(err, errlen, "%s: topologies[%zu]: %s",
			     conf->autostart, i, perr);
			json_object_put(root);
			return NULL;
		}
	}
	list = json_object_get(list);
	json_object_put(root);
	return list;
}

static int
as_write(json_object *list, char *err, size_t errlen)
{
	json_object *root = json_object_new_object();
	char dir[PATH_MAX];
	const char *s;
	int rc;

	vr_strlcpy(dir, conf->autostart, sizeof(dir));
	if (mkdir(dirname(dir), 0755) == -1 && errno != EEXIST) {
		msgf(err, errlen, "mkdir %s: %s", dir, strerror(errno));
		json_object_put(root);
		return -1;
	}
	json_object_object_add(root, "topologies", json_object_get(list));
	s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						     JSON_C_TO_STRING_SPACED);
	/* 0600: an entry may carry a private file's contents */
	if ((rc = file_write_atomic(conf->autostart, s, strlen(s), 0600)) == -1)
		msgf(err, errlen, "write %s: %s", conf->autostart,
		     strerror(errno));
	json_object_put(root);
	return rc;
}

static void as_try(struct as_entry *e);

static struct as_entry *
as_find(const char *name)
{
	for (int i = 0; i < as.n; i++)
		if (strcmp(as.e[i].name, name) == 0)
			return &as.e[i];
	return NULL;
}

static void
as_retry_due(evutil_socket_t fd, short what, void *arg)
{
	char *name = arg;
	struct as_entry *e = as_find(name);

	(void)fd;
	(void)what;
	free(name);
	if (e == NULL)
		return;
	event_free(e->timer);
	e->timer = NULL;
	as_try(e);
}

static void
as_schedule_retry(struct as_entry *e)
{
	int s = AS_RETRY_MIN_S << (e->attempts < 7 ? e->attempts - 1 : 6);
	struct timeval tv;

	if (!as.active)
		return;
	if (s > AS_RETRY_MAX_S)
		s = AS_RETRY_MAX_S;
	tv.tv_sec = s;
	tv.tv_usec = 0;
	log_warnx("autostart %s: %s; retrying in %d s", e->name, e->error, s);
	e->timer = evtimer_new(as.base, as_retry_due, xstrdup(e->name));
	evtimer_add(e->timer, &tv);
}

/*
 * A start that failed.  Bad params (-32602) fail the same way every time,
 * e.g. an entry of an older vrouterd that names a file by its path without
 * its contents: not retried, said how to mend it.  Anything else may pass
 * later (libvirt back, a port freed) and is retried.
 */
static void
as_failed(struct as_entry *e, int code, const char *err)
{
	e->state = AS_FAILED;
	if (code != PROTO_E_PARAMS) {
		vr_strlcpy(e->error, err, sizeof(e->error));
		as_schedule_retry(e);
		return;
	}
	msgf(e->error, sizeof(e->error),
	     "not retried, re-add with `vrctl autostart add -f FILE`: %s", err);
	log_warnx("autostart %s: %s", e->name, e->error);
}

static void
as_started(void *arg, int code, const char *err)
{
	char *name = arg;
	struct as_entry *e = as_find(name);

	free(name);
	if (e == NULL || !as.active)
		return; /* removed or reloaded meanwhile */
	if (code == 0) {
		e->state = AS_RUNNING;
		e->error[0] = '\0';
		log_info("autostart %s: running", e->name);
		return;
	}
	as_failed(e, code, err);
}

static void
as_try(struct as_entry *e)
{
	char err[2048], *arg;
	int code;

	/* a start across hosts of the name under way counts as running:
	 * a second one's rollback would stop the first one's parts */
	if (sup_is_running(e->name) || coord_starting(e->name)) {
		if (e->state != AS_RUNNING)
			e->state = AS_ADOPTED;
		return;
	}
	e->attempts++;
	e->state = AS_STARTING;
	arg = xstrdup(e->name);
	/* across hosts: coord.c starts every host's part, all or nothing;
	 * a peer unreachable at boot fails it and it is retried below */
	if (coord_start_params(e->params, NULL, as_started, arg) == 1)
		return;
	if (sup_start(e->params, NULL, as_started, arg, &code, err,
		      sizeof(err)) == -1) {
		free(arg);
		as_failed(e, code, err);
	}
}

static void
as_load_and_start(void)
{
	json_object *list;

	as_clear();
	as.file_error[0] = '\0';
	if ((list = as_read(as.file_error, sizeof(as.file_error))) == NULL) {
		log_warnx("autostart: %s", as.file_error);
		return;
	}
	as.n = json_object_array_length(list);
	as.e = xcalloc(as.n + 1, sizeof(*as.e));
	for (int i = 0; i < as.n; i++) {
		as.e[i].params =
		    json_object_get(json_object_array_get_idx(list, i));
		as_entry_name(as.e[i].params, as.e[i].name,
			      sizeof(as.e[i].name));
	}
	json_object_put(list);
	if (as.n)
		log_info("autostart: %d topolog%s in %s", as.n,
			 as.n == 1 ? "y" : "ies", conf->autostart);
	for (int i = 0; i < as.n; i++)
		as_try(&as.e[i]);
}

void
autostart_init(struct event_base *base)
{
	as.base = base;
	as.active = 1;
	as_load_and_start();
}

void
autostart_reload(void)
{
	if (as.active)
		as_load_and_start();
}

void
autostart_fini(void)
{
	as.active = 0;
	as_clear();
}

json_object *
autostart_status(void)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();

	json_object_object_add(o, "file",
			       json_object_new_string(conf->autostart));
	if (as.file_error[0])
		json_object_object_add(o, "error",
				       json_object_new_string(as.file_error));
	for (int i = 0; i < as.n; i++) {
		json_object *e = json_object_new_object(), *v;

		json_object_object_add(e, "name",
				       json_object_new_string(as.e[i].name));
		if (json_object_object_get_ex(as.e[i].params, "topology", &v))
			json_object_object_add(e, "topology",
					       json_object_get(v));
		json_object_object_add(
		    e, "state",
		    json_object_new_string(as_state_name(as.e[i].state)));
		json_object_object_add(e, "attempts",
				       json_object_new_int(as.e[i].attempts));
		if (as.e[i].error[0])
			json_object_object_add(
			    e, "error", json_object_new_string(as.e[i].error));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "entries", a);
	return o;
}

/*
 * The entries as autostart.list shows them, to any peer of the read-only
 * socket: a file's contents (topology_text) are the file owner's, not
 * theirs, so only their size and sha256 are given.
 */
static void
as_list_redact(json_object *list)
{
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *p = json_object_array_get_idx(list, i), *v;
		struct sha256 h;
		uint8_t d[32];
		char hex[65];
		const char *t;
		size_t len;

		if (!json_object_object_get_ex(p, "topology_text", &v))
			continue;
		t = json_object_get_string(v);
		len = strlen(t);
		sha256_init(&h);
		sha256_update(&h, t, len);
		sha256_final(&h, d);
		for (int k = 0; k < 32; k++)
			snprintf(hex + 2 * k, 3, "%02x", d[k]);
		json_object_object_del(p, "topology_text");
		json_object_object_add(p, "topology_text_bytes",
				       json_object_new_int64((int64_t)len));
		json_object_object_add(p, "topology_text_sha256",
				       json_object_new_string(hex));
	}
}

void
autostart_method_list(struct rpc_req *req)
{
	json_object *res = autostart_status(), *list;
	char err[1024];

	if ((list = as_read(err, sizeof(err))) == NULL) {
		json_object_put(res);
		rpc_error(req, PROTO_E_CONFIG, NULL, "%s", err);
		return;
	}
	as_list_redact(list);
	json_object_object_add(res, "topologies", list);
	rpc_reply(req, res);
}

/* Replace or append the entry for params' instance name, then save. */
void
autostart_method_add(struct rpc_req *req)
{
	json_object *params = rpc_params(req), *list, *res;
	char name[TOPO_NAME_LEN + 1], other[TOPO_NAME_LEN + 1], err[2048];
	size_t i;
	int code;

	if (sup_plan_check(params, &code, err, sizeof(err)) == -1) {
		rpc_error(req, code, NULL, "not added: %s", err);
		return;
	}
	if ((list = as_read(err, sizeof(err))) == NULL) {
		rpc_error(req, PROTO_E_CONFIG, NULL, "%s", err);
		return;
	}
	as_entry_name(params, name, sizeof(name));
	for (i = 0; i < json_object_array_length(list); i++) {
		as_entry_name(json_object_array_get_idx(list, i), other,
			      sizeof(other));
		if (strcmp(name, other) == 0)
			break;
	}
	if (i < json_object_array_length(list))
		json_object_array_put_idx(list, i, json_object_get(params));
	else
		json_object_array_add(list, json_object_get(params));
	if (as_write(list, err, sizeof(err)) == -1) {
		json_object_put(list);
		rpc_error(req, PROTO_E_CONFIG, NULL, "%s", err);
		return;
	}
	json_object_put(list);
	log_info("autostart: %s added to %s", name, conf->autostart);
	res = json_object_new_object();
	json_object_object_add(res, "added", json_object_new_string(name));
	json_object_object_add(res, "file",
			       json_object_new_string(conf->autostart));
	rpc_reply(req, res);
}

void
autostart_method_remove(struct rpc_req *req)
{
	json_object *params = rpc_params(req), *v, *list, *keep, *res;
	char other[TOPO_NAME_LEN + 1], err[1024];
	const char *name = "";
	int found = 0;

	if (json_object_object_get_ex(params, "name", &v))
		name = json_object_get_string(v);
	if ((list = as_read(err, sizeof(err))) == NULL) {
		rpc_error(req, PROTO_E_CONFIG, NULL, "%s", err);
		return;
	}
	keep = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *p = json_object_array_get_idx(list, i);

		as_entry_name(p, other, sizeof(other));
		if (strcmp(other, name) == 0)
			found = 1;
		else
			json_object_array_add(keep, json_object_get(p));
	}
	json_object_put(list);
	if (!found) {
		json_object_put(keep);
		rpc_error(
		    req, PROTO_E_NOT_FOUND, NULL,
		    "no autostart entry named %s (`vrctl autostart list`)",
		    name);
		return;
	}
	if (as_write(keep, err, sizeof(err)) == -1) {
		json_object_put(keep);
		rpc_error(req, PROTO_E_CONFIG, NULL, "%s", err);
		return;
	}
	json_object_put(keep);
	log_info("autostart: %s removed from %s (it keeps running)", name,
		 conf->autostart);
	res = json_object_new_object();
	json_object_object_add(res, "removed", json_object_new_string(name));
	rpc_reply(req, res);
}
