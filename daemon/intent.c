/*
 * A start across hosts that never finished (issue 15): a vrouterd killed
 * while it deploys its part, or while it coordinates.  Before a host
 * makes anything of its part it writes STATE/NAME/part.json, and the
 * coordinator STATE/NAME/coord.json (the hosts it will ask) before it
 * asks any; both are synced, and removed when the start has finished or
 * been rolled back.  A vrouterd that starts and finds part.json, with no
 * start of NAME under way, removes what is tagged NAME's and runs no
 * topology (the same scan and removal as `vrctl cleanup`, sup_orphans.c;
 * adoption leaves NAME alone meanwhile): a part whose start never
 * answered success has been rolled back by its coordinator, so nothing of
 * it is wanted.  One that finds coord.json asks each host named in it to
 * stop NAME, unless the start had finished (state.json, no part.json);
 * a host that cannot be told stays in the record, logged, and is asked
 * again at the next start or reload, or when a new start of NAME is
 * asked for (coord.c, which refuses that start meanwhile).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "config.h"
#include "intent.h"
#include "log.h"
#include "names.h"
#include "nodekind.h"
#include "peer.h"
#include "proto.h"
#include "statedir.h"
#include "sup_run.h"
#include "util.h"

json_object *
intent_to_json(const struct intent *in)
{
	json_object *j = json_object_new_object(), *p;

	json_object_object_add(j, "format", json_object_new_int(1));
	json_object_object_add(j, "topology",
			       json_object_new_string(in->topology));
	json_object_object_add(j, "coordinator",
			       json_object_new_string(in->coordinator));
	json_object_object_add(j, "host", json_object_new_string(in->host));
	json_object_object_add(
	    j, "backend",
	    json_object_new_string(topo_backend_name(in->backend)));
	p = json_object_new_array();
	for (int i = 0; i < in->npeers; i++)
		json_object_array_add(p, json_object_new_string(in->peers[i]));
	json_object_object_add(j, "peers", p);
	json_object_object_add(j, "since", json_object_new_int64(in->since));
	return j;
}

/* The string field key of j into buf, a name of kind.  0 or -1 with err. */
static int
intent_name(json_object *j, const char *key, enum name_kind kind, char *buf,
	    size_t len, char *err, size_t errlen)
{
	json_object *v;

	if (!json_object_object_get_ex(j, key, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		msgf(err, errlen, "\"%s\" missing or not a string", key);
		return -1;
	}
	if (!name_ok(kind, json_object_get_string(v)) ||
	    vr_strlcpy(buf, json_object_get_string(v), len) >= len) {
		msgf(err, errlen,
		     "\"%s\": '%.64s' is not a name vrouterd gives", key,
		     json_object_get_string(v));
		return -1;
	}
	return 0;
}

int
intent_from_json(json_object *j, const char *dir, struct intent *in, char *err,
		 size_t errlen)
{
	json_object *v, *p;
	char be[16];
	int b;

	memset(in, 0, sizeof(*in));
	if (!json_object_is_type(j, json_type_object) ||
	    !json_object_object_get_ex(j, "format", &v) ||
	    json_object_get_int(v) != 1) {
		msgf(err, errlen, "not a record of format 1");
		return -1;
	}
	if (intent_name(j, "topology", NAME_INSTANCE, in->topology,
			sizeof(in->topology), err, errlen) == -1 ||
	    intent_name(j, "coordinator", NAME_HOST, in->coordinator,
			sizeof(in->coordinator), err, errlen) == -1 ||
	    intent_name(j, "host", NAME_HOST, in->host, sizeof(in->host), err,
			errlen) == -1)
		return -1;
	if (strcmp(in->topology, dir) != 0) {
		msgf(err, errlen,
		     "\"topology\": '%s' is not its directory's (%s)",
		     in->topology, dir);
		return -1;
	}
	if (!json_object_object_get_ex(j, "backend", &v) ||
	    vr_strlcpy(be, json_object_get_string(v), sizeof(be)) >=
		sizeof(be) ||
	    (b = topo_backend_parse(be)) == -1) {
		msgf(err, errlen, "\"backend\" missing or unknown");
		return -1;
	}
	in->backend = b;
	if (json_object_object_get_ex(j, "peers", &p)) {
		if (!json_object_is_type(p, json_type_array) ||
		    json_object_array_length(p) > TOPO_MAX_HOSTS) {
			msgf(err, errlen,
			     "\"peers\": not an array of at most %d hosts",
			     TOPO_MAX_HOSTS);
			return -1;
		}
		for (size_t i = 0; i < json_object_array_length(p); i++) {
			const char *s = json_object_get_string(
			    json_object_array_get_idx(p, i));

			if (!name_ok(NAME_HOST, s)) {
				msgf(err, errlen,
				     "\"peers\"[%zu]: '%.64s' is not a host "
				     "name",
				     i, s ? s : "");
				return -1;
			}
			vr_strlcpy(in->peers[in->npeers++], s,
				   sizeof(in->peers[0]));
		}
	}
	if (json_object_object_get_ex(j, "since", &v))
		in->since = json_object_get_int64(v);
	return 0;
}

/* The coordinations this vrouterd started (coord.c): their records are
 * not an earlier daemon's. */
struct intent_own {
	char name[TOPO_NAME_LEN + 1];
	struct intent_own *next;
};
static struct intent_own *owns;

static struct intent_own **
intent_own_find(const char *name)
{
	struct intent_own **pp;

	for (pp = &owns; *pp && strcmp((*pp)->name, name) != 0;
	     pp = &(*pp)->next)
		;
	return pp;
}

static void
intent_own_drop(const char *name)
{
	struct intent_own **pp = intent_own_find(name), *o;

	if ((o = *pp) != NULL) {
		*pp = o->next;
		free(o);
	}
}

int
intent_write(const char *file, const struct intent *in, char *err,
	     size_t errlen)
{
	json_object *j = intent_to_json(in);
	struct intent_own *o;
	int fd, rc;

	if (strcmp(file, INTENT_COORD) == 0 &&
	    *intent_own_find(in->topology) == NULL) {
		o = xcalloc(1, sizeof(*o));
		vr_strlcpy(o->name, in->topology, sizeof(o->name));
		o->next = owns;
		owns = o;
	}

	if ((fd = statedir_topo_open(in->topology, 1, err, errlen)) == -1) {
		json_object_put(j);
		return -1;
	}
	/* the file is synced by the write, its name by the directory's */
	rc = statedir_json_write(fd, file, j);
	if (rc == -1 || fsync(fd) == -1) {
		msgf(err, errlen, "%s/%s/%s: %s", statedir_path(), in->topology,
		     file, strerror(errno));
		rc = -1;
	}
	close(fd);
	json_object_put(j);
	return rc;
}

void
intent_clear(const char *name, const char *file)
{
	char err[512];
	int fd;

	if (strcmp(file, INTENT_COORD) == 0)
		intent_own_drop(name);
	if ((fd = statedir_topo_open(name, 0, err, sizeof(err))) == -1)
		return;
	if (unlinkat(fd, file, 0) == -1 && errno != ENOENT)
		log_warn("%s/%s/%s", statedir_path(), name, file);
	else
		(void)fsync(fd);
	close(fd);
}

void
intent_coord_release(const char *name)
{
	intent_own_drop(name);
}

/* Does STATE/NAME/file exist?  (-1: the directory is not ours.) */
static int
intent_exists(const char *name, const char *file)
{
	char err[512];
	int fd, rc;

	if ((fd = statedir_topo_open(name, 0, err, sizeof(err))) == -1)
		return errno == ENOENT ? 0 : -1;
	rc = faccessat(fd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	close(fd);
	return rc;
}

int
intent_part_pending(const char *name)
{
	return intent_exists(name, INTENT_PART) == 1;
}

/* STATE/NAME/file as a record: 1, 0 when absent, -1 unreadable (logged). */
static int
intent_read(const char *name, const char *file, struct intent *in)
{
	char err[512];
	json_object *j;
	int fd, rc;

	if ((fd = statedir_topo_open(name, 0, err, sizeof(err))) == -1)
		return errno == ENOENT ? 0 : -1;
	j = statedir_json_read(fd, file, err, sizeof(err));
	close(fd);
	if (j == NULL) {
		if (err[0] == '\0')
			return 0;
		log_warnx("%s/%s/%s: %s: not acted on", statedir_path(), name,
			  file, err);
		return -1;
	}
	rc = intent_from_json(j, name, in, err, sizeof(err));
	json_object_put(j);
	if (rc == -1) {
		log_warnx("%s/%s/%s: %s: not acted on", statedir_path(), name,
			  file, err);
		return -1;
	}
	return 1;
}

/* ---- this host's parts ---------------------------------------------------
 */

static void
intent_reap_part(const struct intent *in)
{
	json_object *removed = NULL;
	char err[2048];
	size_t n;

	log_warnx("%s: its part (coordinator %s) was being started when "
		  "vrouterd stopped: removing what it made",
		  in->topology, in->coordinator);
	if (sup_orphans_remove(in->topology, &removed, err, sizeof(err)) ==
	    -1) {
		log_warnx("%s: the part of an unfinished start is not all "
			  "removed: %s (the record stays; `vrctl cleanup` "
			  "after you have dealt with it)",
			  in->topology, err);
		json_object_put(removed);
		return;
	}
	n = json_object_array_length(removed);
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(removed, i);

		log_info(
		    "%s: removed %s %s", in->topology,
		    json_object_get_string(json_object_object_get(o, "kind")),
		    json_object_get_string(json_object_object_get(o, "name")));
	}
	json_object_put(removed);
	/* a plan or state saved just before the kill is not of a run */
	intent_clear(in->topology, "plan.json");
	intent_clear(in->topology, "state.json");
	intent_clear(in->topology, INTENT_PART);
	statedir_topo_rmdir(in->topology);
	log_info("%s: the unfinished part is gone (%zu object%s removed)",
		 in->topology, n, n == 1 ? "" : "s");
	sup_orphans_gen++;
}

void
intent_reap_parts(int libvirt)
{
	struct dirent *e;
	struct intent in;
	DIR *d;

	if ((d = statedir_list()) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !name_ok(NAME_INSTANCE, e->d_name) ||
		    sup_run_find(e->d_name) != NULL || /* a start under way */
		    intent_read(e->d_name, INTENT_PART, &in) != 1)
			continue;
		if (node_kind_get(in.backend)->on_libvirt && !libvirt) {
			log_info("%s: an unfinished part, removed once libvirt "
				 "answers",
				 in.topology);
			continue;
		}
		intent_reap_part(&in);
	}
	closedir(d);
}

