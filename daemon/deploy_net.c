/*
 * The steps every node kind shares: checking that the names a plan needs
 * are free, then the traffic ports, the internal networks (bridges) and
 * the splitter namespace the nodes' interfaces join.
 */
#include <stdio.h>
#include <string.h>

#include "deploy.h"
#include "deploy_int.h"
#include "log.h"
#include "netsetup.h"
#include "nodekind.h"
#include "proto.h"
#include "util.h"

/* ---- checks before anything is created -------------------------------- */

int
deploy_check_names(struct deploy *d, struct ns_ctx *host)
{
	const struct topo_plan *p = d->plan;

	for (int i = 0; i < 2; i++) {
		const struct topo_port *pt = &p->ports[i];

		if (pt->created && nl_link_exists(host, pt->host_if) == 1)
			return deploy_fail(
			    d, PROTO_E_EXISTS, "check",
			    "interface %s exists already (" DEPLOY_LEFTOVER_HINT
			    ", `ip link del %s` anything else)",
			    pt->host_if, p->opts.name, pt->host_if);
		if (!pt->created && pt->host_if[0] && /* "": elsewhere */
		    nl_link_exists(host, pt->host_if) != 1)
			return deploy_fail(
			    d, PROTO_E_NETSETUP, "check",
			    "port %s: interface %s does not exist (see `ip "
			    "link`; "
			    "--ports in=IF,out=IF names existing NICs)",
			    pt->role, pt->host_if);
		if (pt->bridge[0] && nl_link_exists(host, pt->bridge) == 1)
			return deploy_fail(
			    d, PROTO_E_EXISTS, "check",
			    "bridge %s exists already (" DEPLOY_LEFTOVER_HINT
			    ", `ip link del %s` anything else)",
			    pt->bridge, p->opts.name, pt->bridge);
		if (pt->netns[0] && netns_exists(pt->netns))
			return deploy_fail(d, PROTO_E_EXISTS, "check",
					   "network namespace %s exists "
					   "already (" DEPLOY_LEFTOVER_HINT
					   ", `ip netns del %s` anything else)",
					   pt->netns, p->opts.name, pt->netns);
	}
	for (int n = 0; n < p->nnodes; n++) {
		const struct topo_node *nd = &p->nodes[n];

		for (int k = 0; k < nd->nifs; k++)
			if (nl_link_exists(host, nd->ifs[k].host_if) == 1)
				return deploy_fail(
				    d, PROTO_E_EXISTS, "check",
				    "interface %s exists already "
				    "(" DEPLOY_LEFTOVER_HINT
				    ", `ip link del %s` anything else)",
				    nd->ifs[k].host_if, p->opts.name,
				    nd->ifs[k].host_if);
	}
	for (int i = 0; i < p->nsegments; i++)
		if (p->segments[i].bridge[0] &&
		    nl_link_exists(host, p->segments[i].bridge) == 1)
			return deploy_fail(
			    d, PROTO_E_EXISTS, "check",
			    "bridge %s exists already (" DEPLOY_LEFTOVER_HINT
			    ", `ip link del %s` anything else)",
			    p->segments[i].bridge, p->opts.name,
			    p->segments[i].bridge);
	if (node_kind_get(p->opts.backend)->check(d, host) == -1)
		return -1;
	if (p->splitter.netns[0]) {
		if (netns_exists(p->splitter.netns))
			return deploy_fail(d, PROTO_E_EXISTS, "check",
					   "network namespace %s exists "
					   "already (" DEPLOY_LEFTOVER_HINT
					   ", `ip netns del %s` anything else)",
					   p->splitter.netns, p->opts.name,
					   p->splitter.netns);
		for (int k = 0; k < p->splitter.nifs; k++)
			if (nl_link_exists(host, p->splitter.ifs[k].host_if) ==
			    1)
				return deploy_fail(
				    d, PROTO_E_EXISTS, "check",
				    "interface %s exists already "
				    "(" DEPLOY_LEFTOVER_HINT
				    ", `ip link del %s` anything else)",
				    p->splitter.ifs[k].host_if, p->opts.name,
				    p->splitter.ifs[k].host_if);
	}
	return 0;
}

/* ---- ports --------------------------------------------------------------- */

/* split macvtap: the shared MAC of the VRs' ingress queues, or NULL. */
static const char *
split_queue_mac(const struct topo_plan *p)
{
	for (int n = 0; n < p->nnodes; n++)
		for (int k = 0; k < p->nodes[n].nifs; k++)
			if (topo_if_split_queue(p, &p->nodes[n].ifs[k]))
				return p->nodes[n].ifs[k].mac;
	return NULL;
}

