/*
 * Real port NICs (realport.h): interrupts through /sys and /proc (under a
 * root prefix, so a unit test feeds a fake tree), pause frames, driver,
 * channels and offloads through the ethtool ioctl.  A NIC without IRQs or
 * pause control (veth, here) is recorded as "not supported by this NIC";
 * it is an error only when the user asked for that knob.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>

#include "log.h"
#include "realport.h"
#include "util.h"
#include "vhostnet.h"

static int
int_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* /proc/interrupts: "  N:  c0  c1 ... chip ... NAME" with NAME "IF" or
 * "IF-..." (per-queue names such as eth0-TxRx-0). */
static int
irqs_from_proc(const char *root, const char *ifname, int *irqs, int max)
{
	char path[512], *line = NULL;
	size_t il = strlen(ifname), cap = 0;
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/proc/interrupts", root);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	/* a line has a column per CPU: no fixed buffer holds it */
	while (n < max && getline(&line, &cap, f) != -1) {
		char *end, *name;
		long irq = strtol(line, &end, 10);
		size_t len = strcspn(line, "\n");

		line[len] = '\0';
		if (end == line || *end != ':')
			continue;
		while (len > 0 && line[len - 1] == ' ')
			line[--len] = '\0';
		name = strrchr(line, ' ');
		name = name ? name + 1 : line;
		if (strncmp(name, ifname, il) == 0 &&
		    (name[il] == '\0' || name[il] == '-'))
			irqs[n++] = (int)irq;
	}
	free(line);
	fclose(f);
	return n;
}

int
realport_irqs(const char *root, const char *ifname, int *irqs, int max)
{
	char path[512];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/sys/class/net/%s/device/msi_irqs",
		 root, ifname);
	if ((d = opendir(path)) != NULL) {
		while (n < max && (e = readdir(d)) != NULL) {
			char *end;
			long irq = strtol(e->d_name, &end, 10);
			if (e->d_name[0] != '.' && *end == '\0' && irq >= 0)
				irqs[n++] = (int)irq;
		}
		closedir(d);
	}
	if (n == 0)
		n = irqs_from_proc(root, ifname, irqs, max);
	qsort(irqs, (size_t)n, sizeof(*irqs), int_cmp);
	return n;
}

static int
aff_read(const char *root, int irq, char *buf, size_t len)
{
	char path[512], *s;

	snprintf(path, sizeof(path), "%s/proc/irq/%d/smp_affinity_list", root,
		 irq);
	if ((s = file_read(path, 4096)) == NULL)
		return -1;
	s[strcspn(s, "\n")] = '\0';
	if (vr_strlcpy(buf, s, len) >= len) { /* a cut list restores wrong */
		free(s);
		errno = ENAMETOOLONG;
		return -1;
	}
	free(s);
	return 0;
}

static int
aff_write(const char *root, int irq, const char *list)
{
	char path[512];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/proc/irq/%d/smp_affinity_list", root,
		 irq);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC | O_TRUNC)) == -1)
		return -1;
	if (write(fd, list, strlen(list)) != (ssize_t)strlen(list))
		rc = -1;
	if (close(fd) == -1)
		rc = -1;
	return rc;
}

/* One ethtool ioctl on ifname; 0 or -1 (errno). */
static int
ethtool(const char *ifname, void *data)
{
	struct ifreq ifr;
	int fd, rc, saved;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	vr_strlcpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name));
	ifr.ifr_data = data;
	rc = ioctl(fd, SIOCETHTOOL, &ifr);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* Whether an earlier NIC of rp saved irq already (two netdevs of one PCI
 * function share its MSI-X vectors): its first value is the one to put
 * back, and a second save would record ours. */
static int
irq_saved(const struct realport *rp, int upto, int irq)
{
	for (int k = 0; k < upto; k++)
		for (int i = 0; i < rp->nics[k].nirqs; i++)
			if (rp->nics[k].irqs[i] == irq &&
			    rp->nics[k].saved_aff[i][0] != '\0')
				return 1;
	return 0;
}

