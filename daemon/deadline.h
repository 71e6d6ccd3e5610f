/*
 * SCHED_DEADLINE reservations for a topology's vCPU (--deadline) and vhost
 * (--vhost-deadline) threads: each thread goes into the exclusive cpuset
 * of the one CPU the plan pins it to (daemon/cpuset.c), then gets
 * sched_setattr(SCHED_DEADLINE, runtime, deadline = period), read back.
 */
#ifndef VR_DEADLINE_H
#define VR_DEADLINE_H

#include <stddef.h>

struct topo_plan;

/*
 * Reserve for every node of p (only >= 0: that node alone).  All or
 * nothing: on failure the cpusets are undone and err names the cause.
 * 0 (also when p asks for no reservation) or -1.
 */
int deadline_apply(const struct topo_plan *p, int only, char *err,
		   size_t errlen);

/* Before anything is made: the planned CPUs can get exclusive cpusets
 * (cpuset_check).  0 or -1 with err. */
int deadline_check(const struct topo_plan *p, char *err, size_t errlen);

/* Undo p's (or a gone topology's) cpusets; quiet when there are none. */
void deadline_release(const char *name);

/* The record of the cpusets made (cpuset.h), in the state directory. */
void deadline_record(char *buf, size_t len);

#endif
