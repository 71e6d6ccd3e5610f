/*
 * The supervisor: running topologies, the libvirt connection, start/stop
 * jobs.  The control layer calls these; everything here runs in the
 * libevent loop's thread (start jobs run their blocking steps on a worker
 * thread and report back through the loop).
 */
#ifndef VR_SUPERVISOR_H
#define VR_SUPERVISOR_H

#include <event2/event.h>
#include <json-c/json.h>

#include "rpc.h"

int sup_init(struct event_base *base);
/* Stop accepting jobs; cancel running ones (rolled back, their callers
 * answered); done() is called from the loop once nothing is in flight. */
void sup_shutdown(void (*done)(void *), void *arg);
void sup_fini(void);
/* The configuration was reloaded. */
void sup_reconfigure(void);

/* For `status`: the "topologies" array and the "libvirt" object. */
json_object *sup_status_topologies(void);
json_object *sup_status_libvirt(void);

/* For `status`: leftovers that belong to no running topology. */
json_object *sup_status_orphans(void);
/* Is a topology of that name known (starting, running, stopping)? */
int sup_is_running(const char *name);

/* Method handlers (names and params in lib/proto.c). */
void sup_method_start(struct rpc_req *req);
void sup_method_stop(struct rpc_req *req);
void sup_method_topology(struct rpc_req *req);
void sup_method_watch(struct rpc_req *req);
void sup_method_cleanup(struct rpc_req *req);
/* sup_capture.c */
void sup_method_capture(struct rpc_req *req);

#endif
