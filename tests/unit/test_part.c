/*
 * One host's part of a topology across hosts (daemon/part.c): the
 * underlay string, and the plan cut to a host's share: its nodes only
 * (in plan order), ports elsewhere reduced to their network's bridge or
 * nothing, bridges of networks held elsewhere emptied, the splitter only
 * on the coordinator, a VXLAN per shared network with the other member
 * hosts as remotes and the planned MTU on every interface on it; the
 * VXLAN device names; the errors.  With --pin: the whole plan is not
 * pinned (on whose CPUs?); each host pins its own share on its own CPUs,
 * its nodes renumbered from 0, and refuses a share that does not fit.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deploy.h"
#include "hostinfo.h"
#include "part.h"
#include "t.h"
#include "topo.h"
#include "topo_hosts.h"
#include "util.h"

#include "hostchain.h"

#define UL "a=198.18.0.1,b=198.18.0.2,c=198.18.0.3"

static const struct deploy_vxlan *
vx_of(const struct deploy *d, const char *bridge)
{
	for (int i = 0; i < d->nvxlans; i++)
		if (strcmp(d->vxlans[i].bridge, bridge) == 0)
			return &d->vxlans[i];
	return NULL;
}

static void
test_underlay(void)
{
	struct part_underlay u;
	char err[256];

	CHECK_INT(part_underlay(UL, &u, err, sizeof(err)), 0);
	CHECK_INT(u.n, 3);
	CHECK_STR(u.u[1].host, "b");
	CHECK_STR(u.u[1].addr, "198.18.0.2");
	CHECK_INT(u.u[2].mtu, TOPO_UNDERLAY_MTU_DEFAULT);
	CHECK_INT(part_underlay("a", &u, err, sizeof(err)), -1);
	CHECK(strstr(err, "not NAME=ADDRESS") != NULL);
	CHECK_INT(part_underlay("=1.2.3.4", &u, err, sizeof(err)), -1);
	CHECK_INT(part_underlay("", &u, err, sizeof(err)), -1);
	/* @MTU: the host's underlay MTU (tunnel_mtu) */
	CHECK_INT(part_underlay("a=198.18.0.1@9000,b=2001:db8::2@1400", &u, err,
				sizeof(err)),
		  0);
	CHECK_STR(u.u[0].addr, "198.18.0.1");
	CHECK_INT(u.u[0].mtu, 9000);
	CHECK_STR(u.u[1].addr, "2001:db8::2");
	CHECK_INT(u.u[1].mtu, 1400);
	CHECK_INT(part_underlay("a=198.18.0.1@1279", &u, err, sizeof(err)), -1);
	CHECK(strstr(err, "host a: MTU \"1279\" is not an integer in "
			  "1280..65535") != NULL);
	CHECK_INT(part_underlay("a=198.18.0.1@65536", &u, err, sizeof(err)),
		  -1);
	CHECK_INT(part_underlay("a=198.18.0.1@", &u, err, sizeof(err)), -1);
	CHECK_INT(part_underlay("a=198.18.0.1@9k", &u, err, sizeof(err)), -1);
}

/* The planned MTU: the smallest underlay MTU of the network's hosts less
 * 50 (IPv4) or 70 (IPv6); a network on hosts with larger MTUs gets more. */
