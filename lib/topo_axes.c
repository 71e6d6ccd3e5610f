/*
 * The "axes" options of issue 14 that the original scripts varied and
 * vrouterd had no knob for: the virtio multiqueue count (queues), the
 * vhost_net module's zero-copy transmit (vhost_zerocopy, checked, never
 * changed), extra QEMU arguments through libvirt's qemu command-line
 * namespace (qemu_args, kept verbatim), and on real ports the NICs'
 * interrupt CPUs (irq_cpus) and pause frames (pause).  Reading them from
 * params, writing them into a plan's "options" (only when not the
 * default, so default plans stay as they were), and refusing them where
 * they cannot apply.  Pure, like the rest of topo.
 */
#include <string.h>

#include "topo.h"
#include "util.h"

static const char *const zcopy_names[] = {"any", "on", "off"};

const char *
topo_zcopy_name(enum topo_zcopy z)
{
	return (unsigned)z < sizeof(zcopy_names) / sizeof(zcopy_names[0])
		   ? zcopy_names[z]
		   : "?";
}

/* 0 absent, 1 a string in *out, -1 the wrong type (err). */
static int
axes_str(json_object *obj, const char *key, const char **out, char *err,
	 size_t errlen)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string) ||
	    strlen(json_object_get_string(v)) !=
		(size_t)json_object_get_string_len(v)) {
		msgf(err, errlen, "%s: expected a string", key);
		return -1;
	}
	*out = json_object_get_string(v);
	return 1;
}

/* qemu_args: an array of at most TOPO_QEMU_ARGS_MAX non-empty strings of
 * printable characters (XML cannot carry control characters), each
 * shorter than TOPO_QEMU_ARG_LEN.  Quotes, '&', '<' are fine: domxml
 * escapes them. */
