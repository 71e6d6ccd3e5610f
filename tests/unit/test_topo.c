/*
 * Unit tests for the topology model (lib/topo*.c): options, plans,
 * command lines and the axes rows.  Over 900 lines as one program on
 * purpose: its cases share the option and plan helpers at the top, and
 * each test function stands alone (split them by axis when one grows).
 */
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "t.h"
#include "topo.h"
#include "util.h"

static json_object *
jparse(const char *s)
{
	json_object *j = json_tokener_parse(s);

	if (j == NULL)
		fprintf(stderr, "bad test JSON: %s\n", s);
	return j;
}

/* topo_opts_from_json on a JSON text; returns its result. */
static int
opts_from(const char *params, struct topo_opts *o, char *err, size_t errlen)
{
	json_object *j = jparse(params);
	int r;

	topo_opts_init(o);
	r = topo_opts_from_json(j, o, err, errlen);
	json_object_put(j);
	return r;
}

static void
test_opts_defaults(void)
{
	struct topo_opts o;

	topo_opts_init(&o);
	CHECK_INT(o.cores, 1);
	CHECK_INT(o.memory_mib, 256);
	CHECK_INT(o.pin, 0);
	CHECK_INT(o.rt_prio, 0);
	CHECK_INT(o.accel, ACCEL_AUTO);
	CHECK_INT(o.link, LINK_TAP);
	CHECK_INT(o.ports, PORTS_TEST);
	CHECK_INT(o.timeout_sec, 120);
	CHECK_INT(o.txqueuelen, 0);
	CHECK_INT(o.has_cpus, 0);
	CHECK_STR(o.image, "");
	CHECK_STR(o.name, "");
	CHECK_STR(o.topology, "");
}

static void
test_opts_from_json(void)
{
	struct topo_opts o, keep;
	char err[256] = "", buf[64];

	CHECK_INT(opts_from("{\"topology\":\"monolithic\",\"name\":\"r1\","
			    "\"cores\":4,\"memory_mib\":512,\"pin\":true,"
			    "\"rt\":10,\"accel\":\"tcg\",\"link\":\"macvtap\","
			    "\"ports\":\"in=eth1,out=eth2\",\"image\":\"/img\","
			    "\"timeout\":30,\"cpus\":\"1-3,5\","
			    "\"txqueuelen\":5000}",
			    &o, err, sizeof(err)),
		  0);
	CHECK_STR(o.topology, "monolithic");
	CHECK_STR(o.name, "r1");
	CHECK_INT(o.cores, 4);
	CHECK_INT(o.memory_mib, 512);
	CHECK_INT(o.pin, 1);
	CHECK_INT(o.rt_prio, 10);
	CHECK_INT(o.accel, ACCEL_TCG);
	CHECK_INT(o.link, LINK_MACVTAP);
	CHECK_INT(o.ports, PORTS_HOST);
	CHECK_STR(o.port_in, "eth1");
	CHECK_STR(o.port_out, "eth2");
	CHECK_STR(o.image, "/img");
	CHECK_INT(o.timeout_sec, 30);
	CHECK_INT(o.has_cpus, 1);
	CHECK_STR(cpulist_format(&o.cpus, buf, sizeof(buf)), "1-3,5");
	CHECK_INT(o.txqueuelen, 5000);

	/* defaults kept, default name filled in, unknown keys ignored */
	CHECK_INT(opts_from("{\"topology\":\"monolithic\",\"vrs\":3}", &o, err,
			    sizeof(err)),
		  0);
	CHECK_STR(o.name, "mono");
	CHECK_INT(o.cores, 1);
	CHECK_INT(o.ports, PORTS_TEST);
	CHECK_INT(opts_from("{\"cpus\":\"\"}", &o, err, sizeof(err)), 0);
	CHECK_INT(o.has_cpus, 0);
	CHECK_STR(o.name, "");

	/* values already in o (configured defaults) survive absent keys */
	topo_opts_init(&o);
	o.link = LINK_MACVTAP;
	{
		json_object *j = jparse("{\"cores\":2}");
		CHECK_INT(topo_opts_from_json(j, &o, err, sizeof(err)), 0);
		json_object_put(j);
	}
	CHECK_INT(o.link, LINK_MACVTAP);
	CHECK_INT(o.cores, 2);

	/* errors name the parameter; o is left alone */
	static const struct {
		const char *params, *err;
	} bad[] = {
	    {"{\"cores\":65}",
	     "cores: 65 is more than the limit of 64 vCPUs per node"},
	    {"{\"cores\":0}", "cores: 0 is out of range (1-64)"},
	    {"{\"cores\":\"2\"}", "cores: expected an integer"},
	    {"{\"memory_mib\":8}",
	     "memory_mib: 8 is out of range (32-1048576)"},
	    {"{\"memory\":8}", "memory: 8 is out of range (32-1048576)"},
	    {"{\"memory\":64,\"memory_mib\":64}",
	     "memory: give memory_mib or memory, not both"},
	    {"{\"pin\":1}", "pin: expected true or false"},
	    {"{\"rt\":100}", "rt: 100 is out of range (0-99)"},
	    {"{\"timeout\":0}", "timeout: 0 is out of range (1-86400)"},
	    {"{\"txqueuelen\":-1}",
	     "txqueuelen: -1 is out of range (0-1000000)"},
	    {"{\"accel\":\"xen\"}", "accel: 'xen' is not auto, kvm or tcg"},
	    {"{\"link\":\"veth\"}", "link: 'veth' is not tap or macvtap"},
	    {"{\"nic_model\":\"rtl8139\"}",
	     "nic_model: 'rtl8139' is not virtio, e1000 or e1000e"},
	    {"{\"vhost\":\"yes\"}", "vhost: 'yes' is not auto, on or off"},
	    {"{\"macvtap_mode\":\"source\"}",
	     "macvtap_mode: 'source' is not bridge, vepa, private or passthru"},
	    {"{\"guest_txqueuelen\":-1}",
	     "guest_txqueuelen: -1 is out of range (0-1000000)"},
	    {"{\"fib_routes\":1000001}",
	     "fib_routes: 1000001 is out of range (0-1000000)"},
	    {"{\"guest_cmdline\":\"a='b'\"}",
	     "guest_cmdline: character 0x27 is not allowed (printable ASCII "
	     "and spaces, no quotes)"},
	    {"{\"cpu_model\":\"a b\"}",
	     "cpu_model: character 0x20 is not allowed (letters, digits and "
	     "-_.,=+)"},
	    {"{\"name\":\"Mono\"}",
	     "name 'Mono': use 1-8 characters a-z, 0-9 and '-', starting "
	     "with a letter or digit"},
	    {"{\"name\":\"waytoolong\"}",
	     "name 'waytoolong': use 1-8 characters a-z, 0-9 and '-', "
	     "starting with a letter or digit"},
	    {"{\"image\":\"relative/dir\"}",
	     "image: 'relative/dir' is not an absolute path"},
	    {"{\"cpus\":\"1-\"}", "cpus: '1-' is not a CPU list (e.g. 0-3,6)"},
	    {"{\"cpus\":\"0-99999\"}",
	     "cpus: '0-99999' is not a CPU list (e.g. 0-3,6)"},
	    {"{\"ports\":\"eth0\"}",
	     "ports 'eth0': expected \"test\" or \"in=IF,out=IF\""},
	    {"{\"ports\":\"in=eth1\"}",
	     "ports 'in=eth1': expected \"test\" or \"in=IF,out=IF\""},
	    {"{\"ports\":\"in=eth1,out=eth2,\"}",
	     "ports 'in=eth1,out=eth2,': expected \"test\" or "
	     "\"in=IF,out=IF\""},
	    {"{\"ports\":\"in=,out=eth2\"}",
	     "ports 'in=,out=eth2': expected \"test\" or \"in=IF,out=IF\""},
	    {"{\"ports\":\"in=a,in=b\"}",
	     "ports 'in=a,in=b': 'in' given twice"},
	    {"{\"ports\":\"in=eth1,out=eth1\"}",
	     "ports 'in=eth1,out=eth1': in and out must be different "
	     "interfaces"},
	    {"{\"ports\":\"in=a/b,out=c\"}",
	     "ports 'in=a/b,out=c': in: interface name 'a/b' is invalid (1-15 "
	     "characters, no '/', ':', ',', '=' or whitespace)"},
	    {"{\"ports\":\"in=a b,out=c\"}",
	     "ports 'in=a b,out=c': in: interface name 'a b' is invalid (1-15 "
	     "characters, no '/', ':', ',', '=' or whitespace)"},
	    {"{\"ports\":\"in=a,out=0123456789abcdef\"}",
	     "ports 'in=a,out=0123456789abcdef': out: interface name is "
	     "longer than 15 characters"},
	    {"{\"topology\":7}", "topology: expected a string"},
	    {"[]", "options: expected an object"},
	};
	for (size_t i = 0; i < nitems(bad); i++) {
		json_object *j = jparse(bad[i].params);

		topo_opts_init(&o);
		o.cores = 3;
		keep = o;
		err[0] = '\0';
		CHECK_INT(topo_opts_from_json(j, &o, err, sizeof(err)), -1);
		CHECK_STR(err, bad[i].err);
		CHECK(memcmp(&o, &keep, sizeof(o)) == 0);
		json_object_put(j);
	}

	/* ports: either order, "test" resets */
	topo_opts_init(&o);
	CHECK_INT(
	    topo_opts_set_ports(&o, "out=enp2s0,in=enp1s0", err, sizeof(err)),
	    0);
	CHECK_STR(o.port_in, "enp1s0");
	CHECK_STR(o.port_out, "enp2s0");
	CHECK_INT(topo_opts_set_ports(&o, "in=0123456789abcde,out=x", err,
				      sizeof(err)),
		  0);
	CHECK_STR(o.port_in, "0123456789abcde");
	CHECK_INT(topo_opts_set_ports(&o, "test", err, sizeof(err)), 0);
	CHECK_INT(o.ports, PORTS_TEST);
	CHECK_STR(o.port_in, "");
	CHECK_INT(topo_opts_set_ports(&o, "", err, sizeof(err)), -1);
}

