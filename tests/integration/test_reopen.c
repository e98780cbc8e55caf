// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * SIGHUP (root): log rotation as logrotate does it, `mv LOG LOG.1; kill
 * -HUP PID`, between two phases of exactly known records — this
 * process's own getppid calls, traced with -p. LOG.1 holds exactly the
 * first phase's, the new LOG exactly the second's, the tool runs on and
 * ends with 0 lost; --raw's file likewise. For a tool and for tracekit
 * trace --report (its record file). A SIGHUP while the tool is blocked
 * writing to a full pipe costs no record. Without a file, SIGHUP ends a
 * tool as SIGTERM does.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "testlib.h"

#define PHASE1 100
#define PHASE2 200

static char log_path[64], raw_path[64], old_log[80], old_raw[80];

static int setup(void **state)
{
	(void)state;
	snprintf(log_path, sizeof(log_path), "/tmp/tk-reopen-%d.jsonl", (int)getpid());
	snprintf(raw_path, sizeof(raw_path), "/tmp/tk-reopen-%d.raw", (int)getpid());
	snprintf(old_log, sizeof(old_log), "%s.1", log_path);
	snprintf(old_raw, sizeof(old_raw), "%s.1", raw_path);
	return 0;
}

static int teardown(void **state)
{
	int rc = tl_teardown(state);

	unlink(log_path);
	unlink(raw_path);
	unlink(old_log);
	unlink(old_raw);
	return rc;
}

static void getppids(int n)
{
	for (int i = 0; i < n; i++)
		syscall(SYS_getppid);
}

/* Waits (5 s at most) for path to exist again. */
static void wait_exists(const char *path)
{
	for (int t = 0; t < 500; t++) {
		if (!access(path, F_OK))
			return;
		usleep(10000);
	}
	fail_msg("%s not made again within 5 s of SIGHUP", path);
}

static void rotate_between(struct tl_run *run, void *arg)
{
	bool raw = *(bool *)arg;

	getppids(PHASE1);
	assert_int_equal(rename(log_path, old_log), 0);
	if (raw)
		assert_int_equal(rename(raw_path, old_raw), 0);
	assert_int_equal(kill(run->p.pid, SIGHUP), 0);
	/* the old file is flushed before the new one is made */
	wait_exists(log_path);
	if (raw)
		wait_exists(raw_path);
	getppids(PHASE2);
	assert_int_equal(kill(run->p.pid, 0), 0); /* still running */
}

/* Records of a --raw file: each a u32 size, then that many bytes. */
static long raw_records(const char *path)
{
	FILE *f = fopen(path, "re");
	unsigned int size;
	long n = 0;

	assert_non_null(f);
	while (fread(&size, sizeof(size), 1, f) == 1 && !fseek(f, size, SEEK_CUR))
		n++;
	fclose(f);
	return n;
}

static void assert_getppids(const struct records *r, size_t want, const char *file)
{
	char spec[64];
	size_t n;

	snprintf(spec, sizeof(spec), "event=syscall syscall=getppid pid=%d", (int)getpid());
	n = records_match(r, spec);
	if (n != want)
		fail_msg("%s: %zu getppid records, not %zu", file, n, want);
}

static void rotate(const char *tool, const char *const *args, bool raw)
{
	struct tl_run run;
	struct records old = { 0 };
	struct stat a, b;

	/* .table: the new LOG holds the second phase's records only, while
	 * the summary counts both */
	tl_run(&run, .tool = tool, .args = args, .during = rotate_between, .arg = &raw,
	       .table = true);
	assert_int_equal(run.rc, 0);
	assert_int_equal(run.lost, 0);
	assert_int_equal(records_load(old_log, &old), 0);
	assert_int_equal(old.invalid, 0);
	assert_getppids(&old, PHASE1, old_log);
	assert_getppids(&run.r, PHASE2, log_path);
	/* the summary is the last line of the new file only */
	assert_int_equal(records_count(&old, "summary", 0), 0);
	assert_int_equal(json_int(run.summary, "events", -1), (long long)(old.n + run.r.n));
	assert_int_equal(stat(old_log, &a), 0);
	assert_int_equal(stat(log_path, &b), 0);
	assert_int_equal(a.st_mode, b.st_mode);
	if (raw) {
		assert_int_equal(raw_records(old_raw), PHASE1);
		assert_int_equal(raw_records(raw_path), PHASE2);
	}
	records_free(&old);
	tl_run_free(&run);
}

static void test_tool_rotation(void **state)
{
	char pid[16];
	bool raw = true;

	(void)state;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	rotate("syscalltrace", TL_ARGS("-j", "-e", "getppid", "-p", pid, "-o", log_path, "--raw",
				       raw_path),
	       raw);
}

static void test_trace_report_rotation(void **state)
{
	char pid[16];

	(void)state;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	rotate("tracekit", TL_ARGS("trace", "-j", "--report", "-e", "sys", "-p", pid, "-o", log_path),
	       false);
}

/* Waits (5 s at most) until pid sleeps in a pipe write (wchan
 * pipe_write, or anon_pipe_write since 6.15). */
static bool wait_pipe_write(pid_t pid)
{
	char path[64], wchan[64];

	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	for (int t = 0; t < 500; t++) {
		FILE *f = fopen(path, "re");
		bool in = f && fgets(wchan, sizeof(wchan), f) && strstr(wchan, "pipe_write");

		if (f)
			fclose(f);
		if (in)
			return true;
		usleep(10000);
	}
	return false;
}

/* A reader that has stopped reading (a pager, a slow pipe): the HUP comes
 * while the tool sleeps in write(). The write must resume, not fail with
 * EINTR (stdio would drop its buffer, the tool exit 1): every record
 * reaches stdout, and the tool ends by itself with 0. */
static void test_hup_during_blocked_write(void **state)
{
	enum { N = 3000 };
	struct tl_run run;
	char pid[16], buf[65536];
	size_t lines = 0;
	ssize_t k;
	int out[2];

	(void)state;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	/* CLOEXEC: only the tool's stdout may hold the write end */
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	tl_start(&run, .tool = "syscalltrace",
		 .args = TL_ARGS("-e", "getppid", "-p", pid, "-n", "3000", "--raw", raw_path),
		 .out_fd = out[1], .no_stop = true);
	close(out[1]);
	getppids(N); /* ~100 bytes of text each: far more than the pipe holds */
	/* twice: a write that has put some bytes in the pipe returns their
	 * count when interrupted; stdio then writes the rest, and that write,
	 * with nothing written yet, is the one EINTR would fail */
	for (int hup = 0; hup < 2; hup++) {
		if (!wait_pipe_write(run.p.pid))
			fail_msg("syscalltrace never blocked writing to the full pipe");
		assert_int_equal(kill(run.p.pid, SIGHUP), 0);
		usleep(100000); /* the handler has run; the write, restarted, blocks */
	}
	while ((k = read(out[0], buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < k; i++)
			lines += buf[i] == '\n';
	close(out[0]);
	tl_stop(&run);
	/* the column header, then one line a record */
	if (lines != N + 1)
		fail_msg("%zu lines on stdout, expected %d (header + %d records)", lines, N + 1, N);
	assert_int_equal(run.printed, N);
	tl_run_free(&run);
}

/* No file to reopen: the hangup of the terminal; a clean end, as SIGTERM. */
static void test_hup_without_file_ends(void **state)
{
	struct tl_run run;

	(void)state;
	tl_run(&run, .tool = "proctrace", .args = TL_ARGS("-j"), .stop_sig = SIGHUP);
	assert_int_equal(run.rc, 0);
	assert_non_null(run.summary);
	tl_run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tool_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_report_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hup_during_blocked_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hup_without_file_ends, setup, teardown),
	};
	return TL_RUN_GROUP("reopen", tests, NULL, NULL);
}
