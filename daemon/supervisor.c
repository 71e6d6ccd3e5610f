/*
 * The supervisor: the topologies this daemon runs and what happens to them.
 * Adoption of what an earlier vrouterd started, libvirt's events and
 * reconnection, the restart policy, watchers, cleanup.  Runs in the loop's
 * thread; blocking work goes to jobs (job.c), deploy.c does the steps.
 * start/stop/topology live in sup_start.c, status objects in sup_status.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "adopt.h"
#include "autostart.h"
#include "config.h"
#include "deadline.h"
#include "job.h"
#include "log.h"
#include "proto.h"
#include "statedir.h"
#include "sup_int.h"
#include "supervisor.h"
#include "threads.h"
#include "util.h"
#include "vm.h"

#define RECONNECT_MIN_MS 500
#define RECONNECT_MAX_MS 10000

struct run_list sup_runs = TAILQ_HEAD_INITIALIZER(sup_runs);
struct event_base *sup_base;
int sup_closing;

static void (*sup_done_cb)(void *);
static void *sup_done_arg;
static int sup_stopping_all; /* stop_on_exit in progress */

static struct event *reconnect_ev;
static int reconnect_ms;

/* Scanning for orphans costs a netlink dump and a libvirt call per domain:
 * it runs as a job, never in a status call; status answers with the last
 * scan and asks for a new one when that is older than two seconds or
 * something changed since (sup_event bumps orphans_gen). */
static json_object *orphans_cache;
static uint64_t orphans_when;
static unsigned orphans_gen, orphans_cache_gen;
static int orphans_scanning;

static struct rpc_req **watchers;
static int nwatchers;
static struct event *watch_ev;

json_object *
jstrf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return json_object_new_string(buf);
}

/* ---- the list ------------------------------------------------------------ */

struct run *
sup_run_new(void)
{
	struct run *r = xcalloc(1, sizeof(*r));

	r->plan = xcalloc(1, sizeof(*r->plan));
	r->warnings = json_object_new_array();
	r->restart_limit = RESTART_LIMIT_DEFAULT;
	return r;
}

void
sup_run_read_live(struct run *r)
{
	if (r->plan->opts.backend != BACKEND_VM || r->nrt == NULL)
		return;
	for (int n = 0; n < r->plan->nnodes; n++) {
		json_object_put(r->nrt[n].live);
		r->nrt[n].live = vm_domain_live(r->plan->nodes[n].domain);
	}
}

void
sup_run_free(struct run *r)
{
	if (r == NULL)
		return;
	for (int n = 0; r->nrt && n < r->plan->nnodes; n++) {
		if (r->nrt[n].timer)
			event_free(r->nrt[n].timer);
		json_object_put(r->nrt[n].live);
	}
	free(r->nrt);
	topo_plan_free(r->plan);
	free(r->plan);
	json_object_put(r->warnings);
	free(r->topology_text);
	free(r->deploy);
	free(r);
}

struct run *
sup_run_find(const char *name)
{
	struct run *r;

	TAILQ_FOREACH(r, &sup_runs, entry)
	if (strcmp(r->plan->opts.name, name) == 0)
		return r;
	return NULL;
}

int
sup_is_running(const char *name)
{
	return sup_run_find(name) != NULL;
}

/* What libvirt does not know, for the next vrouterd (adoption). */
void
sup_run_save(struct run *r)
{
	json_object *s = json_object_new_object(), *routes;

	json_object_object_add(s, "name",
			       json_object_new_string(r->plan->opts.name));
	json_object_object_add(s, "started_at",
			       json_object_new_int64(r->started_at));
	json_object_object_add(s, "boot_ms", json_object_new_int64(r->boot_ms));
	json_object_object_add(s, "kvm", json_object_new_boolean(r->kvm));
	json_object_object_add(s, "accel_reason",
			       json_object_new_string(r->accel_reason));
	json_object_object_add(s, "vhost", json_object_new_boolean(r->vhost));
	json_object_object_add(s, "vhost_reason",
			       json_object_new_string(r->vhost_reason));
	json_object_object_add(s, "warnings", json_object_get(r->warnings));
	json_object_object_add(
	    s, "restart",
	    json_object_new_string(r->on_failure ? "on-failure" : "never"));
	json_object_object_add(s, "restart_limit",
			       json_object_new_int(r->restart_limit));
	routes = json_object_new_object(); /* what each READY line said */
	for (int n = 0; n < r->plan->nnodes; n++)
		if (r->nrt && r->nrt[n].has_routes)
			json_object_object_add(
			    routes, r->plan->nodes[n].name,
			    json_object_new_int64(r->nrt[n].routes));
	json_object_object_add(s, "routes", routes);
	if (adopt_state_write(r->plan->opts.name, s) == -1)
		log_warn("%s: cannot write %s/state.json", r->plan->opts.name,
			 r->rundir);
	json_object_put(s);
}

