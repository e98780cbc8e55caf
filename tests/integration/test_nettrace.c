// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nettrace end to end (root): real loopback connections between two real
 * processes (tests/helpers/tcppeer.c), and the exact records that come
 * back — pids, ports, byte counts, errors. Without root: SKIPPED.
 *
 * Other tests may run at the same time on this machine, so records are
 * picked by the ports of our own listeners, never assumed to be alone.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <netinet/in.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "testlib.h"
#include "tk.h"

#define TOOL "nettrace"
#define TCPPEER tl_path("build/tests/tcppeer")
#define NESTLOAD tl_path("build/tests/nestload")
#define IP "/sbin/ip"
#define TC "/sbin/tc"
#define SENT 12345     /* client -> server */
#define RECEIVED 54321 /* server -> client */
#define SEC 1000000000LL

/* Network namespaces a test made (deleted by teardown, even on failure):
 * named by our pid, since other tests may make theirs at the same time. */
static char netns[4][32];
static int nnetns;

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < nnetns; i++) {
		char *del[] = { IP, "netns", "del", netns[i], NULL };

		run_quiet(del);
	}
	nnetns = 0;
	return tl_teardown(state);
}

/* The first line a helper printed on stdout: a port number. */
static long read_port(struct proc *p)
{
	for (int i = 0; i < 1000; i++) {
		char *s = slurp(p->out);
		long port = s && strchr(s, '\n') ? atol(s) : 0;

		free(s);
		if (port > 0)
			return port;
		usleep(10000);
	}
	return -1;
}

/* A tcppeer server for one connection: reads recv_n, sends send_n, closes
 * delay_ms after the client did. */
static void start_server_delay(struct proc *p, const char *addr, long recv_n, long send_n,
			       long delay_ms, long *port)
{
	char r[16], s[16], d[16];
	char *argv[] = { (char *)TCPPEER, "server", (char *)addr, "1", r, s, d, NULL };

	snprintf(r, sizeof(r), "%ld", recv_n);
	snprintf(s, sizeof(s), "%ld", send_n);
	snprintf(d, sizeof(d), "%ld", delay_ms);
	assert_int_equal(proc_start(p, argv), 0);
	*port = read_port(p);
	assert_true(*port > 0);
}

static void start_server(struct proc *p, const char *addr, long recv_n, long send_n, long *port)
{
	start_server_delay(p, addr, recv_n, send_n, 0, port);
}

/* Runs a client to completion; returns its exit code, its pid and port. */
static int run_client(const char *addr, long port, long send_n, long recv_n, int syncnt,
		      pid_t *pid, long *sport)
{
	char p[16], s[16], r[16], sc[16];
	char *argv[] = { (char *)TCPPEER, "client", (char *)addr, p, s, r, NULL, NULL, NULL };
	struct proc c;
	int rc;

	snprintf(p, sizeof(p), "%ld", port);
	snprintf(s, sizeof(s), "%ld", send_n);
	snprintf(r, sizeof(r), "%ld", recv_n);
	if (syncnt) {
		snprintf(sc, sizeof(sc), "%d", syncnt);
		memmove(&argv[4], &argv[2], 4 * sizeof(argv[0]));
		argv[2] = "-s";
		argv[3] = sc;
	}
	if (proc_start(&c, argv))
		return -1;
	*pid = c.pid;
	rc = proc_wait(&c, 20000);
	if (sport) {
		char *o = slurp(c.out);

		*sport = o ? atol(o) : 0;
		free(o);
	}
	proc_cleanup(&c);
	return rc;
}

static void start_tracer(struct tl_run *t, const char *const *args)
{
	tl_start(t, .tool = TOOL, .args = args);
}

static bool has_port(const struct jv *v, long port)
{
	return json_int(v, "sport", -1) == port || json_int(v, "dport", -1) == port;
}

/* Records of event ev (NULL: any) touching port, and the first of them. */
static size_t pick(const struct records *r, const char *ev, long port, const struct jv **first)
{
	size_t n = 0;

	if (first)
		*first = NULL;
	for (size_t i = 0; i < r->n; i++) {
		const char *e = json_str(r->v[i], "event");

		if (!e || !strcmp(e, "summary") || (ev && strcmp(e, ev)) || !has_port(r->v[i], port))
			continue;
		if (first && !*first)
			*first = r->v[i];
		n++;
	}
	return n;
}

/* The record of event ev from pid with local port sport (-1: any) and remote
 * port dport. */
static const struct jv *find(const struct records *r, const char *ev, long pid, long sport,
			     long dport)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct jv *v = r->v[i];
		const char *e = json_str(v, "event");

		if (e && !strcmp(e, ev) && json_int(v, "pid", -1) == pid &&
		    (sport < 0 || json_int(v, "sport", -1) == sport) &&
		    json_int(v, "dport", -1) == dport)
			return v;
	}
	fail_msg("no %s record from pid %ld with sport %ld dport %ld", ev, pid, sport, dport);
	return NULL;
}

static void assert_tuple(const struct jv *v, const char *family, const char *addr)
{
	assert_string_equal(json_str(v, "family_str"), family);
	assert_string_equal(json_str(v, "saddr"), addr);
	assert_string_equal(json_str(v, "daddr"), addr);
	assert_string_equal(json_str(v, "comm"), "tcppeer");
}

static void assert_between(long long v, long long lo, long long hi, const char *what)
{
	if (v < lo || v > hi)
		fail_msg("%s = %lld, expected %lld..%lld", what, v, lo, hi);
}

/* An orderly close: exact bytes, who closed, a life within the test's. */
static void assert_close(const struct jv *v, const char *family, const char *addr, long sent,
			 long received, const char *closed_by, long long wall)
{
	assert_tuple(v, family, addr);
	assert_int_equal(json_int(v, "bytes_sent", -1), sent);
	assert_int_equal(json_int(v, "bytes_received", -1), received);
	assert_string_equal(json_str(v, "closed_by_str"), closed_by);
	assert_int_equal(json_int(v, "error", -1), 0);
	assert_between(json_int(v, "duration_ns", -1), 1, wall, "close duration_ns");
}

