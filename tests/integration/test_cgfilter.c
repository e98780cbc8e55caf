// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * --cgroup and cgroup_id end to end (root), on cgroups this test makes
 * under the cgroup2 mount (wherever it is: /sys/fs/cgroup, or
 * /sys/fs/cgroup/unified on a hybrid host) and removes again:
 *
 *     tktest-PID-N/          C: in neither x nor y
 *         x/inner/           A: the workload the filter must see
 *         y/                 B: the same workload beside it, never seen
 *
 * Each workload is started held (before its exec), moved into its cgroup
 * by writing cgroup.procs, and released: all it does after its exec
 * happens there. Every record of a --cgroup x run must carry cgroup_id ==
 * the inode of x/inner, and none may come from B or C.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testlib.h"
#include "tk.h"

#define MAX_KIDS 8

struct cg {
	char base[PATH_MAX / 2], x[PATH_MAX / 2], inner[PATH_MAX / 2], y[PATH_MAX / 2];
	unsigned long long inner_id, y_id, base_id;
	pid_t kids[MAX_KIDS]; /* held or running workloads, killed by the teardown */
	int go[MAX_KIDS];
	int nkids;
};

static struct cg cg; /* one test at a time; the teardown removes it */

static void cg_make(void)
{
	static int n;
	const char *root = tl_cgroup2_root();

	if (!root)
		skip(); /* no cgroup v2 here: nothing to test */
	memset(&cg, 0, sizeof(cg));
	/* the return values checked: none of the paths is cut short */
	assert_true(snprintf(cg.base, sizeof(cg.base), "%s/tktest-%d-%d", root, (int)getpid(),
			     ++n) < (int)sizeof(cg.base) - 8);
	assert_true(snprintf(cg.x, sizeof(cg.x), "%s/x", cg.base) > 0);
	assert_true(snprintf(cg.inner, sizeof(cg.inner), "%s/inner", cg.x) > 0);
	assert_true(snprintf(cg.y, sizeof(cg.y), "%s/y", cg.base) > 0);
	cg.base_id = tl_mkdir_ino(cg.base);
	tl_mkdir_ino(cg.x);
	cg.inner_id = tl_mkdir_ino(cg.inner);
	cg.y_id = tl_mkdir_ino(cg.y);
}

/* Every workload gone first: a cgroup with a live task cannot be removed. */
static int cg_teardown(void **state)
{
	for (int i = 0; i < cg.nkids; i++) {
		if (cg.go[i] >= 0)
			close(cg.go[i]); /* unreleased: it exits 127 */
		if (cg.kids[i] > 0) {
			kill(cg.kids[i], SIGKILL);
			waitpid(cg.kids[i], NULL, 0);
		}
	}
	cg.nkids = 0;
	if (cg.base[0]) {
		const char *dirs[] = { cg.inner, cg.x, cg.y, cg.base };

		for (size_t i = 0; i < 4; i++)
			if (rmdir(dirs[i]) && errno != ENOENT)
				fprintf(stderr, "warning: rmdir %s: %m\n", dirs[i]);
		cg.base[0] = 0;
	}
	return tl_teardown(state);
}

/*
 * Starts argv (argv[0] relative to the repository unless absolute) held,
 * moves it into dir, and returns its slot; out_fd: its stdout (-1:
 * /dev/null). Released by cg_release().
 */
static int cg_spawn(const char *dir, const char *const *argv, int out_fd)
{
	char procs[PATH_MAX], pid[16], *args[16];
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC), k = cg.nkids, fd, n = 0;

	assert_true(k < MAX_KIDS && null >= 0);
	for (; argv[n] && n < 15; n++)
		args[n] = (char *)(n || argv[0][0] == '/' ? argv[n] : tl_path(argv[0]));
	args[n] = NULL;
	cg.kids[k] = tk_spawn(args[0], args,
			      &(struct tk_spawn){ .out_fd = out_fd >= 0 ? out_fd : null,
						  .err_fd = -1, .go_fd = &cg.go[k] });
	close(null);
	assert_true(cg.kids[k] > 0);
	cg.nkids++;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	n = snprintf(pid, sizeof(pid), "%d", (int)cg.kids[k]);
	fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, pid, n) != n)
		fail_msg("moving %s into %s: %m", pid, procs);
	close(fd);
	assert_int_equal(tl_cgroup_id(cg.kids[k]), strcmp(dir, cg.inner) ? strcmp(dir, cg.y)
		? cg.base_id : cg.y_id : cg.inner_id);
	return k;
}

