/*
 * Everything that touches netlink, through libnl-3 / libnl-route-3.
 *
 * A struct ns_ctx is a libnl route socket bound to one network namespace
 * (the daemon's own when netns is NULL).  Every object vrouterd creates
 * carries IFLA_IFALIAS "vrouterd:TOPO:ROLE" and a name starting "vr-";
 * nl_link_del() refuses to delete a link whose alias does not start with
 * the given prefix, so only vrouterd's own objects are ever removed.
 *
 * Functions return 0 on success and -1 on failure with a message a person
 * can act on in ns_error(ctx) (e.g. "create veth vr-x-i: File exists"),
 * and errno set.  Thread-safe for distinct contexts.
 */
#ifndef VR_NETSETUP_H
#define VR_NETSETUP_H

#include <stddef.h>
#include <stdint.h>

struct ns_ctx;

struct nl_link_stats {
	uint64_t rx_packets, tx_packets;
	uint64_t rx_bytes, tx_bytes;
	uint64_t rx_dropped, tx_dropped;
	uint64_t rx_errors, tx_errors;
};

/*
 * Named network namespaces, as `ip netns` keeps them (/run/netns/NAME).
 * A namespace is tagged as links are: tag (may be NULL) becomes the
 * IFLA_IFALIAS of its lo.  netns_delete enters the namespace first and
 * deletes it only if that tag starts with tag_prefix ("vrouterd:TOPO:");
 * otherwise it refuses with EPERM and deletes nothing.  An absent
 * namespace is not an error when missing_ok.  netns_get_tag reads the
 * tag ("" when untagged); netns_tag_ok is the check both use.
 */
int netns_create(const char *name, const char *tag, char *err, size_t errlen);
int netns_delete(const char *name, const char *tag_prefix, int missing_ok,
		 char *err, size_t errlen);
int netns_get_tag(const char *name, char *buf, size_t len, char *err,
		  size_t errlen);
int netns_tag_ok(const char *tag, const char *tag_prefix);
int netns_exists(const char *name);
/* Call fn(name, arg) for each named namespace starting with prefix. */
int netns_list(const char *prefix, void (*fn)(const char *, void *), void *arg);

/* A netlink context in netns (NULL: the caller's).  NULL with err set. */
struct ns_ctx *ns_open(const char *netns, char *err, size_t errlen);
void ns_close(struct ns_ctx *ctx);
const char *ns_error(const struct ns_ctx *ctx);
/* Run fn(arg) with the calling thread inside ctx's namespace (e.g. for
 * /proc/sys writes or ioctls); returns fn's result, or -1. */
int ns_run(struct ns_ctx *ctx, int (*fn)(void *), void *arg);

/* Creation.  alias may be NULL.  Links are created down. */
int nl_veth_add(struct ns_ctx *ctx, const char *name, const char *alias,
		const char *peer, const char *peer_alias,
		const char *peer_netns /* NULL: same namespace */);
/* The same with nqueues tx and rx queues on both ends (veth hands a packet
 * sent on tx queue q to the peer's rx queue q, each with its own NAPI). */
int nl_veth_add_mq(struct ns_ctx *ctx, const char *name, const char *alias,
		   const char *peer, const char *peer_alias,
		   const char *peer_netns, int nqueues);
int nl_bridge_add(struct ns_ctx *ctx, const char *name, const char *alias);
/* A persistent tap (IFF_TAP|IFF_NO_PI|IFF_VNET_HDR, IFF_MULTI_QUEUE when
 * multi_queue) that libvirt/QEMU attach to later. */
int nl_tap_add(struct ns_ctx *ctx, const char *name, const char *alias,
	       int multi_queue);
/* macvtap in bridge mode on lower; mac "" or NULL for a random one. */
int nl_macvtap_add(struct ns_ctx *ctx, const char *name, const char *alias,
		   const char *lower, const char *mac);
/* The same in mode (MACVLAN_MODE_BRIDGE, _VEPA, _PRIVATE, _PASSTHRU). */
int nl_macvtap_add_mode(struct ns_ctx *ctx, const char *name, const char *alias,
			const char *lower, const char *mac, unsigned mode);
/* The mode of macvtap name (MACVLAN_MODE_*) into *mode; 0 or -1. */
int nl_macvtap_get_mode(struct ns_ctx *ctx, const char *name, unsigned *mode);
int nl_dummy_add(struct ns_ctx *ctx, const char *name, const char *alias);

/* Changes. */
int nl_link_set_up(struct ns_ctx *ctx, const char *name, int up);
int nl_link_set_master(struct ns_ctx *ctx, const char *name,
		       const char *master /* NULL: release */);
int nl_link_set_txqlen(struct ns_ctx *ctx, const char *name, int qlen);
int nl_link_set_alias(struct ns_ctx *ctx, const char *name, const char *alias);
int nl_link_set_mac(struct ns_ctx *ctx, const char *name, const char *mac);
int nl_addr_add(struct ns_ctx *ctx, const char *name, const char *cidr);
/* dst "default" or CIDR, via an IPv4 gateway address. */
int nl_route_add(struct ns_ctx *ctx, const char *dst, const char *via);
/* An ECMP route: one nexthop (weight 1) per gateway in via[0..nvia-1]
 * (RTA_MULTIPATH); nvia 1 is a plain route. */
int nl_route_add_multipath(struct ns_ctx *ctx, const char *dst,
			   const char *const *via, int nvia);
