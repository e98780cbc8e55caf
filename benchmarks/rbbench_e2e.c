// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rbbench's measurement layer (rbbench_run.h), the end-to-end row: a real
 * tracer, proctrace, under an exec loop, with its default ring buffer and
 * with --perfbuf (each with the default wakeup policy, bounded, and with
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
#include <sys/eventfd.h>
#include <sys/mman.h>
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

/*
 * The relay arm's hand-over (RBB_PIPE_RELAY): the stamps in memory shared
 * with the exec'd children and the relay, and an eventfd that wakes the
 * relay, as the ring buffer's memory and its wakeup do a tracer's
 * consumer (a non-sync wakeup from the event's CPU, where a pipe write
 * would be a sync one and pull the relay onto the child's CPU).
 */
#define RELAY_SLOTS 256
struct relay_post {
	clockid_t clock;
	unsigned posted;       /* the exec loop's count, copied into each child */
	int efd;
	__u64 *slot;           /* RELAY_SLOTS stamps, then the end mark */
};

/* n fork+exec+wait, flat out (rate 0) or rate a second; with post, each
 * child posts its stamp just before its exec */
static int exec_loop(unsigned n, double rate, struct relay_post *post)
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
			if (post) {
				__u64 one = 1;

				__atomic_store_n(&post->slot[post->posted % RELAY_SLOTS],
						 (__u64)tk_now_ns(post->clock), __ATOMIC_RELEASE);
				if (write(post->efd, &one, sizeof(one)) != sizeof(one))
					_exit(126);
			}
			execv(link_path, argv);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			return tk_fail("the exec workload failed (%s)", link_path);
		if (post)
			post->posted++;
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
	if (exec_loop(o->execs, 0, NULL))
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
	struct bs_hist run; /* this run's latencies; rbb_pipe_run() pools them */
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
		bs_hist_add(&p->run, now > (__s64)t ? (__u64)(now - (__s64)t) : 0);
	}
	return NULL;
}

/*
 * The relay (RBB_PIPE_RELAY), a child process: it sleeps in read() on the
 * eventfd, as a consumer sleeps on the ring, and for each stamp posted
 * writes the line proctrace -j would start with to out_fd, one write() a
 * record, as proctrace flushes a lone record; with the consumer's short
 * slice. Exits 0 once the end mark is set and every stamp is written.
 */
static void relay(struct relay_post *post, int out_fd)
{
	unsigned done = 0;
	char line[64];
	__u64 k, was;

	tk_short_slice(&was);
	for (;;) {
		if (read(post->efd, &k, sizeof(k)) != sizeof(k))
			_exit(1);
		for (; k > 0; k--, done++) {
			__u64 ts = __atomic_load_n(&post->slot[done % RELAY_SLOTS], __ATOMIC_ACQUIRE);
			int n;

			if (ts == UINT64_MAX)
				_exit(0);
			n = snprintf(line, sizeof(line), "{\"ts_ns\":%llu,\"event\":\"exec\"}\n",
				     (unsigned long long)ts);
			if (write(out_fd, line, n) != n)
				_exit(1);
		}
	}
}

