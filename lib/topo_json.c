/*
 * The plan read back from JSON (docs/contracts.md, "Plan JSON"; written by
 * topo_json_write.c).  It reads what a vrouterd wrote into libvirt
 * metadata, possibly an older or damaged one, so every field is checked
 * and an error names its JSON path.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "topo.h"
#include "topo_int.h"
#include "util.h"

/* Reading back. */

static json_object *
member(json_object *obj, const char *path, const char *key, json_type type,
       char *err, size_t errlen)
{
	static const char *const tname[] = {
	    [json_type_null] = "null",	      [json_type_boolean] = "a boolean",
	    [json_type_double] = "a number",  [json_type_int] = "an integer",
	    [json_type_object] = "an object", [json_type_array] = "an array",
	    [json_type_string] = "a string",
	};
	json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v) || v == NULL) {
		msgf(err, errlen, "plan: %s.%s: missing", path, key);
		return NULL;
	}
	if (!json_object_is_type(v, type)) {
		msgf(err, errlen, "plan: %s.%s: expected %s", path, key,
		     tname[type]);
		return NULL;
	}
	return v;
}

static int
str_member(json_object *obj, const char *path, const char *key, char *buf,
	   size_t len, char *err, size_t errlen)
{
	json_object *v = member(obj, path, key, json_type_string, err, errlen);

	if (v == NULL)
		return -1;
	if ((size_t)json_object_get_string_len(v) >= len) {
		msgf(err, errlen,
		     "plan: %s.%s: longer than %zu "
		     "characters",
		     path, key, len - 1);
		return -1;
	}
	/* a C string would end early: a name cut short names another */
	if (strlen(json_object_get_string(v)) !=
	    (size_t)json_object_get_string_len(v)) {
		msgf(err, errlen, "plan: %s.%s: a string with a NUL character",
		     path, key);
		return -1;
	}
	vr_strlcpy(buf, json_object_get_string(v), len);
	return 0;
}

static int
int_member(json_object *obj, const char *path, const char *key, int min,
	   int max, int *out, char *err, size_t errlen)
{
	json_object *v = member(obj, path, key, json_type_int, err, errlen);
	int64_t x;

	if (v == NULL)
		return -1;
	x = json_object_get_int64(v);
	if (x < min || x > max) {
		msgf(err, errlen,
		     "plan: %s.%s: %lld is out of range "
		     "(%d-%d)",
		     path, key, (long long)x, min, max);
		return -1;
	}
	*out = (int)x;
	return 0;
}

static int
bool_member(json_object *obj, const char *path, const char *key, int *out,
	    char *err, size_t errlen)
{
	json_object *v = member(obj, path, key, json_type_boolean, err, errlen);

	if (v == NULL)
		return -1;
	*out = json_object_get_boolean(v) ? 1 : 0;
	return 0;
}

static int
cpus_member(json_object *obj, const char *path, const char *key, cpu_set_t *set,
	    char *err, size_t errlen)
{
	char buf[1024];

	if (str_member(obj, path, key, buf, sizeof(buf), err, errlen) == -1)
		return -1;
	if (cpulist_parse(buf, set) == -1) {
		msgf(err, errlen,
		     "plan: %s.%s: '%.64s' is not a CPU "
		     "list",
		     path, key, buf);
		return -1;
	}
	return 0;
}

static json_object *
array_member(json_object *obj, const char *path, const char *key, int max,
	     char *err, size_t errlen)
{
	json_object *v = member(obj, path, key, json_type_array, err, errlen);

	if (v != NULL && (int)json_object_array_length(v) > max) {
		msgf(err, errlen, "plan: %s.%s: more than %d entries", path,
		     key, max);
		return NULL;
	}
	return v;
}

