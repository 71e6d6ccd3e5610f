/*
 * Adoption: the topologies an earlier vrouterd started (adopt.c finds
 * them) become runs of this one, with their state file read back and
 * their pinning applied again.  Loop thread only.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adopt.h"
#include "cpuset.h"
#include "deadline.h"
#include "intent.h"
#include "log.h"
#include "nodekind.h"
#include "realport.h"
#include "statedir.h"
#include "sup_run.h"
#include "supervisor.h"
#include "util.h"
#include "vm.h"

/* ---- adoption -------------------------------------------------------------
 */

static void
adopt_one(struct adopted *a)
{
	const struct node_kind_ops *k = node_kind_get(a->plan->opts.backend);
	struct run *r = sup_run_new();
	json_object *st, *v;
	char err[1024];

	topo_plan_free(r->plan);
	free(r->plan);
	r->plan = a->plan;
	a->plan = NULL;
	r->nrt = xcalloc(r->plan->nnodes, sizeof(*r->nrt));
	for (int n = 0; n < r->plan->nnodes; n++) {
		r->nrt[n].run = r;
		r->nrt[n].node = n;
	}
	r->adopted = 1;
	sup_run_read_live(r);
	r->state = RUN_RUNNING;
	r->start_ms = now_ms();
	r->started_at = time(NULL);
	msgf(r->rundir, sizeof(r->rundir), "%s/%s", statedir_path(),
	     r->plan->opts.name);
	if ((st = adopt_state_read(r->plan->opts.name)) != NULL) {
		if (json_object_object_get_ex(st, "started_at", &v)) {
			r->started_at = json_object_get_int64(v);
			r->start_ms -= (time(NULL) - r->started_at) * 1000;
		}
		if (json_object_object_get_ex(st, "boot_ms", &v))
			r->boot_ms = json_object_get_int64(v);
		if (json_object_object_get_ex(st, "kvm", &v))
			r->kvm = json_object_get_boolean(v);
		if (json_object_object_get_ex(st, "vhost", &v))
			r->vhost = json_object_get_boolean(v);
		if (json_object_object_get_ex(st, "accel_reason", &v))
			vr_strlcpy(r->accel_reason, json_object_get_string(v),
				   sizeof(r->accel_reason));
		if (json_object_object_get_ex(st, "vhost_reason", &v))
			vr_strlcpy(r->vhost_reason, json_object_get_string(v),
				   sizeof(r->vhost_reason));
		if (json_object_object_get_ex(st, "warnings", &v) &&
		    json_object_is_type(v, json_type_array)) {
			json_object_put(r->warnings);
			r->warnings = json_object_get(v);
		}
		if (json_object_object_get_ex(st, "restart", &v))
			r->on_failure = strcmp(json_object_get_string(v),
					       "on-failure") == 0;
		if (json_object_object_get_ex(st, "restart_limit", &v))
			r->restart_limit = json_object_get_int(v);
		if (json_object_object_get_ex(st, "host", &v))
			vr_strlcpy(r->host, json_object_get_string(v),
				   sizeof(r->host));
		if (json_object_object_get_ex(st, "peers", &v) &&
		    json_object_is_type(v, json_type_array))
			for (size_t i = 0; i < json_object_array_length(v) &&
					   r->npeers < TOPO_MAX_HOSTS;
			     i++)
				vr_strlcpy(r->peers[r->npeers++],
					   json_object_get_string(
					       json_object_array_get_idx(v, i)),
					   sizeof(r->peers[0]));
		if (json_object_object_get_ex(st, "remote_nodes", &v) &&
		    json_object_is_type(v, json_type_array))
			r->remote = json_object_get(v);
		if (json_object_object_get_ex(st, "realport", &v))
			r->realport = realport_saved_from_json(v);
		if (json_object_object_get_ex(st, "routes", &v) &&
		    json_object_is_type(v, json_type_object))
			for (int n = 0; n < r->plan->nnodes; n++) {
				json_object *x;

				if (json_object_object_get_ex(
					v, r->plan->nodes[n].name, &x) &&
				    json_object_is_type(x, json_type_int)) {
					r->nrt[n].routes =
					    json_object_get_int64(x);
					r->nrt[n].has_routes = 1;
				}
			}
		if (json_object_object_get_ex(st, "hosts", &v) &&
		    json_object_is_type(v, json_type_object))
			for (int n = 0; n < r->plan->nnodes; n++) {
				json_object *x;

				if (json_object_object_get_ex(
					v, r->plan->nodes[n].name, &x))
					vr_strlcpy(r->nrt[n].host,
						   json_object_get_string(x),
						   sizeof(r->nrt[n].host));
			}
		if (json_object_object_get_ex(st, "last_migration", &v))
			r->migration = json_object_get(v);
		json_object_put(st);
	} else
		k->adopt_accel(r);
	TAILQ_INSERT_TAIL(&sup_runs, r, entry);
	/* Pinning is re-applied: it is what the plan says, not what the
	 * threads happen to have now. */
	for (int n = 0; n < r->plan->nnodes; n++) {
		if (r->nrt[n].host[0])
			continue; /* on another host (migrate.c) */
		if (k->adopt_node(r, n) == -1) {
			sup_node_down(r, n, "absent at adoption");
			continue;
		}
		if ((r->plan->opts.pin || r->plan->opts.rt_prio ||
		     r->plan->opts.vhost_rt) &&
		    k->pin(r->plan, n, err, sizeof(err)) == -1)
			log_warnx("%s/%s: re-pinning after adoption: %s",
				  r->plan->opts.name, r->plan->nodes[n].name,
				  err);
	}
	log_info("%s: adopted (%s, %d node%s)", r->plan->opts.name,
		 r->plan->opts.topology, r->plan->nnodes,
		 r->plan->nnodes > 1 ? "s" : "");
	sup_event("topology", r, -1, "adopted");
}

