/*
 * Reading the daemon's answers: members by name, with "-" / a default for
 * what is absent, so renderers never invent a field.  Shared by every
 * renderer (and the plan renderer's unit test).
 */
#include <json-c/json.h>

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
