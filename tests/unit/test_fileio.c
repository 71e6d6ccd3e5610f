/*
 * file_readat / file_write_atomicat: what the daemon and vrctl read and
 * write on someone's behalf.  A FIFO or a device is refused at once (never
 * a blocked loop), a file over the limit is refused rather than cut, a
 * symbolic link is refused with FR_NOFOLLOW and replaced (never written
 * through) by an atomic write.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
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

	const char *names[] = {"small", "big",	"victim",
			       "fifo",	"link", "plain"};
	for (size_t i = 0; i < nitems(names); i++)
		unlinkat(dfd, names[i], 0);
	close(dfd);
	rmdir(dir);
	return t_done("test_fileio");
}
