/*
 * libvirt domain XML for one node of a plan (domxml.h).  Pure string
 * building; the layout follows what `virsh dumpxml` prints for libvirt 9.0
 * (element order, two-space indentation, single-quoted attributes), so a
 * golden file reads like the domain libvirt reports.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"
#include "util.h"

struct sbuf {
	char *s;
	size_t len, cap;
};

static void
sb_reserve(struct sbuf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	while (b->len + more + 1 > b->cap)
		b->cap = b->cap ? b->cap * 2 : 1024;
	b->s = xreallocarray(b->s, b->cap, 1);
}

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	sb_reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/*
 * Length of the UTF-8 sequence at s that encodes a character XML 1.0
 * allows (#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
 * [#x10000-#x10FFFF]), or 0 when it is malformed or not allowed.
 */
static size_t
xml_char_len(const unsigned char *s)
{
	unsigned cp, min;
	size_t n;

	if (s[0] < 0x80)
		return (s[0] >= 0x20 || s[0] == '\t' || s[0] == '\n' ||
			s[0] == '\r')
			   ? 1
			   : 0;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

/* 1 when every character of s can be written to XML. */
static int
xml_text_ok(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		size_t n = xml_char_len(u);
		if (n == 0)
			return 0;
		u += n;
	}
	return 1;
}

/*
 * Append s escaped for text and attribute values alike.  Tab, newline and
 * carriage return become character references (attribute normalisation
 * would otherwise turn them into spaces); anything XML cannot carry
 * becomes '?' (domxml_build refuses such input before it gets here).
 */
static void
sb_esc(struct sbuf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		size_t n = xml_char_len(u);

		switch (n ? *u : 0) {
		case '&':
			sb_add(b, "&amp;", 5);
			break;
		case '<':
			sb_add(b, "&lt;", 4);
			break;
		case '>':
			sb_add(b, "&gt;", 4);
			break;
		case '"':
			sb_add(b, "&quot;", 6);
			break;
		case '\'':
			sb_add(b, "&apos;", 6);
			break;
		case '\t':
			sb_add(b, "&#9;", 4);
			break;
		case '\n':
			sb_add(b, "&#10;", 5);
			break;
		case '\r':
			sb_add(b, "&#13;", 5);
			break;
		case 0:
			sb_add(b, "?", 1);
			n = 1;
			break;
		default:
			sb_add(b, (const char *)u, n);
			break;
		}
		u += n;
	}
}

char *
domxml_escape(const char *s)
{
	struct sbuf b = {NULL, 0, 0};

	sb_reserve(&b, strlen(s));
	b.s[0] = '\0';
	sb_esc(&b, s);
	return b.s;
}

static int
check_path(const char *what, const char *path, char *err, size_t errlen)
{
	if (path == NULL || path[0] != '/') {
		msgf(err, errlen, "domain XML: %s: %s", what,
		     path ? "not an absolute path" : "missing");
		return -1;
	}
	if (!xml_text_ok(path)) {
		msgf(err, errlen,
		     "domain XML: %s: contains a character XML cannot carry "
		     "(control character or invalid UTF-8)",
		     what);
		return -1;
	}
	return 0;
}

static int
check_input(const struct topo_plan *p, int node, const struct domxml_env *env,
	    char *err, size_t errlen)
{
	const struct topo_node *n;

	if (p == NULL || env == NULL) {
		msgf(err, errlen, "domain XML: no plan");
		return -1;
	}
	if (node < 0 || node >= p->nnodes) {
		msgf(err, errlen, "domain XML: no node %d (plan has %d)", node,
		     p->nnodes);
		return -1;
	}
	n = &p->nodes[node];
	if (n->vcpus < 1 || n->memory_mib < 1) {
		msgf(err, errlen, "domain XML: node %s: %d vCPUs, %d MiB",
		     n->name, n->vcpus, n->memory_mib);
		return -1;
	}
	if (check_path("kernel", env->kernel, err, errlen) == -1 ||
	    check_path("initrd", env->initrd, err, errlen) == -1 ||
	    check_path("console log", env->console_log, err, errlen) == -1 ||
	    (env->emulator != NULL &&
	     check_path("emulator", env->emulator, err, errlen) == -1))
		return -1;
	if (env->plan_json != NULL && !xml_text_ok(env->plan_json)) {
		msgf(err, errlen,
		     "domain XML: the plan contains a character XML cannot "
		     "carry");
		return -1;
	}
	return 0;
}

