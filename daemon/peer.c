/*
 * The daemon-to-daemon transport (peer.h): one ssh child per connection,
 * its stdin and stdout one end of a socketpair, its stderr a pipe we keep
 * the tail of, both read by the event loop.  Requests go out as
 * proto_request_new() + proto_serialize() frame them; answers are matched
 * to outstanding calls by id.
 *
 * Children: spawned with posix_spawn (the daemon has threads: no fork), in
 * a session of their own (setsid: ssh cannot open our terminal, and the
 * whole process group can be signalled, a shell wrapper's children too),
 * watched through a pidfd (or, without pidfds, polled) and reaped with
 * waitpid(pid) for that pid only.
 * A child outlives its peer until it is reaped: peer_close() asks it to go
 * (SIGTERM, then SIGKILL after PEER_KILL_MS) and the reaper frees it.
 *
 * Lifetimes: a callback may close its peer, so every event handler holds
 * the peer (pr_busy) and the memory goes only when nobody does.
 *
 * Reuse (ssh_reuse, on by default): a call still runs its own ssh and its
 * own `vrctl proxy`, but through the host's ssh master (OpenSSH's
 * connection multiplexing), so it costs a channel, not a TCP connection,
 * a key exchange and a login.  Chosen over one long-lived `vrctl proxy`
 * per host because nothing above changes (peer_open/peer_call/peer_close,
 * one child per connection, errors from ssh's stderr) and every failure
 * heals by itself: a restarted peer vrouterd is met by the next call's new
 * proxy, and while no master runs ssh connects on its own.  The master is
 * started by us (-M -N, ControlPersist=no), not forked into the background
 * by a first call (ControlMaster=auto + ControlPersist): so it stays our
 * child, reaped through its pidfd like the others, killed when it hangs
 * (a call through it timed out unanswered and it does not answer `ssh -O
 * check` either: a slow call alone must not cut the others through it),
 * told to finish its calls and go (`ssh -O stop`) when a reload changes
 * it, and stopped by peer_fini; one a killed vrouterd left is told to
 * exit at start-up (peer_sweep).  Its socket is SOCKET.ssh/HOSTNAME, in a
 * directory of mode 0700 beside the daemon's socket, short enough for
 * sun_path with ssh's temporary suffix, of characters ssh's ControlPath
 * takes as they are.  The options go between ssh_command and the
 * destination, so only where ssh_command runs ssh itself (its first word
 * is .../ssh); one that names ControlMaster, ControlPath, ControlPersist,
 * -M or -S multiplexes its own way: ours stays out.
 *
 * Over 900 lines on purpose: children, ssh masters, framing and calls are
 * the one transport, sharing struct peer and the child table; the masters
 * (ssh -O check/stop, the sweep) are the part that could stand alone.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "log.h"
#include "peer.h"
#include "util.h"

#define PEER_KILL_MS	    2000 /* SIGTERM -> SIGKILL */
#define PEER_GRACE_MS	    1000 /* after EOF: for ssh's last words and exit */
#define PEER_ERR_MAX	    1024 /* stderr kept (its end) */
#define PEER_POLL_MS	    100	 /* waitpid polls, where there is no pidfd */
#define PEER_MUX_PATH	    104	 /* sun_path's portable size (Linux: 108) */
#define PEER_MUX_TMP	    17 /* ssh binds PATH.XXXXXXXXXXXXXXXX, renames it */
#define PEER_MASTER_GAP_S   2  /* between two spawns of one host's master */
#define PEER_MASTER_TERM_MS 1000 /* at exit: SIGTERM -> SIGKILL */
#define PEER_MUX_MAX	    8 /* calls through one master (sshd: MaxSessions 10) */
#define PEER_PROBE_MS	    2000 /* ssh -O check: a live master answers at once */
#define PEER_SWEEP_MS	    2000 /* at start-up: ssh -O exit on a stale socket */
#define PEER_ALIVE_S	    "10" /* a master's ServerAliveInterval (3 tries) */
#define PEER_MUX_CHARS                                                         \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/"      \
	"._+,:@=-"

extern char **environ;

struct peer_child {
	pid_t pc_pid;
	int pc_pidfd;
	struct event *pc_exit;	       /* the pidfd: the child exited */
	struct event *pc_kill;	       /* SIGKILL when SIGTERM was not enough */
	struct peer *pc_peer;	       /* NULL once the peer is closed */
	struct peer_master *pc_master; /* a host's ssh master: NULL if not */
	struct peer_master *pc_probe;  /* ssh -O check or stop on it */
	struct peer_child *pc_next;
};

/*
 * A host's ssh master (-M -N, ControlPersist=no): our child, so it is
 * reaped, killed when hung and gone when we are.  Calls to the host name
 * its socket (ControlPath, ControlMaster=no): through it while it runs,
 * their own connection (ssh's fallback) while it does not.
 */
struct peer_master {
	char pm_name[64];	     /* the host's name: the socket's */
	char pm_ssh[CONFIG_ARG_LEN]; /* the destination it connects to */
	char pm_cmd[CONFIG_MAX_SSH_ARGS][CONFIG_ARG_LEN]; /* ssh_command */
	int pm_ncmd;
	struct peer_child *pm_child; /* NULL: none; kept until reaped */
	int pm_stopping;	     /* told to go: not to be used */
	int pm_killed;		     /* signalled: its sessions die with it */
	struct timespec pm_spawned;
	struct timespec pm_answer;   /* the last answer through it */
	struct peer_child *pm_probe; /* ssh -O check or stop running */
	const char *pm_probe_cmd;    /* which */
	int pm_users;		     /* open peers that name its socket */
};

struct peer_call {
	struct peer *pc_p;
	int pc_id;
	int pc_timeout_s;
	peer_cb pc_cb;
	void *pc_arg;
	struct event *pc_timer;
	struct peer_call *pc_next;
};

