/*
 * A request being answered.  The control layer (control.c) creates one per
 * incoming call and hands it to the method's handler; the handler answers
 * exactly once, now or later (a long `start` answers from the supervisor
 * when the guest is ready), with rpc_reply() or rpc_error(), which free it.
 * If the client went away meanwhile the answer is dropped silently.
 */
#ifndef VR_RPC_H
#define VR_RPC_H

#include <sys/types.h>

#include <json-c/json.h>

#include "log.h"

struct rpc_req;

typedef void (*rpc_handler)(struct rpc_req *req);

json_object *rpc_params(struct rpc_req *req); /* borrowed, never NULL */
const char *rpc_method(struct rpc_req *req);
uid_t rpc_peer_uid(struct rpc_req *req);
pid_t rpc_peer_pid(struct rpc_req *req);
int rpc_connected(struct rpc_req *req);	 /* the client is still there */
int rpc_privileged(struct rpc_req *req); /* root or the group, control socket */
/* Did a and b come on the same connection (still open)? */
int rpc_same_client(struct rpc_req *a, struct rpc_req *b);

/* Final answers; each takes ownership of its json and frees req. */
void rpc_reply(struct rpc_req *req, json_object *result);
/* rpc_reply with an fd passed along (SCM_RIGHTS); the caller still closes
 * its fd.  An error reply instead when the fd cannot be sent. */
void rpc_reply_fd(struct rpc_req *req, json_object *result, int fd);
void rpc_error(struct rpc_req *req, int code, json_object *data,
	       const char *fmt, ...) LOG_FMT(4, 5);

/* A notification to the same client before the final answer (progress);
 * takes ownership of params.  0, or -1 when the client is gone. */
int rpc_notify(struct rpc_req *req, const char *method, json_object *params);

#endif
