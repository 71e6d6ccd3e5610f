/*
 * One host's part of a topology across hosts (issue 15).  Every host
 * involved builds the same plan from the same params, then part_plan
 * places it (topo_hosts_plan, from the underlay the coordinator sends:
 * "NAME=ADDRESS,..." with the coordinator first) and cuts the plan down
 * to what this host deploys: its nodes (the others dropped from
 * plan->nodes), the ports it holds (a port elsewhere whose network has
 * members here keeps only its bridge), the bridges of the networks it has
 * members on (the others' names emptied), the splitter only on the
 * coordinator; and a VXLAN for each network it shares with other hosts
 * (deploy->vxlans: VNI, MTU, the other members' tunnel addresses).  With
 * --pin, part_pin then plans the pinning of that share on this host's own
 * CPUs (its online and isolated CPUs, SMT siblings and NUMA nodes, as on
 * one host), and refuses a share whose vCPUs would have to share CPUs.
 * The cut plan is then deployed, stopped and shown as any other.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <ifaddrs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "deploy.h"
#include "hostinfo.h"
#include "part.h"
#include "topo_hosts.h"
#include "util.h"

int
part_underlay(const char *spec, struct part_underlay *u, char *err,
	      size_t errlen)
{
	char buf[1024], *save = NULL, *tok, *at;

	memset(u, 0, sizeof(*u));
	if (vr_strlcpy(buf, spec, sizeof(buf)) >= sizeof(buf)) {
		msgf(err, errlen, "underlay: too long");
		return -1;
	}
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		int i = u->n;

		if (eq == NULL || eq == tok || eq[1] == '\0' ||
		    i >= TOPO_MAX_HOSTS) {
			msgf(err, errlen,
			     "underlay: \"%.64s\" is not NAME=ADDRESS (at most "
			     "%d hosts)",
			     tok, TOPO_MAX_HOSTS);
			return -1;
		}
		*eq = '\0';
		u->u[i].mtu = TOPO_UNDERLAY_MTU_DEFAULT;
		if ((at = strchr(eq + 1, '@')) != NULL) {
			char *end;
			long m;

			*at = '\0';
			errno = 0;
			m = strtol(at + 1, &end, 10);
			if (errno != 0 || end == at + 1 || *end != '\0' ||
			    m < CONFIG_MTU_MIN || m > CONFIG_MTU_MAX) {
				msgf(err, errlen,
				     "underlay: host %.32s: MTU \"%.16s\" is "
				     "not "
				     "an integer in %d..%d",
				     tok, at + 1, CONFIG_MTU_MIN,
				     CONFIG_MTU_MAX);
				return -1;
			}
			u->u[i].mtu = (int)m;
		}
		vr_strlcpy(u->names[i], tok, sizeof(u->names[i]));
		vr_strlcpy(u->addrs[i], eq + 1, sizeof(u->addrs[i]));
		u->u[i].host = u->names[i];
		u->u[i].addr = u->addrs[i];
		u->n++;
	}
	if (u->n == 0) {
		msgf(err, errlen, "underlay: empty");
		return -1;
	}
	return 0;
}

/* ",NAME=ADDRESS[@MTU]": the MTU only when not the default */
static size_t
part_underlay_one(char *buf, size_t len, const char *sep, const char *name,
		  const char *addr, int mtu)
{
	int n;

	if (mtu == 0 || mtu == TOPO_UNDERLAY_MTU_DEFAULT)
		n = snprintf(buf, len, "%s%s=%s", sep, name, addr);
	else
		n = snprintf(buf, len, "%s%s=%s@%d", sep, name, addr, mtu);
	return n < 0 ? len : (size_t)n;
}

int
part_underlay_conf(char *buf, size_t len, char *err, size_t errlen)
{
	size_t off;

	if (conf->tunnel_address[0] == '\0') {
		msgf(err, errlen,
		     "this host (%s) has no tunnel_address in its "
		     "configuration: a topology across hosts needs one",
		     conf->host_name);
		return -1;
	}
	off = part_underlay_one(buf, len, "", conf->host_name,
				conf->tunnel_address, conf->tunnel_mtu);
	for (int i = 0; i < conf->nhosts && off < len; i++)
		off += part_underlay_one(
		    buf + off, len - off, ",", conf->hosts[i].name,
		    conf->hosts[i].tunnel_address, conf->hosts[i].tunnel_mtu);
	if (off >= len) {
		msgf(err, errlen, "too many hosts configured");
		return -1;
	}
	return 0;
}

