/*
 * Topology files (docs/topology.md): checking them and expanding them into
 * a plan (finding and reading them: topo_catalogue.c).  Every error names the
 * file, the JSON path of the offending member and the reason, and is found
 * before anything is created on the host.
 *
 * Expansion is two passes over the nodes: the first creates the nodes and
 * their interfaces (so that names, MACs and addresses are all known), the
 * second the routes, whose nexthops may refer to other nodes' interfaces
 * ("vr*.eth0": the address of eth0 of every node whose name starts "vr").
 * Last come the checks that need everything: port gateways, and the
 * warnings (overlapping subnets) that go into the plan.  A file that
 * passes can forward: no address a host may not have, every nexthop and
 * gateway owned by an interface on the same network (docs/topology.md).
 * The text is read and parsed by jtext (one JSON value, no duplicate key).
 *
 * Over 800 lines for now: every part reads through one context (struct
 * tf) and a dozen static helpers with generic names (get, expand,
 * get_tmpl, addr_claim...).  Moving the generic checker out means giving
 * those module names (tf_*) first, a rename left for its own change.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jtext.h"
#include "names.h"
#include "topo.h"
#include "topo_int.h"
#include "util.h"
#include "vr_build.h"

#define TOPO_FORMAT	     1
#define TOPO_MAX_NETS	     (TOPO_MAX_SEGMENTS + 2)
#define TOPO_MAX_TOTAL_VCPUS 256
#define PATHLEN		     96

/* ---- reading a file: context, errors, typed members ---------------------- */

struct tf_net {
	char name[32];
	int port;    /* 0/1, or -1 internal */
	int segment; /* internal: index into plan->segments */
	int members;
	int vm_members;
	char path[PATHLEN];
};

struct tf_addr {
	uint32_t ip;
	int plen;
	int net;  /* index into nets; -1: a port's (see port) */
	int port; /* a port's address: 0/1; -1 otherwise */
	char path[PATHLEN];
};

struct tf {
	const char *file; /* for messages */
	char *err;
	size_t errlen;
	struct topo_plan *p;
	struct tf_net nets[TOPO_MAX_NETS];
	int nnets;
	struct tf_addr
	    addrs[TOPO_MAX_NODES * TOPO_MAX_IFS + TOPO_MAX_SPLIT_IFS + 2];
	int naddrs;
	/* declared count parameters */
	int has_vrs, has_backends, has_lbs;
	int gw_given[2]; /* $.ports.X.gateway is in the file */
	int cur_net;	 /* the network if_network found last */
	/* pass 2: where each node came from */
	json_object *node_json[TOPO_MAX_NODES];
	int node_idx[TOPO_MAX_NODES];
	char node_path[TOPO_MAX_NODES][PATHLEN];
	int total_vcpus;
};

