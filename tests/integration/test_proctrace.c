// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * proctrace end to end (root): the real BPF programs, real workloads, the
 * exact records that come back. Without root every test reports SKIPPED.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testlib.h"

#define PROCTRACE tl_path("bin/proctrace")
#define EXECBURST tl_path("build/tests/execburst")
#define READY "tracing, Ctrl-C to end"
#define BURST_COMM "tk-burst-child"
#define BURST_N 3000
#define PROG_PREFIX "proc_"

static char burst_link[256]; /* symlink named BURST_COMM -> /bin/true */

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

static void assert_no_progs_left(void)
{
	ASSERT_NO_PROGS_LEFT();
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

static const struct jv *find_event(const struct records *r, const char *ev, long long pid)
{
	for (size_t i = 0; i < r->n; i++) {
		const char *e = json_str(r->v[i], "event");

		if (e && !strcmp(e, ev) && json_int(r->v[i], "pid", -1) == pid)
			return r->v[i];
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
	char *argv[] = { (char *)PROCTRACE, "-j", "--include-failed", "--", "/bin/sh", "-c", (char *)script, NULL };
	char *outside[] = { (char *)EXECBURST, "200", "/bin/echo", "outside-marker", NULL };
	struct records r;
	struct proc p;
	const struct jv *sh, *echo, *bad, *a;
	long long shpid, kids[4];
	size_t nkids = 0;
	pid_t noise;
	int rc;

	(void)state;
	NEED_ROOT();
	noise = fork(); /* activity outside the traced tree, concurrently */
	if (noise == 0) {
		run_quiet(outside);
		_exit(0);
	}
	assert_int_equal(proc_start(&p, argv), 0);
	rc = proc_wait(&p, 30000);
	waitpid(noise, NULL, 0);
	assert_int_equal(rc, 5); /* the command's exit status */
	assert_int_equal(records_load(p.out, &r), 0);
	assert_int_equal(r.invalid, 0);

	sh = find_exec(&r, "/bin/sh", "-c");
	assert_non_null(sh);
	shpid = json_int(sh, "pid", -1);
	assert_int_equal(json_int(sh, "ret", -1), 0);
	a = json_get(sh, "argv");
	assert_int_equal(a->len, 3);
	assert_string_equal(a->items[2].str, script);

	echo = find_exec(&r, "/bin/echo", "a b");
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

	bad = find_exec(&r, "/nonexistent/tk-prog", NULL);
	assert_non_null(bad);
	assert_int_equal(json_int(bad, "ret", 0), -2);
	assert_string_equal(json_str(bad, "ret_str"), "ENOENT");

	/* sh forked exactly 4 children; each has its fork record */
	for (size_t i = 0; i < r.n; i++) {
		const char *ev = json_str(r.v[i], "event");

		if (ev && !strcmp(ev, "fork") && json_int(r.v[i], "pid", -1) == shpid) {
			assert_true(nkids < 4);
			kids[nkids++] = json_int(r.v[i], "child_pid", -1);
			assert_int_equal(json_int(r.v[i], "child_tid", -2), kids[nkids - 1]);
		}
	}
	assert_int_equal(nkids, 4);
	assert_int_equal(kids[0], json_int(echo, "pid", -1));
	assert_int_equal(kids[1], json_int(bad, "pid", -1));

	/* exits: echo 0, failed exec 127, exit 3, SIGKILL, sh itself 5 */
	assert_int_equal(json_int(find_event(&r, "exit", kids[0]), "exit_code", -1), 0);
	assert_int_equal(json_int(find_event(&r, "exit", kids[1]), "exit_code", -1), 127);
	assert_int_equal(json_int(find_event(&r, "exit", kids[2]), "exit_code", -1), 3);
	assert_int_equal(json_int(find_event(&r, "exit", kids[3]), "signal", -1), 9);
	assert_string_equal(json_str(find_event(&r, "exit", kids[3]), "signal_str"), "SIGKILL");
	assert_int_equal(json_int(find_event(&r, "exit", shpid), "exit_code", -1), 5);
	assert_true(json_int(find_event(&r, "exit", shpid), "duration_ns", 0) > 0);

	/* nothing from outside the tree */
	for (size_t i = 0; i < r.n; i++) {
		const char *ev = json_str(r.v[i], "event");
		long long pid = json_int(r.v[i], "pid", -1);
		bool in_tree = pid == shpid;

		if (!strcmp(ev, "summary"))
			continue;
		for (size_t k = 0; k < nkids; k++)
			in_tree |= pid == kids[k];
		if (!in_tree)
			fail_msg("record from pid %lld outside the traced tree (%s)", pid, ev);
	}
	/* exactly: execs of sh, echo, the failed one and two nested sh */
	assert_int_equal(records_count(&r, "exec", 0), 5);
	assert_int_equal(records_count(&r, "fork", 0), 4);
	assert_int_equal(records_count(&r, "exit", 0), 5);
	records_free(&r);
	proc_cleanup(&p);
	assert_no_progs_left();
}

/* Without -x failed execs are not reported; with --perfbuf same records. */
static void test_failed_hidden_and_perfbuf(void **state)
{
	char *argv[] = { (char *)PROCTRACE, "-j", "--perfbuf", "-e", "exec", "--",
			 "/bin/sh", "-c", "/nonexistent/x 2>/dev/null; /bin/echo perf >/dev/null", NULL };
	struct records r;
	struct proc p;

	(void)state;
	NEED_ROOT();
	assert_int_equal(proc_start(&p, argv), 0);
	assert_int_equal(proc_wait(&p, 30000), 0);
	assert_int_equal(records_load(p.out, &r), 0);
	assert_null(find_exec(&r, "/nonexistent/x", NULL));
	assert_non_null(find_exec(&r, "/bin/echo", "perf"));
	assert_int_equal(records_count(&r, "exec", 0), 2);
	assert_int_equal(records_count(&r, "exit", 0), 0); /* -e exec only */
	records_free(&r);
	proc_cleanup(&p);
	assert_no_progs_left();
}

/* -x, as in every tool: failed execs only — no successful exec, and no
 * fork or exit (they do not fail). */
static void test_failed_only(void **state)
{
	char *argv[] = { (char *)PROCTRACE, "-j", "-x", "--", "/bin/sh", "-c",
			 "/nonexistent/x 2>/dev/null; /bin/echo ok >/dev/null; "
			 "/nonexistent/y 2>/dev/null; exit 0", NULL };
	const struct jv *x, *y;
	struct records r;
	struct proc p;

	(void)state;
	NEED_ROOT();
	assert_int_equal(proc_start(&p, argv), 0);
	assert_int_equal(proc_wait(&p, 30000), 0);
	assert_int_equal(records_load(p.out, &r), 0);
	x = find_exec(&r, "/nonexistent/x", NULL);
	y = find_exec(&r, "/nonexistent/y", NULL);
	assert_non_null(x);
	assert_non_null(y);
	assert_int_equal(json_int(x, "ret", 0), -2);
	assert_string_equal(json_str(x, "ret_str"), "ENOENT");
	assert_int_equal(json_int(y, "ret", 0), -2);
	assert_int_equal(records_count(&r, "exec", 0), 2);
	assert_int_equal(records_count(&r, "fork", 0), 0);
	assert_int_equal(records_count(&r, "exit", 0), 0);
	records_free(&r);
	proc_cleanup(&p);
	assert_no_progs_left();
}

/* Strings in pages the process never touched are still reported, for a
 * successful exec and for a failed one. With -o the records go to a file
 * and the command's own output stays on stdout. */
static void test_cold_pages(void **state)
{
	char outfile[] = "/tmp/tk-cold-out-XXXXXX";
	char *argv[] = { (char *)PROCTRACE, "-j", "--include-failed", "-e", "exec", "-o", outfile, "--",
			 (char *)tl_path("build/tests/execcold"), NULL };
	const struct jv *bad, *good, *a;
	struct records r;
	struct proc p;
	char *cmd_out;

	(void)state;
	NEED_ROOT();
	close(mkstemp(outfile));
	assert_int_equal(proc_start(&p, argv), 0);
	assert_int_equal(proc_wait(&p, 30000), 0);
	cmd_out = slurp(p.out);
	assert_string_equal(cmd_out, "cold-arg-1 cold-arg-2\n"); /* echo's, alone */
	free(cmd_out);
	assert_int_equal(records_load(outfile, &r), 0);
	unlink(outfile);
	assert_int_equal(r.invalid, 0);
	bad = find_exec(&r, "/nonexistent/cold-path", NULL);
	assert_non_null(bad);
	assert_int_equal(json_int(bad, "ret", 0), -2);
	a = json_get(bad, "argv");
	assert_int_equal(a->len, 1);
	assert_string_equal(a->items[0].str, "/nonexistent/cold-path");
	good = find_exec(&r, "/bin/echo", "cold-arg-1");
	assert_non_null(good);
	a = json_get(good, "argv");
	assert_int_equal(a->len, 3);
	assert_string_equal(a->items[2].str, "cold-arg-2");
	records_free(&r);
	proc_cleanup(&p);
	assert_no_progs_left();
}

/* Hostile bytes from a real exec: JSON stays valid, text carries no raw
 * control bytes. The comm comes from a symlink with a newline and ESC. */
static void test_hostile_end_to_end(void **state)
{
	static const char arg[] = "q\"\\\n\x1b[31mred\xff\xc3(";
	char dir[] = "/tmp/tk-hostile-XXXXXX", link[128];
	struct records r;
	struct proc pj, pt;
	char *text;

	(void)state;
	NEED_ROOT();
	assert_non_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/ev\nil\x1b[2J", dir);
	assert_int_equal(symlink("/bin/true", link), 0);
	{
		char *j[] = { (char *)PROCTRACE, "-j", "-e", "exec", "--", link, (char *)arg, NULL };
		char *t[] = { (char *)PROCTRACE, "-e", "exec", "--", link, (char *)arg, NULL };

		assert_int_equal(proc_start(&pj, j), 0);
		assert_int_equal(proc_wait(&pj, 30000), 0);
		assert_int_equal(proc_start(&pt, t), 0);
		assert_int_equal(proc_wait(&pt, 30000), 0);
	}
	assert_int_equal(records_load(pj.out, &r), 0);
	assert_int_equal(r.invalid, 0);
	assert_int_equal(records_count(&r, "exec", 0), 1);
	assert_string_equal(json_str(r.v[0], "comm"), "ev\nil\x1b[2J");
	assert_string_equal(json_get(r.v[0], "argv")->items[1].str,
			    "q\"\\\n\x1b[31mred\xef\xbf\xbd\xef\xbf\xbd(");
	text = slurp(pt.out);
	for (const unsigned char *c = (const unsigned char *)text; *c; c++)
		if ((*c < 0x20 && *c != '\n') || *c == 0x7f)
			fail_msg("raw control byte 0x%02x in text output", *c);
	assert_non_null(strstr(text, "ev\\nil\\x1b[2J"));
	assert_non_null(strstr(text, "\\x1b[31mred\\xff\\xc3("));
	free(text);
	records_free(&r);
	proc_cleanup(&pj);
	proc_cleanup(&pt);
	unlink(link);
	rmdir(dir);
	assert_no_progs_left();
}

/* Processes whose two threads leave together (exit, not exit_group):
 * exactly one exit record each, for the right pid. */
static void test_one_exit_per_process(void **state)
{
	char *argv[] = { (char *)PROCTRACE, "-j", "-e", "exit", "--",
			 (char *)tl_path("build/tests/twoexit"), "1000", NULL };
	struct records r;
	struct proc p;

	(void)state;
	NEED_ROOT();
	assert_int_equal(proc_start(&p, argv), 0);
	assert_int_equal(proc_wait(&p, 60000), 0);
	assert_int_equal(records_load(p.out, &r), 0);
	/* 1000 children and twoexit itself */
	assert_int_equal(records_count(&r, "exit", 0), 1001);
	for (size_t i = 0; i + 1 < r.n; i++)
		for (size_t j = i + 1; j < r.n && j < i + 4; j++)
			if (json_int(r.v[i], "pid", -1) == json_int(r.v[j], "pid", -2))
				fail_msg("two exit records for pid %lld",
					 json_int(r.v[i], "pid", -1));
	records_free(&r);
	proc_cleanup(&p);
	assert_no_progs_left();
}

/* System-wide burst; frozen=true stops the consumer while it runs. */
static void run_burst(bool frozen)
{
	char *argv[] = { (char *)PROCTRACE, "-j", "-e", "exec", "-c", BURST_COMM,
			 frozen ? "--ringbuf-size" : NULL, "65536", NULL };
	char *burst[] = { (char *)EXECBURST, "3000", burst_link, NULL };
	unsigned long long events = 0, lost = 0;
	struct records r;
	struct proc p;
	size_t n;

	assert_int_equal(proc_start(&p, argv), 0);
	assert_true(proc_wait_stderr(&p, READY, 20000));
	if (frozen)
		kill(p.pid, SIGSTOP);
	assert_int_equal(run_quiet(burst), 0);
	if (frozen)
		kill(p.pid, SIGCONT);
	kill(p.pid, SIGINT);
	assert_int_equal(proc_wait(&p, 30000), 0);
	assert_int_equal(proc_summary(&p, &events, &lost), 0);
	assert_int_equal(records_load(p.out, &r), 0);
	n = records_count(&r, "exec", 0);
	for (size_t i = 0; i < r.n; i++)
		if (strcmp(json_str(r.v[i], "event"), "summary"))
			assert_string_equal(json_str(r.v[i], "comm"), BURST_COMM);
	fprintf(stderr, "burst (%s): %zu records, summary %llu events, %llu lost\n",
		frozen ? "frozen, 64 KiB" : "live", n, events, lost);
	assert_int_equal(n, events);
	assert_int_equal(events + lost, BURST_N);
	if (frozen)
		assert_true(lost > 0);
	else
		assert_int_equal(lost, 0);
	records_free(&r);
	proc_cleanup(&p);
	assert_no_progs_left();
}

static void test_burst_no_loss(void **state)
{
	(void)state;
	NEED_ROOT();
	run_burst(false);
}

static void test_burst_frozen_loss_accounted(void **state)
{
	(void)state;
	NEED_ROOT();
	run_burst(true);
}

/* SIGINT and SIGTERM: exit 0, summary printed, programs released. */
static void test_signals(void **state)
{
	int sigs[] = { SIGINT, SIGTERM };

	(void)state;
	NEED_ROOT();
	for (size_t i = 0; i < 2; i++) {
		char *argv[] = { (char *)PROCTRACE, NULL };
		unsigned long long ev, lost;
		struct proc p;

		assert_int_equal(proc_start(&p, argv), 0);
		assert_true(proc_wait_stderr(&p, READY, 20000));
		assert_true(tk_progs_held(p.pid, PROG_PREFIX) > 0);
		kill(p.pid, sigs[i]);
		assert_int_equal(proc_wait(&p, 10000), 0);
		assert_int_equal(proc_summary(&p, &ev, &lost), 0);
		proc_cleanup(&p);
		assert_no_progs_left();
	}
}

/* `proctrace | head -1`: the reader goes away, proctrace ends cleanly. */
static void test_sigpipe(void **state)
{
	char *burst[] = { (char *)EXECBURST, "50", burst_link, NULL };
	int out[2], err[2], status;
	pid_t done = 0;
	char buf[4096];
	ssize_t n;
	pid_t pid;

	(void)state;
	NEED_ROOT();
	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(err), 0);
	pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		execl(PROCTRACE, PROCTRACE, "-c", BURST_COMM, NULL);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	n = read(out[0], buf, sizeof(buf)); /* the column header */
	assert_true(n > 0);
	close(out[0]);                      /* like head -1 exiting */
	for (int i = 0; i < 20 && (done = waitpid(pid, &status, WNOHANG)) == 0; i++)
		run_quiet(burst);               /* output now hits EPIPE */
	if (!done)
		done = waitpid(pid, &status, 0);
	assert_int_equal(done, pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	n = read(err[0], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = 0;
	assert_non_null(strstr(buf, "events,"));
	close(err[0]);
	assert_no_progs_left();
}

/* The reader goes away while nothing is traced (-c matches nothing):
 * proctrace notices at its next drain, not at some later event. */
static void test_reader_gone_while_idle(void **state)
{
	int out[2], status = 0;
	pid_t pid, done = 0;
	char buf[512];

	(void)state;
	NEED_ROOT();
	assert_int_equal(pipe(out), 0);
	pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		execl(PROCTRACE, PROCTRACE, "-c", "tk-no-such-comm", NULL);
		_exit(127);
	}
	close(out[1]);
	assert_true(read(out[0], buf, sizeof(buf)) > 0); /* the column header */
	close(out[0]);
	for (int i = 0; i < 100 && !done; i++) {
		usleep(100000);
		done = waitpid(pid, &status, WNOHANG);
	}
	if (!done) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail_msg("proctrace still running 10 s after its reader went away");
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_no_progs_left();
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
	exe = open(PROCTRACE, O_RDONLY | O_CLOEXEC);
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
		fexecve(exe, (char *[]){ (char *)PROCTRACE, NULL }, environ);
		_exit(127);
	}
	close(exe);
	assert_int_equal(proc_wait(&p, 10000), 1);
	s = slurp(p.err);
	assert_non_null(strstr(s, "proctrace: must run as root"));
	assert_int_equal(strchr(s, '\n') - s, (long)strlen(s) - 1); /* one line */
	free(s);
	proc_cleanup(&p);
}

static void test_bad_args_exit_2(void **state)
{
	const char *bad[][3] = {
		{ "--bogus" }, { "-p", "abc" }, { "-e", "nope" }, { "--ringbuf-size", "1000" },
		{ "-d", "-1" }, { "-n", "x" }, { "-x", "--include-failed" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = { (char *)PROCTRACE, (char *)bad[i][0], (char *)bad[i][1], NULL };

		assert_int_equal(run_quiet(argv), 2);
	}
}

/* valgrind: no leaks, no invalid accesses, over a traced command. */
static void test_valgrind(void **state)
{
	char *argv[] = { (char *)PROCTRACE, "-j", "--include-failed", "--", "/bin/sh", "-c",
			 "/bin/true; exit 4", NULL };
	int rc;

	(void)state;
	NEED_ROOT();
	rc = run_valgrind(argv);
	if (rc == VALGRIND_MISSING) {
		fprintf(stderr, "SKIPPED: valgrind not installed\n");
		skip();
	}
	assert_int_equal(rc, 4); /* VALGRIND_ERROR would mean a valgrind error */
	assert_no_progs_left();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_args_exit_2),
		cmocka_unit_test(test_command_mode_exact),
		cmocka_unit_test(test_failed_hidden_and_perfbuf),
		cmocka_unit_test(test_failed_only),
		cmocka_unit_test(test_cold_pages),
		cmocka_unit_test(test_hostile_end_to_end),
		cmocka_unit_test(test_one_exit_per_process),
		cmocka_unit_test(test_burst_no_loss),
		cmocka_unit_test(test_burst_frozen_loss_accounted),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_sigpipe),
		cmocka_unit_test(test_reader_gone_while_idle),
		cmocka_unit_test(test_not_root),
		cmocka_unit_test(test_valgrind),
	};
	if (!tl_is_root())
		fprintf(stderr, "\n*** proctrace integration tests need root: SKIPPED ***\n\n");
	return cmocka_run_group_tests_name("proctrace", tests, setup, teardown);
}
