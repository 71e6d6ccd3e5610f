/*
 * One host's part of a topology across hosts (part.c): the underlay every
 * host is told, and the plan cut down to what one host deploys.
 */
#ifndef VR_PART_H
#define VR_PART_H

#include <stddef.h>

#include <json-c/json.h>

#include "topo.h"
#include "topo_hosts.h"

struct deploy;
struct hostinfo;

struct part_underlay {
	struct topo_underlay u[TOPO_MAX_HOSTS];
	char names[TOPO_MAX_HOSTS][TOPO_HOST_LEN + 1];
	char addrs[TOPO_MAX_HOSTS][TOPO_ADDRSTRLEN];
	int n;
};

/* "NAME=ADDRESS[@MTU],..." into u (without @MTU:
 * TOPO_UNDERLAY_MTU_DEFAULT).  0 or -1. */
int part_underlay(const char *spec, struct part_underlay *u, char *err,
		  size_t errlen);
/* This host's underlay string from the configuration: host_name =
 * tunnel_address first, then each of `hosts`, each with @tunnel_mtu when
 * that is not 1500 (so that a peer without tunnel_mtu reads the string
 * of a coordinator that has none set).  0, or -1 when this host has no
 * tunnel_address. */
int part_underlay_conf(char *buf, size_t len, char *err, size_t errlen);

/* th is this host: 0, or -1 with err when the link holding its tunnel
 * address has a smaller MTU than th->mtu (the configuration claims more
 * than the wire carries).  A link not found is not checked. */
int part_mtu_check(const struct topo_host *th, char *err, size_t errlen);

/* Cut p to host hi's part of hs (its placement) and fill d's VXLANs. */
int part_cut(struct topo_plan *p, const struct topo_hosts *hs, int hi,
	     struct deploy *d);
/* With --pin, the pinning plan of p's nodes (cut to host part's share)
 * on this host's CPUs (h; NULL: unknown).  A share whose vCPUs would
 * share CPUs is refused (on one host it is a warning: across hosts no
 * one reads a peer's warnings), and so is a --cpus with none of h's
 * CPUs; err names the host.  0, or -1 with err. */
int part_pin(struct topo_plan *p, const char *part, const struct hostinfo *h,
	     char *err, size_t errlen);
/* Place p (coordinator, underlay as sent), cut it to host part's share
 * and pin that share on info's CPUs (part_pin); remote (may be NULL): a new
 * array of {"name", "host"} of the nodes other hosts hold.  0, or -1 with
 * err (a host not in the placement, a share that cannot be pinned). */
int part_plan(struct topo_plan *p, const char *coordinator,
	      const char *underlay, const char *part,
	      const struct hostinfo *info, struct topo_hosts *hs,
	      struct deploy *d, json_object **remote, char *err, size_t errlen);

#endif
