// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rbbench's measurement layer (rbbench_run.h), the end-to-end row: a real
 * tracer, proctrace, under an exec loop, with its default ring buffer and
 * with --perfbuf (each with its default batch wakeup policy and with
 * --wakeup event), against the same loop untraced. The loop execs
 * /bin/true through a symlink whose name is unique to this run, and
 * proctrace filters on that name (-c), so it reports exactly 2 events per
 * exec (exec and exit) and nothing else.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tk.h"
#include "rbbench_run.h"

static char dir[64], link_path[128], comm[TK_COMM_LEN];

#define READY "tracing, Ctrl-C to end"
#define TRACER_TIMEOUT_MS 15000

int rbb_e2e_prepare(const struct rbb_opts *o)
{
	if (access(o->proctrace, X_OK))
		return tk_fail("cannot run '%s': %s", o->proctrace, strerror(errno));
	strcpy(dir, "/tmp/rbbench-XXXXXX");
	if (!mkdtemp(dir)) {
		dir[0] = 0;
		return tk_fail("cannot create a temporary directory: %s", strerror(errno));
	}
	snprintf(comm, sizeof(comm), "rbbe2e%d", (int)getpid() % 100000000);
	snprintf(link_path, sizeof(link_path), "%s/%s", dir, comm);
	if (symlink("/bin/true", link_path))
		return tk_fail("cannot create %s: %s", link_path, strerror(errno));
	return 0;
}

void rbb_e2e_cleanup(void)
{
	if (link_path[0])
		unlink(link_path);
	if (dir[0])
		rmdir(dir);
	link_path[0] = dir[0] = 0;
}

/* n fork+exec+wait, flat out (rate 0) or rate a second */
static int exec_loop(unsigned n, double rate)
{
	char *argv[] = { link_path, NULL };
	double next = rbb_now();

	for (unsigned i = 0; i < n && !rbb_interrupted; i++) {
		int status;
		pid_t pid;

		if (rate > 0) {
			rbb_sleep(next - rbb_now());
			next += 1 / rate;
		}
		pid = fork();

		if (pid < 0)
			return tk_fail("fork failed: %s", strerror(errno));
		if (pid == 0) {
			execv(link_path, argv);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			return tk_fail("the exec workload failed (%s)", link_path);
	}
	return rbb_interrupted ? 1 : 0;
}

/* Appends what the tracer wrote on stderr; false at EOF or timeout. */
static bool read_more(int fd, char *buf, size_t cap, size_t *len, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, timeout_ms) <= 0)
		return false;
	n = read(fd, buf + *len, cap - 1 - *len);
	if (n <= 0)
		return false;
	*len += n;
	buf[*len] = 0;
	return *len < cap - 1;
}

/* CPU time of a process so far, ns (the first field of schedstat) */
static double cpu_ns_of(pid_t pid)
{
	char path[64];
	unsigned long long ns;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return NAN;
	n = fscanf(f, "%llu", &ns);
	fclose(f);
	return n == 1 ? (double)ns : NAN;
}

/*
 * proctrace -c comm with the extra arguments (NULL-terminated, at most 5),
 * stdout to out_fd, stderr into *errfd, started and ready (its "tracing"
 * line read into err, *len bytes); -1 after saying why.
 */
static pid_t start_tracer(const struct rbb_opts *o, char *const *extra, int out_fd, int *errfd,
			  char *err, size_t cap, size_t *len)
{
	char *argv[9] = { (char *)o->proctrace, "-c", comm };
	int p[2], n = 3;
	bool ready = false;
	pid_t pid;

	while (*extra && n < 8)
		argv[n++] = *extra++;
	if (pipe2(p, O_CLOEXEC))
		return tk_fail("cannot start %s: %s", o->proctrace, strerror(errno)), -1;
	pid = tk_spawn(o->proctrace, argv, &(struct tk_spawn){ .out_fd = out_fd, .err_fd = p[1] });
	close(p[1]);
	if (pid < 0) {
		tk_fail("cannot start %s: %s", o->proctrace, strerror(errno));
		close(p[0]);
		return -1;
	}
	*errfd = p[0];
	while (!(ready = strstr(err, READY)) && read_more(p[0], err, cap, len, TRACER_TIMEOUT_MS))
		;
	if (!ready) {
		tk_fail("%s did not start: %s", o->proctrace, err[0] ? err : "(no output)");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(p[0]);
		return -1;
	}
	return pid;
}

/* Waits for the tracer after SIGINT; its last line on stderr,
 * "proctrace: N events, M lost", into *events and *lost. */