/* ---- watchers ------------------------------------------------------------ */

static void
watch_prune(void)
{
	int k = 0;

	for (int i = 0; i < nwatchers; i++) {
		if (rpc_connected(watchers[i]))
			watchers[k++] = watchers[i];
		else
			rpc_reply(watchers[i], json_object_new_object());
	}
	nwatchers = k;
}

/*
 * Each watch holds memory and is sent every event until its client goes:
 * one per connection, and max_watchers of unprivileged peers in all (root
 * and the group are bounded by their connections).  -1 when refused.
 */
static int
watch_refused(struct rpc_req *req)
{
	json_object *data;
	const char *reason = NULL;
	int unpriv = 0, limit = 1;
	char msg[256];

	watch_prune();
	for (int i = 0; i < nwatchers && reason == NULL; i++) {
		if (rpc_same_client(watchers[i], req))
			reason = "watch";
		else if (!rpc_privileged(watchers[i]))
			unpriv++;
	}
	if (reason != NULL)
		snprintf(msg, sizeof(msg),
			 "this connection watches already: one watch per "
			 "connection");
	else if (!rpc_privileged(req) && unpriv >= conf->max_watchers) {
		reason = "watchers";
		limit = conf->max_watchers;
		snprintf(msg, sizeof(msg),
			 "%d watches of unprivileged peers are open, the "
			 "limit (max_watchers): try again later",
			 unpriv);
	} else
		return 0;
	data = json_object_new_object();
	json_object_object_add(data, "reason", json_object_new_string(reason));
	json_object_object_add(data, "limit", json_object_new_int(limit));
	if (strcmp(reason, "watchers") == 0)
		json_object_object_add(data, "setting",
				       json_object_new_string("max_watchers"));
	rpc_error(req, PROTO_E_BUSY, data, "%s", msg);
	return -1;
}

static void node_down(struct run *r, int n, const char *why);

/* netns nodes have no libvirt events: a namespace that went is a node
 * down (checked every second). */
static void
netns_check(void)
{
	struct run *r;

	TAILQ_FOREACH(r, &sup_runs, entry)
	{
		if (r->state != RUN_RUNNING ||
		    r->plan->opts.backend != BACKEND_NETNS)
			continue;
		for (int n = 0; n < r->plan->nnodes; n++)
			if (!r->nrt[n].down && !r->nrt[n].restarting &&
			    r->nrt[n].timer == NULL &&
			    strcmp(sup_node_state(r, n), "running") != 0)
				node_down(r, n, "namespace gone");
	}
}

/* Node n's ready line, read in STATE_DIR/NAME through a directory fd
 * (never through a link); 0 (not yet) when the directory cannot be had.
 * Only what was appended since the last call is read (the node's
 * console_off), not the whole log on every tick. */
static int
sup_console_ready(struct run *r, int n, char *fail, size_t faillen)
{
	char err[256], log[64];
	int fd, rc;

	if ((fd = statedir_topo_open(r->plan->opts.name, 0, err,
				     sizeof(err))) == -1)
		return 0;
	deploy_console_file(&r->plan->nodes[n], log, sizeof(log));
	rc = deploy_console_scan(fd, log, r->plan->nodes[n].name,
				 &r->nrt[n].console_off, fail, faillen);
	close(fd);
	return rc;
}

/* A guest adopted before it reported ready is starting until its console
 * log says VROUTERD-READY (or down when it says VROUTERD-FAIL). */
