// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * filetrace end to end (root): the real BPF programs on a known workload
 * (tests/helpers/fileworkload.c), every record compared field by field
 * with what the workload did. Without root every test reports SKIPPED.
 * The frame (running the tool, summary, JSON validity, standard checks,
 * leak checks) is testlib's harness.
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
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testlib.h"

#define TOOL "filetrace"
#define WORKLOAD tl_path("build/tests/fileworkload")
#define WL_COMM "fileworkload"

/* The standard checks: openloop's 20,000 opens of /dev/null, by pid. */
static const tl_args bad[] = {
	{ "--path", "relative/dir" }, { "--path", "" }, { "-i", "1" }, { "-s", "-i", "0" },
	{ "-s", "-i", "abc" }, { "-s", "--top", "x" }, { "--top", "5" }, { "-p", "0" },
	{ "-c", "" }, { NULL },
};
#define VG_CMD "--", "/bin/sh", "-c", "head -c9 /etc/passwd >/dev/null; sleep 0.2; exit 4"
static const tl_args valgrind[] = {
	{ "-j", "-e", "all", VG_CMD }, { "-s", "-i", "0.05", VG_CMD }, { NULL },
};
static const struct tl_tool tool = {
	.name = TOOL, .prog_prefix = "file_",
	.workload = TL_ARGS("build/tests/openloop", "20000", "/dev/null"),
	/* --path: not the loader's opens before the loop */
	.filter = TL_ARGS("-e", "open", "--path", "/dev/null"), .event = "open", .n = 20000,
	.bad = bad, .valgrind = valgrind, .valgrind_rc = 4,
};

/* ---- a fresh workload directory per test ----------------------------------- */

struct wl {
	char dir[64];      /* empty, mode 0755 (uid 65534 must reach secret) */
	char manifest[96]; /* outside dir: its own events are not dir's */
	char fifo[96];
	char *kv;          /* the manifest's text */
};

