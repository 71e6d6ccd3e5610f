/*
 * Host facts from /proc and /sys: CPUs and their topology, kernel, whether KVM
 * can run an ordinary guest, whether vhost-net is there.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostinfo.h"
#include "util.h"

/* The first processor's block is all we read: model name and flags. */
#define HOSTINFO_CPUINFO_MAX (64 * 1024)

static char *
hostinfo_path(const char *root, const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", root ? root : "", rel);
	return buf;
}

static int
hostinfo_exists(const char *root, const char *rel)
{
	char p[PATH_MAX];

	return access(hostinfo_path(root, rel, p, sizeof(p)), F_OK) == 0;
}

/* A CPU list file; a missing file is an empty set. */
static int
hostinfo_cpulist(const char *root, const char *rel, cpu_set_t *set)
{
	char p[PATH_MAX], *s;
	int rv;

	CPU_ZERO(set);
	if ((s = file_read(hostinfo_path(root, rel, p, sizeof(p)), 65536)) ==
	    NULL)
		return errno == ENOENT ? 0 : -1;
	/* Linux 6.1 prints "(null)" in nohz_full when none is set, padded
	 * with spaces to nr_cpu_ids columns ("  (null)" with 8 CPUs). */
	rv = strcmp(s + strspn(s, " "), "(null)") == 0 ? 0
						       : cpulist_parse(s, set);
	free(s);
	if (rv == -1)
		errno = EINVAL;
	return rv;
}

