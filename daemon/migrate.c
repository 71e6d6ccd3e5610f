/*
 * `migrate` (docs/protocol.md): move a running VM node of a topology to
 * another host with libvirt's peer-to-peer migration, and back.  The
 * vrouterd that runs the topology (the coordinator) drives every step; the
 * other host's vrouterd does its part through the peer-facing methods
 * (peer.c):
 *   1. wiring at the destination: the node's taps, by the names its
 *      domain XML uses, in bridges of the same names, and its console
 *      log's directory (migrate_prepare there, or here when the node
 *      comes home); and one unicast VXLAN per network of the node between
 *      the two hosts, on both sides, bridged into that network, its VNI
 *      and MTU by lib/topo_hosts.c's rules (the taps get that MTU too);
 *   2. the migration itself, by the host the domain runs on
 *      (virDomainMigrateToURI3, here or migrate_send there), off the loop;
 *   3. the destination pins the node (the plan's vCPU CPUs) and reports
 *      libvirt's statistics of the completed job (migrate_finish);
 *   4. the source's wiring goes (its taps here; everything there, by
 *      migrate_abort), and the VXLANs once the node is home again.
 * The supervisor knows the node is migrating (no restart, no "degraded")
 * and, afterwards, on which host it runs (status: "host").  A failure
 * before the domain moved leaves it where it ran and removes what step 1
 * made, on both hosts.  Only a node between this host and one other is
 * supported: a node on host B migrates back here, not to host C.  In a
 * topology across hosts each host's part is such a run, the home of its
 * nodes (the destination's part takes a node in: migrate_peer.c); a
 * `migrate` of a node of another host's part is passed to that host
 * (mig_forward).
 *
 * What a peer makes is tagged MIGRATE_ALIAS "NAME:NODE:" (the node's taps)
 * or MIGRATE_ALIAS "NAME::" (the bridges and VXLANs the topology's nodes
 * there share), so migrate_abort finds it again, exactly (the tag ends in
 * ':': r1's is no prefix of r10's), and removes the shared ones with the
 * topology's last node there (`last`); `cleanup` of a topology never takes
 * them for its own.
 *
 * The other host's side is migrate_peer.c; what both use (the tag, the
 * wiring helpers) is declared in migrate_int.h.  What remains here is the
 * coordinator's steps, one state machine (mig_next, its jobs and peer
 * replies), and `stop`'s part, which calls the same peers.  Over 900
 * lines on purpose: every step reads and writes one struct mig_op and
 * moves by mig_next's switch, so a split would export the op and every
 * step to each half; `stop`'s part (its own op, mig_stop) is the piece to
 * move out when this grows, with the call passed on to a node's home
 * (mig_fwd), which uses no mig_op either.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "coord.h"
#include "deploy.h"
#include "deploy_int.h"
#include "hosted.h"
#include "log.h"
#include "migrate.h"
#include "migrate_int.h"
#include "netsetup.h"
#include "peer.h"
#include "pin.h"
#include "sup_run.h"
#include "topo_hosts.h"
#include "util.h"
#include "vm.h"

#define MIGRATE_PEER_WAIT  60  /* s, a wiring step at the peer */
#define MIGRATE_SEND_WAIT  900 /* s, the migration itself */
#define MIGRATE_WHERE_WAIT 60  /* s, MS_WHERE: until one host has it */
/* the tag of the VXLANs a migration makes here: it ends in ':', so that
 * no role of a start (a part's "vxlan-BRIDGE") has it as a prefix */
#define MIGRATE_VXLAN_ROLE "migrate-vxlan:"

enum mig_step {
	MS_WIRE,     /* here: taps (coming home), VXLANs (leaving home) */
	MS_PREPARE,  /* there: migrate_prepare */
	MS_SEND,     /* where it runs: the migration */
	MS_FINISH,   /* where it arrived: pin, statistics */
	MS_UNWIRE,   /* where it ran, there: migrate_abort */
	MS_UNWIRE_L, /* here: the taps it left, the VXLANs when home */
	MS_ABORT,    /* failed: there, migrate_abort */
	MS_ABORT_L,  /* failed: here, what MS_WIRE made */
	MS_WHERE,    /* the peer went silent in MS_SEND: where does it run? */
};

struct mig_op {
	migrate_done_fn done;
	void *done_arg;
	char name[64];
	char node[32];
	char domain[64];
	char from[TOPO_HOST_LEN + 1];	/* where it runs: "" here */
	char to[TOPO_HOST_LEN + 1];	/* where it goes: "" here */
	char remote[TOPO_HOST_LEN + 1]; /* the other host (from or to) */
	int n, offline;
	enum mig_step step;
	struct peer *peer;
	struct topo_plan *plan; /* a copy: the run may go meanwhile */
	int mq;
	struct mig_vx vx[TOPO_MAX_NETS];
	int nvx;
	int vx_mtu;  /* the taps' MTU while the node is away */
	int keep_vx; /* another node of the topology is away: VXLANs stay */
	char local[TOPO_ADDRSTRLEN];
	json_object *cpus; /* the node's vCPU CPUs */
	/* the other host's entry, copied: a reload rewrites conf on the loop
	 * while the jobs run */
	struct config_host host;
	/* results */
	int wired, prepared, moved;
	int arrived; /* MS_FINISH: the domain is where libvirt said */
	int where;   /* MS_WHERE: 1 here, 0 there, -1 unknown */
	int counted; /* in mig_inflight */
	json_object *stats, *pinned, *warnings;
	double t0, send_ms;
	int code;
	char err[2048];
	/* the job's own */
	int jrc;
	char jerr[1024];
	/* shutdown (migrate_shutdown): abort it, the node stays where it ran */
	int closing;
	int aborting;	 /* the abort job runs: mig_end waits for it */
	int end_wait;	 /* ... and mig_end was called meanwhile */
	atomic_int sent; /* MS_SEND answered: the abort job stops */
	TAILQ_ENTRY(mig_op) entry; /* in mig_ops while counted */
};

static int mig_inflight; /* migrations under way (shutdown waits) */
static TAILQ_HEAD(, mig_op) mig_ops = TAILQ_HEAD_INITIALIZER(mig_ops);

int
migrate_inflight(void)
{
	return mig_inflight;
}

static double
mig_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The address this host sends from toward remote, and the path's MTU
 * (the kernel's route, by a connected UDP socket: nothing is sent). */
int
mig_underlay(const char *remote, char *local, size_t len, int *mtu, int *v6)
{
	struct addrinfo hints = {0}, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = -1, rc = -1, m = 0;
	socklen_t ml = sizeof(m);

	hints.ai_flags = AI_NUMERICHOST;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(remote, "4789", &hints, &ai) != 0 || ai == NULL)
		goto out;
	*v6 = ai->ai_family == AF_INET6;
	if ((fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) == -1)
		goto out;
	if (getnameinfo((struct sockaddr *)&ss, sl, local, (socklen_t)len, NULL,
			0, NI_NUMERICHOST) != 0)
		goto out;
	if (getsockopt(fd, *v6 ? IPPROTO_IPV6 : IPPROTO_IP,
		       *v6 ? IPV6_MTU : IP_MTU, &m, &ml) == -1 ||
	    m <= 0)
		m = TOPO_UNDERLAY_MTU_DEFAULT;
	*mtu = m;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (ai)
		freeaddrinfo(ai);
	return rc;
}

