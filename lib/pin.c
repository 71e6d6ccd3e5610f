/*
 * The pinning planner (policy in pin.h).  Pure: the same input always gives
 * the same plan, byte for byte, so plans can be golden-tested and shown by
 * `vrctl topology` before anything runs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pin.h"
#include "util.h"

/* Upper bounds that keep a plan small and sane (per node). */
#define PIN_MAX_VCPUS_NODE 1024
#define PIN_MAX_NICS_NODE  4096

static const char *const kind_names[] = {
    [PIN_VCPU] = "vcpu",
    [PIN_EMULATOR] = "emulator",
    [PIN_VHOST] = "vhost",
    [PIN_IO] = "io",
};

const char *
pin_kind_name(enum pin_kind k)
{
	if ((unsigned)k >= nitems(kind_names))
		return "unknown";
	return kind_names[k];
}

static const char *const smt_names[] = {
    [PIN_SMT_AVOID] = "avoid",
    [PIN_SMT_SHARE] = "share",
};

const char *
pin_smt_name(enum pin_smt s)
{
	if ((unsigned)s >= nitems(smt_names))
		return "unknown";
	return smt_names[s];
}

int
pin_smt_parse(const char *s)
{
	for (size_t i = 0; i < nitems(smt_names); i++)
		if (s != NULL && strcmp(s, smt_names[i]) == 0)
			return (int)i;
	return -1;
}

static const char *const vhost_names[] = {
    [PIN_VHOST_HOUSEKEEPING] = "housekeeping",
    [PIN_VHOST_VCPU] = "vcpu",
    [PIN_VHOST_DEDICATED] = "dedicated",
};

const char *
pin_vhost_name(enum pin_vhost v)
{
	if ((unsigned)v >= nitems(vhost_names))
		return "unknown";
	return vhost_names[v];
}

int
pin_vhost_parse(const char *s)
{
	for (size_t i = 0; i < nitems(vhost_names); i++)
		if (s != NULL && strcmp(s, vhost_names[i]) == 0)
			return (int)i;
	return -1;
}

int
pin_kind_parse(const char *s)
{
	for (size_t i = 0; i < nitems(kind_names); i++)
		if (s != NULL && strcmp(s, kind_names[i]) == 0)
			return (int)i;
	return -1;
}

/* The CPUs of set in ascending order; returns how many. */
static int
set_to_array(const cpu_set_t *set, int *cpus)
{
	int n = 0;

	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, set))
			cpus[n++] = c;
	return n;
}

static const char *
plural(int n)
{
	return n == 1 ? "" : "s";
}

