// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * syscalltrace end to end (root): a workload of known syscalls, traced in
 * stream and summary mode, must come back exactly: counts, return values,
 * errno names, the path argument, durations. Without root every test
 * that loads BPF reports SKIPPED.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testlib.h"

#define SYSCALLTRACE tl_path("bin/syscalltrace")
#define WORK tl_path("build/tests/syscallwork")
#define READY "tracing, Ctrl-C to end"
/*
 * syscalltrace's programs are sys_call_* and sys_follow_*: bare "sys_"
 * also matches the programs other tracers name after syscall tracepoints
 * (bpftrace's sys_enter_openat), which may be loaded meanwhile.
 */
#define PROG_PREFIX "sys_call_"
#define PROG_PREFIX2 "sys_follow_"
#define GETPPID_N 10000
#define READ_SIZE "12345"
#define SLEEP_NS 20000000LL /* 20 ms */

static char enoent_path[128];

static int setup(void **state)
{
	(void)state;
	/* a path nobody else opens, so the test can look for it */
	snprintf(enoent_path, sizeof(enoent_path), "/nonexistent/tk-sys-%d/missing file",
		 (int)getpid());
	return 0;
}

static void assert_no_progs_left(void)
{
	ASSERT_NO_PROGS_LEFT();
}

/* ---- the workload, started before the tracer, released after it -------- */

/* True once pid is blocked in rt_sigtimedwait (sigwait): its loader and
 * setup calls are behind it, so a tracer attached now sees only the work. */
static bool blocked_in_sigwait(pid_t pid)
{
	char path[64], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	for (int i = 0; i < 500; i++) {
		f = fopen(path, "r");
		if (f) {
			if (!fgets(buf, sizeof(buf), f))
				buf[0] = 0;
			fclose(f);
		}
		if (atoi(buf) == SYS_rt_sigtimedwait)
			return true;
		usleep(10000);
	}
	return false;
}

static pid_t start_waiting_work(void)
{
	char *argv[] = { (char *)WORK, "wait", enoent_path, READ_SIZE, "20000000", NULL };
	pid_t pid = fork();

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	assert_true(pid > 0);
	assert_true(blocked_in_sigwait(pid));
	return pid;
}

/*
 * syscalltrace ARGS… -p WORKPID around one run of the workload. Returns
 * the tracer's exit code; p holds its output.
 */
static int trace_work(struct proc *p, pid_t *work_pid, const char *const *args)
{
	char *argv[24] = { (char *)SYSCALLTRACE };
	char pidbuf[16];
	int n = 1, status, rc;
	pid_t w = start_waiting_work();

	for (; *args; args++)
		argv[n++] = (char *)*args;
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)w);
	argv[n++] = "-p";
	argv[n++] = pidbuf;
	argv[n] = NULL;
	assert_int_equal(proc_start(p, argv), 0);
	assert_true(proc_wait_stderr(p, READY, 20000));
	kill(w, SIGUSR1);
	assert_int_equal(waitpid(w, &status, 0), w);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	kill(p->pid, SIGINT);
	rc = proc_wait(p, 20000);
	*work_pid = w;
	return rc;
}

static size_t count_syscall(const struct records *r, const char *name, const char *event)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		const char *ev = json_str(r->v[i], "event"), *sc = json_str(r->v[i], "syscall");

		if (ev && !strcmp(ev, event) && sc && !strcmp(sc, name))
			n++;
	}
	return n;
}

static const struct jv *find_syscall(const struct records *r, const char *name,
				     const char *event, long long pid)
{
	for (size_t i = 0; i < r->n; i++) {
		const char *ev = json_str(r->v[i], "event"), *sc = json_str(r->v[i], "syscall");

		if (ev && !strcmp(ev, event) && sc && !strcmp(sc, name) &&
		    (!pid || json_int(r->v[i], "pid", -1) == pid))
			return r->v[i];
	}
	return NULL;
}

static long long arg_hex(const struct jv *rec, unsigned i)
{
	const struct jv *a = json_get(rec, "args");

	assert_non_null(a);
	assert_int_equal(a->type, J_ARR);
	assert_int_equal(a->len, 6);
	assert_int_equal(a->items[i].type, J_STR);
	return strtoll(a->items[i].str, NULL, 16);
}

