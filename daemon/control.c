/*
 * The control socket, in the manner of vmd's control.c: control_init sets
 * the socket up, control_accept takes clients (pausing on EMFILE),
 * control_read frames lines and hands requests to the dispatcher, and
 * control_close tears a client down in a fixed order.  Each request becomes
 * a struct rpc_req (rpc.h) that outlives its client if need be.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "config.h"
#include "control.h"
#include "dispatch.h"
#include "log.h"
#include "proto.h"
#include "rpc.h"
#include "util.h"

#ifndef TAILQ_FOREACH_SAFE /* glibc's sys/queue.h lacks it */
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)                             \
	for ((var) = TAILQ_FIRST(head);                                        \
	     (var) && ((tvar) = TAILQ_NEXT(var, field), 1); (var) = (tvar))
#endif

#define CONTROL_BACKLOG	   128
#define CONTROL_ACCEPT_MAX 32 /* accepts per wake-up */
#define CONTROL_READ_SLACK (64 * 1024)
#define CONTROL_FLUSH_SEC  5 /* to write a last reply before closing */

struct control_client;

struct rpc_req {
	TAILQ_ENTRY(rpc_req) rq_entry;
	struct control_client *rq_client; /* NULL once the client is gone */
	struct proto_request rq_preq;
	json_object *rq_id; /* owned */
	int rq_has_id;
	uid_t rq_uid;
	pid_t rq_pid;
	uint64_t rq_start_ns;
};

struct control_client {
	TAILQ_ENTRY(control_client) cc_entry;
	TAILQ_HEAD(, rpc_req) cc_reqs; /* answered later (start) */
	struct bufferevent *cc_bev;
	unsigned cc_id;
	uid_t cc_uid;
	gid_t cc_gid;
	pid_t cc_pid;
	int cc_privileged;
	int cc_busy;	/* inside control_read: close later */
	int cc_dead;	/* close when cc_busy drops */
	int cc_closing; /* close once the output is written */
};

static struct {
	struct event_base *base;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd;
	struct event *ev_accept;
	struct event *ev_pause;
	int accepting;
	TAILQ_HEAD(, control_client) clients;
	int nclients;
	unsigned next_id;
	char group[64];
	gid_t gid;
	int have_group;
	int draining;
	void (*drained)(void *);
	void *drained_arg;
	struct event *ev_drain;
} cs = {.fd = -1, .clients = TAILQ_HEAD_INITIALIZER(cs.clients)};

static void control_accept(evutil_socket_t, short, void *);
static void control_read(struct bufferevent *, void *);
static void control_write(struct bufferevent *, void *);
static void control_event(struct bufferevent *, short, void *);
static void control_close(struct control_client *);
static void control_drain_check(void);

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

static int
control_perms(void)
{
	if (chmod(cs.path, (mode_t)conf->socket_mode) == -1) {
		log_warn("chmod %s", cs.path);
		return -1;
	}
	if (cs.have_group && chown(cs.path, (uid_t)-1, cs.gid) == -1) {
		log_warn("chown %s to group %s", cs.path, cs.group);
		return -1;
	}
	return 0;
}

