/*
 * The VM node kind: a node is a libvirt domain (vm.c is the libvirt layer)
 * booting the guest image.  Its interfaces are taps or macvtaps on the
 * host; it is ready when its guest prints VROUTERD-READY on the console
 * log, and pinned by placing QEMU's threads (threads.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adopt.h"
#include "deadline.h"
#include "deploy.h"
#include "deploy_int.h"
#include "domxml.h"
#include "hosted.h"
#include "hostinfo.h"
#include "hugepages.h"
#include "job.h"
#include "log.h"
#include "netsetup.h"
#include "nodekind.h"
#include "placement.h"
#include "proto.h"
#include "statedir.h"
#include "sup_run.h"
#include "threads.h"
#include "util.h"
#include "vhostnet.h"
#include "vm.h"

#define READY_POLL_MS	   50
#define READY_HEARTBEAT_MS 5000 /* a "boot" progress line while waiting */

void
deploy_console_file(const struct topo_node *n, char *buf, size_t len)
{
	msgf(buf, len, "%s.console.log", n->name);
}

void
deploy_console_path(const char *rundir, const struct topo_node *n, char *buf,
		    size_t len)
{
	/* rundir is bounded by the caller; a truncated path only fails later */
	if ((size_t)snprintf(buf, len, "%s/%s.console.log", rundir, n->name) >=
	    len)
		log_warnx("console log path of %s truncated", n->name);
}

void
deploy_console_tail(int dirfd, const char *file, char *buf, size_t len)
{
	char *s, *p;
	size_t n, o = 0;
	int lines = 0;

	buf[0] = '\0';
	/* the end of the log, however long it is (FR_TAIL) */
	if ((s = file_readat_len(dirfd, file, DEPLOY_CONSOLE_TAIL_MAX,
				 FR_TAIL | FR_NOFOLLOW, &n)) == NULL)
		return;
	/* the last 15 lines, bounded by len */
	for (p = s + n; p > s; p--) {
		if (p[-1] == '\n' && ++lines == 15)
			break;
		if ((size_t)(s + n - p) >= len - 1)
			break;
	}
	/* drop carriage returns from the serial line, and NULs a guest
	 * printed (they would end the text early) */
	for (; p < s + n && o < len - 1; p++)
		if (*p != '\r' && *p != '\0')
			buf[o++] = *p;
	buf[o] = '\0';
	free(s);
}

static int
check_image(struct deploy *d)
{
	const char *f[] = {d->kernel, d->initrd};

	for (size_t i = 0; i < nitems(f); i++)
		if (access(f[i], R_OK) == -1)
			return deploy_fail(
			    d, PROTO_E_IMAGE, "image",
			    "%s: %s (build the guest image with "
			    "`images/build-guest`, or pass --image DIR)",
			    f[i], strerror(errno));
	return 0;
}

/* The kernel's MACVLAN_MODE_* for a macvtap_mode. */
static unsigned
deploy_macvtap_mode(enum topo_macvtap_mode m)
{
	switch (m) {
	case MACVTAP_VEPA:
		return MACVLAN_MODE_VEPA;
	case MACVTAP_PRIVATE:
		return MACVLAN_MODE_PRIVATE;
	case MACVTAP_PASSTHRU:
		return MACVLAN_MODE_PASSTHRU;
	case MACVTAP_BRIDGE:
		break;
	}
	return MACVLAN_MODE_BRIDGE;
}

/* ---- node interfaces ----------------------------------------------------- */

/* An earlier node than nd already has the split macvtap. */
static int
split_queue_made(const struct topo_plan *p, const struct topo_node *nd)
{
	for (const struct topo_node *o = p->nodes; o < nd; o++)
		for (int k = 0; k < o->nifs; k++)
			if (topo_if_split_queue(p, &o->ifs[k]))
				return 1;
	return 0;
}

