/*
 * `bench_sink`, between vrouterds: the receiving end of a bench whose out
 * port is on this host while another host's vrouterd sends into the in
 * port there: the coordinator, or the in port's host a coordinator passed
 * the bench on to (bench.c, bench_fwd.c, docs/multihost.md "Benchmarks").
 * "open" starts `vrgen sink --serve` in the out port's namespace here and is
 * answered only when that sink ends; "line" passes one of the sending vrgen's
 * lines to it and answers its reply (vrgen_trial.c says what the lines are:
 * start a trial's run, stop it once drained with the counts, hand over
 * its timeline, read the sink's clock); "close" ends it.  One at a time per
 * host.  The sink lives no longer than the connection that opened it: when the
 * caller is gone (its SSH session ended, its vrouterd died) the sink is killed
 * within a second, and the sink itself exits at EOF on its stdin, so it also
 * ends with this vrouterd.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "config.h"
#include "log.h"
#include "proto.h"
#include "sup_run.h"
#include "util.h"

#define BS_LINE_MAX (PROTO_MAX_LINE / 2) /* a timeline's bins, escaped */

static struct {
	pid_t pid; /* 0: no sink */
	int in, out, err;
	struct event *ev_out, *ev_tick;
	struct rpc_req *open_req; /* answered when the sink ends */
	struct rpc_req *line_req; /* waits for the sink's next line */
	char name[TOPO_NAME_LEN + 1];
	char buf[BS_LINE_MAX];
	size_t len;
} bs = {.in = -1, .out = -1, .err = -1};

/* What the sink said on stderr (its last 1 KiB at most). */
static void
bs_stderr(char *msg, size_t len)
{
	ssize_t n;
	size_t l = 0;

	msg[0] = '\0';
	while (bs.err != -1 && l < len - 1 &&
	       (n = read(bs.err, msg + l, len - 1 - l)) > 0)
		l += n;
	msg[l] = '\0';
	while (l && msg[l - 1] == '\n')
		msg[--l] = '\0';
}

/* The sink is done (or made to be): reap it, answer whoever waits. */
/* A sink that did not end after SIGKILL: waitpid(WNOHANG) each second
 * until it has, so the loop never blocks on it and no zombie stays. */
struct bs_zombie {
	pid_t pid;
	struct event *ev;
};

static void
bs_zombie_tick(evutil_socket_t fd, short what, void *arg)
{
	struct bs_zombie *z = arg;
	int st;

	(void)fd;
	(void)what;
	if (waitpid(z->pid, &st, WNOHANG) == 0)
		return;
	event_free(z->ev);
	free(z);
}

static void
bs_reap_later(pid_t pid)
{
	struct bs_zombie *z = xcalloc(1, sizeof(*z));
	struct timeval tv = {1, 0};

	z->pid = pid;
	if ((z->ev = event_new(sup_base, -1, EV_PERSIST, bs_zombie_tick, z)) ==
	    NULL) {
		free(z); /* no event: init reaps it once vrouterd exits */
		return;
	}
	event_add(z->ev, &tv);
}