static int
port_ns_setup(struct deploy *d, const struct topo_port *pt)
{
	const char *qmac =
	    pt == &d->plan->ports[0] ? split_queue_mac(d->plan) : NULL;
	struct ns_ctx *ns;
	char err[512];
	int rc = -1;

	if ((ns = ns_open(pt->netns, err, sizeof(err))) == NULL)
		return deploy_fail(d, PROTO_E_NETSETUP, "ports", "%s", err);
	if ((pt->ns_mac[0] != '\0' &&
	     nl_link_set_mac(ns, pt->ns_if, pt->ns_mac) == -1) ||
	    nl_addr_add(ns, pt->ns_if, pt->ns_addr) == -1 ||
	    nl_link_set_up(ns, pt->ns_if, 1) == -1 ||
	    nl_route_add(ns, "default", pt->ns_gw) == -1 ||
	    /* the source reaches the shared address without ARP, which
	     * would reach one queue (one VR) only */
	    (qmac != NULL &&
	     nl_neigh_add(ns, pt->ns_if, pt->ns_gw, qmac) == -1)) {
		deploy_fail(d, PROTO_E_NETSETUP, "ports", "in %s: %s",
			    pt->netns, ns_error(ns));
		goto out;
	}
	rc = 0;
out:
	ns_close(ns);
	return rc;
}

int
deploy_port_setup(struct deploy *d, struct ns_ctx *host,
		  const struct topo_port *pt)
{
	const struct topo_plan *p = d->plan;
	char role[64], alias[128], peer_alias[160], err[512];
	int qlen = p->opts.txqueuelen;

	/* a port on another host (part.c): its network's bridge only, when
	 * this host holds members of it */
	if (pt->host_if[0] == '\0') {
		if (pt->bridge[0] == '\0')
			return 0;
		snprintf(role, sizeof(role), "bridge-%s", pt->role);
		deploy_alias(p, role, alias, sizeof(alias));
		if (nl_bridge_add(host, pt->bridge, alias) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "ports", "%s",
					   ns_error(host));
		deploy_undo_push(d, UNDO_LINK, pt->bridge);
		if (nl_link_set_up(host, pt->bridge, 1) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "ports", "%s",
					   ns_error(host));
		return 0;
	}
	if (pt->created) {
		snprintf(role, sizeof(role), "netns-port-%s", pt->role);
		deploy_alias(p, role, alias, sizeof(alias));
		if (netns_create(pt->netns, alias, err, sizeof(err)) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "ports", "%s",
					   err);
		deploy_undo_push(d, UNDO_NETNS, pt->netns);
		snprintf(role, sizeof(role), "port-%s", pt->role);
		deploy_alias(p, role, alias, sizeof(alias));
		snprintf(peer_alias, sizeof(peer_alias), "%s-peer", alias);
		if (nl_veth_add(host, pt->host_if, alias, pt->ns_if, peer_alias,
				pt->netns) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "ports", "%s",
					   ns_error(host));
		deploy_undo_push(d, UNDO_LINK, pt->host_if);
		if (port_ns_setup(d, pt) == -1)
			return -1;
	}
	if (pt->bridge[0]) {
		snprintf(role, sizeof(role), "bridge-%s", pt->role);
		deploy_alias(p, role, alias, sizeof(alias));
		if (nl_bridge_add(host, pt->bridge, alias) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "ports", "%s",
					   ns_error(host));
		deploy_undo_push(d, UNDO_LINK, pt->bridge);
		if (nl_link_set_master(host, pt->host_if, pt->bridge) == -1 ||
		    nl_link_set_up(host, pt->bridge, 1) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "ports", "%s",
					   ns_error(host));
	}
	if ((qlen > 0 && nl_link_set_txqlen(host, pt->host_if, qlen) == -1) ||
	    nl_link_set_up(host, pt->host_if, 1) == -1)
		return deploy_fail(d, PROTO_E_NETSETUP, "ports", "%s",
				   ns_error(host));
	return 0;
}

/* ---- internal networks and the splitter ---------------------------------- */

/* The bridge an interface joins: its port's (maybe none) or its segment's. */
const char *
deploy_if_bridge(const struct topo_plan *p, const struct topo_if *f)
{
	if (f->port >= 0 && f->port < 2)
		return p->ports[f->port].bridge;
	if (f->segment >= 0 && f->segment < p->nsegments)
		return p->segments[f->segment].bridge;
	return "";
}

