/*
 * The supervisor's core: the list of topologies this daemon runs, how it
 * learns that a node went (libvirt's events, polling, the console of a
 * booting guest) and its own life cycle.  Runs in the loop's thread;
 * blocking work goes to jobs (job.c), deploy.c does the steps.  The rest
 * of the supervisor is one file per concern: sup_start.c (start, stop,
 * topology), sup_status.c (status objects), sup_watch.c (watchers and
 * events), sup_restart.c (restart policy), sup_adopt.c (adoption),
 * sup_orphans.c (orphans, cleanup).
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
#include "intent.h"
#include "job.h"
#include "log.h"
#include "migrate.h"
#include "nodekind.h"
#include "proto.h"
#include "realport.h"
#include "statedir.h"
#include "sup_run.h"
#include "supervisor.h"
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
	const struct node_kind_ops *k = node_kind_get(r->plan->opts.backend);

	if (r->nrt == NULL)
		return;
	for (int n = 0; n < r->plan->nnodes; n++) {
		json_object_put(r->nrt[n].live);
		r->nrt[n].live = k->node_live(r->plan, n);
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
	json_object_put(r->remote);
	free(r->topology_text);
	free(r->deploy);
	free(r->realport); /* not restored: the topology outlives us */
	json_object_put(r->migration);
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
	/* where migrate.c moved nodes: {"vr0":"b"}, and its last record */
	routes = json_object_new_object();
	for (int n = 0; n < r->plan->nnodes; n++)
		if (r->nrt && r->nrt[n].host[0])
			json_object_object_add(
			    routes, r->plan->nodes[n].name,
			    json_object_new_string(r->nrt[n].host));
	json_object_object_add(s, "hosts", routes);
	/* every node on another host: no domain here holds the plan, so a
	 * restarted vrouterd adopts it from here (adopt.c) */
	if (r->nrt && r->plan->nnodes > 0 &&
	    json_object_object_length(routes) == r->plan->nnodes)
		json_object_object_add(s, "plan", topo_plan_to_json(r->plan));
	if (r->migration)
		json_object_object_add(s, "last_migration",
				       json_object_get(r->migration));
	/* what the port NICs had: a restarted vrouterd restores it on stop */
	if (r->realport != NULL)
		json_object_object_add(s, "realport",
				       realport_saved_json(r->realport));
	/* across hosts: this host's name, the peers holding parts (a
	 * restarted coordinator still stops them) and their nodes */
	if (r->host[0]) {
		json_object *peers = json_object_new_array();

		json_object_object_add(s, "host",
				       json_object_new_string(r->host));
		for (int i = 0; i < r->npeers; i++)
			json_object_array_add(
			    peers, json_object_new_string(r->peers[i]));
		json_object_object_add(s, "peers", peers);
		if (r->remote)
			json_object_object_add(s, "remote_nodes",
					       json_object_get(r->remote));
	}
	if (adopt_state_write(r->plan->opts.name, s) == -1)
		log_warn("%s: cannot write %s/state.json", r->plan->opts.name,
			 r->rundir);
	json_object_put(s);
}

/* Nodes of a kind without events (a netns node has no libvirt's): one
 * that went is a node down (checked every second). */
static void
poll_check(void)
{
	struct run *r;

	TAILQ_FOREACH(r, &sup_runs, entry)
	{
		if (r->state != RUN_RUNNING ||
		    !node_kind_get(r->plan->opts.backend)->polled)
			continue;
		for (int n = 0; n < r->plan->nnodes; n++)
			if (!r->nrt[n].down && !r->nrt[n].restarting &&
			    r->nrt[n].timer == NULL &&
			    strcmp(sup_node_state(r, n), "running") != 0)
				sup_node_down(r, n, "namespace gone");
	}
}

/* Node n's ready line, read in STATE_DIR/NAME through a directory fd
 * (never through a link); 0 (not yet) when the directory cannot be had.
 * Only what was appended since the last call is read (the node's
 * console_off), not the whole log on every tick. */
int
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
				sup_run_save(r); /* for the next vrouterd */
				sup_event("node", r, n, "ready");
			} else if (rc == -1) {
				log_warnx("%s/%s: guest reported failure: %s",
					  r->plan->opts.name,
					  r->plan->nodes[n].name, fail);
				sup_node_down(r, n, "guest reported failure");
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
	sup_watch_prune();
	poll_check();
	booting_check();
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

/* Connecting may wait on libvirtd (a stopped one never answers): it runs
 * as a job, so the loop keeps answering status meanwhile. */
struct reconnect_op {
	int rc;
	char err[512];
};

int sup_reconnecting;

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
	sup_reconnecting = 0;
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
	if (sup_closing || sup_reconnecting)
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
	sup_reconnecting = 1;
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
		/* a migration (migrate.c): the domain leaving is no failure,
		 * and one on another host is that host's vrouterd's */
		if (r->state != RUN_RUNNING || r->nrt[n].restarting ||
		    r->nrt[n].migrating || r->nrt[n].host[0] ||
		    (ev->event == VIR_DOMAIN_EVENT_STOPPED &&
		     ev->detail == VIR_DOMAIN_EVENT_STOPPED_MIGRATED)) {
			log_debug("%s: %s (expected)", ev->domain, buf);
			break;
		}
		if (ev->event == VIR_DOMAIN_EVENT_STOPPED ||
		    ev->event == VIR_DOMAIN_EVENT_CRASHED)
			sup_node_down(r, n, buf);
		else
			sup_event("node", r, n, buf);
		break;
	}
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
	sup_adopt_local(); /* needs no libvirt */
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
	intent_reap_coord(); /* its hosts may be configured now */
}

void
sup_check_done(void)
{
	void (*cb)(void *) = sup_done_cb;

	if (!sup_closing || job_count() > 0 || migrate_inflight() > 0 ||
	    sup_stopping_all || cb == NULL)
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
	sup_watch_end_all();
	autostart_fini();
	migrate_shutdown();
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
	sup_watch_end_all();
	autostart_fini();
	if (reconnect_ev)
		event_free(reconnect_ev);
	if (watch_ev)
		event_free(watch_ev);
	reconnect_ev = watch_ev = NULL;
	sup_status_fini();
	sup_orphans_fini();
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
