// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * syscalltrace end to end (root): a workload of known syscalls, traced in
 * stream and summary mode, must come back exactly: counts, return values,
 * errno names, the path argument, durations. Without root every test
 * that loads BPF reports SKIPPED. The frame (running the tool, summary,
 * JSON validity, standard checks, leak checks) is testlib's harness.
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

#define TOOL "syscalltrace"
#define WORK tl_path("build/tests/syscallwork")
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
#define WORK_UID 65534 /* nobody: the workload's real uid */

static char enoent_path[128];
/* syscallwork under a name of this run's own (a symlink): -c with it cannot
 * catch another test's or another checkout's syscallwork on the host */
static char own_dir[64], own_work[128], own_comm[16];

/* The standard checks: 20,000 getppid calls, by pid. */
static const tl_args bad[] = {
	{ "-e", "nosuchcall" }, { "-e", "5000" }, { "-e", "," }, { "-e", "getppid,bogus" },
	{ "--syscall", "-1" }, { "--sort", "bogus" }, { "--top", "0" }, { "--top", "x" },
	{ "-i", "0" }, { "-i", "abc" }, { "-i", "0.001" }, { "--min-duration", "-5" },
	{ "--min-duration", "1ms" }, { "-s", "-n", "5" }, { "--events", "syscall" },
	{ "-P", "-p" }, { "--no-latency", "--sort", "time" },
	{ "--no-latency", "--min-duration", "5" }, { NULL },
};
static const tl_args valgrind[] = {
	{ "-P", "-i", "0.1", "-j", "--", "/bin/sh", "-c", "sleep 0.3; exit 4" },
	{ "-j", "-e", "getppid", "-x", "--", "/bin/sh", "-c", "sleep 0.3; exit 4" },
	{ NULL },
};
static const struct tl_tool tool = {
	.name = TOOL, .prog_prefix = PROG_PREFIX,
	.workload = TL_ARGS("build/tests/syscallwork", "loop", "20000"),
	.filter = TL_ARGS("-e", "getppid"), .event = "syscall", .n = 20000,
	.bad = bad, .valgrind = valgrind, .valgrind_rc = 4,
};

static int setup(void **state)
{
	(void)state;
	/* a path nobody else opens, so the test can look for it */
	snprintf(enoent_path, sizeof(enoent_path), "/nonexistent/tk-sys-%d/missing file",
		 (int)getpid());
	snprintf(own_dir, sizeof(own_dir), "/tmp/tk-sys-XXXXXX");
	snprintf(own_comm, sizeof(own_comm), "tksw%d", (int)getpid());
	if (!mkdtemp(own_dir))
		return -1;
	snprintf(own_work, sizeof(own_work), "%s/%s", own_dir, own_comm);
	return symlink(WORK, own_work);
}

static int teardown(void **state)
{
	(void)state;
	unlink(own_work);
	rmdir(own_dir);
	return 0;
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
		/* a real uid of its own, the one records report (cred->uid);
		 * the effective uid stays root, so the workload still execs
		 * from a checkout only root can enter (CI's is 0700) */
		if (setresuid(WORK_UID, 0, 0))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	assert_true(pid > 0);
	assert_true(blocked_in_sigwait(pid));
	return pid;
}

