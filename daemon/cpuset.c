/*
 * Exclusive cpusets for SCHED_DEADLINE threads (cpuset.h): the cgroup
 * side only; daemon/deadline.c decides which threads and sets their
 * policy.  Every step is recorded before it is taken, and the undo
 * tolerates steps that were never taken, so one function undoes a failed
 * start, a stop and the leftovers a restarted daemon finds.
 *
 * Over 800 lines on purpose (issue 12): the v1 and v2 writers, the record
 * and the undo are one protocol, each step written to the record before
 * the hierarchy is touched, all under cs_lock; split across files, that
 * order would have to be kept by callers that cannot see it.  The
 * sections below (hierarchy, files, record, setup, threads, undo) read in
 * turn.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cpuset.h"
#include "log.h"
#include "util.h"

#define CS_TOP	   "vrouterd"
#define CS_HK	   "vrouterd-housekeeping"
#define CS_REC_MAX (1 << 20)

/* One record, read-modified-written by start jobs (worker threads), stop
 * jobs and adoption: one at a time. */
static pthread_mutex_t cs_lock = PTHREAD_MUTEX_INITIALIZER;
static int cs_release_locked(const char *record, const char *name);
static const char *rec_str(json_object *o, const char *key);

/* ---- the hierarchy --------------------------------------------------------
 */

/* mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS ... - FSTYPE SRC SUPER" */
static int
cs_mountinfo(struct cpuset_hier *h)
{
	char line[4096], *s;
	int have2 = 0;
	FILE *f;

	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char mnt[4096], fstype[64], super[1024];
		char *dash = strstr(line, " - ");

		if (dash == NULL ||
		    sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s %*s %1023s", fstype, super) != 2)
			continue;
		if (strcmp(fstype, "cgroup") == 0) {
			/* a v1 hierarchy: cpuset among its super options */
			for (s = strtok(super, ","); s; s = strtok(NULL, ","))
				if (strcmp(s, "cpuset") == 0)
					break;
			if (s != NULL) {
				h->version = 1;
				vr_strlcpy(h->root, mnt, sizeof(h->root));
				fclose(f);
				return 0;
			}
		} else if (strcmp(fstype, "cgroup2") == 0 && !have2) {
			char p[4200], *c;

			snprintf(p, sizeof(p), "%s/cgroup.controllers", mnt);
			if ((c = file_read(p, 4096)) != NULL &&
			    strstr(c, "cpuset") != NULL) {
				have2 = 1;
				vr_strlcpy(h->root, mnt, sizeof(h->root));
			}
			free(c);
		}
	}
	fclose(f);
	if (!have2)
		return -1;
	h->version = 2;
	return 0;
}

int
cpuset_find(struct cpuset_hier *h, char *err, size_t errlen)
{
	const char *fake = getenv("VR_CGROUP_ROOT");
	char p[4200];
	struct stat st;

	memset(h, 0, sizeof(*h));
	if (fake != NULL && fake[0] != '\0') {
		h->fake = 1;
		vr_strlcpy(h->root, fake, sizeof(h->root));
		snprintf(p, sizeof(p), "%s/cgroup.controllers", fake);
		h->version = stat(p, &st) == 0 ? 2 : 1;
		return 0;
	}
	if (cs_mountinfo(h) == -1) {
		msgf(err, errlen,
		     "no cpuset controller: neither a cgroup v1 hierarchy "
		     "with cpuset nor cgroup2 offering it is mounted "
		     "(/proc/self/mountinfo)");
		return -1;
	}
	return 0;
}

/* ---- files ----------------------------------------------------------------
 */

static int
cs_write(const struct cpuset_hier *h, const char *dir, const char *file,
	 const char *val, char *err, size_t errlen)
{
	char p[8400];
	ssize_t n;
	int fd, flags = O_WRONLY | O_CLOEXEC | O_TRUNC;

	snprintf(p, sizeof(p), "%s/%s%s%s", h->root, dir, *dir ? "/" : "",
		 file);
	if (h->fake)
		flags |= O_CREAT;
	if ((fd = open(p, flags, 0644)) == -1) {
		msgf(err, errlen, "open %s: %s", p, strerror(errno));
		return -1;
	}
	n = write(fd, val, strlen(val));
	if (n == -1) {
		int e = errno;

		close(fd);
		msgf(err, errlen, "write '%s' to %s: %s", val, p, strerror(e));
		errno = e; /* for the caller's hint */
		return -1;
	}
	close(fd);
	log_debug("cpuset: %s <- %s", p, val);
	return 0;
}

