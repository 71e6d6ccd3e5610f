/*
 * start, stop and topology: plans from params, jobs that carry them out,
 * and the answers.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "coord.h"
#include "deploy.h"
#include "hostinfo.h"
#include "hugepages.h"
#include "placement.h"
#include "intent.h"
#include "job.h"
#include "log.h"
#include "migrate.h"
#include "nodekind.h"
#include "part.h"
#include "proto.h"
#include "realport.h"
#include "statedir.h"
#include "sup_run.h"
#include "supervisor.h"
#include "topo_hosts.h"
#include "util.h"
#include "vhostnet.h"

struct stop_op {
	struct rpc_req *req;
	struct run **runs;
	int nruns;
	char err[4096];
	int failed;
	void (*done)(void *);
	void *done_arg;
};

/* ---- start -------------------------------------------------------------- */

/* For log lines: what runs the nodes. */
static const char *
sup_run_engine(const struct run *r)
{
	const struct node_kind_ops *k = node_kind_get(r->plan->opts.backend);

	if (k->no_guest)
		return k->name;
	return r->kvm ? "kvm" : "tcg";
}

static void
start_job(struct job *j, void *arg)
{
	struct run *r = arg;

	deploy_start(j, r->deploy);
}

static void
start_progress(void *arg, const char *step, const char *msg)
{
	struct run *r = arg;
	json_object *p;

	if (r->req == NULL)
		return;
	p = json_object_new_object();
	json_object_object_add(p, "topology",
			       json_object_new_string(r->plan->opts.name));
	json_object_object_add(p, "step", json_object_new_string(step));
	json_object_object_add(p, "message", json_object_new_string(msg));
	rpc_notify(r->req, "progress", p);
}

static void
start_done(void *arg)
{
	struct run *r = arg;
	struct deploy *d = r->deploy;
	struct rpc_req *req = r->req;

	r->req = NULL;
	r->deploy = NULL;
	if (d->code == 0) {
		r->state = RUN_RUNNING;
		r->boot_ms = d->boot_ms;
		for (int n = 0; n < r->plan->nnodes; n++) {
			r->nrt[n].routes = d->routes[n];
			r->nrt[n].has_routes = d->routes[n] >= 0;
		}
		sup_run_read_live(r);
		log_info("%s: running (%s, %d node%s, ready in %.1f s)",
			 r->plan->opts.name, sup_run_engine(r), r->plan->nnodes,
			 r->plan->nnodes > 1 ? "s" : "", r->boot_ms / 1000.0);
		sup_run_save(r);
		if (r->host[0]) /* recorded now: adopted, not removed */
			intent_clear(r->plan->opts.name, INTENT_PART);
		sup_event("topology", r, -1, "running");
		if (r->started)
			r->started(r->started_arg, 0, NULL);
		if (req)
			rpc_reply(req, sup_run_json(r));
	} else {
		json_object *data = json_object_new_object();
		char msg[3072];

		msgf(msg, sizeof(msg),
		     "start %s failed at %s; everything created was removed "
		     "again",
		     r->plan->opts.name, d->err);
		json_object_object_add(data, "step",
				       json_object_new_string(d->step));
		if (d->console_tail[0])
			json_object_object_add(
			    data, "console_tail",
			    json_object_new_string(d->console_tail));
		json_object_object_add(data, "rolled_back",
				       json_object_new_boolean(1));
		sup_event("topology", r, -1, "failed");
		if (r->started)
			r->started(r->started_arg, d->code, msg);
		if (req)
			rpc_error(req, d->code, data, "%s", msg);
		else
			json_object_put(data);
		TAILQ_REMOVE(&sup_runs, r, entry);
		realport_restore(r->realport);
		if (r->host[0]) /* rolled back */
			intent_clear(r->plan->opts.name, INTENT_PART);
		/* only if empty: keep console logs */
		statedir_topo_rmdir(r->plan->opts.name);
		sup_run_free(r);
	}
	free(d);
	sup_check_done();
}

