/*
 * Logging in the style of OpenBSD vmd's log.c: stderr in the foreground,
 * syslog otherwise.  log_warn() appends strerror(errno); log_warn/x log at
 * LOG_WARNING ("warning:"), fatal/x at LOG_CRIT ("fatal:").  On stderr a
 * line is "<N>label: msg" for the journal, "label: msg" on a terminal and
 * "RFC3339-UTC label: msg" in a file or pipe.
 */
#ifndef VR_LOG_H
#define VR_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#define LOG_FMT(a, b) __attribute__((format(printf, a, b)))

enum log_style {
	LOG_STYLE_TTY,	   /* "warning: msg" */
	LOG_STYLE_FILE,	   /* "2026-11-30T12:00:00.000Z warning: msg" */
	LOG_STYLE_JOURNAL, /* "<4>warning: msg" (sd-daemon priority prefix) */
};

/* The style for fd: the journal when JOURNAL_STREAM ("DEV:INO") names fd's
 * device and inode, a terminal, else a file. */
enum log_style log_stream_style(int fd);
/* One line (no newline) of msg at syslog priority prio, into buf. */
char *log_format(char *buf, size_t len, enum log_style style, int prio,
		 const struct timespec *ts, const char *msg);
void log_init(int foreground, int verbose, const char *ident);
void log_setverbose(int verbose);
int log_getverbose(void);
void log_warn(const char *fmt, ...) LOG_FMT(1, 2);
void log_warnx(const char *fmt, ...) LOG_FMT(1, 2);
void log_info(const char *fmt, ...) LOG_FMT(1, 2);
void log_debug(const char *fmt, ...) LOG_FMT(1, 2);
void vlog(int prio, const char *fmt, va_list ap) LOG_FMT(2, 0);
__attribute__((noreturn)) void fatal(const char *fmt, ...) LOG_FMT(1, 2);
__attribute__((noreturn)) void fatalx(const char *fmt, ...) LOG_FMT(1, 2);

#endif