/* A control file's first line, "" when unreadable. */
static void
cs_read(const struct cpuset_hier *h, const char *dir, const char *file,
	char *buf, size_t len)
{
	char p[8400], *s;

	snprintf(p, sizeof(p), "%s/%s%s%s", h->root, dir, *dir ? "/" : "",
		 file);
	buf[0] = '\0';
	if ((s = file_read(p, 65536)) == NULL)
		return;
	s[strcspn(s, "\n")] = '\0';
	vr_strlcpy(buf, s, len);
	free(s);
}

static int
cs_mkdir(const struct cpuset_hier *h, const char *dir, int *made, char *err,
	 size_t errlen)
{
	char p[8400];

	snprintf(p, sizeof(p), "%s/%s", h->root, dir);
	*made = 0;
	if (mkdir(p, 0755) == 0) {
		*made = 1;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	msgf(err, errlen, "mkdir %s: %s", p, strerror(errno));
	return -1;
}

/* rmdir a cpuset (in a fake tree, its files first). */
static int
cs_rmdir(const struct cpuset_hier *h, const char *dir)
{
	char p[8400];

	snprintf(p, sizeof(p), "%s/%s", h->root, dir);
	if (h->fake) {
		DIR *d = opendir(p);
		struct dirent *de;

		while (d && (de = readdir(d)) != NULL)
			if (de->d_type == DT_REG)
				unlinkat(dirfd(d), de->d_name, 0);
		if (d)
			closedir(d);
	}
	/* gone, or never made (a path component is no directory) */
	if (rmdir(p) == -1 && errno != ENOENT && errno != ENOTDIR) {
		log_warn("cpuset: rmdir %s", p);
		return -1;
	}
	return 0;
}

/* A list to write or record: whole, or -1 with err (never a list cut
 * short, which would name fewer CPUs than were meant). */
static int
cs_list(const cpu_set_t *c, char *buf, size_t len, char *err, size_t errlen)
{
	if (cpulist_format(c, buf, len) != NULL)
		return 0;
	msgf(err, errlen, "a list of %d CPUs is longer than %zu characters",
	     CPU_COUNT(c), len - 1);
	return -1;
}

static const char *
cs_threads_file(const struct cpuset_hier *h)
{
	return h->version == 1 ? "tasks" : "cgroup.threads";
}

/* ---- the record -----------------------------------------------------------
 */

/* A value of the wrong type (a hand edit, a bad disk) is logged and
 * dropped, so that every reader below may trust the record's shape: a
 * topology that is no object goes, as does a "threads" or "shared" that
 * is no array (their entries are looked into by key, which tolerates
 * any type). */
static void
rec_sane(const char *record, json_object *j)
{
	json_object *t, *v, *bad = json_object_new_array();

	if (json_object_object_get_ex(j, "topologies", &t) &&
	    !json_object_is_type(t, json_type_object)) {
		log_warnx("cpuset: %s: \"topologies\" is no object: dropped",
			  record);
		json_object_object_del(j, "topologies");
	}
	if (json_object_object_get_ex(j, "shared", &v) &&
	    !json_object_is_type(v, json_type_array)) {
		log_warnx("cpuset: %s: \"shared\" is no array: dropped (the "
			  "shared cpusets and flags stay as they are)",
			  record);
		json_object_object_del(j, "shared");
	}
	if (json_object_object_get_ex(j, "topologies", &t)) {
		json_object_object_foreach(t, name, o)
		{
			if (!json_object_is_type(o, json_type_object))
				json_object_array_add(
				    bad, json_object_new_string(name));
			else if (json_object_object_get_ex(o, "threads", &v) &&
				 !json_object_is_type(v, json_type_array)) {
				log_warnx("cpuset: %s: %s's \"threads\" is no "
					  "array: dropped (their policies "
					  "stay)",
					  record, name);
				json_object_object_del(o, "threads");
			}
		}
		for (size_t i = 0; i < json_object_array_length(bad); i++) {
			const char *b = json_object_get_string(
			    json_object_array_get_idx(bad, i));

			log_warnx("cpuset: %s: topology %s is no object: "
				  "dropped (its cpusets stay)",
				  record, b);
			json_object_object_del(t, b);
		}
	}
	json_object_put(bad);
}

/* This boot's id ("" when unreadable): a record names the boot it was
 * made in, since cgroups and thread ids do not outlive it. */
static void
cs_boot_id(char *buf, size_t len)
{
	char *s = file_read("/proc/sys/kernel/random/boot_id", 256);

	vr_strlcpy(buf, s ? s : "", len);
	buf[strcspn(buf, "\n")] = '\0';
	free(s);
}

static json_object *
rec_load(const char *record)
{
	json_object *j = NULL;
	const char *was;
	char now[64];
	char *s;

	if ((s = file_read(record, CS_REC_MAX)) != NULL) {
		j = json_tokener_parse(s);
		free(s);
	}
	if (j == NULL || !json_object_is_type(j, json_type_object)) {
		json_object_put(j);
		j = json_object_new_object();
	}
	/* A record of another boot: its cpusets went with that boot, and
	 * undoing its shared steps would undo this boot's settings (the
	 * root's cpuset controller, load balancing) and touch thread ids
	 * that are other threads now.  Dropped, nothing undone. */
	cs_boot_id(now, sizeof(now));
	if ((was = rec_str(j, "boot_id")) != NULL && now[0] != '\0' &&
	    strcmp(was, now) != 0) {
		log_warnx("cpuset: %s is of another boot (%s, this one is %s): "
			  "dropped, nothing undone",
			  record, was, now);
		if (unlink(record) == -1 && errno != ENOENT)
			log_warn("cpuset: %s", record);
		json_object_put(j);
		j = json_object_new_object();
	}
	rec_sane(record, j);
	return j;
}

static int
rec_save(const char *record, json_object *j)
{
	json_object *t;
	const char *s;

	if (!json_object_object_get_ex(j, "topologies", &t) ||
	    json_object_object_length(t) == 0) {
		if (unlink(record) == -1 && errno != ENOENT)
			return -1;
		return 0;
	}
	s = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY);
	return file_write_atomic(record, s, strlen(s), 0600);
}

