/* Unit tests for the pinning planner (lib/pin.c). */
#include <stdlib.h>
#include <string.h>

#include "pin.h"
#include "t.h"
#include "util.h"

static struct pin_input
input(const char *online, const char *isolated, const char *restrict_to)
{
	struct pin_input in;

	memset(&in, 0, sizeof(in));
	cpulist_parse(online, &in.online);
	cpulist_parse(isolated ? isolated : "", &in.isolated);
	if (restrict_to != NULL) {
		cpulist_parse(restrict_to, &in.restrict_to);
		in.has_restrict = 1;
	}
	return in;
}

static void
add_node(struct pin_input *in, int vcpus, int nics)
{
	in->vcpus[in->nnodes] = vcpus;
	in->nics[in->nnodes] = nics;
	in->nnodes++;
}

/* The CPU list of one assignment, "" when missing. */
static const char *
cpus_of(const struct pin_plan *p, int node, enum pin_kind kind, int index)
{
	static char buf[8][256];
	static int slot;
	const struct pin_assign *a = pin_plan_find(p, node, kind, index);
	char *b = buf[slot++ % 8];

	if (a == NULL)
		return "(none)";
	return cpulist_format(&a->cpus, b, 256);
}

static const char *
setstr(const cpu_set_t *s)
{
	static char buf[4][256];
	static int slot;

	return cpulist_format(s, buf[slot++ % 4], 256);
}

static void
test_dedicated(void)
{
	struct pin_input in = input("0-7", NULL, NULL);
	struct pin_plan p;
	char err[256] = "";

	add_node(&in, 4, 2);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.shared, 0);
	CHECK_STR(p.warning, "");
	CHECK_STR(setstr(&p.housekeeping), "0-3");
	CHECK_STR(setstr(&p.vcpu_cpus), "4-7");
	CHECK_INT(p.n, 4 + 1 + 2 + 1);
	for (int i = 0; i < 4; i++) {
		char want[16];
		snprintf(want, sizeof(want), "%d", 4 + i);
		CHECK_STR(cpus_of(&p, 0, PIN_VCPU, i), want);
	}
	CHECK_STR(cpus_of(&p, 0, PIN_EMULATOR, 0), "0-3");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 0), "0");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 1), "1");
	CHECK_STR(cpus_of(&p, 0, PIN_IO, 0), "0-3");
	CHECK(pin_plan_find(&p, 0, PIN_VCPU, 4) == NULL);
	CHECK(pin_plan_find(&p, 1, PIN_VCPU, 0) == NULL);
	/* node-major, kind-ordered */
	CHECK_INT(p.a[0].kind, PIN_VCPU);
	CHECK_INT(p.a[3].index, 3);
	CHECK_INT(p.a[4].kind, PIN_EMULATOR);
	CHECK_INT(p.a[5].kind, PIN_VHOST);
	CHECK_INT(p.a[7].kind, PIN_IO);
	pin_plan_free(&p);
	CHECK(p.a == NULL && p.n == 0);
}