static void
test_opts_to_json(void)
{
	struct topo_opts o;
	json_object *j;

	topo_opts_init(&o);
	vr_strlcpy(o.image, "/srv/guest", sizeof(o.image));
	j = topo_opts_to_json(&o);
	CHECK_STR(
	    json_object_to_json_string_ext(
		j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
	    "{\"cores\":1,\"memory_mib\":256,\"pin\":false,\"rt\":0,"
	    "\"accel\":\"auto\",\"link\":\"tap\",\"ports\":\"test\","
	    "\"image\":\"/srv/guest\",\"timeout\":120,\"cpus\":\"\","
	    "\"txqueuelen\":0}");
	json_object_put(j);

	topo_opts_set_ports(&o, "in=eth1,out=eth2", NULL, 0);
	cpulist_parse("0,2-3", &o.cpus);
	o.has_cpus = 1;
	j = topo_opts_to_json(&o);
	CHECK_STR(json_object_get_string(json_object_object_get(j, "ports")),
		  "in=eth1,out=eth2");
	CHECK_STR(json_object_get_string(json_object_object_get(j, "cpus")),
		  "0,2-3");
	json_object_put(j);

	/* a plan's "options" can be sent back as params */
	{
		struct topo_opts back;
		char err[256] = "";

		o.cores = 3;
		o.pin = 1;
		o.link = LINK_MACVTAP;
		o.txqueuelen = 2000;
		j = topo_opts_to_json(&o);
		topo_opts_init(&back);
		CHECK_INT(topo_opts_from_json(j, &back, err, sizeof(err)), 0);
		CHECK(memcmp(&back, &o, sizeof(o)) == 0);
		json_object_put(j);
	}
}

static void
test_names(void)
{
	char err[256], buf[16];

	CHECK_INT(topo_name_check("mono", err, sizeof(err)), 0);
	CHECK_INT(topo_name_check("0", err, sizeof(err)), 0);
	CHECK_INT(topo_name_check("a-b-c-d-", err, sizeof(err)), 0);
	CHECK_INT(topo_name_check("abcdefgh", err, sizeof(err)), 0);
	CHECK_INT(topo_name_check("abcdefghi", err, sizeof(err)), -1);
	CHECK_INT(topo_name_check("", err, sizeof(err)), -1);
	CHECK_INT(topo_name_check("-a", err, sizeof(err)), -1);
	CHECK_INT(topo_name_check("a_b", err, sizeof(err)), -1);
	CHECK_INT(topo_name_check("A", err, sizeof(err)), -1);
	CHECK_INT(topo_name_check(NULL, err, sizeof(err)), -1);

	static const struct {
		const char *topology, *name;
	} dn[] = {
	    {"monolithic", "mono"}, {"pvr", "pvr"},
	    {"msr", "msr"},	    {"My_Topo.File", "mytopofi"},
	    {"-lead", "lead"},	    {"a-b-c-d-e-f", "a-b-c-d"},
	    {"___", "vr"},	    {"", "vr"},
	    {"Ring4", "ring4"},	    {"x86-64-lab", "x86-64-l"},
	};
	for (size_t i = 0; i < nitems(dn); i++) {
		topo_default_name(dn[i].topology, buf, sizeof(buf));
		CHECK_STR(buf, dn[i].name);
		CHECK_INT(topo_name_check(buf, err, sizeof(err)), 0);
	}

	CHECK_INT(topo_ifname_check("eth0", err, sizeof(err)), 0);
	CHECK_INT(topo_ifname_check("enp0s31f6.100", err, sizeof(err)), 0);
	CHECK_INT(topo_ifname_check("0123456789abcde", err, sizeof(err)), 0);
	CHECK_INT(topo_ifname_check("0123456789abcdef", err, sizeof(err)), -1);
	CHECK_INT(topo_ifname_check("", err, sizeof(err)), -1);
	CHECK_INT(topo_ifname_check("..", err, sizeof(err)), -1);
	CHECK_INT(topo_ifname_check("a\tb", err, sizeof(err)), -1);
	CHECK_INT(topo_ifname_check("a:1", err, sizeof(err)), -1);

	CHECK_STR(topo_builtin_names[0], "monolithic");
	CHECK_STR(topo_builtin_names[1], "pvr");
	CHECK_STR(topo_builtin_names[2], "msr");
	CHECK(topo_builtin_names[3] == NULL);
	CHECK(topo_describe("monolithic") != NULL);
	CHECK(topo_describe("nope") == NULL);
	CHECK_INT(topo_accel_parse("kvm"), ACCEL_KVM);
	CHECK_INT(topo_link_parse("macvtap"), LINK_MACVTAP);
	CHECK_INT(topo_role_parse("backend"), ROLE_BACKEND);
	CHECK_INT(topo_role_parse("x"), -1);
	CHECK_STR(topo_role_name(ROLE_LB), "lb");
	CHECK_STR(topo_accel_name(ACCEL_TCG), "tcg");
	CHECK_STR(topo_link_name(LINK_TAP), "tap");
}

/* A fixed fake host: online 0-7, nothing isolated. */
static int
build(struct topo_opts *o, struct topo_plan *p, char *err, size_t errlen)
{
	cpu_set_t online, isolated;

	cpulist_parse("0-7", &online);
	CPU_ZERO(&isolated);
	return topo_plan_build(o, &online, &isolated, p, err, errlen);
}

static int
is_mac(const char *m)
{
	if (strlen(m) != 17 || strncmp(m, "52:54:00:", 9) != 0)
		return 0;
	for (int i = 9; i < 17; i++)
		if (i % 3 == 2 ? m[i] != ':'
			       : !strchr("0123456789abcdef", m[i]))
			return 0;
	return 1;
}

static void
test_plan_monolithic(void)
{
	struct topo_opts o;
	struct topo_plan p, q;
	char err[256] = "", cmd[1024], want[1024];

	topo_opts_init(&o);
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	CHECK_STR(p.opts.name, "mono");
	CHECK_INT(p.nnodes, 1);
	CHECK_STR(p.nodes[0].name, "vr0");
	CHECK_STR(p.nodes[0].domain, "vrouterd-mono-vr0");
	CHECK_INT(p.nodes[0].role, ROLE_ROUTER);
	CHECK_INT(p.nodes[0].vcpus, 1);
	CHECK_INT(p.nodes[0].memory_mib, 256);
	CHECK_INT(p.nodes[0].nifs, 2);
	CHECK_STR(p.nodes[0].ifs[0].guest_if, "eth0");
	CHECK_STR(p.nodes[0].ifs[0].addr, "198.18.1.1/24");
	CHECK_STR(p.nodes[0].ifs[0].host_if, "vr-mono-t00");
	CHECK_INT(p.nodes[0].ifs[0].port, 0);
	CHECK_STR(p.nodes[0].ifs[1].guest_if, "eth1");
	CHECK_STR(p.nodes[0].ifs[1].addr, "198.18.2.1/24");
	CHECK_STR(p.nodes[0].ifs[1].host_if, "vr-mono-t01");
	CHECK_INT(p.nodes[0].ifs[1].port, 1);
	CHECK(is_mac(p.nodes[0].ifs[0].mac));
	CHECK(is_mac(p.nodes[0].ifs[1].mac));
	CHECK(strcmp(p.nodes[0].ifs[0].mac, p.nodes[0].ifs[1].mac) != 0);
	CHECK_INT(p.nodes[0].nroutes, 1);
	CHECK_STR(p.nodes[0].routes[0].dst, "default");
	CHECK_STR(p.nodes[0].routes[0].via[0], "198.18.2.2");
	CHECK_INT(p.nodes[0].routes[0].nvia, 1);
	CHECK_STR(p.ports[0].role, "in");
	CHECK_STR(p.ports[0].netns, "vr-mono-in");
	CHECK_STR(p.ports[0].ns_if, "vp0");
	CHECK_STR(p.ports[0].ns_addr, "198.18.1.2/24");
	CHECK_STR(p.ports[0].ns_gw, "198.18.1.1");
	CHECK_STR(p.ports[0].host_if, "vr-mono-i");
	CHECK_STR(p.ports[0].bridge, "vr-mono-bi");
	CHECK_INT(p.ports[0].created, 1);
	CHECK_STR(p.ports[1].role, "out");
	CHECK_STR(p.ports[1].netns, "vr-mono-out");
	CHECK_STR(p.ports[1].ns_addr, "198.18.2.2/24");
	CHECK_STR(p.ports[1].ns_gw, "198.18.2.1");
	CHECK_STR(p.ports[1].host_if, "vr-mono-o");
	CHECK_STR(p.ports[1].bridge, "vr-mono-bo");
	CHECK_INT(p.pin.n, 0);
	CHECK(p.description[0] != '\0');

	snprintf(want, sizeof(want),
		 "console=ttyS0,115200 panic=-1 loglevel=3 vr.node=vr0 "
		 "vr.role=router vr.if=%s,198.18.1.1/24 vr.if=%s,198.18.2.1/24 "
		 "vr.route=default,198.18.2.2",
		 p.nodes[0].ifs[0].mac, p.nodes[0].ifs[1].mac);
	CHECK_INT(topo_node_cmdline(&p, 0, cmd, sizeof(cmd)), 0);
	CHECK_STR(cmd, want);
	CHECK_INT(topo_node_cmdline(&p, 1, cmd, sizeof(cmd)), -1);
	CHECK_INT(topo_node_cmdline(&p, 0, cmd, 20), -1);

	/* MACs are stable across builds and depend on the name */
	CHECK_INT(build(&o, &q, err, sizeof(err)), 0);
	CHECK_STR(q.nodes[0].ifs[0].mac, p.nodes[0].ifs[0].mac);
	CHECK_STR(q.nodes[0].ifs[1].mac, p.nodes[0].ifs[1].mac);
	topo_plan_free(&q);
	vr_strlcpy(o.name, "other", sizeof(o.name));
	CHECK_INT(build(&o, &q, err, sizeof(err)), 0);
	CHECK(strcmp(q.nodes[0].ifs[0].mac, p.nodes[0].ifs[0].mac) != 0);
	CHECK_STR(q.nodes[0].domain, "vrouterd-other-vr0");
	CHECK_STR(q.ports[1].netns, "vr-other-out");
	topo_plan_free(&q);
	topo_plan_free(&p);

	/* 8-character name: every interface name fits IFNAMSIZ */
	vr_strlcpy(o.name, "abcdefgh", sizeof(o.name));
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	CHECK_STR(p.nodes[0].ifs[1].host_if, "vr-abcdefgh-t01");
	CHECK_STR(p.ports[1].bridge, "vr-abcdefgh-bo");
	CHECK_STR(p.ports[1].netns, "vr-abcdefgh-out");
	topo_plan_free(&p);

	/* several vCPUs: vr.rps=1; pinned: vhost per NIC queue */
	o.cores = 2;
	o.pin = 1;
	vr_strlcpy(o.name, "mono", sizeof(o.name));
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	CHECK_INT(topo_node_cmdline(&p, 0, cmd, sizeof(cmd)), 0);
	CHECK(strstr(cmd, " vr.rps=1") != NULL);
	CHECK_INT(topo_node_queues(&p, 0), 2);
	CHECK_INT(p.pin.n, 2 + 1 + 4 + 1);
	CHECK(pin_plan_find(&p.pin, 0, PIN_VHOST, 3) != NULL);
	CHECK(pin_plan_find(&p.pin, 0, PIN_VHOST, 4) == NULL);
	topo_plan_free(&p);
}

static void
test_plan_variants(void)
{
	struct topo_opts o;
	struct topo_plan p;
	char err[256] = "";
	cpu_set_t online;

	topo_opts_init(&o);
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	o.link = LINK_MACVTAP;
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	CHECK_STR(p.ports[0].bridge, "");
	CHECK_STR(p.ports[1].bridge, "");
	CHECK_STR(p.ports[0].host_if, "vr-mono-i");
	topo_plan_free(&p);

	CHECK_INT(topo_opts_set_ports(&o, "in=eth1,out=eth2", err, sizeof(err)),
		  0);
	o.link = LINK_TAP;
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	CHECK_STR(p.ports[0].host_if, "eth1");
	CHECK_STR(p.ports[1].host_if, "eth2");
	CHECK_STR(p.ports[0].netns, "");
	CHECK_STR(p.ports[0].ns_if, "");
	CHECK_INT(p.ports[0].created, 0);
	CHECK_STR(p.ports[0].bridge, "vr-mono-bi");
	CHECK_STR(p.ports[1].bridge, "vr-mono-bo");
	topo_plan_free(&p);

	/* errors, and a failed build holds nothing */
	topo_opts_init(&o);
	vr_strlcpy(o.topology, "ring", sizeof(o.topology));
	CHECK_INT(build(&o, &p, err, sizeof(err)), -1);
	CHECK_STR(err, "unknown topology 'ring' (known: monolithic, msr, pvr)");
	CHECK_INT(p.nnodes, 0);
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	o.cores = TOPO_MAX_VCPUS + 1;
	CHECK_INT(build(&o, &p, err, sizeof(err)), -1);
	CHECK_STR(err, "cores: 65 is more than the limit of 64 vCPUs per node");
	o.cores = 1;
	vr_strlcpy(o.name, "Bad", sizeof(o.name));
	CHECK_INT(build(&o, &p, err, sizeof(err)), -1);
	CHECK(strncmp(err, "name 'Bad'", 10) == 0);
	o.name[0] = '\0';
	o.pin = 1;
	cpulist_parse("7", &o.cpus);
	o.has_cpus = 1;
	cpulist_parse("0-1", &online);
	CHECK_INT(topo_plan_build(&o, &online, NULL, &p, err, sizeof(err)), -1);
	CHECK_STR(err, "--cpus 7: none of these CPUs is online (online: 0-1)");
	CHECK(p.pin.a == NULL && p.nnodes == 0);
	CHECK_INT(topo_plan_build(&o, NULL, NULL, &p, err, sizeof(err)), -1);
	o.has_cpus = 0;
	o.cores = 4;
	CHECK_INT(topo_plan_build(&o, &online, NULL, &p, err, sizeof(err)), 0);
	CHECK_INT(p.pin.shared, 1);
	CHECK_STR(p.pin.warning, "4 vCPUs on 2 CPUs (0-1): vCPUs share CPUs "
				 "round-robin; emulator and vhost threads "
				 "float over 0-1");
	topo_plan_free(&p);
}

static char *
plan_text(const struct topo_plan *p, int flags)
{
	json_object *j = topo_plan_to_json(p);
	char *s = xasprintf("%s\n", json_object_to_json_string_ext(j, flags));

	json_object_put(j);
	return s;
}

/* to_json -> text -> parse -> from_json -> to_json gives the same text. */
static void
check_round_trip(const struct topo_plan *p)
{
	char *a = plan_text(p, JSON_C_TO_STRING_PLAIN), *b, err[256] = "";
	json_object *j = json_tokener_parse(a);
	struct topo_plan q;

	CHECK(j != NULL);
	CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "round trip: %s\n", err);
	b = plan_text(&q, JSON_C_TO_STRING_PLAIN);
	CHECK_STR(b, a);
	CHECK(memcmp(&q.opts, &p->opts, sizeof(q.opts)) == 0);
	CHECK(memcmp(q.nodes, p->nodes, sizeof(q.nodes)) == 0);
	CHECK(memcmp(q.ports, p->ports, sizeof(q.ports)) == 0);
	CHECK_INT(q.nnodes, p->nnodes);
	CHECK_STR(q.description, p->description);
	CHECK_INT(q.nsegments, p->nsegments);
	CHECK(memcmp(q.segments, p->segments, sizeof(q.segments)) == 0);
	CHECK(memcmp(&q.splitter, &p->splitter, sizeof(q.splitter)) == 0);
	CHECK_INT(q.pin.n, p->pin.n);
	CHECK_INT(q.pin.shared, p->pin.shared);
	CHECK_STR(q.pin.warning, p->pin.warning);
	CHECK(CPU_EQUAL(&q.pin.vcpu_cpus, &p->pin.vcpu_cpus));
	CHECK(CPU_EQUAL(&q.pin.housekeeping, &p->pin.housekeeping));
	for (int i = 0; i < p->pin.n && i < q.pin.n; i++) {
		CHECK_INT(q.pin.a[i].node, p->pin.a[i].node);
		CHECK_INT(q.pin.a[i].kind, p->pin.a[i].kind);
		CHECK_INT(q.pin.a[i].index, p->pin.a[i].index);
		CHECK(CPU_EQUAL(&q.pin.a[i].cpus, &p->pin.a[i].cpus));
	}
	topo_plan_free(&q);
	json_object_put(j);
	free(a);
	free(b);
}

