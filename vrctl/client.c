/*
 * The client side of the protocol: one connection per call, the request
 * written in one go, then lines read until the answer with our id; the
 * notifications before it (progress of a long `start`) go to stderr.
 *
 * client_timeout bounds how long the daemon may stay silent: connecting,
 * and waiting for its next line.  A long call (client_long: start, bench,
 * watch) is bounded only until its first line, which the daemon sends at
 * once; after that it may take minutes.  A daemon that refuses the
 * connection (full, too many from our uid) says why in a line that is read
 * and shown even when sending the request failed.
 *
 * A read method (the table's PROTO_READ: status, topology, watch, version)
 * refused by the control socket's permissions (EACCES) is retried on the
 * read-only socket beside it (proto_socket_ro_path); --readonly goes there
 * at once.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "util.h"
#include "vrctl.h"

#define CLIENT_ID	1
#define CLIENT_MAX_LINE (256 * 1024 * 1024)

int client_timeout = CLIENT_TIMEOUT_DEFAULT;

/* Calls that run long, answered at once with a notification (protocol.md). */
static int
client_is_long(enum proto_method_id method)
{
	return method == METHOD_START || method == METHOD_BENCH ||
	       method == METHOD_WATCH;
}

static long long
client_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int client_readonly;

/* Connect to path: the fd, or -1 with errno set (nothing printed). */
int
client_connect_path(const char *path)
{
	struct timeval tv = {client_timeout, 0};
	struct sockaddr_un sun;
	int fd, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (vr_strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	/* bounds connect (a full listen queue) and send */
	if (client_timeout > 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == EINTR)
			continue;
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static void
client_connect_failed(const char *path, int err, const char *ro, int is_ro)
{
	if (err == EAGAIN || err == EWOULDBLOCK) {
		fprintf(stderr,
			"vrctl: %s: vrouterd did not accept the connection "
			"within %d s (its queue is full: is it hung?); "
			"--timeout or $%s waits longer\n",
			path, client_timeout, CLIENT_TIMEOUT_ENV);
		return;
	}
	fprintf(stderr, "vrctl: cannot connect to %s: %s\n", path,
		strerror(err));
	if ((err == EACCES || err == EPERM) && is_ro) {
		fprintf(stderr,
			"vrctl: the read-only socket should be open to all "
			"(mode 0666; SocketMode= of vrouterd-ro.socket)\n");
		return;
	}
	if (err == ENOENT && is_ro) {
		fprintf(stderr, "vrctl: vrouterd has no read-only socket there "
				"(its socket_ro setting names it)\n");
		return;
	}
	if (err == EACCES || err == EPERM)
		fprintf(stderr,
			"vrctl: run as root or as a member of the socket's "
			"group (\"%s\" by default)%s%s%s\n",
			PROTO_SOCKET_GROUP,
			ro ? "; status, topology, watch "
			     "and version also work "
			     "through the read-only "
			     "socket "
			   : "",
			ro ? ro : "", ro ? " (--readonly)" : "");
	else if (err != ENAMETOOLONG)
		fprintf(stderr,
			"vrctl: is vrouterd running?  Start it with "
			"`vrouterd` (or `systemctl start vrouterd`), or point "
			"-s / $%s at its socket\n",
			PROTO_SOCKET_ENV);
}

/*
 * Connect for method: to the read-only socket with --readonly, else to
 * path, and for a read method refused there by permissions to the
 * read-only socket.  The fd, or -1 (said).
 */
static int
client_connect(const char *path, enum proto_method_id method)
{
	const struct proto_method *m = &proto_methods[method];
	char ro[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd, err, have_ro;

	have_ro = proto_socket_ro_path(path, ro, sizeof(ro)) == 0;
	if (client_readonly) {
		if (!have_ro) {
			fprintf(stderr,
				"vrctl: %s: no room for the read-only "
				"socket's name; give it with -s\n",
				path);
			return -1;
		}
		if ((fd = client_connect_path(ro)) == -1)
			client_connect_failed(ro, errno, NULL, 1);
		return fd;
	}
	if ((fd = client_connect_path(path)) != -1)
		return fd;
	err = errno;
	if ((err == EACCES || err == EPERM) && have_ro && m != NULL &&
	    m->access == PROTO_READ) {
		if ((fd = client_connect_path(ro)) != -1)
			return fd;
		client_connect_failed(path, err, NULL, 0);
		client_connect_failed(ro, errno, NULL, 1);
		return -1;
	}
	client_connect_failed(
	    path, err, (err == EACCES || err == EPERM) && have_ro ? ro : NULL,
	    0);
	return -1;
}

static int
client_write(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
client_progress(json_object *msg)
{
	json_object *p = j_get(msg, "params");
	const char *step = j_str(p, "step");

	if (strcmp(j_str(msg, "method"), "progress") == 0)
		fprintf(stderr, "vrctl: [%s] %s\n", step, j_str(p, "message"));
	else
		fprintf(
		    stderr, "vrctl: %s: %s\n", j_str(msg, "method"),
		    json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
}

/* Set by `watch`: notifications go there instead of to stderr. */
void (*client_notify_hook)(json_object *msg);

/* Handle one line; 1 when it was our answer. */
static int
client_line(const char *line, json_object **result, json_object **error)
{
	json_object *msg, *id, *v;

	if ((msg = json_tokener_parse(line)) == NULL ||
	    !json_object_is_type(msg, json_type_object)) {
		fprintf(stderr, "vrctl: ignoring a line that is not a JSON "
				"object\n");
		json_object_put(msg);
		return 0;
	}
	if (!json_object_object_get_ex(msg, "id", &id)) {
		if (client_notify_hook)
			client_notify_hook(msg);
		else
			client_progress(msg);
		json_object_put(msg);
		return 0;
	}
	if (json_object_object_get_ex(msg, "error", &v)) {
		*error = json_object_get(v);
	} else if (json_object_object_get_ex(msg, "result", &v) &&
		   json_object_is_type(id, json_type_int) &&
		   json_object_get_int(id) == CLIENT_ID) {
		*result = json_object_get(v);
		if (*result == NULL) /* "result": null */
			*result = json_object_new_object();
	} else {
		json_object_put(msg);
		return 0;
	}
	json_object_put(msg);
	return 1;
}

/*
 * read(), or with fdp a recvmsg() that takes the first fd passed along
 * (SCM_RIGHTS) into *fdp and closes any others.
 */
static ssize_t
client_recv(int fd, char *buf, size_t len, int *fdp)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(4 * sizeof(int))];
	} cm;
	struct iovec iov = {buf, len};
	struct msghdr mh = {0};
	struct cmsghdr *c;
	ssize_t n;

	if (fdp == NULL)
		return read(fd, buf, len);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.b;
	mh.msg_controllen = sizeof(cm.b);
	if ((n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC)) == -1)
		return -1;
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		int *fds = (int *)(void *)CMSG_DATA(c);
		size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < nfds; i++) {
			int f;

			memcpy(&f, fds + i, sizeof(f));
			if (*fdp == -1)
				*fdp = f;
			else
				close(f);
		}
	}
	return n;
}

