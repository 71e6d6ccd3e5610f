/*
 * The record of the nodes this host runs for another host's topology
 * (hosted.h): STATE/NAME/hosted.json, {"coordinator": HOST, "nodes":
 * [NODE...]}, written by migrate_finish when a domain arrived and
 * rewritten by migrate_abort when it goes.  adopt.c reads it so that
 * such a domain is neither adopted nor an orphan; status lists it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hosted.h"
#include "statedir.h"
#include "util.h"

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
hosted_index(json_object *j, const char *node)
{
	json_object *a = json_object_object_get(j, "nodes");

	for (size_t i = 0; i < json_object_array_length(a); i++)
		if (strcmp(
			json_object_get_string(json_object_array_get_idx(a, i)),
			node) == 0)
			return (int)i;
	return -1;
}

int
hosted_add(const char *name, const char *node, const char *coordinator,
	   char *err, size_t errlen)
{
	json_object *j;
	int fd = -1, rc = 0;

	if ((j = hosted_read(name, &fd, 1)) == NULL) {
		if (fd == -1 &&
		    (fd = statedir_topo_open(name, 1, err, errlen)) == -1)
			return -1;
		j = json_object_new_object();
		json_object_object_add(j, "nodes", json_object_new_array());
	}
	json_object_object_add(j, "coordinator",
			       json_object_new_string(coordinator));
	if (hosted_index(j, node) == -1)
		json_object_array_add(json_object_object_get(j, "nodes"),
				      json_object_new_string(node));
	if (statedir_json_write(fd, HOSTED_FILE, j) == -1) {
		msgf(err, errlen, "%s/%s/%s: %s", statedir_path(), name,
		     HOSTED_FILE, strerror(errno));
		rc = -1;
	}
	close(fd);
	json_object_put(j);
	return rc;
}

int
hosted_remove(const char *name, const char *node, char *err, size_t errlen)
{
	json_object *j;
	int fd = -1, i, rc = 0;

	if ((j = hosted_read(name, &fd, 0)) == NULL) {
		if (fd != -1)
			close(fd);
		return 0;
	}
	if ((i = hosted_index(j, node)) != -1)
		json_object_array_del_idx(json_object_object_get(j, "nodes"),
					  (size_t)i, 1);
	if (json_object_array_length(json_object_object_get(j, "nodes")) == 0) {
		if (unlinkat(fd, HOSTED_FILE, 0) == -1 && errno != ENOENT)
			rc = -1;
	} else if (i != -1 && statedir_json_write(fd, HOSTED_FILE, j) == -1)
		rc = -1;
	if (rc == -1)
		msgf(err, errlen, "%s/%s/%s: %s", statedir_path(), name,
		     HOSTED_FILE, strerror(errno));
	close(fd);
	json_object_put(j);
	return rc;
}

int
hosted_find(const char *name, const char *node, char *buf, size_t len)
{
	json_object *j = hosted_read(name, NULL, 0), *v;
	int found = j != NULL && hosted_index(j, node) != -1;

	if (found && len > 0)
		vr_strlcpy(buf,
			   json_object_object_get_ex(j, "coordinator", &v)
			       ? json_object_get_string(v)
			       : "",
			   len);
	json_object_put(j);
	return found;
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
		if (e->d_name[0] == '.' ||
		    (j = hosted_read(e->d_name, NULL, 0)) == NULL)
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
			json_object_array_add(out, o);
		}
		json_object_put(j);
	}
	closedir(d);
	return out;
}
