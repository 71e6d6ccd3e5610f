/*
 * The libvirt side (vm.h): one connection, transient domains, and what
 * status reports about them.  Calls into libvirt are made by start/stop
 * jobs and at (re)connection; status reads only "vk", the state kept
 * current from what libvirt tells us (versions read at connect, domain
 * states from lifecycle events, the connection's state from its close
 * callback), so a slow or stopped libvirtd never holds up a status call.
 *
 * Over 800 lines on purpose (issue 12): the connection, its event thread
 * and the calls made through it share vm_lock and the one virConnectPtr,
 * which stay private to this file; the live-XML reader, which needs
 * neither, is vm_live.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <event2/event.h>

#include "adopt.h"
#include "domxml.h"
#include "log.h"
#include "util.h"
#include "vm.h"
#include "vm_live.h"

static pthread_mutex_t vm_lock = PTHREAD_MUTEX_INITIALIZER;
static virConnectPtr vm_conn;
static char vm_uri[256];
static int vm_lifecycle_id = -1;
static int vm_close_registered;

/*
 * What status reports, kept current without asking libvirt.  vk_mu is
 * never held across a libvirt call; vm_lock (the connection pointer) is
 * never taken by status.
 */
struct vk_dom {
	char name[64];
	int state;	/* virDomainState, or -1 when gone */
	int persistent; /* a defined domain stays "shutoff" when it stops */
	uint64_t seq;	/* vk.seq of the last change */
};

static struct {
	pthread_mutex_t mu;
	int connected;
	char hv[32], lib[32];
	char lasterr[512];
	struct vk_dom *doms;
	int ndoms;
	uint64_t seq;
} vk = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void fmt_version(unsigned long v, char *buf, size_t len);

/* The entry of domain name, made if absent.  vk.mu held. */
static struct vk_dom *
vk_dom_get(const char *name)
{
	struct vk_dom *d;

	for (int i = 0; i < vk.ndoms; i++)
		if (strcmp(vk.doms[i].name, name) == 0)
			return &vk.doms[i];
	vk.doms = xreallocarray(vk.doms, vk.ndoms + 1, sizeof(*vk.doms));
	d = &vk.doms[vk.ndoms++];
	memset(d, 0, sizeof(*d));
	vr_strlcpy(d->name, name, sizeof(d->name));
	d->state = -1;
	return d;
}

static uint64_t
vk_seq(void)
{
	uint64_t s;

	pthread_mutex_lock(&vk.mu);
	s = vk.seq;
	pthread_mutex_unlock(&vk.mu);
	return s;
}

/* Domain name is now in state st (-1: gone unless defined), unless an
 * event said otherwise after seq0 (it knows better). */
static void
vk_dom_set(const char *name, int st, uint64_t seq0)
{
	struct vk_dom *d;

	pthread_mutex_lock(&vk.mu);
	d = vk_dom_get(name);
	if (d->seq <= seq0) {
		d->state = st == -1 && d->persistent ? VIR_DOMAIN_SHUTOFF : st;
		d->seq = ++vk.seq;
	}
	pthread_mutex_unlock(&vk.mu);
}

