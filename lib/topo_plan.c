/*
 * Expanding options into a plan: the built-in topologies, host interface
 * names, deterministic MACs, the test ports, the pinning plan (the guest
 * kernel command line is topo_cmdline.c's).
 *
 * Every topology is built from the same few helpers (plan_add_node,
 * node_add_if, node_add_route) so that PVR and MSR only add a builder.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo.h"
#include "topo_hosts.h"
#include "topo_int.h"
#include "util.h"

const char *const topo_builtin_names[] = {"monolithic", "pvr", "msr", NULL};

int
topo_node_queues(const struct topo_plan *p, int n)
{
	int v = p->nodes[n].vcpus;

	if (p->opts.queues > 0)
		return p->opts.queues;
	return v > 1 ? v : 1;
}

int
topo_node_mq(const struct topo_plan *p, int n, int vhost)
{
	if (topo_node_nic_model(p, n) != NIC_VIRTIO ||
	    (!vhost && p->opts.queues == 0))
		return 1;
	return topo_node_queues(p, n);
}

char
topo_base36(int v)
{
	return "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
}

/* FNV-1a, 32 bits (topo_int.h). */
uint32_t
topo_fnv1a(const char *s, uint32_t h)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static int
mac_in_use(const struct topo_plan *p, const char *mac)
{
	for (int n = 0; n < p->nnodes; n++)
		for (int i = 0; i < p->nodes[n].nifs; i++)
			if (strcmp(p->nodes[n].ifs[i].mac, mac) == 0)
				return 1;
	return 0;
}

/*
 * 52:54:00:XX:YY:ZZ from a hash of "NAME/NODE/INDEX": stable across runs,
 * and distinct within the plan (a collision moves on to the next salt).
 * 52:54:00 is QEMU's locally administered unicast prefix.
 */
static void
make_mac(const struct topo_plan *p, const char *node, int index, char *mac,
	 size_t len)
{
	char key[96];
	uint32_t h;

	for (int salt = 0;; salt++) {
		snprintf(key, sizeof(key), "%s/%s/%d/%d", p->opts.name, node,
			 index, salt);
		h = topo_fnv1a(key, TOPO_FNV1A_BASIS);
		snprintf(mac, len, "52:54:00:%02x:%02x:%02x", (h >> 16) & 0xff,
			 (h >> 8) & 0xff, h & 0xff);
		if (!mac_in_use(p, mac))
			return;
	}
}

struct topo_node *
topo_plan_add_node(struct topo_plan *p, const char *name, enum topo_role role,
		   int vcpus, char *err, size_t errlen)
{
	struct topo_node *n;

	if (p->nnodes >= TOPO_MAX_NODES) {
		msgf(err, errlen, "more than %d nodes", TOPO_MAX_NODES);
		return NULL;
	}
	n = &p->nodes[p->nnodes++];
	memset(n, 0, sizeof(*n));
	vr_strlcpy(n->name, name, sizeof(n->name));
	snprintf(n->domain, sizeof(n->domain), TOPO_DOMAIN_PREFIX "%s-%s",
		 p->opts.name, name);
	n->role = role;
	n->vcpus = vcpus;
	n->memory_mib = p->opts.memory_mib;
	n->nic_model = -1;
	n->fib_routes = -1;
	return n;
}

int
topo_node_fib_routes(const struct topo_plan *p, int n)
{
	if (n >= 0 && n < p->nnodes && p->nodes[n].fib_routes >= 0)
		return p->nodes[n].fib_routes;
	return p->opts.fib_routes;
}

int
topo_plan_fib_min(const struct topo_plan *p)
{
	int min = 0;

	for (int n = 0; n < p->nnodes; n++) {
		int f = topo_node_fib_routes(p, n);

		if (f > 0 && (min == 0 || f < min))
			min = f;
	}
	return min;
}

enum topo_nic_model
topo_node_nic_model(const struct topo_plan *p, int n)
{
	if (n >= 0 && n < p->nnodes && p->nodes[n].nic_model >= 0)
		return p->nodes[n].nic_model;
	return p->opts.nic_model;
}

