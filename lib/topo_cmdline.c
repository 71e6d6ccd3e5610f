/*
 * The guest kernel command line (docs/contracts.md): the vr.* arguments
 * topo_node_cmdline writes for a node, with the plan checks that are
 * checks of that line (a per-packet load balancer needs a vr.lb= it can
 * name; every line must fit what an x86 kernel boots with; a node under
 * --routing needs an address of its own for its router id).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "topo.h"
#include "topo_int.h"
#include "util.h"

/* snprintf at *off into buf; -1 once the buffer is full. */
static int cat(char *buf, size_t len, size_t *off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Interfaces a and b on one network (a port, or an internal segment). */
static int
same_net(const struct topo_if *a, const struct topo_if *b)
{
	if (a->port >= 0 || b->port >= 0)
		return a->port == b->port;
	return a->segment == b->segment;
}

/* The interface of the plan whose address (without its prefix length) is
 * ip, or NULL. */
static const struct topo_if *
if_by_addr(const struct topo_plan *p, const char *ip)
{
	size_t n = strlen(ip);

	for (int i = 0; i < p->nnodes; i++)
		for (int k = 0; k < p->nodes[i].nifs; k++) {
			const struct topo_if *f = &p->nodes[i].ifs[k];

			if (strncmp(f->addr, ip, n) == 0 && f->addr[n] == '/')
				return f;
		}
	return NULL;
}

/*
 * --routing ospf, bgp: the node's router id, the address of its first
 * interface that no other node's interface has (under --split macvtap
 * every next hop's first interface has the splitter's one address), or
 * NULL when it has none.  "198.18.2.1/24": the caller drops the length.
 */
static const char *
router_id(const struct topo_plan *p, int n)
{
	const struct topo_node *nd = &p->nodes[n];

	for (int k = 0; k < nd->nifs; k++) {
		const char *a = nd->ifs[k].addr;
		size_t len = strcspn(a, "/");
		int shared = 0;

		for (int i = 0; !shared && i < p->nnodes; i++)
			for (int j = 0; !shared && j < p->nodes[i].nifs; j++)
				shared = i != n &&
					 strncmp(p->nodes[i].ifs[j].addr, a,
						 len) == 0 &&
					 p->nodes[i].ifs[j].addr[len] == '/';
		if (!shared && a[0] != '\0')
			return a;
	}
	return NULL;
}

/*
 * A per-packet load balancer (lb_mode packet) spreads what its default
 * route would: the back-ends are the nexthops of that route, the outer
 * interface the one on their network (all on the first's), the inner one
 * the other interface
 * of the node (which must have exactly two).  Writes " vr.lb=IN,OUT,BE..."
 * (MACs; the first back-end also takes the control traffic) at *off, or
 * says why it cannot.
 */
static int
lb_arg(const struct topo_plan *p, int n, char *buf, size_t len, size_t *off,
       char *err, size_t errlen)
{
	const struct topo_node *nd = &p->nodes[n];
	const struct topo_route *r = NULL;
	const struct topo_if *be[TOPO_MAX_NEXTHOPS], *out = NULL, *in = NULL;

	for (int i = 0; r == NULL && i < nd->nroutes; i++)
		if (strcmp(nd->routes[i].dst, "default") == 0)
			r = &nd->routes[i];
	if (nd->nifs != 2 || r == NULL) {
		msgf(err, errlen,
		     "lb_mode packet: load balancer %s needs exactly two "
		     "interfaces and a default route over its back-ends",
		     nd->name);
		return -1;
	}
	for (int k = 0; k < r->nvia; k++) {
		if ((be[k] = if_by_addr(p, r->via[k])) == NULL) {
			msgf(err, errlen,
			     "lb_mode packet: load balancer %s: no node has "
			     "its nexthop %s (a per-packet balancer needs "
			     "the back-end's MAC)",
			     nd->name, r->via[k]);
			return -1;
		}
		/* the outer interface is the first back-end's */
		for (int i = 0; k == 0 && i < 2; i++)
			if (same_net(&nd->ifs[i], be[k]))
				out = &nd->ifs[i], in = &nd->ifs[1 - i];
		if (out == NULL) {
			msgf(err, errlen,
			     "lb_mode packet: load balancer %s: nexthop %s "
			     "is not on one network with it",
			     nd->name, r->via[k]);
			return -1;
		}
		if (!same_net(out, be[k])) {
			msgf(err, errlen,
			     "lb_mode packet: load balancer %s: nexthop %s "
			     "is not on the interface of its first back-end "
			     "%s (%s): vr-lb sends out of one interface",
			     nd->name, r->via[k], r->via[0], out->addr);
			return -1;
		}
	}
	if (cat(buf, len, off, " vr.lb=%s,%s", in->mac, out->mac) == -1)
		goto toolong;
	for (int k = 0; k < r->nvia; k++)
		if (cat(buf, len, off, ",%s", be[k]->mac) == -1)
			goto toolong;
	return 0;
toolong:
	msgf(err, errlen,
	     "lb_mode packet: load balancer %s: command line "
	     "too long",
	     nd->name);
	return -1;
}

/* lb_mode packet: guests only, and at least one load balancer whose
 * back-ends the plan can name. */
int
topo_lb_mode_check(const struct topo_plan *p, char *err, size_t errlen)
{
	char buf[TOPO_CMDLINE_MAX + 1];
	int nlb = 0;

	if (p->opts.lb_mode == LB_MODE_FLOW)
		return 0;
	if (p->opts.backend != BACKEND_VM) {
		msgf(err, errlen,
		     "lb_mode packet: the per-packet balancer runs inside the "
		     "load-balancer guest: use --backend vm");
		return -1;
	}
	for (int n = 0; n < p->nnodes; n++) {
		size_t off = 0;

		if (p->nodes[n].role != ROLE_LB)
			continue;
		nlb++;
		if (lb_arg(p, n, buf, sizeof(buf), &off, err, errlen) == -1)
			return -1;
	}
	if (nlb == 0) {
		msgf(err, errlen,
		     "lb_mode packet: topology %s has no load balancer (a "
		     "node with role lb)",
		     p->opts.topology);
		return -1;
	}
	return 0;
}

int
topo_cmdline_check(const struct topo_plan *p, char *err, size_t errlen)
{
	char buf[4 * (TOPO_CMDLINE_MAX + 1)];

	for (int n = 0; n < p->nnodes; n++) {
		size_t len;

		if (p->opts.routing != ROUTING_STATIC &&
		    router_id(p, n) == NULL) {
			msgf(err, errlen,
			     "%s%srouting %s: node %s has no address of its "
			     "own for its router id (each is another node's "
			     "too)",
			     p->opts.file, p->opts.file[0] ? ": " : "",
			     topo_routing_name(p->opts.routing),
			     p->nodes[n].name);
			return -1;
		}
		if (topo_node_cmdline(p, n, buf, sizeof(buf)) == -1)
			len = sizeof(buf);
		else if ((len = strlen(buf)) <= TOPO_CMDLINE_MAX)
			continue;
		msgf(err, errlen,
		     "%s%snode %s: its kernel command line is %s%zu bytes, "
		     "more than the %d an x86 kernel boots with (%d routes, "
		     "%d interfaces): use fewer routes or next hops",
		     p->opts.file, p->opts.file[0] ? ": " : "",
		     p->nodes[n].name, len == sizeof(buf) ? "over " : "", len,
		     TOPO_CMDLINE_MAX, p->nodes[n].nroutes, p->nodes[n].nifs);
		return -1;
	}
	return 0;
}

static int
cat(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*off >= len)
		return -1;
	va_start(ap, fmt);
	r = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= len - *off)
		return -1;
	*off += r;
	return 0;
}

