/*
 * The other host's side of `migrate`: the peer-facing methods
 * (migrate_prepare, migrate_send, migrate_finish, migrate_abort) another
 * vrouterd, the coordinator, calls through peer.c.  Their values are
 * checked on the loop before anything is made; the work (wiring, the
 * migration, pinning, removal) runs on a worker thread.  A node is
 * recorded as hosted for its home (hosted.h) from migrate_prepare on
 * ("incoming", confirmed by migrate_finish), and the record goes with it
 * (migrate_abort); one other host's nodes of a topology at a time.  The
 * protocol as a whole, its steps and the tags of what a peer makes, is
 * described at the top of migrate.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "config.h"
#include "hosted.h"
#include "job.h"
#include "log.h"
#include "migrate.h"
#include "migrate_int.h"
#include "names.h"
#include "netsetup.h"
#include "proto.h"
#include "rpc.h"
#include "statedir.h"
#include "sup_run.h"
#include "topo_hosts.h"
#include "util.h"
#include "vm.h"

/* ---- the other host's side -------------------------------------------- */

struct mig_peer_op {
	struct rpc_req *req;
	enum proto_method_id m;
	json_object *params;
	char alias[160];  /* the node's: its taps */
	char talias[160]; /* the topology's: bridges, VXLANs */
	char domain[64];
	char node[32];
	char uri[256]; /* migrate_send: to's libvirt_uri, from conf on the loop
			*/
	char home[TOPO_HOST_LEN + 1]; /* the caller's host ("" unsaid) */
	int rc, code;
	json_object *result;
	char err[1024];
};

/* A link name of the request: a string, one of topology name's
 * ("vr-NAME-..."), one that fits; "" allowed only for a bridge (a tap on
 * none). */
static int
mig_name_ok(json_object *o, const char *key, const char *name, int empty_ok)
{
	json_object *v = NULL;
	char prefix[TOPO_IFNAMSIZ + 8];
	const char *s;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return 0;
	s = json_object_get_string(v);
	if (s[0] == '\0')
		return empty_ok;
	snprintf(prefix, sizeof(prefix), "vr-%s-", name);
	return strncmp(s, prefix, strlen(prefix)) == 0 &&
	       strlen(s) > strlen(prefix) && strlen(s) < TOPO_IFNAMSIZ &&
	       strchr(s, '/') == NULL;
}

/* o's key is an integer in [lo, hi] (absent: 0, when 0 is allowed). */
static int
mig_int_ok(json_object *o, const char *key, int64_t lo, int64_t hi, int zero_ok)
{
	json_object *v;
	int64_t i;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return 0;
	i = json_object_get_int64(v);
	return (i >= lo && i <= hi) || (zero_ok && i == 0);
}

/* o's key is of type t (absent: need says whether that is wrong). */
static int
mig_is(json_object *o, const char *key, json_type t, int need)
{
	json_object *v;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return !need && json_object_is_type(o, json_type_object);
	return json_object_is_type(v, t);
}

/* Every value a peer sent is of the type its use needs (checked on the
 * loop, before anything is made; proto.c checked the top level's). */