/* Append "; text" (or "text" to an empty warning). */
static void warn_append(struct pin_plan *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
warn_append(struct pin_plan *p, const char *fmt, ...)
{
	size_t off = strlen(p->warning);
	va_list ap;

	if (off && off + 2 < sizeof(p->warning)) {
		memcpy(p->warning + off, "; ", 3);
		off += 2;
	}
	if (off >= sizeof(p->warning) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(p->warning + off, sizeof(p->warning) - off, fmt, ap);
	va_end(ap);
}

static int
check_input(const struct pin_input *in, int *total_vcpus, int *total_assign,
	    char *err, size_t errlen)
{
	long v = 0, a = 0;

	if (in->nnodes < 1 || in->nnodes > PIN_MAX_NODES) {
		msgf(err, errlen, "pinning: %d nodes (1-%d allowed)",
		     in->nnodes, PIN_MAX_NODES);
		return -1;
	}
	for (int i = 0; i < in->nnodes; i++) {
		if (in->vcpus[i] < 1 || in->vcpus[i] > PIN_MAX_VCPUS_NODE) {
			msgf(err, errlen,
			     "pinning: node %d has %d vCPUs (1-%d allowed)", i,
			     in->vcpus[i], PIN_MAX_VCPUS_NODE);
			return -1;
		}
		if (in->nics[i] < 0 || in->nics[i] > PIN_MAX_NICS_NODE) {
			msgf(err, errlen,
			     "pinning: node %d has %d vhost threads (0-%d "
			     "allowed)",
			     i, in->nics[i], PIN_MAX_NICS_NODE);
			return -1;
		}
		v += in->vcpus[i];
		/* vCPUs, emulator, vhost threads, io */
		a += in->vcpus[i] + 1 + in->nics[i] + 1;
	}
	*total_vcpus = (int)v;
	*total_assign = (int)a;
	return 0;
}

/*
 * The candidate CPUs: online, restricted to --cpus when given.  Notes
 * requested CPUs that are offline in the warning.
 */
static int
candidates(const struct pin_input *in, cpu_set_t *cand, struct pin_plan *p,
	   char *err, size_t errlen)
{
	char rbuf[CPULIST_MAX], obuf[CPULIST_MAX];
	cpu_set_t off;

	cpulist_format(&in->online, obuf, sizeof(obuf));
	if (!in->has_restrict) {
		*cand = in->online;
		if (CPU_COUNT(cand) == 0) {
			msgf(err, errlen, "pinning: no online CPU");
			return -1;
		}
		return 0;
	}
	cpulist_format(&in->restrict_to, rbuf, sizeof(rbuf));
	if (CPU_COUNT(&in->restrict_to) == 0) {
		msgf(err, errlen, "--cpus: the list is empty (online: %s)",
		     obuf);
		return -1;
	}
	CPU_AND(cand, &in->online, &in->restrict_to);
	if (CPU_COUNT(cand) == 0) {
		msgf(err, errlen,
		     "--cpus %s: none of these CPUs is online (online: %s)",
		     rbuf, obuf);
		return -1;
	}
	CPU_XOR(&off, &in->restrict_to, cand);
	if (CPU_COUNT(&off) > 0) {
		char fbuf[CPULIST_MAX];

		cpulist_format(&off, fbuf, sizeof(fbuf));
		warn_append(p, "--cpus %s: %s not online, ignored", rbuf, fbuf);
	}
	return 0;
}

/* The core of CPU c (its lowest sibling), c itself when unknown. */
static int
core_of(const struct pin_input *in, int c)
{
	int k = in->topo.core[c];

	return in->topo.known && k >= 0 && k < CPU_SETSIZE ? k : c;
}

static int
numa_of(const struct pin_input *in, int c)
{
	return in->topo.known ? in->topo.numa[c] : -1;
}

/* Does the topology matter for these candidates: SMT siblings among them,
 * or more than one NUMA node (*multi_numa)? */
static int
topo_matters(const struct pin_input *in, const cpu_set_t *cand, int *multi_numa)
{
	cpu_set_t cores;
	int smt = 0, first = 1, numa = -1;

	*multi_numa = 0;
	if (!in->topo.known)
		return 0;
	CPU_ZERO(&cores);
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, cand))
			continue;
		if (CPU_ISSET(core_of(in, c), &cores))
			smt = 1;
		CPU_SET(core_of(in, c), &cores);
		if (!first && numa_of(in, c) != numa)
			*multi_numa = 1;
		numa = numa_of(in, c);
		first = 0;
	}
	return smt || *multi_numa;
}

/* Is every candidate thread of c's core still free? */
static int
core_free(const struct pin_input *in, const cpu_set_t *cand,
	  const cpu_set_t *free_set, int c)
{
	for (int d = 0; d < CPU_SETSIZE; d++)
		if (CPU_ISSET(d, cand) && core_of(in, d) == core_of(in, c) &&
		    !CPU_ISSET(d, free_set))
			return 0;
	return 1;
}

/*
 * Take need CPUs of region (a subset of *free_set) for one node's vCPUs,
 * into out[], clearing them from *free_set.  avoid: one thread per core,
 * whole free cores first, then sibling threads when cores run out (returns
 * how many vCPUs had to take one: 0 when none).  share: every free thread
 * of a core before the next.
 */
static int
take_cpus(const struct pin_input *in, const cpu_set_t *cand,
	  cpu_set_t *free_set, const cpu_set_t *region, int need, int *out)
{
	int r[CPU_SETSIZE], nr = set_to_array(region, r), got = 0, extra = 0;
	cpu_set_t used_cores, taken;

	CPU_ZERO(&used_cores);
	CPU_ZERO(&taken);
	if (in->smt == PIN_SMT_SHARE) {
		for (int i = 0; i < nr && got < need; i++) {
			int k = core_of(in, r[i]);

			if (CPU_ISSET(k, &used_cores))
				continue;
			CPU_SET(k, &used_cores);
			for (int j = i; j < nr && got < need; j++)
				if (core_of(in, r[j]) == k)
					out[got++] = r[j];
		}
	} else {
		for (int pass = 0; pass < 3 && got < need; pass++)
			for (int i = 0; i < nr && got < need; i++) {
				int k = core_of(in, r[i]);

				if (CPU_ISSET(r[i], &taken) ||
				    (pass < 2 && CPU_ISSET(k, &used_cores)) ||
				    (pass == 0 &&
				     !core_free(in, cand, free_set, r[i])))
					continue;
				if (pass == 2 || CPU_ISSET(k, &used_cores))
					extra++;
				CPU_SET(k, &used_cores);
				CPU_SET(r[i], &taken);
				out[got++] = r[i];
			}
	}
	for (int i = 0; i < got; i++)
		CPU_CLR(out[i], free_set);
	return extra;
}

