/*
 * The CPU topology from sysfs (lib/hostinfo.c) and the pinning planner's
 * use of it (lib/pin.c), against synthetic sysfs trees: one socket without
 * SMT; two sockets with SMT and two NUMA nodes; the same with offline and
 * isolated CPUs.  CPUs are numbered as Linux numbers them on x86: the
 * first thread of every core, socket by socket, then the second threads.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostinfo.h"
#include "pin.h"
#include "faketree.h"
#include "t.h"
#include "util.h"

static char root[64];

static void
put(const char *rel, const char *text)
{
	faketree_put(root, rel, text);
}

static void
clean(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		exit(1);
}

/*
 * A host of sockets x cores x threads, one NUMA node per socket when numa,
 * else none (no node directory, as on kernels without CONFIG_NUMA).
 * offline CPUs have no topology directory (as in Linux); isolated is a
 * CPU list or "".
 */
static void
make_host(int sockets, int cores, int threads, int numa, const char *offline,
	  const char *isolated)
{
	int ncpu = sockets * cores * threads;
	char rel[128], buf[256];
	cpu_set_t on, off, node[8];

	snprintf(root, sizeof(root), "/tmp/vr-test-pintopo.XXXXXX");
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	cpulist_parse(offline, &off);
	CPU_ZERO(&on);
	for (int s = 0; s < sockets; s++)
		CPU_ZERO(&node[s]);
	for (int c = 0; c < ncpu; c++) {
		int first = c % (sockets * cores); /* the core's first thread */
		int s = first / cores;
		size_t o = 0;

		CPU_SET(c, &node[s]);
		if (CPU_ISSET(c, &off))
			continue;
		CPU_SET(c, &on);
		snprintf(rel, sizeof(rel),
			 "sys/devices/system/cpu/cpu%d/topology/"
			 "physical_package_id",
			 c);
		snprintf(buf, sizeof(buf), "%d\n", s);
		put(rel, buf);
		for (int t = 0; t < threads; t++)
			o +=
			    snprintf(buf + o, sizeof(buf) - o, "%s%d",
				     t ? "," : "", first + t * sockets * cores);
		snprintf(buf + o, sizeof(buf) - o, "\n");
		snprintf(rel, sizeof(rel),
			 "sys/devices/system/cpu/cpu%d/topology/"
			 "thread_siblings_list",
			 c);
		put(rel, buf);
		snprintf(rel, sizeof(rel),
			 "sys/devices/system/cpu/cpu%d/topology/core_cpus_list",
			 c);
		put(rel, buf);
	}
	cpulist_format(&on, buf, sizeof(buf));
	strcat(buf, "\n");
	put("sys/devices/system/cpu/online", buf);
	snprintf(buf, sizeof(buf), "%s\n", isolated);
	put("sys/devices/system/cpu/isolated", buf);
	for (int s = 0; numa && s < sockets; s++) {
		snprintf(rel, sizeof(rel),
			 "sys/devices/system/node/node%d/cpulist", s);
		cpulist_format(&node[s], buf, sizeof(buf));
		strcat(buf, "\n");
		put(rel, buf);
	}
	put("proc/sys/kernel/osrelease", "6.1.0-test\n");
}

static struct pin_input
input_from(const struct hostinfo *h, enum pin_smt smt)
{
	struct pin_input in;

	memset(&in, 0, sizeof(in));
	in.online = h->online;
	in.isolated = h->isolated;
	in.topo = h->topo;
	in.smt = smt;
	return in;
}

static void
add_node(struct pin_input *in, int vcpus, int nics)
{
	in->vcpus[in->nnodes] = vcpus;
	in->nics[in->nnodes] = nics;
	in->nnodes++;
}

/* Node n's vCPU CPUs in vCPU order, "4,5,6,7". */
static const char *
vcpus_of(const struct pin_plan *p, int n)
{
	static char buf[4][256];
	static int slot;
	char *b = buf[slot++ % 4];
	size_t o = 0;

	b[0] = '\0';
	for (int i = 0; i < p->n; i++)
		if (p->a[i].node == n && p->a[i].kind == PIN_VCPU)
			for (int c = 0; c < CPU_SETSIZE; c++)
				if (CPU_ISSET(c, &p->a[i].cpus))
					o += snprintf(b + o, 256 - o, "%s%d",
						      o ? "," : "", c);
	return b;
}

