// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What every tool does the same way because the runtime does it (root),
 * with proctrace as the tool under test: output failures are errors (and
 * stop a running command), the reader leaving is not, the command is found
 * on PATH before the fork; every wakeup policy delivers every record; the
 * consumer's short scheduler slice is its own, not the command's; and
 * filetrace's --path resolved like the kernel.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "testlib.h"

#define PROCTRACE tl_path("bin/proctrace")
#define FILETRACE tl_path("bin/filetrace")
#define EXECBURST tl_path("build/tests/execburst")
#define READY "tracing, Ctrl-C to end"
#define ENOSPC_MSG "No space left on device"

/* The last line of s (without its '\n'), in a static buffer. */
static const char *last_line(const char *s)
{
	static char buf[1024];
	size_t n = strlen(s);
	const char *start;

	while (n && s[n - 1] == '\n')
		n--;
	for (start = s + n; start > s && start[-1] != '\n'; start--)
		;
	snprintf(buf, sizeof(buf), "%.*s", (int)(s + n - start), start);
	return buf;
}

/* The pid in "the command (pid N) was stopped with SIGTERM", or -1. */
static long stopped_pid(const char *err)
{
	const char *s = strstr(err, "; the command (pid ");
	long pid;

	if (!s || sscanf(s, "; the command (pid %ld) was stopped with SIGTERM", &pid) != 1)
		return -1;
	return pid;
}

/* Text mode writes its column header before anything is traced: that
 * flush fails, and the tool ends at once with one line and no summary. */
static void test_dev_full_system_wide(void **state)
{
	char *argv[] = { (char *)PROCTRACE, "-o", "/dev/full", NULL };
	char *err;

	(void)state;
	NEED_ROOT();
	assert_int_equal(proc_run_err(argv, &err), 1);
	assert_string_equal(err, "proctrace: writing to /dev/full failed: " ENOSPC_MSG "\n");
	free(err);
	ASSERT_NO_PROGS_LEFT();
}

/* JSON mode writes nothing until a record comes: the first flush of one
 * fails. The error is the last line, after the summary. */
static void test_dev_full_json_records(void **state)
{
	char dir[] = "/tmp/tk-rt-XXXXXX", link[PATH_MAX];
	char *argv[] = { (char *)PROCTRACE, "-j", "-o", "/dev/full", "-c", "tk-rt-full", NULL };
	char *burst[] = { (char *)EXECBURST, "20", link, NULL };
	struct proc p;
	char *err;
	int rc;

	(void)state;
	NEED_ROOT();
	assert_non_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/tk-rt-full", dir);
	assert_int_equal(symlink("/bin/true", link), 0);
	assert_int_equal(proc_start(&p, argv), 0);
	assert_true(proc_wait_stderr(&p, READY, 10000));
	assert_int_equal(run_quiet(burst), 0);
	rc = proc_wait(&p, 10000);
	err = slurp(p.err);
	proc_cleanup(&p);
	unlink(link);
	rmdir(dir);
	assert_int_equal(rc, 1);
	assert_string_equal(last_line(err), "proctrace: writing to /dev/full failed: " ENOSPC_MSG);
	assert_null(strstr(err, "command"));
	free(err);
	ASSERT_NO_PROGS_LEFT();
}

/* Command mode: the command does not run on untraced for its 30 s; it is
 * stopped and reaped, and the exit code is 1, not the command's. */
static void test_dev_full_command(void **state)
{
	char *argv[] = { (char *)PROCTRACE, "-j", "-o", "/dev/full", "--", "/bin/sleep", "30", NULL };
	struct timespec t0, t1;
	char *err;
	long pid;

	(void)state;
	NEED_ROOT();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(proc_run_err(argv, &err), 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 10);
	pid = stopped_pid(err);
	if (pid <= 0)
		fail_msg("no 'the command (pid N) was stopped' in: %s", err);
	assert_non_null(strstr(err, "proctrace: writing to /dev/full failed: " ENOSPC_MSG
				    "; the command (pid "));
	/* reaped by proctrace: gone, not a zombie or still sleeping */
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	free(err);
	ASSERT_NO_PROGS_LEFT();
}

/* Text mode, command mode: the header cannot be written, so the command
 * is never released. */
static void test_dev_full_command_not_started(void **state)
{
	char mark[] = "/tmp/tk-rt-mark-XXXXXX", script[PATH_MAX + 16];
	char *argv[] = { (char *)PROCTRACE, "-o", "/dev/full", "--", "/bin/sh", "-c", script, NULL };
	char *err;

	(void)state;
	NEED_ROOT();
	close(mkstemp(mark));
	unlink(mark);
	snprintf(script, sizeof(script), "touch %s", mark);
	assert_int_equal(proc_run_err(argv, &err), 1);
	assert_string_equal(err, "proctrace: writing to /dev/full failed: " ENOSPC_MSG
				 "; the command was not started\n");
	assert_int_equal(access(mark, F_OK), -1);
	free(err);
	ASSERT_NO_PROGS_LEFT();
}

