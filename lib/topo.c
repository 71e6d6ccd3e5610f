/*
 * Topology options (struct topo_opts): their names, defaults, reading
 * from request params, their JSON form, and the naming rules they obey
 * (instance names, interface names).
 *
 * Over 800 lines on purpose (issue 12): each option is read, checked and
 * written back here, and keeping its three uses side by side is what
 * keeps a plan read back from JSON equal to the one built.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "topo.h"
#include "topo_int.h"
#include "util.h"

#define TIMEOUT_MAX_SEC 86400
#define RT_PRIO_MAX	99
#define TXQLEN_MAX	1000000

static const char *const accel_names[] = {
    [ACCEL_AUTO] = "auto",
    [ACCEL_KVM] = "kvm",
    [ACCEL_TCG] = "tcg",
};
static const char *const link_names[] = {
    [LINK_TAP] = "tap",
    [LINK_MACVTAP] = "macvtap",
};
static const char *const backend_names[] = {
    [BACKEND_VM] = "vm",
    [BACKEND_NETNS] = "netns",
};
static const char *const nic_model_names[] = {
    [NIC_VIRTIO] = "virtio",
    [NIC_E1000] = "e1000",
    [NIC_E1000E] = "e1000e",
};
static const char *const vhost_names[] = {
    [VHOST_AUTO] = "auto",
    [VHOST_ON] = "on",
    [VHOST_OFF] = "off",
};
static const char *const macvtap_mode_names[] = {
    [MACVTAP_BRIDGE] = "bridge",
    [MACVTAP_VEPA] = "vepa",
    [MACVTAP_PRIVATE] = "private",
    [MACVTAP_PASSTHRU] = "passthru",
};
static const char *const lb_mode_names[] = {
    [LB_MODE_FLOW] = "flow",
    [LB_MODE_PACKET] = "packet",
};
static const char *const split_names[] = {
    [SPLIT_HOST] = "host",
    [SPLIT_MACVTAP] = "macvtap",
};
static const char *const role_names[] = {
    [ROLE_ROUTER] = "router",
    [ROLE_LB] = "lb",
    [ROLE_BACKEND] = "backend",
};

static const char *
name_of(const char *const *names, size_t n, unsigned v)
{
	return v < n ? names[v] : "unknown";
}

static int
parse_in(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
topo_accel_name(enum topo_accel a)
{
	return name_of(accel_names, nitems(accel_names), a);
}

const char *
topo_link_name(enum topo_link l)
{
	return name_of(link_names, nitems(link_names), l);
}

const char *
topo_role_name(enum topo_role r)
{
	return name_of(role_names, nitems(role_names), r);
}

const char *
topo_backend_name(enum topo_backend b)
{
	return name_of(backend_names, nitems(backend_names), b);
}

int
topo_backend_parse(const char *s)
{
	return parse_in(backend_names, nitems(backend_names), s);
}

const char *
topo_nic_model_name(enum topo_nic_model m)
{
	return name_of(nic_model_names, nitems(nic_model_names), m);
}

const char *
topo_vhost_name(enum topo_vhost v)
{
	return name_of(vhost_names, nitems(vhost_names), v);
}

const char *
topo_macvtap_mode_name(enum topo_macvtap_mode m)
{
	return name_of(macvtap_mode_names, nitems(macvtap_mode_names), m);
}

int
topo_nic_model_parse(const char *s)
{
	return parse_in(nic_model_names, nitems(nic_model_names), s);
}

int
topo_vhost_parse(const char *s)
{
	return parse_in(vhost_names, nitems(vhost_names), s);
}

int
topo_macvtap_mode_parse(const char *s)
{
	return parse_in(macvtap_mode_names, nitems(macvtap_mode_names), s);
}

const char *
topo_lb_mode_name(enum topo_lb_mode m)
{
	return name_of(lb_mode_names, nitems(lb_mode_names), m);
}

int
topo_lb_mode_parse(const char *s)
{
	return parse_in(lb_mode_names, nitems(lb_mode_names), s);
}

const char *
topo_split_name(enum topo_split s)
{
	return name_of(split_names, nitems(split_names), s);
}

int
topo_split_parse(const char *s)
{
	return parse_in(split_names, nitems(split_names), s);
}

int
topo_accel_parse(const char *s)
{
	return parse_in(accel_names, nitems(accel_names), s);
}

int
topo_link_parse(const char *s)
{
	return parse_in(link_names, nitems(link_names), s);
}

int
topo_role_parse(const char *s)
{
	return parse_in(role_names, nitems(role_names), s);
}

void
topo_opts_init(struct topo_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->cores = 1;
	o->memory_mib = 256;
	o->accel = ACCEL_AUTO;
	o->link = LINK_TAP;
	o->ports = PORTS_TEST;
	o->timeout_sec = 120;
	CPU_ZERO(&o->cpus);
}

int
topo_name_check(const char *name, char *err, size_t errlen)
{
	return name_check(NAME_INSTANCE, "name", name, err, errlen);
}

int
topo_ifname_check(const char *ifname, char *err, size_t errlen)
{
	size_t n = ifname ? strlen(ifname) : 0;
	int ok = n >= 1 && n < TOPO_IFNAMSIZ && strcmp(ifname, ".") != 0 &&
		 strcmp(ifname, "..") != 0;

	for (size_t i = 0; ok && i < n; i++) {
		unsigned char c = ifname[i];
		ok = c > ' ' && c < 0x7f && c != '/' && c != ':' && c != ',' &&
		     c != '=';
	}
	if (!ok) {
		msgf(err, errlen,
		     "interface name '%.64s' is invalid (1-%d "
		     "characters, no '/', ':', ',', '=' or whitespace)",
		     ifname ? ifname : "", TOPO_IFNAMSIZ - 1);
		return -1;
	}
	return 0;
}

/* Short aliases for the built-in topologies (see topo_default_name). */
static const struct {
	const char *topology, *alias;
} name_aliases[] = {
    {"monolithic", "mono"},
    {"pvr", "pvr"},
    {"msr", "msr"},
};

