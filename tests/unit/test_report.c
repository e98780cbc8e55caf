// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The report (user/tk_report.h): real-layout records of a small command's
 * tree in, the exact text tree and a strictly parsed JSON document out;
 * reused pids, hostile names and a failing stream. */
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "tk.h"
#include "tk_cgroup.h"
#include "tk_report.h"
#include "testlib.h"
#include "records.h"

#define PORT 7001

/* The record in b, n bytes, as process pid sent it at t_us microseconds. */
static void feed(struct tk_report *r, recbuf *b, size_t n, __u32 pid, __u64 t_us)
{
	b->h.pid = pid;
	b->h.tid = pid;
	b->h.ts_ns = t_us * 1000;
	tk_report_add(r, b, n);
}

static size_t make_fork(recbuf *b, const char *comm, __u32 ppid, __u32 child)
{
	memset(b, 0, sizeof(*b));
	hdr(&b->h, TK_EV_fork, comm);
	b->fork.ppid = ppid;
	b->fork.child_pid = child;
	b->fork.child_tid = child;
	return sizeof(b->fork);
}

static size_t make_exit(recbuf *b, const char *comm, __u32 ppid, int code, int sig,
			__u64 life_us)
{
	memset(b, 0, sizeof(*b));
	hdr(&b->h, TK_EV_exit, comm);
	b->exit.ppid = ppid;
	b->exit.exit_code = code;
	b->exit.signal = sig;
	b->exit.duration_ns = life_us * 1000;
	return sizeof(b->exit);
}

/* noinline: gcc's -Wdangling-pointer misreads open_memstream's buffer */
__attribute__((noinline)) static char *report_cg(struct tk_report *r, bool json, bool color,
						  struct tk_cgroups *cg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(tk_report_write(r, f, json, color, cg), 0);
	fclose(f);
	return buf;
}

static char *report(struct tk_report *r, bool json, bool color)
{
	return report_cg(r, json, color, NULL);
}

/*
 * sh -c … (pid 100, started by the tracer: its exec is its first record)
 * forks 101, which execs cat, opens /etc/hostname and reads 12 bytes;
 * forks 102, whose connect to 127.0.0.1:PORT is refused (exit 1); renames
 * /tmp/a to /tmp/b, fails to open /nonexistent, kills 101 with SIGTERM
 * and exits 5. Plus a record of an unknown type and a short one.
 */
static struct tk_report *build_tree(void)
{
	static recbuf b;
	static const char sh_args[] = "sh\0-c\0x", cat_args[] = "cat\0/etc/hostname";
	struct tk_report *r = tk_report_new();
	size_t n;