static int tf_fail(struct tf *t, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
tf_fail(struct tf *t, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* file contents quoted in a message must not drive a terminal */
	for (char *c = msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	if (path != NULL)
		msgf(t->err, t->errlen, "%s: %s: %s", t->file, path, msg);
	else
		msgf(t->err, t->errlen, "%s: %s", t->file, msg);
	return -1;
}

static void
subpath(char *buf, size_t len, const char *path, const char *key)
{
	if ((size_t)snprintf(buf, len, "%s.%s", path, key) >= len)
		vr_strlcpy(buf, path, len);
}

static void
subidx(char *buf, size_t len, const char *path, int i)
{
	if ((size_t)snprintf(buf, len, "%s[%d]", path, i) >= len)
		vr_strlcpy(buf, path, len);
}

/* Refuse keys outside allowed (NULL-terminated); "comment" always goes. */
static int
check_keys(struct tf *t, json_object *o, const char *path,
	   const char *const *allowed)
{
	json_object_object_foreach(o, key, val)
	{
		int ok = strcmp(key, "comment") == 0;
		char list[256] = "", sub[PATHLEN];

		if (ok && !json_object_is_type(val, json_type_string)) {
			subpath(sub, sizeof(sub), path, key);
			return tf_fail(t, sub, "expected a string");
		}
		for (int i = 0; allowed[i] && !ok; i++)
			ok = strcmp(key, allowed[i]) == 0;
		if (ok)
			continue;
		for (int i = 0; allowed[i]; i++) {
			size_t l = strlen(list);
			snprintf(list + l, sizeof(list) - l, "%s%s",
				 i ? ", " : "", allowed[i]);
		}
		subpath(sub, sizeof(sub), path, key);
		return tf_fail(t, sub, "unknown key (expected one of: %s)",
			       list);
	}
	return 0;
}

static const char *
type_name(json_type type)
{
	switch (type) {
	case json_type_boolean:
		return "true or false";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	default:
		return "a value";
	}
}

/*
 * Every string of a topology file is a name, an address, a path or one
 * line of text: no U+0000 (a C string would end there; jtext refuses it
 * already) and no control characters (they would reach a terminal).
 */
static int
str_ok(struct tf *t, json_object *v, const char *path)
{
	const char *s = json_object_get_string(v);

	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return tf_fail(t, path, "a string with a NUL character"), 0;
	if (!jtext_printable(s))
		return tf_fail(t, path, "a string with a control character"), 0;
	return 1;
}

/* The member key of o, of type; NULL when absent (required: an error). */
static json_object *
get(struct tf *t, json_object *o, const char *path, const char *key,
    json_type type, int required, int *failed)
{
	json_object *v = NULL;
	char sub[PATHLEN];

	subpath(sub, sizeof(sub), path, key);
	if (!json_object_object_get_ex(o, key, &v) || v == NULL) {
		if (required) {
			tf_fail(t, sub, "missing");
			*failed = 1;
		}
		return NULL;
	}
	if (!json_object_is_type(v, type)) {
		tf_fail(t, sub, "expected %s", type_name(type));
		*failed = 1;
		return NULL;
	}
	if (type == json_type_string && !str_ok(t, v, sub)) {
		*failed = 1;
		return NULL;
	}
	return v;
}

static int
is_object(struct tf *t, json_object *o, const char *path)
{
	if (o == NULL || !json_object_is_type(o, json_type_object))
		return tf_fail(t, path, "expected an object");
	return 0;
}

/*
 * Templates: "{i}" is the index of the innermost counted entry (0-based),
 * "{i+N}" / "{i-N}" that index plus or minus N.  idx < 0: no count.
 */
static int
expand(struct tf *t, const char *path, const char *in, int idx, char *out,
       size_t len)
{
	size_t o = 0;

	for (const char *s = in; *s; s++) {
		char num[16];
		long v;

		if (*s != '{') {
			if (o + 1 >= len)
				goto toolong;
			out[o++] = *s;
			continue;
		}
		if (s[1] != 'i')
			goto bad;
		v = idx;
		s += 2;
		if (*s == '+' || *s == '-') {
			char *end;
			long d = strtol(s + 1, &end, 10);

			if (end == s + 1 || d < 0 || d > 100000)
				goto bad;
			v += *s == '+' ? d : -d;
			s = end;
		}
		if (*s != '}')
			goto bad;
		if (idx < 0)
			return tf_fail(t, path,
				       "'%.64s': {i} outside a counted entry "
				       "(add \"count\")",
				       in);
		snprintf(num, sizeof(num), "%ld", v);
		if (o + strlen(num) >= len)
			goto toolong;
		memcpy(out + o, num, strlen(num));
		o += strlen(num);
	}
	out[o] = '\0';
	return 0;
bad:
	return tf_fail(t, path,
		       "'%.64s': bad template (use {i}, {i+N} or {i-N})", in);
toolong:
	return tf_fail(t, path, "'%.64s' is too long (at most %zu characters)",
		       in, len - 1);
}

/* A string member through expand(); 0 absent, 1 present, -1 error. */
static int
get_tmpl(struct tf *t, json_object *o, const char *path, const char *key,
	 int required, int idx, char *out, size_t len)
{
	int failed = 0;
	json_object *v =
	    get(t, o, path, key, json_type_string, required, &failed);
	char sub[PATHLEN];

	if (failed)
		return -1;
	if (v == NULL)
		return 0;
	subpath(sub, sizeof(sub), path, key);
	return expand(t, sub, json_object_get_string(v), idx, out, len) == -1
		   ? -1
		   : 1;
}

/* "A.B.C.D/N" (with_prefix) or "A.B.C.D". */
static int
parse_ipv4(const char *s, int with_prefix, uint32_t *ip, int *plen)
{
	char buf[24], *slash, *end;
	struct in_addr a;
	long n = 32;

	if (vr_strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		return -1;
	slash = strchr(buf, '/');
	if ((slash != NULL) != (with_prefix != 0))
		return -1;
	if (slash) {
		*slash++ = '\0';
		if (*slash < '0' || *slash > '9')
			return -1;
		n = strtol(slash, &end, 10);
		if (*end != '\0' || n < 1 || n > 32)
			return -1;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	*ip = ntohl(a.s_addr);
	if (plen)
		*plen = (int)n;
	return 0;
}

static uint32_t
mask_of(int plen)
{
	if (plen <= 0)
		return 0;
	return plen >= 32 ? 0xffffffffu : ~(0xffffffffu >> plen);
}

/*
 * Why ip cannot be a host's address on a subnet of length plen (32: as a
 * bare address, a gateway), or NULL when it can.  /31 (RFC 3021) and /32
 * have no network or broadcast address.
 */
static const char *
addr_unusable(uint32_t ip, int plen)
{
	uint32_t host = ~mask_of(plen);

	if ((ip >> 24) == 0)
		return "is in 0.0.0.0/8 (\"this network\"), not a host "
		       "address";
	if ((ip >> 24) == 127)
		return "is a loopback address (127.0.0.0/8)";
	if ((ip >> 28) == 0xe)
		return "is a multicast address (224.0.0.0/4)";
	if (ip == 0xffffffffu)
		return "is the limited broadcast address";
	if ((ip >> 28) == 0xf)
		return "is reserved (240.0.0.0/4, class E)";
	if (plen <= 30 && (ip & host) == 0)
		return "is the network address of its subnet (host bits all "
		       "zero)";
	if (plen <= 30 && (ip & host) == host)
		return "is the broadcast address of its subnet (host bits all "
		       "one)";
	return NULL;
}

/* Record an interface address (on network net, or port's); refuse an
 * address no host may have and a clash with one seen before. */
static int
addr_claim(struct tf *t, const char *path, const char *cidr, int net, int port)
{
	const char *why;
	uint32_t ip;
	int plen;

	if (parse_ipv4(cidr, 1, &ip, &plen) == -1)
		return tf_fail(t, path,
			       "'%.32s' is not an IPv4 address with a prefix "
			       "length (like 198.18.1.1/24)",
			       cidr);
	if ((why = addr_unusable(ip, plen)) != NULL)
		return tf_fail(t, path, "%.32s %s", cidr, why);
	for (int i = 0; i < t->naddrs; i++)
		if (t->addrs[i].ip == ip)
			return tf_fail(t, path, "address %.32s clashes with %s",
				       cidr, t->addrs[i].path);
	if (t->naddrs < (int)nitems(t->addrs)) {
		struct tf_addr *a = &t->addrs[t->naddrs++];

		a->ip = ip;
		a->plen = plen;
		a->net = net;
		a->port = port;
		vr_strlcpy(a->path, path, sizeof(a->path));
	}
	return 0;
}

/* ---- parameters, ports, networks ----------------------------------------- */

static int *
param_slot(struct tf *t, const char *name, int **has)
{
	struct topo_opts *o = &t->p->opts;

	*has = NULL;
	if (strcmp(name, "vrs") == 0) {
		*has = &t->has_vrs;
		return &o->vrs;
	}
	if (strcmp(name, "backends") == 0) {
		*has = &t->has_backends;
		return &o->backends;
	}
	if (strcmp(name, "lbs") == 0) {
		*has = &t->has_lbs;
		return &o->lbs;
	}
	return NULL;
}

static int
read_params(struct tf *t, json_object *root)
{
	static const char *const keys[] = {"default", "min", "max",
					   "description", NULL};
	static const char *const names[] = {"vrs", "backends", "lbs"};
	json_object *ps;
	int failed = 0;

	if ((ps = get(t, root, "$", "params", json_type_object, 0, &failed)) ==
	    NULL)
		goto given;
	json_object_object_foreach(ps, key, val)
	{
		char path[PATHLEN];
		int *has, *slot = param_slot(t, key, &has);
		int def, min = 1, max = TOPO_MAX_COUNT;
		json_object *v;

		subpath(path, sizeof(path), "$.params", key);
		if (strcmp(key, "comment") == 0) { /* as in every object */
			if (!json_object_is_type(val, json_type_string))
				return tf_fail(t, path, "expected a string");
			continue;
		}
		if (slot == NULL)
			return tf_fail(t, path,
				       "unknown parameter (a topology file "
				       "may declare vrs, backends and lbs)");
		if (is_object(t, val, path) == -1 ||
		    check_keys(t, val, path, keys) == -1)
			return -1;
		if ((v = get(t, val, path, "default", json_type_int, 1,
			     &failed)) == NULL)
			return -1;
		def = json_object_get_int(v);
		if ((v = get(t, val, path, "min", json_type_int, 0, &failed)))
			min = json_object_get_int(v);
		if ((v = get(t, val, path, "max", json_type_int, 0, &failed)))
			max = json_object_get_int(v);
		get(t, val, path, "description", json_type_string, 0, &failed);
		if (failed)
			return -1;
		if (min < 1 || max > TOPO_MAX_COUNT || min > max)
			return tf_fail(t, path,
				       "min %d and max %d must lie within "
				       "1-%d",
				       min, max, TOPO_MAX_COUNT);
		if (def < min || def > max)
			return tf_fail(t, path,
				       "default %d is outside min-max "
				       "(%d-%d)",
				       def, min, max);
		*has = 1;
		if (*slot == 0)
			*slot = def;
		else if (*slot < min || *slot > max)
			return tf_fail(t, NULL,
				       "%s: %d is out of range for topology "
				       "%s (%d-%d)",
				       key, *slot, t->p->opts.topology, min,
				       max);
	}
given:
	if (failed)
		return -1;
	for (size_t i = 0; i < nitems(names); i++) {
		int *has, *slot = param_slot(t, names[i], &has);

		if (*slot != 0 && !*has)
			return tf_fail(t, NULL,
				       "%s: topology %s has no parameter %s",
				       names[i], t->p->opts.topology, names[i]);
	}
	return 0;
}

/* "count": absent (1, not counted), an integer, or a parameter name. */
static int
get_count(struct tf *t, json_object *o, const char *path, int *n, int *counted)
{
	json_object *v;
	char sub[PATHLEN];

	*n = 1;
	*counted = 0;
	if (!json_object_object_get_ex(o, "count", &v) || v == NULL)
		return 0;
	subpath(sub, sizeof(sub), path, "count");
	*counted = 1;
	if (json_object_is_type(v, json_type_int)) {
		int64_t x = json_object_get_int64(v);
		if (x < 1 || x > TOPO_MAX_NODES)
			return tf_fail(t, sub, "%lld is out of range (1-%d)",
				       (long long)x, TOPO_MAX_NODES);
		*n = (int)x;
		return 0;
	}
	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		int *has, *slot = param_slot(t, s, &has);

		if (slot == NULL || !*has)
			return tf_fail(t, sub,
				       "no parameter '%.32s' (declare it in "
				       "$.params)",
				       s);
		*n = *slot;
		return 0;
	}
	return tf_fail(t, sub, "expected an integer or a parameter name");
}

/* The optional "host" of a node or port (a template) into host[]. */
static int
host_member(struct tf *t, json_object *o, const char *path, int idx,
	    char host[TOPO_HOST_LEN + 1])
{
	char sub[PATHLEN], buf[64] = "";
	int r;

	if ((r = get_tmpl(t, o, path, "host", 0, idx, buf, sizeof(buf))) <= 0)
		return r;
	subpath(sub, sizeof(sub), path, "host");
	if (!name_ok(NAME_HOST, buf))
		return tf_fail(t, sub, "'%s': use %s", buf,
			       name_rule(NAME_HOST));
	vr_strlcpy(host, buf, TOPO_HOST_LEN + 1);
	return 0;
}

static int
read_ports(struct tf *t, json_object *root)
{
	static const char *const keys[] = {"in", "out", NULL};
	static const char *const pkeys[] = {"address", "gateway", "host", NULL};
	char host[2][TOPO_HOST_LEN + 1] = {"", ""};
	char addr[2][24] = {"198.18.1.2/24", "198.18.2.2/24"};
	char gw[2][20] = {"198.18.1.1", "198.18.2.1"};
	json_object *ps;
	int failed = 0;

	ps = get(t, root, "$", "ports", json_type_object, 0, &failed);
	if (failed || (ps && check_keys(t, ps, "$.ports", keys) == -1))
		return -1;
	for (int i = 0; ps && i < 2; i++) {
		json_object *o;
		char path[PATHLEN], sub[PATHLEN];
		uint32_t ip;

		subpath(path, sizeof(path), "$.ports", keys[i]);
		if (!json_object_object_get_ex(ps, keys[i], &o))
			continue;
		if (is_object(t, o, path) == -1 ||
		    check_keys(t, o, path, pkeys) == -1 ||
		    get_tmpl(t, o, path, "address", 0, -1, addr[i],
			     sizeof(addr[i])) == -1 ||
		    get_tmpl(t, o, path, "gateway", 0, -1, gw[i],
			     sizeof(gw[i])) == -1 ||
		    host_member(t, o, path, -1, host[i]) == -1)
			return -1;
		t->gw_given[i] = json_object_object_get_ex(o, "gateway", NULL);
		subpath(sub, sizeof(sub), path, "gateway");
		if (parse_ipv4(gw[i], 0, &ip, NULL) == -1)
			return tf_fail(t, sub, "'%.32s' is not an IPv4 address",
				       gw[i]);
	}
	for (int i = 0; i < 2; i++) {
		char path[PATHLEN];

		snprintf(path, sizeof(path), "$.ports.%s.address", keys[i]);
		if (addr_claim(t, path, addr[i], -1, i) == -1)
			return -1;
	}
	topo_plan_ports(t->p, addr[0], gw[0], addr[1], gw[1]);
	for (int i = 0; i < 2; i++)
		vr_strlcpy(t->p->ports[i].host, host[i],
			   sizeof(t->p->ports[i].host));
	return 0;
}

static int
net_find(const struct tf *t, const char *name)
{
	for (int i = 0; i < t->nnets; i++)
		if (strcmp(t->nets[i].name, name) == 0)
			return i;
	return -1;
}

static int
read_networks(struct tf *t, json_object *root)
{
	static const char *const keys[] = {"name", "port", "count", NULL};
	struct topo_plan *p = t->p;
	json_object *a;
	int failed = 0;

	if ((a = get(t, root, "$", "networks", json_type_array, 1, &failed)) ==
	    NULL)
		return -1;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *o = json_object_array_get_idx(a, i);
		char path[PATHLEN], sub[PATHLEN], port[8] = "";
		int n, counted, pi = -1;

		subidx(path, sizeof(path), "$.networks", (int)i);
		if (is_object(t, o, path) == -1 ||
		    check_keys(t, o, path, keys) == -1 ||
		    get_count(t, o, path, &n, &counted) == -1 ||
		    get_tmpl(t, o, path, "port", 0, -1, port, sizeof(port)) ==
			-1)
			return -1;
		subpath(sub, sizeof(sub), path, "port");
		if (port[0]) {
			pi = strcmp(port, "in") == 0	? 0
			     : strcmp(port, "out") == 0 ? 1
							: -2;
			if (pi == -2)
				return tf_fail(t, sub,
					       "'%.16s' is not \"in\" or "
					       "\"out\"",
					       port);
			if (counted && n > 1)
				return tf_fail(t, sub,
					       "a counted network cannot hold "
					       "a port");
			for (int k = 0; k < t->nnets; k++)
				if (t->nets[k].port == pi)
					return tf_fail(
					    t, sub, "port %s is on %s already",
					    port, t->nets[k].path);
		}
		for (int k = 0; k < n; k++) {
			struct tf_net *nt;
			char name[32];

			if (get_tmpl(t, o, path, "name", 1, counted ? k : -1,
				     name, sizeof(name)) == -1)
				return -1;
			subpath(sub, sizeof(sub), path, "name");
			if (!name_ok(NAME_FILE, name))
				return tf_fail(t, sub, "'%s': use %s", name,
					       name_rule(NAME_FILE));
			if (net_find(t, name) != -1)
				return tf_fail(t, sub,
					       "duplicate network name '%s'",
					       name);
			if (t->nnets == TOPO_MAX_NETS ||
			    (pi < 0 && p->nsegments == TOPO_MAX_SEGMENTS))
				return tf_fail(t, path,
					       "more than %d internal networks",
					       TOPO_MAX_SEGMENTS);
			nt = &t->nets[t->nnets++];
			memset(nt, 0, sizeof(*nt));
			vr_strlcpy(nt->name, name, sizeof(nt->name));
			vr_strlcpy(nt->path, path, sizeof(nt->path));
			nt->port = pi;
			nt->segment = -1;
			if (pi < 0) {
				struct topo_segment *s =
				    &p->segments[p->nsegments];

				vr_strlcpy(s->name, name, sizeof(s->name));
				snprintf(s->bridge, sizeof(s->bridge),
					 TOPO_IF_PREFIX "%s-n%c", p->opts.name,
					 topo_base36(p->nsegments));
				nt->segment = p->nsegments++;
			}
		}
	}
	for (int i = 0; i < 2; i++) {
		int found = 0;
		for (int k = 0; k < t->nnets; k++)
			found |= t->nets[k].port == i;
		if (!found)
			return tf_fail(t, "$.networks",
				       "no network holds port %s",
				       i ? "out" : "in");
	}
	return 0;
}

/* An interface's network by name, counted as a member. */
static int
if_network(struct tf *t, json_object *o, const char *path, int idx, int vm,
	   int *port, int *segment)
{
	char name[32], sub[PATHLEN];
	int k;

	if (get_tmpl(t, o, path, "network", 1, idx, name, sizeof(name)) == -1)
		return -1;
	subpath(sub, sizeof(sub), path, "network");
	if ((k = net_find(t, name)) == -1)
		return tf_fail(t, sub, "no network '%s' in $.networks", name);
	t->nets[k].members++;
	t->nets[k].vm_members += vm;
	t->cur_net = k;
	*port = t->nets[k].port;
	*segment = t->nets[k].segment;
	return 0;
}

/* ---- nodes ----------------------------------------------------------------
 */

static int
node_vcpus(struct tf *t, json_object *o, const char *path, int *out)
{
	json_object *v;
	char sub[PATHLEN];

	*out = t->p->opts.cores;
	subpath(sub, sizeof(sub), path, "vcpus");
	if (!json_object_object_get_ex(o, "vcpus", &v) || v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_string) &&
	    strcmp(json_object_get_string(v), "cores") == 0)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return tf_fail(t, sub, "expected an integer or \"cores\"");
	if (json_object_get_int64(v) > TOPO_MAX_VCPUS)
		return tf_fail(t, sub,
			       "%lld is more than the limit of %d vCPUs per "
			       "node",
			       (long long)json_object_get_int64(v),
			       TOPO_MAX_VCPUS);
	if (json_object_get_int64(v) < 1)
		return tf_fail(t, sub, "%lld: at least 1",
			       (long long)json_object_get_int64(v));
	*out = json_object_get_int(v);
	return 0;
}

static int
node_memory(struct tf *t, json_object *o, const char *path, int *out)
{
	json_object *v;
	char sub[PATHLEN];
	int64_t x;

	*out = t->p->opts.memory_mib;
	subpath(sub, sizeof(sub), path, "memory_mib");
	if (!json_object_object_get_ex(o, "memory_mib", &v) || v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_string) &&
	    strcmp(json_object_get_string(v), "memory") == 0)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return tf_fail(t, sub, "expected an integer or \"memory\"");
	x = json_object_get_int64(v);
	if (x < TOPO_MEMORY_MIN_MIB || x > TOPO_MEMORY_MAX_MIB)
		return tf_fail(t, sub, "%lld MiB is out of range (%d-%d)",
			       (long long)x, TOPO_MEMORY_MIN_MIB,
			       TOPO_MEMORY_MAX_MIB);
	*out = (int)x;
	return 0;
}

