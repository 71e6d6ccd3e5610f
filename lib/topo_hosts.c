/*
 * The placement planner for topologies across hosts (topo_hosts.h): which
 * host deploys which node, port and network, and the VXLAN segment (VNI,
 * MTU, remote endpoints) of every network that spans hosts.  Pure: it
 * reads a built plan and the hosts' underlay facts, nothing else, so the
 * coordinator, `vrctl topology` and the unit tests get the same answer.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "topo_hosts.h"
#include "topo_int.h"
#include "util.h"

/* "" and TOPO_HOST_SELF are the coordinator. */
static int
host_is_self(const char *h, const char *self)
{
	return h[0] == '\0' || strcmp(h, TOPO_HOST_SELF) == 0 ||
	       strcmp(h, self) == 0;
}

/* Index of host name in out, adding it when new; -1 when full. */
static int
host_index(struct topo_hosts *out, const char *name, const char *self,
	   char *err, size_t errlen)
{
	int i;

	if (host_is_self(name, self))
		return 0;
	for (i = 1; i < out->nhosts; i++)
		if (strcmp(out->hosts[i].name, name) == 0)
			return i;
	if (out->nhosts == TOPO_MAX_HOSTS) {
		msgf(err, errlen,
		     "host '%s': more than %d hosts in one topology", name,
		     TOPO_MAX_HOSTS);
		return -1;
	}
	vr_strlcpy(out->hosts[i].name, name, sizeof(out->hosts[i].name));
	return out->nhosts++;
}

/* The network an interface is on: index into out->nets. */
static int
if_net(const struct topo_plan *p, const struct topo_if *f)
{
	return f->port >= 0 ? p->nsegments + f->port : f->segment;
}

/* Mark network k as having members on host h. */
static void
net_add_host(struct topo_hosts *out, int k, int h)
{
	if (k < 0 || k >= TOPO_MAX_NETS)
		return;
	out->nets[k].hosts |= 1u << h;
}

/* Hosts, and who sits where (nets indexed segments, then ports). */
static int
place(const struct topo_plan *p, const char *self, struct topo_hosts *out,
      char *err, size_t errlen)
{
	int h;

	vr_strlcpy(out->hosts[0].name, self, sizeof(out->hosts[0].name));
	out->nhosts = 1;
	for (int n = 0; n < p->nnodes; n++) {
		const struct topo_node *nd = &p->nodes[n];
		struct topo_host *th;

		if ((h = host_index(out, nd->host, self, err, errlen)) == -1)
			return -1;
		th = &out->hosts[h];
		th->nodes[th->nnodes++] = n;
		for (int i = 0; i < nd->nifs; i++)
			net_add_host(out, if_net(p, &nd->ifs[i]), h);
	}
	for (int i = 0; i < 2; i++) {
		struct topo_host *th;

		if ((h = host_index(out, p->ports[i].host, self, err,
				    errlen)) == -1)
			return -1;
		th = &out->hosts[h];
		th->ports[th->nports++] = i;
		net_add_host(out, p->nsegments + i, h);
	}
	/* the splitter has no "host": it stays with the coordinator */
	if (p->splitter.netns[0]) {
		out->hosts[0].splitter = 1;
		for (int i = 0; i < p->splitter.nifs; i++)
			net_add_host(out, if_net(p, &p->splitter.ifs[i]), 0);
	}
	return 0;
}