static void wl_init(struct wl *w)
{
	snprintf(w->dir, sizeof(w->dir), "/tmp/tk-file-XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	assert_int_equal(chmod(w->dir, 0755), 0);
	snprintf(w->manifest, sizeof(w->manifest), "%s.manifest", w->dir);
	snprintf(w->fifo, sizeof(w->fifo), "%s.fifo", w->dir);
	w->kv = NULL;
}

static void wl_done(struct wl *w)
{
	char cmd[256];

	free(w->kv);
	unlink(w->manifest);
	unlink(w->fifo);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", w->dir);
	if (system(cmd))
		fprintf(stderr, "warning: could not remove %s\n", w->dir);
}

static void wl_load(struct wl *w)
{
	w->kv = slurp(w->manifest);
	assert_non_null(w->kv);
}

/* A manifest value ("dev" is major:minor, the rest numbers). */
static const char *wl_str(const struct wl *w, const char *key)
{
	static char val[64];
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\n%s=", key);
	p = strncmp(w->kv, pat + 1, strlen(pat + 1)) ? strstr(w->kv, pat) : w->kv - 1;
	if (!p)
		fail_msg("manifest has no %s", key);
	p += strlen(pat);
	snprintf(val, sizeof(val), "%.*s", (int)strcspn(p, "\n"), p);
	return val;
}

static long long wl_int(const struct wl *w, const char *key)
{
	return strtoll(wl_str(w, key), NULL, 10);
}

/* Runs the workload in the foreground (system-wide tests: .during). */
static void wl_run(struct tl_run *run, void *arg)
{
	struct wl *w = arg;
	char *argv[] = { (char *)WORKLOAD, w->dir, w->manifest, NULL };

	(void)run;
	assert_int_equal(run_quiet(argv), 0);
	wl_load(w);
}

/* ---- what the workload must produce, in order ------------------------------- */

#define ANY -999999LL
enum who { PARENT, CHILD };

struct exp {
	const char *event, *call;
	const char *path;     /* relative to dir; "" = dir itself */
	const char *newpath;  /* rename */
	const char *filename; /* "@x": dir/x as passed; else literal; NULL: "" */
	const char *fd_key;   /* manifest key of fd and of ret (opens); NULL: fd -1 */
	long long ret;        /* when fd_key is NULL or not an open */
	long long flags, mode, requested, bytes, size; /* ANY: not checked */
	const char *ino_key;  /* manifest key; NULL: inode 0, dev 0:0 */
	enum who who;
};

static const struct exp workload[] = {
	{ "open", "openat", "f1", NULL, "@f1", "fd_a", ANY, O_CREAT | O_EXCL | O_WRONLY, 0640, 0, 0, 0, "ino_f1", PARENT },
	{ "write", "write", "f1", NULL, NULL, "fd_a", 12345, O_WRONLY | 0100000, 0100640, 12345, 12345, 12345, "ino_f1", PARENT },
	{ "close", "close", "f1", NULL, NULL, "fd_a", 0, O_WRONLY | 0100000, 0100640, 0, 0, 12345, "ino_f1", PARENT },
	{ "open", "open", "f1", NULL, "@f1", "fd_b", ANY, O_RDONLY, 0, 0, 0, 12345, "ino_f1", PARENT },
	{ "read", "read", "f1", NULL, NULL, "fd_b", 12345, 0100000, 0100640, 16384, 12345, 12345, "ino_f1", PARENT },
	{ "read", "read", "f1", NULL, NULL, "fd_b", 0, 0100000, 0100640, 16384, 0, 12345, "ino_f1", PARENT },
	{ "read", "pread64", "f1", NULL, NULL, "fd_b", 45, 0100000, 0100640, 100, 45, 12345, "ino_f1", PARENT },
	{ "close", "close", "f1", NULL, NULL, "fd_b", 0, 0100000, 0100640, 0, 0, 12345, "ino_f1", PARENT },
	{ "rename", "rename", "f1", "f2", "@f1", NULL, 0, 0, 0, 0, 0, 0, NULL, PARENT },
	{ "truncate", "truncate", "f2", NULL, "@f2", NULL, 0, 0, 0, 100, 0, 100, NULL, PARENT },
	{ "unlink", "unlink", "f2", NULL, "@f2", NULL, 0, 0, 0, 0, 0, 0, NULL, PARENT },
	{ "open", "openat", "missing", NULL, "@missing", NULL, -2, O_RDONLY, 0, 0, 0, 0, NULL, PARENT },
	{ "open", "creat", "secret", NULL, "@secret", "fd_c", ANY, O_WRONLY | O_CREAT | O_TRUNC, 0600, 0, 0, 0, "ino_secret", PARENT },
	{ "close", "close", "secret", NULL, NULL, "fd_c", 0, O_WRONLY | 0100000, 0100600, 0, 0, 0, "ino_secret", PARENT },
	{ "open", "openat", "secret", NULL, "@secret", NULL, -13, O_RDONLY, 0, 0, 0, 0, NULL, CHILD },
	{ "mkdir", "mkdir", "sub", NULL, "@sub", NULL, 0, 0, 0750, 0, 0, 0, NULL, PARENT },
	{ "open", "openat", "sub", NULL, "@sub", "fd_d", ANY, O_RDONLY | O_DIRECTORY, 0, 0, 0, ANY, "ino_sub", PARENT },
	{ "open", "openat", "sub/rel", NULL, "rel", "fd_e", ANY, O_CREAT | O_WRONLY | O_TRUNC, 0600, 0, 0, 0, "ino_rel", PARENT },
	{ "write", "writev", "sub/rel", NULL, NULL, "fd_e", 123, O_WRONLY | 0100000, 0100600, 123, 123, 123, "ino_rel", PARENT },
	{ "truncate", "ftruncate", "sub/rel", NULL, NULL, "fd_e", 0, O_WRONLY | 0100000, 0100600, 7, 0, 7, "ino_rel", PARENT },
	{ "close", "close", "sub/rel", NULL, NULL, "fd_e", 0, O_WRONLY | 0100000, 0100600, 0, 0, 7, "ino_rel", PARENT },
	{ "open", "openat", "sub/nope", NULL, "nope", NULL, -2, O_RDONLY, 0, 0, 0, 0, NULL, PARENT },
	{ "open", "openat2", "sub/rel", NULL, "rel", "fd_f", ANY, O_RDONLY, 0, 0, 0, 7, "ino_rel", PARENT },
	{ "close", "close", "sub/rel", NULL, NULL, "fd_f", 0, 0100000, 0100600, 0, 0, 7, "ino_rel", PARENT },
	{ "rename", "renameat2", "sub/rel", "sub/rel2", "rel", NULL, 0, 1 /* RENAME_NOREPLACE */, 0, 0, 0, 0, NULL, PARENT },
	{ "open", "open", "sub/rel2", NULL, "rel2", "fd_g", ANY, O_RDONLY, 0, 0, 0, 7, "ino_rel", PARENT },
	{ "close", "close", "sub/rel2", NULL, NULL, "fd_g", 0, 0100000, 0100600, 0, 0, 7, "ino_rel", PARENT },
	{ "open", "open", "sub/nocwd", NULL, "nocwd", NULL, -2, O_RDONLY, 0, 0, 0, 0, NULL, PARENT },
	{ "unlink", "unlinkat", "sub/rel2", NULL, "rel2", NULL, 0, 0, 0, 0, 0, 0, NULL, PARENT },
	{ "mkdir", "mkdirat", "sub/d2", NULL, "d2", NULL, 0, 0, 0700, 0, 0, 0, NULL, PARENT },
	{ "unlink", "unlinkat", "sub/d2", NULL, "d2", NULL, 0, 0, 0, 0, 0, 0, NULL, PARENT },
	{ "close", "close", "sub", NULL, NULL, "fd_d", 0, O_RDONLY | O_DIRECTORY | 0100000, 040750, 0, 0, ANY, "ino_sub", PARENT },
	{ "unlink", "rmdir", "sub", NULL, "sub", NULL, 0, 0, 0, 0, 0, 0, NULL, PARENT },
	/* invalid UTF-8 arrives as U+FFFD in JSON */
	{ "open", "openat", "h\n\x1b[31m\xef\xbf\xbd", NULL, "@h\n\x1b[31m\xef\xbf\xbd", NULL, -2, O_RDONLY, 0, 0, 0, 0, NULL, PARENT },
	{ "unlink", "unlink", "secret", NULL, "@secret", NULL, 0, 0, 0, 0, 0, 0, NULL, PARENT },
};
#define NWORK (sizeof(workload) / sizeof(workload[0]))

static bool under(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	return p && !strncmp(p, dir, n) && (p[n] == 0 || p[n] == '/');
}

/* The records about dir, in output order. */
static size_t dir_records(const struct records *r, const char *dir, const struct jv **out,
			  size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct jv *v = r->v[i];

		if (!under(json_str(v, "path"), dir) && !under(json_str(v, "newpath"), dir))
			continue;
		if (n == max)
			fail_msg("more than %zu records about %s", max, dir);
		out[n++] = v;
	}
	return n;
}

