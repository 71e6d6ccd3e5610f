#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "netsetup.h"
#include "threads.h"
#include "topo.h"
#include "util.h"

static int
thread_read_comm(pid_t pid, pid_t tid, char *buf, size_t len)
{
	char path[128], *s;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/comm", tid);
	if ((s = file_read(path, 64)) == NULL)
		return -1;
	vr_strlcpy(buf, s, len);
	free(s);
	return 0;
}

/* Field 39 of /proc/TID/stat: the CPU it last ran on. */
static int
thread_last_cpu(pid_t tid)
{
	char path[64], *s, *p;
	int field = 2, cpu = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	if ((s = file_read(path, 4096)) == NULL)
		return -1;
	/* comm may hold spaces: count fields after its closing paren */
	if ((p = strrchr(s, ')')) != NULL) {
		for (p++; *p; p++) {
			if (*p == ' ' && ++field == 39) {
				cpu = atoi(p + 1);
				break;
			}
		}
	}
	free(s);
	return cpu;
}

static void
thread_classify(struct vthread *t, pid_t qemu)
{
	int n;
	char vh[32];

	snprintf(vh, sizeof(vh), "vhost-%d", qemu);
	t->index = 0;
	if (sscanf(t->name, "CPU %d/", &n) == 1) {
		t->kind = PIN_VCPU;
		t->index = n;
	} else if (strncmp(t->name, vh, strlen(vh)) == 0) {
		t->kind = PIN_VHOST;
	} else if (sscanf(t->name, "IO iothread%d", &n) == 1) {
		t->kind = PIN_IO;
		t->index = n;
	} else
		t->kind = PIN_EMULATOR;
}

static void
thread_fill(struct vthread *t)
{
	struct sched_param sp;

	CPU_ZERO(&t->cpus);
	sched_getaffinity(t->tid, sizeof(t->cpus), &t->cpus);
	t->last_cpu = thread_last_cpu(t->tid);
	t->policy = sched_getscheduler(t->tid) & ~SCHED_RESET_ON_FORK;
	t->priority = sched_getparam(t->tid, &sp) == 0 ? sp.sched_priority : 0;
	t->dl_runtime = t->dl_period = 0;
	if (t->policy == 6 /* SCHED_DEADLINE */) {
		struct {
			uint32_t size, policy;
			uint64_t flags;
			int32_t nice;
			uint32_t prio;
			uint64_t runtime, deadline, period;
		} a = {.size = sizeof(a)};

		if (syscall(SYS_sched_getattr, t->tid, &a, sizeof(a), 0) == 0) {
			t->dl_runtime = a.runtime;
			t->dl_period = a.period;
		}
	}
}

static int
thread_cmp(const void *a, const void *b)
{
	const struct vthread *x = a, *y = b;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	if (x->index != y->index)
		return x->index - y->index;
	return x->tid - y->tid;
}

static void
threads_push(struct vthread **v, int *n, int *cap, const struct vthread *t)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = *t;
}

/* vhost kernel threads (kernels < 6.4) live outside QEMU's thread group. */
static void
threads_scan_kthreads(pid_t qemu, struct vthread **v, int *n, int *cap)
{
	char want[32];
	struct dirent *de;
	DIR *d;

	snprintf(want, sizeof(want), "vhost-%d", qemu);
	if ((d = opendir("/proc")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		struct vthread t = {0};
		char *end;
		long tid = strtol(de->d_name, &end, 10);

		if (*end || tid <= 0 || tid == qemu)
			continue;
		if (thread_read_comm(0, tid, t.name, sizeof(t.name)) == -1 ||
		    strcmp(t.name, want) != 0)
			continue;
		t.tid = tid;
		t.kind = PIN_VHOST;
		threads_push(v, n, cap, &t);
	}
	closedir(d);
}

int
threads_list(pid_t pid, struct vthread **out)
{
	struct vthread *v = NULL;
	int n = 0, cap = 0, vh = 0, em = 0;
	char path[64];
	struct dirent *de;
	DIR *d;

	*out = NULL;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		struct vthread t = {0};
		char *end;
		long tid = strtol(de->d_name, &end, 10);

		if (*end || tid <= 0)
			continue;
		t.tid = tid;
		if (thread_read_comm(pid, tid, t.name, sizeof(t.name)) == -1)
			continue; /* exited meanwhile */
		thread_classify(&t, pid);
		threads_push(&v, &n, &cap, &t);
	}
	closedir(d);
	threads_scan_kthreads(pid, &v, &n, &cap);
	qsort(v, n, sizeof(*v), thread_cmp);
	/* vhost workers are created NIC by NIC, QEMU's other threads (main
	 * loop, RCU, workers) as it goes: number each kind by age (tid),
	 * so status tells them apart. */
	for (int i = 0; i < n; i++) {
		if (v[i].kind == PIN_VHOST)
			v[i].index = vh++;
		else if (v[i].kind == PIN_EMULATOR)
			v[i].index = em++;
		thread_fill(&v[i]);
	}
	*out = v;
	return n;
}

