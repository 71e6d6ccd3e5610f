/*
 * `hosts` (docs/protocol.md): one entry for this host, then one per
 * configured host, in the configuration's order.  Each peer is asked, in
 * parallel, over its own connection (peer.c): first `hosts` with
 * {"local": true} (its own entry: name, version, CPUs, NUMA nodes), whose
 * wait is reported as connect_ms (ssh's set-up included), then `version`,
 * whose wait is rtt_ms, the round trip of a call through the established
 * connection.  Either failing makes the host unreachable with the
 * transport's message; the answer goes out when every peer has answered or
 * failed (each bounded by peer_timeout).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "hosts.h"
#include "log.h"
#include "methods.h"
#include "peer.h"
#include "util.h"
#include "vr_build.h"

struct hosts_op;

struct hosts_peer {
	struct hosts_op *hp_op;
	struct peer *hp_peer;
	json_object *hp_entry; /* borrowed from the op's list */
	double hp_t0;	       /* ms, when the current call went out */
	int hp_done;
};

struct hosts_op {
	struct rpc_req *ho_req;
	json_object *ho_list;
	int ho_pending;
	int ho_npeers;
	struct hosts_peer ho_peers[CONFIG_MAX_HOSTS];
};

static double
hosts_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ms with two decimals, printed as such (json-c would print 79.74 as
 * 79.739999999999995). */
static json_object *
hosts_ms(double ms)
{
	char s[32];

	snprintf(s, sizeof(s), "%.2f", ms);
	return json_object_new_double_s(strtod(s, NULL), s);
}

/* This host's entry, as a peer reports itself. */
static json_object *
hosts_self(void)
{
	const struct hostinfo *h = methods_host();
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name",
			       json_object_new_string(conf->host_name));
	json_object_object_add(o, "self", json_object_new_boolean(1));
	json_object_object_add(o, "reachable", json_object_new_boolean(1));
	json_object_object_add(o, "version",
			       json_object_new_string(VROUTERD_VERSION));
	json_object_object_add(o, "protocol",
			       json_object_new_int(PROTO_VERSION));
	json_object_object_add(o, "cpus",
			       h ? json_object_new_int(h->ncpus) : NULL);
	json_object_object_add(o, "numa_nodes",
			       h ? json_object_new_int(h->nnuma) : NULL);
	json_object_object_add(o, "libvirt_uri",
			       json_object_new_string(conf->libvirt_uri));
	return o;
}

static void
hosts_answer(struct hosts_op *op)
{
	json_object *r = json_object_new_object();

	for (int i = 0; i < op->ho_npeers; i++)
		peer_close(op->ho_peers[i].hp_peer); /* NULL: never opened */
	json_object_object_add(r, "host_name",
			       json_object_new_string(conf->host_name));
	json_object_object_add(r, "hosts", op->ho_list);
	rpc_reply(op->ho_req, r);
	free(op);
}

/* The end of one peer: reachable or not, said in its entry. */
static void
hosts_peer_done(struct hosts_peer *hp, const char *fail)
{
	struct hosts_op *op = hp->hp_op;

	json_object_object_add(hp->hp_entry, "reachable",
			       json_object_new_boolean(fail == NULL));
	if (fail != NULL)
		json_object_object_add(hp->hp_entry, "error",
				       json_object_new_string(fail));
	hp->hp_done = 1;
	if (--op->ho_pending == 0)
		hosts_answer(op);
}

/* A JSON-RPC error from the peer as a message naming it. */
static void
hosts_peer_error(struct hosts_peer *hp, json_object *error)
{
	json_object *m = NULL;
	char msg[1024];

	json_object_object_get_ex(error, "message", &m);
	snprintf(msg, sizeof(msg), "host %s: its vrouterd refused: %s",
		 json_object_get_string(
		     json_object_object_get(hp->hp_entry, "name")),
		 m ? json_object_get_string(m) : "(no message)");
	hosts_peer_done(hp, msg);
}

