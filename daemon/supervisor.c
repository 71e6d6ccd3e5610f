/*
 * The supervisor: the topologies this daemon runs, and the start / stop /
 * topology methods.  Runs in the loop's thread; blocking work goes to jobs
 * (job.c) and deploy.c does the steps.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "deploy.h"
#include "hostinfo.h"
#include "job.h"
#include "log.h"
#include "netsetup.h"
#include "proto.h"
#include "supervisor.h"
#include "threads.h"
#include "util.h"
#include "vm.h"

enum run_state { RUN_STARTING, RUN_RUNNING, RUN_STOPPING };

struct run {
	TAILQ_ENTRY(run) entry;
	struct topo_plan *plan;
	enum run_state state;
	char accel_reason[256];
	char vhost_reason[256];
	int kvm, vhost;
	time_t started_at;  /* wall clock, for people */
	uint64_t start_ms;  /* monotonic, for uptime */
	uint64_t boot_ms;
	json_object *warnings; /* array of strings */
	char rundir[PATH_MAX];
	struct deploy *deploy;  /* while starting */
	struct rpc_req *req;    /* the pending start, if any */
};

TAILQ_HEAD(run_list, run);

struct stop_op {
	struct rpc_req *req;
	struct run **runs;
	int nruns;
	char err[4096];
	int failed;
};

static struct run_list runs = TAILQ_HEAD_INITIALIZER(runs);
static struct event_base *sup_base;
static int sup_closing;
static void (*sup_done_cb)(void *);
static void *sup_done_arg;
static struct ns_ctx *sup_ns; /* the daemon's namespace, for counters */

static void run_free(struct run *r);

static json_object *jstrf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static json_object *
jstrf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return json_object_new_string(buf);
}
static json_object *run_json(struct run *r);

int
sup_init(struct event_base *base)
{
	char err[512];

	sup_base = base;
	if (vm_init(conf->libvirt_uri) == -1)
		log_warnx("libvirt: initialisation failed");
	else if (vm_ensure(err, sizeof(err)) == -1)
		log_warnx("%s", err);
	if (mkdir(conf->state_dir, 0755) == -1 && errno != EEXIST)
		log_warn("mkdir %s", conf->state_dir);
	return 0;
}

void
sup_reconfigure(void)
{
	/* A new libvirt URI takes effect on the next connection. */
	vm_fini();
	if (vm_init(conf->libvirt_uri) == -1)
		log_warnx("libvirt: initialisation failed");
}

static void
sup_check_done(void)
{
	void (*cb)(void *) = sup_done_cb;

	if (!sup_closing || job_count() > 0 || cb == NULL)
		return;
	sup_done_cb = NULL;
	cb(sup_done_arg);
}

void
sup_shutdown(void (*done)(void *), void *arg)
{
	sup_closing = 1;
	sup_done_cb = done;
	sup_done_arg = arg;
	if (job_count() > 0) {
		log_info("waiting for %d job(s) to finish", job_count());
		job_cancel_all();
	}
	sup_check_done();
}

void
sup_fini(void)
{
	struct run *r;

	/* Running topologies keep running: only our memory goes. */
	while ((r = TAILQ_FIRST(&runs)) != NULL) {
		TAILQ_REMOVE(&runs, r, entry);
		run_free(r);
	}
	if (sup_ns)
		ns_close(sup_ns);
	sup_ns = NULL;
	vm_fini();
}

static struct run *
run_find(const char *name)
{
	struct run *r;

	TAILQ_FOREACH(r, &runs, entry)
	if (strcmp(r->plan->opts.name, name) == 0)
		return r;
	return NULL;
}

static void
run_free(struct run *r)
{
	if (r == NULL)
		return;
	if (r->plan) {
		topo_plan_free(r->plan);
		free(r->plan);
	}
	json_object_put(r->warnings);
	free(r->deploy);
	free(r);
}

static const char *
run_state_name(const struct run *r)
{
	switch (r->state) {
	case RUN_STARTING:
		return "starting";
	case RUN_STOPPING:
		return "stopping";
	case RUN_RUNNING:
		break;
	}
	for (int n = 0; n < r->plan->nnodes; n++)
		if (strcmp(vm_state(r->plan->nodes[n].domain), "running") != 0)
			return "degraded";
	return "running";
}

/* ---- status ------------------------------------------------------------- */