static int
node_interfaces(struct tf *t, json_object *o, const char *path, int idx,
		struct topo_node *n)
{
	static const char *const keys[] = {"network", "address", NULL};
	int failed = 0;
	json_object *a;
	char sub[PATHLEN];

	if ((a = get(t, o, path, "interfaces", json_type_array, 1, &failed)) ==
	    NULL)
		return -1;
	subpath(sub, sizeof(sub), path, "interfaces");
	if (json_object_array_length(a) == 0)
		return tf_fail(t, sub, "a node needs at least one interface");
	if (json_object_array_length(a) > TOPO_MAX_IFS)
		return tf_fail(t, sub, "more than %d interfaces", TOPO_MAX_IFS);
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *f = json_object_array_get_idx(a, i);
		char ipath[PATHLEN], apath[PATHLEN], addr[24];
		int port, seg;

		subidx(ipath, sizeof(ipath), sub, (int)i);
		subpath(apath, sizeof(apath), ipath, "address");
		if (is_object(t, f, ipath) == -1 ||
		    check_keys(t, f, ipath, keys) == -1 ||
		    if_network(t, f, ipath, idx, 1, &port, &seg) == -1 ||
		    get_tmpl(t, f, ipath, "address", 1, idx, addr,
			     sizeof(addr)) == -1 ||
		    addr_claim(t, apath, addr, t->cur_net, -1) == -1 ||
		    topo_node_add_if(t->p, n, addr, port, seg, t->err,
				     t->errlen) == -1)
			return -1;
	}
	return 0;
}

