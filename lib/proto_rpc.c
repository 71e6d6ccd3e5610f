/*
 * The JSON-RPC 2.0 envelope of the control protocol: reading a request
 * line into a struct proto_request (its params checked against the
 * method table in proto.c), building result, error and notification
 * messages, and framing them as one line.  Pure, like proto.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jtext.h"
#include "proto.h"
#include "proto_int.h"
#include "util.h"

#define PROTO_MAX_DEPTH 16 /* nesting a request may use */

/* A valid JSON-RPC id: string, number or null. */
static int
proto_id_valid(json_object *id)
{
	switch (json_object_get_type(id)) {
	case json_type_null:
	case json_type_string:
	case json_type_int:
	case json_type_double:
		return 1;
	default:
		return 0;
	}
}

static json_object *
proto_parse_json(const char *line, size_t len, json_object **datap, char *err,
		 size_t errlen, int *codep)
{
	json_object *root = NULL, *d;
	enum json_tokener_error jerr;
	size_t end;

	*codep = PROTO_E_PARSE;
	if (memchr(line, '\0', len) != NULL) {
		snprintf(err, errlen,
			 "parse error: request contains a NUL "
			 "byte");
		return NULL;
	}
	/* Trailing blanks (a CRLF client) are not part of the request. */
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' ||
			   line[len - 1] == '\r'))
		len--;
	if (len == 0) {
		snprintf(err, errlen, "parse error: empty request");
		return NULL;
	}
	/* the same strict parse as every JSON file (a bare number or
	 * literal ends only at a terminator) */
	root = jtext_parse_strict(line, len, PROTO_MAX_DEPTH,
				  JSON_TOKENER_VALIDATE_UTF8, &jerr, &end);
	if (root == NULL && jerr == json_tokener_success) { /* "null" */
		*codep = PROTO_E_INVALID;
		snprintf(err, errlen,
			 "invalid request: a request must be a "
			 "JSON object");
	} else if (root == NULL || jerr != json_tokener_success) {
		if (jerr == json_tokener_continue)
			snprintf(err, errlen,
				 "parse error: incomplete JSON text");
		else
			snprintf(err, errlen, "parse error at byte %zu: %s",
				 end, json_tokener_error_desc(jerr));
		d = json_object_new_object();
		json_object_object_add(d, "offset",
				       json_object_new_int64((int64_t)end));
		proto_set_data(datap, d);
		json_object_put(root);
		root = NULL;
	} else if (end < len) {
		snprintf(err, errlen,
			 "parse error at byte %zu: text after the JSON object "
			 "(one request per line)",
			 end);
		json_object_put(root);
		root = NULL;
	} else if (jtext_scan("parse error: request", line, len,
			      JTEXT_KEYS_ONLY, err, errlen) == -1) {
		/* a key given twice (json-c keeps the last), \u0000 */
		json_object_put(root);
		root = NULL;
	}
	return root;
}

static int
proto_invalid(const char *field, json_object **datap, char *err, size_t errlen,
	      const char *msg)
{
	json_object *d = json_object_new_object();

	json_object_object_add(d, "field", json_object_new_string(field));
	proto_set_data(datap, d);
	snprintf(err, errlen, "invalid request: %s", msg);
	return PROTO_E_INVALID;
}

int
proto_request_parse_envelope(const char *line, size_t len,
			     struct proto_request *req, json_object **idp,
			     json_object **datap, char *err, size_t errlen)
{
	json_object *root, *v, *id = NULL;
	const char *method;
	int code;

	memset(req, 0, sizeof(*req));
	*idp = NULL;
	if (datap != NULL)
		*datap = NULL;
	if (len > PROTO_MAX_LINE) {
		snprintf(err, errlen, "request line longer than %d bytes",
			 PROTO_MAX_LINE);
		return PROTO_E_TOO_LARGE;
	}
	if ((root = proto_parse_json(line, len, datap, err, errlen, &code)) ==
	    NULL)
		return code;

	if (json_object_is_type(root, json_type_array)) {
		code = proto_invalid("batch", datap, err, errlen,
				     "batch requests are not supported; send "
				     "one object per line");
		goto fail;
	}
	if (!json_object_is_type(root, json_type_object)) {
		code = proto_invalid("request", datap, err, errlen,
				     "a request must be a JSON object");
		goto fail;
	}
	if (json_object_object_get_ex(root, "id", &id)) {
		if (!proto_id_valid(id)) {
			id = NULL;
			code =
			    proto_invalid("id", datap, err, errlen,
					  "\"id\" must be a string, a number "
					  "or null");
			goto fail;
		}
		/* The reply carries the id even when the request is bad;
		 * "id":null is a valid id (NULL here, has_id set). */
		*idp = json_object_get(id);
		req->has_id = 1;
	}
	if (!json_object_object_get_ex(root, "jsonrpc", &v)) {
		code = proto_invalid("jsonrpc", datap, err, errlen,
				     "missing \"jsonrpc\":\"2.0\"");
		goto fail;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "2.0") != 0) {
		code = proto_invalid("jsonrpc", datap, err, errlen,
				     "\"jsonrpc\" must be \"2.0\"");
		goto fail;
	}
	if (!json_object_object_get_ex(root, "method", &v)) {
		code = proto_invalid("method", datap, err, errlen,
				     "missing \"method\"");
		goto fail;
	}
	if (!json_object_is_type(v, json_type_string)) {
		code = proto_invalid("method", datap, err, errlen,
				     "\"method\" must be a string");
		goto fail;
	}
	method = json_object_get_string(v);
	json_object_object_foreach(root, key, val)
	{
		(void)val;
		if (strcmp(key, "jsonrpc") != 0 && strcmp(key, "id") != 0 &&
		    strcmp(key, "method") != 0 && strcmp(key, "params") != 0) {
			char msg[128];
			snprintf(msg, sizeof(msg), "unknown member \"%.64s\"",
				 key);
			code = proto_invalid(key, datap, err, errlen, msg);
			goto fail;
		}
	}
	if ((req->m = proto_method_find(method)) == NULL ||
	    strlen(method) != (size_t)json_object_get_string_len(v)) {
		json_object *d = json_object_new_object(), *a;
		a = json_object_new_array();
		for (const struct proto_method *m = proto_methods; m->name; m++)
			json_object_array_add(a,
					      json_object_new_string(m->name));
		json_object_object_add(d, "methods", a);
		proto_set_data(datap, d);
		snprintf(err, errlen, "unknown method \"%.64s\"", method);
		req->m = NULL;
		code = PROTO_E_METHOD;
		goto fail;
	}
	if (!json_object_object_get_ex(root, "params", &req->params)) {
		req->params = json_object_new_object();
		json_object_object_add(root, "params", req->params);
	}
	req->root = root;
	req->id = id;
	req->method = method;
	return 0;
