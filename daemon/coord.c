/*
 * The coordinator of a topology across hosts (issue 15; docs/multihost.md
 * "Topologies across hosts").  `start` of a plan that places nodes or
 * ports on other hosts comes here: every other host's vrouterd is asked
 * at once (peer.c, a connection each) for `start_part` (the same params
 * with "part": its name, "coordinator" and "underlay"), which answers
 * once its nodes are ready; once every one has answered, this host
 * starts its own part the same way (sup_start with "part").  All or
 * nothing: a host failing, or unreachable, ends it, and once every host
 * asked has answered (each bounded by its timeout), every one whose part
 * may run (it answered success, or its connection was lost) is told
 * `stop` of the name (a host that never got that far answers "not
 * running", which is fine); one whose vrouterd answered an error rolled
 * back its own part and is not told (a NAME running there, "running
 * already", is not this start's); the error names each host that failed.
 * `stop` of such a topology stops each peer's part, then this host's;
 * `stop --all` does that for each such topology in turn, then stops the
 * others (coord_stop_all).  Autostart starts one the same way, told the
 * outcome by a callback instead of a reply (a peer unreachable at boot:
 * autostart.c retries with its backoff).
 *
 * Over 900 lines, not split yet: start, rollback and stop share struct
 * coord_op and its per-host arrays; the status section (coord_status, the
 * other hosts' nodes) is separate in all but the file and the first to
 * move out.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "coord.h"
#include "intent.h"
#include "log.h"
#include "part.h"
#include "peer.h"
#include "proto.h"
#include "statedir.h"
#include "sup_run.h"
#include "topo_hosts.h"
#include "util.h"

struct coord_op;

/* One peer's start_part under way (the callback's arg). */
struct coord_call {
	struct coord_op *op;
	int i; /* its index in op->hosts */
};

struct coord_all;

struct coord_op {
	struct rpc_req *req; /* NULL: autostart's, told by done */
	void (*done)(void *arg, int code, const char *err);
	void *done_arg;
	struct coord_all *all; /* stop --all: the answer is all's */
	json_object *params;   /* the caller's, with underlay and coordinator */
	char name[64];
	char hosts[TOPO_MAX_HOSTS][TOPO_HOST_LEN + 1]; /* [0]: this host */
	int nhosts;
	int i;	      /* the host being asked */
	int stopping; /* coord_stop, not start */
	int start_timeout;
	enum topo_backend backend; /* for coord.json */
	long long since;
	struct peer *peer;
	/* start: one connection per peer, all asked at once */
	struct peer *peers[TOPO_MAX_HOSTS];
	struct coord_call calls[TOPO_MAX_HOSTS];
	char *failed[TOPO_MAX_HOSTS]; /* why host i's part failed */
	char *left[TOPO_MAX_HOSTS];   /* stop: host i's nodes ("vr1, vr2") */
	int local_failed;	      /* stop: sup_stop refused (err says) */
	unsigned char asked[TOPO_MAX_HOSTS]; /* its part may run: told stop */
	unsigned char died[TOPO_MAX_HOSTS];  /* lost in its start_part */
	unsigned char unstopped[TOPO_MAX_HOSTS]; /* rollback: not told */
	int pending; /* start_part calls not answered yet */
	int code;
	char err[3072];
	size_t off;	       /* of what stop could not do */
	size_t cause_len;      /* rollback: err's length before it */
	int keep;	       /* a part not stopped: coord.json stays */
	struct coord_op *next; /* in coord_starts */
};

/* The starts across hosts under way, from before coord.json is written
 * to their answer: a second start of the same name is refused, since
 * its rollback would stop the first one's parts (coord_starting). */
static struct coord_op *coord_starts;

int
coord_starting(const char *name)
{
	for (struct coord_op *op = coord_starts; op; op = op->next)
		if (strcmp(op->name, name) == 0)
			return 1;
	return 0;
}

