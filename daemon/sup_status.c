/*
 * Status objects of running topologies (shape: docs/protocol.md, "status").
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "deploy.h"
#include "hosted.h"
#include "jtext.h"
#include "log.h"
#include "netsetup.h"
#include "nodekind.h"
#include "placement.h"
#include "realport.h"
#include "sup_run.h"
#include "util.h"

static struct ns_ctx *sup_ns; /* the daemon's namespace, for counters */

/* Which kernel the guests boot, from the image's manifest (version, the
 * configuration it was built with, sha256), so runs are told apart. */
static json_object *
image_kernel_json(const char *dir)
{
	char path[PATH_MAX + 16], err[256], *text;
	json_object *m, *k = NULL, *v;
	size_t len;

	msgf(path, sizeof(path), "%s/manifest.json", dir);
	/* on the loop, for any peer: a regular file of bounded size only */
	if ((text = file_readat_len(AT_FDCWD, path, SUP_MANIFEST_MAX, 0,
				    &len)) == NULL)
		return json_object_new_string("unknown (no manifest.json)");
	m = jtext_parse(path, text, len, err, sizeof(err));
	free(text);
	if (m == NULL)
		return json_object_new_string("unknown (manifest.json is "
					      "not valid JSON)");
	if (json_object_object_get_ex(m, "kernel", &v))
		k = json_object_get(v);
	else if (json_object_object_get_ex(m, "kernel_version", &v)) {
		/* images from before kernels were built from source */
		k = json_object_new_object();
		json_object_object_add(k, "version", json_object_get(v));
		json_object_object_add(k, "config",
				       json_object_new_string("debian"));
	}
	json_object_put(m);
	return k ? k : json_object_new_string("unknown");
}

const char *
sup_run_state(const struct run *r)
{
	switch (r->state) {
	case RUN_STARTING:
		return "starting";
	case RUN_STOPPING:
		return "stopping";
	case RUN_RUNNING:
		break;
	}
	for (int n = 0; n < r->plan->nnodes; n++) {
		const char *st = sup_node_state(r, n);

		if (r->nrt[n].down ||
		    (strcmp(st, "running") != 0 && strcmp(st, "starting") != 0))
			return "degraded";
	}
	for (int n = 0; n < r->plan->nnodes; n++)
		if (r->nrt[n].booting)
			return "starting";
	return "running";
}

/* As its kind says (no blocking call: status must not wait on libvirtd). */
const char *
sup_node_state(const struct run *r, int n)
{
	if (r->nrt != NULL && r->nrt[n].migrating)
		return "migrating";
	if (r->nrt != NULL && r->nrt[n].host[0])
		return "running"; /* on another host (migrate.c) */
	return node_kind_get(r->plan->opts.backend)->node_state(r, n);
}

void
sup_status_fini(void)
{
	if (sup_ns)
		ns_close(sup_ns);
	sup_ns = NULL;
}

static struct ns_ctx *
sup_netns(void)
{
	char err[256];

	if (sup_ns == NULL &&
	    (sup_ns = ns_open(NULL, err, sizeof(err))) == NULL)
		log_warnx("%s", err);
	return sup_ns;
}

static json_object *
link_json(const char *name)
{
	json_object *o = json_object_new_object();
	struct nl_link_stats st;
	struct ns_ctx *ns = sup_netns();
	char kind[32] = "";

	json_object_object_add(o, "name", json_object_new_string(name));
	if (ns && nl_link_kind(ns, name, kind, sizeof(kind)) == 0)
		json_object_object_add(o, "kind", json_object_new_string(kind));
	if (ns && strcmp(kind, "macvtap") == 0) {
		static const char *const modes[] = {
		    [MACVLAN_MODE_PRIVATE] = "private",
		    [MACVLAN_MODE_VEPA] = "vepa",
		    [MACVLAN_MODE_BRIDGE] = "bridge",
		    [MACVLAN_MODE_PASSTHRU] = "passthru",
		};
		unsigned mode;

		if (nl_macvtap_get_mode(ns, name, &mode) == 0)
			json_object_object_add(
			    o, "macvtap_mode",
			    json_object_new_string(mode < nitems(modes) &&
							   modes[mode]
						       ? modes[mode]
						       : "unknown"));
	}
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

	json_object_object_add(o, "name", json_object_new_string(nd->name));
	json_object_object_add(o, "domain", json_object_new_string(nd->domain));
	/* where it runs: moved by migrate.c, a part of a topology across
	 * hosts (part.c), or here */
	json_object_object_add(
	    o, "host",
	    json_object_new_string(r->nrt && r->nrt[n].host[0] ? r->nrt[n].host
				   : r->host[0]		       ? r->host
						: conf->host_name));
	if (r->nrt && r->nrt[n].host[0]) /* migrate.c moved it */
		json_object_object_add(o, "remote", json_object_new_boolean(1));
	json_object_object_add(
	    o, "role", json_object_new_string(topo_role_name(nd->role)));
	if (r->state != RUN_STARTING)
		json_object_object_add(
		    o, "state", json_object_new_string(sup_node_state(r, n)));
	json_object_object_add(o, "vcpus", json_object_new_int(nd->vcpus));
	json_object_object_add(o, "memory_mib",
			       json_object_new_int(nd->memory_mib));
	if (r->nrt) {
		const struct node_rt *rt = &r->nrt[n];

		json_object_object_add(o, "restarts",
				       json_object_new_int(rt->restarts));
		if (rt->last_event[0])
			json_object_object_add(
			    o, "last_event",
			    json_object_new_string(rt->last_event));
		if (rt->restarting || rt->timer)
			json_object_object_add(o, "restarting",
					       json_object_new_boolean(1));
		if (rt->live)
			json_object_object_add(o, "domain_live",
					       json_object_get(rt->live));
		/* the guest's main FIB when it reported ready (issue 17) */
		if (rt->has_routes)
			json_object_object_add(
			    o, "routes", json_object_new_int64(rt->routes));
	}
	/* what the kind knows: its process, console log, threads ... */
	node_kind_get(r->plan->opts.backend)->node_status(r, n, o);
	ifs = json_object_new_array();
	for (int k = 0; k < nd->nifs && r->state != RUN_STARTING; k++) {
		const struct topo_if *i = &nd->ifs[k];
		json_object *l = link_json(i->host_if);

		json_object_object_add(l, "guest_if",
				       json_object_new_string(i->guest_if));
		json_object_object_add(l, "mac",
				       json_object_new_string(i->mac));
		json_object_object_add(l, "address",
				       json_object_new_string(i->addr));
		json_object_array_add(ifs, l);
	}
	json_object_object_add(o, "interfaces", ifs);
	return o;
}