/* Interface K of node N: guest ethK, host "vr-NAME-tNK". */
int
topo_node_add_if(struct topo_plan *p, struct topo_node *n, const char *addr,
		 int port, int segment, char *err, size_t errlen)
{
	int ni = (int)(n - p->nodes);
	struct topo_if *f;

	if (n->nifs >= TOPO_MAX_IFS) {
		msgf(err, errlen, "node %s: more than %d interfaces", n->name,
		     TOPO_MAX_IFS);
		return -1;
	}
	f = &n->ifs[n->nifs];
	snprintf(f->guest_if, sizeof(f->guest_if), "eth%d", n->nifs);
	snprintf(f->host_if, sizeof(f->host_if), TOPO_IF_PREFIX "%s-t%c%c",
		 p->opts.name, topo_base36(ni), topo_base36(n->nifs));
	vr_strlcpy(f->addr, addr, sizeof(f->addr));
	f->port = port;
	f->segment = port >= 0 ? -1 : segment;
	make_mac(p, n->name, n->nifs, f->mac, sizeof(f->mac));
	n->nifs++;
	return 0;
}

/*
 * The external ports.  Test ports: a namespace per side holding "vp0",
 * joined by a veth pair whose host end ("vr-NAME-i" / "-o") plays the NIC.
 * Host ports: the given NICs; ns_addr/ns_gw then say which address and
 * gateway the far end (source or sink machine) is expected to use.
 */
void
topo_plan_ports(struct topo_plan *p, const char *in_addr, const char *in_gw,
		const char *out_addr, const char *out_gw)
{
	const struct {
		const char *role, *sfx, *ns_addr, *ns_gw;
	} def[2] = {
	    {"in", "i", in_addr, in_gw},
	    {"out", "o", out_addr, out_gw},
	};
	const struct topo_opts *o = &p->opts;

	for (int i = 0; i < 2; i++) {
		struct topo_port *t = &p->ports[i];

		memset(t, 0, sizeof(*t));
		vr_strlcpy(t->role, def[i].role, sizeof(t->role));
		vr_strlcpy(t->ns_addr, def[i].ns_addr, sizeof(t->ns_addr));
		vr_strlcpy(t->ns_gw, def[i].ns_gw, sizeof(t->ns_gw));
		if (o->ports == PORTS_TEST) {
			snprintf(t->netns, sizeof(t->netns),
				 TOPO_IF_PREFIX "%s-%s", o->name, def[i].role);
			vr_strlcpy(t->ns_if, "vp0", sizeof(t->ns_if));
			snprintf(t->host_if, sizeof(t->host_if),
				 TOPO_IF_PREFIX "%s-%s", o->name, def[i].sfx);
			t->created = 1;
		} else {
			vr_strlcpy(t->host_if,
				   i == 0 ? o->port_in : o->port_out,
				   sizeof(t->host_if));
		}
		if (o->link == LINK_TAP)
			snprintf(t->bridge, sizeof(t->bridge),
				 TOPO_IF_PREFIX "%s-b%s", o->name, def[i].sfx);
	}
}

static int fake_host(cpu_set_t *online, cpu_set_t *isolated);

int
topo_plan_pin(struct topo_plan *p, const cpu_set_t *online,
	      const cpu_set_t *isolated, const struct pin_cputopo *cpu,
	      char *err, size_t errlen)
{
	cpu_set_t fake_online, fake_isolated;
	struct pin_input in;

	pin_plan_free(&p->pin);
	if (fake_host(&fake_online, &fake_isolated)) {
		online = &fake_online;
		isolated = &fake_isolated;
		cpu = NULL;
	}
	if (online == NULL) {
		msgf(err, errlen,
		     "pinning: the host's online CPUs are "
		     "unknown");
		return -1;
	}
	memset(&in, 0, sizeof(in));
	in.online = *online;
	if (isolated != NULL)
		in.isolated = *isolated;
	else
		CPU_ZERO(&in.isolated);
	if (cpu != NULL)
		in.topo = *cpu;
	in.smt = p->opts.smt;
	in.vhost = p->opts.vhost_cpu;
	in.has_restrict = p->opts.has_cpus;
	in.restrict_to = p->opts.cpus;
	in.nnodes = p->nnodes;
	for (int i = 0; i < p->nnodes; i++) {
		in.vcpus[i] = p->nodes[i].vcpus;
		/* vhost threads; a netns node has none (its NAPI threads
		 * take its vCPU entries, docs/netns-backend.md) */
		in.nics[i] = p->opts.backend == BACKEND_NETNS
				 ? 0
				 : p->nodes[i].nifs * topo_node_queues(p, i);
	}
	return pin_plan_build(&in, &p->pin, err, errlen);
}

