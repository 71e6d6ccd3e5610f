/*
 * CPU accounting of a trial (cpuacct.h).  vrgen samples /proc/stat and the
 * watched threads just before a trial's sink starts and just after it
 * stops, so the figures cover that trial only.  A thread's CPU time comes
 * from /proc/TID/schedstat (nanoseconds), else from utime + stime of
 * /proc/TID/stat (clock ticks); a thread whose comm changed between the
 * samples (it died and its id was reused) is reported as not measured.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cpuacct.h"

#define STAT_READ_MAX (256 * 1024) /* the cpu lines come first */

int
cpuacct_parse_stat(const char *text, struct cpuacct_ticks *cpus, int max)
{
	const char *l = text;
	int n = 0;

	for (int i = 0; i < max; i++)
		memset(&cpus[i], 0, sizeof(cpus[i]));
	while (l != NULL && *l != '\0') {
		unsigned long long v[10] = {0};
		int id, used = 0, k;

		if (strncmp(l, "cpu", 3) == 0 && l[3] >= '0' && l[3] <= '9') {
			k = sscanf(l,
				   "cpu%d %llu %llu %llu %llu %llu %llu "
				   "%llu %llu %llu %llu%n",
				   &id, &v[0], &v[1], &v[2], &v[3], &v[4],
				   &v[5], &v[6], &v[7], &v[8], &v[9], &used);
			/* user nice system idle at least (Linux 2.4) */
			if (k < 5 || id < 0)
				return -1;
			if (id < max) {
				struct cpuacct_ticks *c = &cpus[id];

				c->user = v[0];
				c->nice = v[1];
				c->system = v[2];
				c->idle = v[3];
				c->iowait = v[4];
				c->irq = v[5];
				c->softirq = v[6];
				c->steal = v[7];
				c->guest = v[8];
				c->guest_nice = v[9];
				c->present = 1;
				if (id + 1 > n)
					n = id + 1;
			}
		}
		if ((l = strchr(l, '\n')) != NULL)
			l++;
	}
	return n;
}

static double
d(uint64_t a, uint64_t b)
{
	return b > a ? (double)(b - a) : 0;
}

void
cpuacct_split(const struct cpuacct_ticks *a, const struct cpuacct_ticks *b,
	      struct cpuacct_split *s)
{
	double guest = d(a->guest, b->guest) + d(a->guest_nice, b->guest_nice);
	/* user and nice include the guest's time: take it out once */
	double user = d(a->user, b->user) + d(a->nice, b->nice) - guest;
	double total;

	memset(s, 0, sizeof(*s));
	if (user < 0)
		user = 0;
	s->user = user;
	s->system = d(a->system, b->system);
	s->softirq = d(a->softirq, b->softirq);
	s->irq = d(a->irq, b->irq);
	s->guest = guest;
	s->steal = d(a->steal, b->steal);
	s->idle = d(a->idle, b->idle) + d(a->iowait, b->iowait);
	total = s->user + s->system + s->softirq + s->irq + s->guest +
		s->steal + s->idle;
	if (total <= 0) {
		memset(s, 0, sizeof(*s));
		return;
	}
	s->user = 100 * s->user / total;
	s->system = 100 * s->system / total;
	s->softirq = 100 * s->softirq / total;
	s->irq = 100 * s->irq / total;
	s->guest = 100 * s->guest / total;
	s->steal = 100 * s->steal / total;
	s->idle = 100 * s->idle / total;
}

