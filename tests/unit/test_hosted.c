/*
 * The record of the nodes a host runs for another host's topology
 * (daemon/hosted.c, docs/multihost.md): a node migrated in is recorded
 * with its coordinator, found, listed by status, and forgotten when it
 * leaves, the file going with the topology's last node; a record that is
 * not one (no "nodes" array) hosts nothing.  No root needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hosted.h"
#include "statedir.h"
#include "t.h"

static char top[] = "/tmp/vrhosted.XXXXXX";

static int
exists(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	return access(p, F_OK) == 0;
}

int
main(void)
{
	char err[512], coord[64], cmd[300];
	json_object *l;

	if (mkdtemp(top) == NULL ||
	    statedir_open(top, "/test.sock", err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	CHECK(hosted_find("mig", "vr0", coord, sizeof(coord)) == 0);
	CHECK(hosted_add("mig", "vr0", "a", err, sizeof(err)) == 0);
	CHECK(hosted_add("mig", "vr1", "a", err, sizeof(err)) == 0);
	CHECK(hosted_add("mig", "vr1", "a", err, sizeof(err)) == 0); /* once */
	CHECK(hosted_find("mig", "vr0", coord, sizeof(coord)) == 1);
	CHECK_STR(coord, "a");
	CHECK(hosted_find("mig", "vr00", coord, sizeof(coord)) == 0);
	CHECK(hosted_find("other", "vr0", coord, sizeof(coord)) == 0);
	l = hosted_list();
	CHECK_STR(json_object_to_json_string_ext(l, JSON_C_TO_STRING_PLAIN),
		  "[{\"topology\":\"mig\",\"node\":\"vr0\",\"domain\":"
		  "\"vrouterd-mig-vr0\",\"coordinator\":\"a\"},{\"topology\":"
		  "\"mig\",\"node\":\"vr1\",\"domain\":\"vrouterd-mig-vr1\","
		  "\"coordinator\":\"a\"}]");
	json_object_put(l);
	/* vr0 leaves: vr1 stays hosted, the file too */
	CHECK(hosted_remove("mig", "vr0", err, sizeof(err)) == 0);
	CHECK(hosted_find("mig", "vr0", coord, sizeof(coord)) == 0);
	CHECK(hosted_find("mig", "vr1", coord, sizeof(coord)) == 1);
	CHECK(exists("mig/" HOSTED_FILE));
	/* the last one: the file goes, the directory (console logs) stays */
	CHECK(hosted_remove("mig", "vr1", err, sizeof(err)) == 0);
	CHECK(!exists("mig/" HOSTED_FILE));
	CHECK(exists("mig"));
	CHECK(hosted_remove("mig", "vr1", err, sizeof(err)) == 0);
	CHECK(hosted_remove("never", "vr1", err, sizeof(err)) == 0);
	l = hosted_list();
	CHECK(json_object_array_length(l) == 0);
	json_object_put(l);
	/* not a record: nothing hosted */
	snprintf(cmd, sizeof(cmd),
		 "echo '{\"coordinator\": \"a\", \"nodes\": \"vr0\"}' > "
		 "'%s/mig/" HOSTED_FILE "'",
		 top);
	CHECK(system(cmd) == 0);
	CHECK(hosted_find("mig", "vr0", coord, sizeof(coord)) == 0);
	statedir_close();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", top);
	return t_done("test_hosted");
}
