/*
 * Hugepage-backed guest memory (--hugepages): before a start creates
 * anything, check that the host has enough free hugepages of the default
 * size (/proc/meminfo Hugepagesize) for the memory of every node, and a
 * hugetlbfs mounted for libvirt to take them from; otherwise refuse with
 * a message that gives the pages needed and free and the command to run.
 * Reads /proc and /sys under a root prefix, as hostinfo does, so that
 * tests feed a fake tree.
 */
#ifndef VR_HUGEPAGES_H
#define VR_HUGEPAGES_H

#include <stddef.h>

struct topo_plan;

struct hugepages {
	long size_kb; /* default hugepage size; 0: the kernel has none */
	long total;   /* nr_hugepages of that size */
	long free;    /* free_hugepages less resv_hugepages */
	int mounted;  /* a hugetlbfs is mounted */
};

/* root: "" or NULL for the real system.  0, or -1 with errno set. */
int hugepages_read(struct hugepages *h, const char *root);

/* The pages of size_kb that the plan's nodes need (memory rounded up to
 * whole pages, node by node). */
long hugepages_needed(const struct topo_plan *p, long size_kb);

/* 0 when the plan does not ask for hugepages or the host has them, -1
 * with err saying needed/free pages and the sysctl to set. */
int hugepages_check(const struct topo_plan *p, const char *root, char *err,
		    size_t errlen);

#endif
