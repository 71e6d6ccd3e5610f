/*
 * The control socket, in the manner of vmd's control.c: control_init sets
 * the socket up, control_accept takes clients (pausing on EMFILE),
 * control_read frames lines and hands requests to the dispatcher, and
 * control_close tears a client down in a fixed order.  Each request becomes
 * a struct rpc_req (rpc.h; answered through rpc.c) that outlives its
 * client if need be.
 *
 * A peer that may connect must not be able to lock root out (the bounds of
 * docs/protocol.md): reserved_clients of the max_clients slots are kept
 * for privileged peers, one uid (but root) holds at most
 * max_clients_per_uid on each socket, a client may have at most
 * CONTROL_PENDING_MAX requests unanswered (the next lines get -32002), and
 * a client with none pending must complete a request line request_timeout
 * seconds after connecting or after its last answer (a line begun while
 * one is pending: after its first byte).  Only requests (not blank lines,
 * not garbage, not part of a line) count as activity, for request_timeout
 * and idle_timeout.  A refused or cut-off peer gets an error line saying
 * why before the close.
 *
 * Two listeners: the control socket (socket_mode, socket_group) and the
 * read-only socket (socket_ro, mode 0666), on which every peer is
 * unprivileged whatever its uid: it may call only the read methods, takes
 * an unprivileged slot and is held to max_clients_per_uid, root included;
 * a uid's connections are counted per socket, so root's watches on the
 * control socket do not keep it off the read-only one.
 * A listener whose socket the service manager passed (LISTEN_FDS, matched
 * by path) is used as it is: not bound, not chmod-ed, not unlinked.
 *
 * Over 800 lines on purpose: listeners, admission, framing and teardown
 * share one static state (cs) and one client lifecycle; split, each part
 * would need the others' internals.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "config.h"
#include "control.h"
#include "control_int.h"
#include "dispatch.h"
#include "log.h"
#include "proto.h"
#include "rpc.h"
#include "sdnotify.h"
#include "util.h"

#ifndef TAILQ_FOREACH_SAFE /* glibc's sys/queue.h lacks it */
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)                             \
	for ((var) = TAILQ_FIRST(head);                                        \
	     (var) && ((tvar) = TAILQ_NEXT(var, field), 1); (var) = (tvar))
#endif

#define CONTROL_BACKLOG	    128
#define CONTROL_ACCEPT_MAX  32 /* accepts per wake-up */
#define CONTROL_READ_SLACK  (64 * 1024)
#define CONTROL_FLUSH_SEC   5	  /* to write a last reply before closing */
#define CONTROL_FD_SLACK    256	  /* fds beside the clients' (libvirt, jobs) */
#define CONTROL_PENDING_MAX 8	  /* unanswered requests of one client */
#define CONTROL_NGROUPS_MAX 65536 /* NGROUPS_MAX of Linux */

struct control_client;

struct control_listener {
	char cl_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int cl_fd;
	int cl_readonly;
	int cl_activated; /* passed by the service manager */
	struct event *cl_ev_accept;
	struct event *cl_ev_pause;
};

enum { CONTROL_MAIN, CONTROL_RO, CONTROL_NLISTEN };

static struct {
	struct event_base *base;
	struct control_listener ls[CONTROL_NLISTEN];
	int accepting;
	TAILQ_HEAD(, control_client) clients;
	int nclients;
	int nunpriv; /* of nclients, unprivileged peers */
	unsigned next_id;
	char group[64];
	gid_t gid;
	int have_group;
	int draining;
	void (*drained)(void *);
	void *drained_arg;
	struct event *ev_drain;
} cs = {.ls = {{.cl_fd = -1}, {.cl_fd = -1, .cl_readonly = 1}},
	.clients = TAILQ_HEAD_INITIALIZER(cs.clients)};

static void control_accept(evutil_socket_t, short, void *);
static void control_read(struct bufferevent *, void *);
static void control_write(struct bufferevent *, void *);
static void control_event(struct bufferevent *, short, void *);
static void control_drain_check(void);
static void control_fd_limit(void);
static void control_idle(evutil_socket_t, short, void *);
static void control_line_late(evutil_socket_t, short, void *);

