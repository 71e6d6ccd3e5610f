/*
 * The names a user gives vrouterd, and what each kind allows: one table
 * (lib/names.c) for instance names, topology-file names (also network and
 * experiment names) and node names, so the check and the message that
 * explains it cannot drift apart.
 */
#ifndef VR_NAMES_H
#define VR_NAMES_H

#include <stddef.h>

enum name_kind {
	NAME_INSTANCE, /* a running topology: part of every link name */
	NAME_FILE,     /* a topology file, a network, an experiment */
	NAME_NODE,     /* a node: becomes a netns or domain suffix */
	NAME_HOST,     /* a host of the daemon's config (`hosts`, host_name) */
	NAME_KIND_COUNT
};

/* 1 when s (may be NULL) is a valid name of that kind, else 0. */
int name_ok(enum name_kind kind, const char *s);

/* The rule as a phrase: "1-8 characters a-z, 0-9 and '-', starting with a
 * letter or digit". */
const char *name_rule(enum name_kind kind);

/* 0, or -1 with err set to "WHAT '%s': use RULE" (WHAT e.g. "name"). */
int name_check(enum name_kind kind, const char *what, const char *s, char *err,
	       size_t errlen);

#endif
