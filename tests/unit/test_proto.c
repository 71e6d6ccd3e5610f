/* lib/proto.c: request parsing, validation, every error path, builders. */
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "topo.h"
#include "t.h"

static int
parse(const char *line, size_t len, json_object **idp)
{
	struct proto_request req;
	json_object *id = NULL;
	char err[512];
	int rv;

	err[0] = '\0';
	rv = proto_request_parse(line, len, &req, &id, err, sizeof(err));
	if (rv == 0)
		proto_request_free(&req);
	else
		CHECK(err[0] != '\0');
	if (idp != NULL)
		*idp = id;
	else
		json_object_put(id);
	return rv;
}

static int
p(const char *line)
{
	return parse(line, strlen(line), NULL);
}

static int
pi(const char *line, json_object **idp)
{
	return parse(line, strlen(line), idp);
}

static void
test_errors(void)
{
	static const struct {
		const char *line;
		int code;
	} cases[] = {
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"}", 0},
	    {"{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"version\","
	     "\"params\":{}}",
	     0},
	    {"{\"jsonrpc\":\"2.0\",\"method\":\"status\"}", 0},
	    {"{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"status\"}", 0},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"status\"}", 0},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"}\r", 0},
	    {"{", PROTO_E_PARSE},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,", PROTO_E_PARSE},
	    {"not json", PROTO_E_PARSE},
	    {"{'jsonrpc':'2.0'}", PROTO_E_PARSE},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\",}",
	     PROTO_E_PARSE},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"} {}",
	     PROTO_E_PARSE},
	    {"\xff\xfe\xfd", PROTO_E_PARSE},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"st\xc3\x28\"}",
	     PROTO_E_PARSE},
	    {"   ", PROTO_E_PARSE},
	    {"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]"
	     "]]]]]]]]]]]]]]]]",
	     PROTO_E_PARSE},
	    {"[]", PROTO_E_INVALID},
	    {"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"}]",
	     PROTO_E_INVALID},
	    {"42", PROTO_E_INVALID},
	    {"\"status\"", PROTO_E_INVALID},
	    {"null", PROTO_E_INVALID},
	    {"{\"id\":1,\"method\":\"status\"}", PROTO_E_INVALID},
	    {"{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"status\"}",
	     PROTO_E_INVALID},
	    {"{\"jsonrpc\":2.0,\"id\":1,\"method\":\"status\"}",
	     PROTO_E_INVALID},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1}", PROTO_E_INVALID},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", PROTO_E_INVALID},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":null}", PROTO_E_INVALID},
	    {"{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"status\"}",
	     PROTO_E_INVALID},
	    {"{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"status\"}",
	     PROTO_E_INVALID},
	    {"{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"status\"}",
	     PROTO_E_INVALID},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\",\"x\":1}",
	     PROTO_E_INVALID},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"nosuch\"}",
	     PROTO_E_METHOD},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}", PROTO_E_METHOD},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"STATUS\"}",
	     PROTO_E_METHOD},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\\u0000x\"}",
	     PROTO_E_METHOD},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\","
	     "\"params\":[]}",
	     PROTO_E_PARAMS},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\","
	     "\"params\":null}",
	     PROTO_E_PARAMS},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\","
	     "\"params\":\"x\"}",
	     PROTO_E_PARAMS},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\","
	     "\"params\":{\"verbose\":true}}",
	     PROTO_E_PARAMS},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"start\","
	     "\"params\":{}}",
	     PROTO_E_PARAMS},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"start\","
	     "\"params\":{\"topology\":\"monolithic\"}}",
	     0},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"start\","
	     "\"params\":{\"topology\":1}}",
	     PROTO_E_PARAMS},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"start\","
	     "\"params\":{\"topology\":\"m\",\"cores\":\"2\"}}",
	     PROTO_E_PARAMS},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"start\","
	     "\"params\":{\"topology\":\"m\",\"cores\":0}}",
	     PROTO_E_PARAMS},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"start\","
	     "\"params\":{\"topology\":\"m\",\"cores\":65}}",
	     PROTO_E_PARAMS},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"start\","
	     "\"params\":{\"topology\":\"m\",\"cores\":2.5}}",
	     PROTO_E_PARAMS},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"start\","
	     "\"params\":{\"topology\":\"m\",\"cores\":"
	     "99999999999999999999999}}",
	     PROTO_E_PARAMS},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"start\","
	     "\"params\":{\"topology\":\"m\",\"cores\":64,\"memory_mib\":512,"
	     "\"pin\":true,\"rt\":10,\"accel\":\"tcg\",\"link\":\"macvtap\","
	     "\"ports\":\"test\",\"image\":\"/x\",\"timeout\":30,"
	     "\"cpus\":\"0-1\",\"txqueuelen\":1000,\"name\":\"a\"}}",
	     0},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"start\","
	     "\"params\":{\"topology\":\"m\",\"accel\":\"xen\"}}",
	     PROTO_E_PARAMS},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"start\","
	     "\"params\":{\"topology\":\"m\",\"pin\":1}}",
	     PROTO_E_PARAMS},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"start\","
	     "\"params\":{\"topology\":\"m\",\"rt\":100}}",
	     PROTO_E_PARAMS},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"start\","
	     "\"params\":{\"topology\":\"m\\u0000x\"}}",
	     PROTO_E_PARAMS},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"stop\","
	     "\"params\":{\"all\":true}}",
	     0},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"stop\","
	     "\"params\":{\"all\":\"yes\"}}",
	     PROTO_E_PARAMS},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"topology\"}", 0},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"topology\","
	     "\"params\":{\"topology\":\"monolithic\",\"cores\":2}}",
	     0},
	    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"reload\","
	     "\"params\":{\"path\":\"/etc/x\"}}",
	     PROTO_E_PARAMS},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rv = p(cases[i].line);
		if (rv != cases[i].code)
			fprintf(stderr, "case %zu: %s\n", i, cases[i].line);
		CHECK_INT(rv, cases[i].code);
	}
}