static int
node_links_setup(struct deploy *d, struct ns_ctx *host,
		 const struct topo_node *nd)
{
	const struct topo_plan *p = d->plan;
	int qlen = p->opts.txqueuelen;
	char role[96], alias[128];

	for (int k = 0; k < nd->nifs; k++) {
		const struct topo_if *ifc = &nd->ifs[k];
		const struct topo_port *pt =
		    ifc->port >= 0 ? &p->ports[ifc->port] : NULL;
		int rc;

		const char *br = deploy_if_bridge(p, ifc);
		int queue = topo_if_split_queue(p, ifc);

		/* split macvtap: one macvtap for every VR, made once */
		if (queue && split_queue_made(p, nd))
			continue;

		if (pt == NULL && br[0] == '\0')
			return deploy_fail(d, PROTO_E_TOPOLOGY, "links",
					   "%s %s: on no network", nd->name,
					   ifc->guest_if);
		snprintf(role, sizeof(role), "node-%s-%s", nd->name,
			 ifc->guest_if);
		deploy_alias(p, role, alias, sizeof(alias));
		/* macvtap rides on the network's bridge, or directly on the
		 * port's NIC when the VM is alone on it (monolithic) */
		if (p->opts.link == LINK_MACVTAP || queue)
			rc = nl_macvtap_add_mode(
			    host, ifc->host_if, alias, br[0] ? br : pt->host_if,
			    ifc->mac,
			    deploy_macvtap_mode(p->opts.macvtap_mode));
		else
			rc = nl_tap_add(host, ifc->host_if, alias,
					topo_node_mq(p, (int)(nd - p->nodes),
						     d->vhost) > 1);
		if (rc == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "links", "%s",
					   ns_error(host));
		deploy_undo_push(d, UNDO_LINK, ifc->host_if);
		if ((p->opts.link == LINK_TAP && !queue && br[0] &&
		     nl_link_set_master(host, ifc->host_if, br) == -1) ||
		    (qlen > 0 &&
		     nl_link_set_txqlen(host, ifc->host_if, qlen) == -1) ||
		    nl_link_set_up(host, ifc->host_if, 1) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "links", "%s",
					   ns_error(host));
	}
	return 0;
}

/* ---- domains --------------------------------------------------------------
 */

static int
node_domain_start(struct deploy *d, int n, const char *plan_json)
{
	const struct topo_node *nd = &d->plan->nodes[n];
	struct domxml_env env = {0};
	char log[PATH_MAX], file[64], err[1024], real[PATH_MAX];
	char kernel[PATH_MAX + 16], initrd[PATH_MAX + 16];
	char *xml;

	deploy_console_path(d->rundir, nd, log, sizeof(log));
	deploy_console_file(nd, file, sizeof(file));
	/* Start from an empty log (readiness is read from it), made by us in
	 * the directory we checked: libvirt then opens it by path, and only
	 * root may change what that path names. */
	if (statedir_file_create(d->rundir_fd, file, 0640) == -1)
		return deploy_fail(d, PROTO_E_START, "domain", "%s: %s", log,
				   strerror(errno));
	env.kvm = d->kvm;
	env.vhost = d->vhost;
	env.kernel = d->kernel;
	env.initrd = d->initrd;
	if (nd->image[0]) {
		/* a per-node image (topology file): checked as the node
		 * starts; a missing one rolls back what was made so far */
		if (realpath(nd->image, real) == NULL)
			return deploy_fail(d, PROTO_E_IMAGE, "image",
					   "%s: image %s: %s (build it with "
					   "`images/build-guest -o %s`)",
					   nd->name, nd->image, strerror(errno),
					   nd->image);
		if ((size_t)snprintf(kernel, sizeof(kernel), "%s/vmlinuz",
				     real) >= sizeof(kernel) ||
		    (size_t)snprintf(initrd, sizeof(initrd), "%s/initrd.img",
				     real) >= sizeof(initrd))
			return deploy_fail(d, PROTO_E_IMAGE, "image",
					   "%s: image path too long", nd->name);
		for (int i = 0; i < 2; i++)
			if (access(i ? initrd : kernel, R_OK) == -1)
				return deploy_fail(d, PROTO_E_IMAGE, "image",
						   "%s: %s: %s", nd->name,
						   i ? initrd : kernel,
						   strerror(errno));
		env.kernel = kernel;
		env.initrd = initrd;
	}
	env.console_log = log;
	env.plan_json = plan_json;
	if ((xml = domxml_build(d->plan, n, &env, err, sizeof(err))) == NULL)
		return deploy_fail(d, PROTO_E_START, "domain", "%s: %s",
				   nd->name, err);
	if (vm_create(xml, err, sizeof(err)) == -1) {
		free(xml);
		return deploy_fail(
		    d, PROTO_E_LIBVIRT, "domain", "%s: %s%s", nd->domain, err,
		    strstr(err, "Permission denied")
			? " (QEMU runs as an unprivileged user: the image "
			  "files must be readable by it and every directory "
			  "above them searchable, e.g. chmod o+x)"
			: "");
	}
	free(xml);
	deploy_undo_push(d, UNDO_DOMAIN, nd->domain);
	return 0;
}

