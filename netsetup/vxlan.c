/*
 * VXLAN segments between hosts: the device (unicast, learning off, no
 * multicast group) and its flood list, one all-zeros-MAC FDB entry per
 * remote endpoint, as `bridge fdb append 00:00:00:00:00:00 dev X dst IP`
 * makes them.  The device is tagged like every other link and deleted
 * with nl_link_del; its FDB goes with it.  Reading it back is in query.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/neighbour.h>

#include <netlink/addr.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vxlan.h>
#include <netlink/route/neighbour.h>

#include "netsetup.h"
#include "ns_priv.h"

/* Add the flood entry for remote on the device at ifindex. */
static int
vxlan_fdb_add(struct ns_ctx *ctx, const char *name, int ifindex,
	      const char *remote)
{
	static const unsigned char zero[6];
	struct nl_addr *dst = NULL, *ll = NULL;
	char what[128];
	int rv = -1;

	snprintf(what, sizeof(what), "vxlan %s: add remote %s", name,
		 remote ? remote : "");
	if (ns_addr_parse(ctx, what, remote, &dst) == -1)
		goto fail;
	if ((ll = nl_addr_build(AF_LLC, zero, sizeof(zero))) == NULL) {
		ns_fail(ctx, ENOMEM, NULL, "%s", what);
		goto fail;
	}
	rv = ns_neigh_add(ctx, what, ifindex, dst, ll, 1);
fail:
	if (dst != NULL)
		nl_addr_put(dst);
	if (ll != NULL)
		nl_addr_put(ll);
	return rv;
}

/*
 * Each remote once, and not this host: the kernel takes a repeated
 * append silently, and a VXLAN to itself loops.
 */
static int
vxlan_check_remotes(struct ns_ctx *ctx, const char *what,
		    const struct nl_vxlan *vx, struct nl_addr *local)
{
	struct nl_addr *a[NL_VXLAN_MAX_REMOTES] = {NULL};
	int i, k, rv = -1;

	for (i = 0; i < vx->nremotes; i++) {
		if (vx->remotes[i] == NULL ||
		    ns_addr_parse(ctx, what, vx->remotes[i], &a[i]) == -1) {
			if (vx->remotes[i] == NULL)
				ns_fail(ctx, EINVAL, NULL,
					"%s: remote %d: none", what, i);
			goto fail;
		}
		if (nl_addr_get_family(a[i]) != nl_addr_get_family(local)) {
			ns_fail(ctx, EINVAL,
				"the remote and the local address must both be "
				"IPv4 or both IPv6",
				"%s: remote %s", what, vx->remotes[i]);
			goto fail;
		}
		if (nl_addr_cmp(a[i], local) == 0) {
			ns_fail(ctx, EINVAL,
				"a remote is another host, not this one",
				"%s: remote %s is the local address", what,
				vx->remotes[i]);
			goto fail;
		}
		for (k = 0; k < i; k++)
			if (nl_addr_cmp(a[k], a[i]) == 0) {
				ns_fail(ctx, EINVAL, "give each remote once",
					"%s: remote %s listed twice", what,
					vx->remotes[i]);
				goto fail;
			}
	}
	rv = 0;
fail:
	for (i = 0; i < vx->nremotes; i++)
		if (a[i] != NULL)
			nl_addr_put(a[i]);
	return rv;
}

/* Check vx before anything is made; the local address into *local. */
static int
vxlan_check(struct ns_ctx *ctx, const char *name, const struct nl_vxlan *vx,
	    struct nl_addr **local)
{
	char what[64];

	*local = NULL;
	snprintf(what, sizeof(what), "create vxlan %s", name ? name : "");
	if (ns_check_ifname(ctx, "create vxlan", name) == -1)
		return -1;
	if (vx == NULL)
		return ns_fail(ctx, EINVAL, "no VXLAN parameters given", "%s",
			       what);
	if (vx->vni == 0 || vx->vni > NL_VXLAN_VNI_MAX)
		return ns_fail(ctx, EINVAL, "a VNI is 1 to 16777215",
			       "%s: VNI %u", what, vx->vni);
	if (vx->mtu != 0 && (vx->mtu < 68 || vx->mtu > 65535))
		return ns_fail(ctx, EINVAL, "an MTU is 68 to 65535",
			       "%s: mtu %d", what, vx->mtu);
	if (vx->nremotes < 0 || vx->nremotes > NL_VXLAN_MAX_REMOTES ||
	    (vx->nremotes > 0 && vx->remotes == NULL))
		return ns_fail(ctx, EINVAL, "0 to 32 remote endpoints",
			       "%s: %d remotes", what, vx->nremotes);
	if (vx->local == NULL || vx->local[0] == '\0')
		return ns_fail(ctx, EINVAL,
			       "a unicast VXLAN needs this host's underlay "
			       "address",
			       "%s: no local address", what);
	if (ns_addr_parse(ctx, what, vx->local, local) == -1)
		return -1;
	if (vxlan_check_remotes(ctx, what, vx, *local) == -1) {
		nl_addr_put(*local);
		*local = NULL;
		return -1;
	}
	return 0;
}

int
nl_vxlan_add(struct ns_ctx *ctx, const char *name, const char *alias,
	     const struct nl_vxlan *vx, const char *bridge)
{
	struct rtnl_link *link = NULL;
	struct nl_addr *local = NULL;
	int rv = -1, err, i, ifindex;

	if (vxlan_check(ctx, name, vx, &local) == -1)
		goto fail;
	if ((link = rtnl_link_vxlan_alloc()) == NULL) {
		ns_fail(ctx, ENOMEM, NULL, "create vxlan %s", name);
		goto fail;
	}
	rtnl_link_set_name(link, name);
	if ((err = rtnl_link_vxlan_set_id(link, vx->vni)) < 0 ||
	    (err = rtnl_link_vxlan_set_local(link, local)) < 0 ||
	    (err = rtnl_link_vxlan_set_port(
		 link, vx->port ? vx->port : NL_VXLAN_PORT)) < 0 ||
	    (err = rtnl_link_vxlan_disable_learning(link)) < 0) {
		ns_fail_nl(ctx, err, NULL, "create vxlan %s", name);
		goto fail;
	}
	if (vx->mtu > 0)
		rtnl_link_set_mtu(link, (unsigned int)vx->mtu);
	if (ns_link_add(ctx, link, "vxlan", name, alias) == -1)
		goto fail;

	if (bridge != NULL && nl_link_set_master(ctx, name, bridge) == -1)
		goto rollback;
	if ((ifindex = nl_link_ifindex(ctx, name)) == -1)
		goto rollback;
	for (i = 0; i < vx->nremotes; i++)
		if (vxlan_fdb_add(ctx, name, ifindex, vx->remotes[i]) == -1)
			goto rollback;
	rv = 0;
	goto fail;
rollback:
	ns_link_rollback(ctx, name);
fail:
	if (link != NULL)
		rtnl_link_put(link);
	if (local != NULL)
		nl_addr_put(local);
	return rv;
}