static json_object *
rec_array(json_object *j, const char *key)
{
	json_object *a;

	if (!json_object_object_get_ex(j, key, &a)) {
		a = json_object_new_array();
		json_object_object_add(j, key, a);
	}
	return a;
}

static json_object *
rec_topos(json_object *j)
{
	json_object *t;

	if (!json_object_object_get_ex(j, "topologies", &t)) {
		t = json_object_new_object();
		json_object_object_add(j, "topologies", t);
	}
	return t;
}

/* Shared steps to undo with the last topology: {"rmdir": DIR} or
 * {"file": F, "write": V} (relative to the root), undone newest first. */
static void
rec_shared(json_object *j, const char *what, const char *a, const char *b)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, what, json_object_new_string(a));
	if (b)
		json_object_object_add(e, "write", json_object_new_string(b));
	json_object_array_add(rec_array(j, "shared"), e);
}

static const char *
rec_str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v)
						     : NULL;
}

/* The union of every recorded topology's CPUs but skip's. */
static void
rec_cpus(json_object *j, const char *skip, cpu_set_t *out)
{
	json_object_object_foreach(rec_topos(j), name, t)
	{
		cpu_set_t c;
		const char *s = rec_str(t, "cpus");

		if (skip && strcmp(name, skip) == 0)
			continue;
		if (s && cpulist_parse(s, &c) == 0)
			CPU_OR(out, out, &c);
	}
}

/* ---- setup ----------------------------------------------------------------
 */

/* A shared directory about to be made is recorded first (a crash in
 * between leaves a record of a directory that is not there: harmless). */
static int
cs_intend(const struct cpuset_hier *h, json_object *rec, const char *record,
	  const char *dir)
{
	char p[8400];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", h->root, dir);
	if (stat(p, &st) == 0)
		return 0;
	rec_shared(rec, "rmdir", dir, NULL);
	return rec_save(record, rec);
}

/* v1: a root cpuset other than ours whose CPUs overlap want (their
 * exclusive bit and balanced domains would clash with ours). */
static int
cs_v1_overlap(const struct cpuset_hier *h, const cpu_set_t *want, char *err,
	      size_t errlen)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if ((d = opendir(h->root)) == NULL)
		return 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char buf[CPULIST_MAX], list[CPULIST_MAX];
		cpu_set_t c;

		if (de->d_type != DT_DIR || de->d_name[0] == '.' ||
		    strcmp(de->d_name, CS_TOP) == 0 ||
		    strcmp(de->d_name, CS_HK) == 0)
			continue;
		cs_read(h, de->d_name, "cpuset.cpus", buf, sizeof(buf));
		if (cpulist_parse(buf, &c) == -1)
			continue;
		CPU_AND(&c, &c, want);
		if (CPU_COUNT(&c) == 0)
			continue;
		msgf(err, errlen,
		     "cpuset %s/%s (cpus %s) overlaps CPUs %s: no exclusive "
		     "cpuset can be made beside it (for libvirt's, leave "
		     "\"cpuset\" out of cgroup_controllers in qemu.conf and "
		     "rmdir it; docs/topology.md, \"Deadline\")",
		     h->root, de->d_name, buf,
		     cpulist_format(&c, list, sizeof(list)));
		rc = -1;
	}
	closedir(d);
	return rc;
}

