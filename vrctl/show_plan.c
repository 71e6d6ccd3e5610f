/*
 * `vrctl topology NAME` in text: the plan of docs/contracts.md, an ASCII
 * drawing of its graph, and (--dot) the same graph for Graphviz.
 *
 * The graph: the ports, the networks (a port's bridge, internal segments),
 * the splitter and the nodes; an edge for every interface.  The drawing
 * puts each vertex on the row of its distance from the in port and joins
 * rows with '+', '-' and '|'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "vrctl.h"

static size_t
plan_len(json_object *a)
{
	return a != NULL && json_object_is_type(a, json_type_array)
		   ? json_object_array_length(a)
		   : 0;
}

static json_object *
plan_at(json_object *a, size_t i)
{
	return json_object_array_get_idx(a, i);
}

/* Whether the plan's load balancers spread per packet (lb_mode packet):
 * then the guest's vr-lb, not the kernel's ECMP, uses their default
 * route (docs/topology.md "msr"). */
static int
plan_lb_packet(json_object *plan)
{
	json_object *o = j_get(plan, "options");

	return o != NULL && j_get(o, "lb_mode") != NULL &&
	       strcmp(j_str(o, "lb_mode"), "packet") == 0;
}

/* "a, b, c" for an ECMP route's array, or the one address; with what
 * spreads over them: the kernel's flow hash, or for the default route of a
 * per-packet load balancer (lb_pkt) its vr-lb. */