/* A topology across hosts: the VXLAN in bridge (to the network's other
 * hosts), when there is one, after the bridge, with its counters: what
 * crossed between the hosts. */
static void
vxlan_json(const struct run *r, const char *bridge, json_object *hostifs)
{
	struct ns_ctx *ns = sup_netns();
	char vx[IFNAMSIZ], kind[32] = "";

	if (r->host[0] == '\0' || ns == NULL)
		return; /* on one host */
	deploy_vxlan_name(bridge, vx, sizeof(vx));
	if (nl_link_kind(ns, vx, kind, sizeof(kind)) == 0 &&
	    strcmp(kind, "vxlan") == 0)
		json_object_array_add(hostifs, link_json(vx));
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
		/* on another host: its name, "" for the coordinator's */
		if (pt->host_if[0] == '\0')
			json_object_object_add(
			    p, "host",
			    json_object_new_string(
				strcmp(pt->host, TOPO_HOST_SELF) == 0
				    ? ""
				    : pt->host));
		json_object_object_add(o, pt->role, p);
		if (r->state != RUN_STARTING) {
			if (pt->host_if[0]) /* "": on another host */
				json_object_array_add(hostifs,
						      link_json(pt->host_if));
			if (pt->bridge[0]) {
				json_object_array_add(hostifs,
						      link_json(pt->bridge));
				vxlan_json(r, pt->bridge, hostifs);
			}
		}
	}
	return o;
}

/*
 * On a part: each other host's node that migrated here (hosted.c) runs on
 * this host, its home the host whose part it is, as the coordinator's
 * status says (coord.c); the others' state is on their host.
 */
static void
remote_hosted(const struct run *r, json_object *rn)
{
	json_object *hl, *e, *h, *v;

	if (r->npeers > 0 || json_object_array_length(rn) == 0)
		return; /* the coordinator asks its peers (coord.c) */
	hl = hosted_list();
	for (size_t i = 0; i < json_object_array_length(hl); i++) {
		h = json_object_array_get_idx(hl, i);
		if (!json_object_object_get_ex(h, "topology", &v) ||
		    strcmp(json_object_get_string(v), r->plan->opts.name) != 0)
			continue;
		for (size_t k = 0; k < json_object_array_length(rn); k++) {
			json_object *node = NULL, *home = NULL, *st = NULL;

			e = json_object_array_get_idx(rn, k);
			if (!json_object_object_get_ex(e, "name", &node) ||
			    !json_object_object_get_ex(h, "node", &v) ||
			    strcmp(json_object_get_string(node),
				   json_object_get_string(v)) != 0 ||
			    !json_object_object_get_ex(e, "host", &home))
				continue;
			json_object_object_get_ex(h, "state", &st);
			json_object_object_add(e, "home",
					       json_object_get(home));
			json_object_object_add(e, "host",
					       json_object_new_string(r->host));
			json_object_object_add(
			    e, "state",
			    json_object_new_string(
				st ? json_object_get_string(st) : "running"));
		}
	}
	json_object_put(hl);
}