void
topo_default_name(const char *topology, char *buf, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < nitems(name_aliases); i++)
		if (topology &&
		    strcmp(topology, name_aliases[i].topology) == 0) {
			vr_strlcpy(buf, name_aliases[i].alias, len);
			return;
		}
	for (const char *s = topology ? topology : ""; *s; s++) {
		char c = (char)tolower((unsigned char)*s);
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			 (c == '-' && n > 0);
		if (!ok)
			continue;
		if (n + 1 >= len || n >= TOPO_NAME_LEN)
			break;
		buf[n++] = c;
	}
	while (n > 0 && buf[n - 1] == '-')
		n--;
	buf[n] = '\0';
	if (n == 0)
		vr_strlcpy(buf, "vr", len);
}

void
topo_ports_format(const struct topo_opts *o, char *buf, size_t len)
{
	if (o->ports == PORTS_HOST)
		snprintf(buf, len, "in=%s,out=%s", o->port_in, o->port_out);
	else
		snprintf(buf, len, "test");
}

int
topo_opts_set_ports(struct topo_opts *o, const char *s, char *err,
		    size_t errlen)
{
	char in[TOPO_IFNAMSIZ] = "", out[TOPO_IFNAMSIZ] = "", ebuf[160];
	const char *p = s;

	if (s == NULL || strcmp(s, "test") == 0) {
		o->ports = PORTS_TEST;
		o->port_in[0] = o->port_out[0] = '\0';
		return 0;
	}
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char *dst;
		size_t vlen;

		if (n > 3 && strncmp(p, "in=", 3) == 0) {
			dst = in;
			p += 3, n -= 3;
		} else if (n > 4 && strncmp(p, "out=", 4) == 0) {
			dst = out;
			p += 4, n -= 4;
		} else {
			goto syntax;
		}
		if (*dst != '\0') {
			msgf(err, errlen, "ports '%.64s': '%s' given twice", s,
			     dst == in ? "in" : "out");
			return -1;
		}
		vlen = n < TOPO_IFNAMSIZ ? n : TOPO_IFNAMSIZ - 1;
		memcpy(dst, p, vlen);
		dst[vlen] = '\0';
		if (n >= TOPO_IFNAMSIZ ||
		    topo_ifname_check(dst, ebuf, sizeof(ebuf)) == -1) {
			if (n >= TOPO_IFNAMSIZ)
				snprintf(ebuf, sizeof(ebuf),
					 "interface name is longer than %d "
					 "characters",
					 TOPO_IFNAMSIZ - 1);
			msgf(err, errlen, "ports '%.64s': %s: %s", s,
			     dst == in ? "in" : "out", ebuf);
			return -1;
		}
		p += n;
		if (*p == ',' && *++p == '\0')
			goto syntax;
	}
	if (*in == '\0' || *out == '\0')
		goto syntax;
	if (strcmp(in, out) == 0) {
		msgf(err, errlen,
		     "ports '%.64s': in and out must be different "
		     "interfaces",
		     s);
		return -1;
	}
	o->ports = PORTS_HOST;
	vr_strlcpy(o->port_in, in, sizeof(o->port_in));
	vr_strlcpy(o->port_out, out, sizeof(o->port_out));
	return 0;
