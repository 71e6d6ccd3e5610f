/*
 * Orphans: what vrouterd left on the host that belongs to no topology it
 * runs, scanned by a job for `status` and removed by `cleanup`.
 */
#include <stdlib.h>
#include <string.h>

#include "adopt.h"
#include "intent.h"
#include "job.h"
#include "log.h"
#include "proto.h"
#include "sup_run.h"
#include "supervisor.h"
#include "util.h"

/* Scanning for orphans costs a netlink dump and a libvirt call per domain:
 * it runs as a job, never in a status call; status answers with the last
 * scan and asks for a new one when that is older than two seconds or
 * something changed since (sup_event bumps sup_orphans_gen). */
static json_object *orphans_cache;
static uint64_t orphans_when;
unsigned sup_orphans_gen;
static unsigned orphans_cache_gen;
static int orphans_scanning;

/* ---- orphans and cleanup ----------------------------------------------- */

/* The names of the topologies we run, NULL-terminated, copied. */
static char **
sup_run_names(void)
{
	struct run *r;
	char **names;
	int n = 0;

	TAILQ_FOREACH(r, &sup_runs, entry)
	n++;
	names = xcalloc(n + 1, sizeof(*names));
	n = 0;
	TAILQ_FOREACH(r, &sup_runs, entry)
	names[n++] = xstrdup(r->plan->opts.name);
	return names;
}

static void
sup_run_names_free(char **names)
{
	for (int i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

/* What exists on the host but belongs to none of names.  Any thread. */
static json_object *
sup_orphans(char **names)
{
	json_object *orphans = json_object_new_array();
	struct adopted *a = NULL;
	int na;

	/* domains whose plan cannot be read */
	if ((na = adopt_scan(&a, orphans)) > 0) {
		for (int i = 0; i < na; i++)
			if (sup_run_find(a[i].plan->opts.name) == NULL)
				for (int k = 0; k < a[i].plan->nnodes; k++) {
					json_object *o =
					    json_object_new_object();
					json_object_object_add(
					    o, "kind",
					    json_object_new_string("domain"));
					json_object_object_add(
					    o, "name",
					    json_object_new_string(
						a[i].plan->nodes[k].domain));
					json_object_object_add(
					    o, "topology",
					    json_object_new_string(
						a[i].plan->opts.name));
					json_object_array_add(orphans, o);
				}
	}
	adopt_free(a, na);
	adopt_orphans((const char *const *)names, orphans);
	return orphans;
}

struct orphans_op {
	char **names;
	unsigned gen;
	json_object *result;
};

static void
orphans_job(struct job *j, void *arg)
{
	struct orphans_op *op = arg;

	(void)j;
	op->result = sup_orphans(op->names);
}

static void
orphans_done(void *arg)
{
	struct orphans_op *op = arg;

	json_object_put(orphans_cache);
	orphans_cache = op->result;
	orphans_cache_gen = op->gen;
	orphans_when = now_ms();
	orphans_scanning = 0;
	sup_run_names_free(op->names);
	free(op);
	sup_check_done();
}

json_object *
sup_status_orphans(void)
{
	struct orphans_op *op;

	if (!orphans_scanning && !sup_closing &&
	    (orphans_cache == NULL || orphans_cache_gen != sup_orphans_gen ||
	     now_ms() - orphans_when > 2000)) {
		op = xcalloc(1, sizeof(*op));
		op->names = sup_run_names();
		op->gen = sup_orphans_gen;
		if (job_start(sup_base, orphans_job, NULL, orphans_done, op) ==
		    0)
			orphans_scanning = 1;
		else {
			log_warn("cannot start an orphan scan");
			sup_run_names_free(op->names);
			free(op);
		}
	}
	return orphans_cache ? json_object_get(orphans_cache)
			     : json_object_new_array();
}

void
sup_method_cleanup(struct rpc_req *req)
{
	json_object *params = rpc_params(req), *v, *orphans, *res;
	char err[2048], **names;
	int dry = 0;

	if (json_object_object_get_ex(params, "dry_run", &v))
		dry = json_object_get_boolean(v);
	if (job_count() > orphans_scanning + sup_reconnecting) {
		rpc_error(req, PROTO_E_BUSY, NULL,
			  "a start or stop is in progress; clean up after it");
		return;
	}
	sup_orphans_gen++; /* about to change */
	names = sup_run_names();
	orphans = sup_orphans(names);
	sup_run_names_free(names);
	if (!dry && adopt_cleanup(orphans, err, sizeof(err)) == -1) {
		rpc_error(req, PROTO_E_STOP, orphans,
			  "cleanup could not remove everything: %s", err);
		return;
	}
	res = json_object_new_object();
	json_object_object_add(res, dry ? "would_remove" : "removed", orphans);
	/* starts across hosts whose rollback could not tell every host:
	 * asked again now, as a reload would (intent.c) */
	if (!dry)
		intent_reap_coord();
	json_object_object_add(res, dry ? "would_ask" : "asked",
			       intent_coord_pending());
	rpc_reply(req, res);
}

int
sup_orphans_remove(const char *name, json_object **removed, char *err,
		   size_t errlen)
{
	json_object *all, *mine = json_object_new_array(), *t;
	char **names = sup_run_names();

	all = sup_orphans(names);
	sup_run_names_free(names);
	for (size_t i = 0; i < json_object_array_length(all); i++) {
		json_object *o = json_object_array_get_idx(all, i);

		if (json_object_object_get_ex(o, "topology", &t) &&
		    strcmp(json_object_get_string(t), name) == 0)
			json_object_array_add(mine, json_object_get(o));
	}
	json_object_put(all);
	sup_orphans_gen++;
	*removed = mine;
	return adopt_cleanup(mine, err, errlen);
}

void
sup_orphans_fini(void)
{
	json_object_put(orphans_cache);
	orphans_cache = NULL;
}
