/*
 * Private to the control socket (control.c) and the request API it gives
 * handlers (rpc.c): a client, a request, and the three calls rpc.c needs
 * from control.c.  No other file includes it.
 */
#ifndef VR_CONTROL_INT_H
#define VR_CONTROL_INT_H

#include <sys/types.h>
#include <sys/queue.h>

#include <stdint.h>

#include <json-c/json.h>

#include "proto.h"

struct control_client;

struct rpc_req {
	TAILQ_ENTRY(rpc_req) rq_entry;
	struct control_client *rq_client; /* NULL once the client is gone */
	struct proto_request rq_preq;
	json_object *rq_id; /* owned */
	int rq_has_id;
	uid_t rq_uid;
	pid_t rq_pid;
	uint64_t rq_start_ns;
	int rq_privileged;
};

struct control_client {
	TAILQ_ENTRY(control_client) cc_entry;
	TAILQ_HEAD(, rpc_req) cc_reqs; /* answered later (start) */
	struct bufferevent *cc_bev;
	struct event *cc_ev_idle; /* idle_timeout: no request */
	struct event *cc_ev_line; /* request_timeout: no request line ended */
	int cc_npending;	  /* requests in cc_reqs */
	unsigned cc_id;
	uid_t cc_uid;
	gid_t cc_gid;
	pid_t cc_pid;
	int cc_privileged;
	int cc_readonly; /* came through the read-only socket */
	int cc_busy;	 /* inside control_read: close later */
	int cc_dead;	 /* close when cc_busy drops */
	int cc_closing;	 /* close once the output is written */
};

/* Queue msg on c's output (closing c when over its output limit). */
void control_send(struct control_client *c, json_object *msg);
/* Tear c down (later, when inside control_read). */
void control_close(struct control_client *c);
/* Arm c's request deadline (request_timeout). */
void control_deadline_arm(struct control_client *c);

#endif
