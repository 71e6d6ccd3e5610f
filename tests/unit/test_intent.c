/*
 * The records of an unfinished start across hosts (daemon/intent.c):
 * part.json and coord.json read back as written, and refused when a field
 * is not a name vrouterd gives (the topology's is what the daemon removes
 * and stops at its next start, a peer's is a host it asks), names another
 * topology's directory, or is missing.
 */
#include <stdio.h>
#include <string.h>

#include "intent.h"
#include "t.h"

/* The record text parsed for directory dir: 0 or -1, err set. */
static int
parse(const char *text, const char *dir, struct intent *in, char *err,
      size_t errlen)
{
	json_object *j = json_tokener_parse(text);
	int rc;

	err[0] = '\0';
	rc = intent_from_json(j, dir, in, err, errlen);
	json_object_put(j);
	return rc;
}

static void
refused(const char *text, const char *want)
{
	struct intent in;
	char err[512];

	CHECK_INT(parse(text, "xh", &in, err, sizeof(err)), -1);
	if (strstr(err, want) == NULL) {
		fprintf(stderr, "%s: \"%s\" lacks \"%s\"\n", text, err, want);
		CHECK(0);
	}
}

int
main(void)
{
	struct intent in, back;
	char err[512];
	json_object *j;

	/* written, then read back: the same record */
	memset(&in, 0, sizeof(in));
	strcpy(in.topology, "xh");
	strcpy(in.coordinator, "a");
	strcpy(in.host, "a");
	in.backend = BACKEND_NETNS;
	strcpy(in.peers[in.npeers++], "b");
	strcpy(in.peers[in.npeers++], "host-c");
	in.since = 1764540000;
	j = intent_to_json(&in);
	CHECK_INT(intent_from_json(j, "xh", &back, err, sizeof(err)), 0);
	CHECK_STR(back.topology, "xh");
	CHECK_STR(back.coordinator, "a");
	CHECK_STR(back.host, "a");
	CHECK_INT(back.backend, BACKEND_NETNS);
	CHECK_INT(back.npeers, 2);
	CHECK_STR(back.peers[1], "host-c");
	CHECK_INT(back.since, 1764540000);
	/* read for another directory: refused, naming both */
	CHECK_INT(intent_from_json(j, "yy", &back, err, sizeof(err)), -1);
	CHECK(strstr(err, "'xh' is not its directory's (yy)") != NULL);
	json_object_put(j);

	/* a part's record: no peers */
	CHECK_INT(
	    parse("{\"format\": 1, \"topology\": \"xh\", \"coordinator\": "
		  "\"a\", \"host\": \"b\", \"backend\": \"vm\"}",
		  "xh", &back, err, sizeof(err)),
	    0);
	CHECK_INT(back.npeers, 0);
	CHECK_INT(back.backend, BACKEND_VM);
	CHECK_STR(back.host, "b");

	refused("[]", "not a record of format 1");
	refused("{\"format\": 2, \"topology\": \"xh\"}",
		"not a record of format 1");
	refused("{\"format\": 1, \"coordinator\": \"a\", \"host\": \"b\", "
		"\"backend\": \"vm\"}",
		"\"topology\" missing");
	refused("{\"format\": 1, \"topology\": \"../etc\", \"coordinator\": "
		"\"a\", \"host\": \"b\", \"backend\": \"vm\"}",
		"'../etc' is not a name vrouterd gives");
	refused("{\"format\": 1, \"topology\": \"xh\", \"coordinator\": "
		"\"a b\", \"host\": \"b\", \"backend\": \"vm\"}",
		"\"coordinator\": 'a b'");
	refused("{\"format\": 1, \"topology\": \"xh\", \"coordinator\": "
		"\"a\", \"host\": 7, \"backend\": \"vm\"}",
		"\"host\" missing or not a string");
	refused("{\"format\": 1, \"topology\": \"xh\", \"coordinator\": "
		"\"a\", \"host\": \"b\", \"backend\": \"lxc\"}",
		"\"backend\" missing or unknown");
	refused("{\"format\": 1, \"topology\": \"xh\", \"coordinator\": "
		"\"a\", \"host\": \"a\", \"backend\": \"vm\", \"peers\": "
		"[\"b\", \"-x\"]}",
		"\"peers\"[1]: '-x' is not a host name");
	refused("{\"format\": 1, \"topology\": \"xh\", \"coordinator\": "
		"\"a\", \"host\": \"a\", \"backend\": \"vm\", \"peers\": "
		"\"b\"}",
		"\"peers\": not an array");
	refused("{\"format\": 1, \"topology\": \"xh\", \"coordinator\": "
		"\"a\", \"host\": \"a\", \"backend\": \"vm\", \"peers\": "
		"[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\","
		"\"k\",\"l\",\"m\",\"n\",\"o\",\"p\",\"q\"]}",
		"at most 16 hosts");
	return t_done("test_intent");
}