static int
mig_peer_check(enum proto_method_id m, json_object *params, char *err,
	       size_t errlen)
{
	json_object *links = NULL, *vxs = NULL, *cpus = NULL, *v = NULL;
	const char *name;

	if (m == METHOD_MIGRATE_FINISH &&
	    json_object_object_get_ex(params, "cpus", &cpus))
		for (size_t i = 0; i < json_object_array_length(cpus); i++)
			if (!json_object_is_type(
				json_object_array_get_idx(cpus, i),
				json_type_int)) {
				msgf(err, errlen,
				     "cpus[%zu]: an integer expected", i);
				return -1;
			}
	if (m != METHOD_MIGRATE_PREPARE)
		return 0;
	json_object_object_get_ex(params, "name", &v);
	name = json_object_get_string(v);
	json_object_object_get_ex(params, "links", &links);
	json_object_object_get_ex(params, "vxlans", &vxs);
	for (size_t i = 0; i < json_object_array_length(links); i++) {
		json_object *l = json_object_array_get_idx(links, i);

		if (!mig_name_ok(l, "tap", name, 0) ||
		    !mig_name_ok(l, "bridge", name, 1) ||
		    !mig_is(l, "multi_queue", json_type_boolean, 0) ||
		    !mig_int_ok(l, "mtu", 68, 65535, 1)) {
			msgf(err, errlen,
			     "links[%zu]: {tap, bridge: vr-%s-... names, "
			     "multi_queue: a boolean, mtu: 0 or 68..65535} "
			     "expected",
			     i, name);
			return -1;
		}
	}
	for (size_t i = 0; i < json_object_array_length(vxs); i++) {
		json_object *x = json_object_array_get_idx(vxs, i);

		if (!mig_name_ok(x, "name", name, 0) ||
		    !mig_name_ok(x, "bridge", name, 0) ||
		    !mig_int_ok(x, "vni", 1, 16777215, 0) ||
		    !mig_int_ok(x, "mtu", 68, 65535, 0)) {
			msgf(err, errlen,
			     "vxlans[%zu]: {name, bridge: vr-%s-... names, "
			     "vni: 1..16777215, mtu: 68..65535} expected",
			     i, name);
			return -1;
		}
	}
	return 0;
}

static void
mig_peer_prepare(struct mig_peer_op *op, struct ns_ctx *ns)
{
	json_object *links = NULL, *vxs = NULL, *v;
	const char *remote = "";
	char local[TOPO_ADDRSTRLEN], derr[512];
	int mtu, v6, fd, recorded = 0;

	json_object_object_get_ex(op->params, "links", &links);
	json_object_object_get_ex(op->params, "vxlans", &vxs);
	if (json_object_object_get_ex(op->params, "remote", &v))
		remote = json_object_get_string(v);
	if (mig_underlay(remote, local, sizeof(local), &mtu, &v6) == -1) {
		msgf(op->err, sizeof(op->err), "no route to %s", remote);
		goto fail;
	}
	json_object_object_get_ex(op->params, "name", &v);
	if ((fd = statedir_topo_open(json_object_get_string(v), 1, derr,
				     sizeof(derr))) == -1) {
		msgf(op->err, sizeof(op->err), "console log directory: %s",
		     derr);
		goto fail;
	}
	close(fd);
	/* incoming: neither adopted nor an orphan here from now on, and
	 * no other host's node of the topology comes meanwhile */
	if (hosted_add(json_object_get_string(v), op->node, op->home, 1, derr,
		       sizeof(derr)) == -1) {
		op->code = errno == EEXIST ? PROTO_E_EXISTS : PROTO_E_NETSETUP;
		msgf(op->err, sizeof(op->err), "%s", derr);
		op->rc = -1;
		return; /* nothing made; the record is another host's */
	}
	recorded = 1;
	/* bridges first: of the links and of the VXLANs */
	for (int pass = 0; pass < 2; pass++) {
		json_object *a = pass ? vxs : links;

		for (size_t i = 0; i < json_object_array_length(a); i++) {
			const char *br =
			    json_object_get_string(json_object_object_get(
				json_object_array_get_idx(a, i), "bridge"));

			if (br == NULL || br[0] == '\0' ||
			    nl_link_exists(ns, br) == 1)
				continue;
			if (nl_bridge_add(ns, br, op->talias) == -1 ||
			    nl_link_set_up(ns, br, 1) == -1)
				goto nl_fail;
		}
	}
	for (size_t i = 0; i < json_object_array_length(vxs); i++) {
		json_object *x = json_object_array_get_idx(vxs, i);
		struct mig_vx mx = {0};

		vr_strlcpy(
		    mx.name,
		    json_object_get_string(json_object_object_get(x, "name")),
		    sizeof(mx.name));
		vr_strlcpy(
		    mx.bridge,
		    json_object_get_string(json_object_object_get(x, "bridge")),
		    sizeof(mx.bridge));
		mx.vni = (uint32_t)json_object_get_int64(
		    json_object_object_get(x, "vni"));
		mx.mtu = json_object_get_int(json_object_object_get(x, "mtu"));
		if (mig_vx_make(ns, &mx, op->talias, local, remote, op->err,
				sizeof(op->err)) == -1)
			goto fail;
	}
	for (size_t i = 0; i < json_object_array_length(links); i++) {
		json_object *l = json_object_array_get_idx(links, i);
		const char *br =
		    json_object_get_string(json_object_object_get(l, "bridge"));

		if (mig_tap_make(
			ns,
			json_object_get_string(
			    json_object_object_get(l, "tap")),
			op->alias, br ? br : "",
			json_object_get_boolean(
			    json_object_object_get(l, "multi_queue")),
			json_object_get_int(json_object_object_get(l, "mtu")),
			0) == -1)
			goto nl_fail;
	}
	op->result = json_object_new_object();
	json_object_object_add(op->result, "local",
			       json_object_new_string(local));
	return;
nl_fail:
	msgf(op->err, sizeof(op->err), "%s", ns_error(ns));
fail:
	op->rc = -1;
	(void)mig_unwire_tagged(ns, op->alias, derr, sizeof(derr));
	if (recorded)
		(void)hosted_remove(
		    json_object_get_string(
			json_object_object_get(op->params, "name")),
		    op->node, derr, sizeof(derr));
}

