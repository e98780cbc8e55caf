// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tracekit end to end (root): every tool through the one binary, and
 * `tracekit trace` with several domains in one stream. */
#define _GNU_SOURCE
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testlib.h"

#define TOOL "tracekit"

/* A loopback socket bound to a free port: listening, or (listen = false)
 * bound only, so a connect to it is refused. Returns the fd, *port set. */
static int loopback(int family, bool listen_, int *port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = family == AF_INET ? sizeof(*a4) : sizeof(*a6);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	ss.ss_family = family;
	if (family == AF_INET)
		a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		a6->sin6_addr = in6addr_loopback;
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	if (listen_)
		assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*port = ntohs(family == AF_INET ? a4->sin_port : a6->sin6_port);
	return fd;
}

/* Records' ts_ns never go back; prints the first inversion. */
static void assert_time_order(const struct records *r)
{
	long long prev = 0;

	for (size_t i = 0; i < r->n; i++) {
		long long ts = json_int(r->v[i], "ts_ns", -1);

		if (ts < prev)
			fail_msg("record %zu (%s %s) has ts_ns %lld < %lld of the one before", i,
				 json_str(r->v[i], "domain"), json_str(r->v[i], "event"), ts, prev);
		prev = ts;
	}
}

/* The pid of the one exec record of comm, or fail. */
static long long exec_pid(const struct records *r, const char *comm)
{
	long long pid = -1;
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		const char *e = json_str(r->v[i], "event"), *c = json_str(r->v[i], "comm");

		if (e && c && !strcmp(e, "exec") && !strcmp(c, comm)) {
			pid = json_int(r->v[i], "pid", -1);
			n++;
		}
	}
	if (n != 1)
		fail_msg("%zu exec records of %s, not 1", n, comm);
	return pid;
}

/* The acceptance command: the exec of cat, its open of /etc/hostname and
 * the connect, in time order; tracekit exits with the command's 5. bash,
 * not sh: Debian's sh (dash) has no /dev/tcp. */
static void test_acceptance(void **state)
{
	char script[256];
	struct tl_run run;
	long long cat, sh;
	size_t iexec = 0, iopen = 0, iconn = 0;
	int port, lfd;

	(void)state;
	NEED_ROOT();
	lfd = loopback(AF_INET, true, &port);
	snprintf(script, sizeof(script),
		 "cat /etc/hostname >/dev/null; exec 3<>/dev/tcp/127.0.0.1/%d; exit 5", port);
	tl_run(&run, .tool = TOOL, .rc = 5,
	       .args = TL_ARGS("trace", "-j", "--", "/bin/bash", "-c", script));
	assert_time_order(&run.r);
	sh = exec_pid(&run.r, "bash");
	cat = exec_pid(&run.r, "cat");
	ASSERT_ONE_RECORD(&run.r, "domain=file event=open pid=%lld path=/etc/hostname ret=3", cat);
	ASSERT_ONE_RECORD(&run.r, "domain=net event=connect pid=%lld dport=%d error=0", sh, port);
	for (size_t i = 0; i < run.r.n; i++) {
		const struct jv *v = run.r.v[i];
		const char *e = json_str(v, "event"), *p = json_str(v, "path");

		if (!strcmp(e, "exec") && json_int(v, "pid", 0) == cat)
			iexec = i;
		if (!strcmp(e, "open") && p && !strcmp(p, "/etc/hostname"))
			iopen = i;
		if (!strcmp(e, "connect"))
			iconn = i;
	}
	if (!(iexec < iopen && iopen < iconn))
		fail_msg("exec of cat at %zu, its open at %zu, the connect at %zu: not in that order",
			 iexec, iopen, iconn);
	close(lfd);
	tl_run_free(&run);
}

/*
 * A command that execs, opens, writes, renames, connects over IPv4 and
 * IPv6, is refused, and kills a child: every record, the right pid, in
 * time order; the same script run beside it, outside the tree, shows up
 * in nothing.
 */
