/*
 * vrouterd: flags, configuration, daemonising, the event loop and its
 * signals.  Everything else lives in control.c, dispatch.c, methods.c and
 * the supervisor.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "config.h"
#include "control.h"
#include "log.h"
#include "methods.h"
#include "peer.h"
#include "proto.h"
#include "sdnotify.h"
#include "statedir.h"
#include "supervisor.h"
#include "util.h"
#include "vr_build.h"

#define MAIN_DRAIN_MS 5000

static struct {
	struct event_base *base;
	struct event *ev_sig[3];
	struct event *ev_watchdog;
	int shutting_down;
	const char *pidfile;
} vd;

/* WATCHDOG=1 from the loop itself: a stuck loop stops the pings. */
static void
main_watchdog(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	sdnotify("WATCHDOG=1");
}

static void
main_watchdog_init(void)
{
	unsigned long long usec = sdnotify_watchdog_usec() / 2;
	struct timeval tv = {usec / 1000000, usec % 1000000};

	if (usec == 0)
		return;
	vd.ev_watchdog =
	    event_new(vd.base, -1, EV_PERSIST, main_watchdog, NULL);
	if (vd.ev_watchdog == NULL || event_add(vd.ev_watchdog, &tv) == -1)
		log_warnx("cannot arm the systemd watchdog");
	else
		log_debug("systemd watchdog: WATCHDOG=1 every %llu ms",
			  usec / 1000);
}

static __attribute__((noreturn)) void
usage(FILE *f, int code)
{
	fprintf(f,
		"usage: vrouterd [-dfn] [-c config] [-s socket] [-p pidfile]\n"
		"\n"
		"  -f, --foreground      stay in the foreground, log to "
		"stderr\n"
		"  -s, --socket PATH     control socket (default $%s or %s)\n"
		"  -c, --config PATH     configuration file (default %s)\n"
		"  -d, --debug           log debug messages\n"
		"  -n, --check-config    check the configuration and exit\n"
		"  -p, --pidfile PATH    write the daemon's pid there\n"
		"  -V, --version         print the version and exit\n"
		"  -h, --help            this text\n",
		PROTO_SOCKET_ENV, PROTO_DEFAULT_SOCKET, CONFIG_DEFAULT_PATH);
	exit(code);
}

static void
main_drained(void *arg)
{
	(void)arg;
	event_base_loopexit(vd.base, NULL);
}

static void
main_sup_done(void *arg)
{
	(void)arg;
	log_debug("supervisor stopped; flushing replies");
	control_drain(MAIN_DRAIN_MS, main_drained, NULL);
}

static void
main_signal(evutil_socket_t sig, short ev, void *arg)
{
	char err[1024];

	(void)ev;
	(void)arg;
	switch (sig) {
	case SIGHUP:
		log_info("SIGHUP: reloading the configuration");
		methods_reload_config(err, sizeof(err));
		break;
	case SIGTERM:
	case SIGINT:
		if (vd.shutting_down) {
			log_info("%s: already shutting down", strsignal(sig));
			break;
		}
		vd.shutting_down = 1;
		log_info("%s: shutting down", strsignal(sig));
		sdnotify("STOPPING=1");
		control_stop_accept();
		sup_shutdown(main_sup_done, NULL);
		break;
	}
}

/*
 * Fork; the parent waits until the child says the socket is ready (exit 0)
 * or dies (exit 1), so that `vrouterd && vrctl status` works.  Returns the
 * pipe the child writes to.
 */
static int
main_daemonize(void)
{
	int p[2];
	char c = 0; /* stays 0 when the child dies without a word */
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		fatal("pipe2");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid > 0) {
		close(p[1]);
		while (read(p[0], &c, 1) == -1 && errno == EINTR)
			;
		_exit(c == 'R' ? 0 : 1);
	}
	close(p[0]);
	if (setsid() == -1)
		fatal("setsid");
	if (chdir("/") == -1)
		fatal("chdir /");
	return p[1];
}

static void
main_detach(int ready_fd, int debug)
{
	int fd;

	if (write(ready_fd, "R", 1) != 1)
		log_warn("telling the parent we are ready");
	close(ready_fd);
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	log_init(0, debug, "vrouterd");
}

/* The read-only socket of conf->socket_ro: NULL when "off" (or, said, when
 * the derived path does not fit). */
static const char *
main_ro_path(const char *socket_path, char *buf, size_t len)
{
	if (strcmp(conf->socket_ro, "off") == 0)
		return NULL;
	if (strcmp(conf->socket_ro, "auto") != 0) /* a reload may change it */
		return vr_strlcpy(buf, conf->socket_ro, len) < len ? buf : NULL;
	if (proto_socket_ro_path(socket_path, buf, len) == -1) {
		log_warnx("%s: no room for the read-only socket's name beside "
			  "it; set socket_ro",
			  socket_path);
		return NULL;
	}
	return buf;
}

