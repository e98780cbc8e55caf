// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The files a tool writes besides its stream: --metrics' writer (exact
 * Prometheus text, hostile label values, the atomic replace and its
 * failures) and -o's reopen on SIGHUP. */
#define _GNU_SOURCE
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tk.h"
#include "tk_metrics.h"
#include "testlib.h"

static char dir[64], path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tk-outfiles-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/x.prom", dir);
	return 0;
}

/* Fails unless the directory holds want files (a temporary file left
 * behind is one more). */
static void files_in_dir(int want)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	if (n != want)
		fail_msg("%d files in %s, not %d", n, dir, want);
}

static int teardown(void **state)
{
	char p[160];

	(void)state;
	unlink(path);
	snprintf(p, sizeof(p), "%s.1", path);
	unlink(p);
	rmdir(dir);
	return 0;
}

static void assert_file(const char *p, const char *want)
{
	char *got = slurp(p);

	assert_non_null(got);
	if (strcmp(got, want))
		fail_msg("%s:\n%s\nnot:\n%s", p, got, want);
	free(got);
}

/* The exposition format to the byte: HELP/TYPE, labels, values. */
static void test_format(void **state)
{
	struct tk_metrics *m = tk_metrics_begin(path);
	struct tk_label l[] = { { "syscall", "read", 0 }, { "comm", "ab\0junk", 16 } };

	(void)state;
	assert_non_null(m);
	tk_metrics_family(m, "tracekit_syscalls_total", "counter", "Calls.");
	tk_metrics_sample(m, l, 2, 10000);
	tk_metrics_sample(m, l, 1, 0);
	tk_metrics_family(m, "tracekit_syscall_seconds_total", "counter", "Time.");
	tk_metrics_sample(m, NULL, 0, 0.0015);
	assert_int_equal(tk_metrics_end(m), 0);
	assert_file(path, "# HELP tracekit_syscalls_total Calls.\n"
			  "# TYPE tracekit_syscalls_total counter\n"
			  "tracekit_syscalls_total{syscall=\"read\",comm=\"ab\"} 10000\n"
			  "tracekit_syscalls_total{syscall=\"read\"} 0\n"
			  "# HELP tracekit_syscall_seconds_total Time.\n"
			  "# TYPE tracekit_syscall_seconds_total counter\n"
			  "tracekit_syscall_seconds_total 0.0015\n");
	files_in_dir(1);
}

/* A comm's hostile bytes: the decoder's text escapes (newline, bidi,
 * invalid UTF-8, backslash), then the format's (\\ and \"). */
static void test_hostile_label(void **state)
{
	struct tk_metrics *m = tk_metrics_begin(path);

	(void)state;
	assert_non_null(m);
	tk_metrics_family(m, "t_total", "counter", "h");
	tk_metrics_sample(m, &(struct tk_label){ "comm", "q\"b\\s\nx\xe2\x80\xae\xff\x1b", 0 }, 1, 1);
	assert_int_equal(tk_metrics_end(m), 0);
	assert_file(path, "# HELP t_total h\n# TYPE t_total counter\n"
			  "t_total{comm=\"q\\\"b\\\\\\\\s\\\\nx\\\\u202e\\\\xff\\\\x1b\"} 1\n");
}

/* Each write replaces the file whole; a failed one leaves the last. */
static void test_replace_and_fail(void **state)
{
	struct tk_metrics *m;
	struct stat a, b;

	(void)state;
	m = tk_metrics_begin(path);
	tk_metrics_family(m, "t_total", "counter", "h");
	tk_metrics_sample(m, NULL, 0, 1);
	assert_int_equal(tk_metrics_end(m), 0);
	assert_int_equal(stat(path, &a), 0);
	m = tk_metrics_begin(path);
	tk_metrics_family(m, "t_total", "counter", "h");
	tk_metrics_sample(m, NULL, 0, 2);
	assert_int_equal(tk_metrics_end(m), 0);
	assert_int_equal(stat(path, &b), 0);
	assert_true(a.st_ino != b.st_ino); /* renamed over, not rewritten */
	assert_file(path, "# HELP t_total h\n# TYPE t_total counter\nt_total 2\n");
	/* a tool that cannot give its samples: the file keeps the last write */
	m = tk_metrics_begin(path);
	tk_metrics_family(m, "t_total", "counter", "h");
	tk_metrics_fail(m, ENOMEM);
	errno = 0;
	assert_int_equal(tk_metrics_end(m), -1);
	assert_int_equal(errno, ENOMEM);
	assert_file(path, "# HELP t_total h\n# TYPE t_total counter\nt_total 2\n");
	files_in_dir(1);
	/* a directory that does not exist */
	errno = 0;
	assert_null(tk_metrics_begin("/nonexistent-tk-dir/x.prom"));
	assert_int_equal(errno, ENOENT);
}

/* -o's reopen: buffered records go to the file renamed away, later ones
 * to a new file at the path; the stream keeps its fd number. */
static void test_reopen(void **state)
{
	char old[160];
	FILE *f = fopen(path, "we");
	int fd;

	(void)state;
	snprintf(old, sizeof(old), "%s.1", path);
	assert_non_null(f);
	fd = fileno(f);
	fputs("before\n", f); /* still in the buffer */
	assert_int_equal(rename(path, old), 0);
	assert_int_equal(tk_out_reopen(f, path), 0);
	assert_int_equal(fileno(f), fd);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	fputs("after\n", f);
	assert_int_equal(fclose(f), 0);
	assert_file(old, "before\n");
	assert_file(path, "after\n");
	/* a path that cannot be opened: -1, and the old file stays */
	f = fopen(path, "ae");
	assert_non_null(f);
	errno = 0;
	assert_int_equal(tk_out_reopen(f, "/nonexistent-tk-dir/log"), -1);
	assert_int_equal(errno, ENOENT);
	fputs("still\n", f);
	assert_int_equal(fclose(f), 0);
	assert_file(path, "after\nstill\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_label, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_and_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
	};
	return cmocka_run_group_tests_name("outfiles", tests, NULL, NULL);
}
