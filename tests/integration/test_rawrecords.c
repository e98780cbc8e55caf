// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Every record honest, proven from the bytes the consumer received (--raw),
 * not from the decoded output (root):
 *
 *  - a canary string in the names a filter rejects (filetrace --path,
 *    proctrace -c, syscalltrace's command-mode tree) occurs in no byte of
 *    any record, on both transports, while the records the filter keeps
 *    are there (so the test can fail);
 *  - every record is exactly its meaningful bytes (fixed part + packed
 *    strings), plus under --perfbuf the zero pad the kernel's 8-byte
 *    rounding needs, and its header's cgroup_id is the cgroup every
 *    traced task is in (this test's own): build/tests/rawstat checks
 *    each one.
 *
 * The workloads run long names before short ones and rejected names
 * before accepted ones, so any stale byte of a build buffer would carry a
 * canary fragment into a later record.
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
#include <time.h>
#include <unistd.h>
#include "testlib.h"

#define READY "tracing, Ctrl-C to end"
#define RAWSTAT tl_path("build/tests/rawstat")
#define ROUNDS 40

static const char *const transports[] = { NULL, "--perfbuf" };

struct raw_test {
	char dir[64];     /* /tmp/tk-raw-XXXXXX */
	char canary[40];  /* unique per test run */
	char raw[96];     /* the --raw file */
};

static void rt_init(struct raw_test *t)
{
	struct timespec ts;

	snprintf(t->dir, sizeof(t->dir), "/tmp/tk-raw-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(t->canary, sizeof(t->canary), "CaNaRy%d%09ld", (int)getpid(), ts.tv_nsec);
	snprintf(t->raw, sizeof(t->raw), "%s.raw", t->dir);
}

static void rt_done(struct raw_test *t)
{
	char cmd[160];

	unlink(t->raw);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd))
		fprintf(stderr, "warning: could not remove %s\n", t->dir);
}

/* Occurrences of needle (a C string) anywhere in the raw file's bytes. */
static size_t raw_count(const char *path, const char *needle)
{
	char *buf = NULL;
	size_t n = 0, len = strlen(needle), count = 0;
	FILE *f = fopen(path, "re");
	size_t cap = 0;

	assert_non_null(f);
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t got = fread(buf + n, 1, cap - n, f);

		if (!got)
			break;
		n += got;
	}
	fclose(f);
	for (const char *p = buf; (p = memmem(p, buf + n - p, needle, len)); p += len)
		count++;
	free(buf);
	return count;
}

/* rawstat: every record exactly its meaning, ratios <= 1.25, and from
 * this process's cgroup (the workloads are its children). */
static void check_exact(const char *raw, const char *transport)
{
	char cg[24];
	unsigned long long id = tl_cgroup_id(0);
	char *argv[] = { (char *)RAWSTAT, "--cgroup-id", cg,
			 (char *)(transport ? transport : raw), transport ? (char *)raw : NULL,
			 NULL };

	assert_true(id > 0);
	snprintf(cg, sizeof(cg), "%llu", id);
	if (run_quiet(argv))
		fail_msg("rawstat --cgroup-id %s %s %s: a record carries bytes it does not mean "
			 "or another cgroup_id (run it by hand to see which)", cg,
			 transport ? transport : "", raw);
}

/* Runs the tool (argv, READY on stderr) around workload(t) and stops it. */
static void run_around(struct raw_test *t, char **argv, void (*workload)(struct raw_test *))
{
	struct proc p;
	pid_t child;
	int st;

	assert_int_equal(proc_start(&p, argv), 0);
	assert_true(proc_wait_stderr(&p, READY, 30000));
	child = fork();
	assert_true(child >= 0);
	if (!child) {
		workload(t);
		_exit(0);
	}
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	usleep(200000); /* > --drain-ms: every record is written */
	kill(p.pid, SIGINT);
	assert_int_equal(proc_wait(&p, 30000), 0);
	proc_cleanup(&p);
}

/* ---- filetrace --path ------------------------------------------------------ */

/* Outside: every file operation on long canary paths; inside: short ones. */
static void file_workload(struct raw_test *t)
{
	char out[512], a[600], b[600], in[128], c;
	int fd;

	snprintf(out, sizeof(out), "%s/out-%s-directory-name-that-should-be-filtered-out", t->dir,
		 t->canary);
	if (mkdir(out, 0700))
		_exit(1);
	for (int i = 0; i < ROUNDS; i++) {
		snprintf(a, sizeof(a), "%s/private-file-%d-%s.txt", out, i, t->canary);
		snprintf(b, sizeof(b), "%s/renamed-%d-%s.txt", out, i, t->canary);
		fd = open(a, O_CREAT | O_RDWR, 0600);
		if (fd < 0 || write(fd, "x", 1) != 1 || pread(fd, &c, 1, 0) != 1)
			_exit(1);
		close(fd);
		if (rename(a, b) || truncate(b, 0) || unlink(b))
			_exit(1);
		if (mkdir(a, 0700) || rmdir(a))
			_exit(1);
		open(a, O_RDONLY); /* fails: ENOENT, a rejected name too */
		snprintf(in, sizeof(in), "%s/in/f%d", t->dir, i);
		fd = open(in, O_CREAT | O_WRONLY, 0600);
		if (fd < 0 || write(fd, "y", 1) != 1)
			_exit(1);
		close(fd);
		if (unlink(in))
			_exit(1);
	}
}