int
control_nclients(void)
{
	return cs.nclients;
}

/* Resolve conf->socket_group; a missing group leaves mutations to root. */
static void
control_group(void)
{
	struct group gr, *res = NULL;
	char buf[4096];
	int rv;

	vr_strlcpy(cs.group, conf->socket_group, sizeof(cs.group));
	cs.have_group = 0;
	rv = getgrnam_r(cs.group, &gr, buf, sizeof(buf), &res);
	if (rv == 0 && res != NULL) {
		cs.gid = gr.gr_gid;
		cs.have_group = 1;
	} else
		log_info("group \"%s\" does not exist: only root may call "
			 "mutating methods",
			 cs.group);
}

/* The control socket: socket_mode, socket_group; the read-only one 0666. */
static int
control_perms(const struct control_listener *l)
{
	mode_t mode = l->cl_readonly ? 0666 : (mode_t)conf->socket_mode;

	if (l->cl_activated) /* SocketMode=, SocketGroup= said it */
		return 0;
	if (chmod(l->cl_path, mode) == -1) {
		log_warn("chmod %s", l->cl_path);
		return -1;
	}
	if (!l->cl_readonly && cs.have_group &&
	    chown(l->cl_path, (uid_t)-1, cs.gid) == -1) {
		log_warn("chown %s to group %s", l->cl_path, cs.group);
		return -1;
	}
	return 0;
}

/* mkdir -p of the socket's directory, new components 0755. */
static int
control_mkdir(const char *path)
{
	char dir[sizeof(cs.ls[0].cl_path)], *p;

	vr_strlcpy(dir, path, sizeof(dir));
	if ((p = strrchr(dir, '/')) == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		goto fail;
	return 0;
fail:
	log_warn("mkdir %s", dir);
	return -1;
}

/* A socket file at the path: refuse if a daemon answers there. */
static int
control_stale(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, rv;

	if (lstat(sun->sun_path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("%s exists and is not a socket", sun->sun_path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rv = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (rv == 0) {
		log_warnx("%s: another vrouterd is listening there",
			  sun->sun_path);
		return -1;
	}
	if (unlink(sun->sun_path) == -1) {
		log_warn("unlink %s", sun->sun_path);
		return -1;
	}
	return 0;
}

/* Bind (or take from the service manager) one listener's socket. */
static int
control_listener_open(struct control_listener *l, const char *path)
{
	struct sockaddr_un sun;
	mode_t old_umask;
	int fd = -1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (*path == '\0' ||
	    vr_strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
		sizeof(sun.sun_path)) {
		log_warnx("socket path \"%s\" is empty or too long (max %zu)",
			  path, sizeof(sun.sun_path) - 1);
		return -1;
	}
	vr_strlcpy(l->cl_path, path, sizeof(l->cl_path));
	if ((fd = sdnotify_listen_take(path)) != -1) {
		log_info("%s: passed by the service manager (fd %d)", path, fd);
		l->cl_activated = 1;
		goto done;
	}
	if (control_mkdir(path) == -1 || control_stale(&sun) == -1)
		goto fail;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			 0)) == -1) {
		log_warn("%s: socket", __func__);
		goto fail;
	}
	old_umask = umask(S_IXUSR | S_IXGRP | S_IRWXO);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_warn("bind %s", path);
		umask(old_umask);
		goto fail;
	}
	umask(old_umask);
	if (control_perms(l) == -1)
		goto fail_unlink;
	/* bound, not listening: connecting is refused until the daemon has
	 * read its state (control_listen) */
done:
	l->cl_fd = fd;
	l->cl_ev_accept =
	    event_new(cs.base, fd, EV_READ | EV_PERSIST, control_accept, l);
	l->cl_ev_pause = evtimer_new(cs.base, control_accept, l);
	if (l->cl_ev_accept == NULL || l->cl_ev_pause == NULL)
		fatalx("%s: event_new", __func__);
	return 0;
fail_unlink:
	unlink(path);
fail:
	if (fd != -1)
		close(fd);
	return -1;
}

