/*
 * Links: creation (veth, bridge, tap, macvtap, dummy), changes (up/down,
 * master, txqueuelen, alias, MAC) and the alias-guarded deletion.
 */
#include <sys/ioctl.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/if_tun.h>

#include <netlink/addr.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvtap.h>
#include <netlink/route/link/veth.h>

#include "netsetup.h"
#include "ns_priv.h"
#include "util.h"

#define CREATE_FLAGS (NLM_F_CREATE | NLM_F_EXCL)

static int link_change(struct ns_ctx *, const char *, const char *,
		       struct rtnl_link *);

/* Parse "52:54:00:12:34:56" into a new AF_LLC nl_addr (unicast only). */
int
ns_parse_mac(struct ns_ctx *ctx, const char *what, const char *mac,
	     struct nl_addr **out)
{
	unsigned char b[6];
	char tail;

	*out = NULL;
	if (mac == NULL || strlen(mac) != 17 ||
	    sscanf(mac, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx%c", &b[0], &b[1],
		   &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		return ns_fail(ctx, EINVAL,
			       "expected six hex octets like 52:54:00:12:34:56",
			       "%s: MAC address '%s'", what, mac ? mac : "");
	if (b[0] & 1)
		return ns_fail(ctx, EINVAL,
			       "a multicast MAC cannot name an interface",
			       "%s: MAC address '%s'", what, mac);
	if ((*out = nl_addr_build(AF_LLC, b, sizeof(b))) == NULL)
		return ns_fail(ctx, ENOMEM, NULL, "%s", what);
	return 0;
}

/* Send a link creation request and explain a failure. */
static int
link_send(struct ns_ctx *ctx, struct rtnl_link *link, const char *kind,
	  const char *name)
{
	char hint[256];
	int err, e;

	ns_req_begin(ctx);
	if ((err = rtnl_link_add(ctx->nc_sk, link, CREATE_FLAGS)) == 0)
		return 0;
	e = ns_req_errno(ctx, err);
	if (e == EEXIST) {
		ns_exists_hint(ctx, name, hint, sizeof(hint));
		return ns_fail(ctx, e, hint, "create %s %s", kind, name);
	}
	if (e == EOPNOTSUPP)
		return ns_fail(ctx, e,
			       "the kernel lacks this link type; "
			       "is its module loaded?",
			       "create %s %s", kind, name);
	return ns_fail(ctx, e, NULL, "create %s %s", kind, name);
}

/* Undo a creation after a later step failed; keeps the first error. */
static void
link_rollback(struct ns_ctx *ctx, const char *name)
{
	struct rtnl_link *link = NULL;
	char saved[sizeof(ctx->nc_err)];
	int e = errno;

	memcpy(saved, ctx->nc_err, sizeof(saved));
	if (ns_link_get(ctx, name, &link) == 0) {
		(void)rtnl_link_delete(ctx->nc_sk, link);
		rtnl_link_put(link);
	}
	memcpy(ctx->nc_err, saved, sizeof(saved));
	errno = e;
}

/*
 * Tag a link just created.  The alias is in the creation request too, but
 * the kernel applies IFLA_IFALIAS only on changes, so set it now.
 */
static int
link_tag(struct ns_ctx *ctx, const char *name, const char *alias)
{
	struct rtnl_link *ch;
	int rv;

	if (alias == NULL || alias[0] == '\0')
		return 0;
	if ((ch = rtnl_link_alloc()) == NULL)
		return ns_fail(ctx, ENOMEM, NULL, "set alias on %s", name);
	rtnl_link_set_ifalias(ch, alias);
	rv = link_change(ctx, "set alias on", name, ch);
	rtnl_link_put(ch);
	return rv;
}

/* Create link (name, kind) tagged with alias; nothing is left on failure. */
static int
link_add(struct ns_ctx *ctx, struct rtnl_link *link, const char *kind,
	 const char *name, const char *alias)
{
	if (alias != NULL)
		rtnl_link_set_ifalias(link, alias);
	if (link_send(ctx, link, kind, name) == -1)
		return -1;
	if (link_tag(ctx, name, alias) == -1) {
		link_rollback(ctx, name);
		return -1;
	}
	return 0;
}

static int
check_alias(struct ns_ctx *ctx, const char *what, const char *name,
	    const char *alias)
{
	if (alias != NULL && strlen(alias) >= 256)
		return ns_fail(ctx, EINVAL, "an alias is at most 255 bytes",
			       "%s %s", what, name);
	return 0;
}

/* link_add and link_rollback for the other link files (vxlan.c). */
int
ns_link_add(struct ns_ctx *ctx, struct rtnl_link *link, const char *kind,
	    const char *name, const char *alias)
{
	return check_alias(ctx, "create", name, alias) == -1
		   ? -1
		   : link_add(ctx, link, kind, name, alias);
}

void
ns_link_rollback(struct ns_ctx *ctx, const char *name)
{
	link_rollback(ctx, name);
}

/* A simple link of a kind libnl needs no options for. */
static int
link_simple_add(struct ns_ctx *ctx, const char *kind, const char *name,
		const char *alias)
{
	struct rtnl_link *link = NULL;
	char what[64];
	int rv = -1, err;

	snprintf(what, sizeof(what), "create %s", kind);
	if (ns_check_ifname(ctx, what, name) == -1 ||
	    check_alias(ctx, what, name, alias) == -1)
		goto fail;
	if ((link = rtnl_link_alloc()) == NULL) {
		ns_fail(ctx, ENOMEM, NULL, "%s %s", what, name);
		goto fail;
	}
	rtnl_link_set_name(link, name);
	if ((err = rtnl_link_set_type(link, kind)) < 0) {
		ns_fail_nl(ctx, err, NULL, "%s %s", what, name);
		goto fail;
	}
	if (link_add(ctx, link, kind, name, alias) == -1)
		goto fail;
	rv = 0;
fail:
	if (link != NULL)
		rtnl_link_put(link);
	return rv;
}

int
nl_bridge_add(struct ns_ctx *ctx, const char *name, const char *alias)
{
	return link_simple_add(ctx, "bridge", name, alias);
}

int
nl_dummy_add(struct ns_ctx *ctx, const char *name, const char *alias)
{
	return link_simple_add(ctx, "dummy", name, alias);
}

int
nl_veth_add(struct ns_ctx *ctx, const char *name, const char *alias,
	    const char *peer, const char *peer_alias, const char *peer_netns)
{
	return nl_veth_add_mq(ctx, name, alias, peer, peer_alias, peer_netns,
			      1);
}

int
nl_veth_add_mq(struct ns_ctx *ctx, const char *name, const char *alias,
	       const char *peer, const char *peer_alias, const char *peer_netns,
	       int nqueues)
{
	struct rtnl_link *link = NULL, *pl = NULL;
	struct ns_ctx *pctx = NULL;
	char path[PATH_MAX], hint[320], perr[512];
	int rv = -1, pfd = -1, e;

	if (ns_check_ifname(ctx, "create veth", name) == -1 ||
	    ns_check_ifname(ctx, "create veth peer", peer) == -1 ||
	    check_alias(ctx, "create veth", name, alias) == -1 ||
	    check_alias(ctx, "create veth", peer, peer_alias) == -1)
		goto fail;
	if (peer_netns != NULL) {
		if (netns_check_name(peer_netns) == -1 ||
		    snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR,
			     peer_netns) >= (int)sizeof(path)) {
			ns_fail(ctx, EINVAL, "bad namespace name",
				"create veth %s: peer netns %s", name,
				peer_netns);
			goto fail;
		}
		if ((pfd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
			e = errno;
			ns_fail(ctx, e,
				e == ENOENT ? "no namespace of that name; "
					      "create it first"
					    : NULL,
				"create veth %s: peer netns %s", name,
				peer_netns);
			goto fail;
		}
	}

	if ((link = rtnl_link_veth_alloc()) == NULL) {
		ns_fail(ctx, ENOMEM, NULL, "create veth %s", name);
		goto fail;
	}
	rtnl_link_set_name(link, name);
	if (alias != NULL)
		rtnl_link_set_ifalias(link, alias);
	pl = rtnl_link_veth_get_peer(link); /* a new reference */
	rtnl_link_set_name(pl, peer);
	if (peer_alias != NULL)
		rtnl_link_set_ifalias(pl, peer_alias);
	/* the peer is created right in its namespace (VETH_INFO_PEER's
	 * IFLA_NET_NS_FD); the fd is only read while the request is sent */
	if (pfd != -1)
		rtnl_link_set_ns_fd(pl, pfd);
	if (nqueues > 1) {
		rtnl_link_set_num_tx_queues(link, nqueues);
		rtnl_link_set_num_rx_queues(link, nqueues);
		rtnl_link_set_num_tx_queues(pl, nqueues);
		rtnl_link_set_num_rx_queues(pl, nqueues);
	}

	ns_req_begin(ctx);
	if ((e = rtnl_link_add(ctx->nc_sk, link, CREATE_FLAGS)) < 0) {
		e = ns_req_errno(ctx, e);
		if (e == EEXIST && nl_link_exists(ctx, name) == 1) {
			ns_req_begin(ctx); /* drop the lookup's state */
			ns_exists_hint(ctx, name, hint, sizeof(hint));
			ns_fail(ctx, e, hint, "create veth %s", name);
		} else if (e == EEXIST) {
			snprintf(hint, sizeof(hint),
				 "the peer's name %s is taken%s%s; delete that "
				 "interface or choose another name",
				 peer, peer_netns ? " in netns " : "",
				 peer_netns ? peer_netns : "");
			ns_fail(ctx, e, hint, "create veth %s (peer %s)", name,
				peer);
		} else
			ns_fail(ctx, e, NULL, "create veth %s (peer %s)", name,
				peer);
		goto fail;
	}

	if (link_tag(ctx, name, alias) == -1)
		goto rollback;
	if (peer_alias != NULL && peer_alias[0] != '\0') {
		/* the peer's alias is set where the peer lives */
		if (peer_netns == NULL) {
			if (link_tag(ctx, peer, peer_alias) == -1)
				goto rollback;
		} else {
			pctx = ns_open(peer_netns, perr, sizeof(perr));
			if (pctx == NULL) {
				ns_fail(ctx, errno, NULL,
					"create veth %s: set peer alias: %s",
					name, perr);
				goto rollback;
			}
			if (link_tag(pctx, peer, peer_alias) == -1) {
				ns_fail(ctx, errno, NULL, "create veth %s: %s",
					name, ns_error(pctx));
				goto rollback;
			}
		}
	}
	rv = 0;
	goto fail;

rollback:
	link_rollback(ctx, name); /* deletes both ends */
fail:
	ns_close(pctx);
	if (pl != NULL)
		rtnl_link_put(pl);
	if (link != NULL)
		rtnl_link_veth_release(link);
	if (pfd != -1)
		close(pfd);
	return rv;
}

struct tap_args {
	const char *name;
	int multi_queue;
	const char *step;
};

/* Runs inside the ctx's namespace: tun devices live where they are made. */
static int
tap_make(void *arg)
{
	struct tap_args *ta = arg;
	struct ifreq ifr;
	int fd, e;

	if ((fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC)) == -1) {
		ta->step = "open /dev/net/tun";
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	vr_strlcpy(ifr.ifr_name, ta->name, sizeof(ifr.ifr_name));
	/* IFF_TUN_EXCL: fail rather than attach to an existing device */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_TUN_EXCL;
	if (ta->multi_queue)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		ta->step = "TUNSETIFF";
		goto fail;
	}
	if (ioctl(fd, TUNSETPERSIST, 1) == -1) {
		ta->step = "TUNSETPERSIST";
		goto fail;
	}
	close(fd);
	return 0;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

int
nl_tap_add(struct ns_ctx *ctx, const char *name, const char *alias,
	   int multi_queue)
{
	struct tap_args ta = {name, multi_queue, NULL};
	char hint[256];
	int e;

	if (ns_check_ifname(ctx, "create tap", name) == -1 ||
	    check_alias(ctx, "create tap", name, alias) == -1)
		return -1;
	if (ns_run(ctx, tap_make, &ta) == -1) {
		if (ta.step == NULL)
			return -1; /* could not enter: ns_run said why */
		e = errno;
		if (e == EBUSY && strcmp(ta.step, "TUNSETIFF") == 0) {
			e = EEXIST; /* IFF_TUN_EXCL's way of saying it */
			ns_req_begin(ctx);
			ns_exists_hint(ctx, name, hint, sizeof(hint));
			return ns_fail(ctx, e, hint, "create tap %s", name);
		}
		if (e == ENOENT || e == ENODEV)
			return ns_fail(ctx, e,
				       "no /dev/net/tun: is the tun module "
				       "loaded?",
				       "create tap %s: %s", name, ta.step);
		return ns_fail(ctx, e, NULL, "create tap %s: %s", name,
			       ta.step);
	}
	if (link_tag(ctx, name, alias) == -1) {
		link_rollback(ctx, name);
		return -1;
	}
	return 0;
}

int
nl_macvtap_add(struct ns_ctx *ctx, const char *name, const char *alias,
	       const char *lower, const char *mac)
{
	return nl_macvtap_add_mode(ctx, name, alias, lower, mac,
				   MACVLAN_MODE_BRIDGE);
}

int
nl_macvtap_get_mode(struct ns_ctx *ctx, const char *name, unsigned *mode)
{
	struct rtnl_link *link = NULL;
	int err;

	if ((err = ns_link_get(ctx, name, &link)) < 0) {
		ns_fail_nl(ctx, err, NULL, "macvtap %s", name);
		return -1;
	}
	*mode = rtnl_link_macvtap_get_mode(link);
	rtnl_link_put(link);
	return 0;
}

int
nl_macvtap_add_mode(struct ns_ctx *ctx, const char *name, const char *alias,
		    const char *lower, const char *mac, unsigned mode)
{
	struct rtnl_link *link = NULL, *low = NULL;
	struct nl_addr *addr = NULL;
	char what[IFNAMSIZ + 32];
	int rv = -1, err;

	if (ns_check_ifname(ctx, "create macvtap", name) == -1 ||
	    check_alias(ctx, "create macvtap", name, alias) == -1)
		goto fail;
	snprintf(what, sizeof(what), "create macvtap %s", name);
	if (ns_check_ifname(ctx, what, lower) == -1)
		goto fail;
	if (mac != NULL && mac[0] != '\0' &&
	    ns_parse_mac(ctx, what, mac, &addr) == -1)
		goto fail;
	if ((err = ns_link_get(ctx, lower, &low)) < 0) {
		ns_fail_nl(ctx, err, "the lower device must exist first",
			   "create macvtap %s: lower device %s", name, lower);
		goto fail;
	}
	if ((link = rtnl_link_macvtap_alloc()) == NULL) {
		ns_fail(ctx, ENOMEM, NULL, "%s", what);
		goto fail;
	}
	rtnl_link_set_name(link, name);
	rtnl_link_set_link(link, rtnl_link_get_ifindex(low));
	if ((err = rtnl_link_macvtap_set_mode(link, mode)) < 0) {
		ns_fail_nl(ctx, err, NULL, "%s", what);
		goto fail;
	}
	if (addr != NULL)
		rtnl_link_set_addr(link, addr); /* takes its own reference */
	if (link_add(ctx, link, "macvtap", name, alias) == -1)
		goto fail;
	rv = 0;
fail:
	if (addr != NULL)
		nl_addr_put(addr);
	if (link != NULL)
		rtnl_link_put(link);
	if (low != NULL)
		rtnl_link_put(low);
	return rv;
}

/* Fetch link NAME for change WHAT; -1 with ENODEV and a message if absent. */
static int
link_get_for(struct ns_ctx *ctx, const char *what, const char *name,
	     struct rtnl_link **link)
{
	int err, e;

	if (ns_check_ifname(ctx, what, name) == -1)
		return -1;
	if ((err = ns_link_get(ctx, name, link)) < 0) {
		e = ns_req_errno(ctx, err);
		if (e == ENODEV || e == ENOENT)
			return ns_fail(ctx, ENODEV, "no interface of that name",
				       "%s %s", what, name);
		return ns_fail(ctx, e, NULL, "%s %s", what, name);
	}
	return 0;
}

/* Apply changes to link NAME (RTM_NEWLINK, RTM_SETLINK fallback). */
static int
link_change(struct ns_ctx *ctx, const char *what, const char *name,
	    struct rtnl_link *changes)
{
	struct rtnl_link *orig = NULL;
	int err, rv = -1;

	if (link_get_for(ctx, what, name, &orig) == -1)
		goto fail;
	ns_req_begin(ctx);
	if ((err = rtnl_link_change(ctx->nc_sk, orig, changes, 0)) < 0) {
		ns_fail_nl(ctx, err, NULL, "%s %s", what, name);
		goto fail;
	}
	rv = 0;
fail:
	if (orig != NULL)
		rtnl_link_put(orig);
	return rv;
}

int
nl_link_set_up(struct ns_ctx *ctx, const char *name, int up)
{
	struct rtnl_link *ch;
	int rv;

	if ((ch = rtnl_link_alloc()) == NULL)
		return ns_fail(ctx, ENOMEM, NULL, "set %s", name);
	if (up)
		rtnl_link_set_flags(ch, IFF_UP);
	else
		rtnl_link_unset_flags(ch, IFF_UP);
	rv = link_change(ctx, up ? "set up" : "set down", name, ch);
	rtnl_link_put(ch);
	return rv;
}

int
nl_link_set_txqlen(struct ns_ctx *ctx, const char *name, int qlen)
{
	struct rtnl_link *ch;
	int rv;

	if (qlen < 0)
		return ns_fail(ctx, EINVAL, "txqueuelen is 0 or more",
			       "set txqueuelen %d on %s", qlen, name);
	if ((ch = rtnl_link_alloc()) == NULL)
		return ns_fail(ctx, ENOMEM, NULL, "set txqueuelen on %s", name);
	rtnl_link_set_txqlen(ch, (unsigned int)qlen);
	rv = link_change(ctx, "set txqueuelen on", name, ch);
	rtnl_link_put(ch);
	return rv;
}

int
nl_link_set_mtu(struct ns_ctx *ctx, const char *name, int mtu)
{
	struct rtnl_link *ch;
	int rv;

	if (mtu < 68 || mtu > 65535)
		return ns_fail(ctx, EINVAL, "an MTU is 68 to 65535",
			       "set mtu %d on %s", mtu, name);
	if ((ch = rtnl_link_alloc()) == NULL)
		return ns_fail(ctx, ENOMEM, NULL, "set mtu on %s", name);
	rtnl_link_set_mtu(ch, (unsigned int)mtu);
	rv = link_change(ctx, "set mtu on", name, ch);
	rtnl_link_put(ch);
	return rv;
}

int
nl_link_set_alias(struct ns_ctx *ctx, const char *name, const char *alias)
{
	struct rtnl_link *ch;
	int rv;

	if (check_alias(ctx, "set alias on", name, alias) == -1)
		return -1;
	if ((ch = rtnl_link_alloc()) == NULL)
		return ns_fail(ctx, ENOMEM, NULL, "set alias on %s", name);
	/* an empty alias removes it */
	rtnl_link_set_ifalias(ch, alias ? alias : "");
	rv = link_change(ctx, "set alias on", name, ch);
	rtnl_link_put(ch);
	return rv;
}

int
nl_link_set_mac(struct ns_ctx *ctx, const char *name, const char *mac)
{
	struct rtnl_link *ch = NULL;
	struct nl_addr *addr = NULL;
	char what[IFNAMSIZ + 16];
	int rv = -1;

	snprintf(what, sizeof(what), "set mac on %s", name ? name : "");
	if (ns_parse_mac(ctx, what, mac, &addr) == -1)
		goto fail;
	if ((ch = rtnl_link_alloc()) == NULL) {
		ns_fail(ctx, ENOMEM, NULL, "%s", what);
		goto fail;
	}
	rtnl_link_set_addr(ch, addr);
	rv = link_change(ctx, "set mac on", name, ch);
fail:
	if (ch != NULL)
		rtnl_link_put(ch);
	if (addr != NULL)
		nl_addr_put(addr);
	return rv;
}

int
nl_link_set_master(struct ns_ctx *ctx, const char *name, const char *master)
{
	struct rtnl_link *slave = NULL, *m = NULL;
	char what[IFNAMSIZ + 16];
	int rv = -1, err;

	if (link_get_for(ctx, master ? "enslave" : "release", name, &slave) ==
	    -1)
		goto fail;
	if (master != NULL) {
		snprintf(what, sizeof(what), "enslave %s to", name);
		if (link_get_for(ctx, what, master, &m) == -1)
			goto fail;
		ns_req_begin(ctx);
		/* libnl reads the link back and checks IFLA_MASTER */
		err = rtnl_link_enslave_ifindex(ctx->nc_sk,
						rtnl_link_get_ifindex(m),
						rtnl_link_get_ifindex(slave));
		if (err < 0) {
			ns_fail_nl(ctx, err, NULL, "enslave %s to %s", name,
				   master);
			goto fail;
		}
	} else {
		ns_req_begin(ctx);
		err = rtnl_link_release_ifindex(ctx->nc_sk,
						rtnl_link_get_ifindex(slave));
		if (err < 0) {
			ns_fail_nl(ctx, err, NULL, "release %s from its master",
				   name);
			goto fail;
		}
	}
	rv = 0;
fail:
	if (m != NULL)
		rtnl_link_put(m);
	if (slave != NULL)
		rtnl_link_put(slave);
	return rv;
}

int
nl_link_del(struct ns_ctx *ctx, const char *name, const char *alias_prefix,
	    int missing_ok)
{
	struct rtnl_link *link = NULL;
	const char *alias;
	char hint[384];
	int rv = -1, err, e;

	if (ns_check_ifname(ctx, "delete", name) == -1)
		goto fail;
	if (alias_prefix == NULL || alias_prefix[0] == '\0') {
		ns_fail(ctx, EINVAL, "an alias prefix is required", "delete %s",
			name);
		goto fail;
	}
	if ((err = ns_link_get(ctx, name, &link)) < 0) {
		e = ns_req_errno(ctx, err);
		if ((e == ENODEV || e == ENOENT) && missing_ok)
			rv = 0;
		else if (e == ENODEV || e == ENOENT)
			ns_fail(ctx, ENODEV, "no interface of that name",
				"delete %s", name);
		else
			ns_fail(ctx, e, NULL, "delete %s", name);
		goto fail;
	}
	alias = rtnl_link_get_ifalias(link);
	if (alias == NULL ||
	    strncmp(alias, alias_prefix, strlen(alias_prefix)) != 0) {
		snprintf(hint, sizeof(hint),
			 "refused: its alias '%s' does not start with '%s', so "
			 "the link is not vrouterd's; delete it by hand if it "
			 "must go",
			 alias ? alias : "", alias_prefix);
		ns_req_begin(ctx);
		ns_fail(ctx, EPERM, hint, "delete %s", name);
		goto fail;
	}
	/* by ifindex: the link checked is the link deleted */
	ns_req_begin(ctx);
	if ((err = rtnl_link_delete(ctx->nc_sk, link)) < 0) {
		e = ns_req_errno(ctx, err);
		if ((e == ENODEV || e == ENOENT) && missing_ok)
			rv = 0;
		else
			ns_fail(ctx, e, NULL, "delete %s", name);
		goto fail;
	}
	rv = 0;
fail:
	if (link != NULL)
		rtnl_link_put(link);
	return rv;
}
