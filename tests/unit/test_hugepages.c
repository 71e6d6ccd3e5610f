/*
 * The --hugepages check (lib/hugepages.c) against fake /proc and /sys
 * trees: pages needed for the nodes' memory, free less reserved, the
 * refusal that says what to set, a kernel without hugepages, no hugetlbfs.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hugepages.h"
#include "faketree.h"
#include "t.h"
#include "topo.h"
#include "util.h"

static char root[64];

static void
put(const char *rel, const char *text)
{
	faketree_put(root, rel, text);
}

/* A host with nr 2 MiB pages, free of them, resv reserved; hugetlbfs
 * mounted or not. */
static void
host(const char *meminfo, const char *nr, const char *free_, const char *resv,
     int mounted)
{
	const char *d = "sys/kernel/mm/hugepages/hugepages-2048kB/";
	char rel[128], cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (root[0] && system(cmd) != 0)
		exit(1);
	snprintf(root, sizeof(root), "/tmp/vr-test-hugepages.XXXXXX");
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	put("proc/meminfo", meminfo);
	snprintf(rel, sizeof(rel), "%snr_hugepages", d);
	put(rel, nr);
	snprintf(rel, sizeof(rel), "%sfree_hugepages", d);
	put(rel, free_);
	snprintf(rel, sizeof(rel), "%sresv_hugepages", d);
	put(rel, resv);
	put("proc/self/mountinfo",
	    mounted ? "22 1 0:21 / /proc rw - proc proc rw\n"
		      "40 22 0:38 / /dev/hugepages rw,relatime - hugetlbfs "
		      "hugetlbfs rw,pagesize=2M\n"
		    : "22 1 0:21 / /proc rw - proc proc rw\n");
}

#define MEMINFO_2M                                                             \
	"MemTotal:        8000000 kB\nHugePages_Total:       0\n"              \
	"Hugepagesize:       2048 kB\nHugetlb:               0 kB\n"

static void
plan(struct topo_plan *p, const char *topology, int vrs, int hugepages)
{
	struct topo_opts o;
	cpu_set_t online, isolated;
	char err[256] = "";

	topo_opts_init(&o);
	vr_strlcpy(o.topology, topology, sizeof(o.topology));
	vr_strlcpy(o.name, "hp", sizeof(o.name));
	vr_strlcpy(o.image, "/usr/share/vrouterd/guest", sizeof(o.image));
	o.vrs = vrs;
	o.hugepages = hugepages;
	cpulist_parse("0-7", &online);
	CPU_ZERO(&isolated);
	setenv("VR_TOPOLOGY_PATH", TOPOLOGY_DIR, 1);
	if (topo_plan_build(&o, &online, &isolated, p, err, sizeof(err)) != 0)
		fprintf(stderr, "plan: %s\n", err);
}

int
main(void)
{
	struct topo_plan p;
	struct hugepages h;
	char err[512];

	/* monolithic, 256 MiB: 128 pages of 2 MiB; pvr with 3 VRs: 384 */
	plan(&p, "monolithic", 0, 1);
	CHECK_INT(hugepages_needed(&p, 2048), 128);
	CHECK_INT(hugepages_needed(&p, 1048576), 1); /* rounded up */

	host(MEMINFO_2M, "200\n", "150\n", "30\n", 1);
	CHECK_INT(hugepages_read(&h, root), 0);
	CHECK_INT(h.size_kb, 2048);
	CHECK_INT(h.total, 200);
	CHECK_INT(h.free, 120); /* 150 free, 30 of them reserved */
	CHECK_INT(h.mounted, 1);
	CHECK_INT(hugepages_check(&p, root, err, sizeof(err)), -1);
	CHECK_STR(err,
		  "hugepages: the nodes' memory needs 128 pages of 2048 kB, "
		  "the host has 120 free (of 200); reserve more with `sysctl "
		  "vm.nr_hugepages=208` (or echo it to "
		  "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)");

	host(MEMINFO_2M, "128\n", "128\n", "0\n", 1);
	CHECK_INT(hugepages_check(&p, root, err, sizeof(err)), 0);

	/* enough pages, but nowhere for libvirt to take them from */
	host(MEMINFO_2M, "128\n", "128\n", "0\n", 0);
	CHECK_INT(hugepages_check(&p, root, err, sizeof(err)), -1);
	CHECK(strstr(err, "no hugetlbfs is mounted") != NULL);

	/* a kernel without hugepages */
	host("MemTotal:        8000000 kB\n", "0\n", "0\n", "0\n", 1);
	CHECK_INT(hugepages_check(&p, root, err, sizeof(err)), -1);
	CHECK(strstr(err, "this kernel has no hugepages") != NULL);

	/* not asked: never refused, whatever the host */
	topo_plan_free(&p);
	plan(&p, "monolithic", 0, 0);
	CHECK_INT(hugepages_check(&p, root, err, sizeof(err)), 0);
	topo_plan_free(&p);

	/* every node counts */
	plan(&p, "pvr", 3, 1);
	CHECK_INT(p.nnodes, 3);
	CHECK_INT(hugepages_needed(&p, 2048), 384);
	host(MEMINFO_2M, "0\n", "0\n", "0\n", 1);
	CHECK_INT(hugepages_check(&p, root, err, sizeof(err)), -1);
	CHECK(strstr(err, "needs 384 pages of 2048 kB, the host has 0 free "
			  "(of 0); reserve more with `sysctl "
			  "vm.nr_hugepages=384`") != NULL);
	topo_plan_free(&p);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			return 1;
	}
	return t_done("test_hugepages");
}