static void rel_to_abs(char *buf, size_t len, const char *dir, const char *rel)
{
	snprintf(buf, len, "%s%s%s", dir, *rel ? "/" : "", rel);
}

static void check_num(const struct jv *v, size_t i, const char *key, long long want)
{
	long long got = json_int(v, key, ANY - 1);

	if (want != ANY && got != want)
		fail_msg("record %zu (%s %s): %s is %lld, expected %lld", i, json_str(v, "event"),
			 json_str(v, "call_str"), key, got, want);
}

static void check_str(const struct jv *v, size_t i, const char *key, const char *want)
{
	const char *got = json_str(v, key);

	if (!got || strcmp(got, want))
		fail_msg("record %zu (%s %s): %s is '%s', expected '%s'", i, json_str(v, "event"),
			 json_str(v, "call_str"), key, got ? got : "(none)", want);
}

enum { ALL = 0, FAILED_ONLY = 1, PARENT_ONLY = 2 };

/*
 * The records about w->dir must be exactly the workload's, in order, every
 * field as the workload saw it (which = ALL, or a subset).
 */
static void check_workload(const struct records *r, const struct wl *w, int which)
{
	const struct jv *recs[128];
	size_t n = dir_records(r, w->dir, recs, 128), k = 0;
	char buf[4096];

	for (size_t i = 0; i < NWORK; i++) {
		const struct exp *x = &workload[i];
		const struct jv *v;
		long long pid = wl_int(w, x->who == CHILD ? "child" : "pid");
		bool is_open = !strcmp(x->event, "open");
		long long fd = x->fd_key ? wl_int(w, x->fd_key) : -1;
		long long ret = x->fd_key && is_open ? fd : x->ret;

		if ((which & FAILED_ONLY) && ret >= 0)
			continue;
		if ((which & PARENT_ONLY) && x->who == CHILD)
			continue;
		if (k >= n)
			fail_msg("missing record for workload step %zu (%s %s %s); got %zu", i,
				 x->event, x->call, x->path, n);
		v = recs[k++];
		check_str(v, i, "event", x->event);
		check_str(v, i, "call_str", x->call);
		check_num(v, i, "pid", pid);
		check_num(v, i, "tid", pid);
		check_num(v, i, "uid", x->who == CHILD ? 65534 : 0);
		check_str(v, i, "comm", WL_COMM);
		rel_to_abs(buf, sizeof(buf), w->dir, x->path);
		check_str(v, i, "path", buf);
		if (x->newpath) {
			rel_to_abs(buf, sizeof(buf), w->dir, x->newpath);
			check_str(v, i, "newpath", buf);
		}
		if (!x->filename)
			check_str(v, i, "filename", "");
		else if (x->filename[0] == '@')
			rel_to_abs(buf, sizeof(buf), w->dir, x->filename + 1), check_str(v, i, "filename", buf);
		else
			check_str(v, i, "filename", x->filename);
		check_num(v, i, "fd", fd);
		check_num(v, i, "ret", ret);
		if (ret < 0)
			check_str(v, i, "ret_str", ret == -2 ? "ENOENT" : "EACCES");
		check_num(v, i, "flags", x->flags);
		check_num(v, i, "mode", x->mode);
		check_num(v, i, "requested", x->requested);
		check_num(v, i, "bytes", x->bytes);
		check_num(v, i, "size", x->size);
		check_num(v, i, "inode", x->ino_key ? wl_int(w, x->ino_key) : 0);
		check_str(v, i, "dev", x->ino_key ? wl_str(w, "dev") : "0:0");
		if (!json_get(v, "truncated") || json_get(v, "truncated")->b)
			fail_msg("record %zu: truncated should be false", i);
	}
	if (k != n)
		fail_msg("%zu unexpected records about %s (first: %s %s)", n - k, w->dir,
			 json_str(recs[k], "event"), json_str(recs[k], "path"));
}

