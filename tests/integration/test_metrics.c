// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * --metrics FILE (root): exact counts of known workloads in the
 * Prometheus file, cumulative across -i's tables, hostile comm bytes
 * escaped; the real node_exporter (textfile collector only, on a free
 * loopback port) serves the samples, and promtool finds no problem.
 * Both come from Debian's packages, extracted but not installed by
 * `make metrics-deps` (part of `make deps`): no service is started.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "testlib.h"

#define WORK "build/tests/syscallwork"
#define NOFILE "/nonexistent-tk-metrics"
/* comm bytes a process may set: a quote, a backslash, a newline, U+202E
 * (right-to-left override) and an invalid byte */
#define HOSTILE "a\"b\\c\nd\xe2\x80\xae\xff"
/* as the file must show it: tk_fput_text's escapes, then the format's */
#define HOSTILE_LABEL "a\\\"b\\\\\\\\c\\\\nd\\\\u202e\\\\xff"

static char dir[64], prom[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tk-metrics-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(prom, sizeof(prom), "%s/tracekit.prom", dir);
	return 0;
}

/* The harness's (what still runs is killed, no program left loaded), then the directory. */
static int teardown(void **state)
{
	int rc = tl_teardown(state);
	char data[128];

	snprintf(data, sizeof(data), "%s/data", dir); /* file_child's, if it failed */
	unlink(data);
	snprintf(data, sizeof(data), "%s/fifo", dir); /* test_errors', if it failed */
	unlink(data);
	unlink(prom);
	rmdir(dir);
	return rc;
}

/* A Debian binary: extracted into TK_METRICS_DEPS by make metrics-deps, or installed. */
static const char *tool_bin(const char *name)
{
	static char path[2][512];
	static int k;
	char *p = path[k++ & 1];

	snprintf(p, sizeof(path[0]), TK_METRICS_DEPS "/usr/bin/%s", name);
	if (access(p, X_OK)) {
		snprintf(p, sizeof(path[0]), "/usr/bin/%s", name);
		if (access(p, X_OK))
			fail_msg("no %s in " TK_METRICS_DEPS "/usr/bin or /usr/bin: run 'sudo make metrics-deps'",
				 name);
	}
	return p;
}

/* The value of the one line "<series> VALUE" of text; -1 if there is
 * none, -2 if there are several. */
static double sample(const char *text, const char *series)
{
	size_t n = strlen(series);
	double v = -1;
	int found = 0;

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, series, n) && l[n] == ' ') {
			v = strtod(l + n + 1, NULL);
			found++;
		}
	return found > 1 ? -2 : v;
}

#define ASSERT_SAMPLE(text, want, ...)                                               \
	do {                                                                         \
		char s__[512];                                                       \
		double v__;                                                          \
		snprintf(s__, sizeof(s__), __VA_ARGS__);                             \
		v__ = sample((text), s__);                                           \
		if (v__ != (double)(want))                                           \
			fail_msg("%s: %g, not %g (-1: missing)\n%s", s__, v__,       \
				 (double)(want), (text));                            \
	} while (0)

/* promtool check metrics < file: exit 0 and nothing said. */
static void promtool_clean(const char *file)
{
	char *argv[] = { "/bin/sh", "-c", "exec \"$0\" check metrics < \"$1\"",
			 (char *)tool_bin("promtool"), (char *)file, NULL };
	struct proc p;
	char *out, *err;
	int rc;

	assert_int_equal(proc_start(&p, argv), 0);
	rc = proc_wait(&p, 30000);
	out = slurp(p.out);
	err = slurp(p.err);
	if (rc || (out && *out) || (err && *err))
		fail_msg("promtool check metrics: exit %d\n%s%s", rc, out ? out : "", err ? err : "");
	free(out);
	free(err);
	proc_cleanup(&p);
}

/* A loopback port nothing listens on now. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* GET /metrics over loopback; the whole response, or NULL if nothing
 * answers on port. */
