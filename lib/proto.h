/*
 * The control protocol, defined once and shared by vrouterd and vrctl.
 *
 * JSON-RPC 2.0 over a unix stream socket, one JSON object per line.
 * docs/protocol.md documents every method, its params, result and errors;
 * keep the two in step.
 */
#ifndef VR_PROTO_H
#define VR_PROTO_H

#include <json-c/json.h>
#include <stddef.h>

#define PROTO_VERSION	     1
#define PROTO_DEFAULT_SOCKET "/run/vrouterd/vrouterd.sock"
#define PROTO_SOCKET_ENV     "VROUTERD_SOCKET"
#define PROTO_SOCKET_GROUP   "vrouter"
#define PROTO_MAX_LINE	     (1024 * 1024) /* bytes, newline excluded */

/* JSON-RPC 2.0 protocol faults. */
#define PROTO_E_PARSE	 -32700
#define PROTO_E_INVALID	 -32600
#define PROTO_E_METHOD	 -32601
#define PROTO_E_PARAMS	 -32602
#define PROTO_E_INTERNAL -32603
/* Application errors, -32000..-32099 (docs/protocol.md lists each). */
#define PROTO_E_PERM	  -32001 /* mutating call from an unprivileged peer */
#define PROTO_E_BUSY	  -32002 /* too many clients / daemon shutting down */
#define PROTO_E_TOO_LARGE -32003 /* request line over PROTO_MAX_LINE */
#define PROTO_E_NOT_FOUND -32004 /* no such topology */
#define PROTO_E_EXISTS	  -32005 /* a topology of that name runs already */
#define PROTO_E_TOPOLOGY  -32006 /* bad topology or options */
#define PROTO_E_CONFIG	  -32007 /* configuration file error (reload) */
#define PROTO_E_START	  -32010 /* a start step failed; rolled back */
#define PROTO_E_LIBVIRT	  -32011 /* libvirt unreachable or refused */
#define PROTO_E_TIMEOUT	  -32012 /* guest never became ready */
#define PROTO_E_NETSETUP  -32013 /* a netlink operation failed */
#define PROTO_E_IMAGE	  -32014 /* guest image missing or invalid */
#define PROTO_E_PIN	  -32015 /* affinity could not be applied */
#define PROTO_E_STOP	  -32016 /* stop could not remove everything */

/* Where a method may be called from. */
enum proto_access {
	PROTO_READ,    /* any peer that can connect */
	PROTO_MUTATING /* uid 0 or a member of the socket's group */
};

/* The type a parameter must have. */
enum proto_ptype {
	PT_STRING,
	PT_INT,
	PT_BOOL,
	PT_OBJECT,
	PT_ARRAY,
	/* strings with a syntax, checked by lib/benchparam.c */
	PT_RATES,    /* "FROM:TO:STEP" or "R1,R2,..." */
	PT_LOSS,     /* a loss ratio */
	PT_FRAME,    /* a frame size or "imix" */
	PT_PERCENTS, /* "P1,P2,..." in 0..100 (latency_at) */
};

struct proto_param {
	const char *name;
	enum proto_ptype type;
	int required;
	long min, max; /* PT_INT bounds (inclusive) when min < max */
	const char *const
	    *choices; /* PT_STRING: NULL-terminated enum, or NULL */
	const char *doc;
};

/* Every method, in the order of proto_methods[] (which is indexed by it). */
enum proto_method_id {
	METHOD_VERSION,
	METHOD_STATUS,
	METHOD_TOPOLOGY,
	METHOD_RELOAD,
	METHOD_START,
	METHOD_STOP,
	METHOD_BENCH,
	METHOD_WATCH,
	METHOD_CLEANUP,
	METHOD_CAPTURE,
	METHOD_AUTOSTART_LIST,
	METHOD_AUTOSTART_ADD,
	METHOD_AUTOSTART_REMOVE,
	METHOD_HOSTS,
	METHOD_MIGRATE,
	METHOD_MIGRATE_PREPARE,
	METHOD_MIGRATE_SEND,
	METHOD_MIGRATE_FINISH,
	METHOD_MIGRATE_ABORT,
	METHOD_START_PART,
	METHOD_BENCH_SINK,
	METHOD_COUNT
};