static void
golden_plan(const char *file, struct topo_opts *o)
{
	struct topo_plan p;
	char err[256] = "";
	char *s;

	CHECK_INT(build(o, &p, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "%s: %s\n", file, err);
	s = plan_text(&p, TOPO_JSON_PRETTY);
	golden_check(file, s);
	free(s);
	check_round_trip(&p);
	topo_plan_free(&p);
}

static void
test_plan_json(void)
{
	struct topo_opts o;

	topo_opts_init(&o);
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	vr_strlcpy(o.image, "/usr/share/vrouterd/guest", sizeof(o.image));
	o.cores = 2;
	o.pin = 1;
	golden_plan("plan-monolithic-tap-2cores-pin.json", &o);

	topo_opts_init(&o);
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	vr_strlcpy(o.name, "lab4", sizeof(o.name));
	o.cores = 4;
	o.memory_mib = 512;
	o.link = LINK_MACVTAP;
	o.accel = ACCEL_KVM;
	o.txqueuelen = 10000;
	o.rt_prio = 50;
	o.timeout_sec = 60;
	topo_opts_set_ports(&o, "in=enp1s0f0,out=enp1s0f1", NULL, 0);
	golden_plan("plan-monolithic-macvtap-4cores-hostports.json", &o);

	topo_opts_init(&o);
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	o.cores = 4;
	o.pin = 1;
	cpulist_parse("6-7", &o.cpus);
	o.has_cpus = 1;
	golden_plan("plan-monolithic-tap-4cores-cpus-shared.json", &o);
}

static void
test_plan_from_json_errors(void)
{
	struct topo_opts o;
	struct topo_plan p, q;
	char err[256] = "";
	json_object *j;

	topo_opts_init(&o);
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	o.pin = 1;
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);

	static const struct {
		const char *path, *key, *err;
	} bad[] = {
	    {NULL, "name", "plan: $.name: missing"},
	    {NULL, "nodes", "plan: $.nodes: missing"},
	    {"options", "cores", NULL},
	    {"nodes0", "vcpus", "plan: $.nodes[0].vcpus: missing"},
	    {"if1", "mac", "plan: $.nodes[0].interfaces[1].mac: missing"},
	    {"port0", "created", "plan: $.ports[0].created: missing"},
	    {"pinning", "threads", "plan: $.pinning.threads: missing"},
	};
	for (size_t i = 0; i < nitems(bad); i++) {
		json_object *at;

		j = topo_plan_to_json(&p);
		at = j;
		if (bad[i].path == NULL)
			;
		else if (strcmp(bad[i].path, "options") == 0 ||
			 strcmp(bad[i].path, "pinning") == 0)
			at = json_object_object_get(j, bad[i].path);
		else if (strcmp(bad[i].path, "nodes0") == 0)
			at = json_object_array_get_idx(
			    json_object_object_get(j, "nodes"), 0);
		else if (strcmp(bad[i].path, "if1") == 0)
			at = json_object_array_get_idx(
			    json_object_object_get(
				json_object_array_get_idx(
				    json_object_object_get(j, "nodes"), 0),
				"interfaces"),
			    1);
		else if (strcmp(bad[i].path, "port0") == 0)
			at = json_object_array_get_idx(
			    json_object_object_get(j, "ports"), 0);
		json_object_object_del(at, bad[i].key);
		err[0] = '\0';
		if (bad[i].err == NULL) {
			/* options are optional key by key */
			CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)),
				  0);
			topo_plan_free(&q);
		} else {
			CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)),
				  -1);
			CHECK_STR(err, bad[i].err);
			CHECK(q.pin.a == NULL && q.nnodes == 0);
		}
		json_object_put(j);
	}

	static const struct {
		const char *json, *err;
	} badtext[] = {
	    {"[]", "plan: expected an object"},
	    {"{\"topology\":1}", "plan: $.topology: expected a string"},
	    {"{\"topology\":\"monolithic\",\"name\":\"UP\"}",
	     "name 'UP': use 1-8 characters a-z, 0-9 and '-', starting with a "
	     "letter or digit"},
	    {"{\"topology\":\"monolithic\",\"name\":\"m\",\"options\":"
	     "{\"cores\":99}}",
	     "plan: $.options.cores: 99 is more than the limit of 64 vCPUs per "
	     "node"},
	};
	for (size_t i = 0; i < nitems(badtext); i++) {
		j = jparse(badtext[i].json);
		CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)), -1);
		CHECK_STR(err, badtext[i].err);
		json_object_put(j);
	}

	/* mutations of valid values */
	j = topo_plan_to_json(&p);
	json_object_object_add(
	    json_object_array_get_idx(
		json_object_object_get(
		    json_object_array_get_idx(
			json_object_object_get(j, "nodes"), 0),
		    "interfaces"),
		0),
	    "port", json_object_new_string("sideways"));
	CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)), -1);
	CHECK_STR(err, "plan: $.nodes[0].interfaces[0].port: expected \"in\", "
		       "\"out\" or null");
	json_object_put(j);

	j = topo_plan_to_json(&p);
	json_object_object_add(
	    json_object_array_get_idx(
		json_object_object_get(json_object_object_get(j, "pinning"),
				       "threads"),
		1),
	    "node", json_object_new_string("vr9"));
	CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)), -1);
	CHECK_STR(err, "plan: $.pinning.threads[1].node: no node 'vr9'");
	json_object_put(j);

	j = topo_plan_to_json(&p);
	json_object_object_add(
	    json_object_array_get_idx(
		json_object_object_get(
		    json_object_array_get_idx(
			json_object_object_get(j, "nodes"), 0),
		    "interfaces"),
		0),
	    "mac", json_object_new_string("52:54:00:AA:BB:CC"));
	CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)), -1);
	CHECK_STR(err,
		  "plan: $.nodes[0].interfaces[0].mac: '52:54:00:AA:BB:CC' "
		  "is not a MAC address");
	json_object_put(j);

	j = topo_plan_to_json(&p);
	json_object_object_add(json_object_object_get(j, "pinning"), "enabled",
			       json_object_new_boolean(0));
	CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)), -1);
	CHECK_STR(err, "plan: $.pinning.enabled: disagrees with $.options.pin");
	json_object_put(j);

	j = topo_plan_to_json(&p);
	json_object_object_add(json_object_object_get(j, "pinning"),
			       "housekeeping", json_object_new_string("x"));
	CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)), -1);
	CHECK_STR(err, "plan: $.pinning.housekeeping: 'x' is not a CPU list");
	json_object_put(j);

	topo_plan_free(&p);
}