	assert_non_null(r);
	feed(r, &b, make_exec(&b, "sh", "/bin/sh", 8, sh_args, sizeof(sh_args), 0), 100, 1000);
	feed(r, &b, make_fork(&b, "sh", 1, 101), 100, 2000);
	n = make_exec(&b, "cat", "/bin/cat", 9, cat_args, sizeof(cat_args), 0);
	b.exec.ppid = 100;
	feed(r, &b, n, 101, 3000);
	n = make_file(&b, TK_EV_open, "cat", "/etc/hostname", NULL, "/etc/hostname");
	b.file.call = TK_FC_openat;
	b.file.fd = b.file.ret = 3;
	feed(r, &b, n, 101, 4000);
	n = make_file(&b, TK_EV_read, "cat", "", NULL, "/etc/hostname");
	b.file.call = TK_FC_read;
	b.file.fd = 3;
	b.file.requested = 131072;
	b.file.ret = b.file.bytes = 12;
	feed(r, &b, n, 101, 5000);
	n = make_file(&b, TK_EV_close, "cat", "", NULL, "/etc/hostname");
	b.file.call = TK_FC_close;
	feed(r, &b, n, 101, 5500);
	feed(r, &b, make_fork(&b, "sh", 1, 102), 100, 6000);
	memset(&b, 0, sizeof(b));
	hdr(&b.h, TK_EV_connect, "sh");
	b.conn.family = AF_INET;
	memcpy(b.conn.saddr, (__u8[]){ 127, 0, 0, 1 }, 4);
	memcpy(b.conn.daddr, (__u8[]){ 127, 0, 0, 1 }, 4);
	b.conn.sport = 40000;
	b.conn.dport = PORT;
	b.conn.error = -ECONNREFUSED;
	b.conn.duration_ns = 20000;
	feed(r, &b, sizeof(b.conn), 102, 7000);
	n = make_file(&b, TK_EV_rename, "sh", "a", "/tmp/b", "/tmp/a");
	b.ren.call = TK_FC_renameat2;
	feed(r, &b, n, 100, 8000);
	n = make_file(&b, TK_EV_open, "sh", "/nonexistent", NULL, "/nonexistent");
	b.file.call = TK_FC_openat;
	b.file.ret = -ENOENT;
	feed(r, &b, n, 100, 8500);
	memset(&b, 0, sizeof(b));
	hdr(&b.h, TK_EV_sig_generate, "sh");
	b.gen.target_pid = b.gen.target_tid = 101;
	memcpy(b.gen.target_comm, "cat", 3);
	b.gen.sig = SIGTERM;
	b.gen.code = SI_USER;
	b.gen.group = 1;
	feed(r, &b, sizeof(b.gen), 100, 9000);
	memset(&b, 0, sizeof(b));
	hdr(&b.h, TK_EV_sig_deliver, "cat");
	b.dlv.sig = SIGTERM;
	b.dlv.code = SI_USER;
	feed(r, &b, sizeof(b.dlv), 101, 9500);
	feed(r, &b, make_exit(&b, "cat", 100, 0, SIGTERM, 8000), 101, 10000);
	feed(r, &b, make_exit(&b, "sh", 100, 1, 0, 5000), 102, 11000);
	feed(r, &b, make_exit(&b, "sh", 1, 5, 0, 11000), 100, 12000);
	/* ignored: an unknown type, and an exit shorter than its struct */
	hdr(&b.h, TK_ID(0xfe, 1), "x");
	tk_report_add(r, &b, sizeof(b.exit));
	hdr(&b.h, TK_EV_exit, "x");
	tk_report_add(r, &b, sizeof(b.exit) - 1);
	return r;
}

static const char tree_text[] =
	"totals: processes=3 failed_processes=3 execs=2 failed_execs=0 files=3 file_failures=1 "
	"bytes_read=12 bytes_written=0 connections=1 failed_connections=1 bytes_sent=0 "
	"bytes_received=0 signals_sent=1 signals_received=1 records=15 ignored=2\n"
	"100 sh -c x  exit 5  +0ns..+11.000ms  lifetime 11.000ms\n"
	"│  exec /bin/sh\n"
	"│  file /tmp/a renames=1 renamed_to=/tmp/b\n"
	"│  file /nonexistent failed=open:ENOENT\n"
	"│  sent SIGTERM target_pid=101\n"
	"├─ 101 cat /etc/hostname  killed by SIGTERM  +1.000ms..+9.000ms  lifetime 8.000ms\n"
	"│     exec /bin/cat\n"
	"│     file /etc/hostname opens=1 reads=1 bytes_read=12\n"
	"│     received SIGTERM code=SI_USER\n"
	"└─ 102 [sh]  exit 1  +5.000ms..+10.000ms  lifetime 5.000ms\n"
	"      connect 127.0.0.1 dport=7001 error=ECONNREFUSED\n";

static void test_tree_text(void **state)
{
	struct tk_report *r = build_tree();
	char *out = report(r, false, false);

	(void)state;
	if (strcmp(out, tree_text))
		fail_msg("actual:\n%s\nexpected:\n%s", out, tree_text);
	free(out);
	/* colour: the failures alone, in red */
	out = report(r, false, true);
	assert_non_null(strstr(out, "100 sh -c x  \033[31mexit 5\033[0m  +0ns"));
	assert_non_null(strstr(out, "  \033[31mkilled by SIGTERM\033[0m  "));
	assert_non_null(strstr(out, " \033[31merror=ECONNREFUSED\033[0m\n"));
	assert_non_null(strstr(out, " \033[31mfailed=open:ENOENT\033[0m\n"));
	assert_non_null(strstr(out, " \033[31mfailed_processes=3\033[0m "));
	assert_non_null(strstr(out, " failed_execs=0 "));
	assert_null(strstr(out, "\033[31mexit 0"));
	free(out);
	tk_report_free(r);
}