/* How many distinct cores the CPUs of set (on NUMA node m, or any when
 * m == -2) belong to; *nfree: how many CPUs. */
static int
count_cores(const struct pin_input *in, const cpu_set_t *set, int m, int *nfree)
{
	cpu_set_t cores;
	int ncores = 0;

	*nfree = 0;
	CPU_ZERO(&cores);
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, set) || (m != -2 && numa_of(in, c) != m))
			continue;
		(*nfree)++;
		if (!CPU_ISSET(core_of(in, c), &cores))
			ncores++;
		CPU_SET(core_of(in, c), &cores);
	}
	return ncores;
}

/* The NUMA node a node of need vCPUs fits on, counting cores (by_cores)
 * or CPUs: the one with the most free CPUs (ties: the higher number), or
 * -2 when none. */
static int
pick_numa(const struct pin_input *in, const cpu_set_t *free_set, int need,
	  int by_cores)
{
	int best = -2, best_free = -1;
	cpu_set_t seen;

	CPU_ZERO(&seen);
	for (int c = 0; c < CPU_SETSIZE; c++) {
		int m = numa_of(in, c), nfree, ncores;

		if (!CPU_ISSET(c, free_set) || m < 0 || CPU_ISSET(m, &seen))
			continue;
		CPU_SET(m, &seen);
		ncores = count_cores(in, free_set, m, &nfree);
		if ((by_cores ? ncores : nfree) < need)
			continue;
		if (nfree > best_free || (nfree == best_free && m > best)) {
			best = m;
			best_free = nfree;
		}
	}
	return best;
}

/*
 * Where node n's vCPUs go: a NUMA node where they fit on distinct cores
 * (avoid) or CPUs (share); else, for avoid, anywhere they fit on distinct
 * cores (spread over NUMA nodes), else a NUMA node where they fit on CPUs
 * (some on sibling threads).  -2: spread.
 */
static int
place_node(const struct pin_input *in, const cpu_set_t *free_set,
	   int multi_numa, int need)
{
	int avoid = in->smt == PIN_SMT_AVOID, m, nfree;

	if (!multi_numa)
		return -2;
	if ((m = pick_numa(in, free_set, need, avoid)) != -2 || !avoid)
		return m;
	if (count_cores(in, free_set, -2, &nfree) >= need)
		return -2;
	return pick_numa(in, free_set, need, 0);
}

/* The CPUs of set on NUMA node m. */
static void
on_numa(const struct pin_input *in, const cpu_set_t *set, int m, cpu_set_t *out)
{
	CPU_ZERO(out);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, set) && numa_of(in, c) == m)
			CPU_SET(c, out);
}

/*
 * The topology-aware plan (policy in pin.h), when the vCPUs fit: pool is
 * where vCPUs may go, hk_fixed the housekeeping set when it is fixed in
 * advance (isolated case), else NULL (the lowest candidate is kept and
 * whatever no vCPU takes joins it).
 */
