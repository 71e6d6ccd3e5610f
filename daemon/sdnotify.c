/*
 * The sd_notify datagram protocol: one AF_UNIX SOCK_DGRAM message to the
 * socket named by $NOTIFY_SOCKET, "@" standing for the abstract namespace.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdnotify.h"

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
