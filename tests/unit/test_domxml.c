/* Unit tests for the libvirt domain XML generator (lib/domxml.c). */
#include <stdlib.h>
#include <string.h>

#include "domxml.h"
#include "golden.h"
#include "t.h"
#include "util.h"

/* A plan on a fixed fake host (online 0-7, nothing isolated). */
static int
plan(struct topo_plan *p, const char *name, int cores, enum topo_link link,
     int pin)
{
	struct topo_opts o;
	cpu_set_t online, isolated;
	char err[256] = "";
	int r;

	topo_opts_init(&o);
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	vr_strlcpy(o.name, name, sizeof(o.name));
	vr_strlcpy(o.image, "/usr/share/vrouterd/guest", sizeof(o.image));
	o.cores = cores;
	o.link = link;
	o.pin = pin;
	cpulist_parse("0-7", &online);
	CPU_ZERO(&isolated);
	r = topo_plan_build(&o, &online, &isolated, p, err, sizeof(err));
	if (r != 0)
		fprintf(stderr, "plan: %s\n", err);
	return r;
}

static char *
plan_json(const struct topo_plan *p)
{
	json_object *j = topo_plan_to_json(p);
	char *s = xstrdup(json_object_to_json_string_ext(
	    j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(j);
	return s;
}

static void
test_golden_tcg_tap(void)
{
	struct topo_plan p;
	struct domxml_env env = {
	    .kvm = 0,
	    .vhost = 0,
	    .kernel = "/usr/share/vrouterd/guest/vmlinuz",
	    .initrd = "/usr/share/vrouterd/guest/initrd.img",
	    .console_log = "/var/lib/vrouterd/mono/vr0.console.log",
	};
	char err[256] = "", *xml, *pj;

	CHECK_INT(plan(&p, "mono", 2, LINK_TAP, 0), 0);
	pj = plan_json(&p);
	env.plan_json = pj;
	xml = domxml_build(&p, 0, &env, err, sizeof(err));
	CHECK(xml != NULL);
	if (xml != NULL) {
		golden_check("domxml-tcg-tap-2vcpus.xml", xml);
		CHECK(strstr(xml, "<domain type='qemu'>") != NULL);
		CHECK(strstr(xml, "host-passthrough") == NULL);
		CHECK(strstr(xml, "<driver name='qemu'/>") != NULL);
		CHECK(strstr(xml, "queues=") == NULL);
		CHECK(strstr(xml, "<emulator>") == NULL);
		CHECK(strstr(xml, "<cputune>") == NULL); /* pin off */
		CHECK(strstr(xml, "<model type='virtio'/>") != NULL);
	}
	free(xml);
	free(pj);
	topo_plan_free(&p);
}

static void
test_golden_kvm_vhost_macvtap(void)
{
	struct topo_plan p;
	struct domxml_env env = {
	    .kvm = 1,
	    .vhost = 1,
	    .kernel = "/srv/guest/vmlinuz",
	    .initrd = "/srv/guest/initrd.img",
	    .console_log = "/var/lib/vrouterd/bench/vr0.console.log",
	    .emulator = "/usr/bin/qemu-system-x86_64",
	};
	char err[256] = "", *xml, *pj;

	CHECK_INT(plan(&p, "bench", 4, LINK_MACVTAP, 1), 0);
	pj = plan_json(&p);
	env.plan_json = pj;
	xml = domxml_build(&p, 0, &env, err, sizeof(err));
	CHECK(xml != NULL);
	if (xml != NULL) {
		golden_check("domxml-kvm-vhost-macvtap-4vcpus.xml", xml);
		CHECK(strstr(xml, "<domain type='kvm'>") != NULL);
		CHECK(strstr(xml, "<cpu mode='host-passthrough'") != NULL);
		CHECK(strstr(xml, "<driver name='vhost' queues='4'/>") != NULL);
		CHECK(
		    strstr(xml, "<target dev='vr-bench-t01' managed='no'/>") !=
		    NULL);
		CHECK(strstr(xml, "<vcpu placement='static'>4</vcpu>") != NULL);
		/* pinned through libvirt: vCPUs 4-7, emulator 0-3 */
		CHECK(strstr(xml, "<vcpupin vcpu='3' cpuset='7'/>") != NULL);
		CHECK(strstr(xml, "<emulatorpin cpuset='0-3'/>") != NULL);
		CHECK(strstr(xml, "<vcpusched") == NULL); /* rt off */
	}
	free(xml);

	/* 1 vCPU with vhost: no queues attribute */
	topo_plan_free(&p);
	CHECK_INT(plan(&p, "bench", 1, LINK_MACVTAP, 0), 0);
	env.plan_json = NULL;
	xml = domxml_build(&p, 0, &env, err, sizeof(err));
	CHECK(xml != NULL);
	if (xml != NULL) {
		CHECK(strstr(xml, "<driver name='vhost'/>") != NULL);
		CHECK(strstr(xml, ":plan>") == NULL);
		CHECK(strstr(xml, "<vrouterd:node>vr0</vrouterd:node>") !=
		      NULL);
	}
	free(xml);
	free(pj);
	topo_plan_free(&p);
}

/* The plan survives the trip through the metadata element. */
static void
test_metadata_plan(void)
{
	struct topo_plan p;
	struct domxml_env env = {
	    .kernel = "/k",
	    .initrd = "/i",
	    .console_log = "/c",
	};
	char err[256] = "", *xml, *pj, *open_tag, *close_tag, *esc;
	size_t len;

	CHECK_INT(plan(&p, "mono", 2, LINK_TAP, 1), 0);
	pj = plan_json(&p);
	env.plan_json = pj;
	xml = domxml_build(&p, 0, &env, err, sizeof(err));
	CHECK(xml != NULL);
	esc = domxml_escape(pj);
	open_tag = xml ? strstr(xml, "<vrouterd:plan>") : NULL;
	close_tag = xml ? strstr(xml, "</vrouterd:plan>") : NULL;
	CHECK(open_tag != NULL && close_tag != NULL);
	if (open_tag != NULL && close_tag != NULL) {
		open_tag += strlen("<vrouterd:plan>");
		len = (size_t)(close_tag - open_tag);
		CHECK_INT(len, strlen(esc));
		CHECK(strncmp(open_tag, esc, len) == 0);
	}
	free(esc);
	free(xml);
	free(pj);
	topo_plan_free(&p);
}

static void
test_escape(void)
{
	char *s;

	s = domxml_escape("a<b>&\"'c");
	CHECK_STR(s, "a&lt;b&gt;&amp;&quot;&apos;c");
	free(s);
	s = domxml_escape("tab\tnl\ncr\r");
	CHECK_STR(s, "tab&#9;nl&#10;cr&#13;");
	free(s);
	s = domxml_escape("bell\x07 esc\x1b");
	CHECK_STR(s, "bell? esc?");
	free(s);
	s = domxml_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	CHECK_STR(s, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	free(s);
	/* malformed UTF-8, an overlong '<', a surrogate, U+FFFE */
	s = domxml_escape("x\xc3(\xc0\xbc\xed\xa0\x80\xef\xbf\xbe");
	CHECK_STR(s, "x?(????????");
	free(s);
	s = domxml_escape("");
	CHECK_STR(s, "");
	free(s);
}

static void
test_errors(void)
{
	struct topo_plan p;
	struct domxml_env env = {
	    .kernel = "/k",
	    .initrd = "/i",
	    .console_log = "/c",
	};
	char err[256] = "";
	char *xml;

	CHECK_INT(plan(&p, "mono", 1, LINK_TAP, 0), 0);
	CHECK(domxml_build(&p, 1, &env, err, sizeof(err)) == NULL);
	CHECK_STR(err, "domain XML: no node 1 (plan has 1)");
	CHECK(domxml_build(&p, -1, &env, err, sizeof(err)) == NULL);
	CHECK(domxml_build(NULL, 0, &env, err, sizeof(err)) == NULL);
	CHECK(domxml_build(&p, 0, NULL, err, sizeof(err)) == NULL);

	env.kernel = "vmlinuz";
	CHECK(domxml_build(&p, 0, &env, err, sizeof(err)) == NULL);
	CHECK_STR(err, "domain XML: kernel: not an absolute path");
	env.kernel = "/k";
	env.initrd = NULL;
	CHECK(domxml_build(&p, 0, &env, err, sizeof(err)) == NULL);
	CHECK_STR(err, "domain XML: initrd: missing");
	env.initrd = "/i";
	/* a newline is a legal path character and XML can carry it */
	env.console_log = "/var/log/a\nb";
	xml = domxml_build(&p, 0, &env, err, sizeof(err));
	CHECK(xml != NULL && strstr(xml, "'/var/log/a&#10;b'") != NULL);
	free(xml);
	env.console_log = "/var/log/\x01";
	CHECK(domxml_build(&p, 0, &env, err, sizeof(err)) == NULL);
	CHECK_STR(err, "domain XML: console log: contains a character XML "
		       "cannot carry (control character or invalid UTF-8)");
	env.console_log = "/c";
	env.emulator = "/bin/\xff";
	CHECK(domxml_build(&p, 0, &env, err, sizeof(err)) == NULL);
	env.emulator = NULL;
	env.plan_json = "{\"bad\":\"\x02\"}";
	CHECK(domxml_build(&p, 0, &env, err, sizeof(err)) == NULL);
	env.plan_json = NULL;

	/* special characters in paths are escaped, not refused */
	env.kernel = "/opt/a&b/<v>'\"/vmlinuz";
	xml = domxml_build(&p, 0, &env, err, sizeof(err));
	CHECK(xml != NULL);
	if (xml != NULL)
		CHECK(strstr(xml, "<kernel>/opt/a&amp;b/&lt;v&gt;&apos;&quot;/"
				  "vmlinuz</kernel>") != NULL);
	free(xml);
	topo_plan_free(&p);
}

/*
 * The axes of issue 14 in the XML: <cputune> from the pinning plan (so
 * `virsh vcpupin` shows it), <vcpusched> for rt, the NIC model (no vhost
 * <driver> for e1000), the CPU model, and the guest's txqueuelen and extra
 * arguments on the kernel command line.
 */
static void
test_golden_tcg_e1000_rt(void)
{
	struct topo_plan p;
	struct topo_opts o;
	cpu_set_t online, isolated;
	struct domxml_env env = {
	    .kvm = 0,
	    .vhost = 1, /* e1000: still no vhost driver element */
	    .kernel = "/usr/share/vrouterd/guest/vmlinuz",
	    .initrd = "/usr/share/vrouterd/guest/initrd.img",
	    .console_log = "/var/lib/vrouterd/mono/vr0.console.log",
	};
	char err[256] = "", *xml;

	topo_opts_init(&o);
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	vr_strlcpy(o.name, "mono", sizeof(o.name));
	vr_strlcpy(o.image, "/usr/share/vrouterd/guest", sizeof(o.image));
	vr_strlcpy(o.cpu_model, "Nehalem", sizeof(o.cpu_model));
	vr_strlcpy(o.guest_cmdline, "mitigations=off quiet",
		   sizeof(o.guest_cmdline));
	o.cores = 2;
	o.pin = 1;
	o.rt_prio = 10;
	o.nic_model = NIC_E1000;
	o.guest_txqueuelen = 20000;
	cpulist_parse("0-7", &online);
	CPU_ZERO(&isolated);
	CHECK_INT(topo_plan_build(&o, &online, &isolated, &p, err, sizeof(err)),
		  0);
	xml = domxml_build(&p, 0, &env, err, sizeof(err));
	CHECK(xml != NULL);
	if (xml != NULL) {
		golden_check("domxml-tcg-e1000-rt-pin.xml", xml);
		CHECK(strstr(xml, "<vcpupin vcpu='0' cpuset='6'/>") != NULL);
		CHECK(strstr(xml, "<vcpupin vcpu='1' cpuset='7'/>") != NULL);
		CHECK(strstr(xml, "<emulatorpin cpuset='0-5'/>") != NULL);
		CHECK(strstr(xml, "<vcpusched vcpus='0-1' scheduler='fifo' "
				  "priority='10'/>") != NULL);
		CHECK(strstr(xml, "<model type='e1000'/>") != NULL);
		CHECK(strstr(xml, "<driver") == NULL);
		CHECK(strstr(xml, "<model fallback='forbid'>Nehalem</model>") !=
		      NULL);
		CHECK(strstr(xml, " vr.txqlen=20000 mitigations=off quiet<") !=
		      NULL);
	}
	free(xml);
	topo_plan_free(&p);

	/* rt without pin: only <vcpusched>; a CPU mode instead of a model */
	o.pin = 0;
	o.nic_model = NIC_E1000E;
	vr_strlcpy(o.cpu_model, "maximum", sizeof(o.cpu_model));
	CHECK_INT(topo_plan_build(&o, &online, &isolated, &p, err, sizeof(err)),
		  0);
	xml = domxml_build(&p, 0, &env, err, sizeof(err));
	CHECK(xml != NULL);
	if (xml != NULL) {
		CHECK(strstr(xml, "<vcpupin") == NULL);
		CHECK(strstr(xml, "<emulatorpin") == NULL);
		CHECK(strstr(xml, "<vcpusched vcpus='0-1'") != NULL);
		CHECK(strstr(xml, "<model type='e1000e'/>") != NULL);
		CHECK(strstr(xml, "<cpu mode='maximum' check='none'/>") !=
		      NULL);
	}
	free(xml);
	topo_plan_free(&p);
}

/* A 2-socket host, 4 cores a socket, 2 threads a core, one NUMA node per
 * socket, numbered as Linux does (CPU c and c+8 are siblings). */
static void
host_2s_smt(cpu_set_t *online, struct pin_cputopo *t)
{
	memset(t, 0, sizeof(*t));
	CPU_ZERO(online);
	for (int c = 0; c < CPU_SETSIZE; c++)
		t->package[c] = t->core[c] = t->numa[c] = -1;
	for (int c = 0; c < 16; c++) {
		CPU_SET(c, online);
		t->core[c] = c % 8;
		t->package[c] = t->numa[c] = c % 8 / 4;
	}
	t->known = 1;
}

/* <numatune> only when the host has more than one NUMA node: the node's
 * memory on the NUMA node of its vCPUs; golden plans for that host. */
static void
test_numatune(void)
{
	struct topo_plan p;
	struct topo_opts o;
	struct pin_cputopo t;
	cpu_set_t online, isolated;
	struct domxml_env env = {
	    .kvm = 1,
	    .vhost = 1,
	    .kernel = "/usr/share/vrouterd/guest/vmlinuz",
	    .initrd = "/usr/share/vrouterd/guest/initrd.img",
	    .console_log = "/var/lib/vrouterd/mono/vr0.console.log",
	};
	char err[256] = "", *xml, *pj;
	json_object *j;

	topo_opts_init(&o);
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	vr_strlcpy(o.name, "mono", sizeof(o.name));
	vr_strlcpy(o.image, "/usr/share/vrouterd/guest", sizeof(o.image));
	o.cores = 4;
	o.pin = 1;
	host_2s_smt(&online, &t);
	CPU_ZERO(&isolated);
	CHECK_INT(topo_plan_build_topo(&o, &online, &isolated, &t, &p, err,
				       sizeof(err)),
		  0);
	CHECK_INT(p.pin.numa[0], 1);
	j = topo_plan_to_json(&p);
	golden_check("plan-monolithic-4cores-pin-2s-smt.json",
		     json_object_to_json_string_ext(j, TOPO_JSON_PRETTY));
	json_object_put(j);
	pj = plan_json(&p);
	env.plan_json = pj;
	xml = domxml_build(&p, 0, &env, err, sizeof(err));
	CHECK(xml != NULL);
	if (xml != NULL) {
		golden_check("domxml-kvm-numatune-2s-smt.xml", xml);
		CHECK(strstr(xml, "<numatune>\n    <memory mode='strict' "
				  "nodeset='1'/>\n  </numatune>") != NULL);
	}
	free(xml);
	free(pj);
	env.plan_json = NULL;
	topo_plan_free(&p);

	/* --smt share, pvr with 3 VRs on the same host */
	vr_strlcpy(o.topology, "pvr", sizeof(o.topology));
	vr_strlcpy(o.name, "pvr", sizeof(o.name));
	o.cores = 2;
	o.smt = PIN_SMT_SHARE;
	CHECK_INT(topo_plan_build_topo(&o, &online, &isolated, &t, &p, err,
				       sizeof(err)),
		  0);
	j = topo_plan_to_json(&p);
	golden_check("plan-pvr-2cores-pin-smt-share-2s-smt.json",
		     json_object_to_json_string_ext(j, TOPO_JSON_PRETTY));
	json_object_put(j);
	topo_plan_free(&p);

	/* one NUMA node (SMT only): no <numatune> */
	for (int c = 0; c < 16; c++)
		t.numa[c] = 0;
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	vr_strlcpy(o.name, "mono", sizeof(o.name));
	o.smt = PIN_SMT_AVOID;
	CHECK_INT(topo_plan_build_topo(&o, &online, &isolated, &t, &p, err,
				       sizeof(err)),
		  0);
	CHECK_INT(p.pin.topo_used, 1);
	CHECK_INT(p.pin.numa[0], -1);
	xml = domxml_build(&p, 0, &env, err, sizeof(err));
	CHECK(xml != NULL && strstr(xml, "numatune") == NULL);
	free(xml);
	topo_plan_free(&p);

	/* the topology's part of the plan survives adoption */
	t.numa[15] = 1;
	for (int c = 4; c < 8; c++)
		t.numa[c] = t.numa[c + 8] = 1;
	CHECK_INT(topo_plan_build_topo(&o, &online, &isolated, &t, &p, err,
				       sizeof(err)),
		  0);
	{
		struct topo_plan q;

		j = topo_plan_to_json(&p);
		CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)), 0);
		CHECK_INT(q.pin.topo_used, 1);
		CHECK_INT(q.pin.numa[0], 1);
		CHECK_STR(q.pin.note, p.pin.note);
		json_object_put(j);
		topo_plan_free(&q);
	}
	topo_plan_free(&p);
}