/*
 * --routing bgp: node n is AS TOPO_BGP_AS_BASE+n and peers (eBGP) with
 * every other node's interface on an internal network it shares:
 * " vr.as=AS vr.peer=IP,AS ...".
 */
static int
bgp_cmdline(const struct topo_plan *p, int n, char *buf, size_t len,
	    size_t *off)
{
	const struct topo_node *nd = &p->nodes[n];

	if (cat(buf, len, off, " vr.as=%d", TOPO_BGP_AS_BASE + n) == -1)
		return -1;
	for (int i = 0; i < nd->nifs; i++) {
		if (nd->ifs[i].port >= 0)
			continue;
		for (int m = 0; m < p->nnodes; m++)
			for (int k = 0; m != n && k < p->nodes[m].nifs; k++) {
				const struct topo_if *f = &p->nodes[m].ifs[k];
				char a[24], *slash;

				if (f->port >= 0 ||
				    f->segment != nd->ifs[i].segment)
					continue;
				vr_strlcpy(a, f->addr, sizeof(a));
				if ((slash = strchr(a, '/')) != NULL)
					*slash = '\0';
				if (cat(buf, len, off, " vr.peer=%s,%d", a,
					TOPO_BGP_AS_BASE + m) == -1)
					return -1;
			}
	}
	return 0;
}

