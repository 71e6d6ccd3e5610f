/*
 * The netns backend (docs/netns-backend.md): a node is a network namespace
 * "vr-NAME-NODE" with forwarding on.  Each of its interfaces is a veth
 * pair: the node end inside, named as the guest's (eth0, eth1, ...) with
 * the plan's MAC and address, the host end named as the tap would be
 * ("vr-NAME-tNK") on the same bridge.  Inside, the node is configured the
 * way the guest init configures a guest from its command line: forwarding
 * on, rp_filter off, lo up, the routes (ECMP through RTA_MULTIPATH), the
 * L4 multipath hash for ECMP routes and the lb role.
 *
 * Its work is placed by steering its receive processing: each node end
 * has one rx queue per "vCPU" of the node, GRO on (which gives a veth its
 * NAPI instances) and threaded NAPI, so that every queue is served by a
 * napi/ethK-ID kernel thread; the host end has as many tx queues, so
 * flows spread over the queues by their hash.  threads.c pins those
 * threads per the plan.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adopt.h"
#include "deploy.h"
#include "deploy_int.h"
#include "job.h"
#include "log.h"
#include "netsetup.h"
#include "nodekind.h"
#include "proto.h"
#include "statedir.h"
#include "sup_run.h"
#include "threads.h"
#include "util.h"

static int
kind_netns_check(struct deploy *d, struct ns_ctx *host)
{
	const struct topo_plan *p = d->plan;
	char ns[64];

	(void)host;
	for (int n = 0; n < p->nnodes; n++) {
		topo_node_netns(p, n, ns, sizeof(ns));
		if (netns_exists(ns) == 1)
			return deploy_fail(d, PROTO_E_EXISTS, "check",
					   "network namespace %s exists "
					   "already (" DEPLOY_LEFTOVER_HINT
					   ", `ip netns del %s` anything else)",
					   ns, p->opts.name, ns);
	}
	return 0;
}

/* A node with an ECMP route, or the lb role, hashes flows over L4. */
static int
node_mphash(const struct topo_node *nd)
{
	if (nd->role == ROLE_LB)
		return 1;
	for (int i = 0; i < nd->nroutes; i++)
		if (nd->routes[i].nvia > 1)
			return 1;
	return 0;
}

/* Inside the node: what the guest init does from the command line. */
static int
node_inside(struct deploy *d, const struct topo_node *nd, const char *netns)
{
	static const char *const sysctls[][2] = {
	    {"net/ipv4/ip_forward", "1"},
	    {"net/ipv4/conf/all/rp_filter", "0"},
	    {"net/ipv4/conf/default/rp_filter", "0"},
	};
	char err[512];
	struct ns_ctx *ns;
	int rc = -1;

	if ((ns = ns_open(netns, err, sizeof(err))) == NULL)
		return deploy_fail(d, PROTO_E_NETSETUP, "node", "%s", err);
	for (size_t i = 0; i < nitems(sysctls); i++)
		if (ns_sysctl_set(ns, sysctls[i][0], sysctls[i][1]) == -1)
			goto fail;
	if (node_mphash(nd) &&
	    ns_sysctl_set(ns, "net/ipv4/fib_multipath_hash_policy", "1") == -1)
		goto fail;
	if (nl_link_set_up(ns, "lo", 1) == -1)
		goto fail;
	for (int k = 0; k < nd->nifs; k++) {
		const struct topo_if *f = &nd->ifs[k];

		if (nl_link_set_mac(ns, f->guest_if, f->mac) == -1 ||
		    nl_link_set_gro(ns, f->guest_if, 1) == -1 ||
		    nl_addr_add(ns, f->guest_if, f->addr) == -1 ||
		    nl_link_set_up(ns, f->guest_if, 1) == -1)
			goto fail;
		/* after up: the device has its NAPI instances now */
		if (nl_link_set_threaded(ns, f->guest_if, 1) == -1)
			goto fail;
	}
	for (int r = 0; r < nd->nroutes; r++) {
		const char *via[TOPO_MAX_NEXTHOPS];

		for (int k = 0; k < nd->routes[r].nvia; k++)
			via[k] = nd->routes[r].via[k];
		if (nl_route_add_multipath(ns, nd->routes[r].dst, via,
					   nd->routes[r].nvia) == -1)
			goto fail;
	}
	rc = 0;
	goto out;
fail:
	deploy_fail(d, PROTO_E_NETSETUP, "node", "%s: in %s: %s", nd->name,
		    netns, ns_error(ns));
out:
	ns_close(ns);
	return rc;
}