/* The VXLAN of a network: its bridge's name with 'x' after the last '-'
 * ("vr-NAME-bi" -> "vr-NAME-xi", "vr-NAME-n0" -> "vr-NAME-x0"). */
static void
mig_vx_name(const char *bridge, char *buf, size_t len)
{
	const char *dash = strrchr(bridge, '-');

	vr_strlcpy(buf, bridge, len);
	if (dash != NULL && (size_t)(dash - bridge + 1) < len)
		buf[dash - bridge + 1] = 'x';
}

/* The networks of node n between this host and remote, as topo_hosts
 * plans them with the node on remote: VNI, MTU. */
static int
mig_plan_vx(struct mig_op *op, const struct config_host *h)
{
	struct topo_plan *p = xcalloc(1, sizeof(*p));
	struct topo_hosts *th = xcalloc(1, sizeof(*th));
	struct topo_underlay u[2];
	int mtu, v6, rc = -1;
	char perr[512];

	if (mig_underlay(h->tunnel_address, op->local, sizeof(op->local), &mtu,
			 &v6) == -1) {
		msgf(op->err, sizeof(op->err),
		     "host %s: no route to its tunnel_address %s", h->name,
		     h->tunnel_address);
		goto out;
	}
	*p = *op->plan;
	p->pin.a = NULL; /* not ours to free */
	p->pin.n = 0;
	vr_strlcpy(p->nodes[op->n].host, h->name, sizeof(p->nodes[op->n].host));
	/* as a start plans them (part.c): each host's tunnel_mtu, this
	 * host's no more than its route toward the other can carry */
	u[0] = (struct topo_underlay){
	    conf->host_name, op->local,
	    mtu < conf->tunnel_mtu ? mtu : conf->tunnel_mtu};
	u[1] =
	    (struct topo_underlay){h->name, h->tunnel_address, h->tunnel_mtu};
	if (topo_hosts_plan(p, conf->host_name, u, 2, th, perr, sizeof(perr)) ==
	    -1) {
		msgf(op->err, sizeof(op->err), "%s", perr);
		goto out;
	}
	for (int i = 0; i < th->nnets; i++) {
		struct mig_vx *x = &op->vx[op->nvx];

		if (th->nets[i].vni == 0)
			continue;
		vr_strlcpy(x->bridge, th->nets[i].bridge, sizeof(x->bridge));
		mig_vx_name(x->bridge, x->name, sizeof(x->name));
		x->vni = th->nets[i].vni;
		x->mtu = th->nets[i].mtu;
		op->vx_mtu = x->mtu;
		op->nvx++;
	}
	rc = 0;
out:
	free(p);
	free(th);
	return rc;
}

/* ---- wiring, on a worker thread -------------------------------------- */

/* One tap of a node: as kind_vm.c makes it, in bridge, MTU mtu (0: the
 * kernel's). */
int
mig_tap_make(struct ns_ctx *ns, const char *tap, const char *alias,
	     const char *bridge, int mq, int mtu, int qlen)
{
	if (nl_tap_add(ns, tap, alias, mq) == -1)
		return -1;
	if ((mtu > 0 && nl_link_set_mtu(ns, tap, mtu) == -1) ||
	    (bridge[0] && nl_link_set_master(ns, tap, bridge) == -1) ||
	    (qlen > 0 && nl_link_set_txqlen(ns, tap, qlen) == -1) ||
	    nl_link_set_up(ns, tap, 1) == -1) {
		(void)nl_link_del(ns, tap, alias, 1);
		return -1;
	}
	return 0;
}

/* a and b are the same address (numeric strings, either family) */
static int
mig_addr_same(const char *a, const char *b)
{
	unsigned char x[16], y[16];

	if (inet_pton(AF_INET, a, x) == 1 && inet_pton(AF_INET, b, y) == 1)
		return memcmp(x, y, 4) == 0;
	if (inet_pton(AF_INET6, a, x) == 1 && inet_pton(AF_INET6, b, y) == 1)
		return memcmp(x, y, 16) == 0;
	return strcmp(a, b) == 0;
}

int
mig_vx_make(struct ns_ctx *ns, const struct mig_vx *x, const char *alias,
	    const char *local, const char *remote, char *err, size_t errlen)
{
	const char *const remotes[1] = {remote};
	struct nl_vxlan v = {.vni = x->vni,
			     .local = local,
			     .mtu = x->mtu,
			     .remotes = remotes,
			     .nremotes = 1};
	struct nl_vxlan_info in;

	if (nl_link_exists(ns, x->name) == 1) {
		/* another node of the topology brought it: the same
		 * segment, to the same host, or not ours to reuse */
		if (nl_vxlan_get(ns, x->name, &in) == -1) {
			msgf(err, errlen, "%s", ns_error(ns));
			return -1;
		}
		if (in.vni != x->vni || in.nremotes != 1 ||
		    !mig_addr_same(in.remotes[0], remote)) {
			msgf(err, errlen,
			     "%s exists with VNI %u to %s, not VNI %u to %s: "
			     "a network of one topology toward more than one "
			     "other host is not supported yet",
			     x->name, in.vni,
			     in.nremotes == 1 ? in.remotes[0]
			     : in.nremotes    ? "several hosts"
					      : "no host",
			     x->vni, remote);
			return -1;
		}
		return 0;
	}
	if (nl_vxlan_add(ns, x->name, alias, &v, x->bridge) == -1 ||
	    nl_link_set_up(ns, x->name, 1) == -1) {
		msgf(err, errlen, "%s", ns_error(ns));
		(void)nl_link_del(ns, x->name, alias, 1);
		return -1;
	}
	return 0;
}

struct mig_tagged {
	char names[64][16];
	int n;
};

static void
mig_tagged_add(const char *name, const char *alias, void *arg)
{
	struct mig_tagged *t = arg;

	(void)alias;
	if (t->n < (int)nitems(t->names))
		vr_strlcpy(t->names[t->n++], name, sizeof(t->names[0]));
}

/* Remove every link whose alias starts with prefix: bridges last. */
int
mig_unwire_tagged(struct ns_ctx *ns, const char *prefix, char *err,
		  size_t errlen)
{
	struct mig_tagged t = {.n = 0};
	char kind[32];
	int rc = 0;

	if (nl_link_foreach_tagged(ns, prefix, mig_tagged_add, &t) == -1) {
		msgf(err, errlen, "%s", ns_error(ns));
		return -1;
	}
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < t.n; i++) {
			int br = nl_link_kind(ns, t.names[i], kind,
					      sizeof(kind)) == 0 &&
				 strcmp(kind, "bridge") == 0;

			if (br != pass)
				continue;
			if (nl_link_del(ns, t.names[i], prefix, 1) == -1) {
				msgf(err, errlen, "%s", ns_error(ns));
				rc = -1;
			}
		}
	return rc;
}

/* ---- the coordinator's steps ------------------------------------------ */

static void mig_next(struct mig_op *op);