syntax:
	msgf(err, errlen,
	     "ports '%.64s': expected \"test\" or \"in=IF,out=IF\"", s);
	return -1;
}

/* Lookup helpers: 0 absent, 1 present and valid, -1 error (err set). */
static int
get_str(json_object *obj, const char *key, const char **out, char *err,
	size_t errlen)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string)) {
		msgf(err, errlen, "%s: expected a string", key);
		return -1;
	}
	if (strlen(json_object_get_string(v)) !=
	    (size_t)json_object_get_string_len(v)) {
		msgf(err, errlen, "%s: a string with a NUL character", key);
		return -1;
	}
	*out = json_object_get_string(v);
	return 1;
}

static int
get_int(json_object *obj, const char *key, int min, int max, int *out,
	char *err, size_t errlen)
{
	json_object *v;
	int64_t x;

	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_int)) {
		msgf(err, errlen, "%s: expected an integer", key);
		return -1;
	}
	x = json_object_get_int64(v);
	if (x < min || x > max) {
		msgf(err, errlen, "%s: %lld is out of range (%d-%d)", key,
		     (long long)x, min, max);
		return -1;
	}
	*out = (int)x;
	return 1;
}

static int
get_bool(json_object *obj, const char *key, int *out, char *err, size_t errlen)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_boolean)) {
		msgf(err, errlen, "%s: expected true or false", key);
		return -1;
	}
	*out = json_object_get_boolean(v) ? 1 : 0;
	return 1;
}

/* A string option copied into buf of size len. */
static int
get_strbuf(json_object *obj, const char *key, char *buf, size_t len, char *err,
	   size_t errlen)
{
	const char *s;
	int r = get_str(obj, key, &s, err, errlen);

	if (r <= 0)
		return r;
	if (strlen(s) >= len) {
		msgf(err, errlen, "%s: longer than %zu characters", key,
		     len - 1);
		return -1;
	}
	vr_strlcpy(buf, s, len);
	return 1;
}