/*
 * The state records of pid on the socket with local port sport (-1: any)
 * and remote port dport are exactly seq ("OLD>NEW"), in this order.
 */
static void assert_states(const struct records *r, long pid, long sport, long dport,
			  const char *const *seq)
{
	size_t k = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct jv *v = r->v[i];
		const char *e = json_str(v, "event");
		char got[64];

		if (!e || strcmp(e, "state") || json_int(v, "pid", -1) != pid ||
		    json_int(v, "dport", -1) != dport ||
		    (sport >= 0 && json_int(v, "sport", -1) != sport))
			continue;
		snprintf(got, sizeof(got), "%s>%s", json_str(v, "oldstate_str"), json_str(v, "newstate_str"));
		if (!seq[k])
			fail_msg("pid %ld port %ld: unexpected extra state %s", pid, dport, got);
		if (strcmp(got, seq[k]))
			fail_msg("pid %ld port %ld: state %zu is %s, expected %s", pid, dport, k, got,
				 seq[k]);
		k++;
	}
	if (seq[k])
		fail_msg("pid %ld port %ld: missing state %s", pid, dport, seq[k]);
}

/*
 * One connection each way of the loopback pair, byte-exact, then a connect
 * to the same port after the server is gone: ECONNREFUSED. The server
 * listens on bind_addr, the client connects to addr; records must show
 * family and addr on both ends.
 */
