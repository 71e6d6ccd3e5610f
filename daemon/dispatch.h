/*
 * Method -> handler, and the access check in front of it.  The method
 * table itself (names, access, params) is lib/proto.c's.
 */
#ifndef VR_DISPATCH_H
#define VR_DISPATCH_H

#include "proto.h"
#include "rpc.h"

/* The handler of a method (by its enum), or NULL. */
rpc_handler dispatch_handler(enum proto_method_id id);

/* Who asks, and through which socket. */
struct dispatch_peer {
	int privileged;	       /* uid 0 or the socket's group */
	int readonly;	       /* connected to the read-only socket */
	const char *group;     /* socket_group */
	int have_group;	       /* 0 when that group does not exist */
	const char *socket;    /* the control socket */
	const char *ro_socket; /* the read-only socket ("" when none) */
};

/* May a peer call m?  Read methods: anyone; mutating ones: a privileged
 * peer, and never through the read-only socket. */
int dispatch_allowed(const struct proto_method *m, int privileged,
		     int readonly);

/*
 * Run a parsed request, its params validated when dispatch_allowed: refuse a
 * mutating method to a peer that may not call it (PROTO_E_PERM naming the
 * group, or the control socket when it came through the read-only one),
 * else call its handler, which answers req.
 */
void dispatch_run(struct rpc_req *req, const struct proto_method *m,
		  const struct dispatch_peer *peer);

#endif