static void release_work(struct tl_run *run, void *arg)
{
	pid_t w = *(pid_t *)arg;
	int status;

	(void)run;
	kill(w, SIGUSR1);
	assert_int_equal(waitpid(w, &status, 0), w);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * syscalltrace ARGS… -p WORKPID around one run of the workload, which is
 * started first and released once the tracer is ready; table: a summary
 * mode. Returns the workload's pid.
 */
static pid_t trace_work(struct tl_run *run, const char *const *args, bool table)
{
	static pid_t w;
	char pidbuf[16];

	w = start_waiting_work();
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)w);
	tl_run(run, .tool = TOOL, .args = args, .more = TL_ARGS("-p", pidbuf), .during = release_work,
	       .arg = &w, .table = table);
	return w;
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
	const struct jv *open, *openat, *rd, *cl, *ns;
	struct tl_run run;
	const struct records *r = &run.r;
	size_t getppid = 0, slow = 0;
	unsigned long long cgroup_id;
	long long fd;
	pid_t w;

	(void)state;
	NEED_ROOT();
	cgroup_id = tl_cgroup_id(getpid()); /* the workload's: it is our child */
	assert_int_not_equal(cgroup_id, 0);
	w = trace_work(&run, TL_ARGS("-j"), false);
	assert_int_equal(r->n, GETPPID_N + 5);
	assert_int_equal(records_count(r, "syscall", w), GETPPID_N + 5);
	assert_int_equal(run.events, GETPPID_N + 5);

	for (size_t i = 0; i < r->n; i++) {
		const struct jv *v = r->v[i];
		long long d;

		assert_int_equal(json_int(v, "pid", -1), w);
		assert_int_equal(json_int(v, "tid", -1), w);
		assert_int_equal(json_int(v, "uid", -1), WORK_UID);
		assert_true((unsigned long long)json_int(v, "cgroup_id", 0) == cgroup_id);
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

	open = find_syscall(r, "open", "syscall", w);
	assert_non_null(open);
	assert_int_equal(json_int(open, "nr", -1), SYS_open);
	assert_int_equal(json_int(open, "ret", 0), -2);
	assert_string_equal(json_str(open, "ret_str"), "ENOENT");
	assert_string_equal(json_str(open, "path"), enoent_path);
	assert_int_equal(arg_hex(open, 1), 0); /* O_RDONLY */

	openat = find_syscall(r, "openat", "syscall", w);
	assert_non_null(openat);
	assert_string_equal(json_str(openat, "path"), "/dev/zero");
	fd = json_int(openat, "ret", -1);
	assert_true(fd >= 3);
	assert_int_equal(arg_hex(openat, 0), (unsigned)-100 /* AT_FDCWD, as int */);

	rd = find_syscall(r, "read", "syscall", w);
	assert_non_null(rd);
	assert_int_equal(json_int(rd, "fd", -1), fd);
	assert_int_equal(json_int(rd, "ret", -1), atoi(READ_SIZE));
	assert_int_equal(arg_hex(rd, 0), fd);
	assert_int_equal(arg_hex(rd, 2), atoi(READ_SIZE));
	assert_null(json_get(rd, "path"));

	cl = find_syscall(r, "close", "syscall", w);
	assert_non_null(cl);
	assert_int_equal(json_int(cl, "fd", -1), fd);
	assert_int_equal(json_int(cl, "ret", -1), 0);

	ns = find_syscall(r, "nanosleep", "syscall", w);
	assert_non_null(ns);
	assert_int_equal(json_int(ns, "ret", -1), 0);
	assert_true(json_int(ns, "duration_ns", 0) >= SLEEP_NS);
	assert_true(json_int(ns, "duration_ns", 0) < SLEEP_NS + 2000000000LL);

	/* one record each; exit_group never completes, so it has none */
	assert_int_equal(count_syscall(r, "open", "syscall"), 1);
	assert_int_equal(count_syscall(r, "openat", "syscall"), 1);
	assert_int_equal(count_syscall(r, "read", "syscall"), 1);
	assert_int_equal(count_syscall(r, "close", "syscall"), 1);
	assert_int_equal(count_syscall(r, "nanosleep", "syscall"), 1);
	assert_int_equal(count_syscall(r, "exit_group", "syscall"), 0);
	tl_run_free(&run);
}

/*
 * -u and -c in stream mode (the entry filters through the task pointer):
 * the workload's real uid and its name admit every one of its calls, and
 * another uid or name admits none.
 */