static struct ns_ctx *
sup_netns(void)
{
	char err[256];

	if (sup_ns == NULL && (sup_ns = ns_open(NULL, err, sizeof(err))) == NULL)
		log_warnx("%s", err);
	return sup_ns;
}

static json_object *
link_json(const char *name)
{
	json_object *o = json_object_new_object();
	struct nl_link_stats st;
	struct ns_ctx *ns = sup_netns();
	char kind[32];

	json_object_object_add(o, "name", json_object_new_string(name));
	if (ns && nl_link_kind(ns, name, kind, sizeof(kind)) == 0)
		json_object_object_add(o, "kind", json_object_new_string(kind));
	if (ns && nl_link_stats(ns, name, &st) == 0) {
		json_object_object_add(o, "rx_packets",
		                       json_object_new_int64(st.rx_packets));
		json_object_object_add(o, "tx_packets",
		                       json_object_new_int64(st.tx_packets));
		json_object_object_add(o, "rx_dropped",
		                       json_object_new_int64(st.rx_dropped));
		json_object_object_add(o, "tx_dropped",
		                       json_object_new_int64(st.tx_dropped));
	} else
		json_object_object_add(o, "present",
		                       json_object_new_boolean(0));
	return o;
}

static json_object *
node_json(struct run *r, int n)
{
	const struct topo_node *nd = &r->plan->nodes[n];
	json_object *o = json_object_new_object(), *ifs;
	char log[PATH_MAX];
	pid_t pid = -1;

	json_object_object_add(o, "name", json_object_new_string(nd->name));
	json_object_object_add(o, "domain", json_object_new_string(nd->domain));
	json_object_object_add(o, "role",
	                       json_object_new_string(topo_role_name(nd->role)));
	if (r->state != RUN_STARTING) {
		json_object_object_add(
		    o, "state", json_object_new_string(vm_state(nd->domain)));
		pid = vm_qemu_pid(nd->domain);
	}
	json_object_object_add(o, "vcpus", json_object_new_int(nd->vcpus));
	json_object_object_add(o, "memory_mib",
	                       json_object_new_int(nd->memory_mib));
	if (pid > 0)
		json_object_object_add(o, "qemu_pid", json_object_new_int(pid));
	deploy_console_path(r->rundir, nd, log, sizeof(log));
	json_object_object_add(o, "console_log", json_object_new_string(log));
	if (pid > 0)
		json_object_object_add(
		    o, "threads",
		    threads_json(pid, r->plan->opts.pin ? &r->plan->pin : NULL,
		                 n));
	ifs = json_object_new_array();
	for (int k = 0; k < nd->nifs && r->state != RUN_STARTING; k++) {
		const struct topo_if *i = &nd->ifs[k];
		json_object *l = link_json(i->host_if);

		json_object_object_add(l, "guest_if",
		                       json_object_new_string(i->guest_if));
		json_object_object_add(l, "mac", json_object_new_string(i->mac));
		json_object_object_add(l, "address",
		                       json_object_new_string(i->addr));
		json_object_array_add(ifs, l);
	}
	json_object_object_add(o, "interfaces", ifs);
	return o;
}

static json_object *
ports_json(struct run *r, json_object *hostifs)
{
	json_object *o = json_object_new_object();

	for (int i = 0; i < 2; i++) {
		const struct topo_port *pt = &r->plan->ports[i];
		json_object *p = json_object_new_object();

		if (pt->netns[0])
			json_object_object_add(
			    p, "netns", json_object_new_string(pt->netns));
		if (pt->created) {
			json_object_object_add(
			    p, "interface", json_object_new_string(pt->ns_if));
			json_object_object_add(
			    p, "address", json_object_new_string(pt->ns_addr));
			json_object_object_add(
			    p, "gateway", json_object_new_string(pt->ns_gw));
		}
		json_object_object_add(p, "host_if",
		                       json_object_new_string(pt->host_if));
		json_object_object_add(o, pt->role, p);
		if (r->state != RUN_STARTING) {
			json_object_array_add(hostifs, link_json(pt->host_if));
			if (pt->bridge[0])
				json_object_array_add(hostifs,
				                      link_json(pt->bridge));
		}
	}
	return o;
}

