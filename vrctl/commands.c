/*
 * The verbs: one small function each, in the table vrctl.c dispatches on.
 * Options become the method's params; they are checked against the same
 * table (lib/proto.c) the daemon uses, so a typo is a usage error here.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jtext.h"
#include "proto.h"
#include "topo.h"
#include "util.h"
#include "vrctl.h"

static int ctl_version(struct vrctl *, int, char **);
static int ctl_status(struct vrctl *, int, char **);
static int ctl_list(struct vrctl *, int, char **);
static int ctl_start(struct vrctl *, int, char **);
static int ctl_stop(struct vrctl *, int, char **);
static int ctl_topology(struct vrctl *, int, char **);

#define TOPO_USAGE                                                             \
	"[--cores N] [--memory MIB] [--pin] [--rt PRIO]\n"                     \
	"        [--smt avoid|share]\n"                                        \
	"        [--accel auto|kvm|tcg] [--link tap|macvtap]\n"                \
	"        [--backend vm|netns] [--nic-model virtio|e1000|e1000e]\n"     \
	"        [--vhost auto|on|off]\n"                                      \
	"        [--macvtap-mode bridge|vepa|private|passthru]\n"              \
	"        [--lb-mode flow|packet] [--split host|macvtap]\n"             \
	"        [--guest-txqueuelen N] [--guest-cmdline ARGS]\n"              \
	"        [--cpu-model MODEL]\n"                                        \
	"        [--vhost-cpu housekeeping|vcpu|dedicated] [--vhost-rt "       \
	"PRIO]\n"                                                              \
	"        [--hugepages]\n"                                              \
	"        [--deadline RUNTIME/PERIOD]\n"                                \
	"        [--vhost-deadline RUNTIME/PERIOD]\n"                          \
	"        [--queues N] [--vhost-zerocopy on|off] [--qemu-arg ARG]...\n" \
	"        [--irq-cpus LIST] [--pause off|keep]\n"                       \
	"        [--fib-routes N] [--routing static|ospf|bgp]\n"               \
	"        [--ports test|in=IF,out=IF] [--image DIR] [--name NAME]\n"    \
	"        [--timeout SEC] [--cpus LIST] [--txqueuelen N]\n"             \
	"        [--restart never|on-failure] [--restart-limit N]\n"           \
	"        [--vrs K] [--backends K] [--lbs K] [-f FILE]"

const struct ctl_command ctl_commands[] = {
    {"version", ctl_version, "",
     "print the daemon's and the protocol's version"},
    {"status", ctl_status, "[NAME]",
     "show the daemon, the host, and every running topology (or NAME)"},
    {"list", ctl_list, "", "one line per running topology"},
    {"start", ctl_start, "TOPOLOGY " TOPO_USAGE,
     "start a topology (built-in name or topology file; one placed across "
     "hosts from its coordinator, each host pinning its own nodes)"},
    {"stop", ctl_stop, "NAME | --all", "stop a topology, or all of them"},
    {"topology", ctl_topology,
     "[NAME " TOPO_USAGE "\n        [--dot] [--host-cpus N|LIST]]",
     "list topologies, or show the plan for NAME without starting it"},
    {"watch", ctl_watch, "[--count N]",
     "stream state changes (topologies, nodes, libvirt) as they happen"},
    {"console", ctl_console, "NAME NODE [--force]",
     "attach to a guest's serial console (virsh console; ^] leaves)"},
    {"capture", ctl_capture, "NAME LINK [-w FILE.pcap] [-c N]",
     "capture packets on a link (in, out, NET, NODE.IF) as pcap"},
    {"cleanup", ctl_cleanup, "[--dry-run]",
     "remove vrouterd's leftovers that belong to no running topology; "
     "ask other hosts again to stop parts of a start that never finished"},
    {"autostart", ctl_autostart,
     "list | add TOPOLOGY [start options] | remove NAME",
     "the topologies vrouterd starts when it starts (across hosts too, "
     "on the coordinator)"},
    {"bench", ctl_bench,
     "NAME --sweep FROM:TO:STEP|R1,R2,... | --ndr [--loss RATIO]\n"
     "        | --mode timeline --rate PPS [--bin-ms MS]\n"
     "        | --migrate NODE --to HOST --rate PPS [--bin-ms MS]\n"
     "        [--frame 64..1518|imix] [--flows F] [--duration SEC]\n"
     "        [--trial-duration SEC] [--max-rate PPS] [--cpu N]\n"
     "        [--latency-at P1,P2,...] [--tx auto|packet|xdp] [--repeat N]\n"
     "        [--out DIR]\n"
     "   or: vrctl bench compare DIR... [--out FILE.svg] [--label L1,L2,...]\n"
     "   or: vrctl bench --replay DIR [--out DIR] [--name NAME] [--image DIR]\n"
     "        [--cpu N] [--force]",
     "measure a running topology: offered-load sweep, NDR/PDR search or "
     "timeline"},
    {"experiment", ctl_experiment,
     "FILE [--out DIR] [--dry-run]\n"
     "   or: vrctl experiment --replay DIR [--out DIR] [--image DIR] [--force]",
     "run a matrix of start options, each benchmarked, then compare"},
    {"hosts", ctl_hosts, "",
     "this host and each configured one: reachable, version, CPUs, round "
     "trip"},
    {"migrate", ctl_migrate, "NAME NODE --to HOST [--offline]",
     "move a running node to another host (libvirt live migration) or "
     "back"},
    {"proxy", ctl_proxy, "[--socket PATH]",
     "relay stdin/stdout to vrouterd's socket (what `ssh HOST vrctl "
     "proxy` runs)"},
    {NULL, NULL, NULL, NULL},
};

const struct ctl_command *
ctl_command_find(const char *name)
{
	for (const struct ctl_command *c = ctl_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* -s and --json are accepted after the verb as well. */