int
cpuacct_parse_task_stat(const char *text, char *comm, size_t commlen,
			uint64_t *ticks, int *cpu)
{
	const char *lp = strchr(text, '('), *rp = strrchr(text, ')');
	const char *p;
	unsigned long long ut = 0, st = 0;
	int field = 3, proc = -1;
	size_t n;

	if (lp == NULL || rp == NULL || rp < lp)
		return -1;
	n = (size_t)(rp - lp - 1);
	if (commlen > 0) {
		if (n >= commlen)
			n = commlen - 1;
		memcpy(comm, lp + 1, n);
		comm[n] = '\0';
	}
	/* fields from 3 on, space separated, after the comm's ')' */
	for (p = rp + 1; *p == ' ' && field <= 39; field++) {
		char *end;
		unsigned long long v;

		p++;
		if (field == 3) { /* the state: one letter */
			p = strchr(p, ' ');
			if (p == NULL)
				return -1;
			continue;
		}
		v = strtoull(p, &end, 10); /* takes "-1" too: nice */
		if (end == p)
			return -1;
		if (field == 14)
			ut = v;
		else if (field == 15)
			st = v;
		else if (field == 39)
			proc = (int)v;
		p = end;
	}
	if (field <= 15)
		return -1;
	*ticks = ut + st;
	*cpu = proc;
	return 0;
}

int
cpuacct_parse_schedstat(const char *text, uint64_t *ns)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (end == text || errno != 0 || (*end != ' ' && *end != '\n'))
		return -1;
	*ns = v;
	return 0;
}

int
cpuacct_parse_watch(const char *s, struct cpuacct_watch *w, int max, char *err,
		    size_t errlen)
{
	int n = 0;

	while (*s != '\0') {
		const char *e = strchr(s, ','), *c1, *c2, *c3;
		size_t len = e ? (size_t)(e - s) : strlen(s);
		char item[64], *end;
		long tid, idx;

		if (len == 0 || len >= sizeof(item))
			goto bad;
		memcpy(item, s, len);
		item[len] = '\0';
		if (n == max) {
			snprintf(err, errlen, "--watch: more than %d threads",
				 max);
			return -1;
		}
		if ((c1 = strchr(item, ':')) == NULL ||
		    (c2 = strchr(c1 + 1, ':')) == NULL ||
		    (c3 = strchr(c2 + 1, ':')) == NULL || strchr(c3 + 1, ':'))
			goto bad;
		tid = strtol(item, &end, 10);
		if (end != c1 || tid <= 0 || tid > 0x3fffffff)
			goto bad;
		if (c2 - c1 - 1 <= 0 ||
		    (size_t)(c2 - c1 - 1) >= sizeof(w[n].node) ||
		    c3 - c2 - 1 <= 0 ||
		    (size_t)(c3 - c2 - 1) >= sizeof(w[n].kind))
			goto bad;
		idx = strtol(c3 + 1, &end, 10);
		if (end == c3 + 1 || *end != '\0' || idx < 0 || idx > 4096)
			goto bad;
		memset(&w[n], 0, sizeof(w[n]));
		w[n].tid = (pid_t)tid;
		memcpy(w[n].node, c1 + 1, (size_t)(c2 - c1 - 1));
		memcpy(w[n].kind, c2 + 1, (size_t)(c3 - c2 - 1));
		w[n].index = (int)idx;
		n++;
		s += len;
		if (*s == ',')
			s++;
		continue;
	bad:
		snprintf(err, errlen,
			 "--watch: expected TID:NODE:KIND:INDEX,..., got "
			 "\"%.*s\"",
			 (int)(len > 64 ? 64 : len), s);
		return -1;
	}
	return n;
}

/* The first len-1 bytes of a /proc file, NUL-terminated; bytes or -1 */
static ssize_t
proc_read(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (got < len - 1 && (r = read(fd, buf + got, len - 1 - got)) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

static void
task_read(pid_t tid, struct cpuacct_task *t)
{
	char path[64], buf[1024];
	uint64_t ticks;

	memset(t, 0, sizeof(*t));
	t->cpu = -1;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
	if (proc_read(path, buf, sizeof(buf)) == -1 ||
	    cpuacct_parse_task_stat(buf, t->comm, sizeof(t->comm), &ticks,
				    &t->cpu) == -1)
		return;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)tid);
	if (proc_read(path, buf, sizeof(buf)) == -1 ||
	    cpuacct_parse_schedstat(buf, &t->ns) == -1)
		t->ns = ticks * (uint64_t)(1000000000 / sysconf(_SC_CLK_TCK));
	t->ok = 1;
}

