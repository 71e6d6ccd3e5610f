/*
 * The dispatcher: every method of lib/proto.c's table has a handler here,
 * and the access rule of the table (dispatch_allowed) is applied here.
 */
#include "autostart.h"
#include "bench.h"
#include "dispatch.h"
#include "coord.h"
#include "hosts.h"
#include "methods.h"
#include "migrate.h"
#include "supervisor.h"
#include "util.h"

/* Indexed by the method's enum: a method without a handler is a NULL
 * here, which test_dispatch catches. */
static const rpc_handler dispatch_table[METHOD_COUNT] = {
    [METHOD_VERSION] = methods_version,
    [METHOD_STATUS] = methods_status,
    [METHOD_RELOAD] = methods_reload,
    [METHOD_START] = sup_method_start,
    [METHOD_STOP] = sup_method_stop,
    [METHOD_TOPOLOGY] = sup_method_topology,
    [METHOD_BENCH] = bench_method,
    [METHOD_WATCH] = sup_method_watch,
    [METHOD_CLEANUP] = sup_method_cleanup,
    [METHOD_CAPTURE] = sup_method_capture,
    [METHOD_AUTOSTART_LIST] = autostart_method_list,
    [METHOD_AUTOSTART_ADD] = autostart_method_add,
    [METHOD_AUTOSTART_REMOVE] = autostart_method_remove,
    [METHOD_HOSTS] = hosts_method,
    [METHOD_MIGRATE] = migrate_method,
    [METHOD_MIGRATE_PREPARE] = migrate_prepare_method,
    [METHOD_MIGRATE_SEND] = migrate_send_method,
    [METHOD_MIGRATE_FINISH] = migrate_finish_method,
    [METHOD_MIGRATE_ABORT] = migrate_abort_method,
    [METHOD_START_PART] = coord_method_start_part,
    [METHOD_BENCH_SINK] = bench_sink_method,
};

rpc_handler
dispatch_handler(enum proto_method_id id)
{
	return (unsigned)id < METHOD_COUNT ? dispatch_table[id] : NULL;
}

int
dispatch_allowed(const struct proto_method *m, int privileged, int readonly)
{
	return m->access == PROTO_READ || (privileged && !readonly);
}

void
dispatch_run(struct rpc_req *req, const struct proto_method *m,
	     const struct dispatch_peer *peer)
{
	rpc_handler h;
	json_object *data;

	if (!dispatch_allowed(m, peer->privileged, peer->readonly)) {
		data = json_object_new_object();
		json_object_object_add(data, "method",
				       json_object_new_string(m->name));
		json_object_object_add(data, "group",
				       json_object_new_string(peer->group));
		json_object_object_add(
		    data, "uid", json_object_new_int64(rpc_peer_uid(req)));
		if (peer->readonly) {
			json_object_object_add(
			    data, "socket",
			    json_object_new_string(peer->socket));
			rpc_error(req, PROTO_E_PERM, data,
				  "%s: permission denied: %s is vrouterd's "
				  "read-only socket; changing vrouterd needs "
				  "the control socket %s, as root or a member "
				  "of group \"%s\"",
				  m->name, peer->ro_socket, peer->socket,
				  peer->group);
		} else if (peer->have_group)
			rpc_error(req, PROTO_E_PERM, data,
				  "%s: permission denied: changing vrouterd "
				  "needs root or membership in group \"%s\"",
				  m->name, peer->group);
		else
			rpc_error(req, PROTO_E_PERM, data,
				  "%s: permission denied: changing vrouterd "
				  "needs root (group \"%s\" does not exist)",
				  m->name, peer->group);
		return;
	}
	if ((h = dispatch_handler(proto_method_id(m))) == NULL) {
		rpc_error(req, PROTO_E_INTERNAL, NULL,
			  "%s: no handler for this method", m->name);
		return;
	}
	h(req);
}
