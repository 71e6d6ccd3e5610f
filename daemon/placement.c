/*
 * The placement axes in status (placement.h).
 */
#include "placement.h"
#include "sup_run.h"
#include "topo.h"

/* Does every node's live domain XML ask for hugepages? */
static int
live_hugepages(const struct run *r)
{
	json_object *v;

	for (int n = 0; n < r->plan->nnodes; n++)
		if (r->nrt == NULL || r->nrt[n].live == NULL ||
		    !json_object_object_get_ex(r->nrt[n].live, "hugepages",
					       &v) ||
		    !json_object_get_boolean(v))
			return 0;
	return r->plan->nnodes > 0;
}

void
placement_warn(struct run *r)
{
	const struct topo_opts *o = &r->plan->opts;

	if (r->vhost ||
	    (o->vhost_cpu == PIN_VHOST_HOUSEKEEPING && o->vhost_rt == 0))
		return;
	json_object_array_add(
	    r->warnings,
	    jstrf("vhost-net is not in use (%s): --vhost-cpu %s and "
		  "--vhost-rt %d have no vhost thread to place%s",
		  r->vhost_reason, pin_vhost_name(o->vhost_cpu), o->vhost_rt,
		  o->vhost_cpu == PIN_VHOST_DEDICATED && o->pin
		      ? " (the CPUs planned for them stay idle)"
		      : ""));
}

void
placement_status(const struct run *r, json_object *status)
{
	const struct topo_opts *o = &r->plan->opts;
	json_object *opts;

	if (!json_object_object_get_ex(status, "options", &opts)) {
		opts = json_object_new_object();
		json_object_object_add(status, "options", opts);
	}
	json_object_object_add(
	    opts, "vhost_cpu",
	    json_object_new_string(pin_vhost_name(o->vhost_cpu)));
	json_object_object_add(opts, "vhost_rt",
			       json_object_new_int(o->vhost_rt));
	json_object_object_add(opts, "hugepages",
			       json_object_new_boolean(live_hugepages(r)));
}