/*
 * Options and plan from params.  0, or -1 with *code and err set.  A
 * caller's image path is resolved only when probe (start, autostart add):
 * a read-only `topology` must not learn where root's links lead.
 */
static int
plan_from_params(json_object *params, struct topo_plan *plan,
		 struct hostinfo *h, int probe, int *code, char *err,
		 size_t errlen)
{
	struct topo_opts o;
	char real[PATH_MAX];
	int given;

	/* The configuration's defaults, then what the caller asked for. */
	topo_opts_init(&o);
	o.timeout_sec = conf->start_timeout;
	o.accel = conf->accel;
	o.link = conf->link;
	*code = PROTO_E_CONFIG;
	if (conf->ports[0] &&
	    topo_opts_set_ports(&o, conf->ports, err, errlen) == -1)
		return -1;
	*code = PROTO_E_PARAMS;
	if (topo_opts_from_json(params, &o, err, errlen) == -1)
		return -1;
	/* A file is read by the client, with the client's rights: the
	 * daemon (root) never opens a path a peer names. */
	if (o.file[0] && o.file_text == NULL) {
		msgf(err, errlen,
		     "topology: \"%.256s\" is a file path: send the file's "
		     "contents as topology_text (vrctl does this); vrouterd "
		     "opens no file a client names",
		     o.file);
		return -1;
	}
	/* nodes without a guest (netns) join their networks by veth on
	 * bridges: the configured link kind is for guests */
	if (node_kind_get(o.backend)->no_guest &&
	    !json_object_object_get_ex(params, "link", NULL))
		o.link = LINK_TAP;
	/* The plan records the image it will really boot. */
	if (!(given = json_object_object_get_ex(params, "image", NULL)))
		vr_strlcpy(o.image, conf->image_dir, sizeof(o.image));
	if ((probe || !given) && realpath(o.image, real) != NULL)
		vr_strlcpy(o.image, real, sizeof(o.image));
	*code = PROTO_E_INTERNAL;
	if (hostinfo_read(h, NULL) == -1) {
		msgf(err, errlen, "cannot read host facts: %s",
		     strerror(errno));
		return -1;
	}
	*code = PROTO_E_TOPOLOGY;
	if (topo_plan_build_topo(&o, &h->online, &h->isolated, &h->topo, plan,
				 err, errlen) == -1)
		return -1;
	return 0;
}

/* The restart policy from params.  0, or -1 with err. */
static int
policy_from_params(json_object *params, struct run *r, char *err, size_t errlen)
{
	json_object *v;

	r->on_failure = 0;
	r->restart_limit = RESTART_LIMIT_DEFAULT;
	if (json_object_object_get_ex(params, "restart", &v)) {
		const char *s = json_object_get_string(v);
		if (strcmp(s, "on-failure") == 0)
			r->on_failure = 1;
		else if (strcmp(s, "never") != 0) {
			msgf(err, errlen,
			     "restart: \"%s\" is not never or on-failure", s);
			return -1;
		}
	}
	if (json_object_object_get_ex(params, "restart_limit", &v))
		r->restart_limit = json_object_get_int(v);
	return 0;
}

/* STATE/NAME/part.json for r, a part (coordinator from params).  0 or -1
 * with err. */
static int
sup_part_intent(json_object *params, const struct run *r, char *err,
		size_t errlen)
{
	struct intent in;
	json_object *co = NULL;
	char e[1024];

	memset(&in, 0, sizeof(in));
	(void)json_object_object_get_ex(params, "coordinator", &co);
	vr_strlcpy(in.topology, r->plan->opts.name, sizeof(in.topology));
	vr_strlcpy(in.coordinator, co ? json_object_get_string(co) : "",
		   sizeof(in.coordinator));
	vr_strlcpy(in.host, r->host, sizeof(in.host));
	in.backend = r->plan->opts.backend;
	in.since = time(NULL);
	if (intent_write(INTENT_PART, &in, e, sizeof(e)) == -1) {
		msgf(err, errlen, "cannot record the part: %s", e);
		return -1;
	}
	return 0;
}