static void
booting_check(void)
{
	struct run *r;
	char fail[256];

	TAILQ_FOREACH(r, &sup_runs, entry)
	{
		if (r->state != RUN_RUNNING)
			continue;
		for (int n = 0; n < r->plan->nnodes; n++) {
			struct node_rt *rt = &r->nrt[n];
			int rc;

			if (!rt->booting)
				continue;
			rc = sup_console_ready(r, n, fail, sizeof(fail));
			if (rc == 1) {
				rt->booting = 0;
				rt->routes = deploy_ready_routes(fail);
				rt->has_routes = rt->routes >= 0;
				sup_event("node", r, n, "ready");
			} else if (rc == -1) {
				log_warnx("%s/%s: guest reported failure: %s",
					  r->plan->opts.name,
					  r->plan->nodes[n].name, fail);
				node_down(r, n, "guest reported failure");
			}
		}
	}
}

static void
watch_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	watch_prune();
	netns_check();
	booting_check();
}

void
sup_event(const char *kind, struct run *r, int node, const char *what)
{
	json_object *ev;

	orphans_gen++; /* what exists has changed */
	if (r && node >= 0)
		log_info("%s/%s: %s", r->plan->opts.name,
			 r->plan->nodes[node].name, what);
	watch_prune();
	if (nwatchers == 0)
		return;
	ev = json_object_new_object();
	json_object_object_add(ev, "kind", json_object_new_string(kind));
	if (r) {
		json_object_object_add(
		    ev, "topology", json_object_new_string(r->plan->opts.name));
		json_object_object_add(
		    ev, "state", json_object_new_string(sup_run_state(r)));
	}
	if (r && node >= 0) {
		json_object_object_add(
		    ev, "node",
		    json_object_new_string(r->plan->nodes[node].name));
		json_object_object_add(
		    ev, "domain",
		    json_object_new_string(r->plan->nodes[node].domain));
	}
	json_object_object_add(ev, "event", json_object_new_string(what));
	json_object_object_add(ev, "time_ms", json_object_new_int64(now_ms()));
	for (int i = 0; i < nwatchers; i++)
		rpc_notify(watchers[i], "event", json_object_get(ev));
	json_object_put(ev);
}

void
sup_method_watch(struct rpc_req *req)
{
	json_object *hello = json_object_new_object();
	struct run *r;

	if (sup_closing) {
		rpc_error(req, PROTO_E_BUSY, NULL, "vrouterd is shutting down");
		json_object_put(hello);
		return;
	}
	if (watch_refused(req) == -1) {
		json_object_put(hello);
		return;
	}
	watchers = xreallocarray(watchers, nwatchers + 1, sizeof(*watchers));
	watchers[nwatchers++] = req;
	/* A first event with the current state of everything. */
	json_object_object_add(hello, "kind", json_object_new_string("hello"));
	json_object_object_add(hello, "libvirt",
			       json_object_new_string(vm_connected()
							  ? "connected"
							  : "disconnected"));
	json_object *ts = json_object_new_object();
	TAILQ_FOREACH(r, &sup_runs, entry)
	json_object_object_add(ts, r->plan->opts.name,
			       json_object_new_string(sup_run_state(r)));
	json_object_object_add(hello, "topologies", ts);
	rpc_notify(req, "event", hello);
}

static void
watch_end_all(void)
{
	for (int i = 0; i < nwatchers; i++) {
		json_object *res = json_object_new_object();
		json_object_object_add(res, "ended",
				       json_object_new_string("shutdown"));
		rpc_reply(watchers[i], res);
	}
	free(watchers);
	watchers = NULL;
	nwatchers = 0;
}

/* ---- restart policy -------------------------------------------------------
 */

static void restart_due(evutil_socket_t fd, short what, void *arg);

/* Arm the next restart of a down node (backoff 1, 2, 4 ... 30 s), unless
 * the policy, the limit or a restart under way says no. */
static void
restart_schedule(struct node_rt *rt)
{
	struct run *r = rt->run;
	struct timeval tv;
	int ms;

	if (!r->on_failure || r->state != RUN_RUNNING || sup_closing ||
	    rt->restarting || rt->timer)
		return;
	if (rt->restarts >= r->restart_limit) {
		log_warnx("%s/%s: restart limit (%d) reached; left down",
			  r->plan->opts.name, r->plan->nodes[rt->node].name,
			  r->restart_limit);
		return;
	}
	ms = RESTART_BACKOFF_MS << (rt->restarts < 5 ? rt->restarts : 5);
	if (ms > RESTART_BACKOFF_MAX)
		ms = RESTART_BACKOFF_MAX;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = ms % 1000 * 1000;
	rt->timer = evtimer_new(sup_base, restart_due, rt);
	evtimer_add(rt->timer, &tv);
}