static void cg_release(int k)
{
	assert_int_equal(write(cg.go[k], "g", 1), 1);
	close(cg.go[k]);
	cg.go[k] = -1;
}

/* Waits for slot k; its exit status must be rc (< 0: any). */
static void cg_wait(int k, int rc)
{
	int st;

	assert_int_equal(waitpid(cg.kids[k], &st, 0), cg.kids[k]);
	cg.kids[k] = 0;
	if (rc >= 0 && (!WIFEXITED(st) || WEXITSTATUS(st) != rc))
		fail_msg("workload %d: status 0x%x, expected exit %d", k, st, rc);
}

/* Every record's cgroup_id is want: the filter let nothing else through. */
static void all_in(const struct tl_run *run, unsigned long long want)
{
	for (size_t i = 0; i < run->r.n; i++) {
		long long id = json_int(run->r.v[i], "cgroup_id", -1);

		if (id != (long long)want)
			fail_msg("record %zu (%s, pid %lld): cgroup_id %lld, expected %llu", i,
				 json_str(run->r.v[i], "event"), json_int(run->r.v[i], "pid", -1),
				 id, want);
	}
}

/* ---- proctrace: the subtree, the union, -p, command mode ------------------ */

#define TWO_TRUES TL_ARGS("/bin/sh", "-c", "/bin/true; /bin/true")

/* A (argv) in x/inner and B (the same) in y, both held. */
static void cg_pair(const char *const *argv, pid_t *a, pid_t *b)
{
	*a = cg.kids[cg_spawn(cg.inner, argv, -1)];
	*b = cg.kids[cg_spawn(cg.y, argv, -1)];
}

/* During the run: the held workloads released at once, then awaited;
 * each must exit 0, unless arg is ANY_STATUS. */
#define ANY_STATUS ((void *)"any")
static void release_all(struct tl_run *run, void *arg)
{
	(void)run;
	for (int k = 0; k < cg.nkids; k++)
		if (cg.go[k] >= 0)
			cg_release(k);
	for (int k = 0; k < cg.nkids; k++)
		if (cg.kids[k] > 0)
			cg_wait(k, arg == ANY_STATUS ? -1 : 0);
}

/* A in x/inner, B in y, concurrently: --cgroup x sees A's sh and its two
 * trues, with x/inner's id, and nothing of B. */
static void test_subtree(void **state)
{
	struct tl_run run;
	pid_t a, b;

	(void)state;
	NEED_ROOT();
	cg_make();
	cg_pair(TWO_TRUES, &a, &b);
	tl_run(&run, .tool = "proctrace", .args = TL_ARGS("-j", "--cgroup", cg.x),
	       .during = release_all);
	all_in(&run, cg.inner_id);
	ASSERT_ONE_RECORD(&run.r, "event=exec pid=%d filename=/bin/sh cgroup_id=%llu", a,
			  cg.inner_id);
	assert_int_equal(records_count(&run.r, "exec", 0), 3); /* sh, true, true */
	assert_int_equal(records_count(&run.r, "exit", 0), 3);
	assert_int_equal(records_count(&run.r, NULL, b), 0);
	tl_run_free(&run);
}

