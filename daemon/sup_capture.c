/*
 * capture: a packet socket on a link of a running topology, handed to the
 * caller.  The daemon resolves the link's name (topo_capture.h) to the
 * host interface that carries it, opens an AF_PACKET socket bound to that
 * interface (every protocol, both directions) and passes it over the
 * control socket (SCM_RIGHTS) with the reply; the client reads packets
 * and writes the pcap file itself, so traffic never flows through the
 * daemon's event loop.  Mutating-class: the socket shows all traffic on
 * the link (and could send on it), which is what root or the socket's
 * group may already cause.  Every host end lives in the daemon's own
 * network namespace, so no namespace is entered.
 */
#include <sys/socket.h>

#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pcap.h"
#include "proto.h"
#include "sup_run.h"
#include "supervisor.h"
#include "topo_capture.h"
#include "util.h"

/* Big enough to ride out a burst while the client writes its file. */
#define CAPTURE_RCVBUF (4 << 20)

static json_object *
capture_links(const struct topo_plan *p)
{
	json_object *a = json_object_new_array();
	char n[64], i[TOPO_IFNAMSIZ];

	for (int k = 0;
	     topo_capture_point(p, k, n, sizeof(n), i, sizeof(i)) == 0; k++)
		if (i[0] != '\0')
			json_object_array_add(a, json_object_new_string(n));
	return a;
}

/* An AF_PACKET socket on ifname, or -1 with err set. */
static int
capture_open(const char *ifname, char *err, size_t errlen)
{
	struct sockaddr_ll sll = {0};
	int fd, sz = CAPTURE_RCVBUF;

	if ((sll.sll_ifindex = (int)if_nametoindex(ifname)) == 0) {
		msgf(err, errlen, "interface %s: %s", ifname, strerror(errno));
		return -1;
	}
	/* protocol 0: nothing is queued before bind() narrows it to the
	 * one interface */
	if ((fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0)) == -1) {
		msgf(err, errlen, "packet socket: %s", strerror(errno));
		return -1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		msgf(err, errlen, "bind a packet socket to %s: %s", ifname,
		     strerror(errno));
		close(fd);
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	return fd;
}

void
sup_method_capture(struct rpc_req *req)
{
	json_object *params = rpc_params(req), *v, *r, *data;
	const char *name = "", *link = "";
	char ifname[TOPO_IFNAMSIZ], err[1024];
	struct run *run;
	int fd;

	if (json_object_object_get_ex(params, "name", &v))
		name = json_object_get_string(v);
	if (json_object_object_get_ex(params, "link", &v))
		link = json_object_get_string(v);
	if ((run = sup_run_find(name)) == NULL) {
		rpc_error(req, PROTO_E_NOT_FOUND, NULL,
			  "capture: no topology named \"%.64s\" (see `vrctl "
			  "status`)",
			  name);
		return;
	}
	if (run->state != RUN_RUNNING) {
		rpc_error(req, PROTO_E_BUSY, NULL,
			  "capture: %s is %s; try again once it runs", name,
			  sup_run_state(run));
		return;
	}
	if (topo_capture_find(run->plan, link, ifname, sizeof(ifname), err,
			      sizeof(err)) == -1) {
		data = json_object_new_object();
		json_object_object_add(data, "links", capture_links(run->plan));
		rpc_error(req, PROTO_E_NOT_FOUND, data, "capture: %s", err);
		return;
	}
	if ((fd = capture_open(ifname, err, sizeof(err))) == -1) {
		rpc_error(req, PROTO_E_NETSETUP, NULL, "capture: %s %s: %s",
			  name, link, err);
		return;
	}
	log_info("capture of %s %s (%s) for uid %ld pid %ld", name, link,
		 ifname, (long)rpc_peer_uid(req), (long)rpc_peer_pid(req));
	r = json_object_new_object();
	json_object_object_add(r, "name", json_object_new_string(name));
	json_object_object_add(r, "link", json_object_new_string(link));
	json_object_object_add(r, "interface", json_object_new_string(ifname));
	json_object_object_add(r, "linktype",
			       json_object_new_int(PCAP_LINKTYPE_ETHERNET));
	json_object_object_add(r, "snaplen", json_object_new_int(PCAP_SNAPLEN));
	rpc_reply_fd(req, r, fd);
	close(fd);
}