/*
 * --hugepages, --vhost-cpu dedicated and --vhost-rt (issue 14): the domain
 * asks for hugepage-backed memory, the plan gives each vhost thread a CPU
 * of its own, and the options survive the plan's trip through JSON.
 */
static void
test_golden_hugepages_vhost(void)
{
	struct topo_opts o;
	struct topo_plan p, q;
	cpu_set_t online, isolated;
	struct domxml_env env = {
	    .kvm = 1,
	    .vhost = 1,
	    .kernel = "/usr/share/vrouterd/guest/vmlinuz",
	    .initrd = "/usr/share/vrouterd/guest/initrd.img",
	    .console_log = "/var/lib/vrouterd/mono/vr0.console.log",
	};
	char err[256] = "", *xml, *pj;
	json_object *j;

	topo_opts_init(&o);
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	vr_strlcpy(o.name, "mono", sizeof(o.name));
	vr_strlcpy(o.image, "/usr/share/vrouterd/guest", sizeof(o.image));
	o.cores = 2;
	o.pin = 1;
	o.vhost_cpu = PIN_VHOST_DEDICATED;
	o.vhost_rt = 10;
	o.hugepages = 1;
	cpulist_parse("0-7", &online);
	CPU_ZERO(&isolated);
	CHECK_INT(topo_plan_build(&o, &online, &isolated, &p, err, sizeof(err)),
		  0);
	pj = plan_json(&p);
	golden_check("plan-monolithic-2cores-pin-vhost-dedicated.json", pj);
	xml = domxml_build(&p, 0, &env, err, sizeof(err));
	CHECK(xml != NULL);
	if (xml != NULL) {
		golden_check("domxml-kvm-hugepages-2vcpus.xml", xml);
		CHECK(strstr(xml, "</currentMemory>\n  <memoryBacking>\n"
				  "    <hugepages/>\n  </memoryBacking>\n"
				  "  <vcpu ") != NULL);
		/* 2 vCPUs + 4 vhost threads planned like vCPUs: 2-7 */
		CHECK(strstr(xml, "<vcpupin vcpu='0' cpuset='2'/>") != NULL);
		CHECK(strstr(xml, "<emulatorpin cpuset='0-1'/>") != NULL);
	}
	CHECK(strstr(pj, "\"vhost_cpu\":\"dedicated\",\"vhost_rt\":10,"
			 "\"hugepages\":true") != NULL);
	CHECK(strstr(pj, "\"kind\":\"vhost\",\"index\":3,\"cpus\":\"7\"") !=
	      NULL);
	j = json_tokener_parse(pj);
	CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)), 0);
	CHECK_INT(q.opts.vhost_cpu, PIN_VHOST_DEDICATED);
	CHECK_INT(q.opts.vhost_rt, 10);
	CHECK_INT(q.opts.hugepages, 1);
	json_object_put(j);
	topo_plan_free(&q);
	free(xml);
	free(pj);
	topo_plan_free(&p);

	/* the default: no <memoryBacking>, none of the keys */
	CHECK_INT(plan(&p, "mono", 2, LINK_TAP, 1), 0);
	pj = plan_json(&p);
	xml = domxml_build(&p, 0, &env, err, sizeof(err));
	CHECK(xml != NULL && strstr(xml, "memoryBacking") == NULL);
	CHECK(strstr(pj, "vhost_cpu") == NULL &&
	      strstr(pj, "vhost_rt") == NULL &&
	      strstr(pj, "hugepages") == NULL);
	free(xml);
	free(pj);
	topo_plan_free(&p);
}

