/* --json: the daemon's result object, unchanged. */
#include <stdio.h>

#include "vrctl.h"

static void
json_print(json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(
			   o, JSON_C_TO_STRING_PRETTY |
				  JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* One event per line, so `vrctl --json watch` is a JSON-lines stream. */
static void
json_event(json_object *o)
{
	printf("%s\n",
	       json_object_to_json_string_ext(
		   o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void
json_error(json_object *e)
{
	json_print(e);
	fprintf(stderr, "vrctl: %s\n", j_str(e, "message"));
}

const struct output json_output = {
    .version = json_print,
    .status = json_print,
    .started = json_print,
    .stopped = json_print,
    .topologies = json_print,
    .plan = json_print,
    .cleaned = json_print,
    .autostart = json_print,
    .event = json_event,
    .error = json_error,
};