static void
mig_local_job(struct job *j, void *arg)
{
	struct mig_op *op = arg;
	const struct topo_plan *p = op->plan;
	const struct topo_node *nd = &p->nodes[op->n];
	char alias[160], prefix[160], err[512];
	struct ns_ctx *ns = NULL;

	(void)j;
	op->jrc = 0;
	op->jerr[0] = '\0';
	if (op->step == MS_SEND) {
		const char *f = getenv("VROUTERD_FAULT");

		op->jrc = vm_migrate(op->domain, op->host.libvirt_uri,
				     !op->offline, op->jerr, sizeof(op->jerr));
		/* test hook: libvirt's success said to be a failure, so the
		 * check with the destination (MS_WHERE) is exercised */
		if (op->jrc == 0 && f &&
		    strcmp(f, "migrate_said_failed") == 0) {
			op->jrc = -1;
			msgf(op->jerr, sizeof(op->jerr),
			     "fault injected: libvirt's success reported as a "
			     "failure (VROUTERD_FAULT=%s)",
			     f);
		}
		return;
	}
	if (op->step == MS_WHERE) {
		/* abort the job there (if it still runs), then wait until
		 * exactly one host has the domain */
		op->where = -1;
		for (int t = 0; t < MIGRATE_WHERE_WAIT && op->where == -1;
		     t++) {
			int there =
				vm_abort_at(op->host.libvirt_uri, op->domain),
			    here = vm_exists(op->domain);

			if (here == 1 && there == 0)
				op->where = 1;
			else if (here == 0 && there == 1)
				op->where = 0;
			else if (t + 1 == MIGRATE_WHERE_WAIT && here == 1 &&
				 there == 1)
				op->where = 2; /* on both: say so */
			else
				sleep(1);
		}
		return;
	}
	if (op->step == MS_FINISH) {
		op->pinned = json_object_new_array();
		for (size_t i = 0; i < json_object_array_length(op->cpus);
		     i++) {
			int cpu = json_object_get_int(
			    json_object_array_get_idx(op->cpus, i));

			if (cpu >= 0 && vm_pin_vcpu(op->domain, (int)i, cpu,
						    err, sizeof(err)) == 0) {
				json_object *o = json_object_new_object();
				json_object_object_add(
				    o, "vcpu", json_object_new_int((int)i));
				json_object_object_add(
				    o, "cpu", json_object_new_int(cpu));
				json_object_array_add(op->pinned, o);
			}
		}
		op->stats = vm_job_completed(op->domain);
		op->arrived = vm_exists(op->domain) == 1;
		return;
	}
	if ((ns = ns_open(NULL, err, sizeof(err))) == NULL) {
		msgf(op->jerr, sizeof(op->jerr), "%s", err);
		op->jrc = -1;
		return;
	}
	deploy_alias_prefix(p, prefix, sizeof(prefix));
	switch (op->step) {
	case MS_WIRE:
		/* coming home: the taps, as the start made them */
		if (op->to[0] == '\0')
			for (int k = 0; k < nd->nifs && op->jrc == 0; k++) {
				char role[96];

				snprintf(role, sizeof(role), "node-%s-%s",
					 nd->name, nd->ifs[k].guest_if);
				deploy_alias(p, role, alias, sizeof(alias));
				op->jrc = mig_tap_make(
				    ns, nd->ifs[k].host_if, alias,
				    deploy_if_bridge(p, &nd->ifs[k]), op->mq,
				    nd->ifs[k].mtu, p->opts.txqueuelen);
			}
		/* leaving home: the VXLANs toward the other host */
		deploy_alias(p, MIGRATE_VXLAN_ROLE, alias, sizeof(alias));
		if (op->from[0] == '\0')
			for (int i = 0; i < op->nvx && op->jrc == 0; i++)
				op->jrc = mig_vx_make(
				    ns, &op->vx[i], alias, op->local,
				    op->host.tunnel_address, op->jerr,
				    sizeof(op->jerr));
		if (op->jrc == -1 && op->jerr[0] == '\0')
			msgf(op->jerr, sizeof(op->jerr), "%s", ns_error(ns));
		break;
	case MS_ABORT_L:
	case MS_UNWIRE_L:
		/* the taps of the host it is not on (now) */
		if ((op->step == MS_ABORT_L) == (op->to[0] == '\0'))
			for (int k = 0; k < nd->nifs; k++)
				if (nl_link_del(ns, nd->ifs[k].host_if, prefix,
						1) == -1) {
					msgf(op->jerr, sizeof(op->jerr), "%s",
					     ns_error(ns));
					op->jrc = -1;
				}
		/* the VXLANs, when the node is (still, again) home */
		if (!op->keep_vx &&
		    ((op->step == MS_ABORT_L && op->from[0] == '\0') ||
		     (op->step == MS_UNWIRE_L && op->to[0] == '\0'))) {
			deploy_alias(p, MIGRATE_VXLAN_ROLE, alias,
				     sizeof(alias));
			if (mig_unwire_tagged(ns, alias, op->jerr,
					      sizeof(op->jerr)) == -1)
				op->jrc = -1;
		}
		break;
	default:
		break;
	}
	ns_close(ns);
}

/* libvirt answered success but the destination has no such domain: where
 * it runs is unknown, so nothing is removed on either host and the node
 * stays recorded where it was.  The next step: none (the end). */
static enum mig_step
mig_not_arrived(struct mig_op *op)
{
	op->moved = 0;
	op->code = PROTO_E_LIBVIRT;
	msgf(op->err, sizeof(op->err),
	     "libvirt reported %s migrated to %s, but it does not run there: "
	     "nothing was removed on either host; find it with `virsh list "
	     "--all` on both, then `vrctl stop %s` here and remove the links "
	     "aliased vrouterd-migrate:%s: on the other host "
	     "(docs/multihost.md)",
	     op->domain, op->to[0] ? op->to : conf->host_name, op->name,
	     op->name);
	return (enum mig_step) - 1;
}

static void
mig_local_done(void *arg)
{
	struct mig_op *op = arg;

	switch (op->step) {
	case MS_WIRE:
		op->wired = op->jrc == 0;
		if (op->jrc == -1) {
			op->code = PROTO_E_NETSETUP;
			msgf(op->err, sizeof(op->err), "wiring here: %s",
			     op->jerr);
			op->step = MS_ABORT_L;
		} else
			op->step = op->to[0] ? MS_PREPARE : MS_SEND;
		break;
	case MS_SEND:
		op->send_ms = mig_now_ms() - op->t0;
		atomic_store(&op->sent, 1);
		if (op->jrc == -1) {
			op->code = PROTO_E_LIBVIRT;
			msgf(op->err, sizeof(op->err), "%s", op->jerr);
			/* libvirt's word is checked with the other host's
			 * libvirtd before its wiring goes */
			op->step = MS_WHERE;
		} else {
			op->moved = 1;
			op->step = MS_FINISH;
		}
		break;
	case MS_FINISH:
		op->step = op->arrived ? (op->from[0] ? MS_UNWIRE : MS_UNWIRE_L)
				       : mig_not_arrived(op);
		break;
	case MS_WHERE:
		/* where == 1: only here; 0: only there */
		if (op->where == 1 || op->where == 0) {
			if (op->where == (op->to[0] == '\0')) {
				op->moved = 1; /* it arrived after all */
				log_warnx("%s: libvirt said: %s; but it runs "
					  "on %s: migrated",
					  op->domain, op->err,
					  op->to[0] ? op->to : conf->host_name);
				json_object_array_add(
				    op->warnings,
				    json_object_new_string(op->err));
				op->step = MS_FINISH;
			} else /* it stayed: the destination's wiring goes */
				op->step = op->prepared ? MS_ABORT : MS_ABORT_L;
		} else {
			msgf(
			    op->err + strlen(op->err),
			    sizeof(op->err) - strlen(op->err),
			    op->where == 2
				? "; %s exists on both hosts: nothing was "
				  "removed; see which one runs (`virsh "
				  "domstate %s` on each), destroy the other "
				  "(`virsh destroy`), then `vrctl stop %s` "
				  "here and remove the links aliased "
				  "vrouterd-migrate:%s: there "
				  "(docs/multihost.md)"
				: "; neither host could say where %s runs: "
				  "nothing was removed (see docs/multihost.md)",
			    op->domain, op->domain, op->name, op->name);
			log_warnx("%s/%s: %s", op->name, op->node, op->err);
			op->step = (enum mig_step) - 1;
		}
		break;
	case MS_UNWIRE_L:
	case MS_ABORT_L:
		if (op->jrc == -1)
			json_object_array_add(op->warnings,
					      json_object_new_string(op->jerr));
		op->step = (enum mig_step) - 1;
		break;
	default:
		break;
	}
	mig_next(op);
}

