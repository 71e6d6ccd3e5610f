/* `vrctl list` (vrctl/show_list.c, compiled in): the rows built from a
 * canned status (tests/golden/status-tcg.json) and their table against
 * tests/golden/list-tcg.txt; a status without topologies, and a topology
 * that lacks fields, print without inventing any. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "golden.h"
#include "t.h"
#include "vrctl.h"

static char *
list_text(json_object *status)
{
	json_object *l = ctl_list_from_status(status);
	char *buf = NULL;
	size_t len = 0;
	FILE *saved = stdout, *m = open_memstream(&buf, &len);

	stdout = m;
	show_list(l);
	fflush(m);
	stdout = saved;
	fclose(m);
	json_object_put(l);
	return buf;
}

int
main(void)
{
	json_object *j = json_object_from_file(GOLDEN_DIR "/status-tcg.json");
	json_object *l, *row, *t, *two;
	char *s;

	CHECK(j != NULL);
	/* the rows */
	l = ctl_list_from_status(j);
	CHECK_INT((int)json_object_array_length(j_get(l, "topologies")), 1);
	row = json_object_array_get_idx(j_get(l, "topologies"), 0);
	CHECK_STR(j_str(row, "name"), "m1");
	CHECK_STR(j_str(row, "topology"), "monolithic");
	CHECK_STR(j_str(row, "backend"), "vm");
	CHECK_STR(j_str(row, "state"), "running");
	CHECK_STR(j_str(row, "accel"), "tcg");
	CHECK_INT((int)j_int(row, "nodes", -1), 1);
	CHECK_INT((int)j_int(row, "uptime_s", -1), 60);
	CHECK_INT(json_object_object_length(row), 7);
	json_object_put(l);
	/* the table */
	s = list_text(j);
	golden_check("list-tcg.txt", s);
	free(s);

	/* a second topology with fields missing: "-", uptime null */
	two = json_tokener_parse("{\"name\": \"x\", \"state\": \"starting\"}");
	t = j_get(j, "topologies");
	json_object_array_add(t, two);
	l = ctl_list_from_status(j);
	row = json_object_array_get_idx(j_get(l, "topologies"), 1);
	CHECK_STR(j_str(row, "backend"), "-");
	CHECK_INT((int)j_int(row, "nodes", -1), 0);
	CHECK(j_get(row, "uptime_s") == NULL);
	CHECK(json_object_object_get_ex(row, "uptime_s", NULL));
	json_object_put(l);
	s = list_text(j);
	CHECK(strstr(s, "\nx         -              -           0  starting   -"
			"          -\n") != NULL);
	free(s);

	/* nothing running */
	json_object_object_add(j, "topologies", json_object_new_array());
	s = list_text(j);
	CHECK_STR(s, "no topology is running\n");
	free(s);
	json_object_put(j);
	return t_done("test_show_list");
}
