/*
 * vrctl: the command table, the client connection and the output
 * interface (a text and a JSON implementation, as bgpctl's struct output).
 */
#ifndef VRCTL_H
#define VRCTL_H

#include <getopt.h>

#include <json-c/json.h>
#include <sched.h>

#include "proto.h"

enum { OPT_JSON = 256, OPT_HELP, OPT_FIRST_VERB };

/* Exit codes. */
#define VRCTL_OK       0
#define VRCTL_EDAEMON  1 /* the daemon answered with an error */
#define VRCTL_EUSAGE   2
#define VRCTL_ECONNECT 3 /* cannot connect, or the connection was lost */

/*
 * The largest file of each kind vrctl reads (a larger one is refused, never
 * cut; so are FIFOs and devices).  Topology files: TOPO_FILE_MAX (topo.h),
 * the daemon's bound for topology_text too.
 */
#define VRCTL_EXPERIMENT_MAX (1024 * 1024) /* an experiment file */
#define VRCTL_RECORD_MAX     (64 << 20)	   /* a bench record */

struct output {
	void (*version)(json_object *result);
	void (*status)(json_object *result);
	void (*started)(json_object *result);
	void (*stopped)(json_object *result);
	void (*topologies)(json_object *result); /* `topology` without NAME */
	void (*plan)(json_object *result);
	void (*cleaned)(json_object *result);	/* cleanup */
	void (*autostart)(json_object *result); /* autostart list/add/remove */
	void (*event)(json_object *params);	/* one `watch` notification */
	void (*error)(json_object *error);
	void (*list)(json_object *list);    /* `list`: ctl_list_from_status() */
	void (*hosts)(json_object *result); /* `hosts` */
	void (*migrated)(json_object *result); /* `migrate` */
	/* A progress notification of a long call, on stderr; NULL: the
	 * client's default line (client.c).  JSON: one JSON line each. */
	void (*progress)(json_object *msg);
};

extern const struct output text_output;
extern const struct output json_output;

struct ctl_command;

struct vrctl {
	const struct ctl_command *cmd; /* the verb being run (vrctl.c) */
	const char *socket;
	const struct output *out;
	int json;
	int dot;	   /* `topology NAME --dot` */
	int has_host_cpus; /* `topology NAME --host-cpus N|LIST` */
	cpu_set_t host_cpus;
};

/* Long-only options of start/topology (topology files, issue 4). */
enum {
	OPT_TOPO_VRS = 1100,
	OPT_TOPO_BACKENDS,
	OPT_TOPO_LBS,
	OPT_TOPO_DOT,
	OPT_TOPO_HOST_CPUS,
	/* the NIC and guest axes (issue 14) */
	OPT_TOPO_NIC_MODEL,
	OPT_TOPO_VHOST,
	OPT_TOPO_MACVTAP_MODE,
	OPT_TOPO_LB_MODE,
	OPT_TOPO_SPLIT,
	OPT_TOPO_GUEST_TXQ,
	OPT_TOPO_GUEST_CMDLINE,
	OPT_TOPO_CPU_MODEL,
	/* placement (issue 14) */
	OPT_TOPO_VHOST_CPU,
	OPT_TOPO_VHOST_RT,
	OPT_TOPO_HUGEPAGES,
	OPT_TOPO_DEADLINE,
	OPT_TOPO_VHOST_DEADLINE,
	OPT_TOPO_FIB_ROUTES, /* issue 17 */
	OPT_TOPO_ROUTING
};

/* The "axes" rows of issue 14 (lib/topo_axes.c), numbered apart. */
enum {
	OPT_AXES_QUEUES = 1200,
	OPT_AXES_ZCOPY,
	OPT_AXES_QEMU_ARG,
	OPT_AXES_IRQ_CPUS,
	OPT_AXES_PAUSE
};

struct ctl_command {
	const char *name;
	int (*handler)(struct vrctl *, int, char **);
	const char *usage; /* arguments after the verb */
	const char *help;  /* one line; option details follow in usage() */
};

extern const struct ctl_command ctl_commands[];

void ctl_usage(const struct ctl_command *cmd, int to_stderr);

/*
 * One call: connect, send, print progress notifications to stderr, and
 * return the daemon's answer.  On success *result or *error (owned by the
 * caller) is set and the return is 0; -1 when the daemon could not be
 * reached or went away (message printed, exit VRCTL_ECONNECT).
 */
extern void (*client_notify_hook)(json_object *msg);

/* Seconds the daemon may stay silent (client.c); 0 = no limit. */
#define CLIENT_TIMEOUT_DEFAULT 30
#define CLIENT_TIMEOUT_ENV     "VRCTL_TIMEOUT"
#define CLIENT_TIMEOUT_MAX     86400
extern int client_timeout;
/* --readonly: connect to the read-only socket beside the socket given. */
extern int client_readonly;

/* Connect to a socket path (bounded by client_timeout): the fd, or -1 with
 * errno set, nothing printed. */
