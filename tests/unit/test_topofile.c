/*
 * Topology files: the built-in pvr, msr and monolithic files expanded on a
 * fixed fake host (CPUs 0-7), their plan JSON and `vrctl topology` text
 * against golden files, the plan JSON round trip (adoption) for all three,
 * every file in tests/topologies/bad/ against its expected error
 * (NAME.err next to NAME.json), every built-in over its whole parameter
 * range (--cores, --vrs, --backends, --lbs), and the JSON reader's
 * refusals (jtext: trailing text, truncation, duplicate keys, U+0000).
 * The search path: the source tree only for a binary in the build tree, a
 * directory others may write refused, a link there refused.
 * Over 900 lines as one program on purpose: every case expands through
 * the same fake host and golden helpers at its top.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "golden.h"
#include "jtext.h"
#include "t.h"
#include "topo.h"
#include "util.h"
#include "vr_build.h"
#include "vrctl.h"

#ifndef BAD_DIR
#error "BAD_DIR must be defined (tests/unit.cmake)"
#endif

static int
build(struct topo_opts *o, struct topo_plan *p, char *err, size_t errlen)
{
	cpu_set_t online, isolated;

	cpulist_parse("0-7", &online);
	CPU_ZERO(&isolated);
	return topo_plan_build(o, &online, &isolated, p, err, errlen);
}

static char *
plan_text(const struct topo_plan *p, int flags)
{
	json_object *j = topo_plan_to_json(p);
	char *s = xasprintf("%s\n", json_object_to_json_string_ext(j, flags));

	json_object_put(j);
	return s;
}

/* What a printer writes on stdout, as a string. */
static char *
capture(void (*fn)(json_object *), json_object *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *saved = stdout, *m = open_memstream(&buf, &len);

	stdout = m;
	fn(arg);
	fflush(m);
	stdout = saved;
	fclose(m);
	return buf;
}

