/*
 * A run in words, field by field (topology, backend, cores, pinning, link,
 * accel, traffic, mode), read from its record: what the titles and labels
 * of figures, tables and comparisons say (vrctl.h, enum BENCH_DESC_*).
 */
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "vrctl.h"

static const char *const desc_names[BENCH_DESC_N] = {
    "topology", "backend", "cores",   "pinning",
    "link",	"accel",   "traffic", "mode"};

void
bench_describe(json_object *record, struct bench_desc *d)
{
	json_object *plan = j_get(record, "plan");
	json_object *opt = j_get(plan, "options");
	json_object *cmd = j_get(record, "command");
	json_object *pin = j_get(plan, "pinning");
	json_object *trials = j_get(record, "trials");
	const char *topo = j_str(plan, "topology"), *path = "-";
	const char *backend = j_str(record, "backend");
	long long cores = j_int(opt, "cores", -1), flows;
	static const char *const counts[] = {"vrs", "lbs", "backends"};
	size_t pos = 0;

	if (strcmp(topo, "-") == 0)
		topo = j_str(j_get(record, "topology"), "topology");
	bench_appendf(d->f[BENCH_TOPO], sizeof(d->f[0]), &pos, "%s", topo);
	for (size_t i = 0; i < nitems(counts); i++)
		if (j_get(opt, counts[i]) != NULL)
			bench_appendf(d->f[BENCH_TOPO], sizeof(d->f[0]), &pos,
				      " %s=%lld", counts[i],
				      j_int(opt, counts[i], 0));

	if (strcmp(backend, "-") == 0)
		backend = j_get(opt, "backend") ? j_str(opt, "backend") : "vm";
	msgf(d->f[BENCH_BACKEND], sizeof(d->f[0]), "%s", backend);
	if (cores < 0) { /* the first node's vCPUs */
		json_object *n = j_get(plan, "nodes");
		if (n && json_object_is_type(n, json_type_array) &&
		    json_object_array_length(n) > 0)
			cores =
			    j_int(json_object_array_get_idx(n, 0), "vcpus", -1);
	}
	if (cores < 0)
		msgf(d->f[BENCH_CORES], sizeof(d->f[0]), "? cores");
	else
		msgf(d->f[BENCH_CORES], sizeof(d->f[0]), "%lld core%s", cores,
		     cores == 1 ? "" : "s");
	if (j_bool(opt, "pin") || j_bool(pin, "enabled")) {
		const char *vc = j_str(pin, "vcpu_cpus");
		if (strcmp(vc, "-") != 0)
			msgf(d->f[BENCH_PIN], sizeof(d->f[0]),
			     "pinned (vCPUs on %s)", vc);
		else
			msgf(d->f[BENCH_PIN], sizeof(d->f[0]), "pinned");
	} else
		msgf(d->f[BENCH_PIN], sizeof(d->f[0]), "unpinned");
	msgf(d->f[BENCH_LINK], sizeof(d->f[0]), "%s",
	     strcmp(backend, "netns") == 0 ? "veth" : j_str(opt, "link"));
	msgf(d->f[BENCH_ACCEL], sizeof(d->f[0]), "%s", j_str(record, "accel"));
	flows = j_int(cmd, "flows", 1);
	/* the send path the generator really used (older records lack it) */
	if (json_object_is_type(trials, json_type_array) &&
	    json_object_array_length(trials) > 0)
		path = j_str(json_object_array_get_idx(trials, 0), "tx_path");
	msgf(d->f[BENCH_TRAFFIC], sizeof(d->f[0]), "%s%s, %lld flow%s%s%s",
	     j_get(cmd, "frame") ? j_str(cmd, "frame") : "64",
	     strcmp(j_str(cmd, "frame"), "imix") == 0 ? "" : " B", flows,
	     flows == 1 ? "" : "s", strcmp(path, "-") ? ", " : "",
	     strcmp(path, "-") ? path : "");
	if (strcmp(j_str(cmd, "mode"), "pdr") == 0)
		msgf(d->f[BENCH_MODE], sizeof(d->f[0]), "pdr (loss %s)",
		     j_str(cmd, "loss"));
	else
		msgf(d->f[BENCH_MODE], sizeof(d->f[0]), "%s",
		     j_str(cmd, "mode"));
}

const char *
bench_desc_name(int i)
{
	return desc_names[i];
}

/* Join the fields in mask with sep into buf. */
char *
bench_desc_join(const struct bench_desc *d, unsigned mask, const char *sep,
		char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < BENCH_DESC_N; i++)
		if (mask & (1u << i))
			bench_appendf(buf, len, &n, "%s%s", n ? sep : "",
				      d->f[i]);
	return buf;
}