static int
nic_apply(const struct realport *rp, struct realport_nic *nic,
	  const struct topo_opts *o, const char *root, char *err, size_t errlen)
{
	if (o->has_irq_cpus) {
		char list[CPULIST_MAX];

		nic->nirqs = realport_irqs(root, nic->ifname, nic->irqs,
					   REALPORT_MAX_IRQS + 1);
		if (nic->nirqs > REALPORT_MAX_IRQS) {
			msgf(err, errlen,
			     "irq_cpus: %s has more than %d queue interrupts: "
			     "pin them by hand (/proc/irq/N/smp_affinity_list)",
			     nic->ifname, REALPORT_MAX_IRQS);
			nic->nirqs = 0;
			return -1;
		}
		if (nic->nirqs == 0) {
			msgf(err, errlen,
			     "irq_cpus: %s has no queue interrupts (no "
			     "device msi_irqs, nothing named %s in "
			     "/proc/interrupts): not supported by this NIC",
			     nic->ifname, nic->ifname);
			return -1;
		}
		cpulist_format(&o->irq_cpus, list, sizeof(list));
		for (int i = 0; i < nic->nirqs; i++) {
			char old[REALPORT_AFF_LEN];
			int again =
			    irq_saved(rp, (int)(nic - rp->nics), nic->irqs[i]);

			if ((!again && aff_read(root, nic->irqs[i], old,
						sizeof(old)) == -1) ||
			    aff_write(root, nic->irqs[i], list) == -1) {
				msgf(err, errlen,
				     "irq_cpus: %s: IRQ %d: cannot set its "
				     "affinity to %s: %s",
				     nic->ifname, nic->irqs[i], list,
				     strerror(errno));
				return -1;
			}
			if (!again)
				vr_strlcpy(nic->saved_aff[i], old,
					   sizeof(nic->saved_aff[i]));
		}
	}
	if (o->pause_off) {
		struct ethtool_pauseparam pp = {.cmd = ETHTOOL_GPAUSEPARAM};

		if (ethtool(nic->ifname, &pp) == -1) {
			msgf(err, errlen, "pause off: %s: %s", nic->ifname,
			     errno == EOPNOTSUPP
				 ? "no pause frame control: not supported by "
				   "this NIC"
				 : strerror(errno));
			return -1;
		}
		nic->saved_autoneg = pp.autoneg;
		nic->saved_rx = pp.rx_pause;
		nic->saved_tx = pp.tx_pause;
		pp.cmd = ETHTOOL_SPAUSEPARAM;
		pp.autoneg = pp.rx_pause = pp.tx_pause = 0;
		if (ethtool(nic->ifname, &pp) == -1) {
			msgf(err, errlen, "pause off: %s: %s", nic->ifname,
			     strerror(errno));
			return -1;
		}
		nic->pause_saved = 1;
	}
	return 0;
}

int
realport_apply(const struct topo_plan *p, const char *root,
	       struct realport **out, char *err, size_t errlen)
{
	const struct topo_opts *o = &p->opts;
	struct realport *rp;

	*out = NULL;
	if (o->ports != PORTS_HOST || (!o->has_irq_cpus && !o->pause_off))
		return 0;
	rp = xcalloc(1, sizeof(*rp));
	vr_strlcpy(rp->root, root, sizeof(rp->root));
	for (int k = 0; k < 2; k++) {
		struct realport_nic *nic = &rp->nics[rp->n++];

		vr_strlcpy(nic->ifname, k == 0 ? o->port_in : o->port_out,
			   sizeof(nic->ifname));
		if (nic_apply(rp, nic, o, root, err, errlen) == -1) {
			realport_restore(rp);
			return -1;
		}
	}
	*out = rp;
	return 0;
}

void
realport_restore(struct realport *rp)
{
	if (rp == NULL)
		return;
	/* newest first, as a stack: an IRQ two NICs share (a record from
	 * before each was saved once) ends with the first NIC's value */
	for (int k = rp->n - 1; k >= 0; k--) {
		struct realport_nic *nic = &rp->nics[k];

		for (int i = nic->nirqs - 1; i >= 0; i--)
			if (nic->saved_aff[i][0] != '\0' &&
			    aff_write(rp->root, nic->irqs[i],
				      nic->saved_aff[i]) == -1)
				log_warn("%s: IRQ %d: cannot restore its "
					 "affinity %s",
					 nic->ifname, nic->irqs[i],
					 nic->saved_aff[i]);
		if (nic->pause_saved) {
			struct ethtool_pauseparam pp = {
			    .cmd = ETHTOOL_SPAUSEPARAM,
			    .autoneg = nic->saved_autoneg,
			    .rx_pause = nic->saved_rx,
			    .tx_pause = nic->saved_tx};
			if (ethtool(nic->ifname, &pp) == -1)
				log_warn("%s: cannot restore pause frames",
					 nic->ifname);
		}
	}
	free(rp);
}