static void
test_framing(void)
{
	static const char nul[] =
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"}\0x";
	char *big;
	size_t n = PROTO_MAX_LINE + 1;

	/* A NUL byte inside the line is a parse error, not a truncation. */
	CHECK_INT(parse(nul, sizeof(nul) - 1, NULL), PROTO_E_PARSE);
	CHECK_INT(parse("", 0, NULL), PROTO_E_PARSE);
	/* which "method" would json-c keep?  Neither: a key given twice
	 * anywhere, and U+0000 in a key, are parse errors */
	CHECK_INT(p("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\","
		    "\"method\":\"stop\"}"),
		  PROTO_E_PARSE);
	CHECK_INT(p("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"stop\","
		    "\"params\":{\"name\":\"a\",\"n\\u0061me\":\"b\"}}"),
		  PROTO_E_PARSE);
	CHECK_INT(p("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\","
		    "\"x\\u0000\":1}"),
		  PROTO_E_PARSE);
	big = malloc(n);
	memset(big, ' ', n);
	CHECK_INT(parse(big, n, NULL), PROTO_E_TOO_LARGE);
	free(big);
}

static void
test_ids(void)
{
	struct proto_request req;
	json_object *id, *data;
	char err[256];

	/* The id is recovered for the error reply. */
	CHECK_INT(
	    pi("{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"nope\"}", &id),
	    PROTO_E_METHOD);
	CHECK(id != NULL && json_object_get_int(id) == 42);
	json_object_put(id);
	CHECK_INT(
	    pi("{\"jsonrpc\":\"1.0\",\"id\":\"x\",\"method\":\"s\"}", &id),
	    PROTO_E_INVALID);
	CHECK_STR(id ? json_object_get_string(id) : NULL, "x");
	json_object_put(id);
	/* An object id is not echoed. */
	CHECK_INT(
	    pi("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"status\"}", &id),
	    PROTO_E_INVALID);
	CHECK(id == NULL);

	const char *l = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"start\","
			"\"params\":{\"topology\":\"m\",\"cores\":0}}";
	CHECK_INT(proto_request_parse_data(l, strlen(l), &req, &id, &data, err,
					   sizeof(err)),
		  PROTO_E_PARAMS);
	CHECK(strstr(err, "cores") != NULL);
	CHECK(strstr(err, "1..64") != NULL);
	CHECK_STR(json_object_get_string(json_object_object_get(data, "param")),
		  "cores");
	json_object_put(data);
	json_object_put(id);

	l = "{\"jsonrpc\":\"2.0\",\"method\":\"status\"}";
	CHECK_INT(
	    proto_request_parse(l, strlen(l), &req, &id, err, sizeof(err)), 0);
	CHECK(req.has_id == 0 && req.id == NULL);
	CHECK(json_object_is_type(req.params, json_type_object));
	CHECK(req.m == proto_method_find("status"));
	proto_request_free(&req);

	l = "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"stop\","
	    "\"params\":{\"name\":\"a\"}}";
	CHECK_INT(
	    proto_request_parse(l, strlen(l), &req, &id, err, sizeof(err)), 0);
	CHECK(req.has_id == 1 && req.id == NULL);
	CHECK_STR(req.method, "stop");
	CHECK(req.m->access == PROTO_MUTATING);
	proto_request_free(&req);
}