/* mkdir -p of the socket's directory, new components 0755. */
static int
control_mkdir(const char *path)
{
	char dir[sizeof(cs.path)], *p;

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

int
control_init(struct event_base *base, const char *path)
{
	struct sockaddr_un sun;
	mode_t old_umask;
	int fd = -1;

	cs.base = base;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (*path == '\0' ||
	    vr_strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
		sizeof(sun.sun_path)) {
		log_warnx("socket path \"%s\" is empty or too long (max %zu)",
			  path, sizeof(sun.sun_path) - 1);
		return -1;
	}
	vr_strlcpy(cs.path, path, sizeof(cs.path));
	control_group();
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
	if (control_perms() == -1)
		goto fail_unlink;
	if (listen(fd, CONTROL_BACKLOG) == -1) {
		log_warn("listen %s", path);
		goto fail_unlink;
	}
	cs.fd = fd;
	cs.ev_accept =
	    event_new(base, fd, EV_READ | EV_PERSIST, control_accept, NULL);
	cs.ev_pause = evtimer_new(base, control_accept, NULL);
	if (cs.ev_accept == NULL || cs.ev_pause == NULL)
		fatalx("%s: event_new", __func__);
	return 0;
fail_unlink:
	unlink(path);
fail:
	if (fd != -1)
		close(fd);
	return -1;
}

int
control_listen(void)
{
	if (event_add(cs.ev_accept, NULL) == -1) {
		log_warnx("%s: event_add", __func__);
		return -1;
	}
	cs.accepting = 1;
	return 0;
}

void
control_reconfigure(void)
{
	struct timeval tv = {conf->idle_timeout, 0};
	struct control_client *c;

	control_group();
	if (cs.fd != -1)
		control_perms();
	TAILQ_FOREACH(c, &cs.clients, cc_entry)
	if (!c->cc_closing)
		bufferevent_set_timeouts(c->cc_bev,
					 conf->idle_timeout ? &tv : NULL, NULL);
}

/* Supplementary groups of the peer: SO_PEERGROUPS, else /proc. */
static int
control_peer_in_group(int fd, pid_t pid, gid_t gid)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);
	char path[64], *s, *p;
	int found = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0) {
		for (size_t i = 0; i < len / sizeof(gid_t); i++)
			if (groups[i] == gid)
				return 1;
		if (len < sizeof(groups))
			return 0;
	}
	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((s = file_read(path, 65536)) == NULL)
		return 0;
	if ((p = strstr(s, "\nGroups:")) != NULL) {
		p += strlen("\nGroups:");
		while (*p && *p != '\n') {
			char *end;
			unsigned long g = strtoul(p, &end, 10);
			if (end == p)
				break;
			if ((gid_t)g == gid)
				found = 1;
			p = end;
		}
	}
	free(s);
	return found;
}

/* Refuse a client over the limit with a word, not a silent close. */
static void
control_refuse(int fd, int code, const char *msg)
{
	json_object *e;
	size_t len;
	char *s;

	e = proto_error_new(NULL, code, msg, NULL);
	s = proto_serialize(e, &len);
	json_object_put(e);
	(void)send(fd, s, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	free(s);
	close(fd);
}

static void
control_client_new(int fd)
{
	struct control_client *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct timeval tv = {conf->idle_timeout, 0};

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("%s: SO_PEERCRED", __func__);
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	TAILQ_INIT(&c->cc_reqs);
	c->cc_id = ++cs.next_id;
	c->cc_uid = cred.uid;
	c->cc_gid = cred.gid;
	c->cc_pid = cred.pid;
	c->cc_privileged =
	    cred.uid == 0 ||
	    (cs.have_group && (cred.gid == cs.gid ||
			       control_peer_in_group(fd, cred.pid, cs.gid)));
	c->cc_bev = bufferevent_socket_new(cs.base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->cc_bev == NULL)
		fatalx("%s: bufferevent_socket_new", __func__);
	bufferevent_setcb(c->cc_bev, control_read, NULL, control_event, c);
	bufferevent_setwatermark(c->cc_bev, EV_READ, 0,
				 PROTO_MAX_LINE + CONTROL_READ_SLACK);
	bufferevent_set_timeouts(c->cc_bev, conf->idle_timeout ? &tv : NULL,
				 NULL);
	bufferevent_enable(c->cc_bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&cs.clients, c, cc_entry);
	cs.nclients++;
	log_debug("client %u connected: uid %ld gid %ld pid %ld%s", c->cc_id,
		  (long)c->cc_uid, (long)c->cc_gid, (long)c->cc_pid,
		  c->cc_privileged ? " (privileged)" : "");
}

static void
control_accept(evutil_socket_t fd, short ev, void *arg)
{
	char msg[128];
	int cfd;

	(void)arg;
	if (ev & EV_TIMEOUT) { /* the EMFILE pause is over */
		if (cs.accepting)
			event_add(cs.ev_accept, NULL);
		return;
	}
	for (int i = 0; i < CONTROL_ACCEPT_MAX; i++) {
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd == -1) {
			if (errno == EMFILE || errno == ENFILE) {
				struct timeval tv = {1, 0};
				log_warn("%s: pausing for a second", __func__);
				event_del(cs.ev_accept);
				evtimer_add(cs.ev_pause, &tv);
			} else if (errno != EAGAIN && errno != EWOULDBLOCK &&
				   errno != EINTR && errno != ECONNABORTED)
				log_warn("%s", __func__);
			return;
		}
		if (cs.nclients >= conf->max_clients) {
			snprintf(msg, sizeof(msg),
				 "too many clients (%d connected, the limit); "
				 "try again later",
				 cs.nclients);
			log_warnx("refusing a client: %d clients connected",
				  cs.nclients);
			control_refuse(cfd, PROTO_E_BUSY, msg);
			continue;
		}
		control_client_new(cfd);
	}
}

