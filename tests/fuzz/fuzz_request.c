/*
 * libFuzzer target: one input is one request line, through the parser, the
 * parameter check and the dispatcher (daemon/dispatch.c) exactly as
 * control.c drives them.  The rpc layer and the handlers are stand-ins that
 * answer at once, so every path ends in a reply that is built, serialised
 * and freed; leaks and double answers are caught.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autostart.h"
#include "bench.h"
#include "coord.h"
#include "dispatch.h"
#include "hosts.h"
#include "methods.h"
#include "migrate.h"
#include "proto.h"
#include "rpc.h"
#include "supervisor.h"

struct rpc_req {
	struct proto_request preq;
	json_object *id;
	int answered;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_send(json_object *msg)
{
	size_t len;
	char *s = proto_serialize(msg, &len);

	if (len == 0 || s[len - 1] != '\n' || memchr(s, '\n', len - 1))
		abort(); /* framing: exactly one line */
	free(s);
	json_object_put(msg);
}

json_object *
rpc_params(struct rpc_req *req)
{
	return req->preq.params;
}

const char *
rpc_method(struct rpc_req *req)
{
	return req->preq.method;
}

uid_t
rpc_peer_uid(struct rpc_req *req)
{
	(void)req;
	return 65534;
}

pid_t
rpc_peer_pid(struct rpc_req *req)
{
	(void)req;
	return 1;
}

int
rpc_connected(struct rpc_req *req)
{
	(void)req;
	return 1;
}

void
rpc_reply(struct rpc_req *req, json_object *result)
{
	if (req->answered++)
		abort();
	fuzz_send(proto_result_new(req->id, result));
	req->id = NULL;
}

void
rpc_error(struct rpc_req *req, int code, json_object *data, const char *fmt,
	  ...)
{
	char msg[1024];
	va_list ap;

	if (req->answered++)
		abort();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fuzz_send(proto_error_new(req->id, code, msg, data));
	req->id = NULL;
}

int
rpc_notify(struct rpc_req *req, const char *method, json_object *params)
{
	(void)req;
	fuzz_send(proto_notification_new(method, params));
	return 0;
}

/* Handlers: echo the params back (what a handler reads). */
static void
fuzz_handler(struct rpc_req *req)
{
	json_object *p = rpc_params(req);

	rpc_notify(req, "progress", json_object_get(p));
	rpc_reply(req, json_object_get(p));
}

/* Every handler the dispatcher knows answers through fuzz_handler. */
#define STANDIN(fn)                                                            \
	void fn(struct rpc_req *req)                                           \
	{                                                                      \
		fuzz_handler(req);                                             \
	}

STANDIN(methods_version)
STANDIN(methods_status)
STANDIN(methods_reload)
STANDIN(sup_method_start)
STANDIN(sup_method_stop)
STANDIN(sup_method_topology)
STANDIN(bench_method)
STANDIN(bench_sink_method)
STANDIN(sup_method_watch)
STANDIN(sup_method_cleanup)
STANDIN(sup_method_capture)
STANDIN(autostart_method_list)
STANDIN(autostart_method_add)
STANDIN(autostart_method_remove)
STANDIN(hosts_method)
STANDIN(migrate_method)
STANDIN(migrate_prepare_method)
STANDIN(migrate_send_method)
STANDIN(migrate_finish_method)
STANDIN(migrate_abort_method)
STANDIN(coord_method_start_part)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_req req;
	json_object *id = NULL, *edata = NULL;
	char err[512];
	int code;

	if (size > PROTO_MAX_LINE + 16)
		return 0;
	memset(&req, 0, sizeof(req));
	code = proto_request_parse_data((const char *)data, size, &req.preq,
					&id, &edata, err, sizeof(err));
	if (code != 0) {
		if (req.preq.root != NULL || err[0] == '\0' ||
		    proto_error_name(code) == NULL)
			abort();
		fuzz_send(proto_error_new(id, code, err, edata));
		return 0;
	}
	if (edata != NULL || req.preq.m == NULL || req.preq.method == NULL ||
	    !json_object_is_type(req.preq.params, json_type_object))
		abort();
	/* The table check agrees with itself on what parse accepted. */
	if (proto_params_check(req.preq.m, req.preq.params, err, sizeof(err)) !=
	    0)
		abort();
	req.id = id;
	/* Both sides of the access check; the second must answer too. */
	dispatch_run(
	    &req, req.preq.m,
	    &(struct dispatch_peer){.privileged = data[0] & 1,
				    .readonly = (data[0] >> 1) & 1,
				    .group = "vrouter",
				    .have_group = 1,
				    .socket = "/run/vrouterd.sock",
				    .ro_socket = "/run/vrouterd-ro.sock"});
	if (req.answered != 1)
		abort();
	json_object_put(req.id);
	proto_request_free(&req.preq);
	return 0;
}
