/*
 * Node kinds: what a topology's nodes are (a libvirt VM, a network
 * namespace) behind one table of operations, so that deploy, status,
 * adoption, the restart policy and bench choose the kind once, with
 * node_kind_get, and never branch on it.
 *
 * Adding a kind: a file kind_NAME.c that defines
 * `const struct node_kind_ops kind_NAME` with every member below set (no
 * NULL hooks; no_guest as its comment says), its value in lib/topo.h's
 * enum topo_backend (and its name there), and its line in nodekind.c's
 * table.  The steps every kind shares (ports, internal networks, the
 * splitter, the undo record, rollback and teardown of links) are done
 * for it; a kind creates, checks and removes only its nodes.
 */
#ifndef VR_NODEKIND_H
#define VR_NODEKIND_H

#include <stddef.h>

#include <json-c/json.h>

#include "topo.h"

struct adopted;
struct deploy;
struct hostinfo;
struct job;
struct ns_ctx;
struct run;
struct vthread;

struct node_kind_ops {
	const char *name; /* topo_backend_name's */
	/* NULL when its nodes boot a guest (the accelerator, vhost, the
	 * guest image and the configured link kind apply); else why they
	 * do not, as status's accel_reason says it. */
	const char *no_guest;
	/* No events tell when a node goes: its state is polled each second. */
	int polled;
	/* A node's host ends go with the node (veth peers in its namespace):
	 * teardown waits for them before deleting links one by one. */
	int links_go_with_node;
	/* Its threads' label in bench's CPU accounting; NULL: their pin kind.
	 */
	const char *thread_label;

	/* ---- start: on the loop, before the job ------------------------- */
	/* What this host gives the nodes (accelerator, vhost, the guest
	 * image): r->kvm, r->vhost, their reasons and warnings, d->kernel
	 * and d->initrd.  0, or -1 with *code (PROTO_E_*) and err. */
	int (*host_fit)(struct run *r, struct deploy *d,
			const struct hostinfo *h, int *code, char *err,
			size_t errlen);

	/* ---- start, restart and stop: on a job's worker thread ---------- */
	/* Before anything is checked: what the kind needs of the host (the
	 * guest image, libvirt).  0, or -1 with deploy_fail. */
	int (*prepare)(struct deploy *d);
	/* The names its nodes need are free.  0, or -1 with deploy_fail. */
	int (*check)(struct deploy *d, struct ns_ctx *host);
	/* After ports and networks: create every node, wait until each is
	 * ready (d->boot_ms), pin it; every object pushed on the undo
	 * record.  0, or -1 with deploy_fail (deploy.c rolls back). */
	int (*start)(struct job *j, struct deploy *d, struct ns_ctx *host);
	/* Node n again, its old self removed first (the restart policy);
	 * d->code / d->err as deploy_restart_node says. */
	void (*restart)(struct job *j, struct deploy *d, int n);
	/* Remove one node object of the undo record (UNDO_DOMAIN) if it is
	 * the topology's.  0 (absent is fine), or -1 with err. */
	int (*destroy)(const char *name, const char *topology, char *err,
		       size_t errlen);
	/* Remove every node of p (before the links are deleted), skipping
	 * what is absent and refusing what is not p's (prefix: its tag).
	 * 0, or -1 with the failures appended to err ("; " between). */
	int (*teardown)(const struct topo_plan *p, const char *prefix,
			char *err, size_t errlen);

	/* ---- the supervisor: the loop's thread, never waiting long ------ */
	/* "running", "absent", libvirt's domain state ... (no blocking call) */
	const char *(*node_state)(const struct run *r, int n);
	/* Add what status says of node n beyond the plan (process, console
	 * log, namespace, threads) to its object o. */
	void (*node_status)(struct run *r, int n, json_object *o);
	/* What node n's live definition says of the axes, or NULL. */
	json_object *(*node_live)(const struct topo_plan *p, int n);
	/* The threads doing node n's work (threads.h); count, or -1 with err.
	 */
	int (*threads)(const struct topo_plan *p, int n, struct vthread **out,
		       char *err, size_t errlen);
	/* Apply the plan's placement to node n's threads.  0, or -1 with err.
	 */
	int (*pin)(const struct topo_plan *p, int n, char *err, size_t errlen);
	/* Topologies of this kind that an earlier vrouterd left running
	 * (adopt.h's shape), or -1 (logged).  on_libvirt: found through
	 * libvirt, so scanned whenever libvirt (re)connects; else once, when
	 * vrouterd starts. */
	int on_libvirt;
	int (*adopt_scan)(struct adopted **out, json_object *orphans);
	/* Without a state file: what runs the nodes (r->kvm, accel_reason). */
	void (*adopt_accel)(struct run *r);
	/* Node n of an adopted run: 0 when it is there (maybe still booting:
	 * nrt[n].booting), -1 when absent. */
	int (*adopt_node)(struct run *r, int n);
};

extern const struct node_kind_ops kind_vm, kind_netns;

/* The kind of a plan's nodes (its opts.backend); never NULL. */
const struct node_kind_ops *node_kind_get(enum topo_backend backend);
/* Every kind in turn: i = 0, 1, ... until NULL. */
const struct node_kind_ops *node_kind_at(int i);

#endif
