/*
 * The sd_notify datagram protocol: one AF_UNIX SOCK_DGRAM message to the
 * socket named by $NOTIFY_SOCKET, "@" standing for the abstract namespace;
 * and sd_listen_fds(3)'s LISTEN_PID / LISTEN_FDS, the listening sockets of
 * socket activation, found by the path they are bound to.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "sdnotify.h"

#define SD_LISTEN_FDS_START 3
#define SD_LISTEN_MAX	    16

static struct {
	int read;
	int n;
	int fd[SD_LISTEN_MAX]; /* -1 once taken or closed */
} sdl;

int
sdnotify(const char *state)
{
	struct sockaddr_un sun;
	const char *path = getenv("NOTIFY_SOCKET");
	size_t plen, len = strlen(state);
	socklen_t slen;
	ssize_t n;
	int fd, saved;

	if (path == NULL || *path == '\0')
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen < 2 ||
	    plen >= sizeof(sun.sun_path)) {
		errno = EINVAL;
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	slen = offsetof(struct sockaddr_un, sun_path) + plen +
	       (path[0] == '/' ? 1 : 0);

	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	do
		n = sendto(fd, state, len, MSG_NOSIGNAL,
			   (struct sockaddr *)&sun, slen);
	while (n == -1 && errno == EINTR);
	saved = errno;
	close(fd);
	if (n == -1) {
		errno = saved;
		return -1;
	}
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 1;
}

int
sdnotifyf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		errno = EMSGSIZE;
		return -1;
	}
	return sdnotify(buf);
}

unsigned long long
sdnotify_watchdog_usec(void)
{
	const char *u = getenv("WATCHDOG_USEC"), *p = getenv("WATCHDOG_PID");
	unsigned long long usec;
	char *end;

	if (u == NULL || *u == '\0')
		return 0;
	if (p != NULL && *p != '\0' && strtol(p, NULL, 10) != (long)getpid())
		return 0;
	usec = strtoull(u, &end, 10);
	return *end == '\0' ? usec : 0;
}

/* Read LISTEN_PID / LISTEN_FDS once; unset them. */
static void
sdnotify_listen_read(void)
{
	const char *p = getenv("LISTEN_PID"), *f = getenv("LISTEN_FDS");
	char *end;
	long n;

	if (sdl.read)
		return;
	sdl.read = 1;
	if (p == NULL || f == NULL || strtol(p, NULL, 10) != (long)getpid())
		goto done;
	n = strtol(f, &end, 10);
	if (*f == '\0' || *end != '\0' || n < 0 || n > SD_LISTEN_MAX) {
		log_warnx("LISTEN_FDS=\"%s\": not a count in 0..%d; ignored", f,
			  SD_LISTEN_MAX);
		goto done;
	}
	sdl.n = (int)n;
	for (int i = 0; i < sdl.n; i++) {
		sdl.fd[i] = SD_LISTEN_FDS_START + i;
		if (fcntl(sdl.fd[i], F_SETFD, FD_CLOEXEC) == -1 ||
		    fcntl(sdl.fd[i], F_SETFL,
			  fcntl(sdl.fd[i], F_GETFL) | O_NONBLOCK) == -1) {
			log_warn("LISTEN_FDS: fd %d", sdl.fd[i]);
			sdl.fd[i] = -1;
		}
	}
done:
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

int
sdnotify_listen_take(const char *path)
{
	struct sockaddr_un sun;
	socklen_t len;
	int type, fd;

	sdnotify_listen_read();
	for (int i = 0; i < sdl.n; i++) {
		if ((fd = sdl.fd[i]) == -1)
			continue;
		len = sizeof(sun);
		memset(&sun, 0, sizeof(sun));
		if (getsockname(fd, (struct sockaddr *)&sun, &len) == -1 ||
		    sun.sun_family != AF_UNIX)
			continue;
		socklen_t tlen = sizeof(type);
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == -1 ||
		    type != SOCK_STREAM)
			continue;
		sun.sun_path[sizeof(sun.sun_path) - 1] = '\0';
		if (strcmp(sun.sun_path, path) == 0) {
			sdl.fd[i] = -1;
			return fd;
		}
	}
	return -1;
}

void
sdnotify_listen_close_rest(void)
{
	struct sockaddr_un sun;
	socklen_t len;

	for (int i = 0; i < sdl.n; i++) {
		if (sdl.fd[i] == -1)
			continue;
		len = sizeof(sun);
		memset(&sun, 0, sizeof(sun));
		if (getsockname(sdl.fd[i], (struct sockaddr *)&sun, &len) ==
			-1 ||
		    sun.sun_family != AF_UNIX)
			log_warnx("fd %d passed by the service manager is not "
				  "a unix socket: closed",
				  sdl.fd[i]);
		else
			log_warnx("fd %d passed by the service manager is "
				  "bound to %s, not a socket vrouterd is "
				  "configured for: closed",
				  sdl.fd[i], sun.sun_path);
		close(sdl.fd[i]);
		sdl.fd[i] = -1;
	}
}
