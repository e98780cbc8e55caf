// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * proctrace end to end (root): the real BPF programs, real workloads, the
 * exact records that come back. Without root every test reports SKIPPED.
 * The frame (running the tool, the summary, JSON validity, the standard
 * checks, leak checks) is testlib's harness.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testlib.h"

#define TOOL "proctrace"
#define EXECBURST tl_path("build/tests/execburst")
#define EXECAT tl_path("build/tests/execat")
#define BURST_COMM "tk-burst-child"
#define BURST_N 3000

static char burst_link[256]; /* symlink named BURST_COMM -> /bin/true */

/* The standard checks: execburst's 3000 forks, by pid. */
static const tl_args bad[] = {
	{ "--ringbuf-size", "1000" }, { "-n", "x" }, { "-x", "--include-failed" }, { NULL },
};
static const tl_args valgrind[] = {
	{ "-j", "--include-failed", "--", "/bin/sh", "-c", "/bin/true; exit 4" }, { NULL },
};
static const struct tl_tool tool = {
	.name = TOOL, .prog_prefix = "proc_",
	.workload = TL_ARGS("build/tests/execburst", "3000", "/bin/true"),
	.filter = TL_ARGS("-e", "fork"),
	.event = "fork", .n = BURST_N, .bad = bad, .valgrind = valgrind, .valgrind_rc = 4,
};

static int setup(void **state)
{
	char dir[] = "/tmp/tk-proc-XXXXXX";

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(burst_link, sizeof(burst_link), "%s/%s", dir, BURST_COMM);
	return symlink("/bin/true", burst_link);
}

static int teardown(void **state)
{
	char *slash;

	(void)state;
	unlink(burst_link);
	slash = strrchr(burst_link, '/');
	if (slash) {
		*slash = 0;
		rmdir(burst_link);
	}
	return 0;
}

static const struct jv *find_exec(const struct records *r, const char *filename,
				  const char *argv1)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct jv *v = r->v[i], *a = json_get(v, "argv");
		const char *ev = json_str(v, "event"), *fn = json_str(v, "filename");

		if (!ev || strcmp(ev, "exec") || !fn || strcmp(fn, filename))
			continue;
		if (argv1 && (!a || a->len < 2 || strcmp(a->items[1].str, argv1)))
			continue;
		return v;
	}
	return NULL;
}

/*
 * Command mode: the whole tree of `sh -c SCRIPT` with exact argv, a failed
 * exec, exit codes, a SIGKILL, fork parent/child — and nothing from a
 * process outside the tree that runs at the same time.
 */