int
ctl_common_opt(struct vrctl *v, const struct ctl_command *cmd, int ch)
{
	switch (ch) {
	case 's':
		v->socket = optarg;
		return 1;
	case OPT_JSON:
		v->json = 1;
		v->out = &json_output;
		return 1;
	case OPT_HELP:
	case 'h':
		ctl_usage(cmd, 0);
		exit(VRCTL_OK);
	}
	return 0;
}

int
ctl_noargs(struct vrctl *v, const struct ctl_command *cmd, int argc,
	   char **argv)
{
	static const struct option opts[] = {
	    CTL_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int ch;

	optind = 0; /* glibc: re-initialise after main()'s "+" scan */
	while ((ch = getopt_long(argc, argv, "s:h", opts, NULL)) != -1)
		if (!ctl_common_opt(v, cmd, ch))
			goto usage;
	if (optind != argc)
		goto usage;
	return 0;
usage:
	ctl_usage(cmd, 1);
	return -1;
}

static int
ctl_version(struct vrctl *v, int argc, char **argv)
{
	if (ctl_noargs(v, v->cmd, argc, argv) == -1)
		return VRCTL_EUSAGE;
	return ctl_run(v, METHOD_VERSION, NULL, v->out->version);
}

/* The running topology NAME in a status result, or NULL. */
static json_object *
ctl_status_find(json_object *status, const char *name)
{
	json_object *t = j_get(status, "topologies");

	for (size_t i = 0;
	     t != NULL && json_object_is_type(t, json_type_array) &&
	     i < json_object_array_length(t);
	     i++)
		if (strcmp(j_str(json_object_array_get_idx(t, i), "name"),
			   name) == 0)
			return json_object_array_get_idx(t, i);
	return NULL;
}

/* An error of vrctl's own, in the shape of the daemon's. */
json_object *
ctl_error_new(int code, const char *msg)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, "code", json_object_new_int(code));
	json_object_object_add(e, "message", json_object_new_string(msg));
	return e;
}

/* Print error (taken) as the daemon's are; VRCTL_EDAEMON. */
static int
ctl_error(struct vrctl *v, json_object *error)
{
	v->out->error(error);
	json_object_put(error);
	return VRCTL_EDAEMON;
}