/* Two --cgroup options: A (x/inner) and B (y) seen, C (their parent) not. */
static void test_union(void **state)
{
	struct tl_run run;
	pid_t a, b, c;
	int A, B, C;

	(void)state;
	NEED_ROOT();
	cg_make();
	A = cg_spawn(cg.inner, TL_ARGS("/bin/true"), -1);
	B = cg_spawn(cg.y, TL_ARGS("/bin/true"), -1);
	C = cg_spawn(cg.base, TL_ARGS("/bin/true"), -1);
	a = cg.kids[A];
	b = cg.kids[B];
	c = cg.kids[C];
	tl_run(&run, .tool = "proctrace",
	       .args = TL_ARGS("-j", "--cgroup", cg.x, "--cgroup", cg.y), .during = release_all);
	ASSERT_ONE_RECORD(&run.r, "event=exec pid=%d cgroup_id=%llu", a, cg.inner_id);
	ASSERT_ONE_RECORD(&run.r, "event=exec pid=%d cgroup_id=%llu", b, cg.y_id);
	assert_int_equal(records_count(&run.r, NULL, c), 0);
	assert_int_equal(run.r.n, 4); /* exec and exit of A and B */
	tl_run_free(&run);
}

/* -p AND --cgroup: of two processes in x/inner only -p's; -p of one in y
 * with --cgroup x: nothing. */
static void test_with_pid(void **state)
{
	struct tl_run run;
	char p[16];
	pid_t a;
	int A;

	(void)state;
	NEED_ROOT();
	cg_make();
	A = cg_spawn(cg.inner, TL_ARGS("/bin/true"), -1);
	cg_spawn(cg.inner, TL_ARGS("/bin/true"), -1);
	a = cg.kids[A];
	snprintf(p, sizeof(p), "%d", (int)a);
	tl_run(&run, .tool = "proctrace", .args = TL_ARGS("-j", "-p", p, "--cgroup", cg.x),
	       .during = release_all);
	assert_int_equal(run.r.n, 2);
	ASSERT_ONE_RECORD(&run.r, "event=exec pid=%d cgroup_id=%llu", a, cg.inner_id);
	ASSERT_ONE_RECORD(&run.r, "event=exit pid=%d cgroup_id=%llu", a, cg.inner_id);
	tl_run_free(&run);

	A = cg_spawn(cg.y, TL_ARGS("/bin/true"), -1);
	snprintf(p, sizeof(p), "%d", (int)cg.kids[A]);
	tl_run(&run, .tool = "proctrace", .args = TL_ARGS("-j", "-p", p, "--cgroup", cg.x),
	       .during = release_all);
	assert_int_equal(run.r.n, 0);
	tl_run_free(&run);
}

/*
 * Command mode AND --cgroup: the command's sh starts outside x, moves
 * itself into x/inner, runs sleep and execs true: only those two execs
 * are seen, not the sh's own. A process in
 * x/inner outside the command's tree (B: 30 trues over 3 s) is not.
 */
static void test_command_mode(void **state)
{
	char script[PATH_MAX * 2];
	struct tl_run run;
	pid_t b;
	int B;

	(void)state;
	NEED_ROOT();
	cg_make();
	B = cg_spawn(cg.inner,
		     TL_ARGS("/bin/sh", "-c", "for i in $(seq 30); do /bin/true; sleep 0.1; done"),
		     -1);
	b = cg.kids[B];
	cg_release(B);
	snprintf(script, sizeof(script), "echo $$ > %s/cgroup.procs && sleep 0.5 && exec /bin/true",
		 cg.inner);
	tl_run(&run, .tool = "proctrace",
	       .args = TL_ARGS("-j", "--cgroup", cg.x, "--", "/bin/sh", "-c", script));
	cg_wait(B, 0);
	all_in(&run, cg.inner_id);
	ASSERT_ONE_RECORD(&run.r, "event=exec filename=/bin/true");
	ASSERT_ONE_RECORD(&run.r, "event=exec comm=sleep");
	assert_int_equal(records_count(&run.r, "exec", 0), 2); /* none of B's */
	assert_int_equal(records_count(&run.r, NULL, b), 0);
	tl_run_free(&run);
}

/* ---- every other tool -------------------------------------------------------- */