int
cpuacct_sample(struct cpuacct_sample *s, const struct cpuacct_watch *w, int nw)
{
	struct timespec ts;
	char *buf;
	int rc = -1;

	for (int i = 0; i < nw && i < CPUACCT_MAX_WATCH; i++)
		task_read(w[i].tid, &s->task[i]);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->mono_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	s->ncpus = 0;
	if ((buf = malloc(STAT_READ_MAX)) == NULL)
		return -1;
	if (proc_read("/proc/stat", buf, STAT_READ_MAX) != -1 &&
	    (s->ncpus = cpuacct_parse_stat(buf, s->cpu, CPUACCT_MAX_CPUS)) >= 0)
		rc = 0;
	if (s->ncpus < 0)
		s->ncpus = 0;
	free(buf);
	return rc;
}

static double
clamp_pct(double v)
{
	return v < 0 ? 0 : v > 100 ? 100 : v;
}

/* The dominant non-idle share of a CPU, for "CPU 3 at 99 % (softirq)" */
static const char *
split_main(const struct cpuacct_split *s)
{
	const char *name = "user";
	double best = s->user;

#define MAIN(f)                                                                \
	if (s->f > best) {                                                     \
		best = s->f;                                                   \
		name = #f;                                                     \
	}
	MAIN(system)
	MAIN(softirq)
	MAIN(irq)
	MAIN(guest)
	MAIN(steal)
#undef MAIN
	return name;
}

/* "the generator's CPU 3", "the sink's CPU 1" or "CPU 2" */
static const char *
cpu_name(int cpu, const struct cpuacct_self *gen,
	 const struct cpuacct_self *sink, char *buf, size_t len)
{
	snprintf(buf, len, "%sCPU %d",
		 cpu == gen->cpu    ? "the generator's "
		 : cpu == sink->cpu ? "the sink's "
				    : "",
		 cpu);
	return buf;
}

void
cpuacct_derive(const struct cpuacct_sample *a, const struct cpuacct_sample *b,
	       const struct cpuacct_watch *w, int nw,
	       const struct cpuacct_self *gen, const struct cpuacct_self *sink,
	       uint64_t forwarded, double loss, int gen_short,
	       struct cpuacct_result *r)
{
	double sum = 0, sat_pct = -1, cpu_best = -1;
	int measured = 0, all_napi = 1, sat = -1, cpu_at = -1;
	char sat_what[64] = "", cpu_buf[48];