static void test_every_domain(void **state)
{
	char script[768], dir[] = "/tmp/tk_tracekit.XXXXXX", *outside[4];
	int p4, p6, pc, l4, l6, lc;
	long long bash, mv, cat, child = 0, tree[16];
	size_t ntree = 0;
	struct tl_run run;
	pid_t noise;

	(void)state;
	NEED_ROOT();
	assert_non_null(mkdtemp(dir));
	l4 = loopback(AF_INET, true, &p4);
	l6 = loopback(AF_INET6, true, &p6);
	lc = loopback(AF_INET, false, &pc);
	snprintf(script, sizeof(script),
		 ": 3<>/dev/tcp/127.0.0.1/%d; : 4<>/dev/tcp/::1/%d; : 5<>/dev/tcp/127.0.0.1/%d; "
		 "cat /etc/hostname >/dev/null; echo data > %s/a; mv %s/a %s/b; "
		 "sleep 10 & kill -TERM $!; wait; exit 7",
		 p4, p6, pc, dir, dir, dir);
	outside[0] = "/bin/bash", outside[1] = "-c", outside[2] = script, outside[3] = NULL;
	if ((noise = fork()) == 0) {
		/* the same activity, started beside tracekit and not by it */
		usleep(300000);
		_exit(run_quiet(outside));
	}
	tl_run(&run, .tool = TOOL, .rc = 7,
	       .args = TL_ARGS("trace", "-j", "-e",
			       "proc,file:open,file:write,file:rename,net,sig", "--",
			       "/bin/bash", "-c", script));
	assert_int_equal(waitpid(noise, NULL, 0), noise);
	assert_time_order(&run.r);
	bash = exec_pid(&run.r, "bash");
	cat = exec_pid(&run.r, "cat");
	mv = exec_pid(&run.r, "mv");
	ASSERT_ONE_RECORD(&run.r, "domain=file event=open pid=%lld path=/etc/hostname", cat);
	ASSERT_ONE_RECORD(&run.r, "domain=file event=open pid=%lld path=%s/a", bash, dir);
	ASSERT_ONE_RECORD(&run.r, "domain=file event=write pid=%lld path=%s/a bytes=5", bash, dir);
	ASSERT_ONE_RECORD(&run.r, "domain=file event=rename pid=%lld ret=0", mv);
	ASSERT_ONE_RECORD(&run.r, "domain=net event=connect pid=%lld daddr=127.0.0.1 dport=%d "
				  "error=0", bash, p4);
	ASSERT_ONE_RECORD(&run.r, "domain=net event=connect pid=%lld daddr=::1 dport=%d error=0",
			  bash, p6);
	ASSERT_ONE_RECORD(&run.r, "domain=net event=connect pid=%lld dport=%d "
				  "error_str=ECONNREFUSED", bash, pc);
	/* the child killed before it could exec sleep: the last fork of bash */
	tree[ntree++] = bash;
	for (size_t i = 0; i < run.r.n; i++) {
		const struct jv *v = run.r.v[i];

		if (!strcmp(json_str(v, "event"), "fork") && ntree < 16)
			tree[ntree++] = child = json_int(v, "child_pid", 0);
	}
	ASSERT_ONE_RECORD(&run.r, "domain=sig event=generate pid=%lld target_pid=%lld sig=15 "
				  "result_str=delivered", bash, child);
	ASSERT_ONE_RECORD(&run.r, "domain=proc event=exit pid=%lld signal=15", child);
	ASSERT_ONE_RECORD(&run.r, "domain=proc event=exit pid=%lld exit_code=7", bash);
	for (size_t i = 0; i < run.r.n; i++) {
		long long pid = json_int(run.r.v[i], "pid", 0);
		bool in = false;

		for (size_t k = 0; k < ntree; k++)
			in = in || tree[k] == pid;
		if (!in || !json_str(run.r.v[i], "domain"))
			fail_msg("record %zu (%s) from pid %lld: not the command's tree, or no domain",
				 i, json_str(run.r.v[i], "event"), pid);
	}
	/* the per-domain counts add up to the total */
	{
		const struct jv *d = json_get(run.summary, "domains");
		long long sum = 0;

		assert_non_null(d);
		for (size_t i = 0; i < d->len; i++)
			sum += json_int(&d->items[i], "events", -1000000);
		assert_int_equal(sum, run.events);
		assert_int_equal(d->len, 4);
		/* nothing came out behind a younger record */
		assert_int_equal(json_int(run.summary, "late", -1), 0);
	}
	close(l4);
	close(l6);
	close(lc);
	run_quiet((char *[]){ "/bin/rm", "-rf", dir, NULL });
	tl_run_free(&run);
}

/*
 * Loss across domains with the consumer frozen (SIGSTOP) and an 8 KiB
 * ring: openloop's 20,000 opens of /dev/null (file) and its exit (proc),
 * by pid: received + lost == 20,001, each domain's events in the summary.
 */
