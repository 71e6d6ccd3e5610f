/* Internals shared by the topo*.c files (not installed). */
#ifndef VR_TOPO_INT_H
#define VR_TOPO_INT_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "topo.h"

/*
 * Apply the option keys of obj (request params or a plan's "options") to
 * o.  Absent keys keep their value; o is only written on success.
 */
int topo_opts_apply(json_object *obj, struct topo_opts *o, char *err,
		    size_t errlen);

/* "test" or "in=IF,out=IF" for o's ports. */
void topo_ports_format(const struct topo_opts *o, char *buf, size_t len);

/* Plan building blocks (topo_plan.c), used by the file expander. */
char topo_base36(int v);
/* FNV-1a, 32 bits, of s continuing from h (start: TOPO_FNV1A_BASIS): the
 * hash behind the MACs and the VNIs (topo_hosts.c). */
#define TOPO_FNV1A_BASIS 2166136261u
uint32_t topo_fnv1a(const char *s, uint32_t h);
struct topo_node *topo_plan_add_node(struct topo_plan *p, const char *name,
				     enum topo_role role, int vcpus, char *err,
				     size_t errlen);
int topo_node_add_if(struct topo_plan *p, struct topo_node *n, const char *addr,
		     int port, int segment, char *err, size_t errlen);
/* The test or host ports with the given far-end addresses/gateways;
 * bridges are decided by the expander. */
void topo_plan_ports(struct topo_plan *p, const char *in_addr,
		     const char *in_gw, const char *out_addr,
		     const char *out_gw);

/* A topology file as JSON (regular, at most TOPO_FILE_MAX bytes); the
 * _search one only from a search-path directory no one else may write,
 * never through a link (topo_catalogue.c).  NULL with err set. */
json_object *topo_file_read(const char *path, const char *label, char *err,
			    size_t errlen);
json_object *topo_file_read_search(const char *path, const char *label,
				   char *err, size_t errlen);

/* Read, check and expand the topology file of p->opts (topo_file.c). */
int topo_file_expand(struct topo_plan *p, char *err, size_t errlen);

/* Checks topo_plan_build makes of the kernel command line
 * (topo_cmdline.c): lb_mode packet's vr.lb=, and each line's length. */
int topo_lb_mode_check(const struct topo_plan *p, char *err, size_t errlen);
int topo_cmdline_check(const struct topo_plan *p, char *err, size_t errlen);

#endif
