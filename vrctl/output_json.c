/*
 * --json: the daemon's result object, unchanged (`list`: the list built
 * from status); progress as JSON lines on stderr.
 */
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

/* The experiment run a progress line belongs to (experiment.c). */
json_object *ctl_progress_context;

/*
 * A notification of a long call (start, bench; experiment's own steps)
 * as one line on stderr: the JSON-RPC notification as the daemon sent
 * it, with "experiment": {"run", "runs", "label"} during an experiment.
 */
static void
json_progress(json_object *msg)
{
	if (ctl_progress_context != NULL)
		json_object_object_add(msg, "experiment",
				       json_object_get(ctl_progress_context));
	fprintf(
	    stderr, "%s\n",
	    json_object_to_json_string_ext(
		msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stderr);
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
    .hosts = json_print,
    .migrated = json_print,
    .plan = json_print,
    .cleaned = json_print,
    .autostart = json_print,
    .event = json_event,
    .error = json_error,
    .list = json_print,
    .progress = json_progress,
};