static void test_command_mode_exact(void **state)
{
	static const char script[] =
		"/bin/echo 'a b' \"q'x\" 'd\"q' '\xc3\xbcn\xc3\xaf' >/dev/null; "
		"/nonexistent/tk-prog 2>/dev/null; "
		"/bin/sh -c 'exit 3'; "
		"/bin/sh -c 'kill -9 $$'; "
		"exit 5";
	char *outside[] = { (char *)EXECBURST, "200", "/bin/echo", "outside-marker", NULL };
	const struct jv *sh, *echo, *bad, *a;
	long long shpid, kids[4];
	size_t nkids = 0;
	struct tl_run run;
	const struct records *r = &run.r;
	pid_t noise;

	(void)state;
	NEED_ROOT();
	noise = fork(); /* activity outside the traced tree, concurrently */
	if (noise == 0) {
		run_quiet(outside);
		_exit(0);
	}
	tl_run(&run, .tool = TOOL, .args = TL_ARGS("-j", "--include-failed", "--", "/bin/sh", "-c", script),
	       .rc = 5 /* the command's exit status */);
	waitpid(noise, NULL, 0);

	sh = find_exec(r, "/bin/sh", "-c");
	assert_non_null(sh);
	shpid = json_int(sh, "pid", -1);
	assert_int_equal(json_int(sh, "ret", -1), 0);
	a = json_get(sh, "argv");
	assert_int_equal(a->len, 3);
	assert_string_equal(a->items[2].str, script);

	echo = find_exec(r, "/bin/echo", "a b");
	assert_non_null(echo);
	a = json_get(echo, "argv");
	assert_int_equal(a->len, 5);
	assert_string_equal(a->items[0].str, "/bin/echo");
	assert_string_equal(a->items[1].str, "a b");
	assert_string_equal(a->items[2].str, "q'x");
	assert_string_equal(a->items[3].str, "d\"q");
	assert_string_equal(a->items[4].str, "\xc3\xbcn\xc3\xaf");
	assert_int_equal(json_int(echo, "ppid", -1), shpid);
	assert_string_equal(json_str(echo, "comm"), "echo");

	bad = find_exec(r, "/nonexistent/tk-prog", NULL);
	assert_non_null(bad);
	assert_int_equal(json_int(bad, "ret", 0), -2);
	assert_string_equal(json_str(bad, "ret_str"), "ENOENT");

	/* sh forked exactly 4 children; each has its fork record */
	for (size_t i = 0; i < r->n; i++) {
		const char *ev = json_str(r->v[i], "event");

		if (!strcmp(ev, "fork") && json_int(r->v[i], "pid", -1) == shpid) {
			assert_true(nkids < 4);
			kids[nkids++] = json_int(r->v[i], "child_pid", -1);
			assert_int_equal(json_int(r->v[i], "child_tid", -2), kids[nkids - 1]);
		}
	}
	assert_int_equal(nkids, 4);
	assert_int_equal(kids[0], json_int(echo, "pid", -1));
	assert_int_equal(kids[1], json_int(bad, "pid", -1));

	/* exits: echo 0, failed exec 127, exit 3, SIGKILL, sh itself 5 */
	assert_int_equal(json_int(tl_find(&run, "exit", kids[0]), "exit_code", -1), 0);
	assert_int_equal(json_int(tl_find(&run, "exit", kids[1]), "exit_code", -1), 127);
	assert_int_equal(json_int(tl_find(&run, "exit", kids[2]), "exit_code", -1), 3);
	assert_int_equal(json_int(tl_find(&run, "exit", kids[3]), "signal", -1), 9);
	assert_string_equal(json_str(tl_find(&run, "exit", kids[3]), "signal_str"), "SIGKILL");
	assert_int_equal(json_int(tl_find(&run, "exit", shpid), "exit_code", -1), 5);
	assert_true(json_int(tl_find(&run, "exit", shpid), "duration_ns", 0) > 0);

	/* nothing from outside the tree */
	for (size_t i = 0; i < r->n; i++) {
		long long pid = json_int(r->v[i], "pid", -1);
		bool in_tree = pid == shpid;

		for (size_t k = 0; k < nkids; k++)
			in_tree |= pid == kids[k];
		if (!in_tree)
			fail_msg("record from pid %lld outside the traced tree (%s)", pid,
				 json_str(r->v[i], "event"));
	}
	/* exactly: execs of sh, echo, the failed one and two nested sh */
	assert_int_equal(records_count(r, "exec", 0), 5);
	assert_int_equal(records_count(r, "fork", 0), 4);
	assert_int_equal(records_count(r, "exit", 0), 5);
	tl_run_free(&run);
}

/*
 * execveat: the same program as execve (bpf/proctrace.bpf.c), which takes
 * the name and argv one argument further on: the exact record of each, and
 * a failed one too.
 */
static void test_execveat_exact(void **state)
{
	const struct jv *e, *a;
	struct tl_run run;
	const struct records *r = &run.r;

	(void)state;
	NEED_ROOT();
	tl_run(&run, .tool = TOOL,
	       .args = TL_ARGS("-j", "-e", "exec", "--include-failed", "--", EXECAT, "/bin", "true",
			       "at 1", "x\"y"));
	assert_int_equal(records_count(r, "exec", 0), 2);
	e = find_exec(r, "true", "at 1");
	assert_non_null(e);
	assert_int_equal(json_int(e, "ret", -1), 0);
	assert_string_equal(json_str(e, "comm"), "true");
	a = json_get(e, "argv");
	assert_int_equal(a->len, 3);
	assert_string_equal(a->items[0].str, "true");
	assert_string_equal(a->items[1].str, "at 1");
	assert_string_equal(a->items[2].str, "x\"y");
	tl_run_free(&run);

	tl_run(&run, .tool = TOOL,
	       .args = TL_ARGS("-j", "-e", "exec", "--include-failed", "--", EXECAT, "/bin",
			       "tk-no-such-prog", "arg"),
	       .rc = 1 /* execat's, after the failed call */);
	e = find_exec(r, "tk-no-such-prog", "arg");
	assert_non_null(e);
	assert_int_equal(json_int(e, "ret", 0), -2);
	assert_int_equal(json_get(e, "argv")->len, 2);
	tl_run_free(&run);
}

