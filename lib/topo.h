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
 *   - libvirt domains: "vrouterd-NAME-NODE".
 */
#ifndef VR_TOPO_H
#define VR_TOPO_H

#include <limits.h>
#include <sched.h>

#include <json-c/json.h>

#include "pin.h"

#define TOPO_NAME_LEN   8 /* keeps "vr-NAME-t00" within IFNAMSIZ */
#define TOPO_MAX_NODES  PIN_MAX_NODES
#define TOPO_MAX_IFS    8
#define TOPO_MAX_ROUTES 8
#define TOPO_MAX_VCPUS  64
#define TOPO_IFNAMSIZ   16
#define TOPO_ALIAS_PREFIX "vrouterd:"
#define TOPO_IF_PREFIX    "vr-"
#define TOPO_DOMAIN_PREFIX "vrouterd-"

enum topo_accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };
enum topo_link { LINK_TAP, LINK_MACVTAP };
enum topo_ports { PORTS_TEST, PORTS_HOST };
enum topo_role { ROLE_ROUTER, ROLE_LB, ROLE_BACKEND };

struct topo_opts {
	char topology[64];          /* "monolithic" */
	char name[TOPO_NAME_LEN + 1]; /* instance; default: from topology */
	int cores;                  /* vCPUs per router node (default 1) */
	int memory_mib;             /* per node (default 256) */
	int pin;                    /* apply a pinning plan */
	int rt_prio;                /* SCHED_FIFO priority for vCPUs; 0 = off */
	enum topo_accel accel;
	enum topo_link link;
	enum topo_ports ports;
	char port_in[TOPO_IFNAMSIZ];  /* PORTS_HOST: the real NICs */
	char port_out[TOPO_IFNAMSIZ];
	char image[PATH_MAX];       /* guest image directory */
	int timeout_sec;            /* readiness timeout (default 120) */
	cpu_set_t cpus;             /* --cpus restriction */
	int has_cpus;
	int txqueuelen;             /* 0 = kernel default */
};

struct topo_port {
	char role[4];                 /* "in" or "out" */
	char netns[32];               /* PORTS_TEST: "vr-NAME-in"; "" otherwise */
	char ns_if[TOPO_IFNAMSIZ];    /* interface inside netns ("vp0") */
	char ns_addr[24];             /* "198.18.1.2/24" */
	char ns_gw[20];               /* "198.18.1.1" */
	char host_if[TOPO_IFNAMSIZ];  /* veth host end (test) or the real NIC */
	char bridge[TOPO_IFNAMSIZ];   /* LINK_TAP: "vr-NAME-bi"; "" otherwise */
	int created;                  /* host_if is ours (test ports) */
};

struct topo_if {
	char guest_if[TOPO_IFNAMSIZ]; /* "eth0" inside the guest */
	char mac[18];                 /* "52:54:00:..." deterministic */
	char addr[24];                /* "198.18.1.1/24" */
	char host_if[TOPO_IFNAMSIZ];  /* tap or macvtap: "vr-NAME-t00" */
	int port;                     /* index into plan->ports, -1: internal */
};

struct topo_route {
	char dst[24]; /* "default" or CIDR */
	char via[20];
};

struct topo_node {
	char name[32];     /* "vr0" */
	char domain[64];   /* "vrouterd-NAME-vr0" */
	enum topo_role role;
	int vcpus;
	int memory_mib;
	struct topo_if ifs[TOPO_MAX_IFS];
	int nifs;
	struct topo_route routes[TOPO_MAX_ROUTES];
	int nroutes;
};

struct topo_plan {
	struct topo_opts opts;
	const char *description; /* one line, static */
	struct topo_node nodes[TOPO_MAX_NODES];
	int nnodes;
	struct topo_port ports[2]; /* [0] = in, [1] = out */
	struct pin_plan pin;       /* empty (n == 0) unless opts.pin */
};

/* Defaults for every option (name and topology left empty). */
void topo_opts_init(struct topo_opts *o);

/*
 * Fill opts from a `start`/`topology` params object (already type-checked
 * by proto_params_check).  0, or -1 with a message naming the parameter.
 */
int topo_opts_from_json(json_object *params, struct topo_opts *o,
                        char *err, size_t errlen);
json_object *topo_opts_to_json(const struct topo_opts *o);

/* Names of built-in topologies, NULL-terminated, and their descriptions. */
extern const char *const topo_builtin_names[];
const char *topo_describe(const char *topology);

/*
 * Expand opts into a plan.  online/isolated describe the host (for the
 * pinning plan).  0, or -1 with err set; on error the plan holds nothing
 * that needs freeing.  Free a built plan with topo_plan_free.
 */
int topo_plan_build(const struct topo_opts *o, const cpu_set_t *online,
                    const cpu_set_t *isolated, struct topo_plan *p,
                    char *err, size_t errlen);
void topo_plan_free(struct topo_plan *p);

/* The plan as the JSON object of docs/protocol.md ("plan"). */
json_object *topo_plan_to_json(const struct topo_plan *p);
/* Rebuild a plan from topo_plan_to_json output (adoption). */
int topo_plan_from_json(json_object *j, struct topo_plan *p, char *err,
                        size_t errlen);

/* The kernel command line that configures node n's guest init. */
int topo_node_cmdline(const struct topo_plan *p, int n, char *buf,
                      size_t len);

/* Valid instance name?  0 or -1 with err set. */
int topo_name_check(const char *name, char *err, size_t errlen);

const char *topo_accel_name(enum topo_accel a);
const char *topo_link_name(enum topo_link l);
const char *topo_role_name(enum topo_role r);

#endif
