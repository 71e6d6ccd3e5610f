/*
 * version, status and reload: the methods the daemon answers itself.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <json-c/json_c_version.h>

#include "config.h"
#include "coord.h"
#include "control.h"
#include "hosted.h"
#include "hostinfo.h"
#include "log.h"
#include "autostart.h"
#include "methods.h"
#include "proto.h"
#include "sdnotify.h"
#include "supervisor.h"
#include "util.h"
#include "vr_build.h"

static struct {
	const char *socket_path;
	const char *ro_path; /* NULL when there is none */
	const char *config_path;
	int missing_ok;
	int cli_debug;
	uint64_t started_ms;
	struct hostinfo host; /* cached for METHODS_HOST_TTL_MS */
	char online[CPULIST_MAX], isolated[CPULIST_MAX], nohz_full[CPULIST_MAX];
	uint64_t host_ms;
	int have_host;
} md;

/* Host facts change rarely (CPU hotplug); a busy status poller should not
 * re-read /proc and /sys on every call. */
#define METHODS_HOST_TTL_MS 1000

void
methods_init(const char *socket_path, const char *ro_path,
	     const char *config_path, int missing_ok)
{
	md.socket_path = socket_path;
	md.ro_path = ro_path;
	md.config_path = config_path;
	md.missing_ok = missing_ok;
	md.cli_debug = log_getverbose();
	md.started_ms = now_ms();
}

int
methods_reload_config(char *err, size_t errlen)
{
	struct config next;

	sdnotify("RELOADING=1");
	if (config_load(md.config_path, md.missing_ok, &next, err, errlen) ==
	    -1) {
		log_warnx("reload: %s; the previous configuration stays in "
			  "force",
			  err);
		sdnotify("READY=1\nSTATUS=reload failed, previous "
			 "configuration in force");
		return -1;
	}
	if (strcmp(next.state_dir, conf->state_dir) != 0) {
		/* the lock and the adopted topologies are in the old one */
		log_warnx("reload: state_dir %s takes effect when vrouterd "
			  "restarts; %s stays in use",
			  next.state_dir, conf->state_dir);
		vr_strlcpy(next.state_dir, conf->state_dir,
			   sizeof(next.state_dir));
	}
	*conf = next;
	log_setverbose(md.cli_debug || conf->debug);
	md.have_host = 0;
	control_reconfigure();
	sup_reconfigure();
	log_info("configuration reloaded from %s", md.config_path);
	sdnotify("READY=1\nSTATUS=configuration reloaded");
	return 0;
}

static const char *
methods_accel_name(int a)
{
	switch (a) {
	case ACCEL_AUTO:
		return "auto";
	case ACCEL_KVM:
		return "kvm";
	case ACCEL_TCG:
		return "tcg";
	}
	return "unknown";
}

void
methods_version(struct rpc_req *req)
{
	json_object *r = json_object_new_object();
	char build[256];

	snprintf(build, sizeof(build), "cc %s; json-c %s; libevent %s",
		 __VERSION__, json_c_version(), event_get_version());
	json_object_object_add(r, "version",
			       json_object_new_string(VROUTERD_VERSION));
	json_object_object_add(r, "protocol",
			       json_object_new_int(PROTO_VERSION));
	json_object_object_add(r, "build", json_object_new_string(build));
	rpc_reply(req, r);
}

static json_object *
methods_status_daemon(void)
{
	json_object *d = json_object_new_object();

	json_object_object_add(d, "pid", json_object_new_int(getpid()));
	json_object_object_add(d, "version",
			       json_object_new_string(VROUTERD_VERSION));
	json_object_object_add(d, "protocol",
			       json_object_new_int(PROTO_VERSION));
	json_object_object_add(
	    d, "uptime_s",
	    json_object_new_int64((int64_t)(now_ms() - md.started_ms) / 1000));
	json_object_object_add(d, "socket",
			       json_object_new_string(md.socket_path));
	json_object_object_add(d, "socket_ro",
			       md.ro_path ? json_object_new_string(md.ro_path)
					  : NULL);
	json_object_object_add(d, "config",
			       json_object_new_string(md.config_path));
	json_object_object_add(d, "clients",
			       json_object_new_int(control_nclients()));
	return d;
}