struct peer {
	struct config_host pr_host;
	struct bufferevent *pr_bev;
	int pr_errfd; /* -1 at EOF */
	struct event *pr_errev;
	char pr_err[PEER_ERR_MAX + 1];
	size_t pr_errlen;
	struct peer_child *pr_child; /* NULL once reaped */
	int pr_status;		     /* wait status, -1 until reaped */
	struct peer_call *pr_calls;
	int pr_next_id;
	int pr_eof;		/* no more answers will come */
	struct event *pr_grace; /* after EOF, before failing the calls */
	int pr_busy;		/* event handlers running on it */
	int pr_closed;
	int pr_answered;	  /* an answer came: ssh got through */
	int pr_mux;		  /* through the host's master (if it runs) */
	peer_notify_cb pr_notify; /* the peer's notifications, or NULL */
	void *pr_notify_arg;
};

static struct {
	struct event_base *base;
	struct peer_child *children;
	char muxdir[PEER_MUX_PATH]; /* "": no reuse at all */
	int muxdir_made;
	struct peer_master masters[CONFIG_MAX_HOSTS];
} pd;

void
peer_init(struct event_base *base)
{
	pd.base = base;
}

void
peer_rundir(const char *socket_path)
{
	int n = snprintf(pd.muxdir, sizeof(pd.muxdir), "%s.ssh", socket_path);

	if (n < 0 || (size_t)n >= sizeof(pd.muxdir)) {
		log_warnx("%s.ssh: too long for ssh's control sockets: "
			  "no connection reuse",
			  socket_path);
		pd.muxdir[0] = '\0';
	} else if (pd.muxdir[strspn(pd.muxdir, PEER_MUX_CHARS)] != '\0') {
		/* ssh would split it at a space or expand a '%' */
		log_warnx("%s: a character ssh's ControlPath does not take "
			  "(only A-Z a-z 0-9 and /._+,:@=-): no connection "
			  "reuse",
			  pd.muxdir);
		pd.muxdir[0] = '\0';
	}
}

int
peer_nchildren(void)
{
	int n = 0;

	for (struct peer_child *c = pd.children; c; c = c->pc_next)
		n++;
	return n;
}

/* ---- children ---- */

static void
peer_child_free(struct peer_child *c)
{
	struct peer_child **pp;

	for (pp = &pd.children; *pp != NULL; pp = &(*pp)->pc_next)
		if (*pp == c) {
			*pp = c->pc_next;
			break;
		}
	event_free(c->pc_exit);
	if (c->pc_kill != NULL)
		event_free(c->pc_kill);
	if (c->pc_pidfd != -1)
		close(c->pc_pidfd);
	free(c);
}

static void peer_eof_check(struct peer *p);
static void peer_release(struct peer *p);
static void peer_master_reaped(struct peer_master *m);
static void peer_master_probed(struct peer_master *m, struct peer_child *c,
			       int st);

static void
peer_child_exited(evutil_socket_t fd, short what, void *arg)
{
	struct peer_child *c = arg;
	struct peer *p = c->pc_peer;
	int st;
	pid_t r;

	(void)fd;
	(void)what;
	while ((r = waitpid(c->pc_pid, &st, WNOHANG)) == -1 && errno == EINTR)
		;
	if (r == 0)
		return; /* not yet (a spurious wake-up) */
	if (r == -1) {
		log_warn("%s: waitpid %ld", __func__, (long)c->pc_pid);
		st = -1;
	}
	log_debug("peer child %ld exited (status 0x%x)", (long)c->pc_pid, st);
	if (c->pc_probe != NULL)
		peer_master_probed(c->pc_probe, c, st);
	if (c->pc_master != NULL)
		peer_master_reaped(c->pc_master);
	peer_child_free(c);
	if (p == NULL)
		return;
	p->pr_busy++;
	p->pr_child = NULL;
	p->pr_status = st;
	peer_eof_check(p);
	peer_release(p);
}

static void
peer_child_kill(evutil_socket_t fd, short what, void *arg)
{
	struct peer_child *c = arg;

	(void)fd;
	(void)what;
	log_warnx("peer child %ld still runs: SIGKILL", (long)c->pc_pid);
	(void)kill(-c->pc_pid, SIGKILL);
}

/* Ask a child whose peer is closed to go; the reaper frees it. */
static void
peer_child_stop(struct peer_child *c)
{
	struct timeval tv = {PEER_KILL_MS / 1000, PEER_KILL_MS % 1000 * 1000};

	c->pc_peer = NULL;
	(void)kill(-c->pc_pid, SIGTERM); /* its session's process group */
	c->pc_kill = evtimer_new(pd.base, peer_child_kill, c);
	if (c->pc_kill == NULL || evtimer_add(c->pc_kill, &tv) == -1)
		(void)kill(-c->pc_pid, SIGKILL);
}

void
peer_fini(void)
{
	struct peer_child *c;
	char path[PEER_MUX_PATH + 64];
	int left = 1;

	/* the masters first, and politely: ssh says goodbye to the server
	 * (SIGCONT: a stopped one would not see SIGTERM) */
	for (c = pd.children; c != NULL; c = c->pc_next)
		if (c->pc_master != NULL) {
			(void)kill(-c->pc_pid, SIGTERM);
			(void)kill(-c->pc_pid, SIGCONT);
		}
	for (int t = 0; left && t < PEER_MASTER_TERM_MS / 20; t++) {
		left = 0;
		for (c = pd.children; c != NULL; c = c->pc_next)
			if (c->pc_master != NULL && c->pc_pid != 0) {
				if (waitpid(c->pc_pid, NULL, WNOHANG) ==
				    c->pc_pid)
					c->pc_pid = 0; /* reaped */
				else
					left = 1;
			}
		if (left)
			(void)usleep(20 * 1000);
	}
	while (pd.children != NULL) {
		c = pd.children;
		if (c->pc_pid != 0) {
			(void)kill(-c->pc_pid, SIGKILL);
			while (waitpid(c->pc_pid, NULL, 0) == -1 &&
			       errno == EINTR)
				;
		}
		if (c->pc_peer != NULL)
			c->pc_peer->pr_child = NULL;
		peer_child_free(c);
	}
	for (size_t i = 0; i < nitems(pd.masters); i++) {
		if (pd.masters[i].pm_name[0] != '\0') {
			snprintf(path, sizeof(path), "%s/%s", pd.muxdir,
				 pd.masters[i].pm_name);
			(void)unlink(path);
		}
	}
	memset(pd.masters, 0, sizeof(pd.masters));
	if (pd.muxdir_made && rmdir(pd.muxdir) == -1)
		log_warn("%s: rmdir", pd.muxdir);
	pd.muxdir_made = 0;
}

