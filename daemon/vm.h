/*
 * The libvirt side: one connection (conf->libvirt_uri), transient domains,
 * their state and QEMU process.  Thread-safe: start jobs call these from
 * worker threads while the loop answers status.
 */
#ifndef VR_VM_H
#define VR_VM_H

#include <sys/types.h>

#include <json-c/json.h>

int vm_init(const char *uri);
void vm_fini(void);
/* Connect if not connected (cheap when connected).  0 or -1 with err. */
int vm_ensure(char *err, size_t errlen);
int vm_connected(void);
json_object *vm_status_json(void);

/* Create a transient domain from xml.  0 or -1 with err. */
int vm_create(const char *xml, char *err, size_t errlen);
/* Destroy domain name if it exists and carries vrouterd's metadata.
 * 0 (destroyed or absent), -1 with err. */
int vm_destroy(const char *name, char *err, size_t errlen);
/* 1 if a domain of that name exists, 0 if not, -1 when unknown. */
int vm_exists(const char *name);
/* "running", "shutoff", "crashed", "paused", ..., or "absent"/"unknown". */
const char *vm_state(const char *name);
/* The QEMU process of a running domain, or -1. */
pid_t vm_qemu_pid(const char *name);
/* Hypervisor and library versions ("7.2.22", "9.0.0"), "" if unknown. */
void vm_versions(char *hv, size_t hvlen, char *lib, size_t liblen);

#endif
