/*
 * The records of a start across hosts that has not finished (intent.c):
 * STATE/NAME/part.json on a host deploying its part, STATE/NAME/coord.json
 * on the coordinator while it asks the other hosts.  Each is written and
 * synced before anything is made, and removed once the start has finished
 * (or rolled back); one found when vrouterd starts is a start it was
 * killed in, and what it made is removed (docs/multihost.md).
 */
#ifndef VR_INTENT_H
#define VR_INTENT_H

#include <stddef.h>

#include <json-c/json.h>

#include "topo.h"
#include "topo_hosts.h"

#define INTENT_PART  "part.json"
#define INTENT_COORD "coord.json"

struct intent {
	char topology[TOPO_NAME_LEN + 1];
	char coordinator[TOPO_HOST_LEN + 1];
	char host[TOPO_HOST_LEN + 1]; /* the part's host: this one */
	enum topo_backend backend;
	/* coord.json: the other hosts asked for their part */
	char peers[TOPO_MAX_HOSTS][TOPO_HOST_LEN + 1];
	int npeers;
	long long since; /* wall clock, for people */
};

/* The record as written ("format": 1). */
json_object *intent_to_json(const struct intent *in);
/* Read one back: the record of topology dir (its directory's name), of
 * every field a name vrouterd gives.  0, or -1 with err. */
int intent_from_json(json_object *j, const char *dir, struct intent *in,
		     char *err, size_t errlen);

/* Write file (INTENT_PART, INTENT_COORD) in STATE/NAME, synced with its
 * directory.  0, or -1 with err. */
int intent_write(const char *file, const struct intent *in, char *err,
		 size_t errlen);
/* Remove it (the start finished or was rolled back). */
void intent_clear(const char *name, const char *file);
/* Does STATE/NAME/part.json exist (adoption leaves such a topology)? */
int intent_part_pending(const char *name);

/* When vrouterd starts (libvirt 0) and whenever libvirt connects (1):
 * the parts whose start never finished and that run no start now are
 * removed (what is tagged as theirs), logged, and their records with
 * them; a part of a backend on libvirt waits for libvirt. */
void intent_reap_parts(int libvirt);
/* When vrouterd starts and at each reload: each coord.json of a start
 * that never finished makes each peer named in it stop its part; a peer
 * that cannot be told stays in the record (logged), for the next time. */
void intent_reap_coord(void);
/* The coord.json records of starts that never finished, other than one
 * under way here: [{"topology", "hosts": [names still to be told stop],
 * "since", "asking": being asked now}] (`cleanup` lists them and asks
 * again, as a reload does). */
json_object *intent_coord_pending(void);
/* Is an earlier start of name being undone on its peers (a new start
 * waits)? */
int intent_coord_busy(const char *name);
/* A start this vrouterd coordinated could not tell every host to stop
 * its part: coord.json (naming those) is left to intent_reap_coord, at
 * the next reload or start, as an earlier daemon's would be. */
void intent_coord_release(const char *name);
/* Is there such a record of name, no start under way's (1, in filled)? */
int intent_coord_kept(const char *name, struct intent *in);

#endif
