/*
 * Method name -> handler, and the access check in front of it.  The method
 * table itself (names, access, params) is lib/proto.c's.
 */
#ifndef VR_DISPATCH_H
#define VR_DISPATCH_H

#include "proto.h"
#include "rpc.h"

/* The handler of a method, or NULL. */
rpc_handler dispatch_find(const char *method);

/* May a peer (privileged: uid 0 or the socket's group) call m? */
int dispatch_allowed(const struct proto_method *m, int privileged);

/*
 * Run a parsed request, its params validated when dispatch_allowed: refuse a
 * mutating method to an unprivileged peer (PROTO_E_PERM naming group;
 * have_group 0 when the group does not exist), else call its handler, which
 * answers req.
 */
void dispatch_run(struct rpc_req *req, const struct proto_method *m,
		  int privileged, const char *group, int have_group);

#endif