static void loopback_exact(const char *family, const char *bind_addr, const char *addr)
{
	static const char *const client_seq[] = {
		"CLOSE>SYN_SENT", "SYN_SENT>ESTABLISHED", "ESTABLISHED>FIN_WAIT1",
		"FIN_WAIT1>FIN_WAIT2", "FIN_WAIT2>CLOSE", NULL,
	};
	static const char *const child_seq[] = {
		"LISTEN>SYN_RECV", "SYN_RECV>ESTABLISHED", "ESTABLISHED>CLOSE_WAIT",
		"CLOSE_WAIT>LAST_ACK", "LAST_ACK>CLOSE", NULL,
	};
	static const char *const listener_seq[] = { "CLOSE>LISTEN", "LISTEN>CLOSE", NULL };
	static const char *const refused_seq[] = { "CLOSE>SYN_SENT", "SYN_SENT>CLOSE", NULL };
	struct tl_run t;
	struct proc srv;
	const struct records *r = &t.r;
	const struct jv *v;
	long port, cport, dummy;
	pid_t cpid, rpid, spid;
	struct timespec t0, t1;
	long long wall;

	start_tracer(&t, TL_ARGS("-j", "-e", "all"));
	start_server(&srv, bind_addr, SENT, RECEIVED, &port);
	spid = srv.pid; /* proc_wait() forgets it */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(run_client(addr, port, SENT, RECEIVED, 0, &cpid, &cport), 0);
	assert_int_equal(proc_wait(&srv, 10000), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	wall = (t1.tv_sec - t0.tv_sec) * SEC + t1.tv_nsec - t0.tv_nsec;
	/* nobody listens there any more */
	assert_int_equal(run_client(addr, port, 1, 1, 0, &rpid, &dummy), 111);
	tl_stop(&t);

	/* client side, attributed to the client even though the handshake
	 * and the final close ran in softirq */
	v = find(r, "connect", cpid, cport, port);
	assert_tuple(v, family, addr);
	assert_int_equal(json_int(v, "tid", -1), cpid);
	assert_int_equal(json_int(v, "error", -1), 0);
	assert_between(json_int(v, "duration_ns", -1), 1, SEC, "connect duration_ns");

	assert_close(find(r, "close", cpid, cport, port), family, addr, SENT, RECEIVED, "local",
		     wall);

	/* server side, attributed to the server (the accept() caller) */
	v = find(r, "accept", spid, port, cport);
	assert_tuple(v, family, addr);
	assert_int_equal(json_int(v, "tid", -1), spid);
	assert_between(json_int(v, "duration_ns", -1), 0, wall, "accept duration_ns");

	assert_close(find(r, "close", spid, port, cport), family, addr, RECEIVED, SENT, "remote",
		     wall);

	/* the refused one: its own pid, its errno, the port it tried */
	assert_int_equal(pick(r, "connect", port, NULL), 2);
	for (size_t i = 0; i < r->n; i++) {
		v = r->v[i];
		if (strcmp(json_str(v, "event"), "connect") || json_int(v, "pid", -1) != rpid)
			continue;
		assert_int_equal(json_int(v, "dport", -1), port);
		assert_int_equal(json_int(v, "error", 0), -111);
		assert_string_equal(json_str(v, "error_str"), "ECONNREFUSED");
		assert_between(json_int(v, "duration_ns", -1), 1, SEC, "refused duration_ns");
		assert_string_equal(json_str(v, "daddr"), addr);
	}
	/* every state change, each attributed to its socket's owner: the
	 * child's first ones happen before accept(), in softirq, and belong
	 * to the listening process */
	assert_states(r, cpid, -1, port, client_seq);
	assert_states(r, spid, port, cport, child_seq);
	assert_states(r, spid, port, 0, listener_seq);
	assert_states(r, rpid, -1, port, refused_seq);

	/* and nothing else on this port */
	assert_int_equal(pick(r, "connect", port, NULL), 2);
	assert_int_equal(pick(r, "accept", port, NULL), 1);
	assert_int_equal(pick(r, "close", port, NULL), 2);
	assert_int_equal(pick(r, "state", port, NULL), 5 + 5 + 2 + 2);
	assert_int_equal(pick(r, "retransmit", port, NULL), 0);
	tl_run_free(&t);
	proc_cleanup(&srv);
}

static void test_loopback_ipv4(void **state)
{
	(void)state;
	NEED_ROOT();
	loopback_exact("AF_INET", "127.0.0.1", "127.0.0.1");
}

static void test_loopback_ipv6(void **state)
{
	(void)state;
	NEED_ROOT();
	loopback_exact("AF_INET6", "::1", "::1");
}

/*
 * A dual-stack server on [::] accepting an IPv4 client: its socket is
 * AF_INET6 with ::ffff:127.0.0.1 addresses, reported as the IPv4
 * connection it is (both on the accept path and the softirq paths).
 */
static void test_loopback_v4_mapped(void **state)
{
	(void)state;
	NEED_ROOT();
	loopback_exact("AF_INET", "::", "127.0.0.1");
}

/*
 * Three connections (A, B over IPv4, C over IPv6) seen by six tracers at
 * once, each with different filters; each must get exactly its share.
 */
static void test_filters(void **state)
{
	struct proc sa, sb, sc;
	struct tl_run t[6], text;
	long pa, pb, pc, ca, cb, cc;
	char la[32], lb[32], list[64], spid[16];
	pid_t cpa, cpb, cpc, spa, spc;
	const struct jv *v;

	(void)state;
	NEED_ROOT();
	start_server(&sa, "127.0.0.1", SENT, RECEIVED, &pa);
	start_server(&sb, "127.0.0.1", SENT, RECEIVED, &pb);
	start_server(&sc, "::1", SENT, RECEIVED, &pc);
	spa = sa.pid; /* proc_wait() forgets them */
	spc = sc.pid;
	snprintf(la, sizeof(la), "%ld", pa);
	snprintf(lb, sizeof(lb), "%ld", pb);
	snprintf(list, sizeof(list), "%ld,%ld,%ld", pa, pb, pc);
	snprintf(spid, sizeof(spid), "%d", spa);
	{
		start_tracer(&t[0], TL_ARGS("-j", "--port", la));
		start_tracer(&t[1], TL_ARGS("-j", "--lport", la));
		start_tracer(&t[2], TL_ARGS("-j", "--rport", lb));
		start_tracer(&t[3], TL_ARGS("-j", "-6", "--port", list));
		start_tracer(&t[4], TL_ARGS("-j", "-4", "--port", list));
		start_tracer(&t[5], TL_ARGS("-j", "-p", spid));
		start_tracer(&text, TL_ARGS("--lport", la));
	}
	assert_int_equal(run_client("127.0.0.1", pa, SENT, RECEIVED, 0, &cpa, &ca), 0);
	assert_int_equal(run_client("127.0.0.1", pb, SENT, RECEIVED, 0, &cpb, &cb), 0);
	assert_int_equal(run_client("::1", pc, SENT, RECEIVED, 0, &cpc, &cc), 0);
	assert_int_equal(proc_wait(&sa, 10000), 0);
	assert_int_equal(proc_wait(&sb, 10000), 0);
	assert_int_equal(proc_wait(&sc, 10000), 0);
	for (int i = 0; i < 6; i++)
		tl_stop(&t[i]);
	tl_stop(&text);
	{
		/* text: a header and the two lines of --lport A, with names */
		char *out = strdup(text.out), *line, *save = NULL, want[128];
		int n = 0;

		assert_non_null(out);
		for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
			if (n == 0) {
				assert_non_null(strstr(line, "EVENT"));
				continue;
			}
			snprintf(want, sizeof(want), "%-7d ", spa);
			assert_non_null(strstr(line, want));
			snprintf(want, sizeof(want), " family=AF_INET saddr=127.0.0.1 sport=%ld "
				 "daddr=127.0.0.1 dport=%ld ", pa, ca);
			assert_non_null(strstr(line, want));
			if (n == 1)
				assert_true(!strncmp(line, "accept ", 7));
			else
				assert_non_null(strstr(line, " closed_by=remote error=0 "));
		}
		assert_int_equal(n, 3);
		free(out);
		tl_run_free(&text);
	}

	/* --port A: both ends of A, nothing else at all */
	assert_int_equal(t[0].r.n, 4);
	assert_int_equal(pick(&t[0].r, NULL, pa, NULL), 4);
	find(&t[0].r, "connect", cpa, ca, pa);
	find(&t[0].r, "accept", spa, pa, ca);
	find(&t[0].r, "close", cpa, ca, pa);
	find(&t[0].r, "close", spa, pa, ca);

	/* --lport A: only the server's end (local port A) */
	assert_int_equal(t[1].r.n, 2);
	find(&t[1].r, "accept", spa, pa, ca);
	find(&t[1].r, "close", spa, pa, ca);

	/* --rport B: only B's client end (remote port B) */
	assert_int_equal(t[2].r.n, 2);
	find(&t[2].r, "connect", cpb, cb, pb);
	v = find(&t[2].r, "close", cpb, cb, pb);
	assert_int_equal(json_int(v, "bytes_sent", -1), SENT);

	/* -6: only C */
	assert_int_equal(t[3].r.n, 4);
	assert_int_equal(pick(&t[3].r, NULL, pc, NULL), 4);
	find(&t[3].r, "accept", spc, pc, cc);

	/* -4: A and B, not C */
	assert_int_equal(t[4].r.n, 8);
	assert_int_equal(pick(&t[4].r, NULL, pc, NULL), 0);
	assert_int_equal(pick(&t[4].r, NULL, pa, NULL), 4);
	assert_int_equal(pick(&t[4].r, NULL, pb, NULL), 4);

	/* -p server A: its accept and its close (which ran in softirq, on
	 * the client's time), nothing of the client */
	assert_int_equal(t[5].r.n, 2);
	find(&t[5].r, "accept", spa, pa, ca);
	v = find(&t[5].r, "close", spa, pa, ca);
	assert_int_equal(json_int(v, "bytes_sent", -1), RECEIVED);

	for (int i = 0; i < 6; i++) {
		tl_run_free(&t[i]);
	}
	proc_cleanup(&sa);
	proc_cleanup(&sb);
	proc_cleanup(&sc);
}

/*
 * Command mode: a client run by nettrace is traced; the server it talks
 * to, and another client running at the same time, are not — although the
 * server's half of the connection changes state on the traced client's CPU
 * time (loopback softirq). The server closes 300 ms after the client, so
 * the client's close completes (its close event) after the command has
 * exited: nettrace must wait for it, and still count it as the command's.
 */
