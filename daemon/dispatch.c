/*
 * The dispatcher: every method of lib/proto.c's table has a handler here,
 * and the access rule of the table (dispatch_allowed) is applied here.
 */
#include <string.h>

#include "autostart.h"
#include "bench.h"
#include "dispatch.h"
#include "methods.h"
#include "supervisor.h"
#include "util.h"

static const struct {
	const char *name;
	rpc_handler handler;
} dispatch_table[] = {
    {"version", methods_version},
    {"status", methods_status},
    {"reload", methods_reload},
    {"start", sup_method_start},
    {"stop", sup_method_stop},
    {"topology", sup_method_topology},
    {"bench", bench_method},
    {"watch", sup_method_watch},
    {"cleanup", sup_method_cleanup},
    {"capture", sup_method_capture},
    {"autostart.list", autostart_method_list},
    {"autostart.add", autostart_method_add},
    {"autostart.remove", autostart_method_remove},
};

rpc_handler
dispatch_find(const char *method)
{
	for (size_t i = 0; i < nitems(dispatch_table); i++)
		if (strcmp(dispatch_table[i].name, method) == 0)
			return dispatch_table[i].handler;
	return NULL;
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
	if ((h = dispatch_find(m->name)) == NULL) {
		rpc_error(req, PROTO_E_INTERNAL, NULL,
			  "%s: no handler for this method", m->name);
		return;
	}
	h(req);
}