static void
check_round_trip(const struct topo_plan *p)
{
	char *a = plan_text(p, JSON_C_TO_STRING_PLAIN), *b, err[256] = "";
	json_object *j = json_tokener_parse(a);
	struct topo_plan *q = xcalloc(1, sizeof(*q));

	CHECK_INT(topo_plan_from_json(j, q, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "round trip: %s\n", err);
	b = plan_text(q, JSON_C_TO_STRING_PLAIN);
	CHECK_STR(b, a);
	CHECK(memcmp(&q->opts, &p->opts, sizeof(q->opts)) == 0);
	CHECK(memcmp(q->nodes, p->nodes, sizeof(q->nodes)) == 0);
	CHECK(memcmp(q->ports, p->ports, sizeof(q->ports)) == 0);
	CHECK(memcmp(q->segments, p->segments, sizeof(q->segments)) == 0);
	CHECK(memcmp(&q->splitter, &p->splitter, sizeof(q->splitter)) == 0);
	CHECK_INT(q->nsegments, p->nsegments);
	CHECK_STR(q->description, p->description);
	topo_plan_free(q);
	free(q);
	json_object_put(j);
	free(a);
	free(b);
}

/* Plan JSON and `vrctl topology` text (and --dot) against golden files. */
static void
golden_topology(const char *base, struct topo_opts *o, struct topo_plan *p)
{
	char err[512] = "", name[128];
	json_object *j;
	char *s;

	CHECK_INT(build(o, p, err, sizeof(err)), 0);
	if (err[0]) {
		fprintf(stderr, "%s: %s\n", base, err);
		return;
	}
	s = plan_text(p, TOPO_JSON_PRETTY);
	snprintf(name, sizeof(name), "plan-%s.json", base);
	golden_check(name, s);
	free(s);
	j = json_object_new_object();
	json_object_object_add(j, "plan", topo_plan_to_json(p));
	s = capture(show_plan, j);
	snprintf(name, sizeof(name), "topology-%s.txt", base);
	golden_check(name, s);
	free(s);
	s = capture(show_plan_dot, j);
	snprintf(name, sizeof(name), "topology-%s.dot", base);
	golden_check(name, s);
	free(s);
	json_object_put(j);
	check_round_trip(p);
}

static void
opts_for(struct topo_opts *o, const char *topology)
{
	topo_opts_init(o);
	vr_strlcpy(o->topology, topology, sizeof(o->topology));
	vr_strlcpy(o->image, "/usr/share/vrouterd/guest", sizeof(o->image));
}

static void
test_builtins(void)
{
	struct topo_plan *p = xcalloc(1, sizeof(*p));
	struct topo_opts o;
	char cmd[2048];

	opts_for(&o, "pvr");
	o.vrs = 3;
	golden_topology("pvr-3vrs", &o, p);
	CHECK_INT(p->nnodes, 3);
	CHECK_STR(p->nodes[2].name, "vr2");
	CHECK_STR(p->nodes[2].ifs[0].addr, "198.19.3.2/24");
	CHECK_STR(p->nodes[2].ifs[1].addr, "198.18.2.13/24");
	CHECK_INT(p->nodes[2].ifs[0].port, -1);
	CHECK_STR(p->segments[p->nodes[2].ifs[0].segment].name, "leg2");
	CHECK_STR(p->splitter.netns, "vr-pvr-sp");
	CHECK_INT(p->splitter.nifs, 4);
	CHECK_STR(p->splitter.ifs[0].guest_if, "in0");
	CHECK_INT(p->splitter.ifs[0].port, 0);
	CHECK_STR(p->splitter.ifs[3].host_if, "vr-pvr-s3");
	CHECK_INT(p->splitter.routes[0].nvia, 3);
	CHECK_STR(p->splitter.routes[0].via[2], "198.19.3.2");
	CHECK_STR(p->ports[0].bridge, "vr-pvr-bi");
	CHECK_STR(p->ports[1].ns_gw, "198.18.2.11");
	CHECK_INT(p->opts.vrs, 3);
	topo_plan_free(p);

	opts_for(&o, "msr");
	golden_topology("msr", &o, p);
	CHECK_INT(p->nnodes, 3);
	CHECK_INT(p->nodes[0].role, ROLE_LB);
	CHECK_INT(p->nodes[1].role, ROLE_BACKEND);
	CHECK_INT(p->opts.backends, 2);
	CHECK_INT(topo_node_cmdline(p, 0, cmd, sizeof(cmd)), 0);
	CHECK(strstr(cmd, " vr.role=lb ") != NULL);
	CHECK(strstr(cmd, " vr.route=default,198.19.0.11,198.19.0.12") != NULL);
	CHECK(strstr(cmd, " vr.mphash=1") != NULL);
	CHECK_INT(topo_node_cmdline(p, 1, cmd, sizeof(cmd)), 0);
	CHECK(strstr(cmd, "vr.mphash") == NULL);
	CHECK(strstr(cmd, " vr.route=198.18.1.0/24,198.19.0.1") != NULL);
	/* the front-end stage: a splitter in front of the LB(s) */
	CHECK_STR(p->splitter.netns, "vr-msr-sp");
	CHECK_INT(p->opts.lbs, 1);
	topo_plan_free(p);

	/* two LBs: each on its own leg from the splitter, each an ECMP over
	 * every back-end; the splitter an ECMP over both LBs */
	opts_for(&o, "msr");
	o.lbs = 2;
	o.backends = 3;
	CHECK_INT(build(&o, p, cmd, sizeof(cmd)), 0);
	CHECK_INT(p->nnodes, 5);
	CHECK_INT(p->nodes[1].role, ROLE_LB);
	CHECK_INT(p->nodes[2].role, ROLE_BACKEND);
	CHECK_INT(topo_node_cmdline(p, 1, cmd, sizeof(cmd)), 0);
	CHECK(strstr(cmd, " vr.route=default,198.19.0.11,198.19.0.12,"
			  "198.19.0.13") != NULL);
	CHECK(strstr(cmd, " vr.route=198.18.1.0/24,198.19.102.1") != NULL);
	CHECK_INT(p->splitter.nifs, 3);
	check_round_trip(p);
	topo_plan_free(p);
	opts_for(&o, "msr");
	o.lbs = 9; /* the file's max is 8 */
	CHECK_INT(build(&o, p, cmd, sizeof(cmd)), -1);
	CHECK(strstr(cmd, "lbs") != NULL);
	topo_plan_free(p);

	opts_for(&o, "monolithic");
	o.cores = 4;
	o.pin = 1;
	golden_topology("monolithic-4cores-pin", &o, p);
	CHECK_INT(p->nsegments, 0);
	topo_plan_free(p);

	/* msr with macvtap: every port network has several members or a
	 * non-VM one, so bridges stay; monolithic keeps none */
	opts_for(&o, "msr");
	o.link = LINK_MACVTAP;
	o.backends = 4;
	CHECK_INT(build(&o, p, cmd, sizeof(cmd)), 0);
	CHECK_STR(p->ports[0].bridge, "vr-msr-bi"); /* with the splitter */
	CHECK_STR(p->ports[1].bridge, "vr-msr-bo");
	CHECK_INT(p->nnodes, 5);
	check_round_trip(p);
	topo_plan_free(p);

	/* shared CPUs: the plan covers every node and says how */
	opts_for(&o, "pvr");
	o.vrs = 4;
	o.cores = 2;
	o.pin = 1;
	CHECK_INT(build(&o, p, cmd, sizeof(cmd)), 0);
	CHECK_INT(p->pin.shared, 1);
	CHECK(strstr(p->pin.warning, "8 vCPUs on 8 CPUs") != NULL);
	CHECK(pin_plan_find(&p->pin, 3, PIN_VCPU, 1) != NULL);
	topo_plan_free(p);

	/* parameters a topology does not have, and out of range */
	opts_for(&o, "monolithic");
	o.vrs = 2;
	CHECK_INT(build(&o, p, cmd, sizeof(cmd)), -1);
	CHECK_STR(cmd, "monolithic.json: vrs: topology monolithic has no "
		       "parameter vrs");
	opts_for(&o, "pvr");
	o.vrs = 16;
	o.cores = 17;
	CHECK_INT(build(&o, p, cmd, sizeof(cmd)), -1);
	CHECK_STR(cmd, "pvr.json: $.nodes[0]: more than 256 vCPUs in all: "
		       "that is no sane experiment");
	free(p);
}

/* A declared parameter's range in a built-in file ({1, 1} when absent). */
static void
param_range(json_object *root, const char *name, int *min, int *max)
{
	json_object *ps, *pp, *v;

	*min = *max = 0; /* 0: not declared, left to the file */
	if (!json_object_object_get_ex(root, "params", &ps) ||
	    !json_object_object_get_ex(ps, name, &pp))
		return;
	*min = json_object_object_get_ex(pp, "min", &v) ? json_object_get_int(v)
							: 1;
	*max = json_object_object_get_ex(pp, "max", &v) ? json_object_get_int(v)
							: TOPO_MAX_COUNT;
}

/*
 * Every built-in expands without error or warning over every value of its
 * parameters and --cores 1-64 (a plan above 256 vCPUs in all is the one
 * refusal allowed), with both link kinds, both backends and pinning.
 */
static void
test_builtin_ranges(void)
{
	struct topo_plan *p = xcalloc(1, sizeof(*p));
	int builds = 0, bad = 0;

	for (int b = 0; topo_builtin_names[b]; b++) {
		const char *name = topo_builtin_names[b];
		char path[4096], err[512];
		json_object *root;
		int vmin, vmax, bmin, bmax, lmin, lmax;

		snprintf(path, sizeof(path), "%s/../../../topologies/%s.json",
			 BAD_DIR, name);
		root = jtext_read(path, NULL, TOPO_FILE_MAX, err, sizeof(err));
		CHECK(root != NULL);
		if (root == NULL)
			continue;
		param_range(root, "vrs", &vmin, &vmax);
		param_range(root, "backends", &bmin, &bmax);
		param_range(root, "lbs", &lmin, &lmax);
		json_object_put(root);
		for (int vr = vmin; vr <= vmax; vr++)
			for (int be = bmin; be <= bmax; be++)
				for (int lb = lmin; lb <= lmax; lb++)
					for (int c = 1; c <= TOPO_MAX_VCPUS;
					     c++) {
						struct topo_opts o;
						int rc, v = c % 8;

						opts_for(&o, name);
						o.vrs = vr;
						o.backends = be;
						o.lbs = lb;
						o.cores = c;
						/* macvtap is for guests */
						o.link = (v & 3) == 1
							     ? LINK_MACVTAP
							     : LINK_TAP;
						o.backend = v & 2
								? BACKEND_NETNS
								: BACKEND_VM;
						o.pin = (v & 4) != 0;
						o.ports = c == 3 ? PORTS_HOST
								 : PORTS_TEST;
						if (o.ports == PORTS_HOST) {
							vr_strlcpy(
							    o.port_in, "eth0",
							    sizeof(o.port_in));
							vr_strlcpy(
							    o.port_out, "eth1",
							    sizeof(o.port_out));
						}
						err[0] = '\0';
						rc = build(&o, p, err,
							   sizeof(err));
						builds++;
						if ((rc == -1 &&
						     strstr(err,
							    "more than 256 "
							    "vCPUs") == NULL) ||
						    (rc == 0 &&
						     p->nwarnings != 0)) {
							if (bad++ < 5)
								fprintf(
								    stderr,
								    "%s vrs %d "
								    "backends "
								    "%d lbs %d "
								    "cores %d: "
								    "%s%s\n",
								    name, vr,
								    be, lb, c,
								    err,
								    rc ? ""
								       : p->warnings
									     [0]);
						}
						topo_plan_free(p);
					}
	}
	CHECK_INT(bad, 0);
	CHECK(builds > 8000); /* msr alone: 16 x 8 x 64 */
	free(p);
}

/* Expand a file given as text; 0, or -1 with err. */
static int
build_text(const char *text, struct topo_plan *p, char *err, size_t errlen)
{
	struct topo_opts o;

	topo_opts_init(&o);
	vr_strlcpy(o.file, "t.json", sizeof(o.file));
	o.file_text = text;
	err[0] = '\0';
	return build(&o, p, err, errlen);
}

#define NET2                                                                   \
	"\"networks\": [{\"name\": \"a\", \"port\": \"in\"}, "                 \
	"{\"name\": \"b\", \"port\": \"out\"}]"

/* What the checker finds in files that would not forward (issue 18). */
static void
test_cannot_forward(void)
{
	static const struct {
		const char *if0, *if1, *route, *ports, *want;
	} c[] = {
	    /* interface addresses no host may have */
	    {"198.18.1.0/24", "198.18.2.1/24", "", "",
	     "$.nodes[0].interfaces[0].address: 198.18.1.0/24 is the "
	     "network address"},
	    {"198.18.1.255/24", "198.18.2.1/24", "", "", "broadcast address"},
	    {"127.0.0.1/8", "198.18.2.1/24", "", "", "loopback"},
	    {"224.0.0.1/24", "198.18.2.1/24", "", "", "multicast"},
	    {"0.0.0.0/24", "198.18.2.1/24", "", "", "this network"},
	    {"255.255.255.255/32", "198.18.2.1/24", "", "",
	     "limited broadcast"},
	    {"240.0.0.1/24", "198.18.2.1/24", "", "", "class E"},
	    /* a /31 has neither: both addresses are hosts (RFC 3021) */
	    {"198.18.1.0/31", "198.18.2.1/24", "",
	     "\"ports\": {\"in\": {\"address\": \"198.18.1.1/31\", "
	     "\"gateway\": \"198.18.1.0\"}},",
	     NULL},
	    /* route destinations with host bits */
	    {"198.18.1.1/24", "198.18.2.1/24",
	     "{\"dst\": \"198.19.0.1/16\", \"via\": \"198.18.2.2\"}", "",
	     "$.nodes[0].routes[0].dst: '198.19.0.1/16' has host bits set "
	     "(the prefix is 198.19.0.0/16)"},
	    /* a host route (/32: the whole mask) is fine */
	    {"198.18.1.1/24", "198.18.2.1/24",
	     "{\"dst\": \"198.19.0.5/32\", \"via\": \"198.18.2.2\"}", "", NULL},
	    /* nexthops nobody has, or that are no host */
	    {"198.18.1.1/24", "198.18.2.1/24",
	     "{\"dst\": \"default\", \"via\": \"198.18.2.77\"}", "",
	     "nexthop 198.18.2.77 is no interface's or port's address"},
	    {"198.18.1.1/24", "198.18.2.1/24",
	     "{\"dst\": \"default\", \"via\": \"198.18.2.255\"}", "",
	     "nexthop 198.18.2.255 is the broadcast address"},
	    {"198.18.1.1/24", "198.18.2.1/24",
	     "{\"dst\": \"default\", \"via\": \"224.0.0.5\"}", "",
	     "nexthop 224.0.0.5 is a multicast"},
	    {"198.18.1.1/24", "198.18.2.1/24",
	     "{\"dst\": \"default\", \"via\": \"198.18.2.1\"}", "",
	     "nexthop 198.18.2.1 is vr0's own address (eth1)"},
	    /* the sink's address, but reached over the in port's network */
	    {"198.18.1.1/16", "198.18.2.1/24",
	     "{\"dst\": \"default\", \"via\": \"198.18.2.2\"}",
	     "\"ports\": {\"in\": {\"address\": \"198.18.1.2/16\"}},", NULL},
	    /* port gateways */
	    {"198.18.1.1/24", "198.18.2.1/24", "",
	     "\"ports\": {\"in\": {\"gateway\": \"198.18.1.9\"}},",
	     "$.ports.in.gateway: 198.18.1.9 is no interface's address"},
	    {"198.18.1.1/24", "198.18.2.1/24", "",
	     "\"ports\": {\"in\": {\"gateway\": \"198.18.9.1\"}},",
	     "$.ports.in.gateway: 198.18.9.1 is not on the port's subnet"},
	    {"198.18.1.1/24", "198.18.2.1/24", "",
	     "\"ports\": {\"in\": {\"gateway\": \"198.18.1.2\"}},",
	     "is the port's own address"},
	    {"198.18.1.1/24", "198.18.2.1/24", "",
	     "\"ports\": {\"in\": {\"gateway\": \"198.18.1.255\"}},",
	     "broadcast address"},
	    {"198.18.3.1/24", "198.18.2.1/24", "", "",
	     "$.ports.in.gateway: 198.18.1.1 is no interface's address: the "
	     "port's traffic would go nowhere (the default: give one)"},
	    /* the gateway is a node's, but on the other port's network */
	    {"198.18.1.1/24", "198.18.2.1/24", "",
	     "\"ports\": {\"in\": {\"address\": \"198.18.2.9/16\", "
	     "\"gateway\": \"198.18.2.1\"}},",
	     "$.ports.in.gateway: 198.18.2.1 is the address of "
	     "$.nodes[0].interfaces[1].address, which is not on the network "
	     "of port in"},
	};
	struct topo_plan *p = xcalloc(1, sizeof(*p));
	char err[1024];

	for (size_t i = 0; i < nitems(c); i++) {
		char *text = xasprintf(
		    "{\"format\": 1, \"name\": \"x\", \"description\": \"d\", "
		    "%s " NET2 ", \"nodes\": [{\"name\": \"vr0\", "
		    "\"interfaces\": [{\"network\": \"a\", \"address\": "
		    "\"%s\"}, {\"network\": \"b\", \"address\": \"%s\"}], "
		    "\"routes\": [%s]}]}",
		    c[i].ports, c[i].if0, c[i].if1, c[i].route);
		int rc = build_text(text, p, err, sizeof(err));

		CHECK_INT(rc, c[i].want ? -1 : 0);
		if (c[i].want && strstr(err, c[i].want) == NULL) {
			fprintf(stderr, "case %zu: '%s' lacks '%s'\n", i, err,
				c[i].want);
			CHECK(0);
		}
		if (rc == 0)
			topo_plan_free(p);
		free(text);
	}

	/* a nexthop on the right subnet but another network (L2) */
	CHECK_INT(
	    build_text(
		"{\"format\": 1, \"name\": \"x\", \"description\": \"d\", "
		"\"networks\": [{\"name\": \"a\", \"port\": \"in\"}, "
		"{\"name\": \"b\", \"port\": \"out\"}, {\"name\": \"mid\"}, "
		"{\"name\": \"mid2\"}], \"nodes\": [{\"name\": \"vr0\", "
		"\"interfaces\": [{\"network\": \"a\", \"address\": "
		"\"198.18.1.1/24\"}, {\"network\": \"b\", \"address\": "
		"\"198.18.2.1/24\"}, {\"network\": \"mid\", \"address\": "
		"\"198.19.0.1/24\"}], \"routes\": [{\"dst\": "
		"\"198.20.0.0/16\", "
		"\"via\": \"vr1.eth0\"}]}, {\"name\": \"vr1\", \"interfaces\": "
		"[{\"network\": \"mid2\", \"address\": \"198.19.0.2/24\"}]}]}",
		p, err, sizeof(err)),
	    -1);
	CHECK_STR(err,
		  "t.json: $.nodes[0].routes[0].via: nexthop 198.19.0.2 is "
		  "the address of $.nodes[1].interfaces[0].address, on "
		  "network 'mid2', but vr0's eth2 is on 'mid'");

	/* "comment" goes in every object, $.params too; a string only */
	{
		static const char *const t[] = {
		    "{\"format\": 1, \"name\": \"x\", \"description\": \"d\", "
		    "\"params\": {\"comment\": \"c\", \"vrs\": {\"default\": "
		    "1}}, "
		    "\"ports\": {\"comment\": \"c\"}, " NET2
		    ", \"nodes\": [{\"name\": \"vr0\", \"interfaces\": "
		    "[{\"network\": \"a\", \"address\": \"198.18.1.1/24\"}, "
		    "{\"network\": \"b\", \"address\": \"198.18.2.1/24\", "
		    "\"comment\": \"c\"}]}]}",
		    "{\"format\": 1, \"name\": \"x\", \"description\": \"d\", "
		    "\"params\": {\"comment\": [1]}, " NET2
		    ", \"nodes\": [{\"name\": \"vr0\", \"interfaces\": "
		    "[{\"network\": \"a\", \"address\": \"198.18.1.1/24\"}, "
		    "{\"network\": \"b\", \"address\": \"198.18.2.1/24\"}]}]}",
		};

		CHECK_INT(build_text(t[0], p, err, sizeof(err)), 0);
		topo_plan_free(p);
		CHECK_INT(build_text(t[1], p, err, sizeof(err)), -1);
		CHECK_STR(err, "t.json: $.params.comment: expected a string");
	}

	/* overlapping subnets: a warning in the plan, its JSON and text */
	{
		const char *t =
		    "{\"format\": 1, \"name\": \"x\", \"description\": \"d\", "
		    "\"ports\": {\"in\": {\"address\": "
		    "\"198.18.1.2/16\"}}, " NET2
		    ", \"nodes\": [{\"name\": \"vr0\", \"interfaces\": "
		    "[{\"network\": \"a\", \"address\": \"198.18.1.1/16\"}, "
		    "{\"network\": \"b\", \"address\": \"198.18.2.1/24\"}]}]}";
		json_object *j, *w;
		char *txt;

		CHECK_INT(build_text(t, p, err, sizeof(err)), 0);
		CHECK_INT(p->nwarnings, 1);
		CHECK(strstr(p->warnings[0], "networks 'a' and 'b' have "
					     "overlapping subnets") != NULL);
		j = json_object_new_object();
		json_object_object_add(j, "plan", topo_plan_to_json(p));
		CHECK(json_object_object_get_ex(j, "plan", &w) &&
		      json_object_object_get_ex(w, "warnings", &w) &&
		      json_object_array_length(w) == 1);
		txt = capture(show_plan, j);
		CHECK(strstr(txt, "warning: networks 'a' and 'b'") != NULL);
		free(txt);
		/* what reaches the terminal: escaped, never raw (j_text) */
		json_object_object_add(
		    json_object_object_get(j, "plan"), "description",
		    json_object_new_string("d\x1b[2J\x1b]0;x\x07\xc2\x9b"));
		txt = capture(show_plan, j);
		CHECK(strchr(txt, '\x1b') == NULL &&
		      strchr(txt, '\x07') == NULL);
		CHECK(strstr(txt, "d\\x1b[2J\\x1b]0;x\\x07\\u009b") != NULL);
		free(txt);
		json_object_put(j);
		check_round_trip(p);
		topo_plan_free(p);
	}
	free(p);
}

/* The JSON reader: what json-c alone would let through. */
static void
test_jtext(void)
{
	static const struct {
		const char *text, *want; /* want NULL: accepted */
	} c[] = {
	    {"{\"a\": 1}\n\n", NULL},
	    {"{\"a\": 1} {\"b\": 2}", "t: line 1: not valid JSON: more text "
				      "after the value"},
	    {"{\"a\": 1}\n]", "t: line 2: not valid JSON: more text after the "
			      "value"},
	    {"{\"a\": [1,\n 2", "t: line 2: not valid JSON: unexpected end of "
				"file"},
	    {"", "t: line 1: not valid JSON: unexpected end of file"},
	    {"{\"a\": 1, \"a\": 2}", "t: $.a: key given twice in one object "
				     "(line 1)"},
	    {"{\"n\": [{}, {\"x\": 1,\n \"\\u0078\": 2}]}",
	     "t: $.n[1].\\u0078: key given twice in one object (line 2)"},
	    {"[{\"a\": 1}, {\"a\": 1}]", NULL},
	    {"{\"a\": \"x\\u0000y\"}", "t: $.a: a string with a NUL character"},
	    {"{\"a\\u0000b\": 1}",
	     "t: $.a\\u0000b: a key with a NUL character"},
	    {"{'a': 1}", "t: line 1: not valid JSON: a string in single "
			 "quotes"},
	    {"{\"a\": \"x\ty\"}", "t: line 1: not valid JSON: a control "
				  "character in a string"},
	    {"{\"a\": \"\\\"}\"}", NULL},
	};
	char err[512];

	for (size_t i = 0; i < nitems(c); i++) {
		json_object *j = jtext_parse("t", c[i].text, strlen(c[i].text),
					     err, sizeof(err));

		CHECK((j != NULL) == (c[i].want == NULL));
		if (c[i].want &&
		    (j != NULL || strncmp(err, c[i].want, strlen(c[i].want)))) {
			fprintf(stderr, "jtext case %zu: '%s', want '%s'\n", i,
				j ? "(accepted)" : err, c[i].want);
			CHECK(0);
		}
		json_object_put(j);
	}
	/* a NUL byte in the file itself */
	CHECK(jtext_parse("t", "{}\0x", 4, err, sizeof(err)) == NULL);
	CHECK_STR(err, "t: line 1: not valid JSON: a NUL byte");
	CHECK(jtext_read("/dev/null", NULL, 10, err, sizeof(err)) == NULL);
	CHECK_STR(err, "/dev/null: not a regular file");

	/* a plan read back (adoption) with U+0000 in a name, and request
	 * params with one: refused, not cut short */
	{
		struct topo_plan *p = xcalloc(1, sizeof(*p));
		struct topo_opts o;
		json_object *j, *params;

		opts_for(&o, "monolithic");
		CHECK_INT(build(&o, p, err, sizeof(err)), 0);
		j = topo_plan_to_json(p);
		topo_plan_free(p);
		json_object_object_add(j, "description",
				       json_object_new_string_len("a\0b", 3));
		CHECK_INT(topo_plan_from_json(j, p, err, sizeof(err)), -1);
		CHECK_STR(err, "plan: $.description: a string with a NUL "
			       "character");
		json_object_put(j);
		params = json_object_new_object();
		json_object_object_add(
		    params, "topology",
		    json_object_new_string_len("monolithic\0x", 12));
		topo_opts_init(&o);
		CHECK_INT(topo_opts_from_json(params, &o, err, sizeof(err)),
			  -1);
		CHECK_STR(err, "topology: a string with a NUL character");
		json_object_put(params);
		free(p);
	}
}

/* A file sent as text (vrctl start -f), and by path. */
static void
test_file_text(void)
{
	struct topo_plan *p = xcalloc(1, sizeof(*p));
	struct topo_opts o;
	json_object *params;
	char err[512] = "", path[4096];
	char *text;

	snprintf(path, sizeof(path), "%s/../../../topologies/msr.json",
		 BAD_DIR);
	text = golden_read(path);
	CHECK(text != NULL);
	params = json_object_new_object();
	json_object_object_add(params, "topology",
			       json_object_new_string("/home/me/my-msr.json"));
	json_object_object_add(params, "topology_text",
			       json_object_new_string(text ? text : ""));
	json_object_object_add(params, "backends", json_object_new_int(3));
	topo_opts_init(&o);
	CHECK_INT(topo_opts_from_json(params, &o, err, sizeof(err)), 0);
	CHECK_STR(o.file, "/home/me/my-msr.json");
	CHECK_STR(o.topology, "");
	CHECK(o.file_text != NULL);
	CHECK_INT(build(&o, p, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "text: %s\n", err);
	CHECK_STR(p->opts.topology, "msr");
	CHECK_STR(p->opts.name, "msr");
	CHECK_STR(p->opts.file, "/home/me/my-msr.json");
	CHECK(p->opts.file_text == NULL);
	CHECK_INT(p->nnodes, 4);
	check_round_trip(p);
	topo_plan_free(p);
	json_object_put(params);

	/* by path, read by the library */
	topo_opts_init(&o);
	vr_strlcpy(o.file, path, sizeof(o.file));
	CHECK_INT(build(&o, p, err, sizeof(err)), 0);
	CHECK_INT(p->nnodes, 3);
	topo_plan_free(p);
	vr_strlcpy(o.file, "/nonexistent/x.json", sizeof(o.file));
	CHECK_INT(build(&o, p, err, sizeof(err)), -1);
	CHECK_STR(err, "/nonexistent/x.json: No such file or directory");
	free(text);
	free(p);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every bad file is refused with its expected error. */
static void
test_bad_files(void)
{
	struct topo_plan *p = xcalloc(1, sizeof(*p));
	char *names[256], cwd[4096];
	int n = 0;
	DIR *d = opendir(BAD_DIR);
	struct dirent *de;

	CHECK(d != NULL);
	if (d == NULL || getcwd(cwd, sizeof(cwd)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && n < 256) {
		size_t l = strlen(de->d_name);
		if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	CHECK(n >= 12);
	CHECK_INT(chdir(BAD_DIR), 0);
	for (int i = 0; i < n; i++) {
		struct topo_opts o;
		char err[1024] = "", golden[300];
		char *msg;

		topo_opts_init(&o);
		vr_strlcpy(o.file, names[i], sizeof(o.file));
		/* a few files exercise options given with them */
		if (strstr(names[i], "param-range"))
			o.vrs = 9;
		CHECK_INT(build(&o, p, err, sizeof(err)), -1);
		CHECK(p->nnodes == 0 && p->pin.a == NULL);
		msg = xasprintf("%s\n", err);
		snprintf(golden, sizeof(golden), "../topologies/bad/%.*s.err",
			 (int)strlen(names[i]) - 5, names[i]);
		golden_check(golden, msg);
		free(msg);
		free(names[i]);
	}
	CHECK_INT(chdir(cwd), 0);
	free(p);
}

/* Print the search path (the child run from a copy outside the build). */
static int
print_dirs(void)
{
	const char *dirs[8];
	int n = topo_search_dirs(dirs, 8);

	for (int i = 0; i < n; i++)
		printf("%s\n", dirs[i]);
	return 0;
}

/* The search path's directories and what of them is read. */
static void
test_search_path(void)
{
	char tmp[] = "/tmp/vrtopopath.XXXXXX", p[128], q[1024], err[1024];
	char out[4096] = "", *env = getenv("VR_TOPOLOGY_PATH");
	char *saved = env ? xstrdup(env) : NULL;
	struct topo_plan *pl = xcalloc(1, sizeof(*pl));
	struct topo_opts o;
	const char *dirs[8];
	int n, pfd[2], st;
	size_t off = 0;
	ssize_t r;
	pid_t pid;

	CHECK(mkdtemp(tmp) != NULL);
	/* in the build tree: the source tree's topologies/ is searched */
	unsetenv("VR_TOPOLOGY_PATH");
	n = topo_search_dirs(dirs, 8);
	CHECK(n >= 1 && strcmp(dirs[n - 1], VR_SOURCE_DIR "/topologies") == 0);
	/* a copy of this binary outside it (an installed one): not */
	snprintf(p, sizeof(p), "%s/copy", tmp);
	snprintf(q, sizeof(q), "cp /proc/%d/exe %s", (int)getpid(), p);
	CHECK_INT(system(q), 0);
	CHECK(pipe(pfd) == 0);
	if ((pid = fork()) == 0) {
		dup2(pfd[1], 1);
		execl(p, p, "--dirs", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while (off < sizeof(out) - 1 &&
	       (r = read(pfd[0], out + off, sizeof(out) - 1 - off)) > 0)
		off += r;
	close(pfd[0]);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0);
	CHECK(strstr(out, "/etc/vrouterd/topologies\n") != NULL);
	CHECK(strstr(out, VR_SOURCE_DIR) == NULL);
	unlink(p);

	/* a directory group or others may write: its files are not read */
	snprintf(p, sizeof(p), "%s/shared", tmp);
	CHECK(mkdir(p, 0700) == 0 && chmod(p, 0775) == 0);
	snprintf(q, sizeof(q),
		 "cp %s/topologies/monolithic.json %s/monolithic.json",
		 VR_SOURCE_DIR, p);
	CHECK_INT(system(q), 0);
	setenv("VR_TOPOLOGY_PATH", p, 1);
	topo_opts_init(&o);
	vr_strlcpy(o.topology, "monolithic", sizeof(o.topology));
	CHECK_INT(build(&o, pl, err, sizeof(err)), -1);
	CHECK(strstr(err,
		     "monolithic.json: not read: the search path directory") !=
	      NULL);
	CHECK(strstr(err, "is writable by group or others") != NULL);
	/* the same directory, ours and closed: read */
	CHECK(chmod(p, 0755) == 0);
	if (build(&o, pl, err, sizeof(err)) != 0)
		CHECK_STR(err, "");
	topo_plan_free(pl);
	/* a link there: refused, not followed */
	snprintf(q, sizeof(q), "%s/monolithic.json", p);
	snprintf(err, sizeof(err), "%s/link.json", p);
	CHECK(symlink(q, err) == 0);
	vr_strlcpy(o.topology, "link", sizeof(o.topology));
	CHECK_INT(build(&o, pl, err, sizeof(err)), -1);
	CHECK_STR(err, "link.json: is a symbolic link (refused)");

	snprintf(q, sizeof(q), "rm -rf %s", tmp);
	CHECK_INT(system(q), 0);
	if (saved != NULL)
		setenv("VR_TOPOLOGY_PATH", saved, 1);
	else
		unsetenv("VR_TOPOLOGY_PATH");
	free(saved);
	free(pl);
}

/* The LB's default route and graph vertex in `vrctl topology` (plan: a
 * plan's JSON, put here), per packet or per flow. */
static void
lb_mode_text(json_object *plan, int packet)
{
	json_object *j = json_object_new_object();
	char *s;

	json_object_object_add(j, "plan", plan);
	s = capture(show_plan, j);
	CHECK(strstr(s, "route default via 198.19.0.11, 198.19.0.12, "
			"198.19.0.13 (per packet: vr-lb round robin, control "
			"traffic to 198.19.0.11)") != NULL ||
	      !packet);
	CHECK((strstr(s, "(ECMP, L4 flow hash)") == NULL) == packet);
	CHECK((strstr(s, "[ lb0 lb per packet, 1 vCPU ]") != NULL) == packet);
	CHECK(strstr(s, "< splitter vr-msr-sp: ECMP >") != NULL);
	free(s);
	json_object_put(j);
}

/* msr --lb-mode packet (issue 17): the LB's command line names its inner
 * and outer MACs and its back-ends' (the nexthops of its default route),
 * first back-end first; back-ends get nothing new; refused where there is
 * no LB, for the netns backend, and by the option parser for a bad mode. */
static void
test_lb_mode_packet(void)
{
	struct topo_plan *p = xcalloc(1, sizeof(*p));
	struct topo_opts o;
	char cmd[2048], want[256];
	json_object *j;
	static const char split_bes[] =
	    "{\"format\": 1, \"name\": \"x\", \"description\": \"d\", "
	    "\"networks\": [{\"name\": \"a\", \"port\": \"in\"}, "
	    "{\"name\": \"b\", \"port\": \"out\"}, {\"name\": \"c\"}], "
	    "\"nodes\": [{\"name\": \"lb0\", \"role\": \"lb\", "
	    "\"interfaces\": [{\"network\": \"a\", \"address\": "
	    "\"198.18.1.1/24\"}, {\"network\": \"c\", \"address\": "
	    "\"198.19.0.1/24\"}], \"routes\": [{\"dst\": \"default\", "
	    "\"via\": [\"198.19.0.11\", \"198.18.1.3\"]}]}, "
	    "{\"name\": \"be0\", \"interfaces\": [{\"network\": \"c\", "
	    "\"address\": \"198.19.0.11/24\"}, {\"network\": \"b\", "
	    "\"address\": \"198.18.2.1/24\"}]}, {\"name\": \"be1\", "
	    "\"interfaces\": [{\"network\": \"a\", \"address\": "
	    "\"198.18.1.3/24\"}, {\"network\": \"b\", \"address\": "
	    "\"198.18.2.3/24\"}]}]}";

	opts_for(&o, "msr");
	o.backends = 3;
	o.lb_mode = LB_MODE_PACKET;
	golden_topology("msr-lb-packet", &o, p);
	CHECK_INT(topo_node_cmdline(p, 0, cmd, sizeof(cmd)), 0);
	snprintf(want, sizeof(want), " vr.lb=%s,%s,%s,%s,%s",
		 p->nodes[0].ifs[0].mac, p->nodes[0].ifs[1].mac,
		 p->nodes[1].ifs[0].mac, p->nodes[2].ifs[0].mac,
		 p->nodes[3].ifs[0].mac);
	CHECK(strstr(cmd, want) != NULL);
	CHECK_INT(topo_node_cmdline(p, 1, cmd, sizeof(cmd)), 0);
	CHECK(strstr(cmd, "vr.lb=") == NULL);
	j = topo_plan_to_json(p);
	CHECK_STR(json_object_get_string(json_object_object_get(
		      json_object_object_get(j, "options"), "lb_mode")),
		  "packet");
	/* `vrctl topology` says the LB's default route is spread per packet
	 * by vr-lb, not by the kernel's ECMP; the host's splitter in front
	 * of the LBs stays ECMP */
	lb_mode_text(j, 1);
	topo_plan_free(p);

	/* flow (the default): no vr.lb=, no lb_mode in the options */
	opts_for(&o, "msr");
	CHECK_INT(build(&o, p, cmd, sizeof(cmd)), 0);
	CHECK_INT(topo_node_cmdline(p, 0, cmd, sizeof(cmd)), 0);
	CHECK(strstr(cmd, "vr.lb=") == NULL);
	j = topo_plan_to_json(p);
	CHECK(json_object_object_get(json_object_object_get(j, "options"),
				     "lb_mode") == NULL);
	lb_mode_text(j, 0);
	topo_plan_free(p);

	opts_for(&o, "pvr");
	o.lb_mode = LB_MODE_PACKET;
	CHECK_INT(build(&o, p, cmd, sizeof(cmd)), -1);
	CHECK_STR(cmd, "lb_mode packet: topology pvr has no load balancer (a "
		       "node with role lb)");
	topo_plan_free(p);

	opts_for(&o, "msr");
	o.lb_mode = LB_MODE_PACKET;
	o.backend = BACKEND_NETNS;
	CHECK_INT(build(&o, p, cmd, sizeof(cmd)), -1);
	CHECK(strstr(cmd, "use --backend vm") != NULL);
	topo_plan_free(p);

	/* back-ends on both interfaces of the LB: vr-lb would send half the
	 * packets out of the wrong NIC */
	topo_opts_init(&o);
	vr_strlcpy(o.file, "t.json", sizeof(o.file));
	o.file_text = split_bes;
	o.lb_mode = LB_MODE_PACKET;
	CHECK_INT(build(&o, p, cmd, sizeof(cmd)), -1);
	CHECK_STR(cmd, "lb_mode packet: load balancer lb0: nexthop "
		       "198.18.1.3 is not on the interface of its first "
		       "back-end 198.19.0.11 (198.19.0.1/24): vr-lb sends "
		       "out of one interface");
	topo_plan_free(p);
	o.lb_mode = LB_MODE_FLOW; /* an ECMP route may */
	CHECK_INT(build(&o, p, cmd, sizeof(cmd)), 0);
	topo_plan_free(p);

	opts_for(&o, "msr");
	j = json_tokener_parse("{\"lb_mode\":\"hash\"}");
	CHECK_INT(topo_opts_from_json(j, &o, cmd, sizeof(cmd)), -1);
	CHECK_STR(cmd, "lb_mode: 'hash' is not flow or packet");
	json_object_put(j);
	free(p);
}

/* pvr --split macvtap (issue 17): the VRs' legs become queues of one
 * macvtap on the in port (same MAC, the source's gateway address), the
 * splitter, its legs and the routes through it go, the source gets a MAC
 * and every VR a static neighbour for it; refused where it cannot be. */
static void
test_split_macvtap(void)
{
	struct topo_plan *p = xcalloc(1, sizeof(*p));
	struct topo_opts o;
	char cmd[2048], want[128];
	json_object *j;

	opts_for(&o, "pvr");
	o.vrs = 3;
	o.split = SPLIT_MACVTAP;
	golden_topology("pvr-3vrs-split-macvtap", &o, p);
	CHECK_STR(p->splitter.netns, "");
	CHECK_INT(p->nsegments, 0);
	CHECK_STR(p->ports[0].bridge, "");
	CHECK(p->ports[0].ns_mac[0] != '\0');
	for (int n = 0; n < 3; n++) {
		const struct topo_if *f = &p->nodes[n].ifs[0];

		CHECK_INT(f->port, 0);
		CHECK_STR(f->host_if, "vr-pvr-mq");
		CHECK_STR(f->addr, "198.18.1.1/24");
		CHECK_STR(f->mac, p->nodes[0].ifs[0].mac);
		CHECK(topo_if_split_queue(p, f));
		CHECK(!topo_if_split_queue(p, &p->nodes[n].ifs[1]));
		CHECK_INT(p->nodes[n].nroutes, 1); /* default via the sink */
		CHECK_INT(topo_node_cmdline(p, n, cmd, sizeof(cmd)), 0);
		snprintf(want, sizeof(want), " vr.neigh=198.18.1.2,%s",
			 p->ports[0].ns_mac);
		CHECK(strstr(cmd, want) != NULL);
	}
	j = topo_plan_to_json(p);
	CHECK_STR(json_object_get_string(json_object_object_get(
		      json_object_object_get(j, "options"), "split")),
		  "macvtap");
	json_object_put(j);
	topo_plan_free(p);

	opts_for(&o, "monolithic");
	o.split = SPLIT_MACVTAP;
	CHECK_INT(build(&o, p, cmd, sizeof(cmd)), -1);
	CHECK(strstr(cmd, "split macvtap: topology monolithic has no "
			  "splitter") == cmd);
	topo_plan_free(p);

	opts_for(&o, "pvr");
	o.split = SPLIT_MACVTAP;
	o.backend = BACKEND_NETNS;
	CHECK_INT(build(&o, p, cmd, sizeof(cmd)), -1);
	CHECK(strstr(cmd, "use --backend vm") != NULL);
	topo_plan_free(p);

	opts_for(&o, "pvr");
	o.split = SPLIT_MACVTAP;
	topo_opts_set_ports(&o, "in=eth8,out=eth9", NULL, 0);
	CHECK_INT(build(&o, p, cmd, sizeof(cmd)), -1);
	CHECK(strstr(cmd, "--ports test only") != NULL);
	topo_plan_free(p);

	opts_for(&o, "pvr");
	j = json_tokener_parse("{\"split\":\"bond\"}");
	CHECK_INT(topo_opts_from_json(j, &o, cmd, sizeof(cmd)), -1);
	CHECK_STR(cmd, "split: 'bond' is not host or macvtap");
	json_object_put(j);
	free(p);
}

/* Under --routing every node's command line names a router id (vr.rid=)
 * that no other node's has: with --split macvtap every next hop's first
 * interface has the same address, which BIRD took for its id. */
static void
check_router_ids(const struct topo_plan *p)
{
	char cmd[2048], rid[TOPO_MAX_NODES][24];

	for (int n = 0; n < p->nnodes; n++) {
		const char *r;

		CHECK_INT(topo_node_cmdline(p, n, cmd, sizeof(cmd)), 0);
		r = strstr(cmd, " vr.rid=");
		CHECK(r != NULL);
		if (r == NULL)
			continue;
		snprintf(rid[n], sizeof(rid[n]), "%.*s",
			 (int)strcspn(r + 8, " "), r + 8);
		for (int i = 0; i < n; i++)
			if (strcmp(rid[i], rid[n]) == 0)
				CHECK_STR(p->nodes[n].name, "a distinct id");
	}
}

static void
test_router_ids(void)
{
	struct topo_plan *p = xcalloc(1, sizeof(*p));
	struct topo_opts o;
	char err[512];

	opts_for(&o, "msr");
	o.lbs = 2;
	o.split = SPLIT_MACVTAP;
	o.routing = ROUTING_OSPF;
	CHECK_INT(build(&o, p, err, sizeof(err)), 0);
	check_router_ids(p);
	topo_plan_free(p);
	o.routing = ROUTING_BGP;
	CHECK_INT(build(&o, p, err, sizeof(err)), 0);
	check_router_ids(p);
	topo_plan_free(p);
	opts_for(&o, "pvr");
	o.vrs = 3;
	o.split = SPLIT_MACVTAP;
	o.routing = ROUTING_OSPF;
	CHECK_INT(build(&o, p, err, sizeof(err)), 0);
	check_router_ids(p);
	topo_plan_free(p);
	/* static routing runs no BIRD: no id */
	o.routing = ROUTING_STATIC;
	CHECK_INT(build(&o, p, err, sizeof(err)), 0);
	CHECK_INT(topo_node_cmdline(p, 0, err, sizeof(err)), 0);
	CHECK(strstr(err, "vr.rid=") == NULL);
	topo_plan_free(p);
	free(p);
}

/* A node's own fib_routes (issue 17): over --fib-routes, on its command
 * line, through the plan's JSON; out of range refused with its path. */
static void
test_fib_routes_key(void)
{
	struct topo_plan *p = calloc(1, sizeof(*p));
	char err[512], line[TOPO_CMDLINE_MAX + 1];
	static const char t[] =
	    "{\"format\": 1, \"name\": \"x\", \"description\": \"d\", " NET2
	    ", \"nodes\": [{\"name\": \"vr0\", \"fib_routes\": 5000, "
	    "\"interfaces\": [{\"network\": \"a\", \"address\": "
	    "\"198.18.1.1/24\"}, {\"network\": \"b\", \"address\": "
	    "\"198.18.2.1/24\"}], \"routes\": [{\"dst\": \"default\", "
	    "\"via\": \"198.18.2.2\"}]}, {\"name\": \"vr1\", \"interfaces\": "
	    "[{\"network\": \"a\", \"address\": \"198.18.1.3/24\"}]}]}";
	static const char bad[] =
	    "{\"format\": 1, \"name\": \"x\", \"description\": \"d\", " NET2
	    ", \"nodes\": [{\"name\": \"vr0\", \"fib_routes\": 2000000, "
	    "\"interfaces\": [{\"network\": \"a\", \"address\": "
	    "\"198.18.1.1/24\"}]}]}";
	static const char small[] =
	    "{\"format\": 1, \"name\": \"x\", \"description\": \"d\", " NET2
	    ", \"nodes\": [{\"name\": \"vr0\", \"fib_routes\": 1000000, "
	    "\"memory_mib\": 200, \"interfaces\": [{\"network\": \"a\", "
	    "\"address\": \"198.18.1.1/24\"}, {\"network\": \"b\", "
	    "\"address\": \"198.18.2.1/24\"}], \"routes\": [{\"dst\": "
	    "\"default\", \"via\": \"198.18.2.2\"}]}]}";

	CHECK_INT(build_text(t, p, err, sizeof(err)), 0);
	CHECK_INT(topo_node_fib_routes(p, 0), 5000);
	CHECK_INT(topo_node_fib_routes(p, 1), 0);
	CHECK_INT(topo_plan_fib_min(p), 5000);
	CHECK_INT(topo_node_cmdline(p, 0, line, sizeof(line)), 0);
	CHECK(strstr(line, " vr.fib=5000,198.18.2.2") != NULL);
	CHECK_INT(topo_node_cmdline(p, 1, line, sizeof(line)), 0);
	CHECK(strstr(line, "vr.fib") == NULL);
	check_round_trip(p);
	topo_plan_free(p);
	CHECK_INT(build_text(bad, p, err, sizeof(err)), -1);
	CHECK(strstr(err, "nodes[0].fib_routes: 2000000 is out of range "
			  "(0-1000000)") != NULL);
	topo_plan_free(p);
	/* too little memory: the node's own memory_mib is what to raise
	 * (--memory would not change it) */
	CHECK_INT(build_text(small, p, err, sizeof(err)), -1);
	CHECK_STR(err, "fib_routes 1000000: node vr0 has 200 MiB, a guest "
		       "needs 373 MiB for that many routes: give it "
		       "memory_mib 373 (or more) in t.json");
	topo_plan_free(p);
	free(p);
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--dirs") == 0)
		return print_dirs();
	test_search_path();
	test_builtins();
	test_lb_mode_packet();
	test_split_macvtap();
	test_router_ids();
	test_builtin_ranges();
	test_cannot_forward();
	test_jtext();
	test_file_text();
	test_bad_files();
	test_fib_routes_key();
	return t_done("test_topofile");
}