	memset(r, 0, sizeof(*r));
	r->interval_s = b->mono_ns > a->mono_ns
			    ? (double)(b->mono_ns - a->mono_ns) / 1e9
			    : 0;
	for (int c = 0; c < a->ncpus && c < b->ncpus; c++) {
		if (!a->cpu[c].present || !b->cpu[c].present)
			continue;
		r->cpu_id[r->ncpus] = c;
		cpuacct_split(&a->cpu[c], &b->cpu[c], &r->split[r->ncpus]);
		r->ncpus++;
	}
	if (nw > CPUACCT_MAX_WATCH)
		nw = CPUACCT_MAX_WATCH;
	r->nthreads = nw;
	for (int i = 0; i < nw; i++) {
		const struct cpuacct_task *t0 = &a->task[i], *t1 = &b->task[i];

		r->thr[i].w = &w[i];
		r->thr[i].comm = t1->comm;
		r->thr[i].cpu = t1->cpu;
		if (strcmp(w[i].kind, "napi") != 0)
			all_napi = 0;
		if (!t0->ok || !t1->ok || strcmp(t0->comm, t1->comm) != 0)
			continue;
		r->thr[i].ok = 1;
		r->thr[i].cpu_s =
		    t1->ns > t0->ns ? (double)(t1->ns - t0->ns) / 1e9 : 0;
		r->thr[i].util_pct =
		    r->interval_s > 0
			? clamp_pct(100 * r->thr[i].cpu_s / r->interval_s)
			: 0;
		sum += r->thr[i].cpu_s;
		measured++;
		if (r->thr[i].util_pct > sat_pct) {
			sat_pct = r->thr[i].util_pct;
			sat = i;
		}
	}
	if (sat >= 0)
		snprintf(sat_what, sizeof(sat_what), "%s %d of %s", w[sat].kind,
			 w[sat].index, w[sat].node);
	r->gen = *gen;
	r->sink = *sink;
	r->gen_pct =
	    r->interval_s > 0 ? clamp_pct(100 * gen->cpu_s / r->interval_s) : 0;
	r->sink_pct = r->interval_s > 0
			  ? clamp_pct(100 * sink->cpu_s / r->interval_s)
			  : 0;
	if (r->gen_pct > sat_pct) {
		sat_pct = r->gen_pct;
		snprintf(sat_what, sizeof(sat_what), "the generator (CPU %d)",
			 gen->cpu);
	}
	if (r->sink_pct > sat_pct) {
		sat_pct = r->sink_pct;
		snprintf(sat_what, sizeof(sat_what), "the sink (CPU %d)",
			 sink->cpu);
	}
	for (int k = 0; k < r->ncpus; k++)
		r->softirq_cpu_s += r->split[k].softirq / 100 * r->interval_s;
	r->threads_cpu_s = sum;
	if (measured > 0) {
		if (all_napi) {
			sum += r->softirq_cpu_s;
			r->router_basis = "napi threads + softirq (all CPUs)";
		} else
			r->router_basis = "topology threads";
		r->router_cpu_s = sum;
		r->pkts_per_router_cpu_s =
		    sum > 0 ? (double)forwarded / sum : NAN;
	} else {
		r->router_cpu_s = NAN;
		r->router_basis = NULL;
		r->pkts_per_router_cpu_s = NAN;
	}
	for (int k = 0; k < r->ncpus; k++) {
		double busy = 100 - r->split[k].idle;

		if (busy > cpu_best) {
			cpu_best = busy;
			cpu_at = k;
		}
	}
	/* busiest: a thread wins ties with its CPU, it says more */
	if (sat_what[0] != '\0' && sat_pct >= cpu_best) {
		snprintf(r->busiest, sizeof(r->busiest), "%s", sat_what);
		r->busiest_pct = sat_pct;
	} else if (cpu_at >= 0) {
		snprintf(r->busiest, sizeof(r->busiest), "%s (%s)",
			 cpu_name(r->cpu_id[cpu_at], gen, sink, cpu_buf,
				  sizeof(cpu_buf)),
			 split_main(&r->split[cpu_at]));
		r->busiest_pct = cpu_best;
	}
	/*
	 * bounded_by: nothing when every frame came through at the offered
	 * rate; else a saturated thread first (it says more than its CPU),
	 * then a saturated CPU, else the generator if it fell short, else
	 * nothing the CPUs show.
	 */
	if (loss <= 0 && !gen_short)
		snprintf(r->bounded_by, sizeof(r->bounded_by),
			 "not bounded (no loss at this rate)");
	else if (sat_what[0] != '\0' && sat_pct >= CPUACCT_SATURATED_PCT)
		snprintf(r->bounded_by, sizeof(r->bounded_by), "%s at %.0f %%",
			 sat_what, sat_pct);
	else if (cpu_at >= 0 && cpu_best >= CPUACCT_SATURATED_PCT)
		snprintf(r->bounded_by, sizeof(r->bounded_by),
			 "%s at %.0f %% (mostly %s)",
			 cpu_name(r->cpu_id[cpu_at], gen, sink, cpu_buf,
				  sizeof(cpu_buf)),
			 cpu_best, split_main(&r->split[cpu_at]));
	else if (gen_short)
		snprintf(r->bounded_by, sizeof(r->bounded_by),
			 "the generator fell short, no CPU saturated");
	else
		snprintf(r->bounded_by, sizeof(r->bounded_by),
			 "no CPU saturated (loss elsewhere)");
}