/* Each host's underlay from u (or the assumed one). */
static int
underlays(struct topo_hosts *out, const struct topo_underlay *u, int nu,
	  char *err, size_t errlen)
{
	unsigned char buf[16];
	int fam = 0;

	out->assumed = u == NULL;
	for (int h = 0; h < out->nhosts; h++) {
		struct topo_host *th = &out->hosts[h];
		const struct topo_underlay *x = NULL;
		int f;

		th->mtu = TOPO_UNDERLAY_MTU_DEFAULT;
		if (u == NULL)
			continue;
		for (int i = 0; i < nu && x == NULL; i++)
			if (u[i].host != NULL &&
			    strcmp(u[i].host, th->name) == 0)
				x = &u[i];
		if (x == NULL) {
			msgf(err, errlen,
			     "host '%s' is not among the configured hosts",
			     th->name);
			return -1;
		}
		if (x->mtu < 68 || x->mtu > 65535) {
			msgf(err, errlen,
			     "host '%s': underlay MTU %d is not 68-65535",
			     th->name, x->mtu);
			return -1;
		}
		if (x->addr != NULL && inet_pton(AF_INET, x->addr, buf) == 1)
			f = AF_INET;
		else if (x->addr != NULL &&
			 inet_pton(AF_INET6, x->addr, buf) == 1)
			f = AF_INET6;
		else {
			msgf(err, errlen,
			     "host '%s': tunnel address '%.64s' is not an IPv4 "
			     "or IPv6 address",
			     th->name, x->addr ? x->addr : "");
			return -1;
		}
		if (fam != 0 && f != fam) {
			msgf(err, errlen,
			     "host '%s': tunnel address %s is %s but host "
			     "'%s' has %s: a VXLAN joins one family",
			     th->name, x->addr, f == AF_INET ? "IPv4" : "IPv6",
			     out->hosts[0].name,
			     fam == AF_INET ? "IPv4" : "IPv6");
			return -1;
		}
		fam = f;
		th->mtu = x->mtu;
		vr_strlcpy(th->addr, x->addr, sizeof(th->addr));
	}
	out->ipv6 = fam == AF_INET6;
	return 0;
}

int
topo_vxlan_mtu(int underlay_mtu, int ipv6)
{
	int m =
	    underlay_mtu - (ipv6 ? TOPO_VXLAN_OVERHEAD6 : TOPO_VXLAN_OVERHEAD4);

	return m < 68 ? -1 : m;
}

uint32_t
topo_vni_pick(const char *instance, const char *network, const uint32_t *taken,
	      int ntaken)
{
	const uint32_t span = TOPO_VNI_LAST - TOPO_VNI_FIRST + 1;
	uint32_t h, vni;
	int used;

	h = topo_fnv1a(instance, TOPO_FNV1A_BASIS);
	h = topo_fnv1a("/", h);
	h = topo_fnv1a(network, h);
	vni = TOPO_VNI_FIRST + h % span;
	do {
		used = 0;
		for (int i = 0; i < ntaken && !used; i++)
			used = taken[i] == vni;
		if (used)
			vni = vni == TOPO_VNI_LAST ? TOPO_VNI_FIRST : vni + 1;
	} while (used);
	return vni;
}

/* Name, bridge, VNI and MTU of every network with members; drop the
 * others, and list each host's networks. */
static int
segments(const struct topo_plan *p, struct topo_hosts *out, char *err,
	 size_t errlen)
{
	uint32_t taken[TOPO_MAX_NETS];
	int ntaken = 0, k = 0, mtu, low;

	for (int i = 0; i < p->nsegments + 2; i++) {
		struct topo_hnet *nt = &out->nets[i];
		int port = i >= p->nsegments ? i - p->nsegments : -1;

		nt->segment = port < 0 ? i : -1;
		nt->port = port;
		if (port < 0) {
			vr_strlcpy(nt->name, p->segments[i].name,
				   sizeof(nt->name));
			vr_strlcpy(nt->bridge, p->segments[i].bridge,
				   sizeof(nt->bridge));
		} else {
			snprintf(nt->name, sizeof(nt->name), "port:%s",
				 p->ports[port].role);
			vr_strlcpy(nt->bridge, p->ports[port].bridge,
				   sizeof(nt->bridge));
		}
		nt->nhosts = 0;
		for (int h = 0; h < out->nhosts; h++)
			nt->nhosts += (nt->hosts >> h) & 1;
	}
	for (int i = 0; i < p->nsegments + 2; i++) {
		struct topo_hnet *nt = &out->nets[i];

		if (nt->nhosts == 0)
			continue;
		if (nt->nhosts > 1) {
			if (nt->bridge[0] == '\0') {
				msgf(err, errlen,
				     "network %s spans hosts but has no "
				     "bridge to join a VXLAN to (--link "
				     "macvtap on a port's only member); use "
				     "--link tap",
				     nt->name);
				return -1;
			}
			nt->vni = topo_vni_pick(p->opts.name, nt->name, taken,
						ntaken);
			taken[ntaken++] = nt->vni;
			low = 0;
			for (int h = 0; h < out->nhosts; h++)
				if ((nt->hosts >> h) & 1 &&
				    (low == 0 || out->hosts[h].mtu < low))
					low = out->hosts[h].mtu;
			if ((mtu = topo_vxlan_mtu(low, out->ipv6)) == -1) {
				msgf(err, errlen,
				     "network %s: an underlay MTU of %d "
				     "leaves too little after the VXLAN "
				     "header (%d bytes)",
				     nt->name, low,
				     out->ipv6 ? TOPO_VXLAN_OVERHEAD6
					       : TOPO_VXLAN_OVERHEAD4);
				return -1;
			}
			nt->mtu = mtu;
		}
		if (k != i)
			out->nets[k] = *nt;
		for (int h = 0; h < out->nhosts; h++)
			if ((nt->hosts >> h) & 1)
				out->hosts[h].nets[out->hosts[h].nnets++] = k;
		k++;
	}
	out->nnets = k;
	return 0;
}

