/*
 * The nodes this host runs for another host's topology: a domain that
 * migrated in (migrate_finish) belongs to topology NAME whose coordinator
 * is another vrouterd.  STATE/NAME/hosted.json records it, so this
 * vrouterd neither adopts it as a topology of its own nor takes it (or
 * its migration-tagged wiring) for an orphan; the record goes when the
 * node leaves (migrate_abort).  Any thread: each call reads or rewrites
 * the file whole (one migration of a topology at a time).
 */
#ifndef VR_HOSTED_H
#define VR_HOSTED_H

#include <stddef.h>

#include <json-c/json.h>

/* The file in STATE/NAME. */
#define HOSTED_FILE "hosted.json"

/* Record node of topology name as hosted for coordinator.  0, or -1
 * with err. */
int hosted_add(const char *name, const char *node, const char *coordinator,
	       char *err, size_t errlen);
/* Forget node (the file goes with its last node).  0, or -1 with err. */
int hosted_remove(const char *name, const char *node, char *err, size_t errlen);
/* 1 when node of name is hosted here, with its coordinator in buf; 0
 * when it is not. */
int hosted_find(const char *name, const char *node, char *buf, size_t len);
/* Every hosted node: [{topology, node, domain, coordinator}]. */
json_object *hosted_list(void);

#endif
