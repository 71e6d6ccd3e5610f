/*
 * Named network namespaces kept the way iproute2's `ip netns` keeps them
 * (a bind mount of the namespace on /run/netns/NAME, /run/netns a shared
 * mount point), and the per-namespace netlink contexts.
 *
 * A namespace has no alias of its own, so vrouterd tags one through its
 * loopback: netns_create sets lo's IFLA_IFALIAS to the tag it is given
 * ("vrouterd:TOPO:netns-ROLE", as links are tagged), and netns_delete
 * enters the namespace, reads lo's alias and deletes only when it starts
 * with the caller's prefix.  Only root can make or change either, so a
 * name read from a state file or a domain's metadata never makes vrouterd
 * delete a namespace it did not create.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "log.h"
#include "netsetup.h"
#include "ns_priv.h"
#include "util.h"

/* Serialises the one-time set-up of /run/netns between threads. */
static pthread_mutex_t netns_dir_lock = PTHREAD_MUTEX_INITIALIZER;

int
netns_check_name(const char *name)
{
	if (name == NULL || name[0] == '\0' || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0 || strchr(name, '/') != NULL ||
	    strlen(name) > NAME_MAX)
		return -1;
	return 0;
}

static int
netns_path(char *buf, size_t len, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", NETNS_RUN_DIR, name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * Make /run/netns exist and be a shared mount point, as iproute2 does:
 * try to make it shared; when it is not a mount point yet (EINVAL), bind
 * mount it on itself and try again.  Mounts made on it then propagate to
 * every mount namespace that shares it.
 */
static int
netns_prepare_dir(char *err, size_t errlen)
{
	int made_bind = 0, rv = -1;

	pthread_mutex_lock(&netns_dir_lock);
	if (mkdir(NETNS_RUN_DIR, 0755) == -1 && errno != EEXIST) {
		ns_errbuf(err, errlen, errno, NULL, "create %s", NETNS_RUN_DIR);
		goto fail;
	}
	for (;;) {
		if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC,
			  NULL) == 0)
			break;
		if (errno != EINVAL || made_bind) {
			ns_errbuf(err, errlen, errno, NULL,
				  "make %s a shared mount", NETNS_RUN_DIR);
			goto fail;
		}
		if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none",
			  MS_BIND | MS_REC, NULL) == -1) {
			ns_errbuf(err, errlen, errno, NULL, "bind mount %s",
				  NETNS_RUN_DIR);
			goto fail;
		}
		made_bind = 1;
	}
	rv = 0;
fail:
	pthread_mutex_unlock(&netns_dir_lock);
	return rv;
}

struct netns_mk {
	const char *path;
	const char *step; /* what failed */
	int error;
};

/*
 * Runs on a thread of its own: the new namespace is entered by this
 * thread only, pinned by the bind mount, and dropped when it exits.
 */
static void *
netns_mk_thread(void *arg)
{
	struct netns_mk *mk = arg;

	if (unshare(CLONE_NEWNET) == -1) {
		mk->step = "unshare(CLONE_NEWNET)";
		mk->error = errno;
	} else if (mount(NS_SELF_NET, mk->path, "none", MS_BIND, NULL) == -1) {
		mk->step = "bind mount";
		mk->error = errno;
	}
	return NULL;
}