static void test_stream_uid_comm(void **state)
{
	const char *const *const want[] = {
		TL_ARGS("-j", "-e", "getppid", "-u", "65534"),
		TL_ARGS("-j", "-e", "getppid", "-c", "syscallwork"),
	};
	const char *const *const none[] = {
		TL_ARGS("-j", "-e", "getppid", "-u", "0"),
		TL_ARGS("-j", "-e", "getppid", "-c", "syscallworkx"),
	};
	_Static_assert(WORK_UID == 65534, "the -u argument above");
	struct tl_run run;
	pid_t w;

	(void)state;
	NEED_ROOT();
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		w = trace_work(&run, want[i], false);
		assert_int_equal(records_count(&run.r, "syscall", w), GETPPID_N);
		assert_int_equal(run.r.n, GETPPID_N);
		tl_run_free(&run);
	}
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		trace_work(&run, none[i], false);
		assert_int_equal(run.r.n, 0);
		assert_int_equal(run.events, 0);
		tl_run_free(&run);
	}
}

/* Text: strace-like facts on one line each, the path escaped. */
static void test_stream_text(void **state)
{
	struct tl_run run;
	char want[256];
	pid_t w;

	(void)state;
	NEED_ROOT();
	w = trace_work(&run, TL_ARGS("-e", "open,nanosleep"), false);
	assert_non_null(strstr(run.out, "EVENT    PID"));
	snprintf(want, sizeof(want), "syscall  %-7d %-7d %-5d syscallwork      nr=2(open) ret=-2(ENOENT) "
		 "duration_ns=", (int)w, (int)w, WORK_UID);
	assert_non_null(strstr(run.out, want));
	snprintf(want, sizeof(want), " path='%s'\n", enoent_path);
	assert_non_null(strstr(run.out, want));
	assert_non_null(strstr(run.out, "nr=35(nanosleep) ret=0 duration_ns=2"));
	assert_null(strstr(run.out, "getppid"));
	tl_run_free(&run);
}

/* -e by name and number, -x, --min-duration: filtered in the kernel. */
static void test_stream_filters(void **state)
{
	struct tl_run run;
	pid_t w;

	(void)state;
	NEED_ROOT();
	/* getppid never fails: only the open is left */
	w = trace_work(&run, TL_ARGS("-j", "-x", "-e", "getppid,2"), false);
	assert_int_equal(records_count(&run.r, "syscall", 0), 1);
	assert_string_equal(json_str(find_syscall(&run.r, "open", "syscall", w), "ret_str"),
			    "ENOENT");
	tl_run_free(&run);

	/* only the 20 ms nanosleep takes 10 ms */
	w = trace_work(&run, TL_ARGS("-j", "--min-duration", "10000000"), false);
	assert_int_equal(records_count(&run.r, "syscall", 0), 1);
	assert_non_null(find_syscall(&run.r, "nanosleep", "syscall", w));
	tl_run_free(&run);

	/* by number (getppid is 110 on x86_64), through the perf buffer */
	w = trace_work(&run, TL_ARGS("-j", "-e", "110", "--perfbuf"), false);
	assert_int_equal(records_count(&run.r, "syscall", w), GETPPID_N);
	assert_int_equal(count_syscall(&run.r, "getppid", "syscall"), GETPPID_N);
	assert_int_equal(run.events, GETPPID_N);
	/* perf pads each 120-byte record by 4 stale bytes: no fake path */
	for (size_t i = 0; i < run.r.n; i++)
		if (json_get(run.r.v[i], "path"))
			fail_msg("a getppid record through the perf buffer has a path");
	tl_run_free(&run);
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
	const struct records *r;
	const struct jv *ns, *row;
	struct tl_run run;
	pid_t w;

	(void)state;
	NEED_ROOT();
	trace_work(&run, TL_ARGS("-s", "-j"), true);
	r = &run.r;
	assert_int_equal(records_count(r, "syscall", 0), 0); /* nothing streamed */
	assert_int_equal(records_count(r, "syscall_summary", 0), 7);
	assert_row(r, "getppid", GETPPID_N, 0);
	assert_row(r, "open", 1, 1);
	assert_row(r, "openat", 1, 0);
	assert_row(r, "read", 1, 0);
	assert_row(r, "close", 1, 0);
	assert_row(r, "nanosleep", 1, 0);
	assert_row(r, "exit_group", 1, 0);
	/* sorted by count: getppid first */
	assert_string_equal(json_str(r->v[0], "syscall"), "getppid");
	assert_int_equal(json_int(r->v[0], "nr", -1), SYS_getppid);
	ns = summary_row(r, "nanosleep");
	assert_true(json_int(ns, "total_ns", 0) >= SLEEP_NS);
	assert_true(json_int(ns, "max_ns", 0) < SLEEP_NS + 2000000000LL);
	row = summary_row(r, "getppid");
	assert_true(json_int(row, "avg_ns", -1) > 0 && json_int(row, "avg_ns", -1) < 100000);
	assert_non_null(strstr(run.err, "syscalltrace: 10006 calls counted in the kernel"));
	tl_run_free(&run);

	/* per process, by time: the same counts, the process named */
	w = trace_work(&run, TL_ARGS("-j", "-P", "--sort", "time"), true);
	assert_int_equal(records_count(r, "syscall_summary", w), 7);
	assert_int_equal(records_count(r, "syscall_summary", 0), 7);
	assert_string_equal(json_str(r->v[0], "syscall"), "nanosleep"); /* the 20 ms */
	assert_string_equal(json_str(r->v[0], "comm"), "syscallwork");
	assert_row(r, "getppid", GETPPID_N, 0);
	assert_row(r, "open", 1, 1);
	tl_run_free(&run);
}