struct restart_op {
	struct run *run;
	int node;
	struct deploy *d;
};

static void
restart_job(struct job *j, void *arg)
{
	struct restart_op *op = arg;

	deploy_restart_node(j, op->d, op->node);
}

static void
restart_done(void *arg)
{
	struct restart_op *op = arg;
	struct run *r = op->run;
	struct node_rt *rt = &r->nrt[op->node];

	rt->restarting = 0;
	if (op->d->code == 0) {
		rt->down = 0;
		rt->routes = op->d->routes[op->node];
		rt->has_routes = rt->routes >= 0;
		msgf(rt->last_event, sizeof(rt->last_event), "restarted (%d)",
		     rt->restarts);
		sup_event("node", r, op->node, "restarted");
	} else {
		log_warnx("%s/%s: restart failed: %s", r->plan->opts.name,
			  r->plan->nodes[op->node].name, op->d->err);
		msgf(rt->last_event, sizeof(rt->last_event), "restart failed");
		sup_event("node", r, op->node, "restart failed");
		restart_schedule(rt); /* again, within the limit */
	}
	free(op->d);
	free(op);
	sup_check_done();
}

static void
restart_due(evutil_socket_t fd, short what, void *arg)
{
	struct node_rt *rt = arg;
	struct run *r = rt->run;
	struct restart_op *op;

	(void)fd;
	(void)what;
	event_free(rt->timer);
	rt->timer = NULL;
	if (r->state != RUN_RUNNING || sup_closing || rt->restarting)
		return;
	op = xcalloc(1, sizeof(*op));
	op->run = r;
	op->node = rt->node;
	op->d = xcalloc(1, sizeof(*op->d));
	op->d->plan = r->plan;
	op->d->kvm = r->kvm;
	op->d->vhost = r->vhost;
	vr_strlcpy(op->d->rundir, r->rundir, sizeof(op->d->rundir));
	msgf(op->d->kernel, sizeof(op->d->kernel), "%s/vmlinuz",
	     r->plan->opts.image);
	msgf(op->d->initrd, sizeof(op->d->initrd), "%s/initrd.img",
	     r->plan->opts.image);
	rt->restarting = 1;
	rt->restarts++;
	sup_event("node", r, rt->node, "restarting");
	if (job_start(sup_base, restart_job, NULL, restart_done, op) == -1) {
		log_warn("%s: cannot start a restart job", r->plan->opts.name);
		rt->restarting = 0;
		free(op->d);
		free(op);
	}
}

static void
node_down(struct run *r, int n, const char *why)
{
	struct node_rt *rt = &r->nrt[n];

	rt->down = 1;
	rt->booting = 0; /* a restart waits for ready itself */
	vr_strlcpy(rt->last_event, why, sizeof(rt->last_event));
	sup_event("node", r, n, why);
	restart_schedule(rt);
}

/* ---- libvirt events and reconnection ----------------------------------------
 */

static int
run_node_by_domain(const char *domain, struct run **rp)
{
	struct run *r;

	TAILQ_FOREACH(r, &sup_runs, entry)
	for (int n = 0; n < r->plan->nnodes; n++)
		if (strcmp(r->plan->nodes[n].domain, domain) == 0) {
			*rp = r;
			return n;
		}
	return -1;
}

static const char *
lifecycle_name(int event, int detail, char *buf, size_t len)
{
	static const char *ev[] = {"defined",	"undefined",   "started",
				   "suspended", "resumed",     "stopped",
				   "shutdown",	"pmsuspended", "crashed"};
	static const char *stopped[] = {"shutdown",	"destroyed", "crashed",
					"migrated",	"saved",     "failed",
					"from snapshot"};
	const char *e =
	    event >= 0 && event < (int)nitems(ev) ? ev[event] : "event";

	if (event == VIR_DOMAIN_EVENT_STOPPED && detail >= 0 &&
	    detail < (int)nitems(stopped))
		msgf(buf, len, "%s (%s)", e, stopped[detail]);
	else
		msgf(buf, len, "%s", e);
	return buf;
}

static void sup_adopt(void);

/* Connecting may wait on libvirtd (a stopped one never answers): it runs
 * as a job, so the loop keeps answering status meanwhile. */
struct reconnect_op {
	int rc;
	char err[512];
};

static int reconnecting;