/* Read topology file path (regular, bounded, one JSON value) into params'
 * "topology_text", its absolute path as "topology"; 0, or -1 said. */
int ctl_topo_file(json_object *params, const char *path);
int client_connect_path(const char *path);
int client_call(const char *socket, enum proto_method_id method,
		json_object *params, json_object **result, json_object **error);
/* The same, and *fdp receives the fd the daemon passed with its answer
 * (SCM_RIGHTS), or -1 when it passed none. */
int client_call_fd(const char *socket, enum proto_method_id method,
		   json_object *params, json_object **result,
		   json_object **error, int *fdp);

/* One call; VRCTL_OK with *result (the caller's), or the exit code with
 * the error printed through v->out.  JSON progress lines with --json. */
int ctl_call(struct vrctl *v, enum proto_method_id method, json_object *params,
	     json_object **result);
/* An error of vrctl's own ({"code", "message"}), for out->error. */
json_object *ctl_error_new(int code, const char *msg);
/* Run a call and print its answer through out->print; the exit code. */
int ctl_run(struct vrctl *v, enum proto_method_id method, json_object *params,
	    void (*print)(json_object *));

/* Helpers for the text renderers: a member as a string ("-" if absent). */
const char *j_str(json_object *o, const char *key);
/* v's string for a terminal: control characters escaped (in place). */
const char *j_text(json_object *v);
long long j_int(json_object *o, const char *key, long long dflt);
int j_bool(json_object *o, const char *key);
json_object *j_get(json_object *o, const char *key);

/* Supervision verbs (commands_sup.c). */
int ctl_watch(struct vrctl *v, int argc, char **argv);
int ctl_cleanup(struct vrctl *v, int argc, char **argv);
int ctl_autostart(struct vrctl *v, int argc, char **argv);
/* start/topology option parsing, shared with `autostart add`. */
json_object *ctl_topo_params(struct vrctl *v, const struct ctl_command *cmd,
			     enum proto_method_id method, int argc,
			     char **argv);
/* The options every command takes (getopt_long entries; short "s:h"),
 * handled by ctl_common_opt(). */
/* clang-format off */
#define CTL_COMMON_LONGOPTS                                                    \
	{"socket", required_argument, NULL, 's'},                              \
	{"json", no_argument, NULL, OPT_JSON},                                 \
	{"help", no_argument, NULL, OPT_HELP}
/* clang-format on */
int ctl_common_opt(struct vrctl *v, const struct ctl_command *cmd, int ch);
/* Parse ARG as an integer into params[key]; -1 (said on stderr) if it is
 * not one.  The range is the protocol table's to check. */
int ctl_int(json_object *params, const char *key, const char *arg);
int ctl_noargs(struct vrctl *v, const struct ctl_command *cmd, int argc,
	       char **argv);
const struct ctl_command *ctl_command_find(const char *name);

void show_topology(json_object *t); /* a running topology (status, start) */
void show_status(json_object *r);
const char *show_uptime(long long s, char *buf, size_t len); /* "1m05s" */

/* `list` (show_list.c): one object per running topology, from the status
 * result: {"topologies": [{"name", "topology", "backend", "nodes",
 * "state", "uptime_s", "accel"}]}; and its table. */
json_object *ctl_list_from_status(json_object *status);
void show_list(json_object *list);
/* experiment's run as context of JSON progress lines (NULL: none). */
extern json_object *ctl_progress_context;

/* `topology NAME` planned by vrctl itself (topology_local.c): when
 * vrouterd does not answer, or for --host-cpus (host_cpus: those online,
 * none isolated; NULL: this machine's).  The result has the daemon's
 * shape plus "planned_by" and "host".  Takes params; 0, or -1 with
 * *error (code, message) set. */
int ctl_socket_probe(const char *socket);
int ctl_host_cpus_parse(const char *arg, cpu_set_t *set);
int ctl_topology_local(json_object *params, const cpu_set_t *host_cpus,
		       json_object **result, json_object **error);
void show_plan(json_object *r);
void show_plan_dot(json_object *r); /* `topology NAME --dot` */

/* Other hosts (hosts.c): `hosts` and its table, `proxy`. */
int ctl_hosts(struct vrctl *v, int argc, char **argv);
int ctl_proxy(struct vrctl *v, int argc, char **argv);
void show_hosts(json_object *r);
int ctl_migrate(struct vrctl *v, int argc, char **argv);
void show_migrated(json_object *r);

/* Link and node verbs: capture.c, console.c. */
int ctl_capture(struct vrctl *v, int argc, char **argv);
int ctl_console(struct vrctl *v, int argc, char **argv);
/* `bench --replay DIR`, `experiment --replay DIR` (replay.c). */
int replay_wanted(int argc, char **argv); /* --replay among the options */
int replay_bench(struct vrctl *v, int argc, char **argv);
int replay_experiment(struct vrctl *v, int argc, char **argv);
/* What differs between two records' environments (host, image, versions),
 * as [{"what", "recorded", "replay"}], and that list printed (replay_env.c). */
