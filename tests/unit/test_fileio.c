/*
 * file_readat / file_write_atomicat: what the daemon and vrctl read and
 * write on someone's behalf.  A FIFO or a device is refused at once (never
 * a blocked loop), a file over the limit is refused rather than cut, a
 * symbolic link is refused with FR_NOFOLLOW and replaced (never written
 * through) by an atomic write.  A FIFO swapped in for a regular file is
 * never opened for reading (file_openat_regular looks through O_PATH).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "t.h"
#include "util.h"

static char dir[] = "/tmp/vrfileio.XXXXXX";

static void
put(const char *name, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

int
main(void)
{
	char p[256], *s;
	int dfd;

	if (mkdtemp(dir) == NULL)
		return 1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	put("small", "hello\n\n");
	put("big", "0123456789");
	put("victim", "precious");
	snprintf(p, sizeof(p), "%s/fifo", dir);
	CHECK(mkfifo(p, 0600) == 0);
	CHECK(symlinkat("victim", dfd, "link") == 0);

	s = file_readat(dfd, "small", 64, 0);
	CHECK_STR(s, "hello");
	free(s);

	/* a FIFO with no writer: refused at once, not waited on */
	errno = 0;
	CHECK(file_readat(dfd, "fifo", 64, 0) == NULL);
	CHECK_INT(errno, EINVAL);
	CHECK_STR(file_strerror(EINVAL), "not a regular file");
	/* a device that never ends */
	errno = 0;
	CHECK(file_read("/dev/zero", 64) == NULL);
	CHECK_INT(errno, EINVAL);
	/* too large: refused, or its first bytes when asked */
	errno = 0;
	CHECK(file_readat(dfd, "big", 9, 0) == NULL);
	CHECK_INT(errno, EFBIG);
	s = file_readat(dfd, "big", 10, 0);
	CHECK_STR(s, "0123456789");
	free(s);
	s = file_readat(dfd, "big", 4, FR_TRUNCATE);
	CHECK_STR(s, "0123");
	free(s);
	/* procfs files report size 0 and are still read */
	s = file_read("/proc/self/stat", 4096);
	CHECK(s != NULL && *s != '\0');
	free(s);

	/* links: followed by default, refused with FR_NOFOLLOW */
	s = file_readat(dfd, "link", 64, 0);
	CHECK_STR(s, "precious");
	free(s);
	errno = 0;
	CHECK(file_readat(dfd, "link", 64, FR_NOFOLLOW) == NULL);
	CHECK_INT(errno, ELOOP);

	/* an atomic write replaces the link and leaves its target alone */
	CHECK(file_write_atomicat(dfd, "link", "new", 3, 0600) == 0);
	s = file_readat(dfd, "victim", 64, 0);
	CHECK_STR(s, "precious");
	free(s);
	s = file_readat(dfd, "link", 64, FR_NOFOLLOW);
	CHECK_STR(s, "new");
	free(s);
	/* a planted link at the temporary's name is not written through */
	snprintf(p, sizeof(p), "plain.tmp.%d", (int)getpid());
	CHECK(symlinkat("victim", dfd, p) == 0);
	CHECK(file_write_atomicat(dfd, "plain", "x", 1, 0600) == 0);
	s = file_readat(dfd, "victim", 64, 0);
	CHECK_STR(s, "precious");
	free(s);

	/* FR_TAIL: the last bytes of a log, not its first */
	s = file_readat(dfd, "big", 4, FR_TAIL);
	CHECK_STR(s, "6789");
	free(s);
	s = file_readat(dfd, "big", 64, FR_TAIL);
	CHECK_STR(s, "0123456789");
	free(s);

	/* file_openat_regular: a FIFO is refused through O_PATH without a
	 * reader ever appearing (a non-blocking writer finds none: ENXIO) */
	errno = 0;
	CHECK(file_openat_regular(dfd, "fifo", 0, NULL) == -1);
	CHECK_INT(errno, EINVAL);
	CHECK(symlinkat("victim", dfd, "link2") == 0);
	CHECK(file_openat_regular(dfd, "link2", FR_NOFOLLOW, NULL) == -1);
	CHECK_INT(errno, ELOOP);
	snprintf(p, sizeof(p), "%s/fifo", dir);
	errno = 0;
	CHECK(open(p, O_WRONLY | O_NONBLOCK | O_CLOEXEC) == -1);
	CHECK_INT(errno, ENXIO);

	/*
	 * The swap: "entry" is exchanged with a FIFO over and over while it
	 * is read.  A writer blocked on that FIFO wakes up the moment anyone
	 * opens it for reading; a check-then-open reader does, sooner or
	 * later, and file_readat must never.
	 */
	put("entry", "regular");
	CHECK(linkat(dfd, "fifo", dfd, "swap", 0) == 0);
	pid_t writer = fork(), swapper;
	if (writer == 0) {
		int wfd = open(p, O_WRONLY | O_CLOEXEC); /* blocks */
		_exit(wfd == -1 ? 2 : 3);
	}
	swapper = fork();
	if (swapper == 0) {
		for (;;)
			renameat2(dfd, "entry", dfd, "swap", RENAME_EXCHANGE);
	}
	int got = 0, refused = 0, status;
	for (int i = 0; i < 200000; i++) {
		s = file_readat(dfd, "entry", 64, 0);
		if (s != NULL)
			got++;
		else
			refused += errno == EINVAL;
		free(s);
	}
	kill(swapper, SIGKILL);
	waitpid(swapper, NULL, 0);
	usleep(100000);
	/* the writer is still blocked: no reader ever opened the FIFO */
	CHECK(waitpid(writer, &status, WNOHANG) == 0);
	kill(writer, SIGKILL);
	waitpid(writer, NULL, 0);
	CHECK(got > 0 && refused > 0);
	printf("# swap: %d read, %d refused\n", got, refused);

	const char *names[] = {"small", "big",	 "victim", "fifo", "link",
			       "plain", "entry", "swap",   "link2"};
	for (size_t i = 0; i < nitems(names); i++)
		unlinkat(dfd, names[i], 0);
	close(dfd);
	rmdir(dir);
	return t_done("test_fileio");
}