static char *scrape(int port)
{
	static const char req[] = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	size_t n = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ssize_t r;

	assert_non_null(buf);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    write(fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	while ((r = read(fd, buf + n, cap - n - 1)) > 0)
		if ((n += r) == cap - 1 && !(buf = realloc(buf, cap *= 2)))
			fail_msg("out of memory");
	close(fd);
	buf[n] = 0;
	return buf;
}

/* node_exporter serving dir's *.prom on a free loopback port; its
 * /metrics, once it answers (10 s at most). */
static char *node_exporter_scrape(void)
{
	char listen[64], textdir[128];
	char *argv[] = { (char *)tool_bin("prometheus-node-exporter"), "--collector.disable-defaults",
			 "--collector.textfile", textdir, listen, NULL };
	struct proc p;
	char *body = NULL;

	snprintf(listen, sizeof(listen), "--web.listen-address=127.0.0.1:%d", free_port());
	snprintf(textdir, sizeof(textdir), "--collector.textfile.directory=%s", dir);
	assert_int_equal(proc_start(&p, argv), 0);
	for (int t = 0; t < 1000 && !body; t++) {
		body = scrape(atoi(strrchr(listen, ':') + 1));
		if (!body)
			usleep(10000);
	}
	kill(p.pid, SIGTERM);
	proc_wait(&p, 10000);
	if (!body) {
		char *err = slurp(p.err);

		fail_msg("node_exporter never answered:\n%s", err ? err : "");
	}
	proc_cleanup(&p);
	return body;
}

/* Only the file: no temporary one left beside it. */
static void only_the_file(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			if (strcmp(de->d_name, "tracekit.prom"))
				fail_msg("%s/%s left beside the file", dir, de->d_name);
			n++;
		}
	closedir(d);
	assert_int_equal(n, 1);
}

/*
 * syscallwork's exact calls (10,000 getppid, 1 failed open, 1 nanosleep)
 * in syscalltrace -s -P's file, for its pid and comm; served by
 * node_exporter (which sorts the labels) and clean for promtool.
 */
static void test_syscall_counts(void **state)
{
	struct tl_run run;
	char *text, *body;
	long long pid;

	(void)state;
	tl_run(&run, .tool = "syscalltrace",
	       .args = TL_ARGS("-s", "-P", "-e", "getppid,open,nanosleep", "--metrics", prom),
	       .workload = TL_ARGS(WORK, "run", NOFILE, "4096", "1000000"), .table = true);
	pid = run.workload;
	text = slurp(prom);
	assert_non_null(text);
	ASSERT_SAMPLE(text, 10000,
		      "tracekit_syscalls_total{syscall=\"getppid\",pid=\"%lld\",comm=\"syscallwork\"}", pid);
	ASSERT_SAMPLE(text, 0,
		      "tracekit_syscall_errors_total{syscall=\"getppid\",pid=\"%lld\",comm=\"syscallwork\"}",
		      pid);
	ASSERT_SAMPLE(text, 1,
		      "tracekit_syscalls_total{syscall=\"open\",pid=\"%lld\",comm=\"syscallwork\"}", pid);
	ASSERT_SAMPLE(text, 1,
		      "tracekit_syscall_errors_total{syscall=\"open\",pid=\"%lld\",comm=\"syscallwork\"}", pid);
	ASSERT_SAMPLE(text, 1,
		      "tracekit_syscalls_total{syscall=\"nanosleep\",pid=\"%lld\",comm=\"syscallwork\"}",
		      pid);
	/* the 1 ms sleep is in the time */
	{
		char s[256];
		double v;

		snprintf(s, sizeof(s), "tracekit_syscall_seconds_total{syscall=\"nanosleep\",pid=\"%lld\","
				       "comm=\"syscallwork\"}", pid);
		v = sample(text, s);
		if (v < 0.001 || v > 1)
			fail_msg("%s: %g, not 0.001..1", s, v);
	}
	ASSERT_SAMPLE(text, 0, "tracekit_events_lost_total{tool=\"syscalltrace\",kind=\"no_room\"}");
	ASSERT_SAMPLE(text, 0, "tracekit_syscalls_uncounted_total{reason=\"table_full\"}");
	assert_non_null(strstr(text, "# TYPE tracekit_syscalls_total counter\n"));
	only_the_file();
	promtool_clean(prom);

	body = node_exporter_scrape();
	ASSERT_SAMPLE(body, 10000,
		      "tracekit_syscalls_total{comm=\"syscallwork\",pid=\"%lld\",syscall=\"getppid\"}", pid);
	ASSERT_SAMPLE(body, 1,
		      "tracekit_syscall_errors_total{comm=\"syscallwork\",pid=\"%lld\",syscall=\"open\"}", pid);
	ASSERT_SAMPLE(body, 0, "node_textfile_scrape_error");
	free(body);
	free(text);
	tl_run_free(&run);
}

/* Calls of this process the test makes itself. */
static void getppids(int n)
{
	for (int i = 0; i < n; i++)
		syscall(SYS_getppid);
}