static void
mig_local(struct mig_op *op)
{
	if (job_start(sup_base, mig_local_job, NULL, mig_local_done, op) ==
	    -1) {
		op->jrc = -1;
		msgf(op->jerr, sizeof(op->jerr), "cannot start a job: %s",
		     strerror(errno));
		mig_local_done(op);
	}
}

static void
mig_peer_done(json_object *result, json_object *error, const char *fail,
	      void *arg)
{
	struct mig_op *op = arg;
	json_object *m = NULL, *v;
	char msg[1024] = "";

	if (fail)
		msgf(msg, sizeof(msg), "%s", fail);
	else if (error) {
		json_object_object_get_ex(error, "message", &m);
		msgf(msg, sizeof(msg), "host %s: %s", op->remote,
		     m ? json_object_get_string(m) : "(no message)");
	}
	switch (op->step) {
	case MS_PREPARE:
		op->prepared = 1; /* even a failed one may have left some */
		if (msg[0]) {
			op->code = PROTO_E_NETSETUP;
			msgf(op->err, sizeof(op->err), "wiring there: %s", msg);
			op->step = MS_ABORT;
		} else
			op->step = MS_SEND;
		break;
	case MS_SEND:
		op->send_ms = mig_now_ms() - op->t0;
		atomic_store(&op->sent, 1);
		if (msg[0]) {
			op->code = PROTO_E_LIBVIRT;
			msgf(op->err, sizeof(op->err), "%s", msg);
			/* no answer (connection lost, timeout): the domain
			 * may still come; a failure: checked, not trusted.
			 * Both libvirtds are asked first */
			op->step = MS_WHERE;
		} else {
			op->moved = 1;
			op->step = MS_FINISH;
		}
		break;
	case MS_FINISH:
		if (msg[0])
			json_object_array_add(op->warnings,
					      json_object_new_string(msg));
		if (result && json_object_object_get_ex(result, "stats", &v))
			op->stats = json_object_get(v);
		if (result && json_object_object_get_ex(result, "pinned", &v))
			op->pinned = json_object_get(v);
		if (result && json_object_object_get_ex(result, "warning", &v))
			json_object_array_add(op->warnings, json_object_get(v));
		/* "arrived" false: libvirt said it moved, it is not there
		 * (a peer that does not say is taken at libvirt's word) */
		op->step =
		    result &&
			    json_object_object_get_ex(result, "arrived", &v) &&
			    !json_object_get_boolean(v)
			? mig_not_arrived(op)
			: MS_UNWIRE_L;
		break;
	case MS_UNWIRE:
	case MS_ABORT:
		if (msg[0])
			json_object_array_add(op->warnings,
					      json_object_new_string(msg));
		op->step = op->step == MS_UNWIRE ? MS_UNWIRE_L : MS_ABORT_L;
		break;
	default:
		break;
	}
	mig_next(op);
}

static json_object *
mig_params(const struct mig_op *op)
{
	json_object *p = json_object_new_object();

	json_object_object_add(p, "name", json_object_new_string(op->name));
	json_object_object_add(p, "node", json_object_new_string(op->node));
	json_object_object_add(p, "home",
			       json_object_new_string(conf->host_name));
	return p;
}

/* No node of the topology but n runs on host or is on its way anywhere:
 * n is the last there, its migrate_abort removes the shared bridges and
 * VXLANs too. */
static int
mig_last_on(const char *name, int n, const char *host)
{
	struct run *r = sup_run_find(name);

	if (r == NULL || r->nrt == NULL)
		return 1;
	for (int k = 0; k < r->plan->nnodes; k++)
		if (k != n &&
		    (strcmp(r->nrt[k].host, host) == 0 || r->nrt[k].migrating))
			return 0;
	return 1;
}

static json_object *
mig_abort_params(const struct mig_op *op)
{
	json_object *p = mig_params(op);

	json_object_object_add(
	    p, "last",
	    json_object_new_boolean(mig_last_on(op->name, op->n, op->remote)));
	return p;
}

static json_object *
mig_prepare_params(const struct mig_op *op)
{
	const struct topo_node *nd = &op->plan->nodes[op->n];
	json_object *p = mig_params(op), *links = json_object_new_array(),
		    *vxs = json_object_new_array();

	for (int k = 0; k < nd->nifs; k++) {
		json_object *l = json_object_new_object();

		json_object_object_add(
		    l, "tap", json_object_new_string(nd->ifs[k].host_if));
		json_object_object_add(l, "bridge",
				       json_object_new_string(deploy_if_bridge(
					   op->plan, &nd->ifs[k])));
		json_object_object_add(l, "multi_queue",
				       json_object_new_boolean(op->mq));
		json_object_object_add(
		    l, "mtu",
		    json_object_new_int(op->vx_mtu ? op->vx_mtu
						   : nd->ifs[k].mtu));
		json_object_array_add(links, l);
	}
	for (int i = 0; i < op->nvx; i++) {
		json_object *x = json_object_new_object();

		json_object_object_add(x, "name",
				       json_object_new_string(op->vx[i].name));
		json_object_object_add(
		    x, "bridge", json_object_new_string(op->vx[i].bridge));
		json_object_object_add(x, "vni",
				       json_object_new_int64(op->vx[i].vni));
		json_object_object_add(x, "mtu",
				       json_object_new_int(op->vx[i].mtu));
		json_object_array_add(vxs, x);
	}
	json_object_object_add(p, "links", links);
	json_object_object_add(p, "vxlans", vxs);
	json_object_object_add(p, "remote", json_object_new_string(op->local));
	return p;
}

static void
mig_call(struct mig_op *op, enum proto_method_id m, json_object *params,
	 int wait)
{
	(void)peer_call(op->peer, m, params, wait, mig_peer_done, op);
}