/* `status [NAME]`: everything, or that running topology only. */
static int
ctl_status(struct vrctl *v, int argc, char **argv)
{
	static const struct option opts[] = {
	    CTL_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	json_object *result, *t;
	char msg[256];
	int ch, rv;

	optind = 0; /* glibc: re-initialise after main()'s "+" scan */
	while ((ch = getopt_long(argc, argv, "s:h", opts, NULL)) != -1)
		if (!ctl_common_opt(v, v->cmd, ch))
			goto usage;
	if (argc - optind > 1)
		goto usage;
	if (argc - optind == 0)
		return ctl_run(v, METHOD_STATUS, NULL, v->out->status);
	if ((rv = ctl_call(v, METHOD_STATUS, NULL, &result)) != VRCTL_OK)
		return rv;
	if ((t = ctl_status_find(result, argv[optind])) != NULL)
		v->out->started(t); /* one topology, as `start` shows it */
	else {
		snprintf(msg, sizeof(msg),
			 "no topology named \"%.64s\" is running (`vrctl list` "
			 "shows those that are)",
			 argv[optind]);
		rv = ctl_error(v, ctl_error_new(PROTO_E_NOT_FOUND, msg));
	}
	json_object_put(result);
	return rv;
usage:
	ctl_usage(v->cmd, 1);
	return VRCTL_EUSAGE;
}

/* `list`: the status result, one line per topology. */
static int
ctl_list(struct vrctl *v, int argc, char **argv)
{
	json_object *result, *list;
	int rv;

	if (ctl_noargs(v, v->cmd, argc, argv) == -1)
		return VRCTL_EUSAGE;
	if ((rv = ctl_call(v, METHOD_STATUS, NULL, &result)) != VRCTL_OK)
		return rv;
	list = ctl_list_from_status(result);
	v->out->list(list);
	json_object_put(list);
	json_object_put(result);
	return VRCTL_OK;
}

/* The daemon runs in "/": hand it absolute paths. */
static json_object *
ctl_abspath(const char *p)
{
	char cwd[PATH_MAX];
	json_object *o;
	char *s;

	if (*p == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return json_object_new_string(p);
	s = xasprintf("%s/%s", cwd, p);
	o = json_object_new_string(s);
	free(s);
	return o;
}

int
ctl_int(json_object *params, const char *key, const char *arg)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || errno != 0) {
		fprintf(stderr, "vrctl: %s: not a number: %s\n", key, arg);
		return -1;
	}
	json_object_object_add(params, key, json_object_new_int64(n));
	return 0;
}

/*
 * -f FILE: the client reads the topology file (with its own permissions)
 * and sends its contents as "topology_text", with its absolute path as
 * "topology" (for messages and the plan).  The daemon never opens it.
 * A regular file of at most TOPO_FILE_MAX bytes, one JSON value (jtext.h):
 * refused here, with the file's name, rather than cut or sent as it is.
 */