int
topo_node_netns(const struct topo_plan *p, int n, char *buf, size_t len)
{
	if (len)
		buf[0] = '\0';
	if (p == NULL || n < 0 || n >= p->nnodes)
		return -1;
	if ((size_t)snprintf(buf, len, TOPO_IF_PREFIX "%s-%s", p->opts.name,
			     p->nodes[n].name) >= len)
		return -1;
	return 0;
}

/* The netns backend's node namespaces must not take the names of the
 * port namespaces ("vr-NAME-in", "-out") or the splitter's ("-sp"). */
static int
plan_netns_check(const struct topo_plan *p, char *err, size_t errlen)
{
	static const char *const taken[] = {"in", "out", "sp"};
	char ns[64];

	for (int n = 0; n < p->nnodes; n++) {
		for (size_t i = 0; i < nitems(taken); i++)
			if (strcmp(p->nodes[n].name, taken[i]) == 0) {
				msgf(err, errlen,
				     "node %s: with the netns backend "
				     "a node may not be called in, out "
				     "or sp (its namespace would be "
				     "that of a port or the splitter)",
				     p->nodes[n].name);
				return -1;
			}
		if (topo_node_netns(p, n, ns, sizeof(ns)) == -1 ||
		    strlen(ns) > 31) {
			msgf(err, errlen,
			     "node %s: namespace name %s is longer "
			     "than 31 characters",
			     p->nodes[n].name, ns);
			return -1;
		}
	}
	return 0;
}

/* ---- pvr --split macvtap ------------------------------------------------ */

int
topo_if_split_queue(const struct topo_plan *p, const struct topo_if *f)
{
	return p->opts.split == SPLIT_MACVTAP && f->port == 0;
}

/* The splitter interface on port 0 (its ingress), or NULL. */
static const struct topo_if *
split_ingress(const struct topo_splitter *sp)
{
	for (int k = 0; k < sp->nifs; k++)
		if (sp->ifs[k].port == 0)
			return &sp->ifs[k];
	return NULL;
}

/* Drop node nd's routes through gw (a splitter address that is gone). */
static void
routes_drop_via(struct topo_node *nd, const char *gw)
{
	int w = 0;

	for (int i = 0; i < nd->nroutes; i++) {
		const struct topo_route *r = &nd->routes[i];

		if (r->nvia == 1 && strcmp(r->via[0], gw) == 0)
			continue;
		if (w != i)
			nd->routes[w] = *r;
		w++;
	}
	/* zeroed, so that a plan read back from its JSON is the same */
	memset(&nd->routes[w], 0, sizeof(nd->routes[0]) * (nd->nroutes - w));
	nd->nroutes = w;
}

/* Drop internal networks no interface is on any more, renumbering. */
static void
segments_compact(struct topo_plan *p)
{
	int map[TOPO_MAX_SEGMENTS], w = 0;

	for (int s = 0; s < p->nsegments; s++) {
		int used = 0;

		for (int n = 0; n < p->nnodes && !used; n++)
			for (int k = 0; k < p->nodes[n].nifs; k++)
				if (p->nodes[n].ifs[k].port < 0 &&
				    p->nodes[n].ifs[k].segment == s)
					used = 1;
		map[s] = used ? w : -1;
		if (used)
			p->segments[w++] = p->segments[s];
	}
	for (int n = 0; n < p->nnodes; n++)
		for (int k = 0; k < p->nodes[n].nifs; k++)
			if (p->nodes[n].ifs[k].port < 0)
				p->nodes[n].ifs[k].segment =
				    map[p->nodes[n].ifs[k].segment];
	memset(&p->segments[w], 0, sizeof(p->segments[0]) * (p->nsegments - w));
	p->nsegments = w;
}

