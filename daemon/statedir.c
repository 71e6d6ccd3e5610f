/*
 * The state directory: one lock (flock on the directory itself, so a
 * second daemon is refused however it names the directory), one directory
 * fd opened at start, and every topology directory and state file reached
 * from it with openat/mkdirat/unlinkat and O_NOFOLLOW.  What is not ours
 * (a link, a non-directory, another owner, a directory others may write)
 * is refused, so a planted link never makes root write, truncate or delete
 * anything outside the state directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jtext.h"
#include "log.h"
#include "statedir.h"
#include "util.h"

#define STATEDIR_LOCK ".lock" /* not a topology name: those start [a-z0-9] */

static struct {
	int fd;
	char path[4096];
} sd = {-1, ""};

const char *
statedir_path(void)
{
	return sd.path;
}

DIR *
statedir_list(void)
{
	DIR *d;
	int fd;

	if (sd.fd == -1) {
		errno = EBADF;
		return NULL;
	}
	/* a description of its own: readdir's offset is not shared */
	if ((fd = openat(sd.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return NULL;
	if ((d = fdopendir(fd)) == NULL)
		close(fd);
	return d;
}

/* NULL when st is ours, else why not. */
static const char *
statedir_not_ours(const struct stat *st)
{
	if (!S_ISDIR(st->st_mode))
		return "not a directory";
	if (st->st_uid != geteuid())
		return "owned by another user";
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return "writable by group or others";
	return NULL;
}

/* "pid 123, socket /run/vrouterd/vrouterd.sock" from the holder's lock. */
static void
statedir_holder(char *buf, size_t len)
{
	char *s = file_readat(sd.fd, STATEDIR_LOCK, 4096, FR_NOFOLLOW), *sock;
	long pid = 0;

	if (s == NULL || sscanf(s, "pid %ld", &pid) != 1 ||
	    (sock = strstr(s, "\nsocket ")) == NULL)
		msgf(buf, len, "pid and socket unknown");
	else
		msgf(buf, len, "pid %ld, socket %s", pid,
		     sock + strlen("\nsocket "));
	free(s);
}

int
statedir_open(const char *path, const char *socket, char *err, size_t errlen)
{
	struct stat st;
	const char *why;
	char *text = NULL, holder[4200];

	if (vr_strlcpy(sd.path, path, sizeof(sd.path)) >= sizeof(sd.path)) {
		msgf(err, errlen, "state_dir %s: path too long", path);
		return -1;
	}
	/* 0700: plans and console logs may come from private files */
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		msgf(err, errlen, "state_dir %s: mkdir: %s", path,
		     strerror(errno));
		return -1;
	}
	/* The configured path may go through links (the administrator's
	 * choice); below it, nothing does. */
	if ((sd.fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		msgf(err, errlen, "state_dir %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(sd.fd, &st) == -1) {
		msgf(err, errlen, "state_dir %s: %s", path, strerror(errno));
		goto fail;
	}
	if ((why = statedir_not_ours(&st)) != NULL) {
		msgf(err, errlen,
		     "state_dir %s is %s: vrouterd keeps its state only in a "
		     "directory of its own (chown it to uid %ld, chmod go-w)",
		     path, why, (long)geteuid());
		goto fail;
	}
	if (flock(sd.fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			statedir_holder(holder, sizeof(holder));
			msgf(err, errlen,
			     "state_dir %s is in use by another vrouterd "
			     "(%s): stop it first, or give this one another "
			     "state_dir",
			     path, holder);
		} else
			msgf(err, errlen, "state_dir %s: lock: %s", path,
			     strerror(errno));
		goto fail;
	}
	text = xasprintf("pid %ld\nsocket %s\n", (long)getpid(), socket);
	if (file_write_atomicat(sd.fd, STATEDIR_LOCK, text, strlen(text),
				0644) == -1)
		log_warn("%s/%s", path, STATEDIR_LOCK); /* the lock holds */
	free(text);
	return 0;
fail:
	close(sd.fd);
	sd.fd = -1;
	return -1;
}

void
statedir_close(void)
{
	if (sd.fd == -1)
		return;
	/* still locked: no other daemon has written it meanwhile */
	(void)unlinkat(sd.fd, STATEDIR_LOCK, 0);
	close(sd.fd);
	sd.fd = -1;
}

int
statedir_topo_open(const char *name, int create, char *err, size_t errlen)
{
	struct stat st;
	const char *why = NULL;
	int fd, saved;

	if (sd.fd == -1 || name[0] == '\0' || name[0] == '.' ||
	    strchr(name, '/') != NULL) {
		msgf(err, errlen, "%s/%s: not a state directory", sd.path,
		     name);
		errno = EINVAL;
		return -1;
	}
	if (create && mkdirat(sd.fd, name, 0700) == -1 && errno != EEXIST) {
		saved = errno;
		msgf(err, errlen, "mkdir %s/%s: %s", sd.path, name,
		     strerror(errno));
		errno = saved;
		return -1;
	}
	fd = openat(sd.fd, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		saved = errno;
		/* with O_DIRECTORY a link gives ENOTDIR: say which it is */
		if ((saved == ELOOP || saved == ENOTDIR) &&
		    fstatat(sd.fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			saved = ELOOP;
		msgf(err, errlen, "%s/%s: %s", sd.path, name,
		     saved == ELOOP	? "is a symbolic link (refused)"
		     : saved == ENOTDIR ? "is not a directory (refused)"
					: strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) == -1 || (why = statedir_not_ours(&st)) != NULL) {
		saved = errno;
		msgf(err, errlen, "%s/%s: %s (refused: not vrouterd's)",
		     sd.path, name, why ? why : strerror(errno));
		close(fd);
		errno = why ? EPERM : saved;
		return -1;
	}
	return fd;
}

void
statedir_topo_rmdir(const char *name)
{
	char err[512];
	int fd;

	/* only ours (an empty directory of another owner stays) */
	if ((fd = statedir_topo_open(name, 0, err, sizeof(err))) == -1)
		return;
	close(fd);
	(void)unlinkat(sd.fd, name, AT_REMOVEDIR);
}

json_object *
statedir_json_read(int dirfd, const char *file, char *err, size_t errlen)
{
	char *text, perr[512];
	size_t len, fl = strlen(file);
	json_object *j;

	msgf(err, errlen, "%s", "");
	if ((text = file_readat_len(dirfd, file, STATEDIR_FILE_MAX, FR_NOFOLLOW,
				    &len)) == NULL) {
		if (errno != ENOENT)
			msgf(err, errlen, "%s", file_strerror(errno));
		return NULL;
	}
	/* jtext, like every JSON file; the callers name the file, so its
	 * "FILE: " is left off ("line 3: not valid JSON: ...") */
	if ((j = jtext_parse(file, text, len, perr, sizeof(perr))) == NULL)
		msgf(err, errlen, "%s",
		     strncmp(perr, file, fl) == 0 && perr[fl] == ':'
			 ? perr + fl + 2
			 : perr);
	free(text);
	return j;
}

int
statedir_json_write(int dirfd, const char *file, json_object *j)
{
	const char *s = json_object_to_json_string_ext(
	    j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED);

	/* 0600: state.json, plan.json (a private file's expanded plan) */
	return file_write_atomicat(dirfd, file, s, strlen(s), 0600);
}

int
statedir_file_create(int dirfd, const char *file, int mode)
{
	int fd;

	if (unlinkat(dirfd, file, 0) == -1 && errno != ENOENT)
		return -1;
	fd = openat(dirfd, file,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd == -1)
		return -1;
	close(fd);
	return 0;
}
