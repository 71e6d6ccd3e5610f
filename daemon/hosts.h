/*
 * The `hosts` method: this host and every host of the configuration's
 * `hosts`, each asked over its SSH transport (peer.c), all at once.
 */
#ifndef VR_HOSTS_H
#define VR_HOSTS_H

#include "rpc.h"

void hosts_method(struct rpc_req *req);

#endif
