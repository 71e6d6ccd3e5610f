/*
 * Capture points of a plan: every place a packet capture can watch,
 * named the way topology files name things, and the host interface that
 * carries it.  The daemon resolves `vrctl capture NAME LINK` with these;
 * pure, so the names are unit-tested.
 *
 *   in, out      a port: its host interface (the veth host end of a test
 *                port, or the real NIC)
 *   NET          an internal network: its bridge (a network joined to a
 *                port, pvr's "ingress", is watched as that port)
 *   NODE.IF      a node's interface: its tap, macvtap or veth host end
 *   splitter.IF  an interface of the PVR splitter: its veth host end
 */
#ifndef VR_TOPO_CAPTURE_H
#define VR_TOPO_CAPTURE_H

#include <stddef.h>

#include "topo.h"

/* Capture point i (0, 1, ... in the order above): 0 with its name and
 * host interface, -1 past the last. */
int topo_capture_point(const struct topo_plan *p, int i, char *name,
		       size_t nlen, char *ifname, size_t ilen);

/* The host interface of capture point name: 0, or -1 with err naming
 * every valid point. */
int topo_capture_find(const struct topo_plan *p, const char *name, char *ifname,
		      size_t ilen, char *err, size_t errlen);

#endif