static void
test_mtu_plan(void)
{
	struct topo_plan *p = calloc(1, sizeof(*p));
	struct topo_hosts *hs = calloc(1, sizeof(*hs));
	struct deploy *d = calloc(1, sizeof(*d));
	const struct deploy_vxlan *x;
	char err[512], mid[16], side[16];
	struct topo_host th = {.name = "b", .addr = "127.0.0.1", .mtu = 1500};

	/* mid spans a, b, c; side b and c */
	CHECK_INT(build(chain3, LINK_TAP, p, err, sizeof(err)), 0);
	vr_strlcpy(mid, p->segments[0].bridge, sizeof(mid));
	vr_strlcpy(side, p->segments[1].bridge, sizeof(side));
	CHECK_INT(part_plan(p, "a",
			    "a=198.18.0.1@1400,b=198.18.0.2@9000,"
			    "c=198.18.0.3@9000",
			    "b", NULL, hs, d, NULL, err, sizeof(err)),
		  0);
	CHECK((x = vx_of(d, mid)) != NULL);
	if (x)
		CHECK_INT(x->mtu, 1350); /* a's 1400 - 50 */
	CHECK((x = vx_of(d, side)) != NULL);
	if (x)
		CHECK_INT(x->mtu, 8950); /* b and c: 9000 - 50 */
	CHECK_INT(p->nodes[0].ifs[0].mtu, 1350);
	CHECK_INT(p->nodes[0].ifs[2].mtu, 8950);
	/* kept in the plan's JSON (plan.json: a netns node restarted after
	 * adoption gets its MTUs again) */
	{
		json_object *j = topo_plan_to_json(p);
		struct topo_plan *q = calloc(1, sizeof(*q));

		CHECK_INT(topo_plan_from_json(j, q, err, sizeof(err)), 0);
		CHECK_INT(q->nodes[0].ifs[0].mtu, 1350);
		CHECK_INT(q->nodes[0].ifs[1].mtu, 0);
		CHECK_INT(q->nodes[0].ifs[2].mtu, 8950);
		json_object_put(j);
		topo_plan_free(q);
		free(q);
	}
	topo_plan_free(p);
	memset(p, 0, sizeof(*p));
	/* IPv6 underlay: - 70 */
	CHECK_INT(build(chain3, LINK_TAP, p, err, sizeof(err)), 0);
	CHECK_INT(part_plan(p, "a",
			    "a=2001:db8::1@1280,b=2001:db8::2,c=2001:db8::3",
			    "b", NULL, hs, d, NULL, err, sizeof(err)),
		  0);
	CHECK((x = vx_of(d, mid)) != NULL);
	if (x)
		CHECK_INT(x->mtu, 1210);
	CHECK((x = vx_of(d, side)) != NULL);
	if (x)
		CHECK_INT(x->mtu, 1430);
	topo_plan_free(p);
	free(p);
	free(hs);
	free(d);

	/* this host's link: lo holds 127.0.0.1 (MTU 65536 or less) */
	CHECK_INT(part_mtu_check(&th, err, sizeof(err)), 0);
	th.mtu = 65535;
	if (part_mtu_check(&th, err, sizeof(err)) == -1)
		CHECK(strstr(err,
			     "host b: its underlay MTU is configured as "
			     "65535 (tunnel_mtu), but lo, which holds "
			     "its tunnel address 127.0.0.1, has MTU") != NULL);
	/* an address no link holds: not checked */
	vr_strlcpy(th.addr, "192.0.2.77", sizeof(th.addr));
	CHECK_INT(part_mtu_check(&th, err, sizeof(err)), 0);
}

static void
test_cut_b(void)
{
	struct topo_plan *p = calloc(1, sizeof(*p));
	struct topo_hosts *hs = calloc(1, sizeof(*hs));
	struct deploy *d = calloc(1, sizeof(*d));
	const struct deploy_vxlan *x;
	json_object *remote = NULL;
	char err[512], mid[16], side[16], ingress[16];

	CHECK_INT(build(chain3, LINK_TAP, p, err, sizeof(err)), 0);
	vr_strlcpy(mid, p->segments[0].bridge, sizeof(mid));
	vr_strlcpy(side, p->segments[1].bridge, sizeof(side));
	vr_strlcpy(ingress, p->ports[0].bridge, sizeof(ingress));
	CHECK_INT(
	    part_plan(p, "a", UL, "b", NULL, hs, d, &remote, err, sizeof(err)),
	    0);
	/* b holds r1 and the out port */
	CHECK_INT(p->nnodes, 1);
	CHECK_STR(p->nodes[0].name, "r1");
	CHECK_STR(p->ports[0].host_if, "");
	CHECK_STR(p->ports[0].bridge, ""); /* ingress: a's only */
	CHECK_INT(p->ports[0].created, 0);
	CHECK(p->ports[1].host_if[0] != '\0');
	CHECK_STR(p->segments[0].bridge, mid);
	CHECK_STR(p->segments[1].bridge, side);
	CHECK_STR(p->splitter.netns, "");
	/* mid spans a, b, c; side b and c; egress only b: no VXLAN */
	CHECK_INT(d->nvxlans, 2);
	CHECK((x = vx_of(d, mid)) != NULL);
	if (x) {
		CHECK_STR(x->local, "198.18.0.2");
		CHECK_INT(x->nremotes, 2);
		CHECK_STR(x->remotes[0], "198.18.0.1");
		CHECK_STR(x->remotes[1], "198.18.0.3");
		CHECK_INT(x->mtu, 1450);
		CHECK(x->vni >= TOPO_VNI_FIRST);
		CHECK_INT(strncmp(x->name, mid, strlen(mid) - 2), 0);
		CHECK(x->name[strlen(mid) - 2] == 'x');
	}
	CHECK((x = vx_of(d, side)) != NULL);
	if (x) {
		CHECK_INT(x->nremotes, 1);
		CHECK_STR(x->remotes[0], "198.18.0.3");
	}
	/* r1's interfaces: mid and side at 1450, egress (b only) default */
	CHECK_INT(p->nodes[0].ifs[0].mtu, 1450);
	CHECK_INT(p->nodes[0].ifs[1].mtu, 0);
	CHECK_INT(p->nodes[0].ifs[2].mtu, 1450);
	/* the others' nodes, for status */
	CHECK_STR(
	    json_object_to_json_string_ext(remote, JSON_C_TO_STRING_PLAIN),
	    "[{\"name\":\"r0\",\"host\":\"a\"},"
	    "{\"name\":\"r2\",\"host\":\"c\"}]");
	json_object_put(remote);
	topo_plan_free(p);
	free(p);
	free(hs);
	free(d);
}