static void
control_listener_close(struct control_listener *l)
{
	if (l->cl_fd == -1)
		return;
	event_del(l->cl_ev_accept);
	event_del(l->cl_ev_pause);
	close(l->cl_fd);
	l->cl_fd = -1;
	if (!l->cl_activated)
		unlink(l->cl_path);
}

int
control_init(struct event_base *base, const char *path, const char *ro_path)
{
	cs.base = base;
	control_group();
	control_fd_limit();
	if (control_listener_open(&cs.ls[CONTROL_MAIN], path) == -1)
		return -1;
	if (ro_path != NULL &&
	    control_listener_open(&cs.ls[CONTROL_RO], ro_path) == -1) {
		control_listener_close(&cs.ls[CONTROL_MAIN]);
		return -1;
	}
	sdnotify_listen_close_rest();
	return 0;
}

int
control_listen(void)
{
	for (int i = 0; i < CONTROL_NLISTEN; i++) {
		struct control_listener *l = &cs.ls[i];

		if (l->cl_fd == -1)
			continue;
		/* a socket passed by the service manager listens already */
		if (!l->cl_activated &&
		    listen(l->cl_fd, CONTROL_BACKLOG) == -1) {
			log_warn("listen %s", l->cl_path);
			return -1;
		}
		if (event_add(l->cl_ev_accept, NULL) == -1) {
			log_warnx("%s: event_add", __func__);
			return -1;
		}
	}
	cs.accepting = 1;
	return 0;
}

/*
 * Room for max_clients descriptors: raise the soft RLIMIT_NOFILE as far as
 * the hard one allows.  Out of descriptors, accept pauses for everyone,
 * root included, and the reserved slots would not help.
 */
static void
control_fd_limit(void)
{
	rlim_t want = (rlim_t)conf->max_clients + CONTROL_FD_SLACK;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("%s: getrlimit", __func__);
		return;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want
				  ? want
				  : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("%s: setrlimit", __func__);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want)
		log_warnx("max_clients %d needs %llu descriptors, the limit "
			  "is %llu: clients may be paused (EMFILE) before the "
			  "limits apply",
			  conf->max_clients, (unsigned long long)want,
			  (unsigned long long)rl.rlim_cur);
}

/* The request deadline: from connect, from an answer with nothing left
 * pending, or from the first byte of a line begun while one is. */
void
control_deadline_arm(struct control_client *c)
{
	struct timeval tv = {conf->request_timeout, 0};

	evtimer_add(c->cc_ev_line, &tv);
}

/* (Re)arm the idle timer: at connect and after each request. */
static void
control_idle_arm(struct control_client *c)
{
	struct timeval tv = {conf->idle_timeout, 0};

	if (conf->idle_timeout > 0)
		evtimer_add(c->cc_ev_idle, &tv);
	else
		evtimer_del(c->cc_ev_idle);
}

void
control_reconfigure(void)
{
	struct control_client *c;

	control_group();
	control_fd_limit();
	if (cs.ls[CONTROL_MAIN].cl_fd != -1)
		control_perms(&cs.ls[CONTROL_MAIN]);
	TAILQ_FOREACH(c, &cs.clients, cc_entry)
	if (!c->cc_closing)
		control_idle_arm(c);
}

/*
 * Is gid among the peer's supplementary groups (SO_PEERGROUPS)?  A list
 * longer than the buffer (ERANGE) is asked again with the length the
 * kernel says; any failure is "no": the peer is unprivileged (never
 * /proc/PID, which a reused pid or an exec makes another process's).
 */