/* Every record of r satisfies: pid in pids (0-terminated). */
static void check_pids(const struct records *r, const long long *pids)
{
	for (size_t i = 0; i < r->n; i++) {
		long long pid = json_int(r->v[i], "pid", -1);
		bool ok = false;

		for (const long long *p = pids; *p; p++)
			ok |= pid == *p;
		if (!ok)
			fail_msg("record from pid %lld (%s %s) outside the traced set", pid,
				 json_str(r->v[i], "event"),
				 json_str(r->v[i], "path"));
	}
}

/* ---- tests ------------------------------------------------------------------- */

/*
 * Command mode, all events: every step of the workload, exactly; nothing
 * from outside the command's tree, though another process works in the
 * same directory at the same time.
 */
static void test_command_mode_all_events(void **state)
{
	struct tl_run run;
	struct wl w;
	pid_t noise;
	char outside[160];
	long long pids[3];
	bool libc = false;

	(void)state;
	NEED_ROOT();
	wl_init(&w);
	snprintf(outside, sizeof(outside), "%s/outside", w.dir);
	noise = fork();
	if (noise == 0) { /* touches dir concurrently, never traced */
		for (int i = 0; i < 300; i++) {
			int fd = open(outside, O_CREAT | O_WRONLY, 0644);

			if (fd >= 0)
				close(fd);
			unlink(outside);
			usleep(2000);
		}
		_exit(0);
	}
	tl_run(&run, .tool = TOOL,
	       .args = TL_ARGS("-j", "-e", "all", "--", WORKLOAD, w.dir, w.manifest));
	waitpid(noise, NULL, 0);
	wl_load(&w);
	assert_int_equal(wl_int(&w, "failures"), 0);
	pids[0] = wl_int(&w, "pid");
	pids[1] = wl_int(&w, "child");
	pids[2] = 0;
	check_pids(&run.r, pids);
	check_workload(&run.r, &w, ALL);
	/* the tree's other files are there too: the loader opening libc */
	for (size_t i = 0; i < run.r.n; i++) {
		const char *pp = json_str(run.r.v[i], "path");

		libc |= pp && strstr(pp, "/libc.so") && json_int(run.r.v[i], "pid", -1) == pids[0];
	}
	assert_true(libc);
	tl_run_free(&run);
	wl_done(&w);
}

/* The file_* programs filetrace with these options holds once tracing
 * (filtered to pid 1, which opens nothing meanwhile). */