/* filetrace: cat of one file, by A in x/inner and by B in y. */
static void test_filetrace(void **state)
{
	char file[64];
	struct tl_run run;
	pid_t a, b;
	int fd;

	(void)state;
	NEED_ROOT();
	cg_make();
	snprintf(file, sizeof(file), "/tmp/tk-cgroup-%d", (int)getpid());
	fd = open(file, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
	cg_pair(TL_ARGS("/bin/cat", file), &a, &b);
	tl_run(&run, .tool = "filetrace", .args = TL_ARGS("-j", "-e", "open", "--cgroup", cg.x),
	       .during = release_all);
	unlink(file);
	all_in(&run, cg.inner_id);
	ASSERT_ONE_RECORD(&run.r, "event=open pid=%d path=%s ret=3", a, file);
	assert_int_equal(records_count(&run.r, NULL, b), 0);
	tl_run_free(&run);
}

/* syscalltrace: the same failing openat by A and B. */
static void test_syscalltrace(void **state)
{
	char path[64];
	struct tl_run run;
	pid_t a, b;

	(void)state;
	NEED_ROOT();
	cg_make();
	snprintf(path, sizeof(path), "/nonexistent-tk-cgroup-%d", (int)getpid());
	cg_pair(TL_ARGS("/bin/sh", "-c", "exec 2>/dev/null; cat \"$0\"", path), &a, &b);
	tl_run(&run, .tool = "syscalltrace",
	       .args = TL_ARGS("-j", "-e", "openat", "--cgroup", cg.x), .during = release_all, .arg = ANY_STATUS);
	all_in(&run, cg.inner_id);
	ASSERT_ONE_RECORD(&run.r, "event=syscall path=%s ret_str=ENOENT", path);
	assert_int_equal(records_count(&run.r, NULL, b), 0);
	assert_true(records_count(&run.r, NULL, a) > 0); /* sh's own opens */
	tl_run_free(&run);
}

/*
 * A call is its starting cgroup's: A, a shell in x/inner, waits in wait4
 * for its child, which moves A to y meanwhile (after a pause, so A is in
 * wait4 by then). --cgroup x admitted the wait4 at entry; its record must
 * carry x/inner's id, not y's, and nothing A does in y afterwards is seen.
 * The move is checked: A exits with the child's status (echo's write).
 */
static void test_moved_during_call(void **state)
{
	char procs[PATH_MAX];
	struct tl_run run;
	size_t n = 0;
	pid_t a;

	(void)state;
	NEED_ROOT();
	cg_make();
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg.y);
	a = cg.kids[cg_spawn(cg.inner,
			     TL_ARGS("/bin/sh", "-c",
				     "/bin/sh -c 'sleep 0.2; echo $PPID > \"$0\"' \"$0\"; exit $?",
				     procs),
			     -1)];
	tl_run(&run, .tool = "syscalltrace", .args = TL_ARGS("-j", "-e", "wait4", "--cgroup", cg.x),
	       .during = release_all);
	all_in(&run, cg.inner_id);
	/* the one that waited for the child, moved meanwhile (ret: the child's pid) */
	for (size_t i = 0; i < run.r.n; i++)
		if (json_int(run.r.v[i], "pid", -1) == a && json_int(run.r.v[i], "ret", -1) > 0)
			n++;
	if (n != 1)
		fail_msg("%zu completed wait4 of pid %d, expected 1", n, (int)a);
	tl_run_free(&run);
}

/*
 * A, held in x/inner: a shell that blocks in read() on a fifo (fd 3); its
 * background subshell moves it to y (writes its pid to y's cgroup.procs)
 * and then writes "hi" to the fifo. The fifo's path into fifo (cap 64).
 */
static pid_t spawn_moved_reader(char *fifo)
{
	char procs[PATH_MAX];

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg.y);
	snprintf(fifo, 64, "/tmp/tk-cgmove-%d", (int)getpid());
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	return cg.kids[cg_spawn(cg.inner,
				TL_ARGS("/bin/sh", "-c",
					"exec 3<>\"$1\"; (sleep 0.2; echo $$ > \"$0\" && echo hi >&3) & "
					"read l <&3; wait $!",
					procs, fifo),
				-1)];
}

/*
 * The same for filetrace: the read that started in x/inner is A's only
 * record under --cgroup x, with x/inner's id (the rest of the line is
 * read from y).
 */
