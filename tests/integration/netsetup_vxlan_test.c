/*
 * The cross-host network primitive against the real kernel: two network
 * namespaces stand for two hosts, joined by a veth "wire" (198.18.0.1/24
 * and 198.18.0.2/24, the underlay).  On each host a bridge carries one
 * internal network; nl_vxlan_add joins it to the other host's.  A veth
 * end on each bridge holds 192.0.2.1/24 and 192.0.2.2/24: they ping
 * each other across the tunnel; the planned MTU (wire MTU - 50 for an
 * IPv4 underlay) crosses with DF and without fragmenting the underlay,
 * one byte more does not; the FDB reads back; deleting leaves nothing.
 * Run through test_netsetup.sh (a namespace of its own around it).
 */
#include "netsetup.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SH_QUIET 1 /* the pings and ip commands say enough in their status */
#include "shcmd.h"
#include "t.h"
#include "topo_hosts.h"

#define TAG	 "vrouterd:t:"
#define WIRE_MTU 1400
/* what the placement planner gives every interface of a network that
 * spans hosts over this wire: checked here against the kernel */
#define PLANNED topo_vxlan_mtu(WIRE_MTU, 0)
#define VNI	4242

static char nsa[96], nsb[96];

#define OK(ctx, call)                                                          \
	do {                                                                   \
		int t_rv = (call);                                             \
		t_checks++;                                                    \
		if (t_rv == -1) {                                              \
			t_failed++;                                            \
			fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__,    \
				__LINE__, #call, ns_error(ctx));               \
		}                                                              \
	} while (0)

#define FAILS(call, e)                                                         \
	do {                                                                   \
		int t_rv;                                                      \
		errno = 0;                                                     \
		t_rv = (call);                                                 \
		CHECK_INT(t_rv, -1);                                           \
		CHECK_INT(errno, e);                                           \
	} while (0)

/* IP fragments this namespace has made (/proc/net/snmp "FragCreates"). */
static long
frag_creates(const char *ns)
{
	const char *o;
	char hdr[2048], val[2048], *h, *v, *hs, *vs;
	long n = -1;

	o = out("ip netns exec %s grep '^Ip:' /proc/net/snmp", ns);
	if (sscanf(o, "%2047[^\n]\n%2047[^\n]", hdr, val) != 2)
		return -1;
	h = strtok_r(hdr, " ", &hs);
	v = strtok_r(val, " ", &vs);
	while (h != NULL && v != NULL) {
		if (strcmp(h, "FragCreates") == 0)
			n = atol(v);
		h = strtok_r(NULL, " ", &hs);
		v = strtok_r(NULL, " ", &vs);
	}
	return n;
}

/* One host: a bridge, the VXLAN to the other host, a veth end on it. */
static void
host_up(struct ns_ctx *c, const char *local, const char *remote,
	const char *overlay_ip)
{
	const char *remotes[1] = {remote};
	struct nl_vxlan vx = {.vni = VNI,
			      .local = local,
			      .mtu = PLANNED,
			      .remotes = remotes,
			      .nremotes = 1};

	OK(c, nl_bridge_add(c, "vr-t-br", TAG "bridge"));
	OK(c, nl_vxlan_add(c, "vr-t-vx", TAG "vxlan", &vx, "vr-t-br"));
	OK(c,
	   nl_veth_add(c, "vr-t-p", TAG "port", "vr-t-q", TAG "port-in", NULL));
	OK(c, nl_link_set_mtu(c, "vr-t-p", PLANNED));
	OK(c, nl_link_set_mtu(c, "vr-t-q", PLANNED));
	OK(c, nl_link_set_master(c, "vr-t-p", "vr-t-br"));
	OK(c, nl_addr_add(c, "vr-t-q", overlay_ip));
	OK(c, nl_link_set_up(c, "vr-t-br", 1));
	OK(c, nl_link_set_up(c, "vr-t-vx", 1));
	OK(c, nl_link_set_up(c, "vr-t-p", 1));
	OK(c, nl_link_set_up(c, "vr-t-q", 1));
}