json_object *
sup_run_json(struct run *r)
{
	const struct node_kind_ops *k = node_kind_get(r->plan->opts.backend);
	json_object *o = json_object_new_object(), *nodes, *hostifs;
	char when[32];
	struct tm tm;

	json_object_object_add(o, "name",
			       json_object_new_string(r->plan->opts.name));
	json_object_object_add(o, "topology",
			       json_object_new_string(r->plan->opts.topology));
	json_object_object_add(o, "state",
			       json_object_new_string(sup_run_state(r)));
	json_object_object_add(
	    o, "backend",
	    json_object_new_string(topo_backend_name(r->plan->opts.backend)));
	json_object_object_add(o, "accel",
			       json_object_new_string(k->no_guest ? "none"
						      : r->kvm	  ? "kvm"
								  : "tcg"));
	json_object_object_add(o, "accel_reason",
			       json_object_new_string(r->accel_reason));
	json_object_object_add(o, "vhost", json_object_new_boolean(r->vhost));
	json_object_object_add(o, "vhost_reason",
			       json_object_new_string(r->vhost_reason));
	/* vhost_net (guests only), port_nics (issue 14) */
	realport_status(r->plan, k->no_guest == NULL, o);
	json_object_object_add(
	    o, "link",
	    json_object_new_string(topo_link_name(r->plan->opts.link)));
	json_object_object_add(o, "pinned",
			       json_object_new_boolean(r->plan->opts.pin));
	/* issue 17's architecture choices, when not the default */
	if (r->plan->opts.split != SPLIT_HOST)
		json_object_object_add(o, "split",
				       json_object_new_string(topo_split_name(
					   r->plan->opts.split)));
	if (r->plan->opts.lb_mode != LB_MODE_FLOW)
		json_object_object_add(o, "lb_mode",
				       json_object_new_string(topo_lb_mode_name(
					   r->plan->opts.lb_mode)));
	/* the planner's choice on this host's SMT siblings and NUMA nodes */
	if (r->plan->opts.pin && r->plan->pin.topo_used) {
		json_object *numa = json_object_new_object();

		json_object_object_add(
		    o, "smt",
		    json_object_new_string(pin_smt_name(r->plan->pin.smt)));
		for (int n = 0; n < r->plan->nnodes && n < PIN_MAX_NODES; n++)
			json_object_object_add(
			    numa, r->plan->nodes[n].name,
			    json_object_new_int(r->plan->pin.numa[n]));
		json_object_object_add(o, "numa_nodes", numa);
	}
	if (k->no_guest == NULL) /* guests only: refused for the others */
		placement_status(r, o);
	json_object_object_add(o, "adopted",
			       json_object_new_boolean(r->adopted));
	if (k->no_guest == NULL && r->plan->opts.image[0])
		json_object_object_add(o, "guest_kernel",
				       image_kernel_json(r->plan->opts.image));
	json_object_object_add(
	    o, "restart",
	    json_object_new_string(r->on_failure ? "on-failure" : "never"));
	if (r->on_failure)
		json_object_object_add(o, "restart_limit",
				       json_object_new_int(r->restart_limit));
	gmtime_r(&r->started_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(o, "started_at", json_object_new_string(when));
	json_object_object_add(
	    o, "uptime_s",
	    json_object_new_int64((now_ms() - r->start_ms) / 1000));
	if (r->state == RUN_RUNNING)
		json_object_object_add(o, "boot_ms",
				       json_object_new_int64(r->boot_ms));
	json_object_object_add(o, "warnings", json_object_get(r->warnings));
	nodes = json_object_new_array();
	for (int n = 0; n < r->plan->nnodes; n++)
		json_object_array_add(nodes, node_json(r, n));
	json_object_object_add(o, "nodes", nodes);
	if (r->migration)
		json_object_object_add(o, "last_migration",
				       json_object_get(r->migration));
	if (r->host[0]) {
		/* across hosts: who holds the rest (their state is on their
		 * host: `vrctl status` there) */
		json_object_object_add(o, "host",
				       json_object_new_string(r->host));
		json_object *rn = NULL;

		/* a copy: coord_status adds each node's state to it */
		if (r->remote == NULL ||
		    json_object_deep_copy(r->remote, &rn, NULL) != 0)
			rn = json_object_new_array();
		remote_hosted(r, rn);
		json_object_object_add(o, "remote_nodes", rn);
	}
	hostifs = json_object_new_array();
	json_object_object_add(o, "ports", ports_json(r, hostifs));
	if (r->state != RUN_STARTING) {
		/* internal networks, and the splitter's legs: their counters
		 * show how the traffic was spread on the host side */
		for (int i = 0; i < r->plan->nsegments; i++)
			if (r->plan->segments[i].bridge[0]) {
				json_object_array_add(
				    hostifs,
				    link_json(r->plan->segments[i].bridge));
				vxlan_json(r, r->plan->segments[i].bridge,
					   hostifs);
			}
		for (int i = 0; i < r->plan->splitter.nifs; i++)
			json_object_array_add(
			    hostifs,
			    link_json(r->plan->splitter.ifs[i].host_if));
	}
	json_object_object_add(o, "host_interfaces", hostifs);
	return o;
}
