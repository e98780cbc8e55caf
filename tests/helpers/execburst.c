// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* execburst N PROG [ARGS...]: fork+exec PROG N times, one after another.
 * Exits 0 only if all N ran and exited 0, so the test knows exactly how
 * many execs the kernel saw. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 2 ? strtol(argv[1], NULL, 10) : -1;

	if (n < 0) {
		fprintf(stderr, "usage: execburst N PROG [ARGS...]\n");
		return 2;
	}
	for (long i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0) {
			execv(argv[2], &argv[2]);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			return 1;
	}
	return 0;
}
