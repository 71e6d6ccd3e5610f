/*
 * The restart policy (on-failure): a node that went down is restarted by
 * a job after a backoff that doubles per restart, up to its limit.  Loop
 * thread only; deploy_restart_node does the work.
 */
#include <stdio.h>
#include <stdlib.h>

#include "job.h"
#include "log.h"
#include "sup_run.h"
#include "util.h"

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
		sup_run_save(r); /* for the next vrouterd */
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

void
sup_node_down(struct run *r, int n, const char *why)
{
	struct node_rt *rt = &r->nrt[n];

	rt->down = 1;
	rt->booting = 0; /* a restart waits for ready itself */
	vr_strlcpy(rt->last_event, why, sizeof(rt->last_event));
	sup_event("node", r, n, why);
	restart_schedule(rt);
}
