/*
 * Taking a topology down: everything its plan names is removed, skipping
 * what is absent and refusing what is not vrouterd's, with the waits
 * overlapped (see below).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deadline.h"
#include "deploy.h"
#include "deploy_int.h"
#include "log.h"
#include "netsetup.h"
#include "nodekind.h"
#include "util.h"

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
	const char *prefix; /* links: the alias prefix; NULL: nodes */
	const char *owner;  /* nodes: the topology they must belong to */
	int (*destroy)(const char *name, const char *owner, char *err,
		       size_t errlen); /* nodes: the kind's */
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
			t->rc = tp->destroy(t->name, tp->owner, t->err,
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
	int left = 0,
	    with_node = node_kind_get(p->opts.backend)->links_go_with_node;

	for (int n = 0; n < p->nnodes && with_node; n++)
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
void
deploy_teardown_netns(const char *name, const char *prefix, char *err,
		      size_t errlen, size_t *off)
{
	char e[512];

	if (name[0] == '\0' || netns_delete(name, prefix, 1, e, sizeof(e)) == 0)
		return;
	if (*off < errlen)
		*off += snprintf(err + *off, errlen - *off, "%s%s",
				 *off ? "; " : "", e);
}

int
deploy_teardown_nodes(const char *const *names, int n, const char *owner,
		      int (*destroy)(const char *, const char *, char *,
				     size_t),
		      char *err, size_t errlen)
{
	struct teardown_pool tp = {0};
	int rc;

	tp.it = xcalloc(n > 0 ? n : 1, sizeof(*tp.it));
	for (int i = 0; i < n; i++)
		tp.it[i].name = names[i];
	tp.n = n;
	tp.owner = owner;
	tp.destroy = destroy;
	rc = teardown_run(&tp, n, err, errlen);
	free(tp.it);
	return rc;
}

int
deploy_teardown(const struct topo_plan *p, char *err, size_t errlen)
{
	struct teardown_pool tp = {0};
	struct teardown_item *it;
	char e[512], prefix[64];
	size_t off;
	size_t nit = p->nnodes * (TOPO_MAX_IFS + 1) + p->splitter.nifs +
		     2 * p->nsegments + 6;
	char vx[TOPO_MAX_NETS][TOPO_IFNAMSIZ];
	int n = 0, rc = 0;

	if (errlen)
		err[0] = '\0';
	deploy_alias_prefix(p, prefix, sizeof(prefix));
	it = xcalloc(nit, sizeof(*it));
	tp.it = it;
	/* the nodes first, by their kind (a netns topology needs no libvirt,
	 * not even to stop it) */
	if (node_kind_get(p->opts.backend)->teardown(p, prefix, err, errlen) ==
	    -1)
		rc = -1;
	off = strlen(err);
	deploy_teardown_netns(p->splitter.netns, prefix, err, errlen, &off);
	for (int i = 0; i < 2; i++)
		deploy_teardown_netns(p->ports[i].netns, prefix, err, errlen,
				      &off);
	if (off > 0)
		rc = -1;
	teardown_wait_links(p, e, sizeof(e));
	memset(it, 0, nit * sizeof(*it));
	for (int i = 0; i < p->nnodes; i++)
		for (int k = 0; k < p->nodes[i].nifs; k++)
			it[n++].name = p->nodes[i].ifs[k].host_if;
	for (int k = 0; k < p->splitter.nifs; k++)
		it[n++].name = p->splitter.ifs[k].host_if;
	for (int i = 0; i < p->nsegments; i++) {
		if (p->segments[i].bridge[0] == '\0')
			continue; /* on other hosts only (part.c) */
		it[n++].name = p->segments[i].bridge;
		deploy_vxlan_name(p->segments[i].bridge, vx[i], sizeof(vx[i]));
		it[n++].name = vx[i];
	}
	for (int i = 0; i < 2; i++) {
		if (p->ports[i].bridge[0]) {
			it[n++].name = p->ports[i].bridge;
			deploy_vxlan_name(p->ports[i].bridge,
					  vx[TOPO_MAX_SEGMENTS + i],
					  sizeof(vx[0]));
			it[n++].name = vx[TOPO_MAX_SEGMENTS + i];
		}
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
