/*
 * The coordinator of a topology across hosts (coord.c).
 */
#ifndef VR_COORD_H
#define VR_COORD_H

#include "rpc.h"

/* `start`: 1 when the plan places anything on another host (coord.c has
 * taken the request and answers it), else 0 (an ordinary start). */
int coord_start(struct rpc_req *req);
/* `stop` of name: 1 when it has parts on other hosts (coord.c answers),
 * else 0. */
int coord_stop(struct rpc_req *req, const char *name);
/* `start_part`: a peer's share of a topology across hosts. */
void coord_method_start_part(struct rpc_req *req);

#endif