/* Spawn argv with fd as stdin and stdout and errfd as stderr. */
static struct peer_child *
peer_spawn(char *const argv[], int fd, int errfd, char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	struct timeval poll_tv = {0, PEER_POLL_MS * 1000};
	sigset_t dfl, none;
	struct peer_child *c = NULL;
	pid_t pid;
	int rc, pidfd = -1;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_adddup2(&fa, fd, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, fd, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, errfd, STDERR_FILENO);
	/* our SIGPIPE is ignored, and that would be inherited */
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGCHLD);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID |
					  POSIX_SPAWN_SETSIGDEF |
					  POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0) {
		msgf(err, errlen, "cannot run %s: %s", argv[0], strerror(rc));
		return NULL;
	}
	/* the child cannot be reaped by anyone else: its pid stays its own
	 * until we wait for it, so the pidfd names it.  Without pidfds
	 * (Linux < 5.3, valgrind): waitpid(pid, WNOHANG) on a timer. */
	if ((pidfd = pidfd_open(pid, 0)) == -1 && errno != ENOSYS) {
		msgf(err, errlen, "pidfd_open: %s", strerror(errno));
		goto fail;
	}
	c = xcalloc(1, sizeof(*c));
	c->pc_pid = pid;
	c->pc_pidfd = pidfd;
	if ((c->pc_exit =
		 event_new(pd.base, pidfd, pidfd == -1 ? EV_PERSIST : EV_READ,
			   peer_child_exited, c)) == NULL ||
	    event_add(c->pc_exit, pidfd == -1 ? &poll_tv : NULL) == -1) {
		msgf(err, errlen, "cannot watch the child");
		goto fail;
	}
	c->pc_next = pd.children;
	pd.children = c;
	log_debug("peer child %ld: %s", (long)pid, argv[0]);
	return c;
fail:
	(void)kill(-pid, SIGKILL);
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
	if (c != NULL && c->pc_exit != NULL)
		event_free(c->pc_exit);
	free(c);
	if (pidfd != -1)
		close(pidfd);
	return NULL;
}

/* ---- ssh masters ---- */

/*
 * Ours stay out: ssh_command is not ssh itself (its first word's base name
 * is not "ssh": a wrapper's arguments are its own business, and the
 * options would come where it expects the destination) or it multiplexes
 * by itself.
 */
static int
peer_cmd_has(const char *option)
{
	for (int i = 0; i < conf->nssh_command; i++)
		if (strcasestr(conf->ssh_command[i], option) != NULL)
			return 1;
	return 0;
}

static int
peer_mux_theirs(void)
{
	const char *base = strrchr(conf->ssh_command[0], '/');

	base = base != NULL ? base + 1 : conf->ssh_command[0];
	if (conf->nssh_command < 1 || strcmp(base, "ssh") != 0)
		return 1;
	for (int i = 0; i < conf->nssh_command; i++) {
		const char *w = conf->ssh_command[i];

		if (strncmp(w, "-S", 2) == 0 || strcmp(w, "-M") == 0)
			return 1;
	}
	return peer_cmd_has("ControlMaster") || peer_cmd_has("ControlPath") ||
	       peer_cmd_has("ControlPersist");
}

/* DIR/NAME; -1 when ssh's temporary name beside it would not fit. */
static int
peer_mux_path(const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", pd.muxdir, name);

	return n < 0 || (size_t)n >= len ||
		       (size_t)n + PEER_MUX_TMP >= PEER_MUX_PATH
		   ? -1
		   : 0;
}

/* Run argv (stdio /dev/null) and wait for it, at most PEER_SWEEP_MS: at
 * start-up only, before the event loop runs. */
static void
peer_run(char *const argv[])
{
	struct peer_child *c;
	char err[256];
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), t;

	if (null == -1)
		return;
	c = peer_spawn(argv, null, null, err, sizeof(err));
	close(null);
	if (c == NULL) {
		log_warnx("%s", err);
		return;
	}
	for (t = 0; t < PEER_SWEEP_MS / 20; t++) {
		if (waitpid(c->pc_pid, NULL, WNOHANG) == c->pc_pid)
			break;
		(void)usleep(20 * 1000);
	}
	if (t == PEER_SWEEP_MS / 20) {
		(void)kill(-c->pc_pid, SIGKILL);
		while (waitpid(c->pc_pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	peer_child_free(c);
}

/*
 * Masters left by a vrouterd that did not stop (killed): each told to
 * exit by the ordinary client (ssh -O exit), its socket removed, then the
 * directory.  At start-up, whatever the configuration says now: a master
 * holds a root login to its host open.  ssh_command's ssh if it is plain
 * ssh, else ssh from PATH (-O needs no login).
 */
void
peer_sweep(void)
{
	char *argv[CONFIG_MAX_SSH_ARGS + 8], path[PEER_MUX_PATH + 256];
	char cp[sizeof(path) + 16];
	struct dirent *e;
	struct stat st;
	DIR *d;
	int n = 0;

	if (pd.muxdir[0] == '\0' || lstat(pd.muxdir, &st) == -1)
		return;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		log_warnx("%s: not our own directory: left alone", pd.muxdir);
		return;
	}
	if ((d = opendir(pd.muxdir)) == NULL) {
		log_warn("%s", pd.muxdir);
		return;
	}
	if (peer_mux_theirs())
		argv[n++] = "ssh";
	else
		for (int i = 0; i < conf->nssh_command; i++)
			argv[n++] = conf->ssh_command[i];
	argv[n++] = "-o";
	argv[n++] = cp;
	argv[n++] = "-O";
	argv[n++] = "exit";
	argv[n++] = "stale";
	argv[n] = NULL;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", pd.muxdir, e->d_name);
		snprintf(cp, sizeof(cp), "ControlPath=%s", path);
		log_info("%s: an ssh master left behind: told to exit", path);
		peer_run(argv);
		(void)unlink(path);
	}
	closedir(d);
	if (rmdir(pd.muxdir) == -1)
		log_warn("%s: rmdir", pd.muxdir);
}