static json_object *
run_json(struct run *r)
{
	json_object *o = json_object_new_object(), *nodes, *hostifs;
	char when[32];
	struct tm tm;

	json_object_object_add(o, "name",
	                       json_object_new_string(r->plan->opts.name));
	json_object_object_add(o, "topology",
	                       json_object_new_string(r->plan->opts.topology));
	json_object_object_add(o, "state",
	                       json_object_new_string(run_state_name(r)));
	json_object_object_add(o, "accel",
	                       json_object_new_string(r->kvm ? "kvm" : "tcg"));
	json_object_object_add(o, "accel_reason",
	                       json_object_new_string(r->accel_reason));
	json_object_object_add(o, "vhost", json_object_new_boolean(r->vhost));
	json_object_object_add(o, "vhost_reason",
	                       json_object_new_string(r->vhost_reason));
	json_object_object_add(
	    o, "link", json_object_new_string(topo_link_name(r->plan->opts.link)));
	json_object_object_add(o, "pinned",
	                       json_object_new_boolean(r->plan->opts.pin));
	gmtime_r(&r->started_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(o, "started_at", json_object_new_string(when));
	json_object_object_add(
	    o, "uptime_s", json_object_new_int64((now_ms() - r->start_ms) / 1000));
	if (r->state == RUN_RUNNING)
		json_object_object_add(o, "boot_ms",
		                       json_object_new_int64(r->boot_ms));
	json_object_object_add(o, "warnings", json_object_get(r->warnings));
	nodes = json_object_new_array();
	for (int n = 0; n < r->plan->nnodes; n++)
		json_object_array_add(nodes, node_json(r, n));
	json_object_object_add(o, "nodes", nodes);
	hostifs = json_object_new_array();
	json_object_object_add(o, "ports", ports_json(r, hostifs));
	json_object_object_add(o, "host_interfaces", hostifs);
	return o;
}

json_object *
sup_status_topologies(void)
{
	json_object *a = json_object_new_array();
	struct run *r;

	TAILQ_FOREACH(r, &runs, entry)
	json_object_array_add(a, run_json(r));
	return a;
}

json_object *
sup_status_libvirt(void)
{
	return vm_status_json();
}

/* ---- start -------------------------------------------------------------- */

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
		log_info("%s: running (%s, %d node%s, ready in %.1f s)",
		         r->plan->opts.name, r->kvm ? "kvm" : "tcg",
		         r->plan->nnodes, r->plan->nnodes > 1 ? "s" : "",
		         r->boot_ms / 1000.0);
		if (req)
			rpc_reply(req, run_json(r));
	} else {
		json_object *data = json_object_new_object();

		json_object_object_add(data, "step",
		                       json_object_new_string(d->step));
		if (d->console_tail[0])
			json_object_object_add(
			    data, "console_tail",
			    json_object_new_string(d->console_tail));
		json_object_object_add(data, "rolled_back",
		                       json_object_new_boolean(1));
		if (req)
			rpc_error(req, d->code, data,
			          "start %s failed at %s; everything created "
			          "was removed again",
			          r->plan->opts.name, d->err);
		else
			json_object_put(data);
		TAILQ_REMOVE(&runs, r, entry);
		rmdir(r->rundir); /* only if empty: keep console logs */
		run_free(r);
	}
	free(d);
	sup_check_done();
}

static int
image_paths(const struct topo_opts *o, struct deploy *d, char *err,
            size_t errlen)
{
	const char *dir = o->image;
	char real[PATH_MAX];

	if (realpath(dir, real) == NULL) {
		msgf(err, errlen,
		     "guest image directory %s: %s (build it with "
		     "`images/build-guest -o %s`, or pass --image DIR)",
		     dir, strerror(errno), dir);
		return -1;
	}
	if ((size_t)snprintf(d->kernel, sizeof(d->kernel), "%s/vmlinuz",
	                     real) >= sizeof(d->kernel) ||
	    (size_t)snprintf(d->initrd, sizeof(d->initrd), "%s/initrd.img",
	                     real) >= sizeof(d->initrd)) {
		snprintf(err, errlen, "guest image path too long");
		return -1;
	}
	return 0;
}

/* Options and plan from params; -1 after answering req. */
static int
plan_from_params(struct rpc_req *req, struct topo_plan *plan,
                 struct hostinfo *h)
{
	struct topo_opts o;
	char err[1024], real[PATH_MAX];
	json_object *v;

