/*
 * The request API handlers use (rpc.h): a request's params, method and
 * peer, and its one answer (result, error, or a result with an fd passed
 * by SCM_RIGHTS), plus notifications before it.  A request outlives its
 * client: answering one whose client is gone only frees it.  The client
 * and the socket are control.c's.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "control_int.h"
#include "log.h"
#include "proto.h"
#include "rpc.h"
#include "util.h"

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

int
rpc_privileged(struct rpc_req *req)
{
	return req->rq_privileged;
}

int
rpc_same_client(struct rpc_req *a, struct rpc_req *b)
{
	return a->rq_client != NULL && a->rq_client == b->rq_client;
}

/* Send the final answer (when someone is there to read it), free req. */
static void
rpc_finish(struct rpc_req *req, json_object *msg, int code)
{
	struct control_client *c = req->rq_client;

	log_debug("%s from uid %ld: %s (%.3f ms)", rpc_method(req),
		  (long)req->rq_uid, code ? proto_error_name(code) : "ok",
		  (double)(now_ns() - req->rq_start_ns) / 1e6);
	if (c != NULL) {
		TAILQ_REMOVE(&c->cc_reqs, req, rq_entry);
		c->cc_npending--;
	}
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
	/* answered with nothing left pending: the next request is due
	 * within request_timeout (from here, not from the connect) */
	if (c != NULL && !c->cc_dead && !c->cc_closing &&
	    TAILQ_EMPTY(&c->cc_reqs))
		control_deadline_arm(c);
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