static void
test_isolated(void)
{
	struct pin_input in = input("0-7", "2-5", NULL);
	struct pin_plan p;
	char err[256] = "";

	add_node(&in, 4, 3);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.shared, 0);
	CHECK_STR(p.warning, "");
	CHECK_STR(setstr(&p.vcpu_cpus), "2-5");
	CHECK_STR(setstr(&p.housekeeping), "0-1,6-7");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 0), "2");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 3), "5");
	CHECK_STR(cpus_of(&p, 0, PIN_EMULATOR, 0), "0-1,6-7");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 0), "0");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 1), "1");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 2), "6");
	pin_plan_free(&p);

	/* fewer vCPUs than isolated CPUs: the lowest isolated ones */
	in = input("0-7", "2-5", NULL);
	add_node(&in, 2, 0);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_STR(setstr(&p.vcpu_cpus), "2-3");
	CHECK_STR(setstr(&p.housekeeping), "0-1,6-7");
	CHECK(pin_plan_find(&p, 0, PIN_VHOST, 0) == NULL);
	pin_plan_free(&p);

	/* more vCPUs than isolated CPUs: shared, housekeeping kept apart */
	in = input("0-7", "2-3", NULL);
	add_node(&in, 4, 2);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.shared, 1);
	CHECK_STR(p.warning, "4 vCPUs on 2 isolated CPUs (2-3): vCPUs share "
			     "CPUs round-robin; emulator and vhost threads "
			     "stay on 0-1,4-7");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 0), "2");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 1), "3");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 2), "2");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 3), "3");
	CHECK_STR(cpus_of(&p, 0, PIN_EMULATOR, 0), "0-1,4-7");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 1), "1");
	pin_plan_free(&p);

	/* isolated CPUs outside the candidates do not count */
	in = input("0-7", "6-7", "0-3");
	add_node(&in, 2, 0);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_STR(setstr(&p.vcpu_cpus), "2-3");
	CHECK_STR(setstr(&p.housekeeping), "0-1");
	pin_plan_free(&p);

	/* every candidate isolated: they count as ordinary ones */
	in = input("0-3", "0-3", NULL);
	add_node(&in, 2, 1);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.shared, 0);
	CHECK_STR(setstr(&p.vcpu_cpus), "2-3");
	CHECK_STR(setstr(&p.housekeeping), "0-1");
	pin_plan_free(&p);
}

static void
test_restrict(void)
{
	struct pin_input in = input("0-7", NULL, "2-5");
	struct pin_plan p;
	char err[256] = "";

	add_node(&in, 2, 1);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_STR(p.warning, "");
	CHECK_STR(setstr(&p.housekeeping), "2-3");
	CHECK_STR(setstr(&p.vcpu_cpus), "4-5");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 0), "4");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 1), "5");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 0), "2");
	for (int i = 0; i < p.n; i++)
		for (int c = 0; c < 8; c++)
			if (c < 2 || c > 5)
				CHECK(!CPU_ISSET(c, &p.a[i].cpus));
	pin_plan_free(&p);

	/* partly offline: the rest is used, the warning says what was not */
	in = input("0-3", NULL, "2-5");
	add_node(&in, 1, 0);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.shared, 0);
	CHECK_STR(p.warning, "--cpus 2-5: 4-5 not online, ignored");
	CHECK_STR(setstr(&p.housekeeping), "2");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 0), "3");
	pin_plan_free(&p);
}

static void
test_oversubscribed(void)
{
	struct pin_input in = input("0-1", NULL, NULL);
	struct pin_plan p;
	char err[256] = "";

	add_node(&in, 4, 2);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.shared, 1);
	CHECK_STR(p.warning, "4 vCPUs on 2 CPUs (0-1): vCPUs share CPUs "
			     "round-robin; emulator and vhost threads float "
			     "over 0-1");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 0), "0");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 1), "1");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 2), "0");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 3), "1");
	CHECK_STR(cpus_of(&p, 0, PIN_EMULATOR, 0), "0-1");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 0), "0-1");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 1), "0-1");
	CHECK_STR(cpus_of(&p, 0, PIN_IO, 0), "0-1");
	CHECK_STR(setstr(&p.vcpu_cpus), "0-1");
	CHECK_STR(setstr(&p.housekeeping), "0-1");
	pin_plan_free(&p);

	/* exactly as many CPUs as vCPUs: nothing left for housekeeping */
	in = input("0-1", NULL, NULL);
	add_node(&in, 2, 0);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.shared, 1);
	CHECK_STR(p.warning, "2 vCPUs on 2 CPUs (0-1): no CPU left for "
			     "housekeeping; emulator and vhost threads float "
			     "over 0-1");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 0), "0");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 1), "1");
	pin_plan_free(&p);
}

