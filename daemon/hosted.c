/*
 * The record of the nodes this host runs for another host's topology
 * (hosted.h): STATE/NAME/hosted.json, {"coordinator": HOST, "nodes":
 * [NODE...], "incoming": [NODE...]}, written by migrate_prepare before
 * a domain comes (the node "incoming"), confirmed by migrate_finish when
 * it arrived and rewritten by migrate_abort when it goes.  adopt.c reads
 * it so that such a domain is neither adopted nor an orphan; status lists
 * it.  One lock serialises every read-modify-write: the peer-facing
 * methods run on worker threads, two homes' calls at once.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hosted.h"
#include "statedir.h"
#include "util.h"

static pthread_mutex_t hosted_lock = PTHREAD_MUTEX_INITIALIZER;

/* STATE/NAME/hosted.json, or NULL (absent, unreadable: not hosted). */
static json_object *
hosted_read(const char *name, int *dirfd, int create)
{
	char err[512];
	json_object *j, *v;
	int fd;

	if ((fd = statedir_topo_open(name, create, err, sizeof(err))) == -1)
		return NULL;
	j = statedir_json_read(fd, HOSTED_FILE, err, sizeof(err));
	if (j != NULL && (!json_object_object_get_ex(j, "nodes", &v) ||
			  !json_object_is_type(v, json_type_array))) {
		json_object_put(j);
		j = NULL;
	}
	if (dirfd)
		*dirfd = fd;
	else
		close(fd);
	return j;
}

static int
hosted_index_in(json_object *j, const char *key, const char *node)
{
	json_object *a = NULL;

	if (!json_object_object_get_ex(j, key, &a) ||
	    !json_object_is_type(a, json_type_array))
		return -1;
	for (size_t i = 0; i < json_object_array_length(a); i++)
		if (strcmp(
			json_object_get_string(json_object_array_get_idx(a, i)),
			node) == 0)
			return (int)i;
	return -1;
}

static int
hosted_index(json_object *j, const char *node)
{
	return hosted_index_in(j, "nodes", node);
}

/* Node out of j's key (an array), if there. */
static void
hosted_drop(json_object *j, const char *key, const char *node)
{
	int i = hosted_index_in(j, key, node);

	if (i != -1)
		json_object_array_del_idx(json_object_object_get(j, key),
					  (size_t)i, 1);
}

