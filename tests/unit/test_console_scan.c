/* Unit tests for readiness from the console log (daemon/kind_vm.c
 * deploy_console_scan): each call reads only what was appended since the
 * last, a marker split between two writes is found once its line is
 * complete, a truncated log is read again from the start, a guest's
 * failure comes with its reason, another node's marker is not ours.
 * deploy_console_tail gives the end of a long log, not its middle, and
 * is not cut short by a NUL the guest printed. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deploy.h"
#include "t.h"

static char path[] = "/tmp/vr-console-XXXXXX";

static void
append(const char *s)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);

	if (fd == -1 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		perror("append");
	if (fd != -1)
		close(fd);
}

int
main(void)
{
	char why[64] = "";
	off_t off = 0;
	int fd;

	if ((fd = mkstemp(path)) == -1) {
		perror("mkstemp");
		return 1;
	}
	close(fd);

	/* nothing yet; a partial line is not consumed */
	CHECK_INT(
	    deploy_console_scan(AT_FDCWD, path, "vr0", &off, why, sizeof(why)),
	    0);
	append("[    0.1] booting\r\nVROUTERD-REA");
	CHECK_INT(
	    deploy_console_scan(AT_FDCWD, path, "vr0", &off, why, sizeof(why)),
	    0);
	CHECK_INT(off, strlen("[    0.1] booting\r\n"));
	/* another node's marker is not ours */
	append("DY node=vr1 ifs=2\r\nx\r\n");
	CHECK_INT(
	    deploy_console_scan(AT_FDCWD, path, "vr0", &off, why, sizeof(why)),
	    0);
	/* the split marker, completed */
	append("VROUTERD-READY node=vr0 uptime_ms=812 routes=100004\r\n");
	CHECK_INT(
	    deploy_console_scan(AT_FDCWD, path, "vr0", &off, why, sizeof(why)),
	    1);
	/* the rest of the READY line, and its routes= (issue 17) */
	CHECK_STR(why, "uptime_ms=812 routes=100004");
	CHECK_INT(deploy_ready_routes(why), 100004);
	CHECK_INT(deploy_ready_routes("routes=7"), 7);
	CHECK_INT(deploy_ready_routes("uptime_ms=5"), -1); /* old image */
	CHECK_INT(deploy_ready_routes("xroutes=5 routes=6"), 6);
	CHECK_INT(deploy_ready_routes("routes=5x"), -1);
	CHECK_INT(deploy_ready_routes("routes="), -1);
	CHECK_INT(deploy_ready_routes("routes=-3"), -1);

	/* truncated (a new boot): read again from 0, the failure's reason
	 * without the carriage return */
	if (truncate(path, 0) == -1)
		perror("truncate");
	append("VROUTERD-FAIL node=vr0 no interface 52:54:00:aa\r\n");
	CHECK_INT(
	    deploy_console_scan(AT_FDCWD, path, "vr0", &off, why, sizeof(why)),
	    -1);
	CHECK_STR(why, "no interface 52:54:00:aa");

	/* incremental: once read, the same marker is not seen again */
	if (truncate(path, 0) == -1)
		perror("truncate");
	off = 0;
	append("VROUTERD-READY node=vr2 x\n");
	CHECK_INT(
	    deploy_console_scan(AT_FDCWD, path, "vr2", &off, why, sizeof(why)),
	    1);
	CHECK_INT(
	    deploy_console_scan(AT_FDCWD, path, "vr2", &off, why, sizeof(why)),
	    0);

	/* the tail of a log far longer than what is read of it */
	char line[128], tail[512];
	int lfd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	static const char end[] = "a NUL\0here\r\nthe last line\r\n";

	for (int i = 0; i < 40000; i++) {
		int l =
		    snprintf(line, sizeof(line),
			     "boot noise line %06d .........................."
			     "................\r\n",
			     i);
		CHECK(write(lfd, line, l) == l);
	}
	CHECK(write(lfd, end, sizeof(end) - 1) == (ssize_t)sizeof(end) - 1);
	close(lfd);
	deploy_console_tail(AT_FDCWD, path, tail, sizeof(tail));
	CHECK(strstr(tail, "boot noise line 039999") != NULL);
	CHECK(strstr(tail, "a NULhere\nthe last line") != NULL);
	CHECK(strchr(tail, '\r') == NULL);
	/* a missing log is "not yet" */
	unlink(path);
	off = 0;
	CHECK_INT(
	    deploy_console_scan(AT_FDCWD, path, "vr0", &off, why, sizeof(why)),
	    0);
	return t_done("test_console_scan");
}