static int
read_node(struct tf *t, json_object *o, const char *path, int idx)
{
	struct topo_plan *p = t->p;
	struct topo_node *n;
	char name[32], role[16] = "router", sub[PATHLEN];
	char host[TOPO_HOST_LEN + 1] = "";
	int vcpus, mem, r, failed = 0, nic_model = -1, fib = -1;
	json_object *img, *nic, *fv;

	if (get_tmpl(t, o, path, "name", 1, idx, name, sizeof(name)) == -1 ||
	    get_tmpl(t, o, path, "role", 0, idx, role, sizeof(role)) == -1 ||
	    host_member(t, o, path, idx, host) == -1)
		return -1;
	subpath(sub, sizeof(sub), path, "name");
	if (!name_ok(NAME_NODE, name))
		return tf_fail(t, sub, "'%s': use %s", name,
			       name_rule(NAME_NODE));
	for (int i = 0; i < p->nnodes; i++)
		if (strcmp(p->nodes[i].name, name) == 0)
			return tf_fail(t, sub,
				       "duplicate node name '%s' (also %s)",
				       name, t->node_path[i]);
	subpath(sub, sizeof(sub), path, "role");
	if ((r = topo_role_parse(role)) == -1)
		return tf_fail(
		    t, sub, "'%s' is not a role (router, lb or backend)", role);
	if (node_vcpus(t, o, path, &vcpus) == -1 ||
	    node_memory(t, o, path, &mem) == -1)
		return -1;
	img = get(t, o, path, "image", json_type_string, 0, &failed);
	if (failed)
		return -1;
	if (img && json_object_get_string(img)[0] != '/') {
		subpath(sub, sizeof(sub), path, "image");
		return tf_fail(t, sub, "'%.64s' is not an absolute path",
			       json_object_get_string(img));
	}
	if (img &&
	    (size_t)json_object_get_string_len(img) >= sizeof(n->image)) {
		subpath(sub, sizeof(sub), path, "image");
		return tf_fail(t, sub, "path too long");
	}
	nic = get(t, o, path, "nic_model", json_type_string, 0, &failed);
	if (failed)
		return -1;
	if (nic && (nic_model = topo_nic_model_parse(
			json_object_get_string(nic))) == -1) {
		subpath(sub, sizeof(sub), path, "nic_model");
		return tf_fail(t, sub, "'%.32s' is not virtio, e1000 or e1000e",
			       json_object_get_string(nic));
	}
	fv = get(t, o, path, "fib_routes", json_type_int, 0, &failed);
	if (failed)
		return -1;
	if (fv && (json_object_get_int64(fv) < 0 ||
		   json_object_get_int64(fv) > TOPO_FIB_ROUTES_MAX)) {
		subpath(sub, sizeof(sub), path, "fib_routes");
		return tf_fail(t, sub, "%lld is out of range (0-%d)",
			       (long long)json_object_get_int64(fv),
			       TOPO_FIB_ROUTES_MAX);
	}
	if (fv)
		fib = json_object_get_int(fv);
	if (p->nnodes == TOPO_MAX_NODES)
		return tf_fail(t, path, "more than %d nodes", TOPO_MAX_NODES);
	t->total_vcpus += vcpus;
	if (t->total_vcpus > TOPO_MAX_TOTAL_VCPUS)
		return tf_fail(t, path,
			       "more than %d vCPUs in all: that is no sane "
			       "experiment",
			       TOPO_MAX_TOTAL_VCPUS);
	if ((n = topo_plan_add_node(p, name, r, vcpus, t->err, t->errlen)) ==
	    NULL)
		return -1;
	n->memory_mib = mem;
	n->nic_model = nic_model;
	n->fib_routes = fib;
	vr_strlcpy(n->host, host, sizeof(n->host));
	if (img)
		vr_strlcpy(n->image, json_object_get_string(img),
			   sizeof(n->image));
	t->node_json[p->nnodes - 1] = o;
	t->node_idx[p->nnodes - 1] = idx;
	vr_strlcpy(t->node_path[p->nnodes - 1], path, PATHLEN);
	return node_interfaces(t, o, path, idx, n);
}

