// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Attribution end to end (root): cgroups of the test's own under the
 * cgroup2 mount, named as docker, kubepods and systemd name theirs, with a
 * process moved into each before it execs (its pid written to
 * cgroup.procs). System-wide tools see the whole host, so every check is
 * on the records of those processes (by pid) or rows of those cgroups (by
 * id). Every cgroup is removed on every path (group teardown).
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "testlib.h"
#include "tk_cgroup.h"

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHORT "0123456789ab"
#define UUID "8d3c7f4e-1a2b-4c5d-9e8f-0a1b2c3d4e5f"
#define DOCKER "y/docker-" H64 ".scope"
#define KUBE "kubepods/burstable/pod" UUID "/" H64
#define UNIT "z.service"
#define SYSCALLWORK "build/tests/syscallwork"

static char cg[512];  /* CG: <cgroup2 mount>/tktest-cga-<pid> */
static char rel[512]; /* CG relative to the mount: /tktest-cga-<pid> */

/* CG/sub, created with its parents; its id (inode) into *id. */
static const char *cg_make(const char *sub, unsigned long long *id)
{
	static char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", cg, sub);
	for (char *p = path + strlen(cg); p; p = strchr(p + 1, '/')) {
		*p = 0;
		if (mkdir(path, 0755) && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		fail_msg("mkdir %s: %s", path, strerror(errno));
	assert_int_equal(stat(path, &st), 0);
	*id = st.st_ino;
	return path;
}

/* rmdir, waiting for the cgroup's last task to be gone (EBUSY meanwhile). */
static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)f;
	if (flag != FTW_DP)
		return 0;
	for (int i = 0; i < 200 && rmdir(path) && errno == EBUSY; i++)
		usleep(10000);
	return 0;
}

