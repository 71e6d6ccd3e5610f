#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adopt.h"
#include "hosted.h"
#include "jtext.h"
#include "log.h"
#include "netsetup.h"
#include "statedir.h"
#include "util.h"
#include "vm.h"

char *
adopt_xml_text(const char *xml, const char *tag)
{
	char open1[64], open2[64];
	const char *p, *end;
	char *out, *o;

	snprintf(open1, sizeof(open1), "<%s>", tag);
	snprintf(open2, sizeof(open2), ":%s>", tag);
	if ((p = strstr(xml, open1)) != NULL)
		p += strlen(open1);
	else if ((p = strstr(xml, open2)) != NULL)
		p += strlen(open2);
	else
		return NULL;
	if ((end = strstr(p, "</")) == NULL)
		return NULL;
	out = o = xmalloc(end - p + 1);
	while (p < end) {
		static const struct {
			const char *ent;
			char c;
		} ents[] = {{"&lt;", '<'},
			    {"&gt;", '>'},
			    {"&amp;", '&'},
			    {"&quot;", '"'},
			    {"&apos;", '\''}};
		size_t i;

		if (*p != '&') {
			*o++ = *p++;
			continue;
		}
		for (i = 0; i < nitems(ents); i++)
			if (strncmp(p, ents[i].ent, strlen(ents[i].ent)) == 0)
				break;
		if (i < nitems(ents)) {
			*o++ = ents[i].c;
			p += strlen(ents[i].ent);
		} else if (p[1] == '#') {
			char *e;
			long c = p[2] == 'x' ? strtol(p + 3, &e, 16)
					     : strtol(p + 2, &e, 10);
			if (*e != ';' || c <= 0 || c > 127) {
				free(out);
				return NULL; /* we only ever write ASCII */
			}
			*o++ = (char)c;
			p = e + 1;
		} else {
			free(out);
			return NULL;
		}
	}
	*o = '\0';
	return out;
}

static void
orphan_add(json_object *orphans, const char *kind, const char *name,
	   const char *topology, const char *why)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "name", json_object_new_string(name));
	if (topology)
		json_object_object_add(o, "topology",
				       json_object_new_string(topology));
	if (why)
		json_object_object_add(o, "reason",
				       json_object_new_string(why));
	json_object_array_add(orphans, o);
}

static struct adopted *
adopted_find(struct adopted *a, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(a[i].plan->opts.name, name) == 0)
			return &a[i];
	return NULL;
}

/* The plan in domain's metadata must be of the topology the metadata
 * names and list the domain among its nodes: a plan copied into another
 * domain's metadata does not make that domain's neighbours ours. */
static int
plan_owns_domain(const struct topo_plan *p, const char *domain,
		 const char *metadata, char *err, size_t errlen)
{
	char *topo = adopt_xml_text(metadata, "name");
	int rc = -1;

	if (topo == NULL || strcmp(topo, p->opts.name) != 0)
		msgf(err, errlen,
		     "its plan is of topology '%s', its metadata names '%s'",
		     p->opts.name, topo ? topo : "");
	else {
		for (int n = 0; n < p->nnodes; n++)
			if (strcmp(p->nodes[n].domain, domain) == 0)
				rc = 0;
		if (rc == -1)
			msgf(err, errlen, "its plan does not list it");
	}
	free(topo);
	return rc;
}

/* The domain runs here for another host's topology (it migrated in,
 * hosted.h): neither ours to adopt nor an orphan. */
static int
adopt_hosted(const struct topo_plan *p, const char *domain)
{
	char coord[64];

	for (int n = 0; n < p->nnodes; n++)
		if (strcmp(p->nodes[n].domain, domain) == 0 &&
		    hosted_find(p->opts.name, p->nodes[n].name, coord,
				sizeof(coord))) {
			log_debug("domain %s: hosted for %s (topology %s)",
				  domain, coord, p->opts.name);
			return 1;
		}
	return 0;
}

/* The topologies of the state directory whose every node runs on another
 * host (migrate.c): no domain here holds their plan, their state.json
 * does ("plan", with "hosts" naming each node's host).  Added to a (na
 * of them, room for cap) unless a domain brought them already. */
