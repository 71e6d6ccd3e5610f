/*
 * The placement planner (lib/topo_hosts.c) and the "host" keys of topology
 * files: which host holds which node, port and network; the VNI of every
 * network spanning hosts (deterministic, in range, distinct); its planned
 * MTU (the smallest underlay MTU less 50 for IPv4, 70 for IPv6); each
 * host's sub-plan and VXLAN remotes; the errors; the daemon's refusal of
 * a plan placed on other hosts; the plan's JSON and its round trip.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "t.h"
#include "topo.h"
#include "topo_hosts.h"
#include "util.h"

#include "hostchain.h"

static const char chain_local[] = CHAIN("", "", "");

static const struct topo_hnet *
net(const struct topo_hosts *h, const char *name)
{
	for (int i = 0; i < h->nnets; i++)
		if (strcmp(h->nets[i].name, name) == 0)
			return &h->nets[i];
	return NULL;
}

static const struct topo_underlay u4[] = {
    {"local", "198.18.0.1", 1500},
    {"b", "198.18.0.2", 9000},
    {"c", "198.18.0.3", 1400},
};

static void
test_placement(struct topo_plan *p)
{
	struct topo_hosts h;
	const struct topo_hnet *mid, *side, *in, *eg;
	char err[512];

	CHECK_INT(topo_hosts_plan(p, NULL, u4, 3, &h, err, sizeof(err)), 0);
	CHECK_INT(h.nhosts, 3);
	CHECK_STR(h.hosts[0].name, "local");
	CHECK_STR(h.hosts[1].name, "b");
	CHECK_STR(h.hosts[2].name, "c");
	CHECK_INT(h.assumed, 0);
	CHECK_INT(h.ipv6, 0);
	/* sub-plans */
	CHECK_INT(h.hosts[0].nnodes, 1);
	CHECK_INT(h.hosts[0].nodes[0], 0);
	CHECK_INT(h.hosts[0].nports, 1);
	CHECK_INT(h.hosts[0].ports[0], 0);
	CHECK_INT(h.hosts[1].nnodes, 1);
	CHECK_INT(h.hosts[1].nodes[0], 1);
	CHECK_INT(h.hosts[1].nports, 1);
	CHECK_INT(h.hosts[1].ports[0], 1);
	CHECK_INT(h.hosts[2].nnodes, 1);
	CHECK_INT(h.hosts[2].nports, 0);
	CHECK_INT(h.hosts[0].nnets, 2); /* mid, port:in */
	CHECK_INT(h.hosts[1].nnets, 3); /* mid, side, port:out */
	CHECK_INT(h.hosts[2].nnets, 2); /* mid, side */
	CHECK_STR(h.nets[h.hosts[1].nets[2]].name, "port:out");
	/* networks and who is on them */
	CHECK_INT(h.nnets, 4);
	mid = net(&h, "mid");
	side = net(&h, "side");
	in = net(&h, "port:in");
	eg = net(&h, "port:out");
	CHECK(mid && side && in && eg);
	if (!(mid && side && in && eg))
		return;
	CHECK_INT(mid->hosts, 7);
	CHECK_INT(mid->nhosts, 3);
	CHECK_INT(side->hosts, 6);
	CHECK_INT(in->hosts, 1);
	CHECK_INT(eg->hosts, 2);
	CHECK_STR(mid->bridge, p->segments[mid->segment].bridge);
	/* only spanning networks get a VXLAN */
	CHECK_INT(in->vni, 0);
	CHECK_INT(in->mtu, 0);
	CHECK_INT(eg->vni, 0);
	CHECK(mid->vni >= TOPO_VNI_FIRST && mid->vni <= TOPO_VNI_LAST);
	CHECK(side->vni >= TOPO_VNI_FIRST && side->vni <= TOPO_VNI_LAST);
	CHECK(mid->vni != side->vni);
	/* MTU: the smallest underlay among the network's hosts, less 50 */
	CHECK_INT(mid->mtu, 1400 - 50);
	CHECK_INT(side->mtu, 1400 - 50);
}

