/*
 * Errors: libnl error codes to errno, the kernel's own errno and extended
 * ack text captured per context, and messages a person can act on.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "ns_priv.h"
#include "util.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/*
 * -NLE_* to errno.  libnl folds several kernel errors into one code
 * (nl_syserr2nlerr), so the kernel's errno recorded by ns_err_cb() is
 * preferred whenever the failure came from the kernel.
 */
static const int nlerr_errno[] = {
    [NLE_SUCCESS] = 0,
    [NLE_FAILURE] = EIO,
    [NLE_INTR] = EINTR,
    [NLE_BAD_SOCK] = EBADF,
    [NLE_AGAIN] = EAGAIN,
    [NLE_NOMEM] = ENOMEM,
    [NLE_EXIST] = EEXIST,
    [NLE_INVAL] = EINVAL,
    [NLE_RANGE] = ERANGE,
    [NLE_MSGSIZE] = EMSGSIZE,
    [NLE_OPNOTSUPP] = EOPNOTSUPP,
    [NLE_AF_NOSUPPORT] = EAFNOSUPPORT,
    [NLE_OBJ_NOTFOUND] = ENOENT,
    [NLE_NOATTR] = ENODATA,
    [NLE_MISSING_ATTR] = EINVAL,
    [NLE_AF_MISMATCH] = EAFNOSUPPORT,
    [NLE_SEQ_MISMATCH] = EPROTO,
    [NLE_MSG_OVERFLOW] = ENOBUFS,
    [NLE_MSG_TRUNC] = EMSGSIZE,
    [NLE_NOADDR] = EADDRNOTAVAIL,
    [NLE_SRCRT_NOSUPPORT] = EOPNOTSUPP,
    [NLE_MSG_TOOSHORT] = EPROTO,
    [NLE_MSGTYPE_NOSUPPORT] = EOPNOTSUPP,
    [NLE_OBJ_MISMATCH] = EINVAL,
    [NLE_NOCACHE] = ENOENT,
    [NLE_BUSY] = EBUSY,
    [NLE_PROTO_MISMATCH] = EPROTONOSUPPORT,
    [NLE_NOACCESS] = EACCES,
    [NLE_PERM] = EPERM,
    [NLE_PKTLOC_FILE] = ENOENT,
    [NLE_PARSE_ERR] = EINVAL,
    [NLE_NODEV] = ENODEV,
    [NLE_IMMUTABLE] = EPERM,
    [NLE_DUMP_INTR] = EAGAIN,
    [NLE_ATTRSIZE] = EINVAL,
};

int
ns_nlerr_to_errno(int nlerr)
{
	if (nlerr < 0)
		nlerr = -nlerr;
	if ((size_t)nlerr >= nitems(nlerr_errno) || nlerr_errno[nlerr] == 0)
		return nlerr == 0 ? 0 : EIO;
	return nlerr_errno[nlerr];
}

void
ns_req_begin(struct ns_ctx *ctx)
{
	ctx->nc_kerr = 0;
	ctx->nc_kmsg[0] = '\0';
}

/* The errno for a failed request: the kernel's if it said one. */
int
ns_req_errno(struct ns_ctx *ctx, int nlerr)
{
	if (ctx->nc_kerr > 0)
		return ctx->nc_kerr;
	return ns_nlerr_to_errno(nlerr);
}

/* Generic advice for an errno; NULL when there is none worth giving. */
const char *
ns_hint(int errnum)
{
	switch (errnum) {
	case EPERM:
	case EACCES:
		return "this needs CAP_NET_ADMIN: run vrouterd as root";
	case EOPNOTSUPP:
		return "the running kernel lacks support for this; is the "
		       "module loaded?";
	default:
		return NULL;
	}
}

/* "WHAT: strerror (kernel: KMSG) (HINT)" into buf. */
static void
ns_compose(char *buf, size_t len, int errnum, const char *kmsg,
	   const char *hint, const char *what)
{
	char ebuf[128];
	size_t n;
	int r;

	if (buf == NULL || len == 0)
		return;
	r = snprintf(buf, len, "%s: %s", what,
		     strerror_r(errnum, ebuf, sizeof(ebuf)));
	n = r < 0 ? 0 : (size_t)r;
	if (kmsg != NULL && kmsg[0] != '\0' && n < len) {
		r = snprintf(buf + n, len - n, " (kernel: %s)", kmsg);
		n += r < 0 ? 0 : (size_t)r;
	}
	if (hint == NULL)
		hint = ns_hint(errnum);
	if (hint != NULL && hint[0] != '\0' && n < len)
		snprintf(buf + n, len - n, " (%s)", hint);
}

void
ns_errbuf(char *buf, size_t len, int errnum, const char *hint, const char *fmt,
	  ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ns_compose(buf, len, errnum, NULL, hint, what);
}