static int
adopt_scan_away(struct adopted **a, int na, int cap)
{
	struct dirent *de;
	DIR *d;

	if ((d = statedir_list()) == NULL)
		return na;
	while ((de = readdir(d)) != NULL) {
		json_object *st, *pj, *hosts, *v;
		struct topo_plan *p;
		char err[512];
		int n;

		if (de->d_name[0] == '.' ||
		    topo_name_check(de->d_name, NULL, 0) == -1 ||
		    adopted_find(*a, na, de->d_name) != NULL ||
		    (st = adopt_state_read(de->d_name)) == NULL)
			continue;
		p = xcalloc(1, sizeof(*p));
		if (!json_object_object_get_ex(st, "plan", &pj) ||
		    !json_object_object_get_ex(st, "hosts", &hosts) ||
		    topo_plan_from_json(pj, p, err, sizeof(err)) == -1 ||
		    strcmp(p->opts.name, de->d_name) != 0)
			n = -1;
		else
			for (n = 0; n < p->nnodes; n++)
				if (!json_object_object_get_ex(
					hosts, p->nodes[n].name, &v))
					break;
		json_object_put(st);
		if (n != p->nnodes) {
			topo_plan_free(p);
			free(p);
			continue;
		}
		if (na == cap) {
			cap = cap ? cap * 2 : 4;
			*a = xreallocarray(*a, cap, sizeof(**a));
		}
		(*a)[na] = (struct adopted){.plan = p};
		na++;
	}
	closedir(d);
	return na;
}

int
adopt_scan(struct adopted **out, json_object *orphans)
{
	struct vm_domain *d = NULL;
	struct adopted *a = NULL;
	int nd, na = 0;

	*out = NULL;
	if ((nd = vm_list_ours(&d)) < 0)
		return -1;
	a = xcalloc(nd + 1, sizeof(*a));
	for (int i = 0; i < nd; i++) {
		char *text = adopt_xml_text(d[i].metadata, "plan"), err[512];
		struct topo_plan *p = xcalloc(1, sizeof(*p));
		json_object *j = NULL;
		struct adopted *ad;

		/* anyone who may define domains can write this: jtext */
		if (text != NULL)
			j = jtext_parse("its plan metadata", text, strlen(text),
					err, sizeof(err));
		else
			msgf(err, sizeof(err), "no readable plan");
		free(text);
		if (j == NULL ||
		    topo_plan_from_json(j, p, err, sizeof(err)) == -1 ||
		    plan_owns_domain(p, d[i].name, d[i].metadata, err,
				     sizeof(err)) == -1) {
			log_warnx("domain %s: cannot adopt: %s", d[i].name,
				  err);
			char *topo = adopt_xml_text(d[i].metadata, "name");

			/* the topology its metadata names, when it names one:
			 * its cpusets stay (sup_adopt_reap) */
			orphan_add(orphans, "domain", d[i].name, topo, err);
			free(topo);
			json_object_put(j);
			topo_plan_free(p);
			free(p);
			continue;
		}
		json_object_put(j);
		if (adopt_hosted(p, d[i].name)) {
			topo_plan_free(p);
			free(p);
			continue;
		}
		if ((ad = adopted_find(a, na, p->opts.name)) == NULL) {
			ad = &a[na++];
			ad->plan = p;
		} else {
			topo_plan_free(p);
			free(p);
		}
		ad->ndomains++;
		ad->nactive += d[i].active;
	}
	vm_domains_free(d, nd);
	na = adopt_scan_away(&a, na, nd + 1);
	*out = a;
	return na;
}

void
adopt_free(struct adopted *a, int n)
{
	if (a == NULL)
		return;
	for (int i = 0; i < n; i++) {
		topo_plan_free(a[i].plan);
		free(a[i].plan);
	}
	free(a);
}

static int
name_known(const char *const *names, const char *name, size_t len)
{
	for (int i = 0; names && names[i]; i++)
		if (strlen(names[i]) == len &&
		    strncmp(names[i], name, len) == 0)
			return 1;
	return 0;
}

struct orphan_walk {
	const char *const *names;
	json_object *orphans;
};

static void
orphan_link(const char *name, const char *alias, void *arg)
{
	struct orphan_walk *w = arg;
	const char *t = alias + strlen(TOPO_ALIAS_PREFIX), *colon;
	char topo[TOPO_NAME_LEN + 1];
	size_t len;

	if ((colon = strchr(t, ':')) == NULL)
		return;
	len = colon - t;
	if (name_known(w->names, t, len))
		return;
	snprintf(topo, sizeof(topo), "%.*s", (int)len, t);
	orphan_add(w->orphans, "link", name, topo, "tagged by vrouterd");
}