static void
test_mtu(struct topo_plan *p)
{
	struct topo_underlay u[3];
	struct topo_hosts h;
	char err[512];

	CHECK_INT(topo_vxlan_mtu(1500, 0), 1450);
	CHECK_INT(topo_vxlan_mtu(1500, 1), 1430);
	CHECK_INT(topo_vxlan_mtu(9000, 0), 8950);
	CHECK_INT(topo_vxlan_mtu(118, 0), 68);
	CHECK_INT(topo_vxlan_mtu(117, 0), -1);
	CHECK_INT(topo_vxlan_mtu(137, 1), -1);
	CHECK_INT(topo_vxlan_mtu(138, 1), 68);

	/* side spans b and c only: local's small MTU does not limit it */
	memcpy(u, u4, sizeof(u));
	u[0].mtu = 1280;
	u[2].mtu = 9000;
	CHECK_INT(topo_hosts_plan(p, NULL, u, 3, &h, err, sizeof(err)), 0);
	CHECK_INT(net(&h, "mid")->mtu, 1230);
	CHECK_INT(net(&h, "side")->mtu, 8950);
	/* an IPv6 underlay costs 20 bytes more */
	u[0].addr = "2001:db8::1";
	u[1].addr = "2001:db8::2";
	u[2].addr = "2001:db8::3";
	CHECK_INT(topo_hosts_plan(p, NULL, u, 3, &h, err, sizeof(err)), 0);
	CHECK_INT(h.ipv6, 1);
	CHECK_INT(net(&h, "mid")->mtu, 1280 - 70);
	CHECK_INT(net(&h, "side")->mtu, 9000 - 70);
	/* none given: 1500 over IPv4 assumed, no addresses */
	CHECK_INT(topo_hosts_plan(p, NULL, NULL, 0, &h, err, sizeof(err)), 0);
	CHECK_INT(h.assumed, 1);
	CHECK_INT(net(&h, "mid")->mtu, 1450);
	CHECK_STR(h.hosts[1].addr, "");
}

static void
test_vni(struct topo_plan *p)
{
	struct topo_hosts h1, h2;
	uint32_t v, taken[2];
	char err[512];

	/* the same on every call (every host, every run, every version:
	 * peers must agree), so pinned */
	v = topo_vni_pick("chain", "mid", NULL, 0);
	CHECK_INT(v, topo_vni_pick("chain", "mid", NULL, 0));
	CHECK_INT(v, 10921519);
	CHECK(v != topo_vni_pick("chain", "side", NULL, 0));
	CHECK(v != topo_vni_pick("chain2", "mid", NULL, 0));
	/* "a/b" + "c" and "a" + "b/c" would hash alike: names hold no '/' */
	CHECK(!name_ok(NAME_INSTANCE, "a/b") && !name_ok(NAME_FILE, "b/c"));
	/* taken: the next one up, then the one after */
	taken[0] = v;
	CHECK_INT(topo_vni_pick("chain", "mid", taken, 1), v + 1);
	taken[1] = v + 1;
	CHECK_INT(topo_vni_pick("chain", "mid", taken, 2), v + 2);
	/* the last VNI of the range, taken: wraps to the first */
	CHECK_INT(topo_vni_pick("w", "n32179840", NULL, 0), TOPO_VNI_LAST);
	taken[0] = TOPO_VNI_LAST;
	CHECK_INT(topo_vni_pick("w", "n32179840", taken, 1), TOPO_VNI_FIRST);

	/* the plan: instance name + network, in plan order */
	CHECK_INT(topo_hosts_plan(p, NULL, u4, 3, &h1, err, sizeof(err)), 0);
	CHECK_INT(topo_hosts_plan(p, "local", u4, 3, &h2, err, sizeof(err)), 0);
	CHECK_INT(net(&h1, "mid")->vni, net(&h2, "mid")->vni);
	CHECK_INT(net(&h1, "mid")->vni,
		  topo_vni_pick(p->opts.name, "mid", NULL, 0));
	taken[0] = net(&h1, "mid")->vni;
	CHECK_INT(net(&h1, "side")->vni,
		  topo_vni_pick(p->opts.name, "side", taken, 1));
}

