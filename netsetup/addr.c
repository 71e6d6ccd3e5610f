/*
 * Layer 3: interface addresses, routes and permanent neighbour entries,
 * from the strings a topology plan carries ("198.18.1.2/24", "default").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <netlink/addr.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include "netsetup.h"
#include "ns_priv.h"
#include "util.h"

/*
 * Parse "A.B.C.D[/N]" or "X::Y[/N]" into a new nl_addr.  Without "/N"
 * the prefix is the full length; with_prefix 0 refuses a "/N".
 */
static int
addr_parse(struct ns_ctx *ctx, const char *what, const char *s, int with_prefix,
	   struct nl_addr **out)
{
	unsigned char bytes[16];
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	int family, max;
	long plen;

	*out = NULL;
	if (s == NULL || vr_strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		goto bad;
	if ((slash = strchr(buf, '/')) != NULL) {
		if (!with_prefix)
			goto bad;
		*slash++ = '\0';
	}
	if (inet_pton(AF_INET, buf, bytes) == 1) {
		family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, bytes) == 1) {
		family = AF_INET6;
		max = 128;
	} else
		goto bad;
	plen = max;
	if (slash != NULL) {
		errno = 0;
		plen = strtol(slash, &end, 10);
		if (slash[0] < '0' || slash[0] > '9' || *end != '\0' ||
		    errno != 0 || plen < 0 || plen > max)
			goto bad;
	}
	if ((*out = nl_addr_build(family, bytes, max / 8)) == NULL)
		return ns_fail(ctx, ENOMEM, NULL, "%s", what);
	nl_addr_set_prefixlen(*out, (int)plen);
	return 0;
bad:
	return ns_fail(ctx, EINVAL,
		       with_prefix ? "expected an address with a prefix "
				     "length, like 198.18.1.2/24"
				   : "expected an address like 198.18.1.1",
		       "%s: '%s'", what, s ? s : "");
}

int
ns_addr_parse(struct ns_ctx *ctx, const char *what, const char *s,
	      struct nl_addr **out)
{
	return addr_parse(ctx, what, s, 0, out);
}

static int
addr_ifindex(struct ns_ctx *ctx, const char *what, const char *name)
{
	int ifindex;

	if ((ifindex = nl_link_ifindex(ctx, name)) == -1)
		return ns_fail(ctx, errno,
			       errno == ENODEV ? "no interface of that name"
					       : NULL,
			       "%s: interface %s", what, name);
	return ifindex;
}

int
nl_addr_add(struct ns_ctx *ctx, const char *name, const char *cidr)
{
	struct rtnl_addr *ra = NULL;
	struct nl_addr *local = NULL;
	char what[128];
	int rv = -1, ifindex, err, e;

	snprintf(what, sizeof(what), "add address %s to %s", cidr ? cidr : "",
		 name ? name : "");
	if (addr_parse(ctx, what, cidr, 1, &local) == -1)
		goto fail;
	if ((ifindex = addr_ifindex(ctx, what, name)) == -1)
		goto fail;
	if ((ra = rtnl_addr_alloc()) == NULL) {
		ns_fail(ctx, ENOMEM, NULL, "%s", what);
		goto fail;
	}
	rtnl_addr_set_ifindex(ra, ifindex);
	if ((err = rtnl_addr_set_local(ra, local)) < 0) { /* and prefixlen */
		ns_fail_nl(ctx, err, NULL, "%s", what);
		goto fail;
	}
	ns_req_begin(ctx);
	if ((err = rtnl_addr_add(ctx->nc_sk, ra, NLM_F_CREATE | NLM_F_EXCL)) <
	    0) {
		e = ns_req_errno(ctx, err);
		ns_fail(ctx, e,
			e == EEXIST ? "the interface has that address already"
				    : NULL,
			"%s", what);
		goto fail;
	}
	rv = 0;
fail:
	if (ra != NULL)
		rtnl_addr_put(ra);
	if (local != NULL)
		nl_addr_put(local);
	return rv;
}

int
nl_route_add(struct ns_ctx *ctx, const char *dst, const char *via)
{
	return nl_route_add_multipath(ctx, dst, &via, 1);
}

