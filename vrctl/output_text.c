/*
 * Human output: the small verbs here, status in show_status.c, plans in
 * show_plan.c.  The renderers never invent a field the daemon did not send.
 */
#include <stdio.h>
#include <string.h>

#include "proto.h"
#include "vrctl.h"

json_object *
j_get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (o != NULL && json_object_is_type(o, json_type_object))
		json_object_object_get_ex(o, key, &v);
	return v;
}

const char *
j_str(json_object *o, const char *key)
{
	json_object *v = j_get(o, key);
	const char *s;

	if (v == NULL)
		return "-";
	s = json_object_get_string(v);
	return s && *s ? s : "-";
}

long long
j_int(json_object *o, const char *key, long long dflt)
{
	json_object *v = j_get(o, key);

	if (v == NULL || !(json_object_is_type(v, json_type_int) ||
			   json_object_is_type(v, json_type_double)))
		return dflt;
	return (long long)json_object_get_int64(v);
}

int
j_bool(json_object *o, const char *key)
{
	return json_object_get_boolean(j_get(o, key));
}

static void
text_generic(json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(
			   o, JSON_C_TO_STRING_PRETTY |
				  JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void
text_version(json_object *r)
{
	printf("vrouterd %s, protocol %lld\n", j_str(r, "version"),
	       j_int(r, "protocol", 0));
	printf("build: %s\n", j_str(r, "build"));
	printf("vrctl protocol %d\n", PROTO_VERSION);
}

static void
text_stopped(json_object *r)
{
	json_object *a = j_get(r, "stopped");

	if (a == NULL || !json_object_is_type(a, json_type_array)) {
		text_generic(r);
		return;
	}
	if (json_object_array_length(a) == 0)
		printf("nothing to stop\n");
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *t = json_object_array_get_idx(a, i);
		printf("stopped %s\n", json_object_is_type(t, json_type_string)
					   ? json_object_get_string(t)
					   : j_str(t, "name"));
	}
}

static void
text_topologies(json_object *r)
{
	json_object *a = r;

	if (json_object_is_type(r, json_type_object))
		a = j_get(r, "topologies");
	if (a == NULL || !json_object_is_type(a, json_type_array)) {
		text_generic(r);
		return;
	}
	printf("%-16s %s\n", "TOPOLOGY", "DESCRIPTION");
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *t = json_object_array_get_idx(a, i);
		if (json_object_is_type(t, json_type_string))
			printf("%-16s\n", json_object_get_string(t));
		else
			printf("%-16s %s\n", j_str(t, "name"),
			       j_str(t, "description"));
	}
}

static void
text_error(json_object *e)
{
	long long code = j_int(e, "code", 0);
	json_object *d = j_get(e, "data");

	fprintf(stderr, "vrctl: %s\n", j_str(e, "message"));
	fprintf(stderr, "vrctl: (%s, code %lld)", proto_error_name((int)code),
		code);
	if (d != NULL && json_object_is_type(d, json_type_string))
		fprintf(stderr, "\n%s", json_object_get_string(d));
	else if (d != NULL)
		fprintf(stderr, " %s",
			json_object_to_json_string_ext(
			    d, JSON_C_TO_STRING_PLAIN |
				   JSON_C_TO_STRING_NOSLASHESCAPE));
	fprintf(stderr, "\n");
}

const struct output text_output = {
    .version = text_version,
    .status = show_status,
    .started = show_topology,
    .stopped = text_stopped,
    .topologies = text_topologies,
    .plan = show_plan,
    .error = text_error,
};