static int
main_pidfile(const char *path)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (file_write_atomic(path, buf, (size_t)n, 0644) == -1) {
		log_warn("pid file %s", path);
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
	    {"foreground", no_argument, NULL, 'f'},
	    {"socket", required_argument, NULL, 's'},
	    {"config", required_argument, NULL, 'c'},
	    {"debug", no_argument, NULL, 'd'},
	    {"check-config", no_argument, NULL, 'n'},
	    {"pidfile", required_argument, NULL, 'p'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	const char *socket_path = getenv(PROTO_SOCKET_ENV);
	const char *config_path = CONFIG_DEFAULT_PATH;
	int foreground = 0, debug = 0, check = 0, missing_ok = 1;
	int ready_fd = -1, ch, rv = 1;
	char err[1024], ro_buf[PATH_MAX];
	const char *ro_path;

	while ((ch = getopt_long(argc, argv, "fs:c:dnp:Vh", longopts, NULL)) !=
	       -1) {
		switch (ch) {
		case 'f':
			foreground = 1;
			break;
		case 's':
			socket_path = optarg;
			break;
		case 'c':
			config_path = optarg;
			missing_ok = 0;
			break;
		case 'd':
			debug = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'p':
			vd.pidfile = optarg;
			break;
		case 'V':
			printf("vrouterd %s (protocol %d)\n", VROUTERD_VERSION,
			       PROTO_VERSION);
			return 0;
		case 'h':
			usage(stdout, 0);
		default:
			usage(stderr, 2);
		}
	}
	if (optind != argc)
		usage(stderr, 2);
	if (socket_path == NULL || *socket_path == '\0')
		socket_path = PROTO_DEFAULT_SOCKET;

	log_init(1, debug, "vrouterd");
	config_init();
	if (config_load(config_path, missing_ok, conf, err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "vrouterd: %s\n", err);
		return 1;
	}
	if (check) {
		printf("configuration OK\n");
		return 0;
	}
	log_setverbose(debug || conf->debug);

	if (!foreground)
		ready_fd = main_daemonize();
	signal(SIGPIPE, SIG_IGN);
	if ((vd.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	for (size_t i = 0; i < nitems(sigs); i++) {
		vd.ev_sig[i] =
		    evsignal_new(vd.base, sigs[i], main_signal, NULL);
		if (vd.ev_sig[i] == NULL || evsignal_add(vd.ev_sig[i], NULL))
			fatalx("evsignal_new");
	}
	if ((ro_path = main_ro_path(socket_path, ro_buf, sizeof(ro_buf))) ==
		NULL &&
	    strcmp(conf->socket_ro, "off") != 0)
		goto done;
	methods_init(socket_path, ro_path, config_path, missing_ok);
	peer_init(vd.base);
	peer_rundir(socket_path);
	/* One daemon per state directory: locked before anything is adopted
	 * (a second one is refused, naming the holder). */
	if (statedir_open(conf->state_dir, socket_path, err, sizeof(err)) ==
	    -1) {
		log_warnx("%s", err);
		goto done;
	}
	/* State is read (adoption) before the socket listens: a client never
	 * waits on a daemon that is not answering yet. */
	if (control_init(vd.base, socket_path, ro_path) == -1)
		goto done;
	peer_sweep(); /* the socket is ours: so are the masters beside it */
	if (sup_init(vd.base) == -1 || control_listen() == -1) {
		log_warnx("start-up failed");
		control_cleanup();
		goto done;
	}
	if (vd.pidfile != NULL && main_pidfile(vd.pidfile) == -1)
		goto fail;
	log_info("vrouterd %s listening on %s%s%s (pid %ld)", VROUTERD_VERSION,
		 socket_path, ro_path ? " and read-only on " : "",
		 ro_path ? ro_path : "", (long)getpid());
	if (sdnotifyf("READY=1\nMAINPID=%ld\nSTATUS=listening on %s",
		      (long)getpid(), socket_path) == -1)
		log_warn("sd_notify");
	main_watchdog_init();
	if (ready_fd != -1) {
		main_detach(ready_fd, debug || conf->debug);
		ready_fd = -1;
	}

	event_base_dispatch(vd.base);
	log_info("exiting");
	rv = 0;
fail:
	control_cleanup();
	if (vd.pidfile != NULL)
		unlink(vd.pidfile);
	sup_fini();
	peer_fini();
done:
	statedir_close();
	for (size_t i = 0; i < nitems(sigs); i++)
		if (vd.ev_sig[i] != NULL)
			event_free(vd.ev_sig[i]);
	if (vd.ev_watchdog != NULL)
		event_free(vd.ev_watchdog);
	event_base_free(vd.base);
	libevent_global_shutdown();
	return rv;
}