static int
control_peer_in_group(int fd, gid_t gid)
{
	gid_t small[256], *groups = small;
	socklen_t len = sizeof(small);
	int found = 0, rv;

	rv = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len);
	if (rv == -1 && errno == ERANGE && len > sizeof(small) &&
	    len <= CONTROL_NGROUPS_MAX * sizeof(gid_t)) {
		groups = xmalloc(len);
		rv = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len);
	}
	if (rv == -1)
		log_warn("%s: SO_PEERGROUPS: the peer is taken as unprivileged",
			 __func__);
	else
		for (size_t i = 0; i < len / sizeof(gid_t); i++)
			if (groups[i] == gid)
				found = 1;
	if (groups != small)
		free(groups);
	return found;
}

/* Refuse a client over the limit with a word, not a silent close. */
static void
control_refuse(int fd, int code, const char *msg, json_object *data)
{
	static time_t last;
	static unsigned quiet;
	time_t now = time(NULL);
	json_object *e;
	size_t len;
	char *s;

	/* a flood of refusals is logged once a second, with a count */
	if (now != last) {
		if (quiet > 0)
			log_warnx("%u more clients refused, not logged", quiet);
		log_warnx("refusing a client: %s", msg);
		last = now;
		quiet = 0;
	} else
		quiet++;
	e = proto_error_new(NULL, code, msg, data);
	s = proto_serialize(e, &len);
	json_object_put(e);
	(void)send(fd, s, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	free(s);
	close(fd);
}

/*
 * May a peer with this uid have one more connection?  0, or -1 with msg and
 * *datap (the reason, the limit) for the refusal.  Root is never held to
 * the per-uid limit (but on the read-only socket, where a uid's
 * connections are counted apart from those on the control socket); the last
 * reserved_clients slots are for privileged peers (the same rule as for
 * mutating calls: no peer of the read-only socket is one).
 */
static int
control_admit(uid_t uid, int privileged, int readonly, char *msg, size_t len,
	      json_object **datap)
{
	const struct control_client *c;
	const char *reason, *knob;
	int n = 0, limit;

	TAILQ_FOREACH(c, &cs.clients, cc_entry)
	if (c->cc_uid == uid && c->cc_readonly == readonly)
		n++;
	if ((uid != 0 || readonly) && n >= conf->max_clients_per_uid) {
		limit = conf->max_clients_per_uid;
		reason = "uid";
		knob = "max_clients_per_uid";
		snprintf(msg, len,
			 "too many connections from uid %ld (%d open, the "
			 "limit is %d): close some and try again",
			 (long)uid, n, limit);
	} else if (cs.nclients >= conf->max_clients) {
		limit = conf->max_clients;
		reason = "full";
		knob = "max_clients";
		snprintf(msg, len,
			 "server full: %d clients connected, the limit; try "
			 "again later",
			 cs.nclients);
	} else if (!privileged &&
		   cs.nunpriv >= conf->max_clients - conf->reserved_clients) {
		limit = conf->max_clients - conf->reserved_clients;
		if (limit < 0)
			limit = 0;
		reason = "reserved";
		knob = "reserved_clients";
		snprintf(msg, len,
			 "server full for unprivileged peers: %d of them "
			 "connected, the other slots are kept for root and "
			 "group \"%s\"; try again later",
			 cs.nunpriv, cs.group);
	} else
		return 0;
	*datap = json_object_new_object();
	json_object_object_add(*datap, "reason",
			       json_object_new_string(reason));
	json_object_object_add(*datap, "limit", json_object_new_int(limit));
	json_object_object_add(*datap, "setting", json_object_new_string(knob));
	json_object_object_add(*datap, "uid",
			       json_object_new_int64((int64_t)uid));
	return -1;
}

static void
control_client_new(const struct control_listener *l, int fd)
{
	struct control_client *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	json_object *data = NULL;
	char msg[256];
	int privileged;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("%s: SO_PEERCRED", __func__);
		close(fd);
		return;
	}
	privileged = !l->cl_readonly &&
		     (cred.uid == 0 ||
		      (cs.have_group && (cred.gid == cs.gid ||
					 control_peer_in_group(fd, cs.gid))));
	if (control_admit(cred.uid, privileged, l->cl_readonly, msg,
			  sizeof(msg), &data) == -1) {
		control_refuse(fd, PROTO_E_BUSY, msg, data);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	TAILQ_INIT(&c->cc_reqs);
	c->cc_id = ++cs.next_id;
	c->cc_uid = cred.uid;
	c->cc_gid = cred.gid;
	c->cc_pid = cred.pid;
	c->cc_privileged = privileged;
	c->cc_readonly = l->cl_readonly;
	c->cc_bev = bufferevent_socket_new(cs.base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->cc_ev_idle = evtimer_new(cs.base, control_idle, c);
	c->cc_ev_line = evtimer_new(cs.base, control_line_late, c);
	if (c->cc_bev == NULL || c->cc_ev_idle == NULL || c->cc_ev_line == NULL)
		fatalx("%s: bufferevent_socket_new or evtimer_new", __func__);
	bufferevent_setcb(c->cc_bev, control_read, NULL, control_event, c);
	bufferevent_setwatermark(c->cc_bev, EV_READ, 0,
				 PROTO_MAX_LINE + CONTROL_READ_SLACK);
	bufferevent_enable(c->cc_bev, EV_READ | EV_WRITE);
	control_idle_arm(c);
	control_deadline_arm(c); /* a silent peer must not keep its slot */
	TAILQ_INSERT_TAIL(&cs.clients, c, cc_entry);
	cs.nclients++;
	if (!privileged)
		cs.nunpriv++;
	log_debug("client %u connected: uid %ld gid %ld pid %ld%s", c->cc_id,
		  (long)c->cc_uid, (long)c->cc_gid, (long)c->cc_pid,
		  c->cc_privileged ? " (privileged)"
		  : c->cc_readonly ? " (read-only socket)"
				   : "");
}

static void
control_accept(evutil_socket_t fd, short ev, void *arg)
{
	struct control_listener *l = arg;
	int cfd;

	if (ev & EV_TIMEOUT) { /* the EMFILE pause is over */
		if (cs.accepting && l->cl_fd != -1)
			event_add(l->cl_ev_accept, NULL);
		return;
	}
	for (int i = 0; i < CONTROL_ACCEPT_MAX; i++) {
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd == -1) {
			if (errno == EMFILE || errno == ENFILE) {
				struct timeval tv = {1, 0};
				log_warn("%s: pausing for a second", __func__);
				event_del(l->cl_ev_accept);
				evtimer_add(l->cl_ev_pause, &tv);
			} else if (errno != EAGAIN && errno != EWOULDBLOCK &&
				   errno != EINTR && errno != ECONNABORTED)
				log_warn("%s", __func__);
			return;
		}
		control_client_new(l, cfd);
	}
}

void
control_send(struct control_client *c, json_object *msg)
{
	struct evbuffer *out;
	size_t len, queued, sent = 0;
	char *s;

	s = proto_serialize(msg, &len);
	json_object_put(msg);
	if (c->cc_dead) {
		free(s);
		return;
	}
	out = bufferevent_get_output(c->cc_bev);
	queued = evbuffer_get_length(out);
	if (queued > 0 && queued + len > conf->client_outbuf_max) {
		log_warnx("client %u (uid %ld pid %ld) does not read its "
			  "replies (%zu bytes queued, limit %zu): dropped",
			  c->cc_id, (long)c->cc_uid, (long)c->cc_pid, queued,
			  conf->client_outbuf_max);
		free(s);
		control_close(c);
		return;
	}
	if (queued == 0) {
		/* Nothing waiting: write now, queue only what does not fit
		 * (saves arming the write event for every small reply). */
		ssize_t n = send(bufferevent_getfd(c->cc_bev), s, len,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0)
			sent = (size_t)n;
		else if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
			 errno != EINTR)
			sent =
			    len; /* the peer is gone; the read side sees it */
	}
	if (sent < len)
		evbuffer_add(out, s + sent, len - sent);
	free(s);
}

