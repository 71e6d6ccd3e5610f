/*
 * --vhost-zerocopy: the vhost_net module's experimental_zcopytx parameter,
 * read from sysfs, checked against what the start asks for and reported in
 * status.  vrouterd never loads or reloads the module: it says how.
 */
#ifndef VR_VHOSTNET_H
#define VR_VHOSTNET_H

#include <stddef.h>

#include <json-c/json.h>

#include "topo.h"

/* A test root holding fake sys/ and proc/ trees (VR_AXES_ROOT), or "". */
const char *vhostnet_root(void);
/* 1 on, 0 off, -1 the module is not loaded (no parameter file). */
int vhostnet_zcopytx(const char *root);
/* 0 when o->vhost_zerocopy is ZCOPY_ANY or holds; -1 with err naming the
 * value read and the modprobe commands, or that vhost_net is not loaded. */
int vhostnet_check(const struct topo_opts *o, const char *root, char *err,
		   size_t errlen);
/* {"loaded": bool, "experimental_zcopytx": "on"|"off" (when loaded),
 * "required": "on"|"off" (when asked), "note"}: read now. */
json_object *vhostnet_json(const struct topo_opts *o, const char *root);

#endif