static void
test_several_nodes(void)
{
	struct pin_input in = input("0-7", NULL, NULL);
	struct pin_plan p, q;
	char err[256] = "";

	add_node(&in, 2, 2);
	add_node(&in, 2, 2);
	add_node(&in, 2, 2);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.shared, 0);
	CHECK_INT(p.n, 3 * (2 + 1 + 2 + 1));
	CHECK_STR(setstr(&p.housekeeping), "0-1");
	CHECK_STR(setstr(&p.vcpu_cpus), "2-7");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 0), "2");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 1), "3");
	CHECK_STR(cpus_of(&p, 1, PIN_VCPU, 0), "4");
	CHECK_STR(cpus_of(&p, 2, PIN_VCPU, 1), "7");
	/* vhost threads round-robin over housekeeping across all nodes */
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 0), "0");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 1), "1");
	CHECK_STR(cpus_of(&p, 1, PIN_VHOST, 0), "0");
	CHECK_STR(cpus_of(&p, 2, PIN_VHOST, 1), "1");
	CHECK_STR(cpus_of(&p, 2, PIN_EMULATOR, 0), "0-1");
	CHECK_INT(p.a[6].node, 1);
	CHECK_INT(p.a[6].kind, PIN_VCPU);

	/* deterministic */
	CHECK_INT(pin_plan_build(&in, &q, err, sizeof(err)), 0);
	CHECK_INT(q.n, p.n);
	CHECK(memcmp(p.a, q.a, p.n * sizeof(*p.a)) == 0);
	CHECK_STR(q.warning, p.warning);
	pin_plan_free(&q);
	pin_plan_free(&p);

	/* several nodes that do not fit: round-robin over all of them */
	in = input("0-2", NULL, NULL);
	add_node(&in, 2, 1);
	add_node(&in, 2, 1);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.shared, 1);
	CHECK_STR(p.warning, "4 vCPUs on 3 CPUs (0-2): vCPUs share CPUs "
			     "round-robin; emulator and vhost threads float "
			     "over 0-2");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 0), "0");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 1), "1");
	CHECK_STR(cpus_of(&p, 1, PIN_VCPU, 0), "2");
	CHECK_STR(cpus_of(&p, 1, PIN_VCPU, 1), "0");
	pin_plan_free(&p);
}

static void
test_no_candidates(void)
{
	struct pin_input in = input("0-1", NULL, "7");
	struct pin_plan p;
	char err[256] = "";

	add_node(&in, 1, 1);
	memset(&p, 0xaa, sizeof(p));
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), -1);
	CHECK_STR(err, "--cpus 7: none of these CPUs is online (online: 0-1)");
	CHECK(p.a == NULL && p.n == 0);
	pin_plan_free(&p);

	in = input("", NULL, NULL);
	add_node(&in, 1, 1);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), -1);
	CHECK_STR(err, "pinning: no online CPU");

	in = input("0-3", NULL, NULL);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), -1);
	CHECK_STR(err, "pinning: 0 nodes (1-32 allowed)");
	add_node(&in, 0, 0);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), -1);
	CHECK_STR(err, "pinning: node 0 has 0 vCPUs (1-1024 allowed)");
	in.vcpus[0] = 1;
	in.nics[0] = -1;
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), -1);
	CHECK(strstr(err, "vhost threads") != NULL);
	CHECK_INT(pin_plan_build(NULL, &p, NULL, 0), -1);
}

static void
test_single_cpu(void)
{
	struct pin_input in = input("0", NULL, NULL);
	struct pin_plan p;
	char err[256] = "";

	add_node(&in, 1, 2);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.shared, 1);
	CHECK_STR(p.warning, "1 vCPU on 1 CPU (0): no CPU left for "
			     "housekeeping; emulator and vhost threads float "
			     "over 0");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 0), "0");
	CHECK_STR(cpus_of(&p, 0, PIN_EMULATOR, 0), "0");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 1), "0");
	pin_plan_free(&p);

	in = input("0", NULL, NULL);
	add_node(&in, 4, 0);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_STR(p.warning, "4 vCPUs on 1 CPU (0): vCPUs share CPUs "
			     "round-robin; emulator and vhost threads float "
			     "over 0");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 3), "0");
	pin_plan_free(&p);
}