int
deploy_console_scan(int dirfd, const char *file, const char *node, off_t *off,
		    char *why, size_t whylen)
{
	char want[64], fail[64], buf[8192];
	size_t wl, fl;
	struct stat st;
	ssize_t n;
	int fd, rc = 0;

	wl = (size_t)snprintf(want, sizeof(want), "VROUTERD-READY node=%s ",
			      node);
	fl = (size_t)snprintf(fail, sizeof(fail), "VROUTERD-FAIL node=%s ",
			      node);
	/* a regular file only, never through a link; anything else is
	 * left unopened and is "not yet" */
	if ((fd = file_openat_regular(dirfd, file, FR_NOFOLLOW, &st)) == -1)
		return 0; /* not there yet: libvirt makes it */
	if (st.st_size < *off)
		*off = 0;
	while (rc == 0 && (n = pread(fd, buf, sizeof(buf), *off)) > 0) {
		char *end = memrchr(buf, '\n', (size_t)n), *l, *e = NULL;

		if (end == NULL) {
			if ((size_t)n < sizeof(buf))
				break; /* the rest of the line comes later */
			*off += n;     /* a line longer than buf: no marker */
			continue;
		}
		for (l = buf; l <= end && rc == 0; l = e + 1) {
			char *f;

			e = memchr(l, '\n', (size_t)(end - l) + 1);
			if ((f = memmem(l, (size_t)(e - l), want, wl)) != NULL)
				rc = 1;
			else if ((f = memmem(l, (size_t)(e - l), fail, fl)) !=
				 NULL)
				rc = -1;
			if (rc != 0) { /* the rest of the line: why */
				size_t k = rc == 1 ? wl : fl;
				size_t m = (size_t)(e - f) - k;

				while (m > 0 && f[k + m - 1] == '\r')
					m--;
				if (m >= whylen)
					m = whylen - 1;
				memcpy(why, f + k, m);
				why[m] = '\0';
			}
		}
		*off += end - buf + 1;
	}
	close(fd);
	return rc;
}

long
deploy_ready_routes(const char *rest)
{
	const char *s = rest;
	char *end;
	long v;

	while ((s = strstr(s, "routes=")) != NULL) {
		if (s == rest || s[-1] == ' ') {
			errno = 0;
			v = strtol(s + 7, &end, 10);
			if (errno == 0 && end != s + 7 && v >= 0 &&
			    (*end == '\0' || *end == ' '))
				return v;
			return -1;
		}
		s += 7;
	}
	return -1;
}