/* A lifecycle event, on libvirt's event thread. */
static void
vk_dom_event(const char *name, int event, int detail)
{
	struct vk_dom *d;

	pthread_mutex_lock(&vk.mu);
	d = vk_dom_get(name);
	switch (event) {
	case VIR_DOMAIN_EVENT_DEFINED:
		d->persistent = 1;
		if (d->state == -1)
			d->state = VIR_DOMAIN_SHUTOFF;
		break;
	case VIR_DOMAIN_EVENT_UNDEFINED:
		d->persistent = 0;
		if (d->state == VIR_DOMAIN_SHUTOFF)
			d->state = -1;
		break;
	case VIR_DOMAIN_EVENT_STARTED:
	case VIR_DOMAIN_EVENT_RESUMED:
		d->state = VIR_DOMAIN_RUNNING;
		break;
	case VIR_DOMAIN_EVENT_SUSPENDED:
		d->state = VIR_DOMAIN_PAUSED;
		break;
	case VIR_DOMAIN_EVENT_PMSUSPENDED:
		d->state = VIR_DOMAIN_PMSUSPENDED;
		break;
	case VIR_DOMAIN_EVENT_SHUTDOWN:
		d->state = VIR_DOMAIN_SHUTDOWN;
		break;
	case VIR_DOMAIN_EVENT_STOPPED:
		/* a transient domain is gone once stopped */
		d->state = d->persistent ? VIR_DOMAIN_SHUTOFF : -1;
		break;
	case VIR_DOMAIN_EVENT_CRASHED:
		d->state = VIR_DOMAIN_CRASHED;
		break;
	}
	(void)detail;
	d->seq = ++vk.seq;
	pthread_mutex_unlock(&vk.mu);
}

static void
vk_disconnected(void)
{
	pthread_mutex_lock(&vk.mu);
	vk.connected = 0;
	vk.hv[0] = '\0';
	pthread_mutex_unlock(&vk.mu);
}

/*
 * A fresh connection: read the versions and every domain's state, once.
 * Subscribed to events already, so a change after the listing arrives as
 * an event; an entry an event changed while we listed keeps the event's
 * word.  Called with vm_lock held.
 */
static void
vk_refresh_locked(void)
{
	unsigned long h = 0, l = 0;
	virDomainPtr *doms = NULL;
	uint64_t seq0 = vk_seq();
	int n, k;

	virConnectGetVersion(vm_conn, &h);
	if (virConnectGetLibVersion(vm_conn, &l) < 0)
		virGetVersion(&l, NULL, NULL);
	n = virConnectListAllDomains(vm_conn, &doms, 0);
	pthread_mutex_lock(&vk.mu);
	fmt_version(h, vk.hv, sizeof(vk.hv));
	fmt_version(l, vk.lib, sizeof(vk.lib));
	vk.connected = 1;
	vk.lasterr[0] = '\0';
	/* forget what the listing does not confirm */
	for (int i = k = 0; n >= 0 && i < vk.ndoms; i++)
		if (vk.doms[i].seq > seq0)
			vk.doms[k++] = vk.doms[i];
	if (n >= 0)
		vk.ndoms = k;
	pthread_mutex_unlock(&vk.mu);
	for (int i = 0; i < n; i++) {
		int st = -1, reason, pers = virDomainIsPersistent(doms[i]);
		struct vk_dom *d;

		if (virDomainGetState(doms[i], &st, &reason, 0) < 0)
			st = -1;
		pthread_mutex_lock(&vk.mu);
		d = vk_dom_get(virDomainGetName(doms[i]));
		if (d->seq <= seq0) {
			d->state = st;
			d->persistent = pers == 1;
		}
		pthread_mutex_unlock(&vk.mu);
		virDomainFree(doms[i]);
	}
	free(doms);
}

/*
 * libvirt's event loop runs on its own thread (close callbacks, domain
 * events, keepalives); what it reports is queued and handed to the
 * daemon's loop through a pipe.
 */
struct vm_evq {
	struct vm_evq *next;
	struct vm_event ev;
};

static struct {
	pthread_t thread;
	int running;
	atomic_int quit;
	int pipe[2];
	struct event *ev;
	pthread_mutex_t mu;
	struct vm_evq *head, **tail;
	vm_event_fn fn;
	void *arg;
} vme = {.pipe = {-1, -1}, .mu = PTHREAD_MUTEX_INITIALIZER};