static void
add_metadata(struct sbuf *b, const struct topo_plan *p,
	     const struct topo_node *n, const struct domxml_env *env)
{
	sb_printf(b,
		  "  <metadata>\n"
		  "    <" DOMXML_NS_PREFIX ":vrouterd xmlns:" DOMXML_NS_PREFIX
		  "='" DOMXML_NS_URI "'>\n");
	sb_printf(b, "      <" DOMXML_NS_PREFIX ":topology>");
	sb_esc(b, p->opts.topology);
	sb_printf(b, "</" DOMXML_NS_PREFIX ":topology>\n");
	sb_printf(b, "      <" DOMXML_NS_PREFIX ":name>");
	sb_esc(b, p->opts.name);
	sb_printf(b, "</" DOMXML_NS_PREFIX ":name>\n");
	sb_printf(b, "      <" DOMXML_NS_PREFIX ":node>");
	sb_esc(b, n->name);
	sb_printf(b, "</" DOMXML_NS_PREFIX ":node>\n");
	if (env->plan_json != NULL) {
		sb_printf(b, "      <" DOMXML_NS_PREFIX ":plan>");
		sb_esc(b, env->plan_json);
		sb_printf(b, "</" DOMXML_NS_PREFIX ":plan>\n");
	}
	sb_printf(b, "    </" DOMXML_NS_PREFIX ":vrouterd>\n"
		     "  </metadata>\n");
}

/*
 * <cputune>: what libvirt pins itself, so that the guest boots pinned and
 * `virsh vcpupin` / `virsh emulatorpin` show the plan: one <vcpupin> per
 * vCPU and the <emulatorpin> of the pinning plan, and with rt a
 * <vcpusched> SCHED_FIFO for all vCPUs.  vhost workers are the daemon's
 * (daemon/threads.c), which also reads everything back.
 */
static void
add_cputune(struct sbuf *b, const struct topo_plan *p, int node)
{
	const struct topo_node *n = &p->nodes[node];
	const struct pin_assign *a;
	char cpus[CPULIST_MAX];

	if (p->pin.n == 0 && p->opts.rt_prio == 0)
		return;
	sb_printf(b, "  <cputune>\n");
	for (int v = 0; v < n->vcpus; v++) {
		if ((a = pin_plan_find(&p->pin, node, PIN_VCPU, v)) == NULL)
			continue;
		cpulist_format(&a->cpus, cpus, sizeof(cpus));
		sb_printf(b, "    <vcpupin vcpu='%d' cpuset='%s'/>\n", v, cpus);
	}
	if ((a = pin_plan_find(&p->pin, node, PIN_EMULATOR, 0)) != NULL) {
		cpulist_format(&a->cpus, cpus, sizeof(cpus));
		sb_printf(b, "    <emulatorpin cpuset='%s'/>\n", cpus);
	}
	if (p->opts.rt_prio > 0)
		sb_printf(b,
			  "    <vcpusched vcpus='0-%d' scheduler='fifo' "
			  "priority='%d'/>\n",
			  n->vcpus - 1, p->opts.rt_prio);
	sb_printf(b, "  </cputune>\n");
}

/* <cpu>: host-passthrough under KVM, qemu64 under TCG, unless the
 * options name a model (or a mode: host-passthrough, host-model,
 * maximum). */