int
hosted_add(const char *name, const char *node, const char *coordinator,
	   int incoming, char *err, size_t errlen)
{
	json_object *j, *v;
	int fd = -1, rc = -1;

	pthread_mutex_lock(&hosted_lock);
	if ((j = hosted_read(name, &fd, 1)) == NULL) {
		if (fd == -1 &&
		    (fd = statedir_topo_open(name, 1, err, errlen)) == -1)
			goto out;
		j = json_object_new_object();
		json_object_object_add(j, "nodes", json_object_new_array());
	}
	/* one other host's nodes of a topology at a time: the shared
	 * bridges and VXLANs here are planned by one home */
	if (json_object_array_length(json_object_object_get(j, "nodes")) > 0 &&
	    json_object_object_get_ex(j, "coordinator", &v) &&
	    strcmp(json_object_get_string(v), coordinator) != 0) {
		errno = EEXIST;
		msgf(err, errlen,
		     "this host runs nodes of %s for host %s already (%s): "
		     "nodes of one topology from more than one other host "
		     "are not supported yet",
		     name, json_object_get_string(v),
		     json_object_get_string(json_object_array_get_idx(
			 json_object_object_get(j, "nodes"), 0)));
		goto out;
	}
	json_object_object_add(j, "coordinator",
			       json_object_new_string(coordinator));
	if (hosted_index(j, node) == -1)
		json_object_array_add(json_object_object_get(j, "nodes"),
				      json_object_new_string(node));
	if (incoming) {
		if (hosted_index_in(j, "incoming", node) == -1) {
			if (!json_object_object_get_ex(j, "incoming", &v) ||
			    !json_object_is_type(v, json_type_array)) {
				v = json_object_new_array();
				json_object_object_add(j, "incoming", v);
			}
			json_object_array_add(v, json_object_new_string(node));
		}
	} else
		hosted_drop(j, "incoming", node);
	if (statedir_json_write(fd, HOSTED_FILE, j) == -1) {
		msgf(err, errlen, "%s/%s/%s: %s", statedir_path(), name,
		     HOSTED_FILE, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	json_object_put(j);
	pthread_mutex_unlock(&hosted_lock);
	return rc;
}

int
hosted_remove(const char *name, const char *node, char *err, size_t errlen)
{
	json_object *j;
	int fd = -1, i, rc = 0;

	pthread_mutex_lock(&hosted_lock);
	if ((j = hosted_read(name, &fd, 0)) == NULL)
		goto out;
	if ((i = hosted_index(j, node)) != -1) {
		json_object_array_del_idx(json_object_object_get(j, "nodes"),
					  (size_t)i, 1);
		hosted_drop(j, "incoming", node);
	}
	if (json_object_array_length(json_object_object_get(j, "nodes")) == 0) {
		if (unlinkat(fd, HOSTED_FILE, 0) == -1 && errno != ENOENT)
			rc = -1;
	} else if (i != -1 && statedir_json_write(fd, HOSTED_FILE, j) == -1)
		rc = -1;
	if (rc == -1)
		msgf(err, errlen, "%s/%s/%s: %s", statedir_path(), name,
		     HOSTED_FILE, strerror(errno));
out:
	if (fd != -1)
		close(fd);
	json_object_put(j);
	pthread_mutex_unlock(&hosted_lock);
	return rc;
}

int
hosted_find(const char *name, const char *node, char *buf, size_t len)
{
	json_object *j, *v;
	int found;

	pthread_mutex_lock(&hosted_lock);
	j = hosted_read(name, NULL, 0);
	pthread_mutex_unlock(&hosted_lock);
	found = j != NULL && hosted_index(j, node) != -1;

	if (found && len > 0)
		vr_strlcpy(buf,
			   json_object_object_get_ex(j, "coordinator", &v)
			       ? json_object_get_string(v)
			       : "",
			   len);
	json_object_put(j);
	return found;
}

int
hosted_count(const char *name, char *home, size_t len)
{
	json_object *j, *v;
	int n = 0;

	pthread_mutex_lock(&hosted_lock);
	j = hosted_read(name, NULL, 0);
	pthread_mutex_unlock(&hosted_lock);
	if (j != NULL)
		n = (int)json_object_array_length(
		    json_object_object_get(j, "nodes"));
	if (home != NULL && len > 0)
		vr_strlcpy(
		    home,
		    n > 0 && json_object_object_get_ex(j, "coordinator", &v)
			? json_object_get_string(v)
			: "",
		    len);
	json_object_put(j);
	return n;
}

json_object *
hosted_list(void)
{
	json_object *out = json_object_new_array(), *j, *a;
	struct dirent *e;
	DIR *d;

	if ((d = statedir_list()) == NULL)
		return out;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		pthread_mutex_lock(&hosted_lock);
		j = hosted_read(e->d_name, NULL, 0);
		pthread_mutex_unlock(&hosted_lock);
		if (j == NULL)
			continue;
		a = json_object_object_get(j, "nodes");
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			const char *node = json_object_get_string(
			    json_object_array_get_idx(a, i));
			json_object *o = json_object_new_object(), *c = NULL;
			char dom[300];

			snprintf(dom, sizeof(dom), "vrouterd-%s-%s", e->d_name,
				 node);
			json_object_object_get_ex(j, "coordinator", &c);
			json_object_object_add(
			    o, "topology", json_object_new_string(e->d_name));
			json_object_object_add(o, "node",
					       json_object_new_string(node));
			json_object_object_add(o, "domain",
					       json_object_new_string(dom));
			json_object_object_add(
			    o, "coordinator",
			    json_object_new_string(c ? json_object_get_string(c)
						     : ""));
			json_object_object_add(
			    o, "state",
			    json_object_new_string(
				hosted_index_in(j, "incoming", node) != -1
				    ? "incoming"
				    : "running"));
			json_object_array_add(out, o);
		}
		json_object_put(j);
	}
	closedir(d);
	return out;
}
