/*
 * netsetup against the real kernel.  Run it through test_netsetup.sh,
 * which puts it in a network namespace of its own: it creates and deletes
 * links, namespaces, addresses and routes, and refuses to run in the
 * machine's own (initial) network namespace.
 */
#include "netsetup.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shcmd.h"
#include "t.h"

#define TAG	  "vrouterd:t:"
#define NTHR	  4
#define NDUMM	  8
#define nitems(a) (sizeof(a) / sizeof((a)[0]))

static char prefix[64]; /* namespaces made here: vrt-PID- */
static char peerns[96];
static int have_dummy; /* this kernel has the dummy link type */
static int fds_at_start[1024];

/* A plain tagged link: dummy, or a bridge where there is no dummy. */
static int
plain_add(struct ns_ctx *ctx, const char *name, const char *alias)
{
	return have_dummy ? nl_dummy_add(ctx, name, alias)
			  : nl_bridge_add(ctx, name, alias);
}

#define CHECK_NOT_HAS(hay, needle)                                             \
	do {                                                                   \
		const char *t_h = (hay), *t_n = (needle);                      \
		t_checks++;                                                    \
		if (strstr(t_h, t_n) != NULL) {                                \
			t_failed++;                                            \
			fprintf(stderr,                                        \
				"%s:%d: \"%s\" unexpectedly in \"%s\"\n",      \
				__FILE__, __LINE__, t_n, t_h);                 \
		}                                                              \
	} while (0)

/* A call that must succeed; prints ns_error() when it does not. */
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

/* A call that must fail with errno e. */
#define FAILS(call, e)                                                         \
	do {                                                                   \
		int t_rv;                                                      \
		errno = 0;                                                     \
		t_rv = (call);                                                 \
		CHECK_INT(t_rv, -1);                                           \
		CHECK_INT(errno, e);                                           \
	} while (0)

static ino_t
ns_ino(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

static int
cur_ns_is(void *arg)
{
	return ns_ino("/proc/thread-self/ns/net") == *(ino_t *)arg ? 42 : 0;
}

static int
count_fds(int check_cloexec)
{
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	int n = 0, fd;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		if (fd == dirfd(d) || fd <= 2)
			continue;
		n++;
		if (check_cloexec == 0 && fd < (int)nitems(fds_at_start))
			fds_at_start[fd] = 1;
		if (check_cloexec && fd < (int)nitems(fds_at_start) &&
		    fds_at_start[fd])
			continue; /* inherited, not ours */
		if (check_cloexec && !(fcntl(fd, F_GETFD) & FD_CLOEXEC)) {
			fprintf(
			    stderr, "fd %d (%s) lacks FD_CLOEXEC\n", fd,
			    out("readlink /proc/%d/fd/%d", (int)getpid(), fd));
			t_failed++;
		}
	}
	closedir(d);
	return n;
}

static void
count_cb(const char *name, const char *alias, void *arg)
{
	(void)name;
	(void)alias;
	(*(int *)arg)++;
}

static void
list_cb(const char *name, void *arg)
{
	(void)name;
	(*(int *)arg)++;
}

struct del_arg {
	struct ns_ctx *ctx;
	int failed;
};

static void
del_cb(const char *name, const char *alias, void *arg)
{
	struct del_arg *da = arg;

	(void)alias;
	/* a veth deleted by its other end is gone already: missing_ok */
	if (nl_link_del(da->ctx, name, TAG, 1) == -1) {
		fprintf(stderr, "cleanup: %s\n", ns_error(da->ctx));
		da->failed++;
	}
}

static void
test_netns(void)
{
	char err[256];
	int n = 0;

	OK(NULL, netns_create(peerns, TAG "netns-peer", err, sizeof(err)));
	CHECK_INT(netns_exists(peerns), 1);
	errno = 0;
	CHECK_INT(netns_create(peerns, TAG "netns-peer", err, sizeof(err)), -1);
	CHECK_INT(errno, EEXIST);
	CHECK_HAS(err, "File exists");
	CHECK_HAS(err, peerns);
	CHECK_INT(netns_list(prefix, list_cb, &n), 0);
	CHECK_INT(n, 1);
	/* interoperable with iproute2, lo up inside */
	CHECK_INT(sh("ip netns exec %s true", peerns), 0);
	CHECK_HAS(out("ip -n %s -o link show lo", peerns), ",UP");
	CHECK_INT(netns_exists("vrt-no-such-ns"), 0);
	errno = 0;
	CHECK(netns_create("a/b", NULL, err, sizeof(err)) == -1 &&
	      errno == EINVAL);
}