/* ---- stream mode --------------------------------------------------------------- */

/* Exactly the workload's 10,005 completed calls, each as it was made. */
static void test_stream_exact(void **state)
{
	const char *args[] = { "-j", NULL };
	unsigned long long events, lost;
	const struct jv *open, *openat, *rd, *cl, *ns;
	struct records r;
	struct proc p;
	pid_t w;
	size_t getppid = 0, slow = 0;
	long long fd;

	(void)state;
	NEED_ROOT();
	assert_int_equal(trace_work(&p, &w, args), 0);
	assert_int_equal(records_load(p.out, &r), 0);
	assert_int_equal(r.invalid, 0);
	assert_int_equal(proc_summary(&p, &events, &lost), 0);
	assert_int_equal(lost, 0);
	/* + the runtime's final {"event":"summary"} line */
	assert_int_equal(r.n, GETPPID_N + 5 + 1);
	assert_int_equal(records_count(&r, "syscall", w), GETPPID_N + 5);
	assert_int_equal(events, GETPPID_N + 5);

	for (size_t i = 0; i < r.n; i++) {
		const struct jv *v = r.v[i];
		long long d;

		if (strcmp(json_str(v, "event"), "syscall"))
			continue;
		assert_int_equal(json_int(v, "pid", -1), w);
		assert_int_equal(json_int(v, "tid", -1), w);
		assert_string_equal(json_str(v, "comm"), "syscallwork");
		if (strcmp(json_str(v, "syscall"), "getppid"))
			continue;
		getppid++;
		assert_int_equal(json_int(v, "nr", -1), SYS_getppid);
		assert_int_equal(json_int(v, "ret", -1), getpid()); /* we are its parent */
		assert_null(json_get(v, "path"));
		assert_null(json_get(v, "fd"));
		d = json_int(v, "duration_ns", -1);
		assert_true(d > 0 && d < 50000000);
		slow += d > 100000;
	}
	assert_int_equal(getppid, GETPPID_N);
	assert_true(slow < GETPPID_N / 100); /* a getppid takes ~0.1-1 µs */

	open = find_syscall(&r, "open", "syscall", w);
	assert_non_null(open);
	assert_int_equal(json_int(open, "nr", -1), SYS_open);
	assert_int_equal(json_int(open, "ret", 0), -2);
	assert_string_equal(json_str(open, "ret_str"), "ENOENT");
	assert_string_equal(json_str(open, "path"), enoent_path);
	assert_int_equal(arg_hex(open, 1), 0); /* O_RDONLY */

	openat = find_syscall(&r, "openat", "syscall", w);
	assert_non_null(openat);
	assert_string_equal(json_str(openat, "path"), "/dev/zero");
	fd = json_int(openat, "ret", -1);
	assert_true(fd >= 3);
	assert_int_equal(arg_hex(openat, 0), (unsigned)-100 /* AT_FDCWD, as int */);

	rd = find_syscall(&r, "read", "syscall", w);
	assert_non_null(rd);
	assert_int_equal(json_int(rd, "fd", -1), fd);
	assert_int_equal(json_int(rd, "ret", -1), atoi(READ_SIZE));
	assert_int_equal(arg_hex(rd, 0), fd);
	assert_int_equal(arg_hex(rd, 2), atoi(READ_SIZE));
	assert_null(json_get(rd, "path"));

	cl = find_syscall(&r, "close", "syscall", w);
	assert_non_null(cl);
	assert_int_equal(json_int(cl, "fd", -1), fd);
	assert_int_equal(json_int(cl, "ret", -1), 0);

	ns = find_syscall(&r, "nanosleep", "syscall", w);
	assert_non_null(ns);
	assert_int_equal(json_int(ns, "ret", -1), 0);
	assert_true(json_int(ns, "duration_ns", 0) >= SLEEP_NS);
	assert_true(json_int(ns, "duration_ns", 0) < SLEEP_NS + 2000000000LL);

	/* one record each; exit_group never completes, so it has none */
	assert_int_equal(count_syscall(&r, "open", "syscall"), 1);
	assert_int_equal(count_syscall(&r, "openat", "syscall"), 1);
	assert_int_equal(count_syscall(&r, "read", "syscall"), 1);
	assert_int_equal(count_syscall(&r, "close", "syscall"), 1);
	assert_int_equal(count_syscall(&r, "nanosleep", "syscall"), 1);
	assert_int_equal(count_syscall(&r, "exit_group", "syscall"), 0);
	records_free(&r);
	proc_cleanup(&p);
	assert_no_progs_left();
}

