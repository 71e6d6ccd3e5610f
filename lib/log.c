/*
 * Logging (see log.h).  In the foreground each line goes to stderr in one
 * of three styles, chosen once at log_init() from what stderr is: the
 * journal (JOURNAL_STREAM names stderr's device and inode) gets sd-daemon
 * "<N>" priority prefixes so warnings are warnings there; a terminal gets
 * "label: message"; anything else (a file, a pipe) also gets an RFC 3339
 * UTC timestamp, since nothing else will stamp it.  In the background,
 * syslog(3).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int log_foreground = 1;
static int log_verbose;
static enum log_style log_style = LOG_STYLE_TTY;

enum log_style
log_stream_style(int fd)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (fstat(fd, &st) == -1)
		return LOG_STYLE_TTY;
	if (js != NULL && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	    (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino)
		return LOG_STYLE_JOURNAL;
	return isatty(fd) ? LOG_STYLE_TTY : LOG_STYLE_FILE;
}

void
log_init(int foreground, int verbose, const char *ident)
{
	log_foreground = foreground;
	log_verbose = verbose;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
	log_style = log_stream_style(STDERR_FILENO);
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

int
log_getverbose(void)
{
	return log_verbose;
}

char *
log_format(char *buf, size_t len, enum log_style style, int prio,
	   const struct timespec *ts, const char *msg)
{
	static const char *names[] = {
	    [LOG_CRIT] = "fatal",      [LOG_ERR] = "error",
	    [LOG_WARNING] = "warning", [LOG_INFO] = "info",
	    [LOG_DEBUG] = "debug",
	};
	const char *n =
	    prio >= 0 && prio < (int)(sizeof(names) / sizeof(names[0])) &&
		    names[prio]
		? names[prio]
		: "log";
	char when[40] = "";
	struct tm tm;

	if (style == LOG_STYLE_JOURNAL) {
		snprintf(buf, len, "<%d>%s: %s", prio, n, msg);
		return buf;
	}
	if (style == LOG_STYLE_FILE && gmtime_r(&ts->tv_sec, &tm) != NULL) {
		size_t w =
		    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);

		snprintf(when + w, sizeof(when) - w, ".%03ldZ ",
			 ts->tv_nsec / 1000000);
	}
	snprintf(buf, len, "%s%s: %s", when, n, msg);
	return buf;
}

void
vlog(int prio, const char *fmt, va_list ap)
{
	char msg[2048], line[2100];
	struct timespec ts;

	if (prio == LOG_DEBUG && !log_verbose)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_foreground) {
		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(
		    stderr, "%s\n",
		    log_format(line, sizeof(line), log_style, prio, &ts, msg));
		fflush(stderr);
	} else
		syslog(prio, "%s", msg);
}

static void logit(int prio, const char *fmt, ...) LOG_FMT(2, 3);

static void
logit(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}

static void
logit_errno(int prio, int saved, const char *fmt, va_list ap)
{
	char msg[1536];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (saved)
		logit(prio, "%s: %s", msg, strerror(saved));
	else
		logit(prio, "%s", msg);
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	logit_errno(LOG_WARNING, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

static void
vfatalc(int code, const char *fmt, va_list ap)
{
	char msg[1536];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (code)
		logit(LOG_CRIT, "%s: %s", msg, strerror(code));
	else
		logit(LOG_CRIT, "%s", msg);
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vfatalc(saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfatalc(0, fmt, ap);
	va_end(ap);
	exit(1);
}