static void
test_cut_coordinator(void)
{
	struct topo_plan *p = calloc(1, sizeof(*p));
	struct topo_hosts *hs = calloc(1, sizeof(*hs));
	struct deploy *d = calloc(1, sizeof(*d));
	char err[512], side[16];

	CHECK_INT(build(chain3, LINK_TAP, p, err, sizeof(err)), 0);
	vr_strlcpy(side, p->segments[1].bridge, sizeof(side));
	CHECK_INT(
	    part_plan(p, "a", UL, "a", NULL, hs, d, NULL, err, sizeof(err)), 0);
	CHECK_INT(p->nnodes, 1);
	CHECK_STR(p->nodes[0].name, "r0");
	CHECK(p->ports[0].host_if[0] != '\0'); /* in: a's */
	CHECK_STR(p->ports[1].host_if, "");    /* out: b's */
	CHECK_STR(p->ports[1].bridge, "");     /* egress: b only */
	CHECK_STR(p->segments[1].bridge, "");  /* side: b and c */
	CHECK_INT(d->nvxlans, 1);	       /* mid */
	CHECK_INT(d->vxlans[0].nremotes, 2);
	CHECK_INT(p->nodes[0].ifs[0].mtu, 0);
	CHECK_INT(p->nodes[0].ifs[1].mtu, 1450);
	topo_plan_free(p);
	free(p);

	/* a host the placement does not name; a host not in the underlay */
	p = calloc(1, sizeof(*p));
	CHECK_INT(build(chain3, LINK_TAP, p, err, sizeof(err)), 0);
	CHECK_INT(
	    part_plan(p, "a", UL, "z", NULL, hs, d, NULL, err, sizeof(err)),
	    -1);
	CHECK(strstr(err, "host z holds no part of chain") != NULL);
	topo_plan_free(p);
	memset(p, 0, sizeof(*p));
	CHECK_INT(build(chain3, LINK_TAP, p, err, sizeof(err)), 0);
	CHECK_INT(part_plan(p, "a", "a=198.18.0.1,b=198.18.0.2", "b", NULL, hs,
			    d, NULL, err, sizeof(err)),
		  -1);
	topo_plan_free(p);
	free(p);
	free(hs);
	free(d);
}

/* chain3 with --pin and cores, cut to host part on a host with the CPUs
 * online (cpus: --cpus, or NULL).  part_plan's result. */
static int
pin_part(const char *part, int cores, const char *online, const char *cpus,
	 struct topo_plan *p, char *err, size_t errlen)
{
	struct topo_hosts *hs = calloc(1, sizeof(*hs));
	struct deploy *d = calloc(1, sizeof(*d));
	struct hostinfo h;
	struct topo_opts o;
	cpu_set_t all, none;
	int rc;

	topo_opts_init(&o);
	vr_strlcpy(o.file, "t.json", sizeof(o.file));
	o.file_text = chain3;
	o.pin = 1;
	o.cores = cores;
	if (cpus != NULL) {
		o.has_cpus = 1;
		cpulist_parse(cpus, &o.cpus);
	}
	cpulist_parse("0-7", &all);
	CPU_ZERO(&none);
	CHECK_INT(topo_plan_build(&o, &all, &none, p, err, errlen), 0);
	/* placed across hosts: no one host's CPUs pin the whole plan */
	CHECK_INT(p->pin.n, 0);
	memset(&h, 0, sizeof(h));
	cpulist_parse(online, &h.online);
	rc = part_plan(p, "a", UL, part, &h, hs, d, NULL, err, errlen);
	free(hs);
	free(d);
	return rc;
}