static void
json_self(struct jw *jw, const char *key, const struct cpuacct_self *s,
	  double pct)
{
	jw_obj(jw, key);
	jw_dbl(jw, "cpu", s->cpu);
	jw_dbl(jw, "cpu_s", round(s->cpu_s * 1e6) / 1e6);
	jw_dbl(jw, "util_pct", round(pct * 10) / 10);
	jw_end(jw);
}

static double
r2(double v)
{
	return round(v * 100) / 100;
}

void
cpuacct_json(struct jw *jw, const struct cpuacct_result *r)
{
	jw_obj(jw, "cpu");
	jw_dbl(jw, "interval_s", round(r->interval_s * 1e6) / 1e6);
	jw_arr(jw, "cpus");
	for (int k = 0; k < r->ncpus; k++) {
		const struct cpuacct_split *s = &r->split[k];

		jw_obj(jw, NULL);
		jw_u64(jw, "cpu", (uint64_t)r->cpu_id[k]);
		jw_dbl(jw, "user", r2(s->user));
		jw_dbl(jw, "system", r2(s->system));
		jw_dbl(jw, "softirq", r2(s->softirq));
		jw_dbl(jw, "irq", r2(s->irq));
		jw_dbl(jw, "guest", r2(s->guest));
		jw_dbl(jw, "steal", r2(s->steal));
		jw_dbl(jw, "idle", r2(s->idle));
		jw_end(jw);
	}
	jw_arr_end(jw);
	jw_arr(jw, "threads");
	for (int i = 0; i < r->nthreads; i++) {
		jw_obj(jw, NULL);
		jw_u64(jw, "tid", (uint64_t)r->thr[i].w->tid);
		jw_str(jw, "node", r->thr[i].w->node);
		jw_str(jw, "kind", r->thr[i].w->kind);
		jw_u64(jw, "index", (uint64_t)r->thr[i].w->index);
		jw_str(jw, "comm", r->thr[i].comm);
		if (r->thr[i].ok) {
			jw_dbl(jw, "cpu", r->thr[i].cpu);
			jw_dbl(jw, "cpu_s", round(r->thr[i].cpu_s * 1e6) / 1e6);
			jw_dbl(jw, "util_pct",
			       round(r->thr[i].util_pct * 10) / 10);
		} else {
			jw_null(jw, "cpu_s"); /* gone, or its id reused */
			jw_null(jw, "util_pct");
		}
		jw_end(jw);
	}
	jw_arr_end(jw);
	json_self(jw, "generator", &r->gen, r->gen_pct);
	json_self(jw, "sink", &r->sink, r->sink_pct);
	jw_dbl(jw, "router_cpu_s", round(r->router_cpu_s * 1e6) / 1e6);
	if (r->router_basis != NULL)
		jw_str(jw, "router_cpu_basis", r->router_basis);
	else
		jw_null(jw, "router_cpu_basis");
	if (r->router_note != NULL)
		jw_str(jw, "router_cpu_note", r->router_note);
	jw_dbl(jw, "threads_cpu_s", round(r->threads_cpu_s * 1e6) / 1e6);
	jw_dbl(jw, "softirq_cpu_s", round(r->softirq_cpu_s * 1e6) / 1e6);
	jw_dbl(jw, "pkts_per_router_cpu_s", round(r->pkts_per_router_cpu_s));
	jw_obj(jw, "busiest");
	jw_str(jw, "what", r->busiest);
	jw_dbl(jw, "util_pct", round(r->busiest_pct * 10) / 10);
	jw_end(jw);
	jw_str(jw, "bounded_by", r->bounded_by);
	jw_end(jw);
}