/* The sockets' directory: ours, mode 0700, made once. */
static int
peer_mux_dir(void)
{
	struct stat st;

	if (pd.muxdir_made)
		return 0;
	if (mkdir(pd.muxdir, 0700) == -1 && errno != EEXIST) {
		log_warn("%s: mkdir: no connection reuse", pd.muxdir);
		goto fail;
	}
	if (lstat(pd.muxdir, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		log_warnx("%s: not our own directory of mode 0700: no "
			  "connection reuse",
			  pd.muxdir);
		goto fail;
	}
	pd.muxdir_made = 1;
	return 0;
fail:
	pd.muxdir[0] = '\0';
	return -1;
}

static struct peer_master *
peer_master_find(const char *name)
{
	for (size_t i = 0; i < nitems(pd.masters); i++)
		if (strcmp(pd.masters[i].pm_name, name) == 0)
			return &pd.masters[i];
	return NULL;
}

/*
 * `ssh -O CMD` on m's socket, not waited for (the reaper frees it; killed
 * after PEER_PROBE_MS should the master not answer): "check" (is it
 * alive?) or "stop" (take no more calls, exit after the running ones).
 */
static struct peer_child *
peer_master_ctl(struct peer_master *m, const char *cmd)
{
	struct timeval tv = {PEER_PROBE_MS / 1000, PEER_PROBE_MS % 1000 * 1000};
	char *argv[CONFIG_MAX_SSH_ARGS + 8], path[PEER_MUX_PATH + 64];
	char cp[sizeof(path) + 16], err[256];
	struct peer_child *c;
	int n = 0, null;

	for (int i = 0; i < m->pm_ncmd; i++)
		argv[n++] = m->pm_cmd[i];
	snprintf(path, sizeof(path), "%s/%s", pd.muxdir, m->pm_name);
	snprintf(cp, sizeof(cp), "ControlPath=%s", path);
	argv[n++] = "-o";
	argv[n++] = cp;
	argv[n++] = "-O";
	argv[n++] = (char *)cmd;
	argv[n++] = m->pm_ssh;
	argv[n] = NULL;
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
		log_warn("/dev/null");
		return NULL;
	}
	c = peer_spawn(argv, null, null, err, sizeof(err));
	close(null);
	if (c == NULL) {
		log_warnx("host %s: ssh -O %s: %s", m->pm_name, cmd, err);
		return NULL;
	}
	c->pc_kill = evtimer_new(pd.base, peer_child_kill, c);
	if (c->pc_kill == NULL || evtimer_add(c->pc_kill, &tv) == -1)
		(void)kill(-c->pc_pid, SIGKILL);
	return c;
}

/* Kill m's master (reaped later), and with it every call through it: a
 * hung one, which answers neither ssh -O check nor ssh -O stop. */
static void
peer_master_kill(struct peer_master *m, const char *why)
{
	char path[PEER_MUX_PATH + 64];

	if (m->pm_child == NULL || m->pm_killed)
		return;
	log_info("host %s: ssh master %ld stopped: %s", m->pm_name,
		 (long)m->pm_child->pc_pid, why);
	m->pm_stopping = 1;
	m->pm_killed = 1;
	snprintf(path, sizeof(path), "%s/%s", pd.muxdir, m->pm_name);
	(void)unlink(path); /* new calls connect on their own meanwhile */
	(void)kill(-m->pm_child->pc_pid, SIGCONT);
	peer_child_stop(m->pm_child);
}

/* Run `ssh -O cmd` on m's master, its end seen by peer_master_probed. */
static void
peer_master_probe(struct peer_master *m, const char *cmd)
{
	if (m->pm_probe != NULL) /* the answer to that one no longer matters */
		m->pm_probe->pc_probe = NULL;
	if ((m->pm_probe = peer_master_ctl(m, cmd)) == NULL) {
		peer_master_kill(m, "ssh -O could not run");
		return;
	}
	m->pm_probe->pc_probe = m;
	m->pm_probe_cmd = cmd;
}

/*
 * Tell m's master to go without cutting the calls through it (a bench's
 * sink, a migration): `ssh -O stop` (it takes no more, removes its socket
 * and exits when the last one ends; new calls connect on their own
 * meanwhile).  Killed if it does not answer that.
 */
static void
peer_master_stop(struct peer_master *m, const char *why)
{
	if (m->pm_child == NULL || m->pm_stopping)
		return;
	log_info("host %s: ssh master %ld told to stop (ssh -O stop), its "
		 "calls finish first: %s",
		 m->pm_name, (long)m->pm_child->pc_pid, why);
	m->pm_stopping = 1;
	peer_master_probe(m, "stop");
}

static void
peer_master_probed(struct peer_master *m, struct peer_child *c, int st)
{
	if (m->pm_probe != c)
		return;
	m->pm_probe = NULL;
	if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		log_debug("host %s: ssh master answered ssh -O %s", m->pm_name,
			  m->pm_probe_cmd);
	else if (strcmp(m->pm_probe_cmd, "check") == 0)
		peer_master_kill(m, "a call through it timed out unanswered, "
				    "and it did not answer ssh -O check");
	else
		peer_master_kill(m, "it did not answer ssh -O stop");
}