static int
axes_qemu_args(json_object *v, struct topo_opts *o, char *err, size_t errlen)
{
	size_t n;

	if (!json_object_is_type(v, json_type_array)) {
		msgf(err, errlen, "qemu_args: expected an array of strings");
		return -1;
	}
	if ((n = json_object_array_length(v)) > TOPO_QEMU_ARGS_MAX) {
		msgf(err, errlen, "qemu_args: %zu arguments, at most %d", n,
		     TOPO_QEMU_ARGS_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		const char *s;
		size_t len;

		if (!json_object_is_type(e, json_type_string)) {
			msgf(err, errlen, "qemu_args[%zu]: expected a string",
			     i);
			return -1;
		}
		s = json_object_get_string(e);
		len = (size_t)json_object_get_string_len(e);
		if (len == 0 || len >= TOPO_QEMU_ARG_LEN) {
			msgf(err, errlen,
			     "qemu_args[%zu]: %zu bytes, expected 1-%d", i, len,
			     TOPO_QEMU_ARG_LEN - 1);
			return -1;
		}
		for (size_t k = 0; k < len; k++) {
			unsigned char c = (unsigned char)s[k];
			if (c < 0x20 || c == 0x7f) {
				msgf(err, errlen,
				     "qemu_args[%zu]: control character 0x%02x "
				     "is not allowed",
				     i, c);
				return -1;
			}
		}
		vr_strlcpy(o->qemu_args[i], s, sizeof(o->qemu_args[i]));
	}
	o->nqemu_args = (int)n;
	return 0;
}

int
topo_axes_apply(json_object *obj, struct topo_opts *o, char *err, size_t errlen)
{
	struct topo_opts t = *o;
	json_object *v;
	const char *s;
	int r;

	if (json_object_object_get_ex(obj, "queues", &v) && v != NULL) {
		int64_t q = json_object_get_int64(v);
		if (!json_object_is_type(v, json_type_int) || q < 1 ||
		    q > TOPO_MAX_QUEUES) {
			msgf(err, errlen,
			     "queues: expected an integer 1-%d (virtio queue "
			     "pairs per NIC)",
			     TOPO_MAX_QUEUES);
			return -1;
		}
		t.queues = (int)q;
	}
	if ((r = axes_str(obj, "vhost_zerocopy", &s, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		if (strcmp(s, "on") == 0)
			t.vhost_zerocopy = ZCOPY_ON;
		else if (strcmp(s, "off") == 0)
			t.vhost_zerocopy = ZCOPY_OFF;
		else {
			msgf(err, errlen,
			     "vhost_zerocopy: '%.32s' is not on or off", s);
			return -1;
		}
	}
	if (json_object_object_get_ex(obj, "qemu_args", &v) && v != NULL &&
	    axes_qemu_args(v, &t, err, errlen) == -1)
		return -1;
	if ((r = axes_str(obj, "irq_cpus", &s, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		CPU_ZERO(&t.irq_cpus);
		if (*s != '\0' && cpulist_parse(s, &t.irq_cpus) == -1) {
			msgf(err, errlen,
			     "irq_cpus: '%.64s' is not a CPU list (e.g. 0-3,6)",
			     s);
			return -1;
		}
		t.has_irq_cpus = CPU_COUNT(&t.irq_cpus) > 0;
	}
	if ((r = axes_str(obj, "pause", &s, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		if (strcmp(s, "off") != 0 && strcmp(s, "keep") != 0) {
			msgf(err, errlen, "pause: '%.32s' is not off or keep",
			     s);
			return -1;
		}
		t.pause_off = strcmp(s, "off") == 0;
	}
	*o = t;
	return 0;
}

void
topo_axes_to_json(const struct topo_opts *o, json_object *j)
{
	char buf[CPULIST_MAX];

	if (o->queues > 0)
		json_object_object_add(j, "queues",
				       json_object_new_int(o->queues));
	if (o->vhost_zerocopy != ZCOPY_ANY)
		json_object_object_add(
		    j, "vhost_zerocopy",
		    json_object_new_string(topo_zcopy_name(o->vhost_zerocopy)));
	if (o->nqemu_args > 0) {
		json_object *a = json_object_new_array();
		for (int i = 0; i < o->nqemu_args; i++)
			json_object_array_add(
			    a, json_object_new_string(o->qemu_args[i]));
		json_object_object_add(j, "qemu_args", a);
	}
	if (o->has_irq_cpus) {
		cpulist_format(&o->irq_cpus, buf, sizeof(buf));
		json_object_object_add(j, "irq_cpus",
				       json_object_new_string(buf));
	}
	if (o->pause_off)
		json_object_object_add(j, "pause",
				       json_object_new_string("off"));
}

int
topo_axes_check(const struct topo_opts *o, char *err, size_t errlen)
{
	if (o->backend == BACKEND_NETNS &&
	    (o->queues > 0 || o->nqemu_args > 0 ||
	     o->vhost_zerocopy != ZCOPY_ANY)) {
		msgf(err, errlen,
		     "the netns backend has no guests: queues, qemu_args and "
		     "vhost_zerocopy are for --backend vm");
		return -1;
	}
	if (o->queues > 1 && o->nic_model != NIC_VIRTIO) {
		msgf(err, errlen,
		     "queues %d: multiqueue is virtio-net's; %s has one queue",
		     o->queues, topo_nic_model_name(o->nic_model));
		return -1;
	}
	if (o->vhost_zerocopy != ZCOPY_ANY && o->vhost == VHOST_OFF) {
		msgf(err, errlen,
		     "vhost_zerocopy %s: zero-copy transmit is vhost-net's, "
		     "and vhost is off",
		     topo_zcopy_name(o->vhost_zerocopy));
		return -1;
	}
	if ((o->has_irq_cpus || o->pause_off) && o->ports != PORTS_HOST) {
		msgf(err, errlen,
		     "%s: for real NICs only (--ports in=IF,out=IF); the test "
		     "ports are veth pairs",
		     o->has_irq_cpus ? "irq_cpus" : "pause off");
		return -1;
	}
	return 0;
}