/*
 * A namespace is deleted only when lo's alias carries the caller's tag:
 * one made by hand (`ip netns add`), one made untagged, one tagged for
 * another topology and a file that is no namespace all survive.
 */
static void
test_netns_tag(void)
{
	char err[512], tag[256], ns[128], foreign[128], other[128], fake[128];
	char path[256];
	int fd;

	snprintf(ns, sizeof(ns), "%stag", prefix);
	snprintf(foreign, sizeof(foreign), "%sforeign", prefix);
	snprintf(other, sizeof(other), "%sother", prefix);
	snprintf(fake, sizeof(fake), "%sfake", prefix);

	/* the check itself */
	CHECK(netns_tag_ok("vrouterd:t:netns-x", "vrouterd:t:"));
	CHECK(!netns_tag_ok("vrouterd:t2:netns-x", "vrouterd:t:"));
	CHECK(!netns_tag_ok("vrouterd:t", "vrouterd:t:"));
	CHECK(!netns_tag_ok("", "vrouterd:t:"));
	CHECK(!netns_tag_ok(NULL, "vrouterd:t:"));
	CHECK(!netns_tag_ok("vrouterd:t:x", ""));
	CHECK(!netns_tag_ok("vrouterd:t:x", NULL));

	OK(NULL, netns_create(ns, TAG "netns-x", err, sizeof(err)));
	OK(NULL, netns_get_tag(ns, tag, sizeof(tag), err, sizeof(err)));
	CHECK_STR(tag, TAG "netns-x");
	CHECK_HAS(out("ip -n %s -o link show lo", ns), "alias " TAG "netns-x");

	/* by hand, untagged, another topology's, no namespace at all */
	CHECK_INT(sh("ip netns add %s", foreign), 0);
	OK(NULL, netns_create(other, "vrouterd:t2:netns-x", err, sizeof(err)));
	snprintf(path, sizeof(path), "/run/netns/%s", fake);
	CHECK((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			 0600)) != -1);
	if (fd != -1)
		close(fd);
	OK(NULL, netns_get_tag(foreign, tag, sizeof(tag), err, sizeof(err)));
	CHECK_STR(tag, "");

	errno = 0;
	CHECK_INT(netns_delete(foreign, TAG, 1, err, sizeof(err)), -1);
	CHECK_INT(errno, EPERM);
	CHECK_HAS(err, "delete netns ");
	CHECK_HAS(err, "is not vrouterd's");
	CHECK_INT(netns_exists(foreign), 1);
	errno = 0;
	CHECK_INT(netns_delete(other, TAG, 1, err, sizeof(err)), -1);
	CHECK_INT(errno, EPERM);
	CHECK_HAS(err, "'vrouterd:t2:netns-x' does not start with '" TAG "'");
	CHECK_INT(netns_exists(other), 1);
	errno = 0;
	CHECK_INT(netns_delete(fake, TAG, 1, err, sizeof(err)), -1);
	CHECK_INT(errno, EPERM);
	CHECK_HAS(err, "not known to be vrouterd's");
	CHECK(access(path, F_OK) == 0);
	errno = 0;
	CHECK_INT(netns_delete(ns, "", 1, err, sizeof(err)), -1);
	CHECK_INT(errno, EINVAL);
	CHECK_INT(netns_exists(ns), 1);

	/* a link in /run/netns to our namespace is not the namespace */
	snprintf(path, sizeof(path), "/run/netns/%slink", prefix);
	CHECK_INT(symlink(ns, path), 0);
	snprintf(other, sizeof(other), "%slink", prefix);
	errno = 0;
	CHECK_INT(netns_delete(other, TAG, 1, err, sizeof(err)), -1);
	CHECK_INT(errno, EPERM);
	CHECK_HAS(err, "is a link or changed while it was checked");
	CHECK_INT(netns_exists(ns), 1);
	CHECK_INT(unlink(path), 0);
	snprintf(other, sizeof(other), "%sother", prefix);
	snprintf(path, sizeof(path), "/run/netns/%s", fake);

	OK(NULL, netns_delete(ns, TAG, 0, err, sizeof(err)));
	CHECK_INT(netns_exists(ns), 0);
	OK(NULL, netns_delete(ns, TAG, 1, err, sizeof(err))); /* missing_ok */
	OK(NULL, netns_delete(other, "vrouterd:t2:", 0, err, sizeof(err)));

	CHECK_INT(sh("ip netns del %s", foreign), 0);
	CHECK_INT(unlink(path), 0);
}