static void test_filetrace_moved_during_call(void **state)
{
	char fifo[64];
	struct tl_run run;
	pid_t a;

	(void)state;
	NEED_ROOT();
	cg_make();
	a = spawn_moved_reader(fifo);
	tl_run(&run, .tool = "filetrace", .args = TL_ARGS("-j", "-e", "read", "--cgroup", cg.x),
	       .during = release_all);
	unlink(fifo);
	all_in(&run, cg.inner_id);
	ASSERT_ONE_RECORD(&run.r, "event=read pid=%d path=%s ret=1", a, fifo);
	tl_run_free(&run);
}

/*
 * Without --cgroup (and --per-cgroup) filetrace loads no enter program
 * for reads: the same read, moved from x/inner to y while it waits, is
 * reported at its exit in the cgroup it ended in, y (bpf/filetrace.bpf.c,
 * targ_cgroup_at_entry).
 */
static void test_filetrace_moved_no_cgroup_option(void **state)
{
	char fifo[64], pid[16], spec[256];
	struct tl_run run;
	size_t n, in_y;
	pid_t a;

	(void)state;
	NEED_ROOT();
	cg_make();
	a = spawn_moved_reader(fifo);
	snprintf(pid, sizeof(pid), "%d", (int)a);
	tl_run(&run, .tool = "filetrace", .args = TL_ARGS("-j", "-e", "read", "-p", pid),
	       .during = release_all);
	unlink(fifo);
	/* sh reads "hi\n" a byte at a time: 3 reads of 1, the first the one
	 * that waited through the move */
	snprintf(spec, sizeof(spec), "event=read pid=%d path=%s ret=1", (int)a, fifo);
	n = records_match(&run.r, spec);
	snprintf(spec, sizeof(spec), "event=read pid=%d path=%s ret=1 cgroup_id=%llu", (int)a,
		 fifo, cg.y_id);
	in_y = records_match(&run.r, spec);
	if (n != 3 || in_y != 3)
		fail_msg("%zu reads of 1 byte by pid %d, %zu of them in y (id %llu); expected 3 "
			 "and 3", n, (int)a, in_y, cg.y_id);
	tl_run_free(&run);
}

/* syscalltrace -s counts in the kernel: exactly A's 1000 getppid, none of B's 3000. */
static void test_syscalltrace_summary(void **state)
{
	struct tl_run run;
	const struct jv *row = NULL;

	(void)state;
	NEED_ROOT();
	cg_make();
	cg_spawn(cg.inner, TL_ARGS("build/tests/syscallwork", "loop", "1000"), -1);
	cg_spawn(cg.y, TL_ARGS("build/tests/syscallwork", "loop", "3000"), -1);
	tl_run(&run, .tool = "syscalltrace",
	       .args = TL_ARGS("-s", "-j", "-e", "getppid", "--cgroup", cg.x), .table = true,
	       .during = release_all, .arg = ANY_STATUS);
	for (size_t i = 0; i < run.r.n; i++)
		if (!strcmp(json_str(run.r.v[i], "event") ?: "", "syscall_summary"))
			row = run.r.v[i];
	assert_non_null(row);
	assert_string_equal(json_str(row, "syscall"), "getppid");
	assert_int_equal(json_int(row, "count", -1), 1000);
	tl_run_free(&run);
}

/* filetrace -s: A's 20 opens of a file in its top table, B's 30 not at all. */
static void test_filetrace_summary(void **state)
{
	struct tl_run run;
	size_t rows = 0;
	pid_t a, b;
	int A, B;

	(void)state;
	NEED_ROOT();
	cg_make();
	A = cg_spawn(cg.inner, TL_ARGS("build/tests/openloop", "20", "/etc/hostname"), -1);
	B = cg_spawn(cg.y, TL_ARGS("build/tests/openloop", "30", "/etc/hostname"), -1);
	a = cg.kids[A];
	b = cg.kids[B];
	tl_run(&run, .tool = "filetrace", .args = TL_ARGS("-s", "-j", "--cgroup", cg.x),
	       .table = true, .during = release_all);
	for (size_t i = 0; i < run.r.n; i++) {
		const struct jv *r = run.r.v[i];

		if (json_int(r, "pid", 0) == b)
			fail_msg("a row of the process outside: %s", json_str(r, "path"));
		if (json_int(r, "pid", 0) == a && !strcmp(json_str(r, "path") ?: "", "/etc/hostname")) {
			assert_int_equal(json_int(r, "opens", -1), 20);
			rows++;
		}
	}
	assert_int_equal(rows, 1);
	tl_run_free(&run);
}

