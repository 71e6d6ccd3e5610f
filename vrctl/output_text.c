/*
 * Human output: the small verbs here, status in show_status.c, plans in
 * show_plan.c.  The renderers never invent a field the daemon did not send.
 */
#include <stdio.h>
#include <string.h>

#include "proto.h"
#include "vrctl.h"

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
					   ? j_text(t)
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
			printf("%-16s\n", j_text(t));
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
		fprintf(stderr, "\n%s", j_text(d));
	else if (d != NULL)
		fprintf(stderr, " %s",
			json_object_to_json_string_ext(
			    d, JSON_C_TO_STRING_PLAIN |
				   JSON_C_TO_STRING_NOSLASHESCAPE));
	fprintf(stderr, "\n");
}

static void
text_cleaned(json_object *r)
{
	json_object *list = j_get(r, "removed"), *ask;
	const char *verb = "removed";
	size_t nask;

	if (list == NULL) {
		list = j_get(r, "would_remove");
		verb = "would remove";
	}
	if (list == NULL) { /* the end of a watch */
		if (j_get(r, "ended"))
			printf("watch ended: %s\n", j_str(r, "ended"));
		return;
	}
	ask = j_get(r, verb[0] == 'r' ? "asked" : "would_ask");
	nask = ask ? json_object_array_length(ask) : 0;
	if (json_object_array_length(list) == 0 && nask == 0) {
		printf("nothing to clean up\n");
		return;
	}
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *o = json_object_array_get_idx(list, i);
		printf("%s %s %s (topology %s)\n", verb, j_str(o, "kind"),
		       j_str(o, "name"), j_str(o, "topology"));
	}
	/* a start across hosts that could not tell every host to stop */
	for (size_t i = 0; i < nask; i++) {
		json_object *o = json_object_array_get_idx(ask, i), *hs;
		char hl[256] = "";
		size_t off = 0;

		hs = j_get(o, "hosts");
		for (size_t k = 0;
		     hs && k < json_object_array_length(hs) && off < sizeof(hl);
		     k++)
			off += snprintf(hl + off, sizeof(hl) - off, "%s%s",
					k ? ", " : "",
					json_object_get_string(
					    json_object_array_get_idx(hs, k)));
		printf("%s %s to stop %s of %s (a start across hosts that "
		       "never finished; the log says how it goes)\n",
		       verb[0] == 'r' ? "asking" : "would ask",
		       hl[0] ? hl : "(no host)",
		       hs && json_object_array_length(hs) > 1 ? "their parts"
							      : "its part",
		       j_str(o, "topology"));
	}
}

static void
text_autostart(json_object *r)
{
	json_object *e = j_get(r, "entries");

	if (j_get(r, "added")) {
		printf("added %s to %s\n", j_str(r, "added"), j_str(r, "file"));
		return;
	}
	if (j_get(r, "removed")) {
		printf("removed %s (it keeps running if it runs)\n",
		       j_str(r, "removed"));
		return;
	}
	printf("autostart file %s\n", j_str(r, "file"));
	if (j_get(r, "error"))
		printf("  error: %s\n", j_str(r, "error"));
	if (e == NULL || json_object_array_length(e) == 0) {
		printf("  no entries\n");
		return;
	}
	printf("  %-9s %-12s %-28s %s\n", "NAME", "TOPOLOGY", "STATE",
	       "ATTEMPTS");
	for (size_t i = 0; i < json_object_array_length(e); i++) {
		json_object *o = json_object_array_get_idx(e, i);
		printf("  %-9s %-12s %-28s %lld\n", j_str(o, "name"),
		       j_str(o, "topology"), j_str(o, "state"),
		       j_int(o, "attempts", 0));
		if (j_get(o, "error"))
			printf("    last error: %s\n", j_str(o, "error"));
	}
}

static void
text_event(json_object *p)
{
	const char *kind = j_str(p, "kind");

	if (strcmp(kind, "hello") == 0) {
		json_object *t = j_get(p, "topologies");
		printf("watching (libvirt %s)\n", j_str(p, "libvirt"));
		if (t) {
			json_object_object_foreach(t, name, st)
			{
				printf("  %s: %s\n", name, j_text(st));
			}
		}
		return;
	}
	if (strcmp(kind, "libvirt") == 0)
		printf("libvirt: %s\n", j_str(p, "event"));
	else if (j_get(p, "node"))
		printf("%s/%s: %s [%s]\n", j_str(p, "topology"),
		       j_str(p, "node"), j_str(p, "event"), j_str(p, "state"));
	else
		printf("%s: %s [%s]\n", j_str(p, "topology"), j_str(p, "event"),
		       j_str(p, "state"));
}

const struct output text_output = {
    .version = text_version,
    .status = show_status,
    .started = show_topology,
    .stopped = text_stopped,
    .topologies = text_topologies,
    .plan = show_plan,
    .cleaned = text_cleaned,
    .autostart = text_autostart,
    .event = text_event,
    .error = text_error,
    .list = show_list,
    .hosts = show_hosts,
    .migrated = show_migrated,
    .progress = NULL, /* client.c's line, or bench's own */
};