/* The value of the first "key : value" line of cpuinfo, or NULL. */
static const char *
hostinfo_cpuinfo_field(const char *cpuinfo, const char *key, char *buf,
		       size_t len)
{
	size_t klen = strlen(key);
	const char *l = cpuinfo;

	while (l != NULL && *l) {
		const char *nl = strchr(l, '\n');
		size_t llen = nl ? (size_t)(nl - l) : strlen(l);
		if (llen > klen && strncmp(l, key, klen) == 0 &&
		    (l[klen] == ' ' || l[klen] == '\t' || l[klen] == ':')) {
			const char *c = memchr(l, ':', llen);
			if (c != NULL) {
				c++;
				while (*c == ' ' || *c == '\t')
					c++;
				size_t vlen = llen - (size_t)(c - l);
				if (vlen >= len)
					vlen = len - 1;
				memcpy(buf, c, vlen);
				buf[vlen] = '\0';
				return buf;
			}
		}
		l = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static int
hostinfo_has_flag(const char *flags, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = flags; (p = strstr(p, flag)) != NULL; p += n)
		if ((p == flags || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

static void
hostinfo_kvm(struct hostinfo *h, const char *root, const char *cpuinfo)
{
	char flags[4096];
	char p[PATH_MAX];
	const char *mod = NULL, *flag = NULL;
	int pvm;

	h->kvm_dev = hostinfo_exists(root, "dev/kvm");
	h->kvm_usable = 0;
	if (hostinfo_exists(root, "sys/module/kvm_intel"))
		mod = "kvm_intel";
	else if (hostinfo_exists(root, "sys/module/kvm_amd"))
		mod = "kvm_amd";
	pvm = hostinfo_exists(root, "sys/module/kvm_pvm");
	if (hostinfo_cpuinfo_field(cpuinfo, "flags", flags, sizeof(flags))) {
		if (hostinfo_has_flag(flags, "vmx"))
			flag = "vmx";
		else if (hostinfo_has_flag(flags, "svm"))
			flag = "svm";
	}

	if (!h->kvm_dev) {
		snprintf(h->kvm_reason, sizeof(h->kvm_reason),
			 "/dev/kvm is absent (no KVM module loaded)");
	} else if (mod == NULL && pvm) {
		snprintf(h->kvm_reason, sizeof(h->kvm_reason),
			 "/dev/kvm comes from kvm_pvm only (no kvm_intel or "
			 "kvm_amd module%s): the PVM hypervisor cannot run "
			 "ordinary guest kernels",
			 flag ? "" : ", no vmx/svm CPU flag");
	} else if (mod == NULL) {
		snprintf(h->kvm_reason, sizeof(h->kvm_reason),
			 "/dev/kvm exists but neither kvm_intel nor kvm_amd is "
			 "loaded");
	} else if (flag == NULL) {
		snprintf(h->kvm_reason, sizeof(h->kvm_reason),
			 "%s is loaded but the CPU shows no vmx/svm flag "
			 "(nested virtualisation off?)",
			 mod);
	} else if (access(hostinfo_path(root, "dev/kvm", p, sizeof(p)),
			  R_OK | W_OK) == -1) {
		snprintf(h->kvm_reason, sizeof(h->kvm_reason),
			 "/dev/kvm cannot be opened read-write: %s",
			 strerror(errno));
	} else {
		h->kvm_usable = 1;
		snprintf(h->kvm_reason, sizeof(h->kvm_reason),
			 "/dev/kvm is usable (%s, CPU flag %s)", mod, flag);
	}
}

/*
 * The topology of the online CPUs: cpuN/topology/physical_package_id, the
 * core from core_cpus_list (older kernels: thread_siblings_list), the NUMA
 * node from node/nodeM/cpulist.  Missing files leave -1 (unknown); known
 * when any CPU's topology directory could be read.
 */
static int
hostinfo_topology(struct hostinfo *h, const char *root)
{
	struct pin_cputopo *t = &h->topo;
	char p[PATH_MAX], rel[128];
	cpu_set_t pk, co, nu;
	struct dirent *de;
	DIR *d;

	CPU_ZERO(&pk);
	CPU_ZERO(&co);
	CPU_ZERO(&nu);
	for (int c = 0; c < CPU_SETSIZE; c++) {
		cpu_set_t sib;
		char *s;

		t->package[c] = t->core[c] = t->numa[c] = -1;
		if (!CPU_ISSET(c, &h->online))
			continue;
		snprintf(rel, sizeof(rel),
			 "sys/devices/system/cpu/cpu%d/topology/"
			 "physical_package_id",
			 c);
		if ((s = file_read(hostinfo_path(root, rel, p, sizeof(p)),
				   64)) != NULL) {
			long v = strtol(s, NULL, 10);

			t->package[c] = v >= 0 && v < CPU_SETSIZE ? v : -1;
			t->known = 1;
			free(s);
		}
		snprintf(rel, sizeof(rel),
			 "sys/devices/system/cpu/cpu%d/topology/core_cpus_list",
			 c);
		if (!hostinfo_exists(root, rel))
			snprintf(rel, sizeof(rel),
				 "sys/devices/system/cpu/cpu%d/topology/"
				 "thread_siblings_list",
				 c);
		if (hostinfo_cpulist(root, rel, &sib) == -1)
			return -1;
		for (int s2 = 0; s2 < CPU_SETSIZE; s2++)
			if (CPU_ISSET(s2, &sib)) {
				t->core[c] = s2;
				t->known = 1;
				break;
			}
		if (t->package[c] >= 0)
			CPU_SET(t->package[c], &pk);
		CPU_SET(t->core[c] >= 0 ? t->core[c] : c, &co);
	}
	hostinfo_path(root, "sys/devices/system/node", p, sizeof(p));
	if ((d = opendir(p)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			cpu_set_t cpus;
			int m;
			char tail;

			if (sscanf(de->d_name, "node%d%c", &m, &tail) != 1 ||
			    m < 0 || m >= CPU_SETSIZE)
				continue;
			snprintf(rel, sizeof(rel),
				 "sys/devices/system/node/node%d/cpulist", m);
			if (hostinfo_cpulist(root, rel, &cpus) == -1)
				continue;
			for (int c = 0; c < CPU_SETSIZE; c++)
				if (CPU_ISSET(c, &cpus) &&
				    CPU_ISSET(c, &h->online)) {
					t->numa[c] = m;
					CPU_SET(m, &nu);
				}
		}
		closedir(d);
	}
	if (t->known) {
		h->npackages = CPU_COUNT(&pk);
		h->ncores = CPU_COUNT(&co);
		h->nnuma = CPU_COUNT(&nu);
	}
	return 0;
}

static void
hostinfo_vhost(struct hostinfo *h, const char *root)
{
	char p[PATH_MAX];
	int fd;

	h->vhost_net = 0;
	hostinfo_path(root, "dev/vhost-net", p, sizeof(p));
	if ((fd = open(p, O_RDWR | O_CLOEXEC)) != -1) {
		close(fd);
		h->vhost_net = 1;
		snprintf(h->vhost_reason, sizeof(h->vhost_reason),
			 "/dev/vhost-net is available: virtio-net NICs use "
			 "vhost-net");
	} else if (errno == ENOENT) {
		snprintf(h->vhost_reason, sizeof(h->vhost_reason),
			 "/dev/vhost-net is absent (vhost_net not in this "
			 "kernel): userspace virtio fallback (QEMU's own "
			 "virtio-net backend)");
	} else {
		snprintf(h->vhost_reason, sizeof(h->vhost_reason),
			 "/dev/vhost-net cannot be opened (%s): userspace "
			 "virtio fallback (QEMU's own virtio-net backend)",
			 strerror(errno));
	}
}

int
hostinfo_read(struct hostinfo *h, const char *root)
{
	char p[PATH_MAX], *cpuinfo = NULL, *s;
	int rv = -1;

	if (root == NULL)
		root = "";
	memset(h, 0, sizeof(*h));
	if (hostinfo_cpulist(root, "sys/devices/system/cpu/online",
			     &h->online) == -1)
		goto fail;
	if (CPU_COUNT(&h->online) == 0 && *root == '\0') {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		for (long i = 0; i < n && i < CPU_SETSIZE; i++)
			CPU_SET(i, &h->online);
	}
	if (CPU_COUNT(&h->online) == 0) {
		errno = ENOENT;
		goto fail;
	}
	h->ncpus = CPU_COUNT(&h->online);
	if (hostinfo_cpulist(root, "sys/devices/system/cpu/isolated",
			     &h->isolated) == -1 ||
	    hostinfo_cpulist(root, "sys/devices/system/cpu/nohz_full",
			     &h->nohz_full) == -1)
		goto fail;
	if (hostinfo_topology(h, root) == -1)
		goto fail;

	cpuinfo = file_readat(AT_FDCWD,
			      hostinfo_path(root, "proc/cpuinfo", p, sizeof(p)),
			      HOSTINFO_CPUINFO_MAX, FR_TRUNCATE);
	if (cpuinfo == NULL)
		cpuinfo = xstrdup("");
	if (!hostinfo_cpuinfo_field(cpuinfo, "model name", h->cpu_model,
				    sizeof(h->cpu_model)) &&
	    !hostinfo_cpuinfo_field(cpuinfo, "Model", h->cpu_model,
				    sizeof(h->cpu_model)))
		vr_strlcpy(h->cpu_model, "unknown", sizeof(h->cpu_model));

	s = file_readat(
	    AT_FDCWD,
	    hostinfo_path(root, "proc/sys/kernel/osrelease", p, sizeof(p)),
	    sizeof(h->kernel) - 1, FR_TRUNCATE);
	vr_strlcpy(h->kernel, s ? s : "unknown", sizeof(h->kernel));
	free(s);

	hostinfo_kvm(h, root, cpuinfo);
	hostinfo_vhost(h, root);
	rv = 0;
fail:
	free(cpuinfo);
	return rv;
}

json_object *
hostinfo_topology_json(const struct hostinfo *h)
{
	json_object *o = json_object_new_object(), *sib, *numa;
	const struct pin_cputopo *t = &h->topo;
	char buf[CPULIST_MAX], key[16];

	json_object_object_add(o, "known", json_object_new_boolean(t->known));
	json_object_object_add(o, "packages",
			       json_object_new_int(h->npackages));
	json_object_object_add(o, "cores", json_object_new_int(h->ncores));
	json_object_object_add(o, "numa_nodes", json_object_new_int(h->nnuma));
	sib = json_object_new_array();
	numa = json_object_new_object();
	for (int c = 0; c < CPU_SETSIZE; c++) {
		cpu_set_t s;

		if (!CPU_ISSET(c, &h->online))
			continue;
		CPU_ZERO(&s);
		for (int d = c; t->core[c] == c && d < CPU_SETSIZE; d++)
			if (CPU_ISSET(d, &h->online) && t->core[d] == c)
				CPU_SET(d, &s);
		if (CPU_COUNT(&s) > 1)
			json_object_array_add(
			    sib, json_object_new_string(
				     cpulist_format(&s, buf, sizeof(buf))));
		if (t->numa[c] < 0)
			continue;
		snprintf(key, sizeof(key), "%d", t->numa[c]);
		if (json_object_object_get_ex(numa, key, NULL))
			continue;
		CPU_ZERO(&s);
		for (int d = c; d < CPU_SETSIZE; d++)
			if (CPU_ISSET(d, &h->online) &&
			    t->numa[d] == t->numa[c])
				CPU_SET(d, &s);
		json_object_object_add(numa, key,
				       json_object_new_string(cpulist_format(
					   &s, buf, sizeof(buf))));
	}
	json_object_object_add(o, "smt_siblings", sib);
	json_object_object_add(o, "numa", numa);
	return o;
}

int
hostinfo_accel(const struct hostinfo *h, enum topo_accel requested,
	       char *reason, size_t len)
{
	switch (requested) {
	case ACCEL_AUTO:
		if (h->kvm_usable) {
			snprintf(reason, len, "auto: kvm, because %s",
				 h->kvm_reason);
			return ACCEL_KVM;
		}
		snprintf(reason, len, "auto: tcg, because %s", h->kvm_reason);
		return ACCEL_TCG;
	case ACCEL_KVM:
		if (h->kvm_usable) {
			snprintf(reason, len, "kvm requested: %s",
				 h->kvm_reason);
			return ACCEL_KVM;
		}
		snprintf(reason, len, "kvm requested but unusable: %s",
			 h->kvm_reason);
		return -1;
	case ACCEL_TCG:
		snprintf(reason, len, "tcg requested");
		return ACCEL_TCG;
	}
	snprintf(reason, len, "unknown accelerator %d", (int)requested);
	return -1;
}
