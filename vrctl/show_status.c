/* `vrctl status` and `start` in text: daemon and host, then topologies. */
#include <stdio.h>
#include <string.h>

#include "vrctl.h"

const char *
show_uptime(long long s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else
		snprintf(buf, len, "%lldh%02lldm%02llds", s / 3600,
			 (s / 60) % 60, s % 60);
	return buf;
}

static size_t
show_len(json_object *a)
{
	return a != NULL && json_object_is_type(a, json_type_array)
		   ? json_object_array_length(a)
		   : 0;
}

/* The scalar members of an object as "key value" pairs (libvirt). */
static void
show_pairs(json_object *o)
{
	if (o == NULL || !json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, key, val)
	{
		if (strcmp(key, "state") == 0 ||
		    json_object_is_type(val, json_type_object) ||
		    json_object_is_type(val, json_type_array))
			continue;
		printf("  %s %s", key, val ? j_text(val) : "null");
	}
}

/* The placement axes (status "options"), when not the defaults. */
static void
show_placement(json_object *t)
{
	json_object *o = j_get(t, "options");

	if (o == NULL ||
	    (strcmp(j_str(o, "vhost_cpu"), "housekeeping") == 0 &&
	     j_int(o, "vhost_rt", 0) == 0 && !j_bool(o, "hugepages")))
		return;
	printf("  placement: vhost threads on %s CPUs, vhost rt %lld, "
	       "hugepages %s\n",
	       j_str(o, "vhost_cpu"), j_int(o, "vhost_rt", 0),
	       j_bool(o, "hugepages") ? "on" : "off");
}

static void
show_threads(json_object *a)
{
	if (show_len(a) == 0)
		return;
	printf("    %-8s %-9s %-5s %-10s %-8s %s\n", "TID", "KIND", "INDEX",
	       "CPUS", "LAST_CPU", "POLICY");
	for (size_t i = 0; i < show_len(a); i++) {
		json_object *t = json_object_array_get_idx(a, i);
		printf("    %-8s %-9s %-5lld %-10s %-8s %s", j_str(t, "tid"),
		       j_str(t, "kind"), j_int(t, "index", 0), j_str(t, "cpus"),
		       j_str(t, "last_cpu"), j_str(t, "policy"));
		if (j_int(t, "prio", 0) > 0)
			printf(" %lld", j_int(t, "prio", 0));
		if (j_int(t, "period_us", 0) > 0) /* SCHED_DEADLINE */
			printf(" %lld/%lld us", j_int(t, "runtime_us", 0),
			       j_int(t, "period_us", 0));
		if (j_get(t, "planned") != NULL &&
		    strcmp(j_str(t, "planned"), j_str(t, "cpus")) != 0)
			printf("  (planned %s)", j_str(t, "planned"));
		printf("\n");
	}
}

static void
show_counters(json_object *a, int guest)
{
	if (show_len(a) == 0)
		return;
	printf("    %-15s %-7s ", "INTERFACE", "KIND");
	if (guest)
		printf("%-6s %-18s ", "GUEST", "ADDRESS");
	printf("%10s %10s %8s %8s\n", "RX_PKTS", "TX_PKTS", "RX_DROP",
	       "TX_DROP");
	for (size_t i = 0; i < show_len(a); i++) {
		json_object *f = json_object_array_get_idx(a, i);
		printf("    %-15s %-7s ", j_str(f, "name"), j_str(f, "kind"));
		if (guest)
			printf("%-6s %-18s ", j_str(f, "guest_if"),
			       j_str(f, "address"));
		printf("%10s %10s %8s %8s\n", j_str(f, "rx_packets"),
		       j_str(f, "tx_packets"), j_str(f, "rx_dropped"),
		       j_str(f, "tx_dropped"));
	}
}

static void
show_ports(json_object *ports)
{
	static const char *const roles[] = {"in", "out"};

	if (ports == NULL)
		return;
	printf("  ports:\n");
	for (size_t i = 0; i < 2; i++) {
		json_object *p = j_get(ports, roles[i]);
		if (p == NULL)
			continue;
		if (j_get(p, "host") != NULL) { /* on another host */
			const char *h = j_text(j_get(p, "host"));

			printf("    %-4s on %s%s\n", roles[i],
			       h[0] ? "host " : "",
			       h[0] ? h : "the coordinator's host");
			continue;
		}
		printf("    %-4s netns %-14s interface %-6s address %-18s "
		       "gateway %-12s host %s\n",
		       roles[i], j_str(p, "netns"), j_str(p, "interface"),
		       j_str(p, "address"), j_str(p, "gateway"),
		       j_str(p, "host_if"));
	}
}

