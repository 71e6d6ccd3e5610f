/*
 * A bench whose in port is on another host (docs/multihost.md
 * "Benchmarks"): vrgen's sender runs where the in port is, so the
 * coordinator passes the whole `bench` request on to that host's vrouterd
 * (peer.h), which holds the part with the in port.  The params go as they
 * came, with "forwarded" (never passed on again) and, when the out port
 * is not on that host too, "sink_host": the host whose vrouterd runs the
 * sink (bench_sink.c), this one when the out port is here.  That host's
 * progress notifications are relayed to the caller as they come, and its
 * record or error is the answer (the error naming the host).
 *
 * The one-bench-at-a-time rule holds here as on the sender's host: the
 * forwarded bench counts as this host's running bench.  A caller gone
 * closes the connection, so the sender's vrouterd sees its client vanish
 * and stops its vrgen (and so its sink); that vrouterd gone ends the call
 * at once (the connection closes) with an error naming its host.
 */
#include <limits.h>
#include <string.h>

#include "bench.h"
#include "benchparam.h"
#include "config.h"
#include "log.h"
#include "peer.h"
#include "proto.h"
#include "sup_run.h"
#include "util.h"

struct bench_fwd {
	struct rpc_req *req;
	struct peer *peer;
	struct event *alive_ev;
	char name[TOPO_NAME_LEN + 1];
	char host[TOPO_HOST_LEN + 1]; /* the sender's */
};

/*
 * A bound on the whole bench, generous: every trial its duration plus 30 s
 * of set-up and drain, a search at most 64 trials, every round, plus
 * twice the peer's timeout.  The connection's end (the sender's vrouterd
 * or its machine gone) ends the call earlier.
 */
static int
fwd_timeout(json_object *params)
{
	const char *mode = bench_pstr(params, "mode", NULL);
	const char *rates = bench_pstr(params, "rates", NULL);
	long dur = bench_pint(params, "duration", 10);
	long td = bench_pint(params, "trial_duration", 1);
	long per, t;
	char err[128];

	if (mode != NULL && strcmp(mode, "sweep") == 0) {
		int n =
		    rates ? benchparam_rates(rates, NULL, err, sizeof(err)) : 1;

		per = (n > 0 ? n : BENCH_RATES_MAX) * (dur + 30);
	} else if (mode != NULL && strcmp(mode, "timeline") == 0)
		per = dur + 60;
	else
		per = 64 * (td + 30) + (1 + BENCH_LAT_AT_MAX) * (dur + 30);
	t = per * bench_pint(params, "repeat", 1) + 2L * conf->peer_timeout +
	    60;
	return t > INT_MAX ? INT_MAX : (int)t;
}

static void
fwd_free(struct bench_fwd *f)
{
	if (f->alive_ev)
		event_free(f->alive_ev);
	if (f->peer)
		peer_close(f->peer);
	free(f);
	bench_set_running(0);
	sup_check_done();
}

/* The sender's host's progress: the caller's, as it comes. */
static void
fwd_notify(const char *method, json_object *params, void *arg)
{
	struct bench_fwd *f = arg;

	if (f->req == NULL || strcmp(method, "progress") != 0 || params == NULL)
		return;
	/* a caller gone: bench_fwd_alive closes the connection */
	(void)rpc_notify(f->req, "progress", json_object_get(params));
}

/* Strip "bench NAME: " from the sender's host's message: ours says it. */
static const char *
fwd_msg(const struct bench_fwd *f, const char *m)
{
	size_t n = strlen(f->name);

	if (m == NULL)
		return "(no message)";
	if (strncmp(m, "bench ", 6) == 0 && strncmp(m + 6, f->name, n) == 0 &&
	    strncmp(m + 6 + n, ": ", 2) == 0)
		return m + 8 + n;
	return m;
}

static void
fwd_done(json_object *result, json_object *error, const char *fail, void *arg)
{
	struct bench_fwd *f = arg;
	json_object *c = NULL, *m = NULL, *d = NULL;

	if (fail) {
		log_warnx("%s: the bench's sender on host %s: %s", f->name,
			  f->host, fail);
		rpc_error(f->req, PROTO_E_START, NULL,
			  "bench %s: the sender on host %s: %s", f->name,
			  f->host, fail);
	} else if (error) {
		json_object_object_get_ex(error, "code", &c);
		json_object_object_get_ex(error, "message", &m);
		json_object_object_get_ex(error, "data", &d);
		rpc_error(f->req, c ? json_object_get_int(c) : PROTO_E_INTERNAL,
			  json_object_get(d),
			  "bench %s: the sender on host %s: %s", f->name,
			  f->host, fwd_msg(f, json_object_get_string(m)));
	} else {
		log_info("%s: bench done on host %s", f->name, f->host);
		rpc_reply(f->req, json_object_get(result));
	}
	f->req = NULL;
	fwd_free(f);
}

/* A caller gone: the connection goes, and with it the sender there. */
static void
fwd_alive(evutil_socket_t fd, short what, void *arg)
{
	struct bench_fwd *f = arg;

	(void)fd;
	(void)what;
	if (rpc_connected(f->req))
		return;
	log_info("%s: bench caller went away; closing the connection to host "
		 "%s, whose vrouterd stops its sender",
		 f->name, f->host);
	rpc_error(f->req, PROTO_E_START, NULL, "bench %s: the caller went away",
		  f->name);
	f->req = NULL;
	fwd_free(f);
}