/* A full disk: our own 16 KiB tmpfs, filled by the records of 3000 execs,
 * both for -o FILE and for --raw FILE. What fitted is in the file. */
static void full_tmpfs_case(const char *opt)
{
	char dir[] = "/tmp/tk-rt-fs-XXXXXX", file[64], expect[256];
	char *to_file[] = { (char *)PROCTRACE, "-j", "-o", file, "--", (char *)EXECBURST, "3000",
			    "/bin/true", NULL };
	char *to_raw[] = { (char *)PROCTRACE, "-j", "-o", "/dev/null", "--raw", file, "--",
			   (char *)EXECBURST, "3000", "/bin/true", NULL };
	struct stat st;
	char *err;
	int rc;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(mount("tmpfs", dir, "tmpfs", 0, "size=16k"), 0);
	snprintf(file, sizeof(file), "%s/records", dir);
	rc = proc_run_err(strcmp(opt, "-o") ? to_raw : to_file, &err);
	assert_int_equal(stat(file, &st), 0);
	umount(dir);
	rmdir(dir);
	assert_int_equal(rc, 1);
	snprintf(expect, sizeof(expect), "proctrace: writing to %s failed: " ENOSPC_MSG
		 "; the command (pid ", file);
	if (!strstr(err, expect))
		fail_msg("%s: no '%s' in: %s", opt, expect, err);
	assert_true(stopped_pid(err) > 0);
	assert_true(st.st_size > 4096 && st.st_size <= 16384);
	free(err);
}

static void test_full_tmpfs(void **state)
{
	(void)state;
	NEED_ROOT();
	full_tmpfs_case("-o");
	full_tmpfs_case("--raw");
	ASSERT_NO_PROGS_LEFT();
}

static void stdout_case(int fd, const char *why)
{
	char *argv[] = { (char *)PROCTRACE, "-d", "1", NULL };
	char expect[256];
	struct proc p;
	char *err;

	assert_int_equal(proc_start_stdout(&p, argv, fd), 0);
	assert_int_equal(proc_wait(&p, 10000), 1);
	err = slurp(p.err);
	proc_cleanup(&p);
	snprintf(expect, sizeof(expect), "proctrace: writing to stdout failed: Bad file descriptor "
		 "(%s)\n", why);
	assert_string_equal(err, expect);
	free(err);
}

/* `proctrace >&-` and `proctrace 1</dev/null`: refused before loading. */
static void test_bad_stdout(void **state)
{
	int ro = open("/dev/null", O_RDONLY);

	(void)state;
	NEED_ROOT();
	assert_true(ro >= 0);
	stdout_case(-1, "it is closed");
	stdout_case(ro, "it is not open for writing");
	close(ro);
}

/* `proctrace -j -- CMD | head -1` with records flowing: EPIPE is the
 * reader leaving, a normal end: exit 0, the summary, no error line. */
static void test_epipe_is_normal(void **state)
{
	char *argv[] = { (char *)PROCTRACE, "-j", "--", (char *)EXECBURST, "2000", "/bin/true",
			 NULL };
	int out[2], rc;
	struct proc p;
	char c, *err;

	(void)state;
	NEED_ROOT();
	assert_int_equal(pipe2(out, O_CLOEXEC), 0); /* only the dup2 on fd 1 is inherited */
	assert_int_equal(proc_start_stdout(&p, argv, out[1]), 0);
	close(out[1]);
	while (read(out[0], &c, 1) == 1 && c != '\n') /* one record */
		;
	close(out[0]);
	rc = proc_wait(&p, 20000);
	err = slurp(p.err);
	proc_cleanup(&p);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(err, "proctrace: "));
	assert_non_null(strstr(err, " events, "));
	assert_null(strstr(err, "failed"));
	free(err);
	ASSERT_NO_PROGS_LEFT();
}

/* The command is found on PATH before the fork: the misses in the PATH
 * entries before its directory are not traced as failed execs. */