static void
reconnect_job(struct job *j, void *arg)
{
	struct reconnect_op *op = arg;

	(void)j;
	op->rc = vm_ensure(op->err, sizeof(op->err));
}

static void
reconnect_done(void *arg)
{
	struct reconnect_op *op = arg;
	struct timeval tv;
	int rc = op->rc;

	free(op);
	reconnecting = 0;
	sup_check_done();
	if (sup_closing || rc == 0)
		return; /* VM_EV_CONNECTED follows */
	reconnect_ms = reconnect_ms ? reconnect_ms * 2 : RECONNECT_MIN_MS;
	if (reconnect_ms > RECONNECT_MAX_MS)
		reconnect_ms = RECONNECT_MAX_MS;
	log_debug("libvirt: reconnect failed, next try in %d ms", reconnect_ms);
	tv.tv_sec = reconnect_ms / 1000;
	tv.tv_usec = reconnect_ms % 1000 * 1000;
	evtimer_add(reconnect_ev, &tv);
}

static void
reconnect_tick(evutil_socket_t fd, short what, void *arg)
{
	struct reconnect_op *op;

	(void)fd;
	(void)what;
	(void)arg;
	if (sup_closing || reconnecting)
		return;
	op = xcalloc(1, sizeof(*op));
	if (job_start(sup_base, reconnect_job, NULL, reconnect_done, op) ==
	    -1) {
		struct timeval tv = {1, 0};

		log_warn("libvirt: cannot start a reconnection job");
		free(op);
		evtimer_add(reconnect_ev, &tv);
		return;
	}
	reconnecting = 1;
}

static void
sup_vm_event(const struct vm_event *ev, void *arg)
{
	struct timeval now = {0, 0};
	struct run *r = NULL;
	char buf[64];
	int n;

	(void)arg;
	switch (ev->kind) {
	case VM_EV_CLOSED:
		sup_event("libvirt", NULL, -1, "disconnected");
		(void)vm_check_alive(); /* drop the dead connection */
		reconnect_ms = 0;
		if (!sup_closing && !evtimer_pending(reconnect_ev, NULL))
			evtimer_add(reconnect_ev, &now);
		break;
	case VM_EV_CONNECTED:
		reconnect_ms = 0;
		sup_event("libvirt", NULL, -1, "connected");
		sup_adopt();
		break;
	case VM_EV_LIFECYCLE:
		if ((n = run_node_by_domain(ev->domain, &r)) < 0)
			break;
		lifecycle_name(ev->event, ev->detail, buf, sizeof(buf));
		if (r->state != RUN_RUNNING || r->nrt[n].restarting) {
			log_debug("%s: %s (expected)", ev->domain, buf);
			break;
		}
		if (ev->event == VIR_DOMAIN_EVENT_STOPPED ||
		    ev->event == VIR_DOMAIN_EVENT_CRASHED)
			node_down(r, n, buf);
		else
			sup_event("node", r, n, buf);
		break;
	}
}

/* ---- adoption -------------------------------------------------------------
 */