int
bench_forwarded(json_object *params)
{
	json_object *v;

	return json_object_object_get_ex(params, "forwarded", &v) &&
	       json_object_get_boolean(v);
}

int
bench_forward(struct rpc_req *req, const struct run *r)
{
	const struct topo_port *in = &r->plan->ports[0],
			       *out = &r->plan->ports[1];
	json_object *params = rpc_params(req), *p = NULL, *n;
	const struct config_host *h;
	const char *sink = NULL;
	struct bench_fwd *f;
	char err[1024];

	if (in->host_if[0] != '\0')
		return 0; /* the in port is here: the sender runs here */
	if (bench_forwarded(params)) {
		/* passed on to this host, whose part has the in port
		 * elsewhere: the hosts' plans disagree */
		rpc_error(req, PROTO_E_TOPOLOGY, NULL,
			  "bench %s: passed on to this host (%s), whose part "
			  "has the in port on %s%s; not passed on again (see "
			  "`vrctl status %s` on each host)",
			  r->plan->opts.name, conf->host_name,
			  in->host[0] && strcmp(in->host, TOPO_HOST_SELF) != 0
			      ? "host "
			      : "",
			  in->host[0] && strcmp(in->host, TOPO_HOST_SELF) != 0
			      ? in->host
			      : "the coordinator",
			  r->plan->opts.name);
		return 1;
	}
	if (in->host[0] == '\0' || strcmp(in->host, TOPO_HOST_SELF) == 0) {
		/* a part whose in port is the coordinator's */
		int both = out->host_if[0] == '\0' &&
			   (out->host[0] == '\0' ||
			    strcmp(out->host, TOPO_HOST_SELF) == 0);

		rpc_error(req, PROTO_E_TOPOLOGY, NULL,
			  "bench %s: %s on the coordinator: run `vrctl bench` "
			  "there (%s)",
			  r->plan->opts.name,
			  both ? "both test ports are" : "the in port is",
			  both ? "vrgen runs where the ports are, timing both "
				 "ends on one clock"
			       : "the sender runs where the in port is; it "
				 "asks this host for the sink");
		return 1;
	}
	if (bench_pstr(params, "migrate", NULL) != NULL) {
		rpc_error(req, PROTO_E_TOPOLOGY, NULL,
			  "bench %s: --migrate: the in port is on host %s, so "
			  "the sender runs there, and a bench there does not "
			  "migrate another host's node; not supported yet: run "
			  "the timeline without --migrate and `vrctl migrate` "
			  "alongside, or place the in port on this host",
			  r->plan->opts.name, in->host);
		return 1;
	}
	if ((h = config_host_find(conf, in->host)) == NULL) {
		rpc_error(req, PROTO_E_TOPOLOGY, NULL,
			  "bench %s: the in port is on host %s, which this "
			  "host's configuration does not name (`hosts`)",
			  r->plan->opts.name, in->host);
		return 1;
	}
	/* where the sink runs, unless with the sender: the out port's host,
	 * this one when the out port is here */
	if (out->host_if[0] != '\0') {
		sink = conf->host_name;
		if (sink[0] == '\0') {
			rpc_error(
			    req, PROTO_E_TOPOLOGY, NULL,
			    "bench %s: the in port is on host %s and the "
			    "out port here, but this host has no "
			    "`host_name` for host %s to reach its sink by",
			    r->plan->opts.name, in->host, in->host);
			return 1;
		}
	} else if (strcmp(out->host, in->host) != 0)
		sink = out->host;
	f = xcalloc(1, sizeof(*f));
	vr_strlcpy(f->name, r->plan->opts.name, sizeof(f->name));
	vr_strlcpy(f->host, in->host, sizeof(f->host));
	/* a word at once: vrctl's --timeout waits for a first line */
	n = json_object_new_object();
	json_object_object_add(n, "step", json_object_new_string("sender"));
	json_object_object_add(
	    n, "message",
	    jstrf("%s: the sender runs on host %s (the in port is there), the "
		  "sink on host %s: bench passed on to host %s's vrouterd",
		  f->name, f->host, sink ? sink : f->host, f->host));
	rpc_notify(req, "progress", n);
	if ((f->peer = peer_open(h, err, sizeof(err))) == NULL) {
		rpc_error(req, PROTO_E_START, NULL,
			  "bench %s: the sender on host %s: %s", f->name,
			  f->host, err);
		free(f);
		return 1;
	}
	f->req = req;
	bench_set_running(1);
	peer_set_notify(f->peer, fwd_notify, f);
	if (json_object_deep_copy(params, &p, NULL) != 0)
		fatalx("%s: cannot copy the params", __func__);
	json_object_object_add(p, "forwarded", json_object_new_boolean(1));
	if (sink != NULL)
		json_object_object_add(p, "sink_host",
				       json_object_new_string(sink));
	log_info("%s: bench (%s): the in port is on host %s; passed on there "
		 "(the sink on host %s)",
		 f->name, bench_pstr(params, "mode", NULL), f->host,
		 sink ? sink : f->host);
	if ((f->alive_ev = event_new(sup_base, -1, EV_PERSIST, fwd_alive, f)) !=
	    NULL)
		event_add(f->alive_ev, &(struct timeval){1, 0});
	/* the callback may have run already (the connection gone): it
	 * answered and freed f */
	(void)peer_call(f->peer, METHOD_BENCH, p, fwd_timeout(params), fwd_done,
			f);
	return 1;
}