static void test_path_lookup_before_fork(void **state)
{
	char *argv[] = { (char *)PROCTRACE, "-j", "--include-failed", "-e", "exec", "--", "true", NULL };
	const char *old = getenv("PATH");
	char *saved = old ? strdup(old) : NULL;
	struct records r;
	struct proc p;
	int rc;

	(void)state;
	NEED_ROOT();
	setenv("PATH", "/tk-rt-none-1:/tk-rt-none-2:/usr/bin:/bin", 1);
	rc = proc_start(&p, argv);
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
	assert_int_equal(rc, 0);
	assert_int_equal(proc_wait(&p, 20000), 0);
	assert_int_equal(records_load(p.out, &r), 0);
	proc_cleanup(&p);
	assert_int_equal(r.invalid, 0);
	/* one exec (true), and the summary */
	assert_int_equal(records_count(&r, "exec", 0), 1);
	for (size_t i = 0; i < r.n; i++) {
		const char *ev = json_str(r.v[i], "event");

		if (strcmp(ev, "exec"))
			continue;
		assert_int_equal(json_int(r.v[i], "ret", -1), 0);
		assert_string_equal(json_str(r.v[i], "filename"), "/usr/bin/true");
		assert_string_equal(json_get(r.v[i], "argv")->items[0].str, "true");
	}
	records_free(&r);
	ASSERT_NO_PROGS_LEFT();
}

/* Not found: one line and the shell's 127, before anything is loaded. */
static void test_command_not_found(void **state)
{
	char *argv[] = { (char *)PROCTRACE, "--", "tk-rt-no-such-command", NULL };
	char *err;

	(void)state;
	NEED_ROOT();
	assert_int_equal(proc_run_err(argv, &err), 127);
	assert_string_equal(err, "proctrace: cannot run 'tk-rt-no-such-command': command not found\n");
	free(err);
}

/*
 * filetrace --path: the kernel reports resolved paths, so each spelling
 * of the same directory must select the same opens: exactly the shell's
 * open of the file it writes (not those of its libraries).
 */
static void path_case(const char *prefix, const char *open_path, const char *expect)
{
	char *argv[] = { (char *)FILETRACE, "-j", "--path", (char *)prefix, "--", "/bin/sh",
			 "-c", NULL, NULL };
	char script[PATH_MAX * 2];
	struct records r;
	struct proc p;
	size_t n = 0;

	snprintf(script, sizeof(script), "echo x >%s", open_path);
	argv[7] = script;
	assert_int_equal(proc_start(&p, argv), 0);
	assert_int_equal(proc_wait(&p, 30000), 0);
	assert_int_equal(records_load(p.out, &r), 0);
	proc_cleanup(&p);
	for (size_t i = 0; i < r.n; i++) {
		const char *ev = json_str(r.v[i], "event"), *path = json_str(r.v[i], "path");

		if (strcmp(ev, "open"))
			continue;
		n++;
		if (!path || strcmp(path, expect))
			fail_msg("--path %s: open of '%s'", prefix, path ? path : "(none)");
	}
	records_free(&r);
	if (n != 1)
		fail_msg("--path %s: %zu opens, expected 1 of %s", prefix, n, expect);
}

static void test_filetrace_path_spellings(void **state)
{
	char dir[] = "/tmp/tk-rt-path-XXXXXX", sub[64], file[128], link[64];
	char p[256], f2[128];

	(void)state;
	NEED_ROOT();
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(file, sizeof(file), "%s/f", sub);
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(symlink(sub, link), 0);

	snprintf(p, sizeof(p), "/%s//sub/", dir);
	path_case(p, file, file);
	snprintf(p, sizeof(p), "%s/./sub", dir);
	path_case(p, file, file);
	snprintf(p, sizeof(p), "%s/sub/../sub", dir);
	path_case(p, file, file);
	snprintf(p, sizeof(p), "%s/link", dir); /* a symlink: its target */
	snprintf(f2, sizeof(f2), "%s/link/f", dir);
	path_case(p, f2, file);
	/* not there yet: lexical, with the existing part (the link) resolved */
	snprintf(p, sizeof(p), "%s/link/new/../g", dir);
	snprintf(f2, sizeof(f2), "%s/g", sub);
	path_case(p, f2, f2);

	unlink(f2);
	unlink(file);
	unlink(link);
	rmdir(sub);
	rmdir(dir);
	ASSERT_NO_PROGS_LEFT();
}

/*
 * Every wakeup policy, on both transports, delivers every record of a
 * burst: execburst's 400 execs and its own make exactly 401 exec records,
 * none lost, the summary's count the same. The default (no --wakeup) is
 * 'bounded'; under it the records that find the consumer polling are
 * submitted without a wakeup and reach it through its next poll or the
 * final drain. tracekit trace runs two units on one buffer and one
 * consumer flag (tk_wake).
 */
