/*
 * The configuration file (daemon/config.c) is read by jtext like every
 * JSON file: an empty file is the defaults, and a key given twice (json-c
 * alone keeps the last one silently), a NUL byte or text after the object
 * is refused naming the file and the line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "t.h"

static char path[] = "/tmp/vrconfig.XXXXXX";

static void
put(const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	fwrite(text, 1, len, f);
	fclose(f);
}

/* config_load of text: its return, and err into buf. */
static int
load(const char *text, size_t len, char *err, size_t errlen)
{
	struct config c;

	put(text, len);
	err[0] = '\0';
	return config_load(path, 0, &c, err, errlen);
}

int
main(void)
{
	char err[512], want[600];
	int fd;

	if ((fd = mkstemp(path)) == -1)
		return 1;
	close(fd);
	CHECK_INT(load("", 0, err, sizeof(err)), 0);
	CHECK_INT(load("{\"request_timeout\": 5}\n", 23, err, sizeof(err)), 0);

	const char *dup = "{\"request_timeout\": 5,\n \"request_timeout\": 6}";
	CHECK_INT(load(dup, strlen(dup), err, sizeof(err)), -1);
	snprintf(
	    want, sizeof(want),
	    "%s: $.request_timeout: key given twice in one object (line 2)",
	    path);
	CHECK_STR(err, want);

	CHECK_INT(load("{}\n{}", 5, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s: line 2: not valid JSON: more text after the value", path);
	CHECK_STR(err, want);

	CHECK_INT(
	    load("{\"socket_mode\": \"0660\"}\0junk", 29, err, sizeof(err)),
	    -1);
	snprintf(want, sizeof(want), "%s: line 1: not valid JSON: a NUL byte",
		 path);
	CHECK_STR(err, want);

	CHECK_INT(load("[1]", 3, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s: the configuration must be a JSON object", path);
	CHECK_STR(err, want);

	unlink(path);
	return t_done("test_configfile");
}