static json_object *
mig_record(struct mig_op *op)
{
	json_object *o = json_object_new_object(), *v;

	json_object_object_add(o, "node", json_object_new_string(op->node));
	json_object_object_add(
	    o, "from",
	    json_object_new_string(op->from[0] ? op->from : conf->host_name));
	json_object_object_add(
	    o, "to",
	    json_object_new_string(op->to[0] ? op->to : conf->host_name));
	json_object_object_add(o, "live",
			       json_object_new_boolean(!op->offline));
	json_object_object_add(o, "ok", json_object_new_boolean(op->moved));
	if (!op->moved)
		json_object_object_add(o, "error",
				       json_object_new_string(op->err));
	json_object_object_add(o, "wall_ms",
			       json_object_new_int64((int64_t)op->send_ms));
	if (op->stats) {
		if (json_object_object_get_ex(op->stats, "time_elapsed", &v))
			json_object_object_add(o, "total_ms",
					       json_object_get(v));
		if (json_object_object_get_ex(op->stats, "downtime", &v))
			json_object_object_add(o, "downtime_ms",
					       json_object_get(v));
		if (json_object_object_get_ex(op->stats, "memory_processed",
					      &v))
			json_object_object_add(o, "memory_bytes",
					       json_object_get(v));
		json_object_object_add(o, "libvirt",
				       json_object_get(op->stats));
	}
	json_object_object_add(o, "pinned",
			       op->pinned ? json_object_get(op->pinned)
					  : json_object_new_array());
	json_object_object_add(o, "vxlans", json_object_new_int(op->nvx));
	json_object_object_add(o, "warnings", json_object_get(op->warnings));
	return o;
}

static void
mig_end(struct mig_op *op)
{
	struct run *r;
	json_object *rec;

	if (op->aborting) {
		op->end_wait = 1; /* mig_abort_done ends it */
		return;
	}
	r = sup_run_find(op->name);
	rec = mig_record(op);
	if (op->closing)
		log_info(
		    "%s/%s: shutdown: its migration to %s %s; it runs on "
		    "%s",
		    op->name, op->node, op->to[0] ? op->to : conf->host_name,
		    op->moved ? "had completed" : "was aborted",
		    op->moved ? (op->to[0] ? op->to : conf->host_name)
			      : (op->from[0] ? op->from : conf->host_name));

	if (r != NULL && op->n < r->plan->nnodes) {
		r->nrt[op->n].migrating = 0;
		if (op->moved)
			vr_strlcpy(r->nrt[op->n].host, op->to,
				   sizeof(r->nrt[op->n].host));
		json_object_put(r->migration);
		r->migration = json_object_get(rec);
		sup_run_save(r); /* state.json: where the node runs */
		sup_event("node", r, op->n,
			  op->moved ? "migrated" : "migration failed");
	}
	op->done(op->done_arg, rec,
		 op->moved  ? 0
		 : op->code ? op->code
			    : PROTO_E_INTERNAL,
		 op->err);
	json_object_put(rec);
	if (op->counted) {
		mig_inflight--;
		TAILQ_REMOVE(&mig_ops, op, entry);
	}
	peer_close(op->peer);
	json_object_put(op->stats);
	json_object_put(op->pinned);
	json_object_put(op->warnings);
	json_object_put(op->cpus);
	topo_plan_free(op->plan);
	free(op->plan);
	free(op);
	sup_check_done();
}

static void
mig_next(struct mig_op *op)
{
	switch ((int)op->step) {
	case MS_WIRE:
	case MS_UNWIRE_L:
	case MS_ABORT_L:
	case MS_WHERE:
		mig_local(op);
		return;
	case MS_PREPARE:
		mig_call(op, METHOD_MIGRATE_PREPARE, mig_prepare_params(op),
			 MIGRATE_PEER_WAIT);
		return;
	case MS_SEND:
		op->t0 = mig_now_ms();
		if (op->closing) {
			op->code = PROTO_E_BUSY;
			msgf(op->err, sizeof(op->err),
			     "vrouterd is shutting down: the migration was not "
			     "begun");
			op->step = op->prepared ? MS_ABORT : MS_ABORT_L;
			mig_next(op);
		} else if (op->from[0] == '\0') {
			mig_local(op);
		} else {
			json_object *p = mig_params(op);

			json_object_object_add(
			    p, "to", json_object_new_string(conf->host_name));
			json_object_object_add(
			    p, "offline", json_object_new_boolean(op->offline));
			mig_call(op, METHOD_MIGRATE_SEND, p, MIGRATE_SEND_WAIT);
		}
		return;
	case MS_FINISH:
		if (op->to[0] == '\0')
			mig_local(op);
		else {
			json_object *p = mig_params(op);

			json_object_object_add(p, "cpus",
					       json_object_get(op->cpus));
			json_object_object_add(
			    p, "coordinator",
			    json_object_new_string(conf->host_name));
			mig_call(op, METHOD_MIGRATE_FINISH, p,
				 MIGRATE_PEER_WAIT);
		}
		return;
	case MS_UNWIRE:
	case MS_ABORT:
		mig_call(op, METHOD_MIGRATE_ABORT, mig_abort_params(op),
			 MIGRATE_PEER_WAIT);
		return;
	default:
		mig_end(op);
		return;
	}
}

/* The abort of a migration under way at a shutdown: its source's libvirtd
 * is asked to abort the job (virDomainAbortJob), again each second until
 * MS_SEND has answered (the job may not have begun when first asked). */
static void
mig_abort_job(struct job *j, void *arg)
{
	struct mig_op *op = arg;

	(void)j;
	for (int t = 0; t < MIGRATE_SEND_WAIT && !atomic_load(&op->sent); t++) {
		if (op->from[0] == '\0')
			(void)vm_abort(op->domain);
		else
			(void)vm_abort_at(op->host.libvirt_uri, op->domain);
		for (int k = 0; k < 10 && !atomic_load(&op->sent); k++)
			usleep(100 * 1000);
	}
}

static void
mig_abort_done(void *arg)
{
	struct mig_op *op = arg;

	op->aborting = 0;
	if (op->end_wait)
		mig_end(op);
	else
		sup_check_done();
}

void
migrate_shutdown(void)
{
	struct mig_op *op;

	TAILQ_FOREACH(op, &mig_ops, entry)
	{
		if (op->closing)
			continue;
		op->closing = 1;
		log_info("%s/%s: shutdown: aborting its migration to %s (it "
			 "stays on %s)",
			 op->name, op->node,
			 op->to[0] ? op->to : conf->host_name,
			 op->from[0] ? op->from : conf->host_name);
		/* before MS_SEND, mig_next does not begin it; after, it ends */
		if (op->step != MS_SEND || atomic_load(&op->sent))
			continue;
		if (job_start(sup_base, mig_abort_job, NULL, mig_abort_done,
			      op) == 0)
			op->aborting = 1;
		else
			log_warn("%s/%s: cannot start the abort", op->name,
				 op->node);
	}
}

/* A node moves only between its home and one other host, in a topology
 * on at most those two: its networks' tunnels are planned between two
 * hosts (mig_plan_vx), a third one's would be cut off.  The hosts r
 * knows of: its plan's nodes and ports (on a part, a "" one is the
 * coordinator's, named when a node of it is there), its peers, where its
 * nodes are now, the other parts' nodes, and the destination.  0, or -1
 * with err. */