/* 1 ready, 0 not yet, -1 failed (d->err set).  *off: deploy_console_scan's. */
static int
node_ready(struct deploy *d, const struct topo_node *nd, off_t *off)
{
	char log[64], why[512];
	const char *st;
	int rc;

	deploy_console_file(nd, log, sizeof(log));
	rc = deploy_console_scan(d->rundir_fd, log, nd->name, off, why,
				 sizeof(why));
	if (rc == 1)
		d->routes[nd - d->plan->nodes] = deploy_ready_routes(why);
	if (rc == -1)
		deploy_fail(d, PROTO_E_START, "ready",
			    "guest %s reported failure: %s", nd->name, why);
	if (rc == 0 && strcmp((st = vm_state(nd->domain)), "running") != 0 &&
	    strcmp(st, "unknown") != 0)
		rc = deploy_fail(d, PROTO_E_START, "ready",
				 "guest %s stopped while booting (domain %s is "
				 "%s)",
				 nd->name, nd->domain, st);
	if (rc == -1)
		deploy_console_tail(d->rundir_fd, log, d->console_tail,
				    sizeof(d->console_tail));
	return rc;
}

static int
nodes_wait_ready(struct job *j, struct deploy *d, uint64_t t0, int only)
{
	const struct topo_plan *p = d->plan;
	uint64_t deadline = t0 + (uint64_t)p->opts.timeout_sec * 1000;
	uint64_t beat = now_ms() + READY_HEARTBEAT_MS;
	int ready[TOPO_MAX_NODES] = {0}, left = p->nnodes;
	off_t off[TOPO_MAX_NODES] = {0}; /* how far each log was read */

	for (int n = 0; n < p->nnodes; n++)
		if (only < 0 || n == only)
			d->routes[n] = -1;
	if (only >= 0) { /* one node (a restart): the others are up */
		for (int n = 0; n < p->nnodes; n++)
			ready[n] = n != only;
		left = 1;
	}

	while (left > 0) {
		for (int n = 0; n < p->nnodes; n++) {
			int r;
			if (ready[n])
				continue;
			if ((r = node_ready(d, &p->nodes[n], &off[n])) == -1)
				return -1;
			if (r == 1) {
				ready[n] = 1;
				left--;
				char fib[40] = "";

				if (d->routes[n] >= 0)
					msgf(fib, sizeof(fib), ", %ld routes",
					     d->routes[n]);
				job_progress(j, "ready",
					     "%s is forwarding (%.1f s%s)",
					     p->nodes[n].name,
					     (now_ms() - t0) / 1000.0, fib);
			}
		}
		if (left == 0)
			break;
		if (job_cancelled(j))
			return deploy_fail(d, PROTO_E_BUSY, "ready",
					   "vrouterd is shutting down");
		if (now_ms() > deadline) {
			for (int n = 0; n < p->nnodes; n++) {
				char log[PATH_MAX], file[64];
				if (ready[n])
					continue;
				deploy_console_path(d->rundir, &p->nodes[n],
						    log, sizeof(log));
				deploy_console_file(&p->nodes[n], file,
						    sizeof(file));
				deploy_console_tail(d->rundir_fd, file,
						    d->console_tail,
						    sizeof(d->console_tail));
				return deploy_fail(
				    d, PROTO_E_TIMEOUT, "ready",
				    "guest %s did not report ready within %d s "
				    "(console: %s; a slow TCG host may need a "
				    "larger --timeout)",
				    p->nodes[n].name, p->opts.timeout_sec, log);
			}
		}
		if (now_ms() >= beat) { /* a heartbeat: a guest still boots */
			beat = now_ms() + READY_HEARTBEAT_MS;
			job_progress(
			    j, "boot",
			    "%d of %d guest%s still booting (%.0f s of "
			    "%d s)",
			    left, p->nnodes, p->nnodes > 1 ? "s" : "",
			    (now_ms() - t0) / 1000.0, p->opts.timeout_sec);
		}
		usleep(READY_POLL_MS * 1000);
	}
	d->boot_ms = now_ms() - t0;
	return 0;
}