int
topo_hosts_plan(const struct topo_plan *p, const char *self,
		const struct topo_underlay *u, int nu, struct topo_hosts *out,
		char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (self == NULL || self[0] == '\0')
		self = TOPO_HOST_SELF;
	if (!name_ok(NAME_HOST, self)) {
		msgf(err, errlen, "this host's name '%.64s': use %s", self,
		     name_rule(NAME_HOST));
		return -1;
	}
	if (p->nsegments + 2 > TOPO_MAX_NETS) {
		msgf(err, errlen, "more than %d networks", TOPO_MAX_NETS);
		return -1;
	}
	if (place(p, self, out, err, errlen) == -1 ||
	    underlays(out, u, nu, err, errlen) == -1 ||
	    segments(p, out, err, errlen) == -1) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}

int
topo_hosts_check(const struct topo_plan *p, char *err, size_t errlen)
{
	struct topo_hosts h;
	char why[512];

	if (!topo_hosts_placed(p))
		return 0;
	if (topo_hosts_plan(p, NULL, NULL, 0, &h, why, sizeof(why)) == -1) {
		msgf(err, errlen, "placement: %s", why);
		return -1;
	}
	return 0;
}

int
topo_hosts_set_add(char (*names)[TOPO_HOST_LEN + 1], int *n, int max,
		   const char *host, const char *self)
{
	if (host[0] == '\0' || strcmp(host, TOPO_HOST_SELF) == 0)
		host = self != NULL ? self : "";
	if (host[0] == '\0')
		return *n;
	for (int i = 0; i < *n; i++)
		if (strcmp(names[i], host) == 0)
			return *n;
	if (*n < max)
		vr_strlcpy(names[(*n)++], host, sizeof(names[0]));
	return *n;
}

int
topo_hosts_span(const struct topo_plan *p, const char *self,
		char (*names)[TOPO_HOST_LEN + 1], int *n, int max)
{
	for (int k = 0; k < p->nnodes; k++)
		topo_hosts_set_add(names, n, max, p->nodes[k].host, self);
	for (int i = 0; i < 2; i++)
		topo_hosts_set_add(names, n, max, p->ports[i].host, self);
	return *n;
}

int
topo_hosts_placed(const struct topo_plan *p)
{
	for (int n = 0; n < p->nnodes; n++)
		if (!host_is_self(p->nodes[n].host, TOPO_HOST_SELF))
			return 1;
	for (int i = 0; i < 2; i++)
		if (!host_is_self(p->ports[i].host, TOPO_HOST_SELF))
			return 1;
	return 0;
}

int
topo_hosts_local_only(const struct topo_plan *p, char *err, size_t errlen)
{
	static const char why[] =
	    "deployment across hosts is not wired to vrouterd yet (issue "
	    "15: the coordinator is still to come); drop the \"host\" keys "
	    "to run it all on this host, or `vrctl topology` to see the "
	    "placement";

	for (int n = 0; n < p->nnodes; n++)
		if (!host_is_self(p->nodes[n].host, TOPO_HOST_SELF)) {
			msgf(err, errlen, "node %s is placed on host '%s': %s",
			     p->nodes[n].name, p->nodes[n].host, why);
			return -1;
		}
	for (int i = 0; i < 2; i++)
		if (!host_is_self(p->ports[i].host, TOPO_HOST_SELF)) {
			msgf(err, errlen, "port %s is placed on host '%s': %s",
			     p->ports[i].role, p->ports[i].host, why);
			return -1;
		}
	return 0;
}