static int
mig_span_check(const struct run *r, int n, const char *to, char *err,
	       size_t errlen)
{
	char names[TOPO_MAX_HOSTS + 2][TOPO_HOST_LEN + 1], list[256] = "";
	const int max = (int)nitems(names);
	/* "" in the plan: this host unless it is another's part */
	const char *self =
	    r->host[0] == '\0' || r->npeers > 0 ? conf->host_name : NULL;
	json_object *v;
	int k = 0;

	topo_hosts_set_add(names, &k, max, conf->host_name, NULL);
	topo_hosts_set_add(names, &k, max, to, conf->host_name);
	topo_hosts_span(r->plan, self, names, &k, max);
	for (int i = 0; i < r->npeers; i++)
		topo_hosts_set_add(names, &k, max, r->peers[i], NULL);
	for (int i = 0; r->nrt && i < r->plan->nnodes; i++)
		topo_hosts_set_add(names, &k, max, r->nrt[i].host, NULL);
	for (size_t i = 0; r->remote && i < json_object_array_length(r->remote);
	     i++)
		if (json_object_object_get_ex(
			json_object_array_get_idx(r->remote, i), "host", &v))
			topo_hosts_set_add(names, &k, max,
					   json_object_get_string(v), NULL);
	if (k <= 2)
		return 0;
	for (int i = 0; i < k; i++)
		msgf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
		     i ? ", " : "", names[i]);
	msgf(err, errlen,
	     "not supported yet: %s spans hosts %s, and a node migrates only "
	     "within a topology on two hosts (its home and one other); %s "
	     "stays where it runs (docs/multihost.md)",
	     r->plan->opts.name, list, r->plan->nodes[n].name);
	return -1;
}

int
migrate_run(const char *name, const char *node, const char *to, int offline,
	    migrate_done_fn done, void *arg, int *code, char *err,
	    size_t errlen)
{
	const struct config_host *h;
	struct mig_op *op;
	struct run *r;
	int n;

	*code = PROTO_E_BUSY;
	if (sup_closing) {
		msgf(err, errlen, "vrouterd is shutting down");
		return -1;
	}
	*code = PROTO_E_NOT_FOUND;
	if ((r = sup_run_find(name)) == NULL) {
		msgf(err, errlen, "no topology named %s is running", name);
		return -1;
	}
	for (n = 0; n < r->plan->nnodes; n++)
		if (strcmp(r->plan->nodes[n].name, node) == 0)
			break;
	if (n == r->plan->nnodes) {
		msgf(err, errlen, "%s has no node %s", name, node);
		return -1;
	}
	*code = PROTO_E_BUSY;
	if (r->state != RUN_RUNNING || r->nrt[n].migrating ||
	    r->nrt[n].restarting) {
		msgf(err, errlen,
		     "%s/%s is busy (%s); try again when that has finished",
		     name, node,
		     r->nrt[n].migrating ? "migrating" : sup_run_state(r));
		return -1;
	}
	/* one at a time per topology: keep_vx and the other host's shared
	 * bridges and VXLANs are planned with the others where they are */
	for (int k = 0; k < r->plan->nnodes; k++)
		if (r->nrt[k].migrating) {
			msgf(err, errlen,
			     "%s/%s is migrating: one migration of a topology "
			     "at a time; try again when it has finished",
			     name, r->plan->nodes[k].name);
			return -1;
		}
	*code = PROTO_E_TOPOLOGY;
	if (r->plan->opts.backend != BACKEND_VM) {
		msgf(err, errlen, "%s/%s is a namespace node: only VMs migrate",
		     name, node);
		return -1;
	}
	if (r->plan->opts.link == LINK_MACVTAP) {
		msgf(err, errlen,
		     "%s/%s has macvtap links (--link macvtap): only taps "
		     "migrate",
		     name, node);
		return -1;
	}
	*code = PROTO_E_PARAMS;
	if (strcmp(to, conf->host_name) == 0)
		to = "";
	if (strcmp(to, r->nrt[n].host) == 0) {
		msgf(err, errlen, "%s/%s runs on %s already", name, node,
		     to[0] ? to : conf->host_name);
		return -1;
	}
	if (to[0] && r->nrt[n].host[0]) {
		msgf(err, errlen,
		     "%s/%s runs on %s: it can only come back here (%s)", name,
		     node, r->nrt[n].host, conf->host_name);
		return -1;
	}
	*code = PROTO_E_TOPOLOGY;
	if (mig_span_check(r, n, to, err, errlen) == -1)
		return -1;
	op = xcalloc(1, sizeof(*op));
	op->done = done;
	op->done_arg = arg;
	op->n = n;
	op->offline = offline;
	vr_strlcpy(op->name, name, sizeof(op->name));
	vr_strlcpy(op->node, node, sizeof(op->node));
	vr_strlcpy(op->domain, r->plan->nodes[n].domain, sizeof(op->domain));
	vr_strlcpy(op->from, r->nrt[n].host, sizeof(op->from));
	vr_strlcpy(op->to, to, sizeof(op->to));
	vr_strlcpy(op->remote, to[0] ? to : op->from, sizeof(op->remote));
	op->warnings = json_object_new_array();
	op->plan = xcalloc(1, sizeof(*op->plan));
	*op->plan = *r->plan;
	op->plan->pin.a = NULL;
	op->plan->pin.n = 0;
	op->mq = topo_node_mq(r->plan, n, r->vhost) > 1;
	for (int k = 0; k < r->plan->nnodes; k++)
		if (k != n && (r->nrt[k].host[0] || r->nrt[k].migrating))
			op->keep_vx = 1;
	op->cpus = json_object_new_array();
	for (int i = 0; i < r->plan->nodes[n].vcpus; i++) {
		const struct pin_assign *a =
		    r->plan->opts.pin
			? pin_plan_find(&r->plan->pin, n, PIN_VCPU, i)
			: NULL;
		int cpu = -1;

		for (int c = 0; a && c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &a->cpus)) {
				cpu = c;
				break;
			}
		json_object_array_add(op->cpus, json_object_new_int(cpu));
	}
	if ((h = config_host_find(conf, op->remote)) == NULL) {
		op->code = PROTO_E_PARAMS;
		msgf(op->err, sizeof(op->err),
		     "no host %s in the configuration's hosts", op->remote);
		goto fail;
	}
	op->host = *h;
	if (mig_plan_vx(op, h) == -1) {
		op->code = PROTO_E_TOPOLOGY;
		goto fail;
	}
	if ((op->peer = peer_open(h, op->jerr, sizeof(op->jerr))) == NULL) {
		op->code = PROTO_E_NETSETUP;
		msgf(op->err, sizeof(op->err), "%s", op->jerr);
		goto fail;
	}
	r->nrt[n].migrating = 1;
	op->counted = 1;
	mig_inflight++;
	TAILQ_INSERT_TAIL(&mig_ops, op, entry);
	sup_event("node", r, n, "migrating");
	op->step = MS_WIRE;
	mig_next(op);
	return 0;
fail:
	op->step = (enum mig_step) - 1;
	mig_end(op); /* the failure's record, through done */
	return 0;
}

static void
mig_method_done(void *arg, json_object *record, int code, const char *err)
{
	struct rpc_req *req = arg;
	json_object *v = NULL;

	if (code == 0)
		rpc_reply(req, json_object_get(record));
	else {
		json_object_object_get_ex(record, "node", &v);
		rpc_error(req, code, json_object_get(record), "migrate %s: %s",
			  json_object_get_string(v), err);
	}
}

/* ---- a node of another host's part: that host migrates it ------------ */

/* A call passed on to a node's home: its answer to done, as migrate_run's
 * (the home's record, or its error naming the host with a record). */
struct mig_fwd {
	migrate_done_fn done;
	void *arg;
	struct peer *peer;
	char host[TOPO_HOST_LEN + 1];
};