	/* The configuration's defaults, then what the caller asked for. */
	topo_opts_init(&o);
	o.timeout_sec = conf->start_timeout;
	o.accel = conf->accel;
	o.link = conf->link;
	if (conf->ports[0] &&
	    topo_opts_set_ports(&o, conf->ports, err, sizeof(err)) == -1) {
		rpc_error(req, PROTO_E_CONFIG, NULL, "configuration: ports: %s",
		          err);
		return -1;
	}
	if (topo_opts_from_json(rpc_params(req), &o, err, sizeof(err)) == -1) {
		rpc_error(req, PROTO_E_PARAMS, NULL, "%s", err);
		return -1;
	}
	/* The plan records the image it will really boot. */
	if (!json_object_object_get_ex(rpc_params(req), "image", &v))
		vr_strlcpy(o.image, conf->image_dir, sizeof(o.image));
	if (realpath(o.image, real) != NULL)
		vr_strlcpy(o.image, real, sizeof(o.image));
	if (hostinfo_read(h, NULL) == -1) {
		rpc_error(req, PROTO_E_INTERNAL, NULL,
		          "cannot read host facts: %s", strerror(errno));
		return -1;
	}
	if (topo_plan_build(&o, &h->online, &h->isolated, plan, err,
	                    sizeof(err)) == -1) {
		rpc_error(req, PROTO_E_TOPOLOGY, NULL, "%s", err);
		return -1;
	}
	return 0;
}

