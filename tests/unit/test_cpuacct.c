/* Unit tests for a trial's CPU accounting (vrgen/cpuacct.c) against
 * synthetic /proc snapshots. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpuacct.h"
#include "t.h"

#define NEAR(a, b) (fabs((double)(a) - (double)(b)) < 1e-6)

/* two CPUs and the aggregate line, then the lines that follow in a real
 * /proc/stat */
static const char stat0[] = "cpu  300 0 300 3000 0 0 0 0 0 0\n"
			    "cpu0 100 0 100 1000 0 0 0 0 0 0\n"
			    "cpu1 200 0 200 2000 0 0 0 0 0 0\n"
			    "intr 12345 1 2 3\n"
			    "ctxt 999\n"
			    "btime 1700000000\n";
/* 100 ticks on each CPU: cpu0 40 user (of which 30 guest) + 10 nice,
 * 10 system, 25 softirq, 5 irq, 5 steal, 5 idle; cpu1 all idle+iowait */
static const char stat1[] = "cpu  0 0 0 0 0 0 0 0 0 0\n"
			    "cpu0 140 10 110 1005 0 5 25 5 30 0\n"
			    "cpu1 200 0 200 2090 10 0 0 0 0 0\n"
			    "intr 12345 1 2 3\n";

static void
test_stat(void)
{
	static struct cpuacct_ticks a[8], b[8];
	struct cpuacct_split s;
	double sum;

	CHECK_INT(cpuacct_parse_stat(stat0, a, 8), 2);
	CHECK_INT(cpuacct_parse_stat(stat1, b, 8), 2);
	CHECK(a[0].present && a[1].present && !a[2].present);
	CHECK_INT(b[0].guest, 30);
	CHECK_INT(b[0].softirq, 25);
	cpuacct_split(&a[0], &b[0], &s);
	/* user = 40 + 10 nice - 30 guest = 20 */
	CHECK(NEAR(s.user, 20));
	CHECK(NEAR(s.guest, 30));
	CHECK(NEAR(s.system, 10));
	CHECK(NEAR(s.softirq, 25));
	CHECK(NEAR(s.irq, 5));
	CHECK(NEAR(s.steal, 5));
	CHECK(NEAR(s.idle, 5));
	sum =
	    s.user + s.system + s.softirq + s.irq + s.guest + s.steal + s.idle;
	CHECK(NEAR(sum, 100));
	cpuacct_split(&a[1], &b[1], &s);
	CHECK(NEAR(s.idle, 100));
	/* no tick passed: all zero, not NaN */
	cpuacct_split(&a[1], &a[1], &s);
	CHECK(s.idle == 0 && s.user == 0);
	/* a counter that went backwards (CPU hot-unplugged) clamps at 0 */
	cpuacct_split(&b[0], &a[0], &s);
	sum =
	    s.user + s.system + s.softirq + s.irq + s.guest + s.steal + s.idle;
	CHECK(sum >= 0 && sum <= 100);
	/* guest above user (accounting lag): user clamps at 0, sum 100 */
	{
		struct cpuacct_ticks x = {0}, y = {0};

		y.user = 10;
		y.guest = 20;
		y.idle = 70;
		cpuacct_split(&x, &y, &s);
		CHECK(s.user == 0);
		sum = s.user + s.system + s.softirq + s.irq + s.guest +
		      s.steal + s.idle;
		CHECK(NEAR(sum, 100));
	}
	/* only 4 fields (old kernels), sparse CPU numbers, bad lines */
	CHECK_INT(cpuacct_parse_stat("cpu0 1 2 3 4\ncpu3 1 1 1 1\n", a, 8), 4);
	CHECK(a[3].present && !a[2].present && a[0].idle == 4);
	CHECK_INT(cpuacct_parse_stat("cpu0 1 2\n", a, 8), -1);
	CHECK_INT(cpuacct_parse_stat("", a, 8), 0);
	/* CPUs beyond max are skipped */
	CHECK_INT(cpuacct_parse_stat("cpu9 1 1 1 1\n", a, 8), 0);
}

/* /proc/TID/stat of a vCPU thread: comm with a space and a ')' inside */
static const char task[] =
    "4242 (CPU 1/KVM) S 4200 4200 0 0 -1 4194368 1 0 0 0 "
    "150 50 0 0 20 0 7 0 100 0 0 18446744073709551615 0 0 0 0 0 0 0 "
    "2147483647 0 0 0 0 -1 3 0 0 0 0 0\n";

