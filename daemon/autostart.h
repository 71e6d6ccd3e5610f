/*
 * Autostart: topologies started when the daemon starts, listed in
 * conf->autostart (default /etc/vrouterd/autostart.json, documented in
 * docs/config.md) as {"topologies":[START_PARAMS, ...]}.  A topology that
 * runs already (adopted) is not started twice; failures are retried with
 * backoff.  `vrctl autostart add|remove|list` edit the file through the
 * daemon: validated first, written atomically.
 */
#ifndef VR_AUTOSTART_H
#define VR_AUTOSTART_H

#include <event2/event.h>
#include <json-c/json.h>

#include "rpc.h"

void autostart_init(struct event_base *base);
void autostart_reload(void);
void autostart_fini(void);
json_object *autostart_status(void);

void autostart_method_list(struct rpc_req *req);
void autostart_method_add(struct rpc_req *req);
void autostart_method_remove(struct rpc_req *req);

#endif
