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
 *
 * The host's CPU topology (struct pin_cputopo, from sysfs) changes this only
 * when it matters: when the candidates include SMT siblings or span more
 * than one NUMA node, and the vCPUs fit (otherwise the rules above hold and
 * the warning says the topology was not considered).  Then:
 *   - housekeeping keeps the lowest candidate (non-isolated case) and every
 *     candidate no vCPU takes, as above;
 *   - nodes are placed in order, each on one NUMA node when it fits there:
 *     the fitting NUMA node with the most free CPUs (ties: the higher
 *     number).  With --smt avoid "fits" counts free cores; when no NUMA
 *     node has enough, the node spreads over NUMA nodes if that gives it
 *     distinct cores (warning), else takes a NUMA node where its vCPUs fit
 *     on CPUs (siblings, warning); when nothing fits it spreads (warning);
 *   - --smt avoid (the default): a node's vCPUs take one thread of distinct
 *     cores, whole free cores first, the lowest free thread of each; when
 *     there are not enough free cores anywhere the remaining vCPUs take
 *     sibling threads, with a warning saying which (not an error: the same
 *     policy as vCPUs sharing CPUs).  --smt share: a node's vCPUs fill every
 *     free thread of a core before the next;
 *   - a node's emulator, io and vhost threads go to the housekeeping CPUs
 *     of its NUMA node that are not siblings of vCPU CPUs, else to that
 *     NUMA node's housekeeping CPUs, else to all of them (with a note);
 *   - note says what was done; numa[n] is node n's NUMA node when the
 *     candidates span more than one (else -1).
 *
 * Where vhost threads go (--vhost-cpu, enum pin_vhost): housekeeping, as
 * above; vcpu: node n's vhost thread j on the CPUs of its vCPU j mod
 * vcpus[n]; dedicated: each vhost thread is planned like one more vCPU of
 * its node (counted in the fit, sharing round-robin with a warning when
 * they do not fit, on distinct cores with --smt avoid), then its entry is
 * given back to the vhost thread; vcpu_cpus holds the vCPUs' CPUs only.
 * The entries per node keep their order in every mode.
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

/* Where vhost threads run (pin.h, top). */
enum pin_vhost { PIN_VHOST_HOUSEKEEPING, PIN_VHOST_VCPU, PIN_VHOST_DEDICATED };

/* May a node's vCPUs be SMT siblings of one core? */
enum pin_smt { PIN_SMT_AVOID, PIN_SMT_SHARE };

/*
 * The host's CPU topology, per CPU: its package, its core (named by the
 * lowest CPU among its SMT siblings, so unique over packages) and its NUMA
 * node; -1 where unknown.  known = 0: nothing is known (every CPU counts as
 * a core of its own on one NUMA node).
 */
struct pin_cputopo {
	int known;
	short package[CPU_SETSIZE];
	short core[CPU_SETSIZE];
	short numa[CPU_SETSIZE];
};

struct pin_input {
	cpu_set_t online;
	cpu_set_t isolated;
	cpu_set_t restrict_to; /* meaningful when has_restrict */
	int has_restrict;
	int nnodes;
	int vcpus[PIN_MAX_NODES]; /* vCPUs of node i */
	int nics[PIN_MAX_NODES];  /* vhost threads of node i (0: no vhost) */
	enum pin_smt smt;
	enum pin_vhost vhost;	 /* --vhost-cpu */
	struct pin_cputopo topo; /* known = 0: ignore */
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
	int topo_used;		/* the CPU topology shaped the plan (pin.h) */
	enum pin_smt smt;
	int numa[PIN_MAX_NODES]; /* NUMA node of node i, -1: none/spread */
	char note[512];		 /* what the topology made it do */
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
const char *pin_smt_name(enum pin_smt s);   /* "avoid", "share" */
int pin_smt_parse(const char *s);	    /* -1 if unknown */
int pin_kind_parse(const char *s);	    /* -1 if unknown */
/* "housekeeping", "vcpu", "dedicated" */
const char *pin_vhost_name(enum pin_vhost v);
int pin_vhost_parse(const char *s); /* -1 if unknown */

#endif