static void test_frozen_loss(void **state)
{
	const struct jv *d, *f, *p;
	struct tl_run run;

	(void)state;
	NEED_ROOT();
	tl_run(&run, .tool = TOOL,
	       .args = TL_ARGS("trace", "-j", "--ringbuf-size", "8192", "-e", "file:open,proc:exit",
			       "--path", "/dev/null"),
	       .workload = TL_ARGS("build/tests/openloop", "20000", "/dev/null"),
	       .frozen = true, .lossy = true);
	assert_non_null(d = json_get(run.summary, "domains"));
	assert_non_null(f = json_get(d, "file"));
	assert_non_null(p = json_get(d, "proc"));
	fprintf(stderr, "tracekit trace, frozen consumer, 8 KiB ring: %zu records, %llu lost "
			"(file %lld received, %lld lost; proc %lld, %lld) of 20001\n",
		run.r.n, run.lost, json_int(f, "events", -1), json_int(f, "lost", -1),
		json_int(p, "events", -1), json_int(p, "lost", -1));
	if (run.r.n + run.lost != 20001 || !run.lost)
		fail_msg("%zu records + %llu lost: expected 20001, some lost", run.r.n, run.lost);
	assert_int_equal(json_int(f, "events", -1) + json_int(p, "events", -1), run.r.n);
	assert_int_equal(json_int(f, "lost", -1) + json_int(p, "lost", -1), run.lost);
	assert_int_equal(records_count(&run.r, "open", run.workload) +
				 records_count(&run.r, "exit", run.workload), run.r.n);
	tl_run_free(&run);
}

/* The sum of a numeric key over the records of event ev (NULL: any). */
static long long sum_of(const struct records *r, const char *ev, const char *key)
{
	long long sum = 0;

	for (size_t i = 0; i < r->n; i++)
		if (!ev || !strcmp(json_str(r->v[i], "event"), ev))
			sum += json_int(r->v[i], key, 0);
	return sum;
}

/* Records of event ev whose key is not 0 (a failure: error, ret < 0). */
static long long nonzero(const struct records *r, const char *ev, const char *key)
{
	long long n = 0;

	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(json_str(r->v[i], "event"), ev) && json_int(r->v[i], key, 0))
			n++;
	return n;
}

/*
 * --report -j: one JSON document on stdout, the records in -o FILE; every
 * total the report gives equals what the records say (a command that
 * forks, execs, writes, renames, is refused a connection and kills a
 * child), and the root process is the command with its exit status.
 */
static void test_report_totals(void **state)
{
	char script[512], dir[] = "/tmp/tk_tracekit_rep.XXXXXX", recs[64];
	const struct jv *t, *root;
	struct tl_run run;
	struct jv *rep;
	int pc, lc;

	(void)state;
	NEED_ROOT();
	assert_non_null(mkdtemp(dir));
	lc = loopback(AF_INET, false, &pc);
	snprintf(recs, sizeof(recs), "%s/records", dir);
	snprintf(script, sizeof(script),
		 "cat /etc/hostname >/dev/null; echo data > %s/a; mv %s/a %s/b; "
		 ": 5<>/dev/tcp/127.0.0.1/%d; sleep 10 & kill -TERM $!; wait; exit 7",
		 dir, dir, dir, pc);
	tl_run(&run, .tool = TOOL, .rc = 7,
	       .args = TL_ARGS("trace", "-j", "--report", "-o", recs, "-e",
			       "proc,file:open,file:write,file:rename,net,sig", "--",
			       "/bin/bash", "-c", script));
	rep = json_parse(run.out ? run.out : "");
	if (!rep)
		fail_msg("the report is not one JSON document:\n%s", run.out ? run.out : "");
	assert_non_null(t = json_get(rep, "totals"));
	fprintf(stderr, "report: %lld records, %lld processes, %lld execs, %lld bytes written, "
			"%lld connections (%lld failed), %lld signals sent; %zu records in the file\n",
		json_int(rep, "records", -1), json_int(t, "processes", -1),
		json_int(t, "execs", -1), json_int(t, "bytes_written", -1),
		json_int(t, "connections", -1), json_int(t, "failed_connections", -1),
		json_int(t, "signals_sent", -1), run.r.n);
	assert_int_equal(json_int(rep, "records", -1) + json_int(rep, "ignored", -1), run.r.n);
	assert_int_equal(json_int(rep, "ignored", -1), 0);
	/* the command and every child it forked: cat, mv, the subshell of & */
	assert_int_equal(json_int(t, "processes", -1), records_count(&run.r, "fork", 0) + 1);
	assert_int_equal(json_int(t, "execs", -1) + json_int(t, "failed_execs", -1),
			 records_count(&run.r, "exec", 0));
	assert_int_equal(json_int(t, "failed_execs", -1), nonzero(&run.r, "exec", "ret"));
	assert_int_equal(json_int(t, "bytes_written", -1), sum_of(&run.r, "write", "bytes"));
	assert_true(json_int(t, "bytes_written", -1) >= 5); /* "data\n" at least */
	assert_int_equal(json_int(t, "connections", -1), records_count(&run.r, "connect", 0));
	assert_int_equal(json_int(t, "failed_connections", -1), 1);
	assert_int_equal(nonzero(&run.r, "connect", "error"), 1);
	assert_int_equal(json_int(t, "signals_sent", -1), 1);
	/* exit 7 and sleep's SIGTERM: the two failed processes */
	assert_int_equal(json_int(t, "failed_processes", -1), 2);
	assert_non_null(json_get(rep, "processes"));
	root = &json_get(rep, "processes")->items[0];
	assert_int_equal(json_int(root, "exit_code", -1), 7);
	assert_int_equal(json_int(root, "pid", -1), exec_pid(&run.r, "bash"));
	json_free(rep);
	close(lc);
	tl_run_free(&run);
	unlink(recs);
	rmdir(dir);
}