/* Text: strace-like facts on one line each, the path escaped. */
static void test_stream_text(void **state)
{
	const char *args[] = { "-e", "open,nanosleep", NULL };
	char want[256];
	struct proc p;
	pid_t w;
	char *out;

	(void)state;
	NEED_ROOT();
	assert_int_equal(trace_work(&p, &w, args), 0);
	out = slurp(p.out);
	assert_non_null(out);
	assert_non_null(strstr(out, "EVENT    PID"));
	snprintf(want, sizeof(want), "syscall  %-7d %-7d 0     syscallwork      nr=2(open) ret=-2(ENOENT) "
		 "duration_ns=", (int)w, (int)w);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), " path='%s'\n", enoent_path);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "nr=35(nanosleep) ret=0 duration_ns=2"));
	assert_null(strstr(out, "getppid"));
	free(out);
	proc_cleanup(&p);
	assert_no_progs_left();
}

/* -e by name and number, -x, --min-duration: filtered in the kernel. */
static void test_stream_filters(void **state)
{
	const char *failed[] = { "-j", "-x", "-e", "getppid,2", NULL };
	const char *slow[] = { "-j", "--min-duration", "10000000", NULL };
	const char *bynr[] = { "-j", "-e", "110", "--perfbuf", NULL };
	unsigned long long events, lost;
	struct records r;
	struct proc p;
	pid_t w;

	(void)state;
	NEED_ROOT();
	/* getppid never fails: only the open is left */
	assert_int_equal(trace_work(&p, &w, failed), 0);
	assert_int_equal(records_load(&p.out[0], &r), 0);
	assert_int_equal(records_count(&r, "syscall", 0), 1);
	assert_string_equal(json_str(find_syscall(&r, "open", "syscall", w), "ret_str"), "ENOENT");
	records_free(&r);
	proc_cleanup(&p);

	/* only the 20 ms nanosleep takes 10 ms */
	assert_int_equal(trace_work(&p, &w, slow), 0);
	assert_int_equal(records_load(p.out, &r), 0);
	assert_int_equal(records_count(&r, "syscall", 0), 1);
	assert_non_null(find_syscall(&r, "nanosleep", "syscall", w));
	records_free(&r);
	proc_cleanup(&p);

	/* by number (getppid is 110 on x86_64), through the perf buffer */
	assert_int_equal(trace_work(&p, &w, bynr), 0);
	assert_int_equal(records_load(p.out, &r), 0);
	assert_int_equal(proc_summary(&p, &events, &lost), 0);
	assert_int_equal(records_count(&r, "syscall", w), GETPPID_N);
	assert_int_equal(count_syscall(&r, "getppid", "syscall"), GETPPID_N);
	assert_int_equal(events, GETPPID_N);
	assert_int_equal(lost, 0);
	/* perf pads each 120-byte record by 4 stale bytes: no fake path */
	for (size_t i = 0; i < r.n; i++)
		if (json_get(r.v[i], "path"))
			fail_msg("a getppid record through the perf buffer has a path");
	records_free(&r);
	proc_cleanup(&p);
	assert_no_progs_left();
}