/* --queues and --qemu-arg (issue 14 "axes"): an explicit queue count
 * gives multiqueue with or without vhost; the default rule is unchanged;
 * the QEMU arguments go into libvirt's qemu namespace, escaped, in order,
 * and the namespace is declared only when there are some. */
static void
test_axes_queues_qemu_args(void)
{
	struct topo_plan p;
	struct topo_opts o;
	cpu_set_t online, isolated;
	struct domxml_env env = {
	    .kvm = 0,
	    .vhost = 0,
	    .kernel = "/usr/share/vrouterd/guest/vmlinuz",
	    .initrd = "/usr/share/vrouterd/guest/initrd.img",
	    .console_log = "/var/lib/vrouterd/mono/vr0.console.log",
	};
	char err[256] = "", *xml;

	topo_opts_init(&o);
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	vr_strlcpy(o.name, "mono", sizeof(o.name));
	vr_strlcpy(o.image, "/usr/share/vrouterd/guest", sizeof(o.image));
	o.cores = 2;
	cpulist_parse("0-7", &online);
	CPU_ZERO(&isolated);

	/* the default rule, without vhost: no multiqueue, no namespace */
	CHECK_INT(topo_plan_build(&o, &online, &isolated, &p, err, sizeof(err)),
		  0);
	xml = domxml_build(&p, 0, &env, err, sizeof(err));
	CHECK(xml != NULL && strstr(xml, "<driver name='qemu'/>") != NULL);
	CHECK(xml != NULL && strstr(xml, "xmlns:qemu") == NULL);
	CHECK(xml != NULL && strstr(xml, "qemu:commandline") == NULL);
	CHECK_INT(topo_node_mq(&p, 0, 0), 1);
	CHECK_INT(topo_node_mq(&p, 0, 1), 2);
	free(xml);
	topo_plan_free(&p);

	o.queues = 3;
	vr_strlcpy(o.qemu_args[0], "-global", sizeof(o.qemu_args[0]));
	vr_strlcpy(o.qemu_args[1], "kvm-pit.lost_tick_policy=discard",
		   sizeof(o.qemu_args[1]));
	vr_strlcpy(o.qemu_args[2], "a'b&<c>\"d", sizeof(o.qemu_args[2]));
	o.nqemu_args = 3;
	CHECK_INT(topo_plan_build(&o, &online, &isolated, &p, err, sizeof(err)),
		  0);
	CHECK_INT(topo_node_queues(&p, 0), 3);
	xml = domxml_build(&p, 0, &env, err, sizeof(err));
	CHECK(xml != NULL);
	if (xml != NULL) {
		golden_check("domxml-tcg-queues-qemu-args.xml", xml);
		CHECK(strstr(xml,
			     "<domain type='qemu' xmlns:qemu='" DOMXML_QEMU_NS
			     "'>") == xml);
		CHECK(strstr(xml, "<driver name='qemu' queues='3'/>") != NULL);
		CHECK(strstr(xml,
			     "  </devices>\n  <qemu:commandline>\n"
			     "    <qemu:arg value='-global'/>\n"
			     "    <qemu:arg value='kvm-pit.lost_tick_policy="
			     "discard'/>\n"
			     "    <qemu:arg value='a&apos;b&amp;&lt;c&gt;"
			     "&quot;d'/>\n"
			     "  </qemu:commandline>\n</domain>\n") != NULL);
	}
	free(xml);
	env.vhost = 1;
	xml = domxml_build(&p, 0, &env, err, sizeof(err));
	CHECK(xml != NULL && strstr(xml, "<driver name='vhost' queues='3'/>"));
	free(xml);
	/* one queue asked for: no multiqueue even with vhost and 2 vCPUs */
	topo_plan_free(&p);
	o.queues = 1;
	CHECK_INT(topo_plan_build(&o, &online, &isolated, &p, err, sizeof(err)),
		  0);
	xml = domxml_build(&p, 0, &env, err, sizeof(err));
	CHECK(xml != NULL && strstr(xml, "<driver name='vhost'/>") != NULL);
	free(xml);
	/* an argument XML cannot carry is refused, not mangled */
	topo_plan_free(&p);
	vr_strlcpy(o.qemu_args[2], "bad\xff", sizeof(o.qemu_args[2]));
	CHECK_INT(topo_plan_build(&o, &online, &isolated, &p, err, sizeof(err)),
		  0);
	CHECK(domxml_build(&p, 0, &env, err, sizeof(err)) == NULL);
	CHECK_STR(err,
		  "domain XML: qemu_args[2]: a character XML cannot carry");
	topo_plan_free(&p);
}

int
main(void)
{
	test_golden_hugepages_vhost();
	test_numatune();
	test_golden_tcg_e1000_rt();
	test_golden_tcg_tap();
	test_golden_kvm_vhost_macvtap();
	test_metadata_plan();
	test_escape();
	test_axes_queues_qemu_args();
	test_errors();
	return t_done("test_domxml");
}