static void
vm_post(enum vm_event_kind kind, const char *domain, int event, int detail)
{
	struct vm_evq *q = xcalloc(1, sizeof(*q));
	char c = 1;

	q->ev.kind = kind;
	if (domain)
		vr_strlcpy(q->ev.domain, domain, sizeof(q->ev.domain));
	q->ev.event = event;
	q->ev.detail = detail;
	pthread_mutex_lock(&vme.mu);
	if (vme.tail == NULL)
		vme.tail = &vme.head;
	*vme.tail = q;
	vme.tail = &q->next;
	pthread_mutex_unlock(&vme.mu);
	if (vme.pipe[1] != -1)
		while (write(vme.pipe[1], &c, 1) == -1 && errno == EINTR)
			;
}

static void
vm_dispatch(evutil_socket_t fd, short what, void *arg)
{
	struct vm_evq *q;
	char buf[64];

	(void)what;
	(void)arg;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	for (;;) {
		pthread_mutex_lock(&vme.mu);
		if ((q = vme.head) != NULL) {
			vme.head = q->next;
			if (vme.head == NULL)
				vme.tail = &vme.head;
		}
		pthread_mutex_unlock(&vme.mu);
		if (q == NULL)
			break;
		if (vme.fn)
			vme.fn(&q->ev, vme.arg);
		free(q);
	}
}

static void *
vm_event_thread(void *arg)
{
	(void)arg;
	while (!atomic_load(&vme.quit))
		if (virEventRunDefaultImpl() < 0)
			usleep(100000);
	return NULL;
}

static void
vm_wake_cb(int timer, void *opaque)
{
	(void)opaque;
	virEventRemoveTimeout(timer);
}

static int
vm_lifecycle_cb(virConnectPtr conn, virDomainPtr dom, int event, int detail,
		void *opaque)
{
	(void)conn;
	(void)opaque;
	vk_dom_event(virDomainGetName(dom), event, detail);
	vm_post(VM_EV_LIFECYCLE, virDomainGetName(dom), event, detail);
	return 0;
}

static void
vm_close_cb(virConnectPtr conn, int reason, void *opaque)
{
	(void)conn;
	(void)opaque;
	log_warnx("libvirt: connection closed (reason %d)", reason);
	vk_disconnected();
	vm_post(VM_EV_CLOSED, NULL, 0, reason);
}

/* Called with vm_lock held, on a fresh connection. */
static void
vm_subscribe_locked(void)
{
	if (virConnectSetKeepAlive(vm_conn, 5, 3) < 0)
		log_debug("libvirt: no keepalive: %s",
			  virGetLastErrorMessage());
	if (virConnectRegisterCloseCallback(vm_conn, vm_close_cb, NULL, NULL) ==
	    0)
		vm_close_registered = 1;
	vm_lifecycle_id = virConnectDomainEventRegisterAny(
	    vm_conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
	    VIR_DOMAIN_EVENT_CALLBACK(vm_lifecycle_cb), NULL, NULL);
	if (vm_lifecycle_id < 0)
		log_warnx("libvirt: cannot subscribe to domain events: %s",
			  virGetLastErrorMessage());
}

/* Called with vm_lock held, before the connection goes. */
static void
vm_unsubscribe_locked(void)
{
	if (vm_lifecycle_id >= 0)
		virConnectDomainEventDeregisterAny(vm_conn, vm_lifecycle_id);
	if (vm_close_registered)
		virConnectUnregisterCloseCallback(vm_conn, vm_close_cb);
	vm_lifecycle_id = -1;
	vm_close_registered = 0;
}

/* libvirt prints errors to stderr by default; keep them for our messages. */
static void
vm_error_cb(void *arg, virErrorPtr e)
{
	(void)arg;
	(void)e;
}

static const char *
vm_errmsg(void)
{
	virErrorPtr e = virGetLastError();

	return e && e->message ? e->message : "unknown libvirt error";
}