/* Is bit h of the network's hosts set? */
static int
net_held(const struct topo_hnet *nt, int h)
{
	return (nt->hosts >> h) & 1;
}

/* The planned MTU of f's network when it spans hosts, else 0. */
static int
part_if_mtu(const struct topo_hosts *hs, const struct topo_if *f)
{
	for (int i = 0; i < hs->nnets; i++) {
		const struct topo_hnet *nt = &hs->nets[i];

		if (nt->nhosts > 1 &&
		    ((f->port >= 0 && nt->port == f->port) ||
		     (f->port < 0 && nt->segment == f->segment)))
			return nt->mtu;
	}
	return 0;
}

int
part_cut(struct topo_plan *p, const struct topo_hosts *hs, int hi,
	 struct deploy *d)
{
	const struct topo_host *th = &hs->hosts[hi];
	int held_seg[TOPO_MAX_SEGMENTS] = {0}, held_port[2] = {0};
	int port_net[2] = {0};

	/* the networks: bridges here, a VXLAN where they span hosts */
	d->nvxlans = 0;
	for (int i = 0; i < hs->nnets; i++) {
		const struct topo_hnet *nt = &hs->nets[i];
		struct deploy_vxlan *x;

		if (!net_held(nt, hi))
			continue;
		if (nt->segment >= 0)
			held_seg[nt->segment] = 1;
		else if (nt->port >= 0)
			port_net[nt->port] = 1;
		if (nt->nhosts < 2)
			continue;
		x = &d->vxlans[d->nvxlans++];
		memset(x, 0, sizeof(*x));
		vr_strlcpy(x->bridge, nt->bridge, sizeof(x->bridge));
		deploy_vxlan_name(nt->bridge, x->name, sizeof(x->name));
		x->vni = nt->vni;
		x->mtu = nt->mtu;
		vr_strlcpy(x->local, th->addr, sizeof(x->local));
		for (int h = 0; h < hs->nhosts; h++)
			if (h != hi && net_held(nt, h))
				vr_strlcpy(x->remotes[x->nremotes++],
					   hs->hosts[h].addr,
					   sizeof(x->remotes[0]));
	}
	/* every interface on a network across hosts gets its MTU */
	for (int n = 0; n < p->nnodes; n++)
		for (int k = 0; k < p->nodes[n].nifs; k++)
			p->nodes[n].ifs[k].mtu =
			    part_if_mtu(hs, &p->nodes[n].ifs[k]);
	for (int k = 0; k < p->splitter.nifs; k++)
		p->splitter.ifs[k].mtu = part_if_mtu(hs, &p->splitter.ifs[k]);
	for (int i = 0; i < th->nports; i++)
		held_port[th->ports[i]] = 1;
	for (int i = 0; i < p->nsegments; i++)
		if (!held_seg[i])
			p->segments[i].bridge[0] = '\0';
	for (int i = 0; i < 2; i++) {
		struct topo_port *pt = &p->ports[i];

		if (held_port[i])
			continue;
		pt->netns[0] = '\0';
		pt->host_if[0] = '\0';
		pt->created = 0;
		if (!port_net[i])
			pt->bridge[0] = '\0';
	}
	if (!th->splitter) {
		p->splitter.netns[0] = '\0';
		p->splitter.nifs = 0;
		p->splitter.nroutes = 0;
	}
	/* the nodes, in plan order (th->nodes is ascending) */
	for (int j = 0; j < th->nnodes; j++)
		if (th->nodes[j] != j)
			p->nodes[j] = p->nodes[th->nodes[j]];
	p->nnodes = th->nnodes;
	return 0;
}

/*
 * The MTU of the link holding address addr here (its name in dev), 0 when
 * no link holds it (the VXLAN's creation says so), -1 on an error.
 */
static int
part_link_mtu(const char *addr, char *dev, size_t devlen)
{
	unsigned char want[sizeof(struct in6_addr)];
	struct ifaddrs *ifa = NULL, *i;
	struct ifreq ifr;
	int family, mtu = 0, fd;

	family = inet_pton(AF_INET, addr, want) == 1	? AF_INET
		 : inet_pton(AF_INET6, addr, want) == 1 ? AF_INET6
							: -1;
	if (family == -1 || getifaddrs(&ifa) == -1)
		return family == -1 ? 0 : -1;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		const void *a;

		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != family)
			continue;
		a = family == AF_INET
			? (const void *)&(
			      (struct sockaddr_in *)(void *)i->ifa_addr)
			      ->sin_addr
			: (const void *)&(
			      (struct sockaddr_in6 *)(void *)i->ifa_addr)
			      ->sin6_addr;
		if (memcmp(a, want, family == AF_INET ? 4 : 16) != 0)
			continue;
		memset(&ifr, 0, sizeof(ifr));
		vr_strlcpy(ifr.ifr_name, i->ifa_name, sizeof(ifr.ifr_name));
		vr_strlcpy(dev, i->ifa_name, devlen);
		mtu = -1;
		if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) !=
		    -1) {
			if (ioctl(fd, SIOCGIFMTU, &ifr) == 0)
				mtu = ifr.ifr_mtu;
			close(fd);
		}
		break;
	}
	freeifaddrs(ifa);
	return mtu;
}