static int
deploy_netns_node(struct deploy *d, struct ns_ctx *host, int n)
{
	const struct topo_plan *p = d->plan;
	const struct topo_node *nd = &p->nodes[n];
	int qlen = p->opts.txqueuelen;
	int nq = nd->vcpus > 0 ? nd->vcpus : 1;
	char netns[64], role[96], alias[128], peer_alias[160], err[512];

	topo_node_netns(p, n, netns, sizeof(netns));
	snprintf(role, sizeof(role), "netns-%s", nd->name);
	deploy_alias(p, role, alias, sizeof(alias));
	if (netns_create(netns, alias, err, sizeof(err)) == -1)
		return deploy_fail(d, PROTO_E_NETSETUP, "node", "%s", err);
	deploy_undo_push(d, UNDO_NETNS, netns);
	for (int k = 0; k < nd->nifs; k++) {
		const struct topo_if *f = &nd->ifs[k];
		const char *br = deploy_if_bridge(p, f);

		if (br[0] == '\0')
			return deploy_fail(d, PROTO_E_TOPOLOGY, "links",
					   "%s %s: on no network (the netns "
					   "backend needs a bridge)",
					   nd->name, f->guest_if);
		snprintf(role, sizeof(role), "node-%s-%s", nd->name,
			 f->guest_if);
		deploy_alias(p, role, alias, sizeof(alias));
		snprintf(peer_alias, sizeof(peer_alias), "%s-peer", alias);
		if (nl_veth_add_mq(host, f->host_if, alias, f->guest_if,
				   peer_alias, netns, nq) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "links", "%s",
					   ns_error(host));
		deploy_undo_push(d, UNDO_LINK, f->host_if);
		if (nl_link_set_master(host, f->host_if, br) == -1 ||
		    (qlen > 0 &&
		     nl_link_set_txqlen(host, f->host_if, qlen) == -1) ||
		    nl_link_set_up(host, f->host_if, 1) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "links", "%s",
					   ns_error(host));
	}
	return node_inside(d, nd, netns);
}

static int
deploy_netns_pin(struct deploy *d, int n)
{
	const struct topo_plan *p = d->plan;
	char err[1024];

	if (!p->opts.pin && p->opts.rt_prio == 0)
		return 0;
	if (threads_netns_apply(p, n, p->opts.rt_prio, err, sizeof(err)) == -1)
		return deploy_fail(d, PROTO_E_PIN, "pin", "%s: %s",
				   p->nodes[n].name, err);
	return 0;
}

static int
deploy_netns_node_teardown(const struct topo_plan *p, struct ns_ctx *host,
			   int n, char *err, size_t errlen)
{
	const struct topo_node *nd = &p->nodes[n];
	char netns[64], prefix[64];
	int rc = 0;

	if (errlen)
		err[0] = '\0';
	deploy_alias_prefix(p, prefix, sizeof(prefix));
	topo_node_netns(p, n, netns, sizeof(netns));
	/* host ends first: a pair goes at once, whereas a namespace's
	 * links go whenever the kernel gets round to freeing it */
	for (int k = 0; k < nd->nifs; k++)
		if (nl_link_del(host, nd->ifs[k].host_if, prefix, 1) == -1) {
			msgf(err, errlen, "%s", ns_error(host));
			return -1;
		}
	if (netns_delete(netns, prefix, 1, err, errlen) == -1)
		rc = -1;
	return rc;
}

/* The plan, for the next vrouterd (adoption reads RUNDIR/plan.json: a
 * namespace has no place for metadata as a libvirt domain has). */