/*
 * split macvtap: the splitter's next hops (its default route: one
 * interface per VR) become queues of one macvtap "vr-NAME-mq" on the in
 * port's own device: same MAC (the first VR's), same address (the
 * splitter's ingress one, the source's gateway), so the kernel's per-flow
 * queue choice (skb hash modulo the queues) splits the flows with no L3
 * hop.  ARP for the shared address reaches one queue (one hash) and that
 * VR answers; every VR gets the source as a static neighbour (the plan
 * sets the source's MAC), since an ARP reply could reach another VR.
 * The splitter, its legs and the routes through it go.
 */
static int
split_macvtap_apply(struct topo_plan *p, char *err, size_t errlen)
{
	struct topo_splitter *sp = &p->splitter;
	const struct topo_if *in = split_ingress(sp);
	const struct topo_route *r = NULL;
	char mac[18] = "", host_if[TOPO_IFNAMSIZ], addr[24], gwip[24];

	if (p->opts.split == SPLIT_HOST)
		return 0;
	for (int i = 0; r == NULL && i < sp->nroutes; i++)
		if (strcmp(sp->routes[i].dst, "default") == 0)
			r = &sp->routes[i];
	if (sp->netns[0] == '\0' || in == NULL || r == NULL) {
		msgf(err, errlen,
		     "split macvtap: topology %s has no splitter with an "
		     "ingress and a default route over its VRs (pvr has)",
		     p->opts.topology);
		return -1;
	}
	if (p->opts.backend != BACKEND_VM || p->opts.ports != PORTS_TEST) {
		msgf(err, errlen,
		     "split macvtap: the VRs are queues of one macvtap (use "
		     "--backend vm) and need the source's MAC as a static "
		     "neighbour, which the plan knows for --ports test only");
		return -1;
	}
	snprintf(host_if, sizeof(host_if), TOPO_IF_PREFIX "%s-mq",
		 p->opts.name);
	vr_strlcpy(addr, in->addr, sizeof(addr));
	for (int v = 0; v < r->nvia; v++) {
		const char *gw = NULL;
		struct topo_if *f = NULL;
		struct topo_node *nd = NULL;
		size_t n = strlen(r->via[v]);

		for (int i = 0; f == NULL && i < p->nnodes; i++)
			for (int k = 0; f == NULL && k < p->nodes[i].nifs; k++)
				if (strncmp(p->nodes[i].ifs[k].addr, r->via[v],
					    n) == 0 &&
				    p->nodes[i].ifs[k].addr[n] == '/')
					nd = &p->nodes[i],
					f = &p->nodes[i].ifs[k];
		for (int k = 0; f != NULL && k < sp->nifs; k++)
			if (sp->ifs[k].port < 0 && f->port < 0 &&
			    sp->ifs[k].segment == f->segment)
				gw = sp->ifs[k].addr;
		if (f == NULL || gw == NULL) {
			msgf(err, errlen,
			     "split macvtap: the splitter's nexthop %s is no "
			     "node's interface on one of its legs",
			     r->via[v]);
			return -1;
		}
		if (mac[0] == '\0')
			vr_strlcpy(mac, f->mac, sizeof(mac));
		vr_strlcpy(gwip, gw, sizeof(gwip));
		gwip[strcspn(gwip, "/")] = '\0';
		routes_drop_via(nd, gwip);
		f->port = 0;
		f->segment = -1;
		memset(f->mac, 0, sizeof(f->mac));
		memset(f->addr, 0, sizeof(f->addr));
		memset(f->host_if, 0, sizeof(f->host_if));
		vr_strlcpy(f->mac, mac, sizeof(f->mac));
		vr_strlcpy(f->addr, addr, sizeof(f->addr));
		vr_strlcpy(f->host_if, host_if, sizeof(f->host_if));
	}
	memset(sp, 0, sizeof(*sp));
	segments_compact(p);
	/* the macvtap sits on the port */
	memset(p->ports[0].bridge, 0, sizeof(p->ports[0].bridge));
	make_mac(p, "port-in", 0, p->ports[0].ns_mac,
		 sizeof(p->ports[0].ns_mac));
	return 0;
}

