/*
 * The control protocol's methods: the method table with each method's
 * params, their syntax rules and access, and the checks of a request's
 * params against it (the JSON-RPC envelope is proto_rpc.c's).  Pure: no
 * I/O, so it is unit-tested and fuzzed as is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchparam.h"
#include "jtext.h"
#include "proto.h"
#include "proto_int.h"
#include "topo.h"
#include "util.h"

static const char *const accel_choices[] = {"auto", "kvm", "tcg", NULL};
static const char *const link_choices[] = {"tap", "macvtap", NULL};
static const char *const backend_choices[] = {"vm", "netns", NULL};
static const char *const smt_choices[] = {"avoid", "share", NULL};
static const char *const nic_model_choices[] = {"virtio", "e1000", "e1000e",
						NULL};
static const char *const vhost_choices[] = {"auto", "on", "off", NULL};
static const char *const vhost_cpu_choices[] = {"housekeeping", "vcpu",
						"dedicated", NULL};
static const char *const onoff_choices[] = {"on", "off", NULL};
static const char *const pause_choices[] = {"off", "keep", NULL};
static const char *const lb_mode_choices[] = {"flow", "packet", NULL};
static const char *const split_choices[] = {"host", "macvtap", NULL};
static const char *const macvtap_mode_choices[] = {"bridge", "vepa", "private",
						   "passthru", NULL};
static const char *const routing_choices[] = {"static", "ospf", "bgp", NULL};

/* The options shared by `start` and `topology` (keys of topo_opts_to_json,
 * so that a plan's "options" can be sent back as params). */