/* One cpuset directory: made (recorded), mems, cpus, then flags. */
static int
cs_v1_dir(const struct cpuset_hier *h, const char *dir, const char *mems,
	  const char *cpus, int excl, int balance, char *err, size_t errlen)
{
	int made;

	if (cs_mkdir(h, dir, &made, err, errlen) == -1)
		return -1;
	if (cs_write(h, dir, "cpuset.mems", mems, err, errlen) == -1 ||
	    cs_write(h, dir, "cpuset.cpus", cpus, err, errlen) == -1)
		return -1;
	if (excl &&
	    cs_write(h, dir, "cpuset.cpu_exclusive", "1", err, errlen) == -1) {
		if (errno == EINVAL || errno == EBUSY)
			msgf(err + strlen(err), errlen - strlen(err),
			     " (another cpuset overlaps CPUs %s)", cpus);
		return -1;
	}
	return cs_write(h, dir, "cpuset.sched_load_balance",
			balance ? "1" : "0", err, errlen);
}

static int
cs_v1_setup(const struct cpuset_hier *h, json_object *rec, const char *name,
	    const cpu_set_t *cpus, const cpu_set_t *all, const char *record,
	    char *err, size_t errlen)
{
	char mems[CPULIST_MAX], root[CPULIST_MAX], hk[CPULIST_MAX],
	    top[CPULIST_MAX], mine[CPULIST_MAX], dir[512], lb[16];
	cpu_set_t rootc, hkc;
	int made;

	cs_read(h, "", "cpuset.mems", mems, sizeof(mems));
	cs_read(h, "", "cpuset.cpus", root, sizeof(root));
	if (cpulist_parse(root, &rootc) == -1)
		CPU_ZERO(&rootc);
	CPU_XOR(&hkc, &rootc, all);
	CPU_AND(&hkc, &hkc, &rootc);
	if (cs_list(&hkc, hk, sizeof(hk), err, errlen) == -1 ||
	    cs_list(all, top, sizeof(top), err, errlen) == -1 ||
	    cs_list(cpus, mine, sizeof(mine), err, errlen) == -1)
		return -1;
	/* housekeeping shrinks before vrouterd grows (no overlap) */
	if (cs_intend(h, rec, record, CS_HK) == -1 ||
	    cs_intend(h, rec, record, CS_TOP) == -1 ||
	    cs_mkdir(h, CS_HK, &made, err, errlen) == -1 ||
	    cs_write(h, CS_HK, "cpuset.mems", mems, err, errlen) == -1 ||
	    cs_write(h, CS_HK, "cpuset.cpus", hk, err, errlen) == -1 ||
	    cs_v1_dir(h, CS_TOP, mems, top, 1, 0, err, errlen) == -1 ||
	    rec_save(record, rec) == -1)
		return -1;
	cs_read(h, "", "cpuset.sched_load_balance", lb, sizeof(lb));
	if (strcmp(lb, "0") != 0) {
		rec_shared(rec, "file", "cpuset.sched_load_balance", "1");
		if (rec_save(record, rec) == -1 ||
		    cs_write(h, "", "cpuset.sched_load_balance", "0", err,
			     errlen) == -1)
			return -1;
	}
	snprintf(dir, sizeof(dir), "%s/%s", CS_TOP, name);
	if (cs_v1_dir(h, dir, mems, mine, 1, 0, err, errlen) == -1)
		return -1;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		char one[16];

		if (!CPU_ISSET(c, cpus))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s/cpu%d", CS_TOP, name, c);
		snprintf(one, sizeof(one), "%d", c);
		if (cs_v1_dir(h, dir, mems, one, 1, 1, err, errlen) == -1)
			return -1;
	}
	return 0;
}