/* Without -x failed execs are not reported; with --perfbuf same records. */
static void test_failed_hidden_and_perfbuf(void **state)
{
	struct tl_run run;

	(void)state;
	NEED_ROOT();
	tl_run(&run, .tool = TOOL,
	       .args = TL_ARGS("-j", "--perfbuf", "-e", "exec", "--", "/bin/sh", "-c",
			       "/nonexistent/x 2>/dev/null; /bin/echo perf >/dev/null"));
	assert_null(find_exec(&run.r, "/nonexistent/x", NULL));
	assert_non_null(find_exec(&run.r, "/bin/echo", "perf"));
	assert_int_equal(records_count(&run.r, "exec", 0), 2);
	assert_int_equal(records_count(&run.r, "exit", 0), 0); /* -e exec only */
	tl_run_free(&run);
}

/* Strings in pages the process never touched are still reported, for a
 * successful exec and for a failed one. With -o the records go to a file
 * and the command's own output stays on stdout. */
static void test_cold_pages(void **state)
{
	char outfile[] = "/tmp/tk-cold-out-XXXXXX";
	const struct jv *bad, *good, *a;
	struct tl_run run;

	(void)state;
	NEED_ROOT();
	close(mkstemp(outfile));
	tl_run(&run, .tool = TOOL, .args = TL_ARGS("-j", "--include-failed", "-e", "exec", "-o", outfile, "--",
						    tl_path("build/tests/execcold")));
	unlink(outfile);
	assert_string_equal(run.out, "cold-arg-1 cold-arg-2\n"); /* echo's, alone */
	bad = find_exec(&run.r, "/nonexistent/cold-path", NULL);
	assert_non_null(bad);
	assert_int_equal(json_int(bad, "ret", 0), -2);
	a = json_get(bad, "argv");
	assert_int_equal(a->len, 1);
	assert_string_equal(a->items[0].str, "/nonexistent/cold-path");
	good = find_exec(&run.r, "/bin/echo", "cold-arg-1");
	assert_non_null(good);
	a = json_get(good, "argv");
	assert_int_equal(a->len, 3);
	assert_string_equal(a->items[2].str, "cold-arg-2");
	tl_run_free(&run);
}

/* Hostile bytes from a real exec: JSON stays valid, text carries no raw
 * control bytes. The comm comes from a symlink with a newline and ESC. */