void
sup_method_start(struct rpc_req *req)
{
	struct run *r = NULL;
	struct deploy *d = NULL;
	struct hostinfo h;
	char err[1024];
	int accel;

	if (sup_closing) {
		rpc_error(req, PROTO_E_BUSY, NULL,
		          "vrouterd is shutting down; try again when it is back");
		return;
	}
	r = xcalloc(1, sizeof(*r));
	r->plan = xcalloc(1, sizeof(*r->plan));
	r->warnings = json_object_new_array();
	d = xcalloc(1, sizeof(*d));
	if (plan_from_params(req, r->plan, &h) == -1)
		goto fail;
	if (run_find(r->plan->opts.name) != NULL) {
		rpc_error(req, PROTO_E_EXISTS, NULL,
		          "a topology named %s is running already (`vrctl stop "
		          "%s` first, or choose another --name)",
		          r->plan->opts.name, r->plan->opts.name);
		goto fail;
	}
	if ((accel = hostinfo_accel(&h, r->plan->opts.accel, r->accel_reason,
	                            sizeof(r->accel_reason))) == -1) {
		rpc_error(req, PROTO_E_START, NULL, "accelerator: %s",
		          r->accel_reason);
		goto fail;
	}
	r->kvm = accel == ACCEL_KVM;
	r->vhost = h.vhost_net;
	vr_strlcpy(r->vhost_reason, h.vhost_reason, sizeof(r->vhost_reason));
	if (!r->kvm)
		json_object_array_add(
		    r->warnings,
		    jstrf("guests run under TCG (software emulation, far "
		          "slower than KVM): %s",
		          r->accel_reason));
	if (!r->vhost)
		json_object_array_add(
		    r->warnings,
		    jstrf("no vhost-net: %s", r->vhost_reason));
	if (r->plan->pin.warning[0])
		json_object_array_add(
		    r->warnings, json_object_new_string(r->plan->pin.warning));
	if (image_paths(&r->plan->opts, d, err, sizeof(err)) == -1) {
		rpc_error(req, PROTO_E_IMAGE, NULL, "%s", err);
		goto fail;
	}
	if ((size_t)snprintf(r->rundir, sizeof(r->rundir), "%s/%s",
	                     conf->state_dir,
	                     r->plan->opts.name) >= sizeof(r->rundir)) {
		rpc_error(req, PROTO_E_CONFIG, NULL, "state_dir %s is too long",
		          conf->state_dir);
		goto fail;
	}
	vr_strlcpy(d->rundir, r->rundir, sizeof(d->rundir));
	d->plan = r->plan;
	d->kvm = r->kvm;
	d->vhost = r->vhost;
	r->deploy = d;
	r->req = req;
	r->state = RUN_STARTING;
	r->started_at = time(NULL);
	r->start_ms = now_ms();
	TAILQ_INSERT_TAIL(&runs, r, entry);
	log_info("%s: starting %s (%d node%s, %s)", r->plan->opts.name,
	         r->plan->opts.topology, r->plan->nnodes,
	         r->plan->nnodes > 1 ? "s" : "", r->kvm ? "kvm" : "tcg");
	if (job_start(sup_base, start_job, start_progress, start_done, r) ==
	    -1) {
		TAILQ_REMOVE(&runs, r, entry);
		rpc_error(req, PROTO_E_INTERNAL, NULL, "cannot start a job: %s",
		          strerror(errno));
		r->deploy = NULL;
		goto fail;
	}
	return;
fail:
	free(d);
	run_free(r);
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
				                sizeof(op->err) - off, "%s%s: %s",
				                off ? "; " : "",
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

static void
stop_done(void *arg)
{
	struct stop_op *op = arg;
	json_object *names = json_object_new_array(), *res;

	for (int i = 0; i < op->nruns; i++) {
		struct run *r = op->runs[i];
		char log[PATH_MAX];

		json_object_array_add(names,
		                      json_object_new_string(r->plan->opts.name));
		if (op->failed) {
			r->state = RUN_RUNNING; /* still there, in part */
			continue;
		}
		for (int n = 0; n < r->plan->nnodes; n++) {
			deploy_console_path(r->rundir, &r->plan->nodes[n], log,
			                    sizeof(log));
			unlink(log);
		}
		rmdir(r->rundir);
		log_info("%s: stopped", r->plan->opts.name);
		TAILQ_REMOVE(&runs, r, entry);
		run_free(r);
	}
	if (op->failed) {
		json_object_put(names);
		rpc_error(op->req, PROTO_E_STOP, NULL,
		          "stop left something behind: %s", op->err);
	} else {
		res = json_object_new_object();
		json_object_object_add(res, "stopped", names);
		rpc_reply(op->req, res);
	}
	free(op->runs);
	free(op);
	sup_check_done();
}

void
sup_method_stop(struct rpc_req *req)
{
	json_object *params = rpc_params(req), *v;
	const char *name = NULL;
	struct stop_op *op;
	struct run *r;
	int all = 0, n = 0;

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
	op = xcalloc(1, sizeof(*op));
	op->req = req;
	TAILQ_FOREACH(r, &runs, entry)
	n++;
	op->runs = xcalloc(n + 1, sizeof(*op->runs));
	TAILQ_FOREACH(r, &runs, entry)
	{
		if (!all && strcmp(r->plan->opts.name, name) != 0)
			continue;
		if (r->state != RUN_RUNNING) {
			rpc_error(req, PROTO_E_BUSY, NULL,
			          "%s is %s; try again when that has finished",
			          r->plan->opts.name, run_state_name(r));
			goto fail;
		}
		op->runs[op->nruns++] = r;
	}
	if (!all && op->nruns == 0) {
		rpc_error(req, PROTO_E_NOT_FOUND, NULL,
		          "no topology named %s is running (`vrctl status` lists "
		          "them)",
		          name);
		goto fail;
	}
	for (int i = 0; i < op->nruns; i++)
		op->runs[i]->state = RUN_STOPPING;
	if (job_start(sup_base, stop_job, stop_progress, stop_done, op) ==
	    -1) {
		for (int i = 0; i < op->nruns; i++)
			op->runs[i]->state = RUN_RUNNING;
		rpc_error(req, PROTO_E_INTERNAL, NULL, "cannot start a job: %s",
		          strerror(errno));
		goto fail;
	}
	return;
fail:
	free(op->runs);
	free(op);
}

/* ---- topology ----------------------------------------------------------- */

void
sup_method_topology(struct rpc_req *req)
{
	json_object *params = rpc_params(req), *v, *res;
	struct topo_plan *plan;
	struct hostinfo h;

	if (!json_object_object_get_ex(params, "topology", &v)) {
		json_object *list = json_object_new_array();

		for (int i = 0; topo_builtin_names[i]; i++) {
			json_object *t = json_object_new_object();
			json_object_object_add(
			    t, "name",
			    json_object_new_string(topo_builtin_names[i]));
			json_object_object_add(
			    t, "description",
			    json_object_new_string(
			        topo_describe(topo_builtin_names[i])));
			json_object_array_add(list, t);
		}
		res = json_object_new_object();
		json_object_object_add(res, "topologies", list);
		rpc_reply(req, res);
		return;
	}
	plan = xcalloc(1, sizeof(*plan));
	if (plan_from_params(req, plan, &h) == 0) {
		res = json_object_new_object();
		json_object_object_add(res, "plan", topo_plan_to_json(plan));
		rpc_reply(req, res);
		topo_plan_free(plan);
	}
	free(plan);
}