static int
deploy_netns_save_plan(struct deploy *d)
{
	json_object *pj = topo_plan_to_json(d->plan);
	int rc = 0;

	/* never through a link: a new file renamed over whatever is there */
	if (statedir_json_write(d->rundir_fd, "plan.json", pj) == -1)
		rc = deploy_fail(d, PROTO_E_START, "state", "%s/plan.json: %s",
				 d->rundir, strerror(errno));
	json_object_put(pj);
	return rc;
}

/* The nodes of a netns topology: namespaces, configured and pinned;
 * ready as soon as they are configured (boot_ms: the time that took). */
static int
deploy_start_netns(struct job *j, struct deploy *d, struct ns_ctx *host)
{
	const struct topo_plan *p = d->plan;
	uint64_t t0 = now_ms();

	for (int n = 0; n < p->nnodes; n++) {
		job_progress(j, "node",
			     "creating namespace node %s (%d queue%s)",
			     p->nodes[n].name, p->nodes[n].vcpus,
			     p->nodes[n].vcpus > 1 ? "s" : "");
		if (deploy_netns_node(d, host, n) == -1)
			return -1;
	}
	if (deploy_fault(d, "links") == -1 || deploy_fault(d, "domain") == -1)
		return -1;
	d->boot_ms = now_ms() - t0;
	job_progress(j, "ready", "%d node%s forwarding (%.1f s)", p->nnodes,
		     p->nnodes > 1 ? "s" : "", d->boot_ms / 1000.0);
	if (deploy_fault(d, "ready") == -1)
		return -1;
	for (int n = 0; n < p->nnodes; n++)
		if (deploy_netns_pin(d, n) == -1)
			return -1;
	if (deploy_fault(d, "pin") == -1 || deploy_netns_save_plan(d) == -1)
		return -1;
	return 0;
}

/* A node's interfaces on networks across hosts at their planned MTU
 * (topo_if.mtu), both ends: what deploy_mtu_apply did at the start, for
 * the node made anew. */
static int
deploy_netns_node_mtu(struct deploy *d, struct ns_ctx *host, int n)
{
	const struct topo_node *node = &d->plan->nodes[n];
	struct ns_ctx *ns = NULL;
	char name[64], err[512];

	for (int i = 0; i < node->nifs; i++) {
		const struct topo_if *f = &node->ifs[i];

		if (f->mtu <= 0)
			continue;
		if (nl_link_set_mtu(host, f->host_if, f->mtu) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "mtu", "%s",
					   ns_error(host));
		if (ns == NULL) {
			topo_node_netns(d->plan, n, name, sizeof(name));
			if ((ns = ns_open(name, err, sizeof(err))) == NULL)
				return deploy_fail(d, PROTO_E_NETSETUP, "mtu",
						   "%s", err);
		}
		if (nl_link_set_mtu(ns, f->guest_if, f->mtu) == -1) {
			deploy_fail(d, PROTO_E_NETSETUP, "mtu", "in %s: %s",
				    name, ns_error(ns));
			ns_close(ns);
			return -1;
		}
	}
	if (ns != NULL)
		ns_close(ns);
	return 0;
}

/* A netns node again: whatever is left of it goes, then it is made anew
 * (its host ends included: they went with the namespace), at its MTUs. */
static void
deploy_restart_netns(struct job *j, struct deploy *d, int n)
{
	const struct topo_plan *p = d->plan;
	struct ns_ctx *host;
	char err[1024];
	uint64_t t0 = now_ms();

	if ((host = ns_open(NULL, err, sizeof(err))) == NULL) {
		deploy_fail(d, PROTO_E_NETSETUP, "netlink", "%s", err);
		return;
	}
	d->nundo = 0;
	if (deploy_netns_node_teardown(p, host, n, err, sizeof(err)) == -1) {
		deploy_fail(d, PROTO_E_NETSETUP, "node", "%s", err);
		goto out;
	}
	if (deploy_netns_node(d, host, n) == -1 ||
	    deploy_netns_node_mtu(d, host, n) == -1 ||
	    deploy_netns_pin(d, n) == -1) {
		deploy_rollback(d);
		goto out;
	}
	d->nundo = 0;
	d->boot_ms = now_ms() - t0;
	job_progress(j, "ready", "%s is forwarding again (%.1f s)",
		     p->nodes[n].name, d->boot_ms / 1000.0);
out:
	ns_close(host);
}