static void test_hostile_end_to_end(void **state)
{
	static const char arg[] = "q\"\\\n\x1b[31mred\xff\xc3(";
	char dir[] = "/tmp/tk-hostile-XXXXXX", link[128];
	struct tl_run j, t;

	(void)state;
	NEED_ROOT();
	assert_non_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/ev\nil\x1b[2J", dir);
	assert_int_equal(symlink("/bin/true", link), 0);
	tl_run(&j, .tool = TOOL, .args = TL_ARGS("-j", "-e", "exec", "--", link, arg));
	tl_run(&t, .tool = TOOL, .args = TL_ARGS("-e", "exec", "--", link, arg));
	unlink(link);
	rmdir(dir);
	assert_int_equal(records_count(&j.r, "exec", 0), 1);
	assert_string_equal(json_str(j.r.v[0], "comm"), "ev\nil\x1b[2J");
	assert_string_equal(json_get(j.r.v[0], "argv")->items[1].str,
			    "q\"\\\n\x1b[31mred\xef\xbf\xbd\xef\xbf\xbd(");
	for (const unsigned char *c = (const unsigned char *)t.out; *c; c++)
		if ((*c < 0x20 && *c != '\n') || *c == 0x7f)
			fail_msg("raw control byte 0x%02x in text output", *c);
	assert_non_null(strstr(t.out, "ev\\nil\\x1b[2J"));
	assert_non_null(strstr(t.out, "\\x1b[31mred\\xff\\xc3("));
	tl_run_free(&j);
	tl_run_free(&t);
}

/* Processes whose two threads leave together (exit, not exit_group):
 * exactly one exit record each, for the right pid. */
static void test_one_exit_per_process(void **state)
{
	struct tl_run run;
	const struct records *r = &run.r;

	(void)state;
	NEED_ROOT();
	tl_run(&run, .tool = TOOL, .args = TL_ARGS("-j", "-e", "exit", "--",
						    tl_path("build/tests/twoexit"), "1000"));
	/* 1000 children and twoexit itself */
	assert_int_equal(records_count(r, "exit", 0), 1001);
	for (size_t i = 0; i + 1 < r->n; i++)
		for (size_t j = i + 1; j < r->n && j < i + 4; j++)
			if (json_int(r->v[i], "pid", -1) == json_int(r->v[j], "pid", -2))
				fail_msg("two exit records for pid %lld",
					 json_int(r->v[i], "pid", -1));
	tl_run_free(&run);
}

static void burst(struct tl_run *run, void *arg)
{
	char *argv[] = { (char *)EXECBURST, "3000", burst_link, NULL };

	(void)run, (void)arg;
	assert_int_equal(run_quiet(argv), 0);
}

/* -c, system-wide, live: every exec of the burst's 3000 children, no
 * other, none lost. */
static void test_comm_burst_no_loss(void **state)
{
	struct tl_run run;

	(void)state;
	NEED_ROOT();
	tl_run(&run, .tool = TOOL, .args = TL_ARGS("-j", "-e", "exec", "-c", BURST_COMM),
	       .during = burst);
	assert_int_equal(records_count(&run.r, "exec", 0), BURST_N);
	for (size_t i = 0; i < run.r.n; i++)
		assert_string_equal(json_str(run.r.v[i], "comm"), BURST_COMM);
	tl_run_free(&run);
}

/*
 * Execs held in flight (a ptrace exec stop, between the syscall's entry
 * and its exit) hold one of proctrace's 512 exec slots each: 520 at once
 * are 512 records and exactly 8 lost, and execstall's own exec, whose
 * slot was freed before, is the 513th record.
 */
static void test_inflight_limit(void **state)
{
	struct tl_run run;

	(void)state;
	NEED_ROOT();
	tl_run(&run, .tool = TOOL, .lossy = true,
	       .args = TL_ARGS("-j", "-e", "exec", "--", tl_path("build/tests/execstall"), "520",
			       "/bin/true"));
	assert_int_equal(records_count(&run.r, "exec", 0), 513);
	assert_int_equal(run.lost, 8);
	assert_non_null(find_exec(&run.r, "/bin/true", NULL));
	tl_run_free(&run);
}

static void test_not_root(void **state)
{
	struct proc p;
	char *s;
	int exe;

	(void)state;
	NEED_ROOT(); /* we need root to become someone else */
	/* opened as root: the clone may sit in a directory (mode 0700, e.g.
	 * /root/tracekit) that uid 65534 cannot enter; fexecve needs only the
	 * binary's own mode */
	exe = open(tl_path("bin/" TOOL), O_RDONLY | O_CLOEXEC);
	assert_true(exe >= 0);
	snprintf(p.out, sizeof(p.out), "/tmp/tk-nr-out-XXXXXX");
	snprintf(p.err, sizeof(p.err), "/tmp/tk-nr-err-XXXXXX");
	close(mkstemp(p.out));
	close(mkstemp(p.err));
	p.pid = fork();
	if (p.pid == 0) {
		freopen(p.err, "w", stderr);
		if (setgid(65534) || setuid(65534))
			_exit(99);
		fexecve(exe, (char *[]){ TOOL, NULL }, environ);
		_exit(127);
	}
	close(exe);
	assert_int_equal(proc_wait(&p, 10000), 1);
	s = slurp(p.err);
	assert_non_null(strstr(s, "proctrace: must run as root, or with CAP_BPF and CAP_PERFMON"));
	assert_int_equal(strchr(s, '\n') - s, (long)strlen(s) - 1); /* one line */
	free(s);
	proc_cleanup(&p);
}

/*
 * Becomes uid/gid 65534 keeping exactly the capabilities given, as ambient
 * ones so that they survive the exec (what systemd's User= with
 * AmbientCapabilities= does). 0 on success.
 */
static int become_nobody_with(const int *caps, int n)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(0, NULL) || setgid(65534) ||
	    setuid(65534))
		return -1;
	for (int i = 0; i < n; i++) {
		d[caps[i] / 32].effective |= 1U << (caps[i] % 32);
		d[caps[i] / 32].permitted |= 1U << (caps[i] % 32);
		d[caps[i] / 32].inheritable |= 1U << (caps[i] % 32);
	}
	if (syscall(SYS_capset, &hdr, d))
		return -1;
	for (int i = 0; i < n; i++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, caps[i], 0, 0))
			return -1;
	return 0;
}

