/*
 * SCHED_DEADLINE for pinned threads (deadline.h).  Which threads and CPUs
 * come from the pinning plan; the cpusets from cpuset.c, recorded in
 * STATE/cpuset.json so that stop, a failed start and a restarted daemon
 * undo them.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cpuset.h"
#include "deadline.h"
#include "log.h"
#include "statedir.h"
#include "threads.h"
#include "topo.h"
#include "util.h"
#include "vm.h"

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

struct dl_attr {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
};

void
deadline_record(char *buf, size_t len)
{
	snprintf(buf, len, "%s/cpuset.json", statedir_path());
}

/* The reservation for a thread of this kind, or NULL. */
static const struct dlparam *
deadline_for(const struct topo_plan *p, const struct vthread *t)
{
	const struct dlparam *d = t->kind == PIN_VCPU ? &p->opts.deadline
				  : t->kind == PIN_VHOST
				      ? &p->opts.vhost_deadline
				      : NULL;

	return d && d->runtime_us > 0 ? d : NULL;
}

/* The one CPU the plan pins t to, or -1 with err. */
static int
deadline_cpu(const struct topo_plan *p, int node, const struct vthread *t,
	     char *err, size_t errlen)
{
	const struct pin_assign *a =
	    pin_plan_find(&p->pin, node, t->kind, t->index);
	char list[CPULIST_MAX];

	if (a == NULL || CPU_COUNT(&a->cpus) != 1) {
		msgf(err, errlen,
		     "%s tid %d is planned on %s, not on one CPU of "
		     "its own (a reservation needs a CPU: for vhost threads "
		     "--vhost-cpu vcpu or dedicated)",
		     t->name, t->tid,
		     a ? cpulist_format(&a->cpus, list, sizeof(list))
		       : "no CPU");
		return -1;
	}
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &a->cpus))
			return c;
	return -1;
}

/* "; the thread: CPUs LIST, cgroup PATH", what the kernel says of it,
 * for an EPERM's message ("" when unreadable). */
static void
thread_where(pid_t tid, char *buf, size_t len)
{
	char path[64], *st, *cg, *l;
	char cpus[128] = "?";

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	if ((st = file_read(path, 1 << 16)) == NULL) {
		snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
		st = file_read(path, 1 << 16);
	}
	if (st && (l = strstr(st, "Cpus_allowed_list:")) != NULL) {
		l += strlen("Cpus_allowed_list:");
		l += strspn(l, " \t");
		snprintf(cpus, sizeof(cpus), "%.*s", (int)strcspn(l, "\n"), l);
	}
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)tid);
	cg = file_read(path, 4096);
	if (cg)
		cg[strcspn(cg, "\n")] = '\0';
	msgf(buf, len, "; the thread: CPUs %s, cgroup %s", cpus, cg ? cg : "?");
	free(st);
	free(cg);
}

static int
deadline_set(const struct vthread *t, int cpu, const struct dlparam *d,
	     char *err, size_t errlen)
{
	struct dl_attr a = {.size = sizeof(a)};
	int rc, tries = 0;

	a.sched_policy = SCHED_DEADLINE;
	a.sched_runtime = (uint64_t)d->runtime_us * 1000;
	a.sched_deadline = a.sched_period = (uint64_t)d->period_us * 1000;
	/* EPERM while the kernel still sees the thread in its old root
	 * domain (asleep on a runqueue of its old CPUs): it moves when it
	 * next runs, so try again for up to a second */
	while ((rc = (int)syscall(SYS_sched_setattr, t->tid, &a, 0)) == -1 &&
	       errno == EPERM && tries++ < 50)
		usleep(20000);
	if (rc == -1) {
		int e = errno;
		char where[256] = "";

		if (e == EPERM)
			thread_where(t->tid, where, sizeof(where));
		msgf(err, errlen,
		     "sched_setattr(SCHED_DEADLINE %u/%u us) for %s "
		     "tid %d on CPU %d: %s%s%s",
		     d->runtime_us, d->period_us, t->name, t->tid, cpu,
		     strerror(e),
		     e == EBUSY ? " (admission: the CPU's deadline bandwidth, "
				  "kernel.sched_rt_runtime_us of "
				  "kernel.sched_rt_period_us, is taken)"
		     : e == EPERM
			 ? " (the thread's CPUs are not its whole root "
			   "domain: the exclusive cpuset did not take)"
			 : "",
		     where);
		return -1;
	}
	memset(&a, 0, sizeof(a));
	if (syscall(SYS_sched_getattr, t->tid, &a, sizeof(a), 0) == -1 ||
	    a.sched_policy != SCHED_DEADLINE ||
	    a.sched_runtime != (uint64_t)d->runtime_us * 1000 ||
	    a.sched_period != (uint64_t)d->period_us * 1000) {
		msgf(err, errlen,
		     "%s tid %d reads back policy %u runtime %llu "
		     "period %llu ns, not what was set",
		     t->name, t->tid, a.sched_policy,
		     (unsigned long long)a.sched_runtime,
		     (unsigned long long)a.sched_period);
		return -1;
	}
	return 0;
}

/* The threads of node n to reserve for, and their CPUs into *cpus. */
static int
deadline_node(const struct topo_plan *p, int n, struct vthread **v,
	      cpu_set_t *cpus, char *err, size_t errlen)
{
	pid_t pid = vm_qemu_pid(p->nodes[n].domain);
	int nt, c;

	*v = NULL;
	if (pid == -1 || (nt = threads_list(pid, v)) == -1) {
		msgf(err, errlen, "cannot list the threads of %s",
		     p->nodes[n].domain);
		return -1;
	}
	for (int i = 0; i < nt; i++) {
		if (deadline_for(p, &(*v)[i]) == NULL)
			continue;
		if ((c = deadline_cpu(p, n, &(*v)[i], err, errlen)) == -1) {
			free(*v);
			*v = NULL;
			return -1;
		}
		CPU_SET(c, cpus);
	}
	return nt;
}

