/*
 * The topology catalogue: where topology files are looked for (the search
 * path: $VR_TOPOLOGY_PATH, /etc, the package's data directory, the source
 * tree of a build tree), finding one by name, reading it safely for any
 * peer, and the list with one-line descriptions that `vrctl topology`
 * shows.  Checking and expanding a file is topo_file.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jtext.h"
#include "names.h"
#include "topo.h"
#include "topo_int.h"
#include "util.h"
#include "vr_build.h"

/* ---- the search path ---------------------------------------------------- */

/*
 * Is the running binary one in its build tree?  Only then is the source
 * tree's topologies/ on the search path: an installed binary must not read
 * a directory its build happened to be in (a user's checkout, or one under
 * /tmp that anyone may recreate).  A build tree is known by the header
 * CMake generated at its top (BUILD/vr_build.h, beside BUILD/daemon/,
 * BUILD/vrctl/, ...) naming this source tree; the build directory's path is
 * not compiled in, so that two builds of one source are byte-identical
 * (images/build-host checks it).
 */
static int
topo_in_build_tree(void)
{
	static int known, in;
	char exe[PATH_MAX], hdr[PATH_MAX + 32], want[PATH_MAX + 64], *s, *slash;
	ssize_t n;

	if (known)
		return in;
	known = 1;
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		return in;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return in;
	*slash = '\0';
	msgf(hdr, sizeof(hdr), "%s/../vr_build.h", exe);
	if ((s = file_readat(AT_FDCWD, hdr, 8192, 0)) == NULL)
		return in;
	msgf(want, sizeof(want), "#define VR_SOURCE_DIR        \"%s\"\n",
	     VR_SOURCE_DIR);
	in = strstr(s, want) != NULL;
	free(s);
	return in;
}

int
topo_search_dirs(const char *dirs[], int max)
{
	static char env[4096];
	const char *e = getenv("VR_TOPOLOGY_PATH");
	int n = 0;

	if (e != NULL && *e != '\0') {
		char *save = NULL, *tok;

		vr_strlcpy(env, e, sizeof(env));
		for (tok = strtok_r(env, ":", &save); tok && n < max;
		     tok = strtok_r(NULL, ":", &save))
			dirs[n++] = tok;
		return n;
	}
	if (n < max)
		dirs[n++] = TOPO_ETC_DIR;
	if (n < max)
		dirs[n++] = VR_PKGDATADIR "/topologies";
	if (n < max && topo_in_build_tree())
		dirs[n++] = VR_SOURCE_DIR "/topologies";
	return n;
}

int
topo_find_file(const char *name, char *path, size_t len)
{
	const char *dirs[8];
	int n = topo_search_dirs(dirs, 8);

	if (name == NULL || !name_ok(NAME_FILE, name))
		return -1;
	for (int i = 0; i < n; i++) {
		if ((size_t)snprintf(path, len, "%s/%s.json", dirs[i], name) >=
		    len)
			continue;
		if (access(path, R_OK) == 0)
			return 0;
	}
	return -1;
}

/* A topology file (regular, at most TOPO_FILE_MAX bytes) as JSON. */
json_object *
topo_file_read(const char *path, const char *label, char *err, size_t errlen)
{
	return jtext_read(path, label, TOPO_FILE_MAX, err, errlen);
}

/*
 * A file on the search path (DIR/NAME.json), read for any peer: only from a
 * directory root or this euid owns that is not writable by group or others
 * (else whoever can write there chooses what the daemon reads as root),
 * and never through a symbolic link.
 */