/* Waits (5 s at most) until the file shows want for series. */
static void wait_sample(const char *series, double want)
{
	double v = -1;

	for (int t = 0; t < 500; t++) {
		char *text = slurp(prom);

		v = text ? sample(text, series) : -1;
		free(text);
		if (v == want)
			return;
		usleep(10000);
	}
	fail_msg("%s: %g, not %g after 5 s", series, v, want);
}

/* The calls the tables printed so far (stdout: JSON rows); -1 while it
 * cannot be read. */
static long long table_calls(const struct tl_run *run)
{
	struct records r = { 0 };
	long long sum = 0;

	if (records_load(run->p.out, &r))
		return -1;
	for (size_t i = 0; i < r.n; i++)
		sum += json_int(r.v[i], "count", 0);
	records_free(&r);
	return sum;
}

/* The second phase starts once the first is in the file and in the tables. */
static void two_phases(struct tl_run *run, void *arg)
{
	long long got = -1;

	(void)arg;
	getppids(1000);
	wait_sample("tracekit_syscalls_total{syscall=\"getppid\"}", 1000);
	for (int t = 0; t < 500 && (got = table_calls(run)) != 1000; t++)
		usleep(10000);
	if (got != 1000)
		fail_msg("the tables printed %lld calls, not 1000, within 5 s", got);
	getppids(500);
	wait_sample("tracekit_syscalls_total{syscall=\"getppid\"}", 1500);
}

static void test_cumulative_across_intervals(void **state)
{
	struct tl_run run;
	char pid[16];
	long long sum = 0;
	size_t i;

	(void)state;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	tl_run(&run, .tool = "syscalltrace",
	       .args = TL_ARGS("-j", "-i", "0.2", "-e", "getppid", "-p", pid, "--metrics", prom),
	       .during = two_phases, .table = true);
	/* the tables restart: the rows after the first 1000 calls add up
	 * to the second phase's 500, while the file said 1500 */
	for (i = 0; i < run.r.n && sum < 1000; i++)
		sum += json_int(run.r.v[i], "count", 0);
	assert_int_equal(sum, 1000);
	for (sum = 0; i < run.r.n; i++)
		sum += json_int(run.r.v[i], "count", 0);
	assert_int_equal(sum, 500);
	tl_run_free(&run);
	promtool_clean(prom);
}

/* A child with a hostile comm makes 7 getppid calls; its pid. */
static void hostile_child(struct tl_run *run, void *arg)
{
	pid_t c = fork();
	int st;

	(void)run;
	assert_true(c >= 0);
	if (!c) {
		prctl(PR_SET_NAME, HOSTILE);
		getppids(7);
		_exit(0);
	}
	assert_int_equal(waitpid(c, &st, 0), c);
	assert_int_equal(st, 0);
	*(pid_t *)arg = c;
}

/* The comm's bytes escaped, in the file and as node_exporter serves it. */
static void test_hostile_comm(void **state)
{
	struct tl_run run;
	pid_t child = 0;
	char *text, *body;

	(void)state;
	tl_run(&run, .tool = "syscalltrace",
	       .args = TL_ARGS("-s", "-P", "-e", "getppid", "--metrics", prom),
	       .during = hostile_child, .arg = &child, .table = true);
	text = slurp(prom);
	assert_non_null(text);
	ASSERT_SAMPLE(text, 7, "tracekit_syscalls_total{syscall=\"getppid\",pid=\"%d\",comm=\"%s\"}",
		      (int)child, HOSTILE_LABEL);
	promtool_clean(prom);
	body = node_exporter_scrape();
	ASSERT_SAMPLE(body, 7, "tracekit_syscalls_total{comm=\"%s\",pid=\"%d\",syscall=\"getppid\"}",
		      HOSTILE_LABEL, (int)child);
	ASSERT_SAMPLE(body, 0, "node_textfile_scrape_error");
	free(body);
	free(text);
	tl_run_free(&run);
}

/* A child named tkm-files: 3 writes of 1000 bytes, then 2 reads of 2000
 * bytes from the file (2000, then the 1000 left), through raw syscalls. */