static int
mac_check(const char *mac)
{
	if (strlen(mac) != 17)
		return -1;
	for (int i = 0; i < 17; i++) {
		char c = mac[i];
		if (i % 3 == 2
			? c != ':'
			: !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -1;
	}
	return 0;
}

static int
segment_index(const struct topo_plan *p, const char *name)
{
	for (int i = 0; i < p->nsegments; i++)
		if (strcmp(p->segments[i].name, name) == 0)
			return i;
	return -1;
}

/* "port" (required, maybe null) and, for null, "segment". */
static int
if_port_from_json(json_object *o, const char *path, struct topo_plan *p,
		  struct topo_if *f, char *err, size_t errlen)
{
	char seg[32];
	json_object *v;

	f->port = -1;
	f->segment = -1;
	if (!json_object_object_get_ex(o, "port", &v)) {
		msgf(err, errlen, "plan: %s.port: missing", path);
		return -1;
	}
	if (v == NULL) {
		if (!json_object_object_get_ex(o, "segment", NULL)) {
			if (p->nsegments == 0)
				return 0; /* an unattached interface */
			msgf(err, errlen, "plan: %s.segment: missing", path);
			return -1;
		}
		if (str_member(o, path, "segment", seg, sizeof(seg), err,
			       errlen) == -1)
			return -1;
		if ((f->segment = segment_index(p, seg)) == -1) {
			msgf(err, errlen, "plan: %s.segment: no segment '%s'",
			     path, seg);
			return -1;
		}
		return 0;
	}
	for (int i = 0; i < 2; i++)
		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), p->ports[i].role) == 0)
			f->port = i;
	if (f->port == -1) {
		msgf(err, errlen,
		     "plan: %s.port: expected \"in\", "
		     "\"out\" or null",
		     path);
		return -1;
	}
	return 0;
}

static int
if_from_json(json_object *o, const char *path, struct topo_plan *p,
	     struct topo_if *f, char *err, size_t errlen)
{
	if (!json_object_is_type(o, json_type_object)) {
		msgf(err, errlen, "plan: %s: expected an object", path);
		return -1;
	}
	if (str_member(o, path, "guest_if", f->guest_if, sizeof(f->guest_if),
		       err, errlen) == -1 ||
	    str_member(o, path, "mac", f->mac, sizeof(f->mac), err, errlen) ==
		-1 ||
	    str_member(o, path, "address", f->addr, sizeof(f->addr), err,
		       errlen) == -1 ||
	    str_member(o, path, "host_if", f->host_if, sizeof(f->host_if), err,
		       errlen) == -1)
		return -1;
	if (mac_check(f->mac) == -1) {
		msgf(err, errlen,
		     "plan: %s.mac: '%s' is not a MAC "
		     "address",
		     path, f->mac);
		return -1;
	}
	f->mtu = 0; /* only on a network across hosts */
	if (json_object_object_get_ex(o, "mtu", NULL) &&
	    int_member(o, path, "mtu", 68, 65535, &f->mtu, err, errlen) == -1)
		return -1;
	return if_port_from_json(o, path, p, f, err, errlen);
}

static int
routes_from_json(json_object *o, const char *path, struct topo_route *routes,
		 int *nroutes, char *err, size_t errlen)
{
	json_object *a;
	char sub[96], vp[112];

	if ((a = array_member(o, path, "routes", TOPO_MAX_ROUTES, err,
			      errlen)) == NULL)
		return -1;
	*nroutes = (int)json_object_array_length(a);
	for (int i = 0; i < *nroutes; i++) {
		json_object *ro = json_object_array_get_idx(a, i), *v;
		struct topo_route *r = &routes[i];

		snprintf(sub, sizeof(sub), "%s.routes[%d]", path, i);
		if (!json_object_is_type(ro, json_type_object)) {
			msgf(err, errlen, "plan: %s: expected an object", sub);
			return -1;
		}
		if (str_member(ro, sub, "dst", r->dst, sizeof(r->dst), err,
			       errlen) == -1)
			return -1;
		if (json_object_object_get_ex(ro, "via", &v) &&
		    json_object_is_type(v, json_type_array)) {
			snprintf(vp, sizeof(vp), "%s.via", sub);
			if (json_object_array_length(v) < 2 ||
			    json_object_array_length(v) > TOPO_MAX_NEXTHOPS) {
				msgf(err, errlen,
				     "plan: %s: expected 2-%d nexthops", vp,
				     TOPO_MAX_NEXTHOPS);
				return -1;
			}
			r->nvia = (int)json_object_array_length(v);
			for (int k = 0; k < r->nvia; k++) {
				json_object *e =
				    json_object_array_get_idx(v, k);
				if (!json_object_is_type(e, json_type_string) ||
				    json_object_get_string_len(e) >=
					(int)sizeof(r->via[0])) {
					msgf(err, errlen,
					     "plan: %s[%d]: expected an "
					     "address",
					     vp, k);
					return -1;
				}
				vr_strlcpy(r->via[k], json_object_get_string(e),
					   sizeof(r->via[0]));
			}
		} else {
			if (str_member(ro, sub, "via", r->via[0],
				       sizeof(r->via[0]), err, errlen) == -1)
				return -1;
			r->nvia = 1;
		}
	}
	return 0;
}