static void
test_errors(struct ns_ctx *a)
{
	const char *r2[2] = {"198.18.0.2", "198.18.0.300"};
	const char *r6[1] = {"2001:db8::2"};
	const char *rdup[2] = {"198.18.0.2", "198.18.0.2"};
	const char *rself[1] = {"198.18.0.1"};
	struct nl_vxlan vx = {.vni = VNI, .local = "198.18.0.1"};

	vx.vni = 0;
	FAILS(nl_vxlan_add(a, "vr-t-x", TAG "x", &vx, NULL), EINVAL);
	CHECK_HAS(ns_error(a), "create vxlan vr-t-x: VNI 0");
	CHECK_HAS(ns_error(a), "a VNI is 1 to 16777215");
	vx.vni = NL_VXLAN_VNI_MAX + 1;
	FAILS(nl_vxlan_add(a, "vr-t-x", TAG "x", &vx, NULL), EINVAL);
	vx.vni = VNI;
	vx.local = NULL;
	FAILS(nl_vxlan_add(a, "vr-t-x", TAG "x", &vx, NULL), EINVAL);
	CHECK_HAS(ns_error(a), "no local address");
	vx.local = "198.18.0.1/24";
	FAILS(nl_vxlan_add(a, "vr-t-x", TAG "x", &vx, NULL), EINVAL);
	vx.local = "198.18.0.1";
	vx.mtu = 40;
	FAILS(nl_vxlan_add(a, "vr-t-x", TAG "x", &vx, NULL), EINVAL);
	vx.mtu = 0;
	FAILS(nl_vxlan_add(a, "vr-t-x", TAG "x", &vx, "vr-t-nobr"), ENODEV);
	CHECK_HAS(ns_error(a), "vr-t-nobr");
	CHECK_INT(nl_link_exists(a, "vr-t-x"), 0); /* rolled back */
	/* a bad second remote: refused before anything is made */
	vx.remotes = r2;
	vx.nremotes = 2;
	FAILS(nl_vxlan_add(a, "vr-t-x", TAG "x", &vx, NULL), EINVAL);
	CHECK_HAS(ns_error(a), "create vxlan vr-t-x: '198.18.0.300'");
	CHECK_INT(nl_link_exists(a, "vr-t-x"), 0);
	/* the same remote twice (the kernel would take it silently), or
	 * this host as a remote: refused before anything is made */
	vx.remotes = rdup;
	vx.nremotes = 2;
	FAILS(nl_vxlan_add(a, "vr-t-x", TAG "x", &vx, NULL), EINVAL);
	CHECK_HAS(ns_error(a), "remote 198.18.0.2 listed twice");
	CHECK_INT(nl_link_exists(a, "vr-t-x"), 0);
	vx.remotes = rself;
	vx.nremotes = 1;
	FAILS(nl_vxlan_add(a, "vr-t-x", TAG "x", &vx, NULL), EINVAL);
	CHECK_HAS(ns_error(a), "remote 198.18.0.1 is the local address");
	vx.remotes = r6;
	vx.nremotes = 1;
	FAILS(nl_vxlan_add(a, "vr-t-x", TAG "x", &vx, NULL), EINVAL);
	CHECK_HAS(ns_error(a), "must both be IPv4 or both IPv6");
	CHECK_INT(nl_link_exists(a, "vr-t-x"), 0);
	/* the name is taken: says whose it is */
	vx.nremotes = 0;
	OK(a, nl_vxlan_add(a, "vr-t-x", TAG "x", &vx, NULL));
	vx.vni = VNI + 1;
	FAILS(nl_vxlan_add(a, "vr-t-x", TAG "x", &vx, NULL), EEXIST);
	CHECK_HAS(ns_error(a), "create vxlan vr-t-x");
	OK(a, nl_link_del(a, "vr-t-x", TAG, 0));
	/* reading back something else */
	{
		struct nl_vxlan_info vi;

		OK(a, nl_bridge_add(a, "vr-t-nv", TAG "nv"));
		FAILS(nl_vxlan_get(a, "vr-t-nv", &vi), EINVAL);
		CHECK_HAS(ns_error(a), "not a VXLAN device");
		FAILS(nl_vxlan_get(a, "vr-t-none", &vi), ENODEV);
		OK(a, nl_link_del(a, "vr-t-nv", TAG, 0));
	}
}