static void
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
	bufferevent_disable(c->cc_bev, EV_READ);
	evbuffer_drain(bufferevent_get_input(c->cc_bev),
		       evbuffer_get_length(bufferevent_get_input(c->cc_bev)));
	bufferevent_set_timeouts(c->cc_bev, NULL, &tv);
	bufferevent_setcb(c->cc_bev, NULL, control_write, control_event, c);
	if (evbuffer_get_length(bufferevent_get_output(c->cc_bev)) == 0)
		control_close(c);
}

static void
control_request(struct control_client *c, const char *line, size_t len)
{
	struct rpc_req *req;
	struct proto_request preq;
	json_object *id = NULL, *data = NULL;
	char err[512];
	int code;

	code = proto_request_parse_data(line, len, &preq, &id, &data, err,
					sizeof(err));
	if (code != 0) {
		control_fail(c, id, code, err, data);
		return;
	}
	req = xcalloc(1, sizeof(*req));
	req->rq_client = c;
	req->rq_preq = preq;
	req->rq_id = id;
	req->rq_has_id = preq.has_id;
	req->rq_uid = c->cc_uid;
	req->rq_pid = c->cc_pid;
	req->rq_start_ns = now_ns();
	TAILQ_INSERT_TAIL(&c->cc_reqs, req, rq_entry);
	dispatch_run(req, preq.m, c->cc_privileged, cs.group, cs.have_group);
}

static void
control_read(struct bufferevent *bev, void *arg)
{
	struct control_client *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr eol;
	size_t eol_len, len;
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
			control_request(c, line, len);
		free(line);
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

static void
control_event(struct bufferevent *bev, short what, void *arg)
{
	struct control_client *c = arg;
	struct timeval tv = {conf->idle_timeout, 0};

	if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_READING)) {
		/* A client waiting for a long call is not idle. */
		if (!TAILQ_EMPTY(&c->cc_reqs)) {
			bufferevent_set_timeouts(bev, &tv, NULL);
			bufferevent_enable(bev, EV_READ);
			return;
		}
		log_info("client %u (uid %ld) idle for %d s: dropped", c->cc_id,
			 (long)c->cc_uid, conf->idle_timeout);
	} else if (what & BEV_EVENT_TIMEOUT)
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

/* Tear down: requests detached, list, buffer (and fd), memory. */
static void
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
	bufferevent_free(c->cc_bev);
	log_debug("client %u closed", c->cc_id);
	free(c);
	control_drain_check();
}

