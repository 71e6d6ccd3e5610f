/*
 * The libvirt side: one connection (conf->libvirt_uri), transient domains,
 * their state and QEMU process.  Thread-safe: start jobs call these from
 * worker threads while the loop answers status, which reads only what
 * vm.c keeps current (vm_connected, vm_versions, vm_state_known,
 * vm_status_json) and never waits on libvirtd.
 */
#ifndef VR_VM_H
#define VR_VM_H

#include <sys/types.h>

#include <event2/event.h>
#include <json-c/json.h>

/* What libvirt told us, delivered in the loop's thread. */
enum vm_event_kind {
	VM_EV_LIFECYCLE, /* a domain started, stopped, crashed ... */
	VM_EV_CLOSED,	 /* the connection to libvirtd was lost */
	VM_EV_CONNECTED, /* (re)connected: state may have changed meanwhile */
};

struct vm_event {
	enum vm_event_kind kind;
	char domain[64];
	int event;  /* virDomainEventType */
	int detail; /* its detail (e.g. VIR_DOMAIN_EVENT_STOPPED_DESTROYED) */
};

typedef void (*vm_event_fn)(const struct vm_event *ev, void *arg);

/*
 * Set up libvirt: its event loop runs on a thread of its own; events reach
 * fn in the thread of base's loop.  Connects lazily (vm_ensure).
 */
int vm_init(struct event_base *base, const char *uri, vm_event_fn fn,
	    void *arg);
void vm_fini(void);
/* A new URI (reload): the next connection uses it. */
void vm_set_uri(const char *uri);
/* Connect if not connected (cheap when connected).  0 or -1 with err. */
int vm_ensure(char *err, size_t errlen);
/* Connected, as far as the close callback and keepalive have told us: no
 * libvirt call.  vm_check_alive asks the connection (and drops it if
 * dead) unless another thread holds it: it never waits. */
int vm_connected(void);
int vm_check_alive(void);
/* The connection and versions as known: no libvirt call. */
json_object *vm_status_json(void);

/* Create a transient domain from xml.  0 or -1 with err. */
int vm_create(const char *xml, char *err, size_t errlen);
/* Destroy domain name if it exists and carries vrouterd's metadata naming
 * topology owner (any topology when owner is NULL: a domain whose plan
 * cannot be read).  0 (destroyed or absent), -1 with err. */
int vm_destroy(const char *name, const char *owner, char *err, size_t errlen);
/* 1 if a domain of that name exists, 0 if not, -1 when unknown. */
int vm_exists(const char *name);
/* "running", "shutoff", "crashed", "paused", ..., or "absent"/"unknown",
 * asked of libvirt. */
const char *vm_state(const char *name);
/* The same as last known from libvirt's events (read at connect, updated
 * by lifecycle events, vm_create and vm_destroy): no libvirt call, for
 * status.  "unknown" while disconnected. */
const char *vm_state_known(const char *name);
/* The QEMU process of a running domain, or -1. */
pid_t vm_qemu_pid(const char *name);
/* A domain vrouterd started (it carries our metadata). */
struct vm_domain {
	char name[64];
	char *metadata; /* our <metadata> element, XML; malloc'ed */
	int active;
};

/* Every domain with vrouterd's metadata: count, *out malloc'ed (free with
 * vm_domains_free), or -1 when libvirt is unreachable. */
int vm_list_ours(struct vm_domain **out);
void vm_domains_free(struct vm_domain *d, int n);
/* "kvm" or "qemu" from the domain's XML, "" if unknown. */
void vm_domain_type(const char *name, char *buf, size_t len);
/*
 * What the running domain's live XML (virDomainGetXMLDesc) says of the
 * axes vrouterd sets, as vm_live_from_xml (vm_live.h) reads it; NULL when
 * the domain cannot be read.  A libvirt call: made at start and adoption,
 * cached for status.
 */
json_object *vm_domain_live(const char *name);

/* Hypervisor and library versions ("7.2.22", "9.0.0"), "" if unknown; as
 * read at connect, no libvirt call. */
void vm_versions(char *hv, size_t hvlen, char *lib, size_t liblen);

/*
 * Live migration (daemon/migrate.c), blocking, for a job: domain name
 * peer to peer to the libvirtd at dconnuri (live, or paused while it
 * moves).  0 or -1 with err.  vm_job_completed: libvirt's statistics of
 * the domain's last completed job (virDomainGetJobStats COMPLETED, on the
 * destination), or NULL.  vm_pin_vcpu: vCPU vcpu of name on cpu, live.
 */
int vm_migrate(const char *name, const char *dconnuri, int live, char *err,
	       size_t errlen);
json_object *vm_job_completed(const char *name);
/* At the libvirtd at uri (another host's): abort name's job (a migration
 * under way) if it has one; 1 the domain is there, 0 it is not, -1 that
 * libvirtd cannot say. */
int vm_abort_at(const char *uri, const char *name);
/* The same at this host's libvirtd. */
int vm_abort(const char *name);
int vm_pin_vcpu(const char *name, int vcpu, int cpu, char *err, size_t errlen);

#endif
