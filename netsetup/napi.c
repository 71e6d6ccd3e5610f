/*
 * NAPI of links inside any namespace: GRO (which gives a veth's receiving
 * end its NAPI instances), threaded NAPI, and the list of NAPI instances
 * with their kernel threads (netdev generic netlink family, through
 * libnl-genl-3).  Used by the
 * netns backend to place each node's receive processing on its CPUs.
 */
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/sockios.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "netsetup.h"
#include "ns_priv.h"
#include "util.h"

/* The netdev family (include/uapi/linux/netdev.h, Linux >= 6.9 for the
 * thread pid); the header may be older than the kernel, so the numbers
 * are spelled out here. */
#define NETDEV_FAMILY	      "netdev"
#define NETDEV_CMD_NAPI_GET   11
#define NETDEV_A_NAPI_IFINDEX 1
#define NETDEV_A_NAPI_ID      2
#define NETDEV_A_NAPI_PID     4

/* ---- GRO -------------------------------------------------------------- */

struct gro_arg {
	const char *name;
	int on;
	int err;
};

static int
gro_set(void *arg)
{
	struct gro_arg *a = arg;
	struct ethtool_value ev = {.cmd = ETHTOOL_SGRO, .data = a->on ? 1 : 0};
	struct ifreq ifr;
	int fd;

	memset(&ifr, 0, sizeof(ifr));
	vr_strlcpy(ifr.ifr_name, a->name, sizeof(ifr.ifr_name));
	ifr.ifr_data = (void *)&ev;
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		a->err = errno;
		return -1;
	}
	if (ioctl(fd, SIOCETHTOOL, &ifr) == -1) {
		a->err = errno;
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
nl_link_set_gro(struct ns_ctx *ctx, const char *name, int on)
{
	struct gro_arg a = {name, on, 0};

	if (ns_check_ifname(ctx, "set gro", name) == -1)
		return -1;
	if (ns_run(ctx, gro_set, &a) == -1)
		return ns_fail(ctx, a.err ? a.err : errno, NULL,
			       "set gro %s on %s", on ? "on" : "off", name);
	return 0;
}

/* ---- threaded NAPI ------------------------------------------------------ */

struct sysfs_arg {
	int nsfd;
	char path[128];
	const char *value;
	const char *step;
	int err;
};

/*
 * A thread of its own: enter the network namespace, unshare the mount
 * namespace (made a slave so that nothing propagates back), mount a sysfs
 * there (sysfs shows the devices of the namespace it is mounted in) and
 * write.  Both namespaces go when the thread exits.
 */
static void *
sysfs_thread(void *arg)
{
	struct sysfs_arg *a = arg;
	size_t len = strlen(a->value);
	int fd;

	if (setns(a->nsfd, CLONE_NEWNET) == -1) {
		a->step = "setns";
		goto fail;
	}
	if (unshare(CLONE_NEWNS) == -1) {
		a->step = "unshare(CLONE_NEWNS)";
		goto fail;
	}
	if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL) == -1) {
		a->step = "make / a slave mount";
		goto fail;
	}
	if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV,
		  NULL) == -1) {
		a->step = "mount sysfs";
		goto fail;
	}
	if ((fd = open(a->path, O_WRONLY | O_CLOEXEC)) == -1) {
		a->step = "open";
		goto fail;
	}
	if (write(fd, a->value, len) != (ssize_t)len) {
		a->step = "write";
		a->err = errno ? errno : EIO;
		close(fd);
		return NULL;
	}
	close(fd);
	return NULL;
fail:
	a->err = errno;
	return NULL;
}

int
nl_link_set_threaded(struct ns_ctx *ctx, const char *name, int on)
{
	struct sysfs_arg a = {.nsfd = ctx->nc_nsfd, .value = on ? "1" : "0"};
	pthread_t tid;
	int e;

	if (ns_check_ifname(ctx, "set threaded napi", name) == -1)
		return -1;
	snprintf(a.path, sizeof(a.path), "/sys/class/net/%s/threaded", name);
	if ((e = pthread_create(&tid, NULL, sysfs_thread, &a)) != 0)
		return ns_fail(ctx, e, NULL, "set threaded napi on %s: thread",
			       name);
	pthread_join(tid, NULL);
	if (a.err != 0)
		return ns_fail(ctx, a.err,
			       a.err == EOPNOTSUPP
				   ? "the device has no NAPI yet (GRO on and "
				     "the link up first)"
				   : NULL,
			       "set threaded napi on %s: %s", name, a.step);
	return 0;
}

