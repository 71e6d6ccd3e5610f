/*
 * migrate internals shared by migrate.c (the coordinator's steps) and
 * migrate_peer.c (the other host's side): the tag of what a migration
 * makes, a VXLAN's description, and the wiring helpers both run on a
 * worker thread.  Not part of the module's interface (migrate.h).
 */
#ifndef VR_MIGRATE_INT_H
#define VR_MIGRATE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "netsetup.h"
#include "topo.h"

/* The alias prefix of every link a migration makes (migrate.c's top
 * comment: "NAME:NODE:" the node's taps, "NAME::" the shared ones). */
#define MIGRATE_ALIAS "vrouterd-migrate:"

struct mig_vx {
	char name[TOPO_IFNAMSIZ];
	char bridge[TOPO_IFNAMSIZ];
	uint32_t vni;
	int mtu;
};

/* The address this host sends from toward remote, and the path's MTU. */
int mig_underlay(const char *remote, char *local, size_t len, int *mtu,
		 int *v6);
/* One tap of a node, in bridge ("" none), MTU mtu (0: the kernel's). */
int mig_tap_make(struct ns_ctx *ns, const char *tap, const char *alias,
		 const char *bridge, int mq, int mtu, int qlen);
/* The unicast VXLAN x to remote, in its bridge; 0 when it exists with
 * x's VNI and remote as its only one; -1 with err otherwise (one that
 * exists toward another host is not reused). */
int mig_vx_make(struct ns_ctx *ns, const struct mig_vx *x, const char *alias,
		const char *local, const char *remote, char *err,
		size_t errlen);
/* Remove every link whose alias starts with prefix: bridges last. */
int mig_unwire_tagged(struct ns_ctx *ns, const char *prefix, char *err,
		      size_t errlen);

#endif