json_object *replay_env_diff(json_object *was, json_object *now);
void replay_env_print(json_object *diff);

/* bench, bench compare, experiment (bench.c; docs/bench.md). */
int ctl_bench(struct vrctl *v, int argc, char **argv);
int ctl_experiment(struct vrctl *v, int argc, char **argv);

/* One run in words and tables, for a person (bench_text.c): the record's
 * trials, its answer and where its files are (plot_rv: figures.c's). */
void bench_print_text(json_object *record, const char *dir, int plot_rv);
/* "[lo, hi]" of a summary.c stats object ("-" when n = 1), into buf. */
void ci_fmt(char *buf, size_t len, json_object *stats, int decimals);

/* Shared by bench.c and experiment.c. */
struct bench_run {
	json_object *record; /* owned */
	char dir[4096];
	char label[256];
};
extern char bench_progress_tag[160]; /* "run 2/4 (cores=2): " */
void bench_notify(json_object *msg); /* client_notify_hook */
int bench_params_check(json_object *params, char *err, size_t len);
json_object *bench_cli(int argc, char **argv); /* {"argv","cwd"} */
int bench_dir_prepare(const char *dir, const char *marker, int *made);
void bench_iso_now(char *buf, size_t len);
void bench_stamp_now(char *buf, size_t len);
int bench_call(struct vrctl *v, const struct output *eout, json_object *params,
	       json_object *cli, const char *dir, json_object **recp,
	       int *plot_rv);
/* `bench compare DIR...` (compare.c). */
int bench_compare(struct vrctl *v, const struct ctl_command *cmd, int argc,
		  char **argv);
json_object *bench_compare_runs(struct bench_run *r, size_t n, const char *svg,
				int json, int quiet);

/* Progress of a bench call and of an experiment's runs (progress.c):
 * "3/20 (0:42, ~3:30 left)". */
void progress_begin(json_object *params);
void progress_trial(char *buf, size_t len, long long i);
double progress_start(void);
void progress_runs(char *buf, size_t len, long long done, long long n,
		   double t0);

/* A run in words, field by field (run_desc.c), for titles and labels. */
enum {
	BENCH_TOPO,
	BENCH_BACKEND,
	BENCH_CORES,
	BENCH_PIN,
	BENCH_LINK,
	BENCH_ACCEL,
	BENCH_TRAFFIC,
	BENCH_MODE,
	BENCH_DESC_N
};
#define BENCH_DESC_ALL ((1u << BENCH_DESC_N) - 1)
struct bench_desc {
	char f[BENCH_DESC_N][96];
};
void bench_describe(json_object *record, struct bench_desc *d);
const char *bench_desc_name(int field);
char *bench_desc_join(const struct bench_desc *d, unsigned mask,
		      const char *sep, char *buf, size_t len);
/* Append to buf (len bytes) at *pos; cut short at the end. */
void bench_appendf(char *buf, size_t len, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
double j_num(json_object *o, const char *key, double dflt);
const char *bench_trial_phase(json_object *trial);
/* ndr_pps / pdr_pps of a record (*what "NDR"/"PDR"), or -1. */
double bench_answer(json_object *record, const char **what);
/* Run files (figures.c): 0; 1 when only the plot is missing; -1. */
int bench_write_csv(const char *path, json_object *record);
int bench_save_dir(const char *dir, json_object *record);
/* A record of mode timeline: its figure is timeline.svg (received rate
 * against time), its text the gap and the marks. */
int bench_is_timeline(json_object *record);
int plot_svg(const char *svg_path, const char *title, json_object **records,
	     const char *const *labels, size_t n);
/* An experiment's figures (answers, speedup) and trials.csv (figures.c). */
int plot_experiment(const char *dir, const char *name,
		    const struct bench_run *r, size_t n);
/* Tables (csv.c): trials.csv; frame bytes with FCS (-1 unknown); Gbps
 * (l1: + 20 B preamble and gap per frame; -1 unknown); a trial's latency. */
int bench_write_trials_csv(const char *path, const struct bench_run *r,
			   size_t n);
double bench_frame_bytes(json_object *record, json_object *trial);
double bench_gbps(double pps, double bytes, int l1);
json_object *bench_trial_latency(json_object *trial);
json_object *bench_run_matrix(json_object *record);

/*
 * `vrctl __complete ...` for shell completion (complete.c).  Every verb's
 * getopt_long goes through ctl_getopt_long, which under `__complete
 * options VERB` prints the verb's long options and exits: a verb's option
 * table is the one its handler parses with, and a new verb is covered
 * without a word here.
 */
int ctl_complete(struct vrctl *v, int argc, char **argv,
		 const struct option *global);
int ctl_getopt_long(int argc, char *const argv[], const char *shortopts,
		    const struct option *longopts, int *longindex);
#define getopt_long ctl_getopt_long

#endif
