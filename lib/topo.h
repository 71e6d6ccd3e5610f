/*
 * The topology model: options as the user gives them (topo_opts), and the
 * expanded plan (topo_plan): nodes, their interfaces, the external ports,
 * host interface names, addresses and the pinning plan.  Pure: building a
 * plan touches nothing on the host, so `vrctl topology` and the unit tests
 * use it freely, and `start` carries out exactly the plan it shows.
 *
 * Naming, so that everything vrouterd creates can be found again:
 *   - instance names: [a-z0-9][a-z0-9-]*, at most TOPO_NAME_LEN chars;
 *   - host interfaces: "vr-NAME-SUFFIX" (<= 15 chars), IFLA_IFALIAS
 *     "vrouterd:NAME:ROLE";
 *   - namespaces (test ports): "vr-NAME-in", "vr-NAME-out";
 *   - libvirt domains: "vrouterd-NAME-NODE";
 *   - netns backend nodes: namespaces "vr-NAME-NODE".
 *
 * The default instance name (topo_default_name): the built-in topologies
 * have short aliases (monolithic -> "mono", pvr -> "pvr", msr -> "msr");
 * any other topology name is lower-cased, characters outside [a-z0-9-] and
 * leading '-' are dropped, the result is cut to TOPO_NAME_LEN and trailing
 * '-' removed; "vr" when nothing is left.
 */
#ifndef VR_TOPO_H
#define VR_TOPO_H

#include <limits.h>
#include <sched.h>

#include <json-c/json.h>

#include "dlparam.h"
#include "pin.h"

#define TOPO_NAME_LEN	    8 /* keeps "vr-NAME-t00" within IFNAMSIZ */
#define TOPO_MAX_NODES	    PIN_MAX_NODES
#define TOPO_MAX_IFS	    8
#define TOPO_MAX_ROUTES	    8
#define TOPO_MAX_NEXTHOPS   16 /* per route (ECMP) */
#define TOPO_MAX_SEGMENTS   32 /* internal networks */
#define TOPO_MAX_SPLIT_IFS  24 /* splitter namespace interfaces */
#define TOPO_MAX_COUNT	    16 /* vrs, backends, lbs */
#define TOPO_MAX_VCPUS	    64
#define TOPO_FILE_MAX	    (256 * 1024) /* bytes of a topology file */
#define TOPO_IFNAMSIZ	    16
#define TOPO_ALIAS_PREFIX   "vrouterd:"
#define TOPO_IF_PREFIX	    "vr-"
#define TOPO_DOMAIN_PREFIX  "vrouterd-"
#define TOPO_MEMORY_MIN_MIB 32 /* per node */
#define TOPO_MEMORY_MAX_MIB (1024 * 1024)
/* The longest guest kernel command line: x86's COMMAND_LINE_SIZE (2048)
 * less its NUL.  Longer ones are cut at boot, so the planner refuses. */
#define TOPO_CMDLINE_MAX  2047
#define TOPO_MAX_WARNINGS 8 /* of the topology file check, kept */
/* A host's name ("host" on nodes and ports; lib/names.c NAME_HOST).  ""
 * and TOPO_HOST_SELF both mean the coordinator's own host (topo_hosts.h). */
#define TOPO_HOST_LEN  32
#define TOPO_HOST_SELF "local"

enum topo_accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };
enum topo_link { LINK_TAP, LINK_MACVTAP };
enum topo_ports { PORTS_TEST, PORTS_HOST };
enum topo_role { ROLE_ROUTER, ROLE_LB, ROLE_BACKEND };
/* What a node is: a QEMU guest through libvirt, or a network namespace
 * with forwarding on (docs/netns-backend.md). */