static void
test_readback(struct ns_ctx *a)
{
	const char *r3[3] = {"198.18.0.2", "198.18.0.3", "198.18.0.4"};
	struct nl_vxlan vx = {.vni = 77,
			      .local = "198.18.0.1",
			      .port = 8472,
			      .remotes = r3,
			      .nremotes = 3};
	struct nl_vxlan_info vi;
	int i, seen = 0;

	OK(a, nl_vxlan_add(a, "vr-t-rb", TAG "rb", &vx, NULL));
	OK(a, nl_vxlan_get(a, "vr-t-rb", &vi));
	CHECK_INT(vi.vni, 77);
	CHECK_INT(vi.port, 8472);
	CHECK_INT(vi.learning, 0);
	CHECK_STR(vi.local, "198.18.0.1");
	CHECK_STR(vi.group, "");
	CHECK_STR(vi.master, "");
	CHECK_INT(vi.nremotes, 3);
	for (i = 0; i < vi.nremotes; i++)
		seen |= strcmp(vi.remotes[i], r3[0]) == 0   ? 1
			: strcmp(vi.remotes[i], r3[1]) == 0 ? 2
			: strcmp(vi.remotes[i], r3[2]) == 0 ? 4
							    : 8;
	CHECK_INT(seen, 7);
	/* iproute2 agrees */
	CHECK_HAS(out("ip -n %s -d link show vr-t-rb", nsa),
		  "vxlan id 77 local 198.18.0.1");
	CHECK_HAS(out("ip -n %s -d link show vr-t-rb", nsa), "dstport 8472");
	CHECK_HAS(out("ip -n %s -d link show vr-t-rb", nsa), "nolearning");
	CHECK_HAS(out("ip netns exec %s bridge fdb show dev vr-t-rb", nsa),
		  "00:00:00:00:00:00 dst 198.18.0.3 self permanent");
	OK(a, nl_link_del(a, "vr-t-rb", TAG, 0));
	CHECK_INT(
	    sh("ip netns exec %s bridge fdb show | grep -q 198.18.0.3", nsa),
	    1);
}

static void
test_wire(struct ns_ctx *a, struct ns_ctx *b)
{
	struct nl_vxlan_info vi;
	long f0, f1;
	char pa[160];
	int rc;

	CHECK_INT(PLANNED, WIRE_MTU - 50);
	host_up(a, "198.18.0.1", "198.18.0.2", "192.0.2.1/24");
	host_up(b, "198.18.0.2", "198.18.0.1", "192.0.2.2/24");

	OK(a, nl_vxlan_get(a, "vr-t-vx", &vi));
	CHECK_INT(vi.vni, VNI);
	CHECK_INT(vi.port, NL_VXLAN_PORT);
	CHECK_INT(vi.mtu, PLANNED);
	CHECK_STR(vi.local, "198.18.0.1");
	CHECK_STR(vi.master, "vr-t-br");
	CHECK_INT(vi.nremotes, 1);
	CHECK_STR(vi.remotes[0], "198.18.0.2");
	CHECK_INT(nl_link_get_mtu(a, "vr-t-br"), PLANNED);
	CHECK_INT(nl_link_get_mtu(a, "vr-t-w"), WIRE_MTU);

	snprintf(pa, sizeof(pa), "ip netns exec %s ping -q -n -c 1 -W 2", nsa);
	CHECK_INT(sh("%s -w 10 192.0.2.2", pa), 0);
	/* the planned MTU crosses whole: DF inside, no underlay fragment */
	f0 = frag_creates(nsa);
	CHECK(f0 >= 0);
	CHECK_INT(sh("%s -M do -s %d 192.0.2.2", pa, PLANNED - 28), 0);
	f1 = frag_creates(nsa);
	CHECK_INT(f1, f0);
	/* one byte more does not leave the host */
	CHECK(sh("%s -M do -s %d 192.0.2.2", pa, PLANNED - 27) != 0);
	/*
	 * One byte more on the overlay devices does not cross the wire
	 * whole: the kernel drops it at the tunnel (PMTU check, ICMP "need
	 * to frag" back) or, on older kernels, fragments the underlay.  The
	 * planned figure is the largest that crosses intact.
	 */
	OK(a, nl_link_set_mtu(a, "vr-t-vx", PLANNED + 1));
	OK(a, nl_link_set_mtu(a, "vr-t-p", PLANNED + 1));
	OK(a, nl_link_set_mtu(a, "vr-t-q", PLANNED + 1));
	OK(b, nl_link_set_mtu(b, "vr-t-vx", PLANNED + 1));
	OK(b, nl_link_set_mtu(b, "vr-t-p", PLANNED + 1));
	OK(b, nl_link_set_mtu(b, "vr-t-q", PLANNED + 1));
	CHECK_INT(sh("%s -M do -s %d 192.0.2.2", pa, PLANNED - 28), 0);
	f0 = frag_creates(nsa);
	rc = sh("%s -M do -s %d 192.0.2.2", pa, PLANNED - 27);
	f1 = frag_creates(nsa);
	CHECK(rc != 0 || f1 > f0);
	printf("one byte over the plan: ping %s, %ld underlay fragments\n",
	       rc == 0 ? "passed" : "failed", f1 - f0);

	/* teardown: the FDB goes with the device */
	OK(a, nl_link_del(a, "vr-t-vx", TAG, 0));
	OK(b, nl_link_del(b, "vr-t-vx", TAG, 0));
	CHECK_INT(
	    sh("ip netns exec %s bridge fdb show | grep -q 198.18.0", nsa), 1);
	CHECK(sh("%s 192.0.2.2", pa) != 0);
	OK(a, nl_link_del(a, "vr-t-br", TAG, 0));
	OK(b, nl_link_del(b, "vr-t-br", TAG, 0));
	OK(a, nl_link_del(a, "vr-t-p", TAG, 0));
	OK(b, nl_link_del(b, "vr-t-p", TAG, 0));
}

