/*
 * The one name rule (lib/names.c): accepted and refused names of each kind,
 * at the length limits and at the first character, and the message shape.
 */
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "t.h"
#include "util.h"

static const struct {
	enum name_kind kind;
	const char *name;
	int ok;
} cases[] = {
    /* instance: [a-z0-9][a-z0-9-]{0,7} */
    {NAME_INSTANCE, "mono", 1},
    {NAME_INSTANCE, "0", 1},
    {NAME_INSTANCE, "a-b-c-d-", 1},
    {NAME_INSTANCE, "abcdefgh", 1},
    {NAME_INSTANCE, "abcdefghi", 0},
    {NAME_INSTANCE, "", 0},
    {NAME_INSTANCE, "-a", 0},
    {NAME_INSTANCE, "a_b", 0},
    {NAME_INSTANCE, "_a", 0},
    {NAME_INSTANCE, "A", 0},
    {NAME_INSTANCE, "a.b", 0},
    {NAME_INSTANCE, NULL, 0},
    /* file: [a-z0-9_][a-z0-9_-]{0,62} */
    {NAME_FILE, "monolithic", 1},
    {NAME_FILE, "my_topo-2", 1},
    {NAME_FILE, "_x", 1},
    {NAME_FILE, "9lives", 1},
    {NAME_FILE, "a-", 1},
    {NAME_FILE, "-x", 0},
    {NAME_FILE, "", 0},
    {NAME_FILE, "a/b", 0},
    {NAME_FILE, "..", 0},
    {NAME_FILE, "a.json", 0},
    {NAME_FILE, "Mono", 0},
    {NAME_FILE, "a b", 0},
    {NAME_FILE, NULL, 0},
    /* node: [a-z][a-z0-9-]{0,14} */
    {NAME_NODE, "r1", 1},
    {NAME_NODE, "lb-0", 1},
    {NAME_NODE, "abcdefghijklmno", 1},
    {NAME_NODE, "abcdefghijklmnop", 0},
    {NAME_NODE, "1r", 0},
    {NAME_NODE, "-r", 0},
    {NAME_NODE, "r_1", 0},
    {NAME_NODE, "R1", 0},
    {NAME_NODE, "", 0},
    {NAME_NODE, NULL, 0},
    /* host: a lowercase DNS label, [a-z0-9][a-z0-9-]{0,62} */
    {NAME_HOST, "b", 1},
    {NAME_HOST, "host-2", 1},
    {NAME_HOST, "2nd", 1},
    {NAME_HOST, "-b", 0},
    {NAME_HOST, "B", 0},
    {NAME_HOST, "b.example", 0},
    {NAME_HOST, "b_1", 0},
    {NAME_HOST, "", 0},
    {NAME_HOST, NULL, 0},
};

int
main(void)
{
	char buf[80], err[256];
	/* the longest name each kind takes, and the phrase saying so */
	static const struct {
		enum name_kind kind;
		size_t max;
	} lim[] = {{NAME_INSTANCE, 8},
		   {NAME_FILE, 63},
		   {NAME_NODE, 15},
		   {NAME_HOST, 63}};

	for (size_t i = 0; i < nitems(cases); i++) {
		int ok = name_ok(cases[i].kind, cases[i].name);

		if (ok != cases[i].ok)
			fprintf(stderr, "kind %d '%s': %d, want %d\n",
				cases[i].kind,
				cases[i].name ? cases[i].name : "(null)", ok,
				cases[i].ok);
		CHECK_INT(ok, cases[i].ok);
		CHECK_INT(name_check(cases[i].kind, "name", cases[i].name, err,
				     sizeof(err)),
			  cases[i].ok ? 0 : -1);
	}
	for (size_t i = 0; i < nitems(lim); i++) {
		char want[16];

		memset(buf, 'a', lim[i].max + 1);
		buf[lim[i].max + 1] = '\0';
		CHECK_INT(name_ok(lim[i].kind, buf), 0);
		buf[lim[i].max] = '\0';
		CHECK_INT(name_ok(lim[i].kind, buf), 1);
		snprintf(want, sizeof(want), "1-%zu characters", lim[i].max);
		CHECK(strncmp(name_rule(lim[i].kind), want, strlen(want)) == 0);
	}
	CHECK_INT(name_check(NAME_INSTANCE, "name", "Mono", err, sizeof(err)),
		  -1);
	CHECK_STR(err, "name 'Mono': use 1-8 characters a-z, 0-9 and '-', "
		       "starting with a letter or digit");
	CHECK_STR(name_rule(NAME_FILE), "1-63 characters a-z, 0-9, '-' and "
					"'_', not starting with '-'");
	CHECK_STR(name_rule(NAME_NODE),
		  "1-15 characters a-z, 0-9 and '-', starting with a letter");
	CHECK_INT(name_ok(NAME_KIND_COUNT, "a"), 0);
	return t_done("test_names");
}