static const struct jv *item(const struct jv *arr, size_t i)
{
	assert_non_null(arr);
	assert_int_equal(arr->type, J_ARR);
	assert_true(i < arr->len);
	return &arr->items[i];
}

static void test_tree_json(void **state)
{
	struct tk_report *r = build_tree();
	char *out = report(r, true, true);
	struct jv *v = json_parse(out);
	const struct jv *t, *sh, *cat, *conn, *fl, *e;

	(void)state;
	if (!v)
		fail_msg("not valid JSON: %s", out);
	assert_null(strchr(out, '\033')); /* colour is for text only */
	assert_int_equal(out[strlen(out) - 1], '\n');
	assert_int_equal(strchr(out, '\n') - out, (long)strlen(out) - 1);
	assert_int_equal(json_int(v, "records", -1), 15);
	assert_int_equal(json_int(v, "ignored", -1), 2);
	t = json_get(v, "totals");
	assert_int_equal(json_int(t, "processes", -1), 3);
	assert_int_equal(json_int(t, "failed_processes", -1), 3);
	assert_int_equal(json_int(t, "bytes_read", -1), 12);
	assert_int_equal(json_int(t, "failed_connections", -1), 1);
	assert_int_equal(json_int(t, "signals_sent", -1), 1);
	assert_null(json_get(t, "syscalls")); /* no syscall records: no count */
	assert_int_equal(json_get(v, "processes")->len, 1);
	sh = item(json_get(v, "processes"), 0);
	assert_int_equal(json_int(sh, "pid", -1), 100);
	assert_int_equal(json_int(sh, "ppid", -1), 1);
	assert_int_equal(json_int(sh, "exit_code", -1), 5);
	assert_int_equal(json_int(sh, "signal", -1), 0);
	assert_int_equal(json_int(sh, "start_ns", -1), 1000000);
	assert_int_equal(json_int(sh, "end_ns", -1), 12000000);
	assert_int_equal(json_int(sh, "lifetime_ns", -1), 11000000);
	assert_string_equal(item(json_get(sh, "argv"), 2)->str, "x");
	fl = item(json_get(sh, "files"), 0);
	assert_string_equal(json_str(fl, "path"), "/tmp/a");
	assert_string_equal(json_str(fl, "renamed_to"), "/tmp/b");
	assert_int_equal(json_int(fl, "renames", -1), 1);
	e = item(json_get(item(json_get(sh, "files"), 1), "errors"), 0);
	assert_string_equal(json_str(e, "event"), "open");
	assert_int_equal(json_int(e, "error", 0), -ENOENT);
	assert_string_equal(json_str(e, "error_str"), "ENOENT");
	e = item(json_get(sh, "signals_sent"), 0);
	assert_int_equal(json_int(e, "signal", -1), SIGTERM);
	assert_int_equal(json_int(e, "target_pid", -1), 101);
	assert_string_equal(json_str(e, "result_str"), "delivered");
	assert_int_equal(json_get(sh, "children")->len, 2);
	cat = item(json_get(sh, "children"), 0);
	assert_int_equal(json_int(cat, "pid", -1), 101);
	assert_int_equal(json_int(cat, "signal", -1), SIGTERM);
	assert_string_equal(json_str(cat, "signal_str"), "SIGTERM");
	assert_int_equal(json_int(cat, "start_ns", -1), 2000000);
	assert_string_equal(item(json_get(cat, "argv"), 1)->str, "/etc/hostname");
	fl = item(json_get(cat, "files"), 0);
	assert_int_equal(json_get(cat, "files")->len, 1); /* the close adds nothing */
	assert_string_equal(json_str(fl, "path"), "/etc/hostname");
	assert_int_equal(json_int(fl, "opens", -1), 1);
	assert_int_equal(json_int(fl, "bytes_read", -1), 12);
	assert_int_equal(json_get(fl, "errors")->len, 0);
	assert_string_equal(json_str(item(json_get(cat, "signals_received"), 0), "code_str"),
			    "SI_USER");
	conn = item(json_get(item(json_get(sh, "children"), 1), "connections"), 0);
	assert_string_equal(json_str(conn, "daddr"), "127.0.0.1");
	assert_int_equal(json_int(conn, "dport", -1), PORT);
	assert_int_equal(json_int(conn, "error", 0), -ECONNREFUSED);
	assert_string_equal(json_str(conn, "error_str"), "ECONNREFUSED");
	assert_int_equal(json_get(conn, "closed")->b, false);
	json_free(v);
	free(out);
	tk_report_free(r);
}