/* Answer a request that never became an rpc_req. */
static void
control_fail(struct control_client *c, json_object *id, int code,
	     const char *msg, json_object *data)
{
	log_debug("client %u: %s: %s", c->cc_id, proto_error_name(code), msg);
	control_send(c, proto_error_new(id, code, msg, data));
}

/* Flush what is queued, then close (a fatal framing error). */
static void
control_close_after_flush(struct control_client *c)
{
	struct timeval tv = {CONTROL_FLUSH_SEC, 0};

	c->cc_closing = 1;
	evtimer_del(c->cc_ev_idle);
	evtimer_del(c->cc_ev_line);
	bufferevent_disable(c->cc_bev, EV_READ);
	evbuffer_drain(bufferevent_get_input(c->cc_bev),
		       evbuffer_get_length(bufferevent_get_input(c->cc_bev)));
	bufferevent_set_timeouts(c->cc_bev, NULL, &tv);
	bufferevent_setcb(c->cc_bev, NULL, control_write, control_event, c);
	if (evbuffer_get_length(bufferevent_get_output(c->cc_bev)) == 0)
		control_close(c);
}

/* A line that became a request: 1; one answered with an error: 0. */
static int
control_request(struct control_client *c, const char *line, size_t len)
{
	struct rpc_req *req;
	struct proto_request preq;
	json_object *id = NULL, *data = NULL;
	char err[512];
	int code;

	/* The access rule comes before the params: a peer that may not call
	 * the method gets -32001 (from dispatch_run) whatever its params. */
	code = proto_request_parse_envelope(line, len, &preq, &id, &data, err,
					    sizeof(err));
	if (code == 0 &&
	    dispatch_allowed(preq.m, c->cc_privileged, c->cc_readonly) &&
	    (code = proto_params_check_data(preq.m, preq.params, &data, err,
					    sizeof(err))) != 0)
		proto_request_free(&preq);
	if (code != 0) {
		control_fail(c, id, code, err, data);
		return 0;
	}
	if (c->cc_npending >= CONTROL_PENDING_MAX) {
		/* each one holds memory until answered: a peer pipelining
		 * watches or starts must not grow the daemon without bound */
		data = json_object_new_object();
		json_object_object_add(data, "reason",
				       json_object_new_string("pending"));
		json_object_object_add(
		    data, "limit", json_object_new_int(CONTROL_PENDING_MAX));
		snprintf(err, sizeof(err),
			 "%d requests on this connection are still "
			 "unanswered, the limit: wait for an answer or use "
			 "another connection",
			 c->cc_npending);
		proto_request_free(&preq);
		control_fail(c, id, PROTO_E_BUSY, err, data);
		return 0;
	}
	req = xcalloc(1, sizeof(*req));
	req->rq_client = c;
	req->rq_preq = preq;
	req->rq_id = id;
	req->rq_has_id = preq.has_id;
	req->rq_uid = c->cc_uid;
	req->rq_pid = c->cc_pid;
	req->rq_start_ns = now_ns();
	req->rq_privileged = c->cc_privileged;
	TAILQ_INSERT_TAIL(&c->cc_reqs, req, rq_entry);
	c->cc_npending++;
	evtimer_del(c->cc_ev_line); /* re-armed when it is answered */
	dispatch_run(req, preq.m,
		     &(struct dispatch_peer){
			 .privileged = c->cc_privileged,
			 .readonly = c->cc_readonly,
			 .group = cs.group,
			 .have_group = cs.have_group,
			 .socket = cs.ls[CONTROL_MAIN].cl_path,
			 .ro_socket = cs.ls[CONTROL_RO].cl_path,
		     });
	return 1;
}

