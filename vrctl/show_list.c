/*
 * `vrctl list`: one line per running topology, taken from the daemon's
 * status result (no method of its own: status has every field).  The
 * list is built once here and printed by either output (text table, or
 * the list object itself with --json).
 */
#include <stdio.h>
#include <string.h>

#include "vrctl.h"

/* The members of a status topology that a list row keeps. */
static const char *const list_strings[] = {"name",  "topology", "backend",
					   "state", "accel",	NULL};

json_object *
ctl_list_from_status(json_object *status)
{
	json_object *t = j_get(status, "topologies"), *list, *rows;
	size_t n = t != NULL && json_object_is_type(t, json_type_array)
		       ? json_object_array_length(t)
		       : 0;

	list = json_object_new_object();
	rows = json_object_new_array();
	json_object_object_add(list, "topologies", rows);
	for (size_t i = 0; i < n; i++) {
		json_object *src = json_object_array_get_idx(t, i), *row,
			    *nodes;

		row = json_object_new_object();
		for (size_t k = 0; list_strings[k] != NULL; k++)
			json_object_object_add(row, list_strings[k],
					       json_object_new_string(j_str(
						   src, list_strings[k])));
		nodes = j_get(src, "nodes");
		json_object_object_add(
		    row, "nodes",
		    json_object_new_int(
			nodes != NULL &&
				json_object_is_type(nodes, json_type_array)
			    ? (int)json_object_array_length(nodes)
			    : 0));
		json_object_object_add(
		    row, "uptime_s",
		    j_get(src, "uptime_s") != NULL
			? json_object_new_int64(j_int(src, "uptime_s", 0))
			: NULL);
		json_object_array_add(rows, row);
	}
	return list;
}

void
show_list(json_object *list)
{
	json_object *rows = j_get(list, "topologies");
	size_t n = rows != NULL ? json_object_array_length(rows) : 0;
	char up[32];

	if (n == 0) {
		printf("no topology is running\n");
		return;
	}
	printf("%-9s %-14s %-7s %5s  %-10s %-10s %s\n", "NAME", "TOPOLOGY",
	       "BACKEND", "NODES", "STATE", "UPTIME", "ACCEL");
	for (size_t i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(rows, i);

		printf("%-9s %-14s %-7s %5lld  %-10s %-10s %s\n",
		       j_str(r, "name"), j_str(r, "topology"),
		       j_str(r, "backend"), j_int(r, "nodes", 0),
		       j_str(r, "state"),
		       show_uptime(j_int(r, "uptime_s", -1), up, sizeof(up)),
		       j_str(r, "accel"));
	}
}