static void
coord_free(struct coord_op *op)
{
	for (struct coord_op **pp = &coord_starts; *pp; pp = &(*pp)->next)
		if (*pp == op) {
			*pp = op->next;
			break;
		}
	if (op->peer)
		peer_close(op->peer);
	for (int i = 0; i < TOPO_MAX_HOSTS; i++) {
		if (op->peers[i])
			peer_close(op->peers[i]);
		free(op->failed[i]);
		free(op->left[i]);
	}
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

/* ---- stop of every peer's part (rollback, `stop`, `stop --all`) ---------- */

/* Host op->i's part was not told stop (err says so): coord.json keeps
 * it, asked again at the next reload or start (intent.c).  A lost
 * connection is not a dead vrouterd: one alive may have finished the
 * part (its part.json gone).  One that died removes its part itself
 * when it starts again (intent.c). */
static void
coord_unstopped(struct coord_op *op, int lost)
{
	if (op->stopping)
		return;
	op->keep = 1;
	op->unstopped[op->i] = 1;
	op->off +=
	    snprintf(op->err + op->off,
		     op->off < sizeof(op->err) ? sizeof(op->err) - op->off : 0,
		     " (%sthis host asks it again when its vrouterd reloads "
		     "or starts)",
		     lost && op->died[op->i]
			 ? "if its vrouterd died, it removes what it made of "
			   "the part when it starts again; "
			 : "");
	if (op->off >= sizeof(op->err))
		op->off = sizeof(op->err) - 1;
}

static void coord_stop_next(struct coord_op *op);
static int coord_record(const struct coord_op *op, const unsigned char *mask,
			char *err, size_t errlen);
static void coord_all_one(struct coord_all *all, const char *name,
			  const char *err);
static void coord_all_next(struct coord_all *all);

/* A peer's error message (m: its "message", or NULL), never NULL. */
static const char *
coord_msg(json_object *m)
{
	const char *s = m ? json_object_get_string(m) : NULL;

	return s && s[0] ? s : "its vrouterd gave no message";
}

static void coord_err_add(struct coord_op *op, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append to what stop could not do (op->err from op->off). */
static void
coord_err_add(struct coord_op *op, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	op->off += vsnprintf(
	    op->err + op->off,
	    op->off < sizeof(op->err) ? sizeof(op->err) - op->off : 0, fmt, ap);
	va_end(ap);
	if (op->off >= sizeof(op->err))
		op->off = sizeof(op->err) - 1;
}

/* "; host b: its part was not stopped (vr1 left there): WHY" */
static void
coord_not_stopped(struct coord_op *op, const char *why)
{
	const char *left = op->left[op->i];

	coord_err_add(op, "; host %s: its part was not stopped%s%s%s: %s",
		      op->hosts[op->i], left ? " (" : "", left ? left : "",
		      left ? " left there)" : "", why);
}

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
		coord_not_stopped(op, fail ? fail : coord_msg(m));
		coord_unstopped(op, fail != NULL);
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

	/* sup_stop without a req logs why it left something: say where */
	if (!op->local_failed && sup_run_find(op->name) != NULL)
		coord_err_add(op,
			      "; host %s (this host): stop left something "
			      "behind (its log says what)",
			      op->hosts[0]);
	if (op->all != NULL) {
		struct coord_all *all = op->all;

		coord_all_one(all, op->name, op->off > 0 ? op->err + 2 : NULL);
		coord_free(op);
		coord_all_next(all); /* the next topology */
		return;
	} else if (op->off > 0) {
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
	char err[1024];

	json_object_object_add(data, "step", json_object_new_string("hosts"));
	json_object_object_add(
	    data, "rolled_back",
	    json_object_new_boolean(op->off == op->cause_len));
	if (op->keep) {
		/* the record names those not told; no longer this start's:
		 * a reload asks them again (intent_reap_coord) */
		if (coord_record(op, op->unstopped, err, sizeof(err)) == -1)
			log_warnx("%s: %s", op->name, err);
		intent_coord_release(op->name);
		log_warnx("%s: not every host's part was stopped: %s "
			  "keeps them, to be stopped when this vrouterd "
			  "reloads or starts again",
			  op->name, INTENT_COORD);
	} else {
		intent_clear(op->name, INTENT_COORD);
		statedir_topo_rmdir(op->name);
	}
	if (op->req != NULL)
		rpc_error(op->req, op->code, data, "start %s failed: %s",
			  op->name, op->err);
	else {
		char msg[sizeof(op->err) + 128];

		snprintf(msg, sizeof(msg), "start %s failed: %s", op->name,
			 op->err);
		json_object_put(data);
		op->done(op->done_arg, op->code, msg);
	}
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
	int code;

	while (op->i >= 1) {
		if (!op->stopping && !op->asked[op->i]) {
			op->i--; /* never asked: nothing there to stop */
			continue;
		}
		if ((h = config_host_find(conf, op->hosts[op->i])) == NULL ||
		    (op->peer = peer_open(h, err, sizeof(err))) == NULL) {
			coord_not_stopped(op, h ? err : "not configured");
			coord_unstopped(op, h != NULL);
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
	if (sup_stop(op->name, NULL, coord_stopped_local, op, &code, err,
		     sizeof(err)) == -1) {
		coord_err_add(op, "; host %s: %s", op->hosts[0], err);
		op->local_failed = 1;
		coord_stopped_local(op);
	}
}

/* Start failed (err set, op->i the last host): every host asked is told
 * stop; what could not be stopped is appended to the cause. */
static void
coord_rollback(struct coord_op *op)
{
	char err[1024];

	op->off = op->cause_len = strlen(op->err);
	op->i = op->i >= op->nhosts ? op->nhosts - 1 : op->i;
	/* a host that refused is not told stop: nor at a restart */
	if (coord_record(op, op->asked, err, sizeof(err)) == -1)
		log_warnx("%s: %s", op->name, err);
	coord_progress(op, "rollback", "removing every host's part");
	coord_stop_next(op);
}

/* ---- start --------------------------------------------------------------- */

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
	intent_clear(op->name, INTENT_COORD); /* every part recorded */
	r = sup_run_find(op->name);
	if (op->req != NULL)
		rpc_reply(op->req,
			  r ? sup_run_json(r) : json_object_new_object());
	else
		op->done(op->done_arg, 0, NULL);
	coord_free(op);
}

/* Every peer has answered: roll back when one failed (the error names
 * each that did, in the placement's order), else this host's part. */
static void
coord_parts_done(struct coord_op *op)
{
	size_t off = 0;
	char err[1024];
	int code;

	for (int i = 1; i < op->nhosts; i++) {
		if (op->failed[i] == NULL)
			continue;
		off +=
		    snprintf(op->err + off,
			     off < sizeof(op->err) ? sizeof(op->err) - off : 0,
			     "%s%s", off ? "; " : "", op->failed[i]);
		if (off >= sizeof(op->err))
			off = sizeof(op->err) - 1;
	}
	if (off > 0) {
		op->i = op->nhosts - 1;
		coord_rollback(op);
		return;
	}
	coord_progress(op, "hosts", "starting the part on host %s (this host)",
		       op->hosts[0]);
	json_object_object_add(op->params, "part",
			       json_object_new_string(op->hosts[0]));
	if (sup_start(op->params, NULL, coord_local_started, op, &code, err,
		      sizeof(err)) == -1)
		coord_local_started(op, code, err);
}

/* Host i's part failed: why (a message naming it), code for the answer. */
static void
coord_part_failed(struct coord_op *op, int i, int code, const char *why)
{
	if (op->failed[i] == NULL)
		op->failed[i] = xstrdup(why);
	if (op->code == 0 || op->code == PROTO_E_START)
		op->code = code;
}

static void
coord_part_done(json_object *result, json_object *error, const char *fail,
		void *arg)
{
	struct coord_call *c = arg;
	struct coord_op *op = c->op;
	json_object *m = NULL, *cd = NULL;
	char why[2048];

	(void)result;
	if (fail != NULL || error != NULL) {
		if (error != NULL) {
			json_object_object_get_ex(error, "message", &m);
			json_object_object_get_ex(error, "code", &cd);
		}
		if (fail != NULL) {
			snprintf(why, sizeof(why), "%s", fail);
			op->died[c->i] = 1;
		} else {
			/* its vrouterd answered: it rolled back what it
			 * made, and a NAME running there is not this
			 * start's (EXISTS): not told stop */
			op->asked[c->i] = 0;
			snprintf(why, sizeof(why),
				 "host %s: its part failed: %s",
				 op->hosts[c->i], coord_msg(m));
		}
		coord_part_failed(op, c->i,
				  cd ? json_object_get_int(cd) : PROTO_E_START,
				  why);
	} else
		coord_progress(op, "hosts", "host %s: its part is ready",
			       op->hosts[c->i]);
	peer_close(op->peers[c->i]);
	op->peers[c->i] = NULL;
	if (--op->pending == 0)
		coord_parts_done(op);
}

/* start_part to every peer at once; coord_parts_done once all answered. */
static void
coord_start_parts(struct coord_op *op)
{
	const struct config_host *h;
	json_object *p;
	char err[1024];

	op->pending = 1; /* the loop's own hold */
	for (int i = 1; i < op->nhosts; i++) {
		h = config_host_find(conf, op->hosts[i]);
		if (h == NULL) {
			snprintf(err, sizeof(err), "host %s is not configured",
				 op->hosts[i]);
			coord_part_failed(op, i, PROTO_E_START, err);
			continue;
		}
		if ((op->peers[i] = peer_open(h, err, sizeof(err))) == NULL) {
			coord_part_failed(op, i, PROTO_E_START, err);
			continue;
		}
		p = NULL;
		if (json_object_deep_copy(op->params, &p, NULL) != 0) {
			coord_part_failed(op, i, PROTO_E_INTERNAL,
					  "cannot copy the params: out of "
					  "memory");
			peer_close(op->peers[i]);
			op->peers[i] = NULL;
			continue;
		}
		json_object_object_add(p, "part",
				       json_object_new_string(op->hosts[i]));
		coord_progress(op, "hosts", "starting the part on host %s",
			       op->hosts[i]);
		op->asked[i] = 1;
		op->calls[i] = (struct coord_call){op, i};
		op->pending++;
		/* -1: the callback has run already */
		(void)peer_call(op->peers[i], METHOD_START_PART, p,
				op->start_timeout + conf->peer_timeout,
				coord_part_done, &op->calls[i]);
	}
	if (--op->pending == 0)
		coord_parts_done(op);
}

/* STATE/NAME/coord.json: the other hosts whose part may run, to be told
 * stop if this start does not finish: each peer (mask NULL, before any is
 * asked) or those of mask.  0 or -1 with err. */
static int
coord_record(const struct coord_op *op, const unsigned char *mask, char *err,
	     size_t errlen)
{
	struct intent in;
	char e[1024];

	memset(&in, 0, sizeof(in));
	vr_strlcpy(in.topology, op->name, sizeof(in.topology));
	vr_strlcpy(in.coordinator, conf->host_name, sizeof(in.coordinator));
	vr_strlcpy(in.host, conf->host_name, sizeof(in.host));
	in.backend = op->backend;
	for (int h = 1; h < op->nhosts; h++)
		if (mask == NULL || mask[h])
			vr_strlcpy(in.peers[in.npeers++], op->hosts[h],
				   sizeof(in.peers[0]));
	in.since = op->since;
	if (intent_write(INTENT_COORD, &in, e, sizeof(e)) == -1) {
		msgf(err, errlen, "cannot record the start: %s", e);
		return -1;
	}
	return 0;
}

int
coord_start(struct rpc_req *req)
{
	return coord_start_params(rpc_params(req), req, NULL, NULL);
}

int
coord_start_params(json_object *params, struct rpc_req *req,
		   void (*done)(void *arg, int code, const char *err),
		   void *arg)
{
	struct topo_plan *plan = xcalloc(1, sizeof(*plan));
	struct topo_hosts *hs = xcalloc(1, sizeof(*hs));
	struct part_underlay u;
	struct coord_op *op = NULL;
	struct intent in;
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
	code = PROTO_E_BUSY;
	if (coord_starting(plan->opts.name)) {
		msgf(err, sizeof(err),
		     "a start of %s is under way (its hosts are being asked "
		     "for their parts): wait for its answer",
		     plan->opts.name);
		goto fail;
	}
	if (intent_coord_busy(plan->opts.name)) {
		msgf(err, sizeof(err),
		     "the other hosts are still being told to stop their part "
		     "of an earlier start of %s: try again shortly",
		     plan->opts.name);
		goto fail;
	}
	/* not overwritten: it names hosts still to be told stop, asked
	 * again now (a retry, autostart's too, finds it gone) */
	if (intent_coord_kept(plan->opts.name, &in)) {
		intent_reap_coord();
		size_t off = 0;
		char hl[TOPO_MAX_HOSTS * (TOPO_HOST_LEN + 2) + 1] = "";

		for (int i = 0; i < in.npeers && off < sizeof(hl); i++)
			off += snprintf(hl + off, sizeof(hl) - off, "%s%s",
					i ? ", " : "", in.peers[i]);
		msgf(err, sizeof(err),
		     "an earlier start of %s could not tell host%s %s to stop "
		     "its part (%s/%s/%s): asking again now; try again "
		     "shortly (or `vrctl stop %s` there)",
		     plan->opts.name, in.npeers == 1 ? "" : "s", hl,
		     statedir_path(), plan->opts.name, INTENT_COORD,
		     plan->opts.name);
		goto fail;
	}
	op = xcalloc(1, sizeof(*op));
	op->req = req;
	op->done = done;
	op->done_arg = arg;
	if (json_object_deep_copy(params, &op->params, NULL) != 0)
		op->params = json_object_new_object(); /* start_part refuses */
	json_object_object_add(op->params, "coordinator",
			       json_object_new_string(conf->host_name));
	json_object_object_add(op->params, "underlay",
			       json_object_new_string(ul));
	vr_strlcpy(op->name, plan->opts.name, sizeof(op->name));
	op->next = coord_starts; /* until coord_free */
	coord_starts = op;
	for (int h = 0; h < hs->nhosts; h++)
		vr_strlcpy(op->hosts[op->nhosts++], hs->hosts[h].name,
			   sizeof(op->hosts[0]));
	op->start_timeout = plan->opts.timeout_sec + 60;
	op->backend = plan->opts.backend;
	op->since = time(NULL);
	/* recorded before any host is asked (intent.c) */
	code = PROTO_E_START;
	if (coord_record(op, NULL, err, sizeof(err)) == -1) {
		coord_free(op);
		goto fail;
	}
	topo_plan_free(plan);
	free(plan);
	free(hs);
	coord_start_parts(op);
	return 1;
fail:
	if (req != NULL)
		rpc_error(req, code, NULL, "%s", err);
	else
		done(arg, code, err);
	topo_plan_free(plan);
	free(plan);
	free(hs);
	return 1;
}

/* The stop of r (running, with peers) everywhere: peers, then here. */
static void
coord_stop_run(struct rpc_req *req, struct run *r, struct coord_all *all)
{
	struct coord_op *op = xcalloc(1, sizeof(*op));

	op->req = req;
	op->all = all;
	op->stopping = 1;
	op->params = json_object_new_object();
	vr_strlcpy(op->name, r->plan->opts.name, sizeof(op->name));
	vr_strlcpy(op->hosts[0], r->host, sizeof(op->hosts[0]));
	op->nhosts = 1;
	for (int i = 0; i < r->npeers; i++) {
		char left[512];
		size_t off = 0;

		vr_strlcpy(op->hosts[op->nhosts], r->peers[i],
			   sizeof(op->hosts[0]));
		/* the nodes there, for an error that says what was left */
		for (size_t k = 0;
		     r->remote && k < json_object_array_length(r->remote);
		     k++) {
			json_object *e =
			    json_object_array_get_idx(r->remote, k);
			json_object *h, *n;

			if (json_object_object_get_ex(e, "host", &h) &&
			    json_object_object_get_ex(e, "name", &n) &&
			    strcmp(json_object_get_string(h), r->peers[i]) ==
				0 &&
			    off < sizeof(left))
				off += snprintf(left + off, sizeof(left) - off,
						"%s%s", off ? ", " : "",
						json_object_get_string(n));
		}
		if (off > 0)
			op->left[op->nhosts] = xstrdup(left);
		op->nhosts++;
	}
	op->i = op->nhosts - 1;
	coord_stop_next(op);
}

int
coord_stop(struct rpc_req *req, const char *name)
{
	struct run *r = sup_run_find(name);

	if (r == NULL || r->npeers == 0)
		return 0;
	if (r->state != RUN_RUNNING)
		return 0; /* sup_stop says it is busy */
	/* refused before any peer is told, not half stopped (a node
	 * migrated elsewhere came by migrate_stop, which ends here) */
	for (int k = 0; r->nrt && k < r->plan->nnodes; k++)
		if (r->nrt[k].migrating)
			return 0; /* sup_stop says it is busy */
	coord_stop_run(req, r, NULL);
	return 1;
}

/*
 * `stop --all` while topologies across hosts run: each of them stopped
 * everywhere in turn (coord_stop_run), then the others here at once
 * (sup_stop_names: those found here, not one started meanwhile); the
 * answer lists what stopped and, per topology, what was not.
 */
struct coord_all {
	struct rpc_req *req;
	char (*names)[64]; /* the topologies across hosts, then the rest */
	int nnames, nacross, i;
	json_object *stopped; /* names */
	json_object *failed;  /* [{"name", "error"}] */
};

static void
coord_all_end(struct coord_all *all)
{
	json_object *res = json_object_new_object();
	char msg[4096];
	size_t off = 0, n = json_object_array_length(all->failed);

	json_object_object_add(res, "stopped", all->stopped);
	if (n == 0) {
		rpc_reply(all->req, res);
	} else {
		for (size_t k = 0; k < n && off < sizeof(msg); k++) {
			json_object *f = json_object_array_get_idx(all->failed,
								   k),
				    *v, *e;

			json_object_object_get_ex(f, "name", &v);
			json_object_object_get_ex(f, "error", &e);
			off +=
			    snprintf(msg + off, sizeof(msg) - off, "%s%s: %s",
				     off ? "; " : "", json_object_get_string(v),
				     json_object_get_string(e));
		}
		json_object_object_add(res, "failed", all->failed);
		all->failed = NULL;
		rpc_error(all->req, PROTO_E_STOP, res, "stop --all: %s", msg);
	}
	json_object_put(all->failed);
	free(all->names);
	free(all);
}

/* The rest (one host each) stopped, or not: those still running failed. */
static void
coord_all_rest(void *arg)
{
	struct coord_all *all = arg;

	for (int i = all->nacross; i < all->nnames; i++)
		coord_all_one(all, all->names[i],
			      sup_run_find(all->names[i]) == NULL
				  ? NULL
				  : "stop left something behind (the log of "
				    "vrouterd says what)");
	coord_all_end(all);
}

static void
coord_all_next(struct coord_all *all)
{
	struct run *r;
	char err[1024];
	int code;

	while (all->i < all->nacross) {
		r = sup_run_find(all->names[all->i++]);
		if (r != NULL && r->state == RUN_RUNNING && r->npeers > 0) {
			coord_stop_run(all->req, r, all);
			return;
		}
	}
	if (all->nnames == all->nacross) {
		coord_all_end(all);
		return;
	}
	/* only those collected: not one started meanwhile */
	if (sup_stop_names(all->names + all->nacross,
			   all->nnames - all->nacross, NULL, coord_all_rest,
			   all, &code, err, sizeof(err)) == -1) {
		for (int i = all->nacross; i < all->nnames; i++)
			coord_all_one(all, all->names[i], err);
		all->nnames = all->nacross;
		coord_all_end(all);
	}
}

static void
coord_all_one(struct coord_all *all, const char *name, const char *err)
{
	json_object *f;

	if (err == NULL) {
		json_object_array_add(all->stopped,
				      json_object_new_string(name));
	} else {
		f = json_object_new_object();
		json_object_object_add(f, "name", json_object_new_string(name));
		json_object_object_add(f, "error", json_object_new_string(err));
		json_object_array_add(all->failed, f);
	}
}

int
coord_stop_all(struct rpc_req *req)
{
	struct coord_all *all;
	struct run *r;
	int n = 0, across = 0;

	TAILQ_FOREACH(r, &sup_runs, entry)
	{
		n++;
		across += r->npeers > 0;
		if (r->state != RUN_RUNNING)
			return 0; /* sup_stop refuses: busy */
	}
	if (across == 0)
		return 0;
	/* a node migrating anywhere: refused before any peer is told */
	TAILQ_FOREACH(r, &sup_runs, entry)
	for (int k = 0; r->nrt && k < r->plan->nnodes; k++)
		if (r->nrt[k].migrating)
			return 0; /* sup_stop refuses: busy */
	/* a node elsewhere (migrated): migrate_stop by name removes it */
	TAILQ_FOREACH(r, &sup_runs, entry)
	for (int k = 0; r->nrt && k < r->plan->nnodes; k++)
		if (r->nrt[k].host[0]) {
			rpc_error(req, PROTO_E_BUSY, NULL,
				  "stop --all: %s/%s runs on another host, and "
				  "topologies run across hosts; stop %s by "
				  "name first (`vrctl stop %s`), then --all",
				  r->plan->opts.name, r->plan->nodes[k].name,
				  r->plan->opts.name, r->plan->opts.name);
			return 1;
		}
	all = xcalloc(1, sizeof(*all));
	all->req = req;
	all->names = xcalloc((size_t)n, sizeof(*all->names));
	all->stopped = json_object_new_array();
	all->failed = json_object_new_array();
	TAILQ_FOREACH(r, &sup_runs, entry)
	if (r->npeers > 0)
		vr_strlcpy(all->names[all->nnames++], r->plan->opts.name,
			   sizeof(all->names[0]));
	all->nacross = all->nnames;
	TAILQ_FOREACH(r, &sup_runs, entry)
	if (r->npeers == 0)
		vr_strlcpy(all->names[all->nnames++], r->plan->opts.name,
			   sizeof(all->names[0]));
	coord_all_next(all);
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

/* A remote node's pinning as its host reports it: whether its part is
 * pinned, the NUMA node its host's planner chose, and its threads (each
 * one's planned and effective CPUs).  pt: the host's topology, x: its
 * node, both from the host's own status. */
static void
coord_status_pin(json_object *e, json_object *pt, json_object *x)
{
	json_object *v, *numa, *nm;

	if (json_object_object_get_ex(pt, "pinned", &v))
		json_object_object_add(e, "pinned", json_object_get(v));
	if (json_object_object_get_ex(pt, "numa_nodes", &numa) &&
	    json_object_object_get_ex(x, "name", &nm) &&
	    json_object_object_get_ex(numa, json_object_get_string(nm), &v))
		json_object_object_add(e, "numa_node", json_object_get(v));
	if (json_object_object_get_ex(x, "threads", &v))
		json_object_object_add(e, "threads", json_object_get(v));
}

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
						coord_status_pin(e, pt, x);
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