/* Frames the host handed to a node's guest, and took from it: a tap counts
 * them as tx/rx, a macvtap the other way round. */
static void
node_frames(json_object *n, long long *to, long long *from)
{
	json_object *ifs = j_get(n, "interfaces");

	*to = *from = 0;
	for (size_t i = 0; i < show_len(ifs); i++) {
		json_object *f = json_object_array_get_idx(ifs, i);
		int mv = strcmp(j_str(f, "kind"), "macvtap") == 0;

		*to += j_int(f, mv ? "rx_packets" : "tx_packets", 0);
		*from += j_int(f, mv ? "tx_packets" : "rx_packets", 0);
	}
}

/* Multi-node topologies: one line per node first, then the details. */
static void
show_node_table(json_object *nodes)
{
	long long to, from, all = 0;

	for (size_t i = 0; i < show_len(nodes); i++) {
		node_frames(json_object_array_get_idx(nodes, i), &to, &from);
		all += to;
	}
	printf("  %-10s %-8s %-9s %5s %9s %12s %12s %6s\n", "NODE", "ROLE",
	       "STATE", "VCPUS", "QEMU_PID", "TO_GUEST", "FROM_GUEST", "SHARE");
	for (size_t i = 0; i < show_len(nodes); i++) {
		json_object *n = json_object_array_get_idx(nodes, i);
		char share[16];

		node_frames(n, &to, &from);
		if (all > 0)
			snprintf(share, sizeof(share), "%lld%%",
				 (to * 100 + all / 2) / all);
		else
			snprintf(share, sizeof(share), "-");
		printf("  %-10s %-8s %-9s %5lld %9s %12lld %12lld %6s\n",
		       j_str(n, "name"), j_str(n, "role"), j_str(n, "state"),
		       j_int(n, "vcpus", 0), j_str(n, "qemu_pid"), to, from,
		       share);
	}
}

/* The daemon's accelerator reason while show_status prints its topologies,
 * so that a topology with the same one does not repeat it. */
static const char *show_host_accel;