static void
test_table(void)
{
	CHECK(proto_method_find("version")->access == PROTO_READ);
	CHECK(proto_method_find("status")->access == PROTO_READ);
	CHECK(proto_method_find("topology")->access == PROTO_READ);
	CHECK(proto_method_find("reload")->access == PROTO_MUTATING);
	CHECK(proto_method_find("start")->access == PROTO_MUTATING);
	CHECK(proto_method_find("stop")->access == PROTO_MUTATING);
	CHECK(proto_method_find("bench")->access == PROTO_MUTATING);
	CHECK(proto_method_find("watch")->access == PROTO_READ);
	/* it makes root run ssh, once per configured host */
	CHECK(proto_method_find("hosts")->access == PROTO_MUTATING);
	CHECK(proto_method_find("cleanup")->access == PROTO_MUTATING);
	CHECK(proto_method_find("capture")->access == PROTO_MUTATING);
	CHECK(proto_method_find("nosuch") == NULL);
	CHECK(proto_method_find(NULL) == NULL);
	for (const struct proto_method *m = proto_methods; m->name; m++) {
		CHECK(m->doc != NULL);
		for (const struct proto_param *q = m->params; q->name; q++)
			CHECK(q->doc != NULL);
	}
	/* start's routing help names every choice; fib_routes' bound is
	 * the planner's */
	for (const struct proto_param *q = proto_method_find("start")->params;
	     q->name; q++) {
		if (strcmp(q->name, "routing") == 0)
			for (int i = 0; q->choices[i]; i++)
				CHECK(strstr(q->doc, q->choices[i]) != NULL);
		if (strcmp(q->name, "fib_routes") == 0)
			CHECK_INT(q->max, TOPO_FIB_ROUTES_MAX);
	}
}

static void
test_builders(void)
{
	json_object *m, *back;
	size_t len;
	char *s;

	m = proto_error_new(json_object_new_int(3), PROTO_E_PERM, "no",
			    json_object_new_string("d"));
	s = proto_serialize(m, &len);
	CHECK_STR(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32001,"
		     "\"message\":\"no\",\"data\":\"d\"}}\n");
	CHECK_INT(len, strlen(s));
	free(s);
	json_object_put(m);

	m = proto_result_new(NULL, NULL);
	s = proto_serialize(m, NULL);
	CHECK_STR(s, "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":{}}\n");
	free(s);
	json_object_put(m);

	m = proto_notification_new("progress", NULL);
	s = proto_serialize(m, NULL);
	CHECK_STR(s, "{\"jsonrpc\":\"2.0\",\"method\":\"progress\","
		     "\"params\":{}}\n");
	free(s);
	json_object_put(m);

	/* A request we build parses back. */
	m = proto_request_new(9, "topology", json_object_new_object());
	s = proto_serialize(m, &len);
	CHECK_INT(parse(s, len - 1, &back), 0);
	CHECK(back != NULL && json_object_get_int(back) == 9);
	json_object_put(back);
	free(s);
	json_object_put(m);

	/* Slashes are not escaped (paths stay readable). */
	m = proto_result_new(NULL, json_object_new_string("/run/x"));
	s = proto_serialize(m, NULL);
	CHECK(strstr(s, "\"/run/x\"") != NULL);
	free(s);
	json_object_put(m);
}

