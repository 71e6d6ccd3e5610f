/*
 * Which host holds what (issue 15): the placement planner for topologies
 * across hosts.  Nodes and ports may carry "host": NAME (topo.h); "" or
 * TOPO_HOST_SELF is the coordinator's own host, the vrouterd the user
 * talks to.  From a built plan and what is known of each host's underlay
 * (its address for tunnels, the MTU of the path), topo_hosts_plan works
 * out, touching nothing:
 *   - the hosts involved, the coordinator first, then the others in the
 *     order the plan first names them (nodes, then ports);
 *   - for each network (internal segments, then the in and out port
 *     networks) the hosts with members on it;
 *   - for each network spanning more than one host a VXLAN segment: a VNI
 *     (topo_vni_pick) and the MTU every interface on it must use, the
 *     smallest underlay MTU among its hosts less the encapsulation
 *     (TOPO_VXLAN_OVERHEAD4 for an IPv4 underlay, ..6 for IPv6);
 *   - per host, its sub-plan: the nodes, ports and networks it deploys,
 *     and the remote endpoints of each VXLAN it holds.
 * docs/topology.md "Hosts" says the same for users.
 */
#ifndef VR_TOPO_HOSTS_H
#define VR_TOPO_HOSTS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "topo.h"

#define TOPO_MAX_HOSTS 16
#define TOPO_MAX_NETS  (TOPO_MAX_SEGMENTS + 2)
/* The VNIs topologies use: 1048576-16777215 (0x100000-0xffffff), leaving
 * 1-1048575 to whatever else shares the underlay. */
#define TOPO_VNI_FIRST 0x100000u
#define TOPO_VNI_LAST  0xffffffu
/* Outer Ethernet-less encapsulation: IP + UDP (8) + VXLAN (8) + the inner
 * Ethernet header (14): 20 + 30 for IPv4, 40 + 30 for IPv6. */
#define TOPO_VXLAN_OVERHEAD4 50
#define TOPO_VXLAN_OVERHEAD6 70
/* The underlay assumed when none is given (a plan shown without hosts
 * configured): Ethernet's 1500 over IPv4. */
#define TOPO_UNDERLAY_MTU_DEFAULT 1500
#define TOPO_ADDRSTRLEN		  46

/* What the planner is told about one host (the daemon's `hosts`). */
struct topo_underlay {
	const char *host; /* its name (NAME_HOST) */
	const char *addr; /* its address for tunnels, IPv4 or IPv6 */
	int mtu;	  /* the underlay MTU from it, 68-65535 */
};

struct topo_hnet {
	char name[40]; /* the segment's name; "port:in", "port:out" */
	char bridge[TOPO_IFNAMSIZ]; /* its bridge on each host */
	int segment;		    /* index into plan->segments, or -1 */
	int port;		    /* 0/1 for a port network, or -1 */
	unsigned hosts;		    /* bit h: topo_hosts.hosts[h] has members */
	int nhosts;
	uint32_t vni; /* 0 unless it spans hosts */
	int mtu;      /* planned MTU on it; 0 unless it spans hosts */
};

struct topo_host {
	char name[TOPO_HOST_LEN + 1];
	char addr[TOPO_ADDRSTRLEN]; /* "" when no underlay was given */
	int mtu;		    /* its underlay MTU */
	int nodes[TOPO_MAX_NODES];  /* indices into plan->nodes */
	int nnodes;
	int ports[2]; /* indices into plan->ports */
	int nports;
	int nets[TOPO_MAX_NETS]; /* indices into topo_hosts.nets */
	int nnets;
	int splitter; /* holds the splitter (always the coordinator) */
};

struct topo_hosts {
	struct topo_host hosts[TOPO_MAX_HOSTS]; /* [0]: the coordinator */
	int nhosts;
	struct topo_hnet nets[TOPO_MAX_NETS]; /* only networks with members */
	int nnets;
	int ipv6;    /* the underlay is IPv6 */
	int assumed; /* no underlay given: TOPO_UNDERLAY_MTU_DEFAULT, IPv4 */
};

/*
 * Plan the placement of p.  self: the coordinator's name (NULL or "":
 * TOPO_HOST_SELF).  u[0..nu-1]: every host's underlay, the coordinator's
 * included; u NULL: none known (out->assumed, no addresses).  0, or -1
 * with err naming what is wrong: a host nobody configured, two families
 * of underlay address, an MTU the encapsulation leaves too little of, a
 * port network that spans hosts without a bridge, more than
 * TOPO_MAX_HOSTS hosts.
 */
int topo_hosts_plan(const struct topo_plan *p, const char *self,
		    const struct topo_underlay *u, int nu,
		    struct topo_hosts *out, char *err, size_t errlen);

/* The check topo_plan_build makes of a plan that places anything on a
 * named host: topo_hosts_plan with the assumed underlay succeeds.  0, or
 * -1 with err ("placement: ..."). */
int topo_hosts_check(const struct topo_plan *p, char *err, size_t errlen);

/*
 * Add host to the set names[0..*n-1] (at most max) when it is not there:
 * "" and TOPO_HOST_SELF are self (NULL or "": not added, unknown).  The
 * set's count.  topo_hosts_span adds every host p places a node or a
 * port on (a migration refuses a topology on more than two hosts).
 */
int topo_hosts_set_add(char (*names)[TOPO_HOST_LEN + 1], int *n, int max,
		       const char *host, const char *self);
int topo_hosts_span(const struct topo_plan *p, const char *self,
		    char (*names)[TOPO_HOST_LEN + 1], int *n, int max);

/* Does p place anything on a named host (any "host" other than "" and
 * TOPO_HOST_SELF)? */
int topo_hosts_placed(const struct topo_plan *p);

/*
 * (The daemon's refusal before the coordinator, daemon/coord.c, landed;
 * no longer called by it.)  0 when p keeps
 * everything on this host, else -1 with err naming the first node or
 * port placed elsewhere and saying that deployment across hosts is not
 * wired to the daemon yet.
 */
int topo_hosts_local_only(const struct topo_plan *p, char *err, size_t errlen);

/*
 * The VNI of network in instance: FNV-1a of "INSTANCE/NETWORK" folded
 * into TOPO_VNI_FIRST..TOPO_VNI_LAST; when taken[0..ntaken-1] holds it
 * already (another network of the same topology), the next free one up,
 * wrapping to TOPO_VNI_FIRST.  Networks are numbered in plan order, so
 * the result is the same on every host and every run.
 */
uint32_t topo_vni_pick(const char *instance, const char *network,
		       const uint32_t *taken, int ntaken);

/* The MTU inside a VXLAN over an underlay of underlay_mtu; -1 when that
 * leaves less than 68 (IPv4's minimum). */
int topo_vxlan_mtu(int underlay_mtu, int ipv6);

/* The placement as the plan's "placement" object (docs/topology.md). */
json_object *topo_hosts_to_json(const struct topo_plan *p,
				const struct topo_hosts *h);

#endif