static void
adopt_one(struct adopted *a)
{
	struct run *r = sup_run_new();
	json_object *st, *v;
	char err[1024];

	topo_plan_free(r->plan);
	free(r->plan);
	r->plan = a->plan;
	a->plan = NULL;
	r->nrt = xcalloc(r->plan->nnodes, sizeof(*r->nrt));
	for (int n = 0; n < r->plan->nnodes; n++) {
		r->nrt[n].run = r;
		r->nrt[n].node = n;
	}
	r->adopted = 1;
	sup_run_read_live(r);
	r->state = RUN_RUNNING;
	r->start_ms = now_ms();
	r->started_at = time(NULL);
	msgf(r->rundir, sizeof(r->rundir), "%s/%s", statedir_path(),
	     r->plan->opts.name);
	if ((st = adopt_state_read(r->plan->opts.name)) != NULL) {
		if (json_object_object_get_ex(st, "started_at", &v)) {
			r->started_at = json_object_get_int64(v);
			r->start_ms -= (time(NULL) - r->started_at) * 1000;
		}
		if (json_object_object_get_ex(st, "boot_ms", &v))
			r->boot_ms = json_object_get_int64(v);
		if (json_object_object_get_ex(st, "kvm", &v))
			r->kvm = json_object_get_boolean(v);
		if (json_object_object_get_ex(st, "vhost", &v))
			r->vhost = json_object_get_boolean(v);
		if (json_object_object_get_ex(st, "accel_reason", &v))
			vr_strlcpy(r->accel_reason, json_object_get_string(v),
				   sizeof(r->accel_reason));
		if (json_object_object_get_ex(st, "vhost_reason", &v))
			vr_strlcpy(r->vhost_reason, json_object_get_string(v),
				   sizeof(r->vhost_reason));
		if (json_object_object_get_ex(st, "warnings", &v) &&
		    json_object_is_type(v, json_type_array)) {
			json_object_put(r->warnings);
			r->warnings = json_object_get(v);
		}
		if (json_object_object_get_ex(st, "restart", &v))
			r->on_failure = strcmp(json_object_get_string(v),
					       "on-failure") == 0;
		if (json_object_object_get_ex(st, "restart_limit", &v))
			r->restart_limit = json_object_get_int(v);
		if (json_object_object_get_ex(st, "routes", &v) &&
		    json_object_is_type(v, json_type_object))
			for (int n = 0; n < r->plan->nnodes; n++) {
				json_object *x;

				if (json_object_object_get_ex(
					v, r->plan->nodes[n].name, &x) &&
				    json_object_is_type(x, json_type_int)) {
					r->nrt[n].routes =
					    json_object_get_int64(x);
					r->nrt[n].has_routes = 1;
				}
			}
		json_object_put(st);
	} else if (r->plan->opts.backend == BACKEND_NETNS) {
		msgf(r->accel_reason, sizeof(r->accel_reason),
		     "netns backend: nodes are network namespaces");
	} else {
		char type[16];

		vm_domain_type(r->plan->nodes[0].domain, type, sizeof(type));
		r->kvm = strcmp(type, "kvm") == 0;
		msgf(r->accel_reason, sizeof(r->accel_reason),
		     "adopted without a state file: accelerator read from the "
		     "domain");
	}
	TAILQ_INSERT_TAIL(&sup_runs, r, entry);
	/* Pinning is re-applied: it is what the plan says, not what the
	 * threads happen to have now. */
	for (int n = 0; n < r->plan->nnodes; n++) {
		pid_t pid;

		if (r->plan->opts.backend == BACKEND_NETNS) {
			if (strcmp(sup_node_state(r, n), "running") != 0)
				node_down(r, n, "absent at adoption");
			else if ((r->plan->opts.pin || r->plan->opts.rt_prio) &&
				 threads_netns_apply(r->plan, n,
						     r->plan->opts.rt_prio, err,
						     sizeof(err)) == -1)
				log_warnx(
				    "%s/%s: re-pinning after adoption: %s",
				    r->plan->opts.name, r->plan->nodes[n].name,
				    err);
			continue;
		}
		pid = vm_qemu_pid(r->plan->nodes[n].domain);
		if (pid <= 0) {
			node_down(r, n, "absent at adoption");
			continue;
		}
		/* the start that made it did not see it ready: it may still
		 * be booting (booting_check follows it) */
		r->nrt[n].console_off = 0;
		if (sup_console_ready(r, n, err, sizeof(err)) != 1) {
			/* booting_check reads it again from the start (a
			 * failure seen here is reported there) */
			r->nrt[n].console_off = 0;
			r->nrt[n].booting = 1;
			log_info(
			    "%s/%s: adopted before its guest reported ready",
			    r->plan->opts.name, r->plan->nodes[n].name);
		}
		if ((r->plan->opts.pin || r->plan->opts.rt_prio ||
		     r->plan->opts.vhost_rt) &&
		    threads_apply(pid, r->plan->opts.pin ? &r->plan->pin : NULL,
				  n, r->plan->opts.rt_prio,
				  r->plan->opts.vhost_rt, err,
				  sizeof(err)) == -1)
			log_warnx("%s/%s: re-pinning after adoption: %s",
				  r->plan->opts.name, r->plan->nodes[n].name,
				  err);
	}
	log_info("%s: adopted (%s, %d node%s)", r->plan->opts.name,
		 r->plan->opts.topology, r->plan->nnodes,
		 r->plan->nnodes > 1 ? "s" : "");
	sup_event("topology", r, -1, "adopted");
}

/* Take in every topology that runs but is not ours yet; refresh the others
 * (their domains may have changed while libvirt was away). */