struct proto_method {
	const char *name;
	enum proto_access access;
	const struct proto_param *params; /* terminated by a NULL name */
	const char *doc;
};

/* Every method the daemon knows, indexed by its enum proto_method_id and
 * terminated by a NULL name (at [METHOD_COUNT]). */
extern const struct proto_method proto_methods[METHOD_COUNT + 1];

/* The method called NAME, or NULL; its id is proto_method_id(m). */
const struct proto_method *proto_method_find(const char *name);
enum proto_method_id proto_method_id(const struct proto_method *m);
/* The wire name of method ID (the one copy of it, in proto_methods[]). */
const char *proto_method_name(enum proto_method_id id);

/*
 * The read-only socket beside a control socket: "-ro" before a ".sock"
 * suffix, else appended (/run/vrouterd/vrouterd.sock ->
 * /run/vrouterd/vrouterd-ro.sock).  0, or -1 when it does not fit len.
 */
int proto_socket_ro_path(const char *sock, char *buf, size_t len);

/* A parsed request.  id is NULL for a notification (has_id 0) and for
 * "id":null (has_id 1). */
struct proto_request {
	json_object *root;   /* owns everything below */
	json_object *id;     /* borrowed from root; NULL if absent */
	const char *method;  /* borrowed */
	json_object *params; /* borrowed; an empty object when absent */
	const struct proto_method *m;
	int has_id; /* "id" present (it may be null): a reply is due */
};

/*
 * Parse one request line (len bytes, no newline, may contain NULs).  On
 * success returns 0 and fills req (free with proto_request_free).  On error
 * returns the JSON-RPC error code and writes a message a person can act on
 * into err; *idp receives a new reference to the request id when one could
 * be recovered (else NULL), so the error reply can carry it.
 *
 * Parameter validation against the method's table (unknown keys, wrong
 * types, out-of-range values, missing required ones) is done here too.
 */
int proto_request_parse(const char *line, size_t len, struct proto_request *req,
			json_object **idp, char *err, size_t errlen);
void proto_request_free(struct proto_request *req);
/* The same, and *datap (when datap is not NULL) receives the error's "data"
 * object (which parameter, the byte offset of a parse error...) or NULL. */
int proto_request_parse_data(const char *line, size_t len,
			     struct proto_request *req, json_object **idp,
			     json_object **datap, char *err, size_t errlen);

/* The same without the params check, for a caller that checks the peer's
 * access first (a refused peer learns nothing about its params). */
int proto_request_parse_envelope(const char *line, size_t len,
				 struct proto_request *req, json_object **idp,
				 json_object **datap, char *err, size_t errlen);

/* Check params against a method table; 0 or PROTO_E_PARAMS with err set
 * (and *datap, when datap is not NULL, naming the parameter). */
int proto_params_check(const struct proto_method *m, json_object *params,
		       char *err, size_t errlen);
int proto_params_check_data(const struct proto_method *m, json_object *params,
			    json_object **datap, char *err, size_t errlen);

/* Build messages.  All take ownership of result/data/params. */
json_object *proto_request_new(int id, const char *method, json_object *params);
json_object *proto_result_new(json_object *id, json_object *result);
json_object *proto_error_new(json_object *id, int code, const char *msg,
			     json_object *data);
json_object *proto_notification_new(const char *method, json_object *params);

/* Serialise compactly with a trailing newline; caller frees. */
char *proto_serialize(json_object *msg, size_t *lenp);

/* Short stable name for an error code ("parse error", "permission"...). */
const char *proto_error_name(int code);

#endif
