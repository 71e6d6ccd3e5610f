/*
 * The state directory (state_dir, default /var/lib/vrouterd): locked for
 * one vrouterd at a time, and every file in it reached relative to a
 * directory fd, never through a symbolic link.  STATE/.lock says who holds
 * the lock; STATE/NAME/ holds a topology's console logs, state.json,
 * (netns backend) plan.json and, while a start across hosts runs,
 * part.json or coord.json (intent.h).  A STATE/NAME that is a link, not a
 * directory, not owned by us or writable by others is refused, and
 * nothing in it is read, written or deleted (docs/security.md).
 */
#ifndef VR_STATEDIR_H
#define VR_STATEDIR_H

#include <dirent.h>
#include <stddef.h>

#include <json-c/json.h>

/* The bound on a state file the daemon reads (state.json, plan.json). */
#define STATEDIR_FILE_MAX (4 * 1024 * 1024)

/*
 * Open path (created 0755 when absent), check that it is ours, and lock
 * it for the daemon's lifetime; STATE/.lock gets our pid and socket.
 * 0, or -1 with err (another vrouterd holds it: its pid and socket).
 */
int statedir_open(const char *path, const char *socket, char *err,
		  size_t errlen);
/* Unlock and close (at exit). */
void statedir_close(void);
/* The path locked by statedir_open (a reload does not move it). */
const char *statedir_path(void);
/* The state directory's entries (its own fd); closedir() it. */
DIR *statedir_list(void);

/*
 * STATE/NAME as a directory fd (O_CLOEXEC), made 0755 first when create.
 * -1 with err and errno (ENOENT: absent) when it cannot be opened or is
 * not ours (a link, not a directory, another owner, writable by others).
 */
int statedir_topo_open(const char *name, int create, char *err, size_t errlen);
/* Remove STATE/NAME if it is an empty directory. */
void statedir_topo_rmdir(const char *name);

/*
 * A JSON state file in a topology directory: regular, at most
 * STATEDIR_FILE_MAX bytes, not through a link.  NULL with err ("" when
 * the file does not exist).
 */
json_object *statedir_json_read(int dirfd, const char *file, char *err,
				size_t errlen);
/* Write a state file atomically (never through a link).  0 or -1/errno. */
int statedir_json_write(int dirfd, const char *file, json_object *j);

/*
 * Create file empty for someone else to open by path (a console log that
 * libvirt appends to): whatever is at file goes, and the new one is made
 * with O_EXCL|O_NOFOLLOW.  0 or -1 with errno.
 */
int statedir_file_create(int dirfd, const char *file, int mode);

#endif