static const char *
plan_via(json_object *r, int lb_pkt, char *buf, size_t len)
{
	json_object *v = j_get(r, "via");
	int multi = v != NULL && json_object_is_type(v, json_type_array);
	size_t off = 0;

	lb_pkt = lb_pkt && strcmp(j_str(r, "dst"), "default") == 0;
	if (!multi && !lb_pkt)
		return j_str(r, "via");
	buf[0] = '\0';
	if (!multi)
		off = (size_t)snprintf(buf, len, "%s", j_str(r, "via"));
	for (size_t i = 0; multi && i < plan_len(v) && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", j_text(plan_at(v, i)));
	if (off < len && lb_pkt)
		snprintf(buf + off, len - off,
			 " (per packet: vr-lb round robin, control traffic "
			 "to %s)",
			 multi ? j_text(plan_at(v, 0)) : j_str(r, "via"));
	else if (off < len)
		snprintf(buf + off, len - off, " (ECMP, L4 flow hash)");
	return buf;
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
	if (j_get(o, "vrs") || j_get(o, "backends") || j_get(o, "lbs")) {
		const char *sep = "";
		printf("          ");
		if (j_get(o, "vrs")) {
			printf("vrs %s", j_str(o, "vrs"));
			sep = ", ";
		}
		if (j_get(o, "backends")) {
			printf("%sbackends %s", sep, j_str(o, "backends"));
			sep = ", ";
		}
		if (j_get(o, "lbs"))
			printf("%slbs %s", sep, j_str(o, "lbs"));
		printf("\n");
	}
	/* the NIC and guest axes, present only when not the default */
	static const char *const axes[] = {"nic_model",	     "vhost",
					   "macvtap_mode",   "guest_txqueuelen",
					   "cpu_model",	     "guest_cmdline",
					   "vhost_cpu",	     "vhost_rt",
					   "hugepages",	     "deadline",
					   "vhost_deadline", "queues",
					   "vhost_zerocopy", "qemu_args",
					   "irq_cpus",	     "pause",
					   "lb_mode",	     "split",
					   "fib_routes",     "routing"};
	const char *sep = "          ";
	int any = 0;

	for (size_t i = 0; i < sizeof(axes) / sizeof(axes[0]); i++)
		if (j_get(o, axes[i])) {
			printf("%s%s %s", sep, axes[i], j_str(o, axes[i]));
			sep = ", ";
			any = 1;
		}
	if (any)
		printf("\n");
}

static const char *
plan_attach(json_object *f, char *buf, size_t len)
{
	if (j_get(f, "port") != NULL)
		return j_str(f, "port");
	if (j_get(f, "segment") != NULL) {
		snprintf(buf, len, "net %s", j_str(f, "segment"));
		return buf;
	}
	return "internal";
}

static void
plan_routes(json_object *rt, int lb_pkt)
{
	char via[512];

	for (size_t i = 0; i < plan_len(rt); i++) {
		json_object *r = plan_at(rt, i);
		printf("    route %s via %s\n", j_str(r, "dst"),
		       plan_via(r, lb_pkt, via, sizeof(via)));
	}
}

/* One node; lb_pkt: the plan's load balancers spread per packet. */
static void
plan_node(json_object *n, int lb_pkt)
{
	json_object *ifs = j_get(n, "interfaces");
	char att[48];

	printf("  %s (%s): domain %s, %s vCPUs, %s MiB", j_str(n, "name"),
	       j_str(n, "role"), j_str(n, "domain"), j_str(n, "vcpus"),
	       j_str(n, "memory_mib"));
	printf(j_get(n, "host") ? ", host %s\n" : "\n", j_str(n, "host"));
	if (j_get(n, "image") != NULL)
		printf("    image %s\n", j_str(n, "image"));
	for (size_t i = 0; i < plan_len(ifs); i++) {
		json_object *f = plan_at(ifs, i);
		printf("    %-5s %-17s %-18s host %-15s %s\n",
		       j_str(f, "guest_if"), j_str(f, "mac"),
		       j_str(f, "address"), j_str(f, "host_if"),
		       plan_attach(f, att, sizeof(att)));
	}
	plan_routes(j_get(n, "routes"),
		    lb_pkt && strcmp(j_str(n, "role"), "lb") == 0);
}

static void
plan_splitter(json_object *s)
{
	json_object *ifs = j_get(s, "interfaces");
	char att[48];

	if (s == NULL)
		return;
	printf("splitter: netns %s (forwarding, fib_multipath_hash_policy 1: "
	       "flows split by an L4 hash)\n",
	       j_str(s, "netns"));
	for (size_t i = 0; i < plan_len(ifs); i++) {
		json_object *f = plan_at(ifs, i);
		printf("    %-5s %-18s host %-15s %s\n", j_str(f, "name"),
		       j_str(f, "address"), j_str(f, "host_if"),
		       plan_attach(f, att, sizeof(att)));
	}
	plan_routes(j_get(s, "routes"), 0);
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

/* The strings of array a joined by ", " ("-" when empty). */
static const char *
plan_join(json_object *a, char *buf, size_t len)
{
	size_t off = 0;

	snprintf(buf, len, "-");
	for (size_t i = 0; i < plan_len(a) && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				j_text(plan_at(a, i)));
	return buf;
}

/* Which host holds what (lib/topo_hosts.h), when anything is placed. */
static void
plan_placement(json_object *pl)
{
	json_object *hs = j_get(pl, "hosts"), *ns = j_get(pl, "networks");
	char a[256], b[256], c[512];

	if (pl == NULL)
		return;
	printf("placement: underlay %s\n",
	       strcmp(j_str(pl, "underlay"), "assumed") == 0
		   ? "assumed (MTU 1500, IPv4), not yet from the hosts' "
		     "configuration"
		   : j_str(pl, "underlay"));
	for (size_t i = 0; i < plan_len(hs); i++) {
		json_object *h = plan_at(hs, i);

		printf("  host %s%s: nodes %s; ports %s; networks %s\n",
		       j_str(h, "name"),
		       j_bool(h, "coordinator") ? " (coordinator)" : "",
		       plan_join(j_get(h, "nodes"), a, sizeof(a)),
		       plan_join(j_get(h, "ports"), b, sizeof(b)),
		       plan_join(j_get(h, "networks"), c, sizeof(c)));
	}
	for (size_t i = 0; i < plan_len(ns); i++) {
		json_object *n = plan_at(ns, i);

		if (j_get(n, "vni") == NULL)
			continue;
		printf("  %-10s vxlan vni %s, mtu %s, across %s\n",
		       j_str(n, "name"), j_str(n, "vni"), j_str(n, "mtu"),
		       plan_join(j_get(n, "hosts"), a, sizeof(a)));
	}
}

/* What the host's CPU topology made the planner do (pin.h). */
static void
plan_numa(json_object *p)
{
	json_object *numa = j_get(p, "numa_nodes");
	int any = 0;

	printf("  note: %s\n", j_str(p, "note"));
	if (numa == NULL || !json_object_is_type(numa, json_type_object))
		return;
	json_object_object_foreach(numa, k0, v0)
	{
		(void)k0;
		any |= json_object_get_int(v0) >= 0;
	}
	if (!any)
		return;
	printf("  NUMA nodes:");
	json_object_object_foreach(numa, k, v)
	{
		if (json_object_get_int(v) >= 0)
			printf(" %s on %d", k, json_object_get_int(v));
		else
			printf(" %s spread", k);
	}
	printf("\n");
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
	if (j_get(p, "note") != NULL)
		plan_numa(p);
	if (plan_len(th) > 0)
		printf("  %-8s %-9s %-5s %s\n", "NODE", "KIND", "INDEX",
		       "CPUS");
	for (size_t i = 0; i < plan_len(th); i++) {
		json_object *t = plan_at(th, i);
		printf("  %-8s %-9s %-5s %s\n", j_str(t, "node"),
		       j_str(t, "kind"), j_str(t, "index"), j_str(t, "cpus"));
	}
}

/* ---- the graph -------------------------------------------------------- */

#define G_MAX_V 96
#define G_MAX_E 256

enum g_kind { G_PORT, G_NET, G_SPLITTER, G_NODE };

struct g_vertex {
	enum g_kind kind;
	char id[40];	/* for dot */
	char label[96]; /* for the drawing */
	int layer, col; /* col: centre column in the drawing */
};

struct graph {
	struct g_vertex v[G_MAX_V];
	int nv;
	int e[G_MAX_E][2];
	int ne;
};

static int
g_add(struct graph *g, enum g_kind kind, const char *id, const char *label)
{
	if (g->nv == G_MAX_V)
		return -1;
	g->v[g->nv].kind = kind;
	vr_strlcpy(g->v[g->nv].id, id, sizeof(g->v[0].id));
	vr_strlcpy(g->v[g->nv].label, label, sizeof(g->v[0].label));
	g->v[g->nv].layer = -1;
	return g->nv++;
}

static int
g_find(const struct graph *g, const char *id)
{
	for (int i = 0; i < g->nv; i++)
		if (strcmp(g->v[i].id, id) == 0)
			return i;
	return -1;
}

static void
g_edge(struct graph *g, int a, int b)
{
	if (a < 0 || b < 0 || g->ne == G_MAX_E)
		return;
	g->e[g->ne][0] = a;
	g->e[g->ne][1] = b;
	g->ne++;
}

/* The vertex an interface attaches to: a port network, or a segment. */
static int
g_attach(struct graph *g, json_object *f)
{
	char id[48];

	if (j_get(f, "port") != NULL) {
		msgf(id, sizeof(id), "net_%s", j_str(f, "port"));
		if (g_find(g, id) >= 0)
			return g_find(g, id);
		msgf(id, sizeof(id), "port_%s", j_str(f, "port"));
		return g_find(g, id);
	}
	msgf(id, sizeof(id), "seg_%s", j_str(f, "segment"));
	return g_find(g, id);
}

static void
g_build(struct graph *g, json_object *plan)
{
	json_object *ports = j_get(plan, "ports"),
		    *segs = j_get(plan, "segments");
	json_object *nodes = j_get(plan, "nodes"),
		    *sp = j_get(plan, "splitter");
	int lb_pkt = plan_lb_packet(plan);
	char id[48], label[96];

	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < plan_len(ports); i++) {
		json_object *p = plan_at(ports, i);
		const char *role = j_str(p, "role");
		int pv, nv;

		msgf(id, sizeof(id), "port_%s", role);
		if (j_bool(p, "created"))
			msgf(label, sizeof(label), "%s: %s %s (netns %s)", role,
			     j_str(p, "ns_if"), j_str(p, "ns_address"),
			     j_str(p, "netns"));
		else
			msgf(label, sizeof(label), "%s: NIC %s", role,
			     j_str(p, "host_if"));
		pv = g_add(g, G_PORT, id, label);
		if (strcmp(j_str(p, "bridge"), "-") != 0) {
			msgf(id, sizeof(id), "net_%s", role);
			msgf(label, sizeof(label),
			     "==[ bridge %s ]==", j_str(p, "bridge"));
			nv = g_add(g, G_NET, id, label);
			g_edge(g, pv, nv);
		}
	}
	for (size_t i = 0; i < plan_len(segs); i++) {
		json_object *s = plan_at(segs, i);

		msgf(id, sizeof(id), "seg_%s", j_str(s, "name"));
		msgf(label, sizeof(label),
		     "==[ %s: bridge %s ]==", j_str(s, "name"),
		     j_str(s, "bridge"));
		g_add(g, G_NET, id, label);
	}
	if (sp != NULL) {
		json_object *ifs = j_get(sp, "interfaces");
		int v;

		msgf(label, sizeof(label), "< splitter %s: ECMP >",
		     j_str(sp, "netns"));
		v = g_add(g, G_SPLITTER, "splitter", label);
		for (size_t k = 0; k < plan_len(ifs); k++)
			g_edge(g, g_attach(g, plan_at(ifs, k)), v);
	}
	for (size_t i = 0; i < plan_len(nodes); i++) {
		json_object *n = plan_at(nodes, i),
			    *ifs = j_get(n, "interfaces");
		int v;

		msgf(id, sizeof(id), "node_%s", j_str(n, "name"));
		msgf(label, sizeof(label), "[ %s %s%s, %s vCPU ]",
		     j_str(n, "name"), j_str(n, "role"),
		     lb_pkt && strcmp(j_str(n, "role"), "lb") == 0
			 ? " per packet"
			 : "",
		     j_str(n, "vcpus"));
		v = g_add(g, G_NODE, id, label);
		for (size_t k = 0; k < plan_len(ifs); k++)
			g_edge(g, g_attach(g, plan_at(ifs, k)), v);
	}
}

/* Layers: breadth-first distance from the in port. */
static int
g_layers(struct graph *g)
{
	int queue[G_MAX_V], head = 0, tail = 0, start = g_find(g, "port_in"),
			    maxl = 0;

	if (start < 0)
		return -1;
	g->v[start].layer = 0;
	queue[tail++] = start;
	while (head < tail) {
		int u = queue[head++];
		for (int i = 0; i < g->ne; i++) {
			int a = g->e[i][0], b = g->e[i][1], w;
			if (a != u && b != u)
				continue;
			w = a == u ? b : a;
			if (g->v[w].layer >= 0)
				continue;
			g->v[w].layer = g->v[u].layer + 1;
			if (g->v[w].layer > maxl)
				maxl = g->v[w].layer;
			queue[tail++] = w;
		}
	}
	for (int i = 0; i < g->nv; i++)
		if (g->v[i].layer < 0) /* unreachable: put it last */
			g->v[i].layer = ++maxl;
	return maxl;
}

#define GAP 3

static int
row_width(const struct graph *g, int layer)
{
	int w = 0, n = 0;

	for (int i = 0; i < g->nv; i++)
		if (g->v[i].layer == layer) {
			w += (int)strlen(g->v[i].label);
			n++;
		}
	return n ? w + GAP * (n - 1) : 0;
}

static void
print_trimmed(char *line, int width)
{
	int end = width;

	while (end > 0 && line[end - 1] == ' ')
		end--;
	printf("  %.*s\n", end, line);
}

static void
row_place(struct graph *g, int l, int x)
{
	for (int i = 0; i < g->nv; i++)
		if (g->v[i].layer == l) {
			int len = (int)strlen(g->v[i].label);

			g->v[i].col = x + len / 2;
			x += len + GAP;
		}
}

/*
 * Place every vertex: each row centred, then nudged by one column where
 * that puts a vertex straight over or under its neighbour in row ref
 * (centres of labels of different parity are one apart, which draws as
 * a kinked line).  The widest row cannot move: rows are placed outwards
 * from it.
 */
static void
row_align(struct graph *g, int l, int ref, int width)
{
	int w = row_width(g, l), x = (width - w) / 2;

	row_place(g, l, x);
	for (int i = 0; i < g->ne; i++) {
		int a = g->e[i][0], b = g->e[i][1], d;

		if (g->v[a].layer == l) {
			a = g->e[i][1];
			b = g->e[i][0];
		}
		if (g->v[a].layer != ref || g->v[b].layer != l)
			continue;
		d = g->v[a].col - g->v[b].col;
		if ((d == 1 || d == -1) && x + d >= 0 && x + d + w <= width) {
			row_place(g, l, x + d);
			return;
		}
	}
}

static void
plan_layout(struct graph *g, int maxl, int width)
{
	int widest = 0;

	for (int l = 0; l <= maxl; l++)
		if (row_width(g, l) == width) {
			widest = l;
			break;
		}
	row_place(g, widest, 0);
	for (int l = widest - 1; l >= 0; l--)
		row_align(g, l, l + 1, width);
	for (int l = widest + 1; l <= maxl; l++)
		row_align(g, l, l - 1, width);
}

static void
plan_draw(json_object *plan)
{
	struct graph *g = xmalloc(sizeof(*g));
	int maxl, width = 0;
	size_t w;
	char *line;

	g_build(g, plan);
	if ((maxl = g_layers(g)) < 0) {
		free(g);
		return;
	}
	for (int l = 0; l <= maxl; l++)
		if (row_width(g, l) > width)
			width = row_width(g, l);
	plan_layout(g, maxl, width);
	w = width > 0 ? (size_t)width : 0;
	line = xmalloc(w + 1);
	printf("graph:\n");
	for (int l = 0; l <= maxl; l++) {
		memset(line, ' ', w);
		for (int i = 0; i < g->nv; i++) {
			int len;
			if (g->v[i].layer != l)
				continue;
			len = (int)strlen(g->v[i].label);
			memcpy(line + g->v[i].col - len / 2, g->v[i].label,
			       len);
		}
		print_trimmed(line, width);
		if (l == maxl)
			break;
		/* the edges down to the next row */
		memset(line, ' ', w);
		for (int i = 0; i < g->ne; i++) {
			int a = g->e[i][0], b = g->e[i][1], lo, hi;
			if (g->v[a].layer > g->v[b].layer) {
				int t = a;
				a = b;
				b = t;
			}
			if (g->v[a].layer != l || g->v[b].layer != l + 1)
				continue;
			lo = g->v[a].col < g->v[b].col ? g->v[a].col
						       : g->v[b].col;
			hi = g->v[a].col + g->v[b].col - lo;
			if (hi - lo <= 1) { /* straight down */
				line[g->v[b].col] = '|';
				continue;
			}
			for (int c = lo + 1; c < hi; c++)
				if (line[c] == ' ')
					line[c] = '-';
			line[g->v[a].col] = '+';
			line[g->v[b].col] = '+';
		}
		print_trimmed(line, width);
		memset(line, ' ', w);
		for (int i = 0; i < g->ne; i++) {
			int a = g->e[i][0], b = g->e[i][1];
			if (g->v[a].layer == l && g->v[b].layer == l + 1)
				line[g->v[b].col] = '|';
			else if (g->v[b].layer == l && g->v[a].layer == l + 1)
				line[g->v[a].col] = '|';
		}
		print_trimmed(line, width);
	}
	free(line);
	free(g);
}

/* A plan vrctl made itself (topology_local.c) says for which host. */
static void
plan_host(json_object *h)
{
	const char *iso = j_str(h, "isolated");

	if (h == NULL)
		return;
	printf("host:     %lld CPUs (%s), isolated %s: %s\n",
	       j_int(h, "cpus", 0), j_str(h, "online"),
	       strcmp(iso, "-") != 0 ? iso : "none",
	       strcmp(j_str(h, "source"), "--host-cpus") == 0
		   ? "given by --host-cpus, not this machine's"
		   : "this machine's, planned by vrctl without vrouterd");
}

void
show_plan(json_object *r)
{
	json_object *nodes, *ports, *segs, *host = j_get(r, "host");

	if (j_get(r, "plan") != NULL) /* the topology method's result */
		r = j_get(r, "plan");
	nodes = j_get(r, "nodes");
	ports = j_get(r, "ports");
	segs = j_get(r, "segments");

	printf("topology: %s, instance %s\n", j_str(r, "topology"),
	       j_str(r, "name"));
	if (j_get(r, "description") != NULL)
		printf("          %s\n", j_str(r, "description"));
	if (j_get(r, "file") != NULL)
		printf("file:     %s\n", j_str(r, "file"));
	plan_host(host);
	plan_options(j_get(r, "options"));
	printf("nodes:\n");
	for (size_t i = 0; i < plan_len(nodes); i++)
		plan_node(plan_at(nodes, i), plan_lb_packet(r));
	plan_splitter(j_get(r, "splitter"));
	if (plan_len(ports) > 0)
		printf("ports:\n");
	for (size_t i = 0; i < plan_len(ports); i++)
		plan_port(plan_at(ports, i));
	if (plan_len(segs) > 0)
		printf("networks:\n");
	for (size_t i = 0; i < plan_len(segs); i++)
		printf("  %-10s bridge %s\n", j_str(plan_at(segs, i), "name"),
		       j_str(plan_at(segs, i), "bridge"));
	plan_placement(j_get(r, "placement"));
	if (j_get(r, "placement") != NULL &&
	    j_bool(j_get(r, "pinning"), "enabled"))
		printf("pinning:  on, each host plans its own nodes on its own "
		       "CPUs when it starts its part\n");
	else
		plan_pinning(j_get(r, "pinning"));
	for (size_t i = 0; i < plan_len(j_get(r, "warnings")); i++)
		printf("warning: %s\n",
		       j_text(plan_at(j_get(r, "warnings"), i)));
	plan_draw(r);
}

/* `vrctl topology NAME --dot`: the same graph for Graphviz. */
void
show_plan_dot(json_object *r)
{
	static const char *const shape[] = {[G_PORT] = "cds",
					    [G_NET] = "box",
					    [G_SPLITTER] = "diamond",
					    [G_NODE] = "ellipse"};
	struct graph *g = malloc(sizeof(*g));
	json_object *host = j_get(r, "host");

	if (g == NULL)
		return;
	if (j_get(r, "plan") != NULL)
		r = j_get(r, "plan");
	g_build(g, r);
	printf("graph \"%s\" {\n", j_str(r, "name"));
	if (host != NULL)
		printf("  // planned by vrctl for CPUs %s (%s)\n",
		       j_str(host, "online"), j_str(host, "source"));
	printf("  rankdir=TB;\n  label=\"%s (%s)\";\n", j_str(r, "topology"),
	       j_str(r, "name"));
	for (int i = 0; i < g->nv; i++) {
		char label[96];
		size_t o = 0;

		/* drop the drawing's decoration and quote marks */
		for (const char *s = g->v[i].label; *s && o + 1 < sizeof(label);
		     s++)
			if (!strchr("=[]<>\"", *s))
				label[o++] = *s;
		label[o] = '\0';
		while (o > 0 && label[o - 1] == ' ')
			label[--o] = '\0';
		for (o = 0; label[o] == ' '; o++)
			;
		printf("  %s [shape=%s, label=\"%s\"];\n", g->v[i].id,
		       shape[g->v[i].kind], label + o);
	}
	for (int i = 0; i < g->ne; i++)
		printf("  %s -- %s;\n", g->v[g->e[i][0]].id,
		       g->v[g->e[i][1]].id);
	printf("}\n");
	free(g);
}