static int
read_nodes(struct tf *t, json_object *root)
{
	static const char *const keys[] = {
	    "name",	  "count",  "role",	 "vcpus",
	    "memory_mib", "image",  "nic_model", "fib_routes",
	    "interfaces", "routes", "host",	 NULL};
	json_object *a;
	int failed = 0;

	if ((a = get(t, root, "$", "nodes", json_type_array, 1, &failed)) ==
	    NULL)
		return -1;
	if (json_object_array_length(a) == 0)
		return tf_fail(t, "$.nodes", "no nodes");
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *o = json_object_array_get_idx(a, i);
		char path[PATHLEN];
		int n, counted;

		subidx(path, sizeof(path), "$.nodes", (int)i);
		if (is_object(t, o, path) == -1 ||
		    check_keys(t, o, path, keys) == -1 ||
		    get_count(t, o, path, &n, &counted) == -1)
			return -1;
		for (int k = 0; k < n; k++)
			if (read_node(t, o, path, counted ? k : -1) == -1)
				return -1;
	}
	return 0;
}

/* ---- routes (pass 2) --------------------------------------------------------
 */

/* Which of ifs has the gateway ip on its subnet, the longest prefix
 * first as the kernel chooses (*plen: that subnet's length); -1: none. */
static int
on_link(const struct topo_if *ifs, int nifs, uint32_t ip, int *plen)
{
	int best = -1;

	for (int i = 0; i < nifs; i++) {
		uint32_t a;
		int l;

		if (parse_ipv4(ifs[i].addr, 1, &a, &l) == -1)
			continue;
		if ((a & mask_of(l)) == (ip & mask_of(l)) && a != ip &&
		    (best == -1 || l > *plen)) {
			best = i;
			*plen = l;
		}
	}
	return best;
}

static const struct tf_addr *
addr_owner(const struct tf *t, uint32_t ip)
{
	for (int i = 0; i < t->naddrs; i++)
		if (t->addrs[i].ip == ip)
			return &t->addrs[i];
	return NULL;
}

/* The network an address is on (a port's: the network holding it). */
static int
addr_net(const struct tf *t, const struct tf_addr *a)
{
	if (a->net >= 0)
		return a->net;
	for (int k = 0; k < t->nnets; k++)
		if (t->nets[k].port == a->port)
			return k;
	return -1;
}

/* The network an interface of the plan is on. */
static int
if_net(const struct tf *t, const struct topo_if *f)
{
	for (int k = 0; k < t->nnets; k++)
		if (f->port >= 0 ? t->nets[k].port == f->port
				 : t->nets[k].port < 0 &&
				       t->nets[k].segment == f->segment)
			return k;
	return -1;
}