static int stop_tracer(const struct rbb_opts *o, pid_t pid, int errfd, char *err, size_t cap,
		       size_t *len, double *events, double *lost)
{
	unsigned long long ev, lo;
	bool found = false;
	int status;

	kill(pid, SIGINT);
	while (read_more(errfd, err, cap, len, TRACER_TIMEOUT_MS))
		;
	if (waitpid(pid, &status, 0) != pid)
		return tk_fail("cannot wait for %s: %s", o->proctrace, strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return tk_fail("%s failed: %s", o->proctrace, err);
	for (const char *line = err; line; line = strchr(line + 1, '\n')) {
		if (sscanf(line + (*line == '\n'), "%*[^:]: %llu events, %llu lost", &ev, &lo) == 2) {
			*events = ev;
			*lost = lo;
			found = true;
		}
	}
	return found ? 0 : tk_fail("no summary line from %s: %s", o->proctrace, err);
}

int rbb_e2e_run(const struct rbb_opts *o, int variant, struct rbb_e2e_result *r)
{
	char *extra[4] = { NULL }, err[4096] = "";
	size_t len = 0;
	int errfd = -1, rc = 1, null = -1, n = 0;
	pid_t pid = -1;
	double t0, t1, cpu0;

	memset(r, 0, sizeof(*r));
	if (variant == RBB_E2E_PERFBUF || variant == RBB_E2E_PERFBUF_EV)
		extra[n++] = "--perfbuf";
	if (variant == RBB_E2E_RINGBUF_EV || variant == RBB_E2E_PERFBUF_EV) {
		extra[n++] = "--wakeup";
		extra[n++] = "event";
	}
	if (variant != RBB_E2E_UNTRACED) {
		null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null < 0)
			return tk_fail("cannot open /dev/null: %s", strerror(errno));
		pid = start_tracer(o, extra, null, &errfd, err, sizeof(err), &len);
		close(null);
		if (pid < 0)
			return 1;
	}
	cpu0 = pid > 0 ? cpu_ns_of(pid) : NAN;
	t0 = rbb_now();
	if (exec_loop(o->execs, 0))
		goto cleanup;
	t1 = rbb_now();
	/* let the tracer take the last events (it drains every drain-ms) */
	if (pid > 0)
		rbb_sleep(0.02);
	r->tracer_us_exec = (cpu_ns_of(pid) - cpu0) / 1e3 / o->execs;
	r->us_per_exec = (t1 - t0) * 1e6 / o->execs;
	r->expected = 2.0 * o->execs;
	rc = 0;

cleanup:
	if (pid > 0) {
		if (stop_tracer(o, pid, errfd, err, sizeof(err), &len, &r->events, &r->lost))
			rc = 1;
		r->valid = !rc;
	} else if (!rc) {
		r->valid = true;
		r->events = r->lost = r->tracer_us_exec = r->expected = NAN;
	}
	if (errfd >= 0)
		close(errfd);
	return rc;
}

/* The pipe's reader: each exec record's latency, ts_ns to its line's arrival. */
struct pipe_reader {
	FILE *in;
	clockid_t clock; /* the records' (rbb_opts.event_clock) */
	struct rbb_pipe_result *r;
	unsigned long long received;
	unsigned long long slice_ns;
	const char *slice_why;
};

static void *read_pipe(void *arg)
{
	struct pipe_reader *p = arg;
	char line[8192];
	__u64 was;

	/*
	 * It stands for an operator's reader, and asks for the short slice
	 * proctrace's consumer has: woken by the consumer's write, it would
	 * otherwise wait like the consumer did, behind a task in the middle
	 * of its slice (an exec'd child starting up), see tk_short_slice().
	 * Only this thread: the exec loop's children keep the default slice.
	 */
	p->slice_why = tk_short_slice(&was);
	p->slice_ns = p->slice_why ? was : was < TK_SHORT_SLICE_NS ? was : TK_SHORT_SLICE_NS;
	while (fgets(line, sizeof(line), p->in)) {
		__s64 now = tk_now_ns(p->clock);
		const char *ts = strstr(line, "{\"ts_ns\":");
		unsigned long long t;

		if (!ts || !strstr(line, "\"event\":\"exec\"") || sscanf(ts + 9, "%llu", &t) != 1)
			continue;
		p->received++;
		bs_hist_add(&p->r->lat, now > (__s64)t ? (__u64)(now - (__s64)t) : 0);
	}
	return NULL;
}

int rbb_pipe_run(const struct rbb_opts *o, int policy, struct rbb_pipe_result *r)
{
	char *extra[] = { "-j", "-e", "exec", "--wakeup", (char *)rbb_pipe_names[policy], NULL };
	char err[4096] = "";
	struct pipe_reader rd = { .r = r, .clock = o->event_clock };
	double events = 0, lost = 0;
	size_t len = 0;
	int p[2], errfd = -1, rc;
	pthread_t th;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return tk_fail("cannot make a pipe: %s", strerror(errno));
	pid = start_tracer(o, extra, p[1], &errfd, err, sizeof(err), &len);
	close(p[1]);
	rd.in = fdopen(p[0], "r");
	if (pid < 0 || !rd.in) {
		if (pid > 0)
			stop_tracer(o, pid, errfd, err, sizeof(err), &len, &events, &lost);
		if (rd.in)
			fclose(rd.in);
		else
			close(p[0]);
		return pid < 0 ? 1 : tk_fail("out of memory");
	}
	rc = pthread_create(&th, NULL, read_pipe, &rd);
	if (rc) {
		stop_tracer(o, pid, errfd, err, sizeof(err), &len, &events, &lost);
		fclose(rd.in);
		close(errfd);
		return tk_fail("cannot start the reader: %s", strerror(rc));
	}
	rc = exec_loop(RBB_PIPE_EXECS, RBB_PIPE_RATE);
	/* the tracer's exit closes the pipe: the reader has everything */
	rc |= stop_tracer(o, pid, errfd, err, sizeof(err), &len, &events, &lost);
	pthread_join(th, NULL);
	fclose(rd.in);
	close(errfd);
	if (!rc) {
		r->received += rd.received;
		r->expected += RBB_PIPE_EXECS;
		r->lost += lost;
		r->runs++;
		r->reader_slice_ns = rd.slice_ns;
		r->reader_slice_why = rd.slice_why;
	}
	return rc;
}
