/*
 * The topology the multi-host unit tests place (test_topo_hosts,
 * test_part): three routers in a chain whose hosts the test chooses, and
 * a plan built from a topology file's text on a fake 8-CPU host.
 * Included by one test program each (static definitions).
 */
#ifndef VR_TEST_HOSTCHAIN_H
#define VR_TEST_HOSTCHAIN_H

#include <sched.h>
#include <string.h>

#include "topo.h"
#include "util.h"

/* r0 here, r1 on b (with the out port), r2 on c: "mid" spans all three,
 * "side" b and c, ingress stays here, egress on b. */
#define CHAIN(R1HOST, R2HOST, OUTHOST)                                         \
	"{\"format\": 1, \"name\": \"chain\", \"description\": \"d\", "        \
	"\"ports\": {\"in\": {\"address\": \"198.18.1.2/24\", \"gateway\": "   \
	"\"198.18.1.1\"}, \"out\": {\"address\": \"198.18.2.2/24\", "          \
	"\"gateway\": \"198.18.2.1\"" OUTHOST "}}, "                           \
	"\"networks\": [{\"name\": \"ingress\", \"port\": \"in\"}, "           \
	"{\"name\": \"mid\"}, {\"name\": \"side\"}, "                          \
	"{\"name\": \"egress\", \"port\": \"out\"}], "                         \
	"\"nodes\": ["                                                         \
	"{\"name\": \"r0\", \"interfaces\": [{\"network\": \"ingress\", "      \
	"\"address\": \"198.18.1.1/24\"}, {\"network\": \"mid\", "             \
	"\"address\": \"198.19.0.1/24\"}]},"                                   \
	"{\"name\": \"r1\"" R1HOST ", \"interfaces\": [{\"network\": "         \
	"\"mid\", \"address\": \"198.19.0.2/24\"}, {\"network\": \"egress\", " \
	"\"address\": \"198.18.2.1/24\"}, {\"network\": \"side\", "            \
	"\"address\": \"198.19.1.1/24\"}]},"                                   \
	"{\"name\": \"r2\"" R2HOST ", \"interfaces\": [{\"network\": "         \
	"\"mid\", \"address\": \"198.19.0.3/24\"}, {\"network\": \"side\", "   \
	"\"address\": \"198.19.1.2/24\"}]}]}"

static const char chain3[] =
    CHAIN(", \"host\": \"b\"", ", \"host\": \"c\"", ", \"host\": \"b\"");

static int
build(const char *text, int link, struct topo_plan *p, char *err, size_t errlen)
{
	struct topo_opts o;
	cpu_set_t online, isolated;

	topo_opts_init(&o);
	vr_strlcpy(o.file, "t.json", sizeof(o.file));
	o.file_text = text;
	o.link = link;
	cpulist_parse("0-7", &online);
	CPU_ZERO(&isolated);
	err[0] = '\0';
	return topo_plan_build(&o, &online, &isolated, p, err, errlen);
}

#endif