static void tf_warn(struct tf *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A warning for the plan (once; the first TOPO_MAX_WARNINGS are kept). */
static void
tf_warn(struct tf *t, const char *fmt, ...)
{
	struct topo_plan *p = t->p;
	char msg[sizeof(p->warnings[0])];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (int i = 0; i < p->nwarnings; i++)
		if (strcmp(p->warnings[i], msg) == 0)
			return;
	if (p->nwarnings < TOPO_MAX_WARNINGS)
		vr_strlcpy(p->warnings[p->nwarnings++], msg,
			   sizeof(p->warnings[0]));
}

/* A route's nexthop: a host address on one of the subnets of ifs that
 * some interface or port has (else nothing receives the traffic). */
static int
check_nexthop(struct tf *t, const char *path, const char *who,
	      const struct topo_if *ifs, int nifs, const char *via)
{
	const struct tf_addr *o;
	const char *why;
	uint32_t ip;
	int i, plen;

	if (parse_ipv4(via, 0, &ip, NULL) == -1)
		return tf_fail(t, path, "'%s' is not an IPv4 address", via);
	if ((why = addr_unusable(ip, 32)) != NULL)
		return tf_fail(t, path, "nexthop %s %s", via, why);
	for (i = 0; i < nifs; i++) {
		uint32_t a;

		if (parse_ipv4(ifs[i].addr, 1, &a, &plen) == 0 && a == ip)
			return tf_fail(t, path,
				       "nexthop %s is %s's own address (%s)",
				       via, who, ifs[i].guest_if);
	}
	if ((i = on_link(ifs, nifs, ip, &plen)) == -1)
		return tf_fail(t, path,
			       "nexthop %s is on no subnet of %s's interfaces",
			       via, who);
	if ((why = addr_unusable(ip, plen)) != NULL)
		return tf_fail(t, path, "nexthop %s %s", via, why);
	if ((o = addr_owner(t, ip)) != NULL) {
		int on = addr_net(t, o), mine = if_net(t, &ifs[i]);

		if (on != mine && on >= 0 && mine >= 0)
			return tf_fail(t, path,
				       "nexthop %s is the address of %s, on "
				       "network '%s', but %s's %s is on '%s'",
				       via, o->path, t->nets[on].name, who,
				       ifs[i].guest_if, t->nets[mine].name);
		return 0;
	}
	if (ifs[i].port >= 0 && t->p->opts.ports == PORTS_HOST) {
		tf_warn(t,
			"%s: nexthop %s is no interface's or port's address "
			"(a router beyond port %s?)",
			path, via, ifs[i].port ? "out" : "in");
		return 0;
	}
	return tf_fail(t, path,
		       "nexthop %s is no interface's or port's address: "
		       "nothing would receive the traffic",
		       via);
}

/* One "via" element: an address, or "NODE.IF" / "PREFIX*.IF" references. */
static int
add_via(struct tf *t, const char *path, const char *s, struct topo_route *r)
{
	const struct topo_plan *p = t->p;
	char node[32], *dot;
	const char *ifn;
	size_t nl;
	int star = 0, found = 0;
	uint32_t ip;

	if (parse_ipv4(s, 0, &ip, NULL) == 0) {
		if (r->nvia == TOPO_MAX_NEXTHOPS)
			goto toomany;
		vr_strlcpy(r->via[r->nvia++], s, sizeof(r->via[0]));
		return 0;
	}
	if ((dot = strchr(s, '.')) == NULL || (size_t)(dot - s) >= sizeof(node))
		return tf_fail(t, path,
			       "'%.64s' is neither an IPv4 address nor a "
			       "reference NODE.IF (like \"be*.eth0\")",
			       s);
	nl = (size_t)(dot - s);
	memcpy(node, s, nl);
	node[nl] = '\0';
	ifn = dot + 1;
	if (nl > 0 && node[nl - 1] == '*') {
		star = 1;
		node[--nl] = '\0';
	}
	for (int i = 0; i < p->nnodes; i++) {
		const struct topo_node *n = &p->nodes[i];

		if (star ? strncmp(n->name, node, nl) != 0
			 : strcmp(n->name, node) != 0)
			continue;
		for (int k = 0; k < n->nifs; k++) {
			char a[24];
			if (strcmp(n->ifs[k].guest_if, ifn) != 0)
				continue;
			if (r->nvia == TOPO_MAX_NEXTHOPS)
				goto toomany;
			vr_strlcpy(a, n->ifs[k].addr, sizeof(a));
			a[strcspn(a, "/")] = '\0';
			vr_strlcpy(r->via[r->nvia++], a, sizeof(r->via[0]));
			found = 1;
		}
	}
	if (!found)
		return tf_fail(t, path, "'%.64s' matches no node interface", s);
	return 0;
toomany:
	return tf_fail(t, path, "more than %d nexthops", TOPO_MAX_NEXTHOPS);
}

/*
 * A route's destination that the check would pass but start would not
 * (the kernel already has the connected route: EEXIST) or that never
 * forwards: a subnet the node is on, one of its own addresses, or a
 * prefix inside 0.0.0.0/8, 127.0.0.0/8 or 224.0.0.0/4.
 */
static int
check_dst(struct tf *t, const char *path, const char *who,
	  const struct topo_if *ifs, int nifs, const char *dst, uint32_t ip,
	  int plen)
{
	static const struct {
		uint32_t net;
		int plen;
		const char *what;
	} never[] = {
	    {0x00000000u, 8, "0.0.0.0/8 (\"this network\")"},
	    {0x7f000000u, 8, "127.0.0.0/8 (loopback)"},
	    {0xe0000000u, 4, "224.0.0.0/4 (multicast)"},
	};

	for (size_t i = 0; i < nitems(never); i++)
		if (plen >= never[i].plen &&
		    (ip & mask_of(never[i].plen)) == never[i].net)
			return tf_fail(t, path,
				       "%s is inside %s: nothing is forwarded "
				       "there",
				       dst, never[i].what);
	for (int i = 0; i < nifs; i++) {
		uint32_t a;
		int alen;

		if (parse_ipv4(ifs[i].addr, 1, &a, &alen) == -1)
			continue;
		if (plen == 32 && a == ip)
			return tf_fail(t, path,
				       "%s is %s's own address (%s): no route "
				       "needed",
				       dst, who, ifs[i].guest_if);
		if (plen == alen && (a & mask_of(alen)) == ip)
			return tf_fail(t, path,
				       "%s is connected on %s's %s (%s): no "
				       "route needed",
				       dst, who, ifs[i].guest_if, ifs[i].addr);
	}
	return 0;
}

static int
read_routes(struct tf *t, json_object *o, const char *path, int idx,
	    const char *who, const struct topo_if *ifs, int nifs,
	    struct topo_route *routes, int *nroutes)
{
	static const char *const keys[] = {"dst", "via", NULL};
	json_object *a;
	char sub[PATHLEN];
	int failed = 0;

	*nroutes = 0;
	if ((a = get(t, o, path, "routes", json_type_array, 0, &failed)) ==
	    NULL)
		return failed ? -1 : 0;
	subpath(sub, sizeof(sub), path, "routes");
	if (json_object_array_length(a) > TOPO_MAX_ROUTES)
		return tf_fail(t, sub, "more than %d routes", TOPO_MAX_ROUTES);
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *ro = json_object_array_get_idx(a, i), *v;
		struct topo_route *r = &routes[*nroutes];
		char rpath[PATHLEN], vpath[PATHLEN], dpath[PATHLEN], buf[64];
		uint32_t ip;
		int plen;

		memset(r, 0, sizeof(*r));
		subidx(rpath, sizeof(rpath), sub, (int)i);
		subpath(vpath, sizeof(vpath), rpath, "via");
		subpath(dpath, sizeof(dpath), rpath, "dst");
		if (is_object(t, ro, rpath) == -1 ||
		    check_keys(t, ro, rpath, keys) == -1 ||
		    get_tmpl(t, ro, rpath, "dst", 1, idx, r->dst,
			     sizeof(r->dst)) == -1)
			return -1;
		if (strcmp(r->dst, "default") != 0 &&
		    parse_ipv4(r->dst, 1, &ip, &plen) == -1)
			return tf_fail(t, dpath,
				       "'%s' is not \"default\" or an IPv4 "
				       "prefix",
				       r->dst);
		if (strcmp(r->dst, "default") != 0 &&
		    (ip & ~mask_of(plen)) != 0) {
			struct in_addr na = {htonl(ip & mask_of(plen))};
			char nb[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &na, nb, sizeof(nb));
			return tf_fail(t, dpath,
				       "'%s' has host bits set (the prefix is "
				       "%s/%d)",
				       r->dst, nb, plen);
		}
		if (strcmp(r->dst, "default") != 0 &&
		    check_dst(t, dpath, who, ifs, nifs, r->dst, ip, plen) == -1)
			return -1;
		if (!json_object_object_get_ex(ro, "via", &v) || v == NULL)
			return tf_fail(t, vpath, "missing");
		if (json_object_is_type(v, json_type_string)) {
			if (expand(t, vpath, json_object_get_string(v), idx,
				   buf, sizeof(buf)) == -1 ||
			    add_via(t, vpath, buf, r) == -1)
				return -1;
		} else if (json_object_is_type(v, json_type_array) &&
			   json_object_array_length(v) > 0) {
			for (size_t k = 0; k < json_object_array_length(v);
			     k++) {
				json_object *e =
				    json_object_array_get_idx(v, k);
				char epath[PATHLEN];

				subidx(epath, sizeof(epath), vpath, (int)k);
				if (!json_object_is_type(e, json_type_string))
					return tf_fail(t, epath,
						       "expected a string");
				if (expand(t, epath, json_object_get_string(e),
					   idx, buf, sizeof(buf)) == -1 ||
				    add_via(t, epath, buf, r) == -1)
					return -1;
			}
		} else
			return tf_fail(t, vpath,
				       "expected an address, a reference or a "
				       "non-empty array of them");
		for (int k = 0; k < r->nvia; k++) {
			if (check_nexthop(t, vpath, who, ifs, nifs,
					  r->via[k]) == -1)
				return -1;
			for (int m = 0; m < k; m++)
				if (strcmp(r->via[m], r->via[k]) == 0)
					return tf_fail(t, vpath,
						       "nexthop %s given twice",
						       r->via[k]);
		}
		for (int m = 0; m < *nroutes; m++)
			if (strcmp(routes[m].dst, r->dst) == 0)
				return tf_fail(t, dpath, "a second route to %s",
					       r->dst);
		(*nroutes)++;
	}
	return 0;
}