static void
control_read(struct bufferevent *bev, void *arg)
{
	struct control_client *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr eol;
	size_t eol_len, len;
	int requests = 0;
	char *line;

	c->cc_busy++;
	while (!c->cc_dead && !c->cc_closing) {
		eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
		if ((eol.pos == -1 &&
		     evbuffer_get_length(in) > PROTO_MAX_LINE) ||
		    (eol.pos != -1 && (size_t)eol.pos > PROTO_MAX_LINE)) {
			json_object *d = json_object_new_object();
			json_object_object_add(
			    d, "max_bytes",
			    json_object_new_int(PROTO_MAX_LINE));
			log_warnx("client %u (uid %ld): request line over %d "
				  "bytes: closing",
				  c->cc_id, (long)c->cc_uid, PROTO_MAX_LINE);
			control_fail(c, NULL, PROTO_E_TOO_LARGE,
				     "request line too long: the limit is "
				     "1048576 bytes; closing the connection",
				     d);
			if (!c->cc_dead)
				control_close_after_flush(c);
			break;
		}
		if (eol.pos == -1)
			break;
		len = (size_t)eol.pos;
		line = xmalloc(len + 1);
		evbuffer_remove(in, line, len);
		evbuffer_drain(in, eol_len);
		line[len] = '\0';
		while (len > 0 &&
		       (line[len - 1] == '\r' || line[len - 1] == ' ' ||
			line[len - 1] == '\t'))
			len--;
		if (len > 0)
			requests += control_request(c, line, len);
		free(line);
	}
	if (!c->cc_dead && !c->cc_closing) {
		/* Only a request is activity (not a blank line, not
		 * garbage, not part of a line).  With nothing pending the
		 * deadline armed at connect or at the last answer runs on;
		 * with a request pending the client waits and is not held
		 * to it, but a line it begins must end request_timeout
		 * after its first byte (one byte a second must not hold a
		 * slot for ever). */
		if (requests > 0)
			control_idle_arm(c);
		if (TAILQ_EMPTY(&c->cc_reqs))
			;
		else if (evbuffer_get_length(in) == 0)
			evtimer_del(c->cc_ev_line);
		else if (!evtimer_pending(c->cc_ev_line, NULL))
			control_deadline_arm(c);
	}
	if (--c->cc_busy == 0 && c->cc_dead)
		control_close(c);
}