static void
sup_adopt(void)
{
	json_object *orphans = json_object_new_array();
	struct adopted *a = NULL;
	struct run *r;
	int na;

	if ((na = adopt_scan(&a, orphans)) < 0) {
		json_object_put(orphans);
		return;
	}
	for (int i = 0; i < na; i++) {
		if ((r = sup_run_find(a[i].plan->opts.name)) == NULL) {
			adopt_one(&a[i]);
			continue;
		}
		if (r->state != RUN_RUNNING ||
		    r->plan->opts.backend != BACKEND_VM)
			continue;
		for (int n = 0; n < r->plan->nnodes; n++)
			if (!r->nrt[n].down && !r->nrt[n].restarting &&
			    strcmp(vm_state(r->plan->nodes[n].domain),
				   "running") != 0)
				node_down(r, n, "gone while libvirt was away");
	}
	adopt_free(a, na);
	json_object_put(orphans);
	deadline_reap(sup_is_running); /* cpusets of topologies that went */
}

/* netns topologies: their plans are in the state directory. */
static void
sup_adopt_netns(void)
{
	struct adopted *a = NULL;
	int na;

	if ((na = adopt_scan_netns(&a)) < 0) {
		log_warn("adoption: %s", statedir_path());
		return;
	}
	for (int i = 0; i < na; i++)
		if (sup_run_find(a[i].plan->opts.name) == NULL)
			adopt_one(&a[i]);
	adopt_free(a, na);
}

/* ---- orphans and cleanup ----------------------------------------------- */

/* The names of the topologies we run, NULL-terminated, copied. */
static char **
sup_run_names(void)
{
	struct run *r;
	char **names;
	int n = 0;

	TAILQ_FOREACH(r, &sup_runs, entry)
	n++;
	names = xcalloc(n + 1, sizeof(*names));
	n = 0;
	TAILQ_FOREACH(r, &sup_runs, entry)
	names[n++] = xstrdup(r->plan->opts.name);
	return names;
}

