/*
 * `vrctl topology` without the daemon: the planner is lib/'s, so vrctl
 * can expand a topology itself when vrouterd does not answer, or for a
 * machine it is not running on (--host-cpus).  The result has the shape
 * of the daemon's (docs/protocol.md, "topology"), plus "planned_by":
 * "vrctl" and "host" (the CPUs planned for, and where they came from), so
 * that a local plan never passes for the daemon's.  The daemon's
 * configuration is not read: options default as in topo_opts_init, the
 * image as vrouterd's built-in default.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostinfo.h"
#include "proto.h"
#include "topo.h"
#include "util.h"
#include "vr_build.h"
#include "vrctl.h"

/* Does anything accept on socket?  0, or -1 with errno set. */
int
ctl_socket_probe(const char *socket_path)
{
	int fd = client_connect_path(socket_path);

	if (fd == -1)
		return -1;
	close(fd);
	return 0;
}

/* --host-cpus: a count N (CPUs 0..N-1) or a CPU list ("0-3,8-11").
 * 0, or -1 (said on stderr). */
int
ctl_host_cpus_parse(const char *s, cpu_set_t *set)
{
	char *end;
	long n;

	if (*s != '\0' && strspn(s, "0123456789") == strlen(s)) {
		n = strtol(s, &end, 10);
		if (n < 1 || n > CPU_SETSIZE) {
			fprintf(stderr,
				"vrctl: --host-cpus %s: a count from 1 to %d\n",
				s, CPU_SETSIZE);
			return -1;
		}
		CPU_ZERO(set);
		for (long i = 0; i < n; i++)
			CPU_SET((int)i, set);
		return 0;
	}
	if (cpulist_parse(s, set) == -1 || CPU_COUNT(set) == 0) {
		fprintf(stderr,
			"vrctl: --host-cpus %s: give a count (16) or a CPU "
			"list (0-15, 0-3,8-11)\n",
			s);
		return -1;
	}
	return 0;
}

/* The host a local plan was made for, said in its result. */
static json_object *
host_json(const cpu_set_t *online, const cpu_set_t *isolated,
	  const struct hostinfo *hi, const char *source)
{
	json_object *h = json_object_new_object();
	char buf[CPULIST_MAX];

	json_object_object_add(h, "cpus",
			       json_object_new_int(CPU_COUNT(online)));
	json_object_object_add(
	    h, "online",
	    json_object_new_string(cpulist_format(online, buf, sizeof(buf))));
	json_object_object_add(
	    h, "isolated",
	    json_object_new_string(cpulist_format(isolated, buf, sizeof(buf))));
	json_object_object_add(h, "source", json_object_new_string(source));
	if (hi != NULL)
		json_object_object_add(h, "topology",
				       hostinfo_topology_json(hi));
	return h;
}

int
ctl_topology_local(json_object *params, const cpu_set_t *host_cpus,
		   json_object **result, json_object **error)
{
	struct topo_plan *plan = NULL;
	struct topo_opts o;
	struct hostinfo h;
	cpu_set_t online, isolated;
	const struct pin_cputopo *cpu = NULL;
	const char *source, *sysfs = getenv("VR_SYSFS_ROOT");
	char err[1024];
	int code = PROTO_E_PARAMS;

	*result = *error = NULL;
	if (!json_object_object_get_ex(params, "topology", NULL)) {
		*result = json_object_new_object();
		json_object_object_add(*result, "topologies", topo_list_json());
		json_object_object_add(*result, "planned_by",
				       json_object_new_string("vrctl"));
		json_object_put(params);
		return 0;
	}
	/* The daemon's order: defaults, then what the caller asked for. */
	topo_opts_init(&o);
	vr_strlcpy(o.image, VR_IMAGE_DIR, sizeof(o.image));
	if (topo_opts_from_json(params, &o, err, sizeof(err)) == -1)
		goto fail;
	if (host_cpus != NULL) {
		online = *host_cpus;
		CPU_ZERO(&isolated);
		source = "--host-cpus";
	} else {
		code = PROTO_E_INTERNAL;
		if (hostinfo_read(&h, sysfs) == -1) {
			msgf(err, sizeof(err), "cannot read host facts%s%s: %s",
			     sysfs ? " under VR_SYSFS_ROOT " : "",
			     sysfs ? sysfs : "", strerror(errno));
			goto fail;
		}
		online = h.online;
		isolated = h.isolated;
		cpu = &h.topo;
		source = sysfs ? "VR_SYSFS_ROOT" : "this machine";
	}
	code = PROTO_E_TOPOLOGY;
	plan = xcalloc(1, sizeof(*plan));
	if (topo_plan_build_topo(&o, &online, &isolated, cpu, plan, err,
				 sizeof(err)) == -1)
		goto fail;
	*result = json_object_new_object();
	json_object_object_add(*result, "plan", topo_plan_to_json(plan));
	json_object_object_add(*result, "planned_by",
			       json_object_new_string("vrctl"));
	json_object_object_add(
	    *result, "host",
	    host_json(&online, &isolated, cpu != NULL ? &h : NULL, source));
	topo_plan_free(plan);
	free(plan);
	json_object_put(params);
	return 0;
fail:
	free(plan);
	json_object_put(params);
	*error = ctl_error_new(code, err);
	return -1;
}