/* j[key] (key0 an array member's index when idx >= 0, key1 inside it). */
static void
jset(json_object *j, const char *key0, int idx, const char *key1,
     const char *key2, int idx2, const char *val)
{
	json_object *o = json_object_object_get(j, key0);

	if (idx >= 0)
		o = json_object_array_get_idx(o, idx);
	if (key1 != NULL && key2 != NULL) {
		o = json_object_object_get(o, key1);
		if (idx2 >= 0)
			o = json_object_array_get_idx(o, idx2);
		key1 = key2;
	}
	json_object_object_add(o, key1 ? key1 : key0,
			       json_object_new_string(val));
}

/*
 * A plan read back (plan.json, a domain's metadata) names only what
 * vrouterd would make for it: a tampered one naming a namespace, bridge,
 * link or domain outside "vr-NAME-" / "vrouterd-NAME-", or a node name
 * that is a path, is refused before anything could act on it.
 */
static void
test_plan_foreign_names(void)
{
	static const struct {
		const char *k0;
		int i0;
		const char *k1, *k2;
		int i2;
		const char *val, *err;
	} bad[] = {
	    {"ports", 0, "netns", NULL, -1, "victim",
	     "plan: $.ports[0].netns: 'victim' is not a name vrouterd gives "
	     "(it must start with 'vr-pvr-')"},
	    {"ports", 1, "netns", NULL, -1, "vr-other-out",
	     "plan: $.ports[1].netns: 'vr-other-out' is not a name vrouterd "
	     "gives (it must start with 'vr-pvr-')"},
	    {"ports", 0, "bridge", NULL, -1, "docker0",
	     "plan: $.ports[0].bridge: 'docker0' is not a name vrouterd gives "
	     "(it must start with 'vr-pvr-')"},
	    {"ports", 1, "host_if", NULL, -1, "eth0",
	     "plan: $.ports[1].host_if: 'eth0' is not a name vrouterd gives "
	     "(it must start with 'vr-pvr-')"},
	    {"nodes", 0, "name", NULL, -1, "../../etc",
	     "plan: $.nodes[0].name: '../../etc' is not a node name (1-15 "
	     "characters a-z, 0-9 and '-', starting with a letter)"},
	    {"nodes", 1, "domain", NULL, -1, "prod-db",
	     "plan: $.nodes[1].domain: 'prod-db' is not a name vrouterd gives "
	     "(it must start with 'vrouterd-pvr-')"},
	    {"nodes", 0, "interfaces", "host_if", 1, "vr-pvr-",
	     "plan: $.nodes[0].interfaces[1].host_if: 'vr-pvr-' is not a name "
	     "vrouterd gives (it must start with 'vr-pvr-')"},
	    {"splitter", -1, "netns", NULL, -1, "vr-pvr-/x",
	     "plan: $.splitter.netns: 'vr-pvr-/x' is not a name vrouterd gives "
	     "(it must start with 'vr-pvr-')"},
	    {"splitter", -1, "interfaces", "host_if", 0, "lo",
	     "plan: $.splitter.interfaces[0].host_if: 'lo' is not a name "
	     "vrouterd gives (it must start with 'vr-pvr-')"},
	};
	struct topo_opts o;
	struct topo_plan p, q;
	char err[256] = "";
	json_object *j;

	topo_opts_init(&o);
	vr_strlcpy(o.topology, "pvr", sizeof(o.topology));
	o.backend = BACKEND_NETNS;
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	CHECK(p.splitter.netns[0] != '\0' && p.nnodes >= 2);
	j = topo_plan_to_json(&p);
	CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)), 0);
	topo_plan_free(&q);
	json_object_put(j);
	for (size_t i = 0; i < nitems(bad); i++) {
		j = topo_plan_to_json(&p);
		jset(j, bad[i].k0, bad[i].i0, bad[i].k1, bad[i].k2, bad[i].i2,
		     bad[i].val);
		err[0] = '\0';
		CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)), -1);
		CHECK_STR(err, bad[i].err);
		json_object_put(j);
	}
	topo_plan_free(&p);

	/* host ports: the NICs are named freely (they are never deleted) */
	topo_opts_init(&o);
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	topo_opts_set_ports(&o, "in=enp1s0f0,out=enp1s0f1", NULL, 0);
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	j = topo_plan_to_json(&p);
	CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)), 0);
	topo_plan_free(&q);
	json_object_put(j);
	topo_plan_free(&p);
}