#define PROTO_TOPO_OPTIONS                                                       \
	{"name",                                                                 \
	 PT_STRING,                                                              \
	 0,                                                                      \
	 0,                                                                      \
	 0,                                                                      \
	 NULL,                                                                   \
	 "instance name, [a-z0-9][a-z0-9-]*, at most 8 characters"},             \
	    {"cores", PT_INT, 0, 1, 64, NULL, "vCPUs per router node"},          \
	    {"memory_mib",                                                       \
	     PT_INT,                                                             \
	     0,                                                                  \
	     32,                                                                 \
	     1048576,                                                            \
	     NULL,                                                               \
	     "memory per node in MiB"},                                          \
	    {"pin", PT_BOOL, 0, 0, 0, NULL, "apply the pinning plan"},           \
	    {"rt",                                                               \
	     PT_INT,                                                             \
	     0,                                                                  \
	     0,                                                                  \
	     99,                                                                 \
	     NULL,                                                               \
	     "SCHED_FIFO priority for vCPU threads, 0 = off"},                   \
	    {"smt",                                                              \
	     PT_STRING,                                                          \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     smt_choices,                                                        \
	     "a node's vCPUs on SMT siblings: avoid (default) or share"},        \
	    {"accel", PT_STRING, 0, 0, 0, accel_choices, "accelerator"},         \
	    {"link", PT_STRING, 0, 0, 0, link_choices, "guest link kind"},       \
	    {"backend",                                                          \
	     PT_STRING,                                                          \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     backend_choices,                                                    \
	     "what a node is: vm (a guest) or netns (a namespace)"},             \
	    {"ports", PT_STRING, 0, 0, 0, NULL, "\"test\" or \"in=IF,out=IF\""}, \
	    {"image", PT_STRING, 0, 0, 0, NULL, "guest image directory"},        \
	    {"timeout",                                                          \
	     PT_INT,                                                             \
	     0,                                                                  \
	     1,                                                                  \
	     3600,                                                               \
	     NULL,                                                               \
	     "readiness timeout in seconds"},                                    \
	    {"cpus",                                                             \
	     PT_STRING,                                                          \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     NULL,                                                               \
	     "CPU list the topology may use (\"0-3,8\")"},                       \
	    {"txqueuelen",                                                       \
	     PT_INT,                                                             \
	     0,                                                                  \
	     0,                                                                  \
	     1000000,                                                            \
	     NULL,                                                               \
	     "host interface txqueuelen, 0 = kernel default"},                   \
	    {"nic_model",                                                        \
	     PT_STRING,                                                          \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     nic_model_choices,                                                  \
	     "guest NIC model (default virtio)"},                                \
	    {"vhost",                                                            \
	     PT_STRING,                                                          \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     vhost_choices,                                                      \
	     "vhost-net: auto (default), on (refused without it) or off"},       \
	    {"macvtap_mode",                                                     \
	     PT_STRING,                                                          \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     macvtap_mode_choices,                                               \
	     "macvtap mode with link macvtap (default bridge)"},                 \
	    {"guest_txqueuelen",                                                 \
	     PT_INT,                                                             \
	     0,                                                                  \
	     0,                                                                  \
	     1000000,                                                            \
	     NULL,                                                               \
	     "txqueuelen inside the guest, 0 = guest default"},                  \
	    {"guest_cmdline",                                                    \
	     PT_STRING,                                                          \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     NULL,                                                               \
	     "extra guest kernel arguments, appended verbatim"},                 \
	    {"cpu_model",                                                        \
	     PT_STRING,                                                          \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     NULL,                                                               \
	     "guest CPU model (or host-passthrough, host-model, maximum)"},      \
	    {"vhost_cpu",                                                        \
	     PT_STRING,                                                          \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     vhost_cpu_choices,                                                  \
	     "vhost threads on housekeeping (default), vcpu or dedicated "       \
	     "CPUs"},                                                            \
	    {"vhost_rt",                                                         \
	     PT_INT,                                                             \
	     0,                                                                  \
	     0,                                                                  \
	     99,                                                                 \
	     NULL,                                                               \
	     "SCHED_FIFO priority for vhost threads, 0 = off"},                  \
	    {"hugepages", PT_BOOL, 0, 0, 0, NULL, "guest memory on hugepages"},  \
	    {"deadline",                                                         \
	     PT_STRING,                                                          \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     NULL,                                                               \
	     "SCHED_DEADLINE RUNTIME/PERIOD (us) for vCPU threads (needs "       \
	     "pin)"},                                                            \
	    {"vhost_deadline",                                                   \
	     PT_STRING,                                                          \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     NULL,                                                               \
	     "SCHED_DEADLINE RUNTIME/PERIOD (us) for vhost threads"},            \
	    {"queues",                                                           \
	     PT_INT,                                                             \
	     0,                                                                  \
	     1,                                                                  \
	     16,                                                                 \
	     NULL,                                                               \
	     "virtio queue pairs per NIC (default: the node's vCPUs)"},          \
	    {"vhost_zerocopy",                                                   \
	     PT_STRING,                                                          \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     onoff_choices,                                                      \
	     "require vhost_net's experimental_zcopytx on or off"},              \
	    {"qemu_args",                                                        \
	     PT_ARRAY,                                                           \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     NULL,                                                               \
	     "extra QEMU arguments (libvirt qemu:commandline), verbatim"},       \
	    {"irq_cpus",                                                         \
	     PT_STRING,                                                          \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     NULL,                                                               \
	     "real ports: CPU list for the NICs' queue interrupts"},             \
	    {"pause",                                                            \
	     PT_STRING,                                                          \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     pause_choices,                                                      \
	     "real ports: pause frames off, or keep (default)"},                 \
	    {"lb_mode",                                                          \
	     PT_STRING,                                                          \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     lb_mode_choices,                                                    \
	     "load balancers: per flow (default) or per packet (msr)"},          \
	    {"split",                                                            \
	     PT_STRING,                                                          \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     split_choices,                                                      \
	     "pvr, msr flow split: host namespace (default) or one macvtap"},    \
	    {"routing",                                                          \
	     PT_STRING,                                                          \
	     0,                                                                  \
	     0,                                                                  \
	     0,                                                                  \
	     routing_choices,                                                    \
	     "how guests learn routes: static (default), ospf, bgp (BIRD 2)"},   \
	    {"fib_routes",                                                       \
	     PT_INT,                                                             \
	     0,                                                                  \
	     0,                                                                  \
	     TOPO_FIB_ROUTES_MAX,                                                \
	     NULL,                                                               \
	     "extra prefixes in every guest's FIB, 0 = none"},                   \
	    {"vrs", PT_INT, 0, 1, 16, NULL, "parallel VRs (pvr)"},               \
	    {"backends", PT_INT, 0, 1, 16, NULL, "back-end routers (msr)"},      \
	    {"lbs", PT_INT, 0, 1, 16, NULL, "load balancers (msr)"},             \
	{                                                                        \
		"topology_text", PT_STRING, 0, 0, 0, NULL,                       \
		    "the topology file's contents (\"topology\" is then its "    \
		    "path, for messages)"                                        \
	}