static void test_command_mode(void **state)
{
	struct proc sa, sb;
	struct tl_run t;
	const struct records *r = &t.r;
	long pa, pb, cb;
	pid_t cpb, cmd = 0, spa;
	char cmdline[256];
	const struct jv *v;

	(void)state;
	NEED_ROOT();
	start_server_delay(&sa, "127.0.0.1", 100, 200, 300, &pa);
	start_server(&sb, "127.0.0.1", SENT, RECEIVED, &pb);
	spa = sa.pid;
	snprintf(cmdline, sizeof(cmdline), "%s client 127.0.0.1 %ld 100 200 >/dev/null; exit 7",
		 TCPPEER, pa);
	tl_start(&t, .tool = TOOL, .args = TL_ARGS("-j", "--", "/bin/sh", "-c", cmdline), .rc = 7);
	/* an untraced connection while the command runs */
	assert_int_equal(run_client("127.0.0.1", pb, SENT, RECEIVED, 0, &cpb, &cb), 0);
	tl_stop(&t);
	assert_int_equal(proc_wait(&sa, 10000), 0);
	assert_int_equal(proc_wait(&sb, 10000), 0);

	/* exactly the command's connect and close */
	assert_int_equal(r->n, 2);
	assert_int_equal(pick(r, "connect", pa, &v), 1);
	cmd = json_int(v, "pid", -1);
	assert_true(cmd > 0 && cmd != spa && cmd != cpb);
	assert_int_equal(json_int(v, "error", -1), 0);
	assert_int_equal(pick(r, "close", pa, &v), 1);
	assert_int_equal(json_int(v, "pid", -1), cmd);
	assert_int_equal(json_int(v, "bytes_sent", -1), 100);
	assert_int_equal(json_int(v, "bytes_received", -1), 200);
	assert_int_equal(pick(r, NULL, pb, NULL), 0);
	tl_run_free(&t);
	proc_cleanup(&sa);
	proc_cleanup(&sb);
}

/*
 * A SYN nobody answers: a listener with a full accept queue drops it. With
 * TCP_SYNCNT 1 the client gives up after ~3 s: ETIMEDOUT, its SYN
 * retransmissions reported on the way.
 */
static void test_timeout_and_retransmit(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	char sport_s[16];
	struct tl_run t;
	const struct records *r = &t.r;
	const struct jv *v;
	long port, cport = -1, want = 1;
	size_t nretrans = 0;
	pid_t cpid;
	int lfd, fill;

	(void)state;
	NEED_ROOT();
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 0), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	snprintf(sport_s, sizeof(sport_s), "%ld", port);
	start_tracer(&t, TL_ARGS("-j", "-e", "connect,retransmit", "--rport", sport_s));
	/* this one fills the queue of one (never accepted) */
	fill = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(fill, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(run_client("127.0.0.1", port, 0, 0, 1, &cpid, NULL), 110);
	tl_stop(&t);
	close(fill);
	close(lfd);

	v = find(r, "connect", getpid(), -1, port);
	assert_int_equal(json_int(v, "error", -1), 0);
	for (size_t i = 0; i < r->n; i++) {
		const char *e = json_str(r->v[i], "event");

		v = r->v[i];
		if (!strcmp(e, "connect") && json_int(v, "pid", -1) == cpid) {
			assert_int_equal(json_int(v, "error", 0), -110);
			assert_string_equal(json_str(v, "error_str"), "ETIMEDOUT");
			assert_between(json_int(v, "duration_ns", -1), 2 * SEC, 10 * SEC,
				       "timed-out connect duration_ns");
			cport = json_int(v, "sport", -1);
		} else if (!strcmp(e, "retransmit")) {
			assert_int_equal(json_int(v, "pid", -1), cpid);
			assert_int_equal(json_int(v, "dport", -1), port);
			assert_string_equal(json_str(v, "state_str"), "SYN_SENT");
			assert_int_equal(json_int(v, "retransmits", -1), want++);
			nretrans++;
		}
	}
	assert_true(cport > 0);
	assert_true(nretrans >= 1);
	/* the retransmissions are the failed socket's */
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(json_str(r->v[i], "event"), "retransmit"))
			assert_int_equal(json_int(r->v[i], "sport", -1), cport);
	assert_int_equal(r->n, 2 + nretrans);
	tl_run_free(&t);
}

/* ---- nesting, loss accounting, listeners (network namespaces) ---------- */

/* A fresh netns with lo up; throttled: lo behind tbf, so that packets
 * leave from the qdisc's timer, in softirq, and TCP state changes nest
 * inside programs running for connect() and close(). */
static const char *netns_new(bool throttled)
{
	static int seq;
	char *name;

	assert_true(nnetns < 4);
	name = netns[nnetns];
	snprintf(name, sizeof(netns[0]), "tknest%d_%d", getpid(), seq++);
	char *add[] = { IP, "netns", "add", name, NULL };
	char *up[] = { IP, "-n", name, "link", "set", "lo", "up", NULL };
	char *tbf[] = { TC,    "-n",	name,	 "qdisc", "add",   "dev",   "lo",  "root",
			"tbf", "rate", "30mbit", "burst", "3000", "latency", "100ms", NULL };

	assert_int_equal(run_quiet(add), 0);
	nnetns++;
	assert_int_equal(run_quiet(up), 0);
	if (throttled)
		assert_int_equal(run_quiet(tbf), 0);
	return name;
}

/*
 * The ports of the netns tests: nettrace sees every netns, so two test
 * runs at once (another checkout's make test) must not share a port.
 * Derived from the pid, below the ephemeral range: port k (1..7) of this
 * run, as a number or a string.
 */
static int test_port(int k)
{
	return 10000 + (getpid() % 2000) * 8 + k;
}

static const char *test_port_str(int k)
{
	static char s[8][8];

	snprintf(s[k], sizeof(s[k]), "%d", test_port(k));
	return s[k];
}

#define NEST_PORT test_port(1)  /* traced */
#define NEST_OTHER test_port(2) /* not traced */
#define NEST_CLIENTS 8
#define NEST_CONNS 150
#define NEST_CSEND 1200 /* client -> server; below the tbf burst */
#define NEST_SSEND 2100