enum topo_backend { BACKEND_VM, BACKEND_NETNS };
/* The guest NIC model (<model type=...>). */
enum topo_nic_model { NIC_VIRTIO, NIC_E1000, NIC_E1000E };
/* vhost-net: auto (when the host has it), on (refuse without), off. */
enum topo_vhost { VHOST_AUTO, VHOST_ON, VHOST_OFF };
/* The mode of the macvtap devices (LINK_MACVTAP). */
enum topo_macvtap_mode {
	MACVTAP_BRIDGE,
	MACVTAP_VEPA,
	MACVTAP_PRIVATE,
	MACVTAP_PASSTHRU
};
/* How a load balancer (role lb) spreads traffic over its back-ends: per
 * flow (its ECMP route, L4 hash) or per packet (round robin by the
 * guest's vr-lb, docs/topology.md "msr"). */
enum topo_lb_mode { LB_MODE_FLOW, LB_MODE_PACKET };
/* Where a topology's splitter (pvr) spreads the ingress flows: in a host
 * namespace with an ECMP route (host), or by the kernel's per-flow queue
 * choice of one macvtap whose queues are the VRs' ingress NICs (macvtap:
 * no extra L3 hop; docs/topology.md "pvr"). */
enum topo_split { SPLIT_HOST, SPLIT_MACVTAP };
#define TOPO_GUEST_CMDLINE_MAX 512 /* bytes of --guest-cmdline */
#define TOPO_MAX_QUEUES	       16  /* --queues: virtio queue pairs per NIC */
#define TOPO_QEMU_ARGS_MAX     16  /* --qemu-arg: arguments */
#define TOPO_QEMU_ARG_LEN      256 /* bytes of one, with its NUL */
/* --vhost-zerocopy: the vhost_net module's experimental_zcopytx, as
 * required (ANY: not checked, the default). */
enum topo_zcopy { ZCOPY_ANY, ZCOPY_ON, ZCOPY_OFF };
#define TOPO_FIB_ROUTES_MAX 1000000 /* --fib-routes */
/* How guests get their routes (issue 17): the plan's, on the command
 * line; or BIRD 2 with OSPF or eBGP learning those whose gateway is
 * another node. */
enum topo_routing { ROUTING_STATIC, ROUTING_OSPF, ROUTING_BGP };
#define TOPO_BGP_AS_BASE 65001 /* --routing bgp: node n is AS 65001+n */

struct topo_opts {
	char topology[64];	      /* "monolithic" */
	char name[TOPO_NAME_LEN + 1]; /* instance; default: from topology */
	int cores;		      /* vCPUs per router node (default 1) */
	int memory_mib;		      /* per node (default 256) */
	int pin;		      /* apply a pinning plan */
	int rt_prio;	  /* SCHED_FIFO priority for vCPUs; 0 = off */
	enum pin_smt smt; /* SMT siblings for one node's vCPUs (pin.h) */
	enum topo_accel accel;
	enum topo_link link;
	enum topo_ports ports;
	enum topo_backend backend;
	char port_in[TOPO_IFNAMSIZ]; /* PORTS_HOST: the real NICs */
	char port_out[TOPO_IFNAMSIZ];
	char image[PATH_MAX]; /* guest image directory */
	int timeout_sec;      /* readiness timeout (default 120) */
	cpu_set_t cpus;	      /* --cpus restriction */
	int has_cpus;
	int txqueuelen; /* 0 = kernel default */
	/* Guest and NIC axes (issue 14); each in the plan's options only
	 * when not the default, so default plans stay as they were. */
	enum topo_nic_model nic_model;
	enum topo_vhost vhost;
	enum topo_macvtap_mode macvtap_mode;
	int guest_txqueuelen;			    /* 0 = guest default */
	char guest_cmdline[TOPO_GUEST_CMDLINE_MAX]; /* appended verbatim */
	char cpu_model[64]; /* guest CPU model; "" = the default */
	/* Placement axes (issue 14), in the plan's options when not the
	 * default as the axes above. */
	enum pin_vhost vhost_cpu; /* where vhost threads run (pin.h) */
	int vhost_rt;		  /* SCHED_FIFO priority for vhost; 0 = off */
	int hugepages;		  /* guest memory on hugepages */
	/* SCHED_DEADLINE for vCPU / vhost threads (needs pin; runtime 0 =
	 * off); in the plan's options only when set. */
	struct dlparam deadline, vhost_deadline;
	/* The axes of lib/topo_axes.c (issue 14, "axes" rows). */
	int queues; /* virtio queue pairs per NIC; 0 = the rule */
	enum topo_zcopy vhost_zerocopy;
	char qemu_args[TOPO_QEMU_ARGS_MAX][TOPO_QEMU_ARG_LEN]; /* verbatim */
	int nqemu_args;
	cpu_set_t irq_cpus; /* PORTS_HOST: the NICs' queue IRQs go here */
	int has_irq_cpus;
	int pause_off; /* PORTS_HOST: pause frames off ("pause": "off") */
	enum topo_lb_mode lb_mode; /* in the options only when packet */
	enum topo_split split;	   /* in the options only when macvtap */
	/* Synthetic prefixes each guest installs (vr.fib=; issue 17):
	 * 0 = none.  See topo_fib_memory_mib. */
	int fib_routes;
	enum topo_routing routing; /* ROUTING_STATIC unless --routing */
	/* Count parameters of the topology file; 0 = the file's default.
	 * A built plan holds the values used (0 when the file has none). */
	int vrs, backends, lbs;
	/* A topology file given by path ("" = by name on the search path). */
	char file[PATH_MAX];
	/* Its contents, when the client sent them (borrowed: valid only
	 * during topo_plan_build, NULL in a built plan). */
	const char *file_text;
};

