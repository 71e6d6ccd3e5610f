/*
 * Watchers: the `watch` method's subscribers, and sup_event, which tells
 * them of every change (topology, node, libvirt) as an "event"
 * notification.  Loop thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "proto.h"
#include "sup_run.h"
#include "supervisor.h"
#include "util.h"
#include "vm.h"

static struct rpc_req **watchers;
static int nwatchers;

/* ---- watchers ------------------------------------------------------------ */

void
sup_watch_prune(void)
{
	int k = 0;

	for (int i = 0; i < nwatchers; i++) {
		if (rpc_connected(watchers[i]))
			watchers[k++] = watchers[i];
		else
			rpc_reply(watchers[i], json_object_new_object());
	}
	nwatchers = k;
}

/*
 * Each watch holds memory and is sent every event until its client goes:
 * one per connection, and max_watchers of unprivileged peers in all (root
 * and the group are bounded by their connections).  -1 when refused.
 */
static int
watch_refused(struct rpc_req *req)
{
	json_object *data;
	const char *reason = NULL;
	int unpriv = 0, limit = 1;
	char msg[256];

	sup_watch_prune();
	for (int i = 0; i < nwatchers && reason == NULL; i++) {
		if (rpc_same_client(watchers[i], req))
			reason = "watch";
		else if (!rpc_privileged(watchers[i]))
			unpriv++;
	}
	if (reason != NULL)
		snprintf(msg, sizeof(msg),
			 "this connection watches already: one watch per "
			 "connection");
	else if (!rpc_privileged(req) && unpriv >= conf->max_watchers) {
		reason = "watchers";
		limit = conf->max_watchers;
		snprintf(msg, sizeof(msg),
			 "%d watches of unprivileged peers are open, the "
			 "limit (max_watchers): try again later",
			 unpriv);
	} else
		return 0;
	data = json_object_new_object();
	json_object_object_add(data, "reason", json_object_new_string(reason));
	json_object_object_add(data, "limit", json_object_new_int(limit));
	if (strcmp(reason, "watchers") == 0)
		json_object_object_add(data, "setting",
				       json_object_new_string("max_watchers"));
	rpc_error(req, PROTO_E_BUSY, data, "%s", msg);
	return -1;
}

void
sup_event(const char *kind, struct run *r, int node, const char *what)
{
	json_object *ev;

	sup_orphans_gen++; /* what exists has changed */
	if (r && node >= 0)
		log_info("%s/%s: %s", r->plan->opts.name,
			 r->plan->nodes[node].name, what);
	sup_watch_prune();
	if (nwatchers == 0)
		return;
	ev = json_object_new_object();
	json_object_object_add(ev, "kind", json_object_new_string(kind));
	if (r) {
		json_object_object_add(
		    ev, "topology", json_object_new_string(r->plan->opts.name));
		json_object_object_add(
		    ev, "state", json_object_new_string(sup_run_state(r)));
	}
	if (r && node >= 0) {
		json_object_object_add(
		    ev, "node",
		    json_object_new_string(r->plan->nodes[node].name));
		json_object_object_add(
		    ev, "domain",
		    json_object_new_string(r->plan->nodes[node].domain));
	}
	json_object_object_add(ev, "event", json_object_new_string(what));
	json_object_object_add(ev, "time_ms", json_object_new_int64(now_ms()));
	for (int i = 0; i < nwatchers; i++)
		rpc_notify(watchers[i], "event", json_object_get(ev));
	json_object_put(ev);
}

void
sup_method_watch(struct rpc_req *req)
{
	json_object *hello = json_object_new_object();
	struct run *r;

	if (sup_closing) {
		rpc_error(req, PROTO_E_BUSY, NULL, "vrouterd is shutting down");
		json_object_put(hello);
		return;
	}
	if (watch_refused(req) == -1) {
		json_object_put(hello);
		return;
	}
	watchers = xreallocarray(watchers, nwatchers + 1, sizeof(*watchers));
	watchers[nwatchers++] = req;
	/* A first event with the current state of everything. */
	json_object_object_add(hello, "kind", json_object_new_string("hello"));
	json_object_object_add(hello, "libvirt",
			       json_object_new_string(vm_connected()
							  ? "connected"
							  : "disconnected"));
	json_object *ts = json_object_new_object();
	TAILQ_FOREACH(r, &sup_runs, entry)
	json_object_object_add(ts, r->plan->opts.name,
			       json_object_new_string(sup_run_state(r)));
	json_object_object_add(hello, "topologies", ts);
	rpc_notify(req, "event", hello);
}

void
sup_watch_end_all(void)
{
	for (int i = 0; i < nwatchers; i++) {
		json_object *res = json_object_new_object();
		json_object_object_add(res, "ended",
				       json_object_new_string("shutdown"));
		rpc_reply(watchers[i], res);
	}
	free(watchers);
	watchers = NULL;
	nwatchers = 0;
}