static void
test_errors(struct topo_plan *p)
{
	struct topo_underlay u[3];
	struct topo_hosts h;
	char err[512];

	/* a host nobody configured */
	CHECK_INT(topo_hosts_plan(p, NULL, u4, 2, &h, err, sizeof(err)), -1);
	CHECK_STR(err, "host 'c' is not among the configured hosts");
	CHECK_INT(h.nhosts, 0); /* nothing half-filled */
	/* the coordinator under its own name: "local" in u is then unknown */
	CHECK_INT(topo_hosts_plan(p, "a", u4, 3, &h, err, sizeof(err)), -1);
	CHECK_STR(err, "host 'a' is not among the configured hosts");
	CHECK_INT(topo_hosts_plan(p, "Bad_Name", u4, 3, &h, err, sizeof(err)),
		  -1);
	CHECK(strstr(err, "this host's name 'Bad_Name': use 1-32") != NULL);
	memcpy(u, u4, sizeof(u));
	u[2].addr = "2001:db8::3";
	CHECK_INT(topo_hosts_plan(p, NULL, u, 3, &h, err, sizeof(err)), -1);
	CHECK_STR(err, "host 'c': tunnel address 2001:db8::3 is IPv6 but "
		       "host 'local' has IPv4: a VXLAN joins one family");
	u[2].addr = "198.18.0.3/24";
	CHECK_INT(topo_hosts_plan(p, NULL, u, 3, &h, err, sizeof(err)), -1);
	CHECK_STR(err, "host 'c': tunnel address '198.18.0.3/24' is not an "
		       "IPv4 or IPv6 address");
	u[2].addr = NULL;
	CHECK_INT(topo_hosts_plan(p, NULL, u, 3, &h, err, sizeof(err)), -1);
	u[2] = u4[2];
	u[1].mtu = 67;
	CHECK_INT(topo_hosts_plan(p, NULL, u, 3, &h, err, sizeof(err)), -1);
	CHECK_STR(err, "host 'b': underlay MTU 67 is not 68-65535");
	u[1].mtu = 100; /* valid, but 50 of it is the VXLAN's */
	CHECK_INT(topo_hosts_plan(p, NULL, u, 3, &h, err, sizeof(err)), -1);
	CHECK_STR(err, "network mid: an underlay MTU of 100 leaves too little "
		       "after the VXLAN header (50 bytes)");
}

/* 16 nodes on h0..h15 and the ports here: 17 hosts, one too many. */
static const char many_fmt[] =
    "{\"format\": 1, \"name\": \"many\", \"description\": \"d\", "
    "\"ports\": {\"in\": {\"gateway\": \"198.18.1.10\"}, "
    "\"out\": {\"gateway\": \"198.18.2.10\"}}, "
    "\"networks\": [{\"name\": \"a\", \"port\": \"in\"}, {\"name\": "
    "\"b\", \"port\": \"out\"}], \"nodes\": [{\"name\": \"r{i}\", "
    "\"count\": %d, \"host\": \"h{i}\", \"vcpus\": 1, "
    "\"memory_mib\": 32, \"interfaces\": [{\"network\": \"a\", "
    "\"address\": \"198.18.1.{i+10}/24\"}, {\"network\": \"b\", "
    "\"address\": \"198.18.2.{i+10}/24\"}]}]}";

static void
test_too_many_hosts(void)
{
	struct topo_plan *p = calloc(1, sizeof(*p));
	char text[2048], err[512];

	snprintf(text, sizeof(text), many_fmt, TOPO_MAX_HOSTS);
	CHECK_INT(build(text, LINK_TAP, p, err, sizeof(err)), -1);
	CHECK_STR(err, "placement: host 'h15': more than 16 hosts in one "
		       "topology");
	snprintf(text, sizeof(text), many_fmt, TOPO_MAX_HOSTS - 1);
	CHECK_INT(build(text, LINK_TAP, p, err, sizeof(err)), 0);
	topo_plan_free(p);
	free(p);
}

