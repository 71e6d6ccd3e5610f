/*
 * Carrying out a plan on the host (start) and taking it down (stop).
 * deploy_start runs on a job's worker thread; it is all-or-nothing: on any
 * failure everything it created is removed again, newest first, and
 * d->code / d->err say which step failed and why.
 */
#ifndef VR_DEPLOY_H
#define VR_DEPLOY_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "job.h"
#include "topo.h"
#include "topo_hosts.h"

#define DEPLOY_MAX_UNDO 256

enum undo_kind { UNDO_NETNS, UNDO_LINK, UNDO_DOMAIN, UNDO_CPUSET };

struct deploy_undo {
	enum undo_kind kind;
	char name[64];
};

/* A VXLAN this host's part of a topology across hosts holds (part.c):
 * name (deploy_vxlan_name), the bridge it joins, VNI, MTU, endpoints. */
struct deploy_vxlan {
	char name[TOPO_IFNAMSIZ];
	char bridge[TOPO_IFNAMSIZ];
	uint32_t vni;
	int mtu;
	char local[48];
	char remotes[TOPO_MAX_HOSTS][48];
	int nremotes;
};

struct deploy {
	/* inputs */
	const struct topo_plan *plan; /* borrowed; not changed by the job */
	char kernel[PATH_MAX];
	char initrd[PATH_MAX];
	char rundir[PATH_MAX]; /* console logs: RUNDIR/NODE.console.log */
	int rundir_fd; /* STATE_DIR/NAME (statedir.h) while the job runs */
	int kvm;
	int vhost;
	/* the VXLANs of this host's part (none on one host) */
	struct deploy_vxlan vxlans[TOPO_MAX_NETS];
	int nvxlans;
	/* outputs */
	int code;      /* 0, or a PROTO_E_* code */
	char step[32]; /* the step that failed */
	char err[2048];
	char console_tail[4096]; /* of the node that failed to become ready */
	uint64_t boot_ms;	 /* domain created -> last node READY */
	/* routes= of each node's READY line (its main FIB's prefixes);
	 * -1 when the line had none (netns nodes, older images) */
	long routes[TOPO_MAX_NODES];
	char warnings[1024];
	/* what was created, for rollback */
	struct deploy_undo undo[DEPLOY_MAX_UNDO];
	int nundo;
};

void deploy_start(struct job *j, struct deploy *d);

/* Recreate node n from d->plan by its kind (nodekind.h: a VM's links are
 * still there, a netns node is made anew), wait for it and pin it: the
 * restart policy.  d->code / d->err as above; on failure what was made
 * again is removed. */
void deploy_restart_node(struct job *j, struct deploy *d, int n);

/*
 * Remove everything a plan names (domains, links, namespaces), skipping
 * what is absent and refusing what is not vrouterd's.  0, or -1 with err
 * listing what could not be removed.
 */
int deploy_teardown(const struct topo_plan *p, char *err, size_t errlen);

/* The VXLAN device that carries the network whose bridge is bridge to
 * other hosts: the bridge's name with the letter after its last '-' made
 * 'x' ("vr-NAME-n0" -> "vr-NAME-x0", "vr-NAME-bo" -> "vr-NAME-xo"). */
void deploy_vxlan_name(const char *bridge, char *buf, size_t len);

/* Console log of node n: its name in the run directory, and its path. */
void deploy_console_file(const struct topo_node *n, char *buf, size_t len);
void deploy_console_path(const char *rundir, const struct topo_node *n,
			 char *buf, size_t len);
/* The last lines of a console log (file in dirfd; at most len bytes), for
 * errors: read from its last DEPLOY_CONSOLE_TAIL_MAX bytes, not its
 * start. */
#define DEPLOY_CONSOLE_TAIL_MAX (64 << 10)
void deploy_console_tail(int dirfd, const char *file, char *buf, size_t len);
/*
 * Scan what was appended to a console log (file in dirfd, never through a
 * link) since *off (advanced past the complete lines read) for the guest's
 * VROUTERD-READY / VROUTERD-FAIL line of node: 1 ready (the rest of the
 * READY line, "uptime_ms=N routes=N", in why), 0 not yet, -1 failed (the
 * guest's reason in why).  The supervisor keeps *off per node
 * (struct node_rt), so a booting guest's log is read once, not every tick.
 * A marker split between two calls is
 * found by the second; a log shorter than *off (truncated, or rotated by
 * virtlogd) is read again from 0.
 */
int deploy_console_scan(int dirfd, const char *file, const char *node,
			off_t *off, char *why, size_t whylen);
/* The routes=N of a READY line's rest (deploy_console_scan's why), or -1. */
long deploy_ready_routes(const char *rest);

#endif