/* Each guest's kernel command line must fit what x86 boots: a load
 * balancer with many routes and next hops could pass it and only fail (or
 * lose routes) at boot. */
/*
 * Guest memory for --fib-routes: the kernel's FIB costs ~130 bytes per /24
 * (fib_alias + leaf + trie nodes, slab; measured on Debian's 6.1 kernel,
 * docs/topology.md); FIB_BYTES_PER_ROUTE leaves room for the netlink
 * buffers and slab slack, FIB_BASE_MIB for the guest itself.
 */
#define FIB_BYTES_PER_ROUTE 256
#define FIB_BASE_MIB	    128

int
topo_fib_memory_mib(int routes)
{
	if (routes <= 0)
		return 0;
	return FIB_BASE_MIB +
	       (int)(((int64_t)routes * FIB_BYTES_PER_ROUTE + (1 << 20) - 1) >>
		     20);
}

static const char *const routing_names[] = {"static", "ospf", "bgp"};

const char *
topo_routing_name(enum topo_routing r)
{
	return (unsigned)r < 3 ? routing_names[r] : "?";
}

int
topo_routing_parse(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(s, routing_names[i]) == 0)
			return i;
	return -1;
}

/* Is addr (no prefix length) some node's interface address? */
static int
node_addr(const struct topo_plan *p, const char *addr)
{
	size_t l = strlen(addr);

	for (int n = 0; n < p->nnodes; n++)
		for (int i = 0; i < p->nodes[n].nifs; i++)
			if (strncmp(p->nodes[n].ifs[i].addr, addr, l) == 0 &&
			    p->nodes[n].ifs[i].addr[l] == '/')
				return 1;
	return 0;
}

int
topo_route_learned(const struct topo_plan *p, const struct topo_route *r)
{
	if (r->nvia == 0)
		return 0;
	for (int k = 0; k < r->nvia; k++)
		if (!node_addr(p, r->via[k]))
			return 0;
	return 1;
}

int
topo_fib_host(int k, char *buf, size_t len)
{
	int r;

	if (k < 0 || k >= (1 << 20))
		return -1;
	r = snprintf(buf, len, "%d.%d.%d.1", 240 + (k >> 16), (k >> 8) & 255,
		     k & 255);
	return r < 0 || (size_t)r >= len ? -1 : 0;
}

const struct topo_route *
topo_node_default_route(const struct topo_node *nd)
{
	for (int i = 0; i < nd->nroutes; i++)
		if (strcmp(nd->routes[i].dst, "default") == 0)
			return &nd->routes[i];
	return NULL;
}

/* Every guest holding fib_routes prefixes has the memory for them and a
 * default route whose gateways they go through. */
static int
fib_check(const struct topo_plan *p, char *err, size_t errlen)
{
	for (int n = 0; n < p->nnodes; n++) {
		int routes = topo_node_fib_routes(p, n);
		int need = topo_fib_memory_mib(routes);

		if (routes <= 0)
			continue;
		if (p->opts.backend == BACKEND_NETNS) {
			msgf(err, errlen,
			     "fib_routes: node %s is a namespace: fib_routes "
			     "is for --backend vm",
			     p->nodes[n].name);
			return -1;
		}
		if (topo_node_default_route(&p->nodes[n]) == NULL) {
			msgf(err, errlen,
			     "fib_routes: node %s has no default route: "
			     "the extra prefixes go through its gateways",
			     p->nodes[n].name);
			return -1;
		}
		if (p->nodes[n].memory_mib >= need)
			continue;
		/* a file's own memory_mib for the node beats --memory */
		if (p->opts.file[0] != '\0' &&
		    p->nodes[n].memory_mib != p->opts.memory_mib)
			msgf(err, errlen,
			     "fib_routes %d: node %s has %d MiB, a guest "
			     "needs %d MiB for that many routes: give it "
			     "memory_mib %d (or more) in %s",
			     routes, p->nodes[n].name, p->nodes[n].memory_mib,
			     need, need, p->opts.file);
		else
			msgf(err, errlen,
			     "fib_routes %d: node %s has %d MiB, a guest "
			     "needs %d MiB for that many routes: give "
			     "--memory %d (or more)%s",
			     routes, p->nodes[n].name, p->nodes[n].memory_mib,
			     need, need,
			     p->opts.file[0] != '\0'
				 ? ", or the node's memory_mib if the file "
				   "sets it"
				 : "");
		return -1;
	}
	return 0;
}