static void
plan_topo(const struct pin_input *in, const cpu_set_t *cand,
	  const cpu_set_t *pool, const cpu_set_t *hk_fixed, int multi_numa,
	  int nv, int na, struct pin_plan *p)
{
	int *vc = xcalloc(nv, sizeof(int)), hkc[CPU_SETSIZE];
	int numa[PIN_MAX_NODES], k = 0, vh = 0, far = 0, sib = 0;
	cpu_set_t free_set = *pool, vcores, region;
	char buf[CPULIST_MAX];

	if (hk_fixed == NULL)
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, pool)) {
				CPU_CLR(c, &free_set);
				break;
			}
	for (int n = 0; n < in->nnodes; k += in->vcpus[n], n++) {
		int extra;

		numa[n] = place_node(in, &free_set, multi_numa, in->vcpus[n]);
		if (numa[n] != -2)
			on_numa(in, &free_set, numa[n], &region);
		else
			region = free_set;
		if (multi_numa && numa[n] == -2)
			warn_append(p,
				    "node %d: its %d vCPU%s fit on no single "
				    "NUMA node; spread over NUMA nodes",
				    n, in->vcpus[n], plural(in->vcpus[n]));
		extra = take_cpus(in, cand, &free_set, &region, in->vcpus[n],
				  vc + k);
		if (extra > 0)
			warn_append(p,
				    "node %d: --smt avoid, but only %d free "
				    "core%s for %d vCPUs: %d vCPU%s on sibling "
				    "threads",
				    n, in->vcpus[n] - extra,
				    plural(in->vcpus[n] - extra), in->vcpus[n],
				    extra, plural(extra));
		p->numa[n] = numa[n] >= 0 ? numa[n] : -1;
	}
	CPU_ZERO(&vcores);
	for (int i = 0; i < nv; i++) {
		CPU_SET(vc[i], &p->vcpu_cpus);
		CPU_SET(core_of(in, vc[i]), &vcores);
	}
	if (hk_fixed != NULL)
		p->housekeeping = *hk_fixed;
	else
		CPU_XOR(&p->housekeeping, cand, &p->vcpu_cpus);

	p->a = xcalloc(na, sizeof(*p->a));
	k = 0;
	for (int n = 0; n < in->nnodes; n++) {
		cpu_set_t hk, local;
		struct pin_assign *a;
		int nhk;

		/* housekeeping near the node, off its vCPUs' cores */
		if (numa[n] != -2)
			on_numa(in, &p->housekeeping, numa[n], &local);
		else
			local = p->housekeeping;
		CPU_ZERO(&hk);
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &local) &&
			    !CPU_ISSET(core_of(in, c), &vcores))
				CPU_SET(c, &hk);
		if (CPU_COUNT(&hk) == 0 && CPU_COUNT(&local) > 0) {
			hk = local;
			sib = 1;
		}
		if (CPU_COUNT(&hk) == 0) {
			hk = p->housekeeping;
			far = 1;
		}
		nhk = set_to_array(&hk, hkc);
		for (int i = 0; i < in->vcpus[n]; i++, k++) {
			a = &p->a[p->n++];
			a->node = n;
			a->kind = PIN_VCPU;
			a->index = i;
			CPU_ZERO(&a->cpus);
			CPU_SET(vc[k], &a->cpus);
		}
		a = &p->a[p->n++];
		a->node = n;
		a->kind = PIN_EMULATOR;
		a->cpus = hk;
		for (int i = 0; i < in->nics[n]; i++, vh++) {
			a = &p->a[p->n++];
			a->node = n;
			a->kind = PIN_VHOST;
			a->index = i;
			CPU_ZERO(&a->cpus);
			CPU_SET(hkc[vh % nhk], &a->cpus);
		}
		a = &p->a[p->n++];
		a->node = n;
		a->kind = PIN_IO;
		a->cpus = hk;
	}
	p->topo_used = 1;
	snprintf(p->note, sizeof(p->note),
		 "--smt %s: %s; housekeeping %s%s%s%s", pin_smt_name(in->smt),
		 in->smt == PIN_SMT_AVOID
		     ? "a node's vCPUs on distinct cores"
		     : "a node's vCPUs fill sibling threads of a core first",
		 cpulist_format(&p->housekeeping, buf, sizeof(buf)),
		 multi_numa ? "; each node's vCPUs, memory, emulator and "
			      "vhost threads on one NUMA node where they fit"
			    : "",
		 far ? " (some nodes' threads have no housekeeping CPU on "
		       "their NUMA node)"
		     : "",
		 sib ? "; where a NUMA node has no other housekeeping CPU, "
		       "emulator and vhost threads run on sibling threads of "
		       "vCPU cores"
		     : "");
	free(vc);
}

