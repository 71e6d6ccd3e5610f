/* Placeholder until the supervisor lands: no topologies, no libvirt. */
#include "supervisor.h"
#include "proto.h"

int
sup_init(struct event_base *base)
{
	(void)base;
	return 0;
}

void
sup_shutdown(void (*done)(void *), void *arg)
{
	done(arg);
}

void
sup_fini(void)
{
}

void
sup_reconfigure(void)
{
}

json_object *
sup_status_topologies(void)
{
	return json_object_new_array();
}

json_object *
sup_status_libvirt(void)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "state",
	                       json_object_new_string("disconnected"));
	return o;
}

void
sup_method_start(struct rpc_req *req)
{
	rpc_error(req, PROTO_E_INTERNAL, NULL, "start: not implemented yet");
}

void
sup_method_stop(struct rpc_req *req)
{
	rpc_error(req, PROTO_E_INTERNAL, NULL, "stop: not implemented yet");
}

void
sup_method_topology(struct rpc_req *req)
{
	rpc_error(req, PROTO_E_INTERNAL, NULL, "topology: not implemented yet");
}