/*
 * A namespace is vrouterd's when its lo carries a tag "vrouterd:TOPO:..."
 * (netsetup/netns.c); the topology is the tag's, not a guess from the
 * name.  An untagged "vr-" namespace was not made by vrouterd (or by one
 * before namespaces were tagged): it is no orphan of ours, and left alone.
 */
static void
orphan_netns(const char *name, void *arg)
{
	struct orphan_walk *w = arg;
	char tag[256], err[512], topo[TOPO_NAME_LEN + 1];
	const char *t, *colon;

	if (netns_get_tag(name, tag, sizeof(tag), err, sizeof(err)) == -1) {
		log_debug("netns %s: %s: not vrouterd's", name, err);
		return;
	}
	if (!netns_tag_ok(tag, TOPO_ALIAS_PREFIX)) {
		log_debug("netns %s: untagged: not vrouterd's", name);
		return;
	}
	t = tag + strlen(TOPO_ALIAS_PREFIX);
	if ((colon = strchr(t, ':')) == NULL ||
	    (size_t)(colon - t) > TOPO_NAME_LEN ||
	    name_known(w->names, t, colon - t))
		return;
	snprintf(topo, sizeof(topo), "%.*s", (int)(colon - t), t);
	orphan_add(w->orphans, "netns", name, topo, "tagged by vrouterd");
}

void
adopt_orphans(const char *const *names, json_object *orphans)
{
	struct orphan_walk w = {names, orphans};
	struct ns_ctx *ns;
	char err[256];

	if ((ns = ns_open(NULL, err, sizeof(err))) != NULL) {
		nl_link_foreach_tagged(ns, TOPO_ALIAS_PREFIX, orphan_link, &w);
		ns_close(ns);
	}
	netns_list(TOPO_IF_PREFIX, orphan_netns, &w);
}

int
adopt_cleanup(json_object *orphans, char *err, size_t errlen)
{
	struct ns_ctx *ns;
	char e[512], prefix[64];
	size_t off = 0;
	int rc = 0;

	if (errlen)
		err[0] = '\0';
	ns = ns_open(NULL, e, sizeof(e));
	for (size_t i = 0; i < json_object_array_length(orphans); i++) {
		json_object *o = json_object_array_get_idx(orphans, i), *v;
		const char *kind = "", *name = "", *topo = "";
		int r = 0;

		if (json_object_object_get_ex(o, "kind", &v))
			kind = json_object_get_string(v);
		if (json_object_object_get_ex(o, "name", &v))
			name = json_object_get_string(v);
		if (json_object_object_get_ex(o, "topology", &v))
			topo = json_object_get_string(v);
		e[0] = '\0';
		if (strcmp(kind, "domain") == 0)
			r = vm_destroy(name, topo[0] ? topo : NULL, e,
				       sizeof(e));
		else if (strcmp(kind, "netns") == 0) {
			snprintf(prefix, sizeof(prefix),
				 "%s%s:", TOPO_ALIAS_PREFIX, topo);
			r = netns_delete(name, prefix, 1, e, sizeof(e));
		} else if (strcmp(kind, "link") == 0 && ns) {
			snprintf(prefix, sizeof(prefix),
				 "%s%s:", TOPO_ALIAS_PREFIX, topo);
			if ((r = nl_link_del(ns, name, prefix, 1)) == -1)
				msgf(e, sizeof(e), "%s", ns_error(ns));
		}
		if (r == -1) {
			rc = -1;
			if (off < errlen)
				off += snprintf(err + off, errlen - off, "%s%s",
						off ? "; " : "", e);
		}
	}
	if (ns)
		ns_close(ns);
	return rc;
}

int
adopt_state_write(const char *name, json_object *state)
{
	char err[512];
	int fd, rc, saved;

	if ((fd = statedir_topo_open(name, 0, err, sizeof(err))) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	rc = statedir_json_write(fd, "state.json", state);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

json_object *
adopt_state_read(const char *name)
{
	char err[512];
	json_object *j;
	int fd;

	if ((fd = statedir_topo_open(name, 0, err, sizeof(err))) == -1) {
		if (errno != ENOENT)
			log_warnx("%s; its state is not read", err);
		return NULL;
	}
	if ((j = statedir_json_read(fd, "state.json", err, sizeof(err))) ==
		NULL &&
	    err[0])
		log_warnx("%s/%s/state.json: %s; not read", statedir_path(),
			  name, err);
	close(fd);
	return j;
}