static void
bs_end(int sig)
{
	char msg[1024];
	int st = 0, code;

	if (bs.pid == 0)
		return;
	if (sig)
		kill(bs.pid, sig);
	if (bs.in != -1)
		close(bs.in); /* the sink exits at EOF */
	bs.in = -1;
	for (int i = 0; i < 200; i++) { /* 2 s, then SIGKILL */
		if (waitpid(bs.pid, &st, WNOHANG) == bs.pid)
			goto reaped;
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	kill(bs.pid, SIGKILL);
	for (int i = 0; i < 100; i++) { /* 1 s more */
		if (waitpid(bs.pid, &st, WNOHANG) == bs.pid)
			goto reaped;
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	/* stuck in the kernel (a netns or AF_XDP teardown): reaped later,
	 * off the loop's back */
	log_warnx("%s: bench sink (vrgen) pid %d does not end after SIGKILL; "
		  "reaped when it does",
		  bs.name, (int)bs.pid);
	bs_reap_later(bs.pid);
	st = SIGKILL; /* reported as killed */
reaped:
	bs.pid = 0;
	code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	bs_stderr(msg, sizeof(msg));
	event_free(bs.ev_out);
	event_free(bs.ev_tick);
	bs.ev_out = bs.ev_tick = NULL;
	close(bs.out);
	close(bs.err);
	bs.out = bs.err = -1;
	log_info("%s: bench sink (vrgen) ended with %d%s%s", bs.name, code,
		 msg[0] ? ": " : "", msg);
	if (bs.line_req)
		rpc_error(bs.line_req, PROTO_E_START, NULL,
			  "host %s: the bench's sink (vrgen) ended with %d: %s",
			  conf->host_name, code, msg[0] ? msg : "(no message)");
	bs.line_req = NULL;
	if (bs.open_req) {
		json_object *res = json_object_new_object();

		json_object_object_add(res, "exit", json_object_new_int(code));
		json_object_object_add(res, "stderr",
				       json_object_new_string(msg));
		rpc_reply(bs.open_req, res);
	}
	bs.open_req = NULL;
}

static void
bs_readable(evutil_socket_t fd, short what, void *arg)
{
	ssize_t n;
	char *nl;

	(void)what;
	(void)arg;
	n = read(fd, bs.buf + bs.len, sizeof(bs.buf) - 1 - bs.len);
	if (n <= 0) {
		bs_end(0);
		return;
	}
	bs.len += n;
	while ((nl = memchr(bs.buf, '\n', bs.len)) != NULL) {
		json_object *res;

		*nl = '\0';
		if (bs.line_req) {
			res = json_object_new_object();
			json_object_object_add(res, "line",
					       json_object_new_string(bs.buf));
			rpc_reply(bs.line_req, res);
			bs.line_req = NULL;
		} else
			log_debug("%s: bench sink: %s", bs.name, bs.buf);
		bs.len -= nl + 1 - bs.buf;
		memmove(bs.buf, nl + 1, bs.len);
	}
	if (bs.len == sizeof(bs.buf) - 1)
		bs.len = 0; /* a line that long is not vrgen's */
}

/* Every second: is the caller still there? */
static void
bs_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (bs.open_req && !rpc_connected(bs.open_req)) {
		log_info("%s: the bench's sender went away: stopping its sink",
			 bs.name);
		bs_end(SIGTERM);
	}
}

static int
bs_open(json_object *params, char *err, size_t errlen)
{
	const char *name = bench_pstr(params, "name", "");
	int flows = bench_pint(params, "flows", 1);
	/* a timeline: its bins over the duration, on this host's clock */
	int bin_ms = bench_pint(params, "bin_ms", 0);
	int dur = bench_pint(params, "duration", 0);
	char bm[16], du[16];
	int in[2] = {-1, -1}, out[2] = {-1, -1}, er[2] = {-1, -1};
	char vrgen[PATH_MAX], fl[16];
	const struct topo_port *p;
	struct timeval sec = {1, 0};
	struct run *r;
	pid_t pid;

	if ((r = sup_run_find(name)) == NULL || r->state != RUN_RUNNING) {
		msgf(err, errlen, "no running topology named %s here", name);
		return PROTO_E_NOT_FOUND;
	}
	p = &r->plan->ports[1];
	if (p->host_if[0] == '\0' || !p->created || p->netns[0] == '\0') {
		msgf(err, errlen, "%s: its out port is not a test port here",
		     name);
		return PROTO_E_TOPOLOGY;
	}
	if (bench_find_vrgen(vrgen, sizeof(vrgen)) == -1) {
		msgf(err, errlen, "vrgen not found (install it with vrouterd)");
		return PROTO_E_INTERNAL;
	}
	msgf(fl, sizeof(fl), "%d", flows);
	msgf(bm, sizeof(bm), "%d", bin_ms);
	msgf(du, sizeof(du), "%d", dur);
	if (pipe2(in, O_CLOEXEC) == -1 || pipe2(out, O_CLOEXEC) == -1 ||
	    pipe2(er, O_CLOEXEC) == -1 || (pid = fork()) == -1) {
		msgf(err, errlen, "cannot run vrgen: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		char *argv[] = {vrgen,
				"sink",
				"--serve",
				"--netns",
				(char *)p->netns,
				"--dev",
				(char *)p->ns_if,
				"--flows",
				fl,
				bin_ms > 0 ? "--bin-ms" : NULL,
				bm,
				"--duration",
				du,
				NULL};

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(er[1], STDERR_FILENO);
		execv(vrgen, argv);
		dprintf(STDERR_FILENO, "exec %s: %s\n", vrgen, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(er[1]);
	fcntl(er[0], F_SETFL, O_NONBLOCK);
	bs.pid = pid;
	bs.in = in[1];
	bs.out = out[0];
	bs.err = er[0];
	bs.len = 0;
	vr_strlcpy(bs.name, name, sizeof(bs.name));
	bs.ev_out = event_new(sup_base, bs.out, EV_READ | EV_PERSIST,
			      bs_readable, NULL);
	bs.ev_tick = event_new(sup_base, -1, EV_PERSIST, bs_tick, NULL);
	event_add(bs.ev_out, NULL);
	event_add(bs.ev_tick, &sec);
	log_info("%s: bench sink (vrgen) on %s in %s for another host's sender",
		 name, p->ns_if, p->netns);
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] != -1)
			close(in[i]);
		if (out[i] != -1)
			close(out[i]);
		if (er[i] != -1)
			close(er[i]);
	}
	return PROTO_E_INTERNAL;
}