int
sup_start(json_object *params, struct rpc_req *req,
	  void (*started)(void *, int, const char *), void *arg, int *code,
	  char *err, size_t errlen)
{
	const struct node_kind_ops *k;
	struct run *r = NULL;
	struct deploy *d = NULL;
	struct hostinfo h;
	json_object *tt;

	*code = PROTO_E_BUSY;
	if (sup_closing) {
		msgf(err, errlen,
		     "vrouterd is shutting down; try again when it is back");
		return -1;
	}
	r = sup_run_new();
	d = xcalloc(1, sizeof(*d));
	if (plan_from_params(params, r->plan, &h, 1, code, err, errlen) == -1)
		goto fail;
	/* one host's part of a topology across hosts (coord.c sends
	 * "part"): the plan cut to it; the whole of one is coord.c's */
	*code = PROTO_E_TOPOLOGY;
	if (json_object_object_get_ex(params, "part", &tt)) {
		struct topo_hosts *hs = xcalloc(1, sizeof(*hs));
		json_object *co = NULL, *ul = NULL;
		int rc;

		(void)json_object_object_get_ex(params, "coordinator", &co);
		(void)json_object_object_get_ex(params, "underlay", &ul);
		rc = part_plan(r->plan, json_object_get_string(co),
			       json_object_get_string(ul),
			       json_object_get_string(tt), &h, hs, d,
			       &r->remote, err, errlen);
		if (rc == 0 && hs->nhosts > 1 &&
		    strcmp(json_object_get_string(tt),
			   json_object_get_string(co)) == 0) {
			for (int i = 1; i < hs->nhosts; i++)
				vr_strlcpy(r->peers[r->npeers++],
					   hs->hosts[i].name,
					   sizeof(r->peers[0]));
		}
		if (rc == 0)
			vr_strlcpy(r->host, json_object_get_string(tt),
				   sizeof(r->host));
		free(hs);
		if (rc == -1)
			goto fail;
	} else if (topo_hosts_placed(r->plan)) {
		/* `start` and autostart hand these to coord.c */
		msgf(err, errlen,
		     "%s places nodes or ports on other hosts: the "
		     "coordinator's `vrctl start` (or autostart) starts it",
		     r->plan->opts.name);
		goto fail;
	}
	*code = PROTO_E_PARAMS;
	if (policy_from_params(params, r, err, errlen) == -1)
		goto fail;
	/* a bench record carries it: a replay elsewhere needs no file */
	if (r->plan->opts.file[0] &&
	    json_object_object_get_ex(params, "topology_text", &tt))
		r->topology_text = xstrdup(json_object_get_string(tt));
	r->nrt = xcalloc(r->plan->nnodes, sizeof(*r->nrt));
	for (int n = 0; n < r->plan->nnodes; n++) {
		r->nrt[n].run = r;
		r->nrt[n].node = n;
	}
	*code = PROTO_E_EXISTS;
	if (sup_run_find(r->plan->opts.name) != NULL) {
		msgf(err, errlen,
		     "a topology named %s is running already (`vrctl stop %s` "
		     "first, or choose another --name)",
		     r->plan->opts.name, r->plan->opts.name);
		goto fail;
	}
	*code = PROTO_E_START;
	for (int i = 0; i < r->plan->nwarnings; i++) /* the file's check */
		json_object_array_add(
		    r->warnings, json_object_new_string(r->plan->warnings[i]));
	/* what this host gives the nodes: accelerator, vhost, image */
	k = node_kind_get(r->plan->opts.backend);
	if (k->host_fit(r, d, &h, code, err, errlen) == -1)
		goto fail;
	if (r->plan->pin.warning[0])
		json_object_array_add(
		    r->warnings, json_object_new_string(r->plan->pin.warning));
	*code = PROTO_E_CONFIG;
	if ((size_t)snprintf(r->rundir, sizeof(r->rundir), "%s/%s",
			     statedir_path(),
			     r->plan->opts.name) >= sizeof(r->rundir)) {
		msgf(err, errlen, "state_dir %s is too long", statedir_path());
		goto fail;
	}
	*code = PROTO_E_START;
	/* a part is recorded before anything of it is made: a vrouterd
	 * killed meanwhile removes it when it starts again (intent.c) */
	if (r->host[0] && sup_part_intent(params, r, err, errlen) == -1)
		goto fail;
	if (realport_apply(r->plan, vhostnet_root(), &r->realport, err,
			   errlen) == -1)
		goto fail_part;
	vr_strlcpy(d->rundir, r->rundir, sizeof(d->rundir));
	d->plan = r->plan;
	d->kvm = r->kvm;
	d->vhost = r->vhost;
	r->deploy = d;
	r->req = req;
	r->started = started;
	r->started_arg = arg;
	r->state = RUN_STARTING;
	r->started_at = time(NULL);
	r->start_ms = now_ms();
	TAILQ_INSERT_TAIL(&sup_runs, r, entry);
	log_info("%s: starting %s (%d node%s, %s)", r->plan->opts.name,
		 r->plan->opts.topology, r->plan->nnodes,
		 r->plan->nnodes > 1 ? "s" : "", sup_run_engine(r));
	if (job_start(sup_base, start_job, start_progress, start_done, r) ==
	    -1) {
		TAILQ_REMOVE(&sup_runs, r, entry);
		*code = PROTO_E_INTERNAL;
		msgf(err, errlen, "cannot start a job: %s", strerror(errno));
		r->deploy = NULL;
		goto fail_part;
	}
	sup_event("topology", r, -1, "starting");
	return 0;
fail_part:
	if (r->host[0])
		intent_clear(r->plan->opts.name, INTENT_PART);
fail:
	realport_restore(r->realport);
	r->realport = NULL;
	free(d);
	sup_run_free(r);
	return -1;
}

