/*
 * Live migration of a running topology's node to another host and back
 * (migrate.c): the `migrate` method, the peer-facing steps another
 * vrouterd calls (migrate_prepare, migrate_send, migrate_finish,
 * migrate_abort), and what `stop` must do first for a topology whose
 * nodes moved.
 */
#ifndef VR_MIGRATE_H
#define VR_MIGRATE_H

#include "rpc.h"

void migrate_method(struct rpc_req *req);

/*
 * The same from inside the daemon (bench --migrate): -1 with code/err when
 * it cannot begin (nothing changed, done not called); else 0, and done
 * runs once, from the loop, with the migration's record (borrowed: take a
 * reference to keep it), code 0 when the node moved, else the error.
 */
typedef void (*migrate_done_fn)(void *arg, json_object *record, int code,
				const char *err);
int migrate_run(const char *name, const char *node, const char *to, int offline,
		migrate_done_fn done, void *arg, int *code, char *err,
		size_t errlen);
/* migrate_run, or for a node of another host's part (a topology across
 * hosts) the same call passed on to that host, its home, which moves it:
 * done gets the home's record, or its error ("host b: ...") with a
 * record saying so.  Returns as migrate_run. */
int migrate_run_any(const char *name, const char *node, const char *to,
		    int offline, migrate_done_fn done, void *arg, int *code,
		    char *err, size_t errlen);
/* Is node one of topology name's, this host's part or another's? */
int migrate_node_known(const char *name, const char *node);
/* The peer-facing steps, called by the coordinator (docs/protocol.md). */
void migrate_prepare_method(struct rpc_req *req);
void migrate_send_method(struct rpc_req *req);
void migrate_finish_method(struct rpc_req *req);
void migrate_abort_method(struct rpc_req *req);
/* Before stopping topology name (NULL: every one, stop --all): destroy
 * its nodes on other hosts and remove its VXLANs, then stop for req.  1
 * when it took req over (or refused it: another host's part here that
 * hosts nodes of the topology for a host), 0 when there is nothing of
 * that kind (the caller stops as usual). */
int migrate_stop(struct rpc_req *req, const char *name);
/* Migrations under way: a shutdown waits for them (sup_check_done). */
int migrate_inflight(void);
/* At a shutdown: abort every migration under way at its source's
 * libvirtd; each ends as a failed one does (the node stays where it ran,
 * nothing left on the destination), and sup_check_done follows. */
void migrate_shutdown(void);

#endif