int
topo_node_cmdline(const struct topo_plan *p, int n, char *buf, size_t len)
{
	const struct topo_node *nd;
	const char *rid;
	size_t off = 0;
	int mp = 0;

	if (len)
		buf[0] = '\0';
	if (p == NULL || n < 0 || n >= p->nnodes)
		return -1;
	nd = &p->nodes[n];
	if (cat(buf, len, &off,
		"console=ttyS0,115200 panic=-1 loglevel=3 vr.node=%s "
		"vr.role=%s",
		nd->name, topo_role_name(nd->role)) == -1)
		return -1;
	for (int i = 0; i < nd->nifs; i++)
		if (cat(buf, len, &off, " vr.if=%s,%s", nd->ifs[i].mac,
			nd->ifs[i].addr) == -1)
			return -1;
	if (p->opts.routing != ROUTING_STATIC &&
	    (rid = router_id(p, n)) != NULL &&
	    cat(buf, len, &off, " vr.rid=%.*s", (int)strcspn(rid, "/"), rid) ==
		-1)
		return -1;
	if (p->opts.routing != ROUTING_STATIC &&
	    cat(buf, len, &off, " vr.routing=%s",
		topo_routing_name(p->opts.routing)) == -1)
		return -1;
	if (p->opts.routing == ROUTING_BGP &&
	    bgp_cmdline(p, n, buf, len, &off) == -1)
		return -1;
	for (int i = 0; i < nd->nroutes; i++) {
		const struct topo_route *r = &nd->routes[i];

		/* ospf, bgp: another node announces it; the guest waits
		 * (for every nexthop of an ECMP route: ",N") */
		if (p->opts.routing != ROUTING_STATIC &&
		    topo_route_learned(p, r)) {
			if (cat(buf, len, &off, " vr.learn=%s", r->dst) == -1 ||
			    (r->nvia > 1 &&
			     cat(buf, len, &off, ",%d", r->nvia) == -1))
				return -1;
			continue;
		}
		if (cat(buf, len, &off, " vr.route=%s", r->dst) == -1)
			return -1;
		for (int k = 0; k < r->nvia; k++)
			if (cat(buf, len, &off, ",%s", r->via[k]) == -1)
				return -1;
		if (r->nvia > 1)
			mp = 1;
	}
	/* split macvtap: the source, which an ARP reply may not tell */
	for (int i = 0; i < nd->nifs; i++)
		if (topo_if_split_queue(p, &nd->ifs[i]) &&
		    cat(buf, len, &off, " vr.neigh=%.*s,%s",
			(int)strcspn(p->ports[0].ns_addr, "/"),
			p->ports[0].ns_addr, p->ports[0].ns_mac) == -1)
			return -1;
	if (nd->vcpus > 1 && cat(buf, len, &off, " vr.rps=1") == -1)
		return -1;
	/* an L4 flow hash for ECMP routes (the MSR load balancer) */
	if ((mp || nd->role == ROLE_LB) &&
	    cat(buf, len, &off, " vr.mphash=1") == -1)
		return -1;
	if (nd->role == ROLE_LB && p->opts.lb_mode == LB_MODE_PACKET &&
	    lb_arg(p, n, buf, len, &off, NULL, 0) == -1)
		return -1;
	if (p->opts.guest_txqueuelen > 0 && cat(buf, len, &off, " vr.txqlen=%d",
						p->opts.guest_txqueuelen) == -1)
		return -1;
	if (topo_node_fib_routes(p, n) > 0) { /* via the default's gateways */
		const struct topo_route *r = topo_node_default_route(nd);

		if (r == NULL || cat(buf, len, &off, " vr.fib=%d",
				     topo_node_fib_routes(p, n)) == -1)
			return -1;
		for (int k = 0; k < r->nvia; k++)
			if (cat(buf, len, &off, ",%s", r->via[k]) == -1)
				return -1;
	}
	if (p->opts.guest_cmdline[0] != '\0' &&
	    cat(buf, len, &off, " %s", p->opts.guest_cmdline) == -1)
		return -1;
	return 0;
}
