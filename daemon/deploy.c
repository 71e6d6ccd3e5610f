#include <errno.h>
#include <linux/if_link.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deadline.h"
#include "deploy.h"
#include "deploy_int.h"
#include "domxml.h"
#include "log.h"
#include "netsetup.h"
#include "proto.h"
#include "statedir.h"
#include "threads.h"
#include "util.h"
#include "vm.h"

#define READY_POLL_MS	   50
#define READY_HEARTBEAT_MS 5000 /* a "boot" progress line while waiting */

int
deploy_fail(struct deploy *d, int code, const char *step, const char *fmt, ...)
{
	va_list ap;
	char msg[sizeof(d->err) - 64];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->code = code;
	vr_strlcpy(d->step, step, sizeof(d->step));
	snprintf(d->err, sizeof(d->err), "%s: %s", step, msg);
	return -1;
}

void
deploy_undo_push(struct deploy *d, enum undo_kind kind, const char *name)
{
	if (d->nundo == DEPLOY_MAX_UNDO)
		fatalx("%s: undo log full",
		       __func__); /* plan limits prevent it */
	d->undo[d->nundo].kind = kind;
	vr_strlcpy(d->undo[d->nundo].name, name, sizeof(d->undo[0].name));
	d->nundo++;
}

void
deploy_alias(const struct topo_plan *p, const char *role, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s:%s", TOPO_ALIAS_PREFIX, p->opts.name, role);
}

void
deploy_alias_prefix(const struct topo_plan *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s:", TOPO_ALIAS_PREFIX, p->opts.name);
}

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

/* ---- checks before anything is created -------------------------------- */