/* VR_TEST_HOST_CPUS: a fake host for tests and golden files. */
static int
fake_host(cpu_set_t *online, cpu_set_t *isolated)
{
	const char *s = getenv("VR_TEST_HOST_CPUS");

	if (s == NULL || *s == '\0' || cpulist_parse(s, online) == -1)
		return 0;
	CPU_ZERO(isolated);
	return 1;
}

/* The NIC and guest axes where they cannot apply. */
static int
axes_check(const struct topo_opts *o, char *err, size_t errlen)
{
	if (o->macvtap_mode != MACVTAP_BRIDGE && o->link != LINK_MACVTAP) {
		msgf(err, errlen, "macvtap_mode %s: needs --link macvtap",
		     topo_macvtap_mode_name(o->macvtap_mode));
		return -1;
	}
	if (o->backend == BACKEND_NETNS &&
	    (o->nic_model != NIC_VIRTIO || o->vhost != VHOST_AUTO ||
	     o->guest_txqueuelen > 0 || o->guest_cmdline[0] != '\0' ||
	     o->cpu_model[0] != '\0' || o->fib_routes > 0)) {
		msgf(err, errlen,
		     "the netns backend has no guests: nic_model, vhost, "
		     "guest_txqueuelen, guest_cmdline, cpu_model and "
		     "fib_routes are for --backend vm");
		return -1;
	}
	if (o->routing != ROUTING_STATIC && o->backend == BACKEND_NETNS) {
		msgf(err, errlen,
		     "routing %s: the routing daemon runs in the guest image: "
		     "use --backend vm",
		     topo_routing_name(o->routing));
		return -1;
	}
	if (o->backend == BACKEND_NETNS &&
	    (o->vhost_cpu != PIN_VHOST_HOUSEKEEPING || o->vhost_rt > 0 ||
	     o->hugepages)) {
		msgf(err, errlen,
		     "the netns backend has no guests: vhost_cpu, vhost_rt "
		     "and hugepages (guest memory) are for --backend vm");
		return -1;
	}
	if (o->vhost_cpu != PIN_VHOST_HOUSEKEEPING && !o->pin) {
		msgf(err, errlen, "vhost_cpu %s: needs --pin",
		     pin_vhost_name(o->vhost_cpu));
		return -1;
	}
	if ((o->deadline.runtime_us || o->vhost_deadline.runtime_us) &&
	    (o->backend == BACKEND_NETNS || !o->pin)) {
		msgf(err, errlen,
		     o->backend == BACKEND_NETNS
			 ? "deadline, vhost_deadline: for --backend vm (the "
			   "netns backend's NAPI threads are not reserved)"
			 : "deadline, vhost_deadline: need --pin (a "
			   "reservation is made on the CPU a thread is "
			   "pinned to)");
		return -1;
	}
	if (o->nic_model != NIC_VIRTIO && o->vhost == VHOST_ON) {
		msgf(err, errlen,
		     "vhost on: vhost-net serves virtio NICs only, not %s",
		     topo_nic_model_name(o->nic_model));
		return -1;
	}
	return 0;
}

/*
 * macvtap passthru hands the whole lower device to one macvtap: each
 * interface must be alone on a port of its own (no internal network, no
 * port shared with another interface).
 */
