/*
 * The coordinator of a topology across hosts (issue 15; docs/multihost.md
 * "Topologies across hosts").  `start` of a plan that places nodes or
 * ports on other hosts comes here: each other host's vrouterd is asked in
 * turn (peer.c) for `start_part` (the same params with "part": its name,
 * "coordinator" and "underlay"), which answers once its nodes are ready;
 * then this host starts its own part the same way (sup_start with
 * "part").  All or nothing: the first host failing, or unreachable, ends
 * it, and every host asked so far is told `stop` of the name (a host that
 * never got that far answers "not running", which is fine); the error
 * names the host.  `stop` of such a topology stops each peer's part, then
 * this host's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "coord.h"
#include "log.h"
#include "part.h"
#include "peer.h"
#include "proto.h"
#include "sup_run.h"
#include "topo_hosts.h"
#include "util.h"

struct coord_op {
	struct rpc_req *req;
	json_object *params; /* the caller's, with underlay and coordinator */
	char name[64];
	char hosts[TOPO_MAX_HOSTS][TOPO_HOST_LEN + 1]; /* [0]: this host */
	int nhosts;
	int i;	      /* the host being asked */
	int stopping; /* coord_stop, not start */
	int start_timeout;
	struct peer *peer;
	int code;
	char err[3072];
	size_t off;	  /* of what stop could not do */
	size_t cause_len; /* rollback: err's length before it */
};

static void
coord_free(struct coord_op *op)
{
	if (op->peer)
		peer_close(op->peer);
	json_object_put(op->params);
	free(op);
}