/*
 * An external port.  Test ports (created = 1): a namespace holding ns_if
 * with ns_addr and a default route via ns_gw, joined by a veth pair whose
 * host end is host_if.  Host ports (PORTS_HOST): host_if is the real NIC,
 * netns and ns_if are "", and ns_addr/ns_gw say which address and gateway
 * the far end (the source or sink machine) is expected to use.
 */
struct topo_port {
	char role[4];		   /* "in" or "out" */
	char netns[32];		   /* PORTS_TEST: "vr-NAME-in"; "" otherwise */
	char ns_if[TOPO_IFNAMSIZ]; /* interface inside netns ("vp0") */
	char ns_addr[24];	   /* "198.18.1.2/24" */
	char ns_gw[20];		   /* "198.18.1.1" */
	char ns_mac[18]; /* ns_if's MAC when the plan sets it, else "" */
	char host_if[TOPO_IFNAMSIZ]; /* veth host end (test) or the real NIC */
	char bridge[TOPO_IFNAMSIZ];  /* LINK_TAP: "vr-NAME-bi"; "" otherwise */
	int created;		     /* host_if is ours (test ports) */

	char host[TOPO_HOST_LEN + 1]; /* "": the coordinator's own */
};

struct topo_if {
	char guest_if[TOPO_IFNAMSIZ]; /* "eth0" inside the guest */
	char mac[18];		      /* "52:54:00:..." deterministic */
	char addr[24];		      /* "198.18.1.1/24" */
	char host_if[TOPO_IFNAMSIZ];  /* tap or macvtap: "vr-NAME-t00" */
	int port;		      /* index into plan->ports, -1: internal */
	int segment;		      /* internal: index into plan->segments */
	int mtu; /* a network across hosts: its planned MTU; 0: the default */
};

/* A route; more than one nexthop is an ECMP (multipath) route. */
struct topo_route {
	char dst[24]; /* "default" or CIDR */
	char via[TOPO_MAX_NEXTHOPS][20];
	int nvia;
};

/* An internal network: a host bridge that node interfaces join. */
struct topo_segment {
	char name[32];		    /* "leg0", from the topology file */
	char bridge[TOPO_IFNAMSIZ]; /* "vr-NAME-n0" */
};

/*
 * The PVR splitter: a network namespace on the host ("vr-NAME-sp") with
 * forwarding on and an L4 multipath hash, joined to networks by veth
 * pairs (ifs[k].guest_if inside, ifs[k].host_if "vr-NAME-sK" on the host,
 * which joins the network's bridge).  Absent when netns is "".
 */
