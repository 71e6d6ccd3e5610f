/*
 * What differs between the environment a record was measured in and the
 * one it is replayed in: host facts (kernel, CPU model, CPUs, isolation),
 * versions (QEMU, libvirt, vrouterd, vrgen), backend, accelerator, vhost,
 * the generator's path and CPU, and any other host fact either record
 * has; one row each, printed beside the comparison of the two records
 * (replay.c).
 */
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "vrctl.h"

static const struct {
	const char *obj, *key, *what;
} replay_env_fields[] = {
    {"host", "kernel", "kernel"},
    {"host", "cpu_model", "CPU model"},
    {"host", "cpus", "CPUs"},
    {"host", "online", "online CPUs"},
    {"host", "isolated", "isolated CPUs"},
    {"host", "nohz_full", "nohz_full CPUs"},
    {"versions", "qemu", "QEMU"},
    {"versions", "libvirt", "libvirt"},
    {"versions", "vrouterd", "vrouterd"},
    {"versions", "vrgen", "vrgen"},
    {NULL, "backend", "backend"},
    {NULL, "accel", "accelerator"},
    {NULL, "vhost", "vhost-net"},
    {"generator", "tx_path", "tx path"},
    {"generator", "cpu", "generator CPU"},
    {"guest_image", "manifest_sha256", "guest image sha256"},
};

static const char *
replay_env_value(json_object *rec, const char *obj, const char *key)
{
	json_object *o = obj ? j_get(rec, obj) : rec, *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return "(not recorded)";
	if (v == NULL)
		return "-";
	return json_object_is_type(v, json_type_string)
		   ? json_object_get_string(v)
		   : json_object_to_json_string(v);
}

static void
replay_env_add(json_object *a, const char *what, const char *was,
	       const char *now)
{
	json_object *d;

	if (strcmp(was, now) == 0)
		return;
	d = json_object_new_object();
	json_object_object_add(d, "what", json_object_new_string(what));
	json_object_object_add(d, "recorded", json_object_new_string(was));
	json_object_object_add(d, "replay", json_object_new_string(now));
	json_object_array_add(a, d);
}

/* Every difference of the two environments: [{"what","recorded","replay"}]
 * (the table above, then any other host fact either record has: SMT,
 * NUMA, ... as later vrouterds record them). */
json_object *
replay_env_diff(json_object *was, json_object *now)
{
	json_object *a = json_object_new_array();
	char what[96];

	for (size_t i = 0; i < nitems(replay_env_fields); i++) {
		char a1[512];
		vr_strlcpy(a1,
			   replay_env_value(was, replay_env_fields[i].obj,
					    replay_env_fields[i].key),
			   sizeof(a1));
		replay_env_add(a, replay_env_fields[i].what, a1,
			       replay_env_value(now, replay_env_fields[i].obj,
						replay_env_fields[i].key));
	}
	for (int side = 0; side < 2; side++) {
		json_object_object_foreach(j_get(side ? now : was, "host"), k,
					   v)
		{
			char a1[512];
			size_t f;

			(void)v;
			for (f = 0; f < nitems(replay_env_fields); f++)
				if (replay_env_fields[f].obj &&
				    strcmp(replay_env_fields[f].obj, "host") ==
					0 &&
				    strcmp(replay_env_fields[f].key, k) == 0)
					break;
			/* known, or seen from the other side already */
			if (f < nitems(replay_env_fields) ||
			    (side && j_get(j_get(was, "host"), k)))
				continue;
			msgf(what, sizeof(what), "host %s", k);
			vr_strlcpy(a1, replay_env_value(was, "host", k),
				   sizeof(a1));
			replay_env_add(a, what, a1,
				       replay_env_value(now, "host", k));
		}
	}
	return a;
}

void
replay_env_print(json_object *diff)
{
	size_t n = json_object_array_length(diff);

	if (n == 0) {
		printf("environment: no difference (kernel, CPUs, isolated "
		       "CPUs, QEMU, libvirt, accelerator, vhost-net, "
		       "vrouterd, vrgen, tx path as recorded)\n");
		return;
	}
	printf("environment: %zu difference%s\n  %-20s %-28s %s\n", n,
	       n > 1 ? "s" : "", "WHAT", "RECORDED", "REPLAY");
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(diff, i);
		printf("  %-20s %-28s %s\n", j_str(d, "what"),
		       j_str(d, "recorded"), j_str(d, "replay"));
	}
}
