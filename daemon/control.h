/*
 * The control socket: listening, clients, line framing, bounds (line length,
 * client count, idle timeout, output buffer), peer credentials, and the
 * struct rpc_req of rpc.h handed to the dispatcher.
 */
#ifndef VR_CONTROL_H
#define VR_CONTROL_H

#include <event2/event.h>

/*
 * Create the socket at path (its directory 0755 when missing; a stale
 * socket is replaced, a live one is an error), mode and group from conf,
 * and the read-only socket at ro_path (mode 0666) unless ro_path is NULL.
 * A socket the service manager passed for a path (LISTEN_FDS) is used
 * instead of binding one.  0, or -1 with the reason logged.
 */
int control_init(struct event_base *base, const char *path,
		 const char *ro_path);
/* Listen and start accepting: until then a client's connect is refused
 * (the daemon reads its state first, it never keeps one waiting). */
int control_listen(void);
/* conf changed (reload): group, mode, idle timeout. */
void control_reconfigure(void);
/* Stop accepting and reading new requests; replies in flight still go. */
void control_stop_accept(void);
/*
 * Close every client once its pending replies are written, then call
 * done(arg) from the loop; gives up waiting after timeout_ms.
 */
void control_drain(int timeout_ms, void (*done)(void *), void *arg);
/* Close everything, unlink the socket. */
void control_cleanup(void);

int control_nclients(void);

#endif