static const cpu_set_t *
plan_cpus(const struct pin_plan *plan, int node, const struct vthread *t)
{
	const struct pin_assign *a;

	if (plan == NULL || plan->n == 0)
		return NULL;
	a = pin_plan_find(plan, node, t->kind, t->index);
	if (a == NULL && t->kind != PIN_VCPU)
		a = pin_plan_find(plan, node, PIN_EMULATOR, 0);
	return a ? &a->cpus : NULL;
}

/*
 * Place one thread: SCHED_FIFO at rt_prio (when > 0), then the CPUs (when
 * cpus is not NULL), read back.  0 placed (or gone meanwhile), -1 with err.
 */
static int
thread_place(const struct vthread *t, const cpu_set_t *cpus, int rt_prio,
	     char *err, size_t errlen)
{
	char want[CPULIST_MAX], got[CPULIST_MAX];
	cpu_set_t back;

	if (rt_prio > 0) {
		struct sched_param sp = {.sched_priority = rt_prio};
		if (sched_setscheduler(t->tid, SCHED_FIFO, &sp) == -1) {
			msgf(err, errlen, "SCHED_FIFO %d for %s tid %d: %s",
			     rt_prio, t->name, t->tid, strerror(errno));
			return -1;
		}
	}
	if (cpus == NULL)
		return 0;
	if (sched_setaffinity(t->tid, sizeof(*cpus), cpus) == -1) {
		if (errno == ESRCH)
			return 0; /* a worker thread that exited */
		msgf(err, errlen, "sched_setaffinity(%s tid %d, %s): %s",
		     t->name, t->tid, cpulist_format(cpus, want, sizeof(want)),
		     strerror(errno));
		return -1;
	}
	if (sched_getaffinity(t->tid, sizeof(back), &back) == 0 &&
	    !CPU_EQUAL(&back, cpus)) {
		msgf(err, errlen,
		     "%s tid %d: affinity reads back as %s, planned %s (a "
		     "cgroup cpuset may forbid it)",
		     t->name, t->tid, cpulist_format(&back, got, sizeof(got)),
		     cpulist_format(cpus, want, sizeof(want)));
		return -1;
	}
	return 0;
}

/* Place v[0..n) where the plan says (SCHED_FIFO rt_prio for vCPU-like
 * threads, vhost_rt for vhost workers); 0 or -1 with err. */
static int
threads_place(struct vthread *v, int n, const struct pin_plan *plan, int node,
	      int rt_prio, int vhost_rt, char *err, size_t errlen)
{
	for (int i = 0; i < n; i++)
		if (v[i].policy != 6 && /* SCHED_DEADLINE: deadline.c's */
		    thread_place(&v[i], plan_cpus(plan, node, &v[i]),
				 v[i].kind == PIN_VCPU	  ? rt_prio
				 : v[i].kind == PIN_VHOST ? vhost_rt
							  : 0,
				 err, errlen) == -1)
			return -1;
	return 0;
}

int
threads_apply(pid_t pid, const struct pin_plan *plan, int node, int rt_prio,
	      int vhost_rt, char *err, size_t errlen)
{
	struct vthread *v = NULL;
	int n, rc;

	if ((n = threads_list(pid, &v)) == -1) {
		msgf(err, errlen, "cannot list threads of QEMU pid %d: %s", pid,
		     strerror(errno));
		return -1;
	}
	rc = threads_place(v, n, plan, node, rt_prio, vhost_rt, err, errlen);
	free(v);
	return rc;
}

const char *
threads_policy_name(int policy)
{
	switch (policy) {
	case SCHED_OTHER:
		return "other";
	case SCHED_FIFO:
		return "fifo";
	case SCHED_RR:
		return "rr";
	case SCHED_BATCH:
		return "batch";
	case SCHED_IDLE:
		return "idle";
	case 6: /* SCHED_DEADLINE, not in every libc's <sched.h> */
		return "deadline";
	default:
		return "unknown";
	}
}

/* One thread as status shows it (docs/protocol.md, "threads"). */
static json_object *
thread_json(const struct vthread *v, const char *kind, const cpu_set_t *planned)
{
	json_object *t = json_object_new_object();
	char buf[CPULIST_MAX];

	json_object_object_add(t, "tid", json_object_new_int(v->tid));
	json_object_object_add(t, "kind", json_object_new_string(kind));
	json_object_object_add(t, "index", json_object_new_int(v->index));
	json_object_object_add(t, "name", json_object_new_string(v->name));
	json_object_object_add(
	    t, "cpus",
	    json_object_new_string(cpulist_format(&v->cpus, buf, sizeof(buf))));
	if (planned)
		json_object_object_add(t, "planned",
				       json_object_new_string(cpulist_format(
					   planned, buf, sizeof(buf))));
	json_object_object_add(t, "last_cpu", json_object_new_int(v->last_cpu));
	json_object_object_add(
	    t, "policy",
	    json_object_new_string(threads_policy_name(v->policy)));
	json_object_object_add(t, "prio", json_object_new_int(v->priority));
	if (v->dl_period > 0) { /* read back with sched_getattr */
		json_object_object_add(
		    t, "runtime_us",
		    json_object_new_int64((int64_t)(v->dl_runtime / 1000)));
		json_object_object_add(
		    t, "period_us",
		    json_object_new_int64((int64_t)(v->dl_period / 1000)));
	}
	return t;
}