static int
plan_build(const struct pin_input *in, struct pin_plan *out, char *err,
	   size_t errlen)
{
	int cand[CPU_SETSIZE], vcpu_cpu[CPU_SETSIZE], hk[CPU_SETSIZE];
	char vbuf[CPULIST_MAX], hbuf[CPULIST_MAX];
	cpu_set_t cand_set, iso, rest;
	int nv = 0, na = 0, nvc, nhk, float_hk = 0, k, vh, multi_numa;
	struct pin_plan p;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	if (in == NULL) {
		msgf(err, errlen, "pinning: no input");
		return -1;
	}
	if (check_input(in, &nv, &na, err, errlen) == -1 ||
	    candidates(in, &cand_set, &p, err, errlen) == -1)
		return -1;

	CPU_AND(&iso, &cand_set, &in->isolated);
	CPU_XOR(&rest, &cand_set, &iso);
	CPU_ZERO(&p.vcpu_cpus);
	CPU_ZERO(&p.housekeeping);
	p.smt = in->smt;
	for (int i = 0; i < PIN_MAX_NODES; i++)
		p.numa[i] = -1;

	if (topo_matters(in, &cand_set, &multi_numa)) {
		int iso_case = CPU_COUNT(&iso) > 0 && CPU_COUNT(&rest) > 0;

		if (iso_case ? CPU_COUNT(&iso) >= nv
			     : CPU_COUNT(&cand_set) > nv) {
			plan_topo(in, &cand_set, iso_case ? &iso : &cand_set,
				  iso_case ? &rest : NULL, multi_numa, nv, na,
				  &p);
			*out = p;
			return 0;
		}
		warn_append(&p, "the vCPUs do not fit: SMT siblings and NUMA "
				"nodes not considered");
	}

	if (CPU_COUNT(&iso) > 0 && CPU_COUNT(&rest) > 0) {
		/* vCPUs on the isolated CPUs, everything else on the rest. */
		nvc = set_to_array(&iso, vcpu_cpu);
		nhk = set_to_array(&rest, hk);
		p.housekeeping = rest;
		if (nvc >= nv) {
			nvc = nv;
		} else {
			p.shared = 1;
			cpulist_format(&iso, vbuf, sizeof(vbuf));
			cpulist_format(&rest, hbuf, sizeof(hbuf));
			warn_append(
			    &p,
			    "%d vCPU%s on %d isolated CPU%s (%s): vCPUs "
			    "share CPUs round-robin; emulator and vhost "
			    "threads stay on %s",
			    nv, plural(nv), nvc, plural(nvc), vbuf, hbuf);
		}
	} else {
		/*
		 * No isolated candidate (or nothing but isolated ones, which
		 * then count as ordinary): the lowest candidates are kept
		 * for housekeeping, the highest nv get one vCPU each.
		 */
		int nc = set_to_array(&cand_set, cand);

		if (nc > nv) {
			nhk = nc - nv;
			memcpy(hk, cand, nhk * sizeof(int));
			nvc = nv;
			memcpy(vcpu_cpu, cand + nhk, nvc * sizeof(int));
			for (int i = 0; i < nhk; i++)
				CPU_SET(hk[i], &p.housekeeping);
		} else {
			nhk = nvc = nc;
			memcpy(hk, cand, nc * sizeof(int));
			memcpy(vcpu_cpu, cand, nc * sizeof(int));
			p.housekeeping = cand_set;
			p.shared = 1;
			float_hk = 1;
			cpulist_format(&cand_set, vbuf, sizeof(vbuf));
			if (nc < nv)
				warn_append(&p,
					    "%d vCPU%s on %d CPU%s (%s): vCPUs "
					    "share CPUs round-robin; emulator "
					    "and vhost threads float over %s",
					    nv, plural(nv), nc, plural(nc),
					    vbuf, vbuf);
			else
				warn_append(
				    &p,
				    "%d vCPU%s on %d CPU%s (%s): no CPU "
				    "left for housekeeping; emulator and "
				    "vhost threads float over %s",
				    nv, plural(nv), nc, plural(nc), vbuf, vbuf);
		}
	}
	for (int i = 0; i < nvc && i < nv; i++)
		CPU_SET(vcpu_cpu[i], &p.vcpu_cpus);

	p.a = xcalloc(na, sizeof(*p.a));
	k = 0;	/* global vCPU counter, node-major */
	vh = 0; /* global vhost counter */
	for (int n = 0; n < in->nnodes; n++) {
		struct pin_assign *a;

		for (int i = 0; i < in->vcpus[n]; i++, k++) {
			a = &p.a[p.n++];
			a->node = n;
			a->kind = PIN_VCPU;
			a->index = i;
			CPU_ZERO(&a->cpus);
			CPU_SET(vcpu_cpu[k % nvc], &a->cpus);
		}
		a = &p.a[p.n++];
		a->node = n;
		a->kind = PIN_EMULATOR;
		a->cpus = p.housekeeping;
		for (int i = 0; i < in->nics[n]; i++, vh++) {
			a = &p.a[p.n++];
			a->node = n;
			a->kind = PIN_VHOST;
			a->index = i;
			if (float_hk) {
				a->cpus = p.housekeeping;
			} else {
				CPU_ZERO(&a->cpus);
				CPU_SET(hk[vh % nhk], &a->cpus);
			}
		}
		a = &p.a[p.n++];
		a->node = n;
		a->kind = PIN_IO;
		a->cpus = p.housekeeping;
	}
	*out = p;
	return 0;
}