static int
deploy_pin(struct deploy *d, int only)
{
	const struct topo_plan *p = d->plan;
	char err[1024];

	/* the SCHED_DEADLINE threads first: a cgroup v2 partition takes its
	 * CPUs from every task outside it, resetting their affinity, so the
	 * others are placed after it (threads_apply leaves the reserved
	 * threads alone) */
	if (deadline_apply(p, only, err, sizeof(err)) == -1)
		return deploy_fail(d, PROTO_E_PIN, "deadline", "%s", err);
	if (only < 0) /* a restarted node's rollback keeps the others' */
		deploy_undo_push(d, UNDO_CPUSET, p->opts.name);
	if (!p->opts.pin && p->opts.rt_prio == 0 && p->opts.vhost_rt == 0)
		return 0;
	for (int n = 0; n < p->nnodes; n++) {
		pid_t pid;

		if (only >= 0 && n != only)
			continue;
		pid = vm_qemu_pid(p->nodes[n].domain);

		if (pid == -1)
			return deploy_fail(d, PROTO_E_PIN, "pin",
					   "cannot find the QEMU process of %s",
					   p->nodes[n].domain);
		if (threads_apply(pid, p->opts.pin ? &p->pin : NULL, n,
				  p->opts.rt_prio, p->opts.vhost_rt, err,
				  sizeof(err)) == -1)
			return deploy_fail(d, PROTO_E_PIN, "pin", "%s: %s",
					   p->nodes[n].name, err);
	}
	return 0;
}

/* ---- the kind's operations (nodekind.h) --------------------------------- */

/* The guest image is there, and libvirt answers. */
static int
kind_vm_prepare(struct deploy *d)
{
	char err[1024];

	if (check_image(d) == -1 || deploy_fault(d, "image") == -1)
		return -1;
	if (vm_ensure(err, sizeof(err)) == -1)
		return deploy_fail(d, PROTO_E_LIBVIRT, "libvirt", "%s", err);
	return 0;
}

static int
kind_vm_check(struct deploy *d, struct ns_ctx *host)
{
	const struct topo_plan *p = d->plan;

	(void)host;
	for (int n = 0; n < p->nnodes; n++) {
		const struct topo_node *nd = &p->nodes[n];

		if (vm_exists(nd->domain) == 1)
			return deploy_fail(
			    d, PROTO_E_EXISTS, "check",
			    "libvirt domain %s exists already "
			    "(" DEPLOY_LEFTOVER_HINT
			    ", `virsh destroy %s` anything else)",
			    nd->domain, p->opts.name, nd->domain);
	}
	return 0;
}

/* Node n's domain is this host's own now: a record that it was another
 * host's (hosted.h: migrated in once, then gone without its
 * migrate_abort) is stale. */
static void
kind_vm_unhost(const struct topo_plan *p, int n)
{
	char home[TOPO_HOST_LEN + 1], err[512];

	if (hosted_find(p->opts.name, p->nodes[n].name, home, sizeof(home)) !=
	    1)
		return;
	if (hosted_remove(p->opts.name, p->nodes[n].name, err, sizeof(err)) ==
	    -1)
		log_warnx("%s: %s", p->nodes[n].domain, err);
	else
		log_info("%s: started here: its stale record as host %s's "
			 "node (hosted.json) dropped",
			 p->nodes[n].domain, home);
}