/* The NIC and vhost axes: nic_model, vhost, macvtap_mode; lb_mode. */
static int
apply_axes(json_object *obj, struct topo_opts *o, char *err, size_t errlen)
{
	const char *s;
	int r, v;

	if ((r = get_str(obj, "nic_model", &s, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		if ((v = topo_nic_model_parse(s)) == -1) {
			msgf(err, errlen,
			     "nic_model: '%.32s' is not virtio, e1000 or "
			     "e1000e",
			     s);
			return -1;
		}
		o->nic_model = v;
	}
	if ((r = get_str(obj, "vhost", &s, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		if ((v = topo_vhost_parse(s)) == -1) {
			msgf(err, errlen,
			     "vhost: '%.32s' is not auto, on or off", s);
			return -1;
		}
		o->vhost = v;
	}
	if ((r = get_str(obj, "macvtap_mode", &s, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		if ((v = topo_macvtap_mode_parse(s)) == -1) {
			msgf(err, errlen,
			     "macvtap_mode: '%.32s' is not bridge, vepa, "
			     "private or passthru",
			     s);
			return -1;
		}
		o->macvtap_mode = v;
	}
	if ((r = get_str(obj, "vhost_cpu", &s, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		if ((v = pin_vhost_parse(s)) == -1) {
			msgf(err, errlen,
			     "vhost_cpu: '%.32s' is not housekeeping, vcpu or "
			     "dedicated",
			     s);
			return -1;
		}
		o->vhost_cpu = v;
	}
	if ((r = get_str(obj, "lb_mode", &s, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		if ((v = topo_lb_mode_parse(s)) == -1) {
			msgf(err, errlen,
			     "lb_mode: '%.32s' is not flow or packet", s);
			return -1;
		}
		o->lb_mode = v;
	}
	if ((r = get_str(obj, "split", &s, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		if ((v = topo_split_parse(s)) == -1) {
			msgf(err, errlen,
			     "split: '%.32s' is not host or macvtap", s);
			return -1;
		}
		o->split = v;
	}
	return 0;
}

/* A string that goes onto the guest's kernel command line or into the
 * domain XML: printable ASCII only (no quotes for cpu_model). */
static int
check_guest_str(const char *key, const char *s, int words, char *err,
		size_t errlen)
{
	for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
		int ok = *u > ' ' && *u < 0x7f && *u != '\'' && *u != '"';
		if (words && *u == ' ')
			ok = 1;
		if (!words && *u != '-' && *u != '_' && *u != '.' &&
		    *u != ',' && *u != '=' && *u != '+' && !isalnum(*u))
			ok = 0;
		if (!ok) {
			msgf(err, errlen,
			     "%s: character 0x%02x is not allowed (%s)", key,
			     *u,
			     words ? "printable ASCII and spaces, no quotes"
				   : "letters, digits and -_.,=+");
			return -1;
		}
	}
	return 0;
}

static int
apply_enums(json_object *obj, struct topo_opts *o, char *err, size_t errlen)
{
	const char *s;
	int r, v;

	if ((r = get_str(obj, "accel", &s, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		if ((v = topo_accel_parse(s)) == -1) {
			msgf(err, errlen,
			     "accel: '%.32s' is not auto, kvm or tcg", s);
			return -1;
		}
		o->accel = v;
	}
	if ((r = get_str(obj, "link", &s, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		if ((v = topo_link_parse(s)) == -1) {
			msgf(err, errlen, "link: '%.32s' is not tap or macvtap",
			     s);
			return -1;
		}
		o->link = v;
	}
	if ((r = get_str(obj, "backend", &s, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		if ((v = topo_backend_parse(s)) == -1) {
			msgf(err, errlen, "backend: '%.32s' is not vm or netns",
			     s);
			return -1;
		}
		o->backend = v;
	}
	if ((r = get_str(obj, "smt", &s, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		if ((v = pin_smt_parse(s)) == -1) {
			msgf(err, errlen, "smt: '%.32s' is not avoid or share",
			     s);
			return -1;
		}
		o->smt = v;
	}
	if ((r = get_str(obj, "routing", &s, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		if ((v = topo_routing_parse(s)) == -1) {
			msgf(err, errlen,
			     "routing: '%.32s' is not static, ospf or bgp", s);
			return -1;
		}
		o->routing = v;
	}
	if ((r = get_str(obj, "ports", &s, err, errlen)) == -1)
		return -1;
	if (r == 1 && topo_opts_set_ports(o, s, err, errlen) == -1)
		return -1;
	return apply_axes(obj, o, err, errlen);
}

/* "RUNTIME/PERIOD" (dlparam.h); "" or "off" clears it. */
static int
get_dlparam(json_object *obj, const char *key, struct dlparam *d, char *err,
	    size_t errlen)
{
	const char *s;
	char e[128];
	int r;

	if ((r = get_str(obj, key, &s, err, errlen)) != 1)
		return r;
	if (s[0] == '\0' || strcmp(s, "off") == 0) {
		d->runtime_us = d->period_us = 0;
		return 0;
	}
	if (dlparam_parse(s, d, e, sizeof(e)) == -1) {
		msgf(err, errlen, "%s: %s", key, e);
		return -1;
	}
	return 0;
}

static int
apply_strings(json_object *obj, struct topo_opts *o, char *err, size_t errlen)
{
	const char *s;
	int r;

	if ((r = get_str(obj, "topology_text", &s, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		if (strlen(s) > TOPO_FILE_MAX) {
			msgf(err, errlen, "topology_text: larger than %d bytes",
			     TOPO_FILE_MAX);
			return -1;
		}
		o->file_text = s;
	}
	if ((r = get_str(obj, "topology", &s, err, errlen)) == -1)
		return -1;
	if (r == 1 && (strchr(s, '/') != NULL || o->file_text != NULL)) {
		/* a topology file: its name comes from the file */
		if (strlen(s) >= sizeof(o->file)) {
			msgf(err, errlen, "topology: path too long");
			return -1;
		}
		vr_strlcpy(o->file, s, sizeof(o->file));
		o->topology[0] = '\0';
	} else if (get_strbuf(obj, "topology", o->topology, sizeof(o->topology),
			      err, errlen) == -1)
		return -1;
	if ((r = get_str(obj, "name", &s, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		if (topo_name_check(s, err, errlen) == -1)
			return -1;
		vr_strlcpy(o->name, s, sizeof(o->name));
	}
	if (get_strbuf(obj, "image", o->image, sizeof(o->image), err, errlen) ==
	    -1)
		return -1;
	if (o->image[0] != '\0' && o->image[0] != '/') {
		msgf(err, errlen, "image: '%.64s' is not an absolute path",
		     o->image);
		return -1;
	}
	if ((r = get_str(obj, "cpus", &s, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		if (cpulist_parse(s, &o->cpus) == -1) {
			msgf(err, errlen,
			     "cpus: '%.64s' is not a CPU list (e.g. 0-3,6)", s);
			return -1;
		}
		o->has_cpus = CPU_COUNT(&o->cpus) > 0;
	}
	if (get_strbuf(obj, "guest_cmdline", o->guest_cmdline,
		       sizeof(o->guest_cmdline), err, errlen) == -1 ||
	    check_guest_str("guest_cmdline", o->guest_cmdline, 1, err,
			    errlen) == -1 ||
	    get_strbuf(obj, "cpu_model", o->cpu_model, sizeof(o->cpu_model),
		       err, errlen) == -1 ||
	    check_guest_str("cpu_model", o->cpu_model, 0, err, errlen) == -1 ||
	    get_dlparam(obj, "deadline", &o->deadline, err, errlen) == -1 ||
	    get_dlparam(obj, "vhost_deadline", &o->vhost_deadline, err,
			errlen) == -1)
		return -1;
	return 0;
}

int
topo_opts_apply(json_object *obj, struct topo_opts *o, char *err, size_t errlen)
{
	struct topo_opts t = *o;
	json_object *v;

	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		msgf(err, errlen, "options: expected an object");
		return -1;
	}
	if (json_object_object_get_ex(obj, "cores", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    json_object_get_int64(v) > TOPO_MAX_VCPUS) {
		msgf(err, errlen,
		     "cores: %lld is more than the limit of %d vCPUs "
		     "per node",
		     (long long)json_object_get_int64(v), TOPO_MAX_VCPUS);
		return -1;
	}
	/* "memory" is accepted as an alias of "memory_mib" */
	if (json_object_object_get_ex(obj, "memory", NULL) &&
	    json_object_object_get_ex(obj, "memory_mib", NULL)) {
		msgf(err, errlen,
		     "memory: give memory_mib or memory, not both");
		return -1;
	}
	if (get_int(obj, "cores", 1, TOPO_MAX_VCPUS, &t.cores, err, errlen) ==
		-1 ||
	    get_int(obj, "memory_mib", TOPO_MEMORY_MIN_MIB, TOPO_MEMORY_MAX_MIB,
		    &t.memory_mib, err, errlen) == -1 ||
	    get_int(obj, "memory", TOPO_MEMORY_MIN_MIB, TOPO_MEMORY_MAX_MIB,
		    &t.memory_mib, err, errlen) == -1 ||
	    get_bool(obj, "pin", &t.pin, err, errlen) == -1 ||
	    get_int(obj, "rt", 0, RT_PRIO_MAX, &t.rt_prio, err, errlen) == -1 ||
	    get_int(obj, "vhost_rt", 0, RT_PRIO_MAX, &t.vhost_rt, err,
		    errlen) == -1 ||
	    get_bool(obj, "hugepages", &t.hugepages, err, errlen) == -1 ||
	    get_int(obj, "timeout", 1, TIMEOUT_MAX_SEC, &t.timeout_sec, err,
		    errlen) == -1 ||
	    get_int(obj, "txqueuelen", 0, TXQLEN_MAX, &t.txqueuelen, err,
		    errlen) == -1 ||
	    get_int(obj, "guest_txqueuelen", 0, TXQLEN_MAX, &t.guest_txqueuelen,
		    err, errlen) == -1 ||
	    get_int(obj, "fib_routes", 0, TOPO_FIB_ROUTES_MAX, &t.fib_routes,
		    err, errlen) == -1 ||
	    get_int(obj, "vrs", 1, TOPO_MAX_COUNT, &t.vrs, err, errlen) == -1 ||
	    get_int(obj, "backends", 1, TOPO_MAX_COUNT, &t.backends, err,
		    errlen) == -1 ||
	    get_int(obj, "lbs", 1, TOPO_MAX_COUNT, &t.lbs, err, errlen) == -1 ||
	    apply_enums(obj, &t, err, errlen) == -1 ||
	    apply_strings(obj, &t, err, errlen) == -1 ||
	    topo_axes_apply(obj, &t, err, errlen) == -1)
		return -1;
	*o = t;
	return 0;
}

int
topo_opts_from_json(json_object *params, struct topo_opts *o, char *err,
		    size_t errlen)
{
	if (topo_opts_apply(params, o, err, errlen) == -1)
		return -1;
	if (o->name[0] == '\0' && o->topology[0] != '\0')
		topo_default_name(o->topology, o->name, sizeof(o->name));
	return 0;
}

json_object *
topo_opts_to_json(const struct topo_opts *o)
{
	json_object *j = json_object_new_object();
	char buf[CPULIST_MAX];

	json_object_object_add(j, "cores", json_object_new_int(o->cores));
	json_object_object_add(j, "memory_mib",
			       json_object_new_int(o->memory_mib));
	json_object_object_add(j, "pin", json_object_new_boolean(o->pin));
	json_object_object_add(j, "rt", json_object_new_int(o->rt_prio));
	json_object_object_add(
	    j, "accel", json_object_new_string(topo_accel_name(o->accel)));
	json_object_object_add(j, "link",
			       json_object_new_string(topo_link_name(o->link)));
	/* only when not the default, so that VM plans stay as they were */
	if (o->backend != BACKEND_VM)
		json_object_object_add(
		    j, "backend",
		    json_object_new_string(topo_backend_name(o->backend)));
	/* only when not the default, as backend */
	if (o->smt != PIN_SMT_AVOID)
		json_object_object_add(
		    j, "smt", json_object_new_string(pin_smt_name(o->smt)));
	topo_ports_format(o, buf, sizeof(buf));
	json_object_object_add(j, "ports", json_object_new_string(buf));
	json_object_object_add(j, "image", json_object_new_string(o->image));
	json_object_object_add(j, "timeout",
			       json_object_new_int(o->timeout_sec));
	if (o->has_cpus)
		cpulist_format(&o->cpus, buf, sizeof(buf));
	else
		buf[0] = '\0';
	json_object_object_add(j, "cpus", json_object_new_string(buf));
	json_object_object_add(j, "txqueuelen",
			       json_object_new_int(o->txqueuelen));
	/* the issue-14 axes, only when not the default */
	if (o->nic_model != NIC_VIRTIO)
		json_object_object_add(
		    j, "nic_model",
		    json_object_new_string(topo_nic_model_name(o->nic_model)));
	if (o->vhost != VHOST_AUTO)
		json_object_object_add(
		    j, "vhost",
		    json_object_new_string(topo_vhost_name(o->vhost)));
	if (o->macvtap_mode != MACVTAP_BRIDGE)
		json_object_object_add(
		    j, "macvtap_mode",
		    json_object_new_string(
			topo_macvtap_mode_name(o->macvtap_mode)));
	if (o->guest_txqueuelen > 0)
		json_object_object_add(
		    j, "guest_txqueuelen",
		    json_object_new_int(o->guest_txqueuelen));
	if (o->guest_cmdline[0] != '\0')
		json_object_object_add(
		    j, "guest_cmdline",
		    json_object_new_string(o->guest_cmdline));
	if (o->cpu_model[0] != '\0')
		json_object_object_add(j, "cpu_model",
				       json_object_new_string(o->cpu_model));
	if (o->vhost_cpu != PIN_VHOST_HOUSEKEEPING)
		json_object_object_add(
		    j, "vhost_cpu",
		    json_object_new_string(pin_vhost_name(o->vhost_cpu)));
	if (o->vhost_rt > 0)
		json_object_object_add(j, "vhost_rt",
				       json_object_new_int(o->vhost_rt));
	if (o->hugepages)
		json_object_object_add(j, "hugepages",
				       json_object_new_boolean(1));
	if (o->deadline.runtime_us > 0)
		json_object_object_add(j, "deadline",
				       json_object_new_string(dlparam_format(
					   &o->deadline, buf, sizeof(buf))));
	if (o->vhost_deadline.runtime_us > 0)
		json_object_object_add(
		    j, "vhost_deadline",
		    json_object_new_string(
			dlparam_format(&o->vhost_deadline, buf, sizeof(buf))));
	topo_axes_to_json(o, j);
	if (o->lb_mode != LB_MODE_FLOW)
		json_object_object_add(
		    j, "lb_mode",
		    json_object_new_string(topo_lb_mode_name(o->lb_mode)));
	if (o->split != SPLIT_HOST)
		json_object_object_add(
		    j, "split",
		    json_object_new_string(topo_split_name(o->split)));
	if (o->fib_routes > 0)
		json_object_object_add(j, "fib_routes",
				       json_object_new_int(o->fib_routes));
	if (o->routing != ROUTING_STATIC)
		json_object_object_add(
		    j, "routing",
		    json_object_new_string(topo_routing_name(o->routing)));
	/* the topology's count parameters, when it has them */
	if (o->vrs > 0)
		json_object_object_add(j, "vrs", json_object_new_int(o->vrs));
	if (o->backends > 0)
		json_object_object_add(j, "backends",
				       json_object_new_int(o->backends));
	if (o->lbs > 0)
		json_object_object_add(j, "lbs", json_object_new_int(o->lbs));
	return j;
}