/* The TCP transitions a connection of the workload can make. */
static bool transition_possible(const char *from, const char *to)
{
	static const char *ok[][2] = {
		{ "CLOSE", "SYN_SENT" },	 { "SYN_SENT", "ESTABLISHED" },
		{ "SYN_SENT", "CLOSE" },	 { "CLOSE", "LISTEN" },
		{ "LISTEN", "CLOSE" },		 { "LISTEN", "SYN_RECV" },
		{ "SYN_RECV", "ESTABLISHED" },	 { "SYN_RECV", "CLOSE" },
		{ "ESTABLISHED", "FIN_WAIT1" },	 { "ESTABLISHED", "CLOSE_WAIT" },
		{ "ESTABLISHED", "CLOSE" },	 { "FIN_WAIT1", "FIN_WAIT2" },
		{ "FIN_WAIT1", "CLOSING" },	 { "FIN_WAIT1", "CLOSE" },
		{ "FIN_WAIT2", "CLOSE" },	 { "CLOSING", "CLOSE" },
		{ "CLOSE_WAIT", "LAST_ACK" },	 { "CLOSE_WAIT", "CLOSE" },
		{ "LAST_ACK", "CLOSE" },
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(from, ok[i][0]) && !strcmp(to, ok[i][1]))
			return true;
	return false;
}

static int by_conn_then_ts(const void *a, const void *b)
{
	const struct jv *x = *(const struct jv *const *)a, *y = *(const struct jv *const *)b;
	long long d = json_int(x, "sport", 0) - json_int(y, "sport", 0);

	if (!d)
		d = json_int(x, "dport", 0) - json_int(y, "dport", 0);
	if (!d)
		d = json_int(x, "ts_ns", 0) - json_int(y, "ts_ns", 0);
	return d < 0 ? -1 : d > 0;
}

/*
 * Connections (by 4-tuple) whose state transitions, in time order, do not
 * chain (one's old state is not the previous one's new state): a lost or
 * mixed record breaks a chain. v is sorted by_conn_then_ts. One tuple can
 * hold two sockets: a retransmitted SYN that races the first one on
 * another CPU makes a second request socket, which the kernel then drops
 * (LISTEN -> SYN_RECV twice, one SYN_RECV -> CLOSE). Those pairs are
 * set aside; what is left must chain. And after a CLOSE the tuple can hold
 * the next connection: in a slow run a client port is used again once its
 * TIME_WAIT is a second old (tcp_tw_reuse), a new chain.
 */
static size_t broken_chains(const struct jv **v, size_t n)
{
	size_t breaks = 0;

	for (size_t i = 0, end; i < n; i = end) {
		const struct jv *prev = NULL;
		size_t syn_recv = 0, dropped = 0;
		bool broken = false;

		for (end = i; end < n && json_int(v[end], "sport", 0) == json_int(v[i], "sport", 0) &&
			      json_int(v[end], "dport", 0) == json_int(v[i], "dport", 0);
		     end++)
			;
		for (size_t k = i; k < end; k++) {
			const char *o = json_str(v[k], "oldstate_str"), *w = json_str(v[k], "newstate_str");

			if (prev && !strcmp(json_str(prev, "newstate_str"), "CLOSE")) {
				prev = NULL; /* another socket's, on the same tuple */
				syn_recv = 0;
			}
			if (!strcmp(o, "LISTEN") && !strcmp(w, "SYN_RECV") && syn_recv++) {
				dropped++;
				continue;
			}
			if (!strcmp(o, "SYN_RECV") && !strcmp(w, "CLOSE") && dropped) {
				dropped--;
				continue;
			}
			if (prev && strcmp(o, json_str(prev, "newstate_str")))
				broken = true;
			prev = v[k];
		}
		/* the first few, whole, to tell a loss from a workload's quirk */
		if ((broken || dropped) && breaks < 3) {
			fprintf(stderr, "broken chain %lld -> %lld:", json_int(v[i], "sport", 0),
				json_int(v[i], "dport", 0));
			for (size_t k = i; k < end; k++)
				fprintf(stderr, " %s>%s@%lld", json_str(v[k], "oldstate_str"),
					json_str(v[k], "newstate_str"), json_int(v[k], "ts_ns", 0));
			fputc('\n', stderr);
		}
		breaks += broken || dropped;
	}
	return breaks;
}

/*
 * The raw records, byte by byte: each exactly its event's size, no two
 * alike (a duplicate is a record sent twice, or two records built in one
 * slot), every PAD field zero, an IPv4 address's 12 unused bytes zero.
 * A perf sample comes padded with zeros to a multiple of 8 bytes with its
 * u32 size: up to 7 more bytes, all zero.
 */
static void check_raw(const char *path, size_t want_records, bool perfbuf)
{
	char *buf = NULL;
	size_t len = 0, n = 0, cap = 0, dups = 0;
	struct { const char *p; __u32 size; } *recs = NULL;
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	for (;;) {
		char chunk[65536];
		size_t got = fread(chunk, 1, sizeof(chunk), f);

		if (!got)
			break;
		buf = realloc(buf, len + got);
		assert_non_null(buf);
		memcpy(buf + len, chunk, got);
		len += got;
	}
	fclose(f);
	for (size_t off = 0; off + 4 <= len;) {
		__u32 size, event;
		__u16 family;
		const struct tk_event_desc *d;
		const char *r;

		memcpy(&size, buf + off, 4);
		assert_true(off + 4 + size <= len);
		r = buf + off + 4;
		off += 4 + size;
		memcpy(&event, r + offsetof(struct tk_hdr, event), 4);
		d = tk_event_by_id(event);
		assert_non_null(d);
		if (size != d->size && (!perfbuf || size < d->size || size > d->size + 7 ||
					(size + 4) % 8))
			fail_msg("%s record of %u bytes (%u expected)", d->name, size, d->size);
		for (__u32 b = d->size; b < size; b++)
			if (r[b])
				fail_msg("%s: perf padding not zero", d->name);
		for (__u32 i = 0; i < d->nfields; i++) {
			const struct tk_field *fl = &d->fields[i];

			for (__u16 b = 0; fl->kind == TK_K_PAD && b < fl->size; b++)
				if (r[fl->offset + b])
					fail_msg("%s: PAD %s not zero", d->name, fl->name);
		}
		memcpy(&family, r + offsetof(struct tk_net_close_event, family), 2);
		for (int b = 4; family == AF_INET && b < 16; b++)
			if (r[offsetof(struct tk_net_close_event, saddr) + b] ||
			    r[offsetof(struct tk_net_close_event, daddr) + b])
				fail_msg("%s: stale byte in an IPv4 address's tail", d->name);
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			recs = realloc(recs, cap * sizeof(*recs));
			assert_non_null(recs);
		}
		recs[n].p = r;
		recs[n++].size = size;
	}
	assert_int_equal(n, want_records);
	/* timestamps differ between any two real records: compare those first */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (recs[i].size == recs[j].size &&
			    !memcmp(recs[i].p, recs[j].p, recs[i].size))
				dups++;
	if (dups)
		fail_msg("%zu duplicated records", dups);
	free(recs);
	free(buf);
}