/* ---- the coordinator's --------------------------------------------------- */

/* A host still starting its part is asked again this often, this many
 * times (a start may take its whole timeout). */
#define INTENT_BUSY_RETRY_S 2
#define INTENT_BUSY_RETRIES 900

struct intent_coord {
	struct intent in;
	struct peer *peer;
	struct event *retry; /* the host was busy starting it */
	int busy;	     /* times */
	int i;
	char left[TOPO_MAX_HOSTS][TOPO_HOST_LEN + 1];
	int nleft;
	struct intent_coord *next;
};

static struct intent_coord *coords; /* under way */

int
intent_coord_busy(const char *name)
{
	for (struct intent_coord *c = coords; c; c = c->next)
		if (strcmp(c->in.topology, name) == 0)
			return 1;
	return 0;
}

int
intent_coord_kept(const char *name, struct intent *in)
{
	return *intent_own_find(name) == NULL &&
	       intent_read(name, INTENT_COORD, in) == 1;
}

static void intent_coord_next(struct intent_coord *c);

/* Host i could not be told (why): it stays in the record. */
static void
intent_coord_left(struct intent_coord *c, const char *why)
{
	log_warnx("%s: host %s keeps its part of a start that never "
		  "finished: %s; asked again when this vrouterd starts or "
		  "reloads (or `vrctl stop %s` on host %s)",
		  c->in.topology, c->in.peers[c->i], why, c->in.topology,
		  c->in.peers[c->i]);
	vr_strlcpy(c->left[c->nleft++], c->in.peers[c->i], sizeof(c->left[0]));
}