static int
splitter_from_json(json_object *j, struct topo_plan *p, char *err,
		   size_t errlen)
{
	const char *path = "$.splitter";
	struct topo_splitter *sp = &p->splitter;
	json_object *o, *ifs;
	char sub[64];

	if (!json_object_object_get_ex(j, "splitter", NULL))
		return 0;
	if ((o = member(j, "$", "splitter", json_type_object, err, errlen)) ==
		NULL ||
	    str_member(o, path, "netns", sp->netns, sizeof(sp->netns), err,
		       errlen) == -1 ||
	    (ifs = array_member(o, path, "interfaces", TOPO_MAX_SPLIT_IFS, err,
				errlen)) == NULL)
		return -1;
	sp->nifs = (int)json_object_array_length(ifs);
	for (int i = 0; i < sp->nifs; i++) {
		json_object *f = json_object_array_get_idx(ifs, i);
		struct topo_if *sf = &sp->ifs[i];

		snprintf(sub, sizeof(sub), "%s.interfaces[%d]", path, i);
		if (!json_object_is_type(f, json_type_object)) {
			msgf(err, errlen, "plan: %s: expected an object", sub);
			return -1;
		}
		if (str_member(f, sub, "name", sf->guest_if,
			       sizeof(sf->guest_if), err, errlen) == -1 ||
		    str_member(f, sub, "address", sf->addr, sizeof(sf->addr),
			       err, errlen) == -1 ||
		    str_member(f, sub, "host_if", sf->host_if,
			       sizeof(sf->host_if), err, errlen) == -1 ||
		    if_port_from_json(f, sub, p, sf, err, errlen) == -1)
			return -1;
	}
	return routes_from_json(o, path, sp->routes, &sp->nroutes, err, errlen);
}

static int
segments_from_json(json_object *j, struct topo_plan *p, char *err,
		   size_t errlen)
{
	json_object *a;
	char sub[48];

	if (!json_object_object_get_ex(j, "segments", NULL))
		return 0;
	if ((a = array_member(j, "$", "segments", TOPO_MAX_SEGMENTS, err,
			      errlen)) == NULL)
		return -1;
	p->nsegments = (int)json_object_array_length(a);
	for (int i = 0; i < p->nsegments; i++) {
		json_object *o = json_object_array_get_idx(a, i);

		snprintf(sub, sizeof(sub), "$.segments[%d]", i);
		if (!json_object_is_type(o, json_type_object)) {
			msgf(err, errlen, "plan: %s: expected an object", sub);
			return -1;
		}
		if (str_member(o, sub, "name", p->segments[i].name,
			       sizeof(p->segments[i].name), err,
			       errlen) == -1 ||
		    str_member(o, sub, "bridge", p->segments[i].bridge,
			       sizeof(p->segments[i].bridge), err,
			       errlen) == -1)
			return -1;
	}
	return 0;
}

/* The optional "host" of a node or port (a name, lib/names.c). */
static int
host_from_json(json_object *o, const char *path, char *host, char *err,
	       size_t errlen)
{
	if (!json_object_object_get_ex(o, "host", NULL))
		return 0;
	if (str_member(o, path, "host", host, TOPO_HOST_LEN + 1, err, errlen) ==
	    -1)
		return -1;
	if (!name_ok(NAME_HOST, host)) {
		msgf(err, errlen, "plan: %s.host: '%s': use %s", path, host,
		     name_rule(NAME_HOST));
		return -1;
	}
	return 0;
}

static int
node_from_json(json_object *o, const char *path, struct topo_plan *p,
	       struct topo_node *n, char *err, size_t errlen)
{
	char role[16], sub[96];
	json_object *ifs;
	int r;

