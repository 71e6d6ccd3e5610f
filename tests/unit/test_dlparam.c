/*
 * "RUNTIME/PERIOD" reservations (lib/dlparam.c) and the start params
 * that carry them (lib/topo.c "deadline", "vhost_deadline"; lib/topo_plan.c
 * refuses them without pin and on the netns backend).
 */
#include <stdio.h>
#include <string.h>

#include "dlparam.h"
#include "topo.h"
#include "util.h"
#include "t.h"

static void
test_parse(void)
{
	static const struct {
		const char *in, *err; /* err: a word the message holds */
		unsigned rt, period;
	} cases[] = {
	    {"200/1000", NULL, 200, 1000},
	    {"2/100", NULL, 2, 100},
	    {"1000/1000", NULL, 1000, 1000},
	    {"4194304/4194304", NULL, 4194304, 4194304},
	    {"1001/1000", "longer than the period", 0, 0},
	    {"1/1000", "below", 0, 0},
	    {"50/99", "out of range", 0, 0},
	    {"50/4194305", "out of range", 0, 0},
	    {"200", "not RUNTIME/PERIOD", 0, 0},
	    {"200/", "not RUNTIME/PERIOD", 0, 0},
	    {"/1000", "not RUNTIME/PERIOD", 0, 0},
	    {"-200/1000", "not RUNTIME/PERIOD", 0, 0},
	    {"200/1000x", "not RUNTIME/PERIOD", 0, 0},
	    {"200 /1000", "not RUNTIME/PERIOD", 0, 0},
	    {"99999999999999999999/1000", "not RUNTIME/PERIOD", 0, 0},
	    {"", "not RUNTIME/PERIOD", 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dlparam d = {0};
		char err[256] = "", buf[32];
		int rc = dlparam_parse(cases[i].in, &d, err, sizeof(err));

		if (cases[i].err == NULL) {
			CHECK_INT(rc, 0);
			CHECK_INT(d.runtime_us, cases[i].rt);
			CHECK_INT(d.period_us, cases[i].period);
			CHECK_STR(dlparam_format(&d, buf, sizeof(buf)),
				  cases[i].in);
		} else {
			CHECK_INT(rc, -1);
			CHECK(strstr(err, cases[i].err) != NULL);
			if (strstr(err, cases[i].err) == NULL)
				fprintf(stderr, "  %s: %s\n", cases[i].in, err);
		}
	}
}

/* The start params: parsed, in the plan's options only when set. */
static void
test_opts(void)
{
	struct topo_opts o;
	json_object *j, *v;
	char err[512] = "";

	topo_opts_init(&o);
	j = json_tokener_parse("{\"deadline\":\"200/1000\","
			       "\"vhost_deadline\":\"100/500\"}");
	CHECK_INT(topo_opts_from_json(j, &o, err, sizeof(err)), 0);
	json_object_put(j);
	CHECK_INT(o.deadline.runtime_us, 200);
	CHECK_INT(o.deadline.period_us, 1000);
	CHECK_INT(o.vhost_deadline.runtime_us, 100);
	CHECK_INT(o.vhost_deadline.period_us, 500);
	j = topo_opts_to_json(&o);
	CHECK(json_object_object_get_ex(j, "deadline", &v) &&
	      strcmp(json_object_get_string(v), "200/1000") == 0);
	CHECK(json_object_object_get_ex(j, "vhost_deadline", &v) &&
	      strcmp(json_object_get_string(v), "100/500") == 0);
	json_object_put(j);

	/* not set: not in the options (golden plans stay as they were) */
	topo_opts_init(&o);
	j = topo_opts_to_json(&o);
	CHECK(!json_object_object_get_ex(j, "deadline", NULL));
	CHECK(!json_object_object_get_ex(j, "vhost_deadline", NULL));
	json_object_put(j);

	j = json_tokener_parse("{\"deadline\":\"2000/1000\"}");
	CHECK_INT(topo_opts_from_json(j, &o, err, sizeof(err)), -1);
	CHECK_STR(err, "deadline: runtime 2000 us is longer than the period "
		       "1000 us");
	json_object_put(j);
	j = json_tokener_parse("{\"vhost_deadline\":7}");
	CHECK_INT(topo_opts_from_json(j, &o, err, sizeof(err)), -1);
	json_object_put(j);
}

/* Refused by the planner: without pin, and on the netns backend. */
static void
test_plan_refusals(void)
{
	static const char *const bad[][2] = {
	    {"{\"topology\":\"monolithic\",\"deadline\":\"200/1000\"}",
	     "need --pin"},
	    {"{\"topology\":\"monolithic\",\"pin\":true,\"backend\":\"netns\","
	     "\"deadline\":\"200/1000\"}",
	     "for --backend vm"},
	    {"{\"topology\":\"monolithic\",\"pin\":true,\"backend\":\"netns\","
	     "\"vhost_deadline\":\"200/1000\"}",
	     "for --backend vm"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct topo_opts o;
		static struct topo_plan p;
		cpu_set_t online, isolated;
		json_object *j = json_tokener_parse(bad[i][0]);
		char err[512] = "";
		int rc;

		topo_opts_init(&o);
		rc = topo_opts_from_json(j, &o, err, sizeof(err));
		CHECK_INT(rc, 0);
		cpulist_parse("0-7", &online);
		CPU_ZERO(&isolated);
		if (rc == 0)
			rc = topo_plan_build(&o, &online, &isolated, &p, err,
					     sizeof(err));
		CHECK_INT(rc, -1);
		CHECK(strstr(err, bad[i][1]) != NULL);
		if (strstr(err, bad[i][1]) == NULL)
			fprintf(stderr, "  %s: %s\n", bad[i][0], err);
		json_object_put(j);
	}
}

int
main(void)
{
	test_parse();
	test_opts();
	test_plan_refusals();
	return t_done("test_dlparam");
}
