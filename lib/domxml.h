/*
 * libvirt domain XML for one node of a plan: pure string building, so the
 * output is golden-tested.  Transient domains, direct kernel boot of the
 * guest image, virtio-net NICs on pre-created tap/macvtap devices
 * (<interface type='ethernet'> with <target managed='no'>), the serial
 * console on a pty (`virsh console`) logged to a file, and a <metadata> element
 * in the vrouterd namespace that names the topology, the node and carries the
 * whole plan (for adoption).
 */
#ifndef VR_DOMXML_H
#define VR_DOMXML_H

#include "topo.h"

/* libvirt's QEMU command-line namespace (<qemu:commandline>). */
#define DOMXML_QEMU_NS	 "http://libvirt.org/schemas/domain/qemu/1.0"
#define DOMXML_NS_URI	 "urn:vrouterd:domain:1"
#define DOMXML_NS_PREFIX "vrouterd"

struct domxml_env {
	int kvm;	    /* 1: <domain type='kvm'>; 0: type='qemu' (TCG) */
	int vhost;	    /* 1: <driver name='vhost'/>; 0: name='qemu' */
	const char *kernel; /* absolute path of the guest kernel */
	const char *initrd; /* absolute path of the initramfs */
	const char *console_log; /* serial console logged here (truncated) */
	const char *plan_json; /* topo_plan_to_json, serialised; may be NULL */
	const char *emulator;  /* NULL: libvirt's default */
};

/* The XML (caller frees), or NULL with err set. */
char *domxml_build(const struct topo_plan *p, int node,
		   const struct domxml_env *env, char *err, size_t errlen);

/* XML-escape s into a new string (for text and attribute values). */
char *domxml_escape(const char *s);

#endif