static void file_child(struct tl_run *run, void *arg)
{
	static char buf[2000];
	char path[128];
	pid_t c;
	int st;

	(void)run;
	(void)arg;
	snprintf(path, sizeof(path), "%s/data", dir);
	c = fork();
	assert_true(c >= 0);
	if (!c) {
		long fd;

		prctl(PR_SET_NAME, "tkm-files");
		fd = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		for (int i = 0; i < 3; i++)
			if (syscall(SYS_write, fd, buf, 1000) != 1000)
				_exit(3);
		syscall(SYS_close, fd);
		fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
		if (syscall(SYS_read, fd, buf, 2000) != 2000 || syscall(SYS_read, fd, buf, 2000) != 1000)
			_exit(4);
		syscall(SYS_close, fd);
		_exit(0);
	}
	assert_int_equal(waitpid(c, &st, 0), c);
	assert_int_equal(st, 0);
	unlink(path);
}

/* filetrace -s: the child's totals, by comm. */
static void test_filetrace_totals(void **state)
{
	struct tl_run run;
	char *text;

	(void)state;
	tl_run(&run, .tool = "filetrace", .args = TL_ARGS("-s", "-i", "0.3", "--metrics", prom),
	       .during = file_child, .table = true);
	text = slurp(prom);
	assert_non_null(text);
	ASSERT_SAMPLE(text, 2, "tracekit_file_opens_total{comm=\"tkm-files\"}");
	ASSERT_SAMPLE(text, 3, "tracekit_file_writes_total{comm=\"tkm-files\"}");
	ASSERT_SAMPLE(text, 3000, "tracekit_file_written_bytes_total{comm=\"tkm-files\"}");
	ASSERT_SAMPLE(text, 2, "tracekit_file_reads_total{comm=\"tkm-files\"}");
	ASSERT_SAMPLE(text, 3000, "tracekit_file_read_bytes_total{comm=\"tkm-files\"}");
	promtool_clean(prom);
	free(text);
	tl_run_free(&run);
}

#define CHURN 1100 /* comms: more than filetrace's 1024 series */
/* the children's uid, traced with -u: only they count, however busy the
 * host (others' builds would fill the table and leave their own comms) */
#define CHURN_UID "54321"

/* CHURN children, each its own comm tkm-cNNNN, each opening a file once. */
static void comm_churn(struct tl_run *run, void *arg)
{
	int st;

	(void)run;
	(void)arg;
	for (int i = 0; i < CHURN; i++) {
		pid_t c = fork();

		assert_true(c >= 0);
		if (!c) {
			char name[16];

			snprintf(name, sizeof(name), "tkm-c%04d", i);
			if (setgid(atoi(CHURN_UID)) || setuid(atoi(CHURN_UID)))
				_exit(2);
			prctl(PR_SET_NAME, name);
			_exit(syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY) < 0);
		}
		assert_int_equal(waitpid(c, &st, 0), c);
		assert_int_equal(st, 0);
	}
}

/* How many lines start with prefix, and the sum of their values. */
static size_t series_count(const char *text, const char *prefix, double *sum)
{
	size_t n = 0;

	*sum = 0;
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, prefix, strlen(prefix))) {
			n++;
			*sum += strtod(strchr(l, ' ') + 1, NULL);
		}
	return n;
}

/* Comms without bound (a hostile process renames itself at will): 1024
 * comm series, the rest in {comm="other",folded="true"}, counted. */
static void test_filetrace_series_cap(void **state)
{
	struct tl_run run;
	size_t comms, ours, unseen;
	double sum, folded, other;
	char *text;

	(void)state;
	tl_run(&run, .tool = "filetrace",
	       .args = TL_ARGS("-s", "-i", "0.3", "-u", CHURN_UID, "--metrics", prom),
	       .during = comm_churn, .table = true);
	text = slurp(prom);
	assert_non_null(text);
	comms = series_count(text, "tracekit_file_opens_total{comm=\"", &sum);
	ours = series_count(text, "tracekit_file_opens_total{comm=\"tkm-c", &sum);
	if (ours != (size_t)sum)
		fail_msg("%zu tkm-c series holding %g opens, not 1 each", ours, sum);
	other = sample(text, "tracekit_file_opens_total{comm=\"other\",folded=\"true\"}");
	folded = sample(text, "tracekit_file_series_folded_total");
	/* the folded series is one of the comm="..." lines */
	if (comms != 1024 + 1 || ours != 1024)
		fail_msg("%zu comm series, %zu of them tkm-c: expected 1024 and the folded one",
			 comms, ours);
	/* every child without a series of its own is in other: 1 open, 1 row each */
	unseen = CHURN - ours;
	if (other != unseen || folded != unseen)
		fail_msg("%zu children without a series; other has %g opens, %g rows folded", unseen,
			 other, folded);
	promtool_clean(prom);
	free(text);
	tl_run_free(&run);
}

