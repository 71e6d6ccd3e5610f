/*
 * The state directory (daemon/statedir.c): one daemon holds it (a second
 * is refused naming the first's pid and socket, whatever path it uses), a
 * topology directory that is a link, a file or not ours is refused, and
 * state files are read and written without ever following a link or
 * blocking on a FIFO.  No root needed: "ours" is the caller's uid.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "statedir.h"
#include "t.h"
#include "util.h"

static char top[] = "/tmp/vrstatedir.XXXXXX";
static char state[256];

static char *
at(const char *rel)
{
	static char p[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", top, rel);
	return p[i];
}

static void
put(const char *rel, const char *text)
{
	FILE *f = fopen(at(rel), "w");

	fputs(text, f);
	fclose(f);
}

/* In a child: statedir_open(path) fails and err contains want. */
static int
refused_with(const char *path, const char *want, const char *want2)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		char err[1024] = "";
		int rc = statedir_open(path, "/other.sock", err, sizeof(err));

		fprintf(stderr, "  refused: %s\n", err);
		_exit(rc == -1 && strstr(err, want) &&
			      (want2 == NULL || strstr(err, want2))
			  ? 0
			  : 1);
	}
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       WEXITSTATUS(st) == 0;
}

static void
test_lock(void)
{
	char err[1024] = "", pidstr[64], *s;

	CHECK_INT(mkdir(at("loose"), 0755), 0);
	CHECK_INT(chmod(at("loose"), 0777), 0);
	CHECK(refused_with(at("loose"), "writable by group or others", NULL));

	CHECK_INT(
	    statedir_open(state, "/run/x/vrouterd.sock", err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_STR(statedir_path(), state);
	/* created private: plans and logs may come from private files */
	{
		struct stat st;
		CHECK_INT(stat(state, &st), 0);
		CHECK_INT(st.st_mode & 07777, 0700);
	}
	s = file_read(at("state/.lock"), 4096);
	snprintf(pidstr, sizeof(pidstr), "pid %ld\nsocket /run/x/vrouterd.sock",
		 (long)getpid());
	CHECK_STR(s, pidstr);
	free(s);
	/* a second daemon: refused, naming us; also through a link */
	snprintf(pidstr, sizeof(pidstr), "pid %ld,", (long)getpid());
	CHECK(refused_with(state, pidstr, "socket /run/x/vrouterd.sock"));
	CHECK_INT(symlink(state, at("alias")), 0);
	CHECK(refused_with(at("alias"), "in use by another vrouterd", pidstr));
	/* the fd is not inherited by what the daemon runs */
	{
		int fd = open(state, O_RDONLY | O_DIRECTORY);
		CHECK(fd != -1);
		for (int i = 0; i < 256; i++) {
			int fl = fcntl(i, F_GETFD);
			struct stat a, b;
			if (fl == -1 || i == fd || fstat(i, &a) == -1 ||
			    fstat(fd, &b) == -1)
				continue;
			if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
				CHECK(fl & FD_CLOEXEC);
		}
		close(fd);
	}
}

static void
test_topo_dirs(void)
{
	char err[1024];
	int fd;

	fd = statedir_topo_open("mono", 1, err, sizeof(err));
	CHECK(fd != -1);
	if (fd != -1)
		close(fd);
	fd = statedir_topo_open("absent", 0, err, sizeof(err));
	CHECK_INT(fd, -1);
	CHECK_INT(errno, ENOENT);

	CHECK_INT(mkdir(at("outside"), 0755), 0);
	CHECK_INT(symlink(at("outside"), at("state/lnk")), 0);
	CHECK_INT(statedir_topo_open("lnk", 1, err, sizeof(err)), -1);
	CHECK_INT(errno, ELOOP);
	CHECK(strstr(err, "state/lnk: is a symbolic link (refused)") != NULL);

	put("state/file", "KEEP");
	CHECK_INT(statedir_topo_open("file", 1, err, sizeof(err)), -1);
	CHECK_INT(errno, ENOTDIR);
	CHECK(strstr(err, "is not a directory (refused)") != NULL);

	CHECK_INT(mkdir(at("state/open"), 0755), 0);
	CHECK_INT(chmod(at("state/open"), 0757), 0);
	CHECK_INT(statedir_topo_open("open", 1, err, sizeof(err)), -1);
	CHECK_INT(errno, EPERM);
	CHECK(strstr(err, "writable by group or others (refused: not "
			  "vrouterd's)") != NULL);
	statedir_topo_rmdir("open"); /* not ours: stays */
	CHECK(access(at("state/open"), F_OK) == 0);
	statedir_topo_rmdir("lnk"); /* a link: stays, and so does its target */
	CHECK(access(at("state/lnk"), F_OK) == 0);
	CHECK(access(at("outside"), F_OK) == 0);

	CHECK_INT(statedir_topo_open("../outside", 1, err, sizeof(err)), -1);
	CHECK_INT(statedir_topo_open(".lock", 0, err, sizeof(err)), -1);
}

static void
test_files(void)
{
	char err[1024], *s;
	json_object *j;
	int fd = statedir_topo_open("mono", 0, err, sizeof(err));

	CHECK(fd != -1);
	/* absent: NULL and no error */
	CHECK(statedir_json_read(fd, "plan.json", err, sizeof(err)) == NULL);
	CHECK_STR(err, "");
	/* a FIFO: refused at once */
	CHECK_INT(mkfifo(at("state/mono/plan.json"), 0644), 0);
	CHECK(statedir_json_read(fd, "plan.json", err, sizeof(err)) == NULL);
	CHECK_STR(err, "not a regular file");
	unlink(at("state/mono/plan.json"));
	/* a link (to /dev/zero, to a file): refused */
	CHECK_INT(symlink("/dev/zero", at("state/mono/plan.json")), 0);
	CHECK(statedir_json_read(fd, "plan.json", err, sizeof(err)) == NULL);
	CHECK_STR(err, "is a symbolic link (refused)");
	/* a write replaces the link, its target untouched */
	put("victim", "VICTIM");
	unlink(at("state/mono/plan.json"));
	CHECK_INT(symlink(at("victim"), at("state/mono/plan.json")), 0);
	j = json_object_new_object();
	json_object_object_add(j, "k", json_object_new_int(1));
	CHECK_INT(statedir_json_write(fd, "plan.json", j), 0);
	json_object_put(j);
	{
		struct stat st;
		CHECK_INT(stat(at("state/mono/plan.json"), &st), 0);
		CHECK_INT(st.st_mode & 07777, 0600);
		CHECK_INT(stat(at("state/mono"), &st), 0);
		CHECK_INT(st.st_mode & 07777, 0700);
	}
	s = file_read(at("victim"), 64);
	CHECK_STR(s, "VICTIM");
	free(s);
	j = statedir_json_read(fd, "plan.json", err, sizeof(err));
	CHECK(j != NULL);
	CHECK_INT(json_object_get_int(json_object_object_get(j, "k")), 1);
	json_object_put(j);
	/* read by jtext like every JSON file: a key given twice, text after
	 * the value, a NUL are refused (json-c alone took the last key) */
	put("state/mono/plan.json", "{\"k\": 1, \"k\": 2}");
	CHECK(statedir_json_read(fd, "plan.json", err, sizeof(err)) == NULL);
	CHECK_STR(err, "$.k: key given twice in one object (line 1)");
	put("state/mono/plan.json", "{\"k\": 1}\n{\"k\": 2}");
	CHECK(statedir_json_read(fd, "plan.json", err, sizeof(err)) == NULL);
	CHECK_STR(err, "line 2: not valid JSON: more text after the value");
	/* too large: refused, not cut */
	CHECK_INT(truncate(at("state/mono/plan.json"), STATEDIR_FILE_MAX + 1),
		  0);
	CHECK(statedir_json_read(fd, "plan.json", err, sizeof(err)) == NULL);
	CHECK_STR(err, "file too large");
	/* a console log planted as a link: replaced by an empty file */
	CHECK_INT(symlink(at("victim"), at("state/mono/vr0.console.log")), 0);
	CHECK_INT(statedir_file_create(fd, "vr0.console.log", 0640), 0);
	s = file_read(at("victim"), 64);
	CHECK_STR(s, "VICTIM");
	free(s);
	s = file_readat(fd, "vr0.console.log", 64, FR_NOFOLLOW);
	CHECK_STR(s, "");
	free(s);
	close(fd);
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(top) == NULL)
		return 1;
	snprintf(state, sizeof(state), "%s/state", top);
	test_lock();
	test_topo_dirs();
	test_files();
	statedir_close();
	CHECK(access(at("state/.lock"), F_OK) == -1);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", top);
	return t_done("test_statedir");
}
