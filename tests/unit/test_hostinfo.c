/* lib/hostinfo.c against fake /proc /sys /dev trees built in a temp dir. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostinfo.h"
#include "faketree.h"
#include "t.h"
#include "util.h"

static char root[64];

static void
put(const char *rel, const char *text)
{
	faketree_put(root, rel, text);
}

static void
rm(const char *rel)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s'", root, rel);
	if (system(cmd) != 0)
		exit(1);
}

static const char cpuinfo_pvm[] =
    "processor\t: 0\nvendor_id\t: GenuineIntel\n"
    "model name\t: Intel(R) Xeon(R) Processor\n"
    "flags\t\t: fpu vme de pse tsc msr pae mce hypervisor lahf_lm\n\n"
    "processor\t: 1\nmodel name\t: Intel(R) Xeon(R) Processor\n"
    "flags\t\t: fpu vme de pse tsc msr pae mce hypervisor lahf_lm\n";

static const char cpuinfo_vmx[] =
    "processor\t: 0\nmodel name\t: AMD EPYC 7302\n"
    "flags\t\t: fpu vme svm_lock svm lahf_lm\n";

static void
test_pvm_host(void)
{
	struct hostinfo h;
	char reason[512], buf[64];

	put("sys/devices/system/cpu/online", "0-3\n");
	put("sys/devices/system/cpu/isolated", "2-3\n");
	put("sys/devices/system/cpu/nohz_full", "3\n");
	put("proc/cpuinfo", cpuinfo_pvm);
	put("proc/sys/kernel/osrelease", "6.1.0-test\n");
	put("dev/kvm", "");
	put("sys/module/kvm", NULL);
	put("sys/module/kvm_pvm", NULL);

	CHECK_INT(hostinfo_read(&h, root), 0);
	CHECK_INT(h.ncpus, 4);
	CHECK_STR(cpulist_format(&h.online, buf, sizeof(buf)), "0-3");
	CHECK_STR(cpulist_format(&h.isolated, buf, sizeof(buf)), "2-3");
	CHECK_STR(cpulist_format(&h.nohz_full, buf, sizeof(buf)), "3");
	CHECK_STR(h.cpu_model, "Intel(R) Xeon(R) Processor");
	CHECK_STR(h.kernel, "6.1.0-test");
	CHECK_INT(h.kvm_dev, 1);
	CHECK_INT(h.kvm_usable, 0);
	CHECK(strstr(h.kvm_reason, "kvm_pvm") != NULL);
	CHECK(strstr(h.kvm_reason, "cannot run ordinary guest") != NULL);
	CHECK(strstr(h.kvm_reason, "no vmx/svm") != NULL);
	CHECK_INT(h.vhost_net, 0);
	CHECK(strstr(h.vhost_reason, "absent") != NULL);
	CHECK(strstr(h.vhost_reason, "userspace virtio fallback") != NULL);

	CHECK_INT(hostinfo_accel(&h, ACCEL_AUTO, reason, sizeof(reason)),
		  ACCEL_TCG);
	CHECK(strncmp(reason, "auto: tcg, because /dev/kvm comes from kvm_pvm",
		      46) == 0);
	CHECK_INT(hostinfo_accel(&h, ACCEL_KVM, reason, sizeof(reason)), -1);
	CHECK(strstr(reason, "kvm requested but unusable") != NULL);
	CHECK_INT(hostinfo_accel(&h, ACCEL_TCG, reason, sizeof(reason)),
		  ACCEL_TCG);
	CHECK_STR(reason, "tcg requested");
}

static void
test_kvm_host(void)
{
	struct hostinfo h;
	char reason[512], buf[64];

	rm("sys/module/kvm_pvm");
	rm("sys/devices/system/cpu/isolated");
	/* Debian 12's kernel (6.1) says "(null)" when nohz_full is unset */
	put("sys/devices/system/cpu/nohz_full", "(null)\n");
	put("sys/module/kvm_amd", NULL);
	put("proc/cpuinfo", cpuinfo_vmx);
	put("dev/vhost-net", "");

	CHECK_INT(hostinfo_read(&h, root), 0);
	CHECK_STR(cpulist_format(&h.isolated, buf, sizeof(buf)), "");
	CHECK_STR(cpulist_format(&h.nohz_full, buf, sizeof(buf)), "");
	/* ... padded to nr_cpu_ids columns: "  (null)" with 8 CPUs (the
	 * host image booted with -smp 8 failed on it) */
	put("sys/devices/system/cpu/nohz_full", "  (null)\n");
	CHECK_INT(hostinfo_read(&h, root), 0);
	CHECK_STR(cpulist_format(&h.nohz_full, buf, sizeof(buf)), "");
	CHECK_STR(h.cpu_model, "AMD EPYC 7302");
	CHECK_INT(h.kvm_usable, 1);
	CHECK(strstr(h.kvm_reason, "kvm_amd") != NULL);
	CHECK(strstr(h.kvm_reason, "svm") != NULL);
	CHECK_INT(h.vhost_net, 1);
	CHECK_INT(hostinfo_accel(&h, ACCEL_AUTO, reason, sizeof(reason)),
		  ACCEL_KVM);
	CHECK(strncmp(reason, "auto: kvm", 9) == 0);
	CHECK_INT(hostinfo_accel(&h, ACCEL_KVM, reason, sizeof(reason)),
		  ACCEL_KVM);

	/* A module without the CPU flag (nested virtualisation off). */
	put("proc/cpuinfo", "model name : X\nflags : fpu svm_lock\n");
	CHECK_INT(hostinfo_read(&h, root), 0);
	CHECK_INT(h.kvm_usable, 0);
	CHECK(strstr(h.kvm_reason, "no vmx/svm") != NULL);

	/* No /dev/kvm at all. */
	rm("dev/kvm");
	CHECK_INT(hostinfo_read(&h, root), 0);
	CHECK_INT(h.kvm_dev, 0);
	CHECK(strstr(h.kvm_reason, "absent") != NULL);
	CHECK_INT(hostinfo_accel(&h, ACCEL_AUTO, reason, sizeof(reason)),
		  ACCEL_TCG);
}

static void
test_bad_trees(void)
{
	struct hostinfo h;

	put("sys/devices/system/cpu/online", "0-x\n");
	CHECK_INT(hostinfo_read(&h, root), -1);
	rm("sys/devices/system/cpu/online");
	CHECK_INT(hostinfo_read(&h, root), -1); /* no CPUs is an error */
	put("sys/devices/system/cpu/online", "0\n");
	rm("proc");
	CHECK_INT(hostinfo_read(&h, root), 0);
	CHECK_STR(h.cpu_model, "unknown");
	CHECK_STR(h.kernel, "unknown");
}

static void
test_real_host(void)
{
	struct hostinfo h;
	char reason[512];

	CHECK_INT(hostinfo_read(&h, NULL), 0);
	CHECK(h.ncpus > 0);
	CHECK(h.kernel[0] != '\0');
	CHECK(hostinfo_accel(&h, ACCEL_AUTO, reason, sizeof(reason)) != -1);
	CHECK(reason[0] != '\0');
}

int
main(void)
{
	snprintf(root, sizeof(root), "/tmp/test_hostinfo.XXXXXX");
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_pvm_host();
	test_kvm_host();
	test_bad_trees();
	test_real_host();
	rm("");
	return t_done("test_hostinfo");
}