/* Taps or macvtaps, the domains, their guests' ready lines, pinning. */
static int
kind_vm_start(struct job *j, struct deploy *d, struct ns_ctx *host)
{
	const struct topo_plan *p = d->plan;
	json_object *pj;
	uint64_t t0;
	int rc = -1;

	job_progress(j, "links", "creating %s interfaces",
		     topo_link_name(p->opts.link));
	for (int n = 0; n < p->nnodes; n++)
		if (node_links_setup(d, host, &p->nodes[n]) == -1)
			return -1;
	if (deploy_fault(d, "links") == -1)
		return -1;
	pj = topo_plan_to_json(p);
	t0 = now_ms();
	for (int n = 0; n < p->nnodes; n++) {
		job_progress(j, "domain", "starting %s (%s, %d vCPU)",
			     p->nodes[n].domain, d->kvm ? "kvm" : "tcg",
			     p->nodes[n].vcpus);
		if (node_domain_start(d, n,
				      json_object_to_json_string_ext(
					  pj, JSON_C_TO_STRING_PLAIN)) == -1)
			goto out;
		kind_vm_unhost(p, n);
	}
	if (deploy_fault(d, "domain") == -1)
		goto out;
	job_progress(j, "ready", "waiting for %d guest%s to report ready",
		     p->nnodes, p->nnodes > 1 ? "s" : "");
	if (nodes_wait_ready(j, d, t0, -1) == -1 ||
	    deploy_fault(d, "ready") == -1)
		goto out;
	if (deploy_pin(d, -1) == -1 || deploy_fault(d, "pin") == -1)
		goto out;
	rc = 0;
out:
	json_object_put(pj);
	return rc;
}

/* A new domain for node n; its links are still there. */
static void
kind_vm_restart(struct job *j, struct deploy *d, int n)
{
	const struct topo_plan *p = d->plan;
	const struct topo_node *nd = &p->nodes[n];
	uint64_t t0;
	json_object *pj;
	char err[1024];
	int r;

	if (check_image(d) == -1)
		return;
	if ((d->rundir_fd =
		 statedir_topo_open(p->opts.name, 1, err, sizeof(err))) == -1) {
		deploy_fail(d, PROTO_E_START, "state", "%s", err);
		return;
	}
	/* whatever is left of the old domain goes first */
	if (vm_destroy(nd->domain, p->opts.name, err, sizeof(err)) == -1) {
		deploy_fail(d, PROTO_E_LIBVIRT, "domain", "%s", err);
		goto out;
	}
	pj = topo_plan_to_json(p);
	t0 = now_ms();
	r = node_domain_start(
	    d, n, json_object_to_json_string_ext(pj, JSON_C_TO_STRING_PLAIN));
	json_object_put(pj);
	if (r == -1)
		goto out;
	if (nodes_wait_ready(j, d, t0, n) == -1 || deploy_pin(d, n) == -1) {
		/* leave no half-started domain behind; the links stay */
		if (vm_destroy(nd->domain, p->opts.name, err, sizeof(err)) ==
		    -1)
			log_warnx("%s", err);
	}
out:
	close(d->rundir_fd);
	d->rundir_fd = -1;
}

/* Every domain's destroy is issued at once (deploy_teardown.c says why). */
static int
kind_vm_teardown(const struct topo_plan *p, const char *prefix, char *err,
		 size_t errlen)
{
	const char *names[TOPO_MAX_NODES];

	(void)prefix; /* a domain's owner is in its metadata */
	for (int i = 0; i < p->nnodes; i++)
		names[i] = p->nodes[i].domain;
	return deploy_teardown_nodes(names, p->nnodes, p->opts.name, vm_destroy,
				     err, errlen);
}

/* A guest's domain state as libvirt's events told it (no libvirt call:
 * status must not wait on libvirtd), "starting" while a running guest
 * adopted before it reported ready has not yet. */
static const char *
kind_vm_node_state(const struct run *r, int n)
{
	const char *st = vm_state_known(r->plan->nodes[n].domain);

	if (r->nrt != NULL && r->nrt[n].booting && strcmp(st, "running") == 0)
		return "starting";
	return st;
}

