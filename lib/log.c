#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int log_foreground = 1;
static int log_verbose;

void
log_init(int foreground, int verbose, const char *ident)
{
	log_foreground = foreground;
	log_verbose = verbose;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
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

void
vlog(int prio, const char *fmt, va_list ap)
{
	static const char *names[] = {
	    [LOG_CRIT] = "fatal",      [LOG_ERR] = "error",
	    [LOG_WARNING] = "warning", [LOG_INFO] = "info",
	    [LOG_DEBUG] = "debug",
	};
	char msg[2048];

	if (prio == LOG_DEBUG && !log_verbose)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_foreground) {
		const char *n =
		    prio < (int)(sizeof(names) / sizeof(names[0])) &&
			    names[prio]
			? names[prio]
			: "log";
		fprintf(stderr, "%s: %s\n", n, msg);
		fflush(stderr);
	} else
		syslog(prio, "%s", msg);
}

static void
logit_errno(int prio, int saved, const char *fmt, va_list ap)
{
	char msg[1536];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (saved)
		log_warnx("%s: %s", msg, strerror(saved));
	else
		log_warnx("%s", msg);
	(void)prio;
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	logit_errno(LOG_ERR, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
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
		log_warnx("fatal: %s: %s", msg, strerror(code));
	else
		log_warnx("fatal: %s", msg);
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