/* Starts the relay writing to out_fd: its pid, or -1 after saying why. */
static pid_t start_relay(struct relay_post *post, int out_fd)
{
	pid_t pid;

	post->slot = mmap(NULL, (RELAY_SLOTS + 1) * sizeof(__u64), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (post->slot == MAP_FAILED) {
		post->slot = NULL;
		return tk_fail("cannot map the relay's stamps: %s", strerror(errno)), -1;
	}
	post->efd = eventfd(0, EFD_CLOEXEC);
	if (post->efd < 0)
		return tk_fail("cannot make an eventfd: %s", strerror(errno)), -1;
	pid = fork();
	if (pid < 0)
		return tk_fail("cannot start the relay: %s", strerror(errno)), -1;
	if (pid == 0)
		relay(post, out_fd);
	return pid;
}

/* Posts the end mark and waits for the relay: 0, or 1 after saying why. */
static int stop_relay(struct relay_post *post, pid_t pid)
{
	__u64 one = 1;
	int status, rc = 0;

	if (pid > 0) {
		__atomic_store_n(&post->slot[post->posted % RELAY_SLOTS], UINT64_MAX,
				 __ATOMIC_RELEASE);
		if (write(post->efd, &one, sizeof(one)) != sizeof(one))
			kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			rc = tk_fail("the relay failed");
	}
	if (post->efd >= 0)
		close(post->efd);
	if (post->slot)
		munmap(post->slot, (RELAY_SLOTS + 1) * sizeof(__u64));
	return rc;
}

/* Ends the run's writer, the relay or the tracer (its summary's lost
 * count into *lost): 0, or 1 after saying why. */
static int stop_writer(const struct rbb_opts *o, struct relay_post *post, bool relayed,
		       pid_t pid, int errfd, char *err, size_t cap, size_t *len, double *lost)
{
	double events = 0;

	if (relayed)
		return stop_relay(post, pid);
	return pid > 0 ? stop_tracer(o, pid, errfd, err, cap, len, &events, lost) : 0;
}

int rbb_pipe_run(const struct rbb_opts *o, int policy, struct rbb_pipe_result *r)
{
	char *extra[] = { "-j", "-e", "exec", "--wakeup", (char *)rbb_pipe_names[policy], NULL };
	char err[4096] = "";
	struct pipe_reader *rd = calloc(1, sizeof(*rd));
	struct relay_post post = { .clock = o->event_clock, .efd = -1 };
	bool relayed = policy == RBB_PIPE_RELAY;
	double lost = 0, p99;
	size_t len = 0;
	int p[2], errfd = -1, rc;
	pthread_t th;
	pid_t pid;

	if (!rd)
		return tk_fail("out of memory");
	rd->clock = o->event_clock;
	bs_hist_reset(&rd->run);
	if (pipe2(p, O_CLOEXEC)) {
		free(rd);
		return tk_fail("cannot make a pipe: %s", strerror(errno));
	}
	pid = relayed ? start_relay(&post, p[1])
		      : start_tracer(o, extra, p[1], &errfd, err, sizeof(err), &len);
	close(p[1]);
	rd->in = fdopen(p[0], "r");
	if (pid < 0 || !rd->in) {
		stop_writer(o, &post, relayed, pid, errfd, err, sizeof(err), &len, &lost);
		if (rd->in)
			fclose(rd->in);
		else
			close(p[0]);
		free(rd);
		return pid < 0 ? 1 : tk_fail("out of memory");
	}
	rc = pthread_create(&th, NULL, read_pipe, rd);
	if (rc) {
		stop_writer(o, &post, relayed, pid, errfd, err, sizeof(err), &len, &lost);
		fclose(rd->in);
		if (errfd >= 0)
			close(errfd);
		free(rd);
		return tk_fail("cannot start the reader: %s", strerror(rc));
	}
	rc = exec_loop(RBB_PIPE_EXECS, RBB_PIPE_RATE, relayed ? &post : NULL);
	/* the writer's exit closes the pipe: the reader has everything */
	rc |= stop_writer(o, &post, relayed, pid, errfd, err, sizeof(err), &len, &lost);
	pthread_join(th, NULL);
	fclose(rd->in);
	if (errfd >= 0)
		close(errfd);
	if (!rc) {
		p99 = rd->run.count ? (double)bs_hist_percentile(&rd->run, 99) : NAN;
		r->p99_lo = !r->runs || p99 < r->p99_lo ? p99 : r->p99_lo;
		r->p99_hi = !r->runs || p99 > r->p99_hi ? p99 : r->p99_hi;
		bs_hist_merge(&r->lat, &rd->run);
		r->received += rd->received;
		r->expected += RBB_PIPE_EXECS;
		r->lost += lost;
		r->runs++;
		r->reader_slice_ns = rd->slice_ns;
		r->reader_slice_why = rd->slice_why;
	}
	free(rd);
	return rc;
}