/* A frozen consumer and a small ring: what is lost is counted exactly. */
static void test_stream_loss_accounted(void **state)
{
	char *argv[] = { (char *)SYSCALLTRACE, "-j", "-e", "getppid", "-c", "syscallwork",
			 "--ringbuf-size", "65536", NULL };
	char *loop[] = { (char *)WORK, "loop", "200000", NULL };
	unsigned long long events, lost;
	struct records r;
	struct proc p;

	(void)state;
	NEED_ROOT();
	assert_int_equal(proc_start(&p, argv), 0);
	assert_true(proc_wait_stderr(&p, READY, 20000));
	kill(p.pid, SIGSTOP);
	assert_int_equal(run_quiet(loop), 0);
	kill(p.pid, SIGCONT);
	kill(p.pid, SIGINT);
	assert_int_equal(proc_wait(&p, 20000), 0);
	assert_int_equal(proc_summary(&p, &events, &lost), 0);
	assert_int_equal(records_load(p.out, &r), 0);
	fprintf(stderr, "frozen consumer, 64 KiB ring: %llu events, %llu lost of 200000\n",
		events, lost);
	assert_int_equal(records_count(&r, "syscall", 0), events);
	assert_int_equal(events + lost, 200000);
	assert_true(lost > 0);
	records_free(&r);
	proc_cleanup(&p);
	assert_no_progs_left();
}

/* ---- summary mode --------------------------------------------------------------- */

static const struct jv *summary_row(const struct records *r, const char *name)
{
	return find_syscall(r, name, "syscall_summary", 0);
}

static void assert_row(const struct records *r, const char *name, long long count,
		       long long errors)
{
	const struct jv *row = summary_row(r, name);

	if (!row)
		fail_msg("no summary row for %s", name);
	assert_int_equal(json_int(row, "count", -1), count);
	assert_int_equal(json_int(row, "errors", -1), errors);
	assert_true(json_int(row, "total_ns", -1) >= json_int(row, "max_ns", -1));
	assert_true(json_int(row, "max_ns", -1) >= json_int(row, "avg_ns", -1));
}

/* The kernel's table is exactly the workload: 7 syscalls, 10,006 calls. */
static void test_summary_exact(void **state)
{
	const char *args[] = { "-s", "-j", NULL };
	const char *perproc[] = { "-j", "-P", "--sort", "time", NULL };
	const struct jv *ns, *row;
	struct records r;
	struct proc p;
	pid_t w;
	char *err;

	(void)state;
	NEED_ROOT();
	assert_int_equal(trace_work(&p, &w, args), 0);
	assert_int_equal(records_load(p.out, &r), 0);
	assert_int_equal(r.invalid, 0);
	assert_int_equal(records_count(&r, "syscall", 0), 0); /* nothing streamed */
	assert_int_equal(records_count(&r, "syscall_summary", 0), 7);
	assert_row(&r, "getppid", GETPPID_N, 0);
	assert_row(&r, "open", 1, 1);
	assert_row(&r, "openat", 1, 0);
	assert_row(&r, "read", 1, 0);
	assert_row(&r, "close", 1, 0);
	assert_row(&r, "nanosleep", 1, 0);
	assert_row(&r, "exit_group", 1, 0);
	/* sorted by count: getppid first */
	assert_string_equal(json_str(r.v[0], "syscall"), "getppid");
	assert_int_equal(json_int(r.v[0], "nr", -1), SYS_getppid);
	ns = summary_row(&r, "nanosleep");
	assert_true(json_int(ns, "total_ns", 0) >= SLEEP_NS);
	assert_true(json_int(ns, "max_ns", 0) < SLEEP_NS + 2000000000LL);
	row = summary_row(&r, "getppid");
	assert_true(json_int(row, "avg_ns", -1) > 0 && json_int(row, "avg_ns", -1) < 100000);
	err = slurp(p.err);
	assert_non_null(strstr(err, "syscalltrace: 10006 calls counted in the kernel"));
	free(err);
	records_free(&r);
	proc_cleanup(&p);

	/* per process, by time: the same counts, the process named */
	assert_int_equal(trace_work(&p, &w, perproc), 0);
	assert_int_equal(records_load(p.out, &r), 0);
	assert_int_equal(records_count(&r, "syscall_summary", w), 7);
	assert_int_equal(records_count(&r, "syscall_summary", 0), 7);
	assert_string_equal(json_str(r.v[0], "syscall"), "nanosleep"); /* the 20 ms */
	assert_string_equal(json_str(r.v[0], "comm"), "syscallwork");
	assert_row(&r, "getppid", GETPPID_N, 0);
	assert_row(&r, "open", 1, 1);
	records_free(&r);
	proc_cleanup(&p);
	assert_no_progs_left();
}

