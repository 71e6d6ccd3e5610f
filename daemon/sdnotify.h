/*
 * sd_notify(3)'s datagram protocol, without libsystemd: a no-op unless
 * NOTIFY_SOCKET names a socket (path or "@abstract").
 */
#ifndef VR_SDNOTIFY_H
#define VR_SDNOTIFY_H

/* Send state ("READY=1", "STOPPING=1", "STATUS=..."; lines joined by
 * '\n').  1 sent, 0 no notify socket, -1 with errno set. */
int sdnotify(const char *state);
int sdnotifyf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The watchdog interval systemd asks for (WATCHDOG_USEC, when WATCHDOG_PID
 * is unset or ours), in microseconds; 0 when there is none. */
unsigned long long sdnotify_watchdog_usec(void);

#endif
