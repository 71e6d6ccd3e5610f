/*
 * The coordinator of a topology across hosts (coord.c).
 */
#ifndef VR_COORD_H
#define VR_COORD_H

#include <json-c/json.h>

#include "rpc.h"

/* `start`: 1 when the plan places anything on another host (coord.c has
 * taken the request and answers it), else 0 (an ordinary start). */
int coord_start(struct rpc_req *req);
/* The same for params without a request (req NULL: autostart): done is
 * called once with 0, or the error's code and message (every host asked
 * rolled back); 0 (not across hosts) calls nothing. */
int coord_start_params(json_object *params, struct rpc_req *req,
		       void (*done)(void *arg, int code, const char *err),
		       void *arg);
/* Is a start across hosts of name under way (its peers being asked, or
 * its rollback)?  sup_run_find does not know it until its own part. */
int coord_starting(const char *name);
/* `stop` of name: 1 when it has parts on other hosts (coord.c answers),
 * else 0. */
int coord_stop(struct rpc_req *req, const char *name);
/* `stop --all`: 1 when a topology across hosts runs (coord.c answers:
 * each of those stopped everywhere in turn, then the others here). */
int coord_stop_all(struct rpc_req *req);
/* `status`: result (taken) is answered once each peer holding a part of
 * a running topology has said its nodes' state (or failed: the nodes
 * marked unreachable, with why; a read-only caller's peers are not
 * asked). */
void coord_status(struct rpc_req *req, json_object *result);
/* `start_part`: a peer's share of a topology across hosts. */
void coord_method_start_part(struct rpc_req *req);

#endif
