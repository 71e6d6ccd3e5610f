/*
 * The threads of a running node and their placement: discovery from /proc
 * (QEMU names its threads "CPU n/TCG", "CPU n/KVM", "IO iothreadN"; vhost
 * workers are "vhost-PID", inside QEMU's thread group on kernels >= 6.4 and
 * kernel threads before), sched_setaffinity / SCHED_FIFO, read-back.
 */
#ifndef VR_THREADS_H
#define VR_THREADS_H

#include <sched.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "pin.h"

struct vthread {
	pid_t tid;
	enum pin_kind kind;
	int index;
	char name[32];
	cpu_set_t cpus; /* current affinity */
	int last_cpu;	/* /proc/TID/stat field 39 */
	int policy;	/* SCHED_OTHER, SCHED_FIFO, ... */
	int priority;
	unsigned long long dl_runtime, dl_period; /* SCHED_DEADLINE, ns */
	char dev[16]; /* netns nodes: the interface whose NAPI it runs */
};

/* All threads of QEMU process pid, sorted by kind then index.  Returns the
 * count (>= 0) with *out malloc'ed, or -1. */
int threads_list(pid_t pid, struct vthread **out);

/*
 * Apply the plan's assignments for node to the threads of pid; with
 * rt_prio > 0, vCPU threads get SCHED_FIFO at that priority, with
 * vhost_rt > 0 vhost workers at that one.  Reads every affinity back and
 * fails on a mismatch.  0, or -1 with err.
 */
int threads_apply(pid_t pid, const struct pin_plan *plan, int node, int rt_prio,
		  int vhost_rt, char *err, size_t errlen);

/* The status array for a node's threads ("planned" from plan if given). */
json_object *threads_json(pid_t pid, const struct pin_plan *plan, int node);

/* "other", "fifo", "rr", "batch", "idle", "deadline" (status "policy") */
const char *threads_policy_name(int policy);

/*
 * The netns backend: a node's work is the receive processing of its
 * interfaces, done by threaded NAPI kernel threads ("napi/eth0-ID"), one
 * per rx queue; there are as many queues as the node has "vCPUs".  They
 * are found through the netdev netlink family inside the node's
 * namespace (netsetup.h, nl_napi_list) and stand in for vCPU threads: the
 * thread of queue q of every interface of node n gets the plan's vCPU q
 * CPUs of that node (PIN_VCPU, index q), and SCHED_FIFO with rt_prio.
 */
struct topo_plan;
int threads_netns_list(const struct topo_plan *p, int node,
		       struct vthread **out, char *err, size_t errlen);
int threads_netns_apply(const struct topo_plan *p, int node, int rt_prio,
			char *err, size_t errlen);
json_object *threads_netns_json(const struct topo_plan *p, int node);

#endif
