/*
 * The hugepages check of --hugepages (hugepages.h): counts from
 * /proc/meminfo and /sys/kernel/mm/hugepages, hugetlbfs from
 * /proc/self/mountinfo.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hugepages.h"
#include "topo.h"
#include "util.h"

/* A number from ROOT/PATH, or -1. */
static long
read_long(const char *root, const char *path)
{
	char full[512], *s, *end;
	long v;

	snprintf(full, sizeof(full), "%s%s", root, path);
	if ((s = file_read(full, 64)) == NULL)
		return -1;
	v = strtol(s, &end, 10);
	if (end == s || v < 0)
		v = -1;
	free(s);
	return v;
}

int
hugepages_read(struct hugepages *h, const char *root)
{
	char path[512], dir[128], *s, *p, *line;
	long resv;

	if (root == NULL)
		root = "";
	memset(h, 0, sizeof(*h));
	snprintf(path, sizeof(path), "%s/proc/meminfo", root);
	if ((s = file_read(path, 1 << 16)) == NULL)
		return -1;
	if ((p = strstr(s, "\nHugepagesize:")) != NULL)
		h->size_kb = strtol(p + strlen("\nHugepagesize:"), NULL, 10);
	free(s);
	if (h->size_kb <= 0) {
		h->size_kb = 0;
		return 0;
	}
	snprintf(dir, sizeof(dir), "/sys/kernel/mm/hugepages/hugepages-%ldkB",
		 h->size_kb);
	snprintf(path, sizeof(path), "%s/nr_hugepages", dir);
	h->total = read_long(root, path);
	snprintf(path, sizeof(path), "%s/free_hugepages", dir);
	h->free = read_long(root, path);
	snprintf(path, sizeof(path), "%s/resv_hugepages", dir);
	if ((resv = read_long(root, path)) > 0 && h->free >= resv)
		h->free -= resv;
	if (h->total < 0 || h->free < 0) {
		h->total = h->free = 0;
		errno = ENOENT;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/proc/self/mountinfo", root);
	if ((s = file_read(path, 1 << 20)) == NULL)
		return 0; /* unknown: libvirt will say */
	for (line = s; line != NULL && *line;) {
		char *nl = strchr(line, '\n'), *sep;

		if (nl != NULL)
			*nl = '\0';
		/* "... - FSTYPE SOURCE OPTIONS" */
		if ((sep = strstr(line, " - ")) != NULL &&
		    strncmp(sep + 3, "hugetlbfs ", 10) == 0)
			h->mounted = 1;
		line = nl ? nl + 1 : NULL;
	}
	free(s);
	return 0;
}

long
hugepages_needed(const struct topo_plan *p, long size_kb)
{
	long need = 0;

	if (size_kb <= 0)
		return 0;
	for (int n = 0; n < p->nnodes; n++)
		need += ((long)p->nodes[n].memory_mib * 1024 + size_kb - 1) /
			size_kb;
	return need;
}

int
hugepages_check(const struct topo_plan *p, const char *root, char *err,
		size_t errlen)
{
	struct hugepages h;
	long need;

	if (!p->opts.hugepages)
		return 0;
	if (hugepages_read(&h, root) == -1 && h.size_kb == 0) {
		msgf(err, errlen, "hugepages: cannot read /proc/meminfo: %s",
		     strerror(errno));
		return -1;
	}
	if (h.size_kb == 0) {
		msgf(err, errlen,
		     "hugepages: this kernel has no hugepages (no "
		     "Hugepagesize in /proc/meminfo); start without "
		     "--hugepages");
		return -1;
	}
	need = hugepages_needed(p, h.size_kb);
	if (h.free < need) {
		msgf(err, errlen,
		     "hugepages: the nodes' memory needs %ld pages of %ld kB, "
		     "the host has %ld free (of %ld); reserve more with "
		     "`sysctl vm.nr_hugepages=%ld` (or echo it to "
		     "/sys/kernel/mm/hugepages/hugepages-%ldkB/nr_hugepages)",
		     need, h.size_kb, h.free, h.total,
		     h.total + (need - h.free), h.size_kb);
		return -1;
	}
	if (!h.mounted) {
		msgf(err, errlen,
		     "hugepages: %ld free pages of %ld kB, but no hugetlbfs "
		     "is mounted for libvirt to take them from; `mount -t "
		     "hugetlbfs hugetlbfs /dev/hugepages` and restart "
		     "libvirtd",
		     h.free, h.size_kb);
		return -1;
	}
	return 0;
}