/* v2: a threaded partition root with cpus, read back. */
static int
cs_v2_dir(const struct cpuset_hier *h, const char *dir, const char *cpus,
	  int parent, char *err, size_t errlen)
{
	char back[256];
	int made;

	if (cs_mkdir(h, dir, &made, err, errlen) == -1)
		return -1;
	if (cs_write(h, dir, "cgroup.type", "threaded", err, errlen) == -1 ||
	    (parent && cs_write(h, dir, "cgroup.subtree_control", "+cpuset",
				err, errlen) == -1) ||
	    cs_write(h, dir, "cpuset.cpus", cpus, err, errlen) == -1 ||
	    cs_write(h, dir, "cpuset.cpus.partition", "root", err, errlen) ==
		-1)
		return -1;
	cs_read(h, dir, "cpuset.cpus.partition", back, sizeof(back));
	if (strcmp(back, "root") != 0) {
		msgf(err, errlen,
		     "%s/%s/cpuset.cpus.partition reads \"%s\", "
		     "not \"root\"",
		     h->root, dir, back);
		return -1;
	}
	return 0;
}

static int
cs_v2_setup(const struct cpuset_hier *h, json_object *rec, const char *name,
	    const cpu_set_t *cpus, const cpu_set_t *all, const char *record,
	    char *err, size_t errlen)
{
	char ctl[256], top[CPULIST_MAX], mine[CPULIST_MAX], dir[512];

	cs_read(h, "", "cgroup.subtree_control", ctl, sizeof(ctl));
	if (strstr(ctl, "cpuset") == NULL) {
		rec_shared(rec, "file", "cgroup.subtree_control", "-cpuset");
		if (rec_save(record, rec) == -1 ||
		    cs_write(h, "", "cgroup.subtree_control", "+cpuset", err,
			     errlen) == -1)
			return -1;
	}
	if (cs_list(all, top, sizeof(top), err, errlen) == -1 ||
	    cs_list(cpus, mine, sizeof(mine), err, errlen) == -1 ||
	    cs_intend(h, rec, record, CS_TOP) == -1)
		return -1;
	if (cs_v2_dir(h, CS_TOP, top, 1, err, errlen) == -1 ||
	    rec_save(record, rec) == -1)
		return -1;
	snprintf(dir, sizeof(dir), "%s/%s", CS_TOP, name);
	if (cs_v2_dir(h, dir, mine, 1, err, errlen) == -1)
		return -1;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		char one[16];

		if (!CPU_ISSET(c, cpus))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s/cpu%d", CS_TOP, name, c);
		snprintf(one, sizeof(one), "%d", c);
		if (cs_v2_dir(h, dir, one, 0, err, errlen) == -1)
			return -1;
	}
	return 0;
}

/* The checks of setup that need nothing made: 0, or -1 with err. */
static int
cs_check(const struct cpuset_hier *h, json_object *rec, const char *name,
	 const cpu_set_t *cpus, cpu_set_t *all, char *err, size_t errlen)
{
	cpu_set_t others, clash, rootc;
	char list[CPULIST_MAX], buf[CPULIST_MAX];

	CPU_ZERO(&others);
	rec_cpus(rec, name, &others);
	CPU_AND(&clash, &others, cpus);
	if (CPU_COUNT(&clash) > 0) {
		msgf(err, errlen,
		     "CPUs %s hold another topology's deadline threads",
		     cpulist_format(&clash, list, sizeof(list)));
		return -1;
	}
	CPU_OR(all, &others, cpus);
	if (h->version == 2) {
		cs_read(h, "", "cgroup.controllers", buf, sizeof(buf));
		if (strstr(buf, "cpuset") == NULL) {
			msgf(err, errlen,
			     "no cpuset controller: %s/cgroup.controllers has "
			     "none (bound to a v1 hierarchy?)",
			     h->root);
			return -1;
		}
	} else if (cs_v1_overlap(h, cpus, err, errlen) == -1)
		return -1;
	/* v2: the root's effective CPUs lack those our partitions hold */
	cs_read(h, "",
		h->version == 1 ? "cpuset.cpus" : "cpuset.cpus.effective", buf,
		sizeof(buf));
	if (cpulist_parse(buf, &rootc) == -1)
		CPU_ZERO(&rootc);
	if (h->version == 2)
		CPU_OR(&rootc, &rootc, &others);
	CPU_AND(&clash, &rootc, all);
	if (!CPU_EQUAL(&clash, all) || CPU_EQUAL(&rootc, all)) {
		msgf(err, errlen, "CPUs %s: %s of the root cpuset (cpus %s)",
		     cpulist_format(all, list, sizeof(list)),
		     CPU_EQUAL(&rootc, all)
			 ? "no CPU would be left for the rest"
			 : "not all",
		     buf);
		return -1;
	}
	return 0;
}

static int
cs_check_locked(const char *record, const char *name, const cpu_set_t *cpus,
		char *err, size_t errlen)
{
	struct cpuset_hier h;
	json_object *rec;
	cpu_set_t all;
	int rc;

	if (cpuset_find(&h, err, errlen) == -1)
		return -1;
	rec = rec_load(record);
	rc = cs_check(&h, rec, name, cpus, &all, err, errlen);
	json_object_put(rec);
	return rc;
}