/* The netns backend: the option, its round trip, node namespaces, the
 * pinning plan without vhost entries, and what it refuses. */
static void
test_backend_netns(void)
{
	struct topo_opts o;
	struct topo_plan p;
	json_object *j;
	char err[256] = "", ns[64];

	CHECK_INT(
	    opts_from("{\"topology\":\"monolithic\",\"backend\":\"netns\","
		      "\"cores\":2,\"pin\":true}",
		      &o, err, sizeof(err)),
	    0);
	CHECK_INT(o.backend, BACKEND_NETNS);
	CHECK_INT(opts_from("{\"topology\":\"monolithic\",\"backend\":\"lxc\"}",
			    &o, err, sizeof(err)),
		  -1);
	CHECK(strstr(err, "backend") != NULL);
	CHECK_INT(opts_from("{\"topology\":\"pvr\",\"backend\":\"netns\","
			    "\"cores\":2,\"pin\":true}",
			    &o, err, sizeof(err)),
		  0);
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	CHECK_INT(topo_node_netns(&p, 1, ns, sizeof(ns)), 0);
	CHECK_STR(ns, "vr-pvr-vr1");
	CHECK_INT(topo_node_netns(&p, p.nnodes, ns, sizeof(ns)), -1);
	for (int i = 0; i < p.pin.n; i++)
		CHECK(p.pin.a[i].kind != PIN_VHOST);
	j = topo_plan_to_json(&p);
	CHECK_STR(json_object_get_string(json_object_object_get(
		      json_object_object_get(j, "options"), "backend")),
		  "netns");
	CHECK_STR(json_object_get_string(json_object_object_get(
		      json_object_array_get_idx(
			  json_object_object_get(j, "nodes"), 0),
		      "netns")),
		  "vr-pvr-vr0");
	json_object_put(j);
	check_round_trip(&p);
	topo_plan_free(&p);
	/* a VM plan says nothing of a backend (plans stay as they were) */
	CHECK_INT(
	    opts_from("{\"topology\":\"monolithic\"}", &o, err, sizeof(err)),
	    0);
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	j = topo_plan_to_json(&p);
	CHECK(!json_object_object_get_ex(json_object_object_get(j, "options"),
					 "backend", NULL));
	json_object_put(j);
	topo_plan_free(&p);
	/* macvtap is a guest's device */
	CHECK_INT(
	    opts_from("{\"topology\":\"monolithic\",\"backend\":\"netns\","
		      "\"link\":\"macvtap\"}",
		      &o, err, sizeof(err)),
	    0);
	CHECK_INT(build(&o, &p, err, sizeof(err)), -1);
	CHECK(strstr(err, "use --link tap") != NULL);
}

