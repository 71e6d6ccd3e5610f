/*
 * The plan as JSON (docs/contracts.md, "Plan JSON"): what `vrctl topology`
 * shows, status reports and the daemon stores in libvirt metadata.  Reading
 * it back (and checking every field) is topo_json.c's.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "topo.h"
#include "topo_hosts.h"
#include "topo_int.h"
#include "util.h"

#define CMDLINE_MAX 4096

/* "port": "in"/"out"/null, and "segment": NAME for internal ones. */
static void
if_port_to_json(const struct topo_plan *p, const struct topo_if *f,
		json_object *o)
{
	json_object_object_add(
	    o, "port",
	    f->port >= 0 && f->port < 2
		? json_object_new_string(p->ports[f->port].role)
		: NULL);
	if (f->port < 0 && f->segment >= 0 && f->segment < p->nsegments)
		json_object_object_add(
		    o, "segment",
		    json_object_new_string(p->segments[f->segment].name));
}

/* "via": the address, or an array of them for an ECMP route. */
static json_object *
routes_to_json(const struct topo_route *r, int n)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < n; i++) {
		json_object *o = json_object_new_object(), *v;

		json_object_object_add(o, "dst",
				       json_object_new_string(r[i].dst));
		if (r[i].nvia == 1)
			v = json_object_new_string(r[i].via[0]);
		else {
			v = json_object_new_array();
			for (int k = 0; k < r[i].nvia; k++)
				json_object_array_add(
				    v, json_object_new_string(r[i].via[k]));
		}
		json_object_object_add(o, "via", v);
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *
node_to_json(const struct topo_plan *p, int ni)
{
	const struct topo_node *n = &p->nodes[ni];
	json_object *j = json_object_new_object(), *ifs;
	char cmdline[CMDLINE_MAX];

	json_object_object_add(j, "name", json_object_new_string(n->name));
	json_object_object_add(j, "domain", json_object_new_string(n->domain));
	if (p->opts.backend == BACKEND_NETNS) {
		char ns[64];

		topo_node_netns(p, ni, ns, sizeof(ns));
		json_object_object_add(j, "netns", json_object_new_string(ns));
	}
	json_object_object_add(j, "role",
			       json_object_new_string(topo_role_name(n->role)));
	json_object_object_add(j, "vcpus", json_object_new_int(n->vcpus));
	json_object_object_add(j, "memory_mib",
			       json_object_new_int(n->memory_mib));
	if (topo_node_cmdline(p, ni, cmdline, sizeof(cmdline)) == -1)
		cmdline[0] = '\0';
	json_object_object_add(j, "cmdline", json_object_new_string(cmdline));
	ifs = json_object_new_array();
	for (int i = 0; i < n->nifs; i++) {
		const struct topo_if *f = &n->ifs[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "guest_if",
				       json_object_new_string(f->guest_if));
		json_object_object_add(o, "mac",
				       json_object_new_string(f->mac));
		json_object_object_add(o, "address",
				       json_object_new_string(f->addr));
		json_object_object_add(o, "host_if",
				       json_object_new_string(f->host_if));
		if (f->mtu > 0) /* across hosts: for a netns node restarted */
			json_object_object_add(o, "mtu",
					       json_object_new_int(f->mtu));
		if_port_to_json(p, f, o);
		json_object_array_add(ifs, o);
	}
	json_object_object_add(j, "interfaces", ifs);
	if (n->image[0])
		json_object_object_add(j, "image",
				       json_object_new_string(n->image));
	if (n->nic_model >= 0)
		json_object_object_add(
		    j, "nic_model",
		    json_object_new_string(topo_nic_model_name(n->nic_model)));
	if (n->fib_routes >= 0)
		json_object_object_add(j, "fib_routes",
				       json_object_new_int(n->fib_routes));
	json_object_object_add(j, "routes",
			       routes_to_json(n->routes, n->nroutes));
	if (n->host[0])
		json_object_object_add(j, "host",
				       json_object_new_string(n->host));
	return j;
}

static json_object *
splitter_to_json(const struct topo_plan *p)
{
	const struct topo_splitter *sp = &p->splitter;
	json_object *j = json_object_new_object(), *ifs;

	json_object_object_add(j, "netns", json_object_new_string(sp->netns));
	ifs = json_object_new_array();
	for (int i = 0; i < sp->nifs; i++) {
		const struct topo_if *f = &sp->ifs[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name",
				       json_object_new_string(f->guest_if));
		json_object_object_add(o, "address",
				       json_object_new_string(f->addr));
		json_object_object_add(o, "host_if",
				       json_object_new_string(f->host_if));
		if_port_to_json(p, f, o);
		json_object_array_add(ifs, o);
	}
	json_object_object_add(j, "interfaces", ifs);
	json_object_object_add(j, "routes",
			       routes_to_json(sp->routes, sp->nroutes));
	return j;
}

static json_object *
port_to_json(const struct topo_port *t)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, "role", json_object_new_string(t->role));
	json_object_object_add(j, "netns", json_object_new_string(t->netns));
	json_object_object_add(j, "ns_if", json_object_new_string(t->ns_if));
	json_object_object_add(j, "ns_address",
			       json_object_new_string(t->ns_addr));
	json_object_object_add(j, "gateway", json_object_new_string(t->ns_gw));
	if (t->ns_mac[0] != '\0')
		json_object_object_add(j, "ns_mac",
				       json_object_new_string(t->ns_mac));
	json_object_object_add(j, "host_if",
			       json_object_new_string(t->host_if));
	json_object_object_add(j, "bridge", json_object_new_string(t->bridge));
	json_object_object_add(j, "created",
			       json_object_new_boolean(t->created));
	if (t->host[0])
		json_object_object_add(j, "host",
				       json_object_new_string(t->host));
	return j;
}