static void
sup_run_names_free(char **names)
{
	for (int i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

/* What exists on the host but belongs to none of names.  Any thread. */
static json_object *
sup_orphans(char **names)
{
	json_object *orphans = json_object_new_array();
	struct adopted *a = NULL;
	int na;

	/* domains whose plan cannot be read */
	if ((na = adopt_scan(&a, orphans)) > 0) {
		for (int i = 0; i < na; i++)
			if (sup_run_find(a[i].plan->opts.name) == NULL)
				for (int k = 0; k < a[i].plan->nnodes; k++) {
					json_object *o =
					    json_object_new_object();
					json_object_object_add(
					    o, "kind",
					    json_object_new_string("domain"));
					json_object_object_add(
					    o, "name",
					    json_object_new_string(
						a[i].plan->nodes[k].domain));
					json_object_object_add(
					    o, "topology",
					    json_object_new_string(
						a[i].plan->opts.name));
					json_object_array_add(orphans, o);
				}
	}
	adopt_free(a, na);
	adopt_orphans((const char *const *)names, orphans);
	return orphans;
}

struct orphans_op {
	char **names;
	unsigned gen;
	json_object *result;
};

static void
orphans_job(struct job *j, void *arg)
{
	struct orphans_op *op = arg;

	(void)j;
	op->result = sup_orphans(op->names);
}

static void
orphans_done(void *arg)
{
	struct orphans_op *op = arg;

	json_object_put(orphans_cache);
	orphans_cache = op->result;
	orphans_cache_gen = op->gen;
	orphans_when = now_ms();
	orphans_scanning = 0;
	sup_run_names_free(op->names);
	free(op);
	sup_check_done();
}

json_object *
sup_status_orphans(void)
{
	struct orphans_op *op;

	if (!orphans_scanning && !sup_closing &&
	    (orphans_cache == NULL || orphans_cache_gen != orphans_gen ||
	     now_ms() - orphans_when > 2000)) {
		op = xcalloc(1, sizeof(*op));
		op->names = sup_run_names();
		op->gen = orphans_gen;
		if (job_start(sup_base, orphans_job, NULL, orphans_done, op) ==
		    0)
			orphans_scanning = 1;
		else {
			log_warn("cannot start an orphan scan");
			sup_run_names_free(op->names);
			free(op);
		}
	}
	return orphans_cache ? json_object_get(orphans_cache)
			     : json_object_new_array();
}

void
sup_method_cleanup(struct rpc_req *req)
{
	json_object *params = rpc_params(req), *v, *orphans, *res;
	char err[2048], **names;
	int dry = 0;

	if (json_object_object_get_ex(params, "dry_run", &v))
		dry = json_object_get_boolean(v);
	if (job_count() > orphans_scanning + reconnecting) {
		rpc_error(req, PROTO_E_BUSY, NULL,
			  "a start or stop is in progress; clean up after it");
		return;
	}
	orphans_gen++; /* about to change */
	names = sup_run_names();
	orphans = sup_orphans(names);
	sup_run_names_free(names);
	if (!dry && adopt_cleanup(orphans, err, sizeof(err)) == -1) {
		rpc_error(req, PROTO_E_STOP, orphans,
			  "cleanup could not remove everything: %s", err);
		return;
	}
	res = json_object_new_object();
	json_object_object_add(res, dry ? "would_remove" : "removed", orphans);
	rpc_reply(req, res);
}

/* ---- life cycle ------------------------------------------------------------
 */

int
sup_init(struct event_base *base)
{
	char err[512];

	sup_base = base;
	reconnect_ev = evtimer_new(base, reconnect_tick, NULL);
	watch_ev = event_new(base, -1, EV_PERSIST, watch_tick, NULL);
	if (reconnect_ev == NULL || watch_ev == NULL)
		return -1;
	{
		struct timeval tv = {1, 0};
		event_add(watch_ev, &tv);
	}
	sup_adopt_netns(); /* needs no libvirt */
	if (vm_init(base, conf->libvirt_uri, sup_vm_event, NULL) == -1) {
		log_warnx("libvirt: initialisation failed");
		return -1;
	}
	if (vm_ensure(err, sizeof(err)) == -1) {
		struct timeval tv = {0, RECONNECT_MIN_MS * 1000};
		log_warnx("%s", err);
		evtimer_add(reconnect_ev, &tv);
	} else
		sup_adopt(); /* before autostart, so nothing starts twice */
	autostart_init(base);
	return 0;
}

void
sup_reconfigure(void)
{
	/* A new libvirt URI takes effect on the next connection. */
	vm_set_uri(conf->libvirt_uri);
	autostart_reload();
}

void
sup_check_done(void)
{
	void (*cb)(void *) = sup_done_cb;

	if (!sup_closing || job_count() > 0 || sup_stopping_all || cb == NULL)
		return;
	sup_done_cb = NULL;
	cb(sup_done_arg);
}

static void
stop_all_done(void *arg)
{
	(void)arg;
	sup_stopping_all = 0;
}

void
sup_shutdown(void (*done)(void *), void *arg)
{
	char err[512];
	int code;

	sup_closing = 1;
	sup_done_cb = done;
	sup_done_arg = arg;
	watch_end_all();
	autostart_fini();
	if (job_count() > 0) {
		log_info("waiting for %d job(s) to finish", job_count());
		job_cancel_all();
	}
	if (conf->stop_on_exit && !TAILQ_EMPTY(&sup_runs)) {
		log_info("stop_on_exit: stopping every topology");
		sup_stopping_all = 1;
		if (sup_stop(NULL, NULL, stop_all_done, NULL, &code, err,
			     sizeof(err)) == -1) {
			log_warnx("stop_on_exit: %s", err);
			sup_stopping_all = 0;
		}
	}
	sup_check_done();
}

void
sup_fini(void)
{
	struct run *r;

	/* Running topologies keep running: only our memory goes. */
	while ((r = TAILQ_FIRST(&sup_runs)) != NULL) {
		TAILQ_REMOVE(&sup_runs, r, entry);
		sup_run_free(r);
	}
	watch_end_all();
	autostart_fini();
	if (reconnect_ev)
		event_free(reconnect_ev);
	if (watch_ev)
		event_free(watch_ev);
	reconnect_ev = watch_ev = NULL;
	sup_status_fini();
	json_object_put(orphans_cache);
	orphans_cache = NULL;
	vm_fini();
}

/* ---- status ----------------------------------------------------------------
 */

json_object *
sup_status_topologies(void)
{
	json_object *a = json_object_new_array();
	struct run *r;

	TAILQ_FOREACH(r, &sup_runs, entry)
	json_object_array_add(a, sup_run_json(r));
	return a;
}

json_object *
sup_status_libvirt(void)
{
	return vm_status_json();
}
