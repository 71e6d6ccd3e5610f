#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "domxml.h"
#include "log.h"
#include "util.h"
#include "vm.h"

static pthread_mutex_t vm_lock = PTHREAD_MUTEX_INITIALIZER;
static virConnectPtr vm_conn;
static char vm_uri[256];
static char vm_lasterr[512];

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
vm_init(const char *uri)
{
	virSetErrorFunc(NULL, vm_error_cb);
	if (virInitialize() < 0)
		return -1;
	vr_strlcpy(vm_uri, uri, sizeof(vm_uri));
	return 0;
}

void
vm_fini(void)
{
	pthread_mutex_lock(&vm_lock);
	if (vm_conn)
		virConnectClose(vm_conn);
	vm_conn = NULL;
	pthread_mutex_unlock(&vm_lock);
}

/* Drop a connection that libvirtd closed. Called with vm_lock held. */
static void
vm_check_alive_locked(void)
{
	if (vm_conn && virConnectIsAlive(vm_conn) != 1) {
		log_warnx("libvirt: connection to %s lost", vm_uri);
		virConnectClose(vm_conn);
		vm_conn = NULL;
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
			snprintf(vm_lasterr, sizeof(vm_lasterr), "%s",
			         vm_errmsg());
			snprintf(err, errlen,
			         "cannot connect to libvirt at %s: %s (is "
			         "libvirtd running? start it with `virtlogd -d; "
			         "libvirtd -d` or `systemctl start libvirtd`)",
			         vm_uri, vm_lasterr);
			rc = -1;
		} else {
			vm_lasterr[0] = '\0';
			log_info("libvirt: connected to %s", vm_uri);
		}
	}
	pthread_mutex_unlock(&vm_lock);
	return rc;
}

int
vm_connected(void)
{
	int c;

	pthread_mutex_lock(&vm_lock);
	vm_check_alive_locked();
	c = vm_conn != NULL;
	pthread_mutex_unlock(&vm_lock);
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
	unsigned long h = 0, l = 0;

	pthread_mutex_lock(&vm_lock);
	if (vm_conn) {
		virConnectGetVersion(vm_conn, &h);
		virConnectGetLibVersion(vm_conn, &l);
	} else
		virGetVersion(&l, NULL, NULL);
	pthread_mutex_unlock(&vm_lock);
	fmt_version(h, hv, hvlen);
	fmt_version(l, lib, liblen);
}

json_object *
vm_status_json(void)
{
	json_object *o = json_object_new_object();
	char hv[32], lib[32];
	int up;

	static uint64_t last_try;

	/* Reconnect opportunistically, but not on every status call. */
	if (!vm_connected() && now_ms() - last_try > 2000) {
		last_try = now_ms();
		(void)vm_ensure(hv, sizeof(hv));
	}
	up = vm_connected();
	vm_versions(hv, sizeof(hv), lib, sizeof(lib));
	json_object_object_add(o, "uri", json_object_new_string(vm_uri));
	json_object_object_add(
	    o, "state", json_object_new_string(up ? "connected" : "disconnected"));
	json_object_object_add(o, "library_version",
	                       json_object_new_string(lib));
	if (up)
		json_object_object_add(o, "hypervisor_version",
		                       json_object_new_string(hv));
	else if (vm_lasterr[0])
		json_object_object_add(o, "error",
		                       json_object_new_string(vm_lasterr));
	return o;
}

int
vm_create(const char *xml, char *err, size_t errlen)
{
	virDomainPtr d = NULL;
	int rc = -1;

	if (vm_ensure(err, errlen) == -1)
		return -1;
	pthread_mutex_lock(&vm_lock);
	if (vm_conn)
		d = virDomainCreateXML(vm_conn, xml, 0);
	if (d == NULL)
		snprintf(err, errlen, "libvirt refused the domain: %s",
		         vm_errmsg());
	else {
		virDomainFree(d);
		rc = 0;
	}
	pthread_mutex_unlock(&vm_lock);
	return rc;
}

/* The domain, referenced, or NULL.  Called with vm_lock held. */
static virDomainPtr
vm_lookup_locked(const char *name)
{
	if (vm_conn == NULL)
		return NULL;
	return virDomainLookupByName(vm_conn, name);
}

int
vm_destroy(const char *name, char *err, size_t errlen)
{
	virDomainPtr d;
	char *meta;
	int rc = 0;

	if (vm_ensure(err, errlen) == -1)
		return -1;
	pthread_mutex_lock(&vm_lock);
	d = vm_lookup_locked(name);
	if (d == NULL)
		goto out; /* absent: nothing to do */
	meta = virDomainGetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT,
	                            DOMXML_NS_URI, 0);
	if (meta == NULL) {
		snprintf(err, errlen,
		         "domain %s exists but was not started by vrouterd "
		         "(no vrouterd metadata): not touching it",
		         name);
		rc = -1;
	} else if (virDomainIsActive(d) == 1 && virDomainDestroy(d) < 0 &&
	           virDomainIsActive(d) == 1) {
		snprintf(err, errlen, "destroy domain %s: %s", name,
		         vm_errmsg());
		rc = -1;
	}
	free(meta);
	virDomainFree(d);
out:
	pthread_mutex_unlock(&vm_lock);
	return rc;
}

int
vm_exists(const char *name)
{
	virDomainPtr d;
	int rc;

	pthread_mutex_lock(&vm_lock);
	if (vm_conn == NULL)
		rc = -1;
	else if ((d = vm_lookup_locked(name)) != NULL) {
		virDomainFree(d);
		rc = 1;
	} else {
		virErrorPtr e = virGetLastError();
		rc = e && e->code == VIR_ERR_NO_DOMAIN ? 0 : -1;
	}
	pthread_mutex_unlock(&vm_lock);
	return rc;
}

const char *
vm_state(const char *name)
{
	static const char *names[] = {
	    [VIR_DOMAIN_NOSTATE] = "nostate",   [VIR_DOMAIN_RUNNING] = "running",
	    [VIR_DOMAIN_BLOCKED] = "blocked",   [VIR_DOMAIN_PAUSED] = "paused",
	    [VIR_DOMAIN_SHUTDOWN] = "shutdown", [VIR_DOMAIN_SHUTOFF] = "shutoff",
	    [VIR_DOMAIN_CRASHED] = "crashed",   [VIR_DOMAIN_PMSUSPENDED] =
	                                            "suspended",
	};
	virDomainPtr d;
	const char *s = "unknown";
	int st, reason;

	pthread_mutex_lock(&vm_lock);
	if (vm_conn == NULL)
		goto out;
	if ((d = vm_lookup_locked(name)) == NULL) {
		virErrorPtr e = virGetLastError();
		if (e && e->code == VIR_ERR_NO_DOMAIN)
			s = "absent";
		goto out;
	}
	if (virDomainGetState(d, &st, &reason, 0) == 0 && st >= 0 &&
	    st < (int)nitems(names) && names[st])
		s = names[st];
	virDomainFree(d);
out:
	pthread_mutex_unlock(&vm_lock);
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