/* --no-latency: the same counts from sys_exit alone; exit_group unseen. */
static void test_summary_no_latency(void **state)
{
	struct tl_run run;

	(void)state;
	NEED_ROOT();
	trace_work(&run, TL_ARGS("--no-latency", "-j"), true);
	/* + the sigwait it was blocked in: entered before we attached, but
	 * counted when it returns, as only sys_exit is watched */
	assert_int_equal(records_count(&run.r, "syscall_summary", 0), 7);
	assert_int_equal(json_int(summary_row(&run.r, "rt_sigtimedwait"), "count", -1), 1);
	assert_int_equal(json_int(summary_row(&run.r, "getppid"), "count", -1), GETPPID_N);
	assert_int_equal(json_int(summary_row(&run.r, "open"), "errors", -1), 1);
	assert_int_equal(json_int(summary_row(&run.r, "nanosleep"), "count", -1), 1);
	assert_null(summary_row(&run.r, "exit_group")); /* it never returns */
	assert_null(json_get(summary_row(&run.r, "getppid"), "total_ns"));
	tl_run_free(&run);
}

/* Text table: header, sorted rows, total line; --top cuts. */
static void test_summary_text_top(void **state)
{
	struct tl_run run;
	char *a, *b;

	(void)state;
	NEED_ROOT();
	trace_work(&run, TL_ARGS("-s", "--top", "2", "--sort", "time"), true);
	assert_non_null(strstr(run.out, "syscall                  nr      count   errors       total_ns"));
	a = strstr(run.out, "\nnanosleep ");
	b = strstr(run.out, "\ngetppid ");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	assert_null(strstr(run.out, "\nopen "));  /* cut by --top 2 */
	assert_non_null(strstr(run.out, "\ntotal: 10006 calls, 1 failed, "));
	assert_non_null(strstr(run.out, " ms in syscalls (top 2 of 7 syscalls shown)\n"));
	tl_run_free(&run);
}

static void three_loops(struct tl_run *run, void *arg)
{
	char *loop[] = { own_work, "loop", "10000", NULL };

	(void)run, (void)arg;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(run_quiet(loop), 0);
		usleep(500000);
	}
}

/*
 * -i: the intervals' counts add up to exactly what was done. With -P each
 * loop is its own process, reaped from the kernel's table once gone: the
 * reaping must lose nothing.
 */