static int held_programs(const char *opt1, const char *opt2)
{
	char *argv[] = { (char *)tl_path("bin/filetrace"), "-p", "1", (char *)opt1, (char *)opt2,
			 NULL };
	struct proc p;
	int n;

	assert_int_equal(proc_start(&p, argv), 0);
	assert_true(proc_wait_stderr(&p, TL_READY, 30000));
	n = tk_progs_held(p.pid, "file_");
	kill(p.pid, SIGINT);
	assert_int_equal(proc_wait(&p, 30000), 0);
	proc_cleanup(&p);
	return n;
}

/*
 * One enter and one exit program serve every call (verified once each,
 * not once per syscall: 50 with -e all before), with the fork/exit pair
 * that follows a command's tree; -s without --per-cgroup needs nothing
 * from a call's entry and loads no enter program. What they report is
 * checked by the other tests.
 */
static void test_shared_programs(void **state)
{
	int n;

	(void)state;
	NEED_ROOT();
	n = held_programs("-e", "all");
	if (n != 4)
		fail_msg("-e all holds %d programs, expected 4 (enter, exit, follow pair)", n);
	n = held_programs("-s", NULL);
	if (n != 3)
		fail_msg("-s holds %d programs, expected 3 (exit, follow pair)", n);
	ASSERT_NO_PROGS_LEFT();
}

/* -x: failed calls only, and all of them. */
static void test_failed_only(void **state)
{
	struct tl_run run;
	struct wl w;

	(void)state;
	NEED_ROOT();
	wl_init(&w);
	tl_run(&run, .tool = TOOL,
	       .args = TL_ARGS("-j", "-x", "-e", "all", "--", WORKLOAD, w.dir, w.manifest));
	wl_load(&w);
	for (size_t i = 0; i < run.r.n; i++)
		assert_true(json_int(run.r.v[i], "ret", 0) < 0);
	check_workload(&run.r, &w, FAILED_ONLY);
	tl_run_free(&run);
	wl_done(&w);
}

/* Touches a sibling of the workload's directory, then runs the workload. */
static void sibling_then_workload(struct tl_run *run, void *arg)
{
	struct wl *w = arg;
	char sibling[128];
	int fd;

	snprintf(sibling, sizeof(sibling), "%sx", w->dir); /* /tmp/tk-file-ABCDEFx */
	fd = open(sibling, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	unlink(sibling);
	wl_run(run, w);
}

/* --path, system-wide: exactly the workload, nothing outside the prefix
 * (a sibling directory whose name extends the prefix included). */
static void test_path_prefix(void **state)
{
	struct tl_run run;
	struct wl w;

	(void)state;
	NEED_ROOT();
	wl_init(&w);
	tl_run(&run, .tool = TOOL, .args = TL_ARGS("-j", "-e", "all", "--path", w.dir),
	       .during = sibling_then_workload, .arg = &w);
	for (size_t i = 0; i < run.r.n; i++) {
		const struct jv *v = run.r.v[i];

		if (!under(json_str(v, "path"), w.dir) && !under(json_str(v, "newpath"), w.dir))
			fail_msg("record outside --path: %s", json_str(v, "path"));
	}
	check_workload(&run.r, &w, ALL);
	tl_run_free(&run);
	wl_done(&w);
}

/* -p: only that process (the EACCES child is another process). */
static void test_pid_filter(void **state)
{
	struct tl_run run;
	struct wl w;
	long long pids[2];

	(void)state;
	NEED_ROOT();
	wl_init(&w);
	tl_run(&run, .tool = TOOL, .args = TL_ARGS("-j", "-e", "all"),
	       .workload = TL_ARGS(WORKLOAD, w.dir, w.manifest));
	wl_load(&w);
	assert_int_equal(wl_int(&w, "pid"), run.workload);
	pids[0] = run.workload;
	pids[1] = 0;
	check_pids(&run.r, pids);
	check_workload(&run.r, &w, PARENT_ONLY);
	tl_run_free(&run);
	wl_done(&w);
}

/* -c: by command name, system-wide; the child keeps the name. */
static void test_comm_filter(void **state)
{
	struct tl_run run;
	struct wl w;

	(void)state;
	NEED_ROOT();
	wl_init(&w);
	tl_run(&run, .tool = TOOL, .args = TL_ARGS("-j", "-e", "all", "-c", WL_COMM),
	       .during = wl_run, .arg = &w);
	for (size_t i = 0; i < run.r.n; i++)
		assert_string_equal(json_str(run.r.v[i], "comm"), WL_COMM);
	check_workload(&run.r, &w, ALL);
	tl_run_free(&run);
	wl_done(&w);
}

/* Default events (open, unlink, rename) in text: decoded flags, octal
 * mode, errno names, and the hostile name escaped (no raw control bytes). */
static void test_default_events_text(void **state)
{
	struct tl_run run;
	struct wl w;
	char *out, *line, want[512];

	(void)state;
	NEED_ROOT();
	wl_init(&w);
	tl_run(&run, .tool = TOOL, .args = TL_ARGS("--path", w.dir), .during = wl_run, .arg = &w);
	out = run.out;
	for (const char *c = out; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\n')
			fail_msg("raw control byte 0x%02x in text output", *c);
	/* only the default events */
	assert_null(strstr(out, "\nread "));
	assert_null(strstr(out, "\nclose "));
	assert_null(strstr(out, "\nmkdir "));
	snprintf(want, sizeof(want), " ret=%lld flags=193(O_WRONLY|O_CREAT|O_EXCL) mode=0640 ",
		 wl_int(&w, "fd_a"));
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "path=%s/missing\n", w.dir);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "ret=-2(ENOENT)"));
	assert_non_null(strstr(out, "ret=-13(EACCES)"));
	assert_non_null(strstr(out, "flags=1(RENAME_NOREPLACE)"));
	snprintf(want, sizeof(want), "path='%s/h\\n\\x1b[31m\\xff'\n", w.dir);
	assert_non_null(strstr(out, want));
	line = strstr(out, "\nunlink ");
	assert_non_null(line);
	assert_non_null(strstr(line, "call=unlink "));
	tl_run_free(&run);
	wl_done(&w);
}

