/*
 * The `bench` method (bench.h): a request turned into a vrgen command line
 * between a running topology's test ports, run as a job, its JSON lines
 * collected into the experiment record (docs/bench.md).
 *
 * Over 900 lines on purpose (issues 12, 15): the request that builds
 * vrgen's arguments and the record, the job that runs vrgen and fills the
 * record in, and the link to a sink on another host all share struct
 * bench_op, private to this file (the bench passed on to another host is
 * bench_fwd.c, the sink's end bench_sink.c).  The record's host, image
 * and version facts (host_json ...) are the first to go to a file of
 * their own.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "benchparam.h"
#include "config.h"
#include "hostinfo.h"
#include "job.h"
#include "jtext.h"
#include "log.h"
#include "migrate.h"
#include "nodekind.h"
#include "peer.h"
#include "proto.h"
#include "sha256.h"
#include "summary.h"
#include "sup_run.h"
#include "threads.h"
#include "util.h"
#include "vm.h"
#include "vr_build.h"

#define BENCH_MAX_ARGS 48
#define BENCH_MAX_LINE (1 << 20)

struct bench_op {
	struct rpc_req *req;
	char name[TOPO_NAME_LEN + 1];
	char *argv[BENCH_MAX_ARGS + 1];
	int argc;
	json_object *record; /* built in the loop; finished there */
	/* filled by the job thread */
	json_object *trials;
	json_object *latency_at; /* vrgen's "latency_at" lines, in order */
	json_object *result;	 /* the current round's */
	json_object *results;	 /* every round's, in order */
	int repeat, round;	 /* rounds asked for; the one running */
	int timeline;		 /* mode timeline: marks on its time axis */
	json_object *marks_raw;	 /* [{"unix_s","label","repeat"}], in order */
	char err[1024];
	int status;	    /* vrgen's exit status, -1 if it did not run */
	atomic_int abandon; /* the caller went away: stop vrgen */
	/* --migrate: the node, the host, when; the loop's own */
	char mig_node[TOPO_IFNAMSIZ]; /* a node's name (NAME_NODE) */
	char mig_to[TOPO_HOST_LEN + 1];
	struct event *mig_ev;	/* the migration is due */
	int mig_running;	/* it runs: the record waits for it */
	int stream_done;	/* vrgen is done (bench_done came) */
	json_object *migration; /* its record */
	/* the out port on another host: its vrouterd runs the sink
	 * (bench_sink.c); the loop's own but remote_dead */
	struct peer *peer;
	char sink_host[TOPO_HOST_LEN + 1];
	int rx_in[2];		/* vrgen's stdin: the sink's answers */
	atomic_int remote_dead; /* the sink failed: stop vrgen */
	int closing; /* the sink is being closed: its end is no news */
	struct event *alive_ev; /* every second: is the caller still there? */
	char remote_err[1024];
	/* a timeline with the sink there: the offset of its clock from ours
	 * (bench_clock), NTP-style samples after the stream */
	int clk_n;	   /* samples taken */
	double clk_t1;	   /* the pending sample's send time, ours */
	double clk_rtt;	   /* the best sample's round trip, s; 0: none */
	double clk_offset; /* its offset: sink's clock - ours, s */
	char clk_err[256]; /* why there is none */
};

#define BENCH_CLOCK_SAMPLES   8
#define BENCH_CLOCK_SAMPLES_S "8"
/* a timeline's bins come back from another host in one line (bench_sink.c)
 */
#define BENCH_REMOTE_BINS_MAX 40000

static int bench_running;

void
bench_set_running(int on)
{
	bench_running = on;
}
/* The running timeline bench, which bench_mark marks (any thread). */
static pthread_mutex_t bench_mark_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bench_op *bench_marking;

int
bench_find_vrgen(char *path, size_t len)
{
	char self[PATH_MAX], *dir;
	ssize_t n;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) == -1)
		n = 0;
	self[n] = '\0';
	dir = dirname(self);
	msgf(path, len, "%s/vrgen", dir); /* installed side by side */
	if (access(path, X_OK) == 0)
		return 0;
	msgf(path, len, "%s/../vrgen/vrgen", dir); /* the build tree */
	if (access(path, X_OK) == 0)
		return 0;
	msgf(path, len, "%s/vrgen", VR_BINDIR);
	return access(path, X_OK);
}