/*
 * The reproduction: TCP in softirq under a throttled lo, 8
 * clients x 150 short connections to NEST_PORT with distinct byte counts
 * per side, and traffic on NEST_OTHER that --port must leave out. Every
 * record must be whole and true, received + lost must cover every event
 * the workload made, each kind, and lost may be above the shortfall by no
 * more than lost_skipped (README: nettrace).
 */
static void nested_softirq(bool perfbuf)
{
	bool covered;
	char raw[] = "/tmp/tk-nest-raw-XXXXXX";
	char portarg[16], np[16], nc[16], nconn[16], cs[16], ss[16], other[16];
	struct tl_run tracer;
	const struct records *r = &tracer.r;
	struct proc load;
	unsigned long long events, lost;
	size_t connects = 0, closes = 0, accepts = 0, states = 0, dropped = 0, breaks = 0, nrec = 0;
	long long skipped, made, got;
	const struct jv **v;
	const char *ns;
	int fd = mkstemp(raw);

	assert_true(fd >= 0);
	close(fd);
	ns = netns_new(true);
	snprintf(portarg, sizeof(portarg), "%d", NEST_PORT);
	tl_start(&tracer, .tool = TOOL, .lossy = true,
		 .args = TL_ARGS("-e", "all", "-j", "--port", portarg, "--raw", raw,
				 perfbuf ? "--perfbuf" : NULL));

	snprintf(np, sizeof(np), "%d", NEST_PORT);
	snprintf(nc, sizeof(nc), "%d", NEST_CLIENTS);
	snprintf(nconn, sizeof(nconn), "%d", NEST_CONNS);
	snprintf(cs, sizeof(cs), "%d", NEST_CSEND);
	snprintf(ss, sizeof(ss), "%d", NEST_SSEND);
	snprintf(other, sizeof(other), "%d", NEST_OTHER);
	char *largv[] = { IP, "netns", "exec", (char *)ns, (char *)NESTLOAD, "127.0.0.1", np,
			  nc, nconn, cs, ss, other, NULL };
	assert_int_equal(proc_start(&load, largv), 0);
	assert_int_equal(proc_wait(&load, 90000), 0);

	tl_stop(&tracer);
	events = tracer.events;
	lost = tracer.lost;
	check_raw(raw, events, perfbuf);
	unlink(raw);

	v = calloc(r->n, sizeof(*v));
	assert_non_null(v);
	for (size_t i = 0; i < r->n; i++) {
		const struct jv *e = r->v[i];
		const char *ev = json_str(e, "event");
		long long sport = json_int(e, "sport", -1), dport = json_int(e, "dport", -1);
		bool server = sport == NEST_PORT;

		if (!strcmp(ev, "summary"))
			continue;
		if (sport != NEST_PORT && dport != NEST_PORT)
			fail_msg("a %s record outside --port: %lld -> %lld", ev, sport, dport);
		if (!strcmp(ev, "connect")) {
			assert_int_equal(json_int(e, "error", -1), 0);
			connects++;
		} else if (!strcmp(ev, "accept")) {
			accepts++;
		} else if (!strcmp(ev, "close")) {
			long long sent = json_int(e, "bytes_sent", -1);

			/* a mixed record: one side's counts on the other's close.
			 * (+1: under tbf's drops a client close rarely counts one
			 * sequence number too many, the SYN's or the FIN's: a
			 * byte-accounting edge of net_bytes(), not a mixed record,
			 * which would show the other side's or port's counts) */
			if ((sent != (server ? NEST_SSEND : NEST_CSEND) &&
			     sent != (server ? NEST_SSEND : NEST_CSEND) + 1) ||
			    json_int(e, "bytes_received", -1) != (server ? NEST_CSEND : NEST_SSEND))
				fail_msg("%s close %lld -> %lld: sent %lld, received %lld",
					 server ? "server" : "client", sport, dport,
					 json_int(e, "bytes_sent", -1),
					 json_int(e, "bytes_received", -1));
			closes++;
		} else if (!strcmp(ev, "state") && ++states && sport && dport) {
			/* a duplicate child dropped (a retransmitted SYN racing the
			 * first): LISTEN -> SYN_RECV and SYN_RECV -> CLOSE beyond
			 * the workload's ten */
			if (!strcmp(json_str(e, "oldstate_str"), "SYN_RECV") &&
			    !strcmp(json_str(e, "newstate_str"), "CLOSE"))
				dropped++;
			if (!transition_possible(json_str(e, "oldstate_str"), json_str(e, "newstate_str")))
				fail_msg("impossible transition %s -> %s", json_str(e, "oldstate_str"),
					 json_str(e, "newstate_str"));
			v[nrec++] = e;
		}
	}
	/* each connection's transitions chain (a lost one breaks a chain) */
	qsort(v, nrec, sizeof(*v), by_conn_then_ts);
	breaks = broken_chains(v, nrec);
	free(v);
	fprintf(stderr, "nested (%s): %llu events, %llu lost (%lld skipped, %lld never delivered); "
			"%zu connects, %zu accepts, %zu closes of %d connections; %zu broken chains\n",
		perfbuf ? "perfbuf" : "ring", events, lost, json_int(tracer.summary, "lost_skipped", -1),
		json_int(tracer.summary, "lost_unseen", -1), connects, accepts, closes,
		NEST_CLIENTS * NEST_CONNS, breaks);
	assert_true(connects <= NEST_CLIENTS * NEST_CONNS);
	assert_true(accepts <= NEST_CLIENTS * NEST_CONNS);
	assert_true(closes <= 2 * NEST_CLIENTS * NEST_CONNS);
	/* a lost run would have been an event of the workload */
	assert_true(lost <= 10 * NEST_CLIENTS * NEST_CONNS);
	/* What the workload made: per connection a connect, an accept, two
	 * closes and ten state changes (client CLOSE -> SYN_SENT -> ESTABLISHED
	 * -> FIN_WAIT1 -> FIN_WAIT2 -> CLOSE, server LISTEN -> SYN_RECV ->
	 * ESTABLISHED -> CLOSE_WAIT -> LAST_ACK -> CLOSE), and the listener's
	 * two (a dropped duplicate child's two are not counted). received +
	 * lost must cover each kind, and lost may exceed the shortfall only
	 * by lost_skipped (README: nettrace: the state programs' skips are
	 * counted from their gaps, once; those of the others, accept's, may
	 * have found nothing to lose). */
	skipped = json_int(tracer.summary, "lost_skipped", -1);
	assert_true(skipped >= 0);
	made = 14LL * NEST_CLIENTS * NEST_CONNS + 2;
	got = (long long)(connects + accepts + closes + states - 2 * dropped);
	covered = breaks <= lost && connects + lost >= NEST_CLIENTS * NEST_CONNS &&
		  closes + lost >= 2 * NEST_CLIENTS * NEST_CONNS && got + (long long)lost >= made;
	fprintf(stderr, "nested (%s): made %lld, received %lld, shortfall %lld, lost %llu, "
			"bound shortfall + skipped %lld\n",
		perfbuf ? "perfbuf" : "ring", made, got, made - got, lost, made - got + skipped);
	if ((long long)lost > (made > got ? made - got : 0) + skipped)
		fail_msg("nested (%s): lost %llu above the shortfall %lld + skipped %lld",
			 perfbuf ? "perfbuf" : "ring", lost, made - got, skipped);
	tl_run_free(&tracer);
	if (!covered)
		fail_msg("nested (%s): UNCOUNTED LOSS: received + lost does not cover the workload",
			 perfbuf ? "perfbuf" : "ring");
}