/* -s: per-file counters from the kernel map, summed over the intervals. */
static void test_summary(void **state)
{
	struct tl_run run;
	struct wl w;
	long long pid;
	struct { const char *rel; long long opens, reads, writes, rbytes, wbytes; } want[] = {
		{ "f1", 2, 3, 1, 12345 + 45, 12345 },
		{ "sub/rel", 3, 0, 1, 0, 123 },
		{ "secret", 1, 0, 0, 0, 0 },
		{ "sub", 1, 0, 0, 0, 0 },
	};

	(void)state;
	NEED_ROOT();
	wl_init(&w);
	/* one interval longer than the workload: the final table has it
	 * all, so a rename cannot split a file's row across tables */
	tl_run(&run, .tool = TOOL,
	       .args = TL_ARGS("-s", "-i", "30", "-j", "--", WORKLOAD, w.dir, w.manifest),
	       .table = true);
	wl_load(&w);
	pid = wl_int(&w, "pid");
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		long long got[5] = { 0 };
		char path[256];

		rel_to_abs(path, sizeof(path), w.dir, want[k].rel);
		for (size_t i = 0; i < run.r.n; i++) {
			const struct jv *v = run.r.v[i];
			const char *pp = json_str(v, "path");

			if (strcmp(json_str(v, "event"), "top") || !pp || strcmp(pp, path))
				continue;
			assert_int_equal(json_int(v, "pid", -1), pid);
			assert_string_equal(json_str(v, "comm"), WL_COMM);
			got[0] += json_int(v, "opens", 0);
			got[1] += json_int(v, "reads", 0);
			got[2] += json_int(v, "writes", 0);
			got[3] += json_int(v, "rbytes", 0);
			got[4] += json_int(v, "wbytes", 0);
		}
		if (got[0] != want[k].opens || got[1] != want[k].reads || got[2] != want[k].writes ||
		    got[3] != want[k].rbytes || got[4] != want[k].wbytes)
			fail_msg("%s: opens/reads/writes/rbytes/wbytes %lld/%lld/%lld/%lld/%lld, "
				 "expected %lld/%lld/%lld/%lld/%lld", want[k].rel, got[0], got[1],
				 got[2], got[3], got[4], want[k].opens, want[k].reads,
				 want[k].writes, want[k].rbytes, want[k].wbytes);
	}
	/* no per-event records in summary mode */
	assert_int_equal(records_count(&run.r, "open", 0), 0);
	assert_int_equal(records_count(&run.r, "write", 0), 0);
	assert_true(records_count(&run.r, "top", 0) >= 4);
	tl_run_free(&run);
	wl_done(&w);
}

/* `filetrace -j -e open -- head -qc0 NAME...` run in the current directory
 * (head prints nothing into the records); rc: head's status (1 if a NAME
 * does not exist). */
