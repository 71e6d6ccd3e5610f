/*
 * A running topology (struct run, its nodes' struct node_rt) and the
 * supervisor calls that act on one: the supervisor's list and libvirt
 * events (supervisor.c, sup_*.c), the node kinds (kind_*.c) and the
 * methods that work on a running topology (bench.c, sup_capture.c,
 * autostart.c, placement.c).  Not for the control layer.  Loop thread
 * only.
 */
#ifndef VR_SUP_RUN_H
#define VR_SUP_RUN_H

#include <limits.h>
#include <stdint.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "deploy.h"
#include "job.h"
#include "rpc.h"
#include "topo.h"

enum run_state { RUN_STARTING, RUN_RUNNING, RUN_STOPPING };

/* An image's manifest.json, read for status and bench records. */
#define SUP_MANIFEST_MAX (1024 * 1024)

#define RESTART_LIMIT_DEFAULT 5
#define RESTART_BACKOFF_MS    1000  /* doubled per restart ... */
#define RESTART_BACKOFF_MAX   30000 /* ... up to this */

/* What happens to one node at run time. */
struct node_rt {
	int down;		      /* its domain stopped behind our back */
	int migrating;		      /* a migration job runs (migrate.c) */
	char host[TOPO_HOST_LEN + 1]; /* runs on that host; "": here */
	int booting;	     /* adopted before its guest reported ready */
	off_t console_off;   /* booting: how far its console log was read */
	int restarts;	     /* done so far */
	int restarting;	     /* a restart job runs */
	struct event *timer; /* a restart is due */
	char last_event[64]; /* "stopped (destroyed)" ... */
	json_object *live;   /* vm_domain_live at start/adoption, or NULL */
	long routes;	     /* main-FIB prefixes when it became ready ... */
	int has_routes;	     /* ... when its READY line said (routes=) */
	struct run *run;
	int node;
};

struct run {
	TAILQ_ENTRY(run) entry;
	struct topo_plan *plan;
	enum run_state state;
	char accel_reason[256];
	char vhost_reason[256];
	int kvm, vhost;
	time_t started_at; /* wall clock, for people */
	uint64_t start_ms; /* monotonic, for uptime (since we know it) */
	uint64_t boot_ms;
	json_object *warnings; /* array of strings */
	char *topology_text;   /* a file topology's text, for bench records */
	char rundir[PATH_MAX];
	struct deploy *deploy; /* while starting */
	struct rpc_req *req;   /* the pending start, if any */
	int adopted;	       /* found at daemon start, not started by us */
	int on_failure;	       /* restart policy on-failure */
	int restart_limit;
	struct node_rt *nrt; /* plan->nnodes entries */
	void (*started)(void *arg, int code, const char *err); /* autostart */
	void *started_arg;
	struct realport *realport; /* NIC values to restore (realport.h) */
	json_object *migration;	   /* the last migration's record (migrate.c) */
	/* across hosts (part.c): this host's name in the placement ("" on
	 * one host) and, on the coordinator, the other hosts holding parts */
	char host[TOPO_HOST_LEN + 1];
	char peers[TOPO_MAX_HOSTS][TOPO_HOST_LEN + 1];
	int npeers;
	json_object *remote; /* [{"name", "host"}] of the nodes elsewhere */
};

TAILQ_HEAD(run_list, run);

extern struct run_list sup_runs;
extern struct event_base *sup_base;
extern int sup_closing;

struct run *sup_run_find(const char *name);
struct run *sup_run_new(void);
void sup_run_free(struct run *r);
/* Read what each node's live domain XML says of the axes (vm_domain_live)
 * into nrt[].live: at start and adoption, so that status needs no libvirt
 * call. */
void sup_run_read_live(struct run *r);
const char *sup_run_state(const struct run *r);
const char *sup_node_state(const struct run *r, int n);
json_object *sup_run_json(struct run *r);
/* Persist what libvirt does not know (state.json in the run directory). */
void sup_run_save(struct run *r);
/* Something changed: tell the watchers. */
void sup_event(const char *kind, struct run *r, int node, const char *what);
/* The supervisor may be able to finish shutting down. */
void sup_check_done(void);

/* Start / stop from inside the daemon (autostart, stop_on_exit) as well as
 * for a caller (req); see sup_start.c. */
/* The plan params ask for (as start builds it).  0, or -1 with code/err. */
int sup_plan_build(json_object *params, struct topo_plan *plan, int *code,
		   char *err, size_t errlen);
int sup_start(json_object *params, struct rpc_req *req,
	      void (*started)(void *, int, const char *), void *arg, int *code,
	      char *err, size_t errlen);
int sup_stop(const char *name, struct rpc_req *req, void (*done)(void *),
	     void *arg, int *code, char *err, size_t errlen);
/* The same for the running topologies of names (none other; one no
 * longer running skipped), refusing busy as a stop by name does. */
int sup_stop_names(char (*names)[64], int nnames, struct rpc_req *req,
		   void (*done)(void *), void *arg, int *code, char *err,
		   size_t errlen);

/* Would these start params make a valid plan?  0, or -1 with code/err. */
int sup_plan_check(json_object *params, int *code, char *err, size_t errlen);

void sup_status_fini(void);

/* supervisor.c; a libvirt reconnection job runs (not a start or stop) */
extern int sup_reconnecting;
int sup_console_ready(struct run *r, int n, char *fail, size_t faillen);
/* sup_watch.c */
void sup_watch_prune(void);
void sup_watch_end_all(void);
/* sup_restart.c: node n went (why); the restart policy may act */
void sup_node_down(struct run *r, int n, const char *why);
/* sup_adopt.c: of the kinds found through libvirt; of the others */
void sup_adopt(void);
void sup_adopt_local(void);
/* Undo the cpusets (record, cpuset.h) of topologies that went: none when
 * failed names a kind whose scan failed (logged), and never those of a
 * topology that runs or that an entry of orphans (adopt_scan's) names. */
void sup_adopt_reap(const char *record, const char *failed,
		    json_object *orphans);
/* sup_orphans.c */
/* bumped whenever what exists may have changed: the next status scans */
extern unsigned sup_orphans_gen;
void sup_orphans_fini(void);
/* What `cleanup` would remove of topology name (not running), removed:
 * *removed (new) lists it.  0, or -1 with err (what is left). */
int sup_orphans_remove(const char *name, json_object **removed, char *err,
		       size_t errlen);

json_object *jstrf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