/* Write value to /proc/sys/KEY inside ctx's namespace (per-namespace
 * sysctls, e.g. "net/ipv4/ip_forward", "net/ipv4/fib_multipath_hash_policy").
 */
int ns_sysctl_set(struct ns_ctx *ctx, const char *key, const char *value);
int nl_neigh_add(struct ns_ctx *ctx, const char *name, const char *ip,
		 const char *mac); /* permanent entry */

/*
 * Delete link name only if its alias starts with alias_prefix (refuses
 * with EPERM otherwise).  A link that does not exist is not an error when
 * missing_ok.
 */
int nl_link_del(struct ns_ctx *ctx, const char *name, const char *alias_prefix,
		int missing_ok);

/* Queries. */
int nl_link_exists(struct ns_ctx *ctx, const char *name);  /* 1, 0, -1 */
int nl_link_ifindex(struct ns_ctx *ctx, const char *name); /* >0 or -1 */
int nl_link_get_alias(struct ns_ctx *ctx, const char *name, char *buf,
		      size_t len);
int nl_link_get_mac(struct ns_ctx *ctx, const char *name, char *buf,
		    size_t len);
int nl_link_stats(struct ns_ctx *ctx, const char *name,
		  struct nl_link_stats *st);
/* The kind: "veth", "bridge", "tun", "macvtap", ... into buf;
 * "device" for a link without one (a NIC, lo). */
int nl_link_kind(struct ns_ctx *ctx, const char *name, char *buf, size_t len);
/* Call fn(name, alias, arg) for each link whose alias starts with prefix. */
int nl_link_foreach_tagged(struct ns_ctx *ctx, const char *alias_prefix,
			   void (*fn)(const char *name, const char *alias,
				      void *arg),
			   void *arg);

/*
 * VXLAN (netsetup/vxlan.c): the segment that carries one internal network
 * between hosts.  Unicast only: no multicast group; learning off; one
 * all-zeros-MAC FDB entry (AF_BRIDGE, NUD_PERMANENT, NTF_SELF, NDA_DST)
 * per remote endpoint, so broadcast and unknown unicast reach every other
 * host.  nl_vxlan_add creates name tagged with alias, with the given MTU
 * (0: the kernel's), enslaves it to bridge (NULL: none) and adds the
 * entries; on failure nothing is left.  Refused before anything is made:
 * a VNI outside 1..NL_VXLAN_VNI_MAX, no local address, a remote twice,
 * the local address as a remote, remotes of the other family.  nl_link_del
 * deletes it, and the FDB with it.  nl_vxlan_get reads a device back (for
 * status and adoption); remotes in the order the kernel lists them.
 */
#define NL_VXLAN_PORT	     4789 /* IANA's VXLAN port */
#define NL_VXLAN_VNI_MAX     16777215u
#define NL_VXLAN_MAX_REMOTES 32
#define NL_VXLAN_ADDRSTRLEN  46
struct nl_vxlan {
	uint32_t vni;		    /* 1 .. NL_VXLAN_VNI_MAX */
	const char *local;	    /* this host's underlay address */
	uint16_t port;		    /* UDP port; 0: NL_VXLAN_PORT */
	int mtu;		    /* 0: leave it to the kernel */
	const char *const *remotes; /* the other hosts' underlay addresses */
	int nremotes;
};
struct nl_vxlan_info {
	uint32_t vni;
	uint16_t port;
	int mtu;
	int learning;
	char local[NL_VXLAN_ADDRSTRLEN]; /* "" when unset */
	char group[NL_VXLAN_ADDRSTRLEN]; /* "" unless multicast/remote */
	char master[16];		 /* the bridge, "" when none */
	int nremotes;
	char remotes[NL_VXLAN_MAX_REMOTES][NL_VXLAN_ADDRSTRLEN];
};
int nl_vxlan_add(struct ns_ctx *ctx, const char *name, const char *alias,
		 const struct nl_vxlan *vx, const char *bridge);
int nl_vxlan_get(struct ns_ctx *ctx, const char *name,
		 struct nl_vxlan_info *out);
/* MTU of any link. */
int nl_link_set_mtu(struct ns_ctx *ctx, const char *name, int mtu);
int nl_link_get_mtu(struct ns_ctx *ctx, const char *name); /* >0 or -1 */

/*
 * NAPI (netsetup/napi.c).  GRO on a link (ETHTOOL_SGRO, inside ctx's
 * namespace): on a veth it makes the receiving end use NAPI.  Threaded
 * NAPI (/sys/class/net/NAME/threaded): written through a sysfs mounted
 * privately for ctx's namespace on a short-lived helper thread, so it
 * works for links inside any namespace; the device keeps the setting,
 * so its NAPI instances get napi/NAME-ID kernel threads whenever they are
 * created.  nl_napi_list: the NAPI instances of a link (netdev generic
 * netlink family, "napi-get", Linux >= 6.9 for the thread's pid), sorted
 * by id (= by rx queue for veth); the count, or -1 (EOPNOTSUPP when the
 * kernel lacks the family).
 */
struct nl_napi {
	uint32_t id;
	int ifindex;
	int pid; /* the napi/ kernel thread, 0 when not threaded */
};
int nl_link_set_gro(struct ns_ctx *ctx, const char *name, int on);
int nl_link_set_threaded(struct ns_ctx *ctx, const char *name, int on);
int nl_napi_list(struct ns_ctx *ctx, const char *name, struct nl_napi *out,
		 int max);

#endif