json_object *
topo_file_read_search(const char *path, const char *label, char *err,
		      size_t errlen)
{
	const char *base = strrchr(path, '/');
	char dir[PATH_MAX];
	json_object *j = NULL;
	struct stat st;
	int dfd;

	if (label == NULL)
		label = path;
	if (base == NULL || (size_t)(base - path) >= sizeof(dir)) {
		msgf(err, errlen, "%s: not on the search path", label);
		return NULL;
	}
	memcpy(dir, path, base - path);
	dir[base - path] = '\0';
	if ((dfd = open(dir[0] ? dir : "/",
			O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		msgf(err, errlen, "%s: %s: %s", label, dir, strerror(errno));
		return NULL;
	}
	if (fstat(dfd, &st) == -1)
		msgf(err, errlen, "%s: %s: %s", label, dir, strerror(errno));
	else if ((st.st_uid != 0 && st.st_uid != geteuid()) ||
		 (st.st_mode & (S_IWGRP | S_IWOTH)))
		msgf(err, errlen,
		     "%s: not read: the search path directory %s is %s (it "
		     "must belong to root or uid %ld and not be writable by "
		     "group or others)",
		     label, dir,
		     st.st_uid != 0 && st.st_uid != geteuid()
			 ? "owned by another user"
			 : "writable by group or others",
		     (long)geteuid());
	else
		j = jtext_readat(dfd, base + 1, FR_NOFOLLOW, label,
				 TOPO_FILE_MAX, NULL, NULL, err, errlen);
	close(dfd);
	return j;
}

/* Cached per name for topo_describe. */
static char describe_name[64], describe_text[256];

static int
describe_file(const char *path, char *buf, size_t len)
{
	char err[256];
	json_object *j, *d;
	int rc = -1;

	if ((j = topo_file_read_search(path, NULL, err, sizeof(err))) != NULL) {
		if (json_object_object_get_ex(j, "description", &d) &&
		    json_object_is_type(d, json_type_string)) {
			vr_strlcpy(buf, json_object_get_string(d), len);
			rc = 0;
		}
		json_object_put(j);
	}
	return rc;
}

const char *
topo_describe(const char *topology)
{
	char path[PATH_MAX];

	if (topology == NULL)
		return NULL;
	if (strcmp(describe_name, topology) == 0 && describe_text[0])
		return describe_text;
	describe_name[0] = describe_text[0] = '\0';
	if (topo_find_file(topology, path, sizeof(path)) == -1 ||
	    describe_file(path, describe_text, sizeof(describe_text)) == -1)
		return NULL;
	vr_strlcpy(describe_name, topology, sizeof(describe_name));
	return describe_text;
}

static int
cmp_names(const void *a, const void *b)
{
	json_object *const *x = a, *const *y = b;

	return strcmp(
	    json_object_get_string(json_object_object_get(*x, "name")),
	    json_object_get_string(json_object_object_get(*y, "name")));
}

json_object *
topo_list_json(void)
{
	const char *dirs[8];
	int n = topo_search_dirs(dirs, 8), cnt = 0;
	json_object *items[256], *a = json_object_new_array();

	for (int i = 0; i < n; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *de;

		if (d == NULL)
			continue;
		while ((de = readdir(d)) != NULL && cnt < 256) {
			size_t l = strlen(de->d_name);
			char name[64], path[PATH_MAX], desc[256] = "";
			int dup = 0;

			if (l <= 5 || l - 5 >= sizeof(name) ||
			    strcmp(de->d_name + l - 5, ".json") != 0)
				continue;
			memcpy(name, de->d_name, l - 5);
			name[l - 5] = '\0';
			if (!name_ok(NAME_FILE, name))
				continue;
			for (int k = 0; k < cnt && !dup; k++)
				dup = strcmp(json_object_get_string(
						 json_object_object_get(
						     items[k], "name")),
					     name) == 0;
			if (dup || (size_t)snprintf(path, sizeof(path), "%s/%s",
						    dirs[i],
						    de->d_name) >= sizeof(path))
				continue;
			if (describe_file(path, desc, sizeof(desc)) == -1)
				vr_strlcpy(
				    desc,
				    "(unreadable: see `vrctl topology NAME`)",
				    sizeof(desc));
			items[cnt] = json_object_new_object();
			json_object_object_add(items[cnt], "name",
					       json_object_new_string(name));
			json_object_object_add(items[cnt], "description",
					       json_object_new_string(desc));
			json_object_object_add(items[cnt], "file",
					       json_object_new_string(path));
			cnt++;
		}
		closedir(d);
	}
	qsort(items, cnt, sizeof(items[0]), cmp_names);
	for (int i = 0; i < cnt; i++)
		json_object_array_add(a, items[i]);
	return a;
}