/*
 * A call through m timed out before its connection's first answer: m may
 * hang (stopped, its connection dead), or the peer was only slow.  Unless
 * an answer came through m within that timeout, ask m (ssh -O check, not
 * waited for); killed, with every call through it, if it does not answer
 * within PEER_PROBE_MS; alive, the calls through it go on.
 */
static void
peer_master_suspect(struct peer_master *m, int timeout_s)
{
	struct timespec now;
	long ms;

	if (m->pm_child == NULL || m->pm_stopping || m->pm_probe != NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - m->pm_answer.tv_sec) * 1000 +
	     (now.tv_nsec - m->pm_answer.tv_nsec) / 1000000;
	if (m->pm_answer.tv_sec != 0 && ms < timeout_s * 1000L)
		return; /* answers come through it */
	peer_master_probe(m, "check");
}

static void
peer_master_reaped(struct peer_master *m)
{
	char path[PEER_MUX_PATH + 64];

	/* no other master was started on this path while it ran */
	snprintf(path, sizeof(path), "%s/%s", pd.muxdir, m->pm_name);
	(void)unlink(path);
	if (m->pm_probe != NULL) {
		m->pm_probe->pc_probe = NULL;
		m->pm_probe = NULL;
	}
	m->pm_child = NULL;
	m->pm_stopping = 0;
	m->pm_killed = 0;
	memset(&m->pm_answer, 0, sizeof(m->pm_answer));
	if (config_host_find(conf, m->pm_name) == NULL) {
		m->pm_name[0] = '\0'; /* the slot is free */
		m->pm_users = 0;
	}
}

/*
 * setpriv(1) from PATH, or NULL: a master is spawned through it with
 * --pdeathsig TERM, so that it goes when we do even when we are killed
 * (posix_spawn cannot set a parent-death signal; we spawn from the event
 * loop's thread, which lives as long as we do).  Without it, the next
 * start's peer_sweep ends a master left behind.
 */
static const char *
peer_setpriv(void)
{
	static char found[PATH_MAX];
	static int looked;
	const char *env = getenv("PATH");
	char dirs[4096], *dir, *save = NULL;

	if (looked)
		return found[0] != '\0' ? found : NULL;
	looked = 1;
	vr_strlcpy(dirs, env != NULL ? env : "/usr/bin:/bin", sizeof(dirs));
	for (dir = strtok_r(dirs, ":", &save); dir != NULL;
	     dir = strtok_r(NULL, ":", &save)) {
		int n = snprintf(found, sizeof(found), "%s/setpriv", dir);

		if (n > 0 && (size_t)n < sizeof(found) && *dir == '/' &&
		    access(found, X_OK) == 0)
			return found;
	}
	found[0] = '\0';
	log_debug("no setpriv: an ssh master outlives a killed vrouterd "
		  "until the next start");
	return NULL;
}

static void
peer_master_start(struct peer_master *m, const struct config_host *host,
		  const char *path)
{
	char *argv[CONFIG_MAX_SSH_ARGS + 18], cp[PEER_MUX_PATH + 64 + 16];
	char err[256];
	const char *setpriv = peer_setpriv();
	int n = 0, null;

	if (setpriv != NULL) {
		argv[n++] = (char *)setpriv;
		argv[n++] = "--pdeathsig";
		argv[n++] = "TERM";
		argv[n++] = "--";
	}
	for (int i = 0; i < conf->nssh_command; i++)
		argv[n++] = conf->ssh_command[i];
	snprintf(cp, sizeof(cp), "ControlPath=%s", path);
	argv[n++] = "-o";
	argv[n++] = "ControlMaster=yes";
	argv[n++] = "-o";
	argv[n++] = "ControlPersist=no"; /* no fork: it stays our child */
	if (!peer_cmd_has("ServerAlive")) {
		/* a dead connection ends it (and a call's timeout does
		 * not, while it answers ssh -O check) */
		argv[n++] = "-o";
		argv[n++] = "ServerAliveInterval=" PEER_ALIVE_S;
		argv[n++] = "-o";
		argv[n++] = "ServerAliveCountMax=3";
	}
	argv[n++] = "-o";
	argv[n++] = cp;
	argv[n++] = "-N";
	argv[n++] = (char *)host->ssh;
	argv[n] = NULL;
	vr_strlcpy(m->pm_name, host->name, sizeof(m->pm_name));
	vr_strlcpy(m->pm_ssh, host->ssh, sizeof(m->pm_ssh));
	memcpy(m->pm_cmd, conf->ssh_command, sizeof(m->pm_cmd));
	m->pm_ncmd = conf->nssh_command;
	clock_gettime(CLOCK_MONOTONIC, &m->pm_spawned);
	(void)unlink(path); /* stale: ssh would not listen on it */
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
		log_warn("/dev/null");
		return;
	}
	m->pm_child = peer_spawn(argv, null, null, err, sizeof(err));
	close(null);
	if (m->pm_child == NULL) {
		log_warnx("host %s: ssh master: %s", host->name, err);
		return;
	}
	m->pm_child->pc_master = m;
	log_debug("host %s: ssh master %ld on %s", host->name,
		  (long)m->pm_child->pc_pid, path);
}

/*
 * The socket a call to host goes through (path, 0) or none (-1: reuse is
 * off, or the user's ssh_command multiplexes), its master started when
 * none runs (at most every PEER_MASTER_GAP_S: a host that is down costs
 * no master per call).  Masters of hosts a reload removed or changed go.
 */