static void
intent_coord_done(json_object *result, json_object *error, const char *fail,
		  void *arg)
{
	struct intent_coord *c = arg;
	json_object *v = NULL, *m = NULL;
	char why[1024];

	(void)result;
	if (error != NULL) {
		json_object_object_get_ex(error, "code", &v);
		json_object_object_get_ex(error, "message", &m);
	}
	peer_close(c->peer);
	c->peer = NULL;
	if (fail == NULL && error != NULL &&
	    json_object_get_int(v) == PROTO_E_BUSY &&
	    c->busy++ < INTENT_BUSY_RETRIES && !sup_closing) {
		/* still starting the part the dead coordinator asked for */
		struct timeval tv = {INTENT_BUSY_RETRY_S, 0};

		if (c->busy == 1)
			log_info("%s: host %s is busy (%s): asking again every "
				 "%d s",
				 c->in.topology, c->in.peers[c->i],
				 m ? json_object_get_string(m) : "?",
				 INTENT_BUSY_RETRY_S);
		evtimer_add(c->retry, &tv);
		return;
	}
	c->busy = 0;
	if (fail != NULL)
		intent_coord_left(c, fail);
	else if (error != NULL && json_object_get_int(v) != PROTO_E_NOT_FOUND) {
		msgf(why, sizeof(why), "its vrouterd refused: %s",
		     m ? json_object_get_string(m) : "?");
		intent_coord_left(c, why);
	} else
		log_info("%s: host %s: its part of a start that never finished "
			 "is %s",
			 c->in.topology, c->in.peers[c->i],
			 error ? "not there (nothing to stop)" : "stopped");
	c->i++;
	intent_coord_next(c);
}