static void
test_kind_names(void)
{
	for (int k = PIN_VCPU; k <= PIN_IO; k++)
		CHECK_INT(pin_kind_parse(pin_kind_name(k)), k);
	CHECK_STR(pin_kind_name(PIN_EMULATOR), "emulator");
	CHECK_STR(pin_kind_name(PIN_VHOST), "vhost");
	CHECK_INT(pin_kind_parse("vCPU"), -1);
	CHECK_INT(pin_kind_parse(NULL), -1);
	CHECK(pin_plan_find(NULL, 0, PIN_VCPU, 0) == NULL);
}

/* --vhost-cpu vcpu: vhost thread j of a node on its vCPU j mod vcpus. */
static void
test_vhost_vcpu(void)
{
	struct pin_input in = input("0-7", NULL, NULL);
	struct pin_plan p;
	char err[256] = "";

	in.vhost = PIN_VHOST_VCPU;
	add_node(&in, 2, 3);
	add_node(&in, 1, 2);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_STR(p.warning, "");
	CHECK_STR(setstr(&p.vcpu_cpus), "5-7");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 0), "5");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 1), "6");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 0), "5");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 1), "6");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 2), "5");
	CHECK_STR(cpus_of(&p, 1, PIN_VHOST, 0), "7");
	CHECK_STR(cpus_of(&p, 1, PIN_VHOST, 1), "7");
	CHECK_STR(cpus_of(&p, 0, PIN_EMULATOR, 0), "0-4");
	/* the order of the entries does not change */
	CHECK_INT(p.n, 2 + 1 + 3 + 1 + 1 + 1 + 2 + 1);
	CHECK_INT(p.a[3].kind, PIN_VHOST);
	CHECK_INT(p.a[6].kind, PIN_IO);
	pin_plan_free(&p);
}

/* --vhost-cpu dedicated: vhost threads planned like vCPUs of their node. */
static void
test_vhost_dedicated(void)
{
	struct pin_input in = input("0-7", NULL, NULL);
	struct pin_plan p;
	char err[256] = "";

	in.vhost = PIN_VHOST_DEDICATED;
	add_node(&in, 2, 2);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.shared, 0);
	CHECK_STR(p.warning, "");
	CHECK_STR(setstr(&p.housekeeping), "0-3");
	CHECK_STR(setstr(&p.vcpu_cpus), "4-5");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 0), "4");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 1), "5");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 0), "6");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 1), "7");
	CHECK_STR(cpus_of(&p, 0, PIN_EMULATOR, 0), "0-3");
	CHECK_STR(cpus_of(&p, 0, PIN_IO, 0), "0-3");
	CHECK_INT(p.n, 2 + 1 + 2 + 1);
	CHECK_INT(p.a[2].kind, PIN_EMULATOR);
	CHECK_INT(p.a[3].kind, PIN_VHOST);
	CHECK_INT(p.a[3].index, 0);
	CHECK_INT(p.a[5].kind, PIN_IO);
	pin_plan_free(&p);

	/* two nodes: node-major, each node's vhost CPUs after its vCPUs */
	in = input("0-7", NULL, NULL);
	in.vhost = PIN_VHOST_DEDICATED;
	add_node(&in, 1, 2);
	add_node(&in, 1, 2);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_STR(setstr(&p.housekeeping), "0-1");
	CHECK_STR(setstr(&p.vcpu_cpus), "2,5");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 1), "4");
	CHECK_STR(cpus_of(&p, 1, PIN_VCPU, 0), "5");
	CHECK_STR(cpus_of(&p, 1, PIN_VHOST, 0), "6");
	CHECK_STR(cpus_of(&p, 1, PIN_VHOST, 1), "7");
	pin_plan_free(&p);

	/* isolated CPUs: vCPUs and vhost threads on them */
	in = input("0-7", "4-7", NULL);
	in.vhost = PIN_VHOST_DEDICATED;
	add_node(&in, 2, 2);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_STR(p.warning, "");
	CHECK_STR(setstr(&p.housekeeping), "0-3");
	CHECK_STR(setstr(&p.vcpu_cpus), "4-5");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 0), "6");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 1), "7");
	pin_plan_free(&p);

	/* too few isolated CPUs: shared round-robin, and the warning says
	 * the vhost threads were counted */
	in = input("0-7", "6-7", NULL);
	in.vhost = PIN_VHOST_DEDICATED;
	add_node(&in, 2, 2);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.shared, 1);
	CHECK_STR(setstr(&p.vcpu_cpus), "6-7");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 0), "6");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 1), "7");
	CHECK_STR(setstr(&p.housekeeping), "0-5");
	CHECK(strstr(p.warning, "4 vCPUs on 2 isolated CPUs") != NULL);
	CHECK(strstr(p.warning, "--vhost-cpu dedicated: 2 vhost threads "
				"planned like vCPUs") != NULL);
	pin_plan_free(&p);
}

