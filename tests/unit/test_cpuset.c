/*
 * The exclusive cpusets of daemon/cpuset.c against fake cgroup trees
 * (VR_CGROUP_ROOT, a temporary directory with the v1 or the v2 file
 * names): what is made and written, and that the undo (stop, a failed
 * start, a restarted daemon) restores every flag and leaves no directory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpuset.h"
#include "deadline.h"
#include "topo.h"
#include "sup_run.h"
#include "t.h"
#include "util.h"

static char root[256], rec[300];

static void
put(const char *rel, const char *val)
{
	char p[600];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if ((f = fopen(p, "w")) != NULL) {
		fputs(val, f);
		fclose(f);
	}
}

/* A file's contents without its newline ("<absent>" when missing). */
static const char *
get(const char *rel)
{
	static char buf[8][CPULIST_MAX];
	static int k;
	char p[600], *s;

	k = (k + 1) % 8;
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if ((s = file_read(p, 4096)) == NULL)
		return "<absent>";
	s[strcspn(s, "\n")] = '\0';
	vr_strlcpy(buf[k], s, sizeof(buf[k]));
	free(s);
	return buf[k];
}

static int
exists(const char *rel)
{
	char p[600];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return stat(p, &st) == 0;
}

static cpu_set_t
cpus(const char *list)
{
	cpu_set_t c;

	cpulist_parse(list, &c);
	return c;
}

static void
fresh(int version)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(mkdir(root, 0755), 0);
	if (version == 1) {
		put("cpuset.cpus", "0-3\n");
		put("cpuset.mems", "0\n");
		put("cpuset.sched_load_balance", "1\n");
		put("cpuset.cpu_exclusive", "1\n");
		put("tasks", "");
	} else {
		put("cgroup.controllers", "cpuset cpu io memory pids\n");
		put("cgroup.subtree_control", "memory\n");
		put("cpuset.cpus.effective", "0-3\n");
		put("cgroup.threads", "");
	}
	unlink(rec);
}

static int
none_live(const char *name)
{
	(void)name;
	return 0;
}