static void
intent_coord_end(struct intent_coord *c)
{
	struct intent_coord **pp;
	char err[1024];

	for (pp = &coords; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	if (c->nleft == 0) {
		intent_clear(c->in.topology, INTENT_COORD);
		statedir_topo_rmdir(c->in.topology);
		log_info("%s: the other hosts' parts of the unfinished start "
			 "are gone",
			 c->in.topology);
	} else {
		c->in.npeers = c->nleft;
		memcpy(c->in.peers, c->left, sizeof(c->left));
		if (intent_write(INTENT_COORD, &c->in, err, sizeof(err)) == -1)
			log_warnx("%s", err);
		intent_own_drop(c->in.topology); /* still an earlier one's */
	}
	event_free(c->retry);
	free(c);
}

static void
intent_coord_next(struct intent_coord *c)
{
	const struct config_host *h;
	json_object *p;
	char err[1024];

	for (; c->i < c->in.npeers; c->i++) {
		if ((h = config_host_find(conf, c->in.peers[c->i])) == NULL) {
			intent_coord_left(c, "not in this vrouterd's `hosts`");
			continue;
		}
		if ((c->peer = peer_open(h, err, sizeof(err))) == NULL) {
			intent_coord_left(c, err);
			continue;
		}
		log_info("%s: asking host %s to stop its part (a start this "
			 "host coordinated never finished)",
			 c->in.topology, c->in.peers[c->i]);
		p = json_object_new_object();
		json_object_object_add(p, "name",
				       json_object_new_string(c->in.topology));
		(void)peer_call(c->peer, METHOD_STOP, p,
				conf->peer_timeout + 120, intent_coord_done, c);
		return;
	}
	intent_coord_end(c);
}

static void
intent_coord_again(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	intent_coord_next(arg);
}

json_object *
intent_coord_pending(void)
{
	json_object *a = json_object_new_array(), *o, *hs;
	struct dirent *e;
	struct intent in;
	DIR *d;

	if ((d = statedir_list()) == NULL)
		return a;
	while ((e = readdir(d)) != NULL) {
		/* those intent_reap_coord would ask (or asks now) */
		if (e->d_name[0] == '.' || !name_ok(NAME_INSTANCE, e->d_name) ||
		    *intent_own_find(e->d_name) != NULL ||
		    intent_read(e->d_name, INTENT_COORD, &in) != 1 ||
		    sup_run_find(in.topology) != NULL)
			continue;
		o = json_object_new_object();
		hs = json_object_new_array();
		for (int i = 0; i < in.npeers; i++)
			json_object_array_add(
			    hs, json_object_new_string(in.peers[i]));
		json_object_object_add(o, "topology",
				       json_object_new_string(in.topology));
		json_object_object_add(o, "hosts", hs);
		json_object_object_add(o, "since",
				       json_object_new_int64(in.since));
		json_object_object_add(
		    o, "asking",
		    json_object_new_boolean(intent_coord_busy(in.topology)));
		json_object_array_add(a, o);
	}
	closedir(d);
	return a;
}

void
intent_reap_coord(void)
{
	struct intent_coord *c;
	struct dirent *e;
	struct intent in;
	DIR *d;

	if ((d = statedir_list()) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !name_ok(NAME_INSTANCE, e->d_name) ||
		    intent_coord_busy(e->d_name) ||
		    *intent_own_find(e->d_name) != NULL || /* ours */
		    intent_read(e->d_name, INTENT_COORD, &in) != 1)
			continue;
		/* a start under way here, or one that finished: its own
		 * part (the last) started and was recorded */
		if (sup_run_find(in.topology) != NULL ||
		    (intent_exists(in.topology, "state.json") == 1 &&
		     !intent_part_pending(in.topology))) {
			log_info("%s: the start this host coordinated had "
				 "finished: its record goes",
				 in.topology);
			intent_clear(in.topology, INTENT_COORD);
			continue;
		}
		log_warnx("%s: a start this host coordinated never finished: "
			  "asking host%s %s%s to stop their part",
			  in.topology, in.npeers > 1 ? "s" : "",
			  in.npeers ? in.peers[0] : "(none)",
			  in.npeers > 1 ? ", ..." : "");
		c = xcalloc(1, sizeof(*c));
		c->in = in;
		c->retry = evtimer_new(sup_base, intent_coord_again, c);
		c->next = coords;
		coords = c;
		intent_coord_next(c);
	}
	closedir(d);
}