static void
test_task(void)
{
	char comm[17];
	uint64_t ticks = 0, ns = 0;
	int cpu = -2;

	CHECK_INT(
	    cpuacct_parse_task_stat(task, comm, sizeof(comm), &ticks, &cpu), 0);
	CHECK_STR(comm, "CPU 1/KVM");
	CHECK_INT(ticks, 200);
	CHECK_INT(cpu, 3);
	CHECK_INT(cpuacct_parse_task_stat("1 (a) b) S 1 2 3 4 5 6 7 8 9 10 "
					  "5 6\n",
					  comm, sizeof(comm), &ticks, &cpu),
		  0);
	CHECK_STR(comm, "a) b");
	CHECK_INT(ticks, 11);
	CHECK_INT(cpu, -1); /* no field 39 */
	CHECK_INT(cpuacct_parse_task_stat("1 (x) S 1 2\n", comm, sizeof(comm),
					  &ticks, &cpu),
		  -1);
	CHECK_INT(cpuacct_parse_task_stat("garbage", comm, sizeof(comm), &ticks,
					  &cpu),
		  -1);
	CHECK_INT(cpuacct_parse_schedstat("123456789 100 7\n", &ns), 0);
	CHECK_INT(ns, 123456789);
	CHECK_INT(cpuacct_parse_schedstat("x 1 2\n", &ns), -1);
}

static void
test_watch(void)
{
	struct cpuacct_watch w[4];
	char err[128];

	CHECK_INT(cpuacct_parse_watch("101:vr0:vcpu:0,102:vr0:napi:1", w, 4,
				      err, sizeof(err)),
		  2);
	CHECK_INT(w[1].tid, 102);
	CHECK_STR(w[1].node, "vr0");
	CHECK_STR(w[1].kind, "napi");
	CHECK_INT(w[1].index, 1);
	CHECK_INT(cpuacct_parse_watch("", w, 4, err, sizeof(err)), 0);
	CHECK_INT(cpuacct_parse_watch("101:vr0:vcpu", w, 4, err, sizeof(err)),
		  -1);
	CHECK(strstr(err, "TID:NODE:KIND:INDEX") != NULL);
	CHECK_INT(cpuacct_parse_watch("0:vr0:vcpu:0", w, 4, err, sizeof(err)),
		  -1);
	CHECK_INT(cpuacct_parse_watch("1::vcpu:0", w, 4, err, sizeof(err)), -1);
	CHECK_INT(cpuacct_parse_watch("1:a:vcpu:0:9", w, 4, err, sizeof(err)),
		  -1);
	CHECK_INT(
	    cpuacct_parse_watch("1:a:b:0,,2:a:b:1", w, 4, err, sizeof(err)),
	    -1);
	CHECK_INT(cpuacct_parse_watch("1:a:b:0,2:a:b:0,3:a:b:0", w, 2, err,
				      sizeof(err)),
		  -1);
}

static struct cpuacct_sample sa, sb;
static struct cpuacct_result res;