int
deadline_apply(const struct topo_plan *p, int only, char *err, size_t errlen)
{
	struct vthread *v[TOPO_MAX_NODES] = {0};
	int nt[TOPO_MAX_NODES] = {0};
	char record[PATH_MAX];
	cpu_set_t cpus;
	int rc = -1;

	if (p->opts.deadline.runtime_us == 0 &&
	    p->opts.vhost_deadline.runtime_us == 0)
		return 0;
	deadline_record(record, sizeof(record));
	CPU_ZERO(&cpus);
	for (int n = 0; n < p->nnodes; n++)
		if ((only < 0 || n == only) &&
		    (nt[n] = deadline_node(p, n, &v[n], &cpus, err, errlen)) ==
			-1)
			goto out;
	if (CPU_COUNT(&cpus) == 0) {
		msgf(err, errlen,
		     "no thread to reserve for (no vhost thread "
		     "without vhost-net)");
		goto out;
	}
	if (cpuset_setup(record, p->opts.name, &cpus, err, errlen) == -1)
		goto out;
	for (int n = 0; n < p->nnodes; n++) {
		for (int i = 0; i < nt[n]; i++) {
			const struct vthread *t = &v[n][i];
			const struct dlparam *d = deadline_for(p, t);
			int c;

			if (d == NULL)
				continue;
			c = deadline_cpu(p, n, t, err, errlen);
			if (cpuset_attach(record, p->opts.name, c, t->tid,
					  t->policy, t->priority, err,
					  errlen) == -1 ||
			    deadline_set(t, c, d, err, errlen) == -1) {
				/* a whole start undoes its cpusets; a node's
				 * restart keeps the running nodes' (its own
				 * threads go with its domain) */
				if (only < 0)
					cpuset_release(record, p->opts.name);
				goto out;
			}
		}
	}
	rc = 0;
out:
	for (int n = 0; n < p->nnodes; n++)
		free(v[n]);
	return rc;
}

/* Whether plan entry a is a thread that gets a reservation. */
static int
deadline_entry(const struct topo_plan *p, const struct pin_assign *a)
{
	return (a->kind == PIN_VCPU && p->opts.deadline.runtime_us > 0) ||
	       (a->kind == PIN_VHOST && p->opts.vhost_deadline.runtime_us > 0);
}

/* A reserved CPU becomes an exclusive cpuset (under v2 a partition, taken
 * from every thread outside it): no thread without a reservation may be
 * planned on it.  0, or -1 with err naming the thread and the way out. */
static int
deadline_shared(const struct topo_plan *p, const cpu_set_t *dl, char *err,
		size_t errlen)
{
	for (int i = 0; i < p->pin.n; i++) {
		const struct pin_assign *a = &p->pin.a[i];
		char list[CPULIST_MAX], bl[CPULIST_MAX];
		cpu_set_t both;

		CPU_AND(&both, &a->cpus, dl);
		if (deadline_entry(p, a) || CPU_COUNT(&both) == 0)
			continue;
		msgf(
		    err, errlen,
		    "%s %s %d is planned on CPUs %s, and CPUs %s of them also "
		    "hold a SCHED_DEADLINE thread: a reserved CPU becomes an "
		    "exclusive cpuset that no other thread may use (%s)",
		    p->nodes[a->node].name, pin_kind_name(a->kind), a->index,
		    cpulist_format(&a->cpus, list, sizeof(list)),
		    cpulist_format(&both, bl, sizeof(bl)),
		    p->opts.vhost_deadline.runtime_us > 0
			? "with --vhost-deadline, give vhost threads CPUs "
			  "of their own: --vhost-cpu dedicated (or --vhost-cpu "
			  "vcpu with --deadline too)"
			: "with --deadline, vhost threads may not share the "
			  "vCPUs' CPUs: --vhost-cpu dedicated or housekeeping");
		return -1;
	}
	return 0;
}

int
deadline_check(const struct topo_plan *p, char *err, size_t errlen)
{
	char record[PATH_MAX];
	cpu_set_t cpus;

	if (p->opts.deadline.runtime_us == 0 &&
	    p->opts.vhost_deadline.runtime_us == 0)
		return 0;
	CPU_ZERO(&cpus);
	for (int n = 0; n < p->nnodes; n++) {
		for (int k = 0; k < 2; k++) {
			enum pin_kind kind = k == 0 ? PIN_VCPU : PIN_VHOST;
			const struct dlparam *d = k == 0
						      ? &p->opts.deadline
						      : &p->opts.vhost_deadline;
			const struct pin_assign *a;

			for (int i = 0;
			     d->runtime_us > 0 &&
			     (a = pin_plan_find(&p->pin, n, kind, i)) != NULL;
			     i++) {
				if (CPU_COUNT(&a->cpus) != 1) {
					msgf(err, errlen,
					     "%s %s %d is planned on "
					     "more than one CPU (a reservation "
					     "needs a CPU of its own)",
					     p->nodes[n].name,
					     pin_kind_name(kind), i);
					return -1;
				}
				CPU_OR(&cpus, &cpus, &a->cpus);
			}
		}
	}
	if (CPU_COUNT(&cpus) == 0)
		return 0; /* known once the threads are there */
	if (deadline_shared(p, &cpus, err, errlen) == -1)
		return -1;
	deadline_record(record, sizeof(record));
	return cpuset_check(record, p->opts.name, &cpus, err, errlen);
}

void
deadline_release(const char *name)
{
	char record[PATH_MAX];

	deadline_record(record, sizeof(record));
	cpuset_release(record, name);
}
