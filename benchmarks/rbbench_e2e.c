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
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

static int exec_loop(unsigned n)
{
	char *argv[] = { link_path, NULL };

	for (unsigned i = 0; i < n && !rbb_interrupted; i++) {
		int status;
		pid_t pid = fork();

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

/* proctrace for one variant, stdout to /dev/null, stderr into *errfd. */
static pid_t start_tracer(const struct rbb_opts *o, int variant, int *errfd)
{
	char *argv[8] = { (char *)o->proctrace, "-c", comm };
	int p[2], n = 3, null;
	pid_t pid;

	if (variant == RBB_E2E_PERFBUF || variant == RBB_E2E_PERFBUF_EV)
		argv[n++] = "--perfbuf";
	if (variant == RBB_E2E_RINGBUF_EV || variant == RBB_E2E_PERFBUF_EV) {
		argv[n++] = "--wakeup";
		argv[n++] = "event";
	}
	if (pipe2(p, O_CLOEXEC))
		return -1;
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	pid = null < 0 ? -1 : tk_spawn(o->proctrace, argv,
				       &(struct tk_spawn){ .out_fd = null, .err_fd = p[1] });
	if (null >= 0)
		close(null);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	*errfd = p[0];
	return pid;
}

int rbb_e2e_run(const struct rbb_opts *o, int variant, struct rbb_e2e_result *r)
{
	char err[4096] = "";
	size_t len = 0;
	int errfd = -1, rc = 1, status;
	pid_t pid = -1;
	double t0, t1, cpu0;
	bool ready = false;

	memset(r, 0, sizeof(*r));
	if (variant != RBB_E2E_UNTRACED) {
		pid = start_tracer(o, variant, &errfd);
		if (pid < 0)
			return tk_fail("cannot start %s: %s", o->proctrace, strerror(errno));
		while (!(ready = strstr(err, READY)) &&
		       read_more(errfd, err, sizeof(err), &len, TRACER_TIMEOUT_MS))
			;
		if (!ready) {
			tk_fail("%s did not start: %s", o->proctrace, err[0] ? err : "(no output)");
			goto cleanup;
		}
	}
	cpu0 = pid > 0 ? cpu_ns_of(pid) : NAN;
	t0 = rbb_now();
	if (exec_loop(o->execs))
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
		unsigned long long events, lost;
		const char *line;

		kill(pid, SIGINT);
		while (read_more(errfd, err, sizeof(err), &len, TRACER_TIMEOUT_MS))
			;
		if (waitpid(pid, &status, 0) != pid) {
			rc = tk_fail("cannot wait for %s: %s", o->proctrace, strerror(errno));
		} else if (rc) {
			; /* already reported */
		} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			rc = tk_fail("%s failed: %s", o->proctrace, err);
		} else {
			/* its last line: "proctrace: N events, M lost" */
			for (line = err; line; line = strchr(line + 1, '\n')) {
				if (sscanf(line + (*line == '\n'), "%*[^:]: %llu events, %llu lost",
					   &events, &lost) == 2) {
					r->events = events;
					r->lost = lost;
					r->valid = true;
				}
			}
			if (!r->valid)
				rc = tk_fail("no summary line from %s: %s", o->proctrace, err);
		}
	} else if (!rc) {
		r->valid = true;
		r->events = r->lost = r->tracer_us_exec = r->expected = NAN;
	}
	if (errfd >= 0)
		close(errfd);
	return rc;
}
