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
	cpu_set_t cpus;  /* current affinity */
	int last_cpu;    /* /proc/TID/stat field 39 */
	int policy;      /* SCHED_OTHER, SCHED_FIFO, ... */
	int priority;
};

/* All threads of QEMU process pid, sorted by kind then index.  Returns the
 * count (>= 0) with *out malloc'ed, or -1. */
int threads_list(pid_t pid, struct vthread **out);

/*
 * Apply the plan's assignments for node to the threads of pid; with
 * rt_prio > 0, vCPU threads get SCHED_FIFO at that priority.  Reads every
 * affinity back and fails on a mismatch.  0, or -1 with err.
 */
int threads_apply(pid_t pid, const struct pin_plan *plan, int node,
                  int rt_prio, char *err, size_t errlen);

/* The status array for a node's threads ("planned" from plan if given). */
json_object *threads_json(pid_t pid, const struct pin_plan *plan, int node);

const char *threads_policy_name(int policy);

#endif