static json_object *
pinning_to_json(const struct topo_plan *p)
{
	json_object *j = json_object_new_object(), *threads;
	char buf[CPULIST_MAX];

	json_object_object_add(j, "enabled",
			       json_object_new_boolean(p->opts.pin));
	if (!p->opts.pin)
		return j;
	json_object_object_add(j, "shared",
			       json_object_new_boolean(p->pin.shared));
	json_object_object_add(j, "warning",
			       json_object_new_string(p->pin.warning));
	json_object_object_add(j, "vcpu_cpus",
			       json_object_new_string(cpulist_format(
				   &p->pin.vcpu_cpus, buf, sizeof(buf))));
	json_object_object_add(j, "housekeeping",
			       json_object_new_string(cpulist_format(
				   &p->pin.housekeeping, buf, sizeof(buf))));
	/* only when the host's CPU topology shaped the plan (pin.h), so that
	 * plans for hosts without SMT or NUMA stay as they were */
	if (p->pin.topo_used) {
		json_object *numa = json_object_new_object();

		json_object_object_add(
		    j, "smt", json_object_new_string(pin_smt_name(p->pin.smt)));
		json_object_object_add(j, "note",
				       json_object_new_string(p->pin.note));
		for (int i = 0; i < p->nnodes && i < PIN_MAX_NODES; i++)
			json_object_object_add(
			    numa, p->nodes[i].name,
			    json_object_new_int(p->pin.numa[i]));
		json_object_object_add(j, "numa_nodes", numa);
	}
	threads = json_object_new_array();
	for (int i = 0; i < p->pin.n; i++) {
		const struct pin_assign *a = &p->pin.a[i];
		json_object *o = json_object_new_object();

		json_object_object_add(
		    o, "node",
		    json_object_new_string(a->node >= 0 && a->node < p->nnodes
					       ? p->nodes[a->node].name
					       : ""));
		json_object_object_add(
		    o, "kind", json_object_new_string(pin_kind_name(a->kind)));
		json_object_object_add(o, "index",
				       json_object_new_int(a->index));
		json_object_object_add(o, "cpus",
				       json_object_new_string(cpulist_format(
					   &a->cpus, buf, sizeof(buf))));
		json_object_array_add(threads, o);
	}
	json_object_object_add(j, "threads", threads);
	return j;
}

json_object *
topo_plan_to_json(const struct topo_plan *p)
{
	json_object *j = json_object_new_object(), *nodes, *ports;

	json_object_object_add(j, "topology",
			       json_object_new_string(p->opts.topology));
	json_object_object_add(j, "name", json_object_new_string(p->opts.name));
	json_object_object_add(j, "description",
			       json_object_new_string(p->description));
	if (p->opts.file[0])
		json_object_object_add(j, "file",
				       json_object_new_string(p->opts.file));
	json_object_object_add(j, "options", topo_opts_to_json(&p->opts));
	nodes = json_object_new_array();
	for (int i = 0; i < p->nnodes; i++)
		json_object_array_add(nodes, node_to_json(p, i));
	json_object_object_add(j, "nodes", nodes);
	ports = json_object_new_array();
	for (int i = 0; i < 2; i++)
		json_object_array_add(ports, port_to_json(&p->ports[i]));
	json_object_object_add(j, "ports", ports);
	if (p->nsegments > 0) {
		json_object *segs = json_object_new_array();

		for (int i = 0; i < p->nsegments; i++) {
			json_object *o = json_object_new_object();
			json_object_object_add(
			    o, "name",
			    json_object_new_string(p->segments[i].name));
			json_object_object_add(
			    o, "bridge",
			    json_object_new_string(p->segments[i].bridge));
			json_object_array_add(segs, o);
		}
		json_object_object_add(j, "segments", segs);
	}
	if (p->splitter.netns[0])
		json_object_object_add(j, "splitter", splitter_to_json(p));
	json_object_object_add(j, "pinning", pinning_to_json(p));
	if (topo_hosts_placed(p)) {
		struct topo_hosts h;
		char err[256];

		/* the underlay is the daemon's to know: assumed here */
		if (topo_hosts_plan(p, NULL, NULL, 0, &h, err, sizeof(err)) ==
		    0)
			json_object_object_add(j, "placement",
					       topo_hosts_to_json(p, &h));
	}
	if (p->nwarnings > 0) {
		json_object *w = json_object_new_array();

		for (int i = 0; i < p->nwarnings; i++)
			json_object_array_add(
			    w, json_object_new_string(p->warnings[i]));
		json_object_object_add(j, "warnings", w);
	}
	return j;
}