static int
cs_setup_locked(const char *record, const char *name, const cpu_set_t *cpus,
		char *err, size_t errlen)
{
	struct cpuset_hier h;
	json_object *rec, *t;
	cpu_set_t all;
	char list[CPULIST_MAX], boot[64];
	int rc = -1;

	if (cpuset_find(&h, err, errlen) == -1)
		return -1;
	rec = rec_load(record);
	if (json_object_object_get_ex(rec_topos(rec), name, NULL)) {
		json_object_put(rec);
		return 0; /* made already (one node restarted) */
	}
	if (cs_check(&h, rec, name, cpus, &all, err, errlen) == -1 ||
	    cs_list(cpus, list, sizeof(list), err, errlen) == -1)
		goto out;
	/* the intent first: an undo of steps not taken is harmless */
	json_object_object_add(rec, "version", json_object_new_int(h.version));
	json_object_object_add(rec, "root", json_object_new_string(h.root));
	cs_boot_id(boot, sizeof(boot));
	json_object_object_add(rec, "boot_id", json_object_new_string(boot));
	t = json_object_new_object();
	json_object_object_add(t, "cpus", json_object_new_string(list));
	json_object_object_add(t, "threads", json_object_new_array());
	json_object_object_add(rec_topos(rec), name, t);
	if (rec_save(record, rec) == -1) {
		msgf(err, errlen, "cannot write %s: %s", record,
		     strerror(errno));
		json_object_object_del(rec_topos(rec), name);
		goto out;
	}
	rc = h.version == 1
		 ? cs_v1_setup(&h, rec, name, cpus, &all, record, err, errlen)
		 : cs_v2_setup(&h, rec, name, cpus, &all, record, err, errlen);
	if (rc == 0 && rec_save(record, rec) == -1) {
		msgf(err, errlen, "cannot write %s: %s", record,
		     strerror(errno));
		rc = -1;
	}
	if (rc == -1) {
		rec_save(record, rec);
		json_object_put(rec);
		cs_release_locked(record, name);
		return -1;
	}
out:
	json_object_put(rec);
	return rc;
}

/* ---- threads --------------------------------------------------------------
 */

/* The cpuset a thread is in ("/machine/..."), from /proc/TID/cpuset. */
static void
cs_thread_where(pid_t tid, char *buf, size_t len)
{
	char p[64], *s;

	snprintf(p, sizeof(p), "/proc/%d/cpuset", tid);
	vr_strlcpy(buf, "/", len);
	if ((s = file_read(p, 4096)) == NULL)
		return;
	s[strcspn(s, "\n")] = '\0';
	if (s[0] == '/')
		vr_strlcpy(buf, s, len);
	free(s);
}