json_object *
realport_saved_json(const struct realport *rp)
{
	json_object *o, *nics;

	if (rp == NULL)
		return NULL;
	o = json_object_new_object();
	nics = json_object_new_array();
	json_object_object_add(o, "root", json_object_new_string(rp->root));
	for (int k = 0; k < rp->n; k++) {
		const struct realport_nic *nic = &rp->nics[k];
		json_object *j = json_object_new_object(),
			    *irqs = json_object_new_array();

		json_object_object_add(j, "ifname",
				       json_object_new_string(nic->ifname));
		for (int i = 0; i < nic->nirqs; i++) {
			json_object *x;

			if (nic->saved_aff[i][0] == '\0')
				continue; /* saved by an earlier NIC */
			x = json_object_new_array();
			json_object_array_add(
			    x, json_object_new_int(nic->irqs[i]));
			json_object_array_add(
			    x, json_object_new_string(nic->saved_aff[i]));
			json_object_array_add(irqs, x);
		}
		json_object_object_add(j, "irqs", irqs);
		if (nic->pause_saved) {
			json_object *pz = json_object_new_array();

			json_object_array_add(
			    pz, json_object_new_int((int)nic->saved_autoneg));
			json_object_array_add(
			    pz, json_object_new_int((int)nic->saved_rx));
			json_object_array_add(
			    pz, json_object_new_int((int)nic->saved_tx));
			json_object_object_add(j, "pause", pz);
		}
		json_object_array_add(nics, j);
	}
	json_object_object_add(o, "nics", nics);
	return o;
}