int
sup_plan_build(json_object *params, struct topo_plan *plan, int *code,
	       char *err, size_t errlen)
{
	struct hostinfo h;

	return plan_from_params(params, plan, &h, 1, code, err, errlen);
}

int
sup_plan_check(json_object *params, int *code, char *err, size_t errlen)
{
	struct topo_plan *plan = xcalloc(1, sizeof(*plan));
	struct hostinfo h;
	int rc;

	rc = plan_from_params(params, plan, &h, 1, code, err, errlen);
	if (rc == 0)
		topo_plan_free(plan);
	free(plan);
	return rc;
}

void
sup_method_start(struct rpc_req *req)
{
	char err[2048];
	int code;

	if (coord_start(req) == 1) /* across hosts: coord.c answers */
		return;
	if (sup_start(rpc_params(req), req, NULL, NULL, &code, err,
		      sizeof(err)) == -1)
		rpc_error(req, code, NULL, "%s", err);
}

/* ---- stop --------------------------------------------------------------- */

static void
stop_job(struct job *j, void *arg)
{
	struct stop_op *op = arg;
	size_t off = 0;

	for (int i = 0; i < op->nruns; i++) {
		struct run *r = op->runs[i];
		char err[2048];

		job_progress(j, "stop", "stopping %s", r->plan->opts.name);
		if (deploy_teardown(r->plan, err, sizeof(err)) == -1) {
			op->failed = 1;
			if (off < sizeof(op->err))
				off += snprintf(op->err + off,
						sizeof(op->err) - off,
						"%s%s: %s", off ? "; " : "",
						r->plan->opts.name, err);
		}
	}
}

static void
stop_progress(void *arg, const char *step, const char *msg)
{
	struct stop_op *op = arg;
	json_object *p = json_object_new_object();

	json_object_object_add(p, "step", json_object_new_string(step));
	json_object_object_add(p, "message", json_object_new_string(msg));
	if (op->req)
		rpc_notify(op->req, "progress", p);
	else
		json_object_put(p);
}