/* --no-latency: the same counts from sys_exit alone; exit_group unseen. */
static void test_summary_no_latency(void **state)
{
	const char *args[] = { "--no-latency", "-j", NULL };
	struct records r;
	struct proc p;
	pid_t w;

	(void)state;
	NEED_ROOT();
	assert_int_equal(trace_work(&p, &w, args), 0);
	assert_int_equal(records_load(p.out, &r), 0);
	/* + the sigwait it was blocked in: entered before we attached, but
	 * counted when it returns, as only sys_exit is watched */
	assert_int_equal(records_count(&r, "syscall_summary", 0), 7);
	assert_int_equal(json_int(summary_row(&r, "rt_sigtimedwait"), "count", -1), 1);
	assert_int_equal(json_int(summary_row(&r, "getppid"), "count", -1), GETPPID_N);
	assert_int_equal(json_int(summary_row(&r, "open"), "errors", -1), 1);
	assert_int_equal(json_int(summary_row(&r, "nanosleep"), "count", -1), 1);
	assert_null(summary_row(&r, "exit_group")); /* it never returns */
	assert_null(json_get(summary_row(&r, "getppid"), "total_ns"));
	records_free(&r);
	proc_cleanup(&p);
	assert_no_progs_left();
}

/* Text table: header, sorted rows, total line; --top cuts. */
static void test_summary_text_top(void **state)
{
	const char *args[] = { "-s", "--top", "2", "--sort", "time", NULL };
	struct proc p;
	pid_t w;
	char *out, *a, *b;

	(void)state;
	NEED_ROOT();
	assert_int_equal(trace_work(&p, &w, args), 0);
	out = slurp(p.out);
	assert_non_null(strstr(out, "syscall                  nr      count   errors       total_ns"));
	a = strstr(out, "\nnanosleep ");
	b = strstr(out, "\ngetppid ");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	assert_null(strstr(out, "\nopen "));  /* cut by --top 2 */
	assert_non_null(strstr(out, "\ntotal: 10006 calls, 1 failed, "));
	assert_non_null(strstr(out, " ms in syscalls (top 2 of 7 syscalls shown)\n"));
	free(out);
	proc_cleanup(&p);
	assert_no_progs_left();
}

/*
 * -i: the intervals' counts add up to exactly what was done. With -P each
 * loop is its own process, reaped from the kernel's table once gone: the
 * reaping must lose nothing.
 */
static void run_intervals(bool per_process)
{
	char *argv[] = { (char *)SYSCALLTRACE, "-j", "-i", "0.2", "-e", "getppid", "-c",
			 "syscallwork", per_process ? "-P" : NULL, NULL };
	char *loop[] = { (char *)WORK, "loop", "10000", NULL };
	long long total = 0, last = 0, tables = 0, pids[3] = { 0 }, counts[3] = { 0 };
	int npids = 0, k;
	struct records r;
	struct proc p;

	assert_int_equal(proc_start(&p, argv), 0);
	assert_true(proc_wait_stderr(&p, READY, 20000));
	for (int i = 0; i < 3; i++) {
		assert_int_equal(run_quiet(loop), 0);
		usleep(500000);
	}
	kill(p.pid, SIGINT);
	assert_int_equal(proc_wait(&p, 20000), 0);
	assert_int_equal(records_load(p.out, &r), 0);
	for (size_t i = 0; i < r.n; i++) {
		long long pid = json_int(r.v[i], "pid", 0);

		if (strcmp(json_str(r.v[i], "event"), "syscall_summary"))
			continue;
		assert_string_equal(json_str(r.v[i], "syscall"), "getppid");
		/* one row per table (per process and table with -P) */
		assert_true(json_int(r.v[i], "interval", 0) > last ||
			    (per_process && json_int(r.v[i], "interval", 0) == last));
		tables += json_int(r.v[i], "interval", 0) != last;
		last = json_int(r.v[i], "interval", 0);
		total += json_int(r.v[i], "count", 0);
		if (per_process) {
			/* a loop may straddle two tables: sum per process */
			for (k = 0; k < npids && pids[k] != pid; k++)
				;
			if (k == npids) {
				assert_true(npids < 3);
				pids[npids++] = pid;
			}
			counts[k] += json_int(r.v[i], "count", 0);
		}
	}
	assert_int_equal(total, 3 * 10000);
	for (k = 0; k < npids; k++)
		assert_int_equal(counts[k], 10000);
	assert_int_equal(npids, per_process ? 3 : 0);
	assert_true(tables >= 3); /* 0.5 s apart: at least three tables */
	records_free(&r);
	proc_cleanup(&p);
	assert_no_progs_left();
}