/* "host" in topology files: where it may be, what it may say. */
static void
test_file(void)
{
	struct topo_plan *p = calloc(1, sizeof(*p));
	char text[8192], err[512];

	/* a template, counted */
	CHECK_INT(build(chain3, LINK_TAP, p, err, sizeof(err)), 0);
	CHECK_STR(p->nodes[0].host, "");
	CHECK_STR(p->nodes[1].host, "b");
	CHECK_STR(p->nodes[2].host, "c");
	CHECK_STR(p->ports[0].host, "");
	CHECK_STR(p->ports[1].host, "b");
	topo_plan_free(p);

	snprintf(text, sizeof(text), "%s",
		 CHAIN(", \"host\": \"B_1\"", "", ""));
	CHECK_INT(build(text, LINK_TAP, p, err, sizeof(err)), -1);
	CHECK_STR(err, "t.json: $.nodes[1].host: 'B_1': use 1-32 characters "
		       "a-z, 0-9 and '-', starting with a letter or digit");
	snprintf(text, sizeof(text), "%s", CHAIN(", \"host\": 7", "", ""));
	CHECK_INT(build(text, LINK_TAP, p, err, sizeof(err)), -1);
	CHECK(strstr(err, "$.nodes[1].host") != NULL);
	snprintf(text, sizeof(text), "%s", CHAIN(", \"host\": \"\"", "", ""));
	CHECK_INT(build(text, LINK_TAP, p, err, sizeof(err)), -1);
	snprintf(text, sizeof(text), "%s", CHAIN("", "", ", \"host\": \"-b\""));
	CHECK_INT(build(text, LINK_TAP, p, err, sizeof(err)), -1);
	CHECK(strstr(err, "t.json: $.ports.out.host: '-b': use") != NULL);
	snprintf(
	    text, sizeof(text), "%s",
	    CHAIN("", "", ", \"host\": \"h23456789012345678901234567890123\""));
	CHECK_INT(build(text, LINK_TAP, p, err, sizeof(err)), -1);
	/* 32 is fine */
	snprintf(
	    text, sizeof(text), "%s",
	    CHAIN("", "", ", \"host\": \"h2345678901234567890123456789012\""));
	CHECK_INT(build(text, LINK_TAP, p, err, sizeof(err)), 0);
	topo_plan_free(p);

	/* a port network spanning hosts needs a bridge for its VXLAN:
	 * with --link macvtap a port's single member has none */
	snprintf(text, sizeof(text), "%s",
		 "{\"format\": 1, \"name\": \"m\", \"description\": \"d\", "
		 "\"ports\": {\"out\": {\"host\": \"b\"}}, "
		 "\"networks\": [{\"name\": \"a\", \"port\": \"in\"}, "
		 "{\"name\": \"b\", \"port\": \"out\"}], \"nodes\": "
		 "[{\"name\": \"vr0\", \"interfaces\": [{\"network\": \"a\", "
		 "\"address\": \"198.18.1.1/24\"}, {\"network\": \"b\", "
		 "\"address\": \"198.18.2.1/24\"}]}]}");
	CHECK_INT(build(text, LINK_MACVTAP, p, err, sizeof(err)), -1);
	CHECK_STR(err, "placement: network port:out spans hosts but has no "
		       "bridge to join a VXLAN to (--link macvtap on a port's "
		       "only member); use --link tap");
	CHECK_INT(build(text, LINK_TAP, p, err, sizeof(err)), 0);
	topo_plan_free(p);
	free(p);
}

/* The daemon refuses plans that place anything on another host. */
static void
test_local_only(void)
{
	struct topo_plan *p = calloc(1, sizeof(*p));
	char err[512];

	CHECK_INT(build(chain3, LINK_TAP, p, err, sizeof(err)), 0);
	CHECK_INT(topo_hosts_placed(p), 1);
	CHECK_INT(topo_hosts_local_only(p, err, sizeof(err)), -1);
	CHECK(strstr(err, "node r1 is placed on host 'b': deployment across "
			  "hosts is not wired to vrouterd yet") == err);
	/* the hosts it spans (a migration refuses more than two) */
	{
		char names[TOPO_MAX_HOSTS][TOPO_HOST_LEN + 1];
		int n = 0;

		CHECK_INT(topo_hosts_span(p, "a", names, &n, TOPO_MAX_HOSTS),
			  3);
		CHECK_STR(names[0], "a");
		CHECK_STR(names[1], "b");
		CHECK_STR(names[2], "c");
		/* a part that does not know the coordinator: "" unknown */
		n = 0;
		CHECK_INT(topo_hosts_span(p, NULL, names, &n, TOPO_MAX_HOSTS),
			  2);
		CHECK_INT(
		    topo_hosts_set_add(names, &n, TOPO_MAX_HOSTS, "b", NULL),
		    2);
		CHECK_INT(topo_hosts_set_add(names, &n, 2, "d", NULL), 2);
	}
	topo_plan_free(p);
	CHECK_INT(build(CHAIN("", "", ", \"host\": \"b\""), LINK_TAP, p, err,
			sizeof(err)),
		  0);
	CHECK_INT(topo_hosts_local_only(p, err, sizeof(err)), -1);
	CHECK(strstr(err, "port out is placed on host 'b': deployment") == err);
	topo_plan_free(p);
	/* "local" is this host */
	CHECK_INT(build(CHAIN(", \"host\": \"local\"", "", ""), LINK_TAP, p,
			err, sizeof(err)),
		  0);
	CHECK_INT(topo_hosts_placed(p), 0);
	CHECK_INT(topo_hosts_local_only(p, err, sizeof(err)), 0);
	topo_plan_free(p);
	CHECK_INT(build(chain_local, LINK_TAP, p, err, sizeof(err)), 0);
	CHECK_INT(topo_hosts_placed(p), 0);
	CHECK_INT(topo_hosts_local_only(p, err, sizeof(err)), 0);
	{
		char names[TOPO_MAX_HOSTS][TOPO_HOST_LEN + 1];
		int n = 0;

		CHECK_INT(topo_hosts_span(p, "a", names, &n, TOPO_MAX_HOSTS),
			  1);
	}
	topo_plan_free(p);
	free(p);
}