	n->nic_model = -1; /* the options' unless the node has its own */
	n->fib_routes = -1;
	if (!json_object_is_type(o, json_type_object)) {
		msgf(err, errlen, "plan: %s: expected an object", path);
		return -1;
	}
	if (str_member(o, path, "name", n->name, sizeof(n->name), err,
		       errlen) == -1 ||
	    str_member(o, path, "domain", n->domain, sizeof(n->domain), err,
		       errlen) == -1 ||
	    str_member(o, path, "role", role, sizeof(role), err, errlen) ==
		-1 ||
	    int_member(o, path, "vcpus", 1, TOPO_MAX_VCPUS, &n->vcpus, err,
		       errlen) == -1 ||
	    int_member(o, path, "memory_mib", TOPO_MEMORY_MIN_MIB,
		       TOPO_MEMORY_MAX_MIB, &n->memory_mib, err, errlen) == -1)
		return -1;
	if ((r = topo_role_parse(role)) == -1) {
		msgf(err, errlen, "plan: %s.role: unknown role '%s'", path,
		     role);
		return -1;
	}
	n->role = r;
	if ((ifs = array_member(o, path, "interfaces", TOPO_MAX_IFS, err,
				errlen)) == NULL)
		return -1;
	n->nifs = (int)json_object_array_length(ifs);
	for (int i = 0; i < n->nifs; i++) {
		snprintf(sub, sizeof(sub), "%s.interfaces[%d]", path, i);
		if (if_from_json(json_object_array_get_idx(ifs, i), sub, p,
				 &n->ifs[i], err, errlen) == -1)
			return -1;
	}
	if (json_object_object_get_ex(o, "image", NULL) &&
	    str_member(o, path, "image", n->image, sizeof(n->image), err,
		       errlen) == -1)
		return -1;
	if (json_object_object_get_ex(o, "nic_model", NULL)) {
		char m[16];

		if (str_member(o, path, "nic_model", m, sizeof(m), err,
			       errlen) == -1)
			return -1;
		if ((n->nic_model = topo_nic_model_parse(m)) == -1) {
			msgf(err, errlen, "plan: %s.nic_model: '%s' unknown",
			     path, m);
			return -1;
		}
	}
	if (json_object_object_get_ex(o, "fib_routes", NULL) &&
	    int_member(o, path, "fib_routes", 0, TOPO_FIB_ROUTES_MAX,
		       &n->fib_routes, err, errlen) == -1)
		return -1;
	if (host_from_json(o, path, n->host, err, errlen) == -1)
		return -1;
	return routes_from_json(o, path, n->routes, &n->nroutes, err, errlen);
}

static int
ports_from_json(json_object *j, struct topo_plan *p, char *err, size_t errlen)
{
	static const char *const roles[2] = {"in", "out"};
	json_object *ports;
	char path[32];

	if ((ports = array_member(j, "$", "ports", 2, err, errlen)) == NULL)
		return -1;
	if (json_object_array_length(ports) != 2) {
		msgf(err, errlen,
		     "plan: $.ports: expected 2 entries "
		     "(in, out)");
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		json_object *o = json_object_array_get_idx(ports, i);
		struct topo_port *t = &p->ports[i];

		snprintf(path, sizeof(path), "$.ports[%d]", i);
		if (!json_object_is_type(o, json_type_object)) {
			msgf(err, errlen, "plan: %s: expected an object", path);
			return -1;
		}
		if (str_member(o, path, "role", t->role, sizeof(t->role), err,
			       errlen) == -1 ||
		    str_member(o, path, "netns", t->netns, sizeof(t->netns),
			       err, errlen) == -1 ||
		    str_member(o, path, "ns_if", t->ns_if, sizeof(t->ns_if),
			       err, errlen) == -1 ||
		    str_member(o, path, "ns_address", t->ns_addr,
			       sizeof(t->ns_addr), err, errlen) == -1 ||
		    str_member(o, path, "gateway", t->ns_gw, sizeof(t->ns_gw),
			       err, errlen) == -1 ||
		    str_member(o, path, "host_if", t->host_if,
			       sizeof(t->host_if), err, errlen) == -1 ||
		    str_member(o, path, "bridge", t->bridge, sizeof(t->bridge),
			       err, errlen) == -1 ||
		    bool_member(o, path, "created", &t->created, err, errlen) ==
			-1)
			return -1;
		if (json_object_object_get_ex(o, "ns_mac", NULL) &&
		    str_member(o, path, "ns_mac", t->ns_mac, sizeof(t->ns_mac),
			       err, errlen) == -1)
			return -1;
		if (host_from_json(o, path, t->host, err, errlen) == -1)
			return -1;
		if (strcmp(t->role, roles[i]) != 0) {
			msgf(err, errlen, "plan: %s.role: expected \"%s\"",
			     path, roles[i]);
			return -1;
		}
	}
	return 0;
}