/* ---- the splitter
 * ------------------------------------------------------------ */

static int
read_splitter(struct tf *t, json_object *root)
{
	static const char *const keys[] = {"interfaces", "routes", NULL};
	static const char *const ikeys[] = {"name", "network", "address",
					    "count", NULL};
	struct topo_plan *p = t->p;
	struct topo_splitter *sp = &p->splitter;
	json_object *o, *a;
	int failed = 0;

	if ((o = get(t, root, "$", "splitter", json_type_object, 0, &failed)) ==
	    NULL)
		return failed ? -1 : 0;
	if (check_keys(t, o, "$.splitter", keys) == -1 ||
	    (a = get(t, o, "$.splitter", "interfaces", json_type_array, 1,
		     &failed)) == NULL)
		return -1;
	snprintf(sp->netns, sizeof(sp->netns), TOPO_IF_PREFIX "%s-sp",
		 p->opts.name);
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *f = json_object_array_get_idx(a, i);
		char path[PATHLEN];
		int n, counted;

		subidx(path, sizeof(path), "$.splitter.interfaces", (int)i);
		if (is_object(t, f, path) == -1 ||
		    check_keys(t, f, path, ikeys) == -1 ||
		    get_count(t, f, path, &n, &counted) == -1)
			return -1;
		for (int k = 0; k < n; k++) {
			struct topo_if *sf;
			char sub[PATHLEN], e[128];
			int idx = counted ? k : -1;

			if (sp->nifs == TOPO_MAX_SPLIT_IFS)
				return tf_fail(t, path,
					       "more than %d splitter "
					       "interfaces",
					       TOPO_MAX_SPLIT_IFS);
			sf = &sp->ifs[sp->nifs];
			memset(sf, 0, sizeof(*sf));
			subpath(sub, sizeof(sub), path, "address");
			if (get_tmpl(t, f, path, "name", 1, idx, sf->guest_if,
				     sizeof(sf->guest_if)) == -1 ||
			    if_network(t, f, path, idx, 0, &sf->port,
				       &sf->segment) == -1 ||
			    get_tmpl(t, f, path, "address", 1, idx, sf->addr,
				     sizeof(sf->addr)) == -1 ||
			    addr_claim(t, sub, sf->addr, t->cur_net, -1) == -1)
				return -1;
			if (sf->port >= 0)
				sf->segment = -1;
			subpath(sub, sizeof(sub), path, "name");
			if (topo_ifname_check(sf->guest_if, e, sizeof(e)) == -1)
				return tf_fail(t, sub, "%s", e);
			for (int m = 0; m < sp->nifs; m++)
				if (strcmp(sp->ifs[m].guest_if, sf->guest_if) ==
				    0)
					return tf_fail(
					    t, sub,
					    "duplicate interface name '%s'",
					    sf->guest_if);
			snprintf(sf->host_if, sizeof(sf->host_if),
				 TOPO_IF_PREFIX "%s-s%c", p->opts.name,
				 topo_base36(sp->nifs));
			sp->nifs++;
		}
	}
	if (sp->nifs == 0)
		return tf_fail(t, "$.splitter.interfaces",
			       "the splitter needs interfaces");
	return 0;
}

/* ---- the whole file
 * ---------------------------------------------------------- */

static int
read_header(struct tf *t, json_object *root, const char *want_name)
{
	static const char *const keys[] = {"format", "name",	 "description",
					   "params", "ports",	 "networks",
					   "nodes",  "splitter", NULL};
	struct topo_plan *p = t->p;
	json_object *v;
	int failed = 0;

	if (is_object(t, root, "$") == -1 ||
	    check_keys(t, root, "$", keys) == -1)
		return -1;
	if ((v = get(t, root, "$", "format", json_type_int, 1, &failed)) ==
	    NULL)
		return -1;
	if (json_object_get_int64(v) != TOPO_FORMAT)
		return tf_fail(t, "$.format",
			       "%lld is not supported (this vrouterd reads "
			       "format %d)",
			       (long long)json_object_get_int64(v),
			       TOPO_FORMAT);
	if ((v = get(t, root, "$", "name", json_type_string, 1, &failed)) ==
	    NULL)
		return -1;
	if (!name_ok(NAME_FILE, json_object_get_string(v)))
		return tf_fail(t, "$.name", "'%.64s': use %s",
			       json_object_get_string(v), name_rule(NAME_FILE));
	if (want_name && strcmp(want_name, json_object_get_string(v)) != 0)
		return tf_fail(t, "$.name",
			       "'%.64s' differs from the file's name (%s.json)",
			       json_object_get_string(v), want_name);
	vr_strlcpy(p->opts.topology, json_object_get_string(v),
		   sizeof(p->opts.topology));
	if ((v = get(t, root, "$", "description", json_type_string, 1,
		     &failed)) == NULL)
		return -1;
	vr_strlcpy(p->description, json_object_get_string(v),
		   sizeof(p->description));
	if (p->opts.name[0] == '\0')
		topo_default_name(p->opts.topology, p->opts.name,
				  sizeof(p->opts.name));
	return 0;
}