fail:
	json_object_put(root);
	memset(req, 0, sizeof(*req));
	return code;
}

int
proto_request_parse_data(const char *line, size_t len,
			 struct proto_request *req, json_object **idp,
			 json_object **datap, char *err, size_t errlen)
{
	int code;

	if ((code = proto_request_parse_envelope(line, len, req, idp, datap,
						 err, errlen)) != 0)
		return code;
	if ((code = proto_params_check_data(req->m, req->params, datap, err,
					    errlen)) != 0)
		proto_request_free(req);
	return code;
}

int
proto_request_parse(const char *line, size_t len, struct proto_request *req,
		    json_object **idp, char *err, size_t errlen)
{
	return proto_request_parse_data(line, len, req, idp, NULL, err, errlen);
}

void
proto_request_free(struct proto_request *req)
{
	json_object_put(req->root);
	memset(req, 0, sizeof(*req));
}

json_object *
proto_request_new(int id, const char *method, json_object *params)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(o, "id", json_object_new_int(id));
	json_object_object_add(o, "method", json_object_new_string(method));
	if (params != NULL)
		json_object_object_add(o, "params", params);
	return o;
}

json_object *
proto_result_new(json_object *id, json_object *result)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(o, "id", id);
	json_object_object_add(o, "result",
			       result ? result : json_object_new_object());
	return o;
}

json_object *
proto_error_new(json_object *id, int code, const char *msg, json_object *data)
{
	json_object *o = json_object_new_object(), *e;

	e = json_object_new_object();
	json_object_object_add(e, "code", json_object_new_int(code));
	json_object_object_add(e, "message",
			       json_object_new_string(msg ? msg : ""));
	if (data != NULL)
		json_object_object_add(e, "data", data);
	json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(o, "id", id);
	json_object_object_add(o, "error", e);
	return o;
}

json_object *
proto_notification_new(const char *method, json_object *params)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(o, "method", json_object_new_string(method));
	json_object_object_add(o, "params",
			       params ? params : json_object_new_object());
	return o;
}

char *
proto_serialize(json_object *msg, size_t *lenp)
{
	const char *s;
	size_t len;
	char *buf;

	s = json_object_to_json_string_ext(
	    msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(s);
	buf = xmalloc(len + 2);
	memcpy(buf, s, len);
	buf[len] = '\n';
	buf[len + 1] = '\0';
	if (lenp != NULL)
		*lenp = len + 1;
	return buf;
}

const char *
proto_error_name(int code)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
	    {PROTO_E_PARSE, "parse error"},
	    {PROTO_E_INVALID, "invalid request"},
	    {PROTO_E_METHOD, "method not found"},
	    {PROTO_E_PARAMS, "invalid params"},
	    {PROTO_E_INTERNAL, "internal error"},
	    {PROTO_E_PERM, "permission denied"},
	    {PROTO_E_BUSY, "busy"},
	    {PROTO_E_TOO_LARGE, "request too large"},
	    {PROTO_E_NOT_FOUND, "not found"},
	    {PROTO_E_EXISTS, "exists"},
	    {PROTO_E_TOPOLOGY, "topology error"},
	    {PROTO_E_CONFIG, "configuration error"},
	    {PROTO_E_START, "start failed"},
	    {PROTO_E_LIBVIRT, "libvirt error"},
	    {PROTO_E_TIMEOUT, "timeout"},
	    {PROTO_E_NETSETUP, "netsetup error"},
	    {PROTO_E_IMAGE, "image error"},
	    {PROTO_E_PIN, "pinning error"},
	    {PROTO_E_STOP, "stop failed"},
	};

	for (size_t i = 0; i < nitems(names); i++)
		if (names[i].code == code)
			return names[i].name;
	if (code >= -32099 && code <= -32000)
		return "server error";
	return "error";
}
