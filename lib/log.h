/*
 * Logging in the style of OpenBSD vmd's log.c: stderr in the foreground,
 * syslog otherwise.  log_warn() appends strerror(errno).
 */
#ifndef VR_LOG_H
#define VR_LOG_H

#include <stdarg.h>

#define LOG_FMT(a, b) __attribute__((format(printf, a, b)))

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