static void test_nested_softirq_ring(void **state)
{
	(void)state;
	NEED_ROOT();
	nested_softirq(false);
}

static void test_nested_softirq_perfbuf(void **state)
{
	(void)state;
	NEED_ROOT();
	nested_softirq(true);
}

/* "nestload listen" in a netns; returns once it listens. */
static pid_t listen_in(const char *ns, const char *port, bool reuseport)
{
	char *argv[] = { IP,	   "netns", "exec",	     (char *)ns, (char *)NESTLOAD, "listen",
			 "127.0.0.1", (char *)port, reuseport ? "1" : "0", "3000", NULL };
	struct proc p;

	assert_int_equal(proc_start(&p, argv), 0);
	for (int i = 0; i < 500; i++) {
		char *o = slurp(p.out);
		bool up = o && strstr(o, "listening");

		free(o);
		if (up)
			return p.pid; /* ip netns exec execs: the same pid */
		usleep(10000);
	}
	fail_msg("nestload listen did not start");
	return -1;
}

/*
 * A passive child is its listener's until accept(), and a port is not a
 * listener: the same port in another netns, or SO_REUSEPORT listeners of
 * two processes (which one gets a connection is the kernel's hash), must
 * not lend their owner. Nobody accepts here, so only the listener can
 * name the owner of the children's SYN_RECV.
 */
static void test_listener_per_socket(void **state)
{
	const char *a, *b;
	struct tl_run tracer;
	const struct records *r = &tracer.r;
	pid_t la, reuse1, reuse2;
	size_t own = 0, shared = 0;

	(void)state;
	NEED_ROOT();
	a = netns_new(false);
	b = netns_new(false);
	char ports[16];

	snprintf(ports, sizeof(ports), "%d,%d", test_port(3), test_port(4));
	start_tracer(&tracer, TL_ARGS("-e", "state", "-j", "--port", ports));
	la = listen_in(a, test_port_str(3), false);
	listen_in(b, test_port_str(3), false); /* last: a port-keyed map would name it */
	reuse1 = listen_in(a, test_port_str(4), true);
	reuse2 = listen_in(a, test_port_str(4), true);
	char *c1[] = { IP, "netns", "exec", (char *)a, (char *)NESTLOAD, "connect", "127.0.0.1",
		       (char *)test_port_str(3), "4", NULL };
	char *c2[] = { IP, "netns", "exec", (char *)a, (char *)NESTLOAD, "connect", "127.0.0.1",
		       (char *)test_port_str(4), "8", NULL };
	assert_int_equal(run_quiet(c1), 0);
	assert_int_equal(run_quiet(c2), 0);
	usleep(200000);
	tl_stop(&tracer);
	for (size_t i = 0; i < r->n; i++) {
		const struct jv *e = r->v[i];
		long long pid = json_int(e, "pid", -1);

		if (strcmp(json_str(e, "event"), "state") ||
		    strcmp(json_str(e, "oldstate_str"), "LISTEN") ||
		    strcmp(json_str(e, "newstate_str"), "SYN_RECV"))
			continue;
		if (json_int(e, "sport", 0) == test_port(3)) {
			if (pid != la)
				fail_msg("child of netns %s's listener %d attributed to %lld", a,
					 (int)la, pid);
			own++;
		} else {
			if (pid != 0)
				fail_msg("child of two SO_REUSEPORT listeners (%d, %d) attributed "
					 "to %lld",
					 (int)reuse1, (int)reuse2, pid);
			shared++;
		}
	}
	assert_int_equal(own, 4);
	assert_int_equal(shared, 8);
	tl_run_free(&tracer);
}