static void
test_v1(void)
{
	cpu_set_t c;
	char err[1024] = "", pid[32];

	fresh(1);
	c = cpus("2");
	CHECK_INT(cpuset_setup(rec, "t1", &c, err, sizeof(err)), 0);
	CHECK_STR(get("cpuset.sched_load_balance"), "0");
	CHECK_STR(get("vrouterd-housekeeping/cpuset.cpus"), "0-1,3");
	CHECK_STR(get("vrouterd-housekeeping/cpuset.mems"), "0");
	CHECK_STR(get("vrouterd/cpuset.cpus"), "2");
	CHECK_STR(get("vrouterd/cpuset.cpu_exclusive"), "1");
	CHECK_STR(get("vrouterd/cpuset.sched_load_balance"), "0");
	CHECK_STR(get("vrouterd/t1/cpuset.cpus"), "2");
	CHECK_STR(get("vrouterd/t1/cpuset.cpu_exclusive"), "1");
	CHECK_STR(get("vrouterd/t1/cpuset.sched_load_balance"), "0");
	CHECK_STR(get("vrouterd/t1/cpu2/cpuset.cpus"), "2");
	CHECK_STR(get("vrouterd/t1/cpu2/cpuset.mems"), "0");
	CHECK_STR(get("vrouterd/t1/cpu2/cpuset.cpu_exclusive"), "1");
	CHECK_STR(get("vrouterd/t1/cpu2/cpuset.sched_load_balance"), "1");
	CHECK(access(rec, F_OK) == 0);
	/* again (one node restarted): nothing new */
	CHECK_INT(cpuset_setup(rec, "t1", &c, err, sizeof(err)), 0);

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	CHECK_INT(cpuset_attach(rec, "t1", 2, getpid(), 0, 0, err, sizeof(err)),
		  0);
	CHECK_STR(get("vrouterd/t1/cpu2/tasks"), pid);

	/* a second topology: vrouterd grows, housekeeping shrinks */
	c = cpus("3");
	CHECK_INT(cpuset_setup(rec, "t2", &c, err, sizeof(err)), 0);
	CHECK_STR(get("vrouterd/cpuset.cpus"), "2-3");
	CHECK_STR(get("vrouterd-housekeeping/cpuset.cpus"), "0-1");
	/* a CPU another topology holds */
	c = cpus("1-2");
	CHECK_INT(cpuset_setup(rec, "t3", &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "CPUs 2 hold another topology's") != NULL);
	CHECK(!exists("vrouterd/t3"));

	/* stop t1: its threads back (to the root: their cpuset is not in
	 * the fake tree), its directories gone, the shared ones shrink */
	CHECK_INT(cpuset_release(rec, "t1"), 0);
	CHECK(!exists("vrouterd/t1"));
	CHECK_STR(get("tasks"), pid);
	CHECK_STR(get("vrouterd/cpuset.cpus"), "3");
	CHECK_STR(get("vrouterd-housekeeping/cpuset.cpus"), "0-2");
	CHECK_STR(get("cpuset.sched_load_balance"), "0");
	/* the last one: every flag back, nothing left */
	CHECK_INT(cpuset_release(rec, "t2"), 0);
	CHECK(!exists("vrouterd"));
	CHECK(!exists("vrouterd-housekeeping"));
	CHECK_STR(get("cpuset.sched_load_balance"), "1");
	CHECK(access(rec, F_OK) == -1);
	CHECK_INT(cpuset_release(rec, "t2"), 0); /* quiet: nothing to do */

	/* a daemon restarted after its topology went */
	c = cpus("1");
	CHECK_INT(cpuset_setup(rec, "t1", &c, err, sizeof(err)), 0);
	CHECK(exists("vrouterd/t1/cpu1"));
	cpuset_reap(rec, none_live);
	CHECK(!exists("vrouterd"));
	CHECK(!exists("vrouterd-housekeeping"));
	CHECK_STR(get("cpuset.sched_load_balance"), "1");
	CHECK(access(rec, F_OK) == -1);

	/* an undo that fails (a cpuset the kernel will not remove) stays
	 * in the record, and the next release finishes it */
	c = cpus("1");
	CHECK_INT(cpuset_setup(rec, "t1", &c, err, sizeof(err)), 0);
	{
		char p[600];

		snprintf(p, sizeof(p), "%s/vrouterd/t1/cpu1/busy", root);
		CHECK_INT(mkdir(p, 0755), 0);
		CHECK_INT(cpuset_release(rec, "t1"), -1);
		CHECK(exists("vrouterd/t1/cpu1"));
		CHECK(access(rec, F_OK) == 0); /* remembered */
		CHECK(exists("vrouterd-housekeeping"));
		rmdir(p);
	}
	CHECK_INT(cpuset_release(rec, "t1"), 0);
	CHECK(!exists("vrouterd"));
	CHECK(!exists("vrouterd-housekeeping"));
	CHECK_STR(get("cpuset.sched_load_balance"), "1");
	CHECK(access(rec, F_OK) == -1);

	/* a failure half-way: all or nothing */
	put("vrouterd", "not a directory");
	CHECK_INT(cpuset_setup(rec, "t1", &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "vrouterd/cpuset.mems") != NULL);
	CHECK(!exists("vrouterd-housekeeping"));
	CHECK_STR(get("cpuset.sched_load_balance"), "1");
	CHECK(access(rec, F_OK) == -1);
	{
		char p[600];

		snprintf(p, sizeof(p), "%s/vrouterd", root);
		unlink(p);
	}

	/* another cpuset over the CPUs (libvirt's "machine"): refused
	 * before anything is made, naming it */
	CHECK_INT(mkdir(strcat(strcpy(err, root), "/machine"), 0755), 0);
	put("machine/cpuset.cpus", "0-3\n");
	c = cpus("1");
	CHECK_INT(cpuset_check(rec, "t1", &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "/machine (cpus 0-3) overlaps CPUs 1") != NULL);
	err[0] = '\0';
	CHECK_INT(cpuset_setup(rec, "t1", &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "/machine (cpus 0-3) overlaps CPUs 1") != NULL);
	CHECK(!exists("vrouterd"));
	CHECK(!exists("vrouterd-housekeeping"));
	CHECK_STR(get("cpuset.sched_load_balance"), "1");
	CHECK(access(rec, F_OK) == -1);
	fprintf(stderr, "refusal: %s\n", err);

	/* no CPU left for everything else */
	fresh(1);
	c = cpus("0-3");
	CHECK_INT(cpuset_setup(rec, "t1", &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "no CPU would be left for the rest") != NULL);
	CHECK(!exists("vrouterd"));
}