static void
test_open(void)
{
	char err[256];
	struct ns_ctx *c;

	errno = 0;
	c = ns_open("vrt-no-such-ns", err, sizeof(err));
	CHECK(c == NULL);
	CHECK_INT(errno, ENOENT);
	CHECK_HAS(err, "open netns vrt-no-such-ns: No such file or directory");
}

static void
test_veth(struct ns_ctx *ctx, struct ns_ctx *pctx)
{
	char buf[128];

	OK(ctx, nl_veth_add(ctx, "vr-t-a", TAG "port-in", "vp0", TAG "peer",
			    peerns));
	CHECK_INT(nl_link_exists(ctx, "vr-t-a"), 1);
	CHECK_INT(nl_link_exists(ctx, "vp0"), 0);  /* not here ... */
	CHECK_INT(nl_link_exists(pctx, "vp0"), 1); /* ... but there */
	OK(ctx, nl_link_kind(ctx, "vr-t-a", buf, sizeof(buf)));
	CHECK_STR(buf, "veth");
	OK(pctx, nl_link_kind(pctx, "vp0", buf, sizeof(buf)));
	CHECK_STR(buf, "veth");
	OK(ctx, nl_link_get_alias(ctx, "vr-t-a", buf, sizeof(buf)));
	CHECK_STR(buf, TAG "port-in");
	OK(pctx, nl_link_get_alias(pctx, "vp0", buf, sizeof(buf)));
	CHECK_STR(buf, TAG "peer");
	CHECK(nl_link_ifindex(ctx, "vr-t-a") > 0);
	CHECK_HAS(out("ip -n %s -o link show vp0", peerns), "vp0@");
	/* created down */
	CHECK_NOT_HAS(out("ip -o link show vr-t-a"), ",UP");

	/* taken names: ours, and the peer's in the other namespace */
	FAILS(nl_veth_add(ctx, "vr-t-a", TAG "x", "vp1", NULL, peerns), EEXIST);
	CHECK_HAS(ns_error(ctx), "create veth vr-t-a: File exists");
	CHECK_HAS(ns_error(ctx), "`vrctl stop t`");
	FAILS(nl_veth_add(ctx, "vr-t-b", TAG "x", "vp0", NULL, peerns), EEXIST);
	CHECK_HAS(ns_error(ctx), "vp0 is taken in netns");
	CHECK_INT(nl_link_exists(ctx, "vr-t-b"), 0);
	FAILS(nl_veth_add(ctx, "vr-t-b", NULL, "vp1", NULL, "vrt-no-such"),
	      ENOENT);
	FAILS(nl_veth_add(ctx, "vr-t-much-too-long", NULL, "vp1", NULL, NULL),
	      EINVAL);
	errno = 0;
	CHECK_INT(nl_link_ifindex(ctx, "vr-t-none"), -1);
	CHECK_INT(errno, ENODEV);
	CHECK_HAS(ns_error(ctx), "vr-t-none: No such device");
}

/*
 * NAPI threads of a veth end with GRO on (libnl-genl dump, issue 16), in a
 * named namespace (ctx) as the netns backend's nodes are.
 */
static void
test_napi(struct ns_ctx *ctx)
{
	struct nl_napi z[8];
	char comm[64], path[64];
	int n, ifi, named = 0;

	OK(ctx, nl_veth_add(ctx, "vr-t-n0", TAG "napi", "vr-t-n1", TAG "napi",
			    NULL));
	OK(ctx, nl_link_set_gro(ctx, "vr-t-n0", 1));
	OK(ctx, nl_link_set_up(ctx, "vr-t-n1", 1));
	OK(ctx, nl_link_set_up(ctx, "vr-t-n0", 1));
	OK(ctx, nl_link_set_threaded(ctx, "vr-t-n0", 1));
	ifi = nl_link_ifindex(ctx, "vr-t-n0");
	n = nl_napi_list(ctx, "vr-t-n0", z, (int)nitems(z));
	if (n == -1 && errno == EOPNOTSUPP) {
		printf("note: no NAPI threads over netlink here (%s)\n",
		       ns_error(ctx));
		goto out;
	}
	CHECK(n >= 1);
	for (int i = 0; i < n; i++) {
		CHECK_INT(z[i].ifindex, ifi);
		CHECK(z[i].pid > 0);
		CHECK(i == 0 || z[i].id > z[i - 1].id); /* sorted */
		snprintf(path, sizeof(path), "/proc/%d/comm", z[i].pid);
		snprintf(comm, sizeof(comm), "%s", out("cat %s", path));
		if (strncmp(comm, "napi/vr-t-n0-", 13) == 0)
			named++;
	}
	CHECK_INT(named, n);
	/* the peer has no GRO, hence no NAPI: an empty list, not an error */
	CHECK_INT(nl_napi_list(ctx, "vr-t-n1", z, (int)nitems(z)), 0);
	errno = 0;
	CHECK_INT(nl_napi_list(ctx, "vr-t-none", z, (int)nitems(z)), -1);
	CHECK_INT(errno, ENODEV);
out:
	OK(ctx, nl_link_del(ctx, "vr-t-n0", TAG, 0));
}