static int
cs_attach_locked(const char *record, const char *name, int cpu, pid_t tid,
		 int policy, int prio, char *err, size_t errlen)
{
	struct cpuset_hier h;
	json_object *rec, *t, *th;
	char from[4096], dir[512], val[32];
	int rc = -1;

	if (cpuset_find(&h, err, errlen) == -1)
		return -1;
	rec = rec_load(record);
	if (!json_object_object_get_ex(rec_topos(rec), name, &t)) {
		msgf(err, errlen, "no cpusets made for %s", name);
		goto out;
	}
	cs_thread_where(tid, from, sizeof(from));
	th = json_object_new_object();
	json_object_object_add(th, "tid", json_object_new_int(tid));
	json_object_object_add(th, "from", json_object_new_string(from));
	json_object_object_add(th, "policy", json_object_new_int(policy));
	json_object_object_add(th, "prio", json_object_new_int(prio));
	json_object_array_add(rec_array(t, "threads"), th);
	if (rec_save(record, rec) == -1) {
		msgf(err, errlen, "cannot write %s: %s", record,
		     strerror(errno));
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s/%s/cpu%d", CS_TOP, name, cpu);
	snprintf(val, sizeof(val), "%d", tid);
	rc = cs_write(&h, dir, cs_threads_file(&h), val, err, errlen);
	if (rc == -1 && h.version == 2 && errno == EOPNOTSUPP)
		msgf(err + strlen(err), errlen - strlen(err),
		     " (tid %d is in %s, another threaded domain: libvirt's "
		     "cgroup? cgroup_controllers = [ ] in qemu.conf keeps "
		     "QEMU in the root; docs/topology.md, \"Deadline\")",
		     tid, from);
out:
	json_object_put(rec);
	return rc;
}

/* ---- undo -----------------------------------------------------------------
 */

struct cs_sched_attr {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
};

/* A thread we made SCHED_DEADLINE gets its old policy back. */
static void
cs_thread_policy(pid_t tid, int policy, int prio)
{
	struct cs_sched_attr a = {.size = sizeof(a)};

	if (syscall(SYS_sched_getattr, tid, &a, sizeof(a), 0) == -1 ||
	    a.sched_policy != 6 /* SCHED_DEADLINE */)
		return;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.sched_policy = policy;
	a.sched_priority = prio;
	if (syscall(SYS_sched_setattr, tid, &a, 0) == -1)
		log_warn("cpuset: policy %d back for tid %d", policy, tid);
}

/* Move whatever runs in dir back where the record says it came from. */
static void
cs_empty(const struct cpuset_hier *h, const char *dir, json_object *threads)
{
	char p[8400], *s, *line, *save;
	char e[512];

	snprintf(p, sizeof(p), "%s/%s/%s", h->root, dir, cs_threads_file(h));
	if ((s = file_read(p, 1 << 20)) == NULL)
		return;
	for (line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *from = "/";
		int tid = atoi(line);
		size_t n = threads ? json_object_array_length(threads) : 0;

		for (size_t i = 0; i < n; i++) {
			json_object *th = json_object_array_get_idx(threads, i);
			json_object *v;

			if (json_object_object_get_ex(th, "tid", &v) &&
			    json_object_get_int(v) == tid &&
			    rec_str(th, "from"))
				from = rec_str(th, "from");
		}
		/* back where it was, else to the root */
		if (cs_write(h, from + 1, cs_threads_file(h), line, e,
			     sizeof(e)) == -1 &&
		    cs_write(h, "", cs_threads_file(h), line, e, sizeof(e)) ==
			-1)
			log_warnx("cpuset: tid %d: %s", tid, e);
	}
	free(s);
}

/* Remove topology t's directories (name's), threads back first. */
static int
cs_release_topo(const struct cpuset_hier *h, const char *name, json_object *t)
{
	json_object *threads = NULL;
	cpu_set_t cpus;
	char dir[512];
	int rc = 0;
	const char *cl = rec_str(t, "cpus");

	if (json_object_object_get_ex(t, "threads", &threads)) {
		for (size_t i = 0; i < json_object_array_length(threads); i++) {
			json_object *th = json_object_array_get_idx(threads, i);
			json_object *a, *b, *c;

			if (json_object_object_get_ex(th, "tid", &a) &&
			    json_object_object_get_ex(th, "policy", &b) &&
			    json_object_object_get_ex(th, "prio", &c))
				cs_thread_policy(json_object_get_int(a),
						 json_object_get_int(b),
						 json_object_get_int(c));
		}
	}
	if (cl == NULL || cpulist_parse(cl, &cpus) == -1)
		CPU_ZERO(&cpus);
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &cpus))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s/cpu%d", CS_TOP, name, c);
		cs_empty(h, dir, threads);
		if (cs_rmdir(h, dir) == -1)
			rc = -1;
	}
	snprintf(dir, sizeof(dir), "%s/%s", CS_TOP, name);
	cs_empty(h, dir, threads);
	if (cs_rmdir(h, dir) == -1)
		rc = -1;
	return rc;
}

/* With the last topology: the shared steps, newest first; else vrouterd
 * shrinks to the CPUs still reserved (v1: housekeeping grows after). */