static void
test_v2(void)
{
	cpu_set_t c;
	char err[1024] = "", pid[32];

	fresh(2);
	c = cpus("1-2");
	CHECK_INT(cpuset_setup(rec, "t1", &c, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "v2: %s\n", err);
	CHECK_STR(get("cgroup.subtree_control"), "+cpuset");
	CHECK_STR(get("vrouterd/cgroup.type"), "threaded");
	CHECK_STR(get("vrouterd/cgroup.subtree_control"), "+cpuset");
	CHECK_STR(get("vrouterd/cpuset.cpus"), "1-2");
	CHECK_STR(get("vrouterd/cpuset.cpus.partition"), "root");
	CHECK_STR(get("vrouterd/t1/cgroup.type"), "threaded");
	CHECK_STR(get("vrouterd/t1/cpuset.cpus"), "1-2");
	CHECK_STR(get("vrouterd/t1/cpuset.cpus.partition"), "root");
	CHECK_STR(get("vrouterd/t1/cpu1/cgroup.type"), "threaded");
	CHECK_STR(get("vrouterd/t1/cpu1/cpuset.cpus"), "1");
	CHECK_STR(get("vrouterd/t1/cpu1/cpuset.cpus.partition"), "root");
	CHECK_STR(get("vrouterd/t1/cpu2/cpuset.cpus"), "2");
	CHECK(!exists("vrouterd-housekeeping")); /* v1 only */

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	CHECK_INT(cpuset_attach(rec, "t1", 2, getpid(), 0, 0, err, sizeof(err)),
		  0);
	CHECK_STR(get("vrouterd/t1/cpu2/cgroup.threads"), pid);

	CHECK_INT(cpuset_release(rec, "t1"), 0);
	CHECK(!exists("vrouterd"));
	CHECK_STR(get("cgroup.threads"), pid);
	CHECK_STR(get("cgroup.subtree_control"), "-cpuset");
	CHECK(access(rec, F_OK) == -1);

	/* v2 too leaves the root a CPU */
	fresh(2);
	c = cpus("0-3");
	CHECK_INT(cpuset_setup(rec, "t1", &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "no CPU would be left for the rest") != NULL);
	CHECK(!exists("vrouterd"));

	/* no cpuset among the controllers: refused, nothing made */
	fresh(2);
	put("cgroup.controllers", "cpu io memory pids\n");
	CHECK_INT(cpuset_setup(rec, "t1", &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "no cpuset controller") != NULL);
	CHECK(!exists("vrouterd"));
	CHECK(access(rec, F_OK) == -1);
}

/* A restarted daemon reaps every topology that went, however many the
 * record holds (it once stopped at 64). */
static void
test_reap_many(void)
{
	char err[1024] = "", name[32], list[8];

	fresh(1);
	put("cpuset.cpus", "0-99\n");
	for (int i = 1; i <= 70; i++) {
		cpu_set_t c;

		snprintf(name, sizeof(name), "t%d", i);
		snprintf(list, sizeof(list), "%d", i);
		c = cpus(list);
		CHECK_INT(cpuset_setup(rec, name, &c, err, sizeof(err)), 0);
	}
	CHECK(exists("vrouterd/t70/cpu70"));
	cpuset_reap(rec, none_live);
	CHECK(!exists("vrouterd/t70"));
	CHECK(!exists("vrouterd"));
	CHECK(!exists("vrouterd-housekeeping"));
	CHECK_STR(get("cpuset.sched_load_balance"), "1");
	CHECK(access(rec, F_OK) == -1);
}

/* The longest list of CPU_SETSIZE CPUs fits CPULIST_MAX, and a buffer
 * too short gets no list at all, never one cut inside a number. */
static void
test_cpulist(void)
{
	static char buf[CPULIST_MAX], again[CPULIST_MAX];
	cpu_set_t c, back;

	CPU_ZERO(&c); /* "0-1,3-4,6-7,...": pairs with a gap, the longest */
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (i % 3 != 2)
			CPU_SET(i, &c);
	CHECK(cpulist_format(&c, buf, sizeof(buf)) == buf);
	CHECK(strlen(buf) > 2000);
	CHECK_INT(cpulist_parse(buf, &back), 0);
	CHECK(CPU_EQUAL(&c, &back));
	CHECK(cpulist_format(&c, again, strlen(buf)) == NULL);
	CHECK_STR(again, "");
	CHECK(cpulist_format(&c, again, strlen(buf) + 1) == again);
	c = cpus("2,4,150-155");
	CHECK(cpulist_format(&c, again, 8) == NULL);
	CHECK_STR(again, "");
}

/* 90 deadline CPUs 2,4,...,180: their list is longer than 256
 * characters; the record and the cpusets get all of it, and the undo
 * leaves nothing (it once recorded "2,...,154," and kept cpu156-180). */
static void
test_long_list(int version)
{
	char err[1024] = "", list[1024] = "";
	cpu_set_t c;

	fresh(version);
	put(version == 1 ? "cpuset.cpus" : "cpuset.cpus.effective", "0-199\n");
	CPU_ZERO(&c);
	for (int i = 2; i <= 180; i += 2)
		CPU_SET(i, &c);
	CHECK(cpulist_format(&c, list, sizeof(list)) != NULL);
	CHECK(strlen(list) > 256);
	CHECK_INT(cpuset_setup(rec, "t1", &c, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "long list v%d: %s\n", version, err);
	CHECK(exists("vrouterd/t1/cpu180"));
	CHECK_STR(get("vrouterd/t1/cpuset.cpus"), list);
	CHECK_INT(cpuset_release(rec, "t1"), 0);
	CHECK(!exists("vrouterd/t1/cpu180"));
	CHECK(!exists("vrouterd"));
	CHECK(access(rec, F_OK) == -1);
}

/* A restarted daemon's reap after adoption: none when a scan failed
 * (libvirt away: running guests' reservations were once undone), none
 * when a domain not adopted names no topology, never a topology an
 * orphan names; else every topology that went. */
static void
test_adopt_reap(void)
{
	char err[1024] = "";
	json_object *orphans;
	cpu_set_t c;

	fresh(2);
	c = cpus("1");
	CHECK_INT(cpuset_setup(rec, "t1", &c, err, sizeof(err)), 0);
	c = cpus("2");
	CHECK_INT(cpuset_setup(rec, "t2", &c, err, sizeof(err)), 0);
	orphans = json_object_new_array();
	sup_adopt_reap(rec, "vm", orphans);
	CHECK(exists("vrouterd/t1/cpu1"));
	CHECK(exists("vrouterd/t2/cpu2"));
	json_object_put(orphans);

	orphans = json_tokener_parse("[{\"kind\":\"domain\",\"name\":"
				     "\"vr-x\",\"reason\":\"no plan\"}]");
	sup_adopt_reap(rec, NULL, orphans);
	CHECK(exists("vrouterd/t1/cpu1"));
	CHECK(exists("vrouterd/t2/cpu2"));
	json_object_put(orphans);

	orphans = json_tokener_parse("[{\"kind\":\"domain\",\"name\":"
				     "\"vr-t1-r1\",\"topology\":\"t1\"}]");
	sup_adopt_reap(rec, NULL, orphans);
	CHECK(exists("vrouterd/t1/cpu1"));
	CHECK(!exists("vrouterd/t2"));
	json_object_put(orphans);

	orphans = json_object_new_array();
	sup_adopt_reap(rec, NULL, orphans);
	CHECK(!exists("vrouterd"));
	CHECK(access(rec, F_OK) == -1);
	json_object_put(orphans);
}

/* A record with values of the wrong type (a hand edit, a bad disk):
 * logged and skipped, never an abort of the daemon at adoption. */
static void
test_malformed_record(void)
{
	static const char *recs[] = {
	    "{\"topologies\": {\"t1\": {\"cpus\": \"1\", \"threads\": 5}}, "
	    "\"shared\": [{\"rmdir\": \"vrouterd\"}]}",
	    "{\"topologies\": {\"t1\": {\"cpus\": \"1\", \"threads\": "
	    "[5, {\"tid\": \"x\"}]}}, \"shared\": 5}",
	    "{\"topologies\": {\"t1\": 5, \"t2\": {\"cpus\": \"2\"}}, "
	    "\"shared\": [5]}",
	    "{\"topologies\": [1, 2]}",
	};
	char err[1024] = "";
	cpu_set_t c;

	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		fresh(2);
		c = cpus("1");
		CHECK_INT(cpuset_setup(rec, "t1", &c, err, sizeof(err)), 0);
		CHECK_INT(cpuset_attach(rec, "t1", 1, getpid(), 0, 0, err,
					sizeof(err)),
			  0);
		CHECK_INT(
		    file_write_atomic(rec, recs[i], strlen(recs[i]), 0600), 0);
		cpuset_reap(rec, none_live);
		CHECK_INT(cpuset_release(rec, "t1"), 0);
		c = cpus("3");
		CHECK_INT(cpuset_setup(rec, "t3", &c, err, sizeof(err)), 0);
		CHECK_INT(cpuset_release(rec, "t3"), 0);
	}
}

/* deadline_check on plans: a deadline thread's CPU that another thread's
 * set holds too (vhost threads on the housekeeping CPUs the emulator
 * uses) is refused before anything is made; v2 would take the CPU from
 * that thread.  Dedicated vhost CPUs pass. */
static void
test_deadline_shared_cpu(void)
{
	static const struct {
		const char *opts, *want;
	} cases[] = {
	    {"{\"topology\":\"monolithic\",\"pin\":true,"
	     "\"vhost_deadline\":\"200/1000\"}",
	     "--vhost-cpu dedicated"},
	    {"{\"topology\":\"monolithic\",\"pin\":true,"
	     "\"vhost_cpu\":\"vcpu\",\"vhost_deadline\":\"200/1000\"}",
	     "vcpu 0"},
	    {"{\"topology\":\"monolithic\",\"pin\":true,"
	     "\"vhost_cpu\":\"dedicated\",\"vhost_deadline\":\"200/1000\"}",
	     NULL},
	    {"{\"topology\":\"monolithic\",\"pin\":true,"
	     "\"deadline\":\"200/1000\"}",
	     NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static struct topo_plan p;
		struct topo_opts o;
		cpu_set_t online, isolated;
		json_object *j = json_tokener_parse(cases[i].opts);
		char err[1024] = "";

		fresh(2);
		put("cpuset.cpus.effective", "0-7\n");
		topo_opts_init(&o);
		CHECK_INT(topo_opts_from_json(j, &o, err, sizeof(err)), 0);
		json_object_put(j);
		online = cpus("0-7");
		CPU_ZERO(&isolated);
		CHECK_INT(topo_plan_build(&o, &online, &isolated, &p, err,
					  sizeof(err)),
			  0);
		err[0] = '\0';
		CHECK_INT(deadline_check(&p, err, sizeof(err)),
			  cases[i].want ? -1 : 0);
		if (cases[i].want) {
			CHECK(strstr(err, cases[i].want) != NULL);
			fprintf(stderr, "refusal: %s\n", err);
		} else if (err[0])
			fprintf(stderr, "unexpected: %s\n", err);
		CHECK(!exists("vrouterd"));
		topo_plan_free(&p);
	}
}

/* cpuset.json names the boot it was made in; a record of another boot
 * (one that outlived a reboot) is dropped without undoing: its shared
 * steps would undo this boot's settings ("-cpuset" into a subtree_control
 * that had cpuset before). */
static void
test_other_boot(void)
{
	char err[1024] = "", *boot, *r, *p;
	json_object *j;
	cpu_set_t c;

	fresh(2);
	c = cpus("1");
	CHECK_INT(cpuset_setup(rec, "t1", &c, err, sizeof(err)), 0);
	boot = file_read("/proc/sys/kernel/random/boot_id", 256);
	j = json_object_from_file(rec);
	CHECK_STR(json_object_get_string(json_object_object_get(j, "boot_id")),
		  boot ? boot : "(no boot_id)");
	json_object_put(j);
	free(boot);
	/* the same record after a reboot: the new boot set its own +cpuset
	 * and has no vrouterd cpusets (cgroupfs is fresh) */
	r = file_read(rec, 1 << 20);
	CHECK(r != NULL && (p = strstr(r, "\"boot_id\"")) != NULL);
	if (r != NULL && p != NULL) {
		p = strchr(p + 9, '"') + 1;
		memset(p, '0', 8);
		CHECK_INT(file_write_atomic(rec, r, strlen(r), 0600), 0);
	}
	free(r);
	put("cgroup.subtree_control", "+cpuset\n");
	cpuset_reap(rec, none_live);
	CHECK_STR(get("cgroup.subtree_control"), "+cpuset");
	CHECK(exists("vrouterd/t1/cpu1")); /* not ours any more */
	CHECK(access(rec, F_OK) == -1);
	/* a new start in this boot works from a clean record */
	c = cpus("2");
	CHECK_INT(cpuset_setup(rec, "t2", &c, err, sizeof(err)), 0);
	CHECK_INT(cpuset_release(rec, "t2"), 0);
	CHECK(!exists("vrouterd/t2"));
}

int
main(void)
{
	char cmd[600];

	snprintf(root, sizeof(root), "/tmp/vr-test-cpuset.%d", (int)getpid());
	snprintf(rec, sizeof(rec), "%s.json", root);
	setenv("VR_CGROUP_ROOT", root, 1);
	test_v1();
	test_v2();
	test_reap_many();
	test_cpulist();
	test_long_list(1);
	test_long_list(2);
	test_adopt_reap();
	test_malformed_record();
	test_deadline_shared_cpu();
	test_other_boot();
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", root, rec);
	CHECK_INT(system(cmd), 0);
	return t_done("test_cpuset");
}
