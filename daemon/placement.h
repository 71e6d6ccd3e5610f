/*
 * The placement axes of issue 14 in a running topology's status:
 * --vhost-cpu, --vhost-rt and --hugepages in the topology's "options"
 * (docs/protocol.md).  hugepages is read back from the nodes' live domain
 * XML; where each vhost thread runs and its policy and priority are read
 * back per thread (threads.c, "threads").
 */
#ifndef VR_PLACEMENT_H
#define VR_PLACEMENT_H

#include <json-c/json.h>

struct run;

/* Add the keys to status's "options" object (made when absent). */
void placement_status(const struct run *r, json_object *status);

/* At start, once vhost is decided: a warning in r->warnings when the vhost
 * axes were asked for but there will be no vhost thread to place. */
void placement_warn(struct run *r);

#endif