static void refused_connects(struct tl_run *run, void *arg)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(*(int *)arg),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	(void)run;
	for (int i = 0; i < 3; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		assert_true(fd >= 0);
		assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), -1);
		assert_int_equal(errno, ECONNREFUSED);
		close(fd);
	}
}

/* nettrace: 3 refused connects to a port nothing listens on. */
static void test_nettrace_totals(void **state)
{
	int port = free_port();
	char ports[16];
	struct tl_run run;
	char *text;

	(void)state;
	snprintf(ports, sizeof(ports), "%d", port);
	tl_run(&run, .tool = "nettrace", .args = TL_ARGS("-j", "--port", ports, "--metrics", prom),
	       .during = refused_connects, .arg = &port);
	text = slurp(prom);
	assert_non_null(text);
	ASSERT_SAMPLE(text, 3, "tracekit_tcp_connects_total{result=\"ECONNREFUSED\"}");
	ASSERT_SAMPLE(text, 0, "tracekit_tcp_connects_total{result=\"ok\"}");
	ASSERT_SAMPLE(text, 3, "tracekit_events_total{tool=\"nettrace\"}");
	ASSERT_SAMPLE(text, 0, "tracekit_tcp_accepts_total");
	ASSERT_SAMPLE(text, 0, "tracekit_tcp_sent_bytes_total");
	assert_int_equal(run.events, 3);
	promtool_clean(prom);
	free(text);
	tl_run_free(&run);

	/* -e connect: no family for the events not traced (accept's, close's
	 * counts would be zeros that are not known) */
	tl_run(&run, .tool = "nettrace",
	       .args = TL_ARGS("-j", "-e", "connect", "--port", ports, "--metrics", prom),
	       .during = refused_connects, .arg = &port);
	text = slurp(prom);
	assert_non_null(text);
	ASSERT_SAMPLE(text, 3, "tracekit_tcp_connects_total{result=\"ECONNREFUSED\"}");
	for (const char *const *f = (const char *const[]){ "tracekit_tcp_accepts_total",
			"tracekit_tcp_sent_bytes_total", "tracekit_tcp_received_bytes_total",
			"tracekit_tcp_retransmits_total", "tracekit_tcp_closes_total",
			"tracekit_tcp_state_changes_total", NULL }; *f; f++)
		if (strstr(text, *f))
			fail_msg("-e connect: %s in the metrics:\n%s", *f, text);
	promtool_clean(prom);
	free(text);
	tl_run_free(&run);
}

/* A file that cannot be written: one line, exit 1, before the command
 * runs; a mode without counters: a usage error. */
static void test_errors(void **state)
{
	char *bad[] = { (char *)tl_path("bin/syscalltrace"), "-s", "--metrics",
			"/nonexistent-tk-dir/x.prom", "--", "/bin/sh", "-c", "echo ran >&2", NULL };
	char *nosum[] = { (char *)tl_path("bin/proctrace"), "--metrics", prom, "--", "/bin/true",
			  NULL };
	char fifo[160], want[384];
	char *notreg[] = { (char *)tl_path("bin/syscalltrace"), "-s", "--metrics", fifo, "--",
			   "/bin/true", NULL };
	struct stat st;
	char *err;

	(void)state;
	assert_int_equal(proc_run_err(bad, &err), 1);
	if (strcmp(err, "syscalltrace: cannot write the metrics to '/nonexistent-tk-dir/x.prom': "
			"No such file or directory\n"))
		fail_msg("stderr: '%s'", err);
	free(err);
	assert_int_equal(proc_run_err(nosum, &err), 2);
	assert_non_null(strstr(err, "proctrace: --metrics needs a mode with counters"));
	if (strchr(err, '\n') + 1 != err + strlen(err))
		fail_msg("not one line: '%s'", err);
	free(err);
	assert_int_equal(access(prom, F_OK), -1);

	/* not a regular file (as /dev/full): refused, never renamed over */
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(proc_run_err(notreg, &err), 1);
	snprintf(want, sizeof(want), "syscalltrace: cannot write the metrics to '%s': not a regular "
		 "file (the file is replaced by a rename)\n", fifo);
	if (strcmp(err, want))
		fail_msg("stderr: '%s', expected '%s'", err, want);
	free(err);
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	unlink(fifo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_syscall_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cumulative_across_intervals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_comm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filetrace_totals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nettrace_totals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filetrace_series_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};
	return TL_RUN_GROUP("metrics", tests, NULL, NULL);
}