static int
peer_mux(const struct config_host *host, char *path, size_t len)
{
	struct peer_master *m;
	struct timespec now;
	int on = conf->ssh_reuse && pd.muxdir[0] != '\0' && !peer_mux_theirs();

	for (size_t i = 0; i < nitems(pd.masters); i++) {
		const struct config_host *h;

		m = &pd.masters[i];
		if (m->pm_child == NULL)
			continue;
		h = config_host_find(conf, m->pm_name);
		if (!on || h == NULL || strcmp(h->ssh, m->pm_ssh) != 0 ||
		    memcmp(m->pm_cmd, conf->ssh_command, sizeof(m->pm_cmd)))
			peer_master_stop(m, "the configuration changed");
	}
	if (!on)
		return -1;
	if (peer_mux_path(host->name, path, len) == -1) {
		log_debug("host %s: %s/%s: too long for a socket", host->name,
			  pd.muxdir, host->name);
		return -1;
	}
	if (peer_mux_dir() == -1)
		return -1;
	if ((m = peer_master_find(host->name)) == NULL &&
	    (m = peer_master_find("")) == NULL)
		return -1; /* no slot: the last ones are still being reaped */
	if (m->pm_users >= PEER_MUX_MAX) {
		/* more sessions would be refused by sshd's MaxSessions */
		log_debug("host %s: %d calls through its master: this one "
			  "on its own connection",
			  host->name, m->pm_users);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (m->pm_child == NULL &&
	    (m->pm_name[0] == '\0' ||
	     now.tv_sec - m->pm_spawned.tv_sec >= PEER_MASTER_GAP_S))
		peer_master_start(m, host, path);
	if (m->pm_name[0] == '\0') /* not started: the slot stays free */
		return -1;
	m->pm_users++;
	return 0;
}

/* ---- messages ---- */

/* "host b (root@198.18.0.2): " + what ssh said, else fallback. */
static void
peer_why(const struct peer *p, const char *fallback, char *buf, size_t len)
{
	char said[PEER_ERR_MAX + 1] = "", *line, *save = NULL;
	char copy[PEER_ERR_MAX + 1];
	size_t n = 0;

	memcpy(copy, p->pr_err, p->pr_errlen + 1);
	for (line = strtok_r(copy, "\r\n", &save); line != NULL;
	     line = strtok_r(NULL, "\r\n", &save)) {
		if (*line == '\0' ||
		    strncmp(line, "Warning: Permanently added", 26) == 0)
			continue;
		n += (size_t)snprintf(said + n, sizeof(said) - n, "%s%s",
				      n ? "; " : "", line);
		if (n >= sizeof(said))
			break;
	}
	if (said[0] != '\0')
		msgf(buf, len, "host %s (%s): %s%s%s", p->pr_host.name,
		     p->pr_host.ssh, fallback ? fallback : "",
		     fallback ? "; it said: " : "", said);
	else
		msgf(buf, len, "host %s (%s): %s", p->pr_host.name,
		     p->pr_host.ssh, fallback ? fallback : "connection closed");
}

/* ---- calls ---- */

static void
peer_call_unlink(struct peer_call *c)
{
	struct peer_call **pp;

	for (pp = &c->pc_p->pr_calls; *pp != NULL; pp = &(*pp)->pc_next)
		if (*pp == c) {
			*pp = c->pc_next;
			break;
		}
	if (c->pc_timer != NULL)
		event_free(c->pc_timer);
}

/* The end of call c: unlinked, its callback called, freed. */
static void
peer_finish(struct peer_call *c, json_object *result, json_object *error,
	    const char *fail)
{
	struct peer *p = c->pc_p;

	peer_call_unlink(c);
	p->pr_busy++;
	c->pc_cb(result, error, fail, c->pc_arg);
	p->pr_busy--;
	free(c);
}

static void
peer_fail_all(struct peer *p, const char *why)
{
	while (p->pr_calls != NULL && !p->pr_closed)
		peer_finish(p->pr_calls, NULL, NULL, why);
}

static void
peer_free(struct peer *p)
{
	struct peer_master *m;

	while (p->pr_calls != NULL) { /* dropped: closed by its owner */
		struct peer_call *c = p->pr_calls;
		peer_call_unlink(c);
		free(c);
	}
	if (p->pr_bev != NULL)
		bufferevent_free(p->pr_bev); /* closes our end: EOF to ssh */
	p->pr_bev = NULL;
	if (p->pr_errev != NULL)
		event_free(p->pr_errev);
	p->pr_errev = NULL;
	if (p->pr_errfd != -1)
		close(p->pr_errfd);
	p->pr_errfd = -1;
	if (p->pr_grace != NULL)
		event_free(p->pr_grace);
	p->pr_grace = NULL;
	if (p->pr_child != NULL)
		peer_child_stop(p->pr_child);
	p->pr_child = NULL;
	if (p->pr_mux && (m = peer_master_find(p->pr_host.name)) != NULL &&
	    m->pm_users > 0)
		m->pm_users--;
	p->pr_mux = 0;
}

/* Drop a reference an event handler held; free a closed, idle peer. */
static void
peer_release(struct peer *p)
{
	if (--p->pr_busy == 0 && p->pr_closed)
		free(p);
}

void
peer_close(struct peer *p)
{
	if (p == NULL || p->pr_closed)
		return;
	p->pr_closed = 1;
	peer_free(p);
	if (p->pr_busy == 0)
		free(p);
}

static void
peer_grace_done(evutil_socket_t fd, short what, void *arg)
{
	struct peer *p = arg;
	char why[1400];

	(void)fd;
	(void)what;
	p->pr_busy++;
	event_free(p->pr_grace);
	p->pr_grace = NULL;
	peer_why(p, NULL, why, sizeof(why));
	peer_fail_all(p, why);
	peer_release(p);
}

/*
 * No more answers (the socket closed, or the child exited): fail what is
 * outstanding once ssh has said its last (stderr closed and exit status
 * known), or after PEER_GRACE_MS.
 */
static void
peer_eof_check(struct peer *p)
{
	struct timeval tv = {0, PEER_GRACE_MS * 1000};
	char why[1400], fb[64];

	if (p->pr_closed || (!p->pr_eof && p->pr_child != NULL) ||
	    p->pr_calls == NULL)
		return;
	/* the child gone but not the socket: an answer may still be in it */
	if (p->pr_eof && p->pr_errfd == -1 && p->pr_child == NULL) {
		if (WIFEXITED(p->pr_status) && WEXITSTATUS(p->pr_status))
			snprintf(fb, sizeof(fb), "exited with status %d%s",
				 WEXITSTATUS(p->pr_status),
				 WEXITSTATUS(p->pr_status) == 127
				     ? " (command not found)"
				     : "");
		else if (WIFSIGNALED(p->pr_status))
			snprintf(fb, sizeof(fb), "killed by signal %d",
				 WTERMSIG(p->pr_status));
		else
			snprintf(fb, sizeof(fb), "connection closed");
		peer_why(p, p->pr_errlen ? NULL : fb, why, sizeof(why));
		peer_fail_all(p, why);
		return;
	}
	if (p->pr_grace == NULL &&
	    (p->pr_grace = evtimer_new(pd.base, peer_grace_done, p)) != NULL)
		evtimer_add(p->pr_grace, &tv);
}

static void
peer_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct peer_call *c = arg;
	struct peer *p = c->pc_p;
	struct peer_master *m;
	char why[1400], fb[64];

	(void)fd;
	(void)what;
	p->pr_busy++;
	/* nothing ever came back: the master may hang (stopped, its
	 * connection dead); the next call after it starts another */
	if (p->pr_mux && !p->pr_answered &&
	    (m = peer_master_find(p->pr_host.name)) != NULL)
		peer_master_suspect(m, c->pc_timeout_s);
	snprintf(fb, sizeof(fb), "timed out after %d s", c->pc_timeout_s);
	peer_why(p, fb, why, sizeof(why));
	peer_finish(c, NULL, NULL, why);
	peer_release(p);
}

