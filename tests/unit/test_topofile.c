/*
 * Topology files: the built-in pvr, msr and monolithic files expanded on a
 * fixed fake host (CPUs 0-7), their plan JSON and `vrctl topology` text
 * against golden files, the plan JSON round trip (adoption) for all three,
 * and every file in tests/topologies/bad/ against its expected error
 * (NAME.err next to NAME.json).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "golden.h"
#include "t.h"
#include "topo.h"
#include "util.h"
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

int
main(void)
{
	test_builtins();
	test_file_text();
	test_bad_files();
	return t_done("test_topofile");
}
