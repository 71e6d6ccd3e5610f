/*
 * Host facts: CPUs and their topology (packages, cores, SMT siblings, NUMA
 * nodes), kernel, accelerator and vhost-net availability.  Reads
 * /proc and /sys only (paths relative to a root prefix so tests can feed a
 * fake tree).
 */
#ifndef VR_HOSTINFO_H
#define VR_HOSTINFO_H

#include <sched.h>

#include "topo.h"

struct hostinfo {
	int ncpus; /* online CPUs */
	cpu_set_t online;
	cpu_set_t isolated;   /* /sys/devices/system/cpu/isolated */
	cpu_set_t nohz_full;  /* /sys/devices/system/cpu/nohz_full */
	char cpu_model[128];  /* /proc/cpuinfo "model name" */
	char kernel[128];     /* uname -r */
	int kvm_dev;	      /* /dev/kvm exists */
	int kvm_usable;	      /* can run ordinary guests */
	char kvm_reason[256]; /* why (not) */
	int vhost_net;	      /* /dev/vhost-net exists and opens */
	char vhost_reason[256];
	/* CPU topology of the online CPUs (sysfs cpuN/topology, nodeN) */
	struct pin_cputopo topo;
	int npackages, ncores, nnuma; /* distinct ones; 0 when unknown */
};

/* root: "" or NULL for the real system, else a directory holding a fake
 * proc/ sys/ dev/ tree (unit tests).  0, or -1 with errno set. */
int hostinfo_read(struct hostinfo *h, const char *root);

/*
 * Decide the accelerator: auto picks kvm when usable, else tcg; forcing is
 * honoured (kvm when unusable is refused with the reason).  Returns
 * ACCEL_KVM or ACCEL_TCG, or -1 with reason set; reason always says why.
 */
int hostinfo_accel(const struct hostinfo *h, enum topo_accel requested,
		   char *reason, size_t len);

/*
 * The CPU topology as recorded in status and bench records ("topology" of
 * "host"): {"known", "packages", "cores", "numa_nodes", "smt_siblings":
 * ["0,8", ...] (cores with more than one online thread), "numa":
 * {"0": "0-3,8-11", ...}}.
 */
json_object *hostinfo_topology_json(const struct hostinfo *h);

#endif
