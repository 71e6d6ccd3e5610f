/* Unit tests for the log line format (lib/log.c): labels and priorities per
 * function, sd-daemon prefixes only for the journal, timestamps only in a
 * file, and how stderr's kind is told from JOURNAL_STREAM. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "t.h"

static void
test_format(void)
{
	struct timespec ts = {.tv_sec = 1796040000, .tv_nsec = 123456789};
	char buf[256];

	CHECK_STR(log_format(buf, sizeof(buf), LOG_STYLE_TTY, LOG_WARNING, &ts,
			     "a link is gone"),
		  "warning: a link is gone");
	CHECK_STR(
	    log_format(buf, sizeof(buf), LOG_STYLE_TTY, LOG_ERR, &ts, "x"),
	    "error: x");
	CHECK_STR(log_format(buf, sizeof(buf), LOG_STYLE_JOURNAL, LOG_WARNING,
			     &ts, "a link is gone"),
		  "<4>warning: a link is gone");
	CHECK_STR(log_format(buf, sizeof(buf), LOG_STYLE_JOURNAL, LOG_INFO, &ts,
			     "up"),
		  "<6>info: up");
	CHECK_STR(log_format(buf, sizeof(buf), LOG_STYLE_JOURNAL, LOG_CRIT, &ts,
			     "dead"),
		  "<2>fatal: dead");
	CHECK_STR(
	    log_format(buf, sizeof(buf), LOG_STYLE_FILE, LOG_DEBUG, &ts, "d"),
	    "2026-11-30T12:00:00.123Z debug: d");
}

/* log_warnx and log_warn write "warning:", not "error:", with errno. */
static void
test_warn_label(void)
{
	char path[] = "/tmp/test_log.XXXXXX", buf[512] = "";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	FILE *f;
	size_t n;

	CHECK(fd >= 0);
	dup2(fd, STDERR_FILENO);
	unsetenv("JOURNAL_STREAM");
	log_init(1, 0, "test_log"); /* a file: timestamps */
	log_warnx("one %d", 1);
	errno = ENOENT;
	log_warn("two");
	dup2(saved, STDERR_FILENO);
	close(saved);
	f = fopen(path, "r");
	n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	CHECK(strstr(buf, "Z warning: one 1\n") != NULL);
	CHECK(strstr(buf, "Z warning: two: No such file or directory\n") !=
	      NULL);
	CHECK(strstr(buf, "error:") == NULL);
	CHECK(buf[0] == '2' && buf[4] == '-' && buf[10] == 'T');
	close(fd);
	unlink(path);
}

static void
test_style(void)
{
	char path[] = "/tmp/test_log.XXXXXX", js[64];
	int fd = mkstemp(path);
	struct stat st;

	CHECK(fd >= 0 && fstat(fd, &st) == 0);
	unsetenv("JOURNAL_STREAM");
	CHECK_INT(log_stream_style(fd), LOG_STYLE_FILE);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	CHECK_INT(log_stream_style(fd), LOG_STYLE_JOURNAL);
	/* inherited by a child whose stderr is elsewhere: not the journal */
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", js, 1);
	CHECK_INT(log_stream_style(fd), LOG_STYLE_FILE);
	unsetenv("JOURNAL_STREAM");
	close(fd);
	unlink(path);
}

int
main(void)
{
	test_format();
	test_style();
	test_warn_label();
	return t_done("test_log");
}
