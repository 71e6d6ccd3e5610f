/* Small never-NULL allocators, CPU lists and file helpers. */
#ifndef VR_UTIL_H
#define VR_UTIL_H

#include <sched.h>
#include <stddef.h>
#include <stdint.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* snprintf for messages: a message cut short at len is fine. */
void msgf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* strlcpy semantics; returns strlen(src). */
size_t vr_strlcpy(char *dst, const char *src, size_t size);

/*
 * CPU lists in the kernel's list format ("0-3,8,10-11").  An empty string
 * parses to an empty set.  Returns 0, or -1 on a syntax error or a CPU
 * number >= CPU_SETSIZE.
 */
int cpulist_parse(const char *s, cpu_set_t *set);
/*
 * A buffer that holds any list of CPU_SETSIZE (1024) CPUs: the longest,
 * "0-1,3-4,6-7,...,1020-1021,1023", is 2673 characters.  Size every
 * buffer cpulist_format fills, and every buffer a kernel list is read
 * into, with it.
 */
#define CPULIST_MAX 2688
/* Format into buf ("" for an empty set); returns buf, or NULL (buf "")
 * when the list does not fit in len: never a list cut short. */
char *cpulist_format(const cpu_set_t *set, char *buf, size_t len);

/*
 * Read a whole small file into a NUL-terminated buffer the caller frees;
 * trailing newlines are stripped.  Only a regular file is read (a FIFO or a
 * device is refused without blocking: EINVAL), and a file larger than max
 * bytes is refused (EFBIG) unless FR_TRUNCATE asks for its first max bytes
 * or FR_TAIL for its last max bytes.  A device is refused without being
 * opened (opening one may act), see file_openat_regular.
 * FR_NOFOLLOW refuses a symbolic link as the last component (ELOOP).
 * NULL with errno set; file_strerror(errno) says it in words.
 */
#define FR_NOFOLLOW 0x1
#define FR_TRUNCATE 0x2
#define FR_TAIL	    0x4
/*
 * Open a regular file for reading: the path is opened O_PATH (which never
 * calls a driver), that fd is fstat'ed, and only a regular file is reopened
 * through /proc/self/fd with O_RDONLY|O_NONBLOCK|O_NOCTTY.  Anything else
 * is refused unopened (EINVAL; ELOOP for a link under FR_NOFOLLOW).
 * Without /proc it falls back to openat with O_NONBLOCK and an fstat check.
 * The fd (O_CLOEXEC), *st filled if not NULL; -1 with errno.
 */
struct stat;
int file_openat_regular(int dirfd, const char *path, int flags,
			struct stat *st);
char *file_readat(int dirfd, const char *path, size_t max, int flags);
char *file_read(const char *path, size_t max); /* AT_FDCWD, no flags */
/* The same, and *len = the length read (a file may hold NUL bytes). */
char *file_readat_len(int dirfd, const char *path, size_t max, int flags,
		      size_t *len);
const char *file_strerror(int err);
/*
 * Write atomically (a new temporary beside it, fsync, rename): a symbolic
 * link at name is replaced, never written through.  0 or -1 with errno.
 */
int file_write_atomicat(int dirfd, const char *name, const void *buf,
			size_t len, int mode);
int file_write_atomic(const char *path, const void *buf, size_t len, int mode);

/* Monotonic clock in nanoseconds / milliseconds. */
uint64_t now_ns(void);
uint64_t now_ms(void);

#endif
