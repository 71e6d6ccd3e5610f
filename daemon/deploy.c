/*
 * The order of a start, all or nothing: the kind's checks, ports,
 * internal networks, then the nodes (nodekind.h); on any failure the undo
 * record is rolled back, newest first.  The steps themselves live in
 * deploy_net.c (shared) and kind_*.c (per node kind); teardown in
 * deploy_teardown.c.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deadline.h"
#include "deploy.h"
#include "deploy_int.h"
#include "log.h"
#include "netsetup.h"
#include "nodekind.h"
#include "proto.h"
#include "statedir.h"
#include "util.h"

/* ---- rollback and teardown ----------------------------------------------- */

void
deploy_rollback(struct deploy *d)
{
	struct ns_ctx *host;
	char err[1024], prefix[64];

	deploy_alias_prefix(d->plan, prefix, sizeof(prefix));
	host = ns_open(NULL, err, sizeof(err));
	for (int i = d->nundo - 1; i >= 0; i--) {
		const struct deploy_undo *u = &d->undo[i];
		int rc = 0;

		switch (u->kind) {
		case UNDO_DOMAIN:
			rc = node_kind_get(d->plan->opts.backend)
				 ->destroy(u->name, d->plan->opts.name, err,
					   sizeof(err));
			break;
		case UNDO_LINK:
			if (host &&
			    (rc = nl_link_del(host, u->name, prefix, 1)) == -1)
				vr_strlcpy(err, ns_error(host), sizeof(err));
			break;
		case UNDO_NETNS:
			rc = netns_delete(u->name, prefix, 1, err, sizeof(err));
			break;
		case UNDO_CPUSET:
			deadline_release(u->name);
			break;
		}
		if (rc == -1)
			log_warnx("rollback of %s: %s", u->name, err);
	}
	d->nundo = 0;
	if (host)
		ns_close(host);
}

/* ---- the whole start ------------------------------------------------------
 */

/*
 * Test hook: with VROUTERD_FAULT=STEP in vrouterd's environment, start fails
 * right after STEP, so the rollback of everything made before it is
 * exercised (tests/integration/test_faults.sh walks every step);
 * VROUTERD_STALL=STEP makes it wait there instead (a daemon killed mid-start,
 * tests/integration/test_multihost_topo.sh).
 */
int
deploy_fault(struct deploy *d, const char *step)
{
	const char *f = getenv("VROUTERD_FAULT"),
		   *st = getenv("VROUTERD_STALL");

	/* VROUTERD_STALL=STEP: the job waits 60 s after STEP, so a test can
	 * kill the daemon in the middle of a start */
	if (st != NULL && strcmp(st, step) == 0) {
		log_warnx("stalling after %s (VROUTERD_STALL)", step);
		sleep(60);
	}

	if (f == NULL || strcmp(f, step) != 0)
		return 0;
	return deploy_fail(d, PROTO_E_START, step,
			   "fault injected after this step (VROUTERD_FAULT=%s)",
			   f);
}

void
deploy_start(struct job *j, struct deploy *d)
{
	const struct topo_plan *p = d->plan;
	const struct node_kind_ops *k = node_kind_get(p->opts.backend);
	struct ns_ctx *host = NULL;
	char err[1024];

	d->code = 0;
	d->rundir_fd = -1;
	job_progress(j, "check", "checking that names are free");
	if (k->prepare(d) == -1)
		goto fail;
	if ((host = ns_open(NULL, err, sizeof(err))) == NULL) {
		deploy_fail(d, PROTO_E_NETSETUP, "netlink", "%s", err);
		goto fail;
	}
	if (deploy_check_names(d, host) == -1 || deploy_fault(d, "check") == -1)
		goto fail;
	if (deadline_check(p, err, sizeof(err)) == -1) {
		deploy_fail(d, PROTO_E_PIN, "deadline", "%s", err);
		goto fail;
	}
	if ((d->rundir_fd =
		 statedir_topo_open(p->opts.name, 1, err, sizeof(err))) == -1) {
		deploy_fail(d, PROTO_E_START, "state", "%s", err);
		goto fail;
	}
	job_progress(j, "ports", "creating ports");
	for (int i = 0; i < 2; i++)
		if (deploy_port_setup(d, host, &p->ports[i]) == -1)
			goto fail;
	if (deploy_fault(d, "ports") == -1)
		goto fail;
	if (p->nsegments > 0 || p->splitter.netns[0]) {
		job_progress(j, "networks", "creating %d internal network%s%s",
			     p->nsegments, p->nsegments == 1 ? "" : "s",
			     p->splitter.netns[0] ? " and the splitter" : "");
		if (deploy_segments_setup(d, host) == -1 ||
		    deploy_splitter_setup(d, host) == -1 ||
		    deploy_fault(d, "networks") == -1)
			goto fail;
	}
	if (d->nvxlans > 0) {
		job_progress(j, "vxlan", "joining %d network%s to other hosts",
			     d->nvxlans, d->nvxlans == 1 ? "" : "s");
		if (deploy_vxlans_setup(d, host) == -1 ||
		    deploy_fault(d, "vxlan") == -1)
			goto fail;
	}
	if (k->start(j, d, host) == -1)
		goto fail;
	if (d->nvxlans > 0 && deploy_mtu_apply(d, host) == -1)
		goto fail;
	ns_close(host);
	close(d->rundir_fd);
	d->rundir_fd = -1;
	return;
fail:
	log_warnx("start %s failed: %s", p->opts.name, d->err);
	if (host)
		ns_close(host);
	if (d->nundo)
		job_progress(j, "rollback", "removing what was created");
	deploy_rollback(d);
	if (d->rundir_fd != -1)
		close(d->rundir_fd);
	d->rundir_fd = -1;
}

/* ---- one node again (restart policy) --------------------------------------
 */

void
deploy_restart_node(struct job *j, struct deploy *d, int n)
{
	d->code = 0;
	d->rundir_fd = -1;
	node_kind_get(d->plan->opts.backend)->restart(j, d, n);
}