static void
mig_peer_job(struct job *j, void *arg)
{
	struct mig_peer_op *op = arg;
	struct ns_ctx *ns = NULL;
	json_object *v, *l;
	char err[512];

	(void)j;
	switch (op->m) {
	case METHOD_MIGRATE_SEND: {
		op->rc = vm_migrate(
		    op->domain, op->uri,
		    !(json_object_object_get_ex(op->params, "offline", &v) &&
		      json_object_get_boolean(v)),
		    op->err, sizeof(op->err));
		break;
	}
	case METHOD_MIGRATE_FINISH: {
		json_object *cpus = NULL, *pinned = json_object_new_array(),
			    *c = NULL;
		int arrived;

		json_object_object_get_ex(op->params, "cpus", &cpus);
		for (size_t i = 0; cpus && i < json_object_array_length(cpus);
		     i++) {
			int cpu = json_object_get_int(
			    json_object_array_get_idx(cpus, i));

			if (cpu >= 0 && vm_pin_vcpu(op->domain, (int)i, cpu,
						    err, sizeof(err)) == 0) {
				json_object *o = json_object_new_object();
				json_object_object_add(
				    o, "vcpu", json_object_new_int((int)i));
				json_object_object_add(
				    o, "cpu", json_object_new_int(cpu));
				json_object_array_add(pinned, o);
			}
		}
		op->result = json_object_new_object();
		json_object_object_add(op->result, "pinned", pinned);
		json_object_object_add(op->result, "stats",
				       vm_job_completed(op->domain));
		/* libvirt's success is checked, not trusted: the coordinator
		 * removes the source's wiring only for a domain that is here */
		arrived = vm_exists(op->domain) == 1;
		json_object_object_add(op->result, "arrived",
				       json_object_new_boolean(arrived));
		/* another host's node: not adopted, not an orphan here
		 * (recorded incoming by migrate_prepare: now it is here) */
		json_object_object_get_ex(op->params, "name", &v);
		json_object_object_get_ex(op->params, "coordinator", &c);
		if (arrived &&
		    hosted_add(json_object_get_string(v), op->node,
			       op->home[0] ? op->home
			       : c != NULL ? json_object_get_string(c)
					   : "",
			       0, err, sizeof(err)) == -1) {
			log_warnx("%s: %s", op->domain, err);
			json_object_object_add(op->result, "warning",
					       json_object_new_string(err));
		}
		break;
	}
	case METHOD_MIGRATE_PREPARE:
	case METHOD_MIGRATE_ABORT:
		if ((ns = ns_open(NULL, err, sizeof(err))) == NULL) {
			msgf(op->err, sizeof(op->err), "%s", err);
			op->rc = -1;
			break;
		}
		if (op->m == METHOD_MIGRATE_PREPARE) {
			mig_peer_prepare(op, ns);
			break;
		}
		json_object_object_get_ex(op->params, "name", &v);
		if (vm_destroy(op->domain, json_object_get_string(v), op->err,
			       sizeof(op->err)) == -1 ||
		    mig_unwire_tagged(ns, op->alias, op->err,
				      sizeof(op->err)) == -1)
			op->rc = -1;
		/* the domain is gone: no longer hosted here */
		else if (hosted_remove(json_object_get_string(v), op->node,
				       op->err, sizeof(op->err)) == -1)
			op->rc = -1;
		/* the shared ones with the topology's last node here: the
		 * caller's word (its nodes) and this host's (any home's) */
		else if (json_object_object_get_ex(op->params, "last", &l) &&
			 json_object_get_boolean(l) &&
			 hosted_count(json_object_get_string(v), NULL, 0) ==
			     0 &&
			 mig_unwire_tagged(ns, op->talias, op->err,
					   sizeof(op->err)) == -1)
			op->rc = -1;
		break;
	default:
		break;
	}
	if (ns)
		ns_close(ns);
}

