/*
 * Reading the daemon's answers: members by name, with "-" / a default for
 * what is absent, so renderers never invent a field.  Shared by every
 * renderer (and the plan renderer's unit test).
 *
 * Strings reach a terminal through j_text (j_str uses it): whatever a
 * file or the daemon put in them, control characters (C0, DEL, C1 and
 * NUL) come out escaped ("\n", "\x1b", "\u009b"), never raw.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util.h"
#include "vrctl.h"

/* Does s[0..len) hold a byte a terminal would act on? */
static int
j_unsafe(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] == 0x7f ||
		    (s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 &&
		     s[i + 1] <= 0x9f))
			return 1;
	return 0;
}

const char *
j_text(json_object *v)
{
	const unsigned char *s;
	size_t len, o = 0;
	char *e;

	if (v == NULL || json_object_get_string(v) == NULL)
		return "-";
	if (!json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	s = (const unsigned char *)json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (!j_unsafe(s, len))
		return (const char *)s;
	e = xmalloc(len * 6 + 1);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n' || s[i] == '\t') {
			e[o++] = '\\';
			e[o++] = s[i] == '\n' ? 'n' : 't';
		} else if (s[i] < 0x20 || s[i] == 0x7f)
			o += (size_t)sprintf(e + o, "\\x%02x", s[i]);
		else if (s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 &&
			 s[i + 1] <= 0x9f)
			o += (size_t)sprintf(e + o, "\\u%04x", s[++i]);
		else
			e[o++] = (char)s[i];
	}
	e[o] = '\0';
	/* in place: the tree is the renderer's, and escaping is idempotent */
	json_object_set_string(v, e);
	free(e);
	return json_object_get_string(v);
}

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
	const char *s = j_text(j_get(o, key));

	return *s ? s : "-";
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