int
vm_init(struct event_base *base, const char *uri, vm_event_fn fn, void *arg)
{
	int e;

	virSetErrorFunc(NULL, vm_error_cb);
	if (virInitialize() < 0)
		return -1;
	vm_set_uri(uri);
	vme.fn = fn;
	vme.arg = arg;
	if (vme.running)
		return 0;
	if (virEventRegisterDefaultImpl() < 0) {
		log_warnx("libvirt: no event loop: %s",
			  virGetLastErrorMessage());
		return -1;
	}
	if (pipe2(vme.pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	vme.ev = event_new(base, vme.pipe[0], EV_READ | EV_PERSIST, vm_dispatch,
			   NULL);
	if (vme.ev == NULL || event_add(vme.ev, NULL) == -1)
		return -1;
	atomic_store(&vme.quit, 0);
	if ((e = pthread_create(&vme.thread, NULL, vm_event_thread, NULL)) !=
	    0) {
		errno = e;
		return -1;
	}
	vme.running = 1;
	return 0;
}

void
vm_set_uri(const char *uri)
{
	pthread_mutex_lock(&vm_lock);
	pthread_mutex_lock(&vk.mu); /* status reads it under vk.mu */
	vr_strlcpy(vm_uri, uri, sizeof(vm_uri));
	pthread_mutex_unlock(&vk.mu);
	pthread_mutex_unlock(&vm_lock);
}

void
vm_fini(void)
{
	struct vm_evq *q;

	pthread_mutex_lock(&vm_lock);
	if (vm_conn) {
		vm_unsubscribe_locked();
		virConnectClose(vm_conn);
	}
	vm_conn = NULL;
	pthread_mutex_unlock(&vm_lock);
	if (vme.running) {
		atomic_store(&vme.quit, 1);
		virEventAddTimeout(0, vm_wake_cb, NULL, NULL);
		pthread_join(vme.thread, NULL);
		vme.running = 0;
	}
	if (vme.ev)
		event_free(vme.ev);
	vme.ev = NULL;
	for (int i = 0; i < 2; i++)
		if (vme.pipe[i] != -1)
			close(vme.pipe[i]);
	vme.pipe[0] = vme.pipe[1] = -1;
	while ((q = vme.head) != NULL) {
		vme.head = q->next;
		free(q);
	}
	vme.tail = &vme.head;
	pthread_mutex_lock(&vk.mu);
	free(vk.doms);
	vk.doms = NULL;
	vk.ndoms = 0;
	vk.connected = 0;
	pthread_mutex_unlock(&vk.mu);
}

/*
 * The connection, referenced (release with virConnectClose), or NULL:
 * calls on it run without vm_lock, so stopping several domains from
 * several threads overlaps (libvirt's connections are thread-safe).
 */
static virConnectPtr
vm_conn_get(void)
{
	virConnectPtr c;

	pthread_mutex_lock(&vm_lock);
	if ((c = vm_conn) != NULL)
		virConnectRef(c);
	pthread_mutex_unlock(&vm_lock);
	return c;
}

/* Drop a connection that libvirtd closed. Called with vm_lock held. */
static void
vm_check_alive_locked(void)
{
	if (vm_conn && virConnectIsAlive(vm_conn) != 1) {
		log_warnx("libvirt: connection to %s lost", vm_uri);
		vk_disconnected();
		vm_unsubscribe_locked();
		virConnectClose(vm_conn);
		vm_conn = NULL;
		vm_post(VM_EV_CLOSED, NULL, 0, 0);
	}
}

int
vm_ensure(char *err, size_t errlen)
{
	int rc = 0;

	pthread_mutex_lock(&vm_lock);
	vm_check_alive_locked();
	if (vm_conn == NULL) {
		vm_conn = virConnectOpen(vm_uri);
		if (vm_conn == NULL) {
			pthread_mutex_lock(&vk.mu);
			snprintf(vk.lasterr, sizeof(vk.lasterr), "%s",
				 vm_errmsg());
			snprintf(
			    err, errlen,
			    "cannot connect to libvirt at %s: %s (is "
			    "libvirtd running? start it with `virtlogd -d; "
			    "libvirtd -d` or `systemctl start libvirtd`)",
			    vm_uri, vk.lasterr);
			pthread_mutex_unlock(&vk.mu);
			rc = -1;
		} else {
			log_info("libvirt: connected to %s", vm_uri);
			vm_subscribe_locked();
			vk_refresh_locked();
			vm_post(VM_EV_CONNECTED, NULL, 0, 0);
		}
	}
	pthread_mutex_unlock(&vm_lock);
	return rc;
}

int
vm_check_alive(void)
{
	int c;

	/* Busy: a connection attempt (which checks first) or a call that
	 * the dead connection will fail soon; never wait for it. */
	if (pthread_mutex_trylock(&vm_lock) != 0)
		return vm_connected();
	vm_check_alive_locked();
	c = vm_conn != NULL;
	pthread_mutex_unlock(&vm_lock);
	return c;
}

int
vm_connected(void)
{
	int c;

	pthread_mutex_lock(&vk.mu);
	c = vk.connected;
	pthread_mutex_unlock(&vk.mu);
	return c;
}

static void
fmt_version(unsigned long v, char *buf, size_t len)
{
	if (v == 0)
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, "%lu.%lu.%lu", v / 1000000, v / 1000 % 1000,
			 v % 1000);
}

void
vm_versions(char *hv, size_t hvlen, char *lib, size_t liblen)
{
	unsigned long l = 0;

	pthread_mutex_lock(&vk.mu);
	vr_strlcpy(hv, vk.hv, hvlen);
	vr_strlcpy(lib, vk.lib, liblen);
	pthread_mutex_unlock(&vk.mu);
	if (lib[0] == '\0' && virGetVersion(&l, NULL, NULL) == 0)
		fmt_version(l, lib, liblen); /* never connected: ours */
}

/* No libvirt call: reconnection is the supervisor's timer's business. */
json_object *
vm_status_json(void)
{
	json_object *o = json_object_new_object();
	char hv[32], lib[32], uri[256], lasterr[512];
	int up;

	vm_versions(hv, sizeof(hv), lib, sizeof(lib));
	pthread_mutex_lock(&vk.mu);
	up = vk.connected;
	vr_strlcpy(lasterr, vk.lasterr, sizeof(lasterr));
	vr_strlcpy(uri, vm_uri, sizeof(uri));
	pthread_mutex_unlock(&vk.mu);
	json_object_object_add(o, "uri", json_object_new_string(uri));
	json_object_object_add(
	    o, "state",
	    json_object_new_string(up ? "connected" : "disconnected"));
	json_object_object_add(o, "library_version",
			       json_object_new_string(lib));
	if (up)
		json_object_object_add(o, "hypervisor_version",
				       json_object_new_string(hv));
	else if (lasterr[0])
		json_object_object_add(o, "error",
				       json_object_new_string(lasterr));
	return o;
}

int
vm_create(const char *xml, char *err, size_t errlen)
{
	virConnectPtr c;
	virDomainPtr d = NULL;
	uint64_t seq0 = vk_seq();
	int rc = -1;

	if (vm_ensure(err, errlen) == -1)
		return -1;
	if ((c = vm_conn_get()) != NULL)
		d = virDomainCreateXML(c, xml, 0);
	if (d == NULL)
		snprintf(err, errlen, "libvirt refused the domain: %s",
			 vm_errmsg());
	else {
		/* running now, whenever its event arrives */
		vk_dom_set(virDomainGetName(d), VIR_DOMAIN_RUNNING, seq0);
		virDomainFree(d);
		rc = 0;
	}
	if (c)
		virConnectClose(c);
	return rc;
}

/* The domain, referenced, or NULL. */
static virDomainPtr
vm_lookup(virConnectPtr c, const char *name)
{
	if (c == NULL)
		return NULL;
	return virDomainLookupByName(c, name);
}

int
vm_destroy(const char *name, const char *owner, char *err, size_t errlen)
{
	virConnectPtr c;
	virDomainPtr d;
	char *meta, *topo = NULL;
	uint64_t seq0 = vk_seq();
	int rc = 0;

	if (vm_ensure(err, errlen) == -1)
		return -1;
	c = vm_conn_get();
	if (c == NULL) {
		snprintf(
		    err, errlen,
		    "destroy domain %s: no libvirt connection (is libvirtd "
		    "running?)",
		    name);
		return -1;
	}
	if ((d = vm_lookup(c, name)) == NULL) {
		virErrorPtr e = virGetLastError();

		/* absent: nothing to do; any other failure is not "gone" */
		if (e == NULL || e->code == VIR_ERR_NO_DOMAIN)
			goto out;
		snprintf(err, errlen,
			 "destroy domain %s: cannot look it up: %s", name,
			 vm_errmsg());
		rc = -1;
		goto out;
	}
	meta = virDomainGetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT,
				    DOMXML_NS_URI, 0);
	if (meta != NULL && owner != NULL)
		topo = adopt_xml_text(meta, "name");
	if (meta == NULL) {
		snprintf(err, errlen,
			 "domain %s exists but was not started by vrouterd "
			 "(no vrouterd metadata): not touching it",
			 name);
		rc = -1;
	} else if (owner != NULL && (topo == NULL || strcmp(topo, owner))) {
		snprintf(err, errlen,
			 "domain %s belongs to topology '%s', not %s: not "
			 "touching it",
			 name, topo ? topo : "(none)", owner);
		rc = -1;
	} else if (virDomainIsActive(d) == 1 && virDomainDestroy(d) < 0 &&
		   virDomainIsActive(d) == 1) {
		snprintf(err, errlen, "destroy domain %s: %s", name,
			 vm_errmsg());
		rc = -1;
	} else
		vk_dom_set(name, -1, seq0);
	free(topo);
	free(meta);
	virDomainFree(d);
out:
	if (c)
		virConnectClose(c);
	return rc;
}

