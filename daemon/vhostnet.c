/*
 * The vhost_net module's zero-copy transmit (vhostnet.h).  The original
 * tool loaded the module with experimental_zcopytx=1 (vnet-setup.sh -z);
 * vrouterd only reads /sys/module/vhost_net/parameters/experimental_zcopytx
 * and refuses a start that asks for the other value, naming the commands
 * that reload the module, because reloading it under running guests would
 * break them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "vhostnet.h"

#define ZCOPY_PARAM "/sys/module/vhost_net/parameters/experimental_zcopytx"

const char *
vhostnet_root(void)
{
	const char *r = getenv("VR_AXES_ROOT");

	return r != NULL ? r : "";
}

int
vhostnet_zcopytx(const char *root)
{
	char path[4096], *s;
	int v;

	snprintf(path, sizeof(path), "%s" ZCOPY_PARAM, root);
	if ((s = file_read(path, 64)) == NULL)
		return -1;
	/* an int parameter: "0" or "1" (a bool one would say N/Y) */
	v = s[0] == '1' || s[0] == 'Y' || s[0] == 'y';
	free(s);
	return v;
}

int
vhostnet_check(const struct topo_opts *o, const char *root, char *err,
	       size_t errlen)
{
	int want, have;

	if (o->vhost_zerocopy == ZCOPY_ANY)
		return 0;
	want = o->vhost_zerocopy == ZCOPY_ON;
	if ((have = vhostnet_zcopytx(root)) == -1) {
		msgf(err, errlen,
		     "vhost_zerocopy %s: the vhost_net module is not loaded "
		     "(no %s); vrouterd does not load modules: `modprobe "
		     "vhost_net experimental_zcopytx=%d`, then start again",
		     want ? "on" : "off", ZCOPY_PARAM, want);
		return -1;
	}
	if (have != want) {
		msgf(err, errlen,
		     "vhost_zerocopy %s: vhost_net is loaded with "
		     "experimental_zcopytx=%d, which changes only when the "
		     "module is reloaded (with no guest using vhost-net): "
		     "`modprobe -r vhost_net && modprobe vhost_net "
		     "experimental_zcopytx=%d`",
		     want ? "on" : "off", have, want);
		return -1;
	}
	return 0;
}

json_object *
vhostnet_json(const struct topo_opts *o, const char *root)
{
	json_object *j = json_object_new_object();
	int have = vhostnet_zcopytx(root);

	json_object_object_add(j, "loaded", json_object_new_boolean(have >= 0));
	if (have >= 0)
		json_object_object_add(
		    j, "experimental_zcopytx",
		    json_object_new_string(have ? "on" : "off"));
	if (o->vhost_zerocopy != ZCOPY_ANY)
		json_object_object_add(
		    j, "required",
		    json_object_new_string(topo_zcopy_name(o->vhost_zerocopy)));
	if (have < 0)
		json_object_object_add(
		    j, "note",
		    json_object_new_string("vhost_net is not loaded (no "
					   "zero-copy setting to read)"));
	return j;
}
