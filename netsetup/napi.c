/*
 * NAPI of links inside any namespace: GRO (which gives a veth's receiving
 * end its NAPI instances), threaded NAPI, and the list of NAPI instances
 * with their kernel threads (netdev generic netlink family).  Used by the
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
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sockios.h>

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

/* ---- the NAPI instances of a link ---------------------------------------- */

struct genl_req {
	struct nlmsghdr nh;
	struct genlmsghdr gh;
	char attrs[64];
};

static void
genl_put_attr(struct genl_req *r, int type, const void *data, size_t len)
{
	struct nlattr *a =
	    (struct nlattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void
genl_init(struct genl_req *r, int family, int cmd, int flags, int seq)
{
	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->nh.nlmsg_type = family;
	r->nh.nlmsg_flags = NLM_F_REQUEST | flags;
	r->nh.nlmsg_seq = seq;
	r->gh.cmd = cmd;
	r->gh.version = 1;
}

struct napi_walk {
	struct nl_napi *out;
	int max, n;
	int ifindex;
	int family;
	int err;
};

/* Call cb for every attribute of a generic netlink message. */
static void
genl_attrs(const struct nlmsghdr *nh,
	   void (*cb)(int type, const void *p, int len, void *arg), void *arg)
{
	const char *p = (const char *)NLMSG_DATA(nh) + GENL_HDRLEN;
	const char *end = (const char *)nh + nh->nlmsg_len;

	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
			break;
		cb(a->nla_type & NLA_TYPE_MASK, p + NLA_HDRLEN,
		   a->nla_len - NLA_HDRLEN, arg);
		p += NLA_ALIGN(a->nla_len);
	}
}

static void
family_attr(int type, const void *p, int len, void *arg)
{
	struct napi_walk *w = arg;

	if (type == CTRL_ATTR_FAMILY_ID && len >= 2)
		w->family = *(const uint16_t *)p;
}

static void
napi_attr(int type, const void *p, int len, void *arg)
{
	struct nl_napi *z = arg;

	if (len < 4)
		return;
	if (type == NETDEV_A_NAPI_ID)
		z->id = *(const uint32_t *)p;
	else if (type == NETDEV_A_NAPI_IFINDEX)
		z->ifindex = (int)*(const uint32_t *)p;
	else if (type == NETDEV_A_NAPI_PID)
		z->pid = (int)*(const uint32_t *)p;
}

/* Send r and read the answers (a dump until NLMSG_DONE); 0 or errno. */
static int
genl_talk(int fd, struct genl_req *r, struct napi_walk *w, int dump)
{
	char buf[16384];

	if (send(fd, r, r->nh.nlmsg_len, 0) == -1)
		return errno;
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (len == -1)
			return errno == EAGAIN ? ETIMEDOUT : errno;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_seq != r->nh.nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);
				if (e->error == 0 && !dump)
					return 0;
				return e->error ? -e->error : 0;
			}
			if (!dump) {
				genl_attrs(nh, family_attr, w);
				return 0;
			}
			if (w->n < w->max) {
				struct nl_napi z = {0};
				genl_attrs(nh, napi_attr, &z);
				if (z.ifindex == w->ifindex)
					w->out[w->n++] = z;
			}
		}
	}
}

static int
napi_dump(void *arg)
{
	struct napi_walk *w = arg;
	struct timeval tv = {2, 0};
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	struct genl_req r;
	uint32_t ifi = (uint32_t)w->ifindex;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd == -1) {
		w->err = errno;
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		w->err = errno;
		goto out;
	}
	genl_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_ACK, 1);
	genl_put_attr(&r, CTRL_ATTR_FAMILY_NAME, NETDEV_FAMILY,
		      sizeof(NETDEV_FAMILY));
	if ((w->err = genl_talk(fd, &r, w, 0)) != 0 || w->family == 0) {
		if (w->err == 0 || w->err == ENOENT)
			w->err = EOPNOTSUPP;
		goto out;
	}
	genl_init(&r, w->family, NETDEV_CMD_NAPI_GET, NLM_F_DUMP, 2);
	genl_put_attr(&r, NETDEV_A_NAPI_IFINDEX, &ifi, sizeof(ifi));
	w->err = genl_talk(fd, &r, w, 1);
out:
	close(fd);
	return w->err ? -1 : 0;
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
	struct napi_walk w = {.out = out, .max = max};

	if ((w.ifindex = nl_link_ifindex(ctx, name)) <= 0)
		return -1;
	if (ns_run(ctx, napi_dump, &w) == -1)
		return ns_fail(ctx, w.err ? w.err : errno,
			       w.err == EOPNOTSUPP || w.err == EINVAL
				   ? "the kernel has no netdev netlink family "
				     "with NAPI threads (Linux >= 6.9)"
				   : NULL,
			       "list napi of %s", name);
	qsort(out, w.n, sizeof(*out), napi_cmp);
	return w.n;
}