/* Whether c holds the domain: 1, 0, or -1 when libvirt cannot say;
 * with abort_job, its job (a migration) is cancelled first.  Closes c. */
static int
vm_has(virConnectPtr c, const char *name, int abort_job)
{
	virDomainPtr d;
	int rc;

	if (c == NULL)
		return -1;
	if ((d = vm_lookup(c, name)) != NULL) {
		if (abort_job)
			(void)virDomainAbortJob(d); /* none running: no harm */
		virDomainFree(d);
		rc = 1;
	} else {
		virErrorPtr e = virGetLastError();

		rc = e && e->code == VIR_ERR_NO_DOMAIN ? 0 : -1;
	}
	virConnectClose(c);
	return rc;
}

int
vm_exists(const char *name)
{
	return vm_has(vm_conn_get(), name, 0);
}

static const char *
vm_state_name(int st)
{
	static const char *names[] = {
	    [VIR_DOMAIN_NOSTATE] = "nostate",
	    [VIR_DOMAIN_RUNNING] = "running",
	    [VIR_DOMAIN_BLOCKED] = "blocked",
	    [VIR_DOMAIN_PAUSED] = "paused",
	    [VIR_DOMAIN_SHUTDOWN] = "shutdown",
	    [VIR_DOMAIN_SHUTOFF] = "shutoff",
	    [VIR_DOMAIN_CRASHED] = "crashed",
	    [VIR_DOMAIN_PMSUSPENDED] = "suspended",
	};

	if (st == -1)
		return "absent";
	return st >= 0 && st < (int)nitems(names) && names[st] ? names[st]
							       : "unknown";
}