/* ---- the netns backend: plans in the state directory --------------------- */

static int
netns_plan_read(const char *name, struct adopted *ad)
{
	char path[PATH_MAX], ns[64], err[512], prefix[64], tag[256];
	struct topo_plan *p;
	json_object *j;
	int fd;

	msgf(path, sizeof(path), "%s/%s/plan.json", statedir_path(), name);
	if ((fd = statedir_topo_open(name, 0, err, sizeof(err))) == -1) {
		log_warnx("%s; not adopted", err);
		return -1;
	}
	j = statedir_json_read(fd, "plan.json", err, sizeof(err));
	close(fd);
	if (j == NULL) {
		if (err[0])
			log_warnx("%s/%s/plan.json: cannot adopt: %s",
				  statedir_path(), name, err);
		return -1;
	}
	p = xcalloc(1, sizeof(*p));
	err[0] = '\0';
	if (topo_plan_from_json(j, p, err, sizeof(err)) == -1 ||
	    p->opts.backend != BACKEND_NETNS ||
	    strcmp(p->opts.name, name) != 0) {
		log_warnx("%s: cannot adopt: %s", path,
			  err[0] ? err
			  : p->opts.backend != BACKEND_NETNS
			      ? "not a netns topology"
			      : "a plan for another name");
		json_object_put(j);
		topo_plan_free(p);
		free(p);
		return -1;
	}
	json_object_put(j);
	ad->plan = p;
	msgf(prefix, sizeof(prefix), "%s%s:", TOPO_ALIAS_PREFIX, name);
	for (int n = 0; n < p->nnodes; n++) {
		topo_node_netns(p, n, ns, sizeof(ns));
		if (netns_exists(ns) != 1)
			continue;
		/* a node namespace that is not this topology's own: the plan
		 * is not to be trusted (status, pinning and the restart
		 * policy would act on that namespace) */
		if (netns_get_tag(ns, tag, sizeof(tag), err, sizeof(err)) ==
			-1 ||
		    !netns_tag_ok(tag, prefix)) {
			log_warnx("%s: cannot adopt: node %s: namespace %s is "
				  "not tagged as %s's (lo's alias '%s')",
				  path, p->nodes[n].name, ns, name, tag);
			ad->plan = NULL;
			ad->ndomains = ad->nactive = 0;
			topo_plan_free(p);
			free(p);
			return -1;
		}
		ad->ndomains++;
		ad->nactive++;
	}
	return 0;
}

static int
adopt_scan_netns(struct adopted **out)
{
	struct adopted *a = NULL;
	struct dirent *de;
	int na = 0, cap = 0;
	DIR *d;

	*out = NULL;
	if ((d = statedir_list()) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		struct adopted ad = {0};

		/* only directories (or unknown types: checked on open) */
		if (de->d_name[0] == '.' ||
		    (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN &&
		     de->d_type != DT_LNK) ||
		    topo_name_check(de->d_name, NULL, 0) == -1 ||
		    netns_plan_read(de->d_name, &ad) == -1)
			continue;
		if (ad.ndomains == 0) {
			/* nothing of it runs: a plan left by a crash */
			log_warnx("%s/%s/plan.json: no node namespace exists; "
				  "not adopted",
				  statedir_path(), de->d_name);
			topo_plan_free(ad.plan);
			free(ad.plan);
			continue;
		}
		if (na == cap) {
			cap = cap ? cap * 2 : 4;
			a = xreallocarray(a, cap, sizeof(*a));
		}
		a[na++] = ad;
	}
	closedir(d);
	*out = a;
	return na;
}

/* ---- the kind's operations (nodekind.h) --------------------------------- */