/* The guest kernel command line fits x86's 2047 bytes for the largest
 * built-in load balancer (the bad file 36-cmdline-too-long is one that
 * does not). */
static void
test_cmdline_size(void)
{
	struct topo_opts o;
	struct topo_plan p;
	char err[512], buf[4096];
	size_t longest = 0;

	topo_opts_init(&o);
	vr_strlcpy(o.topology, "msr", sizeof(o.topology));
	o.backends = TOPO_MAX_COUNT;
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	for (int n = 0; n < p.nnodes; n++) {
		CHECK_INT(topo_node_cmdline(&p, n, buf, sizeof(buf)), 0);
		if (strlen(buf) > longest)
			longest = strlen(buf);
	}
	CHECK(longest > 200 && longest <= TOPO_CMDLINE_MAX);
	topo_plan_free(&p);
}

/*
 * The NIC and guest axes (issue 14): parsed, in the plan's options only
 * when not the default (default plans unchanged), on the guest's command
 * line, per node from a topology file, through the plan's JSON, and
 * refused where they cannot work.
 */
static void
test_axes(void)
{
	struct topo_opts o;
	struct topo_plan p, q;
	json_object *j, *opts;
	char err[512] = "", line[TOPO_CMDLINE_MAX + 1];

	topo_opts_init(&o);
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	vr_strlcpy(o.name, "mono", sizeof(o.name));
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	j = topo_plan_to_json(&p);
	opts = json_object_object_get(j, "options");
	CHECK(!json_object_object_get_ex(opts, "nic_model", NULL));
	CHECK(!json_object_object_get_ex(opts, "vhost", NULL));
	CHECK(!json_object_object_get_ex(opts, "guest_cmdline", NULL));
	json_object_put(j);
	CHECK_INT(topo_node_nic_model(&p, 0), NIC_VIRTIO);
	topo_plan_free(&p);

	j = jparse("{\"nic_model\":\"e1000e\",\"vhost\":\"off\","
		   "\"link\":\"macvtap\",\"macvtap_mode\":\"vepa\","
		   "\"guest_txqueuelen\":20000,"
		   "\"guest_cmdline\":\"mitigations=off\","
		   "\"cpu_model\":\"Nehalem\"}");
	CHECK_INT(topo_opts_from_json(j, &o, err, sizeof(err)), 0);
	json_object_put(j);
	CHECK_INT(o.nic_model, NIC_E1000E);
	CHECK_INT(o.vhost, VHOST_OFF);
	CHECK_INT(o.macvtap_mode, MACVTAP_VEPA);
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	CHECK_INT(topo_node_cmdline(&p, 0, line, sizeof(line)), 0);
	CHECK(strstr(line, " vr.txqlen=20000 mitigations=off") != NULL);
	j = topo_plan_to_json(&p);
	opts = json_object_object_get(j, "options");
	CHECK_STR(json_object_get_string(json_object_object_get(opts, "vhost")),
		  "off");
	CHECK_STR(json_object_get_string(
		      json_object_object_get(opts, "macvtap_mode")),
		  "vepa");
	/* the round trip of adoption keeps every axis */
	CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)), 0);
	CHECK_INT(q.opts.nic_model, NIC_E1000E);
	CHECK_INT(q.opts.vhost, VHOST_OFF);
	CHECK_INT(q.opts.macvtap_mode, MACVTAP_VEPA);
	CHECK_INT(q.opts.guest_txqueuelen, 20000);
	CHECK_STR(q.opts.cpu_model, "Nehalem");
	CHECK_STR(q.opts.guest_cmdline, "mitigations=off");
	CHECK_INT(topo_node_nic_model(&q, 0), NIC_E1000E);
	topo_plan_free(&q);
	json_object_put(j);
	topo_plan_free(&p);

	/* refusals */
	o.link = LINK_TAP;
	CHECK_INT(build(&o, &p, err, sizeof(err)), -1);
	CHECK_STR(err, "macvtap_mode vepa: needs --link macvtap");
	o.macvtap_mode = MACVTAP_BRIDGE;
	o.vhost = VHOST_ON;
	CHECK_INT(build(&o, &p, err, sizeof(err)), -1);
	CHECK_STR(err,
		  "vhost on: vhost-net serves virtio NICs only, not e1000e");
	o.vhost = VHOST_AUTO;
	o.backend = BACKEND_NETNS;
	CHECK_INT(build(&o, &p, err, sizeof(err)), -1);
	CHECK(strstr(err, "the netns backend has no guests") == err);
	o.backend = BACKEND_VM;
	/* passthru: fine for monolithic (each interface alone on a port),
	 * refused where interfaces share a port or an internal network */
	o.link = LINK_MACVTAP;
	o.macvtap_mode = MACVTAP_PASSTHRU;
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	topo_plan_free(&p);
	vr_strlcpy(o.topology, "pvr", sizeof(o.topology));
	vr_strlcpy(o.name, "pvr", sizeof(o.name));
	CHECK_INT(build(&o, &p, err, sizeof(err)), -1);
	CHECK(strstr(err, "macvtap_mode passthru: ") == err);
	CHECK(strstr(err, "passthru needs a NIC of its own") != NULL);

	/* per node, from a topology file */
	topo_opts_init(&o);
	vr_strlcpy(o.file, "/x/two.json", sizeof(o.file));
	o.file_text =
	    "{\"format\":1,\"name\":\"two\",\"description\":\"d\","
	    "\"ports\":{\"in\":{\"address\":\"198.18.1.2/24\",\"gateway\":"
	    "\"198.18.1.1\"},\"out\":{\"address\":\"198.18.2.2/24\","
	    "\"gateway\":\"198.18.2.1\"}},\"networks\":[{\"name\":\"a\","
	    "\"port\":\"in\"},{\"name\":\"b\",\"port\":\"out\"}],"
	    "\"nodes\":[{\"name\":\"vr0\",\"nic_model\":\"e1000\","
	    "\"interfaces\":[{\"network\":\"a\",\"address\":"
	    "\"198.18.1.1/24\"},{\"network\":\"b\",\"address\":"
	    "\"198.18.2.1/24\"}],\"routes\":[{\"dst\":\"default\","
	    "\"via\":\"198.18.2.2\"}]}]}";
	if (build(&o, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "per-node plan: %s\n", err);
		CHECK(0);
	} else {
		CHECK_INT(topo_node_nic_model(&p, 0), NIC_E1000);
		j = topo_plan_to_json(&p);
		CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)), 0);
		CHECK_INT(topo_node_nic_model(&q, 0), NIC_E1000);
		topo_plan_free(&q);
		json_object_put(j);
		topo_plan_free(&p);
	}
}