/* A pid that exits and comes back is a new process each time, by a fork
 * or by an exec whose fork was not seen; an exit of a pid never seen
 * before is a process of its own; syscalls are summed per process. */
static void test_pid_reused(void **state)
{
	static recbuf b;
	struct tk_report *r = tk_report_new();
	char *out;
	size_t n;

	(void)state;
	feed(r, &b, make_fork(&b, "make", 1, 300), 200, 1000);
	feed(r, &b, make_exit(&b, "make", 200, 0, 0, 1000), 300, 2000);
	feed(r, &b, make_fork(&b, "make", 1, 300), 200, 3000);
	memset(&b, 0, sizeof(b));
	hdr(&b.h, TK_EV_syscall, "make");
	b.sys.duration_ns = 1500;
	feed(r, &b, sizeof(b.sys), 300, 3500);
	feed(r, &b, sizeof(b.sys), 300, 3600);
	n = make_exit(&b, "make", 200, 2, 0, 1000);
	feed(r, &b, n, 300, 4000);
	n = make_exec(&b, "true", "/bin/true", 10, "true", 5, 0);
	b.exec.ppid = 200;
	feed(r, &b, n, 300, 4500);
	feed(r, &b, make_exit(&b, "old", 9, 0, SIGKILL, 7), 400, 5000);
	out = report(r, false, false);
	assert_string_equal(
		out,
		"totals: processes=5 failed_processes=2 execs=1 failed_execs=0 files=0 "
		"file_failures=0 bytes_read=0 bytes_written=0 connections=0 failed_connections=0 bytes_sent=0 "
		"bytes_received=0 signals_sent=0 signals_received=0 syscalls=2 syscall_ns=3000 "
		"records=8 ignored=0\n"
		"200 [make]  no exit seen  ?..?\n"
		"│  syscalls=0 syscall_time=0ns\n"
		"├─ 300 [make]  exit 0  +0ns..+1.000ms  lifetime 1.000ms\n"
		"│     syscalls=0 syscall_time=0ns\n"
		"├─ 300 [make]  exit 2  +2.000ms..+3.000ms  lifetime 1.000ms\n"
		"│     syscalls=2 syscall_time=3.000us\n"
		"└─ 300 true  no exit seen  +3.500ms..?\n"
		"      exec /bin/true\n"
		"      syscalls=0 syscall_time=0ns\n"
		"400 [old]  killed by SIGKILL  ?..+4.000ms  lifetime 7.000us\n"
		"   syscalls=0 syscall_time=0ns\n");
	free(out);
	tk_report_free(r);
}

/* ESC, a newline, U+202E and invalid UTF-8 in a path and in argv: escaped
 * by the decoder's escapers in text, valid JSON that round-trips. */
static void test_hostile_names(void **state)
{
	static recbuf b;
	static const char name[] = "/tmp/a\x1b[31m\nb\xe2\x80\xae\xff";
	static const char args[] = "x\x1b\0\xe2\x80\xae";
	struct tk_report *r = tk_report_new();
	char *out;
	struct jv *v;
	const struct jv *p;
	size_t n;

	(void)state;
	feed(r, &b, make_exec(&b, "x\ny", name, sizeof(name), args, sizeof(args), 0), 500, 1);
	n = make_file(&b, TK_EV_write, "x\ny", "", NULL, name);
	b.file.ret = b.file.bytes = 4;
	feed(r, &b, n, 500, 2);
	out = report(r, false, true);
	assert_non_null(strstr(out, "\n500 'x\\x1b' '\\u202e'  no exit seen  +0ns..?\n"));
	assert_non_null(strstr(out, "\n   exec '/tmp/a\\x1b[31m\\nb\\u202e\\xff'\n"));
	assert_non_null(strstr(out, "\n   file '/tmp/a\\x1b[31m\\nb\\u202e\\xff' writes=1 "
				    "bytes_written=4\n"));
	assert_null(strstr(out, "\033[31m")); /* nothing failed: no colour at all */
	for (const unsigned char *c = (const unsigned char *)out; *c; c++)
		assert_false((*c < 0x20 && *c != '\n') || *c == 0x7f || *c == 0xff);
	free(out);
	out = report(r, true, false);
	v = json_parse(out);
	if (!v)
		fail_msg("not valid JSON: %s", out);
	assert_non_null(strstr(out, "\"argv\":[\"x\\u001b\",\"\\u202e\"]"));
	p = item(json_get(v, "processes"), 0);
	assert_string_equal(json_str(p, "comm"), "x\ny");
	assert_string_equal(json_str(item(json_get(p, "files"), 0), "path"),
			    "/tmp/a\x1b[31m\nb\xe2\x80\xae\xef\xbf\xbd");
	json_free(v);
	free(out);
	tk_report_free(r);
}