int
nl_route_add_multipath(struct ns_ctx *ctx, const char *dst,
		       const char *const *via, int nvia)
{
	struct rtnl_route *rt = NULL;
	struct nl_addr *d = NULL, *gw = NULL;
	unsigned char zero[16] = {0};
	char what[512];
	size_t off;
	int rv = -1, err, e, family = AF_INET;

	off = (size_t)snprintf(what, sizeof(what), "add route %s via",
			       dst ? dst : "");
	for (int i = 0; i < nvia && off < sizeof(what); i++)
		off += (size_t)snprintf(what + off, sizeof(what) - off, "%s%s",
					i ? "," : " ", via[i] ? via[i] : "");
	if (nvia < 1) {
		ns_fail(ctx, EINVAL, "give at least one gateway", "%s", what);
		goto fail;
	}
	if ((rt = rtnl_route_alloc()) == NULL) {
		ns_fail(ctx, ENOMEM, NULL, "%s", what);
		goto fail;
	}
	/* one nexthop per gateway: libnl sends RTA_MULTIPATH for several */
	for (int i = 0; i < nvia; i++) {
		struct rtnl_nexthop *nh;

		if (addr_parse(ctx, what, via[i], 0, &gw) == -1)
			goto fail;
		if (i > 0 && nl_addr_get_family(gw) != family) {
			ns_fail(ctx, EINVAL, "mixed address families", "%s",
				what);
			goto fail;
		}
		family = nl_addr_get_family(gw);
		if ((nh = rtnl_route_nh_alloc()) == NULL) {
			ns_fail(ctx, ENOMEM, NULL, "%s", what);
			goto fail;
		}
		rtnl_route_nh_set_gateway(nh, gw);
		rtnl_route_add_nexthop(rt, nh); /* rt owns nh now */
		nl_addr_put(gw);
		gw = NULL;
	}
	if (dst != NULL && strcmp(dst, "default") == 0) {
		d = nl_addr_build(family, zero, family == AF_INET ? 4 : 16);
		if (d == NULL) {
			ns_fail(ctx, ENOMEM, NULL, "%s", what);
			goto fail;
		}
		nl_addr_set_prefixlen(d, 0);
	} else if (addr_parse(ctx, what, dst, 1, &d) == -1)
		goto fail;
	if (nl_addr_get_family(d) != family) {
		ns_fail(ctx, EINVAL,
			"the destination and the gateway must both be IPv4 "
			"or both IPv6",
			"%s", what);
		goto fail;
	}
	rtnl_route_set_family(rt, (uint8_t)family);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_protocol(rt, RTPROT_BOOT); /* as `ip route add` */
	rtnl_route_set_scope(rt, RT_SCOPE_UNIVERSE);
	rtnl_route_set_type(rt, RTN_UNICAST);
	if ((err = rtnl_route_set_dst(rt, d)) < 0) {
		ns_fail_nl(ctx, err, NULL, "%s", what);
		goto fail;
	}
	ns_req_begin(ctx);
	if ((err = rtnl_route_add(ctx->nc_sk, rt, NLM_F_CREATE | NLM_F_EXCL)) <
	    0) {
		e = ns_req_errno(ctx, err);
		ns_fail(ctx, e,
			e == EEXIST	   ? "a route to that destination "
					     "exists already"
			: e == ENETUNREACH ? "a gateway is on no connected "
					     "network: give an interface an "
					     "address on its subnet and set "
					     "it up first"
					   : NULL,
			"%s", what);
		goto fail;
	}
	rv = 0;
fail:
	if (rt != NULL)
		rtnl_route_put(rt);
	if (d != NULL)
		nl_addr_put(d);
	if (gw != NULL)
		nl_addr_put(gw);
	return rv;
}

/* A permanent neighbour entry on ifindex: an IP neighbour (ARP/NDP,
 * replacing a learnt one) or, with fdb, a bridge FDB entry of the device
 * itself (NTF_SELF) whose NDA_DST is dst, appended to the list of ll.
 * The caller keeps dst and ll. */
int
ns_neigh_add(struct ns_ctx *ctx, const char *what, int ifindex,
	     struct nl_addr *dst, struct nl_addr *ll, int fdb)
{
	struct rtnl_neigh *ne;
	int rv = -1, err;

	if ((ne = rtnl_neigh_alloc()) == NULL) {
		ns_fail(ctx, ENOMEM, NULL, "%s", what);
		return -1;
	}
	rtnl_neigh_set_ifindex(ne, ifindex);
	/* the address first: it sets the family, which an FDB entry then
	 * overrides with AF_BRIDGE */
	if ((err = rtnl_neigh_set_dst(ne, dst)) < 0) {
		ns_fail_nl(ctx, err, NULL, "%s", what);
		goto fail;
	}
	if (fdb) {
		rtnl_neigh_set_family(ne, AF_BRIDGE);
		rtnl_neigh_set_flags(ne, NTF_SELF);
	}
	rtnl_neigh_set_lladdr(ne, ll);
	rtnl_neigh_set_state(ne, NUD_PERMANENT);
	ns_req_begin(ctx);
	/* an FDB entry appends (the all-zeros entry holds a list of
	 * remotes); an IP neighbour replaces a learnt entry */
	if ((err = rtnl_neigh_add(
		 ctx->nc_sk, ne,
		 NLM_F_CREATE | (fdb ? NLM_F_APPEND : NLM_F_REPLACE))) < 0) {
		ns_fail_nl(ctx, err, NULL, "%s", what);
		goto fail;
	}
	rv = 0;
fail:
	rtnl_neigh_put(ne);
	return rv;
}

int
nl_neigh_add(struct ns_ctx *ctx, const char *name, const char *ip,
	     const char *mac)
{
	struct nl_addr *dst = NULL, *ll = NULL;
	char what[128];
	int rv = -1, ifindex;

	snprintf(what, sizeof(what), "add neighbour %s on %s", ip ? ip : "",
		 name ? name : "");
	if (addr_parse(ctx, what, ip, 0, &dst) == -1 ||
	    ns_parse_mac(ctx, what, mac, &ll) == -1)
		goto fail;
	if ((ifindex = addr_ifindex(ctx, what, name)) == -1)
		goto fail;
	rv = ns_neigh_add(ctx, what, ifindex, dst, ll, 0);
fail:
	if (dst != NULL)
		nl_addr_put(dst);
	if (ll != NULL)
		nl_addr_put(ll);
	return rv;
}