static void
control_write(struct bufferevent *bev, void *arg)
{
	struct control_client *c = arg;

	(void)bev;
	if (c->cc_closing && TAILQ_EMPTY(&c->cc_reqs))
		control_close(c);
}

/* No request for idle_timeout seconds. */
static void
control_idle(evutil_socket_t fd, short ev, void *arg)
{
	struct control_client *c = arg;

	(void)fd;
	(void)ev;
	/* A client waiting for a long call is not idle. */
	if (!TAILQ_EMPTY(&c->cc_reqs)) {
		control_idle_arm(c);
		return;
	}
	log_info("client %u (uid %ld) idle for %d s: dropped", c->cc_id,
		 (long)c->cc_uid, conf->idle_timeout);
	control_close(c);
}

/* A request line begun request_timeout seconds ago and still not ended. */
static void
control_line_late(evutil_socket_t fd, short ev, void *arg)
{
	struct control_client *c = arg;
	json_object *d = json_object_new_object();
	char msg[160];

	(void)fd;
	(void)ev;
	json_object_object_add(d, "request_timeout",
			       json_object_new_int(conf->request_timeout));
	snprintf(msg, sizeof(msg),
		 "request line not completed within %d s (request_timeout, "
		 "from connecting, from the last answer or from the line's "
		 "first byte): closing the connection",
		 conf->request_timeout);
	log_info("client %u (uid %ld pid %ld): %s", c->cc_id, (long)c->cc_uid,
		 (long)c->cc_pid, msg);
	c->cc_busy++; /* control_send may close it */
	control_fail(c, NULL, PROTO_E_INVALID, msg, d);
	if (--c->cc_busy == 0 && c->cc_dead)
		control_close(c);
	else
		control_close_after_flush(c);
}