struct topo_splitter {
	char netns[32];
	struct topo_if ifs[TOPO_MAX_SPLIT_IFS]; /* mac is "" */
	int nifs;
	struct topo_route routes[TOPO_MAX_ROUTES];
	int nroutes;
};

struct topo_node {
	char name[32];	 /* "vr0" */
	char domain[64]; /* "vrouterd-NAME-vr0" */
	enum topo_role role;
	int vcpus;
	int memory_mib;
	char image[PATH_MAX]; /* per-node image directory; "" = opts.image */
	int nic_model;	      /* enum topo_nic_model; -1 = opts.nic_model */
	int fib_routes;	      /* -1 = opts.fib_routes (topo_node_fib_routes) */
	struct topo_if ifs[TOPO_MAX_IFS];
	int nifs;
	struct topo_route routes[TOPO_MAX_ROUTES];
	int nroutes;
	char host[TOPO_HOST_LEN + 1]; /* "": the coordinator's own */
};

struct topo_plan {
	struct topo_opts opts;
	char description[256]; /* one line, from the topology file */
	struct topo_node nodes[TOPO_MAX_NODES];
	int nnodes;
	struct topo_port ports[2]; /* [0] = in, [1] = out */
	struct topo_segment segments[TOPO_MAX_SEGMENTS];
	int nsegments;
	struct topo_splitter splitter;
	struct pin_plan pin; /* empty (n == 0) unless opts.pin */
	/* What the check found odd but not wrong (overlapping subnets, a
	 * nexthop no interface owns): "warnings" in the plan's JSON. */
	char warnings[TOPO_MAX_WARNINGS][256];
	int nwarnings;
};

/* Defaults for every option (name and topology left empty). */
void topo_opts_init(struct topo_opts *o);

/* The guest memory (MiB) a node needs to hold `routes` synthetic
 * prefixes on top of its own needs (measured: docs/topology.md). */
int topo_fib_memory_mib(int routes);
/*
 * Synthetic prefix k (0 <= k < 2^20) of --fib-routes: 240.0.0.0/4 carved
 * in /24s, 240.0.0.0 + k*256 (images/guest/vr-route.c makes the same).
 * Written as its first host address ("A.B.C.1", e.g. "241.134.159.1"),
 * the destination that bench traffic uses for the last prefix.  0 or -1.
 */
int topo_fib_host(int k, char *buf, size_t len);
const char *topo_routing_name(enum topo_routing r);
int topo_routing_parse(const char *s); /* -1 when unknown */
/* With --routing ospf: is route r of the plan learned (every gateway is
 * another node's interface) rather than static? */
int topo_route_learned(const struct topo_plan *p, const struct topo_route *r);
/* Node nd's route to "default", or NULL. */
const struct topo_route *topo_node_default_route(const struct topo_node *nd);

/*
 * Fill opts from a `start`/`topology` params object (already type-checked
 * by proto_params_check).  0, or -1 with a message naming the parameter.
 *
 * Keys (those of topo_opts_to_json, plus topology and name): topology,
 * name, cores, memory_mib (alias: memory), pin, rt, smt, accel, link, ports
 * ("test" or "in=IF,out=IF"), image (absolute path, "" = the daemon's
 * default), timeout, cpus (CPU list, "" = no restriction), txqueuelen,
 * nic_model, vhost, macvtap_mode, guest_txqueuelen, guest_cmdline,
 * cpu_model, vhost_cpu, vhost_rt, hugepages, deadline, vhost_deadline
 * ("RUNTIME/PERIOD" or "off"), fib_routes, routing.
 * Keys absent from params keep their value in *o (so call topo_opts_init,
 * then apply configured defaults, then this); keys it does not know are
 * ignored (the protocol layer rejects unknown ones).  *o is written only on
 * success.  When o->name is still empty and the topology is set, the
 * default name is filled in.
 */
int topo_opts_from_json(json_object *params, struct topo_opts *o, char *err,
			size_t errlen);
json_object *topo_opts_to_json(const struct topo_opts *o);