static int
check_names_free(struct deploy *d, struct ns_ctx *host)
{
	const struct topo_plan *p = d->plan;

	for (int i = 0; i < 2; i++) {
		const struct topo_port *pt = &p->ports[i];

		if (pt->created && nl_link_exists(host, pt->host_if) == 1)
			return deploy_fail(
			    d, PROTO_E_EXISTS, "check",
			    "interface %s exists already (" DEPLOY_LEFTOVER_HINT
			    ", `ip link del %s` anything else)",
			    pt->host_if, p->opts.name, pt->host_if);
		if (!pt->created && nl_link_exists(host, pt->host_if) != 1)
			return deploy_fail(
			    d, PROTO_E_NETSETUP, "check",
			    "port %s: interface %s does not exist (see `ip "
			    "link`; "
			    "--ports in=IF,out=IF names existing NICs)",
			    pt->role, pt->host_if);
		if (pt->bridge[0] && nl_link_exists(host, pt->bridge) == 1)
			return deploy_fail(
			    d, PROTO_E_EXISTS, "check",
			    "bridge %s exists already (" DEPLOY_LEFTOVER_HINT
			    ", `ip link del %s` anything else)",
			    pt->bridge, p->opts.name, pt->bridge);
		if (pt->netns[0] && netns_exists(pt->netns))
			return deploy_fail(d, PROTO_E_EXISTS, "check",
					   "network namespace %s exists "
					   "already (" DEPLOY_LEFTOVER_HINT
					   ", `ip netns del %s` anything else)",
					   pt->netns, p->opts.name, pt->netns);
	}
	for (int n = 0; n < p->nnodes; n++) {
		const struct topo_node *nd = &p->nodes[n];

		for (int k = 0; k < nd->nifs; k++)
			if (nl_link_exists(host, nd->ifs[k].host_if) == 1)
				return deploy_fail(
				    d, PROTO_E_EXISTS, "check",
				    "interface %s exists already "
				    "(" DEPLOY_LEFTOVER_HINT
				    ", `ip link del %s` anything else)",
				    nd->ifs[k].host_if, p->opts.name,
				    nd->ifs[k].host_if);
		if (p->opts.backend == BACKEND_VM && vm_exists(nd->domain) == 1)
			return deploy_fail(
			    d, PROTO_E_EXISTS, "check",
			    "libvirt domain %s exists already "
			    "(" DEPLOY_LEFTOVER_HINT
			    ", `virsh destroy %s` anything else)",
			    nd->domain, p->opts.name, nd->domain);
	}
	for (int i = 0; i < p->nsegments; i++)
		if (nl_link_exists(host, p->segments[i].bridge) == 1)
			return deploy_fail(
			    d, PROTO_E_EXISTS, "check",
			    "bridge %s exists already (" DEPLOY_LEFTOVER_HINT
			    ", `ip link del %s` anything else)",
			    p->segments[i].bridge, p->opts.name,
			    p->segments[i].bridge);
	if (p->opts.backend == BACKEND_NETNS &&
	    deploy_netns_check(d, host) == -1)
		return -1;
	if (p->splitter.netns[0]) {
		if (netns_exists(p->splitter.netns))
			return deploy_fail(d, PROTO_E_EXISTS, "check",
					   "network namespace %s exists "
					   "already (" DEPLOY_LEFTOVER_HINT
					   ", `ip netns del %s` anything else)",
					   p->splitter.netns, p->opts.name,
					   p->splitter.netns);
		for (int k = 0; k < p->splitter.nifs; k++)
			if (nl_link_exists(host, p->splitter.ifs[k].host_if) ==
			    1)
				return deploy_fail(
				    d, PROTO_E_EXISTS, "check",
				    "interface %s exists already "
				    "(" DEPLOY_LEFTOVER_HINT
				    ", `ip link del %s` anything else)",
				    p->splitter.ifs[k].host_if, p->opts.name,
				    p->splitter.ifs[k].host_if);
	}
	return 0;
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

/* ---- ports --------------------------------------------------------------- */

/* split macvtap: the shared MAC of the VRs' ingress queues, or NULL. */
static const char *
split_queue_mac(const struct topo_plan *p)
{
	for (int n = 0; n < p->nnodes; n++)
		for (int k = 0; k < p->nodes[n].nifs; k++)
			if (topo_if_split_queue(p, &p->nodes[n].ifs[k]))
				return p->nodes[n].ifs[k].mac;
	return NULL;
}

static int
port_ns_setup(struct deploy *d, const struct topo_port *pt)
{
	const char *qmac =
	    pt == &d->plan->ports[0] ? split_queue_mac(d->plan) : NULL;
	struct ns_ctx *ns;
	char err[512];
	int rc = -1;

	if ((ns = ns_open(pt->netns, err, sizeof(err))) == NULL)
		return deploy_fail(d, PROTO_E_NETSETUP, "ports", "%s", err);
	if ((pt->ns_mac[0] != '\0' &&
	     nl_link_set_mac(ns, pt->ns_if, pt->ns_mac) == -1) ||
	    nl_addr_add(ns, pt->ns_if, pt->ns_addr) == -1 ||
	    nl_link_set_up(ns, pt->ns_if, 1) == -1 ||
	    nl_route_add(ns, "default", pt->ns_gw) == -1 ||
	    /* the source reaches the shared address without ARP, which
	     * would reach one queue (one VR) only */
	    (qmac != NULL &&
	     nl_neigh_add(ns, pt->ns_if, pt->ns_gw, qmac) == -1)) {
		deploy_fail(d, PROTO_E_NETSETUP, "ports", "in %s: %s",
			    pt->netns, ns_error(ns));
		goto out;
	}
	rc = 0;
out:
	ns_close(ns);
	return rc;
}

static int
port_setup(struct deploy *d, struct ns_ctx *host, const struct topo_port *pt)
{
	const struct topo_plan *p = d->plan;
	char role[64], alias[128], peer_alias[160], err[512];
	int qlen = p->opts.txqueuelen;

	if (pt->created) {
		snprintf(role, sizeof(role), "netns-port-%s", pt->role);
		deploy_alias(p, role, alias, sizeof(alias));
		if (netns_create(pt->netns, alias, err, sizeof(err)) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "ports", "%s",
					   err);
		deploy_undo_push(d, UNDO_NETNS, pt->netns);
		snprintf(role, sizeof(role), "port-%s", pt->role);
		deploy_alias(p, role, alias, sizeof(alias));
		snprintf(peer_alias, sizeof(peer_alias), "%s-peer", alias);
		if (nl_veth_add(host, pt->host_if, alias, pt->ns_if, peer_alias,
				pt->netns) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "ports", "%s",
					   ns_error(host));
		deploy_undo_push(d, UNDO_LINK, pt->host_if);
		if (port_ns_setup(d, pt) == -1)
			return -1;
	}
	if (pt->bridge[0]) {
		snprintf(role, sizeof(role), "bridge-%s", pt->role);
		deploy_alias(p, role, alias, sizeof(alias));
		if (nl_bridge_add(host, pt->bridge, alias) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "ports", "%s",
					   ns_error(host));
		deploy_undo_push(d, UNDO_LINK, pt->bridge);
		if (nl_link_set_master(host, pt->host_if, pt->bridge) == -1 ||
		    nl_link_set_up(host, pt->bridge, 1) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "ports", "%s",
					   ns_error(host));
	}
	if ((qlen > 0 && nl_link_set_txqlen(host, pt->host_if, qlen) == -1) ||
	    nl_link_set_up(host, pt->host_if, 1) == -1)
		return deploy_fail(d, PROTO_E_NETSETUP, "ports", "%s",
				   ns_error(host));
	return 0;
}

/* ---- internal networks and the splitter ---------------------------------- */

/* The bridge an interface joins: its port's (maybe none) or its segment's. */
const char *
deploy_if_bridge(const struct topo_plan *p, const struct topo_if *f)
{
	if (f->port >= 0 && f->port < 2)
		return p->ports[f->port].bridge;
	if (f->segment >= 0 && f->segment < p->nsegments)
		return p->segments[f->segment].bridge;
	return "";
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

static int
segments_setup(struct deploy *d, struct ns_ctx *host)
{
	const struct topo_plan *p = d->plan;
	char role[64], alias[128];

	for (int i = 0; i < p->nsegments; i++) {
		const struct topo_segment *sg = &p->segments[i];

		snprintf(role, sizeof(role), "net-%s", sg->name);
		deploy_alias(p, role, alias, sizeof(alias));
		if (nl_bridge_add(host, sg->bridge, alias) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "networks",
					   "%s", ns_error(host));
		deploy_undo_push(d, UNDO_LINK, sg->bridge);
		if (nl_link_set_up(host, sg->bridge, 1) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "networks",
					   "%s", ns_error(host));
	}
	return 0;
}

/* Inside the splitter: forwarding, the L4 flow hash, addresses, routes. */
static int
splitter_inside(struct deploy *d, struct ns_ctx *ns)
{
	const struct topo_splitter *sp = &d->plan->splitter;
	static const char *const sysctls[][2] = {
	    {"net/ipv4/ip_forward", "1"},
	    {"net/ipv4/fib_multipath_hash_policy", "1"},
	    {"net/ipv4/conf/all/rp_filter", "0"},
	    {"net/ipv4/conf/default/rp_filter", "0"},
	};

	for (size_t i = 0; i < nitems(sysctls); i++)
		if (ns_sysctl_set(ns, sysctls[i][0], sysctls[i][1]) == -1)
			goto fail;
	if (nl_link_set_up(ns, "lo", 1) == -1)
		goto fail;
	for (int k = 0; k < sp->nifs; k++)
		if (nl_addr_add(ns, sp->ifs[k].guest_if, sp->ifs[k].addr) ==
			-1 ||
		    nl_link_set_up(ns, sp->ifs[k].guest_if, 1) == -1)
			goto fail;
	for (int r = 0; r < sp->nroutes; r++) {
		const char *via[TOPO_MAX_NEXTHOPS];

		for (int k = 0; k < sp->routes[r].nvia; k++)
			via[k] = sp->routes[r].via[k];
		if (nl_route_add_multipath(ns, sp->routes[r].dst, via,
					   sp->routes[r].nvia) == -1)
			goto fail;
	}
	return 0;
fail:
	return deploy_fail(d, PROTO_E_NETSETUP, "splitter", "in %s: %s",
			   sp->netns, ns_error(ns));
}

static int
splitter_setup(struct deploy *d, struct ns_ctx *host)
{
	const struct topo_plan *p = d->plan;
	const struct topo_splitter *sp = &p->splitter;
	char role[64], alias[128], peer_alias[160], err[512];
	struct ns_ctx *ns;
	int rc;

	if (sp->netns[0] == '\0')
		return 0;
	deploy_alias(p, "netns-splitter", alias, sizeof(alias));
	if (netns_create(sp->netns, alias, err, sizeof(err)) == -1)
		return deploy_fail(d, PROTO_E_NETSETUP, "splitter", "%s", err);
	deploy_undo_push(d, UNDO_NETNS, sp->netns);
	for (int k = 0; k < sp->nifs; k++) {
		const struct topo_if *f = &sp->ifs[k];
		const char *br = deploy_if_bridge(p, f);

		snprintf(role, sizeof(role), "splitter-%s", f->guest_if);
		deploy_alias(p, role, alias, sizeof(alias));
		snprintf(peer_alias, sizeof(peer_alias), "%s-peer", alias);
		if (nl_veth_add(host, f->host_if, alias, f->guest_if,
				peer_alias, sp->netns) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "splitter",
					   "%s", ns_error(host));
		deploy_undo_push(d, UNDO_LINK, f->host_if);
		if ((br[0] && nl_link_set_master(host, f->host_if, br) == -1) ||
		    nl_link_set_up(host, f->host_if, 1) == -1)
			return deploy_fail(d, PROTO_E_NETSETUP, "splitter",
					   "%s", ns_error(host));
	}
	if ((ns = ns_open(sp->netns, err, sizeof(err))) == NULL)
		return deploy_fail(d, PROTO_E_NETSETUP, "splitter", "%s", err);
	rc = splitter_inside(d, ns);
	ns_close(ns);
	return rc;
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

/* ---- rollback and teardown ----------------------------------------------- */

static void
deploy_rollback(struct deploy *d)
{
	struct ns_ctx *host;
	char err[1024], prefix[64];

	deploy_alias_prefix(d->plan, prefix, sizeof(prefix));
	host = ns_open(NULL, err, sizeof(err));
	for (int i = d->nundo - 1; i >= 0; i--) {
		const struct deploy_undo *u = &d->undo[i];
		int rc = 0;

		switch (u->kind) {
		case UNDO_DOMAIN:
			rc = vm_destroy(u->name, d->plan->opts.name, err,
					sizeof(err));
			break;
		case UNDO_LINK:
			if (host &&
			    (rc = nl_link_del(host, u->name, prefix, 1)) == -1)
				vr_strlcpy(err, ns_error(host), sizeof(err));
			break;
		case UNDO_NETNS:
			rc = netns_delete(u->name, prefix, 1, err, sizeof(err));
			break;
		case UNDO_CPUSET:
			deadline_release(u->name);
			break;
		}
		if (rc == -1)
			log_warnx("rollback of %s: %s", u->name, err);
	}
	d->nundo = 0;
	if (host)
		ns_close(host);
}

/*
 * Stopping waits on nothing that need not be waited for.  libvirt's
 * destroy of a TCG guest takes ~2 s, spent mostly waiting for QEMU to go;
 * deleting a link costs an RCU grace period (20-60 ms) each.  Both are
 * waits, not work: every domain's destroy is issued at once and the links
 * are deleted by a few threads, whose waits overlap.  And a namespace's
 * links, with the host ends of veth pairs into it, go in one batch when
 * the namespace is deleted: so namespaces first, one wait for their
 * links, then whatever is left.
 */
#define TEARDOWN_THREADS_MAX  32 /* domains destroyed at once */
#define TEARDOWN_LINK_THREADS 8	 /* links deleted at once */

struct teardown_item {
	const char *name;
	int rc;
	char err[512];
};

struct teardown_pool {
	struct teardown_item *it;
	int n;
	atomic_int next;
	const char *prefix; /* links: the alias prefix; NULL: domains */
	const char *owner;  /* domains: the topology they must belong to */
};

static void *
teardown_worker(void *arg)
{
	struct teardown_pool *tp = arg;
	struct ns_ctx *host = NULL;
	char e[512] = "";
	int i;

	if (tp->prefix)
		host = ns_open(NULL, e, sizeof(e));
	while ((i = atomic_fetch_add(&tp->next, 1)) < tp->n) {
		struct teardown_item *t = &tp->it[i];

		if (tp->prefix == NULL)
			t->rc = vm_destroy(t->name, tp->owner, t->err,
					   sizeof(t->err));
		else if (host == NULL) {
			t->rc = -1;
			vr_strlcpy(t->err, e, sizeof(t->err));
		} else if ((t->rc = nl_link_del(host, t->name, tp->prefix,
						1)) == -1)
			vr_strlcpy(t->err, ns_error(host), sizeof(t->err));
	}
	if (host)
		ns_close(host);
	return NULL;
}

/* Work through tp with up to nthreads threads (here, if none starts);
 * 0, or -1 with every failure in err. */
static int
teardown_run(struct teardown_pool *tp, int nthreads, char *err, size_t errlen)
{
	pthread_t th[TEARDOWN_THREADS_MAX];
	int nth = 0, rc = 0;
	size_t off = strlen(err);

	if (nthreads > tp->n)
		nthreads = tp->n;
	if (nthreads > TEARDOWN_THREADS_MAX)
		nthreads = TEARDOWN_THREADS_MAX;
	atomic_store(&tp->next, 0);
	while (nth < nthreads &&
	       pthread_create(&th[nth], NULL, teardown_worker, tp) == 0)
		nth++;
	teardown_worker(tp); /* this thread helps, or does it all */
	while (nth > 0)
		pthread_join(th[--nth], NULL);
	for (int i = 0; i < tp->n; i++) {
		if (tp->it[i].rc != -1)
			continue;
		rc = -1;
		if (off < errlen)
			off += snprintf(err + off, errlen - off, "%s%s",
					off ? "; " : "", tp->it[i].err);
	}
	return rc;
}

/* Has every host link of p whose peer sat in a deleted namespace gone? */
static int
teardown_links_left(struct ns_ctx *host, const struct topo_plan *p)
{
	int left = 0;

	for (int n = 0; n < p->nnodes && p->opts.backend == BACKEND_NETNS; n++)
		for (int k = 0; k < p->nodes[n].nifs; k++)
			left += nl_link_exists(host,
					       p->nodes[n].ifs[k].host_if) == 1;
	for (int k = 0; k < p->splitter.nifs && p->splitter.netns[0]; k++)
		left += nl_link_exists(host, p->splitter.ifs[k].host_if) == 1;
	for (int i = 0; i < 2; i++)
		if (p->ports[i].created && p->ports[i].netns[0])
			left += nl_link_exists(host, p->ports[i].host_if) == 1;
	return left;
}

#define TEARDOWN_WAIT_MS  2000 /* at most, for the kernel's batch */
#define TEARDOWN_STALL_MS 300  /* ... or this long without progress */

static void
teardown_wait_links(const struct topo_plan *p, char *err, size_t errlen)
{
	struct ns_ctx *host;
	uint64_t t0 = now_ms(), moved = t0;
	int left, now;

	if ((host = ns_open(NULL, err, errlen)) == NULL)
		return; /* the deletes that follow will say so */
	err[0] = '\0';
	left = teardown_links_left(host, p);
	while (left > 0 && now_ms() - t0 < TEARDOWN_WAIT_MS &&
	       now_ms() - moved < TEARDOWN_STALL_MS) {
		usleep(5000);
		if ((now = teardown_links_left(host, p)) < left)
			moved = now_ms();
		left = now;
	}
	if (left > 0) /* something holds a namespace: deleted one by one */
		log_debug("%s: %d link(s) outlived their namespaces",
			  p->opts.name, left);
	ns_close(host);
}

/* Only a namespace tagged as the topology's own (prefix) is deleted. */
static void
teardown_netns(const char *name, const char *prefix, char *err, size_t errlen,
	       size_t *off)
{
	char e[512];

	if (name[0] == '\0' || netns_delete(name, prefix, 1, e, sizeof(e)) == 0)
		return;
	if (*off < errlen)
		*off += snprintf(err + *off, errlen - *off, "%s%s",
				 *off ? "; " : "", e);
}

int
deploy_teardown(const struct topo_plan *p, char *err, size_t errlen)
{
	struct teardown_pool tp = {0};
	struct teardown_item *it;
	char e[512], prefix[64], ns[64];
	size_t off;
	size_t nit = p->nnodes * (TOPO_MAX_IFS + 1) + p->splitter.nifs +
		     p->nsegments + 4;
	int n = 0, rc = 0;

	if (errlen)
		err[0] = '\0';
	deploy_alias_prefix(p, prefix, sizeof(prefix));
	it = xcalloc(nit, sizeof(*it));
	tp.it = it;
	/* a netns topology needs no libvirt, not even to stop it */
	if (p->opts.backend == BACKEND_VM) {
		for (int i = 0; i < p->nnodes; i++)
			it[n++].name = p->nodes[i].domain;
		tp.n = n;
		tp.owner = p->opts.name;
		if (teardown_run(&tp, n, err, errlen) == -1)
			rc = -1;
		n = 0;
	}
	off = strlen(err);
	for (int i = 0; p->opts.backend == BACKEND_NETNS && i < p->nnodes;
	     i++) {
		topo_node_netns(p, i, ns, sizeof(ns));
		teardown_netns(ns, prefix, err, errlen, &off);
	}
	teardown_netns(p->splitter.netns, prefix, err, errlen, &off);
	for (int i = 0; i < 2; i++)
		teardown_netns(p->ports[i].netns, prefix, err, errlen, &off);
	if (off > 0)
		rc = -1;
	teardown_wait_links(p, e, sizeof(e));
	memset(it, 0, nit * sizeof(*it));
	for (int i = 0; i < p->nnodes; i++)
		for (int k = 0; k < p->nodes[i].nifs; k++)
			it[n++].name = p->nodes[i].ifs[k].host_if;
	for (int k = 0; k < p->splitter.nifs; k++)
		it[n++].name = p->splitter.ifs[k].host_if;
	for (int i = 0; i < p->nsegments; i++)
		it[n++].name = p->segments[i].bridge;
	for (int i = 0; i < 2; i++) {
		if (p->ports[i].bridge[0])
			it[n++].name = p->ports[i].bridge;
		if (p->ports[i].created)
			it[n++].name = p->ports[i].host_if;
	}
	tp.n = n;
	tp.prefix = prefix;
	if (teardown_run(&tp, TEARDOWN_LINK_THREADS, err, errlen) == -1)
		rc = -1;
	deadline_release(p->opts.name); /* quiet without --deadline */
	free(it);
	return rc;
}

/* ---- the whole start ------------------------------------------------------
 */

static int
deploy_pin(struct deploy *d, int only)
{
	const struct topo_plan *p = d->plan;
	char err[1024];

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
	if (deadline_apply(p, only, err, sizeof(err)) == -1)
		return deploy_fail(d, PROTO_E_PIN, "deadline", "%s", err);
	if (only < 0) /* a restarted node's rollback keeps the others' */
		deploy_undo_push(d, UNDO_CPUSET, p->opts.name);
	return 0;
}

/*
 * Test hook: with VROUTERD_FAULT=STEP in vrouterd's environment, start fails
 * right after STEP, so the rollback of everything made before it is
 * exercised (tests/integration/test_faults.sh walks every step).
 */
static int
deploy_fault(struct deploy *d, const char *step)
{
	const char *f = getenv("VROUTERD_FAULT");

	if (f == NULL || strcmp(f, step) != 0)
		return 0;
	return deploy_fail(d, PROTO_E_START, step,
			   "fault injected after this step (VROUTERD_FAULT=%s)",
			   f);
}

/* The nodes of a netns topology: namespaces, configured and pinned;
 * ready as soon as they are configured (boot_ms: the time that took). */
static int
deploy_start_netns(struct job *j, struct deploy *d, struct ns_ctx *host)
{
	const struct topo_plan *p = d->plan;
	uint64_t t0 = now_ms();

	for (int n = 0; n < p->nnodes; n++) {
		job_progress(j, "node",
			     "creating namespace node %s (%d queue%s)",
			     p->nodes[n].name, p->nodes[n].vcpus,
			     p->nodes[n].vcpus > 1 ? "s" : "");
		if (deploy_netns_node(d, host, n) == -1)
			return -1;
	}
	if (deploy_fault(d, "links") == -1 || deploy_fault(d, "domain") == -1)
		return -1;
	d->boot_ms = now_ms() - t0;
	job_progress(j, "ready", "%d node%s forwarding (%.1f s)", p->nnodes,
		     p->nnodes > 1 ? "s" : "", d->boot_ms / 1000.0);
	if (deploy_fault(d, "ready") == -1)
		return -1;
	for (int n = 0; n < p->nnodes; n++)
		if (deploy_netns_pin(d, n) == -1)
			return -1;
	if (deploy_fault(d, "pin") == -1 || deploy_netns_save_plan(d) == -1)
		return -1;
	return 0;
}

void
deploy_start(struct job *j, struct deploy *d)
{
	const struct topo_plan *p = d->plan;
	struct ns_ctx *host = NULL;
	json_object *pj = NULL;
	char err[1024];
	uint64_t t0;
	int netns = p->opts.backend == BACKEND_NETNS;

	d->code = 0;
	d->rundir_fd = -1;
	if (netns) /* no guests: no image, no libvirt */
		;
	else if (check_image(d) == -1 || deploy_fault(d, "image") == -1)
		goto fail;
	job_progress(j, "check", "checking that names are free");
	if (!netns && vm_ensure(err, sizeof(err)) == -1) {
		deploy_fail(d, PROTO_E_LIBVIRT, "libvirt", "%s", err);
		goto fail;
	}
	if ((host = ns_open(NULL, err, sizeof(err))) == NULL) {
		deploy_fail(d, PROTO_E_NETSETUP, "netlink", "%s", err);
		goto fail;
	}
	if (check_names_free(d, host) == -1 || deploy_fault(d, "check") == -1)
		goto fail;
	if (deadline_check(p, err, sizeof(err)) == -1) {
		deploy_fail(d, PROTO_E_PIN, "deadline", "%s", err);
		goto fail;
	}
	if ((d->rundir_fd =
		 statedir_topo_open(p->opts.name, 1, err, sizeof(err))) == -1) {
		deploy_fail(d, PROTO_E_START, "state", "%s", err);
		goto fail;
	}
	job_progress(j, "ports", "creating ports");
	for (int i = 0; i < 2; i++)
		if (port_setup(d, host, &p->ports[i]) == -1)
			goto fail;
	if (deploy_fault(d, "ports") == -1)
		goto fail;
	if (p->nsegments > 0 || p->splitter.netns[0]) {
		job_progress(j, "networks", "creating %d internal network%s%s",
			     p->nsegments, p->nsegments == 1 ? "" : "s",
			     p->splitter.netns[0] ? " and the splitter" : "");
		if (segments_setup(d, host) == -1 ||
		    splitter_setup(d, host) == -1 ||
		    deploy_fault(d, "networks") == -1)
			goto fail;
	}
	if (netns) {
		if (deploy_start_netns(j, d, host) == -1)
			goto fail;
		goto out;
	}
	job_progress(j, "links", "creating %s interfaces",
		     topo_link_name(p->opts.link));
	for (int n = 0; n < p->nnodes; n++)
		if (node_links_setup(d, host, &p->nodes[n]) == -1)
			goto fail;
	if (deploy_fault(d, "links") == -1)
		goto fail;
	pj = topo_plan_to_json(p);
	t0 = now_ms();
	for (int n = 0; n < p->nnodes; n++) {
		job_progress(j, "domain", "starting %s (%s, %d vCPU)",
			     p->nodes[n].domain, d->kvm ? "kvm" : "tcg",
			     p->nodes[n].vcpus);
		if (node_domain_start(d, n,
				      json_object_to_json_string_ext(
					  pj, JSON_C_TO_STRING_PLAIN)) == -1)
			goto fail;
	}
	if (deploy_fault(d, "domain") == -1)
		goto fail;
	job_progress(j, "ready", "waiting for %d guest%s to report ready",
		     p->nnodes, p->nnodes > 1 ? "s" : "");
	if (nodes_wait_ready(j, d, t0, -1) == -1 ||
	    deploy_fault(d, "ready") == -1)
		goto fail;
	if (deploy_pin(d, -1) == -1 || deploy_fault(d, "pin") == -1)
		goto fail;
out:
	json_object_put(pj);
	ns_close(host);
	close(d->rundir_fd);
	d->rundir_fd = -1;
	return;
fail:
	log_warnx("start %s failed: %s", p->opts.name, d->err);
	json_object_put(pj);
	if (host)
		ns_close(host);
	if (d->nundo)
		job_progress(j, "rollback", "removing what was created");
	deploy_rollback(d);
	if (d->rundir_fd != -1)
		close(d->rundir_fd);
	d->rundir_fd = -1;
}

/* ---- one node again (restart policy) --------------------------------------
 */

/* A netns node again: whatever is left of it goes, then it is made anew
 * (its host ends included: they went with the namespace). */
static void
deploy_restart_netns(struct job *j, struct deploy *d, int n)
{
	const struct topo_plan *p = d->plan;
	struct ns_ctx *host;
	char err[1024];
	uint64_t t0 = now_ms();

	if ((host = ns_open(NULL, err, sizeof(err))) == NULL) {
		deploy_fail(d, PROTO_E_NETSETUP, "netlink", "%s", err);
		return;
	}
	d->nundo = 0;
	if (deploy_netns_node_teardown(p, host, n, err, sizeof(err)) == -1) {
		deploy_fail(d, PROTO_E_NETSETUP, "node", "%s", err);
		goto out;
	}
	if (deploy_netns_node(d, host, n) == -1 ||
	    deploy_netns_pin(d, n) == -1) {
		deploy_rollback(d);
		goto out;
	}
	d->nundo = 0;
	d->boot_ms = now_ms() - t0;
	job_progress(j, "ready", "%s is forwarding again (%.1f s)",
		     p->nodes[n].name, d->boot_ms / 1000.0);
out:
	ns_close(host);
}

void
deploy_restart_node(struct job *j, struct deploy *d, int n)
{
	const struct topo_plan *p = d->plan;
	const struct topo_node *nd = &p->nodes[n];
	uint64_t t0;
	json_object *pj;
	char err[1024];
	int r;

	d->code = 0;
	d->rundir_fd = -1;
	if (p->opts.backend == BACKEND_NETNS) {
		deploy_restart_netns(j, d, n);
		return;
	}
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