/* --vhost-cpu dedicated that does not fit: shared, with a warning, as
 * vCPUs that do not fit. */
static void
test_vhost_dedicated_nofit(void)
{
	struct pin_input in = input("0-3", NULL, NULL);
	struct pin_plan p;
	char err[256] = "";

	in.vhost = PIN_VHOST_DEDICATED;
	add_node(&in, 2, 4);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_INT(p.shared, 1);
	CHECK(strstr(p.warning, "6 vCPUs on 4 CPUs (0-3): vCPUs share") !=
	      NULL);
	CHECK(strstr(p.warning, "4 vhost threads planned like vCPUs") != NULL);
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 0), "0");
	CHECK_STR(cpus_of(&p, 0, PIN_VCPU, 1), "1");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 0), "2");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 1), "3");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 2), "0");
	CHECK_STR(cpus_of(&p, 0, PIN_VHOST, 3), "1");
	CHECK_STR(setstr(&p.vcpu_cpus), "0-1");
	CHECK_STR(cpus_of(&p, 0, PIN_EMULATOR, 0), "0-3");
	pin_plan_free(&p);

	/* no vhost thread at all: the plan of housekeeping, no note */
	in = input("0-3", NULL, NULL);
	in.vhost = PIN_VHOST_DEDICATED;
	add_node(&in, 2, 0);
	CHECK_INT(pin_plan_build(&in, &p, err, sizeof(err)), 0);
	CHECK_STR(p.warning, "");
	CHECK_STR(setstr(&p.vcpu_cpus), "2-3");
	pin_plan_free(&p);
}

static void
test_vhost_names(void)
{
	CHECK_STR(pin_vhost_name(PIN_VHOST_HOUSEKEEPING), "housekeeping");
	CHECK_STR(pin_vhost_name(PIN_VHOST_VCPU), "vcpu");
	CHECK_STR(pin_vhost_name(PIN_VHOST_DEDICATED), "dedicated");
	for (int v = PIN_VHOST_HOUSEKEEPING; v <= PIN_VHOST_DEDICATED; v++)
		CHECK_INT(pin_vhost_parse(pin_vhost_name(v)), v);
	CHECK_INT(pin_vhost_parse("own"), -1);
	CHECK_INT(pin_vhost_parse(NULL), -1);
}

int
main(void)
{
	test_dedicated();
	test_isolated();
	test_restrict();
	test_oversubscribed();
	test_several_nodes();
	test_no_candidates();
	test_single_cpu();
	test_kind_names();
	test_vhost_vcpu();
	test_vhost_dedicated();
	test_vhost_dedicated_nofit();
	test_vhost_names();
	return t_done("test_pin");
}