static json_object *
methods_status_host(const struct hostinfo *h)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "cpus", json_object_new_int(h->ncpus));
	json_object_object_add(o, "cpu_model",
			       json_object_new_string(h->cpu_model));
	(void)h; /* the CPU lists are formatted once per refresh */
	json_object_object_add(o, "online", json_object_new_string(md.online));
	json_object_object_add(o, "isolated",
			       json_object_new_string(md.isolated));
	json_object_object_add(o, "nohz_full",
			       json_object_new_string(md.nohz_full));
	json_object_object_add(o, "kernel", json_object_new_string(h->kernel));
	json_object_object_add(o, "topology", hostinfo_topology_json(h));
	return o;
}

static json_object *
methods_status_accel(const struct hostinfo *h)
{
	json_object *o = json_object_new_object();
	char reason[512];
	int a;

	a = hostinfo_accel(h, conf->accel, reason, sizeof(reason));
	json_object_object_add(
	    o, "default",
	    json_object_new_string(methods_accel_name(conf->accel)));
	json_object_object_add(
	    o, "selected",
	    a == -1 ? NULL : json_object_new_string(methods_accel_name(a)));
	json_object_object_add(o, "reason", json_object_new_string(reason));
	json_object_object_add(o, "kvm_device",
			       json_object_new_boolean(h->kvm_dev));
	json_object_object_add(o, "kvm_usable",
			       json_object_new_boolean(h->kvm_usable));
	return o;
}

static json_object *
methods_status_vhost(const struct hostinfo *h)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "available",
			       json_object_new_boolean(h->vhost_net));
	json_object_object_add(o, "reason",
			       json_object_new_string(h->vhost_reason));
	return o;
}

const struct hostinfo *
methods_host(void)
{
	uint64_t now = now_ms();

	if (md.have_host && now - md.host_ms < METHODS_HOST_TTL_MS)
		return &md.host;
	if (hostinfo_read(&md.host, NULL) == -1) {
		md.have_host = 0;
		return NULL;
	}
	cpulist_format(&md.host.online, md.online, sizeof(md.online));
	cpulist_format(&md.host.isolated, md.isolated, sizeof(md.isolated));
	cpulist_format(&md.host.nohz_full, md.nohz_full, sizeof(md.nohz_full));
	md.host_ms = now;
	md.have_host = 1;
	return &md.host;
}

void
methods_status(struct rpc_req *req)
{
	const struct hostinfo *h;
	json_object *r;

	if ((h = methods_host()) == NULL) {
		rpc_error(req, PROTO_E_INTERNAL, NULL,
			  "status: cannot read host facts from /proc and /sys: "
			  "%s",
			  strerror(errno));
		return;
	}
	r = json_object_new_object();
	json_object_object_add(r, "daemon", methods_status_daemon());
	json_object_object_add(r, "host", methods_status_host(h));
	json_object_object_add(r, "accel", methods_status_accel(h));
	json_object_object_add(r, "vhost", methods_status_vhost(h));
	json_object_object_add(r, "libvirt", sup_status_libvirt());
	json_object_object_add(r, "topologies", sup_status_topologies());
	json_object_object_add(r, "autostart", autostart_status());
	json_object_object_add(r, "orphans", sup_status_orphans());
	json_object_object_add(r, "hosted", hosted_list());
	coord_status(req, r); /* the nodes on other hosts: their state */
}

void
methods_reload(struct rpc_req *req)
{
	char err[1024];
	json_object *r;

	if (methods_reload_config(err, sizeof(err)) == -1) {
		json_object *data = json_object_new_object();
		json_object_object_add(data, "config",
				       json_object_new_string(md.config_path));
		rpc_error(req, PROTO_E_CONFIG, data,
			  "reload: %s (the previous configuration stays in "
			  "force)",
			  err);
		return;
	}
	r = json_object_new_object();
	json_object_object_add(r, "config",
			       json_object_new_string(md.config_path));
	json_object_object_add(r, "reloaded", json_object_new_boolean(1));
	rpc_reply(req, r);
}