/* --vhost-cpu vcpu: vhost thread j of node n on the CPUs of its vCPU
 * j mod vcpus[n]. */
static void
vhost_on_vcpus(const struct pin_input *in, struct pin_plan *p)
{
	for (int i = 0; i < p->n; i++) {
		struct pin_assign *a = &p->a[i];
		const struct pin_assign *v;

		if (a->kind != PIN_VHOST)
			continue;
		v = pin_plan_find(p, a->node, PIN_VCPU,
				  a->index % in->vcpus[a->node]);
		if (v != NULL)
			a->cpus = v->cpus;
	}
}

/*
 * --vhost-cpu dedicated: p was planned with node n's vhost threads as its
 * vCPUs vcpus[n]..vcpus[n]+nics[n]-1 (and no vhost entries): give those
 * entries back to the vhost threads, in the usual order.
 */
static void
vhost_dedicated(const struct pin_input *in, struct pin_plan *p)
{
	struct pin_assign *a = xcalloc(p->n, sizeof(*a));
	int j = 0, k = 0, nvh = 0;
	char buf[256];

	CPU_ZERO(&p->vcpu_cpus);
	for (int n = 0; n < in->nnodes; n++) {
		const struct pin_assign *src = &p->a[j];
		int v = in->vcpus[n], m = in->nics[n];

		for (int i = 0; i < v; i++) {
			a[k++] = src[i];
			CPU_OR(&p->vcpu_cpus, &p->vcpu_cpus, &src[i].cpus);
		}
		a[k++] = src[v + m]; /* emulator */
		for (int i = 0; i < m; i++, k++) {
			a[k] = src[v + i];
			a[k].kind = PIN_VHOST;
			a[k].index = i;
		}
		a[k++] = src[v + m + 1]; /* io */
		j += v + m + 2;
		nvh += m;
	}
	free(p->a);
	p->a = a;
	if (nvh == 0)
		return;
	snprintf(buf, sizeof(buf),
		 "--vhost-cpu dedicated: %d vhost thread%s planned like "
		 "vCPUs",
		 nvh, plural(nvh));
	if (p->warning[0] != '\0')
		warn_append(p, "%s (counted as vCPUs above)", buf);
	if (p->topo_used) {
		size_t off = strlen(p->note);

		snprintf(p->note + off, sizeof(p->note) - off, "; %s", buf);
	}
}

int
pin_plan_build(const struct pin_input *in, struct pin_plan *out, char *err,
	       size_t errlen)
{
	struct pin_input w;
	int nv, na;

	if (in == NULL || in->vhost != PIN_VHOST_DEDICATED) {
		if (plan_build(in, out, err, errlen) == -1)
			return -1;
		if (in->vhost == PIN_VHOST_VCPU)
			vhost_on_vcpus(in, out);
		return 0;
	}
	memset(out, 0, sizeof(*out));
	if (check_input(in, &nv, &na, err, errlen) == -1)
		return -1;
	w = *in;
	for (int n = 0; n < w.nnodes; n++) {
		w.vcpus[n] += w.nics[n];
		w.nics[n] = 0;
	}
	if (plan_build(&w, out, err, errlen) == -1)
		return -1;
	vhost_dedicated(in, out);
	return 0;
}

void
pin_plan_free(struct pin_plan *p)
{
	if (p == NULL)
		return;
	free(p->a);
	memset(p, 0, sizeof(*p));
}

const struct pin_assign *
pin_plan_find(const struct pin_plan *p, int node, enum pin_kind kind, int index)
{
	if (p == NULL)
		return NULL;
	for (int i = 0; i < p->n; i++)
		if (p->a[i].node == node && p->a[i].kind == kind &&
		    p->a[i].index == index)
			return &p->a[i];
	return NULL;
}