void
control_stop_accept(void)
{
	struct control_client *c, *tmp;

	if (cs.fd != -1) {
		event_del(cs.ev_accept);
		event_del(cs.ev_pause);
		close(cs.fd);
		cs.fd = -1;
		unlink(cs.path);
	}
	cs.accepting = 0;
	TAILQ_FOREACH_SAFE(c, &cs.clients, cc_entry, tmp)
	{
		if (c->cc_closing)
			continue;
		c->cc_closing = 1;
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
	if (cs.ev_accept != NULL)
		event_free(cs.ev_accept);
	if (cs.ev_pause != NULL)
		event_free(cs.ev_pause);
	if (cs.ev_drain != NULL)
		event_free(cs.ev_drain);
	cs.ev_accept = cs.ev_pause = cs.ev_drain = NULL;
}

/* rpc.h */

json_object *
rpc_params(struct rpc_req *req)
{
	return req->rq_preq.params;
}

const char *
rpc_method(struct rpc_req *req)
{
	return req->rq_preq.method;
}

uid_t
rpc_peer_uid(struct rpc_req *req)
{
	return req->rq_uid;
}

pid_t
rpc_peer_pid(struct rpc_req *req)
{
	return req->rq_pid;
}

int
rpc_connected(struct rpc_req *req)
{
	return req->rq_client != NULL && !req->rq_client->cc_dead;
}

/* Send the final answer (when someone is there to read it), free req. */
static void
rpc_finish(struct rpc_req *req, json_object *msg, int code)
{
	struct control_client *c = req->rq_client;

	log_debug("%s from uid %ld: %s (%.3f ms)", rpc_method(req),
		  (long)req->rq_uid, code ? proto_error_name(code) : "ok",
		  (double)(now_ns() - req->rq_start_ns) / 1e6);
	if (c != NULL)
		TAILQ_REMOVE(&c->cc_reqs, req, rq_entry);
	if (msg == NULL) /* sent already (rpc_reply_fd) */
		json_object_put(req->rq_id);
	req->rq_id = NULL; /* msg owns it now */
	if (msg == NULL)
		;
	else if (c != NULL && req->rq_has_id)
		control_send(c, msg);
	else
		json_object_put(msg);
	proto_request_free(&req->rq_preq);
	free(req);
	if (c != NULL && !c->cc_dead && c->cc_closing &&
	    TAILQ_EMPTY(&c->cc_reqs) &&
	    evbuffer_get_length(bufferevent_get_output(c->cc_bev)) == 0)
		control_close(c);
}

void
rpc_reply(struct rpc_req *req, json_object *result)
{
	rpc_finish(req, proto_result_new(req->rq_id, result), 0);
}

/*
 * The reply goes out with fd attached (SCM_RIGHTS on its first bytes), so
 * nothing may be queued before it: a client reading its replies in order
 * receives the fd with this one.  The caller keeps its fd.
 */
void
rpc_reply_fd(struct rpc_req *req, json_object *result, int fd)
{
	struct control_client *c = req->rq_client;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} cm;
	struct msghdr mh = {0};
	struct cmsghdr *cmsg;
	struct iovec iov;
	json_object *msg;
	size_t len;
	ssize_t n;
	char *s;

	if (c == NULL || c->cc_dead || !req->rq_has_id) {
		rpc_reply(req, result); /* nobody to hand the fd to */
		return;
	}
	if (evbuffer_get_length(bufferevent_get_output(c->cc_bev)) > 0) {
		json_object_put(result);
		rpc_error(req, PROTO_E_BUSY, NULL,
			  "%s: earlier replies are still queued on this "
			  "connection; call it on a connection of its own",
			  rpc_method(req));
		return;
	}
	msg = proto_result_new(json_object_get(req->rq_id), result);
	s = proto_serialize(msg, &len);
	json_object_put(msg);
	iov.iov_base = s;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.b;
	mh.msg_controllen = sizeof(cm.b);
	cmsg = CMSG_FIRSTHDR(&mh);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	n = sendmsg(bufferevent_getfd(c->cc_bev), &mh,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		free(s);
		rpc_error(req, PROTO_E_BUSY, NULL,
			  "%s: the client does not read its replies",
			  rpc_method(req));
		return;
	}
	if (n > 0 && (size_t)n < len)
		evbuffer_add(bufferevent_get_output(c->cc_bev), s + n,
			     len - (size_t)n);
	free(s);
	rpc_finish(req, NULL, 0);
}

void
rpc_error(struct rpc_req *req, int code, json_object *data, const char *fmt,
	  ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rpc_finish(req, proto_error_new(req->rq_id, code, msg, data), code);
}

int
rpc_notify(struct rpc_req *req, const char *method, json_object *params)
{
	if (!rpc_connected(req)) {
		json_object_put(params);
		return -1;
	}
	control_send(req->rq_client, proto_notification_new(method, params));
	return rpc_connected(req) ? 0 : -1;
}
