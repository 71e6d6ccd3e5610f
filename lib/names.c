/*
 * What each kind of name allows (lib/names.h): its length, the punctuation
 * it may hold besides a-z and 0-9, what may start it, and the phrase that
 * says so in every message that refuses one.  A new kind of name is a row.
 */
#include <string.h>

#include "names.h"
#include "topo.h"
#include "util.h"

static const struct name_rule {
	size_t max;	    /* characters, at least 1 */
	const char *punct;  /* allowed besides a-z and 0-9 */
	int first_digit;    /* may start with 0-9 */
	const char *first;  /* punctuation allowed first */
	const char *phrase; /* the rule, said */
} name_rules[NAME_KIND_COUNT] = {
    /* "vr-NAME-t00" must fit IFNAMSIZ */
    [NAME_INSTANCE] = {TOPO_NAME_LEN, "-", 1, "",
		       "1-8 characters a-z, 0-9 and '-', starting with a "
		       "letter or digit"},
    /* a file name component: no leading '-' (an option to every tool) */
    [NAME_FILE] = {63, "-_", 1, "_",
		   "1-63 characters a-z, 0-9, '-' and '_', not starting with "
		   "'-'"},
    /* a netns/interface suffix: IFNAMSIZ - 1 */
    [NAME_NODE] = {TOPO_IFNAMSIZ - 1, "-", 0, "",
		   "1-15 characters a-z, 0-9 and '-', starting with a letter"},
    /* a host: a DNS label, lowercase (a topology file's "host") */
    [NAME_HOST] = {63, "-", 1, "",
		   "1-63 characters a-z, 0-9 and '-', starting with a letter "
		   "or digit"},
};

int
name_ok(enum name_kind kind, const char *s)
{
	const struct name_rule *r;
	size_t n;

	if ((unsigned)kind >= NAME_KIND_COUNT || s == NULL)
		return 0;
	r = &name_rules[kind];
	n = strlen(s);
	if (n < 1 || n > r->max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int ok;

		if (c >= 'a' && c <= 'z')
			ok = 1;
		else if (c >= '0' && c <= '9')
			ok = i > 0 || r->first_digit;
		else
			ok = c != '\0' &&
			     strchr(i == 0 ? r->first : r->punct, c) != NULL;
		if (!ok)
			return 0;
	}
	return 1;
}

const char *
name_rule(enum name_kind kind)
{
	if ((unsigned)kind >= NAME_KIND_COUNT)
		return "";
	return name_rules[kind].phrase;
}

int
name_check(enum name_kind kind, const char *what, const char *s, char *err,
	   size_t errlen)
{
	if (name_ok(kind, s))
		return 0;
	msgf(err, errlen, "%s '%.64s': use %s", what, s ? s : "",
	     name_rule(kind));
	return -1;
}
