/*
 * deploy internals shared by deploy.c (the order and rollback), deploy_*.c
 * (the common steps) and kind_*.c (the node kinds).  Not part of the module's interface.
 */
#ifndef VR_DEPLOY_INT_H
#define VR_DEPLOY_INT_H

#include <stddef.h>
#include <stdint.h>

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

/* deploy.c */
int deploy_fault(struct deploy *d, const char *step);
void deploy_rollback(struct deploy *d);

/* deploy_net.c */
int check_names_free(struct deploy *d, struct ns_ctx *host);
int port_setup(struct deploy *d, struct ns_ctx *host,
	       const struct topo_port *pt);
int segments_setup(struct deploy *d, struct ns_ctx *host);
int splitter_setup(struct deploy *d, struct ns_ctx *host);

/* kind_vm.c */
struct job;
int check_image(struct deploy *d);
int node_links_setup(struct deploy *d, struct ns_ctx *host,
		     const struct topo_node *nd);
int node_domain_start(struct deploy *d, int n, const char *plan_json);
int nodes_wait_ready(struct job *j, struct deploy *d, uint64_t t0, int only);
int deploy_pin(struct deploy *d, int only);

/* kind_netns.c */
int deploy_start_netns(struct job *j, struct deploy *d, struct ns_ctx *host);
void deploy_restart_netns(struct job *j, struct deploy *d, int n);
int deploy_netns_check(struct deploy *d, struct ns_ctx *host);
int deploy_netns_node(struct deploy *d, struct ns_ctx *host, int n);
int deploy_netns_pin(struct deploy *d, int n);
/* Remove node n's namespace and host ends (absent is fine).  0, or -1
 * with err. */
int deploy_netns_node_teardown(const struct topo_plan *p, struct ns_ctx *host,
			       int n, char *err, size_t errlen);
int deploy_netns_save_plan(struct deploy *d);

#endif
