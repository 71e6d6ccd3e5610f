/*
 * The pinning planner: pure, no I/O.  Given the host's CPUs and the nodes
 * of a topology, decide which CPUs every thread kind may run on.
 *
 * Policy: candidate CPUs are the online CPUs (restricted to --cpus when
 * given).  When isolated CPUs are among them, vCPUs go there and everything
 * else stays on the rest (housekeeping).  Otherwise, while there are more
 * candidates than vCPUs, the lowest candidates are kept for housekeeping and
 * every vCPU gets a dedicated CPU of its own.  When the vCPUs do not fit,
 * they share CPUs round-robin, the emulator/vhost/io threads may use every
 * candidate, and the plan carries a warning saying exactly how.
 *
 * In detail (pin.c):
 *   - isolated candidates, and non-isolated ones left over: vCPUs take the
 *     lowest isolated CPUs, one each; housekeeping = every non-isolated
 *     candidate.  More vCPUs than isolated CPUs: they share the isolated
 *     CPUs round-robin (shared, warning); housekeeping stays off them.
 *     When every candidate is isolated, they count as ordinary ones.
 *   - otherwise, C candidates and V vCPUs in all: C > V: the lowest C - V
 *     are housekeeping, the highest V go one to each vCPU.  C <= V: shared,
 *     with a warning; vCPU k (counted over all nodes, node-major) gets
 *     candidate k mod C, and housekeeping = all candidates.
 *   - emulator and io threads: the housekeeping set (one entry per node,
 *     index 0); vhost thread j: one housekeeping CPU each, round-robin over
 *     all nodes, except that they float over the whole set when shared
 *     without isolated CPUs.
 *   - entries per node in this order: vcpu 0..v-1, emulator, vhost
 *     0..nics-1, io.
 *   - --cpus CPUs that are offline are dropped with a warning; none online
 *     is an error.
 */
#ifndef VR_PIN_H
#define VR_PIN_H

#include <sched.h>

#define PIN_MAX_NODES 32

enum pin_kind {
	PIN_VCPU,     /* vCPU thread ("CPU n/KVM", "CPU n/TCG") */
	PIN_EMULATOR, /* QEMU main loop and every other QEMU thread */
	PIN_VHOST,    /* vhost-net worker, one per NIC queue */
	PIN_IO,	      /* I/O threads (iothreads, netns backend NAPI kthreads) */
};

struct pin_input {
	cpu_set_t online;
	cpu_set_t isolated;
	cpu_set_t restrict_to; /* meaningful when has_restrict */
	int has_restrict;
	int nnodes;
	int vcpus[PIN_MAX_NODES]; /* vCPUs of node i */
	int nics[PIN_MAX_NODES];  /* vhost threads of node i (0: no vhost) */
};

struct pin_assign {
	int node;
	enum pin_kind kind;
	int index; /* vCPU number, NIC number; 0 for emulator */
	cpu_set_t cpus;
};

struct pin_plan {
	struct pin_assign *a; /* n entries, node-major, kind-ordered */
	int n;
	int shared;	     /* 1 when vCPUs share CPUs (request did not fit) */
	cpu_set_t vcpu_cpus; /* CPUs given to vCPUs */
	cpu_set_t housekeeping; /* CPUs for emulator/vhost/io */
	char warning[512];	/* "" when the plan fits */
};

/* 0, or -1 with err set (no candidate CPU, bad input).  Free with
 * pin_plan_free. */
int pin_plan_build(const struct pin_input *in, struct pin_plan *out, char *err,
		   size_t errlen);
void pin_plan_free(struct pin_plan *p);

/* The assignment for one thread, or NULL. */
const struct pin_assign *pin_plan_find(const struct pin_plan *p, int node,
				       enum pin_kind kind, int index);

const char *pin_kind_name(enum pin_kind k); /* "vcpu", "emulator", ... */
int pin_kind_parse(const char *s);	    /* -1 if unknown */

#endif
