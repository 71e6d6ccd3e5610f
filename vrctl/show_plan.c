/* `vrctl topology NAME` in text: the plan of docs/contracts.md. */
#include <stdio.h>
#include <string.h>

#include "vrctl.h"

static size_t
plan_len(json_object *a)
{
	return a != NULL && json_object_is_type(a, json_type_array)
		   ? json_object_array_length(a)
		   : 0;
}

static void
plan_options(json_object *o)
{
	if (o == NULL)
		return;
	printf("options:  cores %s, memory %s MiB, pin %s, rt %s, accel %s, "
	       "link %s, ports %s\n",
	       j_str(o, "cores"), j_str(o, "memory_mib"),
	       j_bool(o, "pin") ? "on" : "off", j_str(o, "rt"),
	       j_str(o, "accel"), j_str(o, "link"), j_str(o, "ports"));
	printf("          image %s, timeout %s s, cpus %s, txqueuelen %s\n",
	       j_str(o, "image"), j_str(o, "timeout"), j_str(o, "cpus"),
	       j_str(o, "txqueuelen"));
}

static void
plan_node(json_object *n)
{
	json_object *ifs = j_get(n, "interfaces"), *rt = j_get(n, "routes");

	printf("  %s (%s): domain %s, %s vCPUs, %s MiB\n", j_str(n, "name"),
	       j_str(n, "role"), j_str(n, "domain"), j_str(n, "vcpus"),
	       j_str(n, "memory_mib"));
	for (size_t i = 0; i < plan_len(ifs); i++) {
		json_object *f = json_object_array_get_idx(ifs, i);
		printf("    %-5s %-17s %-18s host %-15s %s\n",
		       j_str(f, "guest_if"), j_str(f, "mac"),
		       j_str(f, "address"), j_str(f, "host_if"),
		       j_get(f, "port") ? j_str(f, "port") : "internal");
	}
	for (size_t i = 0; i < plan_len(rt); i++) {
		json_object *r = json_object_array_get_idx(rt, i);
		printf("    route %s via %s\n", j_str(r, "dst"),
		       j_str(r, "via"));
	}
}

static void
plan_port(json_object *p)
{
	printf("  %-4s netns %-14s %-5s %-18s gateway %-12s host %-12s",
	       j_str(p, "role"), j_str(p, "netns"), j_str(p, "ns_if"),
	       j_str(p, "ns_address"), j_str(p, "gateway"),
	       j_str(p, "host_if"));
	if (strcmp(j_str(p, "bridge"), "-") != 0)
		printf(" bridge %s", j_str(p, "bridge"));
	printf("%s\n", j_bool(p, "created") ? "" : " (existing NIC)");
}

static void
plan_pinning(json_object *p)
{
	json_object *th = j_get(p, "threads");

	if (p == NULL)
		return;
	if (!j_bool(p, "enabled")) {
		printf("pinning:  off\n");
		return;
	}
	printf("pinning:  vCPUs on %s, housekeeping on %s%s\n",
	       j_str(p, "vcpu_cpus"), j_str(p, "housekeeping"),
	       j_bool(p, "shared") ? " (vCPUs share CPUs)" : "");
	if (strcmp(j_str(p, "warning"), "-") != 0)
		printf("  warning: %s\n", j_str(p, "warning"));
	if (plan_len(th) > 0)
		printf("  %-8s %-9s %-5s %s\n", "NODE", "KIND", "INDEX",
		       "CPUS");
	for (size_t i = 0; i < plan_len(th); i++) {
		json_object *t = json_object_array_get_idx(th, i);
		printf("  %-8s %-9s %-5s %s\n", j_str(t, "node"),
		       j_str(t, "kind"), j_str(t, "index"), j_str(t, "cpus"));
	}
}

void
show_plan(json_object *r)
{
	json_object *nodes, *ports;

	if (j_get(r, "plan") != NULL) /* the topology method's result */
		r = j_get(r, "plan");
	nodes = j_get(r, "nodes");
	ports = j_get(r, "ports");

	printf("topology: %s, instance %s\n", j_str(r, "topology"),
	       j_str(r, "name"));
	if (j_get(r, "description") != NULL)
		printf("          %s\n", j_str(r, "description"));
	plan_options(j_get(r, "options"));
	printf("nodes:\n");
	for (size_t i = 0; i < plan_len(nodes); i++)
		plan_node(json_object_array_get_idx(nodes, i));
	if (plan_len(ports) > 0)
		printf("ports:\n");
	for (size_t i = 0; i < plan_len(ports); i++)
		plan_port(json_object_array_get_idx(ports, i));
	plan_pinning(j_get(r, "pinning"));
}
