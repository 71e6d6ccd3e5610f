/*
 * Calls to another host's vrouterd (a `hosts` entry of the configuration),
 * the way virsh reaches a remote libvirtd: ssh_command + [DEST, "vrctl",
 * "proxy", "--socket", SOCKET] runs with a socketpair as its stdin and
 * stdout, and the peer's control protocol (newline-delimited JSON-RPC, as
 * lib/proto.c frames it) flows through it.  Asynchronous, in the daemon's
 * event loop: several calls may be outstanding on one connection, each with
 * its own timeout.
 *
 * A failure of the transport says which host and why, from what ssh wrote
 * on its stderr: "host b (root@198.18.0.2): ssh: connect to host
 * 198.18.0.2 port 22: Connection refused", "host b (root@198.18.0.2): timed
 * out after 10 s".  The child is reaped through a pidfd (polled without
 * pidfds), never by a
 * SIGCHLD handler (bench.c and libvirt wait for their own children).
 */
#ifndef VR_PEER_H
#define VR_PEER_H

#include <stddef.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "config.h"
#include "proto.h"

struct peer;

/*
 * The end of a call, exactly once unless the peer was closed first:
 * result (the peer's "result"), or error (the peer's JSON-RPC error
 * object), or fail (the transport failed: a message naming the host).
 * All borrowed for the call's duration.  The callback may close the peer.
 */
typedef void (*peer_cb)(json_object *result, json_object *error,
			const char *fail, void *arg);

/*
 * A notification the peer sends before its answer (a long call's
 * "progress"): method and params (NULL when it has none), borrowed.  The
 * callback must not close the peer.
 */
typedef void (*peer_notify_cb)(const char *method, json_object *params,
			       void *arg);

void peer_init(struct event_base *base);
/*
 * Where the hosts' ssh masters put their sockets: SOCKET_PATH.ssh/NAME
 * (made at the first call, mode 0700, removed by peer_fini).  Without it,
 * or with ssh_reuse off, every call is its own ssh connection.
 */
void peer_rundir(const char *socket_path);
/*
 * At start-up, before the event loop runs (blocking, 2 s at most per
 * socket): masters a killed vrouterd left in SOCKET_PATH.ssh told to exit,
 * whatever the configuration says now; the directory removed.
 */
void peer_sweep(void);
/* At exit: stop the masters (SIGTERM, SIGKILL after 1 s), kill and reap
 * every child still running (blocking, bounded), remove the sockets. */
void peer_fini(void);

/*
 * Start the connection to host (copied): spawn ssh.  NULL with err set
 * ("host b (DEST): cannot run ssh: No such file or directory").
 */
struct peer *peer_open(const struct config_host *host, char *err,
		       size_t errlen);

/*
 * Call method with params (taken; NULL for none); timeout_s > 0 bounds the
 * wait for the answer.  0: the callback comes later; -1: the connection
 * was gone already and the callback has run (with fail set).
 */
int peer_call(struct peer *p, enum proto_method_id method, json_object *params,
	      int timeout_s, peer_cb cb, void *arg);

/* Hand the peer's notifications to cb (NULL: drop them, the default). */
void peer_set_notify(struct peer *p, peer_notify_cb cb, void *arg);

/* Close the connection: calls still outstanding are dropped without their
 * callback; the child is told to go (SIGTERM to its process group, SIGKILL
 * 2 s later) and reaped. */
void peer_close(struct peer *p);

/* Children spawned and not reaped yet (for tests and status). */
int peer_nchildren(void);

#endif