/*
 * Topologies are files (docs/topology.md), found by name as NAME.json in
 * the search path: $VR_TOPOLOGY_PATH (colon-separated directories, for
 * tests) when set, else /etc/vrouterd/topologies, VR_PKGDATADIR/topologies,
 * VR_SOURCE_DIR/topologies for a binary run from its build tree only (it
 * works uninstalled).  The first match wins, so /etc overrides the
 * installed ones.  Files there are read only from directories root or the
 * euid owns that group and others cannot write, never through a link.
 */
#define TOPO_ETC_DIR "/etc/vrouterd/topologies"

/* Names of the built-in topologies, NULL-terminated, and the description
 * of a topology found by name (NULL when there is none; the string stays
 * valid until the next call with another name). */
extern const char *const topo_builtin_names[];
const char *topo_describe(const char *topology);

/* The search path's directories, in order, into dirs; their number. */
int topo_search_dirs(const char *dirs[], int max);
/* NAME.json on the search path into path; 0, or -1 when not found. */
int topo_find_file(const char *name, char *path, size_t len);
/* Every topology on the search path (a name once, first match):
 * [{"name","description","file"}], sorted by name. */
json_object *topo_list_json(void);

/*
 * Expand opts into a plan: read the topology file (opts->file_text, else
 * opts->file, else opts->topology looked up on the search path), check it
 * (errors name the file, the JSON path and the reason: "pvr.json:
 * $.nodes[0].vcpus: expected an integer or \"cores\""), and expand it.
 * online/isolated describe the host (for the pinning plan); the
 * environment variable VR_TEST_HOST_CPUS (a CPU list, for tests only)
 * replaces them with that many fake online CPUs and none isolated.  0, or -1
 * with err set; on error the plan holds nothing that needs freeing.  Free a
 * built plan with topo_plan_free.
 */
int topo_plan_build(const struct topo_opts *o, const cpu_set_t *online,
		    const cpu_set_t *isolated, struct topo_plan *p, char *err,
		    size_t errlen);
/* The same, with the host's CPU topology for the pinning plan (SMT
 * siblings, NUMA nodes; NULL: unknown).  VR_TEST_HOST_CPUS drops it. */
int topo_plan_build_topo(const struct topo_opts *o, const cpu_set_t *online,
			 const cpu_set_t *isolated,
			 const struct pin_cputopo *cpu, struct topo_plan *p,
			 char *err, size_t errlen);
/* The pinning plan of p's nodes as they are now (p->pin replaced), on
 * this host's CPUs (VR_TEST_HOST_CPUS as above).  topo_plan_build_topo
 * calls it with --pin, except for a plan placed across hosts: each host
 * pins its own share once cut to it (daemon/part.c).  0, or -1 with err. */
int topo_plan_pin(struct topo_plan *p, const cpu_set_t *online,
		  const cpu_set_t *isolated, const struct pin_cputopo *cpu,
		  char *err, size_t errlen);
void topo_plan_free(struct topo_plan *p);

/* How plans are pretty-printed for people and golden files (keep stable). */
#define TOPO_JSON_PRETTY                                                       \
	(JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |                   \
	 JSON_C_TO_STRING_NOSLASHESCAPE)

/* The plan as the JSON object of docs/protocol.md ("plan"). */
json_object *topo_plan_to_json(const struct topo_plan *p);
/* Rebuild a plan from topo_plan_to_json output (adoption).  Errors name the
 * JSON path ("plan: $.nodes[0].vcpus: missing").  "cmdline" is
 * recomputed (derived); no topology file is read. */
int topo_plan_from_json(json_object *j, struct topo_plan *p, char *err,
			size_t errlen);

/* The kernel command line that configures node n's guest init
 * (docs/contracts.md).  0, or -1 when n is out of range or buf too small. */
int topo_node_cmdline(const struct topo_plan *p, int n, char *buf, size_t len);

/* Valid instance name (lib/names.c, NAME_INSTANCE)?  0 or -1 with err
 * set.  A topology file's name is name_ok(NAME_FILE, ...). */
