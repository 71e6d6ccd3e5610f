/*
 * netsetup internals shared by netns.c, error.c, link.c, addr.c, napi.c
 * and query.c.  Not part of the module's interface.
 */
#ifndef VR_NS_PRIV_H
#define VR_NS_PRIV_H

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>

#include "netsetup.h"

#define NETNS_RUN_DIR "/run/netns"
#define NS_SELF_NET   "/proc/thread-self/ns/net"

struct nl_sock;
struct rtnl_link;

struct ns_ctx {
	struct nl_sock *nc_sk;	     /* route socket, created inside nc_nsfd */
	int nc_nsfd;		     /* the namespace, O_CLOEXEC */
	char nc_netns[NAME_MAX + 1]; /* its name, "" for the opener's own */
	int nc_kerr;		     /* errno of the last kernel NLMSG_ERROR */
	char nc_kmsg[256];	     /* its extended-ack text, if any */
	char nc_err[1024];	     /* last error, for ns_error() */
};

/* error.c */
int ns_nlerr_to_errno(int nlerr);
void ns_req_begin(struct ns_ctx *);
int ns_req_errno(struct ns_ctx *, int nlerr);
int ns_fail(struct ns_ctx *, int errnum, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int ns_fail_nl(struct ns_ctx *, int nlerr, const char *hint, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));
void ns_errbuf(char *buf, size_t len, int errnum, const char *hint,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
const char *ns_hint(int errnum);
void ns_exists_hint(struct ns_ctx *, const char *name, char *buf, size_t len);
int ns_err_cb_install(struct ns_ctx *, struct nl_sock *);

/* query.c */
int ns_link_get(struct ns_ctx *, const char *name, struct rtnl_link **);
int ns_check_ifname(struct ns_ctx *, const char *what, const char *name);

/* link.c */
struct nl_addr;
int ns_parse_mac(struct ns_ctx *, const char *what, const char *mac,
		 struct nl_addr **);
int ns_link_add(struct ns_ctx *, struct rtnl_link *, const char *kind,
		const char *name, const char *alias);
void ns_link_rollback(struct ns_ctx *, const char *name);

/* addr.c: an address without a prefix length, "198.18.0.1" or "2001:db8::1" */
/* addr.c: a permanent IP neighbour (fdb 0) or bridge FDB entry (fdb 1). */
struct nl_addr;
int ns_neigh_add(struct ns_ctx *, const char *what, int ifindex,
		 struct nl_addr *dst, struct nl_addr *ll, int fdb);
int ns_addr_parse(struct ns_ctx *, const char *what, const char *s,
		  struct nl_addr **);

/* netns.c */
int netns_check_name(const char *name);

#endif