/*
 * Not root, but with CAP_BPF, CAP_PERFMON and CAP_DAC_READ_SEARCH (tracefs
 * is mode 0700): the tool runs and traces. Its command runs as 65534 too.
 */
static void test_caps_not_root(void **state)
{
	static const int caps[] = { CAP_BPF, CAP_PERFMON, CAP_DAC_READ_SEARCH };
	struct records r = { 0 };
	struct proc p = { 0 };
	int exe;

	(void)state;
	NEED_ROOT();
	exe = open(tl_path("bin/" TOOL), O_RDONLY | O_CLOEXEC);
	assert_true(exe >= 0);
	snprintf(p.out, sizeof(p.out), "/tmp/tk-cap-out-XXXXXX");
	snprintf(p.err, sizeof(p.err), "/tmp/tk-cap-err-XXXXXX");
	close(mkstemp(p.out));
	close(mkstemp(p.err));
	p.pid = fork();
	if (p.pid == 0) {
		/* opened as root: the files are root's, mode 0600 */
		if (!freopen(p.out, "w", stdout) || !freopen(p.err, "w", stderr) ||
		    become_nobody_with(caps, 3))
			_exit(99);
		fexecve(exe, (char *[]){ TOOL, "-j", "-e", "exec", "--", "/bin/true", NULL }, environ);
		_exit(127);
	}
	close(exe);
	if (proc_wait(&p, 30000) != 0) {
		char *err = slurp(p.err);

		print_error("proctrace as uid 65534 with capabilities failed: %s\n", err);
		free(err);
		fail();
	}
	assert_int_equal(records_load(p.out, &r), 0);
	assert_int_equal(r.invalid, 0);
	/* the command's exec, as 65534; the summary line is the last record */
	ASSERT_ONE_RECORD(&r, "event=exec filename=/bin/true uid=65534 ret=0");
	records_free(&r);
	proc_cleanup(&p);
}

/* -x: failed execs only (as in every tool); fork and exit never fail. */
static void test_failed_only(void **state)
{
	const struct jv *x, *y;
	struct tl_run run;

	(void)state;
	NEED_ROOT();
	tl_run(&run, .tool = TOOL, .args = TL_ARGS("-j", "-x", "--", "/bin/sh", "-c",
						   "/nonexistent/x 2>/dev/null; /bin/echo ok >/dev/null; "
						   "/nonexistent/y 2>/dev/null; exit 0"));
	x = find_exec(&run.r, "/nonexistent/x", NULL);
	y = find_exec(&run.r, "/nonexistent/y", NULL);
	assert_non_null(x);
	assert_non_null(y);
	assert_int_equal(json_int(x, "ret", 0), -2);
	assert_string_equal(json_str(x, "ret_str"), "ENOENT");
	assert_int_equal(json_int(y, "ret", 0), -2);
	assert_int_equal(records_count(&run.r, "exec", 0), 2);
	assert_int_equal(records_count(&run.r, "fork", 0), 0);
	assert_int_equal(records_count(&run.r, "exit", 0), 0);
	tl_run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TL_STANDARD_TESTS(&tool),
		TL_TEST(test_command_mode_exact),
		TL_TEST(test_execveat_exact),
		TL_TEST(test_failed_hidden_and_perfbuf),
		TL_TEST(test_failed_only),
		TL_TEST(test_cold_pages),
		TL_TEST(test_hostile_end_to_end),
		TL_TEST(test_one_exit_per_process),
		TL_TEST(test_comm_burst_no_loss),
		TL_TEST(test_inflight_limit),
		TL_TEST(test_not_root),
		TL_TEST(test_caps_not_root),
	};
	return TL_RUN_GROUP(TOOL, tests, setup, teardown);
}