int
deploy_segments_setup(struct deploy *d, struct ns_ctx *host)
{
	const struct topo_plan *p = d->plan;
	char role[64], alias[128];

	for (int i = 0; i < p->nsegments; i++) {
		const struct topo_segment *sg = &p->segments[i];

		if (sg->bridge[0] == '\0') /* held by other hosts only */
			continue;
		snprintf(role, sizeof(role), "net-%s", sg->name);
		deploy_alias(p, role, alias, sizeof(alias));
		if (nl_bridge_add(host, sg->bridge, alias) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "networks",
					   "%s", ns_error(host));
		deploy_undo_push(d, UNDO_LINK, sg->bridge);
		if (nl_link_set_up(host, sg->bridge, 1) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "networks",
					   "%s", ns_error(host));
	}
	return 0;
}

/* Inside the splitter: forwarding, the L4 flow hash, addresses, routes. */
static int
splitter_inside(struct deploy *d, struct ns_ctx *ns)
{
	const struct topo_splitter *sp = &d->plan->splitter;
	static const char *const sysctls[][2] = {
	    {"net/ipv4/ip_forward", "1"},
	    {"net/ipv4/fib_multipath_hash_policy", "1"},
	    {"net/ipv4/conf/all/rp_filter", "0"},
	    {"net/ipv4/conf/default/rp_filter", "0"},
	};

	for (size_t i = 0; i < nitems(sysctls); i++)
		if (ns_sysctl_set(ns, sysctls[i][0], sysctls[i][1]) == -1)
			goto fail;
	if (nl_link_set_up(ns, "lo", 1) == -1)
		goto fail;
	for (int k = 0; k < sp->nifs; k++)
		if (nl_addr_add(ns, sp->ifs[k].guest_if, sp->ifs[k].addr) ==
			-1 ||
		    nl_link_set_up(ns, sp->ifs[k].guest_if, 1) == -1)
			goto fail;
	for (int r = 0; r < sp->nroutes; r++) {
		const char *via[TOPO_MAX_NEXTHOPS];

		for (int k = 0; k < sp->routes[r].nvia; k++)
			via[k] = sp->routes[r].via[k];
		if (nl_route_add_multipath(ns, sp->routes[r].dst, via,
					   sp->routes[r].nvia) == -1)
			goto fail;
	}
	return 0;
fail:
	return deploy_fail(d, PROTO_E_NETSETUP, "splitter", "in %s: %s",
			   sp->netns, ns_error(ns));
}

int
deploy_splitter_setup(struct deploy *d, struct ns_ctx *host)
{
	const struct topo_plan *p = d->plan;
	const struct topo_splitter *sp = &p->splitter;
	char role[64], alias[128], peer_alias[160], err[512];
	struct ns_ctx *ns;
	int rc;

	if (sp->netns[0] == '\0')
		return 0;
	deploy_alias(p, "netns-splitter", alias, sizeof(alias));
	if (netns_create(sp->netns, alias, err, sizeof(err)) == -1)
		return deploy_fail(d, PROTO_E_NETSETUP, "splitter", "%s", err);
	deploy_undo_push(d, UNDO_NETNS, sp->netns);
	for (int k = 0; k < sp->nifs; k++) {
		const struct topo_if *f = &sp->ifs[k];
		const char *br = deploy_if_bridge(p, f);

		snprintf(role, sizeof(role), "splitter-%s", f->guest_if);
		deploy_alias(p, role, alias, sizeof(alias));
		snprintf(peer_alias, sizeof(peer_alias), "%s-peer", alias);
		if (nl_veth_add(host, f->host_if, alias, f->guest_if,
				peer_alias, sp->netns) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "splitter",
					   "%s", ns_error(host));
		deploy_undo_push(d, UNDO_LINK, f->host_if);
		if ((br[0] && nl_link_set_master(host, f->host_if, br) == -1) ||
		    nl_link_set_up(host, f->host_if, 1) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "splitter",
					   "%s", ns_error(host));
	}
	if ((ns = ns_open(sp->netns, err, sizeof(err))) == NULL)
		return deploy_fail(d, PROTO_E_NETSETUP, "splitter", "%s", err);
	rc = splitter_inside(d, ns);
	ns_close(ns);
	return rc;
}

/* ---- VXLANs to other hosts ---------------------------------------------- */

void
deploy_vxlan_name(const char *bridge, char *buf, size_t len)
{
	const char *dash = strrchr(bridge, '-');

	vr_strlcpy(buf, bridge, len);
	if (dash != NULL && dash[1] != '\0' &&
	    (size_t)(dash + 1 - bridge) < len)
		buf[dash + 1 - bridge] = 'x';
}

/* Each VXLAN of the part, enslaved to its network's bridge, with the
 * planned MTU; then every other member of that bridge gets the same MTU,
 * so a frame too big for the tunnel is refused where it is sent, not lost
 * on the way. */