/* "placement" in the plan's JSON, and "host" through a round trip. */
static void
test_json(struct topo_plan *p)
{
	struct topo_plan *q = calloc(1, sizeof(*q));
	json_object *j, *pl, *v, *hb, *x;
	char err[512];

	j = topo_plan_to_json(p);
	CHECK(json_object_object_get_ex(j, "placement", &pl));
	CHECK(json_object_object_get_ex(pl, "underlay", &v) &&
	      strcmp(json_object_get_string(v), "assumed") == 0);
	CHECK(json_object_object_get_ex(pl, "hosts", &v) &&
	      json_object_array_length(v) == 3);
	hb = json_object_array_get_idx(v, 1);
	CHECK(json_object_object_get_ex(hb, "name", &x) &&
	      strcmp(json_object_get_string(x), "b") == 0);
	CHECK(json_object_object_get_ex(hb, "vxlans", &x) &&
	      json_object_array_length(x) == 2);
	x = json_object_array_get_idx(x, 0);
	CHECK_STR(json_object_to_json_string_ext(x, JSON_C_TO_STRING_PLAIN),
		  "{\"network\":\"mid\",\"vni\":10921519,\"remotes\":"
		  "[\"local\",\"c\"]}");
	CHECK(json_object_object_get_ex(pl, "networks", &v) &&
	      json_object_array_length(v) == 4);
	x = json_object_array_get_idx(v, 0);
	CHECK(strstr(json_object_to_json_string_ext(x, JSON_C_TO_STRING_PLAIN),
		     "\"name\":\"mid\",\"bridge\":\"vr-chain-n0\",\"hosts\":"
		     "[\"local\",\"b\",\"c\"],\"vni\":10921519,\"mtu\":1450") !=
	      NULL);
	CHECK_INT(topo_plan_from_json(j, q, err, sizeof(err)), 0);
	CHECK_STR(q->nodes[1].host, "b");
	CHECK_STR(q->nodes[2].host, "c");
	CHECK_STR(q->ports[1].host, "b");
	CHECK_STR(q->ports[0].host, "");
	topo_plan_free(q);
	/* a bad host in a plan read back */
	json_object_object_get_ex(j, "nodes", &v);
	json_object_object_add(json_object_array_get_idx(v, 1), "host",
			       json_object_new_string("B"));
	CHECK_INT(topo_plan_from_json(j, q, err, sizeof(err)), -1);
	CHECK(strstr(err, "plan: $.nodes[1].host: 'B': use") != NULL);
	json_object_put(j);
	/* no host anywhere: no placement, no "host" key */
	CHECK_INT(build(chain_local, LINK_TAP, q, err, sizeof(err)), 0);
	j = topo_plan_to_json(q);
	CHECK(!json_object_object_get_ex(j, "placement", NULL));
	CHECK(strstr(json_object_to_json_string(j), "\"host\"") == NULL);
	json_object_put(j);
	topo_plan_free(q);
	free(q);
}

int
main(void)
{
	struct topo_plan *p = calloc(1, sizeof(*p));
	char err[512];

	if (build(chain3, LINK_TAP, p, err, sizeof(err)) == -1) {
		fprintf(stderr, "chain: %s\n", err);
		return 1;
	}
	test_placement(p);
	test_mtu(p);
	test_vni(p);
	test_errors(p);
	test_json(p);
	topo_plan_free(p);
	free(p);
	test_too_many_hosts();
	test_file();
	test_local_only();
	return t_done("test_topo_hosts");
}