/* The run directory's files, then the directory; a STATE/NAME that is
 * not ours (statedir.h) is left alone: nothing through a link is deleted. */
static void
stop_remove_state(struct run *r)
{
	char file[64], err[512];
	int fd;

	if ((fd = statedir_topo_open(r->plan->opts.name, 0, err,
				     sizeof(err))) == -1) {
		if (errno != ENOENT)
			log_warnx("%s: %s; nothing in it was removed",
				  r->plan->opts.name, err);
		return;
	}
	for (int n = 0; n < r->plan->nnodes; n++) {
		deploy_console_file(&r->plan->nodes[n], file, sizeof(file));
		(void)unlinkat(fd, file, 0);
	}
	(void)unlinkat(fd, "state.json", 0);
	(void)unlinkat(fd, "plan.json", 0); /* netns backend */
	close(fd);
	statedir_topo_rmdir(r->plan->opts.name);
}

static void
stop_done(void *arg)
{
	struct stop_op *op = arg;
	json_object *names = json_object_new_array(), *res;

	for (int i = 0; i < op->nruns; i++) {
		struct run *r = op->runs[i];

		json_object_array_add(
		    names, json_object_new_string(r->plan->opts.name));
		if (op->failed) {
			r->state = RUN_RUNNING; /* still there, in part */
			continue;
		}
		stop_remove_state(r);
		realport_restore(r->realport);
		r->realport = NULL;
		log_info("%s: stopped", r->plan->opts.name);
		sup_event("topology", r, -1, "stopped");
		TAILQ_REMOVE(&sup_runs, r, entry);
		sup_run_free(r);
	}
	if (op->req == NULL) {
		if (op->failed)
			log_warnx("stop: %s", op->err);
		json_object_put(names);
	} else if (op->failed) {
		json_object_put(names);
		rpc_error(op->req, PROTO_E_STOP, NULL,
			  "stop left something behind: %s", op->err);
	} else {
		res = json_object_new_object();
		json_object_object_add(res, "stopped", names);
		rpc_reply(op->req, res);
	}
	if (op->done)
		op->done(op->done_arg);
	free(op->runs);
	free(op);
	sup_check_done();
}

/*
 * Stop every running topology named: name, or those of names (nnames; one
 * not running is skipped), or all when both are NULL.  req (may be NULL)
 * gets the answer; done(arg) follows.  0, or -1 with code/err when
 * nothing was started.  All without req is the shutdown's: a topology
 * starting, stopping or migrating is left, not refused.
 */
