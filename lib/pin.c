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
	char rbuf[256], obuf[256];
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
		char fbuf[256];

		cpulist_format(&off, fbuf, sizeof(fbuf));
		warn_append(p, "--cpus %s: %s not online, ignored", rbuf, fbuf);
	}
	return 0;
}

int
pin_plan_build(const struct pin_input *in, struct pin_plan *out, char *err,
	       size_t errlen)
{
	int cand[CPU_SETSIZE], vcpu_cpu[CPU_SETSIZE], hk[CPU_SETSIZE];
	char vbuf[256], hbuf[256];
	cpu_set_t cand_set, iso, rest;
	int nv = 0, na = 0, nvc, nhk, float_hk = 0, k, vh;
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
