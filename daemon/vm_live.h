/*
 * The reading of a running domain's live XML: what libvirt made of the
 * axes vrouterd sets, for status (vm_domain_live in vm.h fetches the XML).
 */
#ifndef VR_VM_LIVE_H
#define VR_VM_LIVE_H

#include <json-c/json.h>

/*
 * What a domain XML text says of the axes vrouterd sets: {"nic_models":
 * [...], "nic_driver", "cpu", "vcpupin": {"0": "6", ...}, "emulatorpin",
 * "vcpusched", "hugepages": true (a <memoryBacking><hugepages/>),
 * "nic_queues", "qemu_args": [...]}, keys absent when the XML has no such
 * element.  Pure (test_vmlive).
 */
json_object *vm_live_from_xml(const char *xml);

#endif
