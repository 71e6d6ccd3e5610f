/*
 * The nodes this host runs for another host's topology: a domain that
 * migrates in (migrate_prepare: "incoming", migrate_finish: arrived)
 * belongs to topology NAME whose home (the migrating host, "coordinator"
 * in the record) is another vrouterd.  STATE/NAME/hosted.json records it,
 * so this vrouterd neither adopts it as a topology of its own nor takes
 * it (or its migration-tagged wiring) for an orphan; the record goes when
 * the node leaves (migrate_abort).  Any thread: each call reads or
 * rewrites the file whole, under one lock.  The nodes of one topology
 * are hosted for one other host at a time.
 */
#ifndef VR_HOSTED_H
#define VR_HOSTED_H

#include <stddef.h>

#include <json-c/json.h>

/* The file in STATE/NAME. */
#define HOSTED_FILE "hosted.json"

/* Record node of topology name as hosted for coordinator (its home),
 * incoming (prepared, not arrived yet) or not (arrived).  0, or -1 with
 * err (errno EEXIST: nodes of name are hosted here for another host). */
int hosted_add(const char *name, const char *node, const char *coordinator,
	       int incoming, char *err, size_t errlen);
/* Forget node (the file goes with its last node).  0, or -1 with err. */
int hosted_remove(const char *name, const char *node, char *err, size_t errlen);
/* 1 when node of name is hosted here, with its coordinator in buf; 0
 * when it is not. */
int hosted_find(const char *name, const char *node, char *buf, size_t len);
/* How many nodes of name are hosted here, and for which host (home; ""
 * when none). */
int hosted_count(const char *name, char *home, size_t len);
/* Every hosted node: [{topology, node, domain, coordinator, state}],
 * state "incoming" or "running". */
json_object *hosted_list(void);

#endif
