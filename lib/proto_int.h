/* Internals shared by proto.c and proto_rpc.c (not used outside lib/). */
#ifndef VR_PROTO_INT_H
#define VR_PROTO_INT_H

#include <json-c/json.h>

/* Hand data to *datap if it is still unset, else drop it. */
void proto_set_data(json_object **datap, json_object *data);

#endif