static const struct proto_param params_none[] = {
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

static const char *const restart_choices[] = {"never", "on-failure", NULL};

static const struct proto_param params_start[] = {
    {"topology", PT_STRING, 1, 0, 0, NULL,
     "built-in topology name or topology file path"},
    PROTO_TOPO_OPTIONS,
    {"restart", PT_STRING, 0, 0, 0, restart_choices,
     "restart policy of the nodes (default never)"},
    {"restart_limit", PT_INT, 0, 0, 1000, NULL,
     "restarts allowed per node before giving up (default 5)"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

static const struct proto_param params_name[] = {
    {"name", PT_STRING, 1, 0, 0, NULL, "the instance name"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

static const char *const bench_modes[] = {"sweep", "ndr", "pdr", "timeline",
					  NULL};
static const char *const bench_tx[] = {"auto", "packet", "xdp", NULL};

/* The limits and the string syntaxes are lib/benchparam.h's. */
static const struct proto_param params_bench[] = {
    {"name", PT_STRING, 1, 0, 0, NULL, "the running topology to measure"},
    {"mode", PT_STRING, 1, 0, 0, bench_modes,
     "sweep (one trial per rate), ndr (zero loss), pdr (loss <= loss) or "
     "timeline (one constant rate, received frames over time)"},
    {"rate", PT_INT, 0, 1, BENCH_RATE_MAX, NULL,
     "timeline: the constant rate, pps"},
    {"bin_ms", PT_INT, 0, 1, BENCH_BIN_MS_MAX, NULL,
     "timeline: the bin of its received-frame counts, ms (default 10)"},
    {"rates", PT_RATES, 0, 0, 0, NULL,
     "sweep rates: \"FROM:TO:STEP\" or \"R1,R2,...\" (pps)"},
    {"loss", PT_LOSS, 0, 0, 0, NULL, "pdr: the loss ratio allowed"},
    {"frame", PT_FRAME, 0, 0, 0, NULL,
     "frame size 64..1518 (with FCS) or \"imix\" (default 64)"},
    {"flows", PT_INT, 0, 1, BENCH_FLOWS_MAX, NULL,
     "distinct 5-tuples (default 1)"},
    {"duration", PT_INT, 0, 1, BENCH_DURATION_MAX, NULL,
     "seconds per sweep trial / of the final trial (default 10)"},
    {"trial_duration", PT_INT, 0, 1, BENCH_TRIAL_MAX, NULL,
     "seconds per search trial (default 1)"},
    {"max_rate", PT_INT, 0, 1, BENCH_RATE_MAX, NULL, "search upper bound, pps"},
    {"cpu", PT_INT, 0, 0, BENCH_CPU_MAX, NULL,
     "generator CPU (default: a housekeeping CPU of the plan)"},
    {"tx", PT_STRING, 0, 0, 0, bench_tx,
     "generator send path: auto (AF_XDP, else AF_PACKET; default), "
     "packet or xdp"},
    {"repeat", PT_INT, 0, 1, BENCH_REPEAT_MAX, NULL,
     "rounds: the whole sweep or search run this many times (default 1)"},
    {"latency_at", PT_PERCENTS, 0, 0, 0, NULL,
     "ndr/pdr: after the search, one trial at each of these percents of "
     "the answer (\"0,10,50,90\"; 0: 1 % of it), with its latency"},
    {"migrate", PT_STRING, 0, 0, 0, NULL,
     "timeline: migrate this node during the stream (with to)"},
    {"to", PT_STRING, 0, 0, 0, NULL, "timeline: the host it migrates to"},
    {"migrate_after", PT_INT, 0, 0, 3600, NULL,
     "timeline: seconds into the stream the migration starts (default 2)"},
    {"sink_host", PT_STRING, 0, 0, 0, NULL,
     "between vrouterds: the host whose vrouterd runs the sink, the out "
     "port being the coordinator's (a bench passed on to the in port's "
     "host)"},
    {"forwarded", PT_BOOL, 0, 0, 0, NULL,
     "between vrouterds: passed on by the coordinator; never passed on "
     "again"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

/* Rules across a method's params, for the methods that have some. */
static const struct {
	const char *method;
	int (*check)(json_object *params, const char **param, char *err,
		     size_t errlen);
} proto_cross_rules[] = {
    {"bench", benchparam_modes},
};

static const struct proto_param params_cleanup[] = {
    {"dry_run", PT_BOOL, 0, 0, 0, NULL, "only list what would be removed"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

static const struct proto_param params_topology[] = {
    {"topology", PT_STRING, 0, 0, 0, NULL,
     "topology to expand; absent: list the built-in topologies"},
    PROTO_TOPO_OPTIONS,
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

static const struct proto_param params_stop[] = {
    {"name", PT_STRING, 0, 0, 0, NULL, "the instance to stop"},
    {"all", PT_BOOL, 0, 0, 0, NULL, "stop every running topology"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

static const struct proto_param params_capture[] = {
    {"name", PT_STRING, 1, 0, 0, NULL, "the running topology"},
    {"link", PT_STRING, 1, 0, 0, NULL,
     "what to watch: a port (in, out), a network, NODE.IF or splitter.IF"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

static const struct proto_param params_hosts[] = {
    {"local", PT_BOOL, 0, 0, 0, NULL,
     "this host's own entry only, without calling the others (what a "
     "peer is asked)"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

static const struct proto_param params_migrate[] = {
    {"name", PT_STRING, 1, 0, 0, NULL, "the running topology"},
    {"node", PT_STRING, 1, 0, 0, NULL, "the node (a VM) to move"},
    {"to", PT_STRING, 1, 0, 0, NULL,
     "the host: a name of the configuration's hosts, or host_name"},
    {"offline", PT_BOOL, 0, 0, 0, NULL,
     "paused while it moves instead of live"},
    {"forwarded", PT_BOOL, 0, 0, 0, NULL,
     "(between vrouterds) passed on by another host: not again"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

/* The peer-facing steps of a migration (daemon/migrate.c) */
static const struct proto_param params_migrate_prepare[] = {
    {"name", PT_STRING, 1, 0, 0, NULL, "the topology"},
    {"node", PT_STRING, 1, 0, 0, NULL, "the node"},
    {"links", PT_ARRAY, 1, 0, 0, NULL,
     "the node's taps: {tap, bridge, multi_queue, mtu}"},
    {"vxlans", PT_ARRAY, 1, 0, 0, NULL,
     "a VXLAN per network: {name, bridge, vni, mtu}"},
    {"remote", PT_STRING, 1, 0, 0, NULL,
     "the coordinator's underlay address (the VXLANs' remote)"},
    {"home", PT_STRING, 0, 0, 0, NULL,
     "the caller's host name, the node's home"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

static const struct proto_param params_migrate_send[] = {
    {"name", PT_STRING, 1, 0, 0, NULL, "the topology"},
    {"node", PT_STRING, 1, 0, 0, NULL, "the node"},
    {"to", PT_STRING, 1, 0, 0, NULL, "a host of this host's configuration"},
    {"offline", PT_BOOL, 0, 0, 0, NULL, "paused while it moves"},
    {"home", PT_STRING, 0, 0, 0, NULL,
     "the caller's host name, the node's home"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

static const struct proto_param params_migrate_finish[] = {
    {"name", PT_STRING, 1, 0, 0, NULL, "the topology"},
    {"node", PT_STRING, 1, 0, 0, NULL, "the node"},
    {"cpus", PT_ARRAY, 0, 0, 0, NULL,
     "the node's pinning plan: vCPU i on cpus[i]"},
    {"coordinator", PT_STRING, 0, 0, 0, NULL,
     "the caller's host name: the node is hosted for it"},
    {"home", PT_STRING, 0, 0, 0, NULL,
     "the caller's host name, the node's home"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

static const struct proto_param params_migrate_abort[] = {
    {"name", PT_STRING, 1, 0, 0, NULL, "the topology"},
    {"node", PT_STRING, 1, 0, 0, NULL, "the node"},
    {"last", PT_BOOL, 0, 0, 0, NULL,
     "no other node of the topology is on the callee: its shared bridges "
     "and VXLANs go too"},
    {"home", PT_STRING, 0, 0, 0, NULL,
     "the caller's host name, the node's home"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

static const struct proto_param params_start_part[] = {
    {"topology", PT_STRING, 1, 0, 0, NULL,
     "built-in topology name or topology file path"},
    PROTO_TOPO_OPTIONS,
    {"restart", PT_STRING, 0, 0, 0, restart_choices,
     "restart policy of the nodes (default never)"},
    {"restart_limit", PT_INT, 0, 0, 1000, NULL,
     "restarts allowed per node before giving up (default 5)"},
    {"part", PT_STRING, 1, 0, 0, NULL, "the host whose part to start"},
    {"coordinator", PT_STRING, 1, 0, 0, NULL,
     "the host coordinating the topology"},
    {"underlay", PT_STRING, 1, 0, 0, NULL,
     "every host's tunnel address, NAME=ADDRESS,... (coordinator first)"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

static const char *const bench_sink_ops[] = {"open", "line", "close", NULL};

static const struct proto_param params_bench_sink[] = {
    {"name", PT_STRING, 1, 0, 0, NULL, "the topology"},
    {"op", PT_STRING, 1, 0, 0, bench_sink_ops,
     "open the sink (answered when it ends), pass it a line, close it"},
    {"flows", PT_INT, 0, 1, 65536, NULL, "open: the sender's flows"},
    {"bin_ms", PT_INT, 0, 1, BENCH_BIN_MS_MAX, NULL,
     "open: keep a timeline, bins of this many ms"},
    {"duration", PT_INT, 0, 1, BENCH_DURATION_MAX, NULL,
     "open: the timeline's stream, seconds"},
    {"line", PT_STRING, 0, 0, 0, NULL, "line: vrgen's, passed as it is"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

const struct proto_method proto_methods[METHOD_COUNT + 1] = {
    [METHOD_VERSION] = {"version", PROTO_READ, params_none,
			"daemon and protocol version"},
    [METHOD_STATUS] =
	{"status", PROTO_READ, params_none,
	 "daemon, host, accelerator, libvirt and running topologies"},
    [METHOD_TOPOLOGY] =
	{"topology", PROTO_READ, params_topology,
	 "list topologies, or show the plan of one without starting it"},
    [METHOD_RELOAD] = {"reload", PROTO_MUTATING, params_none,
		       "re-read the configuration"},
    [METHOD_START] = {"start", PROTO_MUTATING, params_start,
		      "start a topology"},
    [METHOD_STOP] = {"stop", PROTO_MUTATING, params_stop,
		     "stop a topology (or all)"},
    [METHOD_BENCH] =
	{"bench", PROTO_MUTATING, params_bench,
	 "measure a running topology: offered-load sweep or NDR/PDR search"},
    [METHOD_WATCH] = {"watch", PROTO_READ, params_none,
		      "stream state changes as \"event\" notifications"},
    [METHOD_CLEANUP] =
	{"cleanup", PROTO_MUTATING, params_cleanup,
	 "remove vrouterd objects that belong to no running topology"},
    [METHOD_CAPTURE] =
	{"capture", PROTO_MUTATING, params_capture,
	 "a packet socket on a link of a topology, passed to the caller"},
    [METHOD_AUTOSTART_LIST] = {"autostart.list", PROTO_READ, params_none,
			       "the topologies started when the daemon starts"},
    [METHOD_AUTOSTART_ADD] =
	{"autostart.add", PROTO_MUTATING, params_start,
	 "add (or replace) an autostart entry; validated before saving"},
    [METHOD_AUTOSTART_REMOVE] = {"autostart.remove", PROTO_MUTATING,
				 params_name, "remove an autostart entry"},
    /* privileged: it runs ssh as root, N children per call */
    [METHOD_HOSTS] = {"hosts", PROTO_MUTATING, params_hosts,
		      "this host and each configured one: reachable, version, "
		      "CPUs, round trip"},
    [METHOD_MIGRATE] = {"migrate", PROTO_MUTATING, params_migrate,
			"move a running node to another host (libvirt live "
			"migration, peer to peer)"},
    [METHOD_MIGRATE_PREPARE] = {"migrate_prepare", PROTO_MUTATING,
				params_migrate_prepare,
				"(between vrouterds) make a migrating node's "
				"wiring here"},
    [METHOD_MIGRATE_SEND] = {"migrate_send", PROTO_MUTATING,
			     params_migrate_send,
			     "(between vrouterds) migrate a domain that runs "
			     "here to another host"},
    [METHOD_MIGRATE_FINISH] = {"migrate_finish", PROTO_MUTATING,
			       params_migrate_finish,
			       "(between vrouterds) pin an arrived node; "
			       "libvirt's statistics of its migration"},
    [METHOD_MIGRATE_ABORT] = {"migrate_abort", PROTO_MUTATING,
			      params_migrate_abort,
			      "(between vrouterds) destroy a node here and "
			      "remove its wiring"},
    /* peer-facing: the coordinator asks each host for its part */
    [METHOD_START_PART] = {"start_part", PROTO_MUTATING, params_start_part,
			   "start this host's part of a topology across "
			   "hosts (sent by the coordinating vrouterd)"},
    [METHOD_BENCH_SINK] = {"bench_sink", PROTO_MUTATING, params_bench_sink,
			   "(between vrouterds) the receiving vrgen of a "
			   "bench whose out port is here"},
    [METHOD_COUNT] = {NULL, 0, NULL, NULL},
};

enum proto_method_id
proto_method_id(const struct proto_method *m)
{
	return (enum proto_method_id)(m - proto_methods);
}

const char *
proto_method_name(enum proto_method_id id)
{
	return (unsigned)id < METHOD_COUNT ? proto_methods[id].name : NULL;
}

const struct proto_method *
proto_method_find(const char *name)
{
	const struct proto_method *m;

	if (name == NULL)
		return NULL;
	for (m = proto_methods; m->name != NULL; m++)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

int
proto_socket_ro_path(const char *sock, char *buf, size_t len)
{
	size_t n = strlen(sock), sfx = strlen(".sock");
	int w;

	if (n > sfx && strcmp(sock + n - sfx, ".sock") == 0)
		w = snprintf(buf, len, "%.*s-ro.sock", (int)(n - sfx), sock);
	else
		w = snprintf(buf, len, "%s-ro", sock);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

static const char *
proto_ptype_name(enum proto_ptype t)
{
	switch (t) {
	case PT_STRING:
		return "a string";
	case PT_INT:
		return "an integer";
	case PT_BOOL:
		return "a boolean";
	case PT_OBJECT:
		return "an object";
	case PT_ARRAY:
		return "an array";
	case PT_RATES:
		return "a string of rates";
	case PT_LOSS:
		return "a string holding a ratio";
	case PT_FRAME:
		return "a string holding a frame size";
	case PT_PERCENTS:
		return "a string of percents";
	}
	return "?";
}

static const char *
proto_jtype_name(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a number with a fraction";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "?";
}

void
proto_set_data(json_object **datap, json_object *data)
{
	if (datap != NULL && *datap == NULL)
		*datap = data;
	else
		json_object_put(data);
}

static json_object *
proto_param_data(const char *method, const struct proto_param *p,
		 const char *key)
{
	json_object *d = json_object_new_object();

	json_object_object_add(d, "method", json_object_new_string(method));
	json_object_object_add(d, "param",
			       json_object_new_string(p ? p->name : key));
	if (p != NULL)
		json_object_object_add(
		    d, "expected",
		    json_object_new_string(proto_ptype_name(p->type)));
	return d;
}

/* A string param with a syntax (lib/benchparam.c); 0 or -1 with err set. */
static int
proto_syntax_check(const struct proto_method *m, const struct proto_param *p,
		   const char *s, char *err, size_t errlen)
{
	char why[256];
	int rv = -1;

	switch (p->type) {
	case PT_RATES:
		rv = benchparam_rates(s, NULL, why, sizeof(why)) < 0 ? -1 : 0;
		break;
	case PT_LOSS:
		rv = benchparam_loss(s, NULL, why, sizeof(why));
		break;
	case PT_FRAME:
		rv = benchparam_frame(s, why, sizeof(why));
		break;
	case PT_PERCENTS:
		rv =
		    benchparam_percents(s, NULL, why, sizeof(why)) < 0 ? -1 : 0;
		break;
	default:
		snprintf(why, sizeof(why), "no syntax");
		break;
	}
	if (rv == -1)
		snprintf(err, errlen, "%s: %s: %s", m->name, p->name, why);
	return rv;
}

/* One value against its table entry; 0 or -1 with err set. */
static int
proto_param_check(const struct proto_method *m, const struct proto_param *p,
		  json_object *v, char *err, size_t errlen)
{
	enum json_type t = json_object_get_type(v);
	int64_t i;

	switch (p->type) {
	case PT_STRING:
		if (t != json_type_string)
			break;
		if (strlen(json_object_get_string(v)) !=
		    (size_t)json_object_get_string_len(v)) {
			snprintf(err, errlen, "%s: %s: must not contain NUL",
				 m->name, p->name);
			return -1;
		}
		if (p->choices != NULL) {
			const char *s = json_object_get_string(v);
			for (const char *const *c = p->choices; *c; c++)
				if (strcmp(*c, s) == 0)
					return 0;
			char list[128] = "";
			for (const char *const *c = p->choices; *c; c++) {
				if (c != p->choices)
					strncat(list, "|",
						sizeof(list) - strlen(list) -
						    1);
				strncat(list, *c,
					sizeof(list) - strlen(list) - 1);
			}
			snprintf(err, errlen, "%s: %s: must be one of %s",
				 m->name, p->name, list);
			return -1;
		}
		return 0;
	case PT_INT:
		if (t != json_type_int)
			break;
		errno = 0;
		i = json_object_get_int64(v);
		if (p->min < p->max &&
		    (errno == ERANGE || i < p->min || i > p->max)) {
			snprintf(err, errlen,
				 "%s: %s: must be an integer in %ld..%ld",
				 m->name, p->name, p->min, p->max);
			return -1;
		}
		return 0;
	case PT_BOOL:
		if (t == json_type_boolean)
			return 0;
		break;
	case PT_OBJECT:
		if (t == json_type_object)
			return 0;
		break;
	case PT_ARRAY:
		if (t == json_type_array)
			return 0;
		break;
	case PT_RATES:
	case PT_LOSS:
	case PT_FRAME:
	case PT_PERCENTS:
		if (t != json_type_string)
			break;
		if (strlen(json_object_get_string(v)) !=
		    (size_t)json_object_get_string_len(v)) {
			snprintf(err, errlen, "%s: %s: must not contain NUL",
				 m->name, p->name);
			return -1;
		}
		return proto_syntax_check(m, p, json_object_get_string(v), err,
					  errlen);
	}
	snprintf(err, errlen, "%s: %s: must be %s, not %s", m->name, p->name,
		 proto_ptype_name(p->type), proto_jtype_name(v));
	return -1;
}

int
proto_params_check_data(const struct proto_method *m, json_object *params,
			json_object **datap, char *err, size_t errlen)
{
	const struct proto_param *p;

	if (!json_object_is_type(params, json_type_object)) {
		snprintf(err, errlen, "%s: params must be an object, not %s%s",
			 m->name, proto_jtype_name(params),
			 json_object_is_type(params, json_type_array)
			     ? " (positional params are not supported)"
			     : "");
		return PROTO_E_PARAMS;
	}
	json_object_object_foreach(params, key, val)
	{
		for (p = m->params; p->name != NULL; p++)
			if (strcmp(p->name, key) == 0)
				break;
		if (p->name == NULL) {
			snprintf(err, errlen, "%s: unknown parameter \"%.64s\"",
				 m->name, key);
			proto_set_data(datap,
				       proto_param_data(m->name, NULL, key));
			return PROTO_E_PARAMS;
		}
		if (proto_param_check(m, p, val, err, errlen) == -1) {
			proto_set_data(datap,
				       proto_param_data(m->name, p, key));
			return PROTO_E_PARAMS;
		}
	}
	for (p = m->params; p->name != NULL; p++) {
		if (p->required &&
		    !json_object_object_get_ex(params, p->name, NULL)) {
			snprintf(err, errlen,
				 "%s: missing required parameter \"%s\"",
				 m->name, p->name);
			proto_set_data(datap,
				       proto_param_data(m->name, p, p->name));
			return PROTO_E_PARAMS;
		}
	}
	for (size_t i = 0; i < nitems(proto_cross_rules); i++) {
		const char *bad = NULL;
		char why[256];

		if (strcmp(proto_cross_rules[i].method, m->name) != 0 ||
		    proto_cross_rules[i].check(params, &bad, why,
					       sizeof(why)) == 0)
			continue;
		snprintf(err, errlen, "%s: %s: %s", m->name, bad, why);
		for (p = m->params; p->name != NULL; p++)
			if (strcmp(p->name, bad) == 0)
				break;
		proto_set_data(
		    datap, proto_param_data(m->name, p->name ? p : NULL, bad));
		return PROTO_E_PARAMS;
	}
	return 0;
}

int
proto_params_check(const struct proto_method *m, json_object *params, char *err,
		   size_t errlen)
{
	return proto_params_check_data(m, params, NULL, err, errlen);
}