static void
kind_vm_node_status(struct run *r, int n, json_object *o)
{
	const struct topo_node *nd = &r->plan->nodes[n];
	char log[PATH_MAX];
	pid_t pid = -1;

	if (r->state != RUN_STARTING)
		pid = vm_qemu_pid(nd->domain);
	if (pid > 0)
		json_object_object_add(o, "qemu_pid", json_object_new_int(pid));
	deploy_console_path(r->rundir, nd, log, sizeof(log));
	json_object_object_add(o, "console_log", json_object_new_string(log));
	if (pid > 0)
		json_object_object_add(
		    o, "threads",
		    threads_json(pid, r->plan->opts.pin ? &r->plan->pin : NULL,
				 n));
}

static json_object *
kind_vm_node_live(const struct topo_plan *p, int n)
{
	return vm_domain_live(p->nodes[n].domain);
}

/* QEMU's threads; none while its process cannot be found. */
static int
kind_vm_threads(const struct topo_plan *p, int n, struct vthread **out,
		char *err, size_t errlen)
{
	pid_t pid = vm_qemu_pid(p->nodes[n].domain);

	if (errlen)
		err[0] = '\0';
	*out = NULL;
	return pid > 0 ? threads_list(pid, out) : 0;
}

static int
kind_vm_pin(const struct topo_plan *p, int n, char *err, size_t errlen)
{
	pid_t pid = vm_qemu_pid(p->nodes[n].domain);

	if (pid <= 0) {
		msgf(err, errlen, "cannot find the QEMU process of %s",
		     p->nodes[n].domain);
		return -1;
	}
	return threads_apply(pid, p->opts.pin ? &p->pin : NULL, n,
			     p->opts.rt_prio, p->opts.vhost_rt, err, errlen);
}

static int
image_paths(const struct topo_opts *o, struct deploy *d, char *err,
	    size_t errlen)
{
	const char *dir = o->image;
	char real[PATH_MAX];

	if (realpath(dir, real) == NULL) {
		msgf(err, errlen,
		     "guest image directory %s: %s (build it with "
		     "`images/build-guest -o %s`, or pass --image DIR)",
		     dir, strerror(errno), dir);
		return -1;
	}
	if ((size_t)snprintf(d->kernel, sizeof(d->kernel), "%s/vmlinuz",
			     real) >= sizeof(d->kernel) ||
	    (size_t)snprintf(d->initrd, sizeof(d->initrd), "%s/initrd.img",
			     real) >= sizeof(d->initrd)) {
		snprintf(err, errlen, "guest image path too long");
		return -1;
	}
	return 0;
}

/* The accelerator (auto: KVM when it works), vhost-net and the guest
 * image; the warnings a person should see in status. */
static int
kind_vm_host_fit(struct run *r, struct deploy *d, const struct hostinfo *h,
		 int *code, char *err, size_t errlen)
{
	int accel;

	if ((accel = hostinfo_accel(h, r->plan->opts.accel, r->accel_reason,
				    sizeof(r->accel_reason))) == -1) {
		msgf(err, errlen, "accelerator: %s", r->accel_reason);
		return -1;
	}
	r->kvm = accel == ACCEL_KVM;
	r->vhost = h->vhost_net;
	vr_strlcpy(r->vhost_reason, h->vhost_reason, sizeof(r->vhost_reason));
	if (r->plan->opts.vhost == VHOST_ON && !h->vhost_net) {
		msgf(err, errlen,
		     "vhost on: this host has no usable vhost-net (%s); "
		     "use --vhost auto or off",
		     h->vhost_reason);
		return -1;
	}
	if (hugepages_check(r->plan, NULL, err, errlen) == -1 ||
	    vhostnet_check(&r->plan->opts, vhostnet_root(), err, errlen) == -1)
		return -1;
	if (r->plan->opts.vhost == VHOST_OFF) {
		r->vhost = 0;
		msgf(r->vhost_reason, sizeof(r->vhost_reason),
		     "off by request (--vhost off)");
	} else if (r->plan->opts.nic_model != NIC_VIRTIO) {
		r->vhost = 0;
		msgf(r->vhost_reason, sizeof(r->vhost_reason),
		     "NIC model %s: vhost-net serves virtio NICs only",
		     topo_nic_model_name(r->plan->opts.nic_model));
	}
	placement_warn(r);
	if (!r->kvm)
		json_object_array_add(
		    r->warnings,
		    json_object_new_string(
			"guests run under TCG (software emulation, far slower "
			"than KVM); accel_reason says why"));
	if (!r->vhost && r->plan->opts.vhost == VHOST_AUTO &&
	    r->plan->opts.nic_model == NIC_VIRTIO)
		json_object_array_add(
		    r->warnings, jstrf("no vhost-net: %s", r->vhost_reason));
	*code = PROTO_E_IMAGE;
	return image_paths(&r->plan->opts, d, err, errlen);
}