/* No guests: no accelerator, vhost or image (sup_status.c). */
static int
kind_netns_host_fit(struct run *r, struct deploy *d, const struct hostinfo *h,
		    int *code, char *err, size_t errlen)
{
	(void)d;
	(void)h;
	(void)code;
	(void)err;
	(void)errlen;
	msgf(r->accel_reason, sizeof(r->accel_reason), "%s",
	     kind_netns.no_guest);
	return 0;
}

/* No guests: no image, no libvirt. */
static int
kind_netns_prepare(struct deploy *d)
{
	(void)d;
	return 0;
}

/* Only a namespace tagged as the topology's own is deleted. */
static int
kind_netns_destroy(const char *name, const char *topology, char *err,
		   size_t errlen)
{
	char prefix[64];

	msgf(prefix, sizeof(prefix), "%s%s:", TOPO_ALIAS_PREFIX, topology);
	return netns_delete(name, prefix, 1, err, errlen);
}

/* The node namespaces; their links go with them. */
static int
kind_netns_teardown(const struct topo_plan *p, const char *prefix, char *err,
		    size_t errlen)
{
	size_t off = strlen(err), off0 = off;
	char ns[64];

	for (int i = 0; i < p->nnodes; i++) {
		topo_node_netns(p, i, ns, sizeof(ns));
		deploy_teardown_netns(ns, prefix, err, errlen, &off);
	}
	return off > off0 ? -1 : 0;
}

/* "running" while its namespace exists, else "absent". */
static const char *
kind_netns_node_state(const struct run *r, int n)
{
	char ns[64];

	topo_node_netns(r->plan, n, ns, sizeof(ns));
	return netns_exists(ns) == 1 ? "running" : "absent";
}

static void
kind_netns_node_status(struct run *r, int n, json_object *o)
{
	char ns[64];

	topo_node_netns(r->plan, n, ns, sizeof(ns));
	json_object_object_add(o, "netns", json_object_new_string(ns));
	if (r->state == RUN_RUNNING)
		json_object_object_add(o, "threads",
				       threads_netns_json(r->plan, n));
}

/* A namespace has no live definition to read back. */
static json_object *
kind_netns_node_live(const struct topo_plan *p, int n)
{
	(void)p;
	(void)n;
	return NULL;
}

static int
kind_netns_pin(const struct topo_plan *p, int n, char *err, size_t errlen)
{
	return threads_netns_apply(p, n, p->opts.rt_prio, err, errlen);
}

/* Their plans are in the state directory (no libvirt: no orphans here). */
static int
kind_netns_adopt_scan(struct adopted **out, json_object *orphans)
{
	int na;

	(void)orphans;
	if ((na = adopt_scan_netns(out)) < 0)
		log_warn("adoption: %s", statedir_path());
	return na;
}

static void
kind_netns_adopt_accel(struct run *r)
{
	msgf(r->accel_reason, sizeof(r->accel_reason), "%s",
	     kind_netns.no_guest);
}

static int
kind_netns_adopt_node(struct run *r, int n)
{
	return strcmp(kind_netns_node_state(r, n), "running") == 0 ? 0 : -1;
}

const struct node_kind_ops kind_netns = {
    .name = "netns",
    .no_guest = "netns backend: nodes are network namespaces",
    .polled = 1,
    .links_go_with_node = 1,
    .thread_label = "napi",
    .host_fit = kind_netns_host_fit,
    .prepare = kind_netns_prepare,
    .check = kind_netns_check,
    .start = deploy_start_netns,
    .restart = deploy_restart_netns,
    .destroy = kind_netns_destroy,
    .teardown = kind_netns_teardown,
    .node_state = kind_netns_node_state,
    .node_status = kind_netns_node_status,
    .node_live = kind_netns_node_live,
    .threads = threads_netns_list,
    .pin = kind_netns_pin,
    .on_libvirt = 0,
    .adopt_scan = kind_netns_adopt_scan,
    .adopt_accel = kind_netns_adopt_accel,
    .adopt_node = kind_netns_adopt_node,
};