static void
control_event(struct bufferevent *bev, short what, void *arg)
{
	struct control_client *c = arg;

	(void)bev;
	if (what & BEV_EVENT_TIMEOUT)
		log_warnx("client %u (uid %ld): could not write its reply "
			  "within %d s: dropped",
			  c->cc_id, (long)c->cc_uid, CONTROL_FLUSH_SEC);
	else if (what & BEV_EVENT_ERROR)
		log_debug("client %u: %s", c->cc_id,
			  evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	else
		log_debug("client %u disconnected", c->cc_id);
	control_close(c);
}

/* Tear down: requests detached, list, timers, buffer (and fd), memory. */
void
control_close(struct control_client *c)
{
	struct rpc_req *req;

	if (c->cc_busy) {
		c->cc_dead = 1;
		return;
	}
	while ((req = TAILQ_FIRST(&c->cc_reqs)) != NULL) {
		TAILQ_REMOVE(&c->cc_reqs, req, rq_entry);
		req->rq_client = NULL;
	}
	TAILQ_REMOVE(&cs.clients, c, cc_entry);
	cs.nclients--;
	if (!c->cc_privileged)
		cs.nunpriv--;
	event_free(c->cc_ev_idle);
	event_free(c->cc_ev_line);
	bufferevent_free(c->cc_bev);
	log_debug("client %u closed", c->cc_id);
	free(c);
	control_drain_check();
}

void
control_stop_accept(void)
{
	struct control_client *c, *tmp;

	for (int i = 0; i < CONTROL_NLISTEN; i++)
		control_listener_close(&cs.ls[i]);
	cs.accepting = 0;
	TAILQ_FOREACH_SAFE(c, &cs.clients, cc_entry, tmp)
	{
		if (c->cc_closing)
			continue;
		c->cc_closing = 1;
		evtimer_del(c->cc_ev_idle);
		evtimer_del(c->cc_ev_line);
		bufferevent_disable(c->cc_bev, EV_READ);
		bufferevent_setcb(c->cc_bev, NULL, control_write, control_event,
				  c);
	}
}

static void
control_drain_done(evutil_socket_t fd, short ev, void *arg)
{
	void (*done)(void *) = cs.drained;

	(void)fd;
	(void)ev;
	(void)arg;
	if (done == NULL)
		return;
	if (cs.nclients > 0)
		log_warnx("%d clients still have replies queued: closing them",
			  cs.nclients);
	cs.drained = NULL;
	done(cs.drained_arg);
}

static void
control_drain_check(void)
{
	if (cs.draining && cs.nclients == 0 && cs.drained != NULL)
		event_active(cs.ev_drain, EV_TIMEOUT, 0);
}

void
control_drain(int timeout_ms, void (*done)(void *), void *arg)
{
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	struct control_client *c, *tmp;

	control_stop_accept();
	cs.draining = 1;
	cs.drained = done;
	cs.drained_arg = arg;
	if ((cs.ev_drain = evtimer_new(cs.base, control_drain_done, NULL)) ==
	    NULL)
		fatalx("%s: evtimer_new", __func__);
	evtimer_add(cs.ev_drain, &tv);
	TAILQ_FOREACH_SAFE(c, &cs.clients, cc_entry, tmp)
	{
		if (TAILQ_EMPTY(&c->cc_reqs) &&
		    evbuffer_get_length(bufferevent_get_output(c->cc_bev)) == 0)
			control_close(c);
	}
	control_drain_check();
}

void
control_cleanup(void)
{
	struct control_client *c;

	control_stop_accept();
	cs.draining = 0;
	while ((c = TAILQ_FIRST(&cs.clients)) != NULL) {
		c->cc_busy = 0;
		control_close(c);
	}
	for (int i = 0; i < CONTROL_NLISTEN; i++) {
		struct control_listener *l = &cs.ls[i];
		if (l->cl_ev_accept != NULL)
			event_free(l->cl_ev_accept);
		if (l->cl_ev_pause != NULL)
			event_free(l->cl_ev_pause);
		l->cl_ev_accept = l->cl_ev_pause = NULL;
	}
	if (cs.ev_drain != NULL)
		event_free(cs.ev_drain);
	cs.ev_drain = NULL;
}