int
main(void)
{
	struct ns_ctx *a = NULL, *b = NULL;
	struct stat s1, s2;
	char err[256];
	const char *p;

	if (geteuid() != 0) {
		printf("SKIP: netsetup_vxlan_test needs root\n");
		return 77;
	}
	if (stat("/proc/self/ns/net", &s1) == 0 &&
	    stat("/proc/1/ns/net", &s2) == 0 && s1.st_ino == s2.st_ino) {
		fprintf(stderr, "netsetup_vxlan_test: refusing to run in the "
				"initial network namespace; use "
				"test_netsetup.sh\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	p = getenv("VRT_PREFIX");
	snprintf(nsa, sizeof(nsa), "%shosta", p ? p : "vrt-vx-");
	snprintf(nsb, sizeof(nsb), "%shostb", p ? p : "vrt-vx-");
	if (netns_create(nsa, TAG "host-a", err, sizeof(err)) == -1 ||
	    netns_create(nsb, TAG "host-b", err, sizeof(err)) == -1 ||
	    (a = ns_open(nsa, err, sizeof(err))) == NULL ||
	    (b = ns_open(nsb, err, sizeof(err))) == NULL) {
		fprintf(stderr, "setup: %s\n", err);
		t_failed++;
		goto out;
	}
	/* the wire */
	OK(a, nl_veth_add(a, "vr-t-w", TAG "wire", "vr-t-w", TAG "wire", nsb));
	OK(a, nl_link_set_mtu(a, "vr-t-w", WIRE_MTU));
	OK(b, nl_link_set_mtu(b, "vr-t-w", WIRE_MTU));
	OK(a, nl_addr_add(a, "vr-t-w", "198.18.0.1/24"));
	OK(b, nl_addr_add(b, "vr-t-w", "198.18.0.2/24"));
	OK(a, nl_link_set_up(a, "vr-t-w", 1));
	OK(b, nl_link_set_up(b, "vr-t-w", 1));

	test_errors(a);
	test_readback(a);
	test_wire(a, b);

	OK(a, nl_link_del(a, "vr-t-w", TAG, 0));
	CHECK_HAS(out("ip netns exec %s ip -o link show", nsa), "lo");
	CHECK_INT(sh("ip netns exec %s ip -o link show | grep -q vr-t-", nsa),
		  1);
	CHECK_INT(sh("ip netns exec %s ip -o link show | grep -q vr-t-", nsb),
		  1);
out:
	ns_close(a);
	ns_close(b);
	if (netns_exists(nsa) == 1 &&
	    netns_delete(nsa, TAG, 0, err, sizeof(err)) == -1) {
		fprintf(stderr, "cleanup: %s\n", err);
		t_failed++;
	}
	if (netns_exists(nsb) == 1 &&
	    netns_delete(nsb, TAG, 0, err, sizeof(err)) == -1) {
		fprintf(stderr, "cleanup: %s\n", err);
		t_failed++;
	}
	CHECK_INT(netns_exists(nsa), 0);
	CHECK_INT(netns_exists(nsb), 0);
	return t_done("netsetup_vxlan_test");
}