static void run_intervals(bool per_process)
{
	long long total = 0, last = 0, tables = 0, pids[3] = { 0 }, counts[3] = { 0 };
	const struct records *r;
	struct tl_run run;
	int npids = 0, k;

	tl_run(&run, .tool = TOOL, .args = TL_ARGS("-j", "-i", "0.2", "-e", "getppid", "-c",
						    own_comm, per_process ? "-P" : NULL),
	       .during = three_loops, .table = true);
	r = &run.r;
	for (size_t i = 0; i < r->n; i++) {
		long long pid = json_int(r->v[i], "pid", 0);

		assert_string_equal(json_str(r->v[i], "event"), "syscall_summary");
		assert_string_equal(json_str(r->v[i], "syscall"), "getppid");
		/* one row per table (per process and table with -P) */
		assert_true(json_int(r->v[i], "interval", 0) > last ||
			    (per_process && json_int(r->v[i], "interval", 0) == last));
		tables += json_int(r->v[i], "interval", 0) != last;
		last = json_int(r->v[i], "interval", 0);
		total += json_int(r->v[i], "count", 0);
		if (per_process) {
			/* a loop may straddle two tables: sum per process */
			for (k = 0; k < npids && pids[k] != pid; k++)
				;
			if (k == npids) {
				assert_true(npids < 3);
				pids[npids++] = pid;
			}
			counts[k] += json_int(r->v[i], "count", 0);
		}
	}
	assert_int_equal(total, 3 * 10000);
	for (k = 0; k < npids; k++)
		assert_int_equal(counts[k], 10000);
	assert_int_equal(npids, per_process ? 3 : 0);
	assert_true(tables >= 3); /* 0.5 s apart: at least three tables */
	tl_run_free(&run);
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
	char *noise[] = { (char *)WORK, "loop", "50000", NULL };
	long long pids[2] = { 0, 0 };
	const struct records *r;
	struct tl_run run;
	size_t n = 0;
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
	tl_run(&run, .tool = TOOL,
	       .args = TL_ARGS("-j", "-P", "-e", "getppid", "--", "/bin/sh", "-c", script),
	       .rc = 7 /* the command's status */, .table = true);
	waitpid(np, NULL, 0);
	r = &run.r;
	for (size_t i = 0; i < r->n; i++) {
		assert_string_equal(json_str(r->v[i], "event"), "syscall_summary");
		assert_string_equal(json_str(r->v[i], "syscall"), "getppid");
		if (!strcmp(json_str(r->v[i], "comm"), "sh"))
			continue; /* the shell reads $PPID */
		/* the noise is named syscallwork too, but made 50,000 calls */
		assert_string_equal(json_str(r->v[i], "comm"), "syscallwork");
		assert_int_equal(json_int(r->v[i], "count", -1), GETPPID_N);
		assert_true(n < 2);
		pids[n++] = json_int(r->v[i], "pid", -1);
	}
	assert_int_equal(n, 2);
	assert_true(pids[0] > 0 && pids[1] > 0 && pids[0] != pids[1]);
	tl_run_free(&run);
}

/*
 * One process after another, each making the same calls: every one gets
 * its own row with exactly its own count. The kernel hands an exited
 * task's stack to the next fork, so the next process's pt_regs are often
 * the last one's address: the BPF side's per-CPU "who is calling" entry
 * (sys_current_id()) must not outlive an exit, or a row gets two
 * processes' calls. Both the entry's (-s) and the exit's (--no-latency)
 * use of it.
 */
