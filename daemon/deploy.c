#include <errno.h>
#include <linux/if_link.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deploy.h"
#include "deploy_int.h"
#include "domxml.h"
#include "log.h"
#include "netsetup.h"
#include "proto.h"
#include "statedir.h"
#include "threads.h"
#include "util.h"
#include "vm.h"

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
			rc = vm_destroy(u->name, d->plan->opts.name, err,
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
 * exercised (tests/integration/test_faults.sh walks every step).
 */
int
deploy_fault(struct deploy *d, const char *step)
{
	const char *f = getenv("VROUTERD_FAULT");

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
	struct ns_ctx *host = NULL;
	json_object *pj = NULL;
	char err[1024];
	uint64_t t0;
	int netns = p->opts.backend == BACKEND_NETNS;

	d->code = 0;
	d->rundir_fd = -1;
	if (netns) /* no guests: no image, no libvirt */
		;
	else if (check_image(d) == -1 || deploy_fault(d, "image") == -1)
		goto fail;
	job_progress(j, "check", "checking that names are free");
	if (!netns && vm_ensure(err, sizeof(err)) == -1) {
		deploy_fail(d, PROTO_E_LIBVIRT, "libvirt", "%s", err);
		goto fail;
	}
	if ((host = ns_open(NULL, err, sizeof(err))) == NULL) {
		deploy_fail(d, PROTO_E_NETSETUP, "netlink", "%s", err);
		goto fail;
	}
	if (check_names_free(d, host) == -1 || deploy_fault(d, "check") == -1)
		goto fail;
	if ((d->rundir_fd =
		 statedir_topo_open(p->opts.name, 1, err, sizeof(err))) == -1) {
		deploy_fail(d, PROTO_E_START, "state", "%s", err);
		goto fail;
	}
	job_progress(j, "ports", "creating ports");
	for (int i = 0; i < 2; i++)
		if (port_setup(d, host, &p->ports[i]) == -1)
			goto fail;
	if (deploy_fault(d, "ports") == -1)
		goto fail;
	if (p->nsegments > 0 || p->splitter.netns[0]) {
		job_progress(j, "networks", "creating %d internal network%s%s",
			     p->nsegments, p->nsegments == 1 ? "" : "s",
			     p->splitter.netns[0] ? " and the splitter" : "");
		if (segments_setup(d, host) == -1 ||
		    splitter_setup(d, host) == -1 ||
		    deploy_fault(d, "networks") == -1)
			goto fail;
	}
	if (netns) {
		if (deploy_start_netns(j, d, host) == -1)
			goto fail;
		goto out;
	}
	job_progress(j, "links", "creating %s interfaces",
		     topo_link_name(p->opts.link));
	for (int n = 0; n < p->nnodes; n++)
		if (node_links_setup(d, host, &p->nodes[n]) == -1)
			goto fail;
	if (deploy_fault(d, "links") == -1)
		goto fail;
	pj = topo_plan_to_json(p);
	t0 = now_ms();
	for (int n = 0; n < p->nnodes; n++) {
		job_progress(j, "domain", "starting %s (%s, %d vCPU)",
			     p->nodes[n].domain, d->kvm ? "kvm" : "tcg",
			     p->nodes[n].vcpus);
		if (node_domain_start(d, n,
				      json_object_to_json_string_ext(
					  pj, JSON_C_TO_STRING_PLAIN)) == -1)
			goto fail;
	}
	if (deploy_fault(d, "domain") == -1)
		goto fail;
	job_progress(j, "ready", "waiting for %d guest%s to report ready",
		     p->nnodes, p->nnodes > 1 ? "s" : "");
	if (nodes_wait_ready(j, d, t0, -1) == -1 ||
	    deploy_fault(d, "ready") == -1)
		goto fail;
	if (deploy_pin(d, -1) == -1 || deploy_fault(d, "pin") == -1)
		goto fail;
out:
	json_object_put(pj);
	ns_close(host);
	close(d->rundir_fd);
	d->rundir_fd = -1;
	return;
fail:
	log_warnx("start %s failed: %s", p->opts.name, d->err);
	json_object_put(pj);
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
	const struct topo_plan *p = d->plan;
	const struct topo_node *nd = &p->nodes[n];
	uint64_t t0;
	json_object *pj;
	char err[1024];
	int r;

	d->code = 0;
	d->rundir_fd = -1;
	if (p->opts.backend == BACKEND_NETNS) {
		deploy_restart_netns(j, d, n);
		return;
	}
	if (check_image(d) == -1)
		return;
	if ((d->rundir_fd =
		 statedir_topo_open(p->opts.name, 1, err, sizeof(err))) == -1) {
		deploy_fail(d, PROTO_E_START, "state", "%s", err);
		return;
	}
	/* whatever is left of the old domain goes first */
	if (vm_destroy(nd->domain, p->opts.name, err, sizeof(err)) == -1) {
		deploy_fail(d, PROTO_E_LIBVIRT, "domain", "%s", err);
		goto out;
	}
	pj = topo_plan_to_json(p);
	t0 = now_ms();
	r = node_domain_start(
	    d, n, json_object_to_json_string_ext(pj, JSON_C_TO_STRING_PLAIN));
	json_object_put(pj);
	if (r == -1)
		goto out;
	if (nodes_wait_ready(j, d, t0, n) == -1 || deploy_pin(d, n) == -1) {
		/* leave no half-started domain behind; the links stay */
		if (vm_destroy(nd->domain, p->opts.name, err, sizeof(err)) ==
		    -1)
			log_warnx("%s", err);
	}
out:
	close(d->rundir_fd);
	d->rundir_fd = -1;
}