int topo_name_check(const char *name, char *err, size_t errlen);

/* The default instance name for a topology (rule above), into buf. */
void topo_default_name(const char *topology, char *buf, size_t len);

/* Valid network interface name (1-15 characters, not "." or "..", no '/',
 * ':', ',', '=' or whitespace)?  0 or -1 with err set. */
int topo_ifname_check(const char *ifname, char *err, size_t errlen);

/* Set o->ports (and port_in/port_out) from "test" or "in=IF,out=IF" (the
 * two in either order), as given to --ports or in the configuration.
 * 0, or -1 with err set. */
int topo_opts_set_ports(struct topo_opts *o, const char *s, char *err,
			size_t errlen);

/*
 * Queue pairs per NIC of node n when multiqueue virtio-net is used (with
 * vhost, or whenever --queues is given; see topo_node_mq): --queues when
 * given, else its vCPU count, or 1.  Each queue pair has its own vhost
 * thread, so the pinning plan holds nifs * queues PIN_VHOST entries per
 * node: index = interface * queues + queue.
 */
int topo_node_queues(const struct topo_plan *p, int n);
/* The queue pairs node n's virtio NICs get in the domain (and its taps'
 * IFF_MULTI_QUEUE): topo_node_queues with vhost or an explicit --queues,
 * else 1 (no multiqueue; also for e1000). */
int topo_node_mq(const struct topo_plan *p, int n, int vhost);

/* lib/topo_axes.c: queues, vhost_zerocopy, qemu_args, irq_cpus, pause.
 * apply: read them from params (0/-1, err); to_json: add the ones not at
 * their default to j; check: refuse them where they cannot apply. */
int topo_axes_apply(json_object *obj, struct topo_opts *o, char *err,
		    size_t errlen);
void topo_axes_to_json(const struct topo_opts *o, json_object *j);
int topo_axes_check(const struct topo_opts *o, char *err, size_t errlen);
const char *topo_zcopy_name(enum topo_zcopy z);

/* Node n's NIC model: its own (topology file), else the options'. */
enum topo_nic_model topo_node_nic_model(const struct topo_plan *p, int n);
/* Node n's --fib-routes: its topology file's, else the option's. */
int topo_node_fib_routes(const struct topo_plan *p, int n);
/* The fewest synthetic prefixes any node holding some has (0: none): the
 * last of them is in every such node's table. */
int topo_plan_fib_min(const struct topo_plan *p);

const char *topo_accel_name(enum topo_accel a);
const char *topo_link_name(enum topo_link l);
const char *topo_role_name(enum topo_role r);
const char *topo_backend_name(enum topo_backend b);
/* The reverse: the enum value, or -1 if unknown. */
int topo_accel_parse(const char *s);
int topo_link_parse(const char *s);
int topo_role_parse(const char *s);
int topo_backend_parse(const char *s);
const char *topo_nic_model_name(enum topo_nic_model m);
const char *topo_vhost_name(enum topo_vhost v);
const char *topo_macvtap_mode_name(enum topo_macvtap_mode m);
int topo_nic_model_parse(const char *s);
int topo_vhost_parse(const char *s);
int topo_macvtap_mode_parse(const char *s);
const char *topo_lb_mode_name(enum topo_lb_mode m);
int topo_lb_mode_parse(const char *s);
const char *topo_split_name(enum topo_split s);
int topo_split_parse(const char *s);

/* Interface f of plan p is a queue of the shared split macvtap (split
 * macvtap: every VR's ingress NIC; one device, made once). */
int topo_if_split_queue(const struct topo_plan *p, const struct topo_if *f);

/*
 * The netns backend: node n's network namespace, "vr-NAME-NODE" (at most
 * 3 + 8 + 1 + 15 = 27 characters), into buf.  0, or -1 when n is out of
 * range.  Node names that would give a port's or the splitter's namespace
 * ("in", "out", "sp") are refused by topo_plan_build for this backend.
 */
int topo_node_netns(const struct topo_plan *p, int n, char *buf, size_t len);

#endif
