/*
 * sd_notify(3)'s datagram protocol, without libsystemd: a no-op unless
 * NOTIFY_SOCKET names a socket (path or "@abstract"); and the sockets a
 * service manager passes (LISTEN_FDS).
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

/*
 * Socket activation, sd_listen_fds(3)'s protocol: when LISTEN_PID is ours,
 * fds 3 .. 3+LISTEN_FDS-1 are listening sockets passed by the service
 * manager (read once; the variables are then unset so children do not
 * see them).  sdnotify_listen_take returns the passed AF_UNIX socket bound
 * to path (getsockname) and takes it from the set, or -1;
 * sdnotify_listen_close_rest closes, with a warning, the ones no one took.
 */
int sdnotify_listen_take(const char *path);
void sdnotify_listen_close_rest(void);

#endif