static int
sup_stop_sel(const char *name, char (*names)[64], int nnames,
	     struct rpc_req *req, void (*done)(void *), void *arg, int *code,
	     char *err, size_t errlen)
{
	int shutdown = name == NULL && names == NULL && req == NULL;
	struct stop_op *op;
	struct run *r;
	int n = 0, listed;

	op = xcalloc(1, sizeof(*op));
	op->req = req;
	op->done = done;
	op->done_arg = arg;
	TAILQ_FOREACH(r, &sup_runs, entry)
	n++;
	op->runs = xcalloc(n + 1, sizeof(*op->runs));
	TAILQ_FOREACH(r, &sup_runs, entry)
	{
		if (name && strcmp(r->plan->opts.name, name) != 0)
			continue;
		listed = names == NULL;
		for (int i = 0; !listed && i < nnames; i++)
			listed = strcmp(r->plan->opts.name, names[i]) == 0;
		if (!listed)
			continue;
		if (r->state != RUN_RUNNING) {
			if (shutdown)
				continue; /* shutting down: leave it */
			*code = PROTO_E_BUSY;
			msgf(err, errlen,
			     "%s is %s; try again when that has finished",
			     r->plan->opts.name, sup_run_state(r));
			goto fail;
		}
		for (int k = 0; r->nrt && k < r->plan->nnodes; k++)
			if (r->nrt[k].migrating && !shutdown) {
				*code = PROTO_E_BUSY;
				msgf(err, errlen,
				     "%s/%s is migrating; try again when that "
				     "has finished",
				     r->plan->opts.name,
				     r->plan->nodes[k].name);
				goto fail;
			}
		op->runs[op->nruns++] = r;
	}
	if (name && op->nruns == 0) {
		*code = PROTO_E_NOT_FOUND;
		msgf(err, errlen,
		     "no topology named %s is running (`vrctl status` lists "
		     "them)",
		     name);
		goto fail;
	}
	for (int i = 0; i < op->nruns; i++) {
		struct run *rr = op->runs[i];

		rr->state = RUN_STOPPING;
		for (int k = 0; k < rr->plan->nnodes; k++)
			if (rr->nrt[k].timer) {
				event_free(rr->nrt[k].timer);
				rr->nrt[k].timer = NULL;
			}
	}
	if (job_start(sup_base, stop_job, stop_progress, stop_done, op) == -1) {
		for (int i = 0; i < op->nruns; i++)
			op->runs[i]->state = RUN_RUNNING;
		*code = PROTO_E_INTERNAL;
		msgf(err, errlen, "cannot start a job: %s", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	free(op->runs);
	free(op);
	return -1;
}

int
sup_stop(const char *name, struct rpc_req *req, void (*done)(void *), void *arg,
	 int *code, char *err, size_t errlen)
{
	return sup_stop_sel(name, NULL, 0, req, done, arg, code, err, errlen);
}

int
sup_stop_names(char (*names)[64], int nnames, struct rpc_req *req,
	       void (*done)(void *), void *arg, int *code, char *err,
	       size_t errlen)
{
	return sup_stop_sel(NULL, names, nnames, req, done, arg, code, err,
			    errlen);
}

void
sup_method_stop(struct rpc_req *req)
{
	json_object *params = rpc_params(req), *v;
	const char *name = NULL;
	char err[1024];
	int all = 0, code;

	if (json_object_object_get_ex(params, "name", &v))
		name = json_object_get_string(v);
	if (json_object_object_get_ex(params, "all", &v))
		all = json_object_get_boolean(v);
	if ((name == NULL) == !all) {
		rpc_error(req, PROTO_E_PARAMS, NULL,
			  "stop needs either \"name\" or \"all\": true");
		return;
	}
	if (sup_closing) {
		rpc_error(req, PROTO_E_BUSY, NULL, "vrouterd is shutting down");
		return;
	}
	if (name == NULL && coord_stop_all(req) == 1)
		return; /* across hosts: every host's part (coord.c answers) */
	if (migrate_stop(req, name))
		return; /* the nodes elsewhere first (of every one: --all) */
	if (name != NULL && coord_stop(req, name) == 1)
		return; /* across hosts: coord.c answers */
	if (sup_stop(name, req, NULL, NULL, &code, err, sizeof(err)) == -1)
		rpc_error(req, code, NULL, "%s", err);
}

/* ---- topology ----------------------------------------------------------- */

void
sup_method_topology(struct rpc_req *req)
{
	json_object *params = rpc_params(req), *v, *res;
	struct topo_plan *plan;
	struct hostinfo h;
	char err[1024];
	int code;

	if (!json_object_object_get_ex(params, "topology", &v)) {
		/* built-in and users' files, from the search path */
		res = json_object_new_object();
		json_object_object_add(res, "topologies", topo_list_json());
		rpc_reply(req, res);
		return;
	}
	plan = xcalloc(1, sizeof(*plan));
	if (plan_from_params(params, plan, &h, 0, &code, err, sizeof(err)) ==
	    0) {
		res = json_object_new_object();
		json_object_object_add(res, "plan", topo_plan_to_json(plan));
		rpc_reply(req, res);
		topo_plan_free(plan);
	} else
		rpc_error(req, code, NULL, "%s", err);
	free(plan);
}