/* The protocol broke (an answer that is not one): the connection is
 * useless, every call fails with what. */
static void
peer_broken(struct peer *p, const char *what)
{
	char why[1400];

	msgf(why, sizeof(why), "host %s (%s): %s", p->pr_host.name,
	     p->pr_host.ssh, what);
	p->pr_eof = 1;
	bufferevent_disable(p->pr_bev, EV_READ | EV_WRITE);
	peer_fail_all(p, why);
}

static void
peer_line(struct peer *p, const char *line)
{
	json_object *msg, *id, *v;
	struct peer_master *m;
	struct peer_call *c;
	char what[160];

	msg = json_tokener_parse(line);
	if (msg == NULL || !json_object_is_type(msg, json_type_object)) {
		msgf(what, sizeof(what), "not a vrouterd answer: \"%.80s\"",
		     line);
		json_object_put(msg);
		peer_broken(p, what);
		return;
	}
	if (!json_object_object_get_ex(msg, "id", &id) ||
	    !json_object_is_type(id, json_type_int)) {
		/* a notification (progress): to whoever listens */
		if (p->pr_notify != NULL &&
		    json_object_object_get_ex(msg, "method", &v) &&
		    json_object_is_type(v, json_type_string))
			p->pr_notify(json_object_get_string(v),
				     json_object_object_get(msg, "params"),
				     p->pr_notify_arg);
		json_object_put(msg);
		return;
	}
	p->pr_answered = 1;
	if (p->pr_mux && (m = peer_master_find(p->pr_host.name)) != NULL)
		clock_gettime(CLOCK_MONOTONIC, &m->pm_answer);
	for (c = p->pr_calls; c != NULL; c = c->pc_next)
		if (c->pc_id == json_object_get_int(id))
			break;
	if (c == NULL) { /* a call that timed out meanwhile */
		log_debug("host %s: answer to id %d, which nobody awaits",
			  p->pr_host.name, json_object_get_int(id));
	} else if (json_object_object_get_ex(msg, "error", &v) &&
		   json_object_is_type(v, json_type_object))
		peer_finish(c, NULL, v, NULL);
	else if (json_object_object_get_ex(msg, "result", &v))
		peer_finish(c, v, NULL, NULL);
	else
		peer_broken(p, "an answer with neither result nor error");
	json_object_put(msg);
}

static void
peer_read(struct bufferevent *bev, void *arg)
{
	struct peer *p = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char *line;
	size_t n;

	p->pr_busy++;
	while (!p->pr_closed && !p->pr_eof &&
	       (line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) != NULL) {
		if (n > PROTO_MAX_LINE)
			peer_broken(p, "an answer longer than the protocol "
				       "allows");
		else
			peer_line(p, line);
		free(line);
	}
	if (!p->pr_closed && !p->pr_eof &&
	    evbuffer_get_length(in) > PROTO_MAX_LINE)
		peer_broken(p, "an answer longer than the protocol allows");
	peer_release(p);
}

static void
peer_event(struct bufferevent *bev, short what, void *arg)
{
	struct peer *p = arg;

	(void)bev;
	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	p->pr_busy++;
	if (what & BEV_EVENT_ERROR)
		log_debug("host %s: %s", p->pr_host.name, strerror(errno));
	p->pr_eof = 1;
	bufferevent_disable(p->pr_bev, EV_READ | EV_WRITE);
	peer_eof_check(p);
	peer_release(p);
}