/* The "axes" rows of issue 14 (lib/topo_axes.c): queues, vhost_zerocopy,
 * qemu_args, irq_cpus, pause: parsed, bounded, in the plan's options only
 * when set, kept by the adoption round trip, refused where they cannot
 * apply. */
static void
test_axes_rows(void)
{
	static const struct {
		const char *in, *err;
	} bad[] = {
	    {"{\"queues\":0}",
	     "queues: expected an integer 1-16 (virtio queue pairs per NIC)"},
	    {"{\"queues\":17}",
	     "queues: expected an integer 1-16 (virtio queue pairs per NIC)"},
	    {"{\"vhost_zerocopy\":\"yes\"}",
	     "vhost_zerocopy: 'yes' is not on or off"},
	    {"{\"qemu_args\":\"-S\"}",
	     "qemu_args: expected an array of strings"},
	    {"{\"qemu_args\":[1]}", "qemu_args[0]: expected a string"},
	    {"{\"qemu_args\":[\"\"]}", "qemu_args[0]: 0 bytes, expected 1-255"},
	    {"{\"qemu_args\":[\"a\",\"b\\nc\"]}",
	     "qemu_args[1]: control character 0x0a is not allowed"},
	    {"{\"qemu_args\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\","
	     "\"9\",\"10\",\"11\",\"12\",\"13\",\"14\",\"15\",\"16\",\"17\"]}",
	     "qemu_args: 17 arguments, at most 16"},
	    {"{\"irq_cpus\":\"1-\"}",
	     "irq_cpus: '1-' is not a CPU list (e.g. 0-3,6)"},
	    {"{\"pause\":\"on\"}", "pause: 'on' is not off or keep"},
	};
	struct topo_opts o;
	struct topo_plan p, q;
	json_object *j, *opts;
	char err[512] = "", big[400];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(opts_from(bad[i].in, &o, err, sizeof(err)), -1);
		CHECK_STR(err, bad[i].err);
	}
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(err, sizeof(err), "{\"qemu_args\":[\"%.300s\"]}", big);
	CHECK_INT(opts_from(err, &o, err, sizeof(err)), -1);
	CHECK_STR(err, "qemu_args[0]: 300 bytes, expected 1-255");

	CHECK_INT(opts_from("{\"topology\":\"monolithic\",\"name\":\"ax\","
			    "\"cores\":2,\"queues\":4,"
			    "\"vhost_zerocopy\":\"off\","
			    "\"qemu_args\":[\"-global\",\"a='b' & <c>\"],"
			    "\"ports\":\"in=eth1,out=eth2\","
			    "\"irq_cpus\":\"0,1\",\"pause\":\"off\"}",
			    &o, err, sizeof(err)),
		  0);
	CHECK_INT(o.queues, 4);
	CHECK_INT(o.vhost_zerocopy, ZCOPY_OFF);
	CHECK_INT(o.nqemu_args, 2);
	CHECK_STR(o.qemu_args[1], "a='b' & <c>");
	CHECK_INT(o.has_irq_cpus, 1);
	CHECK_INT(o.pause_off, 1);
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	CHECK_INT(topo_node_queues(&p, 0), 4);
	/* a vhost thread per queue pair and NIC in the pinning input */
	j = topo_plan_to_json(&p);
	opts = json_object_object_get(j, "options");
	CHECK_STR(json_object_to_json_string_ext(
		      json_object_object_get(opts, "qemu_args"),
		      JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
		  "[\"-global\",\"a='b' & <c>\"]");
	CHECK_STR(
	    json_object_get_string(json_object_object_get(opts, "irq_cpus")),
	    "0-1");
	CHECK_STR(json_object_get_string(json_object_object_get(opts, "pause")),
		  "off");
	CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)), 0);
	CHECK_INT(q.opts.queues, 4);
	CHECK_INT(q.opts.vhost_zerocopy, ZCOPY_OFF);
	CHECK_INT(q.opts.nqemu_args, 2);
	CHECK_STR(q.opts.qemu_args[0], "-global");
	CHECK_INT(q.opts.has_irq_cpus, 1);
	CHECK_INT(q.opts.pause_off, 1);
	topo_plan_free(&q);
	json_object_put(j);
	topo_plan_free(&p);

	/* the defaults: none of them in the plan's options */
	topo_opts_init(&o);
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	vr_strlcpy(o.name, "ax", sizeof(o.name));
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	j = topo_plan_to_json(&p);
	opts = json_object_object_get(j, "options");
	CHECK(!json_object_object_get_ex(opts, "queues", NULL));
	CHECK(!json_object_object_get_ex(opts, "vhost_zerocopy", NULL));
	CHECK(!json_object_object_get_ex(opts, "qemu_args", NULL));
	CHECK(!json_object_object_get_ex(opts, "irq_cpus", NULL));
	CHECK(!json_object_object_get_ex(opts, "pause", NULL));
	json_object_put(j);
	topo_plan_free(&p);

	/* refusals where they cannot apply */
	o.pause_off = 1;
	CHECK_INT(build(&o, &p, err, sizeof(err)), -1);
	CHECK_STR(err, "pause off: for real NICs only (--ports in=IF,out=IF); "
		       "the test ports are veth pairs");
	o.pause_off = 0;
	o.queues = 2;
	o.nic_model = NIC_E1000;
	CHECK_INT(build(&o, &p, err, sizeof(err)), -1);
	CHECK_STR(err,
		  "queues 2: multiqueue is virtio-net's; e1000 has one queue");
	o.nic_model = NIC_VIRTIO;
	o.backend = BACKEND_NETNS;
	CHECK_INT(build(&o, &p, err, sizeof(err)), -1);
	CHECK_STR(err, "the netns backend has no guests: queues, qemu_args and "
		       "vhost_zerocopy are for --backend vm");
	o.backend = BACKEND_VM;
	o.queues = 0;
	o.vhost = VHOST_OFF;
	o.vhost_zerocopy = ZCOPY_ON;
	CHECK_INT(build(&o, &p, err, sizeof(err)), -1);
	CHECK_STR(err, "vhost_zerocopy on: zero-copy transmit is vhost-net's, "
		       "and vhost is off");
}

