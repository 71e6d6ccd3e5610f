/*
 * The record of the nodes a host runs for another host's topology
 * (daemon/hosted.c, docs/multihost.md): a node migrated in is recorded
 * with its coordinator, found, listed by status, and forgotten when it
 * leaves, the file going with the topology's last node; a record that is
 * not one (no "nodes" array) hosts nothing; a node is "incoming" from
 * migrate_prepare until migrate_finish; one other host's nodes of a
 * topology at a time; threads adding and removing at once lose no
 * record.  No root needed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hosted.h"
#include "statedir.h"
#include "t.h"

static char top[] = "/tmp/vrhosted.XXXXXX";

#define RACE_THREADS 8
#define RACE_ROUNDS  40

/* One home's worker: adds its node, drops it, adds it again, as
 * prepare, abort and finish do on a host's worker threads. */
static void *
race(void *arg)
{
	char node[16], err[512];
	int i = (int)(long)arg, bad = 0;

	snprintf(node, sizeof(node), "vr%d", i);
	for (int k = 0; k < RACE_ROUNDS; k++) {
		bad |= hosted_add("race", node, "a", 1, err, sizeof(err)) == -1;
		if (k + 1 < RACE_ROUNDS)
			bad |=
			    hosted_remove("race", node, err, sizeof(err)) == -1;
	}
	bad |= hosted_add("race", node, "a", 0, err, sizeof(err)) == -1;
	return (void *)(long)bad;
}

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
	CHECK(hosted_count("mig", coord, sizeof(coord)) == 0);
	CHECK_STR(coord, "");
	/* prepared: incoming, hosted already (not adopted, not an orphan) */
	CHECK(hosted_add("mig", "vr0", "a", 1, err, sizeof(err)) == 0);
	CHECK(hosted_find("mig", "vr0", coord, sizeof(coord)) == 1);
	l = hosted_list();
	CHECK_STR(json_object_to_json_string_ext(l, JSON_C_TO_STRING_PLAIN),
		  "[{\"topology\":\"mig\",\"node\":\"vr0\",\"domain\":"
		  "\"vrouterd-mig-vr0\",\"coordinator\":\"a\",\"state\":"
		  "\"incoming\"}]");
	json_object_put(l);
	/* arrived */
	CHECK(hosted_add("mig", "vr0", "a", 0, err, sizeof(err)) == 0);
	CHECK(hosted_add("mig", "vr1", "a", 0, err, sizeof(err)) == 0);
	CHECK(hosted_add("mig", "vr1", "a", 0, err, sizeof(err)) ==
	      0); /* once */
	/* another home's node of the same topology: refused, naming it */
	errno = 0;
	CHECK(hosted_add("mig", "vr2", "c", 1, err, sizeof(err)) == -1);
	CHECK(errno == EEXIST);
	CHECK(strstr(err, "for host a already") != NULL);
	CHECK(hosted_find("mig", "vr2", coord, sizeof(coord)) == 0);
	CHECK(hosted_count("mig", coord, sizeof(coord)) == 2);
	CHECK_STR(coord, "a");
	CHECK(hosted_find("mig", "vr0", coord, sizeof(coord)) == 1);
	CHECK_STR(coord, "a");
	CHECK(hosted_find("mig", "vr00", coord, sizeof(coord)) == 0);
	CHECK(hosted_find("other", "vr0", coord, sizeof(coord)) == 0);
	l = hosted_list();
	CHECK_STR(json_object_to_json_string_ext(l, JSON_C_TO_STRING_PLAIN),
		  "[{\"topology\":\"mig\",\"node\":\"vr0\",\"domain\":"
		  "\"vrouterd-mig-vr0\",\"coordinator\":\"a\",\"state\":"
		  "\"running\"},{\"topology\":\"mig\",\"node\":\"vr1\","
		  "\"domain\":\"vrouterd-mig-vr1\",\"coordinator\":\"a\","
		  "\"state\":\"running\"}]");
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
	/* the other home, once the first one's nodes are gone */
	CHECK(hosted_add("mig", "vr2", "c", 1, err, sizeof(err)) == 0);
	CHECK(hosted_remove("mig", "vr2", err, sizeof(err)) == 0);
	/* worker threads at once: every node recorded, none lost */
	{
		pthread_t t[RACE_THREADS];
		void *bad;
		int fails = 0, found = 0;

		for (long i = 0; i < RACE_THREADS; i++)
			CHECK(pthread_create(&t[i], NULL, race, (void *)i) ==
			      0);
		for (int i = 0; i < RACE_THREADS; i++) {
			pthread_join(t[i], &bad);
			fails += bad != NULL;
		}
		CHECK(fails == 0);
		for (int i = 0; i < RACE_THREADS; i++) {
			char node[16];

			snprintf(node, sizeof(node), "vr%d", i);
			found +=
			    hosted_find("race", node, coord, sizeof(coord));
		}
		CHECK(found == RACE_THREADS);
		CHECK(hosted_count("race", NULL, 0) == RACE_THREADS);
	}
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