int
netns_create(const char *name, const char *tag, char *err, size_t errlen)
{
	struct netns_mk mk = {0};
	struct ns_ctx *ctx = NULL;
	char path[PATH_MAX];
	pthread_t tid;
	int fd, e = 0, created = 0, mounted = 0;

	if (netns_check_name(name) == -1) {
		ns_errbuf(err, errlen, EINVAL,
			  "a name must be non-empty, "
			  "at most 255 bytes, without '/'",
			  "create netns %s", name ? name : "(null)");
		errno = EINVAL;
		return -1;
	}
	if (netns_path(path, sizeof(path), name) == -1) {
		ns_errbuf(err, errlen, ENAMETOOLONG, NULL, "create netns %s",
			  name);
		errno = ENAMETOOLONG;
		return -1;
	}
	if (netns_prepare_dir(err, errlen) == -1)
		return -1;

	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd == -1) {
		e = errno;
		ns_errbuf(err, errlen, e,
			  e == EEXIST ? "a namespace of that name exists "
					"already; `ip netns del` it or choose "
					"another name"
				      : NULL,
			  "create netns %s", name);
		goto fail;
	}
	close(fd);
	created = 1;

	mk.path = path;
	if ((e = pthread_create(&tid, NULL, netns_mk_thread, &mk)) != 0) {
		ns_errbuf(err, errlen, e, NULL, "create netns %s: thread",
			  name);
		goto fail;
	}
	pthread_join(tid, NULL);
	if (mk.error != 0) {
		e = mk.error;
		ns_errbuf(err, errlen, e, NULL, "create netns %s: %s", name,
			  mk.step);
		goto fail;
	}
	mounted = 1;

	/* `ip netns add` leaves lo down; a router's namespace wants it up */
	if ((ctx = ns_open(name, err, errlen)) == NULL) {
		e = errno;
		goto fail;
	}
	if (nl_link_set_up(ctx, "lo", 1) == -1) {
		e = errno;
		ns_errbuf(err, errlen, e, NULL, "create netns %s: set lo up",
			  name);
		goto fail;
	}
	if (tag != NULL && tag[0] != '\0' &&
	    nl_link_set_alias(ctx, "lo", tag) == -1) {
		e = errno;
		ns_errbuf(err, errlen, e, NULL, "create netns %s: tag lo: %s",
			  name, ns_error(ctx));
		goto fail;
	}
	ns_close(ctx);
	return 0;

fail:
	ns_close(ctx);
	if (mounted && umount2(path, MNT_DETACH) == -1)
		log_warn("%s: umount %s", __func__, path);
	if (created && unlink(path) == -1)
		log_warn("%s: unlink %s", __func__, path);
	errno = e;
	return -1;
}

int
netns_get_tag(const char *name, char *buf, size_t len, char *err, size_t errlen)
{
	struct ns_ctx *ctx;
	int rv = 0, e = 0;

	if (len)
		buf[0] = '\0';
	if ((ctx = ns_open(name, err, errlen)) == NULL)
		return -1;
	if (nl_link_get_alias(ctx, "lo", buf, len) == -1) {
		e = errno;
		ns_errbuf(err, errlen, e, NULL, "netns %s: read lo's alias: %s",
			  name, ns_error(ctx));
		rv = -1;
	}
	ns_close(ctx);
	errno = e;
	return rv;
}

int
netns_tag_ok(const char *tag, const char *tag_prefix)
{
	return tag != NULL && tag_prefix != NULL && tag_prefix[0] != '\0' &&
	       strncmp(tag, tag_prefix, strlen(tag_prefix)) == 0;
}

/* Is path itself (not a symlink) the namespace ctx was opened on, and
 * nothing mounted over it between the check and the umount? */
