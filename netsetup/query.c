/*
 * Queries on links: existence, index, alias, MAC, counters, kind, and the
 * walk over vrouterd's tagged links.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vxlan.h>
#include <netlink/route/neighbour.h>

#include "netsetup.h"
#include "ns_priv.h"
#include "util.h"

/* An interface name the kernel would accept: 1..15 bytes, no '/', ':'. */
int
ns_check_ifname(struct ns_ctx *ctx, const char *what, const char *name)
{
	size_t n;

	if (name == NULL)
		return ns_fail(ctx, EINVAL, "no interface name given", "%s",
			       what);
	n = strlen(name);
	if (n == 0 || n >= IFNAMSIZ || strpbrk(name, "/: \t\n") != NULL ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return ns_fail(ctx, EINVAL,
			       "interface names are 1 to 15 bytes without "
			       "'/', ':' or blanks",
			       "%s %s", what, name);
	return 0;
}

/*
 * Fetch one link by name from the kernel (RTM_GETLINK); 0, or a negative
 * libnl code with the kernel's errno in ctx (ENODEV when missing).
 */
int
ns_link_get(struct ns_ctx *ctx, const char *name, struct rtnl_link **link)
{
	*link = NULL;
	ns_req_begin(ctx);
	return rtnl_link_get_kernel(ctx->nc_sk, 0, name, link);
}

static int
ns_is_missing(struct ns_ctx *ctx, int nlerr)
{
	int e = ns_req_errno(ctx, nlerr);

	return e == ENODEV || e == ENOENT;
}

/* Look a link up for query WHAT; -1 with ENODEV and a message if absent. */
static int
query_link(struct ns_ctx *ctx, const char *what, const char *name,
	   struct rtnl_link **link)
{
	int err;

	if (ns_check_ifname(ctx, what, name) == -1)
		return -1;
	if ((err = ns_link_get(ctx, name, link)) < 0) {
		if (ns_is_missing(ctx, err))
			return ns_fail(ctx, ENODEV, "no interface of that name",
				       "%s %s", what, name);
		return ns_fail_nl(ctx, err, NULL, "%s %s", what, name);
	}
	return 0;
}

int
nl_link_exists(struct ns_ctx *ctx, const char *name)
{
	struct rtnl_link *link;
	int err;

	if (ns_check_ifname(ctx, "look up", name) == -1)
		return -1;
	if ((err = ns_link_get(ctx, name, &link)) < 0) {
		if (ns_is_missing(ctx, err))
			return 0;
		return ns_fail_nl(ctx, err, NULL, "look up %s", name);
	}
	rtnl_link_put(link);
	return 1;
}

int
nl_link_ifindex(struct ns_ctx *ctx, const char *name)
{
	struct rtnl_link *link;
	int ifindex;

	if (query_link(ctx, "look up", name, &link) == -1)
		return -1;
	ifindex = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return ifindex;
}

int
nl_link_get_mtu(struct ns_ctx *ctx, const char *name)
{
	struct rtnl_link *link;
	int mtu;

	if (query_link(ctx, "get mtu of", name, &link) == -1)
		return -1;
	mtu = (int)rtnl_link_get_mtu(link);
	rtnl_link_put(link);
	return mtu;
}

static int
query_copy(struct ns_ctx *ctx, const char *what, const char *name,
	   const char *val, char *buf, size_t len)
{
	if (buf == NULL || len == 0 || vr_strlcpy(buf, val, len) >= len)
		return ns_fail(ctx, ERANGE, "buffer too small", "%s %s", what,
			       name);
	return 0;
}

int
nl_link_get_alias(struct ns_ctx *ctx, const char *name, char *buf, size_t len)
{
	struct rtnl_link *link;
	const char *alias;
	int rv;

	if (query_link(ctx, "get alias of", name, &link) == -1)
		return -1;
	alias = rtnl_link_get_ifalias(link);
	rv =
	    query_copy(ctx, "get alias of", name, alias ? alias : "", buf, len);
	rtnl_link_put(link);
	return rv;
}

int
nl_link_get_mac(struct ns_ctx *ctx, const char *name, char *buf, size_t len)
{
	struct rtnl_link *link;
	struct nl_addr *a;
	char tmp[64];
	int rv;

	if (query_link(ctx, "get mac of", name, &link) == -1)
		return -1;
	a = rtnl_link_get_addr(link); /* not a new reference */
	if (a == NULL || nl_addr_get_len(a) == 0)
		tmp[0] = '\0';
	else
		nl_addr2str(a, tmp, sizeof(tmp));
	rv = query_copy(ctx, "get mac of", name, tmp, buf, len);
	rtnl_link_put(link);
	return rv;
}

int
nl_link_stats(struct ns_ctx *ctx, const char *name, struct nl_link_stats *st)
{
	struct rtnl_link *link;

	if (query_link(ctx, "get counters of", name, &link) == -1)
		return -1;
	/* libnl fills these from IFLA_STATS64 when the kernel sends it */
	st->rx_packets = rtnl_link_get_stat(link, RTNL_LINK_RX_PACKETS);
	st->tx_packets = rtnl_link_get_stat(link, RTNL_LINK_TX_PACKETS);
	st->rx_bytes = rtnl_link_get_stat(link, RTNL_LINK_RX_BYTES);
	st->tx_bytes = rtnl_link_get_stat(link, RTNL_LINK_TX_BYTES);
	st->rx_dropped = rtnl_link_get_stat(link, RTNL_LINK_RX_DROPPED);
	st->tx_dropped = rtnl_link_get_stat(link, RTNL_LINK_TX_DROPPED);
	st->rx_errors = rtnl_link_get_stat(link, RTNL_LINK_RX_ERRORS);
	st->tx_errors = rtnl_link_get_stat(link, RTNL_LINK_TX_ERRORS);
	rtnl_link_put(link);
	return 0;
}

int
nl_link_kind(struct ns_ctx *ctx, const char *name, char *buf, size_t len)
{
	struct rtnl_link *link;
	const char *kind;
	int rv;

	if (query_link(ctx, "get kind of", name, &link) == -1)
		return -1;
	/* IFLA_INFO_KIND; none for physical NICs and lo */
	kind = rtnl_link_get_type(link);
	rv = query_copy(ctx, "get kind of", name, kind ? kind : "device", buf,
			len);
	rtnl_link_put(link);
	return rv;
}

/* addr as text into buf ("" for none); 0 or -1. */
static int
query_addr(struct ns_ctx *ctx, const char *name, struct nl_addr *a, char *buf,
	   size_t len)
{
	char tmp[64];

	if (a == NULL || nl_addr_get_len(a) == 0)
		tmp[0] = '\0';
	else if (nl_addr2str(a, tmp, sizeof(tmp)) == NULL)
		return ns_fail(ctx, EINVAL, NULL, "read vxlan %s", name);
	/* a host address prints without "/32" */
	return query_copy(ctx, "read vxlan", name, tmp, buf, len);
}

/* The flood list: all-zeros-MAC FDB entries with a destination. */
static int
vxlan_remotes(struct ns_ctx *ctx, const char *name, int ifindex,
	      struct nl_vxlan_info *out)
{
	static const unsigned char zero[6];
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	struct nl_addr *ll;
	int err, rv = -1;

	ns_req_begin(ctx);
	/* AF_ITER: one dump per family the cache knows, AF_BRIDGE among
	 * them (the FDB) */
	if ((err = rtnl_neigh_alloc_cache_flags(ctx->nc_sk, &cache,
						NL_CACHE_AF_ITER)) < 0)
		return ns_fail_nl(ctx, err, NULL, "read vxlan %s: FDB", name);
	for (obj = nl_cache_get_first(cache); obj != NULL;
	     obj = nl_cache_get_next(obj)) {
		struct rtnl_neigh *ne = (struct rtnl_neigh *)obj;

		if (rtnl_neigh_get_family(ne) != AF_BRIDGE ||
		    rtnl_neigh_get_ifindex(ne) != ifindex ||
		    rtnl_neigh_get_dst(ne) == NULL)
			continue;
		ll = rtnl_neigh_get_lladdr(ne);
		if (ll == NULL || nl_addr_get_len(ll) != sizeof(zero) ||
		    memcmp(nl_addr_get_binary_addr(ll), zero, sizeof(zero)) !=
			0)
			continue;
		if (out->nremotes == NL_VXLAN_MAX_REMOTES) {
			ns_fail(ctx, ERANGE, "more remotes than netsetup reads",
				"read vxlan %s", name);
			goto fail;
		}
		if (query_addr(ctx, name, rtnl_neigh_get_dst(ne),
			       out->remotes[out->nremotes],
			       sizeof(out->remotes[0])) == -1)
			goto fail;
		out->nremotes++;
	}
	rv = 0;
fail:
	nl_cache_free(cache);
	return rv;
}

int
nl_vxlan_get(struct ns_ctx *ctx, const char *name, struct nl_vxlan_info *out)
{
	struct rtnl_link *link = NULL, *m = NULL;
	struct nl_addr *a = NULL;
	uint32_t v;
	int rv = -1, master;

	memset(out, 0, sizeof(*out));
	if (query_link(ctx, "read vxlan", name, &link) == -1)
		return -1;
	if (!rtnl_link_is_vxlan(link)) {
		ns_fail(ctx, EINVAL, "the interface is not a VXLAN device",
			"read vxlan %s", name);
		goto fail;
	}
	if (rtnl_link_vxlan_get_id(link, &v) == 0)
		out->vni = v;
	if (rtnl_link_vxlan_get_port(link, &v) == 0)
		out->port = (uint16_t)v;
	out->learning = rtnl_link_vxlan_get_learning(link) > 0;
	out->mtu = (int)rtnl_link_get_mtu(link);
	if (rtnl_link_vxlan_get_local(link, &a) == 0) {
		if (query_addr(ctx, name, a, out->local, sizeof(out->local)) ==
		    -1)
			goto fail;
		nl_addr_put(a);
		a = NULL;
	}
	if (rtnl_link_vxlan_get_group(link, &a) == 0) {
		if (query_addr(ctx, name, a, out->group, sizeof(out->group)) ==
		    -1)
			goto fail;
		nl_addr_put(a);
		a = NULL;
	}
	if ((master = rtnl_link_get_master(link)) > 0) {
		ns_req_begin(ctx);
		if (rtnl_link_get_kernel(ctx->nc_sk, master, NULL, &m) == 0 &&
		    query_copy(ctx, "read vxlan", name, rtnl_link_get_name(m),
			       out->master, sizeof(out->master)) == -1)
			goto fail;
	}
	if (vxlan_remotes(ctx, name, rtnl_link_get_ifindex(link), out) == -1)
		goto fail;
	rv = 0;
fail:
	if (a != NULL)
		nl_addr_put(a);
	if (m != NULL)
		rtnl_link_put(m);
	rtnl_link_put(link);
	return rv;
}

struct tagged {
	char *name, *alias;
};

int
nl_link_foreach_tagged(struct ns_ctx *ctx, const char *alias_prefix,
		       void (*fn)(const char *name, const char *alias,
				  void *arg),
		       void *arg)
{
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	struct tagged *v = NULL;
	size_t i, n = 0, cap = 0;
	size_t plen = alias_prefix ? strlen(alias_prefix) : 0;
	const char *alias, *name;
	int err;

	ns_req_begin(ctx);
	if ((err = rtnl_link_alloc_cache(ctx->nc_sk, AF_UNSPEC, &cache)) < 0)
		return ns_fail_nl(ctx, err, NULL, "list links");
	/* collect first: fn may well delete what it is given */
	for (obj = nl_cache_get_first(cache); obj != NULL;
	     obj = nl_cache_get_next(obj)) {
		struct rtnl_link *link = (struct rtnl_link *)obj;

		alias = rtnl_link_get_ifalias(link);
		name = rtnl_link_get_name(link);
		if (alias == NULL || name == NULL ||
		    strncmp(alias, alias_prefix ? alias_prefix : "", plen) != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[n].name = xstrdup(name);
		v[n].alias = xstrdup(alias);
		n++;
	}
	nl_cache_free(cache);
	for (i = 0; i < n; i++) {
		fn(v[i].name, v[i].alias, arg);
		free(v[i].name);
		free(v[i].alias);
	}
	free(v);
	return 0;
}