/* The record in b as process pid sent it from cgroup cg at t_us. */
static void feed_cg(struct tk_report *r, recbuf *b, size_t n, __u32 pid, __u64 t_us, __u64 cg)
{
	b->h.cgroup_id = cg;
	feed(r, b, n, pid, t_us);
}

/*
 * Processes in three cgroups of a cgroup-shaped /tmp tree (resolved by
 * inode, TK_CG_WALK): sh (100) in /tk.slice forks 101, which execs cat in
 * a docker scope and forks 102 there; sh's second child 103 exits in a
 * cgroup removed before the report (its id alone). Text: a section per
 * cgroup, headed by its name and totals, a child in another cgroup at the
 * top of its own with its parent's pid and where it moved from; JSON: the
 * tree as before, each process's cgroup keys, and the "containers" list.
 */
static void test_grouped_by_cgroup(void **state)
{
#define CG_H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	static recbuf b;
	static const char sh_args[] = "sh\0-c\0x", cat_args[] = "cat\0/etc/hostname";
	const __u64 gone = 4000000001ULL; /* no directory of the tree */
	char root[] = "/tmp/tk-report-cg-XXXXXX", slice[64], dock[192], want[2048];
	struct tk_report *r = tk_report_new();
	struct tk_cgroups *cg;
	const struct jv *sh, *cat, *c;
	struct jv *v;
	__u64 a, d;
	char *out;
	size_t n;

	(void)state;
	assert_non_null(r);
	assert_non_null(mkdtemp(root));
	snprintf(slice, sizeof(slice), "%s/tk.slice", root);
	a = tl_mkdir_ino(slice);
	snprintf(dock, sizeof(dock), "%s/docker-" CG_H64 ".scope", slice);
	d = tl_mkdir_ino(dock);
	assert_non_null(cg = tk_cgroups_new(root, TK_CG_WALK));

	feed_cg(r, &b, make_exec(&b, "sh", "/bin/sh", 8, sh_args, sizeof(sh_args), 0), 100, 1000, a);
	feed_cg(r, &b, make_fork(&b, "sh", 1, 101), 100, 2000, a);
	n = make_exec(&b, "cat", "/bin/cat", 9, cat_args, sizeof(cat_args), 0);
	b.exec.ppid = 100;
	feed_cg(r, &b, n, 101, 3000, d);
	n = make_file(&b, TK_EV_read, "cat", "", NULL, "/etc/hostname");
	b.file.ret = b.file.bytes = 12;
	feed_cg(r, &b, n, 101, 4000, d);
	feed_cg(r, &b, make_fork(&b, "cat", 100, 102), 101, 5000, d);
	feed_cg(r, &b, make_exit(&b, "cat", 101, 1, 0, 1000), 102, 6000, d);
	feed_cg(r, &b, make_exit(&b, "cat", 100, 0, 0, 5000), 101, 7000, d);
	feed_cg(r, &b, make_fork(&b, "sh", 1, 103), 100, 8000, a);
	feed_cg(r, &b, make_exit(&b, "sh", 100, 0, 0, 1000), 103, 9000, gone);
	feed_cg(r, &b, make_exit(&b, "sh", 1, 0, 0, 9000), 100, 10000, a);

	out = report_cg(r, false, false, cg);
	snprintf(want, sizeof(want),
		 "totals: processes=4 failed_processes=1 execs=2 failed_execs=0 files=1 "
		 "file_failures=0 bytes_read=12 bytes_written=0 connections=0 failed_connections=0 "
		 "bytes_sent=0 bytes_received=0 signals_sent=0 signals_received=0 records=10 ignored=0\n"
		 "cgroup /tk.slice  cgroup_id=%llu processes=1 failed_processes=0 execs=1 "
		 "failed_execs=0 files=0 file_failures=0 bytes_read=0 bytes_written=0 connections=0 "
		 "failed_connections=0 bytes_sent=0 bytes_received=0 signals_sent=0 signals_received=0\n"
		 "  100 sh -c x  exit 0  +0ns..+9.000ms  lifetime 9.000ms\n"
		 "     exec /bin/sh\n"
		 "container 0123456789ab  cgroup=/tk.slice/docker-" CG_H64 ".scope cgroup_id=%llu "
		 "processes=2 failed_processes=1 execs=1 failed_execs=0 files=1 file_failures=0 "
		 "bytes_read=12 bytes_written=0 connections=0 failed_connections=0 bytes_sent=0 "
		 "bytes_received=0 signals_sent=0 signals_received=0\n"
		 "  101 cat /etc/hostname  exit 0  +1.000ms..+6.000ms  lifetime 5.000ms  child of 100"
		 "  moved from cgroup /tk.slice\n"
		 "  │  exec /bin/cat\n"
		 "  │  file /etc/hostname reads=1 bytes_read=12\n"
		 "  └─ 102 [cat]  exit 1  +4.000ms..+5.000ms  lifetime 1.000ms\n"
		 "cgroup_id %llu  processes=1 failed_processes=0 execs=0 failed_execs=0 files=0 "
		 "file_failures=0 bytes_read=0 bytes_written=0 connections=0 failed_connections=0 "
		 "bytes_sent=0 bytes_received=0 signals_sent=0 signals_received=0\n"
		 "  103 [sh]  exit 0  +7.000ms..+8.000ms  lifetime 1.000ms  child of 100"
		 "  moved from cgroup /tk.slice\n",
		 (unsigned long long)a, (unsigned long long)d, (unsigned long long)gone);
	if (strcmp(out, want))
		fail_msg("actual:\n%s\nexpected:\n%s", out, want);
	free(out);

	out = report_cg(r, true, false, cg);
	if (!(v = json_parse(out)))
		fail_msg("not valid JSON: %s", out);
	/* the tree is the processes' own, whatever their cgroups */
	sh = item(json_get(v, "processes"), 0);
	assert_int_equal(json_get(v, "processes")->len, 1);
	assert_int_equal(json_get(sh, "children")->len, 2);
	cat = item(json_get(sh, "children"), 0);
	snprintf(want, sizeof(want),
		 "\"core_dumped\":false,\"cgroup_id\":%llu,\"cgroup\":\"/tk.slice\","
		 "\"first_cgroup_id\":%llu,\"execs\"",
		 (unsigned long long)a, (unsigned long long)a);
	if (!strstr(out, want))
		fail_msg("no %s in %s", want, out);
	snprintf(want, sizeof(want),
		 "\"cgroup_id\":%llu,\"cgroup\":\"/tk.slice/docker-" CG_H64 ".scope\","
		 "\"container_id\":\"" CG_H64 "\",\"first_cgroup_id\":%llu,",
		 (unsigned long long)d, (unsigned long long)a);
	if (!strstr(out, want))
		fail_msg("no %s in %s", want, out);
	assert_int_equal(json_int(cat, "pid", -1), 101);
	assert_string_equal(json_str(cat, "container_id"), CG_H64);
	assert_int_equal(json_int(item(json_get(cat, "children"), 0), "cgroup_id", -1), (long long)d);
	c = item(json_get(sh, "children"), 1);
	assert_int_equal(json_int(c, "pid", -1), 103);
	assert_int_equal((__u64)json_int(c, "cgroup_id", -1), gone);
	assert_null(json_get(c, "cgroup")); /* removed: the id alone */
	/* one entry per cgroup, in order of first appearance */
	assert_int_equal(json_get(v, "containers")->len, 3);
	snprintf(want, sizeof(want),
		 "\"containers\":[{\"cgroup_id\":%llu,\"cgroup\":\"/tk.slice\",\"pids\":[100],"
		 "\"totals\":{\"processes\":1,",
		 (unsigned long long)a);
	if (!strstr(out, want))
		fail_msg("no %s in %s", want, out);
	c = item(json_get(v, "containers"), 1);
	assert_int_equal(json_int(c, "cgroup_id", -1), (long long)d);
	assert_string_equal(json_str(c, "container_id"), CG_H64);
	assert_int_equal(json_get(c, "pids")->len, 2);
	assert_int_equal(item(json_get(c, "pids"), 0)->num, 101);
	assert_int_equal(item(json_get(c, "pids"), 1)->num, 102);
	assert_int_equal(json_int(json_get(c, "totals"), "processes", -1), 2);
	assert_int_equal(json_int(json_get(c, "totals"), "failed_processes", -1), 1);
	assert_int_equal(json_int(json_get(c, "totals"), "bytes_read", -1), 12);
	c = item(json_get(v, "containers"), 2);
	assert_int_equal((__u64)json_int(c, "cgroup_id", -1), gone);
	assert_null(json_get(c, "cgroup"));
	assert_int_equal(item(json_get(c, "pids"), 0)->num, 103);
	json_free(v);
	free(out);

	tk_cgroups_free(cg);
	tk_report_free(r);
	assert_int_equal(rmdir(dock), 0);
	assert_int_equal(rmdir(slice), 0);
	assert_int_equal(rmdir(root), 0);
#undef CG_H64
}