static void test_wakeup_policies_exact(void **state)
{
	static const char *const policies[] = { NULL, "bounded", "batch", "event" };
	char burst[PATH_MAX];

	(void)state;
	NEED_ROOT();
	snprintf(burst, sizeof(burst), "%s", EXECBURST); /* tl_path()'s buffer is reused */
	for (size_t i = 0; i < 4; i++) {
		for (int perf = 0; perf < 2; perf++) {
			const char *pol = policies[i] ? policies[i] : "bounded";
			const char *args[12] = { "-j", "-e", "exec" };
			size_t n = 3;
			struct tl_run run;
			size_t got;

			if (policies[i]) {
				args[n++] = "--wakeup";
				args[n++] = policies[i];
			}
			if (perf)
				args[n++] = "--perfbuf";
			args[n++] = "--";
			args[n++] = burst;
			args[n++] = "400";
			args[n++] = "/bin/true";
			tl_run(&run, .tool = "proctrace", .args = args);
			got = records_count(&run.r, "exec", 0);
			if (got != 401 || run.events != 401 || run.lost)
				fail_msg("--wakeup %s%s%s: %zu exec records, summary %llu events "
					 "%llu lost; expected 401, 401, 0", pol,
					 policies[i] ? "" : " (the default)", perf ? " --perfbuf" : "",
					 got, run.events, run.lost);
			tl_run_free(&run);
		}
	}
	{
		struct tl_run run;
		size_t got;

		tl_run(&run, .tool = "tracekit",
		       .args = TL_ARGS("trace", "-j", "-e", "proc:exec,file:open", "--", burst, "400",
				       "/bin/true"));
		got = records_count(&run.r, "exec", 0);
		if (got != 401 || run.lost)
			fail_msg("tracekit trace: %zu exec records, %llu lost; expected 401, 0", got,
				 run.lost);
		tl_run_free(&run);
	}
	ASSERT_NO_PROGS_LEFT();
}

/* A task's se.slice from /proc/PID/sched (6.12+ prints it), or -1. */
static long long slice_in(const char *text, int nth)
{
	const char *s = text;
	long long v = -1;

	for (int i = 0; i <= nth && s; i++) {
		if (sscanf(s, "%lld", &v) != 1)
			return -1;
		s = strchr(s, '\n');
		s = s ? s + 1 : NULL;
	}
	return v;
}

/*
 * The consumer runs with the short slice (tk_short_slice()), asked for
 * after the command's fork: the command has the slice it would have
 * untraced (this test's own), the consumer (the command's parent)
 * TK_SHORT_SLICE_NS, and -v says so.
 */
static void test_consumer_short_slice(void **state)
{
	char *argv[] = { (char *)PROCTRACE, "-v", "-o", "/dev/null", "--", "/bin/sh", "-c",
			 "sed -n 's/^se.slice *: *//p' /proc/$$/sched /proc/$PPID/sched", NULL };
	char *self = slurp("/proc/self/sched"), *out, *err, expect[96];
	const char *line = self ? strstr(self, "\nse.slice") : NULL;
	long long mine = line ? slice_in(strchr(line, ':') + 1, 0) : -1;
	struct proc p;

	(void)state;
	NEED_ROOT();
	free(self);
	if (mine < 0)
		skip(); /* a kernel before 6.12: no per-task slice to set or read */
	assert_int_equal(proc_start(&p, argv), 0);
	assert_int_equal(proc_wait(&p, 20000), 0);
	out = slurp(p.out);
	err = slurp(p.err);
	proc_cleanup(&p);
	assert_non_null(out);
	assert_non_null(err);
	if (slice_in(out, 0) != mine || slice_in(out, 1) != 100000)
		fail_msg("slices: command %lld, consumer %lld; expected %lld (this test's), 100000\n%s",
			 slice_in(out, 0), slice_in(out, 1), mine, err);
	snprintf(expect, sizeof(expect), "proctrace: consumer's scheduler slice 100 us (was %lld us)\n",
		 mine / 1000);
	assert_non_null(strstr(err, expect));
	free(out);
	free(err);
	ASSERT_NO_PROGS_LEFT();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dev_full_system_wide),
		cmocka_unit_test(test_dev_full_json_records),
		cmocka_unit_test(test_dev_full_command),
		cmocka_unit_test(test_dev_full_command_not_started),
		cmocka_unit_test(test_full_tmpfs),
		cmocka_unit_test(test_bad_stdout),
		cmocka_unit_test(test_epipe_is_normal),
		cmocka_unit_test(test_path_lookup_before_fork),
		cmocka_unit_test(test_command_not_found),
		cmocka_unit_test(test_filetrace_path_spellings),
		cmocka_unit_test(test_wakeup_policies_exact),
		cmocka_unit_test(test_consumer_short_slice),
	};
	return cmocka_run_group_tests_name("runtime", tests, NULL, NULL);
}
