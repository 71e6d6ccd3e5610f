/* Internals shared by topo.c, topo_plan.c and topo_json.c (not installed). */
#ifndef VR_TOPO_INT_H
#define VR_TOPO_INT_H

#include <stddef.h>

#include <json-c/json.h>

#include "topo.h"

void topo_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Apply the option keys of obj (request params or a plan's "options") to
 * o.  Absent keys keep their value; o is only written on success.
 */
int topo_opts_apply(json_object *obj, struct topo_opts *o, char *err,
		    size_t errlen);

/* "test" or "in=IF,out=IF" for o's ports. */
void topo_ports_format(const struct topo_opts *o, char *buf, size_t len);

#endif