static void test_summary_intervals(void **state)
{
	(void)state;
	NEED_ROOT();
	run_intervals(false);
	run_intervals(true);
}

/* Command mode: the command's tree only, exactly, while others run. */
static void test_command_mode_tree_only(void **state)
{
	char script[512];
	char *argv[] = { (char *)SYSCALLTRACE, "-j", "-P", "-e", "getppid", "--", "/bin/sh", "-c",
			 script, NULL };
	char *noise[] = { (char *)WORK, "loop", "50000", NULL };
	long long pids[2] = { 0, 0 };
	size_t n = 0;
	struct records r;
	struct proc p;
	pid_t np;

	(void)state;
	NEED_ROOT();
	snprintf(script, sizeof(script), "%s run '%s' 100 1000 && %s run '%s' 100 1000; exit 7",
		 WORK, enoent_path, WORK, enoent_path);
	np = fork();
	if (np == 0) {
		for (int i = 0; i < 5; i++)
			run_quiet(noise);
		_exit(0);
	}
	assert_int_equal(proc_start(&p, argv), 0);
	assert_int_equal(proc_wait(&p, 30000), 7); /* the command's status */
	waitpid(np, NULL, 0);
	assert_int_equal(records_load(p.out, &r), 0);
	for (size_t i = 0; i < r.n; i++) {
		if (strcmp(json_str(r.v[i], "event"), "syscall_summary"))
			continue;
		assert_string_equal(json_str(r.v[i], "syscall"), "getppid");
		if (!strcmp(json_str(r.v[i], "comm"), "sh"))
			continue; /* the shell reads $PPID */
		/* the noise is named syscallwork too, but made 50,000 calls */
		assert_string_equal(json_str(r.v[i], "comm"), "syscallwork");
		assert_int_equal(json_int(r.v[i], "count", -1), GETPPID_N);
		assert_true(n < 2);
		pids[n++] = json_int(r.v[i], "pid", -1);
	}
	assert_int_equal(n, 2);
	assert_true(pids[0] > 0 && pids[1] > 0 && pids[0] != pids[1]);
	records_free(&r);
	proc_cleanup(&p);
	assert_no_progs_left();
}

/* perf counts the same tracepoint independently: the numbers agree. */
static void test_perf_crosscheck(void **state)
{
	char perf_out[] = "/tmp/tk-sys-perf-XXXXXX";
	char *argv[] = { (char *)SYSCALLTRACE, "-j", "-s", "-e", "getppid", "--", "/usr/bin/perf",
			 "stat", "-x,", "-o", perf_out, "-e", "syscalls:sys_enter_getppid", "--",
			 (char *)WORK, "run", enoent_path, "100", "1000", NULL };
	long long perf_count = -1;
	struct records r;
	struct proc p;
	char *s, *line;

	(void)state;
	NEED_ROOT();
	if (access("/usr/bin/perf", X_OK) || system("/usr/bin/perf --version >/dev/null 2>&1")) {
		fprintf(stderr, "SKIPPED: perf not installed (apt install linux-perf)\n");
		skip();
	}
	close(mkstemp(perf_out));
	assert_int_equal(proc_start(&p, argv), 0);
	assert_int_equal(proc_wait(&p, 60000), 0);
	s = slurp(perf_out);
	assert_non_null(s);
	for (line = strtok(s, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, "syscalls:sys_enter_getppid"))
			perf_count = atoll(line);
	free(s);
	unlink(perf_out);
	assert_int_equal(records_load(p.out, &r), 0);
	fprintf(stderr, "getppid: perf stat %lld, syscalltrace %lld\n", perf_count,
		json_int(summary_row(&r, "getppid"), "count", -1));
	assert_int_equal(perf_count, GETPPID_N);
	assert_int_equal(json_int(summary_row(&r, "getppid"), "count", -1), perf_count);
	records_free(&r);
	proc_cleanup(&p);
	assert_no_progs_left();
}