static int
netns_same(const struct ns_ctx *ctx, const char *path)
{
	struct stat a, b;

	return fstat(ctx->nc_nsfd, &a) == 0 && lstat(path, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int
netns_delete(const char *name, const char *tag_prefix, int missing_ok,
	     char *err, size_t errlen)
{
	struct ns_ctx *ctx = NULL;
	char path[PATH_MAX], tag[256], e2[512], hint[768];
	int e;

	if (netns_check_name(name) == -1 ||
	    netns_path(path, sizeof(path), name) == -1 || tag_prefix == NULL ||
	    tag_prefix[0] == '\0') {
		ns_errbuf(err, errlen, EINVAL,
			  tag_prefix == NULL || tag_prefix[0] == '\0'
			      ? "a tag prefix is required"
			      : NULL,
			  "delete netns %s", name ? name : "(null)");
		errno = EINVAL;
		return -1;
	}
	if ((ctx = ns_open(name, e2, sizeof(e2))) == NULL) {
		if (errno == ENOENT) {
			if (missing_ok)
				return 0;
			ns_errbuf(err, errlen, ENOENT,
				  "no namespace of that name; "
				  "`ip netns list` shows them",
				  "delete netns %s", name);
			errno = ENOENT;
			return -1;
		}
		/* a file that is not a namespace (EINVAL from setns) carries
		 * no tag: it is not known to be vrouterd's either */
		snprintf(hint, sizeof(hint),
			 "refused: %s, so its tag cannot be read and it is "
			 "not known to be vrouterd's; delete it by hand if it "
			 "must go",
			 e2);
		ns_errbuf(err, errlen, EPERM, hint, "delete netns %s", name);
		errno = EPERM;
		return -1;
	}
	if (nl_link_get_alias(ctx, "lo", tag, sizeof(tag)) == -1)
		tag[0] = '\0';
	if (!netns_tag_ok(tag, tag_prefix) || !netns_same(ctx, path)) {
		if (!netns_tag_ok(tag, tag_prefix))
			snprintf(hint, sizeof(hint),
				 "refused: the alias of its lo '%s' does not "
				 "start with '%s', so the namespace is not "
				 "vrouterd's; delete it by hand if it must go",
				 tag, tag_prefix);
		else
			snprintf(hint, sizeof(hint),
				 "refused: " NETNS_RUN_DIR "/%s is a link or "
				 "changed while it was checked",
				 name);
		ns_errbuf(err, errlen, EPERM, hint, "delete netns %s", name);
		ns_close(ctx);
		errno = EPERM;
		return -1;
	}
	ns_close(ctx);
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == -1 &&
	    errno != EINVAL && errno != ENOENT) {
		e = errno;
		ns_errbuf(err, errlen, e, NULL, "delete netns %s: umount",
			  name);
		errno = e;
		return -1;
	}
	if (unlink(path) == -1 && !(errno == ENOENT && missing_ok)) {
		e = errno;
		ns_errbuf(err, errlen, e, NULL, "delete netns %s", name);
		errno = e;
		return -1;
	}
	return 0;
}

int
netns_exists(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if (netns_check_name(name) == -1 ||
	    netns_path(path, sizeof(path), name) == -1) {
		errno = EINVAL;
		return -1;
	}
	if (stat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	return 1;
}

int
netns_list(const char *prefix, void (*fn)(const char *, void *), void *arg)
{
	struct dirent *de;
	char **names = NULL;
	size_t i, n = 0, cap = 0, plen = prefix ? strlen(prefix) : 0;
	DIR *d;
	int fd;

	fd = open(NETNS_RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	/* collect first: fn may create or delete namespaces */
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    (plen && strncmp(de->d_name, prefix, plen) != 0))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	for (i = 0; i < n; i++) {
		fn(names[i], arg);
		free(names[i]);
	}
	free(names);
	return 0;
}

/*
 * Run fn(arg) on the calling thread inside the namespace nsfd, then return
 * to the thread's own.  Failing to return would leave the thread quietly
 * working in the wrong namespace: that is fatal.
 */
static int
ns_enter_run(int nsfd, int (*fn)(void *), void *arg, int *enter_err)
{
	struct stat a, b;
	int self, rv, e;

	*enter_err = 0;
	if ((self = open(NS_SELF_NET, O_RDONLY | O_CLOEXEC)) == -1) {
		*enter_err = errno;
		return -1;
	}
	if (fstat(self, &a) == 0 && fstat(nsfd, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		close(self); /* already there */
		return fn(arg);
	}
	if (setns(nsfd, CLONE_NEWNET) == -1) {
		*enter_err = errno;
		close(self);
		return -1;
	}
	rv = fn(arg);
	e = errno;
	if (setns(self, CLONE_NEWNET) == -1)
		fatal("%s: cannot return to the thread's network namespace",
		      __func__);
	close(self);
	errno = e;
	return rv;
}

struct ns_sock_arg {
	struct nl_sock *sk;
	int nlerr;
};

static int
ns_sock_make(void *arg)
{
	struct ns_sock_arg *sa = arg;
	int fd, fl;

	if ((sa->sk = nl_socket_alloc()) == NULL) {
		sa->nlerr = -NLE_NOMEM;
		return -1;
	}
	if ((sa->nlerr = nl_connect(sa->sk, NETLINK_ROUTE)) < 0)
		return -1;
	/* libnl 3.7 sets SOCK_CLOEXEC itself; make sure of it anyway */
	fd = nl_socket_get_fd(sa->sk);
	if ((fl = fcntl(fd, F_GETFD)) != -1 && !(fl & FD_CLOEXEC))
		(void)fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	return 0;
}

struct ns_ctx *
ns_open(const char *netns, char *err, size_t errlen)
{
	struct ns_sock_arg sa = {0};
	struct ns_ctx *ctx;
	char path[PATH_MAX];
	int e, rv;

	ctx = xcalloc(1, sizeof(*ctx));
	ctx->nc_nsfd = -1;
	if (netns != NULL) {
		if (netns_check_name(netns) == -1 ||
		    netns_path(path, sizeof(path), netns) == -1) {
			e = EINVAL;
			ns_errbuf(err, errlen, e, NULL, "open netns %s", netns);
			goto fail;
		}
		vr_strlcpy(ctx->nc_netns, netns, sizeof(ctx->nc_netns));
	} else
		vr_strlcpy(path, NS_SELF_NET, sizeof(path));

	if ((ctx->nc_nsfd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		e = errno;
		ns_errbuf(err, errlen, e,
			  e == ENOENT ? "no namespace of that name; "
					"`ip netns list` shows them"
				      : NULL,
			  "open netns %s", netns ? netns : "(own)");
		goto fail;
	}

	rv = ns_enter_run(ctx->nc_nsfd, ns_sock_make, &sa, &e);
	if (rv == -1 && e != 0) {
		ns_errbuf(err, errlen, e, NULL, "enter netns %s",
			  netns ? netns : "(own)");
		goto fail;
	}
	if (rv == -1) {
		e = ns_nlerr_to_errno(sa.nlerr);
		ns_errbuf(err, errlen, e, NULL, "netlink socket in netns %s",
			  netns ? netns : "(own)");
		goto fail;
	}
	ctx->nc_sk = sa.sk;
	sa.sk = NULL;
	if ((rv = ns_err_cb_install(ctx, ctx->nc_sk)) < 0) {
		e = ns_nlerr_to_errno(rv);
		ns_errbuf(err, errlen, e, NULL, "netlink socket in netns %s",
			  netns ? netns : "(own)");
		goto fail;
	}
	return ctx;

fail:
	if (sa.sk != NULL)
		nl_socket_free(sa.sk);
	ns_close(ctx);
	errno = e;
	return NULL;
}

void
ns_close(struct ns_ctx *ctx)
{
	if (ctx == NULL)
		return;
	if (ctx->nc_sk != NULL)
		nl_socket_free(ctx->nc_sk); /* closes its fd */
	if (ctx->nc_nsfd != -1)
		close(ctx->nc_nsfd);
	free(ctx);
}

const char *
ns_error(const struct ns_ctx *ctx)
{
	if (ctx == NULL)
		return "no netlink context";
	return ctx->nc_err;
}

int
ns_run(struct ns_ctx *ctx, int (*fn)(void *), void *arg)
{
	int rv, e;

	rv = ns_enter_run(ctx->nc_nsfd, fn, arg, &e);
	if (rv == -1 && e != 0)
		return ns_fail(ctx, e, NULL, "enter the namespace");
	return rv;
}

/* ---- per-namespace sysctls ------------------------------------------------
 * /proc/sys/net reflects the network namespace of the thread that opens
 * it, so the write happens inside ns_run(). */

struct sysctl_arg {
	char path[256];
	const char *value;
	int err;
};

static int
sysctl_write(void *arg)
{
	struct sysctl_arg *a = arg;
	size_t len = strlen(a->value);
	int fd;

	if ((fd = open(a->path, O_WRONLY | O_CLOEXEC)) == -1) {
		a->err = errno;
		return -1;
	}
	if (write(fd, a->value, len) != (ssize_t)len) {
		a->err = errno ? errno : EIO;
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
ns_sysctl_set(struct ns_ctx *ctx, const char *key, const char *value)
{
	struct sysctl_arg a = {.value = value, .err = 0};

	if (key == NULL || value == NULL || strstr(key, "..") != NULL ||
	    (size_t)snprintf(a.path, sizeof(a.path), "/proc/sys/%s", key) >=
		sizeof(a.path))
		return ns_fail(ctx, EINVAL, NULL, "sysctl %s: bad key",
			       key ? key : "");
	if (ns_run(ctx, sysctl_write, &a) == -1)
		return ns_fail(ctx, a.err ? a.err : errno,
			       a.err == ENOENT ? "the kernel lacks this "
						 "setting"
					       : NULL,
			       "sysctl %s=%s in %s", key, value,
			       ctx->nc_netns[0] ? ctx->nc_netns : "the host");
	return 0;
}