static void
hosts_rtt_done(json_object *result, json_object *error, const char *fail,
	       void *arg)
{
	struct hosts_peer *hp = arg;

	(void)result;
	if (fail != NULL) {
		hosts_peer_done(hp, fail);
		return;
	}
	if (error != NULL) {
		hosts_peer_error(hp, error);
		return;
	}
	json_object_object_add(hp->hp_entry, "rtt_ms",
			       hosts_ms(hosts_now_ms() - hp->hp_t0));
	hosts_peer_done(hp, NULL);
}

/* Copy the peer's own facts into our entry for it. */
static void
hosts_copy_facts(json_object *entry, json_object *result)
{
	static const char *const keys[] = {"version", "protocol", "cpus",
					   "numa_nodes"};
	json_object *list = NULL, *self, *v;

	if (!json_object_object_get_ex(result, "hosts", &list) ||
	    !json_object_is_type(list, json_type_array) ||
	    json_object_array_length(list) < 1)
		return;
	self = json_object_array_get_idx(list, 0);
	for (size_t i = 0; i < nitems(keys); i++)
		if (json_object_object_get_ex(self, keys[i], &v))
			json_object_object_add(entry, keys[i],
					       json_object_get(v));
	if (json_object_object_get_ex(self, "name", &v))
		json_object_object_add(entry, "remote_name",
				       json_object_get(v));
}

static void
hosts_facts_done(json_object *result, json_object *error, const char *fail,
		 void *arg)
{
	struct hosts_peer *hp = arg;

	if (fail != NULL) {
		hosts_peer_done(hp, fail);
		return;
	}
	if (error != NULL) {
		hosts_peer_error(hp, error);
		return;
	}
	json_object_object_add(hp->hp_entry, "connect_ms",
			       hosts_ms(hosts_now_ms() - hp->hp_t0));
	hosts_copy_facts(hp->hp_entry, result);
	hp->hp_t0 = hosts_now_ms();
	(void)peer_call(hp->hp_peer, METHOD_VERSION, NULL, conf->peer_timeout,
			hosts_rtt_done, hp);
}

static json_object *
hosts_entry(const struct config_host *h)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(h->name));
	json_object_object_add(o, "self", json_object_new_boolean(0));
	json_object_object_add(o, "ssh", json_object_new_string(h->ssh));
	json_object_object_add(o, "socket", json_object_new_string(h->socket));
	json_object_object_add(o, "libvirt_uri",
			       json_object_new_string(h->libvirt_uri));
	json_object_object_add(o, "tunnel_address",
			       json_object_new_string(h->tunnel_address));
	json_object_object_add(o, "tunnel_mtu",
			       json_object_new_int(h->tunnel_mtu));
	return o;
}

void
hosts_method(struct rpc_req *req)
{
	struct hosts_op *op;
	json_object *local = NULL, *params = rpc_params(req);
	char err[1024];

	op = xcalloc(1, sizeof(*op));
	op->ho_req = req;
	op->ho_list = json_object_new_array();
	json_object_array_add(op->ho_list, hosts_self());
	if (json_object_object_get_ex(params, "local", &local) &&
	    json_object_get_boolean(local)) {
		hosts_answer(op);
		return;
	}
	/* every entry first: a peer failing at once must not answer early */
	op->ho_npeers = conf->nhosts;
	op->ho_pending = conf->nhosts + 1;
	for (int i = 0; i < conf->nhosts; i++) {
		struct hosts_peer *hp = &op->ho_peers[i];

		hp->hp_op = op;
		hp->hp_entry = hosts_entry(&conf->hosts[i]);
		json_object_array_add(op->ho_list, hp->hp_entry);
	}
	for (int i = 0; i < op->ho_npeers; i++) {
		struct hosts_peer *hp = &op->ho_peers[i];

		hp->hp_t0 = hosts_now_ms();
		if ((hp->hp_peer = peer_open(&conf->hosts[i], err,
					     sizeof(err))) == NULL) {
			hosts_peer_done(hp, err);
			continue;
		}
		json_object *p = json_object_new_object();
		json_object_object_add(p, "local", json_object_new_boolean(1));
		(void)peer_call(hp->hp_peer, METHOD_HOSTS, p,
				conf->peer_timeout, hosts_facts_done, hp);
	}
	if (--op->ho_pending == 0) /* the loop's own hold */
		hosts_answer(op);
}