/*
 * Sockets older than the tracer are no losses: a connection established
 * before it started, in a netns of its own (the start-up snapshot must
 * cover every network namespace), then accepted and closed while it
 * traces, is one accept by us, two closes and seven state changes (the
 * two ends' four each way to CLOSE but the server's, which has no
 * LISTEN -> SYN_RECV -> ESTABLISHED seen, and the listener's end), and
 * lost 0: its handshake before the start is not counted as unseen.
 */
static void test_older_than_tracer(void **state)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(test_port(6)),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	size_t accepts = 0, closes = 0, states = 0;
	struct tl_run tracer;
	char path[64];
	int self, nsfd, l, c, a;

	(void)state;
	NEED_ROOT();
	snprintf(path, sizeof(path), "/run/netns/%s", netns_new(false));
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(self >= 0 && nsfd >= 0);
	assert_int_equal(setns(nsfd, CLONE_NEWNET), 0);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(l >= 0 && c >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&in, sizeof(in)), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(connect(c, (struct sockaddr *)&in, sizeof(in)), 0);
	assert_int_equal(setns(self, CLONE_NEWNET), 0); /* the sockets keep theirs */
	close(nsfd);
	close(self);

	start_tracer(&tracer, TL_ARGS("-e", "all", "-j", "--port", test_port_str(6)));
	a = accept(l, NULL, NULL);
	assert_true(a >= 0);
	close(c);
	usleep(100000);
	close(a);
	close(l);
	usleep(200000);
	tl_stop(&tracer);
	for (size_t i = 0; i < tracer.r.n; i++) {
		const struct jv *e = tracer.r.v[i];
		const char *ev = json_str(e, "event");

		if (!strcmp(ev, "accept")) {
			assert_int_equal(json_int(e, "pid", -1), getpid());
			accepts++;
		}
		closes += !strcmp(ev, "close");
		states += !strcmp(ev, "state");
	}
	if (accepts != 1 || closes != 2 || states != 7 || tracer.lost)
		fail_msg("older than the tracer: %zu accepts, %zu closes, %zu state changes, "
			 "%llu lost; want 1, 2, 7, 0 lost",
			 accepts, closes, states, (unsigned long long)tracer.lost);
	tl_run_free(&tracer);
}

/*
 * -n 3: three records printed, and the summary says so instead of
 * passing the records that arrived after the limit off as shown.
 */
static void test_count_limit_summary(void **state)
{
	struct tl_run tracer;
	const char *ns;

	(void)state;
	NEED_ROOT();
	ns = netns_new(false);
	/* the harness checks the -n tail of the summary line and the JSON
	 * summary against it, and that exactly `printed` records came out */
	start_tracer(&tracer, TL_ARGS("-e", "all", "-j", "-n", "3", "--port", test_port_str(5)));
	tracer.o.no_stop = true; /* -n ends it */
	listen_in(ns, test_port_str(5), false);
	char *c[] = { IP, "netns", "exec", (char *)ns, (char *)NESTLOAD, "connect", "127.0.0.1",
		      (char *)test_port_str(5), "4", NULL };
	assert_int_equal(run_quiet(c), 0);
	tl_stop(&tracer);
	if (!strstr(tracer.err, " lost; 3 printed (-n), "))
		fail_msg("no -n account in the summary: %s", tracer.err);
	assert_int_equal(tracer.printed, 3);
	assert_int_equal(tracer.events, tracer.printed + tracer.after_limit);
	assert_int_equal(tracer.r.n, 3);
	assert_int_equal(json_int(tracer.summary, "printed", -1), 3);
	assert_int_equal(json_int(tracer.summary, "events", -1), (long long)tracer.events);
	tl_run_free(&tracer);
}

/* The standard checks: 2000 refused connects, by pid. */
static const tl_args bad[] = {
	{ "--port", "0" }, { "--port", "65536" }, { "--port", "http" }, { "--port", "80," },
	{ "--port", ",80" }, { "--port", "80,,443" }, { "--lport", "" }, { "--rport", "-1" },
	{ "--port" }, { "-4", "-6" }, { "-e", "connect,nope" }, { NULL },
};
/* connects refused on the loopback */
static const tl_args valgrind[] = {
	{ "-j", "-e", "all", "--", "build/tests/nestload", "refused", "127.0.0.1", "9", "3" },
	{ NULL },
};
static const struct tl_tool tool = {
	.name = TOOL, .prog_prefix = "net_",
	.workload = TL_ARGS("build/tests/nestload", "refused", "127.0.0.1", "9", "2000"),
	.filter = TL_ARGS("-e", "connect"), .event = "connect", .n = 2000,
	.bad = bad, .valgrind = valgrind, .valgrind_rc = 0,
};

int main(void)
{
	const struct CMUnitTest tests[] = {
		TL_STANDARD_TESTS(&tool),
		cmocka_unit_test_teardown(test_loopback_ipv4, teardown),
		cmocka_unit_test_teardown(test_loopback_ipv6, teardown),
		cmocka_unit_test_teardown(test_loopback_v4_mapped, teardown),
		cmocka_unit_test_teardown(test_filters, teardown),
		cmocka_unit_test_teardown(test_command_mode, teardown),
		cmocka_unit_test_teardown(test_timeout_and_retransmit, teardown),
		cmocka_unit_test_teardown(test_nested_softirq_ring, teardown),
		cmocka_unit_test_teardown(test_nested_softirq_perfbuf, teardown),
		cmocka_unit_test_teardown(test_listener_per_socket, teardown),
		cmocka_unit_test_teardown(test_older_than_tracer, teardown),
		cmocka_unit_test_teardown(test_count_limit_summary, teardown),
	};
	return TL_RUN_GROUP(TOOL, tests, NULL, NULL);
}