static void
mig_peer_job_done(void *arg)
{
	struct mig_peer_op *op = arg;

	if (op->rc == -1)
		rpc_error(op->req,
			  op->code			 ? op->code
			  : op->m == METHOD_MIGRATE_SEND ? PROTO_E_LIBVIRT
							 : PROTO_E_NETSETUP,
			  NULL, "%s", op->err);
	else
		rpc_reply(op->req,
			  op->result ? op->result : json_object_new_object());
	free(op);
	sup_check_done();
}

/* Host h holds a part of r (its coordinator or a peer, as r knows
 * them: the hosts of its nodes elsewhere and of its peers). */
static int
mig_peer_of(const struct run *r, const char *h)
{
	json_object *v;

	for (int i = 0; i < r->npeers; i++)
		if (strcmp(r->peers[i], h) == 0)
			return 1;
	for (size_t i = 0; r->remote && i < json_object_array_length(r->remote);
	     i++)
		if (json_object_object_get_ex(
			json_object_array_get_idx(r->remote, i), "host", &v) &&
		    strcmp(json_object_get_string(v), h) == 0)
			return 1;
	return 0;
}

/* A topology named name runs here and node is not another host's node
 * of it: a topology across hosts (a part here, "host") may take in the
 * nodes of its other parts, from a host that holds one of them (home),
 * nothing else may: a same-named topology elsewhere would join its
 * networks to this one's.  0, or -1 with err. */
static int
mig_peer_clash(const char *name, const char *node, const char *home, char *err,
	       size_t errlen)
{
	struct run *r = sup_run_find(name);

	if (r == NULL)
		return 0;
	if (r->host[0] == '\0')
		goto clash;
	for (int n = 0; n < r->plan->nnodes; n++)
		if (strcmp(r->plan->nodes[n].name, node) == 0)
			goto clash;
	if (home[0] == '\0' || !mig_peer_of(r, home)) {
		msgf(err, errlen,
		     "a topology named %s runs here (this host's part of one "
		     "across hosts) and %s holds no part of it",
		     name, home[0] ? home : "the caller (no home said)");
		return -1;
	}
	return 0;
clash:
	msgf(err, errlen, "a topology named %s runs here already", name);
	return -1;
}