void
bench_sink_method(struct rpc_req *req)
{
	json_object *params = rpc_params(req);
	const char *op =
	    json_object_get_string(json_object_object_get(params, "op"));
	const char *name =
	    json_object_get_string(json_object_object_get(params, "name"));
	const char *line;
	char err[512];
	int code;

	if (strcmp(op, "open") == 0) {
		if (bs.pid != 0 && bs.open_req && rpc_connected(bs.open_req)) {
			rpc_error(req, PROTO_E_BUSY, NULL,
				  "host %s: a bench's sink runs here already "
				  "(for %s)",
				  conf->host_name, bs.name);
			return;
		}
		bs_end(SIGTERM); /* an orphan whose caller went */
		if ((code = bs_open(params, err, sizeof(err))) != 0) {
			rpc_error(req, code, NULL, "host %s: %s",
				  conf->host_name, err);
			return;
		}
		bs.open_req = req; /* answered when the sink ends */
		return;
	}
	if (bs.pid == 0 || strcmp(name, bs.name) != 0 ||
	    !rpc_same_client(req, bs.open_req)) {
		if (strcmp(op, "close") == 0) {
			rpc_reply(req, json_object_new_object());
			return;
		}
		rpc_error(req, PROTO_E_NOT_FOUND, NULL,
			  "host %s: no bench sink of this caller for %s here",
			  conf->host_name, name);
		return;
	}
	if (strcmp(op, "close") == 0) {
		bs_end(SIGTERM);
		rpc_reply(req, json_object_new_object());
		return;
	}
	if (bs.line_req != NULL) {
		rpc_error(req, PROTO_E_BUSY, NULL,
			  "host %s: the sink has not answered the last line",
			  conf->host_name);
		return;
	}
	line = json_object_get_string(json_object_object_get(params, "line"));
	if (line == NULL || strchr(line, '\n') != NULL) {
		rpc_error(req, PROTO_E_PARAMS, NULL,
			  "bench_sink: line: one line, required with op line");
		return;
	}
	if (dprintf(bs.in, "%s\n", line) < 0) {
		rpc_error(req, PROTO_E_START, NULL,
			  "host %s: cannot write to the sink: %s",
			  conf->host_name, strerror(errno));
		return;
	}
	bs.line_req = req;
}
