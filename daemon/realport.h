/*
 * Real ports (--ports in=IF,out=IF): the NIC tuning the original tool did
 * with setirq.sh and `ethtool -A` (issue 14), and the NIC facts its
 * logenv.sh recorded.  --irq-cpus pins every queue interrupt of each port
 * NIC, --pause off turns pause frames off; every value changed is saved
 * first and restored on stop and on a failed start.  Status reads each NIC
 * back: driver, queue counts, offloads, pause, interrupts and affinity.
 */
#ifndef VR_REALPORT_H
#define VR_REALPORT_H

#include <stddef.h>

#include <json-c/json.h>

#include "topo.h"

#define REALPORT_MAX_IRQS 256 /* per NIC; more is refused, not cut */
#define REALPORT_AFF_LEN  512 /* an smp_affinity_list; longer is refused */

struct realport_nic {
	char ifname[TOPO_IFNAMSIZ];
	int nirqs;
	int irqs[REALPORT_MAX_IRQS + 1]; /* + 1: to tell "too many" */
	char saved_aff[REALPORT_MAX_IRQS]
		      [REALPORT_AFF_LEN]; /* smp_affinity_list, "" = kept */
	int pause_saved; /* saved_pause holds what to put back */
	unsigned saved_autoneg, saved_rx, saved_tx;
};

struct realport {
	char root[256]; /* fake tree for tests (VR_AXES_ROOT), or "" */
	int n;
	struct realport_nic nics[2];
};

/* The queue interrupts of NIC ifname: its device's msi_irqs, else the
 * /proc/interrupts lines named "IF" or "IF-...".  Count (sorted), 0 for
 * none (veth, bridge), at most max. */
int realport_irqs(const char *root, const char *ifname, int *irqs, int max);

/* Apply irq_cpus and pause off to the port NICs of a PORTS_HOST plan.
 * NULL with nothing to do; else *out is the saved record (restore it with
 * realport_restore).  -1 with err when a NIC cannot do what was asked;
 * what was changed before is restored then. */
int realport_apply(const struct topo_plan *p, const char *root,
		   struct realport **out, char *err, size_t errlen);
/* Put back every saved value and free rp (NULL is fine). */
void realport_restore(struct realport *rp);

/* The saved values as JSON, for the run's state.json, so that a
 * restarted vrouterd that adopts the topology restores them on stop:
 * {"root", "nics": [{"ifname", "irqs": [[IRQ, "LIST"], ...], "pause":
 * [autoneg, rx, tx] or absent}]}.  NULL for rp NULL. */
json_object *realport_saved_json(const struct realport *rp);
/* Back from that JSON; NULL when o is NULL or malformed (logged). */
struct realport *realport_saved_from_json(json_object *o);

/* {"in": {...}, "out": {...}} for a PORTS_HOST plan (NULL otherwise):
 * each NIC as read now. */
json_object *realport_json(const struct topo_plan *p, const char *root);
/* Status of a running topology: "vhost_net" (when its nodes are guests,
 * vhostnet.h) and "port_nics" (real ports), read now, added to o. */
void realport_status(const struct topo_plan *p, int guests, json_object *o);

#endif