static int
passthru_check(const struct topo_plan *p, char *err, size_t errlen)
{
	int users[2] = {0, 0};

	if (p->opts.link != LINK_MACVTAP ||
	    p->opts.macvtap_mode != MACVTAP_PASSTHRU)
		return 0;
	for (int i = 0; i < p->nnodes; i++)
		for (int k = 0; k < p->nodes[i].nifs; k++) {
			const struct topo_if *f = &p->nodes[i].ifs[k];

			if (f->port < 0 || f->port > 1 ||
			    ++users[f->port] > 1) {
				msgf(err, errlen,
				     "macvtap_mode passthru: %s %s %s; "
				     "passthru needs a NIC of its own for "
				     "every interface (use bridge, vepa or "
				     "private)",
				     p->nodes[i].name, f->guest_if,
				     f->port < 0 ? "is on an internal network"
						 : "shares its port with "
						   "another interface");
				return -1;
			}
		}
	return 0;
}

int
topo_plan_build(const struct topo_opts *o, const cpu_set_t *online,
		const cpu_set_t *isolated, struct topo_plan *p, char *err,
		size_t errlen)
{
	return topo_plan_build_topo(o, online, isolated, NULL, p, err, errlen);
}

int
topo_plan_build_topo(const struct topo_opts *o, const cpu_set_t *online,
		     const cpu_set_t *isolated, const struct pin_cputopo *cpu,
		     struct topo_plan *p, char *err, size_t errlen)
{
	cpu_set_t fake_online, fake_isolated;

	memset(p, 0, sizeof(*p));
	p->opts = *o;
	if (fake_host(&fake_online, &fake_isolated)) {
		online = &fake_online;
		isolated = &fake_isolated;
		cpu = NULL;
	}
	if (p->opts.name[0] != '\0' &&
	    topo_name_check(p->opts.name, err, errlen) == -1)
		goto fail;
	if (o->cores > TOPO_MAX_VCPUS) {
		msgf(err, errlen,
		     "cores: %d is more than the limit of %d vCPUs per "
		     "node",
		     o->cores, TOPO_MAX_VCPUS);
		goto fail;
	}
	if (o->cores < 1) {
		msgf(err, errlen, "cores: %d (at least 1)", o->cores);
		goto fail;
	}
	if (o->memory_mib < TOPO_MEMORY_MIN_MIB ||
	    o->memory_mib > TOPO_MEMORY_MAX_MIB) {
		msgf(err, errlen, "memory: %d MiB is out of range (%d-%d)",
		     o->memory_mib, TOPO_MEMORY_MIN_MIB, TOPO_MEMORY_MAX_MIB);
		goto fail;
	}
	if (o->ports == PORTS_HOST &&
	    (topo_ifname_check(o->port_in, err, errlen) == -1 ||
	     topo_ifname_check(o->port_out, err, errlen) == -1))
		goto fail;
	if (o->backend == BACKEND_NETNS && o->link == LINK_MACVTAP) {
		msgf(err, errlen,
		     "link: the netns backend joins every node "
		     "interface to its network with a veth pair on a "
		     "bridge (tap semantics); macvtap is for guests: "
		     "use --link tap");
		goto fail;
	}
	if (axes_check(o, err, errlen) == -1 ||
	    topo_axes_check(o, err, errlen) == -1 ||
	    topo_file_expand(p, err, errlen) == -1)
		goto fail;
	if (o->backend == BACKEND_NETNS &&
	    plan_netns_check(p, err, errlen) == -1)
		goto fail;
	if (passthru_check(p, err, errlen) == -1)
		goto fail;
	if (split_macvtap_apply(p, err, errlen) == -1 ||
	    topo_lb_mode_check(p, err, errlen) == -1 ||
	    fib_check(p, err, errlen) == -1 ||
	    topo_hosts_check(p, err, errlen) == -1)
		goto fail;
	if (o->backend == BACKEND_VM &&
	    topo_cmdline_check(p, err, errlen) == -1)
		goto fail;
	p->opts.file_text = NULL; /* borrowed from the caller */
	/* a plan across hosts is pinned by each host for its own share, on
	 * its own CPUs, once cut to it (daemon/part.c) */
	if (o->pin && !topo_hosts_placed(p) &&
	    topo_plan_pin(p, online, isolated, cpu, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	topo_plan_free(p);
	return -1;
}

void
topo_plan_free(struct topo_plan *p)
{
	if (p == NULL)
		return;
	pin_plan_free(&p->pin);
	memset(p, 0, sizeof(*p));
}