static int
cs_release_shared(const struct cpuset_hier *h, json_object *rec)
{
	json_object *sh;
	cpu_set_t left, rootc, hkc;
	char e[512], list[CPULIST_MAX], root[CPULIST_MAX];
	int rc = 0;

	CPU_ZERO(&left);
	rec_cpus(rec, NULL, &left);
	if (CPU_COUNT(&left) > 0) {
		if (cs_list(&left, list, sizeof(list), e, sizeof(e)) == -1 ||
		    cs_write(h, CS_TOP, "cpuset.cpus", list, e, sizeof(e)) ==
			-1) {
			log_warnx("cpuset: %s", e);
			rc = -1;
		}
		if (h->version == 1) {
			cs_read(h, "", "cpuset.cpus", root, sizeof(root));
			if (cpulist_parse(root, &rootc) == 0) {
				CPU_XOR(&hkc, &rootc, &left);
				CPU_AND(&hkc, &hkc, &rootc);
				if (cs_list(&hkc, list, sizeof(list), e,
					    sizeof(e)) == -1 ||
				    cs_write(h, CS_HK, "cpuset.cpus", list, e,
					     sizeof(e)) == -1)
					log_warnx("cpuset: %s", e);
			}
		}
		return rc;
	}
	if (!json_object_object_get_ex(rec, "shared", &sh))
		return 0;
	for (int i = (int)json_object_array_length(sh) - 1; i >= 0; i--) {
		json_object *s = json_object_array_get_idx(sh, i);
		const char *dir = rec_str(s, "rmdir"), *f = rec_str(s, "file");

		if (dir) {
			/* v2: its CPUs go back to the root partition */
			if (h->version == 2)
				(void)cs_write(h, dir, "cpuset.cpus.partition",
					       "member", e, sizeof(e));
			if (cs_rmdir(h, dir) == -1)
				rc = -1;
		} else if (f && rec_str(s, "write") &&
			   cs_write(h, "", f, rec_str(s, "write"), e,
				    sizeof(e)) == -1) {
			log_warnx("cpuset: %s", e);
			rc = -1;
		}
	}
	if (rc == 0)
		json_object_object_del(rec, "shared");
	return rc;
}

static int
cs_release_locked(const char *record, const char *name)
{
	struct cpuset_hier h;
	json_object *rec, *t;
	const char *root;
	char err[512];
	int rc = 0;

	rec = rec_load(record);
	if (!json_object_object_get_ex(rec_topos(rec), name, &t)) {
		json_object_put(rec);
		return 0;
	}
	if (cpuset_find(&h, err, sizeof(err)) == -1) {
		log_warnx("cpuset: %s", err);
		json_object_put(rec);
		return -1;
	}
	/* the hierarchy the record was made in */
	if ((root = rec_str(rec, "root")) != NULL && !h.fake)
		vr_strlcpy(h.root, root, sizeof(h.root));
	/* what could not be undone stays in the record, to be retried by
	 * the next stop or reap (each step is idempotent) */
	if (cs_release_topo(&h, name, t) == -1)
		rc = -1;
	else
		json_object_object_del(rec_topos(rec), name);
	if (rc == 0 && cs_release_shared(&h, rec) == -1)
		rc = -1;
	if (rec_save(record, rec) == -1) {
		log_warn("cpuset: %s", record);
		rc = -1;
	}
	json_object_put(rec);
	if (rc == 0)
		log_info("cpuset: %s's exclusive cpusets undone", name);
	return rc;
}

int
cpuset_check(const char *record, const char *name, const cpu_set_t *cpus,
	     char *err, size_t errlen)
{
	int rc;

	pthread_mutex_lock(&cs_lock);
	rc = cs_check_locked(record, name, cpus, err, errlen);
	pthread_mutex_unlock(&cs_lock);
	return rc;
}

int
cpuset_setup(const char *record, const char *name, const cpu_set_t *cpus,
	     char *err, size_t errlen)
{
	int rc;

	pthread_mutex_lock(&cs_lock);
	rc = cs_setup_locked(record, name, cpus, err, errlen);
	pthread_mutex_unlock(&cs_lock);
	return rc;
}

int
cpuset_attach(const char *record, const char *name, int cpu, pid_t tid,
	      int policy, int prio, char *err, size_t errlen)
{
	int rc;

	pthread_mutex_lock(&cs_lock);
	rc =
	    cs_attach_locked(record, name, cpu, tid, policy, prio, err, errlen);
	pthread_mutex_unlock(&cs_lock);
	return rc;
}

int
cpuset_release(const char *record, const char *name)
{
	int rc;

	pthread_mutex_lock(&cs_lock);
	rc = cs_release_locked(record, name);
	pthread_mutex_unlock(&cs_lock);
	return rc;
}

void
cpuset_reap(const char *record, int (*live)(const char *name))
{
	json_object *rec, *gone = json_object_new_array();

	pthread_mutex_lock(&cs_lock);
	rec = rec_load(record);

	/* Names first, releases after: a release rewrites the record. */
	json_object_object_foreach(rec_topos(rec), name, t)
	{
		(void)t;
		if (gone && !live(name))
			json_object_array_add(gone,
					      json_object_new_string(name));
	}
	json_object_put(rec);
	for (size_t i = 0; gone && i < json_object_array_length(gone); i++) {
		const char *topo =
		    json_object_get_string(json_object_array_get_idx(gone, i));

		log_info("cpuset: %s is gone: undoing its cpusets", topo);
		cs_release_locked(record, topo);
	}
	pthread_mutex_unlock(&cs_lock);
	json_object_put(gone);
}