static void test_summary_processes_in_turn(void **state)
{
	enum { PROCS = 40, CALLS = 1000 };
	const char *modes[] = { "-s", "--no-latency" };
	char script[256];

	(void)state;
	NEED_ROOT();
	snprintf(script, sizeof(script),
		 "i=0; while [ $i -lt %d ]; do %s loop %d >/dev/null || exit 1; i=$((i + 1)); done",
		 PROCS, WORK, CALLS);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		long long pids[PROCS];
		const struct records *r;
		struct tl_run run;
		size_t n = 0;

		tl_run(&run, .tool = TOOL,
		       .args = TL_ARGS("-j", "-P", "-e", "getppid", modes[m], "--", "/bin/sh", "-c",
				       script),
		       .table = true);
		r = &run.r;
		for (size_t i = 0; i < r->n; i++) {
			assert_string_equal(json_str(r->v[i], "syscall"), "getppid");
			if (!strcmp(json_str(r->v[i], "comm"), "sh"))
				continue; /* the shell reads $PPID */
			assert_string_equal(json_str(r->v[i], "comm"), "syscallwork");
			assert_int_equal(json_int(r->v[i], "count", -1), CALLS);
			assert_true(n < PROCS);
			pids[n] = json_int(r->v[i], "pid", -1);
			for (size_t j = 0; j < n; j++)
				assert_true(pids[j] != pids[n]);
			n++;
		}
		assert_int_equal(n, PROCS);
		tl_run_free(&run);
	}
}

/* perf counts the same tracepoint independently: the numbers agree. */
static void test_perf_crosscheck(void **state)
{
	char perf_out[] = "/tmp/tk-sys-perf-XXXXXX";
	long long perf_count = -1;
	struct tl_run run;
	char *s, *line;

	(void)state;
	NEED_ROOT();
	if (access("/usr/bin/perf", X_OK) || system("/usr/bin/perf --version >/dev/null 2>&1")) {
		fprintf(stderr, "SKIPPED: perf not installed (apt install linux-perf)\n");
		skip();
	}
	close(mkstemp(perf_out));
	tl_run(&run, .tool = TOOL,
	       .args = TL_ARGS("-j", "-s", "-e", "getppid", "--", "/usr/bin/perf", "stat", "-x,", "-o",
			       perf_out, "-e", "syscalls:sys_enter_getppid", "--", WORK, "run",
			       enoent_path, "100", "1000"),
	       .table = true);
	s = slurp(perf_out);
	assert_non_null(s);
	for (line = strtok(s, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, "syscalls:sys_enter_getppid"))
			perf_count = atoll(line);
	free(s);
	unlink(perf_out);
	fprintf(stderr, "getppid: perf stat %lld, syscalltrace %lld\n", perf_count,
		json_int(summary_row(&run.r, "getppid"), "count", -1));
	assert_int_equal(perf_count, GETPPID_N);
	assert_int_equal(json_int(summary_row(&run.r, "getppid"), "count", -1), perf_count);
	tl_run_free(&run);
}

/* SIGTERM in summary mode: the table, exit 0, every program held. */
static void test_signal_summary(void **state)
{
	struct tl_run run;

	(void)state;
	NEED_ROOT();
	tl_start(&run, .tool = TOOL, .args = TL_ARGS("-s"), .stop_sig = SIGTERM, .table = true);
	assert_int_equal(tk_progs_held(run.p.pid, PROG_PREFIX), 3);
	assert_int_equal(tk_progs_held(run.p.pid, PROG_PREFIX2), 2);
	usleep(200000);
	tl_stop(&run);
	assert_non_null(strstr(run.out, "syscall                  nr      count"));
	tl_run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TL_STANDARD_TESTS(&tool),
		TL_TEST(test_stream_exact),
		TL_TEST(test_stream_text),
		TL_TEST(test_stream_uid_comm),
		TL_TEST(test_stream_filters),
		TL_TEST(test_summary_exact),
		TL_TEST(test_summary_no_latency),
		TL_TEST(test_summary_text_top),
		TL_TEST(test_summary_intervals),
		TL_TEST(test_command_mode_tree_only),
		TL_TEST(test_summary_processes_in_turn),
		TL_TEST(test_perf_crosscheck),
		TL_TEST(test_signal_summary),
	};
	return TL_RUN_GROUP(TOOL, tests, setup, teardown);
}