static void arg(struct bench_op *op, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
arg(struct bench_op *op, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (op->argc == BENCH_MAX_ARGS)
		fatalx("%s: too many arguments", __func__);
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatal("%s", __func__);
	va_end(ap);
	op->argv[op->argc++] = s;
}

static void
bench_op_free(struct bench_op *op)
{
	for (int i = 0; i < op->argc; i++)
		free(op->argv[i]);
	json_object_put(op->record);
	json_object_put(op->trials);
	json_object_put(op->latency_at);
	json_object_put(op->result);
	json_object_put(op->results);
	json_object_put(op->marks_raw);
	json_object_put(op->migration);
	if (op->peer)
		peer_close(op->peer);
	for (int i = 0; i < 2; i++)
		if (op->rx_in[i] > 0)
			close(op->rx_in[i]);
	if (op->mig_ev)
		event_free(op->mig_ev);
	if (op->alive_ev)
		event_free(op->alive_ev);
	free(op);
}

/* ---- marks: events on a timeline's time axis ------------------------------
 */

static double
bench_unix_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Mark an event of the current round now, on the wall clock; the record
 * places it on the round's timeline (bench_marks) once vrgen has said
 * when its t = 0 was.  Caller holds bench_mark_lock. */
static void
bench_mark_locked(struct bench_op *op, const char *label)
{
	json_object *m = json_object_new_object();

	json_object_object_add(m, "unix_s",
			       json_object_new_double(bench_unix_now()));
	json_object_object_add(m, "label", json_object_new_string(label));
	json_object_object_add(m, "repeat", json_object_new_int(op->round));
	json_object_array_add(op->marks_raw, m);
}

void
bench_mark(const char *label)
{
	pthread_mutex_lock(&bench_mark_lock);
	if (bench_marking != NULL)
		bench_mark_locked(bench_marking, label);
	pthread_mutex_unlock(&bench_mark_lock);
}

/*
 * The record's "marks": [{"t", "label", "repeat"}], t in seconds on the
 * time axis of that round's timeline (its t = 0, timeline.origin_unix_s,
 * is the sink's wall clock; the marks are the daemon's, the same host's
 * clock here).  With the sink on another host a mark is moved onto the
 * sink's clock by the measured offset (bench_clock) and carries its
 * uncertainty, "t_uncertainty_s"; with no offset measured, no marks.  A
 * round without a timeline (vrgen failed) has no marks.
 */
static json_object *
bench_marks(const struct bench_op *op)
{
	json_object *out = json_object_new_array();
	size_t n = json_object_array_length(op->marks_raw);
	size_t nt = json_object_array_length(op->trials);

	if (op->sink_host[0] && op->clk_rtt <= 0)
		return out; /* no common time axis */
	for (size_t i = 0; i < n; i++) {
		json_object *m = json_object_array_get_idx(op->marks_raw, i);
		json_object *tl = NULL, *o, *v;
		int rnd =
		    json_object_get_int(json_object_object_get(m, "repeat"));
		double dt;

		for (size_t k = 0; k < nt && tl == NULL; k++) {
			json_object *tr =
			    json_object_array_get_idx(op->trials, k);

			if (json_object_object_get_ex(tr, "repeat", &v) &&
			    json_object_get_int(v) == rnd)
				json_object_object_get_ex(tr, "timeline", &tl);
		}
		if (tl == NULL ||
		    !json_object_object_get_ex(tl, "origin_unix_s", &v))
			continue;
		dt = json_object_get_double(
			 json_object_object_get(m, "unix_s")) +
		     (op->sink_host[0] ? op->clk_offset : 0) -
		     json_object_get_double(v);
		o = json_object_new_object();
		json_object_object_add(
		    o, "t", json_object_new_double(round(dt * 1e6) / 1e6));
		json_object_object_add(
		    o, "label",
		    json_object_get(json_object_object_get(m, "label")));
		json_object_object_add(o, "repeat", json_object_new_int(rnd));
		if (op->sink_host[0])
			json_object_object_add(
			    o, "t_uncertainty_s",
			    json_object_new_double(
				round(op->clk_rtt / 2 * 1e6) / 1e6));
		json_object_array_add(out, o);
	}
	return out;
}

/* ---- the job: run vrgen, collect its JSON lines -------------------------- */

static void
bench_line(struct job *j, struct bench_op *op, char *line)
{
	json_object *o = json_tokener_parse(line), *t;
	const char *type;

	if (o == NULL || !json_object_object_get_ex(o, "type", &t)) {
		log_debug("vrgen: %s", line);
		json_object_put(o);
		return;
	}
	type = json_object_get_string(t);
	if (strcmp(type, "trial") == 0) {
		json_object *fb;

		/* auto fell back from AF_XDP: say so once, while it runs */
		if (json_object_array_length(op->trials) == 0 &&
		    json_object_object_get_ex(o, "tx_fallback", &fb) &&
		    json_object_is_type(fb, json_type_string))
			job_progress(j, "tx_fallback",
				     "AF_XDP is not available, vrgen sends "
				     "with AF_PACKET (slower): %s",
				     json_object_get_string(fb));
		json_object_object_add(o, "repeat",
				       json_object_new_int(op->round));
		json_object_array_add(op->trials, json_object_get(o));
		/* the loop turns this back into a notification with the
		 * trial attached */
		job_progress(
		    j, "trial", "%s",
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	} else if (strcmp(type, "latency_at") == 0) {
		/* {"percent","offered_pps","trial"}: into latency_at[] */
		json_object *pc, *op_, *tr, *lat, *p99;

		json_object_object_del(o, "type");
		json_object_object_add(o, "repeat",
				       json_object_new_int(op->round));
		json_object_array_add(op->latency_at, json_object_get(o));
		if (json_object_object_get_ex(o, "percent", &pc) &&
		    json_object_object_get_ex(o, "offered_pps", &op_) &&
		    json_object_object_get_ex(o, "trial", &tr) &&
		    json_object_object_get_ex(tr, "latency_us", &lat) &&
		    json_object_object_get_ex(lat, "p99", &p99))
			job_progress(j, "latency_at",
				     "latency at %d %% of the answer: offered "
				     "%.0f pps, p99 %.1f us",
				     json_object_get_int(pc),
				     json_object_get_double(op_),
				     json_object_get_double(p99));
	} else if (strcmp(type, "result") == 0) {
		json_object_put(op->result);
		op->result = json_object_get(o);
	} else if (strcmp(type, "rx") == 0 && op->peer != NULL) {
		/* for the sink on the other host: the loop passes it on */
		job_progress(
		    j, "rx", "%s",
		    json_object_get_string(json_object_object_get(o, "line")));
	}
	json_object_put(o);
}

/* One run of vrgen: one round of the bench. */
static void
bench_vrgen(struct job *j, struct bench_op *op)
{
	int out[2], errp[2], st;
	char *buf = xmalloc(BENCH_MAX_LINE + 1), ebuf[1024];
	size_t len = 0, elen = 0;
	pid_t pid, parent;

	op->status = -1;
	if (pipe2(out, O_CLOEXEC) == -1 || pipe2(errp, O_CLOEXEC) == -1) {
		msgf(op->err, sizeof(op->err), "pipe: %s", strerror(errno));
		free(buf);
		return;
	}
	parent = getpid();
	if ((pid = fork()) == -1) {
		msgf(op->err, sizeof(op->err), "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		/* vrouterd killed: vrgen goes too (this job thread waits for
		 * it, so only the process's death sends it), rather than send
		 * to the end of its trial for nobody */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		if (op->rx_in[0] > 0)
			dup2(op->rx_in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(errp[1], STDERR_FILENO);
		execv(op->argv[0], op->argv);
		dprintf(STDERR_FILENO, "exec %s: %s\n", op->argv[0],
			strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(errp[1]);
	out[1] = errp[1] = -1;
	for (;;) {
		struct pollfd pf[2] = {{out[0], POLLIN, 0},
				       {errp[0], POLLIN, 0}};
		ssize_t n;
		char *nl;

		if (job_cancelled(j) || atomic_load(&op->abandon) ||
		    atomic_load(&op->remote_dead))
			kill(pid, SIGTERM);
		if (poll(pf, 2, 200) == -1 && errno != EINTR)
			break;
		if (pf[1].revents) {
			n = read(errp[0], ebuf + elen, sizeof(ebuf) - 1 - elen);
			if (n > 0) {
				elen += n;
				if (elen == sizeof(ebuf) - 1) /* keep the end */
					elen = 0;
				ebuf[elen] = '\0';
			}
		}
		if (!pf[0].revents)
			continue;
		n = read(out[0], buf + len, BENCH_MAX_LINE - len);
		if (n <= 0)
			break;
		len += n;
		while ((nl = memchr(buf, '\n', len)) != NULL) {
			*nl = '\0';
			bench_line(j, op, buf);
			len -= nl + 1 - buf;
			memmove(buf, nl + 1, len);
		}
		if (len == BENCH_MAX_LINE)
			len = 0; /* a line that long is not vrgen's */
	}
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	op->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	ebuf[elen] = '\0';
	while (elen && ebuf[elen - 1] == '\n')
		ebuf[--elen] = '\0';
	if (op->status == 0 && elen) /* notes, e.g. a send-path fallback */
		log_warnx("%s: %s", op->name, ebuf);
	if (op->status != 0) {
		msgf(op->err, sizeof(op->err), "vrgen exited with %d: %s",
		     op->status, elen ? ebuf : "(no message)");
	}
out:
	for (int i = 0; i < 2; i++) {
		if (out[i] != -1)
			close(out[i]);
		if (errp[i] != -1)
			close(errp[i]);
	}
	free(buf);
}

/*
 * The rounds of a bench: vrgen runs once per round, the whole sweep (every
 * rate in order) or the whole search each time, so a sweep's rounds are
 * interleaved (round 0 over all rates, then round 1, ...) and slow drift
 * hits every rate alike; a search's answer is a sample of whole searches.
 * Looping here rather than in vrgen keeps vrgen one measurement and each
 * round a fresh process (its own start-up, as a researcher's re-run).
 */
static void
bench_job(struct job *j, void *arg_)
{
	struct bench_op *op = arg_;

	for (op->round = 0; op->round < op->repeat; op->round++) {
		if (op->round > 0)
			job_progress(j, "round", "round %d/%d", op->round + 1,
				     op->repeat);
		bench_mark("bench start");
		bench_vrgen(j, op);
		bench_mark("bench stop");
		if (op->result) {
			json_object_array_add(op->results, op->result);
			op->result = NULL;
		}
		if (op->status != 0 || job_cancelled(j) ||
		    atomic_load(&op->abandon) || atomic_load(&op->remote_dead))
			break;
	}
}

/* ---- the sink on another host (bench_sink.c there) ----------------------
 */

/* The sink failed or is unreachable: the first reason is kept, vrgen is
 * stopped (it reads "error ..." if it waits for an answer). */
static void
bench_rx_fail(struct bench_op *op, const char *why)
{
	if (op->remote_err[0] == '\0')
		msgf(op->remote_err, sizeof(op->remote_err),
		     "the sink on host %s: %s", op->sink_host, why);
	atomic_store(&op->remote_dead, 1);
	if (op->rx_in[1] > 0)
		(void)dprintf(op->rx_in[1], "error %s\n", op->remote_err);
}

static void
bench_rx_answer(json_object *result, json_object *error, const char *fail,
		void *arg_)
{
	struct bench_op *op = arg_;
	const char *line;

	if (result != NULL && (line = json_object_get_string(
				   json_object_object_get(result, "line")))) {
		(void)dprintf(op->rx_in[1], "%s\n", line);
		return;
	}
	bench_rx_fail(op, fail ? fail
			  : error
			      ? json_object_get_string(
				    json_object_object_get(error, "message"))
			      : "no answer");
}

static void
bench_rx_line(struct bench_op *op, const char *line)
{
	json_object *p = json_object_new_object();

	if (atomic_load(&op->remote_dead)) {
		json_object_put(p);
		bench_rx_fail(op, "gone");
		return;
	}
	json_object_object_add(p, "name", json_object_new_string(op->name));
	json_object_object_add(p, "op", json_object_new_string("line"));
	json_object_object_add(p, "line", json_object_new_string(line));
	(void)peer_call(op->peer, METHOD_BENCH_SINK, p, conf->peer_timeout + 30,
			bench_rx_answer, op);
}

/* The open call is answered when the sink ends: before the bench closes
 * it, that is a failure. */
static void
bench_rx_ended(json_object *result, json_object *error, const char *fail,
	       void *arg_)
{
	struct bench_op *op = arg_;
	char why[1024];

	if (op->closing)
		return;
	if (result != NULL) {
		const char *e = json_object_get_string(
		    json_object_object_get(result, "stderr"));

		msgf(
		    why, sizeof(why), "vrgen ended with %d mid-bench: %s",
		    json_object_get_int(json_object_object_get(result, "exit")),
		    e != NULL && e[0] ? e : "(no message)");
	} else
		msgf(why, sizeof(why), "%s",
		     fail ? fail
			  : json_object_get_string(
				json_object_object_get(error, "message")));
	bench_rx_fail(op, why);
}

/* Open the connection to the out port's host and its sink there. */
static int
bench_rx_open(struct bench_op *op, json_object *params, char *err,
	      size_t errlen)
{
	const struct config_host *h = config_host_find(conf, op->sink_host);
	json_object *p;

	if (h == NULL) {
		msgf(err, errlen,
		     "the out port is on host %s, where the sink runs, and "
		     "this host's (%s) configuration does not name it: add "
		     "host %s to `hosts` in this host's vrouterd.conf (its "
		     "ssh, socket) and reload",
		     op->sink_host, conf->host_name, op->sink_host);
		return -1;
	}
	if (pipe2(op->rx_in, O_CLOEXEC) == -1) {
		msgf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((op->peer = peer_open(h, err, errlen)) == NULL)
		return -1;
	p = json_object_new_object();
	json_object_object_add(p, "name", json_object_new_string(op->name));
	json_object_object_add(p, "op", json_object_new_string("open"));
	json_object_object_add(
	    p, "flows", json_object_new_int(bench_pint(params, "flows", 1)));
	if (op->timeline) { /* the sink keeps it, on its clock */
		json_object_object_add(
		    p, "bin_ms",
		    json_object_new_int(
			bench_pint(params, "bin_ms", BENCH_BIN_MS_DEF)));
		json_object_object_add(
		    p, "duration",
		    json_object_new_int(bench_pint(params, "duration", 10)));
	}
	(void)peer_call(op->peer, METHOD_BENCH_SINK, p, 0, bench_rx_ended, op);
	return 0;
}

/* A caller gone during a long trial stops vrgen at once, and so the sink
 * on the other host, not at the next progress line. */
static void
bench_alive(evutil_socket_t fd, short what, void *arg_)
{
	struct bench_op *op = arg_;

	(void)fd;
	(void)what;
	if (op->req != NULL && !rpc_connected(op->req) &&
	    !atomic_load(&op->abandon)) {
		log_info("%s: bench caller went away; stopping vrgen",
			 op->name);
		atomic_store(&op->abandon, 1);
	}
}

static void
bench_progress(void *arg_, const char *step, const char *msg)
{
	struct bench_op *op = arg_;
	json_object *p = json_object_new_object(), *t;
	char text[256];

	if (strcmp(step, "rx") == 0) {
		json_object_put(p);
		bench_rx_line(op, msg);
		return;
	}
	json_object_object_add(p, "step", json_object_new_string(step));
	if (strcmp(step, "trial") == 0 && (t = json_tokener_parse(msg))) {
		json_object *v;
		double off = 0, fwd = 0, loss = 0;

		if (json_object_object_get_ex(t, "offered_pps", &v))
			off = json_object_get_double(v);
		if (json_object_object_get_ex(t, "forwarded_pps", &v))
			fwd = json_object_get_double(v);
		if (json_object_object_get_ex(t, "loss_ratio", &v))
			loss = json_object_get_double(v);
		msgf(text, sizeof(text),
		     "offered %.0f pps, forwarded %.0f pps, loss %.4f", off,
		     fwd, loss);
		if (op->repeat > 1) {
			size_t l = strlen(text);
			msgf(text + l, sizeof(text) - l, " (round %d/%d)",
			     op->round + 1, op->repeat);
		}
		json_object_object_add(p, "message",
				       json_object_new_string(text));
		json_object_object_add(p, "trial", t);
	} else
		json_object_object_add(p, "message",
				       json_object_new_string(msg));
	if (op->req && rpc_notify(op->req, "progress", p) == -1) {
		/* nobody waits for the answer: do not load the CPUs for it */
		log_info("%s: bench caller went away; stopping vrgen",
			 op->name);
		atomic_store(&op->abandon, 1);
	} else if (op->req == NULL)
		json_object_put(p);
}

static const char *
iso_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/*
 * The rounds' vrgen results: "result" is the first round's (its shape
 * unchanged), "results" every round's; for a search "answers" the
 * statistics of the answer over the usable rounds (summary_answers: ok and
 * not generator-limited; the others listed in "excluded") and the
 * top-level ndr_pps / pdr_pps their median (null when no round is usable).
 */
static void
bench_answers(struct bench_op *op)
{
	const char *key;
	json_object *a;

	json_object_object_add(
	    op->record, "result",
	    json_object_get(json_object_array_get_idx(op->results, 0)));
	json_object_object_add(op->record, "results",
			       json_object_get(op->results));
	if ((a = summary_answers(op->results, &key)) == NULL)
		return;
	json_object_object_add(op->record, key,
			       json_object_get(json_object_object_get(
				   json_object_object_get(a, key), "median")));
	json_object_object_add(op->record, "answers", a);
}

static void bench_finish(struct bench_op *op);

/* The migration a timeline was asked for ended: marked, kept for the
 * record, which waited for it if the stream ended first. */
static void
bench_mig_done(void *arg_, json_object *rec, int code, const char *err)
{
	struct bench_op *op = arg_;

	(void)code;
	(void)err;
	bench_mark("migrate done");
	op->migration = json_object_get(rec);
	op->mig_running = 0;
	if (op->stream_done)
		bench_finish(op);
}

static void
bench_mig_tick(evutil_socket_t fd, short what, void *arg_)
{
	struct bench_op *op = arg_;
	char err[1024];
	int code;

	(void)fd;
	(void)what;
	bench_mark("migrate start");
	op->mig_running = 1;
	if (migrate_run_any(op->name, op->mig_node, op->mig_to, 0,
			    bench_mig_done, op, &code, err,
			    sizeof(err)) == -1) {
		op->mig_running = 0;
		op->migration = json_object_new_object();
		json_object_object_add(op->migration, "ok",
				       json_object_new_boolean(0));
		json_object_object_add(op->migration, "error",
				       json_object_new_string(err));
	}
}

/* The blackout of the stream around the migration: what the sink lost,
 * its longest gap, and libvirt's figures. */
static json_object *
bench_blackout(const struct bench_op *op)
{
	json_object *b = json_object_new_object(), *tl = NULL, *v, *t;
	static const char *const keys[] = {"total_ms", "downtime_ms",
					   "memory_bytes", "wall_ms"};

	t = json_object_array_get_idx(op->trials, 0);
	if (t != NULL && json_object_object_get_ex(t, "timeline", &tl)) {
		if (json_object_object_get_ex(tl, "lost_seq", &v))
			json_object_object_add(b, "lost", json_object_get(v));
		if (json_object_object_get_ex(tl, "gap", &v) &&
		    json_object_object_get_ex(v, "ms", &v))
			json_object_object_add(b, "gap_ms", json_object_get(v));
	}
	for (size_t i = 0; i < nitems(keys); i++)
		if (json_object_object_get_ex(op->migration, keys[i], &v))
			json_object_object_add(b, keys[i], json_object_get(v));
	json_object_object_add(
	    b, "ok",
	    json_object_new_boolean(json_object_get_boolean(
		json_object_object_get(op->migration, "ok"))));
	return b;
}

static void bench_done(void *arg_);

/* The sink on the other host closed (or could not be told): go on. */
static void
bench_rx_closed(json_object *result, json_object *error, const char *fail,
		void *arg_)
{
	struct bench_op *op = arg_;

	(void)result;
	if (fail || error)
		log_warnx("%s: closing the sink on host %s: %s", op->name,
			  op->sink_host,
			  fail ? fail
			       : json_object_get_string(
				     json_object_object_get(error, "message")));
	peer_close(op->peer); /* the sink dies with the session anyway */
	op->peer = NULL;
	bench_done(op);
}

/*
 * The sink's clock against ours, NTP-style over the bench's connection:
 * t1 ours as a "clock" line leaves, t2 the sink's as it reads it, t3 ours
 * as its answer is back; offset t2 - (t1 + t3) / 2, within +-(t3 - t1) / 2
 * whatever the two ways took; of BENCH_CLOCK_SAMPLES the one with the
 * shortest round trip.  Taken after the stream, so they do not load it.
 */
static void bench_clock_next(struct bench_op *op);

static void
bench_clock_answer(json_object *result, json_object *error, const char *fail,
		   void *arg_)
{
	struct bench_op *op = arg_;
	double t3 = bench_unix_now(), t2;
	const char *line = NULL;

	if (result != NULL)
		line = json_object_get_string(
		    json_object_object_get(result, "line"));
	if (line == NULL || sscanf(line, "clock %lf", &t2) != 1) {
		msgf(op->clk_err, sizeof(op->clk_err),
		     "the sink on host %s answered no clock: %s", op->sink_host,
		     fail    ? fail
		     : error ? json_object_get_string(
				   json_object_object_get(error, "message"))
		     : line ? line
			    : "no line");
		op->clk_n = BENCH_CLOCK_SAMPLES;
		bench_done(op);
		return;
	}
	if (op->clk_rtt <= 0 || t3 - op->clk_t1 < op->clk_rtt) {
		op->clk_rtt = t3 - op->clk_t1;
		if (op->clk_rtt <= 0)
			op->clk_rtt = 1e-9; /* a clock stepped back: no zero */
		op->clk_offset = t2 - (op->clk_t1 + t3) / 2;
	}
	op->clk_n++;
	bench_clock_next(op);
}

static void
bench_clock_next(struct bench_op *op)
{
	json_object *p;

	if (op->clk_n >= BENCH_CLOCK_SAMPLES || atomic_load(&op->remote_dead)) {
		if (op->clk_rtt <= 0 && op->clk_err[0] == '\0')
			msgf(op->clk_err, sizeof(op->clk_err),
			     "the sink on host %s failed before its clock was "
			     "read",
			     op->sink_host);
		op->clk_n = BENCH_CLOCK_SAMPLES;
		bench_done(op);
		return;
	}
	p = json_object_new_object();
	json_object_object_add(p, "name", json_object_new_string(op->name));
	json_object_object_add(p, "op", json_object_new_string("line"));
	json_object_object_add(p, "line", json_object_new_string("clock"));
	op->clk_t1 = bench_unix_now();
	(void)peer_call(op->peer, METHOD_BENCH_SINK, p, conf->peer_timeout,
			bench_clock_answer, op);
}

/* The record's "clock": the offset, how sure, how measured. */
static json_object *
bench_clock_json(const struct bench_op *op)
{
	json_object *c = json_object_new_object();

	json_object_object_add(c, "sink_host",
			       json_object_new_string(op->sink_host));
	json_object_object_add(c, "measured",
			       json_object_new_boolean(op->clk_rtt > 0));
	if (op->clk_rtt > 0) {
		json_object_object_add(
		    c, "offset_s",
		    json_object_new_double(round(op->clk_offset * 1e6) / 1e6));
		json_object_object_add(
		    c, "uncertainty_s",
		    json_object_new_double(round(op->clk_rtt / 2 * 1e6) / 1e6));
		json_object_object_add(c, "samples",
				       json_object_new_int(op->clk_n));
	} else
		json_object_object_add(c, "error",
				       json_object_new_string(op->clk_err));
	json_object_object_add(
	    c, "method",
	    json_object_new_string(
		"NTP-style over the bench's SSH connection after the stream: "
		"t1 here, t2 the sink's CLOCK_REALTIME as it reads the line, "
		"t3 here; offset = t2 - (t1 + t3) / 2 (the sink's clock minus "
		"this host's), uncertainty = (t3 - t1) / 2, the sample with "
		"the shortest round trip of " BENCH_CLOCK_SAMPLES_S));
	json_object_object_add(
	    c, "note",
	    json_object_new_string(
		"the timeline (bins, gap, loss) is the sink's alone, on its "
		"clock, and needs no alignment; only the marks, taken on this "
		"host's clock, are moved by the offset and carry its "
		"uncertainty"));
	return c;
}

static void
bench_done(void *arg_)
{
	struct bench_op *op = arg_;

	if (op->peer != NULL && op->timeline && !op->closing &&
	    op->clk_n < BENCH_CLOCK_SAMPLES) {
		bench_clock_next(op);
		return;
	}
	if (op->peer != NULL && !op->closing) {
		json_object *p = json_object_new_object();

		op->closing = 1;
		json_object_object_add(p, "name",
				       json_object_new_string(op->name));
		json_object_object_add(p, "op",
				       json_object_new_string("close"));
		(void)peer_call(op->peer, METHOD_BENCH_SINK, p,
				conf->peer_timeout + 10, bench_rx_closed, op);
		return;
	}
	op->stream_done = 1;
	if (op->mig_ev && evtimer_pending(op->mig_ev, NULL)) {
		event_del(op->mig_ev);
		op->migration = json_object_new_object();
		json_object_object_add(op->migration, "ok",
				       json_object_new_boolean(0));
		json_object_object_add(
		    op->migration, "error",
		    json_object_new_string("the stream ended before the "
					   "migration was due (migrate_after "
					   "over duration?)"));
	}
	if (op->mig_running)
		return; /* bench_mig_done finishes */
	bench_finish(op);
}

static void
bench_finish(struct bench_op *op)
{
	struct run *r = sup_run_find(op->name);
	json_object *gen;
	char when[32];

	bench_running = 0;
	pthread_mutex_lock(&bench_mark_lock);
	bench_marking = NULL;
	pthread_mutex_unlock(&bench_mark_lock);
	json_object_object_add(
	    op->record, "finished_at",
	    json_object_new_string(iso_now(when, sizeof(when))));
	json_object_object_add(op->record, "trials",
			       json_object_get(op->trials));
	if (json_object_object_get_ex(
		json_object_object_get(op->record, "command"), "latency_at",
		NULL))
		json_object_object_add(op->record, "latency_at",
				       json_object_get(op->latency_at));
	if (json_object_array_length(op->results) > 0)
		bench_answers(op);
	if (op->timeline && op->sink_host[0])
		json_object_object_add(op->record, "clock",
				       bench_clock_json(op));
	if (op->timeline)
		json_object_object_add(op->record, "marks", bench_marks(op));
	if (op->migration) {
		json_object_object_add(op->record, "migration",
				       json_object_get(op->migration));
		json_object_object_add(op->record, "blackout",
				       bench_blackout(op));
	}
	if (json_object_object_get_ex(op->record, "command", &gen) &&
	    json_object_object_get_ex(gen, "mode", &gen) &&
	    strcmp(json_object_get_string(gen), "sweep") == 0)
		json_object_object_add(op->record, "points",
				       summary_points(op->trials));
	/* the send path the trials used, and why not AF_XDP if auto fell
	 * back from it (vrgen says so in every trial) */
	if (json_object_array_length(op->trials) > 0 &&
	    json_object_object_get_ex(op->record, "generator", &gen)) {
		json_object *t = json_object_array_get_idx(op->trials, 0), *v;

		if (json_object_object_get_ex(t, "tx_path", &v))
			json_object_object_add(gen, "tx_path",
					       json_object_get(v));
		json_object_object_add(
		    gen, "tx_fallback",
		    json_object_object_get_ex(t, "tx_fallback", &v)
			? json_object_get(v)
			: NULL);
	}
	/* the pinning as it is after the run, thread by thread */
	if (r)
		json_object_object_add(op->record, "topology_after",
				       sup_run_json(r));
	if (op->remote_err[0] || op->status != 0 ||
	    json_object_array_length(op->trials) == 0) {
		json_object *data = op->record;
		op->record = NULL;
		rpc_error(op->req, PROTO_E_START, data, "bench %s: %s",
			  op->name,
			  op->remote_err[0] ? op->remote_err
			  : op->err[0]	    ? op->err
					    : "vrgen produced no trial");
	} else {
		rpc_reply(op->req, op->record);
		op->record = NULL;
	}
	op->req = NULL;
	bench_op_free(op);
	sup_check_done();
}

/* ---- the request ----------------------------------------------------------
 */

const char *
bench_pstr(json_object *params, const char *key, const char *dflt)
{
	json_object *v;

	return json_object_object_get_ex(params, key, &v)
		   ? json_object_get_string(v)
		   : dflt;
}

int
bench_pint(json_object *params, const char *key, int dflt)
{
	json_object *v;

	return json_object_object_get_ex(params, key, &v)
		   ? json_object_get_int(v)
		   : dflt;
}

/* The generator's CPU: asked for, else a housekeeping CPU of the plan (not
 * one a vCPU owns), else the last online CPU. */
static int
bench_cpu(json_object *params, const struct run *r, const struct hostinfo *h)
{
	int cpu = bench_pint(params, "cpu", -1);

	if (cpu >= 0)
		return cpu;
	if (r->plan->opts.pin)
		for (int i = 0; i < CPU_SETSIZE; i++)
			if (CPU_ISSET(i, &r->plan->pin.housekeeping) &&
			    !CPU_ISSET(i, &r->plan->pin.vcpu_cpus))
				return i;
	for (int i = CPU_SETSIZE - 1; i >= 0; i--)
		if (CPU_ISSET(i, &h->online))
			return i;
	return 0;
}

static json_object *
host_json(const struct hostinfo *h)
{
	json_object *o = json_object_new_object();
	char buf[CPULIST_MAX];

	json_object_object_add(o, "cpu_model",
			       json_object_new_string(h->cpu_model));
	json_object_object_add(o, "cpus", json_object_new_int(h->ncpus));
	json_object_object_add(o, "online",
			       json_object_new_string(cpulist_format(
				   &h->online, buf, sizeof(buf))));
	json_object_object_add(o, "isolated",
			       json_object_new_string(cpulist_format(
				   &h->isolated, buf, sizeof(buf))));
	json_object_object_add(o, "nohz_full",
			       json_object_new_string(cpulist_format(
				   &h->nohz_full, buf, sizeof(buf))));
	json_object_object_add(o, "kernel", json_object_new_string(h->kernel));
	json_object_object_add(o, "topology", hostinfo_topology_json(h));
	return o;
}

static json_object *
image_json(const struct run *r)
{
	json_object *o = json_object_new_object(), *m = NULL, *v;
	char path[PATH_MAX + 32], hex[65], err[256], *text;
	size_t len;

	json_object_object_add(o, "dir",
			       json_object_new_string(r->plan->opts.image));
	msgf(path, sizeof(path), "%s/manifest.json", r->plan->opts.image);
	if (sha256_file(path, hex) == 0)
		json_object_object_add(o, "manifest_sha256",
				       json_object_new_string(hex));
	/* a regular file of bounded size only */
	if ((text = file_readat_len(AT_FDCWD, path, SUP_MANIFEST_MAX, 0,
				    &len)) != NULL) {
		m = jtext_parse(path, text, len, err, sizeof(err));
		free(text);
	}
	if (m != NULL) {
		/* the manifest names every input and output with its sha256 */
		if (json_object_object_get_ex(m, "outputs", &v))
			json_object_object_add(o, "outputs",
					       json_object_get(v));
		if (json_object_object_get_ex(m, "kernel", &v))
			json_object_object_add(o, "kernel", json_object_get(v));
		if (json_object_object_get_ex(m, "kernel_version", &v))
			json_object_object_add(o, "kernel_version",
					       json_object_get(v));
		if (json_object_object_get_ex(m, "packages", &v))
			json_object_object_add(o, "packages",
					       json_object_get(v));
		json_object_put(m);
	} else
		json_object_object_add(o, "manifest",
				       json_object_new_string("missing"));
	return o;
}

static json_object *
versions_json(const struct hostinfo *h, int vm)
{
	json_object *o = json_object_new_object();
	char hv[32], lib[32];

	vm_versions(hv, sizeof(hv), lib, sizeof(lib));
	json_object_object_add(o, "kernel", json_object_new_string(h->kernel));
	json_object_object_add(o, "qemu",
			       vm && hv[0] ? json_object_new_string(hv) : NULL);
	json_object_object_add(o, "libvirt",
			       vm ? json_object_new_string(lib) : NULL);
	json_object_object_add(o, "vrouterd",
			       json_object_new_string(VROUTERD_VERSION));
	json_object_object_add(o, "vrgen",
			       json_object_new_string(VROUTERD_VERSION));
	return o;
}

/*
 * vrgen --watch TID:NODE:KIND:INDEX,...: the topology's threads, whose CPU
 * time vrgen samples around every trial (vrgen/cpuacct.h) -- QEMU's vCPU,
 * emulator, vhost and I/O threads, or the netns backend's threaded-NAPI
 * kernel threads ("napi").  Nothing when no thread is found.
 */
static void
bench_watch(struct bench_op *op, const struct run *r)
{
	const struct topo_plan *p = r->plan;
	const struct node_kind_ops *k = node_kind_get(p->opts.backend);
	int total = 0, skipped = 0;
	size_t len = 0;
	char *list = NULL, err[512];
	FILE *f;

	if ((f = open_memstream(&list, &len)) == NULL)
		fatal("%s", __func__);
	for (int n = 0; n < p->nnodes; n++) {
		struct vthread *v = NULL;
		int nv;

		nv = k->threads(p, n, &v, err, sizeof(err));
		if (nv == -1)
			log_warnx("%s: %s: cannot list its threads for the "
				  "bench's CPU accounting%s%s",
				  op->name, p->nodes[n].name,
				  err[0] ? ": " : "", err);
		for (int i = 0; i < nv; i++) {
			if (total == BENCH_WATCH_MAX) {
				skipped++;
				continue;
			}
			fprintf(f, "%s%d:%s:%s:%d", total++ ? "," : "",
				(int)v[i].tid, p->nodes[n].name,
				k->thread_label ? k->thread_label
						: pin_kind_name(v[i].kind),
				v[i].index);
		}
		free(v);
	}
	if (skipped)
		log_warnx("%s: the bench's CPU accounting watches %d threads "
			  "and leaves out %d (router_cpu_s is short of them)",
			  op->name, BENCH_WATCH_MAX, skipped);
	if (fclose(f) != 0)
		fatal("%s", __func__);
	if (total > 0) {
		arg(op, "--watch");
		arg(op, "%s", list);
	}
	free(list);
}

static int
bench_args(struct bench_op *op, json_object *params, const struct run *r,
	   const char *vrgen, int cpu, char *err, size_t errlen)
{
	const char *mode = bench_pstr(params, "mode", "");
	const char *rates = bench_pstr(params, "rates", NULL);
	const char *loss = bench_pstr(params, "loss", NULL);
	const struct topo_port *in = &r->plan->ports[0],
			       *out = &r->plan->ports[1];

	if (!in->created || (!out->created && !op->sink_host[0])) {
		msgf(
		    err, errlen,
		    "%s uses real NICs (--ports in=IF,out=IF): vrgen needs the "
		    "test ports' namespaces; run the generator on the source "
		    "machine",
		    op->name);
		return -1;
	}
	/* this host's node, or another host's of a topology across hosts
	 * (its home migrates it: migrate_run_any) */
	if (bench_pstr(params, "migrate", NULL) != NULL &&
	    !migrate_node_known(op->name, bench_pstr(params, "migrate", ""))) {
		msgf(err, errlen, "migrate: %s has no node %s", op->name,
		     bench_pstr(params, "migrate", ""));
		return -1;
	}
	/* the params' values and which mode takes which were checked with
	 * the request (lib/proto.c's table, lib/benchparam.c) */
	arg(op, "%s", vrgen);
	arg(op, "%s", mode);
	arg(op, "--tx-netns");
	arg(op, "%s", in->netns);
	arg(op, "--tx-dev");
	arg(op, "%s", in->ns_if);
	if (op->sink_host[0]) { /* the sink is there (bench_sink.c) */
		arg(op, "--rx-remote");
	} else {
		arg(op, "--rx-netns");
		arg(op, "%s", out->netns);
		arg(op, "--rx-dev");
		arg(op, "%s", out->ns_if);
	}
	arg(op, "--frame");
	arg(op, "%s", bench_pstr(params, "frame", "64"));
	arg(op, "--flows");
	arg(op, "%d", bench_pint(params, "flows", 1));
	arg(op, "--cpu");
	arg(op, "%d", cpu);
	arg(op, "--tx");
	arg(op, "%s", bench_pstr(params, "tx", "auto"));
	if (topo_plan_fib_min(r->plan) > 0) {
		/* --fib-routes: to the last synthetic prefix every node has,
		 * so that each lookup goes deep into the table */
		char dst[20];

		if (topo_fib_host(topo_plan_fib_min(r->plan) - 1, dst,
				  sizeof(dst)) == 0) {
			arg(op, "--dst-ip");
			arg(op, "%s", dst);
		}
	}
	if (strcmp(mode, "sweep") == 0) {
		arg(op, "--rates");
		arg(op, "%s", rates);
		arg(op, "--duration");
		arg(op, "%d", bench_pint(params, "duration", 10));
	} else if (strcmp(mode, "timeline") == 0) {
		arg(op, "--rate");
		arg(op, "%d", bench_pint(params, "rate", 0));
		arg(op, "--duration");
		arg(op, "%d", bench_pint(params, "duration", 10));
		arg(op, "--bin-ms");
		arg(op, "%d", bench_pint(params, "bin_ms", BENCH_BIN_MS_DEF));
	} else {
		arg(op, "--final-duration");
		arg(op, "%d", bench_pint(params, "duration", 10));
		arg(op, "--trial-duration");
		arg(op, "%d", bench_pint(params, "trial_duration", 1));
		if (json_object_object_get_ex(params, "max_rate", NULL)) {
			arg(op, "--max-rate");
			arg(op, "%d", bench_pint(params, "max_rate", 0));
		}
		if (loss) {
			arg(op, "--loss");
			arg(op, "%s", loss);
		}
		if (bench_pstr(params, "latency_at", NULL) != NULL) {
			arg(op, "--latency-at");
			arg(op, "%s", bench_pstr(params, "latency_at", NULL));
		}
	}
	bench_watch(op, r);
	arg(op, "--json");
	op->argv[op->argc] = NULL;
	return 0;
}

/* The params with every default filled in: what really ran. */
static json_object *
bench_command(json_object *params, int cpu)
{
	json_object *c = json_object_new_object();
	const char *mode = bench_pstr(params, "mode", "");

	json_object_object_add(
	    c, "name", json_object_new_string(bench_pstr(params, "name", "")));
	json_object_object_add(c, "mode", json_object_new_string(mode));
	if (strcmp(mode, "sweep") == 0)
		json_object_object_add(
		    c, "rates",
		    json_object_new_string(bench_pstr(params, "rates", "")));
	if (strcmp(mode, "pdr") == 0)
		json_object_object_add(
		    c, "loss",
		    json_object_new_string(bench_pstr(params, "loss", "0")));
	if (strcmp(mode, "timeline") == 0) {
		json_object_object_add(
		    c, "rate",
		    json_object_new_int(bench_pint(params, "rate", 0)));
		json_object_object_add(
		    c, "bin_ms",
		    json_object_new_int(
			bench_pint(params, "bin_ms", BENCH_BIN_MS_DEF)));
	}
	json_object_object_add(
	    c, "frame",
	    json_object_new_string(bench_pstr(params, "frame", "64")));
	json_object_object_add(
	    c, "flows", json_object_new_int(bench_pint(params, "flows", 1)));
	json_object_object_add(
	    c, "duration",
	    json_object_new_int(bench_pint(params, "duration", 10)));
	if (strcmp(mode, "sweep") != 0 && strcmp(mode, "timeline") != 0) {
		json_object_object_add(c, "trial_duration",
				       json_object_new_int(bench_pint(
					   params, "trial_duration", 1)));
		/* vrgen's own default upper bound, when none was given */
		json_object_object_add(c, "max_rate",
				       json_object_new_int(bench_pint(
					   params, "max_rate", 1000000)));
		if (bench_pstr(params, "latency_at", NULL) != NULL)
			json_object_object_add(
			    c, "latency_at",
			    json_object_new_string(
				bench_pstr(params, "latency_at", NULL)));
	}
	json_object_object_add(c, "cpu", json_object_new_int(cpu));
	json_object_object_add(
	    c, "tx", json_object_new_string(bench_pstr(params, "tx", "auto")));
	json_object_object_add(
	    c, "repeat", json_object_new_int(bench_pint(params, "repeat", 1)));
	return c;
}

/*
 * Where the sink runs when the out port is not here: on the out port's
 * host, or, on a part whose out port is the coordinator's (host ""), on the
 * host the coordinator said when it passed the bench on ("sink_host",
 * bench_fwd.c).  "" with the out port here; NULL when it is not known.
 */
static const char *
bench_sink_of(const struct run *r, json_object *params)
{
	const struct topo_port *out = &r->plan->ports[1];

	if (out->host_if[0] != '\0')
		return "";
	if (out->host[0] && strcmp(out->host, TOPO_HOST_SELF) != 0)
		return out->host;
	return bench_pstr(params, "sink_host", NULL);
}

/*
 * Where vrgen's two ends run: the sender here, on the in port (with the
 * in port on another host the bench was passed on there, bench_fwd.c);
 * the sink here or, with the out port on another host, there.
 */
static int
bench_where(struct rpc_req *req, const struct run *r)
{
	json_object *params = rpc_params(req);
	const char *mode = bench_pstr(params, "mode", "");
	const char *sink = bench_sink_of(r, params);

	if (sink == NULL) {
		rpc_error(req, PROTO_E_TOPOLOGY, NULL,
			  "bench %s: the out port is on the coordinator: run "
			  "`vrctl bench` there (it passes the bench on to this "
			  "host, the sender's, and runs the sink)",
			  r->plan->opts.name);
		return -1;
	}
	if (sink[0] == '\0')
		return 0;
	if (bench_pstr(params, "latency_at", NULL) != NULL) {
		rpc_error(req, PROTO_E_TOPOLOGY, NULL,
			  "bench %s: the out port is on host %s: --latency-at "
			  "needs the sink's times on the sender's clock; bench "
			  "where both ports are",
			  r->plan->opts.name, sink);
		return -1;
	}
	if (strcmp(mode, "timeline") == 0 &&
	    bench_pint(params, "duration", 10) * 1000 /
		    bench_pint(params, "bin_ms", BENCH_BIN_MS_DEF) >
		BENCH_REMOTE_BINS_MAX) {
		rpc_error(req, PROTO_E_PARAMS, NULL,
			  "bench %s: the out port is on host %s: a timeline "
			  "from there has at most %d bins; take a longer "
			  "--bin-ms or a shorter --duration",
			  r->plan->opts.name, sink, BENCH_REMOTE_BINS_MAX);
		return -1;
	}
	return 0;
}

/* The record's "latency": measured, or not and why. */
static json_object *
bench_latency_json(const struct bench_op *op)
{
	json_object *o = json_object_new_object();
	char why[256];

	json_object_object_add(o, "measured",
			       json_object_new_boolean(!op->sink_host[0]));
	if (op->sink_host[0]) {
		msgf(why, sizeof(why),
		     "source on host %s, sink on host %s: their clocks "
		     "differ, so one-way latency is not measured (loss and "
		     "rates are: the sink counts there, per trial)",
		     conf->host_name, op->sink_host);
		json_object_object_add(o, "reason",
				       json_object_new_string(why));
	} else
		json_object_object_add(
		    o, "clock",
		    json_object_new_string("one host's CLOCK_MONOTONIC"));
	return o;
}

void
bench_method(struct rpc_req *req)
{
	json_object *params = rpc_params(req), *gen, *argv;
	struct bench_op *op = NULL;
	char vrgen[PATH_MAX], err[1024], when[32];
	struct hostinfo h;
	struct run *r;
	const struct node_kind_ops *k;
	int cpu, vm;

	if (sup_closing) {
		rpc_error(req, PROTO_E_BUSY, NULL, "vrouterd is shutting down");
		return;
	}
	if (bench_running) {
		rpc_error(req, PROTO_E_BUSY, NULL,
			  "a bench runs already: one at a time, they compete "
			  "for the CPUs they measure");
		return;
	}
	if ((r = sup_run_find(bench_pstr(params, "name", ""))) == NULL ||
	    r->state != RUN_RUNNING) {
		rpc_error(req, PROTO_E_NOT_FOUND, NULL,
			  "no running topology named %s (`vrctl status`)",
			  bench_pstr(params, "name", ""));
		return;
	}
	/* vrgen sends where the in port is: with it on another host, that
	 * host's vrouterd runs the bench (bench_fwd.c) */
	if (bench_forward(req, r))
		return;
	/* vrgen sends here; with the out port on another host that host's
	 * vrouterd runs the sink (bench_sink.c) and only counts come back:
	 * one-way latency across two clocks would not be comparable, so
	 * none is measured (bench_latency_json) */
	if (bench_where(req, r) == -1)
		return;
	if (bench_find_vrgen(vrgen, sizeof(vrgen)) == -1) {
		rpc_error(
		    req, PROTO_E_INTERNAL, NULL,
		    "vrgen not found (looked beside vrouterd, in the build "
		    "tree and in %s): install it with vrouterd",
		    VR_BINDIR);
		return;
	}
	if (hostinfo_read(&h, NULL) == -1) {
		rpc_error(req, PROTO_E_INTERNAL, NULL,
			  "cannot read host facts: %s", strerror(errno));
		return;
	}
	cpu = bench_cpu(params, r, &h);
	if (!CPU_ISSET(cpu, &h.online)) { /* vrgen could not pin to it */
		json_object *d = json_object_new_object();
		char on[CPULIST_MAX];

		json_object_object_add(d, "method",
				       json_object_new_string("bench"));
		json_object_object_add(d, "param",
				       json_object_new_string("cpu"));
		rpc_error(req, PROTO_E_PARAMS, d,
			  "bench: cpu: CPU %d is not online (online: %s)", cpu,
			  cpulist_format(&h.online, on, sizeof(on)));
		return;
	}
	op = xcalloc(1, sizeof(*op));
	op->rx_in[0] = op->rx_in[1] = -1;
	vr_strlcpy(op->name, r->plan->opts.name, sizeof(op->name));
	vr_strlcpy(op->sink_host, bench_sink_of(r, params),
		   sizeof(op->sink_host));
	if (bench_args(op, params, r, vrgen, cpu, err, sizeof(err)) == -1) {
		rpc_error(req, PROTO_E_PARAMS, NULL, "bench: %s", err);
		bench_op_free(op);
		return;
	}
	k = node_kind_get(r->plan->opts.backend);
	vm = k->no_guest == NULL; /* a guest: QEMU, libvirt, the image */
	op->trials = json_object_new_array();
	op->results = json_object_new_array();
	op->repeat = bench_pint(params, "repeat", 1);
	op->latency_at = json_object_new_array();
	op->marks_raw = json_object_new_array();
	op->timeline = strcmp(bench_pstr(params, "mode", ""), "timeline") == 0;
	op->record = json_object_new_object();
	json_object_object_add(op->record, "format", json_object_new_int(2));
	json_object_object_add(op->record, "kind",
			       json_object_new_string("vrouterd-bench"));
	json_object_object_add(op->record, "vrouterd_version",
			       json_object_new_string(VROUTERD_VERSION));
	json_object_object_add(op->record, "command",
			       bench_command(params, cpu));
	json_object_object_add(op->record, "topology", sup_run_json(r));
	json_object_object_add(op->record, "plan", topo_plan_to_json(r->plan));
	if (r->topology_text != NULL) /* a topology file: its text */
		json_object_object_add(
		    op->record, "topology_text",
		    json_object_new_string(r->topology_text));
	json_object_object_add(op->record, "host", host_json(&h));
	json_object_object_add(op->record, "versions", versions_json(&h, vm));
	json_object_object_add(op->record, "backend",
			       json_object_new_string(k->name));
	json_object_object_add(op->record, "accel",
			       json_object_new_string(!vm      ? "none"
						      : r->kvm ? "kvm"
							       : "tcg"));
	json_object_object_add(op->record, "accel_reason",
			       json_object_new_string(r->accel_reason));
	json_object_object_add(op->record, "vhost",
			       json_object_new_boolean(r->vhost));
	json_object_object_add(op->record, "vhost_reason",
			       json_object_new_string(r->vhost_reason));
	if (vm)
		json_object_object_add(op->record, "guest_image",
				       image_json(r));
	gen = json_object_new_object();
	argv = json_object_new_array();
	for (int i = 0; i < op->argc; i++)
		json_object_array_add(argv,
				      json_object_new_string(op->argv[i]));
	json_object_object_add(gen, "tool", json_object_new_string("vrgen"));
	json_object_object_add(gen, "argv", argv);
	json_object_object_add(gen, "cpu", json_object_new_int(cpu));
	json_object_object_add(gen, "sender_host",
			       json_object_new_string(conf->host_name));
	json_object_object_add(gen, "sink_host",
			       json_object_new_string(op->sink_host[0]
							  ? op->sink_host
							  : conf->host_name));
	json_object_object_add(op->record, "generator", gen);
	json_object_object_add(op->record, "latency", bench_latency_json(op));
	json_object_object_add(
	    op->record, "started_at",
	    json_object_new_string(iso_now(when, sizeof(when))));
	if (op->sink_host[0] &&
	    bench_rx_open(op, params, err, sizeof(err)) == -1) {
		rpc_error(req, PROTO_E_START, NULL,
			  "bench %s: the sink on host %s: %s", op->name,
			  op->sink_host, err);
		bench_op_free(op);
		return;
	}
	op->req = req;
	if (op->timeline) { /* before the job: it marks its first start */
		pthread_mutex_lock(&bench_mark_lock);
		bench_marking = op;
		pthread_mutex_unlock(&bench_mark_lock);
	}
	if (job_start(sup_base, bench_job, bench_progress, bench_done, op) ==
	    -1) {
		op->req = NULL;
		pthread_mutex_lock(&bench_mark_lock);
		bench_marking = NULL;
		pthread_mutex_unlock(&bench_mark_lock);
		rpc_error(req, PROTO_E_INTERNAL, NULL, "cannot start a job: %s",
			  strerror(errno));
		bench_op_free(op);
		return;
	}
	bench_running = 1;
	/* a caller gone stops vrgen at once: a sink elsewhere waits, and a
	 * coordinator that passed the bench on has closed its connection */
	if ((op->sink_host[0] || bench_forwarded(params)) &&
	    (op->alive_ev =
		 event_new(sup_base, -1, EV_PERSIST, bench_alive, op)) != NULL)
		event_add(op->alive_ev, &(struct timeval){1, 0});
	if (bench_pstr(params, "migrate", NULL) != NULL) {
		struct timeval tv = {bench_pint(params, "migrate_after", 2), 0};

		vr_strlcpy(op->mig_node, bench_pstr(params, "migrate", ""),
			   sizeof(op->mig_node));
		vr_strlcpy(op->mig_to, bench_pstr(params, "to", ""),
			   sizeof(op->mig_to));
		op->mig_ev = evtimer_new(sup_base, bench_mig_tick, op);
		if (op->mig_ev)
			evtimer_add(op->mig_ev, &tv);
	}
	log_info("%s: bench (%s) with %s on CPU %d", op->name,
		 bench_pstr(params, "mode", ""), vrgen, cpu);
	/* A word at once, before the first trial ends: the caller knows the
	 * call is under way (vrctl's --timeout waits for a first line). */
	gen = json_object_new_object();
	json_object_object_add(gen, "step", json_object_new_string("bench"));
	msgf(err, sizeof(err), "%s: %s started, vrgen on CPU %d", op->name,
	     bench_pstr(params, "mode", ""), cpu);
	json_object_object_add(gen, "message", json_object_new_string(err));
	rpc_notify(req, "progress", gen);
	if (op->sink_host[0]) { /* say it before the first trial */
		gen = json_object_new_object();
		json_object_object_add(gen, "step",
				       json_object_new_string("latency"));
		msgf(err, sizeof(err), "latency not measured: %s",
		     json_object_get_string(json_object_object_get(
			 json_object_object_get(op->record, "latency"),
			 "reason")));
		json_object_object_add(gen, "message",
				       json_object_new_string(err));
		rpc_notify(req, "progress", gen);
	}
}