static const char *
cpus_of(const struct pin_plan *p, int node, enum pin_kind kind, int index)
{
	static char buf[4][256];
	static int slot;
	const struct pin_assign *a = pin_plan_find(p, node, kind, index);

	if (a == NULL)
		return "(none)";
	return cpulist_format(&a->cpus, buf[slot++ % 4], 256);
}

/* Do two vCPUs of node n sit on one core? */
static int
siblings_in_node(const struct pin_plan *p, const struct pin_cputopo *t, int n)
{
	cpu_set_t cores;

	CPU_ZERO(&cores);
	for (int i = 0; i < p->n; i++) {
		if (p->a[i].node != n || p->a[i].kind != PIN_VCPU)
			continue;
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &p->a[i].cpus)) {
				if (CPU_ISSET(t->core[c], &cores))
					return 1;
				CPU_SET(t->core[c], &cores);
			}
	}
	return 0;
}

/* 1 socket, 4 cores, no SMT, no NUMA directory: the topology changes
 * nothing, the plan is the one made without it. */
static void
test_one_socket(void)
{
	struct pin_plan p, q;
	struct hostinfo h;
	struct pin_input in, bare;
	char err[256];

	make_host(1, 4, 1, 0, "", "");
	CHECK_INT(hostinfo_read(&h, root), 0);
	CHECK_INT(h.ncpus, 4);
	CHECK_INT(h.topo.known, 1);
	CHECK_INT(h.npackages, 1);
	CHECK_INT(h.ncores, 4);
	CHECK_INT(h.nnuma, 0);
	CHECK_INT(h.topo.core[3], 3);
	CHECK_INT(h.topo.numa[3], -1);

	in = input_from(&h, PIN_SMT_AVOID);
	add_node(&in, 2, 2);
	bare = in;
	memset(&bare.topo, 0, sizeof(bare.topo));
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(pin_plan_build(&bare, &q, err, sizeof(err)), 0);
	CHECK_INT(p.topo_used, 0);
	CHECK_INT(p.numa[0], -1);
	CHECK_STR(p.note, "");
	CHECK_STR(p.warning, q.warning);
	CHECK_INT(p.n, q.n);
	for (int i = 0; i < p.n && i < q.n; i++)
		CHECK(CPU_EQUAL(&p.a[i].cpus, &q.a[i].cpus));
	CHECK_STR(vcpus_of(&p, 0), "2,3");
	pin_plan_free(&p);
	pin_plan_free(&q);
	clean();
}

/* 2 sockets x 4 cores x 2 threads, NUMA node per socket: CPUs 0-3,8-11 on
 * node 0 and 4-7,12-15 on node 1; CPU c and c+8 are siblings. */