static int
node_index(const struct topo_plan *p, const char *name)
{
	for (int i = 0; i < p->nnodes; i++)
		if (strcmp(p->nodes[i].name, name) == 0)
			return i;
	return -1;
}

static int
thread_from_json(json_object *o, const char *path, const struct topo_plan *p,
		 struct pin_assign *a, char *err, size_t errlen)
{
	char node[32], kind[16];
	int v;

	if (!json_object_is_type(o, json_type_object)) {
		msgf(err, errlen, "plan: %s: expected an object", path);
		return -1;
	}
	if (str_member(o, path, "node", node, sizeof(node), err, errlen) ==
		-1 ||
	    str_member(o, path, "kind", kind, sizeof(kind), err, errlen) ==
		-1 ||
	    int_member(o, path, "index", 0, 1 << 20, &a->index, err, errlen) ==
		-1 ||
	    cpus_member(o, path, "cpus", &a->cpus, err, errlen) == -1)
		return -1;
	if ((a->node = node_index(p, node)) == -1) {
		msgf(err, errlen, "plan: %s.node: no node '%s'", path, node);
		return -1;
	}
	if ((v = pin_kind_parse(kind)) == -1) {
		msgf(err, errlen, "plan: %s.kind: unknown kind '%s'", path,
		     kind);
		return -1;
	}
	a->kind = v;
	return 0;
}

/* The topology part of $.pinning (smt, note, numa_nodes), when present. */
static int
pin_topo_from_json(json_object *pin, const char *path, struct topo_plan *p,
		   char *err, size_t errlen)
{
	char smt[16], path_n[64];
	json_object *numa;
	int v;

	if (str_member(pin, path, "smt", smt, sizeof(smt), err, errlen) == -1 ||
	    str_member(pin, path, "note", p->pin.note, sizeof(p->pin.note), err,
		       errlen) == -1 ||
	    (numa = member(pin, path, "numa_nodes", json_type_object, err,
			   errlen)) == NULL)
		return -1;
	if ((v = pin_smt_parse(smt)) == -1) {
		msgf(err, errlen, "plan: %s.smt: unknown mode '%s'", path, smt);
		return -1;
	}
	p->pin.smt = v;
	p->pin.topo_used = 1;
	snprintf(path_n, sizeof(path_n), "%s.numa_nodes", path);
	for (int i = 0; i < p->nnodes && i < PIN_MAX_NODES; i++)
		if (int_member(numa, path_n, p->nodes[i].name, -1,
			       CPU_SETSIZE - 1, &p->pin.numa[i], err,
			       errlen) == -1)
			return -1;
	return 0;
}