static void cg_remove_all(void)
{
	if (cg[0])
		nftw(cg, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void cg_remove(const char *path)
{
	rm_one(path, NULL, FTW_DP, NULL);
	if (access(path, F_OK) == 0)
		fail_msg("%s is still there: %s", path, strerror(errno));
}

/* Runs argv in cgroup dir: the child writes its pid to cgroup.procs, then
 * execs. Returns its pid once it exited 0. */
static pid_t run_in(const char *dir, const char *const *argv)
{
	char procs[1100];
	int status;
	pid_t pid;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int fd = open(procs, O_WRONLY);
		char buf[16];
		int n = snprintf(buf, sizeof(buf), "%d", (int)getpid());

		if (fd < 0 || write(fd, buf, n) != n)
			_exit(120);
		close(fd);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("%s in %s: status 0x%x", argv[0], dir, status);
	return pid;
}

static const char *const true_argv[] = { "/bin/true", NULL };

/* ---- records of a system-wide proctrace ----------------------------------------- */

struct three {
	const char *dir[3];
	unsigned long long id[3];
	pid_t pid[3];
};

static void during_three(struct tl_run *run, void *arg)
{
	struct three *t = arg;

	(void)run;
	for (int i = 0; i < 3; i++)
		t->pid[i] = run_in(t->dir[i], true_argv);
}

/* The exec of /bin/true by pid: cgroup_id, cgroup and exactly the
 * attribution keys given (NULL: the key must be absent). */
static void check_exec(const struct tl_run *run, pid_t pid, unsigned long long id,
		       const char *sub, const char *container, const char *pod, const char *unit)
{
	const struct jv *v = tl_find(run, "exec", pid);
	const char *keys[] = { "container_id", "pod_uid", "unit" };
	const char *want[] = { container, pod, unit };
	char path[1024];

	if (!v)
		fail_msg("no exec record of pid %d", (int)pid);
	assert_string_equal(json_str(v, "filename"), "/bin/true");
	if ((unsigned long long)json_int(v, "cgroup_id", -1) != id)
		fail_msg("pid %d: cgroup_id %lld, expected %llu", (int)pid,
			 json_int(v, "cgroup_id", -1), id);
	snprintf(path, sizeof(path), "%s/%s", rel, sub);
	if (!json_str(v, "cgroup") || strcmp(json_str(v, "cgroup"), path))
		fail_msg("pid %d: cgroup '%s', expected '%s'", (int)pid,
			 json_str(v, "cgroup") ? json_str(v, "cgroup") : "(none)", path);
	for (int i = 0; i < 3; i++) {
		const char *got = json_str(v, keys[i]);

		if (want[i] ? !got || strcmp(got, want[i]) : json_get(v, keys[i]) != NULL)
			fail_msg("pid %d in %s: %s '%s', expected '%s'", (int)pid, sub, keys[i],
				 got ? got : "(none)", want[i] ? want[i] : "(none)");
	}
}

/* Removes the first n of t's cgroups, which the test made. */
static void remove_dirs(struct three *t, int n)
{
	for (int i = 0; i < n; i++) {
		cg_remove(t->dir[i]);
		free((char *)t->dir[i]);
	}
}

/* A docker scope, a kubepods container and a service: each process's
 * records say exactly which. */
static void test_attribution(void **state)
{
	struct three t;
	struct tl_run run;

	(void)state;
	NEED_ROOT();
	t.dir[0] = strdup(cg_make(DOCKER, &t.id[0]));
	t.dir[1] = strdup(cg_make(KUBE, &t.id[1]));
	t.dir[2] = strdup(cg_make(UNIT, &t.id[2]));
	tl_run(&run, .tool = "proctrace", .args = TL_ARGS("-j"), .during = during_three, .arg = &t);
	check_exec(&run, t.pid[0], t.id[0], DOCKER, H64, NULL, NULL);
	check_exec(&run, t.pid[1], t.id[1], KUBE, H64, UUID, NULL);
	check_exec(&run, t.pid[2], t.id[2], UNIT, NULL, NULL, UNIT);
	/* its exit too: every record is attributed */
	for (size_t i = 0, n = 0; i < run.r.n; i++) {
		const struct jv *v = run.r.v[i];

		if (json_int(v, "pid", -1) != t.pid[0] || strcmp(json_str(v, "event"), "exit"))
			continue;
		assert_int_equal(++n, 1);
		assert_string_equal(json_str(v, "container_id"), H64);
	}
	tl_run_free(&run);
	remove_dirs(&t, 3);
}

/* ---- -C ---------------------------------------------------------------------------- */

static void during_one(struct tl_run *run, void *arg)
{
	struct three *t = arg;

	(void)run;
	t->pid[0] = run_in(t->dir[0], true_argv);
	t->pid[1] = run_in(t->dir[1], true_argv);
}

/* The column: the short id, or the unit, after COMM. */
static void test_containers_column(void **state)
{
	struct three t;
	struct tl_run run;
	char want[256];

	(void)state;
	NEED_ROOT();
	t.dir[0] = strdup(cg_make(DOCKER, &t.id[0]));
	t.dir[1] = strdup(cg_make(UNIT, &t.id[1]));
	tl_run(&run, .tool = "proctrace", .args = TL_ARGS("-C"), .during = during_one, .arg = &t);
	assert_non_null(strstr(run.out, "COMM             CONTAINER        DETAILS\n"));
	snprintf(want, sizeof(want), "\nexec     %-7d %-7d %-5d %-16s %-16s ppid=", (int)t.pid[0],
		 (int)t.pid[0], 0, "true", SHORT);
	if (!strstr(run.out, want))
		fail_msg("no line starting '%s' in:\n%s", want + 1, run.out);
	snprintf(want, sizeof(want), "\nexec     %-7d %-7d %-5d %-16s %-16s ppid=", (int)t.pid[1],
		 (int)t.pid[1], 0, "true", UNIT);
	if (!strstr(run.out, want))
		fail_msg("no line starting '%s' in:\n%s", want + 1, run.out);
	tl_run_free(&run);
	remove_dirs(&t, 2);
}

/* ---- a cgroup removed before the consumer looks it up ----------------------------- */

static void during_removed(struct tl_run *run, void *arg)
{
	struct three *t = arg;

	/* the consumer frozen: the record waits in the ring while its cgroup
	 * is made, used and removed */
	assert_int_equal(kill(run->p.pid, SIGSTOP), 0);
	t->dir[0] = strdup(cg_make("gone/docker-" H64 ".scope", &t->id[0]));
	t->pid[0] = run_in(t->dir[0], true_argv);
	cg_remove(t->dir[0]);
	assert_int_equal(kill(run->p.pid, SIGCONT), 0);
}

static void test_removed_by_id(void **state)
{
	struct three t = { 0 };
	struct tl_run run;
	const struct jv *v;

	(void)state;
	NEED_ROOT();
	tl_run(&run, .tool = "proctrace", .args = TL_ARGS("-j"), .during = during_removed, .arg = &t);
	v = tl_find(&run, "exec", t.pid[0]);
	if (!v)
		fail_msg("no exec record of pid %d", (int)t.pid[0]);
	if ((unsigned long long)json_int(v, "cgroup_id", -1) != t.id[0])
		fail_msg("cgroup_id %lld, expected %llu", json_int(v, "cgroup_id", -1), t.id[0]);
	/* the id alone: no path, and nothing guessed */
	if (json_get(v, "cgroup") || json_get(v, "container_id") || json_get(v, "unit"))
		fail_msg("a removed cgroup resolved: cgroup '%s' container_id '%s'",
			 json_str(v, "cgroup"), json_str(v, "container_id"));
	tl_run_free(&run);
	free((char *)t.dir[0]);
}

/* ---- summaries per cgroup ----------------------------------------------------------- */

static const char *const work_argv[] = { NULL, "run", "/nonexistent-tktest-cga", "12345", "0",
					 NULL };

static void during_work(struct tl_run *run, void *arg)
{
	struct three *t = arg;
	const char *argv[6];

	(void)run;
	memcpy(argv, work_argv, sizeof(argv));
	argv[0] = tl_path(SYSCALLWORK);
	t->pid[0] = run_in(t->dir[0], argv);
}

/* syscallwork's 10,000 getppid, counted in the kernel for its cgroup. */
static void test_syscalltrace_per_cgroup(void **state)
{
	struct three t;
	struct tl_run run;
	size_t rows = 0;
	char path[600];

	(void)state;
	NEED_ROOT();
	t.dir[0] = strdup(cg_make("w.scope", &t.id[0]));
	tl_run(&run, .tool = "syscalltrace",
	       .args = TL_ARGS("-s", "--per-cgroup", "-e", "getppid", "-j"), .during = during_work,
	       .arg = &t, .table = true);
	snprintf(path, sizeof(path), "%s/w.scope", rel);
	for (size_t i = 0; i < run.r.n; i++) {
		const struct jv *v = run.r.v[i];

		assert_string_equal(json_str(v, "event"), "syscall_summary");
		assert_non_null(json_get(v, "cgroup_id"));
		if ((unsigned long long)json_int(v, "cgroup_id", -1) != t.id[0])
			continue;
		rows++;
		assert_string_equal(json_str(v, "syscall"), "getppid");
		if (json_int(v, "count", -1) != 10000)
			fail_msg("getppid in its cgroup: count %lld, expected 10000",
				 json_int(v, "count", -1));
		assert_int_equal(json_int(v, "errors", -1), 0);
		assert_string_equal(json_str(v, "cgroup"), path);
		assert_string_equal(json_str(v, "unit"), "w.scope");
		assert_null(json_get(v, "container_id"));
		assert_null(json_get(v, "pid")); /* per cgroup, not per process */
	}
	assert_int_equal(rows, 1);
	tl_run_free(&run);

	/* text: the table grouped, the row of the cgroup with its unit and path */
	tl_run(&run, .tool = "syscalltrace", .args = TL_ARGS("-s", "--per-cgroup", "-e", "getppid"),
	       .during = during_work, .arg = &t, .table = true);
	snprintf(path, sizeof(path), "%10llu %-16s getppid", t.id[0], "w.scope");
	if (!strstr(run.out, path))
		fail_msg("no row '%s' in:\n%s", path, run.out);
	snprintf(path, sizeof(path), " 10000 ");
	assert_non_null(strstr(strstr(run.out, "w.scope"), path));
	tl_run_free(&run);
	remove_dirs(&t, 1);
}

/* --per-cgroup --top 2, two cgroups of a shell and a /bin/true each (well
 * over 2 syscalls): the total line counts the 4 rows printed. */
static void during_two(struct tl_run *run, void *arg)
{
	static const char *const sh_argv[] = { "/bin/sh", "-c", ":; /bin/true", NULL };
	unsigned long long id;

	(void)run, (void)arg;
	run_in(cg_make("top/a.scope", &id), sh_argv);
	run_in(cg_make("top/b.scope", &id), sh_argv);
}

static void test_per_cgroup_top(void **state)
{
	char dir[600];
	struct tl_run run;
	size_t rows = 0, n = 0;
	const char *t;

	(void)state;
	NEED_ROOT();
	snprintf(dir, sizeof(dir), "%s/top", cg);
	cg_make("top", &(unsigned long long){ 0 });
	tl_run(&run, .tool = "syscalltrace",
	       .args = TL_ARGS("-s", "--per-cgroup", "--top", "2", "--cgroup", dir),
	       .during = during_two, .table = true);
	for (const char *l = run.out; (l = strstr(l, ".scope ")); l++)
		rows++;
	t = strstr(run.out, " ms in syscalls (");
	if (rows != 4 || !t || sscanf(t, " ms in syscalls (%zu of ", &n) != 1 || n != 4 ||
	    !strstr(t, " rows shown: the top 2 of each cgroup)\n"))
		fail_msg("%zu rows, the total line says %zu, expected 4 and 4:\n%s", rows, n,
			 run.out);
	tl_run_free(&run);
}

/* tk_cgroup_removed(), by handle and by walking: a live cgroup is not,
 * the same one after rmdir is (though its path stays cached). */
static void test_removed_check(void **state)
{
	(void)state;
	NEED_ROOT();
	for (unsigned flags = 0; flags <= TK_CG_WALK; flags += TK_CG_WALK) {
		struct tk_cgroups *r = tk_cgroups_new(tl_cgroup2_root(), flags);
		unsigned long long id;
		const char *dir;

		assert_non_null(r);
		dir = cg_make("gone", &id);
		assert_non_null(tk_cgroup_lookup(r, id));
		if (tk_cgroup_removed(r, id))
			fail_msg("%s (flags %u): live, but said removed", dir, flags);
		cg_remove(dir);
		if (!tk_cgroup_removed(r, id))
			fail_msg("%s (flags %u): removed, but not said so", dir, flags);
		assert_non_null(tk_cgroup_lookup(r, id)->path);
		tk_cgroups_free(r);
	}
}

/*
 * -i --per-cgroup over cgroup churn: CHURN short-lived cgroups, each with
 * a shell and a /bin/true (some 40 syscalls each: more keys in all than
 * the 16384 of the kernel's table), made and removed one after another
 * while 0.1 s tables are printed. The rows of removed cgroups must be
 * reaped, or the table fills and a last cgroup's 1000 getppid go
 * uncounted ("not counted: … table full").
 */
#define CHURN 600
static void during_churn(struct tl_run *run, void *arg)
{
	static const char *const sh_argv[] = { "/bin/sh", "-c", ":; /bin/true", NULL };
	const char *argv[] = { tl_path(SYSCALLWORK), "loop", "1000", NULL };
	unsigned long long id;
	char sub[64];

	(void)run;
	for (int i = 0; i < CHURN; i++) {
		snprintf(sub, sizeof(sub), "churn/c%d", i);
		run_in(cg_make(sub, &id), sh_argv);
		cg_remove(cg_make(sub, &id));
	}
	run_in(cg_make("churn/last", (unsigned long long *)arg), argv);
}

static void test_per_cgroup_churn(void **state)
{
	unsigned long long last = 0;
	long long count = 0;
	struct tl_run run;
	char dir[600];

	(void)state;
	NEED_ROOT();
	snprintf(dir, sizeof(dir), "%s/churn", cg);
	cg_make("churn", &(unsigned long long){ 0 });
	tl_run(&run, .tool = "syscalltrace",
	       .args = TL_ARGS("-s", "--per-cgroup", "-i", "0.1", "-j", "--cgroup", dir),
	       .during = during_churn, .arg = &last, .table = true, .timeout_ms = 120000);
	for (size_t i = 0; i < run.r.n; i++)
		if ((unsigned long long)json_int(run.r.v[i], "cgroup_id", -1) == last &&
		    !strcmp(json_str(run.r.v[i], "syscall") ?: "", "getppid"))
			count += json_int(run.r.v[i], "count", 0);
	if (count != 1000 || strstr(run.err, "not counted"))
		fail_msg("the last cgroup's getppid: %lld, expected 1000; stderr:\n%s", count,
			 run.err);
	tl_run_free(&run);
}

/* syscallwork's one read of 12345 bytes of /dev/zero, by its cgroup. */
static void test_filetrace_per_cgroup(void **state)
{
	struct three t;
	struct tl_run run;
	long long opens = 0, reads = 0, rbytes = 0;
	char path[1024];

	(void)state;
	NEED_ROOT();
	t.dir[0] = strdup(cg_make(KUBE, &t.id[0]));
	tl_run(&run, .tool = "filetrace", .args = TL_ARGS("-s", "--per-cgroup", "--top", "0", "-j"),
	       .during = during_work, .arg = &t, .table = true);
	snprintf(path, sizeof(path), "%s/%s", rel, KUBE);
	for (size_t i = 0; i < run.r.n; i++) {
		const struct jv *v = run.r.v[i];

		if ((unsigned long long)json_int(v, "cgroup_id", -1) != t.id[0])
			continue;
		assert_string_equal(json_str(v, "cgroup"), path);
		assert_string_equal(json_str(v, "container_id"), H64);
		assert_string_equal(json_str(v, "pod_uid"), UUID);
		if (strcmp(json_str(v, "path"), "/dev/zero"))
			continue;
		/* one table per second: the counts may be split over two */
		opens += json_int(v, "opens", -1);
		reads += json_int(v, "reads", -1);
		rbytes += json_int(v, "rbytes", -1);
	}
	if (opens != 1 || reads != 1 || rbytes != 12345)
		fail_msg("/dev/zero in its cgroup: %lld opens, %lld reads, %lld bytes; expected 1, "
			 "1, 12345", opens, reads, rbytes);
	tl_run_free(&run);
	remove_dirs(&t, 1);
}

/* ---- tracekit trace --report, grouped ------------------------------------------------ */

/* The containers entry of cgroup id in the report, or NULL. */
static const struct jv *report_cgroup(const struct jv *rep, unsigned long long id)
{
	const struct jv *c = json_get(rep, "containers");

	for (size_t i = 0; c && c->type == J_ARR && i < c->len; i++)
		if ((unsigned long long)json_int(&c->items[i], "cgroup_id", -1) == id)
			return &c->items[i];
	return NULL;
}

/* The process pid in procs (the report's "processes" or a "children"
 * array) or below it, or NULL. */
static const struct jv *report_proc(const struct jv *procs, long long pid)
{
	for (size_t i = 0; procs && procs->type == J_ARR && i < procs->len; i++) {
		const struct jv *p = &procs->items[i];

		if (json_int(p, "pid", -1) == pid ||
		    (p = report_proc(json_get(p, "children"), pid)))
			return p;
	}
	return NULL;
}

/*
 * A command whose child moves itself into a docker-named cgroup before it
 * execs: the report (-j) lists that cgroup with the container id and
 * exactly the child's pid, the child's process object carries them and
 * where it came from (its parent's cgroup, where the command stays).
 */
static void test_report_grouped(void **state)
{
	char dir[] = "/tmp/tk_cga_rep.XXXXXX", recs[64], pidf[64], script[1600], want[1100];
	const struct jv *c, *mine, *p, *pids;
	unsigned long long id;
	const char *docker;
	struct tl_run run;
	struct jv *rep;
	long long child;
	char *s;

	(void)state;
	NEED_ROOT();
	assert_non_null(mkdtemp(dir));
	docker = strdup(cg_make("rep/docker-" H64 ".scope", &id));
	snprintf(recs, sizeof(recs), "%s/records", dir);
	snprintf(pidf, sizeof(pidf), "%s/pid", dir);
	snprintf(script, sizeof(script),
		 "sh -c 'echo $$ > %s/cgroup.procs && echo $$ > %s && exec /bin/true'; true",
		 docker, pidf);
	tl_run(&run, .tool = "tracekit",
	       .args = TL_ARGS("trace", "-j", "--report", "-o", recs, "-e", "proc", "--",
			       "/bin/bash", "-c", script));
	assert_non_null(s = slurp(pidf));
	child = atoll(s);
	free(s);
	rep = json_parse(run.out ? run.out : "");
	if (!rep)
		fail_msg("the report is not one JSON document:\n%s", run.out ? run.out : "");
	fprintf(stderr, "report: child %lld, %zu cgroups\n", child,
		json_get(rep, "containers") ? json_get(rep, "containers")->len : 0);
	if (!(c = report_cgroup(rep, id)))
		fail_msg("no containers entry of cgroup %llu in:\n%s", id, run.out);
	assert_string_equal(json_str(c, "container_id"), H64);
	snprintf(want, sizeof(want), "%s/rep/docker-" H64 ".scope", rel);
	assert_string_equal(json_str(c, "cgroup"), want);
	pids = json_get(c, "pids");
	if (!pids || pids->len != 1 || pids->items[0].inum != child)
		fail_msg("pids %zu, the first %lld; expected [%lld]", pids ? pids->len : 0,
			 pids && pids->len ? pids->items[0].inum : -1, child);
	assert_int_equal(json_int(json_get(c, "totals"), "processes", -1), 1);
	/* the command stays where the test runs, a cgroup of its own */
	assert_int_equal(json_get(rep, "containers")->len, 2);
	p = &json_get(rep, "processes")->items[0];
	mine = report_cgroup(rep, (unsigned long long)json_int(p, "cgroup_id", -1));
	assert_non_null(mine);
	assert_true(mine != c);
	assert_null(json_get(mine, "container_id"));
	if (!(p = report_proc(json_get(rep, "processes"), child)))
		fail_msg("no process %lld in the report:\n%s", child, run.out);
	assert_int_equal(json_int(p, "cgroup_id", -1), (long long)id);
	assert_string_equal(json_str(p, "container_id"), H64);
	assert_int_equal(json_int(p, "first_cgroup_id", -1), json_int(mine, "cgroup_id", -2));
	json_free(rep);
	tl_run_free(&run);
	unlink(recs);
	unlink(pidf);
	rmdir(dir);
	cg_remove(docker);
	free((char *)docker);
}

/* ---- bad arguments -------------------------------------------------------------------- */

static void test_bad_args(void **state)
{
	const char *const *bad[] = {
		TL_ARGS("filetrace", "--per-cgroup"), /* needs -s */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char tool[600];
		const char *argv[8] = { tool };
		struct proc p;
		char *err;

		snprintf(tool, sizeof(tool), "%s/bin/%s", tl_root, bad[i][0]);
		for (int j = 1; bad[i][j]; j++)
			argv[j] = bad[i][j];
		assert_int_equal(proc_start(&p, (char *const *)argv), 0);
		assert_int_equal(proc_wait(&p, 10000), 2);
		err = slurp(p.err);
		assert_non_null(strstr(err, "--per-cgroup need -s"));
		free(err);
		proc_cleanup(&p);
	}
}

static int setup(void **state)
{
	const char *root = tl_cgroup2_root();

	(void)state;
	if (!root || geteuid())
		return 0; /* the tests skip */
	snprintf(rel, sizeof(rel), "/tktest-cga-%d", (int)getpid());
	snprintf(cg, sizeof(cg), "%s%s", root, rel);
	if (mkdir(cg, 0755))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cg_remove_all();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TL_TEST(test_attribution),
		TL_TEST(test_containers_column),
		TL_TEST(test_removed_by_id),
		TL_TEST(test_syscalltrace_per_cgroup),
		TL_TEST(test_per_cgroup_top),
		TL_TEST(test_removed_check),
		TL_TEST(test_per_cgroup_churn),
		TL_TEST(test_filetrace_per_cgroup),
		TL_TEST(test_report_grouped),
		TL_TEST(test_bad_args),
	};
	return TL_RUN_GROUP("cgattr", tests, setup, teardown);
}