static void
test_two_sockets_smt(void)
{
	struct pin_plan p;
	struct hostinfo h;
	struct pin_input in;
	char err[256];

	make_host(2, 4, 2, 1, "", "");
	CHECK_INT(hostinfo_read(&h, root), 0);
	CHECK_INT(h.ncpus, 16);
	CHECK_INT(h.npackages, 2);
	CHECK_INT(h.ncores, 8);
	CHECK_INT(h.nnuma, 2);
	CHECK_INT(h.topo.core[12], 4);
	CHECK_INT(h.topo.core[4], 4);
	CHECK_INT(h.topo.package[12], 1);
	CHECK_INT(h.topo.numa[12], 1);
	CHECK_INT(h.topo.numa[9], 0);
	{
		json_object *j = hostinfo_topology_json(&h);

		CHECK_STR(
		    json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
		    "{\"known\":true,\"packages\":2,\"cores\":8,"
		    "\"numa_nodes\":2,\"smt_siblings\":[\"0,8\",\"1,9\","
		    "\"2,10\",\"3,11\",\"4,12\",\"5,13\",\"6,14\","
		    "\"7,15\"],\"numa\":{\"0\":\"0-3,8-11\",\"1\":"
		    "\"4-7,12-15\"}}");
		json_object_put(j);
	}

	/* one node, 4 vCPUs, avoid: distinct cores of NUMA node 1 (the one
	 * with most free CPUs, CPU 0 being kept for housekeeping); its
	 * emulator and vhost threads beside it (on the siblings: the only
	 * housekeeping CPUs of node 1) */
	in = input_from(&h, PIN_SMT_AVOID);
	add_node(&in, 4, 4);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.topo_used, 1);
	CHECK_STR(vcpus_of(&p, 0), "4,5,6,7");
	CHECK_INT(p.numa[0], 1);
	CHECK_STR(p.warning, "");
	CHECK(strstr(p.note, "--smt avoid") != NULL);
	CHECK(strstr(p.note, "one NUMA node") != NULL);
	CHECK_STR(cpus_of(&p, 0, PIN_EMULATOR, 0), "12-15");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 0), "12");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 3), "15");
	pin_plan_free(&p);

	/* share: a core's threads first */
	in.smt = PIN_SMT_SHARE;
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_STR(vcpus_of(&p, 0), "4,12,5,13");
	CHECK_INT(p.numa[0], 1);
	CHECK(siblings_in_node(&p, &h.topo, 0));
	CHECK(strstr(p.note, "--smt share") != NULL);
	/* housekeeping on node 1 off the vCPUs' cores */
	CHECK_STR(cpus_of(&p, 0, PIN_EMULATOR, 0), "6-7,14-15");
	pin_plan_free(&p);

	/* two nodes of 4: one per NUMA node, no siblings within a node;
	 * node 0's core (CPU 0 kept) is taken last */
	in = input_from(&h, PIN_SMT_AVOID);
	add_node(&in, 4, 1);
	add_node(&in, 4, 1);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_STR(vcpus_of(&p, 0), "4,5,6,7");
	CHECK_STR(vcpus_of(&p, 1), "1,2,3,8");
	CHECK_INT(p.numa[0], 1);
	CHECK_INT(p.numa[1], 0);
	CHECK(!siblings_in_node(&p, &h.topo, 0));
	CHECK(!siblings_in_node(&p, &h.topo, 1));
	CHECK_STR(p.warning, "");
	CHECK_STR(cpus_of(&p, 1, PIN_EMULATOR, 0), "0,9-11");
	pin_plan_free(&p);

	/* 6 vCPUs fit on no NUMA node's 4 cores: spread, on distinct cores */
	in = input_from(&h, PIN_SMT_AVOID);
	add_node(&in, 6, 1);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK(!siblings_in_node(&p, &h.topo, 0));
	CHECK_INT(p.numa[0], -1);
	CHECK(strstr(p.warning, "node 0: its 6 vCPUs fit on no single NUMA "
				"node; spread over NUMA nodes") != NULL);
	pin_plan_free(&p);

	/* 10 vCPUs on 8 cores: avoiding is impossible, said, not refused */
	in = input_from(&h, PIN_SMT_AVOID);
	add_node(&in, 10, 1);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK(strstr(p.warning, "--smt avoid, but only 8 free cores for 10 "
				"vCPUs: 2 vCPUs on sibling threads") != NULL);
	CHECK(siblings_in_node(&p, &h.topo, 0));
	pin_plan_free(&p);

	/* more vCPUs than CPUs: the old round-robin, said so */
	in = input_from(&h, PIN_SMT_AVOID);
	add_node(&in, 16, 1);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.shared, 1);
	CHECK_INT(p.topo_used, 0);
	CHECK(strstr(p.warning, "SMT siblings and NUMA nodes not "
				"considered") != NULL);
	pin_plan_free(&p);
	clean();
}

/* The same host with CPUs 6 and 14 (one core) offline and 4,5,12,13
 * isolated: vCPUs on the isolated CPUs of node 1, distinct cores, the
 * housekeeping of node 1 is CPU 7 and 15; offline CPUs appear nowhere. */