void
show_topology(json_object *t)
{
	json_object *nodes = j_get(t, "nodes"), *w = j_get(t, "warnings"), *k;
	int netns = strcmp(j_str(t, "backend"), "netns") == 0;
	char up[32];

	printf("topology %s (%s): %s\n", j_str(t, "name"), j_str(t, "topology"),
	       j_str(t, "state"));
	if (netns)
		printf("  backend netns: nodes are network namespaces\n");
	else if (show_host_accel != NULL &&
		 strcmp(show_host_accel, j_str(t, "accel_reason")) == 0)
		printf("  accel %s: as the daemon's, above\n",
		       j_str(t, "accel"));
	else
		printf("  accel %s: %s\n", j_str(t, "accel"),
		       j_str(t, "accel_reason"));
	if (!netns && j_get(t, "vhost") != NULL)
		printf("  vhost %s: %s\n", j_bool(t, "vhost") ? "on" : "off",
		       j_str(t, "vhost_reason"));
	show_placement(t);
	if (j_get(t, "split") != NULL)
		printf("  split %s: flows split by the queues of one macvtap, "
		       "no splitter namespace\n",
		       j_str(t, "split"));
	if (j_get(t, "lb_mode") != NULL)
		printf("  lb_mode %s: load balancers spread packets round "
		       "robin\n",
		       j_str(t, "lb_mode"));
	if (!netns && (k = j_get(t, "guest_kernel")) != NULL) {
		if (json_object_is_type(k, json_type_object))
			printf("  guest kernel %s (%s config, sha256 %.12s)\n",
			       j_str(k, "version"), j_str(k, "config"),
			       j_str(k, "sha256"));
		else
			printf("  guest kernel %s\n", j_text(k));
	}
	printf("  started %s, up %s", j_str(t, "started_at"),
	       show_uptime(j_int(t, "uptime_s", -1), up, sizeof(up)));
	if (j_get(t, "boot_ms") != NULL)
		printf(", boot %lld ms", j_int(t, "boot_ms", 0));
	printf("\n");
	for (size_t i = 0; i < show_len(w); i++)
		printf("  warning: %s\n",
		       j_text(json_object_array_get_idx(w, i)));
	if (show_len(nodes) > 1)
		show_node_table(nodes);
	for (size_t i = 0; i < show_len(nodes); i++) {
		json_object *n = json_object_array_get_idx(nodes, i);
		if (netns)
			printf("  node %s (%s): namespace %s, %s, %lld cores\n",
			       j_str(n, "name"), j_str(n, "role"),
			       j_str(n, "netns"), j_str(n, "state"),
			       j_int(n, "vcpus", 0));
		else
			printf("  node %s (%s): domain %s, %s, %lld vCPUs, "
			       "%lld MiB, qemu pid %s\n",
			       j_str(n, "name"), j_str(n, "role"),
			       j_str(n, "domain"), j_str(n, "state"),
			       j_int(n, "vcpus", 0), j_int(n, "memory_mib", 0),
			       j_str(n, "qemu_pid"));
		if (j_bool(n, "remote"))
			printf("    on host %s (migrated there; its vrouterd "
			       "has its threads and counters)\n",
			       j_str(n, "host"));
		if (j_get(n, "routes") != NULL)
			printf("    routes %lld (main FIB when ready)\n",
			       j_int(n, "routes", 0));
		if (j_get(n, "console_log") != NULL)
			printf("    console %s\n", j_str(n, "console_log"));
		show_threads(j_get(n, "threads"));
		show_counters(j_get(n, "interfaces"), 1);
	}
	/* across hosts: this host's name, and the nodes others hold */
	if (j_get(t, "host") != NULL)
		printf("  this host: %s\n", j_str(t, "host"));
	for (size_t i = 0; i < show_len(j_get(t, "remote_nodes")); i++) {
		json_object *n =
		    json_object_array_get_idx(j_get(t, "remote_nodes"), i);

		printf("  node %s on host %s", j_str(n, "name"),
		       j_str(n, "host"));
		if (j_get(n, "home") != NULL) /* migrated there */
			printf(" (its home: host %s)", j_str(n, "home"));
		printf(": %s",
		       j_get(n, "state") ? j_str(n, "state") : "(not asked)");
		if (j_get(n, "error") != NULL)
			printf(" (%s)", j_str(n, "error"));
		printf("\n");
		show_threads(j_get(n, "threads")); /* as its host reports */
	}
	show_ports(j_get(t, "ports"));
	if (show_len(j_get(t, "host_interfaces")) > 0) {
		printf("  host interfaces:\n");
		show_counters(j_get(t, "host_interfaces"), 0);
	}
}

void
show_status(json_object *r)
{
	json_object *d = j_get(r, "daemon"), *h = j_get(r, "host");
	json_object *a = j_get(r, "accel"), *v = j_get(r, "vhost");
	json_object *l = j_get(r, "libvirt"), *t = j_get(r, "topologies");
	char up[32];

	printf("vrouterd  %s (protocol %lld), pid %lld, up %s\n",
	       j_str(d, "version"), j_int(d, "protocol", 0), j_int(d, "pid", 0),
	       show_uptime(j_int(d, "uptime_s", -1), up, sizeof(up)));
	printf("          socket %s, config %s\n", j_str(d, "socket"),
	       j_str(d, "config"));
	printf("host      %lld CPUs (%s), kernel %s\n", j_int(h, "cpus", 0),
	       j_str(h, "cpu_model"), j_str(h, "kernel"));
	printf("          online %s, isolated %s, nohz_full %s\n",
	       j_str(h, "online"), j_str(h, "isolated"), j_str(h, "nohz_full"));
	printf("accel     %s (default %s): %s\n", j_str(a, "selected"),
	       j_str(a, "default"), j_str(a, "reason"));
	printf("vhost     %s: %s\n", j_bool(v, "available") ? "on" : "off",
	       j_str(v, "reason"));
	printf("libvirt   %s", j_str(l, "state"));
	show_pairs(l);
	printf("\n");
	/* another host's nodes that migrated here (docs/multihost.md) */
	for (size_t i = 0; i < show_len(j_get(r, "hosted")); i++) {
		json_object *o =
		    json_object_array_get_idx(j_get(r, "hosted"), i);

		printf("hosted    %s for %s (topology %s)\n",
		       j_str(o, "domain"), j_str(o, "coordinator"),
		       j_str(o, "topology"));
	}
	if (show_len(t) == 0) {
		printf("topologies: none running\n");
		return;
	}
	show_host_accel = j_str(a, "reason");
	for (size_t i = 0; i < show_len(t); i++) {
		printf("\n");
		show_topology(json_object_array_get_idx(t, i));
	}
	show_host_accel = NULL;
}