static void
mig_fwd_done(json_object *result, json_object *error, const char *fail,
	     void *arg)
{
	struct mig_fwd *f = arg;
	json_object *c = NULL, *m = NULL, *d = NULL, *rec;
	char why[1024];
	int code = 0;

	if (fail) {
		code = PROTO_E_NETSETUP;
		msgf(why, sizeof(why), "migrate: %s", fail);
	} else if (error) {
		json_object_object_get_ex(error, "code", &c);
		json_object_object_get_ex(error, "message", &m);
		json_object_object_get_ex(error, "data", &d);
		code = c ? json_object_get_int(c) : PROTO_E_INTERNAL;
		msgf(why, sizeof(why), "host %s: %s", f->host,
		     m && json_object_get_string(m)[0]
			 ? json_object_get_string(m)
			 : "its vrouterd gave no message");
	}
	if (code == 0)
		rec = json_object_get(result);
	else {
		/* the home's failure record, else one saying why */
		if (d == NULL || !json_object_is_type(d, json_type_object) ||
		    json_object_deep_copy(d, &rec, NULL) != 0)
			rec = json_object_new_object();
		json_object_object_add(rec, "ok", json_object_new_boolean(0));
		if (!json_object_object_get_ex(rec, "error", NULL))
			json_object_object_add(rec, "error",
					       json_object_new_string(why));
	}
	f->done(f->arg, rec, code, code ? why : NULL);
	json_object_put(rec);
	peer_close(f->peer);
	free(f);
	sup_check_done();
}

/* Pass params (taken, "forwarded" added) on to host h, node's home.  0,
 * done follows; or -1 with err (params freed, done not called). */
static int
mig_fwd_call(const struct config_host *h, json_object *params,
	     migrate_done_fn done, void *arg, char *err, size_t errlen)
{
	struct mig_fwd *f = xcalloc(1, sizeof(*f));

	f->done = done;
	f->arg = arg;
	vr_strlcpy(f->host, h->name, sizeof(f->host));
	if ((f->peer = peer_open(h, err, errlen)) == NULL) {
		json_object_put(params);
		free(f);
		return -1;
	}
	/* once: the home migrates it, or refuses */
	json_object_object_add(params, "forwarded", json_object_new_boolean(1));
	(void)peer_call(f->peer, METHOD_MIGRATE, params,
			MIGRATE_SEND_WAIT + 2 * MIGRATE_PEER_WAIT, mig_fwd_done,
			f);
	return 0;
}

/* The method's answer from the home's. */
static void
mig_fwd_reply(void *arg, json_object *record, int code, const char *err)
{
	struct rpc_req *req = arg;

	if (code == 0)
		rpc_reply(req, json_object_get(record));
	else
		rpc_error(req, code, json_object_get(record), "%s", err);
}

/* The host whose part of topology name holds node, when that is not this
 * host's part (its run's remote_nodes); NULL otherwise. */
static const char *
mig_owner(const char *name, const char *node)
{
	struct run *r = sup_run_find(name);
	json_object *e, *v;

	if (r == NULL || r->remote == NULL)
		return NULL;
	for (int n = 0; n < r->plan->nnodes; n++)
		if (strcmp(r->plan->nodes[n].name, node) == 0)
			return NULL;
	for (size_t i = 0; i < json_object_array_length(r->remote); i++) {
		e = json_object_array_get_idx(r->remote, i);
		if (json_object_object_get_ex(e, "name", &v) &&
		    strcmp(json_object_get_string(v), node) == 0 &&
		    json_object_object_get_ex(e, "host", &v))
			return json_object_get_string(v);
	}
	return NULL;
}

/* A node started by another host's part is that host's to migrate (its
 * run records where the node is): the same call, there.  1 when it took
 * req over. */
static int
mig_forward(struct rpc_req *req, const char *name, const char *node)
{
	const char *owner = mig_owner(name, node);
	const struct config_host *h;
	json_object *p = NULL, *v;
	char err[512];

	if (owner == NULL)
		return 0;
	/* passed on to this host already, which says it is owner's: the
	 * hosts' remote_nodes disagree; a second hop could come back */
	if (json_object_object_get_ex(rpc_params(req), "forwarded", &v) &&
	    json_object_get_boolean(v)) {
		rpc_error(req, PROTO_E_TOPOLOGY, NULL,
			  "migrate %s/%s: passed on to this host (%s), which "
			  "has it as host %s's: the hosts disagree on where it "
			  "belongs; not passed on again (see `vrctl status "
			  "%s` on each)",
			  name, node, conf->host_name, owner, name);
		return 1;
	}
	if ((h = config_host_find(conf, owner)) == NULL) {
		rpc_error(req, PROTO_E_PARAMS, NULL,
			  "migrate %s/%s: it is host %s's, which the "
			  "configuration no longer names",
			  name, node, owner);
		return 1;
	}
	if (json_object_deep_copy(rpc_params(req), &p, NULL) != 0)
		fatalx("%s: cannot copy the params", __func__);
	if (mig_fwd_call(h, p, mig_fwd_reply, req, err, sizeof(err)) == -1)
		rpc_error(req, PROTO_E_NETSETUP, NULL, "migrate %s/%s: %s",
			  name, node, err);
	return 1;
}

int
migrate_run_any(const char *name, const char *node, const char *to, int offline,
		migrate_done_fn done, void *arg, int *code, char *err,
		size_t errlen)
{
	const char *owner = mig_owner(name, node);
	const struct config_host *h;
	json_object *p;

	if (owner == NULL)
		return migrate_run(name, node, to, offline, done, arg, code,
				   err, errlen);
	*code = PROTO_E_PARAMS;
	if ((h = config_host_find(conf, owner)) == NULL) {
		msgf(err, errlen,
		     "%s/%s is host %s's, which the configuration no longer "
		     "names",
		     name, node, owner);
		return -1;
	}
	*code = PROTO_E_NETSETUP;
	p = json_object_new_object();
	json_object_object_add(p, "name", json_object_new_string(name));
	json_object_object_add(p, "node", json_object_new_string(node));
	json_object_object_add(p, "to", json_object_new_string(to));
	if (offline)
		json_object_object_add(p, "offline",
				       json_object_new_boolean(1));
	return mig_fwd_call(h, p, done, arg, err, errlen);
}

int
migrate_node_known(const char *name, const char *node)
{
	struct run *r = sup_run_find(name);

	if (r == NULL)
		return 0;
	for (int n = 0; n < r->plan->nnodes; n++)
		if (strcmp(r->plan->nodes[n].name, node) == 0)
			return 1;
	return mig_owner(name, node) != NULL;
}

void
migrate_method(struct rpc_req *req)
{
	json_object *params = rpc_params(req), *v;
	const char *name, *node, *to;
	char err[1024];
	int code, offline;

	json_object_object_get_ex(params, "name", &v);
	name = json_object_get_string(v);
	json_object_object_get_ex(params, "node", &v);
	node = json_object_get_string(v);
	json_object_object_get_ex(params, "to", &v);
	to = json_object_get_string(v);
	offline = json_object_object_get_ex(params, "offline", &v) &&
		  json_object_get_boolean(v);
	if (!sup_closing && mig_forward(req, name, node))
		return;
	if (migrate_run(name, node, to, offline, mig_method_done, req, &code,
			err, sizeof(err)) == -1)
		rpc_error(req, code, NULL, "migrate %s/%s: %s", name, node,
			  err);
}