const char *
vm_state(const char *name)
{
	virConnectPtr c = vm_conn_get();
	virDomainPtr d;
	const char *s = "unknown";
	int st, reason;

	if (c == NULL)
		return s;
	if ((d = vm_lookup(c, name)) == NULL) {
		virErrorPtr e = virGetLastError();
		if (e && e->code == VIR_ERR_NO_DOMAIN)
			s = "absent";
		goto out;
	}
	if (virDomainGetState(d, &st, &reason, 0) == 0)
		s = vm_state_name(st);
	virDomainFree(d);
out:
	virConnectClose(c);
	return s;
}

const char *
vm_state_known(const char *name)
{
	const char *s = "unknown";

	pthread_mutex_lock(&vk.mu);
	if (vk.connected) {
		s = "absent";
		for (int i = 0; i < vk.ndoms; i++)
			if (strcmp(vk.doms[i].name, name) == 0)
				s = vm_state_name(vk.doms[i].state);
	}
	pthread_mutex_unlock(&vk.mu);
	return s;
}

pid_t
vm_qemu_pid(const char *name)
{
	char path[512], *s;
	long pid;

	/* libvirt's qemu driver keeps the pid here for qemu:///system. */
	snprintf(path, sizeof(path), "/run/libvirt/qemu/%s.pid", name);
	if ((s = file_read(path, 64)) == NULL)
		return -1;
	pid = strtol(s, NULL, 10);
	free(s);
	return pid > 0 ? (pid_t)pid : -1;
}