int
part_mtu_check(const struct topo_host *th, char *err, size_t errlen)
{
	char dev[IFNAMSIZ] = "";
	int real = part_link_mtu(th->addr, dev, sizeof(dev));

	if (real == -1) {
		msgf(err, errlen, "host %s: cannot read the MTU of %s: %s",
		     th->name, dev[0] ? dev : th->addr, strerror(errno));
		return -1;
	}
	if (real > 0 && th->mtu > real) {
		msgf(err, errlen,
		     "host %s: its underlay MTU is configured as %d "
		     "(tunnel_mtu), but %s, which holds its tunnel address "
		     "%s, has MTU %d: set tunnel_mtu to %d or less",
		     th->name, th->mtu, dev, th->addr, real, real);
		return -1;
	}
	return 0;
}

int
part_pin(struct topo_plan *p, const char *part, const struct hostinfo *h,
	 char *err, size_t errlen)
{
	char why[1024];
	int nv = 0;

	if (!p->opts.pin || p->nnodes == 0) /* no node here: nothing to pin */
		return 0;
	if (topo_plan_pin(p, h ? &h->online : NULL, h ? &h->isolated : NULL,
			  h ? &h->topo : NULL, why, sizeof(why)) == -1) {
		msgf(err, errlen, "host %s cannot pin its share of %s: %s",
		     part, p->opts.name, why);
		return -1;
	}
	for (int n = 0; n < p->nnodes; n++)
		nv += p->nodes[n].vcpus;
	/* vCPUs on as many CPUs (housekeeping floating) is a warning, as on
	 * one host; fewer CPUs than vCPUs is not the plan asked for */
	if (!p->pin.shared || CPU_COUNT(&p->pin.vcpu_cpus) >= nv)
		return 0;
	msgf(err, errlen,
	     "host %s cannot pin its share of %s: its %d node%s (%d vCPU%s) "
	     "do not fit its CPUs (%s); across hosts every host must give "
	     "each vCPU a CPU of its own (fewer --cores, a larger --cpus, or "
	     "fewer nodes on %s)",
	     part, p->opts.name, p->nnodes, p->nnodes > 1 ? "s" : "", nv,
	     nv > 1 ? "s" : "", p->pin.warning, part);
	pin_plan_free(&p->pin);
	return -1;
}

int
part_plan(struct topo_plan *p, const char *coordinator, const char *underlay,
	  const char *part, const struct hostinfo *info, struct topo_hosts *hs,
	  struct deploy *d, json_object **remote, char *err, size_t errlen)
{
	struct part_underlay u;
	int hi = -1;

	if (part_underlay(underlay, &u, err, errlen) == -1 ||
	    topo_hosts_plan(p, coordinator, u.u, u.n, hs, err, errlen) == -1)
		return -1;
	for (int h = 0; h < hs->nhosts; h++)
		if (strcmp(hs->hosts[h].name, part) == 0)
			hi = h;
	if (hi >= 0 && remote != NULL) {
		*remote = json_object_new_array();
		for (int h = 0; h < hs->nhosts; h++)
			for (int j = 0; j < hs->hosts[h].nnodes && h != hi;
			     j++) {
				json_object *o = json_object_new_object();

				json_object_object_add(
				    o, "name",
				    json_object_new_string(
					p->nodes[hs->hosts[h].nodes[j]].name));
				json_object_object_add(
				    o, "host",
				    json_object_new_string(hs->hosts[h].name));
				json_object_array_add(*remote, o);
			}
	}
	if (hi < 0) {
		msgf(err, errlen,
		     "host %s holds no part of %s (the placement names "
		     "other hosts)",
		     part, p->opts.name);
		return -1;
	}
	if (part_mtu_check(&hs->hosts[hi], err, errlen) == -1)
		return -1;
	if (part_cut(p, hs, hi, d) == -1)
		return -1;
	return part_pin(p, part, info, err, errlen);
}