/* sigtrace: sigsend 3 (three ignored SIGUSR2s to itself) by A and by B. */
static void test_sigtrace(void **state)
{
	struct tl_run run;
	pid_t a, b;

	(void)state;
	NEED_ROOT();
	cg_make();
	cg_pair(TL_ARGS("build/tests/sigsend", "3"), &a, &b);
	tl_run(&run, .tool = "sigtrace", .args = TL_ARGS("-j", "--cgroup", cg.x),
	       .during = release_all);
	all_in(&run, cg.inner_id);
	assert_int_equal(records_match(&run.r, "event=generate sig=12 result_str=ignored"), 3);
	assert_int_equal(records_count(&run.r, "generate", a), records_count(&run.r, NULL, 0));
	assert_int_equal(records_count(&run.r, NULL, b), 0);
	tl_run_free(&run);
}

/*
 * nettrace: a loopback server A in x/inner, its client B in y. The
 * server's side (accept, its close) is seen with x/inner's id; the
 * client's connect and close are not: the owner's cgroup is recorded
 * with the socket, as its pid is.
 */
static void test_nettrace(void **state)
{
	char port[16] = "";
	struct tl_run run;
	int A, B, pfd[2];
	pid_t a, b;
	FILE *f;

	(void)state;
	NEED_ROOT();
	cg_make();
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	A = cg_spawn(cg.inner, TL_ARGS("build/tests/tcppeer", "server", "127.0.0.1", "1", "10", "20"),
		     pfd[1]);
	close(pfd[1]);
	a = cg.kids[A];
	tl_start(&run, .tool = "nettrace", .args = TL_ARGS("-j", "--cgroup", cg.x));
	cg_release(A);
	f = fdopen(pfd[0], "r");
	assert_non_null(f);
	assert_non_null(fgets(port, sizeof(port), f));
	port[strcspn(port, "\n")] = 0;
	B = cg_spawn(cg.y, TL_ARGS("build/tests/tcppeer", "client", "127.0.0.1", port, "10", "20"),
		     -1);
	b = cg.kids[B];
	cg_release(B);
	cg_wait(B, 0);
	cg_wait(A, 0);
	fclose(f);
	usleep(200000); /* the close's last state changes */
	tl_stop(&run);
	all_in(&run, cg.inner_id);
	ASSERT_ONE_RECORD(&run.r, "event=accept pid=%d sport=%s", a, port);
	ASSERT_ONE_RECORD(&run.r, "event=close pid=%d sport=%s", a, port);
	assert_int_equal(records_count(&run.r, NULL, b), 0);
	assert_int_equal(records_count(&run.r, "connect", 0), 0);
	tl_run_free(&run);
}

/* ---- paths ------------------------------------------------------------------- */

/* The same hierarchy mounted a second time: a path through either mount
 * selects the same cgroup (the kernel checks the cgroup, not the path). */
static void test_other_mount(void **state)
{
	char mnt[] = "/tmp/tk-cgroup2-XXXXXX", x[PATH_MAX];
	struct tl_run run;
	pid_t a;
	int A;

	(void)state;
	NEED_ROOT();
	cg_make();
	assert_non_null(mkdtemp(mnt));
	if (mount("none", mnt, "cgroup2", 0, NULL)) {
		rmdir(mnt);
		fail_msg("mount -t cgroup2 %s: %m", mnt);
	}
	snprintf(x, sizeof(x), "%s%s", mnt, cg.x + strlen(tl_cgroup2_root()));
	A = cg_spawn(cg.inner, TL_ARGS("/bin/true"), -1);
	a = cg.kids[A];
	tl_start(&run, .tool = "proctrace", .args = TL_ARGS("-j", "--cgroup", x),
		 .during = release_all);
	/* the path is opened at load, so the mount may go once the tool is ready */
	if (umount(mnt) == 0)
		rmdir(mnt);
	else
		fprintf(stderr, "warning: umount %s: %m\n", mnt);
	tl_stop(&run);
	ASSERT_ONE_RECORD(&run.r, "event=exec pid=%d cgroup_id=%llu", a, cg.inner_id);
	tl_run_free(&run);
}