static int
pinning_from_json(json_object *j, struct topo_plan *p, char *err, size_t errlen)
{
	const char *path = "$.pinning";
	json_object *pin, *threads;
	int enabled, n;
	char path_t[48];

	if ((pin = member(j, "$", "pinning", json_type_object, err, errlen)) ==
		NULL ||
	    bool_member(pin, path, "enabled", &enabled, err, errlen) == -1)
		return -1;
	if (enabled != p->opts.pin) {
		msgf(err, errlen,
		     "plan: %s.enabled: disagrees with "
		     "$.options.pin",
		     path);
		return -1;
	}
	if (!enabled)
		return 0;
	if (bool_member(pin, path, "shared", &p->pin.shared, err, errlen) ==
		-1 ||
	    str_member(pin, path, "warning", p->pin.warning,
		       sizeof(p->pin.warning), err, errlen) == -1 ||
	    cpus_member(pin, path, "vcpu_cpus", &p->pin.vcpu_cpus, err,
			errlen) == -1 ||
	    cpus_member(pin, path, "housekeeping", &p->pin.housekeeping, err,
			errlen) == -1 ||
	    (threads = array_member(pin, path, "threads", 1 << 20, err,
				    errlen)) == NULL)
		return -1;
	for (int i = 0; i < PIN_MAX_NODES; i++)
		p->pin.numa[i] = -1;
	if (json_object_object_get_ex(pin, "note", NULL) &&
	    pin_topo_from_json(pin, path, p, err, errlen) == -1)
		return -1;
	n = (int)json_object_array_length(threads);
	p->pin.a = xcalloc(n, sizeof(*p->pin.a));
	for (int i = 0; i < n; i++) {
		snprintf(path_t, sizeof(path_t), "%s.threads[%d]", path, i);
		if (thread_from_json(json_object_array_get_idx(threads, i),
				     path_t, p, &p->pin.a[i], err,
				     errlen) == -1)
			return -1;
		p->pin.n++;
	}
	return 0;
}

/*
 * A plan read back (STATE/NAME/plan.json, a domain's metadata) is the list
 * of what stop deletes, so it may only name what vrouterd would have made
 * for its topology: namespaces, bridges and created links "vr-NAME-...",
 * domains "vrouterd-NAME-...", node names as a topology file allows them
 * (they make namespace names and console log paths).  An existing NIC
 * given as a port (not created) is never deleted and may be named freely.
 */
static int
plan_name_ours(const char *what, const char *name, const char *prefix,
	       int may_be_empty, char *err, size_t errlen)
{
	if (name[0] == '\0' && may_be_empty)
		return 0;
	if (strncmp(name, prefix, strlen(prefix)) != 0 ||
	    name[strlen(prefix)] == '\0' || strchr(name, '/') != NULL) {
		msgf(err, errlen,
		     "plan: %s: '%.64s' is not a name vrouterd gives (it must "
		     "start with '%s')",
		     what, name, prefix);
		return -1;
	}
	return 0;
}

static int
plan_names_check(const struct topo_plan *p, char *err, size_t errlen)
{
	char ifp[TOPO_NAME_LEN + 8], dom[TOPO_NAME_LEN + 16], what[64];

	snprintf(ifp, sizeof(ifp), TOPO_IF_PREFIX "%s-", p->opts.name);
	snprintf(dom, sizeof(dom), TOPO_DOMAIN_PREFIX "%s-", p->opts.name);
	for (int i = 0; i < 2; i++) {
		const struct topo_port *pt = &p->ports[i];

		snprintf(what, sizeof(what), "$.ports[%d].netns", i);
		if (plan_name_ours(what, pt->netns, ifp, 1, err, errlen) == -1)
			return -1;
		snprintf(what, sizeof(what), "$.ports[%d].bridge", i);
		if (plan_name_ours(what, pt->bridge, ifp, 1, err, errlen) == -1)
			return -1;
		snprintf(what, sizeof(what), "$.ports[%d].host_if", i);
		if (pt->created && plan_name_ours(what, pt->host_if, ifp, 0,
						  err, errlen) == -1)
			return -1;
	}
	for (int i = 0; i < p->nsegments; i++) {
		/* "": a network only other hosts hold (a part, part.c) */
		snprintf(what, sizeof(what), "$.segments[%d].bridge", i);
		if (plan_name_ours(what, p->segments[i].bridge, ifp, 1, err,
				   errlen) == -1)
			return -1;
	}
	for (int n = 0; n < p->nnodes; n++) {
		const struct topo_node *nd = &p->nodes[n];

		if (!name_ok(NAME_NODE, nd->name)) {
			msgf(err, errlen,
			     "plan: $.nodes[%d].name: '%.64s' is not a node "
			     "name (%s)",
			     n, nd->name, name_rule(NAME_NODE));
			return -1;
		}
		snprintf(what, sizeof(what), "$.nodes[%d].domain", n);
		if (plan_name_ours(what, nd->domain, dom, 0, err, errlen) == -1)
			return -1;
		for (int k = 0; k < nd->nifs; k++) {
			snprintf(what, sizeof(what),
				 "$.nodes[%d].interfaces[%d].host_if", n, k);
			if (plan_name_ours(what, nd->ifs[k].host_if, ifp, 0,
					   err, errlen) == -1)
				return -1;
		}
	}
	if (plan_name_ours("$.splitter.netns", p->splitter.netns, ifp, 1, err,
			   errlen) == -1)
		return -1;
	for (int k = 0; k < p->splitter.nifs; k++) {
		snprintf(what, sizeof(what),
			 "$.splitter.interfaces[%d].host_if", k);
		if (plan_name_ours(what, p->splitter.ifs[k].host_if, ifp, 0,
				   err, errlen) == -1)
			return -1;
	}
	return 0;
}