static void cat_opens(struct tl_run *run, const char *a, const char *b, int rc)
{
	tl_run(run, .tool = TOOL, .args = TL_ARGS("-j", "-e", "open", "--", "/usr/bin/head", "-qc0",
						   a, b),
	       .rc = rc);
}

static const struct jv *open_of(const struct records *r, const char *filename)
{
	for (size_t i = 0; i < r->n; i++) {
		const char *f = json_str(r->v[i], "filename");

		if (f && !strcmp(f, filename))
			return r->v[i];
	}
	fail_msg("no open of %s", filename);
	return NULL;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && !strcmp(s + a - b, tail);
}

/*
 * Paths across mounts (/dev/shm: tmpfs on tmpfs on devtmpfs on /), pipes,
 * and cut paths: deeper than the walk bound, and longer than PATH_MAX with
 * long (out-of-dentry) names. A cut path keeps its file end and is marked.
 */
static void test_mounts_and_truncation(void **state)
{
	char shm[] = "/dev/shm/tk-file-XXXXXX", file[64], want[8192], cwd[4096], name[101];
	struct tl_run run;
	const struct records *r = &run.r;
	const struct jv *v;
	struct stat st;
	char dev[32];
	int fd;

	(void)state;
	NEED_ROOT();
	/* mounts */
	assert_non_null(mkdtemp(shm));
	snprintf(file, sizeof(file), "%s/x", shm);
	fd = open(file, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	cat_opens(&run, file, NULL, 0);
	v = open_of(r, file);
	assert_string_equal(json_str(v, "path"), file);
	snprintf(dev, sizeof(dev), "%u:%u", major(st.st_dev), minor(st.st_dev));
	assert_string_equal(json_str(v, "dev"), dev);
	assert_int_equal(json_int(v, "inode", 0), st.st_ino);
	assert_int_equal(json_int(v, "size", 0), 3);
	assert_false(json_get(v, "truncated")->b);
	tl_run_free(&run);
	unlink(file);
	rmdir(shm);

	/* no path: a pipe is named as in /proc/PID/fd; /dev/null is on devtmpfs */
	{
		bool pipe_w = false, null_w = false;

		tl_run(&run, .tool = TOOL, .args = TL_ARGS("-j", "-e", "write", "--", "/bin/sh", "-c",
							    "echo hi | cat >/dev/null"));
		for (size_t i = 0; i < r->n; i++) {
			const char *pp = json_str(r->v[i], "path"), *c = json_str(r->v[i], "comm");
			char want_pipe[64];

			if (!pp || !c)
				continue;
			snprintf(want_pipe, sizeof(want_pipe), "pipe:[%lld]",
				 json_int(r->v[i], "inode", -1));
			if (!strcmp(c, "sh") && !strcmp(pp, want_pipe) &&
			    json_int(r->v[i], "bytes", 0) == 3)
				pipe_w = true;
			if (!strcmp(c, "cat") && !strcmp(pp, "/dev/null") &&
			    json_int(r->v[i], "bytes", 0) == 3)
				null_w = true;
		}
		assert_true(pipe_w);
		assert_true(null_w);
		tl_run_free(&run);
	}

	/* 60 levels of "d" under a temp dir: deeper than the 48-step walk */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	{
		struct wl w;

		wl_init(&w);
		assert_int_equal(chdir(w.dir), 0);
		for (int i = 0; i < 60; i++) {
			assert_int_equal(mkdir("d", 0755), 0);
			assert_int_equal(chdir("d"), 0);
		}
		fd = open("f", O_CREAT | O_WRONLY, 0644);
		assert_true(fd >= 0);
		close(fd);
		cat_opens(&run, "f", "nofile", 1);
		want[0] = 0;
		for (int i = 0; i < 47; i++)
			strcat(want, "/d");
		strcat(want, "/f");
		v = open_of(r, "f");
		assert_string_equal(json_str(v, "path"), want);
		assert_true(json_get(v, "truncated")->b);
		/* a failed open: the cwd's (cut) path joined with the name */
		v = open_of(r, "nofile");
		assert_int_equal(json_int(v, "ret", 0), -2);
		assert_true(ends_with(json_str(v, "path"), "/d/d/d/nofile"));
		assert_true(json_get(v, "truncated")->b);
		tl_run_free(&run);
		assert_int_equal(chdir(cwd), 0);
		wl_done(&w);
	}

	/* The walk's bound itself, under a chroot (the walk ends at the
	 * task's root, one step per component, no mount crossing): 47
	 * directories and the file are exactly 48 steps, whole; 48 and the
	 * file are 49, cut to the 48 nearest the file. */
	for (int depth = 47; depth <= 48; depth++) {
		struct wl w;
		char rel[256];

		wl_init(&w);
		rel[0] = 0;
		for (int i = 0; i < depth; i++) {
			strcat(rel, "/d");
			snprintf(want, sizeof(want), "%s%s", w.dir, rel);
			assert_int_equal(mkdir(want, 0755), 0);
		}
		strcat(rel, "/f");
		snprintf(want, sizeof(want), "%s%s", w.dir, rel);
		fd = open(want, O_CREAT | O_WRONLY, 0644);
		assert_true(fd >= 0);
		close(fd);
		tl_run(&run, .tool = TOOL, .args = TL_ARGS("-j", "-e", "open", "--",
							    tl_path("build/tests/chrootopen"), w.dir, rel));
		v = open_of(r, rel);
		want[0] = 0;
		for (int i = 0; i < 47; i++)
			strcat(want, "/d");
		strcat(want, "/f");
		printf("# depth %d: path %s, truncated %d\n", depth + 1, json_str(v, "path"),
		       json_get(v, "truncated")->b);
		assert_string_equal(json_str(v, "path"), want);
		assert_int_equal(json_get(v, "truncated")->b, depth == 48);
		tl_run_free(&run);
		wl_done(&w);
	}

	/* 45 levels of 100-byte names: 4.5 KiB, longer than PATH_MAX */
	memset(name, 'n', 100);
	name[100] = 0;
	{
		struct wl w;
		const char *path;

		wl_init(&w);
		assert_int_equal(chdir(w.dir), 0);
		for (int i = 0; i < 45; i++) {
			name[0] = 'a' + i % 26;
			assert_int_equal(mkdir(name, 0755), 0);
			assert_int_equal(chdir(name), 0);
		}
		fd = open("f", O_CREAT | O_WRONLY, 0644);
		assert_true(fd >= 0);
		close(fd);
		cat_opens(&run, "f", NULL, 0);
		v = open_of(r, "f");
		path = json_str(v, "path");
		assert_true(json_get(v, "truncated")->b);
		/* whole components from the file end, as many as fit in 4095 */
		assert_int_equal(strlen(path), 40 * 101 + 2);
		snprintf(want, sizeof(want), "/%s/f", name);
		assert_true(ends_with(path, want));
		assert_int_equal(path[0], '/');
		tl_run_free(&run);
		assert_int_equal(chdir(cwd), 0);
		wl_done(&w);
	}
}

/*
 * A real file named invoice<U+202E>cod.exe, opened under filetrace in text
 * mode: the override shows as \u202e, so the name cannot display as
 * "invoiceexe.doc"; no raw U+202E reaches the terminal.
 */
static void test_bidi_name_text(void **state)
{
	char dir[] = "/tmp/tk-file-XXXXXX", file[64], want[128];
	struct tl_run run;
	int fd;

	(void)state;
	NEED_ROOT();
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/invoice\u202ecod.exe", dir);
	fd = open(file, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	tl_run(&run, .tool = TOOL, .args = TL_ARGS("-e", "open", "--", "/usr/bin/head", "-qc0",
						   file));
	snprintf(want, sizeof(want), " filename='%s/invoice\\u202ecod.exe' ", dir);
	if (!strstr(run.out, want))
		fail_msg("no %s in:\n%s", want, run.out);
	snprintf(want, sizeof(want), " path='%s/invoice\\u202ecod.exe'\n", dir);
	assert_non_null(strstr(run.out, want));
	assert_null(strstr(run.out, "\u202e"));
	tl_run_free(&run);
	unlink(file);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TL_STANDARD_TESTS(&tool),
		TL_TEST(test_command_mode_all_events),
		TL_TEST(test_failed_only),
		TL_TEST(test_path_prefix),
		TL_TEST(test_pid_filter),
		TL_TEST(test_comm_filter),
		TL_TEST(test_default_events_text),
		TL_TEST(test_summary),
		TL_TEST(test_shared_programs),
		TL_TEST(test_mounts_and_truncation),
		TL_TEST(test_bidi_name_text),
	};
	return TL_RUN_GROUP(TOOL, tests, NULL, NULL);
}