/* `tracekit TOOL --help` is the tool's --help; TOOL by domain or name. */
static void test_tools_help(void **state)
{
	static const char *const tools[][2] = {
		{ "proc", "proctrace" }, { "file", "filetrace" }, { "net", "nettrace" },
		{ "sys", "syscalltrace" }, { "sig", "sigtrace" },
	};
	char cmd[512];

	(void)state;
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		for (int form = 0; form < 2; form++) {
			snprintf(cmd, sizeof(cmd),
				 "/bin/bash -c 'cmp <(%s/bin/tracekit %s --help) <(%s/bin/%s --help)'",
				 tl_root, tools[i][form], tl_root, tools[i][1]);
			if (system(cmd))
				fail_msg("tracekit %s --help differs from %s --help", tools[i][form],
					 tools[i][1]);
		}
	}
}

/* Exit codes: usage errors 2 with one line, --help/--version 0. */
static void test_exit_codes(void **state)
{
	/* a tool's own errors name the tool, as its binary's do */
	static const struct { const char *args; int rc; } cases[] = {
		{ "", 2 }, { "nosuchtool", 2 }, { "--help", 0 }, { "--version", 0 },
		{ "trace --help", 0 }, { "trace -e nosuch", 2 }, { "trace -e file:nosuch", 2 },
		{ "trace -e proc --port 80", 2 }, { "trace -e proc,net --port 0", 2 },
		{ "trace --bogus", 2 }, { "trace --", 2 }, { "proc -e nosuch", 2 },
	};
	char cmd[512], errf[64];

	(void)state;
	/* per test process: another run of this suite may share /tmp */
	snprintf(errf, sizeof(errf), "/tmp/tk_tracekit_err.%d", (int)getpid());
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st;

		snprintf(cmd, sizeof(cmd), "%s/bin/tracekit %s >/dev/null 2>%s", tl_root,
			 cases[i].args, errf);
		st = system(cmd);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != cases[i].rc)
			fail_msg("tracekit %s: exit %d, expected %d", cases[i].args,
				 WIFEXITED(st) ? WEXITSTATUS(st) : -1, cases[i].rc);
		if (cases[i].rc == 2) {
			char *err = slurp(errf);
			size_t lines = 0;

			for (char *c = err; c && *c; c++)
				lines += *c == '\n';
			const char *who = strncmp(cases[i].args, "proc ", 5) ? "tracekit"
									      : "proctrace:";

			if (lines != 1 || !err || strncmp(err, who, strlen(who)))
				fail_msg("tracekit %s: stderr '%s', expected one line '%s ...'",
					 cases[i].args, err ? err : "", who);
			free(err);
		}
	}
	unlink(errf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TL_TEST(test_tools_help),
		TL_TEST(test_exit_codes),
		TL_TEST(test_acceptance),
		TL_TEST(test_every_domain),
		TL_TEST(test_frozen_loss),
		TL_TEST(test_report_totals),
	};

	return TL_RUN_GROUP(TOOL, tests, NULL, NULL);
}
