/*
 * Finding what an earlier vrouterd started: libvirt domains carrying our
 * metadata hold the whole plan; the state file beside the console logs
 * adds what libvirt does not know (start time, boot time, policy).  And
 * the debris: tagged links, namespaces and domains that belong to no
 * complete topology.
 */
#ifndef VR_ADOPT_H
#define VR_ADOPT_H

#include <json-c/json.h>

#include "topo.h"

struct adopted {
	struct topo_plan *plan; /* malloc'ed */
	int ndomains;		/* of plan->nnodes, how many exist */
	int nactive;		/* ... and run */
};

/*
 * Topologies whose domains exist.  Returns the count with *out malloc'ed
 * (free with adopt_free), 0 when there are none, -1 when libvirt is
 * unreachable.  Domains whose plan cannot be read are added to orphans.
 */
int adopt_scan(struct adopted **out, json_object *orphans);
void adopt_free(struct adopted *a, int n);

/* The text of element TAG (any namespace prefix) in xml, unescaped;
 * malloc'ed, or NULL. */
char *adopt_xml_text(const char *xml, const char *tag);

/*
 * Tagged links and namespaces ("vr-" ones whose lo carries a vrouterd
 * tag) whose topology is not in names (NULL-terminated): appended to
 * orphans as
 * {"kind":"link"|"netns"|"domain","name":...,"topology":...}.
 */
void adopt_orphans(const char *const *names, json_object *orphans);

/* Remove what adopt_orphans / adopt_scan reported.  0, or -1 with err. */
int adopt_cleanup(json_object *orphans, char *err, size_t errlen);

/* The state file of a topology: STATE_DIR/NAME/state.json (statedir.h:
 * never through a link; NULL when absent or unreadable, logged). */
int adopt_state_write(const char *name, json_object *state);
json_object *adopt_state_read(const char *name);

#endif