/* Take in every topology of kind k that runs but is not ours yet; with
 * refresh, check the others (their domains may have changed while libvirt
 * was away).  What could not be adopted is added to orphans.  0, or -1
 * when the scan failed (what runs of kind k is not known). */
static int
adopt_kind(const struct node_kind_ops *k, int refresh, json_object *orphans)
{
	struct adopted *a = NULL;
	struct run *r;
	int na;

	if ((na = k->adopt_scan(&a, orphans)) < 0)
		return -1;
	for (int i = 0; i < na; i++) {
		/* a part whose start never finished is removed, not adopted
		 * (intent.c) */
		if (intent_part_pending(a[i].plan->opts.name) &&
		    sup_run_find(a[i].plan->opts.name) == NULL)
			continue;
		if ((r = sup_run_find(a[i].plan->opts.name)) == NULL) {
			adopt_one(&a[i]);
			continue;
		}
		if (!refresh || r->state != RUN_RUNNING ||
		    node_kind_get(r->plan->opts.backend) != k)
			continue;
		for (int n = 0; n < r->plan->nnodes; n++)
			if (!r->nrt[n].down && !r->nrt[n].restarting &&
			    !r->nrt[n].migrating && !r->nrt[n].host[0] &&
			    strcmp(vm_state(r->plan->nodes[n].domain),
				   "running") != 0)
				sup_node_down(r, n,
					      "gone while libvirt was away");
	}
	adopt_free(a, na);
	return 0;
}

/* The orphans of the reap under way (loop thread only). */
static json_object *adopt_keep;

/* A topology whose cpusets stay: it runs here, or an orphan (a domain,
 * link or namespace not adopted) names it, whose threads may hold them. */
static int
adopt_live(const char *name)
{
	size_t n = adopt_keep ? json_object_array_length(adopt_keep) : 0;

	if (sup_is_running(name))
		return 1;
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(adopt_keep, i), *t;

		if (json_object_object_get_ex(o, "topology", &t) &&
		    strcmp(json_object_get_string(t), name) == 0)
			return 1;
	}
	return 0;
}

void
sup_adopt_reap(const char *record, const char *failed, json_object *orphans)
{
	if (failed != NULL) {
		log_warnx("deadline: cpusets of topologies that went are kept "
			  "(not reaped): the %s scan failed, and a topology it "
			  "could not see may run with SCHED_DEADLINE threads; "
			  "the next adoption reaps them",
			  failed);
		return;
	}
	for (size_t i = 0; i < json_object_array_length(orphans); i++) {
		json_object *o = json_object_array_get_idx(orphans, i), *t;

		if (!json_object_object_get_ex(o, "topology", &t)) {
			log_warnx("deadline: cpusets of topologies that went "
				  "are kept (not reaped): %s %s, not adopted, "
				  "names no topology and may run one's "
				  "SCHED_DEADLINE threads",
				  json_object_get_string(
				      json_object_object_get(o, "kind")),
				  json_object_get_string(
				      json_object_object_get(o, "name")));
			return;
		}
	}
	adopt_keep = orphans;
	cpuset_reap(record, adopt_live);
	adopt_keep = NULL;
}

/* The kinds found through libvirt, whenever it (re)connects; then the
 * cpusets of topologies that went. */
void
sup_adopt(void)
{
	json_object *orphans = json_object_new_array();
	const struct node_kind_ops *k;
	const char *failed = NULL;
	char record[PATH_MAX];

	for (int i = 0; (k = node_kind_at(i)) != NULL; i++)
		if (k->on_libvirt && adopt_kind(k, 1, orphans) == -1)
			failed = k->name;
	deadline_record(record, sizeof(record));
	sup_adopt_reap(record, failed, orphans);
	json_object_put(orphans);
	if (failed == NULL)
		intent_reap_parts(1);
}

/* The kinds that need no libvirt (their plans are in the state
 * directory), once, when vrouterd starts. */
void
sup_adopt_local(void)
{
	json_object *orphans = json_object_new_array();
	const struct node_kind_ops *k;

	for (int i = 0; (k = node_kind_at(i)) != NULL; i++)
		if (!k->on_libvirt)
			(void)adopt_kind(k, 0, orphans);
	json_object_put(orphans);
	intent_reap_parts(0);
	intent_reap_coord();
}