/* Not a cgroup v2 directory: one line, exit 2, for every tool; relative
 * paths are resolved against the working directory. */
static void test_bad_paths(void **state)
{
	static const char *const tools[] = { "proctrace", "filetrace", "nettrace",
					     "syscalltrace", "sigtrace" };
	const char *bad[] = { "/nonexistent-tk-cgroup", "/tmp", "/etc/hostname",
			      "/sys/fs/cgroup/pids" /* v1, on a hybrid host */ };
	char rel[PATH_MAX], cwd[PATH_MAX];
	struct tl_run run;

	(void)state;
	NEED_ROOT();
	for (size_t t = 0; t < 5; t++) {
		for (size_t i = 0; i < 4; i++) {
			char bin[64], *err;
			struct proc p;
			int rc;

			if (i == 3 && access("/sys/fs/cgroup/pids/cgroup.procs", F_OK))
				continue; /* no v1 controller mounted there */
			snprintf(bin, sizeof(bin), "bin/%s", tools[t]);
			assert_int_equal(proc_start(&p, (char *const[]){ (char *)tl_path(bin),
									 "--cgroup", (char *)bad[i],
									 NULL }),
					 0);
			rc = proc_wait(&p, 10000);
			err = slurp(p.err);
			if (rc != 2 || !err || !strstr(err, "invalid cgroup") ||
			    strchr(err, '\n') != err + strlen(err) - 1)
				fail_msg("%s --cgroup %s: exit %d (2 expected), stderr (one line "
					 "expected):\n%s", tools[t], bad[i], rc, err ? err : "");
			free(err);
			proc_cleanup(&p);
		}
	}
	/* a relative path: from the cgroup2 root, "." is the root itself */
	cg_make();
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(cg.base), 0);
	snprintf(rel, sizeof(rel), "x/inner");
	cg_spawn(cg.inner, TL_ARGS("/bin/true"), -1);
	tl_run(&run, .tool = "proctrace", .args = TL_ARGS("-j", "--cgroup", rel),
	       .during = release_all);
	assert_int_equal(chdir(cwd), 0);
	all_in(&run, cg.inner_id);
	assert_int_equal(records_count(&run.r, "exec", 0), 1);
	tl_run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_subtree, cg_teardown),
		cmocka_unit_test_teardown(test_union, cg_teardown),
		cmocka_unit_test_teardown(test_with_pid, cg_teardown),
		cmocka_unit_test_teardown(test_command_mode, cg_teardown),
		cmocka_unit_test_teardown(test_filetrace, cg_teardown),
		cmocka_unit_test_teardown(test_syscalltrace, cg_teardown),
		cmocka_unit_test_teardown(test_moved_during_call, cg_teardown),
		cmocka_unit_test_teardown(test_filetrace_moved_during_call, cg_teardown),
		cmocka_unit_test_teardown(test_filetrace_moved_no_cgroup_option, cg_teardown),
		cmocka_unit_test_teardown(test_syscalltrace_summary, cg_teardown),
		cmocka_unit_test_teardown(test_filetrace_summary, cg_teardown),
		cmocka_unit_test_teardown(test_sigtrace, cg_teardown),
		cmocka_unit_test_teardown(test_nettrace, cg_teardown),
		cmocka_unit_test_teardown(test_other_mount, cg_teardown),
		cmocka_unit_test_teardown(test_bad_paths, cg_teardown),
	};
	return TL_RUN_GROUP("cgfilter", tests, NULL, NULL);
}