static void
test_derive(void)
{
	struct cpuacct_watch w[3] = {
	    {.tid = 11, .node = "vr0", .kind = "napi", .index = 0},
	    {.tid = 12, .node = "vr0", .kind = "napi", .index = 1},
	    {.tid = 13, .node = "vr0", .kind = "napi", .index = 2},
	};
	struct cpuacct_self gen = {.cpu_s = 0.5, .cpu = 1};
	struct cpuacct_self sink = {.cpu_s = 0.2, .cpu = 0};

	memset(&sa, 0, sizeof(sa));
	memset(&sb, 0, sizeof(sb));
	CHECK_INT(cpuacct_parse_stat(stat0, sa.cpu, CPUACCT_MAX_CPUS), 2);
	CHECK_INT(cpuacct_parse_stat(stat1, sb.cpu, CPUACCT_MAX_CPUS), 2);
	sa.ncpus = sb.ncpus = 2;
	sa.mono_ns = 1000000000;
	sb.mono_ns = 3000000000; /* a 2 s trial */
	sa.task[0] = (struct cpuacct_task){"napi/eth0-1", 0, 0, 1};
	sb.task[0] = (struct cpuacct_task){"napi/eth0-1", 1980000000, 0, 1};
	sa.task[1] = (struct cpuacct_task){"napi/eth1-2", 100, 1, 1};
	sb.task[1] = (struct cpuacct_task){"napi/eth1-2", 500000100, 1, 1};
	/* thread 13 died and its id went to another thread */
	sa.task[2] = (struct cpuacct_task){"napi/eth2-3", 0, 0, 1};
	sb.task[2] = (struct cpuacct_task){"bash", 900000000, 0, 1};
	cpuacct_derive(&sa, &sb, w, 3, &gen, &sink, 2480000, 0.01, 0, &res);
	CHECK(NEAR(res.interval_s, 2));
	CHECK_INT(res.ncpus, 2);
	for (int k = 0; k < res.ncpus; k++) {
		const struct cpuacct_split *s = &res.split[k];
		double sum = s->user + s->system + s->softirq + s->irq +
			     s->guest + s->steal + s->idle;

		CHECK(sum >= 0 && sum <= 100 + 1e-9);
	}
	CHECK(res.thr[0].ok && NEAR(res.thr[0].cpu_s, 1.98));
	CHECK(NEAR(res.thr[0].util_pct, 99));
	CHECK(NEAR(res.thr[1].util_pct, 25));
	CHECK(!res.thr[2].ok);
	/* NAPI threads 2.48 s + softirq: cpu0 25 % of 2 s = 0.5 s */
	CHECK(NEAR(res.threads_cpu_s, 2.48));
	CHECK(NEAR(res.softirq_cpu_s, 0.5));
	CHECK(NEAR(res.router_cpu_s, 2.98));
	CHECK_STR(res.router_basis, "napi threads + softirq (all CPUs)");
	CHECK(NEAR(res.pkts_per_router_cpu_s, 2480000 / 2.98));
	CHECK(NEAR(res.gen_pct, 25));
	CHECK(NEAR(res.sink_pct, 10));
	CHECK_STR(res.busiest, "napi 0 of vr0");
	CHECK(NEAR(res.busiest_pct, 99));
	CHECK_STR(res.bounded_by, "napi 0 of vr0 at 99 %");

	/* no loss at the offered rate: not bounded, whatever was busy */
	cpuacct_derive(&sa, &sb, w, 3, &gen, &sink, 2480000, 0, 0, &res);
	CHECK_STR(res.bounded_by, "not bounded (no loss at this rate)");
	CHECK_STR(res.busiest, "napi 0 of vr0");

	/* the generator saturated, the router not */
	sb.task[0].ns = 200000000;
	gen.cpu_s = 1.99;
	cpuacct_derive(&sa, &sb, w, 3, &gen, &sink, 100, 0.2, 1, &res);
	CHECK_STR(res.bounded_by, "the generator (CPU 1) at 100 %");
	CHECK_STR(res.busiest, "the generator (CPU 1)");

	/* nothing saturated: cpu0 at 95 % busy would count, make it idle */
	gen.cpu_s = 0.1;
	sb.cpu[0] = sa.cpu[0];
	sb.cpu[0].idle += 100;
	cpuacct_derive(&sa, &sb, w, 3, &gen, &sink, 100, 0.2, 0, &res);
	CHECK_STR(res.bounded_by, "no CPU saturated (loss elsewhere)");
	cpuacct_derive(&sa, &sb, w, 3, &gen, &sink, 100, 0, 1, &res);
	CHECK_STR(res.bounded_by, "the generator fell short, no CPU saturated");

	/* a saturated CPU and no saturated thread: the CPU, whose it is
	 * and what kept it busy */
	sb.cpu[1] = sa.cpu[1];
	sb.cpu[1].softirq += 97;
	sb.cpu[1].idle += 3;
	cpuacct_derive(&sa, &sb, w, 3, &gen, &sink, 100, 0.1, 0, &res);
	CHECK_STR(res.bounded_by,
		  "the generator's CPU 1 at 97 % (mostly softirq)");
	CHECK_STR(res.busiest, "the generator's CPU 1 (softirq)");
	gen.cpu = 7;
	cpuacct_derive(&sa, &sb, w, 3, &gen, &sink, 100, 0.1, 0, &res);
	CHECK_STR(res.bounded_by, "CPU 1 at 97 % (mostly softirq)");
	CHECK_STR(res.busiest, "CPU 1 (softirq)");

	/* no watched thread: no router figure, mixed kinds say so */
	cpuacct_derive(&sa, &sb, w, 0, &gen, &sink, 100, 0, 0, &res);
	CHECK(isnan(res.router_cpu_s) && res.router_basis == NULL);
	CHECK(isnan(res.pkts_per_router_cpu_s));
	/* a VM's threads: their time alone, the host's softirq is not the
	 * router's */
	strcpy(w[1].kind, "vcpu");
	cpuacct_derive(&sa, &sb, w, 2, &gen, &sink, 100, 0, 0, &res);
	CHECK_STR(res.router_basis, "topology threads");
	CHECK(NEAR(res.router_cpu_s, res.threads_cpu_s));
	CHECK(res.softirq_cpu_s > 0);
}

int
main(void)
{
	test_stat();
	test_task();
	test_watch();
	test_derive();
	return t_done("test_cpuacct");
}
