/*
 * Capture points of a plan (topo_capture.h): ports, networks, node
 * interfaces and splitter interfaces, in that order.
 */
#include <stdio.h>
#include <string.h>

#include "topo_capture.h"
#include "util.h"

int
topo_capture_point(const struct topo_plan *p, int i, char *name, size_t nlen,
		   char *ifname, size_t ilen)
{
	if (i < 0)
		return -1;
	if (i < 2) {
		snprintf(name, nlen, "%s", p->ports[i].role);
		snprintf(ifname, ilen, "%s", p->ports[i].host_if);
		return 0;
	}
	i -= 2;
	if (i < p->nsegments) {
		snprintf(name, nlen, "%s", p->segments[i].name);
		snprintf(ifname, ilen, "%s", p->segments[i].bridge);
		return 0;
	}
	i -= p->nsegments;
	for (int n = 0; n < p->nnodes; n++) {
		if (i < p->nodes[n].nifs) {
			snprintf(name, nlen, "%s.%s", p->nodes[n].name,
				 p->nodes[n].ifs[i].guest_if);
			snprintf(ifname, ilen, "%s",
				 p->nodes[n].ifs[i].host_if);
			return 0;
		}
		i -= p->nodes[n].nifs;
	}
	if (i < p->splitter.nifs) {
		snprintf(name, nlen, "splitter.%s",
			 p->splitter.ifs[i].guest_if);
		snprintf(ifname, ilen, "%s", p->splitter.ifs[i].host_if);
		return 0;
	}
	return -1;
}

int
topo_capture_find(const struct topo_plan *p, const char *name, char *ifname,
		  size_t ilen, char *err, size_t errlen)
{
	char n[64], i[TOPO_IFNAMSIZ];
	size_t off;

	for (int k = 0;
	     topo_capture_point(p, k, n, sizeof(n), i, sizeof(i)) == 0; k++)
		if (strcmp(n, name) == 0 && i[0] != '\0') {
			snprintf(ifname, ilen, "%s", i);
			return 0;
		}
	off = (size_t)snprintf(
	    err, errlen,
	    "%s has no link \"%.64s\"; its links are:", p->opts.name, name);
	for (int k = 0; off < errlen && topo_capture_point(p, k, n, sizeof(n),
							   i, sizeof(i)) == 0;
	     k++)
		if (i[0] != '\0')
			off +=
			    (size_t)snprintf(err + off, errlen - off, " %s", n);
	return -1;
}
