/*
 * deploy internals shared by deploy.c (the order and rollback), deploy_*.c
 * (the common steps) and kind_*.c (the node kinds).  Not part of the module's
 * interface.
 */
#ifndef VR_DEPLOY_INT_H
#define VR_DEPLOY_INT_H

#include <stddef.h>

#include "deploy.h"
#include "netsetup.h"

/*
 * The checks before anything is created run only when no topology of the
 * name runs (sup_start refuses that first, pointing at `vrctl stop`), so
 * an object of the name that exists is a leftover: of a start that did not
 * finish, or not ours.  The hint of their "exists already" errors; the
 * first %s is the topology name.
 */
#define DEPLOY_LEFTOVER_HINT                                                   \
	"no topology %s runs: a leftover of a start that did not finish? "     \
	"`vrctl cleanup` removes what vrouterd left"

int deploy_fail(struct deploy *d, int code, const char *step, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));
void deploy_undo_push(struct deploy *d, enum undo_kind kind, const char *name);
/* "vrouterd:NAME:ROLE", and its "vrouterd:NAME:" prefix */
void deploy_alias(const struct topo_plan *p, const char *role, char *buf,
		  size_t len);
void deploy_alias_prefix(const struct topo_plan *p, char *buf, size_t len);
/* The bridge an interface joins: its port's (maybe none) or its segment's. */
const char *deploy_if_bridge(const struct topo_plan *p,
			     const struct topo_if *f);

/* deploy.c: the fault test hook (VROUTERD_FAULT); the undo record run */
int deploy_fault(struct deploy *d, const char *step);
void deploy_rollback(struct deploy *d);

/* deploy_net.c: the steps every kind shares.  0, or -1 with deploy_fail */
int deploy_check_names(struct deploy *d, struct ns_ctx *host);
int deploy_port_setup(struct deploy *d, struct ns_ctx *host,
		      const struct topo_port *pt);
int deploy_segments_setup(struct deploy *d, struct ns_ctx *host);
int deploy_splitter_setup(struct deploy *d, struct ns_ctx *host);
int deploy_vxlans_setup(struct deploy *d, struct ns_ctx *host);
/* After the nodes: every member of a network across hosts at its MTU. */
int deploy_mtu_apply(struct deploy *d, struct ns_ctx *host);

/* deploy_teardown.c */
/* Remove n node objects at once, each by destroy(name, owner, ...), one
 * thread each; 0, or -1 with every failure appended to err. */
int deploy_teardown_nodes(const char *const *names, int n, const char *owner,
			  int (*destroy)(const char *, const char *, char *,
					 size_t),
			  char *err, size_t errlen);
/* Delete namespace name if tagged with prefix (absent is fine); a failure
 * is appended to err at *off. */
void deploy_teardown_netns(const char *name, const char *prefix, char *err,
			   size_t errlen, size_t *off);

#endif