struct realport *
realport_saved_from_json(json_object *o)
{
	struct realport *rp;
	json_object *nics, *v;

	if (o == NULL)
		return NULL;
	if (!json_object_object_get_ex(o, "nics", &nics) ||
	    !json_object_is_type(nics, json_type_array) ||
	    json_object_array_length(nics) > 2)
		goto bad;
	rp = xcalloc(1, sizeof(*rp));
	if (json_object_object_get_ex(o, "root", &v) &&
	    json_object_is_type(v, json_type_string))
		vr_strlcpy(rp->root, json_object_get_string(v),
			   sizeof(rp->root));
	for (size_t k = 0; k < json_object_array_length(nics); k++) {
		json_object *j = json_object_array_get_idx(nics, k), *irqs, *pz;
		struct realport_nic *nic = &rp->nics[rp->n++];

		if (!json_object_object_get_ex(j, "ifname", &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    vr_strlcpy(nic->ifname, json_object_get_string(v),
			       sizeof(nic->ifname)) >= sizeof(nic->ifname) ||
		    !json_object_object_get_ex(j, "irqs", &irqs) ||
		    !json_object_is_type(irqs, json_type_array) ||
		    json_object_array_length(irqs) > REALPORT_MAX_IRQS) {
			free(rp);
			goto bad;
		}
		for (size_t i = 0; i < json_object_array_length(irqs); i++) {
			json_object *x = json_object_array_get_idx(irqs, i);
			json_object *irq = NULL, *aff = NULL;

			/* [irq, cpus]: the type before the elements */
			if (json_object_is_type(x, json_type_array)) {
				irq = json_object_array_get_idx(x, 0);
				aff = json_object_array_get_idx(x, 1);
			}
			if (!json_object_is_type(irq, json_type_int) ||
			    !json_object_is_type(aff, json_type_string) ||
			    vr_strlcpy(nic->saved_aff[nic->nirqs],
				       json_object_get_string(aff),
				       REALPORT_AFF_LEN) >= REALPORT_AFF_LEN) {
				free(rp);
				goto bad;
			}
			nic->irqs[nic->nirqs++] = json_object_get_int(irq);
		}
		if (json_object_object_get_ex(j, "pause", &pz)) {
			if (!json_object_is_type(pz, json_type_array) ||
			    json_object_array_length(pz) != 3) {
				free(rp);
				goto bad;
			}
			nic->pause_saved = 1;
			nic->saved_autoneg = (unsigned)json_object_get_int(
			    json_object_array_get_idx(pz, 0));
			nic->saved_rx = (unsigned)json_object_get_int(
			    json_object_array_get_idx(pz, 1));
			nic->saved_tx = (unsigned)json_object_get_int(
			    json_object_array_get_idx(pz, 2));
		}
	}
	return rp;
bad:
	log_warnx("state.json: a malformed \"realport\": the port NICs' "
		  "IRQ affinity and pause frames will not be restored on stop");
	return NULL;
}

/* The legacy offload gets, by the names `ethtool -k` prints. */
static void
nic_offloads(const char *ifname, json_object *o)
{
	static const struct {
		unsigned cmd;
		const char *name;
	} gets[] = {
	    {ETHTOOL_GRXCSUM, "rx-checksumming"},
	    {ETHTOOL_GTXCSUM, "tx-checksumming"},
	    {ETHTOOL_GSG, "scatter-gather"},
	    {ETHTOOL_GTSO, "tcp-segmentation-offload"},
	    {ETHTOOL_GGSO, "generic-segmentation-offload"},
	    {ETHTOOL_GGRO, "generic-receive-offload"},
	};
	json_object *j = json_object_new_object();
	struct ethtool_value v;

	for (size_t i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
		v.cmd = gets[i].cmd;
		v.data = 0;
		if (ethtool(ifname, &v) == 0)
			json_object_object_add(j, gets[i].name,
					       json_object_new_boolean(v.data));
	}
	v.cmd = ETHTOOL_GFLAGS;
	if (ethtool(ifname, &v) == 0)
		json_object_object_add(
		    j, "large-receive-offload",
		    json_object_new_boolean(v.data & ETH_FLAG_LRO));
	json_object_object_add(o, "offloads", j);
}

static json_object *
nic_json(const char *ifname, const char *root)
{
	json_object *o = json_object_new_object(), *irqs;
	struct ethtool_drvinfo di = {.cmd = ETHTOOL_GDRVINFO};
	struct ethtool_channels ch = {.cmd = ETHTOOL_GCHANNELS};
	struct ethtool_pauseparam pp = {.cmd = ETHTOOL_GPAUSEPARAM};
	int irq[REALPORT_MAX_IRQS], n;

	json_object_object_add(o, "name", json_object_new_string(ifname));
	if (ethtool(ifname, &di) == 0) {
		json_object_object_add(o, "driver",
				       json_object_new_string(di.driver));
		if (di.bus_info[0])
			json_object_object_add(
			    o, "bus_info", json_object_new_string(di.bus_info));
	}
	if (ethtool(ifname, &ch) == 0) {
		json_object *q = json_object_new_object();
		json_object_object_add(q, "rx",
				       json_object_new_int(ch.rx_count));
		json_object_object_add(q, "tx",
				       json_object_new_int(ch.tx_count));
		json_object_object_add(q, "combined",
				       json_object_new_int(ch.combined_count));
		json_object_object_add(q, "max_combined",
				       json_object_new_int(ch.max_combined));
		json_object_object_add(o, "queues", q);
	} else
		json_object_object_add(
		    o, "queues",
		    json_object_new_string("not supported by this NIC"));
	nic_offloads(ifname, o);
	if (ethtool(ifname, &pp) == 0) {
		json_object *j = json_object_new_object();
		json_object_object_add(j, "autoneg",
				       json_object_new_boolean(pp.autoneg));
		json_object_object_add(j, "rx",
				       json_object_new_boolean(pp.rx_pause));
		json_object_object_add(j, "tx",
				       json_object_new_boolean(pp.tx_pause));
		json_object_object_add(o, "pause", j);
	} else
		json_object_object_add(
		    o, "pause",
		    json_object_new_string("not supported by this NIC"));
	n = realport_irqs(root, ifname, irq, REALPORT_MAX_IRQS);
	if (n == 0) {
		json_object_object_add(
		    o, "irqs",
		    json_object_new_string("not supported by this NIC"));
		return o;
	}
	irqs = json_object_new_array();
	for (int i = 0; i < n; i++) {
		json_object *e = json_object_new_object();
		char aff[CPULIST_MAX];

		json_object_object_add(e, "irq", json_object_new_int(irq[i]));
		if (aff_read(root, irq[i], aff, sizeof(aff)) == 0)
			json_object_object_add(e, "cpus",
					       json_object_new_string(aff));
		json_object_array_add(irqs, e);
	}
	json_object_object_add(o, "irqs", irqs);
	return o;
}

json_object *
realport_json(const struct topo_plan *p, const char *root)
{
	json_object *o;

	if (p->opts.ports != PORTS_HOST)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "in", nic_json(p->opts.port_in, root));
	json_object_object_add(o, "out", nic_json(p->opts.port_out, root));
	return o;
}

void
realport_status(const struct topo_plan *p, int guests, json_object *o)
{
	json_object *j;

	if (guests)
		json_object_object_add(
		    o, "vhost_net", vhostnet_json(&p->opts, vhostnet_root()));
	if ((j = realport_json(p, vhostnet_root())) != NULL)
		json_object_object_add(o, "port_nics", j);
}