int
vm_list_ours(struct vm_domain **out)
{
	virDomainPtr *doms = NULL;
	struct vm_domain *v = NULL;
	int n, k = 0;

	virConnectPtr c = vm_conn_get();

	*out = NULL;
	if (c == NULL || (n = virConnectListAllDomains(c, &doms, 0)) < 0) {
		if (c)
			virConnectClose(c);
		return -1;
	}
	v = xcalloc(n + 1, sizeof(*v));
	for (int i = 0; i < n; i++) {
		char *meta = virDomainGetMetadata(
		    doms[i], VIR_DOMAIN_METADATA_ELEMENT, DOMXML_NS_URI, 0);

		if (meta != NULL) {
			vr_strlcpy(v[k].name, virDomainGetName(doms[i]),
				   sizeof(v[k].name));
			v[k].metadata = meta;
			v[k].active = virDomainIsActive(doms[i]) == 1;
			k++;
		}
		virDomainFree(doms[i]);
	}
	free(doms);
	virConnectClose(c);
	*out = v;
	return k;
}

void
vm_domains_free(struct vm_domain *d, int n)
{
	for (int i = 0; i < n; i++)
		free(d[i].metadata);
	free(d);
}

json_object *
vm_domain_live(const char *name)
{
	virConnectPtr c = vm_conn_get();
	virDomainPtr d;
	char *xml = NULL;
	json_object *o = NULL;

	if ((d = vm_lookup(c, name)) != NULL) {
		xml = virDomainGetXMLDesc(d, 0);
		virDomainFree(d);
	}
	if (c)
		virConnectClose(c);
	if (xml != NULL)
		o = vm_live_from_xml(xml);
	free(xml);
	return o;
}

void
vm_domain_type(const char *name, char *buf, size_t len)
{
	virConnectPtr c = vm_conn_get();
	virDomainPtr d;
	char *xml = NULL, *p;

	buf[0] = '\0';
	if ((d = vm_lookup(c, name)) != NULL) {
		xml = virDomainGetXMLDesc(d, 0);
		virDomainFree(d);
	}
	if (c)
		virConnectClose(c);
	if (xml && (p = strstr(xml, "<domain type='")) != NULL)
		sscanf(p + 14, "%15[a-z]", buf);
	free(xml);
	(void)len;
}

/* libvirt's job statistics as JSON: the typed parameters, each under its
 * libvirt name ("time_elapsed", "downtime", "memory_processed" ...). */