json_object *
threads_json(pid_t pid, const struct pin_plan *plan, int node)
{
	json_object *arr = json_object_new_array();
	struct vthread *v = NULL;
	int n;

	if (pid <= 0 || (n = threads_list(pid, &v)) == -1)
		return arr;
	for (int i = 0; i < n; i++)
		json_object_array_add(
		    arr, thread_json(&v[i], pin_kind_name(v[i].kind),
				     plan_cpus(plan, node, &v[i])));
	free(v);
	return arr;
}

/* ---- the netns backend: NAPI kernel threads ------------------------------ */

/* The netdev family names a NAPI thread by its id in the initial PID
 * namespace.  A vrouterd in a PID namespace of its own (a container, the
 * two-host test bed) sees no kernel thread under that id, or another
 * process: such ids are skipped (comm must be napi/...), and this says
 * why none was found.  In the initial namespace pid 2 is always kthreadd,
 * the parent of every kernel thread; in another one it is someone else
 * or nobody (NSpid cannot tell: /proc mounted in that namespace lists it
 * alone). */
static const char *
threads_pidns_hint(void)
{
	char comm[32];

	if (thread_read_comm(0, 2, comm, sizeof(comm)) == 0 &&
	    strncmp(comm, "kthreadd", 8) == 0)
		return "";
	return ": vrouterd runs in a PID namespace of its own, where the "
	       "kernel's NAPI thread ids are not visible; run it in the "
	       "host's PID namespace to pin or prioritise netns nodes";
}

int
threads_netns_list(const struct topo_plan *p, int node, struct vthread **out,
		   char *err, size_t errlen)
{
	const struct topo_node *nd = &p->nodes[node];
	struct vthread *v = NULL;
	struct nl_napi z[TOPO_MAX_VCPUS];
	struct ns_ctx *ns;
	char netns[64];
	int n = 0, cap = 0, rc = -1;

	*out = NULL;
	topo_node_netns(p, node, netns, sizeof(netns));
	if ((ns = ns_open(netns, err, errlen)) == NULL)
		return -1;
	for (int k = 0; k < nd->nifs; k++) {
		int nz = nl_napi_list(ns, nd->ifs[k].guest_if, z, nitems(z));

		if (nz == -1) {
			snprintf(err, errlen, "%s", ns_error(ns));
			goto out;
		}
		for (int q = 0; q < nz; q++) {
			struct vthread t = {0};

			if (z[q].pid <= 0)
				continue; /* not threaded */
			t.tid = z[q].pid;
			t.kind = PIN_VCPU;
			t.index = q;
			vr_strlcpy(t.dev, nd->ifs[k].guest_if, sizeof(t.dev));
			/* The kernel gives the thread's id in the initial
			 * PID namespace: in another one that number is some
			 * other process, or none (threads_pidns_hint). */
			if (thread_read_comm(0, t.tid, t.name,
					     sizeof(t.name)) == -1 ||
			    strncmp(t.name, "napi/", 5) != 0)
				continue;
			thread_fill(&t);
			threads_push(&v, &n, &cap, &t);
		}
	}
	*out = v;
	v = NULL;
	rc = n;
out:
	free(v);
	ns_close(ns);
	return rc;
}

int
threads_netns_apply(const struct topo_plan *p, int node, int rt_prio, char *err,
		    size_t errlen)
{
	const struct pin_plan *plan = p->opts.pin ? &p->pin : NULL;
	struct vthread *v = NULL;
	int n, rc = -1;

	if ((n = threads_netns_list(p, node, &v, err, errlen)) == -1)
		return -1;
	if (n == 0 && (plan != NULL || rt_prio > 0)) {
		snprintf(err, errlen,
			 "no threaded NAPI kernel thread found for %s's "
			 "interfaces%s",
			 p->nodes[node].name, threads_pidns_hint());
		goto fail;
	}
	/* NAPI threads stand in for vCPUs: PIN_VCPU, queue q as index q */
	rc = threads_place(v, n, plan, node, rt_prio, 0, err, errlen);
fail:
	free(v);
	return rc;
}

json_object *
threads_netns_json(const struct topo_plan *p, int node)
{
	json_object *arr = json_object_new_array();
	const struct pin_plan *plan = p->opts.pin ? &p->pin : NULL;
	struct vthread *v = NULL;
	char err[512];
	int n;

	if ((n = threads_netns_list(p, node, &v, err, sizeof(err))) == -1)
		return arr;
	for (int i = 0; i < n; i++) {
		const struct pin_assign *a =
		    plan ? pin_plan_find(plan, node, PIN_VCPU, v[i].index)
			 : NULL;
		json_object *t =
		    thread_json(&v[i], "napi", a ? &a->cpus : NULL);

		json_object_object_add(t, "interface",
				       json_object_new_string(v[i].dev));
		json_object_array_add(arr, t);
	}
	free(v);
	return arr;
}