/* ---- the NAPI instances of a link ----------------------------------------
 * A dump of NETDEV_CMD_NAPI_GET through libnl-genl, on a socket opened in
 * the namespace, with the error callback of error.c: a kernel error and
 * its extended ack reach the message as for every other request. */

static const struct nla_policy napi_policy[NETDEV_A_NAPI_PID + 1] = {
    [NETDEV_A_NAPI_IFINDEX] = {.type = NLA_U32},
    [NETDEV_A_NAPI_ID] = {.type = NLA_U32},
    [NETDEV_A_NAPI_PID] = {.type = NLA_U32},
};

struct napi_walk {
	struct ns_ctx *ctx;
	struct nl_napi *out;
	int max, n;
	int ifindex;
	int nlerr; /* libnl's code of the step that failed */
	const char *step;
};

static int
napi_valid(struct nl_msg *msg, void *arg)
{
	struct napi_walk *w = arg;
	struct nlattr *tb[NETDEV_A_NAPI_PID + 1];
	struct nl_napi z = {0};

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, NETDEV_A_NAPI_PID,
			  (struct nla_policy *)napi_policy) < 0)
		return NL_SKIP;
	if (tb[NETDEV_A_NAPI_IFINDEX])
		z.ifindex = (int)nla_get_u32(tb[NETDEV_A_NAPI_IFINDEX]);
	if (tb[NETDEV_A_NAPI_ID])
		z.id = nla_get_u32(tb[NETDEV_A_NAPI_ID]);
	if (tb[NETDEV_A_NAPI_PID])
		z.pid = (int)nla_get_u32(tb[NETDEV_A_NAPI_PID]);
	if (z.ifindex == w->ifindex && w->n < w->max)
		w->out[w->n++] = z;
	return NL_OK;
}

static int
napi_dump(void *arg)
{
	struct napi_walk *w = arg;
	struct timeval tv = {2, 0};
	struct nl_sock *sk;
	struct nl_msg *msg = NULL;
	int family;

	if ((sk = nl_socket_alloc()) == NULL) {
		w->nlerr = -NLE_NOMEM;
		w->step = "socket";
		return -1;
	}
	if ((w->nlerr = genl_connect(sk)) < 0 ||
	    (w->nlerr = ns_err_cb_install(w->ctx, sk)) < 0) {
		w->step = "socket";
		goto out;
	}
	(void)setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVTIMEO, &tv,
			 sizeof(tv));
	ns_req_begin(w->ctx);
	if ((family = genl_ctrl_resolve(sk, NETDEV_FAMILY)) < 0) {
		w->nlerr = family;
		w->step = "resolve the netdev family";
		goto out;
	}
	if ((msg = nlmsg_alloc()) == NULL) {
		w->nlerr = -NLE_NOMEM;
		w->step = "message";
		goto out;
	}
	if (genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_DUMP,
			NETDEV_CMD_NAPI_GET, 1) == NULL ||
	    nla_put_u32(msg, NETDEV_A_NAPI_IFINDEX, (uint32_t)w->ifindex) < 0) {
		w->nlerr = -NLE_NOMEM;
		w->step = "message";
		goto out;
	}
	if ((w->nlerr = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM,
					    napi_valid, w)) < 0) {
		w->step = "socket";
		goto out;
	}
	ns_req_begin(w->ctx);
	w->step = "dump";
	if ((w->nlerr = nl_send_auto(sk, msg)) >= 0)
		w->nlerr = nl_recvmsgs_default(sk);
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	if (w->nlerr > 0)
		w->nlerr = 0;
	return w->nlerr < 0 ? -1 : 0;
}

static int
napi_cmp(const void *a, const void *b)
{
	const struct nl_napi *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int
nl_napi_list(struct ns_ctx *ctx, const char *name, struct nl_napi *out, int max)
{
	struct napi_walk w = {.ctx = ctx, .out = out, .max = max};
	int e;

	if ((w.ifindex = nl_link_ifindex(ctx, name)) <= 0)
		return -1;
	if (ns_run(ctx, napi_dump, &w) == -1) {
		if (w.step == NULL) /* entering the namespace failed */
			return -1;
		e = ns_req_errno(ctx, w.nlerr);
		if (w.nlerr == -NLE_OBJ_NOTFOUND && ctx->nc_kerr == 0)
			e = EOPNOTSUPP; /* no such family */
		return ns_fail(ctx, e,
			       e == EOPNOTSUPP || e == EINVAL
				   ? "the kernel has no netdev netlink family "
				     "with NAPI threads (Linux >= 6.9)"
				   : NULL,
			       "list napi of %s: %s", name, w.step);
	}
	qsort(out, w.n, sizeof(*out), napi_cmp);
	return w.n;
}