static void
test_names(void)
{
	CHECK_STR(proto_error_name(PROTO_E_PARSE), "parse error");
	CHECK_STR(proto_error_name(PROTO_E_INVALID), "invalid request");
	CHECK_STR(proto_error_name(PROTO_E_METHOD), "method not found");
	CHECK_STR(proto_error_name(PROTO_E_PARAMS), "invalid params");
	CHECK_STR(proto_error_name(PROTO_E_PERM), "permission denied");
	CHECK_STR(proto_error_name(PROTO_E_TOO_LARGE), "request too large");
	CHECK_STR(proto_error_name(PROTO_E_CONFIG), "configuration error");
	CHECK_STR(proto_error_name(-32050), "server error");
	CHECK_STR(proto_error_name(1), "error");
}

/* The read-only socket beside the control socket (issue 16). */
static void
test_socket_ro(void)
{
	char buf[108];

	CHECK_INT(proto_socket_ro_path(PROTO_DEFAULT_SOCKET, buf, sizeof(buf)),
		  0);
	CHECK_STR(buf, "/run/vrouterd/vrouterd-ro.sock");
	CHECK_INT(proto_socket_ro_path("/tmp/x/ctl", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/tmp/x/ctl-ro");
	CHECK_INT(proto_socket_ro_path(".sock", buf, sizeof(buf)), 0);
	CHECK_STR(buf, ".sock-ro");
	CHECK_INT(proto_socket_ro_path("/a/b.sock", buf, 12), -1);
	CHECK_INT(proto_socket_ro_path("/a/b.sock", buf, 13), 0);
	CHECK_STR(buf, "/a/b-ro.sock");
}

/* migrate and bench --migrate: the params each takes, and the rule that
 * a migration during a timeline names both the node and the host. */
static void
test_migrate(void)
{
	CHECK(proto_method_find("migrate")->access == PROTO_MUTATING);
	CHECK(proto_method_find("migrate_prepare")->access == PROTO_MUTATING);
	CHECK(proto_method_find("migrate_abort")->access == PROTO_MUTATING);
	CHECK_INT(
	    p("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"migrate\","
	      "\"params\":{\"name\":\"m\",\"node\":\"vr0\",\"to\":\"b\"}}"),
	    0);
	CHECK_INT(p("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"migrate\","
		    "\"params\":{\"name\":\"m\",\"node\":\"vr0\"}}"),
		  PROTO_E_PARAMS);
	CHECK_INT(p("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"migrate\","
		    "\"params\":{\"name\":\"m\",\"node\":\"vr0\",\"to\":\"b\","
		    "\"offline\":1}}"),
		  PROTO_E_PARAMS);
	CHECK_INT(
	    p("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"bench\","
	      "\"params\":{\"name\":\"m\",\"mode\":\"timeline\",\"rate\":10,"
	      "\"migrate\":\"vr0\",\"to\":\"b\",\"migrate_after\":3}}"),
	    0);
	CHECK_INT(
	    p("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"bench\","
	      "\"params\":{\"name\":\"m\",\"mode\":\"timeline\",\"rate\":10,"
	      "\"migrate\":\"vr0\"}}"),
	    PROTO_E_PARAMS);
	CHECK_INT(
	    p("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"bench\","
	      "\"params\":{\"name\":\"m\",\"mode\":\"timeline\",\"rate\":10,"
	      "\"migrate_after\":3}}"),
	    PROTO_E_PARAMS);
	CHECK_INT(
	    p("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"bench\","
	      "\"params\":{\"name\":\"m\",\"mode\":\"sweep\",\"rates\":\"10\","
	      "\"migrate\":\"vr0\",\"to\":\"b\"}}"),
	    PROTO_E_PARAMS);
}

int
main(void)
{
	test_errors();
	test_framing();
	test_ids();
	test_table();
	test_builders();
	test_names();
	test_socket_ro();
	test_migrate();
	return t_done("test_proto");
}