static json_object *
names_array(const char *const *v, int n)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *
host_to_json(const struct topo_plan *p, const struct topo_hosts *h, int k)
{
	const struct topo_host *th = &h->hosts[k];
	const char
	    *v[TOPO_MAX_NODES > TOPO_MAX_NETS ? TOPO_MAX_NODES : TOPO_MAX_NETS];
	json_object *j = json_object_new_object(), *vx;

	json_object_object_add(j, "name", json_object_new_string(th->name));
	json_object_object_add(j, "coordinator",
			       json_object_new_boolean(k == 0));
	if (th->addr[0])
		json_object_object_add(j, "address",
				       json_object_new_string(th->addr));
	json_object_object_add(j, "underlay_mtu", json_object_new_int(th->mtu));
	for (int i = 0; i < th->nnodes; i++)
		v[i] = p->nodes[th->nodes[i]].name;
	json_object_object_add(j, "nodes", names_array(v, th->nnodes));
	for (int i = 0; i < th->nports; i++)
		v[i] = p->ports[th->ports[i]].role;
	json_object_object_add(j, "ports", names_array(v, th->nports));
	for (int i = 0; i < th->nnets; i++)
		v[i] = h->nets[th->nets[i]].name;
	json_object_object_add(j, "networks", names_array(v, th->nnets));
	if (th->splitter)
		json_object_object_add(j, "splitter",
				       json_object_new_boolean(1));
	/* its VXLANs: network, VNI and the other hosts' endpoints */
	vx = json_object_new_array();
	for (int i = 0; i < th->nnets; i++) {
		const struct topo_hnet *nt = &h->nets[th->nets[i]];
		json_object *o, *r;

		if (nt->vni == 0)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "network",
				       json_object_new_string(nt->name));
		json_object_object_add(o, "vni",
				       json_object_new_int64(nt->vni));
		r = json_object_new_array();
		for (int o2 = 0; o2 < h->nhosts; o2++)
			if (o2 != k && (nt->hosts >> o2) & 1)
				json_object_array_add(
				    r, json_object_new_string(
					   h->hosts[o2].addr[0]
					       ? h->hosts[o2].addr
					       : h->hosts[o2].name));
		json_object_object_add(o, "remotes", r);
		json_object_array_add(vx, o);
	}
	json_object_object_add(j, "vxlans", vx);
	return j;
}

json_object *
topo_hosts_to_json(const struct topo_plan *p, const struct topo_hosts *h)
{
	json_object *j = json_object_new_object(), *a;

	json_object_object_add(j, "underlay",
			       json_object_new_string(h->assumed ? "assumed"
						      : h->ipv6	 ? "ipv6"
								 : "ipv4"));
	a = json_object_new_array();
	for (int k = 0; k < h->nhosts; k++)
		json_object_array_add(a, host_to_json(p, h, k));
	json_object_object_add(j, "hosts", a);
	a = json_object_new_array();
	for (int i = 0; i < h->nnets; i++) {
		const struct topo_hnet *nt = &h->nets[i];
		json_object *o = json_object_new_object(), *hs;

		json_object_object_add(o, "name",
				       json_object_new_string(nt->name));
		json_object_object_add(o, "bridge",
				       json_object_new_string(nt->bridge));
		hs = json_object_new_array();
		for (int k = 0; k < h->nhosts; k++)
			if ((nt->hosts >> k) & 1)
				json_object_array_add(
				    hs,
				    json_object_new_string(h->hosts[k].name));
		json_object_object_add(o, "hosts", hs);
		if (nt->vni != 0) {
			json_object_object_add(o, "vni",
					       json_object_new_int64(nt->vni));
			json_object_object_add(o, "mtu",
					       json_object_new_int(nt->mtu));
		}
		json_object_array_add(a, o);
	}
	json_object_object_add(j, "networks", a);
	return j;
}
