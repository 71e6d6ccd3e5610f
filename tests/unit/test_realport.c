/*
 * Unit tests for real port NICs (daemon/realport.c) and the vhost_net
 * zero-copy check (daemon/vhostnet.c), against a fake tree made in a
 * temporary directory: sys/class/net/IF/device/msi_irqs, proc/interrupts,
 * proc/irq/N/smp_affinity_list, sys/module/vhost_net/parameters.  No root
 * and no real NIC needed; the interface names exist on no host.
 */
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "realport.h"
#include "t.h"
#include "util.h"
#include "vhostnet.h"

static char root[256];

static void
mkpath(const char *rel)
{
	char path[512], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

static void
put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if ((f = fopen(path, "we")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static char *
get(const char *rel)
{
	char path[512], *s;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	s = file_read(path, 4096);
	if (s != NULL)
		s[strcspn(s, "\n")] = '\0';
	return s;
}

static void
check_file(const char *rel, const char *want)
{
	char *s = get(rel);

	CHECK_STR(s ? s : "(none)", want);
	free(s);
}

static void
fake_irq(int irq, const char *aff)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "proc/irq/%d", irq);
	mkpath(rel);
	snprintf(rel, sizeof(rel), "proc/irq/%d/smp_affinity_list", irq);
	put(rel, aff);
}

static void
test_irqs(void)
{
	int irqs[REALPORT_MAX_IRQS];

	/* a PCI NIC: its MSI-X vectors, sorted */
	mkpath("sys/class/net/vrtnic0/device/msi_irqs");
	put("sys/class/net/vrtnic0/device/msi_irqs/35", "msix\n");
	put("sys/class/net/vrtnic0/device/msi_irqs/33", "msix\n");
	put("sys/class/net/vrtnic0/device/msi_irqs/34", "msix\n");
	CHECK_INT(realport_irqs(root, "vrtnic0", irqs, REALPORT_MAX_IRQS), 3);
	CHECK_INT(irqs[0], 33);
	CHECK_INT(irqs[2], 35);
	/* no msi_irqs: the /proc/interrupts lines named IF or IF-... */
	mkpath("proc");
	put("proc/interrupts",
	    "           CPU0       CPU1\n"
	    "  0:         40          0   IO-APIC   2-edge      timer\n"
	    " 50:          1          2   PCI-MSI 1-edge      vrtnic1-TxRx-0\n"
	    " 51:          3          4   PCI-MSI 2-edge      vrtnic1-TxRx-1\n"
	    " 52:          5          6   PCI-MSI 3-edge      vrtnic10-TxRx-0\n"
	    " 53:          0          0   PCI-MSI 4-edge      vrtnic1\n"
	    "NMI:          0          0   Non-maskable interrupts\n");
	CHECK_INT(realport_irqs(root, "vrtnic1", irqs, REALPORT_MAX_IRQS), 3);
	CHECK_INT(irqs[0], 50);
	CHECK_INT(irqs[1], 51);
	CHECK_INT(irqs[2], 53);
	/* veth: none */
	CHECK_INT(realport_irqs(root, "vrtveth0", irqs, REALPORT_MAX_IRQS), 0);
	CHECK_INT(realport_irqs(root, "vrtnic1", irqs, 2), 2);
}

static struct topo_plan *
plan(const char *in, const char *out, const char *cpus)
{
	struct topo_plan *p = xcalloc(1, sizeof(*p));

	topo_opts_init(&p->opts);
	p->opts.ports = PORTS_HOST;
	vr_strlcpy(p->opts.port_in, in, sizeof(p->opts.port_in));
	vr_strlcpy(p->opts.port_out, out, sizeof(p->opts.port_out));
	if (cpus != NULL) {
		cpulist_parse(cpus, &p->opts.irq_cpus);
		p->opts.has_irq_cpus = 1;
	}
	return p;
}

static void
test_apply_restore(void)
{
	struct topo_plan *p;
	struct realport *rp = NULL;
	json_object *j, *v;
	char err[512] = "";

	fake_irq(33, "0-1\n");
	fake_irq(34, "0-1\n");
	fake_irq(35, "1\n");
	fake_irq(50, "0\n");
	fake_irq(51, "0-1\n");
	fake_irq(53, "1\n");

	/* nothing asked: nothing done, no record */
	p = plan("vrtnic0", "vrtnic1", NULL);
	CHECK_INT(realport_apply(p, root, &rp, err, sizeof(err)), 0);
	CHECK(rp == NULL);
	free(p);

	/* both NICs to CPU 1, then back */
	p = plan("vrtnic0", "vrtnic1", "1");
	CHECK_INT(realport_apply(p, root, &rp, err, sizeof(err)), 0);
	CHECK(rp != NULL);
	check_file("proc/irq/33/smp_affinity_list", "1");
	check_file("proc/irq/35/smp_affinity_list", "1");
	check_file("proc/irq/50/smp_affinity_list", "1");
	check_file("proc/irq/53/smp_affinity_list", "1");
	/* status reads the affinity back from the tree */
	j = realport_json(p, root);
	CHECK(j != NULL);
	CHECK(json_object_object_get_ex(j, "in", &v));
	CHECK_STR(
	    json_object_to_json_string_ext(json_object_object_get(v, "irqs"),
					   JSON_C_TO_STRING_PLAIN),
	    "[{\"irq\":33,\"cpus\":\"1\"},{\"irq\":34,\"cpus\":\"1\"},"
	    "{\"irq\":35,\"cpus\":\"1\"}]");
	/* no such NIC for the ethtool calls: said, not an error */
	CHECK_STR(json_object_get_string(json_object_object_get(v, "pause")),
		  "not supported by this NIC");
	json_object_put(j);
	/* a restarted vrouterd: the saved values through state.json's
	 * "realport", then restored by the adopted run's stop */
	j = realport_saved_json(rp);
	free(rp);
	v = json_tokener_parse(json_object_to_json_string(j));
	json_object_put(j);
	rp = realport_saved_from_json(v);
	json_object_put(v);
	CHECK(rp != NULL && rp->n == 2);
	j = json_tokener_parse("{\"nics\": [{\"ifname\": \"x\", \"irqs\": "
			       "[[1, 2]]}]}");
	CHECK(realport_saved_from_json(j) == NULL); /* malformed: refused */
	json_object_put(j);
	/* an IRQ that is no [irq, cpus] pair: refused, not an abort */
	j = json_tokener_parse("{\"nics\": [{\"ifname\": \"x\", \"irqs\": "
			       "[5]}]}");
	CHECK(realport_saved_from_json(j) == NULL);
	json_object_put(j);
	realport_restore(rp);
	check_file("proc/irq/33/smp_affinity_list", "0-1");
	check_file("proc/irq/34/smp_affinity_list", "0-1");
	check_file("proc/irq/35/smp_affinity_list", "1");
	check_file("proc/irq/50/smp_affinity_list", "0");
	check_file("proc/irq/51/smp_affinity_list", "0-1");
	free(p);

	/* out is a veth (no IRQs): refused, and in is put back */
	p = plan("vrtnic0", "vrtveth0", "0");
	CHECK_INT(realport_apply(p, root, &rp, err, sizeof(err)), -1);
	CHECK(rp == NULL);
	CHECK_STR(err, "irq_cpus: vrtveth0 has no queue interrupts (no device "
		       "msi_irqs, nothing named vrtveth0 in /proc/interrupts): "
		       "not supported by this NIC");
	check_file("proc/irq/33/smp_affinity_list", "0-1");
	check_file("proc/irq/35/smp_affinity_list", "1");
	j = realport_json(p, root);
	CHECK_STR(json_object_get_string(json_object_object_get(
		      json_object_object_get(j, "out"), "irqs")),
		  "not supported by this NIC");
	json_object_put(j);
	free(p);

	/* pause off on a NIC without pause control: a clear error */
	p = plan("vrtnic0", "vrtnic1", NULL);
	p->opts.pause_off = 1;
	CHECK_INT(realport_apply(p, root, &rp, err, sizeof(err)), -1);
	CHECK(strncmp(err, "pause off: vrtnic0: ", 20) == 0);
	free(p);
}

/* in and out are two netdevs of one PCI function (one device, one set
 * of MSI-X vectors): each IRQ is saved once, with its value from before
 * the start, and stop puts that back (it once kept --irq-cpus: out saved
 * in's new value and was restored last). */
static void
test_shared_function(void)
{
	struct topo_plan *p;
	struct realport *rp = NULL;
	json_object *j;
	char err[512] = "", path[512];

	mkpath("sys/devices/pci0/0000:01:00.0/msi_irqs");
	put("sys/devices/pci0/0000:01:00.0/msi_irqs/60", "msix\n");
	put("sys/devices/pci0/0000:01:00.0/msi_irqs/61", "msix\n");
	mkpath("sys/class/net/vrtpf0");
	mkpath("sys/class/net/vrtpf1");
	snprintf(path, sizeof(path), "%s/sys/class/net/vrtpf0/device", root);
	CHECK_INT(symlink("../../../devices/pci0/0000:01:00.0", path), 0);
	snprintf(path, sizeof(path), "%s/sys/class/net/vrtpf1/device", root);
	CHECK_INT(symlink("../../../devices/pci0/0000:01:00.0", path), 0);
	fake_irq(60, "0-1\n");
	fake_irq(61, "0\n");

	p = plan("vrtpf0", "vrtpf1", "1");
	CHECK_INT(realport_apply(p, root, &rp, err, sizeof(err)), 0);
	check_file("proc/irq/60/smp_affinity_list", "1");
	check_file("proc/irq/61/smp_affinity_list", "1");
	/* the record names each IRQ once, with its first value */
	j = realport_saved_json(rp);
	CHECK_STR(
	    json_object_to_json_string_ext(json_object_object_get(j, "nics"),
					   JSON_C_TO_STRING_PLAIN),
	    "[{\"ifname\":\"vrtpf0\",\"irqs\":"
	    "[[60,\"0-1\"],[61,\"0\"]]},{\"ifname\":\"vrtpf1\",\"irqs\":"
	    "[]}]");
	realport_restore(rp);
	check_file("proc/irq/60/smp_affinity_list", "0-1");
	check_file("proc/irq/61/smp_affinity_list", "0");

	/* a record written before the fix (each NIC saved one; out's
	 * values are in's new ones): restored newest first, the
	 * originals win */
	json_object_put(j);
	snprintf(path, sizeof(path),
		 "{\"root\":\"%s\",\"nics\":[{\"ifname\":\"vrtpf0\",\"irqs\":[["
		 "60,\"0-1\"],"
		 "[61,\"0\"]]},{\"ifname\":\"vrtpf1\",\"irqs\":[[60,\"1\"],"
		 "[61,\"1\"]]}]}",
		 root);
	j = json_tokener_parse(path);
	rp = realport_saved_from_json(j);
	json_object_put(j);
	CHECK(rp != NULL);
	fake_irq(60, "1\n");
	fake_irq(61, "1\n");
	realport_restore(rp);
	check_file("proc/irq/60/smp_affinity_list", "0-1");
	check_file("proc/irq/61/smp_affinity_list", "0");

	/* status shows a long affinity whole (it once dropped any list of
	 * 64 characters or more) */
	{
		static const char *lng =
		    "0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,38,"
		    "40,42,44,46,48,50,52,54,56,58,60,62,64,66,68,70";
		json_object *in, *e;

		fake_irq(60, lng);
		j = realport_json(p, root);
		in = json_object_object_get(j, "in");
		e = json_object_array_get_idx(
		    json_object_object_get(in, "irqs"), 0);
		CHECK_STR(
		    json_object_get_string(json_object_object_get(e, "cpus")),
		    lng);
		json_object_put(j);
	}
	free(p);
}

static void
test_vhostnet(void)
{
	struct topo_opts o;
	char err[512] = "";
	json_object *j;

	topo_opts_init(&o);
	/* not loaded */
	CHECK_INT(vhostnet_zcopytx(root), -1);
	CHECK_INT(vhostnet_check(&o, root, err, sizeof(err)), 0);
	o.vhost_zerocopy = ZCOPY_ON;
	CHECK_INT(vhostnet_check(&o, root, err, sizeof(err)), -1);
	CHECK_STR(err, "vhost_zerocopy on: the vhost_net module is not loaded "
		       "(no /sys/module/vhost_net/parameters/"
		       "experimental_zcopytx); vrouterd does not load modules: "
		       "`modprobe vhost_net experimental_zcopytx=1`, then "
		       "start again");
	j = vhostnet_json(&o, root);
	CHECK_STR(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
		  "{\"loaded\":false,\"required\":\"on\",\"note\":\"vhost_net "
		  "is not loaded (no zero-copy setting to read)\"}");
	json_object_put(j);
	/* loaded with 0 */
	mkpath("sys/module/vhost_net/parameters");
	put("sys/module/vhost_net/parameters/experimental_zcopytx", "0\n");
	CHECK_INT(vhostnet_zcopytx(root), 0);
	CHECK_INT(vhostnet_check(&o, root, err, sizeof(err)), -1);
	CHECK_STR(err, "vhost_zerocopy on: vhost_net is loaded with "
		       "experimental_zcopytx=0, which changes only when the "
		       "module is reloaded (with no guest using vhost-net): "
		       "`modprobe -r vhost_net && modprobe vhost_net "
		       "experimental_zcopytx=1`");
	o.vhost_zerocopy = ZCOPY_OFF;
	CHECK_INT(vhostnet_check(&o, root, err, sizeof(err)), 0);
	j = vhostnet_json(&o, root);
	CHECK_STR(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
		  "{\"loaded\":true,\"experimental_zcopytx\":\"off\","
		  "\"required\":\"off\"}");
	json_object_put(j);
	put("sys/module/vhost_net/parameters/experimental_zcopytx", "1\n");
	CHECK_INT(vhostnet_zcopytx(root), 1);
	CHECK_INT(vhostnet_check(&o, root, err, sizeof(err)), -1);
	CHECK(strstr(err, "modprobe vhost_net experimental_zcopytx=0`") !=
	      NULL);
}

int
main(void)
{
	char cmd[300];

	snprintf(root, sizeof(root), "/tmp/test_realport.XXXXXX");
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_irqs();
	test_apply_restore();
	test_shared_function();
	test_vhostnet();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	return t_done("test_realport");
}