int
ctl_topo_file(json_object *params, const char *path)
{
	char err[512], *text;
	json_object *j;

	if ((j = jtext_readat(AT_FDCWD, path, 0, NULL, TOPO_FILE_MAX, &text,
			      NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "vrctl: %s\n", err);
		return -1;
	}
	json_object_put(j);
	json_object_object_add(params, "topology", ctl_abspath(path));
	json_object_object_add(params, "topology_text",
			       json_object_new_string(text));
	free(text);
	return 0;
}

/* An option of the "axes" rows (lib/topo_axes.c) into params: --qemu-arg
 * appends to the "qemu_args" array, the others set their key. */
static int
ctl_axes_opt(json_object *params, int ch, const char *arg)
{
	json_object *a;

	switch (ch) {
	case OPT_AXES_QUEUES:
		return ctl_int(params, "queues", arg);
	case OPT_AXES_QEMU_ARG:
		if (!json_object_object_get_ex(params, "qemu_args", &a)) {
			a = json_object_new_array();
			json_object_object_add(params, "qemu_args", a);
		}
		json_object_array_add(a, json_object_new_string(arg));
		return 0;
	default:
		json_object_object_add(params,
				       ch == OPT_AXES_ZCOPY ? "vhost_zerocopy"
				       : ch == OPT_AXES_IRQ_CPUS ? "irq_cpus"
								 : "pause",
				       json_object_new_string(arg));
		return 0;
	}
}

/*
 * The options shared by start and topology.  *topology receives the
 * positional argument (NULL when none).  Returns params or NULL (usage).
 */
json_object *
ctl_topo_params(struct vrctl *v, const struct ctl_command *cmd,
		enum proto_method_id method, int argc, char **argv)
{
	static const struct option opts[] = {
	    CTL_COMMON_LONGOPTS,
	    {"cores", required_argument, NULL, 'c'},
	    {"memory", required_argument, NULL, 'm'},
	    {"pin", no_argument, NULL, 'p'},
	    {"rt", required_argument, NULL, 'r'},
	    {"smt", required_argument, NULL, 'S'},
	    {"accel", required_argument, NULL, 'a'},
	    {"link", required_argument, NULL, 'l'},
	    {"backend", required_argument, NULL, 'B'},
	    {"ports", required_argument, NULL, 'P'},
	    {"image", required_argument, NULL, 'i'},
	    {"name", required_argument, NULL, 'n'},
	    {"timeout", required_argument, NULL, 't'},
	    {"cpus", required_argument, NULL, 'C'},
	    {"txqueuelen", required_argument, NULL, 'q'},
	    {"restart", required_argument, NULL, 'R'},
	    {"restart-limit", required_argument, NULL, 'L'},
	    {"file", required_argument, NULL, 'f'},
	    {"vrs", required_argument, NULL, OPT_TOPO_VRS},
	    {"backends", required_argument, NULL, OPT_TOPO_BACKENDS},
	    {"lbs", required_argument, NULL, OPT_TOPO_LBS},
	    {"nic-model", required_argument, NULL, OPT_TOPO_NIC_MODEL},
	    {"vhost", required_argument, NULL, OPT_TOPO_VHOST},
	    {"macvtap-mode", required_argument, NULL, OPT_TOPO_MACVTAP_MODE},
	    {"lb-mode", required_argument, NULL, OPT_TOPO_LB_MODE},
	    {"split", required_argument, NULL, OPT_TOPO_SPLIT},
	    {"guest-txqueuelen", required_argument, NULL, OPT_TOPO_GUEST_TXQ},
	    {"guest-cmdline", required_argument, NULL, OPT_TOPO_GUEST_CMDLINE},
	    {"cpu-model", required_argument, NULL, OPT_TOPO_CPU_MODEL},
	    {"vhost-cpu", required_argument, NULL, OPT_TOPO_VHOST_CPU},
	    {"vhost-rt", required_argument, NULL, OPT_TOPO_VHOST_RT},
	    {"hugepages", no_argument, NULL, OPT_TOPO_HUGEPAGES},
	    {"deadline", required_argument, NULL, OPT_TOPO_DEADLINE},
	    {"vhost-deadline", required_argument, NULL,
	     OPT_TOPO_VHOST_DEADLINE},
	    {"queues", required_argument, NULL, OPT_AXES_QUEUES},
	    {"vhost-zerocopy", required_argument, NULL, OPT_AXES_ZCOPY},
	    {"qemu-arg", required_argument, NULL, OPT_AXES_QEMU_ARG},
	    {"irq-cpus", required_argument, NULL, OPT_AXES_IRQ_CPUS},
	    {"pause", required_argument, NULL, OPT_AXES_PAUSE},
	    {"fib-routes", required_argument, NULL, OPT_TOPO_FIB_ROUTES},
	    {"routing", required_argument, NULL, OPT_TOPO_ROUTING},
	    {"dot", no_argument, NULL, OPT_TOPO_DOT},
	    {"host-cpus", required_argument, NULL, OPT_TOPO_HOST_CPUS},
	    {NULL, 0, NULL, 0},
	};
	json_object *params = json_object_new_object();
	const char *file = NULL;
	char err[512];
	int ch, rv = 0;

	optind = 0; /* glibc: re-initialise after main()'s "+" scan */
	while ((ch = getopt_long(argc, argv, "s:hf:", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case OPT_TOPO_VRS:
		case OPT_TOPO_BACKENDS:
		case OPT_TOPO_LBS:
			rv = ctl_int(params,
				     ch == OPT_TOPO_VRS	       ? "vrs"
				     : ch == OPT_TOPO_BACKENDS ? "backends"
							       : "lbs",
				     optarg);
			break;
		case OPT_TOPO_DOT:
			v->dot = 1;
			break;
		case OPT_AXES_QUEUES:
		case OPT_AXES_ZCOPY:
		case OPT_AXES_QEMU_ARG:
		case OPT_AXES_IRQ_CPUS:
		case OPT_AXES_PAUSE:
			rv = ctl_axes_opt(params, ch, optarg);
			break;
		case OPT_TOPO_GUEST_TXQ:
			rv = ctl_int(params, "guest_txqueuelen", optarg);
			break;
		case OPT_TOPO_VHOST_RT:
			rv = ctl_int(params, "vhost_rt", optarg);
			break;
		case OPT_TOPO_HUGEPAGES:
			json_object_object_add(params, "hugepages",
					       json_object_new_boolean(1));
			break;
		case OPT_TOPO_FIB_ROUTES:
			rv = ctl_int(params, "fib_routes", optarg);
			break;
		case OPT_TOPO_ROUTING:
			json_object_object_add(params, "routing",
					       json_object_new_string(optarg));
			break;
		case OPT_TOPO_NIC_MODEL:
		case OPT_TOPO_VHOST:
		case OPT_TOPO_MACVTAP_MODE:
		case OPT_TOPO_LB_MODE:
		case OPT_TOPO_SPLIT:
		case OPT_TOPO_GUEST_CMDLINE:
		case OPT_TOPO_CPU_MODEL:
		case OPT_TOPO_VHOST_CPU:
			json_object_object_add(
			    params,
			    ch == OPT_TOPO_NIC_MODEL	   ? "nic_model"
			    : ch == OPT_TOPO_VHOST	   ? "vhost"
			    : ch == OPT_TOPO_MACVTAP_MODE  ? "macvtap_mode"
			    : ch == OPT_TOPO_LB_MODE	   ? "lb_mode"
			    : ch == OPT_TOPO_SPLIT	   ? "split"
			    : ch == OPT_TOPO_GUEST_CMDLINE ? "guest_cmdline"
			    : ch == OPT_TOPO_VHOST_CPU	   ? "vhost_cpu"
							   : "cpu_model",
			    json_object_new_string(optarg));
			break;
		case OPT_TOPO_DEADLINE:
		case OPT_TOPO_VHOST_DEADLINE:
			json_object_object_add(params,
					       ch == OPT_TOPO_DEADLINE
						   ? "deadline"
						   : "vhost_deadline",
					       json_object_new_string(optarg));
			break;
		case OPT_TOPO_HOST_CPUS: /* a preview: `topology` only */
			if (method != METHOD_TOPOLOGY) {
				fprintf(stderr,
					"vrctl: --host-cpus previews a "
					"plan: `vrctl topology` only\n");
				goto usage;
			}
			if (ctl_host_cpus_parse(optarg, &v->host_cpus) == -1)
				goto usage;
			v->has_host_cpus = 1;
			break;
		case 'c':
			rv = ctl_int(params, "cores", optarg);
			break;
		case 'm':
			rv = ctl_int(params, "memory_mib", optarg);
			break;
		case 'p':
			json_object_object_add(params, "pin",
					       json_object_new_boolean(1));
			break;
		case 'r':
			rv = ctl_int(params, "rt", optarg);
			break;
		case 't':
			rv = ctl_int(params, "timeout", optarg);
			break;
		case 'q':
			rv = ctl_int(params, "txqueuelen", optarg);
			break;
		case 'R':
			json_object_object_add(params, "restart",
					       json_object_new_string(optarg));
			break;
		case 'L':
			rv = ctl_int(params, "restart_limit", optarg);
			break;
		case 'a':
		case 'l':
		case 'B':
		case 'P':
		case 'n':
		case 'C':
		case 'S':
			json_object_object_add(params,
					       ch == 'a'   ? "accel"
					       : ch == 'S' ? "smt"
					       : ch == 'l' ? "link"
					       : ch == 'B' ? "backend"
					       : ch == 'P' ? "ports"
					       : ch == 'n' ? "name"
							   : "cpus",
					       json_object_new_string(optarg));
			break;
		case 'i':
			json_object_object_add(params, "image",
					       ctl_abspath(optarg));
			break;
		default:
			if (!ctl_common_opt(v, cmd, ch))
				goto usage;
		}
		if (rv == -1)
			goto usage;
	}
	if (argc - optind > 1 || (file != NULL && argc - optind > 0))
		goto usage;
	if (argc - optind == 1) {
		const char *t = argv[optind];
		size_t n = strlen(t);

		if (strchr(t, '/') != NULL ||
		    (n > 5 && strcmp(t + n - 5, ".json") == 0))
			file = t; /* a path: as -f */
		else
			json_object_object_add(params, "topology",
					       json_object_new_string(t));
	}
	if (file != NULL) {
		if (ctl_topo_file(params, file) == -1) {
			json_object_put(params);
			return NULL;
		}
	} else if (argc - optind == 1)
		;
	else if (json_object_object_length(params) > 0 ||
		 method == METHOD_START)
		goto usage; /* options need a topology */
	if (proto_params_check(&proto_methods[method], params, err,
			       sizeof(err)) != 0) {
		fprintf(stderr, "vrctl: %s\n", err);
		goto usage;
	}
	return params;
usage:
	json_object_put(params);
	ctl_usage(cmd, 1);
	return NULL;
}

static int
ctl_start(struct vrctl *v, int argc, char **argv)
{
	json_object *params;

	if ((params = ctl_topo_params(v, v->cmd, METHOD_START, argc, argv)) ==
	    NULL)
		return VRCTL_EUSAGE;
	return ctl_run(v, METHOD_START, params, v->out->started);
}

/*
 * `topology [NAME]`: the daemon plans with its host's CPUs and its
 * configuration; when it does not answer, or for a --host-cpus preview,
 * vrctl plans itself (the planner is lib/'s) and says so on stderr.
 */
static int
ctl_topology(struct vrctl *v, int argc, char **argv)
{
	json_object *params, *result, *error;
	void (*print)(json_object *);
	int listing, preview;

	if ((params = ctl_topo_params(v, v->cmd, METHOD_TOPOLOGY, argc,
				      argv)) == NULL)
		return VRCTL_EUSAGE;
	listing = !json_object_object_get_ex(params, "topology", NULL);
	if (v->has_host_cpus && listing) {
		json_object_put(params);
		ctl_usage(v->cmd, 1);
		return VRCTL_EUSAGE;
	}
	print = listing	 ? v->out->topologies
		: v->dot ? show_plan_dot
			 : v->out->plan;
	/* a preview for another host: --host-cpus, or its sysfs tree */
	preview = v->has_host_cpus || (!listing && getenv("VR_SYSFS_ROOT"));
	if (!preview && ctl_socket_probe(v->socket) == 0)
		return ctl_run(v, METHOD_TOPOLOGY, params, print);
	if (!preview)
		fprintf(
		    stderr, "vrctl: vrouterd does not answer on %s (%s): %s\n",
		    v->socket, strerror(errno),
		    listing ? "the topologies on vrctl's own search path"
			    : "planned locally, with built-in defaults rather "
			      "than the daemon's configuration");
	if (ctl_topology_local(params, v->has_host_cpus ? &v->host_cpus : NULL,
			       &result, &error) == -1)
		return ctl_error(v, error);
	print(result);
	json_object_put(result);
	return VRCTL_OK;
}

static int
ctl_stop(struct vrctl *v, int argc, char **argv)
{
	static const struct option opts[] = {
	    CTL_COMMON_LONGOPTS,
	    {"all", no_argument, NULL, 'a'},
	    {NULL, 0, NULL, 0},
	};
	const struct ctl_command *cmd = v->cmd;
	json_object *params;
	int ch, all = 0;

	optind = 0; /* glibc: re-initialise after main()'s "+" scan */
	while ((ch = getopt_long(argc, argv, "s:ha", opts, NULL)) != -1) {
		if (ch == 'a')
			all = 1;
		else if (!ctl_common_opt(v, cmd, ch))
			goto usage;
	}
	if (all == (argc - optind == 1) || argc - optind > 1)
		goto usage;
	params = json_object_new_object();
	if (all)
		json_object_object_add(params, "all",
				       json_object_new_boolean(1));
	else
		json_object_object_add(params, "name",
				       json_object_new_string(argv[optind]));
	return ctl_run(v, METHOD_STOP, params, v->out->stopped);
usage:
	ctl_usage(cmd, 1);
	return VRCTL_EUSAGE;
}

int
ctl_call(struct vrctl *v, enum proto_method_id method, json_object *params,
	 json_object **result)
{
	json_object *error;

	if (client_notify_hook == NULL)
		client_notify_hook = v->out->progress;
	if (client_call(v->socket, method, params, result, &error) == -1)
		return VRCTL_ECONNECT;
	if (error != NULL) {
		v->out->error(error);
		json_object_put(error);
		return VRCTL_EDAEMON;
	}
	return VRCTL_OK;
}

int
ctl_run(struct vrctl *v, enum proto_method_id method, json_object *params,
	void (*print)(json_object *))
{
	json_object *result;
	int rv;

	if ((rv = ctl_call(v, method, params, &result)) != VRCTL_OK)
		return rv;
	print(result);
	json_object_put(result);
	return VRCTL_OK;
}