/* ---- the rest ------------------------------------------------------------------- */

static void test_bad_args_exit_2(void **state)
{
	const char *bad[][3] = {
		{ "-e", "nosuchcall" }, { "-e", "5000" }, { "-e", "," }, { "-e", "getppid,bogus" },
		{ "--syscall", "-1" }, { "--sort", "bogus" }, { "--top", "0" }, { "--top", "x" },
		{ "-i", "0" }, { "-i", "abc" }, { "-i", "0.001" }, { "--min-duration", "-5" },
		{ "--min-duration", "1ms" }, { "-s", "-n" }, { "--events", "syscall" }, { "--bogus" },
		{ "-P", "-p" }, { "--no-latency", "--sort", "time" },
		{ "--no-latency", "--min-duration", "5" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = { (char *)SYSCALLTRACE, (char *)bad[i][0], (char *)bad[i][1],
				 (char *)bad[i][2], NULL };
		int rc;

		if (!strcmp(bad[i][0], "-s")) /* -s with -n 5 */
			argv[3] = "5";
		rc = run_quiet(argv);
		if (rc != 2)
			fail_msg("'%s %s' exited %d, expected 2", bad[i][0], bad[i][1] ? bad[i][1] : "",
				 rc);
	}
}

/* SIGTERM in summary mode: the table, exit 0, nothing left loaded. */
static void test_signal_summary(void **state)
{
	char *argv[] = { (char *)SYSCALLTRACE, "-s", NULL };
	unsigned long long ev, lost;
	struct proc p;
	char *out;

	(void)state;
	NEED_ROOT();
	assert_int_equal(proc_start(&p, argv), 0);
	assert_true(proc_wait_stderr(&p, READY, 20000));
	assert_int_equal(tk_progs_held(p.pid, PROG_PREFIX), 3);
	assert_int_equal(tk_progs_held(p.pid, PROG_PREFIX2), 2);
	usleep(200000);
	kill(p.pid, SIGTERM);
	assert_int_equal(proc_wait(&p, 10000), 0);
	assert_int_equal(proc_summary(&p, &ev, &lost), 0);
	out = slurp(p.out);
	assert_non_null(strstr(out, "syscall                  nr      count"));
	free(out);
	proc_cleanup(&p);
	assert_no_progs_left();
}

/* valgrind over summary -P -i and stream: no leaks, no invalid accesses. */
static void test_valgrind(void **state)
{
	const char *modes[][4] = { { "-P", "-i", "0.1", "-j" }, { "-j", "-e", "getppid", "-x" } };

	(void)state;
	NEED_ROOT();
	for (size_t i = 0; i < 2; i++) {
		char *argv[] = { (char *)SYSCALLTRACE, (char *)modes[i][0], (char *)modes[i][1],
				 (char *)modes[i][2], (char *)modes[i][3], "--", "/bin/sh", "-c",
				 "sleep 0.3; exit 4", NULL };
		int rc = run_valgrind(argv);

		if (rc == VALGRIND_MISSING) {
			fprintf(stderr, "SKIPPED: valgrind not installed\n");
			skip();
		}
		assert_int_equal(rc, 4); /* VALGRIND_ERROR would be a valgrind error */
	}
	assert_no_progs_left();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_args_exit_2),
		cmocka_unit_test(test_stream_exact),
		cmocka_unit_test(test_stream_text),
		cmocka_unit_test(test_stream_filters),
		cmocka_unit_test(test_stream_loss_accounted),
		cmocka_unit_test(test_summary_exact),
		cmocka_unit_test(test_summary_no_latency),
		cmocka_unit_test(test_summary_text_top),
		cmocka_unit_test(test_summary_intervals),
		cmocka_unit_test(test_command_mode_tree_only),
		cmocka_unit_test(test_perf_crosscheck),
		cmocka_unit_test(test_signal_summary),
		cmocka_unit_test(test_valgrind),
	};
	if (!tl_is_root())
		fprintf(stderr, "\n*** syscalltrace integration tests need root: SKIPPED ***\n\n");
	return cmocka_run_group_tests_name("syscalltrace", tests, setup, NULL);
}
