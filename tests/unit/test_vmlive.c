/* Unit tests for what status reads back from a live domain XML
 * (daemon/vm_live.c, vm_live_from_xml), on the golden domain XML files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "util.h"
#include "vm_live.h"

static char *
slurp(const char *name)
{
	char path[512];
	FILE *f;
	char *buf = xcalloc(1, 1 << 16);
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, name);
	if ((f = fopen(path, "re")) == NULL) {
		perror(path);
		exit(1);
	}
	n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static const char *
get(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v)
						   : "(absent)";
}

int
main(void)
{
	char *xml = slurp("domxml-tcg-e1000-rt-pin.xml");
	json_object *o = vm_live_from_xml(xml);

	CHECK_STR(get(o, "nic_models"), "[ \"e1000\", \"e1000\" ]");
	CHECK_STR(get(o, "nic_driver"), "(absent)");
	CHECK_STR(get(o, "cpu"), "Nehalem");
	CHECK_STR(get(o, "vcpupin"), "{ \"0\": \"6\", \"1\": \"7\" }");
	CHECK_STR(get(o, "emulatorpin"), "0-5");
	CHECK_STR(get(o, "vcpusched"), "fifo/10");
	json_object_put(o);
	free(xml);

	xml = slurp("domxml-tcg-tap-2vcpus.xml");
	o = vm_live_from_xml(xml);
	CHECK_STR(get(o, "nic_models"), "[ \"virtio\", \"virtio\" ]");
	CHECK_STR(get(o, "nic_driver"), "qemu");
	CHECK_STR(get(o, "cpu"), "qemu64");
	CHECK_STR(get(o, "vcpupin"), "(absent)");
	CHECK_STR(get(o, "vcpusched"), "(absent)");
	CHECK_STR(get(o, "hugepages"), "(absent)");
	json_object_put(o);
	free(xml);

	xml = slurp("domxml-kvm-vhost-macvtap-4vcpus.xml");
	o = vm_live_from_xml(xml);
	CHECK_STR(get(o, "nic_driver"), "vhost");
	CHECK_STR(get(o, "cpu"), "host-passthrough");
	CHECK_STR(get(o, "emulatorpin"), "0-3");
	json_object_put(o);
	free(xml);

	/* --hugepages: the live XML's <memoryBacking> */
	xml = slurp("domxml-kvm-hugepages-2vcpus.xml");
	o = vm_live_from_xml(xml);
	CHECK_STR(get(o, "hugepages"), "true");
	CHECK_STR(get(o, "vcpupin"), "{ \"0\": \"2\", \"1\": \"3\" }");
	json_object_put(o);
	free(xml);

	/* issue 14 axes: the queue count and the QEMU arguments, decoded */
	CHECK_STR(get(o = vm_live_from_xml(
			  xml = slurp("domxml-tcg-queues-qemu-args.xml")),
		      "nic_queues"),
		  "3");
	CHECK_STR(json_object_to_json_string_ext(
		      json_object_object_get(o, "qemu_args"),
		      JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
		  "[\"-global\",\"kvm-pit.lost_tick_policy=discard\","
		  "\"a'b&<c>\\\"d\"]");
	json_object_put(o);
	free(xml);
	xml = slurp("domxml-tcg-tap-2vcpus.xml");
	o = vm_live_from_xml(xml);
	CHECK_STR(get(o, "nic_queues"), "1");
	CHECK_STR(get(o, "qemu_args"), "(absent)");
	json_object_put(o);
	free(xml);
	return t_done("test_vmlive");
}