/* ssh's stderr: keep its last PEER_ERR_MAX bytes. */
static void
peer_stderr(evutil_socket_t fd, short what, void *arg)
{
	struct peer *p = arg;
	char buf[512];
	ssize_t n;

	(void)what;
	n = read(fd, buf, sizeof(buf));
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	p->pr_busy++;
	if (n <= 0) {
		event_free(p->pr_errev);
		p->pr_errev = NULL;
		close(p->pr_errfd);
		p->pr_errfd = -1;
		peer_eof_check(p);
	} else {
		size_t k = (size_t)n;

		if (k > PEER_ERR_MAX) /* cannot be; keeps the bounds plain */
			k = PEER_ERR_MAX;
		if (p->pr_errlen + k > PEER_ERR_MAX) {
			size_t drop = p->pr_errlen + k - PEER_ERR_MAX;
			memmove(p->pr_err, p->pr_err + drop,
				p->pr_errlen - drop);
			p->pr_errlen -= drop;
		}
		memcpy(p->pr_err + p->pr_errlen, buf, k);
		p->pr_errlen += k;
		p->pr_err[p->pr_errlen] = '\0';
		log_debug("host %s: ssh: %.*s", p->pr_host.name, (int)n, buf);
	}
	peer_release(p);
}

/* ---- connections ---- */

static int
peer_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl == -1 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

struct peer *
peer_open(const struct config_host *host, char *err, size_t errlen)
{
	char *argv[CONFIG_MAX_SSH_ARGS + 10], why[512];
	char path[PEER_MUX_PATH + 64], cp[sizeof(path) + 16];
	int sv[2] = {-1, -1}, ep[2] = {-1, -1}, n = 0;
	struct peer *p = xcalloc(1, sizeof(*p));

	p->pr_host = *host;
	p->pr_errfd = -1;
	p->pr_status = -1;
	p->pr_next_id = 1;
	for (int i = 0; i < conf->nssh_command; i++)
		argv[n++] = conf->ssh_command[i];
	if (peer_mux(host, path, sizeof(path)) == 0) {
		/* through the master if it runs, else (no socket) ssh
		 * connects by itself */
		snprintf(cp, sizeof(cp), "ControlPath=%s", path);
		argv[n++] = "-o";
		argv[n++] = "ControlMaster=no";
		argv[n++] = "-o";
		argv[n++] = cp;
		p->pr_mux = 1;
	}
	argv[n++] = p->pr_host.ssh;
	argv[n++] = "vrctl";
	argv[n++] = "proxy";
	argv[n++] = "--socket";
	argv[n++] = p->pr_host.socket;
	argv[n] = NULL;
	/* blocking for the child; our ends are made non-blocking below */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1 ||
	    pipe2(ep, O_CLOEXEC) == -1) {
		msgf(why, sizeof(why), "socketpair: %s", strerror(errno));
		goto fail;
	}
	if (peer_nonblock(sv[0]) == -1 || peer_nonblock(ep[0]) == -1) {
		msgf(why, sizeof(why), "O_NONBLOCK: %s", strerror(errno));
		goto fail;
	}
	if ((p->pr_child = peer_spawn(argv, sv[1], ep[1], why, sizeof(why))) ==
	    NULL)
		goto fail;
	p->pr_child->pc_peer = p;
	close(sv[1]);
	close(ep[1]);
	sv[1] = ep[1] = -1;
	p->pr_errfd = ep[0];
	ep[0] = -1;
	if ((p->pr_errev = event_new(pd.base, p->pr_errfd, EV_READ | EV_PERSIST,
				     peer_stderr, p)) == NULL ||
	    event_add(p->pr_errev, NULL) == -1 ||
	    (p->pr_bev = bufferevent_socket_new(
		 pd.base, sv[0], BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		msgf(why, sizeof(why), "cannot watch the connection");
		goto fail;
	}
	sv[0] = -1;
	bufferevent_setcb(p->pr_bev, peer_read, NULL, peer_event, p);
	bufferevent_enable(p->pr_bev, EV_READ | EV_WRITE);
	return p;
fail:
	msgf(err, errlen, "host %s (%s): %s", host->name, host->ssh, why);
	for (int i = 0; i < 2; i++) {
		if (sv[i] != -1)
			close(sv[i]);
		if (ep[i] != -1)
			close(ep[i]);
	}
	p->pr_closed = 1;
	peer_free(p);
	free(p);
	return NULL;
}

/* A call on a connection that is gone: failed now or after the grace;
 * 0 while it waits for that, -1 when its callback has run. */
static int
peer_call_gone(struct peer *p, struct peer_call *c)
{
	int waiting = 0;

	p->pr_busy++;
	peer_eof_check(p);
	for (struct peer_call *x = p->pr_calls; x != NULL; x = x->pc_next)
		waiting |= x == c;
	peer_release(p);
	return waiting ? 0 : -1;
}

void
peer_set_notify(struct peer *p, peer_notify_cb cb, void *arg)
{
	p->pr_notify = cb;
	p->pr_notify_arg = arg;
}

int
peer_call(struct peer *p, enum proto_method_id method, json_object *params,
	  int timeout_s, peer_cb cb, void *arg)
{
	struct timeval tv = {timeout_s, 0};
	struct peer_call *c = xcalloc(1, sizeof(*c));
	json_object *req;
	char *out;
	size_t len;

	c->pc_p = p;
	c->pc_id = p->pr_next_id++;
	c->pc_cb = cb;
	c->pc_arg = arg;
	c->pc_timeout_s = timeout_s;
	c->pc_next = p->pr_calls;
	p->pr_calls = c;
	if (p->pr_eof) {
		json_object_put(params);
		return peer_call_gone(p, c);
	}
	req = proto_request_new(c->pc_id, proto_method_name(method), params);
	out = proto_serialize(req, &len);
	json_object_put(req);
	if (bufferevent_write(p->pr_bev, out, len) == -1) {
		free(out);
		p->pr_eof = 1;
		bufferevent_disable(p->pr_bev, EV_READ | EV_WRITE);
		return peer_call_gone(p, c);
	}
	free(out);
	if (timeout_s > 0 &&
	    ((c->pc_timer = evtimer_new(pd.base, peer_timeout, c)) == NULL ||
	     evtimer_add(c->pc_timer, &tv) == -1))
		log_warnx("host %s: cannot arm the call's timeout",
			  p->pr_host.name);
	return 0;
}