/*
 * A port's gateway must be a host address on the port's subnet that an
 * interface on the port's network owns: else the source's (or sink's)
 * traffic goes nowhere.
 */
static int
check_port_gateways(struct tf *t)
{
	static const char *const role[] = {"in", "out"};

	for (int i = 0; i < 2; i++) {
		const struct topo_port *pt = &t->p->ports[i];
		const struct tf_addr *o;
		const char *why, *dflt;
		char path[PATHLEN];
		uint32_t gw, a;
		int plen;

		snprintf(path, sizeof(path), "$.ports.%s.gateway", role[i]);
		dflt = t->gw_given[i] ? "" : " (the default: give one)";
		if (parse_ipv4(pt->ns_gw, 0, &gw, NULL) == -1 ||
		    parse_ipv4(pt->ns_addr, 1, &a, &plen) == -1)
			return tf_fail(t, path, "not an IPv4 address");
		if ((why = addr_unusable(gw, 32)) != NULL)
			return tf_fail(t, path, "%s %s%s", pt->ns_gw, why,
				       dflt);
		if ((gw & mask_of(plen)) != (a & mask_of(plen)))
			return tf_fail(t, path,
				       "%s is not on the port's subnet (%s)%s",
				       pt->ns_gw, pt->ns_addr, dflt);
		if ((why = addr_unusable(gw, plen)) != NULL)
			return tf_fail(t, path, "%s %s%s", pt->ns_gw, why,
				       dflt);
		if ((o = addr_owner(t, gw)) == NULL)
			return tf_fail(t, path,
				       "%s is no interface's address: the "
				       "port's traffic would go nowhere%s",
				       pt->ns_gw, dflt);
		if (o->port == i)
			return tf_fail(t, path, "%s is the port's own address",
				       pt->ns_gw);
		if (addr_net(t, o) == -1 || t->nets[addr_net(t, o)].port != i)
			return tf_fail(t, path,
				       "%s is the address of %s, which is not "
				       "on the network of port %s%s",
				       pt->ns_gw, o->path, role[i], dflt);
	}
	return 0;
}

/* Subnets of two networks that overlap: legal, but a route to one may
 * take the other.  One warning per pair of networks. */
static void
warn_overlaps(struct tf *t)
{
	unsigned char seen[TOPO_MAX_NETS][TOPO_MAX_NETS];

	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < t->naddrs; i++)
		for (int j = i + 1; j < t->naddrs; j++) {
			const struct tf_addr *a = &t->addrs[i],
					     *b = &t->addrs[j];
			int na = addr_net(t, a), nb = addr_net(t, b);
			uint32_t m =
			    mask_of(a->plen < b->plen ? a->plen : b->plen);

			if (na < 0 || nb < 0 || na == nb || seen[na][nb] ||
			    (a->ip & m) != (b->ip & m))
				continue;
			seen[na][nb] = seen[nb][na] = 1;
			tf_warn(t,
				"networks '%s' and '%s' have overlapping "
				"subnets (%s /%d, %s /%d): a route to one may "
				"take the other",
				t->nets[na].name, t->nets[nb].name, a->path,
				a->plen, b->path, b->plen);
		}
}

/* Port networks: a bridge unless one VM interface rides on it alone
 * with macvtap (then the macvtap sits directly on the port's NIC). */
static void
port_bridges(struct tf *t)
{
	struct topo_plan *p = t->p;

	for (int k = 0; k < t->nnets; k++) {
		const struct tf_net *n = &t->nets[k];
		struct topo_port *pt;

		if (n->port < 0)
			continue;
		pt = &p->ports[n->port];
		if (p->opts.link == LINK_TAP || n->members != 1 ||
		    n->vm_members != 1)
			snprintf(pt->bridge, sizeof(pt->bridge),
				 TOPO_IF_PREFIX "%s-b%s", p->opts.name,
				 n->port ? "o" : "i");
		else
			pt->bridge[0] = '\0';
	}
}

static int
expand_root(struct tf *t, json_object *root, const char *want_name)
{
	struct topo_plan *p = t->p;

	if (read_header(t, root, want_name) == -1 ||
	    topo_name_check(p->opts.name, t->err, t->errlen) == -1 ||
	    read_params(t, root) == -1 || read_ports(t, root) == -1 ||
	    read_networks(t, root) == -1 || read_nodes(t, root) == -1 ||
	    read_splitter(t, root) == -1)
		return -1;
	for (int i = 0; i < p->nnodes; i++) {
		struct topo_node *n = &p->nodes[i];

		if (read_routes(t, t->node_json[i], t->node_path[i],
				t->node_idx[i], n->name, n->ifs, n->nifs,
				n->routes, &n->nroutes) == -1)
			return -1;
	}
	if (p->splitter.netns[0]) {
		json_object *o = json_object_object_get(root, "splitter");

		if (read_routes(t, o, "$.splitter", -1, "the splitter",
				p->splitter.ifs, p->splitter.nifs,
				p->splitter.routes, &p->splitter.nroutes) == -1)
			return -1;
	}
	for (int k = 0; k < t->nnets; k++)
		if (t->nets[k].members == 0)
			return tf_fail(t, t->nets[k].path,
				       "network '%s' has no interface on it",
				       t->nets[k].name);
	if (check_port_gateways(t) == -1)
		return -1;
	warn_overlaps(t);
	port_bridges(t);
	return 0;
}

int
topo_file_expand(struct topo_plan *p, char *err, size_t errlen)
{
	struct tf *t = xcalloc(1, sizeof(*t));
	const char *label, *want = NULL;
	char path[PATH_MAX];
	json_object *root = NULL;
	int rc = -1;

	t->p = p;
	t->err = err;
	t->errlen = errlen;
	if (p->opts.file_text != NULL) {
		label = p->opts.file[0] ? p->opts.file : "(topology text)";
		root = jtext_parse(label, p->opts.file_text,
				   strlen(p->opts.file_text), err, errlen);
	} else if (p->opts.file[0]) {
		label = p->opts.file;
		root = topo_file_read(p->opts.file, NULL, err, errlen);
	} else {
		if (topo_find_file(p->opts.topology, path, sizeof(path)) ==
		    -1) {
			json_object *l = topo_list_json();
			char known[256] = "";

			for (size_t i = 0; i < json_object_array_length(l);
			     i++) {
				size_t n = strlen(known);
				snprintf(
				    known + n, sizeof(known) - n, "%s%s",
				    i ? ", " : "",
				    json_object_get_string(
					json_object_object_get(
					    json_object_array_get_idx(l, i),
					    "name")));
			}
			json_object_put(l);
			msgf(err, errlen,
			     "unknown topology '%.64s' (known: %s)",
			     p->opts.topology, known);
			goto out;
		}
		want = p->opts.topology;
		label = strrchr(path, '/') + 1;
		root = topo_file_read_search(path, label, err, errlen);
	}
	if (root == NULL)
		goto out;
	t->file = label;
	rc = expand_root(t, root, want);
out:
	json_object_put(root);
	free(t);
	return rc;
}