int
client_call(const char *socket, enum proto_method_id method,
	    json_object *params, json_object **result, json_object **error)
{
	return client_call_fd(socket, method, params, result, error, NULL);
}

int
client_call_fd(const char *socket, enum proto_method_id method,
	       json_object *params, json_object **result, json_object **error,
	       int *fdp)
{
	json_object *req;
	char *out, *buf = NULL;
	size_t len, blen = 0, bsize = 0, start = 0;
	int fd, rv = -1, werr = 0, bounded = client_timeout > 0;
	long long deadline = 0;

	*result = *error = NULL;
	if (fdp != NULL)
		*fdp = -1;
	if ((fd = client_connect(socket, method)) == -1) {
		json_object_put(params);
		return -1;
	}
	req = proto_request_new(CLIENT_ID, proto_method_name(method), params);
	out = proto_serialize(req, &len);
	json_object_put(req);
	/* A daemon that refused us closed the connection after a line saying
	 * why: the write fails (EPIPE), the line is still there to read. */
	if (client_write(fd, out, len) == -1)
		werr = errno;
	if (bounded)
		deadline = client_now_ms() + client_timeout * 1000LL;
	for (;;) {
		char *nl;
		ssize_t n;
		int pr;

		if (bsize - blen < 65536) {
			if (bsize > CLIENT_MAX_LINE) {
				fprintf(stderr, "vrctl: answer too large\n");
				goto done;
			}
			bsize = bsize ? bsize * 2 : 131072;
			buf = xreallocarray(buf, bsize, 1);
		}
		if (bounded) {
			long long left = deadline - client_now_ms();
			struct pollfd pfd = {.fd = fd, .events = POLLIN};

			pr = left > 0 ? poll(&pfd, 1, (int)left) : 0;
			if (pr == -1 && errno == EINTR)
				continue;
			if (pr == 0) {
				fprintf(stderr,
					"vrctl: %s: vrouterd accepted the "
					"connection but sent nothing for %d s "
					"(is it hung?); --timeout or $%s waits "
					"longer, 0 for ever\n",
					socket, client_timeout,
					CLIENT_TIMEOUT_ENV);
				goto done;
			}
		}
		n = client_recv(fd, buf + blen, bsize - blen - 1, fdp);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (werr != 0)
				fprintf(stderr, "vrctl: sending to %s: %s\n",
					socket, strerror(werr));
			else
				fprintf(stderr,
					"vrctl: vrouterd closed the connection "
					"before answering%s%s\n",
					n == -1 ? ": " : "",
					n == -1 ? strerror(errno) : "");
			goto done;
		}
		/* silence is measured from the last byte; a long call is
		 * bounded only until its first */
		if (client_is_long(method))
			bounded = 0;
		else
			deadline = client_now_ms() + client_timeout * 1000LL;
		blen += (size_t)n;
		buf[blen] = '\0';
		while ((nl = memchr(buf + start, '\n', blen - start)) != NULL) {
			*nl = '\0';
			if (client_line(buf + start, result, error)) {
				rv = 0;
				goto done;
			}
			start = (size_t)(nl - buf) + 1;
		}
		memmove(buf, buf + start, blen - start);
		blen -= start;
		start = 0;
	}
done:
	if (fdp != NULL && *fdp != -1 && (rv == -1 || *result == NULL)) {
		close(*fdp); /* only a successful answer hands one over */
		*fdp = -1;
	}
	free(buf);
	free(out);
	close(fd);
	return rv;
}