static void
add_cpu(struct sbuf *b, const struct topo_plan *p, const struct domxml_env *env)
{
	const char *m = p->opts.cpu_model;

	if (m[0] == '\0')
		m = env->kvm ? "host-passthrough" : "qemu64";
	if (strcmp(m, "host-passthrough") == 0 ||
	    strcmp(m, "host-model") == 0 || strcmp(m, "maximum") == 0) {
		sb_printf(b, "  <cpu mode='%s' check='none'/>\n", m);
		return;
	}
	sb_printf(b, "  <cpu mode='custom' match='exact' check='none'>\n"
		     "    <model fallback='forbid'>");
	sb_esc(b, m);
	sb_printf(b, "</model>\n  </cpu>\n");
}

static void
add_os(struct sbuf *b, const struct domxml_env *env, const char *cmdline)
{
	sb_printf(b, "  <os>\n"
		     "    <type arch='x86_64' machine='pc'>hvm</type>\n"
		     "    <kernel>");
	sb_esc(b, env->kernel);
	sb_printf(b, "</kernel>\n    <initrd>");
	sb_esc(b, env->initrd);
	sb_printf(b, "</initrd>\n    <cmdline>");
	sb_esc(b, cmdline);
	sb_printf(b, "</cmdline>\n  </os>\n");
}

static void
add_interface(struct sbuf *b, const struct topo_plan *p,
	      const struct topo_node *n, const struct topo_if *f,
	      const struct domxml_env *env)
{
	int queues = topo_node_mq(p, (int)(n - p->nodes), env->vhost);
	enum topo_nic_model model = topo_node_nic_model(p, (int)(n - p->nodes));

	sb_printf(b, "    <interface type='ethernet'>\n      <mac address='");
	sb_esc(b, f->mac);
	sb_printf(b, "'/>\n      <target dev='");
	sb_esc(b, f->host_if);
	sb_printf(b, "' managed='no'/>\n      <model type='%s'/>\n",
		  topo_nic_model_name(model));
	/* vhost-net and multiqueue are virtio's; e1000 has no <driver> */
	if (model == NIC_VIRTIO && queues > 1)
		sb_printf(b, "      <driver name='%s' queues='%d'/>\n",
			  env->vhost ? "vhost" : "qemu", queues);
	else if (model == NIC_VIRTIO)
		sb_printf(b, "      <driver name='%s'/>\n",
			  env->vhost ? "vhost" : "qemu");
	/* a network across hosts: the guest is told its MTU (virtio's
	 * host_mtu), so it sends nothing the VXLAN cannot carry */
	if (model == NIC_VIRTIO && f->mtu > 0)
		sb_printf(b, "      <mtu size='%d'/>\n", f->mtu);
	sb_printf(b, "      <rom enabled='no'/>\n"
		     "    </interface>\n");
}

static void
add_console(struct sbuf *b, const struct domxml_env *env)
{
	/*
	 * The serial port is a pty that `virsh console` (and `vrctl
	 * console`) attach to, with everything the guest prints also copied
	 * to the log file (by virtlogd, or QEMU itself), where readiness is
	 * read.  libvirt treats a <console> whose target is serial port 0 as
	 * an alias of that <serial>: one chardev, one pty.  append='off':
	 * each boot starts an empty log.
	 */
	sb_printf(b, "    <serial type='pty'>\n      <log file='");
	sb_esc(b, env->console_log);
	sb_printf(b, "' append='off'/>\n"
		     "      <target port='0'/>\n"
		     "    </serial>\n"
		     "    <console type='pty'>\n"
		     "      <target type='serial' port='0'/>\n"
		     "    </console>\n");
}

/* --qemu-arg: libvirt's QEMU command-line namespace, each argument one
 * <qemu:arg>, verbatim (escaped), after the devices, as virsh shows it. */