static void
kind_vm_adopt_accel(struct run *r)
{
	char type[16];

	vm_domain_type(r->plan->nodes[0].domain, type, sizeof(type));
	r->kvm = strcmp(type, "kvm") == 0;
	msgf(r->accel_reason, sizeof(r->accel_reason),
	     "adopted without a state file: accelerator read from the "
	     "domain");
}

/* r's last migration was node n's (its record names it; moved or not:
 * a node migrates only once it ran, and one that failed to move may have
 * come back earlier). */
static int
kind_vm_migrated(const struct run *r, int n)
{
	json_object *v;

	return r->migration != NULL &&
	       json_object_object_get_ex(r->migration, "node", &v) &&
	       strcmp(json_object_get_string(v), r->plan->nodes[n].name) == 0;
}

static int
kind_vm_adopt_node(struct run *r, int n)
{
	char err[1024];

	if (vm_qemu_pid(r->plan->nodes[n].domain) <= 0)
		return -1;
	/* the start that made it did not see it ready: it may still
	 * be booting (booting_check follows it) */
	r->nrt[n].console_off = 0;
	/* the node that migrated (the record's): a guest that migrated in
	 * has a console log its destination's libvirt began anew, without
	 * the READY line (a node migrates only once its topology runs); the
	 * topology's other nodes are checked as usual */
	if (kind_vm_migrated(r, n)) {
		log_info("%s/%s: adopted after a migration: ready",
			 r->plan->opts.name, r->plan->nodes[n].name);
		return 0;
	}
	if (sup_console_ready(r, n, err, sizeof(err)) != 1) {
		/* booting_check reads it again from the start (a
		 * failure seen here is reported there) */
		r->nrt[n].console_off = 0;
		r->nrt[n].booting = 1;
		log_info("%s/%s: adopted before its guest reported ready",
			 r->plan->opts.name, r->plan->nodes[n].name);
	} else if (!r->nrt[n].has_routes) {
		/* no state file said it: the READY line does */
		r->nrt[n].routes = deploy_ready_routes(err);
		r->nrt[n].has_routes = r->nrt[n].routes >= 0;
	}
	return 0;
}

const struct node_kind_ops kind_vm = {
    .name = "vm",
    .no_guest = NULL,
    .polled = 0,
    .links_go_with_node = 0,
    .thread_label = NULL,
    .host_fit = kind_vm_host_fit,
    .prepare = kind_vm_prepare,
    .check = kind_vm_check,
    .start = kind_vm_start,
    .restart = kind_vm_restart,
    .destroy = vm_destroy,
    .teardown = kind_vm_teardown,
    .node_state = kind_vm_node_state,
    .node_status = kind_vm_node_status,
    .node_live = kind_vm_node_live,
    .threads = kind_vm_threads,
    .pin = kind_vm_pin,
    .on_libvirt = 1,
    .adopt_scan = adopt_scan,
    .adopt_accel = kind_vm_adopt_accel,
    .adopt_node = kind_vm_adopt_node,
};
