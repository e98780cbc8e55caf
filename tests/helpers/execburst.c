// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* execburst [-t] N PROG [ARGS...]: fork+exec PROG N times, one after
 * another. Exits 0 only if all N ran and exited 0, so the test knows exactly
 * how many execs the kernel saw. -t: its own time per iteration on stderr
 * ("iterations=N ns_per_iter=X", openloop's form), for scripts/bench-proc:
 * stderr, since under a tracer's command mode stdout is the tracer's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	int timed = argc > 1 && !strcmp(argv[1], "-t");
	long n = argc > 2 + timed ? strtol(argv[1 + timed], NULL, 10) : -1;
	char **prog = &argv[2 + timed];
	double start = now_ns();

	if (n < 0) {
		fprintf(stderr, "usage: execburst [-t] N PROG [ARGS...]\n");
		return 2;
	}
	for (long i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0) {
			execv(prog[0], prog);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			return 1;
	}
	if (timed)
		fprintf(stderr, "iterations=%ld ns_per_iter=%.1f\n", n,
			n ? (now_ns() - start) / n : 0.0);
	return 0;
}