#define NPKT 5

static int
udp_sock(const char *ip, int port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct timeval tv = {2, 0};
	int fd;

	sin.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
peer_sock(void *arg)
{
	(void)arg;
	return udp_sock("10.99.0.2", 9998); /* a socket of the peer's netns */
}

static int
udp_pingpong(int from, int to, const char *ip, int port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	char buf[64];
	int i, got = 0;

	sin.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	for (i = 0; i < NPKT; i++)
		if (sendto(from, "vrouterd", 8, 0, (struct sockaddr *)&sin,
			   sizeof(sin)) != 8)
			fprintf(stderr, "sendto %s: %s\n", ip, strerror(errno));
	for (i = 0; i < NPKT; i++)
		if (recv(to, buf, sizeof(buf), 0) == 8)
			got++;
	return got == NPKT ? 0 : -1;
}

static int
udp_exchange(struct ns_ctx *pctx)
{
	int ps, ms, rv = -1;

	ps = ns_run(pctx, peer_sock, NULL);
	ms = udp_sock("10.98.0.1", 9999);
	if (ps == -1 || ms == -1)
		fprintf(stderr, "udp sockets: %s\n", strerror(errno));
	else if (udp_pingpong(ps, ms, "10.98.0.1", 9999) == 0 &&
		 udp_pingpong(ms, ps, "10.99.0.2", 9998) == 0)
		rv = 0;
	if (ps != -1)
		close(ps);
	if (ms != -1)
		close(ms);
	return rv;
}

static void
test_l3(struct ns_ctx *ctx, struct ns_ctx *pctx)
{
	struct nl_link_stats s0, s1, p0, p1;
	const char *o;

	OK(ctx, nl_addr_add(ctx, "vr-t-a", "10.99.0.1/24"));
	OK(ctx, nl_addr_add(ctx, "vr-t-a", "fd00:99::1/64"));
	OK(pctx, nl_addr_add(pctx, "vp0", "10.99.0.2/24"));
	OK(pctx, nl_addr_add(pctx, "vp0", "fd00:99::2/64"));
	OK(ctx, nl_link_set_up(ctx, "vr-t-a", 1));
	OK(pctx, nl_link_set_up(pctx, "vp0", 1));
	CHECK_HAS(out("ip -o addr show dev vr-t-a"), "10.99.0.1/24");
	CHECK_HAS(out("ip -o addr show dev vr-t-a"), "fd00:99::1/64");
	CHECK_HAS(out("ip -n %s -o addr show dev vp0", peerns), "10.99.0.2/24");
	FAILS(nl_addr_add(ctx, "vr-t-a", "10.99.0.1/24"), EEXIST);
	CHECK_HAS(ns_error(ctx),
		  "add address 10.99.0.1/24 to vr-t-a: File exists");
	FAILS(nl_addr_add(ctx, "vr-t-a", "10.99.0.300/24"), EINVAL);
	FAILS(nl_addr_add(ctx, "vr-t-a", "10.99.0.3/33"), EINVAL);
	FAILS(nl_addr_add(ctx, "vr-t-none", "10.99.0.3/24"), ENODEV);

	/* a network behind vr-t-a, reachable from the peer only by route */
	OK(ctx, plain_add(ctx, "vr-t-d0", TAG "dummy"));
	OK(ctx, nl_addr_add(ctx, "vr-t-d0", "10.98.0.1/24"));
	OK(ctx, nl_link_set_up(ctx, "vr-t-d0", 1));
	OK(pctx, nl_route_add(pctx, "10.98.0.0/24", "10.99.0.1"));
	OK(pctx, nl_route_add(pctx, "default", "10.99.0.1"));
	OK(pctx, nl_route_add(pctx, "fd00:98::/64", "fd00:99::1"));
	CHECK_HAS(out("ip -n %s route show 10.98.0.0/24", peerns),
		  "via 10.99.0.1 dev vp0");
	CHECK_HAS(out("ip -n %s route show default", peerns),
		  "default via 10.99.0.1 dev vp0");
	CHECK_HAS(out("ip -n %s -6 route show fd00:98::/64", peerns),
		  "via fd00:99::1");
	FAILS(nl_route_add(pctx, "default", "10.99.0.1"), EEXIST);
	FAILS(nl_route_add(pctx, "10.97.0.0/24", "192.0.2.1"), ENETUNREACH);
	CHECK_HAS(ns_error(pctx), "add route 10.97.0.0/24 via 192.0.2.1");
	CHECK_HAS(ns_error(pctx), peerns);
	FAILS(nl_route_add(pctx, "10.97.0.0/24", "fd00:99::1"), EINVAL);
	FAILS(nl_route_add(pctx, "nowhere", "10.99.0.1"), EINVAL);

	/* permanent neighbours */
	OK(ctx, nl_neigh_add(ctx, "vr-t-a", "10.99.0.3", "02:00:00:00:00:03"));
	o = out("ip neigh show 10.99.0.3 dev vr-t-a");
	CHECK_HAS(o, "lladdr 02:00:00:00:00:03");
	CHECK_HAS(o, "PERMANENT");
	FAILS(nl_neigh_add(ctx, "vr-t-a", "10.99.0.4", "02:00:00:00:00"),
	      EINVAL);
	FAILS(nl_neigh_add(ctx, "vr-t-a", "10.99.0.4", "01:00:5e:00:00:01"),
	      EINVAL);

	/*
	 * Real traffic: UDP from a socket made inside the peer namespace
	 * (ns_run) to 10.98.0.1, which it reaches only through the route,
	 * and back; the counters on both ends move.
	 */
	OK(ctx, nl_link_stats(ctx, "vr-t-a", &s0));
	OK(pctx, nl_link_stats(pctx, "vp0", &p0));
	CHECK_INT(udp_exchange(pctx), 0);
	OK(ctx, nl_link_stats(ctx, "vr-t-a", &s1));
	OK(pctx, nl_link_stats(pctx, "vp0", &p1));
	CHECK(s1.rx_packets >= s0.rx_packets + NPKT);
	CHECK(s1.tx_packets >= s0.tx_packets + NPKT);
	CHECK(s1.rx_bytes > s0.rx_bytes && s1.tx_bytes > s0.tx_bytes);
	CHECK(p1.tx_packets >= p0.tx_packets + NPKT);
	CHECK(p1.rx_packets >= p0.rx_packets + NPKT);
	CHECK_INT(s1.rx_errors + s1.tx_errors, 0);
}

static void
test_l2(struct ns_ctx *ctx)
{
	char buf[64];
	const char *o;

	OK(ctx, nl_bridge_add(ctx, "vr-t-br", TAG "bridge-in"));
	OK(ctx, nl_link_kind(ctx, "vr-t-br", buf, sizeof(buf)));
	CHECK_STR(buf, "bridge");
	FAILS(nl_bridge_add(ctx, "vr-t-br", TAG "bridge-in"), EEXIST);

	OK(ctx, nl_tap_add(ctx, "vr-t-t0", TAG "node-vr0-eth0", 0));
	OK(ctx, nl_link_kind(ctx, "vr-t-t0", buf, sizeof(buf)));
	CHECK_STR(buf, "tun");
	OK(ctx, nl_link_get_alias(ctx, "vr-t-t0", buf, sizeof(buf)));
	CHECK_STR(buf, TAG "node-vr0-eth0");
	o = out("ip -d link show vr-t-t0");
	CHECK_HAS(o, "tun type tap pi off vnet_hdr on persist on");
	CHECK_NOT_HAS(o, "multi_queue");
	OK(ctx, nl_tap_add(ctx, "vr-t-t1", TAG "node-vr0-eth1", 1));
	CHECK_HAS(out("ip -d link show vr-t-t1"), "multi_queue");
	FAILS(nl_tap_add(ctx, "vr-t-t0", TAG "x", 0), EEXIST);
	CHECK_HAS(ns_error(ctx), "create tap vr-t-t0: File exists");
	FAILS(nl_tap_add(ctx, "vr-t-br", TAG "x", 0), EEXIST);

	OK(ctx, nl_link_set_master(ctx, "vr-t-t0", "vr-t-br"));
	CHECK_HAS(out("ip -o link show vr-t-t0"), "master vr-t-br");
	FAILS(nl_link_set_master(ctx, "vr-t-t1", "vr-t-nobr"), ENODEV);
	CHECK_HAS(ns_error(ctx), "vr-t-nobr: No such device");
	OK(ctx, nl_link_set_master(ctx, "vr-t-t0", NULL));
	CHECK_NOT_HAS(out("ip -o link show vr-t-t0"), "master");

	OK(ctx, nl_link_set_txqlen(ctx, "vr-t-t0", 5000));
	CHECK_HAS(out("ip -o link show vr-t-t0"), "qlen 5000");
	OK(ctx, nl_link_set_mac(ctx, "vr-t-t0", "02:11:22:33:44:55"));
	OK(ctx, nl_link_get_mac(ctx, "vr-t-t0", buf, sizeof(buf)));
	CHECK_STR(buf, "02:11:22:33:44:55");
	FAILS(nl_link_set_mac(ctx, "vr-t-t0", "zz:11:22:33:44:55"), EINVAL);
	CHECK_HAS(ns_error(ctx), "set mac on vr-t-t0");
	OK(ctx, nl_link_set_up(ctx, "vr-t-br", 1));
	CHECK_HAS(out("ip -o link show vr-t-br"), ",UP");
	OK(ctx, nl_link_set_up(ctx, "vr-t-br", 0));
	CHECK_NOT_HAS(out("ip -o link show vr-t-br"), ",UP");
	OK(ctx, nl_link_set_alias(ctx, "vr-t-br", TAG "bridge-out"));
	OK(ctx, nl_link_get_alias(ctx, "vr-t-br", buf, sizeof(buf)));
	CHECK_STR(buf, TAG "bridge-out");
	FAILS(nl_link_get_alias(ctx, "vr-t-br", buf, 4), ERANGE);

	/* macvtap in bridge mode on a veth end */
	OK(ctx, nl_veth_add(ctx, "vr-t-c", TAG "port-out", "vr-t-e",
			    TAG "port-out-peer", NULL));
	OK(ctx, nl_link_get_alias(ctx, "vr-t-e", buf, sizeof(buf)));
	CHECK_STR(buf, TAG "port-out-peer");
	OK(ctx, nl_macvtap_add(ctx, "vr-t-m0", TAG "node-vr0-eth2", "vr-t-c",
			       "02:aa:bb:cc:dd:01"));
	OK(ctx, nl_link_kind(ctx, "vr-t-m0", buf, sizeof(buf)));
	CHECK_STR(buf, "macvtap");
	OK(ctx, nl_link_get_mac(ctx, "vr-t-m0", buf, sizeof(buf)));
	CHECK_STR(buf, "02:aa:bb:cc:dd:01");
	o = out("ip -d link show vr-t-m0");
	CHECK_HAS(o, "vr-t-m0@vr-t-c");
	CHECK_HAS(o, "macvtap mode bridge");
	OK(ctx,
	   nl_macvtap_add(ctx, "vr-t-m1", TAG "node-vr0-eth3", "vr-t-c", NULL));
	OK(ctx, nl_link_get_mac(ctx, "vr-t-m1", buf, sizeof(buf)));
	CHECK(strlen(buf) == 17 && strcmp(buf, "02:aa:bb:cc:dd:01") != 0);
	FAILS(nl_macvtap_add(ctx, "vr-t-m2", TAG "x", "vr-t-nolow", NULL),
	      ENODEV);
	CHECK_HAS(ns_error(ctx), "lower device vr-t-nolow");
	CHECK_INT(nl_link_exists(ctx, "vr-t-m2"), 0);
	FAILS(nl_macvtap_add(ctx, "vr-t-m0", TAG "x", "vr-t-c", NULL), EEXIST);

	/* kind of a link without IFLA_INFO_KIND */
	OK(ctx, nl_link_kind(ctx, "lo", buf, sizeof(buf)));
	CHECK_STR(buf, "device");
}

static void
test_delete(struct ns_ctx *ctx)
{
	CHECK_INT(
	    sh("ip link add vr-t-un type %s", have_dummy ? "dummy" : "bridge"),
	    0);
	FAILS(nl_link_del(ctx, "vr-t-un", "vrouterd:", 0), EPERM);
	CHECK_HAS(ns_error(ctx), "delete vr-t-un: Operation not permitted");
	CHECK_HAS(ns_error(ctx), "not vrouterd's");
	CHECK_INT(nl_link_exists(ctx, "vr-t-un"), 1);
	/* the error for a taken name says whose it is */
	FAILS(plain_add(ctx, "vr-t-un", TAG "x"), EEXIST);
	CHECK_HAS(ns_error(ctx), have_dummy ? "create dummy vr-t-un"
					    : "create bridge vr-t-un");
	CHECK_HAS(ns_error(ctx), ": File exists (an "
				 "interface of that name exists already and "
				 "is not vrouterd's");
	CHECK_INT(sh("ip link del vr-t-un"), 0);

	OK(ctx, plain_add(ctx, "vr-t-o", "vrouterd:other:x"));
	FAILS(nl_link_del(ctx, "vr-t-o", TAG, 0), EPERM);
	CHECK_INT(nl_link_exists(ctx, "vr-t-o"), 1);
	OK(ctx, nl_link_del(ctx, "vr-t-o", "vrouterd:other:", 0));
	CHECK_INT(nl_link_exists(ctx, "vr-t-o"), 0);

	OK(ctx, nl_link_del(ctx, "vr-t-none", TAG, 1));
	FAILS(nl_link_del(ctx, "vr-t-none", TAG, 0), ENODEV);
	CHECK_HAS(ns_error(ctx), "delete vr-t-none: No such device");
	FAILS(nl_link_del(ctx, "vr-t-d0", "", 0), EINVAL);

	OK(ctx, nl_link_del(ctx, "vr-t-m1", TAG, 0));
	CHECK_INT(nl_link_exists(ctx, "vr-t-m1"), 0);
}

static int
run_in(void *arg)
{
	(void)arg;
	return 7;
}

static void
test_run(struct ns_ctx *ctx, struct ns_ctx *pctx)
{
	char path[160];
	ino_t self = ns_ino("/proc/thread-self/ns/net"), peer;

	snprintf(path, sizeof(path), "/run/netns/%s", peerns);
	peer = ns_ino(path);
	CHECK(peer != 0 && peer != self);
	CHECK_INT(ns_run(pctx, cur_ns_is, &peer), 42);
	CHECK(ns_ino("/proc/thread-self/ns/net") == self);
	CHECK_INT(ns_run(ctx, cur_ns_is, &self), 42);
	CHECK_INT(ns_run(pctx, run_in, NULL), 7);
	CHECK(ns_ino("/proc/thread-self/ns/net") == self);
}

/* Distinct contexts on distinct threads, at the same time. */
static void *
thr_main(void *arg)
{
	long i = (long)arg, failed = 0;
	char ns[96], err[256], name[16], alias[32], kind[16];
	struct ns_ctx *c;
	int k, round;

	snprintf(ns, sizeof(ns), "%sthr%ld", prefix, i);
	if (netns_create(ns, TAG "netns-thr", err, sizeof(err)) == -1) {
		fprintf(stderr, "thread %ld: %s\n", i, err);
		return (void *)1;
	}
	if ((c = ns_open(ns, err, sizeof(err))) == NULL) {
		fprintf(stderr, "thread %ld: %s\n", i, err);
		failed++;
		goto out;
	}
	for (round = 0; round < 3; round++) {
		for (k = 0; k < NDUMM; k++) {
			snprintf(name, sizeof(name), "vr-t-%ld-%d", i, k);
			snprintf(alias, sizeof(alias), TAG "thr-%ld", i);
			if (plain_add(c, name, alias) == -1 ||
			    nl_link_set_up(c, name, 1) == -1 ||
			    nl_link_kind(c, name, kind, sizeof(kind)) == -1 ||
			    strcmp(kind, have_dummy ? "dummy" : "bridge") !=
				0) {
				fprintf(stderr, "thread %ld: %s\n", i,
					ns_error(c));
				failed++;
			}
		}
		for (k = 0; k < NDUMM; k++) {
			snprintf(name, sizeof(name), "vr-t-%ld-%d", i, k);
			if (nl_link_del(c, name, TAG, 0) == -1) {
				fprintf(stderr, "thread %ld: %s\n", i,
					ns_error(c));
				failed++;
			}
		}
	}
	ns_close(c);
out:
	if (netns_delete(ns, TAG, 0, err, sizeof(err)) == -1) {
		fprintf(stderr, "thread %ld: %s\n", i, err);
		failed++;
	}
	return (void *)failed;
}

static void
test_threads(void)
{
	pthread_t t[NTHR];
	void *rv;
	long i;

	for (i = 0; i < NTHR; i++)
		CHECK_INT(pthread_create(&t[i], NULL, thr_main, (void *)i), 0);
	for (i = 0; i < NTHR; i++) {
		pthread_join(t[i], &rv);
		CHECK_INT((long)rv, 0);
	}
}

static void
test_cleanup(struct ns_ctx *ctx, struct ns_ctx *pctx)
{
	struct del_arg da = {ctx, 0};
	char err[256];
	int n = 0;

	CHECK_INT(nl_link_foreach_tagged(ctx, TAG, count_cb, &n), 0);
	/* vr-t-a vr-t-d0 vr-t-br vr-t-t0 vr-t-t1 vr-t-c vr-t-e vr-t-m0 */
	CHECK_INT(n, 8);
	n = 0;
	CHECK_INT(nl_link_foreach_tagged(pctx, TAG, count_cb, &n), 0);
	CHECK_INT(n, 2); /* vp0, and lo: it carries the namespace's tag */

	CHECK_INT(nl_link_foreach_tagged(ctx, TAG, del_cb, &da), 0);
	CHECK_INT(da.failed, 0);
	n = 0;
	CHECK_INT(nl_link_foreach_tagged(ctx, "", count_cb, &n), 0);
	CHECK_INT(n, 0);
	n = 0;
	CHECK_INT(nl_link_foreach_tagged(pctx, "", count_cb, &n), 0);
	CHECK_INT(n, 1); /* vp0 went with vr-t-a; lo stays */
	CHECK_INT(nl_link_exists(pctx, "vp0"), 0);
	CHECK_NOT_HAS(out("ip -o link show"), "vr-t-");

	ns_close(pctx);
	OK(NULL, netns_delete(peerns, TAG, 0, err, sizeof(err)));
	CHECK_INT(netns_exists(peerns), 0);
	errno = 0;
	CHECK_INT(netns_delete(peerns, TAG, 0, err, sizeof(err)), -1);
	CHECK_INT(errno, ENOENT);
	CHECK_HAS(err, "delete netns");
	n = 0;
	CHECK_INT(netns_list(prefix, list_cb, &n), 0);
	CHECK_INT(n, 0);
}

int
main(void)
{
	struct ns_ctx *ctx, *pctx;
	char err[256];
	const char *p;
	int fds0;

	if (geteuid() != 0) {
		printf("SKIP: netsetup_test needs root\n");
		return 77;
	}
	if (ns_ino("/proc/self/ns/net") == ns_ino("/proc/1/ns/net")) {
		fprintf(stderr, "netsetup_test: refusing to run in the "
				"initial network namespace; use "
				"test_netsetup.sh\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	p = getenv("VRT_PREFIX");
	snprintf(prefix, sizeof(prefix), "%s",
		 p ? p : out("printf vrt-%d-", (int)getpid()));
	snprintf(peerns, sizeof(peerns), "%speer", prefix);
	fds0 = count_fds(0);

	test_netns();
	test_netns_tag();
	test_open();
	if ((ctx = ns_open(NULL, err, sizeof(err))) == NULL ||
	    (pctx = ns_open(peerns, err, sizeof(err))) == NULL) {
		fprintf(stderr, "ns_open: %s\n", err);
		return 1;
	}
	count_fds(1); /* every fd netsetup holds is close-on-exec */
	if (nl_dummy_add(ctx, "vr-t-probe", TAG "probe") == 0) {
		have_dummy = 1;
		OK(ctx, nl_link_del(ctx, "vr-t-probe", TAG, 0));
	} else {
		CHECK_INT(errno, EOPNOTSUPP);
		CHECK_HAS(ns_error(ctx), "create dummy vr-t-probe: Operation "
					 "not supported");
		printf("note: this kernel has no dummy links (%s); bridges "
		       "stand in for them\n",
		       ns_error(ctx));
	}
	test_veth(ctx, pctx);
	test_napi(pctx);
	test_l3(ctx, pctx);
	test_l2(ctx);
	test_delete(ctx);
	test_run(ctx, pctx);
	test_threads();
	test_cleanup(ctx, pctx); /* closes pctx */
	ns_close(ctx);
	CHECK_INT(count_fds(0), fds0);
	return t_done("netsetup_test");
}
