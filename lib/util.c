#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("%s", __func__);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		fatal("%s", __func__);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > SIZE_MAX / size)
		fatalx("%s: overflow", __func__);
	p = realloc(ptr, nmemb && size ? nmemb * size : 1);
	if (p == NULL)
		fatal("%s", __func__);
	return p;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		fatal("%s", __func__);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatal("%s", __func__);
	va_end(ap);
	return s;
}

void
msgf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

size_t
vr_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t c = n >= size ? size - 1 : n;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

static int
parse_num(const char **sp, long *out)
{
	char *end;

	if (**sp < '0' || **sp > '9')
		return -1;
	errno = 0;
	*out = strtol(*sp, &end, 10);
	if (errno || *out < 0 || *out >= CPU_SETSIZE)
		return -1;
	*sp = end;
	return 0;
}

int
cpulist_parse(const char *s, cpu_set_t *set)
{
	long a, b;

	CPU_ZERO(set);
	while (*s == ' ' || *s == '\n')
		s++;
	while (*s && *s != '\n') {
		if (parse_num(&s, &a) == -1)
			return -1;
		b = a;
		if (*s == '-') {
			s++;
			if (parse_num(&s, &b) == -1 || b < a)
				return -1;
		}
		for (long i = a; i <= b; i++)
			CPU_SET(i, set);
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -1;
	}
	return 0;
}

_Static_assert(CPU_SETSIZE <= 1024, "CPULIST_MAX fits 1024 CPUs");

char *
cpulist_format(const cpu_set_t *set, char *buf, size_t len)
{
	size_t off = 0;
	int i = 0;

	if (len)
		buf[0] = '\0';
	while (i < CPU_SETSIZE) {
		int j;
		if (!CPU_ISSET(i, set)) {
			i++;
			continue;
		}
		for (j = i; j + 1 < CPU_SETSIZE && CPU_ISSET(j + 1, set); j++)
			;
		int n = j > i ? snprintf(buf + off, len - off, "%s%d-%d",
					 off ? "," : "", i, j)
			      : snprintf(buf + off, len - off, "%s%d",
					 off ? "," : "", i);
		if (n < 0 || (size_t)n >= len - off) {
			if (len)
				buf[0] = '\0'; /* no list rather than half */
			return NULL;
		}
		off += n;
		i = j + 1;
	}
	return buf;
}

int
file_openat_regular(int dirfd, const char *path, int flags, struct stat *stp)
{
	struct stat pre, st;
	char proc[64];
	int pfd, fd, saved;

	/* O_PATH never calls the driver: a device swapped in is looked at,
	 * never opened (opening one may act: a watchdog, a tape). */
	if ((pfd = openat(dirfd, path,
			  O_PATH | O_CLOEXEC |
			      (flags & FR_NOFOLLOW ? O_NOFOLLOW : 0))) == -1)
		return -1;
	if (fstat(pfd, &pre) == -1)
		goto fail;
	if (!S_ISREG(pre.st_mode)) {
		errno = S_ISLNK(pre.st_mode) ? ELOOP : EINVAL;
		goto fail;
	}
	/* Reopen that very inode for reading through /proc.  Without /proc
	 * (a chroot, early boot), open the path again: O_NONBLOCK keeps a
	 * FIFO swapped in from blocking, and the fstat below refuses
	 * anything but the inode looked at (a device swapped in during that
	 * window is opened, the one case left). */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		fd = openat(dirfd, path,
			    O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
				(flags & FR_NOFOLLOW ? O_NOFOLLOW : 0));
	if (fd == -1)
		goto fail;
	close(pfd);
	if (fstat(fd, &st) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_dev != pre.st_dev ||
	    st.st_ino != pre.st_ino) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (stp != NULL)
		*stp = st;
	return fd;
fail:
	saved = errno;
	close(pfd);
	errno = saved;
	return -1;
}

char *
file_readat_len(int dirfd, const char *path, size_t max, int flags,
		size_t *lenp)
{
	struct stat st;
	char *buf = NULL;
	size_t off = 0;
	ssize_t n;
	int fd, saved;

	if ((fd = file_openat_regular(dirfd, path, flags, &st)) == -1)
		return NULL;
	/* FR_TAIL: the last max bytes (a log's end, not its start). */
	if ((flags & FR_TAIL) && st.st_size > 0 && (size_t)st.st_size > max &&
	    lseek(fd, st.st_size - (off_t)max, SEEK_SET) == -1)
		goto fail;
	buf = xmalloc(max + 1);
	/* One byte more than max tells a file that is too large. */
	while (off <= max && (n = read(fd, buf + off, max + 1 - off)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += n;
	}
	if (off > max) {
		if (!(flags & (FR_TRUNCATE | FR_TAIL))) {
			errno = EFBIG;
			goto fail;
		}
		off = max;
	}
	close(fd);
	while (off && (buf[off - 1] == '\n'))
		off--;
	buf[off] = '\0';
	if (lenp != NULL)
		*lenp = off;
	return buf;
fail:
	saved = errno;
	close(fd);
	free(buf);
	errno = saved;
	return NULL;
}

char *
file_readat(int dirfd, const char *path, size_t max, int flags)
{
	return file_readat_len(dirfd, path, max, flags, NULL);
}

char *
file_read(const char *path, size_t max)
{
	return file_readat(AT_FDCWD, path, max, 0);
}

const char *
file_strerror(int err)
{
	switch (err) {
	case EINVAL:
		return "not a regular file";
	case EFBIG:
		return "file too large";
	case ELOOP:
		return "is a symbolic link (refused)";
	default:
		return strerror(err);
	}
}

int
file_write_atomicat(int dirfd, const char *name, const void *buf, size_t len,
		    int mode)
{
	char tmp[4096];
	const char *p = buf;
	int fd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%d", name, getpid()) >=
	    sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* A stale temporary (a crash) is ours to replace; a link is not. */
	(void)unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd == -1)
		return -1;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += n;
		len -= n;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	/* rename replaces a link at name; it never writes through it. */
	if (renameat(dirfd, tmp, dirfd, name) == -1)
		goto fail;
	return 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	errno = saved;
	return -1;
}

int
file_write_atomic(const char *path, const void *buf, size_t len, int mode)
{
	return file_write_atomicat(AT_FDCWD, path, buf, len, mode);
}

uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t
now_ms(void)
{
	return now_ns() / 1000000ull;
}