static void test_filetrace_path_canary(void **state)
{
	(void)state;
	NEED_ROOT();
	for (size_t k = 0; k < 2; k++) {
		struct raw_test t;
		char in[96], marker[128];

		rt_init(&t);
		snprintf(in, sizeof(in), "%s/in", t.dir);
		assert_int_equal(mkdir(in, 0700), 0);
		{
			char *argv[] = { (char *)tl_path("bin/filetrace"), "-e", "all", "--path", in,
					 "--raw", t.raw, (char *)transports[k], NULL };

			run_around(&t, argv, file_workload);
		}
		if (raw_count(t.raw, t.canary))
			fail_msg("%s: a rejected path's canary is in the raw records",
				 transports[k] ? transports[k] : "ring buffer");
		/* the accepted records are there: open, write, close, unlink of
		 * each inside file, every one naming it */
		snprintf(marker, sizeof(marker), "%s/f1", in);
		assert_true(raw_count(t.raw, marker) >= 4);
		snprintf(marker, sizeof(marker), "%s/f%d", in, ROUNDS - 1);
		assert_true(raw_count(t.raw, marker) >= 4);
		check_exact(t.raw, transports[k]);
		rt_done(&t);
	}
	assert_int_equal(tk_progs_left(), 0);
}

/* ---- proctrace -c ----------------------------------------------------------- */

/* Rejected: /bin/true with long canary arguments; kept: /bin/echo. */
static void proc_workload(struct raw_test *t)
{
	char big[2048], small[64];

	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	memcpy(big, t->canary, strlen(t->canary));
	for (int i = 0; i < ROUNDS / 4; i++) {
		char *rej[] = { "/bin/true", t->canary, big, NULL };
		char *acc[] = { "/bin/echo", small, NULL };
		pid_t c;
		int st;

		snprintf(small, sizeof(small), "kept-%d", i);
		for (int j = 0; j < 2; j++) {
			c = fork();
			if (c < 0)
				_exit(1);
			if (!c) {
				int nul = open("/dev/null", O_WRONLY);

				dup2(nul, 1);
				execv(j ? acc[0] : rej[0], j ? acc : rej);
				_exit(127);
			}
			if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st))
				_exit(1);
		}
	}
}

static void test_proctrace_comm_canary(void **state)
{
	(void)state;
	NEED_ROOT();
	for (size_t k = 0; k < 2; k++) {
		struct raw_test t;

		rt_init(&t);
		{
			char *argv[] = { (char *)tl_path("bin/proctrace"), "-c", "echo", "--raw", t.raw,
					 (char *)transports[k], NULL };

			run_around(&t, argv, proc_workload);
		}
		if (raw_count(t.raw, t.canary))
			fail_msg("%s: a filtered-out exec's argv canary is in the raw records",
				 transports[k] ? transports[k] : "ring buffer");
		assert_int_equal(raw_count(t.raw, "kept-0"), 1);
		assert_int_equal(raw_count(t.raw, "kept-9"), 1);
		check_exact(t.raw, transports[k]);
		rt_done(&t);
	}
	assert_int_equal(tk_progs_left(), 0);
}

/* ---- syscalltrace, command mode --------------------------------------------- */

/* Outside the traced tree: long canary paths, over and over. */
static void sys_outsider(struct raw_test *t)
{
	char path[600];

	for (int i = 0; i < 400; i++) {
		snprintf(path, sizeof(path), "%s/%s-a-long-name-nobody-traces-%d", t->dir, t->canary,
			 i);
		open(path, O_RDONLY);
		usleep(1000);
	}
}

static void test_syscalltrace_tree_canary(void **state)
{
	(void)state;
	NEED_ROOT();
	for (size_t k = 0; k < 2; k++) {
		struct raw_test t;
		char inside[96], script[256];
		pid_t out;
		int st;

		rt_init(&t);
		snprintf(inside, sizeof(inside), "%s/inside-file", t.dir);
		close(open(inside, O_CREAT | O_WRONLY, 0600));
		snprintf(script, sizeof(script), "for i in 1 2 3 4 5; do cat %s; sleep 0.05; done",
			 inside);
		out = fork();
		assert_true(out >= 0);
		if (!out) {
			sys_outsider(&t);
			_exit(0);
		}
		{
			char *argv[10];
			int n = 0;

			argv[n++] = (char *)tl_path("bin/syscalltrace");
			argv[n++] = "--raw";
			argv[n++] = t.raw;
			if (transports[k])
				argv[n++] = (char *)transports[k];
			argv[n++] = "--";
			argv[n++] = "/bin/sh";
			argv[n++] = "-c";
			argv[n++] = script;
			argv[n] = NULL;
			assert_int_equal(run_quiet(argv), 0);
		}
		kill(out, SIGKILL);
		waitpid(out, &st, 0);
		if (raw_count(t.raw, t.canary))
			fail_msg("%s: an untraced process's path is in the raw records",
				 transports[k] ? transports[k] : "ring buffer");
		assert_true(raw_count(t.raw, inside) >= 5); /* cat's openat of it */
		check_exact(t.raw, transports[k]);
		rt_done(&t);
	}
	assert_int_equal(tk_progs_left(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filetrace_path_canary),
		cmocka_unit_test(test_proctrace_comm_canary),
		cmocka_unit_test(test_syscalltrace_tree_canary),
	};
	if (!tl_is_root())
		fprintf(stderr, "\n*** raw-record integration tests need root: SKIPPED ***\n\n");
	return cmocka_run_group_tests_name("rawrecords", tests, NULL, NULL);
}