/* A stream that cannot be written: -1 and ENOSPC, in both formats. */
static void test_write_failure(void **state)
{
	struct tk_report *r = build_tree();
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	errno = 0;
	assert_int_equal(tk_report_write(r, f, false, false, NULL), -1);
	assert_int_equal(errno, ENOSPC);
	clearerr(f);
	errno = 0;
	assert_int_equal(tk_report_write(r, f, true, false, NULL), -1);
	assert_int_equal(errno, ENOSPC);
	fclose(f);
	tk_report_free(r);
	tk_report_free(NULL);
}

/*
 * Only some events traced (tk_report_traced): proc, file open and rename,
 * net connect, sig generate. The counters made of other events are left
 * out, in text and JSON, instead of showing 0; the others keep their
 * values.
 */
static void test_untraced_left_out(void **state)
{
	static __u64 mask[TK_EV_WORDS];
	static const __u32 on[] = { TK_EV_exec, TK_EV_fork, TK_EV_exit, TK_EV_open,
				    TK_EV_rename, TK_EV_connect, TK_EV_sig_generate };
	static const char totals[] =
		"totals: processes=3 failed_processes=3 execs=2 failed_execs=0 files=3 "
		"file_failures=1 connections=1 failed_connections=1 signals_sent=1 "
		"records=15 ignored=2\n";
	struct tk_report *r = build_tree();
	const struct jv *t, *root, *file;
	struct jv *v;
	char *out;

	(void)state;
	for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++)
		mask[on[i] / 64] |= 1ULL << (on[i] % 64);
	tk_report_traced(r, mask);
	out = report(r, false, false);
	if (strncmp(out, totals, strlen(totals)))
		fail_msg("actual:\n%s\nexpected it to start with:\n%s", out, totals);
	assert_null(strstr(out, "bytes_read"));
	assert_null(strstr(out, "bytes_written"));
	assert_null(strstr(out, "bytes_sent"));
	assert_null(strstr(out, "signals_received"));
	free(out);
	out = report(r, true, false);
	assert_non_null(v = json_parse(out));
	assert_non_null(t = json_get(v, "totals"));
	assert_null(json_get(t, "bytes_read"));
	assert_null(json_get(t, "signals_received"));
	assert_null(json_get(t, "bytes_sent"));
	assert_int_equal(json_int(t, "signals_sent", -1), 1);
	root = item(json_get(v, "processes"), 0);
	assert_null(json_get(root, "signals_received"));
	assert_non_null(json_get(root, "signals_sent"));
	file = item(json_get(root, "files"), 0);
	assert_null(json_get(file, "reads"));
	assert_null(json_get(file, "writes"));
	assert_non_null(json_get(file, "opens"));
	assert_non_null(json_get(file, "renames"));
	json_free(v);
	free(out);
	tk_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_text),
		cmocka_unit_test(test_tree_json),
		cmocka_unit_test(test_pid_reused),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_grouped_by_cgroup),
		cmocka_unit_test(test_write_failure),
		cmocka_unit_test(test_untraced_left_out),
	};
	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