static void
test_offline_isolated(void)
{
	struct pin_plan p;
	struct hostinfo h;
	struct pin_input in;
	char err[256], buf[64];

	make_host(2, 4, 2, 1, "6,14", "4-5,12-13");
	CHECK_INT(hostinfo_read(&h, root), 0);
	CHECK_INT(h.ncpus, 14);
	CHECK_INT(h.ncores, 7);
	CHECK_INT(h.nnuma, 2);
	CHECK_INT(h.topo.core[6], -1);
	CHECK_INT(h.topo.numa[6], -1);
	CHECK_STR(cpulist_format(&h.isolated, buf, sizeof(buf)), "4-5,12-13");

	in = input_from(&h, PIN_SMT_AVOID);
	add_node(&in, 2, 2);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_STR(vcpus_of(&p, 0), "4,5");
	CHECK_INT(p.numa[0], 1);
	CHECK_STR(cpus_of(&p, 0, PIN_EMULATOR, 0), "7,15");
	CHECK_STR(cpulist_format(&p.housekeeping, buf, sizeof(buf)),
		  "0-3,7-11,15");
	CHECK(!CPU_ISSET(6, &p.housekeeping) &&
	      !CPU_ISSET(14, &p.housekeeping));
	CHECK_STR(p.warning, "");
	pin_plan_free(&p);

	/* 3 vCPUs, 2 isolated cores: node 1 still, one on a sibling */
	in = input_from(&h, PIN_SMT_AVOID);
	add_node(&in, 3, 0);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_STR(vcpus_of(&p, 0), "4,5,12");
	CHECK_INT(p.numa[0], 1);
	CHECK(strstr(p.warning, "1 vCPU on sibling threads") != NULL);
	pin_plan_free(&p);
	clean();
}

/* The CPU set of one entry as a number (single CPU), -1 otherwise. */
static int
cpu_of(const struct pin_plan *p, int node, enum pin_kind kind, int index)
{
	const struct pin_assign *a = pin_plan_find(p, node, kind, index);

	if (a == NULL || CPU_COUNT(&a->cpus) != 1)
		return -1;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &a->cpus))
			return c;
	return -1;
}

/*
 * --vhost-cpu on synthetic hosts: 1 socket without SMT, 2 sockets with SMT
 * and NUMA nodes, isolated CPUs.  dedicated: every vhost thread a CPU of
 * its own, on its node's NUMA node, on a core none of the node's vCPUs
 * uses (--smt avoid); vcpu: on its vCPU's CPU.
 */