static void coord_progress(struct coord_op *op, const char *step,
			   const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
coord_progress(struct coord_op *op, const char *step, const char *fmt, ...)
{
	json_object *p;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_info("%s: %s", op->name, msg);
	if (op->req == NULL)
		return;
	p = json_object_new_object();
	json_object_object_add(p, "topology", json_object_new_string(op->name));
	json_object_object_add(p, "step", json_object_new_string(step));
	json_object_object_add(p, "message", json_object_new_string(msg));
	rpc_notify(op->req, "progress", p);
}

/* ---- stop of every peer's part (rollback, or `stop`) --------------------- */

static void coord_stop_next(struct coord_op *op);

static void
coord_stop_done(json_object *result, json_object *error, const char *fail,
		void *arg)
{
	struct coord_op *op = arg;
	json_object *c = NULL, *m = NULL;

	(void)result;
	if (error != NULL) {
		json_object_object_get_ex(error, "code", &c);
		json_object_object_get_ex(error, "message", &m);
	}
	if (fail != NULL ||
	    (error != NULL && json_object_get_int(c) != PROTO_E_NOT_FOUND)) {
		op->off += snprintf(
		    op->err + op->off,
		    op->off < sizeof(op->err) ? sizeof(op->err) - op->off : 0,
		    "; host %s: its part was not stopped: %s", op->hosts[op->i],
		    fail ? fail : json_object_get_string(m));
		if (op->off >= sizeof(op->err))
			op->off = sizeof(op->err) - 1;
	}
	peer_close(op->peer);
	op->peer = NULL;
	op->i--;
	coord_stop_next(op);
}

static void
coord_stopped_local(void *arg)
{
	struct coord_op *op = arg;
	json_object *res, *names;

	if (op->off > 0) {
		rpc_error(op->req, PROTO_E_STOP, NULL, "stop %s: %s", op->name,
			  op->err + 2);
	} else {
		res = json_object_new_object();
		names = json_object_new_array();
		json_object_array_add(names, json_object_new_string(op->name));
		json_object_object_add(res, "stopped", names);
		rpc_reply(op->req, res);
	}
	coord_free(op);
}

/* The end of the rollback: the caller told why start failed. */
static void
coord_start_failed(struct coord_op *op)
{
	json_object *data = json_object_new_object();

	json_object_object_add(data, "step", json_object_new_string("hosts"));
	json_object_object_add(
	    data, "rolled_back",
	    json_object_new_boolean(op->off == op->cause_len));
	rpc_error(op->req, op->code, data, "start %s failed: %s", op->name,
		  op->err);
	coord_free(op);
}

/* Peers from op->i down to 1, each told `stop` NAME over a new
 * connection; then this host's part (coord_stop) or the answer. */
static void
coord_stop_next(struct coord_op *op)
{
	const struct config_host *h;
	json_object *p;
	char err[1024];

	while (op->i >= 1) {
		if ((h = config_host_find(conf, op->hosts[op->i])) == NULL ||
		    (op->peer = peer_open(h, err, sizeof(err))) == NULL) {
			op->off += snprintf(
			    op->err + op->off,
			    op->off < sizeof(op->err)
				? sizeof(op->err) - op->off
				: 0,
			    "; host %s: its part was not stopped: %s",
			    op->hosts[op->i], h ? err : "not configured");
			if (op->off >= sizeof(op->err))
				op->off = sizeof(op->err) - 1;
			op->i--;
			continue;
		}
		coord_progress(op, "stop", "stopping the part on host %s",
			       op->hosts[op->i]);
		p = json_object_new_object();
		json_object_object_add(p, "name",
				       json_object_new_string(op->name));
		(void)peer_call(op->peer, METHOD_STOP, p,
				conf->peer_timeout + 120, coord_stop_done, op);
		return;
	}
	if (!op->stopping) {
		coord_start_failed(op);
		return;
	}
	int code;

	if (sup_stop(op->name, NULL, coord_stopped_local, op, &code, err,
		     sizeof(err)) == -1) {
		op->off += snprintf(
		    op->err + op->off,
		    op->off < sizeof(op->err) ? sizeof(op->err) - op->off : 0,
		    "; host %s: %s", op->hosts[0], err);
		if (op->off >= sizeof(op->err))
			op->off = sizeof(op->err) - 1;
		coord_stopped_local(op);
	}
}

/* Start failed at host op->i (err set): every host asked is told stop;
 * what could not be stopped is appended to the cause. */
static void
coord_rollback(struct coord_op *op)
{
	op->off = op->cause_len = strlen(op->err);
	op->i = op->i >= op->nhosts ? op->nhosts - 1 : op->i;
	coord_progress(op, "rollback", "removing every host's part");
	coord_stop_next(op);
}

/* ---- start --------------------------------------------------------------- */

static void coord_start_next(struct coord_op *op);

static void
coord_local_started(void *arg, int code, const char *err)
{
	struct coord_op *op = arg;
	struct run *r;

	if (code != 0) {
		op->code = code;
		snprintf(op->err, sizeof(op->err), "host %s (this host): %s",
			 op->hosts[0], err);
		op->i = op->nhosts - 1;
		coord_rollback(op);
		return;
	}
	r = sup_run_find(op->name);
	rpc_reply(op->req, r ? sup_run_json(r) : json_object_new_object());
	coord_free(op);
}

static void
coord_part_done(json_object *result, json_object *error, const char *fail,
		void *arg)
{
	struct coord_op *op = arg;
	json_object *m = NULL, *c = NULL;

	(void)result;
	if (fail != NULL || error != NULL) {
		if (error != NULL) {
			json_object_object_get_ex(error, "message", &m);
			json_object_object_get_ex(error, "code", &c);
		}
		op->code = c ? json_object_get_int(c) : PROTO_E_START;
		if (fail != NULL)
			snprintf(op->err, sizeof(op->err), "%s", fail);
		else
			snprintf(op->err, sizeof(op->err),
				 "host %s: its part failed: %s",
				 op->hosts[op->i], json_object_get_string(m));
		peer_close(op->peer);
		op->peer = NULL;
		coord_rollback(op);
		return;
	}
	peer_close(op->peer);
	op->peer = NULL;
	op->i++;
	coord_start_next(op);
}

static void
coord_start_next(struct coord_op *op)
{
	const struct config_host *h;
	json_object *p;
	char err[1024];
	int code;

	if (op->i < op->nhosts) {
		h = config_host_find(conf, op->hosts[op->i]);
		coord_progress(op, "hosts", "starting the part on host %s",
			       op->hosts[op->i]);
		if (h == NULL || (op->peer = peer_open(
				      h, op->err, sizeof(op->err))) == NULL) {
			if (h == NULL)
				snprintf(op->err, sizeof(op->err),
					 "host %s is not configured",
					 op->hosts[op->i]);
			op->code = PROTO_E_START;
			coord_rollback(op);
			return;
		}
		p = NULL;
		if (json_object_deep_copy(op->params, &p, NULL) != 0) {
			snprintf(op->err, sizeof(op->err),
				 "cannot copy the params: out of memory");
			op->code = PROTO_E_INTERNAL;
			coord_rollback(op);
			return;
		}
		json_object_object_add(
		    p, "part", json_object_new_string(op->hosts[op->i]));
		(void)peer_call(op->peer, METHOD_START_PART, p,
				op->start_timeout + conf->peer_timeout,
				coord_part_done, op);
		return;
	}
	/* every peer's part is ready: this host's own */
	coord_progress(op, "hosts", "starting the part on host %s (this host)",
		       op->hosts[0]);
	json_object_object_add(op->params, "part",
			       json_object_new_string(op->hosts[0]));
	if (sup_start(op->params, NULL, coord_local_started, op, &code, err,
		      sizeof(err)) == -1)
		coord_local_started(op, code, err);
}

int
coord_start(struct rpc_req *req)
{
	json_object *params = rpc_params(req);
	struct topo_plan *plan = xcalloc(1, sizeof(*plan));
	struct topo_hosts *hs = xcalloc(1, sizeof(*hs));
	struct part_underlay u;
	struct coord_op *op = NULL;
	char ul[1024], err[2048];
	int code;

	if (sup_plan_build(params, plan, &code, err, sizeof(err)) == -1 ||
	    !topo_hosts_placed(plan)) {
		topo_plan_free(plan); /* sup_start says what is wrong */
		free(plan);
		free(hs);
		return 0;
	}
	/* every host the placement names must be one of ours */
	code = PROTO_E_TOPOLOGY;
	if (topo_hosts_plan(plan, conf->host_name, NULL, 0, hs, err,
			    sizeof(err)) == -1)
		goto fail;
	for (int h = 1; h < hs->nhosts; h++)
		if (config_host_find(conf, hs->hosts[h].name) == NULL) {
			msgf(err, sizeof(err),
			     "%s places %s %s on host '%s', which this "
			     "vrouterd "
			     "(host %s) does not know: list it in `hosts` of "
			     "the configuration (docs/config.md)",
			     plan->opts.name,
			     hs->hosts[h].nnodes ? "node" : "port",
			     hs->hosts[h].nnodes
				 ? plan->nodes[hs->hosts[h].nodes[0]].name
				 : plan->ports[hs->hosts[h].ports[0]].role,
			     hs->hosts[h].name, conf->host_name);
			goto fail;
		}
	if (part_underlay_conf(ul, sizeof(ul), err, sizeof(err)) == -1 ||
	    part_underlay(ul, &u, err, sizeof(err)) == -1 ||
	    topo_hosts_plan(plan, conf->host_name, u.u, u.n, hs, err,
			    sizeof(err)) == -1)
		goto fail;
	code = PROTO_E_EXISTS;
	if (sup_run_find(plan->opts.name) != NULL) {
		msgf(err, sizeof(err), "a topology named %s is running already",
		     plan->opts.name);
		goto fail;
	}
	op = xcalloc(1, sizeof(*op));
	op->req = req;
	if (json_object_deep_copy(params, &op->params, NULL) != 0)
		op->params = json_object_new_object(); /* start_part refuses */
	json_object_object_add(op->params, "coordinator",
			       json_object_new_string(conf->host_name));
	json_object_object_add(op->params, "underlay",
			       json_object_new_string(ul));
	vr_strlcpy(op->name, plan->opts.name, sizeof(op->name));
	for (int h = 0; h < hs->nhosts; h++)
		vr_strlcpy(op->hosts[op->nhosts++], hs->hosts[h].name,
			   sizeof(op->hosts[0]));
	op->start_timeout = plan->opts.timeout_sec + 60;
	op->i = 1;
	topo_plan_free(plan);
	free(plan);
	free(hs);
	coord_start_next(op);
	return 1;
fail:
	rpc_error(req, code, NULL, "%s", err);
	topo_plan_free(plan);
	free(plan);
	free(hs);
	return 1;
}

int
coord_stop(struct rpc_req *req, const char *name)
{
	struct run *r = sup_run_find(name);
	struct coord_op *op;

	if (r == NULL || r->npeers == 0)
		return 0;
	if (r->state != RUN_RUNNING)
		return 0; /* sup_stop says it is busy */
	op = xcalloc(1, sizeof(*op));
	op->req = req;
	op->stopping = 1;
	op->params = json_object_new_object();
	vr_strlcpy(op->name, name, sizeof(op->name));
	vr_strlcpy(op->hosts[0], r->host, sizeof(op->hosts[0]));
	op->nhosts = 1;
	for (int i = 0; i < r->npeers; i++)
		vr_strlcpy(op->hosts[op->nhosts++], r->peers[i],
			   sizeof(op->hosts[0]));
	op->i = op->nhosts - 1;
	coord_stop_next(op);
	return 1;
}

void
coord_method_start_part(struct rpc_req *req)
{
	char err[2048];
	int code;

	if (sup_start(rpc_params(req), req, NULL, NULL, &code, err,
		      sizeof(err)) == -1)
		rpc_error(req, code, NULL, "%s", err);
}

/* ---- status: the other hosts' nodes ---------------------------------------
 */

struct coord_status;

struct coord_speer {
	struct coord_status *cs;
	char host[TOPO_HOST_LEN + 1];
	struct peer *peer;
};

struct coord_status {
	struct rpc_req *req;
	json_object *result;
	int pending;
	int npeers;
	struct coord_speer peers[TOPO_MAX_HOSTS];
};

/* Each remote node of host in result's topologies: its state from the
 * host's own status (st), or unknown with why (st NULL). */
static void
coord_status_fill(json_object *result, const char *host, json_object *st,
		  const char *why)
{
	json_object *tops = NULL, *ptops = NULL;

	if (st != NULL)
		json_object_object_get_ex(st, "topologies", &ptops);
	if (!json_object_object_get_ex(result, "topologies", &tops) ||
	    !json_object_is_type(tops, json_type_array))
		return;
	if (ptops != NULL && !json_object_is_type(ptops, json_type_array))
		ptops = NULL;
	for (size_t i = 0; i < json_object_array_length(tops); i++) {
		json_object *t = json_object_array_get_idx(tops, i), *rn, *nm;
		json_object *pt = NULL;

		if (!json_object_object_get_ex(t, "remote_nodes", &rn) ||
		    !json_object_object_get_ex(t, "name", &nm))
			continue;
		for (size_t k = 0;
		     ptops != NULL && k < json_object_array_length(ptops);
		     k++) {
			json_object *x = json_object_array_get_idx(ptops, k),
				    *n;

			if (json_object_object_get_ex(x, "name", &n) &&
			    strcmp(json_object_get_string(n),
				   json_object_get_string(nm)) == 0)
				pt = x;
		}
		for (size_t k = 0; k < json_object_array_length(rn); k++) {
			json_object *e = json_object_array_get_idx(rn, k), *h,
				    *n, *pn = NULL, *v;
			const char *state = NULL, *runs_on = NULL;

			/* "home": the host whose part it is, once "host"
			 * says where it runs (migrated) */
			if ((!json_object_object_get_ex(e, "home", &h) &&
			     !json_object_object_get_ex(e, "host", &h)) ||
			    strcmp(json_object_get_string(h), host) != 0 ||
			    !json_object_object_get_ex(e, "name", &n))
				continue;
			if (pt != NULL &&
			    json_object_object_get_ex(pt, "nodes", &pn) &&
			    json_object_is_type(pn, json_type_array))
				for (size_t m = 0;
				     m < json_object_array_length(pn); m++) {
					json_object *x =
					    json_object_array_get_idx(pn, m);

					if (json_object_object_get_ex(x, "name",
								      &v) &&
					    strcmp(json_object_get_string(v),
						   json_object_get_string(n)) ==
						0 &&
					    json_object_object_get_ex(
						x, "state", &v)) {
						state =
						    json_object_get_string(v);
						if (json_object_object_get_ex(
							x, "host", &v))
							runs_on =
							    json_object_get_string(
								v);
					}
				}
			if (runs_on != NULL && runs_on[0] != '\0' &&
			    strcmp(runs_on, host) != 0) {
				json_object_object_add(
				    e, "home", json_object_new_string(host));
				json_object_object_add(
				    e, "host", json_object_new_string(runs_on));
			}
			json_object_object_add(
			    e, "reachable",
			    json_object_new_boolean(st != NULL));
			json_object_object_add(
			    e, "state",
			    json_object_new_string(
				state ? state
				: st  ? "absent" /* its host runs no such */
				      : "unknown"));
			if (why != NULL)
				json_object_object_add(
				    e, "error", json_object_new_string(why));
		}
	}
}

static void
coord_status_one(struct coord_speer *sp, json_object *st, const char *why)
{
	struct coord_status *cs = sp->cs;

	coord_status_fill(cs->result, sp->host, st, why);
	if (--cs->pending > 0)
		return;
	for (int i = 0; i < cs->npeers; i++)
		if (cs->peers[i].peer)
			peer_close(cs->peers[i].peer);
	rpc_reply(cs->req, cs->result);
	free(cs);
}

static void
coord_status_done(json_object *result, json_object *error, const char *fail,
		  void *arg)
{
	struct coord_speer *sp = arg;
	json_object *m = NULL;
	char why[1024];

	if (fail != NULL) {
		coord_status_one(sp, NULL, fail);
		return;
	}
	if (error != NULL) {
		json_object_object_get_ex(error, "message", &m);
		snprintf(why, sizeof(why), "host %s: its vrouterd refused: %s",
			 sp->host, m ? json_object_get_string(m) : "?");
		coord_status_one(sp, NULL, why);
		return;
	}
	coord_status_one(sp, result, NULL);
}

void
coord_status(struct rpc_req *req, json_object *result)
{
	struct coord_status *cs = xcalloc(1, sizeof(*cs));
	struct run *r;
	char err[1024];

	cs->req = req;
	cs->result = result;
	TAILQ_FOREACH(r, &sup_runs, entry)
	for (int i = 0; i < r->npeers; i++) {
		int seen = 0;

		for (int k = 0; k < cs->npeers; k++)
			seen |= strcmp(cs->peers[k].host, r->peers[i]) == 0;
		if (!seen && cs->npeers < TOPO_MAX_HOSTS)
			vr_strlcpy(cs->peers[cs->npeers++].host, r->peers[i],
				   sizeof(cs->peers[0].host));
	}
	if (cs->npeers == 0) {
		rpc_reply(req, result);
		free(cs);
		return;
	}
	cs->pending = cs->npeers + 1; /* the loop's own hold */
	for (int i = 0; i < cs->npeers; i++) {
		struct coord_speer *sp = &cs->peers[i];
		const struct config_host *h = config_host_find(conf, sp->host);

		sp->cs = cs;
		if (!rpc_privileged(req)) {
			/* a peer call runs ssh as root: not for a read-only
			 * client */
			coord_status_one(sp, NULL,
					 "not asked: the caller is not "
					 "privileged");
			continue;
		}
		if (h == NULL) {
			snprintf(err, sizeof(err),
				 "host %s is no longer configured", sp->host);
			coord_status_one(sp, NULL, err);
			continue;
		}
		if ((sp->peer = peer_open(h, err, sizeof(err))) == NULL) {
			coord_status_one(sp, NULL, err);
			continue;
		}
		(void)peer_call(sp->peer, METHOD_STATUS, NULL,
				conf->peer_timeout, coord_status_done, sp);
	}
	coord_status_one(&(struct coord_speer){.cs = cs}, NULL, NULL);
}
