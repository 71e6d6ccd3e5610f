/*
 * Exclusive cpusets for SCHED_DEADLINE threads.  The kernel admits a
 * deadline reservation only for a thread whose affinity spans its whole
 * root domain, so a thread pinned to CPU N needs a root domain of {N}: a
 * cpuset of its own, exclusive, with load balancing off above it.  This
 * module makes them under the cpuset hierarchy it finds in
 * /proc/self/mountinfo (or VR_CGROUP_ROOT, a fake tree for tests):
 *
 *   v1  ROOT/vrouterd-housekeeping  cpus = ROOT's minus ours, balanced
 *       ROOT/vrouterd               cpus = every topology's, exclusive,
 *                                   sched_load_balance 0 (and ROOT's 0)
 *       ROOT/vrouterd/NAME          cpus = the topology's, exclusive, 0
 *       ROOT/vrouterd/NAME/cpuN     cpus = N, exclusive, balanced
 *   v2  ROOT/vrouterd, .../NAME, .../NAME/cpuN: threaded cgroups with
 *       cpuset.cpus.partition "root" (read back: not "root invalid"),
 *       "+cpuset" in ROOT's cgroup.subtree_control when it was not.
 *
 * Everything it makes or changes is first written to a record (a JSON
 * file in the state directory: what to rmdir, what to write back, where
 * each moved thread came from and its old policy), so that stop, a failed
 * start and a restarted daemon undo exactly that and nothing else.
 */
#ifndef VR_CPUSET_H
#define VR_CPUSET_H

#include <sched.h>
#include <stddef.h>
#include <sys/types.h>

struct cpuset_hier {
	int version;	 /* 1 or 2 */
	int fake;	 /* VR_CGROUP_ROOT: a plain directory tree */
	char root[4096]; /* the hierarchy's root directory */
};

/* Find the cpuset hierarchy.  0, or -1 with err saying none is mounted. */
int cpuset_find(struct cpuset_hier *h, char *err, size_t errlen);

/*
 * Make topology name's cpusets, one per CPU of cpus, recorded in record
 * (a file path).  All or nothing: on failure whatever it made is undone.
 * Making them again for a name that has them is a no-op.  0 or -1 with err.
 */
int cpuset_setup(const char *record, const char *name, const cpu_set_t *cpus,
		 char *err, size_t errlen);

/* What setup checks before it makes anything (the hierarchy, CPUs of
 * another topology, another cpuset over them): 0 or -1 with err. */
int cpuset_check(const char *record, const char *name, const cpu_set_t *cpus,
		 char *err, size_t errlen);

/* Move thread tid into name's cpuset of cpu, remembering where it was and
 * its policy (policy, prio) for the undo.  0 or -1 with err. */
int cpuset_attach(const char *record, const char *name, int cpu, pid_t tid,
		  int policy, int prio, char *err, size_t errlen);

/*
 * Undo name's part: threads get their old policy and go back where they
 * were, its directories go, and with the last topology the shared ones
 * and every flag changed.  Quiet when there is nothing to undo; problems
 * are logged.  0, or -1 when something could not be undone.
 */
int cpuset_release(const char *record, const char *name);

/* Release every topology in record for which live(name) is 0 (a daemon
 * restarted after its topologies went). */
void cpuset_reap(const char *record, int (*live)(const char *name));

#endif