/* ---- stop: the nodes on other hosts go too --------------------------- */

struct mig_stop {
	struct rpc_req *req;
	int all;	   /* stop --all: every topology, name by name */
	char (*names)[64]; /* the topologies with nodes elsewhere */
	int nnames, iname;
	char name[64];
	struct peer *peer;
	struct topo_plan plan;
	int nodes[TOPO_MAX_NODES];
	int nnodes, i;
	char err[1024];
};

static void mig_stop_next(struct mig_stop *st);

static void
mig_stop_done(json_object *result, json_object *error, const char *fail,
	      void *arg)
{
	struct mig_stop *st = arg;
	json_object *m = NULL;

	(void)result;
	if (fail)
		msgf(st->err, sizeof(st->err), "%s", fail);
	else if (error) {
		json_object_object_get_ex(error, "message", &m);
		msgf(st->err, sizeof(st->err), "%s",
		     m ? json_object_get_string(m) : "(no message)");
	}
	peer_close(st->peer);
	st->peer = NULL;
	if (st->err[0] == '\0') {
		struct run *r = sup_run_find(st->name);

		if (r && st->nodes[st->i] < r->plan->nnodes)
			r->nrt[st->nodes[st->i]].host[0] = '\0';
	}
	st->i++;
	mig_stop_next(st);
}

static void
mig_stop_vx_job(struct job *j, void *arg)
{
	struct mig_stop *st = arg;
	char alias[160], err[512];
	struct ns_ctx *ns;

	(void)j;
	if (st->err[0])
		return; /* a node still runs there: its VXLANs stay */
	deploy_alias(&st->plan, MIGRATE_VXLAN_ROLE, alias, sizeof(alias));
	if ((ns = ns_open(NULL, err, sizeof(err))) == NULL) {
		msgf(st->err, sizeof(st->err), "%s", err);
		return;
	}
	if (mig_unwire_tagged(ns, alias, err, sizeof(err)) == -1)
		msgf(st->err, sizeof(st->err), "%s", err);
	ns_close(ns);
}

/* The next topology's nodes elsewhere, for mig_stop_next. */
static void
mig_stop_load(struct mig_stop *st)
{
	struct run *r;

	vr_strlcpy(st->name, st->names[st->iname], sizeof(st->name));
	st->nnodes = st->i = 0;
	if ((r = sup_run_find(st->name)) == NULL || r->nrt == NULL)
		return;
	st->plan.opts = r->plan->opts;
	for (int n = 0; n < r->plan->nnodes; n++)
		if (r->nrt[n].host[0])
			st->nodes[st->nnodes++] = n;
}

static void
mig_stop_vx_done(void *arg)
{
	struct mig_stop *st = arg;
	char err[1024];
	int code;

	if (st->err[0] == '\0' && ++st->iname < st->nnames) {
		mig_stop_load(st);
		mig_stop_next(st);
		return;
	}
	if (st->err[0])
		rpc_error(st->req, PROTO_E_STOP, NULL, "stop %s: %s", st->name,
			  st->err);
	else if (!st->all && coord_stop(st->req, st->name) == 1)
		; /* across hosts: the other parts too (coord.c answers) */
	else if (sup_stop(st->all ? NULL : st->name, st->req, NULL, NULL, &code,
			  err, sizeof(err)) == -1)
		rpc_error(st->req, code, NULL, "%s", err);
	free(st->names);
	free(st);
	sup_check_done();
}

static void
mig_stop_next(struct mig_stop *st)
{
	struct run *r = sup_run_find(st->name);
	const struct config_host *h;
	char err[512];

	while (st->err[0] == '\0' && st->i < st->nnodes && r) {
		int n = st->nodes[st->i];

		if ((h = config_host_find(conf, r->nrt[n].host)) == NULL) {
			msgf(st->err, sizeof(st->err),
			     "node %s runs on %s, which the configuration no "
			     "longer names",
			     r->plan->nodes[n].name, r->nrt[n].host);
			break;
		}
		if ((st->peer = peer_open(h, err, sizeof(err))) == NULL) {
			msgf(st->err, sizeof(st->err), "%s", err);
			break;
		}
		json_object *p = json_object_new_object();
		json_object_object_add(p, "name",
				       json_object_new_string(st->name));
		json_object_object_add(
		    p, "node", json_object_new_string(r->plan->nodes[n].name));
		json_object_object_add(p, "home",
				       json_object_new_string(conf->host_name));
		json_object_object_add(p, "last",
				       json_object_new_boolean(mig_last_on(
					   st->name, n, r->nrt[n].host)));
		(void)peer_call(st->peer, METHOD_MIGRATE_ABORT, p,
				MIGRATE_PEER_WAIT, mig_stop_done, st);
		return;
	}
	if (job_start(sup_base, mig_stop_vx_job, NULL, mig_stop_vx_done, st) ==
	    -1) {
		msgf(st->err, sizeof(st->err), "cannot start a job: %s",
		     strerror(errno));
		mig_stop_vx_done(st);
	}
}

/* Topology name is another host's part here and this host runs nodes of
 * it for another host (migrated in, hosted.h): their taps are in this
 * part's bridges, which a stop of the part alone would remove.  1 when
 * it refused req. */
static int
mig_stop_hosted(struct rpc_req *req, const char *name)
{
	struct run *r = sup_run_find(name);
	char home[TOPO_HOST_LEN + 1];
	int k;

	if (r == NULL || r->host[0] == '\0' || r->npeers > 0 ||
	    (k = hosted_count(name, home, sizeof(home))) == 0)
		return 0;
	rpc_error(req, PROTO_E_BUSY, NULL,
		  "stop %s: this host runs %d node%s of %s for host %s "
		  "(migrated in), attached to this part's bridges: stop %s on "
		  "its coordinator, which stops those first (or migrate them "
		  "home, then stop here)",
		  name, k, k == 1 ? "" : "s", name, home, name);
	return 1;
}

int
migrate_stop(struct rpc_req *req, const char *name)
{
	struct mig_stop *st;
	struct run *r;
	int n = 0;

	if (name != NULL && mig_stop_hosted(req, name))
		return 1;

	TAILQ_FOREACH(r, &sup_runs, entry)
	n++;
	st = xcalloc(1, sizeof(*st));
	st->names = xcalloc((size_t)n + 1, sizeof(*st->names));
	st->req = req;
	st->all = name == NULL;
	TAILQ_FOREACH(r, &sup_runs, entry)
	{
		if ((name && strcmp(r->plan->opts.name, name) != 0) ||
		    r->state != RUN_RUNNING || r->nrt == NULL)
			continue;
		for (int k = 0; k < r->plan->nnodes; k++)
			if (r->nrt[k].migrating)
				goto none; /* sup_stop refuses: busy */
		/* never migrated: no VXLAN, nothing elsewhere */
		if (r->migration != NULL && st->nnames < n)
			vr_strlcpy(st->names[st->nnames++], r->plan->opts.name,
				   sizeof(st->names[0]));
	}
	if (st->nnames == 0)
		goto none;
	mig_stop_load(st);
	mig_stop_next(st);
	return 1;
none:
	free(st->names);
	free(st);
	return 0;
}