/* "warnings": optional (absent when there are none). */
static int
warnings_from_json(json_object *j, struct topo_plan *p, char *err,
		   size_t errlen)
{
	json_object *w;

	if (!json_object_object_get_ex(j, "warnings", NULL))
		return 0;
	if ((w = array_member(j, "$", "warnings", TOPO_MAX_WARNINGS, err,
			      errlen)) == NULL)
		return -1;
	for (size_t i = 0; i < json_object_array_length(w); i++) {
		json_object *s = json_object_array_get_idx(w, i);

		if (!json_object_is_type(s, json_type_string)) {
			msgf(err, errlen,
			     "plan: $.warnings[%zu]: expected a "
			     "string",
			     i);
			return -1;
		}
		vr_strlcpy(p->warnings[p->nwarnings++],
			   json_object_get_string(s), sizeof(p->warnings[0]));
	}
	return 0;
}

int
topo_plan_from_json(json_object *j, struct topo_plan *p, char *err,
		    size_t errlen)
{
	json_object *nodes;
	char path[32];

	memset(p, 0, sizeof(*p));
	topo_opts_init(&p->opts);
	if (j == NULL || !json_object_is_type(j, json_type_object)) {
		msgf(err, errlen, "plan: expected an object");
		goto fail;
	}
	if (str_member(j, "$", "topology", p->opts.topology,
		       sizeof(p->opts.topology), err, errlen) == -1 ||
	    str_member(j, "$", "name", p->opts.name, sizeof(p->opts.name), err,
		       errlen) == -1)
		goto fail;
	if (topo_name_check(p->opts.name, err, errlen) == -1)
		goto fail;
	if (member(j, "$", "options", json_type_object, err, errlen) == NULL ||
	    topo_opts_apply(json_object_object_get(j, "options"), &p->opts, err,
			    errlen) == -1) {
		if (err != NULL && errlen > 0 &&
		    strncmp(err, "plan:", 5) != 0) {
			char tmp[256];

			vr_strlcpy(tmp, err, sizeof(tmp));
			msgf(err, errlen, "plan: $.options.%s", tmp);
		}
		goto fail;
	}
	if (str_member(j, "$", "description", p->description,
		       sizeof(p->description), err, errlen) == -1)
		goto fail;
	if (json_object_object_get_ex(j, "file", NULL) &&
	    str_member(j, "$", "file", p->opts.file, sizeof(p->opts.file), err,
		       errlen) == -1)
		goto fail;
	/* ports and segments first: interfaces refer to them by name */
	if (ports_from_json(j, p, err, errlen) == -1 ||
	    segments_from_json(j, p, err, errlen) == -1)
		goto fail;
	if ((nodes = array_member(j, "$", "nodes", TOPO_MAX_NODES, err,
				  errlen)) == NULL)
		goto fail;
	p->nnodes = (int)json_object_array_length(nodes);
	for (int i = 0; i < p->nnodes; i++) {
		snprintf(path, sizeof(path), "$.nodes[%d]", i);
		if (node_from_json(json_object_array_get_idx(nodes, i), path, p,
				   &p->nodes[i], err, errlen) == -1)
			goto fail;
	}
	if (splitter_from_json(j, p, err, errlen) == -1 ||
	    pinning_from_json(j, p, err, errlen) == -1 ||
	    plan_names_check(p, err, errlen) == -1 ||
	    warnings_from_json(j, p, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	topo_plan_free(p);
	return -1;
}