static void
test_pin(void)
{
	struct topo_plan *p = calloc(1, sizeof(*p));
	const struct pin_assign *a;
	char err[1024], buf[64];

	/* b holds r1 (node 0 there) on its own 4 CPUs: the last for its
	 * vCPU, the rest housekeeping; nothing planned for r0 or r2 */
	CHECK_INT(pin_part("b", 1, "0-3", NULL, p, err, sizeof(err)), 0);
	CHECK_INT(p->nnodes, 1);
	CHECK_INT(p->pin.shared, 0);
	CHECK((a = pin_plan_find(&p->pin, 0, PIN_VCPU, 0)) != NULL);
	if (a)
		CHECK_STR(cpulist_format(&a->cpus, buf, sizeof(buf)), "3");
	CHECK((a = pin_plan_find(&p->pin, 0, PIN_EMULATOR, 0)) != NULL);
	if (a)
		CHECK_STR(cpulist_format(&a->cpus, buf, sizeof(buf)), "0-2");
	CHECK(pin_plan_find(&p->pin, 1, PIN_VCPU, 0) == NULL);
	CHECK_STR(cpulist_format(&p->pin.vcpu_cpus, buf, sizeof(buf)), "3");
	topo_plan_free(p);

	/* the coordinator's share on 2 CPUs: r0 alone, 1 vCPU fits */
	CHECK_INT(pin_part("a", 1, "0-1", NULL, p, err, sizeof(err)), 0);
	CHECK_STR(p->nodes[0].name, "r0");
	CHECK((a = pin_plan_find(&p->pin, 0, PIN_VCPU, 0)) != NULL);
	if (a)
		CHECK_STR(cpulist_format(&a->cpus, buf, sizeof(buf)), "1");
	topo_plan_free(p);

	/* --cpus is each host's: 2-3 on b */
	CHECK_INT(pin_part("b", 1, "0-3", "2-3", p, err, sizeof(err)), 0);
	CHECK((a = pin_plan_find(&p->pin, 0, PIN_VCPU, 0)) != NULL);
	if (a)
		CHECK_STR(cpulist_format(&a->cpus, buf, sizeof(buf)), "3");
	topo_plan_free(p);

	/* too few CPUs on c: 3 vCPUs on 2 CPUs would share (a warning on
	 * one host): refused, naming the host; nothing planned is kept */
	CHECK_INT(pin_part("c", 3, "0-1", NULL, p, err, sizeof(err)), -1);
	CHECK(strstr(err, "host c cannot pin its share of chain: its 1 node "
			  "(3 vCPUs) do not fit its CPUs") != NULL);
	CHECK(strstr(err, "share CPUs round-robin") != NULL);
	CHECK_INT(p->pin.n, 0);
	topo_plan_free(p);
	/* as many CPUs as vCPUs: each its own, housekeeping floats (the
	 * single-host warning, kept) */
	CHECK_INT(pin_part("c", 2, "0-1", NULL, p, err, sizeof(err)), 0);
	CHECK_INT(p->pin.shared, 1);
	CHECK(strstr(p->pin.warning, "no CPU left for housekeeping") != NULL);
	topo_plan_free(p);

	/* --cpus naming none of b's CPUs */
	CHECK_INT(pin_part("b", 1, "0-3", "6-7", p, err, sizeof(err)), -1);
	CHECK(strstr(err,
		     "host b cannot pin its share of chain: --cpus 6-7: "
		     "none of these CPUs is online (online: 0-3)") != NULL);
	topo_plan_free(p);

	/* unknown CPUs (no host facts) */
	CHECK_INT(build(chain3, LINK_TAP, p, err, sizeof(err)), 0);
	p->opts.pin = 1;
	{
		struct topo_hosts *hs = calloc(1, sizeof(*hs));
		struct deploy *d = calloc(1, sizeof(*d));

		CHECK_INT(part_plan(p, "a", UL, "b", NULL, hs, d, NULL, err,
				    sizeof(err)),
			  -1);
		CHECK(strstr(err, "host b cannot pin") != NULL);
		free(hs);
		free(d);
	}
	topo_plan_free(p);
	free(p);
}

static void
test_vxlan_name(void)
{
	char b[16];

	deploy_vxlan_name("vr-xh-n0", b, sizeof(b));
	CHECK_STR(b, "vr-xh-x0");
	deploy_vxlan_name("vr-xh-bo", b, sizeof(b));
	CHECK_STR(b, "vr-xh-xo");
	deploy_vxlan_name("vr-abcdefgh-n12", b, sizeof(b));
	CHECK_STR(b, "vr-abcdefgh-x12");
}

int
main(void)
{
	test_underlay();
	test_mtu_plan();
	test_cut_b();
	test_cut_coordinator();
	test_pin();
	test_vxlan_name();
	return t_done("test_part");
}