static json_object *
vm_typed_json(virTypedParameterPtr p, int n)
{
	json_object *o = json_object_new_object();

	for (int i = 0; i < n; i++) {
		json_object *v = NULL;

		switch (p[i].type) {
		case VIR_TYPED_PARAM_INT:
			v = json_object_new_int(p[i].value.i);
			break;
		case VIR_TYPED_PARAM_UINT:
			v = json_object_new_int64(p[i].value.ui);
			break;
		case VIR_TYPED_PARAM_LLONG:
			v = json_object_new_int64(p[i].value.l);
			break;
		case VIR_TYPED_PARAM_ULLONG:
			v = json_object_new_int64((int64_t)p[i].value.ul);
			break;
		case VIR_TYPED_PARAM_DOUBLE:
			v = json_object_new_double(p[i].value.d);
			break;
		case VIR_TYPED_PARAM_BOOLEAN:
			v = json_object_new_boolean(p[i].value.b);
			break;
		case VIR_TYPED_PARAM_STRING:
			v = json_object_new_string(p[i].value.s);
			break;
		}
		json_object_object_add(o, p[i].field, v);
	}
	return o;
}

int
vm_migrate(const char *name, const char *dconnuri, int live, char *err,
	   size_t errlen)
{
	virConnectPtr c;
	virDomainPtr d = NULL;
	unsigned flags = VIR_MIGRATE_PEER2PEER;
	int rc = -1;

	if (vm_ensure(err, errlen) == -1)
		return -1;
	if (live)
		flags |= VIR_MIGRATE_LIVE;
	/* transient domains (vm_create): nothing to persist or undefine */
	if ((c = vm_conn_get()) == NULL || (d = vm_lookup(c, name)) == NULL)
		snprintf(err, errlen, "domain %s: %s", name, vm_errmsg());
	else if (virDomainMigrateToURI3(d, dconnuri, NULL, 0, flags) < 0)
		snprintf(err, errlen, "libvirt refused to migrate %s: %s", name,
			 vm_errmsg());
	else
		rc = 0;
	if (d)
		virDomainFree(d);
	if (c)
		virConnectClose(c);
	return rc;
}

int
vm_abort_at(const char *uri, const char *name)
{
	return vm_has(virConnectOpen(uri), name, 1);
}

int
vm_abort(const char *name)
{
	return vm_has(vm_conn_get(), name, 1);
}

json_object *
vm_job_completed(const char *name)
{
	virConnectPtr c = vm_conn_get();
	virDomainPtr d = c ? vm_lookup(c, name) : NULL;
	virTypedParameterPtr p = NULL;
	json_object *o = NULL;
	int type, n = 0;

	if (d != NULL &&
	    virDomainGetJobStats(d, &type, &p, &n,
				 VIR_DOMAIN_JOB_STATS_COMPLETED) == 0) {
		o = vm_typed_json(p, n);
		virTypedParamsFree(p, n);
	}
	if (d)
		virDomainFree(d);
	if (c)
		virConnectClose(c);
	return o;
}

int
vm_pin_vcpu(const char *name, int vcpu, int cpu, char *err, size_t errlen)
{
	virConnectPtr c = vm_conn_get();
	virDomainPtr d = c ? vm_lookup(c, name) : NULL;
	unsigned char map[128] = {0};
	int rc = -1;

	if (cpu < 0 || cpu >= (int)sizeof(map) * 8)
		snprintf(err, errlen, "CPU %d out of range", cpu);
	else if (d == NULL)
		snprintf(err, errlen, "domain %s: %s", name, vm_errmsg());
	else {
		map[cpu / 8] = (unsigned char)(1u << (cpu % 8));
		if (virDomainPinVcpuFlags(d, (unsigned)vcpu, map, sizeof(map),
					  VIR_DOMAIN_AFFECT_LIVE) < 0)
			snprintf(err, errlen, "pin %s vCPU %d to CPU %d: %s",
				 name, vcpu, cpu, vm_errmsg());
		else
			rc = 0;
	}
	if (d)
		virDomainFree(d);
	if (c)
		virConnectClose(c);
	return rc;
}