static void
test_vhost_placement(void)
{
	struct pin_plan p;
	struct hostinfo h;
	struct pin_input in;
	cpu_set_t used;
	char err[256], buf[64];

	/* 1 socket, 8 cores, no SMT */
	make_host(1, 8, 1, 0, "", "");
	CHECK_INT(hostinfo_read(&h, root), 0);
	in = input_from(&h, PIN_SMT_AVOID);
	in.vhost = PIN_VHOST_DEDICATED;
	add_node(&in, 2, 2);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.topo_used, 0);
	CHECK_STR(vcpus_of(&p, 0), "4,5");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 0), "6");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 1), "7");
	CHECK_STR(cpus_of(&p, 0, PIN_EMULATOR, 0), "0-3");
	pin_plan_free(&p);
	in.vhost = PIN_VHOST_VCPU;
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_STR(vcpus_of(&p, 0), "6,7");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 0), "6");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 1), "7");
	pin_plan_free(&p);
	clean();

	/* 2 sockets x 4 cores x 2 threads, a NUMA node per socket */
	make_host(2, 4, 2, 1, "", "");
	CHECK_INT(hostinfo_read(&h, root), 0);
	in = input_from(&h, PIN_SMT_AVOID);
	in.vhost = PIN_VHOST_DEDICATED;
	add_node(&in, 2, 2);
	add_node(&in, 2, 2);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.topo_used, 1);
	CHECK_STR(p.warning, "");
	CHECK(strstr(p.note, "--vhost-cpu dedicated: 4 vhost threads "
			     "planned like vCPUs") != NULL);
	CPU_ZERO(&used);
	for (int n = 0; n < 2; n++) {
		cpu_set_t cores;

		CHECK(p.numa[n] >= 0);
		CPU_ZERO(&cores);
		for (int i = 0; i < 2; i++) {
			int v = cpu_of(&p, n, PIN_VCPU, i);
			int t = cpu_of(&p, n, PIN_VHOST, i);

			CHECK(v >= 0 && t >= 0);
			if (v < 0 || t < 0)
				continue;
			/* a CPU of its own, not housekeeping, not a vCPU's */
			CHECK(!CPU_ISSET(t, &used) && !CPU_ISSET(v, &used));
			CPU_SET(t, &used);
			CPU_SET(v, &used);
			CHECK(!CPU_ISSET(t, &p.housekeeping));
			CHECK(!CPU_ISSET(t, &p.vcpu_cpus));
			CHECK(CPU_ISSET(v, &p.vcpu_cpus));
			/* the node's NUMA node, distinct cores */
			CHECK_INT(h.topo.numa[t], p.numa[n]);
			CHECK_INT(h.topo.numa[v], p.numa[n]);
			CHECK(!CPU_ISSET(h.topo.core[t], &cores));
			CPU_SET(h.topo.core[t], &cores);
			CHECK(!CPU_ISSET(h.topo.core[v], &cores));
			CPU_SET(h.topo.core[v], &cores);
		}
	}
	CHECK(p.numa[0] != p.numa[1]);
	CHECK_INT(CPU_COUNT(&p.vcpu_cpus), 4);
	pin_plan_free(&p);

	/* vcpu: each vhost thread on the CPU of the vCPU it serves */
	in.vhost = PIN_VHOST_VCPU;
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	for (int n = 0; n < 2; n++)
		for (int i = 0; i < 2; i++)
			CHECK_INT(cpu_of(&p, n, PIN_VHOST, i),
				  cpu_of(&p, n, PIN_VCPU, i));
	pin_plan_free(&p);

	/* dedicated that does not fit: 3 nodes of 4 vCPUs + 2 vhost on 16
	 * CPUs: shared, with the warnings of vCPUs that do not fit */
	in = input_from(&h, PIN_SMT_AVOID);
	in.vhost = PIN_VHOST_DEDICATED;
	for (int n = 0; n < 3; n++)
		add_node(&in, 4, 2);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.shared, 1);
	CHECK(strstr(p.warning, "the vCPUs do not fit") != NULL);
	CHECK(strstr(p.warning, "18 vCPUs on 16 CPUs") != NULL);
	CHECK(strstr(p.warning, "6 vhost threads planned like vCPUs") != NULL);
	CHECK_INT(cpu_of(&p, 2, PIN_VHOST, 1), 1); /* vCPU-like 17 mod 16 */
	pin_plan_free(&p);
	clean();

	/* isolated CPUs 4,5,12,13 (cores 4 and 5) on node 1, 6 and 14
	 * offline: 1 vCPU + 1 vhost thread on isolated, distinct cores */
	make_host(2, 4, 2, 1, "6,14", "4-5,12-13");
	CHECK_INT(hostinfo_read(&h, root), 0);
	in = input_from(&h, PIN_SMT_AVOID);
	in.vhost = PIN_VHOST_DEDICATED;
	add_node(&in, 1, 1);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_STR(vcpus_of(&p, 0), "4");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 0), "5");
	CHECK_STR(cpulist_format(&p.vcpu_cpus, buf, sizeof(buf)), "4");
	CHECK_STR(cpus_of(&p, 0, PIN_EMULATOR, 0), "7,15");
	CHECK_STR(p.warning, "");
	pin_plan_free(&p);
	clean();
}

static void
test_smt_names(void)
{
	CHECK_STR(pin_smt_name(PIN_SMT_AVOID), "avoid");
	CHECK_STR(pin_smt_name(PIN_SMT_SHARE), "share");
	CHECK_INT(pin_smt_parse("share"), PIN_SMT_SHARE);
	CHECK_INT(pin_smt_parse("avoid"), PIN_SMT_AVOID);
	CHECK_INT(pin_smt_parse("Share"), -1);
	CHECK_INT(pin_smt_parse(NULL), -1);
}

int
main(void)
{
	test_one_socket();
	test_two_sockets_smt();
	test_offline_isolated();
	test_smt_names();
	test_vhost_placement();
	return t_done("test_pintopo");
}