/*
 * Record "WHAT[ in netns NS]: strerror (kernel: ...) (hint)" in ctx, set
 * errno and return -1.
 */
static int
ns_vfail(struct ns_ctx *ctx, int errnum, const char *hint, const char *fmt,
	 va_list ap)
{
	char what[512];
	size_t n;

	vsnprintf(what, sizeof(what), fmt, ap);
	n = strlen(what);
	if (ctx->nc_netns[0] != '\0' && n < sizeof(what))
		snprintf(what + n, sizeof(what) - n, " in netns %s",
			 ctx->nc_netns);
	ns_compose(ctx->nc_err, sizeof(ctx->nc_err), errnum, ctx->nc_kmsg, hint,
		   what);
	errno = errnum;
	return -1;
}

int
ns_fail(struct ns_ctx *ctx, int errnum, const char *hint, const char *fmt, ...)
{
	va_list ap;
	int rv;

	va_start(ap, fmt);
	rv = ns_vfail(ctx, errnum, hint, fmt, ap);
	va_end(ap);
	return rv;
}

/* As ns_fail() for a libnl return code of the request just made. */
int
ns_fail_nl(struct ns_ctx *ctx, int nlerr, const char *hint, const char *fmt,
	   ...)
{
	va_list ap;
	int rv;

	va_start(ap, fmt);
	rv = ns_vfail(ctx, ns_req_errno(ctx, nlerr), hint, fmt, ap);
	va_end(ap);
	return rv;
}

/*
 * Advice for "name exists already": say whose the interface is, from its
 * alias ("vrouterd:TOPO:ROLE").
 */
void
ns_exists_hint(struct ns_ctx *ctx, const char *name, char *buf, size_t len)
{
	struct rtnl_link *link = NULL;
	const char *alias = NULL;
	char topo[64];
	const char *p, *q;
	int kerr = ctx->nc_kerr;
	char kmsg[sizeof(ctx->nc_kmsg)];

	/* the lookup must not clobber the failed request's error */
	memcpy(kmsg, ctx->nc_kmsg, sizeof(kmsg));
	if (ns_link_get(ctx, name, &link) == 0)
		alias = rtnl_link_get_ifalias(link);
	if (alias != NULL && strncmp(alias, "vrouterd:", 9) == 0) {
		p = alias + 9;
		q = strchr(p, ':');
		snprintf(topo, sizeof(topo), "%.*s",
			 (int)(q ? (size_t)(q - p) : strlen(p)), p);
		snprintf(
		    buf, len,
		    "an interface of that name exists already, made by "
		    "vrouterd for topology %s; `vrctl stop %s` or delete it",
		    topo, topo);
	} else if (link != NULL) {
		snprintf(buf, len,
			 "an interface of that name exists already and is not "
			 "vrouterd's; delete it or choose another name");
	} else {
		snprintf(buf, len,
			 "an interface of that name exists already; delete it "
			 "or choose another name");
	}
	if (link != NULL)
		rtnl_link_put(link);
	ctx->nc_kerr = kerr;
	memcpy(ctx->nc_kmsg, kmsg, sizeof(kmsg));
}

/* Keep the text of a netlink extended ack (NLMSGERR_ATTR_MSG). */
static void
ns_extack(struct ns_ctx *ctx, const struct nlmsgerr *e)
{
	const struct nlmsghdr *h;
	const struct nlattr *a;
	size_t off, plen;

	/* libnl hands us nlmsg_data() of the NLMSG_ERROR message */
	h = (const struct nlmsghdr *)(const void *)((const char *)e -
						    NLMSG_HDRLEN);
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || h->nlmsg_len < NLMSG_HDRLEN)
		return;
	plen = h->nlmsg_len - NLMSG_HDRLEN;
	off = sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	if (off >= plen)
		return;
	a = nla_find(
	    (const struct nlattr *)(const void *)((const char *)e + off),
	    (int)(plen - off), NLMSGERR_ATTR_MSG);
	if (a == NULL || nla_len(a) <= 0)
		return;
	snprintf(ctx->nc_kmsg, sizeof(ctx->nc_kmsg), "%.*s", nla_len(a),
		 (const char *)nla_data(a));
}

static int
ns_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct ns_ctx *ctx = arg;

	(void)nla;
	ctx->nc_kerr = e->error < 0 ? -e->error : e->error;
	ns_extack(ctx, e);
	return NL_STOP; /* libnl then returns -nl_syserr2nlerr(e->error) */
}

/* Capture kernel errors of sk into ctx and ask for extended acks (best
 * effort). */
int
ns_err_cb_install(struct ns_ctx *ctx, struct nl_sock *sk)
{
	int one = 1, fd, err;

	err = nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, ns_err_cb, ctx);
	if (err < 0)
		return err;
	fd = nl_socket_get_fd(sk);
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}