static void
mig_peer_method(struct rpc_req *req, enum proto_method_id m)
{
	struct mig_peer_op *op = xcalloc(1, sizeof(*op));
	const char *name, *node;
	json_object *v;

	op->req = req;
	op->params = rpc_params(req);
	op->m = m;
	json_object_object_get_ex(op->params, "name", &v);
	name = json_object_get_string(v);
	json_object_object_get_ex(op->params, "node", &v);
	node = json_object_get_string(v);
	snprintf(op->alias, sizeof(op->alias), MIGRATE_ALIAS "%s:%s:", name,
		 node);
	snprintf(op->talias, sizeof(op->talias), MIGRATE_ALIAS "%s::", name);
	snprintf(op->domain, sizeof(op->domain), "vrouterd-%s-%s", name, node);
	vr_strlcpy(op->node, node, sizeof(op->node));
	if (json_object_object_get_ex(op->params, "home", &v))
		vr_strlcpy(op->home, json_object_get_string(v),
			   sizeof(op->home));
	/* a finish only pins and records a domain that is here already:
	 * refused, the node would be left unrecorded */
	if (sup_closing && m != METHOD_MIGRATE_FINISH) {
		rpc_error(req, PROTO_E_BUSY, NULL, "vrouterd is shutting down");
		free(op);
		return;
	}
	if (!name_ok(NAME_INSTANCE, name) || !name_ok(NAME_NODE, node)) {
		rpc_error(req, PROTO_E_PARAMS, NULL,
			  "name (%s) or node (%s) is not a valid name",
			  name_rule(NAME_INSTANCE), name_rule(NAME_NODE));
		free(op);
		return;
	}
	if (mig_peer_check(m, op->params, op->err, sizeof(op->err)) == -1) {
		rpc_error(req, PROTO_E_PARAMS, NULL, "%s", op->err);
		free(op);
		return;
	}
	if (m == METHOD_MIGRATE_SEND) {
		const struct config_host *h;

		json_object_object_get_ex(op->params, "to", &v);
		if ((h = config_host_find(conf, json_object_get_string(v))) ==
		    NULL) {
			rpc_error(req, PROTO_E_LIBVIRT, NULL,
				  "no host %s in this host's configuration",
				  json_object_get_string(v));
			free(op);
			return;
		}
		vr_strlcpy(op->uri, h->libvirt_uri, sizeof(op->uri));
	}
	if (mig_peer_clash(name, node, op->home, op->err, sizeof(op->err)) ==
	    -1) {
		rpc_error(req, PROTO_E_EXISTS, NULL, "%s", op->err);
		free(op);
		return;
	}
	if (m == METHOD_MIGRATE_PREPARE) {
		char h[TOPO_HOST_LEN + 1];

		if (hosted_count(name, h, sizeof(h)) > 0 &&
		    strcmp(h, op->home) != 0) {
			rpc_error(req, PROTO_E_EXISTS, NULL,
				  "this host runs nodes of %s for host %s "
				  "already: nodes of one topology from more "
				  "than one other host are not supported yet",
				  name, h);
			free(op);
			return;
		}
	}
	if (job_start(sup_base, mig_peer_job, NULL, mig_peer_job_done, op) ==
	    -1) {
		rpc_error(req, PROTO_E_INTERNAL, NULL, "cannot start a job: %s",
			  strerror(errno));
		free(op);
	}
}

void
migrate_prepare_method(struct rpc_req *req)
{
	mig_peer_method(req, METHOD_MIGRATE_PREPARE);
}

void
migrate_send_method(struct rpc_req *req)
{
	mig_peer_method(req, METHOD_MIGRATE_SEND);
}

void
migrate_finish_method(struct rpc_req *req)
{
	mig_peer_method(req, METHOD_MIGRATE_FINISH);
}

void
migrate_abort_method(struct rpc_req *req)
{
	mig_peer_method(req, METHOD_MIGRATE_ABORT);
}