int
deploy_vxlans_setup(struct deploy *d, struct ns_ctx *host)
{
	const struct topo_plan *p = d->plan;
	char role[64], alias[128];

	for (int i = 0; i < d->nvxlans; i++) {
		const struct deploy_vxlan *x = &d->vxlans[i];
		const char *rem[TOPO_MAX_HOSTS];
		struct nl_vxlan vx = {0};

		for (int k = 0; k < x->nremotes; k++)
			rem[k] = x->remotes[k];
		vx.vni = x->vni;
		vx.local = x->local;
		vx.mtu = x->mtu;
		vx.remotes = rem;
		vx.nremotes = x->nremotes;
		snprintf(role, sizeof(role), "vxlan-%s", x->bridge);
		deploy_alias(p, role, alias, sizeof(alias));
		if (nl_vxlan_add(host, x->name, alias, &vx, x->bridge) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "vxlan", "%s",
					   ns_error(host));
		deploy_undo_push(d, UNDO_LINK, x->name);
		if (nl_link_set_up(host, x->name, 1) == -1 ||
		    nl_link_set_mtu(host, x->bridge, x->mtu) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "vxlan", "%s",
					   ns_error(host));
	}
	return 0;
}

/* MTU of a link inside a namespace (the far end of a veth). */
static int
mtu_in(const char *netns, const char *ifname, int mtu, char *err, size_t errlen)
{
	struct ns_ctx *ns;
	int rc;

	if ((ns = ns_open(netns, err, errlen)) == NULL)
		return -1;
	if ((rc = nl_link_set_mtu(ns, ifname, mtu)) == -1)
		msgf(err, errlen, "in %s: %s", netns, ns_error(ns));
	ns_close(ns);
	return rc;
}

/*
 * Every member of a network across hosts at its planned MTU, both ends of
 * each veth (a VM's guest end is told by its domain XML, domxml.c): so a
 * frame the VXLAN cannot carry is refused where it is sent, never lost on
 * the way.
 */
int
deploy_mtu_apply(struct deploy *d, struct ns_ctx *host)
{
	const struct topo_plan *p = d->plan;
	const struct node_kind_ops *k = node_kind_get(p->opts.backend);
	char ns[64], err[512];

	for (int x = 0; x < d->nvxlans; x++) {
		const struct deploy_vxlan *vx = &d->vxlans[x];

		for (int n = 0; n < p->nnodes; n++)
			for (int i = 0; i < p->nodes[n].nifs; i++) {
				const struct topo_if *f = &p->nodes[n].ifs[i];

				if (strcmp(deploy_if_bridge(p, f), vx->bridge))
					continue;
				if (nl_link_set_mtu(host, f->host_if,
						    vx->mtu) == -1)
					return deploy_fail(d, PROTO_E_NETSETUP,
							   "mtu", "%s",
							   ns_error(host));
				if (!k->no_guest)
					continue;
				topo_node_netns(p, n, ns, sizeof(ns));
				if (mtu_in(ns, f->guest_if, vx->mtu, err,
					   sizeof(err)) == -1)
					return deploy_fail(d, PROTO_E_NETSETUP,
							   "mtu", "%s", err);
			}
		for (int i = 0; i < p->splitter.nifs; i++) {
			const struct topo_if *f = &p->splitter.ifs[i];

			if (strcmp(deploy_if_bridge(p, f), vx->bridge))
				continue;
			if (nl_link_set_mtu(host, f->host_if, vx->mtu) == -1)
				return deploy_fail(d, PROTO_E_NETSETUP, "mtu",
						   "%s", ns_error(host));
			if (mtu_in(p->splitter.netns, f->guest_if, vx->mtu, err,
				   sizeof(err)) == -1)
				return deploy_fail(d, PROTO_E_NETSETUP, "mtu",
						   "%s", err);
		}
		for (int i = 0; i < 2; i++) {
			const struct topo_port *pt = &p->ports[i];

			if (pt->host_if[0] == '\0' ||
			    strcmp(pt->bridge, vx->bridge) != 0)
				continue;
			if (nl_link_set_mtu(host, pt->host_if, vx->mtu) == -1)
				return deploy_fail(d, PROTO_E_NETSETUP, "mtu",
						   "%s", ns_error(host));
			if (pt->created && pt->netns[0] &&
			    mtu_in(pt->netns, pt->ns_if, vx->mtu, err,
				   sizeof(err)) == -1)
				return deploy_fail(d, PROTO_E_NETSETUP, "mtu",
						   "%s", err);
		}
	}
	return 0;
}
