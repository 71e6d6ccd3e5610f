/*
 * Private to the control socket (control.c) and the request API it gives
 * handlers (rpc.c): a client, a request, and the three calls rpc.c needs
 * from control.c.  No other file includes it.
 */
#ifndef VR_CONTROL_INT_H
#define VR_CONTROL_INT_H

#include <sys/types.h>
#include <sys/queue.h>

#include <stdint.h>

#include <json-c/json.h>

#include "proto.h"

struct control_client;

/* Queue msg on c's output (closing c when over its output limit). */
void control_send(struct control_client *c, json_object *msg);
/* Tear c down (later, when inside control_read). */
void control_close(struct control_client *c);
/* Arm c's request deadline (request_timeout). */
void control_deadline_arm(struct control_client *c);

#endif