static void
add_qemu_args(struct sbuf *b, const struct topo_plan *p)
{
	if (p->opts.nqemu_args == 0)
		return;
	sb_printf(b, "  <qemu:commandline>\n");
	for (int i = 0; i < p->opts.nqemu_args; i++) {
		sb_printf(b, "    <qemu:arg value='");
		sb_esc(b, p->opts.qemu_args[i]);
		sb_printf(b, "'/>\n");
	}
	sb_printf(b, "  </qemu:commandline>\n");
}

char *
domxml_build(const struct topo_plan *p, int node, const struct domxml_env *env,
	     char *err, size_t errlen)
{
	struct sbuf b = {NULL, 0, 0};
	const struct topo_node *n;
	char cmdline[4096];

	if (check_input(p, node, env, err, errlen) == -1)
		return NULL;
	n = &p->nodes[node];
	if (topo_node_cmdline(p, node, cmdline, sizeof(cmdline)) == -1) {
		msgf(err, errlen,
		     "domain XML: node %s: kernel command line "
		     "too long",
		     n->name);
		return NULL;
	}
	if (!xml_text_ok(n->domain) || !xml_text_ok(cmdline) ||
	    !xml_text_ok(p->opts.topology) || !xml_text_ok(p->opts.name)) {
		msgf(err, errlen,
		     "domain XML: node %s: a name contains a "
		     "character XML cannot carry",
		     n->name);
		return NULL;
	}

	for (int i = 0; i < p->opts.nqemu_args; i++)
		if (!xml_text_ok(p->opts.qemu_args[i])) {
			msgf(err, errlen,
			     "domain XML: qemu_args[%d]: a character XML "
			     "cannot carry",
			     i);
			return NULL;
		}
	sb_printf(
	    &b, "<domain type='%s'%s>\n  <name>", env->kvm ? "kvm" : "qemu",
	    p->opts.nqemu_args > 0 ? " xmlns:qemu='" DOMXML_QEMU_NS "'" : "");
	sb_esc(&b, n->domain);
	sb_printf(&b, "</name>\n");
	add_metadata(&b, p, n, env);
	sb_printf(&b,
		  "  <memory unit='MiB'>%d</memory>\n"
		  "  <currentMemory unit='MiB'>%d</currentMemory>\n",
		  n->memory_mib, n->memory_mib);
	if (p->opts.hugepages) /* the default size; sup_start checked */
		sb_printf(&b, "  <memoryBacking>\n    <hugepages/>\n"
			      "  </memoryBacking>\n");
	sb_printf(&b, "  <vcpu placement='static'>%d</vcpu>\n", n->vcpus);
	add_cputune(&b, p, node);
	add_os(&b, env, cmdline);
	sb_printf(&b, "  <features>\n    <acpi/>\n  </features>\n");
	/* guest memory on the NUMA node of its vCPUs (set only when the host
	 * has more than one, pin.h) */
	if (p->opts.pin && node < PIN_MAX_NODES && p->pin.numa[node] >= 0)
		sb_printf(&b,
			  "  <numatune>\n"
			  "    <memory mode='strict' nodeset='%d'/>\n"
			  "  </numatune>\n",
			  p->pin.numa[node]);
	add_cpu(&b, p, env);
	sb_printf(&b, "  <clock offset='utc'/>\n"
		      "  <on_poweroff>destroy</on_poweroff>\n"
		      "  <on_reboot>destroy</on_reboot>\n"
		      "  <on_crash>destroy</on_crash>\n"
		      "  <devices>\n");
	if (env->emulator != NULL) {
		sb_printf(&b, "    <emulator>");
		sb_esc(&b, env->emulator);
		sb_printf(&b, "</emulator>\n");
	}
	sb_printf(&b, "    <controller type='usb' model='none'/>\n");
	for (int i = 0; i < n->nifs; i++)
		add_interface(&b, p, n, &n->ifs[i], env);
	add_console(&b, env);
	sb_printf(&b, "    <memballoon model='none'/>\n"
		      "  </devices>\n");
	add_qemu_args(&b, p);
	sb_printf(&b, "</domain>\n");
	return b.s;
}