/*
 * --fib-routes (issue 17): vr.fib=N with the node's default-route gateways
 * (all of them for the MSR load balancer's ECMP default), in the options
 * only when set and kept through adoption's round trip; the memory a
 * guest needs, and a plan with less refused with the figure to give.
 */
static void
test_fib_routes(void)
{
	struct topo_opts o;
	struct topo_plan p, q;
	json_object *j;
	char err[512] = "", line[TOPO_CMDLINE_MAX + 1];

	CHECK_INT(topo_fib_memory_mib(0), 0);
	CHECK_INT(topo_fib_memory_mib(1), 129);
	CHECK_INT(topo_fib_memory_mib(100000), 153);
	CHECK_INT(topo_fib_memory_mib(1000000), 373);
	/* prefix generation: 240.0.0.0 + k*256, the last one of 2^20 */
	CHECK_INT(topo_fib_host(0, line, sizeof(line)), 0);
	CHECK_STR(line, "240.0.0.1");
	CHECK_INT(topo_fib_host(99999, line, sizeof(line)), 0);
	CHECK_STR(line, "241.134.159.1");
	CHECK_INT(topo_fib_host(999999, line, sizeof(line)), 0);
	CHECK_STR(line, "255.66.63.1");
	CHECK_INT(topo_fib_host(1000000, line, sizeof(line)), 0);
	CHECK_STR(line, "255.66.64.1");
	CHECK_INT(topo_fib_host(1 << 20, line, sizeof(line)), -1);
	CHECK_INT(topo_fib_host(99999, line, 8), -1);

	topo_opts_init(&o);
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	CHECK_INT(topo_node_cmdline(&p, 0, line, sizeof(line)), 0);
	CHECK(strstr(line, "vr.fib") == NULL);
	j = topo_plan_to_json(&p);
	CHECK(!json_object_object_get_ex(json_object_object_get(j, "options"),
					 "fib_routes", NULL));
	json_object_put(j);
	topo_plan_free(&p);

	j = jparse("{\"fib_routes\":100000}");
	CHECK_INT(topo_opts_from_json(j, &o, err, sizeof(err)), 0);
	json_object_put(j);
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	CHECK_INT(topo_node_cmdline(&p, 0, line, sizeof(line)), 0);
	CHECK(strstr(line, " vr.fib=100000,198.18.2.2") != NULL);
	j = topo_plan_to_json(&p);
	CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)), 0);
	CHECK_INT(q.opts.fib_routes, 100000);
	topo_plan_free(&q);
	json_object_put(j);
	topo_plan_free(&p);

	/* msr: the LB's default is ECMP over the back-ends */
	vr_strlcpy(o.topology, "msr", sizeof(o.topology));
	o.name[0] = '\0';
	o.fib_routes = 10;
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	CHECK_INT(topo_node_cmdline(&p, 0, line, sizeof(line)), 0);
	CHECK(strstr(line, " vr.fib=10,198.19.0.11,198.19.0.12") != NULL);
	topo_plan_free(&p);

	/* --routing ospf: a route via another node is learned (vr.learn),
	 * one via a port or the splitter stays static */
	o.fib_routes = 0;
	j = jparse("{\"routing\":\"ospf\"}");
	CHECK_INT(topo_opts_from_json(j, &o, err, sizeof(err)), 0);
	json_object_put(j);
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	CHECK_INT(topo_node_cmdline(&p, 0, line, sizeof(line)), 0);
	/* the LB's default is ECMP over both back-ends: it waits for both */
	CHECK(strstr(line, " vr.routing=ospf vr.learn=default,2 "
			   "vr.route=198.18.1.0/24,198.19.101.1") != NULL);
	CHECK_INT(topo_node_cmdline(&p, 1, line, sizeof(line)), 0);
	CHECK(strstr(line, " vr.routing=ospf vr.route=default,198.18.2.2 "
			   "vr.learn=198.18.1.0/24") != NULL);
	j = topo_plan_to_json(&p);
	CHECK_INT(topo_plan_from_json(j, &q, err, sizeof(err)), 0);
	CHECK_INT(q.opts.routing, ROUTING_OSPF);
	topo_plan_free(&q);
	json_object_put(j);
	topo_plan_free(&p);
	/* bgp: an AS per node, eBGP to every node on a shared internal
	 * network (the splitter and the ports are not peers) */
	o.routing = ROUTING_BGP;
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	CHECK_INT(topo_node_cmdline(&p, 0, line, sizeof(line)), 0);
	CHECK(strstr(line,
		     " vr.routing=bgp vr.as=65001 "
		     "vr.peer=198.19.0.11,65002 vr.peer=198.19.0.12,65003 "
		     "vr.learn=default,2") != NULL);
	CHECK_INT(topo_node_cmdline(&p, 2, line, sizeof(line)), 0);
	CHECK(strstr(line,
		     " vr.as=65003 vr.peer=198.19.0.1,65001 "
		     "vr.peer=198.19.0.11,65002 vr.route=default") != NULL);
	topo_plan_free(&p);
	o.backend = BACKEND_NETNS;
	CHECK_INT(build(&o, &p, err, sizeof(err)), -1);
	CHECK(
	    strstr(err, "routing bgp: the routing daemon runs in the guest") ==
	    err);
	o.backend = BACKEND_VM;
	o.routing = ROUTING_STATIC;

	/* a million routes do not fit the default 256 MiB */
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	o.fib_routes = 1000000;
	CHECK_INT(build(&o, &p, err, sizeof(err)), -1);
	CHECK_STR(err, "fib_routes 1000000: node vr0 has 256 MiB, a guest "
		       "needs 373 MiB for that many routes: give --memory "
		       "373 (or more)");
	o.memory_mib = 373;
	CHECK_INT(build(&o, &p, err, sizeof(err)), 0);
	topo_plan_free(&p);
	o.backend = BACKEND_NETNS;
	CHECK_INT(build(&o, &p, err, sizeof(err)), -1);
	CHECK(strstr(err, "fib_routes are for --backend vm") != NULL);
}

int
main(void)
{
	test_fib_routes();
	test_axes();
	test_opts_defaults();
	test_opts_from_json();
	test_opts_to_json();
	test_names();
	test_plan_monolithic();
	test_plan_variants();
	test_plan_json();
	test_plan_from_json_errors();
	test_plan_foreign_names();
	test_backend_netns();
	test_cmdline_size();
	test_axes_rows();
	return t_done("test_topo");
}
